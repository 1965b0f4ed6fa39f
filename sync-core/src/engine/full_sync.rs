//! The full sync: every shop customer, page by page, pipelined.
//!
//! Up to `concurrency` shop pages are worked on at once, and a page that finishes frees its
//! place at once for the next one (no page waits behind a slower earlier one): while one
//! page's customers are written, the next pages and their orders are read. Pages finish in
//! any order, but the checkpoint is committed in page order ([`PageOrder`]): it moves past
//! page `k` only once pages `..=k` are all written and recorded, so a resumed run never
//! skips a page (pages after the checkpoint that were already written are found again
//! through their links or the ID field and not duplicated).

use std::collections::{BTreeMap, HashSet};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use iai_shop_client::Client;

use crate::config::IntegrationConfig;
use crate::plan::{Plan, PlannedCustomer};

use super::engine::{Engine, Run};
use super::error::SyncError;
use super::incremental::RetryFailures;
use super::lookup::{Lookup, LookupFacts, LookupStrategy, choose_full_sync_lookup};
use super::page_order::PageOrder;
use super::pipeline::{Adoption, report_rejected};
use super::ports::{ShopPage, ShopPort};
use super::report::{Progress, RunKind, SyncReport};
use super::store::{Changes, CursorKind, FullSyncCheckpoint};

/// A shop page once its customers are synced (or, in a dry run, planned).
struct PageDone {
    page: u32,
    customers: u64,
    page_count: u32,
    total: u64,
    planned: Vec<PlannedCustomer>,
}

/// What the page pipeline does with each page.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PageWork {
    /// Sync it: write Thulium, record in the store, move the checkpoint.
    Sync,
    /// Plan it only: the same reads, no write anywhere (not even the store).
    Plan,
}

impl Engine {
    /// Synchronises the whole customer base, resuming an interrupted run.
    ///
    /// Per page of shop customers: one orders search (plus further pages), the Thulium
    /// lookup (per-page ID searches or a tenant index, see `engine::lookup` for the rule),
    /// batch writes, one store transaction, then the checkpoint (in page order). At the end
    /// a closing incremental pass from the full sync's start time catches changes made
    /// during the run and sets the incremental cursors.
    pub async fn full_sync(
        &self,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<SyncReport, SyncError> {
        let run = self.begin_run(RunKind::FullSync);
        if !self.config.enabled {
            return Ok(run.finish());
        }
        let name = self.config.name.as_str();
        let page_size = self.options.shop_page_size.clamp(1, 100);
        let checkpoint = match self.store.checkpoint(name).await? {
            Some(saved) if saved.page_size == page_size => {
                run.tally(|r| r.resumed_from_page = Some(saved.next_page));
                saved
            }
            _ => FullSyncCheckpoint {
                started_at: self.clock.now(),
                next_page: 0,
                page_size,
                customers_done: 0,
            },
        };
        let started_at = checkpoint.started_at;
        let (_, mut lookup) = self
            .sync_all_pages(&run, checkpoint, progress, PageWork::Sync)
            .await?;
        // Every page is read: now each agent-made contact goes to one customer (the decision
        // finds customers by the ID field only).
        lookup.keep_id_lookups_only();
        self.resolve_adoptions(&run, &lookup).await?;
        let finish = Changes::new()
            .clear_checkpoint()
            .set_cursor(CursorKind::Customers, started_at)
            .set_cursor(CursorKind::Orders, started_at);
        self.store.apply(name, finish).await?;
        // Failures this run's pages met wait for the next pass; those stored by an earlier,
        // interrupted run (whose pages before the checkpoint this run did not read) are tried.
        self.incremental_pass(
            &run,
            Some(started_at),
            Some(started_at),
            RetryFailures::NotTriedByThisRun,
        )
        .await?;
        Ok(run.finish())
    }

    /// The plan of a full sync, from reads only: every shop customer, page by page, with
    /// the action a full sync would take — the same reads as [`Engine::full_sync`] (shop
    /// pages, one orders search per page, the same Thulium lookup strategy) through the same
    /// code, and no write at all: neither Thulium nor the state store (no checkpoint, no
    /// cursor). Always plans the whole customer base from the first page, and leaves out
    /// the full sync's closing incremental pass (it only re-reads what changes during a run).
    ///
    /// Customers are planned independently of each other: where several would adopt the
    /// same agent-made contact, each is listed as `ADOPT`, and the real run gives the contact
    /// to one of them (see `engine::adoption`) and creates the others.
    pub async fn plan_full_sync(
        &self,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<Plan, SyncError> {
        let run = self.begin_run(RunKind::FullSync);
        let mut plan = Plan::default();
        if !self.config.enabled {
            return Ok(plan);
        }
        let page_size = self.options.shop_page_size.clamp(1, 100);
        let start = FullSyncCheckpoint {
            started_at: self.clock.now(),
            next_page: 0,
            page_size,
            customers_done: 0,
        };
        let (pages, _) = self
            .sync_all_pages(&run, start, progress, PageWork::Plan)
            .await?;
        for page in pages {
            plan.customers.extend(page);
        }
        Ok(plan)
    }

    /// Works through every page from the checkpoint's, pipelined; returns the planned
    /// customers of each page in page order (empty when syncing), and the lookup the pages
    /// used (searches when there was no page left).
    ///
    /// Up to `concurrency` pages are worked on at once and each is taken as soon as it is
    /// done, whatever its place ([`PageOrder`] moves the checkpoint only over gap-free runs of
    /// finished pages). A page that fails stops new pages from starting; the pages already
    /// running are finished and recorded, then the first error is returned.
    async fn sync_all_pages(
        &self,
        run: &Run,
        checkpoint: FullSyncCheckpoint,
        progress: &(dyn Fn(&Progress) + Send + Sync),
        work: PageWork,
    ) -> Result<(Vec<Vec<PlannedCustomer>>, Lookup), SyncError> {
        let name = self.config.name.as_str();
        let mut planned = BTreeMap::new();
        let first = self.read_page(run, checkpoint.next_page).await?;
        if first.items.is_empty() {
            return Ok((Vec::new(), Lookup::Search));
        }
        let lookup = self.choose_lookup(run, &first).await?;
        let strategy = match lookup {
            Lookup::Search => LookupStrategy::SearchPerPage,
            Lookup::Index(_) => LookupStrategy::TenantIndex,
        };
        run.tally(|r| r.lookup = Some(strategy));
        let window = self.options.concurrency.max(1);
        let mut order = PageOrder::new(checkpoint);
        let mut page_count = first.page_count;
        let mut prefetched = Some(first);
        loop {
            let from = order.checkpoint().next_page;
            let mut numbers = from..page_count.max(from + 1);
            let mut running = FuturesUnordered::new();
            // The first page found empty: the shop ends before it.
            let mut end: Option<u32> = None;
            let mut failure: Option<SyncError> = None;
            loop {
                while failure.is_none() && running.len() < window {
                    let Some(number) = numbers.next().filter(|n| end.is_none_or(|e| *n < e)) else {
                        break;
                    };
                    // The first page is already read; the rest are read inside the pipeline.
                    let ready = prefetched.take().filter(|p| p.page == number);
                    running.push(self.sync_page(run, &lookup, number, ready, work));
                }
                let Some(done) = running.next().await else {
                    break;
                };
                let done = match done {
                    Ok(done) => done,
                    Err(error) => {
                        failure.get_or_insert(error);
                        continue;
                    }
                };
                page_count = page_count.max(done.page_count);
                if done.customers == 0 {
                    end = Some(end.map_or(done.page, |e| e.min(done.page)));
                    continue;
                }
                run.tally(|r| r.pages += 1);
                let moved = order.finish(done.page, done.customers);
                match work {
                    PageWork::Sync if moved => {
                        let saved = self.store.set_checkpoint(name, order.checkpoint().clone());
                        if let Err(error) = saved.await {
                            failure.get_or_insert(error.into());
                        }
                    }
                    PageWork::Sync => {}
                    PageWork::Plan => {
                        planned.insert(done.page, done.planned);
                    }
                }
                progress(&Progress {
                    page: done.page,
                    page_count: done.page_count,
                    customers_done: order.customers_finished(),
                    customers_total: done.total,
                });
            }
            if let Some(error) = failure {
                return Err(error);
            }
            // The shop grew during the run: go on with the pages that appeared.
            if end.is_some() || order.checkpoint().next_page >= page_count {
                drop(running);
                return Ok((planned.into_values().collect(), lookup));
            }
        }
    }

    async fn read_page(&self, run: &Run, number: u32) -> Result<ShopPage<Client>, SyncError> {
        let size = self.options.shop_page_size.clamp(1, 100);
        run.shop
            .customers_page(None, number, size)
            .await
            .map_err(SyncError::Shop)
    }

    async fn sync_page(
        &self,
        run: &Run,
        lookup: &Lookup,
        number: u32,
        ready: Option<ShopPage<Client>>,
        work: PageWork,
    ) -> Result<PageDone, SyncError> {
        let page = match ready {
            Some(page) => page,
            None => self.read_page(run, number).await?,
        };
        report_rejected(run, &page.rejected);
        let mut done = PageDone {
            page: number,
            customers: (page.items.len() + page.rejected.len()) as u64,
            page_count: page.page_count,
            total: page.total,
            planned: Vec::new(),
        };
        match work {
            PageWork::Sync => {
                self.sync_clients(run, lookup, page.items, Adoption::Defer)
                    .await?;
            }
            PageWork::Plan => {
                let jobs = self.plan_clients(run, lookup, page.items).await?;
                done.planned = jobs.into_iter().map(|job| job.into_planned()).collect();
            }
        }
        Ok(done)
    }

    /// Gathers the facts the lookup rule needs from the first page and the store.
    async fn choose_lookup(
        &self,
        run: &Run,
        first: &ShopPage<Client>,
    ) -> Result<Lookup, SyncError> {
        let ids: Vec<u64> = first.items.iter().map(|c| c.client_id).collect();
        let linked = self.store.links_for(&self.config.name, &ids).await?;
        let unlinked: Vec<&Client> = first
            .items
            .iter()
            .filter(|c| !linked.contains_key(&c.client_id))
            .collect();
        let fallback_keys: usize = unlinked
            .iter()
            .map(|c| fallback_keys(c, &self.config))
            .sum();
        let facts = LookupFacts {
            first_page_len: first.items.len(),
            first_page_unlinked: unlinked.len(),
            first_page_fallback_keys: fallback_keys,
            pages_left: u64::from(first.page_count.saturating_sub(first.page).max(1)),
        };
        choose_full_sync_lookup(&run.crm, &self.config, &facts, self.options.concurrency).await
    }
}

/// How many e-mail / phone searches fallback matching could make for a customer (an
/// estimate from the raw shop data; the mapped values are known only after the orders):
/// one per e-mail, three per phone (see `lookup::phone_search_forms`).
fn fallback_keys(client: &Client, config: &IntegrationConfig) -> usize {
    let present = |value: Option<&str>| value.is_some_and(|v| !v.trim().is_empty());
    let mut keys = 0;
    if config.matching.by_email && present(client.email.as_deref()) {
        keys += 1;
    }
    if config.matching.by_phone {
        let phones: HashSet<&str> = [
            client.billing.phone1.as_deref(),
            client.billing.phone2.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|p| present(Some(p)))
        .collect();
        keys += 3 * phones.len();
    }
    keys
}
