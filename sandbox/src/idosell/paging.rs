//! 0-based paging with `resultsPage` / `resultsLimit` (1..100) and the paged answer, including
//! the 207 `faultCode 2` answer for an empty page.

use std::ops::Range;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::error::{ApiError, fault};

/// The largest `resultsLimit` the API accepts, and its default.
pub const MAX_RESULTS_LIMIT: usize = 100;

/// A requested page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    pub(crate) page: usize,
    pub(crate) limit: usize,
}

impl Paging {
    /// Validates the raw values: page ≥ 0, limit in 1..=100 (default page 0, limit 100).
    pub(crate) fn new(page: Option<i64>, limit: Option<i64>) -> Result<Self, ApiError> {
        let page = page.unwrap_or(0);
        let limit = limit.unwrap_or(MAX_RESULTS_LIMIT as i64);
        let page = usize::try_from(page)
            .map_err(|_| ApiError::invalid(format!("resultsPage: {page} must be 0 or more")))?;
        let limit = usize::try_from(limit)
            .ok()
            .filter(|l| (1..=MAX_RESULTS_LIMIT).contains(l))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "resultsLimit: {limit} is out of range 1..{MAX_RESULTS_LIMIT}"
                ))
            })?;
        Ok(Self { page, limit })
    }

    /// Positions (in the full result) of the items on this page.
    pub(crate) fn range(&self) -> Range<usize> {
        let start = self.page.saturating_mul(self.limit);
        start..start.saturating_add(self.limit)
    }

    /// The answer for one page of `total` results: 200 with `items_key: items`, or 207
    /// `faultCode 2` with `empty_message` when the page is empty (also past the end).
    pub(crate) fn answer(
        &self,
        total: usize,
        items_key: &str,
        items: Vec<Value>,
        empty_message: &str,
    ) -> (StatusCode, Value) {
        let mut body = json!({
            "resultsNumberAll": total,
            "resultsNumberPage": total.div_ceil(self.limit),
            "resultsPage": self.page,
            "resultsLimit": self.limit,
        });
        let status = if items.is_empty() {
            body["errors"] = fault(2, empty_message);
            StatusCode::MULTI_STATUS
        } else {
            body[items_key] = Value::Array(items);
            StatusCode::OK
        };
        (status, body)
    }
}

/// Counts `items` and keeps those that fall on `paging`'s page, in one pass.
pub(crate) fn select_page<T>(items: impl Iterator<Item = T>, paging: Paging) -> (usize, Vec<T>) {
    let range = paging.range();
    let mut total = 0;
    let mut page = Vec::with_capacity(paging.limit);
    for item in items {
        if range.contains(&total) {
            page.push(item);
        }
        total += 1;
    }
    (total, page)
}

/// Reads `resultsPage` / `resultsLimit` from a query string.
pub(crate) fn from_query(query: &super::params::Query) -> Result<Paging, ApiError> {
    let number = |name: &str| -> Result<Option<i64>, ApiError> {
        query
            .get(name)
            .map(|v| {
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| ApiError::invalid(format!("{name}: {v:?} is not an integer")))
            })
            .transpose()
    };
    Paging::new(number("resultsPage")?, number("resultsLimit")?)
}

/// Reads `resultsPage` / `resultsLimit` from a body's `params`.
pub(crate) fn from_params(params: &Value) -> Result<Paging, ApiError> {
    use super::params::field_i64;
    Paging::new(
        field_i64(params, "resultsPage")?,
        field_i64(params, "resultsLimit")?,
    )
}
