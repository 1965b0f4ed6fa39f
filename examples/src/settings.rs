//! The settings of a run: the Thulium tenant, the state file and one or more integrations
//! (each with its own shop, custom fields, webhook token and `enabled` flag).
//!
//! They come either from a TOML file (`--config FILE`, several integrations) or from the
//! command-line flags and environment variables (one integration). Secrets are read into
//! [`SecretString`]s at once and are never printed.
//!
//! # The TOML format
//!
//! ```toml
//! state = "sync-state.sqlite"          # optional: the SQLite state file, or a shared
//!                                       # database: "postgres://user@db-host/sync"
//!
//! [thulium]                             # optional: else --thulium-url / THULIUM_URL ...
//! url = "https://acme.thulium.com"
//! user = "api_sync"
//! password_env = "THULIUM_PASSWORD"     # or `password = "..."` (kept out of logs)
//!
//! [[integration]]
//! name = "main-shop"
//! enabled = true                        # default true
//! panel_url = "https://client1234.idosell.com"   # default: shop.url
//! shop_time_zone = "Europe/Warsaw"      # default: the zone the shop stamps its dates in
//! phone_format = "national"             # default "e164": +48601234567; national: 601234567
//! fields = { shop_id = "IAI Shop ID", last_order_date = "IAI Shop last order date", allegro_login = "Allegro login" }
//! shop = { url = "https://client1234.idosell.com", api_key_env = "MAIN_SHOP_API_KEY" }
//! webhook = { token_env = "MAIN_SHOP_WEBHOOK_TOKEN" }   # for sync-daemon
//! poll_interval_secs = 300              # sync-daemon; default 600 with a webhook, else 60
//! agent = { token_env = "MAIN_SHOP_AGENT_TOKEN" }       # card and caller lookup URLs
//!
//! [[integration]]
//! name = "outlet"
//! enabled = false
//! fields = { shop_id = "Outlet shop ID", last_order_date = "Outlet last order date" }
//! shop = { url = "https://client5678.idosell.com", api_key_env = "OUTLET_API_KEY" }
//! ```
//!
//! Every other key of an `[[integration]]` table is a setting of
//! [`IntegrationConfig`] (`shop_time_zone`, `phone_format`, `customer_link_template`,
//! `phone_default_country`, `orders_group`, `matching`, `card_orders`, `locale`); unknown
//! keys are an error.

use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;
use sync_core::config::IntegrationConfig;
use url::Url;

/// Where the Thulium tenant is and how to log in.
pub struct ThuliumSettings {
    /// The account address, e.g. `https://acme.thulium.com`.
    pub url: Url,
    /// The API user.
    pub user: String,
    /// The API user's password.
    pub password: SecretString,
}

/// Where one shop is and its Admin API key.
pub struct ShopSettings {
    /// The shop's address, e.g. `https://client1234.idosell.com`.
    pub url: Url,
    /// The Admin API key (`X-API-KEY`).
    pub api_key: SecretString,
}

/// One integration: a shop into the tenant, with its own fields and webhook token.
pub struct IntegrationSettings {
    /// The sync settings (name, panel URL, custom fields, matching, `enabled` ...).
    pub config: IntegrationConfig,
    /// The shop.
    pub shop: ShopSettings,
    /// The secret part of the webhook URL; without it the daemon takes no webhooks for
    /// this integration.
    pub webhook_token: Option<SecretString>,
    /// `sync-daemon`'s poll interval for this integration (`poll_interval_secs`); `None`:
    /// `--interval`, else the default (see `daemon::poll_interval`).
    pub poll_interval: Option<std::time::Duration>,
    /// The secret part of the agent URLs (the customer card, the external-CRM caller
    /// lookup); without it neither is served for this integration.
    pub agent_token: Option<SecretString>,
}

/// Everything a run needs.
pub struct Settings {
    /// The Thulium tenant all integrations write to.
    pub thulium: ThuliumSettings,
    /// The SQLite state file, or a `postgres://` URL (see [`crate::state_store`]); `None`
    /// keeps the state in memory (gone when the run ends).
    pub state: Option<PathBuf>,
    /// The integrations, in file order.
    pub integrations: Vec<IntegrationSettings>,
}

impl Settings {
    /// The enabled integrations.
    pub fn enabled(&self) -> impl Iterator<Item = &IntegrationSettings> {
        self.integrations.iter().filter(|i| i.config.enabled)
    }

    /// The integration with this name.
    pub fn integration(&self, name: &str) -> Option<&IntegrationSettings> {
        self.integrations.iter().find(|i| i.config.name == name)
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .integrations
            .iter()
            .map(|i| i.config.name.as_str())
            .collect();
        f.debug_struct("Settings")
            .field("thulium_url", &self.thulium.url.as_str())
            .field("thulium_user", &self.thulium.user)
            .field(
                "state",
                &self.state.as_deref().map(crate::state_store::shown),
            )
            .field("integrations", &names)
            .finish_non_exhaustive()
    }
}

/// A setting that is missing or wrong; the message is one line, without secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(pub String);

impl SettingsError {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// A secret given inline (`password = "..."`) or by the name of an environment variable
/// (`password_env = "THULIUM_PASSWORD"`).
fn secret(
    inline: Option<String>,
    env_name: Option<String>,
    what: &str,
) -> Result<SecretString, SettingsError> {
    match (inline, env_name) {
        (Some(_), Some(_)) => Err(SettingsError::new(format!(
            "{what}: give either the value or `{what}_env`, not both"
        ))),
        (Some(value), None) => Ok(SecretString::from(value)),
        (None, Some(name)) => std::env::var(&name)
            .ok()
            .filter(|value| !value.is_empty())
            .map(SecretString::from)
            .ok_or_else(|| {
                SettingsError::new(format!(
                    "{what}_env: environment variable {name} is not set"
                ))
            }),
        (None, None) => Err(SettingsError::new(format!(
            "{what} is missing (give `{what}` or `{what}_env`)"
        ))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThuliumFile {
    url: Url,
    user: String,
    password: Option<String>,
    password_env: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShopFile {
    url: Url,
    api_key: Option<String>,
    api_key_env: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookFile {
    token: Option<String>,
    token_env: Option<String>,
}

#[derive(Deserialize)]
struct IntegrationFile {
    shop: ShopFile,
    webhook: Option<WebhookFile>,
    poll_interval_secs: Option<u64>,
    /// `agent = { token_env = "..." }` (or `token = "..."`): same shape as `webhook`.
    agent: Option<WebhookFile>,
    /// The rest of the table: an [`IntegrationConfig`].
    #[serde(flatten)]
    config: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    state: Option<PathBuf>,
    thulium: Option<ThuliumFile>,
    #[serde(default)]
    integration: Vec<IntegrationFile>,
}

/// Reads a TOML settings file. `thulium_fallback` is used when the file has no
/// `[thulium]` table (so the tenant can come from flags or the environment); a relative
/// `state` path is taken relative to the file.
pub fn load_file(
    path: &Path,
    thulium_fallback: impl FnOnce() -> Result<ThuliumSettings, SettingsError>,
) -> Result<Settings, SettingsError> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|error| SettingsError::new(format!("config file {shown}: {error}")))?;
    parse(&text, path.parent(), thulium_fallback)
        .map_err(|error| SettingsError::new(format!("config file {shown}: {error}")))
}

/// Parses the TOML text of a settings file (see [`load_file`]).
pub fn parse(
    text: &str,
    base_dir: Option<&Path>,
    thulium_fallback: impl FnOnce() -> Result<ThuliumSettings, SettingsError>,
) -> Result<Settings, SettingsError> {
    let file: SettingsFile =
        toml::from_str(text).map_err(|error| SettingsError::new(one_line(&error.to_string())))?;
    let thulium = match file.thulium {
        Some(t) => ThuliumSettings {
            url: t.url,
            user: t.user,
            password: secret(t.password, t.password_env, "thulium.password")?,
        },
        None => thulium_fallback()?,
    };
    if file.integration.is_empty() {
        return Err(SettingsError::new(
            "no [[integration]] table: configure at least one shop",
        ));
    }
    let integrations = file
        .integration
        .into_iter()
        .enumerate()
        .map(|(index, entry)| integration(entry, index))
        .collect::<Result<Vec<_>, _>>()?;
    check_unique_names(&integrations)?;
    let state = file.state.map(|state| match base_dir {
        Some(dir) if state.is_relative() && crate::state_store::postgres_url(&state).is_none() => {
            dir.join(state)
        }
        _ => state,
    });
    Ok(Settings {
        thulium,
        state,
        integrations,
    })
}

fn integration(entry: IntegrationFile, index: usize) -> Result<IntegrationSettings, SettingsError> {
    let mut table = entry.config;
    let label = match table.get("name").and_then(toml::Value::as_str) {
        Some(name) => format!("integration `{name}`"),
        None => format!("integration #{}", index + 1),
    };
    let in_label = |error: SettingsError| SettingsError::new(format!("{label}: {}", error.0));
    table
        .entry("panel_url")
        .or_insert_with(|| toml::Value::String(entry.shop.url.to_string()));
    let config: IntegrationConfig =
        toml::Value::Table(table)
            .try_into()
            .map_err(|error: toml::de::Error| {
                in_label(SettingsError::new(one_line(&error.to_string())))
            })?;
    config
        .validate()
        .map_err(|error| in_label(SettingsError::new(error.to_string())))?;
    // A disabled integration is never run: its secrets may be unset (say, the outlet's key
    // was already removed from the environment).
    let needed = |result: Result<SecretString, SettingsError>| match result {
        Err(_) if !config.enabled => Ok(None),
        other => other.map(Some).map_err(in_label),
    };
    let shop = ShopSettings {
        url: entry.shop.url,
        api_key: needed(secret(
            entry.shop.api_key,
            entry.shop.api_key_env,
            "shop.api_key",
        ))?
        .unwrap_or_else(|| SecretString::from(String::new())),
    };
    let webhook_token = match entry.webhook {
        Some(webhook) => needed(secret(webhook.token, webhook.token_env, "webhook.token"))?,
        None => None,
    };
    if entry.poll_interval_secs == Some(0) {
        return Err(in_label(SettingsError::new(
            "poll_interval_secs must be at least 1",
        )));
    }
    let agent_token = match entry.agent {
        Some(agent) => needed(secret(agent.token, agent.token_env, "agent.token"))?,
        None => None,
    };
    Ok(IntegrationSettings {
        config,
        shop,
        webhook_token,
        poll_interval: entry.poll_interval_secs.map(std::time::Duration::from_secs),
        agent_token,
    })
}

fn check_unique_names(integrations: &[IntegrationSettings]) -> Result<(), SettingsError> {
    for (i, integration) in integrations.iter().enumerate() {
        let name = &integration.config.name;
        if integrations[..i]
            .iter()
            .any(|earlier| &earlier.config.name == name)
        {
            return Err(SettingsError::new(format!(
                "two integrations are named `{name}`; names must be unique"
            )));
        }
    }
    Ok(())
}

/// toml's messages span several lines (with a source excerpt); keep them on one.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('|') && !line.ends_with('|'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use secrecy::ExposeSecret;
    use sync_core::config::PhoneFormat;

    fn no_thulium() -> Result<ThuliumSettings, SettingsError> {
        Err(SettingsError::new("no thulium"))
    }

    const TWO: &str = r#"
        state = "state.sqlite"
        [thulium]
        url = "https://acme.thulium.com"
        user = "api"
        password = "pw"
        [[integration]]
        name = "main"
        fields = { shop_id = "Main ID", allegro_login = "Allegro login" }
        shop = { url = "https://client1.idosell.com", api_key = "k1" }
        webhook = { token = "t1" }
        agent = { token = "agent-secret-1" }
        [[integration]]
        name = "outlet"
        enabled = false
        panel_url = "https://panel.outlet.pl"
        fields = { shop_id = "Outlet ID", last_order_date = "Outlet last order" }
        shop = { url = "https://client2.idosell.com", api_key = "k2" }
    "#;

    #[test]
    fn reads_two_integrations_with_their_own_shops_and_fields() {
        let settings = parse(TWO, Some(Path::new("/etc/sync")), no_thulium).unwrap();
        assert_eq!(
            settings.state,
            Some(PathBuf::from("/etc/sync/state.sqlite"))
        );
        assert_eq!(settings.thulium.password.expose_secret(), "pw");
        let [main, outlet] = &settings.integrations[..] else {
            panic!("two integrations expected");
        };
        assert_eq!(main.config.fields.shop_id, "Main ID");
        assert_eq!(
            main.config.fields.last_order_date,
            "IAI Shop last order date"
        );
        assert_eq!(
            main.config.panel_url.as_str(),
            "https://client1.idosell.com/"
        );
        assert_eq!(main.webhook_token.as_ref().unwrap().expose_secret(), "t1");
        assert!(!outlet.config.enabled);
        assert_eq!(outlet.config.panel_url.as_str(), "https://panel.outlet.pl/");
        assert_eq!(outlet.shop.api_key.expose_secret(), "k2");
        assert!(outlet.webhook_token.is_none());
        assert_eq!(
            main.agent_token.as_ref().unwrap().expose_secret(),
            "agent-secret-1"
        );
        assert!(outlet.agent_token.is_none());
        assert_eq!(settings.enabled().count(), 1);
        assert!(settings.integration("outlet").is_some());
    }

    #[test]
    fn missing_thulium_table_uses_the_fallback() {
        let text = TWO.replace("[thulium]", "[unused]");
        let error = parse(&text, None, no_thulium).err().unwrap();
        assert!(error.0.contains("unknown field `unused`"), "{error}");
        let start = TWO.find("[[integration]]").unwrap();
        let error = parse(&TWO[start..], None, no_thulium).err().unwrap();
        assert_eq!(error.0, "no thulium");
    }

    #[test]
    fn errors_name_the_integration_and_the_setting() {
        let unset = TWO.replace("api_key = \"k2\"", "api_key_env = \"SURELY_UNSET_VAR_42\"");
        let text = unset.replace("enabled = false", "enabled = true");
        let error = parse(&text, None, no_thulium).err().unwrap();
        assert_eq!(
            error.0,
            "integration `outlet`: shop.api_key_env: environment variable SURELY_UNSET_VAR_42 is not set"
        );
        // Disabled, it is never run: its key may be unset.
        let settings = parse(&unset, None, no_thulium).unwrap();
        assert!(!settings.integrations[1].config.enabled);
        assert!(
            settings.integrations[1]
                .shop
                .api_key
                .expose_secret()
                .is_empty()
        );
        let text = TWO.replace("enabled = false", "enabeld = false");
        let error = parse(&text, None, no_thulium).err().unwrap();
        assert!(error.0.starts_with("integration `outlet`: "), "{error}");
        assert!(error.0.contains("enabeld"), "{error}");
        assert!(!error.0.contains('\n'));
        let text = TWO.replace("name = \"outlet\"", "name = \"main\"");
        let error = parse(&text, None, no_thulium).err().unwrap();
        assert!(
            error.0.contains("two integrations are named `main`"),
            "{error}"
        );
    }

    #[test]
    fn shop_time_zone_and_phone_format_are_read_per_integration() {
        let text = TWO.replace(
            "name = \"outlet\"",
            "name = \"outlet\"\nshop_time_zone = \"Europe/Berlin\"\nphone_format = \"national\"",
        );
        let settings = parse(&text, None, no_thulium).unwrap();
        let [main, outlet] = &settings.integrations[..] else {
            panic!("two integrations expected");
        };
        assert_eq!(main.config.shop_time_zone, chrono_tz::Europe::Warsaw);
        assert_eq!(main.config.phone_format, PhoneFormat::E164);
        assert_eq!(outlet.config.shop_time_zone, chrono_tz::Europe::Berlin);
        assert_eq!(outlet.config.phone_format, PhoneFormat::National);

        let text = TWO.replace(
            "name = \"outlet\"",
            "name = \"outlet\"\nshop_time_zone = \"Warsaw\"",
        );
        let error = parse(&text, None, no_thulium).err().unwrap();
        assert!(error.0.starts_with("integration `outlet`: "), "{error}");
        assert!(
            error.0.contains("`Warsaw` is not an IANA time-zone name"),
            "{error}"
        );
        let text = TWO.replace(
            "name = \"main\"",
            "name = \"main\"\nshop_timezone = \"UTC\"",
        );
        let error = parse(&text, None, no_thulium).err().unwrap();
        assert!(error.0.contains("unknown field `shop_timezone`"), "{error}");
        let text = TWO.replace(
            "name = \"main\"",
            "name = \"main\"\nphone_format = \"E.164\"",
        );
        let error = parse(&text, None, no_thulium).err().unwrap();
        assert!(error.0.starts_with("integration `main`: "), "{error}");
    }

    #[test]
    fn a_secret_never_shows_in_debug() {
        let settings = parse(TWO, None, no_thulium).unwrap();
        let shown = format!("{settings:?}");
        assert!(!shown.contains("pw") && !shown.contains("k1"), "{shown}");
    }
}
