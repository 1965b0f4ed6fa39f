//! `sync-daemon`: keeps Thulium in sync with the shop — an incremental pass every
//! `--interval`, and IdoSell webhooks at `POST /webhooks/iai-shop/{integration}/{token}`
//! for changes within seconds. `GET /health` answers 200. Ctrl-C stops it gracefully: the
//! sync in flight finishes first.
//!
//! `sync-daemon webhook-setup --public-url URL` prints what to enter in the shop panel.
//! Without shop or Thulium settings it runs against the sandbox demo.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use examples::cli::{ConnectionArgs, EXIT_CONFIG, EXIT_OK, Target, fail, start};
use examples::daemon::{EngineSink, poll};
use examples::demo::{
    DEMO_INTEGRATION, DEMO_WEBHOOK_TOKEN, DemoOptions, settings_for, start_sandbox,
};
use examples::fleet::{self, FleetOptions, InboxSink};
use examples::settings::{Settings, SettingsError};
use examples::webhook_server::{
    DEFAULT_BODY_LIMIT, DEFAULT_QUEUE, WebhookTarget, run_worker, webhook_router,
};
use examples::webhook_setup::setup_instructions;
use examples::wiring::Wiring;
use secrecy::SecretString;
use sync_core::engine::EngineOptions;
use sync_core::engine::store::CursorKind;
use tokio::sync::{mpsc, watch};
use url::Url;

const PROGRAM: &str = "sync-daemon";

/// Keep Thulium in sync with an IdoSell shop: polling plus webhooks (no arguments: a demo
/// against the built-in simulators).
#[derive(Debug, Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    daemon: DaemonArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the webhook configuration to enter in the shop panel (and how to remove it).
    WebhookSetup(SetupArgs),
}

#[derive(Debug, clap::Args)]
struct DaemonArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    /// Seconds between incremental passes.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    interval: u64,
    /// The address the webhook receiver listens on.
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// The webhook token of the integration given by flags (with --config: per integration).
    #[arg(long, env = "WEBHOOK_TOKEN", hide_env_values = true)]
    webhook_token: Option<SecretString>,
    /// With a PostgreSQL state (several daemons): seconds a daemon's lease on an integration
    /// lasts without renewal, i.e. how soon another daemon takes over after it dies.
    #[arg(long, default_value_t = examples::fleet::DEFAULT_LEASE_TTL.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    lease_seconds: u64,
    /// Demo only: how many shop customers to generate.
    #[arg(long, default_value_t = DemoOptions::default().customers)]
    demo_customers: usize,
}

#[derive(Debug, clap::Args)]
struct SetupArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    /// The address at which the shop reaches this daemon, e.g. `https://sync.example.pl`.
    #[arg(long)]
    public_url: Url,
    /// The webhook token of the integration given by flags (with --config: per integration).
    #[arg(long, env = "WEBHOOK_TOKEN", hide_env_values = true)]
    webhook_token: Option<SecretString>,
}

fn main() -> ExitCode {
    let (args, runtime): (Args, _) = match start(PROGRAM, "info") {
        Ok(started) => started,
        Err(code) => return code,
    };
    let result = match args.command {
        Some(Command::WebhookSetup(setup)) => webhook_setup(setup),
        None => runtime.block_on(run(args.daemon)),
    };
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(message) => fail(PROGRAM, EXIT_CONFIG, &message),
    }
}

fn webhook_setup(args: SetupArgs) -> Result<(), String> {
    let settings = match args.connection.target().map_err(|e| e.0)? {
        Target::Real(settings) => with_flag_token(settings, args.webhook_token),
        Target::Demo => {
            println!("(no settings given: the demo integration `{DEMO_INTEGRATION}` is shown)\n");
            demo_setup_settings().map_err(|e| e.to_string())?
        }
    };
    print!("{}", setup_instructions(&settings, &args.public_url));
    Ok(())
}

/// Settings of the demo integration without starting the sandbox (only names matter here).
fn demo_setup_settings() -> Result<Settings, url::ParseError> {
    use examples::settings::{IntegrationSettings, ShopSettings, ThuliumSettings};
    let local = Url::parse("http://127.0.0.1/")?;
    Ok(Settings {
        thulium: ThuliumSettings {
            url: local.clone(),
            user: String::new(),
            password: SecretString::from(String::new()),
        },
        state: None,
        integrations: vec![IntegrationSettings {
            config: sync_core::config::IntegrationConfig::new(DEMO_INTEGRATION, local.clone()),
            shop: ShopSettings {
                url: local,
                api_key: SecretString::from(String::new()),
            },
            webhook_token: Some(SecretString::from(DEMO_WEBHOOK_TOKEN)),
        }],
    })
}

/// With flags (not `--config`), the one integration takes its token from `--webhook-token`.
fn with_flag_token(mut settings: Settings, token: Option<SecretString>) -> Settings {
    if let (Some(token), [only]) = (token, &mut settings.integrations[..])
        && only.webhook_token.is_none()
    {
        only.webhook_token = Some(token);
    }
    settings
}

async fn run(args: DaemonArgs) -> Result<(), String> {
    let (settings, sandbox) = match args.connection.target().map_err(|e: SettingsError| e.0)? {
        Target::Real(settings) => (with_flag_token(settings, args.webhook_token), None),
        Target::Demo => {
            let options = DemoOptions {
                customers: args.demo_customers,
                orders: args.demo_customers * 3,
                ..DemoOptions::default()
            };
            let sandbox = start_sandbox(options)
                .await
                .map_err(|e| format!("cannot start the demo sandbox: {e}"))?;
            (settings_for(&sandbox), Some(sandbox))
        }
    };
    let wiring = Arc::new(
        Wiring::connect(&settings, EngineOptions::default())
            .await
            .map_err(|e| e.0)?,
    );
    let warnings = wiring
        .preflight()
        .await
        .map_err(|problems| format!("preflight failed: {}", problems.join("; ")))?;
    for warning in &warnings {
        println!("note: {warning}");
    }
    // On a shared database the lease holder runs the first full sync (see `examples::fleet`).
    if wiring.shared.is_none() {
        first_full_syncs(&wiring).await?;
    }

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    print_started(&settings, address, args.interval, sandbox.is_some());

    let targets = settings
        .integrations
        .iter()
        .map(|i| WebhookTarget {
            name: i.config.name.clone(),
            enabled: i.config.enabled,
            token: i.webhook_token.clone(),
        })
        .collect();
    let (queue, triggers) = mpsc::channel(DEFAULT_QUEUE);
    let (stop, stopped) = watch::channel(false);
    let gather = Duration::from_millis(250);
    let interval = Duration::from_secs(args.interval);
    let (worker, poller) = match wiring.shared.clone() {
        None => (
            tokio::spawn(run_worker(
                triggers,
                Arc::new(EngineSink::new(&wiring)),
                gather,
            )),
            tokio::spawn(poll(Arc::clone(&wiring), interval, stopped)),
        ),
        Some(shared) => {
            let options = FleetOptions {
                lease_ttl: Duration::from_secs(args.lease_seconds),
                ..FleetOptions::new(interval)
            };
            (
                tokio::spawn(run_worker(
                    triggers,
                    Arc::new(InboxSink::new(&shared)),
                    gather,
                )),
                tokio::spawn(fleet::run(Arc::clone(&wiring), shared, options, stopped)),
            )
        }
    };
    let served = axum::serve(listener, webhook_router(targets, queue, DEFAULT_BODY_LIMIT))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("{PROGRAM}: stopping: finishing the sync in flight ...");
        })
        .await;
    // The router (and its queue sender) is gone: the worker drains what was accepted.
    let _ = stop.send(true);
    let _ = poller.await;
    let _ = worker.await;
    served.map_err(|e| format!("webhook server stopped: {e}"))?;
    eprintln!("{PROGRAM}: stopped.");
    Ok(())
}

/// An integration that never finished a full sync gets one before polling starts.
async fn first_full_syncs(wiring: &Wiring) -> Result<(), String> {
    for wired in wiring.enabled() {
        let name = wired.config.name.as_str();
        let cursor = wiring
            .store
            .cursor(name, CursorKind::Customers)
            .await
            .map_err(|e| format!("state store: {e}"))?;
        if cursor.is_some() {
            continue;
        }
        eprintln!(
            "{PROGRAM}: integration {name}: first run, synchronising the whole customer base ..."
        );
        let report = wired
            .engine
            .full_sync(&|_| {})
            .await
            .map_err(|e| format!("integration {name}: full sync stopped: {e}"))?;
        eprint!("{report}");
    }
    Ok(())
}

fn print_started(settings: &Settings, address: SocketAddr, interval: u64, demo: bool) {
    println!(
        "{PROGRAM}: polling every {interval} s; webhooks on http://{address}/webhooks/iai-shop/{{integration}}/{{token}}"
    );
    println!("  health: http://{address}/health");
    for integration in &settings.integrations {
        let state = if integration.config.enabled {
            "enabled"
        } else {
            "disabled"
        };
        println!("  integration {} ({state})", integration.config.name);
    }
    if demo {
        println!(
            "  demo webhook: curl -X POST http://{address}/webhooks/iai-shop/{DEMO_INTEGRATION}/{DEMO_WEBHOOK_TOKEN} \
             -H 'content-type: application/json' -d '{{\"event\":\"clientUpdated\",\"clientId\":1}}'"
        );
    }
    println!("Press Ctrl-C to stop.");
}
