//! In-memory shop and CRM behind the engine's ports, counting every call, with faults on
//! demand. Shared by the `engine_*` tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{NaiveDate, NaiveDateTime};
use iai_shop_client::{BillingAddress, ClientAccount, OrderClient};
use iai_shop_client::{Client, Order};
use serde_json::Value;
use sync_core::engine::ports::{
    CrmPage, CrmPort, CustomerUpdate, FieldFinding, OrdersQuery, PortError, RequiredField,
    ShopPage, ShopPort,
};
use thulium_client::{
    BatchItemOutcome, CustomFieldValue, CustomFields, Customer, CustomerInput, ErrorDetail,
    FieldDef, FieldGroup, FieldGroupItem, FieldGroupItemInput, FieldValue,
};

/// Counts calls by method name; with a latency set, each call waits that long and the
/// most calls seen in flight at once is recorded.
#[derive(Debug, Default)]
pub struct Calls {
    counts: Mutex<BTreeMap<&'static str, u64>>,
    latency: Mutex<Option<Duration>>,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
}

impl Calls {
    fn hit(&self, method: &'static str) {
        *self.counts.lock().unwrap().entry(method).or_default() += 1;
    }
    /// Simulated network time (only when a latency is set).
    async fn wait(&self) {
        let latency = *self.latency.lock().unwrap();
        let Some(latency) = latency else { return };
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(latency).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
    pub fn set_latency(&self, latency: Duration) {
        *self.latency.lock().unwrap() = Some(latency);
    }
    pub fn max_in_flight(&self) -> u64 {
        self.max_in_flight.load(Ordering::SeqCst)
    }
    pub fn get(&self, method: &str) -> u64 {
        self.counts
            .lock()
            .unwrap()
            .get(method)
            .copied()
            .unwrap_or(0)
    }
    pub fn total(&self) -> u64 {
        self.counts.lock().unwrap().values().sum()
    }
    /// Every count, keyed like the engine's report (`shop.customers_page`).
    pub fn all(&self) -> BTreeMap<String, u64> {
        let counts = self.counts.lock().unwrap();
        counts.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }
    pub fn reset(&self) {
        self.counts.lock().unwrap().clear();
    }
}

pub fn day(d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, d)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap()
}

pub fn client(id: u64) -> Client {
    Client {
        client_id: id,
        email: Some(format!("klient{id}@example.pl")),
        billing: BillingAddress {
            first_name: Some(format!("Jan{id}")),
            last_name: Some("Kowalski".into()),
            street: Some(format!("ul. Długa {id}")),
            zip_code: Some("00-001".into()),
            city: Some("Warszawa".into()),
            country_id: Some("pl".into()),
            ..BillingAddress::default()
        },
        ..Client::default()
    }
}

pub fn order(serial: u64, client_id: u64, placed: NaiveDateTime) -> Order {
    Order {
        order_id: format!("ord-{serial}"),
        serial_number: serial,
        client: OrderClient {
            account: ClientAccount {
                client_id: Some(client_id),
                ..ClientAccount::default()
            },
            ..OrderClient::default()
        },
        add_date: Some(placed),
        change_date: Some(placed),
        ..Order::default()
    }
}

/// A shop holding customers and orders.
#[derive(Default)]
pub struct FakeShop {
    pub clients: Mutex<Vec<Client>>,
    pub orders: Mutex<Vec<Order>>,
    pub calls: Calls,
    /// `customers_page` fails for these page numbers (once each).
    pub fail_pages: Mutex<HashSet<u32>>,
    /// Run once after the full list's page `.0` is served: changes made "during the run".
    pub after_page: Mutex<Option<(u32, AfterPage)>>,
    /// `search_orders` fails (once) when set.
    pub fail_orders_search: Mutex<bool>,
}

pub type AfterPage = Box<dyn FnOnce(&mut Vec<Client>) + Send>;

impl FakeShop {
    pub fn with(clients: Vec<Client>, orders: Vec<Order>) -> Self {
        Self {
            clients: Mutex::new(clients),
            orders: Mutex::new(orders),
            ..Self::default()
        }
    }
}

fn page_of<T: Clone>(items: &[T], page: u32, size: u32) -> ShopPage<T> {
    let size = size as usize;
    let start = page as usize * size;
    ShopPage {
        items: items.iter().skip(start).take(size).cloned().collect(),
        rejected: Vec::new(),
        page,
        page_count: items.len().div_ceil(size) as u32,
        total: items.len() as u64,
    }
}

#[async_trait]
impl ShopPort for FakeShop {
    async fn verify(&self) -> Result<(), PortError> {
        self.calls.hit("shop.verify");
        self.calls.wait().await;
        Ok(())
    }

    async fn customers_page(
        &self,
        modified: Option<sync_core::window::Window>,
        page: u32,
        page_size: u32,
    ) -> Result<ShopPage<Client>, PortError> {
        self.calls.hit("shop.customers_page");
        self.calls.wait().await;
        if self.fail_pages.lock().unwrap().remove(&page) {
            return Err(PortError::retryable("connection reset").with_status(503));
        }
        let clients: Vec<Client> = self
            .clients
            .lock()
            .unwrap()
            .iter()
            .filter(|c| {
                modified.is_none_or(|w| {
                    c.last_modified
                        .is_some_and(|at| at >= w.begin && at <= w.end)
                })
            })
            .cloned()
            .collect();
        let mut served = page_of(&clients, page, page_size);
        // A record stored with id 0 stands for one the shop sent without `clientId`: the
        // client rejects it with its JSON path, as `iai_shop_client::Page` does.
        for (index, client) in std::mem::take(&mut served.items).into_iter().enumerate() {
            if client.client_id == 0 {
                served.rejected.push(iai_shop_client::DecodeError {
                    path: format!("results[{index}]"),
                    message: "missing field `clientId`".to_owned(),
                });
            } else {
                served.items.push(client);
            }
        }
        if modified.is_none() {
            let mut hook = self.after_page.lock().unwrap();
            if hook.as_ref().is_some_and(|(at, _)| *at == page) {
                let (_, change) = hook.take().unwrap();
                change(&mut self.clients.lock().unwrap());
            }
        }
        Ok(served)
    }

    async fn customers_by_ids(&self, client_ids: &[u64]) -> Result<Vec<Client>, PortError> {
        self.calls.hit("shop.customers_by_ids");
        self.calls.wait().await;
        let clients = self.clients.lock().unwrap();
        Ok(clients
            .iter()
            .filter(|c| client_ids.contains(&c.client_id))
            .cloned()
            .collect())
    }

    async fn search_orders(
        &self,
        query: &OrdersQuery,
        page: u32,
        page_size: u32,
    ) -> Result<ShopPage<Order>, PortError> {
        self.calls.hit("shop.search_orders");
        self.calls.wait().await;
        assert!(
            query.client_ids.len() <= 100,
            "orders search with >100 clients"
        );
        if std::mem::take(&mut *self.fail_orders_search.lock().unwrap()) {
            return Err(PortError::retryable("timeout"));
        }
        let orders: Vec<Order> = self
            .orders
            .lock()
            .unwrap()
            .iter()
            .filter(|o| {
                query.client_ids.is_empty()
                    || o.client
                        .account
                        .client_id
                        .is_some_and(|id| query.client_ids.contains(&id))
            })
            .filter(|o| {
                query
                    .modified
                    .is_none_or(|w| o.change_date.is_some_and(|at| at >= w.begin && at <= w.end))
            })
            .cloned()
            .collect();
        Ok(page_of(&orders, page, page_size))
    }

    async fn orders_by_serial_numbers(&self, serials: &[u64]) -> Result<Vec<Order>, PortError> {
        self.calls.hit("shop.orders_by_serial_numbers");
        self.calls.wait().await;
        let orders = self.orders.lock().unwrap();
        Ok(orders
            .iter()
            .filter(|o| serials.contains(&o.serial_number))
            .cloned()
            .collect())
    }

    async fn orders_by_ids(&self, order_ids: &[String]) -> Result<Vec<Order>, PortError> {
        self.calls.hit("shop.orders_by_ids");
        self.calls.wait().await;
        let orders = self.orders.lock().unwrap();
        Ok(orders
            .iter()
            .filter(|o| order_ids.contains(&o.order_id))
            .cloned()
            .collect())
    }
}

/// A Thulium tenant.
pub struct FakeCrm {
    pub customers: Mutex<BTreeMap<u64, Customer>>,
    next_id: Mutex<u64>,
    pub calls: Calls,
    /// Batch items carrying these shop IDs fail with 500 (single calls succeed).
    pub fail_in_batch: Mutex<HashSet<i64>>,
    /// Every write of these shop IDs fails with 422.
    pub reject: Mutex<HashSet<i64>>,
    /// The ID field's name, to read shop IDs from inputs.
    pub id_field: String,
    /// What `verify` answers for each field name (absent: `Present`).
    pub findings: Mutex<HashMap<String, FieldFinding>>,
    /// Custom-field groups of the tenant.
    pub groups: Mutex<Vec<FieldGroup>>,
    /// Field-group items by item id.
    pub items: Mutex<BTreeMap<u64, FieldGroupItem>>,
    /// The custom fields the tenant defines, when restricted: others are silently dropped
    /// on write (as real Thulium may do), and a read lists every defined one.
    pub defined_fields: Mutex<Option<Vec<String>>>,
    /// Every e-mail address last written to each customer (a read shows only the first).
    pub emails: Mutex<BTreeMap<u64, Vec<String>>>,
    /// The `email` filter matches a substring of the address, as real Thulium may.
    pub email_substring: std::sync::atomic::AtomicBool,
    /// List answers carry no total.
    pub no_total: std::sync::atomic::AtomicBool,
    /// The next this many `customers_page` answers cannot be decoded.
    pub undecodable_pages: AtomicU64,
}

impl FakeCrm {
    pub fn new(id_field: &str) -> Self {
        Self {
            customers: Mutex::new(BTreeMap::new()),
            next_id: Mutex::new(1000),
            calls: Calls::default(),
            fail_in_batch: Mutex::new(HashSet::new()),
            reject: Mutex::new(HashSet::new()),
            id_field: id_field.to_owned(),
            findings: Mutex::new(HashMap::new()),
            groups: Mutex::new(Vec::new()),
            items: Mutex::new(BTreeMap::new()),
            defined_fields: Mutex::new(None),
            emails: Mutex::new(BTreeMap::new()),
            email_substring: std::sync::atomic::AtomicBool::new(false),
            no_total: std::sync::atomic::AtomicBool::new(false),
            undecodable_pages: AtomicU64::new(0),
        }
    }

    /// Adds an agent-made contact (no shop ID) with these e-mails and phones; returns its id.
    pub fn add_agent_contact(&self, surname: &str, emails: &[&str], phones: &[&str]) -> u64 {
        let id = {
            let mut next = self.next_id.lock().unwrap();
            *next += 1;
            *next
        };
        let emails: Vec<String> = emails.iter().map(|e| (*e).to_owned()).collect();
        self.emails.lock().unwrap().insert(id, emails.clone());
        self.insert(Customer {
            customer_id: id,
            surname: Some(surname.to_owned()),
            email: emails.first().cloned(),
            phone_number: phones.first().map(|p| (*p).to_owned()),
            phone_numbers: phones.iter().map(|p| (*p).to_owned()).collect(),
            ..Customer::default()
        });
        id
    }

    /// The shop ID each customer holds (`None`: an agent's contact nobody adopted).
    pub fn tenant(&self) -> BTreeMap<u64, Option<i64>> {
        self.customers
            .lock()
            .unwrap()
            .values()
            .map(|c| (c.customer_id, c.custom_fields.number(&self.id_field)))
            .collect()
    }

    /// Defines a group with these field names (field ids 1, 2, …); returns its id.
    pub fn define_group(&self, name: &str, fields: &[&str]) -> u64 {
        let mut groups = self.groups.lock().unwrap();
        let group_id = 500 + groups.len() as u64;
        groups.push(FieldGroup {
            group_id,
            name: name.to_owned(),
            fields: fields
                .iter()
                .enumerate()
                .map(|(i, name)| FieldDef {
                    field_id: i as u64 + 1,
                    name: (*name).to_owned(),
                })
                .collect(),
        });
        group_id
    }

    /// The items of one customer, as (field id → value) maps.
    pub fn items_of(&self, customer_id: u64) -> Vec<BTreeMap<u64, String>> {
        self.items
            .lock()
            .unwrap()
            .values()
            .filter(|item| item.customer_id == customer_id)
            .map(|item| {
                item.values
                    .iter()
                    .map(|v| (v.field_id, v.value.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .collect()
    }

    /// Adds a customer as if an agent had typed it in.
    pub fn insert(&self, customer: Customer) {
        self.customers
            .lock()
            .unwrap()
            .insert(customer.customer_id, customer);
    }

    /// Thulium customers carrying `shop_id` in the ID field.
    pub fn holding(&self, shop_id: u64) -> Vec<Customer> {
        self.customers
            .lock()
            .unwrap()
            .values()
            .filter(|c| c.custom_fields.number(&self.id_field) == Some(shop_id as i64))
            .cloned()
            .collect()
    }

    fn shop_id_of(&self, input: &CustomerInput) -> Option<i64> {
        match input.custom_fields.get(&self.id_field) {
            Some(CustomFieldValue::Number(n)) => Some(*n),
            _ => None,
        }
    }

    fn check(&self, input: &CustomerInput, in_batch: bool) -> Result<(), (u16, String)> {
        let shop_id = self.shop_id_of(input);
        if shop_id.is_some_and(|id| self.reject.lock().unwrap().contains(&id)) {
            return Err((422, "surname is invalid".into()));
        }
        if in_batch && shop_id.is_some_and(|id| self.fail_in_batch.lock().unwrap().contains(&id)) {
            return Err((500, "internal error".into()));
        }
        Ok(())
    }

    fn store(&self, customer_id: u64, input: &CustomerInput) {
        let defined = self.defined_fields.lock().unwrap().clone();
        let mut fields: BTreeMap<String, Value> = input
            .custom_fields
            .iter()
            .filter(|(name, _)| defined.as_ref().is_none_or(|d| d.contains(name)))
            .map(|(name, value)| {
                let json = match value {
                    CustomFieldValue::Number(n) => Value::from(*n),
                    CustomFieldValue::Date(d) => Value::from(d.format("%Y-%m-%d").to_string()),
                    CustomFieldValue::Text(t) => Value::from(t.clone()),
                    CustomFieldValue::Null => Value::Null,
                };
                (name.clone(), json)
            })
            .collect();
        for name in defined.into_iter().flatten() {
            fields.entry(name).or_insert(Value::Null);
        }
        if !input.email.is_empty() {
            self.emails
                .lock()
                .unwrap()
                .insert(customer_id, input.email.clone());
        }
        let customer = Customer {
            customer_id,
            name: input.name.clone(),
            surname: input.surname.clone(),
            email: input.email.first().cloned(),
            phone_number: input.phone_number.first().cloned(),
            phone_numbers: input.phone_number.clone(),
            custom_fields: CustomFields::from_map(fields),
            ..Customer::default()
        };
        self.customers.lock().unwrap().insert(customer_id, customer);
    }

    fn create(&self, input: &CustomerInput, in_batch: bool) -> Result<u64, (u16, String)> {
        self.check(input, in_batch)?;
        let id = {
            let mut next = self.next_id.lock().unwrap();
            *next += 1;
            *next
        };
        self.store(id, input);
        Ok(id)
    }

    fn update(&self, update: &CustomerUpdate, in_batch: bool) -> Result<(), (u16, String)> {
        self.check(&update.input, in_batch)?;
        if !self
            .customers
            .lock()
            .unwrap()
            .contains_key(&update.customer_id)
        {
            return Err((404, "customer not found".into()));
        }
        // Lists not sent are kept, as Thulium keeps what an update does not name.
        let mut input = update.input.clone();
        if let Some(stored) = self.customers.lock().unwrap().get(&update.customer_id) {
            if input.email.is_empty() {
                input.email = self
                    .emails
                    .lock()
                    .unwrap()
                    .get(&update.customer_id)
                    .cloned()
                    .unwrap_or_else(|| stored.email.iter().cloned().collect());
            }
            if input.phone_number.is_empty() {
                input.phone_number = stored.phone_numbers.clone();
            }
        }
        self.store(update.customer_id, &input);
        Ok(())
    }
}

/// A failed batch item as Thulium answers it: its message echoes the value sent (the
/// e-mail address), with an error code and a request id.
fn failed(status: u16, message: String, input: &CustomerInput) -> BatchItemOutcome {
    let echoed = input
        .email
        .first()
        .map_or(message.clone(), |email| format!("{message}: {email}"));
    BatchItemOutcome::Failed {
        status: Some(status),
        errors: vec![ErrorDetail {
            message: echoed,
            code: Some(i64::from(status) * 10),
        }],
        raw: serde_json::json!({"status": status, "request_id": "req-fake"}),
    }
}

fn port_error((status, message): (u16, String)) -> PortError {
    PortError::permanent(message).with_status(status)
}

#[async_trait]
impl CrmPort for FakeCrm {
    async fn verify(
        &self,
        required: &[RequiredField],
    ) -> Result<Vec<(RequiredField, FieldFinding)>, PortError> {
        self.calls.hit("crm.verify");
        self.calls.wait().await;
        let findings = self.findings.lock().unwrap();
        Ok(required
            .iter()
            .map(|field| {
                let finding = findings
                    .get(&field.name)
                    .cloned()
                    .unwrap_or(FieldFinding::Present);
                (field.clone(), finding)
            })
            .collect())
    }

    async fn find_by_field_values(
        &self,
        field: &str,
        values: &[u64],
    ) -> Result<Vec<Customer>, PortError> {
        self.calls.hit("crm.find_by_field_values");
        self.calls.wait().await;
        assert!(values.len() <= 100, "ID search with >100 alternatives");
        let customers = self.customers.lock().unwrap();
        Ok(customers
            .values()
            .filter(|c| {
                c.custom_fields
                    .number(field)
                    .is_some_and(|n| values.iter().any(|v| *v as i64 == n))
            })
            .cloned()
            .collect())
    }

    async fn find_by_email(&self, email: &str) -> Result<Vec<Customer>, PortError> {
        self.calls.hit("crm.find_by_email");
        self.calls.wait().await;
        let substring = self.email_substring.load(Ordering::SeqCst);
        let emails = self.emails.lock().unwrap();
        let customers = self.customers.lock().unwrap();
        Ok(customers
            .values()
            .filter(|c| {
                let all = emails.get(&c.customer_id).cloned().unwrap_or_default();
                all.iter()
                    .chain(c.email.iter())
                    .any(|e| e == email || (substring && e.contains(email)))
            })
            .cloned()
            .collect())
    }

    async fn find_by_phone(&self, phone: &str) -> Result<Vec<Customer>, PortError> {
        self.calls.hit("crm.find_by_phone");
        self.calls.wait().await;
        let customers = self.customers.lock().unwrap();
        Ok(customers
            .values()
            .filter(|c| c.phone_numbers.iter().any(|p| p == phone))
            .cloned()
            .collect())
    }

    async fn customers_page(&self, offset: u64, limit: u32) -> Result<CrmPage, PortError> {
        self.calls.hit("crm.customers_page");
        self.calls.wait().await;
        let undecodable = self
            .undecodable_pages
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if undecodable {
            return Err(PortError::undecodable("answer cut short"));
        }
        let no_total = self.no_total.load(Ordering::SeqCst);
        let customers = self.customers.lock().unwrap();
        Ok(CrmPage {
            customers: customers
                .values()
                .skip(offset as usize)
                .take(limit as usize)
                .cloned()
                .collect(),
            total: (!no_total).then_some(customers.len() as u64),
        })
    }

    async fn customer(&self, customer_id: u64) -> Result<Customer, PortError> {
        self.calls.hit("crm.customer");
        self.calls.wait().await;
        let customers = self.customers.lock().unwrap();
        customers
            .get(&customer_id)
            .cloned()
            .ok_or_else(|| PortError::permanent("customer not found").with_status(404))
    }

    async fn create_customers(
        &self,
        inputs: &[CustomerInput],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        self.calls.hit("crm.create_customers");
        self.calls.wait().await;
        Ok(inputs
            .iter()
            .map(|input| match self.create(input, true) {
                Ok(customer_id) => BatchItemOutcome::Created { customer_id },
                Err((status, message)) => failed(status, message, input),
            })
            .collect())
    }

    async fn update_customers(
        &self,
        updates: &[CustomerUpdate],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        self.calls.hit("crm.update_customers");
        self.calls.wait().await;
        Ok(updates
            .iter()
            .map(|update| match self.update(update, true) {
                Ok(()) => BatchItemOutcome::Updated,
                Err((status, message)) => failed(status, message, &update.input),
            })
            .collect())
    }

    async fn create_customer(&self, input: &CustomerInput) -> Result<u64, PortError> {
        self.calls.hit("crm.create_customer");
        self.calls.wait().await;
        self.create(input, false).map_err(port_error)
    }

    async fn update_customer(&self, update: &CustomerUpdate) -> Result<(), PortError> {
        self.calls.hit("crm.update_customer");
        self.calls.wait().await;
        self.update(update, false).map_err(port_error)
    }

    async fn field_groups(&self) -> Result<Vec<FieldGroup>, PortError> {
        self.calls.hit("crm.field_groups");
        self.calls.wait().await;
        Ok(self.groups.lock().unwrap().clone())
    }

    async fn field_group_items(
        &self,
        group_id: u64,
        customer_id: u64,
    ) -> Result<Vec<FieldGroupItem>, PortError> {
        self.calls.hit("crm.field_group_items");
        self.calls.wait().await;
        let items = self.items.lock().unwrap();
        Ok(items
            .values()
            .filter(|i| i.group_id == group_id && i.customer_id == customer_id)
            .cloned()
            .collect())
    }

    async fn create_field_group_item(&self, item: &FieldGroupItemInput) -> Result<u64, PortError> {
        self.calls.hit("crm.create_field_group_item");
        self.calls.wait().await;
        if !self
            .customers
            .lock()
            .unwrap()
            .contains_key(&item.customer_id)
        {
            return Err(PortError::permanent("customer not found").with_status(404));
        }
        let item_id = {
            let mut next = self.next_id.lock().unwrap();
            *next += 1;
            *next
        };
        self.items.lock().unwrap().insert(
            item_id,
            FieldGroupItem {
                item_id,
                group_id: item.group_id,
                customer_id: item.customer_id,
                values: item.values.clone(),
            },
        );
        Ok(item_id)
    }

    async fn update_field_group_item(
        &self,
        item_id: u64,
        values: &[FieldValue],
    ) -> Result<(), PortError> {
        self.calls.hit("crm.update_field_group_item");
        self.calls.wait().await;
        match self.items.lock().unwrap().get_mut(&item_id) {
            Some(item) => {
                item.values = values.to_vec();
                Ok(())
            }
            None => Err(PortError::permanent("item not found").with_status(404)),
        }
    }
}

/// A shop, a tenant, a store and a clock wired to engines; shared by the `engine_*` tests.
pub struct World {
    pub shop: std::sync::Arc<FakeShop>,
    pub crm: std::sync::Arc<FakeCrm>,
    pub store: std::sync::Arc<sync_core::engine::store::MemoryStore>,
    pub clock: sync_core::engine::clock::ManualClock,
    pub config: sync_core::config::IntegrationConfig,
}

impl World {
    /// `customers` shop customers (ids 1..=n); every third has two orders (serials id*10,
    /// id*10+1); the clock shows day 10.
    pub fn new(config: sync_core::config::IntegrationConfig, customers: u64) -> Self {
        let clients = (1..=customers).map(client).collect();
        let orders = (1..=customers)
            .filter(|id| id % 3 == 0)
            .flat_map(|id| [order(id * 10, id, day(1)), order(id * 10 + 1, id, day(5))])
            .collect();
        Self {
            shop: std::sync::Arc::new(FakeShop::with(clients, orders)),
            crm: std::sync::Arc::new(FakeCrm::new(&config.fields.shop_id)),
            store: std::sync::Arc::new(sync_core::engine::store::MemoryStore::new()),
            clock: sync_core::engine::clock::ManualClock::new(day(10)),
            config,
        }
    }

    /// [`World::new`] after a finished full sync: the call counts reset and the clock a
    /// minute on, as the incremental and webhook tests start.
    pub async fn synced(config: sync_core::config::IntegrationConfig, customers: u64) -> Self {
        let world = Self::new(config, customers);
        world.engine().full_sync(&no_progress).await.unwrap();
        world.reset_calls();
        world.clock.advance(chrono::TimeDelta::minutes(1));
        world
    }

    pub fn engine(&self) -> sync_core::engine::Engine {
        sync_core::engine::Engine::new(
            self.config.clone(),
            self.shop.clone(),
            self.crm.clone(),
            self.store.clone(),
            std::sync::Arc::new(self.clock.clone()),
        )
    }

    pub fn reset_calls(&self) {
        self.shop.calls.reset();
        self.crm.calls.reset();
    }

    /// Calls made to either fake, keyed like the report.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        let mut all = self.shop.calls.all();
        all.extend(self.crm.calls.all());
        all
    }

    /// Changes a shop customer and stamps its modification date with the clock.
    pub fn edit_client(&self, id: u64, edit: impl FnOnce(&mut Client)) {
        use sync_core::engine::clock::Clock;
        let mut clients = self.shop.clients.lock().unwrap();
        let client = clients.iter_mut().find(|c| c.client_id == id).unwrap();
        edit(client);
        client.last_modified = Some(self.clock.now());
    }

    /// Every one of `ids` is held by exactly one Thulium customer.
    pub fn assert_held_once(&self, ids: impl IntoIterator<Item = u64>) {
        for id in ids {
            let holders = self.crm.holding(id);
            assert_eq!(holders.len(), 1, "shop client {id} held by {holders:?}");
        }
    }
}

/// An integration named `name` over the test shop's URL, with the default field names.
pub fn shop_config(name: &str) -> sync_core::config::IntegrationConfig {
    sync_core::config::IntegrationConfig::new(
        name,
        url::Url::parse("https://sklep.example.pl").unwrap(),
    )
}

/// A map of request counts from `(method, count)` pairs.
pub fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(m, n)| ((*m).to_owned(), *n)).collect()
}

/// A progress callback that ignores progress.
pub fn no_progress(_: &sync_core::engine::Progress) {}
