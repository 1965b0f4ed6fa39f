//! The read shape of a customer: `""` for empty scalars, only the first e-mail, phones twice,
//! every defined custom field (`null` when unset) when asked for.

use serde_json::{Map, Value, json};

use super::config::CustomFieldKind;
use super::record::{Address, CustomerRecord};
use super::schema::Schema;
use super::search::Include;

/// `Some(text)` as a string, `None` as `""`.
fn text(value: &Option<String>) -> Value {
    Value::String(value.clone().unwrap_or_default())
}

/// A customer as `GET customers/:id` and `GET customers` show it.
pub(crate) fn render_customer(record: &CustomerRecord, schema: &Schema, include: Include) -> Value {
    let mut object = Map::new();
    object.insert("customer_id".into(), json!(record.customer_id));
    object.insert("name".into(), text(&record.name));
    object.insert("surname".into(), text(&record.surname));
    object.insert("phone_number".into(), text(&record.phones.first().cloned()));
    object.insert("phone_numbers".into(), json!(record.phones));
    // Only one e-mail is documented on read: the first one written.
    object.insert("email".into(), text(&record.emails.first().cloned()));
    let company_id = record.company_id.map_or_else(|| json!(""), |id| json!(id));
    object.insert("company_id".into(), company_id);
    object.insert("identifier".into(), text(&record.identifier));
    object.insert("type".into(), text(&record.customer_type));
    object.insert("group".into(), text(&record.group));
    object.insert("company_flag".into(), json!(""));
    object.insert("nip".into(), text(&record.nip));
    object.insert("note".into(), text(&record.note));
    object.insert(
        "account_manager".into(),
        text(&record.other.get("account_manager").cloned()),
    );
    for (key, value) in &record.other {
        object.insert(key.clone(), json!(value));
    }
    object.insert("updated_at".into(), json!(record.updated_at));
    if include.custom_fields {
        object.insert("custom_fields".into(), render_custom_fields(record, schema));
    }
    let addresses = [
        (include.address, "address", &record.address),
        (
            include.invoice_address,
            "invoice_address",
            &record.invoice_address,
        ),
        (
            include.mail_drop_address,
            "mail_drop_address",
            &record.mail_drop_address,
        ),
    ];
    for (wanted, key, address) in addresses {
        if wanted {
            object.insert(key.into(), render_address(address.as_ref()));
        }
    }
    Value::Object(object)
}

fn render_custom_fields(record: &CustomerRecord, schema: &Schema) -> Value {
    let fields = schema.custom_fields.iter().map(|def| {
        let value = match record.custom_fields.get(&def.name) {
            None => Value::Null,
            Some(Value::Number(number))
                if def.kind == CustomFieldKind::Numeric && schema.numbers_as_strings =>
            {
                Value::String(number.to_string())
            }
            Some(value) => value.clone(),
        };
        (def.name.clone(), value)
    });
    Value::Object(fields.collect())
}

/// Read addresses carry extra keys the write shape does not have.
fn render_address(address: Option<&Address>) -> Value {
    let empty = Address::default();
    let address = address.unwrap_or(&empty);
    json!({
        "street": text(&address.street),
        "building": text(&address.building),
        "flat": text(&address.flat),
        "postcode": text(&address.postcode),
        "city": text(&address.city),
        "country": text(&address.country),
        "post_office": "",
        "borough": "",
        "county": "",
        "voivodship": "",
    })
}
