//! The engine's view of the outside world: the shop ([`ShopPort`]) and the CRM
//! ([`CrmPort`]), as async traits over the client crates' model types.
//!
//! The engine needs no client-specific error: every port call fails with a [`PortError`]
//! that says whether trying again later may help. Adapters to the real HTTP clients live in
//! `engine::adapters` (feature `clients`); tests use in-memory fakes.

mod crm;
mod shop;

pub use crm::{CrmPage, CrmPort, CustomerUpdate, FieldFinding};
pub use shop::{OrdersQuery, ShopPage, ShopPort};
// The required-field model is the Thulium client's own: one definition for both sides.
pub use thulium_client::{FieldKind, RequiredField};

/// Why a port call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PortError {
    /// A readable message, without customer data or secrets.
    pub message: String,
    /// Whether the same call may succeed later (network trouble, 429, 5xx, timeouts).
    pub retryable: bool,
    /// The HTTP status, when the failure was an HTTP answer.
    pub status: Option<u16>,
    /// The answer arrived but could not be decoded (malformed or cut-off JSON). The client
    /// does not repeat such a request; the engine repeats a *read* that failed this way
    /// (a read changes nothing), and counts it in the report.
    pub undecodable: bool,
}

impl PortError {
    /// A failure that may go away (network, 429, 5xx, timeout).
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: true,
            status: None,
            undecodable: false,
        }
    }

    /// A failure that will repeat (bad request, rejected data, missing permission).
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: false,
            status: None,
            undecodable: false,
        }
    }

    /// An answer that could not be decoded (see [`PortError::undecodable`]).
    pub fn undecodable(message: impl Into<String>) -> Self {
        Self {
            undecodable: true,
            ..Self::permanent(message)
        }
    }

    /// The same error, marked undecodable when `undecodable` is true.
    pub fn marked_undecodable(mut self, undecodable: bool) -> Self {
        self.undecodable |= undecodable;
        self
    }

    /// The same error with the HTTP status it came with.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
}

impl std::fmt::Display for PortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(status) => write!(f, "HTTP {status}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}
