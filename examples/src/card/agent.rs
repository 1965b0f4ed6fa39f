//! The pages agents reach from Thulium, behind each integration's agent token:
//!
//! | Route | What |
//! |---|---|
//! | `GET /card/{token}/{thulium_customer_id}` | the card of the shop customer linked to a Thulium customer |
//! | `GET /card/{token}/shop/{client_id}` | the card of a shop customer |
//! | `GET /thulium/external-crm/{token}?phone_number=…` | Thulium's external-CRM caller lookup |
//!
//! The token picks the integration (one daemon may serve several shops); it is compared
//! with every integration's token in constant time. A wrong or missing token gets the same
//! empty 404 as any unknown path, so nothing tells a guesser which part was wrong, and counts
//! as a failure of the client's address ([`FailureLimit`]). Every answer carries
//! `Cache-Control: no-store`, `Referrer-Policy: no-referrer`, `X-Content-Type-Options:
//! nosniff` and a `Content-Security-Policy` that allows no scripts and lets only the
//! Thulium account's pages frame the card (`frame-ancestors`).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use secrecy::SecretString;

use crate::token::token_matches;
use sync_core::engine::store::StateStore;
use sync_core::phone::phone_key;
use url::Url;

use super::caller::find_caller;
use super::fetch::{card_for_shop_customer, card_for_thulium_customer};
use super::limit::{FailureLimit, FailureLimiter};
use super::routes::{Format, caller_answer, not_found, parse_id, respond, too_many_failures};
use super::state::CardState;

/// One integration as agents reach it: its card clients and settings, its agent token and,
/// when the sync's state store is at hand, the caller index in it.
#[derive(Clone)]
pub struct AgentIntegration {
    card: CardState,
    token: SecretString,
    store: Option<Arc<dyn StateStore>>,
}

impl AgentIntegration {
    /// The integration `card` serves, reachable with `token`. Without a store
    /// ([`AgentIntegration::with_store`]) every caller lookup asks the shop.
    pub fn new(card: CardState, token: SecretString) -> Self {
        Self {
            card,
            token,
            store: None,
        }
    }

    /// Looks callers up in `store`'s caller index first (the store the sync writes).
    pub fn with_store(mut self, store: Arc<dyn StateStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The card's clients and settings.
    pub fn card(&self) -> &CardState {
        &self.card
    }

    /// The state store holding the caller index, if any.
    pub fn store(&self) -> Option<&Arc<dyn StateStore>> {
        self.store.as_ref()
    }
}

impl std::fmt::Debug for AgentIntegration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentIntegration")
            .field("integration", &self.card.config().name)
            .field("token", &"[redacted]")
            .field("store", &self.store.is_some())
            .finish()
    }
}

/// Everything the agent routes share: the integrations, the Thulium address allowed to
/// frame the card, and the failure limiter.
#[derive(Clone, Debug)]
pub struct AgentSite {
    inner: Arc<SiteInner>,
}

#[derive(Debug)]
struct SiteInner {
    integrations: Vec<AgentIntegration>,
    policy: HeaderValue,
    limiter: FailureLimiter,
}

impl AgentSite {
    /// The site for `integrations`, framed only by pages of `thulium_url`'s origin, with
    /// the default [`FailureLimit`].
    pub fn new(thulium_url: &Url, integrations: Vec<AgentIntegration>) -> Self {
        Self::with_failure_limit(thulium_url, integrations, FailureLimit::default())
    }

    /// [`AgentSite::new`] with another failure limit.
    pub fn with_failure_limit(
        thulium_url: &Url,
        integrations: Vec<AgentIntegration>,
        limit: FailureLimit,
    ) -> Self {
        Self {
            inner: Arc::new(SiteInner {
                integrations,
                policy: content_security_policy(thulium_url),
                limiter: FailureLimiter::new(limit),
            }),
        }
    }

    /// The integration whose token is `given`. Every token is compared, each in constant
    /// time, so the answer time does not depend on which one (or how much of one) matched.
    fn integration_for(&self, given: &str) -> Option<&AgentIntegration> {
        let mut found = None;
        for integration in &self.inner.integrations {
            if token_matches(given, &integration.token) {
                found = Some(integration);
            }
        }
        found
    }
}

/// `default-src 'none'` (the card needs no scripts, images or fonts), its inline style, no
/// forms or base URL, and `frame-ancestors` = the Thulium account's origin.
fn content_security_policy(thulium_url: &Url) -> HeaderValue {
    let origin = thulium_url.origin().ascii_serialization();
    let policy = format!(
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; \
         frame-ancestors {origin}"
    );
    // An origin is plain ASCII; should it ever not be, no page may frame the card.
    HeaderValue::from_str(&policy).unwrap_or_else(|_| {
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        )
    })
}

/// The agent routes (see the module docs). They set no fallback, so they merge with other
/// routers (`Router::merge`); a path no route has gets axum's empty 404, the same answer as
/// a wrong token. Serve them with `into_make_service_with_connect_info::<SocketAddr>()` so
/// that failures are counted per client address; without it, all clients share one count.
pub fn agent_router(site: AgentSite) -> Router {
    Router::new()
        .route("/card/{token}/shop/{client_id}", get(shop_card))
        .route("/card/{token}/{customer_id}", get(thulium_card))
        .route("/thulium/external-crm/{token}", get(external_crm))
        .layer(middleware::from_fn_with_state(site.clone(), guard))
        .with_state(site)
}

/// The client's address, when the server passes it on.
fn client_address(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// Runs before and after every route: refuses blocked addresses, counts a 404 that came
/// from a wrong token as a failure, and sets the security headers on every answer.
async fn guard(State(site): State<AgentSite>, request: Request, next: Next) -> Response {
    let address = client_address(&request);
    let mut response = if site.inner.limiter.is_blocked(address) {
        too_many_failures()
    } else {
        let response = next.run(request).await;
        if response.extensions().get::<WrongToken>().is_some() {
            site.inner.limiter.record_failure(address);
        }
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CONTENT_SECURITY_POLICY, site.inner.policy.clone());
    response
}

/// Marks a response given for a wrong token (read by [`guard`], never sent).
#[derive(Debug, Clone, Copy)]
struct WrongToken;

/// The 404 of a wrong token, marked as a failure.
fn wrong_token() -> Response {
    let mut response = not_found();
    response.extensions_mut().insert(WrongToken);
    response
}

async fn shop_card(
    State(site): State<AgentSite>,
    Path((token, raw_id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    card_page(&site, &token, &raw_id, &query, CardOf::ShopCustomer).await
}

async fn thulium_card(
    State(site): State<AgentSite>,
    Path((token, raw_id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    card_page(&site, &token, &raw_id, &query, CardOf::ThuliumCustomer).await
}

/// Whose id a card URL holds.
#[derive(Debug, Clone, Copy)]
enum CardOf {
    ShopCustomer,
    ThuliumCustomer,
}

/// The card for a token and an id from the URL.
async fn card_page(
    site: &AgentSite,
    token: &str,
    raw_id: &str,
    query: &HashMap<String, String>,
    of: CardOf,
) -> Response {
    let Some(integration) = site.integration_for(token) else {
        return wrong_token();
    };
    let card = match (parse_id(raw_id), of) {
        (Ok(id), CardOf::ShopCustomer) => card_for_shop_customer(integration.card(), id).await,
        (Ok(id), CardOf::ThuliumCustomer) => {
            card_for_thulium_customer(integration.card(), id).await
        }
        (Err(error), _) => Err(error),
    };
    respond(card, Format::from_query(query))
}

/// Thulium's external-CRM call: the customer as JSON, or 404 when nobody (readable) has
/// the number — the same 404 a wrong token gets.
async fn external_crm(
    State(site): State<AgentSite>,
    Path(token): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(integration) = site.integration_for(&token) else {
        return wrong_token();
    };
    let country = &integration.card().config().phone_default_country;
    let Some(key) = query
        .get("phone_number")
        .and_then(|raw| phone_key(raw, country))
    else {
        return not_found();
    };
    match find_caller(integration, &key).await {
        Ok(Some((record, source))) => {
            tracing::debug!(client_id = record.client_id, ?source, "caller identified");
            caller_answer(&record.answer)
        }
        Ok(None) => not_found(),
        Err(error) => {
            tracing::warn!(%error, "caller lookup failed");
            (error.status(), "").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use axum::http::StatusCode;

    use super::*;

    #[test]
    fn the_policy_names_only_the_thulium_origin() {
        let policy =
            content_security_policy(&Url::parse("https://acme.thulium.com/panel/x").unwrap());
        let policy = policy.to_str().unwrap();
        assert!(
            policy.ends_with("frame-ancestors https://acme.thulium.com"),
            "{policy}"
        );
        assert!(policy.starts_with("default-src 'none'"));
    }

    #[test]
    fn status_codes_are_distinct_for_blocked_and_unknown() {
        assert_eq!(too_many_failures().status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(wrong_token().status(), StatusCode::NOT_FOUND);
    }
}
