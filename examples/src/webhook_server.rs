//! The webhook receiver of `sync-daemon`: `POST /webhooks/iai-shop/{integration}/{token}`.
//!
//! IdoSell signs nothing (its webhooks carry no signature), so the secret is the token in the URL, compared in
//! constant time. A request is answered at once and the sync happens in the background:
//!
//! | request | answer |
//! |---|---|
//! | unknown integration, or one without a token | 404, nothing read |
//! | wrong token | 401, the body is not even read |
//! | disabled integration | 409 with a message |
//! | body over the limit (64 KiB by default) | 413 |
//! | body naming no client, order or serial number, or not parseable ([`parse_webhook`]) | 400 |
//! | a path segment that is not UTF-8 once percent-decoded | 400 (axum), nothing read |
//! | any method but `POST` | 405 |
//! | queue full or shutting down | 503 (the shop retries) |
//! | otherwise | 202; the trigger goes into a bounded queue |
//!
//! `GET /health` answers 200. A [worker](run_worker) takes triggers from the queue, lets a
//! short burst gather, drops duplicates and hands each integration's triggers to a
//! [`TriggerSink`] in one call.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use iai_shop_client::webhook::{WebhookTrigger, parse_webhook};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use tokio::sync::mpsc;

/// The default largest webhook body: IdoSell's events are a few hundred bytes.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;
/// The default capacity of the queue between the receiver and the worker.
pub const DEFAULT_QUEUE: usize = 1024;

/// One integration as the receiver sees it.
pub struct WebhookTarget {
    /// The integration's name (the `{integration}` of the URL).
    pub name: String,
    /// Whether it runs; a disabled one answers 409.
    pub enabled: bool,
    /// The `{token}` of the URL; without one the integration takes no webhooks (404).
    pub token: Option<SecretString>,
}

impl std::fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookTarget")
            .field("name", &self.name)
            .field("enabled", &self.enabled)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// One accepted webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The integration it came for.
    pub integration: String,
    /// What it asks to re-read.
    pub trigger: WebhookTrigger,
}

#[derive(Clone)]
struct ReceiverState {
    targets: Arc<BTreeMap<String, WebhookTarget>>,
    queue: mpsc::Sender<Received>,
    body_limit: usize,
}

/// The receiver's router (webhook route and `/health`), feeding `queue`.
pub fn webhook_router(
    targets: Vec<WebhookTarget>,
    queue: mpsc::Sender<Received>,
    body_limit: usize,
) -> Router {
    let targets = targets.into_iter().map(|t| (t.name.clone(), t)).collect();
    let state = ReceiverState {
        targets: Arc::new(targets),
        queue,
        body_limit,
    };
    Router::new()
        .route("/webhooks/iai-shop/{integration}/{token}", post(receive))
        .route("/health", get(health))
        .with_state(state)
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn receive(
    State(state): State<ReceiverState>,
    Path((integration, token)): Path<(String, String)>,
    body: Body,
) -> Response {
    let Some(target) = state.targets.get(&integration) else {
        return answer(StatusCode::NOT_FOUND, "unknown integration");
    };
    let Some(expected) = &target.token else {
        return answer(StatusCode::NOT_FOUND, "unknown integration");
    };
    if !tokens_match(token.as_bytes(), expected.expose_secret().as_bytes()) {
        return answer(StatusCode::UNAUTHORIZED, "wrong token");
    }
    if !target.enabled {
        return answer(
            StatusCode::CONFLICT,
            "integration disabled: remove this webhook in the shop panel",
        );
    }
    let Ok(bytes) = to_bytes(body, state.body_limit).await else {
        return answer(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
    };
    let trigger = match parse_webhook(&bytes) {
        Ok(trigger) => trigger,
        Err(error) => return answer(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    tracing::debug!(integration, ?trigger, "webhook accepted");
    match state.queue.try_send(Received {
        integration,
        trigger,
    }) {
        Ok(()) => answer(StatusCode::ACCEPTED, "accepted"),
        Err(_) => answer(StatusCode::SERVICE_UNAVAILABLE, "busy, try again later"),
    }
}

fn answer(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

/// Compares a given token with the expected one in time that depends only on the
/// expected token's length, so response times do not reveal how much of a guess was right.
fn tokens_match(given: &[u8], expected: &[u8]) -> bool {
    let mut difference = given.len() ^ expected.len();
    for (index, byte) in expected.iter().enumerate() {
        let other = given.get(index).copied().unwrap_or(0);
        difference |= usize::from(byte ^ other);
    }
    difference == 0
}

/// Where the worker delivers triggers: typically the engines of the integrations.
pub trait TriggerSink: Send + Sync + 'static {
    /// Syncs what `triggers` (already free of duplicates) point at, for one integration.
    fn deliver(
        &self,
        integration: &str,
        triggers: Vec<WebhookTrigger>,
    ) -> impl Future<Output = ()> + Send;
}

/// Takes triggers from the queue until every sender is gone (the receiver stopped), then
/// returns. After the first trigger of a burst it waits `gather` for more, groups them by
/// integration, drops duplicates, and delivers each group in one call — a burst of events
/// for one customer becomes one sync of that customer.
pub async fn run_worker<S: TriggerSink>(
    mut queue: mpsc::Receiver<Received>,
    sink: Arc<S>,
    gather: Duration,
) {
    while let Some(first) = queue.recv().await {
        if !gather.is_zero() {
            tokio::time::sleep(gather).await;
        }
        let mut batch: BTreeMap<String, Vec<WebhookTrigger>> = BTreeMap::new();
        let mut add = |received: Received| {
            let triggers = batch.entry(received.integration).or_default();
            if !triggers.contains(&received.trigger) {
                triggers.push(received.trigger);
            }
        };
        add(first);
        while let Ok(received) = queue.try_recv() {
            add(received);
        }
        for (integration, triggers) in batch {
            sink.deliver(&integration, triggers).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_only_when_equal() {
        assert!(tokens_match(b"s3cret", b"s3cret"));
        assert!(!tokens_match(b"s3cre", b"s3cret"));
        assert!(!tokens_match(b"s3cretX", b"s3cret"));
        assert!(!tokens_match(b"S3cret", b"s3cret"));
        assert!(!tokens_match(b"", b"s3cret"));
    }
}
