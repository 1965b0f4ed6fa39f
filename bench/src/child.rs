//! The sync under measurement, run as a child process (`bench sync-child ...`) so that its
//! peak memory is its own: the simulators, which hold the whole generated shop, stay in the
//! parent. It is wired exactly as `full-sync` wires a run against real systems
//! ([`ConnectionArgs`] → [`Wiring`]), minus the preflight, whose requests are not part of
//! the sync being counted.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use clap::{Args, ValueEnum};
use examples::cli::{ConnectionArgs, Target};
use examples::wiring::Wiring;
use serde_json::json;
use sync_core::engine::EngineOptions;

use crate::rss::{cpu_ms, peak_rss_kib};

/// Which run the child makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// `Engine::full_sync`.
    Full,
    /// `Engine::incremental_sync`.
    Incremental,
}

/// Flags of `bench sync-child` (secrets come from the environment, as `full-sync` allows).
#[derive(Debug, Args)]
pub struct ChildArgs {
    /// The run to make.
    #[arg(long, value_enum)]
    pub mode: Mode,
    /// Requests in flight per API.
    #[arg(long)]
    pub concurrency: usize,
    /// Customers per Thulium batch write.
    #[arg(long)]
    pub write_chunk: usize,
    /// Where to write `{"report": ..., "peak_rss_kib": ...}`.
    #[arg(long)]
    pub out: PathBuf,
    /// Shop, Thulium and state file.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// When the shop pages of a full sync were done, from the start of the run, and the peak
/// memory by then.
#[derive(Debug, Default, serde::Serialize)]
struct Phases {
    /// The first page done (the tenant read, if any, is before it).
    first_page_ms: Option<u64>,
    /// The last page done (the adoption decisions and the closing pass are after it).
    last_page_ms: Option<u64>,
    /// Peak RSS when the first page was done.
    peak_rss_kib_at_first_page: Option<u64>,
    /// Peak RSS when the last page was done.
    peak_rss_kib_at_last_page: Option<u64>,
}

/// Runs the child's sync and writes its report, peak RSS, CPU time and phases to `args.out`.
pub async fn run(args: ChildArgs) -> Result<(), String> {
    let Target::Real(settings) = args.connection.target().map_err(|e| e.0)? else {
        return Err("sync-child needs --shop-url and --thulium-url".to_owned());
    };
    let options = EngineOptions {
        concurrency: args.concurrency,
        write_chunk: args.write_chunk,
        ..EngineOptions::default()
    };
    let wiring = Wiring::connect(&settings, options).await.map_err(|e| e.0)?;
    let wired = wiring
        .enabled()
        .next()
        .ok_or_else(|| "no integration is enabled".to_owned())?;
    let started = Instant::now();
    let phases = Mutex::new(Phases::default());
    let progress = |_: &sync_core::engine::Progress| {
        let elapsed = u64::try_from(started.elapsed().as_millis()).ok();
        let peak = peak_rss_kib();
        let mut phases = phases.lock().unwrap_or_else(|p| p.into_inner());
        if phases.first_page_ms.is_none() {
            phases.first_page_ms = elapsed;
            phases.peak_rss_kib_at_first_page = peak;
        }
        phases.last_page_ms = elapsed;
        phases.peak_rss_kib_at_last_page = peak;
    };
    let report = match args.mode {
        Mode::Full => wired.engine.full_sync(&progress).await,
        Mode::Incremental => wired.engine.incremental_sync().await,
    }
    .map_err(|e| format!("the sync stopped: {e}"))?;
    let phases = phases.into_inner().unwrap_or_else(|p| p.into_inner());
    let document = json!({
        "report": report,
        "peak_rss_kib": peak_rss_kib(),
        "cpu_ms": cpu_ms(),
        "phases": phases,
    });
    std::fs::write(&args.out, document.to_string())
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))
}
