//! `full-sync` as a process: against a sandbox started in the test (URLs given as flags or
//! in a TOML file), in dry-run mode, and with bad settings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::process::{TempDir, assert_exit_ok};
use common::sandbox_clients::thulium_client;
use examples::demo::{DemoOptions, start_sandbox};
use sandbox::Sandbox;
use sandbox::faults::Fault;
use serde_json::Value;
use thulium_client::CustomerInput;

const CUSTOMERS: usize = 250;

/// The environment variables the binary reads, removed so the host's cannot leak in.
const ENV: [&str; 5] = [
    "IAI_SHOP_URL",
    "IAI_SHOP_API_KEY",
    "THULIUM_URL",
    "THULIUM_USER",
    "THULIUM_PASSWORD",
];

fn full_sync() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_full-sync"));
    for name in ENV {
        command.env_remove(name);
    }
    command.env_remove("RUST_LOG");
    command
}

/// Runs the command off the async runtime, so the in-process sandbox keeps serving.
async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

async fn sandbox() -> Sandbox {
    start_sandbox(DemoOptions {
        customers: CUSTOMERS,
        orders: CUSTOMERS * 3,
        seed: 5,
    })
    .await
    .unwrap()
}

/// The flags pointing at the sandbox; the secrets go through the environment.
fn against(sandbox: &Sandbox) -> Command {
    let mut command = full_sync();
    command
        .args(["--shop-url", sandbox.shop_url.as_str()])
        .args(["--thulium-url", sandbox.thulium_url.as_str()])
        .args(["--thulium-user", &sandbox.thulium_user])
        .env("IAI_SHOP_API_KEY", &sandbox.shop_api_key)
        .env("THULIUM_PASSWORD", &sandbox.thulium_password);
    command
}

/// [`against`] with a state file and a JSON report.
fn against_with_state(sandbox: &Sandbox, state: &Path, report: &Path) -> Command {
    let mut command = against(sandbox);
    command
        .arg("--state")
        .arg(state)
        .arg("--report-json")
        .arg(report);
    command
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn stderr_line(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line expected: {stderr:?}"
    );
    stderr.trim_end().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_the_sandbox_then_a_second_run_with_the_state_file_writes_nothing() {
    let sandbox = sandbox().await;
    let dir = TempDir::new("full-sync-test");
    let state = dir.path().join("state.sqlite");
    let report = dir.path().join("report.json");
    let contacts_before = sandbox.thulium().customer_count();

    let output = run(against_with_state(&sandbox, &state, &report)).await;
    assert_exit_ok(&output);
    let json = read_json(&report);
    let first_run = &json["reports"][0];
    assert_eq!(first_run["integration"], "default");
    // The closing incremental pass may look at recently modified customers a second time.
    assert!(first_run["customers_seen"].as_u64().unwrap() >= CUSTOMERS as u64);
    assert_eq!(first_run["created"], CUSTOMERS as u64);
    assert_eq!(first_run["updated"], 0);
    assert_eq!(first_run["failed"].as_array().unwrap().len(), 0);
    assert_eq!(
        json["second_run"].as_array().unwrap().len(),
        0,
        "only the demo runs twice"
    );
    assert_eq!(
        sandbox.thulium().customer_count(),
        contacts_before + CUSTOMERS
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Preflight passed"), "{stdout}");
    // The demo tenant starts empty: its fields are verified on the first write.
    assert_eq!(contacts_before, 0);
    assert!(stdout.contains("verified on the first write"), "{stdout}");
    let counters = sandbox.thulium().counters();
    assert_eq!(
        counters.get("POST", "/api/customers"),
        1,
        "the first customer alone"
    );
    assert_eq!(
        counters.get("GET", "/api/customers/{id}"),
        1,
        "and read back"
    );
    assert!(stdout.contains("/card/<token>/shop/"), "{stdout}");
    assert!(
        !stdout.contains(&sandbox.thulium_password),
        "a secret was printed"
    );

    sandbox.thulium().counters().reset();
    let output = run(against_with_state(&sandbox, &state, &report)).await;
    assert_exit_ok(&output);
    let again = &read_json(&report)["reports"][0];
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(again["skipped"].as_u64().unwrap() >= CUSTOMERS as u64);
    assert_eq!(writes(&sandbox), 0);
    assert_eq!(
        sandbox.thulium().customer_count(),
        contacts_before + CUSTOMERS
    );
}

/// Thulium refuses the first batch create as a whole (a 400 is not retried), so its
/// customers are written one by one, and refuses the first three of those: exactly three
/// customers fail. The run finishes, writes everyone else, exits 2 and lists the three.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_customers_give_exit_2_and_are_listed_in_the_report() {
    // One whole batch (the engine's default chunk of 50) is refused, and so is each of its
    // single retries: those customers fail, unless the closing incremental pass picks one up
    // again (it re-reads the customers modified in the few minutes before the run, and the
    // demo shop's newest customers are that recent) — then it is written and not reported.
    const REFUSED: usize = 50;
    let sandbox = sandbox().await;
    // A tenant with a contact of its own, so that every create goes in a batch (an empty
    // tenant gets its first customer alone, to check the custom fields).
    thulium_client(&sandbox)
        .customers()
        .create(&CustomerInput {
            surname: Some("Dostawca".into()),
            ..CustomerInput::default()
        })
        .await
        .unwrap();
    let faults = sandbox.thulium().faults();
    faults.fail_next("POST /api/batch/customers", 1, Fault::Status(400));
    faults.fail_next("POST /api/customers", REFUSED as u32, Fault::Status(400));
    let dir = TempDir::new("full-sync-test");
    let report = dir.path().join("report.json");
    let contacts_before = sandbox.thulium().customer_count();
    let mut command = against(&sandbox);
    command.arg("--report-json").arg(&report);
    let output = run(command).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stdout}");

    let first_run = &read_json(&report)["reports"][0];
    let failed = first_run["failed"].as_array().unwrap();
    let mut failed_ids: Vec<u64> = failed
        .iter()
        .map(|entry| {
            assert!(
                entry["reason"].as_str().unwrap().starts_with("create: "),
                "{entry}"
            );
            entry["client_id"].as_u64().unwrap()
        })
        .collect();
    failed_ids.sort_unstable();
    failed_ids.dedup();
    assert_eq!(failed_ids.len(), failed.len(), "one entry per customer");
    assert!(
        (REFUSED - 10..=REFUSED).contains(&failed_ids.len()),
        "{} failed",
        failed_ids.len()
    );
    let created = first_run["created"].as_u64().unwrap() as usize;
    assert_eq!(created + failed_ids.len(), CUSTOMERS);
    assert_eq!(
        sandbox.thulium().customer_count(),
        contacts_before + created
    );
    let written: Vec<u64> = sandbox
        .thulium()
        .snapshot()
        .iter()
        .filter_map(|record| {
            let id = record.custom_fields.get("IAI Shop ID")?;
            id.as_u64().or_else(|| id.as_str()?.parse().ok())
        })
        .collect();
    assert_eq!(written.len(), created);
    for client_id in &failed_ids {
        assert!(
            !written.contains(client_id),
            "shop client {client_id} was not written"
        );
        let line = format!("failed: shop client {client_id}: create: ");
        assert!(stdout.contains(&line), "{line} in {stdout}");
    }
}

/// Requests that change the Thulium tenant.
fn writes(sandbox: &Sandbox) -> u64 {
    sandbox
        .thulium()
        .counters()
        .snapshot()
        .into_iter()
        .filter(|(key, _)| !key.starts_with("GET "))
        .map(|(_, count)| count)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_the_plan_and_writes_nothing() {
    let sandbox = sandbox().await;
    let dir = TempDir::new("full-sync-test");
    let report = dir.path().join("plan.json");
    let mut command = against(&sandbox);
    command.arg("--dry-run").arg("--report-json").arg(&report);
    let output = run(command).await;
    assert_exit_ok(&output);
    assert_eq!(writes(&sandbox), 0);
    assert!(
        sandbox.thulium().counters().total() > 0,
        "the plan is read from Thulium"
    );
    assert_eq!(
        sandbox.thulium().customer_count(),
        0,
        "the tenant is still empty"
    );
    let json = read_json(&report);
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["plans"][0]["counts"]["create"], CUSTOMERS as u64);
    assert_eq!(
        json["plans"][0]["customers"].as_array().unwrap().len(),
        CUSTOMERS
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let creates = stdout.lines().filter(|l| l.starts_with("CREATE ")).count();
    assert_eq!(creates, CUSTOMERS);
    assert!(
        stdout.contains(&format!("{CUSTOMERS} to create, 0 to update")),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_file_runs_the_enabled_integrations_only() {
    let sandbox = sandbox().await;
    let dir = TempDir::new("full-sync-test");
    let config = dir.path().join("sync.toml");
    let report = dir.path().join("report.json");
    std::fs::write(
        &config,
        format!(
            r#"
            [thulium]
            url = "{thulium}"
            user = "{user}"
            password_env = "TEST_THULIUM_PASSWORD"

            [[integration]]
            name = "main"
            shop = {{ url = "{shop}", api_key_env = "TEST_SHOP_KEY" }}

            [[integration]]
            name = "outlet"
            enabled = false
            fields = {{ shop_id = "Outlet ID", last_order_date = "Outlet last order" }}
            shop = {{ url = "http://127.0.0.1:1/", api_key = "unused" }}
            "#,
            thulium = sandbox.thulium_url,
            user = sandbox.thulium_user,
            shop = sandbox.shop_url,
        ),
    )
    .unwrap();
    let mut command = full_sync();
    command
        .arg("--config")
        .arg(&config)
        .arg("--report-json")
        .arg(&report)
        .env("TEST_THULIUM_PASSWORD", &sandbox.thulium_password)
        .env("TEST_SHOP_KEY", &sandbox.shop_api_key);
    let output = run(command).await;
    assert_exit_ok(&output);
    let json = read_json(&report);
    let reports = json["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["integration"], "main");
    assert_eq!(reports[0]["created"], CUSTOMERS as u64);
    assert!(String::from_utf8_lossy(&output.stdout).contains("outlet: disabled"));
}

#[test]
fn bad_flags_give_exit_1_and_one_line() {
    let output = full_sync().arg("--no-such-flag").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr_line(&output).starts_with("full-sync: unexpected argument"));

    let output = full_sync()
        .args(["--shop-url", "not a url"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr_line(&output).contains("--shop-url"));

    let output = full_sync()
        .args([
            "--shop-url",
            "http://127.0.0.1:1/",
            "--thulium-url",
            "http://127.0.0.1:1/",
        ])
        .args(["--thulium-user", "u", "--shop-api-key", "k"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr_line(&output),
        "full-sync: --thulium-password (or THULIUM_PASSWORD) is required"
    );

    let output = full_sync()
        .args(["--config", "/no/such/file.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr_line(&output).starts_with("full-sync: config file /no/such/file.toml: "));
}

#[test]
fn unreachable_systems_fail_preflight_with_one_line_and_no_secret() {
    let output = full_sync()
        .args([
            "--shop-url",
            "http://127.0.0.1:1/",
            "--thulium-url",
            "http://127.0.0.1:1/",
        ])
        .args(["--thulium-user", "u"])
        .env("IAI_SHOP_API_KEY", "very-secret-key")
        .env("THULIUM_PASSWORD", "very-secret-password")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let line = stderr_line(&output);
    assert!(line.starts_with("full-sync: preflight failed: "), "{line}");
    assert!(
        line.contains("IdoSell shop") && line.contains("Thulium"),
        "{line}"
    );
    assert!(!line.contains("very-secret"), "{line}");
}

#[test]
fn the_demo_runs_twice_and_the_second_run_writes_nothing() {
    let dir = TempDir::new("full-sync-test");
    let report = dir.path().join("demo.json");
    let output = full_sync()
        .args(["--demo-customers", "120", "--report-json"])
        .arg(&report)
        .output()
        .unwrap();
    assert_exit_ok(&output);
    let json = read_json(&report);
    assert_eq!(json["reports"][0]["created"], 120);
    assert_eq!(json["second_run"][0]["created"], 0);
    assert_eq!(json["second_run"][0]["updated"], 0);
    assert!(json["second_run"][0]["skipped"].as_u64().unwrap() >= 120);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("second run of demo: 0 created, 0 updated, ")
            && stdout.contains(" unchanged (0 Thulium writes)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("http://127.0.0.1:8088/card/<token>/shop/"),
        "{stdout}"
    );
    assert_saved_card(&stdout);
}

/// The demo saved its sample customer's card, read from the sandbox before it stopped: the
/// page the card server serves, with every order in the table and an edit link for each.
fn assert_saved_card(stdout: &str) {
    let sample = stdout
        .lines()
        .find_map(|line| line.strip_prefix("Sample customer card: shop client "))
        .expect("a sample customer line");
    let (client_id, rest) = sample.split_once(" (").unwrap();
    let orders: usize = rest.split_once(" orders").unwrap().0.parse().unwrap();
    assert!(
        orders >= 3 && rest.contains(" from Allegro"),
        "a customer with several orders: {sample}"
    );
    let path = stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix("Saved; open it in a browser: "))
        .expect("the saved card's path");
    let path = Path::new(path);
    assert!(path.is_absolute(), "{}", path.display());
    assert_eq!(
        path.file_name().unwrap().to_str().unwrap(),
        format!("card-{client_id}.html")
    );
    assert_eq!(path.parent().unwrap().file_name().unwrap(), "demo");
    let html = std::fs::read_to_string(path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(&format!("#{client_id}")), "the customer's ID");
    assert!(
        html.contains(&format!("({orders}/{orders})</h2>")),
        "every order shown"
    );
    assert_eq!(
        html.matches("<section class=\"order\"").count(),
        orders,
        "one section per order"
    );
    assert_eq!(
        html.matches("class=\"edit\" href=\"http").count(),
        orders,
        "an edit link per order"
    );
    assert!(html.contains("/panel/orderd.php?idt="));
}
