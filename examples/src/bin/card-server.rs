//! `card-server`: serves what agents open from Thulium, behind the agent token — the
//! customer card (`/card/{token}/{thulium_customer_id}`, `/card/{token}/shop/{client_id}`),
//! read live from the shop, and Thulium's external-CRM caller lookup
//! (`/thulium/external-crm/{token}?phone_number=...`), answered from the sync's state file
//! (`--state`) when given, else live from the shop.
//!
//! With no shop or Thulium settings it starts the sandbox with demo data, links a few
//! customers into the simulated Thulium and prints sample URLs (with the demo's token). With settings (flags or
//! environment variables) it serves the real systems; a missing or bad setting ends it with
//! one clear line and exit code 1.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use examples::card::{
    AgentIntegration, AgentSite, CardState, DemoConfig, DemoData, agent_router, agent_shop_client,
    agent_thulium_client, start_demo,
};
use iai_shop_client::IdoSellClient;
use secrecy::{ExposeSecret, SecretString};
use sync_core::config::{DEFAULT_SHOP_ID_FIELD, IntegrationConfig};
use sync_core::engine::store::SqliteStore;
use thulium_client::ThuliumClient;
use url::Url;

/// Serves the IdoSell customer card for Thulium agents.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The shop's address, e.g. `https://client1234.idosell.com`.
    #[arg(long, env = "IAI_SHOP_URL")]
    shop_url: Option<Url>,
    /// The shop's Admin API key.
    #[arg(long, env = "IAI_SHOP_API_KEY", hide_env_values = true)]
    shop_api_key: Option<SecretString>,
    /// The Thulium account's address, e.g. `https://acme.thulium.com`.
    #[arg(long, env = "THULIUM_URL")]
    thulium_url: Option<Url>,
    /// The Thulium API user.
    #[arg(long, env = "THULIUM_USER")]
    thulium_user: Option<String>,
    /// The Thulium API user's password.
    #[arg(long, env = "THULIUM_PASSWORD", hide_env_values = true)]
    thulium_password: Option<SecretString>,
    /// The Thulium custom field holding the shop's customer ID.
    #[arg(long, default_value = DEFAULT_SHOP_ID_FIELD)]
    id_field: String,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8088")]
    listen: SocketAddr,
    /// The shop panel's address for links (defaults to the shop URL).
    #[arg(long)]
    panel_url: Option<Url>,
    /// The secret part of the agent URLs (at least 16 characters; put it into Thulium's
    /// card tab and external-CRM addresses). Required with real settings.
    #[arg(long, env = "AGENT_TOKEN", hide_env_values = true)]
    agent_token: Option<SecretString>,
    /// The sync's SQLite state file: caller lookups read its caller index first.
    #[arg(long)]
    state: Option<PathBuf>,
}

/// The demo's agent token (the demo serves the sandbox's made-up customers on loopback).
const DEMO_AGENT_TOKEN: &str = "demo-agent-token";

/// The shortest agent token accepted: shorter ones are guessable despite the failure limit.
const MIN_TOKEN_CHARS: usize = 16;

/// Where the card reads from, once the flags are checked.
struct Connection {
    shop_url: Url,
    shop_api_key: SecretString,
    thulium_url: Url,
    thulium_user: String,
    thulium_password: SecretString,
    agent_token: SecretString,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error) => return flag_error(&error),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&format!("cannot start the async runtime: {error}")),
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

/// `--help` and `--version` print as usual; a bad flag is one line and exit code 1.
fn flag_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let rendered = error.render().to_string();
    let first_line = rendered.lines().next().unwrap_or("invalid arguments");
    fail(first_line.trim_start_matches("error: "))
}

fn fail(message: &str) -> ExitCode {
    eprintln!("card-server: {message}");
    ExitCode::FAILURE
}

async fn run(args: Args) -> Result<(), String> {
    let demo = if has_connection_settings(&args) {
        None
    } else {
        Some(
            start_demo(&DemoConfig::default())
                .await
                .map_err(|error| format!("cannot start the demo sandbox: {error}"))?,
        )
    };
    let connection = match &demo {
        Some(demo) => demo_connection(demo),
        None => connection_from(&args)?,
    };
    let panel_url = args
        .panel_url
        .clone()
        .unwrap_or_else(|| connection.shop_url.clone());
    let mut config = IntegrationConfig::new("card-server", panel_url);
    config.fields.shop_id = args.id_field.clone();
    config
        .validate()
        .map_err(|error| format!("bad configuration: {error}"))?;
    let card = CardState::new(
        shop_client(&connection)?,
        thulium_client(&connection)?,
        config,
    );
    let mut agent = AgentIntegration::new(card, connection.agent_token.clone());
    if let Some(path) = &args.state {
        let store = SqliteStore::open(path)
            .await
            .map_err(|error| format!("cannot open the state file {}: {error}", path.display()))?;
        agent = agent.with_store(Arc::new(store));
    }
    let site = AgentSite::new(&connection.thulium_url, vec![agent]);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", args.listen))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("cannot read the listening address: {error}"))?;
    print_start(demo.as_ref(), address);
    let app = agent_router(site).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|error| format!("server stopped: {error}"))
}

/// Whether any shop or Thulium setting was given (then all of them are required).
fn has_connection_settings(args: &Args) -> bool {
    args.shop_url.is_some()
        || args.shop_api_key.is_some()
        || args.thulium_url.is_some()
        || args.thulium_user.is_some()
        || args.thulium_password.is_some()
}

fn connection_from(args: &Args) -> Result<Connection, String> {
    fn required<T: Clone>(value: &Option<T>, flag: &str, env: &str) -> Result<T, String> {
        value
            .clone()
            .ok_or_else(|| format!("missing {flag} (or {env}); give all shop and Thulium settings, or none for the demo"))
    }
    Ok(Connection {
        shop_url: required(&args.shop_url, "--shop-url", "IAI_SHOP_URL")?,
        shop_api_key: required(&args.shop_api_key, "--shop-api-key", "IAI_SHOP_API_KEY")?,
        thulium_url: required(&args.thulium_url, "--thulium-url", "THULIUM_URL")?,
        thulium_user: required(&args.thulium_user, "--thulium-user", "THULIUM_USER")?,
        thulium_password: required(
            &args.thulium_password,
            "--thulium-password",
            "THULIUM_PASSWORD",
        )?,
        agent_token: agent_token(&args.agent_token)?,
    })
}

/// The agent token: given, and long enough to resist guessing.
fn agent_token(token: &Option<SecretString>) -> Result<SecretString, String> {
    let token = token
        .clone()
        .ok_or("missing --agent-token (or AGENT_TOKEN): the agent URLs need a secret")?;
    if token.expose_secret().trim().chars().count() < MIN_TOKEN_CHARS {
        return Err(format!(
            "--agent-token is too short: use at least {MIN_TOKEN_CHARS} random characters"
        ));
    }
    Ok(token)
}

fn demo_connection(demo: &DemoData) -> Connection {
    let sandbox = &demo.sandbox;
    Connection {
        shop_url: sandbox.shop_url.clone(),
        shop_api_key: SecretString::from(sandbox.shop_api_key.clone()),
        thulium_url: sandbox.thulium_url.clone(),
        thulium_user: sandbox.thulium_user.clone(),
        thulium_password: SecretString::from(sandbox.thulium_password.clone()),
        agent_token: SecretString::from(DEMO_AGENT_TOKEN),
    }
}

fn shop_client(connection: &Connection) -> Result<IdoSellClient, String> {
    agent_shop_client(&connection.shop_url, &connection.shop_api_key)
}

fn thulium_client(connection: &Connection) -> Result<ThuliumClient, String> {
    agent_thulium_client(
        &connection.thulium_url,
        &connection.thulium_user,
        &connection.thulium_password,
    )
}

/// Prints where to look. A closed stdout (say, a pipe whose reader left) must not stop the
/// server, so write errors are ignored rather than panicking as `println!` would.
fn print_start(demo: Option<&DemoData>, address: SocketAddr) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "card-server listening on http://{address}/card/{{agent_token}}/{{thulium_customer_id}}"
    );
    let _ = writeln!(
        out,
        "caller lookup (Thulium external CRM): http://{address}/thulium/external-crm/{{agent_token}}"
    );
    let Some(demo) = demo else {
        return;
    };
    let _ = writeln!(
        out,
        "demo: sandbox shop at {} ({} customers, {} orders), Thulium at {}",
        demo.sandbox.shop_url,
        demo.sandbox.shop().customer_count(),
        demo.sandbox.shop().order_count(),
        demo.sandbox.thulium_url
    );
    let _ = writeln!(out, "sample cards (Ctrl-C to stop):");
    let token = DEMO_AGENT_TOKEN;
    for (thulium_id, client_id) in &demo.links {
        let _ = writeln!(
            out,
            "  http://{address}/card/{token}/{thulium_id}   (shop customer {client_id})"
        );
        let _ = writeln!(
            out,
            "  http://{address}/card/{token}/shop/{client_id}?format=json"
        );
    }
    if let Some(phone) = demo.sample_phone.as_deref() {
        let phone: String = url::form_urlencoded::byte_serialize(phone.as_bytes()).collect();
        let _ = writeln!(
            out,
            "sample caller lookup:\n  http://{address}/thulium/external-crm/{token}?phone_number={phone}"
        );
    }
    let _ = out.flush();
}
