//! The customers handler: `GET /clients/clients` and `POST /clients/crm/search`, as the
//! IdoSell Admin API reference describes them (<https://idosell.readme.io/>).

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use crate::error::Error;
use crate::idosell_client::IdoSellClient;
use crate::model::{Client, CrmClient};
use crate::paging::{Paging, impl_paged_request, paged_request_methods};
use crate::query::{DATE_FORMAT, DateOrDateTime, Query};
use crate::transport::Call;

pub use crate::paging::MAX_PAGE_SIZE;

/// The customers handler. Get it from [`IdoSellClient::clients`].
///
/// ```no_run
/// # async fn demo(api: iai_shop_client::IdoSellClient) -> Result<(), iai_shop_client::Error> {
/// let page = api.clients().list().active(true).page_size(50).page().await?;
/// println!("{} of {} customers", page.items.len(), page.total);
/// let found = api.clients().crm_search().email("ala@example.pl").page().await?;
/// println!("{:?}", found.items.first().and_then(|c| c.phone1.as_deref()));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Clients {
    pub(crate) client: IdoSellClient,
}

impl Clients {
    /// A `GET /clients/clients` listing; set filters, then call `page` or `stream`.
    pub fn list(&self) -> ClientListRequest {
        ClientListRequest {
            client: self.client.clone(),
            filters: ListFilters::default(),
            paging: Paging::default(),
        }
    }

    /// A `POST /clients/crm/search` (by e-mail, login, names...).
    pub fn crm_search(&self) -> CrmSearchRequest {
        CrmSearchRequest {
            client: self.client.clone(),
            params: Map::new(),
            exact: false,
            paging: Paging::default(),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct ListFilters {
    ids: Vec<u64>,
    codes_external: Vec<String>,
    text_search: Option<String>,
    active: Option<bool>,
    last_purchase: (Option<NaiveDate>, Option<NaiveDate>),
    modified: (Option<DateOrDateTime>, Option<DateOrDateTime>),
    registered: (Option<NaiveDate>, Option<NaiveDate>),
    shop_id: Option<String>,
    return_elements: Vec<String>,
}

/// Filters of `GET /clients/clients`. Every setter narrows the listing.
#[derive(Debug, Clone)]
pub struct ClientListRequest {
    client: IdoSellClient,
    filters: ListFilters,
    paging: Paging,
}

impl ClientListRequest {
    /// Only these customer ids (`clientsIds`).
    pub fn ids(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.filters.ids.extend(ids);
        self
    }

    /// Only these external codes (`clientCodesExternal`).
    pub fn codes_external<S: Into<String>>(mut self, codes: impl IntoIterator<Item = S>) -> Self {
        self.filters
            .codes_external
            .extend(codes.into_iter().map(Into::into));
        self
    }

    /// Free-text search (`clientTextSearch`); the only way to search by phone here.
    pub fn text_search(mut self, text: impl Into<String>) -> Self {
        self.filters.text_search = Some(text.into());
        self
    }

    /// Only active (`true`) or inactive customers (`clientIsActive=yes|no`).
    pub fn active(mut self, active: bool) -> Self {
        self.filters.active = Some(active);
        self
    }

    /// Last purchase on or after / before these dates (`clientLastPurchaseDate[...]`).
    pub fn last_purchase_between(
        mut self,
        begin: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Self {
        self.filters.last_purchase = (begin, end);
        self
    }

    /// Modified within this range (`clientsLastModificationDate[...]`); each bound is a
    /// date or a date-time (shop-local time).
    pub fn modified_between(
        mut self,
        begin: Option<impl Into<DateOrDateTime>>,
        end: Option<impl Into<DateOrDateTime>>,
    ) -> Self {
        self.filters.modified = (begin.map(Into::into), end.map(Into::into));
        self
    }

    /// Registered within this range (`clientRegistrationDate[...]`).
    pub fn registered_between(mut self, begin: Option<NaiveDate>, end: Option<NaiveDate>) -> Self {
        self.filters.registered = (begin, end);
        self
    }

    /// Only customers of this shop (`shopId`, which the API takes as a string).
    pub fn shop_id(mut self, shop_id: impl ToString) -> Self {
        self.filters.shop_id = Some(shop_id.to_string());
        self
    }

    /// Return only these fields (`returnElements`), e.g. `clientEmail`. `clientId` is
    /// always asked for as well: a record without it is rejected.
    pub fn return_elements<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.filters
            .return_elements
            .extend(names.into_iter().map(Into::into));
        with_client_id(&mut self.filters.return_elements);
        self
    }

    paged_request_methods!(Client);

    /// The query string of page `page`, in the API's encoding.
    fn query(&self, page: u32) -> Vec<(String, String)> {
        let f = &self.filters;
        let mut q = Query::default();
        q.list("clientsIds", &f.ids)
            .list("clientCodesExternal", &f.codes_external)
            .opt("clientTextSearch", f.text_search.as_ref())
            .opt(
                "clientIsActive",
                f.active.map(|a| if a { "yes" } else { "no" }),
            )
            .range(
                "clientLastPurchaseDate",
                f.last_purchase.0.map(|d| d.format(DATE_FORMAT)),
                f.last_purchase.1.map(|d| d.format(DATE_FORMAT)),
            )
            .range("clientsLastModificationDate", f.modified.0, f.modified.1)
            .range(
                "clientRegistrationDate",
                f.registered.0.map(|d| d.format(DATE_FORMAT)),
                f.registered.1.map(|d| d.format(DATE_FORMAT)),
            )
            .opt("shopId", f.shop_id.as_ref())
            .list("returnElements", &f.return_elements)
            .opt("resultsPage", Some(page))
            .opt("resultsLimit", Some(self.paging.size));
        q.into_pairs()
    }
}

impl_paged_request!(ClientListRequest, Client);

impl ClientListRequest {
    /// The call of page `number`.
    fn page_call(&self, number: u32) -> Result<Call, Error> {
        Ok(Call::get("clients/clients", self.query(number)))
    }
}

/// Adds `clientId` to a `returnElements` list that lacks it.
fn with_client_id(names: &mut Vec<String>) {
    if !names.iter().any(|n| n == "clientId") {
        names.insert(0, "clientId".to_owned());
    }
}

/// Filters of `POST /clients/crm/search`. Without [`CrmSearchRequest::exact`] the text
/// filters match partially.
#[derive(Debug, Clone)]
pub struct CrmSearchRequest {
    client: IdoSellClient,
    params: Map<String, Value>,
    exact: bool,
    paging: Paging,
}

impl CrmSearchRequest {
    fn text(mut self, key: &str, value: impl Into<String>) -> Self {
        self.params
            .insert(key.to_owned(), Value::String(value.into()));
        self
    }

    /// By e-mail (`clientEmail`).
    pub fn email(self, email: impl Into<String>) -> Self {
        self.text("clientEmail", email)
    }

    /// By login (`clientLogin`).
    pub fn login(self, login: impl Into<String>) -> Self {
        self.text("clientLogin", login)
    }

    /// By first name (`clientFirstName`).
    pub fn first_name(self, name: impl Into<String>) -> Self {
        self.text("clientFirstName", name)
    }

    /// By last name (`clientLastName`).
    pub fn last_name(self, name: impl Into<String>) -> Self {
        self.text("clientLastName", name)
    }

    /// By company name (`clientFirm`).
    pub fn firm(self, firm: impl Into<String>) -> Self {
        self.text("clientFirm", firm)
    }

    /// By tax number (`clientNip`).
    pub fn nip(self, nip: impl Into<String>) -> Self {
        self.text("clientNip", nip)
    }

    /// By external code (`clientCodeExternal`).
    pub fn code_external(self, code: impl Into<String>) -> Self {
        self.text("clientCodeExternal", code)
    }

    /// Exact rather than partial matching (`settingsExactSearch`).
    pub fn exact(mut self, exact: bool) -> Self {
        self.exact = exact;
        self
    }

    /// Return only these fields (`returnElements`); `clientId` is always asked for as well.
    pub fn return_elements<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        let mut names: Vec<String> = names.into_iter().map(Into::into).collect();
        with_client_id(&mut names);
        self.params.insert("returnElements".into(), json!(names));
        self
    }

    paged_request_methods!(CrmClient);

    fn body(&self, page: u32) -> Value {
        let mut params = self.params.clone();
        params.insert("settingsExactSearch".into(), Value::Bool(self.exact));
        params.insert("resultsPage".into(), json!(page));
        params.insert("resultsLimit".into(), json!(self.paging.size));
        json!({ "params": params })
    }
}

impl_paged_request!(CrmSearchRequest, CrmClient);

impl CrmSearchRequest {
    /// The call of page `number`.
    fn page_call(&self, number: u32) -> Result<Call, Error> {
        Ok(Call::post("clients/crm/search", self.body(number)))
    }
}
