//! The write shape of a customer (create, update, batch).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::address::AddressInput;
use super::custom_fields::CustomFieldValue;

/// What to send when creating or updating a customer.
///
/// `None` fields and empty lists/maps are not sent, so an update only touches what is set.
/// `Some(String::new())` *is* sent (as `""`), which is how a caller clears a text field.
/// `email` and `phone_number` are always sent as JSON arrays. Whether an update replaces
/// or merges the lists and custom fields is undocumented: always send the full desired list.
/// `surname` is required by Thulium on create. Deserialisable from what it serialises to,
/// so a write can be kept (e.g. in a state store) and sent later unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerInput {
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Surname (required on create).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// E-mail addresses, sent as a JSON array.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email: Vec<String>,
    /// Phone numbers, sent as a JSON array (send them in one normalised form).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phone_number: Vec<String>,
    /// The company (another customer) this customer belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_id: Option<u64>,
    /// Name of a customer type defined in the tenant (`type`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub customer_type: Option<String>,
    /// Name of a customer group defined in the tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Free external identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Tax id (NIP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nip: Option<String>,
    /// A note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Main address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressInput>,
    /// Custom field values by display name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_fields: BTreeMap<String, CustomFieldValue>,
    /// Also write read-only custom fields (otherwise Thulium skips them silently).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fill_read_only_custom_fields: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_kept_input_reads_back_to_the_same_json() {
        let input = CustomerInput {
            surname: Some("Kowalski".into()),
            email: vec!["a@b.pl".into()],
            address: Some(AddressInput {
                city: Some("Kraków".into()),
                ..AddressInput::default()
            }),
            custom_fields: [
                ("ID".to_owned(), CustomFieldValue::Number(7)),
                (
                    "Date".to_owned(),
                    CustomFieldValue::Date(chrono::NaiveDate::default()),
                ),
                ("Login".to_owned(), CustomFieldValue::Text("kupiec".into())),
                ("Gone".to_owned(), CustomFieldValue::Null),
            ]
            .into(),
            fill_read_only_custom_fields: true,
            ..CustomerInput::default()
        };
        let kept = serde_json::to_string(&input).unwrap_or_default();
        let back: Option<CustomerInput> = serde_json::from_str(&kept).ok();
        assert_eq!(back, Some(input));
    }

    #[test]
    fn empty_input_sends_nothing() {
        assert_eq!(
            serde_json::to_value(CustomerInput::default()).ok(),
            Some(json!({}))
        );
    }

    #[test]
    fn lists_are_arrays_and_type_is_renamed() {
        let input = CustomerInput {
            surname: Some("Kowalski".into()),
            email: vec!["a@b.pl".into()],
            phone_number: vec!["+48500100200".into(), "+48500100201".into()],
            customer_type: Some("Klient".into()),
            fill_read_only_custom_fields: true,
            custom_fields: [("IAI Shop ID".to_owned(), CustomFieldValue::Number(12))].into(),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(input).ok(),
            Some(json!({"surname": "Kowalski", "email": ["a@b.pl"],
                "phone_number": ["+48500100200", "+48500100201"], "type": "Klient",
                "custom_fields": {"IAI Shop ID": 12}, "fill_read_only_custom_fields": true}))
        );
    }
}
