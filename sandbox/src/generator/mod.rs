//! Deterministic generator of realistic shop data.
