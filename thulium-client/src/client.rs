//! The HTTP client: configuration, authentication and the single request path.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http_retry::parse_retry_after;
use reqwest::Method;
use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::error::{ApiError, Error, Result};
use crate::model::{DecodeFailure, Page};
use crate::retry::{Replay, RetryPolicy};

/// Default total timeout of one HTTP attempt.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default guard against endless paging: a stream that would need more pages than
/// this ends with [`Error::Paging`](crate::Error::Paging) (the same default as
/// `iai-shop-client`).
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

/// An API user and its password. `Debug` never shows the password.
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: SecretString,
}

impl Credentials {
    /// Credentials of an API user (Administration → Users → API Users).
    pub fn new(user: impl Into<String>, password: SecretString) -> Self {
        Self {
            user: user.into(),
            password,
        }
    }

    /// The API user's name.
    pub fn user(&self) -> &str {
        &self.user
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Builds a [`ThuliumClient`]; see [`ThuliumClient::builder`].
#[derive(Debug)]
pub struct ThuliumClientBuilder {
    account_url: Url,
    credentials: Option<Credentials>,
    accept_language: Option<String>,
    timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    max_pages: u32,
}

impl ThuliumClientBuilder {
    /// The API user and password (HTTP Basic).
    pub fn credentials(self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials_secret(Credentials::new(user, SecretString::from(password.into())))
    }

    /// Credentials already held as a secret.
    pub fn credentials_secret(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Sends `Accept-Language` (e.g. `pl` for Polish error messages).
    pub fn accept_language(mut self, language: impl Into<String>) -> Self {
        self.accept_language = Some(language.into());
        self
    }

    /// Total timeout of one HTTP attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How failed calls are retried (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Most pages one stream fetches before failing with [`Error::Paging`]
    /// (default 100 000, i.e. 100 million records at 1000 per page).
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages.max(1);
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<ThuliumClient> {
        let credentials = self.credentials.ok_or_else(|| {
            Error::Config("credentials (API user and password) are required".into())
        })?;
        let accept_language = self
            .accept_language
            .map(|l| {
                HeaderValue::from_str(&l)
                    .map_err(|_| Error::Config("invalid Accept-Language value".into()))
            })
            .transpose()?;
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .user_agent(self.user_agent)
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(ThuliumClient {
            inner: Arc::new(Inner {
                http,
                api_base: api_base(&self.account_url)?,
                credentials,
                accept_language,
                retry: self.retry,
                max_pages: self.max_pages,
            }),
        })
    }
}

/// `https://acme.thulium.com`, `.../`, `.../api` and `.../api/` all become `.../api/`.
fn api_base(account_url: &Url) -> Result<Url> {
    if !matches!(account_url.scheme(), "http" | "https") || account_url.cannot_be_a_base() {
        return Err(Error::Config(
            "the account URL must be an http(s) URL".into(),
        ));
    }
    let mut base = account_url.clone();
    base.set_query(None);
    base.set_fragment(None);
    let path = base.path().trim_end_matches('/');
    let path = path.strip_suffix("/api").unwrap_or(path).to_owned();
    base.set_path(&format!("{path}/api/"));
    Ok(base)
}

/// A client of one Thulium tenant. Cheap to clone; clones share one connection pool.
#[derive(Clone)]
pub struct ThuliumClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    api_base: Url,
    credentials: Credentials,
    accept_language: Option<HeaderValue>,
    retry: RetryPolicy,
    max_pages: u32,
}

impl fmt::Debug for ThuliumClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThuliumClient")
            .field("api_base", &self.inner.api_base.as_str())
            .field("credentials", &self.inner.credentials)
            .field("retry", &self.inner.retry)
            .finish()
    }
}

/// One API call, before it is sent.
pub(crate) struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub replay: Replay,
}

impl ApiRequest {
    /// A call without query or body.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        let replay = if method == Method::POST {
            Replay::OnlyIfNotProcessed
        } else {
            Replay::Safe
        };
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            replay,
        }
    }

    /// Adds query pairs.
    pub fn query(mut self, query: Vec<(String, String)>) -> Self {
        self.query = query;
        self
    }

    /// Adds a JSON body.
    pub fn json(mut self, body: &impl serde::Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Config(format!("cannot encode the request body: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }
}

/// A 2xx answer.
pub(crate) struct ApiResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

impl ApiResponse {
    /// The body as JSON, `null` when empty.
    pub fn value(&self) -> Result<serde_json::Value> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::decode(
                self.status,
                DecodeFailure {
                    path: String::new(),
                    message: e.to_string(),
                },
                &self.body,
            )
        })
    }

    /// The body as one page of a list. Unlike [`ApiResponse::value`], an empty (or
    /// whitespace-only) body is an error, not an empty list: a list answer always has a
    /// body (`[]`, `{}` or `{"count": 0, "result": []}` when nothing matches), so an empty
    /// one was cut off, and reading it as "no records" would make a caller that indexes a
    /// tenant create everyone again.
    pub fn list<T: DeserializeOwned>(&self) -> Result<Page<T>> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::decode(
                self.status,
                DecodeFailure {
                    path: String::new(),
                    message: "the list answer has an empty body".to_owned(),
                },
                &self.body,
            ));
        }
        Page::from_value(self.value()?).map_err(|f| Error::decode(self.status, f, &self.body))
    }

    /// The body decoded into `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(self.value()?).map_err(|e| {
            Error::decode(
                self.status,
                DecodeFailure {
                    path: String::new(),
                    message: e.to_string(),
                },
                &self.body,
            )
        })
    }
}

impl ThuliumClient {
    /// Starts configuring a client for `account_url` (`https://acme.thulium.com`, with or
    /// without `/api` and a trailing slash).
    pub fn builder(account_url: Url) -> ThuliumClientBuilder {
        ThuliumClientBuilder {
            account_url,
            credentials: None,
            accept_language: None,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            user_agent: concat!("thulium-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_pages: DEFAULT_MAX_PAGES,
        }
    }

    /// The API base every path is appended to (ends in `/api/`).
    pub fn api_base(&self) -> &Url {
        &self.inner.api_base
    }

    pub(crate) fn max_pages(&self) -> u32 {
        self.inner.max_pages
    }

    /// Sends a call with retries, inside a `thulium.call` span (method, path, attempt,
    /// status). Query values may be customer data, so they are logged at debug level only.
    pub(crate) async fn execute(&self, request: ApiRequest) -> Result<ApiResponse> {
        let span = tracing::info_span!("thulium.call", method = %request.method, path = %request.path,
            attempt = tracing::field::Empty, status = tracing::field::Empty);
        let url = self.url_for(&request)?;
        tracing::debug!(parent: &span, query = url.query().unwrap_or(""), "Thulium request");
        let replay = request.replay;
        let outcome = self
            .inner
            .retry
            .run_if(
                |error| replay.allows(error),
                |attempt| {
                    span.record("attempt", attempt);
                    self.attempt(&request, url.clone())
                },
            )
            .instrument(span.clone())
            .await;
        let status = match &outcome {
            Ok(response) => Some(response.status),
            Err(error) => error.status(),
        };
        if let Some(status) = status {
            span.record("status", status);
        }
        outcome
    }

    fn url_for(&self, request: &ApiRequest) -> Result<Url> {
        let mut url = self
            .inner
            .api_base
            .join(&request.path)
            .map_err(|e| Error::Config(format!("invalid API path: {e}")))?;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        Ok(url)
    }

    async fn attempt(&self, request: &ApiRequest, url: Url) -> Result<ApiResponse> {
        let inner = &self.inner;
        let mut builder = inner
            .http
            .request(request.method.clone(), url)
            .basic_auth(
                &inner.credentials.user,
                Some(inner.credentials.password.expose_secret()),
            )
            .header(ACCEPT, "application/json");
        if let Some(language) = &inner.accept_language {
            builder = builder.header(ACCEPT_LANGUAGE, language.clone());
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json; charset=utf-8")
                .body(body.clone());
        }
        let response = builder
            .send()
            .await
            .inspect_err(|_| http_retry::count_unanswered("thulium"))?;
        let status = response.status();
        http_retry::count_response("thulium", status.as_u16());
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = response.bytes().await?.to_vec();
        tracing::debug!(
            status = status.as_u16(),
            bytes = body.len(),
            "Thulium answer"
        );
        if status.is_success() {
            Ok(ApiResponse {
                status: status.as_u16(),
                body,
            })
        } else {
            Err(Error::from_status(ApiError::from_body(
                status.as_u16(),
                &body,
                retry_after,
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_url_forms_all_map_to_one_base() {
        for raw in [
            "https://acme.thulium.com",
            "https://acme.thulium.com/",
            "https://acme.thulium.com/api",
            "https://acme.thulium.com/api/",
        ] {
            let url = Url::parse(raw).ok();
            let base = url
                .as_ref()
                .and_then(|u| api_base(u).ok())
                .map(|u| u.to_string());
            assert_eq!(
                base.as_deref(),
                Some("https://acme.thulium.com/api/"),
                "{raw}"
            );
        }
    }
}
