//! `customer_field_groups` and `customer_field_group_items`.
//!
//! The group list is answered as a bare JSON array (the reference says one Thulium list does
//! that); the item list as `{"count": N, "result": [...]}`. `PUT` replaces an item's values.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::{ApiError, ErrorItem, code};
use super::record::FieldGroupItemRecord;
use super::schema::Schema;
use super::search::{paging, query_pairs};
use super::state::{AppState, json_body, path_id};

pub(crate) async fn list_groups(State(state): State<AppState>) -> Response {
    let groups: Vec<Value> = state
        .schema
        .groups
        .iter()
        .map(|group| {
            let fields: Vec<Value> = group
                .fields
                .iter()
                .map(|(field_id, name)| json!({"field_id": field_id, "name": name}))
                .collect();
            json!({"group_id": group.group_id, "name": group.name, "fields": fields})
        })
        .collect();
    Json(groups).into_response()
}

pub(crate) async fn list_items(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(raw.as_deref());
    let (limit, offset) = paging(&pairs)?;
    let group_id = id_parameter(&pairs, "group_id")?;
    let customer_id = id_parameter(&pairs, "customer_id")?;
    let store = state.read();
    let matching: Vec<&FieldGroupItemRecord> = store
        .items()
        .filter(|item| group_id.is_none_or(|id| item.group_id == id))
        .filter(|item| customer_id.is_none_or(|id| item.customer_id == id))
        .collect();
    let result: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|item| render_item(item))
        .collect();
    Ok(Json(json!({"count": matching.len(), "result": result})).into_response())
}

pub(crate) async fn create_item(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = json_body(&body)?;
    let group_id = required_id(&body, "group_id")?;
    let customer_id = required_id(&body, "customer_id")?;
    if state.schema.group(group_id).is_none() {
        return Err(ApiError::bad_request(
            code::BAD_VALUE,
            format!("Group {group_id} does not exist."),
        ));
    }
    let values = parse_values(&body, &state.schema, group_id)?;
    let mut store = state.write();
    if store.get(customer_id).is_err() {
        return Err(ApiError::bad_request(
            code::BAD_VALUE,
            format!("Customer {customer_id} does not exist."),
        ));
    }
    let item_id = store.add_item(group_id, customer_id, values);
    Ok((StatusCode::CREATED, Json(json!({"item_id": item_id}))).into_response())
}

pub(crate) async fn update_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let item_id = path_id(&id, "Item")?;
    let body = json_body(&body)?;
    let mut store = state.write();
    let item = store
        .item_mut(item_id)
        .ok_or_else(|| ApiError::not_found("Item"))?;
    item.values = parse_values(&body, &state.schema, item.group_id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn delete_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let item_id = path_id(&id, "Item")?;
    if state.write().remove_item(item_id) {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found("Item"))
    }
}

fn render_item(item: &FieldGroupItemRecord) -> Value {
    let values: Vec<Value> = item
        .values
        .iter()
        .map(|(field_id, value)| json!({"field_id": field_id, "value": value}))
        .collect();
    json!({"item_id": item.item_id, "group_id": item.group_id, "customer_id": item.customer_id, "values": values})
}

fn id_parameter(pairs: &[(String, String)], name: &str) -> Result<Option<u64>, ApiError> {
    match pairs.iter().rev().find(|(key, _)| key == name) {
        None => Ok(None),
        Some((_, value)) if value.trim().is_empty() => Ok(None),
        Some((_, value)) => value.trim().parse().map(Some).map_err(|_| {
            ApiError::bad_request(
                code::BAD_PARAMETER,
                format!("Parameter {name} must be a number."),
            )
        }),
    }
}

fn required_id(body: &Value, name: &str) -> Result<u64, ApiError> {
    let id = match body.get(name) {
        Some(Value::Number(number)) => number.as_u64(),
        Some(Value::String(text)) => text.trim().parse().ok(),
        _ => None,
    };
    id.ok_or_else(|| {
        ApiError::bad_request(
            code::REQUIRED,
            format!("Field {name} is required and must be a number."),
        )
    })
}

/// `{"values": [{"field_id": N, "value": ...}]}`, every field id belonging to the group.
fn parse_values(
    body: &Value,
    schema: &Schema,
    group_id: u64,
) -> Result<BTreeMap<u64, Value>, ApiError> {
    let Some(Value::Array(entries)) = body.get("values") else {
        return Err(ApiError::bad_request(
            code::REQUIRED,
            "Field values must be a list.",
        ));
    };
    let fields = schema.group_field_ids(group_id);
    let mut values = BTreeMap::new();
    let mut errors = Vec::new();
    for entry in entries {
        let field_id = entry.get("field_id").and_then(Value::as_u64);
        match field_id {
            Some(field_id) if fields.contains_key(&field_id) => {
                values.insert(field_id, entry.get("value").cloned().unwrap_or(Value::Null));
            }
            _ => errors.push(ErrorItem::new(
                code::BAD_VALUE,
                format!(
                    "Field {} does not belong to group {group_id}.",
                    entry.get("field_id").unwrap_or(&Value::Null)
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(ApiError::validation(errors))
    }
}
