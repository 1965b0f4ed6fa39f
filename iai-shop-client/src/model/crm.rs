//! Customers as the CRM search (`POST /clients/crm/search`, `clientsResults[]`) returns them.
//!
//! The shape follows the public v6 schema of that answer (IdoSell Admin API reference,
//! <https://idosell.readme.io/>; typed, for instance, in the `idosell` npm package): the
//! person's data sits at the top level of each record — names, both phones, tax number,
//! company, country, external code — and there is no `clientBillingAddress` block, unlike
//! `GET /clients/clients`. `clientType` takes the write spellings `person`, `person_male`,
//! `person_female` and `firm`.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::client::{ClientType, client_type};
use super::de;

/// A customer found by the CRM search, with its order statistics. A record without
/// `clientId` does not decode (it is rejected with its JSON path).
///
/// ```
/// let found: iai_shop_client::CrmClient = iai_shop_client::from_json_slice(br#"{
///     "clientId": 17, "clientType": "person_female", "clientFirstName": "Ala",
///     "clientPhone1": "+48 601 000 000", "clientNip": "", "clientFirm": "Ala sp. z o.o."
/// }"#).unwrap();
/// assert_eq!(found.phone1.as_deref(), Some("+48 601 000 000"));
/// assert_eq!(found.nip, None);
/// assert!(iai_shop_client::from_json_slice::<iai_shop_client::CrmClient>(br#"{"clientLogin": "x"}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrmClient {
    /// `clientId` (required).
    #[serde(deserialize_with = "de::u64_required")]
    pub client_id: u64,
    /// `clientLogin`.
    #[serde(default, rename = "clientLogin", deserialize_with = "de::opt_string")]
    pub login: Option<String>,
    /// `clientEmail`.
    #[serde(default, rename = "clientEmail", deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    /// `clientType`: `person`, `person_male`, `person_female` or `firm`.
    #[serde(default, deserialize_with = "client_type")]
    pub client_type: ClientType,
    /// `clientFirstName`.
    #[serde(
        default,
        rename = "clientFirstName",
        deserialize_with = "de::opt_string"
    )]
    pub first_name: Option<String>,
    /// `clientLastName`.
    #[serde(
        default,
        rename = "clientLastName",
        deserialize_with = "de::opt_string"
    )]
    pub last_name: Option<String>,
    /// Mobile phone (`clientPhone1`).
    #[serde(default, rename = "clientPhone1", deserialize_with = "de::opt_string")]
    pub phone1: Option<String>,
    /// Landline (`clientPhone2`).
    #[serde(default, rename = "clientPhone2", deserialize_with = "de::opt_string")]
    pub phone2: Option<String>,
    /// Tax number (`clientNip`).
    #[serde(default, rename = "clientNip", deserialize_with = "de::opt_string")]
    pub nip: Option<String>,
    /// Company name (`clientFirm`).
    #[serde(default, rename = "clientFirm", deserialize_with = "de::opt_string")]
    pub firm: Option<String>,
    /// ISO 3166 country code as given (`clientCountryId`).
    #[serde(
        default,
        rename = "clientCountryId",
        deserialize_with = "de::opt_string"
    )]
    pub country_id: Option<String>,
    /// External code (`clientCodeExternal`).
    #[serde(
        default,
        rename = "clientCodeExternal",
        deserialize_with = "de::opt_string"
    )]
    pub code_external: Option<String>,
    /// `clientOrdersAllCount`.
    #[serde(
        default,
        rename = "clientOrdersAllCount",
        deserialize_with = "de::opt_u64"
    )]
    pub orders_all_count: Option<u64>,
    /// `clientTotalOrdersValue`.
    #[serde(
        default,
        rename = "clientTotalOrdersValue",
        deserialize_with = "de::opt_decimal"
    )]
    pub total_orders_value: Option<Decimal>,
    /// `clientLastPurchaseDate`.
    #[serde(
        default,
        rename = "clientLastPurchaseDate",
        deserialize_with = "de::opt_date_time"
    )]
    pub last_purchase_date: Option<NaiveDateTime>,
    /// Up to 10 recent orders (`clientOrdersData`).
    #[serde(default, rename = "clientOrdersData", deserialize_with = "de::list")]
    pub recent_orders: Vec<OrderRef>,
}

/// A reference to an order (`clientOrdersData[]`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OrderRef {
    /// `orderId`.
    #[serde(deserialize_with = "de::opt_string")]
    pub order_id: Option<String>,
    /// `orderSerialNumber`.
    #[serde(deserialize_with = "de::opt_u64")]
    pub order_serial_number: Option<u64>,
}
