//! The shop side: IdoSell customers and orders.

use async_trait::async_trait;
use iai_shop_client::{Client, Order};

use super::PortError;
use crate::window::Window;

/// One page of a paged shop list: the shop client's own page, with its one next-page
/// rule ([`Page::has_next`](iai_shop_client::Page::has_next)) and the records it could not
/// decode ([`Page::rejected`](iai_shop_client::Page::rejected), e.g. a customer without
/// `clientId`), which the engine reports as failures of the run.
pub type ShopPage<T> = iai_shop_client::Page<T>;

/// What an orders search filters on; the shop ANDs the filters that are set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrdersQuery {
    /// Only orders of these clients (at most 100 per search; empty means any client).
    pub client_ids: Vec<u64>,
    /// Only orders whose `modified` date falls in this window.
    pub modified: Option<Window>,
}

/// The IdoSell shop, as the engine uses it.
#[async_trait]
pub trait ShopPort: Send + Sync {
    /// Checks the API key and the connection with the cheapest call available.
    async fn verify(&self) -> Result<(), PortError>;

    /// One page of customers, all of them or only those modified in `modified`
    /// (`clientsLastModificationDate`). Pages are 0-based; `page_size` is 1..=100.
    async fn customers_page(
        &self,
        modified: Option<Window>,
        page: u32,
        page_size: u32,
    ) -> Result<ShopPage<Client>, PortError>;

    /// The customers with these ids (at most 100); unknown ids are absent from the answer.
    async fn customers_by_ids(&self, client_ids: &[u64]) -> Result<Vec<Client>, PortError>;

    /// One page of an orders search. Pages are 0-based; `page_size` is 1..=100.
    async fn search_orders(
        &self,
        query: &OrdersQuery,
        page: u32,
        page_size: u32,
    ) -> Result<ShopPage<Order>, PortError>;

    /// The orders with these serial numbers (at most 100); unknown ones are absent.
    async fn orders_by_serial_numbers(&self, serials: &[u64]) -> Result<Vec<Order>, PortError>;

    /// The orders with these ids (at most 100); unknown ones are absent.
    async fn orders_by_ids(&self, order_ids: &[String]) -> Result<Vec<Order>, PortError>;
}
