//! The one error type of the HTTP client.

use std::time::Duration;

use crate::model::DecodeError;

/// How much of a non-JSON body an error keeps.
pub(crate) const BODY_EXCERPT_CHARS: usize = 512;

/// Everything that can go wrong talking to the shop. The HTTP status is kept whenever there
/// was a response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401 (or `faultCode` 1): the API key or token was refused.
    #[error("the shop refused the credentials (HTTP {status}){}", show(message))]
    Unauthorized {
        /// The HTTP status (401, or 2xx with a login-failure fault).
        status: u16,
        /// The API's message, from the body or the `x-error` header.
        message: Option<String>,
    },
    /// 403: the key lacks a module permission. The module and level are read from a message
    /// such as `Scope: crm, level: r`, when the API gives one.
    #[error("the API key lacks a permission (HTTP 403): module {}, level {}{}",
        module.as_deref().unwrap_or("?"), level.as_deref().unwrap_or("?"), show(message))]
    Forbidden {
        /// The module, e.g. `crm` or `oms`.
        module: Option<String>,
        /// The level, `r` or `rw`.
        level: Option<String>,
        /// The API's message.
        message: Option<String>,
    },
    /// Any other unsuccessful answer: non-2xx, or a 2xx/207 carrying a failure fault.
    #[error("the shop answered HTTP {status}{}{}{}",
        fault_code.map(|c| format!(", faultCode {c}")).unwrap_or_default(),
        show(fault_string), show(x_error))]
    Api {
        /// The HTTP status.
        status: u16,
        /// `errors.faultCode`, when the body had one.
        fault_code: Option<i64>,
        /// `errors.faultString` (or `message`), when the body had one.
        fault_string: Option<String>,
        /// The `x-error` response header.
        x_error: Option<String>,
        /// The start of the body when it was not JSON (an HTML error page, say).
        body_excerpt: Option<String>,
        /// The `Retry-After` the server asked for.
        retry_after: Option<Duration>,
    },
    /// A successful answer whose body could not be decoded.
    #[error("HTTP {status}: {source}")]
    Decode {
        /// The HTTP status.
        status: u16,
        /// Where and why decoding failed.
        #[source]
        source: DecodeError,
        /// The start of the body when it was not JSON at all.
        body_excerpt: Option<String>,
    },
    /// One record of a page could not be decoded (e.g. a customer without `clientId`); the
    /// other records of the page were. Item streams yield it and can be read on.
    #[error("a record could not be decoded: {0}")]
    Rejected(#[source] DecodeError),
    /// An item stream fetched as many pages as its client allows (`max_pages`) and the
    /// list still went on: what came out is not the whole list.
    #[error("paging stopped: {0}")]
    Paging(String),
    /// The request could not be sent or the answer not read (connection, timeout, TLS).
    #[error("request to the shop failed: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request was not valid before sending it (e.g. more than 100 clients in a filter).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client could not be built.
    #[error("invalid configuration: {0}")]
    Config(String),
}

fn show(detail: &Option<String>) -> String {
    detail
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default()
}

impl Error {
    /// The HTTP status of the answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { status, .. }
            | Self::Api { status, .. }
            | Self::Decode { status, .. } => Some(*status),
            Self::Forbidden { .. } => Some(403),
            Self::Transport(e) => e.status().map(|s| s.as_u16()),
            Self::Rejected(_) | Self::Paging(_) | Self::InvalidRequest(_) | Self::Config(_) => None,
        }
    }

    /// Whether repeating the same request may succeed: 408, 429, 5xx, timeouts and
    /// connection failures. Never 4xx in general, decode errors or invalid requests.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { status, .. } => matches!(status, 408 | 429 | 500..=599),
            Self::Transport(e) => e.is_timeout() || e.is_connect() || e.is_request() || e.is_body(),
            _ => false,
        }
    }

    /// The delay the server asked for with `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl http_retry::RetryableError for Error {
    fn is_retryable(&self) -> bool {
        Error::is_retryable(self)
    }

    fn retry_after(&self) -> Option<Duration> {
        Error::retry_after(self)
    }
}

/// Reads `module` and `level` out of a message such as `"Scope: crm, level: r"`.
pub(crate) fn parse_scope(message: &str) -> Option<(String, String)> {
    let lower = message.to_ascii_lowercase();
    let module = word_after(&lower, "scope:")?;
    let level = word_after(&lower, "level:").unwrap_or_default();
    Some((module, level))
}

fn word_after(text: &str, marker: &str) -> Option<String> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let word: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// The first [`BODY_EXCERPT_CHARS`] characters of a body, whitespace-trimmed.
pub(crate) fn excerpt(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    (!text.is_empty()).then(|| text.chars().take(BODY_EXCERPT_CHARS).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_messages() {
        assert_eq!(
            parse_scope("Access denied. Scope: crm, level: r"),
            Some(("crm".into(), "r".into()))
        );
        assert_eq!(
            parse_scope("scope: OMS level: rw"),
            Some(("oms".into(), "rw".into()))
        );
        assert_eq!(parse_scope("Forbidden"), None);
    }
}
