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
//! - **An injected fault never reaches the handler**, so it never changes the simulator's
//!   state: a client that retries after a fault cannot create a duplicate because of it.
//!   Latency is the exception: it only delays a request that is then served normally.
//! - Scripted faults ([`Faults::fail_next`]) take precedence over random ones and do not
//!   consume random numbers.
//!
//! ```
//! use std::time::Duration;
//! use sandbox::faults::{Fault, FaultPlan, Faults};
//!
//! let faults = Faults::new(42);
//! faults.set(FaultPlan { error_rate: 0.1, latency: Duration::from_millis(5), ..FaultPlan::default() });
//! faults.fail_next("/api/customers", 2, Fault::RateLimited { retry_after_secs: 3 });
//! assert_eq!(faults.plan().error_rate, 0.1);
//! faults.clear();
//! assert_eq!(faults.plan(), FaultPlan::default());
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
/// one fault, checked in this order: hang, drop, rate limit, error, malformed body; so the
/// rates add up (their sum should stay ≤ 1). `Default` is a plan without any fault or latency.
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
        }
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
}

/// A shared, run-time changeable fault plan with a seeded RNG. Clones share state.
#[derive(Clone)]
pub struct Faults {
    state: Arc<Mutex<FaultState>>,
}

struct FaultState {
    plan: FaultPlan,
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

    /// Removes every fault: the plan goes back to `FaultPlan::default()` and scripted faults
    /// are forgotten. The RNG keeps its position.
    pub fn clear(&self) {
        let mut state = self.lock();
        state.plan = FaultPlan::default();
        state.scripted.clear();
    }

    fn decide(&self, method: &str, route_template: &str) -> Decision {
        let mut state = self.lock();
        let delay = state.draw_delay();
        let fault = state
            .take_scripted(&format!("{method} {route_template}"))
            .or_else(|| state.take_scripted(route_template))
            .or_else(|| state.draw_fault());
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
    fn draw_delay(&mut self) -> Duration {
        let jitter = self.plan.jitter;
        if jitter.is_zero() {
            return self.plan.latency;
        }
        let extra_nanos = self.rng.random_range(0..=duration_nanos(jitter));
        self.plan.latency + Duration::from_nanos(extra_nanos)
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

    fn draw_fault(&mut self) -> Option<Fault> {
        let plan = &self.plan;
        let total = plan.hang_rate
            + plan.drop_rate
            + plan.rate_limit_rate
            + plan.error_rate
            + plan.malformed_rate;
        if total <= 0.0 {
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
        ];
        for (rate, fault) in choices {
            threshold += rate;
            if draw < threshold {
                return Some(self.pick_error_status(fault));
            }
        }
        None
    }

    /// Random server errors are split evenly between 500 and 503.
    fn pick_error_status(&mut self, fault: Fault) -> Fault {
        match fault {
            Fault::Status(500) if self.rng.random_bool(0.5) => Fault::Status(503),
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
        Some(fault) => {
            tracing::debug!(%method, %route, ?fault, "injecting fault");
            fault_response(fault).await
        }
    }
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
