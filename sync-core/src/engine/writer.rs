//! Writing planned customers to Thulium: batch requests, then one-by-one retries of the
//! items a batch could not write, then a failure record for what still fails — never dropped.

use std::sync::Mutex;

use chrono::NaiveDateTime;
use futures::future::join_all;
use thulium_client::{BatchItemOutcome, CustomerInput};

use crate::config::IntegrationConfig;
use crate::fingerprint::Fingerprint;

use super::error_summary::summary;
use super::lookup::search_by_shop_ids;
use super::ports::{CrmPort, CustomerUpdate, PortError};
use super::report::{FailureEntry, SyncReport};
use super::store::{Changes, WrittenCustomer};

/// A customer waiting to be written.
pub(crate) struct Pending {
    pub(crate) client_id: u64,
    pub(crate) input: CustomerInput,
    pub(crate) fingerprint: Fingerprint,
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
pub(crate) enum Written {
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

    /// Nothing to write.
    pub(crate) fn is_empty(&self) -> bool {
        self.creates.is_empty() && self.updates.is_empty()
    }

    /// Takes the first create out, to write it alone.
    pub(crate) fn take_create(&mut self) -> Option<Pending> {
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
            chunk
                .iter()
                .zip(results)
                .map(|(p, r)| (p, r, true))
                .collect::<Vec<_>>()
        });
        let updates = self.updates.chunks(self.chunk).map(|chunk| async move {
            let results = this.update_chunk(chunk, report).await;
            let pendings = chunk.iter().map(|(_, pending)| pending);
            pendings
                .zip(results)
                .map(|(p, r)| (p, r, false))
                .collect::<Vec<_>>()
        });
        let (created, updated) = futures::join!(join_all(creates), join_all(updates));
        let outcomes = created.into_iter().chain(updated).flatten();
        let mut report = report.lock().unwrap_or_else(|p| p.into_inner());
        record(outcomes, &mut report, now)
    }

    async fn create_chunk(&self, chunk: &[Pending], report: &Mutex<SyncReport>) -> Vec<Written> {
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
            count_single_retry(report);
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
        report: &Mutex<SyncReport>,
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
                    count_single_retry(report);
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
fn record<'p>(
    results: impl Iterator<Item = (&'p Pending, Written, bool)>,
    report: &mut SyncReport,
    now: NaiveDateTime,
) -> (Changes, Vec<(u64, u64)>) {
    let mut changes = Changes::new();
    let mut written = Vec::new();
    for (pending, result, is_create) in results {
        changes = match result {
            Written::Done(customer_id) => {
                // A customer that failed earlier in the same run (say on its page) and was
                // written since (by the closing pass) is no longer a failure of this run.
                report.failed.retain(|f| f.client_id != pending.client_id);
                if is_create {
                    report.created += 1;
                } else {
                    report.updated += 1;
                }
                written.push((pending.client_id, customer_id));
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
    (changes, written)
}

#[cfg(test)]
mod tests {
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
        let first = Pending::new(7, CustomerInput::default());
        let other = Pending::new(8, CustomerInput::default());
        let mut report = SyncReport::default();
        record(
            [
                (&first, Written::Failed("HTTP 400".into()), true),
                (&other, Written::Failed("HTTP 400".into()), true),
            ]
            .into_iter(),
            &mut report,
            now,
        );
        assert_eq!(report.failed.len(), 2);

        let (_, written) = record(
            [(&first, Written::Done(70), true)].into_iter(),
            &mut report,
            now,
        );
        assert_eq!(written, vec![(7, 70)]);
        assert_eq!(report.created, 1);
        let still_failed: Vec<u64> = report.failed.iter().map(|f| f.client_id).collect();
        assert_eq!(still_failed, vec![8]);
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
