//! From [`Settings`] to running parts: one HTTP client per shop, one for the Thulium
//! tenant, the state store, and one [`Engine`] per integration (its clock in the
//! integration's `shop_time_zone`); plus the preflight over all of them.

use std::sync::Arc;
use std::time::Duration;

use iai_shop_client::IdoSellClient;
use secrecy::ExposeSecret;
use sync_core::config::IntegrationConfig;
use sync_core::engine::adapters::{IdoSellShop, ThuliumCrm};
use sync_core::engine::clock::{Clock, SystemClock};
use sync_core::engine::ports::{CrmPort, ShopPort};
use sync_core::engine::preflight::{PreflightProblem, preflight};
use sync_core::engine::store::{PostgresStore, StateStore};
use sync_core::engine::{Engine, EngineOptions};
use thulium_client::ThuliumClient;

use crate::settings::{Settings, SettingsError, ShopSettings, ThuliumSettings};

/// How long one HTTP request may take before the clients retry it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// One integration, ready to run.
pub struct Wired {
    /// Its settings.
    pub config: IntegrationConfig,
    /// Its shop.
    pub shop: Arc<dyn ShopPort>,
    /// Its engine (shop, the shared CRM and the shared store).
    pub engine: Arc<Engine>,
}

/// Every integration of a [`Settings`], over one CRM client and one state store.
pub struct Wiring {
    /// The Thulium tenant.
    pub crm: Arc<dyn CrmPort>,
    /// The state store (SQLite file, PostgreSQL database, or memory without `state`).
    pub store: Arc<dyn StateStore>,
    /// The store again when it is PostgreSQL: its leases and webhook inbox let several
    /// daemons share the integrations (see [`crate::fleet`]).
    pub shared: Option<PostgresStore>,
    /// The integrations, enabled or not, in settings order.
    pub integrations: Vec<Wired>,
}

impl std::fmt::Debug for Wiring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .integrations
            .iter()
            .map(|w| w.config.name.as_str())
            .collect();
        f.debug_struct("Wiring")
            .field("integrations", &names)
            .finish_non_exhaustive()
    }
}

impl Wiring {
    /// Builds the clients, opens the state store and creates the engines. Touches no
    /// network; fails only on settings the clients refuse or a state file that cannot be
    /// opened.
    pub async fn connect(
        settings: &Settings,
        options: EngineOptions,
    ) -> Result<Self, SettingsError> {
        let crm: Arc<dyn CrmPort> = Arc::new(ThuliumCrm::new(thulium_client(&settings.thulium)?));
        let opened = crate::state_store::open(settings.state.as_deref()).await?;
        let store = opened.store;
        let integrations = settings
            .integrations
            .iter()
            .map(|integration| {
                let shop: Arc<dyn ShopPort> = Arc::new(IdoSellShop::new(
                    shop_client(&integration.shop).map_err(|e| {
                        SettingsError(format!(
                            "integration `{}`: {}",
                            integration.config.name, e.0
                        ))
                    })?,
                ));
                // "Now" in the shop's zone, whatever the machine's `TZ`.
                let clock: Arc<dyn Clock> =
                    Arc::new(SystemClock::for_integration(&integration.config));
                let engine = Engine::builder(
                    integration.config.clone(),
                    Arc::clone(&shop),
                    Arc::clone(&crm),
                    Arc::clone(&store),
                    clock,
                )
                .options(options)
                .build();
                Ok(Wired {
                    config: integration.config.clone(),
                    shop,
                    engine: Arc::new(engine),
                })
            })
            .collect::<Result<Vec<_>, SettingsError>>()?;
        Ok(Self {
            crm,
            store,
            shared: opened.shared,
            integrations,
        })
    }

    /// The enabled integrations.
    pub fn enabled(&self) -> impl Iterator<Item = &Wired> {
        self.integrations.iter().filter(|w| w.config.enabled)
    }

    /// Checks every enabled integration before anything is written: each shop answers
    /// with its key, the tenant accepts the credentials and has every custom field with
    /// the right kind, and no two integrations share an ID field. Returns one readable
    /// line per problem, or on success one line per warning.
    ///
    /// A tenant without any customer passes with a warning: its custom fields cannot be
    /// seen yet, so each engine is told to verify them on its first write
    /// ([`Engine::after_preflight`]).
    pub async fn preflight(&self) -> Result<Vec<String>, Vec<String>> {
        let enabled: Vec<&Wired> = self.enabled().collect();
        let Some(first) = enabled.first() else {
            return Err(vec!["no integration is enabled".to_owned()]);
        };
        let configs: Vec<IntegrationConfig> = enabled.iter().map(|w| w.config.clone()).collect();
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        // One preflight covers the tenant for all integrations (fields, shared ID fields)
        // and the first shop; the other shops only need their own `verify`.
        match preflight(first.shop.as_ref(), self.crm.as_ref(), &configs).await {
            Ok(report) => {
                for wired in &enabled {
                    wired.engine.after_preflight(&report);
                }
                warnings.extend(report.warnings.iter().map(ToString::to_string));
            }
            Err(error) => problems.extend(error.problems.iter().map(|problem| match problem {
                PreflightProblem::Shop(error) => {
                    format!("[{}] IdoSell shop: {error}", first.config.name)
                }
                other => other.to_string(),
            })),
        }
        for wired in &enabled[1..] {
            if let Err(error) = wired.shop.verify().await {
                problems.push(format!("[{}] IdoSell shop: {error}", wired.config.name));
            }
        }
        if problems.is_empty() {
            Ok(warnings)
        } else {
            Err(problems)
        }
    }
}

fn shop_client(shop: &ShopSettings) -> Result<IdoSellClient, SettingsError> {
    IdoSellClient::builder(shop.url.clone())
        .api_key(shop.api_key.expose_secret())
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|error| SettingsError(format!("shop {}: {error}", shop.url)))
}

fn thulium_client(thulium: &ThuliumSettings) -> Result<ThuliumClient, SettingsError> {
    ThuliumClient::builder(thulium.url.clone())
        .credentials(thulium.user.clone(), thulium.password.expose_secret())
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|error| SettingsError(format!("Thulium {}: {error}", thulium.url)))
}
