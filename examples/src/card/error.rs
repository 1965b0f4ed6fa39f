//! [`CardError`]: why a card could not be shown, and the small page that says so.

use axum::http::StatusCode;

/// Why a card could not be shown. Messages name ids only, never customer data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CardError {
    /// The path segment is not a customer ID (a positive whole number).
    #[error("`{0}` is not a customer ID")]
    InvalidId(String),
    /// The shop has no customer with this id.
    #[error("the shop has no customer with ID {0}")]
    UnknownShopCustomer(u64),
    /// Thulium has no customer with this id.
    #[error("Thulium has no customer with ID {0}")]
    UnknownThuliumCustomer(u64),
    /// The Thulium customer's ID field is empty (or not a shop ID).
    #[error(
        "Thulium customer {customer_id} is not linked to a shop customer (the field `{field}` is empty)"
    )]
    NotLinked {
        /// The Thulium customer.
        customer_id: u64,
        /// The ID field's name.
        field: String,
    },
    /// The shop could not be read (unreachable, refused the key, answered an error).
    #[error("the shop could not be read: {0}")]
    Shop(#[source] iai_shop_client::Error),
    /// Thulium could not be read.
    #[error("Thulium could not be read: {0}")]
    Thulium(#[source] thulium_client::Error),
    /// The state store (the caller index) could not be read.
    #[error("the state store could not be read: {0}")]
    Store(#[source] sync_core::engine::store::StoreError),
}

impl CardError {
    /// 404 for unknown or unlinked customers, 502 when a system behind the card failed, 500
    /// when the state store did.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidId(_) => StatusCode::BAD_REQUEST,
            Self::UnknownShopCustomer(_)
            | Self::UnknownThuliumCustomer(_)
            | Self::NotLinked { .. } => StatusCode::NOT_FOUND,
            Self::Shop(_) | Self::Thulium(_) => StatusCode::BAD_GATEWAY,
            Self::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short headline for the error page.
    pub fn title(&self) -> &'static str {
        match self {
            Self::InvalidId(_) => "Not a customer ID",
            Self::UnknownShopCustomer(_) | Self::UnknownThuliumCustomer(_) => "Customer not found",
            Self::NotLinked { .. } => "Customer not linked to the shop",
            Self::Shop(_) => "The shop is unreachable",
            Self::Thulium(_) => "Thulium is unreachable",
            Self::Store(_) => "The state store failed",
        }
    }
}
