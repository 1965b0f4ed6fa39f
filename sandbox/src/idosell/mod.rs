//! The IdoSell Admin API simulator.
//!
//! [`ShopSim::start`] serves an in-memory shop on `127.0.0.1` under any `v5`..`v8` prefix:
//!
//! | Route | What |
//! |---|---|
//! | `GET  /api/admin/{v}/clients/clients` | list/filter customers (`results`) |
//! | `POST /api/admin/{v}/clients/clients` | register customers (snake_case body) |
//! | `PUT  /api/admin/{v}/clients/clients` | update customers (camelCase body) |
//! | `POST /api/admin/{v}/clients/crm/search` | CRM search (`clientsResults`) |
//! | `POST /api/admin/{v}/orders/orders/search` | search orders (`Results`) |
//! | `GET  /api/admin/{v}/orders/orders` | orders by ids / serial numbers (max 100) |
//! | `PUT  /api/admin/{v}/orders/orders` | change order status |
//! | `POST /api/admin/{v}/orders/orders` | place an order (a sandbox convenience, not in the real API) |
//!
//! Requests need `X-API-KEY` (see [`ApiKey`]); error shapes where the reference is silent are
//! documented on the error module and in the crate README section of the report: 401 with
//! faultCode 1, 403 naming `Scope: crm, level: r`, 422 for invalid parameters (including a
//! `resultsLimit` outside 1..100), 207 with faultCode 2 for empty pages. Every request is
//! counted in [`ShopSim::counters`] and subject to [`ShopSim::faults`].
//!
//! [`ShopSim::set_webhook`] makes the shop call a URL on every change made through its
//! handle, with the method, content type and body template the IdoSell panel offers.
//!
//! Dates are the shop's local time with one-second resolution; every change takes the next
//! second of the [`SimClock`]. A new order does not change its buyer's
//! `clientsLastModificationDate` (orders have their own `orderChangeDate`).

mod auth;
mod batch;
mod call;
mod changes;
mod clients_api;
mod clock;
mod error;
mod json;
mod model;
mod orders_api;
mod paging;
mod params;
mod quirks;
mod router;
mod sim;
mod state;
mod store;
mod webhook_sender;

pub use auth::{ApiKey, Level, Module};
pub use changes::{ChangeOutcome, CustomerPatch, NewCustomer, NewOrder, ShopChange};
pub use clock::{DEFAULT_SHOP_ZONE, SimClock};
pub use model::{
    AuctionBuyer, ORDER_STATUSES, OrderAccount, OrderLine, PickupPointAddress, ShopAddress,
    ShopCustomer, ShopOrder,
};
pub use paging::MAX_RESULTS_LIMIT;
pub use quirks::Quirks;
pub use router::routes;
pub use sim::{DEFAULT_API_KEY, ShopSim, ShopSimConfig};
pub use store::StoreError;
pub(crate) use store::build_order;
pub use webhook_sender::{Delivery, WebhookEvent, WebhookMethod, WebhookSetup};
