//! Mapping an IdoSell customer (and its orders) to the Thulium customer we want to exist.
//!
//! [`map_customer`] is total: it never fails and never panics. Whatever cannot be used
//! (a malformed e-mail, an unreadable phone number, a street line that does not split) is
//! left out or kept as is, and reported as a [`MappingIssue`] next to the result.
//!
//! # Where each Thulium field comes from
//! - **Person data source**: the client's billing block; for a guest whose billing block is
//!   empty, the billing block of its latest order.
//! - **name**: the first name. **surname** (required by Thulium), first found of: the last
//!   name; the firm; the login (registered customers only — guests have generated logins);
//!   the local part of the first e-mail; `Klient {client_id}` / `Customer {client_id}`.
//!   When the surname is a firm name and there is no first name, `name` stays empty.
//! - **email**: the client's address, then the addresses of its orders (newest first: the
//!   order's account e-mail and the marketplace buyer e-mail of Allegro/Amazon orders), each
//!   followed by its relay variants ([`crate::email`]); de-duplicated in that order.
//! - **phone_number**: the client's phone1, phone2, then its orders' account and billing
//!   phones (newest first), normalised to E.164 ([`crate::phone`]) with the source's country
//!   (default from the config); de-duplicated as E.164, then written in the config's
//!   [`phone_format`](crate::config::IntegrationConfig::phone_format): `+48601234567`, or
//!   `601234567` with `national` (numbers of other countries than the config's default one
//!   stay E.164).
//! - **address**: the billing street split into street / building / flat
//!   ([`crate::street`]), postcode, city and the country as an upper-case ISO code.
//! - **nip**: the billing NIP without spaces and dashes.
//! - custom fields: the **shop ID** field (Number), the **last order date** field (Date: the
//!   latest order's placed date; left out when no order is known), the **Allegro login**
//!   field (Text: the buyer login of the latest Allegro order) when configured and known.
//! - `fill_read_only_custom_fields` is set, since an administrator will usually make the ID
//!   field read-only for agents.

use std::fmt;

use iai_shop_client::{BillingAddress, Client, Order};
use serde::Serialize;
use thulium_client::{AddressInput, CustomFieldValue, CustomerInput};

use crate::config::{IntegrationConfig, Locale};
use crate::email::{InvalidEmail, push_variants};
use crate::phone::{InvalidPhone, format_phone, is_supported_country, normalize_phone};
use crate::street::split_street_line;

/// The desired Thulium customer and what could not be mapped cleanly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedCustomer {
    /// The shop's customer ID this input was mapped from.
    pub client_id: u64,
    /// What to write to Thulium.
    pub input: CustomerInput,
    /// What was left out or guessed, for the sync report.
    pub issues: Vec<MappingIssue>,
}

/// Something in the shop data that could not be mapped cleanly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MappingIssue {
    /// An e-mail address was invalid and is not sent.
    InvalidEmail {
        /// The address as found.
        raw: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A phone number could not be normalised and is not sent.
    InvalidPhone {
        /// The number as found.
        raw: String,
        /// Why it was rejected.
        reason: String,
    },
    /// There was no last name; the surname was taken from elsewhere.
    SurnameFallback {
        /// Where it came from.
        source: SurnameSource,
    },
    /// The street line did not split into street / building / flat; it is sent whole as the street.
    StreetNotSplit {
        /// The line as found.
        line: String,
    },
    /// The shop ID does not fit Thulium's numeric field; the ID field is not written.
    ClientIdOutOfRange,
}

/// Where a fallback surname came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SurnameSource {
    /// The firm name.
    Firm,
    /// The shop login.
    Login,
    /// The local part of the e-mail address.
    Email,
    /// A placeholder built from the shop ID.
    ClientId,
}

impl fmt::Display for MappingIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEmail { raw, reason } => {
                write!(f, "e-mail `{raw}` not sent: {reason}")
            }
            Self::InvalidPhone { raw, reason } => write!(f, "phone `{raw}` not sent: {reason}"),
            Self::SurnameFallback { source } => {
                let source = match source {
                    SurnameSource::Firm => "firm name",
                    SurnameSource::Login => "shop login",
                    SurnameSource::Email => "e-mail address",
                    SurnameSource::ClientId => "shop ID (placeholder)",
                };
                write!(f, "no last name; surname taken from the {source}")
            }
            Self::StreetNotSplit { line } => {
                write!(
                    f,
                    "street line `{line}` kept whole (no building number found)"
                )
            }
            Self::ClientIdOutOfRange => write!(f, "shop ID too large for the numeric ID field"),
        }
    }
}

impl From<InvalidEmail> for MappingIssue {
    fn from(error: InvalidEmail) -> Self {
        Self::InvalidEmail {
            reason: error.problem.to_string(),
            raw: error.raw,
        }
    }
}

impl From<InvalidPhone> for MappingIssue {
    fn from(error: InvalidPhone) -> Self {
        Self::InvalidPhone {
            reason: error.problem.to_string(),
            raw: error.raw,
        }
    }
}

/// Maps a shop customer and its orders (any order, any subset) to the desired Thulium
/// customer. Pure and total; see the module docs for the field-by-field rule.
pub fn map_customer(
    client: &Client,
    orders: &[Order],
    config: &IntegrationConfig,
) -> MappedCustomer {
    let orders_newest_first = newest_first(orders);
    let billing = person_source(client, &orders_newest_first);
    let mut issues = Vec::new();

    let email = collect_emails(client, &orders_newest_first, &mut issues);
    let phone_number = collect_phones(client, billing, &orders_newest_first, config, &mut issues);
    let (name, surname) = names(client, billing, &email, config.locale, &mut issues);
    let input = CustomerInput {
        name,
        surname: Some(surname),
        email,
        phone_number,
        nip: text(&billing.nip).map(|nip| nip.replace([' ', '-'], "")),
        address: address(billing, &mut issues),
        custom_fields: custom_fields(client, &orders_newest_first, config, &mut issues),
        fill_read_only_custom_fields: true,
        ..CustomerInput::default()
    };
    MappedCustomer {
        client_id: client.client_id,
        input,
        issues,
    }
}

/// Orders sorted newest first by placed date (orders without a date last), ties by serial.
pub(crate) fn newest_first(orders: &[Order]) -> Vec<&Order> {
    let mut sorted: Vec<&Order> = orders.iter().collect();
    sorted.sort_by(|a, b| {
        b.add_date
            .cmp(&a.add_date)
            .then(b.serial_number.cmp(&a.serial_number))
    });
    sorted
}

/// A trimmed, non-empty text.
pub(crate) fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn has_person_data(billing: &BillingAddress) -> bool {
    [
        &billing.first_name,
        &billing.last_name,
        &billing.firm,
        &billing.street,
        &billing.city,
    ]
    .into_iter()
    .any(|field| text(field).is_some())
}

/// The client's billing block, or for a guest with an empty one its latest order's.
fn person_source<'a>(client: &'a Client, orders_newest_first: &[&'a Order]) -> &'a BillingAddress {
    if has_person_data(&client.billing) {
        return &client.billing;
    }
    orders_newest_first
        .iter()
        .map(|order| &order.client.billing)
        .find(|billing| has_person_data(billing))
        .unwrap_or(&client.billing)
}

fn collect_emails(
    client: &Client,
    orders: &[&Order],
    issues: &mut Vec<MappingIssue>,
) -> Vec<String> {
    let mut found: Vec<&str> = Vec::new();
    found.extend(text(&client.email));
    for order in orders {
        found.extend(text(&order.client.account.email));
        if let Some(auction) = &order.auction_info {
            found.extend(text(&auction.client_email));
        }
    }
    let mut emails = Vec::new();
    let mut reported: Vec<&str> = Vec::new();
    for raw in found {
        if let Err(error) = push_variants(&mut emails, raw)
            && !reported.contains(&raw)
        {
            reported.push(raw);
            issues.push(error.into());
        }
    }
    emails
}

fn collect_phones(
    client: &Client,
    billing: &BillingAddress,
    orders: &[&Order],
    config: &IntegrationConfig,
    issues: &mut Vec<MappingIssue>,
) -> Vec<String> {
    let mut found: Vec<(&str, &BillingAddress)> = Vec::new();
    for phone in [&client.billing.phone1, &client.billing.phone2] {
        found.extend(text(phone).map(|p| (p, &client.billing)));
    }
    for order in orders {
        let account = &order.client.account;
        let order_billing = &order.client.billing;
        for phone in [
            &account.phone1,
            &account.phone2,
            &order_billing.phone1,
            &order_billing.phone2,
        ] {
            found.extend(text(phone).map(|p| (p, order_billing)));
        }
    }
    let mut phones: Vec<String> = Vec::new();
    let mut reported: Vec<&str> = Vec::new();
    for (raw, source) in found {
        let country = phone_country(source, billing, config);
        match normalize_phone(raw, country) {
            Ok(phone) if !phones.contains(&phone) => phones.push(phone),
            Ok(_) => {}
            Err(error) if !reported.contains(&raw) => {
                reported.push(raw);
                issues.push(error.into());
            }
            Err(_) => {}
        }
    }
    phones
        .iter()
        .map(|phone| format_phone(phone, config.phone_format, &config.phone_default_country))
        .collect()
}

/// The country to read a national phone number with: the source's billing country if known
/// and supported, else the customer's, else the config's default.
fn phone_country<'a>(
    source: &'a BillingAddress,
    customer: &'a BillingAddress,
    config: &'a IntegrationConfig,
) -> &'a str {
    [&source.country_id, &customer.country_id]
        .into_iter()
        .filter_map(text)
        .find(|iso| is_supported_country(iso))
        .unwrap_or(&config.phone_default_country)
}

fn names(
    client: &Client,
    billing: &BillingAddress,
    emails: &[String],
    locale: Locale,
    issues: &mut Vec<MappingIssue>,
) -> (Option<String>, String) {
    let name = text(&billing.first_name).map(str::to_owned);
    if let Some(last) = text(&billing.last_name) {
        return (name, last.to_owned());
    }
    let login = text(&client.login).filter(|_| !client.is_unregistered);
    let email_local = emails
        .first()
        .and_then(|email| email.split_once('@'))
        .map(|(local, _)| local)
        .filter(|local| !local.is_empty());
    let (source, surname) = if let Some(firm) = text(&billing.firm) {
        (SurnameSource::Firm, firm.to_owned())
    } else if let Some(login) = login {
        (SurnameSource::Login, login.to_owned())
    } else if let Some(local) = email_local {
        (SurnameSource::Email, local.to_owned())
    } else {
        let word = match locale {
            Locale::Pl => "Klient",
            Locale::En => "Customer",
        };
        (
            SurnameSource::ClientId,
            format!("{word} {}", client.client_id),
        )
    };
    issues.push(MappingIssue::SurnameFallback { source });
    (name, surname)
}

fn address(billing: &BillingAddress, issues: &mut Vec<MappingIssue>) -> Option<AddressInput> {
    let mut address = AddressInput {
        postcode: text(&billing.zip_code).map(str::to_owned),
        city: text(&billing.city).map(str::to_owned),
        country: text(&billing.country_id).map(str::to_uppercase),
        ..AddressInput::default()
    };
    if let Some(line) = text(&billing.street) {
        let parts = split_street_line(line);
        if !parts.is_split() {
            issues.push(MappingIssue::StreetNotSplit {
                line: line.to_owned(),
            });
        }
        address.street = Some(parts.street);
        address.building = parts.building;
        address.flat = parts.flat;
    }
    (address != AddressInput::default()).then_some(address)
}

fn custom_fields(
    client: &Client,
    orders_newest_first: &[&Order],
    config: &IntegrationConfig,
    issues: &mut Vec<MappingIssue>,
) -> std::collections::BTreeMap<String, CustomFieldValue> {
    let mut fields = std::collections::BTreeMap::new();
    match i64::try_from(client.client_id) {
        Ok(id) => {
            fields.insert(config.fields.shop_id.clone(), CustomFieldValue::Number(id));
        }
        Err(_) => issues.push(MappingIssue::ClientIdOutOfRange),
    }
    if let Some(latest) = orders_newest_first.iter().find_map(|order| order.add_date) {
        fields.insert(
            config.fields.last_order_date.clone(),
            CustomFieldValue::Date(latest.date()),
        );
    }
    if let Some(field) = &config.fields.allegro_login {
        let login = orders_newest_first
            .iter()
            .filter(|order| order.is_allegro())
            .find_map(|order| {
                order
                    .auction_info
                    .as_ref()
                    .and_then(|a| text(&a.client_login))
            });
        if let Some(login) = login {
            fields.insert(field.clone(), CustomFieldValue::Text(login.to_owned()));
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::config::PhoneFormat;
    use iai_shop_client::OrderClient;

    fn config(format: PhoneFormat) -> IntegrationConfig {
        let mut config =
            IntegrationConfig::new("shop", "https://client1.idosell.com".parse().unwrap());
        config.phone_format = format;
        config
    }

    /// A Polish client with its number typed twice in two ways, and an order whose buyer
    /// gave a German number and the Polish one once more.
    fn client_and_order() -> (Client, Order) {
        let client = Client {
            client_id: 7,
            billing: BillingAddress {
                last_name: Some("Nowak".into()),
                country_id: Some("pl".into()),
                phone1: Some("601 234 567".into()),
                phone2: Some("+48 601-234-567".into()),
                ..BillingAddress::default()
            },
            ..Client::default()
        };
        let mut order_client = OrderClient::default();
        order_client.account.phone1 = Some("+49 30 1234567".into());
        order_client.billing.phone1 = Some("0048601234567".into());
        order_client.billing.country_id = Some("de".into());
        let order = Order {
            serial_number: 1,
            client: order_client,
            ..Order::default()
        };
        (client, order)
    }

    #[test]
    fn phones_are_written_in_the_configured_format_once_each() {
        let (client, order) = client_and_order();
        let e164 = map_customer(
            &client,
            std::slice::from_ref(&order),
            &config(PhoneFormat::E164),
        );
        assert_eq!(e164.input.phone_number, ["+48601234567", "+49301234567"]);
        let national = map_customer(&client, &[order], &config(PhoneFormat::National));
        // Home (Polish) numbers as Thulium shows them; the German one stays international.
        assert_eq!(national.input.phone_number, ["601234567", "+49301234567"]);
        assert!(national.issues.is_empty(), "{:?}", national.issues);
    }

    #[test]
    fn the_national_form_is_that_of_the_configured_home_country() {
        let (client, order) = client_and_order();
        let mut german_shop = config(PhoneFormat::National);
        german_shop.phone_default_country = "DE".into();
        let mapped = map_customer(&client, &[order], &german_shop);
        assert_eq!(mapped.input.phone_number, ["+48601234567", "0301234567"]);
        // Both read back to the numbers of the E.164 form, as matching reads them.
        let keys: Vec<_> = mapped
            .input
            .phone_number
            .iter()
            .map(|p| crate::phone::phone_key(p, "DE").unwrap())
            .collect();
        assert_eq!(keys, ["+48601234567", "+49301234567"]);
    }
}
