//! Thulium's external-CRM caller lookup against the sandbox: numbers in every spelling,
//! answered from the caller index a real sync wrote (no shop request) or live from the shop
//! for a customer the sync has not seen; unknown numbers and wrong tokens get 404.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::sandbox_clients::{AGENT_TOKEN, serve_agent, shop_client, thulium_client};
use examples::card::{AgentIntegration, CardState};
use examples::demo::{DemoOptions, settings_for, start_sandbox};
use examples::wiring::Wiring;
use sandbox::Sandbox;
use sandbox::idosell::{CustomerPatch, ShopCustomer};
use secrecy::SecretString;
use serde_json::Value;
use sync_core::engine::EngineOptions;
use sync_core::engine::store::{MemoryStore, StateStore};
use sync_core::phone::{PhoneFormat, format_phone, phone_key};

const SHARED_PHONE: &str = "+48 509 111 222";

struct Harness {
    sandbox: Sandbox,
    base: String,
}

/// The sandbox after a full sync (two customers made to share [`SHARED_PHONE`] first),
/// and the lookup served over the sync's store.
async fn synced() -> Harness {
    let sandbox = start_sandbox(DemoOptions {
        customers: 60,
        orders: 200,
        seed: 21,
    })
    .await
    .unwrap();
    for client_id in sharing(&sandbox) {
        let patch = CustomerPatch {
            phone1: Some(SHARED_PHONE.into()),
            ..CustomerPatch::default()
        };
        sandbox.shop().edit_customer(client_id, &patch).unwrap();
    }
    let settings = settings_for(&sandbox);
    let wiring = Wiring::connect(&settings, EngineOptions::default())
        .await
        .unwrap();
    wiring.integrations[0]
        .engine
        .full_sync(&|_| {})
        .await
        .unwrap();
    let config = wiring.integrations[0].config.clone();
    let card = CardState::new(
        shop_client(sandbox.shop_url.clone(), &sandbox.shop_api_key),
        thulium_client(&sandbox),
        config,
    );
    let agent = AgentIntegration::new(card, SecretString::from(AGENT_TOKEN))
        .with_store(Arc::clone(&wiring.store));
    let base = serve_agent(agent).await;
    Harness { sandbox, base }
}

/// The two customers given [`SHARED_PHONE`]: the first two with orders.
fn sharing(sandbox: &Sandbox) -> Vec<u64> {
    let mut ids: Vec<u64> = sandbox
        .shop()
        .customers()
        .iter()
        .map(|c| c.client_id)
        .filter(|id| !sandbox.shop().orders_of(*id).is_empty())
        .collect();
    ids.sort_unstable();
    ids.truncate(2);
    ids
}

/// A customer whose mobile number no other customer has, with that number's key.
fn customer_with_own_phone(sandbox: &Sandbox) -> (ShopCustomer, String) {
    let customers = sandbox.shop().customers();
    let key_of = |c: &ShopCustomer| c.billing.phone1.as_deref().and_then(|p| phone_key(p, "PL"));
    let mut candidates: Vec<&ShopCustomer> = customers
        .iter()
        .filter(|c| {
            let key = key_of(c);
            key.is_some()
                && customers
                    .iter()
                    .filter(|o| {
                        let theirs = [&o.billing.phone1, &o.billing.phone2];
                        theirs
                            .into_iter()
                            .flatten()
                            .any(|p| phone_key(p, "PL") == key)
                    })
                    .count()
                    == 1
        })
        .collect();
    candidates.sort_by_key(|c| c.client_id);
    let customer = (*candidates
        .last()
        .expect("a customer with a phone of their own"))
    .clone();
    let key = key_of(&customer).unwrap();
    (customer, key)
}

async fn lookup(base: &str, token: &str, phone: &str) -> (u16, Option<String>, String) {
    let response = reqwest::Client::new()
        .get(format!("{base}/thulium/external-crm/{token}"))
        .query(&[("phone_number", phone)])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, content_type, response.text().await.unwrap())
}

/// Every way a caller's number may be written, from its E.164 key.
fn spellings(key: &str) -> Vec<String> {
    let national = format_phone(key, PhoneFormat::National, "PL");
    let (a, b, c) = (&national[..3], &national[3..6], &national[6..]);
    vec![
        format!("{a} {b} {c}"),
        key.to_owned(),
        national.clone(),
        format!("0048{national}"),
        format!("0048 {a} {b} {c}"),
        format!("{a}-{b}-{c}"),
        format!("+48 {a}-{b}-{c}"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synced_caller_is_found_in_every_spelling_without_asking_the_shop() {
    let h = synced().await;
    let (customer, key) = customer_with_own_phone(&h.sandbox);
    let before = h.sandbox.shop().counters().total();
    for phone in spellings(&key) {
        let (status, content_type, body) = lookup(&h.base, AGENT_TOKEN, &phone).await;
        assert_eq!(status, 200, "{phone}: {body}");
        assert_eq!(
            content_type.as_deref(),
            Some("application/json;charset=utf-8")
        );
        let answer: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            answer["identifier"],
            customer.client_id.to_string(),
            "{phone}"
        );
        let last_name = customer.billing.last_name.clone().unwrap_or_default();
        assert!(
            answer["surname"].as_str().unwrap().contains(&last_name),
            "{body}"
        );
        let phones = answer["phone_number"].to_string();
        assert!(
            phones.contains(&key[3..]),
            "the caller's number is in {phones}"
        );
        assert!(
            answer["note"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Ostatnie zamówienie")
                || h.sandbox.shop().orders_of(customer.client_id).is_empty()
        );
    }
    assert_eq!(
        h.sandbox.shop().counters().total(),
        before,
        "answers came from the caller index"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_numbers_and_wrong_tokens_get_the_same_404() {
    let h = synced().await;
    let (_, key) = customer_with_own_phone(&h.sandbox);
    let (status, _, unknown) = lookup(&h.base, AGENT_TOKEN, "+48 799 000 111").await;
    assert_eq!(status, 404);
    let (status, _, unreadable) = lookup(&h.base, AGENT_TOKEN, "nie podano").await;
    assert_eq!(status, 404);
    let (status, _, wrong) = lookup(&h.base, "not-the-token-at-all-123", &key).await;
    assert_eq!(status, 404);
    let (status, _, empty) = lookup(&h.base, "", &key).await;
    assert_eq!(status, 404);
    assert_eq!(unknown, wrong, "a wrong token looks like an unknown number");
    assert_eq!(unreadable, wrong);
    assert_eq!(empty, wrong);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_number_gives_the_customer_with_the_newest_order() {
    let h = synced().await;
    let newest = sharing(&h.sandbox)
        .into_iter()
        .max_by_key(|id| {
            let placed = h
                .sandbox
                .shop()
                .orders_of(*id)
                .iter()
                .map(|o| o.add_date)
                .max();
            (placed, *id)
        })
        .unwrap();
    let (status, _, body) = lookup(&h.base, AGENT_TOKEN, "509111222").await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["identifier"], newest.to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_the_sync_has_not_seen_is_found_live_then_from_the_index() {
    let sandbox = start_sandbox(DemoOptions {
        customers: 40,
        orders: 120,
        seed: 22,
    })
    .await
    .unwrap();
    let (customer, key) = customer_with_own_phone(&sandbox);
    let settings = settings_for(&sandbox);
    let config = settings.integrations[0].config.clone();
    let card = CardState::new(
        shop_client(sandbox.shop_url.clone(), &sandbox.shop_api_key),
        thulium_client(&sandbox),
        config,
    );
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let agent =
        AgentIntegration::new(card, SecretString::from(AGENT_TOKEN)).with_store(Arc::clone(&store));
    let base = serve_agent(agent).await;
    let phone = spellings(&key).remove(0);

    let (status, _, body) = lookup(&base, AGENT_TOKEN, &phone).await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["identifier"], customer.client_id.to_string());
    let live = sandbox.shop().counters().total();
    assert_eq!(live, 2, "one client search and one order search");

    let (status, _, again) = lookup(&base, AGENT_TOKEN, &key).await;
    assert_eq!(status, 200);
    assert_eq!(again, body);
    assert_eq!(
        sandbox.shop().counters().total(),
        live,
        "the second call used the index"
    );
    let unknown = lookup(&base, AGENT_TOKEN, "+48 799 000 111").await;
    assert_eq!(unknown.0, 404);
}
