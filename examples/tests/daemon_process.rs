//! `sync-daemon` as a process against a sandbox given by flags: it comes up healthy after
//! its first full sync, a webhook updates the customer in the Thulium simulator, and SIGINT
//! stops it with exit code 0 and its stop message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::daemon::{Daemon, lines_of, listen_address, thulium_surname, wait_for_line};
use examples::demo::{DemoOptions, start_sandbox};
use sandbox::Sandbox;
use sandbox::faults::Fault;
use sandbox::idosell::{CustomerPatch, routes};

const CUSTOMERS: usize = 60;
const TOKEN: &str = "process-test-token";
/// The name the daemon gives the one integration set by flags.
const INTEGRATION: &str = "default";

fn spawn_daemon(sandbox: &Sandbox, extra_args: &[&str]) -> Daemon {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sync-daemon"));
    for name in ["IAI_SHOP_URL", "THULIUM_URL", "THULIUM_USER"] {
        command.env_remove(name);
    }
    command
        .args(["--shop-url", sandbox.shop_url.as_str()])
        .args(["--thulium-url", sandbox.thulium_url.as_str()])
        .args(["--thulium-user", &sandbox.thulium_user])
        .args(["--listen", "127.0.0.1:0", "--interval", "3600"])
        .args(extra_args)
        .env("IAI_SHOP_API_KEY", &sandbox.shop_api_key)
        .env("THULIUM_PASSWORD", &sandbox.thulium_password)
        .env("WEBHOOK_TOKEN", TOKEN)
        // The daemon's own debug lines tell when its first poll is over.
        .env("RUST_LOG", "info,examples::daemon=debug")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Daemon(command.spawn().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_serves_webhooks_and_stops_cleanly_on_sigint() {
    let sandbox = start_sandbox(DemoOptions {
        customers: CUSTOMERS,
        orders: CUSTOMERS * 3,
        seed: 11,
    })
    .await
    .unwrap();
    let contacts_before = sandbox.thulium().customer_count();
    let mut daemon = spawn_daemon(&sandbox, &[]);
    let stdout = lines_of(daemon.0.stdout.take().unwrap());
    let stderr = lines_of(daemon.0.stderr.take().unwrap());
    let (mut out, mut err) = (Vec::new(), Vec::new());

    // It prints where it listens once the first full sync is done.
    let started = wait_for_line(&stdout, &mut out, Duration::from_secs(60), |line| {
        line.contains("webhooks on http://")
    })
    .await;
    let address = listen_address(&started);
    assert_eq!(
        sandbox.thulium().customer_count(),
        contacts_before + CUSTOMERS
    );
    let http = reqwest::Client::new();
    let health = http
        .get(format!("http://{address}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    // The first poll runs at once; the change below must be the webhook's to carry.
    wait_for_line(&stderr, &mut err, Duration::from_secs(20), |line| {
        line.contains("kind=\"poll\"") && line.contains("nothing to write")
    })
    .await;

    let client_id = sandbox.shop().customers()[5].client_id;
    assert_ne!(
        thulium_surname(&sandbox, client_id).as_deref(),
        Some("Procesowa")
    );
    sandbox
        .shop()
        .edit_customer(
            client_id,
            &CustomerPatch {
                last_name: Some("Procesowa".into()),
                ..CustomerPatch::default()
            },
        )
        .unwrap();
    // The webhook's read of that customer loses its first connection without an answer:
    // retried, and counted as a request that got none.
    sandbox.shop().faults().fail_next(
        &format!("GET {}", routes::CLIENTS),
        1,
        Fault::applied(Fault::Drop),
    );
    let accepted = http
        .post(format!(
            "http://{address}/webhooks/iai-shop/{INTEGRATION}/{TOKEN}"
        ))
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"event":"clientUpdated","clientId":{client_id}}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    let deadline = Instant::now() + Duration::from_secs(15);
    while thulium_surname(&sandbox, client_id).as_deref() != Some("Procesowa") {
        assert!(
            Instant::now() < deadline,
            "Thulium not updated; stderr:\n{}",
            err.join("\n")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let webhook_line = wait_for_line(&stderr, &mut err, Duration::from_secs(5), |line| {
        line.contains("kind=\"webhook\"")
    })
    .await;
    assert!(webhook_line.contains("updated=1"), "{webhook_line}");

    // What operators watch moved with that webhook.
    let metrics = http
        .get(format!("http://{address}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        r#"webhooks_total{outcome="accepted"} 1"#,
        r#"sync_passes_total{integration="default",kind="webhook",outcome="ok"} 1"#,
        r#"sync_customers_total{integration="default",result="updated"} 1"#,
        r#"sync_requests_total{integration="default",api="idosell",endpoint="customers_by_ids"} 1"#,
        r#"http_responses_total{api="thulium",status="2xx"}"#,
        r#"http_responses_total{api="idosell",status="none"} 1"#,
        r#"sync_last_success_timestamp_seconds{integration="default"}"#,
    ] {
        assert!(metrics.contains(line), "{line} missing from:\n{metrics}");
    }
    let health: serde_json::Value = http
        .get(format!("http://{address}/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok", "{health}");
    let default = &health["integrations"]["default"];
    assert_eq!(default["poll_interval_s"], 3600, "{health}");
    assert_eq!(
        default["failing_since"],
        serde_json::Value::Null,
        "{health}"
    );
    assert!(
        default["requests_today"]["idosell"]["customers_by_ids"].as_u64() >= Some(1),
        "{health}"
    );

    let pid = daemon.0.id().to_string();
    let signalled = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(signalled.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = daemon.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running 10 s after SIGINT");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(0), "stderr:\n{}", err.join("\n"));
    // The readers end with the process: collect the rest of its output.
    err.extend(stderr.iter());
    assert!(
        err.iter().any(|l| l.starts_with("sync-daemon: stopping")),
        "{err:?}"
    );
    assert_eq!(
        err.last().map(String::as_str),
        Some("sync-daemon: stopped."),
        "{err:?}"
    );
    assert!(
        !err.iter().chain(&out).any(|l| l.contains(TOKEN)
            || l.contains(&sandbox.thulium_password)
            || l.contains(&sandbox.shop_api_key)),
        "a secret was printed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_json_logs_every_log_line_is_one_json_object_with_its_fields() {
    let sandbox = start_sandbox(DemoOptions {
        customers: 10,
        orders: 20,
        seed: 12,
    })
    .await
    .unwrap();
    let mut daemon = spawn_daemon(&sandbox, &["--log-format", "json"]);
    let stderr = lines_of(daemon.0.stderr.take().unwrap());
    let mut err = Vec::new();
    let budget = wait_for_line(&stderr, &mut err, Duration::from_secs(60), |line| {
        line.contains("idle_admin_api_requests_per_month")
    })
    .await;
    let budget: serde_json::Value = serde_json::from_str(&budget).unwrap();
    assert_eq!(budget["level"], "INFO", "{budget}");
    assert_eq!(budget["fields"]["integration"], INTEGRATION, "{budget}");
    assert_eq!(budget["fields"]["poll_interval_s"], 3600, "{budget}");
    // Two requests an idle poll, 720 polls in 30 days at one an hour.
    assert_eq!(
        budget["fields"]["idle_admin_api_requests_per_month"], 1440,
        "{budget}"
    );
    daemon.0.kill().unwrap();
    daemon.0.wait().unwrap();
    err.extend(stderr.iter());
    // The log lines are JSON; the program's own lines (`sync-daemon: ...`, the report) are
    // plain text for people, as without the flag.
    let logs: Vec<&String> = err.iter().filter(|l| l.starts_with('{')).collect();
    assert!(logs.len() >= 2, "{err:?}");
    for line in logs {
        let entry: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(entry["fields"]["message"].is_string(), "{line}");
    }
    assert!(
        !err.iter().any(|l| l.contains(TOKEN)
            || l.contains(&sandbox.thulium_password)
            || l.contains(&sandbox.shop_api_key)),
        "a secret was logged"
    );
}
