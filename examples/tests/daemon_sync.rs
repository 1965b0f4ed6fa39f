//! The daemon's parts against the sandbox: a webhook updates the customer in the Thulium
//! simulator, a refused one touches nothing; and `sync-daemon webhook-setup` as a process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::process::{TempDir, assert_exit_ok};
use common::sandbox_clients::assert_untouched;
use examples::daemon::EngineSink;
use examples::demo::{
    DEMO_INTEGRATION, DEMO_WEBHOOK_TOKEN, DemoOptions, settings_for, start_sandbox,
};
use examples::webhook_server::{WebhookTarget, run_worker, webhook_router};
use examples::wiring::Wiring;
use sandbox::idosell::CustomerPatch;
use secrecy::SecretString;
use sync_core::engine::EngineOptions;
use tokio::sync::mpsc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_updates_the_customer_in_thulium_and_a_refused_one_touches_nothing() {
    let sandbox = start_sandbox(DemoOptions {
        customers: 150,
        orders: 450,
        seed: 9,
    })
    .await
    .unwrap();
    let settings = settings_for(&sandbox);
    let wiring = Wiring::connect(&settings, EngineOptions::default())
        .await
        .unwrap();
    let engine = &wiring.integrations[0].engine;
    let report = engine.full_sync(&|_| {}).await.unwrap();
    assert_eq!(report.created, 150);

    let client_id = sandbox.shop().customers()[7].client_id;
    let customer_id = wiring
        .store
        .link(DEMO_INTEGRATION, client_id)
        .await
        .unwrap()
        .unwrap();
    sandbox
        .shop()
        .edit_customer(
            client_id,
            &CustomerPatch {
                last_name: Some("Webhookowa".into()),
                ..CustomerPatch::default()
            },
        )
        .unwrap();

    let (queue, triggers) = mpsc::channel(16);
    let worker = tokio::spawn(run_worker(
        triggers,
        Arc::new(EngineSink::new(&wiring)),
        Duration::ZERO,
    ));
    let targets = vec![WebhookTarget {
        name: DEMO_INTEGRATION.into(),
        enabled: true,
        token: Some(SecretString::from(DEMO_WEBHOOK_TOKEN)),
    }];
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!(
        "http://{}/webhooks/iai-shop/{DEMO_INTEGRATION}",
        listener.local_addr().unwrap()
    );
    let server = tokio::spawn(async move {
        axum::serve(listener, webhook_router(targets, queue, 64 * 1024))
            .await
            .unwrap();
    });
    let http = reqwest::Client::new();
    let body = format!(r#"{{"event":"clientUpdated","clientId":{client_id}}}"#);
    sandbox.shop().counters().reset();
    sandbox.thulium().counters().reset();

    let refused = http
        .post(format!("{base}/not-the-token"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_untouched(&sandbox);
    assert_ne!(
        sandbox
            .thulium()
            .customer(customer_id)
            .unwrap()
            .surname
            .as_deref(),
        Some("Webhookowa")
    );

    let accepted = http
        .post(format!("{base}/{DEMO_WEBHOOK_TOKEN}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    let mut surname = None;
    for _ in 0..100 {
        surname = sandbox.thulium().customer(customer_id).unwrap().surname;
        if surname.as_deref() == Some("Webhookowa") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(surname.as_deref(), Some("Webhookowa"));
    assert!(
        sandbox.shop().counters().total() >= 1,
        "the customer was re-read from the shop"
    );
    assert_eq!(
        sandbox.thulium().customer_count(),
        150,
        "updated, not created"
    );
    server.abort();
    let _ = server.await;
    tokio::time::timeout(Duration::from_secs(5), worker)
        .await
        .unwrap()
        .unwrap();
}

#[test]
fn webhook_setup_names_the_panel_events_what_to_enter_and_what_to_delete() {
    let dir = TempDir::new("daemon-setup");
    let config = dir.path().join("sync.toml");
    std::fs::write(
        &config,
        r#"
        [thulium]
        url = "https://acme.thulium.com"
        user = "api"
        password = "pw"
        [[integration]]
        name = "main"
        shop = { url = "https://client1.idosell.com", api_key = "k1" }
        webhook = { token = "Tok3n-main" }
        [[integration]]
        name = "outlet"
        enabled = false
        fields = { shop_id = "Outlet ID", last_order_date = "Outlet last order" }
        shop = { url = "https://client2.idosell.com", api_key = "k2" }
        webhook = { token = "Tok3n-outlet" }
        "#,
    )
    .unwrap();
    let kept = dir.path().join("webhooks.txt");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sync-daemon"))
        .args([
            "webhook-setup",
            "--public-url",
            "https://sync.example.pl",
            "--config",
        ])
        .arg(&config)
        .arg("--output")
        .arg(&kept)
        .output()
        .unwrap();
    assert_exit_ok(&output);
    let text = String::from_utf8_lossy(&output.stdout);
    // The panel's own event names, in English and Polish, each on its own line.
    for (english, polish) in [
        ("Account created", "Założenie konta"),
        ("Account edited", "Edycja konta"),
        ("Order placed", "Złożenie zamówienia"),
        ("Order edited", "Edycja zamówienia"),
        ("Order status changed to \"packed\"", "spakowane"),
        ("Order confirmed", "Potwierdzenie zamówienia"),
        ("Order dispatched", "Wysłanie zamówienia"),
        ("Order cancelled", "Anulowanie zamówienia"),
        ("Marketplace order status changed", "marketplace"),
    ] {
        assert!(
            text.lines()
                .any(|line| line.contains(english) && line.contains(polish)),
            "{english} missing:\n{text}"
        );
    }
    // What to enter: URL, method, content type, a minimal body, and that empty works.
    assert!(text.contains("URL:     https://sync.example.pl/webhooks/iai-shop/main/Tok3n-main"));
    assert!(text.contains("Method:        POST"), "{text}");
    assert!(text.contains("application/x-www-form-urlencoded"), "{text}");
    assert!(
        text.contains("clientId=") && text.contains("EMPTY body also works"),
        "{text}"
    );
    assert!(
        text.contains("delete every webhook whose URL contains\n  /webhooks/iai-shop/outlet/"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(&kept).unwrap(),
        text,
        "the file holds the same"
    );
    assert!(
        !text.contains("Tok3n-outlet"),
        "a disabled integration's token is not shown"
    );
    assert!(!text.contains("pw") && !text.contains("k1"));
}
