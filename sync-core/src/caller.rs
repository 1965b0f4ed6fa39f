//! Who is calling: the answer to Thulium's *external CRM* lookup, and the record of it the
//! sync keeps in its state store so that most lookups cost the shop nothing.
//!
//! Thulium's API documentation describes the external CRM this way: an administrator puts an
//! address into the tenant's API parameters; when Thulium needs a customer it calls
//! `GET {address}?phone_number={number}` and reads a UTF-8 JSON object
//! (`Content-Type: application/json;charset=utf-8`) holding any of its customer keys —
//! `phone_number`, `email`, `identifier`, `name`, `surname`, `nip`, `note`, `address`
//! (`street`, `building`, `flat`, `postcode`, `city`, `country`), … — or HTTP 404 when there
//! is no such customer. Its examples write phone numbers as national 9-digit numbers, and its
//! customer keys take "a number or numbers" (one string, or a list).
//!
//! [`CallerAnswer`] is that object for a shop customer: names, e-mails and phones as the sync
//! writes them to Thulium, `identifier` = the shop's client id, the NIP, the address split
//! into street / building / flat, and a short `note` about the last order. [`CallerRecord`]
//! is what the store keeps per customer: the answer, the customer's phones as match keys
//! ([`phone_key`]) and the date of the last order, which settles a number shared by several
//! customers ([`choose`]).

use chrono::NaiveDateTime;
use iai_shop_client::{Client, Order};
use serde::{Deserialize, Serialize, Serializer};
use thulium_client::{AddressInput, CustomerInput};

use crate::card::listed_emails;
use crate::config::{IntegrationConfig, Locale};
use crate::mapping::{map_customer, newest_first};
use crate::phone::phone_key;
use crate::status::status_label;

/// The external-CRM answer for one shop customer (see the module docs for the shape).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallerAnswer {
    /// The shop's client id, as text.
    pub identifier: String,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Surname (or the firm, for a customer without a person's name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// The customer's own e-mail addresses, then stable marketplace aliases (per-order relay
    /// addresses left out): one string when there is one, a list when several.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "one_or_many",
        deserialize_with = "string_or_list"
    )]
    pub email: Vec<String>,
    /// Phone numbers as the sync writes them to Thulium (its `phone_format`).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "one_or_many",
        deserialize_with = "string_or_list"
    )]
    pub phone_number: Vec<String>,
    /// Tax id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nip: Option<String>,
    /// The last order's number, status and date, in the integration's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The billing address, street / building / flat split as for Thulium's customers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressInput>,
}

/// What the store keeps about one shop customer for caller lookups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerRecord {
    /// The shop's client id.
    pub client_id: u64,
    /// The customer's phones as match keys (E.164, see [`phone_key`]), without repeats.
    pub phones: Vec<String>,
    /// When the customer's newest order was placed (shop time), if they have one.
    pub last_order_at: Option<NaiveDateTime>,
    /// The answer to give.
    pub answer: CallerAnswer,
}

impl CallerRecord {
    /// The record of a shop customer read live: maps it as the sync does, then
    /// [`CallerRecord::from_mapped`].
    pub fn of_client(client: &Client, orders: &[Order], config: &IntegrationConfig) -> Self {
        let mapped = map_customer(client, orders, config);
        Self::from_mapped(client.client_id, &mapped.input, orders, config)
    }

    /// The record of a customer from its mapped Thulium input (what the sync writes) and
    /// its orders (any order; the newest one gives the note and the rank).
    pub fn from_mapped(
        client_id: u64,
        input: &CustomerInput,
        orders: &[Order],
        config: &IntegrationConfig,
    ) -> Self {
        let newest = newest_first(orders).into_iter().next();
        let mut phones: Vec<String> = Vec::new();
        for key in input
            .phone_number
            .iter()
            .filter_map(|phone| phone_key(phone, &config.phone_default_country))
        {
            if !phones.contains(&key) {
                phones.push(key);
            }
        }
        Self {
            client_id,
            phones,
            last_order_at: newest.and_then(|order| order.add_date),
            answer: CallerAnswer {
                identifier: client_id.to_string(),
                name: input.name.clone(),
                surname: input.surname.clone(),
                email: listed_emails(&input.email),
                phone_number: input.phone_number.clone(),
                nip: input.nip.clone(),
                note: newest.map(|order| last_order_note(order, config.locale)),
                address: input.address.clone(),
            },
        }
    }
}

/// "Ostatnie zamówienie: nr 1234, zrealizowane, 2025-03-01" (or in English).
fn last_order_note(order: &Order, locale: Locale) -> String {
    let status = status_label(order.status.as_str(), locale).label;
    let date = order
        .add_date
        .map(|date| format!(", {}", date.format("%Y-%m-%d")))
        .unwrap_or_default();
    match locale {
        Locale::Pl => format!(
            "Ostatnie zamówienie: nr {}, {status}{date}",
            order.serial_number
        ),
        Locale::En => format!("Last order: no. {}, {status}{date}", order.serial_number),
    }
}

/// The customer to answer with when several share a number: the one with the newest order;
/// among customers without orders (or with equally new ones), the newest account — the
/// highest client id. `None` for no candidates.
pub fn choose(candidates: Vec<CallerRecord>) -> Option<CallerRecord> {
    candidates
        .into_iter()
        .max_by_key(|record| (record.last_order_at, record.client_id))
}

/// One value as a string, several as a list ("a number or numbers").
fn one_or_many<S: Serializer>(values: &[String], serializer: S) -> Result<S::Ok, S::Error> {
    match values {
        [one] => serializer.serialize_str(one),
        many => many.serialize(serializer),
    }
}

/// Reads back what [`one_or_many`] writes.
fn string_or_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;
    use url::Url;

    use super::*;

    fn config() -> IntegrationConfig {
        IntegrationConfig::new("shop", Url::parse("https://client1.idosell.com").unwrap())
    }

    fn client() -> Client {
        serde_json::from_value(json!({
            "clientId": 7, "clientEmail": "ola@wp.pl",
            "clientBillingAddress": {"clientFirstName": "Ola", "clientLastName": "Nowak",
                "clientStreet": "Długa 5/3", "clientCity": "Kraków", "clientZipCode": "30-001",
                "clientPhone1": "601 234 567", "clientPhone2": "+48 12 345 67 89"}
        }))
        .unwrap()
    }

    fn order(serial: u64, day: u32) -> Order {
        serde_json::from_value(json!({
            "orderId": format!("1-{serial}"), "orderSerialNumber": serial,
            "orderDetails": {"orderStatus": "finished",
                "orderAddDate": format!("2025-03-{day:02} 10:00:00")}
        }))
        .unwrap()
    }

    #[test]
    fn the_answer_has_thuliums_keys_and_a_note_about_the_last_order() {
        let record = CallerRecord::of_client(&client(), &[order(3, 1), order(9, 20)], &config());
        assert_eq!(record.phones, ["+48601234567", "+48123456789"]);
        assert_eq!(
            record.last_order_at.unwrap().to_string(),
            "2025-03-20 10:00:00"
        );
        let json = serde_json::to_value(&record.answer).unwrap();
        assert_eq!(json["identifier"], "7");
        assert_eq!(json["surname"], "Nowak");
        assert_eq!(json["email"], "ola@wp.pl", "one address is one string");
        assert_eq!(json["phone_number"].as_array().unwrap().len(), 2);
        assert_eq!(json["address"]["street"], "Długa");
        assert_eq!(json["address"]["building"], "5");
        assert_eq!(json["address"]["flat"], "3");
        let note = json["note"].as_str().unwrap();
        assert!(note.starts_with("Ostatnie zamówienie: nr 9, "), "{note}");
        assert!(note.ends_with("2025-03-20"), "{note}");
        let back: CallerAnswer = serde_json::from_value(json).unwrap();
        assert_eq!(back, record.answer);
    }

    #[test]
    fn several_matches_give_the_customer_with_the_newest_order() {
        let record = |client_id, last: Option<u32>| CallerRecord {
            client_id,
            phones: vec![],
            last_order_at: last.map(|day| order(1, day).add_date.unwrap()),
            answer: CallerAnswer::default(),
        };
        let chosen = choose(vec![
            record(5, Some(3)),
            record(2, Some(9)),
            record(8, None),
        ]);
        assert_eq!(chosen.unwrap().client_id, 2);
        let chosen = choose(vec![record(5, None), record(8, None)]);
        assert_eq!(chosen.unwrap().client_id, 8);
        assert_eq!(choose(vec![]), None);
    }
}
