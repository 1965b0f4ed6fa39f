//! Custom-field groups (`customer_field_groups`) and their items
//! (`customer_field_group_items`).

use futures::stream::BoxStream;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{ApiRequest, ThuliumClient};
use crate::error::{Error, Result};
use crate::model::lenient::opt_u64;
use crate::model::{FieldGroup, FieldGroupItem, FieldGroupItemInput, FieldValue, Page};
use crate::paging::{DEFAULT_PAGE_SIZE, page_stream};

/// The group calls of a client; see [`ThuliumClient::field_groups`].
#[derive(Debug, Clone)]
pub struct FieldGroups {
    client: ThuliumClient,
}

/// The group item calls of a client; see [`ThuliumClient::field_group_items`].
#[derive(Debug, Clone)]
pub struct FieldGroupItems {
    client: ThuliumClient,
}

impl ThuliumClient {
    /// Custom-field group calls.
    pub fn field_groups(&self) -> FieldGroups {
        FieldGroups {
            client: self.clone(),
        }
    }

    /// Custom-field group item calls.
    pub fn field_group_items(&self) -> FieldGroupItems {
        FieldGroupItems {
            client: self.clone(),
        }
    }
}

/// Decodes a list answer in either envelope (an empty body is a decode error).
async fn fetch_page<T: serde::de::DeserializeOwned>(
    client: &ThuliumClient,
    request: ApiRequest,
) -> Result<Page<T>> {
    client.execute(request).await?.list()
}

impl FieldGroups {
    /// `GET customer_field_groups`: every group with its fields (bare array or
    /// `{count, result}` accepted).
    pub async fn list(&self) -> Result<Vec<FieldGroup>> {
        let page = fetch_page(
            &self.client,
            ApiRequest::new(Method::GET, "customer_field_groups"),
        )
        .await?;
        Ok(page.items)
    }
}

#[derive(Deserialize)]
struct CreatedItem {
    #[serde(default, deserialize_with = "opt_u64")]
    item_id: Option<u64>,
}

#[derive(Serialize)]
struct ValuesBody<'a> {
    values: &'a [FieldValue],
}

impl FieldGroupItems {
    /// `GET customer_field_group_items`, filtered and paged; see [`FieldGroupItemListRequest`].
    pub fn list(&self) -> FieldGroupItemListRequest {
        FieldGroupItemListRequest {
            client: self.client.clone(),
            group_id: None,
            customer_id: None,
            page_size: DEFAULT_PAGE_SIZE,
            offset: 0,
        }
    }

    /// `POST customer_field_group_items`: returns the new `item_id`. Not retried once sent
    /// (a repeat could duplicate the record): list the customer's items before re-creating.
    pub async fn create(&self, item: &FieldGroupItemInput) -> Result<u64> {
        let request = ApiRequest::new(Method::POST, "customer_field_group_items").json(item)?;
        let response = self.client.execute(request).await?;
        let created: CreatedItem = response.decode()?;
        created.item_id.ok_or_else(|| Error::Decode {
            status: response.status,
            path: "item_id".into(),
            message: "created, but the answer has no usable item_id".into(),
            body_excerpt: crate::error::excerpt(&response.body),
        })
    }

    /// `PUT customer_field_group_items/:id` with the item's new values.
    pub async fn update(&self, item_id: u64, values: &[FieldValue]) -> Result<()> {
        let request = ApiRequest::new(Method::PUT, format!("customer_field_group_items/{item_id}"))
            .json(&ValuesBody { values })?;
        self.client.execute(request).await.map(drop)
    }

    /// `DELETE customer_field_group_items/:id`.
    pub async fn delete(&self, item_id: u64) -> Result<()> {
        let request = ApiRequest::new(
            Method::DELETE,
            format!("customer_field_group_items/{item_id}"),
        );
        self.client.execute(request).await.map(drop)
    }
}

/// A listing of group items by group and/or customer.
#[derive(Debug, Clone)]
pub struct FieldGroupItemListRequest {
    client: ThuliumClient,
    group_id: Option<u64>,
    customer_id: Option<u64>,
    page_size: u32,
    offset: u64,
}

impl FieldGroupItemListRequest {
    /// Only items of this group.
    pub fn group_id(mut self, group_id: u64) -> Self {
        self.group_id = Some(group_id);
        self
    }

    /// Only items of this customer.
    pub fn customer_id(mut self, customer_id: u64) -> Self {
        self.customer_id = Some(customer_id);
        self
    }

    crate::paging::paging_setters!();

    fn request(&self, offset: u64) -> ApiRequest {
        let ids = [
            ("group_id", self.group_id),
            ("customer_id", self.customer_id),
        ];
        let mut query: Vec<(String, String)> = ids
            .iter()
            .filter_map(|(k, v)| v.map(|v| ((*k).to_owned(), v.to_string())))
            .collect();
        query.push(("limit".into(), self.page_size.to_string()));
        query.push(("offset".into(), offset.to_string()));
        ApiRequest::new(Method::GET, "customer_field_group_items").query(query)
    }

    /// One page at the configured offset.
    pub async fn page(&self) -> Result<Page<FieldGroupItem>> {
        fetch_page(&self.client, self.request(self.offset)).await
    }

    /// Every matching item, page after page; ends like the customer stream.
    pub fn stream(self) -> BoxStream<'static, Result<FieldGroupItem>> {
        let (page_size, offset, max_pages) = (self.page_size, self.offset, self.client.max_pages());
        page_stream(
            page_size,
            offset,
            max_pages,
            |i: &FieldGroupItem| i.item_id,
            move |offset| {
                let list = self.clone();
                async move { fetch_page(&list.client, list.request(offset)).await }
            },
        )
    }
}
