//! Adapters from the engine's ports to the real HTTP clients (feature `clients`).
//!
//! - [`IdoSellShop`] implements [`ShopPort`](super::ports::ShopPort) over
//!   [`iai_shop_client::IdoSellClient`].
//! - [`ThuliumCrm`] implements [`CrmPort`](super::ports::CrmPort) over
//!   [`thulium_client::ThuliumClient`].
//!
//! Both use the clients' page calls, never one request per item: a page of shop customers
//! is one request (whether another page follows is read from `resultsNumberPage`, not from
//! an extra request), an orders search filters by up to 100 clients at once, and a Thulium
//! lookup lists up to 100 shop IDs as alternatives of the ID field in one search.
//!
//! Retries happen inside the clients (their [`RetryPolicy`](iai_shop_client::RetryPolicy)
//! settings); a failure that reaches the engine is a [`PortError`](super::ports::PortError)
//! whose `retryable` flag is the client's own `is_retryable()`, with the HTTP status kept.
//! Its message never carries the API's free text, which may echo customer data.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use sync_core::engine::adapters::{IdoSellShop, ThuliumCrm};
//! use sync_core::engine::ports::ShopPort;
//!
//! let shop = IdoSellShop::new(
//!     iai_shop_client::IdoSellClient::builder("https://client1234.idosell.com".parse()?)
//!         .api_key("…")
//!         .build()?,
//! );
//! let crm = ThuliumCrm::new(
//!     thulium_client::ThuliumClient::builder("https://acme.thulium.com".parse()?)
//!         .credentials("api_user", "…")
//!         .build()?,
//! );
//! let first = shop.customers_page(None, 0, 100).await?;
//! println!("{} customers in {} pages", first.total, first.page_count);
//! # drop(crm);
//! # Ok(())
//! # }
//! ```

mod crm;
mod errors;
mod shop;

pub use crm::ThuliumCrm;
pub use shop::IdoSellShop;
