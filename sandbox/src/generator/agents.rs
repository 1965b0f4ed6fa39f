//! Contacts that call-center agents typed into the Thulium tenant over the years, before any
//! sync: some are shop clients written the agents' way, some only look like them.
//!
//! [`AgentContactGenerator`] draws them from a shop's customers and a seed; [`agent_contacts`]
//! is the one-call form. Every contact records what the agent typed ([`AgentContact::emails`],
//! [`AgentContact::phones`]) and which shop clients it really matches, so a test can check
//! after a sync that no agent-entered value disappeared ([`AgentContact::lost_values`]).
//!
//! ```
//! use sandbox::generator::{AgentContactKind, AgentContacts, GeneratorConfig, agent_contacts, generate};
//!
//! let shop = generate(&GeneratorConfig { customers: 200, orders: 0, ..GeneratorConfig::default() });
//! let contacts = agent_contacts(&shop.customers, &AgentContacts::new(100, 0.4));
//! assert_eq!(contacts.len(), 100);
//! let overlapping = contacts.iter().filter(|c| c.kind.overlaps_one_client()).count();
//! assert_eq!(overlapping, 40);
//! // Agent contacts never carry the shop-ID custom field.
//! assert!(contacts.iter().all(|c| c.record.custom_fields.is_empty()));
//! // Same seed, same contacts.
//! assert_eq!(contacts, agent_contacts(&shop.customers, &AgentContacts::new(100, 0.4)));
//! # let _ = AgentContactKind::Decoy;
//! ```

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::names;
use super::people::fold_ascii;
use crate::idosell::ShopCustomer;
use crate::thulium::CustomerRecord;

/// How many agent-made contacts to seed, and what they look like. Shares are of `count`
/// (rounded; overlap, decoys and two-client contacts are exact counts, the rest are
/// strangers); `extra_values_share` is drawn per contact.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentContacts {
    /// Number of contacts seeded before any sync.
    pub count: usize,
    /// Share that are one shop client written the agents' way: the same e-mail (sometimes
    /// in another case or with surrounding spaces), the same phone (national number of the
    /// shop client's phone, in the formats agents type), or both.
    pub overlap_share: f64,
    /// Share of contacts (of any kind) that also hold a value the shop does not know: a
    /// second e-mail and/or a second phone. Half of the extra e-mails are written first, so
    /// a read (which shows the first e-mail only) does not show the shop's address.
    pub extra_values_share: f64,
    /// Share of decoys: an e-mail that *contains* a shop client's e-mail but is another
    /// address (`urszulabak@yahoo.com` for `abak@yahoo.com`), and a phone of nobody in the
    /// shop.
    pub decoy_share: f64,
    /// Share of contacts matching two shop clients at once: one client's e-mail and another
    /// client's phone.
    pub two_clients_share: f64,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for AgentContacts {
    /// No contacts; when a count is set: 30 % overlap, 25 % extra values, 5 % decoys, 2 %
    /// matching two clients.
    fn default() -> Self {
        Self {
            count: 0,
            overlap_share: 0.3,
            extra_values_share: 0.25,
            decoy_share: 0.05,
            two_clients_share: 0.02,
            seed: 0,
        }
    }
}

impl AgentContacts {
    /// `count` contacts of which `overlap_share` overlap one shop client; other shares as
    /// in [`Default`].
    pub fn new(count: usize, overlap_share: f64) -> Self {
        Self {
            count,
            overlap_share,
            ..Self::default()
        }
    }
}

/// What an agent-made contact is, relative to the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentContactKind {
    /// One shop client's e-mail (case or spaces may differ).
    SameEmail,
    /// One shop client's phone, written the way agents type it.
    SamePhone,
    /// One shop client's e-mail and phone.
    SameEmailAndPhone,
    /// An e-mail containing a shop client's e-mail as a substring, but different.
    Decoy,
    /// One client's e-mail and another client's phone.
    TwoClients,
    /// Someone the shop does not know.
    Stranger,
}

impl AgentContactKind {
    /// `SameEmail`, `SamePhone` or `SameEmailAndPhone`.
    pub fn overlaps_one_client(self) -> bool {
        matches!(
            self,
            Self::SameEmail | Self::SamePhone | Self::SameEmailAndPhone
        )
    }
}

/// A contact an agent made, as seeded into the tenant, with what is known about it.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentContact {
    /// The stored customer: e-mails and phones exactly as the agent typed them, no custom
    /// field (the shop-ID field reads `null`). `customer_id` is 0 until the simulator
    /// stores it; [`ThuliumSim::agent_contacts`](crate::thulium::ThuliumSim::agent_contacts)
    /// returns them with their ids.
    pub record: CustomerRecord,
    /// What the generator meant it to be.
    pub kind: AgentContactKind,
    /// Shop clients it really matches, by id: the same e-mail ignoring case and surrounding
    /// spaces, or the same national phone number (phone 1 or 2). Computed after generation,
    /// so accidental matches count too; sorted.
    pub matches: Vec<u64>,
    /// For a [`AgentContactKind::Decoy`]: the shop client whose e-mail its e-mail contains.
    pub decoy_of: Option<u64>,
    /// The values the agent typed that no shop client has (second e-mail / phone).
    pub extra_values: Vec<String>,
}

/// One agent-entered value missing from a contact after a sync (see
/// [`AgentContact::lost_values`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostValue {
    /// The contact's `customer_id`.
    pub customer_id: u64,
    /// The value as the agent typed it.
    pub value: String,
    /// Whether it is an e-mail (else a phone).
    pub is_email: bool,
}

impl AgentContact {
    /// The contact's id in the tenant (0 before it is stored).
    pub fn customer_id(&self) -> u64 {
        self.record.customer_id
    }

    /// Every e-mail as the agent typed it (spaces and case included), first one first.
    pub fn emails(&self) -> &[String] {
        &self.record.emails
    }

    /// Every phone as the agent typed it, first one first.
    pub fn phones(&self) -> &[String] {
        &self.record.phones
    }

    /// The agent-entered values that `current` (the same contact now, `None` when it is
    /// gone) no longer holds. An e-mail is kept when an address equal to it ignoring case
    /// and surrounding spaces is stored; a phone when a stored phone has the same national
    /// number (`601 234 567` is kept by `+48601234567`) or, for numbers that are not Polish,
    /// the same digits. Tests wanting the exact text compare [`emails`](Self::emails) and
    /// [`phones`](Self::phones) themselves.
    pub fn lost_values(&self, current: Option<&CustomerRecord>) -> Vec<LostValue> {
        let lost = |value: &String, is_email: bool| LostValue {
            customer_id: self.customer_id(),
            value: value.clone(),
            is_email,
        };
        let Some(current) = current else {
            return self
                .emails()
                .iter()
                .map(|e| lost(e, true))
                .chain(self.phones().iter().map(|p| lost(p, false)))
                .collect();
        };
        let emails: HashSet<String> = current.emails.iter().map(|e| email_key(e)).collect();
        let phones: HashSet<String> = current.phones.iter().map(|p| phone_key(p)).collect();
        let lost_emails = self
            .emails()
            .iter()
            .filter(|e| !emails.contains(&email_key(e)))
            .map(|e| lost(e, true));
        let lost_phones = self
            .phones()
            .iter()
            .filter(|p| !phones.contains(&phone_key(p)))
            .map(|p| lost(p, false));
        lost_emails.chain(lost_phones).collect()
    }
}

/// An e-mail compared the way a person would: trimmed, lower-case.
pub(crate) fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The 9-digit national number of a Polish phone written in any of the usual ways
/// (`601 234 567`, `+48601234567`, `48601234567`, `0048 601-234-567`); `None` otherwise.
pub fn national_number(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        9 => digits.as_str(),
        11 => digits.strip_prefix("48")?,
        13 => digits.strip_prefix("0048")?,
        _ => return None,
    };
    Some(national.to_owned())
}

/// A phone compared by its national number, or by its digits when it has none.
pub(crate) fn phone_key(phone: &str) -> String {
    national_number(phone).unwrap_or_else(|| phone.chars().filter(char::is_ascii_digit).collect())
}

/// `601234567` in the five ways agents type it, rotating: `601 234 567`, `601234567`,
/// `48601234567`, `+48 601-234-567`, `0048601234567`.
pub(crate) fn agent_phone_format(national: &str, turn: usize) -> String {
    let (a, b, c) = (
        national.get(0..3).unwrap_or(national),
        national.get(3..6).unwrap_or(""),
        national.get(6..).unwrap_or(""),
    );
    match turn % 5 {
        0 => format!("{a} {b} {c}"),
        1 => national.to_owned(),
        2 => format!("48{national}"),
        3 => format!("+48 {a}-{b}-{c}"),
        _ => format!("0048{national}"),
    }
}

/// A shop e-mail the way agents copy it, rotating: as is, capitalised, with surrounding
/// spaces, upper-case with a trailing space.
fn agent_email_format(email: &str, turn: usize) -> String {
    match turn % 4 {
        0 => email.to_owned(),
        1 => capitalize(email),
        2 => format!(" {email} "),
        _ => format!("{} ", email.to_uppercase()),
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What the generator needs of one shop client.
#[derive(Debug, Clone)]
struct ShopIdentity {
    client_id: u64,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    national_phone: Option<String>,
}

/// The shop's clients, indexed for matching.
#[derive(Debug, Default)]
struct ShopIndex {
    clients: Vec<ShopIdentity>,
    by_email: HashMap<String, Vec<u64>>,
    by_phone: HashMap<String, Vec<u64>>,
    /// Positions in `clients` of those with an e-mail / a national phone.
    with_email: Vec<usize>,
    with_phone: Vec<usize>,
}

impl ShopIndex {
    fn new(customers: &[ShopCustomer]) -> Self {
        let mut index = Self::default();
        for customer in customers {
            let email = customer
                .email
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned);
            let phones = [&customer.billing.phone1, &customer.billing.phone2];
            let nationals: Vec<String> = phones
                .iter()
                .filter_map(|p| p.as_deref().and_then(national_number))
                .collect();
            let position = index.clients.len();
            if let Some(email) = &email {
                index
                    .by_email
                    .entry(email_key(email))
                    .or_default()
                    .push(customer.client_id);
                index.with_email.push(position);
            }
            for national in &nationals {
                index
                    .by_phone
                    .entry(national.clone())
                    .or_default()
                    .push(customer.client_id);
            }
            if !nationals.is_empty() {
                index.with_phone.push(position);
            }
            index.clients.push(ShopIdentity {
                client_id: customer.client_id,
                first_name: customer.billing.first_name.clone(),
                last_name: customer.billing.last_name.clone(),
                email,
                national_phone: nationals.into_iter().next(),
            });
        }
        index
    }

    fn knows_email(&self, email: &str) -> bool {
        self.by_email.contains_key(&email_key(email))
    }

    fn knows_phone(&self, phone: &str) -> bool {
        self.by_phone.contains_key(&phone_key(phone))
    }

    /// Shop clients matching any of the contact's e-mails or phones, sorted.
    fn matches(&self, record: &CustomerRecord) -> Vec<u64> {
        let mut ids: Vec<u64> = record
            .emails
            .iter()
            .filter_map(|e| self.by_email.get(&email_key(e)))
            .chain(
                record
                    .phones
                    .iter()
                    .filter_map(|p| self.by_phone.get(&phone_key(p))),
            )
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// Draws agent-made contacts from a shop's customers, deterministically from
/// [`AgentContacts::seed`]. Clones continue independently from the same position.
#[derive(Clone)]
pub struct AgentContactGenerator {
    config: AgentContacts,
    rng: StdRng,
    shop: Arc<ShopIndex>,
    /// Rotation counters of the e-mail and phone formats.
    email_turn: usize,
    phone_turn: usize,
    made: u64,
}

impl std::fmt::Debug for AgentContactGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentContactGenerator")
            .field("config", &self.config)
            .field("shop_clients", &self.shop.clients.len())
            .field("made", &self.made)
            .finish_non_exhaustive()
    }
}

impl AgentContactGenerator {
    /// A generator over `shop_customers` (an empty shop gives strangers only).
    pub fn new(shop_customers: &[ShopCustomer], config: &AgentContacts) -> Self {
        Self {
            config: config.clone(),
            rng: StdRng::seed_from_u64(config.seed),
            shop: Arc::new(ShopIndex::new(shop_customers)),
            email_turn: 0,
            phone_turn: 0,
            made: 0,
        }
    }

    /// The configuration it draws from.
    pub fn config(&self) -> &AgentContacts {
        &self.config
    }

    /// [`AgentContacts::count`] contacts with exactly the configured shares of each kind
    /// (rounded), in a shuffled order.
    pub fn seed_contacts(&mut self) -> Vec<AgentContact> {
        let count = self.config.count;
        let share = |s: f64| ((count as f64) * s.clamp(0.0, 1.0)).round() as usize;
        let overlap = share(self.config.overlap_share).min(count);
        let decoys = share(self.config.decoy_share).min(count - overlap);
        let two = share(self.config.two_clients_share).min(count - overlap - decoys);
        let mut kinds: Vec<Option<AgentContactKind>> = Vec::with_capacity(count);
        kinds.extend(std::iter::repeat_n(None, overlap));
        kinds.extend(std::iter::repeat_n(Some(AgentContactKind::Decoy), decoys));
        kinds.extend(std::iter::repeat_n(Some(AgentContactKind::TwoClients), two));
        kinds.extend(std::iter::repeat_n(
            Some(AgentContactKind::Stranger),
            count - overlap - decoys - two,
        ));
        kinds.shuffle(&mut self.rng);
        kinds
            .into_iter()
            .map(|kind| match kind {
                Some(kind) => self.contact(kind),
                None => self.overlapping_contact(),
            })
            .collect()
    }

    /// One more contact, its kind drawn with the configured shares.
    pub fn next_contact(&mut self) -> AgentContact {
        let draw: f64 = self.rng.random();
        let config = &self.config;
        let overlap = config.overlap_share;
        let decoy = overlap + config.decoy_share;
        let two = decoy + config.two_clients_share;
        if draw < overlap {
            self.overlapping_contact()
        } else if draw < decoy {
            self.contact(AgentContactKind::Decoy)
        } else if draw < two {
            self.contact(AgentContactKind::TwoClients)
        } else {
            self.contact(AgentContactKind::Stranger)
        }
    }

    fn overlapping_contact(&mut self) -> AgentContact {
        let kind = match self.rng.random_range(0..3) {
            0 => AgentContactKind::SameEmail,
            1 => AgentContactKind::SamePhone,
            _ => AgentContactKind::SameEmailAndPhone,
        };
        self.contact(kind)
    }

    /// A contact of `kind`, falling back to a stranger when the shop lacks what it needs.
    fn contact(&mut self, kind: AgentContactKind) -> AgentContact {
        let shop = self.shop.clone();
        let drawn = match kind {
            AgentContactKind::SameEmail
            | AgentContactKind::SamePhone
            | AgentContactKind::SameEmailAndPhone => self.overlap(&shop, kind),
            AgentContactKind::Decoy => self.decoy(&shop),
            AgentContactKind::TwoClients => self.two_clients(&shop),
            AgentContactKind::Stranger => None,
        };
        let (kind, mut record, decoy_of) = match drawn {
            Some(drawn) => drawn,
            None => (AgentContactKind::Stranger, self.stranger(&shop), None),
        };
        let extra_values = if self
            .rng
            .random_bool(self.config.extra_values_share.clamp(0.0, 1.0))
        {
            self.add_extra_values(&shop, &mut record)
        } else {
            Vec::new()
        };
        record.updated_at = self.past_moment();
        if self.rng.random_bool(0.2) {
            record.note = Some((*pick(&mut self.rng, NOTES)).to_owned());
        }
        self.made += 1;
        AgentContact {
            matches: shop.matches(&record),
            record,
            kind,
            decoy_of,
            extra_values,
        }
    }

    fn client<'a>(&mut self, shop: &'a ShopIndex, among: &[usize]) -> Option<&'a ShopIdentity> {
        if among.is_empty() {
            return None;
        }
        shop.clients
            .get(among[self.rng.random_range(0..among.len())])
    }

    fn overlap(
        &mut self,
        shop: &ShopIndex,
        kind: AgentContactKind,
    ) -> Option<(AgentContactKind, CustomerRecord, Option<u64>)> {
        let (want_email, want_phone) = match kind {
            AgentContactKind::SameEmail => (true, false),
            AgentContactKind::SamePhone => (false, true),
            _ => (true, true),
        };
        let among = if want_email {
            &shop.with_email
        } else {
            &shop.with_phone
        };
        let client = self.client(shop, among)?;
        // A client without the other value still overlaps by the one it has.
        let email = client.email.as_deref().filter(|_| want_email);
        let phone = client.national_phone.as_deref().filter(|_| want_phone);
        let kind = match (email, phone) {
            (Some(_), Some(_)) => AgentContactKind::SameEmailAndPhone,
            (Some(_), None) => AgentContactKind::SameEmail,
            (None, Some(_)) => AgentContactKind::SamePhone,
            (None, None) => return None,
        };
        let mut record = self.named_like(client);
        if let Some(email) = email {
            record.emails.push(self.typed_email(email));
        }
        if let Some(phone) = phone {
            record.phones.push(self.typed_phone(phone));
        }
        Some((kind, record, None))
    }

    fn decoy(
        &mut self,
        shop: &ShopIndex,
    ) -> Option<(AgentContactKind, CustomerRecord, Option<u64>)> {
        let client = self.client(shop, &shop.with_email)?;
        let email = client.email.as_deref()?.to_lowercase();
        let decoy = (0..20).find_map(|_| {
            let candidate = match self.rng.random_range(0..3) {
                0 => format!("{}{email}", self.first_name_ascii()),
                1 => format!(
                    "{}.{email}",
                    self.first_name_ascii().get(..1).unwrap_or("m")
                ),
                _ => format!("{email}.pl"),
            };
            (!shop.knows_email(&candidate)).then_some(candidate)
        })?;
        let mut record = self.random_person();
        record.emails.push(decoy);
        if self.rng.random_bool(0.6) {
            let phone = self.unknown_phone(shop);
            record.phones.push(phone);
        }
        Some((AgentContactKind::Decoy, record, Some(client.client_id)))
    }

    fn two_clients(
        &mut self,
        shop: &ShopIndex,
    ) -> Option<(AgentContactKind, CustomerRecord, Option<u64>)> {
        let by_email = self.client(shop, &shop.with_email)?;
        let by_phone = (0..20).find_map(|_| {
            self.client(shop, &shop.with_phone)
                .filter(|c| c.client_id != by_email.client_id)
        })?;
        let mut record = self.named_like(by_email);
        let email = by_email.email.as_deref()?;
        let phone = by_phone.national_phone.as_deref()?;
        record.emails.push(self.typed_email(email));
        record.phones.push(self.typed_phone(phone));
        Some((AgentContactKind::TwoClients, record, None))
    }

    fn stranger(&mut self, shop: &ShopIndex) -> CustomerRecord {
        let mut record = self.random_person();
        if self.rng.random_bool(0.7) {
            let email = self.unknown_email(shop, &record);
            record.emails.push(email);
        }
        if record.emails.is_empty() || self.rng.random_bool(0.7) {
            let phone = self.unknown_phone(shop);
            record.phones.push(phone);
        }
        record
    }

    /// A second e-mail and/or phone nobody in the shop has; the e-mail goes first half of
    /// the time.
    fn add_extra_values(&mut self, shop: &ShopIndex, record: &mut CustomerRecord) -> Vec<String> {
        let mut extra = Vec::new();
        let (email, phone) = match self.rng.random_range(0..3) {
            0 => (true, false),
            1 => (false, true),
            _ => (true, true),
        };
        if email {
            let value = self.unknown_email(shop, record);
            if self.rng.random_bool(0.5) {
                record.emails.insert(0, value.clone());
            } else {
                record.emails.push(value.clone());
            }
            extra.push(value);
        }
        if phone {
            let value = self.unknown_phone(shop);
            record.phones.push(value.clone());
            extra.push(value);
        }
        extra
    }

    fn named_like(&mut self, client: &ShopIdentity) -> CustomerRecord {
        let surname = client
            .last_name
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "Klient".to_owned());
        let (name, surname) = match self.rng.random_range(0..3) {
            0 => (client.first_name.clone(), surname),
            // Typed in a hurry: no diacritics, lower case.
            1 => (
                client.first_name.as_deref().map(fold_ascii),
                fold_ascii(&surname),
            ),
            _ => (None, surname),
        };
        CustomerRecord {
            name,
            surname: Some(surname),
            ..CustomerRecord::default()
        }
    }

    fn random_person(&mut self) -> CustomerRecord {
        let female = self.rng.random_bool(0.5);
        let first = if female {
            *pick(&mut self.rng, names::FEMALE_FIRST)
        } else {
            *pick(&mut self.rng, names::MALE_FIRST)
        };
        let (male, female_last) = *pick(&mut self.rng, names::LAST);
        CustomerRecord {
            name: Some(first.to_owned()),
            surname: Some(if female { female_last } else { male }.to_owned()),
            ..CustomerRecord::default()
        }
    }

    fn first_name_ascii(&mut self) -> String {
        let list = if self.rng.random_bool(0.5) {
            names::FEMALE_FIRST
        } else {
            names::MALE_FIRST
        };
        fold_ascii(pick::<&str>(&mut self.rng, list))
    }

    fn typed_email(&mut self, email: &str) -> String {
        let typed = agent_email_format(email.trim(), self.email_turn);
        self.email_turn += 1;
        typed
    }

    fn typed_phone(&mut self, national: &str) -> String {
        let typed = agent_phone_format(national, self.phone_turn);
        self.phone_turn += 1;
        typed
    }

    /// An e-mail no shop client has, built from the record's names when it has some.
    fn unknown_email(&mut self, shop: &ShopIndex, record: &CustomerRecord) -> String {
        let first = record.name.as_deref().map(fold_ascii).unwrap_or_default();
        let last = record
            .surname
            .as_deref()
            .map(fold_ascii)
            .unwrap_or_else(|| "kontakt".to_owned());
        loop {
            let domain = pick(&mut self.rng, AGENT_EMAIL_DOMAINS);
            let number = self.rng.random_range(1..10_000);
            let email = if first.is_empty() {
                format!("{last}{number}@{domain}")
            } else {
                format!("{first}.{last}.{number}@{domain}")
            };
            if !shop.knows_email(&email) {
                return email;
            }
        }
    }

    /// A mobile number (typed in a rotating format) no shop client has.
    fn unknown_phone(&mut self, shop: &ShopIndex) -> String {
        loop {
            let first = *pick(&mut self.rng, &[5u32, 6, 7, 8]);
            let national = format!("{first}{:08}", self.rng.random_range(0..100_000_000u32));
            let typed = self.typed_phone(&national);
            if !shop.knows_phone(&typed) {
                return typed;
            }
        }
    }

    /// When the agent last touched the contact: some time in 2015..2025.
    fn past_moment(&mut self) -> String {
        let start = NaiveDate::from_ymd_opt(2015, 1, 1)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .unwrap_or_default();
        let minutes = self.rng.random_range(0..(10 * 365 * 24 * 60));
        (start + Duration::minutes(minutes))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }
}

/// Generates [`AgentContacts::count`] contacts for a shop with `shop_customers` (see
/// [`AgentContactGenerator::seed_contacts`]).
pub fn agent_contacts(
    shop_customers: &[ShopCustomer],
    config: &AgentContacts,
) -> Vec<AgentContact> {
    AgentContactGenerator::new(shop_customers, config).seed_contacts()
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    // The lists are non-empty constants; indexing by a drawn position cannot fail.
    &items[rng.random_range(0..items.len())]
}

/// Domains of addresses agents learn on the phone (work and private).
const AGENT_EMAIL_DOMAINS: &[&str] = &[
    "firma.pl",
    "biuro.com.pl",
    "praca.pl",
    "interia.eu",
    "poczta.fm",
    "outlook.com",
];

/// Notes agents leave.
const NOTES: &[&str] = &[
    "Dzwonił w sprawie reklamacji.",
    "Prosi o kontakt po 16.",
    "Zwrot towaru – oczekuje na przelew.",
    "Klient hurtowy?",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_numbers_of_the_usual_formats() {
        for typed in [
            "601 234 567",
            "601234567",
            "48601234567",
            "+48 601-234-567",
            "0048601234567",
            "+48601234567",
        ] {
            assert_eq!(
                national_number(typed).as_deref(),
                Some("601234567"),
                "{typed}"
            );
        }
        assert_eq!(national_number("+49 30 1234567"), None);
        let formats: Vec<String> = (0..5).map(|t| agent_phone_format("601234567", t)).collect();
        assert_eq!(
            formats,
            [
                "601 234 567",
                "601234567",
                "48601234567",
                "+48 601-234-567",
                "0048601234567"
            ]
        );
    }
}
