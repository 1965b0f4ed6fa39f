//! The parts of `sync-daemon` around the engines: the passes of each integration (one at a
//! time per integration, whether a poll or a webhook started it, recorded in the metrics and
//! in `/health`), the webhook sink, and the polling loops. Everything stops on a shutdown
//! signal only between passes: a sync in flight finishes.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use iai_shop_client::webhook::WebhookTrigger;
use sync_core::engine::{Engine, SyncError, SyncReport};
use tokio::sync::{Mutex, watch};

use crate::health::Health;
use crate::metrics;
use crate::settings::IntegrationSettings;
use crate::webhook_server::TriggerSink;
use crate::wiring::Wiring;

/// The safety-net poll of an integration whose webhooks are configured: the original
/// integration's promise is a new customer in Thulium within 10 minutes.
pub const POLL_WITH_WEBHOOKS: Duration = Duration::from_secs(600);
/// The poll of an integration without webhooks: polling is then the only way changes come.
pub const POLL_WITHOUT_WEBHOOKS: Duration = Duration::from_secs(60);
/// Admin API requests of an idle incremental pass: one customers page, one orders page.
pub const IDLE_REQUESTS_PER_PASS: u64 = 2;

/// How often `integration` is polled: its own `poll_interval_secs`, else `--interval`,
/// else [`POLL_WITH_WEBHOOKS`] when it has a webhook token and [`POLL_WITHOUT_WEBHOOKS`]
/// when not.
pub fn poll_interval(integration: &IntegrationSettings, flag: Option<Duration>) -> Duration {
    integration.poll_interval.or(flag).unwrap_or_else(|| {
        if integration.webhook_token.is_some() {
            POLL_WITH_WEBHOOKS
        } else {
            POLL_WITHOUT_WEBHOOKS
        }
    })
}

/// The Admin API requests a month (30 days) of idle polls costs at `interval`: what a
/// metered IdoSell plan pays before any real work.
pub fn idle_requests_per_month(interval: Duration) -> u64 {
    let month = 30 * 24 * 3600;
    IDLE_REQUESTS_PER_PASS * month / interval.as_secs().max(1)
}

/// One integration's engine and the lock that keeps its passes one at a time.
struct Lane {
    engine: Arc<Engine>,
    busy: Mutex<()>,
}

/// Runs the passes of every enabled integration and records each one.
pub struct Passes {
    lanes: BTreeMap<String, Lane>,
    health: Arc<Health>,
}

impl std::fmt::Debug for Passes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passes")
            .field("integrations", &self.lanes.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Passes {
    /// Passes over the enabled integrations of `wiring`, recorded into `health`.
    pub fn new(wiring: &Wiring, health: Arc<Health>) -> Self {
        let lanes = wiring
            .enabled()
            .map(|wired| {
                let lane = Lane {
                    engine: Arc::clone(&wired.engine),
                    busy: Mutex::new(()),
                };
                (wired.config.name.clone(), lane)
            })
            .collect();
        Self { lanes, health }
    }

    /// The health the passes are recorded into.
    pub fn health(&self) -> &Arc<Health> {
        &self.health
    }

    /// One incremental pass of `integration` (after the one in flight, if any).
    pub async fn incremental(&self, integration: &str) {
        self.run(integration, "poll", |engine| async move {
            engine.incremental_sync().await
        })
        .await;
    }

    /// Handles webhook triggers of `integration` (an id-less one: an incremental pass).
    pub async fn webhook(&self, integration: &str, triggers: Vec<WebhookTrigger>) {
        self.run(integration, "webhook", |engine| async move {
            engine.handle_triggers(triggers).await
        })
        .await;
    }

    async fn run<F, Fut>(&self, integration: &str, kind: &'static str, pass: F)
    where
        F: FnOnce(Arc<Engine>) -> Fut,
        Fut: Future<Output = Result<SyncReport, SyncError>>,
    {
        let Some(lane) = self.lanes.get(integration) else {
            tracing::warn!(integration, "no enabled integration of that name");
            return;
        };
        let _one_at_a_time = lane.busy.lock().await;
        let started = Instant::now();
        let result = pass(Arc::clone(&lane.engine)).await;
        let now = chrono::Utc::now();
        metrics::pass(integration, kind, result.as_ref().ok(), started.elapsed());
        let finished_day = match &result {
            Ok(report) => {
                log_report(kind, report);
                self.health.record(integration, Ok(report), now)
            }
            Err(error) => {
                tracing::error!(
                    integration,
                    kind,
                    %error,
                    "sync pass failed; retried at the next poll"
                );
                self.health.record(integration, Err(error.to_string()), now)
            }
        };
        if let Some((day, requests)) = finished_day {
            tracing::info!(integration, %day, ?requests, "API requests made that day");
        }
    }
}

/// Delivers webhook triggers to the passes of their integration.
#[derive(Debug, Clone)]
pub struct EngineSink {
    passes: Arc<Passes>,
}

impl EngineSink {
    /// A sink over the enabled integrations of `wiring`, with a health of its own.
    pub fn new(wiring: &Wiring) -> Self {
        Self::over(Arc::new(Passes::new(wiring, Arc::new(Health::default()))))
    }

    /// A sink over `passes` (shared with the polling loops).
    pub fn over(passes: Arc<Passes>) -> Self {
        Self { passes }
    }
}

impl TriggerSink for EngineSink {
    async fn deliver(&self, integration: &str, triggers: Vec<WebhookTrigger>) {
        self.passes.webhook(integration, triggers).await;
    }
}

/// Polls `integration` every `interval` (the first pass at once) until `shutdown` turns
/// `true`. A pass in flight is finished, never cut.
pub async fn poll(
    passes: Arc<Passes>,
    integration: String,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        passes.incremental(&integration).await;
        if *shutdown.borrow() {
            return;
        }
    }
}

/// One log line per run that wrote something; quiet passes stay at debug level.
fn log_report(kind: &str, report: &SyncReport) {
    let busy = report.created + report.updated > 0 || !report.failed.is_empty();
    if busy {
        tracing::info!(
            kind,
            integration = report.integration,
            created = report.created,
            updated = report.updated,
            unchanged = report.skipped,
            failed = report.failed.len(),
            "sync"
        );
    } else {
        tracing::debug!(kind, integration = report.integration, "nothing to write");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_budget_arithmetic() {
        assert_eq!(idle_requests_per_month(POLL_WITHOUT_WEBHOOKS), 86_400);
        assert_eq!(idle_requests_per_month(POLL_WITH_WEBHOOKS), 8_640);
    }
}
