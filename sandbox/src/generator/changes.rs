//! Change operations for incremental tests: registrations, address edits, new orders and
//! status changes, drawn deterministically from a seed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::people::{self, Persona};
use crate::idosell::{NewOrder, ORDER_STATUSES, ShopChange, ShopCustomer};

/// Draws [`ShopChange`]s from a seed. Apply them with
/// [`ShopSim::apply`](crate::idosell::ShopSim::apply).
///
/// ```
/// use sandbox::generator::{ChangeGenerator, GeneratorConfig, generate};
///
/// let shop = generate(&GeneratorConfig { customers: 20, orders: 40, ..GeneratorConfig::default() });
/// let mut changes = ChangeGenerator::new(7);
/// let first = changes.next_change(&shop.customers, &[1, 2, 3]);
/// let again = ChangeGenerator::new(7).next_change(&shop.customers, &[1, 2, 3]);
/// assert_eq!(first, again);
/// ```
#[derive(Debug)]
pub struct ChangeGenerator {
    rng: StdRng,
    shops: u64,
}

impl ChangeGenerator {
    /// A generator of changes for a shop with 3 shops.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            shops: 3,
        }
    }

    /// One change: a registration, an address edit of one of `customers`, a new order of
    /// one of them, or a status change of one of `order_serials` (roughly 25/25/30/20 %;
    /// kinds that need data fall back to a registration when there is none).
    pub fn next_change(&mut self, customers: &[ShopCustomer], order_serials: &[u64]) -> ShopChange {
        let roll = self.rng.random_range(0..100);
        let customer =
            (!customers.is_empty()).then(|| &customers[self.rng.random_range(0..customers.len())]);
        match (roll, customer) {
            (25..50, Some(customer)) => ShopChange::EditCustomer {
                client_id: customer.client_id,
                patch: Box::new(people::address_patch(&mut self.rng)),
            },
            (50..80, Some(customer)) => ShopChange::NewOrder(Box::new(self.order_for(customer))),
            (80.., _) if !order_serials.is_empty() => ShopChange::StatusChange {
                serial_number: order_serials[self.rng.random_range(0..order_serials.len())],
                status: ORDER_STATUSES[self.rng.random_range(0..ORDER_STATUSES.len())].into(),
            },
            _ => ShopChange::Register(Box::new(people::new_customer(
                &mut self.rng,
                Persona::Regular,
                self.shops,
            ))),
        }
    }

    /// `n` changes in a row (see [`next_change`](Self::next_change)).
    pub fn changes(
        &mut self,
        customers: &[ShopCustomer],
        order_serials: &[u64],
        n: usize,
    ) -> Vec<ShopChange> {
        (0..n)
            .map(|_| self.next_change(customers, order_serials))
            .collect()
    }

    fn order_for(&mut self, customer: &ShopCustomer) -> NewOrder {
        let mut order = super::orders::new_order(
            &mut self.rng,
            customer,
            None,
            None,
            chrono::NaiveDateTime::MIN,
        );
        order.status = "new".into();
        order.dispatch_date = None;
        order
    }
}
