//! A generated sandbox, the real clients pointed at it, and what the tests check on it.

use std::time::Duration;

use examples::card::{AgentIntegration, AgentSite, CardState, agent_router};
use iai_shop_client::{IdoSellClient, RetryPolicy};
use sandbox::generator::GeneratorConfig;
use sandbox::idosell::ShopOrder;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use thulium_client::ThuliumClient;
use url::Url;

/// A sandbox whose shop holds `customers` generated customers and `orders` orders.
pub async fn generated_sandbox(seed: u64, customers: usize, orders: usize) -> Sandbox {
    Sandbox::start(SandboxConfig::generated(&GeneratorConfig {
        seed,
        customers,
        orders,
        ..GeneratorConfig::default()
    }))
    .await
    .unwrap()
}

/// A shop client that never retries, so a failing shop shows at once.
pub fn shop_client(url: Url, key: &str) -> IdoSellClient {
    IdoSellClient::builder(url)
        .api_key(key)
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// A Thulium client with the sandbox tenant's credentials.
pub fn thulium_client(sandbox: &Sandbox) -> ThuliumClient {
    ThuliumClient::builder(sandbox.thulium_url.clone())
        .credentials(
            sandbox.thulium_user.clone(),
            sandbox.thulium_password.clone(),
        )
        .build()
        .unwrap()
}

/// The agent token the card tests serve with.
pub const AGENT_TOKEN: &str = "test-agent-token-0123456789";

/// The Thulium account the served cards may be framed by.
pub const THULIUM_ORIGIN: &str = "https://tenant.thulium.test";

/// Serves the agent routes for one integration (token [`AGENT_TOKEN`], framed by
/// [`THULIUM_ORIGIN`]) on a free loopback port; returns its base URL.
pub async fn serve_card(state: CardState) -> String {
    serve_agent(AgentIntegration::new(
        state,
        SecretString::from(AGENT_TOKEN),
    ))
    .await
}

/// Serves the agent routes for `agent` (see [`serve_card`]).
pub async fn serve_agent(agent: AgentIntegration) -> String {
    let thulium = Url::parse(THULIUM_ORIGIN).unwrap();
    serve_site(AgentSite::new(&thulium, vec![agent])).await
}

/// Serves `site`'s agent routes on a free loopback port, with client addresses passed on;
/// returns its base URL.
pub async fn serve_site(site: AgentSite) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = agent_router(site).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

/// The shop's own orders of a customer, newest first (placement date, then serial).
pub fn newest_first(mut orders: Vec<ShopOrder>) -> Vec<ShopOrder> {
    orders.sort_by(|a, b| {
        b.add_date
            .cmp(&a.add_date)
            .then(b.serial_number.cmp(&a.serial_number))
    });
    orders
}

/// Neither the shop nor Thulium served a single request.
pub fn assert_untouched(sandbox: &Sandbox) {
    assert_eq!(
        sandbox.shop().counters().total(),
        0,
        "the shop was not read"
    );
    assert_eq!(
        sandbox.thulium().counters().total(),
        0,
        "Thulium was not touched"
    );
}
