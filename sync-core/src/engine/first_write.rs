//! The first write into a tenant whose custom fields preflight could not check (a tenant
//! without any customer): the first customer is created alone and read back with its
//! custom fields; only when every required field shows does anything else get written.
//! Real Thulium may silently drop unknown custom fields on write, so only the read-back
//! proves the fields exist. See the `preflight` module docs for the whole rule.

use std::collections::HashMap;
use std::sync::Mutex;

use super::engine::{Engine, Run};
use super::error::SyncError;
use super::ports::CrmPort;
use super::preflight::{PreflightError, PreflightProblem, PreflightReport, missing_on};
use super::store::Changes;
use super::writer::{Writer, Written, record};

/// Whether the engine may write freely.
#[derive(Debug, Clone, Default)]
pub(crate) enum FirstWrite {
    /// Preflight checked the fields (or nobody asked for the check).
    #[default]
    Trusted,
    /// The fields are verified on the first create.
    Verify,
    /// The first create showed missing fields: nothing more is written.
    Refused(Vec<PreflightProblem>),
}

/// The state, and a gate serialising the check (pages are synced concurrently).
#[derive(Debug, Default)]
pub(crate) struct FirstWriteCheck {
    state: Mutex<FirstWrite>,
    gate: tokio::sync::Mutex<()>,
}

impl FirstWriteCheck {
    pub(crate) fn lock_state(&self) -> std::sync::MutexGuard<'_, FirstWrite> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn state(&self) -> FirstWrite {
        self.lock_state().clone()
    }

    fn set(&self, state: FirstWrite) {
        *self.lock_state() = state;
    }
}

impl Engine {
    /// Takes the outcome of [`preflight`](super::preflight::preflight) into account: if it
    /// could not check this integration's custom fields (an empty tenant), the next create
    /// is made alone and read back, and the run stops with [`SyncError::FieldsMissing`]
    /// before writing anything else when a required field does not show.
    pub fn after_preflight(&self, report: &PreflightReport) {
        if report.fields_unverified(self.name()) {
            self.first_write.set(FirstWrite::Verify);
        }
    }

    /// Before a set's writes: passes when the fields are trusted; otherwise writes the first
    /// create alone and verifies it (recording it in `changes` and `customer_of`).
    pub(crate) async fn check_first_write(
        &self,
        run: &Run,
        writer: &mut Writer<'_>,
        changes: &mut Changes,
        customer_of: &mut HashMap<u64, u64>,
    ) -> Result<(), SyncError> {
        if matches!(self.first_write.state(), FirstWrite::Trusted) || writer.is_empty() {
            return Ok(());
        }
        let _gate = self.first_write.gate.lock().await;
        match self.first_write.state() {
            FirstWrite::Trusted => Ok(()),
            FirstWrite::Refused(problems) => {
                Err(SyncError::FieldsMissing(PreflightError { problems }))
            }
            FirstWrite::Verify => {
                self.verify_with_first_create(run, writer, changes, customer_of)
                    .await
            }
        }
    }

    async fn verify_with_first_create(
        &self,
        run: &Run,
        writer: &mut Writer<'_>,
        changes: &mut Changes,
        customer_of: &mut HashMap<u64, u64>,
    ) -> Result<(), SyncError> {
        let now = self.clock.now();
        // Creates refused for their data are recorded as failures; the next one is tried.
        while let Some(pending) = writer.take_create() {
            let customer_id = match run.crm.create_customer(&pending.input).await {
                Ok(id) => id,
                Err(error) => {
                    let reason = format!("create: {error}");
                    run.tally(|r| {
                        r.failed.push(super::report::FailureEntry {
                            client_id: pending.client_id,
                            reason: reason.clone(),
                        })
                    });
                    *changes = std::mem::take(changes).failed(pending.client_id, &reason, now);
                    continue;
                }
            };
            let read_back = run.crm.customer(customer_id).await;
            let problems = match &read_back {
                Ok(customer) => missing_on(&self.config, customer),
                Err(_) => Vec::new(),
            };
            if read_back.is_err() || !problems.is_empty() {
                // The customer exists: link it without a fingerprint (the run after the
                // fix rewrites it instead of creating it again) and keep it to retry.
                let reason = "created, but its custom fields could not be verified";
                let kept = Changes::new().link(pending.client_id, customer_id).failed(
                    pending.client_id,
                    reason,
                    now,
                );
                self.store.apply(&self.config.name, kept).await?;
                run.tally(|r| r.created += 1);
                return match read_back {
                    Err(error) => Err(SyncError::Crm(error)),
                    Ok(_) => {
                        self.first_write.set(FirstWrite::Refused(problems.clone()));
                        Err(SyncError::FieldsMissing(PreflightError { problems }))
                    }
                };
            }
            self.first_write.set(FirstWrite::Trusted);
            customer_of.insert(pending.client_id, customer_id);
            let (written, _) = record(
                [(&pending, Written::Done(customer_id))].into_iter(),
                &mut run.report.lock().unwrap_or_else(|p| p.into_inner()),
                now,
            );
            *changes = std::mem::take(changes).extend(written);
            return Ok(());
        }
        Ok(())
    }
}
