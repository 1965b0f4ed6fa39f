//! Retries: the shared [`RetryPolicy`], and which Thulium calls may be repeated at all.

pub use http_retry::RetryPolicy;

use crate::error::{Error, TransportKind};

/// Whether a call may be repeated after it may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replay {
    /// GET, PUT, DELETE: repeating has the same effect.
    Safe,
    /// POST create: retried only when the connection was never opened, because a repeat
    /// after the server saw the request could create a duplicate.
    OnlyIfNotSent,
}

impl Replay {
    /// Whether a retryable `error` may be retried for a call of this kind.
    pub(crate) fn allows(self, error: &Error) -> bool {
        match self {
            Self::Safe => true,
            Self::OnlyIfNotSent => matches!(
                error,
                Error::Transport {
                    kind: TransportKind::Connect,
                    ..
                }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport(kind: TransportKind) -> Error {
        Error::Transport {
            kind,
            message: "failed".into(),
        }
    }

    #[test]
    fn creates_are_repeated_only_when_the_connection_was_refused() {
        assert!(Replay::OnlyIfNotSent.allows(&transport(TransportKind::Connect)));
        assert!(!Replay::OnlyIfNotSent.allows(&transport(TransportKind::Timeout)));
        assert!(!Replay::OnlyIfNotSent.allows(&transport(TransportKind::Body)));
        assert!(Replay::Safe.allows(&transport(TransportKind::Timeout)));
    }
}
