//! One order as shown to an agent: on the customer card and in the optional orders group.

use chrono::NaiveDateTime;
use iai_shop_client::{Money, Order};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::{IntegrationConfig, Locale, OrdersGroupConfig};
use crate::mapping::text;
use crate::order_details::{Parcel, PaymentSummary, ProductLine};
use crate::status::{StatusLabel, status_label};

/// One order, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderSummary {
    /// The order's id (`orderId`).
    pub order_id: String,
    /// The number shown in the panel (`orderSerialNumber`).
    pub serial_number: u64,
    /// The status, readable.
    pub status: StatusLabel,
    /// When the order was placed (shop local time).
    pub placed: Option<NaiveDateTime>,
    /// Where it goes, in one line: the delivery address, or the pickup point.
    pub delivery: Option<String>,
    /// Whether `delivery` is a pickup point.
    pub is_pickup_point: bool,
    /// The order value in the order's currency (see [`Order::total`]).
    pub total: Option<Amount>,
    /// The marketplace the order came from (`allegro`, …), if any.
    pub marketplace: Option<String>,
    /// The order's edit link in the shop panel.
    pub edit_link: String,
    /// What was bought.
    pub products: Vec<ProductLine>,
    /// Whether it is paid or refunded.
    pub payment: PaymentSummary,
    /// The parcels sent, with tracking links where the courier has a public page.
    pub parcels: Vec<Parcel>,
}

/// An amount with its currency, exact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Amount {
    /// The amount, rounded to two decimals (serialised as a string, so no float rounding).
    pub amount: Decimal,
    /// The currency code (`PLN`).
    pub currency: String,
}

impl Amount {
    /// `1234.50 PLN` in English, `1234,50 PLN` in Polish.
    pub fn display(&self, locale: Locale) -> String {
        let number = format!("{:.2}", self.amount);
        let number = match locale {
            Locale::Pl => number.replace('.', ","),
            Locale::En => number,
        };
        format!("{number} {}", self.currency).trim_end().to_owned()
    }
}

impl From<Money> for Amount {
    fn from(money: Money) -> Self {
        Self {
            amount: money.rounded(),
            currency: money.currency,
        }
    }
}

impl OrderSummary {
    /// Summarises an order; never fails (missing parts stay `None`).
    pub fn from_order(order: &Order, config: &IntegrationConfig) -> Self {
        let (delivery, is_pickup_point) = delivery_line(order);
        Self {
            order_id: order.order_id.clone(),
            serial_number: order.serial_number,
            status: status_label(order.status.as_str(), config.locale),
            placed: order.add_date,
            delivery,
            is_pickup_point,
            total: order.total().map(Amount::from),
            marketplace: text(&order.source.auction_service).map(str::to_lowercase),
            edit_link: config.order_link(order.serial_number),
            products: ProductLine::of_order(order),
            payment: PaymentSummary::of_order(order, config.locale),
            parcels: Parcel::of_order(order),
        }
    }

    /// The placed date as `YYYY-MM-DD HH:MM`, or empty.
    pub fn placed_display(&self) -> String {
        self.placed
            .map(|placed| placed.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    }

    /// The total as text, or empty when unknown.
    pub fn total_display(&self, locale: Locale) -> String {
        self.total
            .as_ref()
            .map(|total| total.display(locale))
            .unwrap_or_default()
    }

    /// The values of this order's record in the orders field group: `(field name, value)` for
    /// every configured (non-empty) field name, in column order.
    pub fn group_values(&self, group: &OrdersGroupConfig, locale: Locale) -> Vec<(String, String)> {
        let columns = [
            (&group.number, self.serial_number.to_string()),
            (&group.status, self.status.label.clone()),
            (&group.date, self.placed_display()),
            (
                &group.delivery_address,
                self.delivery.clone().unwrap_or_default(),
            ),
            (&group.amount, self.total_display(locale)),
            (&group.link, self.edit_link.clone()),
        ];
        columns
            .into_iter()
            .filter(|(name, _)| !name.trim().is_empty())
            .map(|(name, value)| (name.trim().to_owned(), value))
            .collect()
    }
}

/// The delivery address in one line, or the pickup point when the order goes to one.
fn delivery_line(order: &Order) -> (Option<String>, bool) {
    let client = &order.client;
    let to_pickup_point = client.delivery.as_ref().is_some_and(|delivery| {
        text(&delivery.address_type).is_some_and(|kind| kind.eq_ignore_ascii_case("pickupPoint"))
    });
    if let Some(point) = &client.pickup_point {
        let line = join_line(&[
            &point.name,
            &point.street,
            &postcode_city(&point.zip_code, &point.city),
        ]);
        if line.is_some() && (to_pickup_point || client.delivery.is_none()) {
            let id = text(&point.id)
                .map(|id| format!(" [{id}]"))
                .unwrap_or_default();
            return (line.map(|line| format!("{line}{id}")), true);
        }
    }
    let Some(delivery) = &client.delivery else {
        return (None, false);
    };
    let person = join_words(&[&delivery.first_name, &delivery.last_name]);
    let country = text(&delivery.country)
        .or(text(&delivery.country_id))
        .map(str::to_owned);
    let line = join_line(&[
        &text(&delivery.firm).map(str::to_owned),
        &person,
        &delivery.street,
        &postcode_city(&delivery.zip_code, &delivery.city),
        &country,
    ]);
    (line, to_pickup_point)
}

fn postcode_city(zip: &Option<String>, city: &Option<String>) -> Option<String> {
    join_words(&[zip, city])
}

fn join_words(parts: &[&Option<String>]) -> Option<String> {
    join(parts, " ")
}

fn join_line(parts: &[&Option<String>]) -> Option<String> {
    join(parts, ", ")
}

fn join(parts: &[&Option<String>], separator: &str) -> Option<String> {
    let words: Vec<&str> = parts.iter().filter_map(|part| text(part)).collect();
    (!words.is_empty()).then(|| words.join(separator))
}
