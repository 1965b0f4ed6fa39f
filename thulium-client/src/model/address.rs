//! Postal addresses: the read shape (with Thulium's extra keys) and the six writable keys.

use serde::{Deserialize, Serialize};

use super::lenient::opt_text;

/// An address as Thulium returns it (`address`, `invoice_address`, `mail_drop_address`).
/// Every field is optional; `""` decodes to `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Address {
    /// Street name.
    #[serde(deserialize_with = "opt_text")]
    pub street: Option<String>,
    /// Building number.
    #[serde(deserialize_with = "opt_text")]
    pub building: Option<String>,
    /// Flat number.
    #[serde(deserialize_with = "opt_text")]
    pub flat: Option<String>,
    /// Postal code.
    #[serde(deserialize_with = "opt_text")]
    pub postcode: Option<String>,
    /// City.
    #[serde(deserialize_with = "opt_text")]
    pub city: Option<String>,
    /// Country, as stored in the tenant.
    #[serde(deserialize_with = "opt_text")]
    pub country: Option<String>,
    /// Post office (read only).
    #[serde(deserialize_with = "opt_text")]
    pub post_office: Option<String>,
    /// Borough / gmina (read only).
    #[serde(deserialize_with = "opt_text")]
    pub borough: Option<String>,
    /// County / powiat (read only).
    #[serde(deserialize_with = "opt_text")]
    pub county: Option<String>,
    /// Voivodship / province (read only).
    #[serde(deserialize_with = "opt_text")]
    pub voivodship: Option<String>,
}

impl Address {
    /// True when no field carries a value (Thulium may send an object of empty strings).
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// An address to write: the six keys the create/update calls accept. `None` is not sent.
/// Deserialisable from what it serialises to (to keep a write for later).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressInput {
    /// Street name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// Building number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    /// Flat number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flat: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// serde adapter: an address object, or `None` for `null`, `""`, `[]` or an all-empty object.
pub(crate) fn opt_address<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Address>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    if !value.is_object() {
        return Ok(None);
    }
    let address = Address::deserialize(value).map_err(serde::de::Error::custom)?;
    Ok((!address.is_empty()).then_some(address))
}
