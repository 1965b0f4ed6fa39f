//! Customers: `GET /clients/clients` and `POST /clients/crm/search` (reference §3).

use chrono::NaiveDate;
use futures::Stream;
use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::client::IdoSellClient;
use crate::error::Error;
use crate::model::{Client, CrmClient, Page, RawPage};
use crate::paging;
use crate::query::{DATE_FORMAT, DateOrDateTime, Query};
use crate::transport::{Answer, Body};

/// The most items the API returns per page.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The customer calls. Get it from [`IdoSellClient::clients`].
#[derive(Debug, Clone)]
pub struct ClientsApi {
    pub(crate) client: IdoSellClient,
}

impl ClientsApi {
    /// A `GET /clients/clients` listing; set filters, then call `page` or `stream`.
    pub fn list(&self) -> ClientListRequest {
        ClientListRequest {
            client: self.client.clone(),
            filters: ListFilters::default(),
        }
    }

    /// A `POST /clients/crm/search` (by e-mail, login, names...).
    pub fn crm_search(&self) -> CrmSearchRequest {
        CrmSearchRequest {
            client: self.client.clone(),
            params: Map::new(),
            exact: false,
            limit: MAX_PAGE_SIZE,
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
    limit: Option<u32>,
}

/// Filters of `GET /clients/clients`. Every setter narrows the listing.
#[derive(Debug, Clone)]
pub struct ClientListRequest {
    client: IdoSellClient,
    filters: ListFilters,
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

    /// Return only these fields (`returnElements`), e.g. `clientId`, `clientEmail`.
    pub fn return_elements<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.filters
            .return_elements
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Items per page (`resultsLimit`, 1..=100; default 100).
    pub fn page_size(mut self, limit: u32) -> Self {
        self.filters.limit = Some(limit.clamp(1, MAX_PAGE_SIZE));
        self
    }

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
            .opt("resultsLimit", Some(f.limit.unwrap_or(MAX_PAGE_SIZE)));
        q.into_pairs()
    }

    /// Fetches page `page` (0-based). A page past the end is an empty page, not an error.
    pub async fn page(&self, page: u32) -> Result<Page<Client>, Error> {
        let answer = self
            .client
            .call::<Client>(
                Method::GET,
                "clients/clients",
                &self.query(page),
                Body::None,
            )
            .await?;
        Ok(into_page(answer, page))
    }

    /// All matching customers, page after page (see [`IdoSellClient`] `max_pages`).
    pub fn stream(self) -> impl Stream<Item = Result<Client, Error>> + Send + 'static {
        let max_pages = self.client.inner.max_pages;
        paging::items(max_pages, move |page| {
            let request = self.clone();
            async move { request.page(page).await }
        })
    }
}

/// Filters of `POST /clients/crm/search`. Without [`CrmSearchRequest::exact`] the text
/// filters match partially.
#[derive(Debug, Clone)]
pub struct CrmSearchRequest {
    client: IdoSellClient,
    params: Map<String, Value>,
    exact: bool,
    limit: u32,
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

    /// Return only these fields (`returnElements`).
    pub fn return_elements<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        let names: Vec<Value> = names.into_iter().map(|n| Value::String(n.into())).collect();
        self.params
            .insert("returnElements".into(), Value::Array(names));
        self
    }

    /// Items per page (`resultsLimit`, 1..=100; default 100).
    pub fn page_size(mut self, limit: u32) -> Self {
        self.limit = limit.clamp(1, MAX_PAGE_SIZE);
        self
    }

    fn body(&self, page: u32) -> Value {
        let mut params = self.params.clone();
        params.insert("settingsExactSearch".into(), Value::Bool(self.exact));
        params.insert("resultsPage".into(), json!(page));
        params.insert("resultsLimit".into(), json!(self.limit));
        json!({ "params": params })
    }

    /// Fetches page `page` (0-based) of the search (`clientsResults`).
    pub async fn page(&self, page: u32) -> Result<Page<CrmClient>, Error> {
        let answer = self
            .client
            .call::<CrmClient>(
                Method::POST,
                "clients/crm/search",
                &[],
                Body::Json(self.body(page)),
            )
            .await?;
        Ok(into_page(answer, page))
    }

    /// All customers found, page after page.
    pub fn stream(self) -> impl Stream<Item = Result<CrmClient, Error>> + Send + 'static {
        let max_pages = self.client.inner.max_pages;
        paging::items(max_pages, move |page| {
            let request = self.clone();
            async move { request.page(page).await }
        })
    }
}

/// The typed page of an answer; the API's "empty result" is an empty page.
pub(crate) fn into_page<T>(answer: Answer<RawPage<T>>, page: u32) -> Page<T> {
    match answer {
        Answer::Data(raw) => raw.into_page(page),
        Answer::Empty => Page::empty(page),
    }
}
