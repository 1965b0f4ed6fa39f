//! Request counters shared by both simulators.
//!
//! Every request that reaches a simulator is counted by HTTP method and by the route
//! *template* it matched (`GET /api/customers/{id}`, not `GET /api/customers/17`), so tests
//! can assert "the sync read each customer exactly once" without caring about ids.
//! Requests that match no route are counted under their literal path.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Thread-safe request counters keyed by `"METHOD /route/template"`.
///
/// Cloning is cheap and every clone shares the same counts.
///
/// ```
/// use sandbox::metrics::RequestCounters;
///
/// let counters = RequestCounters::default();
/// counters.record("GET", "/api/customers");
/// counters.record("GET", "/api/customers");
/// assert_eq!(counters.get("GET", "/api/customers"), 2);
/// assert_eq!(counters.total(), 2);
/// assert_eq!(counters.snapshot()["GET /api/customers"], 2);
/// ```
#[derive(Clone, Default)]
pub struct RequestCounters {
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl RequestCounters {
    /// Adds one request for `method` on `route_template`.
    pub fn record(&self, method: &str, route_template: &str) {
        let key = counter_key(method, route_template);
        let mut counts = self.lock();
        *counts.entry(key).or_insert(0) += 1;
    }

    /// Requests seen so far for `method` (e.g. `"GET"`) on `route_template`
    /// (e.g. `"/api/customers/{id}"`); 0 when none.
    pub fn get(&self, method: &str, route_template: &str) -> u64 {
        let key = counter_key(method, route_template);
        self.lock().get(&key).copied().unwrap_or(0)
    }

    /// Requests seen so far on all routes.
    pub fn total(&self) -> u64 {
        self.lock().values().sum()
    }

    /// A copy of every counter, keyed by `"METHOD /route/template"`, in sorted order.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.lock().clone()
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, u64>> {
        // A panic while holding this lock cannot leave the map inconsistent (each update is a
        // single insert), so a poisoned lock is still safe to use.
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for RequestCounters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.snapshot()).finish()
    }
}

fn counter_key(method: &str, route_template: &str) -> String {
    format!("{} {route_template}", method.to_ascii_uppercase())
}
