//! The simulator's routes.

use axum::Router;
use axum::extract::OriginalUri;
use axum::routing::{get, post};

use super::error::ApiError;
use super::state::AppState;
use super::{clients_api, orders_api};

/// Route templates, as request counters and fault rules name them.
pub mod routes {
    /// `GET` (list), `POST` (create) and `PUT` (update) customers.
    pub const CLIENTS: &str = "/api/admin/{version}/clients/clients";
    /// `POST` CRM search.
    pub const CRM_SEARCH: &str = "/api/admin/{version}/clients/crm/search";
    /// `POST` order search.
    pub const ORDERS_SEARCH: &str = "/api/admin/{version}/orders/orders/search";
    /// `GET` orders by ids, `PUT` status change, `POST` create (sandbox only).
    pub const ORDERS: &str = "/api/admin/{version}/orders/orders";
}

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route(
            routes::CLIENTS,
            get(clients_api::list)
                .post(clients_api::create)
                .put(clients_api::update),
        )
        .route(routes::CRM_SEARCH, post(clients_api::crm_search))
        .route(routes::ORDERS_SEARCH, post(orders_api::search))
        .route(
            routes::ORDERS,
            get(orders_api::get)
                .post(orders_api::create)
                .put(orders_api::update),
        )
        .fallback(not_found)
        .with_state(state)
}

async fn not_found(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::NotFound(uri.path().to_owned())
}
