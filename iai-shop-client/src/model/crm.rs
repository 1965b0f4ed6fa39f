//! Customers as the CRM search (`POST /clients/crm/search`, `clientsResults`) returns them.
//!
//! The exact item shape of `clientsResults` is not in the public schema (reference §3 names
//! only some statistics). Assumption: identity fields sit at the top level with the same
//! names as in `GET /clients/clients`, names possibly also under `clientBillingAddress`.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::client::BillingAddress;
use super::de;

/// A customer found by the CRM search, with its order statistics.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CrmClient {
    /// `clientId`.
    #[serde(deserialize_with = "de::u64_required")]
    pub client_id: u64,
    /// `clientLogin`.
    #[serde(rename = "clientLogin", deserialize_with = "de::opt_string")]
    pub login: Option<String>,
    /// `clientEmail`.
    #[serde(rename = "clientEmail", deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    /// `clientFirstName` (top level in this answer).
    #[serde(rename = "clientFirstName", deserialize_with = "de::opt_string")]
    pub first_name: Option<String>,
    /// `clientLastName` (top level in this answer).
    #[serde(rename = "clientLastName", deserialize_with = "de::opt_string")]
    pub last_name: Option<String>,
    /// `clientBillingAddress`, when the answer carries it.
    #[serde(rename = "clientBillingAddress", deserialize_with = "de::object")]
    pub billing: BillingAddress,
    /// `clientOrdersAllCount`.
    #[serde(rename = "clientOrdersAllCount", deserialize_with = "de::opt_u64")]
    pub orders_all_count: Option<u64>,
    /// `clientTotalOrdersValue`.
    #[serde(
        rename = "clientTotalOrdersValue",
        deserialize_with = "de::opt_decimal"
    )]
    pub total_orders_value: Option<Decimal>,
    /// `clientLastPurchaseDate`.
    #[serde(
        rename = "clientLastPurchaseDate",
        deserialize_with = "de::opt_date_time"
    )]
    pub last_purchase_date: Option<NaiveDateTime>,
    /// Up to 10 recent orders (`clientOrdersData`).
    #[serde(rename = "clientOrdersData", deserialize_with = "de::list")]
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
