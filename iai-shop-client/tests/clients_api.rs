//! `GET /clients/clients` and `POST /clients/crm/search` against a mock shop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{NaiveDate, NaiveDateTime};
use common::{API_KEY, ExactQuery, client_for, fixture_json, stream_clients};
use futures::{StreamExt, TryStreamExt};
use iai_shop_client::{ClientType, Error, IdoSellClient};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENTS_PATH: &str = "/api/admin/v6/clients/clients";

fn page_query(page: &str, limit: &str) -> ExactQuery {
    ExactQuery::new(&[("resultsPage", page), ("resultsLimit", limit)])
}

async fn mount_page(server: &MockServer, page: &str, status: u16, body: serde_json::Value) {
    Mock::given(method("GET"))
        .and(path(CLIENTS_PATH))
        .and(page_query(page, "2"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn list_sends_every_filter_in_the_api_encoding() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(CLIENTS_PATH))
        .and(header("x-api-key", API_KEY))
        .and(header("accept", "application/json"))
        .and(ExactQuery::new(&[
            ("clientsIds", "1001,1002"),
            ("clientCodesExternal", "EXT-1,EXT-2"),
            ("clientTextSearch", "+48 600 100 200"),
            ("clientIsActive", "yes"),
            (
                "clientLastPurchaseDate[clientLastPurchaseDateBegin]",
                "2024-01-01",
            ),
            (
                "clientLastPurchaseDate[clientLastPurchaseDateEnd]",
                "2024-12-31",
            ),
            (
                "clientsLastModificationDate[clientsLastModificationDateBegin]",
                "2025-01-14 09:00:00",
            ),
            (
                "clientsLastModificationDate[clientsLastModificationDateEnd]",
                "2025-01-15",
            ),
            (
                "clientRegistrationDate[clientRegistrationDateBegin]",
                "2019-01-01",
            ),
            ("shopId", "1"),
            ("returnElements", "clientId,clientEmail"),
            ("resultsPage", "0"),
            ("resultsLimit", "50"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("clients_page0.json")))
        .expect(1)
        .mount(&server)
        .await;

    let since: NaiveDateTime = "2025-01-14T09:00:00".parse().unwrap();
    let until = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();
    let page = client_for(&server)
        .clients()
        .list()
        .ids([1001, 1002])
        .codes_external(["EXT-1", "EXT-2"])
        .text_search("+48 600 100 200")
        .active(true)
        .last_purchase_between(
            NaiveDate::from_ymd_opt(2024, 1, 1),
            NaiveDate::from_ymd_opt(2024, 12, 31),
        )
        .modified_between(Some(since), None::<NaiveDate>)
        .modified_between(Some(since), Some(until))
        .registered_between(NaiveDate::from_ymd_opt(2019, 1, 1), None)
        .shop_id(1)
        .return_elements(["clientId", "clientEmail"])
        .page_size(50)
        .page()
        .await
        .unwrap();

    assert_eq!(page.total, 6);
    assert_eq!(page.page_count, 5);
    assert_eq!(page.items.len(), 2);
    let anna = &page.items[0];
    assert_eq!(anna.client_id, 1001);
    assert_eq!(anna.billing.last_name.as_deref(), Some("Nowak"));
    assert_eq!(anna.billing.firm, None, "\"\" decodes to None");
    assert_eq!(anna.billing.country_id.as_deref(), Some("pl"));
    assert_eq!(anna.client_type, ClientType::Female);
    assert_eq!(
        anna.last_modified.unwrap().to_string(),
        "2025-01-14 09:12:44"
    );
    assert_eq!(anna.registration_date, NaiveDate::from_ymd_opt(2021, 3, 2));
    assert_eq!(anna.active_in_shops[0].shop_id, 1);
    assert_eq!(anna.balances[0].amount.to_string(), "12.5");
    assert_eq!(page.items[1].client_type, ClientType::Firm);
    assert_eq!(page.items[1].billing.nip.as_deref(), Some("5252000000"));
}

#[tokio::test]
async fn stream_reads_three_pages_then_stops_on_the_207_empty_answer() {
    let server = MockServer::start().await;
    // The counts promise 5 pages (the data shrank meanwhile): the 207 ends the stream.
    mount_page(&server, "0", 200, fixture_json("clients_page0.json")).await;
    mount_page(&server, "1", 200, fixture_json("clients_page1.json")).await;
    mount_page(&server, "2", 200, fixture_json("clients_page2.json")).await;
    mount_page(&server, "3", 207, fixture_json("empty_207.json")).await;

    let clients = stream_clients(&server, 2).await.unwrap();

    let ids: Vec<u64> = clients.iter().map(|c| c.client_id).collect();
    assert_eq!(ids, [1001, 1002, 1003, 1004, 1005, 1006]);
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

/// The three fixture pages of two clients each, all announcing three pages.
async fn mount_three_announced_pages(server: &MockServer) {
    for page in 0..3 {
        let mut body = fixture_json(&format!("clients_page{page}.json"));
        body["resultsNumberPage"] = json!(3);
        mount_page(server, &page.to_string(), 200, body).await;
    }
}

/// A client for `server` whose streams fetch at most `max_pages` pages.
fn client_with_max_pages(server: &MockServer, max_pages: u32) -> IdoSellClient {
    let url = url::Url::parse(&server.uri()).unwrap();
    IdoSellClient::builder(url)
        .api_key(API_KEY)
        .max_pages(max_pages)
        .build()
        .unwrap()
}

#[tokio::test]
async fn stream_stops_at_the_announced_last_page_without_an_extra_request() {
    let server = MockServer::start().await;
    mount_three_announced_pages(&server).await;
    let clients = stream_clients(&server, 2).await.unwrap();
    assert_eq!(clients.len(), 6);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_stream_cut_off_by_max_pages_ends_with_a_paging_error() {
    let server = MockServer::start().await;
    // A broken server that answers every page with the same full page and no counts.
    let mut body = fixture_json("clients_page0.json");
    body.as_object_mut().unwrap().remove("resultsNumberPage");
    Mock::given(method("GET"))
        .and(path(CLIENTS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let api = client_with_max_pages(&server, 7);

    // The 14 records of the 7 pages come out, then the error: the list is not complete.
    let results: Vec<_> = api.clients().list().page_size(2).stream().collect().await;
    assert_eq!(results.len(), 15);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 14);
    let last = results.last().unwrap().as_ref().unwrap_err();
    assert!(matches!(last, Error::Paging(_)), "{last:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 7);
}

#[tokio::test]
async fn a_stream_that_ends_exactly_at_max_pages_is_complete() {
    let server = MockServer::start().await;
    mount_three_announced_pages(&server).await;
    let api = client_with_max_pages(&server, 3);
    let clients: Vec<_> = api
        .clients()
        .list()
        .page_size(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(clients.len(), 6);
}

#[tokio::test]
async fn a_client_without_client_id_is_rejected_with_its_json_path() {
    let server = MockServer::start().await;
    let mut body = fixture_json("clients_page0.json");
    body["results"][1]
        .as_object_mut()
        .unwrap()
        .remove("clientId");
    body["resultsNumberPage"] = json!(1);
    Mock::given(method("GET"))
        .and(path(CLIENTS_PATH))
        .and(page_query("0", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(2)
        .mount(&server)
        .await;

    // One page call: the good record stands, the one without its id is rejected.
    let page = client_for(&server)
        .clients()
        .list()
        .page_size(2)
        .page()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].client_id, 1001);
    assert_eq!(page.rejected.len(), 1);
    assert_eq!(page.rejected[0].path, "results[1]");
    assert!(
        page.rejected[0].message.contains("clientId"),
        "{:?}",
        page.rejected[0]
    );

    // The stream yields the good record, then the rejected one as an error.
    let results: Vec<_> = client_for(&server)
        .clients()
        .list()
        .page_size(2)
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().client_id, 1001);
    let Err(Error::Rejected(rejected)) = &results[1] else {
        panic!("{:?}", results[1])
    };
    assert_eq!(rejected.path, "results[1]");
}

#[tokio::test]
async fn a_page_past_the_end_is_an_empty_page() {
    let server = MockServer::start().await;
    mount_page(&server, "9", 207, fixture_json("empty_207.json")).await;
    let page = client_for(&server)
        .clients()
        .list()
        .page_size(2)
        .page_number(9)
        .page()
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.page, 9);
    assert!(!page.has_next());
}

#[tokio::test]
async fn crm_search_posts_the_params_and_reads_clients_results() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/admin/v6/clients/crm/search"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"params": {
            "clientEmail": "anna.nowak@example.pl",
            "clientLogin": "anna.nowak",
            "settingsExactSearch": true,
            "resultsPage": 0,
            "resultsLimit": 100
        }})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("crm_search.json")))
        .expect(1)
        .mount(&server)
        .await;

    let found: Vec<_> = client_for(&server)
        .clients()
        .crm_search()
        .email("anna.nowak@example.pl")
        .login("anna.nowak")
        .exact(true)
        .stream()
        .try_collect()
        .await
        .unwrap();

    // The fixture has the documented v6 shape of `clientsResults[]`: the person's data at
    // the top level, no `clientBillingAddress`, `clientType` in the write spellings.
    assert_eq!(found.len(), 2);
    let (anna, firm) = (&found[0], &found[1]);
    assert_eq!(anna.client_id, 1001);
    assert_eq!(anna.client_type, ClientType::Female);
    assert_eq!(anna.first_name.as_deref(), Some("Anna"));
    assert_eq!(anna.phone1.as_deref(), Some("+48 601 234 567"));
    assert_eq!(anna.phone2.as_deref(), Some("22 123 45 67"));
    assert_eq!((anna.nip.as_deref(), anna.firm.as_deref()), (None, None));
    assert_eq!(anna.country_id.as_deref(), Some("pl"));
    assert_eq!(anna.code_external.as_deref(), Some("ERP-1001"));
    assert_eq!(anna.orders_all_count, Some(7));
    assert_eq!(anna.total_orders_value.unwrap().to_string(), "1834.15");
    assert_eq!(anna.recent_orders[0].order_serial_number, Some(10231));
    assert_eq!(firm.client_id, 1002);
    assert_eq!(firm.client_type, ClientType::Firm);
    assert_eq!(firm.phone1, None);
    assert_eq!(firm.phone2.as_deref(), Some("+48 22 555 00 00"));
    assert_eq!(firm.nip.as_deref(), Some("5252000000"));
    assert_eq!(firm.firm.as_deref(), Some("Hurtownia Kowalski sp. z o.o."));
    assert_eq!(firm.last_purchase_date, None);
}

#[tokio::test]
async fn other_api_versions_change_the_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/admin/v8/clients/clients"))
        .and(header("authorization", "Bearer jwt-token"))
        .respond_with(ResponseTemplate::new(207).set_body_json(fixture_json("empty_207.json")))
        .expect(1)
        .mount(&server)
        .await;
    let url = url::Url::parse(&server.uri()).unwrap();
    let api = IdoSellClient::builder(url)
        .bearer_token("jwt-token")
        .api_version(8)
        .build()
        .unwrap();
    let page = api.clients().list().page().await.unwrap();
    assert!(page.items.is_empty());
}
