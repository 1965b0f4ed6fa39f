//! IdoSell → Thulium integration logic.

pub mod config;
pub mod email;
pub mod phone;
pub mod status;
pub mod street;
pub mod window;

#[cfg(feature = "engine")]
pub mod engine;
