//! Conversions shared by the database stores: ids to and from SQL's signed 64-bit integers,
//! and the JSON columns.

use super::StoreError;

/// An id as SQL's `BIGINT`/`INTEGER`; ids above `i64::MAX` cannot be stored.
pub(super) fn to_sql_id(id: u64) -> Result<i64, StoreError> {
    i64::try_from(id).map_err(|_| StoreError::OutOfRange(format!("{id} exceeds i64::MAX")))
}

/// A stored id back; a negative one means the data were edited or corrupted.
pub(super) fn from_sql_id(id: i64) -> Result<u64, StoreError> {
    u64::try_from(id).map_err(|_| StoreError::Corrupt(format!("negative id {id}")))
}

pub(super) fn to_json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::OutOfRange(e.to_string()))
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("stored JSON: {e}")))
}
