//! The sync engine over async ports.
//!
//! The engine talks to the outside only through traits: the state store
//! ([`store::StateStore`], embedded SQLite behind the `sqlite` feature and an in-memory one
//! for tests), the shop and the CRM ([`ports::ShopPort`], [`ports::CrmPort`]) and a clock
//! ([`clock::Clock`]).

pub mod clock;
pub mod ports;
pub mod store;
