//! Building the agent site from [`Settings`]: what the daemon mounts (and `card-server`
//! uses for its one integration). Card and lookup requests run while an agent waits, so
//! their clients have short timeouts and few retries.

use std::sync::Arc;
use std::time::Duration;

use iai_shop_client::IdoSellClient;
use secrecy::{ExposeSecret, SecretString};
use sync_core::engine::store::StateStore;
use thulium_client::ThuliumClient;
use url::Url;

use super::agent::{AgentIntegration, AgentSite};
use super::state::CardState;
use crate::settings::{Settings, SettingsError};

/// How long a card's or lookup's request to the shop or Thulium may take.
const AGENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A shop client for agent requests: 10 s timeout, at most 2 attempts.
pub fn agent_shop_client(url: &Url, api_key: &SecretString) -> Result<IdoSellClient, String> {
    IdoSellClient::builder(url.clone())
        .api_key(api_key.expose_secret())
        .timeout(AGENT_REQUEST_TIMEOUT)
        .retry_policy(iai_shop_client::RetryPolicy {
            max_attempts: 2,
            ..iai_shop_client::RetryPolicy::default()
        })
        .build()
        .map_err(|error| format!("bad shop settings: {error}"))
}

/// A Thulium client for agent requests: 10 s timeout.
pub fn agent_thulium_client(
    url: &Url,
    user: &str,
    password: &SecretString,
) -> Result<ThuliumClient, String> {
    ThuliumClient::builder(url.clone())
        .credentials(user.to_owned(), password.expose_secret())
        .timeout(AGENT_REQUEST_TIMEOUT)
        .build()
        .map_err(|error| format!("bad Thulium settings: {error}"))
}

/// The agent site of every enabled integration that has an agent token, looking callers
/// up in `store` (the sync's state store) first; `None` when no integration has a token.
/// Mount it with `agent_router(site)` next to the other routes.
pub fn agent_site(
    settings: &Settings,
    store: Arc<dyn StateStore>,
) -> Result<Option<AgentSite>, SettingsError> {
    let thulium = &settings.thulium;
    let mut integrations = Vec::new();
    for integration in settings.enabled() {
        let Some(token) = &integration.agent_token else {
            continue;
        };
        let name = &integration.config.name;
        let in_integration =
            |message: String| SettingsError(format!("integration `{name}`: {message}"));
        let card = CardState::new(
            agent_shop_client(&integration.shop.url, &integration.shop.api_key)
                .map_err(in_integration)?,
            agent_thulium_client(&thulium.url, &thulium.user, &thulium.password)
                .map_err(in_integration)?,
            integration.config.clone(),
        );
        integrations
            .push(AgentIntegration::new(card, token.clone()).with_store(Arc::clone(&store)));
    }
    Ok((!integrations.is_empty()).then(|| AgentSite::new(&thulium.url, integrations)))
}
