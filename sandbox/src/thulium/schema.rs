//! The tenant's fixed definitions (custom fields, field groups), with ids assigned at start.

use std::collections::BTreeMap;

use super::config::{CustomFieldDef, FieldGroupDef};

/// A field group with ids assigned.
#[derive(Debug, Clone)]
pub(crate) struct GroupSchema {
    pub group_id: u64,
    pub name: String,
    /// `(field_id, name)` in display order.
    pub fields: Vec<(u64, String)>,
}

/// Custom-field and field-group definitions, read-only after start.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    /// Simple custom fields in definition order.
    pub custom_fields: Vec<CustomFieldDef>,
    pub groups: Vec<GroupSchema>,
    pub numbers_as_strings: bool,
}

impl Schema {
    pub fn new(
        custom_fields: &[CustomFieldDef],
        groups: &[FieldGroupDef],
        numbers_as_strings: bool,
    ) -> Self {
        let mut next_field_id = 1;
        let groups = groups
            .iter()
            .zip(1..)
            .map(|(group, group_id)| GroupSchema {
                group_id,
                name: group.name.clone(),
                fields: group
                    .fields
                    .iter()
                    .map(|name| {
                        let id = next_field_id;
                        next_field_id += 1;
                        (id, name.clone())
                    })
                    .collect(),
            })
            .collect();
        Self {
            custom_fields: custom_fields.to_vec(),
            groups,
            numbers_as_strings,
        }
    }

    pub fn custom_field(&self, name: &str) -> Option<&CustomFieldDef> {
        self.custom_fields.iter().find(|field| field.name == name)
    }

    pub fn group(&self, group_id: u64) -> Option<&GroupSchema> {
        self.groups.iter().find(|group| group.group_id == group_id)
    }

    /// Field names by id across all groups (for snapshots and checks).
    pub fn group_field_ids(&self, group_id: u64) -> BTreeMap<u64, &str> {
        self.group(group_id)
            .map(|group| {
                group
                    .fields
                    .iter()
                    .map(|(id, name)| (*id, name.as_str()))
                    .collect()
            })
            .unwrap_or_default()
    }
}
