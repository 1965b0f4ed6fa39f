//! The caller index in PostgreSQL (migration 3; the SQLite store's migration 4): one row per
//! shop customer in `caller_index` (its phones and answer as JSON, the time of its newest
//! order) and one row per phone key in `caller_phones`, the table a lookup reads by its
//! primary key.

use deadpool_postgres::Transaction;

use super::reads::get;
use super::{db, from_json, from_sql_id, to_json, to_sql_id};
use crate::caller::CallerRecord;
use crate::engine::store::StoreError;

/// Migration 3: the caller index.
pub(super) const MIGRATION: &str = "CREATE TABLE caller_index (
         integration   TEXT NOT NULL,
         client_id     BIGINT NOT NULL,
         phones        TEXT NOT NULL,
         last_order_at TIMESTAMP,
         answer        TEXT NOT NULL,
         PRIMARY KEY (integration, client_id)
     );
     CREATE TABLE caller_phones (
         integration TEXT NOT NULL,
         phone       TEXT NOT NULL,
         client_id   BIGINT NOT NULL,
         PRIMARY KEY (integration, phone, client_id)
     );
     CREATE INDEX caller_phones_by_client ON caller_phones (integration, client_id);";

/// Replaces the client's record and phone keys (inside the transaction of `apply`).
pub(super) async fn index_caller(
    tx: &Transaction<'_>,
    integration: &str,
    record: &CallerRecord,
) -> Result<(), StoreError> {
    let client = to_sql_id(record.client_id)?;
    tx.execute(
        "DELETE FROM caller_phones WHERE integration = $1 AND client_id = $2",
        &[&integration, &client],
    )
    .await
    .map_err(db)?;
    tx.execute(
        "INSERT INTO caller_index (integration, client_id, phones, last_order_at, answer)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (integration, client_id) DO UPDATE SET phones = excluded.phones,
             last_order_at = excluded.last_order_at, answer = excluded.answer",
        &[
            &integration,
            &client,
            &to_json(&record.phones)?,
            &record.last_order_at,
            &to_json(&record.answer)?,
        ],
    )
    .await
    .map_err(db)?;
    tx.execute(
        "INSERT INTO caller_phones (integration, phone, client_id)
         SELECT $1, phone, $2 FROM unnest($3::text[]) AS phone
         ON CONFLICT DO NOTHING",
        &[&integration, &client, &record.phones],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// The records of the clients with phone key `key`, by client id.
pub(super) async fn callers_by_phone(
    conn: &deadpool_postgres::Client,
    integration: &str,
    key: &str,
) -> Result<Vec<CallerRecord>, StoreError> {
    let rows = conn
        .query(
            "SELECT i.client_id, i.phones, i.last_order_at, i.answer
             FROM caller_phones p JOIN caller_index i
               ON i.integration = p.integration AND i.client_id = p.client_id
             WHERE p.integration = $1 AND p.phone = $2
             ORDER BY i.client_id",
            &[&integration, &key],
        )
        .await
        .map_err(db)?;
    rows.iter()
        .map(|row| {
            Ok(CallerRecord {
                client_id: from_sql_id(get(row, 0)?)?,
                phones: from_json(&get::<String>(row, 1)?)?,
                last_order_at: get(row, 2)?,
                answer: from_json(&get::<String>(row, 3)?)?,
            })
        })
        .collect()
}
