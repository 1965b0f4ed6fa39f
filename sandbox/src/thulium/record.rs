//! What the simulator stores: the full truth about each customer, including everything the
//! read API hides (all e-mails), for snapshots and assertions.

use std::collections::BTreeMap;

/// A postal address as written (`street`, `building`, `flat`, `postcode`, `city`, `country`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    /// Street name.
    pub street: Option<String>,
    /// Building number.
    pub building: Option<String>,
    /// Flat number.
    pub flat: Option<String>,
    /// Postal code.
    pub postcode: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Country.
    pub country: Option<String>,
}

/// One record of a custom-field group attached to a customer.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldGroupItemRecord {
    /// Id of the item.
    pub item_id: u64,
    /// Id of the group it belongs to.
    pub group_id: u64,
    /// Id of the customer it is attached to.
    pub customer_id: u64,
    /// Values by field id, as written.
    pub values: BTreeMap<u64, serde_json::Value>,
}

/// A stored customer with everything the simulator knows about it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerRecord {
    /// The id (`customer_id`).
    pub customer_id: u64,
    /// First name.
    pub name: Option<String>,
    /// Surname (required on create).
    pub surname: Option<String>,
    /// Every e-mail address, in the order written (the read API shows only the first).
    pub emails: Vec<String>,
    /// Every phone number, primary first, with spaces and dashes removed.
    pub phones: Vec<String>,
    /// Company the customer belongs to.
    pub company_id: Option<u64>,
    /// Free external identifier.
    pub identifier: Option<String>,
    /// Customer type name (`type`).
    pub customer_type: Option<String>,
    /// Customer group name.
    pub group: Option<String>,
    /// Tax id.
    pub nip: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Other documented scalar keys (`gender`, `birthdate`, `pesel`, `job`, `job_title`,
    /// `homepage`, `account_manager`, `vip`) as written.
    pub other: BTreeMap<String, String>,
    /// Main address.
    pub address: Option<Address>,
    /// Invoice address.
    pub invoice_address: Option<Address>,
    /// Mail-drop address.
    pub mail_drop_address: Option<Address>,
    /// Custom fields that hold a value, by display name (numbers as JSON numbers, dates and
    /// text as strings).
    pub custom_fields: BTreeMap<String, serde_json::Value>,
    /// Last change, `YYYY-MM-DD HH:MM:SS`.
    pub updated_at: String,
    /// Field-group items attached to the customer (filled in snapshots; ignored when the
    /// record is given in the configuration).
    pub field_group_items: Vec<FieldGroupItemRecord>,
}
