//! [`Sandbox`]: both simulators started together, as the demo and the end-to-end tests use
//! them.

use url::Url;

use crate::generator::{AgentContactGenerator, AgentContacts, GeneratorConfig, generate};
use crate::idosell::{ShopSim, ShopSimConfig};
use crate::thulium::{MidReadChanges, ThuliumQuirks, ThuliumSim, ThuliumSimConfig};

/// How to start a [`Sandbox`].
#[derive(Clone, Default)]
pub struct SandboxConfig {
    /// The IdoSell simulator (data, keys, quirks, clock, port).
    pub shop: ShopSimConfig,
    /// The Thulium simulator (users, custom fields, field groups).
    pub thulium: ThuliumSimConfig,
}

impl SandboxConfig {
    /// A shop seeded by the generator (see [`generate`]) and a default, empty Thulium tenant.
    pub fn generated(generator: &GeneratorConfig) -> Self {
        Self {
            shop: ShopSimConfig::default().with_data(generate(generator)),
            thulium: ThuliumSimConfig::default(),
        }
    }

    /// A shop seeded by the generator and a tenant that looks lived-in: `agents.count`
    /// contacts agents made before any sync (drawn from this shop's customers, see
    /// [`agent_contacts`](crate::generator::agent_contacts)) and every Thulium quirk on
    /// ([`ThuliumQuirks::least_convenient`]). Mid-read changes stay off: add them with
    /// [`with_mid_read_changes`](Self::with_mid_read_changes). Guest twins come from
    /// `generator.guest_pair_share`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use sandbox::generator::{AgentContacts, GeneratorConfig, guest_pairs};
    /// use sandbox::thulium::MidReadChanges;
    /// use sandbox::{Sandbox, SandboxConfig};
    ///
    /// let config = SandboxConfig::realistic(
    ///     &GeneratorConfig { customers: 300, orders: 600, guest_pair_share: 0.1, ..Default::default() },
    ///     &AgentContacts::new(120, 0.3),
    /// )
    /// .with_mid_read_changes(MidReadChanges::new(2, 5));
    /// assert!(!guest_pairs(&config.shop.customers).is_empty());
    /// let sandbox = Sandbox::start(config).await?;
    /// assert_eq!(sandbox.thulium().customer_count(), 120);
    /// assert_eq!(sandbox.thulium().agent_contacts().len(), 120);
    /// assert!(sandbox.thulium().lost_agent_values().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn realistic(generator: &GeneratorConfig, agents: &AgentContacts) -> Self {
        Self::generated(generator)
            .with_agent_contacts(agents)
            .with_thulium_quirks(ThuliumQuirks::least_convenient())
    }

    /// Adds `agents.count` agent-made contacts, drawn from the shop's customers, to the
    /// tenant (after any contacts already configured).
    pub fn with_agent_contacts(mut self, agents: &AgentContacts) -> Self {
        let contacts = AgentContactGenerator::new(&self.shop.customers, agents).seed_contacts();
        self.thulium.agent_contacts.extend(contacts);
        self
    }

    /// Sets the tenant's quirks.
    pub fn with_thulium_quirks(mut self, quirks: ThuliumQuirks) -> Self {
        self.thulium.quirks = quirks;
        self
    }

    /// Switches mid-read changes on. When `changes.new_contacts` is `None`, the contacts
    /// agents add are drawn from the shop's customers with the default shares of
    /// [`AgentContacts`] (so about 30 % of them are shop clients) and `changes.seed`.
    pub fn with_mid_read_changes(mut self, mut changes: MidReadChanges) -> Self {
        if changes.new_contacts.is_none() {
            changes.new_contacts = Some(AgentContactGenerator::new(
                &self.shop.customers,
                &AgentContacts {
                    seed: changes.seed.wrapping_add(1),
                    ..AgentContacts::default()
                },
            ));
        }
        self.thulium.mid_read_changes = Some(changes);
        self
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("shop_customers", &self.shop.customers.len())
            .field("shop_orders", &self.shop.orders.len())
            .field("agent_contacts", &self.thulium.agent_contacts.len())
            .field("thulium_quirks", &self.thulium.quirks)
            .field("mid_read_changes", &self.thulium.mid_read_changes)
            .finish_non_exhaustive()
    }
}

/// A running IdoSell simulator and Thulium simulator on loopback, with their URLs and
/// credentials. Dropping it stops both.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use sandbox::generator::GeneratorConfig;
/// use sandbox::{Sandbox, SandboxConfig};
///
/// let config = SandboxConfig::generated(&GeneratorConfig { customers: 10, orders: 20, ..Default::default() });
/// let sandbox = Sandbox::start(config).await?;
/// assert_eq!(sandbox.shop().customer_count(), 10);
/// assert_eq!(sandbox.thulium().customer_count(), 0);
/// assert_ne!(sandbox.shop_url, sandbox.thulium_url);
/// # Ok(())
/// # }
/// ```
pub struct Sandbox {
    /// Base URL of the shop (the API is under `/api/admin/v6/...`).
    pub shop_url: Url,
    /// `X-API-KEY` with full access to the shop.
    pub shop_api_key: String,
    /// Account URL of the Thulium tenant (the API is under `/api/...`).
    pub thulium_url: Url,
    /// Thulium API user.
    pub thulium_user: String,
    /// Thulium API password.
    pub thulium_password: String,
    shop: ShopSim,
    thulium: ThuliumSim,
}

impl Sandbox {
    /// Starts both simulators on free loopback ports (or the shop's configured port).
    pub async fn start(config: SandboxConfig) -> std::io::Result<Self> {
        let shop = ShopSim::start(config.shop).await?;
        let thulium = ThuliumSim::start(config.thulium).await?;
        Ok(Self {
            shop_url: shop.url().clone(),
            shop_api_key: shop.api_key().to_owned(),
            thulium_url: thulium.url(),
            thulium_user: thulium.user().to_owned(),
            thulium_password: thulium.password().to_owned(),
            shop,
            thulium,
        })
    }

    /// The IdoSell simulator: counters, faults, snapshots and changes.
    pub fn shop(&self) -> &ShopSim {
        &self.shop
    }

    /// The Thulium simulator: counters, faults and snapshots.
    pub fn thulium(&self) -> &ThuliumSim {
        &self.thulium
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("shop_url", &self.shop_url.as_str())
            .field("shop_api_key", &"<redacted>")
            .field("thulium_url", &self.thulium_url.as_str())
            .field("thulium_user", &self.thulium_user)
            .field("thulium_password", &"<redacted>")
            .finish()
    }
}
