//! [`IdoSellShop`]: the shop port over the IdoSell HTTP client.

use async_trait::async_trait;
use iai_shop_client::{
    Client, ClientRef, IdoSellClient, MAX_IDS_PER_CALL, MAX_PAGE_SIZE, Order, OrderDateType, Page,
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

/// The port's page from the client's. The page count is the API's `resultsNumberPage`, so
/// the caller knows whether a page follows without asking for it. Should an answer lack
/// that count, a full page is taken to have a successor (the next, empty page ends it)
/// rather than risk stopping early.
fn shop_page<T>(page: Page<T>, page_size: u32) -> ShopPage<T> {
    let announced = u32::try_from(page.results_number_page).unwrap_or(u32::MAX);
    let full = page.items.len() >= page_size as usize;
    let page_count = if announced == 0 && full {
        page.page.saturating_add(2)
    } else {
        announced
    };
    ShopPage {
        total: page.results_number_all,
        page: page.page,
        page_count,
        items: page.items,
    }
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
        let answer = request.page(page).await.map_err(|e| shop_error(&e))?;
        Ok(shop_page(answer, page_size))
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
            .page(0)
            .await
            .map_err(|e| shop_error(&e))?;
        Ok(answer.items)
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
        let answer = request.page(page).await.map_err(|e| shop_error(&e))?;
        Ok(shop_page(answer, page_size))
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
            .page(0)
            .await
            .map_err(|e| shop_error(&e))?;
        Ok(answer.items)
    }
}
