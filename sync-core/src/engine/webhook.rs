//! Webhook triggers: an event names a customer or an order; the engine re-reads it from the
//! shop and syncs that customer through the shared pipeline. The incremental cursors are not
//! moved — a webhook only makes a change arrive sooner; the poller remains the guarantee.
//!
//! A panel webhook need not name anything: its body is whatever the merchant wrote, maybe
//! nothing. A batch holding such a trigger ([`WebhookTrigger::names_nothing`]) runs one
//! incremental pass instead, which finds every change since the last pass — the named ones
//! of the same batch included — at the idle cost of a poll (one customers page and one
//! orders page).
//!
//! Bursts and duplicates coalesce at three levels:
//! 1. [`Engine::handle_triggers`] takes a batch (e.g. all events of a short debounce
//!    interval): their customers are re-read and synced together, each once.
//! 2. An event seen again within [`EngineOptions::webhook_dedup`](super::EngineOptions) (a
//!    redelivery) is dropped without a request (`remember_event` in the store) — but only
//!    if the first delivery's customer synced: a failed run or a failed write forgets the
//!    key, so the redelivery is handled. A real second change within that time is still
//!    caught by the next incremental poll.
//! 3. Anything that slips through is harmless: the customer lock serialises concurrent
//!    handling, and an unchanged customer's fingerprint stops the second write.

use std::collections::{HashMap, HashSet};

use iai_shop_client::webhook::{WebhookEventKind, WebhookTrigger};

use super::engine::{Engine, IDS_PER_REQUEST, Run};
use super::error::SyncError;
use super::ports::ShopPort;
use super::report::{RunKind, SyncReport};

impl Engine {
    /// Handles one webhook event; see [`Engine::handle_triggers`].
    pub async fn handle_trigger(&self, trigger: WebhookTrigger) -> Result<SyncReport, SyncError> {
        self.handle_triggers(vec![trigger]).await
    }

    /// Handles a batch of webhook events: duplicates dropped, the named customers (directly,
    /// or as the clients of the named orders) re-read and synced, each once.
    ///
    /// An event's key is claimed when it arrives (a redelivery during handling is dropped)
    /// but kept only once its customer synced: when the run fails, or the customer's write
    /// failed, the key is forgotten again, so a redelivery is handled rather than dropped.
    ///
    /// A batch with a trigger that names nothing runs [`Engine::incremental_sync`] instead.
    pub async fn handle_triggers(
        &self,
        triggers: Vec<WebhookTrigger>,
    ) -> Result<SyncReport, SyncError> {
        if triggers.iter().any(WebhookTrigger::names_nothing) {
            return self.incremental_sync().await;
        }
        let run = self.begin_run(RunKind::Webhook);
        if !self.config.enabled {
            return Ok(run.finish());
        }
        let name = self.config.name.as_str();
        let now = self.clock.now();
        let forget_before = now
            .checked_sub_signed(self.options.webhook_dedup)
            .unwrap_or(now);
        self.store.prune_events(name, forget_before).await?;
        let mut fresh: Vec<(String, WebhookTrigger)> = Vec::new();
        for trigger in triggers {
            let key = event_key(&trigger);
            if self.store.remember_event(name, &key, now).await? {
                fresh.push((key, trigger));
            } else {
                run.tally(|r| r.events_ignored += 1);
            }
        }
        run.tally(|r| r.events += fresh.len() as u64);
        let named = self.sync_named(&run, &fresh).await;
        let unsynced: Vec<&str> = match &named {
            Err(_) => fresh.iter().map(|(key, _)| key.as_str()).collect(),
            Ok(clients) => {
                let mut failed = HashSet::new();
                run.tally(|r| failed.extend(r.failed.iter().map(|f| f.client_id)));
                fresh
                    .iter()
                    .zip(clients)
                    .filter(|(_, client)| client.is_some_and(|id| failed.contains(&id)))
                    .map(|((key, _), _)| key.as_str())
                    .collect()
            }
        };
        let forgotten = self.forget_events(&unsynced).await;
        named?;
        forgotten?;
        Ok(run.finish())
    }

    /// Re-reads and syncs the customers the triggers name; returns, per trigger, the client
    /// it named (`None` for an order the shop does not know).
    async fn sync_named(
        &self,
        run: &Run,
        fresh: &[(String, WebhookTrigger)],
    ) -> Result<Vec<Option<u64>>, SyncError> {
        let triggers: Vec<&WebhookTrigger> = fresh.iter().map(|(_, trigger)| trigger).collect();
        let named = self.clients_of(run, &triggers).await?;
        let mut seen = HashSet::new();
        let client_ids: Vec<u64> = named
            .iter()
            .flatten()
            .copied()
            .filter(|id| seen.insert(*id))
            .collect();
        self.resync_ids(run, &client_ids).await?;
        Ok(named)
    }

    async fn forget_events(&self, keys: &[&str]) -> Result<(), SyncError> {
        for key in keys {
            self.store.forget_event(&self.config.name, key).await?;
        }
        Ok(())
    }

    /// The customer each trigger names: its client id, or the client of its order (orders
    /// read by id and by serial number, ≤100 per request, each once).
    async fn clients_of(
        &self,
        run: &Run,
        triggers: &[&WebhookTrigger],
    ) -> Result<Vec<Option<u64>>, SyncError> {
        let mut order_ids: Vec<String> = Vec::new();
        let mut serials: Vec<u64> = Vec::new();
        for trigger in triggers {
            match Named::of(trigger) {
                Named::Order(order_id) => order_ids.push(order_id.to_owned()),
                Named::Serial(serial) => serials.push(serial),
                Named::Client(_) | Named::Nothing => {}
            }
        }
        order_ids.sort();
        order_ids.dedup();
        serials.sort_unstable();
        serials.dedup();
        let mut by_order_id: HashMap<String, u64> = HashMap::new();
        for chunk in order_ids.chunks(IDS_PER_REQUEST) {
            let orders = run
                .shop
                .orders_by_ids(chunk)
                .await
                .map_err(SyncError::Shop)?;
            for order in orders {
                if let Some(client_id) = order.client.account.client_id {
                    by_order_id.insert(order.order_id, client_id);
                }
            }
        }
        let mut by_serial: HashMap<u64, u64> = HashMap::new();
        for chunk in serials.chunks(IDS_PER_REQUEST) {
            let orders = run
                .shop
                .orders_by_serial_numbers(chunk)
                .await
                .map_err(SyncError::Shop)?;
            for order in orders {
                if let Some(client_id) = order.client.account.client_id {
                    by_serial.insert(order.serial_number, client_id);
                }
            }
        }
        Ok(triggers
            .iter()
            .map(|trigger| match Named::of(trigger) {
                Named::Client(client_id) => Some(client_id),
                Named::Order(order_id) => by_order_id.get(order_id).copied(),
                Named::Serial(serial) => by_serial.get(&serial).copied(),
                Named::Nothing => None,
            })
            .collect())
    }
}

/// What an event names, by the most direct handle it carries.
enum Named<'a> {
    Client(u64),
    Order(&'a str),
    Serial(u64),
    Nothing,
}

impl<'a> Named<'a> {
    /// An order event may carry the client id too: then the order need not be read.
    fn of(trigger: &'a WebhookTrigger) -> Self {
        match (
            trigger.client_id,
            trigger.order_id.as_deref(),
            trigger.order_serial_number,
        ) {
            (Some(client_id), _, _) => Self::Client(client_id),
            (None, Some(order_id), _) => Self::Order(order_id),
            (None, None, Some(serial)) => Self::Serial(serial),
            (None, None, None) => Self::Nothing,
        }
    }
}

/// The de-duplication key of an event: what happened to which object.
fn event_key(trigger: &WebhookTrigger) -> String {
    let kind = match &trigger.kind {
        WebhookEventKind::ClientCreated => "client_created".to_owned(),
        WebhookEventKind::ClientUpdated => "client_updated".to_owned(),
        WebhookEventKind::OrderCreated => "order_created".to_owned(),
        WebhookEventKind::OrderUpdated => "order_updated".to_owned(),
        WebhookEventKind::OrderStatusChanged => "order_status_changed".to_owned(),
        WebhookEventKind::Other(name) => format!("other:{name}"),
        WebhookEventKind::Unspecified => "unspecified".to_owned(),
    };
    let client = trigger
        .client_id
        .map(|id| id.to_string())
        .unwrap_or_default();
    let order = trigger.order_id.as_deref().unwrap_or_default();
    let serial = trigger
        .order_serial_number
        .map(|s| s.to_string())
        .unwrap_or_default();
    format!("{kind}|c={client}|o={order}|s={serial}")
}
