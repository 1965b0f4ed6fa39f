//! Thulium-shaped error responses: `{"request_id": "...", "errors": [{"message", "code"}]}`.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

/// Error codes. Thulium documents the shape but not the numbers (except 111111 for a phone
/// format error, in its example), so these are the simulator's own.
pub(crate) mod code {
    pub const INVALID_BODY: u32 = 100_001;
    pub const REQUIRED: u32 = 100_002;
    pub const UNKNOWN_CUSTOM_FIELD: u32 = 100_003;
    pub const NOT_A_NUMBER: u32 = 100_004;
    pub const BAD_DATE: u32 = 100_005;
    pub const BAD_EMAIL: u32 = 100_006;
    pub const BAD_PHONE: u32 = 111_111;
    pub const BAD_PARAMETER: u32 = 100_007;
    pub const LIMIT_TOO_LARGE: u32 = 100_008;
    pub const BAD_VALUE: u32 = 100_009;
    pub const NOT_FOUND: u32 = 404;
    pub const GONE: u32 = 410;
    pub const UNAUTHORIZED: u32 = 401;
    pub const FORBIDDEN: u32 = 403;
}

/// One entry of `errors[]`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct ErrorItem {
    pub message: String,
    pub code: u32,
}

impl ErrorItem {
    pub fn new(code: u32, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code,
        }
    }
}

/// An error answered with a status and one or more `errors[]` entries.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub errors: Vec<ErrorItem>,
}

impl ApiError {
    pub fn validation(errors: Vec<ErrorItem>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            errors,
        }
    }

    pub fn bad_request(code: u32, message: impl Into<String>) -> Self {
        Self::validation(vec![ErrorItem::new(code, message)])
    }

    pub fn not_found(what: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            errors: vec![ErrorItem::new(
                code::NOT_FOUND,
                format!("{what} not found."),
            )],
        }
    }

    pub fn gone(what: &str) -> Self {
        Self {
            status: StatusCode::GONE,
            errors: vec![ErrorItem::new(code::GONE, format!("{what} was deleted."))],
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"request_id": next_request_id(), "errors": self.errors});
        (self.status, Json(body)).into_response()
    }
}

/// A fresh request id in Thulium's style (13 hex digits, like `53678450401cf`).
pub(crate) fn next_request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0x5_3678_4504_0000);
    format!("{:013x}", NEXT.fetch_add(1, Ordering::Relaxed))
}
