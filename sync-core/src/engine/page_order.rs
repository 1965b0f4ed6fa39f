//! The full sync's checkpoint over pages that finish in any order.
//!
//! The page pipeline runs several shop pages at once and takes each as soon as it is done
//! (a slow page never holds up the pages behind it). The checkpoint, though, may only move
//! past a page once it and every page before it are written and recorded: a resumed run
//! starts at the checkpoint and must not skip a page. [`PageOrder`] keeps the pages finished
//! ahead of a gap until the gap closes.

use std::collections::BTreeMap;

use super::store::FullSyncCheckpoint;

/// The checkpoint of a running full sync and the pages finished beyond it.
pub(crate) struct PageOrder {
    checkpoint: FullSyncCheckpoint,
    /// Pages finished past `checkpoint.next_page`, with their customer counts.
    ahead: BTreeMap<u32, u64>,
    /// Customers of every finished page, in or out of order, earlier runs included.
    customers_finished: u64,
}

impl PageOrder {
    /// Tracks pages from `checkpoint` on.
    pub(crate) fn new(checkpoint: FullSyncCheckpoint) -> Self {
        let customers_finished = checkpoint.customers_done;
        Self {
            checkpoint,
            ahead: BTreeMap::new(),
            customers_finished,
        }
    }

    /// The checkpoint as it stands: every page before `next_page` is finished.
    pub(crate) fn checkpoint(&self) -> &FullSyncCheckpoint {
        &self.checkpoint
    }

    /// Customers of every page finished so far, in or out of order (for progress).
    pub(crate) fn customers_finished(&self) -> u64 {
        self.customers_finished
    }

    /// Records `page` (with `customers` customers) as written and recorded; returns whether
    /// the checkpoint moved. A page before the checkpoint, or one already recorded, changes
    /// nothing.
    pub(crate) fn finish(&mut self, page: u32, customers: u64) -> bool {
        if page < self.checkpoint.next_page || self.ahead.contains_key(&page) {
            return false;
        }
        self.ahead.insert(page, customers);
        self.customers_finished += customers;
        let mut moved = false;
        while let Some(customers) = self.ahead.remove(&self.checkpoint.next_page) {
            self.checkpoint.next_page += 1;
            self.checkpoint.customers_done += customers;
            moved = true;
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(next_page: u32, customers_done: u64) -> PageOrder {
        let started_at = NaiveDate::from_ymd_opt(2024, 5, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap_or_default();
        PageOrder::new(FullSyncCheckpoint {
            started_at,
            next_page,
            page_size: 100,
            customers_done,
        })
    }

    fn position(order: &PageOrder) -> (u32, u64) {
        (
            order.checkpoint().next_page,
            order.checkpoint().customers_done,
        )
    }

    #[test]
    fn pages_in_order_move_the_checkpoint_one_by_one() {
        let mut order = at(0, 0);
        assert!(order.finish(0, 100));
        assert_eq!(position(&order), (1, 100));
        assert!(order.finish(1, 100));
        assert_eq!(position(&order), (2, 200));
    }

    #[test]
    fn a_page_finished_early_waits_for_the_gap_before_it() {
        let mut order = at(3, 300);
        assert!(!order.finish(5, 100));
        assert!(!order.finish(4, 100));
        assert_eq!(position(&order), (3, 300), "page 3 is not finished yet");
        assert_eq!(order.customers_finished(), 500);
        assert!(order.finish(3, 40));
        assert_eq!(position(&order), (6, 540));
        assert_eq!(order.customers_finished(), 540);
    }

    #[test]
    fn a_page_recorded_twice_or_behind_the_checkpoint_counts_once() {
        let mut order = at(2, 200);
        assert!(!order.finish(1, 100));
        assert!(!order.finish(4, 100));
        assert!(!order.finish(4, 100));
        assert_eq!(order.customers_finished(), 300);
        assert!(order.finish(2, 100));
        assert!(order.finish(3, 100));
        assert_eq!(position(&order), (5, 500));
    }
}
