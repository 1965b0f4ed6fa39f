//! Full sync of ~2,000 generated customers through the real clients and adapters against
//! the sandbox, then a second full sync that must write nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use sandbox::idosell::{ShopCustomer, ShopOrder, routes};
use sandbox::thulium::CustomerRecord;
use sync_core::email::email_variants;
use sync_core::engine::report::LookupStrategy;
use sync_core::phone::{is_supported_country, normalize_phone};

const CUSTOMERS: usize = 2_000;
const ORDERS: usize = 6_000;
const SHOP_PAGE: usize = 100;
const WRITE_CHUNK: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_of_2000_customers_then_a_second_run_writes_nothing() {
    let sandbox = sandbox(7, CUSTOMERS, ORDERS).await;
    let db = TempDb::new("full");
    let options = fast_options(SHOP_PAGE as u32, WRITE_CHUNK);
    let tuning = ClientTuning::default();
    let engine = engine(&sandbox, &db, options, tuning, None).await;

    let report = engine.full_sync(&|_| {}).await.expect("full sync");
    assert!(report.failed.is_empty(), "failures: {:?}", report.failed);
    assert!(
        report.conflicts.is_empty(),
        "conflicts: {:?}",
        report.conflicts
    );
    assert_eq!(report.created, CUSTOMERS as u64);
    assert_eq!((report.updated, report.skipped), (0, 0));
    assert_eq!(report.customers_seen, CUSTOMERS as u64);

    // Every shop customer has exactly one Thulium customer, with the mapped fields.
    let tenant = comparable_snapshot(sandbox.thulium());
    let ids = shop_ids(&sandbox);
    assert_eq!(tenant.keys().copied().collect::<Vec<_>>(), ids);
    let orders = orders_by_client(&sandbox);
    for customer in sandbox.shop().customers() {
        let record = &tenant[&customer.client_id];
        let own_orders = orders
            .get(&customer.client_id)
            .map_or(&[][..], Vec::as_slice);
        check_mapped(&customer, own_orders, record);
    }

    // Request counts of the first run. Shop: one request per page of customers (whether
    // another follows is read from `resultsNumberPage`, no probe of an empty page), one
    // orders search per page (plus further pages of orders), and the closing incremental
    // pass: one customers-by-modification window and one orders-by-modified window.
    let pages = CUSTOMERS.div_ceil(SHOP_PAGE) as u64;
    let shop = sandbox.shop().counters();
    assert_eq!(shop.get("GET", routes::CLIENTS), pages + 1, "{shop:?}");
    let order_searches = expected_order_searches(&sandbox, SHOP_PAGE, 100);
    assert_eq!(shop.get("POST", routes::ORDERS_SEARCH), order_searches + 1);
    assert_eq!(shop.total(), pages + order_searches + 2, "{shop:?}");

    // Thulium: the tenant is read once into an index (one 1000-item page: it is empty), so
    // lookups cost nothing more; then the batch creates, `WRITE_CHUNK` customers each.
    assert_eq!(report.lookup, Some(LookupStrategy::TenantIndex));
    let thulium = sandbox.thulium().counters();
    let creates_per_page = SHOP_PAGE.div_ceil(WRITE_CHUNK) as u64;
    assert_eq!(
        thulium.get("POST", "/api/batch/customers"),
        pages * creates_per_page
    );
    assert_eq!(thulium.get("GET", "/api/customers"), 1);
    assert_eq!(thulium.total(), pages * creates_per_page + 1, "{thulium:?}");
    assert_eq!(report.total_requests(), shop.total() + thulium.total());
    println!(
        "first run: shop {:?}, Thulium {:?}, {} ms",
        shop.snapshot(),
        thulium.snapshot(),
        report.duration_ms
    );

    // A second full sync reads the shop again and writes nothing.
    shop.reset();
    thulium.reset();
    let again = engine.full_sync(&|_| {}).await.expect("second full sync");
    assert_eq!((again.created, again.updated), (0, 0));
    assert_eq!(again.skipped, CUSTOMERS as u64);
    assert!(again.failed.is_empty() && again.conflicts.is_empty());
    assert_eq!(thulium_writes(thulium), 0);
    assert_eq!(
        thulium.total(),
        0,
        "linked, unchanged customers need no lookup"
    );
    assert_eq!(again.lookup, Some(LookupStrategy::SearchPerPage));
    assert_eq!(shop.get("GET", routes::CLIENTS), pages + 1);
    assert_eq!(shop.get("POST", routes::ORDERS_SEARCH), order_searches + 1);
    assert_eq!(shop.total(), pages + order_searches + 2);
    assert_eq!(comparable_snapshot(sandbox.thulium()), tenant);
    println!(
        "second run: shop {:?}, Thulium {:?}, {} ms",
        shop.snapshot(),
        thulium.snapshot(),
        again.duration_ms
    );
}

/// The Thulium record holds what the shop says, computed here from the shop's own data.
fn check_mapped(customer: &ShopCustomer, orders: &[ShopOrder], record: &CustomerRecord) {
    let id = customer.client_id;
    assert_eq!(shop_id_of(record), Some(id));

    let last_order = orders.iter().map(|o| o.add_date).max();
    let written = record.custom_fields.get(LAST_ORDER_FIELD);
    match last_order {
        Some(at) => assert_eq!(
            written,
            Some(&serde_json::json!(at.date().format("%Y-%m-%d").to_string())),
            "last order date of {id}"
        ),
        None => assert_eq!(written, None, "client {id} has no order"),
    }

    let latest_allegro = orders
        .iter()
        .filter(|o| o.is_allegro())
        .max_by_key(|o| (o.add_date, o.serial_number))
        .and_then(|o| o.auction.as_ref());
    if let Some(buyer) = latest_allegro {
        assert_eq!(
            record.custom_fields.get(ALLEGRO_FIELD),
            Some(&serde_json::json!(buyer.login)),
            "Allegro login of {id}"
        );
    }

    let billing = &customer.billing;
    if let Some(last) = billing
        .last_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        assert_eq!(record.surname.as_deref(), Some(last), "surname of {id}");
    }
    if let Some(first) = billing
        .first_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        assert_eq!(record.name.as_deref(), Some(first), "name of {id}");
    }

    // E-mails: the customer's, its orders' and the Allegro buyers', each with its relay
    // variant (alias without the `+…` suffix), and nothing else.
    let mut expected_emails = BTreeSet::new();
    let sources = customer
        .email
        .iter()
        .chain(orders.iter().filter_map(|o| o.account.email.as_ref()))
        .chain(
            orders
                .iter()
                .filter_map(|o| o.auction.as_ref().map(|a| &a.email)),
        );
    for raw in sources {
        if let Ok(variants) = email_variants(raw) {
            expected_emails.extend(variants);
        }
    }
    let written: BTreeSet<String> = record.emails.iter().cloned().collect();
    assert_eq!(written, expected_emails, "e-mails of {id}");
    assert_eq!(
        written.len(),
        record.emails.len(),
        "no e-mail twice for {id}"
    );

    // Phones: normalised to E.164, the customer's own among them, none twice.
    let country = billing
        .country_id
        .as_deref()
        .filter(|c| is_supported_country(c))
        .unwrap_or("PL");
    for raw in [&billing.phone1, &billing.phone2].into_iter().flatten() {
        if let Ok(phone) = normalize_phone(raw, country) {
            assert!(
                record.phones.contains(&phone),
                "phone {phone} of {id}: {:?}",
                record.phones
            );
        }
    }
    for phone in &record.phones {
        assert!(
            phone.starts_with('+') && phone[1..].chars().all(|c| c.is_ascii_digit()),
            "phone of {id} not in E.164: {phone}"
        );
    }
    let distinct: BTreeSet<&String> = record.phones.iter().collect();
    assert_eq!(
        distinct.len(),
        record.phones.len(),
        "no phone twice for {id}"
    );
}
