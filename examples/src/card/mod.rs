//! The customer card served over HTTP: the "IAI Shop" tab an agent opens from a Thulium
//! customer.
//!
//! [`agent_router`] builds an axum [`Router`](axum::Router) with the pages agents reach
//! from Thulium, each behind an integration's agent token (see [`agent`] for the routes,
//! the token check, the failure limit and the security headers):
//!
//! - the customer card (`/card/{token}/{thulium_customer_id}`,
//!   `/card/{token}/shop/{client_id}`), read live from the shop on every request, HTML by
//!   default and JSON with `?format=json`. A card costs the shop exactly one customer lookup
//!   by id and one order search (the newest
//!   [`card_orders`](sync_core::config::IntegrationConfig::card_orders) orders); the Thulium
//!   route costs one more customer read in Thulium. An unknown or unlinked customer gives
//!   404, an unreachable shop or Thulium 502 — each with a small page saying so. The card
//!   itself is [`sync_core::card::CustomerCard`]: this module only fetches and serves.
//! - Thulium's external-CRM caller lookup (`/thulium/external-crm/{token}?phone_number=…`),
//!   answered from the sync's caller index, else live from the shop ([`caller`]).
//!
//! ```
//! use examples::card::{AgentIntegration, AgentSite, CardState, agent_router};
//! use iai_shop_client::IdoSellClient;
//! use secrecy::SecretString;
//! use sync_core::config::IntegrationConfig;
//! use thulium_client::ThuliumClient;
//! use url::Url;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let shop_url = Url::parse("https://client1234.idosell.com")?;
//! let shop = IdoSellClient::builder(shop_url.clone()).api_key("key").build()?;
//! let thulium_url = Url::parse("https://acme.thulium.com")?;
//! let thulium = ThuliumClient::builder(thulium_url.clone())
//!     .credentials("api_user", "secret")
//!     .build()?;
//! let config = IntegrationConfig::new("acme", shop_url);
//! let card = CardState::new(shop, thulium, config);
//! let agent = AgentIntegration::new(card, SecretString::from("a-long-random-agent-token"));
//! let app: axum::Router = agent_router(AgentSite::new(&thulium_url, vec![agent]));
//! // axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await?;
//! # let _ = app;
//! # Ok(())
//! # }
//! ```

pub mod agent;
pub mod caller;
mod demo;
mod error;
mod fetch;
mod file;
mod limit;
mod routes;
mod site;
mod state;

pub use agent::{AgentIntegration, AgentSite, agent_router};
pub use caller::{CallerSource, find_caller};
pub use demo::{DemoConfig, DemoData, start_demo};
pub use error::CardError;
pub use fetch::{card_for_shop_customer, card_for_thulium_customer};
pub use file::{SaveCardError, demo_output_dir, save_card_page};
pub use limit::FailureLimit;
pub use site::{agent_shop_client, agent_site, agent_thulium_client};
pub use state::CardState;
