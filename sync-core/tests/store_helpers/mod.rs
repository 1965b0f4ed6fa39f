//! One-change shorthands the store tests write with; the engine writes through
//! `StateStore::apply` only, so these live here rather than on the trait.
#![allow(dead_code)]

use std::collections::HashMap;

use chrono::NaiveDateTime;
use sync_core::contact_values::ContactValues;
use sync_core::engine::store::{Changes, CursorKind, StateStore, StoreError, WrittenCustomer};

/// A written customer without remembered values.
pub fn written(client_id: u64, customer_id: u64, fingerprint: &str) -> WrittenCustomer {
    WrittenCustomer {
        client_id,
        customer_id,
        fingerprint: fingerprint.to_owned(),
        values: ContactValues::default(),
    }
}

/// Shorthands over [`StateStore::apply`] and [`StateStore::link_records_for`].
pub trait StoreShorthands {
    async fn set_cursor(
        &self,
        integration: &str,
        kind: CursorKind,
        at: NaiveDateTime,
    ) -> Result<(), StoreError>;
    async fn clear_checkpoint(&self, integration: &str) -> Result<(), StoreError>;
    async fn record_written(
        &self,
        integration: &str,
        written: WrittenCustomer,
    ) -> Result<(), StoreError>;
    async fn record_written_batch(
        &self,
        integration: &str,
        written: Vec<WrittenCustomer>,
    ) -> Result<(), StoreError>;
    async fn record_failure(
        &self,
        integration: &str,
        client_id: u64,
        reason: &str,
        at: NaiveDateTime,
    ) -> Result<(), StoreError>;
    /// Stores an order's item (with a placeholder fingerprint).
    async fn set_order_item(
        &self,
        integration: &str,
        serial: u64,
        item: u64,
    ) -> Result<(), StoreError>;
    async fn fingerprints_for(
        &self,
        integration: &str,
        client_ids: &[u64],
    ) -> Result<HashMap<u64, String>, StoreError>;
}

impl<S: StateStore + ?Sized> StoreShorthands for S {
    async fn set_cursor(
        &self,
        integration: &str,
        kind: CursorKind,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        self.apply(integration, Changes::new().set_cursor(kind, at))
            .await
    }

    async fn clear_checkpoint(&self, integration: &str) -> Result<(), StoreError> {
        self.apply(integration, Changes::new().clear_checkpoint())
            .await
    }

    async fn record_written(
        &self,
        integration: &str,
        written: WrittenCustomer,
    ) -> Result<(), StoreError> {
        self.apply(integration, Changes::new().written(written))
            .await
    }

    async fn record_written_batch(
        &self,
        integration: &str,
        written: Vec<WrittenCustomer>,
    ) -> Result<(), StoreError> {
        let changes = written.into_iter().fold(Changes::new(), Changes::written);
        self.apply(integration, changes).await
    }

    async fn record_failure(
        &self,
        integration: &str,
        client_id: u64,
        reason: &str,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        self.apply(integration, Changes::new().failed(client_id, reason, at))
            .await
    }

    async fn set_order_item(
        &self,
        integration: &str,
        serial: u64,
        item: u64,
    ) -> Result<(), StoreError> {
        self.apply(
            integration,
            Changes::new().order_item_written(serial, item, "-"),
        )
        .await
    }

    async fn fingerprints_for(
        &self,
        integration: &str,
        client_ids: &[u64],
    ) -> Result<HashMap<u64, String>, StoreError> {
        let records = self.link_records_for(integration, client_ids).await?;
        Ok(records
            .into_iter()
            .filter_map(|(client, record)| Some((client, record.fingerprint?)))
            .collect())
    }
}
