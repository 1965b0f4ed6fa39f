//! `sandbox` binary: serves both simulators with generated data until Ctrl-C.

use clap::{Parser, ValueEnum};
use sandbox::generator::{AgentContacts, GeneratorConfig, generate, guest_pairs};
use sandbox::idosell::{ShopSimConfig, SimClock};
use sandbox::thulium::{ListShape, MidReadChanges, ThuliumQuirks, ThuliumSimConfig};
use sandbox::{Sandbox, SandboxConfig};

/// Serve a simulated IdoSell shop (seeded with realistic data) and a Thulium tenant (empty,
/// or holding contacts agents made before any sync).
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
    /// Share (0..=1) of registered shop customers who also have a guest account with the
    /// same e-mail.
    #[arg(long, default_value_t = 0.0)]
    guest_pairs: f64,
    /// Number of contacts agents made in the Thulium tenant before any sync.
    #[arg(long, default_value_t = 0)]
    agent_contacts: usize,
    /// Share (0..=1) of the agent contacts that are shop clients (same e-mail or phone,
    /// written the agents' way).
    #[arg(long, default_value_t = 0.3)]
    agent_overlap: f64,
    /// Share (0..=1) of decoy agent contacts (an e-mail containing a shop e-mail).
    #[arg(long, default_value_t = 0.05)]
    agent_decoys: f64,
    /// Share (0..=1) of agent contacts matching two shop clients at once.
    #[arg(long, default_value_t = 0.02)]
    agent_two_clients: f64,
    /// Share (0..=1) of agent contacts holding an extra e-mail or phone the shop lacks.
    #[arg(long, default_value_t = 0.25)]
    agent_extra_values: f64,
    /// Every Thulium quirk on (count-less bare-array lists, substring e-mail search,
    /// digits-only phone search, phones stored as typed); the single switches below add to it.
    #[arg(long)]
    quirks: bool,
    /// Shape of `GET customers` answers.
    #[arg(long, value_enum)]
    list_shape: Option<ListShapeArg>,
    /// The `email` filter matches a substring of any stored address.
    #[arg(long)]
    email_substring: bool,
    /// The `phone_number` filter compares the digits of the whole stored number only.
    #[arg(long)]
    phone_digits_only: bool,
    /// Phones are stored exactly as written.
    #[arg(long)]
    phones_as_typed: bool,
    /// Agents change the tenant on every K-th tenant read (unfiltered `GET customers`); 0: never.
    #[arg(long, default_value_t = 0)]
    mid_read_every: u32,
    /// Contacts agents add, and delete below the offset being read, each time.
    #[arg(long, default_value_t = 5)]
    mid_read_changes: usize,
}

/// `--list-shape` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListShapeArg {
    /// `{"count": N, "result": [...]}`.
    Count,
    /// `{"result": [...]}`.
    ResultOnly,
    /// `[...]`.
    BareArray,
}

impl Args {
    fn thulium_quirks(&self) -> ThuliumQuirks {
        let mut quirks = if self.quirks {
            ThuliumQuirks::least_convenient()
        } else {
            ThuliumQuirks::default()
        };
        if let Some(shape) = self.list_shape {
            quirks.list_shape = match shape {
                ListShapeArg::Count => ListShape::CountAndResult,
                ListShapeArg::ResultOnly => ListShape::ResultOnly,
                ListShapeArg::BareArray => ListShape::BareArray,
            };
        }
        quirks.email_substring_search |= self.email_substring;
        quirks.phone_search_digits_only |= self.phone_digits_only;
        quirks.phones_as_typed |= self.phones_as_typed;
        quirks
    }

    fn agent_contacts(&self) -> AgentContacts {
        AgentContacts {
            count: self.agent_contacts,
            overlap_share: self.agent_overlap,
            decoy_share: self.agent_decoys,
            two_clients_share: self.agent_two_clients,
            extra_values_share: self.agent_extra_values,
            seed: self.seed,
        }
    }
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
        guest_pair_share: args.guest_pairs,
        ..GeneratorConfig::default()
    });
    let pairs = guest_pairs(&data.customers).len();
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
    let mut config = SandboxConfig { shop, thulium }
        .with_agent_contacts(&args.agent_contacts())
        .with_thulium_quirks(args.thulium_quirks());
    if args.mid_read_every > 0 {
        config = config.with_mid_read_changes(MidReadChanges {
            seed: args.seed,
            ..MidReadChanges::new(args.mid_read_every, args.mid_read_changes)
        });
    }
    let sandbox = Sandbox::start(config).await?;
    println!(
        "Generated {} customers ({pairs} registered + guest pairs) and {} orders in {:.1?} (seed {}).",
        sandbox.shop().customer_count(),
        sandbox.shop().order_count(),
        started.elapsed(),
        args.seed
    );
    println!(
        "Thulium holds {} agent-made contacts; quirks: {:?}; mid-read changes: {}.",
        sandbox.thulium().agent_contacts().len(),
        sandbox.thulium().quirks(),
        if args.mid_read_every > 0 {
            format!(
                "{} added and deleted every {} tenant reads",
                args.mid_read_changes, args.mid_read_every
            )
        } else {
            "off".to_owned()
        }
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
