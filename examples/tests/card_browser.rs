//! The card page as a real browser renders it: headless Chromium (Debian's `chromium`) loads
//! a seeded customer's card from the card server, its DOM is dumped and checked, and a
//! screenshot is written to `target/card-screenshot.png`.
//!
//! Chromium is required: without it this test fails (CI installs it through `.ci/run`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::TempDir;
use common::sandbox_clients::{
    generated_sandbox, newest_first, serve_card, shop_client, thulium_client,
};
use examples::card::CardState;
use sandbox::Sandbox;
use sandbox::idosell::ShopOrder;
use sync_core::config::IntegrationConfig;

const CHROMIUM: &str = "chromium";
/// A cold Chromium start on a busy two-core machine can take a while; a hang cannot.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);

/// Where the screenshot goes: `$CARGO_TARGET_DIR` or the workspace's `target/`.
fn screenshot_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    std::fs::create_dir_all(&target).unwrap();
    target.join("card-screenshot.png")
}

/// Runs headless Chromium with `extra` arguments and `url`; returns its stdout. Kills it
/// after [`BROWSER_TIMEOUT`]. Fails clearly when Chromium is not installed.
fn run_chromium(extra: &[String], url: &str) -> String {
    let work = TempDir::new("card-browser");
    let profile = work.path().join("profile");
    let stdout_path = work.path().join("stdout");
    let stderr_path = work.path().join("stderr");
    let mut command = Command::new(CHROMIUM);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).unwrap())
        .stderr(File::create(&stderr_path).unwrap());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{CHROMIUM}` is not installed; this test needs a real browser: \
             run `apt-get update && apt-get install -y chromium` (CI installs it via .ci/run)"
        ),
        Err(error) => panic!("cannot start `{CHROMIUM}`: {error}"),
    };
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{CHROMIUM}` did not finish within {BROWSER_TIMEOUT:?}; killed it");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(
        status.success(),
        "`{CHROMIUM}` failed ({status}):\n{stderr}"
    );
    std::fs::read_to_string(&stdout_path).unwrap()
}

/// Runs Chromium off the async runtime, so the card server keeps answering meanwhile.
async fn chromium(extra: Vec<String>, url: String) -> String {
    match tokio::task::spawn_blocking(move || run_chromium(&extra, &url)).await {
        Ok(stdout) => stdout,
        // Show the browser's own failure message, not a wrapped join error.
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => panic!("the browser task was cancelled: {error}"),
    }
}

async fn serve(sandbox: &Sandbox, config: IntegrationConfig) -> String {
    let shop = shop_client(sandbox.shop_url.clone(), &sandbox.shop_api_key);
    serve_card(CardState::new(shop, thulium_client(sandbox), config)).await
}

/// The shop's own orders of a customer, newest first, as many as the card shows.
fn expected_rows(sandbox: &Sandbox, client_id: u64, shown: usize) -> Vec<ShopOrder> {
    let mut orders = newest_first(sandbox.shop().orders_of(client_id));
    orders.truncate(shown);
    orders
}

/// `1234,50 PLN`: the Polish card's way of writing an order's total.
fn polish_amount(order: &ShopOrder) -> String {
    format!("{:.2} {}", order.total().round_dp(2), order.currency_id).replacen('.', ",", 1)
}

/// The `<tr>…</tr>` rows of the rendered orders table body.
fn table_rows(dom: &str) -> Vec<&str> {
    let start = dom
        .find("<tbody>")
        .expect("an orders table body in the DOM")
        + "<tbody>".len();
    let end = start + dom[start..].find("</tbody>").expect("a closed table body");
    dom[start..end]
        .split("<tr>")
        .skip(1)
        .map(|row| row.split("</tr>").next().unwrap_or(row))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_page_renders_in_headless_chromium() {
    let sandbox = generated_sandbox(5, 30, 150).await;
    let client_id = sandbox
        .shop()
        .customers()
        .iter()
        .map(|customer| customer.client_id)
        .filter(|id| sandbox.shop().orders_of(*id).len() >= 4)
        .min()
        .expect("a seeded customer with at least 4 orders");
    let mut config = IntegrationConfig::new("browser test", sandbox.shop_url.clone());
    config.card_orders = 6;
    let panel = config.panel_base().to_owned();
    let base = serve(&sandbox, config).await;
    let url = format!("{base}/card/shop/{client_id}");

    let dom = chromium(vec!["--dump-dom".into()], url.clone()).await;

    let expected = expected_rows(&sandbox, client_id, 6);
    let rows = table_rows(&dom);
    assert_eq!(
        rows.len(),
        expected.len(),
        "rows in the rendered table:\n{dom}"
    );
    for (row, order) in rows.iter().zip(&expected) {
        assert!(
            row.starts_with(&format!("<td>{}</td>", order.serial_number)),
            "row for order {}: {row}",
            order.serial_number
        );
        assert!(
            row.contains(&polish_amount(order)),
            "amount of order {}: {row}",
            order.serial_number
        );
        assert!(
            row.contains(&format!(
                "href=\"{panel}/panel/orderd.php?idt={}\"",
                order.serial_number
            )),
            "edit link of order {}: {row}",
            order.serial_number
        );
    }
    assert!(dom.contains(&format!("href=\"{panel}/panel/client.php?id={client_id}\"")));
    assert!(dom.contains("Pokaż klienta w panelu sklepu"));

    let screenshot = screenshot_path();
    let _ = std::fs::remove_file(&screenshot);
    chromium(
        vec![
            format!("--screenshot={}", screenshot.display()),
            "--window-size=1200,900".into(),
            "--hide-scrollbars".into(),
        ],
        url,
    )
    .await;

    let png = std::fs::read(&screenshot).expect("Chromium wrote the screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1200, 900));
    assert!(
        png.len() > 20_000,
        "a rendered page, not a blank image ({} bytes)",
        png.len()
    );
}
