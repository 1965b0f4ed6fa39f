//! Bad input through the Thulium client's HTTP calls (its own proptest covers only the
//! customer decoder): arbitrary JSON in the shapes Thulium uses, the same cut off mid-way,
//! and arbitrary bytes (mostly not UTF-8), answered with 200 or 207 to every read and to a
//! batch write. Every call returns a typed result, never panics; a non-empty body that is
//! not JSON is always an error (for a batch: an error or every item failed); a batch answer always has one outcome per item sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Map, Value};
use thulium_client::{CustomerInput, RetryPolicy, ThuliumClient};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

/// The answer every request currently gets.
#[derive(Clone, Default)]
struct Answer(Arc<Mutex<(u16, Vec<u8>)>>);

impl Respond for Answer {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let (status, body) = self.0.lock().unwrap().clone();
        ResponseTemplate::new(status).set_body_raw(body, "application/json")
    }
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    _server: MockServer,
    client: ThuliumClient,
    answer: Answer,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let answer = Answer::default();
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            wiremock::Mock::given(wiremock::matchers::any())
                .respond_with(answer.clone())
                .mount(&server)
                .await;
            server
        });
        let client = ThuliumClient::builder(server.uri().parse().unwrap())
            .credentials("api", "secret")
            .timeout(Duration::from_secs(5))
            .retry_policy(RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            })
            .build()
            .unwrap();
        Fixture {
            runtime,
            _server: server,
            client,
            answer,
        }
    })
}

/// JSON built from the keys and shapes of Thulium's answers.
fn thulium_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(Value::String(String::new())),
        "[0-9]{0,22}".prop_map(Value::String),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}".prop_map(Value::String),
        ".{0,10}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("count"),
            Just("result"),
            Just("customer_id"),
            Just("status"),
            Just("errors"),
            Just("message"),
            Just("code"),
            Just("group_id"),
            Just("item_id"),
            Just("field_id"),
            Just("fields"),
            Just("values"),
            Just("value"),
            Just("name"),
            Just("custom_fields"),
            Just("email"),
            Just("phone_numbers"),
            Just("company_id"),
            Just("address"),
        ]
        .prop_map(str::to_owned);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..7)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A body: JSON, JSON cut off mid-way, blank, or arbitrary bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => thulium_json().prop_map(|v| v.to_string().into_bytes()),
        1 => prop::sample::select(vec!["", " ", "\n\t "]).prop_map(|s| s.as_bytes().to_vec()),
        2 => (thulium_json(), any::<prop::sample::Index>()).prop_map(|(v, cut)| {
            let text = v.to_string().into_bytes();
            let at = cut.index(text.len().max(1));
            text[..at].to_vec()
        }),
        1 => prop::collection::vec(any::<u8>(), 0..200),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_call_gives_a_typed_result_for_any_answer(
        body in body(),
        status in prop_oneof![Just(200u16), Just(207u16)],
    ) {
        let fx = fixture();
        *fx.answer.0.lock().unwrap() = (status, body.clone());
        // An empty or blank body is no answer: the list calls read it as a decode error, not
        // as an empty list. Beyond those, only bodies with content that is not JSON must fail.
        let blank = body.iter().all(u8::is_ascii_whitespace);
        let is_json = blank || serde_json::from_slice::<Value>(&body).is_ok();
        let input = CustomerInput {
            surname: Some("Nowak".into()),
            ..CustomerInput::default()
        };
        fx.runtime.block_on(async {
            let client = &fx.client;
            let search = client.customers().search().include_custom_fields().page().await;
            let get = client.customers().get(1).send().await;
            let groups = client.field_groups().list().await;
            let items = client.field_group_items().list().page().await;
            let batch = client.customers().batch_create(std::slice::from_ref(&input)).await;
            if blank {
                prop_assert!(search.is_err(), "blank search: {:?}", search);
                prop_assert!(groups.is_err(), "blank groups: {:?}", groups);
                prop_assert!(items.is_err(), "blank items: {:?}", items);
            }
            if !is_json {
                prop_assert!(search.is_err(), "search: {:?}", search);
                prop_assert!(get.is_err(), "get: {:?}", get);
                prop_assert!(groups.is_err(), "groups: {:?}", groups);
                prop_assert!(items.is_err(), "items: {:?}", items);
                // A batch answer that cannot be read may mark every item failed (to be
                // retried), but never reports a success.
                let understood = batch.as_ref().is_ok_and(|o| o.iter().any(|i| i.is_success()));
                prop_assert!(!understood, "batch: {:?}", batch);
            }
            if let Ok(outcomes) = &batch {
                prop_assert_eq!(outcomes.len(), 1, "one outcome per item sent");
            }
            if let Ok(page) = &search {
                for customer in &page.items {
                    for name in customer.custom_fields.names() {
                        let _ = customer.custom_fields.number(name);
                        let _ = customer.custom_fields.date(name);
                    }
                }
            }
            Ok(())
        })?;
    }
}
