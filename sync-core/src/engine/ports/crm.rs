//! The CRM side: Thulium customers and custom-field group items.

use async_trait::async_trait;
use thulium_client::{
    BatchItemOutcome, Customer, CustomerInput, FieldGroup, FieldGroupItem, FieldGroupItemInput,
    FieldKind, FieldValue, RequiredField,
};

use super::PortError;

/// One page of the tenant's customers.
#[derive(Debug, Clone, PartialEq)]
pub struct CrmPage {
    /// The customers on this page, with their custom fields.
    pub customers: Vec<Customer>,
    /// The tenant's total, when the answer says it.
    pub total: Option<u64>,
}

/// An update of one Thulium customer.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerUpdate {
    /// The customer to update.
    pub customer_id: u64,
    /// The full desired state (lists are sent whole: replace vs merge is undocumented).
    pub input: CustomerInput,
}

/// What the CRM says about one required field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldFinding {
    /// The field exists and a sampled value fits the kind.
    Present,
    /// The field exists; no value was seen, so its kind could not be checked.
    KindUnknown,
    /// No field with this name exists in the tenant.
    Missing,
    /// A sampled value does not fit the kind; `observed` is what it looked like.
    WrongKind {
        /// The kind the value looked like.
        observed: FieldKind,
    },
    /// The tenant has no customer yet, and Thulium shows which custom fields exist only on
    /// a customer: the field is verified on the first write instead (see the preflight).
    NoCustomerYet,
    /// The field could not be checked for another reason.
    CannotCheck(String),
}

/// The Thulium CRM, as the engine uses it.
#[async_trait]
pub trait CrmPort: Send + Sync {
    /// Checks the credentials (refused credentials are an `Err`) and reports on each of the
    /// `required` custom fields, in the order asked.
    async fn verify(
        &self,
        required: &[RequiredField],
    ) -> Result<Vec<(RequiredField, FieldFinding)>, PortError>;

    /// Every customer whose custom field `field` holds one of `values` — the values are sent
    /// as alternatives of one search (`custom_fields[field][i]=…`); the adapter pages through
    /// the answer. At most 100 values per call.
    async fn find_by_field_values(
        &self,
        field: &str,
        values: &[u64],
    ) -> Result<Vec<Customer>, PortError>;

    /// Customers with this e-mail address.
    async fn find_by_email(&self, email: &str) -> Result<Vec<Customer>, PortError>;

    /// Customers with this phone number (in the normalised form the engine writes).
    async fn find_by_phone(&self, phone: &str) -> Result<Vec<Customer>, PortError>;

    /// One page of the whole tenant, with custom fields (`limit` at most 1000).
    async fn customers_page(&self, offset: u64, limit: u32) -> Result<CrmPage, PortError>;

    /// One customer with its custom fields (`GET customers/:id?include_custom_fields=true`).
    ///
    /// The default answers that the port cannot read single customers; the engine needs it
    /// only to verify the custom fields on the first write into an empty tenant.
    async fn customer(&self, customer_id: u64) -> Result<Customer, PortError> {
        Err(PortError::permanent(format!(
            "this CRM port cannot read customer {customer_id} alone"
        )))
    }

    /// Creates customers in one batch request; one outcome per input, in order.
    async fn create_customers(
        &self,
        inputs: &[CustomerInput],
    ) -> Result<Vec<BatchItemOutcome>, PortError>;

    /// Updates customers in one batch request; one outcome per update, in order.
    async fn update_customers(
        &self,
        updates: &[CustomerUpdate],
    ) -> Result<Vec<BatchItemOutcome>, PortError>;

    /// Creates one customer; returns its `customer_id`.
    async fn create_customer(&self, input: &CustomerInput) -> Result<u64, PortError>;

    /// Updates one customer.
    async fn update_customer(&self, update: &CustomerUpdate) -> Result<(), PortError>;

    /// The custom-field groups defined in the tenant, with their fields.
    async fn field_groups(&self) -> Result<Vec<FieldGroup>, PortError>;

    /// The items of `group_id` held by one customer.
    async fn field_group_items(
        &self,
        group_id: u64,
        customer_id: u64,
    ) -> Result<Vec<FieldGroupItem>, PortError>;

    /// Adds an item to a customer's group; returns its `item_id`.
    async fn create_field_group_item(&self, item: &FieldGroupItemInput) -> Result<u64, PortError>;

    /// Replaces the values of an item.
    async fn update_field_group_item(
        &self,
        item_id: u64,
        values: &[FieldValue],
    ) -> Result<(), PortError>;
}
