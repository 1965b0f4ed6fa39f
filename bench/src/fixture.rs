//! The sandbox a benchmark runs against: a generated shop at rest (its last change a day
//! ago, so an incremental poll finds nothing) and either a tenant that already holds one
//! contact, as a real contact center's does ([`start`]), or a lived-in one ([`start_realistic`]):
//! many contacts agents made, some of them shop clients, and every Thulium quirk on.

use std::time::Duration;

use chrono::TimeDelta;
use sandbox::faults::FaultPlan;
use sandbox::generator::{AgentContacts, GeneratorConfig, generate, guest_pairs};
use sandbox::idosell::{ShopSimConfig, SimClock};
use sandbox::thulium::{CustomerRecord, ThuliumQuirks, ThuliumSimConfig};
use sandbox::{Sandbox, SandboxConfig};
use serde::Serialize;

/// Orders generated per customer, on average.
pub const ORDERS_PER_CUSTOMER: usize = 3;

/// Starts a sandbox with `customers` shop customers (and three times as many orders).
pub async fn start(customers: usize, seed: u64) -> std::io::Result<Sandbox> {
    let shop = shop_at_rest(customers, 0.0, seed);
    let thulium = ThuliumSimConfig {
        initial_customers: vec![existing_contact()],
        ..ThuliumSimConfig::default()
    };
    Sandbox::start(SandboxConfig { shop, thulium }).await
}

/// The shape of a lived-in tenant and its shop.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Realistic {
    /// Shop customers (guest twins included), three orders each on average.
    pub customers: usize,
    /// Share of registered customers with an e-mail that also have a guest account with
    /// the same e-mail (`GeneratorConfig::guest_pair_share`).
    pub guest_pair_share: f64,
    /// Contacts agents made before any sync.
    pub contacts: usize,
    /// Share of them that are one shop client (same e-mail and/or phone, typed the agents'
    /// way); the other shares are the sandbox's defaults (5 % decoys, 2 % matching two
    /// clients, the rest strangers; 25 % with values the shop does not know).
    pub overlap_share: f64,
}

/// What the lived-in sandbox holds before the sync, as generated.
#[derive(Debug, Clone, Serialize)]
pub struct RealisticFacts {
    /// Registered + guest pairs sharing an e-mail (`sandbox::generator::guest_pairs`: the
    /// generated twins and any registered and guest accounts whose generated addresses
    /// happen to be equal).
    pub guest_pairs: usize,
    /// Agent contacts that are one shop client by design.
    pub overlapping_contacts: usize,
    /// Agent contacts that match at least one shop client (accidental matches included).
    pub matching_contacts: usize,
}

/// Starts a shop at rest as [`start`] does, with `guest_pair_share` guest twins, and a
/// tenant that looks lived-in (as `SandboxConfig::realistic` makes it): `contacts` agent-made
/// contacts and [`ThuliumQuirks::least_convenient`] (list answers without a total).
pub async fn start_realistic(
    shape: &Realistic,
    seed: u64,
) -> std::io::Result<(Sandbox, RealisticFacts)> {
    let shop = shop_at_rest(shape.customers, shape.guest_pair_share, seed);
    let agents = AgentContacts {
        seed,
        ..AgentContacts::new(shape.contacts, shape.overlap_share)
    };
    let config = SandboxConfig {
        shop,
        thulium: ThuliumSimConfig::default(),
    }
    .with_agent_contacts(&agents)
    .with_thulium_quirks(ThuliumQuirks::least_convenient());
    let contacts = &config.thulium.agent_contacts;
    let facts = RealisticFacts {
        guest_pairs: guest_pairs(&config.shop.customers).len(),
        overlapping_contacts: contacts
            .iter()
            .filter(|c| c.kind.overlaps_one_client())
            .count(),
        matching_contacts: contacts.iter().filter(|c| !c.matches.is_empty()).count(),
    };
    Ok((Sandbox::start(config).await?, facts))
}

/// A generated shop whose last change was a day ago, with its clock on the wall clock (so
/// that a change made during the bench is stamped now and read by a window ending now).
fn shop_at_rest(customers: usize, guest_pair_share: f64, seed: u64) -> ShopSimConfig {
    let clock = SimClock::wall();
    let data = generate(&GeneratorConfig {
        seed,
        customers,
        orders: customers * ORDERS_PER_CUSTOMER,
        now: clock.now() - TimeDelta::days(1),
        guest_pair_share,
        ..GeneratorConfig::default()
    });
    // Not `with_data`: it would set the clock to the data's "now", a day behind.
    ShopSimConfig {
        clock,
        customers: data.customers,
        orders: data.orders,
        ..ShopSimConfig::default()
    }
}

/// Adds `latency` before every request of both simulators.
pub fn set_latency(sandbox: &Sandbox, latency: Duration) {
    for faults in [sandbox.shop().faults(), sandbox.thulium().faults()] {
        faults.set(FaultPlan {
            latency,
            ..FaultPlan::default()
        });
    }
}

/// Forgets the requests counted so far on both simulators.
pub fn reset_counters(sandbox: &Sandbox) {
    sandbox.shop().counters().reset();
    sandbox.thulium().counters().reset();
}

fn existing_contact() -> CustomerRecord {
    CustomerRecord {
        name: Some("Hurtownia".to_owned()),
        surname: Some("Dostawca".to_owned()),
        phones: vec!["+48221234567".to_owned()],
        ..CustomerRecord::default()
    }
}
