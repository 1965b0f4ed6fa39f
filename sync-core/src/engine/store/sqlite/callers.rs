//! The caller index in SQLite (migration 4): one row per shop customer in `caller_index`
//! (its phones and answer as JSON, the date of its newest order) and one row per phone key in
//! `caller_phones`, the table a lookup reads by its primary key.

use rusqlite::{Connection, Transaction, params};

use super::{db, format_time, from_json, from_sql_id, parse_time, to_json, to_sql_id};
use crate::caller::CallerRecord;
use crate::engine::store::StoreError;

/// Migration 4: the caller index.
pub(super) const MIGRATION: &str = "CREATE TABLE caller_index (
         integration   TEXT NOT NULL,
         client_id     INTEGER NOT NULL,
         phones        TEXT NOT NULL,
         last_order_at TEXT,
         answer        TEXT NOT NULL,
         PRIMARY KEY (integration, client_id)
     );
     CREATE TABLE caller_phones (
         integration TEXT NOT NULL,
         phone       TEXT NOT NULL,
         client_id   INTEGER NOT NULL,
         PRIMARY KEY (integration, phone, client_id)
     );
     CREATE INDEX caller_phones_by_client ON caller_phones (integration, client_id);";

/// Replaces the client's record and phone keys.
pub(super) fn index_caller(
    tx: &Transaction<'_>,
    integration: &str,
    record: &CallerRecord,
) -> Result<(), StoreError> {
    let client = to_sql_id(record.client_id)?;
    tx.execute(
        "DELETE FROM caller_phones WHERE integration = ?1 AND client_id = ?2",
        params![integration, client],
    )
    .map_err(db)?;
    tx.execute(
        "INSERT INTO caller_index (integration, client_id, phones, last_order_at, answer)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (integration, client_id) DO UPDATE SET phones = excluded.phones,
             last_order_at = excluded.last_order_at, answer = excluded.answer",
        params![
            integration,
            client,
            to_json(&record.phones)?,
            record.last_order_at.map(format_time),
            to_json(&record.answer)?
        ],
    )
    .map_err(db)?;
    let mut insert = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO caller_phones (integration, phone, client_id) VALUES (?1, ?2, ?3)",
        )
        .map_err(db)?;
    for phone in &record.phones {
        insert
            .execute(params![integration, phone, client])
            .map_err(db)?;
    }
    Ok(())
}

/// The records of the clients with phone key `key`, by client id.
pub(super) fn callers_by_phone(
    conn: &Connection,
    integration: &str,
    key: &str,
) -> Result<Vec<CallerRecord>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT i.client_id, i.phones, i.last_order_at, i.answer
             FROM caller_phones p JOIN caller_index i
               ON i.integration = p.integration AND i.client_id = p.client_id
             WHERE p.integration = ?1 AND p.phone = ?2
             ORDER BY i.client_id",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map(params![integration, key], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, String>(3)?,
            ))
        })
        .map_err(db)?;
    rows.map(|row| {
        let (client, phones, last_order_at, answer) = row.map_err(db)?;
        Ok(CallerRecord {
            client_id: from_sql_id(client)?,
            phones: from_json(&phones)?,
            last_order_at: last_order_at.as_deref().map(parse_time).transpose()?,
            answer: from_json(&answer)?,
        })
    })
    .collect()
}
