//! The API's data, decoded tolerantly (always compiled, no HTTP needed).
//!
//! Every decoder accepts the PHP serialisation quirks the Admin API is known for: `[]` for an empty
//! object, `""` or null for an absent value, `"0000-00-00 00:00:00"` or `0` for "no date",
//! numbers sent as strings, missing fields, and unknown enum values.
//!
//! Dates are kept as local date-times ([`chrono::NaiveDateTime`]): the API does not say in
//! which zone they are; production clients read them as the shop's local time.

mod client;
mod crm;
pub(crate) mod de;
mod decode;
mod money;
mod order;
mod page;
mod status;

pub use client::{BillingAddress, Client, ClientBalance, ClientPreferences, ClientType, ShopRef};
pub use crm::{CrmClient, OrderRef};
pub use decode::{DecodeError, from_json_slice, from_json_value};
pub use money::Money;
pub use order::{
    AuctionInfo, ClientAccount, DeliveryAddress, Dispatch, Order, OrderClient, OrderCurrency,
    OrderProduct, OrderSource, Payments, PickupPoint, Prepaid,
};
#[cfg(feature = "http")]
pub(crate) use page::RawPage;
pub use page::{Fault, Page};
pub use status::OrderStatus;
