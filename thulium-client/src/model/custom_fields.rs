//! Simple custom fields ("pola specjalne"): read by display name, written with typed values.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::lenient::{i64_of, text_of};

/// The wire format of a date custom field value.
///
/// Assumption (the reference does not show it): dates are written as `YYYY-MM-DD`.
pub const DATE_FORMAT: &str = "%Y-%m-%d";

/// The custom fields of a read customer, keyed by the field's display name.
///
/// Thulium lists every field defined in the tenant, `null` when unset, so
/// [`is_defined`](Self::is_defined) tells whether the tenant has a field at all.
/// Values are kept as raw JSON; the typed accessors interpret them leniently.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomFields(BTreeMap<String, Value>);

impl CustomFields {
    /// Builds the collection from name/value pairs (useful in tests and simulators).
    pub fn from_map(map: BTreeMap<String, Value>) -> Self {
        Self(map)
    }

    /// A number from a JSON number or a numeric string; `None` when unset or not a number.
    pub fn number(&self, name: &str) -> Option<i64> {
        self.0.get(name).and_then(i64_of)
    }

    /// A date from `YYYY-MM-DD`, also accepting `YYYY-MM-DD HH:MM[:SS]` (time dropped).
    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        match self.0.get(name)? {
            Value::String(s) => parse_date(s),
            _ => None,
        }
    }

    /// The text of a string value; `None` when unset, empty or not a string.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.0.get(name)? {
            Value::String(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }

    /// Whether the tenant has a field with this display name (even when unset here).
    pub fn is_defined(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Whether the field has a value (not `null`, not `""`).
    pub fn is_set(&self, name: &str) -> bool {
        self.0.get(name).and_then(text_of).is_some()
    }

    /// The raw JSON value of a field.
    pub fn raw(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The display names of every field present in the answer.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Number of fields present.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the answer carried no custom fields (e.g. not requested).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for CustomFields {
    /// An object keyed by name; `null`, `""` and PHP's `[]` mean "no fields".
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Object(map) => Ok(Self(map.into_iter().collect())),
            _ => Ok(Self::default()),
        }
    }
}

/// Parses `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS]`.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, DATE_FORMAT)
        .ok()
        .or_else(|| {
            ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
                .map(|dt| dt.date())
        })
}

/// A typed value to write into a custom field.
///
/// Serialised as the reference says: `Number` → JSON number, `Date` → `"YYYY-MM-DD"`,
/// `Text` → string, `Null` → `null` (clears the field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomFieldValue {
    /// A numeric field value.
    Number(i64),
    /// A date field value.
    Date(NaiveDate),
    /// A text field value.
    Text(String),
    /// Clears the field.
    Null,
}

impl Serialize for CustomFieldValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(n) => s.serialize_i64(*n),
            Self::Date(d) => s.collect_str(&d.format(DATE_FORMAT)),
            Self::Text(t) => s.serialize_str(t),
            Self::Null => s.serialize_unit(),
        }
    }
}

/// The inverse of the serialisation, for a kept write: a number is `Number`, `null` is
/// `Null`, a `YYYY-MM-DD` string is `Date` and any other string is `Text`. A text value that
/// looks like a date comes back as `Date`, which serialises to the same JSON.
impl<'de> Deserialize<'de> for CustomFieldValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Null => Self::Null,
            Value::Number(n) => match n.as_i64() {
                Some(n) => Self::Number(n),
                None => Self::Text(n.to_string()),
            },
            Value::String(text) => match NaiveDate::parse_from_str(&text, DATE_FORMAT) {
                Ok(date) if text.len() == 10 => Self::Date(date),
                _ => Self::Text(text),
            },
            other => Self::Text(other.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: Value) -> CustomFields {
        serde_json::from_value(v).unwrap_or_default()
    }

    #[test]
    fn typed_accessors_are_lenient() {
        let f = fields(
            json!({"ID": "1234", "N": 7, "D": "2025-03-01", "DT": "2025-03-01 10:20",
            "DTS": "2025-03-01 10:20:30", "T": "abc", "U": null, "E": ""}),
        );
        assert_eq!(f.number("ID"), Some(1234));
        assert_eq!(f.number("N"), Some(7));
        assert_eq!(f.number("T"), None);
        let day = NaiveDate::from_ymd_opt(2025, 3, 1);
        assert_eq!(f.date("D"), day);
        assert_eq!(f.date("DT"), day);
        assert_eq!(f.date("DTS"), day);
        assert_eq!(f.date("T"), None);
        assert_eq!(f.text("T"), Some("abc"));
        assert_eq!(f.text("E"), None);
        assert!(f.is_defined("U") && !f.is_set("U"));
        assert!(!f.is_defined("missing"));
    }

    #[test]
    fn php_empty_array_means_no_fields() {
        assert!(fields(json!([])).is_empty());
    }

    #[test]
    fn values_serialise_as_the_reference_says() {
        let v = serde_json::to_value([
            CustomFieldValue::Number(5),
            CustomFieldValue::Date(NaiveDate::from_ymd_opt(2025, 1, 2).unwrap_or_default()),
            CustomFieldValue::Text("x".into()),
            CustomFieldValue::Null,
        ])
        .ok();
        assert_eq!(v, Some(json!([5, "2025-01-02", "x", null])));
    }
}
