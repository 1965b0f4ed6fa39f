//! Shared set-up of the end-to-end tests: a sandbox, the real clients with a fast retry
//! policy, the adapters, an engine over a SQLite file, and snapshot helpers.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod real_tenant;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use sandbox::generator::{GeneratorConfig, default_now};
use sandbox::idosell::ShopOrder;
use sandbox::metrics::RequestCounters;
use sandbox::thulium::{CustomerRecord, ThuliumSim};
use sandbox::{Sandbox, SandboxConfig};
use sync_core::config::IntegrationConfig;
use sync_core::engine::adapters::{IdoSellShop, ThuliumCrm};
use sync_core::engine::clock::ManualClock;
use sync_core::engine::ports::{
    CrmPage, CrmPort, CustomerUpdate, FieldFinding, PortError, RequiredField,
};
use sync_core::engine::store::SqliteStore;
use sync_core::engine::{Engine, EngineOptions};
use thulium_client::{
    BatchItemOutcome, Customer, CustomerInput, FieldGroup, FieldGroupItem, FieldGroupItemInput,
    FieldValue,
};

/// The Thulium field names the sandbox tenant defines.
pub const ID_FIELD: &str = "IAI Shop ID";
pub const LAST_ORDER_FIELD: &str = "IAI Shop last order date";
pub const ALLEGRO_FIELD: &str = "Allegro login";

/// A sandbox whose shop holds `customers` generated customers and `orders` orders.
pub async fn sandbox(seed: u64, customers: usize, orders: usize) -> Sandbox {
    let config = SandboxConfig::generated(&GeneratorConfig {
        seed,
        customers,
        orders,
        ..GeneratorConfig::default()
    });
    Sandbox::start(config).await.expect("sandbox starts")
}

/// Client timeouts and retries short enough for fault tests to stay fast: a hung request
/// is given up after `timeout`, a retry waits 10–40 ms (or the server's `Retry-After`).
#[derive(Debug, Clone, Copy)]
pub struct ClientTuning {
    pub timeout: Duration,
    pub attempts: u32,
}

impl Default for ClientTuning {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            attempts: 8,
        }
    }
}

pub fn shop_port(sandbox: &Sandbox, tuning: ClientTuning) -> IdoSellShop {
    let client = iai_shop_client::IdoSellClient::builder(sandbox.shop_url.clone())
        .api_key(sandbox.shop_api_key.clone())
        .timeout(tuning.timeout)
        .retry_policy(iai_shop_client::RetryPolicy {
            max_attempts: tuning.attempts,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(40),
            max_retry_after: Duration::from_secs(2),
        })
        .build()
        .unwrap();
    IdoSellShop::new(client)
}

pub fn crm_port(sandbox: &Sandbox, tuning: ClientTuning) -> ThuliumCrm {
    let client = thulium_client::ThuliumClient::builder(sandbox.thulium_url.clone())
        .credentials(
            sandbox.thulium_user.clone(),
            sandbox.thulium_password.clone(),
        )
        .timeout(tuning.timeout)
        .retry_policy(thulium_client::RetryPolicy {
            max_attempts: tuning.attempts,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(40),
            max_retry_after: Duration::from_secs(2),
        })
        .build()
        .unwrap();
    ThuliumCrm::new(client)
}

/// The integration as the tests configure it: default field names plus the Allegro login.
pub fn integration() -> IntegrationConfig {
    let mut config = IntegrationConfig::new("e2e", "https://shop.example.com".parse().unwrap());
    config.fields.allegro_login = Some(ALLEGRO_FIELD.to_owned());
    config
}

/// A SQLite file in the temp directory, removed (with its journal files) when dropped.
pub struct TempDb(PathBuf);

impl TempDb {
    pub fn new(name: &str) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let unique = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("e2e-{name}-{}-{unique}.sqlite", std::process::id()));
        let db = Self(path);
        db.remove();
        db
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = self.0.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        self.remove();
    }
}

/// An engine over the real adapters (or the given CRM port) and a SQLite store at `db`.
pub async fn engine(
    sandbox: &Sandbox,
    db: &TempDb,
    options: EngineOptions,
    tuning: ClientTuning,
    crm: Option<Arc<dyn CrmPort>>,
) -> Engine {
    let store = SqliteStore::open(db.path()).await.expect("store opens");
    let crm = crm.unwrap_or_else(|| Arc::new(crm_port(sandbox, tuning)));
    Engine::builder(
        integration(),
        Arc::new(shop_port(sandbox, tuning)),
        crm,
        Arc::new(store),
        Arc::new(ManualClock::new(engine_now())),
    )
    .options(options)
    .build()
}

/// The engine's "now": a day after the generated shop's last change, as for a shop at rest,
/// so the closing incremental pass of a full sync (its window ends `lookback` before the
/// start) finds nothing and costs exactly its two empty reads.
pub fn engine_now() -> chrono::NaiveDateTime {
    default_now() + chrono::TimeDelta::days(1)
}

/// Requests that change Thulium (any POST, PUT or DELETE).
pub fn thulium_writes(counters: &RequestCounters) -> u64 {
    counters
        .snapshot()
        .iter()
        .filter(|(key, _)| !key.starts_with("GET "))
        .map(|(_, n)| n)
        .sum()
}

/// The shop ID a stored Thulium customer carries.
pub fn shop_id_of(record: &CustomerRecord) -> Option<u64> {
    match record.custom_fields.get(ID_FIELD)? {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The tenant's content without what Thulium generates (ids, timestamps), keyed by shop ID;
/// panics if two Thulium customers carry one shop ID or one carries none.
pub fn comparable_snapshot(sim: &ThuliumSim) -> BTreeMap<u64, CustomerRecord> {
    let mut by_shop_id = BTreeMap::new();
    for mut record in sim.snapshot() {
        let shop_id = shop_id_of(&record)
            .unwrap_or_else(|| panic!("customer {} has no shop ID", record.customer_id));
        record.customer_id = 0;
        record.updated_at.clear();
        for item in &mut record.field_group_items {
            item.item_id = 0;
            item.customer_id = 0;
        }
        let previous = by_shop_id.insert(shop_id, record);
        assert!(
            previous.is_none(),
            "two Thulium customers carry shop ID {shop_id}"
        );
    }
    by_shop_id
}

/// Shop customer ids in the order the shop lists them (ascending).
pub fn shop_ids(sandbox: &Sandbox) -> Vec<u64> {
    let ids: BTreeSet<u64> = sandbox
        .shop()
        .customers()
        .iter()
        .map(|c| c.client_id)
        .collect();
    ids.into_iter().collect()
}

/// Orders of each shop customer.
pub fn orders_by_client(sandbox: &Sandbox) -> BTreeMap<u64, Vec<ShopOrder>> {
    let mut grouped: BTreeMap<u64, Vec<ShopOrder>> = BTreeMap::new();
    for order in sandbox.shop().orders() {
        grouped.entry(order.client_id).or_default().push(order);
    }
    grouped
}

/// The exact number of order-search requests a full sync makes: per page of shop
/// customers, one search per 100 clients, and one more request per further page of
/// `orders_page` orders that those clients have.
pub fn expected_order_searches(sandbox: &Sandbox, shop_page: usize, orders_page: usize) -> u64 {
    let orders = orders_by_client(sandbox);
    shop_ids(sandbox)
        .chunks(shop_page)
        .flat_map(|page| page.chunks(100))
        .map(|clients| {
            let count: usize = clients
                .iter()
                .map(|id| orders.get(id).map_or(0, Vec::len))
                .sum();
            count.div_ceil(orders_page).max(1) as u64
        })
        .sum()
}

/// Engine options for the tests: one request in flight per API, so that request counts
/// and the page a killed run stops at are deterministic.
pub fn fast_options(shop_page: u32, write_chunk: usize) -> EngineOptions {
    EngineOptions {
        shop_page_size: shop_page,
        write_chunk,
        orders_page_size: 100,
        concurrency: 1,
        ..EngineOptions::default()
    }
}

/// What a test CRM port does to the customer writes it passes to Thulium: each default
/// sends the call on unchanged, so a test overrides only the writes it disturbs.
#[async_trait]
pub trait WriteInterceptor: Send + Sync {
    async fn create_customers(
        &self,
        crm: &ThuliumCrm,
        inputs: &[CustomerInput],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        crm.create_customers(inputs).await
    }
    async fn update_customers(
        &self,
        crm: &ThuliumCrm,
        updates: &[CustomerUpdate],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        crm.update_customers(updates).await
    }
    async fn create_customer(
        &self,
        crm: &ThuliumCrm,
        input: &CustomerInput,
    ) -> Result<u64, PortError> {
        crm.create_customer(input).await
    }
    async fn update_customer(
        &self,
        crm: &ThuliumCrm,
        update: &CustomerUpdate,
    ) -> Result<(), PortError> {
        crm.update_customer(update).await
    }
}

/// The real Thulium adapter with its customer writes passed through `writes`; every other
/// call goes straight to Thulium.
pub struct InterceptedCrm<W> {
    pub inner: ThuliumCrm,
    pub writes: W,
}

#[async_trait]
impl<W: WriteInterceptor> CrmPort for InterceptedCrm<W> {
    async fn verify(
        &self,
        required: &[RequiredField],
    ) -> Result<Vec<(RequiredField, FieldFinding)>, PortError> {
        self.inner.verify(required).await
    }
    async fn find_by_field_values(
        &self,
        field: &str,
        values: &[u64],
    ) -> Result<Vec<Customer>, PortError> {
        self.inner.find_by_field_values(field, values).await
    }
    async fn find_by_email(&self, email: &str) -> Result<Vec<Customer>, PortError> {
        self.inner.find_by_email(email).await
    }
    async fn find_by_phone(&self, phone: &str) -> Result<Vec<Customer>, PortError> {
        self.inner.find_by_phone(phone).await
    }
    async fn customers_page(&self, offset: u64, limit: u32) -> Result<CrmPage, PortError> {
        self.inner.customers_page(offset, limit).await
    }
    async fn create_customers(
        &self,
        inputs: &[CustomerInput],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        self.writes.create_customers(&self.inner, inputs).await
    }
    async fn update_customers(
        &self,
        updates: &[CustomerUpdate],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        self.writes.update_customers(&self.inner, updates).await
    }
    async fn create_customer(&self, input: &CustomerInput) -> Result<u64, PortError> {
        self.writes.create_customer(&self.inner, input).await
    }
    async fn update_customer(&self, update: &CustomerUpdate) -> Result<(), PortError> {
        self.writes.update_customer(&self.inner, update).await
    }
    async fn field_groups(&self) -> Result<Vec<FieldGroup>, PortError> {
        self.inner.field_groups().await
    }
    async fn field_group_items(
        &self,
        group_id: u64,
        customer_id: u64,
    ) -> Result<Vec<FieldGroupItem>, PortError> {
        self.inner.field_group_items(group_id, customer_id).await
    }
    async fn create_field_group_item(&self, item: &FieldGroupItemInput) -> Result<u64, PortError> {
        self.inner.create_field_group_item(item).await
    }
    async fn update_field_group_item(
        &self,
        item_id: u64,
        values: &[FieldValue],
    ) -> Result<(), PortError> {
        self.inner.update_field_group_item(item_id, values).await
    }
}
