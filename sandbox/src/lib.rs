//! Stateful local simulators of the IdoSell Admin API and the Thulium REST API.

pub mod faults;
pub mod generator;
pub mod idosell;
pub mod metrics;
pub mod thulium;
