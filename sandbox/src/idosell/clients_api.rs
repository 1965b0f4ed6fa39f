//! Customer endpoints: `GET/POST/PUT clients/clients` and `POST clients/crm/search`.

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::auth::{Level, Module};
use super::batch::{item_result, write_each};
use super::call::AdminCall;
use super::changes::{CustomerPatch, NewCustomer};
use super::error::ApiError;
use super::json;
use super::model::{ShopAddress, ShopCustomer};
use super::paging::{self, select_page};
use super::params::{DateRange, Query, as_list, as_text, as_u64, body_params, parse_ids};
use super::store::{ShopData, StoreError};

const EMPTY_CLIENTS: &str = "Wyszukiwarka klientów: zwrócono pusty wynik";

/// Filters of `GET clients/clients`.
#[derive(Default)]
struct ClientFilter {
    ids: Option<Vec<u64>>,
    codes_external: Vec<String>,
    text: Option<TextSearch>,
    active: Option<bool>,
    shop_id: Option<u64>,
    modified: DateRange,
    registered: DateRange,
}

impl ClientFilter {
    fn from_query(query: &Query) -> Result<Self, ApiError> {
        let ids = query.list("clientsIds");
        let active = match query.get("clientIsActive") {
            None => None,
            Some("yes" | "y") => Some(true),
            Some("no" | "n") => Some(false),
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "clientIsActive: {other:?} must be yes or no"
                )));
            }
        };
        let shop_id = query
            .get("shopId")
            .map(|v| parse_ids("shopId", &[v.to_owned()]))
            .transpose()?
            .and_then(|ids| ids.first().copied());
        Ok(Self {
            ids: (!ids.is_empty())
                .then(|| parse_ids("clientsIds", &ids))
                .transpose()?,
            codes_external: query.list("clientCodesExternal"),
            text: query.get("clientTextSearch").map(TextSearch::new),
            active,
            shop_id,
            modified: date_range(query, "clientsLastModificationDate")?,
            registered: date_range(query, "clientRegistrationDate")?,
        })
    }

    fn matches(&self, customer: &ShopCustomer) -> bool {
        self.active.is_none_or(|a| customer.is_active == a)
            && self.shop_id.is_none_or(|s| customer.shop_ids.contains(&s))
            && (self.codes_external.is_empty()
                || customer
                    .code_external
                    .as_ref()
                    .is_some_and(|c| self.codes_external.contains(c)))
            && (self.modified.is_open() || self.modified.contains(customer.last_modified))
            && (self.registered.is_open()
                || self
                    .registered
                    .contains(customer.registration_date.and_time(chrono::NaiveTime::MIN)))
            && self.text.as_ref().is_none_or(|t| t.matches(customer))
    }

    /// Matching customers in id order; by id lookups when ids are given.
    fn select<'a>(&'a self, data: &'a ShopData) -> Box<dyn Iterator<Item = &'a ShopCustomer> + 'a> {
        match &self.ids {
            Some(ids) => {
                let mut ids = ids.clone();
                ids.sort_unstable();
                ids.dedup();
                Box::new(
                    ids.into_iter()
                        .filter_map(|id| data.customers.get(&id))
                        .filter(|c| self.matches(c)),
                )
            }
            None => Box::new(data.customers.values().filter(|c| self.matches(c))),
        }
    }
}

fn date_range(query: &Query, name: &str) -> Result<DateRange, ApiError> {
    DateRange::parse(name, query.nested(name, "Begin"), query.nested(name, "End"))
}

/// `clientTextSearch`: case-insensitive substring of names, firm, e-mail, login or phones;
/// a query made of phone characters also matches by digits, ignoring a country prefix
/// (the last nine digits). The real matching rules are undocumented; this is the sandbox's.
struct TextSearch {
    lower: String,
    phone_digits: Option<String>,
}

impl TextSearch {
    fn new(query: &str) -> Self {
        let query = query.trim();
        let is_phone_like = query
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c));
        let digits: String = query.chars().filter(char::is_ascii_digit).collect();
        let phone_digits = (is_phone_like && digits.len() >= 6)
            .then(|| digits[digits.len().saturating_sub(9)..].to_owned());
        Self {
            lower: query.to_lowercase(),
            phone_digits,
        }
    }

    fn matches(&self, customer: &ShopCustomer) -> bool {
        let billing = &customer.billing;
        let texts = [
            billing.first_name.as_deref(),
            billing.last_name.as_deref(),
            billing.firm.as_deref(),
            customer.email.as_deref(),
            Some(customer.login.as_str()),
            billing.phone1.as_deref(),
            billing.phone2.as_deref(),
        ];
        let full_name = format!(
            "{} {}",
            billing.first_name.as_deref().unwrap_or(""),
            billing.last_name.as_deref().unwrap_or("")
        );
        texts
            .iter()
            .flatten()
            .chain(std::iter::once(&full_name.as_str()))
            .any(|t| t.to_lowercase().contains(&self.lower))
            || self.phone_digits.as_ref().is_some_and(|digits| {
                [billing.phone1.as_deref(), billing.phone2.as_deref()]
                    .into_iter()
                    .flatten()
                    .any(|p| {
                        let own: String = p.chars().filter(char::is_ascii_digit).collect();
                        own.contains(digits.as_str())
                    })
            })
    }
}

/// Keeps only the fields listed in `returnElements` (all when the list is empty). The
/// schema lists nested fields as returnable too (`clientPhone1` lives in
/// `clientBillingAddress`): a nested object is kept with just the listed fields it holds.
fn project(value: Value, elements: &[String]) -> Value {
    if elements.is_empty() {
        return value;
    }
    let listed = |key: &str| elements.iter().any(|e| e == key);
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter_map(|(key, value)| {
                    if listed(&key) {
                        return Some((key, value));
                    }
                    let Value::Object(inner) = value else {
                        return None;
                    };
                    let kept: Map<String, Value> =
                        inner.into_iter().filter(|(k, _)| listed(k)).collect();
                    (!kept.is_empty()).then_some((key, Value::Object(kept)))
                })
                .collect::<Map<_, _>>(),
        ),
        other => other,
    }
}

/// `GET /api/admin/{version}/clients/clients`.
pub(crate) async fn list(call: AdminCall, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let state = call.admit(Module::Crm, Level::Read)?;
    let query = Query::parse(raw.as_deref());
    let filter = ClientFilter::from_query(&query)?;
    let paging = paging::from_query(&query)?;
    let elements = query.list("returnElements");
    let (total, items) = {
        let data = state.read();
        let (total, page) = select_page(filter.select(&data), paging);
        let items: Vec<Value> = page
            .into_iter()
            .map(|c| project(json::client(c), &elements))
            .collect();
        (total, items)
    };
    let (status, body) = paging.answer(total, "results", items, EMPTY_CLIENTS);
    Ok(state.reply(status, body))
}

/// Filters of `POST clients/crm/search`.
struct CrmFilter {
    exact: bool,
    fields: Vec<(CrmField, String)>,
    registered: DateRange,
    shop_ids: Vec<u64>,
}

#[derive(Clone, Copy)]
enum CrmField {
    Email,
    Login,
    FirstName,
    LastName,
    Firm,
    Nip,
    CodeExternal,
}

impl CrmField {
    const ALL: [(&'static str, CrmField); 7] = [
        ("clientEmail", CrmField::Email),
        ("clientLogin", CrmField::Login),
        ("clientFirstName", CrmField::FirstName),
        ("clientLastName", CrmField::LastName),
        ("clientFirm", CrmField::Firm),
        ("clientNip", CrmField::Nip),
        ("clientCodeExternal", CrmField::CodeExternal),
    ];

    fn value(self, customer: &ShopCustomer) -> Option<&str> {
        let billing = &customer.billing;
        match self {
            Self::Email => customer.email.as_deref(),
            Self::Login => Some(&customer.login),
            Self::FirstName => billing.first_name.as_deref(),
            Self::LastName => billing.last_name.as_deref(),
            Self::Firm => billing.firm.as_deref(),
            Self::Nip => billing.nip.as_deref(),
            Self::CodeExternal => customer.code_external.as_deref(),
        }
    }
}

impl CrmFilter {
    fn from_params(params: &Value) -> Result<Self, ApiError> {
        let exact = match params.get("settingsExactSearch") {
            Some(Value::Bool(flag)) => *flag,
            Some(Value::String(s)) => matches!(s.as_str(), "true" | "y" | "yes" | "1"),
            Some(Value::Number(n)) => n.as_u64() == Some(1),
            _ => false,
        };
        let fields = CrmField::ALL
            .iter()
            .filter_map(|(key, field)| {
                params
                    .get(*key)
                    .and_then(as_text)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (*field, v.trim().to_lowercase()))
            })
            .collect();
        let registered = params.get("clientRegistrationDate");
        let text_at = |key: &str| registered.and_then(|r| r.get(key)).and_then(Value::as_str);
        let shop_ids = params
            .get("searchByShops")
            .and_then(|s| s.get("shopsIds"))
            .map(|ids| as_list(Some(ids)).into_iter().filter_map(as_u64).collect())
            .unwrap_or_default();
        Ok(Self {
            exact,
            fields,
            registered: DateRange::parse(
                "clientRegistrationDate",
                text_at("clientRegistrationDateBegin"),
                text_at("clientRegistrationDateEnd"),
            )?,
            shop_ids,
        })
    }

    fn matches(&self, customer: &ShopCustomer) -> bool {
        self.fields.iter().all(|(field, wanted)| {
            field.value(customer).is_some_and(|value| {
                let value = value.to_lowercase();
                if self.exact {
                    value == *wanted
                } else {
                    value.contains(wanted.as_str())
                }
            })
        }) && (self.registered.is_open()
            || self
                .registered
                .contains(customer.registration_date.and_time(chrono::NaiveTime::MIN)))
            && (self.shop_ids.is_empty()
                || self.shop_ids.iter().any(|s| customer.shop_ids.contains(s)))
    }
}

/// `POST /api/admin/{version}/clients/crm/search`.
pub(crate) async fn crm_search(call: AdminCall, body: Bytes) -> Result<Response, ApiError> {
    let state = call.admit(Module::Crm, Level::Read)?;
    let params = body_params(&body)?;
    let filter = CrmFilter::from_params(&params)?;
    let paging = paging::from_params(&params)?;
    let elements: Vec<String> = as_list(params.get("returnElements"))
        .into_iter()
        .filter_map(as_text)
        .collect();
    let (total, items) = {
        let data = state.read();
        let matching = data.customers.values().filter(|c| filter.matches(c));
        let (total, page) = select_page(matching, paging);
        let items: Vec<Value> = page
            .into_iter()
            .map(|c| {
                let orders: Vec<_> = data.orders_of(c.client_id).collect();
                project(json::crm_client(c, &orders), &elements)
            })
            .collect();
        (total, items)
    };
    let (status, body) = paging.answer(total, "clientsResults", items, EMPTY_CLIENTS);
    Ok(state.reply(status, body))
}

fn text_of(item: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| item.get(*k).and_then(as_text))
}

/// The snake_case body of `POST clients/clients` (several spellings are accepted, since the
/// reference lists only the main keys).
fn new_customer(item: &Value) -> NewCustomer {
    let t = |keys: &[&str]| text_of(item, keys).filter(|v| !v.is_empty());
    let shop_ids = as_list(item.get("shops").or_else(|| item.get("shop_id")))
        .into_iter()
        .filter_map(|v| v.get("shop_id").and_then(as_u64).or_else(|| as_u64(v)))
        .collect();
    NewCustomer {
        login: t(&["login"]),
        email: t(&["email"]),
        code_external: t(&["code_extern", "code_external"]),
        client_type: t(&["client_type", "type"]),
        is_unregistered: t(&["is_unregistered"]).is_some_and(|v| v == "y" || v == "true"),
        billing: ShopAddress {
            first_name: t(&["firstname", "first_name"]),
            last_name: t(&["lastname", "last_name"]),
            firm: t(&["company", "firm"]),
            nip: t(&["vat_number", "nip"]),
            street: t(&["street"]),
            zip_code: t(&["zipcode", "zip_code"]),
            city: t(&["city"]),
            country_id: t(&["country_code", "country_id"]),
            phone1: t(&["phone", "phone1"]),
            phone2: t(&["phone2"]),
        },
        birth_date: t(&["birth_date"])
            .and_then(|d| chrono::NaiveDate::parse_from_str(&d, json::DATE_FORMAT).ok()),
        shop_ids,
        currency_id: t(&["currency"]),
    }
}

/// `POST /api/admin/{version}/clients/clients` — register customers.
pub(crate) async fn create(call: AdminCall, body: Bytes) -> Result<Response, ApiError> {
    let state = call.admit(Module::Crm, Level::ReadWrite)?;
    let params = body_params(&body)?;
    write_each(
        state,
        &params,
        "clients",
        "clients",
        |data, item| match data.register(new_customer(item), state.clock.tick()) {
            Ok(c) => item_result(
                json!({"clientId": c.client_id, "clientLogin": c.login}),
                Ok(()),
            ),
            Err(e) => item_result(
                json!({"clientId": null, "clientLogin": item.get("login")}),
                Err(e),
            ),
        },
    )
}

/// The camelCase body of `PUT clients/clients`.
fn customer_patch(item: &Value) -> CustomerPatch {
    let t = |key: &str| item.get(key).and_then(as_text);
    CustomerPatch {
        login: None,
        email: t("clientEmail"),
        code_external: t("clientCodeExternal"),
        client_type: t("clientType"),
        is_active: t("clientIsActive").map(|v| v == "yes" || v == "y"),
        first_name: t("clientFirstName"),
        last_name: t("clientLastName"),
        firm: t("clientFirm"),
        nip: t("clientNip"),
        street: t("clientStreet"),
        zip_code: t("clientZipCode"),
        city: t("clientCity"),
        country_id: t("clientCountryId"),
        phone1: t("clientPhone1"),
        phone2: t("clientPhone2"),
    }
}

/// `PUT /api/admin/{version}/clients/clients` — update customers, found by `clientId` or
/// `clientLogin`.
pub(crate) async fn update(call: AdminCall, body: Bytes) -> Result<Response, ApiError> {
    let state = call.admit(Module::Crm, Level::ReadWrite)?;
    let params = body_params(&body)?;
    write_each(state, &params, "clients", "clients", |data, item| {
        let id = item
            .get("clientId")
            .and_then(as_u64)
            .or_else(|| text_of(item, &["clientLogin"]).and_then(|l| data.client_id_by_login(&l)));
        let ids = json!({"clientId": id, "clientLogin": item.get("clientLogin")});
        let outcome = match id {
            Some(id) => data
                .update_customer(id, &customer_patch(item), state.clock.tick())
                .map(drop),
            None => Err(StoreError::Invalid(
                "clientId or an existing clientLogin is required".into(),
            )),
        };
        item_result(ids, outcome)
    })
}
