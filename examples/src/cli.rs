//! The command-line settings shared by `full-sync` and `sync-daemon`: the connection
//! flags (each with an environment fallback), the custom-field names, the state file and
//! `--config`, and how they become [`Settings`] — or the sandbox demo when none is given.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono_tz::Tz;
use clap::Args;
use secrecy::SecretString;
use sync_core::config::{
    DEFAULT_LAST_ORDER_DATE_FIELD, DEFAULT_SHOP_ID_FIELD, IntegrationConfig, PhoneFormat,
    parse_time_zone,
};
use url::Url;

use crate::settings::{
    IntegrationSettings, Settings, SettingsError, ShopSettings, ThuliumSettings, load_file,
};

/// Exit code: everything went well.
pub const EXIT_OK: u8 = 0;
/// Exit code: a configuration or preflight error (nothing was written).
pub const EXIT_CONFIG: u8 = 1;
/// Exit code: the run finished but some customers failed (they are retried next run).
pub const EXIT_FAILED_CUSTOMERS: u8 = 2;

/// Where the shop and Thulium are, and which custom fields to write.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// The shop's address, e.g. `https://client1234.idosell.com`.
    #[arg(long, env = "IAI_SHOP_URL")]
    pub shop_url: Option<Url>,
    /// The shop's Admin API key.
    #[arg(long, env = "IAI_SHOP_API_KEY", hide_env_values = true)]
    pub shop_api_key: Option<SecretString>,
    /// The Thulium account's address, e.g. `https://acme.thulium.com`.
    #[arg(long, env = "THULIUM_URL")]
    pub thulium_url: Option<Url>,
    /// The Thulium API user.
    #[arg(long, env = "THULIUM_USER")]
    pub thulium_user: Option<String>,
    /// The Thulium API user's password.
    #[arg(long, env = "THULIUM_PASSWORD", hide_env_values = true)]
    pub thulium_password: Option<SecretString>,
    /// The numeric Thulium custom field holding the shop's customer ID.
    #[arg(long, default_value = DEFAULT_SHOP_ID_FIELD)]
    pub id_field: String,
    /// The date Thulium custom field holding the customer's last order date.
    #[arg(long, default_value = DEFAULT_LAST_ORDER_DATE_FIELD)]
    pub last_order_field: String,
    /// A text Thulium custom field for the buyer's Allegro login (not written when absent).
    #[arg(long)]
    pub allegro_login_field: Option<String>,
    /// The shop's time zone, an IANA name: IdoSell stamps changes in the shop's local time,
    /// whatever the zone of this machine [default: Europe/Warsaw]. With --config, set
    /// `shop_time_zone` per integration instead.
    #[arg(long, value_name = "ZONE", value_parser = zone_arg, conflicts_with = "config")]
    pub shop_time_zone: Option<Tz>,
    /// How phone numbers are written to Thulium: `e164` (+48601234567) or `national`
    /// (601234567) [default: e164]. With --config, set `phone_format` per integration instead.
    #[arg(long, value_name = "FORMAT", conflicts_with = "config")]
    pub phone_format: Option<PhoneFormat>,
    /// The SQLite state file (links, fingerprints, cursors), or a shared PostgreSQL database
    /// (`postgres://user@host/db`, for several daemons); in memory when absent. A URL with a
    /// password belongs in `SYNC_STATE`, where `ps` does not show it.
    #[arg(long, env = "SYNC_STATE", hide_env_values = true, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// A TOML file with several integrations (see the README); replaces the shop flags.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// What to run against.
#[derive(Debug)]
pub enum Target {
    /// Nothing was configured: start the sandbox with demo data.
    Demo,
    /// Real systems.
    Real(Settings),
}

impl ConnectionArgs {
    /// The settings the flags, environment and `--config` file describe; [`Target::Demo`]
    /// when neither a shop nor Thulium nor a config file is given.
    pub fn target(self) -> Result<Target, SettingsError> {
        if let Some(path) = self.config.clone() {
            let mut settings = load_file(&path, || self.thulium())?;
            if self.state.is_some() {
                settings.state = self.state;
            }
            return Ok(Target::Real(settings));
        }
        if self.shop_url.is_none() && self.thulium_url.is_none() {
            return Ok(Target::Demo);
        }
        let thulium = self.thulium()?;
        let shop_url = required(self.shop_url, "--shop-url", "IAI_SHOP_URL")?;
        let api_key = required(self.shop_api_key, "--shop-api-key", "IAI_SHOP_API_KEY")?;
        let mut config = IntegrationConfig::new("default", shop_url.clone());
        config.fields.shop_id = self.id_field;
        config.fields.last_order_date = self.last_order_field;
        config.fields.allegro_login = self.allegro_login_field;
        if let Some(zone) = self.shop_time_zone {
            config.shop_time_zone = zone;
        }
        if let Some(format) = self.phone_format {
            config.phone_format = format;
        }
        config
            .validate()
            .map_err(|error| SettingsError(error.to_string()))?;
        Ok(Target::Real(Settings {
            thulium,
            state: self.state,
            integrations: vec![IntegrationSettings {
                config,
                shop: ShopSettings {
                    url: shop_url,
                    api_key,
                },
                webhook_token: None,
                poll_interval: None,
                agent_token: None,
            }],
        }))
    }

    fn thulium(&self) -> Result<ThuliumSettings, SettingsError> {
        Ok(ThuliumSettings {
            url: required(self.thulium_url.clone(), "--thulium-url", "THULIUM_URL")?,
            user: required(self.thulium_user.clone(), "--thulium-user", "THULIUM_USER")?,
            password: required(
                self.thulium_password.clone(),
                "--thulium-password",
                "THULIUM_PASSWORD",
            )?,
        })
    }
}

/// `--shop-time-zone`: an IANA name, with the same message as in the config file.
fn zone_arg(name: &str) -> Result<Tz, String> {
    parse_time_zone(name).map_err(|error| error.problem)
}

fn required<T>(value: Option<T>, flag: &str, env: &str) -> Result<T, SettingsError> {
    value.ok_or_else(|| SettingsError(format!("{flag} (or {env}) is required")))
}

/// Parses the command line; `--help` and `--version` print and end with 0, a bad flag ends
/// with one line on stderr and [`EXIT_CONFIG`] (clap's own code 2 would read as "failed
/// customers").
pub fn parse_args<T: clap::Parser>(program: &str) -> Result<T, ExitCode> {
    use clap::error::ErrorKind;
    T::try_parse().map_err(|error| {
        if matches!(
            error.kind(),
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
        ) {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        let rendered = error.render().to_string();
        let first = rendered.lines().next().unwrap_or("invalid arguments");
        fail(program, EXIT_CONFIG, first.trim_start_matches("error: "))
    })
}

/// The common start of a program: parses the command line ([`parse_args`]), logs at
/// `default_level` ([`init_logging`]) and builds the Tokio runtime. `Err` is the exit code
/// to end with; the reason is already printed.
pub fn start<T: clap::Parser>(
    program: &str,
    default_level: &str,
) -> Result<(T, tokio::runtime::Runtime), ExitCode> {
    start_logging_as(program, default_level, |_: &T| LogFormat::Text)
}

/// [`start`], with the log format the parsed arguments ask for (`--log-format`).
pub fn start_logging_as<T: clap::Parser>(
    program: &str,
    default_level: &str,
    format: impl FnOnce(&T) -> LogFormat,
) -> Result<(T, tokio::runtime::Runtime), ExitCode> {
    let args = parse_args(program)?;
    init_logging_as(default_level, format(&args));
    let runtime = tokio::runtime::Runtime::new().map_err(|error| {
        fail(
            program,
            EXIT_CONFIG,
            &format!("cannot start the runtime: {error}"),
        )
    })?;
    Ok((args, runtime))
}

/// Prints `program: message` as one line on stderr and gives `code`.
pub fn fail(program: &str, code: u8, message: &str) -> ExitCode {
    let line = message
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ");
    eprintln!("{program}: {line}");
    ExitCode::from(code)
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Logs to stderr at `default_level` (or as `RUST_LOG` says), so that stdout holds the
/// program's own output.
pub fn init_logging(default_level: &str) {
    init_logging_as(default_level, LogFormat::Text);
}

/// [`init_logging`] in the given format.
pub fn init_logging_as(default_level: &str, format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        connection: ConnectionArgs,
    }

    const SHOP: [&str; 9] = [
        "test",
        "--shop-url",
        "https://client1.idosell.com",
        "--shop-api-key",
        "k",
        "--thulium-url",
        "https://acme.thulium.com",
        "--thulium-user",
        "api",
    ];

    fn flags(extra: &[&str]) -> Result<IntegrationConfig, String> {
        let mut args: Vec<&str> = SHOP.to_vec();
        args.extend(["--thulium-password", "pw"]);
        args.extend(extra);
        let cli = Cli::try_parse_from(args).map_err(|e| e.to_string())?;
        match cli.connection.target().map_err(|e| e.0)? {
            Target::Real(settings) => Ok(settings.integrations[0].config.clone()),
            Target::Demo => Err("demo".into()),
        }
    }

    #[test]
    fn shop_time_zone_and_phone_format_flags_set_the_flag_integration() {
        let config = flags(&[]).unwrap();
        assert_eq!(config.shop_time_zone, chrono_tz::Europe::Warsaw);
        assert_eq!(config.phone_format, PhoneFormat::E164);
        let config = flags(&[
            "--shop-time-zone",
            "Europe/Vilnius",
            "--phone-format",
            "national",
        ])
        .unwrap();
        assert_eq!(config.shop_time_zone, chrono_tz::Europe::Vilnius);
        assert_eq!(config.phone_format, PhoneFormat::National);
    }

    #[test]
    fn bad_zone_or_format_flags_are_refused_by_name() {
        let error = flags(&["--shop-time-zone", "Europe/Warsw"]).unwrap_err();
        assert!(
            error.contains("`Europe/Warsw` is not an IANA time-zone name"),
            "{error}"
        );
        let error = flags(&["--phone-format", "local"]).unwrap_err();
        assert!(error.contains("`local` is not a phone format"), "{error}");
        // With a config file the zone is set per integration there.
        let error = flags(&["--config", "sync.toml", "--shop-time-zone", "UTC"]).unwrap_err();
        assert!(error.contains("cannot be used with"), "{error}");
    }
}
