//! "Applied then failed" faults of `sandbox::faults` over loopback: the handler runs (the
//! write is stored) and the client still gets a 500/503, a hang, a dropped connection or a
//! truncated body; per-route plans; and the same faults on both real simulators.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use sandbox::faults::{Fault, FaultPlan, Faults};
use sandbox::generator::GeneratorConfig;
use sandbox::idosell::routes;
use sandbox::metrics::RequestCounters;
use sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

struct TestServer {
    base: String,
    faults: Faults,
    stored: Arc<AtomicU64>,
}

/// `POST /api/customers` stores a write (counts it) and answers 201 with a body;
/// `PUT /api/customers/{id}` stores a write and answers 204; `GET /api/customers` reads.
async fn start(seed: u64) -> TestServer {
    let stored = Arc::new(AtomicU64::new(0));
    let on_post = stored.clone();
    let on_put = stored.clone();
    let router = Router::new()
        .route(
            "/api/customers",
            get(|| async {
                axum::Json(json!({"count": 1, "result": [{"customer_id": 1, "name": "Jan"}]}))
            })
            .post(move || {
                let id = on_post.fetch_add(1, Ordering::SeqCst) + 1;
                async move {
                    (
                        StatusCode::CREATED,
                        axum::Json(json!({"customer_id": id, "padding": "x".repeat(200)})),
                    )
                }
            }),
        )
        .route(
            "/api/customers/{id}",
            axum::routing::put(move || {
                on_put.fetch_add(1, Ordering::SeqCst);
                async { StatusCode::NO_CONTENT }
            }),
        );
    let faults = Faults::new(seed);
    let base = common::serve(router, &faults, &RequestCounters::default()).await;
    TestServer {
        base,
        faults,
        stored,
    }
}

fn client() -> reqwest::Client {
    common::client(Duration::from_millis(400))
}

/// What the client saw: a full answer, or an error at send or while reading the body.
#[derive(Debug)]
enum Seen {
    Answer(u16, Vec<u8>),
    SendError(reqwest::Error),
    BodyError(u16, reqwest::Error),
}

async fn post(server: &TestServer) -> Seen {
    see(client()
        .post(format!("{}/api/customers", server.base))
        .json(&json!({"surname": "X"})))
    .await
}

async fn see(request: reqwest::RequestBuilder) -> Seen {
    match request.send().await {
        Err(error) => Seen::SendError(error),
        Ok(response) => {
            let status = response.status().as_u16();
            match response.bytes().await {
                Ok(body) => Seen::Answer(status, body.to_vec()),
                Err(error) => Seen::BodyError(status, error),
            }
        }
    }
}

#[tokio::test]
async fn applied_error_stores_the_write_and_answers_500_or_503() {
    let server = start(1).await;
    server
        .faults
        .fail_next("POST /api/customers", 1, Fault::applied(Fault::Status(503)));
    server
        .faults
        .fail_next("POST /api/customers", 1, Fault::applied(Fault::Status(500)));
    let Seen::Answer(first, _) = post(&server).await else {
        panic!("an answer expected")
    };
    let Seen::Answer(second, _) = post(&server).await else {
        panic!("an answer expected")
    };
    assert_eq!((first, second), (503, 500));
    // Both writes were stored although the client saw errors.
    assert_eq!(server.stored.load(Ordering::SeqCst), 2);
    // A plain fault still stores nothing.
    server
        .faults
        .fail_next("POST /api/customers", 1, Fault::Status(503));
    let Seen::Answer(503, _) = post(&server).await else {
        panic!("503 expected")
    };
    assert_eq!(server.stored.load(Ordering::SeqCst), 2);
    let Seen::Answer(201, body) = post(&server).await else {
        panic!("201 expected")
    };
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["customer_id"], 3);
}

#[tokio::test]
async fn applied_hang_stores_the_write_and_times_the_client_out() {
    let server = start(2).await;
    server.faults.fail_next(
        "POST /api/customers",
        1,
        Fault::applied(Fault::Hang(Duration::from_secs(5))),
    );
    let started = Instant::now();
    let seen = post(&server).await;
    let Seen::SendError(error) = seen else {
        panic!("a timeout expected, got {seen:?}")
    };
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(server.stored.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn applied_drop_stores_the_write_and_closes_without_an_answer() {
    let server = start(3).await;
    server
        .faults
        .fail_next("POST /api/customers", 1, Fault::applied(Fault::Drop));
    let seen = post(&server).await;
    assert!(
        matches!(seen, Seen::SendError(_)),
        "no status line expected, got {seen:?}"
    );
    assert_eq!(server.stored.load(Ordering::SeqCst), 1);
    // The server keeps serving afterwards.
    assert!(matches!(post(&server).await, Seen::Answer(201, _)));
    assert_eq!(server.stored.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn truncated_body_declares_more_than_it_sends() {
    let server = start(4).await;
    server
        .faults
        .fail_next("POST /api/customers", 1, Fault::Truncated);
    let response = client()
        .post(format!("{}/api/customers", server.base))
        .json(&json!({"surname": "X"}))
        .send()
        .await
        .unwrap();
    // The handler's own status and the length of its whole body...
    assert_eq!(response.status(), 201);
    let declared = response.content_length().unwrap();
    assert!(declared > 200, "{declared}");
    // ...but the body never completes.
    let error = response.bytes().await.unwrap_err();
    assert!(error.is_body() || error.is_decode(), "{error:?}");
    assert_eq!(server.stored.load(Ordering::SeqCst), 1);

    // The same, chunked: no declared length, and the chunks stop before the end.
    server
        .faults
        .fail_next("POST /api/customers", 1, Fault::TruncatedChunked);
    let response = client()
        .post(format!("{}/api/customers", server.base))
        .json(&json!({"surname": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.content_length(), None);
    assert_eq!(response.headers()["transfer-encoding"], "chunked");
    let error = response.bytes().await.unwrap_err();
    assert!(error.is_body() || error.is_decode(), "{error:?}");
    assert_eq!(server.stored.load(Ordering::SeqCst), 2);

    // A body-less 204 becomes a 200 whose declared body never arrives; the write is stored.
    server.faults.fail_next(
        "PUT /api/customers/{id}",
        1,
        Fault::applied(Fault::Truncated),
    );
    let seen = see(client().put(format!("{}/api/customers/7", server.base))).await;
    let Seen::BodyError(200, error) = seen else {
        panic!("a cut 200 expected, got {seen:?}")
    };
    assert!(error.is_body() || error.is_decode(), "{error:?}");
    assert_eq!(server.stored.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn route_plans_apply_only_to_their_route_and_method() {
    let server = start(5).await;
    server.faults.set_route(
        "POST /api/customers",
        FaultPlan {
            applied_error_rate: 1.0,
            ..FaultPlan::default()
        },
    );
    let http = client();
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let Seen::Answer(status, _) = post(&server).await else {
            panic!("an answer expected")
        };
        statuses.push(status);
    }
    assert!(statuses.iter().all(|s| *s == 500 || *s == 503));
    assert!(statuses.contains(&500) && statuses.contains(&503));
    assert_eq!(server.stored.load(Ordering::SeqCst), 20);
    // GET of the same route follows the (empty) global plan.
    let read = http
        .get(format!("{}/api/customers", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    server.faults.clear_route("POST /api/customers");
    assert!(matches!(post(&server).await, Seen::Answer(201, _)));
}

async fn outcomes_with_applied_plan(seed: u64) -> (Vec<String>, u64) {
    let server = start(seed).await;
    server.faults.set(FaultPlan {
        applied_error_rate: 0.2,
        applied_drop_rate: 0.2,
        truncated_rate: 0.2,
        ..FaultPlan::default()
    });
    let mut outcomes = Vec::new();
    for _ in 0..60 {
        outcomes.push(match post(&server).await {
            Seen::Answer(status, _) => format!("answer {status}"),
            Seen::SendError(_) => "no answer".to_owned(),
            Seen::BodyError(status, _) => format!("cut {status}"),
        });
    }
    (outcomes, server.stored.load(Ordering::SeqCst))
}

#[tokio::test]
async fn applied_plan_is_seeded_and_every_request_is_stored() {
    let (first, stored) = outcomes_with_applied_plan(17).await;
    let (second, _) = outcomes_with_applied_plan(17).await;
    assert_eq!(first, second, "same seed, same faults");
    assert_eq!(stored, 60, "every request reached the handler");
    let count = |what: &str| first.iter().filter(|o| o.as_str() == what).count();
    assert!(count("answer 201") > 10, "{first:?}");
    assert!(count("answer 500") + count("answer 503") > 3, "{first:?}");
    assert!(count("no answer") > 3, "{first:?}");
    assert!(count("cut 201") > 3, "{first:?}");
}

/// Both simulators: a write that failed for the client is in the data all the same.
#[tokio::test]
async fn both_simulators_store_writes_that_failed_for_the_client() {
    let sandbox = Sandbox::start(SandboxConfig::generated(&GeneratorConfig {
        customers: 5,
        orders: 5,
        ..GeneratorConfig::default()
    }))
    .await
    .unwrap();
    let http = client();

    // Thulium: a batch create answered 503 after it was stored.
    sandbox.thulium().faults().fail_next(
        "POST /api/batch/customers",
        1,
        Fault::applied(Fault::Status(503)),
    );
    let response = http
        .post(sandbox.thulium_url.join("api/batch/customers").unwrap())
        .basic_auth(&sandbox.thulium_user, Some(&sandbox.thulium_password))
        .json(&json!({"customers": [{"surname": "Nowak", "email": "n@example.pl"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let stored = sandbox.thulium().snapshot();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].emails, ["n@example.pl"]);

    // Thulium: a single update whose connection dropped after it was stored.
    sandbox
        .thulium()
        .faults()
        .fail_next("PUT /api/customers/{id}", 1, Fault::applied(Fault::Drop));
    let sent = http
        .put(
            sandbox
                .thulium_url
                .join(&format!("api/customers/{}", stored[0].customer_id))
                .unwrap(),
        )
        .basic_auth(&sandbox.thulium_user, Some(&sandbox.thulium_password))
        .json(&json!({"name": "Anna"}))
        .send()
        .await;
    assert!(sent.is_err(), "{sent:?}");
    assert_eq!(
        sandbox
            .thulium()
            .customer(stored[0].customer_id)
            .unwrap()
            .name
            .as_deref(),
        Some("Anna")
    );

    // IdoSell: a customer update that hangs after it was stored.
    let route = format!("PUT {}", routes::CLIENTS);
    sandbox.shop().faults().fail_next(
        &route,
        1,
        Fault::applied(Fault::Hang(Duration::from_secs(5))),
    );
    let sent = http
        .put(
            sandbox
                .shop_url
                .join("api/admin/v6/clients/clients")
                .unwrap(),
        )
        .header("X-API-KEY", &sandbox.shop_api_key)
        .json(&json!({"params": {"clients": [{"clientId": 1, "clientEmail": "nowy@example.pl"}]}}))
        .send()
        .await;
    assert!(sent.unwrap_err().is_timeout());
    assert_eq!(
        sandbox.shop().customer(1).unwrap().email.as_deref(),
        Some("nowy@example.pl")
    );

    // IdoSell: a list answer cut short.
    sandbox
        .shop()
        .faults()
        .fail_next(&format!("GET {}", routes::CLIENTS), 1, Fault::Truncated);
    let response = http
        .get(
            sandbox
                .shop_url
                .join("api/admin/v6/clients/clients")
                .unwrap(),
        )
        .header("X-API-KEY", &sandbox.shop_api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.content_length().unwrap() > 100);
    assert!(response.bytes().await.is_err());
}
