//! Paged answers and the `errors{faultCode, faultString}` block (reference §2, §5).

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::de;
use super::decode::{DecodeError, from_json_slice};

/// One page of a paged list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page<T> {
    /// The items on this page (empty for a page past the end).
    pub items: Vec<T>,
    /// `resultsNumberAll`: the number of items in the whole result.
    pub results_number_all: u64,
    /// `resultsNumberPage`: the number of **pages** (not items on this page).
    pub results_number_page: u64,
    /// The 0-based page number that was asked for.
    pub page: u32,
}

impl<T> Page<T> {
    /// An empty page: the API's 207 "empty result" answer.
    pub fn empty(page: u32) -> Self {
        Self {
            items: Vec::new(),
            results_number_all: 0,
            results_number_page: 0,
            page,
        }
    }

    /// Decodes a paged answer body (`results`, `Results` or `clientsResults`) as page
    /// number `page`.
    pub fn from_json_slice(body: &[u8], page: u32) -> Result<Self, DecodeError>
    where
        T: DeserializeOwned,
    {
        from_json_slice::<RawPage<T>>(body).map(|raw| raw.into_page(page))
    }

    /// Whether no page follows this one, according to the counts the API gave.
    pub fn is_last(&self) -> bool {
        self.items.is_empty() || u64::from(self.page) + 1 >= self.results_number_page
    }
}

/// The envelope of a paged answer. The item list is `results` for clients, `Results` for
/// orders and `clientsResults` for the CRM search; all three are accepted.
#[derive(Deserialize)]
#[serde(default, rename_all = "camelCase", bound = "T: DeserializeOwned")]
pub(crate) struct RawPage<T> {
    #[serde(
        rename = "results",
        alias = "Results",
        alias = "clientsResults",
        deserialize_with = "de::list"
    )]
    results: Vec<T>,
    #[serde(deserialize_with = "de::opt_u64")]
    results_number_all: Option<u64>,
    #[serde(deserialize_with = "de::opt_u64")]
    results_number_page: Option<u64>,
    /// The top-level `errors` block, read on the way (small, so a `Value` is fine here).
    #[serde(deserialize_with = "fault")]
    errors: Option<Fault>,
}

impl<T> Default for RawPage<T> {
    fn default() -> Self {
        Self {
            results: Vec::new(),
            results_number_all: None,
            results_number_page: None,
            errors: None,
        }
    }
}

/// Reads an `errors` block of any shape; never fails on a well-formed JSON value.
fn fault<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Fault>, D::Error> {
    Ok(Fault::from_errors(&serde_json::Value::deserialize(d)?))
}

impl<T> RawPage<T> {
    /// The fault the answer carried in its top-level `errors` block, if any.
    #[cfg(feature = "http")]
    pub(crate) fn take_fault(&mut self) -> Option<Fault> {
        self.errors.take()
    }

    /// The typed page for page number `page`.
    pub(crate) fn into_page(self, page: u32) -> Page<T> {
        Page {
            items: self.results,
            results_number_all: self.results_number_all.unwrap_or(0),
            results_number_page: self.results_number_page.unwrap_or(0),
            page,
        }
    }
}

/// The API's own error fields. `errors` may be an object, or a list whose first entry
/// carries them; `faultCode` may be a number or a numeric string; `message` is accepted in
/// place of `faultString`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fault {
    /// `faultCode`: 0 OK, 1 login failure, 2 empty result, 3 no parameters, 4 shop blocked.
    pub code: Option<i64>,
    /// `faultString` (or `message`).
    pub message: Option<String>,
}

impl Fault {
    /// The fault code of an empty result.
    pub const EMPTY_RESULT: i64 = 2;
    /// The fault code of a login failure.
    pub const LOGIN_FAILURE: i64 = 1;

    /// Reads the top-level `errors` block of a JSON body, if it holds anything.
    pub fn from_body(body: &serde_json::Value) -> Option<Self> {
        Self::from_errors(body.get("errors")?)
    }

    /// Reads an `errors` block itself (the value under the `errors` key), if it holds
    /// anything.
    pub fn from_errors(errors: &serde_json::Value) -> Option<Self> {
        let entry = match errors {
            serde_json::Value::Array(list) => list.first()?,
            other => other,
        };
        let code = entry.get("faultCode").and_then(|c| match c {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
        let message = ["faultString", "message"]
            .iter()
            .find_map(|key| entry.get(*key).and_then(|m| m.as_str()))
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned);
        if code.is_none() && message.is_none() {
            return None;
        }
        Some(Self { code, message })
    }

    /// Whether this is the "empty result" fault (code 2): no data, not a failure.
    pub fn is_empty_result(&self) -> bool {
        self.code == Some(Self::EMPTY_RESULT)
    }

    /// Whether this fault is an actual failure (not OK and not "empty result").
    pub fn is_failure(&self) -> bool {
        !matches!(self.code, Some(0) | Some(Self::EMPTY_RESULT))
    }
}
