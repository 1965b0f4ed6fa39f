//! Generated orders.

use chrono::{Duration, NaiveDateTime};
use rand::Rng;
use rand::rngs::StdRng;
use rust_decimal::Decimal;

use super::names;
use crate::idosell::{
    AuctionBuyer, NewOrder, ORDER_STATUSES, OrderLine, PickupPointAddress, ShopAddress,
    ShopCustomer,
};

/// How a customer buys on Allegro: their stable relay alias and marketplace login.
#[derive(Debug, Clone)]
pub(crate) struct AllegroBuyer {
    pub(crate) alias: String,
    pub(crate) login: String,
    pub(crate) buyer_id: String,
}

/// Picks a status; older orders are mostly closed, recent ones spread over open statuses.
fn status(rng: &mut StdRng, age_days: i64) -> &'static str {
    if age_days > 30 && rng.random_bool(0.85) {
        let closed = [
            "finished",
            "finished",
            "finished",
            "finished_ext",
            "canceled",
            "lost",
            "false",
            "joined",
        ];
        return closed[rng.random_range(0..closed.len())];
    }
    ORDER_STATUSES[rng.random_range(0..ORDER_STATUSES.len())]
}

fn products(rng: &mut StdRng, eur: bool) -> Vec<OrderLine> {
    (0..rng.random_range(1..=3))
        .map(|_| {
            let index = rng.random_range(0..names::PRODUCTS.len());
            let (name, code, grosze) = names::PRODUCTS[index];
            let price = Decimal::new(grosze, 2);
            let price = if eur {
                (price / Decimal::new(430, 2)).round_dp(2)
            } else {
                price
            };
            OrderLine {
                product_id: 1000 + index as u64,
                name: name.into(),
                code: code.into(),
                quantity: if rng.random_bool(0.8) {
                    1
                } else {
                    rng.random_range(2..=4)
                },
                price,
                vat: Decimal::from(23),
            }
        })
        .collect()
}

fn pickup_point(rng: &mut StdRng) -> PickupPointAddress {
    let (id, name, street, zip, city) =
        names::PICKUP_POINTS[rng.random_range(0..names::PICKUP_POINTS.len())];
    PickupPointAddress {
        id: id.into(),
        name: name.into(),
        street: street.into(),
        zip_code: zip.into(),
        city: city.into(),
    }
}

/// A new order for `customer` placed at `add_date` (`None`: now). Allegro orders come from
/// `allegro` buyers with `allegro_share` probability.
pub(crate) fn new_order(
    rng: &mut StdRng,
    customer: &ShopCustomer,
    allegro: Option<&AllegroBuyer>,
    add_date: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> NewOrder {
    let eur = customer.currency_id == "EUR" || rng.random_bool(0.05);
    let age_days = add_date.map_or(0, |d| (now - d).num_days());
    let status = status(rng, age_days);
    let is_firm = customer.client_type == "firm";
    let mut order = NewOrder::simple(customer.client_id, Decimal::ZERO);
    order.shop_id = customer.shop_ids.first().copied().unwrap_or(1);
    order.order_type = if is_firm && rng.random_bool(0.5) {
        "t"
    } else if rng.random_bool(0.1) {
        "r"
    } else {
        "n"
    }
    .into();
    order.status = status.into();
    order.payment_type = if is_firm && rng.random_bool(0.3) {
        "tradecredit"
    } else if rng.random_bool(0.25) {
        "cash_on_delivery"
    } else {
        "prepaid"
    }
    .into();
    order.currency_id = if eur { "EUR" } else { "PLN" }.into();
    order.currency_rate = if eur {
        Decimal::new(430, 2)
    } else {
        Decimal::ONE
    };
    order.products = products(rng, eur);
    order.delivery_cost = if rng.random_bool(0.2) {
        Decimal::ZERO
    } else {
        Decimal::new(
            *[999i64, 1299, 1499, 1999]
                .get(rng.random_range(0..4))
                .unwrap_or(&999),
            2,
        )
    };
    order.payform_cost = if order.payment_type == "cash_on_delivery" {
        Decimal::new(500, 2)
    } else {
        Decimal::ZERO
    };
    order.insurance_cost = if rng.random_bool(0.05) {
        Decimal::new(250, 2)
    } else {
        Decimal::ZERO
    };
    if rng.random_bool(0.3) {
        order.pickup_point = Some(pickup_point(rng));
    } else if rng.random_bool(0.1) {
        let (street, zip, city) = super::people::address(rng);
        order.delivery = Some(ShopAddress {
            street: Some(street),
            zip_code: Some(zip),
            city: Some(city),
            ..customer.billing.clone()
        });
    }
    if let Some(buyer) = allegro {
        order.auction = Some((
            "allegro".into(),
            AuctionBuyer {
                client_id: buyer.buyer_id.clone(),
                login: buyer.login.clone(),
                email: super::people::allegro_email(rng, &buyer.alias),
            },
        ));
    }
    order.note = rng
        .random_bool(0.05)
        .then(|| "Proszę o dostawę po 16:00.".to_owned());
    order.add_date = add_date;
    if matches!(status, "ready" | "finished" | "finished_ext")
        && let Some(placed) = add_date
    {
        let dispatched = placed + Duration::hours(rng.random_range(2..72));
        order.dispatch_date = Some(dispatched.min(now));
    }
    order
}
