//! Fault injection shared by both simulators.
//!
//! A [`Faults`] handle holds a [`FaultPlan`] (random faults at given rates, plus latency) and
//! a queue of scripted faults ("fail the next N requests to this route"). [`instrument`]
//! wraps a simulator's router with a middleware that counts each request in
//! [`RequestCounters`] and then consults the handle.
//!
//! Rules that tests can rely on:
//! - **Deterministic**: random choices come from one RNG seeded by [`Faults::new`]; the same
//!   seed and the same sequence of requests give the same faults.
//! - **Changeable at run time**: [`Faults::set`], [`Faults::fail_next`] and [`Faults::clear`]
//!   take effect on the next request.
//! - **A plain fault never reaches the handler**, so it never changes the simulator's
//!   state: a client that retries after it cannot create a duplicate because of it.
//!   Latency only delays a request that is then served normally.
//! - **"Applied then failed" faults do reach the handler**: [`Fault::Applied`] (and
//!   [`Fault::Truncated`]) let the handler run to the end — a write is stored — and only then
//!   spoil the answer: a 500/503, a hang until the client gives up, a dropped connection, or a
//!   body cut short. This is what a real server does when it fails after committing, and
//!   what a client must survive without duplicating the write on retry.
//! - Scripted faults ([`Faults::fail_next`]) take precedence over random ones and do not
//!   consume random numbers.
//! - **Per route**: [`Faults::set_route`] gives one route (optionally one method of it) its
//!   own plan, used instead of the global one for requests to that route.
//!
//! ```
//! use std::time::Duration;
//! use sandbox::faults::{Fault, FaultPlan, Faults};
//!
//! let faults = Faults::new(42);
//! faults.set(FaultPlan { error_rate: 0.1, latency: Duration::from_millis(5), ..FaultPlan::default() });
//! faults.fail_next("/api/customers", 2, Fault::RateLimited { retry_after_secs: 3 });
//! // The next batch create is stored, and then the client sees a 503 anyway.
//! faults.fail_next("POST /api/batch/customers", 1, Fault::applied(Fault::Status(503)));
//! // A fifth of single updates are stored and then never answered.
//! faults.set_route("PUT /api/customers/{id}", FaultPlan { applied_hang_rate: 0.2, ..FaultPlan::default() });
//! assert_eq!(faults.plan().error_rate, 0.1);
//! assert_eq!(faults.route_plan("PUT /api/customers/{id}").map(|p| p.applied_hang_rate), Some(0.2));
//! faults.clear();
//! assert_eq!(faults.plan(), FaultPlan::default());
//! assert_eq!(faults.route_plan("PUT /api/customers/{id}"), None);
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::metrics::RequestCounters;

/// Random faults and latency applied to every request of a simulator.
///
/// Rates are shares of requests in `0.0..=1.0`. For each request one random draw picks at most
/// one fault, checked in this order: hang, drop, rate limit, error, malformed body, then the
/// "applied then failed" kinds (applied error, applied hang, applied drop, truncated body); so
/// the rates add up (their sum should stay ≤ 1). `Default` is a plan without any fault or
/// latency. The first five kinds never reach the handler; the last four let it run first (a
/// write is stored) and spoil only the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    /// Fixed delay added before every request is handled.
    pub latency: Duration,
    /// Extra random delay, uniform in `0..=jitter`, added to `latency`.
    pub jitter: Duration,
    /// Share of requests answered with a 500 or a 503 (half each, chosen at random).
    pub error_rate: f64,
    /// Share of requests answered with a 429 carrying `Retry-After: retry_after_secs`.
    pub rate_limit_rate: f64,
    /// The `Retry-After` value, in seconds, of a random 429.
    pub retry_after_secs: u64,
    /// Share of requests that hang for `hang_for` (meant to be longer than the client's
    /// timeout) and then get a 504.
    pub hang_rate: f64,
    /// How long a hanging request hangs.
    pub hang_for: Duration,
    /// Share of requests whose connection is dropped before a complete response is sent.
    pub drop_rate: f64,
    /// Share of requests answered with a 200 whose JSON body is cut off mid-way.
    pub malformed_rate: f64,
    /// Share of requests that are handled (a write is stored) and then answered with a 500 or
    /// a 503 (half each) instead of the handler's answer.
    pub applied_error_rate: f64,
    /// Share of requests that are handled (a write is stored) and then hang for `hang_for`
    /// before a 504: the client times out although its write succeeded.
    pub applied_hang_rate: f64,
    /// Share of requests that are handled (a write is stored) and whose connection is then
    /// dropped without an answer.
    pub applied_drop_rate: f64,
    /// Share of requests that are handled (a write is stored) and answered with the handler's
    /// own status and headers but only part of the body before the connection closes: half
    /// of them declare the whole body's `Content-Length` ([`Fault::Truncated`]), half are a
    /// cut chunked body ([`Fault::TruncatedChunked`]).
    pub truncated_rate: f64,
}

impl Default for FaultPlan {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            error_rate: 0.0,
            rate_limit_rate: 0.0,
            retry_after_secs: 1,
            hang_rate: 0.0,
            hang_for: Duration::from_secs(60),
            drop_rate: 0.0,
            malformed_rate: 0.0,
            applied_error_rate: 0.0,
            applied_hang_rate: 0.0,
            applied_drop_rate: 0.0,
            truncated_rate: 0.0,
        }
    }
}

impl FaultPlan {
    /// The sum of every fault rate (latency aside): the share of requests that get a fault.
    pub fn total_fault_rate(&self) -> f64 {
        self.hang_rate
            + self.drop_rate
            + self.rate_limit_rate
            + self.error_rate
            + self.malformed_rate
            + self.applied_error_rate
            + self.applied_hang_rate
            + self.applied_drop_rate
            + self.truncated_rate
    }
}

/// One injected misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status and a short plain-text body (e.g. 500, 503, 404, 410).
    Status(u16),
    /// Answer 429 Too Many Requests with `Retry-After: retry_after_secs`.
    RateLimited {
        /// Seconds sent in the `Retry-After` header.
        retry_after_secs: u64,
    },
    /// Wait this long, then answer 504 Gateway Timeout (a client with a shorter timeout
    /// gives up first).
    Hang(Duration),
    /// Send the status line and headers, then abort the connection mid-body.
    Drop,
    /// Answer 200 with `Content-Type: application/json` and a truncated JSON body.
    MalformedJson,
    /// **Applied, then failed**: the request reaches the handler and runs to the end (a write
    /// is stored), then the client gets the inner fault instead of the handler's answer:
    /// - `Status(code)` / `RateLimited`: that answer;
    /// - `Hang(d)`: nothing for `d` (the client times out), then a 504;
    /// - `Drop`: the connection is closed without a status line;
    /// - `MalformedJson`: a 200 with a cut JSON body;
    /// - `Truncated` (or a nested `Applied`): the same as without the wrapper.
    ///
    /// Build it with [`Fault::applied`].
    Applied(Box<Fault>),
    /// **Applied, then cut short**: the handler runs (a write is stored) and its own status
    /// and headers are sent with a `Content-Length` of its whole body, but only the first
    /// half of the body follows before the connection is closed. An answer without a body
    /// (a 204) becomes a 200 declaring 64 bytes of which 9 arrive.
    Truncated,
    /// **Applied, then cut short, chunked**: like [`Fault::Truncated`], but the body is sent
    /// with chunked transfer encoding (no `Content-Length`) and the connection closes before
    /// the last chunk.
    TruncatedChunked,
}

impl Fault {
    /// `inner`, but only after the handler has run: see [`Fault::Applied`].
    pub fn applied(inner: Fault) -> Self {
        match inner {
            // Nesting changes nothing; keep the value flat so it compares simply.
            Fault::Applied(_) | Fault::Truncated | Fault::TruncatedChunked => inner,
            other => Fault::Applied(Box::new(other)),
        }
    }

    /// Whether the handler runs before this fault spoils the answer (so a write is stored).
    pub fn reaches_handler(&self) -> bool {
        matches!(
            self,
            Fault::Applied(_) | Fault::Truncated | Fault::TruncatedChunked
        )
    }
}

/// A shared, run-time changeable fault plan with a seeded RNG. Clones share state.
#[derive(Clone)]
pub struct Faults {
    state: Arc<Mutex<FaultState>>,
}

struct FaultState {
    plan: FaultPlan,
    /// Plans of single routes by route key (`"METHOD /template"` or a bare template).
    route_plans: HashMap<String, FaultPlan>,
    rng: StdRng,
    /// Scripted faults by route key, consumed front to back.
    scripted: HashMap<String, VecDeque<ScriptedFault>>,
}

struct ScriptedFault {
    remaining: u32,
    fault: Fault,
}

/// What the middleware should do with one request.
struct Decision {
    delay: Duration,
    fault: Option<Fault>,
}

impl Faults {
    /// A handle with no faults whose random choices are drawn from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            state: Arc::new(Mutex::new(FaultState {
                plan: FaultPlan::default(),
                route_plans: HashMap::new(),
                rng: StdRng::seed_from_u64(seed),
                scripted: HashMap::new(),
            })),
        }
    }

    /// Replaces the random fault plan (scripted faults are kept).
    pub fn set(&self, plan: FaultPlan) {
        self.lock().plan = plan;
    }

    /// The current random fault plan.
    pub fn plan(&self) -> FaultPlan {
        self.lock().plan.clone()
    }

    /// Gives requests to one route their own random plan, used instead of the global one
    /// (its latency and rates both). `route_template` is named as in
    /// [`fail_next`](Self::fail_next): `"/api/customers/{id}"` (any method) or
    /// `"PUT /api/customers/{id}"` (that method only; a method-specific plan wins over an
    /// any-method one). Draws come from the same seeded RNG as the global plan's.
    pub fn set_route(&self, route_template: &str, plan: FaultPlan) {
        self.lock()
            .route_plans
            .insert(normalize_route_key(route_template), plan);
    }

    /// The plan set for `route_template` with [`set_route`](Self::set_route), if any.
    pub fn route_plan(&self, route_template: &str) -> Option<FaultPlan> {
        self.lock()
            .route_plans
            .get(&normalize_route_key(route_template))
            .cloned()
    }

    /// Forgets the plan of one route; its requests follow the global plan again.
    pub fn clear_route(&self, route_template: &str) {
        self.lock()
            .route_plans
            .remove(&normalize_route_key(route_template));
    }

    /// Makes the next `n` requests to `route_template` fail with `fault`.
    ///
    /// `route_template` is the route as registered in the router, e.g. `"/api/customers/{id}"`
    /// (any method), or prefixed with a method to match only that one, e.g.
    /// `"PUT /api/customers/{id}"`. Calls queue up: `fail_next(r, 1, a)` then
    /// `fail_next(r, 1, b)` fails the next request with `a` and the one after with `b`.
    pub fn fail_next(&self, route_template: &str, n: u32, fault: Fault) {
        if n == 0 {
            return;
        }
        self.lock()
            .scripted
            .entry(normalize_route_key(route_template))
            .or_default()
            .push_back(ScriptedFault {
                remaining: n,
                fault,
            });
    }

    /// Removes every fault: the plan goes back to `FaultPlan::default()`, route plans and
    /// scripted faults are forgotten. The RNG keeps its position.
    pub fn clear(&self) {
        let mut state = self.lock();
        state.plan = FaultPlan::default();
        state.route_plans.clear();
        state.scripted.clear();
    }

    fn decide(&self, method: &str, route_template: &str) -> Decision {
        let mut state = self.lock();
        let keyed = format!("{method} {route_template}");
        let plan = state
            .route_plans
            .get(&keyed)
            .or_else(|| state.route_plans.get(route_template))
            .unwrap_or(&state.plan)
            .clone();
        let delay = state.draw_delay(&plan);
        let fault = state
            .take_scripted(&keyed)
            .or_else(|| state.take_scripted(route_template))
            .or_else(|| state.draw_fault(&plan));
        Decision { delay, fault }
    }

    fn lock(&self) -> MutexGuard<'_, FaultState> {
        // Every update is a single assignment or queue operation, so a poisoned lock still
        // guards consistent data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faults")
            .field("plan", &self.plan())
            .finish()
    }
}

impl FaultState {
    fn draw_delay(&mut self, plan: &FaultPlan) -> Duration {
        let jitter = plan.jitter;
        if jitter.is_zero() {
            return plan.latency;
        }
        let extra_nanos = self.rng.random_range(0..=duration_nanos(jitter));
        plan.latency + Duration::from_nanos(extra_nanos)
    }

    fn take_scripted(&mut self, key: &str) -> Option<Fault> {
        let queue = self.scripted.get_mut(key)?;
        let front = queue.front_mut()?;
        let fault = front.fault.clone();
        front.remaining -= 1;
        if front.remaining == 0 {
            queue.pop_front();
        }
        if queue.is_empty() {
            self.scripted.remove(key);
        }
        Some(fault)
    }

    fn draw_fault(&mut self, plan: &FaultPlan) -> Option<Fault> {
        if plan.total_fault_rate() <= 0.0 {
            // No draw at all, so a fault-free plan leaves the RNG sequence untouched.
            return None;
        }
        let draw: f64 = self.rng.random();
        let mut threshold = 0.0;
        let choices = [
            (plan.hang_rate, Fault::Hang(plan.hang_for)),
            (plan.drop_rate, Fault::Drop),
            (
                plan.rate_limit_rate,
                Fault::RateLimited {
                    retry_after_secs: plan.retry_after_secs,
                },
            ),
            (plan.error_rate, Fault::Status(500)),
            (plan.malformed_rate, Fault::MalformedJson),
            // Checked after the older kinds, so plans without them draw exactly as before.
            (
                plan.applied_error_rate,
                Fault::Applied(Box::new(Fault::Status(500))),
            ),
            (
                plan.applied_hang_rate,
                Fault::Applied(Box::new(Fault::Hang(plan.hang_for))),
            ),
            (
                plan.applied_drop_rate,
                Fault::Applied(Box::new(Fault::Drop)),
            ),
            (plan.truncated_rate, Fault::Truncated),
        ];
        for (rate, fault) in choices {
            threshold += rate;
            if draw < threshold {
                return Some(self.pick_error_status(fault));
            }
        }
        None
    }

    /// Random server errors (plain or after the handler) are split evenly between 500 and 503,
    /// random truncations between a short `Content-Length` body and a cut chunked body.
    fn pick_error_status(&mut self, fault: Fault) -> Fault {
        match fault {
            Fault::Status(500) if self.rng.random_bool(0.5) => Fault::Status(503),
            Fault::Applied(inner) if *inner == Fault::Status(500) && self.rng.random_bool(0.5) => {
                Fault::Applied(Box::new(Fault::Status(503)))
            }
            Fault::Truncated if self.rng.random_bool(0.5) => Fault::TruncatedChunked,
            other => other,
        }
    }
}

fn duration_nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// `"put /a"` and `"PUT /a"` are the same key; a bare template stays as it is.
fn normalize_route_key(route: &str) -> String {
    match route.split_once(' ') {
        Some((method, template)) => format!("{} {}", method.to_ascii_uppercase(), template.trim()),
        None => route.to_owned(),
    }
}

/// Wraps `router` so that every request is counted in `counters` (by method and matched
/// route template) and then subject to `faults`.
///
/// Call it after all routes are added: like any `Router::layer`, it only wraps the routes
/// (and fallback) present at the time of the call.
pub fn instrument(router: axum::Router, faults: Faults, counters: RequestCounters) -> axum::Router {
    router.layer(axum::middleware::from_fn_with_state(
        (faults, counters),
        count_then_inject,
    ))
}

async fn count_then_inject(
    State((faults, counters)): State<(Faults, RequestCounters)>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_owned();
    let route = match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        None => request.uri().path().to_owned(),
    };
    counters.record(&method, &route);
    let decision = faults.decide(&method, &route);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    match decision.fault {
        None => next.run(request).await,
        Some(fault) if fault.reaches_handler() => {
            let answer = next.run(request).await;
            tracing::debug!(%method, %route, ?fault, "injecting fault after the handler ran");
            spoil_answer(fault, answer).await
        }
        Some(fault) => {
            tracing::debug!(%method, %route, ?fault, "injecting fault");
            fault_response(fault).await
        }
    }
}

/// The answer of an "applied then failed" fault, given the handler's own `answer`.
async fn spoil_answer(fault: Fault, answer: Response) -> Response {
    let inner = match fault {
        Fault::Applied(inner) => *inner,
        other => other,
    };
    match inner {
        Fault::TruncatedChunked => truncated_response(answer, false).await,
        Fault::Truncated | Fault::Applied(_) => truncated_response(answer, true).await,
        Fault::Drop => no_answer_response(),
        other => fault_response(other).await,
    }
}

/// Declared length of the body sent instead of an empty answer that must be truncated.
const EMPTY_ANSWER_DECLARED_LENGTH: u64 = 64;

/// `answer`'s status and headers — with a `Content-Length` of its whole body when
/// `declare_length`, else chunked — followed by only the first half of the body and then an
/// aborted connection.
async fn truncated_response(answer: Response, declare_length: bool) -> Response {
    let (mut parts, body) = answer.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let (declared, sent) = if bytes.is_empty() || parts.status == StatusCode::NO_CONTENT {
        // A 204 may not carry a body; the client gets a 200 whose body never fully arrives.
        parts.status = StatusCode::OK;
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        (
            EMPTY_ANSWER_DECLARED_LENGTH,
            Bytes::from_static(b"{\"status\""),
        )
    } else {
        let half = bytes.len() / 2;
        (bytes.len() as u64, bytes.slice(..half))
    };
    if declare_length {
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(declared));
    } else {
        parts.headers.remove(header::CONTENT_LENGTH);
    }
    Response::from_parts(parts, cut_body(sent, "injected fault: truncated body"))
}

/// How long a cut body waits after its last bytes before failing, so that hyper flushes
/// the status line, headers and those bytes before it aborts the connection (it flushes
/// when the body is pending; an error right after a chunk would discard the buffer).
const CUT_BODY_PAUSE: Duration = Duration::from_millis(20);

/// A body that sends `sent`, pauses, and then fails: the client has the head and `sent`,
/// then a broken connection.
fn cut_body(sent: Bytes, reason: &'static str) -> Body {
    use futures::StreamExt;
    let first = futures::stream::iter([Ok::<_, std::io::Error>(sent)]);
    let failure = futures::stream::once(async move {
        tokio::time::sleep(CUT_BODY_PAUSE).await;
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            reason,
        ))
    });
    Body::from_stream(first.chain(failure))
}

/// A response whose body fails before its first byte: hyper aborts the connection, and the
/// client sees the connection closed (see the `faults_applied` tests for what reaches it).
fn no_answer_response() -> Response {
    let chunks: [Result<Bytes, std::io::Error>; 1] = [Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "injected fault: connection dropped after the handler ran",
    ))];
    Response::new(Body::from_stream(futures::stream::iter(chunks)))
}

async fn fault_response(fault: Fault) -> Response {
    match fault {
        Fault::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, format!("injected fault: {status}")).into_response()
        }
        Fault::RateLimited { retry_after_secs } => {
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                "injected fault: too many requests",
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
        Fault::Hang(duration) => {
            tokio::time::sleep(duration).await;
            (StatusCode::GATEWAY_TIMEOUT, "injected fault: hung request").into_response()
        }
        Fault::Drop => dropped_connection_response(),
        // Only reached without a handler answer (e.g. a nested wrapper): a cut body.
        Fault::Applied(_) | Fault::Truncated | Fault::TruncatedChunked => {
            dropped_connection_response()
        }
        Fault::MalformedJson => (
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"count": 2, "result": [{"customer_id": 1, "name": "Jan", "surn"#,
        )
            .into_response(),
    }
}

/// A 200 whose body stream fails after the first chunk: hyper then aborts the connection,
/// so the client sees a broken body (or a broken connection) instead of a response.
fn dropped_connection_response() -> Response {
    let chunks: [Result<Bytes, std::io::Error>; 2] = [
        Ok(Bytes::from_static(b"{\"count\": 1, \"result\": [")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected fault: dropped connection",
        )),
    ];
    let mut response = Response::new(Body::from_stream(futures::stream::iter(chunks)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
