//! Batch writes (`POST`/`PUT clients/clients`, `PUT`/`POST orders/orders`): every item of the
//! request gets its own result with `faultCode`/`faultString`; the answer is 200 when every
//! item succeeded and 207 otherwise.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::error::ApiError;
use super::params::as_list;
use super::state::AppState;
use super::store::{ShopData, StoreError};

/// Applies `write_item` to every item listed under `params.{items_key}`, under one write lock,
/// and answers `{"results": {results_key: [...]}}`. An empty or missing list is invalid.
pub(crate) fn write_each(
    state: &AppState,
    params: &Value,
    items_key: &str,
    results_key: &str,
    mut write_item: impl FnMut(&mut ShopData, &Value) -> (bool, Value),
) -> Result<Response, ApiError> {
    let items = required_items(params, items_key)?;
    let results = {
        let mut data = state.write();
        items
            .into_iter()
            .map(|item| write_item(&mut data, item))
            .collect()
    };
    Ok(answer(state, results_key, results))
}

/// A per-item result of a batch write: `ids` with the fault fields added, and whether the
/// item succeeded.
pub(crate) fn item_result(mut ids: Value, outcome: Result<(), StoreError>) -> (bool, Value) {
    let (code, message) = match &outcome {
        Ok(()) => (0, String::new()),
        Err(e @ (StoreError::UnknownClient(_) | StoreError::UnknownOrder(_))) => (2, e.to_string()),
        Err(e) => (3, e.to_string()),
    };
    ids["faultCode"] = json!(code);
    ids["faultString"] = json!(message);
    (outcome.is_ok(), ids)
}

fn required_items<'a>(params: &'a Value, key: &str) -> Result<Vec<&'a Value>, ApiError> {
    let items = as_list(params.get(key));
    if items.is_empty() {
        return Err(ApiError::invalid(format!(
            "params.{key} must list at least one item"
        )));
    }
    Ok(items)
}

/// 200 when every item succeeded, 207 otherwise.
fn answer(state: &AppState, key: &str, results: Vec<(bool, Value)>) -> Response {
    let status = if results.iter().all(|(ok, _)| *ok) {
        StatusCode::OK
    } else {
        StatusCode::MULTI_STATUS
    };
    let items: Vec<Value> = results.into_iter().map(|(_, item)| item).collect();
    state.reply(status, json!({"results": {key: items}}))
}
