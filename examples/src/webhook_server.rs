//! The webhook receiver of `sync-daemon`: `/webhooks/iai-shop/{integration}/{token}`, by
//! any of the methods the IdoSell panel offers (POST, GET, PUT, DELETE).
//!
//! IdoSell signs nothing, so the secret is the token in the URL, compared in constant time.
//! The panel's webhooks carry whatever the merchant wrote (a form, JSON, XML, GET parameters
//! or nothing at all): [`read_webhook`] takes what ids it finds, and a webhook with none is
//! still a trigger (an incremental pass). A request is answered at once and the sync
//! happens in the background:
//!
//! | request | answer |
//! |---|---|
//! | unknown integration, or one without a token | 404, nothing read |
//! | wrong token | 401, the body is not even read |
//! | disabled integration | 409 with a message |
//! | body over the limit (64 KiB by default) | 413 |
//! | body not complete within the body timeout | 408 |
//! | a path segment that is not UTF-8 once percent-decoded | 400 (axum), nothing read |
//! | a method other than POST, GET, PUT or DELETE | 405 |
//! | queue full or shutting down | 503 (the shop retries) |
//! | otherwise, whatever the body | 202; the trigger goes into a bounded queue |
//!
//! A [worker](run_worker) takes triggers from the queue, lets a short burst gather, drops
//! duplicates and hands each integration's triggers to a [`TriggerSink`] in one call — a
//! burst of id-less webhooks (all alike) becomes one incremental pass.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodFilter;
use axum::routing::on;
use iai_shop_client::webhook::{WebhookRequest, WebhookTrigger, read_webhook};
use secrecy::SecretString;

use crate::token::token_matches;
use serde_json::json;
use tokio::sync::mpsc;

use crate::metrics;

/// The default largest webhook body: IdoSell's events are a few hundred bytes.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;
/// The default capacity of the queue between the receiver and the worker.
pub const DEFAULT_QUEUE: usize = 1024;
/// The default time a client has to send the whole body once its headers are in.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(5);

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

/// The receiver's limits.
#[derive(Debug, Clone, Copy)]
pub struct ReceiverOptions {
    /// The largest body taken ([`DEFAULT_BODY_LIMIT`]).
    pub body_limit: usize,
    /// How long the body may take to arrive ([`DEFAULT_BODY_TIMEOUT`]).
    pub body_timeout: Duration,
}

impl Default for ReceiverOptions {
    fn default() -> Self {
        Self {
            body_limit: DEFAULT_BODY_LIMIT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
        }
    }
}

#[derive(Clone)]
struct ReceiverState {
    targets: Arc<BTreeMap<String, WebhookTarget>>,
    queue: mpsc::Sender<Received>,
    options: ReceiverOptions,
}

/// The receiver's router with the default body timeout and `body_limit`, feeding `queue`.
pub fn webhook_router(
    targets: Vec<WebhookTarget>,
    queue: mpsc::Sender<Received>,
    body_limit: usize,
) -> Router {
    let options = ReceiverOptions {
        body_limit,
        ..ReceiverOptions::default()
    };
    receiver_router(targets, queue, options)
}

/// The receiver's router (the webhook route, every method the panel offers), feeding `queue`.
pub fn receiver_router(
    targets: Vec<WebhookTarget>,
    queue: mpsc::Sender<Received>,
    options: ReceiverOptions,
) -> Router {
    let targets = targets.into_iter().map(|t| (t.name.clone(), t)).collect();
    let state = ReceiverState {
        targets: Arc::new(targets),
        queue,
        options,
    };
    let panel_methods = MethodFilter::POST
        .or(MethodFilter::GET)
        .or(MethodFilter::PUT)
        .or(MethodFilter::DELETE);
    Router::new()
        .route(
            "/webhooks/iai-shop/{integration}/{token}",
            on(panel_methods, receive),
        )
        .with_state(state)
}

async fn receive(
    State(state): State<ReceiverState>,
    method: Method,
    Path((integration, token)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(target) = state.targets.get(&integration) else {
        return refused(StatusCode::NOT_FOUND, "unknown integration");
    };
    let Some(expected) = &target.token else {
        return refused(StatusCode::NOT_FOUND, "unknown integration");
    };
    if !token_matches(&token, expected) {
        return refused(StatusCode::UNAUTHORIZED, "wrong token");
    }
    if !target.enabled {
        return refused(
            StatusCode::CONFLICT,
            "integration disabled: remove this webhook in the shop panel",
        );
    }
    let read = tokio::time::timeout(
        state.options.body_timeout,
        to_bytes(body, state.options.body_limit),
    );
    let bytes = match read.await {
        Err(_) => return refused(StatusCode::REQUEST_TIMEOUT, "body not received in time"),
        Ok(Err(_)) => return refused(StatusCode::PAYLOAD_TOO_LARGE, "body too large"),
        Ok(Ok(bytes)) => bytes,
    };
    let trigger = read_webhook(&WebhookRequest {
        query: query.as_deref(),
        body: &bytes,
    });
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    tracing::debug!(integration, %method, ?content_type, ?trigger, "webhook accepted");
    let outcome = if trigger.names_nothing() {
        "accepted_without_id"
    } else {
        "accepted"
    };
    let queued = state.queue.try_send(Received {
        integration,
        trigger,
    });
    metrics::queue_depth(state.queue.max_capacity() - state.queue.capacity());
    match queued {
        Ok(()) => {
            metrics::webhook(outcome);
            answer(StatusCode::ACCEPTED, "accepted")
        }
        Err(_) => refused(StatusCode::SERVICE_UNAVAILABLE, "busy, try again later"),
    }
}

/// An answer other than 202, counted by its status.
fn refused(status: StatusCode, message: &str) -> Response {
    metrics::webhook(status.as_str());
    answer(status, message)
}

fn answer(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
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
        metrics::queue_depth(queue.len());
        for (integration, triggers) in batch {
            sink.deliver(&integration, triggers).await;
        }
    }
}
