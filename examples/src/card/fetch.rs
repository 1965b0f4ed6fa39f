//! Reading a card's data live: the shop customer, its newest orders, and (for the Thulium
//! route) the shop ID stored on the Thulium customer.

use iai_shop_client::{ClientRef, MAX_PAGE_SIZE, SortDirection};
use sync_core::card::CustomerCard;

use super::error::CardError;
use super::state::CardState;

/// The card of shop customer `client_id`: one customer lookup by id and one order search
/// for the newest orders (placement date, then serial number, descending).
pub async fn card_for_shop_customer(
    state: &CardState,
    client_id: u64,
) -> Result<CustomerCard, CardError> {
    let config = state.config();
    let clients = state
        .shop()
        .clients()
        .list()
        .ids([client_id])
        .page_size(1)
        .page()
        .await
        .map_err(CardError::Shop)?;
    let client = clients
        .items
        .into_iter()
        .find(|client| client.client_id == client_id)
        .ok_or(CardError::UnknownShopCustomer(client_id))?;
    // One page holds at most MAX_PAGE_SIZE orders; a card never shows more than that.
    let shown = u32::try_from(config.card_orders)
        .unwrap_or(MAX_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    let orders = state
        .shop()
        .orders()
        .search()
        .clients([ClientRef::Id(client_id)])
        .order_by("order_time", SortDirection::Descending)
        .order_by("sn", SortDirection::Descending)
        .page_size(shown)
        .page()
        .await
        .map_err(CardError::Shop)?;
    let mut card = CustomerCard::build(&client, &orders.items, config);
    // The search returned one page; the shop's count tells how many orders there are in all.
    card.orders_total = usize::try_from(orders.total)
        .unwrap_or(usize::MAX)
        .max(orders.items.len());
    tracing::debug!(
        client_id,
        orders = card.orders.len(),
        "card read from the shop"
    );
    Ok(card)
}

/// The card of the shop customer linked to Thulium customer `customer_id`: reads the
/// Thulium customer with its custom fields, takes the shop ID from the configured ID field,
/// then does what [`card_for_shop_customer`] does.
pub async fn card_for_thulium_customer(
    state: &CardState,
    customer_id: u64,
) -> Result<CustomerCard, CardError> {
    let customer = state
        .thulium()
        .customers()
        .get(customer_id)
        .include_custom_fields()
        .send()
        .await
        .map_err(|error| match error.status() {
            Some(404 | 410) => CardError::UnknownThuliumCustomer(customer_id),
            _ => CardError::Thulium(error),
        })?;
    let field = &state.config().fields.shop_id;
    let client_id = customer
        .custom_fields
        .number(field)
        .and_then(|id| u64::try_from(id).ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| CardError::NotLinked {
            customer_id,
            field: field.clone(),
        })?;
    tracing::debug!(
        customer_id,
        client_id,
        "Thulium customer linked to the shop"
    );
    card_for_shop_customer(state, client_id).await
}
