//! Shared by the fault tests: a router served on loopback behind the fault middleware, and
//! a client with a short timeout.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use axum::Router;
use sandbox::faults::{Faults, instrument};
use sandbox::metrics::RequestCounters;

/// Serves `router` behind `faults` (counting into `counters`) on a free loopback port;
/// returns its base URL.
pub async fn serve(router: Router, faults: &Faults, counters: &RequestCounters) -> String {
    let app = instrument(router, faults.clone(), counters.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// A client that gives up after `timeout`.
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder().timeout(timeout).build().unwrap()
}
