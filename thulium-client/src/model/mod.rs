//! The data shapes of the Thulium API, compiled without the HTTP client.
//!
//! One file per concept; the tolerant decoding helpers live in `lenient`.

mod address;
mod batch;
mod custom_fields;
mod customer;
mod customer_input;
mod error_detail;
mod field_group;
pub(crate) mod lenient;
mod list;
mod required_field;

pub use address::{Address, AddressInput};
pub use batch::{BatchItemOutcome, BatchOperation, parse_batch_outcomes};
#[cfg(feature = "http")]
pub(crate) use custom_fields::parse_date;
pub use custom_fields::{CustomFieldValue, CustomFields, DATE_FORMAT};
pub use customer::Customer;
pub use customer_input::CustomerInput;
pub use error_detail::ErrorDetail;
pub(crate) use error_detail::error_details;
pub use field_group::{FieldDef, FieldGroup, FieldGroupItem, FieldGroupItemInput, FieldValue};
pub use list::{DecodeFailure, Page};
pub use required_field::{FieldKind, RequiredField};
