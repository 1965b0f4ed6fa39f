//! `full-sync`: synchronise a whole IdoSell customer base into Thulium.
//!
//! Without arguments it starts the sandbox with demo data and shows the whole flow:
//! preflight, the full sync with a progress bar, a second run that writes nothing, the
//! report and a sample customer card. With flags (or environment variables, or `--config`)
//! it runs against real systems. Exit codes: 0 ok, 1 configuration or preflight error (or a
//! run that stopped), 2 finished with failed customers.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use examples::card::{CardState, demo_output_dir, save_card_page};
use examples::cli::{
    ConnectionArgs, EXIT_CONFIG, EXIT_FAILED_CUSTOMERS, EXIT_OK, Target, fail, start,
};
use examples::demo::{DemoOptions, settings_for, start_sandbox};
use examples::progress::SyncProgress;
use examples::settings::Settings;
use examples::wiring::{Wired, Wiring};
use iai_shop_client::IdoSellClient;
use sandbox::Sandbox;
use secrecy::ExposeSecret;
use serde_json::json;
use sync_core::engine::{EngineOptions, SyncReport};
use thulium_client::ThuliumClient;

const PROGRAM: &str = "full-sync";

/// Synchronise the whole IdoSell customer base into Thulium (no arguments: a demo against
/// the built-in simulators).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    connection: ConnectionArgs,
    /// Print the plan (what would be created or updated) and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Also write the report as JSON to this file.
    #[arg(long, value_name = "PATH")]
    report_json: Option<PathBuf>,
    /// Demo only: how many shop customers to generate.
    #[arg(long, default_value_t = DemoOptions::default().customers)]
    demo_customers: usize,
    /// Demo only: the generator's seed.
    #[arg(long, default_value_t = DemoOptions::default().seed)]
    demo_seed: u64,
}

/// A failure that ends the program: the exit code and one line.
struct Stop(u8, String);

fn main() -> ExitCode {
    let (args, runtime): (Args, _) = match start(PROGRAM, "error") {
        Ok(started) => started,
        Err(code) => return code,
    };
    match runtime.block_on(run(args)) {
        Ok(code) => ExitCode::from(code),
        Err(Stop(code, message)) => fail(PROGRAM, code, &message),
    }
}

async fn run(args: Args) -> Result<u8, Stop> {
    let config_error = |error: examples::settings::SettingsError| Stop(EXIT_CONFIG, error.0);
    let (settings, sandbox) = match args.connection.target().map_err(config_error)? {
        Target::Real(settings) => (settings, None),
        Target::Demo => {
            let options = DemoOptions {
                customers: args.demo_customers,
                orders: args.demo_customers * 3,
                seed: args.demo_seed,
            };
            let sandbox = start_sandbox(options)
                .await
                .map_err(|e| Stop(EXIT_CONFIG, format!("cannot start the demo sandbox: {e}")))?;
            print_sandbox(&sandbox, options);
            (settings_for(&sandbox), Some(sandbox))
        }
    };
    let wiring = Wiring::connect(&settings, EngineOptions::default())
        .await
        .map_err(config_error)?;
    let warnings = wiring.preflight().await.map_err(|problems| {
        Stop(
            EXIT_CONFIG,
            format!("preflight failed: {}", problems.join("; ")),
        )
    })?;
    if warnings.is_empty() {
        println!("Preflight passed: both sides answer and every custom field exists.");
    } else {
        println!("Preflight passed: both sides answer.");
        for warning in &warnings {
            println!("  note: {warning}");
        }
    }
    for disabled in wiring.integrations.iter().filter(|w| !w.config.enabled) {
        println!("Integration {}: disabled, skipped.", disabled.config.name);
    }
    if args.dry_run {
        return dry_run(&wiring, args.report_json).await;
    }
    let reports = sync_all(&wiring, "sync").await?;
    if let Some(sandbox) = &sandbox {
        print_requests(sandbox);
    }
    let second = match &sandbox {
        Some(sandbox) => {
            println!("Running again: nothing changed in the shop, so nothing should be written.");
            sandbox.shop().counters().reset();
            sandbox.thulium().counters().reset();
            let second = sync_all(&wiring, "again").await?;
            print_requests(sandbox);
            second
        }
        None => Vec::new(),
    };
    println!();
    for report in &reports {
        print!("{report}");
    }
    for report in &second {
        println!(
            "second run of {}: {} created, {} updated, {} unchanged ({} Thulium writes)",
            report.integration,
            report.created,
            report.updated,
            report.skipped,
            report.created + report.updated
        );
    }
    if let Some(path) = &args.report_json {
        let document = json!({ "dry_run": false, "reports": reports, "second_run": second });
        write_json(path, &document)?;
    }
    print_card_hint(&settings, &wiring, sandbox.as_ref(), args.demo_seed).await;
    let failed = reports.iter().chain(&second).any(|r| !r.failed.is_empty());
    Ok(if failed {
        EXIT_FAILED_CUSTOMERS
    } else {
        EXIT_OK
    })
}

/// Runs the full sync of every enabled integration, one after the other.
async fn sync_all(wiring: &Wiring, label: &str) -> Result<Vec<SyncReport>, Stop> {
    let mut reports = Vec::new();
    for wired in wiring.enabled() {
        let bar = SyncProgress::new(&format!("{label} {}", wired.config.name));
        let result = wired
            .engine
            .full_sync(&|progress| bar.update(progress))
            .await;
        bar.finish();
        let report = result.map_err(|error| {
            Stop(
                EXIT_CONFIG,
                format!(
                    "integration {}: the sync stopped: {error} (the next run resumes where it stopped)",
                    wired.config.name
                ),
            )
        })?;
        reports.push(report);
    }
    Ok(reports)
}

async fn dry_run(wiring: &Wiring, report_json: Option<PathBuf>) -> Result<u8, Stop> {
    let mut plans = Vec::new();
    for wired in wiring.enabled() {
        let bar = SyncProgress::new(&format!("plan {}", wired.config.name));
        let plan = wired
            .engine
            .plan_full_sync(&|progress| bar.update(progress))
            .await;
        bar.finish();
        let plan = plan.map_err(|error| {
            Stop(
                EXIT_CONFIG,
                format!("integration {}: {error}", wired.config.name),
            )
        })?;
        println!(
            "\nPlan for {} (dry run, nothing written):",
            wired.config.name
        );
        println!("{plan}");
        plans.push(json!({
            "integration": wired.config.name,
            "counts": plan.counts(),
            "customers": plan.customers,
        }));
    }
    if let Some(path) = &report_json {
        write_json(path, &json!({ "dry_run": true, "plans": plans }))?;
    }
    Ok(EXIT_OK)
}

fn write_json(path: &std::path::Path, document: &serde_json::Value) -> Result<(), Stop> {
    let text = serde_json::to_string_pretty(document)
        .map_err(|e| Stop(EXIT_CONFIG, format!("cannot encode the report: {e}")))?;
    std::fs::write(path, text + "\n")
        .map_err(|e| Stop(EXIT_CONFIG, format!("cannot write {}: {e}", path.display())))
}

/// The requests the simulators served since their counters were last reset.
fn print_requests(sandbox: &Sandbox) {
    println!(
        "  requests served: IdoSell {}, Thulium {}; Thulium now holds {} customers",
        sandbox.shop().counters().total(),
        sandbox.thulium().counters().total(),
        sandbox.thulium().customer_count()
    );
}

fn print_sandbox(sandbox: &Sandbox, options: DemoOptions) {
    println!(
        "Demo: sandbox with {} shop customers and {} orders (seed {}); Thulium holds {}.",
        sandbox.shop().customer_count(),
        sandbox.shop().order_count(),
        options.seed,
        match sandbox.thulium().customer_count() {
            0 => "no contact yet".to_owned(),
            1 => "1 contact".to_owned(),
            n => format!("{n} contacts"),
        }
    );
    println!("  IdoSell simulator: {}", sandbox.shop_url);
    println!("  Thulium simulator: {}", sandbox.thulium_url);
}

/// Names one synced customer and how to see their card. The demo saves the card as a page
/// (read live from its sandbox, which stops with full-sync) and tells how to serve cards
/// again; against real systems it tells how to run `card-server`.
async fn print_card_hint(
    settings: &Settings,
    wiring: &Wiring,
    sandbox: Option<&Sandbox>,
    demo_seed: u64,
) {
    let Some(wired) = wiring.enabled().next() else {
        return;
    };
    match sandbox {
        Some(sandbox) => {
            let Some(sample) = DemoSample::pick(sandbox, wired.config.card_orders) else {
                return;
            };
            let client_id = sample.client_id;
            println!(
                "\nSample customer card: shop client {client_id} ({} orders, {} from Allegro).",
                sample.orders, sample.allegro_orders
            );
            match save_demo_card(settings, wired, client_id).await {
                Ok(path) => println!("  Saved; open it in a browser: {}", path.display()),
                Err(error) => eprintln!("{PROGRAM}: the sample card was not saved: {error}"),
            }
            println!(
                "  To serve cards live, start the same seeded shop (it prints its URLs and\n  \
                 credentials) and point card-server at it:\n    \
                 cargo run -p sandbox -- --customers {customers} --seed {demo_seed}\n    \
                 cargo run -p examples --bin card-server -- --shop-url <shop URL> --shop-api-key <key> \\\n      \
                 --thulium-url <Thulium URL> --thulium-user <user> --thulium-password <password> \\\n      \
                 --agent-token <token>\n  \
                 then open http://127.0.0.1:8088/card/<token>/shop/{client_id}",
                customers = sandbox.shop().customer_count(),
            );
        }
        None => {
            let Some(client_id) = wired
                .shop
                .customers_page(None, 0, 1)
                .await
                .ok()
                .and_then(|page| page.items.first().map(|c| c.client_id))
            else {
                return;
            };
            let shop = settings
                .integration(&wired.config.name)
                .map(|i| i.shop.url.to_string())
                .unwrap_or_default();
            println!("\nSample customer card: shop client {client_id}.");
            println!(
                "  Run card-server with the same settings, e.g.\n    \
                 cargo run -p examples --bin card-server -- --shop-url {shop} --thulium-url {} \\\n      \
                 --id-field '{}'   (keys, passwords and AGENT_TOKEN from the environment)\n  \
                 and open http://127.0.0.1:8088/card/<token>/shop/{client_id}",
                settings.thulium.url, wired.config.fields.shop_id
            );
        }
    }
}

/// The demo customer whose card is shown: one whose whole history fits on the card (at
/// least three orders, at most `card_orders`), with the most Allegro orders (the card then
/// shows how relay addresses are summarised), then the most orders, then the lowest ID.
/// Failing that, the customer with the most orders.
struct DemoSample {
    client_id: u64,
    orders: usize,
    allegro_orders: usize,
}

impl DemoSample {
    fn pick(sandbox: &Sandbox, card_orders: usize) -> Option<Self> {
        sandbox
            .shop()
            .customers()
            .into_iter()
            .map(|customer| {
                let orders = sandbox.shop().orders_of(customer.client_id);
                Self {
                    client_id: customer.client_id,
                    orders: orders.len(),
                    allegro_orders: orders.iter().filter(|o| o.is_allegro()).count(),
                }
            })
            .max_by_key(|s| {
                let fits = (3..=card_orders.max(3)).contains(&s.orders);
                (
                    fits,
                    fits.then_some(s.allegro_orders),
                    s.orders,
                    std::cmp::Reverse(s.client_id),
                )
            })
    }
}

/// Reads the card through the same code as `card-server` and saves it under the target
/// directory's `demo/`.
async fn save_demo_card(
    settings: &Settings,
    wired: &Wired,
    client_id: u64,
) -> Result<PathBuf, String> {
    let integration = settings
        .integration(&wired.config.name)
        .ok_or_else(|| format!("no settings for integration {}", wired.config.name))?;
    let shop = IdoSellClient::builder(integration.shop.url.clone())
        .api_key(integration.shop.api_key.expose_secret())
        .build()
        .map_err(|e| e.to_string())?;
    let thulium = ThuliumClient::builder(settings.thulium.url.clone())
        .credentials(
            settings.thulium.user.clone(),
            settings.thulium.password.expose_secret(),
        )
        .build()
        .map_err(|e| e.to_string())?;
    let state = CardState::new(shop, thulium, wired.config.clone());
    save_card_page(&state, client_id, &demo_output_dir())
        .await
        .map_err(|e| e.to_string())
}
