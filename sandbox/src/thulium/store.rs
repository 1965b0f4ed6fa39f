//! The tenant's data: customers in id order, a few indexes for fast search, field-group items.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;

use serde_json::Value;

use super::input::{CustomerPatch, apply_patch};
use super::record::{CustomerRecord, FieldGroupItemRecord};
use super::search::{CustomerQuery, Filter, email_key, phone_index_key};

/// Why a customer could not be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    NeverExisted,
    Deleted,
}

type Ids = BTreeSet<u64>;

/// Customers, indexes and field-group items.
#[derive(Debug, Default)]
pub(crate) struct Store {
    customers: BTreeMap<u64, CustomerRecord>,
    deleted: BTreeSet<u64>,
    next_customer_id: u64,
    /// Trimmed, lower-cased e-mail → customers.
    by_email: HashMap<String, Ids>,
    /// Digits of a phone → customers.
    by_phone: HashMap<String, Ids>,
    by_identifier: HashMap<String, Ids>,
    /// (field name, value as text) → customers.
    by_custom_field: HashMap<(String, String), Ids>,
    items: BTreeMap<u64, FieldGroupItemRecord>,
    next_item_id: u64,
}

/// The text a custom-field value is indexed and searched by.
pub(crate) fn custom_field_key(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

impl Store {
    pub fn new() -> Self {
        Self {
            next_customer_id: 1,
            next_item_id: 1,
            ..Self::default()
        }
    }

    pub fn len(&self) -> usize {
        self.customers.len()
    }

    pub fn get(&self, id: u64) -> Result<&CustomerRecord, Missing> {
        self.customers.get(&id).ok_or(self.missing(id))
    }

    fn missing(&self, id: u64) -> Missing {
        if self.deleted.contains(&id) {
            Missing::Deleted
        } else {
            Missing::NeverExisted
        }
    }

    /// Stores `record` as is; an id of 0 gets the next free id. Returns the id.
    pub fn insert(&mut self, mut record: CustomerRecord) -> u64 {
        if record.customer_id == 0 {
            record.customer_id = self.next_customer_id;
        }
        let id = record.customer_id;
        self.next_customer_id = self.next_customer_id.max(id + 1);
        record.field_group_items.clear();
        if let Some(old) = self.customers.remove(&id) {
            self.unindex(&old);
        }
        self.index(&record);
        self.customers.insert(id, record);
        id
    }

    pub fn create(&mut self, patch: CustomerPatch, now: String) -> u64 {
        let mut record = CustomerRecord::default();
        apply_patch(&mut record, patch);
        record.updated_at = now;
        self.insert(record)
    }

    pub fn update(&mut self, id: u64, patch: CustomerPatch, now: String) -> Result<(), Missing> {
        let Some(mut record) = self.customers.remove(&id) else {
            return Err(self.missing(id));
        };
        self.unindex(&record);
        apply_patch(&mut record, patch);
        record.updated_at = now;
        self.index(&record);
        self.customers.insert(id, record);
        Ok(())
    }

    /// Deletes the customer and its field-group items.
    pub fn delete(&mut self, id: u64) -> Result<(), Missing> {
        let Some(record) = self.customers.remove(&id) else {
            return Err(self.missing(id));
        };
        self.unindex(&record);
        self.deleted.insert(id);
        self.items.retain(|_, item| item.customer_id != id);
        Ok(())
    }

    fn index(&mut self, record: &CustomerRecord) {
        self.update_indexes(record, IndexChange::Add);
    }

    fn unindex(&mut self, record: &CustomerRecord) {
        self.update_indexes(record, IndexChange::Remove);
    }

    /// The one place that pairs each index with the keys a record has in it.
    fn update_indexes(&mut self, record: &CustomerRecord, change: IndexChange) {
        let id = record.customer_id;
        let keys = IndexKeys::of(record);
        change.apply(&mut self.by_email, keys.emails, id);
        change.apply(&mut self.by_phone, keys.phones, id);
        change.apply(&mut self.by_identifier, keys.identifier, id);
        change.apply(&mut self.by_custom_field, keys.custom_fields, id);
    }

    /// Matching customers in id order (ascending, stable): `(total, page)`.
    pub fn search(&self, query: &CustomerQuery) -> (usize, Vec<&CustomerRecord>) {
        let matching = self
            .candidates(query)
            .into_iter()
            .filter(|record| query.matches(record));
        let mut total = 0;
        let mut page = Vec::new();
        for record in matching {
            if total >= query.offset && page.len() < query.limit {
                page.push(record);
            }
            total += 1;
        }
        (total, page)
    }

    /// A superset of the matches, narrowed with the indexes where a filter allows it.
    fn candidates(&self, query: &CustomerQuery) -> Vec<&CustomerRecord> {
        let mut narrowed: Option<Ids> = None;
        let mut narrow = |ids: Ids| {
            narrowed = Some(match narrowed.take() {
                Some(current) => current.intersection(&ids).copied().collect(),
                None => ids,
            });
        };
        for filter in &query.filters {
            let lookup = |index: &HashMap<String, Ids>, key: &str| {
                index.get(key).cloned().unwrap_or_default()
            };
            match filter {
                // A substring can be anywhere in an address: no index helps.
                Filter::Email(Some(email)) if !query.quirks.email_substring_search => {
                    narrow(lookup(&self.by_email, &email_key(email)))
                }
                Filter::Phone(Some(phone)) => {
                    narrow(lookup(&self.by_phone, &phone_index_key(phone)))
                }
                Filter::Identifier(Some(identifier)) => {
                    narrow(lookup(&self.by_identifier, identifier))
                }
                Filter::CustomField { name, alternatives }
                    if !alternatives.iter().any(Option::is_none) =>
                {
                    let ids = alternatives
                        .iter()
                        .flatten()
                        .filter_map(|value| {
                            self.by_custom_field.get(&(name.clone(), value.clone()))
                        })
                        .flatten()
                        .copied()
                        .collect();
                    narrow(ids);
                }
                _ => {}
            }
        }
        match narrowed {
            Some(ids) => ids.iter().filter_map(|id| self.customers.get(id)).collect(),
            None => self.customers.values().collect(),
        }
    }

    pub fn all(&self) -> impl Iterator<Item = &CustomerRecord> {
        self.customers.values()
    }

    pub fn items_of(&self, customer_id: u64) -> Vec<FieldGroupItemRecord> {
        self.items
            .values()
            .filter(|item| item.customer_id == customer_id)
            .cloned()
            .collect()
    }

    pub fn items(&self) -> impl Iterator<Item = &FieldGroupItemRecord> {
        self.items.values()
    }

    pub fn item_mut(&mut self, item_id: u64) -> Option<&mut FieldGroupItemRecord> {
        self.items.get_mut(&item_id)
    }

    pub fn add_item(
        &mut self,
        group_id: u64,
        customer_id: u64,
        values: BTreeMap<u64, Value>,
    ) -> u64 {
        let item_id = self.next_item_id;
        self.next_item_id += 1;
        self.items.insert(
            item_id,
            FieldGroupItemRecord {
                item_id,
                group_id,
                customer_id,
                values,
            },
        );
        item_id
    }

    pub fn remove_item(&mut self, item_id: u64) -> bool {
        self.items.remove(&item_id).is_some()
    }
}

/// The keys one customer occupies in each index.
struct IndexKeys {
    emails: Vec<String>,
    phones: Vec<String>,
    identifier: Option<String>,
    custom_fields: Vec<(String, String)>,
}

impl IndexKeys {
    fn of(record: &CustomerRecord) -> Self {
        Self {
            emails: record.emails.iter().map(|email| email_key(email)).collect(),
            phones: record
                .phones
                .iter()
                .map(|phone| phone_index_key(phone))
                .collect(),
            identifier: record.identifier.clone(),
            custom_fields: record
                .custom_fields
                .iter()
                .map(|(name, value)| (name.clone(), custom_field_key(value)))
                .collect(),
        }
    }
}

/// Whether a record's keys are being added to the indexes or taken out of them.
#[derive(Clone, Copy)]
enum IndexChange {
    Add,
    Remove,
}

impl IndexChange {
    fn apply<K: Hash + Eq>(
        self,
        index: &mut HashMap<K, Ids>,
        keys: impl IntoIterator<Item = K>,
        id: u64,
    ) {
        for key in keys {
            match self {
                Self::Add => {
                    index.entry(key).or_default().insert(id);
                }
                // An emptied entry is dropped, so the index holds only keys still in use.
                Self::Remove => {
                    if let Some(ids) = index.get_mut(&key) {
                        ids.remove(&id);
                        if ids.is_empty() {
                            index.remove(&key);
                        }
                    }
                }
            }
        }
    }
}
