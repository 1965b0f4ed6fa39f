//! The sync engine over async ports.
//!
//! The engine ([`Engine`]) talks to the outside only through traits: the state store
//! ([`store::StateStore`], embedded SQLite behind the `sqlite` feature and an in-memory one
//! for tests), the shop and the CRM ([`ports::ShopPort`], [`ports::CrmPort`]) and a clock
//! ([`clock::Clock`]).

#[cfg(feature = "clients")]
pub mod adapters;
pub mod clock;
#[allow(clippy::module_inception)]
mod engine;
pub mod ports;
pub mod preflight;
pub mod report;
pub mod store;
mod writer;

pub use engine::{Engine, EngineOptions, SyncError};
pub use report::{ConflictEntry, FailureEntry, Progress, SyncReport};
