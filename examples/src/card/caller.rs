//! Finding the shop customer behind a phone number, for Thulium's external-CRM lookup
//! ([`sync_core::caller`] holds the answer's shape and the choice among several matches).
//!
//! First the caller index the sync keeps in its state store: no shop request at all. A
//! number the index does not know (a customer who registered after the last sync, a guest
//! the sync has not seen yet) is looked up live. The IdoSell Admin API has no phone filter
//! for customers: its client list takes a free-text search (`clientTextSearch`) over names,
//! e-mail, login and phones, and does not document how it compares phone numbers. So the
//! number goes out as national digits (the form most shops hold), and only customers whose
//! own phones read back to the same [`phone_key`] are kept — one client search, plus one
//! order search for the matches' latest orders. A customer found live is added to the index,
//! so the next call from the same number costs the shop nothing.

use iai_shop_client::{Client, ClientRef, MAX_PAGE_SIZE, Order, SortDirection};
use sync_core::caller::{CallerRecord, choose};
use sync_core::engine::store::Changes;
use sync_core::phone::{PhoneFormat, format_phone, phone_key};

use super::agent::AgentIntegration;
use super::error::CardError;

/// Where an answer came from (for logs and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerSource {
    /// The caller index in the state store.
    Index,
    /// The shop, asked live.
    Shop,
}

/// The customer to answer with for phone match key `key` (E.164), and where it was found;
/// `None` when nobody has the number.
pub async fn find_caller(
    integration: &AgentIntegration,
    key: &str,
) -> Result<Option<(CallerRecord, CallerSource)>, CardError> {
    let name = integration.card().config().name.as_str();
    if let Some(store) = integration.store() {
        let indexed = store
            .callers_by_phone(name, key)
            .await
            .map_err(CardError::Store)?;
        if let Some(record) = choose(indexed) {
            return Ok(Some((record, CallerSource::Index)));
        }
    }
    let Some(record) = find_in_shop(integration, key).await? else {
        return Ok(None);
    };
    if let Some(store) = integration.store() {
        // Failing to remember only costs the next caller a live lookup.
        if let Err(error) = store
            .apply(name, Changes::new().caller(record.clone()))
            .await
        {
            tracing::warn!(%error, "caller found live but not added to the index");
        }
    }
    Ok(Some((record, CallerSource::Shop)))
}

/// The live lookup (see the module docs).
async fn find_in_shop(
    integration: &AgentIntegration,
    key: &str,
) -> Result<Option<CallerRecord>, CardError> {
    let config = integration.card().config();
    let shop = integration.card().shop();
    let national = format_phone(key, PhoneFormat::National, &config.phone_default_country);
    let digits: String = national.chars().filter(char::is_ascii_digit).collect();
    let found = shop
        .clients()
        .list()
        .text_search(digits)
        .page_size(MAX_PAGE_SIZE)
        .page()
        .await
        .map_err(CardError::Shop)?;
    let matching: Vec<Client> = found
        .items
        .into_iter()
        .filter(|client| has_phone(client, key, &config.phone_default_country))
        .collect();
    if matching.is_empty() {
        return Ok(None);
    }
    let orders = shop
        .orders()
        .search()
        .clients(
            matching
                .iter()
                .map(|client| ClientRef::Id(client.client_id)),
        )
        .order_by("order_time", SortDirection::Descending)
        .page_size(MAX_PAGE_SIZE)
        .page()
        .await
        .map_err(CardError::Shop)?;
    let records = matching
        .iter()
        .map(|client| {
            let own: Vec<Order> = orders
                .items
                .iter()
                .filter(|order| order.client.account.client_id == Some(client.client_id))
                .cloned()
                .collect();
            CallerRecord::of_client(client, &own, config)
        })
        .collect();
    Ok(choose(records))
}

/// Whether one of the customer's own phones reads back to `key`.
fn has_phone(client: &Client, key: &str, default_country: &str) -> bool {
    [&client.billing.phone1, &client.billing.phone2]
        .into_iter()
        .flatten()
        .any(|phone| phone_key(phone, default_country).as_deref() == Some(key))
}
