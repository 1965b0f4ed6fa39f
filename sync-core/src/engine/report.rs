//! What a sync run did, as data: printable as a table and serialisable as JSON.

use std::fmt;

use serde::Serialize;

use crate::plan::ConflictReason;

/// A shop customer that several Thulium customers claim; reported, never merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictEntry {
    /// The shop's client id.
    pub client_id: u64,
    /// The Thulium customers claiming it.
    pub customer_ids: Vec<u64>,
    /// Why they conflict.
    pub reason: ConflictReason,
}

/// A shop customer whose write failed; it is stored and retried on the next run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureEntry {
    /// The shop's client id.
    pub client_id: u64,
    /// Why (no customer data).
    pub reason: String,
}

/// The outcome of one sync run of one integration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The integration's name.
    pub integration: String,
    /// The integration is disabled: nothing was read or written.
    pub disabled: bool,
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
    /// Customers unchanged since the last write.
    pub skipped: u64,
    /// Customers in conflict.
    pub conflicts: Vec<ConflictEntry>,
    /// Customers whose write failed (retried on the next run).
    pub failed: Vec<FailureEntry>,
    /// Items of a batch write that had to be retried one by one.
    pub single_retries: u64,
    /// Mapping issues (invalid e-mails, phones, …) across all customers.
    pub mapping_issues: u64,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
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
        writeln!(f, "integration {}", self.integration)?;
        let rows: [(&str, String); 9] = [
            ("pages", self.pages.to_string()),
            ("customers seen", self.customers_seen.to_string()),
            ("created", self.created.to_string()),
            ("updated", self.updated.to_string()),
            ("unchanged", self.skipped.to_string()),
            ("conflicts", self.conflicts.len().to_string()),
            ("failed", self.failed.len().to_string()),
            ("single retries", self.single_retries.to_string()),
            (
                "duration",
                format!("{:.1} s", self.duration_ms as f64 / 1000.0),
            ),
        ];
        for (label, value) in rows {
            writeln!(f, "  {label:<16} {value:>10}")?;
        }
        for conflict in &self.conflicts {
            writeln!(
                f,
                "  conflict: shop client {} claimed by Thulium customers {:?} ({:?})",
                conflict.client_id, conflict.customer_ids, conflict.reason
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
