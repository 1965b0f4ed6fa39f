//! `bench`: how many requests, how much time and memory the sync takes against the sandbox
//! with injected latency, and how fast webhooks and the mapping are.
//!
//! ```text
//! cargo run --release -p bench -- [--scenario all|fresh|realistic] [--customers 10000,100000]
//!     [--latency-ms 20] [--concurrency 4] [--write-chunk 50] [--events 1000] [--json PATH]
//!     [--realistic-customers 100000] [--tenant-contacts 50000] [--overlap 0.2]
//!     [--guest-pairs 0.05] [--quick]
//! ```
//!
//! Two scenarios: **fresh** syncs shops of the given sizes into a tenant holding one contact;
//! **realistic** syncs one shop into a lived-in tenant: contacts agents made, a share of them
//! shop clients (to be adopted), registered + guest twins in the shop, and list answers
//! without a total.
//!
//! Each full sync runs in a child process (this binary's `sync-child` subcommand, wired like
//! `full-sync`), so its peak memory is measured apart from the simulators, which hold the
//! whole generated shop. Request counts are what the simulators served.

mod bounds;
mod caller;
mod child;
mod fixture;
mod measure;
mod report;
mod rss;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use sync_core::engine::EngineOptions;

use crate::bounds::{ReadBound, WriteBound};
use crate::child::{ChildArgs, Mode};
use crate::fixture::Realistic;
use crate::measure::{
    ChildRun, SyncSetup, WebhookShape, decided_candidates, mapping_throughput, webhook_latency,
};
use crate::report::{BenchResult, FullSync, RealisticResult, SizeResult};

/// Which measurements to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// Both.
    All,
    /// Shops of `--customers` sizes into a tenant holding one contact, with a baseline,
    /// webhooks and the mapping speed.
    Fresh,
    /// One shop into a lived-in tenant (agent-made contacts, no list totals).
    Realistic,
}

/// Benchmark the sync against the sandbox.
#[derive(Debug, Parser)]
#[command(about)]
struct Args {
    /// Which scenario to run.
    #[arg(long, value_enum, default_value_t = Scenario::All)]
    scenario: Scenario,
    /// Shop sizes to sync (customers, comma-separated; three orders each on average).
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    customers: Vec<usize>,
    /// Latency injected before every request of both simulators.
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// Requests in flight per API (the baseline uses 1).
    #[arg(long, default_value_t = EngineOptions::default().concurrency)]
    concurrency: usize,
    /// Customers per Thulium batch write.
    #[arg(long, default_value_t = EngineOptions::default().write_chunk)]
    write_chunk: usize,
    /// Webhook events to time (at the largest size).
    #[arg(long, default_value_t = 1000)]
    events: usize,
    /// Customers the mapping benchmark maps (0: not measured).
    #[arg(long, default_value_t = 50_000)]
    mapping_customers: usize,
    /// Realistic tenant: shop customers (guest twins included).
    #[arg(long, default_value_t = 100_000)]
    realistic_customers: usize,
    /// Realistic tenant: contacts agents made before any sync.
    #[arg(long, default_value_t = 50_000)]
    tenant_contacts: usize,
    /// Realistic tenant: share of the agent contacts that are one shop client.
    #[arg(long, default_value_t = 0.2)]
    overlap: f64,
    /// Realistic tenant: share of registered customers with a guest twin (same e-mail).
    #[arg(long, default_value_t = 0.05)]
    guest_pairs: f64,
    /// Skip the concurrency-1 baseline.
    #[arg(long)]
    no_baseline: bool,
    /// A small smoke run: 2,000 customers, 100 webhook events, 10,000 mapped; the realistic
    /// tenant with 2,000 clients and 1,000 contacts.
    #[arg(long)]
    quick: bool,
    /// Also write the results as JSON here.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Generator seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// (internal) Run one sync and write its report and peak memory.
    #[command(hide = true)]
    SyncChild(ChildArgs),
}

fn main() -> ExitCode {
    let mut args = Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return stop(&format!("cannot start the runtime: {error}")),
    };
    let outcome = match args.command.take() {
        Some(Command::SyncChild(child)) => runtime.block_on(child::run(child)),
        None => runtime.block_on(bench(args)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => stop(&message),
    }
}

fn stop(message: &str) -> ExitCode {
    eprintln!("bench: {message}");
    ExitCode::FAILURE
}

async fn bench(mut args: Args) -> Result<(), String> {
    if args.quick {
        args.customers = vec![2_000];
        args.events = args.events.min(100);
        args.mapping_customers = args.mapping_customers.min(10_000);
        args.realistic_customers = 2_000;
        args.tenant_contacts = 1_000;
    }
    let fresh = args.scenario != Scenario::Realistic;
    let mut sizes = Vec::new();
    let mut mapping = None;
    if fresh {
        let largest = args.customers.iter().copied().max().unwrap_or(0);
        for &customers in &args.customers {
            eprintln!("bench: {customers} customers ...");
            sizes.push(measure_size(&args, customers, customers == largest).await?);
        }
        if args.mapping_customers > 0 {
            eprintln!("bench: mapping {} customers ...", args.mapping_customers);
            mapping = mapping_throughput(args.mapping_customers)
                .map_err(|error| eprintln!("bench: mapping not measured: {error}"))
                .ok();
        }
    }
    let realistic = if args.scenario == Scenario::Fresh {
        None
    } else {
        Some(measure_realistic(&args).await?)
    };
    let result = BenchResult {
        latency_ms: args.latency_ms,
        write_chunk: args.write_chunk,
        sizes,
        realistic,
        mapping_customers_per_s: mapping,
    };
    println!("{}", result.table());
    let json = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
    match &args.json {
        Some(path) => std::fs::write(path, json + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => println!("{json}"),
    }
    Ok(())
}

/// At most this many id-less webhook events (each waits up to a second before its change).
const ID_LESS_EVENTS: usize = 30;

/// Everything at one shop size: the full sync, a second one, an idle poll, webhooks (at
/// the largest size), then the concurrency-1 baseline on a fresh sandbox.
async fn measure_size(args: &Args, customers: usize, webhooks: bool) -> Result<SizeResult, String> {
    let latency = Duration::from_millis(args.latency_ms);
    let sandbox = fixture::start(customers, args.seed)
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let read_bound = ReadBound::of(&sandbox);
    let tenant_at_start = sandbox.thulium().customer_count();
    let orders = sandbox.shop().order_count();
    fixture::set_latency(&sandbox, latency);
    let state = StateFile::new(&customers.to_string(), args.concurrency);
    let setup = SyncSetup {
        sandbox: &sandbox,
        state: state.path(),
        concurrency: args.concurrency,
        write_chunk: args.write_chunk,
    };
    eprintln!("bench:   full sync (concurrency {})", args.concurrency);
    let full = setup.run_child(Mode::Full).await?;
    let full = figures(&full, read_bound, &setup, latency);
    eprintln!("bench:   second full sync");
    let second = setup.run_child(Mode::Full).await?;
    eprintln!("bench:   idle incremental poll");
    let idle = setup.run_child(Mode::Incremental).await?;
    let (webhook, webhook_without_id) = if webhooks && args.events > 0 {
        eprintln!("bench:   {} webhook events", args.events);
        let named = webhook_latency(&setup, args.events, WebhookShape::NamingTheClient).await?;
        // Each id-less change waits for the shop clock's next second: fewer of them.
        let id_less_events = args.events.min(ID_LESS_EVENTS);
        eprintln!("bench:   {id_less_events} id-less webhook events");
        let id_less = webhook_latency(&setup, id_less_events, WebhookShape::WithoutId).await?;
        (Some(named), Some(id_less))
    } else {
        (None, None)
    };
    let caller = if webhooks && args.events > 0 {
        let live = (args.events / 10).max(1);
        eprintln!(
            "bench:   {} caller lookups from the index, {live} live",
            args.events
        );
        Some(caller::caller_latency(&setup, args.events, live).await?)
    } else {
        None
    };
    drop(sandbox);
    drop(state);
    let baseline = if args.no_baseline {
        None
    } else {
        eprintln!("bench:   baseline full sync (concurrency 1)");
        Some(baseline(args, customers, latency).await?)
    };
    Ok(SizeResult {
        customers,
        orders,
        tenant_at_start,
        read_bound,
        full,
        baseline,
        second_requests: second.served.total(),
        second_writes: second.served.thulium_writes,
        idle_poll_requests: idle.served.total(),
        webhook,
        webhook_without_id,
        caller,
    })
}

async fn baseline(args: &Args, customers: usize, latency: Duration) -> Result<FullSync, String> {
    let sandbox = fixture::start(customers, args.seed)
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let read_bound = ReadBound::of(&sandbox);
    fixture::set_latency(&sandbox, latency);
    let state = StateFile::new(&customers.to_string(), 1);
    let setup = SyncSetup {
        sandbox: &sandbox,
        state: state.path(),
        concurrency: 1,
        write_chunk: args.write_chunk,
    };
    let run = setup.run_child(Mode::Full).await?;
    Ok(figures(&run, read_bound, &setup, latency))
}

/// The realistic tenant: the full sync, a second one and an idle poll (no baseline, no
/// webhooks: the fresh scenario measures those).
async fn measure_realistic(args: &Args) -> Result<RealisticResult, String> {
    let latency = Duration::from_millis(args.latency_ms);
    let shape = Realistic {
        customers: args.realistic_customers,
        guest_pair_share: args.guest_pairs,
        contacts: args.tenant_contacts,
        overlap_share: args.overlap,
    };
    eprintln!(
        "bench: realistic tenant: {} customers, {} agent contacts ({:.0} % overlap) ...",
        shape.customers,
        shape.contacts,
        shape.overlap_share * 100.0
    );
    let (sandbox, facts) = fixture::start_realistic(&shape, args.seed)
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let read_bound = ReadBound::of(&sandbox);
    let orders = sandbox.shop().order_count();
    fixture::set_latency(&sandbox, latency);
    let state = StateFile::new(&format!("realistic-{}", shape.customers), args.concurrency);
    let setup = SyncSetup {
        sandbox: &sandbox,
        state: state.path(),
        concurrency: args.concurrency,
        write_chunk: args.write_chunk,
    };
    eprintln!("bench:   full sync (concurrency {})", args.concurrency);
    let run = setup.run_child(Mode::Full).await?;
    let full = figures(&run, read_bound, &setup, latency);
    let agent_values_lost = sandbox.thulium().lost_agent_values().len();
    let report = &run.report;
    let mut conflicts = std::collections::BTreeMap::new();
    for conflict in report["conflicts"].as_array().into_iter().flatten() {
        let reason = conflict["reason"].as_str().unwrap_or("?").to_owned();
        *conflicts.entry(reason).or_insert(0) += 1;
    }
    let engine_requests = report["requests"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(method, n)| (method.clone(), n.as_u64().unwrap_or(0)))
        .collect();
    eprintln!("bench:   second full sync");
    let second = setup.run_child(Mode::Full).await?;
    eprintln!("bench:   idle incremental poll");
    let idle = setup.run_child(Mode::Incremental).await?;
    Ok(RealisticResult {
        shape,
        facts,
        orders,
        read_bound,
        full,
        lookup: report["lookup"].as_str().unwrap_or("none").to_owned(),
        adoptions_deferred: run.count("adoptions_deferred"),
        creates_deferred: run.count("creates_deferred"),
        creates_carried: run.count("creates_carried"),
        adoptions_decided: run.count("adoptions_decided"),
        conflicts,
        read_retries: run.count("read_retries"),
        single_retries: run.count("single_retries"),
        failed: report["failed"].as_array().map_or(0, |f| f.len() as u64),
        engine_requests,
        agent_values_lost,
        second_requests: second.served.total(),
        second_writes: second.served.thulium_writes,
        idle_poll_requests: idle.served.total(),
    })
}

fn figures(run: &ChildRun, bound: ReadBound, setup: &SyncSetup<'_>, latency: Duration) -> FullSync {
    let created = run.count("created");
    let updated = run.count("updated");
    let adopted = run.count("adopted");
    let requests = run.served.total();
    let candidates = decided_candidates(setup.sandbox, &run.report);
    let deferred = run.count("adoptions_deferred");
    if candidates.len() as u64 != deferred {
        eprintln!(
            "bench:   note: {} adoption candidates seen in the tenant and conflicts, the report \
             deferred {deferred}; the bound's adoption batches use the ones seen",
            candidates.len()
        );
    }
    let write_bound = WriteBound::of(created, updated, &candidates, setup.write_chunk);
    let lower_bound_shop = bound.shop();
    let lower_bound_thulium = bound.thulium_reads() + write_bound.total();
    let lower_bound = lower_bound_shop + lower_bound_thulium;
    let wall_ms = run.count("duration_ms");
    let ideal_ms = requests as f64 * latency.as_secs_f64() * 1000.0 / setup.concurrency as f64;
    let engine_requests = run.report["requests"].as_object().map_or(0, |methods| {
        methods.values().filter_map(|n| n.as_u64()).sum()
    });
    FullSync {
        concurrency: setup.concurrency,
        wall_ms,
        served: run.served.clone(),
        engine_requests,
        created,
        updated,
        adopted,
        write_bound,
        lower_bound_shop,
        lower_bound_thulium,
        lower_bound,
        bound_ratio: requests as f64 / lower_bound.max(1) as f64,
        ideal_ms,
        ideal_ratio: wall_ms as f64 / ideal_ms.max(1.0),
        peak_rss_mib: run.peak_rss_kib.map(|kib| kib as f64 / 1024.0),
        cpu_sync_ms: run.cpu_ms,
        cpu_simulators_ms: run.simulators_cpu_ms,
        phases: run.phases.clone(),
        load_average: run.load_average,
    }
}

/// A SQLite state file in the temp directory, removed with its journals when dropped.
struct StateFile(PathBuf);

impl StateFile {
    fn new(label: &str, concurrency: usize) -> Self {
        let name = format!("bench-{}-{label}-c{concurrency}.sqlite", std::process::id());
        let file = Self(std::env::temp_dir().join(name));
        file.remove();
        file
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = self.0.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }
}

impl Drop for StateFile {
    fn drop(&mut self) {
        self.remove();
    }
}
