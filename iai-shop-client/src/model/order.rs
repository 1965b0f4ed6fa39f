//! Orders, as `POST /orders/orders/search` and `GET /orders/orders` return them (IdoSell Admin API reference,
//! <https://idosell.readme.io/>).
//!
//! The API nests most of an order under `clientResult` and `orderDetails`; [`Order`] lifts
//! the parts an integration needs to the top level. The raw shapes stay private.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::client::BillingAddress;
use super::de;
use super::money::Money;
use super::status::OrderStatus;

/// An order, flattened from the nested JSON.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(from = "RawOrder")]
pub struct Order {
    /// `orderId`: a string such as `"shop1-123"`, not numeric.
    pub order_id: String,
    /// `orderSerialNumber`: the number shown in the panel and used in its links.
    pub serial_number: u64,
    /// `orderType`: `n`, `r`, `t` or `p` (retail/wholesale, shop/panel).
    pub order_type: Option<String>,
    /// Who ordered (`clientResult`).
    pub client: OrderClient,
    /// `orderDetails.orderStatus`.
    pub status: OrderStatus,
    /// `orderDetails.orderAddDate`: when the order was placed (shop-local time).
    pub add_date: Option<NaiveDateTime>,
    /// `orderDetails.orderChangeDate`: last modification (shop-local time).
    pub change_date: Option<NaiveDateTime>,
    /// `orderDetails.orderDispatchDate`; `None` when not dispatched (`0`/null).
    pub dispatch_date: Option<NaiveDateTime>,
    /// `orderDetails.payments`.
    pub payments: Payments,
    /// `orderDetails.orderSourceResults`.
    pub source: OrderSource,
    /// `orderDetails.auctionInfo`: the marketplace buyer, for auction orders.
    pub auction_info: Option<AuctionInfo>,
    /// `orderDetails.productsResults`.
    pub products: Vec<OrderProduct>,
    /// `orderDetails.prepaids`: the payments and refunds registered on the order.
    pub prepaids: Vec<Prepaid>,
    /// `orderDetails.dispatch`: the courier and the shipment, once one is chosen.
    pub dispatch: Option<Dispatch>,
    /// `orderDetails.orderNote`.
    pub note: Option<String>,
    /// `orderDetails.clientNoteToOrder`.
    pub client_note: Option<String>,
}

impl Order {
    /// The order value in the order's currency: `orderProductsCost + orderDeliveryCost +
    /// orderPayformCost + orderInsuranceCost` of `payments.orderCurrency` (the sum the API
    /// itself uses for its `order_value` sort key). `None` when the order has no currency block
    /// (or the sum overflows, which only a corrupt payload can cause).
    pub fn total(&self) -> Option<Money> {
        let c = self.payments.currency.as_ref()?;
        // Checked: absurd amounts from a broken payload must not panic on overflow.
        let amount = c
            .products_cost
            .checked_add(c.delivery_cost)?
            .checked_add(c.payform_cost)?
            .checked_add(c.insurance_cost)?;
        Some(Money::new(amount, c.currency_id.clone()))
    }

    /// Whether the order came from Allegro (`orderSourceResults.auctionsServiceName`):
    /// `allegro`, or `testwebapi`, Allegro's test site among the documented values.
    pub fn is_allegro(&self) -> bool {
        self.source.auction_service.as_deref().is_some_and(|s| {
            let s = s.trim();
            s.eq_ignore_ascii_case("allegro") || s.eq_ignore_ascii_case("testwebapi")
        })
    }
}

/// The customer block of an order (`clientResult`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct OrderClient {
    /// `clientAccount`.
    #[serde(rename = "clientAccount", deserialize_with = "de::object")]
    pub account: ClientAccount,
    /// `clientBillingAddress`.
    #[serde(rename = "clientBillingAddress", deserialize_with = "de::object")]
    pub billing: BillingAddress,
    /// `clientDeliveryAddress`.
    #[serde(rename = "clientDeliveryAddress", deserialize_with = "de::opt_object")]
    pub delivery: Option<DeliveryAddress>,
    /// `clientPickupPointAddress`.
    #[serde(
        rename = "clientPickupPointAddress",
        deserialize_with = "de::opt_object"
    )]
    pub pickup_point: Option<PickupPoint>,
}

/// The customer's account as the order records it (`clientResult.clientAccount`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct ClientAccount {
    /// `clientId` (a guest order may have none).
    #[serde(rename = "clientId", deserialize_with = "de::opt_u64")]
    pub client_id: Option<u64>,
    /// `clientLogin`.
    #[serde(rename = "clientLogin", deserialize_with = "de::opt_string")]
    pub login: Option<String>,
    /// `clientEmail`.
    #[serde(rename = "clientEmail", deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    /// `clientPhone1`.
    #[serde(rename = "clientPhone1", deserialize_with = "de::opt_string")]
    pub phone1: Option<String>,
    /// `clientPhone2`.
    #[serde(rename = "clientPhone2", deserialize_with = "de::opt_string")]
    pub phone2: Option<String>,
    /// `clientCodeExternal`.
    #[serde(rename = "clientCodeExternal", deserialize_with = "de::opt_string")]
    pub code_external: Option<String>,
}

/// The delivery address (`clientResult.clientDeliveryAddress`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct DeliveryAddress {
    /// `clientDeliveryAddressFirstName`.
    #[serde(
        rename = "clientDeliveryAddressFirstName",
        deserialize_with = "de::opt_string"
    )]
    pub first_name: Option<String>,
    /// `clientDeliveryAddressLastName`.
    #[serde(
        rename = "clientDeliveryAddressLastName",
        deserialize_with = "de::opt_string"
    )]
    pub last_name: Option<String>,
    /// `clientDeliveryAddressFirm`.
    #[serde(
        rename = "clientDeliveryAddressFirm",
        deserialize_with = "de::opt_string"
    )]
    pub firm: Option<String>,
    /// `clientDeliveryAddressStreet`.
    #[serde(
        rename = "clientDeliveryAddressStreet",
        deserialize_with = "de::opt_string"
    )]
    pub street: Option<String>,
    /// `clientDeliveryAddressZipCode`.
    #[serde(
        rename = "clientDeliveryAddressZipCode",
        deserialize_with = "de::opt_string"
    )]
    pub zip_code: Option<String>,
    /// `clientDeliveryAddressCity`.
    #[serde(
        rename = "clientDeliveryAddressCity",
        deserialize_with = "de::opt_string"
    )]
    pub city: Option<String>,
    /// `clientDeliveryAddressCountry` (name).
    #[serde(
        rename = "clientDeliveryAddressCountry",
        deserialize_with = "de::opt_string"
    )]
    pub country: Option<String>,
    /// `clientDeliveryAddressCountryId` (ISO code as given).
    #[serde(
        rename = "clientDeliveryAddressCountryId",
        deserialize_with = "de::opt_string"
    )]
    pub country_id: Option<String>,
    /// `clientDeliveryAddressPhone1`.
    #[serde(
        rename = "clientDeliveryAddressPhone1",
        deserialize_with = "de::opt_string"
    )]
    pub phone1: Option<String>,
    /// `clientDeliveryAddressPhone2`.
    #[serde(
        rename = "clientDeliveryAddressPhone2",
        deserialize_with = "de::opt_string"
    )]
    pub phone2: Option<String>,
    /// `clientDeliveryAddressType`: `client`, `pickupPoint` or `warehouse`.
    #[serde(
        rename = "clientDeliveryAddressType",
        deserialize_with = "de::opt_string"
    )]
    pub address_type: Option<String>,
}

/// A pickup point (`clientResult.clientPickupPointAddress`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct PickupPoint {
    /// `pickupPointId`.
    #[serde(rename = "pickupPointId", deserialize_with = "de::opt_string")]
    pub id: Option<String>,
    /// `name`.
    #[serde(deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// `street`.
    #[serde(deserialize_with = "de::opt_string")]
    pub street: Option<String>,
    /// `zipCode`.
    #[serde(rename = "zipCode", deserialize_with = "de::opt_string")]
    pub zip_code: Option<String>,
    /// `city`.
    #[serde(deserialize_with = "de::opt_string")]
    pub city: Option<String>,
}

/// Payment data (`orderDetails.payments`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct Payments {
    /// `orderPaymentType`: `cash_on_delivery`, `prepaid` or `tradecredit`.
    #[serde(rename = "orderPaymentType", deserialize_with = "de::opt_string")]
    pub payment_type: Option<String>,
    /// `orderCurrency`: the costs in the order's own currency.
    #[serde(rename = "orderCurrency", deserialize_with = "de::opt_object")]
    pub currency: Option<OrderCurrency>,
}

/// The costs of an order in its currency (`payments.orderCurrency`). Absent amounts are zero.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct OrderCurrency {
    /// `currencyId`.
    #[serde(rename = "currencyId", deserialize_with = "de::string")]
    pub currency_id: String,
    /// `orderProductsCost`.
    #[serde(rename = "orderProductsCost", deserialize_with = "de::decimal_or_zero")]
    pub products_cost: Decimal,
    /// `orderDeliveryCost`.
    #[serde(rename = "orderDeliveryCost", deserialize_with = "de::decimal_or_zero")]
    pub delivery_cost: Decimal,
    /// `orderPayformCost`.
    #[serde(rename = "orderPayformCost", deserialize_with = "de::decimal_or_zero")]
    pub payform_cost: Decimal,
    /// `orderInsuranceCost`.
    #[serde(
        rename = "orderInsuranceCost",
        deserialize_with = "de::decimal_or_zero"
    )]
    pub insurance_cost: Decimal,
}

/// Where the order came from (`orderDetails.orderSourceResults`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct OrderSource {
    /// `orderSourceType`: `shop`, `auction`, ...
    #[serde(rename = "orderSourceType", deserialize_with = "de::opt_string")]
    pub source_type: Option<String>,
    /// `shopId`.
    #[serde(rename = "shopId", deserialize_with = "de::opt_u64")]
    pub shop_id: Option<u64>,
    /// `auctionsServiceName`, e.g. `"allegro"`.
    #[serde(rename = "auctionsServiceName", deserialize_with = "de::opt_string")]
    pub auction_service: Option<String>,
}

/// The marketplace buyer (`orderDetails.auctionInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct AuctionInfo {
    /// `auctionClientId`.
    #[serde(rename = "auctionClientId", deserialize_with = "de::opt_string")]
    pub client_id: Option<String>,
    /// `auctionClientLogin`: the buyer's marketplace login.
    #[serde(rename = "auctionClientLogin", deserialize_with = "de::opt_string")]
    pub client_login: Option<String>,
    /// `auctionClientEmail`: usually a masked relay address.
    #[serde(rename = "auctionClientEmail", deserialize_with = "de::opt_string")]
    pub client_email: Option<String>,
}

/// An order line (`orderDetails.productsResults[]`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OrderProduct {
    /// `productId`.
    #[serde(deserialize_with = "de::opt_u64")]
    pub product_id: Option<u64>,
    /// `productName`.
    #[serde(deserialize_with = "de::opt_string")]
    pub product_name: Option<String>,
    /// `productCode`.
    #[serde(deserialize_with = "de::opt_string")]
    pub product_code: Option<String>,
    /// `sizeId`.
    #[serde(deserialize_with = "de::opt_string")]
    pub size_id: Option<String>,
    /// `productQuantity`.
    #[serde(deserialize_with = "de::decimal_or_zero")]
    pub product_quantity: Decimal,
    /// `productOrderPrice`: unit price in the order's currency.
    #[serde(deserialize_with = "de::opt_decimal")]
    pub product_order_price: Option<Decimal>,
}

/// One payment transaction of an order (`orderDetails.prepaids[]`).
///
/// The Admin API documents, per transaction: its number (`paymentNumber`, written
/// `{order serial}-{n}`), a status (`paymentStatus`, a short code), its kind (`paymentType`:
/// `payment`, `advance`, `repayment` — money returned to the buyer — or `fee`), the amount
/// and currency, and the payment form's name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Prepaid {
    /// `paymentNumber`, e.g. `1234-1`.
    #[serde(deserialize_with = "de::opt_string")]
    pub payment_number: Option<String>,
    /// `paymentStatus`: a short code; `y` marks a confirmed transaction.
    #[serde(deserialize_with = "de::opt_string")]
    pub payment_status: Option<String>,
    /// `paymentType`: `payment`, `advance`, `repayment` (a refund) or `fee`.
    #[serde(deserialize_with = "de::opt_string")]
    pub payment_type: Option<String>,
    /// `paymentValue`, in `currencyId`.
    #[serde(deserialize_with = "de::decimal_or_zero")]
    pub payment_value: Decimal,
    /// `currencyId`.
    #[serde(deserialize_with = "de::opt_string")]
    pub currency_id: Option<String>,
    /// `payformName`: how it was paid (`Przelewy24`, `BLIK`, …).
    #[serde(deserialize_with = "de::opt_string")]
    pub payform_name: Option<String>,
}

/// The consignment of an order (`orderDetails.dispatch`).
///
/// The order search answer names the courier (`courierId`, `courierName`) and the shipment
/// (`deliveryPackageId`). A shop that sends one order in several parcels keeps the others in
/// the separate packages resource of the Admin API (`/orders/packages`, looked up by order
/// serial number), which this model does not read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Dispatch {
    /// `courierId`.
    #[serde(deserialize_with = "de::opt_u64")]
    pub courier_id: Option<u64>,
    /// `courierName`, e.g. `InPost Paczkomaty`, `DPD`.
    #[serde(deserialize_with = "de::opt_string")]
    pub courier_name: Option<String>,
    /// `deliveryPackageId`: the shipment's number at the courier; `None` before it is sent.
    #[serde(deserialize_with = "de::opt_string")]
    pub delivery_package_id: Option<String>,
    /// `estimatedDeliveryDate`, as the shop writes it.
    #[serde(deserialize_with = "de::opt_string")]
    pub estimated_delivery_date: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawOrder {
    #[serde(deserialize_with = "de::string")]
    order_id: String,
    #[serde(deserialize_with = "de::u64_required")]
    order_serial_number: u64,
    #[serde(deserialize_with = "de::opt_string")]
    order_type: Option<String>,
    #[serde(deserialize_with = "de::object")]
    client_result: OrderClient,
    #[serde(deserialize_with = "de::object")]
    order_details: RawOrderDetails,
}

#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawOrderDetails {
    order_status: OrderStatus,
    #[serde(deserialize_with = "de::opt_date_time")]
    order_add_date: Option<NaiveDateTime>,
    #[serde(deserialize_with = "de::opt_date_time")]
    order_change_date: Option<NaiveDateTime>,
    #[serde(deserialize_with = "de::opt_date_time")]
    order_dispatch_date: Option<NaiveDateTime>,
    #[serde(deserialize_with = "de::object")]
    payments: Payments,
    #[serde(deserialize_with = "de::object")]
    order_source_results: OrderSource,
    #[serde(deserialize_with = "de::opt_object")]
    auction_info: Option<AuctionInfo>,
    #[serde(deserialize_with = "de::list")]
    products_results: Vec<OrderProduct>,
    #[serde(deserialize_with = "de::list")]
    prepaids: Vec<Prepaid>,
    #[serde(deserialize_with = "de::opt_object")]
    dispatch: Option<Dispatch>,
    #[serde(deserialize_with = "de::opt_string")]
    order_note: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    client_note_to_order: Option<String>,
}

impl From<RawOrder> for Order {
    fn from(raw: RawOrder) -> Self {
        let details = raw.order_details;
        Self {
            order_id: raw.order_id,
            serial_number: raw.order_serial_number,
            order_type: raw.order_type,
            client: raw.client_result,
            status: details.order_status,
            add_date: details.order_add_date,
            change_date: details.order_change_date,
            dispatch_date: details.order_dispatch_date,
            payments: details.payments,
            source: details.order_source_results,
            // An all-empty auctionInfo block (shop orders) carries nothing: keep it `None`.
            auction_info: details
                .auction_info
                .filter(|a| *a != AuctionInfo::default()),
            products: details.products_results,
            prepaids: details.prepaids,
            // An all-empty dispatch block (no courier chosen yet) carries nothing.
            dispatch: details.dispatch.filter(|d| *d != Dispatch::default()),
            note: details.order_note,
            client_note: details.client_note_to_order,
        }
    }
}
