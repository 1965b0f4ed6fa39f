//! Reading and validating a customer write body (create, update, batch item) the way a strict
//! tenant would, collecting every error so that one 400 reports them all.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Map, Number, Value};

use super::config::CustomFieldKind;
use super::error::{ErrorItem, code};
use super::record::{Address, CustomerRecord};
use super::schema::Schema;

/// Whether a body creates a customer (surname required) or changes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Create,
    Update,
}

/// A validated change. For every `Option<Option<T>>`: `None` = key absent (leave as is),
/// `Some(None)` = clear, `Some(Some(v))` = set.
#[derive(Debug, Default)]
pub(crate) struct CustomerPatch {
    pub name: Option<Option<String>>,
    pub surname: Option<Option<String>>,
    pub emails: Option<Vec<String>>,
    pub phones: Option<Vec<String>>,
    pub company_id: Option<Option<u64>>,
    pub identifier: Option<Option<String>>,
    pub customer_type: Option<Option<String>>,
    pub group: Option<Option<String>>,
    pub nip: Option<Option<String>>,
    pub note: Option<Option<String>>,
    pub other: BTreeMap<String, Option<String>>,
    pub address: Option<Option<Address>>,
    pub invoice_address: Option<Option<Address>>,
    pub mail_drop_address: Option<Option<Address>>,
    /// Custom fields to change, read-only ones already dropped unless allowed.
    pub custom_fields: BTreeMap<String, Option<Value>>,
}

/// Documented scalar keys the simulator stores without interpreting.
const OTHER_KEYS: [&str; 8] = [
    "gender",
    "birthdate",
    "pesel",
    "job",
    "job_title",
    "homepage",
    "account_manager",
    "vip",
];

const ADDRESS_KEYS: [&str; 3] = ["address", "invoice_address", "mail_drop_address"];

/// Validates `body` against the tenant's `schema`. With `phones_as_typed` valid phones are
/// kept as written (trimmed) instead of without their formatting characters.
pub(crate) fn parse_customer(
    body: &Value,
    schema: &Schema,
    mode: Mode,
    phones_as_typed: bool,
) -> Result<CustomerPatch, Vec<ErrorItem>> {
    let Some(object) = body.as_object() else {
        return Err(vec![ErrorItem::new(
            code::INVALID_BODY,
            "The request body must be a JSON object.",
        )]);
    };
    let mut errors = Vec::new();
    let mut text = |key: &str| read_text(object, key, &mut errors);
    let mut patch = CustomerPatch {
        name: text("name"),
        surname: text("surname"),
        identifier: text("identifier"),
        customer_type: text("type"),
        group: text("group"),
        nip: text("nip"),
        note: text("note"),
        ..CustomerPatch::default()
    };
    for key in OTHER_KEYS {
        if let Some(value) = text(key) {
            patch.other.insert(key.to_owned(), value);
        }
    }
    patch.emails = read_list(object, "email", normalize_email, &mut errors);
    let phone: fn(&str) -> Result<String, ErrorItem> = if phones_as_typed {
        phone_as_typed
    } else {
        normalize_phone
    };
    patch.phones = read_list(object, "phone_number", phone, &mut errors);
    patch.company_id = read_company_id(object, &mut errors);
    let [address, invoice, mail_drop] =
        ADDRESS_KEYS.map(|key| read_address(object, key, &mut errors));
    (
        patch.address,
        patch.invoice_address,
        patch.mail_drop_address,
    ) = (address, invoice, mail_drop);
    patch.custom_fields = read_custom_fields(object, schema, &mut errors);
    check_surname(&patch, mode, &mut errors);
    if errors.is_empty() {
        Ok(patch)
    } else {
        Err(errors)
    }
}

fn check_surname(patch: &CustomerPatch, mode: Mode, errors: &mut Vec<ErrorItem>) {
    let missing = match mode {
        Mode::Create => !matches!(patch.surname, Some(Some(_))),
        Mode::Update => matches!(patch.surname, Some(None)),
    };
    if missing {
        errors.push(ErrorItem::new(code::REQUIRED, "Field surname is required."));
    }
}

/// A string (numbers and booleans are taken as their text); `null` or blank clears.
fn read_text(
    object: &Map<String, Value>,
    key: &str,
    errors: &mut Vec<ErrorItem>,
) -> Option<Option<String>> {
    match object.get(key)? {
        Value::Null => Some(None),
        Value::String(text) if text.trim().is_empty() => Some(None),
        Value::String(text) => Some(Some(text.trim().to_owned())),
        Value::Number(number) => Some(Some(number.to_string())),
        Value::Bool(flag) => Some(Some(if *flag { "1" } else { "0" }.to_owned())),
        Value::Array(_) | Value::Object(_) => {
            errors.push(ErrorItem::new(
                code::BAD_VALUE,
                format!("Field {key} must be a string."),
            ));
            None
        }
    }
}

/// A string or an array of strings, each normalised; duplicates (case-insensitive) dropped.
fn read_list(
    object: &Map<String, Value>,
    key: &str,
    normalize: fn(&str) -> Result<String, ErrorItem>,
    errors: &mut Vec<ErrorItem>,
) -> Option<Vec<String>> {
    let raw: Vec<&Value> = match object.get(key)? {
        Value::Null => Vec::new(),
        Value::Array(values) => values.iter().collect(),
        single => vec![single],
    };
    let mut list: Vec<String> = Vec::new();
    for value in raw {
        let text = match value {
            Value::String(text) => text.trim().to_owned(),
            Value::Number(number) => number.to_string(),
            _ => {
                errors.push(ErrorItem::new(
                    code::BAD_VALUE,
                    format!("Field {key} must be a string or a list of strings."),
                ));
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        match normalize(&text) {
            Ok(normal) if !list.iter().any(|seen| seen.eq_ignore_ascii_case(&normal)) => {
                list.push(normal)
            }
            Ok(_) => {}
            Err(error) => errors.push(error),
        }
    }
    Some(list)
}

fn normalize_email(text: &str) -> Result<String, ErrorItem> {
    let valid = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !text.contains(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(text.to_owned())
    } else {
        Err(ErrorItem::new(
            code::BAD_EMAIL,
            format!("Wrong format of e-mail address: {text}."),
        ))
    }
}

/// Spaces, dashes, dots and parentheses are removed; what remains must be an optional `+`
/// and 6 to 15 digits.
pub(crate) fn normalize_phone(text: &str) -> Result<String, ErrorItem> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    if (6..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(compact)
    } else {
        Err(ErrorItem::new(
            code::BAD_PHONE,
            "Wrong format of phone number.",
        ))
    }
}

/// A valid phone (see [`normalize_phone`]) exactly as written.
fn phone_as_typed(text: &str) -> Result<String, ErrorItem> {
    normalize_phone(text).map(|_| text.to_owned())
}

fn read_company_id(
    object: &Map<String, Value>,
    errors: &mut Vec<ErrorItem>,
) -> Option<Option<u64>> {
    let parsed = match object.get("company_id")? {
        Value::Null => Ok(None),
        Value::String(text) if text.trim().is_empty() => Ok(None),
        Value::String(text) => text.trim().parse().map(Some).map_err(|_| ()),
        Value::Number(number) => number.as_u64().map(Some).ok_or(()),
        _ => Err(()),
    };
    match parsed {
        Ok(id) => Some(id),
        Err(()) => {
            errors.push(ErrorItem::new(
                code::NOT_A_NUMBER,
                "Field company_id must be a number.",
            ));
            None
        }
    }
}

fn read_address(
    object: &Map<String, Value>,
    key: &str,
    errors: &mut Vec<ErrorItem>,
) -> Option<Option<Address>> {
    let fields = match object.get(key)? {
        Value::Null => return Some(None),
        Value::Object(fields) => fields,
        _ => {
            errors.push(ErrorItem::new(
                code::BAD_VALUE,
                format!("Field {key} must be an object."),
            ));
            return None;
        }
    };
    let mut part = |name: &str| read_text(fields, name, errors).flatten();
    Some(Some(Address {
        street: part("street"),
        building: part("building"),
        flat: part("flat"),
        postcode: part("postcode"),
        city: part("city"),
        country: part("country"),
    }))
}

fn read_custom_fields(
    object: &Map<String, Value>,
    schema: &Schema,
    errors: &mut Vec<ErrorItem>,
) -> BTreeMap<String, Option<Value>> {
    let mut changes = BTreeMap::new();
    let fields = match object.get("custom_fields") {
        None | Some(Value::Null) => return changes,
        Some(Value::Object(fields)) => fields,
        // PHP encodes an empty associative array as `[]`.
        Some(Value::Array(items)) if items.is_empty() => return changes,
        Some(_) => {
            errors.push(ErrorItem::new(
                code::BAD_VALUE,
                "Field custom_fields must be an object.",
            ));
            return changes;
        }
    };
    let fill_read_only = matches!(
        object.get("fill_read_only_custom_fields"),
        Some(Value::Bool(true))
    ) || matches!(object.get("fill_read_only_custom_fields"), Some(Value::Number(n)) if n.as_u64() == Some(1));
    for (name, value) in fields {
        let Some(def) = schema.custom_field(name) else {
            errors.push(ErrorItem::new(
                code::UNKNOWN_CUSTOM_FIELD,
                format!("Custom field \"{name}\" does not exist."),
            ));
            continue;
        };
        if def.read_only && !fill_read_only {
            continue;
        }
        match custom_value(name, def.kind, value) {
            Ok(value) => {
                changes.insert(name.clone(), value);
            }
            Err(error) => errors.push(error),
        }
    }
    changes
}

/// A custom-field value checked against its kind; `Ok(None)` clears the field.
pub(crate) fn custom_value(
    name: &str,
    kind: CustomFieldKind,
    value: &Value,
) -> Result<Option<Value>, ErrorItem> {
    if value.is_null() || value.as_str().is_some_and(|text| text.trim().is_empty()) {
        return Ok(None);
    }
    match kind {
        CustomFieldKind::Numeric => parse_number(value)
            .map(|n| Some(Value::Number(n)))
            .ok_or_else(|| {
                ErrorItem::new(
                    code::NOT_A_NUMBER,
                    format!("Value of custom field \"{name}\" must be a number."),
                )
            }),
        CustomFieldKind::Date => value
            .as_str()
            .map(str::trim)
            .filter(|text| text.len() == 10 && NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok())
            .map(|text| Some(Value::String(text.to_owned())))
            .ok_or_else(|| {
                ErrorItem::new(
                    code::BAD_DATE,
                    format!("Value of custom field \"{name}\" must be a date (YYYY-MM-DD)."),
                )
            }),
        CustomFieldKind::Text => match value {
            Value::String(text) => Ok(Some(Value::String(text.clone()))),
            Value::Number(number) => Ok(Some(Value::String(number.to_string()))),
            _ => Err(ErrorItem::new(
                code::BAD_VALUE,
                format!("Value of custom field \"{name}\" must be text."),
            )),
        },
    }
}

/// A JSON number or a numeric string, as a JSON number (integers stay integers).
pub(crate) fn parse_number(value: &Value) -> Option<Number> {
    match value {
        Value::Number(number) => Some(number.clone()),
        Value::String(text) => {
            let text = text.trim();
            text.parse::<i64>()
                .ok()
                .map(Number::from)
                .or_else(|| text.parse::<f64>().ok().and_then(Number::from_f64))
        }
        _ => None,
    }
}

/// Applies a validated patch; keys absent from the body keep their values, lists given in
/// the body replace the stored lists, custom fields merge by name.
pub(crate) fn apply_patch(record: &mut CustomerRecord, patch: CustomerPatch) {
    let replace = |slot: &mut Option<String>, change: Option<Option<String>>| {
        if let Some(value) = change {
            *slot = value;
        }
    };
    replace(&mut record.name, patch.name);
    replace(&mut record.surname, patch.surname);
    replace(&mut record.identifier, patch.identifier);
    replace(&mut record.customer_type, patch.customer_type);
    replace(&mut record.group, patch.group);
    replace(&mut record.nip, patch.nip);
    replace(&mut record.note, patch.note);
    for (key, value) in patch.other {
        match value {
            Some(value) => record.other.insert(key, value),
            None => record.other.remove(&key),
        };
    }
    if let Some(emails) = patch.emails {
        record.emails = emails;
    }
    if let Some(phones) = patch.phones {
        record.phones = phones;
    }
    if let Some(company_id) = patch.company_id {
        record.company_id = company_id;
    }
    let replace_address = |slot: &mut Option<Address>, change: Option<Option<Address>>| {
        if let Some(value) = change {
            *slot = value;
        }
    };
    replace_address(&mut record.address, patch.address);
    replace_address(&mut record.invoice_address, patch.invoice_address);
    replace_address(&mut record.mail_drop_address, patch.mail_drop_address);
    for (name, value) in patch.custom_fields {
        match value {
            Some(value) => record.custom_fields.insert(name, value),
            None => record.custom_fields.remove(&name),
        };
    }
}
