//! The settings of one integration instance (one shop ↔ one Thulium tenant).
//!
//! [`IntegrationConfig`] is plain data: build it in code with [`IntegrationConfig::new`]
//! (every optional setting gets its documented default) or deserialize it from a file
//! (TOML, JSON …) with serde, then call [`IntegrationConfig::validate`] before use.
//! Several configs side by side share nothing: each value owns all of its settings.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use url::Url;

pub use crate::phone::PhoneFormat;

/// Default name of the numeric Thulium custom field that holds the shop's customer ID.
pub const DEFAULT_SHOP_ID_FIELD: &str = "IAI Shop ID";
/// Default name of the date Thulium custom field that holds the customer's last order date.
pub const DEFAULT_LAST_ORDER_DATE_FIELD: &str = "IAI Shop last order date";
/// Default template of the shop-panel link to a customer.
///
/// **An assumption**: no public IdoSell source documents the panel URL of a customer card
/// (only the order card, `panel/orderd.php?idt=`, is documented). This guess follows the
/// panel's naming of the order card; set [`IntegrationConfig::customer_link_template`] to
/// the URL your panel really uses.
pub const DEFAULT_CUSTOMER_LINK_TEMPLATE: &str = "{panel}/panel/client.php?id={client_id}";
/// Default number of orders shown on the customer card.
pub const DEFAULT_CARD_ORDERS: usize = 10;
/// Default time zone of the shop's dates: IdoSell shops are mostly Polish.
pub const DEFAULT_SHOP_TIME_ZONE: Tz = chrono_tz::Europe::Warsaw;

/// The settings of one integration instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationConfig {
    /// A name for this integration instance (shown in reports and on the card).
    pub name: String,
    /// The shop's panel address, e.g. `https://client1234.idosell.com`; panel links append
    /// `/panel/...` to it.
    pub panel_url: Url,
    /// Names of the Thulium custom fields the integration writes.
    #[serde(default)]
    pub fields: CustomFieldNames,
    /// Template of the "show customer in shop panel" link. Placeholders: `{panel}` (the panel
    /// URL without a trailing `/`) and `{client_id}`. Default: [`DEFAULT_CUSTOMER_LINK_TEMPLATE`]
    /// (a documented guess: the real URL is undocumented).
    #[serde(default = "default_customer_link_template")]
    pub customer_link_template: String,
    /// ISO 3166 alpha-2 country used to read phone numbers written without an international
    /// prefix when the customer's own country is unknown. Default `PL`. It is also the home
    /// country of [`PhoneFormat::National`].
    #[serde(default = "default_phone_country")]
    pub phone_default_country: String,
    /// How phone numbers are written to Thulium: `e164` (`+48601234567`, the default) or
    /// `national` (numbers of [`phone_default_country`](Self::phone_default_country) as
    /// dialled at home, `601234567`, as Thulium's documentation shows them; other countries
    /// stay E.164). Matching reads both forms alike ([`crate::phone::phone_key`]).
    #[serde(default)]
    pub phone_format: PhoneFormat,
    /// The shop's time zone, an IANA name (`shop_time_zone = "Europe/Warsaw"`, the default).
    ///
    /// IdoSell stamps records ("last modified", order dates) in the shop's local time with no
    /// zone, so the sync's own "now" must be read in this zone — not the machine's (a server
    /// usually runs in UTC) — or incremental windows miss changes. It also tells where the
    /// local clock repeats an hour (October) or skips one (March).
    #[serde(default = "default_shop_time_zone", with = "zone_name")]
    pub shop_time_zone: Tz,
    /// The optional Thulium custom-field group that receives one record per order.
    #[serde(default)]
    pub orders_group: Option<OrdersGroupConfig>,
    /// How Thulium customers are matched to shop customers.
    #[serde(default)]
    pub matching: MatchingConfig,
    /// How many of the latest orders the customer card shows. Default 10.
    #[serde(default = "default_card_orders")]
    pub card_orders: usize,
    /// Language of labels on the card and in the orders group. Default Polish.
    #[serde(default)]
    pub locale: Locale,
    /// Whether this integration runs at all.
    #[serde(default = "default_true")]
    pub enabled: bool,
}

/// Names (display names, as Thulium addresses them) of the custom fields the integration writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldNames {
    /// The numeric field holding the shop's customer ID, the join key (required).
    #[serde(default = "default_shop_id_field")]
    pub shop_id: String,
    /// The date field holding the date of the customer's latest order (required).
    #[serde(default = "default_last_order_date_field")]
    pub last_order_date: String,
    /// The text field holding the buyer's Allegro login, if the tenant has one.
    #[serde(default)]
    pub allegro_login: Option<String>,
}

impl Default for CustomFieldNames {
    fn default() -> Self {
        Self {
            shop_id: default_shop_id_field(),
            last_order_date: default_last_order_date_field(),
            allegro_login: None,
        }
    }
}

/// The Thulium custom-field group that receives one record per order, and the names of the
/// group's fields. A field name left empty is not written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrdersGroupConfig {
    /// The group's name in Thulium (e.g. `Orders`).
    pub group_name: String,
    /// Field for the order's serial number (required; it identifies the record).
    #[serde(default = "default_group_number")]
    pub number: String,
    /// Field for the status label.
    #[serde(default = "default_group_status")]
    pub status: String,
    /// Field for the date the order was placed.
    #[serde(default = "default_group_date")]
    pub date: String,
    /// Field for the delivery address (one line) or pickup point.
    #[serde(default = "default_group_delivery")]
    pub delivery_address: String,
    /// Field for the total with currency.
    #[serde(default = "default_group_amount")]
    pub amount: String,
    /// Field for the order's edit link in the shop panel.
    #[serde(default = "default_group_link")]
    pub link: String,
}

impl OrdersGroupConfig {
    /// A group with the given name and the default field names
    /// (`Number`, `Status`, `Date`, `Delivery address`, `Amount`, `Link`).
    pub fn new(group_name: impl Into<String>) -> Self {
        Self {
            group_name: group_name.into(),
            number: default_group_number(),
            status: default_group_status(),
            date: default_group_date(),
            delivery_address: default_group_delivery(),
            amount: default_group_amount(),
            link: default_group_link(),
        }
    }

    /// The configured (non-empty) field names, in column order.
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        [
            &self.number,
            &self.status,
            &self.date,
            &self.delivery_address,
            &self.amount,
            &self.link,
        ]
        .into_iter()
        .map(String::as_str)
        .filter(|name| !name.trim().is_empty())
    }
}

/// How shop customers are matched to Thulium customers. The ID field is always tried first;
/// the keys here are tried only for a shop customer not yet linked to a Thulium customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingConfig {
    /// Match an unlinked customer by its e-mail addresses (and their relay variants).
    #[serde(default = "default_true")]
    pub by_email: bool,
    /// Match an unlinked customer by its normalised phone numbers.
    #[serde(default = "default_true")]
    pub by_phone: bool,
}

impl Default for MatchingConfig {
    fn default() -> Self {
        Self {
            by_email: true,
            by_phone: true,
        }
    }
}

/// Language of labels the integration produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// Polish.
    #[default]
    Pl,
    /// English.
    En,
}

/// What is wrong with an [`IntegrationConfig`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("integration config: `{field}` {problem}")]
pub struct ConfigError {
    /// The setting at fault, as named in the config file (e.g. `fields.shop_id`).
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl ConfigError {
    fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}

impl IntegrationConfig {
    /// A config with the given name and panel URL and every other setting at its default.
    pub fn new(name: impl Into<String>, panel_url: Url) -> Self {
        Self {
            name: name.into(),
            panel_url,
            fields: CustomFieldNames::default(),
            customer_link_template: default_customer_link_template(),
            phone_default_country: default_phone_country(),
            phone_format: PhoneFormat::default(),
            shop_time_zone: DEFAULT_SHOP_TIME_ZONE,
            orders_group: None,
            matching: MatchingConfig::default(),
            card_orders: default_card_orders(),
            locale: Locale::default(),
            enabled: true,
        }
    }

    /// Checks every setting; the error names the first setting at fault.
    pub fn validate(&self) -> Result<(), ConfigError> {
        non_empty("name", &self.name)?;
        if !matches!(self.panel_url.scheme(), "http" | "https") || self.panel_url.host().is_none() {
            return Err(ConfigError::new(
                "panel_url",
                format!(
                    "must be an http(s) address with a host, got `{}`",
                    self.panel_url
                ),
            ));
        }
        non_empty("fields.shop_id", &self.fields.shop_id)?;
        non_empty("fields.last_order_date", &self.fields.last_order_date)?;
        if self.fields.shop_id.trim() == self.fields.last_order_date.trim() {
            return Err(ConfigError::new(
                "fields.last_order_date",
                "must differ from `fields.shop_id`",
            ));
        }
        if let Some(login) = &self.fields.allegro_login {
            non_empty("fields.allegro_login", login)?;
        }
        self.validate_link_template()?;
        if crate::phone::country_calling_code(&self.phone_default_country).is_none() {
            return Err(ConfigError::new(
                "phone_default_country",
                format!(
                    "`{}` is not a supported ISO 3166 alpha-2 country (supported: {})",
                    self.phone_default_country,
                    crate::phone::supported_countries()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if let Some(group) = &self.orders_group {
            validate_orders_group(group)?;
        }
        if self.card_orders == 0 {
            return Err(ConfigError::new("card_orders", "must be at least 1"));
        }
        Ok(())
    }

    fn validate_link_template(&self) -> Result<(), ConfigError> {
        const FIELD: &str = "customer_link_template";
        if !self.customer_link_template.contains("{client_id}") {
            return Err(ConfigError::new(FIELD, "must contain `{client_id}`"));
        }
        let without_known = self
            .customer_link_template
            .replace("{panel}", "")
            .replace("{client_id}", "");
        if without_known.contains('{') || without_known.contains('}') {
            return Err(ConfigError::new(
                FIELD,
                "has an unknown placeholder (known: `{panel}`, `{client_id}`)",
            ));
        }
        let sample = self.customer_link(1);
        Url::parse(&sample).map_err(|error| {
            ConfigError::new(
                FIELD,
                format!("does not give a valid URL (`{sample}`: {error})"),
            )
        })?;
        Ok(())
    }

    /// The panel URL as text without a trailing `/`, the `{panel}` of every link.
    pub fn panel_base(&self) -> &str {
        self.panel_url.as_str().trim_end_matches('/')
    }

    /// The "show customer in shop panel" link for a shop customer ID, from
    /// [`customer_link_template`](Self::customer_link_template).
    pub fn customer_link(&self, client_id: u64) -> String {
        self.customer_link_template
            .replace("{panel}", self.panel_base())
            .replace("{client_id}", &client_id.to_string())
    }

    /// The panel's order edit link, `{panel}/panel/orderd.php?idt={serial_number}`
    /// (documented by IdoSell).
    pub fn order_link(&self, serial_number: u64) -> String {
        format!("{}/panel/orderd.php?idt={serial_number}", self.panel_base())
    }
}

/// Reads an IANA time-zone name (`Europe/Warsaw`) as used by
/// [`IntegrationConfig::shop_time_zone`]; the error names the setting and gives an example.
///
/// ```
/// use sync_core::config::parse_time_zone;
/// assert_eq!(parse_time_zone(" Europe/Warsaw ").unwrap(), chrono_tz::Europe::Warsaw);
/// assert!(parse_time_zone("Europe/Warsw").is_err());
/// assert!(parse_time_zone("CEST").is_err()); // an abbreviation, not a zone
/// ```
pub fn parse_time_zone(name: &str) -> Result<Tz, ConfigError> {
    name.trim().parse::<Tz>().map_err(|_| {
        ConfigError::new(
            "shop_time_zone",
            format!("`{name}` is not an IANA time-zone name (such as `Europe/Warsaw`)"),
        )
    })
}

/// Serde for a [`Tz`] as its IANA name.
mod zone_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(zone: &Tz, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(zone.name())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(deserializer)?;
        super::parse_time_zone(&name).map_err(serde::de::Error::custom)
    }
}

fn validate_orders_group(group: &OrdersGroupConfig) -> Result<(), ConfigError> {
    non_empty("orders_group.group_name", &group.group_name)?;
    non_empty("orders_group.number", &group.number)?;
    let names: Vec<&str> = group.field_names().map(str::trim).collect();
    for (index, name) in names.iter().enumerate() {
        if names[..index].contains(name) {
            return Err(ConfigError::new(
                "orders_group",
                format!("uses the field name `{name}` twice"),
            ));
        }
    }
    Ok(())
}

fn non_empty(field: &'static str, value: &str) -> Result<(), ConfigError> {
    if value.trim().is_empty() {
        Err(ConfigError::new(field, "must not be empty"))
    } else {
        Ok(())
    }
}

fn default_true() -> bool {
    true
}
fn default_shop_id_field() -> String {
    DEFAULT_SHOP_ID_FIELD.to_owned()
}
fn default_last_order_date_field() -> String {
    DEFAULT_LAST_ORDER_DATE_FIELD.to_owned()
}
fn default_customer_link_template() -> String {
    DEFAULT_CUSTOMER_LINK_TEMPLATE.to_owned()
}
fn default_phone_country() -> String {
    "PL".to_owned()
}
fn default_shop_time_zone() -> Tz {
    DEFAULT_SHOP_TIME_ZONE
}
fn default_card_orders() -> usize {
    DEFAULT_CARD_ORDERS
}
fn default_group_number() -> String {
    "Number".to_owned()
}
fn default_group_status() -> String {
    "Status".to_owned()
}
fn default_group_date() -> String {
    "Date".to_owned()
}
fn default_group_delivery() -> String {
    "Delivery address".to_owned()
}
fn default_group_amount() -> String {
    "Amount".to_owned()
}
fn default_group_link() -> String {
    "Link".to_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn config() -> IntegrationConfig {
        IntegrationConfig::new(
            "main shop",
            Url::parse("https://client1234.idosell.com/").unwrap(),
        )
    }

    #[test]
    fn defaults_are_valid_and_documented() {
        let config = config();
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(config.fields.shop_id, "IAI Shop ID");
        assert_eq!(config.fields.last_order_date, "IAI Shop last order date");
        assert_eq!(config.phone_default_country, "PL");
        assert_eq!(config.phone_format, PhoneFormat::E164);
        assert_eq!(config.shop_time_zone, chrono_tz::Europe::Warsaw);
        assert!(config.matching.by_email && config.matching.by_phone && config.enabled);
    }

    #[test]
    fn shop_time_zone_and_phone_format_are_read_by_name_and_checked() {
        let config: IntegrationConfig = serde_json::from_str(
            r#"{"name": "b2b", "panel_url": "https://shop.example.pl",
                "shop_time_zone": "Europe/Prague", "phone_format": "national"}"#,
        )
        .unwrap();
        assert_eq!(config.shop_time_zone, chrono_tz::Europe::Prague);
        assert_eq!(config.phone_format, PhoneFormat::National);
        assert_eq!(config.validate(), Ok(()));
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(json["shop_time_zone"], "Europe/Prague");
        assert_eq!(json["phone_format"], "national");
        assert_eq!(
            serde_json::from_value::<IntegrationConfig>(json).unwrap(),
            config
        );

        let unknown = serde_json::from_str::<IntegrationConfig>(
            r#"{"name": "b2b", "panel_url": "https://shop.example.pl",
                "shop_time_zone": "Europe/Warsw"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            unknown.contains("`Europe/Warsw` is not an IANA time-zone name"),
            "{unknown}"
        );
        assert!(unknown.contains("shop_time_zone"), "{unknown}");
        let format = serde_json::from_str::<IntegrationConfig>(
            r#"{"name": "b2b", "panel_url": "https://shop.example.pl", "phone_format": "local"}"#,
        );
        assert!(format.is_err());

        assert_eq!(parse_time_zone("UTC"), Ok(chrono_tz::UTC));
        assert_eq!(parse_time_zone("").unwrap_err().field, "shop_time_zone");
    }

    #[test]
    fn links_use_the_panel_without_a_double_slash() {
        let config = config();
        assert_eq!(
            config.order_link(4521),
            "https://client1234.idosell.com/panel/orderd.php?idt=4521"
        );
        assert_eq!(
            config.customer_link(77),
            "https://client1234.idosell.com/panel/client.php?id=77"
        );
    }

    #[test]
    fn validation_names_the_setting_at_fault() {
        let mut bad = config();
        bad.fields.shop_id = "  ".into();
        assert_eq!(bad.validate().unwrap_err().field, "fields.shop_id");

        let mut bad = config();
        bad.customer_link_template = "{panel}/client/{id}".into();
        assert_eq!(bad.validate().unwrap_err().field, "customer_link_template");

        let mut bad = config();
        bad.customer_link_template = "{panel}/x?id={client_id}&{oops}".into();
        let error = bad.validate().unwrap_err();
        assert!(error.to_string().contains("unknown placeholder"), "{error}");

        let mut bad = config();
        bad.phone_default_country = "XX".into();
        assert_eq!(bad.validate().unwrap_err().field, "phone_default_country");

        let mut bad = config();
        bad.orders_group = Some(OrdersGroupConfig {
            status: "Number".into(),
            ..OrdersGroupConfig::new("Orders")
        });
        assert_eq!(bad.validate().unwrap_err().field, "orders_group");

        let mut bad = config();
        bad.fields.last_order_date = bad.fields.shop_id.clone();
        assert_eq!(bad.validate().unwrap_err().field, "fields.last_order_date");
    }

    #[test]
    fn deserializes_from_json_with_defaults_and_rejects_typos() {
        let config: IntegrationConfig = serde_json::from_str(
            r#"{"name": "b2b", "panel_url": "https://shop.example.pl",
                "fields": {"allegro_login": "Allegro login"},
                "orders_group": {"group_name": "Orders"},
                "matching": {"by_phone": false}}"#,
        )
        .unwrap();
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(
            config.fields.allegro_login.as_deref(),
            Some("Allegro login")
        );
        assert_eq!(config.fields.shop_id, DEFAULT_SHOP_ID_FIELD);
        assert!(config.matching.by_email && !config.matching.by_phone);
        let group = config.orders_group.unwrap();
        assert_eq!(group.field_names().count(), 6);

        let typo = serde_json::from_str::<IntegrationConfig>(
            r#"{"name": "b2b", "panel_url": "https://shop.example.pl", "enabeld": false}"#,
        );
        assert!(typo.is_err());
    }
}
