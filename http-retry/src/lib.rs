//! One retry policy for the workspace's HTTP API clients.
//!
//! - [`RetryPolicy`]: how many attempts, the capped exponential backoff with "equal
//!   jitter", and the longest `Retry-After` honoured.
//! - [`RetryPolicy::run`] / [`RetryPolicy::run_if`]: the retry loop over any error that
//!   implements [`RetryableError`]; `run_if` takes a hook that narrows what is retried
//!   (e.g. a POST only when the connection was refused).
//! - [`parse_retry_after`]: the `Retry-After` header, in seconds or as an HTTP date.
//!
//! The loop knows nothing of HTTP libraries: the caller's attempt closure sends the request
//! and maps the answer to its own error type. Run it inside the caller's `tracing` span
//! (the closure gets the attempt number to record); each retry is logged at warn level with
//! `attempt` and `delay_ms`.
//!
//! ```
//! use std::time::Duration;
//! use http_retry::{RetryPolicy, RetryableError};
//!
//! #[derive(Debug)]
//! struct Busy;
//!
//! impl std::fmt::Display for Busy {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!         f.write_str("HTTP 503")
//!     }
//! }
//!
//! impl RetryableError for Busy {
//!     fn is_retryable(&self) -> bool {
//!         true
//!     }
//!     fn retry_after(&self) -> Option<Duration> {
//!         Some(Duration::from_millis(1))
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let policy = RetryPolicy { max_attempts: 3, ..RetryPolicy::default() };
//!
//! // Fails twice, then answers: three attempts in all.
//! let answer = policy
//!     .run(|attempt| async move { if attempt < 3 { Err(Busy) } else { Ok(attempt) } })
//!     .await;
//! assert_eq!(answer.unwrap(), 3);
//!
//! // A hook that never allows a repeat: the first error is returned.
//! let answer: Result<u32, Busy> = policy.run_if(|_| false, |_| async { Err(Busy) }).await;
//! assert!(answer.is_err());
//! # }
//! ```

mod policy;
mod retry_after;
mod retryable;
mod run;

pub use policy::RetryPolicy;
pub use retry_after::parse_retry_after;
pub use retryable::RetryableError;

/// Counts one HTTP answer in the `http_responses_total` metric by `api` and status class
/// (`2xx` … `5xx`), through the `metrics` facade (a no-op unless the program installed a
/// recorder). The clients call it once per answer, retries included.
pub fn count_response(api: &'static str, status: u16) {
    let class = match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    metrics::counter!("http_responses_total", "api" => api, "status" => class).increment(1);
}

/// Counts one request that got no answer at all (connection refused or dropped, timeout)
/// in `http_responses_total` with the status class `none`, so that the metric accounts for
/// every request sent.
pub fn count_unanswered(api: &'static str) {
    metrics::counter!("http_responses_total", "api" => api, "status" => "none").increment(1);
}
