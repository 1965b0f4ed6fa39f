//! `GET customers` query strings: filters (with PHP bracket custom-field alternatives),
//! `include_*` flags, paging.

use super::config::CustomFieldKind;
use super::error::{ApiError, code};
use super::input::parse_number;
use super::quirks::ThuliumQuirks;
use super::record::CustomerRecord;
use super::schema::Schema;
use super::store::custom_field_key;

/// Default page size of lists.
pub(crate) const DEFAULT_LIMIT: usize = 100;
/// Largest page size accepted; more is a 400.
pub(crate) const MAX_LIMIT: usize = 1000;

/// One search condition. `None` values come from an empty parameter (`phone_number=`) and
/// match customers *without* that value. E-mail and phone values are kept as sent (trimmed);
/// how they match depends on the [`ThuliumQuirks`] of the query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    Email(Option<String>),
    Phone(Option<String>),
    Identifier(Option<String>),
    Nip(Option<String>),
    CompanyId(Option<u64>),
    Type(Option<String>),
    Group(Option<String>),
    /// Matches when the field equals any alternative.
    CustomField {
        name: String,
        alternatives: Vec<Option<String>>,
    },
}

/// Which optional parts a read shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Include {
    pub custom_fields: bool,
    pub address: bool,
    pub invoice_address: bool,
    pub mail_drop_address: bool,
}

/// A parsed `GET customers` request.
#[derive(Debug, Clone)]
pub(crate) struct CustomerQuery {
    pub filters: Vec<Filter>,
    pub include: Include,
    pub limit: usize,
    pub offset: usize,
    /// The matching rules in force when the request came.
    pub quirks: ThuliumQuirks,
}

/// Percent-decoded `(key, value)` pairs of a raw query string.
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

fn is_truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

impl Include {
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let flag = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(key, _)| key == name)
                .is_some_and(|(_, value)| is_truthy(value))
        };
        Self {
            custom_fields: flag("include_custom_fields"),
            address: flag("include_address"),
            invoice_address: flag("include_invoice_address"),
            mail_drop_address: flag("include_mail_drop_address"),
        }
    }
}

/// `limit` (1..=1000, default 100) and `offset` (default 0) of any list.
pub(crate) fn paging(pairs: &[(String, String)]) -> Result<(usize, usize), ApiError> {
    let number = |name: &str| -> Result<Option<usize>, ApiError> {
        match pairs.iter().rev().find(|(key, _)| key == name) {
            None => Ok(None),
            Some((_, value)) => value.trim().parse().map(Some).map_err(|_| {
                ApiError::bad_request(
                    code::BAD_PARAMETER,
                    format!("Parameter {name} must be a non-negative integer."),
                )
            }),
        }
    };
    let limit = number("limit")?.unwrap_or(DEFAULT_LIMIT);
    if limit > MAX_LIMIT {
        return Err(ApiError::bad_request(
            code::LIMIT_TOO_LARGE,
            format!("Parameter limit must not exceed {MAX_LIMIT}."),
        ));
    }
    if limit == 0 {
        return Err(ApiError::bad_request(
            code::BAD_PARAMETER,
            "Parameter limit must be at least 1.",
        ));
    }
    Ok((limit, number("offset")?.unwrap_or(0)))
}

impl CustomerQuery {
    pub fn parse(
        raw: Option<&str>,
        schema: &Schema,
        quirks: ThuliumQuirks,
    ) -> Result<Self, ApiError> {
        let pairs = query_pairs(raw);
        let (limit, offset) = paging(&pairs)?;
        let mut filters = Vec::new();
        let mut custom: Vec<(String, Vec<Option<String>>)> = Vec::new();
        for (key, value) in &pairs {
            let filter = match key.as_str() {
                "email" => Filter::Email(non_empty(value)),
                "phone_number" => Filter::Phone(non_empty(value)),
                "identifier" => Filter::Identifier(non_empty(value)),
                "nip" => Filter::Nip(non_empty(value)),
                "type" => Filter::Type(non_empty(value)),
                "group" => Filter::Group(non_empty(value)),
                "company_id" => Filter::CompanyId(parse_company_id(value)?),
                other => {
                    if let Some(name) = custom_field_name(other) {
                        let value = custom_search_value(name, value, schema)?;
                        match custom.iter_mut().find(|(seen, _)| seen == name) {
                            Some((_, alternatives)) => alternatives.push(value),
                            None => custom.push((name.to_owned(), vec![value])),
                        }
                    }
                    continue;
                }
            };
            filters.push(filter);
        }
        filters.extend(
            custom
                .into_iter()
                .map(|(name, alternatives)| Filter::CustomField { name, alternatives }),
        );
        Ok(Self {
            filters,
            include: Include::from_pairs(&pairs),
            limit,
            offset,
            quirks,
        })
    }

    pub fn matches(&self, record: &CustomerRecord) -> bool {
        self.filters
            .iter()
            .all(|filter| filter_matches(filter, record, self.quirks))
    }

    /// A tenant read: a list without any filter (paging and `include_*` flags aside).
    pub fn is_tenant_read(&self) -> bool {
        self.filters.is_empty()
    }
}

/// The key an e-mail is indexed and compared by when the whole address must match.
pub(crate) fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The key a phone is indexed by: its digits. Both matching modes imply equal digits.
pub(crate) fn phone_index_key(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// The phone without the formatting characters a write removes (`+` kept).
fn phone_without_formatting(phone: &str) -> String {
    phone
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect()
}

/// Whether a stored phone matches a `phone_number` query (see
/// [`ThuliumQuirks::phone_search_digits_only`]).
fn phone_matches(query: &str, stored: &str, digits_only: bool) -> bool {
    if digits_only {
        let digits = phone_index_key(query);
        !digits.is_empty() && digits == phone_index_key(stored)
    } else {
        phone_without_formatting(query) == phone_without_formatting(stored)
    }
}

/// Whether a stored address matches an `email` query (see
/// [`ThuliumQuirks::email_substring_search`]).
fn email_matches(query: &str, stored: &str, substring: bool) -> bool {
    if substring {
        stored.to_lowercase().contains(&query.trim().to_lowercase())
    } else {
        email_key(stored) == email_key(query)
    }
}

fn parse_company_id(value: &str) -> Result<Option<u64>, ApiError> {
    match non_empty(value) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            ApiError::bad_request(
                code::BAD_PARAMETER,
                "Parameter company_id must be a number.",
            )
        }),
    }
}

/// `custom_fields[Name]` or `custom_fields[Name][0]` → `Name`.
fn custom_field_name(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("custom_fields[")?;
    let (name, tail) = rest.split_once(']')?;
    let valid_tail = tail.is_empty()
        || tail
            .strip_prefix('[')
            .and_then(|index| index.strip_suffix(']'))
            .is_some_and(|index| index.chars().all(|c| c.is_ascii_digit()));
    valid_tail.then_some(name)
}

/// The text a stored value must have to match; numeric fields compare as numbers.
fn custom_search_value(
    name: &str,
    value: &str,
    schema: &Schema,
) -> Result<Option<String>, ApiError> {
    let Some(def) = schema.custom_field(name) else {
        return Err(ApiError::bad_request(
            code::UNKNOWN_CUSTOM_FIELD,
            format!("Custom field \"{name}\" does not exist."),
        ));
    };
    let Some(text) = non_empty(value) else {
        return Ok(None);
    };
    if def.kind == CustomFieldKind::Numeric {
        let number = parse_number(&serde_json::Value::String(text.clone()));
        return Ok(Some(number.map(|n| n.to_string()).unwrap_or(text)));
    }
    Ok(Some(text))
}

fn filter_matches(filter: &Filter, record: &CustomerRecord, quirks: ThuliumQuirks) -> bool {
    let text_matches = |wanted: &Option<String>, stored: &Option<String>| match wanted {
        Some(wanted) => stored.as_deref() == Some(wanted.as_str()),
        None => stored.is_none(),
    };
    match filter {
        Filter::Email(Some(email)) => record
            .emails
            .iter()
            .any(|stored| email_matches(email, stored, quirks.email_substring_search)),
        Filter::Email(None) => record.emails.is_empty(),
        Filter::Phone(Some(phone)) => record
            .phones
            .iter()
            .any(|stored| phone_matches(phone, stored, quirks.phone_search_digits_only)),
        Filter::Phone(None) => record.phones.is_empty(),
        Filter::Identifier(wanted) => text_matches(wanted, &record.identifier),
        Filter::Nip(wanted) => text_matches(wanted, &record.nip),
        Filter::Type(wanted) => text_matches(wanted, &record.customer_type),
        Filter::Group(wanted) => text_matches(wanted, &record.group),
        Filter::CompanyId(wanted) => *wanted == record.company_id,
        Filter::CustomField { name, alternatives } => {
            let stored = record.custom_fields.get(name).map(custom_field_key);
            alternatives.contains(&stored)
        }
    }
}
