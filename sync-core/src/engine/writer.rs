//! Writing planned customers to Thulium: batch requests, then one-by-one retries of the
//! items a batch could not write, then a failure record for what still fails — never dropped.

use chrono::NaiveDateTime;
use thulium_client::{BatchItemOutcome, CustomerInput};

use crate::config::IntegrationConfig;
use crate::fingerprint::Fingerprint;

use super::engine::IDS_PER_REQUEST;
use super::ports::{CrmPort, CustomerUpdate, PortError};
use super::report::{FailureEntry, SyncReport};
use super::store::{Changes, WrittenCustomer};

/// A customer waiting to be written.
pub(crate) struct Pending {
    client_id: u64,
    input: CustomerInput,
    fingerprint: Fingerprint,
}

impl Pending {
    pub(crate) fn new(client_id: u64, input: CustomerInput) -> Self {
        let fingerprint = Fingerprint::of_customer(&input);
        Self {
            client_id,
            input,
            fingerprint,
        }
    }
}

/// The result of writing one item.
enum Written {
    Done(u64),
    Failed(String),
}

/// Collects the writes of a page and performs them in batches.
pub(crate) struct Writer<'a> {
    crm: &'a dyn CrmPort,
    config: &'a IntegrationConfig,
    chunk: usize,
    creates: Vec<Pending>,
    updates: Vec<(u64, Pending)>,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(crm: &'a dyn CrmPort, config: &'a IntegrationConfig, chunk: usize) -> Self {
        Self {
            crm,
            config,
            chunk: chunk.max(1),
            creates: Vec::new(),
            updates: Vec::new(),
        }
    }

    pub(crate) fn create(&mut self, pending: Pending) {
        self.creates.push(pending);
    }

    pub(crate) fn update(&mut self, customer_id: u64, pending: Pending) {
        self.updates.push((customer_id, pending));
    }

    /// Writes everything collected; returns the store changes recording each outcome.
    pub(crate) async fn flush(self, report: &mut SyncReport, now: NaiveDateTime) -> Changes {
        let mut changes = Changes::new();
        for chunk in self.creates.chunks(self.chunk) {
            let results = self.create_chunk(chunk, report).await;
            changes = record(changes, chunk.iter().zip(results), report, now, |r| {
                r.created += 1
            });
        }
        for chunk in self.updates.chunks(self.chunk) {
            let results = self.update_chunk(chunk, report).await;
            let pendings = chunk.iter().map(|(_, pending)| pending);
            changes = record(changes, pendings.zip(results), report, now, |r| {
                r.updated += 1
            });
        }
        changes
    }

    async fn create_chunk(&self, chunk: &[Pending], report: &mut SyncReport) -> Vec<Written> {
        let inputs: Vec<CustomerInput> = chunk.iter().map(|p| p.input.clone()).collect();
        let outcomes = self.crm.create_customers(&inputs).await;
        let mut results = batch_results(outcomes, chunk.len(), |outcome| match outcome {
            BatchItemOutcome::Created { customer_id } => Some(customer_id),
            _ => None,
        });
        let failed: Vec<usize> = failed_positions(&results);
        if failed.is_empty() {
            return results;
        }
        // A failed create may still have created the customer (a 2xx without an id, or an
        // answer lost on the way back): look for the ID field first, so nobody is created twice.
        let ids: Vec<u64> = failed.iter().map(|i| chunk[*i].client_id).collect();
        let existing = match self.existing_by_shop_id(&ids).await {
            Ok(existing) => existing,
            Err(error) => {
                for i in failed {
                    results[i] = Written::Failed(format!("create not confirmed: {error}"));
                }
                return results;
            }
        };
        for i in failed {
            report.single_retries += 1;
            let pending = &chunk[i];
            let matches: Vec<u64> = existing
                .iter()
                .filter(|(shop_id, _)| *shop_id == pending.client_id)
                .map(|(_, customer_id)| *customer_id)
                .collect();
            results[i] = match matches.as_slice() {
                [] => self.create_one(&pending.input).await,
                [customer_id] => self.update_one(*customer_id, &pending.input).await,
                several => Written::Failed(format!(
                    "Thulium customers {several:?} carry this shop ID after a failed create"
                )),
            };
        }
        results
    }

    async fn update_chunk(
        &self,
        chunk: &[(u64, Pending)],
        report: &mut SyncReport,
    ) -> Vec<Written> {
        let updates: Vec<CustomerUpdate> = chunk
            .iter()
            .map(|(customer_id, pending)| CustomerUpdate {
                customer_id: *customer_id,
                input: pending.input.clone(),
            })
            .collect();
        let outcomes = self.crm.update_customers(&updates).await;
        let mut results = batch_results(outcomes, chunk.len(), |outcome| match outcome {
            BatchItemOutcome::Updated => Some(0),
            _ => None,
        });
        for (i, (customer_id, pending)) in chunk.iter().enumerate() {
            results[i] = match results[i] {
                Written::Done(_) => Written::Done(*customer_id),
                Written::Failed(_) => {
                    report.single_retries += 1;
                    self.update_one(*customer_id, &pending.input).await
                }
            };
        }
        results
    }

    async fn create_one(&self, input: &CustomerInput) -> Written {
        match self.crm.create_customer(input).await {
            Ok(customer_id) => Written::Done(customer_id),
            Err(error) => Written::Failed(format!("create: {error}")),
        }
    }

    async fn update_one(&self, customer_id: u64, input: &CustomerInput) -> Written {
        let update = CustomerUpdate {
            customer_id,
            input: input.clone(),
        };
        match self.crm.update_customer(&update).await {
            Ok(()) => Written::Done(customer_id),
            // Deleted in Thulium since we linked it: the shop customer needs a new one.
            Err(error) if error.status == Some(404) => self.create_one(input).await,
            Err(error) => Written::Failed(format!("update of customer {customer_id}: {error}")),
        }
    }

    /// `(shop id, Thulium customer id)` pairs for Thulium customers carrying `client_ids`.
    async fn existing_by_shop_id(&self, client_ids: &[u64]) -> Result<Vec<(u64, u64)>, PortError> {
        let field = self.config.fields.shop_id.as_str();
        let mut pairs = Vec::new();
        for chunk in client_ids.chunks(IDS_PER_REQUEST) {
            for customer in self.crm.find_by_field_values(field, chunk).await? {
                let shop_id = customer
                    .custom_fields
                    .number(field)
                    .and_then(|n| u64::try_from(n).ok());
                if let Some(shop_id) = shop_id.filter(|id| chunk.contains(id)) {
                    pairs.push((shop_id, customer.customer_id));
                }
            }
        }
        Ok(pairs)
    }
}

/// One result per item from a batch answer; a failed call fails every item.
fn batch_results(
    outcomes: Result<Vec<BatchItemOutcome>, PortError>,
    expected: usize,
    done: impl Fn(BatchItemOutcome) -> Option<u64>,
) -> Vec<Written> {
    let outcomes = match outcomes {
        Ok(outcomes) => outcomes,
        Err(error) => {
            return (0..expected)
                .map(|_| Written::Failed(format!("batch request: {error}")))
                .collect();
        }
    };
    let mut results: Vec<Written> = outcomes
        .into_iter()
        .take(expected)
        .map(|outcome| {
            let reason = describe(&outcome);
            done(outcome).map_or(Written::Failed(reason), Written::Done)
        })
        .collect();
    while results.len() < expected {
        results.push(Written::Failed("no answer for this item".into()));
    }
    results
}

fn failed_positions(results: &[Written]) -> Vec<usize> {
    results
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r, Written::Failed(_)))
        .map(|(i, _)| i)
        .collect()
}

fn describe(outcome: &BatchItemOutcome) -> String {
    match outcome {
        BatchItemOutcome::Failed { status, errors, .. } => {
            let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
            match status {
                Some(status) => format!("HTTP {status}: {}", messages.join("; ")),
                None => format!("unreadable item answer: {}", messages.join("; ")),
            }
        }
        other => format!("unexpected item answer {other:?}"),
    }
}

/// Adds the store changes for written and failed items, and counts them in the report.
fn record<'p>(
    mut changes: Changes,
    results: impl Iterator<Item = (&'p Pending, Written)>,
    report: &mut SyncReport,
    now: NaiveDateTime,
    count_done: impl Fn(&mut SyncReport),
) -> Changes {
    for (pending, result) in results {
        changes = match result {
            Written::Done(customer_id) => {
                count_done(report);
                changes.written(WrittenCustomer {
                    client_id: pending.client_id,
                    customer_id,
                    fingerprint: pending.fingerprint.as_str().to_owned(),
                })
            }
            Written::Failed(reason) => {
                report.failed.push(FailureEntry {
                    client_id: pending.client_id,
                    reason: reason.clone(),
                });
                changes.failed(pending.client_id, &reason, now)
            }
        };
    }
    changes
}
