//! Checking a tenant before a sync: credentials, and the custom fields the caller needs.

use serde_json::Value;

use crate::client::ThuliumClient;
use crate::error::{Error, Result};
use crate::model::lenient::i64_of;
use crate::model::parse_date;
pub use crate::model::{FieldKind, RequiredField};

/// Whether the API user could log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsStatus {
    /// The credentials were accepted and customers can be read.
    Valid,
    /// 401: wrong API user or password.
    Invalid,
    /// 403: the user exists but may not read customers.
    NoPermission,
}

/// Why a field could not be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CannotCheckReason {
    /// The tenant has no customer yet, and custom fields are only visible on a customer.
    NoCustomers,
    /// The credentials were refused, so nothing could be read.
    CredentialsRefused,
}

/// The finding for one required field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldStatus {
    /// The field exists and its sampled value fits the expected kind.
    Present,
    /// The field exists but was `null` on the sampled customer: its kind is unknown.
    PresentKindUnknown,
    /// No field with this display name exists in the tenant.
    Missing,
    /// The sampled value does not fit the expected kind; `observed` is the best guess.
    WrongKind {
        /// What the value looked like.
        observed: FieldKind,
    },
    /// The field could not be checked.
    CannotCheck(CannotCheckReason),
}

/// The finding for one required field, with the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldCheck {
    /// The field asked about.
    pub field: RequiredField,
    /// What was found.
    pub status: FieldStatus,
}

/// The outcome of [`ThuliumClient::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Whether the credentials work.
    pub credentials: CredentialsStatus,
    /// One finding per required field, in the order asked.
    pub fields: Vec<FieldCheck>,
}

impl VerifyReport {
    /// True when the credentials work and every field is present with no contradicting kind
    /// (`PresentKindUnknown` counts as ready; `CannotCheck` does not).
    pub fn is_ready(&self) -> bool {
        self.credentials == CredentialsStatus::Valid
            && self.fields.iter().all(|f| {
                matches!(
                    f.status,
                    FieldStatus::Present | FieldStatus::PresentKindUnknown
                )
            })
    }
}

impl ThuliumClient {
    /// Checks the credentials and which `required` custom fields the tenant has.
    ///
    /// Reads one customer (`GET customers?limit=1&include_custom_fields=true`): Thulium lists
    /// every defined field on it, `null` when unset. A field's kind can only be guessed from
    /// a non-null value on that one customer, so `PresentKindUnknown` is common on fresh
    /// tenants; a numeric string fits both `Numeric` and `Text`. With no customer at all,
    /// every field is `CannotCheck(NoCustomers)` rather than passed.
    /// Errors other than 401/403 (e.g. 5xx, transport) are returned as `Err`.
    pub async fn verify(&self, required: &[RequiredField]) -> Result<VerifyReport> {
        let page = self
            .customers()
            .search()
            .include_custom_fields()
            .page_size(1)
            .page()
            .await;
        let (credentials, sample) = match page {
            Ok(page) => (CredentialsStatus::Valid, page.items.into_iter().next()),
            Err(Error::Unauthorized(_)) => (CredentialsStatus::Invalid, None),
            Err(Error::Forbidden(_)) => (CredentialsStatus::NoPermission, None),
            Err(other) => return Err(other),
        };
        let fields = required
            .iter()
            .map(|field| {
                let status = match (&credentials, &sample) {
                    (CredentialsStatus::Valid, Some(customer)) => {
                        if customer.custom_fields.is_defined(&field.name) {
                            kind_status(customer.custom_fields.raw(&field.name), field.kind)
                        } else {
                            FieldStatus::Missing
                        }
                    }
                    (CredentialsStatus::Valid, None) => {
                        FieldStatus::CannotCheck(CannotCheckReason::NoCustomers)
                    }
                    _ => FieldStatus::CannotCheck(CannotCheckReason::CredentialsRefused),
                };
                FieldCheck {
                    field: field.clone(),
                    status,
                }
            })
            .collect();
        Ok(VerifyReport {
            credentials,
            fields,
        })
    }
}

/// Compares a sampled value with the expected kind.
fn kind_status(value: Option<&Value>, expected: FieldKind) -> FieldStatus {
    let value = match value {
        None | Some(Value::Null) => return FieldStatus::PresentKindUnknown,
        Some(Value::String(s)) if s.is_empty() => return FieldStatus::PresentKindUnknown,
        Some(v) => v,
    };
    let is_number = i64_of(value).is_some();
    let is_date = value.as_str().and_then(parse_date).is_some();
    let fits = match expected {
        FieldKind::Numeric => is_number,
        FieldKind::Date => is_date,
        FieldKind::Text => value.is_string(),
    };
    if fits {
        return FieldStatus::Present;
    }
    let observed = if is_number {
        FieldKind::Numeric
    } else if is_date {
        FieldKind::Date
    } else {
        FieldKind::Text
    };
    FieldStatus::WrongKind { observed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_are_guessed_from_values() {
        assert_eq!(
            kind_status(Some(&json!(12)), FieldKind::Numeric),
            FieldStatus::Present
        );
        assert_eq!(
            kind_status(Some(&json!("12")), FieldKind::Numeric),
            FieldStatus::Present
        );
        assert_eq!(
            kind_status(Some(&json!("2025-01-01")), FieldKind::Date),
            FieldStatus::Present
        );
        assert_eq!(
            kind_status(Some(&json!(null)), FieldKind::Date),
            FieldStatus::PresentKindUnknown
        );
        assert_eq!(
            kind_status(Some(&json!("abc")), FieldKind::Numeric),
            FieldStatus::WrongKind {
                observed: FieldKind::Text
            }
        );
        assert_eq!(
            kind_status(Some(&json!(5)), FieldKind::Date),
            FieldStatus::WrongKind {
                observed: FieldKind::Numeric
            }
        );
    }
}
