//! Serialisation of stored customers and orders into the real IdoSell JSON shapes
//! (as the IdoSell Admin API reference, <https://idosell.readme.io/>, documents them), before
//! quirks are applied.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::error::fault;
use super::model::{ShopAddress, ShopCustomer, ShopOrder};

/// `YYYY-MM-DD HH:MM:SS`, the API's date-time format.
pub(crate) const DATE_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
/// `YYYY-MM-DD`, the API's date format.
pub(crate) const DATE_FORMAT: &str = "%Y-%m-%d";

pub(crate) fn date_time(value: NaiveDateTime) -> Value {
    Value::from(value.format(DATE_TIME_FORMAT).to_string())
}

fn opt_date_time(value: Option<NaiveDateTime>) -> Value {
    value.map_or(Value::Null, date_time)
}

fn date(value: NaiveDate) -> Value {
    Value::from(value.format(DATE_FORMAT).to_string())
}

fn text(value: &Option<String>) -> Value {
    Value::from(value.as_deref().unwrap_or(""))
}

/// Amounts are JSON numbers (floats) in the real API.
pub(crate) fn amount(value: Decimal) -> Value {
    value
        .round_dp(2)
        .normalize()
        .to_string()
        .parse::<serde_json::Number>()
        .map_or(Value::Null, Value::Number)
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "y" } else { "n" }
}

/// A customer as `GET clients/clients` returns it.
pub(crate) fn client(customer: &ShopCustomer) -> Value {
    let billing = &customer.billing;
    json!({
        "clientId": customer.client_id,
        "clientsLastModificationDate": date_time(customer.last_modified),
        "clientLogin": customer.login,
        "clientEmail": text(&customer.email),
        "clientCodeExternal": text(&customer.code_external),
        "clientType": customer.client_type,
        "isUnregistered": yes_no(customer.is_unregistered),
        "showClientAsPartner": "n",
        "blockAutomaticallyAssigningGroupDiscount": "n",
        "operator": {},
        "clientBillingAddress": {
            "clientFirstName": text(&billing.first_name),
            "clientLastName": text(&billing.last_name),
            "clientFirm": text(&billing.firm),
            "clientNip": text(&billing.nip),
            "clientStreet": text(&billing.street),
            "clientZipCode": text(&billing.zip_code),
            "clientCity": text(&billing.city),
            "clientCountryId": text(&billing.country_id),
            "clientRegionId": "",
            "clientProvinceId": "",
            "clientPhone1": text(&billing.phone1),
            "clientPhone2": text(&billing.phone2),
        },
        "clientPersonalData": {
            "clientBirthDate": customer.birth_date.map_or(Value::Null, date),
        },
        "clientPreferences": {
            "langId": "pol",
            "currencyId": customer.currency_id,
            "clientIsWholesaler": "no",
            "clientVatPreferences": "",
            "clientGroupDiscountNumber": 0,
            "clientGroupDiscountName": null,
        },
        "newsletterEmailApprovalsData": approvals(customer.newsletter_email, customer, "newsletterEmailApprovalDate"),
        "newsletterSmsApprovalsData": approvals(customer.newsletter_sms, customer, "newsletterSmsApprovalDate"),
        "clientBalances": [],
        "clientTradeCredit": {},
        "affiliateLogin": null,
        "affiliateId": 0,
        "clientRegistrationDate": date(customer.registration_date),
        "clientActiveInShops": customer.shop_ids.iter().map(|id| json!({
            "shopId": id,
            "shopName": shop_name(*id),
        })).collect::<Vec<_>>(),
    })
}

fn approvals(agreed: bool, customer: &ShopCustomer, date_key: &str) -> Value {
    if !agreed {
        return json!([]);
    }
    let entries = customer
        .shop_ids
        .iter()
        .map(|id| json!({ date_key: date(customer.registration_date), "shopId": id }))
        .collect();
    Value::Array(entries)
}

/// The sandbox names its shops; the real name is whatever the merchant typed.
pub(crate) fn shop_name(shop_id: u64) -> String {
    format!("Sklep {shop_id}")
}

/// A customer as `POST clients/crm/search` returns it, following the public v6 schema of
/// `clientsResults[]`: the person's data at the top level (no `clientBillingAddress`),
/// `clientType` in the write spellings, and order statistics.
pub(crate) fn crm_client(customer: &ShopCustomer, orders: &[&ShopOrder]) -> Value {
    let billing = &customer.billing;
    let total: Decimal = orders
        .iter()
        .filter(|o| o.currency_id == customer.currency_id)
        .map(|o| o.total())
        .sum();
    let last_purchase = orders.iter().map(|o| o.add_date).max();
    let recent: Vec<Value> = orders
        .iter()
        .rev()
        .take(10)
        .map(|o| json!({"orderId": o.order_id, "orderSerialNumber": o.serial_number}))
        .collect();
    json!({
        "clientId": customer.client_id,
        "clientLogin": customer.login,
        "clientEmail": text(&customer.email),
        "clientType": crm_client_type(&customer.client_type),
        "clientIsWholesaler": "no",
        "clientCountryId": text(&billing.country_id),
        "langId": "pol",
        "clientFirstName": text(&billing.first_name),
        "clientLastName": text(&billing.last_name),
        "clientPhone1": text(&billing.phone1),
        "clientPhone2": text(&billing.phone2),
        "clientNip": text(&billing.nip),
        "clientFirm": text(&billing.firm),
        "clientCodeExternal": text(&customer.code_external),
        "clientOrdersAllCount": orders.len(),
        "clientTotalOrdersValue": amount(total),
        "clientLastPurchaseDate": opt_date_time(last_purchase),
        "clientOrdersData": recent,
        "clientActiveInShops": customer.shop_ids.iter().map(|id| json!({
            "shopId": id,
            "shopName": shop_name(*id),
        })).collect::<Vec<_>>(),
        "clientBalances": [],
    })
}

/// The CRM search spells the customer type as the write calls do: `person`,
/// `person_male`, `person_female`, `firm` (GET clients says `private`, `male`, ...).
fn crm_client_type(client_type: &str) -> &'static str {
    match client_type {
        "male" | "person_male" => "person_male",
        "female" | "person_female" => "person_female",
        "firm" => "firm",
        _ => "person",
    }
}

fn account(order: &ShopOrder) -> Value {
    let account = &order.account;
    json!({
        "clientId": order.client_id,
        "clientLogin": account.login,
        "clientEmail": text(&account.email),
        "clientPhone1": text(&account.phone1),
        "clientPhone2": text(&account.phone2),
        "clientCodeExternal": text(&account.code_external),
    })
}

fn order_billing(address: &ShopAddress) -> Value {
    json!({
        "clientFirstName": text(&address.first_name),
        "clientLastName": text(&address.last_name),
        "clientFirm": text(&address.firm),
        "clientNip": text(&address.nip),
        "clientStreet": text(&address.street),
        "clientZipCode": text(&address.zip_code),
        "clientCity": text(&address.city),
        "clientCountryName": country_name(&address.country_id),
        "clientCountryId": text(&address.country_id),
        "clientPhone1": text(&address.phone1),
        "clientPhone2": text(&address.phone2),
    })
}

fn country_name(country_id: &Option<String>) -> &'static str {
    match country_id
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pl") => "Polska",
        Some("de") => "Niemcy",
        Some("cz") => "Czechy",
        _ => "",
    }
}

fn delivery(order: &ShopOrder) -> Value {
    let address = order.delivery.as_deref().unwrap_or(&order.billing);
    let kind = if order.pickup_point.is_some() {
        "pickupPoint"
    } else {
        "client"
    };
    json!({
        "clientDeliveryAddressFirstName": text(&address.first_name),
        "clientDeliveryAddressLastName": text(&address.last_name),
        "clientDeliveryAddressFirm": text(&address.firm),
        "clientDeliveryAddressStreet": text(&address.street),
        "clientDeliveryAddressZipCode": text(&address.zip_code),
        "clientDeliveryAddressCity": text(&address.city),
        "clientDeliveryAddressCountry": country_name(&address.country_id),
        "clientDeliveryAddressCountryId": text(&address.country_id),
        "clientDeliveryAddressPhone1": text(&address.phone1),
        "clientDeliveryAddressPhone2": text(&address.phone2),
        "clientDeliveryAddressType": kind,
    })
}

fn pickup_point(order: &ShopOrder) -> Value {
    match &order.pickup_point {
        Some(point) => json!({
            "pickupPointId": point.id,
            "name": point.name,
            "street": point.street,
            "zipCode": point.zip_code,
            "city": point.city,
        }),
        None => json!({}),
    }
}

fn currency(order: &ShopOrder) -> Value {
    json!({
        "currencyId": order.currency_id,
        "orderProductsCost": amount(order.products_cost),
        "orderDeliveryCost": amount(order.delivery_cost),
        "orderPayformCost": amount(order.payform_cost),
        "orderInsuranceCost": amount(order.insurance_cost),
        "billingCurrencyRate": amount(order.currency_rate),
    })
}

fn base_currency(order: &ShopOrder) -> Value {
    let rate = order.currency_rate;
    json!({
        "billingCurrency": "PLN",
        "orderProductsCost": amount(order.products_cost * rate),
        "orderDeliveryCost": amount(order.delivery_cost * rate),
        "orderPayformCost": amount(order.payform_cost * rate),
        "orderInsuranceCost": amount(order.insurance_cost * rate),
    })
}

fn auction_info(order: &ShopOrder) -> Value {
    match &order.auction {
        Some(buyer) => json!({
            "auctionClientId": buyer.client_id,
            "auctionClientLogin": buyer.login,
            "auctionClientEmail": buyer.email,
            // The schema's `auctionItemsIds` is a list of `{auctionItemId}` objects.
            "auctionItemsIds": order.products.iter()
                .map(|p| json!({"auctionItemId": p.product_id.to_string()}))
                .collect::<Vec<_>>(),
        }),
        None => json!({}),
    }
}

fn products(order: &ShopOrder) -> Value {
    let hundred = Decimal::from(100);
    order
        .products
        .iter()
        .map(|line| {
            json!({
                "productId": line.product_id,
                "productName": line.name,
                "productCode": line.code,
                "sizeId": "uniw",
                "productQuantity": line.quantity,
                "productOrderPrice": amount(line.price),
                "productOrderPriceNet": amount(line.price * hundred / (hundred + line.vat)),
                "productVat": amount(line.vat),
            })
        })
        .collect()
}

/// Order statuses before the buyer has paid a prepaid order.
const UNPAID_STATUSES: [&str; 3] = ["new", "payment_waiting", "false"];

/// `prepaids`: the simulator's payments follow from the order. A prepaid order that left
/// the unpaid statuses has one confirmed payment of its value (`paymentStatus` `y`); a
/// cancelled or lost prepaid order also has the refund of it (`paymentType` `repayment`).
/// Cash on delivery and trade credit have no transactions in the shop.
fn prepaids(order: &ShopOrder) -> Value {
    if order.payment_type != "prepaid" || UNPAID_STATUSES.contains(&order.status.as_str()) {
        return json!([]);
    }
    let transaction = |n: u32, kind: &str| {
        json!({
            "prepaidId": order.serial_number * 10 + u64::from(n),
            "paymentOrdinalNumber": n,
            "paymentNumber": format!("{}-{n}", order.serial_number),
            "paymentAddDate": date_time(order.add_date),
            "paymentStatus": "y",
            "paymentType": kind,
            "payformId": 1,
            "payformName": if order.serial_number.is_multiple_of(2) { "Przelewy24" } else { "BLIK" },
            "paymentValue": amount(order.total()),
            "currencyId": order.currency_id,
        })
    };
    let mut list = vec![transaction(1, "payment")];
    if matches!(order.status.as_str(), "canceled" | "lost") {
        list.push(transaction(2, "repayment"));
    }
    Value::Array(list)
}

/// `dispatch`: empty until the order is dispatched; then the courier (InPost for a pickup
/// point, else one of three by serial number) and a shipment number derived from the serial.
fn dispatch(order: &ShopOrder) -> Value {
    if order.dispatch_date.is_none() {
        return json!({});
    }
    let (courier_id, courier_name, number) = if order.pickup_point.is_some() {
        (
            100,
            "InPost Paczkomaty",
            format!("6{:023}", order.serial_number),
        )
    } else {
        match order.serial_number % 3 {
            0 => (1, "DPD", format!("0000{:010}U", order.serial_number)),
            1 => (2, "DHL", format!("{:011}", order.serial_number)),
            _ => (
                3,
                "Poczta Polska",
                format!("00659{:015}", order.serial_number),
            ),
        }
    };
    json!({
        "courierId": courier_id,
        "courierName": courier_name,
        "courierWebserviceOnly": false,
        "deliveryPackageId": number,
        "estimatedDeliveryDate": null,
        "deliveryWeight": 1.0,
    })
}

/// An order as `POST orders/orders/search` and `GET orders/orders` return it.
pub(crate) fn order(order: &ShopOrder) -> Value {
    json!({
        "orderId": order.order_id,
        "orderSerialNumber": order.serial_number,
        "orderType": order.order_type,
        "clientResult": {
            "clientAccount": account(order),
            "endClientAccount": account(order),
            "clientBillingAddress": order_billing(&order.billing),
            "clientDeliveryAddress": delivery(order),
            "clientPickupPointAddress": pickup_point(order),
        },
        "orderDetails": {
            "orderStatus": order.status,
            "orderAddDate": date_time(order.add_date),
            "orderChangeDate": date_time(order.change_date),
            "orderDispatchDate": opt_date_time(order.dispatch_date),
            "purchaseDate": date_time(order.add_date),
            "receivedDate": null,
            "payments": {
                "orderPaymentType": order.payment_type,
                "orderCurrency": currency(order),
                "orderBaseCurrency": base_currency(order),
                "orderWorthCalculateType": "gross",
            },
            "orderSourceResults": {
                "orderSourceType": order.source_type,
                "shopId": order.shop_id,
                "auctionsServiceName": order.auction_service,
                "orderSourceDetails": {},
            },
            "auctionInfo": auction_info(order),
            "productsResults": products(order),
            "prepaids": prepaids(order),
            "dispatch": dispatch(order),
            "orderNote": "",
            "clientNoteToOrder": text(&order.note),
            "discountCode": {},
        },
        // Per-order `errors` is a list of `{faultCode, faultString}` in the schema.
        "errors": [fault(0, "")],
    })
}
