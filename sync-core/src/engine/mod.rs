//! The sync engine over async ports.
//!
//! The engine ([`Engine`]) talks to the outside only through traits: the state store
//! ([`store::StateStore`], embedded SQLite behind the `sqlite` feature and an in-memory one
//! for tests), the shop and the CRM ([`ports::ShopPort`], [`ports::CrmPort`]) and a clock
//! ([`clock::Clock`]).
//!
//! Every kind of run — [`Engine::full_sync`], [`Engine::incremental_sync`],
//! [`Engine::handle_triggers`] — feeds shop customers into one shared pipeline (orders, Thulium
//! lookup, plan, adoptions, batch writes, orders group, one store transaction) under a lock
//! per customer; a full sync decides which customer adopts each agent-made contact once all
//! its pages are read (`adoption`).
//! [`Integrations`] runs several engines side by side.

#[cfg(feature = "clients")]
pub mod adapters;
mod adoption;
mod carry;
pub mod clock;
mod counting;
mod customer_locks;
#[allow(clippy::module_inception)]
mod engine;
mod error;
mod error_summary;
mod first_write;
mod full_sync;
mod incremental;
mod kept_orders;
pub mod lookup;
mod orders_group;
mod page_order;
mod pipeline;
pub mod ports;
pub mod preflight;
pub mod report;
mod runner;
pub mod store;
mod webhook;
mod worker;
mod writer;

pub use engine::{Engine, EngineBuilder, EngineOptions};
pub use error::SyncError;
pub use report::{ConflictEntry, FailureEntry, Progress, RunKind, SyncReport};
pub use runner::{IntegrationOutcome, Integrations};
