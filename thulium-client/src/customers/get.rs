//! `GET customers/:id`.

use reqwest::Method;

use super::Includes;
use crate::client::{ApiRequest, ThuliumClient};
use crate::error::Result;
use crate::model::Customer;

/// A pending read of one customer; set flags, then [`send`](Self::send).
#[derive(Debug, Clone)]
pub struct GetCustomerRequest {
    client: ThuliumClient,
    customer_id: u64,
    includes: Includes,
}

impl GetCustomerRequest {
    pub(crate) fn new(client: ThuliumClient, customer_id: u64) -> Self {
        Self {
            client,
            customer_id,
            includes: Includes::default(),
        }
    }

    super::includes::include_setters!();

    /// Sends the request. An unknown id is [`Error::NotFound`](crate::Error::NotFound),
    /// a deleted one may be [`Error::Gone`](crate::Error::Gone).
    pub async fn send(self) -> Result<Customer> {
        let request = ApiRequest::new(Method::GET, format!("customers/{}", self.customer_id))
            .query(self.includes.query().collect());
        self.client.execute(request).await?.decode()
    }
}
