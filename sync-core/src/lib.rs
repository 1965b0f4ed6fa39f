//! IdoSell → Thulium integration logic.

pub mod card;
pub mod config;
pub mod email;
pub mod fingerprint;
pub mod mapping;
pub mod order_summary;
pub mod phone;
pub mod plan;
pub mod status;
pub mod street;
pub mod window;

#[cfg(feature = "engine")]
pub mod engine;
