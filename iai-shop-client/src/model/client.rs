//! Shop customers ("clients" in the API), as `GET /clients/clients` returns them (IdoSell
//! Admin API reference, <https://idosell.readme.io/>).

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::de;

/// A shop customer. Names, phones and the address live in [`Client::billing`], as in the API.
/// A record without `clientId` does not decode: in a page it is rejected with its JSON
/// path (see [`Page::rejected`](crate::Page::rejected)) instead of becoming customer 0.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    /// The customer number (`clientId`, required): the id an integration stores.
    #[serde(deserialize_with = "de::u64_required")]
    pub client_id: u64,
    /// Last modification (`clientsLastModificationDate`), shop-local time; may be absent.
    #[serde(
        default,
        rename = "clientsLastModificationDate",
        deserialize_with = "de::opt_date_time"
    )]
    pub last_modified: Option<NaiveDateTime>,
    /// Account login (`clientLogin`).
    #[serde(default, rename = "clientLogin", deserialize_with = "de::opt_string")]
    pub login: Option<String>,
    /// E-mail address (`clientEmail`).
    #[serde(default, rename = "clientEmail", deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    /// External code (`clientCodeExternal`).
    #[serde(
        default,
        rename = "clientCodeExternal",
        deserialize_with = "de::opt_string"
    )]
    pub code_external: Option<String>,
    /// Kind of customer (`clientType`).
    #[serde(default, deserialize_with = "client_type")]
    pub client_type: ClientType,
    /// A guest without an account (`isUnregistered: "y"`).
    #[serde(default, deserialize_with = "de::flag")]
    pub is_unregistered: bool,
    /// Names, phones and address (`clientBillingAddress`).
    #[serde(
        default,
        rename = "clientBillingAddress",
        deserialize_with = "de::object"
    )]
    pub billing: BillingAddress,
    /// Registration date (`clientRegistrationDate`); may be absent.
    #[serde(
        default,
        rename = "clientRegistrationDate",
        deserialize_with = "de::opt_date"
    )]
    pub registration_date: Option<NaiveDate>,
    /// The shops the customer is active in (`clientActiveInShops`).
    #[serde(default, rename = "clientActiveInShops", deserialize_with = "de::list")]
    pub active_in_shops: Vec<ShopRef>,
    /// Birth date (`clientPersonalData.clientBirthDate`).
    #[serde(
        default,
        rename = "clientPersonalData",
        deserialize_with = "birth_date"
    )]
    pub birth_date: Option<NaiveDate>,
    /// Language, currency and wholesale preferences (`clientPreferences`).
    #[serde(default, rename = "clientPreferences", deserialize_with = "de::object")]
    pub preferences: ClientPreferences,
    /// Balances per currency (`clientBalances`: a list, an object keyed by currency, or `[]`).
    #[serde(default, rename = "clientBalances", deserialize_with = "balances")]
    pub balances: Vec<ClientBalance>,
}

/// Names, phones and address of a customer (`clientBillingAddress`). `""` decodes to `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct BillingAddress {
    /// `clientFirstName`.
    #[serde(rename = "clientFirstName", deserialize_with = "de::opt_string")]
    pub first_name: Option<String>,
    /// `clientLastName`.
    #[serde(rename = "clientLastName", deserialize_with = "de::opt_string")]
    pub last_name: Option<String>,
    /// Company name (`clientFirm`).
    #[serde(rename = "clientFirm", deserialize_with = "de::opt_string")]
    pub firm: Option<String>,
    /// Tax number (`clientNip`).
    #[serde(rename = "clientNip", deserialize_with = "de::opt_string")]
    pub nip: Option<String>,
    /// `clientStreet`.
    #[serde(rename = "clientStreet", deserialize_with = "de::opt_string")]
    pub street: Option<String>,
    /// `clientZipCode`.
    #[serde(rename = "clientZipCode", deserialize_with = "de::opt_string")]
    pub zip_code: Option<String>,
    /// `clientCity`.
    #[serde(rename = "clientCity", deserialize_with = "de::opt_string")]
    pub city: Option<String>,
    /// ISO 3166 alpha-2 as given, often lower-case (`clientCountryId`).
    #[serde(rename = "clientCountryId", deserialize_with = "de::opt_string")]
    pub country_id: Option<String>,
    /// Country name (`clientCountryName`; order payloads carry it).
    #[serde(rename = "clientCountryName", deserialize_with = "de::opt_string")]
    pub country_name: Option<String>,
    /// Mobile phone (`clientPhone1`).
    #[serde(rename = "clientPhone1", deserialize_with = "de::opt_string")]
    pub phone1: Option<String>,
    /// Landline (`clientPhone2`).
    #[serde(rename = "clientPhone2", deserialize_with = "de::opt_string")]
    pub phone2: Option<String>,
}

/// Kind of customer. Read endpoints send `private`/`male`/`female`/`firm`, write endpoints
/// `person`/`person_male`/`person_female`/`firm`; both spellings are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ClientType {
    /// A private person (`private`, `person`).
    Private,
    /// `male`, `person_male`.
    Male,
    /// `female`, `person_female`.
    Female,
    /// A company (`firm`).
    Firm,
    /// Any other value, kept as sent (empty when the field is absent).
    Other(String),
    /// The field was absent or empty.
    #[default]
    Unknown,
}

impl ClientType {
    /// Reads the API's spelling; never fails.
    pub fn parse(text: &str) -> Self {
        const SPELLINGS: [(&str, ClientType); 7] = [
            ("private", ClientType::Private),
            ("person", ClientType::Private),
            ("male", ClientType::Male),
            ("person_male", ClientType::Male),
            ("female", ClientType::Female),
            ("person_female", ClientType::Female),
            ("firm", ClientType::Firm),
        ];
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Self::Unknown;
        }
        SPELLINGS
            .iter()
            .find(|(spelling, _)| trimmed.eq_ignore_ascii_case(spelling))
            .map_or_else(|| Self::Other(text.to_owned()), |(_, kind)| kind.clone())
    }

    /// Whether this is a company rather than a person.
    pub fn is_firm(&self) -> bool {
        matches!(self, Self::Firm)
    }
}

pub(super) fn client_type<'de, D: Deserializer<'de>>(d: D) -> Result<ClientType, D::Error> {
    Ok(de::with_text(d, ClientType::parse)?.unwrap_or(ClientType::Unknown))
}

/// A shop a customer is active in (`clientActiveInShops[]`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ShopRef {
    /// `shopId`.
    #[serde(deserialize_with = "de::u64_required")]
    pub shop_id: u64,
    /// `shopName`.
    #[serde(deserialize_with = "de::opt_string")]
    pub shop_name: Option<String>,
}

/// Customer preferences (`clientPreferences`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClientPreferences {
    /// Language code such as `"pol"` (`langId`).
    #[serde(deserialize_with = "de::opt_string")]
    pub lang_id: Option<String>,
    /// Preferred currency (`currencyId`).
    #[serde(deserialize_with = "de::opt_string")]
    pub currency_id: Option<String>,
    /// Wholesale customer (`clientIsWholesaler: "yes"`).
    #[serde(rename = "clientIsWholesaler", deserialize_with = "de::flag")]
    pub is_wholesaler: bool,
    /// Discount group name (`clientGroupDiscountName`, nullable).
    #[serde(
        rename = "clientGroupDiscountName",
        deserialize_with = "de::opt_string"
    )]
    pub group_discount_name: Option<String>,
}

/// A balance in one currency (`clientBalances[]`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct ClientBalance {
    /// `clientBalanceAmount`.
    #[serde(
        rename = "clientBalanceAmount",
        deserialize_with = "de::decimal_or_zero"
    )]
    pub amount: Decimal,
    /// `currencyId`.
    #[serde(rename = "currencyId", deserialize_with = "de::opt_string")]
    pub currency_id: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct PersonalData {
    #[serde(rename = "clientBirthDate", deserialize_with = "de::opt_date")]
    birth_date: Option<NaiveDate>,
}

fn birth_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    Ok(de::object::<D, PersonalData>(d)?.birth_date)
}

/// One entry of `clientBalances` when it comes as an object keyed by currency: either the
/// usual balance object, or (undocumented, accepted anyway) a bare amount under the key.
enum BalanceEntry {
    Full(ClientBalance),
    Amount(Decimal),
}

impl<'de> Deserialize<'de> for BalanceEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BalanceEntryVisitor)
    }
}

struct BalanceEntryVisitor;

impl BalanceEntryVisitor {
    fn amount<E: serde::de::Error>(scalar: de::Scalar<'_>) -> Result<BalanceEntry, E> {
        let amount = de::decimal_of(scalar).map_err(E::custom)?;
        Ok(BalanceEntry::Amount(amount.unwrap_or_default()))
    }
}

impl<'de> Visitor<'de> for BalanceEntryVisitor {
    type Value = BalanceEntry;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a balance object or an amount")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<BalanceEntry, A::Error> {
        ClientBalance::deserialize(MapAccessDeserializer::new(map)).map(BalanceEntry::Full)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<BalanceEntry, A::Error> {
        ClientBalance::deserialize(SeqAccessDeserializer::new(seq)).map(BalanceEntry::Full)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<BalanceEntry, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<BalanceEntry, E> {
        Self::amount(de::Scalar::Absent)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<BalanceEntry, E> {
        Self::amount(de::Scalar::Absent)
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<BalanceEntry, E> {
        Self::amount(de::Scalar::Bool(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<BalanceEntry, E> {
        Self::amount(de::ScalarVisitor.visit_i64(v)?)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<BalanceEntry, E> {
        Self::amount(de::ScalarVisitor.visit_u64(v)?)
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<BalanceEntry, E> {
        Self::amount(de::ScalarVisitor.visit_f64(v)?)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<BalanceEntry, E> {
        Self::amount(de::ScalarVisitor.visit_str(v)?)
    }
}

/// `clientBalances`: a list of balances, an object keyed by currency, `[]`, `""` or null.
fn balances<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ClientBalance>, D::Error> {
    d.deserialize_any(BalancesVisitor)
}

struct BalancesVisitor;

impl<'de> Visitor<'de> for BalancesVisitor {
    type Value = Vec<ClientBalance>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of balances, an object keyed by currency or null")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut balances = Vec::new();
        while let Some((currency, entry)) = map.next_entry::<String, BalanceEntry>()? {
            balances.push(match entry {
                BalanceEntry::Full(mut balance) => {
                    balance.currency_id.get_or_insert(currency);
                    balance
                }
                BalanceEntry::Amount(amount) => ClientBalance {
                    amount,
                    currency_id: Some(currency),
                },
            });
        }
        Ok(balances)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        de::ListVisitor::new().visit_seq(seq)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        de::ListVisitor::new().visit_unit()
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        de::ListVisitor::new().visit_none()
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        de::ListVisitor::new().visit_str(v)
    }
}
