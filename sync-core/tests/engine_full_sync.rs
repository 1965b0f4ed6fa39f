//! The full sync over in-memory ports: results, request counts, retries, resume.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod engine_fakes;

use std::sync::Arc;

use engine_fakes::{FakeCrm, FakeShop, client, day, order};
use iai_shop_client::webhook::{WebhookEventKind, WebhookTrigger};
use sync_core::config::{IntegrationConfig, MatchingConfig};
use sync_core::engine::clock::{Clock, ManualClock};
use sync_core::engine::report::LookupStrategy;
use sync_core::engine::store::{CursorKind, MemoryStore, StateStore};
use sync_core::engine::{Engine, EngineOptions, Progress, SyncError, SyncReport};
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
        self.engine_with(EngineOptions::default())
    }

    fn engine_with(&self, options: EngineOptions) -> Engine {
        Engine::builder(
            self.config.clone(),
            self.shop.clone(),
            self.crm.clone(),
            self.store.clone(),
            Arc::new(self.clock.clone()),
        )
        .options(options)
        .build()
    }

    /// The report's request counts are exactly what the fakes saw.
    fn assert_report_counts(&self, report: &SyncReport) {
        let mut seen = self.shop.calls.all();
        seen.extend(self.crm.calls.all());
        assert_eq!(report.requests, seen);
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

    // 3 pages of 100: one customers page and one orders search per page, plus one of each
    // for the closing incremental pass (idle here). The tenant was empty: its first
    // 1000-item page told so and serves as the index, so no ID search is needed at all;
    // creates in chunks of 50 → 2 + 2 + 1.
    assert_eq!(report.lookup, Some(LookupStrategy::TenantIndex));
    assert_eq!(world.shop.calls.get("shop.customers_page"), 3 + 1);
    assert_eq!(world.shop.calls.get("shop.search_orders"), 3 + 1);
    assert_eq!(world.crm.calls.get("crm.customers_page"), 1);
    assert_eq!(world.crm.calls.get("crm.find_by_field_values"), 0);
    assert_eq!(world.crm.calls.get("crm.create_customers"), 5);
    assert_eq!(world.crm.calls.total(), 6);
    world.assert_report_counts(&report);
    assert_eq!(report.requests_to("shop"), 8);
    assert_eq!(report.total_requests(), 14);

    // The last-order date comes from the orders fetched per page.
    let holder = &world.crm.holding(9)[0];
    let field = &world.config.fields.last_order_date;
    assert_eq!(
        holder.custom_fields.date(field),
        Some(day(5).date()),
        "{:?}",
        holder.custom_fields
    );

    // One report per page, in the order the pages finished (the short last page may finish
    // before a full one), each counting every customer finished so far.
    let seen = progress.lock().unwrap().clone();
    let mut pages: Vec<u32> = seen.iter().map(|p| p.page).collect();
    pages.sort_unstable();
    assert_eq!(pages, vec![0, 1, 2]);
    let done: Vec<u64> = seen.iter().map(|p| p.customers_done).collect();
    let page_size = |page: u32| if page == 2 { 50 } else { 100 };
    let expected: Vec<u64> = seen
        .iter()
        .scan(0, |sum, p| {
            *sum += page_size(p.page);
            Some(*sum)
        })
        .collect();
    assert_eq!(done, expected);
    assert_eq!(done.last(), Some(&CUSTOMERS));
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
    assert_eq!(report.lookup, Some(LookupStrategy::SearchPerPage));
    assert_eq!(world.shop.calls.get("shop.customers_page"), 3 + 1);
    assert_eq!(world.shop.calls.get("shop.search_orders"), 3 + 1);
    world.assert_report_counts(&report);
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
    // Before retrying a failed create, the engine checked it had not been created after all
    // (one ID search per chunk with failures: 7 and 42 share one, 120 has its own).
    assert_eq!(world.crm.calls.get("crm.find_by_field_values"), 2);
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
async fn failure_reasons_carry_no_customer_data() {
    // Thulium's item messages echo the values sent; the reason keeps status and codes only.
    let world = World::new(config(false));
    world.crm.reject.lock().unwrap().insert(42);
    let email = client(42).email.unwrap();

    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!(report.failed.len(), 1);
    let reason = &report.failed[0].reason;
    assert!(reason.contains("422"), "{reason}");
    assert!(!reason.contains(&email), "{reason}");
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains(&email), "{json}");
    let stored = world.store.failed_customers("shop-a").await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].reason.contains(&email), "{}", stored[0].reason);
}

#[tokio::test]
async fn a_shop_record_without_client_id_is_a_failure_not_a_customer_with_id_0() {
    let world = World::new(config(false));
    // Client 42's record as the shop would send it without `clientId` (the fake shop
    // rejects it, as the client does).
    let email = client(42).email.unwrap();
    world.shop.clients.lock().unwrap()[41].client_id = 0;

    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!(report.created, CUSTOMERS - 1);
    assert_eq!(report.customers_seen, CUSTOMERS);
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    assert_eq!(report.failed[0].client_id, 0);
    let reason = &report.failed[0].reason;
    assert!(
        reason.starts_with("shop record could not be decoded at `results["),
        "{reason}"
    );
    assert!(!serde_json::to_string(&report).unwrap().contains(&email));
    // Nothing in Thulium carries shop ID 0, and client 42's data went nowhere.
    assert!(world.crm.holding(0).is_empty());
    assert!(world.crm.holding(42).is_empty());
    let customers = world.crm.customers.lock().unwrap().len() as u64;
    assert_eq!(customers, CUSTOMERS - 1);
    // Not stored: there is no id to retry it by.
    let failed = world.store.failed_customers("shop-a").await.unwrap();
    assert!(failed.is_empty(), "{failed:?}");
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
    // Page 2, then the closing pass's window.
    assert_eq!(world.shop.calls.get("shop.customers_page"), 1 + 1);
    world.assert_each_customer_once().await;
    // The closing pass starts at the start of the interrupted run (less the lookback), not
    // of the resume, and leaves the cursors at its end.
    let window = report.customers_window.unwrap();
    assert_eq!(
        window.begin,
        day(10) - EngineOptions::default().lookback,
        "{window:?}"
    );
    assert_eq!(window.end, day(11));
    assert_eq!(
        world
            .store
            .cursor("shop-a", CursorKind::Customers)
            .await
            .unwrap(),
        Some(day(11))
    );
}

#[tokio::test]
async fn checkpoint_never_passes_a_page_that_failed_while_later_pages_finished() {
    let world = World::new(config(false));
    world
        .shop
        .calls
        .set_latency(std::time::Duration::from_millis(2));
    world
        .crm
        .calls
        .set_latency(std::time::Duration::from_millis(2));
    world.shop.fail_pages.lock().unwrap().insert(1);
    let engine = world.engine_with(EngineOptions {
        concurrency: 4,
        ..EngineOptions::default()
    });
    engine.full_sync(&no_progress).await.unwrap_err();
    let checkpoint = world.store.checkpoint("shop-a").await.unwrap().unwrap();
    assert_eq!(
        checkpoint.next_page, 1,
        "page 1 failed: the checkpoint stays before it"
    );

    let report = engine.full_sync(&no_progress).await.unwrap();
    assert_eq!(report.resumed_from_page, Some(1));
    // Page 2 may already have been written by the failed run: then it is found (linked)
    // and skipped, never created twice.
    assert_eq!(report.created + report.skipped, 150);
    world.assert_each_customer_once().await;
}

#[tokio::test]
async fn pages_reads_and_writes_overlap_within_the_concurrency_bound() {
    for concurrency in [1, 4] {
        let world = World::new(config(false));
        world
            .shop
            .calls
            .set_latency(std::time::Duration::from_millis(3));
        world
            .crm
            .calls
            .set_latency(std::time::Duration::from_millis(3));
        let engine = world.engine_with(EngineOptions {
            concurrency,
            write_chunk: 20,
            ..EngineOptions::default()
        });
        let report = engine.full_sync(&no_progress).await.unwrap();
        assert_eq!(report.created, CUSTOMERS);
        world.assert_each_customer_once().await;
        let (shop, crm) = (
            world.shop.calls.max_in_flight(),
            world.crm.calls.max_in_flight(),
        );
        assert!(
            shop <= concurrency as u64 && crm <= concurrency as u64,
            "{shop} {crm}"
        );
        if concurrency > 1 {
            assert!(shop > 1 && crm > 1, "no overlap: shop {shop}, crm {crm}");
        }
    }
}

#[tokio::test]
async fn the_pipeline_fills_every_request_slot_without_adding_requests() {
    // Small orders pages give each shop page several orders pages to read after the first:
    // with 4 pages at once and those read concurrently, the shop sees exactly `concurrency`
    // requests in flight, and the same requests as one at a time.
    let mut totals = Vec::new();
    for concurrency in [1, 4] {
        let world = World::new(config(false));
        for calls in [&world.shop.calls, &world.crm.calls] {
            calls.set_latency(std::time::Duration::from_millis(3));
        }
        let engine = world.engine_with(EngineOptions {
            concurrency,
            orders_page_size: 10,
            write_chunk: 20,
            ..EngineOptions::default()
        });
        let report = engine.full_sync(&no_progress).await.unwrap();
        assert_eq!(report.created, CUSTOMERS);
        world.assert_each_customer_once().await;
        world.assert_report_counts(&report);
        assert_eq!(world.shop.calls.max_in_flight(), concurrency as u64);
        assert!(world.crm.calls.max_in_flight() <= concurrency as u64);
        totals.push(report.requests.clone());
    }
    assert_eq!(
        totals[0], totals[1],
        "concurrency changed the requests made"
    );
}

#[tokio::test]
async fn a_change_made_during_the_run_is_caught_by_the_closing_pass() {
    let world = World::new(config(false));
    // After page 2 is read, client 5 (on page 0, already written) changes its surname.
    let at = world.clock.clone();
    *world.shop.after_page.lock().unwrap() = Some((
        2,
        Box::new(move |clients| {
            let client = clients.iter_mut().find(|c| c.client_id == 5).unwrap();
            client.billing.last_name = Some("Nowak".into());
            client.last_modified = Some(at.now());
        }),
    ));
    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!((report.created, report.updated), (CUSTOMERS, 1));
    assert_eq!(world.crm.holding(5)[0].surname.as_deref(), Some("Nowak"));
    world.assert_each_customer_once().await;
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
    assert_eq!(
        (report.created, report.updated, report.adopted),
        (CUSTOMERS - 1, 0, 1)
    );
    // It waited for the end of the pages, where the contact went to its only candidate.
    assert_eq!(
        (report.adoptions_deferred, report.adoptions_decided),
        (1, 1 + report.creates_deferred)
    );
    // The creates beyond the pages' last full batches waited too: every batch is full but
    // the very last.
    let batches = world.crm.calls.get("crm.create_customers");
    assert_eq!(batches, report.created.div_ceil(50));
    assert_eq!(world.crm.holding(5)[0].customer_id, 7);
    // The tenant index answered the e-mail lookups: not one search per customer.
    assert_eq!(report.lookup, Some(LookupStrategy::TenantIndex));
    assert_eq!(world.crm.calls.get("crm.find_by_email"), 0);
    assert_eq!(world.crm.calls.get("crm.find_by_phone"), 0);
    assert_eq!(world.store.link("shop-a", 5).await.unwrap(), Some(7));
    world.assert_each_customer_once().await;
}

/// Pages of 30 with batches of 50: no page fills a batch on its own.
fn small_pages(concurrency: usize) -> EngineOptions {
    EngineOptions {
        shop_page_size: 30,
        write_chunk: 50,
        concurrency,
        ..EngineOptions::default()
    }
}

#[tokio::test]
async fn a_pages_leftover_creates_are_written_by_the_next_pages_in_full_batches() {
    let world = World::new(config(false));
    let in_thulium_per_page = std::sync::Mutex::new(Vec::new());
    let on_page = |progress: &Progress| {
        let held = world.crm.tenant().len() as u64;
        in_thulium_per_page
            .lock()
            .unwrap()
            .push((progress.customers_done, held));
    };
    let report = world
        .engine_with(small_pages(1))
        .full_sync(&on_page)
        .await
        .unwrap();
    assert_eq!(report.created, CUSTOMERS);
    // Every batch full but the last: 250 customers in 5 creates.
    assert_eq!(world.crm.calls.get("crm.create_customers"), 5);
    // Pages of 30 leave 30, 10, 40, 20, 0, 30, 10, 40 and 0 waiting: what earlier pages
    // carried (30 + 40 + 20 + 30 + 40) was written by later ones, nothing waited to the end.
    assert_eq!((report.creates_carried, report.creates_deferred), (160, 0));
    assert_eq!(report.adoptions_decided, 0);
    // Customers reach Thulium while the pages go on: after each page, all but the last
    // partial batch's.
    let seen = in_thulium_per_page.lock().unwrap().clone();
    let expected: Vec<(u64, u64)> = (1..=CUSTOMERS.div_ceil(30))
        .map(|page| {
            let done = (page * 30).min(CUSTOMERS);
            (done, done / 50 * 50)
        })
        .collect();
    assert_eq!(seen, expected);
    world.assert_each_customer_once().await;
    assert!(
        world
            .store
            .waiting_ranks("shop-a")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_carried_create_that_a_webhook_wrote_meanwhile_is_not_written_again() {
    let world = World::new(config(false));
    let engine = Arc::new(world.engine_with(small_pages(1)));
    let webhook_engine = Arc::clone(&engine);
    // After the first page (clients 1..=30 carried, none written yet), a webhook for client
    // 5 is handled to the end before the second page writes.
    let on_page = move |progress: &Progress| {
        if progress.page != 0 {
            return;
        }
        let engine = Arc::clone(&webhook_engine);
        let trigger = WebhookTrigger {
            kind: WebhookEventKind::ClientUpdated,
            client_id: Some(5),
            ..WebhookTrigger::default()
        };
        let handled = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(engine.handle_trigger(trigger))
        })
        .join()
        .unwrap()
        .unwrap();
        assert_eq!(handled.created, 1);
    };
    let report = engine.full_sync(&on_page).await.unwrap();
    assert_eq!(report.created, CUSTOMERS - 1);
    // The second page wrote the 29 others it carried; then 39, 49 and 29 more were carried.
    assert_eq!(report.creates_carried, 29 + 39 + 49 + 29);
    world.assert_each_customer_once().await;
}

#[tokio::test]
async fn carried_creates_fill_batches_at_any_concurrency_and_nobody_is_written_twice() {
    for concurrency in [2, 8] {
        let world = World::new(config(false));
        let report = world
            .engine_with(small_pages(concurrency))
            .full_sync(&no_progress)
            .await
            .unwrap();
        assert_eq!(report.created, CUSTOMERS, "concurrency {concurrency}");
        // Pages write full batches only, and what waited is written at the end in full
        // batches but the last: 5 batches whatever the order the pages finished in.
        assert_eq!(
            world.crm.calls.get("crm.create_customers"),
            5,
            "concurrency {concurrency}"
        );
        assert!(report.creates_carried > 0, "concurrency {concurrency}");
        assert!(
            report.creates_deferred < 50 * concurrency as u64,
            "{} deferred at concurrency {concurrency}",
            report.creates_deferred
        );
        world.assert_each_customer_once().await;
    }
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

#[tokio::test]
async fn a_tenant_much_larger_than_the_shop_is_searched_per_page_not_read_whole() {
    let world = World::new(config(false));
    // 3,500 contacts unrelated to the shop: reading them costs 4 requests, searching 3.
    for id in 0..3500 {
        world.crm.insert(Customer {
            customer_id: 100_000 + id,
            ..Customer::default()
        });
    }
    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!(report.lookup, Some(LookupStrategy::SearchPerPage));
    assert_eq!(report.created, CUSTOMERS);
    // The probe (the first 1000-item page) told the size; then one ID search per page.
    assert_eq!(world.crm.calls.get("crm.customers_page"), 1);
    assert_eq!(world.crm.calls.get("crm.find_by_field_values"), 3);
    assert_eq!(world.crm.calls.get("crm.create_customers"), 5);
    world.assert_report_counts(&report);
}

#[tokio::test]
async fn report_prints_as_a_table_and_as_json() {
    let world = World::new(config(false));
    let report = world.engine().full_sync(&no_progress).await.unwrap();
    let table = report.to_string();
    assert!(
        table.contains("created") && table.contains("250"),
        "{table}"
    );
    assert!(table.contains("crm.create_customers"), "{table}");
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["created"], 250);
    assert_eq!(json["kind"], "full_sync");
    assert_eq!(json["requests"]["crm.create_customers"], 5);
    assert_eq!(json["lookup"], "tenant_index");
}

/// Every write call the CRM fake saw.
fn crm_writes(world: &World) -> u64 {
    [
        "crm.create_customers",
        "crm.update_customers",
        "crm.create_customer",
        "crm.update_customer",
        "crm.create_field_group_item",
        "crm.update_field_group_item",
    ]
    .iter()
    .map(|m| world.crm.calls.get(m))
    .sum()
}

#[tokio::test]
async fn a_dry_run_writes_nothing_and_plans_what_the_real_run_then_does() {
    let world = World::new(config(false));
    // Ten shop customers already sit in Thulium (typed in by an agent, with the ID field).
    for id in 1..=10u64 {
        let fields = [(world.config.fields.shop_id.clone(), serde_json::json!(id))];
        world.crm.insert(Customer {
            customer_id: 50_000 + id,
            custom_fields: CustomFields::from_map(fields.into_iter().collect()),
            ..Customer::default()
        });
    }
    let engine = world.engine();
    let pages = std::sync::Mutex::new(0);
    let plan = engine
        .plan_full_sync(&|_: &Progress| *pages.lock().unwrap() += 1)
        .await
        .unwrap();
    let counts = plan.counts();
    assert_eq!((counts.create, counts.update, counts.skip), (240, 10, 0));
    assert_eq!(plan.customers.len() as u64, CUSTOMERS);
    assert_eq!(*pages.lock().unwrap(), 3, "progress per page");
    assert_eq!(crm_writes(&world), 0);
    assert_eq!(world.crm.customers.lock().unwrap().len(), 10);
    let ids: Vec<u64> = (1..=CUSTOMERS).collect();
    assert!(
        world
            .store
            .links_for("shop-a", &ids)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(world.store.checkpoint("shop-a").await.unwrap(), None);
    // The same reads as the full sync: its pages, orders searches and tenant read.
    assert_eq!(world.shop.calls.get("shop.customers_page"), 3);
    assert_eq!(world.shop.calls.get("shop.search_orders"), 3);
    assert_eq!(world.crm.calls.get("crm.customers_page"), 1);

    let report = engine.full_sync(&no_progress).await.unwrap();
    assert_eq!(
        (report.created, report.updated, report.skipped),
        (
            counts.create as u64,
            counts.update as u64,
            counts.skip as u64
        )
    );
    world.assert_each_customer_once().await;

    // Later: one customer changed. The dry run and the run agree again.
    world.shop.clients.lock().unwrap()[41].billing.city = Some("Kraków".into());
    world.reset_calls();
    let counts = engine.plan_full_sync(&no_progress).await.unwrap().counts();
    assert_eq!((counts.create, counts.update, counts.skip), (0, 1, 249));
    assert_eq!(crm_writes(&world), 0);
    let report = engine.full_sync(&no_progress).await.unwrap();
    assert_eq!(
        (report.created, report.updated, report.skipped),
        (0, 1, 249)
    );
}
