//! Webhook triggers: an event names a customer or an order; the engine re-reads it from the
//! shop and syncs that customer through the shared pipeline. The incremental cursors are not
//! moved — a webhook only makes a change arrive sooner; the poller remains the guarantee.
//!
//! Bursts and duplicates coalesce at three levels:
//! 1. [`Engine::handle_triggers`] takes a batch (e.g. all events of a short debounce
//!    interval): their customers are re-read and synced together, each once.
//! 2. An event seen again within [`EngineOptions::webhook_dedup`](super::EngineOptions) (a
//!    redelivery) is dropped without a request (`remember_event` in the store). A real second
//!    change within that time is still caught by the next incremental poll.
//! 3. Anything that slips through is harmless: the customer lock serialises concurrent
//!    handling, and an unchanged customer's fingerprint stops the second write.

use std::collections::HashSet;

use iai_shop_client::webhook::{WebhookEventKind, WebhookTrigger};

use super::engine::{Engine, IDS_PER_REQUEST, Run, SyncError};
use super::ports::ShopPort;
use super::report::{RunKind, SyncReport};

impl Engine {
    /// Handles one webhook event; see [`Engine::handle_triggers`].
    pub async fn handle_trigger(&self, trigger: WebhookTrigger) -> Result<SyncReport, SyncError> {
        self.handle_triggers(vec![trigger]).await
    }

    /// Handles a batch of webhook events: duplicates dropped, the named customers (directly,
    /// or as the clients of the named orders) re-read and synced, each once.
    pub async fn handle_triggers(
        &self,
        triggers: Vec<WebhookTrigger>,
    ) -> Result<SyncReport, SyncError> {
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
        let mut fresh = Vec::new();
        for trigger in triggers {
            if self
                .store
                .remember_event(name, &event_key(&trigger), now)
                .await?
            {
                fresh.push(trigger);
            } else {
                run.tally(|r| r.events_ignored += 1);
            }
        }
        run.tally(|r| r.events += fresh.len() as u64);
        let client_ids = self.clients_of(&run, &fresh).await?;
        self.resync_ids(&run, &client_ids).await?;
        Ok(run.finish())
    }

    /// The customers the triggers name: their client ids, and the clients of their orders
    /// (read by id and by serial number, ≤100 per request). Each id once.
    async fn clients_of(
        &self,
        run: &Run,
        triggers: &[WebhookTrigger],
    ) -> Result<Vec<u64>, SyncError> {
        let mut ids: Vec<u64> = Vec::new();
        let mut order_ids: Vec<String> = Vec::new();
        let mut serials: Vec<u64> = Vec::new();
        for trigger in triggers {
            // An order event may carry the client id too: then the order need not be read.
            match (
                trigger.client_id,
                &trigger.order_id,
                trigger.order_serial_number,
            ) {
                (Some(client_id), _, _) => ids.push(client_id),
                (None, Some(order_id), _) => order_ids.push(order_id.clone()),
                (None, None, Some(serial)) => serials.push(serial),
                (None, None, None) => {}
            }
        }
        order_ids.sort();
        order_ids.dedup();
        serials.sort_unstable();
        serials.dedup();
        for chunk in order_ids.chunks(IDS_PER_REQUEST) {
            let orders = run
                .shop
                .orders_by_ids(chunk)
                .await
                .map_err(SyncError::Shop)?;
            ids.extend(orders.iter().filter_map(|o| o.client.account.client_id));
        }
        for chunk in serials.chunks(IDS_PER_REQUEST) {
            let orders = run
                .shop
                .orders_by_serial_numbers(chunk)
                .await
                .map_err(SyncError::Shop)?;
            ids.extend(orders.iter().filter_map(|o| o.client.account.client_id));
        }
        let mut seen = HashSet::new();
        ids.retain(|id| seen.insert(*id));
        Ok(ids)
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
