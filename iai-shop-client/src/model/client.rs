//! Shop customers ("clients" in the API), as `GET /clients/clients` returns them (reference §3).

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use super::de;

/// A shop customer. Names, phones and the address live in [`Client::billing`], as in the API.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Client {
    /// The customer number (`clientId`): the id an integration stores.
    #[serde(deserialize_with = "de::u64_required")]
    pub client_id: u64,
    /// Last modification (`clientsLastModificationDate`), shop-local time; may be absent.
    #[serde(
        rename = "clientsLastModificationDate",
        deserialize_with = "de::opt_date_time"
    )]
    pub last_modified: Option<NaiveDateTime>,
    /// Account login (`clientLogin`).
    #[serde(rename = "clientLogin", deserialize_with = "de::opt_string")]
    pub login: Option<String>,
    /// E-mail address (`clientEmail`).
    #[serde(rename = "clientEmail", deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    /// External code (`clientCodeExternal`).
    #[serde(rename = "clientCodeExternal", deserialize_with = "de::opt_string")]
    pub code_external: Option<String>,
    /// Kind of customer (`clientType`).
    #[serde(deserialize_with = "client_type")]
    pub client_type: ClientType,
    /// A guest without an account (`isUnregistered: "y"`).
    #[serde(deserialize_with = "de::flag")]
    pub is_unregistered: bool,
    /// Names, phones and address (`clientBillingAddress`).
    #[serde(rename = "clientBillingAddress", deserialize_with = "de::object")]
    pub billing: BillingAddress,
    /// Registration date (`clientRegistrationDate`); may be absent.
    #[serde(rename = "clientRegistrationDate", deserialize_with = "de::opt_date")]
    pub registration_date: Option<NaiveDate>,
    /// The shops the customer is active in (`clientActiveInShops`).
    #[serde(rename = "clientActiveInShops", deserialize_with = "de::list")]
    pub active_in_shops: Vec<ShopRef>,
    /// Birth date (`clientPersonalData.clientBirthDate`).
    #[serde(rename = "clientPersonalData", deserialize_with = "birth_date")]
    pub birth_date: Option<NaiveDate>,
    /// Language, currency and wholesale preferences (`clientPreferences`).
    #[serde(rename = "clientPreferences", deserialize_with = "de::object")]
    pub preferences: ClientPreferences,
    /// Balances per currency (`clientBalances`: a list, an object keyed by currency, or `[]`).
    #[serde(rename = "clientBalances", deserialize_with = "balances")]
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
        match text.trim().to_ascii_lowercase().as_str() {
            "" => Self::Unknown,
            "private" | "person" => Self::Private,
            "male" | "person_male" => Self::Male,
            "female" | "person_female" => Self::Female,
            "firm" => Self::Firm,
            _ => Self::Other(text.to_owned()),
        }
    }

    /// Whether this is a company rather than a person.
    pub fn is_firm(&self) -> bool {
        matches!(self, Self::Firm)
    }
}

fn client_type<'de, D: Deserializer<'de>>(d: D) -> Result<ClientType, D::Error> {
    Ok(de::opt_string(d)?.map_or(ClientType::Unknown, |t| ClientType::parse(&t)))
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
#[derive(Deserialize)]
#[serde(untagged)]
enum BalanceEntry {
    Full(ClientBalance),
    Amount(#[serde(deserialize_with = "de::decimal_or_zero")] Decimal),
}

fn balances<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ClientBalance>, D::Error> {
    use serde::de::Error;
    let value = serde_json::Value::deserialize(d)?;
    match value {
        serde_json::Value::Object(map) => map
            .into_iter()
            .map(|(currency, entry)| match BalanceEntry::deserialize(entry) {
                Ok(BalanceEntry::Full(mut balance)) => {
                    balance.currency_id.get_or_insert(currency);
                    Ok(balance)
                }
                Ok(BalanceEntry::Amount(amount)) => Ok(ClientBalance {
                    amount,
                    currency_id: Some(currency),
                }),
                Err(e) => Err(D::Error::custom(format!("clientBalances.{currency}: {e}"))),
            })
            .collect(),
        other => de::list(other).map_err(D::Error::custom),
    }
}
