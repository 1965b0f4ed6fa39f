//! Decoding throughput of realistic answer pages, in pages per second.
//!
//! Builds a 100-client `GET /clients/clients` page and a 100-order `orders/search` page
//! (with the usual PHP quirks: ids and amounts as strings, `[]` for empty objects, zero
//! dates) and decodes each N times two ways:
//!
//! - two-pass: bytes → `serde_json::Value` → typed structs (how answers were decoded
//!   before decoding became single-pass), and
//! - single-pass: bytes → page envelope → typed records ([`Page::from_json_slice`], the path calls take now).
//!
//! Run: `cargo run --release -p iai-shop-client --example decode_throughput -- [N]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use iai_shop_client::model::{Fault, from_json_value};
use iai_shop_client::{Client, Order, Page};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn main() {
    let rounds: u32 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let clients = clients_page();
    let orders = orders_page();
    println!(
        "pages: clients {} bytes, orders {} bytes; {rounds} rounds each",
        clients.len(),
        orders.len()
    );
    println!("{:<10} {:>14} {:>14}", "page", "two-pass p/s", "single p/s");
    report::<Client>("clients", &clients, rounds);
    report::<Order>("orders", &orders, rounds);
}

fn report<T: DeserializeOwned>(name: &str, body: &[u8], rounds: u32) {
    // Both paths must agree on what they read before they are timed.
    assert_eq!(two_pass::<T>(body), 100);
    assert_eq!(single_pass::<T>(body), 100);
    let two = pages_per_second(rounds, || two_pass::<T>(body));
    let single = pages_per_second(rounds, || single_pass::<T>(body));
    println!(
        "{name:<10} {two:>14.0} {single:>14.0}   ({:.2}x)",
        single / two
    );
}

fn pages_per_second(rounds: u32, mut decode: impl FnMut() -> usize) -> f64 {
    // A short warm-up so the allocator and caches are in their steady state.
    for _ in 0..rounds / 10 {
        black_box(decode());
    }
    let start = Instant::now();
    for _ in 0..rounds {
        black_box(decode());
    }
    f64::from(rounds) / start.elapsed().as_secs_f64()
}

/// The envelope as the two-pass decoder saw it.
#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct Envelope<T> {
    #[serde(rename = "results", alias = "Results", alias = "clientsResults")]
    results: Vec<T>,
}

fn two_pass<T: DeserializeOwned>(body: &[u8]) -> usize {
    let value: Value = serde_json::from_slice(body).unwrap();
    assert!(Fault::from_body(&value).is_none_or(|f| !f.is_failure()));
    from_json_value::<Envelope<T>>(value).unwrap().results.len()
}

fn single_pass<T: DeserializeOwned>(body: &[u8]) -> usize {
    Page::<T>::from_json_slice(body, 0, 100)
        .unwrap()
        .items
        .len()
}

fn clients_page() -> Vec<u8> {
    let results: Vec<Value> = (0..100u64)
        .map(|i| {
            let id = 10_000 + i;
            json!({
                "clientId": if i % 2 == 0 { json!(id) } else { json!(id.to_string()) },
                "clientLogin": format!("login{id}"),
                "clientEmail": format!("customer{id}@example.pl"),
                "clientCodeExternal": "",
                "clientType": if i % 5 == 0 { "firm" } else { "private" },
                "isUnregistered": "n",
                "clientsLastModificationDate": format!("2025-01-{:02} 10:{:02}:00", 1 + i % 28, i % 60),
                "clientRegistrationDate": if i % 7 == 0 { "0000-00-00".into() } else { format!("2024-0{}-15", 1 + i % 9) },
                "clientBillingAddress": {
                    "clientFirstName": "Zażółć",
                    "clientLastName": format!("Gęślą{i}"),
                    "clientFirm": if i % 5 == 0 { "Firma sp. z o.o." } else { "" },
                    "clientNip": "",
                    "clientStreet": "ul. Polna 3/4",
                    "clientZipCode": "00-950",
                    "clientCity": "Warszawa",
                    "clientCountryId": "pl",
                    "clientPhone1": format!("+48600{id}"),
                    "clientPhone2": ""
                },
                "clientActiveInShops": [{"shopId": "1", "shopName": "Sklep"}],
                "clientPersonalData": if i % 3 == 0 { json!([]) } else { json!({"clientBirthDate": "1990-05-04"}) },
                "clientPreferences": {"langId": "pol", "currencyId": "PLN", "clientIsWholesaler": "no", "clientGroupDiscountName": null},
                "clientBalances": if i % 4 == 0 { json!([]) } else { json!([{"clientBalanceAmount": 12.5, "currencyId": "PLN"}]) }
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "resultsNumberAll": 10_000, "resultsNumberPage": 100, "resultsLimit": 100,
        "results": results
    }))
    .unwrap()
}

const STATUSES: [&str; 4] = ["finished", "new", "packed_ready", "custom_status"];

fn orders_page() -> Vec<u8> {
    let results: Vec<Value> = (0..100u64)
        .map(|i| {
            let serial = 50_000 + i;
            json!({
                "orderId": format!("shop1-{serial}"),
                "orderSerialNumber": if i % 2 == 0 { json!(serial) } else { json!(serial.to_string()) },
                "orderType": "n",
                "errors": [],
                "clientResult": {
                    "clientAccount": {"clientId": 10_000 + i, "clientLogin": format!("login{i}"),
                        "clientEmail": format!("customer{i}@example.pl"), "clientPhone1": "+48600100200",
                        "clientPhone2": "", "clientCodeExternal": ""},
                    "endClientAccount": [],
                    "clientBillingAddress": {"clientFirstName": "Anna", "clientLastName": "Nowak",
                        "clientFirm": "", "clientNip": "", "clientStreet": "ul. Polna 3/4",
                        "clientZipCode": "00-950", "clientCity": "Warszawa", "clientCountryName": "Polska",
                        "clientCountryId": "PL", "clientPhone1": "+48600100200"},
                    "clientDeliveryAddress": if i % 3 == 0 { json!([]) } else { json!({
                        "clientDeliveryAddressFirstName": "Anna", "clientDeliveryAddressLastName": "Nowak",
                        "clientDeliveryAddressFirm": "", "clientDeliveryAddressStreet": "ul. Polna 3/4",
                        "clientDeliveryAddressZipCode": "00-950", "clientDeliveryAddressCity": "Warszawa",
                        "clientDeliveryAddressCountry": "Polska", "clientDeliveryAddressCountryId": "PL",
                        "clientDeliveryAddressPhone1": "+48600100200", "clientDeliveryAddressPhone2": ""}) },
                    "clientPickupPointAddress": []
                },
                "orderDetails": {
                    "orderStatus": STATUSES[(i % 4) as usize],
                    "orderAddDate": "2025-01-10 14:03:22",
                    "orderChangeDate": "2025-01-12 09:00:01",
                    "orderDispatchDate": if i % 2 == 0 { json!(0) } else { json!("2025-01-11 16:30:00") },
                    "payments": {"orderPaymentType": "cash_on_delivery", "orderCurrency": {
                        "currencyId": "PLN", "orderProductsCost": 199.99, "orderDeliveryCost": "14.90",
                        "orderPayformCost": 0, "orderInsuranceCost": 0}},
                    "orderSourceResults": {"orderSourceType": "shop", "shopId": 1, "auctionsServiceName": ""},
                    "auctionInfo": {"auctionClientId": "", "auctionClientLogin": "", "auctionClientEmail": ""},
                    "productsResults": (0..3).map(|p| json!({
                        "productId": 700 + p, "productName": format!("Produkt {p}"), "productCode": "",
                        "sizeId": "uniw", "productQuantity": 1, "productOrderPrice": 66.663
                    })).collect::<Vec<_>>(),
                    "orderNote": "", "clientNoteToOrder": ""
                }
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "resultsNumberAll": 30_000, "resultsNumberPage": 300, "resultsLimit": 100,
        "Results": results
    }))
    .unwrap()
}
