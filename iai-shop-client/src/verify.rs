//! Checking a key: one cheap read per module the integration needs (the "Authenticate"
//! button of a settings page).

use crate::error::Error;
use crate::idosell_client::IdoSellClient;

/// A module permission the key lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingScope {
    /// The module, e.g. `crm` (customers) or `oms` (orders).
    pub module: String,
    /// The level needed, `r` or `rw`.
    pub level: String,
}

/// What [`IdoSellClient::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// The key reads both customers and orders.
    Ok,
    /// The shop refused the key itself.
    BadKey {
        /// The API's message, if any.
        message: Option<String>,
    },
    /// The key works but lacks these permissions.
    MissingScopes(Vec<MissingScope>),
}

impl IdoSellClient {
    /// Checks the credentials with one minimal read per module: customers (CRM read,
    /// `GET /clients/clients` with `resultsLimit=1`) and orders (OMS read, an order search
    /// with `resultsLimit=1`). An empty shop is fine. Errors other than 401/403 (network,
    /// 5xx) are returned as errors, since they say nothing about the key.
    pub async fn verify(&self) -> Result<VerifyOutcome, Error> {
        let mut missing = Vec::new();
        let crm = self.clients().list().page_size(1).page().await.map(drop);
        if let Some(bad_key) = check("crm", crm, &mut missing)? {
            return Ok(bad_key);
        }
        let oms = self.orders().search().page_size(1).page().await.map(drop);
        if let Some(bad_key) = check("oms", oms, &mut missing)? {
            return Ok(bad_key);
        }
        Ok(if missing.is_empty() {
            VerifyOutcome::Ok
        } else {
            VerifyOutcome::MissingScopes(missing)
        })
    }
}

/// Files one module's result: `Some(BadKey)` ends the check, a 403 adds a missing scope.
fn check(
    module: &str,
    result: Result<(), Error>,
    missing: &mut Vec<MissingScope>,
) -> Result<Option<VerifyOutcome>, Error> {
    match result {
        Ok(()) => Ok(None),
        Err(Error::Unauthorized { message, .. }) => Ok(Some(VerifyOutcome::BadKey { message })),
        Err(Error::Forbidden {
            module: named,
            level,
            ..
        }) => {
            missing.push(MissingScope {
                // Assumption: a 403 without a readable scope is about the module called, read level.
                module: named.unwrap_or_else(|| module.to_owned()),
                level: level.unwrap_or_else(|| "r".to_owned()),
            });
            Ok(None)
        }
        Err(other) => Err(other),
    }
}
