//! The fewest requests a full sync can make, computed from the data it syncs.
//!
//! `lower bound = ceil(N / 100) + order pages + ceil(T / 1000) + write batches`, where
//! - `N` is the number of shop customers, read 100 per page (the API's maximum);
//! - order pages = the sum over those pages of `ceil(orders of the page's ≤100 clients / 100)`
//!   (one orders search filtered by the page's clients, 100 orders per page);
//! - `T` is the Thulium tenant's size at the start, read 1000 per page;
//! - write batches = `ceil(creates / chunk) + ceil(updates / chunk)` with the configured
//!   batch size.

use std::collections::HashMap;

use sandbox::Sandbox;
use serde::Serialize;

/// Shop customers per page and orders per page of a search (the API's maximum).
const SHOP_PAGE: usize = 100;
/// Thulium customers per page (the API's maximum).
const TENANT_PAGE: usize = 1000;

/// The read side of the bound: what the data alone decides.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ReadBound {
    /// `ceil(N / 100)`.
    pub customer_pages: u64,
    /// Sum over customer pages of `ceil(orders of its clients / 100)`.
    pub order_pages: u64,
    /// `ceil(T / 1000)`.
    pub tenant_pages: u64,
}

impl ReadBound {
    /// Measures the shop and tenant of `sandbox` as they are now.
    pub fn of(sandbox: &Sandbox) -> Self {
        let mut ids: Vec<u64> = sandbox
            .shop()
            .customers()
            .iter()
            .map(|c| c.client_id)
            .collect();
        ids.sort_unstable();
        let mut orders_of: HashMap<u64, usize> = HashMap::new();
        for order in sandbox.shop().orders() {
            *orders_of.entry(order.client_id).or_default() += 1;
        }
        let order_pages = ids
            .chunks(SHOP_PAGE)
            .map(|page| {
                let orders: usize = page.iter().filter_map(|id| orders_of.get(id)).sum();
                orders.div_ceil(SHOP_PAGE) as u64
            })
            .sum();
        Self {
            customer_pages: ids.len().div_ceil(SHOP_PAGE) as u64,
            order_pages,
            tenant_pages: sandbox.thulium().customer_count().div_ceil(TENANT_PAGE) as u64,
        }
    }

    /// The whole bound for a run that created `creates` and updated `updates` customers in
    /// batches of `chunk`.
    pub fn with_writes(self, creates: u64, updates: u64, chunk: usize) -> u64 {
        let chunk = chunk.max(1) as u64;
        self.customer_pages
            + self.order_pages
            + self.tenant_pages
            + creates.div_ceil(chunk)
            + updates.div_ceil(chunk)
    }
}
