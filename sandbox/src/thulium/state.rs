//! State shared by the handlers: the store behind a lock and the fixed schema.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::body::Bytes;
use serde_json::Value;

use super::agents::AgentBook;
use super::error::{ApiError, code};
use super::quirks::ThuliumQuirks;
use super::schema::Schema;
use super::store::{Missing, Store};

/// Cheap to clone; every clone sees the same tenant.
///
/// Lock order, to stay free of deadlocks: `store` before `agents`; `quirks` is only ever
/// held alone (it is copied out).
#[derive(Clone)]
pub(crate) struct AppState {
    pub store: Arc<RwLock<Store>>,
    pub schema: Arc<Schema>,
    pub agents: Arc<Mutex<AgentBook>>,
    pub quirks: Arc<Mutex<ThuliumQuirks>>,
}

impl AppState {
    // Store updates are completed before a guard is released, and nothing in them panics on
    // purpose, so a poisoned lock still guards consistent data.
    pub fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Take after the store lock, never before.
    pub fn agents(&self) -> MutexGuard<'_, AgentBook> {
        self.agents.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn quirks(&self) -> ThuliumQuirks {
        *self.quirks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set_quirks(&self, quirks: ThuliumQuirks) {
        *self.quirks.lock().unwrap_or_else(PoisonError::into_inner) = quirks;
    }
}

/// The tenant's local time in Thulium's format.
pub(crate) fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A JSON request body, or a 400 that says why not.
pub(crate) fn json_body(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|error| {
        ApiError::bad_request(
            code::INVALID_BODY,
            format!("The request body is not valid JSON: {error}."),
        )
    })
}

/// An id from the path; anything but a number is an unknown resource.
pub(crate) fn path_id(raw: &str, what: &str) -> Result<u64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found(what))
}

pub(crate) fn missing_error(missing: Missing) -> ApiError {
    match missing {
        Missing::NeverExisted => ApiError::not_found("Customer"),
        Missing::Deleted => ApiError::gone("Customer"),
    }
}
