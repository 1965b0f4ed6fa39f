//! Counting and throttling decorators over the ports: every request a run makes is counted
//! per port method (for the report), and the requests in flight to each API are bounded by
//! the engine's concurrency (one semaphore per API, shared by every run of the engine).
//!
//! A permit is held only for the duration of one port call and no call is made while
//! holding one, so the bound cannot deadlock however the pipeline nests its work. Each call
//! runs as its own task with its permit ([`on_worker`]): the permit is given back the moment
//! the answer is decoded, not when the pipeline's task next gets round to it, so a busy
//! pipeline never keeps a slot idle.
//!
//! A **read** whose answer could not be decoded (malformed or cut-off JSON, which the clients
//! do not repeat) is sent again, up to [`READ_ATTEMPTS`] times in all, like a 5xx: a read
//! changes nothing, so repeating it is safe. Each repeat is a request (counted under its
//! method) and is also counted in [`RequestCounts::read_retries`]. Writes are never repeated
//! here: the writer knows how to confirm them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use iai_shop_client::{Client, Order};
use thulium_client::{
    BatchItemOutcome, Customer, CustomerInput, FieldGroup, FieldGroupItem, FieldGroupItemInput,
    FieldValue,
};
use tokio::sync::Semaphore;

use super::ports::{
    CrmPage, CrmPort, CustomerUpdate, FieldFinding, OrdersQuery, PortError, RequiredField,
    ShopPage, ShopPort,
};
use super::worker::on_worker;
use crate::window::Window;

/// How many times in all a read is sent when its answer cannot be decoded.
pub(crate) const READ_ATTEMPTS: u32 = 4;

/// Requests per port method (`shop.customers_page`, `crm.create_customers`, …).
#[derive(Debug, Default)]
pub(crate) struct RequestCounts {
    by_method: Mutex<BTreeMap<&'static str, u64>>,
    read_retries: AtomicU64,
}

impl RequestCounts {
    fn hit(&self, method: &'static str) {
        let mut counts = self.by_method.lock().unwrap_or_else(|p| p.into_inner());
        *counts.entry(method).or_default() += 1;
    }

    /// The counts so far, by method name.
    pub(crate) fn snapshot(&self) -> BTreeMap<String, u64> {
        let counts = self.by_method.lock().unwrap_or_else(|p| p.into_inner());
        counts.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    /// Reads sent again because their answer could not be decoded.
    pub(crate) fn read_retries(&self) -> u64 {
        self.read_retries.load(Ordering::Relaxed)
    }
}

/// Whether a call may be repeated when its answer cannot be decoded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
}

/// A port call made under a permit of `limit`, counted as `method`, run as its own task;
/// a read is made again (by calling `call` anew) when its answer could not be decoded.
async fn counted<T, F, Fut>(
    counts: &RequestCounts,
    limit: &Arc<Semaphore>,
    method: &'static str,
    kind: Kind,
    call: F,
) -> Result<T, PortError>
where
    T: Send + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, PortError>> + Send + 'static,
{
    let mut attempt = 1;
    loop {
        counts.hit(method);
        let limit = Arc::clone(limit);
        let future = call();
        let result = on_worker(async move {
            // The semaphore is never closed; if it were, running unthrottled is the safe fallback.
            let _permit = limit.acquire_owned().await.ok();
            future.await
        })
        .await;
        match result {
            Err(error) if error.undecodable && kind == Kind::Read && attempt < READ_ATTEMPTS => {
                tracing::warn!(
                    method,
                    attempt,
                    "answer could not be decoded; reading again"
                );
                counts.read_retries.fetch_add(1, Ordering::Relaxed);
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// The shop port of one run: counted and throttled.
pub(crate) struct CountedShop {
    pub(crate) inner: Arc<dyn ShopPort>,
    pub(crate) counts: Arc<RequestCounts>,
    pub(crate) limit: Arc<Semaphore>,
}

#[async_trait]
impl ShopPort for CountedShop {
    async fn verify(&self) -> Result<(), PortError> {
        let inner = Arc::clone(&self.inner);
        let call = move || {
            let inner = Arc::clone(&inner);
            async move { inner.verify().await }
        };
        counted(&self.counts, &self.limit, "shop.verify", Kind::Read, call).await
    }

    async fn customers_page(
        &self,
        modified: Option<Window>,
        page: u32,
        page_size: u32,
    ) -> Result<ShopPage<Client>, PortError> {
        let inner = Arc::clone(&self.inner);
        let call = move || {
            let inner = Arc::clone(&inner);
            async move { inner.customers_page(modified, page, page_size).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "shop.customers_page",
            Kind::Read,
            call,
        )
        .await
    }

    async fn customers_by_ids(&self, client_ids: &[u64]) -> Result<Vec<Client>, PortError> {
        let inner = Arc::clone(&self.inner);
        let client_ids = client_ids.to_vec();
        let call = move || {
            let inner = Arc::clone(&inner);
            let client_ids = client_ids.clone();
            async move { inner.customers_by_ids(&client_ids).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "shop.customers_by_ids",
            Kind::Read,
            call,
        )
        .await
    }

    async fn search_orders(
        &self,
        query: &OrdersQuery,
        page: u32,
        page_size: u32,
    ) -> Result<ShopPage<Order>, PortError> {
        let inner = Arc::clone(&self.inner);
        let query = query.clone();
        let call = move || {
            let inner = Arc::clone(&inner);
            let query = query.clone();
            async move { inner.search_orders(&query, page, page_size).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "shop.search_orders",
            Kind::Read,
            call,
        )
        .await
    }

    async fn orders_by_serial_numbers(&self, serials: &[u64]) -> Result<Vec<Order>, PortError> {
        let inner = Arc::clone(&self.inner);
        let serials = serials.to_vec();
        let call = move || {
            let inner = Arc::clone(&inner);
            let serials = serials.clone();
            async move { inner.orders_by_serial_numbers(&serials).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "shop.orders_by_serial_numbers",
            Kind::Read,
            call,
        )
        .await
    }

    async fn orders_by_ids(&self, order_ids: &[String]) -> Result<Vec<Order>, PortError> {
        let inner = Arc::clone(&self.inner);
        let order_ids = order_ids.to_vec();
        let call = move || {
            let inner = Arc::clone(&inner);
            let order_ids = order_ids.clone();
            async move { inner.orders_by_ids(&order_ids).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "shop.orders_by_ids",
            Kind::Read,
            call,
        )
        .await
    }
}

/// The CRM port of one run: counted and throttled.
pub(crate) struct CountedCrm {
    pub(crate) inner: Arc<dyn CrmPort>,
    pub(crate) counts: Arc<RequestCounts>,
    pub(crate) limit: Arc<Semaphore>,
}

#[async_trait]
impl CrmPort for CountedCrm {
    async fn verify(
        &self,
        required: &[RequiredField],
    ) -> Result<Vec<(RequiredField, FieldFinding)>, PortError> {
        let inner = Arc::clone(&self.inner);
        let required = required.to_vec();
        let call = move || {
            let inner = Arc::clone(&inner);
            let required = required.clone();
            async move { inner.verify(&required).await }
        };
        counted(&self.counts, &self.limit, "crm.verify", Kind::Read, call).await
    }

    async fn find_by_field_values(
        &self,
        field: &str,
        values: &[u64],
    ) -> Result<Vec<Customer>, PortError> {
        let inner = Arc::clone(&self.inner);
        let (field, values) = (field.to_owned(), values.to_vec());
        let call = move || {
            let inner = Arc::clone(&inner);
            let field = field.clone();
            let values = values.clone();
            async move { inner.find_by_field_values(&field, &values).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "crm.find_by_field_values",
            Kind::Read,
            call,
        )
        .await
    }

    async fn find_by_email(&self, email: &str) -> Result<Vec<Customer>, PortError> {
        let inner = Arc::clone(&self.inner);
        let email = email.to_owned();
        let call = move || {
            let inner = Arc::clone(&inner);
            let email = email.clone();
            async move { inner.find_by_email(&email).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "crm.find_by_email",
            Kind::Read,
            call,
        )
        .await
    }

    async fn find_by_phone(&self, phone: &str) -> Result<Vec<Customer>, PortError> {
        let inner = Arc::clone(&self.inner);
        let phone = phone.to_owned();
        let call = move || {
            let inner = Arc::clone(&inner);
            let phone = phone.clone();
            async move { inner.find_by_phone(&phone).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "crm.find_by_phone",
            Kind::Read,
            call,
        )
        .await
    }

    async fn customers_page(&self, offset: u64, limit: u32) -> Result<CrmPage, PortError> {
        let inner = Arc::clone(&self.inner);
        let call = move || {
            let inner = Arc::clone(&inner);
            async move { inner.customers_page(offset, limit).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "crm.customers_page",
            Kind::Read,
            call,
        )
        .await
    }

    async fn customer(&self, customer_id: u64) -> Result<Customer, PortError> {
        let inner = Arc::clone(&self.inner);
        let call = move || {
            let inner = Arc::clone(&inner);
            async move { inner.customer(customer_id).await }
        };
        counted(&self.counts, &self.limit, "crm.customer", Kind::Read, call).await
    }

    async fn create_customers(
        &self,
        inputs: &[CustomerInput],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        let inner = Arc::clone(&self.inner);
        let inputs = inputs.to_vec();
        let call = move || {
            let inner = Arc::clone(&inner);
            let inputs = inputs.clone();
            async move { inner.create_customers(&inputs).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "crm.create_customers",
            Kind::Write,
            call,
        )
        .await
    }

    async fn update_customers(
        &self,
        updates: &[CustomerUpdate],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        let inner = Arc::clone(&self.inner);
        let updates = updates.to_vec();
        let call = move || {
            let inner = Arc::clone(&inner);
            let updates = updates.clone();
            async move { inner.update_customers(&updates).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "crm.update_customers",
            Kind::Write,
            call,
        )
        .await
    }

    async fn create_customer(&self, input: &CustomerInput) -> Result<u64, PortError> {
        let inner = Arc::clone(&self.inner);
        let input = input.clone();
        let call = move || {
            let inner = Arc::clone(&inner);
            let input = input.clone();
            async move { inner.create_customer(&input).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "crm.create_customer",
            Kind::Write,
            call,
        )
        .await
    }

    async fn update_customer(&self, update: &CustomerUpdate) -> Result<(), PortError> {
        let inner = Arc::clone(&self.inner);
        let update = update.clone();
        let call = move || {
            let inner = Arc::clone(&inner);
            let update = update.clone();
            async move { inner.update_customer(&update).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "crm.update_customer",
            Kind::Write,
            call,
        )
        .await
    }

    async fn field_groups(&self) -> Result<Vec<FieldGroup>, PortError> {
        let inner = Arc::clone(&self.inner);
        let call = move || {
            let inner = Arc::clone(&inner);
            async move { inner.field_groups().await }
        };
        counted(
            &self.counts,
            &self.limit,
            "crm.field_groups",
            Kind::Read,
            call,
        )
        .await
    }

    async fn field_group_items(
        &self,
        group_id: u64,
        customer_id: u64,
    ) -> Result<Vec<FieldGroupItem>, PortError> {
        let inner = Arc::clone(&self.inner);
        let call = move || {
            let inner = Arc::clone(&inner);
            async move { inner.field_group_items(group_id, customer_id).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "crm.field_group_items",
            Kind::Read,
            call,
        )
        .await
    }

    async fn create_field_group_item(&self, item: &FieldGroupItemInput) -> Result<u64, PortError> {
        let inner = Arc::clone(&self.inner);
        let item = item.clone();
        let call = move || {
            let inner = Arc::clone(&inner);
            let item = item.clone();
            async move { inner.create_field_group_item(&item).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "crm.create_field_group_item",
            Kind::Write,
            call,
        )
        .await
    }

    async fn update_field_group_item(
        &self,
        item_id: u64,
        values: &[FieldValue],
    ) -> Result<(), PortError> {
        let inner = Arc::clone(&self.inner);
        let values = values.to_vec();
        let call = move || {
            let inner = Arc::clone(&inner);
            let values = values.clone();
            async move { inner.update_field_group_item(item_id, &values).await }
        };
        counted(
            &self.counts,
            &self.limit,
            "crm.update_field_group_item",
            Kind::Write,
            call,
        )
        .await
    }
}
