//! The webhook receiver in-process, over loopback HTTP: who gets in, what is refused, and
//! that accepted events reach the sink coalesced.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{EVENT, TOKEN, start, targets};
use examples::webhook_server::{Received, webhook_router};
use iai_shop_client::webhook::WebhookEventKind;
use tokio::sync::mpsc;

#[tokio::test]
async fn refused_requests_touch_nothing() {
    let receiver = start(16, Duration::ZERO, 64 * 1024).await;
    let ok = format!("/webhooks/iai-shop/main/{TOKEN}");
    assert_eq!(
        receiver
            .post("/webhooks/iai-shop/main/wrong-token", EVENT)
            .await,
        401
    );
    let almost = &TOKEN[..TOKEN.len() - 1];
    assert_eq!(
        receiver
            .post(&format!("/webhooks/iai-shop/main/{almost}"), EVENT)
            .await,
        401
    );
    assert_eq!(
        receiver.post("/webhooks/iai-shop/main", EVENT).await,
        404,
        "no token"
    );
    assert_eq!(
        receiver.post("/webhooks/iai-shop/main/", EVENT).await,
        404,
        "empty token"
    );
    assert_eq!(
        receiver
            .post(&format!("/webhooks/iai-shop/nope/{TOKEN}"), EVENT)
            .await,
        404
    );
    assert_eq!(
        receiver
            .post(&format!("/webhooks/iai-shop/no-token/{TOKEN}"), EVENT)
            .await,
        404
    );
    assert_eq!(
        receiver
            .post(&format!("/webhooks/iai-shop/outlet/{TOKEN}"), EVENT)
            .await,
        409
    );
    let oversized = format!(r#"{{"clientId":1,"pad":"{}"}}"#, "x".repeat(70 * 1024));
    assert_eq!(receiver.post(&ok, oversized).await, 413);
    assert!(
        receiver.stop().await.is_empty(),
        "nothing may reach the engines"
    );
}

#[tokio::test]
async fn a_burst_is_delivered_once_per_integration_without_duplicates() {
    let receiver = start(16, Duration::from_millis(300), 64 * 1024).await;
    let ok = format!("/webhooks/iai-shop/main/{TOKEN}");
    for body in [
        EVENT,
        EVENT,
        r#"{"event":"orderStatusUpdated","order":{"orderSerialNumber":"733"}}"#,
        EVENT,
    ] {
        assert_eq!(receiver.post(&ok, body).await, 202);
    }
    let deliveries = receiver.stop().await;
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    let (integration, triggers) = &deliveries[0];
    assert_eq!(integration, "main");
    assert_eq!(triggers.len(), 2, "{triggers:?}");
    assert_eq!(triggers[0].kind, WebhookEventKind::ClientUpdated);
    assert_eq!(triggers[0].client_id, Some(42));
    assert_eq!(triggers[1].kind, WebhookEventKind::OrderStatusChanged);
    assert_eq!(triggers[1].order_serial_number, Some(733));
}

#[tokio::test]
async fn a_full_queue_answers_503() {
    // A worker that never drains: the queue holds one event, the next is refused.
    let (sender, _receiver) = mpsc::channel::<Received>(1);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, webhook_router(targets(), sender, 1024))
            .await
            .unwrap();
    });
    let http = reqwest::Client::new();
    let url = format!("{base}/webhooks/iai-shop/main/{TOKEN}");
    let first = http.post(&url).body(EVENT).send().await.unwrap().status();
    let second = http.post(&url).body(EVENT).send().await.unwrap().status();
    assert_eq!((first.as_u16(), second.as_u16()), (202, 503));
}
