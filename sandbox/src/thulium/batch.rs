//! `batch/customers`: create, update or delete many customers in one request.
//!
//! Thulium documents only "207 — one status per object". The simulator answers 207 with a
//! bare JSON array, one entry per request item **in request order**:
//! `{"status": 201, "customer_id": N}` (created), `{"status": 204, "customer_id": N}`
//! (updated or deleted), `{"status": 400, "errors": [...]}` (invalid item, nothing stored),
//! `{"status": 404 | 410, "customer_id": N, "errors": [...]}` (unknown or deleted customer).
//! A body that is not `{"customers": [...]}` with 1 to 1000 items is a plain 400.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::{ApiError, ErrorItem, code};
use super::input::{Mode, parse_customer};
use super::search::MAX_LIMIT;
use super::state::{AppState, json_body, missing_error, now};
use super::store::Store;

pub(crate) async fn create(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let phones_as_typed = state.quirks().phones_as_typed;
    each_item(&state, &body, |store, item| {
        match parse_customer(item, &state.schema, Mode::Create, phones_as_typed) {
            Ok(patch) => json!({"status": 201, "customer_id": store.create(patch, now())}),
            Err(errors) => item_error(StatusCode::BAD_REQUEST, None, errors),
        }
    })
}

pub(crate) async fn update(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let phones_as_typed = state.quirks().phones_as_typed;
    each_item(&state, &body, |store, item| {
        let Some(id) = item_customer_id(item) else {
            return missing_id_error();
        };
        match parse_customer(item, &state.schema, Mode::Update, phones_as_typed) {
            Ok(patch) => outcome(id, store.update(id, patch, now()).map_err(missing_error)),
            Err(errors) => item_error(StatusCode::BAD_REQUEST, Some(id), errors),
        }
    })
}

/// Items are ids or `{"customer_id": N}` objects.
pub(crate) async fn delete(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    each_item(&state, &body, |store, item| {
        let id = item.as_u64().or_else(|| item_customer_id(item));
        match id {
            Some(id) => outcome(id, store.delete(id).map_err(missing_error)),
            None => missing_id_error(),
        }
    })
}

/// Answers 207 with `answer_item`'s entry for every item of the batch, in request order,
/// all under one write lock.
fn each_item(
    state: &AppState,
    body: &Bytes,
    mut answer_item: impl FnMut(&mut Store, &Value) -> Value,
) -> Result<Response, ApiError> {
    let items = batch_items(body)?;
    let mut store = state.write();
    let results = items
        .iter()
        .map(|item| answer_item(&mut store, item))
        .collect();
    Ok(multi_status(results))
}

fn batch_items(body: &Bytes) -> Result<Vec<Value>, ApiError> {
    let body = json_body(body)?;
    let items = match body.get("customers") {
        Some(Value::Array(items)) => items.clone(),
        _ => {
            return Err(ApiError::bad_request(
                code::INVALID_BODY,
                "The request body must be {\"customers\": [...]}.",
            ));
        }
    };
    if items.is_empty() || items.len() > MAX_LIMIT {
        return Err(ApiError::bad_request(
            code::BAD_PARAMETER,
            format!("A batch must hold 1 to {MAX_LIMIT} customers."),
        ));
    }
    Ok(items)
}

fn item_customer_id(item: &Value) -> Option<u64> {
    match item.get("customer_id")? {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn outcome(id: u64, result: Result<(), ApiError>) -> Value {
    match result {
        Ok(()) => json!({"status": 204, "customer_id": id}),
        Err(error) => item_error(error.status, Some(id), error.errors),
    }
}

fn missing_id_error() -> Value {
    item_error(
        StatusCode::BAD_REQUEST,
        None,
        vec![ErrorItem::new(
            code::REQUIRED,
            "Field customer_id is required.",
        )],
    )
}

fn item_error(status: StatusCode, id: Option<u64>, errors: Vec<ErrorItem>) -> Value {
    let mut entry = json!({"status": status.as_u16(), "errors": errors});
    if let Some(id) = id {
        entry["customer_id"] = json!(id);
    }
    entry
}

fn multi_status(results: Vec<Value>) -> Response {
    (StatusCode::MULTI_STATUS, Json(Value::Array(results))).into_response()
}
