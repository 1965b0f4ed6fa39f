//! Finding the existing Thulium customers of a set of shop customers.
//!
//! Two strategies ([`LookupStrategy`]):
//! - [`LookupStrategy::SearchPerPage`]: one ID-field search per ≤100 shop customers that need
//!   a lookup (the IDs sent as alternatives of one search), and for customers neither linked
//!   nor found, one search per e-mail / phone when fallback matching is on.
//! - [`LookupStrategy::TenantIndex`]: the whole tenant read once in 1000-item pages, kept as a
//!   compact index (ID-field value → customers, and e-mail / phone match keys → customers when
//!   fallback matching is on); every later lookup of the run costs no request.
//!
//! # Exact matches only
//! A fallback match counts only when the contact *as returned* shares a value with the shop
//! customer by its match key ([`email_key`], [`phone_key`]): Thulium's `email` filter may
//! match a substring (`abak@yahoo.com` finds `urszulabak@yahoo.com`) and its phone filter's
//! rules are undocumented, so the search's word alone never links anyone. A phone is searched
//! in three spellings (`phone_search_forms`); a contact whose number an agent typed yet
//! another way (with spaces, say) is found by the index, which compares match keys — one more
//! reason the index is preferred whenever fallback matching is on.
//!
//! # Which one a full sync uses
//! 1. Every customer of the first shop page to sync is already linked in the store (a repeat
//!    or resumed run): **Search** — linked, unchanged customers need no lookup at all, so the
//!    searches cost a request only on pages with changes, and reading the tenant would be
//!    pure overhead.
//! 2. At most one shop page is left and fallback matching is off: **Search** (one request at
//!    most).
//! 3. Otherwise searching costs about `S = P × (1 + k)` requests (`P` shop pages left, `k` the
//!    e-mail / phone keys of the first page's unlinked customers when fallback matching is
//!    on, else 0), and reading the tenant `ceil` of its size over the page stride. The first
//!    tenant page (1000 customers) is read: it is reused, and tells the size when the answer
//!    carries a total or the page is short. A list answer without a total (Thulium does not
//!    promise one) is settled by one more request: a one-customer probe at the offset where
//!    reading would start to cost more than `S`; an empty answer there means the index costs
//!    no more than searching. The index is built when it costs no more; otherwise **Search**.
//!
//! # Reading a tenant that changes
//! Agents add and delete contacts while the tenant is read, and a deletion before an offset
//! shifts every later contact one place back, so plain offset paging can skip a contact. The
//! pages therefore overlap by `PAGE_OVERLAP` (20) customers (a stride of `1000 - PAGE_OVERLAP`):
//! up to that many deletions between two neighbouring reads skip nothing, and a seam where
//! two full pages share no customer is read again from half a page earlier; a seam still
//! open after that fails the lookup (retryable: the run stops and the next one starts over).
//! Added contacts only repeat a customer (harmless) or extend the last page, and the read goes
//! on until a page comes back short. Pages are read `concurrency` at a time when the size is
//! known, one at a time when it is not (reading ahead could only ask past the end). This assumes the list keeps a stable order (as by id).
//!
//! The index is a snapshot taken at the start of the run; customers created by the run are
//! found through the store's links, which are read under the customer's lock.

use std::collections::{HashMap, HashSet};

use futures::{StreamExt, stream};
use serde_json::Value;
use thulium_client::{CustomFields, Customer, CustomerInput};

use crate::config::IntegrationConfig;
use crate::contact_values::{email_key, phone_key, values_on};
use crate::phone::{PhoneFormat, format_phone};

use super::engine::IDS_PER_REQUEST;
use super::error::SyncError;
use super::ports::{CrmPage, CrmPort, PortError};

/// Customers per page when the whole tenant is read (the API's maximum).
pub(crate) const TENANT_PAGE: u32 = 1000;

/// How many customers neighbouring tenant pages share (see the module docs).
pub(crate) const PAGE_OVERLAP: u32 = 20;

/// The offset step between tenant pages.
const STRIDE: u64 = (TENANT_PAGE - PAGE_OVERLAP) as u64;

/// How a run finds existing Thulium customers.
pub(crate) enum Lookup {
    /// Searches per page of shop customers.
    Search,
    /// A snapshot of the whole tenant.
    Index(Box<TenantIndex>),
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

/// A Thulium customer reduced to what planning and merging need, in boxes sized to fit (48
/// bytes and the texts: most contacts of a lived-in tenant carry no shop ID at all).
#[derive(Debug, Clone)]
struct Entry {
    customer_id: u64,
    shop_id: Option<Box<Value>>,
    email: Option<Box<str>>,
    phones: Box<[Box<str>]>,
}

/// The tenant in a compact form.
#[derive(Debug, Default)]
pub(crate) struct TenantIndex {
    id_field: String,
    phone_country: String,
    entries: Vec<Entry>,
    seen: HashSet<u64>,
    by_shop_id: HashMap<u64, Positions>,
    by_email: HashMap<Box<str>, Positions>,
    by_phone: HashMap<Box<str>, Positions>,
    /// The e-mail and phone keys were let go ([`Lookup::keep_id_lookups_only`]).
    fallback_dropped: bool,
}

/// The positions of the entries under one key of the index. Nearly every key (an ID, an
/// e-mail, a phone) is on one contact, so one position is kept inline: for a tenant of
/// 50,000 contacts that saves an allocation per key, megabytes in all.
#[derive(Debug)]
enum Positions {
    One(u32),
    Many(Box<[u32]>),
}

impl Positions {
    /// Files `position` under `key`.
    fn add<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Positions>, key: K, position: u32) {
        map.entry(key)
            .and_modify(|positions| {
                let mut all = positions.as_slice().to_vec();
                all.push(position);
                *positions = Positions::Many(all.into_boxed_slice());
            })
            .or_insert(Positions::One(position));
    }

    fn as_slice(&self) -> &[u32] {
        match self {
            Positions::One(position) => std::slice::from_ref(position),
            Positions::Many(all) => all,
        }
    }
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
        // Overlapping pages (and contacts added mid-read) repeat customers.
        if !self.seen.insert(customer.customer_id) {
            return;
        }
        let Ok(position) = u32::try_from(self.entries.len()) else {
            return;
        };
        let shop_id = customer
            .custom_fields
            .number(&self.id_field)
            .and_then(|n| u64::try_from(n).ok());
        if let Some(shop_id) = shop_id {
            Positions::add(&mut self.by_shop_id, shop_id, position);
        }
        let values = values_on(&customer);
        if with_fallback {
            for email in &values.emails {
                let key = email_key(email).into_boxed_str();
                Positions::add(&mut self.by_email, key, position);
            }
            let keys: HashSet<String> = values
                .phones
                .iter()
                .map(|p| phone_key(p, &self.phone_country))
                .collect();
            for key in keys {
                Positions::add(&mut self.by_phone, key.into_boxed_str(), position);
            }
        }
        self.entries.push(Entry {
            customer_id: customer.customer_id,
            shop_id: customer
                .custom_fields
                .raw(&self.id_field)
                .cloned()
                .map(Box::new),
            email: customer.email.map(String::into_boxed_str),
            phones: values
                .phones
                .into_iter()
                .map(String::into_boxed_str)
                .collect(),
        });
    }

    /// Frees what only the read needed: the set of customers seen (overlapping pages repeat
    /// them) and the room the entries grew into. The index is read-only from here.
    fn done_reading(&mut self) {
        self.seen = HashSet::new();
        self.entries.shrink_to_fit();
    }

    /// Stand-ins for the customers holding `shop_id` in the ID field.
    fn holding(&self, shop_id: u64) -> Vec<Customer> {
        let positions = self.by_shop_id.get(&shop_id).map(Positions::as_slice);
        self.stand_ins(positions.into_iter().flatten())
    }

    /// Stand-ins for the customers sharing an e-mail address or phone with `desired`.
    fn matching(&self, desired: &CustomerInput, config: &IntegrationConfig) -> Vec<Customer> {
        debug_assert!(
            !self.fallback_dropped,
            "fallback lookup after its keys were dropped"
        );
        let mut positions: Vec<&u32> = Vec::new();
        if config.matching.by_email {
            for email in &desired.email {
                let found = self.by_email.get(email_key(email).as_str());
                positions.extend(found.map(Positions::as_slice).into_iter().flatten());
            }
        }
        if config.matching.by_phone {
            for phone in &desired.phone_number {
                let key = phone_key(phone, &self.phone_country);
                let found = self.by_phone.get(key.as_str());
                positions.extend(found.map(Positions::as_slice).into_iter().flatten());
            }
        }
        positions.sort_unstable();
        positions.dedup();
        self.stand_ins(positions.into_iter())
    }

    /// Customers carrying the id, ID-field value, e-mail and phones the index kept: all that
    /// planning and merging read of a match.
    fn stand_ins<'a>(&self, positions: impl Iterator<Item = &'a u32>) -> Vec<Customer> {
        positions
            .filter_map(|p| self.entries.get(*p as usize))
            .map(|entry| {
                let fields = entry
                    .shop_id
                    .as_ref()
                    .map(|value| {
                        [(self.id_field.clone(), Value::clone(value))]
                            .into_iter()
                            .collect()
                    })
                    .unwrap_or_default();
                Customer {
                    customer_id: entry.customer_id,
                    email: entry.email.as_deref().map(str::to_owned),
                    phone_numbers: entry.phones.iter().map(|p| p.to_string()).collect(),
                    custom_fields: CustomFields::from_map(fields),
                    ..Customer::default()
                }
            })
            .collect()
    }
}

impl Lookup {
    /// Lets go of the index's e-mail and phone keys (for a tenant of 50,000 contacts, about
    /// a third of its memory) once no fallback lookup is left to make: after a full sync's
    /// pages, the adoption decision looks customers up by the ID field only, and makes room
    /// for its own work with what this frees.
    pub(crate) fn keep_id_lookups_only(&mut self) {
        if let Lookup::Index(index) = self {
            index.by_email = HashMap::new();
            index.by_phone = HashMap::new();
            index.fallback_dropped = true;
        }
    }

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

    /// Thulium customers sharing an e-mail address or phone *exactly* with `desired` (a
    /// customer not linked yet), as the matching settings allow.
    pub(crate) async fn by_fallback(
        &self,
        crm: &dyn CrmPort,
        config: &IntegrationConfig,
        desired: &CustomerInput,
    ) -> Result<Vec<Customer>, SyncError> {
        if let Lookup::Index(index) = self {
            return Ok(index.matching(desired, config));
        }
        let mut found = Vec::new();
        if config.matching.by_email {
            for email in &desired.email {
                found.extend(crm.find_by_email(email).await.map_err(SyncError::Crm)?);
            }
        }
        if config.matching.by_phone {
            for phone in &desired.phone_number {
                for form in phone_search_forms(phone, &config.phone_default_country) {
                    found.extend(crm.find_by_phone(&form).await.map_err(SyncError::Crm)?);
                }
            }
        }
        let mut seen = HashSet::new();
        found.retain(|c| seen.insert(c.customer_id) && shares_a_value(c, desired, config));
        Ok(found)
    }
}

/// The spellings a phone is searched by: Thulium's phone filter is undocumented and agents
/// type numbers their own way, so a number is looked for as E.164 (`+48601234567`), as the
/// national number (`601234567`) and with the `00` prefix (`0048601234567`); what comes back
/// is checked by match key all the same. A number that cannot be read is searched as written.
pub(crate) fn phone_search_forms(phone: &str, default_country: &str) -> Vec<String> {
    let Some(e164) = crate::phone::phone_key(phone, default_country) else {
        return vec![phone.to_owned()];
    };
    let national = format_phone(&e164, PhoneFormat::National, default_country);
    let mut forms = vec![e164.clone(), national, format!("00{}", &e164[1..])];
    forms.dedup();
    forms
}

/// Whether the contact as read shares an e-mail or phone with `desired` by match key.
fn shares_a_value(contact: &Customer, desired: &CustomerInput, config: &IntegrationConfig) -> bool {
    let on_contact = values_on(contact);
    let country = config.phone_default_country.as_str();
    let emails: HashSet<String> = desired.email.iter().map(|e| email_key(e)).collect();
    let phones: HashSet<String> = desired
        .phone_number
        .iter()
        .map(|p| phone_key(p, country))
        .collect();
    (config.matching.by_email
        && on_contact
            .emails
            .iter()
            .any(|e| emails.contains(&email_key(e))))
        || (config.matching.by_phone
            && on_contact
                .phones
                .iter()
                .any(|p| phones.contains(&phone_key(p, country))))
}

/// One ID-field search per ≤100 ids; only customers whose ID field holds one of the ids.
pub(crate) async fn search_by_shop_ids(
    crm: &dyn CrmPort,
    config: &IntegrationConfig,
    client_ids: &[u64],
) -> Result<HashMap<u64, Vec<Customer>>, PortError> {
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

impl LookupFacts {
    /// The estimated requests of searching: one ID search per page, plus the fallback
    /// searches of its unlinked customers.
    fn search_cost(&self, matching: bool) -> u64 {
        let per_page = if matching {
            1 + self.first_page_fallback_keys as u64
        } else {
            1
        };
        self.pages_left.saturating_mul(per_page)
    }
}

/// Tenant pages needed to read `total` customers (the first page full, then one per stride).
fn index_cost(total: u64) -> u64 {
    let page = u64::from(TENANT_PAGE);
    if total <= page {
        1
    } else {
        1 + (total - page).div_ceil(STRIDE)
    }
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
    let search_cost = facts.search_cost(matching);
    let first = crm
        .customers_page(0, TENANT_PAGE)
        .await
        .map_err(SyncError::Crm)?;
    let first_len = first.customers.len() as u64;
    let known_total = first
        .total
        .or_else(|| (first_len < u64::from(TENANT_PAGE)).then_some(first_len));
    let index_is_cheaper = match known_total {
        Some(total) => index_cost(total) <= search_cost,
        // No total: is there anyone at the offset where the index starts to cost more?
        None if search_cost < 2 => false,
        None => {
            let beyond = u64::from(TENANT_PAGE) + (search_cost - 1) * STRIDE;
            let probe = crm
                .customers_page(beyond, 1)
                .await
                .map_err(SyncError::Crm)?;
            probe.customers.is_empty()
        }
    };
    if !index_is_cheaper {
        return Ok(Lookup::Search);
    }
    // Without a total, pages read ahead of the answers could all fall past the end: read
    // one at a time then (no request past the end; one page's latency per page).
    let ahead = if known_total.is_some() {
        concurrency
    } else {
        1
    };
    let index = build_index(crm, config, first, ahead).await?;
    Ok(Lookup::Index(Box::new(index)))
}

/// One page of the tenant read, with the ids at its two ends (for the seam check).
struct ReadPage {
    offset: u64,
    full: bool,
    ids: Vec<u64>,
}

/// Reads the rest of the tenant after `first` (offset 0) in overlapping pages, `concurrency`
/// at a time, until a page comes back short, checks the seams, and indexes it all.
async fn build_index(
    crm: &dyn CrmPort,
    config: &IntegrationConfig,
    first: CrmPage,
    concurrency: usize,
) -> Result<TenantIndex, SyncError> {
    let with_fallback = config.matching.by_email || config.matching.by_phone;
    let mut index = TenantIndex::new(config);
    let mut pages = vec![read_page(0, first, &mut index, with_fallback)];
    if pages[0].full {
        let offsets = (1u64..).map(|n| n * STRIDE);
        let mut rest = stream::iter(offsets)
            .map(|offset| async move { (offset, crm.customers_page(offset, TENANT_PAGE).await) })
            .buffered(concurrency.max(1));
        while let Some((offset, page)) = rest.next().await {
            let page = page.map_err(SyncError::Crm)?;
            let read = read_page(offset, page, &mut index, with_fallback);
            let full = read.full;
            pages.push(read);
            if !full {
                break;
            }
        }
    }
    close_seams(crm, &pages, &mut index, with_fallback).await?;
    index.done_reading();
    Ok(index)
}

fn read_page(offset: u64, page: CrmPage, index: &mut TenantIndex, with_fallback: bool) -> ReadPage {
    let full = page.customers.len() >= TENANT_PAGE as usize;
    let ids = page.customers.iter().map(|c| c.customer_id).collect();
    for customer in page.customers {
        index.add(customer, with_fallback);
    }
    ReadPage { offset, full, ids }
}

/// Reads again around every seam where two full neighbouring pages share no customer.
async fn close_seams(
    crm: &dyn CrmPort,
    pages: &[ReadPage],
    index: &mut TenantIndex,
    with_fallback: bool,
) -> Result<(), SyncError> {
    for pair in pages.windows(2) {
        let [before, after] = pair else { continue };
        if !before.full || after.ids.is_empty() || overlaps(&before.ids, &after.ids) {
            continue;
        }
        let offset = before.offset + STRIDE / 2;
        let page = crm
            .customers_page(offset, TENANT_PAGE)
            .await
            .map_err(SyncError::Crm)?;
        let bridge = read_page(offset, page, index, with_fallback);
        if !(overlaps(&before.ids, &bridge.ids) && overlaps(&bridge.ids, &after.ids)) {
            return Err(SyncError::Crm(PortError::retryable(
                "the Thulium tenant changed too much while it was read (a page seam stayed open)",
            )));
        }
    }
    Ok(())
}

fn overlaps(a: &[u64], b: &[u64]) -> bool {
    let a: HashSet<&u64> = a.iter().collect();
    b.iter().any(|id| a.contains(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_cost_counts_overlapping_pages() {
        assert_eq!(index_cost(0), 1);
        assert_eq!(index_cost(1000), 1);
        assert_eq!(index_cost(1001), 2);
        assert_eq!(index_cost(1000 + 980), 2);
        assert_eq!(index_cost(1000 + 981), 3);
        assert_eq!(index_cost(50_000), 1 + 49_000_u64.div_ceil(980));
    }
}
