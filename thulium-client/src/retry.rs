//! The one retry loop: which failures are retried, and how long to wait.

use std::future::Future;
use std::time::{Duration, SystemTime};

use crate::error::{Error, TransportKind};

/// How failed calls are retried.
///
/// Retryable failures (see [`Error::is_retryable`]) are retried up to `max_attempts` in
/// total, waiting `Retry-After` when the server sends one, otherwise a jittered exponential
/// backoff capped at `max_backoff`. A `Retry-After` longer than `max_retry_after` is not
/// waited for: the error is returned so the caller can decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, including the first (1 = no retry).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubles on each further retry.
    pub initial_backoff: Duration,
    /// Upper bound of one backoff.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
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

    /// The jittered backoff before retry number `retry` (1-based): a random delay between
    /// half and all of `initial_backoff * 2^(retry-1)`, capped at `max_backoff`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::random_range(ceiling_ms / 2..=ceiling_ms))
    }
}

/// Whether a call may be repeated after it may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replay {
    /// GET, PUT, DELETE: repeating has the same effect.
    Safe,
    /// POST create: retried only when the connection was never opened, because a repeat
    /// after the server saw the request could create a duplicate.
    OnlyIfNotSent,
}

/// Runs `attempt` until it succeeds, fails for good, or the policy is exhausted.
/// `attempt` receives the 1-based attempt number.
pub(crate) async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    replay: Replay,
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
        if number >= policy.max_attempts || !may_retry(&error, replay) {
            return Err(error);
        }
        let delay = match error.retry_after() {
            Some(wait) if wait > policy.max_retry_after => return Err(error),
            Some(wait) => wait,
            None => policy.backoff(number),
        };
        tracing::warn!(
            attempt = number,
            status = error.status(),
            delay_ms = delay.as_millis() as u64,
            "retrying Thulium call"
        );
        tokio::time::sleep(delay).await;
        number += 1;
    }
}

fn may_retry(error: &Error, replay: Replay) -> bool {
    match replay {
        Replay::Safe => error.is_retryable(),
        Replay::OnlyIfNotSent => matches!(
            error,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
    }
}

/// Parses `Retry-After`: delay-seconds or an HTTP date (a date in the past means "now").
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(at.with_timezone(&chrono::Utc));
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        for retry in 1..10 {
            let d = p.backoff(retry);
            assert!(d <= Duration::from_millis(300), "{d:?}");
        }
        let first = p.backoff(1);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
    }
}
