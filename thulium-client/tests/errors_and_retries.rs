//! Error decoding, retry behaviour and secret redaction against wiremock.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::json;
use thulium_client::{CustomerInput, Error, ThuliumClient};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{PASSWORD, client, fixture, respond_once_then, respond_times, surname_only};

#[tokio::test]
async fn two_errors_are_kept_with_their_request_id() {
    let server = MockServer::start().await;
    respond_times(
        &server,
        "PUT",
        "/api/customers/9",
        ResponseTemplate::new(400)
            .set_body_raw(fixture("error_two_errors.json"), "application/json"),
        1,
    )
    .await;

    let error = client(&server)
        .customers()
        .update(9, &CustomerInput::default())
        .await
        .unwrap_err();

    let Error::BadRequest(api) = &error else {
        panic!("expected BadRequest, got {error:?}")
    };
    assert_eq!(api.status, 400);
    assert_eq!(api.request_id.as_deref(), Some("53678450401cf"));
    let details: Vec<_> = api
        .errors
        .iter()
        .map(|e| (e.message.as_str(), e.code))
        .collect();
    assert_eq!(
        details,
        vec![
            ("Wrong format of phone number.", Some(111111)),
            ("Surname is required.", Some(111112))
        ]
    );
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("53678450401cf"));
}

#[tokio::test]
async fn html_502_keeps_status_and_an_excerpt_after_retries() {
    let server = MockServer::start().await;
    respond_times(
        &server,
        "GET",
        "/api/customers/1",
        ResponseTemplate::new(502).set_body_raw(fixture("bad_gateway.html"), "text/html"),
        3,
    )
    .await;

    let error = client(&server).customers().get(1).send().await.unwrap_err();

    assert_eq!(error.status(), Some(502));
    assert!(error.is_retryable());
    let excerpt = error.api().and_then(|a| a.body_excerpt.clone()).unwrap();
    assert!(excerpt.contains("502 Bad Gateway"));
}

#[tokio::test]
async fn status_codes_are_distinguishable() {
    let server = MockServer::start().await;
    for (id, status) in [(1, 401), (2, 403), (3, 404), (4, 410)] {
        Mock::given(method("GET"))
            .and(path(format!("/api/customers/{id}")))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(json!({"request_id": "r", "errors": []})),
            )
            .mount(&server)
            .await;
    }
    let c = client(&server);
    assert!(matches!(
        c.customers().get(1).send().await,
        Err(Error::Unauthorized(_))
    ));
    assert!(matches!(
        c.customers().get(2).send().await,
        Err(Error::Forbidden(_))
    ));
    assert!(matches!(
        c.customers().get(3).send().await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        c.customers().get(4).send().await,
        Err(Error::Gone(_))
    ));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        4,
        "client errors are not retried"
    );
}

#[tokio::test]
async fn a_429_is_retried_once_after_retry_after() {
    let server = MockServer::start().await;
    respond_once_then(
        &server,
        "GET",
        "/api/customers/7",
        ResponseTemplate::new(429).insert_header("Retry-After", "0"),
        ResponseTemplate::new(200).set_body_json(json!({"customer_id": 7})),
    )
    .await;

    let customer = client(&server).customers().get(7).send().await.unwrap();

    assert_eq!(customer.customer_id, 7);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_returned_not_waited() {
    let server = MockServer::start().await;
    respond_times(
        &server,
        "GET",
        "/api/customers/7",
        ResponseTemplate::new(503).insert_header("Retry-After", "3600"),
        1,
    )
    .await;
    let error = client(&server).customers().get(7).send().await.unwrap_err();
    assert_eq!(
        error.retry_after(),
        Some(std::time::Duration::from_secs(3600))
    );
}

#[tokio::test]
async fn create_is_not_retried_on_500() {
    let server = MockServer::start().await;
    respond_times(
        &server,
        "POST",
        "/api/customers",
        ResponseTemplate::new(500),
        1,
    )
    .await;
    let input = surname_only("X");
    let error = client(&server)
        .customers()
        .create(&input)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Server(ref api) if api.status == 500));
}

#[tokio::test]
async fn batch_create_is_not_retried_on_503() {
    let server = MockServer::start().await;
    respond_times(
        &server,
        "POST",
        "/api/batch/customers",
        ResponseTemplate::new(503),
        1,
    )
    .await;
    let input = surname_only("X");
    let error = client(&server)
        .customers()
        .batch_create(&[input])
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
}

#[tokio::test]
async fn batch_create_is_retried_after_a_429_honouring_retry_after() {
    // A 429 is refused before processing: repeating the POST cannot create a duplicate.
    let server = MockServer::start().await;
    respond_once_then(
        &server,
        "POST",
        "/api/batch/customers",
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        ResponseTemplate::new(201).set_body_json(json!([{"status": 201, "customer_id": 41}])),
    )
    .await;
    let input = surname_only("X");
    let started = std::time::Instant::now();
    let outcomes = client(&server)
        .customers()
        .batch_create(&[input])
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        vec![thulium_client::BatchItemOutcome::Created { customer_id: 41 }]
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After was not honoured"
    );
}

#[tokio::test]
async fn create_is_retried_after_a_429() {
    let server = MockServer::start().await;
    respond_once_then(
        &server,
        "POST",
        "/api/customers",
        ResponseTemplate::new(429).insert_header("Retry-After", "0"),
        ResponseTemplate::new(201).set_body_json(json!({"customer_id": 9})),
    )
    .await;
    let id = client(&server)
        .customers()
        .create(&CustomerInput::default())
        .await
        .unwrap();
    assert_eq!(id, 9);
}

#[tokio::test]
async fn create_without_an_id_in_the_answer_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/customers"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    let error = client(&server)
        .customers()
        .create(&CustomerInput::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { status: 201, ref path, .. } if path == "customer_id"));
}

#[tokio::test]
async fn connection_refused_is_a_retryable_transport_error() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let c = ThuliumClient::builder(url)
        .credentials("u", "p")
        .retry_policy(common::fast_retries())
        .build()
        .unwrap();
    let error = c
        .customers()
        .create(&CustomerInput::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: thulium_client::TransportKind::Connect,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[test]
fn secrets_are_absent_from_debug() {
    let url = url::Url::parse("https://acme.thulium.com").unwrap();
    let c = ThuliumClient::builder(url)
        .credentials("api_user", PASSWORD)
        .build()
        .unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains(PASSWORD), "{debug}");
    assert!(debug.contains("<redacted>"));
    let creds =
        thulium_client::Credentials::new("u", secrecy::SecretString::from(PASSWORD.to_owned()));
    let debug = format!("{creds:?}");
    assert!(!debug.contains(PASSWORD) && debug.contains("<redacted>"));
}

#[test]
fn building_without_credentials_or_with_a_bad_url_fails_clearly() {
    let url = url::Url::parse("https://acme.thulium.com").unwrap();
    assert!(matches!(
        ThuliumClient::builder(url).build(),
        Err(Error::Config(_))
    ));
    let ftp = url::Url::parse("ftp://acme.thulium.com").unwrap();
    assert!(matches!(
        ThuliumClient::builder(ftp).credentials("u", "p").build(),
        Err(Error::Config(_))
    ));
}
