//! The crate's one error type.

use std::fmt;
use std::time::Duration;

use crate::model::{ErrorDetail, error_details};

/// How many characters of a non-JSON body are kept.
const EXCERPT_CHARS: usize = 512;

/// What Thulium said in a non-2xx answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// Thulium's `request_id` (what Thulium support asks for).
    pub request_id: Option<String>,
    /// Every entry of `errors[]`.
    pub errors: Vec<ErrorDetail>,
    /// The start of the body when it was not a JSON error body (e.g. an HTML proxy page).
    pub body_excerpt: Option<String>,
    /// The delay the server asked for in `Retry-After`.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// Builds the error from a status and raw body.
    pub fn from_body(status: u16, body: &[u8], retry_after: Option<Duration>) -> Self {
        let json = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .filter(|v| v.is_object());
        match json {
            Some(value) => Self {
                status,
                request_id: value
                    .get("request_id")
                    .and_then(crate::model::lenient::text_of),
                errors: error_details(value.get("errors")),
                body_excerpt: None,
                retry_after,
            },
            None => Self {
                status,
                request_id: None,
                errors: Vec::new(),
                body_excerpt: Some(excerpt(body)).filter(|e| !e.is_empty()),
                retry_after,
            },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request_id {id})")?;
        }
        for (index, error) in self.errors.iter().enumerate() {
            let sep = if index == 0 { ": " } else { "; " };
            write!(f, "{sep}{}", error.message)?;
            if let Some(code) = error.code {
                write!(f, " [{code}]")?;
            }
        }
        Ok(())
    }
}

/// The start of a body as text, cut on a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .chars()
        .take(EXCERPT_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// The connection could not be opened: the request never reached the server.
    Connect,
    /// The request or the answer timed out.
    Timeout,
    /// Sending failed after connecting (e.g. connection reset).
    Request,
    /// Reading the answer's body failed.
    Body,
    /// Anything else (e.g. building the request).
    Other,
}

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 400: validation failed.
    #[error("bad request: {0}")]
    BadRequest(ApiError),
    /// 401: wrong API user or password.
    #[error("unauthorized (wrong API user or password): {0}")]
    Unauthorized(ApiError),
    /// 403: the API user may not call this method.
    #[error("forbidden (API user lacks permission): {0}")]
    Forbidden(ApiError),
    /// 404: unknown resource or id.
    #[error("not found: {0}")]
    NotFound(ApiError),
    /// 410: permanently deleted.
    #[error("gone (permanently deleted): {0}")]
    Gone(ApiError),
    /// 429: too many requests.
    #[error("rate limited: {0}")]
    RateLimited(ApiError),
    /// 5xx.
    #[error("server error: {0}")]
    Server(ApiError),
    /// Any other non-2xx status.
    #[error("unexpected status: {0}")]
    UnexpectedStatus(ApiError),
    /// The request could not be sent or the answer not received.
    #[error("transport error ({kind:?}): {message}")]
    Transport {
        /// The failure's kind (decides retries).
        kind: TransportKind,
        /// The underlying error's message (without the URL, which may carry customer data).
        message: String,
    },
    /// A 2xx answer could not be decoded.
    #[error("cannot decode HTTP {status} answer at `{path}`: {message}")]
    Decode {
        /// The HTTP status of the answer.
        status: u16,
        /// JSON path of the failure (empty for the document itself).
        path: String,
        /// What went wrong.
        message: String,
        /// The start of the body (not in `Display`: it may hold customer data).
        body_excerpt: String,
    },
    /// The client was configured wrongly (URL, credentials, headers).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A paged listing was stopped by its guard against endless paging.
    #[error("paging stopped: {0}")]
    Paging(String),
}

impl Error {
    /// Maps a non-2xx status to its variant.
    pub fn from_status(api: ApiError) -> Self {
        match api.status {
            400 => Self::BadRequest(api),
            401 => Self::Unauthorized(api),
            403 => Self::Forbidden(api),
            404 => Self::NotFound(api),
            410 => Self::Gone(api),
            429 => Self::RateLimited(api),
            500..=599 => Self::Server(api),
            _ => Self::UnexpectedStatus(api),
        }
    }

    /// The API's answer, for status errors.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::BadRequest(a)
            | Self::Unauthorized(a)
            | Self::Forbidden(a)
            | Self::NotFound(a)
            | Self::Gone(a)
            | Self::RateLimited(a)
            | Self::Server(a)
            | Self::UnexpectedStatus(a) => Some(a),
            _ => None,
        }
    }

    /// The HTTP status, when an answer was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Decode { status, .. } => Some(*status),
            other => other.api().map(|a| a.status),
        }
    }

    /// Thulium's `request_id`, when the error body had one.
    pub fn request_id(&self) -> Option<&str> {
        self.api().and_then(|a| a.request_id.as_deref())
    }

    /// Whether trying again later may succeed: 429, 500, 502, 503, 504, timeouts and
    /// connection failures. (Whether it is *safe* to retry depends on the method; the
    /// client's retry loop decides that.)
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited(_) => true,
            Self::Server(api) => matches!(api.status, 500 | 502 | 503 | 504),
            Self::Transport { kind, .. } => !matches!(kind, TransportKind::Other),
            _ => false,
        }
    }

    /// The `Retry-After` delay the server asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api().and_then(|a| a.retry_after)
    }

    /// A decode error from a [`DecodeFailure`](crate::model::DecodeFailure).
    #[cfg(feature = "http")]
    pub(crate) fn decode(status: u16, failure: crate::model::DecodeFailure, body: &[u8]) -> Self {
        Self::Decode {
            status,
            path: failure.path,
            message: failure.message,
            body_excerpt: excerpt(body),
        }
    }
}

#[cfg(feature = "http")]
impl http_retry::RetryableError for Error {
    fn is_retryable(&self) -> bool {
        Error::is_retryable(self)
    }

    fn retry_after(&self) -> Option<Duration> {
        Error::retry_after(self)
    }
}

#[cfg(feature = "http")]
impl From<reqwest::Error> for Error {
    fn from(error: reqwest::Error) -> Self {
        let kind = if error.is_connect() {
            TransportKind::Connect
        } else if error.is_timeout() {
            TransportKind::Timeout
        } else if error.is_request() {
            TransportKind::Request
        } else if error.is_body() || error.is_decode() {
            TransportKind::Body
        } else {
            TransportKind::Other
        };
        // The URL may carry e-mails or phone numbers from search filters: drop it.
        let error = error.without_url();
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        Self::Transport { kind, message }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
