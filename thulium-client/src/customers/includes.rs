//! The `include_*` flags of customer reads.

/// Which optional parts a customer read returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Includes {
    /// `include_custom_fields`.
    pub custom_fields: bool,
    /// `include_address`.
    pub address: bool,
    /// `include_invoice_address`.
    pub invoice_address: bool,
    /// `include_mail_drop_address`.
    pub mail_drop_address: bool,
}

impl Includes {
    /// Every optional part.
    pub fn all() -> Self {
        Self {
            custom_fields: true,
            address: true,
            invoice_address: true,
            mail_drop_address: true,
        }
    }

    /// The query pairs of the flags that are set (`include_x=true`).
    pub(crate) fn query(&self) -> impl Iterator<Item = (String, String)> {
        [
            ("include_custom_fields", self.custom_fields),
            ("include_address", self.address),
            ("include_invoice_address", self.invoice_address),
            ("include_mail_drop_address", self.mail_drop_address),
        ]
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(name, _)| (name.to_owned(), "true".to_owned()))
    }
}

/// The `include_*` setters of a customer read builder with an `includes: Includes` field;
/// one definition for `GET customers/:id` and `GET customers`.
macro_rules! include_setters {
    () => {
        /// Sets all `include_*` flags at once.
        pub fn includes(mut self, includes: $crate::customers::Includes) -> Self {
            self.includes = includes;
            self
        }

        /// Also return the custom fields.
        pub fn include_custom_fields(mut self) -> Self {
            self.includes.custom_fields = true;
            self
        }

        /// Also return the main address.
        pub fn include_address(mut self) -> Self {
            self.includes.address = true;
            self
        }

        /// Also return the invoice address.
        pub fn include_invoice_address(mut self) -> Self {
            self.includes.invoice_address = true;
            self
        }

        /// Also return the mail-drop address.
        pub fn include_mail_drop_address(mut self) -> Self {
            self.includes.mail_drop_address = true;
            self
        }
    };
}

pub(crate) use include_setters;
