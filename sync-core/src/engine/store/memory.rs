//! An in-memory [`StateStore`] for tests, with the same semantics as the SQLite one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::NaiveDateTime;

use crate::caller::CallerRecord;

use super::{
    Change, Changes, Claim, CursorKind, FailedCustomer, FullSyncCheckpoint, LinkRecord, StateStore,
    StoreError, WaitingCustomer, WaitingRank,
};

/// A [`StateStore`] held in memory: nothing survives the process. Meant for tests.
#[derive(Debug, Default)]
pub struct MemoryStore {
    integrations: Mutex<HashMap<String, IntegrationState>>,
}

#[derive(Debug, Clone, Default)]
struct IntegrationState {
    cursors: BTreeMap<CursorKind, NaiveDateTime>,
    checkpoint: Option<FullSyncCheckpoint>,
    /// client id → its link
    customers: HashMap<u64, LinkRecord>,
    /// customer id → the client holding it (the reverse of `customers`)
    holders: HashMap<u64, u64>,
    failures: BTreeMap<u64, FailedCustomer>,
    waiting: BTreeMap<u64, WaitingCustomer>,
    order_items: HashMap<u64, u64>,
    order_prints: HashMap<u64, String>,
    events: HashMap<String, NaiveDateTime>,
    callers: BTreeMap<u64, CallerRecord>,
    callers_by_phone: HashMap<String, BTreeSet<u64>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, HashMap<String, IntegrationState>>, StoreError> {
        self.integrations
            .lock()
            .map_err(|_| StoreError::Task("memory store lock poisoned".into()))
    }

    fn read<T>(
        &self,
        integration: &str,
        f: impl FnOnce(&IntegrationState) -> T,
    ) -> Result<T, StoreError> {
        let guard = self.lock()?;
        let empty = IntegrationState::default();
        Ok(f(guard.get(integration).unwrap_or(&empty)))
    }
}

impl IntegrationState {
    fn apply(&mut self, change: Change) {
        match change {
            Change::SetCursor(kind, at) => {
                self.cursors.insert(kind, at);
            }
            Change::SetCheckpoint(checkpoint) => self.checkpoint = Some(checkpoint),
            Change::ClearCheckpoint => self.checkpoint = None,
            Change::Written(written) => {
                self.link(written.client_id, written.customer_id);
                if let Some(record) = self.customers.get_mut(&written.client_id) {
                    record.fingerprint = Some(written.fingerprint);
                    record.values = Some(written.values);
                }
                self.failures.remove(&written.client_id);
                self.waiting.remove(&written.client_id);
            }
            Change::Link {
                client_id,
                customer_id,
            } => self.link(client_id, customer_id),
            Change::Release {
                client_id,
                customer_id,
            } => {
                let claimed_only = self.customers.get(&client_id).is_some_and(|record| {
                    record.customer_id == customer_id && record.fingerprint.is_none()
                });
                if claimed_only {
                    self.unlink(client_id);
                }
            }
            Change::Waiting(candidate) => {
                self.waiting.insert(candidate.client_id, *candidate);
            }
            Change::DropWaiting { client_id } => {
                self.waiting.remove(&client_id);
            }
            Change::Failed {
                client_id,
                reason,
                at,
            } => {
                let attempts = self.failures.get(&client_id).map_or(0, |f| f.attempts);
                self.failures.insert(
                    client_id,
                    FailedCustomer {
                        client_id,
                        reason,
                        attempts: attempts.saturating_add(1),
                        last_failed_at: at,
                    },
                );
            }
            Change::ClearFailure { client_id } => {
                self.failures.remove(&client_id);
            }
            Change::OrderItemWritten {
                serial_number,
                item_id,
                fingerprint,
            } => {
                self.order_items.insert(serial_number, item_id);
                self.order_prints.insert(serial_number, fingerprint);
            }
            Change::Caller(record) => self.index_caller(*record),
        }
    }

    /// Links `client_id` to `customer_id`, taking the customer from any other client (the
    /// same rule as the SQLite store); a move to another customer forgets what was written.
    fn link(&mut self, client_id: u64, customer_id: u64) {
        if let Some(&other) = self.holders.get(&customer_id)
            && other != client_id
        {
            self.customers.remove(&other);
        }
        let previous = self.customers.get(&client_id).map(|r| r.customer_id);
        if previous == Some(customer_id) {
            return;
        }
        if let Some(previous) = previous {
            self.holders.remove(&previous);
        }
        self.holders.insert(customer_id, client_id);
        self.customers.insert(
            client_id,
            LinkRecord {
                customer_id,
                fingerprint: None,
                values: None,
            },
        );
    }

    /// Replaces a client's caller record and its phones in the phone index.
    fn index_caller(&mut self, record: CallerRecord) {
        if let Some(old) = self.callers.remove(&record.client_id) {
            for phone in &old.phones {
                if let Some(clients) = self.callers_by_phone.get_mut(phone) {
                    clients.remove(&old.client_id);
                }
            }
        }
        for phone in &record.phones {
            self.callers_by_phone
                .entry(phone.clone())
                .or_default()
                .insert(record.client_id);
        }
        self.callers.insert(record.client_id, record);
    }

    fn unlink(&mut self, client_id: u64) {
        if let Some(record) = self.customers.remove(&client_id) {
            self.holders.remove(&record.customer_id);
        }
    }
}

#[async_trait]
impl StateStore for MemoryStore {
    async fn cursor(
        &self,
        integration: &str,
        kind: CursorKind,
    ) -> Result<Option<NaiveDateTime>, StoreError> {
        self.read(integration, |s| s.cursors.get(&kind).copied())
    }

    async fn checkpoint(
        &self,
        integration: &str,
    ) -> Result<Option<FullSyncCheckpoint>, StoreError> {
        self.read(integration, |s| s.checkpoint.clone())
    }

    async fn link_records_for(
        &self,
        integration: &str,
        client_ids: &[u64],
    ) -> Result<HashMap<u64, LinkRecord>, StoreError> {
        self.read(integration, |s| {
            client_ids
                .iter()
                .filter_map(|id| Some((*id, s.customers.get(id)?.clone())))
                .collect()
        })
    }

    async fn holders_of(
        &self,
        integration: &str,
        customer_ids: &[u64],
    ) -> Result<HashMap<u64, u64>, StoreError> {
        self.read(integration, |s| {
            customer_ids
                .iter()
                .filter_map(|id| Some((*id, *s.holders.get(id)?)))
                .collect()
        })
    }

    async fn callers_by_phone(
        &self,
        integration: &str,
        key: &str,
    ) -> Result<Vec<CallerRecord>, StoreError> {
        self.read(integration, |s| {
            s.callers_by_phone
                .get(key)
                .into_iter()
                .flatten()
                .filter_map(|client_id| s.callers.get(client_id).cloned())
                .collect()
        })
    }

    async fn claim_all(
        &self,
        integration: &str,
        claims: &[(u64, u64)],
    ) -> Result<Vec<Claim>, StoreError> {
        let mut guard = self.lock()?;
        let state = guard.entry(integration.to_owned()).or_default();
        Ok(claims
            .iter()
            .map(
                |&(client_id, customer_id)| match state.holders.get(&customer_id) {
                    Some(&holder) if holder != client_id => Claim::HeldBy(holder),
                    _ => {
                        state.link(client_id, customer_id);
                        Claim::Taken
                    }
                },
            )
            .collect())
    }

    async fn waiting_ranks(&self, integration: &str) -> Result<Vec<WaitingRank>, StoreError> {
        self.read(integration, |s| {
            s.waiting
                .values()
                .map(|w| WaitingRank {
                    client_id: w.client_id,
                    adopts: w.adopts,
                    registered: w.registered,
                })
                .collect()
        })
    }

    async fn waiting_customers(
        &self,
        integration: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<WaitingCustomer>, StoreError> {
        self.read(integration, |s| {
            s.waiting
                .range(after.saturating_add(1)..)
                .take(limit)
                .map(|(_, w)| w.clone())
                .collect()
        })
    }

    async fn order_items_for(
        &self,
        integration: &str,
        serials: &[u64],
    ) -> Result<HashMap<u64, u64>, StoreError> {
        self.read(integration, |s| {
            serials
                .iter()
                .filter_map(|serial| s.order_items.get(serial).map(|item| (*serial, *item)))
                .collect()
        })
    }

    async fn order_item_prints_for(
        &self,
        integration: &str,
        serials: &[u64],
    ) -> Result<HashMap<u64, String>, StoreError> {
        self.read(integration, |s| {
            serials
                .iter()
                .filter_map(|serial| s.order_prints.get(serial).map(|p| (*serial, p.clone())))
                .collect()
        })
    }

    async fn failed_customers(&self, integration: &str) -> Result<Vec<FailedCustomer>, StoreError> {
        self.read(integration, |s| s.failures.values().cloned().collect())
    }

    async fn apply(&self, integration: &str, changes: Changes) -> Result<(), StoreError> {
        // No change can fail, so applying in place is all or nothing under the lock.
        let mut guard = self.lock()?;
        let state = guard.entry(integration.to_owned()).or_default();
        for change in changes {
            state.apply(change);
        }
        Ok(())
    }

    async fn remember_event(
        &self,
        integration: &str,
        key: &str,
        at: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let mut guard = self.lock()?;
        let state = guard.entry(integration.to_owned()).or_default();
        if state.events.contains_key(key) {
            return Ok(false);
        }
        state.events.insert(key.to_owned(), at);
        Ok(true)
    }

    async fn forget_event(&self, integration: &str, key: &str) -> Result<(), StoreError> {
        let mut guard = self.lock()?;
        if let Some(state) = guard.get_mut(integration) {
            state.events.remove(key);
        }
        Ok(())
    }

    async fn prune_events(
        &self,
        integration: &str,
        older_than: NaiveDateTime,
    ) -> Result<u64, StoreError> {
        let mut guard = self.lock()?;
        let Some(state) = guard.get_mut(integration) else {
            return Ok(0);
        };
        let before = state.events.len();
        state.events.retain(|_, seen| *seen >= older_than);
        Ok(u64::try_from(before - state.events.len()).unwrap_or(u64::MAX))
    }
}
