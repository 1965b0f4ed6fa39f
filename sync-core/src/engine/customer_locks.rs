//! A lock per shop customer, so that two runs touching the same customer at once (two
//! webhooks, a webhook and the poller, two pages of a full sync that both list it) never
//! look it up, write it and record it interleaved — which could create two Thulium customers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// Keyed async mutexes by shop client id; entries of unused locks are dropped lazily.
#[derive(Debug, Default)]
pub(crate) struct CustomerLocks {
    locks: Mutex<HashMap<u64, Weak<AsyncMutex<()>>>>,
}

/// The locks of a set of customers, released together when dropped.
pub(crate) struct CustomerGuards {
    _guards: Vec<OwnedMutexGuard<()>>,
}

impl CustomerLocks {
    /// Locks every one of `client_ids` (duplicates allowed). Locks are taken in ascending id
    /// order, so two callers with overlapping sets cannot deadlock.
    pub(crate) async fn lock_all(&self, client_ids: &[u64]) -> CustomerGuards {
        let mut ids = client_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mutexes = self.mutexes_of(&ids);
        let mut guards = Vec::with_capacity(mutexes.len());
        for mutex in mutexes {
            guards.push(mutex.lock_owned().await);
        }
        CustomerGuards { _guards: guards }
    }

    /// Locks `client_id` if nobody holds it, without waiting (so a caller already holding
    /// other locks cannot deadlock on it); `None` when it is held.
    pub(crate) fn try_lock(&self, client_id: u64) -> Option<CustomerGuards> {
        let mutex = self.mutexes_of(&[client_id]).pop()?;
        let guard = mutex.try_lock_owned().ok()?;
        Some(CustomerGuards {
            _guards: vec![guard],
        })
    }

    /// The mutex of each of `ids`, created when missing.
    fn mutexes_of(&self, ids: &[u64]) -> Vec<Arc<AsyncMutex<()>>> {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        if locks.len() > 4 * ids.len().max(1024) {
            locks.retain(|_, weak| weak.strong_count() > 0);
        }
        ids.iter()
            .map(|id| {
                if let Some(existing) = locks.get(id).and_then(Weak::upgrade) {
                    return existing;
                }
                let fresh = Arc::new(AsyncMutex::new(()));
                locks.insert(*id, Arc::downgrade(&fresh));
                fresh
            })
            .collect()
    }
}
