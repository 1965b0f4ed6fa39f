//! `--dry-run`: the plan of a full sync, computed from reads only.
//!
//! The same reads as the engine's full sync (a page of shop customers, one orders search
//! for the page, one Thulium search listing the page's IDs, fallback searches for customers
//! not linked and not found) feed the pure planner
//! ([`sync_core::plan::plan_customer`]); nothing is written, not even to the state store.

use std::collections::HashMap;

use iai_shop_client::Order;
use sync_core::engine::ports::{CrmPort, OrdersQuery, PortError, ShopPort};
use sync_core::engine::store::StateStore;
use sync_core::fingerprint::Fingerprint;
use sync_core::mapping::{MappedCustomer, map_customer};
use sync_core::plan::{Plan, PlanAction, PlanInput, PlannedCustomer, needs_lookup, plan_customer};
use thulium_client::Customer;

use crate::wiring::Wired;

/// Shop customers and IDs per request, the APIs' cap.
const PAGE: u32 = 100;

/// Why a dry run stopped.
#[derive(Debug, thiserror::Error)]
pub enum DryRunError {
    /// Reading the shop failed.
    #[error("shop: {0}")]
    Shop(PortError),
    /// Reading Thulium failed.
    #[error("Thulium: {0}")]
    Crm(PortError),
    /// Reading the state store failed.
    #[error("state store: {0}")]
    Store(String),
}

/// The plan of a full sync of one integration: every shop customer with its action.
pub async fn plan_full_sync(
    wired: &Wired,
    crm: &dyn CrmPort,
    store: &dyn StateStore,
) -> Result<Plan, DryRunError> {
    let mut plan = Plan::default();
    let mut page_number = 0;
    loop {
        let page = wired
            .shop
            .customers_page(None, page_number, PAGE)
            .await
            .map_err(DryRunError::Shop)?;
        let has_next = page.has_next();
        if page.items.is_empty() {
            break;
        }
        let ids: Vec<u64> = page.items.iter().map(|c| c.client_id).collect();
        let mut orders = orders_of(wired.shop.as_ref(), &ids).await?;
        let mapped: Vec<MappedCustomer> = page
            .items
            .iter()
            .map(|client| {
                let orders = orders.remove(&client.client_id).unwrap_or_default();
                map_customer(client, &orders, &wired.config)
            })
            .collect();
        plan_page(wired, crm, store, &ids, mapped, &mut plan).await?;
        if !has_next {
            break;
        }
        page_number += 1;
    }
    Ok(plan)
}

async fn plan_page(
    wired: &Wired,
    crm: &dyn CrmPort,
    store: &dyn StateStore,
    ids: &[u64],
    mapped: Vec<MappedCustomer>,
    plan: &mut Plan,
) -> Result<(), DryRunError> {
    let name = wired.config.name.as_str();
    let store_error = |e: sync_core::engine::store::StoreError| DryRunError::Store(e.to_string());
    let links = store.links_for(name, ids).await.map_err(store_error)?;
    let prints: HashMap<u64, Fingerprint> = store
        .fingerprints_for(name, ids)
        .await
        .map_err(store_error)?
        .into_iter()
        .filter_map(|(id, saved)| Fingerprint::from_saved(&saved).map(|f| (id, f)))
        .collect();
    let to_look_up: Vec<u64> = mapped
        .iter()
        .filter(|m| {
            needs_lookup(
                links.get(&m.client_id).copied(),
                prints.get(&m.client_id),
                &m.input,
            )
        })
        .map(|m| m.client_id)
        .collect();
    let field = wired.config.fields.shop_id.as_str();
    let mut by_id: HashMap<u64, Vec<Customer>> = HashMap::new();
    if !to_look_up.is_empty() {
        for customer in crm
            .find_by_field_values(field, &to_look_up)
            .await
            .map_err(DryRunError::Crm)?
        {
            let shop_id = customer
                .custom_fields
                .number(field)
                .and_then(|n| u64::try_from(n).ok());
            if let Some(id) = shop_id {
                by_id.entry(id).or_default().push(customer);
            }
        }
    }
    for customer in mapped {
        let client_id = customer.client_id;
        let linked = links.get(&client_id).copied();
        let found = by_id.get(&client_id).map_or(&[][..], Vec::as_slice);
        let fallback = if linked.is_none() && found.is_empty() {
            fallback_matches(wired, crm, &customer).await?
        } else {
            Vec::new()
        };
        let action: PlanAction = plan_customer(
            &PlanInput {
                shop_client_id: client_id,
                desired: &customer.input,
                linked_customer_id: linked,
                last_fingerprint: prints.get(&client_id),
                by_id: found,
                by_fallback: &fallback,
            },
            &wired.config,
        );
        plan.push(PlannedCustomer::new(
            client_id,
            &customer.input,
            action,
            customer.issues,
        ));
    }
    Ok(())
}

/// Every order of `client_ids` (at most 100), grouped by client.
async fn orders_of(
    shop: &dyn ShopPort,
    client_ids: &[u64],
) -> Result<HashMap<u64, Vec<Order>>, DryRunError> {
    let query = OrdersQuery {
        client_ids: client_ids.to_vec(),
        modified: None,
    };
    let mut grouped: HashMap<u64, Vec<Order>> = HashMap::new();
    let mut page_number = 0;
    loop {
        let page = shop
            .search_orders(&query, page_number, PAGE)
            .await
            .map_err(DryRunError::Shop)?;
        let has_next = page.has_next();
        for order in page.items {
            if let Some(client_id) = order.client.account.client_id {
                grouped.entry(client_id).or_default().push(order);
            }
        }
        if !has_next {
            return Ok(grouped);
        }
        page_number += 1;
    }
}

async fn fallback_matches(
    wired: &Wired,
    crm: &dyn CrmPort,
    customer: &MappedCustomer,
) -> Result<Vec<Customer>, DryRunError> {
    let mut found = Vec::new();
    if wired.config.matching.by_email {
        for email in &customer.input.email {
            found.extend(crm.find_by_email(email).await.map_err(DryRunError::Crm)?);
        }
    }
    if wired.config.matching.by_phone {
        for phone in &customer.input.phone_number {
            found.extend(crm.find_by_phone(phone).await.map_err(DryRunError::Crm)?);
        }
    }
    Ok(found)
}
