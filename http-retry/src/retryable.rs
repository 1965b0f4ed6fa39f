//! What the retry loop needs to know about an error.

use std::fmt;
use std::time::Duration;

/// An error the retry loop can judge: may trying again help, and did the server say when.
///
/// `Display` is logged (at debug level only, since messages may hold URLs with customer
/// data) as the cause of a retry.
pub trait RetryableError: fmt::Display {
    /// Whether trying again later may succeed (e.g. 429, most 5xx, timeouts, refused
    /// connections). Whether it is also *safe* to repeat the call is the caller's
    /// decision: see [`RetryPolicy::run_if`](crate::RetryPolicy::run_if).
    fn is_retryable(&self) -> bool;

    /// The wait the server asked for with `Retry-After`, if any.
    fn retry_after(&self) -> Option<Duration>;
}
