//! A fingerprint of a desired Thulium customer, remembered after each write so that an
//! unchanged customer is not written again.
//!
//! The fingerprint is a hash of a *canonical form* of the [`CustomerInput`]: text trimmed with
//! inner whitespace collapsed, empty values treated as absent, e-mail domains lower-cased,
//! phones normalised, the e-mail and phone lists sorted and de-duplicated, custom fields in
//! name order. So two inputs that Thulium would store identically have the same fingerprint,
//! whatever order or spelling their values came in.
//!
//! The hash is 128-bit FNV-1a, written out here rather than pulled from a crate: it is a
//! dozen lines, stable across Rust releases and platforms (unlike `std`'s `DefaultHasher`),
//! and its job is change detection on our own data, not resisting an attacker — at 128 bits
//! an accidental collision (which would skip one write) is out of reach. A cryptographic hash
//! would add a dependency for no gain here. The canonical form starts with a version tag:
//! changing the form changes every fingerprint, which only costs one rewrite of each customer.

use std::fmt;

use serde::{Deserialize, Serialize};
use thulium_client::{AddressInput, CustomFieldValue, CustomerInput};

use crate::email::normalize_email;
use crate::phone::normalize_phone;

/// The fingerprint of a [`CustomerInput`]: 32 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

const CANONICAL_VERSION: &str = "customer-v1";

impl Fingerprint {
    /// The fingerprint of a desired customer.
    pub fn of_customer(input: &CustomerInput) -> Self {
        Self::of_canonical(&canonical_form(input))
    }

    /// The fingerprint of any canonical text (for callers that fingerprint other records,
    /// such as an orders-group item, with the same hash).
    pub fn of_canonical(canonical: &str) -> Self {
        Self(format!("{:032x}", fnv1a_128(canonical.as_bytes())))
    }

    /// The fingerprint of a list of `(name, value)` pairs, such as the values of one record in
    /// the orders field group ([`crate::order_summary::OrderSummary::group_values`]). Order
    /// matters (the pairs are columns), surrounding whitespace does not.
    pub fn of_fields(fields: &[(String, String)]) -> Self {
        let canonical: Vec<String> = fields
            .iter()
            .map(|(name, value)| {
                format!("{}={}", escape(&collapse(name)), escape(&collapse(value)))
            })
            .collect();
        Self::of_canonical(&format!("fields-v1\n{}", canonical.join("\n")))
    }

    /// Reads a fingerprint saved earlier with [`as_str`](Self::as_str); `None` unless it is
    /// 32 hex digits.
    pub fn from_saved(saved: &str) -> Option<Self> {
        let saved = saved.trim().to_ascii_lowercase();
        (saved.len() == 32 && saved.chars().all(|c| c.is_ascii_hexdigit())).then_some(Self(saved))
    }

    /// The fingerprint as text, for saving.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET_BASIS: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    bytes.iter().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u128::from(*byte)).wrapping_mul(PRIME)
    })
}

/// The canonical text of a desired customer: one `key=value` line per non-empty value, in a
/// fixed key order, values escaped so that no value can forge a line break.
pub fn canonical_form(input: &CustomerInput) -> String {
    let mut lines = vec![CANONICAL_VERSION.to_owned()];
    let mut line = |key: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            lines.push(format!("{key}={}", escape(&value)));
        }
    };
    line("name", tidy(&input.name));
    line("surname", tidy(&input.surname));
    line("email", sorted_list(&input.email, canonical_email));
    line("phone", sorted_list(&input.phone_number, canonical_phone));
    line("company_id", input.company_id.map(|id| id.to_string()));
    line("type", tidy(&input.customer_type));
    line("group", tidy(&input.group));
    line("identifier", tidy(&input.identifier));
    line("nip", tidy(&input.nip));
    line("note", tidy(&input.note));
    if let Some(address) = &input.address {
        for (key, value) in address_parts(address) {
            line(key, tidy(value));
        }
    }
    for (name, value) in &input.custom_fields {
        line(
            &format!("field:{}", collapse(name)),
            Some(field_value(value)),
        );
    }
    line(
        "fill_read_only",
        input
            .fill_read_only_custom_fields
            .then(|| "true".to_owned()),
    );
    lines.join("\n")
}

fn address_parts(address: &AddressInput) -> [(&'static str, &Option<String>); 6] {
    [
        ("address.street", &address.street),
        ("address.building", &address.building),
        ("address.flat", &address.flat),
        ("address.postcode", &address.postcode),
        ("address.city", &address.city),
        ("address.country", &address.country),
    ]
}

fn field_value(value: &CustomFieldValue) -> String {
    match value {
        CustomFieldValue::Number(number) => format!("n:{number}"),
        CustomFieldValue::Date(date) => format!("d:{date}"),
        CustomFieldValue::Text(text) => format!("t:{}", collapse(text)),
        CustomFieldValue::Null => "null".to_owned(),
    }
}

fn tidy(value: &Option<String>) -> Option<String> {
    value.as_deref().map(collapse)
}

/// Trims and collapses runs of whitespace to one space.
fn collapse(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn canonical_email(email: &str) -> String {
    normalize_email(email)
        .map(|email| email.to_lowercase())
        .unwrap_or_else(|_| collapse(email))
}

fn canonical_phone(phone: &str) -> String {
    // Inputs from `map_customer` are already E.164; anything else is read as Polish only to
    // give one spelling per number, never to decide what is sent.
    normalize_phone(phone, "PL").unwrap_or_else(|_| collapse(phone))
}

fn sorted_list(values: &[String], canonical: fn(&str) -> String) -> Option<String> {
    let mut values: Vec<String> = values
        .iter()
        .map(|value| canonical(value))
        .filter(|value| !value.is_empty())
        .collect();
    values.sort();
    values.dedup();
    Some(values.join(","))
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace(',', "\\,")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::NaiveDate;

    fn input() -> CustomerInput {
        CustomerInput {
            name: Some("Zofia".into()),
            surname: Some("Wiśniewska".into()),
            email: vec!["zofia@wp.pl".into(), "z.w+sklep@gmail.com".into()],
            phone_number: vec!["+48601234567".into(), "+48221234567".into()],
            nip: Some("5260250274".into()),
            address: Some(AddressInput {
                street: Some("ul. Długa".into()),
                building: Some("5".into()),
                flat: Some("7".into()),
                postcode: Some("00-238".into()),
                city: Some("Warszawa".into()),
                country: Some("PL".into()),
            }),
            custom_fields: [
                ("IAI Shop ID".to_owned(), CustomFieldValue::Number(17)),
                (
                    "IAI Shop last order date".to_owned(),
                    CustomFieldValue::Date(NaiveDate::from_ymd_opt(2025, 2, 3).unwrap()),
                ),
            ]
            .into(),
            fill_read_only_custom_fields: true,
            ..CustomerInput::default()
        }
    }

    #[test]
    fn same_customer_written_differently_has_the_same_fingerprint() {
        let mut other = input();
        other.email.reverse();
        other.email[1] = " zofia@WP.PL ".into();
        other.phone_number = vec![
            "22 123 45 67".into(),
            "+48 601 234 567".into(),
            "601234567".into(),
        ];
        other.name = Some("  Zofia ".into());
        if let Some(address) = &mut other.address {
            address.street = Some("ul.  Długa".into());
        }
        assert_eq!(
            Fingerprint::of_customer(&input()),
            Fingerprint::of_customer(&other)
        );
    }

    #[test]
    fn any_real_change_changes_the_fingerprint() {
        let base = Fingerprint::of_customer(&input());
        let changes: Vec<fn(&mut CustomerInput)> = vec![
            |c| c.surname = Some("Wiśniewska-Nowak".into()),
            |c| c.email.push("nowy@onet.pl".into()),
            |c| c.phone_number.pop().map(drop).unwrap_or(()),
            |c| {
                c.custom_fields
                    .insert("IAI Shop ID".into(), CustomFieldValue::Number(18));
            },
            |c| c.address = None,
            |c| c.fill_read_only_custom_fields = false,
            |c| c.name = None,
        ];
        for (index, change) in changes.into_iter().enumerate() {
            let mut changed = input();
            change(&mut changed);
            assert_ne!(Fingerprint::of_customer(&changed), base, "change {index}");
        }
    }

    #[test]
    fn empty_values_count_as_absent_and_values_cannot_forge_keys() {
        let mut with_empty = input();
        with_empty.note = Some("  ".into());
        assert_eq!(
            Fingerprint::of_customer(&with_empty),
            Fingerprint::of_customer(&input())
        );

        let mut forged = input();
        forged.name = Some("Zofia\nsurname=X".into());
        let canonical = canonical_form(&forged);
        assert!(
            !canonical.lines().any(|line| line == "surname=X"),
            "{canonical}"
        );
    }

    #[test]
    fn field_lists_fingerprint_by_content() {
        let pairs = |value: &str| {
            vec![
                ("Number".to_owned(), "733".to_owned()),
                ("Status".to_owned(), value.to_owned()),
            ]
        };
        assert_eq!(
            Fingerprint::of_fields(&pairs("Wysłane")),
            Fingerprint::of_fields(&pairs(" Wysłane "))
        );
        assert_ne!(
            Fingerprint::of_fields(&pairs("Wysłane")),
            Fingerprint::of_fields(&pairs("Spakowane"))
        );
        // A value cannot pass for the next pair.
        let one = vec![("a".to_owned(), "1\nb=2".to_owned())];
        let two = vec![
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned()),
        ];
        assert_ne!(Fingerprint::of_fields(&one), Fingerprint::of_fields(&two));
    }

    #[test]
    fn saved_fingerprints_round_trip() {
        let fingerprint = Fingerprint::of_customer(&input());
        assert_eq!(fingerprint.as_str().len(), 32);
        assert_eq!(
            Fingerprint::from_saved(fingerprint.as_str()),
            Some(fingerprint.clone())
        );
        assert_eq!(
            Fingerprint::from_saved(&fingerprint.as_str().to_uppercase()),
            Some(fingerprint)
        );
        assert_eq!(Fingerprint::from_saved("not a fingerprint"), None);
        // FNV-1a 128 reference value of the empty input: the offset basis.
        assert_eq!(
            Fingerprint::of_canonical("").as_str(),
            "6c62272e07bb014262b821756295c58d"
        );
    }
}
