//! Webhooks on their way to the daemon holding their integration's lease.
//!
//! A load balancer may hand a webhook to any daemon; that daemon stores it here and answers
//! the shop at once. The holder takes its integration's messages in arrival order with
//! `FOR UPDATE SKIP LOCKED`, so two takers never get the same message and neither waits for
//! the other's transaction.

use deadpool_postgres::Pool;

use super::{db, pooled, reads::get};
use crate::engine::store::StoreError;

/// The webhook inbox table, shared by every daemon on the database.
#[derive(Clone)]
pub struct WebhookInbox {
    pool: Pool,
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

impl WebhookInbox {
    pub(super) fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// Stores a webhook for `integration`.
    pub async fn push(&self, integration: &str, payload: &str) -> Result<(), StoreError> {
        pooled(&self.pool)
            .await?
            .execute(
                "INSERT INTO webhook_inbox (integration, payload) VALUES ($1, $2)",
                &[&integration, &payload],
            )
            .await
            .map_err(db)?;
        Ok(())
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
