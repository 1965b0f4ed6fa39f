//! The one retry loop.

use std::future::Future;

use crate::{RetryPolicy, RetryableError};

impl RetryPolicy {
    /// Runs `attempt` (given the 1-based attempt number) until it succeeds, fails with an
    /// error that is not retryable, or the policy gives up (see [`RetryPolicy::delay_for`]);
    /// then returns the last outcome.
    ///
    /// Each retry is logged at warn level with `attempt` (the one that failed) and
    /// `delay_ms`, inside whatever span the caller runs this in; the error itself only at
    /// debug level. Retries are also counted in the `http_retries_total` metric (through
    /// the `metrics` facade: a no-op unless the program installed a recorder).
    pub async fn run<T, E, F, Fut>(&self, attempt: F) -> Result<T, E>
    where
        E: RetryableError,
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.run_if(|_| true, attempt).await
    }

    /// Like [`run`](Self::run), but a retryable error is only retried when `may_retry`
    /// also allows it, e.g. a call that is not idempotent only when it cannot have reached
    /// the server.
    pub async fn run_if<T, E, P, F, Fut>(&self, may_retry: P, mut attempt: F) -> Result<T, E>
    where
        E: RetryableError,
        P: Fn(&E) -> bool,
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut number = 1;
        loop {
            let error = match attempt(number).await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let delay = if may_retry(&error) {
                self.delay_for(number, &error)
            } else {
                None
            };
            let Some(delay) = delay else {
                return Err(error);
            };
            let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
            tracing::warn!(attempt = number, delay_ms, "retrying call");
            metrics::counter!("http_retries_total").increment(1);
            tracing::debug!(attempt = number, %error, "cause of the retry");
            tokio::time::sleep(delay).await;
            number += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::fmt;
    use std::time::Duration;

    use tokio::time::Instant;

    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Failure {
        Busy(Option<Duration>),
        Refused,
        Final,
    }

    impl fmt::Display for Failure {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{self:?}")
        }
    }

    impl RetryableError for Failure {
        fn is_retryable(&self) -> bool {
            !matches!(self, Self::Final)
        }
        fn retry_after(&self) -> Option<Duration> {
            match self {
                Self::Busy(after) => *after,
                _ => None,
            }
        }
    }

    fn policy(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(400),
            max_retry_after: Duration::from_secs(10),
        }
    }

    /// Runs `policy` over a script of outcomes; returns the result and the attempt numbers
    /// the closure was given.
    async fn play(
        policy: &RetryPolicy,
        may_retry: impl Fn(&Failure) -> bool,
        script: Vec<Result<&'static str, Failure>>,
    ) -> (Result<&'static str, Failure>, Vec<u32>) {
        let seen = RefCell::new(Vec::new());
        let script = RefCell::new(script.into_iter());
        let result = policy
            .run_if(may_retry, |number| {
                seen.borrow_mut().push(number);
                let next = script.borrow_mut().next().unwrap_or(Err(Failure::Final));
                async move { next }
            })
            .await;
        (result, seen.into_inner())
    }

    #[tokio::test(start_paused = true)]
    async fn retries_until_success_waiting_the_backoff() {
        let start = Instant::now();
        let script = vec![Err(Failure::Busy(None)), Err(Failure::Refused), Ok("data")];
        let (result, attempts) = play(&policy(4), |_| true, script).await;
        assert_eq!(result, Ok("data"));
        assert_eq!(attempts, [1, 2, 3]);
        // Backoffs of 50..=100 ms then 100..=200 ms.
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(150) && waited <= Duration::from_millis(300),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn honours_retry_after_exactly() {
        let start = Instant::now();
        let script = vec![Err(Failure::Busy(Some(Duration::from_secs(3)))), Ok("data")];
        let (result, attempts) = play(&policy(4), |_| true, script).await;
        assert_eq!(result, Ok("data"));
        assert_eq!(attempts, [1, 2]);
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_too_long_retry_after_returns_the_error_at_once() {
        let start = Instant::now();
        let too_long = Failure::Busy(Some(Duration::from_secs(11)));
        let script = vec![Err(too_long.clone()), Ok("data")];
        let (result, attempts) = play(&policy(4), |_| true, script).await;
        assert_eq!(result, Err(too_long));
        assert_eq!(attempts, [1]);
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_attempts_with_the_last_error() {
        let script = vec![
            Err(Failure::Busy(None)),
            Err(Failure::Busy(None)),
            Err(Failure::Refused),
            Ok("too late"),
        ];
        let (result, attempts) = play(&policy(3), |_| true, script).await;
        assert_eq!(result, Err(Failure::Refused));
        assert_eq!(attempts, [1, 2, 3]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_final_error_is_not_retried() {
        let script = vec![Err(Failure::Final), Ok("data")];
        let (result, attempts) = play(&policy(4), |_| true, script).await;
        assert_eq!(result, Err(Failure::Final));
        assert_eq!(attempts, [1]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_hook_narrows_what_is_retried() {
        let only_refused = |error: &Failure| *error == Failure::Refused;
        let script = vec![Err(Failure::Refused), Err(Failure::Busy(None)), Ok("data")];
        let (result, attempts) = play(&policy(4), only_refused, script).await;
        assert_eq!(result, Err(Failure::Busy(None)));
        assert_eq!(attempts, [1, 2]);

        // The hook cannot widen it: a final error stays final.
        let (result, attempts) = play(&policy(4), |_| true, vec![Err(Failure::Final)]).await;
        assert_eq!(result, Err(Failure::Final));
        assert_eq!(attempts, [1]);
    }

    #[tokio::test(start_paused = true)]
    async fn run_retries_every_retryable_error() {
        let calls = RefCell::new(0);
        let result: Result<u32, Failure> = policy(4)
            .run(|number| {
                *calls.borrow_mut() += 1;
                async move {
                    if number < 3 {
                        Err(Failure::Refused)
                    } else {
                        Ok(number)
                    }
                }
            })
            .await;
        assert_eq!(result, Ok(3));
        assert_eq!(calls.into_inner(), 3);
    }
}
