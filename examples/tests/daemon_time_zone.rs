//! `sync-daemon` as a process whose machine zone is not the shop's: the shop (the sandbox)
//! stamps its changes in its own local time, the daemon runs with another `TZ`, and a
//! customer registered and one changed in the shop after the daemon started both reach
//! Thulium within one polling interval — because the daemon reads "now" in the integration's
//! `shop_time_zone` (default Europe/Warsaw, or from the config file), not in `TZ`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono_tz::Tz;
use common::daemon::{Daemon, lines_of, thulium_surname, wait_for_line};
use common::process::TempDir;
use examples::demo::{DemoOptions, start_sandbox, start_sandbox_in};
use sandbox::Sandbox;
use sandbox::idosell::{CustomerPatch, NewCustomer, ShopAddress};

/// Seconds between the daemon's polls.
const INTERVAL: u64 = 2;
/// What a poll itself may take on a loaded machine, on top of the interval.
const SLACK: Duration = Duration::from_secs(3);

fn demo(seed: u64) -> DemoOptions {
    DemoOptions {
        customers: 30,
        orders: 60,
        seed,
    }
}

/// `sync-daemon` polling every [`INTERVAL`] seconds under the machine zone `tz`, with the
/// given arguments (the secrets of a flag-based run come from the environment).
fn spawn_daemon(sandbox: &Sandbox, tz: &str, args: &[&str]) -> Daemon {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sync-daemon"));
    for name in [
        "IAI_SHOP_URL",
        "IAI_SHOP_API_KEY",
        "THULIUM_URL",
        "THULIUM_USER",
        "THULIUM_PASSWORD",
        "WEBHOOK_TOKEN",
    ] {
        command.env_remove(name);
    }
    command
        .args(args)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--interval",
            &INTERVAL.to_string(),
        ])
        .env("TZ", tz)
        .env("IAI_SHOP_API_KEY", &sandbox.shop_api_key)
        .env("THULIUM_PASSWORD", &sandbox.thulium_password)
        // The daemon's own debug lines tell when a poll is over.
        .env("RUST_LOG", "info,examples::daemon=debug")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Daemon(command.spawn().unwrap())
}

/// Once the daemon has synced the shop and polled once, registers a customer and changes
/// another one in the shop, and asserts both are in Thulium within one interval.
async fn shop_changes_reach_thulium_within_one_interval(sandbox: &Sandbox, mut daemon: Daemon) {
    let zone = sandbox.shop().clock().zone();
    let stdout = lines_of(daemon.0.stdout.take().unwrap());
    let stderr = lines_of(daemon.0.stderr.take().unwrap());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    wait_for_line(&stdout, &mut out, Duration::from_secs(60), |line| {
        line.contains("webhooks on http://")
    })
    .await;
    assert_eq!(
        sandbox.thulium().customer_count(),
        sandbox.shop().customer_count()
    );
    wait_for_line(&stderr, &mut err, Duration::from_secs(20), |line| {
        line.contains("kind=\"poll\"") && line.contains("nothing to write")
    })
    .await;

    // The shop stamps in its own zone, which is not the machine's.
    let changed_id = sandbox.shop().customers()[3].client_id;
    let changed = sandbox
        .shop()
        .edit_customer(
            changed_id,
            &CustomerPatch {
                last_name: Some("Strefowa".into()),
                ..CustomerPatch::default()
            },
        )
        .unwrap();
    let registered = sandbox
        .shop()
        .register_customer(NewCustomer {
            email: Some("nowa.klientka@example.pl".into()),
            billing: ShopAddress {
                first_name: Some("Nowa".into()),
                last_name: Some("Klientka".into()),
                city: Some("Kraków".into()),
                country_id: Some("pl".into()),
                ..ShopAddress::default()
            },
            ..NewCustomer::default()
        })
        .unwrap();
    let made = Instant::now();
    let stamped = changed.last_modified;
    let shop_now = chrono::Utc::now().with_timezone(&zone).naive_local();
    assert!(
        (shop_now - stamped).num_seconds().abs() <= 5,
        "the shop stamps in {zone}: {stamped} vs {shop_now}"
    );

    let expected = [(changed_id, "Strefowa"), (registered.client_id, "Klientka")];
    let deadline = made + Duration::from_secs(INTERVAL) + SLACK;
    loop {
        let held: Vec<Option<String>> = expected
            .iter()
            .map(|(id, _)| thulium_surname(sandbox, *id))
            .collect();
        if expected
            .iter()
            .zip(&held)
            .all(|((_, surname), held)| held.as_deref() == Some(*surname))
        {
            break;
        }
        if Instant::now() > deadline {
            err.extend(stderr.try_iter());
            panic!(
                "not in Thulium {:?} after one interval ({INTERVAL} s + {SLACK:?}): {held:?}; \
                 the shop stamped {stamped} ({zone}); stderr:\n{}",
                made.elapsed(),
                err.join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let written = wait_for_line(&stderr, &mut err, Duration::from_secs(5), |line| {
        line.contains("kind=\"poll\"") && line.contains("created=1") && line.contains("updated=1")
    })
    .await;
    assert!(written.contains("failed=0"), "{written}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_tz_utc_the_daemon_polls_in_the_shops_warsaw_time() {
    let sandbox = start_sandbox(demo(31)).await.unwrap();
    assert_eq!(sandbox.shop().clock().zone(), chrono_tz::Europe::Warsaw);
    // Flags only, no zone given: the default, Europe/Warsaw.
    let daemon = spawn_daemon(
        &sandbox,
        "UTC",
        &[
            "--shop-url",
            sandbox.shop_url.as_str(),
            "--thulium-url",
            sandbox.thulium_url.as_str(),
            "--thulium-user",
            &sandbox.thulium_user,
        ],
    );
    shop_changes_reach_thulium_within_one_interval(&sandbox, daemon).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shop_time_zone_of_the_config_file_is_the_daemons_now() {
    // A shop eight hours ahead of Warsaw, and a daemon on a machine in New York.
    let zone: Tz = chrono_tz::Asia::Tokyo;
    let sandbox = start_sandbox_in(demo(32), zone).await.unwrap();
    let dir = TempDir::new("daemon-time-zone");
    let config = dir.path().join("sync.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[thulium]
url = "{thulium}"
user = "{user}"
password_env = "THULIUM_PASSWORD"

[[integration]]
name = "tokyo-shop"
shop_time_zone = "Asia/Tokyo"
shop = {{ url = "{shop}", api_key_env = "IAI_SHOP_API_KEY" }}
"#,
            thulium = sandbox.thulium_url,
            user = sandbox.thulium_user,
            shop = sandbox.shop_url,
        ),
    )
    .unwrap();
    let daemon = spawn_daemon(
        &sandbox,
        "America/New_York",
        &["--config", config.to_str().unwrap()],
    );
    shop_changes_reach_thulium_within_one_interval(&sandbox, daemon).await;
}
