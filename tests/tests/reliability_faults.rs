//! The fault cases `e2e_faults_and_resume` does not cover: malformed (truncated) JSON
//! answers on each read and on a batch write, and 207 answers in which some items failed.
//! Each run ends with the Thulium tenant equal to a fault-free run's, nobody twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use async_trait::async_trait;
use common::*;
use sandbox::Sandbox;
use sandbox::faults::Fault;
use sandbox::idosell::routes;
use sandbox::thulium::CustomerRecord;
use serde_json::Value;
use sync_core::engine::adapters::ThuliumCrm;
use sync_core::engine::ports::{CrmPort, CustomerUpdate, PortError};
use sync_core::engine::{EngineOptions, SyncReport};
use thulium_client::{BatchItemOutcome, CustomerInput};

const SEED: u64 = 23;
const CUSTOMERS: usize = 200;
const ORDERS: usize = 600;
const SHOP_PAGE: u32 = 50;
const WRITE_CHUNK: usize = 25;

fn options() -> EngineOptions {
    fast_options(SHOP_PAGE, WRITE_CHUNK)
}

/// Requests per `"METHOD route"`, as the simulators count them.
type Counts = BTreeMap<String, u64>;

/// The tenant after a fault-free full sync, and the requests each simulator served.
async fn reference() -> (BTreeMap<u64, CustomerRecord>, Counts, Counts) {
    let sandbox = sandbox(SEED, CUSTOMERS, ORDERS).await;
    let db = TempDb::new("rel-reference");
    let engine = engine(&sandbox, &db, options(), ClientTuning::default(), None).await;
    let report = engine.full_sync(&|_| {}).await.expect("fault-free sync");
    assert_eq!(report.created, CUSTOMERS as u64);
    (
        comparable_snapshot(sandbox.thulium()),
        sandbox.shop().counters().snapshot(),
        sandbox.thulium().counters().snapshot(),
    )
}

fn count(counts: &Counts, method: &str, route: &str) -> u64 {
    counts
        .get(&format!("{method} {route}"))
        .copied()
        .unwrap_or(0)
}

/// Runs full syncs over one state file until one finishes without failed customers (at
/// most `runs`), as an operator re-running the command would; returns every outcome.
async fn converge(
    sandbox: &Sandbox,
    db: &TempDb,
    crm: Option<Arc<dyn CrmPort>>,
    runs: usize,
) -> Vec<Result<SyncReport, String>> {
    let mut outcomes = Vec::new();
    for _ in 0..runs {
        let engine = engine(sandbox, db, options(), ClientTuning::default(), crm.clone()).await;
        let outcome = engine.full_sync(&|_| {}).await.map_err(|e| e.to_string());
        let done = matches!(&outcome, Ok(report) if report.failed.is_empty());
        outcomes.push(outcome);
        if done {
            break;
        }
    }
    outcomes
}

fn assert_converged(outcomes: &[Result<SyncReport, String>]) {
    let last = outcomes.last().expect("at least one run");
    assert!(
        matches!(last, Ok(report) if report.failed.is_empty() && report.conflicts.is_empty()),
        "did not converge: {outcomes:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_json_on_every_read_and_on_a_batch_write_changes_nothing_in_the_end() {
    let (expected, shop_fault_free, crm_fault_free) = reference().await;
    let sandbox = sandbox(SEED, CUSTOMERS, ORDERS).await;
    let shop = sandbox.shop().faults();
    let crm = sandbox.thulium().faults();
    // The second page of customers, the third orders search, the tenant read and the
    // fourth batch create come back as a 200 with a body cut off mid-way. The batch's
    // customers are not stored (an injected fault never reaches the simulator), but the
    // engine cannot know: it must neither lose them nor create them twice.
    let clients = format!("GET {}", routes::CLIENTS);
    let orders = format!("POST {}", routes::ORDERS_SEARCH);
    shop.fail_next(&clients, 1, Fault::MalformedJson);
    shop.fail_next(&orders, 1, Fault::MalformedJson);
    crm.fail_next("GET /api/customers", 1, Fault::MalformedJson);
    crm.fail_next("POST /api/batch/customers", 1, Fault::MalformedJson);

    let db = TempDb::new("rel-malformed");
    let outcomes = converge(&sandbox, &db, None, 6).await;
    assert_converged(&outcomes);
    // Each faulted route was asked more often than in the fault-free run: the faults were
    // served, and answered by a retry or by the next run.
    let (shop_counts, crm_counts) = (sandbox.shop().counters(), sandbox.thulium().counters());
    for (method, route) in [("GET", routes::CLIENTS), ("POST", routes::ORDERS_SEARCH)] {
        let served = shop_counts.get(method, route);
        assert!(
            served > count(&shop_fault_free, method, route),
            "{route}: {served}"
        );
    }
    let tenant_reads = crm_counts.get("GET", "/api/customers");
    assert!(tenant_reads > count(&crm_fault_free, "GET", "/api/customers"));
    // The cut-off batch answer: its customers were sent again (singly or in a batch).
    let writes = |counts: &Counts| -> u64 {
        counts
            .iter()
            .filter(|(key, _)| key.starts_with("POST "))
            .map(|(_, n)| n)
            .sum()
    };
    assert!(writes(&crm_counts.snapshot()) > writes(&crm_fault_free));
    let got = comparable_snapshot(sandbox.thulium());
    assert_eq!(got.len(), CUSTOMERS, "nobody missing, nobody twice");
    assert_eq!(got, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_failed_in_a_207_are_retried_singly_or_next_run_never_dropped() {
    let (expected, ..) = reference().await;
    let sandbox = sandbox(SEED, CUSTOMERS, ORDERS).await;
    let flaky = Arc::new(InterceptedCrm {
        inner: crm_port(&sandbox, ClientTuning::default()),
        writes: FailingItems {
            every: 4,
            singles_fail: AtomicBool::new(true),
            failed_in_batches: AtomicU64::new(0),
            failed_singly: AtomicU64::new(0),
        },
    });
    let db = TempDb::new("rel-207");
    let crm: Arc<dyn CrmPort> = flaky.clone();

    // First run: a quarter of every batch fails, and so does each single retry: those
    // customers are recorded as failed, not dropped.
    let first = converge(&sandbox, &db, Some(crm.clone()), 1).await;
    let first = first[0].as_ref().expect("the run finishes");
    let failed_in_batches = flaky.writes.failed_in_batches.load(Ordering::SeqCst);
    assert!(failed_in_batches >= (CUSTOMERS / 4) as u64 - 4);
    assert_eq!(first.failed.len() as u64, failed_in_batches, "{first:?}");
    assert_eq!(first.single_retries, failed_in_batches);
    assert_eq!(
        flaky.writes.failed_singly.load(Ordering::SeqCst),
        failed_in_batches
    );
    assert_eq!(first.created + first.failed.len() as u64, CUSTOMERS as u64);
    assert_eq!(
        sandbox.thulium().customer_count(),
        CUSTOMERS - first.failed.len()
    );

    // Next run: single retries go through now; the failed customers are written once.
    flaky.writes.singles_fail.store(false, Ordering::SeqCst);
    let rest = converge(&sandbox, &db, Some(crm), 3).await;
    assert_converged(&rest);
    let got = comparable_snapshot(sandbox.thulium());
    assert_eq!(got.len(), CUSTOMERS, "nobody missing, nobody twice");
    assert_eq!(got, expected);
}

/// CRM writes whose batches fail every `every`-th item with a 207 item status of 503
/// (that item is not sent to Thulium), and whose single writes fail while `singles_fail`.
struct FailingItems {
    every: usize,
    singles_fail: AtomicBool,
    failed_in_batches: AtomicU64,
    failed_singly: AtomicU64,
}

impl FailingItems {
    fn failed_item() -> BatchItemOutcome {
        BatchItemOutcome::Failed {
            status: Some(503),
            errors: Vec::new(),
            raw: Value::Null,
        }
    }

    /// Sends the items that pass, and puts their outcomes back in request order.
    async fn batch<T, F>(&self, items: &[T], send: F) -> Result<Vec<BatchItemOutcome>, PortError>
    where
        T: Clone,
        F: AsyncFnOnce(Vec<T>) -> Result<Vec<BatchItemOutcome>, PortError>,
    {
        let fails = |i: usize| i % self.every == self.every - 1;
        let passing: Vec<T> = (0..items.len())
            .filter(|i| !fails(*i))
            .map(|i| items[i].clone())
            .collect();
        let mut sent = if passing.is_empty() {
            Vec::new()
        } else {
            send(passing).await?
        }
        .into_iter();
        let mut outcomes = Vec::with_capacity(items.len());
        for i in 0..items.len() {
            if fails(i) {
                self.failed_in_batches.fetch_add(1, Ordering::SeqCst);
                outcomes.push(Self::failed_item());
            } else {
                outcomes.push(sent.next().unwrap_or_else(Self::failed_item));
            }
        }
        Ok(outcomes)
    }

    fn single(&self) -> Result<(), PortError> {
        if self.singles_fail.load(Ordering::SeqCst) {
            self.failed_singly.fetch_add(1, Ordering::SeqCst);
            return Err(PortError::retryable("injected: still failing").with_status(503));
        }
        Ok(())
    }
}

#[async_trait]
impl WriteInterceptor for FailingItems {
    async fn create_customers(
        &self,
        crm: &ThuliumCrm,
        inputs: &[CustomerInput],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        self.batch(inputs, async |items| crm.create_customers(&items).await)
            .await
    }
    async fn update_customers(
        &self,
        crm: &ThuliumCrm,
        updates: &[CustomerUpdate],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        self.batch(updates, async |items| crm.update_customers(&items).await)
            .await
    }
    async fn create_customer(
        &self,
        crm: &ThuliumCrm,
        input: &CustomerInput,
    ) -> Result<u64, PortError> {
        self.single()?;
        crm.create_customer(input).await
    }
    async fn update_customer(
        &self,
        crm: &ThuliumCrm,
        update: &CustomerUpdate,
    ) -> Result<(), PortError> {
        self.single()?;
        crm.update_customer(update).await
    }
}
