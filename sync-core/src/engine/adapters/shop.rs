//! [`IdoSellShop`]: the shop port over the IdoSell HTTP client.

use async_trait::async_trait;
use iai_shop_client::{
    Client, ClientRef, IdoSellClient, MAX_IDS_PER_CALL, MAX_PAGE_SIZE, Order, OrderDateType,
    VerifyOutcome,
};

use super::errors::shop_error;
use crate::engine::ports::{OrdersQuery, PortError, ShopPage, ShopPort};
use crate::window::Window;

/// The shop port over an [`IdoSellClient`]: one request per page or per id list (≤ 100).
#[derive(Debug, Clone)]
pub struct IdoSellShop {
    client: IdoSellClient,
}

impl IdoSellShop {
    /// The port over `client` (its retry policy and timeout apply to every call).
    pub fn new(client: IdoSellClient) -> Self {
        Self { client }
    }

    /// The underlying client.
    pub fn client(&self) -> &IdoSellClient {
        &self.client
    }
}

/// Refuses an id list longer than one request takes, before anything is sent.
fn check_ids(what: &str, count: usize) -> Result<(), PortError> {
    if count > MAX_IDS_PER_CALL {
        return Err(PortError::permanent(format!(
            "at most {MAX_IDS_PER_CALL} {what} per call, {count} given"
        )));
    }
    Ok(())
}

/// The records of a lookup by ids. A lookup is not a list the engine reads on, so a
/// record the client could not decode is left out with a warning (its id is unknown; the
/// ids asked for and not returned are treated as unknown ids).
fn looked_up<T>(page: ShopPage<T>, what: &str) -> Vec<T> {
    for rejected in &page.rejected {
        tracing::warn!(path = %rejected.path, what, "a shop record could not be decoded; left out");
    }
    page.items
}

#[async_trait]
impl ShopPort for IdoSellShop {
    async fn verify(&self) -> Result<(), PortError> {
        match self.client.verify().await.map_err(|e| shop_error(&e))? {
            VerifyOutcome::Ok => Ok(()),
            VerifyOutcome::BadKey { .. } => {
                Err(PortError::permanent("the shop refused the API key").with_status(401))
            }
            VerifyOutcome::MissingScopes(missing) => {
                let scopes: Vec<String> = missing
                    .iter()
                    .map(|m| format!("{} ({})", m.module, m.level))
                    .collect();
                Err(PortError::permanent(format!(
                    "the API key lacks permissions: {}",
                    scopes.join(", ")
                ))
                .with_status(403))
            }
        }
    }

    async fn customers_page(
        &self,
        modified: Option<Window>,
        page: u32,
        page_size: u32,
    ) -> Result<ShopPage<Client>, PortError> {
        let page_size = page_size.clamp(1, MAX_PAGE_SIZE);
        let mut request = self.client.clients().list().page_size(page_size);
        if let Some(window) = modified {
            request = request.modified_between(Some(window.begin), Some(window.end));
        }
        request
            .page_number(page)
            .page()
            .await
            .map_err(|e| shop_error(&e))
    }

    async fn customers_by_ids(&self, client_ids: &[u64]) -> Result<Vec<Client>, PortError> {
        if client_ids.is_empty() {
            return Ok(Vec::new());
        }
        check_ids("client ids", client_ids.len())?;
        let answer = self
            .client
            .clients()
            .list()
            .ids(client_ids.iter().copied())
            .page_size(MAX_PAGE_SIZE)
            .page()
            .await
            .map_err(|e| shop_error(&e))?;
        Ok(looked_up(answer, "customer"))
    }

    async fn search_orders(
        &self,
        query: &OrdersQuery,
        page: u32,
        page_size: u32,
    ) -> Result<ShopPage<Order>, PortError> {
        check_ids("clients", query.client_ids.len())?;
        let page_size = page_size.clamp(1, MAX_PAGE_SIZE);
        let mut request = self
            .client
            .orders()
            .search()
            .clients(query.client_ids.iter().copied().map(ClientRef::Id))
            .page_size(page_size);
        if let Some(window) = query.modified {
            request = request.date_range(
                OrderDateType::Modified,
                Some(window.begin),
                Some(window.end),
            );
        }
        request
            .page_number(page)
            .page()
            .await
            .map_err(|e| shop_error(&e))
    }

    async fn orders_by_serial_numbers(&self, serials: &[u64]) -> Result<Vec<Order>, PortError> {
        if serials.is_empty() {
            return Ok(Vec::new());
        }
        check_ids("serial numbers", serials.len())?;
        self.client
            .orders()
            .by_serial_numbers(serials)
            .await
            .map_err(|e| shop_error(&e))
    }

    async fn orders_by_ids(&self, order_ids: &[String]) -> Result<Vec<Order>, PortError> {
        if order_ids.is_empty() {
            return Ok(Vec::new());
        }
        check_ids("order ids", order_ids.len())?;
        let answer = self
            .client
            .orders()
            .search()
            .order_ids(order_ids.iter().cloned())
            .page_size(MAX_PAGE_SIZE)
            .page()
            .await
            .map_err(|e| shop_error(&e))?;
        Ok(looked_up(answer, "order"))
    }
}
