//! A list answer with an empty body was cut off: it is a decode error, never an empty list
//! (an engine indexing the tenant would otherwise create everyone again). Explicitly empty
//! lists in any of Thulium's envelopes still decode as empty.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use thulium_client::Error;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::client;

async fn answering(route: &str, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json"),
        )
        .mount(&server)
        .await;
    server
}

fn assert_cut_off<T: std::fmt::Debug>(result: Result<T, Error>, body: &str) {
    match result {
        Err(Error::Decode {
            status, message, ..
        }) => {
            assert_eq!(status, 200);
            assert!(message.contains("empty body"), "{message}");
        }
        other => panic!("body {body:?}: expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_empty_or_blank_customers_page_is_a_decode_error() {
    for body in ["", " \r\n\t "] {
        let server = answering("/api/customers", body).await;
        let page = client(&server)
            .customers()
            .search()
            .page_size(1000)
            .page()
            .await;
        assert_cut_off(page, body);
    }
}

#[tokio::test]
async fn an_empty_field_group_items_answer_is_a_decode_error() {
    let server = answering("/api/customer_field_group_items", "").await;
    let items = client(&server)
        .field_group_items()
        .list()
        .group_id(3)
        .customer_id(7)
        .page()
        .await;
    assert_cut_off(items, "");
}

#[tokio::test]
async fn an_empty_field_groups_answer_is_a_decode_error() {
    let server = answering("/api/customer_field_groups", "\n").await;
    assert_cut_off(client(&server).field_groups().list().await, "\n");
}

#[tokio::test]
async fn explicitly_empty_lists_are_still_empty() {
    for body in ["[]", "{}", r#"{"count":0,"result":[]}"#] {
        let server = answering("/api/customers", body).await;
        let page = client(&server)
            .customers()
            .search()
            .page()
            .await
            .unwrap_or_else(|e| panic!("{body}: {e:?}"));
        assert!(page.items.is_empty(), "{body}");

        let server = answering("/api/customer_field_group_items", body).await;
        let items = client(&server)
            .field_group_items()
            .list()
            .page()
            .await
            .unwrap_or_else(|e| panic!("{body}: {e:?}"));
        assert!(items.items.is_empty(), "{body}");
    }
}
