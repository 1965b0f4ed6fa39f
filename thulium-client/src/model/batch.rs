//! Per-item outcomes of `batch/customers` (HTTP 207 "one status per object").
//!
//! The shape of a 207 body is **not documented**. Assumptions, all tolerated at once:
//! - the per-item list is the body itself (an array) or sits under `result`, `results`,
//!   `customers` or `items`;
//! - item `i` answers request item `i` (positional);
//! - an item is an object with an HTTP-like status under `status`, `status_code`,
//!   `http_code` or `code` (only values 100–599 count as a status), and either a
//!   `customer_id` or an `errors` array / `error` / `message`; these may also be nested under
//!   `body`, `data` or `result`.
//!
//! Anything else — a missing item, a scalar, a 2xx create without a usable `customer_id` —
//! becomes [`BatchItemOutcome::Failed`] carrying the raw JSON, so nothing is reported as
//! done that cannot be proven done.

use serde_json::{Map, Value};

use super::error_detail::{ErrorDetail, error_details};
use super::lenient::u64_of;

/// Which batch call produced the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOperation {
    /// `POST batch/customers`.
    Create,
    /// `PUT batch/customers`.
    Update,
}

/// What happened to one item of a batch request.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchItemOutcome {
    /// The customer was created with this id.
    Created {
        /// The new customer's id.
        customer_id: u64,
    },
    /// The customer was updated.
    Updated,
    /// The item failed, or its answer could not be understood.
    ///
    /// For a create with a 2xx `status` but no id the customer may exist: search for it by
    /// your external id before creating it again.
    Failed {
        /// The item's status, when one could be found.
        status: Option<u16>,
        /// The item's errors, when given.
        errors: Vec<ErrorDetail>,
        /// The item's raw answer (`null` when the answer had no item at this position).
        raw: Value,
    },
}

impl BatchItemOutcome {
    /// True for `Created` and `Updated`.
    pub fn is_success(&self) -> bool {
        !matches!(self, Self::Failed { .. })
    }
}

/// Turns a batch answer into exactly `expected` outcomes, in request order.
pub fn parse_batch_outcomes(
    body: &Value,
    expected: usize,
    operation: BatchOperation,
) -> Vec<BatchItemOutcome> {
    let items = item_list(body);
    (0..expected)
        .map(|index| match items.and_then(|list| list.get(index)) {
            Some(item) => outcome_of(item, operation),
            None => BatchItemOutcome::Failed {
                status: None,
                errors: Vec::new(),
                raw: Value::Null,
            },
        })
        .collect()
}

fn item_list(body: &Value) -> Option<&Vec<Value>> {
    match body {
        Value::Array(items) => Some(items),
        Value::Object(map) => ["result", "results", "customers", "items"]
            .iter()
            .find_map(|key| map.get(*key).and_then(Value::as_array)),
        _ => None,
    }
}

fn outcome_of(item: &Value, operation: BatchOperation) -> BatchItemOutcome {
    let failed = |status, errors| BatchItemOutcome::Failed {
        status,
        errors,
        raw: item.clone(),
    };
    let Value::Object(map) = item else {
        return failed(None, Vec::new());
    };
    let status = status_of(map);
    let errors = errors_of(map);
    let success_status = status.is_none_or(|s| (200..300).contains(&s));
    if !success_status || !errors.is_empty() {
        return failed(status, errors);
    }
    match (operation, customer_id_of(map)) {
        (BatchOperation::Create, Some(customer_id)) => BatchItemOutcome::Created { customer_id },
        (BatchOperation::Update, _) if status.is_some() => BatchItemOutcome::Updated,
        (BatchOperation::Update, Some(_)) => BatchItemOutcome::Updated,
        _ => failed(status, errors),
    }
}

/// The item object itself, then its nested `body`/`data`/`result` objects.
fn layers(map: &Map<String, Value>) -> impl Iterator<Item = &Map<String, Value>> {
    std::iter::once(map).chain(
        ["body", "data", "result"]
            .into_iter()
            .filter_map(|key| map.get(key).and_then(Value::as_object)),
    )
}

fn status_of(map: &Map<String, Value>) -> Option<u16> {
    ["status", "status_code", "http_code", "code"]
        .iter()
        .filter_map(|key| map.get(*key).and_then(u64_of))
        .find(|code| (100..600).contains(code))
        .and_then(|code| u16::try_from(code).ok())
}

fn customer_id_of(map: &Map<String, Value>) -> Option<u64> {
    layers(map).find_map(|layer| layer.get("customer_id").and_then(u64_of))
}

fn errors_of(map: &Map<String, Value>) -> Vec<ErrorDetail> {
    layers(map)
        .find_map(|layer| {
            ["errors", "error"]
                .iter()
                .find_map(|key| layer.get(*key))
                .map(|v| error_details(Some(v)))
                .filter(|e| !e.is_empty())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mixed_answer_is_positional() {
        let body = json!([{"status": 201, "customer_id": "9"},
            {"status": 400, "errors": [{"message": "Wrong format of phone number.", "code": 111111}]},
            "garbage"]);
        let out = parse_batch_outcomes(&body, 4, BatchOperation::Create);
        assert_eq!(out[0], BatchItemOutcome::Created { customer_id: 9 });
        assert!(
            matches!(&out[1], BatchItemOutcome::Failed { status: Some(400), errors, .. }
            if errors[0].code == Some(111111))
        );
        assert!(
            matches!(&out[2], BatchItemOutcome::Failed { raw, .. } if raw == &json!("garbage"))
        );
        assert!(matches!(
            &out[3],
            BatchItemOutcome::Failed {
                raw: Value::Null,
                status: None,
                ..
            }
        ));
    }

    #[test]
    fn created_without_id_is_not_success() {
        let out = parse_batch_outcomes(
            &json!({"customers": [{"status": 201}]}),
            1,
            BatchOperation::Create,
        );
        assert!(matches!(
            &out[0],
            BatchItemOutcome::Failed {
                status: Some(201),
                ..
            }
        ));
    }

    #[test]
    fn nested_update_status_is_understood() {
        let out = parse_batch_outcomes(
            &json!({"result": [{"code": 204}, {"status": "404", "body": {"errors": ["nope"]}}]}),
            2,
            BatchOperation::Update,
        );
        assert_eq!(out[0], BatchItemOutcome::Updated);
        assert!(
            matches!(&out[1], BatchItemOutcome::Failed { status: Some(404), errors, .. } if errors[0].message == "nope")
        );
    }
}
