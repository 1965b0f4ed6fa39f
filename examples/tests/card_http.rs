//! The card server over HTTP against the sandbox: the card's data is what the shop holds,
//! shop values are escaped, unknown ids give 404, an unreachable shop gives 502, and a card
//! costs exactly one customer lookup and one order search.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::sandbox_clients::{
    AGENT_TOKEN, generated_sandbox, newest_first, serve_card as serve, shop_client, thulium_client,
};
use examples::card::CardState;
use rust_decimal::Decimal;
use sandbox::Sandbox;
use sandbox::idosell::{CustomerPatch, ShopOrder, routes};
use serde_json::Value;
use sync_core::config::IntegrationConfig;
use thulium_client::{CustomFieldValue, CustomerInput, ThuliumClient};
use url::Url;

const THULIUM_CUSTOMER: &str = "/api/customers/{id}";

struct Harness {
    sandbox: Sandbox,
    base: String,
    panel: String,
    thulium: ThuliumClient,
}

async fn start() -> Harness {
    let sandbox = generated_sandbox(11, 40, 200).await;
    let shop = shop_client(sandbox.shop_url.clone(), &sandbox.shop_api_key);
    let thulium = thulium_client(&sandbox);
    let config = IntegrationConfig::new("test shop", sandbox.shop_url.clone());
    let panel = config.panel_base().to_owned();
    let base = serve(CardState::new(shop, thulium.clone(), config)).await;
    Harness {
        sandbox,
        base,
        panel,
        thulium,
    }
}

/// A loopback URL nothing listens on (the port was bound, then freed).
fn closed_url() -> Url {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    Url::parse(&format!("http://{closed}/")).unwrap()
}

async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn get_json(url: &str) -> (u16, Value) {
    let (status, body) = get(url).await;
    (status, serde_json::from_str(&body).unwrap())
}

/// The customers with at least `min` orders, by id.
fn customers_with_orders(sandbox: &Sandbox, min: usize) -> Vec<u64> {
    let mut counts = BTreeMap::<u64, usize>::new();
    for order in sandbox.shop().orders() {
        *counts.entry(order.client_id).or_default() += 1;
    }
    counts
        .into_iter()
        .filter(|(_, count)| *count >= min)
        .map(|(id, _)| id)
        .collect()
}

fn assert_card_matches_shop(card: &Value, h: &Harness, client_id: u64) {
    let expected = newest_first(h.sandbox.shop().orders_of(client_id));
    let shown: Vec<&ShopOrder> = expected.iter().take(10).collect();
    assert_eq!(card["client_id"], client_id);
    assert_eq!(card["orders_total"], expected.len());
    assert_eq!(
        card["shop_link"],
        format!("{}/panel/client.php?id={client_id}", h.panel)
    );
    let orders = card["orders"].as_array().unwrap();
    assert_eq!(orders.len(), shown.len());
    for (got, want) in orders.iter().zip(&shown) {
        assert_eq!(got["serial_number"], want.serial_number);
        assert_eq!(got["order_id"], want.order_id.as_str());
        let amount: Decimal = got["total"]["amount"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            amount,
            want.total().round_dp(2),
            "order {}",
            want.serial_number
        );
        assert_eq!(got["total"]["currency"], want.currency_id.as_str());
        assert_eq!(
            got["edit_link"],
            format!("{}/panel/orderd.php?idt={}", h.panel, want.serial_number)
        );
        assert_eq!(got["status"]["code"], want.status.as_str());
    }
}

#[tokio::test]
async fn shop_card_shows_the_newest_orders_the_shop_holds_for_two_requests() {
    let h = start().await;
    let many = customers_with_orders(&h.sandbox, 11);
    let client_id = *many
        .first()
        .expect("a seeded customer with more than 10 orders");
    h.sandbox.shop().counters().reset();

    let (status, card) = get_json(&format!(
        "{}/card/{AGENT_TOKEN}/shop/{client_id}?format=json",
        h.base
    ))
    .await;

    assert_eq!(status, 200);
    assert_card_matches_shop(&card, &h, client_id);
    let counters = h.sandbox.shop().counters();
    assert_eq!(counters.get("GET", routes::CLIENTS), 1);
    assert_eq!(counters.get("POST", routes::ORDERS_SEARCH), 1);
    assert_eq!(counters.total(), 2, "{:?}", counters.snapshot());
}

#[tokio::test]
async fn shop_card_of_a_customer_with_few_orders_shows_them_all() {
    let h = start().await;
    let all = customers_with_orders(&h.sandbox, 1);
    let client_id = all
        .into_iter()
        .find(|id| (1..10).contains(&h.sandbox.shop().orders_of(*id).len()))
        .expect("a seeded customer with 1 to 9 orders");

    let (status, card) = get_json(&format!(
        "{}/card/{AGENT_TOKEN}/shop/{client_id}?format=json",
        h.base
    ))
    .await;

    assert_eq!(status, 200);
    assert_card_matches_shop(&card, &h, client_id);
}

#[tokio::test]
async fn thulium_card_follows_the_id_field_to_the_shop_customer() {
    let h = start().await;
    let client_id = customers_with_orders(&h.sandbox, 3)[0];
    let input = CustomerInput {
        surname: Some("Linked".into()),
        custom_fields: [(
            "IAI Shop ID".to_owned(),
            CustomFieldValue::Number(i64::try_from(client_id).unwrap()),
        )]
        .into(),
        ..CustomerInput::default()
    };
    let thulium_id = h.thulium.customers().create(&input).await.unwrap();
    h.sandbox.shop().counters().reset();
    h.sandbox.thulium().counters().reset();

    let (status, card) = get_json(&format!(
        "{}/card/{AGENT_TOKEN}/{thulium_id}?format=json",
        h.base
    ))
    .await;

    assert_eq!(status, 200);
    assert_card_matches_shop(&card, &h, client_id);
    assert_eq!(
        h.sandbox.thulium().counters().get("GET", THULIUM_CUSTOMER),
        1
    );
    assert_eq!(h.sandbox.thulium().counters().total(), 1);
    assert_eq!(h.sandbox.shop().counters().total(), 2);
}

#[tokio::test]
async fn html_card_escapes_shop_values_and_links_to_the_panel() {
    let h = start().await;
    let client_id = customers_with_orders(&h.sandbox, 2)[0];
    h.sandbox
        .shop()
        .edit_customer(
            client_id,
            &CustomerPatch {
                first_name: Some("<script>alert('x')</script>".into()),
                last_name: Some("Nowak & Syn".into()),
                ..CustomerPatch::default()
            },
        )
        .unwrap();

    let (status, html) = get(&format!("{}/card/{AGENT_TOKEN}/shop/{client_id}", h.base)).await;

    assert_eq!(status, 200);
    assert!(
        !html.contains("<script>"),
        "unescaped script tag in:\n{html}"
    );
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("Nowak &amp; Syn"));
    assert!(html.contains(&format!(
        "href=\"{}/panel/client.php?id={client_id}\"",
        h.panel
    )));
    let newest = &newest_first(h.sandbox.shop().orders_of(client_id))[0];
    assert!(html.contains(&format!(
        "href=\"{}/panel/orderd.php?idt={}\"",
        h.panel, newest.serial_number
    )));
}

#[tokio::test]
async fn unknown_or_unlinked_customers_get_a_small_404_page() {
    let h = start().await;
    let unlinked = h
        .thulium
        .customers()
        .create(&CustomerInput {
            surname: Some("Not linked".into()),
            ..CustomerInput::default()
        })
        .await
        .unwrap();
    h.sandbox.shop().counters().reset();

    let (status, html) = get(&format!("{}/card/{AGENT_TOKEN}/shop/999999", h.base)).await;
    assert_eq!(status, 404);
    assert!(html.contains("Customer not found") && html.contains("999999"));
    assert_eq!(h.sandbox.shop().counters().get("GET", routes::CLIENTS), 1);
    assert_eq!(h.sandbox.shop().counters().total(), 1, "no order search");

    let (status, json) =
        get_json(&format!("{}/card/{AGENT_TOKEN}/888888?format=json", h.base)).await;
    assert_eq!(status, 404);
    assert_eq!(json["error"], "Customer not found");

    let (status, html) = get(&format!("{}/card/{AGENT_TOKEN}/{unlinked}", h.base)).await;
    assert_eq!(status, 404);
    assert!(html.contains("not linked") && html.contains("IAI Shop ID"));
    assert_eq!(
        h.sandbox.shop().counters().total(),
        1,
        "unlinked: no shop call"
    );

    let (status, _) = get(&format!("{}/card/{AGENT_TOKEN}/shop/%3Cb%3E", h.base)).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn unreachable_shop_gives_502_with_a_clear_message() {
    let h = start().await;
    let shop = shop_client(closed_url(), "key");
    let config = IntegrationConfig::new("test shop", h.sandbox.shop_url.clone());
    let base = serve(CardState::new(shop, h.thulium.clone(), config)).await;

    let (status, html) = get(&format!("{base}/card/{AGENT_TOKEN}/shop/1")).await;
    assert_eq!(status, 502);
    assert!(html.contains("The shop is unreachable"), "{html}");

    let (status, json) = get_json(&format!("{base}/card/{AGENT_TOKEN}/shop/1?format=json")).await;
    assert_eq!(status, 502);
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .starts_with("the shop could not be read")
    );
}

#[tokio::test]
async fn unreachable_thulium_gives_502_and_no_shop_call() {
    let h = start().await;
    let thulium = ThuliumClient::builder(closed_url())
        .credentials("user", "password")
        .retry_policy(thulium_client::RetryPolicy::none())
        .build()
        .unwrap();
    let shop = shop_client(h.sandbox.shop_url.clone(), &h.sandbox.shop_api_key);
    let config = IntegrationConfig::new("test shop", h.sandbox.shop_url.clone());
    let base = serve(CardState::new(shop, thulium, config)).await;
    h.sandbox.shop().counters().reset();

    let (status, html) = get(&format!("{base}/card/{AGENT_TOKEN}/1")).await;

    assert_eq!(status, 502);
    assert!(html.contains("Thulium is unreachable"), "{html}");
    assert_eq!(h.sandbox.shop().counters().total(), 0);
}
