//! Registered + guest account pairs sharing one e-mail, as the shop simulator serves them
//! (read through the real `iai-shop-client` and on the raw wire).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashMap;

use futures::TryStreamExt;
use iai_shop_client::IdoSellClient;
use sandbox::generator::{GeneratorConfig, generate, guest_pairs};
use sandbox::idosell::{ShopSim, ShopSimConfig};
use serde_json::Value;

fn config(guest_pair_share: f64) -> GeneratorConfig {
    GeneratorConfig {
        seed: 12,
        customers: 600,
        orders: 900,
        guest_pair_share,
        ..GeneratorConfig::default()
    }
}

#[tokio::test]
async fn pairs_are_a_registered_and_a_guest_account_with_one_email() {
    let data = generate(&config(0.2));
    let pairs = guest_pairs(&data.customers);
    let registered = data
        .customers
        .iter()
        .filter(|c| !c.is_unregistered && c.email.is_some())
        .count();
    // About a fifth of the registered customers with an e-mail have a guest twin
    // (accidental pairs from equal generated addresses come on top).
    assert!(
        pairs.len() * 100 >= registered * 15 && pairs.len() * 100 <= registered * 30,
        "{} pairs for {registered} registered",
        pairs.len()
    );
    // Guests sit on either side of their registered twin, often on another page of 100.
    assert!(pairs.iter().any(|p| p.guest < p.registered));
    assert!(pairs.iter().any(|p| p.guest > p.registered));
    assert!(pairs.iter().any(|p| p.guest / 100 != p.registered / 100));

    let shop = ShopSim::start(ShopSimConfig::default().with_data(data.clone()))
        .await
        .unwrap();
    let api = IdoSellClient::builder(shop.url().clone())
        .api_key(shop.api_key())
        .build()
        .unwrap();
    let served: HashMap<u64, iai_shop_client::Client> = api
        .clients()
        .list()
        .stream()
        .map_ok(|c| (c.client_id, c))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(served.len(), 600);
    let mut case_differs = 0;
    for pair in &pairs {
        let registered = &served[&pair.registered];
        let guest = &served[&pair.guest];
        assert!(!registered.is_unregistered);
        assert!(guest.is_unregistered);
        let (a, b) = (
            registered.email.as_deref().unwrap(),
            guest.email.as_deref().unwrap(),
        );
        assert!(a.eq_ignore_ascii_case(b), "{a} / {b}");
        case_differs += usize::from(a != b);
        assert_eq!(registered.billing.last_name, guest.billing.last_name);
        assert_ne!(registered.login, guest.login);
    }
    assert!(
        case_differs > 0,
        "some guests typed the e-mail in another case"
    );

    // On the wire: the guest flag and the generated login the reference leaves open.
    let pair = &pairs[0];
    let body: Value = reqwest::Client::new()
        .get(
            shop.url()
                .join(&format!(
                    "api/admin/v6/clients/clients?clientsIds={},{}",
                    pair.registered, pair.guest
                ))
                .unwrap(),
        )
        .header("X-API-KEY", shop.api_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for client in results {
        // Ids come as strings under the PHP quirks.
        let id: u64 = client["clientId"].as_str().unwrap().parse().unwrap();
        if id == pair.guest {
            assert_eq!(client["isUnregistered"], "y");
            assert_eq!(client["clientLogin"], format!("guest_{id}"));
        } else {
            assert_eq!(client["isUnregistered"], "n");
        }
        assert_eq!(
            client["clientEmail"].as_str().unwrap().to_lowercase(),
            pair.email.to_lowercase()
        );
    }
}

#[test]
fn pairing_leaves_every_other_customer_and_every_order_date_as_it_was() {
    let plain = generate(&config(0.0));
    let paired = generate(&config(0.2));
    assert_eq!(generate(&config(0.2)), paired, "same seed, same pairs");
    assert_eq!(plain.customers.len(), paired.customers.len());
    let guests: Vec<u64> = guest_pairs(&paired.customers)
        .iter()
        .map(|p| p.guest)
        .collect();
    let mut changed = 0;
    for (before, after) in plain.customers.iter().zip(&paired.customers) {
        if before != after {
            changed += 1;
            assert!(guests.contains(&after.client_id), "{}", after.client_id);
            assert!(after.is_unregistered);
        }
    }
    assert!(changed > 0);
    assert_eq!(plain.orders.len(), paired.orders.len());
    assert!(
        plain
            .orders
            .iter()
            .zip(&paired.orders)
            .all(|(a, b)| a.add_date == b.add_date && a.client_id == b.client_id)
    );
}
