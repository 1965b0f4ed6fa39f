//! Several daemons on one PostgreSQL state database (`state = "postgres://..."`).
//!
//! Each integration is synced by one daemon at a time: the one holding its lease (see
//! [`Leases`]). Every daemon tries to take or renew the lease of every enabled integration a
//! few times per lease lifetime; for each lease it holds it runs the integration's syncing
//! (the first full sync, then an incremental pass every interval), and it stops that syncing
//! as soon as a renewal fails. When a daemon dies its leases expire and the others take them
//! over within the lifetime plus one renewal period; the engine resumes an interrupted full
//! sync from its checkpoint, so nothing is written twice.
//!
//! Webhooks may reach any daemon (a load balancer picks one): the receiver stores them in the
//! database's [`WebhookInbox`], which announces each one (PostgreSQL `LISTEN`/`NOTIFY`), and
//! the lease holder takes its integration's webhooks as soon as they are announced, or at its
//! next look every `inbox_poll` (for what arrived while the listener was reconnecting).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use iai_shop_client::webhook::{WebhookEventKind, WebhookRequest, WebhookTrigger, read_webhook};
use serde_json::{Map, Value, json};
use sync_core::engine::Engine;
use sync_core::engine::store::{CursorKind, Leases, PostgresStore, StateStore, WebhookInbox};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::daemon::{EngineSink, Passes};
use crate::webhook_server::TriggerSink;
use crate::wiring::Wiring;

/// How long a lease lasts without renewal: how long an integration may go without a daemon
/// after its holder died.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(30);

/// How often a holder looks for webhooks other daemons received without being told (they
/// are announced as they arrive; this only covers a listener that was reconnecting).
pub const DEFAULT_INBOX_POLL: Duration = Duration::from_secs(15);

/// The poll interval of an integration [`FleetOptions::intervals`] does not list.
pub const DEFAULT_FLEET_INTERVAL: Duration = Duration::from_secs(60);

/// Webhooks taken from the inbox per look.
const INBOX_BATCH: usize = 500;

/// How a daemon shares the work with the others.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// This daemon's name in the lease table (unique per process).
    pub holder: String,
    /// See [`DEFAULT_LEASE_TTL`].
    pub lease_ttl: Duration,
    /// Time between incremental passes, per integration (see `daemon::poll_interval`);
    /// one not listed is polled every [`DEFAULT_FLEET_INTERVAL`].
    pub intervals: BTreeMap<String, Duration>,
    /// See [`DEFAULT_INBOX_POLL`].
    pub inbox_poll: Duration,
}

impl FleetOptions {
    /// The defaults, with each integration's passes at its interval, named after the host
    /// and process id.
    pub fn new(intervals: BTreeMap<String, Duration>) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "daemon".to_owned());
        Self {
            holder: format!("{host}-{}", std::process::id()),
            lease_ttl: DEFAULT_LEASE_TTL,
            intervals,
            inbox_poll: DEFAULT_INBOX_POLL,
        }
    }
}

/// The receiver's sink on a shared database: every webhook goes to the inbox, whichever
/// daemon holds its integration.
#[derive(Debug, Clone)]
pub struct InboxSink {
    inbox: WebhookInbox,
}

impl InboxSink {
    /// A sink into `store`'s inbox.
    pub fn new(store: &PostgresStore) -> Self {
        Self {
            inbox: store.inbox(),
        }
    }
}

impl TriggerSink for InboxSink {
    async fn deliver(&self, integration: &str, triggers: Vec<WebhookTrigger>) {
        for trigger in &triggers {
            if let Err(error) = self.inbox.push(integration, &encode(trigger)).await {
                // The shop got 202 already; the next polling pass reads the change anyway.
                tracing::error!(integration, %error, "cannot store a webhook for its holder");
            }
        }
    }
}

/// A held integration: its syncing task, whether a pass is running, and the switch that
/// stops it between passes.
struct Held {
    stop: watch::Sender<bool>,
    busy: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

/// Takes and renews leases and syncs the held integrations until `shutdown` turns `true`;
/// then lets the syncs in flight finish (still renewing their leases) and gives the leases
/// back so that another daemon takes over at once.
///
/// A daemon takes at most its fair share of the enabled integrations (their number divided
/// by the daemons alive, rounded up), and gives one back per round, between passes, while
/// it holds more — so a daemon that joins gets work without anyone's sync being cut. The
/// first round waits one renewal period, so that daemons started together see each other.
pub async fn run(
    wiring: Arc<Wiring>,
    passes: Arc<Passes>,
    shared: PostgresStore,
    options: FleetOptions,
    mut shutdown: watch::Receiver<bool>,
) {
    let leases = shared.leases(&options.holder, options.lease_ttl);
    let sink = Arc::new(EngineSink::over(Arc::clone(&passes)));
    let mut held: HashMap<String, Held> = HashMap::new();
    let period = options.lease_ttl / 3;
    live_daemons(&leases).await;
    let mut ticker = tokio::time::interval_at(Instant::now() + period, period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let enabled: Vec<&crate::wiring::Wired> = wiring.enabled().collect();
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.wait_for(|stop| *stop) => break,
        }
        let fair = enabled.len().div_ceil(live_daemons(&leases).await);
        for wired in &enabled {
            let name = wired.config.name.as_str();
            let holding = held.values().filter(|h| !h.task.is_finished()).count();
            let running = held.get(name).is_some_and(|h| !h.task.is_finished());
            if !running && holding >= fair {
                continue;
            }
            let holds = renew(&leases, name).await;
            if holds && !running {
                tracing::info!(integration = name, holder = leases.holder(), "lease taken");
                let worker = Worker {
                    name: name.to_owned(),
                    engine: Arc::clone(&wired.engine),
                    store: Arc::clone(&wiring.store),
                    inbox: shared.inbox(),
                    sink: Arc::clone(&sink),
                    passes: Arc::clone(&passes),
                    interval: options
                        .intervals
                        .get(name)
                        .copied()
                        .unwrap_or(DEFAULT_FLEET_INTERVAL),
                    inbox_poll: options.inbox_poll,
                };
                let (stop, stopped) = watch::channel(false);
                let busy = Arc::new(AtomicBool::new(false));
                let task = tokio::spawn(worker.run(Arc::clone(&busy), stopped));
                held.insert(name.to_owned(), Held { stop, busy, task });
            } else if !holds && let Some(lost) = held.remove(name) {
                tracing::warn!(integration = name, "lease lost; its sync is stopped");
                lost.task.abort();
            }
        }
        if held.len() > fair {
            give_one_back(&leases, &mut held).await;
        }
    }
    hand_back(&leases, held).await;
    if let Err(error) = leases.leave().await {
        tracing::warn!(%error, "cannot leave the list of live daemons");
    }
}

/// How many daemons are alive (at least this one, also when the database does not answer).
async fn live_daemons(leases: &Leases) -> usize {
    leases.heartbeat().await.unwrap_or_else(|error| {
        tracing::warn!(%error, "cannot count the live daemons");
        1
    })
}

/// Releases one integration whose worker is between passes, for a daemon with less work.
async fn give_one_back(leases: &Leases, held: &mut HashMap<String, Held>) {
    let Some(name) = held
        .iter()
        .find(|(_, h)| !h.busy.load(Ordering::SeqCst))
        .map(|(name, _)| name.clone())
    else {
        return;
    };
    let Some(idle) = held.remove(&name) else {
        return;
    };
    let _ = idle.stop.send(true);
    // A pass that started meanwhile is cut rather than left running unrenewed (the engine
    // resumes a cut pass as after a crash).
    let mut task = idle.task;
    if tokio::time::timeout(leases.ttl() / 3, &mut task)
        .await
        .is_err()
    {
        task.abort();
    }
    match leases.release(&name).await {
        Ok(()) => tracing::info!(integration = name, "lease given back to share the work"),
        Err(error) => tracing::warn!(integration = name, %error, "cannot release the lease"),
    }
}

/// Returns when a webhook for `name` was announced (or may have been: the listener
/// reconnected, or this receiver fell behind); never when the listener is gone, so that the
/// periodic look takes over.
async fn arrival_for(name: &str, arrivals: &mut broadcast::Receiver<String>) {
    loop {
        match arrivals.recv().await {
            Ok(announced) if announced == name || announced.is_empty() => return,
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(_)) => return,
            Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
        }
    }
}

/// Renews (or takes) a lease; an error counts as not holding it.
async fn renew(leases: &Leases, integration: &str) -> bool {
    match leases.acquire(integration).await {
        Ok(holds) => holds,
        Err(error) => {
            tracing::warn!(integration, %error, "cannot renew the lease");
            false
        }
    }
}

/// Stops the held integrations after their sync in flight, renewing their leases meanwhile,
/// and releases the leases.
async fn hand_back(leases: &Leases, held: HashMap<String, Held>) {
    for h in held.values() {
        let _ = h.stop.send(true);
    }
    while held.values().any(|h| !h.task.is_finished()) {
        for name in held.keys() {
            renew(leases, name).await;
        }
        tokio::time::sleep(leases.ttl() / 6).await;
    }
    for name in held.keys() {
        if let Err(error) = leases.release(name).await {
            tracing::warn!(integration = name, %error, "cannot release the lease");
        }
    }
}

/// The syncing of one held integration.
struct Worker {
    name: String,
    engine: Arc<Engine>,
    store: Arc<dyn StateStore>,
    inbox: WebhookInbox,
    sink: Arc<EngineSink>,
    passes: Arc<Passes>,
    interval: Duration,
    inbox_poll: Duration,
}

impl Worker {
    /// A pass at once (a full sync while none ever finished), then one every interval; between
    /// passes, the webhooks from the inbox. Returns when `stop` turns `true`.
    async fn run(self, busy: Arc<AtomicBool>, mut stop: watch::Receiver<bool>) {
        let mut arrivals = self.inbox.arrivals();
        let mut next_pass = Instant::now();
        loop {
            if Instant::now() >= next_pass {
                busy.store(true, Ordering::SeqCst);
                self.pass().await;
                busy.store(false, Ordering::SeqCst);
                next_pass = Instant::now() + self.interval;
            }
            if *stop.borrow() {
                return;
            }
            self.deliver_webhooks(&busy).await;
            let wake = next_pass.min(Instant::now() + self.inbox_poll);
            tokio::select! {
                _ = tokio::time::sleep_until(wake) => {}
                () = arrival_for(&self.name, &mut arrivals) => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
        }
    }

    async fn pass(&self) {
        let name = self.name.as_str();
        let first = match self.store.cursor(name, CursorKind::Customers).await {
            Ok(cursor) => cursor.is_none(),
            Err(error) => {
                tracing::error!(integration = name, %error, "state store unavailable");
                return;
            }
        };
        if !first {
            // Polls go through the daemon's passes: one at a time, into /metrics and /health.
            self.passes.incremental(name).await;
            return;
        }
        tracing::info!(integration = name, "first run: full sync");
        match self.engine.full_sync(&|_| {}).await {
            Ok(report) => tracing::info!(
                kind = "full",
                integration = name,
                created = report.created,
                updated = report.updated,
                unchanged = report.skipped,
                failed = report.failed.len(),
                "pass done"
            ),
            Err(error) => tracing::error!(
                kind = "full",
                integration = name,
                %error,
                "full sync failed; resumed at the next interval"
            ),
        }
    }

    async fn deliver_webhooks(&self, busy: &AtomicBool) {
        let messages = match self.inbox.take(&self.name, INBOX_BATCH).await {
            Ok(messages) => messages,
            Err(error) => {
                tracing::warn!(integration = self.name, %error, "cannot read the webhook inbox");
                return;
            }
        };
        let mut triggers: Vec<WebhookTrigger> = Vec::new();
        for message in messages {
            // An id-less entry reads back as a trigger that names nothing: an incremental pass.
            let trigger = read_webhook(&WebhookRequest {
                body: message.payload.as_bytes(),
                ..WebhookRequest::default()
            });
            if !triggers.contains(&trigger) {
                triggers.push(trigger);
            }
        }
        if !triggers.is_empty() {
            busy.store(true, Ordering::SeqCst);
            self.sink.deliver(&self.name, triggers).await;
            busy.store(false, Ordering::SeqCst);
        }
    }
}

/// A trigger as a webhook body that [`read_webhook`] reads back into the same trigger.
fn encode(trigger: &WebhookTrigger) -> String {
    let mut body = Map::new();
    let event = match &trigger.kind {
        WebhookEventKind::ClientCreated => Some("clientCreated"),
        WebhookEventKind::ClientUpdated => Some("clientUpdated"),
        WebhookEventKind::OrderCreated => Some("orderCreated"),
        WebhookEventKind::OrderUpdated => Some("orderUpdated"),
        WebhookEventKind::OrderStatusChanged => Some("orderStatusChanged"),
        WebhookEventKind::Other(name) => Some(name.as_str()),
        WebhookEventKind::Unspecified => None,
    };
    if let Some(event) = event {
        body.insert("event".into(), json!(event));
    }
    if let Some(id) = trigger.client_id {
        body.insert("clientId".into(), json!(id));
    }
    if let Some(id) = &trigger.order_id {
        body.insert("orderId".into(), json!(id));
    }
    if let Some(serial) = trigger.order_serial_number {
        body.insert("orderSerialNumber".into(), json!(serial));
    }
    if let Some(login) = &trigger.client_login {
        body.insert("clientLogin".into(), json!(login));
    }
    if let Some(email) = &trigger.email {
        body.insert("email".into(), json!(email));
    }
    Value::Object(body).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_survive_the_inbox_encoding() {
        let kinds = [
            WebhookEventKind::ClientCreated,
            WebhookEventKind::ClientUpdated,
            WebhookEventKind::OrderCreated,
            WebhookEventKind::OrderUpdated,
            WebhookEventKind::OrderStatusChanged,
            WebhookEventKind::Other("clientDeleted".into()),
            WebhookEventKind::Unspecified,
        ];
        for kind in kinds {
            let trigger = WebhookTrigger {
                kind,
                client_id: Some(42),
                order_id: Some("shop-1-77".into()),
                order_serial_number: Some(77),
                client_login: Some("jan.k".into()),
                email: Some("jan@example.pl".into()),
            };
            assert_eq!(read_back(&trigger), trigger);
        }
    }

    #[test]
    fn an_id_less_trigger_survives_the_inbox_as_one_that_names_nothing() {
        let read = read_back(&WebhookTrigger::anything_changed());
        assert!(read.names_nothing());
        assert_eq!(read, WebhookTrigger::anything_changed());
    }

    fn read_back(trigger: &WebhookTrigger) -> WebhookTrigger {
        let body = encode(trigger);
        read_webhook(&WebhookRequest {
            body: body.as_bytes(),
            ..WebhookRequest::default()
        })
    }
}
