//! One behaviour contract for every `StateStore`, run against the in-memory, the SQLite and
//! (with the `postgres` feature) the PostgreSQL store, plus the SQLite-only durability checks
//! (PostgreSQL's are in `store_postgres.rs`). The PostgreSQL cases need the throwaway cluster
//! `scripts/test` starts; without it they fail, they never skip.
#![cfg(feature = "sqlite")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod store_helpers;

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use store_helpers::{StoreShorthands, written};
use sync_core::caller::{CallerAnswer, CallerRecord};
use sync_core::contact_values::{ContactValues, ValueSet};
use sync_core::engine::store::{
    Changes, Claim, CursorKind, FullSyncCheckpoint, MemoryStore, SqliteStore, StateStore,
    StoreError, WaitingCustomer,
};

const A: &str = "shop-a";
const B: &str = "shop-b";

fn at(day: u32, hour: u32, minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, day)
        .unwrap()
        .and_hms_micro_opt(hour, minute, 7, 123_456)
        .unwrap()
}

fn checkpoint(next_page: u32) -> FullSyncCheckpoint {
    FullSyncCheckpoint {
        started_at: at(1, 8, 0),
        next_page,
        page_size: 100,
        customers_done: u64::from(next_page) * 100,
    }
}

/// Generates one test per store implementation for each contract check.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(#[tokio::test]
            async fn $name() {
                super::$name(&sync_core::engine::store::MemoryStore::new()).await;
            })*
        }
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(&sync_core::engine::store::SqliteStore::open_in_memory().unwrap()).await;
            })*
        }
        #[cfg(feature = "postgres")]
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let url = sandbox::postgres::fresh_database(stringify!($name)).await.unwrap();
                let store = sync_core::engine::store::PostgresStore::connect(&url).await.unwrap();
                super::$name(&store).await;
            })*
        }
    };
}

contract!(
    cursors_round_trip,
    checkpoint_round_trips_and_clears,
    written_customers_round_trip,
    link_without_fingerprint_and_relink,
    failures_count_attempts_and_clear_on_write,
    order_items_round_trip,
    order_item_fingerprints_follow_their_item,
    integrations_are_isolated,
    a_written_contact_moves_to_its_new_holder,
    claims_are_exclusive_and_released_only_unwritten,
    candidates_wait_until_written_or_dropped,
    written_values_round_trip,
    events_are_deduplicated_and_pruned,
    a_forgotten_event_is_new_again,
    batches_larger_than_one_statement,
    callers_are_found_by_every_phone_they_have,
    a_new_caller_record_replaces_the_old_phones,
);

async fn cursors_round_trip(store: &dyn StateStore) {
    assert_eq!(store.cursor(A, CursorKind::Customers).await.unwrap(), None);
    store
        .set_cursor(A, CursorKind::Customers, at(2, 10, 0))
        .await
        .unwrap();
    store
        .set_cursor(A, CursorKind::Orders, at(2, 11, 0))
        .await
        .unwrap();
    store
        .set_cursor(A, CursorKind::Customers, at(3, 9, 30))
        .await
        .unwrap();
    assert_eq!(
        store.cursor(A, CursorKind::Customers).await.unwrap(),
        Some(at(3, 9, 30))
    );
    assert_eq!(
        store.cursor(A, CursorKind::Orders).await.unwrap(),
        Some(at(2, 11, 0))
    );
}

async fn checkpoint_round_trips_and_clears(store: &dyn StateStore) {
    assert_eq!(store.checkpoint(A).await.unwrap(), None);
    store.set_checkpoint(A, checkpoint(3)).await.unwrap();
    assert_eq!(store.checkpoint(A).await.unwrap(), Some(checkpoint(3)));
    store.set_checkpoint(A, checkpoint(4)).await.unwrap();
    assert_eq!(store.checkpoint(A).await.unwrap(), Some(checkpoint(4)));
    store.clear_checkpoint(A).await.unwrap();
    assert_eq!(store.checkpoint(A).await.unwrap(), None);
}

async fn written_customers_round_trip(store: &dyn StateStore) {
    store
        .record_written_batch(A, vec![written(1, 101, "f1"), written(2, 102, "f2")])
        .await
        .unwrap();
    store
        .record_written(A, written(1, 101, "f1b"))
        .await
        .unwrap();

    let links = store.links_for(A, &[1, 2, 3]).await.unwrap();
    assert_eq!(links, HashMap::from([(1, 101), (2, 102)]));
    let prints = store.fingerprints_for(A, &[1, 2, 3]).await.unwrap();
    assert_eq!(
        prints,
        HashMap::from([(1, "f1b".to_owned()), (2, "f2".to_owned())])
    );
    assert_eq!(store.link(A, 2).await.unwrap(), Some(102));
    assert_eq!(store.link(A, 3).await.unwrap(), None);
    assert!(store.links_for(A, &[]).await.unwrap().is_empty());
}

async fn link_without_fingerprint_and_relink(store: &dyn StateStore) {
    store.apply(A, Changes::new().link(5, 500)).await.unwrap();
    assert_eq!(store.link(A, 5).await.unwrap(), Some(500));
    assert!(store.fingerprints_for(A, &[5]).await.unwrap().is_empty());

    store
        .record_written(A, written(5, 500, "fp"))
        .await
        .unwrap();
    // Linking again to the same customer keeps what we know was written there...
    store.apply(A, Changes::new().link(5, 500)).await.unwrap();
    assert_eq!(store.fingerprints_for(A, &[5]).await.unwrap()[&5], "fp");
    // ...a different customer has not received our data yet.
    store.apply(A, Changes::new().link(5, 501)).await.unwrap();
    assert_eq!(store.link(A, 5).await.unwrap(), Some(501));
    assert!(store.fingerprints_for(A, &[5]).await.unwrap().is_empty());
}

async fn failures_count_attempts_and_clear_on_write(store: &dyn StateStore) {
    store
        .record_failure(A, 7, "HTTP 500", at(4, 1, 0))
        .await
        .unwrap();
    store
        .record_failure(A, 7, "HTTP 422: bad email", at(5, 1, 0))
        .await
        .unwrap();
    store
        .record_failure(A, 8, "timeout", at(5, 2, 0))
        .await
        .unwrap();

    let failed = store.failed_customers(A).await.unwrap();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0].client_id, 7);
    assert_eq!(failed[0].attempts, 2);
    assert_eq!(failed[0].reason, "HTTP 422: bad email");
    assert_eq!(failed[0].last_failed_at, at(5, 1, 0));
    assert_eq!((failed[1].client_id, failed[1].attempts), (8, 1));

    store
        .record_written(A, written(7, 700, "fp"))
        .await
        .unwrap();
    store
        .apply(A, Changes::new().clear_failure(8))
        .await
        .unwrap();
    assert!(store.failed_customers(A).await.unwrap().is_empty());
}

async fn order_items_round_trip(store: &dyn StateStore) {
    store.set_order_item(A, 9001, 1).await.unwrap();
    store.set_order_item(A, 9002, 2).await.unwrap();
    store.set_order_item(A, 9001, 3).await.unwrap();
    assert_eq!(
        store.order_items_for(A, &[9001, 9002, 9003]).await.unwrap(),
        HashMap::from([(9001, 3), (9002, 2)])
    );
}

async fn order_item_fingerprints_follow_their_item(store: &dyn StateStore) {
    let written = Changes::new()
        .order_item_written(9001, 1, "aaaa")
        .order_item_written(9002, 2, "bbbb");
    store.apply(A, written).await.unwrap();
    assert_eq!(
        store
            .order_item_prints_for(A, &[9001, 9002, 9003])
            .await
            .unwrap(),
        HashMap::from([(9001, "aaaa".to_owned()), (9002, "bbbb".to_owned())])
    );
    // Another item id for an order replaces the item and its fingerprint.
    store
        .apply(A, Changes::new().order_item_written(9002, 5, "dddd"))
        .await
        .unwrap();
    assert_eq!(
        store.order_items_for(A, &[9001, 9002]).await.unwrap(),
        HashMap::from([(9001, 1), (9002, 5)])
    );
    assert_eq!(
        store.order_item_prints_for(A, &[9002]).await.unwrap(),
        HashMap::from([(9002, "dddd".to_owned())])
    );
    // Rewritten: the new fingerprint replaces the old; other integrations see nothing.
    store
        .apply(A, Changes::new().order_item_written(9001, 1, "cccc"))
        .await
        .unwrap();
    assert_eq!(
        store.order_item_prints_for(A, &[9001]).await.unwrap(),
        HashMap::from([(9001, "cccc".to_owned())])
    );
    assert!(
        store
            .order_item_prints_for(B, &[9001])
            .await
            .unwrap()
            .is_empty()
    );
}

async fn integrations_are_isolated(store: &dyn StateStore) {
    let changes = Changes::new()
        .set_cursor(CursorKind::Customers, at(1, 1, 1))
        .set_checkpoint(checkpoint(2))
        .written(written(1, 100, "a"))
        .failed(2, "boom", at(1, 1, 1))
        .order_item_written(55, 5, "o");
    store.apply(A, changes).await.unwrap();
    assert!(
        store
            .remember_event(A, "client:1", at(1, 1, 1))
            .await
            .unwrap()
    );

    assert_eq!(store.cursor(B, CursorKind::Customers).await.unwrap(), None);
    assert_eq!(store.checkpoint(B).await.unwrap(), None);
    assert!(store.links_for(B, &[1]).await.unwrap().is_empty());
    assert!(store.fingerprints_for(B, &[1]).await.unwrap().is_empty());
    assert!(store.failed_customers(B).await.unwrap().is_empty());
    assert!(store.order_items_for(B, &[55]).await.unwrap().is_empty());
    assert!(
        store
            .remember_event(B, "client:1", at(1, 1, 1))
            .await
            .unwrap()
    );

    // Two shops in one tenant: one Thulium customer may hold a client of each.
    store.record_written(B, written(9, 100, "b")).await.unwrap();
    assert_eq!(store.link(A, 1).await.unwrap(), Some(100));
    assert_eq!(store.link(B, 9).await.unwrap(), Some(100));
    assert_eq!(store.prune_events(B, at(2, 0, 0)).await.unwrap(), 1);
    assert!(
        !store
            .remember_event(A, "client:1", at(1, 1, 2))
            .await
            .unwrap()
    );
}

async fn a_written_contact_moves_to_its_new_holder(store: &dyn StateStore) {
    store
        .record_written(A, written(1, 100, "old"))
        .await
        .unwrap();
    // Thulium now holds client 3 on customer 100 (its ID field says so): the link follows,
    // client 1 loses it (it is looked up again next time) and nothing stops.
    store
        .apply(A, Changes::new().written(written(3, 100, "three")))
        .await
        .unwrap();
    assert_eq!(
        store.links_for(A, &[1, 3]).await.unwrap(),
        HashMap::from([(3, 100)])
    );
    assert_eq!(
        store.holders_of(A, &[100, 101]).await.unwrap(),
        HashMap::from([(100, 3)])
    );
}

async fn claims_are_exclusive_and_released_only_unwritten(store: &dyn StateStore) {
    assert_eq!(store.claim(A, 1, 100).await.unwrap(), Claim::Taken);
    assert_eq!(store.claim(A, 2, 100).await.unwrap(), Claim::HeldBy(1));
    assert_eq!(store.claim(A, 1, 100).await.unwrap(), Claim::Taken);
    // Another integration's claims are its own.
    assert_eq!(store.claim(B, 2, 100).await.unwrap(), Claim::Taken);
    let record = &store.link_records_for(A, &[1]).await.unwrap()[&1];
    assert_eq!(
        (record.customer_id, record.fingerprint.as_deref()),
        (100, None)
    );

    // A refused write gives the claim back...
    store
        .apply(A, Changes::new().release(1, 100))
        .await
        .unwrap();
    assert_eq!(store.claim(A, 2, 100).await.unwrap(), Claim::Taken);
    // ...but a written link is never released, nor one to another customer.
    store
        .record_written(A, written(2, 100, "fp"))
        .await
        .unwrap();
    store
        .apply(A, Changes::new().release(2, 100).release(2, 999))
        .await
        .unwrap();
    assert_eq!(store.link(A, 2).await.unwrap(), Some(100));
    assert_eq!(store.claim(A, 1, 100).await.unwrap(), Claim::HeldBy(2));

    // Many claims in one call: each sees the ones before it.
    let claims = store
        .claim_all(A, &[(7, 700), (8, 700), (8, 800), (2, 100)])
        .await
        .unwrap();
    assert_eq!(
        claims,
        [Claim::Taken, Claim::HeldBy(7), Claim::Taken, Claim::Taken]
    );
    assert_eq!(
        store.holders_of(A, &[700, 800, 100]).await.unwrap(),
        HashMap::from([(700, 7), (800, 8), (100, 2)])
    );
}

fn candidate(client_id: u64, customer_id: u64) -> WaitingCustomer {
    WaitingCustomer {
        client_id,
        adopts: (customer_id != 0).then_some(customer_id),
        registered: client_id.is_multiple_of(2),
        desired: thulium_client::CustomerInput {
            surname: Some("Bąk".into()),
            email: vec!["abak@yahoo.com".into()],
            custom_fields: [(
                "IAI Shop ID".to_owned(),
                thulium_client::CustomFieldValue::Number(client_id as i64),
            )]
            .into(),
            ..thulium_client::CustomerInput::default()
        },
        fingerprint: format!("fp{client_id}"),
        contact: ValueSet {
            emails: vec!["ABak@yahoo.com".into()],
            phones: vec!["601 234 567".into()],
        },
    }
}

async fn candidates_wait_until_written_or_dropped(store: &dyn StateStore) {
    let changes = Changes::new()
        .waiting(candidate(4, 40))
        .waiting(candidate(3, 40))
        .waiting(candidate(5, 50))
        .waiting(candidate(6, 0));
    store.apply(A, changes).await.unwrap();
    assert_eq!(
        store.waiting_customers(A, 0, usize::MAX).await.unwrap(),
        vec![
            candidate(3, 40),
            candidate(4, 40),
            candidate(5, 50),
            candidate(6, 0)
        ]
    );
    assert!(
        store
            .waiting_customers(B, 0, usize::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    // Read page by page, and ranked without their data.
    let page = store.waiting_customers(A, 3, 2).await.unwrap();
    assert_eq!(page, vec![candidate(4, 40), candidate(5, 50)]);
    let ranks = store.waiting_ranks(A).await.unwrap();
    let ranked: Vec<(u64, Option<u64>, bool)> = ranks
        .iter()
        .map(|r| (r.client_id, r.adopts, r.registered))
        .collect();
    assert_eq!(
        ranked,
        [
            (3, Some(40), false),
            (4, Some(40), true),
            (5, Some(50), false),
            (6, None, true)
        ]
    );
    store
        .apply(
            A,
            Changes::new()
                .written(written(3, 40, "fp3"))
                .drop_waiting(5)
                .written(written(6, 60, "fp6")),
        )
        .await
        .unwrap();
    assert_eq!(
        store.waiting_customers(A, 0, usize::MAX).await.unwrap(),
        vec![candidate(4, 40)]
    );
}

async fn written_values_round_trip(store: &dyn StateStore) {
    let values = ContactValues {
        ours: ValueSet {
            emails: vec!["a@b.pl".into()],
            phones: vec!["+48601234567".into()],
        },
        agents: ValueSet {
            emails: vec!["Agent@Firma.pl".into()],
            phones: vec!["22 111 22 33".into()],
        },
        fields: vec!["Allegro login".into()],
        agent_made: true,
    };
    let mut write = written(9, 900, "fp");
    write.values = values.clone();
    store.record_written(A, write).await.unwrap();
    let record = &store.link_records_for(A, &[9]).await.unwrap()[&9];
    assert_eq!(record.values.as_ref(), Some(&values));
    // A link without a write keeps what was written to the same customer.
    store.apply(A, Changes::new().link(9, 900)).await.unwrap();
    let record = &store.link_records_for(A, &[9]).await.unwrap()[&9];
    assert_eq!(record.values.as_ref(), Some(&values));
    assert_eq!(record.fingerprint.as_deref(), Some("fp"));
}

#[tokio::test]
async fn sqlite_failing_apply_leaves_nothing_half_written() {
    let store = SqliteStore::open_in_memory().unwrap();
    store
        .record_written(A, written(1, 100, "old"))
        .await
        .unwrap();
    // A page whose last item cannot be stored (an id beyond SQLite's integers): the whole
    // page, checkpoint included, must be rejected.
    let page = Changes::new()
        .written(written(2, 200, "two"))
        .written(written(1, 100, "new"))
        .order_item_written(77, 7, "o")
        .set_cursor(CursorKind::Orders, at(9, 9, 9))
        .written(written(3, u64::MAX, "three"))
        .set_checkpoint(checkpoint(8));
    let error = store.apply(A, page).await.unwrap_err();
    assert!(matches!(error, StoreError::OutOfRange(_)), "{error:?}");

    assert_eq!(
        store.links_for(A, &[1, 2, 3]).await.unwrap(),
        HashMap::from([(1, 100)])
    );
    assert_eq!(store.fingerprints_for(A, &[1]).await.unwrap()[&1], "old");
    assert!(store.order_items_for(A, &[77]).await.unwrap().is_empty());
    assert_eq!(store.cursor(A, CursorKind::Orders).await.unwrap(), None);
    assert_eq!(store.checkpoint(A).await.unwrap(), None);
}

async fn events_are_deduplicated_and_pruned(store: &dyn StateStore) {
    assert!(
        store
            .remember_event(A, "order:1", at(1, 10, 0))
            .await
            .unwrap()
    );
    assert!(
        !store
            .remember_event(A, "order:1", at(1, 10, 1))
            .await
            .unwrap()
    );
    assert!(
        store
            .remember_event(A, "order:2", at(1, 12, 0))
            .await
            .unwrap()
    );
    assert!(
        store
            .remember_event(A, "client:3", at(2, 12, 0))
            .await
            .unwrap()
    );

    // Keys first seen before 1 March 12:00 are dropped; the boundary one is kept.
    let boundary = at(1, 12, 0);
    assert_eq!(store.prune_events(A, boundary).await.unwrap(), 1);
    assert_eq!(store.prune_events(A, boundary).await.unwrap(), 0);
    assert!(
        store
            .remember_event(A, "order:1", at(3, 0, 0))
            .await
            .unwrap()
    );
    assert!(
        !store
            .remember_event(A, "order:2", at(3, 0, 0))
            .await
            .unwrap()
    );
    assert!(
        !store
            .remember_event(A, "client:3", at(3, 0, 0))
            .await
            .unwrap()
    );
}

async fn a_forgotten_event_is_new_again(store: &dyn StateStore) {
    assert!(
        store
            .remember_event(A, "client:1", at(1, 10, 0))
            .await
            .unwrap()
    );
    assert!(
        store
            .remember_event(B, "client:1", at(1, 10, 0))
            .await
            .unwrap()
    );
    store.forget_event(A, "client:1").await.unwrap();
    store.forget_event(A, "never-seen").await.unwrap();
    assert!(
        store
            .remember_event(A, "client:1", at(1, 10, 1))
            .await
            .unwrap()
    );
    assert!(
        !store
            .remember_event(B, "client:1", at(1, 10, 1))
            .await
            .unwrap(),
        "forgetting is per integration"
    );
}

async fn batches_larger_than_one_statement(store: &dyn StateStore) {
    let ids: Vec<u64> = (1..=1_234).collect();
    let page = ids
        .iter()
        .map(|id| written(*id, id + 1_000_000, &format!("fp{id}")))
        .collect();
    store.record_written_batch(A, page).await.unwrap();
    let links = store.links_for(A, &ids).await.unwrap();
    assert_eq!(links.len(), ids.len());
    assert!(ids.iter().all(|id| links[id] == id + 1_000_000));
    let prints = store.fingerprints_for(A, &ids).await.unwrap();
    assert_eq!(prints[&1_234], "fp1234");
    assert_eq!(prints.len(), ids.len());
}

fn caller(client_id: u64, phones: &[&str], last_order: Option<NaiveDateTime>) -> CallerRecord {
    CallerRecord {
        client_id,
        phones: phones.iter().map(|p| (*p).to_owned()).collect(),
        last_order_at: last_order,
        answer: CallerAnswer {
            identifier: client_id.to_string(),
            surname: Some(format!("Nowak {client_id}")),
            phone_number: phones.iter().map(|p| (*p).to_owned()).collect(),
            ..CallerAnswer::default()
        },
    }
}

async fn callers_are_found_by_every_phone_they_have(store: &dyn StateStore) {
    let shared = "+48601234567";
    let changes = Changes::new()
        .caller(caller(1, &[shared, "+48221112233"], Some(at(2, 10, 0))))
        .caller(caller(2, &[shared], None))
        .caller(caller(3, &["+48500600700"], None));
    store.apply(A, changes).await.unwrap();
    let found = store.callers_by_phone(A, shared).await.unwrap();
    assert_eq!(
        found,
        vec![
            caller(1, &[shared, "+48221112233"], Some(at(2, 10, 0))),
            caller(2, &[shared], None)
        ]
    );
    let found = store.callers_by_phone(A, "+48221112233").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].answer.surname.as_deref(), Some("Nowak 1"));
    assert!(
        store
            .callers_by_phone(A, "+48999999999")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store.callers_by_phone(B, shared).await.unwrap().is_empty(),
        "per integration"
    );
}

async fn a_new_caller_record_replaces_the_old_phones(store: &dyn StateStore) {
    store
        .apply(A, Changes::new().caller(caller(1, &["+48601234567"], None)))
        .await
        .unwrap();
    let moved = caller(1, &["+48700800900"], Some(at(3, 9, 0)));
    store
        .apply(A, Changes::new().caller(moved.clone()))
        .await
        .unwrap();
    assert!(
        store
            .callers_by_phone(A, "+48601234567")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.callers_by_phone(A, "+48700800900").await.unwrap(),
        vec![moved]
    );
}

fn temp_db(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!(
        "sync-core-{name}-{}-{nanos}.db",
        std::process::id()
    ))
}

fn remove_db(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

#[tokio::test]
async fn sqlite_file_survives_reopen() {
    let path = temp_db("reopen");
    {
        let store = SqliteStore::open(&path).await.unwrap();
        let page = Changes::new()
            .written(written(1, 11, "one"))
            .written(written(2, 22, "two"))
            .set_checkpoint(checkpoint(1));
        store.apply(A, page).await.unwrap();
        store
            .set_cursor(A, CursorKind::Orders, at(5, 5, 5))
            .await
            .unwrap();
        store
            .record_failure(A, 3, "HTTP 503", at(5, 5, 6))
            .await
            .unwrap();
        store.set_order_item(A, 4242, 9).await.unwrap();
        assert!(
            store
                .remember_event(A, "order:4242", at(5, 5, 7))
                .await
                .unwrap()
        );
    }
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(
        store.links_for(A, &[1, 2]).await.unwrap(),
        HashMap::from([(1, 11), (2, 22)])
    );
    assert_eq!(store.fingerprints_for(A, &[2]).await.unwrap()[&2], "two");
    assert_eq!(store.checkpoint(A).await.unwrap(), Some(checkpoint(1)));
    assert_eq!(
        store.cursor(A, CursorKind::Orders).await.unwrap(),
        Some(at(5, 5, 5))
    );
    assert_eq!(
        store.failed_customers(A).await.unwrap()[0].reason,
        "HTTP 503"
    );
    assert_eq!(store.order_items_for(A, &[4242]).await.unwrap()[&4242], 9);
    assert!(
        !store
            .remember_event(A, "order:4242", at(6, 0, 0))
            .await
            .unwrap()
    );
    drop(store);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = raw
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, SqliteStore::schema_version());
    let mode: String = raw
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(raw);
    remove_db(&path);
}

#[tokio::test]
async fn sqlite_refuses_a_newer_schema() {
    let path = temp_db("newer");
    drop(SqliteStore::open(&path).await.unwrap());
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "user_version", 99).unwrap();
    drop(raw);
    let error = SqliteStore::open(&path).await.unwrap_err();
    assert!(
        matches!(error, StoreError::NewerSchema { found: 99, .. }),
        "{error:?}"
    );
    remove_db(&path);
}

#[tokio::test]
async fn sqlite_rejects_ids_it_cannot_store() {
    let store = SqliteStore::open_in_memory().unwrap();
    let error = store
        .record_written(A, written(u64::MAX, 1, "x"))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::OutOfRange(_)), "{error:?}");
    assert!(store.links_for(A, &[u64::MAX]).await.is_err());
}

#[tokio::test]
async fn memory_store_is_empty_for_unknown_integrations() {
    let store = MemoryStore::new();
    assert_eq!(store.prune_events("nobody", at(1, 0, 0)).await.unwrap(), 0);
    assert!(store.failed_customers("nobody").await.unwrap().is_empty());
}
