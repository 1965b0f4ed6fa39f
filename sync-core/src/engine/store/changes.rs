//! A set of store writes committed together.

use chrono::NaiveDateTime;

use super::{CursorKind, FullSyncCheckpoint, WaitingCustomer, WrittenCustomer};
use crate::caller::CallerRecord;

/// One write to the state store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Set an incremental cursor.
    SetCursor(CursorKind, NaiveDateTime),
    /// Store (replace) the full-sync checkpoint.
    SetCheckpoint(FullSyncCheckpoint),
    /// Drop the full-sync checkpoint.
    ClearCheckpoint,
    /// A customer was written: link, fingerprint and values; its pending failure and
    /// wait are cleared. Thulium now holds this client on that contact, so a
    /// link of another client to the same contact is dropped.
    Written(WrittenCustomer),
    /// Link a shop client to a Thulium customer without a fingerprint (found, not written).
    /// Re-linking to another customer drops the old fingerprint; another client's link to
    /// the same customer is dropped.
    Link {
        /// The shop's client id.
        client_id: u64,
        /// The Thulium customer.
        customer_id: u64,
    },
    /// A write failed; counts one more attempt and keeps the latest reason.
    Failed {
        /// The shop's client id.
        client_id: u64,
        /// Why (a readable message, no customer data).
        reason: String,
        /// When.
        at: NaiveDateTime,
    },
    /// Gives up a claim whose write was refused: the link is removed if it still points at
    /// `customer_id` and was never written (no fingerprint).
    Release {
        /// The shop's client id.
        client_id: u64,
        /// The claimed Thulium customer.
        customer_id: u64,
    },
    /// A customer waits for the end of the full sync (replaces an earlier wait).
    Waiting(Box<WaitingCustomer>),
    /// A customer no longer waits.
    DropWaiting {
        /// The shop's client id.
        client_id: u64,
    },
    /// A pending failure no longer needs a retry (written, or nothing to write).
    ClearFailure {
        /// The shop's client id.
        client_id: u64,
    },
    /// An order's field-group item was written: its id and the fingerprint of its values.
    OrderItemWritten {
        /// The order's serial number in the shop.
        serial_number: u64,
        /// The Thulium field-group item id.
        item_id: u64,
        /// The fingerprint of the values written.
        fingerprint: String,
    },
    /// A shop customer as caller lookups find it (replaces the client's earlier record and
    /// all its phones).
    Caller(Box<CallerRecord>),
}

/// Writes applied in order and committed atomically by [`super::StateStore::apply`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    items: Vec<Change>,
}

impl Changes {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends any change.
    pub fn push(mut self, change: Change) -> Self {
        self.items.push(change);
        self
    }

    /// Appends [`Change::SetCursor`].
    pub fn set_cursor(self, kind: CursorKind, at: NaiveDateTime) -> Self {
        self.push(Change::SetCursor(kind, at))
    }

    /// Appends [`Change::SetCheckpoint`].
    pub fn set_checkpoint(self, checkpoint: FullSyncCheckpoint) -> Self {
        self.push(Change::SetCheckpoint(checkpoint))
    }

    /// Appends [`Change::ClearCheckpoint`].
    pub fn clear_checkpoint(self) -> Self {
        self.push(Change::ClearCheckpoint)
    }

    /// Appends [`Change::Written`].
    pub fn written(self, written: WrittenCustomer) -> Self {
        self.push(Change::Written(written))
    }

    /// Appends [`Change::Link`].
    pub fn link(self, client_id: u64, customer_id: u64) -> Self {
        self.push(Change::Link {
            client_id,
            customer_id,
        })
    }

    /// Appends [`Change::Failed`].
    pub fn failed(self, client_id: u64, reason: &str, at: NaiveDateTime) -> Self {
        self.push(Change::Failed {
            client_id,
            reason: reason.to_owned(),
            at,
        })
    }

    /// Appends [`Change::Release`].
    pub fn release(self, client_id: u64, customer_id: u64) -> Self {
        self.push(Change::Release {
            client_id,
            customer_id,
        })
    }

    /// Appends [`Change::Waiting`].
    pub fn waiting(self, candidate: WaitingCustomer) -> Self {
        self.push(Change::Waiting(Box::new(candidate)))
    }

    /// Appends [`Change::DropWaiting`].
    pub fn drop_waiting(self, client_id: u64) -> Self {
        self.push(Change::DropWaiting { client_id })
    }

    /// Appends [`Change::ClearFailure`].
    pub fn clear_failure(self, client_id: u64) -> Self {
        self.push(Change::ClearFailure { client_id })
    }

    /// Appends [`Change::Caller`].
    pub fn caller(self, record: CallerRecord) -> Self {
        self.push(Change::Caller(Box::new(record)))
    }

    /// Appends [`Change::OrderItemWritten`].
    pub fn order_item_written(self, serial_number: u64, item_id: u64, fingerprint: &str) -> Self {
        self.push(Change::OrderItemWritten {
            serial_number,
            item_id,
            fingerprint: fingerprint.to_owned(),
        })
    }

    /// Appends every change of `other`.
    pub fn extend(mut self, other: Changes) -> Self {
        self.items.extend(other.items);
        self
    }

    /// The changes, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Change> {
        self.items.iter()
    }

    /// Number of changes.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl IntoIterator for Changes {
    type Item = Change;
    type IntoIter = std::vec::IntoIter<Change>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}
