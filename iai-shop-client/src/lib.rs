//! Typed async client for the IdoSell (formerly IAI Shop) Admin API: customers and orders.
//!
//! - [`model`] (always compiled): tolerant decoders for the API's data — customers,
//!   orders, statuses, money — that accept its PHP quirks (`[]` for empty objects, `""`,
//!   `"0000-00-00 00:00:00"`, numbers as strings, missing fields, unknown enum values).
//! - [`webhook`] (always compiled): incoming webhook bodies as a typed trigger.
//! - `IdoSellClient` (feature `http`, on by default): a handler per resource
//!   (`IdoSellClient::clients`, `IdoSellClient::orders`) returning request builders;
//!   one [`Page`] type with one next-page rule ([`Page::has_next`]); item streams that end
//!   on the API's 207 "empty result" or the announced last page, and fail with
//!   `Error::Paging` when `max_pages` cuts a list off; a record without its id rejected
//!   with its JSON path ([`Page::rejected`]); typed errors; retries honouring `Retry-After`.
//!
//! Decoding a model needs no network:
//!
//! ```
//! use iai_shop_client::{Order, OrderStatus, from_json_slice};
//!
//! let order: Order = from_json_slice(br#"{
//!     "orderId": "shop1-901", "orderSerialNumber": "901",
//!     "clientResult": {"clientAccount": {"clientId": 17, "clientEmail": "ala@example.pl"},
//!                      "clientDeliveryAddress": []},
//!     "orderDetails": {
//!         "orderStatus": "packed_ready",
//!         "orderAddDate": "2025-02-01 10:00:00", "orderDispatchDate": 0,
//!         "payments": {"orderCurrency": {"currencyId": "PLN", "orderProductsCost": 100.1,
//!             "orderDeliveryCost": "12.99", "orderPayformCost": 0, "orderInsuranceCost": null}},
//!         "orderSourceResults": {"orderSourceType": "auction", "auctionsServiceName": "allegro"}
//!     }
//! }"#).unwrap();
//! assert_eq!(order.serial_number, 901);
//! assert_eq!(order.status, OrderStatus::PackedReady);
//! assert_eq!(order.dispatch_date, None);
//! assert_eq!(order.total().unwrap().to_string(), "113.09 PLN");
//! assert!(order.is_allegro());
//! ```
//!
//! Talking to a shop (needs a real shop and key, so not run here):
//!
//! ```no_run
//! # #[cfg(feature = "http")]
//! # async fn demo() -> Result<(), iai_shop_client::Error> {
//! use futures::TryStreamExt;
//! use iai_shop_client::{IdoSellClient, VerifyOutcome};
//!
//! let shop = url::Url::parse("https://client1234.idosell.com").unwrap();
//! let api = IdoSellClient::builder(shop).api_key("…key from the panel…").build()?;
//! assert_eq!(api.verify().await?, VerifyOutcome::Ok);
//!
//! let since = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
//! let mut clients = Box::pin(api.clients().list().modified_between(Some(since), None::<chrono::NaiveDate>).stream());
//! while let Some(client) = clients.try_next().await? {
//!     println!("{} {:?}", client.client_id, client.billing.last_name);
//! }
//! let orders = api.orders().by_serial_numbers(&[901, 902]).await?;
//! println!("{} orders", orders.len());
//! # Ok(())
//! # }
//! ```
//!
//! Time zones: the API's dates are shop-local and the zone is undocumented; they are kept as
//! [`chrono::NaiveDateTime`] and the caller decides the zone.

pub mod model;
pub mod webhook;

pub use model::*;

#[cfg(feature = "http")]
mod clients;
#[cfg(feature = "http")]
mod error;
#[cfg(feature = "http")]
mod idosell_client;
#[cfg(feature = "http")]
mod orders;
#[cfg(feature = "http")]
mod paging;
#[cfg(feature = "http")]
mod query;
#[cfg(feature = "http")]
mod transport;
#[cfg(feature = "http")]
mod verify;

#[cfg(feature = "http")]
pub use clients::{ClientListRequest, Clients, CrmSearchRequest, MAX_PAGE_SIZE};
#[cfg(feature = "http")]
pub use error::Error;
#[cfg(feature = "http")]
pub use http_retry::RetryPolicy;
#[cfg(feature = "http")]
pub use idosell_client::{
    DEFAULT_API_VERSION, DEFAULT_MAX_PAGES, IdoSellClient, IdoSellClientBuilder,
    SUPPORTED_API_VERSIONS,
};
#[cfg(feature = "http")]
pub use orders::{
    ClientRef, MAX_IDS_PER_CALL, OrderDateType, OrderSearchRequest, Orders, SortDirection,
};
#[cfg(feature = "http")]
pub use query::DateOrDateTime;
#[cfg(feature = "http")]
pub use verify::{MissingScope, VerifyOutcome};
