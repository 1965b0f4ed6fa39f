//! The list envelope: `{"count": N, "result": [...]}` or a bare array.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::lenient::{kind_name, u64_of};

/// One page of a list answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The total number of matching records, when the envelope says it.
    pub count: Option<u64>,
    /// The records of this page.
    pub items: Vec<T>,
}

/// Why a JSON answer could not be decoded, with where in the document it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeFailure {
    /// A JSON path to the failing element, e.g. `result[3]`.
    pub path: String,
    /// What went wrong (never echoes the data itself).
    pub message: String,
}

impl<T: DeserializeOwned> Page<T> {
    /// Decodes a list answer in either shape.
    ///
    /// Assumption (the customer list shape is not documented): `{"count", "result"}` as in
    /// other Thulium lists, or a bare array; `results`, `customers` and `items` are accepted
    /// as alternative keys, and `null`/PHP `{}`/`[]` mean an empty page. (An empty HTTP
    /// body never gets here: the client refuses it as cut off, see the crate docs.) A record that cannot
    /// be decoded fails the whole page (with its index) rather than being dropped silently.
    pub fn from_value(value: Value) -> Result<Self, DecodeFailure> {
        let (count, items, key) = match value {
            Value::Array(items) => (None, items, ""),
            Value::Object(mut map) => {
                let count = map.get("count").and_then(u64_of);
                let key = ["result", "results", "customers", "items"]
                    .into_iter()
                    .find(|k| map.contains_key(*k));
                match key.and_then(|k| map.remove(k)) {
                    Some(Value::Array(items)) => (count, items, key.unwrap_or_default()),
                    Some(Value::Null) | Some(Value::Object(_)) if count.unwrap_or(0) == 0 => {
                        (count, Vec::new(), "")
                    }
                    None if count == Some(0) || map.is_empty() => (count, Vec::new(), ""),
                    Some(other) => {
                        return Err(DecodeFailure {
                            path: key.unwrap_or_default().to_owned(),
                            message: format!("expected an array, got {}", kind_name(&other)),
                        });
                    }
                    None => {
                        return Err(DecodeFailure {
                            path: String::new(),
                            message: "list answer has no result array".into(),
                        });
                    }
                }
            }
            Value::Null => (None, Vec::new(), ""),
            other => {
                return Err(DecodeFailure {
                    path: String::new(),
                    message: format!("expected a list, got {}", kind_name(&other)),
                });
            }
        };
        let items = items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                serde_json::from_value(item).map_err(|e| DecodeFailure {
                    path: format!("{key}[{index}]"),
                    message: e.to_string(),
                })
            })
            .collect::<Result<Vec<T>, _>>()?;
        Ok(Self { count, items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_envelopes_decode() {
        let a: Result<Page<u64>, _> = Page::from_value(json!({"count": 5, "result": [1, 2]}));
        assert_eq!(
            a,
            Ok(Page {
                count: Some(5),
                items: vec![1, 2]
            })
        );
        let b: Result<Page<u64>, _> = Page::from_value(json!([3]));
        assert_eq!(
            b,
            Ok(Page {
                count: None,
                items: vec![3]
            })
        );
        let c: Result<Page<u64>, _> = Page::from_value(json!({"count": 0, "result": {}}));
        assert_eq!(
            c,
            Ok(Page {
                count: Some(0),
                items: vec![]
            })
        );
    }

    #[test]
    fn a_bad_item_names_its_index() {
        let r: Result<Page<u64>, _> = Page::from_value(json!({"result": [1, "x"]}));
        assert_eq!(r.err().map(|e| e.path), Some("result[1]".to_owned()));
    }
}
