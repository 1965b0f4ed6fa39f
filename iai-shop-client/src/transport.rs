//! Sending one call: URL, headers, retries, tracing, and turning the answer into data or an
//! [`Error`].

use std::time::SystemTime;

use http_retry::parse_retry_after;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument;

use crate::error::{Error, excerpt, parse_scope};
use crate::idosell_client::{Credentials, IdoSellClient};
use crate::model::{DecodeError, Fault, Page, RawPage, from_json_slice};

/// What a successful call brought back.
pub(crate) enum Answer<T> {
    /// Data.
    Data(T),
    /// The API's "empty result" (`faultCode` 2, normally with HTTP 207): no data.
    Empty,
}

/// The body of a call.
enum Body {
    /// No body (GET).
    None,
    /// A JSON body (sent as is; callers wrap it in `{"params": ...}`).
    Json(Value),
}

/// One call of the API: what to send, and which page of what size it asks for.
pub(crate) struct Call {
    method: Method,
    /// The path below the API root, e.g. `clients/clients`.
    path: &'static str,
    query: Vec<(String, String)>,
    body: Body,
    /// The 0-based page number asked for (0 for calls that are not paged).
    page: u32,
    /// The page size asked for (`resultsLimit`).
    page_size: u32,
}

impl Call {
    /// `GET path?query`.
    pub(crate) fn get(path: &'static str, query: Vec<(String, String)>) -> Self {
        Self::new(Method::GET, path, query, Body::None)
    }

    /// `POST path` with a JSON body (the searches: reads, despite the method).
    pub(crate) fn post(path: &'static str, body: Value) -> Self {
        Self::new(Method::POST, path, Vec::new(), Body::Json(body))
    }

    fn new(method: Method, path: &'static str, query: Vec<(String, String)>, body: Body) -> Self {
        Self {
            method,
            path,
            query,
            body,
            page: 0,
            page_size: crate::paging::MAX_PAGE_SIZE,
        }
    }

    /// The page number and size the call asks for, so that its answer is read as that page.
    pub(crate) fn page(self, page: u32, page_size: u32) -> Self {
        Self {
            page,
            page_size,
            ..self
        }
    }
}

impl IdoSellClient {
    /// The one request path of the crate: performs the call with retries and decodes the
    /// answer into a typed page (the API's "empty result" is an empty page). Every call of
    /// this client is a read (the searches use POST but change nothing), so all of them
    /// are safe to repeat.
    pub(crate) async fn fetch_page<T: DeserializeOwned>(
        &self,
        call: Call,
    ) -> Result<Page<T>, Error> {
        let answer = self
            .call(call.method, call.path, &call.query, call.body)
            .await?;
        Ok(match answer {
            Answer::Data(raw) => raw.into_page(call.page, call.page_size),
            Answer::Empty => Page::empty(call.page),
        })
    }

    /// Performs `method path?query` with retries and reads the answer's envelope.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Body,
    ) -> Result<Answer<RawPage>, Error> {
        let url = self.url(path, query)?;
        let span = tracing::info_span!(
            "idosell_call",
            method = %method,
            path = %path,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        let policy = self.inner.retry.clone();
        let body = &body;
        async move {
            policy
                .run(|attempt| {
                    tracing::Span::current().record("attempt", attempt);
                    self.attempt(method.clone(), url.clone(), body)
                })
                .await
        }
        .instrument(span)
        .await
    }

    fn url(&self, path: &str, query: &[(String, String)]) -> Result<url::Url, Error> {
        let mut url = self
            .inner
            .api_base
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::InvalidRequest(format!("bad path {path:?}: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    async fn attempt(
        &self,
        method: Method,
        url: url::Url,
        body: &Body,
    ) -> Result<Answer<RawPage>, Error> {
        let mut request = self
            .inner
            .http
            .request(method, url)
            .header(ACCEPT, "application/json");
        request = match &self.inner.credentials {
            Credentials::ApiKey(key) => request.header("X-API-KEY", key.expose_secret()),
            Credentials::Bearer(token) => {
                request.header(AUTHORIZATION, format!("Bearer {}", token.expose_secret()))
            }
        };
        if let Body::Json(json) = body {
            request = request.json(json);
        }
        let response = request
            .send()
            .await
            .inspect_err(|_| http_retry::count_unanswered("idosell"))
            .map_err(Error::Transport)?;
        let status = response.status();
        http_retry::count_response("idosell", status.as_u16());
        tracing::Span::current().record("status", status.as_u16());
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(Error::Transport)?;
        tracing::debug!(bytes = bytes.len(), "answer received");
        interpret(status, &headers, &bytes)
    }
}

/// Turns a status, headers and body into data, "empty", or the right [`Error`].
fn interpret(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Answer<RawPage>, Error> {
    if status.is_success() {
        return success(status.as_u16(), body);
    }
    // Error answers are small and rare: reading them as a `Value` costs nothing that matters.
    let json = serde_json::from_slice::<Value>(body).ok();
    let fault = json.as_ref().and_then(Fault::from_body);
    let x_error = header_text(headers, "x-error");
    let message = x_error
        .clone()
        .or_else(|| fault.as_ref().and_then(|f| f.message.clone()));
    match status {
        StatusCode::UNAUTHORIZED => Err(Error::Unauthorized {
            status: 401,
            message,
        }),
        StatusCode::FORBIDDEN => {
            let text = message
                .clone()
                .or_else(|| excerpt(body))
                .unwrap_or_default();
            let (module, level) = parse_scope(&text).unzip();
            Err(Error::Forbidden {
                module,
                level,
                message,
            })
        }
        _ => Err(Error::Api {
            status: status.as_u16(),
            fault_code: fault.as_ref().and_then(|f| f.code),
            fault_string: fault.and_then(|f| f.message),
            x_error,
            body_excerpt: if json.is_none() { excerpt(body) } else { None },
            retry_after: header_text(headers, RETRY_AFTER.as_str())
                .and_then(|v| parse_retry_after(&v, SystemTime::now())),
        }),
    }
}

/// A 2xx answer, decoded in one pass from the bytes into the page envelope (records stay
/// raw until [`RawPage::into_page`]); the `errors` block is read on the way. Only when that fails is the body looked at again, to tell an error
/// answer whose data does not fit (e.g. a 207 "empty result" with odd `results`) and a body
/// that is not JSON at all from data that is really malformed.
fn success(status: u16, body: &[u8]) -> Result<Answer<RawPage>, Error> {
    let source = match from_json_slice::<RawPage>(body) {
        Ok(mut page) => {
            return match page.take_fault().and_then(|f| fault_outcome(status, f)) {
                Some(outcome) => outcome,
                None => Ok(Answer::Data(page)),
            };
        }
        Err(source) => source,
    };
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        let source = DecodeError {
            path: ".".into(),
            message: "the body is not JSON".into(),
        };
        return Err(Error::Decode {
            status,
            source,
            body_excerpt: excerpt(body),
        });
    };
    if let Some(outcome) = Fault::from_body(&json).and_then(|f| fault_outcome(status, f)) {
        return outcome;
    }
    Err(Error::Decode {
        status,
        source,
        body_excerpt: None,
    })
}

/// What the `errors` block of a 2xx answer decides, if anything: "empty result", a login
/// failure, or an API error. `None` means the data stands.
fn fault_outcome<T>(status: u16, fault: Fault) -> Option<Result<Answer<T>, Error>> {
    if fault.is_empty_result() {
        return Some(Ok(Answer::Empty));
    }
    if fault.code == Some(Fault::LOGIN_FAILURE) {
        return Some(Err(Error::Unauthorized {
            status,
            message: fault.message,
        }));
    }
    if fault.is_failure() && fault.code.is_some() {
        return Some(Err(Error::Api {
            status,
            fault_code: fault.code,
            fault_string: fault.message,
            x_error: None,
            body_excerpt: None,
            retry_after: None,
        }));
    }
    None
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}
