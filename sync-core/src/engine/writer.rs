//! Writing planned customers to Thulium: batch requests, then one-by-one retries of the
//! items a batch could not write, then a failure record for what still fails — never dropped.
//!
//! A create whose answer went missing may still have created the customer, so before any
//! create is repeated the ID field is searched: a customer carrying the shop ID is updated
//! instead, and nobody is created twice. An adoption whose write failed gives its claim back.

use std::sync::Mutex;

use chrono::NaiveDateTime;
use futures::future::join_all;
use thulium_client::{BatchItemOutcome, CustomerInput};

use crate::config::IntegrationConfig;
use crate::contact_values::{ContactValues, Provenance, ValueSet, merge_values};
use crate::fingerprint::Fingerprint;

use super::error_summary::summary;
use super::lookup::search_by_shop_ids;
use super::ports::{CrmPort, CustomerUpdate, PortError};
use super::report::{FailureEntry, SyncReport};
use super::store::{Changes, WrittenCustomer};

/// One customer to write: the input to send (e-mails and phones merged with the agent's)
/// and what to remember once it is written.
pub(crate) struct Write {
    pub(crate) client_id: u64,
    /// The contact to update; `None` creates one.
    target: Option<u64>,
    /// An agent-made contact being taken over (its claim is given back if the write fails).
    adopting: bool,
    pub(crate) input: CustomerInput,
    values: ContactValues,
    pub(crate) fingerprint: Fingerprint,
}

impl Write {
    /// The write of `desired` to `target` (a create when `None`), merged with the values on
    /// the contact as read (`current`) according to how it came to be this customer's.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        client_id: u64,
        target: Option<u64>,
        adopting: bool,
        desired: &CustomerInput,
        current: Option<&ValueSet>,
        provenance: Provenance<'_>,
        fingerprint: Fingerprint,
        config: &IntegrationConfig,
    ) -> Self {
        let mut optional: Vec<&str> = vec![config.fields.last_order_date.as_str()];
        optional.extend(config.fields.allegro_login.as_deref());
        let merged = merge_values(
            desired,
            current,
            provenance,
            &optional,
            &config.phone_default_country,
        );
        Self {
            client_id,
            target,
            adopting,
            input: merged.input,
            values: merged.values,
            fingerprint,
        }
    }
}

/// The result of writing one item.
pub(crate) enum Written {
    Done(u64),
    Failed(String),
}

/// Collects the writes of a set and performs them in batches.
pub(crate) struct Writer<'a> {
    crm: &'a dyn CrmPort,
    config: &'a IntegrationConfig,
    chunk: usize,
    creates: Vec<Write>,
    updates: Vec<Write>,
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

    /// Adds a write: a create or an update, by its target.
    pub(crate) fn push(&mut self, write: Write) {
        match write.target {
            Some(_) => self.updates.push(write),
            None => self.creates.push(write),
        }
    }

    /// Nothing to write.
    pub(crate) fn is_empty(&self) -> bool {
        self.creates.is_empty() && self.updates.is_empty()
    }

    /// Takes out the creates beyond the last full batch (those that would make a partial one).
    pub(crate) fn take_partial_creates(&mut self) -> Vec<Write> {
        let full = self.creates.len() - self.creates.len() % self.chunk;
        self.creates.split_off(full)
    }

    /// Takes the first create out, to write it alone.
    pub(crate) fn take_create(&mut self) -> Option<Write> {
        (!self.creates.is_empty()).then(|| self.creates.remove(0))
    }

    /// Writes everything collected, all chunks at once (the counted ports bound how many
    /// requests are really in flight); returns the store changes recording each outcome and
    /// the Thulium customer id of each written client.
    pub(crate) async fn flush(
        self,
        report: &Mutex<SyncReport>,
        now: NaiveDateTime,
    ) -> (Changes, Vec<(u64, u64)>) {
        let this = &self;
        let creates = self.creates.chunks(self.chunk).map(|chunk| async move {
            let results = this.create_chunk(chunk, report).await;
            chunk.iter().zip(results).collect::<Vec<_>>()
        });
        let updates = self.updates.chunks(self.chunk).map(|chunk| async move {
            let results = this.update_chunk(chunk, report).await;
            chunk.iter().zip(results).collect::<Vec<_>>()
        });
        let (created, updated) = futures::join!(join_all(creates), join_all(updates));
        let outcomes = created.into_iter().chain(updated).flatten();
        let mut report = report.lock().unwrap_or_else(|p| p.into_inner());
        record(outcomes, &mut report, now)
    }

    async fn create_chunk(&self, chunk: &[Write], report: &Mutex<SyncReport>) -> Vec<Written> {
        let inputs: Vec<CustomerInput> = chunk.iter().map(|w| w.input.clone()).collect();
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
            count_single_retry(report);
            let write = &chunk[i];
            let mut matches: Vec<u64> = existing
                .iter()
                .filter(|(shop_id, _)| *shop_id == write.client_id)
                .map(|(_, customer_id)| *customer_id)
                .collect();
            matches.sort_unstable();
            // Several carry the ID (a duplicate made by hand): the lowest, as the planner does.
            results[i] = match matches.first() {
                None => self.create_one(&write.input).await,
                Some(customer_id) => self.update_one(*customer_id, &write.input).await,
            };
        }
        results
    }

    async fn update_chunk(&self, chunk: &[Write], report: &Mutex<SyncReport>) -> Vec<Written> {
        let updates: Vec<CustomerUpdate> = chunk
            .iter()
            .filter_map(|write| {
                Some(CustomerUpdate {
                    customer_id: write.target?,
                    input: write.input.clone(),
                })
            })
            .collect();
        let outcomes = self.crm.update_customers(&updates).await;
        let mut results = batch_results(outcomes, updates.len(), |outcome| match outcome {
            BatchItemOutcome::Updated => Some(0),
            _ => None,
        });
        for (result, update) in results.iter_mut().zip(&updates) {
            *result = match result {
                Written::Done(_) => Written::Done(update.customer_id),
                Written::Failed(_) => {
                    count_single_retry(report);
                    self.update_one(update.customer_id, &update.input).await
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
            // Deleted in Thulium since we linked it (404, or 410 Gone): the shop customer needs a
            // new one.
            Err(error) if matches!(error.status, Some(404 | 410)) => self.create_one(input).await,
            Err(error) => Written::Failed(format!("update of customer {customer_id}: {error}")),
        }
    }

    /// `(shop id, Thulium customer id)` pairs for Thulium customers carrying `client_ids`.
    async fn existing_by_shop_id(&self, client_ids: &[u64]) -> Result<Vec<(u64, u64)>, PortError> {
        let found = search_by_shop_ids(self.crm, self.config, client_ids).await?;
        Ok(found
            .into_iter()
            .flat_map(|(shop_id, customers)| {
                customers.into_iter().map(move |c| (shop_id, c.customer_id))
            })
            .collect())
    }
}

fn count_single_retry(report: &Mutex<SyncReport>) {
    report
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .single_retries += 1;
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

/// Why a batch item failed, without Thulium's messages: they may echo the values sent
/// (an e-mail address), and the reason is kept in the report and the state store. The
/// messages go to the debug log only.
fn describe(outcome: &BatchItemOutcome) -> String {
    match outcome {
        BatchItemOutcome::Failed {
            status,
            errors,
            raw,
        } => {
            for error in errors {
                tracing::debug!(status = ?status, code = ?error.code, message = %error.message,
                    "Thulium batch item failed");
            }
            let request_id = raw.get("request_id").and_then(|id| match id {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
            let what = summary(*status, errors, request_id.as_deref());
            match status {
                Some(status) => format!("HTTP {status}: {what}"),
                None => format!("unreadable item answer: {what}"),
            }
        }
        BatchItemOutcome::Created { .. } => "a create answered for an update".to_owned(),
        BatchItemOutcome::Updated => "an update answered for a create".to_owned(),
    }
}

/// The store changes for written and failed items (counted in the report), and the
/// `(client id, customer id)` of each written one.
pub(crate) fn record<'w>(
    results: impl Iterator<Item = (&'w Write, Written)>,
    report: &mut SyncReport,
    now: NaiveDateTime,
) -> (Changes, Vec<(u64, u64)>) {
    let mut changes = Changes::new();
    let mut written = Vec::new();
    for (write, result) in results {
        changes = match result {
            Written::Done(customer_id) => {
                // A customer that failed earlier in the same run (say on its page) and was
                // written since (by the closing pass) is no longer a failure of this run.
                report.failed.retain(|f| f.client_id != write.client_id);
                match (write.target, write.adopting) {
                    (None, _) => report.created += 1,
                    (Some(_), true) => report.adopted += 1,
                    (Some(_), false) => report.updated += 1,
                }
                written.push((write.client_id, customer_id));
                changes.written(WrittenCustomer {
                    client_id: write.client_id,
                    customer_id,
                    fingerprint: write.fingerprint.as_str().to_owned(),
                    values: write.values.clone(),
                })
            }
            Written::Failed(reason) => {
                report.failed.push(FailureEntry {
                    client_id: write.client_id,
                    reason: reason.clone(),
                });
                let changes = changes.failed(write.client_id, &reason, now);
                // The contact stays the agent's until a write proves otherwise (its ID field).
                match write.target.filter(|_| write.adopting) {
                    Some(customer_id) => changes.release(write.client_id, customer_id),
                    None => changes,
                }
            }
        };
    }
    (changes, written)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use thulium_client::ErrorDetail;

    use super::*;

    #[test]
    fn a_failed_item_is_described_by_status_codes_and_request_id_only() {
        let outcome = BatchItemOutcome::Failed {
            status: Some(422),
            errors: vec![ErrorDetail {
                message: "email jan.kowalski@example.pl is already taken".into(),
                code: Some(1003),
            }],
            raw: serde_json::json!({"status": 422, "request_id": "r-17"}),
        };
        let reason = describe(&outcome);
        assert_eq!(
            reason,
            "HTTP 422: Thulium rejected the data (codes 1003) [request_id r-17]"
        );
    }

    #[test]
    fn a_customer_written_after_failing_in_the_same_run_is_not_reported_failed() {
        let now = NaiveDateTime::default();
        let config = IntegrationConfig::new("t", url::Url::parse("https://s.pl").unwrap());
        let create = |client_id| {
            let input = CustomerInput::default();
            let print = Fingerprint::of_customer(&input);
            let provenance = Provenance::Created;
            Write::new(
                client_id, None, false, &input, None, provenance, print, &config,
            )
        };
        let (first, other) = (create(7), create(8));
        let mut report = SyncReport::default();
        record(
            [
                (&first, Written::Failed("HTTP 400".into())),
                (&other, Written::Failed("HTTP 400".into())),
            ]
            .into_iter(),
            &mut report,
            now,
        );
        assert_eq!(report.failed.len(), 2);

        let (_, written) = record([(&first, Written::Done(70))].into_iter(), &mut report, now);
        assert_eq!(written, vec![(7, 70)]);
        assert_eq!(report.created, 1);
        let still_failed: Vec<u64> = report.failed.iter().map(|f| f.client_id).collect();
        assert_eq!(still_failed, vec![8]);
    }

    #[test]
    fn a_failed_adoption_gives_its_claim_back_and_a_failed_create_has_none_to_give() {
        let config = IntegrationConfig::new("t", url::Url::parse("https://s.pl").unwrap());
        let input = CustomerInput::default();
        let print = Fingerprint::of_customer(&input);
        let adopt = Write::new(
            7,
            Some(40),
            true,
            &input,
            None,
            Provenance::Adopted,
            print,
            &config,
        );
        let mut report = SyncReport::default();
        let now = NaiveDateTime::default();
        let (changes, _) = record(
            [(&adopt, Written::Failed("HTTP 500".into()))].into_iter(),
            &mut report,
            now,
        );
        let released: Vec<_> = changes
            .iter()
            .filter(|c| {
                matches!(
                    c,
                    super::super::store::Change::Release {
                        client_id: 7,
                        customer_id: 40
                    }
                )
            })
            .collect();
        assert_eq!(released.len(), 1);
        let (_, written) = record([(&adopt, Written::Done(40))].into_iter(), &mut report, now);
        assert_eq!(written, [(7, 40)]);
        assert_eq!((report.adopted, report.updated, report.created), (1, 0, 0));
    }

    #[test]
    fn an_unreadable_item_answer_keeps_no_excerpt() {
        let outcome = BatchItemOutcome::Failed {
            status: None,
            errors: vec![ErrorDetail {
                message: "<html>jan.kowalski@example.pl</html>".into(),
                code: None,
            }],
            raw: serde_json::Value::String("<html>jan.kowalski@example.pl</html>".into()),
        };
        let reason = describe(&outcome);
        assert!(reason.starts_with("unreadable item answer"), "{reason}");
        assert!(!reason.contains("example.pl"), "{reason}");
    }
}
