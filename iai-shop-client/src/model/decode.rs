//! Decoding JSON bodies into models, with the JSON path of any failure.

use serde::de::DeserializeOwned;

/// A body that could not be decoded: where (JSON path) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot decode the answer at `{path}`: {message}")]
pub struct DecodeError {
    /// The JSON path of the failing value, e.g. `Results[3].orderDetails.orderAddDate`
    /// (`.` when the document itself is malformed).
    pub path: String,
    /// What was wrong.
    pub message: String,
}

impl DecodeError {
    /// The same error for a value found at `prefix` inside a larger document: `results[3]`
    /// and a failure at `clientId` give `results[3].clientId`.
    pub fn within(self, prefix: &str) -> Self {
        let path = match self.path.as_str() {
            "" | "." => prefix.to_owned(),
            inner if inner.starts_with('[') => format!("{prefix}{inner}"),
            inner => format!("{prefix}.{inner}"),
        };
        Self { path, ..self }
    }
}

/// Decodes a JSON document into `T`, tolerating the API's quirks and reporting the path of
/// the value that failed.
///
/// ```
/// let client: iai_shop_client::Client = iai_shop_client::model::from_json_slice(
///     br#"{"clientId": "42", "clientBillingAddress": [], "clientsLastModificationDate": "0000-00-00 00:00:00"}"#,
/// ).unwrap();
/// assert_eq!(client.client_id, 42);
/// assert_eq!(client.last_modified, None);
/// ```
pub fn from_json_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    // Tracking the path costs on every value; decoding is deterministic, so the common,
    // successful case runs untracked and only a failure is decoded again to find its path.
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    if let Ok(value) = T::deserialize(&mut deserializer)
        && deserializer.end().is_ok()
    {
        return Ok(value);
    }
    from_json_slice_tracked(body)
}

/// [`from_json_slice`] with the JSON path of a failure tracked all the way.
fn from_json_slice_tracked<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| DecodeError {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })?;
    deserializer.end().map_err(|e| DecodeError {
        path: ".".into(),
        message: e.to_string(),
    })?;
    Ok(value)
}

/// Decodes an already parsed JSON value into `T`, with the path of any failure.
pub fn from_json_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, DecodeError> {
    serde_path_to_error::deserialize(value).map_err(|e| DecodeError {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}
