//! Caller lookup latency: Thulium's external-CRM call answered over HTTP by the agent
//! routes, first from the caller index the full sync left in the SQLite state file (the
//! shop must not be asked), then live from the shop for callers no index knows (with the
//! simulators' injected latency).

use std::sync::Arc;
use std::time::{Duration, Instant};

use examples::card::{
    AgentIntegration, AgentSite, CardState, agent_router, agent_shop_client, agent_thulium_client,
};
use sandbox::Sandbox;
use secrecy::SecretString;
use serde::Serialize;
use sync_core::config::IntegrationConfig;
use sync_core::engine::store::{MemoryStore, SqliteStore, StateStore};
use sync_core::phone::{PhoneFormat, format_phone, phone_key};

use crate::fixture::reset_counters;
use crate::measure::{SyncSetup, percentile_ms};

const TOKEN: &str = "bench-agent-token-0123456789";

/// Lookups answered from the caller index, and live.
#[derive(Debug, Clone, Serialize)]
pub struct CallerLatency {
    /// Lookups of synced customers (answered from the index).
    pub indexed: usize,
    /// Their median, in milliseconds.
    pub indexed_p50_ms: f64,
    /// Their 99th percentile, in milliseconds.
    pub indexed_p99_ms: f64,
    /// Shop requests they caused (must be 0).
    pub indexed_shop_requests: u64,
    /// Lookups answered live (an empty index).
    pub live: usize,
    /// Their median, in milliseconds.
    pub live_p50_ms: f64,
    /// Their 99th percentile, in milliseconds.
    pub live_p99_ms: f64,
    /// Shop requests per live lookup.
    pub live_requests_per_lookup: f64,
}

/// `indexed` lookups from the state file's index and `live` ones from the shop, one after
/// the other, each with a number of a distinct customer in one of several spellings.
pub async fn caller_latency(
    setup: &SyncSetup<'_>,
    indexed: usize,
    live: usize,
) -> Result<CallerLatency, String> {
    let sandbox = setup.sandbox;
    let phones = customer_phones(sandbox);
    // The integration the full sync ran as (its name keys the index).
    let config = setup.engine().await?.config().clone();
    let store: Arc<dyn StateStore> = Arc::new(
        SqliteStore::open(setup.state)
            .await
            .map_err(|e| format!("state file: {e}"))?,
    );
    let base = serve(sandbox, &config, store).await?;
    reset_counters(sandbox);
    let mut index_times = lookups(&base, phones.iter().take(indexed)).await?;
    let indexed_shop_requests = sandbox.shop().counters().total();

    let base = serve(sandbox, &config, Arc::new(MemoryStore::new())).await?;
    reset_counters(sandbox);
    let mut live_times = lookups(&base, phones.iter().rev().take(live)).await?;
    let live_requests = sandbox.shop().counters().total();
    Ok(CallerLatency {
        indexed: index_times.len(),
        indexed_p50_ms: percentile_ms(&mut index_times, 0.50),
        indexed_p99_ms: percentile_ms(&mut index_times, 0.99),
        indexed_shop_requests,
        live: live_times.len(),
        live_p50_ms: percentile_ms(&mut live_times, 0.50),
        live_p99_ms: percentile_ms(&mut live_times, 0.99),
        live_requests_per_lookup: live_requests as f64 / live_times.len().max(1) as f64,
    })
}

/// The customers' mobile numbers as E.164 keys, by client id.
fn customer_phones(sandbox: &Sandbox) -> Vec<String> {
    let mut customers = sandbox.shop().customers();
    customers.sort_by_key(|c| c.client_id);
    customers
        .iter()
        .filter_map(|c| c.billing.phone1.as_deref())
        .filter_map(|phone| phone_key(phone, "PL"))
        .collect()
}

/// Serves the agent routes of the sandbox's integration over `store`; returns the base URL.
async fn serve(
    sandbox: &Sandbox,
    config: &IntegrationConfig,
    store: Arc<dyn StateStore>,
) -> Result<String, String> {
    let shop = agent_shop_client(
        &sandbox.shop_url,
        &SecretString::from(sandbox.shop_api_key.clone()),
    )?;
    let thulium = agent_thulium_client(
        &sandbox.thulium_url,
        &sandbox.thulium_user,
        &SecretString::from(sandbox.thulium_password.clone()),
    )?;
    let card = CardState::new(shop, thulium, config.clone());
    let agent = AgentIntegration::new(card, SecretString::from(TOKEN)).with_store(store);
    let site = AgentSite::new(&sandbox.thulium_url, vec![agent]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen: {e}"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot listen: {e}"))?;
    let app = agent_router(site).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}/thulium/external-crm/{TOKEN}"))
}

/// Times one lookup per key (each written one of four ways); every one must find someone.
async fn lookups(url: &str, keys: impl Iterator<Item = &String>) -> Result<Vec<Duration>, String> {
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    for (n, key) in keys.enumerate() {
        let national = format_phone(key, PhoneFormat::National, "PL");
        let spelled = match n % 4 {
            0 => key.clone(),
            1 => national,
            2 => format!("0048{national}"),
            _ => format!("{} {} {}", &national[..3], &national[3..6], &national[6..]),
        };
        let started = Instant::now();
        let response = client
            .get(url)
            .query(&[("phone_number", &spelled)])
            .send()
            .await
            .map_err(|e| format!("lookup {spelled}: {e}"))?;
        let status = response.status();
        let _ = response.bytes().await;
        times.push(started.elapsed());
        if !status.is_success() {
            return Err(format!("lookup {spelled}: HTTP {status}"));
        }
    }
    Ok(times)
}
