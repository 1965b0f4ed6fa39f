//! The parts of `sync-daemon`: the webhook receiver wired to the engines, and the polling
//! loop. Both stop on a shutdown signal only between customers: a sync in flight finishes.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use iai_shop_client::webhook::WebhookTrigger;
use sync_core::engine::{Engine, SyncReport};
use tokio::sync::watch;

use crate::webhook_server::TriggerSink;
use crate::wiring::Wiring;

/// Delivers webhook triggers to the engine of their integration.
#[derive(Debug, Clone)]
pub struct EngineSink {
    engines: BTreeMap<String, Arc<Engine>>,
}

impl EngineSink {
    /// A sink over the enabled integrations of `wiring`.
    pub fn new(wiring: &Wiring) -> Self {
        let engines = wiring
            .enabled()
            .map(|wired| (wired.config.name.clone(), Arc::clone(&wired.engine)))
            .collect();
        Self { engines }
    }
}

impl TriggerSink for EngineSink {
    async fn deliver(&self, integration: &str, triggers: Vec<WebhookTrigger>) {
        let Some(engine) = self.engines.get(integration) else {
            tracing::warn!(integration, "webhook for an integration without an engine");
            return;
        };
        match engine.handle_triggers(triggers).await {
            Ok(report) => log_report("webhook", &report),
            Err(error) => tracing::error!(integration, %error, "webhook sync failed"),
        }
    }
}

/// Runs an incremental pass of every enabled integration each `interval`, until `shutdown`
/// turns `true`. A pass in flight is finished, never cut.
pub async fn poll(wiring: Arc<Wiring>, interval: Duration, mut shutdown: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        for wired in wiring.enabled() {
            match wired.engine.incremental_sync().await {
                Ok(report) => log_report("poll", &report),
                Err(error) => tracing::error!(
                    integration = wired.config.name,
                    %error,
                    "incremental sync failed; retried at the next interval"
                ),
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }
}

/// One log line per run that wrote something or failed; quiet polls stay at debug level.
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
