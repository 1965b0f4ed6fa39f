//! An in-memory [`StateStore`] for tests, with the same semantics as the SQLite one.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::NaiveDateTime;

use super::{
    Change, Changes, CursorKind, FailedCustomer, FullSyncCheckpoint, StateStore, StoreError,
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
    /// client id → (customer id, fingerprint)
    customers: HashMap<u64, (u64, Option<String>)>,
    failures: BTreeMap<u64, FailedCustomer>,
    order_items: HashMap<u64, u64>,
    order_prints: HashMap<u64, String>,
    events: HashMap<String, NaiveDateTime>,
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
    fn apply(&mut self, integration: &str, change: Change) -> Result<(), StoreError> {
        match change {
            Change::SetCursor(kind, at) => {
                self.cursors.insert(kind, at);
            }
            Change::SetCheckpoint(checkpoint) => self.checkpoint = Some(checkpoint),
            Change::ClearCheckpoint => self.checkpoint = None,
            Change::Written(written) => {
                self.check_unlinked(integration, written.client_id, written.customer_id)?;
                self.customers.insert(
                    written.client_id,
                    (written.customer_id, Some(written.fingerprint)),
                );
                self.failures.remove(&written.client_id);
            }
            Change::Link {
                client_id,
                customer_id,
            } => {
                self.check_unlinked(integration, client_id, customer_id)?;
                let entry = self
                    .customers
                    .entry(client_id)
                    .or_insert((customer_id, None));
                if entry.0 != customer_id {
                    *entry = (customer_id, None);
                }
            }
            Change::Unlink { client_id } => {
                self.customers.remove(&client_id);
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
            Change::OrderItem {
                serial_number,
                item_id,
            } => {
                if self.order_items.insert(serial_number, item_id) != Some(item_id) {
                    self.order_prints.remove(&serial_number);
                }
            }
        }
        Ok(())
    }

    /// The same rule as the SQLite store's `UNIQUE (integration, customer_id)`.
    fn check_unlinked(
        &self,
        integration: &str,
        client_id: u64,
        customer_id: u64,
    ) -> Result<(), StoreError> {
        let other = self
            .customers
            .iter()
            .find(|(other, (linked, _))| *linked == customer_id && **other != client_id);
        match other {
            Some((linked_client_id, _)) => Err(StoreError::CustomerAlreadyLinked {
                integration: integration.to_owned(),
                customer_id,
                linked_client_id: *linked_client_id,
                client_id,
            }),
            None => Ok(()),
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

    async fn links_for(
        &self,
        integration: &str,
        client_ids: &[u64],
    ) -> Result<HashMap<u64, u64>, StoreError> {
        self.read(integration, |s| {
            client_ids
                .iter()
                .filter_map(|id| s.customers.get(id).map(|(customer, _)| (*id, *customer)))
                .collect()
        })
    }

    async fn fingerprints_for(
        &self,
        integration: &str,
        client_ids: &[u64],
    ) -> Result<HashMap<u64, String>, StoreError> {
        self.read(integration, |s| {
            client_ids
                .iter()
                .filter_map(|id| {
                    let (_, fingerprint) = s.customers.get(id)?;
                    Some((*id, fingerprint.clone()?))
                })
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
        let mut guard = self.lock()?;
        // Work on a copy and swap it in only when every change applied: all or nothing.
        let mut next = guard.get(integration).cloned().unwrap_or_default();
        for change in changes {
            next.apply(integration, change)?;
        }
        guard.insert(integration.to_owned(), next);
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
