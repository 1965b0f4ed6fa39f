//! The one retry loop: `Retry-After` first, else capped exponential backoff with jitter.

use std::future::Future;
use std::time::{Duration, SystemTime};

use rand::Rng;

use crate::error::Error;

/// When and how often to repeat a failed request. Only errors for which
/// [`Error::is_retryable`] holds are repeated; every call of this client is a read (the
/// searches use POST but change nothing), so all of them are safe to repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts including the first (1 = no retry).
    pub max_attempts: u32,
    /// The delay before the first retry; doubled for each following one.
    pub base_delay: Duration,
    /// The longest backoff delay (before jitter).
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a server asking for more ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, 500 ms doubling up to 30 s, `Retry-After` honoured up to 2 minutes.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (1-based) after `error`, or `None` to give up.
    pub fn delay_for(&self, retry: u32, error: &Error) -> Option<Duration> {
        if retry >= self.max_attempts || !error.is_retryable() {
            return None;
        }
        match error.retry_after() {
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => Some(asked),
            None => Some(self.backoff(retry)),
        }
    }

    /// "Equal jitter": a uniformly random delay between half and all of the capped
    /// exponential delay, so that many clients do not retry in lockstep.
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let capped = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let half = capped / 2;
        let jitter_nanos =
            rand::rng().random_range(0..=half.as_nanos().min(u64::MAX as u128) as u64);
        half + Duration::from_nanos(jitter_nanos)
    }
}

/// Runs `attempt` (given the 1-based attempt number) until it succeeds, fails with an error
/// that is not retryable, or the policy gives up.
pub(crate) async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    mut attempt: F,
) -> Result<T, Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut number = 1;
    loop {
        let error = match attempt(number).await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let Some(delay) = policy.delay_for(number, &error) else {
            return Err(error);
        };
        tracing::warn!(attempt = number, delay_ms = delay.as_millis() as u64, %error, "retrying");
        tokio::time::sleep(delay).await;
        number += 1;
    }
}

/// Reads a `Retry-After` header: delay-seconds or an HTTP date (a date in the past is 0).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn api_error(status: u16, retry_after: Option<Duration>) -> Error {
        Error::Api {
            status,
            fault_code: None,
            fault_string: None,
            x_error: None,
            body_excerpt: None,
            retry_after,
        }
    }

    #[test]
    fn retry_after_seconds_and_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(400),
            ..RetryPolicy::default()
        };
        let error = api_error(503, None);
        for retry in 1..10 {
            let delay = policy.delay_for(retry, &error).unwrap();
            let full =
                Duration::from_millis(100 * 2u64.pow(retry - 1)).min(Duration::from_millis(400));
            assert!(
                delay >= full / 2 && delay <= full,
                "retry {retry}: {delay:?}"
            );
        }
        assert_eq!(policy.delay_for(10, &error), None);
    }

    #[test]
    fn only_retryable_errors_and_bounded_retry_after() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay_for(1, &api_error(404, None)), None);
        assert_eq!(
            policy.delay_for(1, &api_error(429, Some(Duration::from_secs(3)))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            policy.delay_for(1, &api_error(429, Some(Duration::from_secs(3600)))),
            None
        );
    }
}
