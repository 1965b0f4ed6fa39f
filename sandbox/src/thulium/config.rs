//! What a simulated Thulium tenant looks like at start: users, custom fields, field groups.

use super::agents::MidReadChanges;
use super::quirks::ThuliumQuirks;
use super::record::CustomerRecord;
use crate::generator::AgentContact;

/// The type an administrator gave a simple custom field in the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomFieldKind {
    /// A number; a JSON number or a numeric string is accepted on write.
    Numeric,
    /// A calendar date written as `YYYY-MM-DD`.
    Date,
    /// Free text.
    Text,
}

/// One simple custom field ("pole specjalne"), addressed by its display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomFieldDef {
    /// Display name, the key used in `custom_fields` objects and search filters.
    pub name: String,
    /// What values the field accepts.
    pub kind: CustomFieldKind,
    /// Writes are skipped unless the request sets `fill_read_only_custom_fields`.
    pub read_only: bool,
}

impl CustomFieldDef {
    /// A writable field.
    pub fn new(name: impl Into<String>, kind: CustomFieldKind) -> Self {
        Self {
            name: name.into(),
            kind,
            read_only: false,
        }
    }

    /// A read-only field.
    pub fn read_only(name: impl Into<String>, kind: CustomFieldKind) -> Self {
        Self {
            read_only: true,
            ..Self::new(name, kind)
        }
    }
}

/// A custom-field group (repeatable structured records) and the names of its fields.
/// Ids are assigned at start: groups from 1 in order, fields from 1 across all groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldGroupDef {
    /// Group name, e.g. `"Orders"`.
    pub name: String,
    /// Field names in display order.
    pub fields: Vec<String>,
}

/// An extra API user who authenticates but may use only some HTTP methods (403 otherwise).
#[derive(Clone, PartialEq, Eq)]
pub struct RestrictedUser {
    /// Login of the API user.
    pub user: String,
    /// Password of the API user.
    pub password: String,
    /// Methods this user may call, upper case (`"GET"`); empty means none.
    pub allowed_methods: Vec<String>,
}

impl std::fmt::Debug for RestrictedUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestrictedUser")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("allowed_methods", &self.allowed_methods)
            .finish()
    }
}

/// Configuration of a [`ThuliumSim`](super::ThuliumSim).
#[derive(Clone)]
pub struct ThuliumSimConfig {
    /// Login of the API user with every permission.
    pub user: String,
    /// Password of that user.
    pub password: String,
    /// An optional second user limited to some methods.
    pub restricted_user: Option<RestrictedUser>,
    /// The simple custom fields defined in the tenant.
    pub custom_fields: Vec<CustomFieldDef>,
    /// The custom-field groups defined in the tenant.
    pub field_groups: Vec<FieldGroupDef>,
    /// Seed of the fault injector.
    pub seed: u64,
    /// Customers present at start. A `customer_id` of 0 gets the next free id; custom fields
    /// and field-group items in them are stored as given (not validated).
    pub initial_customers: Vec<CustomerRecord>,
    /// Numeric custom fields are read back as strings (`"1234"`), as PHP back ends often do;
    /// `false` reads them back as JSON numbers.
    pub numbers_as_strings: bool,
    /// Loopback port to listen on (0: any free port).
    pub port: u16,
    /// Contacts agents made before any sync (see
    /// [`agent_contacts`](crate::generator::agent_contacts)), stored after
    /// `initial_customers` in this order (a `customer_id` of 0 gets the next free id) and
    /// listed by [`ThuliumSim::agent_contacts`](super::ThuliumSim::agent_contacts). Empty by
    /// default.
    pub agent_contacts: Vec<AgentContact>,
    /// Tenant behaviours that make a client's life harder; all off by default.
    pub quirks: ThuliumQuirks,
    /// Agents adding and deleting contacts during tenant reads; off (`None`) by default.
    pub mid_read_changes: Option<MidReadChanges>,
}

impl Default for ThuliumSimConfig {
    fn default() -> Self {
        Self {
            user: "api_sync".to_owned(),
            password: "sandbox-thulium-password".to_owned(),
            restricted_user: None,
            port: 0,
            custom_fields: vec![
                CustomFieldDef::new("IAI Shop ID", CustomFieldKind::Numeric),
                CustomFieldDef::new("IAI Shop last order date", CustomFieldKind::Date),
                CustomFieldDef::new("Allegro login", CustomFieldKind::Text),
            ],
            field_groups: vec![FieldGroupDef {
                name: "Orders".to_owned(),
                fields: [
                    "Number",
                    "Status",
                    "Date",
                    "Delivery address",
                    "Amount",
                    "Link",
                ]
                .map(str::to_owned)
                .to_vec(),
            }],
            seed: 0,
            initial_customers: Vec::new(),
            numbers_as_strings: true,
            agent_contacts: Vec::new(),
            quirks: ThuliumQuirks::default(),
            mid_read_changes: None,
        }
    }
}
