//! Orders in Thulium (optional): each order summary as an item of the configured custom-field
//! group of its customer, keyed by the order's serial number (the store keeps serial → item
//! id). An item is written only when its values changed: the store keeps a fingerprint of
//! what was last written, so an unchanged order costs no request.

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::join_all;
use iai_shop_client::Order;
use thulium_client::{FieldGroupItemInput, FieldValue};

use crate::fingerprint::Fingerprint;
use crate::order_summary::OrderSummary;

use super::engine::{Engine, Run};
use super::error::SyncError;
use super::ports::{CrmPort, PortError};
use super::report::FailureEntry;
use super::store::Changes;

/// The configured orders group as the tenant defines it: its id and its fields' ids.
#[derive(Debug)]
pub(crate) struct ResolvedGroup {
    group_id: u64,
    field_ids: HashMap<String, u64>,
}

/// One order item to write.
struct ItemWrite {
    client_id: u64,
    customer_id: u64,
    serial_number: u64,
    existing: Option<u64>,
    values: Vec<FieldValue>,
    fingerprint: Fingerprint,
}

impl Engine {
    /// The orders group, read once per engine; `None` when none is configured or the tenant
    /// lacks it (preflight reports that; the customers are still synced).
    async fn resolved_group(&self, run: &Run) -> Result<Option<Arc<ResolvedGroup>>, SyncError> {
        let Some(wanted) = &self.config.orders_group else {
            return Ok(None);
        };
        let resolved = self
            .orders_group
            .get_or_try_init(|| async {
                let groups = run.crm.field_groups().await.map_err(SyncError::Crm)?;
                let Some(group) = groups.into_iter().find(|g| g.name == wanted.group_name) else {
                    tracing::warn!(group = %wanted.group_name, "orders group not found in Thulium");
                    return Ok(None);
                };
                let field_ids = group
                    .fields
                    .into_iter()
                    .map(|f| (f.name.trim().to_owned(), f.field_id))
                    .collect();
                Ok::<_, SyncError>(Some(Arc::new(ResolvedGroup {
                    group_id: group.group_id,
                    field_ids,
                })))
            })
            .await?;
        Ok(resolved.clone())
    }

    /// Creates or updates the group items of the orders of the written / skipped customers
    /// (`customer_of`: client id → Thulium customer id); returns the store changes.
    pub(crate) async fn sync_order_items(
        &self,
        run: &Run,
        customer_of: &HashMap<u64, u64>,
        orders_of: Vec<(u64, Vec<Order>)>,
    ) -> Result<Changes, SyncError> {
        let Some(wanted) = &self.config.orders_group else {
            return Ok(Changes::new());
        };
        let owned: Vec<(u64, u64, Order)> = orders_of
            .into_iter()
            .filter_map(|(client_id, orders)| {
                let customer_id = *customer_of.get(&client_id)?;
                Some(orders.into_iter().map(move |o| (client_id, customer_id, o)))
            })
            .flatten()
            .collect();
        let serials: Vec<u64> = owned.iter().map(|(_, _, o)| o.serial_number).collect();
        let name = self.config.name.as_str();
        let items = self.store.order_items_for(name, &serials).await?;
        let prints = self.store.order_item_prints_for(name, &serials).await?;
        let changed: Vec<(ItemWrite, Vec<(String, String)>)> = owned
            .into_iter()
            .filter_map(|(client_id, customer_id, order)| {
                let summary = OrderSummary::from_order(&order, &self.config);
                let columns = summary.group_values(wanted, self.config.locale);
                // The item belongs to one customer: a new customer means a new item.
                let mut keyed = columns.clone();
                keyed.push(("customer".to_owned(), customer_id.to_string()));
                let fingerprint = Fingerprint::of_fields(&keyed);
                let serial_number = order.serial_number;
                let existing = items.get(&serial_number).copied();
                let unchanged = existing.is_some()
                    && prints.get(&serial_number).map(String::as_str) == Some(fingerprint.as_str());
                let write = ItemWrite {
                    client_id,
                    customer_id,
                    serial_number,
                    existing,
                    values: Vec::new(),
                    fingerprint,
                };
                (!unchanged).then_some((write, columns))
            })
            .collect();
        // The group's field ids are read only when something is to be written.
        if changed.is_empty() {
            return Ok(Changes::new());
        }
        let Some(group) = self.resolved_group(run).await? else {
            return Ok(Changes::new());
        };
        let writes: Vec<ItemWrite> = changed
            .into_iter()
            .map(|(mut write, columns)| {
                write.values = columns
                    .iter()
                    .filter_map(|(field, value)| {
                        let id = group.field_ids.get(field)?;
                        Some(FieldValue::text(*id, value.clone()))
                    })
                    .collect();
                write
            })
            .collect();
        let group_id = group.group_id;
        let results = join_all(writes.iter().map(|w| write_item(&run.crm, group_id, w))).await;
        let now = self.clock.now();
        let mut changes = Changes::new();
        for (write, result) in writes.iter().zip(results) {
            match result {
                Ok(item_id) => {
                    run.tally(|r| r.order_items_written += 1);
                    changes = changes.order_item_written(
                        write.serial_number,
                        item_id,
                        write.fingerprint.as_str(),
                    );
                }
                Err(error) => {
                    let reason = format!("order {}: {error}", write.serial_number);
                    changes = changes.failed(write.client_id, &reason, now);
                    run.tally(|r| {
                        r.failed.push(FailureEntry {
                            client_id: write.client_id,
                            reason,
                        })
                    });
                }
            }
        }
        Ok(changes)
    }
}

/// Updates the order's item, or creates it when there is none (or it was deleted).
async fn write_item(crm: &dyn CrmPort, group_id: u64, write: &ItemWrite) -> Result<u64, PortError> {
    if let Some(item_id) = write.existing {
        match crm.update_field_group_item(item_id, &write.values).await {
            Ok(()) => return Ok(item_id),
            Err(error) if matches!(error.status, Some(404 | 410)) => {}
            Err(error) => return Err(error),
        }
    }
    let input = FieldGroupItemInput {
        group_id,
        customer_id: write.customer_id,
        values: write.values.clone(),
    };
    crm.create_field_group_item(&input).await
}
