//! `sandbox` binary: serves both simulators with generated data until Ctrl-C.

use clap::Parser;
use sandbox::generator::{GeneratorConfig, generate};
use sandbox::idosell::{ShopSimConfig, SimClock};
use sandbox::thulium::ThuliumSimConfig;
use sandbox::{Sandbox, SandboxConfig};

/// Serve a simulated IdoSell shop (seeded with realistic data) and an empty Thulium tenant.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Number of shop customers to generate.
    #[arg(long, default_value_t = 5000)]
    customers: usize,
    /// Number of orders to generate (default: three per customer).
    #[arg(long)]
    orders: Option<usize>,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Port of the shop simulator (0: any free port).
    #[arg(long, default_value_t = 0)]
    port_shop: u16,
    /// Port of the Thulium simulator (0: any free port).
    #[arg(long, default_value_t = 0)]
    port_thulium: u16,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber_init();
    let args = Args::parse();
    let started = std::time::Instant::now();
    // Generated dates end "now", and later changes follow the wall clock, so a sync daemon's
    // incremental windows line up with the shop's modification dates.
    let clock = SimClock::wall();
    let data = generate(&GeneratorConfig {
        seed: args.seed,
        customers: args.customers,
        orders: args.orders.unwrap_or(args.customers * 3),
        now: clock.now(),
        ..GeneratorConfig::default()
    });
    let shop = ShopSimConfig {
        port: args.port_shop,
        clock,
        ..ShopSimConfig::default()
    }
    .with_data(data);
    let thulium = ThuliumSimConfig {
        port: args.port_thulium,
        ..ThuliumSimConfig::default()
    };
    let sandbox = Sandbox::start(SandboxConfig { shop, thulium }).await?;
    println!(
        "Generated {} customers and {} orders in {:.1?} (seed {}).",
        sandbox.shop().customer_count(),
        sandbox.shop().order_count(),
        started.elapsed(),
        args.seed
    );
    println!(
        "IdoSell shop:  {}  (API: {}api/admin/v6/...)",
        sandbox.shop_url, sandbox.shop_url
    );
    println!("  X-API-KEY:   {}", sandbox.shop_api_key);
    println!(
        "Thulium:       {}  (API: {}api/...)",
        sandbox.thulium_url, sandbox.thulium_url
    );
    println!("  user:        {}", sandbox.thulium_user);
    println!("  password:    {}", sandbox.thulium_password);
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    let counts = sandbox.shop().counters().total() + sandbox.thulium().counters().total();
    println!("Stopping after {counts} requests.");
    Ok(())
}

/// Logs to stderr at `info` unless `RUST_LOG` says otherwise.
fn tracing_subscriber_init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
