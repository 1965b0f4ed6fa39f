//! Property: decoding arbitrary JSON into the read models never panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use serde_json::{Map, Value};
use thulium_client::{Customer, Page};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[0-9]{0,20}".prop_map(Value::String),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("customer_id".to_owned()),
            Just("company_id".to_owned()),
            Just("phone_numbers".to_owned()),
            Just("custom_fields".to_owned()),
            Just("address".to_owned()),
            Just("result".to_owned()),
            Just("count".to_owned()),
            "[a-z_]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #[test]
    fn customer_decoding_never_panics(value in arb_json()) {
        let text = value.to_string();
        if let Ok(customer) = serde_json::from_str::<Customer>(&text) {
            // Typed accessors must not panic either.
            for name in customer.custom_fields.names() {
                let _ = (customer.custom_fields.number(name), customer.custom_fields.date(name), customer.custom_fields.text(name));
            }
        }
        let _ = Page::<Customer>::from_value(value);
    }
}
