//! The state store: what the engine remembers between runs, per integration.
//!
//! Every call names the integration it works for; two integrations never see each other's
//! data. Reads are batched (one call per page of customers); every write goes through
//! [`StateStore::apply`], which commits a whole [`Changes`] set atomically — so a page's
//! links, fingerprints and the checkpoint that says the page is done are stored together or
//! not at all. [`StateStore::set_checkpoint`] is provided on top of it.

mod changes;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod values;

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDateTime;
use thulium_client::CustomerInput;

use crate::caller::CallerRecord;
use crate::contact_values::{ContactValues, ValueSet};

pub use changes::{Change, Changes};
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::{InboxMessage, Leases, PostgresStore, WebhookInbox};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

/// Which incremental cursor: the shop's customers or its orders are polled separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CursorKind {
    /// Customers polled by their last modification date.
    Customers,
    /// Orders polled by their `modified` date.
    Orders,
}

impl CursorKind {
    /// A stable name, used as the key in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            CursorKind::Customers => "customers",
            CursorKind::Orders => "orders",
        }
    }
}

/// Where a full sync stopped, so a killed run resumes instead of starting again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullSyncCheckpoint {
    /// When the full sync started (shop time); the closing incremental pass starts here.
    pub started_at: NaiveDateTime,
    /// The next shop page to read (0-based); every page before it is fully stored.
    pub next_page: u32,
    /// The page size the pages above were counted in; a resume with another size restarts.
    pub page_size: u32,
    /// Shop customers processed so far (for progress reporting).
    pub customers_done: u64,
}

/// The link and fingerprint stored after a customer was written to Thulium.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenCustomer {
    /// The shop's client id.
    pub client_id: u64,
    /// The Thulium `customer_id` now holding this client.
    pub customer_id: u64,
    /// The fingerprint of what was written (see `sync_core::fingerprint`).
    pub fingerprint: String,
    /// Which e-mails, phones and optional fields on the contact are the sync's and which an
    /// agent's (see `sync_core::contact_values`).
    pub values: ContactValues,
}

/// What the store holds for one linked shop client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRecord {
    /// The Thulium customer holding the client.
    pub customer_id: u64,
    /// The fingerprint of the last write; `None` for a link or claim not written yet.
    pub fingerprint: Option<String>,
    /// The values remembered from the last write (`None` before the first one).
    pub values: Option<ContactValues>,
}

/// A shop customer whose write waits for the end of a full sync, with what it is to be:
/// - one that matched exactly one agent-made contact (`adopts`): adoption is decided once every
///   page is read, so that the same contact goes to the same customer whatever the page order
///   (see `engine::adoption`);
/// - a create left over from a page's last, partial batch (`adopts` is `None`): written with
///   the others at the end, so that batches are full whatever the page size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingCustomer {
    /// The shop's client id.
    pub client_id: u64,
    /// The agent-made contact it matched; `None` for a create.
    pub adopts: Option<u64>,
    /// A registered account (not a guest): ranks before guests.
    pub registered: bool,
    /// The desired Thulium customer, as mapped when the page was read.
    pub desired: CustomerInput,
    /// Its fingerprint.
    pub fingerprint: String,
    /// The e-mails and phones on the matched contact when it was read (empty for a create).
    pub contact: ValueSet,
}

/// What ranks a waiting customer for the adoption decision (see `engine::adoption`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitingRank {
    /// The shop's client id.
    pub client_id: u64,
    /// The agent-made contact it matched; `None` for a create.
    pub adopts: Option<u64>,
    /// A registered account (not a guest).
    pub registered: bool,
}

/// The answer to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The client now holds the contact (or already did).
    Taken,
    /// Another client holds it; nothing changed.
    HeldBy(u64),
}

/// A customer whose write failed and is retried on the next run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedCustomer {
    /// The shop's client id.
    pub client_id: u64,
    /// Why the last attempt failed (a readable message, no customer data).
    pub reason: String,
    /// How many runs have failed on this customer so far.
    pub attempts: u32,
    /// When the last attempt failed.
    pub last_failed_at: NaiveDateTime,
}

/// Errors of a state store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A value cannot be stored (e.g. an id above `i64::MAX` in SQLite).
    #[error("value out of range for the store: {0}")]
    OutOfRange(String),
    /// Stored data could not be read back (edited by hand, or a corrupt file).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The database file was written by a newer version of this crate.
    #[error("the store has schema version {found}, this build knows up to {known}; upgrade")]
    NewerSchema {
        /// The version found in the file.
        found: i64,
        /// The newest version this build can migrate to.
        known: i64,
    },
    /// The database reported an error (I/O, locking, disk full, …).
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The background task running the blocking call failed, or a lock was poisoned.
    #[error("store task failed: {0}")]
    Task(String),
}

/// The engine's memory between runs (cursor, checkpoint, links, fingerprints, retries,
/// webhook de-duplication), partitioned by integration name.
#[async_trait]
pub trait StateStore: Send + Sync {
    /// The incremental cursor of `kind`, if a run has set one.
    async fn cursor(
        &self,
        integration: &str,
        kind: CursorKind,
    ) -> Result<Option<NaiveDateTime>, StoreError>;

    /// The checkpoint of an unfinished full sync.
    async fn checkpoint(&self, integration: &str)
    -> Result<Option<FullSyncCheckpoint>, StoreError>;

    /// The link records of those of `client_ids` that are linked (or claimed).
    async fn link_records_for(
        &self,
        integration: &str,
        client_ids: &[u64],
    ) -> Result<HashMap<u64, LinkRecord>, StoreError>;

    /// The shop client holding each of `customer_ids`, for those held.
    async fn holders_of(
        &self,
        integration: &str,
        customer_ids: &[u64],
    ) -> Result<HashMap<u64, u64>, StoreError>;

    /// Claims contacts for clients before they are written, `(client, contact)` pairs in
    /// order, in one transaction: each claim fails (changing nothing) when another client
    /// holds the contact — an earlier pair of the same call included. A client's own link moves
    /// to the contact (a link to another contact is replaced, dropping its fingerprint). Give
    /// a claim back with [`Change::Release`] if the write fails.
    async fn claim_all(
        &self,
        integration: &str,
        claims: &[(u64, u64)],
    ) -> Result<Vec<Claim>, StoreError>;

    /// How every customer waiting for the end of a full sync ranks, by client id: light
    /// enough to hold for a whole shop (the desired data are read page by page with
    /// [`StateStore::waiting_customers`]).
    async fn waiting_ranks(&self, integration: &str) -> Result<Vec<WaitingRank>, StoreError>;

    /// Up to `limit` waiting customers with client ids above `after`, by client id.
    async fn waiting_customers(
        &self,
        integration: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<WaitingCustomer>, StoreError>;

    /// Claims one contact for one client; see [`StateStore::claim_all`].
    async fn claim(
        &self,
        integration: &str,
        client_id: u64,
        customer_id: u64,
    ) -> Result<Claim, StoreError> {
        let claims = self
            .claim_all(integration, &[(client_id, customer_id)])
            .await?;
        Ok(claims.into_iter().next().unwrap_or(Claim::Taken))
    }

    /// Field-group item id per order serial number, for those of `serials` that have one.
    async fn order_items_for(
        &self,
        integration: &str,
        serials: &[u64],
    ) -> Result<HashMap<u64, u64>, StoreError>;

    /// Fingerprint of the values last written to each order's field-group item, for those of
    /// `serials` that have one.
    async fn order_item_prints_for(
        &self,
        integration: &str,
        serials: &[u64],
    ) -> Result<HashMap<u64, String>, StoreError>;

    /// The caller records ([`Change::Caller`]) of every shop customer with phone `key` (a
    /// [`phone_key`](crate::phone::phone_key): E.164), by client id; empty when nobody has it.
    async fn callers_by_phone(
        &self,
        integration: &str,
        key: &str,
    ) -> Result<Vec<CallerRecord>, StoreError>;

    /// Customers whose write failed and is still to be retried, by client id.
    async fn failed_customers(&self, integration: &str) -> Result<Vec<FailedCustomer>, StoreError>;

    /// Applies `changes` in order, atomically: all of them are stored, or (on error) none.
    async fn apply(&self, integration: &str, changes: Changes) -> Result<(), StoreError>;

    /// Remembers a webhook event key seen at `at`; `true` if it was new, `false` for a
    /// duplicate (a key is remembered until [`StateStore::prune_events`] drops it).
    async fn remember_event(
        &self,
        integration: &str,
        key: &str,
        at: NaiveDateTime,
    ) -> Result<bool, StoreError>;

    /// Forgets one event key (e.g. because handling the event failed, so that a redelivery
    /// is handled again). Forgetting an unknown key is not an error.
    async fn forget_event(&self, integration: &str, key: &str) -> Result<(), StoreError>;

    /// Forgets event keys first seen before `older_than`; returns how many were dropped.
    async fn prune_events(
        &self,
        integration: &str,
        older_than: NaiveDateTime,
    ) -> Result<u64, StoreError>;

    /// Thulium `customer_id` per shop client id, for those of `client_ids` that are linked.
    async fn links_for(
        &self,
        integration: &str,
        client_ids: &[u64],
    ) -> Result<HashMap<u64, u64>, StoreError> {
        let records = self.link_records_for(integration, client_ids).await?;
        Ok(records
            .into_iter()
            .map(|(client, record)| (client, record.customer_id))
            .collect())
    }

    /// The Thulium `customer_id` of one shop client.
    async fn link(&self, integration: &str, client_id: u64) -> Result<Option<u64>, StoreError> {
        Ok(self
            .links_for(integration, &[client_id])
            .await?
            .remove(&client_id))
    }

    /// Stores a full-sync checkpoint, replacing the previous one.
    async fn set_checkpoint(
        &self,
        integration: &str,
        checkpoint: FullSyncCheckpoint,
    ) -> Result<(), StoreError> {
        self.apply(integration, Changes::new().set_checkpoint(checkpoint))
            .await
    }
}
