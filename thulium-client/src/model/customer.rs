//! The read shape of a Thulium customer.

use serde::Deserialize;

use super::address::{Address, opt_address};
use super::custom_fields::CustomFields;
use super::lenient::{opt_text, opt_u64, req_u64, text_list};

/// A customer as `GET customers/:id` and the search return it.
///
/// Decoding is tolerant: `""` means absent, ids may be numbers or numeric strings,
/// `company_id` may be `""`, unknown keys are ignored, and fields of the wrong type
/// decode to `None` instead of failing. Only `customer_id` is required.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Customer {
    /// Thulium's id of the customer.
    #[serde(deserialize_with = "req_u64")]
    pub customer_id: u64,
    /// First name.
    #[serde(default, deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// Surname (or company name).
    #[serde(default, deserialize_with = "opt_text")]
    pub surname: Option<String>,
    /// The e-mail address. Only one is documented on read, even when several are stored:
    /// do not build change detection on it.
    #[serde(default, deserialize_with = "opt_text")]
    pub email: Option<String>,
    /// The primary phone number.
    #[serde(default, deserialize_with = "opt_text")]
    pub phone_number: Option<String>,
    /// All phone numbers.
    #[serde(default, deserialize_with = "text_list")]
    pub phone_numbers: Vec<String>,
    /// The company (another customer) this customer belongs to.
    #[serde(default, deserialize_with = "opt_u64")]
    pub company_id: Option<u64>,
    /// The free external identifier.
    #[serde(default, deserialize_with = "opt_text")]
    pub identifier: Option<String>,
    /// The customer type's name (`type`).
    #[serde(default, rename = "type", deserialize_with = "opt_text")]
    pub customer_type: Option<String>,
    /// The customer group's name.
    #[serde(default, deserialize_with = "opt_text")]
    pub group: Option<String>,
    /// Tax id (NIP).
    #[serde(default, deserialize_with = "opt_text")]
    pub nip: Option<String>,
    /// Company flag as sent by Thulium (format undocumented, kept as text).
    #[serde(default, deserialize_with = "opt_text")]
    pub company_flag: Option<String>,
    /// Login of the account manager.
    #[serde(default, deserialize_with = "opt_text")]
    pub account_manager: Option<String>,
    /// Main address (present with `include_address`).
    #[serde(default, deserialize_with = "opt_address")]
    pub address: Option<Address>,
    /// Invoice address (present with `include_invoice_address`).
    #[serde(default, deserialize_with = "opt_address")]
    pub invoice_address: Option<Address>,
    /// Mail-drop address (present with `include_mail_drop_address`).
    #[serde(default, deserialize_with = "opt_address")]
    pub mail_drop_address: Option<Address>,
    /// Custom fields by display name (present with `include_custom_fields`).
    #[serde(default)]
    pub custom_fields: CustomFields,
    /// Last update time as sent (`YYYY-MM-DD HH:MM[:SS]`, tenant local time).
    #[serde(default, deserialize_with = "opt_text")]
    pub updated_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_types_do_not_reject_the_customer() {
        let c: Result<Customer, _> = serde_json::from_value(json!({
            "customer_id": "12", "name": 5, "company_id": "x", "phone_numbers": "1",
            "address": [], "custom_fields": "", "extra": {"a": 1}
        }));
        let c = c.ok();
        assert_eq!(c.as_ref().map(|c| c.customer_id), Some(12));
        assert_eq!(c.as_ref().and_then(|c| c.name.clone()), Some("5".into()));
        assert_eq!(c.as_ref().and_then(|c| c.company_id), None);
        assert_eq!(
            c.as_ref().map(|c| c.phone_numbers.clone()),
            Some(vec!["1".into()])
        );
        assert_eq!(c.as_ref().and_then(|c| c.address.clone()), None);
    }

    #[test]
    fn missing_id_is_an_error() {
        assert!(serde_json::from_value::<Customer>(json!({"name": "Jan"})).is_err());
    }
}
