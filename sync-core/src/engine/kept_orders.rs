//! Which of a customer's orders a run keeps in memory while its page is synced.
//!
//! A shop's busiest customers have hundreds of orders, and a page of 100 customers can hold
//! thousands; every order decoded in full is a couple of kilobytes. Most of them tell the
//! sync nothing new: the mapping ([`crate::mapping`]) reads an order only for its account
//! (e-mail, phones), its billing block, its marketplace buyer and source, and its date, and
//! the caller index reads the newest order. So, unless the orders group needs every order,
//! the orders are folded as their pages arrive and, of the orders that agree on all those
//! parts, only the newest is kept.
//!
//! Why the result is the same: the mapping walks the orders newest first and takes from
//! each the values it has not seen yet (e-mails and phones de-duplicated, issues reported
//! once per raw value), or the first order with some property (person data in the billing
//! block, an Allegro login, a placed date). An order that agrees on every part it reads with
//! a newer one adds nothing the newer one did not already give. The newest order overall is
//! always kept (nothing is newer), so the last order date and the caller's note are too.

use std::collections::HashMap;

use iai_shop_client::Order;

/// How many orders of each customer to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Every order: the orders group writes one item per order.
    Every,
    /// Only the orders the mapping and the caller index can tell apart (see the module docs).
    Distinct,
}

/// The orders kept so far, by client id.
#[derive(Debug)]
pub(crate) struct KeptOrders {
    keep: Keep,
    by_client: HashMap<u64, Vec<Order>>,
}

impl KeptOrders {
    pub(crate) fn new(keep: Keep) -> Self {
        Self {
            keep,
            by_client: HashMap::new(),
        }
    }

    /// Takes in the orders of a page (orders without a client id belong to no one here).
    pub(crate) fn add_all(&mut self, orders: Vec<Order>) {
        for order in orders {
            self.add(order);
        }
    }

    fn add(&mut self, order: Order) {
        let Some(client_id) = order.client.account.client_id else {
            return;
        };
        let kept = self.by_client.entry(client_id).or_default();
        if self.keep == Keep::Distinct
            && let Some(same) = kept.iter_mut().find(|k| same_for_mapping(k, &order))
        {
            if is_newer(&order, same) {
                *same = order;
            }
            return;
        }
        kept.push(order);
    }

    /// The kept orders, by client id.
    pub(crate) fn into_map(self) -> HashMap<u64, Vec<Order>> {
        self.by_client
    }
}

/// Whether two orders agree on every part the mapping and the caller index read, the date
/// (and the serial number, which only orders the newest first) aside.
fn same_for_mapping(a: &Order, b: &Order) -> bool {
    a.client.account == b.client.account
        && a.client.billing == b.client.billing
        && a.auction_info == b.auction_info
        && a.source.auction_service == b.source.auction_service
}

/// `a` comes before `b` in the mapping's newest-first order: placed later (an order without
/// a date is older than any dated one), or placed together with a higher serial number.
fn is_newer(a: &Order, b: &Order) -> bool {
    (a.add_date, a.serial_number) > (b.add_date, b.serial_number)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::config::IntegrationConfig;
    use crate::mapping::map_customer;
    use chrono::NaiveDate;
    use iai_shop_client::{AuctionInfo, BillingAddress, Client};

    fn order(client_id: u64, serial: u64, day: Option<u32>, email: &str) -> Order {
        let mut order = Order {
            serial_number: serial,
            add_date: day.map(|d| {
                NaiveDate::from_ymd_opt(2025, 3, d)
                    .unwrap()
                    .and_hms_opt(12, 0, 0)
                    .unwrap()
            }),
            ..Order::default()
        };
        order.client.account.client_id = Some(client_id);
        order.client.account.email = Some(email.to_owned());
        order.client.billing = BillingAddress {
            last_name: Some("Nowak".into()),
            phone1: Some("601234567".into()),
            country_id: Some("PL".into()),
            ..BillingAddress::default()
        };
        order
    }

    fn kept(keep: Keep, orders: Vec<Order>) -> HashMap<u64, Vec<Order>> {
        let mut kept = KeptOrders::new(keep);
        kept.add_all(orders);
        kept.into_map()
    }

    fn serials(orders: &[Order]) -> Vec<u64> {
        let mut serials: Vec<u64> = orders.iter().map(|o| o.serial_number).collect();
        serials.sort_unstable();
        serials
    }

    #[test]
    fn repeated_orders_collapse_to_the_newest_and_map_the_same() {
        let mut orders: Vec<Order> = (1..=20)
            .map(|n| order(7, n, Some(1 + (n as u32 % 9)), "a@example.com"))
            .collect();
        orders.push(order(7, 30, Some(2), "b@example.com"));
        let mut allegro = order(7, 31, None, "a@example.com");
        allegro.source.auction_service = Some("allegro".into());
        allegro.auction_info = Some(AuctionInfo {
            client_login: Some("kupiec".into()),
            ..AuctionInfo::default()
        });
        orders.push(allegro);
        orders.push(order(8, 40, Some(3), "c@example.com"));

        let every = kept(Keep::Every, orders.clone());
        let distinct = kept(Keep::Distinct, orders);
        assert_eq!(every[&7].len(), 22);
        // Serial 17 is the newest of the 20 alike (day 9, the highest serial of that day).
        assert_eq!(serials(&distinct[&7]), vec![17, 30, 31]);
        assert_eq!(serials(&distinct[&8]), vec![40]);

        let mut config =
            IntegrationConfig::new("shop", "https://client1.idosell.com".parse().unwrap());
        config.fields.allegro_login = Some("Allegro".into());
        let client = Client {
            client_id: 7,
            ..Client::default()
        };
        assert_eq!(
            map_customer(&client, &distinct[&7], &config),
            map_customer(&client, &every[&7], &config)
        );
    }

    #[test]
    fn every_order_is_kept_for_the_orders_group_and_orphans_are_dropped() {
        let one = order(7, 1, Some(1), "a@example.com");
        let mut orphan = order(7, 2, Some(1), "a@example.com");
        orphan.client.account.client_id = None;
        let every = kept(Keep::Every, vec![one.clone(), one, orphan]);
        assert_eq!(serials(&every[&7]), vec![1, 1]);
        assert_eq!(every.len(), 1);
    }
}
