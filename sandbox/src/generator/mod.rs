//! Deterministic generator of realistic shop data.
//!
//! [`generate`] makes N customers and M orders from a seed: Polish names with diacritics,
//! firms with a valid NIP, guests (`isUnregistered`), customers without e-mail or phone,
//! phones in mixed formats (`+48 601 234 567`, `601234567`, `0048601234567`, ...), several
//! shops, Allegro buyers with masked `alias+suffix@allegromail.pl` addresses and marketplace
//! logins, every order status, PLN and EUR; optionally registered customers who also have a
//! guest account with the same e-mail ([`GeneratorConfig::guest_pair_share`],
//! [`guest_pairs`]). [`ChangeGenerator`] draws changes for incremental tests.
//! [`agent_contacts`] draws the contacts call-center agents typed into a Thulium tenant
//! before any sync, some of them shop clients written the agents' way.
//!
//! ```
//! use sandbox::generator::{GeneratorConfig, generate};
//!
//! let config = GeneratorConfig { seed: 1, customers: 50, orders: 120, ..GeneratorConfig::default() };
//! let shop = generate(&config);
//! assert_eq!(shop.customers.len(), 50);
//! assert_eq!(shop.orders.len(), 120);
//! assert_eq!(generate(&config).orders, shop.orders); // same seed, same data
//! ```

mod agents;
mod changes;
mod names;
mod orders;
mod pairs;
mod people;

use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub use agents::{
    AgentContact, AgentContactGenerator, AgentContactKind, AgentContacts, LostValue,
    agent_contacts, national_number,
};
pub use changes::ChangeGenerator;
use orders::AllegroBuyer;
pub use pairs::{GuestPair, guest_pairs};
use people::Persona;

use crate::idosell::{OrderAccount, ShopCustomer, ShopOrder, build_order};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratorConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// Number of customers.
    pub customers: usize,
    /// Number of orders (spread over the customers; needs at least one customer).
    pub orders: usize,
    /// Number of shops (ids `1..=shops`).
    pub shops: u64,
    /// The generation's "now": every date lies before it.
    pub now: NaiveDateTime,
    /// Share (0.0..=1.0) of registered customers with an e-mail who also have a **guest
    /// account with the same e-mail** (`isUnregistered: "y"`, login `guest_{clientId}`,
    /// same names, the phone in another format, sometimes another address; a quarter of
    /// them with the e-mail typed in another case). Each guest takes the place of another
    /// generated customer, so `customers` stays the total; the guest's id is random
    /// relative to the registered one. List the pairs with [`guest_pairs`]. Default 0.0
    /// (no pairs, and the data is exactly what it was before this setting existed).
    pub guest_pair_share: f64,
}

/// Shares are never NaN in practice; comparing configurations is for tests.
impl Eq for GeneratorConfig {}

impl Default for GeneratorConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            customers: 100,
            orders: 300,
            shops: 3,
            now: default_now(),
            guest_pair_share: 0.0,
        }
    }
}

/// The fixed "now" of generated data and of a default simulator clock: 2025-06-02 12:00:00.
pub fn default_now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2025, 6, 2)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .unwrap_or_default()
}

/// Generated customers and orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedShop {
    /// Customers, ids `1..=N`.
    pub customers: Vec<ShopCustomer>,
    /// Orders, serial numbers `1..=M` in the order they were placed.
    pub orders: Vec<ShopOrder>,
    /// The configuration's "now".
    pub now: NaiveDateTime,
}

/// Share of customers who are Allegro buyers (guest accounts with a relay e-mail).
const ALLEGRO_CUSTOMER_SHARE: f64 = 0.12;
/// Share of guests among the other customers.
const GUEST_SHARE: f64 = 0.1;

/// Generates a shop from `config`; the same config always gives the same data.
pub fn generate(config: &GeneratorConfig) -> GeneratedShop {
    let mut rng = StdRng::seed_from_u64(config.seed);
    let shops = config.shops.max(1);
    let mut customers = Vec::with_capacity(config.customers);
    let mut allegro: Vec<Option<AllegroBuyer>> = Vec::with_capacity(config.customers);
    for index in 0..config.customers {
        let (customer, buyer) = customer(&mut rng, index as u64 + 1, shops, config.now);
        customers.push(customer);
        allegro.push(buyer);
    }
    pairs::make_guest_twins(
        &mut customers,
        &allegro,
        config.guest_pair_share,
        config.seed,
    );
    let orders = orders(&mut rng, &customers, &allegro, config);
    GeneratedShop {
        customers,
        orders,
        now: config.now,
    }
}

fn customer(
    rng: &mut StdRng,
    client_id: u64,
    shops: u64,
    now: NaiveDateTime,
) -> (ShopCustomer, Option<AllegroBuyer>) {
    let is_allegro = rng.random_bool(ALLEGRO_CUSTOMER_SHARE);
    let persona = if is_allegro || rng.random_bool(GUEST_SHARE) {
        Persona::Guest
    } else {
        Persona::Regular
    };
    let mut new = people::new_customer(rng, persona, shops);
    let registered = now - Duration::minutes(rng.random_range(60..1100 * 24 * 60));
    let modified =
        registered + Duration::minutes(rng.random_range(0..=(now - registered).num_minutes()));
    let buyer = is_allegro.then(|| {
        let (alias, login) =
            people::allegro_identity(rng, new.billing.last_name.as_deref().unwrap_or("kupujacy"));
        new.email = Some(people::allegro_email(rng, &alias));
        AllegroBuyer {
            alias,
            login,
            buyer_id: rng.random_range(10_000_000u64..99_999_999).to_string(),
        }
    });
    let login = match (&buyer, persona) {
        (Some(buyer), _) => buyer.login.clone(),
        (None, Persona::Guest) => format!("guest_{client_id}"),
        (None, Persona::Regular) => {
            let base = new
                .email
                .as_deref()
                .and_then(|e| e.split('@').next())
                .unwrap_or("klient");
            format!("{}{client_id}", people::fold_ascii(base))
        }
    };
    let customer = ShopCustomer {
        client_id,
        login,
        email: new.email,
        code_external: new.code_external,
        client_type: new.client_type.unwrap_or_else(|| "private".into()),
        is_unregistered: new.is_unregistered,
        is_active: !rng.random_bool(0.03),
        billing: new.billing,
        birth_date: new.birth_date,
        registration_date: registered.date(),
        last_modified: modified,
        shop_ids: new.shop_ids,
        currency_id: new.currency_id.unwrap_or_else(|| "PLN".into()),
        newsletter_email: rng.random_bool(0.4),
        newsletter_sms: rng.random_bool(0.15),
    };
    (customer, buyer)
}

fn orders(
    rng: &mut StdRng,
    customers: &[ShopCustomer],
    allegro: &[Option<AllegroBuyer>],
    config: &GeneratorConfig,
) -> Vec<ShopOrder> {
    if customers.is_empty() {
        return Vec::new();
    }
    let now = config.now;
    // Who orders when: a skewed pick so that some customers order often, many only once.
    let mut placed: Vec<(usize, NaiveDateTime)> = (0..config.orders)
        .map(|_| {
            let skew: f64 = rng.random::<f64>().powi(2);
            let index = ((skew * customers.len() as f64) as usize).min(customers.len() - 1);
            let since = customers[index]
                .registration_date
                .and_hms_opt(0, 0, 0)
                .unwrap_or(now);
            let span = (now - since).num_minutes().max(1);
            (index, since + Duration::minutes(rng.random_range(0..span)))
        })
        .collect();
    placed.sort_by_key(|(index, at)| (*at, *index));
    let shared: Vec<_> = customers
        .iter()
        .map(|c| (Arc::new(OrderAccount::of(c)), Arc::new(c.billing.clone())))
        .collect();
    placed
        .into_iter()
        .enumerate()
        .map(|(position, (index, add_date))| {
            let customer = &customers[index];
            let buyer = allegro[index].as_ref();
            let own_allegro = buyer.is_none() && rng.random_bool(0.05);
            let occasional = own_allegro.then(|| AllegroBuyer {
                alias: people::allegro_identity(rng, "x").0,
                login: format!("{}{}", customer.login, rng.random_range(1..99)),
                buyer_id: rng.random_range(10_000_000u64..99_999_999).to_string(),
            });
            let new = orders::new_order(
                rng,
                customer,
                buyer.or(occasional.as_ref()),
                Some(add_date),
                now,
            );
            let latest_change = new.dispatch_date.unwrap_or(add_date);
            let change_span = (now - latest_change).num_minutes().clamp(0, 30 * 24 * 60);
            let changed = latest_change + Duration::minutes(rng.random_range(0..=change_span));
            let (account, billing) = &shared[index];
            build_order(
                new,
                position as u64 + 1,
                customer,
                account.clone(),
                billing.clone(),
                changed,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_covers_the_cases_tests_rely_on() {
        let shop = generate(&GeneratorConfig {
            seed: 5,
            customers: 2000,
            orders: 6000,
            ..Default::default()
        });
        let c = &shop.customers;
        assert!(c.iter().any(|c| c.is_unregistered));
        assert!(c.iter().any(|c| c.email.is_none()));
        assert!(c.iter().any(|c| c.billing.phone1.is_none()));
        assert!(
            c.iter()
                .any(|c| c.billing.nip.is_some() && c.client_type == "firm")
        );
        assert!(c.iter().any(|c| {
            c.billing
                .phone1
                .as_deref()
                .is_some_and(|p| p.starts_with("+48 "))
        }));
        assert!(c.iter().any(|c| {
            c.billing
                .phone1
                .as_deref()
                .is_some_and(|p| p.starts_with("0048"))
        }));
        assert!(c.iter().any(|c| {
            c.billing
                .last_name
                .as_deref()
                .is_some_and(|n| n.contains('ń') || n.contains('ś'))
        }));
        assert!(c.iter().any(|c| c.shop_ids.contains(&3)));
        let o = &shop.orders;
        for status in crate::idosell::ORDER_STATUSES {
            assert!(
                o.iter().any(|o| o.status == *status),
                "no order in status {status}"
            );
        }
        assert!(o.iter().any(|o| o.currency_id == "EUR"));
        let allegro: Vec<_> = o.iter().filter(|o| o.is_allegro()).collect();
        assert!(!allegro.is_empty());
        assert!(allegro.iter().all(|o| o.auction.as_ref().is_some_and(|a| {
            a.email.ends_with("@allegromail.pl") && a.email.contains('+') && !a.login.is_empty()
        })));
        assert!(
            o.iter()
                .all(|o| o.change_date >= o.add_date && o.add_date <= shop.now)
        );
        assert!(
            o.windows(2)
                .all(|w| w[0].add_date <= w[1].add_date && w[0].serial_number < w[1].serial_number)
        );
    }
}
