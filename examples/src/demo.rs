//! The demo the binaries run without arguments: the sandbox (both simulators on loopback)
//! with a seeded, generated shop and a brand-new, empty Thulium tenant that has the default
//! custom fields, and [`Settings`] pointing at it. An empty tenant cannot show its custom
//! fields to preflight; the engine verifies them on its first write.

use chrono_tz::Tz;
use sandbox::generator::{GeneratorConfig, generate};
use sandbox::idosell::{ShopSimConfig, SimClock};
use sandbox::thulium::ThuliumSimConfig;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use sync_core::config::IntegrationConfig;

use crate::settings::{IntegrationSettings, Settings, ShopSettings, ThuliumSettings};

/// The name of the demo's one integration (used in the webhook URL).
pub const DEMO_INTEGRATION: &str = "demo";
/// The webhook token of the demo integration (a demo is not a secret).
pub const DEMO_WEBHOOK_TOKEN: &str = "demo-webhook-token";

/// What the demo generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    /// Shop customers.
    pub customers: usize,
    /// Shop orders (spread over the customers).
    pub orders: usize,
    /// Seed of the generator: the same seed gives the same shop.
    pub seed: u64,
}

impl Default for DemoOptions {
    /// 3,000 customers with 9,000 orders, seed 1.
    fn default() -> Self {
        Self {
            customers: 3_000,
            orders: 9_000,
            seed: 1,
        }
    }
}

/// Starts the sandbox with generated data. The shop's clock follows the wall clock in
/// Europe/Warsaw whatever the machine's zone (and the generated dates end now), so the
/// incremental windows of a daemon in the same `shop_time_zone` line up with the shop's
/// modification dates.
pub async fn start_sandbox(options: DemoOptions) -> std::io::Result<Sandbox> {
    start_sandbox_in(options, SimClock::wall().zone()).await
}

/// [`start_sandbox`] with a shop that stamps its records in `zone`.
pub async fn start_sandbox_in(options: DemoOptions, zone: Tz) -> std::io::Result<Sandbox> {
    let clock = SimClock::wall_in(zone);
    let data = generate(&GeneratorConfig {
        seed: options.seed,
        customers: options.customers,
        orders: options.orders,
        now: clock.now(),
        ..GeneratorConfig::default()
    });
    let shop = ShopSimConfig {
        clock,
        ..ShopSimConfig::default()
    }
    .with_data(data);
    Sandbox::start(SandboxConfig {
        shop,
        thulium: ThuliumSimConfig::default(),
    })
    .await
}

/// Settings for one integration from the sandbox's shop into its Thulium tenant, with the
/// default custom-field names (which the simulated tenant defines), the shop clock's zone,
/// state in memory and the [`DEMO_WEBHOOK_TOKEN`].
pub fn settings_for(sandbox: &Sandbox) -> Settings {
    let mut config = IntegrationConfig::new(DEMO_INTEGRATION, sandbox.shop_url.clone());
    config.shop_time_zone = sandbox.shop().clock().zone();
    Settings {
        thulium: ThuliumSettings {
            url: sandbox.thulium_url.clone(),
            user: sandbox.thulium_user.clone(),
            password: SecretString::from(sandbox.thulium_password.clone()),
        },
        state: None,
        integrations: vec![IntegrationSettings {
            config,
            shop: ShopSettings {
                url: sandbox.shop_url.clone(),
                api_key: SecretString::from(sandbox.shop_api_key.clone()),
            },
            webhook_token: Some(SecretString::from(DEMO_WEBHOOK_TOKEN)),
            poll_interval: None,
            agent_token: None,
        }],
    }
}
