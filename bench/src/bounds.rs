//! The fewest requests a full sync can make, computed from the data it syncs and what it
//! wrote.
//!
//! `lower bound = shop reads + closing pass + tenant read + write batches`, where
//! - shop reads = `ceil(N / 100)` customer pages (`N` shop customers, 100 per page, the API's
//!   maximum) + order pages: the sum over those pages of `ceil(orders of the page's ≤100
//!   clients / 100)` (one orders search filtered by the page's clients, 100 orders per page);
//! - closing pass = 2: the full sync's closing incremental pass reads one customers window
//!   and one orders window;
//! - tenant read: `T` = Thulium customers at the start, read in pages of 1000 that overlap by
//!   20 (a stride of 980): `1 + ceil((T - 1000) / 980)` pages (1 when `T ≤ 1000`). When the
//!   list answers carry no total and the first page is full (`T ≥ 1000`): **+1** one-customer
//!   probe (it tells whether reading the tenant costs less than searching), and **+1** page
//!   when the last page is full (`(T - 1000)` a multiple of 980): only a short page shows the
//!   end;
//! - write batches (`chunk` = customers per batch write) = `ceil(creates / chunk) +
//!   ceil(updates / chunk)` + the adoption batches: adoptions are decided at the end of the
//!   run, 1000 waiting customers at a time (in client id order), so per chunk of 1000
//!   adoption candidates `ceil(adopted in it / chunk)`. A candidate whose contact went to
//!   another customer is one of the creates.

use std::collections::HashMap;

use sandbox::Sandbox;
use sandbox::thulium::ListShape;
use serde::Serialize;

/// Shop customers per page and orders per page of a search (the API's maximum).
const SHOP_PAGE: usize = 100;
/// Thulium customers per page (the API's maximum).
const TENANT_PAGE: u64 = 1000;
/// Customers neighbouring tenant pages share (sync-core's `lookup::PAGE_OVERLAP`).
const TENANT_OVERLAP: u64 = 20;
/// Waiting customers (adoption candidates among them) decided together at the end of a full
/// sync (sync-core's `adoption::DECIDED_AT_ONCE`).
const CANDIDATES_PER_DECISION: usize = 1000;
/// Requests of a full sync's closing incremental pass with nothing changed.
const CLOSING_PASS: u64 = 2;

/// The read side of the bound: what the data alone decides.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ReadBound {
    /// `ceil(N / 100)`.
    pub customer_pages: u64,
    /// Sum over customer pages of `ceil(orders of its clients / 100)`.
    pub order_pages: u64,
    /// The closing incremental pass: one customers window, one orders window.
    pub closing_pass: u64,
    /// Thulium customers at the start.
    pub tenant: u64,
    /// Whether Thulium's list answers carry the total.
    pub tenant_total_known: bool,
    /// `1 + ceil((T - 1000) / 980)`, +1 when there is no total and the last page is full.
    pub tenant_pages: u64,
    /// 1 when there is no total and the first page is full, else 0.
    pub size_probe: u64,
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
        let tenant = sandbox.thulium().customer_count() as u64;
        let total_known = sandbox.thulium().quirks().list_shape == ListShape::CountAndResult;
        let (tenant_pages, size_probe) = tenant_read(tenant, total_known);
        Self {
            customer_pages: ids.len().div_ceil(SHOP_PAGE) as u64,
            order_pages,
            closing_pass: CLOSING_PASS,
            tenant,
            tenant_total_known: total_known,
            tenant_pages,
            size_probe,
        }
    }

    /// Shop requests: customer pages, order pages and the closing pass.
    pub fn shop(&self) -> u64 {
        self.customer_pages + self.order_pages + self.closing_pass
    }

    /// Thulium reads: the tenant pages and the size probe.
    pub fn thulium_reads(&self) -> u64 {
        self.tenant_pages + self.size_probe
    }
}

/// Pages and probes to read a tenant of `tenant` customers: see the module docs.
fn tenant_read(tenant: u64, total_known: bool) -> (u64, u64) {
    if tenant < TENANT_PAGE {
        // The first page comes back short: it is the whole tenant, total or not.
        return (1, 0);
    }
    let stride = TENANT_PAGE - TENANT_OVERLAP;
    let beyond_first = tenant - TENANT_PAGE;
    let pages = 1 + beyond_first.div_ceil(stride);
    if total_known {
        (pages, 0)
    } else {
        let end_read = u64::from(beyond_first.is_multiple_of(stride));
        (pages + end_read, 1)
    }
}

/// The write side of the bound, in batch requests.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct WriteBound {
    /// `ceil(creates / chunk)`.
    pub create_batches: u64,
    /// `ceil(updates / chunk)`.
    pub update_batches: u64,
    /// Per chunk of 1000 adoption candidates, `ceil(adopted / chunk)`.
    pub adoption_batches: u64,
}

impl WriteBound {
    /// The batches of a run that created `creates` and updated `updates` customers in
    /// batches of `chunk`, with `candidates` (client id, whether it adopted its contact)
    /// decided at the end; the candidates that did not adopt are part of `creates`.
    pub fn of(creates: u64, updates: u64, candidates: &[(u64, bool)], chunk: usize) -> Self {
        let wide = chunk.max(1) as u64;
        let mut sorted = candidates.to_vec();
        sorted.sort_unstable();
        let adoption_batches = sorted
            .chunks(CANDIDATES_PER_DECISION)
            .map(|decision| {
                let adopted = decision.iter().filter(|(_, adopts)| *adopts).count() as u64;
                adopted.div_ceil(wide)
            })
            .sum();
        Self {
            create_batches: creates.div_ceil(wide),
            update_batches: updates.div_ceil(wide),
            adoption_batches,
        }
    }

    /// All write batches.
    pub fn total(&self) -> u64 {
        self.create_batches + self.update_batches + self.adoption_batches
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_is_read_in_overlapping_pages() {
        assert_eq!(tenant_read(0, true), (1, 0));
        assert_eq!(tenant_read(1, false), (1, 0));
        assert_eq!(tenant_read(999, false), (1, 0));
        assert_eq!(tenant_read(1000, true), (1, 0));
        // No total: a probe, and a full first page needs a short one after it.
        assert_eq!(tenant_read(1000, false), (2, 1));
        assert_eq!(tenant_read(1001, true), (2, 0));
        assert_eq!(tenant_read(1001, false), (2, 1));
        assert_eq!(tenant_read(1980, true), (2, 0));
        assert_eq!(tenant_read(1981, true), (3, 0));
        // 49,000 beyond the first page are 50 strides exactly.
        assert_eq!(tenant_read(50_000, true), (51, 0));
        assert_eq!(tenant_read(50_000, false), (52, 1));
        assert_eq!(tenant_read(50_001, false), (52, 1));
    }

    #[test]
    fn adoptions_are_batched_per_thousand_candidates() {
        // 1500 candidates: the first 1000 hold 960 adopters and 40 creates, the last 500
        // hold 490 adopters and 10 creates.
        let candidates: Vec<(u64, bool)> = (0..1500)
            .rev()
            .map(|id| (id, !(960..1000).contains(&id) && id < 1490))
            .collect();
        let bound = WriteBound::of(1050, 0, &candidates, 50);
        assert_eq!(bound.adoption_batches, 20 + 10);
        assert_eq!(bound.create_batches, 21);
        assert_eq!(bound.update_batches, 0);
        assert_eq!(bound.total(), 51);
        let fresh = WriteBound::of(101, 3, &[], 50);
        assert_eq!((fresh.create_batches, fresh.update_batches), (3, 1));
    }
}
