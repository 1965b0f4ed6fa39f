//! Orders in Thulium: one field-group item per order, written only when its values change;
//! and several integrations run side by side.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod engine_fakes;

use std::sync::Arc;

use chrono::TimeDelta;
use engine_fakes::{World, day, no_progress};
use sync_core::config::{IntegrationConfig, OrdersGroupConfig};
use sync_core::engine::Integrations;
use sync_core::engine::store::StateStore;
use url::Url;

const N: u64 = 30;

fn config(name: &str) -> IntegrationConfig {
    IntegrationConfig::new(name, Url::parse("https://sklep.example.pl").unwrap())
}

fn world_with_group() -> World {
    let mut config = config("shop-a");
    let group = OrdersGroupConfig::new("Orders");
    let world = {
        config.orders_group = Some(group.clone());
        World::new(config, N)
    };
    let fields: Vec<&str> = group.field_names().collect();
    world.crm.define_group("Orders", &fields);
    world
}

#[tokio::test]
async fn each_order_becomes_one_item_and_unchanged_orders_cost_nothing() {
    let world = world_with_group();
    let report = world.engine().full_sync(&no_progress).await.unwrap();
    // 10 customers with two orders each.
    assert_eq!(report.order_items_written, 20);
    assert_eq!(world.crm.calls.get("crm.create_field_group_item"), 20);
    assert_eq!(world.crm.calls.get("crm.field_groups"), 1);
    assert_eq!(report.requests_of("crm.create_field_group_item"), 20);
    let customer = world.crm.holding(9)[0].customer_id;
    let items = world.crm.items_of(customer);
    assert_eq!(items.len(), 2);
    // Field 1 is the number column.
    let mut numbers: Vec<&str> = items.iter().map(|i| i[&1].as_str()).collect();
    numbers.sort();
    assert_eq!(numbers, ["90", "91"]);
    assert!(
        world
            .store
            .order_items_for("shop-a", &[90, 91])
            .await
            .unwrap()
            .len()
            == 2
    );

    // Nothing changed: no item written on a second run.
    world.reset_calls();
    let report = world.engine().full_sync(&no_progress).await.unwrap();
    assert_eq!(report.order_items_written, 0);
    assert_eq!(world.crm.calls.total(), 0);

    // One status change: one item update, the customer itself unchanged.
    world.clock.advance(TimeDelta::minutes(1));
    {
        let mut orders = world.shop.orders.lock().unwrap();
        let order = orders.iter_mut().find(|o| o.serial_number == 91).unwrap();
        order.status = iai_shop_client::OrderStatus::Other("finished".into());
        order.change_date = Some(day(10) + TimeDelta::seconds(30));
    }
    world.reset_calls();
    let report = world.engine().incremental_sync().await.unwrap();
    assert_eq!((report.skipped, report.order_items_written), (1, 1));
    assert_eq!(world.crm.calls.get("crm.update_field_group_item"), 1);
    assert_eq!(world.crm.calls.get("crm.create_field_group_item"), 0);
    assert_eq!(world.crm.items_of(customer).len(), 2);
}

#[tokio::test]
async fn several_integrations_run_side_by_side_and_a_disabled_one_says_so() {
    let a = World::new(config("shop-a"), 20);
    let mut config_b = config("shop-b");
    config_b.fields.shop_id = "Shop B ID".into();
    let mut config_c = config("shop-c");
    config_c.fields.shop_id = "Shop C ID".into();
    config_c.enabled = false;
    // shop-b writes into the same tenant and store as shop-a, with its own ID field.
    let engine = |config: IntegrationConfig, shop: Arc<engine_fakes::FakeShop>| {
        Arc::new(sync_core::engine::Engine::new(
            config,
            shop,
            a.crm.clone(),
            a.store.clone(),
            Arc::new(a.clock.clone()),
        ))
    };
    let shop_b = Arc::new(engine_fakes::FakeShop::with(
        (1001..=1005).map(engine_fakes::client).collect(),
        Vec::new(),
    ));
    let runner = Integrations::new(vec![
        Arc::new(a.engine()),
        engine(config_b, shop_b.clone()),
        engine(config_c, shop_b.clone()),
    ]);
    let outcomes = runner.full_sync_all(&|_, _| {}).await;
    let reports: Vec<_> = outcomes.into_iter().map(|o| o.result.unwrap()).collect();
    assert_eq!((reports[0].created, reports[1].created), (20, 5));
    assert!(reports[2].disabled && reports[2].to_string().contains("disabled"));
    assert_eq!(reports[2].total_requests(), 0);
    // Separate state: each integration's links, separate Thulium customers.
    assert_eq!(a.crm.customers.lock().unwrap().len(), 25);
    assert!(a.store.link("shop-b", 1001).await.unwrap().is_some());
    assert!(a.store.link("shop-a", 1001).await.unwrap().is_none());
    let b_customer = a.store.link("shop-b", 1001).await.unwrap().unwrap();
    let held = a.crm.customers.lock().unwrap()[&b_customer].clone();
    assert_eq!(held.custom_fields.number("Shop B ID"), Some(1001));
    assert_eq!(held.custom_fields.number("IAI Shop ID"), None);

    let polls = runner.incremental_all().await;
    assert_eq!(polls.len(), 3);
    assert!(polls[2].result.as_ref().unwrap().disabled);
    assert!(polls.iter().all(|p| p.result.is_ok()));
    assert!(runner.get("shop-b").is_some() && runner.get("nope").is_none());
}
