//! Finding the existing Thulium customers of a set of shop customers.
//!
//! Two strategies ([`LookupStrategy`]):
//! - [`LookupStrategy::SearchPerPage`]: one ID-field search per ≤100 shop customers that need a lookup (the
//!   IDs sent as alternatives of one search), and for customers neither linked nor found, one
//!   search per e-mail / phone when fallback matching is on.
//! - [`LookupStrategy::TenantIndex`]: the whole tenant read once in 1000-item pages, kept as a compact
//!   index (ID-field value → customer ids, and e-mail / phone → customers when fallback
//!   matching is on); every later lookup of the run costs no request.
//!
//! # Which one a full sync uses
//! 1. Every customer of the first shop page to sync is already linked in the store (a repeat
//!    or resumed run): **Search** — linked, unchanged customers need no lookup at all, so the
//!    searches cost a request only on pages with changes, and reading the tenant would be
//!    pure overhead.
//! 2. At most one shop page is left and fallback matching is off: **Search** (one request at
//!    most, the same as the probe below).
//! 3. Otherwise the first tenant page (1000 customers) is read: it tells the tenant's total
//!    `T` and is reused. The index costs `ceil(T / 1000)` requests in all; searching costs
//!    about one request per remaining shop page `P`, plus — with fallback matching — one per
//!    e-mail / phone of each unlinked customer (estimated from the first page as
//!    `P × fallback keys of its unlinked customers`). The index is built when it costs no
//!    more; otherwise the probe page is dropped (one request spent) and **Search** is used.
//!
//! The index is a snapshot taken at the start of the run; customers created by the run are
//! found through the store's links, which are read under the customer's lock.

use std::collections::HashMap;

use futures::{StreamExt, TryStreamExt, stream};
use serde_json::Value;
use thulium_client::{CustomFields, Customer};

use crate::config::IntegrationConfig;
use crate::email::normalize_email;
use crate::mapping::MappedCustomer;
use crate::phone::normalize_phone;

use super::engine::{IDS_PER_REQUEST, SyncError};
use super::ports::{CrmPage, CrmPort};

/// Customers per page when the whole tenant is read (the API's maximum).
pub(crate) const TENANT_PAGE: u32 = 1000;

/// How a run finds existing Thulium customers.
pub(crate) enum Lookup {
    /// Searches per page of shop customers.
    Search,
    /// A snapshot of the whole tenant.
    Index(TenantIndex),
}

/// Which strategy a full sync used, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupStrategy {
    /// One ID-field search per page of shop customers that need a lookup.
    SearchPerPage,
    /// The whole tenant read once into an index.
    TenantIndex,
}

/// A Thulium customer reduced to what planning needs: its id and the raw ID-field value.
#[derive(Debug, Clone)]
struct Entry {
    customer_id: u64,
    shop_id: Option<Value>,
}

/// The tenant in a compact form.
#[derive(Debug, Default)]
pub(crate) struct TenantIndex {
    id_field: String,
    by_shop_id: HashMap<u64, Vec<u64>>,
    by_email: HashMap<String, Vec<Entry>>,
    by_phone: HashMap<String, Vec<Entry>>,
    phone_country: String,
}

impl TenantIndex {
    fn new(config: &IntegrationConfig) -> Self {
        Self {
            id_field: config.fields.shop_id.clone(),
            phone_country: config.phone_default_country.clone(),
            ..Self::default()
        }
    }

    fn add(&mut self, customer: Customer, with_fallback: bool) {
        let id = customer.customer_id;
        let shop_id = customer
            .custom_fields
            .number(&self.id_field)
            .and_then(|n| u64::try_from(n).ok());
        if let Some(shop_id) = shop_id {
            self.by_shop_id.entry(shop_id).or_default().push(id);
        }
        if !with_fallback {
            return;
        }
        let entry = Entry {
            customer_id: id,
            shop_id: customer.custom_fields.raw(&self.id_field).cloned(),
        };
        if let Some(email) = customer.email.as_deref() {
            self.by_email
                .entry(email_key(email))
                .or_default()
                .push(entry.clone());
        }
        let mut phones = customer.phone_numbers.clone();
        phones.extend(customer.phone_number.clone());
        phones.sort();
        phones.dedup();
        for phone in phones {
            let key = phone_key(&phone, &self.phone_country);
            self.by_phone.entry(key).or_default().push(entry.clone());
        }
    }

    /// Stand-ins for the customers holding `shop_id` in the ID field.
    fn holding(&self, shop_id: u64) -> Vec<Customer> {
        let field = Value::from(shop_id);
        self.by_shop_id
            .get(&shop_id)
            .into_iter()
            .flatten()
            .map(|id| self.stand_in(*id, Some(&field)))
            .collect()
    }

    /// Stand-ins for the customers sharing an e-mail address or phone with `mapped`.
    fn fallback(&self, mapped: &MappedCustomer, config: &IntegrationConfig) -> Vec<Customer> {
        let mut entries: Vec<&Entry> = Vec::new();
        if config.matching.by_email {
            for email in &mapped.input.email {
                entries.extend(self.by_email.get(&email_key(email)).into_iter().flatten());
            }
        }
        if config.matching.by_phone {
            for phone in &mapped.input.phone_number {
                let key = phone_key(phone, &self.phone_country);
                entries.extend(self.by_phone.get(&key).into_iter().flatten());
            }
        }
        entries
            .into_iter()
            .map(|e| self.stand_in(e.customer_id, e.shop_id.as_ref()))
            .collect()
    }

    /// A customer carrying only its id and ID-field value, which is all the planner reads
    /// of a match to decide (the field diff it lists is informative only).
    fn stand_in(&self, customer_id: u64, shop_id: Option<&Value>) -> Customer {
        let fields = shop_id
            .map(|value| {
                [(self.id_field.clone(), value.clone())]
                    .into_iter()
                    .collect()
            })
            .unwrap_or_default();
        Customer {
            customer_id,
            custom_fields: CustomFields::from_map(fields),
            ..Customer::default()
        }
    }
}

fn email_key(email: &str) -> String {
    normalize_email(email)
        .unwrap_or_else(|_| email.trim().to_owned())
        .to_lowercase()
}

fn phone_key(phone: &str, country: &str) -> String {
    normalize_phone(phone, country).unwrap_or_else(|_| phone.trim().to_owned())
}

impl Lookup {
    /// Thulium customers carrying each of `client_ids` in the ID field.
    pub(crate) async fn by_shop_ids(
        &self,
        crm: &dyn CrmPort,
        config: &IntegrationConfig,
        client_ids: &[u64],
    ) -> Result<HashMap<u64, Vec<Customer>>, SyncError> {
        match self {
            Lookup::Index(index) => Ok(client_ids
                .iter()
                .map(|id| (*id, index.holding(*id)))
                .filter(|(_, found)| !found.is_empty())
                .collect()),
            Lookup::Search => search_by_shop_ids(crm, config, client_ids)
                .await
                .map_err(SyncError::Crm),
        }
    }

    /// Thulium customers sharing an e-mail address or phone with a customer not linked yet,
    /// as the matching settings allow.
    pub(crate) async fn by_fallback(
        &self,
        crm: &dyn CrmPort,
        config: &IntegrationConfig,
        mapped: &MappedCustomer,
    ) -> Result<Vec<Customer>, SyncError> {
        if let Lookup::Index(index) = self {
            return Ok(index.fallback(mapped, config));
        }
        let mut found = Vec::new();
        if config.matching.by_email {
            for email in &mapped.input.email {
                found.extend(crm.find_by_email(email).await.map_err(SyncError::Crm)?);
            }
        }
        if config.matching.by_phone {
            for phone in &mapped.input.phone_number {
                found.extend(crm.find_by_phone(phone).await.map_err(SyncError::Crm)?);
            }
        }
        Ok(found)
    }
}

/// One ID-field search per ≤100 ids; only customers whose ID field holds one of the ids.
pub(crate) async fn search_by_shop_ids(
    crm: &dyn CrmPort,
    config: &IntegrationConfig,
    client_ids: &[u64],
) -> Result<HashMap<u64, Vec<Customer>>, super::ports::PortError> {
    let field = config.fields.shop_id.as_str();
    let mut found: HashMap<u64, Vec<Customer>> = HashMap::new();
    for chunk in client_ids.chunks(IDS_PER_REQUEST) {
        for customer in crm.find_by_field_values(field, chunk).await? {
            let shop_id = customer
                .custom_fields
                .number(field)
                .and_then(|n| u64::try_from(n).ok());
            if let Some(shop_id) = shop_id.filter(|id| chunk.contains(id)) {
                found.entry(shop_id).or_default().push(customer);
            }
        }
    }
    Ok(found)
}

/// What the full sync knows when it picks its lookup strategy.
pub(crate) struct LookupFacts {
    /// Customers on the first shop page to sync.
    pub(crate) first_page_len: usize,
    /// Of those, how many are not linked in the store.
    pub(crate) first_page_unlinked: usize,
    /// Of those unlinked, how many e-mail / phone keys fallback matching would search.
    pub(crate) first_page_fallback_keys: usize,
    /// Shop pages left to sync, the first included.
    pub(crate) pages_left: u64,
}

/// Picks the lookup of a full sync by the rule in the module docs; may read the tenant.
pub(crate) async fn choose_full_sync_lookup(
    crm: &dyn CrmPort,
    config: &IntegrationConfig,
    facts: &LookupFacts,
    concurrency: usize,
) -> Result<Lookup, SyncError> {
    let matching = config.matching.by_email || config.matching.by_phone;
    if facts.first_page_len == 0 || facts.first_page_unlinked == 0 {
        return Ok(Lookup::Search);
    }
    if facts.pages_left <= 1 && !matching {
        return Ok(Lookup::Search);
    }
    let probe = crm
        .customers_page(0, TENANT_PAGE)
        .await
        .map_err(SyncError::Crm)?;
    let probe_len = probe.customers.len() as u64;
    let total = probe
        .total
        .or_else(|| (probe_len < u64::from(TENANT_PAGE)).then_some(probe_len));
    // Without a total the cost of the index is unknown: searching is bounded, so search.
    let Some(total) = total else {
        return Ok(Lookup::Search);
    };
    let index_cost = total.div_ceil(u64::from(TENANT_PAGE)).max(1);
    let fallback_per_page = if matching {
        facts.first_page_fallback_keys as u64
    } else {
        0
    };
    let search_cost = facts.pages_left.saturating_mul(1 + fallback_per_page);
    if index_cost > search_cost {
        return Ok(Lookup::Search);
    }
    build_index(crm, config, probe, total, concurrency)
        .await
        .map(Lookup::Index)
}

/// Reads the rest of the tenant after `first` (offset 0), concurrently, and indexes it all.
async fn build_index(
    crm: &dyn CrmPort,
    config: &IntegrationConfig,
    first: CrmPage,
    total: u64,
    concurrency: usize,
) -> Result<TenantIndex, SyncError> {
    let with_fallback = config.matching.by_email || config.matching.by_phone;
    let mut index = TenantIndex::new(config);
    for customer in first.customers {
        index.add(customer, with_fallback);
    }
    let page = u64::from(TENANT_PAGE);
    let offsets = (1..total.div_ceil(page)).map(|n| n * page);
    let mut pages = stream::iter(offsets)
        .map(|offset| crm.customers_page(offset, TENANT_PAGE))
        .buffered(concurrency.max(1));
    while let Some(next) = pages.try_next().await.map_err(SyncError::Crm)? {
        for customer in next.customers {
            index.add(customer, with_fallback);
        }
    }
    Ok(index)
}
