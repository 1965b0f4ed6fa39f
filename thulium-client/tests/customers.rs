//! Contract tests of the customer calls against wiremock.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Value, json};
use thulium_client::{AddressInput, BatchItemOutcome, CustomFieldValue, CustomerInput};
use wiremock::matchers::{basic_auth, body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::{PASSWORD, USER, client, fixture, raw_queries, stream_customers};

#[tokio::test]
async fn get_sends_flags_and_auth_and_decodes_the_documented_example() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customers/273"))
        .and(basic_auth(USER, PASSWORD))
        .and(header("accept", "application/json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("customer_documented.json"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let customer = client(&server)
        .customers()
        .get(273)
        .include_custom_fields()
        .include_address()
        .send()
        .await
        .unwrap();

    assert_eq!(
        raw_queries(&server).await,
        vec!["include_custom_fields=true&include_address=true"]
    );
    assert_eq!(customer.customer_id, 273);
    assert_eq!(customer.name.as_deref(), Some("Jan"));
    assert_eq!(customer.phone_number.as_deref(), Some("222333444"));
    assert_eq!(customer.phone_numbers, vec!["222333444", "213443523"]);
    assert_eq!(customer.email.as_deref(), Some("jan.kowalski@foo.bar"));
    assert_eq!(
        (
            customer.company_id,
            customer.identifier.clone(),
            customer.updated_at.clone()
        ),
        (None, None, None)
    );
    assert!(customer.custom_fields.is_defined("ID") && !customer.custom_fields.is_set("ID"));
    assert_eq!(
        customer.custom_fields.text("Dodatkowe informacje"),
        Some("Numer dowodu - AXX 121212")
    );
}

#[tokio::test]
async fn search_encodes_every_filter_and_polish_bracket_custom_fields() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customers"))
        .and(query_param("custom_fields[Miasto]", "Kraków"))
        .and(query_param("custom_fields[Kraj][1]", "NORWEGIA"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 0, "result": []})))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .customers()
        .search()
        .email("jan@foo.bar")
        .phone_number("+48500100200")
        .identifier("ext-1")
        .nip("1234563218")
        .company_id(7)
        .company_flag("1")
        .customer_type("Klient")
        .group("Hurt")
        .custom_field_any("Kraj", ["POLSKA", "NORWEGIA"])
        .custom_field("Miasto", "Kraków")
        .custom_field("Zażółć gęślą", "jaźń")
        .include_custom_fields()
        .page_size(5000)
        .offset(20)
        .page()
        .await
        .unwrap();

    assert!(page.items.is_empty());
    assert_eq!(
        raw_queries(&server).await,
        vec![
            "company_flag=1&company_id=7&email=jan%40foo.bar&group=Hurt&identifier=ext-1\
             &nip=1234563218&phone_number=%2B48500100200&type=Klient\
             &custom_fields%5BKraj%5D%5B0%5D=POLSKA&custom_fields%5BKraj%5D%5B1%5D=NORWEGIA\
             &custom_fields%5BMiasto%5D=Krak%C3%B3w\
             &custom_fields%5BZa%C5%BC%C3%B3%C5%82%C4%87+g%C4%99%C5%9Bl%C4%85%5D=ja%C5%BA%C5%84\
             &include_custom_fields=true&limit=1000&offset=20"
        ]
    );
}

#[tokio::test]
async fn empty_filters_select_customers_without_phone_or_identifier() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    client(&server)
        .customers()
        .search()
        .without_phone_number()
        .without_identifier()
        .page()
        .await
        .unwrap();
    assert_eq!(
        raw_queries(&server).await,
        vec!["identifier=&phone_number=&limit=100&offset=0"]
    );
}

fn customers(range: std::ops::Range<u64>) -> Vec<Value> {
    range
        .map(|id| json!({"customer_id": id, "surname": format!("S{id}")}))
        .collect()
}

fn offset_of(request: &Request) -> u64 {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == "offset")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap()
}

#[tokio::test]
async fn stream_pages_through_2500_customers_in_three_requests() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customers"))
        .and(query_param("limit", "1000"))
        .respond_with(|request: &Request| {
            let offset = offset_of(request);
            let page = customers(offset..(offset + 1000).min(2500));
            ResponseTemplate::new(200).set_body_json(json!({"count": 2500, "result": page}))
        })
        .expect(3)
        .mount(&server)
        .await;

    let all = stream_customers(&server, 1000).await.unwrap();

    assert_eq!(all.len(), 2500);
    assert_eq!(
        all.iter().map(|c| c.customer_id).collect::<Vec<_>>(),
        (0..2500).collect::<Vec<_>>()
    );
    let offsets: Vec<String> = raw_queries(&server).await;
    assert_eq!(
        offsets,
        vec![
            "limit=1000&offset=0",
            "limit=1000&offset=1000",
            "limit=1000&offset=2000"
        ]
    );
}

#[tokio::test]
async fn stream_over_bare_arrays_stops_on_the_empty_page_after_exact_multiples() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customers"))
        .respond_with(|request: &Request| {
            let offset = offset_of(request);
            ResponseTemplate::new(200).set_body_json(customers(offset..(offset + 1000).min(2000)))
        })
        .expect(3)
        .mount(&server)
        .await;
    let all = stream_customers(&server, 1000).await.unwrap();
    assert_eq!(all.len(), 2000);
}

#[tokio::test]
async fn stream_fails_instead_of_looping_when_the_server_ignores_offset() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(customers(0..2)))
        .mount(&server)
        .await;
    let result = stream_customers(&server, 2).await;
    assert!(
        matches!(result, Err(thulium_client::Error::Paging(_))),
        "{result:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn create_posts_the_exact_body_and_reads_a_string_id() {
    let server = MockServer::start().await;
    let expected_body = json!({
        "name": "Łukasz", "surname": "Żółć", "email": ["l@x.pl", "l+1@x.pl"], "phone_number": ["+48500100200"],
        "type": "Klient", "address": {"street": "Długa", "city": "Kraków"},
        "custom_fields": {"IAI Shop ID": 1234, "Last order date": "2025-03-01", "Notatka": "abc", "Old": null},
        "fill_read_only_custom_fields": true
    });
    Mock::given(method("POST"))
        .and(path("/api/customers"))
        .and(basic_auth(USER, PASSWORD))
        .and(header("content-type", "application/json; charset=utf-8"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"customer_id": "987"})))
        .expect(1)
        .mount(&server)
        .await;

    let custom_fields = BTreeMap::from([
        ("IAI Shop ID".to_owned(), CustomFieldValue::Number(1234)),
        (
            "Last order date".to_owned(),
            CustomFieldValue::Date(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()),
        ),
        ("Notatka".to_owned(), CustomFieldValue::Text("abc".into())),
        ("Old".to_owned(), CustomFieldValue::Null),
    ]);
    let input = CustomerInput {
        name: Some("Łukasz".into()),
        surname: Some("Żółć".into()),
        email: vec!["l@x.pl".into(), "l+1@x.pl".into()],
        phone_number: vec!["+48500100200".into()],
        customer_type: Some("Klient".into()),
        address: Some(AddressInput {
            street: Some("Długa".into()),
            city: Some("Kraków".into()),
            ..Default::default()
        }),
        custom_fields,
        fill_read_only_custom_fields: true,
        ..Default::default()
    };
    assert_eq!(
        client(&server).customers().create(&input).await.unwrap(),
        987
    );
}

#[tokio::test]
async fn update_and_delete_accept_204() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/customers/5"))
        .and(body_json(
            json!({"surname": "Nowak", "phone_number": ["1", "2"]}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/customers/5"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let input = CustomerInput {
        surname: Some("Nowak".into()),
        phone_number: vec!["1".into(), "2".into()],
        ..Default::default()
    };
    c.customers().update(5, &input).await.unwrap();
    c.customers().delete(5).await.unwrap();
}

#[tokio::test]
async fn batch_create_maps_207_items_positionally() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/batch/customers"))
        .and(body_json(json!({"customers": [{"surname": "A"}, {"surname": "B"}, {"surname": "C"}, {"surname": "D"}]})))
        .respond_with(ResponseTemplate::new(207).set_body_raw(fixture("batch_create_207.json"), "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let inputs: Vec<CustomerInput> = ["A", "B", "C", "D"]
        .iter()
        .map(|s| CustomerInput {
            surname: Some((*s).into()),
            ..Default::default()
        })
        .collect();

    let outcomes = client(&server)
        .customers()
        .batch_create(&inputs)
        .await
        .unwrap();

    assert_eq!(outcomes.len(), 4);
    assert_eq!(outcomes[0], BatchItemOutcome::Created { customer_id: 501 });
    match &outcomes[1] {
        BatchItemOutcome::Failed { status, errors, .. } => {
            assert_eq!(*status, Some(400));
            assert_eq!(errors[0].message, "Wrong format of phone number.");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        matches!(&outcomes[2], BatchItemOutcome::Failed { status: None, raw, .. } if raw["unexpected"] == "shape")
    );
    assert!(matches!(
        &outcomes[3],
        BatchItemOutcome::Failed {
            raw: Value::Null,
            ..
        }
    ));
}

#[tokio::test]
async fn batch_update_sends_ids_and_reads_wrapped_answers() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/batch/customers"))
        .and(body_json(json!({"customers": [{"customer_id": 1, "group": "G"}, {"customer_id": 2, "group": "G"}]})))
        .respond_with(ResponseTemplate::new(207).set_body_json(json!({"result": [{"status": 204}, {"status": 404, "errors": [{"message": "Not found"}]}]})))
        .expect(1)
        .mount(&server)
        .await;
    let input = CustomerInput {
        group: Some("G".into()),
        ..Default::default()
    };
    let outcomes = client(&server)
        .customers()
        .batch_update(&[(1, input.clone()), (2, input)])
        .await
        .unwrap();
    assert_eq!(outcomes[0], BatchItemOutcome::Updated);
    assert!(matches!(
        &outcomes[1],
        BatchItemOutcome::Failed {
            status: Some(404),
            ..
        }
    ));
}

#[tokio::test]
async fn empty_batch_sends_nothing() {
    let server = MockServer::start().await;
    let outcomes = client(&server).customers().batch_create(&[]).await.unwrap();
    assert!(outcomes.is_empty());
    assert!(server.received_requests().await.unwrap().is_empty());
}
