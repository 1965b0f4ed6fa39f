//! The HTTP side: routes, the `?format=json` switch and the error pages.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Json, Response};
use axum::routing::get;
use sync_core::card::{CustomerCard, escape};

use super::error::CardError;
use super::fetch::{card_for_shop_customer, card_for_thulium_customer};
use super::state::CardState;

/// The card pages: `GET /card/shop/{client_id}` and `GET /card/{thulium_customer_id}`,
/// HTML by default, JSON with `?format=json`.
pub fn card_router(state: CardState) -> Router {
    Router::new()
        .route("/card/shop/{client_id}", get(shop_card))
        .route("/card/{customer_id}", get(thulium_card))
        .fallback(unknown_page)
        .with_state(state)
}

/// How the answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Html,
    Json,
}

impl Format {
    /// `?format=json` asks for JSON; anything else (or nothing) gets HTML.
    fn from_query(query: &HashMap<String, String>) -> Self {
        match query.get("format") {
            Some(format) if format.eq_ignore_ascii_case("json") => Self::Json,
            _ => Self::Html,
        }
    }
}

async fn shop_card(
    State(state): State<CardState>,
    Path(raw_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let card = match parse_id(&raw_id) {
        Ok(client_id) => card_for_shop_customer(&state, client_id).await,
        Err(error) => Err(error),
    };
    respond(card, Format::from_query(&query))
}

async fn thulium_card(
    State(state): State<CardState>,
    Path(raw_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let card = match parse_id(&raw_id) {
        Ok(customer_id) => card_for_thulium_customer(&state, customer_id).await,
        Err(error) => Err(error),
    };
    respond(card, Format::from_query(&query))
}

async fn unknown_page() -> Response {
    let page = error_page(
        "Page not found",
        "Cards are at /card/{thulium_customer_id} and /card/shop/{shop_client_id}.",
    );
    (StatusCode::NOT_FOUND, Html(page)).into_response()
}

fn parse_id(raw: &str) -> Result<u64, CardError> {
    raw.parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| CardError::InvalidId(raw.chars().take(40).collect()))
}

fn respond(card: Result<CustomerCard, CardError>, format: Format) -> Response {
    let mut response = match card {
        Ok(card) => match format {
            Format::Html => Html(card.to_html()).into_response(),
            Format::Json => Json(card.to_json()).into_response(),
        },
        Err(error) => error_response(&error, format),
    };
    // The page holds personal data: no browser or proxy should keep a copy.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn error_response(error: &CardError, format: Format) -> Response {
    let status = error.status();
    if status.is_server_error() {
        tracing::warn!(%error, "customer card failed");
    } else {
        tracing::debug!(%error, "customer card not shown");
    }
    let body = match format {
        Format::Json => Json(serde_json::json!({
            "error": error.title(),
            "message": error.to_string(),
            "status": status.as_u16(),
        }))
        .into_response(),
        Format::Html => Html(error_page(error.title(), &error.to_string())).into_response(),
    };
    (status, body).into_response()
}

/// A small self-contained page: a headline and one sentence.
fn error_page(title: &str, message: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;background:#f5f6f8;color:#222;margin:0}}\
         main{{max-width:640px;margin:2rem auto;background:#fff;padding:1rem 1.5rem;border-radius:8px;\
         box-shadow:0 1px 3px rgba(0,0,0,.12)}}h1{{font-size:1.3rem}}</style></head>\
         <body><main class=\"error\"><h1>{title}</h1><p>{message}</p></main></body></html>\n",
        title = escape(title),
        message = escape(message),
    )
}
