//! The sync under measurement, run as a child process (`bench sync-child ...`) so that its
//! peak memory is its own: the simulators, which hold the whole generated shop, stay in the
//! parent. It is wired exactly as `full-sync` wires a run against real systems
//! ([`ConnectionArgs`] → [`Wiring`]), minus the preflight, whose requests are not part of
//! the sync being counted.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use examples::cli::{ConnectionArgs, Target};
use examples::wiring::Wiring;
use serde_json::json;
use sync_core::engine::EngineOptions;

use crate::rss::peak_rss_kib;

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

/// Runs the child's sync and writes its report and peak RSS to `args.out`.
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
    let report = match args.mode {
        Mode::Full => wired.engine.full_sync(&|_| {}).await,
        Mode::Incremental => wired.engine.incremental_sync().await,
    }
    .map_err(|e| format!("the sync stopped: {e}"))?;
    let document = json!({ "report": report, "peak_rss_kib": peak_rss_kib() });
    std::fs::write(&args.out, document.to_string())
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))
}
