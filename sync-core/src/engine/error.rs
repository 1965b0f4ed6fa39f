//! Why a run stops: [`SyncError`]. A customer that cannot be written is not a reason to stop
//! (it is reported, stored and retried); only what makes going on pointless or unsafe is.

use super::ports::PortError;
use super::preflight::PreflightError;
use super::store::StoreError;

/// Why a run stopped. A stopped full sync resumes from its checkpoint on the next call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// Reading the shop failed (after the client's own retries).
    #[error("shop: {0}")]
    Shop(#[source] PortError),
    /// Reading Thulium failed (after the client's own retries).
    #[error("Thulium: {0}")]
    Crm(#[source] PortError),
    /// The state store failed.
    #[error("state store: {0}")]
    Store(#[from] StoreError),
    /// The first customer written into a tenant that preflight could not check lacks
    /// required custom fields: nothing else was written (see `engine::preflight`).
    #[error("the first customer written shows that {0}")]
    FieldsMissing(#[source] PreflightError),
}
