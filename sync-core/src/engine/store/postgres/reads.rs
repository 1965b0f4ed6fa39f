//! The store's reads: one statement each, the SQL next to the method it serves.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use tokio_postgres::Row;
use tokio_postgres::types::FromSqlOwned;

use super::{db, from_json, from_sql_id, to_sql_id, to_sql_ids};
use crate::engine::store::{
    CursorKind, FailedCustomer, FullSyncCheckpoint, LinkRecord, StoreError, WaitingCustomer,
    WaitingRank,
};

type Connection = deadpool_postgres::Client;

pub(super) async fn cursor(
    conn: &Connection,
    integration: &str,
    kind: CursorKind,
) -> Result<Option<NaiveDateTime>, StoreError> {
    let row = conn
        .query_opt(
            "SELECT at FROM cursors WHERE integration = $1 AND kind = $2",
            &[&integration, &kind.as_str()],
        )
        .await
        .map_err(db)?;
    row.map(|row| get(&row, 0)).transpose()
}

pub(super) async fn checkpoint(
    conn: &Connection,
    integration: &str,
) -> Result<Option<FullSyncCheckpoint>, StoreError> {
    let row = conn
        .query_opt(
            "SELECT started_at, next_page, page_size, customers_done
             FROM checkpoints WHERE integration = $1",
            &[&integration],
        )
        .await
        .map_err(db)?;
    row.map(|row| {
        Ok(FullSyncCheckpoint {
            started_at: get(&row, 0)?,
            next_page: to_u32(get(&row, 1)?)?,
            page_size: to_u32(get(&row, 2)?)?,
            customers_done: from_sql_id(get(&row, 3)?)?,
        })
    })
    .transpose()
}

pub(super) async fn link_records_for(
    conn: &Connection,
    integration: &str,
    client_ids: &[u64],
) -> Result<HashMap<u64, LinkRecord>, StoreError> {
    let rows = by_ids(
        conn,
        "SELECT client_id, customer_id, fingerprint, contact_values FROM customers
         WHERE integration = $1 AND client_id = ANY($2)",
        integration,
        client_ids,
    )
    .await?;
    rows.iter()
        .map(|row| {
            let values: Option<String> = get(row, 3)?;
            let record = LinkRecord {
                customer_id: from_sql_id(get(row, 1)?)?,
                fingerprint: get(row, 2)?,
                values: values.as_deref().map(from_json).transpose()?,
            };
            Ok((from_sql_id(get(row, 0)?)?, record))
        })
        .collect()
}

pub(super) async fn holders_of(
    conn: &Connection,
    integration: &str,
    customer_ids: &[u64],
) -> Result<HashMap<u64, u64>, StoreError> {
    let rows = by_ids(
        conn,
        "SELECT customer_id, client_id FROM customers
         WHERE integration = $1 AND customer_id = ANY($2)",
        integration,
        customer_ids,
    )
    .await?;
    id_pairs(&rows)
}

pub(super) async fn waiting_ranks(
    conn: &Connection,
    integration: &str,
) -> Result<Vec<WaitingRank>, StoreError> {
    let rows = conn
        .query(
            "SELECT client_id, adopts, registered FROM waiting_customers
             WHERE integration = $1 ORDER BY client_id",
            &[&integration],
        )
        .await
        .map_err(db)?;
    rows.iter()
        .map(|row| {
            Ok(WaitingRank {
                client_id: from_sql_id(get(row, 0)?)?,
                adopts: get::<Option<i64>>(row, 1)?.map(from_sql_id).transpose()?,
                registered: get(row, 2)?,
            })
        })
        .collect()
}

pub(super) async fn waiting_customers(
    conn: &Connection,
    integration: &str,
    after: u64,
    limit: usize,
) -> Result<Vec<WaitingCustomer>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn
        .query(
            "SELECT client_id, adopts, registered, desired, fingerprint, contact
             FROM waiting_customers WHERE integration = $1 AND client_id > $2
             ORDER BY client_id LIMIT $3",
            &[&integration, &to_sql_id(after)?, &limit],
        )
        .await
        .map_err(db)?;
    rows.iter()
        .map(|row| {
            Ok(WaitingCustomer {
                client_id: from_sql_id(get(row, 0)?)?,
                adopts: get::<Option<i64>>(row, 1)?.map(from_sql_id).transpose()?,
                registered: get(row, 2)?,
                desired: from_json(&get::<String>(row, 3)?)?,
                fingerprint: get(row, 4)?,
                contact: from_json(&get::<String>(row, 5)?)?,
            })
        })
        .collect()
}

pub(super) async fn order_items_for(
    conn: &Connection,
    integration: &str,
    serials: &[u64],
) -> Result<HashMap<u64, u64>, StoreError> {
    let rows = by_ids(
        conn,
        "SELECT serial_number, item_id FROM order_items
         WHERE integration = $1 AND serial_number = ANY($2)",
        integration,
        serials,
    )
    .await?;
    id_pairs(&rows)
}

pub(super) async fn order_item_prints_for(
    conn: &Connection,
    integration: &str,
    serials: &[u64],
) -> Result<HashMap<u64, String>, StoreError> {
    let rows = by_ids(
        conn,
        "SELECT serial_number, fingerprint FROM order_items
         WHERE integration = $1 AND serial_number = ANY($2) AND fingerprint IS NOT NULL",
        integration,
        serials,
    )
    .await?;
    rows.iter()
        .map(|row| Ok((from_sql_id(get(row, 0)?)?, get(row, 1)?)))
        .collect()
}

pub(super) async fn failed_customers(
    conn: &Connection,
    integration: &str,
) -> Result<Vec<FailedCustomer>, StoreError> {
    let rows = conn
        .query(
            "SELECT client_id, reason, attempts, last_failed_at FROM failures
             WHERE integration = $1 ORDER BY client_id",
            &[&integration],
        )
        .await
        .map_err(db)?;
    rows.iter()
        .map(|row| {
            Ok(FailedCustomer {
                client_id: from_sql_id(get(row, 0)?)?,
                reason: get(row, 1)?,
                attempts: to_u32(get(row, 2)?)?,
                last_failed_at: get(row, 3)?,
            })
        })
        .collect()
}

/// The rows `sql` selects for the integration (`$1`) and the ids (`$2`, one array).
async fn by_ids(
    conn: &Connection,
    sql: &str,
    integration: &str,
    ids: &[u64],
) -> Result<Vec<Row>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    conn.query(sql, &[&integration, &to_sql_ids(ids)?])
        .await
        .map_err(db)
}

/// Rows of two id columns as a map from the first to the second.
fn id_pairs(rows: &[Row]) -> Result<HashMap<u64, u64>, StoreError> {
    rows.iter()
        .map(|row| Ok((from_sql_id(get(row, 0)?)?, from_sql_id(get(row, 1)?)?)))
        .collect()
}

/// Column `index` of `row`; a type mismatch is corrupt data, not a panic.
pub(super) fn get<T: FromSqlOwned>(row: &Row, index: usize) -> Result<T, StoreError> {
    row.try_get(index)
        .map_err(|e| StoreError::Corrupt(format!("column {index}: {e}")))
}

fn to_u32(value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{value} is not a count")))
}
