//! Error mapping, retries and verification against a mock shop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{
    API_KEY, client_for, first_clients_page_error, fixture_json, respond, server_answering,
};
use iai_shop_client::{Error, IdoSellClient, MissingScope, VerifyOutcome};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENTS_PATH: &str = "/api/admin/v6/clients/clients";
const ORDERS_PATH: &str = "/api/admin/v6/orders/orders/search";

#[tokio::test]
async fn html_500_keeps_status_and_excerpt_after_retrying() {
    let html = "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>";
    let server = server_answering(
        CLIENTS_PATH,
        ResponseTemplate::new(500).set_body_string(html),
    )
    .await;

    let error = first_clients_page_error(&server).await;

    let Error::Api {
        status,
        body_excerpt,
        fault_code,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(*status, 500);
    assert_eq!(*fault_code, None);
    assert!(body_excerpt.as_deref().unwrap().contains("502 Bad Gateway"));
    assert!(error.is_retryable());
    // fast_retries() allows 3 attempts in all.
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_once_after_the_delay() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(CLIENTS_PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    respond(
        &server,
        CLIENTS_PATH,
        ResponseTemplate::new(200).set_body_json(fixture_json("clients_page0.json")),
    )
    .await;

    let started = Instant::now();
    let page = client_for(&server).clients().list().page().await.unwrap();
    let elapsed = started.elapsed();

    assert_eq!(page.items.len(), 2);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(
        elapsed >= Duration::from_secs(1),
        "retried after {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

#[tokio::test]
async fn x_error_header_and_json_fault_are_kept_and_404_is_not_retried() {
    let response = ResponseTemplate::new(404)
        .insert_header("x-error", "Resource not found")
        .set_body_json(json!({"errors": {"faultCode": 7, "faultString": "No such gate"}}));
    let server = server_answering(CLIENTS_PATH, response).await;

    let error = first_clients_page_error(&server).await;
    let Error::Api {
        status,
        fault_code,
        fault_string,
        x_error,
        body_excerpt,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!((*status, *fault_code), (404, Some(7)));
    assert_eq!(fault_string.as_deref(), Some("No such gate"));
    assert_eq!(x_error.as_deref(), Some("Resource not found"));
    assert_eq!(
        *body_excerpt, None,
        "JSON bodies are decoded, not excerpted"
    );
    assert!(!error.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_207_with_a_blocked_shop_fault_is_an_error() {
    let body = json!({"errors": {"faultCode": 4, "faultString": "Sklep zablokowany"}});
    let server =
        server_answering(CLIENTS_PATH, ResponseTemplate::new(207).set_body_json(body)).await;
    let error = first_clients_page_error(&server).await;
    assert!(
        matches!(
            error,
            Error::Api {
                status: 207,
                fault_code: Some(4),
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn unauthorized_and_forbidden_are_typed() {
    let server = MockServer::start().await;
    respond(
        &server,
        CLIENTS_PATH,
        ResponseTemplate::new(401).insert_header("x-error", "Invalid API key"),
    )
    .await;
    let body =
        json!({"errors": {"faultCode": 403, "faultString": "Access denied. Scope: oms, level: r"}});
    respond(
        &server,
        ORDERS_PATH,
        ResponseTemplate::new(403).set_body_json(body),
    )
    .await;
    let api = client_for(&server);

    let error = api.clients().list().page().await.unwrap_err();
    assert!(
        matches!(&error, Error::Unauthorized { status: 401, message: Some(m) } if m == "Invalid API key"),
        "{error:?}"
    );
    let error = api.orders().search().page().await.unwrap_err();
    let Error::Forbidden { module, level, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        (module.as_deref(), level.as_deref()),
        (Some("oms"), Some("r"))
    );
    assert_eq!(error.status(), Some(403));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        2,
        "no retries for 401/403"
    );
}

#[tokio::test]
async fn a_bad_record_is_rejected_with_its_json_path_and_the_rest_of_the_page_stands() {
    let mut body = fixture_json("clients_page0.json");
    body["results"][1]["clientsLastModificationDate"] = json!("yesterday");
    let server =
        server_answering(CLIENTS_PATH, ResponseTemplate::new(200).set_body_json(body)).await;
    let page = client_for(&server).clients().list().page().await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.rejected.len(), 1);
    assert_eq!(
        page.rejected[0].path,
        "results[1].clientsLastModificationDate"
    );
}

#[tokio::test]
async fn a_bad_envelope_reports_the_json_path() {
    let mut body = fixture_json("clients_page0.json");
    body["resultsNumberAll"] = json!("many");
    let server =
        server_answering(CLIENTS_PATH, ResponseTemplate::new(200).set_body_json(body)).await;
    let error = first_clients_page_error(&server).await;
    let Error::Decode { status, source, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*status, 200);
    assert_eq!(source.path, "resultsNumberAll");
}

#[tokio::test]
async fn verify_reports_ok_bad_key_and_missing_scopes() {
    // Ok: an empty shop answers 207 on both modules.
    let server = MockServer::start().await;
    respond(
        &server,
        CLIENTS_PATH,
        ResponseTemplate::new(207).set_body_json(fixture_json("empty_207.json")),
    )
    .await;
    respond(
        &server,
        ORDERS_PATH,
        ResponseTemplate::new(200).set_body_json(fixture_json("orders_search.json")),
    )
    .await;
    assert_eq!(
        client_for(&server).verify().await.unwrap(),
        VerifyOutcome::Ok
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].url.query().unwrap().contains("resultsLimit=1"));
    let body: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(body["params"]["resultsLimit"], 1);

    // Bad key: one call is enough.
    let server = server_answering(CLIENTS_PATH, ResponseTemplate::new(401)).await;
    let outcome = client_for(&server).verify().await.unwrap();
    assert_eq!(outcome, VerifyOutcome::BadKey { message: None });
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // Missing scopes: both modules refused.
    let server = MockServer::start().await;
    respond(
        &server,
        CLIENTS_PATH,
        ResponseTemplate::new(403).insert_header("x-error", "Scope: crm, level: r"),
    )
    .await;
    respond(
        &server,
        ORDERS_PATH,
        ResponseTemplate::new(403).set_body_string("Forbidden"),
    )
    .await;
    let outcome = client_for(&server).verify().await.unwrap();
    let missing = |m: &str| MissingScope {
        module: m.into(),
        level: "r".into(),
    };
    assert_eq!(
        outcome,
        VerifyOutcome::MissingScopes(vec![missing("crm"), missing("oms")])
    );
}

#[test]
fn debug_output_never_contains_the_key() {
    let url = url::Url::parse("https://client1234.idosell.com").unwrap();
    let api = IdoSellClient::builder(url.clone())
        .api_key(API_KEY)
        .build()
        .unwrap();
    let shown = format!(
        "{api:?} {:?}",
        IdoSellClient::builder(url.clone()).api_key(API_KEY)
    );
    assert!(!shown.contains(API_KEY), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
    let bearer = IdoSellClient::builder(url)
        .bearer_token("secret-jwt")
        .build()
        .unwrap();
    assert!(!format!("{bearer:?}").contains("secret-jwt"));
}
