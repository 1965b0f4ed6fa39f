//! The sync engine over async ports.
//!
//! The engine talks to the outside only through traits; the first of them is the state
//! store ([`store::StateStore`]), with an embedded SQLite implementation behind the `sqlite`
//! feature and an in-memory one for tests.

pub mod store;
