//! Stateful local simulators of the IdoSell Admin API and the Thulium REST API.
//!
//! - [`idosell::ShopSim`]: the shop (customers, CRM search, orders; auth scopes, PHP quirks,
//!   207 empty pages, a settable clock for modification dates).
//! - [`thulium::ThuliumSim`]: the CRM tenant (customers, search, batch, custom fields;
//!   switchable [`thulium::ThuliumQuirks`], contacts agents made before any sync, agents
//!   changing the tenant while it is read: [`thulium::MidReadChanges`]).
//! - [`generator`]: realistic, seeded shop data (with registered + guest pairs), change
//!   operations, and agent-made Thulium contacts ([`generator::agent_contacts`]).
//! - [`faults`] and [`metrics`]: fault injection (also "applied then failed": the write is
//!   stored, the answer is spoiled) and request counters for both.
//! - [`postgres`]: a database of its own for each test, on the cluster `scripts/test` starts.
//! - [`Sandbox`]: both simulators at once, with URLs and credentials;
//!   [`SandboxConfig::realistic`] for a lived-in tenant.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use sandbox::generator::GeneratorConfig;
//! use sandbox::idosell::routes;
//! use sandbox::{Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(SandboxConfig::generated(&GeneratorConfig {
//!     customers: 30,
//!     orders: 60,
//!     ..GeneratorConfig::default()
//! }))
//! .await?;
//! let body: serde_json::Value = reqwest::Client::new()
//!     .get(sandbox.shop_url.join("api/admin/v6/clients/clients?resultsLimit=10")?)
//!     .header("X-API-KEY", &sandbox.shop_api_key)
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(body["resultsNumberAll"], 30);
//! assert_eq!(sandbox.shop().counters().get("GET", routes::CLIENTS), 1);
//! # Ok(())
//! # }
//! ```

pub mod faults;
pub mod generator;
pub mod idosell;
pub mod metrics;
pub mod postgres;
mod sandbox;
pub mod thulium;

pub use sandbox::{Sandbox, SandboxConfig};
