//! Incremental sync over in-memory ports: windows, idle cost, affected customers only,
//! retries of failed customers, cursors moving only after success.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod engine_fakes;

use chrono::TimeDelta;
use engine_fakes::{World, counts, day, no_progress, order, shop_config};
use sync_core::engine::store::{CursorKind, StateStore};

const N: u64 = 250;

async fn synced_world() -> World {
    World::synced(shop_config("shop-a"), N).await
}

#[tokio::test]
async fn idle_poll_costs_two_shop_requests_and_no_thulium_request() {
    let world = synced_world().await;
    let report = world.engine().incremental_sync().await.unwrap();
    let expected = counts(&[("shop.customers_page", 1), ("shop.search_orders", 1)]);
    assert_eq!(world.calls(), expected);
    assert_eq!(report.requests, expected);
    assert_eq!(
        (report.created, report.updated, report.customers_seen),
        (0, 0, 0)
    );
    // The cursors moved to the end of the window, which started a lookback before them.
    let window = report.customers_window.unwrap();
    assert_eq!(window.end, day(10) + TimeDelta::minutes(1));
    assert_eq!(window.begin, day(10) - TimeDelta::minutes(5));
    for kind in [CursorKind::Customers, CursorKind::Orders] {
        let cursor = world.store.cursor("shop-a", kind).await.unwrap();
        assert_eq!(cursor, Some(window.end));
    }
}

#[tokio::test]
async fn changed_customers_new_customers_and_changed_orders_are_synced_and_nobody_else() {
    let world = synced_world().await;
    // A changed address, a new registration, an Allegro order for an existing customer,
    // and a status change of an existing order.
    world.edit_client(10, |c| c.billing.last_name = Some("Nowak".into()));
    let mut new_client = engine_fakes::client(N + 1);
    new_client.last_modified = Some(day(10));
    world.shop.clients.lock().unwrap().push(new_client);
    let mut allegro = order(9_999, 20, day(10));
    allegro.source.auction_service = Some("allegro".into());
    world.shop.orders.lock().unwrap().push(allegro);
    {
        let mut orders = world.shop.orders.lock().unwrap();
        let placed = orders.iter_mut().find(|o| o.serial_number == 300).unwrap();
        placed.status = iai_shop_client::OrderStatus::Other("finished".into());
        placed.change_date = Some(day(10));
    }

    let report = world.engine().incremental_sync().await.unwrap();
    // Customer 10 (edited) and 251 (new) from the customers window; 20 (new order, new
    // last-order date) and 30 (status change only: unchanged customer) from the orders one.
    assert_eq!(report.customers_seen, 4);
    assert_eq!((report.created, report.updated, report.skipped), (1, 2, 1));
    assert_eq!(world.crm.holding(10)[0].surname.as_deref(), Some("Nowak"));
    let last_order = world.crm.holding(20)[0]
        .custom_fields
        .date(&world.config.fields.last_order_date);
    assert_eq!(last_order, Some(day(10).date()));
    world.assert_held_once(1..=N + 1);
    assert_eq!(world.crm.customers.lock().unwrap().len() as u64, N + 1);
    // Two windows, one re-read of the order clients, one orders search per synced set,
    // one ID search per set with changes, an e-mail search for the unlinked new customer
    // (fallback matching is on by default), one batch create and one batch update per set.
    assert_eq!(
        world.calls(),
        counts(&[
            ("shop.customers_page", 1),
            ("shop.search_orders", 1 + 2),
            ("shop.customers_by_ids", 1),
            ("crm.find_by_field_values", 2),
            ("crm.find_by_email", 1),
            ("crm.create_customers", 1),
            ("crm.update_customers", 2),
        ])
    );
    assert_eq!(report.requests, world.calls());
}

#[tokio::test]
async fn failed_customers_of_earlier_runs_are_retried_by_the_next_poll() {
    let world = World::new(shop_config("shop-a"), N);
    world.crm.reject.lock().unwrap().insert(42);
    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!(report.failed.len(), 1);
    world.crm.reject.lock().unwrap().clear();
    world.reset_calls();

    let report = world.engine().incremental_sync().await.unwrap();
    assert_eq!((report.retried_failures, report.created), (1, 1));
    world.assert_held_once(1..=N);
    assert!(
        world
            .store
            .failed_customers("shop-a")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(world.shop.calls.get("shop.customers_by_ids"), 1);
}

#[tokio::test]
async fn a_failed_poll_leaves_the_cursors_where_they_were() {
    let world = synced_world().await;
    world.edit_client(10, |c| c.billing.last_name = Some("Nowak".into()));
    *world.shop.fail_orders_search.lock().unwrap() = true;
    world.engine().incremental_sync().await.unwrap_err();
    let cursor = world
        .store
        .cursor("shop-a", CursorKind::Customers)
        .await
        .unwrap();
    assert_eq!(cursor, Some(day(10)));

    // The next poll reads the same window again and catches the change.
    let report = world.engine().incremental_sync().await.unwrap();
    assert_eq!(report.updated, 1);
    assert_eq!(world.crm.holding(10)[0].surname.as_deref(), Some("Nowak"));
}

#[tokio::test]
async fn first_poll_without_a_cursor_reads_from_the_configured_start() {
    let world = World::new(shop_config("shop-a"), 5);
    for id in 1..=5 {
        world.edit_client(id, |_| {});
    }
    let report = world.engine().incremental_sync().await.unwrap();
    assert_eq!(report.created, 5);
    world.assert_held_once(1..=5);
}
