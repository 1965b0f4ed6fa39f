//! `Sandbox::start` composition and a simple throughput measurement of the shop simulator.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Instant;

use sandbox::generator::GeneratorConfig;
use sandbox::idosell::routes;
use sandbox::{Sandbox, SandboxConfig};

#[tokio::test]
async fn starts_both_simulators_with_credentials() {
    let config = SandboxConfig::generated(&GeneratorConfig {
        customers: 40,
        orders: 90,
        ..Default::default()
    });
    let sandbox = Sandbox::start(config).await.unwrap();
    assert_eq!(sandbox.shop().customer_count(), 40);
    assert_eq!(sandbox.shop().order_count(), 90);
    let http = reqwest::Client::new();
    let shop = http
        .get(
            sandbox
                .shop_url
                .join("api/admin/v6/clients/clients?resultsLimit=1")
                .unwrap(),
        )
        .header("X-API-KEY", &sandbox.shop_api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(shop.status(), 200);
    let thulium = http
        .get(sandbox.thulium_url.join("api/customers").unwrap())
        .basic_auth(&sandbox.thulium_user, Some(&sandbox.thulium_password))
        .send()
        .await
        .unwrap();
    assert_eq!(thulium.status(), 200);
    assert_eq!(sandbox.shop().counters().total(), 1);
    assert_eq!(sandbox.thulium().counters().total(), 1);
    let debug = format!("{sandbox:?}");
    assert!(!debug.contains(&sandbox.thulium_password) && !debug.contains(&sandbox.shop_api_key));
}

/// Prints requests/second of small GETs over loopback; asserts only that all succeeded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measures_small_get_throughput() {
    const REQUESTS: usize = 2000;
    const TASKS: usize = 8;
    let config = SandboxConfig::generated(&GeneratorConfig {
        customers: 5000,
        orders: 15000,
        ..Default::default()
    });
    let sandbox = Sandbox::start(config).await.unwrap();
    let http = reqwest::Client::new();
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let http = http.clone();
            let key = sandbox.shop_api_key.clone();
            let base = sandbox.shop_url.clone();
            tokio::spawn(async move {
                let mut ok = 0;
                for i in 0..REQUESTS / TASKS {
                    let id = 1 + (task * 997 + i * 31) % 5000;
                    let url = base
                        .join(&format!("api/admin/v6/clients/clients?clientsIds={id}"))
                        .unwrap();
                    let response = http
                        .get(url)
                        .header("X-API-KEY", &key)
                        .send()
                        .await
                        .unwrap();
                    if response.status() == 200 && response.bytes().await.is_ok() {
                        ok += 1;
                    }
                }
                ok
            })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        ok += task.await.unwrap();
    }
    let elapsed = started.elapsed();
    assert_eq!(ok, REQUESTS);
    assert_eq!(
        sandbox.shop().counters().get("GET", routes::CLIENTS),
        REQUESTS as u64
    );
    println!(
        "shop simulator: {REQUESTS} GETs with {TASKS} tasks in {elapsed:.2?} = {:.0} requests/second",
        REQUESTS as f64 / elapsed.as_secs_f64()
    );
}
