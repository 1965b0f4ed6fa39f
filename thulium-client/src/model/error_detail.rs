//! One entry of Thulium's `errors` array.

use serde::Deserialize;

use super::lenient::{opt_i64, text_or_empty};

/// One error of an error body: `{"message": "...", "code": 111111}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ErrorDetail {
    /// Human-readable message (English unless `Accept-Language: pl` was sent).
    #[serde(default, deserialize_with = "text_or_empty")]
    pub message: String,
    /// Thulium's error code, when given (number or numeric string).
    #[serde(default, deserialize_with = "opt_i64")]
    pub code: Option<i64>,
}

/// Decodes an `errors` value: an array of details, a single object, or a single string.
pub(crate) fn error_details(value: Option<&serde_json::Value>) -> Vec<ErrorDetail> {
    use serde_json::Value;
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(detail_of).collect(),
        Some(other) => detail_of(other).into_iter().collect(),
        None => Vec::new(),
    }
}

fn detail_of(value: &serde_json::Value) -> Option<ErrorDetail> {
    match value {
        serde_json::Value::String(message) => Some(ErrorDetail {
            message: message.clone(),
            code: None,
        }),
        serde_json::Value::Object(_) => ErrorDetail::deserialize(value).ok(),
        _ => None,
    }
}
