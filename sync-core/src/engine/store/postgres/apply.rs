//! The store's writes: [`StateStore::apply`](crate::engine::store::StateStore::apply) and
//! claims, each one transaction, the SQL next to the change it stores.

use deadpool_postgres::{Client, Transaction};

use super::{db, from_sql_id, to_json, to_sql_id};
use crate::contact_values::ContactValues;
use crate::engine::store::{Change, Changes, Claim, StoreError};

/// Applies `changes` in order in one transaction.
pub(super) async fn apply(
    client: &mut Client,
    integration: &str,
    changes: Changes,
) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(db)?;
    for change in changes {
        apply_change(&tx, integration, change).await?;
    }
    tx.commit().await.map_err(db) // dropping `tx` on an error above rolls back
}

/// Claims `(client, contact)` pairs in order in one transaction (see `StateStore::claim_all`).
///
/// One daemon at a time syncs an integration (it holds the lease), so no other transaction
/// claims for it concurrently; the unique index on the contact still refuses a double link.
pub(super) async fn claim_all(
    client: &mut Client,
    integration: &str,
    claims: &[(u64, u64)],
) -> Result<Vec<Claim>, StoreError> {
    let tx = client.transaction().await.map_err(db)?;
    let mut answers = Vec::with_capacity(claims.len());
    for &(client_id, customer_id) in claims {
        let holder = tx
            .query_opt(
                "SELECT client_id FROM customers
                 WHERE integration = $1 AND customer_id = $2 AND client_id <> $3",
                &[
                    &integration,
                    &to_sql_id(customer_id)?,
                    &to_sql_id(client_id)?,
                ],
            )
            .await
            .map_err(db)?;
        match holder {
            Some(row) => answers.push(Claim::HeldBy(from_sql_id(super::reads::get(&row, 0)?)?)),
            None => {
                upsert_link(&tx, integration, client_id, customer_id, None).await?;
                answers.push(Claim::Taken);
            }
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(answers)
}

async fn apply_change(
    tx: &Transaction<'_>,
    integration: &str,
    change: Change,
) -> Result<(), StoreError> {
    match change {
        Change::SetCursor(kind, at) => {
            execute(
                tx,
                "INSERT INTO cursors (integration, kind, at) VALUES ($1, $2, $3)
                 ON CONFLICT (integration, kind) DO UPDATE SET at = excluded.at",
                &[&integration, &kind.as_str(), &at],
            )
            .await
        }
        Change::SetCheckpoint(cp) => {
            execute(
                tx,
                "INSERT INTO checkpoints
                     (integration, started_at, next_page, page_size, customers_done)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (integration) DO UPDATE SET started_at = excluded.started_at,
                     next_page = excluded.next_page, page_size = excluded.page_size,
                     customers_done = excluded.customers_done",
                &[
                    &integration,
                    &cp.started_at,
                    &i64::from(cp.next_page),
                    &i64::from(cp.page_size),
                    &to_sql_id(cp.customers_done)?,
                ],
            )
            .await
        }
        Change::ClearCheckpoint => {
            execute(
                tx,
                "DELETE FROM checkpoints WHERE integration = $1",
                &[&integration],
            )
            .await
        }
        Change::Written(written) => {
            upsert_link(
                tx,
                integration,
                written.client_id,
                written.customer_id,
                Some((&written.fingerprint, &written.values)),
            )
            .await?;
            clear_failure(tx, integration, written.client_id).await?;
            drop_waiting(tx, integration, written.client_id).await
        }
        Change::Link {
            client_id,
            customer_id,
        } => upsert_link(tx, integration, client_id, customer_id, None).await,
        Change::Release {
            client_id,
            customer_id,
        } => {
            execute(
                tx,
                "DELETE FROM customers WHERE integration = $1 AND client_id = $2
                     AND customer_id = $3 AND fingerprint IS NULL",
                &[
                    &integration,
                    &to_sql_id(client_id)?,
                    &to_sql_id(customer_id)?,
                ],
            )
            .await
        }
        Change::Waiting(candidate) => {
            execute(
                tx,
                "INSERT INTO waiting_customers
                     (integration, client_id, adopts, registered, desired, fingerprint, contact)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (integration, client_id) DO UPDATE SET
                     adopts = excluded.adopts, registered = excluded.registered,
                     desired = excluded.desired, fingerprint = excluded.fingerprint,
                     contact = excluded.contact",
                &[
                    &integration,
                    &to_sql_id(candidate.client_id)?,
                    &candidate.adopts.map(to_sql_id).transpose()?,
                    &candidate.registered,
                    &to_json(&candidate.desired)?,
                    &candidate.fingerprint,
                    &to_json(&candidate.contact)?,
                ],
            )
            .await
        }
        Change::DropWaiting { client_id } => drop_waiting(tx, integration, client_id).await,
        Change::Failed {
            client_id,
            reason,
            at,
        } => {
            execute(
                tx,
                "INSERT INTO failures (integration, client_id, reason, attempts, last_failed_at)
                 VALUES ($1, $2, $3, 1, $4)
                 ON CONFLICT (integration, client_id) DO UPDATE SET reason = excluded.reason,
                     attempts = failures.attempts + 1, last_failed_at = excluded.last_failed_at",
                &[&integration, &to_sql_id(client_id)?, &reason, &at],
            )
            .await
        }
        Change::ClearFailure { client_id } => clear_failure(tx, integration, client_id).await,
        Change::Caller(record) => super::callers::index_caller(tx, integration, &record).await,
        Change::OrderItemWritten {
            serial_number,
            item_id,
            fingerprint,
        } => {
            execute(
                tx,
                "INSERT INTO order_items (integration, serial_number, item_id, fingerprint)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (integration, serial_number) DO UPDATE SET
                     item_id = excluded.item_id, fingerprint = excluded.fingerprint",
                &[
                    &integration,
                    &to_sql_id(serial_number)?,
                    &to_sql_id(item_id)?,
                    &fingerprint,
                ],
            )
            .await
        }
    }
}

/// Links a client, taking the customer from any other client that held it; without a write
/// (`None`) the stored fingerprint and values are kept unless the customer changed (the same
/// rule as the SQLite store's `upsert_link`).
async fn upsert_link(
    tx: &Transaction<'_>,
    integration: &str,
    client_id: u64,
    customer_id: u64,
    written: Option<(&str, &ContactValues)>,
) -> Result<(), StoreError> {
    let (client, customer) = (to_sql_id(client_id)?, to_sql_id(customer_id)?);
    execute(
        tx,
        "DELETE FROM customers WHERE integration = $1 AND customer_id = $2 AND client_id <> $3",
        &[&integration, &customer, &client],
    )
    .await?;
    let (fingerprint, values) = match written {
        Some((fingerprint, values)) => (Some(fingerprint), Some(to_json(values)?)),
        None => (None, None),
    };
    execute(
        tx,
        "INSERT INTO customers (integration, client_id, customer_id, fingerprint, contact_values)
         VALUES ($1, $2, $3, $4, $5)
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
        &[&integration, &client, &customer, &fingerprint, &values],
    )
    .await
}

/// The customer's waiting row goes: it was written or decided.
async fn drop_waiting(
    tx: &Transaction<'_>,
    integration: &str,
    client_id: u64,
) -> Result<(), StoreError> {
    delete_client_row(tx, "waiting_customers", integration, client_id).await
}

/// The customer's failure goes: it was written.
async fn clear_failure(
    tx: &Transaction<'_>,
    integration: &str,
    client_id: u64,
) -> Result<(), StoreError> {
    delete_client_row(tx, "failures", integration, client_id).await
}

/// Deletes the row of `client_id` from `table` (one of ours, keyed by integration and
/// client id).
async fn delete_client_row(
    tx: &Transaction<'_>,
    table: &'static str,
    integration: &str,
    client_id: u64,
) -> Result<(), StoreError> {
    let sql = format!("DELETE FROM {table} WHERE integration = $1 AND client_id = $2");
    execute(tx, &sql, &[&integration, &to_sql_id(client_id)?]).await
}

/// Runs one statement (prepared once per connection and cached: `apply` runs the same few
/// statements for every page).
async fn execute(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<(), StoreError> {
    let statement = tx.prepare_cached(sql).await.map_err(db)?;
    tx.execute(&statement, params).await.map_err(db)?;
    Ok(())
}
