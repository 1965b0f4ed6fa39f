//! Order endpoints: `POST orders/orders/search`, `GET orders/orders`, `PUT orders/orders`
//! (status change) and the sandbox's own `POST orders/orders` (order creation).

use std::cmp::Ordering;

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::auth::{Level, Module};
use super::batch::{item_result, write_each};
use super::call::AdminCall;
use super::changes::NewOrder;
use super::error::{ApiError, fault};
use super::json;
use super::model::{AuctionBuyer, OrderLine, ShopOrder};
use super::paging::{self, Paging, select_page};
use super::params::{DateRange, Query, as_list, as_text, as_u64, body_params, parse_ids};
use super::store::{ShopData, StoreError};

const EMPTY_ORDERS: &str = "Wyszukiwarka zamówień: zwrócono pusty wynik";
/// At most this many ids and serial numbers together in `GET orders/orders`.
const MAX_GET_ORDERS: usize = 100;

#[derive(Clone, Copy, PartialEq, Eq)]
enum DateType {
    Add,
    Modified,
    Dispatch,
    /// `payment`, `last_payments_operation` and `declared_payments`: the simulator keeps no
    /// payment records, so a prepaid order counts as paid when it was placed and other
    /// orders as not paid (an assumption of the simulator, not of the API).
    Payment,
}

#[derive(Clone, Copy)]
enum SortKey {
    Id,
    Serial,
    AddDate,
    ChangeDate,
    Status,
    Value,
    Source,
    DiscountCode,
    ReadyToSend,
}

impl SortKey {
    /// The documented `elementName`s (`id`, `sn`, `order_time`, `status`, `order_source`,
    /// `order_cost`, `discount_code`, `ready_to_send_date`) plus the sandbox's
    /// `order_change_time` and `order_value`.
    fn parse(name: &str) -> Result<Self, ApiError> {
        Ok(match name {
            "id" | "orderId" => Self::Id,
            "sn" | "orderSerialNumber" => Self::Serial,
            "order_time" | "orderAddDate" => Self::AddDate,
            "order_change_time" | "orderChangeDate" => Self::ChangeDate,
            "status" | "orderStatus" => Self::Status,
            "order_cost" | "order_value" => Self::Value,
            "order_source" => Self::Source,
            "discount_code" => Self::DiscountCode,
            "ready_to_send_date" => Self::ReadyToSend,
            other => {
                return Err(ApiError::invalid(format!(
                    "ordersBy.elementName: {other:?} is not supported (id, sn, order_time, \
                     status, order_source, order_cost, discount_code, ready_to_send_date, \
                     order_change_time, order_value)"
                )));
            }
        })
    }

    fn compare(self, a: &ShopOrder, b: &ShopOrder) -> Ordering {
        match self {
            Self::Serial => a.serial_number.cmp(&b.serial_number),
            Self::AddDate => a.add_date.cmp(&b.add_date),
            Self::ChangeDate => a.change_date.cmp(&b.change_date),
            Self::Status => a.status.cmp(&b.status),
            Self::Value => (a.total() * a.currency_rate).cmp(&(b.total() * b.currency_rate)),
            Self::Source => (&a.source_type, a.shop_id).cmp(&(&b.source_type, b.shop_id)),
            Self::Id => a.order_id.cmp(&b.order_id),
            // The simulator's orders carry no discount code: all equal.
            Self::DiscountCode => Ordering::Equal,
            // It keeps no ready-to-send date either; dispatch follows it, so it stands in.
            Self::ReadyToSend => a.dispatch_date.cmp(&b.dispatch_date),
        }
    }
}

/// Filters of `POST orders/orders/search`.
struct OrderFilter {
    statuses: Vec<String>,
    order_ids: Vec<String>,
    serials: Vec<u64>,
    clients: Vec<ClientRef>,
    date_type: DateType,
    range: DateRange,
    shop_ids: Vec<u64>,
    auction_services: Vec<String>,
    sort: Vec<(SortKey, bool)>,
}

enum ClientRef {
    Id(u64),
    Login(String),
    Email(String),
}

fn texts(value: Option<&Value>) -> Vec<String> {
    as_list(value).into_iter().filter_map(as_text).collect()
}

fn numbers(value: Option<&Value>, name: &str) -> Result<Vec<u64>, ApiError> {
    as_list(value)
        .into_iter()
        .map(|v| {
            as_u64(v).ok_or_else(|| ApiError::invalid(format!("{name}: {v} is not an integer")))
        })
        .collect()
}

impl OrderFilter {
    fn from_params(params: &Value) -> Result<Self, ApiError> {
        let date_range = params
            .get("ordersRange")
            .and_then(|r| r.get("ordersDateRange"));
        let field = |key: &str| date_range.and_then(|r| r.get(key)).and_then(Value::as_str);
        let date_type = match field("ordersDateType").unwrap_or("add") {
            "add" => DateType::Add,
            "modified" => DateType::Modified,
            "dispatch" => DateType::Dispatch,
            "payment" | "last_payments_operation" | "declared_payments" => DateType::Payment,
            other => {
                return Err(ApiError::invalid(format!(
                    "ordersDateType: {other:?} is not one of add, modified, dispatch, payment, \
                     last_payments_operation, declared_payments"
                )));
            }
        };
        let source = params.get("orderSource");
        let sort = as_list(params.get("ordersBy"))
            .into_iter()
            .map(|by| {
                let name = by.get("elementName").and_then(Value::as_str).unwrap_or("");
                let descending = by
                    .get("sortDirection")
                    .and_then(Value::as_str)
                    .is_some_and(|d| d.eq_ignore_ascii_case("DESC"));
                SortKey::parse(name).map(|key| (key, descending))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            statuses: texts(params.get("ordersStatuses")),
            order_ids: texts(params.get("ordersIds")),
            serials: numbers(params.get("ordersSerialNumbers"), "ordersSerialNumbers")?,
            clients: as_list(params.get("clients"))
                .into_iter()
                .filter_map(client_ref)
                .collect(),
            date_type,
            range: DateRange::parse(
                "ordersDateRange",
                field("ordersDateBegin"),
                field("ordersDateEnd"),
            )?,
            shop_ids: numbers(source.and_then(|s| s.get("shopsIds")), "shopsIds")?,
            auction_services: texts(
                source
                    .and_then(|s| s.get("auctionsParams"))
                    .and_then(|a| a.get("auctionsServicesNames")),
            ),
            sort,
        })
    }

    fn matches(&self, order: &ShopOrder) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&order.status))
            && (self.order_ids.is_empty() || self.order_ids.contains(&order.order_id))
            && (self.serials.is_empty() || self.serials.contains(&order.serial_number))
            && (self.shop_ids.is_empty() || self.shop_ids.contains(&order.shop_id))
            && (self.auction_services.is_empty()
                || order
                    .auction_service
                    .as_ref()
                    .is_some_and(|s| self.auction_services.contains(s)))
            && (self.range.is_open() || self.date_of(order).is_some_and(|d| self.range.contains(d)))
    }

    fn date_of(&self, order: &ShopOrder) -> Option<chrono::NaiveDateTime> {
        match self.date_type {
            DateType::Add => Some(order.add_date),
            DateType::Modified => Some(order.change_date),
            DateType::Dispatch => order.dispatch_date,
            DateType::Payment => (order.payment_type == "prepaid").then_some(order.add_date),
        }
    }

    /// Candidate orders, using the per-client index when a clients filter is given.
    fn candidates<'a>(&self, data: &'a ShopData) -> Vec<&'a ShopOrder> {
        if self.clients.is_empty() {
            return data.orders.values().filter(|o| self.matches(o)).collect();
        }
        let mut client_ids: Vec<u64> = self
            .clients
            .iter()
            .flat_map(|client| resolve_client(data, client))
            .collect();
        client_ids.sort_unstable();
        client_ids.dedup();
        let mut orders: Vec<&ShopOrder> = client_ids
            .into_iter()
            .flat_map(|id| data.orders_of(id))
            .filter(|o| self.matches(o))
            .collect();
        orders.sort_unstable_by_key(|o| o.serial_number);
        orders
    }

    fn sort(&self, orders: &mut [&ShopOrder]) {
        if self.sort.is_empty() {
            return;
        }
        orders.sort_by(|a, b| {
            self.sort
                .iter()
                .map(|(key, descending)| {
                    let order = key.compare(a, b);
                    if *descending { order.reverse() } else { order }
                })
                .find(|o| o.is_ne())
                .unwrap_or_else(|| a.serial_number.cmp(&b.serial_number))
        });
    }
}

fn client_ref(value: &Value) -> Option<ClientRef> {
    if let Some(id) = value.get("clientId").and_then(as_u64) {
        return Some(ClientRef::Id(id));
    }
    if let Some(login) = value.get("clientLogin").and_then(as_text) {
        return Some(ClientRef::Login(login));
    }
    value
        .get("clientEmail")
        .and_then(as_text)
        .map(|e| ClientRef::Email(e.to_lowercase()))
}

fn resolve_client(data: &ShopData, client: &ClientRef) -> Vec<u64> {
    match client {
        ClientRef::Id(id) => vec![*id],
        ClientRef::Login(login) => data.client_id_by_login(login).into_iter().collect(),
        ClientRef::Email(email) => data
            .customers
            .values()
            .filter(|c| {
                c.email
                    .as_deref()
                    .is_some_and(|e| e.to_lowercase() == *email)
            })
            .map(|c| c.client_id)
            .collect(),
    }
}

fn page_of<'a>(orders: &'a [&'a ShopOrder], paging: Paging) -> Vec<&'a ShopOrder> {
    select_page(orders.iter().copied(), paging).1
}

/// `POST /api/admin/{version}/orders/orders/search`.
pub(crate) async fn search(call: AdminCall, body: Bytes) -> Result<Response, ApiError> {
    let state = call.admit(Module::Oms, Level::Read)?;
    let params = body_params(&body)?;
    let filter = OrderFilter::from_params(&params)?;
    let paging = paging::from_params(&params)?;
    let (total, items) = {
        let data = state.read();
        let mut orders = filter.candidates(&data);
        filter.sort(&mut orders);
        let items: Vec<Value> = page_of(&orders, paging)
            .into_iter()
            .map(json::order)
            .collect();
        (orders.len(), items)
    };
    let (status, body) = paging.answer(total, "Results", items, EMPTY_ORDERS);
    Ok(state.reply(status, body))
}

/// `GET /api/admin/{version}/orders/orders?ordersIds=..&ordersSerialNumbers=..`
/// (or `orderExternalId=..`).
pub(crate) async fn get(call: AdminCall, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let state = call.admit(Module::Oms, Level::Read)?;
    let query = Query::parse(raw.as_deref());
    let ids = query.list("ordersIds");
    let serials = parse_ids("ordersSerialNumbers", &query.list("ordersSerialNumbers"))?;
    // `orderExternalId` is a documented key too; the simulator's orders have no external
    // id, so asking by one finds nothing (the "empty result" answer), as for an unknown id.
    let external = query.list("orderExternalId");
    if ids.is_empty() && serials.is_empty() && external.is_empty() {
        return Err(ApiError::invalid(
            "ordersIds, ordersSerialNumbers or orderExternalId is required",
        ));
    }
    if ids.len() + serials.len() > MAX_GET_ORDERS {
        return Err(ApiError::invalid(format!(
            "at most {MAX_GET_ORDERS} ordersIds and ordersSerialNumbers per call"
        )));
    }
    let items: Vec<Value> = {
        let data = state.read();
        let by_id = ids.iter().filter_map(|id| data.order_by_id(id));
        let by_serial = serials.iter().filter_map(|s| data.orders.get(s));
        let mut found: Vec<&ShopOrder> = by_id.chain(by_serial).collect();
        found.sort_unstable_by_key(|o| o.serial_number);
        found.dedup_by_key(|o| o.serial_number);
        found.into_iter().map(json::order).collect()
    };
    if items.is_empty() {
        let body = json!({"errors": fault(2, EMPTY_ORDERS)});
        return Ok(state.reply(StatusCode::MULTI_STATUS, body));
    }
    let body = json!({"resultsNumberAll": items.len(), "Results": items});
    Ok(state.reply(StatusCode::OK, body))
}

/// `PUT /api/admin/{version}/orders/orders` — the sandbox applies `orderStatus` and ignores
/// other fields.
pub(crate) async fn update(call: AdminCall, body: Bytes) -> Result<Response, ApiError> {
    let state = call.admit(Module::Oms, Level::ReadWrite)?;
    let params = body_params(&body)?;
    write_each(state, &params, "orders", "ordersResults", |data, item| {
        let serial = item.get("orderSerialNumber").and_then(as_u64).or_else(|| {
            item.get("orderId")
                .and_then(as_text)
                .and_then(|id| data.order_by_id(&id).map(|o| o.serial_number))
        });
        let status = item.get("orderStatus").and_then(as_text);
        let ids = json!({"orderSerialNumber": serial, "orderId": item.get("orderId")});
        let outcome = match (serial, status) {
            (Some(serial), Some(status)) => data
                .set_status(serial, &status, state.clock.tick())
                .map(drop),
            (None, _) => Err(StoreError::Invalid(
                "orderSerialNumber or an existing orderId is required".into(),
            )),
            (_, None) => Err(StoreError::Invalid("orderStatus is required".into())),
        };
        item_result(ids, outcome)
    })
}

fn decimal(item: &Value, key: &str) -> Option<Decimal> {
    item.get(key)
        .and_then(as_text)
        .and_then(|v| v.trim().parse().ok())
}

/// The body of the sandbox's `POST orders/orders` (not part of the documented API): one
/// item per order with `clientId` (required), `shopId`, `orderType`, `orderStatus`,
/// `orderPaymentType`, `currencyId`, `billingCurrencyRate`, `orderDeliveryCost`,
/// `products[{productId, productName, productCode, productQuantity, productOrderPrice,
/// productVat}]`, `auctionsServiceName` with `auctionClientId/Login/Email`, and
/// `clientNoteToOrder`.
fn new_order(item: &Value) -> Result<NewOrder, StoreError> {
    let client_id = item
        .get("clientId")
        .and_then(as_u64)
        .ok_or_else(|| StoreError::Invalid("clientId is required".into()))?;
    let text = |key: &str, default: &str| {
        item.get(key)
            .and_then(as_text)
            .unwrap_or_else(|| default.to_owned())
    };
    let products = as_list(item.get("products"))
        .into_iter()
        .map(|p| OrderLine {
            product_id: p.get("productId").and_then(as_u64).unwrap_or(1),
            name: p.get("productName").and_then(as_text).unwrap_or_default(),
            code: p.get("productCode").and_then(as_text).unwrap_or_default(),
            quantity: p
                .get("productQuantity")
                .and_then(as_u64)
                .and_then(|q| u32::try_from(q).ok())
                .unwrap_or(1),
            price: decimal(p, "productOrderPrice").unwrap_or_default(),
            vat: decimal(p, "productVat").unwrap_or(Decimal::from(23)),
        })
        .collect();
    let auction = item
        .get("auctionsServiceName")
        .and_then(as_text)
        .map(|service| {
            let buyer = AuctionBuyer {
                client_id: text("auctionClientId", ""),
                login: text("auctionClientLogin", ""),
                email: text("auctionClientEmail", ""),
            };
            (service, buyer)
        });
    let mut order = NewOrder::simple(client_id, Decimal::ZERO);
    order.shop_id = item.get("shopId").and_then(as_u64).unwrap_or(1);
    order.order_type = text("orderType", "n");
    order.status = text("orderStatus", "new");
    order.payment_type = text("orderPaymentType", "prepaid");
    order.currency_id = text("currencyId", "PLN");
    order.currency_rate = decimal(item, "billingCurrencyRate").unwrap_or(Decimal::ONE);
    order.delivery_cost = decimal(item, "orderDeliveryCost").unwrap_or_default();
    order.products = products;
    order.auction = auction;
    order.note = item.get("clientNoteToOrder").and_then(as_text);
    Ok(order)
}

/// `POST /api/admin/{version}/orders/orders` — a sandbox convenience to place orders.
pub(crate) async fn create(call: AdminCall, body: Bytes) -> Result<Response, ApiError> {
    let state = call.admit(Module::Oms, Level::ReadWrite)?;
    let params = body_params(&body)?;
    write_each(
        state,
        &params,
        "orders",
        "ordersResults",
        |data, item| match new_order(item).and_then(|o| data.add_order(o, state.clock.tick())) {
            Ok(order) => item_result(
                json!({"orderId": order.order_id, "orderSerialNumber": order.serial_number}),
                Ok(()),
            ),
            Err(e) => item_result(json!({"orderId": null, "orderSerialNumber": null}), Err(e)),
        },
    )
}
