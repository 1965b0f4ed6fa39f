//! The engine of one integration: its ports, options and shared limits ([`Engine`], built with
//! [`EngineBuilder`]), one run's counted ports and report ([`Run`]), and the shop reads every
//! kind of run shares (orders of a set of customers, customers by id). The per-customer
//! pipeline itself is `engine::pipeline`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use futures::{StreamExt, TryStreamExt, stream};
use iai_shop_client::Order;
use tokio::sync::{OnceCell, Semaphore};

use crate::config::IntegrationConfig;

use super::carry::CreatesCarry;
use super::clock::Clock;
use super::counting::{CountedCrm, CountedShop, RequestCounts};
use super::customer_locks::CustomerLocks;
use super::error::SyncError;
use super::first_write::FirstWriteCheck;
use super::kept_orders::{Keep, KeptOrders};
use super::orders_group::ResolvedGroup;
use super::pipeline::report_rejected;
use super::ports::{CrmPort, OrdersQuery, ShopPort};
use super::report::{RunKind, SyncReport};
use super::store::StateStore;

/// The largest id list the shop and the CRM take in one request.
pub(crate) const IDS_PER_REQUEST: usize = 100;

/// Tuning of the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineOptions {
    /// Shop customers per page (1..=100; 100 costs the fewest requests).
    pub shop_page_size: u32,
    /// Customers per Thulium batch create / update request.
    pub write_chunk: usize,
    /// Orders per page of an orders search (1..=100).
    pub orders_page_size: u32,
    /// Requests in flight at once, per API (shop and Thulium each, counted from sending a
    /// request until its answer is decoded, shared by every run of the engine); also how many
    /// shop pages a full sync works on at once (a finished page's place goes to the next page
    /// at once). At least 1.
    pub concurrency: usize,
    /// How far before the saved cursor an incremental window starts (re-reads late writes).
    pub lookback: TimeDelta,
    /// Where the first incremental window starts when no cursor was ever saved.
    pub first_run_start: NaiveDateTime,
    /// A webhook event seen again within this time is ignored without a request.
    pub webhook_dedup: TimeDelta,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            shop_page_size: 100,
            write_chunk: 50,
            orders_page_size: 100,
            concurrency: 4,
            lookback: TimeDelta::minutes(5),
            first_run_start: DateTime::<Utc>::UNIX_EPOCH.naive_utc(),
            webhook_dedup: TimeDelta::seconds(10),
        }
    }
}

/// One integration's sync engine: reads the shop, plans, writes Thulium, remembers.
///
/// Cheap to share (`Arc<Engine>`): a full sync, the incremental poller and webhook handling
/// may run at once; they never write the same customer at the same time.
pub struct Engine {
    pub(crate) config: IntegrationConfig,
    pub(crate) shop: Arc<dyn ShopPort>,
    pub(crate) crm: Arc<dyn CrmPort>,
    pub(crate) store: Arc<dyn StateStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) options: EngineOptions,
    pub(crate) locks: CustomerLocks,
    shop_limit: Arc<Semaphore>,
    crm_limit: Arc<Semaphore>,
    pub(crate) orders_group: OnceCell<Option<Arc<ResolvedGroup>>>,
    pub(crate) first_write: FirstWriteCheck,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("integration", &self.config.name)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Sets an [`Engine`]'s options before it is built ([`Engine::builder`]).
pub struct EngineBuilder {
    config: IntegrationConfig,
    shop: Arc<dyn ShopPort>,
    crm: Arc<dyn CrmPort>,
    store: Arc<dyn StateStore>,
    clock: Arc<dyn Clock>,
    options: EngineOptions,
}

impl std::fmt::Debug for EngineBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineBuilder")
            .field("integration", &self.config.name)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl EngineBuilder {
    /// All options at once.
    pub fn options(mut self, options: EngineOptions) -> Self {
        self.options = options;
        self
    }

    /// Requests in flight per API, and shop pages worked on at once (at least 1).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.options.concurrency = concurrency;
        self
    }

    /// The engine.
    pub fn build(self) -> Engine {
        let permits = self.options.concurrency.max(1);
        Engine {
            config: self.config,
            shop: self.shop,
            crm: self.crm,
            store: self.store,
            clock: self.clock,
            options: self.options,
            locks: CustomerLocks::default(),
            shop_limit: Arc::new(Semaphore::new(permits)),
            crm_limit: Arc::new(Semaphore::new(permits)),
            orders_group: OnceCell::new(),
            first_write: FirstWriteCheck::default(),
        }
    }
}

/// One run in progress: its counted ports and its report.
pub(crate) struct Run {
    pub(crate) shop: CountedShop,
    pub(crate) crm: CountedCrm,
    counts: Arc<RequestCounts>,
    pub(crate) report: Mutex<SyncReport>,
    /// A full sync's creates carried from page to page (see `engine::carry`).
    pub(crate) carry: CreatesCarry,
    started: Instant,
}

impl Run {
    /// Changes the report (the lock is held only for `f`).
    pub(crate) fn tally(&self, f: impl FnOnce(&mut SyncReport)) {
        f(&mut self.report.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// The report, with the request counts and the duration.
    pub(crate) fn finish(self) -> SyncReport {
        let mut report = self.report.into_inner().unwrap_or_else(|p| p.into_inner());
        report.requests = self.counts.snapshot();
        report.read_retries = self.counts.read_retries();
        report.duration_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        report
    }
}

impl Engine {
    /// An engine for `config` over the given ports, with default options (see
    /// [`Engine::builder`] for others).
    pub fn new(
        config: IntegrationConfig,
        shop: Arc<dyn ShopPort>,
        crm: Arc<dyn CrmPort>,
        store: Arc<dyn StateStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self::builder(config, shop, crm, store, clock).build()
    }

    /// A builder for an engine over the given ports, to set options before it is built.
    pub fn builder(
        config: IntegrationConfig,
        shop: Arc<dyn ShopPort>,
        crm: Arc<dyn CrmPort>,
        store: Arc<dyn StateStore>,
        clock: Arc<dyn Clock>,
    ) -> EngineBuilder {
        EngineBuilder {
            config,
            shop,
            crm,
            store,
            clock,
            options: EngineOptions::default(),
        }
    }

    /// The integration's config.
    pub fn config(&self) -> &IntegrationConfig {
        &self.config
    }

    /// The engine's options.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// The integration's name (its key in the state store).
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// Starts a run: fresh request counters over the engine's shared concurrency bounds.
    pub(crate) fn begin_run(&self, kind: RunKind) -> Run {
        let counts = Arc::new(RequestCounts::default());
        Run {
            shop: CountedShop {
                inner: Arc::clone(&self.shop),
                counts: Arc::clone(&counts),
                limit: Arc::clone(&self.shop_limit),
            },
            crm: CountedCrm {
                inner: Arc::clone(&self.crm),
                counts: Arc::clone(&counts),
                limit: Arc::clone(&self.crm_limit),
            },
            counts,
            report: Mutex::new(SyncReport {
                integration: self.config.name.clone(),
                kind,
                disabled: !self.config.enabled,
                ..SyncReport::default()
            }),
            carry: CreatesCarry::default(),
            started: Instant::now(),
        }
    }

    /// The orders of `client_ids` the run keeps, grouped by client: one search per 100
    /// clients (and its further pages, for clients with many orders), the searches run
    /// concurrently. Every order when the orders group is configured; otherwise only those
    /// the mapping can tell apart (`engine::kept_orders`), folded as the pages arrive so a
    /// page of busy customers never holds all their orders at once.
    pub(crate) async fn orders_of(
        &self,
        run: &Run,
        client_ids: &[u64],
    ) -> Result<HashMap<u64, Vec<Order>>, SyncError> {
        let keep = match self.config.orders_group {
            Some(_) => Keep::Every,
            None => Keep::Distinct,
        };
        let searches = client_ids.chunks(IDS_PER_REQUEST).map(|chunk| {
            let query = OrdersQuery {
                client_ids: chunk.to_vec(),
                modified: None,
            };
            async move {
                let mut kept = KeptOrders::new(keep);
                self.for_each_orders_page(run, &query, |orders| kept.add_all(orders))
                    .await?;
                Ok::<_, SyncError>(kept.into_map())
            }
        });
        let mut grouped: HashMap<u64, Vec<Order>> = HashMap::new();
        for kept in futures::future::try_join_all(searches).await? {
            // Each search has its own clients: the maps do not overlap.
            for (client_id, orders) in kept {
                grouped.entry(client_id).or_default().extend(orders);
            }
        }
        Ok(grouped)
    }

    /// Every page of an orders search, in page order, handed to `on_page` as it arrives:
    /// the first page says how many there are (`resultsNumberPage`), then the others are
    /// read concurrently (the counted port bounds how many are really in flight).
    pub(crate) async fn for_each_orders_page(
        &self,
        run: &Run,
        query: &OrdersQuery,
        mut on_page: impl FnMut(Vec<Order>),
    ) -> Result<(), SyncError> {
        let size = self.options.orders_page_size.clamp(1, 100);
        let page = |number: u32| async move {
            run.shop
                .search_orders(query, number, size)
                .await
                .map_err(SyncError::Shop)
        };
        let first = page(0).await?;
        report_rejected(run, &first.rejected);
        let (page_count, mut has_next) = (first.page_count, first.has_next());
        on_page(first.items);
        if !has_next {
            return Ok(());
        }
        let mut last = page_count - 1;
        let mut rest = stream::iter(1..page_count)
            .map(page)
            .buffered(self.options.concurrency.max(1));
        has_next = false;
        while let Some(next) = rest.try_next().await? {
            has_next = next.has_next();
            report_rejected(run, &next.rejected);
            on_page(next.items);
        }
        // Orders placed while the search ran may have added pages: read them one by one.
        while has_next {
            last += 1;
            let next = page(last).await?;
            has_next = next.has_next();
            report_rejected(run, &next.rejected);
            on_page(next.items);
        }
        Ok(())
    }
}
