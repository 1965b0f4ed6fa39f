//! A tenant that looks real: agent-made contacts (some sharing an e-mail or a phone typed any
//! way with shop clients, some holding values the shop does not know, decoys a substring
//! search would find), registered + guest pairs sharing one e-mail, list answers without a
//! total. The final tenant must be the same at concurrency 1 and 8 on every repetition; no
//! contact adopted without an exact e-mail or phone in common; no agent-entered value lost;
//! and every interruption — faults of every kind, runs killed at any point — followed by at
//! most two clean reruns ends in that same tenant, with nobody's data on another's contact.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use common::real_tenant::*;
use common::*;
use sandbox::faults::FaultPlan;
use sandbox::generator::{AgentContacts, GeneratorConfig};
use sandbox::thulium::CustomerRecord;
use sandbox::{Sandbox, SandboxConfig};
use sync_core::engine::adapters::ThuliumCrm;
use sync_core::engine::ports::{CrmPort, CustomerUpdate, PortError};
use sync_core::engine::{EngineOptions, SyncReport};
use thulium_client::{BatchItemOutcome, CustomerInput};
use tokio::sync::Notify;

const CUSTOMERS: usize = 600;
const AGENT_CONTACTS: usize = 1125;

fn options(concurrency: usize) -> EngineOptions {
    EngineOptions {
        concurrency,
        ..EngineOptions::default()
    }
}

/// The Thulium requests of a first sync's lower bound: the tenant read (pages of 1000
/// overlapping by 20, plus one probe as the answers carry no total), and the batches of 50
/// for creates and adoptions.
fn thulium_bound(contacts: u64, report: &SyncReport) -> u64 {
    let tenant = 1 + contacts.saturating_sub(1000).div_ceil(980) + 1;
    tenant + report.created.div_ceil(50) + report.adopted.div_ceil(50)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_tenant_at_concurrency_1_and_8_on_every_repetition() {
    let mut reference: Option<BTreeMap<String, CustomerRecord>> = None;
    for run in 0..20 {
        let concurrency = if run % 2 == 0 { 1 } else { 8 };
        let sandbox = realistic(CUSTOMERS, AGENT_CONTACTS).await;
        let contacts = sandbox.thulium().snapshot().len() as u64;
        let first_created = next_id(&sandbox);
        let db = TempDb::new("real-tenant");
        let engine = engine(
            &sandbox,
            &db,
            options(concurrency),
            ClientTuning::default(),
            None,
        )
        .await;
        let report = engine.full_sync(&|_| {}).await.expect("full sync");
        assert!(report.failed.is_empty(), "{report}");
        assert!(report.adopted > 0 && report.created > 0, "{report}");
        let tenant = canonical(&sandbox, first_created);
        assert_sound(&sandbox, &tenant);
        let thulium = report.requests_to("crm");
        let bound = thulium_bound(contacts, &report);
        if run < 2 {
            eprintln!(
                "concurrency {concurrency}: created {}, adopted {}, conflict notes {}, Thulium requests {thulium} (bound {bound}, {:.2}x), shop requests {}",
                report.created,
                report.adopted,
                report.conflicts.len(),
                thulium as f64 / bound as f64,
                report.requests_to("shop"),
            );
        }
        // Per-page batches of 50 round up once per page; the rest is the bound.
        let pages = (CUSTOMERS as u64).div_ceil(100);
        assert!(
            thulium <= bound + pages,
            "{thulium} requests, bound {bound}"
        );
        assert_eq!(report.requests_of("crm.find_by_email"), 0);
        match &reference {
            None => reference = Some(tenant),
            Some(expected) => assert!(
                &tenant == expected,
                "run {run} (concurrency {concurrency}) ended in another tenant"
            ),
        }
    }
}

/// The tenant of a fault-free run, at concurrency 4.
async fn fault_free(customers: usize, agents: usize) -> BTreeMap<String, CustomerRecord> {
    let sandbox = realistic(customers, agents).await;
    let first_created = next_id(&sandbox);
    let db = TempDb::new("real-reference");
    let engine = engine(&sandbox, &db, options(4), ClientTuning::default(), None).await;
    let report = engine.full_sync(&|_| {}).await.expect("fault-free sync");
    assert!(report.failed.is_empty(), "{report}");
    canonical(&sandbox, first_created)
}

/// A faulty run, then clean reruns (a full sync, as `full-sync` would run again, then an
/// incremental pass, as the daemon would): at most two after the faulty one must give a
/// run with no failure left.
async fn converge(sandbox: &Sandbox, db: &TempDb, faulty: Option<FaultPlan>) -> Vec<String> {
    let tuning = ClientTuning {
        timeout: Duration::from_millis(700),
        attempts: 4,
    };
    let mut outcomes = Vec::new();
    if let Some(plan) = faulty {
        sandbox.thulium().faults().set(plan.clone());
        sandbox.shop().faults().set(plan);
        let engine = engine(sandbox, db, options(4), tuning, None).await;
        let outcome = engine.full_sync(&|_| {}).await;
        outcomes.push(describe(&outcome));
        sandbox.thulium().faults().set(FaultPlan::default());
        sandbox.shop().faults().set(FaultPlan::default());
    }
    for _ in 0..2 {
        let engine = engine(sandbox, db, options(4), tuning, None).await;
        let outcome = engine.full_sync(&|_| {}).await;
        let clean = matches!(&outcome, Ok(report) if report.failed.is_empty());
        outcomes.push(describe(&outcome));
        if clean {
            return outcomes;
        }
    }
    panic!("two clean reruns did not converge: {outcomes:?}");
}

fn describe(outcome: &Result<SyncReport, sync_core::engine::SyncError>) -> String {
    match outcome {
        Ok(report) => format!(
            "ok: {} created, {} adopted, {} updated, {} failed, {} read retries",
            report.created,
            report.adopted,
            report.updated,
            report.failed.len(),
            report.read_retries
        ),
        Err(error) => format!("stopped: {error}"),
    }
}

const FAULT_CUSTOMERS: usize = 300;
const FAULT_AGENTS: usize = 560;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_fault_converges_to_the_fault_free_tenant() {
    let expected = fault_free(FAULT_CUSTOMERS, FAULT_AGENTS).await;
    let short_hang = Duration::from_secs(2);
    let plans = [
        (
            "dropped connections",
            FaultPlan {
                drop_rate: 0.10,
                ..FaultPlan::default()
            },
        ),
        (
            "5xx and 429",
            FaultPlan {
                error_rate: 0.10,
                rate_limit_rate: 0.05,
                retry_after_secs: 0,
                ..FaultPlan::default()
            },
        ),
        (
            "writes applied, answered 5xx",
            FaultPlan {
                applied_error_rate: 0.10,
                ..FaultPlan::default()
            },
        ),
        (
            "writes applied, never answered",
            FaultPlan {
                applied_hang_rate: 0.05,
                applied_drop_rate: 0.05,
                hang_for: short_hang,
                ..FaultPlan::default()
            },
        ),
        (
            "bodies cut short",
            FaultPlan {
                truncated_rate: 0.10,
                malformed_rate: 0.05,
                ..FaultPlan::default()
            },
        ),
    ];
    for (name, plan) in plans {
        let sandbox = realistic(FAULT_CUSTOMERS, FAULT_AGENTS).await;
        let first_created = next_id(&sandbox);
        let db = TempDb::new("real-faults");
        let outcomes = converge(&sandbox, &db, Some(plan)).await;
        let tenant = canonical(&sandbox, first_created);
        assert_sound(&sandbox, &tenant);
        assert!(
            tenant == expected,
            "{name}: the tenant differs from a fault-free run's ({outcomes:?}): {}",
            first_difference(&tenant, &expected)
        );
        eprintln!("{name}: {outcomes:?}");
    }
}

/// Passes every customer write to Thulium, and wakes the test when the `kill_at`-th write
/// (counting batch and single ones) has been sent and is in flight.
struct KillSwitch {
    writes: AtomicU64,
    kill_at: u64,
    in_flight: Arc<Notify>,
}

impl KillSwitch {
    async fn pass<T>(&self, write: impl Future<Output = T>) -> T {
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        if n == self.kill_at {
            self.in_flight.notify_one();
        }
        write.await
    }
}

#[async_trait]
impl WriteInterceptor for KillSwitch {
    async fn create_customers(
        &self,
        crm: &ThuliumCrm,
        inputs: &[CustomerInput],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        self.pass(crm.create_customers(inputs)).await
    }
    async fn update_customers(
        &self,
        crm: &ThuliumCrm,
        updates: &[CustomerUpdate],
    ) -> Result<Vec<BatchItemOutcome>, PortError> {
        self.pass(crm.update_customers(updates)).await
    }
    async fn create_customer(
        &self,
        crm: &ThuliumCrm,
        input: &CustomerInput,
    ) -> Result<u64, PortError> {
        self.pass(crm.create_customer(input)).await
    }
    async fn update_customer(
        &self,
        crm: &ThuliumCrm,
        update: &CustomerUpdate,
    ) -> Result<(), PortError> {
        self.pass(crm.update_customer(update)).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_at_any_point_converges_to_the_fault_free_tenant() {
    let expected = fault_free(FAULT_CUSTOMERS, FAULT_AGENTS).await;
    // Killed while the n-th Thulium write is in flight (the first create batch, the fourth,
    // the last create batches, and the adoption batches at the end of the run), and after a
    // fixed time into the run (during the tenant read).
    for kill_at in [1, 4, 7, 9, 10] {
        let sandbox = realistic(FAULT_CUSTOMERS, FAULT_AGENTS).await;
        let first_created = next_id(&sandbox);
        let db = TempDb::new("real-kill");
        let in_flight = Arc::new(Notify::new());
        let crm = InterceptedCrm {
            inner: crm_port(&sandbox, ClientTuning::default()),
            writes: KillSwitch {
                writes: AtomicU64::new(0),
                kill_at,
                in_flight: Arc::clone(&in_flight),
            },
        };
        // The run lives in a runtime of its own, shut down at once like a killed process:
        // every task it spawned (requests in flight included) stops with it.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let engine = engine(
            &sandbox,
            &db,
            options(4),
            ClientTuning::default(),
            Some(Arc::new(crm)),
        )
        .await;
        let run = runtime.spawn(async move { engine.full_sync(&|_| {}).await.is_ok() });
        let killed = tokio::select! {
            _ = run => false,
            () = in_flight.notified() => {
                // Let the write reach the sandbox, then pull the plug.
                tokio::time::sleep(Duration::from_millis(2)).await;
                true
            }
        };
        runtime.shutdown_background();
        // What reached the sandbox before the kill is handled before the next run starts.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let outcomes = converge(&sandbox, &db, None).await;
        let tenant = canonical(&sandbox, first_created);
        assert_sound(&sandbox, &tenant);
        assert!(
            tenant == expected,
            "killed at write {kill_at} ({}): the tenant differs ({outcomes:?}): {}",
            if killed { "killed" } else { "finished first" },
            first_difference(&tenant, &expected)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_changing_the_tenant_while_it_is_read_cause_no_duplicate() {
    let config = SandboxConfig::realistic(
        &GeneratorConfig {
            seed: SEED,
            customers: CUSTOMERS,
            orders: CUSTOMERS * 3,
            guest_pair_share: 0.1,
            ..GeneratorConfig::default()
        },
        &AgentContacts {
            seed: SEED,
            ..AgentContacts::new(2500, 0.3)
        },
    )
    .with_mid_read_changes(sandbox::thulium::MidReadChanges {
        seed: 5,
        ..sandbox::thulium::MidReadChanges::new(1, 8)
    });
    let sandbox = Sandbox::start(config).await.unwrap();
    let first_created = next_id(&sandbox);
    let db = TempDb::new("real-mid-read");
    let engine = engine(&sandbox, &db, options(4), ClientTuning::default(), None).await;
    let report = engine.full_sync(&|_| {}).await.expect("full sync");
    assert!(report.failed.is_empty(), "{report}");
    assert!(!sandbox.thulium().mid_read_events().is_empty());
    let tenant = canonical(&sandbox, first_created);
    assert_sound(&sandbox, &tenant);
    // Every agent contact that still exists and matches exactly one shop client whose other
    // candidates did not outrank it... is at least never duplicated: each shop client is on
    // one contact (canonical panics otherwise), and no contact seeded before the run that
    // matches a client was passed over for a new one while a read could see it.
    let rerun = engine.full_sync(&|_| {}).await.expect("second sync");
    assert_eq!((rerun.created, rerun.adopted), (0, 0), "{rerun}");
}
