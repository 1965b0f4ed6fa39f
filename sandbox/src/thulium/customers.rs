//! `customers` and `customers/:id` handlers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::ApiError;
use super::input::{Mode, parse_customer};
use super::quirks::ListShape;
use super::render::render_customer;
use super::search::{CustomerQuery, Include, query_pairs};
use super::state::{AppState, json_body, missing_error, now, path_id};
use super::store::Store;

pub(crate) async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = CustomerQuery::parse(raw.as_deref(), &state.schema, state.quirks())?;
    let (count, result) = if query.is_tenant_read() && state.agents().mid_read_active() {
        // Agents may change the tenant between the pages of a tenant read; the change and
        // the page are one step under the write lock.
        let mut store = state.write();
        state
            .agents()
            .on_tenant_read(&mut store, query.offset, &now());
        page_of(&store, &state, &query)
    } else {
        page_of(&state.read(), &state, &query)
    };
    let body = match query.quirks.list_shape {
        ListShape::CountAndResult => json!({"count": count, "result": result}),
        ListShape::ResultOnly => json!({"result": result}),
        ListShape::BareArray => Value::Array(result),
    };
    Ok(Json(body).into_response())
}

/// The total of matches and the rendered page of `query`.
fn page_of(store: &Store, state: &AppState, query: &CustomerQuery) -> (usize, Vec<Value>) {
    let (count, page) = store.search(query);
    let result = page
        .into_iter()
        .map(|record| render_customer(record, &state.schema, query.include))
        .collect();
    (count, result)
}

pub(crate) async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "Customer")?;
    let include = Include::from_pairs(&query_pairs(raw.as_deref()));
    let store = state.read();
    let record = store.get(id).map_err(missing_error)?;
    Ok(Json(render_customer(record, &state.schema, include)).into_response())
}

pub(crate) async fn create(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = parse_customer(
        &json_body(&body)?,
        &state.schema,
        Mode::Create,
        state.quirks().phones_as_typed,
    )
    .map_err(ApiError::validation)?;
    let id = state.write().create(patch, now());
    Ok((StatusCode::CREATED, Json(json!({"customer_id": id}))).into_response())
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "Customer")?;
    let patch = parse_customer(
        &json_body(&body)?,
        &state.schema,
        Mode::Update,
        state.quirks().phones_as_typed,
    )
    .map_err(ApiError::validation)?;
    state
        .write()
        .update(id, patch, now())
        .map_err(missing_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "Customer")?;
    state.write().delete(id).map_err(missing_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
