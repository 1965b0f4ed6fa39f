//! Whose values are on a Thulium contact: the e-mail addresses, phone numbers and optional
//! custom fields the sync wrote ("ours"), and those an agent entered ("the agent's").
//!
//! Thulium's update takes the e-mail and phone lists whole (whether it replaces or merges them
//! is undocumented, so the sync assumes it replaces), and a read shows every phone but may
//! show only one of several e-mail addresses. So the sync remembers, per linked contact, which
//! values it wrote and which it found there:
//!
//! - A value on the contact that the sync did not write last time is the **agent's**, and is
//!   sent again with every list the sync sends (as typed: `601 234 567` stays `601 234 567`).
//! - The shop's values are **ours**: a value that left the shop (a changed e-mail) is dropped
//!   from the contact on the next write, and only ours ever are.
//! - A list is sent only when it must be: the phone list when the shop has a number the
//!   contact lacks (or one of ours left the shop); the e-mail list when the contact was
//!   created by the sync and the shop's addresses changed since the last write. Otherwise
//!   the key is left out and Thulium keeps the list as it is, values no read shows included.
//! - The e-mail list of an **adopted** contact (one an agent made, taken over by the sync) is
//!   never sent: a read may hide some of the agent's addresses and a list sent would erase
//!   them. Such a contact keeps the agent's addresses (one of which matched the shop's); the
//!   shop's other addresses are on the customer card.
//! - An optional custom field the sync set (the last order date, the Allegro login) is cleared
//!   when the shop no longer has a value for it; one the sync never set is never touched.
//!
//! Two values are the same when their match keys are ([`email_key`], [`phone_key`]): a case-
//! and space-insensitive e-mail, and a phone number read to E.164 however it was typed.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use thulium_client::{CustomFieldValue, Customer, CustomerInput};

/// E-mail addresses and phone numbers, as written on a contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueSet {
    /// E-mail addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Phone numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
}

/// What the sync remembers of a contact's values after writing it (kept in the state store).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactValues {
    /// The values the sync wrote: the shop's.
    #[serde(default)]
    pub ours: ValueSet,
    /// The values an agent entered, sent again with every write.
    #[serde(default)]
    pub agents: ValueSet,
    /// The optional custom fields the sync set (cleared when the shop drops the value).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// An agent made the contact (the sync adopted it): its e-mail list is never sent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub agent_made: bool,
}

/// How the contact being written came to be this shop customer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance<'a> {
    /// The sync created it: nothing on it is an agent's.
    Created,
    /// Linked before: these are the values remembered from the last write (`None`: a link
    /// stored before the sync remembered values, or one found through the ID field after a
    /// write whose answer was lost — values equal to the shop's are then taken as ours).
    Linked(Option<&'a ContactValues>),
    /// An agent-made contact being taken over: every value on it is the agent's.
    Adopted,
}

/// The lists to send and what to remember after the write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedValues {
    /// The input to send: the desired one with the merged e-mail and phone lists, and the
    /// optional fields the shop no longer has cleared (`null`).
    pub input: CustomerInput,
    /// What to remember once the write succeeded.
    pub values: ContactValues,
}

/// The match key of an e-mail address: trimmed and case-folded.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The match key of a phone number however it was typed (`601 234 567`, `+48 601-234-567`,
/// `0048601234567`, `48601234567`): [`crate::phone::phone_key`] (E.164), and for a number
/// that cannot be read, its digits (so two spellings of one odd number still meet).
pub fn phone_key(phone: &str, default_country: &str) -> String {
    crate::phone::phone_key(phone, default_country)
        .unwrap_or_else(|| phone.chars().filter(char::is_ascii_digit).collect())
}

/// The e-mails and phones on a contact as read (Thulium may show one e-mail of several).
pub fn values_on(customer: &Customer) -> ValueSet {
    let mut phones: Vec<String> = customer.phone_numbers.clone();
    phones.extend(customer.phone_number.clone());
    ValueSet {
        emails: customer.email.iter().cloned().collect(),
        phones,
    }
}

/// Merges the desired input with the values already on the contact; see the module docs.
///
/// `current` is the contact as read (if it was), `optional_fields` the custom fields the sync
/// may set or leave unset (last order date, Allegro login), `country` the default country
/// for reading phone numbers.
pub fn merge_values(
    desired: &CustomerInput,
    current: Option<&ValueSet>,
    provenance: Provenance<'_>,
    optional_fields: &[&str],
    country: &str,
) -> MergedValues {
    let empty = ValueSet::default();
    let current = current.unwrap_or(&empty);
    let desired_values = ValueSet {
        emails: desired.email.clone(),
        phones: desired.phone_number.clone(),
    };
    let agents = match provenance {
        Provenance::Created => ValueSet::default(),
        Provenance::Adopted => current.clone(),
        Provenance::Linked(Some(previous)) => union(
            &previous.agents,
            &without(current, &previous.ours, country),
            country,
        ),
        Provenance::Linked(None) => without(current, &desired_values, country),
    };
    let agents = dedup(&agents, country);
    let (emails, ours_emails) = merge_list(&desired.email, &agents.emails, email_key);
    let phone = |p: &str| phone_key(p, country);
    let (phones, ours_phones) = merge_list(&desired.phone_number, &agents.phones, phone);

    let previous = match provenance {
        Provenance::Linked(Some(previous)) => Some(previous),
        _ => None,
    };
    let agent_made =
        matches!(provenance, Provenance::Adopted) || previous.is_some_and(|p| p.agent_made);
    let previous_ours = previous.map(|p| &p.ours);
    let send_emails = !agent_made
        && previous_ours.is_none_or(|ours| !same_keys(&ours.emails, &desired.email, email_key));
    let send_phones =
        !ours_phones.is_empty() || previous_ours.is_some_and(|o| !o.phones.is_empty());
    let mut input = desired.clone();
    input.email = if send_emails { emails } else { Vec::new() };
    input.phone_number = if send_phones { phones } else { Vec::new() };
    let ours_emails = if agent_made { Vec::new() } else { ours_emails };
    let previously_set: &[String] = previous.map_or(&[], |p| &p.fields);
    let mut fields = Vec::new();
    for field in optional_fields {
        if desired.custom_fields.contains_key(*field) {
            fields.push((*field).to_owned());
        } else if previously_set.iter().any(|f| f == field) {
            input
                .custom_fields
                .insert((*field).to_owned(), CustomFieldValue::Null);
        }
    }
    MergedValues {
        input,
        values: ContactValues {
            ours: ValueSet {
                emails: ours_emails,
                phones: ours_phones,
            },
            agents,
            fields,
            agent_made,
        },
    }
}

/// Whether two lists hold the same values by `key`, whatever their order and spelling.
fn same_keys(a: &[String], b: &[String], key: impl Fn(&str) -> String) -> bool {
    let a: HashSet<String> = a.iter().map(|v| key(v)).collect();
    let b: HashSet<String> = b.iter().map(|v| key(v)).collect();
    a == b
}

/// The desired values (an agent's spelling where the agent has the same value), then the
/// agent's other values; and the desired values that are ours alone.
fn merge_list(
    desired: &[String],
    agents: &[String],
    key: impl Fn(&str) -> String,
) -> (Vec<String>, Vec<String>) {
    let agent_keys: Vec<String> = agents.iter().map(|v| key(v)).collect();
    let mut sent = Vec::with_capacity(desired.len() + agents.len());
    let mut ours = Vec::new();
    let mut seen = HashSet::new();
    for value in desired {
        let k = key(value);
        if !seen.insert(k.clone()) {
            continue;
        }
        match agent_keys.iter().position(|a| *a == k) {
            Some(i) => sent.push(agents[i].clone()),
            None => {
                sent.push(value.clone());
                ours.push(value.clone());
            }
        }
    }
    for (value, k) in agents.iter().zip(agent_keys) {
        if seen.insert(k) {
            sent.push(value.clone());
        }
    }
    (sent, ours)
}

/// The values of `set` whose keys are not in `other`.
fn without(set: &ValueSet, other: &ValueSet, country: &str) -> ValueSet {
    let emails: HashSet<String> = other.emails.iter().map(|e| email_key(e)).collect();
    let phones: HashSet<String> = other.phones.iter().map(|p| phone_key(p, country)).collect();
    ValueSet {
        emails: set
            .emails
            .iter()
            .filter(|e| !emails.contains(&email_key(e)))
            .cloned()
            .collect(),
        phones: set
            .phones
            .iter()
            .filter(|p| !phones.contains(&phone_key(p, country)))
            .cloned()
            .collect(),
    }
}

fn union(a: &ValueSet, b: &ValueSet, country: &str) -> ValueSet {
    let mut both = a.clone();
    both.emails.extend(b.emails.iter().cloned());
    both.phones.extend(b.phones.iter().cloned());
    dedup(&both, country)
}

/// One value per key, the first spelling kept, blanks dropped.
fn dedup(set: &ValueSet, country: &str) -> ValueSet {
    let mut emails = HashSet::new();
    let mut phones = HashSet::new();
    ValueSet {
        emails: set
            .emails
            .iter()
            .filter(|e| !e.trim().is_empty() && emails.insert(email_key(e)))
            .cloned()
            .collect(),
        phones: set
            .phones
            .iter()
            .filter(|p| !p.trim().is_empty() && phones.insert(phone_key(p, country)))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desired(emails: &[&str], phones: &[&str]) -> CustomerInput {
        CustomerInput {
            surname: Some("Bąk".into()),
            email: emails.iter().map(|e| (*e).to_owned()).collect(),
            phone_number: phones.iter().map(|p| (*p).to_owned()).collect(),
            ..CustomerInput::default()
        }
    }

    fn set(emails: &[&str], phones: &[&str]) -> ValueSet {
        ValueSet {
            emails: emails.iter().map(|e| (*e).to_owned()).collect(),
            phones: phones.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn phones_typed_any_way_share_one_key() {
        let keys: HashSet<String> = [
            "601 234 567",
            "601234567",
            "48601234567",
            "+48 601-234-567",
            "0048601234567",
        ]
        .iter()
        .map(|p| phone_key(p, "PL"))
        .collect();
        assert_eq!(keys.into_iter().collect::<Vec<_>>(), ["+48601234567"]);
        assert_eq!(email_key("  Abak@Yahoo.COM "), "abak@yahoo.com");
    }

    #[test]
    fn an_adopted_contact_keeps_every_agent_value_in_its_spelling() {
        let shop = desired(&["abak@yahoo.com"], &["+48601234567"]);
        let on_contact = set(&["ABak@yahoo.com"], &["601 234 567", "22 111 22 33"]);
        let merged = merge_values(&shop, Some(&on_contact), Provenance::Adopted, &[], "PL");
        // Nothing of ours to add: the lists are left as stored (hidden values and all).
        assert!(merged.input.email.is_empty() && merged.input.phone_number.is_empty());
        assert!(merged.values.ours.emails.is_empty());
        assert_eq!(merged.values.agents, on_contact);

        assert!(merged.values.agent_made);

        // A phone of the shop's own is added to the agent's; the e-mail list of an agent's
        // contact is never sent (a read may hide some of its addresses).
        let more = desired(&["abak@yahoo.com", "a.bak@firma.pl"], &["+48501000000"]);
        let merged = merge_values(&more, Some(&on_contact), Provenance::Adopted, &[], "PL");
        assert!(merged.input.email.is_empty());
        assert_eq!(
            merged.input.phone_number,
            ["+48501000000", "601 234 567", "22 111 22 33"]
        );
        assert_eq!(merged.values.ours.phones, ["+48501000000"]);
        let later = merge_values(
            &desired(&["nowy@firma.pl"], &["+48501000000"]),
            Some(&on_contact),
            Provenance::Linked(Some(&merged.values)),
            &[],
            "PL",
        );
        assert!(later.input.email.is_empty() && later.values.agent_made);
    }

    #[test]
    fn a_changed_shop_email_replaces_ours_not_the_agents() {
        let before = ContactValues {
            ours: set(&["old@shop.pl"], &[]),
            agents: set(&["agent@firma.pl"], &[]),
            fields: Vec::new(),
            agent_made: false,
        };
        let read = set(&["old@shop.pl"], &["+48601234567"]);
        let shop = desired(&["new@shop.pl"], &[]);
        let merged = merge_values(
            &shop,
            Some(&read),
            Provenance::Linked(Some(&before)),
            &[],
            "PL",
        );
        assert_eq!(merged.input.email, ["new@shop.pl", "agent@firma.pl"]);
        // The phone was not ours last time: an agent added it since, and the list, holding
        // nothing of ours, is left as stored.
        assert!(merged.input.phone_number.is_empty());
        assert_eq!(merged.values.ours.emails, ["new@shop.pl"]);
        assert_eq!(merged.values.agents.phones, ["+48601234567"]);
    }

    #[test]
    fn a_created_contact_holds_only_ours_and_optional_fields_are_cleared_once_dropped() {
        let mut shop = desired(&["a@b.pl"], &[]);
        shop.custom_fields.insert(
            "Allegro login".into(),
            CustomFieldValue::Text("kupiec".into()),
        );
        let first = merge_values(&shop, None, Provenance::Created, &["Allegro login"], "PL");
        assert_eq!(first.values.fields, ["Allegro login"]);
        assert!(first.values.agents.emails.is_empty());

        let without_login = desired(&["a@b.pl"], &[]);
        let second = merge_values(
            &without_login,
            None,
            Provenance::Linked(Some(&first.values)),
            &["Allegro login"],
            "PL",
        );
        assert_eq!(
            second.input.custom_fields.get("Allegro login"),
            Some(&CustomFieldValue::Null)
        );
        let third = merge_values(
            &without_login,
            None,
            Provenance::Linked(Some(&second.values)),
            &["Allegro login"],
            "PL",
        );
        assert!(third.input.custom_fields.is_empty());
    }

    #[test]
    fn a_contact_found_by_its_id_field_without_a_record_takes_the_shops_values_as_ours() {
        let shop = desired(&["a@b.pl"], &["+48601234567"]);
        let read = set(&["a@b.pl"], &["+48601234567", "+48222333444"]);
        let merged = merge_values(&shop, Some(&read), Provenance::Linked(None), &[], "PL");
        assert_eq!(merged.values.ours, set(&["a@b.pl"], &["+48601234567"]));
        assert_eq!(merged.values.agents, set(&[], &["+48222333444"]));
    }
}
