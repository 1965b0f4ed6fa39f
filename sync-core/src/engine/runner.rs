//! Several integrations side by side (e.g. two shops into one tenant): each engine has its
//! own config, ID field and state; a run goes over every one of them, and one failing does
//! not stop the others. A disabled integration does nothing and its report says so.

use std::sync::Arc;

use iai_shop_client::webhook::WebhookTrigger;

use super::engine::Engine;
use super::error::SyncError;
use super::report::{Progress, SyncReport};

/// The result of one integration's run.
#[derive(Debug)]
pub struct IntegrationOutcome {
    /// The integration's name.
    pub integration: String,
    /// Its report, or why it stopped.
    pub result: Result<SyncReport, SyncError>,
}

/// The engines of every configured integration.
#[derive(Debug, Default, Clone)]
pub struct Integrations {
    engines: Vec<Arc<Engine>>,
}

impl Integrations {
    /// The integrations of these engines (names should be unique: they key the state).
    pub fn new(engines: Vec<Arc<Engine>>) -> Self {
        Self { engines }
    }

    /// The engines, in the order given.
    pub fn engines(&self) -> &[Arc<Engine>] {
        &self.engines
    }

    /// The engine of one integration, by name.
    pub fn get(&self, integration: &str) -> Option<&Arc<Engine>> {
        self.engines.iter().find(|e| e.name() == integration)
    }

    /// A full sync of every integration, one after another (each is concurrent inside);
    /// `progress` is told the integration's name with each page.
    pub async fn full_sync_all(
        &self,
        progress: &(dyn Fn(&str, &Progress) + Send + Sync),
    ) -> Vec<IntegrationOutcome> {
        let mut outcomes = Vec::with_capacity(self.engines.len());
        for engine in &self.engines {
            let name = engine.name().to_owned();
            let result = engine.full_sync(&|p: &Progress| progress(&name, p)).await;
            outcomes.push(IntegrationOutcome {
                integration: name,
                result,
            });
        }
        outcomes
    }

    /// One incremental pass of every integration, all at once.
    pub async fn incremental_all(&self) -> Vec<IntegrationOutcome> {
        let passes = self.engines.iter().map(|engine| async move {
            IntegrationOutcome {
                integration: engine.name().to_owned(),
                result: engine.incremental_sync().await,
            }
        });
        futures::future::join_all(passes).await
    }

    /// Webhook events for one integration; `None` when no integration has that name.
    pub async fn handle_triggers(
        &self,
        integration: &str,
        triggers: Vec<WebhookTrigger>,
    ) -> Option<IntegrationOutcome> {
        let engine = self.get(integration)?;
        Some(IntegrationOutcome {
            integration: integration.to_owned(),
            result: engine.handle_triggers(triggers).await,
        })
    }
}
