//! `sync-daemon`: keeps Thulium in sync with the shop — IdoSell webhooks at
//! `/webhooks/iai-shop/{integration}/{token}` (POST, GET, PUT or DELETE, any body) for
//! changes within seconds, and an incremental poll as the safety net (every 10 minutes for
//! an integration with webhooks, every 60 s without; `--interval` or the integration's
//! `poll_interval_secs` override). `GET /metrics` (Prometheus) and `GET /health` (JSON)
//! are for operators. Ctrl-C stops it gracefully: the sync in flight finishes first.
//!
//! `sync-daemon webhook-setup --public-url URL` prints what to enter in the shop panel.
//! Without shop or Thulium settings it runs against the sandbox demo.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use examples::card::{agent_router, agent_site};
use examples::cli::{
    ConnectionArgs, EXIT_CONFIG, EXIT_OK, LogFormat, Target, fail, start_logging_as,
};
use examples::daemon::{EngineSink, Passes, idle_requests_per_month, poll, poll_interval};
use examples::demo::{
    DEMO_INTEGRATION, DEMO_WEBHOOK_TOKEN, DemoOptions, settings_for, start_sandbox,
};
use examples::fleet::{self, FleetOptions, InboxSink};
use examples::health::{Health, health_router};
use examples::metrics::metrics_router;
use examples::serve::{ServeOptions, bind, serve};
use examples::settings::{Settings, SettingsError};
use examples::webhook_server::{
    DEFAULT_BODY_LIMIT, DEFAULT_QUEUE, ReceiverOptions, WebhookTarget, receiver_router, run_worker,
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
    /// Seconds between incremental passes of every integration without its own
    /// `poll_interval_secs` [default: 600 with a webhook token, 60 without].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    interval: Option<u64>,
    /// The address the webhook receiver, /metrics and /health listen on.
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// How log lines are written: `text`, or `json` for log shippers.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Connections served at once; more wait in the listen backlog.
    #[arg(long, default_value_t = ServeOptions::default().max_connections)]
    max_connections: usize,
    /// Milliseconds a client has for its request headers, and again for its body.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..))]
    client_timeout_ms: u64,
    /// Milliseconds a burst of webhooks gathers before one pass handles it.
    #[arg(long, default_value_t = 250)]
    debounce_ms: u64,
    /// The webhook token of the integration given by flags (with --config: per integration).
    #[arg(long, env = "WEBHOOK_TOKEN", hide_env_values = true)]
    webhook_token: Option<SecretString>,
    /// The agent token (card and caller-lookup URLs) of the integration given by flags
    /// (with --config: per integration, `agent = { token_env = "..." }`).
    #[arg(long, env = "AGENT_TOKEN", hide_env_values = true)]
    agent_token: Option<SecretString>,
    /// With a PostgreSQL state (several daemons): seconds a daemon's lease on an integration
    /// lasts without renewal, i.e. how soon another daemon takes over after it dies.
    #[arg(long, default_value_t = examples::fleet::DEFAULT_LEASE_TTL.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    lease_seconds: u64,
    /// With a PostgreSQL state: seconds between a lease holder's own looks into the webhook
    /// inbox. Webhooks are announced as they are stored (LISTEN/NOTIFY); the looks only cover
    /// what arrived while the announcements' connection was down.
    #[arg(long, default_value_t = examples::fleet::DEFAULT_INBOX_POLL.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    inbox_poll_seconds: u64,
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
    /// Also write the instructions to this file, for the merchant to keep.
    #[arg(long, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let log_format = |args: &Args| match &args.command {
        Some(_) => LogFormat::Text,
        None => args.daemon.log_format,
    };
    let (args, runtime): (Args, _) = match start_logging_as(PROGRAM, "info", log_format) {
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
    let instructions = setup_instructions(&settings, &args.public_url);
    print!("{instructions}");
    if let Some(path) = &args.output {
        std::fs::write(path, &instructions)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("{PROGRAM}: written to {}", path.display());
    }
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
            poll_interval: None,
            agent_token: None,
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

/// With flags (not `--config`), the one integration takes its agent token from
/// `--agent-token`.
fn with_flag_agent_token(mut settings: Settings, token: Option<SecretString>) -> Settings {
    if let (Some(token), [only]) = (token, &mut settings.integrations[..])
        && only.agent_token.is_none()
    {
        only.agent_token = Some(token);
    }
    settings
}

async fn run(args: DaemonArgs) -> Result<(), String> {
    let (settings, sandbox) = match args.connection.target().map_err(|e: SettingsError| e.0)? {
        Target::Real(settings) => {
            let settings = with_flag_token(settings, args.webhook_token);
            (with_flag_agent_token(settings, args.agent_token), None)
        }
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

    let serve_options = ServeOptions {
        max_connections: args.max_connections,
        header_timeout: Duration::from_millis(args.client_timeout_ms),
        ..ServeOptions::default()
    };
    let listener = bind(args.listen, &serve_options)
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let flag_interval = args.interval.map(Duration::from_secs);
    let schedule: Vec<(String, Duration, bool)> = settings
        .enabled()
        .map(|i| {
            let interval = poll_interval(i, flag_interval);
            (i.config.name.clone(), interval, i.webhook_token.is_some())
        })
        .collect();
    print_started(&settings, &schedule, address, sandbox.is_some());

    let health = Arc::new(Health::new(schedule.iter().map(
        |(name, interval, webhooks)| (name.clone(), interval.as_secs(), *webhooks),
    )));
    let passes = Arc::new(Passes::new(&wiring, Arc::clone(&health)));
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
    let debounce = Duration::from_millis(args.debounce_ms);
    let (stop, stopped) = watch::channel(false);
    let (worker, pollers) = match wiring.shared.clone() {
        None => {
            let worker = tokio::spawn(run_worker(
                triggers,
                Arc::new(EngineSink::over(Arc::clone(&passes))),
                debounce,
            ));
            let pollers: Vec<_> = schedule
                .iter()
                .map(|(name, interval, _)| {
                    tokio::spawn(poll(
                        Arc::clone(&passes),
                        name.clone(),
                        *interval,
                        stopped.clone(),
                    ))
                })
                .collect();
            (worker, pollers)
        }
        // Several daemons: webhooks go to the database for the lease holder, and each daemon
        // syncs only the integrations it holds (see `examples::fleet`).
        Some(shared) => {
            let options = FleetOptions {
                lease_ttl: Duration::from_secs(args.lease_seconds),
                inbox_poll: Duration::from_secs(args.inbox_poll_seconds),
                ..FleetOptions::new(
                    schedule
                        .iter()
                        .map(|(name, interval, _)| (name.clone(), *interval))
                        .collect(),
                )
            };
            let worker = tokio::spawn(run_worker(
                triggers,
                Arc::new(InboxSink::new(&shared)),
                debounce,
            ));
            let fleet = tokio::spawn(fleet::run(
                Arc::clone(&wiring),
                Arc::clone(&passes),
                shared,
                options,
                stopped,
            ));
            (worker, vec![fleet])
        }
    };
    let receiver_options = ReceiverOptions {
        body_limit: DEFAULT_BODY_LIMIT,
        body_timeout: Duration::from_millis(args.client_timeout_ms),
    };
    let mut routes = receiver_router(targets, queue, receiver_options)
        .merge(metrics_router())
        .merge(health_router(health));
    // The agents' card and Thulium's caller lookup, for integrations with an agent token.
    if let Some(site) = agent_site(&settings, Arc::clone(&wiring.store)).map_err(|e| e.0)? {
        routes = routes.merge(agent_router(site));
    }
    serve(listener, routes, serve_options, async {
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("{PROGRAM}: stopping: finishing the sync in flight ...");
    })
    .await;
    // The router (and its queue sender) is gone: the worker drains what was accepted.
    let _ = stop.send(true);
    for poller in pollers {
        let _ = poller.await;
    }
    let _ = worker.await;
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

fn print_started(
    settings: &Settings,
    schedule: &[(String, Duration, bool)],
    address: SocketAddr,
    demo: bool,
) {
    println!("{PROGRAM}: webhooks on http://{address}/webhooks/iai-shop/{{integration}}/{{token}}");
    println!("  metrics: http://{address}/metrics  health: http://{address}/health");
    for integration in &settings.integrations {
        let name = &integration.config.name;
        match schedule.iter().find(|(scheduled, _, _)| scheduled == name) {
            Some((_, interval, webhooks)) => {
                let secs = interval.as_secs();
                let idle = idle_requests_per_month(*interval);
                let source = if *webhooks {
                    "with webhooks"
                } else {
                    "no webhook token"
                };
                println!("  integration {name} (enabled, {source}): polling every {secs} s");
                tracing::info!(
                    integration = name.as_str(),
                    poll_interval_s = secs,
                    idle_admin_api_requests_per_month = idle,
                    "idle polls cost about {idle} Admin API requests a month at this interval"
                );
            }
            None => println!("  integration {name} (disabled)"),
        }
    }
    if demo {
        println!(
            "  demo webhook: curl -X POST http://{address}/webhooks/iai-shop/{DEMO_INTEGRATION}/{DEMO_WEBHOOK_TOKEN} \
             -H 'content-type: application/json' -d '{{\"event\":\"clientUpdated\",\"clientId\":1}}'"
        );
        println!(
            "  (an empty POST or a GET to the same URL also works: it starts an incremental pass)"
        );
    }
    println!("Press Ctrl-C to stop.");
}
