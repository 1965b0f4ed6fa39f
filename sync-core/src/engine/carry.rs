//! Creates carried from one full-sync page to the next, so that Thulium gets full create
//! batches *and* customers appear in Thulium while the pages go on.
//!
//! A page's creates beyond its last full batch would otherwise cost a partly filled batch
//! each (one more request per page), or wait for the end of the full sync (a third or more
//! of a shop's customers would show up only then). Instead they are stored as
//! [`WaitingCustomer`]s — so a crash loses nothing: the end-of-run decision writes whatever
//! still waits, after looking it up by the ID field — and kept in the run's [`CreatesCarry`].
//! The next page to write tops its own leftovers up with them; what fills whole batches is
//! written there, and its waiting rows are dropped in the same store transaction that
//! records the write.
//!
//! A carried customer is written by a later page only when its lock is free *right now*
//! (never waited for: that page already holds its own customers' locks) and the store shows
//! no write of it meanwhile (a webhook may have created it): otherwise it stays waiting.

use std::sync::Mutex;

use crate::contact_values::ValueSet;

use super::customer_locks::CustomerGuards;
use super::engine::{Engine, Run};
use super::error::SyncError;
use super::store::{Changes, WaitingCustomer};
use super::writer::{Write, Writer};

/// The creates a full sync's pages left over (each also stored as waiting), fewer than a
/// batch once a page is done with them.
#[derive(Default)]
pub(crate) struct CreatesCarry {
    writes: Mutex<Vec<Write>>,
}

impl CreatesCarry {
    fn take(&self) -> Vec<Write> {
        std::mem::take(&mut *self.writes.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn put_back(&self, writes: Vec<Write>) {
        self.writes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(writes);
    }

    fn len(&self) -> usize {
        self.writes.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// What a page does with the creates beyond its last full batch; see the module docs.
pub(crate) struct Carried {
    /// The store changes: new waiting rows, and dropped ones of the carried creates written.
    pub(crate) changes: Changes,
    /// Creates to hand to the next page once this page's store transaction is done.
    kept: Vec<Write>,
    /// The locks of the carried creates this page writes, held until they are recorded.
    _guards: Vec<CustomerGuards>,
}

impl Carried {
    /// Hands the creates left over to the next page: call once the page's changes are
    /// stored, so that a carried create is never written before it waits in the store.
    pub(crate) fn hand_on(self, run: &Run) {
        run.carry.put_back(self.kept);
    }
}

impl Engine {
    /// Takes `writer`'s creates beyond its last full batch, tops them up with the carried
    /// ones that may be written now, and gives back to `writer` as many as fill whole
    /// batches; the rest waits (see the module docs).
    pub(crate) async fn carry_creates(
        &self,
        run: &Run,
        writer: &mut Writer<'_>,
    ) -> Result<Carried, SyncError> {
        let partial = writer.take_partial_creates();
        let chunk = self.options.write_chunk.max(1);
        let (ready, mut kept, guards, mut changes) = if partial.len() + run.carry.len() >= chunk {
            self.claim_carried(run).await?
        } else {
            (Vec::new(), run.carry.take(), Vec::new(), Changes::new())
        };
        let full = (ready.len() + partial.len()) / chunk * chunk;
        let carried_written = ready.len().min(full) as u64;
        let mut stored = 0;
        let pool = ready
            .into_iter()
            .map(|write| (write, true))
            .chain(partial.into_iter().map(|write| (write, false)));
        for (n, (write, was_carried)) in pool.enumerate() {
            if n < full {
                if was_carried {
                    changes = changes.drop_waiting(write.client_id);
                }
                writer.push(write);
                continue;
            }
            if !was_carried {
                changes = changes.waiting(waiting_of(&write));
                stored += 1;
            }
            kept.push(write);
        }
        run.tally(|r| {
            r.creates_deferred = (r.creates_deferred + stored).saturating_sub(carried_written);
            r.creates_carried += carried_written;
        });
        Ok(Carried {
            changes,
            kept,
            _guards: guards,
        })
    }

    /// The carried creates this page may write (locked without waiting, and not written
    /// meanwhile), those locked elsewhere (kept carried), the locks taken, and the dropped
    /// waiting rows of those written meanwhile.
    async fn claim_carried(&self, run: &Run) -> Result<Claimed, SyncError> {
        let mut ready = Vec::new();
        let mut busy = Vec::new();
        let mut guards = Vec::new();
        for write in run.carry.take() {
            match self.locks.try_lock(write.client_id) {
                Some(guard) => {
                    guards.push(guard);
                    ready.push(write);
                }
                None => busy.push(write),
            }
        }
        let ids: Vec<u64> = ready.iter().map(|w| w.client_id).collect();
        let links = self.store.link_records_for(&self.config.name, &ids).await?;
        let mut changes = Changes::new();
        let mut unwritten = Vec::with_capacity(ready.len());
        let mut meanwhile = 0;
        for write in ready {
            match links.get(&write.client_id) {
                Some(link) if link.fingerprint.is_some() => {
                    changes = changes.drop_waiting(write.client_id);
                    meanwhile += 1;
                }
                _ => unwritten.push(write),
            }
        }
        run.tally(|r| r.creates_deferred = r.creates_deferred.saturating_sub(meanwhile));
        Ok((unwritten, busy, guards, changes))
    }
}

/// See [`Engine::claim_carried`].
type Claimed = (Vec<Write>, Vec<Write>, Vec<CustomerGuards>, Changes);

/// The waiting row of a create: it adopts nothing, and waits with its data.
fn waiting_of(write: &Write) -> WaitingCustomer {
    WaitingCustomer {
        client_id: write.client_id,
        adopts: None,
        registered: true,
        desired: write.input.clone(),
        fingerprint: write.fingerprint.as_str().to_owned(),
        contact: ValueSet::default(),
    }
}
