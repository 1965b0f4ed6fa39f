//! Shared test helpers: a client pointed at one wiremock server, with instant retries.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures::TryStreamExt;
use thulium_client::{Customer, CustomerInput, RetryPolicy, ThuliumClient};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const USER: &str = "api_user";
pub const PASSWORD: &str = "very-secret-pass";

/// A retry policy that keeps tests fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        max_retry_after: Duration::from_secs(2),
    }
}

/// A client for `server`, configured the way a user would (trailing `/api/`).
pub fn client(server: &MockServer) -> ThuliumClient {
    let url = url::Url::parse(&format!("{}/api/", server.uri())).unwrap();
    ThuliumClient::builder(url)
        .credentials(USER, PASSWORD)
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The raw query strings of every request the server received, in order.
pub async fn raw_queries(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.url.query().unwrap_or("").to_owned())
        .collect()
}

/// Mounts `response` for `verb` on `route`, and has the server check it was asked exactly
/// `times` times.
pub async fn respond_times(
    server: &MockServer,
    verb: &str,
    route: &str,
    response: ResponseTemplate,
    times: u64,
) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

/// Mounts a first answer given exactly once (such as a 429), then a final one given exactly
/// once: the pair a single retry should meet.
pub async fn respond_once_then(
    server: &MockServer,
    verb: &str,
    route: &str,
    first: ResponseTemplate,
    then: ResponseTemplate,
) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(first)
        .up_to_n_times(1)
        .expect(1)
        .mount(server)
        .await;
    respond_times(server, verb, route, then, 1).await;
}

/// Every customer the search streams from `server`, `limit` to a page.
pub async fn stream_customers(
    server: &MockServer,
    limit: u32,
) -> thulium_client::Result<Vec<Customer>> {
    client(server)
        .customers()
        .search()
        .page_size(limit)
        .stream()
        .try_collect()
        .await
}

/// A customer to create that has only a surname.
pub fn surname_only(surname: &str) -> CustomerInput {
    CustomerInput {
        surname: Some(surname.into()),
        ..Default::default()
    }
}
