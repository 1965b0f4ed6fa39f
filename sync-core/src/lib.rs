//! IdoSell → Thulium integration logic.

#[cfg(feature = "engine")]
pub mod engine;
