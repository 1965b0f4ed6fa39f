//! `sync-daemon` as a process against a sandbox given by flags: it comes up healthy after
//! its first full sync, a webhook updates the customer in the Thulium simulator, and SIGINT
//! stops it with exit code 0 and its stop message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use examples::demo::{DemoOptions, start_sandbox};
use sandbox::Sandbox;
use sandbox::idosell::CustomerPatch;

const CUSTOMERS: usize = 60;
const TOKEN: &str = "process-test-token";
/// The name the daemon gives the one integration set by flags.
const INTEGRATION: &str = "default";

/// The daemon process; killed if the test ends before it stopped by itself.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn spawn_daemon(sandbox: &Sandbox) -> Daemon {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sync-daemon"));
    for name in ["IAI_SHOP_URL", "THULIUM_URL", "THULIUM_USER"] {
        command.env_remove(name);
    }
    command
        .args(["--shop-url", sandbox.shop_url.as_str()])
        .args(["--thulium-url", sandbox.thulium_url.as_str()])
        .args(["--thulium-user", &sandbox.thulium_user])
        .args(["--listen", "127.0.0.1:0", "--interval", "3600"])
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

/// Lines of a child's output as they come, read on a thread of their own.
fn lines_of(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    receiver
}

/// Waits (without blocking the runtime) for a line that `wanted` accepts; every line read
/// is kept in `seen`.
async fn wait_for_line(
    lines: &Receiver<String>,
    seen: &mut Vec<String>,
    timeout: Duration,
    wanted: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        while let Ok(line) = lines.try_recv() {
            seen.push(line.clone());
            if wanted(&line) {
                return line;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no such line within {timeout:?}; seen:\n{}",
            seen.join("\n")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The surname Thulium holds for shop client `client_id`, if it holds the customer.
fn thulium_surname(sandbox: &Sandbox, client_id: u64) -> Option<String> {
    sandbox
        .thulium()
        .snapshot()
        .into_iter()
        .find(|record| {
            record.custom_fields.get("IAI Shop ID").is_some_and(|id| {
                id.as_u64().or_else(|| id.as_str()?.parse().ok()) == Some(client_id)
            })
        })
        .and_then(|record| record.surname)
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
    let mut daemon = spawn_daemon(&sandbox);
    let stdout = lines_of(daemon.0.stdout.take().unwrap());
    let stderr = lines_of(daemon.0.stderr.take().unwrap());
    let (mut out, mut err) = (Vec::new(), Vec::new());

    // It prints where it listens once the first full sync is done.
    let started = wait_for_line(&stdout, &mut out, Duration::from_secs(60), |line| {
        line.contains("webhooks on http://")
    })
    .await;
    let address = started
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
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
