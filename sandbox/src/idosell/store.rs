//! The in-memory shop: customers by id, orders by serial number, and the indexes that keep
//! 100k customers and 300k orders fast to query.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::changes::{ChangeOutcome, CustomerPatch, NewCustomer, NewOrder, ShopChange};
use super::model::{OrderAccount, ShopAddress, ShopCustomer, ShopOrder};

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No customer with this id.
    #[error("client {0} does not exist")]
    UnknownClient(u64),
    /// No order with this serial number.
    #[error("order {0} does not exist")]
    UnknownOrder(u64),
    /// The login is taken by another customer.
    #[error("login {0:?} is already used by another client")]
    DuplicateLogin(String),
    /// The change is malformed.
    #[error("{0}")]
    Invalid(String),
}

/// Customers and orders with their indexes. Not shared by itself: the simulator wraps it in a
/// lock.
#[derive(Debug, Default)]
pub(crate) struct ShopData {
    pub(crate) customers: BTreeMap<u64, ShopCustomer>,
    pub(crate) orders: BTreeMap<u64, ShopOrder>,
    orders_by_client: HashMap<u64, Vec<u64>>,
    serial_by_order_id: HashMap<String, u64>,
    client_by_login: HashMap<String, u64>,
}

impl ShopData {
    /// Builds the store from generated or given data (later duplicates of an id replace
    /// earlier ones).
    pub(crate) fn new(customers: Vec<ShopCustomer>, orders: Vec<ShopOrder>) -> Self {
        let mut data = Self::default();
        for customer in customers {
            data.insert_customer(customer);
        }
        for order in orders {
            data.insert_order(order);
        }
        data
    }

    fn insert_customer(&mut self, customer: ShopCustomer) {
        self.client_by_login
            .insert(customer.login.to_lowercase(), customer.client_id);
        self.customers.insert(customer.client_id, customer);
    }

    fn insert_order(&mut self, order: ShopOrder) {
        let serial = order.serial_number;
        self.orders_by_client
            .entry(order.client_id)
            .or_default()
            .push(serial);
        self.serial_by_order_id
            .insert(order.order_id.clone(), serial);
        self.orders.insert(serial, order);
    }

    /// Orders of one customer, oldest serial first.
    pub(crate) fn orders_of(&self, client_id: u64) -> impl Iterator<Item = &ShopOrder> {
        self.orders_by_client
            .get(&client_id)
            .into_iter()
            .flatten()
            .filter_map(|serial| self.orders.get(serial))
    }

    /// The order with this `orderId`.
    pub(crate) fn order_by_id(&self, order_id: &str) -> Option<&ShopOrder> {
        self.serial_by_order_id
            .get(order_id)
            .and_then(|serial| self.orders.get(serial))
    }

    /// The customer with this login (case-insensitive).
    pub(crate) fn client_id_by_login(&self, login: &str) -> Option<u64> {
        self.client_by_login.get(&login.to_lowercase()).copied()
    }

    fn next_client_id(&self) -> u64 {
        self.customers.last_key_value().map_or(1, |(id, _)| id + 1)
    }

    fn next_serial(&self) -> u64 {
        self.orders
            .last_key_value()
            .map_or(1, |(serial, _)| serial + 1)
    }

    /// Applies one change at time `now`.
    pub(crate) fn apply(
        &mut self,
        change: ShopChange,
        now: NaiveDateTime,
    ) -> Result<ChangeOutcome, StoreError> {
        match change {
            ShopChange::Register(new) => self
                .register(*new, now)
                .map(|c| ChangeOutcome::Customer(c.client_id)),
            ShopChange::EditCustomer { client_id, patch } => self
                .update_customer(client_id, &patch, now)
                .map(|c| ChangeOutcome::Customer(c.client_id)),
            ShopChange::NewOrder(new) => self
                .add_order(*new, now)
                .map(|o| ChangeOutcome::Order(o.serial_number)),
            ShopChange::StatusChange {
                serial_number,
                status,
            } => self
                .set_status(serial_number, &status, now)
                .map(|o| ChangeOutcome::Order(o.serial_number)),
        }
    }

    /// Registers a customer.
    pub(crate) fn register(
        &mut self,
        new: NewCustomer,
        now: NaiveDateTime,
    ) -> Result<ShopCustomer, StoreError> {
        let client_id = self.next_client_id();
        let login = match new.login.filter(|l| !l.trim().is_empty()) {
            Some(login) => login,
            None => generated_login(new.email.as_deref(), client_id),
        };
        if self.client_id_by_login(&login).is_some() {
            return Err(StoreError::DuplicateLogin(login));
        }
        let customer = ShopCustomer {
            client_id,
            login,
            email: non_empty(new.email),
            code_external: non_empty(new.code_external),
            client_type: new.client_type.unwrap_or_else(|| "private".into()),
            is_unregistered: new.is_unregistered,
            is_active: true,
            billing: new.billing,
            birth_date: new.birth_date,
            registration_date: now.date(),
            last_modified: now,
            shop_ids: if new.shop_ids.is_empty() {
                vec![1]
            } else {
                new.shop_ids
            },
            currency_id: new.currency_id.unwrap_or_else(|| "PLN".into()),
            newsletter_email: false,
            newsletter_sms: false,
        };
        self.insert_customer(customer.clone());
        Ok(customer)
    }

    /// Changes a customer; the modification date moves to `now` even when nothing differs
    /// (a real shop stamps every save).
    pub(crate) fn update_customer(
        &mut self,
        client_id: u64,
        patch: &CustomerPatch,
        now: NaiveDateTime,
    ) -> Result<ShopCustomer, StoreError> {
        if let Some(login) = &patch.login
            && let Some(owner) = self.client_id_by_login(login)
            && owner != client_id
        {
            return Err(StoreError::DuplicateLogin(login.clone()));
        }
        let customer = self
            .customers
            .get_mut(&client_id)
            .ok_or(StoreError::UnknownClient(client_id))?;
        let old_login = customer.login.to_lowercase();
        apply_patch(customer, patch);
        customer.last_modified = now;
        let updated = customer.clone();
        if let Some(login) = &patch.login {
            self.client_by_login.remove(&old_login);
            self.client_by_login.insert(login.to_lowercase(), client_id);
        }
        Ok(updated)
    }

    /// Places an order.
    pub(crate) fn add_order(
        &mut self,
        new: NewOrder,
        now: NaiveDateTime,
    ) -> Result<ShopOrder, StoreError> {
        let customer = self
            .customers
            .get(&new.client_id)
            .ok_or(StoreError::UnknownClient(new.client_id))?;
        if new.products.is_empty() {
            return Err(StoreError::Invalid(
                "an order needs at least one product".into(),
            ));
        }
        let serial = self.next_serial();
        let order = build_order(
            new,
            serial,
            customer,
            Arc::new(OrderAccount::of(customer)),
            Arc::new(customer.billing.clone()),
            now,
        );
        self.insert_order(order.clone());
        Ok(order)
    }

    /// Changes an order's status.
    pub(crate) fn set_status(
        &mut self,
        serial: u64,
        status: &str,
        now: NaiveDateTime,
    ) -> Result<ShopOrder, StoreError> {
        if status.trim().is_empty() {
            return Err(StoreError::Invalid("orderStatus must not be empty".into()));
        }
        let order = self
            .orders
            .get_mut(&serial)
            .ok_or(StoreError::UnknownOrder(serial))?;
        order.status = status.to_owned();
        order.change_date = now;
        if matches!(status, "ready" | "finished") && order.dispatch_date.is_none() {
            order.dispatch_date = Some(now);
        }
        Ok(order.clone())
    }
}

/// Turns a [`NewOrder`] into a stored order for `customer`, with `change_date = now` and the
/// given shared copies of the buyer's data. Used by the store and by the generator, so that
/// both build orders the same way.
pub(crate) fn build_order(
    new: NewOrder,
    serial: u64,
    customer: &ShopCustomer,
    account: Arc<OrderAccount>,
    billing: Arc<ShopAddress>,
    now: NaiveDateTime,
) -> ShopOrder {
    let products_cost = new.products_cost();
    let (auction_service, auction) = match new.auction {
        Some((service, buyer)) => (Some(service), Some(buyer)),
        None => (None, None),
    };
    ShopOrder {
        order_id: format!("{}-{serial}", new.shop_id),
        serial_number: serial,
        order_type: new.order_type,
        client_id: customer.client_id,
        account,
        billing,
        delivery: new.delivery.map(Arc::new),
        pickup_point: new.pickup_point,
        status: new.status,
        add_date: new.add_date.unwrap_or(now),
        change_date: now,
        dispatch_date: new.dispatch_date,
        payment_type: new.payment_type,
        currency_id: new.currency_id,
        products_cost,
        delivery_cost: new.delivery_cost,
        payform_cost: new.payform_cost,
        insurance_cost: new.insurance_cost,
        currency_rate: new.currency_rate,
        shop_id: new.shop_id,
        source_type: if auction_service.is_some() {
            "auction".into()
        } else {
            "shop".into()
        },
        auction_service,
        auction,
        products: new.products,
        note: new.note,
    }
}

fn apply_patch(customer: &mut ShopCustomer, patch: &CustomerPatch) {
    if let Some(login) = &patch.login {
        customer.login = login.clone();
    }
    set_optional(&mut customer.email, &patch.email);
    set_optional(&mut customer.code_external, &patch.code_external);
    if let Some(kind) = &patch.client_type {
        customer.client_type = kind.clone();
    }
    if let Some(active) = patch.is_active {
        customer.is_active = active;
    }
    let billing = &mut customer.billing;
    set_optional(&mut billing.first_name, &patch.first_name);
    set_optional(&mut billing.last_name, &patch.last_name);
    set_optional(&mut billing.firm, &patch.firm);
    set_optional(&mut billing.nip, &patch.nip);
    set_optional(&mut billing.street, &patch.street);
    set_optional(&mut billing.zip_code, &patch.zip_code);
    set_optional(&mut billing.city, &patch.city);
    set_optional(&mut billing.country_id, &patch.country_id);
    set_optional(&mut billing.phone1, &patch.phone1);
    set_optional(&mut billing.phone2, &patch.phone2);
}

fn set_optional(field: &mut Option<String>, value: &Option<String>) {
    if let Some(value) = value {
        *field = non_empty(Some(value.clone()));
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Real shops give guests and e-mail-only sign-ups a generated login; the sandbox derives it
/// from the e-mail's local part, or the id.
fn generated_login(email: Option<&str>, client_id: u64) -> String {
    match email
        .and_then(|e| e.split('@').next())
        .filter(|l| !l.is_empty())
    {
        Some(local) => format!("{local}_{client_id}"),
        None => format!("guest_{client_id}"),
    }
}
