//! Custom-field groups, group items and `verify` against wiremock.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use futures::TryStreamExt;
use serde_json::json;
use thulium_client::verify::{CannotCheckReason, CredentialsStatus, FieldStatus};
use thulium_client::{FieldGroupItemInput, FieldKind, FieldValue, RequiredField};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::{client, raw_queries};

#[tokio::test]
async fn groups_list_with_fields_from_a_bare_array() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customer_field_groups"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"group_id": 2, "name": "Orders", "fields": [{"field_id": 12, "name": "Product"}, {"field_id": 13, "name": "Date"}]}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let groups = client(&server).field_groups().list().await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, "Orders");
    assert_eq!(
        groups[0]
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Product", "Date"]
    );
}

#[tokio::test]
async fn items_stream_by_customer_and_group_over_pages() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customer_field_group_items"))
        .respond_with(|request: &Request| {
            let offset: u64 = request.url.query_pairs().find(|(k, _)| k == "offset").unwrap().1.parse().unwrap();
            let items: Vec<_> = (offset..(offset + 1000).min(1500))
                .map(|id| json!({"item_id": id, "group_id": 2, "customer_id": 1, "values": [{"field_id": 12, "value": "x"}]}))
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"count": 1500, "result": items}))
        })
        .expect(2)
        .mount(&server)
        .await;
    let items: Vec<_> = client(&server)
        .field_group_items()
        .list()
        .customer_id(1)
        .group_id(2)
        .page_size(1000)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 1500);
    assert_eq!(items[1499].values, vec![FieldValue::text(12, "x")]);
    assert_eq!(
        raw_queries(&server).await,
        vec![
            "group_id=2&customer_id=1&limit=1000&offset=0",
            "group_id=2&customer_id=1&limit=1000&offset=1000"
        ]
    );
}

#[tokio::test]
async fn items_create_update_delete() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/customer_field_group_items"))
        .and(body_json(
            json!({"group_id": 2, "customer_id": 1, "values": [{"field_id": 12, "value": "Buty"}]}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"item_id": 38})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/customer_field_group_items/38"))
        .and(body_json(
            json!({"values": [{"field_id": 12, "value": "Kapcie"}]}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/customer_field_group_items/38"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let items = client(&server).field_group_items();
    let input = FieldGroupItemInput {
        group_id: 2,
        customer_id: 1,
        values: vec![FieldValue::text(12, "Buty")],
    };
    let item_id = items.create(&input).await.unwrap();
    assert_eq!(item_id, 38);
    items
        .update(item_id, &[FieldValue::text(12, "Kapcie")])
        .await
        .unwrap();
    items.delete(item_id).await.unwrap();
}

fn required() -> Vec<RequiredField> {
    vec![
        RequiredField::new("IAI Shop ID", FieldKind::Numeric),
        RequiredField::new("Last order date", FieldKind::Date),
        RequiredField::new("Allegro login", FieldKind::Text),
        RequiredField::new("Second shop ID", FieldKind::Numeric),
    ]
}

#[tokio::test]
async fn verify_reports_each_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customers"))
        .and(query_param("limit", "1"))
        .and(query_param("include_custom_fields", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 1, "result": [
            {"customer_id": 1, "custom_fields": {"IAI Shop ID": "77", "Last order date": 5, "Allegro login": null}}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let report = client(&server).verify(&required()).await.unwrap();
    assert_eq!(report.credentials, CredentialsStatus::Valid);
    let statuses: Vec<_> = report.fields.iter().map(|f| f.status).collect();
    assert_eq!(
        statuses,
        vec![
            FieldStatus::Present,
            FieldStatus::WrongKind {
                observed: FieldKind::Numeric
            },
            FieldStatus::PresentKindUnknown,
            FieldStatus::Missing,
        ]
    );
    assert!(!report.is_ready());
}

#[tokio::test]
async fn verify_on_an_empty_tenant_cannot_check_fields() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 0, "result": []})))
        .mount(&server)
        .await;
    let report = client(&server).verify(&required()).await.unwrap();
    assert_eq!(report.credentials, CredentialsStatus::Valid);
    assert!(
        report
            .fields
            .iter()
            .all(|f| f.status == FieldStatus::CannotCheck(CannotCheckReason::NoCustomers))
    );
    assert!(!report.is_ready());
}

#[tokio::test]
async fn verify_with_bad_credentials_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customers"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"request_id": "x", "errors": [{"message": "Unauthorized"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let report = client(&server).verify(&required()).await.unwrap();
    assert_eq!(report.credentials, CredentialsStatus::Invalid);
    assert!(
        report
            .fields
            .iter()
            .all(|f| f.status == FieldStatus::CannotCheck(CannotCheckReason::CredentialsRefused))
    );
}
