//! The PostgreSQL store beyond the shared contract (`store_contract.rs`): atomic pages,
//! durability across connections, schema versions, concurrent start-up, leases and the
//! webhook inbox. Each test has a database of its own on the cluster `scripts/test` starts;
//! without it the tests fail, they never skip.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod store_helpers;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use store_helpers::{StoreShorthands, written};
use sync_core::engine::store::{
    Changes, CursorKind, FullSyncCheckpoint, PostgresStore, StateStore, StoreError,
};

const A: &str = "shop-a";

fn checkpoint(next_page: u32) -> FullSyncCheckpoint {
    FullSyncCheckpoint {
        started_at: NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .and_hms_micro_opt(8, 0, 0, 654_321)
            .unwrap(),
        next_page,
        page_size: 100,
        customers_done: u64::from(next_page) * 100,
    }
}

async fn fresh(name: &str) -> (String, PostgresStore) {
    let url = sandbox::postgres::fresh_database(name).await.unwrap();
    let store = PostgresStore::connect(&url).await.unwrap();
    (url, store)
}

#[tokio::test]
async fn a_failing_apply_leaves_nothing_half_written() {
    let (_, store) = fresh("atomic").await;
    store
        .record_written(A, written(1, 100, "old"))
        .await
        .unwrap();
    // The last item cannot be stored (an id beyond BIGINT): the whole page is rejected.
    let page = Changes::new()
        .written(written(2, 200, "two"))
        .written(written(1, 100, "new"))
        .order_item_written(77, 7, "o")
        .set_checkpoint(checkpoint(8))
        .written(written(3, u64::MAX, "three"));
    let error = store.apply(A, page).await.unwrap_err();
    assert!(matches!(error, StoreError::OutOfRange(_)), "{error:?}");
    assert_eq!(
        store.links_for(A, &[1, 2, 3]).await.unwrap(),
        HashMap::from([(1, 100)])
    );
    assert_eq!(store.fingerprints_for(A, &[1]).await.unwrap()[&1], "old");
    assert!(store.order_items_for(A, &[77]).await.unwrap().is_empty());
    assert_eq!(store.checkpoint(A).await.unwrap(), None);
}

#[tokio::test]
async fn a_database_error_mid_page_rolls_the_page_back() {
    let (_, store) = fresh("rollback").await;
    // Two clients written to one contact in one page is fine (the second takes it over), but
    // a link to a contact id the database refuses after rows were written must undo them.
    let page = Changes::new()
        .written(written(1, 100, "one"))
        .set_cursor(CursorKind::Customers, checkpoint(1).started_at)
        .push(sync_core::engine::store::Change::Failed {
            client_id: 5,
            reason: "bad\0byte".to_owned(), // PostgreSQL text cannot hold NUL: a database error
            at: checkpoint(1).started_at,
        });
    let error = store.apply(A, page).await.unwrap_err();
    assert!(matches!(error, StoreError::Database(_)), "{error:?}");
    assert!(store.links_for(A, &[1]).await.unwrap().is_empty());
    assert_eq!(store.cursor(A, CursorKind::Customers).await.unwrap(), None);
}

#[tokio::test]
async fn data_survive_a_new_connection_and_the_schema_is_versioned() {
    let (url, store) = fresh("reopen").await;
    store
        .apply(
            A,
            Changes::new()
                .written(written(1, 11, "one"))
                .set_checkpoint(checkpoint(2)),
        )
        .await
        .unwrap();
    drop(store);
    let store = PostgresStore::connect(&url).await.unwrap();
    assert_eq!(
        store.links_for(A, &[1]).await.unwrap(),
        HashMap::from([(1, 11)])
    );
    assert_eq!(store.checkpoint(A).await.unwrap(), Some(checkpoint(2)));

    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let version: i64 = client
        .query_one("SELECT version FROM sync_schema", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(version, PostgresStore::schema_version());
    client
        .execute("UPDATE sync_schema SET version = 99", &[])
        .await
        .unwrap();
    let error = PostgresStore::connect(&url).await.unwrap_err();
    assert!(
        matches!(error, StoreError::NewerSchema { found: 99, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn daemons_starting_together_migrate_once() {
    let url = sandbox::postgres::fresh_database("together").await.unwrap();
    let stores = futures::future::join_all((0..4).map(|_| PostgresStore::connect(&url))).await;
    for store in stores {
        let store = store.unwrap();
        store.set_checkpoint(A, checkpoint(1)).await.unwrap();
    }
}

#[tokio::test]
async fn an_unreachable_database_is_a_clear_error() {
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://sync:secret-password@127.0.0.1:{port}/sync");
    let error = PostgresStore::connect(&url).await.unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, StoreError::Database(_)), "{message}");
    assert!(!message.contains("secret-password"), "{message}");
    assert!(PostgresStore::connect("not a url").await.is_err());
}

#[tokio::test]
async fn one_holder_at_a_time_and_a_dead_holders_lease_is_taken_over() {
    let (_, store) = fresh("leases").await;
    let ttl = Duration::from_millis(600);
    let (one, two) = (store.leases("daemon-1", ttl), store.leases("daemon-2", ttl));

    assert_eq!(one.heartbeat().await.unwrap(), 1);
    assert_eq!(two.heartbeat().await.unwrap(), 2, "two daemons alive");
    two.leave().await.unwrap();
    assert_eq!(one.heartbeat().await.unwrap(), 1);

    assert!(one.acquire(A).await.unwrap());
    assert!(!two.acquire(A).await.unwrap(), "held by daemon-1");
    assert!(
        two.acquire("shop-b").await.unwrap(),
        "another integration is free"
    );
    assert_eq!(one.holder_of(A).await.unwrap().as_deref(), Some("daemon-1"));
    // Renewing keeps it past the first time-to-live.
    for _ in 0..4 {
        tokio::time::sleep(ttl / 3).await;
        assert!(one.acquire(A).await.unwrap());
        assert!(!two.acquire(A).await.unwrap());
    }
    // daemon-1 "dies": it stops renewing; daemon-2 takes over once the lease expires.
    let died = Instant::now();
    while !two.acquire(A).await.unwrap() {
        assert!(died.elapsed() < ttl * 3, "no takeover within the bound");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        died.elapsed() >= ttl / 2,
        "taken over before the lease expired"
    );
    assert!(!one.acquire(A).await.unwrap(), "the old holder lost it");
    // A clean release hands it over at once.
    two.release(A).await.unwrap();
    assert_eq!(two.holder_of(A).await.unwrap(), None);
    assert!(one.acquire(A).await.unwrap());
}

#[tokio::test]
async fn webhooks_reach_one_taker_in_arrival_order() {
    let (_, store) = fresh("inbox").await;
    let inbox = store.inbox();
    for n in 0..40 {
        inbox.push(A, &format!("message {n}")).await.unwrap();
    }
    inbox.push("shop-b", "for b").await.unwrap();
    // Two takers at once never get the same message.
    let (first, second) = tokio::join!(inbox.take(A, 25), inbox.take(A, 25));
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.len() + second.len(), 40);
    let mut seen: Vec<String> = first
        .iter()
        .chain(&second)
        .map(|m| m.payload.clone())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 40);
    for batch in [&first, &second] {
        let numbers: Vec<u32> = batch
            .iter()
            .map(|m| m.payload["message ".len()..].parse().unwrap())
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
        assert!(batch.iter().all(|m| m.integration == A));
    }
    assert!(inbox.take(A, 10).await.unwrap().is_empty());
    let b = inbox.take("shop-b", 10).await.unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].payload, "for b");
}

#[tokio::test]
async fn a_stored_webhook_is_announced_to_every_daemons_listener_at_once() {
    let (url, stored_by) = fresh("inbox-arrivals").await;
    let listening = PostgresStore::connect(&url).await.unwrap();
    let mut arrivals = listening.inbox().arrivals();
    // The listener says when its LISTEN took effect (an empty name: look for everything).
    let ready = tokio::time::timeout(Duration::from_secs(10), arrivals.recv()).await;
    assert_eq!(ready.unwrap().unwrap(), "");
    // Inboxes handed out later share the one listener.
    let mut second = listening.inbox().arrivals();

    stored_by.inbox().push(A, "a webhook").await.unwrap();
    stored_by.inbox().push("shop-b", "another").await.unwrap();
    for receiver in [&mut arrivals, &mut second] {
        let mut names = Vec::new();
        for _ in 0..2 {
            let name = tokio::time::timeout(Duration::from_secs(10), receiver.recv()).await;
            names.push(name.unwrap().unwrap());
        }
        assert_eq!(names, [A, "shop-b"]);
    }
    // The webhook itself waits in the inbox for its taker.
    let taken = listening.inbox().take(A, 10).await.unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].payload, "a webhook");
}
