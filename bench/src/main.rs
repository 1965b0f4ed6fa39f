//! `bench`: how many requests, how much time and memory the sync takes against the sandbox
//! with injected latency, and how fast webhooks and the mapping are.
//!
//! ```text
//! cargo run --release -p bench -- [--customers 10000,100000] [--latency-ms 20]
//!     [--concurrency 4] [--write-chunk 50] [--events 1000] [--json PATH] [--quick]
//! ```
//!
//! Each full sync runs in a child process (this binary's `sync-child` subcommand, wired like
//! `full-sync`), so its peak memory is measured apart from the simulators, which hold the
//! whole generated shop. Request counts are what the simulators served.

mod bounds;
mod child;
mod fixture;
mod measure;
mod report;
mod rss;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use sync_core::engine::EngineOptions;

use crate::bounds::ReadBound;
use crate::child::{ChildArgs, Mode};
use crate::measure::{ChildRun, SyncSetup, mapping_throughput, webhook_latency};
use crate::report::{BenchResult, FullSync, SizeResult};

/// Benchmark the sync against the sandbox.
#[derive(Debug, Parser)]
#[command(about)]
struct Args {
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
    /// Customers the mapping benchmark maps.
    #[arg(long, default_value_t = 50_000)]
    mapping_customers: usize,
    /// Skip the concurrency-1 baseline.
    #[arg(long)]
    no_baseline: bool,
    /// A small smoke run: 2,000 customers, 100 webhook events, 10,000 mapped.
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
        args.mapping_customers = 10_000;
    }
    let largest = args.customers.iter().copied().max().unwrap_or(0);
    let mut sizes = Vec::new();
    for &customers in &args.customers {
        eprintln!("bench: {customers} customers ...");
        sizes.push(measure_size(&args, customers, customers == largest).await?);
    }
    eprintln!("bench: mapping {} customers ...", args.mapping_customers);
    let mapping = mapping_throughput(args.mapping_customers)
        .map_err(|error| eprintln!("bench: mapping not measured: {error}"))
        .ok();
    let result = BenchResult {
        latency_ms: args.latency_ms,
        write_chunk: args.write_chunk,
        sizes,
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
    let state = StateFile::new(customers, args.concurrency);
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
    let webhook = if webhooks && args.events > 0 {
        eprintln!("bench:   {} webhook events", args.events);
        Some(webhook_latency(&setup, args.events).await?)
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
    })
}

async fn baseline(args: &Args, customers: usize, latency: Duration) -> Result<FullSync, String> {
    let sandbox = fixture::start(customers, args.seed)
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let read_bound = ReadBound::of(&sandbox);
    fixture::set_latency(&sandbox, latency);
    let state = StateFile::new(customers, 1);
    let setup = SyncSetup {
        sandbox: &sandbox,
        state: state.path(),
        concurrency: 1,
        write_chunk: args.write_chunk,
    };
    let run = setup.run_child(Mode::Full).await?;
    Ok(figures(&run, read_bound, &setup, latency))
}

fn figures(run: &ChildRun, bound: ReadBound, setup: &SyncSetup<'_>, latency: Duration) -> FullSync {
    let created = run.count("created");
    let updated = run.count("updated");
    let requests = run.served.total();
    let lower_bound = bound.with_writes(created, updated, setup.write_chunk);
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
        lower_bound,
        bound_ratio: requests as f64 / lower_bound.max(1) as f64,
        ideal_ms,
        ideal_ratio: wall_ms as f64 / ideal_ms.max(1.0),
        peak_rss_mib: run.peak_rss_kib.map(|kib| kib as f64 / 1024.0),
    }
}

/// A SQLite state file in the temp directory, removed with its journals when dropped.
struct StateFile(PathBuf);

impl StateFile {
    fn new(customers: usize, concurrency: usize) -> Self {
        let name = format!(
            "bench-{}-{customers}-c{concurrency}.sqlite",
            std::process::id()
        );
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
