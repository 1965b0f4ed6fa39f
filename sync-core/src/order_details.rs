//! What an agent is asked about one order: what was bought, whether it is paid (or refunded),
//! and where the parcel is. Read from the order as the Admin API's order search returns it:
//! `productsResults` (name, quantity, unit price in the order's currency), `prepaids` (the
//! payment transactions, each with a kind and a status) and `dispatch` (the courier and the
//! shipment number).

use iai_shop_client::{Order, Prepaid};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::Locale;
use crate::mapping::text;
use crate::order_summary::Amount;
use crate::status::Severity;

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductLine {
    /// The product's name (its code when the name is missing).
    pub name: String,
    /// How many were ordered.
    pub quantity: Decimal,
    /// The unit price in the order's currency, when the shop gave one.
    pub price: Option<Amount>,
}

impl ProductLine {
    /// The order's lines; a line without name or code is shown as its product id.
    pub fn of_order(order: &Order) -> Vec<Self> {
        let currency = order
            .payments
            .currency
            .as_ref()
            .map(|c| c.currency_id.clone())
            .unwrap_or_default();
        order
            .products
            .iter()
            .map(|product| Self {
                name: text(&product.product_name)
                    .or(text(&product.product_code))
                    .map(str::to_owned)
                    .or_else(|| product.product_id.map(|id| format!("#{id}")))
                    .unwrap_or_default(),
                quantity: product.product_quantity.normalize(),
                price: product.product_order_price.map(|amount| Amount {
                    amount: amount.round_dp(2),
                    currency: currency.clone(),
                }),
            })
            .collect()
    }
}

/// Where the order's money stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// Prepaid and nothing confirmed yet.
    AwaitingPayment,
    /// Prepaid, confirmed payments below the order value.
    PartlyPaid,
    /// Prepaid, confirmed payments cover the order value.
    Paid,
    /// Money went back to the buyer (a confirmed `repayment`).
    Refunded,
    /// Paid to the courier on delivery.
    CashOnDelivery,
    /// Trade credit: the buyer pays on invoice terms.
    TradeCredit,
    /// The shop gave no payment method.
    Unknown,
}

/// The payment state of an order, with the amounts behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentSummary {
    /// The state.
    pub state: PaymentState,
    /// The state in words, in the card's language.
    pub label: String,
    /// Confirmed payments (and advances), in the order's currency.
    pub paid: Option<Amount>,
    /// Confirmed refunds, in the order's currency.
    pub refunded: Option<Amount>,
}

/// `paymentStatus` of a confirmed transaction.
const CONFIRMED: &str = "y";

impl PaymentSummary {
    /// The state of `order`: its payment method, then (for prepaid orders) its confirmed
    /// transactions — payments and advances count as paid, `repayment`s as refunded; fees
    /// and unconfirmed transactions do not count.
    pub fn of_order(order: &Order, locale: Locale) -> Self {
        let currency = order.payments.currency.as_ref();
        let sum = |kinds: &[&str]| -> Decimal {
            order
                .prepaids
                .iter()
                .filter(|p| is_confirmed(p) && kinds.contains(&kind(p)))
                .map(|p| p.payment_value)
                .sum()
        };
        let paid = sum(&["payment", "advance"]);
        let refunded = sum(&["repayment"]);
        let total = order.total().map(|money| money.rounded());
        let method = order.payments.payment_type.as_deref().map(str::trim);
        let state = if refunded > Decimal::ZERO {
            PaymentState::Refunded
        } else {
            match method {
                Some("cash_on_delivery") => PaymentState::CashOnDelivery,
                Some("tradecredit") => PaymentState::TradeCredit,
                Some("prepaid") if paid.is_zero() => PaymentState::AwaitingPayment,
                Some("prepaid") if total.is_some_and(|total| paid < total) => {
                    PaymentState::PartlyPaid
                }
                Some("prepaid") => PaymentState::Paid,
                _ if paid > Decimal::ZERO => PaymentState::Paid,
                _ => PaymentState::Unknown,
            }
        };
        let amount = |value: Decimal| {
            (value > Decimal::ZERO).then(|| Amount {
                amount: value.round_dp(2),
                currency: currency.map(|c| c.currency_id.clone()).unwrap_or_default(),
            })
        };
        Self {
            state,
            label: payment_label(state, locale).to_owned(),
            paid: amount(paid),
            refunded: amount(refunded),
        }
    }

    /// How the state is coloured on the card.
    pub fn severity(&self) -> Severity {
        match self.state {
            PaymentState::Paid => Severity::Success,
            PaymentState::AwaitingPayment | PaymentState::PartlyPaid => Severity::Waiting,
            PaymentState::Refunded => Severity::Danger,
            PaymentState::CashOnDelivery | PaymentState::TradeCredit | PaymentState::Unknown => {
                Severity::Neutral
            }
        }
    }
}

fn is_confirmed(prepaid: &Prepaid) -> bool {
    prepaid
        .payment_status
        .as_deref()
        .is_some_and(|status| status.trim().eq_ignore_ascii_case(CONFIRMED))
}

fn kind(prepaid: &Prepaid) -> &str {
    prepaid.payment_type.as_deref().map_or("", str::trim)
}

fn payment_label(state: PaymentState, locale: Locale) -> &'static str {
    match (locale, state) {
        (Locale::Pl, PaymentState::AwaitingPayment) => "oczekuje na wpłatę",
        (Locale::Pl, PaymentState::PartlyPaid) => "opłacone częściowo",
        (Locale::Pl, PaymentState::Paid) => "opłacone",
        (Locale::Pl, PaymentState::Refunded) => "zwrot pieniędzy",
        (Locale::Pl, PaymentState::CashOnDelivery) => "za pobraniem",
        (Locale::Pl, PaymentState::TradeCredit) => "kredyt kupiecki",
        (Locale::Pl, PaymentState::Unknown) => "brak danych",
        (Locale::En, PaymentState::AwaitingPayment) => "awaiting payment",
        (Locale::En, PaymentState::PartlyPaid) => "partly paid",
        (Locale::En, PaymentState::Paid) => "paid",
        (Locale::En, PaymentState::Refunded) => "refunded",
        (Locale::En, PaymentState::CashOnDelivery) => "cash on delivery",
        (Locale::En, PaymentState::TradeCredit) => "trade credit",
        (Locale::En, PaymentState::Unknown) => "unknown",
    }
}

/// A parcel of an order: the courier, the shipment number and, for couriers with a public
/// tracking page, the link to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parcel {
    /// The courier as the shop names it.
    pub courier: Option<String>,
    /// The shipment number at the courier.
    pub number: String,
    /// The courier's public tracking page for this number, when the courier is known.
    pub tracking_url: Option<String>,
}

impl Parcel {
    /// The order's parcel, once it has a shipment number (`dispatch.deliveryPackageId`).
    pub fn of_order(order: &Order) -> Vec<Self> {
        let Some(dispatch) = &order.dispatch else {
            return Vec::new();
        };
        let Some(number) = text(&dispatch.delivery_package_id) else {
            return Vec::new();
        };
        let courier = text(&dispatch.courier_name).map(str::to_owned);
        vec![Self {
            tracking_url: courier
                .as_deref()
                .and_then(|name| tracking_url(name, number)),
            courier,
            number: number.to_owned(),
        }]
    }
}

/// Public tracking pages of the couriers Polish shops use most, by a word of the courier's
/// name as shops write it (`InPost Paczkomaty`, `DPD Polska`, `Kurier DHL`, …). The number
/// goes into the query string, percent-encoded.
const TRACKING_PAGES: [(&str, &str); 8] = [
    ("inpost", "https://inpost.pl/sledzenie-przesylek?number="),
    (
        "dpd",
        "https://tracktrace.dpd.com.pl/parcelDetails?typ=1&p1=",
    ),
    (
        "dhl",
        "https://www.dhl.com/pl-pl/home/tracking.html?tracking-id=",
    ),
    ("poczta", "https://emonitoring.poczta-polska.pl/?numer="),
    ("gls", "https://gls-group.com/PL/pl/sledzenie-paczek?match="),
    ("ups", "https://www.ups.com/track?tracknum="),
    ("fedex", "https://www.fedex.com/fedextrack/?trknbr="),
    ("orlen", "https://www.orlenpaczka.pl/sledz-paczke/?numer="),
];

/// The tracking page of shipment `number` at the courier named `courier`, if known.
pub fn tracking_url(courier: &str, number: &str) -> Option<String> {
    let courier = courier.to_lowercase();
    let (_, page) = TRACKING_PAGES.iter().find(|(word, _)| {
        courier
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == *word)
    })?;
    let number: String = url::form_urlencoded::byte_serialize(number.trim().as_bytes()).collect();
    (!number.is_empty()).then(|| format!("{page}{number}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn order(payment_type: &str, prepaids: serde_json::Value) -> Order {
        serde_json::from_value(json!({
            "orderId": "1-5", "orderSerialNumber": 5,
            "orderDetails": {
                "payments": {"orderPaymentType": payment_type,
                    "orderCurrency": {"currencyId": "PLN", "orderProductsCost": 100, "orderDeliveryCost": 10}},
                "prepaids": prepaids,
                "dispatch": {"courierName": "InPost Paczkomaty", "deliveryPackageId": "6123 45"},
                "productsResults": [{"productName": "Kubek", "productQuantity": 2, "productOrderPrice": 50}]
            }
        }))
        .unwrap()
    }

    fn payment(kind: &str, status: &str, value: u32) -> serde_json::Value {
        json!({"paymentType": kind, "paymentStatus": status, "paymentValue": value, "currencyId": "PLN"})
    }

    #[test]
    fn payment_state_follows_confirmed_transactions() {
        let state = |o: &Order| PaymentSummary::of_order(o, Locale::En).state;
        assert_eq!(
            state(&order("prepaid", json!([]))),
            PaymentState::AwaitingPayment
        );
        let unconfirmed = json!([payment("payment", "n", 110)]);
        assert_eq!(
            state(&order("prepaid", unconfirmed)),
            PaymentState::AwaitingPayment
        );
        let part = json!([payment("payment", "y", 60)]);
        assert_eq!(state(&order("prepaid", part)), PaymentState::PartlyPaid);
        let full = json!([payment("advance", "y", 10), payment("payment", "y", 100)]);
        let paid = PaymentSummary::of_order(&order("prepaid", full), Locale::En);
        assert_eq!(
            (paid.state, paid.label.as_str()),
            (PaymentState::Paid, "paid")
        );
        assert_eq!(paid.paid.unwrap().amount, Decimal::from(110));
        let refund = json!([payment("payment", "y", 110), payment("repayment", "y", 110)]);
        assert_eq!(state(&order("prepaid", refund)), PaymentState::Refunded);
        assert_eq!(
            state(&order("cash_on_delivery", json!([]))),
            PaymentState::CashOnDelivery
        );
    }

    #[test]
    fn products_and_parcel_come_from_the_order() {
        let order = order("prepaid", json!([]));
        let lines = ProductLine::of_order(&order);
        assert_eq!(lines[0].name, "Kubek");
        assert_eq!(lines[0].quantity, Decimal::from(2));
        assert_eq!(
            lines[0].price.as_ref().unwrap().display(Locale::Pl),
            "50,00 PLN"
        );
        let parcels = Parcel::of_order(&order);
        assert_eq!(parcels[0].number, "6123 45");
        assert_eq!(
            parcels[0].tracking_url.as_deref(),
            Some("https://inpost.pl/sledzenie-przesylek?number=6123+45")
        );
        assert_eq!(tracking_url("Kurier własny", "1"), None);
        assert!(tracking_url("DPD Polska", "X1").unwrap().ends_with("p1=X1"));
    }
}
