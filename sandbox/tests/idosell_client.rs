//! The IdoSell simulator read through the real `iai-shop-client`, with every PHP quirk on:
//! client and simulator must agree on the data.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use futures::TryStreamExt;
use iai_shop_client::{ClientRef, OrderDateType, SortDirection};
use iai_shop_client::{IdoSellClient, OrderStatus};
use sandbox::generator::{ChangeGenerator, GeneratorConfig, generate};
use sandbox::idosell::{ApiKey, Level, Module, ShopSim, ShopSimConfig, routes};

async fn shop(customers: usize, orders: usize) -> ShopSim {
    let data = generate(&GeneratorConfig {
        seed: 21,
        customers,
        orders,
        ..Default::default()
    });
    let mut config = ShopSimConfig::default().with_data(data);
    config
        .api_keys
        .push(ApiKey::scoped("oms-only", &[(Module::Oms, Level::Read)]));
    ShopSim::start(config).await.unwrap()
}

fn client(shop: &ShopSim, key: &str) -> IdoSellClient {
    IdoSellClient::builder(shop.url().clone())
        .api_key(key)
        .build()
        .unwrap()
}

#[tokio::test]
async fn streams_every_customer_as_stored() {
    let shop = shop(230, 0).await;
    let api = client(&shop, shop.api_key());
    let clients: Vec<_> = api.clients().list().stream().try_collect().await.unwrap();
    let stored = shop.customers();
    assert_eq!(clients.len(), stored.len());
    for (got, want) in clients.iter().zip(&stored) {
        assert_eq!(got.client_id, want.client_id);
        assert_eq!(got.email, want.email);
        assert_eq!(got.login.as_deref(), Some(want.login.as_str()));
        assert_eq!(got.is_unregistered, want.is_unregistered);
        assert_eq!(got.billing.last_name, want.billing.last_name);
        assert_eq!(got.billing.phone1, want.billing.phone1);
        assert_eq!(got.billing.nip, want.billing.nip);
        assert_eq!(got.last_modified, Some(want.last_modified));
        assert_eq!(got.registration_date, Some(want.registration_date));
        let shops: Vec<u64> = got.active_in_shops.iter().map(|s| s.shop_id).collect();
        assert_eq!(shops, want.shop_ids);
    }
    // 230 customers at 100 per page: 3 pages, plus at most one 207 probe past the end.
    let requests = shop.counters().get("GET", routes::CLIENTS);
    assert!((3..=4).contains(&requests), "{requests} requests");
}

#[tokio::test]
async fn incremental_window_sees_only_changed_customers() {
    let shop = shop(120, 200).await;
    let api = client(&shop, shop.api_key());
    shop.clock().advance(Duration::hours(1));
    let since = shop.clock().now();
    let mut generator = ChangeGenerator::new(3);
    let customers = shop.customers();
    let mut touched = Vec::new();
    for change in generator.changes(&customers, &[1, 2, 3], 30) {
        if let sandbox::idosell::ChangeOutcome::Customer(id) = shop.apply(change).unwrap() {
            touched.push(id);
        }
    }
    touched.sort_unstable();
    touched.dedup();
    assert!(!touched.is_empty());
    let changed: Vec<u64> = api
        .clients()
        .list()
        .modified_between(Some(since), None::<chrono::NaiveDateTime>)
        .stream()
        .map_ok(|c| c.client_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(changed, touched);
}

#[tokio::test]
async fn crm_search_exact_and_partial() {
    let shop = shop(300, 600).await;
    let api = client(&shop, shop.api_key());
    let customers = shop.customers();
    let target = customers
        .iter()
        .find(|c| c.email.is_some() && !shop.orders_of(c.client_id).is_empty())
        .unwrap();
    let email = target.email.clone().unwrap();
    let page = api
        .clients()
        .crm_search()
        .email(email.to_uppercase())
        .exact(true)
        .page()
        .await
        .unwrap();
    let ids: Vec<u64> = page.items.iter().map(|c| c.client_id).collect();
    let expected: Vec<u64> = customers
        .iter()
        .filter(|c| {
            c.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(&email))
        })
        .map(|c| c.client_id)
        .collect();
    assert_eq!(ids, expected);
    let found = &page.items[0];
    assert_eq!(
        found.orders_all_count,
        Some(shop.orders_of(target.client_id).len() as u64)
    );
    // The answer has the documented v6 shape: phones, tax number and company come from
    // the top-level fields of the record.
    let stored = &target.billing;
    assert_eq!(
        (&found.first_name, &found.last_name),
        (&stored.first_name, &stored.last_name)
    );
    assert_eq!(
        (&found.phone1, &found.phone2),
        (&stored.phone1, &stored.phone2)
    );
    assert_eq!((&found.nip, &found.firm), (&stored.nip, &stored.firm));

    let domain = "@wp.pl";
    let partial: Vec<u64> = api
        .clients()
        .crm_search()
        .email(domain)
        .stream()
        .map_ok(|c| c.client_id)
        .try_collect()
        .await
        .unwrap();
    let expected: Vec<u64> = customers
        .iter()
        .filter(|c| {
            c.email
                .as_deref()
                .is_some_and(|e| e.to_lowercase().contains(domain))
        })
        .map(|c| c.client_id)
        .collect();
    assert_eq!(partial, expected);
    assert!(!expected.is_empty());
}

#[tokio::test]
async fn order_search_filters_sorts_and_pages() {
    let shop = shop(200, 700).await;
    let api = client(&shop, shop.api_key());
    let orders = shop.orders();

    let all: Vec<_> = api
        .orders()
        .search()
        .page_size(100)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), orders.len());
    let first = &all[0];
    let stored = &orders[0];
    assert_eq!(first.serial_number, stored.serial_number);
    assert_eq!(first.order_id, stored.order_id);
    assert_eq!(first.status.as_str(), stored.status);
    assert_eq!(first.total().unwrap().amount, stored.total());
    assert_eq!(first.client.account.client_id, Some(stored.client_id));

    let buyer = orders
        .iter()
        .max_by_key(|o| shop.orders_of(o.client_id).len())
        .unwrap()
        .client_id;
    let login = shop.customer(buyer).unwrap().login;
    for by in [ClientRef::Id(buyer), ClientRef::Login(login)] {
        let theirs: Vec<u64> = api
            .orders()
            .search()
            .clients([by])
            .stream()
            .map_ok(|o| o.serial_number)
            .try_collect()
            .await
            .unwrap();
        let expected: Vec<u64> = shop
            .orders_of(buyer)
            .iter()
            .map(|o| o.serial_number)
            .collect();
        assert_eq!(theirs, expected);
    }

    let allegro: Vec<_> = api
        .orders()
        .search()
        .allegro_only()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        allegro.len(),
        orders.iter().filter(|o| o.is_allegro()).count()
    );
    assert!(allegro.iter().all(|o| {
        o.is_allegro()
            && o.auction_info
                .as_ref()
                .and_then(|a| a.client_email.as_deref())
                .is_some_and(|e| e.ends_with("@allegromail.pl"))
    }));

    let finished: Vec<_> = api
        .orders()
        .search()
        .statuses([OrderStatus::Finished, OrderStatus::Canceled])
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        finished.len(),
        orders
            .iter()
            .filter(|o| o.status == "finished" || o.status == "canceled")
            .count()
    );

    let pivot = orders[orders.len() / 2].change_date;
    let modified: Vec<_> = api
        .orders()
        .search()
        .date_range(OrderDateType::Modified, Some(pivot), None)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        modified.len(),
        orders.iter().filter(|o| o.change_date >= pivot).count()
    );

    let page = api
        .orders()
        .search()
        .order_by("order_time", SortDirection::Descending)
        .page_size(5)
        .page()
        .await
        .unwrap();
    let newest: Vec<u64> = page.items.iter().map(|o| o.serial_number).collect();
    let mut expected: Vec<_> = orders.iter().collect();
    expected.sort_by(|a, b| {
        b.add_date
            .cmp(&a.add_date)
            .then(a.serial_number.cmp(&b.serial_number))
    });
    assert_eq!(
        newest,
        expected
            .iter()
            .take(5)
            .map(|o| o.serial_number)
            .collect::<Vec<_>>()
    );
    assert_eq!(page.total, orders.len() as u64);

    let past_end = api
        .orders()
        .search()
        .page_size(100)
        .page_number(7)
        .page()
        .await
        .unwrap();
    assert!(past_end.items.is_empty());

    let picked = api.orders().by_serial_numbers(&[3, 1, 9999]).await.unwrap();
    let mut serials: Vec<u64> = picked.iter().map(|o| o.serial_number).collect();
    serials.sort_unstable();
    assert_eq!(serials, vec![1, 3]);
}

#[tokio::test]
async fn missing_scope_is_a_403_naming_it() {
    let shop = shop(5, 5).await;
    let api = client(&shop, "oms-only");
    let error = api.clients().list().page().await.unwrap_err();
    assert_eq!(error.status(), Some(403));
    assert!(
        error.to_string().contains("Scope: crm, level: r"),
        "{error}"
    );
    assert!(api.orders().search().page().await.is_ok());
    let error = client(&shop, "nope")
        .orders()
        .search()
        .page()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
}
