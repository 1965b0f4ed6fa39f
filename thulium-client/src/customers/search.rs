//! `GET customers` with filters, as a page call and an item stream.

use std::collections::BTreeMap;

use futures::stream::BoxStream;
use reqwest::Method;

use super::Includes;
use crate::client::{ApiRequest, ThuliumClient};
use crate::error::Result;
use crate::model::{Customer, Page};
use crate::paging::{DEFAULT_PAGE_SIZE, page_stream};

/// A customer search. Filters AND together; alternatives of one custom field OR.
///
/// Custom fields go out in PHP bracket form, percent-encoded as a form would encode them:
/// `custom_fields[Miasto]=Kraków` is sent as `custom_fields%5BMiasto%5D=Krak%C3%B3w`, and
/// several alternatives as `custom_fields%5BKraj%5D%5B0%5D=POLSKA&custom_fields%5BKraj%5D%5B1%5D=NORWEGIA`.
#[derive(Debug, Clone)]
pub struct CustomerSearchRequest {
    client: ThuliumClient,
    filters: BTreeMap<&'static str, String>,
    custom_fields: BTreeMap<String, Vec<String>>,
    includes: Includes,
    page_size: u32,
    offset: u64,
}

impl CustomerSearchRequest {
    pub(crate) fn new(client: ThuliumClient) -> Self {
        Self {
            client,
            filters: BTreeMap::new(),
            custom_fields: BTreeMap::new(),
            includes: Includes::default(),
            page_size: DEFAULT_PAGE_SIZE,
            offset: 0,
        }
    }

    fn filter(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.filters.insert(name, value.into());
        self
    }

    /// Customers with this e-mail address.
    pub fn email(self, email: impl Into<String>) -> Self {
        self.filter("email", email)
    }

    /// Customers with this phone number (matching rules are undocumented: search with the
    /// same normalised form you write).
    pub fn phone_number(self, phone: impl Into<String>) -> Self {
        self.filter("phone_number", phone)
    }

    /// Customers without any phone number (`phone_number=`).
    pub fn without_phone_number(self) -> Self {
        self.filter("phone_number", "")
    }

    /// Customers with this external identifier.
    pub fn identifier(self, identifier: impl Into<String>) -> Self {
        self.filter("identifier", identifier)
    }

    /// Customers without an identifier (`identifier=`).
    pub fn without_identifier(self) -> Self {
        self.filter("identifier", "")
    }

    /// Customers with this tax id.
    pub fn nip(self, nip: impl Into<String>) -> Self {
        self.filter("nip", nip)
    }

    /// Customers of this company.
    pub fn company_id(self, company_id: u64) -> Self {
        self.filter("company_id", company_id.to_string())
    }

    /// The `company_flag` filter, sent as given (its values are undocumented).
    pub fn company_flag(self, flag: impl Into<String>) -> Self {
        self.filter("company_flag", flag)
    }

    /// Customers of this type (by name).
    pub fn customer_type(self, customer_type: impl Into<String>) -> Self {
        self.filter("type", customer_type)
    }

    /// Customers in this group (by name).
    pub fn group(self, group: impl Into<String>) -> Self {
        self.filter("group", group)
    }

    /// Customers whose custom field `name` equals `value`; calling it again for the same
    /// field adds an alternative (OR).
    pub fn custom_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom_fields
            .entry(name.into())
            .or_default()
            .push(value.into());
        self
    }

    /// Customers whose custom field `name` equals any of `values`.
    pub fn custom_field_any<I, V>(mut self, name: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<String>,
    {
        self.custom_fields
            .entry(name.into())
            .or_default()
            .extend(values.into_iter().map(Into::into));
        self
    }

    super::includes::include_setters!();

    crate::paging::paging_setters!();

    /// The query pairs, in a stable order: filters, custom fields, include flags, paging.
    fn query(&self, offset: u64) -> Vec<(String, String)> {
        let filters = self
            .filters
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()));
        let custom = self.custom_fields.iter().flat_map(|(name, values)| {
            let single = values.len() == 1;
            values.iter().enumerate().map(move |(index, value)| {
                let key = if single {
                    format!("custom_fields[{name}]")
                } else {
                    format!("custom_fields[{name}][{index}]")
                };
                (key, value.clone())
            })
        });
        let paging = [
            ("limit".to_owned(), self.page_size.to_string()),
            ("offset".to_owned(), offset.to_string()),
        ];
        filters
            .chain(custom)
            .chain(self.includes.query())
            .chain(paging)
            .collect()
    }

    async fn fetch(&self, offset: u64) -> Result<Page<Customer>> {
        let request = ApiRequest::new(Method::GET, "customers").query(self.query(offset));
        self.client.execute(request).await?.list()
    }

    /// One page at the configured `offset`.
    pub async fn page(&self) -> Result<Page<Customer>> {
        self.fetch(self.offset).await
    }

    /// Every matching customer from `offset` on, page after page (see the paging guards
    /// on [`ThuliumClientBuilder::max_pages`](crate::ThuliumClientBuilder::max_pages)).
    pub fn stream(self) -> BoxStream<'static, Result<Customer>> {
        let (page_size, offset, max_pages) = (self.page_size, self.offset, self.client.max_pages());
        page_stream(
            page_size,
            offset,
            max_pages,
            |c: &Customer| c.customer_id,
            move |offset| {
                let search = self.clone();
                async move { search.fetch(offset).await }
            },
        )
    }
}
