//! The adapters against the sandbox: errors as port errors (status, retryable, no customer
//! data), id-list limits checked before sending, and searches paged through.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use sandbox::faults::Fault;
use sandbox::idosell::routes;
use sync_core::engine::ports::{CrmPort, ShopPort};
use thulium_client::{CustomFieldValue, CustomerInput};

fn customer(shop_id: i64, email: &str) -> CustomerInput {
    CustomerInput {
        surname: Some("Kowalska".into()),
        email: vec![email.to_owned()],
        custom_fields: [(ID_FIELD.to_owned(), CustomFieldValue::Number(shop_id))].into(),
        ..CustomerInput::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_data_is_a_permanent_error_without_the_data() {
    let sandbox = sandbox(1, 5, 5).await;
    let crm = crm_port(&sandbox, ClientTuning::default());
    let error = crm
        .create_customer(&customer(1, "ala.kowalska@@example"))
        .await
        .unwrap_err();
    assert_eq!(error.status, Some(400));
    assert!(!error.retryable);
    assert!(!error.to_string().contains("ala.kowalska"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_past_the_retries_are_retryable_with_their_status() {
    let sandbox = sandbox(1, 5, 5).await;
    let tuning = ClientTuning {
        attempts: 2,
        ..ClientTuning::default()
    };
    let shop = shop_port(&sandbox, tuning);
    let route = format!("GET {}", routes::CLIENTS);
    sandbox
        .shop()
        .faults()
        .fail_next(&route, 2, Fault::Status(503));
    let error = shop.customers_page(None, 0, 10).await.unwrap_err();
    assert_eq!((error.status, error.retryable), (Some(503), true));
    assert_eq!(sandbox.shop().counters().get("GET", routes::CLIENTS), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id_lists_over_100_are_refused_before_sending() {
    let sandbox = sandbox(1, 5, 5).await;
    let shop = shop_port(&sandbox, ClientTuning::default());
    let crm = crm_port(&sandbox, ClientTuning::default());
    let ids: Vec<u64> = (1..=101).collect();
    assert!(!shop.customers_by_ids(&ids).await.unwrap_err().retryable);
    assert!(
        !crm.find_by_field_values(ID_FIELD, &ids)
            .await
            .unwrap_err()
            .retryable
    );
    // Empty lists cost no request either.
    assert!(shop.customers_by_ids(&[]).await.unwrap().is_empty());
    assert!(
        crm.find_by_field_values(ID_FIELD, &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(sandbox.shop().counters().total(), 0);
    assert_eq!(sandbox.thulium().counters().total(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_counted_from_the_answer_and_searches_page_through() {
    let sandbox = sandbox(1, 25, 30).await;
    let shop = shop_port(&sandbox, ClientTuning::default());
    let last = shop.customers_page(None, 2, 10).await.unwrap();
    assert_eq!((last.items.len(), last.page_count, last.total), (5, 3, 25));
    assert!(!last.has_next());
    let by_ids = shop.customers_by_ids(&[3, 5, 999]).await.unwrap();
    let mut found: Vec<u64> = by_ids.iter().map(|c| c.client_id).collect();
    found.sort_unstable();
    assert_eq!(found, [3, 5]);

    let crm = crm_port(&sandbox, ClientTuning::default()).with_search_limit(2);
    let inputs: Vec<CustomerInput> = (1..=5)
        .map(|i| customer(i, &format!("k{i}@example.com")))
        .collect();
    let outcomes = crm.create_customers(&inputs).await.unwrap();
    assert_eq!(outcomes.len(), 5);
    sandbox.thulium().counters().reset();
    let found = crm
        .find_by_field_values(ID_FIELD, &[1, 2, 3, 4, 5, 6])
        .await
        .unwrap();
    assert_eq!(found.len(), 5);
    // Pages of 2: 2 + 2 + 1, the short page ends the search.
    assert_eq!(sandbox.thulium().counters().get("GET", "/api/customers"), 3);
}
