//! How often to retry and how long to wait in between.

use std::time::Duration;

use crate::RetryableError;

/// When and how often a failed call is repeated.
///
/// A retryable failure (see [`RetryableError::is_retryable`]) is repeated until
/// `max_attempts` calls have been made. Before each repeat the loop waits what the server
/// asked for with `Retry-After`, or else a jittered exponential backoff that starts at
/// `initial_backoff`, doubles on each retry and is capped at `max_backoff`. A server asking
/// for more than `max_retry_after` ends the retries: the error is returned so the caller
/// can decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Calls in total, including the first (1 = no retry).
    pub max_attempts: u32,
    /// The backoff before the first retry (before jitter); doubled for each further retry.
    pub initial_backoff: Duration,
    /// The longest backoff (before jitter).
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts; backoff of 500 ms doubling up to 30 s; `Retry-After` honoured up to
    /// 2 minutes. Patient enough for a sync job, and at most about 3.5 s of backoff in all
    /// when the server sends no `Retry-After`.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Never retry: one attempt only.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (1-based) after `error`, or `None` to give up:
    /// when `retry` attempts were already the maximum, when the error is not retryable, or
    /// when its `Retry-After` is longer than `max_retry_after`.
    pub fn delay_for<E: RetryableError + ?Sized>(&self, retry: u32, error: &E) -> Option<Duration> {
        if retry >= self.max_attempts || !error.is_retryable() {
            return None;
        }
        match error.retry_after() {
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => Some(asked),
            None => Some(self.backoff(retry)),
        }
    }

    /// The backoff before retry number `retry` (1-based), with "equal jitter": a uniformly
    /// random delay between half and all of `initial_backoff * 2^(retry-1)` capped at
    /// `max_backoff`, so that many clients failing together do not retry in lockstep.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let half = ceiling / 2;
        let spread = u64::try_from((ceiling - half).as_nanos()).unwrap_or(u64::MAX);
        half + Duration::from_nanos(rand::random_range(0..=spread))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failure {
        retryable: bool,
        retry_after: Option<Duration>,
    }

    impl std::fmt::Display for Failure {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("failure")
        }
    }

    impl RetryableError for Failure {
        fn is_retryable(&self) -> bool {
            self.retryable
        }
        fn retry_after(&self) -> Option<Duration> {
            self.retry_after
        }
    }

    const BUSY: Failure = Failure {
        retryable: true,
        retry_after: None,
    };

    fn asking(seconds: u64) -> Failure {
        Failure {
            retryable: true,
            retry_after: Some(Duration::from_secs(seconds)),
        }
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered_within_half_to_full() {
        let policy = RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(400),
            ..RetryPolicy::default()
        };
        for retry in 1..10 {
            let full =
                Duration::from_millis(100 * 2u64.pow(retry - 1)).min(Duration::from_millis(400));
            for _ in 0..20 {
                let delay = policy.backoff(retry);
                assert!(
                    delay >= full / 2 && delay <= full,
                    "retry {retry}: {delay:?}"
                );
            }
        }
    }

    #[test]
    fn backoff_is_jittered_not_constant() {
        let policy = RetryPolicy::default();
        let delays: std::collections::HashSet<Duration> =
            (0..20).map(|_| policy.backoff(3)).collect();
        assert!(delays.len() > 1, "{delays:?}");
    }

    #[test]
    fn huge_retry_numbers_do_not_overflow() {
        let policy = RetryPolicy::default();
        let delay = policy.backoff(u32::MAX);
        assert!(delay >= policy.max_backoff / 2 && delay <= policy.max_backoff);
    }

    #[test]
    fn gives_up_after_max_attempts() {
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        assert!(policy.delay_for(1, &BUSY).is_some());
        assert!(policy.delay_for(2, &BUSY).is_some());
        assert_eq!(policy.delay_for(3, &BUSY), None);
        assert_eq!(RetryPolicy::none().delay_for(1, &BUSY), None);
    }

    #[test]
    fn only_retryable_errors_and_bounded_retry_after() {
        let policy = RetryPolicy::default();
        let final_failure = Failure {
            retryable: false,
            retry_after: Some(Duration::from_secs(1)),
        };
        assert_eq!(policy.delay_for(1, &final_failure), None);
        assert_eq!(
            policy.delay_for(1, &asking(3)),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            policy.delay_for(1, &asking(120)),
            Some(Duration::from_secs(120))
        );
        assert_eq!(policy.delay_for(1, &asking(121)), None);
    }
}
