//! The data a simulated shop holds: customers ("clients") and orders.
//!
//! These are the simulator's own plain structs, not the client crate's models: they are what
//! the generator produces, what snapshots return, and what the HTTP layer serialises into the
//! real IdoSell JSON shapes.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

/// Every order status value of the reference table (IdoSell §4), in table order.
pub const ORDER_STATUSES: &[&str] = &[
    "new",
    "payment_waiting",
    "delivery_waiting",
    "on_order",
    "packed",
    "packed_fulfillment",
    "packed_ready",
    "ready",
    "finished_ext",
    "wait_for_dispatch",
    "suspended",
    "joined",
    "missing",
    "lost",
    "false",
    "canceled",
    "finished",
];

/// A billing (or delivery) address with the names and phones that IdoSell keeps in it.
///
/// Every field is optional; `None` is served as `""` (or omitted with the
/// [`omit_optional`](crate::idosell::Quirks::omit_optional) quirk).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShopAddress {
    /// `clientFirstName`.
    pub first_name: Option<String>,
    /// `clientLastName`.
    pub last_name: Option<String>,
    /// `clientFirm`.
    pub firm: Option<String>,
    /// `clientNip` (Polish tax number).
    pub nip: Option<String>,
    /// `clientStreet` (street, building and flat in one string).
    pub street: Option<String>,
    /// `clientZipCode`.
    pub zip_code: Option<String>,
    /// `clientCity`.
    pub city: Option<String>,
    /// `clientCountryId`, ISO 3166 alpha-2 as the shop stores it (often lower-case).
    pub country_id: Option<String>,
    /// `clientPhone1` (mobile), in whatever format the customer typed.
    pub phone1: Option<String>,
    /// `clientPhone2` (landline).
    pub phone2: Option<String>,
}

/// A shop customer as stored by the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopCustomer {
    /// `clientId`, the customer number.
    pub client_id: u64,
    /// `clientLogin`; guests get a generated login, as in real shops.
    pub login: String,
    /// `clientEmail`; some customers have none.
    pub email: Option<String>,
    /// `clientCodeExternal`.
    pub code_external: Option<String>,
    /// `clientType`: `private`, `male`, `female` or `firm`.
    pub client_type: String,
    /// `isUnregistered`: a guest without an account.
    pub is_unregistered: bool,
    /// Whether the account is active (filter `clientIsActive`).
    pub is_active: bool,
    /// `clientBillingAddress`.
    pub billing: ShopAddress,
    /// `clientPersonalData.clientBirthDate`.
    pub birth_date: Option<NaiveDate>,
    /// `clientRegistrationDate`.
    pub registration_date: NaiveDate,
    /// `clientsLastModificationDate`; advanced by the simulator clock on every change.
    pub last_modified: NaiveDateTime,
    /// `clientActiveInShops` (shop ids).
    pub shop_ids: Vec<u64>,
    /// `clientPreferences.currencyId`.
    pub currency_id: String,
    /// Whether the customer agreed to the e-mail newsletter.
    pub newsletter_email: bool,
    /// Whether the customer agreed to the SMS newsletter.
    pub newsletter_sms: bool,
}

/// The buyer data of a marketplace (auction) order: `auctionInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuctionBuyer {
    /// `auctionClientId`, the buyer's id at the marketplace.
    pub client_id: String,
    /// `auctionClientLogin`, the buyer's marketplace login.
    pub login: String,
    /// `auctionClientEmail`, a masked relay address such as `abc+def@allegromail.pl`.
    pub email: String,
}

/// One product line of an order (`productsResults[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// `productId`.
    pub product_id: u64,
    /// `productName`.
    pub name: String,
    /// `productCode`.
    pub code: String,
    /// `productQuantity`.
    pub quantity: u32,
    /// `productOrderPrice` (gross, per unit, in the order currency).
    pub price: Decimal,
    /// `productVat` in percent.
    pub vat: Decimal,
}

/// A pickup point the order is delivered to (`clientPickupPointAddress`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupPointAddress {
    /// `pickupPointId`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `street`.
    pub street: String,
    /// `zipCode`.
    pub zip_code: String,
    /// `city`.
    pub city: String,
}

/// An order as stored by the simulator.
///
/// The buyer's account and billing data are copies taken when the order was placed, as in a
/// real shop: a later address change of the customer does not rewrite old orders. The copies
/// are shared (`Arc`) so that 300k orders fit comfortably in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopOrder {
    /// `orderId` (a string; the simulator uses `"{shopId}-{serial}"`, an assumption).
    pub order_id: String,
    /// `orderSerialNumber`, the number shown in the panel.
    pub serial_number: u64,
    /// `orderType`: `n`, `r`, `t` or `p`.
    pub order_type: String,
    /// `clientAccount.clientId` of the buyer.
    pub client_id: u64,
    /// The buyer's account data (login, e-mail, phones) at order time.
    pub account: Arc<OrderAccount>,
    /// `clientBillingAddress` at order time.
    pub billing: Arc<ShopAddress>,
    /// `clientDeliveryAddress`; `None` means "same as billing".
    pub delivery: Option<Arc<ShopAddress>>,
    /// `clientPickupPointAddress` when the parcel goes to a pickup point.
    pub pickup_point: Option<PickupPointAddress>,
    /// `orderStatus`, one of [`ORDER_STATUSES`] (any string is stored).
    pub status: String,
    /// `orderAddDate`.
    pub add_date: NaiveDateTime,
    /// `orderChangeDate`; advanced by the simulator clock on every change.
    pub change_date: NaiveDateTime,
    /// `orderDispatchDate`.
    pub dispatch_date: Option<NaiveDateTime>,
    /// `orderPaymentType`: `cash_on_delivery`, `prepaid` or `tradecredit`.
    pub payment_type: String,
    /// `orderCurrency.currencyId` (`PLN`, `EUR`).
    pub currency_id: String,
    /// `orderProductsCost`.
    pub products_cost: Decimal,
    /// `orderDeliveryCost`.
    pub delivery_cost: Decimal,
    /// `orderPayformCost`.
    pub payform_cost: Decimal,
    /// `orderInsuranceCost`.
    pub insurance_cost: Decimal,
    /// `billingCurrencyRate`: PLN per one unit of the order currency.
    pub currency_rate: Decimal,
    /// `orderSourceResults.shopId`.
    pub shop_id: u64,
    /// `orderSourceResults.orderSourceType`: `shop` or `auction`.
    pub source_type: String,
    /// `orderSourceResults.auctionsServiceName`, e.g. `allegro`.
    pub auction_service: Option<String>,
    /// `auctionInfo` for marketplace orders.
    pub auction: Option<AuctionBuyer>,
    /// `productsResults`.
    pub products: Vec<OrderLine>,
    /// `clientNoteToOrder`.
    pub note: Option<String>,
}

/// The account part of an order's buyer (`clientResult.clientAccount`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderAccount {
    /// `clientLogin`.
    pub login: String,
    /// `clientEmail`.
    pub email: Option<String>,
    /// `clientPhone1`.
    pub phone1: Option<String>,
    /// `clientPhone2`.
    pub phone2: Option<String>,
    /// `clientCodeExternal`.
    pub code_external: Option<String>,
}

impl ShopOrder {
    /// The order value in its currency: products + delivery + payment form + insurance,
    /// the sum the API documents for its own `order_value` sort key.
    pub fn total(&self) -> Decimal {
        self.products_cost + self.delivery_cost + self.payform_cost + self.insurance_cost
    }

    /// Whether the order came from Allegro.
    pub fn is_allegro(&self) -> bool {
        self.auction_service.as_deref() == Some("allegro")
    }
}

impl OrderAccount {
    /// The account part of `customer` as an order would copy it.
    pub fn of(customer: &ShopCustomer) -> Self {
        Self {
            login: customer.login.clone(),
            email: customer.email.clone(),
            phone1: customer.billing.phone1.clone(),
            phone2: customer.billing.phone2.clone(),
            code_external: customer.code_external.clone(),
        }
    }
}
