//! Webhooks as the IdoSell panel sends them, end to end: the shop simulator sends each
//! method × content type (GET with query parameters, XML POST, form PUT, empty POST, ...)
//! and the changed customer is in Thulium within a second; a burst of 1,000 concurrent
//! id-less webhooks is answered in full (202 or 503, no reset) and gathered into few
//! passes; slow clients are cut off without holding the receiver.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::daemon::thulium_surname;
use common::{TOKEN, main_path, serve, start};
use examples::daemon::{EngineSink, Passes};
use examples::demo::{
    DEMO_INTEGRATION, DEMO_WEBHOOK_TOKEN, DemoOptions, settings_for, start_sandbox,
};
use examples::health::Health;
use examples::serve::{ServeOptions, bind};
use examples::webhook_server::{DEFAULT_QUEUE, ReceiverOptions, WebhookTarget, receiver_router};
use examples::wiring::Wiring;
use sandbox::idosell::{CustomerPatch, WebhookMethod, WebhookSetup};
use secrecy::SecretString;
use sync_core::engine::EngineOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use url::Url;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_panel_webhook_brings_the_change_to_thulium_within_a_second() {
    let sandbox = start_sandbox(DemoOptions {
        customers: 60,
        orders: 120,
        seed: 21,
    })
    .await
    .unwrap();
    let wiring = Wiring::connect(&settings_for(&sandbox), EngineOptions::default())
        .await
        .unwrap();
    let report = wiring.integrations[0]
        .engine
        .full_sync(&|_| {})
        .await
        .unwrap();
    assert_eq!(report.created, 60);
    let contacts = sandbox.thulium().customer_count();
    let passes = Arc::new(Passes::new(&wiring, Arc::new(Health::default())));
    let targets = vec![WebhookTarget {
        name: DEMO_INTEGRATION.into(),
        enabled: true,
        token: Some(SecretString::from(DEMO_WEBHOOK_TOKEN)),
    }];
    let receiver = serve(
        targets,
        Arc::new(EngineSink::over(Arc::clone(&passes))),
        1024,
        Duration::from_millis(50),
        64 * 1024,
    )
    .await;
    let url = Url::parse(&format!(
        "{}/webhooks/iai-shop/{DEMO_INTEGRATION}/{DEMO_WEBHOOK_TOKEN}",
        receiver.base
    ))
    .unwrap();
    // The id-less one first: it finds the change through an incremental window, and the
    // simulator stamps each later change a second after the one before.
    let setups = [
        ("empty POST", WebhookSetup::empty_post(url.clone())),
        ("GET with query", WebhookSetup::get_with_query(url.clone())),
        ("XML POST", WebhookSetup::xml(url.clone())),
        (
            "form PUT",
            WebhookSetup::form(url.clone(), WebhookMethod::Put),
        ),
        ("JSON POST", WebhookSetup::json(url.clone())),
        (
            "form DELETE",
            WebhookSetup::form(url.clone(), WebhookMethod::Delete),
        ),
        ("empty POST again", WebhookSetup::empty_post(url.clone())),
    ];
    let customers = sandbox.shop().customers();
    for (n, (name, setup)) in setups.into_iter().enumerate() {
        sandbox.shop().set_webhook(Some(setup));
        let client_id = customers[n * 7].client_id;
        let surname = format!("Panelowa{n}");
        // The simulator stamps each change a second after the one before: an id-less
        // webhook's window ends now, so its change must not be stamped ahead of the clock.
        let last_stamp = sandbox
            .shop()
            .customers()
            .iter()
            .map(|c| c.last_modified)
            .max();
        while Some(sandbox.shop().clock().now()) <= last_stamp {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let changed = Instant::now();
        sandbox
            .shop()
            .edit_customer(
                client_id,
                &CustomerPatch {
                    last_name: Some(surname.clone()),
                    ..CustomerPatch::default()
                },
            )
            .unwrap();
        while thulium_surname(&sandbox, client_id).as_deref() != Some(surname.as_str()) {
            assert!(
                changed.elapsed() < Duration::from_secs(5),
                "{name}: not in Thulium; deliveries {:?}",
                sandbox.shop().webhook_deliveries()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let took = changed.elapsed();
        eprintln!("{name}: in Thulium after {} ms", took.as_millis());
        assert!(took < Duration::from_secs(1), "{name}: took {took:?}");
        let deliveries = sandbox.shop().webhook_deliveries();
        assert_eq!(deliveries.len(), n + 1, "{name}");
        assert_eq!(deliveries[n].status, Some(202), "{name}");
    }
    assert_eq!(
        sandbox.thulium().customer_count(),
        contacts,
        "no duplicates"
    );
    receiver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_a_thousand_id_less_webhooks_is_all_answered_and_gathered() {
    const BURST: usize = 1000;
    let gather = Duration::from_millis(200);
    let receiver = start(DEFAULT_QUEUE, gather, 64 * 1024).await;
    let url = format!("{}{}", receiver.base, main_path());
    let http = reqwest::Client::new();
    let started = Instant::now();
    let answers = futures::future::join_all((0..BURST).map(|_| {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let sent = Instant::now();
            let status = http.post(&url).send().await.map(|r| r.status().as_u16());
            (status, sent.elapsed())
        }
    }))
    .await;
    let burst_took = started.elapsed();
    let mut latencies: Vec<Duration> = answers.iter().map(|(_, took)| *took).collect();
    latencies.sort_unstable();
    let failed: Vec<String> = answers
        .iter()
        .filter_map(|(status, _)| match status {
            Ok(202 | 503) => None,
            Ok(other) => Some(format!("status {other}")),
            Err(error) => Some(format!("{error:?}")),
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} not answered: {:?}",
        failed.len(),
        &failed[..failed.len().min(5)]
    );
    let accepted = answers.iter().filter(|(s, _)| matches!(s, Ok(202))).count();
    eprintln!(
        "burst of {BURST}: {accepted} accepted in {} ms; p50 {} ms, p99 {} ms",
        burst_took.as_millis(),
        latencies[BURST / 2].as_millis(),
        latencies[BURST * 99 / 100].as_millis()
    );
    assert_eq!(accepted, BURST, "the queue holds a burst this size");
    let deliveries = receiver.stop().await;
    for (integration, triggers) in &deliveries {
        assert_eq!(integration, "main");
        assert_eq!(
            triggers.len(),
            1,
            "identical id-less triggers gather into one"
        );
        assert!(triggers[0].names_nothing());
    }
    // One pass per gathering window: never more windows than the burst lasted, plus the
    // one open when it ended.
    let windows = (burst_took.as_millis() / gather.as_millis()) as usize + 2;
    assert!(
        !deliveries.is_empty() && deliveries.len() <= windows,
        "{} passes for a {} ms burst",
        deliveries.len(),
        burst_took.as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_the_cap_holds_the_rest_in_line() {
    let options = ServeOptions {
        max_connections: 50,
        header_timeout: Duration::from_millis(300),
        ..ServeOptions::default()
    };
    let listener = bind("127.0.0.1:0".parse().unwrap(), &options).unwrap();
    let address = listener.local_addr().unwrap();
    let (queue, mut taken) = mpsc::channel(64);
    let router = receiver_router(
        common::targets(),
        queue,
        ReceiverOptions {
            body_timeout: Duration::from_millis(300),
            ..ReceiverOptions::default()
        },
    );
    let server = tokio::spawn(examples::serve::serve(
        listener,
        router,
        options,
        std::future::pending(),
    ));
    // 200 clients that stop in the middle of their headers, and one in the middle of its body.
    let mut stalled = Vec::new();
    for _ in 0..200 {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let head = format!("POST {} HTTP/1.1\r\nHost: x\r\nContent-Ty", main_path());
        stream.write_all(head.as_bytes()).await.unwrap();
        stalled.push(stream);
    }
    let mut half_body = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nclientId=4",
        main_path()
    );
    half_body.write_all(head.as_bytes()).await.unwrap();

    // A normal webhook still gets through once the stalled ones are cut.
    let started = Instant::now();
    let status = reqwest::Client::new()
        .post(format!("http://{address}/webhooks/iai-shop/main/{TOKEN}"))
        .body("clientId=5")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 202);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // Every stalled client was disconnected (end of stream or reset), none is still open.
    let closed = Instant::now();
    for mut stream in stalled {
        let mut buffer = [0u8; 256];
        let read = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut buffer)).await;
        assert!(read.is_ok(), "a stalled client is still connected");
    }
    assert!(closed.elapsed() < Duration::from_secs(3));
    let mut answer = String::new();
    tokio::time::timeout(
        Duration::from_secs(3),
        half_body.read_to_string(&mut answer),
    )
    .await
    .expect("the half-sent body is cut off")
    .ok();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let accepted = taken.try_recv().unwrap();
    assert_eq!(accepted.trigger.client_id, Some(5));
    assert!(taken.try_recv().is_err(), "nothing else was queued");
    server.abort();
}
