//! The engine: one integration's full sync over the ports.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use iai_shop_client::{Client, Order};
use thulium_client::Customer;

use crate::config::IntegrationConfig;
use crate::fingerprint::Fingerprint;
use crate::mapping::{MappedCustomer, map_customer};
use crate::plan::{PlanAction, PlanInput, needs_lookup, plan_customer};

use super::clock::Clock;
use super::ports::{CrmPort, OrdersQuery, PortError, ShopPort};
use super::report::{ConflictEntry, Progress, SyncReport};
use super::store::{Changes, CursorKind, FullSyncCheckpoint, StateStore, StoreError};
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
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            shop_page_size: 100,
            write_chunk: 50,
            orders_page_size: 100,
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
}

/// One integration's sync engine: reads the shop, plans, writes Thulium, remembers.
pub struct Engine {
    config: IntegrationConfig,
    shop: Arc<dyn ShopPort>,
    crm: Arc<dyn CrmPort>,
    store: Arc<dyn StateStore>,
    clock: Arc<dyn Clock>,
    options: EngineOptions,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("integration", &self.config.name)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// The desired state of one shop customer and what is known about it.
struct Candidate {
    mapped: MappedCustomer,
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
        Self {
            config,
            shop,
            crm,
            store,
            clock,
            options: EngineOptions::default(),
        }
    }

    /// The same engine with other options.
    pub fn with_options(mut self, options: EngineOptions) -> Self {
        self.options = options;
        self
    }

    /// The integration's config.
    pub fn config(&self) -> &IntegrationConfig {
        &self.config
    }

    /// Synchronises the whole customer base, page by page, resuming an interrupted run.
    ///
    /// Per page of shop customers: one orders search (plus its further pages), one Thulium
    /// search listing the page's IDs as alternatives of the ID field (skipped for customers
    /// linked and unchanged), fallback searches only for customers not linked and not found,
    /// batch writes, and one store transaction holding the page's links, fingerprints,
    /// failures and the checkpoint. At the end the incremental cursors are set to the time
    /// the full sync started, so the next incremental pass catches changes made meanwhile.
    pub async fn full_sync(
        &self,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<SyncReport, SyncError> {
        let started = Instant::now();
        let name = self.config.name.as_str();
        let mut report = SyncReport {
            integration: name.to_owned(),
            ..SyncReport::default()
        };
        if !self.config.enabled {
            report.disabled = true;
            return Ok(report);
        }
        let page_size = self.options.shop_page_size.clamp(1, 100);
        let mut checkpoint = match self.store.checkpoint(name).await? {
            Some(saved) if saved.page_size == page_size => {
                report.resumed_from_page = Some(saved.next_page);
                saved
            }
            _ => FullSyncCheckpoint {
                started_at: self.clock.now(),
                next_page: 0,
                page_size,
                customers_done: 0,
            },
        };
        loop {
            let page = self
                .shop
                .customers_page(None, checkpoint.next_page, page_size)
                .await
                .map_err(SyncError::Shop)?;
            if page.items.is_empty() {
                break;
            }
            let has_next = page.has_next();
            let seen = page.items.len() as u64;
            let changes = self.sync_clients(page.items, &mut report).await?;
            checkpoint.next_page += 1;
            checkpoint.customers_done += seen;
            report.pages += 1;
            report.customers_seen += seen;
            self.store
                .apply(name, changes.set_checkpoint(checkpoint.clone()))
                .await?;
            progress(&Progress {
                page: page.page,
                page_count: page.page_count,
                customers_done: checkpoint.customers_done,
                customers_total: page.total,
            });
            if !has_next {
                break;
            }
        }
        let finish = Changes::new()
            .clear_checkpoint()
            .set_cursor(CursorKind::Customers, checkpoint.started_at)
            .set_cursor(CursorKind::Orders, checkpoint.started_at);
        self.store.apply(name, finish).await?;
        report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(report)
    }

    /// Plans and writes a set of shop customers (at most a page); returns the store changes
    /// recording the outcome, for the caller to commit with its own bookkeeping.
    pub(crate) async fn sync_clients(
        &self,
        clients: Vec<Client>,
        report: &mut SyncReport,
    ) -> Result<Changes, SyncError> {
        let name = self.config.name.as_str();
        let ids: Vec<u64> = clients.iter().map(|c| c.client_id).collect();
        let mut orders = self.orders_of(&ids).await?;
        let links = self.store.links_for(name, &ids).await?;
        let prints = self.store.fingerprints_for(name, &ids).await?;
        let candidates: Vec<Candidate> = clients
            .iter()
            .map(|client| {
                let orders = orders.remove(&client.client_id).unwrap_or_default();
                let mapped = map_customer(client, &orders, &self.config);
                report.mapping_issues += mapped.issues.len() as u64;
                Candidate {
                    linked: links.get(&client.client_id).copied(),
                    fingerprint: prints
                        .get(&client.client_id)
                        .and_then(|saved| Fingerprint::from_saved(saved)),
                    mapped,
                }
            })
            .collect();
        let to_look_up: Vec<u64> = candidates
            .iter()
            .filter(|c| needs_lookup(c.linked, c.fingerprint.as_ref(), &c.mapped.input))
            .map(|c| c.mapped.client_id)
            .collect();
        let by_id = self.find_by_shop_ids(&to_look_up).await?;

        let mut changes = Changes::new();
        let mut writer = Writer::new(self.crm.as_ref(), &self.config, self.options.write_chunk);
        let mut targeted = HashSet::new();
        for candidate in candidates {
            let client_id = candidate.mapped.client_id;
            let found = by_id.get(&client_id).map_or(&[][..], Vec::as_slice);
            let fallback = if candidate.linked.is_none() && found.is_empty() {
                self.find_by_fallback(&candidate.mapped).await?
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
            // Two customers of one page matched to the same Thulium customer by e-mail or
            // phone: the first takes it; the next is created, exactly as it would be on a
            // later page, where the taken customer already carries the first one's ID.
            if let PlanAction::Update { customer_id, .. } = action
                && !targeted.insert(customer_id)
            {
                action = PlanAction::Create;
            }
            let pending = Pending::new(client_id, candidate.mapped.input);
            match action {
                PlanAction::Create => writer.create(pending),
                PlanAction::Update { customer_id, .. } => writer.update(customer_id, pending),
                PlanAction::Skip { .. } => {
                    report.skipped += 1;
                    changes = changes.clear_failure(client_id);
                }
                PlanAction::Conflict {
                    customer_ids,
                    reason,
                } => report.conflicts.push(ConflictEntry {
                    client_id,
                    customer_ids,
                    reason,
                }),
            }
        }
        let now = self.clock.now();
        Ok(changes.extend(writer.flush(report, now).await))
    }

    /// Every order of `client_ids`, grouped by client: one search per 100 clients (and its
    /// further pages, for clients with many orders).
    async fn orders_of(&self, client_ids: &[u64]) -> Result<HashMap<u64, Vec<Order>>, SyncError> {
        let mut grouped: HashMap<u64, Vec<Order>> = HashMap::new();
        for chunk in client_ids.chunks(IDS_PER_REQUEST) {
            let query = OrdersQuery {
                client_ids: chunk.to_vec(),
                modified: None,
            };
            for order in self.search_all_orders(&query).await? {
                if let Some(client_id) = order.client.account.client_id {
                    grouped.entry(client_id).or_default().push(order);
                }
            }
        }
        Ok(grouped)
    }

    async fn search_all_orders(&self, query: &OrdersQuery) -> Result<Vec<Order>, SyncError> {
        let size = self.options.orders_page_size.clamp(1, 100);
        let mut orders = Vec::new();
        let mut page_number = 0;
        loop {
            let page = self
                .shop
                .search_orders(query, page_number, size)
                .await
                .map_err(SyncError::Shop)?;
            let has_next = page.has_next();
            orders.extend(page.items);
            if !has_next {
                return Ok(orders);
            }
            page_number += 1;
        }
    }

    /// Thulium customers carrying each of `client_ids` in the ID field: one search per 100.
    async fn find_by_shop_ids(
        &self,
        client_ids: &[u64],
    ) -> Result<HashMap<u64, Vec<Customer>>, SyncError> {
        let field = self.config.fields.shop_id.as_str();
        let mut found: HashMap<u64, Vec<Customer>> = HashMap::new();
        for chunk in client_ids.chunks(IDS_PER_REQUEST) {
            let customers = self
                .crm
                .find_by_field_values(field, chunk)
                .await
                .map_err(SyncError::Crm)?;
            for customer in customers {
                let shop_id = customer
                    .custom_fields
                    .number(field)
                    .and_then(|n| u64::try_from(n).ok());
                if let Some(shop_id) = shop_id.filter(|id| chunk.contains(id)) {
                    found.entry(shop_id).or_default().push(customer);
                }
            }
        }
        Ok(found)
    }

    /// Thulium customers sharing an e-mail address or phone with a customer not linked yet,
    /// as the matching settings allow.
    async fn find_by_fallback(&self, mapped: &MappedCustomer) -> Result<Vec<Customer>, SyncError> {
        let mut found = Vec::new();
        if self.config.matching.by_email {
            for email in &mapped.input.email {
                found.extend(
                    self.crm
                        .find_by_email(email)
                        .await
                        .map_err(SyncError::Crm)?,
                );
            }
        }
        if self.config.matching.by_phone {
            for phone in &mapped.input.phone_number {
                found.extend(
                    self.crm
                        .find_by_phone(phone)
                        .await
                        .map_err(SyncError::Crm)?,
                );
            }
        }
        Ok(found)
    }
}
