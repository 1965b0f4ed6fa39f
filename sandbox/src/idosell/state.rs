//! The state shared by the simulator's handlers and its [`ShopSim`](super::ShopSim) handle.

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use serde_json::Value;

use super::auth::{self, ApiKey, Level, Module};
use super::clock::SimClock;
use super::error::ApiError;
use super::quirks::Quirks;
use super::store::ShopData;

/// API versions served; the reference's paths are the same from v5 to v8.
const VERSIONS: &[&str] = &["v5", "v6", "v7", "v8"];

pub(crate) type AppState = Arc<Shared>;

pub(crate) struct Shared {
    data: RwLock<ShopData>,
    quirks: RwLock<Quirks>,
    pub(crate) clock: SimClock,
    keys: Vec<ApiKey>,
}

impl Shared {
    pub(crate) fn new(data: ShopData, quirks: Quirks, clock: SimClock, keys: Vec<ApiKey>) -> Self {
        Self {
            data: RwLock::new(data),
            quirks: RwLock::new(quirks),
            clock,
            keys,
        }
    }

    // A handler that panicked mid-change could leave a half-applied change, but every change
    // validates first and then assigns, so the data stays consistent: recover from poison.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, ShopData> {
        self.data.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, ShopData> {
        self.data.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies one change stamped with the clock's next second, under the write lock.
    pub(crate) fn change<T>(&self, apply: impl FnOnce(&mut ShopData, NaiveDateTime) -> T) -> T {
        let now = self.clock.tick();
        apply(&mut self.write(), now)
    }

    pub(crate) fn quirks(&self) -> Quirks {
        *self.quirks.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_quirks(&self, quirks: Quirks) {
        *self.quirks.write().unwrap_or_else(PoisonError::into_inner) = quirks;
    }

    /// Checks the path's API version and the caller's key.
    pub(crate) fn admit(
        &self,
        version: &str,
        headers: &HeaderMap,
        module: Module,
        level: Level,
    ) -> Result<(), ApiError> {
        if !VERSIONS.contains(&version) {
            return Err(ApiError::NotFound(format!("/api/admin/{version}")));
        }
        auth::authorize(&self.keys, headers, module, level)
    }

    /// A JSON answer with the current quirks applied.
    pub(crate) fn reply(&self, status: StatusCode, mut body: Value) -> Response {
        self.quirks().apply(&mut body);
        (status, axum::Json(body)).into_response()
    }
}
