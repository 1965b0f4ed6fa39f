//! Leases: which daemon syncs an integration, for how long.
//!
//! A lease is a row (integration, holder, expiry). The holder renews it well before it
//! expires; a daemon that dies stops renewing, and once the expiry passes any other daemon's
//! next [`Leases::acquire`] takes it over — so an integration is without a daemon for at most
//! the time-to-live plus one acquire interval. Expiry is compared with the database's clock
//! (`now()`), never a daemon's, so skewed machine clocks cannot make two holders.
//!
//! A lease is not a fence: a holder frozen longer than its time-to-live (a stopped VM) may
//! still finish the store write in flight after another daemon took over. Holders therefore
//! stop syncing as soon as a renewal fails, and the engine's writes are idempotent (a
//! re-run of a page finds the links already stored).

use std::time::Duration;

use deadpool_postgres::Pool;

use super::{db, pooled, reads::get};
use crate::engine::store::StoreError;

/// The leases taken and renewed under one holder name (one per daemon process).
#[derive(Clone)]
pub struct Leases {
    pool: Pool,
    holder: String,
    ttl: Duration,
}

impl std::fmt::Debug for Leases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leases")
            .field("holder", &self.holder)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl Leases {
    pub(super) fn new(pool: Pool, holder: &str, ttl: Duration) -> Self {
        Self {
            pool,
            holder: holder.to_owned(),
            ttl,
        }
    }

    /// This daemon's name in the lease table.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// How long a lease lasts after its last renewal.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Takes the lease of `integration` when it is free or expired, or renews it when this
    /// holder has it; `true` when this holder holds it afterwards.
    pub async fn acquire(&self, integration: &str) -> Result<bool, StoreError> {
        let row = pooled(&self.pool)
            .await?
            .query_opt(
                "INSERT INTO leases (integration, holder, expires_at)
                 VALUES ($1, $2, now() + make_interval(secs => $3::float8))
                 ON CONFLICT (integration) DO UPDATE
                     SET holder = excluded.holder, expires_at = excluded.expires_at
                     WHERE leases.holder = excluded.holder OR leases.expires_at <= now()
                 RETURNING holder",
                &[&integration, &self.holder, &self.ttl.as_secs_f64()],
            )
            .await
            .map_err(db)?;
        Ok(row.is_some())
    }

    /// Gives the lease of `integration` up (when this holder has it), so that another daemon
    /// takes it at once instead of after the expiry — on a clean shutdown.
    pub async fn release(&self, integration: &str) -> Result<(), StoreError> {
        pooled(&self.pool)
            .await?
            .execute(
                "DELETE FROM leases WHERE integration = $1 AND holder = $2",
                &[&integration, &self.holder],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Says this daemon is alive and counts the daemons that said so within the lease
    /// time-to-live (this one included), so that each can aim at its fair share of the
    /// integrations. Daemons silent for ten lifetimes are forgotten.
    pub async fn heartbeat(&self) -> Result<usize, StoreError> {
        let client = pooled(&self.pool).await?;
        let ttl = self.ttl.as_secs_f64();
        client
            .execute(
                "INSERT INTO daemons (holder, seen_at) VALUES ($1, now())
                 ON CONFLICT (holder) DO UPDATE SET seen_at = excluded.seen_at",
                &[&self.holder],
            )
            .await
            .map_err(db)?;
        client
            .execute(
                "DELETE FROM daemons WHERE seen_at < now() - make_interval(secs => $1::float8 * 10)",
                &[&ttl],
            )
            .await
            .map_err(db)?;
        let live: i64 = get(
            &client
                .query_one(
                    "SELECT count(*) FROM daemons WHERE seen_at > now() - make_interval(secs => $1)",
                    &[&ttl],
                )
                .await
                .map_err(db)?,
            0,
        )?;
        Ok(usize::try_from(live).unwrap_or(1).max(1))
    }

    /// Takes this daemon off the list of live ones (on a clean shutdown).
    pub async fn leave(&self) -> Result<(), StoreError> {
        pooled(&self.pool)
            .await?
            .execute("DELETE FROM daemons WHERE holder = $1", &[&self.holder])
            .await
            .map_err(db)?;
        Ok(())
    }

    /// The holder of an unexpired lease of `integration`, if any.
    pub async fn holder_of(&self, integration: &str) -> Result<Option<String>, StoreError> {
        let row = pooled(&self.pool)
            .await?
            .query_opt(
                "SELECT holder FROM leases WHERE integration = $1 AND expires_at > now()",
                &[&integration],
            )
            .await
            .map_err(db)?;
        row.map(|row| get(&row, 0)).transpose()
    }
}
