//! The one pipeline every kind of run shares — full sync pages, incremental windows,
//! webhooks, retries and the adoption decision all end here. [`Engine::sync_clients`] reads
//! top to bottom, one stage per step:
//!
//! 1. **usable**: records without a client id are reported and left out; one entry per client.
//! 2. **lock** the customers (concurrent runs never write the same customer interleaved).
//! 3. **plan** ([`Engine::plan_clients`], also the dry run's): orders (one search per ≤100
//!    customers), links, the Thulium lookup for the customers that changed, exact fallback
//!    matches, and the pure planner — one [`CustomerJob`] per customer.
//! 4. **adoptions** ([`Engine::settle_adoptions`]): a customer that would take over an
//!    agent-made contact either waits for the end of the full sync ([`Adoption::Defer`], see
//!    `engine::adoption`) or claims the contact in the store now ([`Adoption::ClaimNow`]);
//!    a contact another customer claimed first leaves it a contact of its own.
//! 5. **write** ([`Engine::write_jobs`]): the first-write check, batch writes (e-mails and
//!    phones merged with the agent's, see `contact_values`), the orders group, and one store
//!    transaction recording every outcome.

use std::collections::HashMap;

use iai_shop_client::{Client, DecodeError, Order};

use crate::caller::CallerRecord;
use crate::contact_values::{Provenance, ValueSet, values_on};
use crate::fingerprint::Fingerprint;
use crate::mapping::{MappedCustomer, map_customer};
use crate::plan::{
    ConflictReason, PlanAction, PlanConflict, PlanDecision, PlanInput, PlannedCustomer,
    plan_customer,
};

use super::engine::{Engine, IDS_PER_REQUEST, Run};
use super::error::SyncError;
use super::lookup::Lookup;
use super::ports::{CrmPort, ShopPort};
use super::report::{ConflictEntry, FailureEntry};
use super::store::{Changes, Claim, LinkRecord, WaitingCustomer};
use super::writer::{Write, Writer};

/// What happens to a customer that would take over an agent-made contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Adoption {
    /// Wait for the end of the full sync, where each contact goes to one customer by rank.
    Defer,
    /// Claim the contact in the store now; the first claim wins.
    ClaimNow,
}

/// What a set does with the creates beyond its last full batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartialCreates {
    /// Write them now.
    Write,
    /// Store them to wait and carry them to the next page, which writes them in its full
    /// batches (see `engine::carry`); what is left waits for the end of the full sync.
    Wait,
}

/// One shop customer on its way through the pipeline, from plan to record.
pub(crate) struct CustomerJob {
    /// The desired Thulium customer and what could not be mapped.
    pub(crate) mapped: MappedCustomer,
    /// A registered account (not a guest).
    pub(crate) registered: bool,
    /// The fingerprint of the desired input (computed once).
    pub(crate) fingerprint: Fingerprint,
    /// The customer's orders (for the orders group).
    pub(crate) orders: Vec<Order>,
    /// What the store holds for it.
    pub(crate) link: Option<LinkRecord>,
    /// The e-mails and phones on the target contact as read, if it was read.
    pub(crate) current: Option<ValueSet>,
    /// What to do.
    pub(crate) decision: PlanDecision,
    /// The target is an agent's contact claimed by an adoption whose write never landed: its
    /// values are the agent's, as in an adoption.
    pub(crate) adopting_unwritten: bool,
}

impl CustomerJob {
    pub(crate) fn client_id(&self) -> u64 {
        self.mapped.client_id
    }

    /// Linked, and unchanged since the last write: no lookup needed.
    fn unchanged(&self) -> bool {
        self.link
            .as_ref()
            .and_then(|l| l.fingerprint.as_deref())
            .is_some_and(|saved| saved == self.fingerprint.as_str())
    }

    /// The job as a dry run lists it.
    pub(crate) fn into_planned(self) -> PlannedCustomer {
        PlannedCustomer::new(
            self.mapped.client_id,
            &self.mapped.input,
            self.fingerprint,
            self.decision,
            self.mapped.issues,
        )
    }
}

impl Engine {
    /// Syncs a set of shop customers through the stages in the module docs.
    pub(crate) async fn sync_clients(
        &self,
        run: &Run,
        lookup: &Lookup,
        clients: Vec<Client>,
        adoption: Adoption,
    ) -> Result<(), SyncError> {
        let ids: Vec<u64> = clients.iter().map(|c| c.client_id).collect();
        let _guards = self.locks.lock_all(&ids).await;
        let jobs = self.plan_clients(run, lookup, clients).await?;
        // The caller index follows the shop's data, whatever is written to Thulium.
        let callers = jobs.iter().fold(Changes::new(), |changes, job| {
            changes.caller(CallerRecord::from_mapped(
                job.client_id(),
                &job.mapped.input,
                &job.orders,
                &self.config,
            ))
        });
        let (jobs, changes) = self.settle_adoptions(run, jobs, adoption).await?;
        let changes = callers.extend(changes);
        // A full sync's page writes only full create batches: the rest is carried to the
        // next page (and waits in the store meanwhile).
        let partial_creates = match adoption {
            Adoption::Defer => PartialCreates::Wait,
            Adoption::ClaimNow => PartialCreates::Write,
        };
        self.write_jobs(run, jobs, changes, partial_creates).await
    }

    /// Re-reads customers by id (≤100 per request) and syncs them, ≤100 at a time.
    pub(crate) async fn resync_ids(&self, run: &Run, client_ids: &[u64]) -> Result<(), SyncError> {
        for chunk in client_ids.chunks(IDS_PER_REQUEST) {
            let clients = run
                .shop
                .customers_by_ids(chunk)
                .await
                .map_err(SyncError::Shop)?;
            self.sync_clients(run, &Lookup::Search, clients, Adoption::ClaimNow)
                .await?;
        }
        Ok(())
    }

    /// Plans a set of shop customers with reads only — shared by the sync and the dry run:
    /// their orders, their links, a Thulium lookup for those that changed, exact fallback
    /// matches for those not linked, and the pure planner. Counts the customers seen and
    /// the mapping issues in the run's report. Each client once; records without a client
    /// id are left out as failures.
    pub(crate) async fn plan_clients(
        &self,
        run: &Run,
        lookup: &Lookup,
        clients: Vec<Client>,
    ) -> Result<Vec<CustomerJob>, SyncError> {
        let clients = unique_clients(clients);
        if clients.is_empty() {
            return Ok(Vec::new());
        }
        let name = self.config.name.as_str();
        let ids: Vec<u64> = clients.iter().map(|c| c.client_id).collect();
        let mut orders = self.orders_of(run, &ids).await?;
        let mut links = self.store.link_records_for(name, &ids).await?;
        let mut jobs: Vec<CustomerJob> = clients
            .iter()
            .map(|client| {
                let orders = orders.remove(&client.client_id).unwrap_or_default();
                let mapped = map_customer(client, &orders, &self.config);
                CustomerJob {
                    fingerprint: Fingerprint::of_customer(&mapped.input),
                    registered: !client.is_unregistered,
                    link: links.remove(&client.client_id),
                    orders,
                    mapped,
                    current: None,
                    adopting_unwritten: false,
                    decision: PlanDecision {
                        action: PlanAction::Create,
                        conflict: None,
                    },
                }
            })
            .collect();
        run.tally(|r| {
            r.customers_seen += jobs.len() as u64;
            r.mapping_issues += jobs
                .iter()
                .map(|j| j.mapped.issues.len() as u64)
                .sum::<u64>();
        });

        let to_look_up: Vec<u64> = jobs
            .iter()
            .filter(|j| !j.unchanged())
            .map(CustomerJob::client_id)
            .collect();
        let by_id = lookup
            .by_shop_ids(&run.crm, &self.config, &to_look_up)
            .await?;
        let fallbacks = self.fallback_matches(run, lookup, &jobs, &by_id).await?;
        let matched: Vec<u64> = fallbacks
            .values()
            .flatten()
            .map(|c| c.customer_id)
            .collect();
        let holders = self.store.holders_of(name, &matched).await?;
        let adopted = self.adopted_contacts(&holders).await?;

        for job in &mut jobs {
            let client_id = job.client_id();
            let found = by_id.get(&client_id).map_or(&[][..], Vec::as_slice);
            let fallback = fallbacks.get(&client_id).map_or(&[][..], Vec::as_slice);
            let held_by_others: Vec<u64> = holders
                .iter()
                .filter(|(_, holder)| **holder != client_id)
                .map(|(customer, _)| *customer)
                .collect();
            let last = job
                .link
                .as_ref()
                .and_then(|l| l.fingerprint.as_deref())
                .and_then(Fingerprint::from_saved);
            job.decision = plan_customer(
                &PlanInput {
                    shop_client_id: client_id,
                    desired: &job.mapped.input,
                    linked_customer_id: job.link.as_ref().map(|l| l.customer_id),
                    last_fingerprint: last.as_ref(),
                    by_id: found,
                    by_fallback: fallback,
                    held_by_others: &held_by_others,
                    adopted_by_others: &adopted,
                },
                &self.config,
            );
            job.current = job.decision.action.customer_id().and_then(|target| {
                found
                    .iter()
                    .chain(fallback)
                    .find(|c| c.customer_id == target)
                    .map(values_on)
            });
        }
        self.read_unknown_targets(run, &mut jobs).await?;
        Ok(jobs)
    }

    /// Reads the contacts about to be updated that the sync knows nothing of: linked (a claim
    /// whose write never landed, or a link from before values were remembered) but neither
    /// found by the ID field nor remembered. Sent blind, the update would replace the agent's
    /// e-mails and phones with the shop's. Rare: only after an interruption.
    async fn read_unknown_targets(
        &self,
        run: &Run,
        jobs: &mut [CustomerJob],
    ) -> Result<(), SyncError> {
        for job in jobs.iter_mut() {
            let PlanAction::Update { customer_id, .. } = job.decision.action else {
                continue;
            };
            let remembered = job.link.as_ref().is_some_and(|l| l.values.is_some());
            if job.current.is_some() || remembered {
                continue;
            }
            match run.crm.customer(customer_id).await {
                Ok(contact) => {
                    let carries_ours = contact
                        .custom_fields
                        .number(&self.config.fields.shop_id)
                        .is_some_and(|id| u64::try_from(id).ok() == Some(job.client_id()));
                    job.current = Some(values_on(&contact));
                    // Not carrying our ID: an agent's contact whose adoption never landed.
                    job.adopting_unwritten = !carries_ours;
                }
                // Deleted since: the update answers 404 and the writer creates a new one.
                Err(error) if matches!(error.status, Some(404 | 410)) => {}
                Err(error) => return Err(SyncError::Crm(error)),
            }
        }
        Ok(())
    }

    /// Of the held contacts (contact → holder), those an agent made (adopted, not created).
    async fn adopted_contacts(&self, holders: &HashMap<u64, u64>) -> Result<Vec<u64>, SyncError> {
        if holders.is_empty() {
            return Ok(Vec::new());
        }
        let clients: Vec<u64> = holders.values().copied().collect();
        let links = self
            .store
            .link_records_for(&self.config.name, &clients)
            .await?;
        Ok(holders
            .iter()
            .filter(|(contact, client)| {
                links.get(client).is_some_and(|l| {
                    l.customer_id == **contact && l.values.as_ref().is_some_and(|v| v.agent_made)
                })
            })
            .map(|(contact, _)| *contact)
            .collect())
    }

    /// Exact e-mail / phone matches of the customers neither linked nor found by the ID
    /// field, looked up concurrently (the counted port bounds the requests in flight).
    async fn fallback_matches(
        &self,
        run: &Run,
        lookup: &Lookup,
        jobs: &[CustomerJob],
        by_id: &HashMap<u64, Vec<thulium_client::Customer>>,
    ) -> Result<HashMap<u64, Vec<thulium_client::Customer>>, SyncError> {
        let unlinked = jobs
            .iter()
            .filter(|j| j.link.is_none() && !by_id.contains_key(&j.client_id()));
        let searches = unlinked.map(|job| async move {
            let found = lookup
                .by_fallback(&run.crm, &self.config, &job.mapped.input)
                .await?;
            Ok::<_, SyncError>((job.client_id(), found))
        });
        let found = futures::future::try_join_all(searches).await?;
        Ok(found.into_iter().filter(|(_, f)| !f.is_empty()).collect())
    }

    /// Defers or claims the adoptions of a set; returns the jobs to write and the store
    /// changes so far (the deferred candidacies).
    pub(crate) async fn settle_adoptions(
        &self,
        run: &Run,
        jobs: Vec<CustomerJob>,
        adoption: Adoption,
    ) -> Result<(Vec<CustomerJob>, Changes), SyncError> {
        let mut changes = Changes::new();
        let adopting: Vec<(u64, u64)> = jobs
            .iter()
            .filter_map(|job| match job.decision.action {
                PlanAction::Adopt { customer_id, .. } => Some((job.client_id(), customer_id)),
                _ => None,
            })
            .collect();
        // Outside a full sync every adoption claims its contact first, all in one transaction.
        let mut claims = match adoption {
            Adoption::ClaimNow if !adopting.is_empty() => {
                let name = self.config.name.as_str();
                self.store.claim_all(name, &adopting).await?.into_iter()
            }
            _ => Vec::new().into_iter(),
        };
        let mut to_write = Vec::with_capacity(jobs.len());
        for mut job in jobs {
            let PlanAction::Adopt { customer_id, .. } = job.decision.action else {
                to_write.push(job);
                continue;
            };
            match adoption {
                Adoption::Defer => {
                    run.tally(|r| r.adoptions_deferred += 1);
                    changes = changes.waiting(WaitingCustomer {
                        client_id: job.client_id(),
                        adopts: Some(customer_id),
                        registered: job.registered,
                        desired: job.mapped.input,
                        fingerprint: job.fingerprint.as_str().to_owned(),
                        contact: job.current.unwrap_or_default(),
                    });
                }
                Adoption::ClaimNow => {
                    if let Some(Claim::HeldBy(_)) = claims.next() {
                        job.decision = PlanDecision {
                            action: PlanAction::Create,
                            conflict: Some(PlanConflict {
                                customer_ids: vec![customer_id],
                                reason: ConflictReason::TakenByAnother,
                            }),
                        };
                        job.current = None;
                    }
                    to_write.push(job);
                }
            }
        }
        Ok((to_write, changes))
    }

    /// Writes the jobs (after the first-write check), their orders group items, and records
    /// every outcome with `changes` in one store transaction. With [`PartialCreates::Wait`]
    /// the creates beyond the last full batch are stored to wait instead of written.
    pub(crate) async fn write_jobs(
        &self,
        run: &Run,
        jobs: Vec<CustomerJob>,
        mut changes: Changes,
        partial_creates: PartialCreates,
    ) -> Result<(), SyncError> {
        let mut writer = Writer::new(&run.crm, &self.config, self.options.write_chunk);
        let mut customer_of: HashMap<u64, u64> = HashMap::new();
        let mut orders_of: Vec<(u64, Vec<Order>)> = Vec::new();
        for mut job in jobs {
            let client_id = job.client_id();
            orders_of.push((client_id, std::mem::take(&mut job.orders)));
            if let Some(conflict) = job.decision.conflict.take() {
                run.tally(|r| {
                    r.conflicts.push(ConflictEntry {
                        client_id,
                        customer_ids: conflict.customer_ids,
                        reason: conflict.reason,
                    })
                });
            }
            match job.decision.action {
                PlanAction::Skip { customer_id } => {
                    run.tally(|r| r.skipped += 1);
                    customer_of.insert(client_id, customer_id);
                    changes = changes.clear_failure(client_id);
                }
                PlanAction::Create => {
                    writer.push(self.write_of(&job, None, Provenance::Created, false));
                }
                PlanAction::Update { customer_id, .. } => {
                    let previous = job
                        .link
                        .as_ref()
                        .filter(|l| l.customer_id == customer_id)
                        .and_then(|l| l.values.as_ref());
                    let provenance = if job.adopting_unwritten {
                        Provenance::Adopted
                    } else {
                        Provenance::Linked(previous)
                    };
                    let write = self.write_of(&job, Some(customer_id), provenance, false);
                    writer.push(write);
                }
                PlanAction::Adopt { customer_id, .. } => {
                    let write = self.write_of(&job, Some(customer_id), Provenance::Adopted, true);
                    writer.push(write);
                }
            }
        }
        self.check_first_write(run, &mut writer, &mut changes, &mut customer_of)
            .await?;
        let carried = match partial_creates {
            PartialCreates::Wait => {
                let mut carried = self.carry_creates(run, &mut writer).await?;
                changes = changes.extend(std::mem::take(&mut carried.changes));
                Some(carried)
            }
            PartialCreates::Write => None,
        };
        let now = self.clock.now();
        let (written_changes, written) = writer.flush(&run.report, now).await;
        changes = changes.extend(written_changes);
        customer_of.extend(written);
        if self.config.orders_group.is_some() {
            let items = self.sync_order_items(run, &customer_of, orders_of).await?;
            changes = changes.extend(items);
        }
        self.store.apply(&self.config.name, changes).await?;
        if let Some(carried) = carried {
            carried.hand_on(run);
        }
        Ok(())
    }

    /// The write of a job to `target` (`None`: a create).
    fn write_of(
        &self,
        job: &CustomerJob,
        target: Option<u64>,
        provenance: Provenance<'_>,
        adopting: bool,
    ) -> Write {
        Write::new(
            job.client_id(),
            target,
            adopting,
            &job.mapped.input,
            job.current.as_ref(),
            provenance,
            job.fingerprint.clone(),
            &self.config,
        )
    }
}

/// One record per client (the last one read wins, in first-seen order).
fn unique_clients(clients: Vec<Client>) -> Vec<Client> {
    let mut position: HashMap<u64, usize> = HashMap::new();
    let mut unique: Vec<Client> = Vec::with_capacity(clients.len());
    for client in clients {
        match position.get(&client.client_id) {
            Some(&i) => unique[i] = client,
            None => {
                position.insert(client.client_id, unique.len());
                unique.push(client);
            }
        }
    }
    unique
}

/// Counts the records of a shop page that the client could not decode (a customer without
/// `clientId`, say) as failures of the run, and lets the run go on with the others. They
/// are not stored as failures: without an id there is nothing to retry them by. Only the
/// JSON path goes into the report: the decoder's message may quote customer data.
pub(crate) fn report_rejected(run: &Run, rejected: &[DecodeError]) {
    if rejected.is_empty() {
        return;
    }
    tracing::warn!(
        records = rejected.len(),
        "shop records that could not be decoded left out"
    );
    run.tally(|r| {
        r.customers_seen += rejected.len() as u64;
        r.failed.extend(rejected.iter().map(|record| FailureEntry {
            client_id: 0,
            reason: format!("shop record could not be decoded at `{}`", record.path),
        }));
    });
}
