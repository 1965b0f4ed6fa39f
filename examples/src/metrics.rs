//! The daemon's Prometheus metrics, served at `GET /metrics` in the text format.
//!
//! Recorded through the `metrics` facade (so a library can count without knowing the
//! exporter) into `metrics-exporter-prometheus`'s recorder, installed once per process.
//! Before [`install`] every recording is a no-op.
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `sync_requests_total` | `integration`, `api` (`idosell`, `thulium`), `endpoint` | API requests the passes made, by port method |
//! | `http_responses_total` | `api`, `status` (`2xx`…`5xx`, `none`) | HTTP answers the clients received, retries included; `none`: no answer at all |
//! | `http_retries_total` | — | HTTP calls repeated by the clients' retry policy |
//! | `sync_read_retries_total` | `integration` | reads repeated because their answer could not be decoded |
//! | `sync_passes_total` | `integration`, `kind` (`poll`, `webhook`), `outcome` (`ok`, `error`) | passes run |
//! | `sync_pass_duration_seconds` | `integration`, `kind` | how long a pass took (histogram) |
//! | `sync_customers_total` | `integration`, `result` (`created`, `updated`, `adopted`, `failed`) | customers written or failed |
//! | `webhooks_total` | `outcome` (`accepted`, `accepted_without_id`, or the status refused) | webhooks received |
//! | `webhook_queue_depth` | — | triggers waiting for the worker |
//! | `sync_last_success_timestamp_seconds` | `integration` | Unix time of the last successful pass |
//! | `sync_integration_failing` | `integration` | 1 while the last pass failed |

use std::sync::OnceLock;
use std::time::Duration;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sync_core::engine::SyncReport;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder (once; later calls return the same handle).
/// `None` when another recorder was installed first.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(handle) => Some(handle),
            Err(error) => {
                tracing::warn!(%error, "cannot install the metrics recorder");
                None
            }
        })
        .clone()
}

/// `GET /metrics`: the Prometheus text format.
pub fn metrics_router() -> Router {
    let handle = install();
    Router::new().route(
        "/metrics",
        get(move || {
            let text = handle.as_ref().map(PrometheusHandle::render);
            async move {
                (
                    [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
                    text.unwrap_or_default(),
                )
                    .into_response()
            }
        }),
    )
}

/// Records one pass: its outcome and duration, and for a finished one what it wrote and
/// the requests it made.
pub fn pass(integration: &str, kind: &'static str, report: Option<&SyncReport>, took: Duration) {
    let integration = integration.to_owned();
    let outcome = if report.is_some() { "ok" } else { "error" };
    counter!("sync_passes_total", "integration" => integration.clone(), "kind" => kind, "outcome" => outcome)
        .increment(1);
    histogram!("sync_pass_duration_seconds", "integration" => integration.clone(), "kind" => kind)
        .record(took.as_secs_f64());
    gauge!("sync_integration_failing", "integration" => integration.clone())
        .set(if report.is_some() { 0.0 } else { 1.0 });
    let Some(report) = report else { return };
    for (result, count) in [
        ("created", report.created),
        ("updated", report.updated),
        ("adopted", report.adopted),
        ("failed", report.failed.len() as u64),
    ] {
        counter!("sync_customers_total", "integration" => integration.clone(), "result" => result)
            .increment(count);
    }
    for (method, count) in &report.requests {
        let (api, endpoint) = api_and_endpoint(method);
        counter!("sync_requests_total", "integration" => integration.clone(), "api" => api, "endpoint" => endpoint.to_owned())
            .increment(*count);
    }
    counter!("sync_read_retries_total", "integration" => integration.clone())
        .increment(report.read_retries);
    let now = chrono::Utc::now().timestamp() as f64;
    gauge!("sync_last_success_timestamp_seconds", "integration" => integration).set(now);
}

/// The API and endpoint of an engine port method (`shop.customers_page` →
/// `idosell`, `customers_page`).
pub fn api_and_endpoint(method: &str) -> (&'static str, &str) {
    match method.split_once('.') {
        Some(("shop", endpoint)) => ("idosell", endpoint),
        Some(("crm", endpoint)) => ("thulium", endpoint),
        _ => ("other", method),
    }
}

/// Counts one webhook by its outcome.
pub fn webhook(outcome: &str) {
    counter!("webhooks_total", "outcome" => outcome.to_owned()).increment(1);
}

/// Sets how many triggers wait in the queue.
pub fn queue_depth(depth: usize) {
    gauge!("webhook_queue_depth").set(depth as f64);
}
