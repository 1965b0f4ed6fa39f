//! Shared helpers of the HTTP tests: a client pointed at a wiremock server, fixtures, and an
//! exact query matcher.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures::TryStreamExt;
use iai_shop_client::{Client, Error, IdoSellClient, RetryPolicy};
use wiremock::matchers::path;
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

/// The API key the tests use (never to be seen in a `Debug` output).
pub const API_KEY: &str = "c2VjcmV0LWxvZ2luOnN1cGVyLXNlY3JldC1wYXNzd29yZA==";

/// A retry policy with short backoff so that retry tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
    }
}

/// A client for the mock server (with a trailing slash, as users paste shop URLs).
pub fn client_for(server: &MockServer) -> IdoSellClient {
    let url = url::Url::parse(&format!("{}/", server.uri())).unwrap();
    IdoSellClient::builder(url)
        .api_key(API_KEY)
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

/// A fixture file's text.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A fixture as JSON.
pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

/// Matches when the request's decoded query pairs are exactly these (order ignored).
pub struct ExactQuery(pub Vec<(String, String)>);

impl ExactQuery {
    pub fn new(pairs: &[(&str, &str)]) -> Self {
        Self(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
}

impl Match for ExactQuery {
    fn matches(&self, request: &Request) -> bool {
        let mut actual: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let mut expected = self.0.clone();
        actual.sort();
        expected.sort();
        actual == expected
    }
}

/// Mounts `response` for every request to `route`, whatever its method.
pub async fn respond(server: &MockServer, route: &str, response: ResponseTemplate) {
    Mock::given(path(route))
        .respond_with(response)
        .mount(server)
        .await;
}

/// A fresh mock server that gives `response` to every request to `route`.
pub async fn server_answering(route: &str, response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    respond(&server, route, response).await;
    server
}

/// The error the first page of the client list meets on `server` (panics if it succeeds).
pub async fn first_clients_page_error(server: &MockServer) -> Error {
    client_for(server)
        .clients()
        .list()
        .page()
        .await
        .unwrap_err()
}

/// Every client the list streams from `server`, `page_size` to a page.
pub async fn stream_clients(server: &MockServer, page_size: u32) -> Result<Vec<Client>, Error> {
    client_for(server)
        .clients()
        .list()
        .page_size(page_size)
        .stream()
        .try_collect()
        .await
}
