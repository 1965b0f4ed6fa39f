//! The real `thulium-client` against the Thulium simulator: the two agree on the reference,
//! and the client's retries and error kinds meet each injected fault.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::NaiveDate;
use futures::TryStreamExt;
use sandbox::faults::Fault;
use sandbox::thulium::{CustomerRecord, RestrictedUser, ThuliumSim, ThuliumSimConfig};
use thulium_client::error::TransportKind;
use thulium_client::{
    BatchItemOutcome, CustomFieldValue, CustomerInput, Error, FieldGroupItemInput, FieldValue,
    RetryPolicy, ThuliumClient,
};

const ROUTE_ONE: &str = "/api/customers/{id}";

fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts: attempts,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(2),
    }
}

fn client_for(sim: &ThuliumSim, user: &str, password: &str, retry: RetryPolicy) -> ThuliumClient {
    ThuliumClient::builder(sim.url())
        .credentials(user, password)
        .timeout(Duration::from_millis(500))
        .retry_policy(retry)
        .build()
        .unwrap()
}

async fn start(config: ThuliumSimConfig) -> (ThuliumSim, ThuliumClient) {
    let sim = ThuliumSim::start(config).await.unwrap();
    let client = client_for(&sim, sim.user(), sim.password(), fast_retries(3));
    (sim, client)
}

fn input(surname: &str) -> CustomerInput {
    CustomerInput {
        surname: Some(surname.to_owned()),
        ..CustomerInput::default()
    }
}

#[tokio::test]
async fn create_get_update_delete_through_the_client() {
    let (sim, client) = start(ThuliumSimConfig::default()).await;
    let customers = client.customers();
    let created = CustomerInput {
        name: Some("Małgorzata".into()),
        email: vec!["m@example.pl".into(), "m+123@allegromail.pl".into()],
        phone_number: vec!["601 234 567".into()],
        custom_fields: [
            ("IAI Shop ID".to_owned(), CustomFieldValue::Number(1234)),
            (
                "IAI Shop last order date".to_owned(),
                CustomFieldValue::Date(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()),
            ),
            (
                "Allegro login".to_owned(),
                CustomFieldValue::Text("gosia_kupuje".into()),
            ),
        ]
        .into(),
        ..input("Wiśniewska")
    };
    let id = customers.create(&created).await.unwrap();
    let read = customers
        .get(id)
        .include_custom_fields()
        .include_address()
        .send()
        .await
        .unwrap();
    assert_eq!(read.customer_id, id);
    assert_eq!(read.surname.as_deref(), Some("Wiśniewska"));
    assert_eq!(read.email.as_deref(), Some("m@example.pl"));
    assert_eq!(read.phone_number.as_deref(), Some("601234567"));
    assert_eq!(read.company_id, None);
    assert_eq!(read.custom_fields.number("IAI Shop ID"), Some(1234));
    assert_eq!(
        read.custom_fields.date("IAI Shop last order date"),
        NaiveDate::from_ymd_opt(2025, 3, 1)
    );
    assert_eq!(
        read.custom_fields.text("Allegro login"),
        Some("gosia_kupuje")
    );
    assert!(read.custom_fields.is_defined("IAI Shop ID"));

    let update = CustomerInput {
        custom_fields: [("IAI Shop ID".to_owned(), CustomFieldValue::Null)].into(),
        ..input("Wiśniewska-Nowak")
    };
    customers.update(id, &update).await.unwrap();
    let stored = sim.customer(id).unwrap();
    assert_eq!(stored.surname.as_deref(), Some("Wiśniewska-Nowak"));
    assert!(!stored.custom_fields.contains_key("IAI Shop ID"));
    assert_eq!(stored.emails.len(), 2);

    customers.delete(id).await.unwrap();
    assert!(matches!(
        customers.get(id).send().await,
        Err(Error::Gone(_))
    ));
    assert!(matches!(
        customers.get(id + 100).send().await,
        Err(Error::NotFound(_))
    ));
}

#[tokio::test]
async fn search_with_polish_alternatives_and_streamed_paging() {
    let cities = ["Kraków", "Łódź", "Gdańsk", "Poznań"];
    let mut config = ThuliumSimConfig::default();
    config
        .custom_fields
        .push(sandbox::thulium::CustomFieldDef::new(
            "Miasto",
            sandbox::thulium::CustomFieldKind::Text,
        ));
    config.initial_customers = (0..250u64)
        .map(|i| CustomerRecord {
            surname: Some(format!("Klient {i}")),
            custom_fields: [(
                "Miasto".to_owned(),
                serde_json::json!(cities[(i % 4) as usize]),
            )]
            .into(),
            ..CustomerRecord::default()
        })
        .collect();
    let (sim, client) = start(config).await;

    let page = client
        .customers()
        .search()
        .custom_field_any("Miasto", ["Kraków", "Łódź"])
        .include_custom_fields()
        .page_size(1000)
        .page()
        .await
        .unwrap();
    assert_eq!(
        page.count,
        Some(126),
        "i % 4 is 0 or 1 for 126 of i in 0..250"
    );
    assert_eq!(page.items.len(), 126);
    assert!(
        page.items
            .iter()
            .all(|c| matches!(c.custom_fields.text("Miasto"), Some("Kraków" | "Łódź")))
    );

    let before = sim.counters().get("GET", "/api/customers");
    let all: Vec<_> = client
        .customers()
        .search()
        .page_size(100)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 250);
    let mut ids: Vec<u64> = all.iter().map(|c| c.customer_id).collect();
    ids.dedup();
    assert_eq!(ids, (1..=250).collect::<Vec<_>>());
    assert_eq!(
        sim.counters().get("GET", "/api/customers") - before,
        3,
        "three pages of 100"
    );

    // (limit > 1000 is a 400 on the wire, see thulium_wire.rs; the client clamps it itself.)
}

#[tokio::test]
async fn validation_error_carries_request_id_and_every_message() {
    let (sim, client) = start(ThuliumSimConfig::default()).await;
    let bad = CustomerInput {
        name: Some("Bez nazwiska".into()),
        custom_fields: [(
            "Nie ma takiego".to_owned(),
            CustomFieldValue::Text("x".into()),
        )]
        .into(),
        ..CustomerInput::default()
    };
    let error = client.customers().create(&bad).await.unwrap_err();
    let Error::BadRequest(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.request_id.as_deref().map(str::len), Some(13));
    assert_eq!(api.errors.len(), 2);
    assert_eq!(error.request_id(), api.request_id.as_deref());
    assert_eq!(sim.customer_count(), 0);
    assert_eq!(
        sim.counters().get("POST", "/api/customers"),
        1,
        "a 400 is not retried"
    );
}

#[tokio::test]
async fn auth_errors_map_to_unauthorized_and_forbidden() {
    let config = ThuliumSimConfig {
        restricted_user: Some(RestrictedUser {
            user: "tylko_odczyt".into(),
            password: "haslo".into(),
            allowed_methods: vec!["GET".into()],
        }),
        ..ThuliumSimConfig::default()
    };
    let (sim, _) = start(config).await;
    let wrong = client_for(&sim, sim.user(), "złe hasło", fast_retries(3));
    assert!(matches!(
        wrong.customers().search().page().await,
        Err(Error::Unauthorized(_))
    ));
    let reader = client_for(&sim, "tylko_odczyt", "haslo", fast_retries(3));
    assert_eq!(
        reader.customers().search().page().await.unwrap().count,
        Some(0)
    );
    assert!(matches!(
        reader.customers().create(&input("X")).await,
        Err(Error::Forbidden(_))
    ));
    assert_eq!(sim.counters().total(), 3, "auth errors are not retried");
}

#[tokio::test]
async fn batch_create_reports_the_failing_item() {
    let (sim, client) = start(ThuliumSimConfig::default()).await;
    let inputs = [input("Pierwszy"), CustomerInput::default(), input("Trzeci")];
    let outcomes = client.customers().batch_create(&inputs).await.unwrap();
    assert_eq!(outcomes.len(), 3);
    let BatchItemOutcome::Created { customer_id: first } = outcomes[0] else {
        panic!("{outcomes:?}")
    };
    assert!(
        matches!(&outcomes[1], BatchItemOutcome::Failed { status: Some(400), errors, .. } if !errors.is_empty())
    );
    assert!(matches!(outcomes[2], BatchItemOutcome::Created { .. }));
    assert_eq!(
        sim.customer(first).unwrap().surname.as_deref(),
        Some("Pierwszy")
    );
    assert_eq!(sim.customer_count(), 2);

    let updates = client
        .customers()
        .batch_update(&[(first, input("Pierwszy-Zmieniony")), (9999, input("Nikt"))])
        .await
        .unwrap();
    assert_eq!(updates[0], BatchItemOutcome::Updated);
    assert!(matches!(
        updates[1],
        BatchItemOutcome::Failed {
            status: Some(404),
            ..
        }
    ));
}

#[tokio::test]
async fn field_group_items_through_the_client() {
    let (sim, client) = start(ThuliumSimConfig::default()).await;
    let customer = client
        .customers()
        .create(&input("Zamawiający"))
        .await
        .unwrap();
    let groups = client.field_groups().list().await.unwrap();
    let orders = groups.iter().find(|g| g.name == "Orders").unwrap();
    let number = orders
        .fields
        .iter()
        .find(|f| f.name == "Number")
        .unwrap()
        .field_id;
    let amount = orders
        .fields
        .iter()
        .find(|f| f.name == "Amount")
        .unwrap()
        .field_id;
    let items = client.field_group_items();
    let item_id = items
        .create(&FieldGroupItemInput {
            group_id: orders.group_id,
            customer_id: customer,
            values: vec![
                FieldValue::text(number, "ZAM/2025/1"),
                FieldValue::text(amount, "199,99 PLN"),
            ],
        })
        .await
        .unwrap();
    items
        .update(item_id, &[FieldValue::text(number, "ZAM/2025/1-K")])
        .await
        .unwrap();
    let listed: Vec<_> = items
        .list()
        .customer_id(customer)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].item_id, item_id);
    assert_eq!(
        listed[0].values,
        vec![FieldValue::text(number, "ZAM/2025/1-K")]
    );
    assert_eq!(sim.customer(customer).unwrap().field_group_items.len(), 1);
    items.delete(item_id).await.unwrap();
    assert!(sim.customer(customer).unwrap().field_group_items.is_empty());
}

#[tokio::test]
async fn client_retries_through_5xx_and_429() {
    let (sim, client) = start(ThuliumSimConfig::default()).await;
    let id = client
        .customers()
        .create(&input("Cierpliwy"))
        .await
        .unwrap();
    sim.faults().fail_next(ROUTE_ONE, 1, Fault::Status(500));
    sim.faults().fail_next(
        ROUTE_ONE,
        1,
        Fault::RateLimited {
            retry_after_secs: 1,
        },
    );
    let started = std::time::Instant::now();
    let read = client.customers().get(id).send().await.unwrap();
    assert_eq!(read.customer_id, id);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(sim.counters().get("GET", ROUTE_ONE), 3);

    sim.faults().fail_next(ROUTE_ONE, 5, Fault::Status(503));
    let error = client.customers().get(id).send().await.unwrap_err();
    assert!(
        matches!(&error, Error::Server(api) if api.status == 503),
        "{error:?}"
    );
    assert_eq!(
        sim.counters().get("GET", ROUTE_ONE),
        6,
        "3 attempts, then the error"
    );
    sim.faults().clear();
}

#[tokio::test]
async fn hang_drop_and_malformed_body_surface_as_typed_errors() {
    let (sim, _) = start(ThuliumSimConfig::default()).await;
    let client = client_for(&sim, sim.user(), sim.password(), RetryPolicy::none());
    let id = client.customers().create(&input("Pechowy")).await.unwrap();

    sim.faults()
        .fail_next(ROUTE_ONE, 1, Fault::Hang(Duration::from_secs(10)));
    let hung = client.customers().get(id).send().await.unwrap_err();
    assert!(
        matches!(
            hung,
            Error::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        ),
        "{hung:?}"
    );

    sim.faults().fail_next(ROUTE_ONE, 1, Fault::Drop);
    let dropped = client.customers().get(id).send().await.unwrap_err();
    assert!(
        matches!(
            dropped,
            Error::Transport {
                kind: TransportKind::Body | TransportKind::Request,
                ..
            }
        ),
        "{dropped:?}"
    );

    sim.faults().fail_next(ROUTE_ONE, 1, Fault::MalformedJson);
    let malformed = client.customers().get(id).send().await.unwrap_err();
    assert!(
        matches!(malformed, Error::Decode { status: 200, .. }),
        "{malformed:?}"
    );

    assert_eq!(
        client.customers().get(id).send().await.unwrap().customer_id,
        id
    );
    assert_eq!(sim.counters().get("GET", ROUTE_ONE), 4);
}
