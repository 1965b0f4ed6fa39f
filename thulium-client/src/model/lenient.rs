//! Tolerant decoders for Thulium's loose JSON.
//!
//! Thulium sends `""` for empty scalars, ids as numbers or numeric strings, and PHP's `[]`
//! for empty objects. These helpers turn all of that into `Option`/`Vec` values instead of
//! decode errors, so one odd field never rejects a whole customer.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `""`, `null` and non-scalar values become `None`; numbers and booleans become their text.
/// An array yields its first usable element (a single e-mail sent as a list).
pub(crate) fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => items.iter().find_map(text_of),
        Value::Null | Value::Object(_) => None,
    }
}

/// A non-negative integer from a JSON number (integral) or a numeric string.
pub(crate) fn u64_of(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A signed integer from a JSON number (integral) or a numeric string.
pub(crate) fn i64_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Every usable text element of a list; a lone scalar counts as a one-element list.
pub(crate) fn texts_of(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(text_of).collect(),
        other => text_of(other).into_iter().collect(),
    }
}

/// serde adapter: optional text (see [`text_of`]).
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(text_of(&Value::deserialize(d)?))
}

/// serde adapter: optional id (see [`u64_of`]); anything unusable is `None`.
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(u64_of(&Value::deserialize(d)?))
}

/// serde adapter: optional signed integer (see [`i64_of`]).
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(i64_of(&Value::deserialize(d)?))
}

/// serde adapter: a required id; a missing or unusable id is an error because nothing
/// can be done with a record that cannot be addressed.
pub(crate) fn req_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let value = Value::deserialize(d)?;
    u64_of(&value).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "expected an id (number or numeric string), got {}",
            kind_name(&value)
        ))
    })
}

/// serde adapter: a list of texts (see [`texts_of`]).
pub(crate) fn text_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(texts_of(&Value::deserialize(d)?))
}

/// serde adapter: text that may be absent, kept as an empty string.
pub(crate) fn text_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(text_of(&Value::deserialize(d)?).unwrap_or_default())
}

/// A short name of a JSON value's type, for error messages that must not echo data.
pub(crate) fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_come_as_numbers_or_numeric_strings() {
        assert_eq!(u64_of(&json!(273)), Some(273));
        assert_eq!(u64_of(&json!("273")), Some(273));
        assert_eq!(u64_of(&json!("")), None);
        assert_eq!(u64_of(&json!(-1)), None);
        assert_eq!(u64_of(&json!(12.5)), None);
    }

    #[test]
    fn empty_text_is_absent() {
        assert_eq!(text_of(&json!("")), None);
        assert_eq!(text_of(&json!(null)), None);
        assert_eq!(text_of(&json!(5)), Some("5".to_owned()));
        assert_eq!(
            texts_of(&json!(["a", "", 7])),
            vec!["a".to_owned(), "7".to_owned()]
        );
        assert_eq!(texts_of(&json!("x")), vec!["x".to_owned()]);
    }
}
