//! Custom-field groups: repeatable structured records attached to a customer.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::lenient::{opt_u64, req_u64, text_or_empty, u64_of};

/// A custom-field group with its fields (`GET customer_field_groups`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct FieldGroup {
    /// The group's id.
    #[serde(deserialize_with = "req_u64")]
    pub group_id: u64,
    /// The group's display name (e.g. "Orders").
    #[serde(default, deserialize_with = "text_or_empty")]
    pub name: String,
    /// The fields of the group.
    #[serde(default, deserialize_with = "lenient_list")]
    pub fields: Vec<FieldDef>,
}

/// One field of a [`FieldGroup`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct FieldDef {
    /// The field's id, used in [`FieldValue::field_id`].
    #[serde(deserialize_with = "req_u64")]
    pub field_id: u64,
    /// The field's display name.
    #[serde(default, deserialize_with = "text_or_empty")]
    pub name: String,
}

/// One record of a group for a customer (`GET customer_field_group_items`).
///
/// Assumption (the item shape is not shown in the reference): items mirror the create body,
/// `{"item_id", "group_id", "customer_id", "values": [{"field_id", "value"}]}`; `values` is
/// also accepted as an object keyed by field id. Missing group/customer ids decode to 0.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct FieldGroupItem {
    /// The item's id.
    #[serde(deserialize_with = "req_u64")]
    pub item_id: u64,
    /// The group the item belongs to.
    #[serde(default, deserialize_with = "u64_or_zero")]
    pub group_id: u64,
    /// The customer the item belongs to.
    #[serde(default, deserialize_with = "u64_or_zero")]
    pub customer_id: u64,
    /// The item's values.
    #[serde(default, deserialize_with = "field_values")]
    pub values: Vec<FieldValue>,
}

/// A value of one field in a group item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldValue {
    /// The field's id (see [`FieldDef`]).
    #[serde(deserialize_with = "req_u64")]
    pub field_id: u64,
    /// The value as JSON (usually a string).
    #[serde(default)]
    pub value: Value,
}

impl FieldValue {
    /// A text value for a field.
    pub fn text(field_id: u64, value: impl Into<String>) -> Self {
        Self {
            field_id,
            value: Value::String(value.into()),
        }
    }
}

/// The body of `POST customer_field_group_items`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FieldGroupItemInput {
    /// The group to add a record to.
    pub group_id: u64,
    /// The customer the record belongs to.
    pub customer_id: u64,
    /// The record's values.
    pub values: Vec<FieldValue>,
}

fn u64_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(opt_u64(d)?.unwrap_or(0))
}

/// A list whose undecodable elements are skipped (an odd field definition must not hide
/// the whole group).
fn lenient_list<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        _ => Vec::new(),
    })
}

fn field_values<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<FieldValue>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        Value::Object(map) => map
            .into_iter()
            .filter_map(|(key, value)| {
                u64_of(&Value::String(key)).map(|field_id| FieldValue { field_id, value })
            })
            .collect(),
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_group_decodes() {
        let g: Option<FieldGroup> = serde_json::from_value(json!({"group_id": 2, "name": "Orders",
            "fields": [{"field_id": 12, "name": "Product"}, {"field_id": "13", "name": "Date"}]}))
        .ok();
        assert_eq!(
            g.map(|g| g.fields.iter().map(|f| f.field_id).collect::<Vec<_>>()),
            Some(vec![12, 13])
        );
    }

    #[test]
    fn item_values_as_object_are_accepted() {
        let i: Option<FieldGroupItem> = serde_json::from_value(json!({"item_id": "38",
            "values": {"12": "Buty"}}))
        .ok();
        assert_eq!(
            i.map(|i| i.values),
            Some(vec![FieldValue::text(12, "Buty")])
        );
    }
}
