//! Webhooks on their way to the daemon holding their integration's lease.
//!
//! A load balancer may hand a webhook to any daemon; that daemon stores it here and answers
//! the shop at once. The holder takes its integration's messages in arrival order with
//! `FOR UPDATE SKIP LOCKED`, so two takers never get the same message and neither waits for
//! the other's transaction.
//!
//! Storing a webhook also sends a PostgreSQL notification on the channel `webhook_inbox` (delivered when the
//! insert commits), with the integration's name as its payload. [`WebhookInbox::arrivals`]
//! listens on one connection of its own, so the holder takes a webhook within milliseconds
//! instead of at its next look; a listener that lost its connection reconnects, and the
//! holder's periodic look covers whatever arrived meanwhile.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use deadpool_postgres::Pool;
use futures::StreamExt;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, NoTls};

use super::{db, pooled, reads::get};
use crate::engine::store::StoreError;

/// The notification channel of stored webhooks (as its table).
const CHANNEL: &str = "webhook_inbox";

/// Arrivals a slow subscriber may fall behind by before it is told it lagged (and looks).
const ARRIVALS_BUFFER: usize = 1024;

/// How long the listener waits before connecting again after losing its connection.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// The webhook inbox table, shared by every daemon on the database.
#[derive(Clone)]
pub struct WebhookInbox {
    pool: Pool,
    config: Arc<tokio_postgres::Config>,
    listener: SharedListener,
}

impl std::fmt::Debug for WebhookInbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookInbox").finish_non_exhaustive()
    }
}

/// One stored webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxMessage {
    /// The integration it was posted for.
    pub integration: String,
    /// What the receiving daemon stored (its own encoding of the triggers).
    pub payload: String,
}

/// The one listener of a store, started by the first [`WebhookInbox::arrivals`].
pub(super) type SharedListener = Arc<OnceLock<Listener>>;

/// The listening task and the channel it announces arrivals on; the task stops when the
/// store and the last inbox are dropped.
pub(super) struct Listener {
    arrivals: broadcast::Sender<String>,
    task: JoinHandle<()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl WebhookInbox {
    pub(super) fn new(
        pool: Pool,
        config: Arc<tokio_postgres::Config>,
        listener: SharedListener,
    ) -> Self {
        Self {
            pool,
            config,
            listener,
        }
    }

    /// Stores a webhook for `integration` and announces it (see the module docs).
    pub async fn push(&self, integration: &str, payload: &str) -> Result<(), StoreError> {
        pooled(&self.pool)
            .await?
            .execute(
                "WITH stored AS (
                     INSERT INTO webhook_inbox (integration, payload) VALUES ($1, $2)
                     RETURNING integration)
                 SELECT pg_notify($3, integration) FROM stored",
                &[&integration, &payload, &CHANNEL],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    /// The names of the integrations webhooks arrive for, from any daemon, as they are
    /// stored (a lagged receiver should take what waits for all its integrations). The first
    /// call starts listening on a connection of its own; later calls share it. Must be
    /// called within a Tokio runtime.
    pub fn arrivals(&self) -> broadcast::Receiver<String> {
        self.listener
            .get_or_init(|| {
                let (arrivals, _) = broadcast::channel(ARRIVALS_BUFFER);
                let task = tokio::spawn(listen(Arc::clone(&self.config), arrivals.clone()));
                Listener { arrivals, task }
            })
            .arrivals
            .subscribe()
    }

    /// Takes (removes and returns) up to `limit` of the oldest webhooks of `integration`, in
    /// arrival order. A taker that dies before handling them loses them; the next polling pass
    /// reads the same changes from the shop, so they are late, not lost.
    pub async fn take(
        &self,
        integration: &str,
        limit: usize,
    ) -> Result<Vec<InboxMessage>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = pooled(&self.pool)
            .await?
            .query(
                "DELETE FROM webhook_inbox WHERE id IN (
                     SELECT id FROM webhook_inbox WHERE integration = $1
                     ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
                 RETURNING id, integration, payload",
                &[&integration, &limit],
            )
            .await
            .map_err(db)?;
        let mut taken = rows
            .iter()
            .map(|row| {
                Ok((
                    get::<i64>(row, 0)?,
                    InboxMessage {
                        integration: get(row, 1)?,
                        payload: get(row, 2)?,
                    },
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        taken.sort_by_key(|(id, _)| *id);
        Ok(taken.into_iter().map(|(_, message)| message).collect())
    }
}

/// Listens on the channel and forwards each payload to `arrivals`, connecting again whenever
/// the connection is lost.
async fn listen(config: Arc<tokio_postgres::Config>, arrivals: broadcast::Sender<String>) {
    loop {
        if let Err(error) = listen_once(&config, &arrivals).await {
            tracing::warn!(%error, "webhook inbox listener disconnected; connecting again");
        }
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

/// One connection's worth of listening: returns when it ends.
async fn listen_once(
    config: &tokio_postgres::Config,
    arrivals: &broadcast::Sender<String>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    // The connection delivers notifications only while polled, and the LISTEN below needs it
    // polled too: both run here side by side.
    let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
    let forward = async {
        while let Some(message) = messages.next().await {
            if let AsyncMessage::Notification(notification) = message? {
                // No subscriber right now is no error: the next look finds the webhook.
                let _ = arrivals.send(notification.payload().to_owned());
            }
        }
        Ok(())
    };
    let subscribe = async {
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        // Looks after the LISTEN took effect find what arrived before it.
        let _ = arrivals.send(String::new());
        std::future::pending::<Result<(), tokio_postgres::Error>>().await
    };
    tokio::select! {
        ended = forward => ended,
        failed = subscribe => failed,
    }
}
