//! Decoding the API's quirky payloads without a server, and never panicking on any JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::fixture;
use iai_shop_client::{Client, ClientType, Order, Page, from_json_slice, webhook::parse_webhook};
use proptest::prelude::*;
use serde_json::{Value, json};

#[test]
fn quirky_client_decodes() {
    let client: Client = from_json_slice(fixture("client_quirky.json").as_bytes()).unwrap();
    assert_eq!(client.client_id, 2001, "id as a string");
    assert_eq!(client.last_modified, None, "0000-00-00 00:00:00");
    assert_eq!(client.login, None, "null");
    assert_eq!(client.email, None, "\"\"");
    assert_eq!(
        client.client_type,
        ClientType::Other("person_company_of_the_future".into())
    );
    assert!(client.is_unregistered);
    assert_eq!(client.billing, Default::default(), "[] for an empty object");
    assert_eq!(client.birth_date, None);
    assert_eq!(client.registration_date, None, "0 for no date");
    assert_eq!(client.active_in_shops.len(), 1, "object keyed by index");
    assert_eq!(client.active_in_shops[0].shop_id, 3);
    assert_eq!(client.active_in_shops[0].shop_name, None);
    let mut balances: Vec<(String, String)> = client
        .balances
        .iter()
        .map(|b| (b.currency_id.clone().unwrap(), b.amount.to_string()))
        .collect();
    balances.sort();
    assert_eq!(
        balances,
        [("EUR".into(), "2.5".into()), ("PLN".into(), "10.10".into())]
    );
}

#[test]
fn a_nearly_empty_order_decodes() {
    let order: Order = from_json_slice(
        br#"{"orderId": 77, "orderSerialNumber": "77", "clientResult": [], "orderDetails": {"payments": []}}"#,
    )
    .unwrap();
    assert_eq!(order.order_id, "77");
    assert_eq!(order.status.as_str(), "");
    assert_eq!(order.total(), None);
    assert!(!order.is_allegro());
}

#[test]
fn a_page_decodes_from_any_of_the_three_list_names() {
    for key in ["results", "Results", "clientsResults"] {
        let body = json!({key: [{"clientId": 5}], "resultsNumberAll": "1", "resultsNumberPage": 1});
        let page: Page<Client> =
            Page::from_json_slice(body.to_string().as_bytes(), 0, 100).unwrap();
        assert_eq!(page.items[0].client_id, 5, "{key}");
        assert_eq!(page.total, 1);
        assert!(!page.has_next());
    }
}

#[test]
fn order_totals_are_exact_decimals() {
    // 0.1 + 0.2 in floats is 0.30000000000000004; the decimal sum must be exactly 0.3.
    let order: Order = from_json_slice(
        br#"{"orderId":"a","orderSerialNumber":1,"orderDetails":{"payments":{"orderCurrency":
            {"currencyId":"EUR","orderProductsCost":0.1,"orderDeliveryCost":0.2}}}}"#,
    )
    .unwrap();
    let total = order.total().unwrap();
    assert_eq!(total.amount.to_string(), "0.3");
    assert_eq!(total.currency, "EUR");
}

/// Arbitrary JSON, with the API's own key names mixed in so the decoders are reached.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "clientId",
        "clientsLastModificationDate",
        "clientBillingAddress",
        "clientBalances",
        "clientActiveInShops",
        "clientType",
        "isUnregistered",
        "clientPersonalData",
        "orderId",
        "orderSerialNumber",
        "orderDetails",
        "clientResult",
        "payments",
        "orderCurrency",
        "orderStatus",
        "orderAddDate",
        "auctionInfo",
        "productsResults",
        "results",
        "Results",
        "clientsResults",
        "resultsNumberAll",
        "errors",
        "faultCode",
        "event",
        "clientFirstName",
        "orderProductsCost",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "",
            "0",
            "y",
            "0000-00-00 00:00:00",
            "2025-01-01 10:00:00",
            "12.5",
            "1e400",
            "-3"
        ])
        .prop_map(|s| json!(s)),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6).prop_map(|entries| Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decoding_any_json_never_panics(value in arbitrary_json()) {
        let bytes = value.to_string();
        let _ = from_json_slice::<Client>(bytes.as_bytes());
        let _ = from_json_slice::<Order>(bytes.as_bytes());
        let _ = Page::<Order>::from_json_slice(bytes.as_bytes(), 0, 100);
        let _ = Page::<Client>::from_json_slice(bytes.as_bytes(), 0, 100);
        let _ = parse_webhook(bytes.as_bytes());
        if let Ok(order) = from_json_slice::<Order>(bytes.as_bytes()) {
            let _ = order.total();
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = from_json_slice::<Client>(&bytes);
        let _ = parse_webhook(&bytes);
    }
}

#[test]
fn an_overflowing_total_is_none_not_a_panic() {
    let order: Order = from_json_slice(
        br#"{"orderId":"a","orderSerialNumber":1,"orderDetails":{"payments":{"orderCurrency":
            {"currencyId":"PLN","orderProductsCost":"79228162514264337593543950335","orderDeliveryCost":"79228162514264337593543950335"}}}}"#,
    )
    .unwrap();
    assert_eq!(order.total(), None);
}

#[test]
fn allegro_and_its_test_site_count_as_allegro() {
    for (service, allegro) in [
        ("allegro", true),
        ("testwebapi", true),
        (" Allegro ", true),
        ("ebay", false),
    ] {
        let order: Order = from_json_slice(
            serde_json::json!({"orderId": "1", "orderSerialNumber": 1, "orderDetails": {
                "orderSourceResults": {"orderSourceType": "auction", "auctionsServiceName": service}
            }})
            .to_string()
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(order.is_allegro(), allegro, "{service}");
    }
}
