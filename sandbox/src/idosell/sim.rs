//! [`ShopSim`]: a running IdoSell simulator and its handle for tests.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use url::Url;

use super::auth::ApiKey;
use super::changes::{ChangeOutcome, CustomerPatch, NewCustomer, NewOrder, ShopChange};
use super::clock::SimClock;
use super::model::{ShopCustomer, ShopOrder};
use super::quirks::Quirks;
use super::router::router;
use super::state::{AppState, Shared};
use super::store::{ShopData, StoreError};
use super::webhook_sender::{Delivery, WebhookEvent, WebhookSender, WebhookSetup};
use crate::faults::{Faults, instrument};
use crate::generator::GeneratedShop;
use crate::metrics::RequestCounters;

/// The API key of [`ShopSimConfig::default`] (read-write access to customers and orders).
pub const DEFAULT_API_KEY: &str = "sandbox-idosell-key";

/// How to start a [`ShopSim`].
#[derive(Debug, Clone)]
pub struct ShopSimConfig {
    /// Customers the shop starts with.
    pub customers: Vec<ShopCustomer>,
    /// Orders the shop starts with (their buyers should be among `customers`).
    pub orders: Vec<ShopOrder>,
    /// Accepted keys; the first one is what [`ShopSim::api_key`] returns.
    pub api_keys: Vec<ApiKey>,
    /// PHP quirks to reproduce (all on by default).
    pub quirks: Quirks,
    /// The clock that stamps changes (default: manual, at the generator's default "now").
    pub clock: SimClock,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Seed of the fault injector's random choices.
    pub fault_seed: u64,
}

impl Default for ShopSimConfig {
    fn default() -> Self {
        Self {
            customers: Vec::new(),
            orders: Vec::new(),
            api_keys: vec![ApiKey::full(DEFAULT_API_KEY)],
            quirks: Quirks::all(),
            clock: SimClock::manual(crate::generator::default_now()),
            port: 0,
            fault_seed: 0,
        }
    }
}

impl ShopSimConfig {
    /// This configuration holding `shop`'s customers and orders, with the clock set at the
    /// generator's "now" (so that new changes come after every generated date). A wall
    /// clock keeps the difference as an offset: generate with `now` = the clock's `now()`,
    /// or set the fields directly, to keep a shop on the real time.
    pub fn with_data(mut self, shop: GeneratedShop) -> Self {
        self.clock.set(shop.now);
        self.customers = shop.customers;
        self.orders = shop.orders;
        self
    }
}

/// A running IdoSell simulator on `127.0.0.1`. Dropping it stops the server.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use sandbox::idosell::{NewCustomer, ShopSim, ShopSimConfig};
///
/// let shop = ShopSim::start(ShopSimConfig::default()).await?;
/// let customer = shop
///     .register_customer(NewCustomer { email: Some("ola@example.pl".into()), ..Default::default() })
///     .map_err(std::io::Error::other)?;
/// assert_eq!(shop.customer(customer.client_id), Some(customer));
/// assert!(shop.url().as_str().starts_with("http://127.0.0.1:"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ShopSim {
    url: Url,
    addr: SocketAddr,
    api_key: String,
    state: AppState,
    counters: RequestCounters,
    faults: Faults,
    webhooks: WebhookSender,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopState").finish_non_exhaustive()
    }
}

impl ShopSim {
    /// Binds `127.0.0.1:{config.port}` and serves the simulated shop in a background task.
    pub async fn start(config: ShopSimConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let url = Url::parse(&format!("http://{addr}/")).map_err(std::io::Error::other)?;
        let api_key = config
            .api_keys
            .first()
            .map(|k| k.key.clone())
            .unwrap_or_default();
        let state: AppState = Arc::new(Shared::new(
            ShopData::new(config.customers, config.orders),
            config.quirks,
            config.clock,
            config.api_keys,
        ));
        let counters = RequestCounters::default();
        let faults = Faults::new(config.fault_seed);
        let app = instrument(router(state.clone()), faults.clone(), counters.clone());
        let (shutdown, signal) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = signal.await;
            });
            if let Err(error) = server.await {
                tracing::warn!(%error, "IdoSell simulator stopped");
            }
        });
        Ok(Self {
            url,
            addr,
            api_key,
            state,
            counters,
            faults,
            webhooks: WebhookSender::default(),
            shutdown: Some(shutdown),
        })
    }

    /// The shop's base URL (`http://127.0.0.1:PORT/`); the API lives under
    /// `/api/admin/v5`..`v8`.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The address the simulator listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first configured API key (full access by default).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Requests served so far, by method and route template (see
    /// [`routes`](super::routes)).
    pub fn counters(&self) -> &RequestCounters {
        &self.counters
    }

    /// The fault injector of this simulator.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The clock that stamps modification dates.
    pub fn clock(&self) -> &SimClock {
        &self.state.clock
    }

    /// The quirks currently reproduced.
    pub fn quirks(&self) -> Quirks {
        self.state.quirks()
    }

    /// Switches quirks on or off for the following requests.
    pub fn set_quirks(&self, quirks: Quirks) {
        self.state.set_quirks(quirks);
    }

    /// A copy of every customer, by id.
    pub fn customers(&self) -> Vec<ShopCustomer> {
        self.state.read().customers.values().cloned().collect()
    }

    /// A copy of one customer.
    pub fn customer(&self, client_id: u64) -> Option<ShopCustomer> {
        self.state.read().customers.get(&client_id).cloned()
    }

    /// How many customers the shop holds.
    pub fn customer_count(&self) -> usize {
        self.state.read().customers.len()
    }

    /// A copy of every order, by serial number.
    pub fn orders(&self) -> Vec<ShopOrder> {
        self.state.read().orders.values().cloned().collect()
    }

    /// A copy of one order.
    pub fn order(&self, serial_number: u64) -> Option<ShopOrder> {
        self.state.read().orders.get(&serial_number).cloned()
    }

    /// Copies of one customer's orders, oldest first.
    pub fn orders_of(&self, client_id: u64) -> Vec<ShopOrder> {
        self.state.read().orders_of(client_id).cloned().collect()
    }

    /// How many orders the shop holds.
    pub fn order_count(&self) -> usize {
        self.state.read().orders.len()
    }

    /// Sets up (or with `None` removes) the webhook the shop sends on every change made
    /// through this handle, as the panel would; see [`WebhookSetup`].
    pub fn set_webhook(&self, setup: Option<WebhookSetup>) {
        self.webhooks.set(setup);
    }

    /// The webhooks sent so far, in the order their answers came.
    pub fn webhook_deliveries(&self) -> Vec<Delivery> {
        self.webhooks.deliveries()
    }

    /// Registers a customer, stamped by the clock.
    pub fn register_customer(&self, new: NewCustomer) -> Result<ShopCustomer, StoreError> {
        let customer = self.state.change(|data, now| data.register(new, now))?;
        self.webhooks
            .notify(WebhookEvent::of_customer("account_created", &customer));
        Ok(customer)
    }

    /// Changes a customer (e.g. their address); the modification date advances.
    pub fn edit_customer(
        &self,
        client_id: u64,
        patch: &CustomerPatch,
    ) -> Result<ShopCustomer, StoreError> {
        let customer = self
            .state
            .change(|data, now| data.update_customer(client_id, patch, now))?;
        self.webhooks
            .notify(WebhookEvent::of_customer("account_edited", &customer));
        Ok(customer)
    }

    /// Places an order.
    pub fn add_order(&self, new: NewOrder) -> Result<ShopOrder, StoreError> {
        let order = self.state.change(|data, now| data.add_order(new, now))?;
        self.webhooks
            .notify(WebhookEvent::of_order("order_placed", &order));
        Ok(order)
    }

    /// Moves an order to `status`; its change date advances.
    pub fn set_order_status(
        &self,
        serial_number: u64,
        status: &str,
    ) -> Result<ShopOrder, StoreError> {
        let order = self
            .state
            .change(|data, now| data.set_status(serial_number, status, now))?;
        self.webhooks
            .notify(WebhookEvent::of_order("order_status_changed", &order));
        Ok(order)
    }

    /// Applies one change (e.g. from [`ChangeGenerator`](crate::generator::ChangeGenerator)).
    pub fn apply(&self, change: ShopChange) -> Result<ChangeOutcome, StoreError> {
        let event = match &change {
            ShopChange::Register(_) => "account_created",
            ShopChange::EditCustomer { .. } => "account_edited",
            ShopChange::NewOrder(_) => "order_placed",
            ShopChange::StatusChange { .. } => "order_status_changed",
        };
        let outcome = self.state.change(|data, now| data.apply(change, now))?;
        let announced = match &outcome {
            ChangeOutcome::Customer(id) => self
                .customer(*id)
                .map(|customer| WebhookEvent::of_customer(event, &customer)),
            ChangeOutcome::Order(serial) => self
                .order(*serial)
                .map(|order| WebhookEvent::of_order(event, &order)),
        };
        if let Some(announced) = announced {
            self.webhooks.notify(announced);
        }
        Ok(outcome)
    }
}

impl Drop for ShopSim {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
