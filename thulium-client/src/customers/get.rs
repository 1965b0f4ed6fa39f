//! `GET customers/:id`.

use reqwest::Method;

use super::Includes;
use crate::client::{ApiRequest, ThuliumClient};
use crate::error::Result;
use crate::model::Customer;

/// A pending read of one customer; set flags, then [`send`](Self::send).
#[derive(Debug, Clone)]
pub struct GetCustomer {
    client: ThuliumClient,
    customer_id: u64,
    includes: Includes,
}

impl GetCustomer {
    pub(crate) fn new(client: ThuliumClient, customer_id: u64) -> Self {
        Self {
            client,
            customer_id,
            includes: Includes::default(),
        }
    }

    /// Sets all flags at once.
    pub fn includes(mut self, includes: Includes) -> Self {
        self.includes = includes;
        self
    }

    /// Also return the custom fields.
    pub fn include_custom_fields(mut self) -> Self {
        self.includes.custom_fields = true;
        self
    }

    /// Also return the main address.
    pub fn include_address(mut self) -> Self {
        self.includes.address = true;
        self
    }

    /// Also return the invoice address.
    pub fn include_invoice_address(mut self) -> Self {
        self.includes.invoice_address = true;
        self
    }

    /// Also return the mail-drop address.
    pub fn include_mail_drop_address(mut self) -> Self {
        self.includes.mail_drop_address = true;
        self
    }

    /// Sends the request. An unknown id is [`Error::NotFound`](crate::Error::NotFound),
    /// a deleted one may be [`Error::Gone`](crate::Error::Gone).
    pub async fn send(self) -> Result<Customer> {
        let request = ApiRequest::new(Method::GET, format!("customers/{}", self.customer_id))
            .query(self.includes.query().collect());
        self.client.execute(request).await?.decode()
    }
}
