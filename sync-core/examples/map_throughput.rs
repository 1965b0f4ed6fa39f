//! Benchmark: customers mapped (and fingerprinted, and planned) per second on one core.
//!
//! Run with `cargo run --release -p sync-core --example map_throughput [customers]`.
//! Prints a figure; it is not a test and asserts nothing about speed.

use std::time::Instant;

use iai_shop_client::{Client, Order};
use sync_core::config::IntegrationConfig;
use sync_core::fingerprint::Fingerprint;
use sync_core::mapping::map_customer;
use sync_core::plan::{PlanInput, plan_customer};

fn customer(id: u64) -> (Client, Vec<Order>) {
    let client = serde_json::json!({
        "clientId": id, "clientLogin": format!("klient{id}"),
        "clientEmail": format!("Klient.{id}+sklep@Gmail.com"), "clientType": "private",
        "clientBillingAddress": {"clientFirstName": "Józef", "clientLastName": format!("Łukaszewicz-{id}"),
            "clientStreet": format!("ul. Świętokrzyska {}/{}", id % 200, id % 40),
            "clientZipCode": "00-116", "clientCity": "Warszawa", "clientCountryId": "pl",
            "clientPhone1": format!("60{:07}", id % 10_000_000), "clientPhone2": "+48 22 628 12 34"}
    });
    let orders = (0..3)
        .map(|n| {
            serde_json::json!({
                "orderId": format!("shop1-{id}-{n}"), "orderSerialNumber": id * 10 + n,
                "clientResult": {"clientAccount": {"clientEmail": format!("buyer{id}+t{n}@allegromail.pl"),
                    "clientPhone1": format!("0048 60{:07}", id % 10_000_000)}},
                "orderDetails": {"orderStatus": "finished", "orderAddDate": format!("2025-0{}-1{} 10:00:00", n + 1, n),
                    "payments": {"orderCurrency": {"currencyId": "PLN", "orderProductsCost": 99.99,
                        "orderDeliveryCost": 9.99, "orderPayformCost": 0, "orderInsuranceCost": 0}},
                    "orderSourceResults": {"auctionsServiceName": "allegro"},
                    "auctionInfo": {"auctionClientLogin": format!("kupujacy_{id}")}}
            })
        })
        .filter_map(|order| serde_json::from_value(order).ok())
        .collect();
    let client = serde_json::from_value(client).unwrap_or_default();
    (client, orders)
}

fn main() {
    let count: u64 = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(50_000);
    let Ok(panel) = "https://client1234.idosell.com".parse() else {
        return;
    };
    let mut config = IntegrationConfig::new("bench", panel);
    config.fields.allegro_login = Some("Allegro login".into());
    let data: Vec<(Client, Vec<Order>)> = (1..=count).map(customer).collect();

    let started = Instant::now();
    let mut emails = 0usize;
    let mut skips = 0usize;
    for (client, orders) in &data {
        let mapped = map_customer(client, orders, &config);
        let fingerprint = Fingerprint::of_customer(&mapped.input);
        let action = plan_customer(
            &PlanInput {
                shop_client_id: client.client_id,
                desired: &mapped.input,
                linked_customer_id: Some(client.client_id),
                last_fingerprint: Some(&fingerprint),
                by_id: &[],
                by_fallback: &[],
                held_by_others: &[],
                adopted_by_others: &[],
            },
            &config,
        )
        .action;
        emails += mapped.input.email.len();
        skips += usize::from(action.customer_id().is_some());
    }
    let elapsed = started.elapsed();
    let per_second = count as f64 / elapsed.as_secs_f64();
    println!(
        "mapped + fingerprinted + planned {count} customers (3 orders each) in {:.3} s on one core: {per_second:.0} customers/s ({emails} e-mails, {skips} skips)",
        elapsed.as_secs_f64()
    );
}
