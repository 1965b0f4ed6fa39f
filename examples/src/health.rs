//! `GET /health`: which integrations are failing and since when, as JSON, plus what each
//! one's passes asked of the APIs today (the shop's Admin API is metered per month).
//!
//! ```json
//! {"status":"failing","integrations":{"main":{"failing_since":"2026-11-30T04:10:00Z",
//!   "last_error":"...","last_success":"2026-11-30T04:00:00Z","poll_interval_s":600,
//!   "webhooks":true,"requests_today":{"idosell":{"customers_page":12}}}}}
//! ```
//!
//! The answer is 200 either way: the body says what is wrong (a 503 would make a load
//! balancer stop sending the webhooks that would help the daemon catch up).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sync_core::engine::SyncReport;

use crate::metrics::api_and_endpoint;

/// Requests by API, then by endpoint.
pub type RequestCounts = BTreeMap<String, BTreeMap<String, u64>>;

/// One integration's state as `/health` shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IntegrationHealth {
    /// When the passes started failing (the first failure after a success); `None` while fine.
    pub failing_since: Option<DateTime<Utc>>,
    /// The last failure's message, while failing.
    pub last_error: Option<String>,
    /// When a pass last succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// Seconds between the safety-net polls.
    pub poll_interval_s: u64,
    /// Whether webhooks are configured for it.
    pub webhooks: bool,
    /// Requests made today (UTC), by API and endpoint.
    pub requests_today: RequestCounts,
    #[serde(skip)]
    today: Option<NaiveDate>,
}

/// The daemon's health, shared by the passes (which record) and `/health` (which reads).
#[derive(Debug, Default)]
pub struct Health {
    integrations: Mutex<BTreeMap<String, IntegrationHealth>>,
}

impl Health {
    /// Health for these integrations: name, poll interval in seconds, webhooks configured.
    pub fn new(integrations: impl IntoIterator<Item = (String, u64, bool)>) -> Self {
        let map = integrations
            .into_iter()
            .map(|(name, poll_interval_s, webhooks)| {
                let health = IntegrationHealth {
                    poll_interval_s,
                    webhooks,
                    ..IntegrationHealth::default()
                };
                (name, health)
            })
            .collect();
        Self {
            integrations: Mutex::new(map),
        }
    }

    /// Records a pass that finished (`Ok`) or failed (`Err` with its message) at `now`.
    /// Returns yesterday's request counts when this is the first pass of a new day, for
    /// the caller to log.
    pub fn record(
        &self,
        integration: &str,
        outcome: Result<&SyncReport, String>,
        now: DateTime<Utc>,
    ) -> Option<(NaiveDate, RequestCounts)> {
        let mut map = self.integrations.lock().unwrap_or_else(|p| p.into_inner());
        let health = map.entry(integration.to_owned()).or_default();
        let day = now.date_naive();
        let finished_day = match health.today {
            Some(today) if today != day => {
                Some((today, std::mem::take(&mut health.requests_today)))
            }
            _ => None,
        };
        health.today = Some(day);
        match outcome {
            Ok(report) => {
                health.failing_since = None;
                health.last_error = None;
                health.last_success = Some(now);
                for (method, count) in &report.requests {
                    let (api, endpoint) = api_and_endpoint(method);
                    *health
                        .requests_today
                        .entry(api.to_owned())
                        .or_default()
                        .entry(endpoint.to_owned())
                        .or_default() += count;
                }
            }
            Err(message) => {
                health.failing_since.get_or_insert(now);
                health.last_error = Some(message);
            }
        }
        finished_day.filter(|(_, counts)| !counts.is_empty())
    }

    /// A copy of every integration's state.
    pub fn snapshot(&self) -> BTreeMap<String, IntegrationHealth> {
        self.integrations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// `GET /health` over `health`.
pub fn health_router(health: Arc<Health>) -> Router {
    Router::new().route(
        "/health",
        get(move || {
            let integrations = health.snapshot();
            async move {
                let failing = integrations.values().any(|i| i.failing_since.is_some());
                Json(serde_json::json!({
                    "status": if failing { "failing" } else { "ok" },
                    "integrations": integrations,
                }))
            }
        }),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn failing_since_is_the_first_failure_and_a_success_clears_it() {
        let health = Health::new([("main".to_owned(), 600, true)]);
        let at = |s| DateTime::from_timestamp(s, 0).unwrap();
        health.record("main", Err("boom".into()), at(100));
        health.record("main", Err("boom again".into()), at(200));
        let main = &health.snapshot()["main"];
        assert_eq!(main.failing_since, Some(at(100)));
        assert_eq!(main.last_error.as_deref(), Some("boom again"));
        let mut report = SyncReport::default();
        report.requests.insert("shop.customers_page".into(), 2);
        health.record("main", Ok(&report), at(300));
        health.record("main", Ok(&report), at(400));
        let main = &health.snapshot()["main"];
        assert_eq!(
            (main.failing_since, main.last_success),
            (None, Some(at(400)))
        );
        assert_eq!(main.requests_today["idosell"]["customers_page"], 4);
        let next_day = health.record("main", Ok(&report), at(86_400 + 10)).unwrap();
        assert_eq!(next_day.1["idosell"]["customers_page"], 4);
        assert_eq!(
            health.snapshot()["main"].requests_today["idosell"]["customers_page"],
            2
        );
    }
}
