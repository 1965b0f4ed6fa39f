//! Faults (5xx, 429 storms with `Retry-After`, hung requests, dropped connections) and
//! killed runs: the final Thulium state must equal a fault-free run's, with nobody missing
//! and nobody twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use common::*;
use sandbox::faults::{Fault, FaultPlan};
use sandbox::idosell::routes;
use sandbox::thulium::CustomerRecord;
use sync_core::engine::adapters::ThuliumCrm;
use sync_core::engine::ports::{CrmPort, PortError};
use sync_core::engine::{Progress, SyncReport};
use thulium_client::{BatchItemOutcome, CustomerInput};
use tokio::sync::Notify;

const SEED: u64 = 11;
const CUSTOMERS: usize = 300;
const ORDERS: usize = 900;
const SHOP_PAGE: u32 = 50;
const WRITE_CHUNK: usize = 25;
const PAGES: u64 = (CUSTOMERS as u64).div_ceil(SHOP_PAGE as u64);

/// The tenant after a fault-free full sync of the same shop.
async fn reference() -> BTreeMap<u64, CustomerRecord> {
    let sandbox = sandbox(SEED, CUSTOMERS, ORDERS).await;
    let db = TempDb::new("reference");
    let options = fast_options(SHOP_PAGE, WRITE_CHUNK);
    let engine = engine(&sandbox, &db, options, ClientTuning::default(), None).await;
    let report = engine.full_sync(&|_| {}).await.expect("fault-free sync");
    assert!(report.failed.is_empty() && report.conflicts.is_empty());
    assert_eq!(report.created, CUSTOMERS as u64);
    let tenant = comparable_snapshot(sandbox.thulium());
    assert_eq!(tenant.len(), CUSTOMERS);
    tenant
}

fn faulty_plan() -> FaultPlan {
    FaultPlan {
        error_rate: 0.10,
        hang_rate: 0.005,
        hang_for: Duration::from_secs(3),
        drop_rate: 0.01,
        ..FaultPlan::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_leave_the_same_final_state_as_a_fault_free_run() {
    let expected = reference().await;
    let sandbox = sandbox(SEED, CUSTOMERS, ORDERS).await;
    for faults in [sandbox.shop().faults(), sandbox.thulium().faults()] {
        faults.set(faulty_plan());
    }
    // 429 storms: three in a row on the shop's customer list and on Thulium's search, two
    // on the batch create (a POST; a 429 was not processed, so the client repeats it).
    let storm = Fault::RateLimited {
        retry_after_secs: 1,
    };
    let shop_faults = sandbox.shop().faults();
    shop_faults.fail_next(&format!("GET {}", routes::CLIENTS), 3, storm.clone());
    let crm_faults = sandbox.thulium().faults();
    crm_faults.fail_next("GET /api/customers", 3, storm.clone());
    crm_faults.fail_next("POST /api/batch/customers", 2, storm);

    let db = TempDb::new("faults");
    let tuning = ClientTuning {
        timeout: Duration::from_millis(400),
        attempts: 8,
    };
    let started = Instant::now();
    // A write that still fails after its single retry is recorded and retried by the next
    // run; a run stopped by a read failure resumes from its checkpoint. Both converge.
    let mut runs = Vec::new();
    for _ in 0..5 {
        let engine = engine(
            &sandbox,
            &db,
            fast_options(SHOP_PAGE, WRITE_CHUNK),
            tuning,
            None,
        )
        .await;
        let outcome = engine.full_sync(&|_| {}).await;
        let done = matches!(&outcome, Ok(report) if report.failed.is_empty());
        runs.push(outcome.map(|r| summary(&r)).map_err(|e| e.to_string()));
        if done {
            break;
        }
    }
    println!("runs under faults: {runs:#?} in {:?}", started.elapsed());
    println!(
        "shop {:?}\nThulium {:?}",
        sandbox.shop().counters(),
        sandbox.thulium().counters()
    );
    assert!(
        matches!(runs.last(), Some(Ok((.., 0)))),
        "did not converge: {runs:?}"
    );
    // The faults did happen: more requests than answers served normally would need.
    assert!(sandbox.shop().counters().get("GET", routes::CLIENTS) > PAGES);

    let got = comparable_snapshot(sandbox.thulium());
    assert_eq!(got.len(), CUSTOMERS, "nobody missing, nobody twice");
    assert_eq!(got, expected);
}

/// (created, updated, skipped, failed) of a run.
fn summary(report: &SyncReport) -> (u64, u64, u64, usize) {
    (
        report.created,
        report.updated,
        report.skipped,
        report.failed.len(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_after_two_pages_resumes_from_its_checkpoint() {
    let expected = reference().await;
    let sandbox = sandbox(SEED, CUSTOMERS, ORDERS).await;
    let db = TempDb::new("kill-pages");
    let options = fast_options(SHOP_PAGE, WRITE_CHUNK);
    let tuning = ClientTuning::default();

    let killed = engine(&sandbox, &db, options, tuning, None).await;
    let kill = Notify::new();
    let pages_done = AtomicU32::new(0);
    let on_page = |progress: &Progress| {
        pages_done.store(progress.page + 1, Ordering::SeqCst);
        if progress.page + 1 == 2 {
            kill.notify_one();
        }
    };
    tokio::select! {
        outcome = killed.full_sync(&on_page) => panic!("the run should have been killed: {outcome:?}"),
        () = kill.notified() => {}
    }
    drop(killed);
    assert_eq!(pages_done.load(Ordering::SeqCst), 2);
    assert_eq!(sandbox.thulium().customer_count(), 2 * SHOP_PAGE as usize);

    sandbox.shop().counters().reset();
    let resumed = engine(&sandbox, &db, options, tuning, None).await;
    let report = resumed.full_sync(&|_| {}).await.expect("resumed sync");
    assert_eq!(report.resumed_from_page, Some(2));
    assert_eq!(report.created, CUSTOMERS as u64 - 2 * SHOP_PAGE as u64);
    assert_eq!(report.updated, 0);
    assert!(report.failed.is_empty() && report.conflicts.is_empty());
    // Only the pages not done yet are read again (4 of 6), plus the closing incremental
    // pass's one window read: 5 instead of a fresh run's 7.
    assert_eq!(
        sandbox.shop().counters().get("GET", routes::CLIENTS),
        PAGES - 2 + 1
    );
    assert_eq!(comparable_snapshot(sandbox.thulium()), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_after_a_batch_reached_thulium_creates_nobody_twice() {
    let expected = reference().await;
    let sandbox = sandbox(SEED, CUSTOMERS, ORDERS).await;
    let db = TempDb::new("kill-write");
    let options = fast_options(SHOP_PAGE, WRITE_CHUNK);
    let tuning = ClientTuning::default();

    // Two batch creates per page: the 7th is the first of page 3. It reaches Thulium, then
    // the run dies before the store learns of it.
    let kill = Arc::new(Notify::new());
    let killer = InterceptedCrm {
        inner: crm_port(&sandbox, tuning),
        writes: KillAfterCreates {
            calls: AtomicUsize::new(0),
            kill_at: 7,
            kill: kill.clone(),
        },
    };
    let killed = engine(&sandbox, &db, options, tuning, Some(Arc::new(killer))).await;
    tokio::select! {
        outcome = killed.full_sync(&|_| {}) => panic!("the run should have been killed: {outcome:?}"),
        () = kill.notified() => {}
    }
    drop(killed);
    let written = 3 * SHOP_PAGE as usize + WRITE_CHUNK;
    assert_eq!(sandbox.thulium().customer_count(), written);

    sandbox.shop().counters().reset();
    sandbox.thulium().counters().reset();
    let resumed = engine(&sandbox, &db, options, tuning, None).await;
    let report = resumed.full_sync(&|_| {}).await.expect("resumed sync");
    assert_eq!(report.resumed_from_page, Some(3));
    // The 25 customers written but not recorded are found by their ID field and updated.
    assert_eq!(report.updated, WRITE_CHUNK as u64);
    assert_eq!(report.created, (CUSTOMERS - written) as u64);
    assert!(report.failed.is_empty() && report.conflicts.is_empty());
    // Pages 3..6 and the closing incremental pass's window.
    assert_eq!(
        sandbox.shop().counters().get("GET", routes::CLIENTS),
        PAGES - 3 + 1
    );
    assert_eq!(comparable_snapshot(sandbox.thulium()), expected);
}

/// CRM writes that let the first `kill_at` batch creates through, never answer the
/// `kill_at`-th or any later one, and signal the test to drop the run.
struct KillAfterCreates {
    calls: AtomicUsize,
    kill_at: usize,
    kill: Arc<Notify>,
}

#[async_trait]
impl WriteInterceptor for KillAfterCreates {
    async fn create_customers(
        &self,
        crm: &ThuliumCrm,
        inputs: &[CustomerInput],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        // Numbered on entry, and nothing past the `kill_at`-th reaches Thulium: batches run
        // concurrently, so a batch started next to the fatal one must die with the process
        // too instead of racing the test's drop.
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if call > self.kill_at {
            std::future::pending::<()>().await;
        }
        let outcome = crm.create_customers(inputs).await;
        if call == self.kill_at {
            self.kill.notify_one();
            std::future::pending::<()>().await;
        }
        outcome
    }
}
