//! Shared test helpers: a client pointed at one wiremock server, with instant retries.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use thulium_client::{RetryPolicy, ThuliumClient};
use wiremock::MockServer;

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
