//! Error answers of the simulated API.
//!
//! Where the reference leaves the exact shape open, the sandbox chooses (and documents):
//! - unknown or missing `X-API-KEY` → **401** `{"errors":{"faultCode":1,"faultString":...}}`
//!   (faultCode 1 is the documented "login failure"), message also in an `x-error` header;
//! - a key without the module scope → **403** `{"errors":[{"message":"... Scope: crm, level: r"}]}`
//!   (the array form the reference mentions) and the same `x-error` header;
//! - an invalid parameter (bad date, a `resultsLimit` outside 1..100, too many ids, an
//!   unknown sort key) → **422** `{"errors":{"faultCode":3,"faultString":...}}`;
//! - a body that is not JSON → **400**, same shape; an unknown API version → **404**.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A refused request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiError {
    NotFound(String),
    Unauthorized,
    Forbidden {
        scope: &'static str,
        level: &'static str,
    },
    Invalid(String),
    BadBody(String),
}

/// IdoSell's error object `{"faultCode": code, "faultString": message}`; code 0 means no
/// error and 2 an empty result.
pub(crate) fn fault(code: u16, message: &str) -> Value {
    json!({"faultCode": code, "faultString": message})
}

impl ApiError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body, header) = match self {
            Self::NotFound(path) => (
                StatusCode::NOT_FOUND,
                json!({"errors": fault(404, &format!("Not found: {path}"))}),
                None,
            ),
            Self::Unauthorized => {
                let message = "Login failure: invalid or missing X-API-KEY";
                (
                    StatusCode::UNAUTHORIZED,
                    json!({"errors": fault(1, message)}),
                    Some(message.to_owned()),
                )
            }
            Self::Forbidden { scope, level } => {
                let message = format!(
                    "Access denied: the API key lacks the required permission. Scope: {scope}, level: {level}"
                );
                (
                    StatusCode::FORBIDDEN,
                    json!({"errors": [{"message": message}]}),
                    Some(message),
                )
            }
            Self::Invalid(message) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"errors": fault(3, &message)}),
                None,
            ),
            Self::BadBody(message) => (
                StatusCode::BAD_REQUEST,
                json!({"errors": fault(3, &message)}),
                None,
            ),
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(value) = header.and_then(|m| HeaderValue::from_str(&m).ok()) {
            response.headers_mut().insert("x-error", value);
        }
        response
    }
}
