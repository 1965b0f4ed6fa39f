//! Paged answers and the `errors{faultCode, faultString}` block. The paging fields
//! (`resultsPage`, `resultsLimit`, `resultsNumberPage`, `resultsNumberAll`) and the error
//! block are described in the public Admin API documentation
//! (<https://idosell.readme.io/reference>) and summarised in `docs/ARCHITECTURE.md`.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::de;
use super::decode::{DecodeError, from_json_slice};

/// One page of a paged list, with what the answer said about paging.
///
/// A record that could not be decoded (a customer without `clientId`, a malformed date)
/// does not fail the whole page: it lands in [`Page::rejected`] with its JSON path, and the
/// other records stand. The item streams turn each rejected record into an error.
///
/// ```
/// use iai_shop_client::{Client, Page};
///
/// let body = br#"{"results": [{"clientId": 1}, {"clientLogin": "no-id"}],
///                 "resultsNumberAll": 150, "resultsNumberPage": 2}"#;
/// let page: Page<Client> = Page::from_json_slice(body, 0, 100).unwrap();
/// assert_eq!(page.items.len(), 1);
/// assert_eq!(page.rejected[0].path, "results[1]");
/// assert!(page.has_next());
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page<T> {
    /// The records of this page that decoded (empty for a page past the end).
    pub items: Vec<T>,
    /// The records of this page that could not be decoded, each with its JSON path.
    pub rejected: Vec<DecodeError>,
    /// The 0-based page number that was asked for.
    pub page: u32,
    /// How many pages the whole result has: `resultsNumberPage` when the answer gave it;
    /// otherwise a full page counts one more page (the next, empty one ends the list).
    pub page_count: u32,
    /// `resultsNumberAll`: how many records the whole result has (0 when not given).
    pub total: u64,
}

impl<T> Page<T> {
    /// An empty page: the API's 207 "empty result" answer, or a page past the end.
    pub fn empty(page: u32) -> Self {
        Self {
            items: Vec::new(),
            rejected: Vec::new(),
            page,
            page_count: 0,
            total: 0,
        }
    }

    /// Decodes a paged answer body (`results`, `Results` or `clientsResults`) as page
    /// number `page` of pages of `page_size` records.
    pub fn from_json_slice(body: &[u8], page: u32, page_size: u32) -> Result<Self, DecodeError>
    where
        T: DeserializeOwned,
    {
        from_json_slice::<RawPage>(body).map(|raw| raw.into_page(page, page_size))
    }

    /// Whether the page holds no record at all (neither decoded nor rejected).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.rejected.is_empty()
    }

    /// Whether another page follows this one: the crate's one next-page rule. An empty page
    /// ends the list whatever the counts say; otherwise [`Page::page_count`] decides.
    pub fn has_next(&self) -> bool {
        !self.is_empty() && self.page.saturating_add(1) < self.page_count
    }

    /// The page count of page `page` holding `records` records of at most `page_size`:
    /// the announced count, or, when the answer gave none, one more page after a full one.
    fn count_pages(announced: Option<u64>, page: u32, records: usize, page_size: u32) -> u32 {
        match announced.filter(|n| *n > 0) {
            Some(n) => u32::try_from(n).unwrap_or(u32::MAX),
            None if records == 0 => 0,
            None if records >= page_size.max(1) as usize => page.saturating_add(2),
            None => page.saturating_add(1),
        }
    }
}

/// The envelope of a paged answer. The record list is `results` for clients, `Results` for
/// orders and `clientsResults` for the CRM search; the records are kept raw here and
/// decoded one by one, so that one bad record rejects only itself.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct RawPage {
    #[serde(deserialize_with = "de::list")]
    results: Vec<Box<RawValue>>,
    #[serde(rename = "Results", deserialize_with = "de::list")]
    results_capital: Vec<Box<RawValue>>,
    #[serde(deserialize_with = "de::list")]
    clients_results: Vec<Box<RawValue>>,
    #[serde(deserialize_with = "de::opt_u64")]
    results_number_all: Option<u64>,
    #[serde(deserialize_with = "de::opt_u64")]
    results_number_page: Option<u64>,
    /// The top-level `errors` block, read on the way (small, so a `Value` is fine here).
    #[serde(deserialize_with = "fault")]
    errors: Option<Fault>,
}

/// Reads an `errors` block of any shape; never fails on a well-formed JSON value.
fn fault<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Fault>, D::Error> {
    Ok(Fault::from_errors(&serde_json::Value::deserialize(d)?))
}

impl RawPage {
    /// The fault the answer carried in its top-level `errors` block, if any.
    #[cfg(feature = "http")]
    pub(crate) fn take_fault(&mut self) -> Option<Fault> {
        self.errors.take()
    }

    /// The typed page for page number `page` of pages of `page_size` records: each record
    /// decoded on its own, the ones that do not decode kept as [`Page::rejected`].
    pub(crate) fn into_page<T: DeserializeOwned>(self, page: u32, page_size: u32) -> Page<T> {
        let (key, records) = [
            ("results", self.results),
            ("Results", self.results_capital),
            ("clientsResults", self.clients_results),
        ]
        .into_iter()
        .find(|(_, records)| !records.is_empty())
        .unwrap_or(("results", Vec::new()));
        let page_count =
            Page::<T>::count_pages(self.results_number_page, page, records.len(), page_size);
        let mut items = Vec::with_capacity(records.len());
        let mut rejected = Vec::new();
        for (index, record) in records.iter().enumerate() {
            match from_json_slice::<T>(record.get().as_bytes()) {
                Ok(item) => items.push(item),
                Err(error) => rejected.push(error.within(&format!("{key}[{index}]"))),
            }
        }
        Page {
            items,
            rejected,
            page,
            page_count,
            total: self.results_number_all.unwrap_or(0),
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
