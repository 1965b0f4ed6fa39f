//! The full sync over in-memory ports: results, request counts, retries, resume.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod engine_fakes;

use std::sync::Arc;

use engine_fakes::{FakeCrm, FakeShop, client, day, order};
use sync_core::config::{IntegrationConfig, MatchingConfig};
use sync_core::engine::clock::ManualClock;
use sync_core::engine::store::{CursorKind, MemoryStore, StateStore};
use sync_core::engine::{Engine, Progress, SyncError};
use thulium_client::{CustomFields, Customer};
use url::Url;

const CUSTOMERS: u64 = 250;

fn config(matching: bool) -> IntegrationConfig {
    let mut config =
        IntegrationConfig::new("shop-a", Url::parse("https://sklep.example.pl").unwrap());
    config.matching = MatchingConfig {
        by_email: matching,
        by_phone: matching,
    };
    config
}

fn shop() -> FakeShop {
    let clients = (1..=CUSTOMERS).map(client).collect();
    // Every third customer has two orders, one placed later than the other.
    let orders = (1..=CUSTOMERS)
        .filter(|id| id % 3 == 0)
        .flat_map(|id| [order(id * 10, id, day(1)), order(id * 10 + 1, id, day(5))])
        .collect();
    FakeShop::with(clients, orders)
}

struct World {
    shop: Arc<FakeShop>,
    crm: Arc<FakeCrm>,
    store: Arc<MemoryStore>,
    clock: ManualClock,
    config: IntegrationConfig,
}

impl World {
    fn new(config: IntegrationConfig) -> Self {
        let crm = Arc::new(FakeCrm::new(&config.fields.shop_id));
        Self {
            shop: Arc::new(shop()),
            crm,
            store: Arc::new(MemoryStore::new()),
            clock: ManualClock::new(day(10)),
            config,
        }
    }

    fn engine(&self) -> Engine {
        Engine::new(
            self.config.clone(),
            self.shop.clone(),
            self.crm.clone(),
            self.store.clone(),
            Arc::new(self.clock.clone()),
        )
    }

    fn reset_calls(&self) {
        self.shop.calls.reset();
        self.crm.calls.reset();
    }

    /// Every shop customer is held by exactly one Thulium customer, and the store links it.
    async fn assert_each_customer_once(&self) {
        let ids: Vec<u64> = (1..=CUSTOMERS).collect();
        let links = self.store.links_for("shop-a", &ids).await.unwrap();
        for id in ids {
            let holders = self.crm.holding(id);
            assert_eq!(holders.len(), 1, "shop client {id} held by {holders:?}");
            assert_eq!(
                links.get(&id),
                Some(&holders[0].customer_id),
                "link of {id}"
            );
        }
        assert_eq!(self.crm.customers.lock().unwrap().len() as u64, CUSTOMERS);
    }
}

fn no_progress(_: &Progress) {}

#[tokio::test]
async fn first_full_sync_creates_everyone_with_page_bounded_requests() {
    let world = World::new(config(false));
    let progress = std::sync::Mutex::new(Vec::new());
    let report = world
        .engine()
        .full_sync(&|p: &Progress| progress.lock().unwrap().push(*p))
        .await
        .unwrap();

    assert_eq!(report.created, CUSTOMERS);
    assert_eq!((report.updated, report.skipped), (0, 0));
    assert!(report.failed.is_empty() && report.conflicts.is_empty());
    assert_eq!((report.pages, report.customers_seen), (3, CUSTOMERS));
    world.assert_each_customer_once().await;

    // 3 pages of 100: one customers page, one orders search, one ID search per page;
    // creates in chunks of 50 → 2 + 2 + 1.
    assert_eq!(world.shop.calls.get("shop.customers_page"), 3);
    assert_eq!(world.shop.calls.get("shop.search_orders"), 3);
    assert_eq!(world.crm.calls.get("crm.find_by_field_values"), 3);
    assert_eq!(world.crm.calls.get("crm.create_customers"), 5);
    assert_eq!(world.crm.calls.total(), 8);

    // The last-order date comes from the orders fetched per page.
    let holder = &world.crm.holding(9)[0];
    let field = &world.config.fields.last_order_date;
    assert_eq!(
        holder.custom_fields.date(field),
        Some(day(5).date()),
        "{:?}",
        holder.custom_fields
    );

    let seen = progress.lock().unwrap().clone();
    let done: Vec<u64> = seen.iter().map(|p| p.customers_done).collect();
    assert_eq!(done, vec![100, 200, 250]);
    assert!(
        seen.iter()
            .all(|p| p.customers_total == CUSTOMERS && p.page_count == 3)
    );

    // Finished: no checkpoint, cursors at the start of the run.
    assert_eq!(world.store.checkpoint("shop-a").await.unwrap(), None);
    for kind in [CursorKind::Customers, CursorKind::Orders] {
        assert_eq!(
            world.store.cursor("shop-a", kind).await.unwrap(),
            Some(day(10))
        );
    }
}

#[tokio::test]
async fn second_full_sync_writes_nothing_and_searches_nothing() {
    let world = World::new(config(false));
    world.engine().full_sync(&no_progress).await.unwrap();
    world.reset_calls();

    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!(report.skipped, CUSTOMERS);
    assert_eq!((report.created, report.updated), (0, 0));
    assert_eq!(
        world.crm.calls.total(),
        0,
        "linked, unchanged customers need no Thulium call"
    );
    assert_eq!(world.shop.calls.get("shop.customers_page"), 3);
    world.assert_each_customer_once().await;
}

#[tokio::test]
async fn changed_customer_is_updated_in_place() {
    let world = World::new(config(false));
    world.engine().full_sync(&no_progress).await.unwrap();
    world.shop.clients.lock().unwrap()[41].billing.city = Some("Kraków".into());
    world.reset_calls();

    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!((report.updated, report.skipped), (1, CUSTOMERS - 1));
    assert_eq!(world.crm.calls.get("crm.find_by_field_values"), 1);
    assert_eq!(world.crm.calls.get("crm.update_customers"), 1);
    assert_eq!(world.crm.calls.get("crm.create_customers"), 0);
    world.assert_each_customer_once().await;
}

#[tokio::test]
async fn batch_item_failures_are_retried_singly_and_persistent_ones_kept_for_next_run() {
    let world = World::new(config(false));
    world.crm.fail_in_batch.lock().unwrap().extend([7, 120]);
    world.crm.reject.lock().unwrap().insert(42);

    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!(report.created, CUSTOMERS - 1);
    assert_eq!(report.single_retries, 3);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].client_id, 42);
    assert!(
        report.failed[0].reason.contains("422"),
        "{}",
        report.failed[0].reason
    );
    // Before retrying a failed create, the engine checked it had not been created after all.
    assert_eq!(world.crm.calls.get("crm.find_by_field_values"), 3 + 2);
    assert_eq!(world.crm.calls.get("crm.create_customer"), 3);
    let failed = world.store.failed_customers("shop-a").await.unwrap();
    assert_eq!((failed[0].client_id, failed[0].attempts), (42, 1));
    assert_eq!(world.crm.holding(42).len(), 0);

    // Fixed in Thulium: the next run writes it and forgets the failure.
    world.crm.reject.lock().unwrap().clear();
    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!((report.created, report.skipped), (1, CUSTOMERS - 1));
    assert!(
        world
            .store
            .failed_customers("shop-a")
            .await
            .unwrap()
            .is_empty()
    );
    world.assert_each_customer_once().await;
}

#[tokio::test]
async fn interrupted_full_sync_resumes_from_its_checkpoint() {
    let world = World::new(config(false));
    world.shop.fail_pages.lock().unwrap().insert(2);
    let error = world.engine().full_sync(&no_progress).await.unwrap_err();
    assert!(matches!(error, SyncError::Shop(_)), "{error:?}");
    let checkpoint = world.store.checkpoint("shop-a").await.unwrap().unwrap();
    assert_eq!((checkpoint.next_page, checkpoint.customers_done), (2, 200));
    assert_eq!(world.crm.customers.lock().unwrap().len(), 200);

    world.clock.set(day(11));
    world.reset_calls();
    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!(report.resumed_from_page, Some(2));
    assert_eq!((report.created, report.pages), (50, 1));
    assert_eq!(world.shop.calls.get("shop.customers_page"), 1);
    world.assert_each_customer_once().await;
    // The catch-up cursor is the start of the interrupted run, not of the resume.
    assert_eq!(
        world
            .store
            .cursor("shop-a", CursorKind::Customers)
            .await
            .unwrap(),
        Some(day(10))
    );
}

#[tokio::test]
async fn unlinked_customer_is_matched_by_email_instead_of_duplicated() {
    let world = World::new(config(true));
    world.crm.insert(Customer {
        customer_id: 7,
        surname: Some("Kowalski".into()),
        email: Some("klient5@example.pl".into()),
        custom_fields: CustomFields::default(),
        ..Customer::default()
    });
    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!((report.created, report.updated), (CUSTOMERS - 1, 1));
    assert_eq!(world.crm.holding(5)[0].customer_id, 7);
    assert_eq!(world.store.link("shop-a", 5).await.unwrap(), Some(7));
    world.assert_each_customer_once().await;
}

#[tokio::test]
async fn disabled_integration_does_nothing_and_says_so() {
    let mut config = config(false);
    config.enabled = false;
    let world = World::new(config);
    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert!(report.disabled);
    assert!(report.to_string().contains("disabled"));
    assert_eq!(world.shop.calls.total() + world.crm.calls.total(), 0);
}
