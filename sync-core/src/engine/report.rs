//! What a sync run did, as data: printable as a table and serialisable as JSON.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::plan::ConflictReason;
use crate::window::Window;

pub use super::lookup::LookupStrategy;

/// What kind of run a report describes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// The whole customer base (`Engine::full_sync`).
    #[default]
    FullSync,
    /// The changes since the last run (`Engine::incremental_sync`).
    Incremental,
    /// Webhook events (`Engine::handle_triggers`).
    Webhook,
}

impl RunKind {
    /// A short name for tables and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::FullSync => "full sync",
            RunKind::Incremental => "incremental",
            RunKind::Webhook => "webhook",
        }
    }
}

/// A shop customer with something a person should look at (several contacts carry its
/// shop ID, it matched several agent-made contacts, or the contact it matched went to
/// another customer). The customer was synced all the same; nothing is merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictEntry {
    /// The shop's client id.
    pub client_id: u64,
    /// The Thulium customers concerned.
    pub customer_ids: Vec<u64>,
    /// What is odd about them.
    pub reason: ConflictReason,
}

/// A shop customer whose write failed; it is stored and retried on the next run.
/// A shop record the client could not decode (one without `clientId`, say) is a failure
/// too (`client_id` 0, the reason naming its JSON path), never written and not stored:
/// there is no id to retry it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureEntry {
    /// The shop's client id (0: the record had none).
    pub client_id: u64,
    /// Why (no customer data).
    pub reason: String,
}

/// The outcome of one sync run of one integration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The integration's name.
    pub integration: String,
    /// What kind of run this was.
    pub kind: RunKind,
    /// The integration is disabled: nothing was read or written.
    pub disabled: bool,
    /// How the full sync found existing Thulium customers (`None` for other runs, or when
    /// there was nothing to sync).
    pub lookup: Option<LookupStrategy>,
    /// The customers window of the incremental pass (for a full sync: its closing pass).
    pub customers_window: Option<Window>,
    /// The orders window of the incremental pass.
    pub orders_window: Option<Window>,
    /// Webhook events handled.
    pub events: u64,
    /// Webhook events ignored as duplicates of a recent one.
    pub events_ignored: u64,
    /// Customers retried because their write failed in an earlier run.
    pub retried_failures: u64,
    /// The full sync resumed from this page of an interrupted run.
    pub resumed_from_page: Option<u32>,
    /// Shop pages processed in this run.
    pub pages: u32,
    /// Shop customers looked at.
    pub customers_seen: u64,
    /// Thulium customers created.
    pub created: u64,
    /// Thulium customers updated.
    pub updated: u64,
    /// Agent-made Thulium contacts taken over (their agents' e-mails and phones kept).
    pub adopted: u64,
    /// Customers unchanged since the last write.
    pub skipped: u64,
    /// Customers that matched one agent-made contact and waited for the end of the full
    /// sync, where each contact goes to one customer (see `engine::adoption`).
    pub adoptions_deferred: u64,
    /// Waiting customers written at the end of the full sync (adopted, or created).
    pub adoptions_decided: u64,
    /// Creates of a full-sync page beyond its last full batch that waited until the end of
    /// the run, written there in full batches with the other waiting customers.
    pub creates_deferred: u64,
    /// Creates of a full-sync page beyond its last full batch that a later page wrote in its
    /// full batches (see `engine::carry`).
    pub creates_carried: u64,
    /// Customers with a conflict note (synced all the same).
    pub conflicts: Vec<ConflictEntry>,
    /// Customers whose write failed and still stands failed at the end of the run (retried
    /// on the next run; one that failed on its page and was written later in the same run,
    /// e.g. by a full sync's closing pass, is not listed), and shop records without a client
    /// id (left out, not retried).
    pub failed: Vec<FailureEntry>,
    /// Items of a batch write that had to be retried one by one.
    pub single_retries: u64,
    /// Reads sent again because their answer could not be decoded.
    pub read_retries: u64,
    /// Mapping issues (invalid e-mails, phones, …) across all customers.
    pub mapping_issues: u64,
    /// Order items created or updated in the orders field group.
    pub order_items_written: u64,
    /// Requests made, per port method (`shop.customers_page`, `crm.create_customers`, …).
    pub requests: BTreeMap<String, u64>,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
}

impl SyncReport {
    /// Requests made to one API (`"shop"` or `"crm"`).
    pub fn requests_to(&self, api: &str) -> u64 {
        self.requests
            .iter()
            .filter(|(method, _)| method.split('.').next() == Some(api))
            .map(|(_, n)| n)
            .sum()
    }

    /// Requests made in all.
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }

    /// Requests made with one port method (`"crm.create_customers"`).
    pub fn requests_of(&self, method: &str) -> u64 {
        self.requests.get(method).copied().unwrap_or(0)
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl fmt::Display for SyncReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.disabled {
            return writeln!(
                f,
                "integration {}: disabled, nothing done",
                self.integration
            );
        }
        writeln!(
            f,
            "integration {} ({})",
            self.integration,
            self.kind.as_str()
        )?;
        let mut rows: Vec<(&str, String)> = vec![
            ("pages", self.pages.to_string()),
            ("customers seen", self.customers_seen.to_string()),
            ("created", self.created.to_string()),
            ("updated", self.updated.to_string()),
            ("adopted", self.adopted.to_string()),
            ("unchanged", self.skipped.to_string()),
            ("conflict notes", self.conflicts.len().to_string()),
            ("failed", self.failed.len().to_string()),
            ("single retries", self.single_retries.to_string()),
            ("read retries", self.read_retries.to_string()),
            ("order items", self.order_items_written.to_string()),
        ];
        if self.kind == RunKind::Webhook {
            rows.push(("events", self.events.to_string()));
            rows.push(("duplicates", self.events_ignored.to_string()));
        }
        rows.push(("requests", self.total_requests().to_string()));
        rows.push((
            "duration",
            format!("{:.1} s", self.duration_ms as f64 / 1000.0),
        ));
        for (label, value) in rows {
            writeln!(f, "  {label:<16} {value:>10}")?;
        }
        if let Some(lookup) = self.lookup {
            writeln!(f, "  lookup: {lookup:?}")?;
        }
        for (method, count) in &self.requests {
            writeln!(f, "    {method:<32} {count:>8}")?;
        }
        for conflict in &self.conflicts {
            writeln!(
                f,
                "  conflict: shop client {}: {:?} (Thulium customers {:?})",
                conflict.client_id, conflict.reason, conflict.customer_ids
            )?;
        }
        for failure in &self.failed {
            writeln!(
                f,
                "  failed: shop client {}: {}",
                failure.client_id, failure.reason
            )?;
        }
        Ok(())
    }
}

/// Progress of a running full sync, given to the progress callback after each page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The page just finished (0-based).
    pub page: u32,
    /// The number of shop pages, as the shop last said.
    pub page_count: u32,
    /// Customers processed so far, including those of earlier runs when resuming.
    pub customers_done: u64,
    /// Shop customers in total, as the shop last said.
    pub customers_total: u64,
}
