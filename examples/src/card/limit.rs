//! [`FailureLimiter`]: slows down token guessing. Every request with a wrong agent token
//! counts against the client's address; an address with [`FailureLimit::max_failures`]
//! failures inside [`FailureLimit::window`] gets 429 for *every* request until the window
//! has passed — the right token included, or the limit would still tell a guesser when a
//! guess was right.
//!
//! Written here rather than taken from `governor`: a rate limiter counts every request and
//! cannot look at a key's state without spending from it, while this one counts only
//! failures and must answer "is this address blocked?" before the token is checked.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many wrong tokens an address may send, and over what time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureLimit {
    /// Failures allowed inside one window; the next request is refused with 429.
    pub max_failures: u32,
    /// The window, counted from an address's first failure.
    pub window: Duration,
}

impl Default for FailureLimit {
    /// 10 failures per 5 minutes: a mistyped URL pasted a few times passes, a guesser gets
    /// about 3 000 guesses a day per address against a token of 128 bits or more.
    fn default() -> Self {
        Self {
            max_failures: 10,
            window: Duration::from_secs(300),
        }
    }
}

/// Addresses tracked at most; beyond it, windows that have ended are dropped first.
const MAX_TRACKED: usize = 10_000;

/// Counts failed attempts per client address (see the module docs).
#[derive(Debug)]
pub(crate) struct FailureLimiter {
    limit: FailureLimit,
    failures: Mutex<HashMap<IpAddr, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

impl FailureLimiter {
    pub(crate) fn new(limit: FailureLimit) -> Self {
        Self {
            limit,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `address` used up its failures in the current window.
    pub(crate) fn is_blocked(&self, address: IpAddr) -> bool {
        let now = Instant::now();
        let Ok(failures) = self.failures.lock() else {
            // A poisoned lock means a panic elsewhere; refusing everyone is the safe side.
            return true;
        };
        failures.get(&address).is_some_and(|window| {
            now.duration_since(window.started) < self.limit.window
                && window.failures >= self.limit.max_failures
        })
    }

    /// Counts one failed attempt of `address`.
    pub(crate) fn record_failure(&self, address: IpAddr) {
        let now = Instant::now();
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        if failures.len() >= MAX_TRACKED && !failures.contains_key(&address) {
            let window = self.limit.window;
            failures.retain(|_, w| now.duration_since(w.started) < window);
        }
        let window = failures.entry(address).or_insert(Window {
            started: now,
            failures: 0,
        });
        if now.duration_since(window.started) >= self.limit.window {
            *window = Window {
                started: now,
                failures: 0,
            };
        }
        window.failures = window.failures.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_blocked_after_its_failures_and_others_are_not() {
        let limiter = FailureLimiter::new(FailureLimit {
            max_failures: 3,
            window: Duration::from_secs(60),
        });
        let guesser: IpAddr = [10, 0, 0, 1].into();
        let agent: IpAddr = [10, 0, 0, 2].into();
        for _ in 0..2 {
            limiter.record_failure(guesser);
        }
        assert!(!limiter.is_blocked(guesser));
        limiter.record_failure(guesser);
        assert!(limiter.is_blocked(guesser));
        assert!(!limiter.is_blocked(agent));
    }

    #[test]
    fn a_window_ends() {
        let limiter = FailureLimiter::new(FailureLimit {
            max_failures: 1,
            window: Duration::from_millis(30),
        });
        let address: IpAddr = [10, 0, 0, 1].into();
        limiter.record_failure(address);
        assert!(limiter.is_blocked(address));
        std::thread::sleep(Duration::from_millis(40));
        assert!(!limiter.is_blocked(address));
    }
}
