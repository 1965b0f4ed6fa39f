//! The incremental sync: what changed in the shop since the last run.
//!
//! Two windows over the shop's modification dates (the pure `window::next_window_in` in the
//! shop's time zone, so the October repeated hour is read again, with a
//! lookback overlap): customers by their last modification date, orders by their `modified`
//! date. The customers modified, the clients of the orders modified and the customers whose
//! write failed in earlier runs are re-synced through the shared pipeline (an order changes
//! its customer's last-order date and order items too). An idle poll costs one customers page
//! and one orders page, and no Thulium request. The cursors move only when the whole pass
//! succeeded; failed writes are kept as failures and retried by the next pass.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use crate::window::{Window, next_window_in};

use super::engine::{Engine, Run};
use super::error::SyncError;
use super::lookup::Lookup;
use super::pipeline::{Adoption, report_rejected};
use super::ports::{OrdersQuery, ShopPort};
use super::report::{RunKind, SyncReport};
use super::store::{Changes, CursorKind};

/// Which stored failures an incremental pass tries again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryFailures {
    /// Every one.
    All,
    /// Those this run has not tried (a full sync's closing pass: the failures its own pages
    /// just met wait for the next pass; those an interrupted earlier run left are tried).
    NotTriedByThisRun,
}

impl Engine {
    /// One incremental pass from the saved cursors (see the module docs).
    pub async fn incremental_sync(&self) -> Result<SyncReport, SyncError> {
        let run = self.begin_run(RunKind::Incremental);
        if !self.config.enabled {
            return Ok(run.finish());
        }
        let name = self.config.name.as_str();
        // Adoptions left waiting by a full sync that stopped after its last page.
        if self.store.checkpoint(name).await?.is_none() {
            self.resolve_adoptions(&run, &Lookup::Search).await?;
        }
        let customers = self.store.cursor(name, CursorKind::Customers).await?;
        let orders = self.store.cursor(name, CursorKind::Orders).await?;
        self.incremental_pass(&run, customers, orders, RetryFailures::All)
            .await?;
        Ok(run.finish())
    }

    /// Reads both windows from the given cursors, re-syncs what they name (and the pending
    /// failures, as `retry_failures` says), then saves the windows' ends as the new cursors.
    pub(crate) async fn incremental_pass(
        &self,
        run: &Run,
        customers_cursor: Option<NaiveDateTime>,
        orders_cursor: Option<NaiveDateTime>,
        retry_failures: RetryFailures,
    ) -> Result<(), SyncError> {
        let now = self.clock.now();
        let window = |cursor| {
            next_window_in(
                &self.config.shop_time_zone,
                cursor,
                self.options.lookback,
                now,
                now,
                self.options.first_run_start,
            )
        };
        let customers_window = window(customers_cursor);
        let orders_window = window(orders_cursor);
        run.tally(|r| {
            r.customers_window = Some(customers_window);
            r.orders_window = Some(orders_window);
        });
        // Both windows are read at once: the orders window only reads.
        let (mut synced, mut pending) = futures::try_join!(
            self.sync_modified_customers(run, customers_window),
            self.clients_of_modified_orders(run, orders_window),
        )?;
        let mut failed = self.store.failed_customers(&self.config.name).await?;
        if retry_failures == RetryFailures::NotTriedByThisRun {
            let mut tried = HashSet::new();
            run.tally(|r| tried.extend(r.failed.iter().map(|f| f.client_id)));
            failed.retain(|f| !tried.contains(&f.client_id));
        }
        run.tally(|r| r.retried_failures += failed.len() as u64);
        pending.extend(failed.into_iter().map(|f| f.client_id));
        let pending: Vec<u64> = pending
            .into_iter()
            .filter(|id| synced.insert(*id))
            .collect();
        self.resync_ids(run, &pending).await?;
        let cursors = Changes::new()
            .set_cursor(CursorKind::Customers, customers_window.end)
            .set_cursor(CursorKind::Orders, orders_window.end);
        self.store.apply(&self.config.name, cursors).await?;
        Ok(())
    }

    /// Syncs every customer modified in `window`, page by page; returns their ids.
    async fn sync_modified_customers(
        &self,
        run: &Run,
        window: Window,
    ) -> Result<HashSet<u64>, SyncError> {
        let size = self.options.shop_page_size.clamp(1, 100);
        let mut synced = HashSet::new();
        let mut number = 0;
        loop {
            let page = run
                .shop
                .customers_page(Some(window), number, size)
                .await
                .map_err(SyncError::Shop)?;
            let has_next = page.has_next();
            report_rejected(run, &page.rejected);
            synced.extend(page.items.iter().map(|c| c.client_id));
            self.sync_clients(run, &Lookup::Search, page.items, Adoption::ClaimNow)
                .await?;
            if !has_next {
                return Ok(synced);
            }
            number += 1;
        }
    }

    /// The clients of the orders modified in `window`, in first-seen order.
    async fn clients_of_modified_orders(
        &self,
        run: &Run,
        window: Window,
    ) -> Result<Vec<u64>, SyncError> {
        let query = OrdersQuery {
            client_ids: Vec::new(),
            modified: Some(window),
        };
        let mut seen = HashSet::new();
        let mut clients = Vec::new();
        self.for_each_orders_page(run, &query, |orders| {
            let ids = orders.iter().filter_map(|o| o.client.account.client_id);
            clients.extend(ids.filter(|id| seen.insert(*id)));
        })
        .await?;
        Ok(clients)
    }
}
