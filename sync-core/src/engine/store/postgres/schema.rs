//! The PostgreSQL schema and its versioned migrations.
//!
//! Like the SQLite store's, [`MIGRATIONS`] are applied in order, in a transaction together
//! with the version bump. The version lives in `sync_schema` (PostgreSQL has no
//! `user_version`). Several daemons may start at once on a fresh database, so migrating
//! holds a transaction-level advisory lock: the first one migrates, the others wait and then
//! find nothing left to do.

use deadpool_postgres::Client;

use super::db;
use crate::engine::store::StoreError;

/// The key of the advisory lock held while migrating (any constant both sides agree on).
const MIGRATION_LOCK: i64 = 0x01d0_5e11_7401;

/// Schema migrations; `sync_schema.version` is the number applied so far.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: the store's tables, as the SQLite store has them after its own migrations. Every
    // table is keyed by the integration name first; ids are BIGINT (ids above i64::MAX are
    // refused, as in SQLite), times are TIMESTAMP (shop time, no zone; microseconds).
    "CREATE TABLE cursors (
         integration TEXT NOT NULL,
         kind        TEXT NOT NULL,
         at          TIMESTAMP NOT NULL,
         PRIMARY KEY (integration, kind)
     );
     CREATE TABLE checkpoints (
         integration    TEXT PRIMARY KEY,
         started_at     TIMESTAMP NOT NULL,
         next_page      BIGINT NOT NULL,
         page_size      BIGINT NOT NULL,
         customers_done BIGINT NOT NULL
     );
     CREATE TABLE customers (
         integration    TEXT NOT NULL,
         client_id      BIGINT NOT NULL,
         customer_id    BIGINT NOT NULL,
         fingerprint    TEXT,
         contact_values TEXT,
         PRIMARY KEY (integration, client_id),
         UNIQUE (integration, customer_id)
     );
     CREATE TABLE failures (
         integration    TEXT NOT NULL,
         client_id      BIGINT NOT NULL,
         reason         TEXT NOT NULL,
         attempts       BIGINT NOT NULL,
         last_failed_at TIMESTAMP NOT NULL,
         PRIMARY KEY (integration, client_id)
     );
     CREATE TABLE order_items (
         integration   TEXT NOT NULL,
         serial_number BIGINT NOT NULL,
         item_id       BIGINT NOT NULL,
         fingerprint   TEXT,
         PRIMARY KEY (integration, serial_number)
     );
     CREATE TABLE events (
         integration TEXT NOT NULL,
         key         TEXT NOT NULL,
         seen_at     TIMESTAMP NOT NULL,
         PRIMARY KEY (integration, key)
     );
     CREATE INDEX events_by_time ON events (integration, seen_at);
     CREATE TABLE waiting_customers (
         integration TEXT NOT NULL,
         client_id   BIGINT NOT NULL,
         adopts      BIGINT,
         registered  BOOLEAN NOT NULL,
         desired     TEXT NOT NULL,
         fingerprint TEXT NOT NULL,
         contact     TEXT NOT NULL,
         PRIMARY KEY (integration, client_id)
     );",
    // 2: leases (which daemon syncs an integration, until when; database time), the daemons
    // alive (to share the integrations fairly) and the webhooks received by any daemon,
    // waiting for the lease holder to take them.
    "CREATE TABLE daemons (
         holder  TEXT PRIMARY KEY,
         seen_at TIMESTAMPTZ NOT NULL
     );
     CREATE TABLE leases (
         integration TEXT PRIMARY KEY,
         holder      TEXT NOT NULL,
         expires_at  TIMESTAMPTZ NOT NULL
     );
     CREATE TABLE webhook_inbox (
         id          BIGSERIAL PRIMARY KEY,
         integration TEXT NOT NULL,
         payload     TEXT NOT NULL,
         received_at TIMESTAMPTZ NOT NULL DEFAULT now()
     );
     CREATE INDEX webhook_inbox_by_integration ON webhook_inbox (integration, id);",
    // 3: the caller index of the external-CRM lookup.
    super::callers::MIGRATION,
];

/// Migrates the database to the newest schema this build knows.
pub(super) async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let tx = client.transaction().await.map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS sync_schema (version BIGINT NOT NULL);
         INSERT INTO sync_schema (version)
             SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM sync_schema);",
    )
    .await
    .map_err(db)?;
    let found: i64 = tx
        .query_one("SELECT version FROM sync_schema", &[])
        .await
        .map_err(db)?
        .try_get(0)
        .map_err(db)?;
    if found > known {
        return Err(StoreError::NewerSchema { found, known });
    }
    // One transaction for all pending steps: the lock is held until it commits, and a failed
    // step leaves the schema at the version it had.
    for (version, sql) in (1..=known)
        .zip(MIGRATIONS)
        .skip(usize::try_from(found).unwrap_or(0))
    {
        tx.batch_execute(sql).await.map_err(db)?;
        tx.execute("UPDATE sync_schema SET version = $1", &[&version])
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}
