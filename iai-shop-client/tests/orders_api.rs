//! `POST /orders/orders/search` and `GET /orders/orders` against a mock shop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ExactQuery, client_for, fixture_json};
use futures::TryStreamExt;
use iai_shop_client::{ClientRef, Error, OrderDateType, OrderStatus, SortDirection};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SEARCH_PATH: &str = "/api/admin/v6/orders/orders/search";

#[tokio::test]
async fn search_posts_every_filter_and_decodes_the_orders() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SEARCH_PATH))
        .and(body_json(json!({"params": {
            "ordersStatuses": ["finished", "packed_ready"],
            "clients": [{"clientId": 1001}, {"clientLogin": "zosia_m"}, {"clientEmail": "ewa.w@example.pl"}],
            "ordersRange": {"ordersDateRange": {
                "ordersDateType": "modified",
                "ordersDateBegin": "2025-01-01 00:00:00",
                "ordersDateEnd": "2025-01-31 23:59:59"
            }},
            "orderSource": {"shopsIds": [1], "auctionsParams": {"auctionsServicesNames": ["allegro"]}},
            "ordersBy": [{"elementName": "order_time", "sortDirection": "DESC"}],
            "resultsPage": 0,
            "resultsLimit": 100
        }})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("orders_search.json")))
        .expect(1)
        .mount(&server)
        .await;

    let page = client_for(&server)
        .orders()
        .search()
        .statuses([OrderStatus::Finished, OrderStatus::PackedReady])
        .clients([
            ClientRef::Id(1001),
            ClientRef::Login("zosia_m".into()),
            ClientRef::Email("ewa.w@example.pl".into()),
        ])
        .date_range(
            OrderDateType::Modified,
            Some("2025-01-01T00:00:00".parse().unwrap()),
            Some("2025-01-31T23:59:59".parse().unwrap()),
        )
        .shop_ids([1])
        .allegro_only()
        .order_by("order_time", SortDirection::Descending)
        .page()
        .await
        .unwrap();

    assert_eq!(page.total, 2);
    let [shop_order, allegro_order] = &page.items[..] else {
        panic!("two orders expected")
    };
    assert_eq!(shop_order.order_id, "shop1-10231");
    assert_eq!(shop_order.status, OrderStatus::Finished);
    assert_eq!(shop_order.client.account.client_id, Some(1001));
    assert_eq!(
        shop_order.client.billing.country_name.as_deref(),
        Some("Polska")
    );
    assert_eq!(shop_order.total().unwrap().to_string(), "264.89 PLN");
    assert!(!shop_order.is_allegro());
    assert_eq!(shop_order.auction_info, None, "[] is no auction info");
    assert_eq!(shop_order.products.len(), 2);

    assert_eq!(allegro_order.serial_number, 10240, "numeric string");
    assert_eq!(allegro_order.status.as_str(), "wait_for_packaging_custom");
    assert_eq!(allegro_order.dispatch_date, None, "0 means not dispatched");
    assert!(allegro_order.is_allegro());
    assert_eq!(
        allegro_order
            .auction_info
            .as_ref()
            .unwrap()
            .client_login
            .as_deref(),
        Some("zosia_m")
    );
    assert_eq!(allegro_order.total().unwrap().amount.to_string(), "70.00");
    assert_eq!(
        allegro_order
            .client
            .pickup_point
            .as_ref()
            .unwrap()
            .id
            .as_deref(),
        Some("WAW01M")
    );
    assert_eq!(allegro_order.source.shop_id, Some(1));
}

#[tokio::test]
async fn search_stream_ends_on_the_orders_207() {
    let server = MockServer::start().await;
    let mut first = fixture_json("orders_search.json");
    first["resultsNumberPage"] = json!(2);
    for (page, status, body) in [
        (0, 200, first),
        (1, 207, fixture_json("orders_empty_207.json")),
    ] {
        Mock::given(method("POST"))
            .and(path(SEARCH_PATH))
            .and(body_json(
                json!({"params": {"resultsPage": page, "resultsLimit": 100}}),
            ))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let orders: Vec<_> = client_for(&server)
        .orders()
        .search()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        orders.iter().map(|o| o.serial_number).collect::<Vec<_>>(),
        [10231, 10240]
    );
}

#[tokio::test]
async fn more_than_100_clients_is_refused_before_sending() {
    let server = MockServer::start().await;
    let clients = (1..=101).map(ClientRef::Id);
    let error = client_for(&server)
        .orders()
        .search()
        .clients(clients)
        .page()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn by_serial_numbers_chunks_by_100() {
    let server = MockServer::start().await;
    let numbers: Vec<u64> = (1..=250).collect();
    let chunks: Vec<String> = numbers
        .chunks(100)
        .map(|c| c.iter().map(u64::to_string).collect::<Vec<_>>().join(","))
        .collect();
    Mock::given(method("GET"))
        .and(path("/api/admin/v6/orders/orders"))
        .and(ExactQuery::new(&[("ordersSerialNumbers", &chunks[0])]))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("orders_search.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/admin/v6/orders/orders"))
        .and(ExactQuery::new(&[("ordersSerialNumbers", &chunks[1])]))
        .respond_with(
            ResponseTemplate::new(207).set_body_json(fixture_json("orders_empty_207.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut last = fixture_json("orders_search.json");
    last["Results"].as_array_mut().unwrap().truncate(1);
    Mock::given(method("GET"))
        .and(path("/api/admin/v6/orders/orders"))
        .and(ExactQuery::new(&[("ordersSerialNumbers", &chunks[2])]))
        .respond_with(ResponseTemplate::new(200).set_body_json(last))
        .expect(1)
        .mount(&server)
        .await;

    let orders = client_for(&server)
        .orders()
        .by_serial_numbers(&numbers)
        .await
        .unwrap();
    assert_eq!(orders.len(), 3);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    assert!(
        client_for(&server)
            .orders()
            .by_serial_numbers(&[])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        3,
        "no call for no numbers"
    );
}
