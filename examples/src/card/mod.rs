//! The customer card served over HTTP: the "IAI Shop" tab an agent opens from a Thulium
//! customer.
//!
//! [`card_router`] builds an axum [`Router`](axum::Router) with two pages, both read live
//! from the shop on every request:
//!
//! | Route | What |
//! |---|---|
//! | `GET /card/shop/{client_id}` | the card of a shop customer |
//! | `GET /card/{thulium_customer_id}` | the card of the shop customer linked to a Thulium customer through the configured ID field |
//!
//! Both answer HTML by default and JSON with `?format=json`. A card costs the shop exactly
//! one customer lookup by id and one order search (the newest
//! [`card_orders`](sync_core::config::IntegrationConfig::card_orders) orders); the
//! Thulium route costs one more customer read in Thulium. An unknown or unlinked customer
//! gives 404, an unreachable shop or Thulium gives 502 — each with a small page saying so.
//! The card itself is [`sync_core::card::CustomerCard`]: this module only fetches and serves.
//!
//! ```
//! use examples::card::{CardState, card_router};
//! use iai_shop_client::IdoSellClient;
//! use sync_core::config::IntegrationConfig;
//! use thulium_client::ThuliumClient;
//! use url::Url;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let shop_url = Url::parse("https://client1234.idosell.com")?;
//! let shop = IdoSellClient::builder(shop_url.clone()).api_key("key").build()?;
//! let thulium = ThuliumClient::builder(Url::parse("https://acme.thulium.com")?)
//!     .credentials("api_user", "secret")
//!     .build()?;
//! let config = IntegrationConfig::new("acme", shop_url);
//! let app: axum::Router = card_router(CardState::new(shop, thulium, config));
//! // axum::serve(listener, app).await?;
//! # let _ = app;
//! # Ok(())
//! # }
//! ```

mod demo;
mod error;
mod fetch;
mod file;
mod routes;
mod state;

pub use demo::{DemoConfig, DemoData, start_demo};
pub use error::CardError;
pub use fetch::{card_for_shop_customer, card_for_thulium_customer};
pub use file::{SaveCardError, demo_output_dir, save_card_page};
pub use routes::card_router;
pub use state::CardState;
