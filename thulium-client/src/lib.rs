//! A typed, tolerant async client for the [Thulium](https://thulium.com) REST API:
//! customers, simple custom fields and custom-field groups.
//!
//! The [`model`] types are always compiled (so pure code can use them without an HTTP
//! stack); the [`ThuliumClient`] sits behind the default `http` feature.
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "http")]
//! # fn main() -> Result<(), thulium_client::Error> {
//! use std::time::Duration;
//! use thulium_client::{CustomFieldValue, CustomerInput, ThuliumClient};
//!
//! let url = url::Url::parse("https://acme.thulium.com").map_err(|e| thulium_client::Error::Config(e.to_string()))?;
//! let client = ThuliumClient::builder(url)
//!     .credentials("api_user", "s3cret")
//!     .accept_language("pl")
//!     .timeout(Duration::from_secs(10))
//!     .build()?;
//! assert_eq!(client.api_base().as_str(), "https://acme.thulium.com/api/");
//! assert!(!format!("{client:?}").contains("s3cret"));
//!
//! let input = CustomerInput {
//!     surname: Some("Kowalski".into()),
//!     email: vec!["jan@example.com".into()],
//!     custom_fields: [("IAI Shop ID".to_owned(), CustomFieldValue::Number(1234))].into(),
//!     ..Default::default()
//! };
//! // Inside an async context (needs a real tenant):
//! // let id = client.customers().create(&input).await?;
//! // let found = client.customers().search().custom_field("IAI Shop ID", "1234").page().await?;
//! # let _ = input;
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "http"))]
//! # fn main() {}
//! ```
//!
//! Reading is tolerant (see [`Customer`]):
//!
//! ```
//! let customer: thulium_client::Customer = serde_json::from_str(
//!     r#"{"customer_id": "273", "surname": "Kowalski", "company_id": "",
//!         "custom_fields": {"IAI Shop ID": "1234", "Last order date": "2025-03-01 12:00"}}"#,
//! ).map_err(|e| e.to_string())?;
//! assert_eq!(customer.customer_id, 273);
//! assert_eq!(customer.company_id, None);
//! assert_eq!(customer.custom_fields.number("IAI Shop ID"), Some(1234));
//! assert_eq!(customer.custom_fields.date("Last order date").map(|d| d.to_string()).as_deref(), Some("2025-03-01"));
//! # Ok::<(), String>(())
//! ```
//!
//! # Retries and duplicates
//!
//! GET, PUT and DELETE are retried on 429, 500, 502, 503, 504, timeouts and connection
//! failures, honouring `Retry-After` (seconds or HTTP date) and otherwise waiting a capped,
//! jittered exponential backoff ([`RetryPolicy`]). `POST` creates (customers, batch, group
//! items) are retried **only** when the server certainly did not process them: the
//! connection could not even be opened, or the answer was a 429 (honouring `Retry-After`).
//! After a timeout or a 5xx the request may have created the record, so it is not repeated.
//! To avoid duplicates, store your own id in a custom field (or `identifier`) and, after
//! such an error, search for it (`customers().search().custom_field(..)`) before creating
//! again. The rule is spelt out in [`retry`].
//!
//! # Logging
//!
//! Each call runs in a `thulium.call` span with `method`, `path`, `attempt` and `status`.
//! Query strings (which may hold e-mails or phone numbers) are logged at debug level only;
//! the password is never logged and `Debug` prints `<redacted>`.

pub mod error;
pub mod model;

#[cfg(feature = "http")]
mod client;
#[cfg(feature = "http")]
pub mod customers;
#[cfg(feature = "http")]
pub mod field_groups;
#[cfg(feature = "http")]
mod paging;
#[cfg(feature = "http")]
pub mod retry;
#[cfg(feature = "http")]
pub mod verify;

pub use error::{ApiError, Error, Result, TransportKind};
pub use model::{
    Address, AddressInput, BatchItemOutcome, CustomFieldValue, CustomFields, Customer,
    CustomerInput, ErrorDetail, FieldDef, FieldGroup, FieldGroupItem, FieldGroupItemInput,
    FieldKind, FieldValue, Page, RequiredField,
};

#[cfg(feature = "http")]
pub use client::{Credentials, DEFAULT_MAX_PAGES, ThuliumClient, ThuliumClientBuilder};
#[cfg(feature = "http")]
pub use paging::MAX_PAGE_SIZE;
#[cfg(feature = "http")]
pub use retry::RetryPolicy;
#[cfg(feature = "http")]
pub use verify::VerifyReport;
