//! Shared plumbing for the example binaries (`full-sync`, `sync-daemon`, `card-server`).
//!
//! # Embedding the sync in your own program
//!
//! The engine needs an [`IntegrationConfig`](sync_core::config::IntegrationConfig), the
//! two HTTP clients behind their port adapters, a state store and a clock. This runs a
//! preflight and a full sync against the sandbox (loopback only), exactly as it would
//! against a real shop and tenant:
//!
//! ```
//! use std::sync::Arc;
//! use iai_shop_client::IdoSellClient;
//! use sync_core::config::IntegrationConfig;
//! use sync_core::engine::adapters::{IdoSellShop, ThuliumCrm};
//! use sync_core::engine::clock::SystemClock;
//! use sync_core::engine::preflight::preflight;
//! use sync_core::engine::store::SqliteStore;
//! use sync_core::engine::Engine;
//! use thulium_client::ThuliumClient;
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sandbox = examples::demo::start_sandbox(examples::demo::DemoOptions {
//! #     customers: 40, orders: 80, seed: 3 }).await?;
//! # let (shop_url, api_key) = (sandbox.shop_url.clone(), sandbox.shop_api_key.clone());
//! # let (thulium_url, user, password) = (sandbox.thulium_url.clone(),
//! #     sandbox.thulium_user.clone(), sandbox.thulium_password.clone());
//! // shop_url, api_key, thulium_url, user, password: your shop's and tenant's settings.
//! let config = IntegrationConfig::new("main-shop", shop_url.clone());
//! let shop = Arc::new(IdoSellShop::new(IdoSellClient::builder(shop_url).api_key(api_key).build()?));
//! let crm = Arc::new(ThuliumCrm::new(
//!     ThuliumClient::builder(thulium_url).credentials(user, password).build()?,
//! ));
//! let checked = preflight(shop.as_ref(), crm.as_ref(), &[config.clone()]).await?;
//!
//! let store = Arc::new(SqliteStore::open_in_memory()?); // SqliteStore::open("state.sqlite") to keep it
//! // The engine's "now" in the shop's zone (`config.shop_time_zone`, Europe/Warsaw by default).
//! let clock = Arc::new(SystemClock::for_integration(&config));
//! let engine = Engine::new(config, shop, crm, store, clock);
//! // A tenant without customers cannot show its custom fields: verify them on the first write.
//! engine.after_preflight(&checked);
//! let report = engine.full_sync(&|progress| eprintln!("{} customers", progress.customers_done)).await?;
//! println!("{report}");
//! assert_eq!(report.created, 40);
//! assert_eq!(engine.full_sync(&|_| {}).await?.created, 0); // idempotent
//! # Ok(())
//! # }
//! ```

pub mod card;
pub mod cli;
pub mod daemon;
pub mod demo;
pub mod fleet;
pub mod health;
pub mod metrics;
pub mod progress;
pub mod serve;
pub mod settings;
pub mod state_store;
pub mod token;
pub mod webhook_server;
pub mod webhook_setup;
pub mod wiring;
