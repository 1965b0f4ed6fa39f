//! Each fault mode of `sandbox::faults`, seen by a real HTTP client over loopback, plus the
//! request counters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use sandbox::faults::{Fault, FaultPlan, Faults};
use sandbox::metrics::RequestCounters;

struct TestServer {
    base: String,
    faults: Faults,
    counters: RequestCounters,
    handled: Arc<AtomicU64>,
}

/// A two-route server whose handler counts how often it really ran.
async fn start(seed: u64) -> TestServer {
    let handled = Arc::new(AtomicU64::new(0));
    let on_get = handled.clone();
    let on_item = handled.clone();
    let router = Router::new()
        .route(
            "/api/customers",
            get(move || {
                on_get.fetch_add(1, Ordering::SeqCst);
                async { axum::Json(serde_json::json!({"count": 0, "result": []})) }
            }),
        )
        .route(
            "/api/customers/{id}",
            get(move || {
                on_item.fetch_add(1, Ordering::SeqCst);
                async { axum::Json(serde_json::json!({"customer_id": 1})) }
            }),
        );
    let faults = Faults::new(seed);
    let counters = RequestCounters::default();
    let base = common::serve(router, &faults, &counters).await;
    TestServer {
        base,
        faults,
        counters,
        handled,
    }
}

fn client() -> reqwest::Client {
    common::client(Duration::from_millis(500))
}

#[tokio::test]
async fn counters_use_route_templates_and_count_faulted_requests() {
    let server = start(1).await;
    let http = client();
    for id in [1, 2, 3] {
        let response = http
            .get(format!("{}/api/customers/{id}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    server
        .faults
        .fail_next("/api/customers", 1, Fault::Status(500));
    let response = http
        .get(format!("{}/api/customers", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let response = http
        .get(format!("{}/nowhere", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    assert_eq!(server.counters.get("GET", "/api/customers/{id}"), 3);
    assert_eq!(server.counters.get("get", "/api/customers"), 1);
    assert_eq!(server.counters.get("POST", "/api/customers"), 0);
    assert_eq!(server.counters.total(), 5);
    let snapshot = server.counters.snapshot();
    assert_eq!(snapshot.get("GET /nowhere"), Some(&1));
    assert_eq!(snapshot.len(), 3);
    server.counters.reset();
    assert_eq!(server.counters.total(), 0);
    // The injected 500 never reached the handler.
    assert_eq!(server.handled.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn fail_next_fails_exactly_n_requests_in_queue_order() {
    let server = start(2).await;
    let http = client();
    server
        .faults
        .fail_next("/api/customers", 2, Fault::Status(503));
    server
        .faults
        .fail_next("GET /api/customers", 1, Fault::Status(404));
    server
        .faults
        .fail_next("POST /api/customers", 1, Fault::Status(410));
    let url = format!("{}/api/customers", server.base);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(http.get(&url).send().await.unwrap().status().as_u16());
    }
    // Method-specific scripts are consulted before any-method ones.
    assert_eq!(statuses, [404, 503, 503, 200]);
    assert_eq!(server.handled.load(Ordering::SeqCst), 1);
    // Another route is untouched.
    let other = http.get(format!("{url}/5")).send().await.unwrap();
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn rate_limit_carries_retry_after() {
    let server = start(3).await;
    server.faults.fail_next(
        "/api/customers",
        1,
        Fault::RateLimited {
            retry_after_secs: 7,
        },
    );
    let response = client()
        .get(format!("{}/api/customers", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
}

#[tokio::test]
async fn hang_outlasts_the_client_timeout() {
    let server = start(4).await;
    server
        .faults
        .fail_next("/api/customers", 1, Fault::Hang(Duration::from_secs(5)));
    let started = Instant::now();
    let error = client()
        .get(format!("{}/api/customers", server.base))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(server.handled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn dropped_connection_is_a_client_error() {
    let server = start(5).await;
    server.faults.fail_next("/api/customers", 1, Fault::Drop);
    let url = format!("{}/api/customers", server.base);
    let outcome = match client().get(&url).send().await {
        Err(error) => Err(error),
        Ok(response) => response.bytes().await.map(|_| ()),
    };
    let error = outcome.expect_err("a dropped connection must not look like a response");
    assert!(
        error.is_body() || error.is_request() || error.is_decode(),
        "{error:?}"
    );
    assert_eq!(server.handled.load(Ordering::SeqCst), 0);
    // The server keeps serving afterwards.
    assert_eq!(client().get(&url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn malformed_json_is_a_200_that_does_not_parse() {
    let server = start(6).await;
    server
        .faults
        .fail_next("/api/customers", 1, Fault::MalformedJson);
    let response = client()
        .get(format!("{}/api/customers", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body = response.bytes().await.unwrap();
    assert!(!body.is_empty());
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());
}

#[tokio::test]
async fn latency_delays_every_request() {
    let server = start(7).await;
    server.faults.set(FaultPlan {
        latency: Duration::from_millis(60),
        jitter: Duration::from_millis(20),
        ..FaultPlan::default()
    });
    let http = client();
    let started = Instant::now();
    for _ in 0..3 {
        let response = http
            .get(format!("{}/api/customers", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    assert!(started.elapsed() >= Duration::from_millis(180));
    server.faults.clear();
    assert_eq!(server.faults.plan(), FaultPlan::default());
}

async fn statuses_with_error_plan(seed: u64) -> Vec<u16> {
    let server = start(seed).await;
    server.faults.set(FaultPlan {
        error_rate: 0.3,
        ..FaultPlan::default()
    });
    let http = client();
    let mut statuses = Vec::new();
    for _ in 0..200 {
        let response = http
            .get(format!("{}/api/customers", server.base))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(
        server.handled.load(Ordering::SeqCst),
        statuses.iter().filter(|s| **s == 200).count() as u64
    );
    statuses
}

#[tokio::test]
async fn error_rate_is_a_seeded_share_of_500_and_503() {
    let first = statuses_with_error_plan(99).await;
    let second = statuses_with_error_plan(99).await;
    assert_eq!(first, second, "same seed, same faults");
    let count = |code| first.iter().filter(|s| **s == code).count();
    let errors = count(500) + count(503);
    assert_eq!(count(200) + errors, 200, "only 200, 500 and 503 expected");
    assert!(
        (30..=90).contains(&errors),
        "30% of 200 expected, got {errors}"
    );
    assert!(count(500) > 0 && count(503) > 0);
}

#[tokio::test]
async fn random_plan_produces_every_fault_kind() {
    let server = start(11).await;
    server.faults.set(FaultPlan {
        rate_limit_rate: 0.25,
        retry_after_secs: 2,
        malformed_rate: 0.25,
        drop_rate: 0.25,
        ..FaultPlan::default()
    });
    let http = client();
    let (mut limited, mut malformed, mut dropped, mut ok) = (0, 0, 0, 0);
    for _ in 0..80 {
        match http
            .get(format!("{}/api/customers", server.base))
            .send()
            .await
        {
            Err(_) => dropped += 1,
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response.headers().get("retry-after").cloned();
                match response.bytes().await {
                    Err(_) => dropped += 1,
                    Ok(body) if status == 429 => {
                        assert_eq!(retry_after.unwrap(), "2");
                        limited += 1;
                        assert!(!body.is_empty());
                    }
                    Ok(body) if serde_json::from_slice::<serde_json::Value>(&body).is_err() => {
                        malformed += 1
                    }
                    Ok(_) => ok += 1,
                }
            }
        }
    }
    assert!(
        limited > 5 && malformed > 5 && dropped > 5 && ok > 5,
        "{limited} {malformed} {dropped} {ok}"
    );
    assert_eq!(server.handled.load(Ordering::SeqCst), ok);
}
