//! [`CardState`]: what the card handlers share.

use std::sync::Arc;

use iai_shop_client::IdoSellClient;
use sync_core::config::IntegrationConfig;
use thulium_client::ThuliumClient;

/// The clients and settings the card pages read with. Cheap to clone (one `Arc`).
#[derive(Debug, Clone)]
pub struct CardState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    shop: IdoSellClient,
    thulium: ThuliumClient,
    config: IntegrationConfig,
}

impl CardState {
    /// Bundles the shop client, the Thulium client and the integration's settings (the ID
    /// field name, the panel URL for links, how many orders to show, the label language).
    pub fn new(shop: IdoSellClient, thulium: ThuliumClient, config: IntegrationConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                shop,
                thulium,
                config,
            }),
        }
    }

    /// The shop client.
    pub fn shop(&self) -> &IdoSellClient {
        &self.inner.shop
    }

    /// The Thulium client.
    pub fn thulium(&self) -> &ThuliumClient {
        &self.inner.thulium
    }

    /// The integration's settings.
    pub fn config(&self) -> &IntegrationConfig {
        &self.inner.config
    }
}
