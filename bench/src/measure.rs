//! One measurement each: a full sync in a child process, an idle incremental poll, webhook
//! latency and the mapping speed of sync-core.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use examples::cli::{ConnectionArgs, Target};
use examples::wiring::Wiring;
use iai_shop_client::webhook::{WebhookEventKind, WebhookTrigger};
use sandbox::Sandbox;
use sandbox::idosell::CustomerPatch;
use secrecy::SecretString;
use serde::Serialize;
use serde_json::Value;
use sync_core::config::{DEFAULT_LAST_ORDER_DATE_FIELD, DEFAULT_SHOP_ID_FIELD};
use sync_core::engine::{Engine, EngineOptions};

use crate::child::Mode;
use crate::fixture::reset_counters;
use crate::rss::{cpu_ms, load_average};

/// Requests the simulators served, by API and by endpoint (`"GET /api/customers"`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Served {
    /// Requests to the IdoSell simulator.
    pub shop: u64,
    /// Requests to the Thulium simulator.
    pub thulium: u64,
    /// Thulium requests that write (anything but GET).
    pub thulium_writes: u64,
    /// Per endpoint, prefixed with the API (`shop GET /api/admin/...`).
    pub by_endpoint: BTreeMap<String, u64>,
}

impl Served {
    /// What both simulators counted since their last reset.
    pub fn of(sandbox: &Sandbox) -> Self {
        let shop = sandbox.shop().counters().snapshot();
        let thulium = sandbox.thulium().counters().snapshot();
        let mut by_endpoint = BTreeMap::new();
        for (api, counts) in [("shop", &shop), ("thulium", &thulium)] {
            for (endpoint, n) in counts {
                by_endpoint.insert(format!("{api} {endpoint}"), *n);
            }
        }
        Self {
            shop: shop.values().sum(),
            thulium: thulium.values().sum(),
            thulium_writes: thulium
                .iter()
                .filter(|(key, _)| !key.starts_with("GET "))
                .map(|(_, n)| n)
                .sum(),
            by_endpoint,
        }
    }

    /// Requests to both APIs.
    pub fn total(&self) -> u64 {
        self.shop + self.thulium
    }
}

/// A sync run in a child process, as its report and the simulators saw it.
#[derive(Debug, Clone)]
pub struct ChildRun {
    /// The engine's `SyncReport`, as JSON.
    pub report: Value,
    /// The child's peak resident memory.
    pub peak_rss_kib: Option<u64>,
    /// The child's CPU time (all threads).
    pub cpu_ms: Option<u64>,
    /// CPU time of this process (the simulators) while the child ran.
    pub simulators_cpu_ms: Option<u64>,
    /// When the child's shop pages were done, and its peak memory by then.
    pub phases: Value,
    /// The machine's one-minute load average when the child was done.
    pub load_average: Option<f64>,
    /// The requests it made.
    pub served: Served,
}

impl ChildRun {
    /// A number field of the report (0 when absent).
    pub fn count(&self, field: &str) -> u64 {
        self.report[field].as_u64().unwrap_or(0)
    }
}

/// Where the sync runs and how.
pub struct SyncSetup<'a> {
    /// The simulators.
    pub sandbox: &'a Sandbox,
    /// The SQLite state file.
    pub state: &'a Path,
    /// Requests in flight per API.
    pub concurrency: usize,
    /// Customers per batch write.
    pub write_chunk: usize,
}

impl SyncSetup<'_> {
    /// Runs one sync as `bench sync-child` and reads what it reports; the simulators'
    /// counters are reset first.
    pub async fn run_child(&self, mode: Mode) -> Result<ChildRun, String> {
        reset_counters(self.sandbox);
        let out = self.state.with_extension(format!("{mode:?}.json"));
        let mut command = self.child_command(mode, &out)?;
        let cpu_before = cpu_ms();
        let status = tokio::task::spawn_blocking(move || command.status())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot start the sync child: {e}"))?;
        if !status.success() {
            return Err(format!("the sync child failed ({status})"));
        }
        let simulators_cpu_ms = cpu_ms()
            .zip(cpu_before)
            .map(|(after, before)| after.saturating_sub(before));
        let text = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
        let _ = std::fs::remove_file(&out);
        let document: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        Ok(ChildRun {
            report: document["report"].clone(),
            peak_rss_kib: document["peak_rss_kib"].as_u64(),
            cpu_ms: document["cpu_ms"].as_u64(),
            simulators_cpu_ms,
            phases: document["phases"].clone(),
            load_average: load_average(),
            served: Served::of(self.sandbox),
        })
    }

    fn child_command(&self, mode: Mode, out: &Path) -> Result<Command, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let sandbox = self.sandbox;
        // A profiler to run the child under (`BENCH_CHILD_WRAPPER="heaptrack -o /tmp/sync"`):
        // its words come first, then this binary.
        let wrapper = std::env::var("BENCH_CHILD_WRAPPER").unwrap_or_default();
        let mut words = wrapper.split_whitespace();
        let mut command = match words.next() {
            Some(program) => {
                let mut command = Command::new(program);
                command.args(words).arg(exe);
                command
            }
            None => Command::new(exe),
        };
        command
            .arg("sync-child")
            .args([
                "--mode",
                if mode == Mode::Full {
                    "full"
                } else {
                    "incremental"
                },
            ])
            .args(["--concurrency", &self.concurrency.to_string()])
            .args(["--write-chunk", &self.write_chunk.to_string()])
            .arg("--out")
            .arg(out)
            .args(["--shop-url", sandbox.shop_url.as_str()])
            .args(["--thulium-url", sandbox.thulium_url.as_str()])
            .args(["--thulium-user", &sandbox.thulium_user])
            .arg("--state")
            .arg(self.state)
            // Secrets through the environment, as an operator would pass them.
            .env("IAI_SHOP_API_KEY", &sandbox.shop_api_key)
            .env("THULIUM_PASSWORD", &sandbox.thulium_password);
        Ok(command)
    }

    /// An engine in this process over the same state file (and integration) as the child's.
    pub async fn engine(&self) -> Result<std::sync::Arc<Engine>, String> {
        let sandbox = self.sandbox;
        let connection = ConnectionArgs {
            shop_url: Some(sandbox.shop_url.clone()),
            shop_api_key: Some(SecretString::from(sandbox.shop_api_key.clone())),
            thulium_url: Some(sandbox.thulium_url.clone()),
            thulium_user: Some(sandbox.thulium_user.clone()),
            thulium_password: Some(SecretString::from(sandbox.thulium_password.clone())),
            id_field: DEFAULT_SHOP_ID_FIELD.to_owned(),
            last_order_field: DEFAULT_LAST_ORDER_DATE_FIELD.to_owned(),
            allegro_login_field: None,
            shop_time_zone: Some(sandbox.shop().clock().zone()),
            phone_format: None,
            state: Some(self.state.to_path_buf()),
            config: None,
        };
        let Target::Real(settings) = connection.target().map_err(|e| e.0)? else {
            return Err("the sandbox settings are incomplete".to_owned());
        };
        let options = EngineOptions {
            concurrency: self.concurrency,
            write_chunk: self.write_chunk,
            ..EngineOptions::default()
        };
        let wiring = Wiring::connect(&settings, options).await.map_err(|e| e.0)?;
        let wired = wiring
            .enabled()
            .next()
            .ok_or_else(|| "no integration".to_owned())?;
        Ok(wired.engine.clone())
    }
}

/// The adoption candidates a full sync decided at its end, as (client id, adopted its
/// contact): the agent-made contacts that now carry a shop ID in the ID field were adopted
/// by that client; the customers noted `taken_by_another` were candidates whose contact went
/// to another and were created instead.
pub fn decided_candidates(sandbox: &Sandbox, report: &Value) -> Vec<(u64, bool)> {
    let thulium = sandbox.thulium();
    let mut decided: BTreeMap<u64, bool> = BTreeMap::new();
    for contact in thulium.agent_contacts() {
        let shop_id = thulium
            .customer(contact.customer_id())
            .and_then(|now| now.custom_fields.get(DEFAULT_SHOP_ID_FIELD).cloned())
            .and_then(|value| {
                value
                    .as_u64()
                    .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            });
        if let Some(client_id) = shop_id {
            decided.insert(client_id, true);
        }
    }
    let conflicts = report["conflicts"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    for conflict in conflicts {
        if conflict["reason"] == "taken_by_another"
            && let Some(client_id) = conflict["client_id"].as_u64()
        {
            decided.entry(client_id).or_insert(false);
        }
    }
    decided.into_iter().collect()
}

/// Webhook latencies: each event follows a real change of a distinct customer, and is
/// timed from the event's arrival to the end of its handling (Thulium updated).
#[derive(Debug, Clone, Serialize)]
pub struct WebhookLatency {
    /// Events sent.
    pub events: usize,
    /// Events whose customer was updated in Thulium.
    pub updated: u64,
    /// Median, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, in milliseconds.
    pub p99_ms: f64,
    /// Requests per event, on average.
    pub requests_per_event: f64,
}

/// What the benchmark's webhooks carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookShape {
    /// `clientUpdated` with the client's id: that customer is re-read.
    NamingTheClient,
    /// Nothing (a panel webhook with an empty body): an incremental pass finds the change.
    WithoutId,
}

impl WebhookShape {
    fn street(self) -> &'static str {
        match self {
            Self::NamingTheClient => "Webhookowa",
            Self::WithoutId => "Bezimienna",
        }
    }
}

/// Sends `events` webhooks of `shape`, one after the other, each after changing a
/// customer's street in the shop; timed from the change to the end of the handling
/// (Thulium updated).
///
/// The simulator stamps each change at least a second after the one before; for an id-less
/// webhook (read through an incremental window ending now) each change waits until the
/// shop's clock has passed the previous stamp, as changes a second apart would, outside the
/// timing.
pub async fn webhook_latency(
    setup: &SyncSetup<'_>,
    events: usize,
    shape: WebhookShape,
) -> Result<WebhookLatency, String> {
    let engine = setup.engine().await?;
    let shop = setup.sandbox.shop();
    let mut ids: Vec<u64> = shop.customers().iter().map(|c| c.client_id).collect();
    ids.sort_unstable();
    let step = (ids.len() / events.max(1)).max(1);
    reset_counters(setup.sandbox);
    let mut latencies = Vec::with_capacity(events);
    let mut updated = 0;
    // The latest stamp so far (earlier changes may be stamped ahead of the clock).
    let mut last_stamp = shop
        .customers()
        .iter()
        .map(|c| c.last_modified)
        .max()
        .unwrap_or_else(|| shop.clock().now());
    for (n, client_id) in ids.iter().step_by(step).take(events).enumerate() {
        let patch = CustomerPatch {
            // Each shape its own street: the same customers, really changed again.
            street: Some(format!("ul. {} {}", shape.street(), n + 1)),
            ..CustomerPatch::default()
        };
        if shape == WebhookShape::WithoutId {
            while shop.clock().now() <= last_stamp {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        let started = Instant::now();
        let edited = shop
            .edit_customer(*client_id, &patch)
            .map_err(|e| format!("cannot edit customer {client_id}: {e}"))?;
        last_stamp = edited.last_modified;
        let trigger = match shape {
            WebhookShape::NamingTheClient => WebhookTrigger {
                kind: WebhookEventKind::ClientUpdated,
                client_id: Some(*client_id),
                ..WebhookTrigger::default()
            },
            WebhookShape::WithoutId => WebhookTrigger::anything_changed(),
        };
        let report = engine
            .handle_trigger(trigger)
            .await
            .map_err(|e| format!("webhook for {client_id}: {e}"))?;
        latencies.push(started.elapsed());
        updated += report.updated;
    }
    let requests = Served::of(setup.sandbox).total();
    Ok(WebhookLatency {
        events: latencies.len(),
        updated,
        p50_ms: percentile_ms(&mut latencies, 0.50),
        p99_ms: percentile_ms(&mut latencies, 0.99),
        requests_per_event: requests as f64 / latencies.len().max(1) as f64,
    })
}

/// The `share` percentile (nearest rank) in milliseconds.
pub(crate) fn percentile_ms(samples: &mut [Duration], share: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_unstable();
    let rank = ((share * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1].as_secs_f64() * 1000.0
}

/// Customers per second that sync-core maps, fingerprints and plans on one core, as
/// measured by its own `map_throughput` example (built in release by Cargo).
pub fn mapping_throughput(customers: usize) -> Result<f64, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let output = Command::new(cargo)
        .args(["run", "--release", "--quiet", "-p", "sync-core"])
        .args(["--example", "map_throughput", "--manifest-path"])
        .arg(manifest)
        .arg("--")
        .arg(customers.to_string())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "map_throughput failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    parse_customers_per_second(&stdout)
        .ok_or_else(|| format!("unexpected map_throughput output: {stdout}"))
}

/// The figure before ` customers/s` in map_throughput's line.
fn parse_customers_per_second(line: &str) -> Option<f64> {
    let before = &line[..line.find(" customers/s")?];
    before.rsplit(' ').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut samples: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        assert_eq!(percentile_ms(&mut samples, 0.5), 50.0);
        assert_eq!(percentile_ms(&mut samples, 0.99), 99.0);
        assert_eq!(percentile_ms(&mut [], 0.99), 0.0);
    }

    #[test]
    fn the_mapping_figure_is_read_from_the_example_line() {
        let line = "mapped + fingerprinted + planned 50000 customers (3 orders each) in 0.5 s on one core: 98765 customers/s (1 e-mails, 2 skips)\n";
        assert_eq!(parse_customers_per_second(line), Some(98765.0));
        assert_eq!(parse_customers_per_second("nothing"), None);
    }
}
