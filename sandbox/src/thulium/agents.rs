//! The tenant's agent-made contacts and the agents who keep working while a client reads the
//! tenant: [`MidReadChanges`] adds and deletes contacts between the pages of a tenant read.

use std::collections::{BTreeMap, BTreeSet};

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::record::CustomerRecord;
use super::store::Store;
use crate::generator::{AgentContact, AgentContactGenerator, AgentContacts, LostValue};

/// Agents adding and deleting contacts while `GET customers` pages are served.
///
/// Only a **tenant read** counts: a `GET customers` without any filter (`limit`, `offset`
/// and `include_*` flags are not filters). Every `every_nth_read`-th tenant read (the
/// `every_nth_read`-th, the `2 × every_nth_read`-th, ...), before its page is cut:
/// 1. agents delete up to `delete` of their own contacts whose `customer_id` is **lower**
///    than that of the customer at the requested `offset` — contacts the reader has already
///    passed — so every later offset shifts and a reader paging by offset skips that many
///    customers it has not seen yet. Only agent-made contacts without any custom-field value
///    (not yet touched by a sync) are deleted; they then answer 410 like any deleted one;
/// 2. agents add `add` new contacts (taken from `new_contacts`, or people unknown to the shop
///    when it is `None`); they get the next ids, so they sort last.
///
/// Choices are drawn from `seed`, so the same sequence of requests gives the same changes.
/// Lists are always in `customer_id` order, ascending and stable. What happened is in
/// [`ThuliumSim::mid_read_events`](super::ThuliumSim::mid_read_events).
///
/// ```
/// use sandbox::thulium::MidReadChanges;
///
/// let changes = MidReadChanges::new(2, 3); // every second tenant page: 3 added, 3 deleted
/// assert_eq!((changes.every_nth_read, changes.add, changes.delete), (2, 3, 3));
/// ```
#[derive(Debug, Clone)]
pub struct MidReadChanges {
    /// Agents act on every this-many-th tenant read (1: before every page; 0: never).
    pub every_nth_read: u32,
    /// Contacts added each time.
    pub add: usize,
    /// Contacts deleted each time (fewer when fewer qualify).
    pub delete: usize,
    /// Seed of the choice of contacts to delete (and of new strangers when
    /// `new_contacts` is `None`).
    pub seed: u64,
    /// Where new contacts come from, e.g. a generator over the shop's customers (so some of
    /// them overlap shop clients); `None`: people the shop does not know.
    pub new_contacts: Option<AgentContactGenerator>,
}

impl MidReadChanges {
    /// Every `every_nth_read`-th tenant read, `per_change` contacts added and as many
    /// deleted; seed 0, new contacts unknown to the shop.
    pub fn new(every_nth_read: u32, per_change: usize) -> Self {
        Self {
            every_nth_read,
            add: per_change,
            delete: per_change,
            seed: 0,
            new_contacts: None,
        }
    }
}

/// What agents did during one tenant read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MidReadEvent {
    /// Which tenant read it was (1 = the first unfiltered `GET customers`).
    pub read: u64,
    /// The `offset` that read asked for.
    pub offset: usize,
    /// Ids of the contacts agents added, ascending.
    pub added: Vec<u64>,
    /// Ids of the contacts agents deleted, ascending (all lower than the customer at `offset`).
    pub deleted: Vec<u64>,
}

/// Mid-read changes while switched on.
struct MidRead {
    config: MidReadChanges,
    source: AgentContactGenerator,
    rng: StdRng,
}

impl MidRead {
    fn new(mut config: MidReadChanges) -> Self {
        let source = config.new_contacts.take().unwrap_or_else(|| {
            AgentContactGenerator::new(
                &[],
                &AgentContacts {
                    seed: config.seed ^ 0x00A6_E17C_0A7A,
                    ..AgentContacts::default()
                },
            )
        });
        Self {
            rng: StdRng::seed_from_u64(config.seed),
            config,
            source,
        }
    }
}

/// Every agent-made contact, the ones agents deleted, and the mid-read switch.
#[derive(Default)]
pub(crate) struct AgentBook {
    /// As seeded or added, by id (the record's `customer_id` set).
    contacts: BTreeMap<u64, AgentContact>,
    deleted_by_agents: BTreeSet<u64>,
    mid_read: Option<MidRead>,
    tenant_reads: u64,
    events: Vec<MidReadEvent>,
}

impl AgentBook {
    /// Stores `contact` in `store` (its id assigned when 0) and remembers it.
    pub fn seed(&mut self, store: &mut Store, mut contact: AgentContact) {
        let id = store.insert(contact.record.clone());
        contact.record.customer_id = id;
        self.contacts.insert(id, contact);
    }

    pub fn set_mid_read(&mut self, changes: Option<MidReadChanges>) {
        self.mid_read = changes.map(MidRead::new);
    }

    /// Whether mid-read changes are switched on.
    pub fn mid_read_active(&self) -> bool {
        self.mid_read.is_some()
    }

    pub fn contacts(&self) -> impl Iterator<Item = &AgentContact> {
        self.contacts.values()
    }

    pub fn deleted_by_agents(&self) -> Vec<u64> {
        self.deleted_by_agents.iter().copied().collect()
    }

    pub fn events(&self) -> Vec<MidReadEvent> {
        self.events.clone()
    }

    /// Agent-entered values missing now, for every agent contact agents did not delete.
    pub fn lost_values(&self, store: &Store) -> Vec<LostValue> {
        self.contacts
            .iter()
            .filter(|(id, _)| !self.deleted_by_agents.contains(id))
            .flat_map(|(id, contact)| contact.lost_values(store.get(*id).ok()))
            .collect()
    }

    /// Counts a tenant read at `offset` and, when it is the agents' turn, changes `store`.
    pub fn on_tenant_read(&mut self, store: &mut Store, offset: usize, now: &str) {
        let Some(mid_read) = self.mid_read.as_mut() else {
            return;
        };
        self.tenant_reads += 1;
        let every = u64::from(mid_read.config.every_nth_read);
        if every == 0 || !self.tenant_reads.is_multiple_of(every) {
            return;
        }
        let boundary = store
            .all()
            .nth(offset)
            .map_or(u64::MAX, |record| record.customer_id);
        let deletable: Vec<u64> = self
            .contacts
            .keys()
            .copied()
            .take_while(|id| *id < boundary)
            .filter(|id| store.get(*id).is_ok_and(untouched_by_sync))
            .collect();
        let mut deleted: Vec<u64> = deletable
            .choose_multiple(&mut mid_read.rng, mid_read.config.delete)
            .copied()
            .collect();
        deleted.sort_unstable();
        for id in &deleted {
            if store.delete(*id).is_ok() {
                self.deleted_by_agents.insert(*id);
            }
        }
        let mut added = Vec::with_capacity(mid_read.config.add);
        for _ in 0..mid_read.config.add {
            let mut contact = mid_read.source.next_contact();
            contact.record.customer_id = 0;
            contact.record.updated_at = now.to_owned();
            let id = store.insert(contact.record.clone());
            contact.record.customer_id = id;
            self.contacts.insert(id, contact);
            added.push(id);
        }
        self.events.push(MidReadEvent {
            read: self.tenant_reads,
            offset,
            added,
            deleted,
        });
    }
}

/// An agent contact a sync has not written to yet: no custom-field value.
fn untouched_by_sync(record: &CustomerRecord) -> bool {
    record.custom_fields.is_empty()
}
