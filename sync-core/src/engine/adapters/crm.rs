//! [`ThuliumCrm`]: the CRM port over the Thulium HTTP client.

use async_trait::async_trait;
use futures::TryStreamExt;
use thulium_client::customers::CustomerSearchRequest;
use thulium_client::verify::{CannotCheckReason, CredentialsStatus, FieldStatus};
use thulium_client::{
    BatchItemOutcome, Customer, CustomerInput, FieldGroup, FieldGroupItem, FieldGroupItemInput,
    FieldValue, MAX_PAGE_SIZE, ThuliumClient,
};

use super::errors::crm_error;
use crate::engine::ports::{
    CrmPage, CrmPort, CustomerUpdate, FieldFinding, PortError, RequiredField,
};

/// The most ID-field values one search lists as alternatives.
const MAX_VALUES_PER_SEARCH: usize = 100;

/// The CRM port over a [`ThuliumClient`]. Searches page through their answer with the
/// largest page Thulium allows, so a lookup of 100 shop IDs is one request.
#[derive(Debug, Clone)]
pub struct ThuliumCrm {
    client: ThuliumClient,
    search_limit: u32,
}

impl ThuliumCrm {
    /// The port over `client`, paging searches 1000 customers at a time.
    pub fn new(client: ThuliumClient) -> Self {
        Self {
            client,
            search_limit: MAX_PAGE_SIZE,
        }
    }

    /// The same port with another page size for searches (clamped into `1..=1000`).
    pub fn with_search_limit(mut self, limit: u32) -> Self {
        self.search_limit = limit.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// The underlying client.
    pub fn client(&self) -> &ThuliumClient {
        &self.client
    }

    /// A search returning what the engine compares: custom fields and the main address.
    fn search(&self) -> CustomerSearchRequest {
        self.client
            .customers()
            .search()
            .include_custom_fields()
            .include_address()
            .page_size(self.search_limit)
    }

    async fn collect(search: CustomerSearchRequest) -> Result<Vec<Customer>, PortError> {
        search
            .stream()
            .try_collect()
            .await
            .map_err(|e| crm_error(&e))
    }
}

fn finding(status: FieldStatus) -> FieldFinding {
    match status {
        FieldStatus::Present => FieldFinding::Present,
        FieldStatus::PresentKindUnknown => FieldFinding::KindUnknown,
        FieldStatus::Missing => FieldFinding::Missing,
        FieldStatus::WrongKind { observed } => FieldFinding::WrongKind { observed },
        FieldStatus::CannotCheck(CannotCheckReason::NoCustomers) => FieldFinding::NoCustomerYet,
        FieldStatus::CannotCheck(CannotCheckReason::CredentialsRefused) => {
            FieldFinding::CannotCheck("the credentials were refused".to_owned())
        }
    }
}

#[async_trait]
impl CrmPort for ThuliumCrm {
    async fn verify(
        &self,
        required: &[RequiredField],
    ) -> Result<Vec<(RequiredField, FieldFinding)>, PortError> {
        let report = self
            .client
            .verify(required)
            .await
            .map_err(|e| crm_error(&e))?;
        match report.credentials {
            CredentialsStatus::Valid => {}
            CredentialsStatus::Invalid => {
                return Err(
                    PortError::permanent("Thulium refused the API user or password")
                        .with_status(401),
                );
            }
            CredentialsStatus::NoPermission => {
                return Err(
                    PortError::permanent("the Thulium API user may not read customers")
                        .with_status(403),
                );
            }
        }
        Ok(required
            .iter()
            .cloned()
            .zip(report.fields.into_iter().map(|check| finding(check.status)))
            .collect())
    }

    async fn find_by_field_values(
        &self,
        field: &str,
        values: &[u64],
    ) -> Result<Vec<Customer>, PortError> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        if values.len() > MAX_VALUES_PER_SEARCH {
            return Err(PortError::permanent(format!(
                "at most {MAX_VALUES_PER_SEARCH} values per search, {} given",
                values.len()
            )));
        }
        let alternatives = values.iter().map(u64::to_string);
        Self::collect(self.search().custom_field_any(field, alternatives)).await
    }

    async fn find_by_email(&self, email: &str) -> Result<Vec<Customer>, PortError> {
        Self::collect(self.search().email(email)).await
    }

    async fn find_by_phone(&self, phone: &str) -> Result<Vec<Customer>, PortError> {
        Self::collect(self.search().phone_number(phone)).await
    }

    async fn customers_page(&self, offset: u64, limit: u32) -> Result<CrmPage, PortError> {
        let page = self
            .search()
            .page_size(limit)
            .offset(offset)
            .page()
            .await
            .map_err(|e| crm_error(&e))?;
        Ok(CrmPage {
            customers: page.items,
            total: page.count,
        })
    }

    async fn customer(&self, customer_id: u64) -> Result<Customer, PortError> {
        self.client
            .customers()
            .get(customer_id)
            .include_custom_fields()
            .send()
            .await
            .map_err(|e| crm_error(&e))
    }

    async fn create_customers(
        &self,
        inputs: &[CustomerInput],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        self.client
            .customers()
            .batch_create(inputs)
            .await
            .map_err(|e| crm_error(&e))
    }

    async fn update_customers(
        &self,
        updates: &[CustomerUpdate],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        let items: Vec<(u64, CustomerInput)> = updates
            .iter()
            .map(|u| (u.customer_id, u.input.clone()))
            .collect();
        self.client
            .customers()
            .batch_update(&items)
            .await
            .map_err(|e| crm_error(&e))
    }

    async fn create_customer(&self, input: &CustomerInput) -> Result<u64, PortError> {
        self.client
            .customers()
            .create(input)
            .await
            .map_err(|e| crm_error(&e))
    }

    async fn update_customer(&self, update: &CustomerUpdate) -> Result<(), PortError> {
        self.client
            .customers()
            .update(update.customer_id, &update.input)
            .await
            .map_err(|e| crm_error(&e))
    }

    async fn field_groups(&self) -> Result<Vec<FieldGroup>, PortError> {
        self.client
            .field_groups()
            .list()
            .await
            .map_err(|e| crm_error(&e))
    }

    async fn field_group_items(
        &self,
        group_id: u64,
        customer_id: u64,
    ) -> Result<Vec<FieldGroupItem>, PortError> {
        self.client
            .field_group_items()
            .list()
            .group_id(group_id)
            .customer_id(customer_id)
            .page_size(MAX_PAGE_SIZE)
            .stream()
            .try_collect()
            .await
            .map_err(|e| crm_error(&e))
    }

    async fn create_field_group_item(&self, item: &FieldGroupItemInput) -> Result<u64, PortError> {
        self.client
            .field_group_items()
            .create(item)
            .await
            .map_err(|e| crm_error(&e))
    }

    async fn update_field_group_item(
        &self,
        item_id: u64,
        values: &[FieldValue],
    ) -> Result<(), PortError> {
        self.client
            .field_group_items()
            .update(item_id, values)
            .await
            .map_err(|e| crm_error(&e))
    }
}
