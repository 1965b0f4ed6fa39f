//! The card page as a real browser renders it: headless Chromium (Debian's `chromium`) loads
//! a seeded customer's card from the card server, its DOM is dumped and checked, and a
//! screenshot is written to `target/card-screenshot.png`.
//!
//! Chromium is required: without it this test fails (`scripts/test` installs it first).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::TempDir;
use common::sandbox_clients::{
    AGENT_TOKEN, generated_sandbox, newest_first, serve_card, shop_client, thulium_client,
};
use examples::card::CardState;
use iai_shop_client::Order;
use sandbox::Sandbox;
use sync_core::config::IntegrationConfig;
use sync_core::config::Locale;
use sync_core::order_summary::OrderSummary;

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

/// The customer's newest orders (the simulator's own ordering: placement date, then serial),
/// each as the shop's API returns it.
async fn newest_orders(sandbox: &Sandbox, client_id: u64, shown: usize) -> Vec<Order> {
    let serials: Vec<u64> = newest_first(sandbox.shop().orders_of(client_id))
        .iter()
        .take(shown)
        .map(|order| order.serial_number)
        .collect();
    let shop = shop_client(sandbox.shop_url.clone(), &sandbox.shop_api_key);
    let mut orders = shop.orders().by_serial_numbers(&serials).await.unwrap();
    orders.sort_by_key(|order| serials.iter().position(|s| *s == order.serial_number));
    orders
}

/// The `<section class="order" …>` blocks of the rendered card, in page order, keyed by the
/// serial number they carry.
fn order_sections(dom: &str) -> Vec<(u64, &str)> {
    dom.split("<section class=\"order\" data-serial=\"")
        .skip(1)
        .map(|rest| {
            let (serial, body) = rest.split_once('"').expect("a quoted serial");
            let body = body.split("</section>").next().unwrap_or(body);
            (serial.parse().expect("a numeric serial"), body)
        })
        .collect()
}

/// A customer with at least 4 orders whose newest 3 include a dispatched one (so the card
/// shows a parcel link unfolded).
fn customer_with_a_parcel(sandbox: &Sandbox) -> u64 {
    sandbox
        .shop()
        .customers()
        .iter()
        .map(|customer| customer.client_id)
        .filter(|id| {
            let orders = newest_first(sandbox.shop().orders_of(*id));
            orders.len() >= 4 && orders.iter().take(3).any(|o| o.dispatch_date.is_some())
        })
        .min()
        .expect("a seeded customer with 4 orders and a recent dispatched one")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_page_renders_in_headless_chromium() {
    let sandbox = generated_sandbox(5, 30, 150).await;
    let client_id = customer_with_a_parcel(&sandbox);
    let mut config = IntegrationConfig::new("browser test", sandbox.shop_url.clone());
    config.card_orders = 6;
    let panel = config.panel_base().to_owned();
    let expected = newest_orders(&sandbox, client_id, 6).await;
    let summaries: Vec<OrderSummary> = expected
        .iter()
        .map(|order| OrderSummary::from_order(order, &config))
        .collect();
    let base = serve(&sandbox, config).await;
    let url = format!("{base}/card/{AGENT_TOKEN}/shop/{client_id}");

    let dom = chromium(vec!["--dump-dom".into()], url.clone()).await;

    let sections = order_sections(&dom);
    let serials: Vec<u64> = sections.iter().map(|(serial, _)| *serial).collect();
    let expected_serials: Vec<u64> = expected.iter().map(|o| o.serial_number).collect();
    assert_eq!(serials, expected_serials, "orders newest first:\n{dom}");
    let mut parcels_seen = 0;
    for ((serial, section), summary) in sections.iter().zip(&summaries) {
        let total = summary.total_display(Locale::Pl);
        assert!(
            section.contains(&total),
            "amount of order {serial}: {section}"
        );
        assert!(
            section.contains(&format!("href=\"{panel}/panel/orderd.php?idt={serial}\"")),
            "edit link of order {serial}: {section}"
        );
        assert!(
            section.contains(&summary.payment.label),
            "payment status of order {serial}: {section}"
        );
        for product in &summary.products {
            let line = format!(
                "<span class=\"qty\">{}</span> {}",
                product.quantity,
                product.name.replace('&', "&amp;")
            );
            assert!(
                section.contains(&line),
                "product of order {serial}: {section}"
            );
        }
        for parcel in &summary.parcels {
            let link = parcel
                .tracking_url
                .as_deref()
                .expect("sandbox couriers are known");
            assert!(
                section.contains(&format!("href=\"{}\"", link.replace('&', "&amp;"))),
                "tracking link of order {serial}: {section}"
            );
            assert!(section.contains(&parcel.number), "{section}");
            parcels_seen += 1;
        }
    }
    assert!(
        parcels_seen > 0,
        "the chosen customer has a parcel on the card"
    );
    let folded_at = dom
        .find("<details class=\"older\">")
        .expect("older orders folded");
    let fourth = dom
        .find(&format!("data-serial=\"{}\"", expected_serials[3]))
        .unwrap();
    assert!(fourth > folded_at, "the 4th order sits in the folded part");
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
