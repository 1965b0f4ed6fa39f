//! `customers` and `batch/customers`.

mod batch;
mod get;
mod includes;
mod search;

pub use get::GetCustomerRequest;
pub use includes::Includes;
pub use search::CustomerSearchRequest;

use reqwest::Method;
use serde::Deserialize;

use crate::client::{ApiRequest, ThuliumClient};
use crate::error::{Error, Result};
use crate::model::CustomerInput;
use crate::model::lenient::opt_u64;

/// The customer calls of a client; see [`ThuliumClient::customers`].
#[derive(Debug, Clone)]
pub struct Customers {
    client: ThuliumClient,
}

impl ThuliumClient {
    /// Customer calls: get, search, create, update, delete, batch.
    pub fn customers(&self) -> Customers {
        Customers {
            client: self.clone(),
        }
    }
}

/// `{"customer_id": N}`, the id as a number or a numeric string.
#[derive(Deserialize)]
struct Created {
    #[serde(default, deserialize_with = "opt_u64")]
    customer_id: Option<u64>,
}

impl Customers {
    /// `GET customers/:id`; choose the `include_*` flags on the returned request.
    pub fn get(&self, customer_id: u64) -> GetCustomerRequest {
        GetCustomerRequest::new(self.client.clone(), customer_id)
    }

    /// `GET customers` with filters; see [`CustomerSearchRequest`].
    pub fn search(&self) -> CustomerSearchRequest {
        CustomerSearchRequest::new(self.client.clone())
    }

    /// `POST customers` (201): creates a customer and returns its new `customer_id`.
    ///
    /// Never retried once the request may have been processed (a 429 or a refused connection
    /// is retried; see [`crate::retry`]): a lost answer could otherwise create a duplicate.
    /// After a timeout or 5xx, look the customer up by the
    /// external id you store in a custom field (or `identifier`) before creating it again.
    /// A 2xx answer without a usable `customer_id` is an [`Error::Decode`]: the customer
    /// probably exists, so search before retrying.
    pub async fn create(&self, input: &CustomerInput) -> Result<u64> {
        let response = self
            .client
            .execute(ApiRequest::new(Method::POST, "customers").json(input)?)
            .await?;
        let created: Created = response.decode()?;
        created.customer_id.ok_or_else(|| Error::Decode {
            status: response.status,
            path: "customer_id".into(),
            message: "created, but the answer has no usable customer_id".into(),
            body_excerpt: crate::error::excerpt(&response.body),
        })
    }

    /// `PUT customers/:id` (204). Send the full desired e-mail/phone lists: whether Thulium
    /// merges or replaces them is undocumented.
    pub async fn update(&self, customer_id: u64, input: &CustomerInput) -> Result<()> {
        let request =
            ApiRequest::new(Method::PUT, format!("customers/{customer_id}")).json(input)?;
        self.client.execute(request).await.map(drop)
    }

    /// `DELETE customers/:id` (204). Calls, chats and tickets of the customer are kept.
    pub async fn delete(&self, customer_id: u64) -> Result<()> {
        let request = ApiRequest::new(Method::DELETE, format!("customers/{customer_id}"));
        self.client.execute(request).await.map(drop)
    }
}
