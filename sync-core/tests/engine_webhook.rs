//! Webhook triggers over in-memory ports: re-read and sync one customer, cursor untouched,
//! duplicates and bursts coalesced, no duplicate Thulium customer under concurrency.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod engine_fakes;

use std::time::Duration;

use chrono::TimeDelta;
use engine_fakes::{World, counts, day, no_progress, order, shop_config};
use iai_shop_client::webhook::{WebhookEventKind, WebhookTrigger};
use sync_core::engine::store::{CursorKind, StateStore};

const N: u64 = 120;

fn client_updated(id: u64) -> WebhookTrigger {
    WebhookTrigger {
        kind: WebhookEventKind::ClientUpdated,
        client_id: Some(id),
        order_id: None,
        order_serial_number: None,
        ..WebhookTrigger::default()
    }
}

fn order_event(serial: u64) -> WebhookTrigger {
    WebhookTrigger {
        kind: WebhookEventKind::OrderStatusChanged,
        client_id: None,
        order_id: None,
        order_serial_number: Some(serial),
        ..WebhookTrigger::default()
    }
}

async fn synced_world() -> World {
    World::synced(shop_config("shop-a"), N).await
}

#[tokio::test]
async fn client_webhook_updates_that_customer_and_leaves_the_cursor() {
    let world = synced_world().await;
    world.edit_client(7, |c| c.billing.last_name = Some("Nowak".into()));
    let report = world
        .engine()
        .handle_trigger(client_updated(7))
        .await
        .unwrap();
    assert_eq!(
        (report.events, report.updated, report.customers_seen),
        (1, 1, 1)
    );
    assert_eq!(world.crm.holding(7)[0].surname.as_deref(), Some("Nowak"));
    let expected = counts(&[
        ("shop.customers_by_ids", 1),
        ("shop.search_orders", 1),
        ("crm.find_by_field_values", 1),
        ("crm.update_customers", 1),
    ]);
    assert_eq!(world.calls(), expected);
    assert_eq!(report.requests, expected);
    for kind in [CursorKind::Customers, CursorKind::Orders] {
        let cursor = world.store.cursor("shop-a", kind).await.unwrap();
        assert_eq!(cursor, Some(day(10)), "webhooks do not move the cursor");
    }
}

#[tokio::test]
async fn the_same_webhook_twice_is_written_once() {
    let world = synced_world().await;
    world.edit_client(7, |c| c.billing.last_name = Some("Nowak".into()));
    let engine = world.engine();
    engine.handle_trigger(client_updated(7)).await.unwrap();
    world.reset_calls();

    // A redelivery right after: dropped without a request.
    let report = engine.handle_trigger(client_updated(7)).await.unwrap();
    assert_eq!((report.events, report.events_ignored), (0, 1));
    assert_eq!(world.calls(), counts(&[]));

    // A redelivery after the de-dup time: re-read, but the unchanged customer is not written.
    world.clock.advance(TimeDelta::minutes(1));
    let report = engine.handle_trigger(client_updated(7)).await.unwrap();
    assert_eq!((report.events, report.skipped, report.updated), (1, 1, 0));
    assert_eq!(world.crm.calls.total(), 0);
    world.assert_held_once(1..=N);
}

#[tokio::test]
async fn a_redelivery_after_a_failed_write_is_handled_not_dropped() {
    let world = synced_world().await;
    world.edit_client(7, |c| c.billing.last_name = Some("Nowak".into()));
    world.crm.reject.lock().unwrap().insert(7);
    let engine = world.engine();
    let report = engine.handle_trigger(client_updated(7)).await.unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");

    // Thulium accepts it again; the shop redelivers within the de-dup time.
    world.crm.reject.lock().unwrap().clear();
    let report = engine.handle_trigger(client_updated(7)).await.unwrap();
    assert_eq!((report.events, report.events_ignored), (1, 0));
    assert_eq!((report.updated, report.failed.len()), (1, 0));
    assert_eq!(world.crm.holding(7)[0].surname.as_deref(), Some("Nowak"));

    // Now it synced: the next redelivery is a duplicate.
    let report = engine.handle_trigger(client_updated(7)).await.unwrap();
    assert_eq!((report.events, report.events_ignored), (0, 1));
}

#[tokio::test]
async fn a_redelivery_after_a_failed_run_is_handled_not_dropped() {
    let world = synced_world().await;
    world
        .shop
        .orders
        .lock()
        .unwrap()
        .push(order(9999, 7, day(9)));
    *world.shop.fail_orders_search.lock().unwrap() = true;
    let engine = world.engine();
    assert!(engine.handle_trigger(order_event(9999)).await.is_err());

    let report = engine.handle_trigger(order_event(9999)).await.unwrap();
    assert_eq!((report.events, report.events_ignored), (1, 0));
    assert_eq!(report.updated, 1, "{report:?}");
}

#[tokio::test]
async fn only_the_failed_customers_events_are_forgotten() {
    let world = synced_world().await;
    for id in [7, 8] {
        world.edit_client(id, |c| c.billing.last_name = Some("Nowak".into()));
    }
    world.crm.reject.lock().unwrap().insert(7);
    let engine = world.engine();
    let report = engine
        .handle_triggers(vec![client_updated(7), client_updated(8)])
        .await
        .unwrap();
    assert_eq!((report.updated, report.failed.len()), (1, 1));

    let report = engine
        .handle_triggers(vec![client_updated(7), client_updated(8)])
        .await
        .unwrap();
    assert_eq!((report.events, report.events_ignored), (1, 1));
}

#[tokio::test]
async fn order_webhook_reads_the_order_and_syncs_its_client() {
    let world = synced_world().await;
    world
        .shop
        .orders
        .lock()
        .unwrap()
        .push(order(77_777, 8, day(10)));
    let report = world
        .engine()
        .handle_trigger(order_event(77_777))
        .await
        .unwrap();
    assert_eq!(report.updated, 1);
    let last_order = world.crm.holding(8)[0]
        .custom_fields
        .date(&world.config.fields.last_order_date);
    assert_eq!(last_order, Some(day(10).date()));
    assert_eq!(world.shop.calls.get("shop.orders_by_serial_numbers"), 1);
    assert_eq!(world.shop.calls.get("shop.customers_by_ids"), 1);
}

#[tokio::test]
async fn a_burst_of_events_is_one_re_read_and_one_sync() {
    let world = synced_world().await;
    for id in [3, 4, 5] {
        world.edit_client(id, |c| c.billing.last_name = Some(format!("Zmiana{id}")));
    }
    // 30 events about 3 customers (client events and order events of customer 3).
    let burst: Vec<WebhookTrigger> = (0..30)
        .map(|i| match i % 3 {
            0 => client_updated(3 + (i / 3) % 3),
            1 => order_event(30),
            _ => WebhookTrigger {
                kind: WebhookEventKind::Other(format!("custom{i}")),
                ..client_updated(4)
            },
        })
        .collect();
    let report = world.engine().handle_triggers(burst).await.unwrap();
    assert_eq!(report.updated, 3);
    assert_eq!(report.events + report.events_ignored, 30);
    assert_eq!(
        world.calls(),
        counts(&[
            ("shop.orders_by_serial_numbers", 1),
            ("shop.customers_by_ids", 1),
            ("shop.search_orders", 1),
            ("crm.find_by_field_values", 1),
            ("crm.update_customers", 1),
        ])
    );
}

#[tokio::test]
async fn concurrent_triggers_for_a_new_customer_create_it_once() {
    let world = World::new(shop_config("shop-a"), 3);
    world.shop.calls.set_latency(Duration::from_millis(2));
    world.crm.calls.set_latency(Duration::from_millis(2));
    let engine = world.engine();
    // A client event and an order event for the same new customer, at the same time, and
    // the poller reading it too.
    let (a, b, c) = tokio::join!(
        engine.handle_trigger(client_updated(3)),
        engine.handle_trigger(order_event(30)),
        engine.handle_trigger(WebhookTrigger {
            kind: WebhookEventKind::ClientCreated,
            ..client_updated(3)
        }),
    );
    let created = a.unwrap().created + b.unwrap().created + c.unwrap().created;
    assert_eq!(created, 1);
    world.assert_held_once([3]);
    assert_eq!(world.crm.customers.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn disabled_integration_ignores_webhooks() {
    let mut config = shop_config("shop-a");
    config.enabled = false;
    let world = World::new(config, 3);
    let report = world
        .engine()
        .handle_trigger(client_updated(1))
        .await
        .unwrap();
    assert!(report.disabled);
    assert_eq!(world.calls(), counts(&[]));
}

#[test]
fn engine_and_its_runs_can_be_spawned_on_a_multi_threaded_runtime() {
    fn spawnable<T: Send + 'static>(_: &T) {}
    fn shareable<T: Send + Sync>() {}
    shareable::<sync_core::engine::Engine>();
    let world = World::new(shop_config("shop-a"), 1);
    let engine = std::sync::Arc::new(world.engine());
    let e = engine.clone();
    spawnable(&async move { e.incremental_sync().await });
    let e = engine.clone();
    spawnable(&async move { e.handle_triggers(vec![client_updated(1)]).await });
    let e = engine;
    spawnable(&async move { e.full_sync(&no_progress).await });
}

#[tokio::test]
async fn an_id_less_trigger_runs_one_incremental_pass_for_the_whole_batch() {
    let world = synced_world().await;
    world.edit_client(11, |c| c.billing.last_name = Some("Bezimienna".into()));
    // A panel webhook with an empty body, alongside one naming another customer.
    let batch = vec![WebhookTrigger::anything_changed(), client_updated(12)];
    let report = world.engine().handle_triggers(batch).await.unwrap();
    assert_eq!(report.kind, sync_core::engine::RunKind::Incremental);
    assert_eq!(report.updated, 1, "the change the window holds");
    assert_eq!(
        world.crm.holding(11)[0].surname.as_deref(),
        Some("Bezimienna")
    );
    // The pass read both windows; no customer was read by id.
    assert_eq!(world.shop.calls.get("shop.customers_page"), 1);
    assert_eq!(world.shop.calls.get("shop.customers_by_ids"), 0);
    let cursor = world
        .store
        .cursor("shop-a", CursorKind::Customers)
        .await
        .unwrap();
    assert!(
        cursor > Some(day(10)),
        "an incremental pass moves its cursor"
    );
}
