//! The `limit`/`offset` setters shared by every list builder of the crate.
//!
//! Lives here only because `paging.rs` has another owner; it belongs next to `clamp_limit`.

/// The `limit` and `offset` setters of a list builder with `limit: u32` and `offset: u64`
/// fields; one definition for the customer search and the field-group item listing.
macro_rules! paging_setters {
    () => {
        /// Page size: clamped into `1..=1000` ([`MAX_LIMIT`](crate::MAX_LIMIT)); default 100.
        pub fn limit(mut self, limit: u32) -> Self {
            self.limit = $crate::paging::clamp_limit(limit);
            self
        }

        /// Records to skip (default 0).
        pub fn offset(mut self, offset: u64) -> Self {
            self.offset = offset;
            self
        }
    };
}

pub(crate) use paging_setters;
