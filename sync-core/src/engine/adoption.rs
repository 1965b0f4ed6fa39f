//! Adopting agent-made contacts: which shop customer takes over a contact that several match.
//!
//! A real tenant holds contacts agents made over the years, and a shop holds registered and
//! guest accounts sharing one e-mail. When shop customers match an agent-made contact exactly
//! (by e-mail or phone, see `engine::lookup`), **exactly one of them adopts it**, chosen by a
//! rule that does not depend on page order, timing or concurrency:
//!
//! 1. a customer whose shop ID the contact already carries in the ID field is not a candidate
//!    at all: the contact is simply its own (and no one else's);
//! 2. a contact another customer already holds in the state store (adopted in an earlier
//!    run, or claimed by a webhook a moment ago) stays with it; if that customer is among the
//!    candidates it keeps the contact, otherwise no candidate gets it;
//! 3. otherwise a **registered account before a guest**, then the **lowest client id**.
//!
//! The others — and every customer matching *several* contacts — get contacts of their own
//! (with a conflict note in the report), never an error, never a stop.
//!
//! During a full sync, a customer that would adopt a contact does not write on its page: it
//! is stored as a [`WaitingCustomer`] (with its desired data, so nothing is read twice)
//! and the decision is taken once every page is done ([`Engine::resolve_adoptions`]), so the
//! same shop and tenant give the same final tenant at any concurrency. The creates a page
//! leaves beyond its last full batch wait the same way; later pages write most of them in
//! their full batches (`engine::carry`), and what still waits at the end is written here
//! with the candidates, so that Thulium gets full batches whatever the page size. A
//! candidate survives a crash in the store; the next run resumes the pages and then
//! decides. Outside a full sync (incremental passes, webhooks) a single new customer
//! claims the contact in the store before writing, atomically, and the first claim wins.

use std::collections::{BTreeMap, HashMap};

use crate::contact_values::values_on;
use crate::fingerprint::Fingerprint;
use crate::mapping::MappedCustomer;
use crate::plan::{ConflictReason, PlanAction, PlanConflict, PlanDecision};

use super::engine::{Engine, Run};
use super::error::SyncError;
use super::lookup::Lookup;
use super::pipeline::{Adoption, CustomerJob, PartialCreates};
use super::store::{Changes, WaitingCustomer, WaitingRank};

/// Candidates decided and written together (their batches fill better than per page).
const DECIDED_AT_ONCE: usize = 1000;

/// Who adopts each contact: per candidate client, `true` if it takes its contact (waiting
/// creates, which adopt nothing, are left out).
pub(crate) fn choose_adopters(
    candidates: &[WaitingRank],
    holders: &HashMap<u64, u64>,
) -> HashMap<u64, bool> {
    let mut by_contact: BTreeMap<u64, Vec<&WaitingRank>> = BTreeMap::new();
    for candidate in candidates {
        if let Some(contact) = candidate.adopts {
            by_contact.entry(contact).or_default().push(candidate);
        }
    }
    let mut verdicts = HashMap::with_capacity(candidates.len());
    for (contact, mut group) in by_contact {
        group.sort_by_key(|c| (!c.registered, c.client_id));
        let winner = match holders.get(&contact) {
            Some(holder) => group.iter().find(|c| c.client_id == *holder),
            None => group.first(),
        }
        .map(|c| c.client_id);
        for candidate in group {
            verdicts.insert(candidate.client_id, Some(candidate.client_id) == winner);
        }
    }
    verdicts
}

impl Engine {
    /// Decides every waiting adoption (see the module docs) and writes the outcome: the
    /// adopting customers claim and update their contacts, the others are created. Each
    /// candidacy is dropped in the same store transaction that records its outcome.
    ///
    /// A decision interrupted half-way (a killed run) may have written some of them already
    /// without recording it: so the candidates are first looked up by the ID field (through
    /// the run's tenant index when it has one, else one search per 100), and one Thulium
    /// already holds is updated there, never created twice.
    pub(crate) async fn resolve_adoptions(
        &self,
        run: &Run,
        lookup: &Lookup,
    ) -> Result<(), SyncError> {
        let name = self.config.name.as_str();
        let ranks = self.store.waiting_ranks(name).await?;
        if ranks.is_empty() {
            return Ok(());
        }
        let contacts: Vec<u64> = ranks.iter().filter_map(|c| c.adopts).collect();
        let holders = self.store.holders_of(name, &contacts).await?;
        let verdicts = choose_adopters(&ranks, &holders);
        drop(ranks);
        // The waiting customers' data are read a thousand at a time, never all at once.
        let mut after = 0;
        loop {
            let chunk = self
                .store
                .waiting_customers(name, after, DECIDED_AT_ONCE)
                .await?;
            let Some(last) = chunk.last() else {
                return Ok(());
            };
            after = last.client_id;
            let ids: Vec<u64> = chunk.iter().map(|c| c.client_id).collect();
            let _guards = self.locks.lock_all(&ids).await;
            let mut changes = ids.iter().fold(Changes::new(), |c, id| c.drop_waiting(*id));
            // A candidate written meanwhile (a webhook, the closing pass) waits no more.
            let links = self.store.link_records_for(name, &ids).await?;
            let waiting: Vec<&WaitingCustomer> = chunk
                .iter()
                .filter(|c| {
                    links
                        .get(&c.client_id)
                        .is_none_or(|l| l.fingerprint.is_none())
                })
                .collect();
            let mut orders = match self.config.orders_group {
                Some(_) => {
                    let waiting_ids: Vec<u64> = waiting.iter().map(|c| c.client_id).collect();
                    self.orders_of(run, &waiting_ids).await?
                }
                None => HashMap::new(),
            };
            let waiting_ids: Vec<u64> = waiting.iter().map(|c| c.client_id).collect();
            let by_id = lookup
                .by_shop_ids(&run.crm, &self.config, &waiting_ids)
                .await?;
            let jobs: Vec<CustomerJob> = waiting
                .into_iter()
                .map(|candidate| {
                    let adopts = verdicts.get(&candidate.client_id).copied().unwrap_or(false);
                    let orders = orders.remove(&candidate.client_id).unwrap_or_default();
                    let found = by_id
                        .get(&candidate.client_id)
                        .map_or(&[][..], Vec::as_slice);
                    job_of(candidate, adopts, orders, found)
                })
                .collect();
            run.tally(|r| r.adoptions_decided += jobs.len() as u64);
            let (jobs, claimed) = self.settle_adoptions(run, jobs, Adoption::ClaimNow).await?;
            changes = changes.extend(claimed);
            self.write_jobs(run, jobs, changes, PartialCreates::Write)
                .await?;
        }
    }
}

/// The pipeline job of a decided candidate: adopt its contact, or a contact of its own — or,
/// when Thulium already holds it (`found` by the ID field: an interrupted decision wrote it),
/// an update of that contact.
fn job_of(
    candidate: &WaitingCustomer,
    adopts: bool,
    orders: Vec<iai_shop_client::Order>,
    found: &[thulium_client::Customer],
) -> CustomerJob {
    let mut job = decided_job(candidate, adopts, orders);
    let holding = found
        .iter()
        .find(|c| Some(c.customer_id) == candidate.adopts)
        .or_else(|| found.iter().min_by_key(|c| c.customer_id));
    if let Some(contact) = holding {
        let agent_made = Some(contact.customer_id) == candidate.adopts;
        job.decision.action = PlanAction::Update {
            customer_id: contact.customer_id,
            changes: Vec::new(),
        };
        job.adopting_unwritten = agent_made;
        job.current = Some(if agent_made {
            candidate.contact.clone()
        } else {
            values_on(contact)
        });
    }
    job
}

fn decided_job(
    candidate: &WaitingCustomer,
    adopts: bool,
    orders: Vec<iai_shop_client::Order>,
) -> CustomerJob {
    let decision = match (candidate.adopts, adopts) {
        (Some(contact), true) => PlanDecision {
            action: PlanAction::Adopt {
                customer_id: contact,
                changes: Vec::new(),
            },
            conflict: None,
        },
        (Some(contact), false) => PlanDecision {
            action: PlanAction::Create,
            conflict: Some(PlanConflict {
                customer_ids: vec![contact],
                reason: ConflictReason::TakenByAnother,
            }),
        },
        (None, _) => PlanDecision {
            action: PlanAction::Create,
            conflict: None,
        },
    };
    CustomerJob {
        mapped: MappedCustomer {
            client_id: candidate.client_id,
            input: candidate.desired.clone(),
            issues: Vec::new(),
        },
        registered: candidate.registered,
        fingerprint: Fingerprint::from_saved(&candidate.fingerprint)
            .unwrap_or_else(|| Fingerprint::of_customer(&candidate.desired)),
        orders,
        link: None,
        current: (adopts && candidate.adopts.is_some()).then(|| candidate.contact.clone()),
        adopting_unwritten: false,
        decision,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(client_id: u64, customer_id: u64, registered: bool) -> WaitingRank {
        WaitingRank {
            client_id,
            adopts: Some(customer_id),
            registered,
        }
    }

    #[test]
    fn a_registered_account_beats_a_guest_then_the_lowest_id_wins_in_any_order() {
        let mut all = vec![
            candidate(5, 100, false),
            candidate(9, 100, true),
            candidate(7, 100, true),
            candidate(3, 200, false),
            candidate(2, 200, false),
        ];
        let expected: HashMap<u64, bool> =
            [(5, false), (9, false), (7, true), (3, false), (2, true)].into();
        for _ in 0..all.len() {
            assert_eq!(choose_adopters(&all, &HashMap::new()), expected);
            all.rotate_left(1);
        }
    }

    #[test]
    fn a_contact_already_held_stays_with_its_holder() {
        let all = vec![candidate(5, 100, true), candidate(9, 100, true)];
        let held_by_candidate = choose_adopters(&all, &[(100, 9)].into());
        assert_eq!(held_by_candidate, [(5, false), (9, true)].into());
        let held_by_other = choose_adopters(&all, &[(100, 1)].into());
        assert_eq!(held_by_other, [(5, false), (9, false)].into());
    }
}
