//! Retries: the shared [`RetryPolicy`], and which Thulium calls may be repeated at all.
//!
//! # The rule for `POST` (creates: customers, batch creates, group items)
//!
//! A `POST` is repeated only when the server certainly did **not** process it:
//! - the connection could not be opened (the request never left), or
//! - the answer was **429 Too Many Requests**: a rate limiter refuses a request before it
//!   is handled, so the repeat cannot create a duplicate. The `Retry-After` the server
//!   sends is honoured (capped by [`RetryPolicy::max_retry_after`]).
//!
//! After a 5xx, a timeout or a connection dropped mid-answer the request may have been
//! processed, so a `POST` is not repeated: the caller looks for its own external id first.
//! `GET`, `PUT` and `DELETE` are idempotent and repeated on every retryable error.

pub use http_retry::RetryPolicy;

use crate::error::{Error, TransportKind};

/// Whether a call may be repeated after it may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replay {
    /// GET, PUT, DELETE: repeating has the same effect.
    Safe,
    /// POST create: retried only when the server certainly did not process the request
    /// (connection never opened, or 429), because a repeat after the server handled it
    /// could create a duplicate.
    OnlyIfNotProcessed,
}

impl Replay {
    /// Whether a retryable `error` may be retried for a call of this kind.
    pub(crate) fn allows(self, error: &Error) -> bool {
        match self {
            Self::Safe => true,
            Self::OnlyIfNotProcessed => matches!(
                error,
                Error::Transport {
                    kind: TransportKind::Connect,
                    ..
                } | Error::RateLimited(_)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    fn transport(kind: TransportKind) -> Error {
        Error::Transport {
            kind,
            message: "failed".into(),
        }
    }

    fn api(status: u16) -> Error {
        Error::from_status(ApiError::from_body(status, b"", None))
    }

    #[test]
    fn creates_are_repeated_only_when_the_server_did_not_process_them() {
        let create = Replay::OnlyIfNotProcessed;
        assert!(create.allows(&transport(TransportKind::Connect)));
        assert!(create.allows(&api(429)));
        assert!(!create.allows(&transport(TransportKind::Timeout)));
        assert!(!create.allows(&transport(TransportKind::Body)));
        assert!(!create.allows(&api(500)));
        assert!(!create.allows(&api(503)));
        assert!(Replay::Safe.allows(&transport(TransportKind::Timeout)));
        assert!(Replay::Safe.allows(&api(503)));
    }
}
