//! The orders handler: `POST /orders/orders/search` and `GET /orders/orders`, as the
//! IdoSell Admin API reference describes them (<https://idosell.readme.io/>).

use chrono::NaiveDateTime;
use serde_json::{Map, Value, json};

use crate::error::Error;
use crate::idosell_client::IdoSellClient;
use crate::model::{Order, OrderStatus};
use crate::paging::{Paging, impl_paged_request, paged_request_methods};
use crate::query::{DATE_TIME_FORMAT, Query};
use crate::transport::Call;

/// The most clients one order search may filter by, and the most ids one lookup may carry.
pub const MAX_IDS_PER_CALL: usize = 100;

/// The orders handler. Get it from [`IdoSellClient::orders`].
///
/// ```no_run
/// # async fn demo(api: iai_shop_client::IdoSellClient) -> Result<(), iai_shop_client::Error> {
/// use iai_shop_client::{ClientRef, SortDirection};
///
/// let page = api.orders().search().clients([ClientRef::Id(17)])
///     .order_by("add_date", SortDirection::Descending).page_size(10).page().await?;
/// let by_number = api.orders().by_serial_numbers(&[901, 902]).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Orders {
    pub(crate) client: IdoSellClient,
}

/// A customer to search orders of (one entry of `clients[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientRef {
    /// By customer id (`clientId`).
    Id(u64),
    /// By login (`clientLogin`).
    Login(String),
    /// By e-mail (`clientEmail`).
    Email(String),
}

impl ClientRef {
    fn to_json(&self) -> Value {
        match self {
            Self::Id(id) => json!({ "clientId": id }),
            Self::Login(login) => json!({ "clientLogin": login }),
            Self::Email(email) => json!({ "clientEmail": email }),
        }
    }
}

/// Which date an order date range applies to (`ordersDateType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderDateType {
    /// Placed (`add`).
    Add,
    /// Last modified (`modified`).
    Modified,
    /// Dispatched (`dispatch`).
    Dispatch,
    /// Paid (`payment`).
    Payment,
    /// Last payment operation (`last_payments_operation`).
    LastPaymentsOperation,
    /// Declared payment (`declared_payments`).
    DeclaredPayments,
}

impl OrderDateType {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Modified => "modified",
            Self::Dispatch => "dispatch",
            Self::Payment => "payment",
            Self::LastPaymentsOperation => "last_payments_operation",
            Self::DeclaredPayments => "declared_payments",
        }
    }
}

/// Sort direction of `ordersBy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    /// `ASC`.
    Ascending,
    /// `DESC`.
    Descending,
}

impl Orders {
    /// A `POST /orders/orders/search`; set filters, then call `page` or `stream`.
    pub fn search(&self) -> OrderSearchRequest {
        OrderSearchRequest {
            client: self.client.clone(),
            filters: SearchFilters::default(),
            paging: Paging::default(),
        }
    }

    /// The orders with these serial numbers, via `GET /orders/orders?ordersSerialNumbers=..`,
    /// 100 numbers per call. Unknown numbers are simply missing from the result.
    pub async fn by_serial_numbers(&self, serial_numbers: &[u64]) -> Result<Vec<Order>, Error> {
        let mut orders = Vec::with_capacity(serial_numbers.len());
        for chunk in serial_numbers.chunks(MAX_IDS_PER_CALL) {
            let mut query = Query::default();
            query.list("ordersSerialNumbers", chunk);
            let call = Call::get("orders/orders", query.into_pairs());
            let page = self.client.fetch_page::<Order>(call).await?;
            // A lookup is not a list to read on: a record it cannot decode fails the call.
            if let Some(rejected) = page.rejected.into_iter().next() {
                return Err(Error::Rejected(rejected));
            }
            orders.extend(page.items);
        }
        Ok(orders)
    }
}

#[derive(Debug, Clone, Default)]
struct SearchFilters {
    clients: Vec<ClientRef>,
    statuses: Vec<OrderStatus>,
    ids: Vec<String>,
    serial_numbers: Vec<u64>,
    date_range: Option<(OrderDateType, Option<NaiveDateTime>, Option<NaiveDateTime>)>,
    shop_ids: Vec<u64>,
    auction_services: Vec<String>,
    order_by: Vec<(String, SortDirection)>,
}

/// Filters of `POST /orders/orders/search`. Every setter narrows the search.
#[derive(Debug, Clone)]
pub struct OrderSearchRequest {
    client: IdoSellClient,
    filters: SearchFilters,
    paging: Paging,
}

impl OrderSearchRequest {
    /// Orders of these customers (`clients[]`); at most 100 per search.
    pub fn clients(mut self, clients: impl IntoIterator<Item = ClientRef>) -> Self {
        self.filters.clients.extend(clients);
        self
    }

    /// Orders in these statuses (`ordersStatuses`).
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = OrderStatus>) -> Self {
        self.filters.statuses.extend(statuses);
        self
    }

    /// Orders with these ids (`ordersIds`).
    pub fn order_ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.filters.ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Orders with these serial numbers (`ordersSerialNumbers`).
    pub fn serial_numbers(mut self, numbers: impl IntoIterator<Item = u64>) -> Self {
        self.filters.serial_numbers.extend(numbers);
        self
    }

    /// Orders whose `date_type` date lies in the range (`ordersRange.ordersDateRange`),
    /// shop-local time.
    pub fn date_range(
        mut self,
        date_type: OrderDateType,
        begin: Option<NaiveDateTime>,
        end: Option<NaiveDateTime>,
    ) -> Self {
        self.filters.date_range = Some((date_type, begin, end));
        self
    }

    /// Orders from these shops (`orderSource.shopsIds`).
    pub fn shop_ids(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.filters.shop_ids.extend(ids);
        self
    }

    /// Orders from these marketplaces (`orderSource.auctionsParams.auctionsServicesNames`).
    pub fn auction_services<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.filters
            .auction_services
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Only Allegro orders.
    pub fn allegro_only(self) -> Self {
        self.auction_services(["allegro"])
    }

    /// Sort by `element` (`ordersBy[]{elementName, sortDirection}`); may be repeated.
    pub fn order_by(mut self, element: impl Into<String>, direction: SortDirection) -> Self {
        self.filters.order_by.push((element.into(), direction));
        self
    }

    paged_request_methods!(Order);

    /// The JSON body of page `page`; fails when more than 100 clients are given.
    fn body(&self, page: u32) -> Result<Value, Error> {
        let f = &self.filters;
        if f.clients.len() > MAX_IDS_PER_CALL {
            return Err(Error::InvalidRequest(format!(
                "an order search takes at most {MAX_IDS_PER_CALL} clients, {} given",
                f.clients.len()
            )));
        }
        let mut params = Map::new();
        let mut put = |key: &str, value: Value| {
            params.insert(key.to_owned(), value);
        };
        if !f.statuses.is_empty() {
            put(
                "ordersStatuses",
                f.statuses.iter().map(|s| s.as_str()).collect(),
            );
        }
        if !f.ids.is_empty() {
            put("ordersIds", json!(f.ids));
        }
        if !f.serial_numbers.is_empty() {
            put("ordersSerialNumbers", json!(f.serial_numbers));
        }
        if !f.clients.is_empty() {
            put(
                "clients",
                f.clients.iter().map(ClientRef::to_json).collect(),
            );
        }
        if let Some((date_type, begin, end)) = f.date_range {
            let mut range = Map::new();
            range.insert("ordersDateType".into(), json!(date_type.as_str()));
            for (key, bound) in [("ordersDateBegin", begin), ("ordersDateEnd", end)] {
                if let Some(bound) = bound {
                    range.insert(
                        key.into(),
                        json!(bound.format(DATE_TIME_FORMAT).to_string()),
                    );
                }
            }
            put("ordersRange", json!({ "ordersDateRange": range }));
        }
        if let Some(source) = self.source() {
            put("orderSource", source);
        }
        if !f.order_by.is_empty() {
            put(
                "ordersBy",
                f.order_by.iter().map(|(e, d)| sort_entry(e, *d)).collect(),
            );
        }
        put("resultsPage", json!(page));
        put("resultsLimit", json!(self.paging.size));
        Ok(json!({ "params": params }))
    }

    fn source(&self) -> Option<Value> {
        let f = &self.filters;
        let mut source = Map::new();
        if !f.shop_ids.is_empty() {
            source.insert("shopsIds".into(), json!(f.shop_ids));
        }
        if !f.auction_services.is_empty() {
            source.insert(
                "auctionsParams".into(),
                json!({ "auctionsServicesNames": f.auction_services }),
            );
        }
        (!source.is_empty()).then_some(Value::Object(source))
    }
}

impl_paged_request!(OrderSearchRequest, Order);

impl OrderSearchRequest {
    /// The call of page `number`.
    fn page_call(&self, number: u32) -> Result<Call, Error> {
        Ok(Call::post("orders/orders/search", self.body(number)?))
    }
}

fn sort_entry(element: &str, direction: SortDirection) -> Value {
    let direction = match direction {
        SortDirection::Ascending => "ASC",
        SortDirection::Descending => "DESC",
    };
    json!({ "elementName": element, "sortDirection": direction })
}
