//! The HTTP answers of the agent routes: the card in HTML or JSON (`?format=json`), the
//! caller answer, and the small error pages.

use std::collections::HashMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Json, Response};
use sync_core::caller::CallerAnswer;
use sync_core::card::{CustomerCard, escape};

use super::error::CardError;

/// How the answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Html,
    Json,
}

impl Format {
    /// `?format=json` asks for JSON; anything else (or nothing) gets HTML.
    pub(super) fn from_query(query: &HashMap<String, String>) -> Self {
        match query.get("format") {
            Some(format) if format.eq_ignore_ascii_case("json") => Self::Json,
            _ => Self::Html,
        }
    }
}

/// The one 404 for a wrong token and an unknown caller: an empty 404, the same as axum's
/// own for a path no route has, so that nothing tells a guesser which part was wrong.
pub(super) fn not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

/// 429 for an address that sent too many wrong tokens.
pub(super) fn too_many_failures() -> Response {
    let page = error_page(
        "Too many failed attempts",
        "Too many requests from this address went to pages that do not exist. Try again later.",
    );
    (StatusCode::TOO_MANY_REQUESTS, Html(page)).into_response()
}

/// The external-CRM answer: UTF-8 JSON with the charset named, as Thulium's documentation
/// asks for.
pub(super) fn caller_answer(answer: &CallerAnswer) -> Response {
    match serde_json::to_vec(answer) {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub(super) fn parse_id(raw: &str) -> Result<u64, CardError> {
    raw.parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| CardError::InvalidId(raw.chars().take(40).collect()))
}

/// The card as HTML or JSON, or its error page. (The security headers are added for every
/// answer by the agent router.)
pub(super) fn respond(card: Result<CustomerCard, CardError>, format: Format) -> Response {
    match card {
        Ok(card) => match format {
            Format::Html => Html(card.to_html()).into_response(),
            Format::Json => Json(card.to_json()).into_response(),
        },
        Err(error) => error_response(&error, format),
    }
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
