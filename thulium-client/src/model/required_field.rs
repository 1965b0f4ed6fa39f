//! A custom field a caller needs in the tenant, and the kind its values must have.
//!
//! Always compiled (no HTTP stack), so code that only plans or checks — such as a sync
//! engine's ports — uses the same definition as [`ThuliumClient::verify`](crate::ThuliumClient).

/// The kind of a custom field as the caller expects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A numeric field (e.g. the shop's customer ID).
    Numeric,
    /// A date field (e.g. the last order date).
    Date,
    /// A text field.
    Text,
}

impl FieldKind {
    /// The kind's name as a person reads it: `numeric`, `date`, `text`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Numeric => "numeric",
            Self::Date => "date",
            Self::Text => "text",
        }
    }
}

/// A custom field the caller needs, by display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredField {
    /// The field's display name in the tenant.
    pub name: String,
    /// The expected kind.
    pub kind: FieldKind,
}

impl RequiredField {
    /// A required field.
    pub fn new(name: impl Into<String>, kind: FieldKind) -> Self {
        Self {
            name: name.into(),
            kind,
        }
    }
}
