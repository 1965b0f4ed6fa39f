//! Tolerant reading of request parameters: GET query strings with comma lists and bracket
//! keys, and JSON bodies where numbers may arrive as strings.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::Value;

use super::error::ApiError;
use super::json::{DATE_FORMAT, DATE_TIME_FORMAT};

/// A decoded query string.
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Self { pairs }
    }

    /// The last value of `key`, if non-empty.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Every value of a list parameter: `key=a,b`, `key[]=a&key[]=b` or `key[0]=a`.
    pub(crate) fn list(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| is_list_key(k, key))
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The value of a bracket key `prefix[...suffix]`, e.g.
    /// `clientsLastModificationDate[clientsLastModificationDateBegin]`.
    pub(crate) fn nested(&self, prefix: &str, suffix: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| {
                k.strip_prefix(prefix)
                    .and_then(|rest| rest.strip_prefix('['))
                    .and_then(|rest| rest.strip_suffix(']'))
                    .is_some_and(|inner| inner.ends_with(suffix))
            })
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

fn is_list_key(candidate: &str, key: &str) -> bool {
    match candidate.strip_prefix(key) {
        Some("") | Some("[]") => true,
        Some(rest) => rest
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .is_some_and(|index| index.chars().all(|c| c.is_ascii_digit())),
        None => false,
    }
}

/// Parses integers, naming the parameter in the error.
pub(crate) fn parse_ids(name: &str, values: &[String]) -> Result<Vec<u64>, ApiError> {
    values
        .iter()
        .map(|v| {
            v.parse::<u64>()
                .map_err(|_| ApiError::invalid(format!("{name}: {v:?} is not an integer")))
        })
        .collect()
}

/// Which end of a date range a value bounds: a date alone means the whole day, so it is
/// midnight at the beginning and 23:59:59 at the end (both ends are inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeEnd {
    Begin,
    End,
}

/// Parses `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD`.
pub(crate) fn parse_date_time(
    name: &str,
    value: &str,
    end: RangeEnd,
) -> Result<NaiveDateTime, ApiError> {
    let value = value.trim();
    if let Ok(time) = NaiveDateTime::parse_from_str(value, DATE_TIME_FORMAT) {
        return Ok(time);
    }
    let day = NaiveDate::parse_from_str(value, DATE_FORMAT).map_err(|_| {
        ApiError::invalid(format!(
            "{name}: {value:?} is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)"
        ))
    })?;
    let time = match end {
        RangeEnd::Begin => NaiveTime::MIN,
        RangeEnd::End => NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN),
    };
    Ok(day.and_time(time))
}

/// An inclusive date-time range; either end may be open.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DateRange {
    pub(crate) begin: Option<NaiveDateTime>,
    pub(crate) end: Option<NaiveDateTime>,
}

impl DateRange {
    pub(crate) fn parse(
        name: &str,
        begin: Option<&str>,
        end: Option<&str>,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            begin: begin
                .map(|v| parse_date_time(name, v, RangeEnd::Begin))
                .transpose()?,
            end: end
                .map(|v| parse_date_time(name, v, RangeEnd::End))
                .transpose()?,
        })
    }

    pub(crate) fn is_open(&self) -> bool {
        self.begin.is_none() && self.end.is_none()
    }

    pub(crate) fn contains(&self, time: NaiveDateTime) -> bool {
        self.begin.is_none_or(|b| time >= b) && self.end.is_none_or(|e| time <= e)
    }
}

/// Parses a request body `{"params": {...}}` and returns `params` (an empty object when the
/// body has none).
pub(crate) fn body_params(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadBody(format!("the request body is not valid JSON: {e}")))?;
    Ok(match value {
        Value::Object(mut map) => map
            .remove("params")
            .unwrap_or(Value::Object(Default::default())),
        _ => {
            return Err(ApiError::BadBody(
                "the request body must be a JSON object".into(),
            ));
        }
    })
}

/// A non-negative integer given as a number or a numeric string.
pub(crate) fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A string field; numbers are accepted and turned into their text.
pub(crate) fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Items of a JSON list (a single value counts as a one-item list; `null` as none).
pub(crate) fn as_list(value: Option<&Value>) -> Vec<&Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
    }
}

/// Reads an optional integer paging field that may be negative in a bad request.
pub(crate) fn field_i64(params: &Value, name: &str) -> Result<Option<i64>, ApiError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::invalid(format!("{name}: {n} is not an integer"))),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| ApiError::invalid(format!("{name}: {s:?} is not an integer"))),
        Some(other) => Err(ApiError::invalid(format!(
            "{name}: {other} is not an integer"
        ))),
    }
}
