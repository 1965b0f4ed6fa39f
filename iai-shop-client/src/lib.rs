//! Typed async client for the IdoSell (IAI Shop) Admin API.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod model;
pub mod webhook;

pub use model::*;
