//! The sandbox a benchmark runs against: a generated shop at rest (its last change a day
//! ago, so an incremental poll finds nothing) and a tenant that already holds one contact,
//! as a real contact center's does.

use std::time::Duration;

use chrono::TimeDelta;
use sandbox::faults::FaultPlan;
use sandbox::generator::{GeneratorConfig, generate};
use sandbox::idosell::{ShopSimConfig, SimClock};
use sandbox::thulium::{CustomerRecord, ThuliumSimConfig};
use sandbox::{Sandbox, SandboxConfig};

/// Orders generated per customer, on average.
pub const ORDERS_PER_CUSTOMER: usize = 3;

/// Starts a sandbox with `customers` shop customers (and three times as many orders).
pub async fn start(customers: usize, seed: u64) -> std::io::Result<Sandbox> {
    let clock = SimClock::wall();
    let data = generate(&GeneratorConfig {
        seed,
        customers,
        orders: customers * ORDERS_PER_CUSTOMER,
        now: clock.now() - TimeDelta::days(1),
        ..GeneratorConfig::default()
    });
    let shop = ShopSimConfig {
        clock,
        ..ShopSimConfig::default()
    }
    .with_data(data);
    let thulium = ThuliumSimConfig {
        initial_customers: vec![existing_contact()],
        ..ThuliumSimConfig::default()
    };
    Sandbox::start(SandboxConfig { shop, thulium }).await
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
