//! Crash and resume as a process: the `full-sync` binary is killed with SIGKILL mid-way
//! through a few thousand customers, then run again with the same state file. The tenant
//! ends equal to a fresh run's, nobody twice, and the second run did not start over.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{TempDb, shop_id_of};
use sandbox::faults::FaultPlan;
use sandbox::generator::GeneratorConfig;
use sandbox::idosell::routes;
use sandbox::thulium::{CustomerRecord, ThuliumSim};
use sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

const SEED: u64 = 31;
const CUSTOMERS: usize = 3_000;
/// The run is killed once Thulium holds this many of its customers (about a third).
const KILL_AT: usize = 1_000;

/// The `full-sync` binary, built (or found up to date) by Cargo, which names its path: a
/// dev-dependency's binaries are not built for another package's tests.
fn full_sync_exe() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--quiet", "-p", "examples", "--bin", "full-sync"])
        .arg("--message-format=json")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "building full-sync failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|message| message["target"]["name"] == "full-sync")
        .and_then(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the full-sync executable")
}

/// A generated shop and a tenant holding one earlier contact (preflight needs a customer
/// to see the custom fields).
async fn sandbox() -> Sandbox {
    let mut config = SandboxConfig::generated(&GeneratorConfig {
        seed: SEED,
        customers: CUSTOMERS,
        orders: CUSTOMERS * 3,
        ..GeneratorConfig::default()
    });
    config.thulium.initial_customers = vec![CustomerRecord {
        name: Some("Hurtownia".to_owned()),
        surname: Some("Dostawca".to_owned()),
        ..CustomerRecord::default()
    }];
    Sandbox::start(config).await.unwrap()
}

fn full_sync(exe: &Path, sandbox: &Sandbox, state: &Path, report: &Path) -> Command {
    let mut command = Command::new(exe);
    command
        .args(["--shop-url", sandbox.shop_url.as_str()])
        .args(["--thulium-url", sandbox.thulium_url.as_str()])
        .args(["--thulium-user", &sandbox.thulium_user])
        .arg("--state")
        .arg(state)
        .arg("--report-json")
        .arg(report)
        .env("IAI_SHOP_API_KEY", &sandbox.shop_api_key)
        .env("THULIUM_PASSWORD", &sandbox.thulium_password)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// Runs the command to its end off the async runtime, so the sandbox keeps serving.
async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// The synced customers by shop ID, without what Thulium generates; the earlier contact
/// must still be there, untouched, and no shop ID may appear twice.
fn synced(sim: &ThuliumSim) -> BTreeMap<u64, CustomerRecord> {
    let mut by_shop_id = BTreeMap::new();
    let mut others = 0;
    for mut record in sim.snapshot() {
        let Some(shop_id) = shop_id_of(&record) else {
            others += 1;
            continue;
        };
        record.customer_id = 0;
        record.updated_at.clear();
        assert!(
            by_shop_id.insert(shop_id, record).is_none(),
            "shop ID {shop_id} twice"
        );
    }
    assert_eq!(others, 1, "only the earlier contact has no shop ID");
    by_shop_id
}

fn first_report(path: &Path) -> Value {
    let document: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    document["reports"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_full_sync_process_resumes_without_duplicates_or_starting_over() {
    let exe = tokio::task::spawn_blocking(full_sync_exe).await.unwrap();
    let report = TempDb::new("crash-report");

    // A fresh, uninterrupted run: the expected tenant and what a run from scratch costs.
    let fresh = sandbox().await;
    let fresh_state = TempDb::new("crash-fresh");
    let output = run(full_sync(&exe, &fresh, fresh_state.path(), report.path())).await;
    assert!(output.status.success(), "{output:?}");
    let expected = synced(fresh.thulium());
    assert_eq!(expected.len(), CUSTOMERS);
    let fresh_pages = fresh.shop().counters().get("GET", routes::CLIENTS);
    let fresh_shop_requests = fresh.shop().counters().total();
    drop(fresh);

    // The same shop, slowed down so that the run can be killed a third of the way in.
    let sandbox = sandbox().await;
    for faults in [sandbox.shop().faults(), sandbox.thulium().faults()] {
        faults.set(FaultPlan {
            latency: Duration::from_millis(30),
            ..FaultPlan::default()
        });
    }
    let state = TempDb::new("crash-state");
    let mut child = full_sync(&exe, &sandbox, state.path(), report.path())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while sandbox.thulium().customer_count() < 1 + KILL_AT {
        assert!(
            child.try_wait().unwrap().is_none(),
            "full-sync ended before it could be killed"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL: no clean-up of any kind.
    child.wait().unwrap();
    let at_kill = sandbox.thulium().customer_count() - 1;
    assert!(at_kill < CUSTOMERS, "killed before the end ({at_kill})");

    for faults in [sandbox.shop().faults(), sandbox.thulium().faults()] {
        faults.clear();
    }
    sandbox.shop().counters().reset();
    let output = run(full_sync(&exe, &sandbox, state.path(), report.path())).await;
    assert!(output.status.success(), "{output:?}");
    let resumed = first_report(report.path());
    let from_page = resumed["resumed_from_page"].as_u64().expect("it resumed");
    assert!(from_page >= 1, "{resumed}");
    assert!(resumed["failed"].as_array().unwrap().is_empty());
    // Customers written before the kill but not yet checkpointed are found and kept (at
    // most updated); nobody already there is created again.
    let created = resumed["created"].as_u64().unwrap();
    assert!(
        created <= (CUSTOMERS - at_kill) as u64,
        "{created} created after {at_kill}"
    );

    // It did not start over: fewer pages and fewer shop requests than the fresh run.
    let pages = sandbox.shop().counters().get("GET", routes::CLIENTS);
    assert!(pages < fresh_pages, "{pages} pages vs {fresh_pages}");
    assert!(sandbox.shop().counters().total() < fresh_shop_requests);
    assert_eq!(synced(sandbox.thulium()), expected);
}

/// Runs `full-sync` until it exits 0, at most `reruns` times; returns each exit code.
async fn rerun_until_clean(exe: &Path, sandbox: &Sandbox, state: &Path, reruns: usize) -> Vec<i32> {
    let report = TempDb::new("crash-real-report");
    let mut codes = Vec::new();
    for _ in 0..reruns {
        let output = run(full_sync(exe, sandbox, state, report.path())).await;
        let code = output.status.code().unwrap_or(-1);
        codes.push(code);
        if code == 0 {
            break;
        }
    }
    codes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_on_a_lived_in_tenant_ends_in_the_fault_free_tenant() {
    use common::real_tenant::{assert_sound, canonical, first_difference, next_id, realistic};
    const SHOP: usize = 300;
    const AGENTS: usize = 560;
    let exe = tokio::task::spawn_blocking(full_sync_exe).await.unwrap();

    let fresh = realistic(SHOP, AGENTS).await;
    let first_created = next_id(&fresh);
    let fresh_state = TempDb::new("crash-real-fresh");
    assert_eq!(
        rerun_until_clean(&exe, &fresh, fresh_state.path(), 1).await,
        [0]
    );
    let expected = canonical(&fresh, first_created);
    assert_sound(&fresh, &expected);
    drop(fresh);

    // SIGKILL once the n-th batch of creates (POST) or of updates (PUT: the adoptions decided
    // at the end of the run) has been served.
    for (method, served) in [("POST", 1), ("POST", 3), ("PUT", 1)] {
        let sandbox = realistic(SHOP, AGENTS).await;
        let first_created = next_id(&sandbox);
        for faults in [sandbox.shop().faults(), sandbox.thulium().faults()] {
            faults.set(FaultPlan {
                latency: Duration::from_millis(30),
                ..FaultPlan::default()
            });
        }
        let state = TempDb::new("crash-real");
        let report = TempDb::new("crash-real-first");
        let mut child = full_sync(&exe, &sandbox, state.path(), report.path())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let batches = || {
            sandbox
                .thulium()
                .counters()
                .get(method, "/api/batch/customers")
        };
        while batches() < served {
            assert!(
                child.try_wait().unwrap().is_none(),
                "full-sync ended before {method} batch {served}"
            );
            assert!(started.elapsed() < Duration::from_secs(60), "no progress");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        child.kill().unwrap(); // SIGKILL: no clean-up of any kind.
        child.wait().unwrap();
        for faults in [sandbox.shop().faults(), sandbox.thulium().faults()] {
            faults.clear();
        }
        // At most two clean reruns, the second only if the first left a failure (exit 2).
        let codes = rerun_until_clean(&exe, &sandbox, state.path(), 2).await;
        assert_eq!(
            codes.last(),
            Some(&0),
            "{method} {served}: exit codes {codes:?}"
        );
        let tenant = canonical(&sandbox, first_created);
        assert_sound(&sandbox, &tenant);
        assert!(
            tenant == expected,
            "killed after {method} batch {served}: {}",
            first_difference(&tenant, &expected)
        );
    }
}
