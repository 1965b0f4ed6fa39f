//! Tolerant field decoders for the PHP serialisation quirks of the Admin API
//! (`[]` for `{}`, `""` for null, numbers as strings, `0000-00-00` dates).
//!
//! Every function here is used through `#[serde(deserialize_with = "...")]`, together with
//! `#[serde(default)]` so that a missing field decodes like an empty one. They go through
//! visitors (not through an intermediate `serde_json::Value`) where the value may contain
//! nested data, so that `serde_path_to_error` can still report the full JSON path of a
//! failure deep inside.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::marker::PhantomData;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A scalar as the API may send it: string, number, boolean or nothing.
///
/// Only for leaf values; the visitor rejects maps and non-empty lists with a clear error.
/// Text borrows from the body when it can (no escapes), so reading a date, an amount or a
/// flag allocates nothing.
pub(crate) enum Scalar<'de> {
    Absent,
    Text(Cow<'de, str>),
    Number(serde_json::Number),
    Bool(bool),
}

impl<'de> Scalar<'de> {
    /// The value as text; `""` (also all blanks), null and PHP's `[]` are absent.
    fn into_text(self) -> Option<Cow<'de, str>> {
        match self {
            Scalar::Absent => None,
            Scalar::Text(s) if s.trim().is_empty() => None,
            Scalar::Text(s) => Some(s),
            Scalar::Number(n) => Some(Cow::Owned(n.to_string())),
            Scalar::Bool(b) => Some(Cow::Borrowed(if b { "true" } else { "false" })),
        }
    }

    /// Hands the value's text to `read` without allocating (numbers are written into a
    /// small stack buffer); `None` for an absent value.
    fn with_text<R>(self, read: impl FnOnce(&str) -> R) -> Option<R> {
        match self {
            Scalar::Number(n) => {
                let mut text = StackText::default();
                match write!(text, "{n}") {
                    Ok(()) => Some(read(text.as_str())),
                    Err(_) => Some(read(&n.to_string())),
                }
            }
            other => other.into_text().map(|text| read(&text)),
        }
    }
}

/// A fixed buffer for a number's text; `write!` fails (and the caller falls back to a
/// `String`) when the text does not fit.
#[derive(Default)]
struct StackText {
    bytes: [u8; 32],
    len: usize,
}

impl StackText {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so the prefix is valid UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

pub(crate) struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, a number, a boolean or null")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Absent)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Absent)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        serde_json::Number::from_f64(v)
            .map(Scalar::Number)
            .ok_or_else(|| E::custom("a non-finite number"))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Cow::Owned(v)))
    }
    // PHP encodes an empty value of any kind as `[]`.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        match seq.next_element::<de::IgnoredAny>()? {
            None => Ok(Scalar::Absent),
            Some(_) => Err(de::Error::custom("expected a single value, found a list")),
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key::<de::IgnoredAny>()? {
            None => Ok(Scalar::Absent),
            Some(_) => Err(de::Error::custom(
                "expected a single value, found an object",
            )),
        }
    }
}

/// Reads a leaf value and hands its text (borrowed when possible) to `read`; `None` when
/// the value is absent (`""`, null, `[]`, a missing field).
pub(crate) fn with_text<'de, D, R>(
    d: D,
    read: impl FnOnce(&str) -> R,
) -> Result<Option<R>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(Scalar::deserialize(d)?.with_text(read))
}

/// A string; `""`, null, `[]` and a missing field become `None`; numbers become their text.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Scalar::deserialize(d)?.into_text().map(Cow::into_owned))
}

/// Like [`opt_string`] but never absent: an absent value is the empty string.
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}

/// An unsigned integer given as a number or as a numeric string; empty means `None`.
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Scalar::deserialize(d)? {
        Scalar::Number(n) => number_to_u64(&n).map(Some).map_err(de::Error::custom),
        other => match other.into_text() {
            None => Ok(None),
            Some(text) => text.trim().parse::<u64>().map(Some).map_err(|_| {
                de::Error::custom(format!("expected an unsigned integer, found {text:?}"))
            }),
        },
    }
}

fn number_to_u64(n: &serde_json::Number) -> Result<u64, String> {
    if let Some(v) = n.as_u64() {
        return Ok(v);
    }
    // `12.0` is seen where an integer is meant; anything with a fraction is a real error.
    match n.as_f64() {
        Some(f) if f >= 0.0 && f.fract() == 0.0 && f < u64::MAX as f64 => Ok(f as u64),
        _ => Err(format!("expected an unsigned integer, found {n}")),
    }
}

/// A required unsigned integer (number or numeric string); null or `""` is an error. Use it
/// on a field without `#[serde(default)]` (and in a struct without it), so that an absent
/// field is an error too ("missing field") instead of a silent 0.
pub(crate) fn u64_required<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    opt_u64(d)?.ok_or_else(|| de::Error::custom("expected an unsigned integer, found nothing"))
}

/// An amount: JSON number (float in the API) or numeric string, read into a [`Decimal`]
/// from its decimal text so that no binary float rounding creeps in. Empty means `None`.
pub(crate) fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    decimal_of(Scalar::deserialize(d)?).map_err(de::Error::custom)
}

/// The amount a scalar holds (see [`opt_decimal`]).
pub(crate) fn decimal_of(scalar: Scalar<'_>) -> Result<Option<Decimal>, String> {
    scalar
        .with_text(|text| {
            let text = text.trim();
            Decimal::from_str(text)
                .or_else(|_| Decimal::from_scientific(text))
                .map_err(|_| format!("expected a decimal amount, found {text:?}"))
        })
        .transpose()
}

/// An amount where absent means zero (the order cost components).
pub(crate) fn decimal_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    Ok(opt_decimal(d)?.unwrap_or_default())
}

/// A `"y"`/`"n"` flag (also `yes`/`no`, booleans and `1`/`0`). Anything that is not a
/// recognised "yes" reads as `false`: the API also sends `""` for these.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let is_yes = |text: &str| {
        let text = text.trim();
        ["y", "yes", "true", "1", "t"]
            .iter()
            .any(|yes| text.eq_ignore_ascii_case(yes))
    };
    Ok(with_text(d, is_yes)?.unwrap_or(false))
}

/// Parses a local date-time as the API writes it. `Ok(None)` for the "no date" spellings.
pub(crate) fn parse_date_time(text: &str) -> Result<Option<NaiveDateTime>, String> {
    let text = text.trim();
    if is_no_date(text) {
        return Ok(None);
    }
    const FORMATS: [&str; 3] = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"];
    for format in FORMATS {
        if let Ok(value) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Some(value));
        }
    }
    // A bare date (also seen where a date-time is documented) means its midnight.
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(Some)
        .ok_or_else(|| format!("expected a date-time like \"2025-01-31 12:00:00\", found {text:?}"))
}

/// Parses a date; a date-time is cut to its date.
pub(crate) fn parse_date(text: &str) -> Result<Option<NaiveDate>, String> {
    let text = text.trim();
    if is_no_date(text) {
        return Ok(None);
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => Ok(Some(date)),
        Err(_) => parse_date_time(text).map(|dt| dt.map(|dt| dt.date())),
    }
}

/// `""`, `"0"`, and every all-zero date such as `"0000-00-00 00:00:00"` mean "no date".
fn is_no_date(text: &str) -> bool {
    text.is_empty()
        || text
            .chars()
            .all(|c| matches!(c, '0' | '-' | ':' | ' ' | 'T'))
}

/// A local date-time; `"0000-00-00 00:00:00"`, `0`, `""`, null and `[]` become `None`.
pub(crate) fn opt_date_time<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDateTime>, D::Error> {
    with_text(d, parse_date_time)?
        .transpose()
        .map(Option::flatten)
        .map_err(de::Error::custom)
}

/// A date (`YYYY-MM-DD`); the no-date spellings become `None`.
pub(crate) fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    with_text(d, parse_date)?
        .transpose()
        .map(Option::flatten)
        .map_err(de::Error::custom)
}

/// A nested object that PHP sends as `[]` (or `""`/null) when it is empty: those and a
/// missing field give `T::default()`.
pub(crate) fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Ok(opt_object(d)?.unwrap_or_default())
}

/// Like [`object`] but keeps "absent" apart from "present": `[]`, `""` and null are `None`.
pub(crate) fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    d.deserialize_any(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for ObjectVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object, [] or null")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            Err(E::custom(format!(
                "expected an object, found the string {v:?}"
            )))
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        match seq.next_element::<de::IgnoredAny>()? {
            None => Ok(None),
            Some(_) => Err(de::Error::custom(
                "expected an object, found a non-empty list",
            )),
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
}

/// A list that may also arrive as an object keyed by anything (PHP arrays with non
/// sequential keys), as `""`, or as null: the object's values are taken in order.
pub(crate) fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    d.deserialize_any(ListVisitor::new())
}

/// The visitor behind [`list`], for decoders that accept a list among other shapes.
pub(crate) struct ListVisitor<T>(PhantomData<T>);

impl<T> ListVisitor<T> {
    pub(crate) fn new() -> Self {
        Self(PhantomData)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list, an object of items or null")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(Vec::new())
        } else {
            Err(E::custom(format!(
                "expected a list, found the string {v:?}"
            )))
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(items)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some((_, item)) = map.next_entry::<de::IgnoredAny, T>()? {
            items.push(item);
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn no_date_spellings() {
        for text in ["", "0", "0000-00-00 00:00:00", "0000-00-00"] {
            assert_eq!(parse_date_time(text).unwrap(), None, "{text:?}");
            assert_eq!(parse_date(text).unwrap(), None, "{text:?}");
        }
    }

    #[test]
    fn date_formats() {
        let dt = parse_date_time("2025-03-04 05:06:07").unwrap().unwrap();
        assert_eq!(dt.to_string(), "2025-03-04 05:06:07");
        let midnight = parse_date_time("2025-03-04").unwrap().unwrap();
        assert_eq!(midnight.to_string(), "2025-03-04 00:00:00");
        assert_eq!(
            parse_date("2025-03-04 05:06:07")
                .unwrap()
                .unwrap()
                .to_string(),
            "2025-03-04"
        );
        assert!(parse_date_time("yesterday").is_err());
    }
}
