//! The engine of one integration, and the one pipeline every kind of run shares:
//! [`Engine::sync_clients`] takes a set of shop customers, reads their orders (one search per
//! ≤100 customers), looks them up in Thulium, plans, writes and records — under a lock per
//! customer, so concurrent runs never write the same customer interleaved.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use futures::{StreamExt, TryStreamExt, stream};
use iai_shop_client::{Client, Order};
use tokio::sync::{OnceCell, Semaphore};

use crate::config::IntegrationConfig;
use crate::fingerprint::Fingerprint;
use crate::mapping::{MappedCustomer, map_customer};
use crate::plan::{PlanAction, PlanInput, needs_lookup, plan_customer};

use super::clock::Clock;
use super::counting::{CountedCrm, CountedShop, RequestCounts};
use super::customer_locks::CustomerLocks;
use super::first_write::FirstWriteCheck;
use super::lookup::Lookup;
use super::orders_group::ResolvedGroup;
use super::ports::{CrmPort, OrdersQuery, PortError, ShopPort};
use super::preflight::PreflightError;
use super::report::{ConflictEntry, FailureEntry, RunKind, SyncReport};
use super::store::{Changes, StateStore, StoreError};
use super::writer::{Pending, Writer};

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

/// Why a run stopped. A stopped full sync resumes from its checkpoint on the next call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// Reading the shop failed (after the client's own retries).
    #[error("shop: {0}")]
    Shop(#[source] PortError),
    /// Reading Thulium failed (after the client's own retries).
    #[error("Thulium: {0}")]
    Crm(#[source] PortError),
    /// The state store failed.
    #[error("state store: {0}")]
    Store(#[from] StoreError),
    /// The first customer written into a tenant that preflight could not check lacks
    /// required custom fields: nothing else was written (see `engine::preflight`).
    #[error("the first customer written shows that {0}")]
    FieldsMissing(#[source] PreflightError),
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
    locks: CustomerLocks,
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

/// One run in progress: its counted ports and its report.
pub(crate) struct Run {
    pub(crate) shop: CountedShop,
    pub(crate) crm: CountedCrm,
    counts: Arc<RequestCounts>,
    pub(crate) report: Mutex<SyncReport>,
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
        report.duration_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        report
    }
}

/// One shop customer with its plan.
pub(crate) struct Planned {
    pub(crate) mapped: MappedCustomer,
    pub(crate) orders: Vec<Order>,
    pub(crate) action: PlanAction,
}

/// The desired state of one shop customer and what is known about it.
struct Candidate {
    mapped: MappedCustomer,
    orders: Vec<Order>,
    linked: Option<u64>,
    fingerprint: Option<Fingerprint>,
}

impl Engine {
    /// An engine for `config` over the given ports, with default options.
    pub fn new(
        config: IntegrationConfig,
        shop: Arc<dyn ShopPort>,
        crm: Arc<dyn CrmPort>,
        store: Arc<dyn StateStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self::build(config, shop, crm, store, clock, EngineOptions::default())
    }

    fn build(
        config: IntegrationConfig,
        shop: Arc<dyn ShopPort>,
        crm: Arc<dyn CrmPort>,
        store: Arc<dyn StateStore>,
        clock: Arc<dyn Clock>,
        options: EngineOptions,
    ) -> Self {
        let permits = options.concurrency.max(1);
        Self {
            config,
            shop,
            crm,
            store,
            clock,
            options,
            locks: CustomerLocks::default(),
            shop_limit: Arc::new(Semaphore::new(permits)),
            crm_limit: Arc::new(Semaphore::new(permits)),
            orders_group: OnceCell::new(),
            first_write: FirstWriteCheck::default(),
        }
    }

    /// The same engine with other options.
    pub fn with_options(self, options: EngineOptions) -> Self {
        let first_write = std::mem::take(&mut *self.first_write.lock_state());
        let engine = Self::build(
            self.config,
            self.shop,
            self.crm,
            self.store,
            self.clock,
            options,
        );
        *engine.first_write.lock_state() = first_write;
        engine
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
            started: Instant::now(),
        }
    }

    /// Syncs a set of shop customers — the one pipeline of full sync, incremental sync and
    /// webhooks. Under the customers' locks: the plan ([`Engine::plan_clients`]), batch
    /// writes, the orders group, and one store transaction recording every outcome (links,
    /// fingerprints, failures, order items).
    pub(crate) async fn sync_clients(
        &self,
        run: &Run,
        lookup: &Lookup,
        clients: Vec<Client>,
    ) -> Result<(), SyncError> {
        if clients.is_empty() {
            return Ok(());
        }
        let name = self.config.name.as_str();
        let ids: Vec<u64> = clients
            .iter()
            .map(|c| c.client_id)
            .filter(|&id| id != MISSING_CLIENT_ID)
            .collect();
        let _guards = self.locks.lock_all(&ids).await;
        let planned = self.plan_clients(run, lookup, clients).await?;

        let mut changes = Changes::new();
        let mut writer = Writer::new(&run.crm, &self.config, self.options.write_chunk);
        let mut customer_of: HashMap<u64, u64> = HashMap::new();
        let mut orders_of: Vec<(u64, Vec<Order>)> = Vec::new();
        for Planned {
            mapped,
            orders,
            action,
        } in planned
        {
            let client_id = mapped.client_id;
            orders_of.push((client_id, orders));
            let pending = Pending::new(client_id, mapped.input);
            match action {
                PlanAction::Create => writer.create(pending),
                PlanAction::Update { customer_id, .. } => writer.update(customer_id, pending),
                PlanAction::Skip { customer_id } => {
                    run.tally(|r| r.skipped += 1);
                    customer_of.insert(client_id, customer_id);
                    changes = changes.clear_failure(client_id);
                }
                PlanAction::Conflict {
                    customer_ids,
                    reason,
                } => run.tally(|r| {
                    r.conflicts.push(ConflictEntry {
                        client_id,
                        customer_ids,
                        reason,
                    })
                }),
            }
        }
        self.check_first_write(run, &mut writer, &mut changes, &mut customer_of)
            .await?;
        let now = self.clock.now();
        let (written_changes, written) = writer.flush(&run.report, now).await;
        changes = changes.extend(written_changes);
        customer_of.extend(written);
        if self.config.orders_group.is_some() {
            let items = self.sync_order_items(run, &customer_of, orders_of).await?;
            changes = changes.extend(items);
        }
        self.store.apply(name, changes).await?;
        Ok(())
    }

    /// Plans a set of shop customers with reads only — shared by the sync and the dry run:
    /// their orders (one search per ≤100 customers, plus further pages), their links and
    /// fingerprints, a Thulium lookup for those that changed, and the pure planner. Counts
    /// the customers seen and the mapping issues in the run's report. Each client once;
    /// records without a client id are left out as failures ([`without_missing_ids`]).
    pub(crate) async fn plan_clients(
        &self,
        run: &Run,
        lookup: &Lookup,
        clients: Vec<Client>,
    ) -> Result<Vec<Planned>, SyncError> {
        let clients = latest_per_client(without_missing_ids(run, clients));
        if clients.is_empty() {
            return Ok(Vec::new());
        }
        let name = self.config.name.as_str();
        let ids: Vec<u64> = clients.iter().map(|c| c.client_id).collect();
        let mut orders = self.orders_of(run, &ids).await?;
        let links = self.store.links_for(name, &ids).await?;
        let prints = self.store.fingerprints_for(name, &ids).await?;
        let candidates: Vec<Candidate> = clients
            .iter()
            .map(|client| {
                let orders = orders.remove(&client.client_id).unwrap_or_default();
                Candidate {
                    mapped: map_customer(client, &orders, &self.config),
                    orders,
                    linked: links.get(&client.client_id).copied(),
                    fingerprint: prints
                        .get(&client.client_id)
                        .and_then(|saved| Fingerprint::from_saved(saved)),
                }
            })
            .collect();
        run.tally(|r| {
            r.customers_seen += candidates.len() as u64;
            r.mapping_issues += candidates
                .iter()
                .map(|c| c.mapped.issues.len() as u64)
                .sum::<u64>();
        });
        let to_look_up: Vec<u64> = candidates
            .iter()
            .filter(|c| needs_lookup(c.linked, c.fingerprint.as_ref(), &c.mapped.input))
            .map(|c| c.mapped.client_id)
            .collect();
        let by_id = lookup
            .by_shop_ids(&run.crm, &self.config, &to_look_up)
            .await?;

        let mut targeted = HashSet::new();
        let mut planned = Vec::with_capacity(candidates.len());
        for candidate in candidates {
            let client_id = candidate.mapped.client_id;
            let found = by_id.get(&client_id).map_or(&[][..], Vec::as_slice);
            let fallback = if candidate.linked.is_none() && found.is_empty() {
                lookup
                    .by_fallback(&run.crm, &self.config, &candidate.mapped)
                    .await?
            } else {
                Vec::new()
            };
            let mut action = plan_customer(
                &PlanInput {
                    shop_client_id: client_id,
                    desired: &candidate.mapped.input,
                    linked_customer_id: candidate.linked,
                    last_fingerprint: candidate.fingerprint.as_ref(),
                    by_id: found,
                    by_fallback: &fallback,
                },
                &self.config,
            );
            // Two customers of one set matched to the same Thulium customer by e-mail or
            // phone: the first takes it; the next is created, exactly as it would be in a
            // later set, where the taken customer already carries the first one's ID.
            if let PlanAction::Update { customer_id, .. } = action
                && !targeted.insert(customer_id)
            {
                action = PlanAction::Create;
            }
            planned.push(Planned {
                mapped: candidate.mapped,
                orders: candidate.orders,
                action,
            });
        }
        Ok(planned)
    }

    /// Every order of `client_ids`, grouped by client: one search per 100 clients (and its
    /// further pages, for clients with many orders), the searches run concurrently.
    async fn orders_of(
        &self,
        run: &Run,
        client_ids: &[u64],
    ) -> Result<HashMap<u64, Vec<Order>>, SyncError> {
        let searches = client_ids.chunks(IDS_PER_REQUEST).map(|chunk| {
            let query = OrdersQuery {
                client_ids: chunk.to_vec(),
                modified: None,
            };
            async move { self.search_all_orders(run, &query).await }
        });
        let mut grouped: HashMap<u64, Vec<Order>> = HashMap::new();
        for orders in futures::future::try_join_all(searches).await? {
            for order in orders {
                if let Some(client_id) = order.client.account.client_id {
                    grouped.entry(client_id).or_default().push(order);
                }
            }
        }
        Ok(grouped)
    }

    /// Every page of an orders search, in page order: the first page says how many there
    /// are (`resultsNumberPage`), then the others are read concurrently (the counted port
    /// bounds how many are really in flight).
    pub(crate) async fn search_all_orders(
        &self,
        run: &Run,
        query: &OrdersQuery,
    ) -> Result<Vec<Order>, SyncError> {
        let size = self.options.orders_page_size.clamp(1, 100);
        let page = |number: u32| async move {
            run.shop
                .search_orders(query, number, size)
                .await
                .map_err(SyncError::Shop)
        };
        let first = page(0).await?;
        if !first.has_next() {
            return Ok(first.items);
        }
        let mut orders = first.items;
        let mut last = first.page_count - 1;
        let mut rest = stream::iter(1..first.page_count)
            .map(page)
            .buffered(self.options.concurrency.max(1));
        let mut has_next = false;
        while let Some(next) = rest.try_next().await? {
            has_next = next.has_next();
            orders.extend(next.items);
        }
        // Orders placed while the search ran may have added pages: read them one by one.
        while has_next {
            last += 1;
            let next = page(last).await?;
            has_next = next.has_next();
            orders.extend(next.items);
        }
        Ok(orders)
    }

    /// Re-reads customers by id (≤100 per request) and syncs them, ≤100 at a time.
    pub(crate) async fn resync_ids(&self, run: &Run, client_ids: &[u64]) -> Result<(), SyncError> {
        for chunk in client_ids.chunks(IDS_PER_REQUEST) {
            let clients = run
                .shop
                .customers_by_ids(chunk)
                .await
                .map_err(SyncError::Shop)?;
            self.sync_clients(run, &Lookup::Search, clients).await?;
        }
        Ok(())
    }
}

/// The client id a shop record without `clientId` decodes to (see `iai-shop-client`).
const MISSING_CLIENT_ID: u64 = 0;

/// Leaves out the records without a client id, each counted as a failure of the run.
/// Synced, they would all become one Thulium customer with shop ID 0; they are not stored
/// as failures either, as there is no id to retry them by.
fn without_missing_ids(run: &Run, clients: Vec<Client>) -> Vec<Client> {
    let (missing, usable): (Vec<Client>, Vec<Client>) = clients
        .into_iter()
        .partition(|c| c.client_id == MISSING_CLIENT_ID);
    if !missing.is_empty() {
        tracing::warn!(
            records = missing.len(),
            "shop records without clientId left out"
        );
        run.tally(|r| {
            r.customers_seen += missing.len() as u64;
            r.failed.extend(missing.iter().map(|_| FailureEntry {
                client_id: MISSING_CLIENT_ID,
                reason: "shop record without clientId".to_owned(),
            }));
        });
    }
    usable
}

/// One entry per client id (the last one read wins), in first-seen order.
fn latest_per_client(clients: Vec<Client>) -> Vec<Client> {
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
