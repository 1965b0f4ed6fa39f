//! `X-API-KEY` authentication with per-module scopes.

use axum::http::HeaderMap;

use super::error::ApiError;

/// An API module a key can be granted (the panel's API key permissions: module and level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Module {
    /// Customers (`clients/...`).
    Crm,
    /// Orders (`orders/...`).
    Oms,
}

/// The access level of a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Read only.
    Read,
    /// Read and write.
    ReadWrite,
}

/// One API key of the simulated shop and the scopes it grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// The key as sent in `X-API-KEY`.
    pub key: String,
    /// Granted modules with their level.
    pub scopes: Vec<(Module, Level)>,
}

impl ApiKey {
    /// A key with read-write access to customers and orders.
    pub fn full(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            scopes: vec![
                (Module::Crm, Level::ReadWrite),
                (Module::Oms, Level::ReadWrite),
            ],
        }
    }

    /// A key with exactly these scopes.
    pub fn scoped(key: impl Into<String>, scopes: &[(Module, Level)]) -> Self {
        Self {
            key: key.into(),
            scopes: scopes.to_vec(),
        }
    }

    fn grants(&self, module: Module, level: Level) -> bool {
        self.scopes
            .iter()
            .any(|(granted, granted_level)| *granted == module && *granted_level >= level)
    }
}

impl Module {
    fn scope_name(self) -> &'static str {
        match self {
            Self::Crm => "crm",
            Self::Oms => "oms",
        }
    }
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Self::Read => "r",
            Self::ReadWrite => "rw",
        }
    }
}

/// Checks the request's key against `keys`: 401 when unknown, 403 when the scope is missing.
pub(crate) fn authorize(
    keys: &[ApiKey],
    headers: &HeaderMap,
    module: Module,
    level: Level,
) -> Result<(), ApiError> {
    let sent = headers
        .get("x-api-key")
        .and_then(|value| value.to_str().ok())
        .ok_or(ApiError::Unauthorized)?;
    let key = keys
        .iter()
        .find(|key| key.key == sent)
        .ok_or(ApiError::Unauthorized)?;
    if key.grants(module, level) {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            scope: module.scope_name(),
            level: level.name(),
        })
    }
}
