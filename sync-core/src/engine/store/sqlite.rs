//! The embedded [`StateStore`]: one SQLite file (rusqlite, bundled library).
//!
//! Durability choices:
//! - `journal_mode = WAL`: readers never block the writer, and a commit is one append.
//! - `synchronous = FULL`: every commit is fsynced before `apply` returns. The engine commits
//!   once per page of customers (not per customer), so this costs a few fsyncs per thousand
//!   customers, and in exchange a link stored after Thulium acknowledged a create survives
//!   even a power cut (with `NORMAL`, the last commits could roll back after an OS crash).
//! - Every [`StateStore::apply`] is one `IMMEDIATE` transaction, so a page's links,
//!   fingerprints and checkpoint are committed together or not at all.
//!
//! The schema is versioned with `PRAGMA user_version`; [`MIGRATIONS`] are applied in order,
//! each in its own transaction together with the version bump.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use tokio::sync::oneshot;

use super::values::{from_json, from_sql_id, to_json, to_sql_id};
use super::{
    Change, Changes, Claim, CursorKind, FailedCustomer, FullSyncCheckpoint, LinkRecord, StateStore,
    StoreError, WaitingCustomer, WaitingRank,
};
use crate::caller::CallerRecord;
use crate::contact_values::ContactValues;

mod callers;

/// Schema migrations; the database's `user_version` is the number applied so far.
const MIGRATIONS: &[&str] = &[
    // 1: the initial schema. Every table is keyed by the integration name first.
    "CREATE TABLE cursors (
         integration TEXT NOT NULL,
         kind        TEXT NOT NULL,
         at          TEXT NOT NULL,
         PRIMARY KEY (integration, kind)
     );
     CREATE TABLE checkpoints (
         integration    TEXT PRIMARY KEY,
         started_at     TEXT NOT NULL,
         next_page      INTEGER NOT NULL,
         page_size      INTEGER NOT NULL,
         customers_done INTEGER NOT NULL
     );
     CREATE TABLE customers (
         integration TEXT NOT NULL,
         client_id   INTEGER NOT NULL,
         customer_id INTEGER NOT NULL,
         fingerprint TEXT,
         PRIMARY KEY (integration, client_id),
         UNIQUE (integration, customer_id)
     );
     CREATE TABLE failures (
         integration    TEXT NOT NULL,
         client_id      INTEGER NOT NULL,
         reason         TEXT NOT NULL,
         attempts       INTEGER NOT NULL,
         last_failed_at TEXT NOT NULL,
         PRIMARY KEY (integration, client_id)
     );
     CREATE TABLE order_items (
         integration   TEXT NOT NULL,
         serial_number INTEGER NOT NULL,
         item_id       INTEGER NOT NULL,
         PRIMARY KEY (integration, serial_number)
     );
     CREATE TABLE events (
         integration TEXT NOT NULL,
         key         TEXT NOT NULL,
         seen_at     TEXT NOT NULL,
         PRIMARY KEY (integration, key)
     );
     CREATE INDEX events_by_time ON events (integration, seen_at);",
    // 2: the fingerprint of what was last written to an order's field-group item.
    "ALTER TABLE order_items ADD COLUMN fingerprint TEXT;",
    // 3: whose values are on a contact (JSON of `ContactValues`), and the customers waiting for
    // the end of a full sync (adoption candidates, leftover creates).
    "ALTER TABLE customers ADD COLUMN contact_values TEXT;
     CREATE TABLE waiting_customers (
         integration TEXT NOT NULL,
         client_id   INTEGER NOT NULL,
         adopts      INTEGER,
         registered  INTEGER NOT NULL,
         desired     TEXT NOT NULL,
         fingerprint TEXT NOT NULL,
         contact     TEXT NOT NULL,
         PRIMARY KEY (integration, client_id)
     );",
    // 4: the caller index (see `callers`).
    callers::MIGRATION,
];

/// Fixed-width, so that text order is time order (used to prune events).
const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

/// SQLite limits host parameters per statement; batched reads go in chunks of this size.
const IN_CHUNK: usize = 500;

/// A call waiting for the connection.
type Call = Box<dyn FnOnce(&mut Connection) + Send>;

/// A [`StateStore`] in a SQLite database file.
///
/// Cloning is cheap and shares the connection. The connection lives on a thread of its own
/// that takes the database calls one at a time (the connection serves one at a time anyway)
/// and ends when the last clone is dropped. One thread rather than tokio's blocking pool:
/// each pool thread that touched the database kept its own malloc arena, holding memory
/// the others could not reuse (see README "Benchmarks"). [`SqliteStore::open`] must be
/// called inside a tokio runtime.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    calls: mpsc::Sender<Call>,
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` and migrates it to the current schema.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_owned();
        let conn = tokio::task::spawn_blocking(move || -> Result<Connection, StoreError> {
            let conn = Connection::open(&path).map_err(db)?;
            prepare(conn)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))??;
        Self::from_connection(conn)
    }

    /// A private in-memory database (for tests and dry runs); nothing is persisted.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().map_err(db)?;
        Self::from_connection(prepare(conn)?)
    }

    /// The schema version this build creates.
    pub fn schema_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    /// Starts the connection's thread.
    fn from_connection(mut conn: Connection) -> Result<Self, StoreError> {
        let (calls, queue) = mpsc::channel::<Call>();
        std::thread::Builder::new()
            .name("sqlite-store".into())
            .spawn(move || {
                for call in queue {
                    // A call that panicked may have left the connection half-used: like a
                    // poisoned lock, the store takes no further call (the others see it gone).
                    if catch_unwind(AssertUnwindSafe(|| call(&mut conn))).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| StoreError::Task(format!("cannot start the sqlite thread: {e}")))?;
        Ok(Self { calls })
    }

    /// Runs `f` with the connection on the connection's thread.
    async fn with_conn<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let call: Call = Box::new(move |conn| {
            // The caller may have given up waiting (its future dropped): nothing to tell.
            let _ = answer.send(f(conn));
        });
        let gone = || StoreError::Task("the sqlite connection's thread has stopped".into());
        self.calls.send(call).map_err(|_| gone())?;
        answered.await.map_err(|_| gone())?
    }

    /// Runs `f` in an `IMMEDIATE` transaction, committed only if `f` succeeds.
    async fn in_transaction<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.with_conn(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            let value = f(&tx)?; // dropping `tx` on error rolls back
            tx.commit().map_err(db)?;
            Ok(value)
        })
        .await
    }

    /// Reads `(key, value)` rows for each chunk of `keys` with `sql`, whose parameters are the
    /// integration followed by the chunk's keys (`{keys}` in `sql` is replaced by `?, ?, …`).
    async fn lookup<V>(
        &self,
        integration: &str,
        keys: &[u64],
        sql: &'static str,
        read_value: fn(&rusqlite::Row<'_>) -> rusqlite::Result<Option<V>>,
    ) -> Result<HashMap<u64, V>, StoreError>
    where
        V: Send + 'static,
    {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let integration = integration.to_owned();
        let keys = keys
            .iter()
            .map(|k| to_sql_id(*k))
            .collect::<Result<Vec<i64>, _>>()?;
        self.with_conn(move |conn| {
            let mut found = HashMap::new();
            for chunk in keys.chunks(IN_CHUNK) {
                let marks = vec!["?"; chunk.len()].join(", ");
                let mut stmt = conn
                    .prepare_cached(&sql.replace("{keys}", &marks))
                    .map_err(db)?;
                let mut values: Vec<&dyn rusqlite::ToSql> = vec![&integration];
                values.extend(chunk.iter().map(|k| k as &dyn rusqlite::ToSql));
                let mut rows = stmt.query(values.as_slice()).map_err(db)?;
                while let Some(row) = rows.next().map_err(db)? {
                    let key: i64 = row.get(0).map_err(db)?;
                    if let Some(value) = read_value(row).map_err(db)? {
                        found.insert(from_sql_id(key)?, value);
                    }
                }
            }
            Ok(found)
        })
        .await
    }
}

impl SqliteStore {
    /// Every row `sql` selects for the integration (its only parameter), read by `read`.
    async fn rows_of<T: Send + 'static>(
        &self,
        integration: &str,
        sql: &'static str,
        read: fn(&rusqlite::Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let integration = integration.to_owned();
        self.with_conn(move |conn| {
            let mut stmt = conn.prepare_cached(sql).map_err(db)?;
            let mut rows = stmt.query(params![integration]).map_err(db)?;
            let mut found = Vec::new();
            while let Some(row) = rows.next().map_err(db)? {
                found.push(read(row)?);
            }
            Ok(found)
        })
        .await
    }

    /// [`SqliteStore::lookup`] of an id-valued column (the second selected).
    async fn lookup_ids(
        &self,
        integration: &str,
        keys: &[u64],
        sql: &'static str,
    ) -> Result<HashMap<u64, u64>, StoreError> {
        let raw = self
            .lookup(integration, keys, sql, |row| row.get::<_, i64>(1).map(Some))
            .await?;
        raw.into_iter()
            .map(|(key, id)| Ok((key, from_sql_id(id)?)))
            .collect()
    }
}

/// Sets the connection's pragmas and migrates the schema.
fn prepare(mut conn: Connection) -> Result<Connection, StoreError> {
    conn.busy_timeout(Duration::from_secs(5)).map_err(db)?;
    // An in-memory database answers "memory"; that is fine.
    let _mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(db)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(db)?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(db)?;
    if found > known {
        return Err(StoreError::NewerSchema { found, known });
    }
    for (version, sql) in (1..)
        .zip(MIGRATIONS)
        .skip(usize::try_from(found).unwrap_or(0))
    {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .map_err(db)?;
        tx.execute_batch(sql).map_err(db)?;
        tx.pragma_update(None, "user_version", version as i64)
            .map_err(db)?;
        tx.commit().map_err(db)?;
    }
    Ok(())
}

fn apply_change(tx: &Transaction<'_>, integration: &str, change: Change) -> Result<(), StoreError> {
    match change {
        Change::SetCursor(kind, at) => {
            tx.execute(
                "INSERT INTO cursors (integration, kind, at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (integration, kind) DO UPDATE SET at = excluded.at",
                params![integration, kind.as_str(), format_time(at)],
            )
            .map_err(db)?;
        }
        Change::SetCheckpoint(cp) => {
            tx.execute(
                "INSERT INTO checkpoints (integration, started_at, next_page, page_size, customers_done)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (integration) DO UPDATE SET started_at = excluded.started_at,
                     next_page = excluded.next_page, page_size = excluded.page_size,
                     customers_done = excluded.customers_done",
                params![
                    integration,
                    format_time(cp.started_at),
                    cp.next_page,
                    cp.page_size,
                    to_sql_id(cp.customers_done)?
                ],
            )
            .map_err(db)?;
        }
        Change::ClearCheckpoint => {
            tx.execute(
                "DELETE FROM checkpoints WHERE integration = ?1",
                params![integration],
            )
            .map_err(db)?;
        }
        Change::Written(written) => {
            upsert_link(
                tx,
                integration,
                written.client_id,
                written.customer_id,
                Some((&written.fingerprint, &written.values)),
            )?;
            clear_failure(tx, integration, written.client_id)?;
            drop_waiting(tx, integration, written.client_id)?;
        }
        Change::Link {
            client_id,
            customer_id,
        } => upsert_link(tx, integration, client_id, customer_id, None)?,
        Change::Release {
            client_id,
            customer_id,
        } => {
            tx.execute(
                "DELETE FROM customers WHERE integration = ?1 AND client_id = ?2
                     AND customer_id = ?3 AND fingerprint IS NULL",
                params![integration, to_sql_id(client_id)?, to_sql_id(customer_id)?],
            )
            .map_err(db)?;
        }
        Change::Waiting(candidate) => {
            tx.execute(
                "INSERT INTO waiting_customers
                     (integration, client_id, adopts, registered, desired, fingerprint, contact)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (integration, client_id) DO UPDATE SET
                     adopts = excluded.adopts, registered = excluded.registered,
                     desired = excluded.desired, fingerprint = excluded.fingerprint,
                     contact = excluded.contact",
                params![
                    integration,
                    to_sql_id(candidate.client_id)?,
                    candidate.adopts.map(to_sql_id).transpose()?,
                    candidate.registered,
                    to_json(&candidate.desired)?,
                    candidate.fingerprint,
                    to_json(&candidate.contact)?
                ],
            )
            .map_err(db)?;
        }
        Change::DropWaiting { client_id } => drop_waiting(tx, integration, client_id)?,
        Change::Failed {
            client_id,
            reason,
            at,
        } => {
            tx.execute(
                "INSERT INTO failures (integration, client_id, reason, attempts, last_failed_at)
                 VALUES (?1, ?2, ?3, 1, ?4)
                 ON CONFLICT (integration, client_id) DO UPDATE SET reason = excluded.reason,
                     attempts = failures.attempts + 1, last_failed_at = excluded.last_failed_at",
                params![integration, to_sql_id(client_id)?, reason, format_time(at)],
            )
            .map_err(db)?;
        }
        Change::ClearFailure { client_id } => clear_failure(tx, integration, client_id)?,
        Change::OrderItemWritten {
            serial_number,
            item_id,
            fingerprint,
        } => {
            tx.execute(
                "INSERT INTO order_items (integration, serial_number, item_id, fingerprint)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (integration, serial_number) DO UPDATE SET
                     item_id = excluded.item_id, fingerprint = excluded.fingerprint",
                params![
                    integration,
                    to_sql_id(serial_number)?,
                    to_sql_id(item_id)?,
                    fingerprint
                ],
            )
            .map_err(db)?;
        }
        Change::Caller(record) => callers::index_caller(tx, integration, &record)?,
    }
    Ok(())
}

/// Links a client, taking the customer from any other client that held it (Thulium now holds
/// this client there, or the caller checked with [`StateStore::claim`]). Without a write
/// (`None`) the stored fingerprint and values are kept unless the customer changed.
fn upsert_link(
    tx: &Transaction<'_>,
    integration: &str,
    client_id: u64,
    customer_id: u64,
    written: Option<(&str, &ContactValues)>,
) -> Result<(), StoreError> {
    let (client, customer) = (to_sql_id(client_id)?, to_sql_id(customer_id)?);
    tx.execute(
        "DELETE FROM customers WHERE integration = ?1 AND customer_id = ?2 AND client_id <> ?3",
        params![integration, customer, client],
    )
    .map_err(db)?;
    let (fingerprint, values) = match written {
        Some((fingerprint, values)) => (Some(fingerprint), Some(to_json(values)?)),
        None => (None, None),
    };
    tx.execute(
        "INSERT INTO customers (integration, client_id, customer_id, fingerprint, contact_values)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (integration, client_id) DO UPDATE SET
             fingerprint = CASE
                 WHEN excluded.fingerprint IS NOT NULL THEN excluded.fingerprint
                 WHEN customers.customer_id = excluded.customer_id THEN customers.fingerprint
                 ELSE NULL END,
             contact_values = CASE
                 WHEN excluded.contact_values IS NOT NULL THEN excluded.contact_values
                 WHEN customers.customer_id = excluded.customer_id THEN customers.contact_values
                 ELSE NULL END,
             customer_id = excluded.customer_id",
        params![integration, client, customer, fingerprint, values],
    )
    .map_err(db)?;
    Ok(())
}

fn drop_waiting(tx: &Transaction<'_>, integration: &str, client_id: u64) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM waiting_customers WHERE integration = ?1 AND client_id = ?2",
        params![integration, to_sql_id(client_id)?],
    )
    .map_err(db)?;
    Ok(())
}

fn clear_failure(
    tx: &Transaction<'_>,
    integration: &str,
    client_id: u64,
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM failures WHERE integration = ?1 AND client_id = ?2",
        params![integration, to_sql_id(client_id)?],
    )
    .map_err(db)?;
    Ok(())
}

#[async_trait]
impl StateStore for SqliteStore {
    async fn cursor(
        &self,
        integration: &str,
        kind: CursorKind,
    ) -> Result<Option<NaiveDateTime>, StoreError> {
        let integration = integration.to_owned();
        self.with_conn(move |conn| {
            let at: Option<String> = conn
                .query_row(
                    "SELECT at FROM cursors WHERE integration = ?1 AND kind = ?2",
                    params![integration, kind.as_str()],
                    |row| row.get(0),
                )
                .optional()
                .map_err(db)?;
            at.as_deref().map(parse_time).transpose()
        })
        .await
    }

    async fn checkpoint(
        &self,
        integration: &str,
    ) -> Result<Option<FullSyncCheckpoint>, StoreError> {
        let integration = integration.to_owned();
        self.with_conn(move |conn| {
            let row: Option<(String, u32, u32, i64)> = conn
                .query_row(
                    "SELECT started_at, next_page, page_size, customers_done
                     FROM checkpoints WHERE integration = ?1",
                    params![integration],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()
                .map_err(db)?;
            row.map(|(started_at, next_page, page_size, done)| {
                Ok(FullSyncCheckpoint {
                    started_at: parse_time(&started_at)?,
                    next_page,
                    page_size,
                    customers_done: from_sql_id(done)?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn link_records_for(
        &self,
        integration: &str,
        client_ids: &[u64],
    ) -> Result<HashMap<u64, LinkRecord>, StoreError> {
        let raw = self
            .lookup(
                integration,
                client_ids,
                "SELECT client_id, customer_id, fingerprint, contact_values FROM customers
                 WHERE integration = ? AND client_id IN ({keys})",
                |row| {
                    Ok(Some((
                        row.get::<_, i64>(1)?,
                        row.get::<_, Option<String>>(2)?,
                        row.get::<_, Option<String>>(3)?,
                    )))
                },
            )
            .await?;
        raw.into_iter()
            .map(|(client, (customer, fingerprint, values))| {
                let values = values.as_deref().map(from_json).transpose()?;
                let record = LinkRecord {
                    customer_id: from_sql_id(customer)?,
                    fingerprint,
                    values,
                };
                Ok((client, record))
            })
            .collect()
    }

    async fn holders_of(
        &self,
        integration: &str,
        customer_ids: &[u64],
    ) -> Result<HashMap<u64, u64>, StoreError> {
        self.lookup_ids(
            integration,
            customer_ids,
            "SELECT customer_id, client_id FROM customers
             WHERE integration = ? AND customer_id IN ({keys})",
        )
        .await
    }

    async fn claim_all(
        &self,
        integration: &str,
        claims: &[(u64, u64)],
    ) -> Result<Vec<Claim>, StoreError> {
        let integration = integration.to_owned();
        let claims = claims.to_vec();
        self.in_transaction(move |tx| {
            claims
                .into_iter()
                .map(|(client_id, customer_id)| {
                    let holder: Option<i64> = tx
                        .query_row(
                            "SELECT client_id FROM customers
                             WHERE integration = ?1 AND customer_id = ?2 AND client_id <> ?3",
                            params![integration, to_sql_id(customer_id)?, to_sql_id(client_id)?],
                            |row| row.get(0),
                        )
                        .optional()
                        .map_err(db)?;
                    if let Some(holder) = holder {
                        return Ok(Claim::HeldBy(from_sql_id(holder)?));
                    }
                    upsert_link(tx, &integration, client_id, customer_id, None)?;
                    Ok(Claim::Taken)
                })
                .collect()
        })
        .await
    }

    async fn waiting_ranks(&self, integration: &str) -> Result<Vec<WaitingRank>, StoreError> {
        self.rows_of(
            integration,
            "SELECT client_id, adopts, registered FROM waiting_customers
             WHERE integration = ?1 ORDER BY client_id",
            |row| {
                Ok(WaitingRank {
                    client_id: from_sql_id(row.get(0).map_err(db)?)?,
                    adopts: row
                        .get::<_, Option<i64>>(1)
                        .map_err(db)?
                        .map(from_sql_id)
                        .transpose()?,
                    registered: row.get(2).map_err(db)?,
                })
            },
        )
        .await
    }

    async fn waiting_customers(
        &self,
        integration: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<WaitingCustomer>, StoreError> {
        let integration = integration.to_owned();
        let after = to_sql_id(after)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_conn(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT client_id, adopts, registered, desired, fingerprint, contact
                     FROM waiting_customers WHERE integration = ?1 AND client_id > ?2
                     ORDER BY client_id LIMIT ?3",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map(params![integration, after, limit], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, Option<i64>>(1)?,
                        row.get::<_, bool>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, String>(5)?,
                    ))
                })
                .map_err(db)?;
            rows.map(|row| {
                let (client, adopts, registered, desired, fingerprint, contact) =
                    row.map_err(db)?;
                Ok(WaitingCustomer {
                    client_id: from_sql_id(client)?,
                    adopts: adopts.map(from_sql_id).transpose()?,
                    registered,
                    desired: from_json(&desired)?,
                    fingerprint,
                    contact: from_json(&contact)?,
                })
            })
            .collect()
        })
        .await
    }

    async fn order_items_for(
        &self,
        integration: &str,
        serials: &[u64],
    ) -> Result<HashMap<u64, u64>, StoreError> {
        self.lookup_ids(
            integration,
            serials,
            "SELECT serial_number, item_id FROM order_items
             WHERE integration = ? AND serial_number IN ({keys})",
        )
        .await
    }

    async fn order_item_prints_for(
        &self,
        integration: &str,
        serials: &[u64],
    ) -> Result<HashMap<u64, String>, StoreError> {
        self.lookup(
            integration,
            serials,
            "SELECT serial_number, fingerprint FROM order_items
             WHERE integration = ? AND serial_number IN ({keys})",
            |row| row.get::<_, Option<String>>(1),
        )
        .await
    }

    async fn callers_by_phone(
        &self,
        integration: &str,
        key: &str,
    ) -> Result<Vec<CallerRecord>, StoreError> {
        let (integration, key) = (integration.to_owned(), key.to_owned());
        self.with_conn(move |conn| callers::callers_by_phone(conn, &integration, &key))
            .await
    }

    async fn failed_customers(&self, integration: &str) -> Result<Vec<FailedCustomer>, StoreError> {
        self.rows_of(
            integration,
            "SELECT client_id, reason, attempts, last_failed_at FROM failures
             WHERE integration = ?1 ORDER BY client_id",
            |row| {
                Ok(FailedCustomer {
                    client_id: from_sql_id(row.get(0).map_err(db)?)?,
                    reason: row.get(1).map_err(db)?,
                    attempts: row.get(2).map_err(db)?,
                    last_failed_at: parse_time(&row.get::<_, String>(3).map_err(db)?)?,
                })
            },
        )
        .await
    }

    async fn apply(&self, integration: &str, changes: Changes) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let integration = integration.to_owned();
        self.in_transaction(move |tx| {
            changes
                .into_iter()
                .try_for_each(|change| apply_change(tx, &integration, change))
        })
        .await
    }

    async fn remember_event(
        &self,
        integration: &str,
        key: &str,
        at: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let (integration, key) = (integration.to_owned(), key.to_owned());
        self.with_conn(move |conn| {
            let inserted = conn
                .execute(
                    "INSERT INTO events (integration, key, seen_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (integration, key) DO NOTHING",
                    params![integration, key, format_time(at)],
                )
                .map_err(db)?;
            Ok(inserted == 1)
        })
        .await
    }

    async fn forget_event(&self, integration: &str, key: &str) -> Result<(), StoreError> {
        let (integration, key) = (integration.to_owned(), key.to_owned());
        self.with_conn(move |conn| {
            conn.execute(
                "DELETE FROM events WHERE integration = ?1 AND key = ?2",
                params![integration, key],
            )
            .map_err(db)?;
            Ok(())
        })
        .await
    }

    async fn prune_events(
        &self,
        integration: &str,
        older_than: NaiveDateTime,
    ) -> Result<u64, StoreError> {
        let integration = integration.to_owned();
        self.with_conn(move |conn| {
            let removed = conn
                .execute(
                    "DELETE FROM events WHERE integration = ?1 AND seen_at < ?2",
                    params![integration, format_time(older_than)],
                )
                .map_err(db)?;
            Ok(removed as u64)
        })
        .await
    }
}

fn db(error: rusqlite::Error) -> StoreError {
    StoreError::Database(Box::new(error))
}

fn format_time(at: NaiveDateTime) -> String {
    at.format(TIME_FORMAT).to_string()
}

fn parse_time(text: &str) -> Result<NaiveDateTime, StoreError> {
    NaiveDateTime::parse_from_str(text, TIME_FORMAT)
        .map_err(|e| StoreError::Corrupt(format!("bad timestamp {text:?}: {e}")))
}
