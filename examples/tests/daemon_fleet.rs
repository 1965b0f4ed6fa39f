//! Three `sync-daemon` processes on one PostgreSQL database and three integrations (three
//! shop simulators into one Thulium tenant): each integration gets exactly one full sync, by
//! the daemon holding its lease; SIGKILL of the holder mid-sync hands the integration to
//! another daemon within the lease bound, and the tenant ends equal to a fault-free run's
//! with nobody twice; webhooks posted round-robin to the daemons reach the holders by the
//! database's announcement alone (the holders' own looks into the inbox are turned off).
//! Needs the throwaway cluster `scripts/test` starts (fails, never skips, without it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use common::daemon::{Daemon, lines_of, listen_address, wait_for_line};
use common::process::TempDir;
use examples::settings::load_file;
use examples::wiring::Wiring;
use sandbox::faults::FaultPlan;
use sandbox::generator::{GeneratorConfig, generate};
use sandbox::idosell::{CustomerPatch, DEFAULT_API_KEY, ShopSim, ShopSimConfig};
use sandbox::thulium::{
    CustomFieldDef, CustomFieldKind, CustomerRecord, ThuliumSim, ThuliumSimConfig,
};
use sync_core::engine::EngineOptions;
use sync_core::engine::store::{CursorKind, PostgresStore, StateStore};

const INTEGRATIONS: usize = 3;
const CUSTOMERS: usize = 40;
/// The integration whose holder is killed mid-sync.
const VICTIM: usize = 1;
const LEASE_SECONDS: u64 = 2;

fn name(index: usize) -> String {
    format!("shop-{index}")
}

fn id_field(index: usize) -> String {
    format!("Shop{index} ID")
}

/// A shop of its own per integration; e-mails made unique per shop and phones left out, so
/// that no customer of one shop matches a contact of another in the shared tenant.
async fn shops() -> Vec<ShopSim> {
    let mut shops = Vec::new();
    for index in 0..INTEGRATIONS {
        let mut data = generate(&GeneratorConfig {
            seed: 40 + index as u64,
            customers: CUSTOMERS,
            orders: CUSTOMERS,
            ..GeneratorConfig::default()
        });
        for customer in &mut data.customers {
            customer.email = customer.email.take().map(|e| format!("s{index}-{e}"));
            customer.billing.phone1 = None;
            customer.billing.phone2 = None;
        }
        shops.push(
            ShopSim::start(ShopSimConfig::default().with_data(data))
                .await
                .unwrap(),
        );
    }
    shops
}

/// A tenant with each integration's fields and one earlier contact (so that preflight sees
/// the fields).
async fn tenant() -> ThuliumSim {
    let mut config = ThuliumSimConfig::default();
    for index in 0..INTEGRATIONS {
        config.custom_fields.push(CustomFieldDef::new(
            id_field(index),
            CustomFieldKind::Numeric,
        ));
        config.custom_fields.push(CustomFieldDef::new(
            format!("Shop{index} last order"),
            CustomFieldKind::Date,
        ));
    }
    config.initial_customers = vec![CustomerRecord {
        name: Some("Hurtownia".to_owned()),
        surname: Some("Dostawca".to_owned()),
        ..CustomerRecord::default()
    }];
    ThuliumSim::start(config).await.unwrap()
}

fn write_config(path: &Path, shops: &[ShopSim], thulium: &ThuliumSim, state: &str) {
    let mut text = format!(
        "state = \"{state}\"\n[thulium]\nurl = \"{}\"\nuser = \"{}\"\npassword = \"{}\"\n",
        thulium.url(),
        thulium.user(),
        thulium.password()
    );
    for (index, shop) in shops.iter().enumerate() {
        text.push_str(&format!(
            "[[integration]]\nname = \"{}\"\n\
             fields = {{ shop_id = \"{}\", last_order_date = \"Shop{index} last order\" }}\n\
             shop = {{ url = \"{}\", api_key = \"{DEFAULT_API_KEY}\" }}\n\
             webhook = {{ token = \"token-{index}\" }}\n",
            name(index),
            id_field(index),
            shop.url(),
        ));
    }
    std::fs::write(path, text).unwrap();
}

/// The tenant keyed by (integration, shop id), without what Thulium generates; panics when
/// a shop customer is there twice.
fn comparable(thulium: &ThuliumSim) -> BTreeMap<(usize, u64), CustomerRecord> {
    let mut by_key = BTreeMap::new();
    for mut record in thulium.snapshot() {
        let Some(key) = (0..INTEGRATIONS).find_map(|index| {
            let id = record.custom_fields.get(&id_field(index))?;
            Some((index, id.as_u64().or_else(|| id.as_str()?.parse().ok())?))
        }) else {
            continue; // the earlier contact
        };
        record.customer_id = 0;
        record.updated_at.clear();
        for item in &mut record.field_group_items {
            item.item_id = 0;
            item.customer_id = 0;
        }
        assert!(
            by_key.insert(key, record).is_none(),
            "{key:?} twice in the tenant"
        );
    }
    by_key
}

/// The tenant a fault-free, one-process run makes (in memory state, in-process engines).
async fn reference(shops: &[ShopSim], dir: &Path) -> BTreeMap<(usize, u64), CustomerRecord> {
    let thulium = tenant().await;
    let config = dir.join("reference.toml");
    write_config(&config, shops, &thulium, "reference.sqlite");
    let settings = load_file(&config, || unreachable!()).unwrap();
    let wiring = Wiring::connect(&settings, EngineOptions::default())
        .await
        .unwrap();
    wiring.preflight().await.unwrap();
    for wired in wiring.enabled() {
        wired.engine.full_sync(&|_| {}).await.unwrap();
    }
    for shop in shops {
        shop.counters().reset();
    }
    comparable(&thulium)
}

struct Running {
    daemon: Daemon,
    address: String,
    stderr: Receiver<String>,
    seen: Vec<String>,
}

/// Starts `count` daemons at once (so that they race for the leases) and waits until each
/// listens.
async fn spawn(config: &Path, count: usize) -> Vec<Running> {
    let started: Vec<Daemon> = (0..count).map(|_| start(config)).collect();
    let mut running = Vec::new();
    for daemon in started {
        running.push(listening(daemon).await);
    }
    running
}

fn start(config: &Path) -> Daemon {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sync-daemon"));
    command
        .arg("--config")
        .arg(config)
        .args(["--listen", "127.0.0.1:0", "--interval", "3600"])
        .args(["--lease-seconds", &LEASE_SECONDS.to_string()])
        // No look into the inbox of its own: webhooks travel by announcement only.
        .args(["--inbox-poll-seconds", "3600"])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Daemon(command.spawn().unwrap())
}

async fn listening(mut daemon: Daemon) -> Running {
    let stdout = lines_of(daemon.0.stdout.take().unwrap());
    let stderr = lines_of(daemon.0.stderr.take().unwrap());
    let started = wait_for_line(&stdout, &mut Vec::new(), Duration::from_secs(30), |line| {
        line.contains("webhooks on http://")
    })
    .await;
    let address = listen_address(&started);
    Running {
        daemon,
        address,
        stderr,
        seen: Vec::new(),
    }
}

impl Running {
    fn pid(&self) -> u32 {
        self.daemon.0.id()
    }

    /// Every line it printed so far.
    fn lines(&mut self) -> &[String] {
        while let Ok(line) = self.stderr.try_recv() {
            self.seen.push(line);
        }
        &self.seen
    }

    /// Its lines saying `what` about `integration`.
    fn count(&mut self, what: &str, integration: &str) -> usize {
        let tag = format!("integration=\"{integration}\"");
        self.lines()
            .iter()
            .filter(|l| l.contains(what) && l.contains(&tag))
            .count()
    }
}

fn contacts_of(thulium: &ThuliumSim, index: usize) -> usize {
    let field = id_field(index);
    thulium
        .snapshot()
        .iter()
        .filter(|r| r.custom_fields.contains_key(&field))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_daemons_share_the_integrations_and_survive_a_killed_holder() {
    let dir = TempDir::new("fleet");
    let shops = shops().await;
    let expected = reference(&shops, dir.path()).await;
    assert_eq!(expected.len(), INTEGRATIONS * CUSTOMERS);

    let thulium = tenant().await;
    // Slow enough that the victim's full sync is still running when it is killed.
    thulium.faults().set(FaultPlan {
        latency: Duration::from_millis(15),
        ..FaultPlan::default()
    });
    let url = sandbox::postgres::fresh_database("fleet").await.unwrap();
    let store = PostgresStore::connect(&url).await.unwrap();
    let leases = store.leases("observer", Duration::from_secs(1));
    let config = dir.path().join("fleet.toml");
    write_config(&config, &shops, &thulium, &url);
    let mut daemons = spawn(&config, 3).await;

    // Kill the victim's holder once its full sync wrote some contacts but has not finished.
    let victim = name(VICTIM);
    let deadline = Instant::now() + Duration::from_secs(30);
    let holder = loop {
        assert!(
            Instant::now() < deadline,
            "the victim's sync never got under way"
        );
        let written = contacts_of(&thulium, VICTIM);
        let finished = store
            .cursor(&victim, CursorKind::Customers)
            .await
            .unwrap()
            .is_some();
        assert!(
            !finished,
            "the full sync finished before it could be killed"
        );
        if written > 0 {
            break leases.holder_of(&victim).await.unwrap().unwrap();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let killed = daemons
        .iter()
        .position(|d| holder.ends_with(&format!("-{}", d.pid())))
        .unwrap();
    let mut dead = daemons.remove(killed);
    dead.daemon.0.kill().unwrap(); // SIGKILL
    dead.daemon.0.wait().unwrap();
    let killed_at = Instant::now();
    let new_holder = loop {
        if let Some(now) = leases.holder_of(&victim).await.unwrap()
            && now != holder
        {
            break now;
        }
        assert!(
            killed_at.elapsed() < Duration::from_secs(15),
            "nobody took over"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let takeover = killed_at.elapsed();
    // The lease lasts LEASE_SECONDS; the others look a third of that apart (plus slack for a
    // busy machine).
    assert!(
        takeover < Duration::from_secs(LEASE_SECONDS * 2 + 1),
        "taken over after {takeover:?}"
    );
    eprintln!("takeover after {takeover:?} by {new_holder}");

    // Every integration ends fully synced, equal to the fault-free run, nobody twice.
    let deadline = Instant::now() + Duration::from_secs(60);
    while (0..INTEGRATIONS).any(|i| contacts_of(&thulium, i) < CUSTOMERS) {
        assert!(
            Instant::now() < deadline,
            "not every integration was synced"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut finished = false;
    while !finished {
        finished = true;
        for index in 0..INTEGRATIONS {
            finished &= store
                .cursor(&name(index), CursorKind::Customers)
                .await
                .unwrap()
                .is_some();
        }
        assert!(Instant::now() < deadline, "a full sync never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(comparable(&thulium), expected);

    // Exactly one full sync per integration, whoever ran it (the killed daemon never finished
    // the victim's); each integration taken by one daemon, and by one more after the kill
    // when the killed daemon held it.
    for index in 0..INTEGRATIONS {
        let integration = name(index);
        let full = "kind=\"full\"";
        let full_passes: usize = daemons
            .iter_mut()
            .chain(std::iter::once(&mut dead))
            .map(|d| {
                let tag = format!("integration=\"{integration}\"");
                d.lines()
                    .iter()
                    .filter(|l| l.contains("pass done") && l.contains(full) && l.contains(&tag))
                    .count()
            })
            .sum();
        assert_eq!(full_passes, 1, "{integration}: {full_passes} full syncs");
        let held_by_dead = dead.count("lease taken", &integration) > 0;
        if index == VICTIM {
            assert!(held_by_dead, "the killed daemon held the victim");
        }
        let takers = daemons
            .iter_mut()
            .chain(std::iter::once(&mut dead))
            .map(|d| d.count("lease taken", &integration))
            .filter(|taken| *taken > 0)
            .count();
        assert_eq!(
            takers,
            1 + usize::from(held_by_dead),
            "{integration}: {takers} takers"
        );
    }

    // The work was shared: each of the three daemons took one integration (its fair share),
    // and one survivor took the victim as well.
    let taken = |daemon: &mut Running| {
        let lines = daemon.lines();
        lines.iter().filter(|l| l.contains("lease taken")).count()
    };
    assert_eq!(
        taken(&mut dead),
        1,
        "the killed daemon held more than its share"
    );
    let mut survivors: Vec<usize> = daemons.iter_mut().map(taken).collect();
    survivors.sort_unstable();
    assert_eq!(survivors, [1, 2]);

    // A third daemon again; then webhooks round-robin to the three reach each holder.
    daemons.extend(spawn(&config, 1).await);
    let http = reqwest::Client::new();
    let mut edited = Vec::new();
    for round in 0..2 {
        for (index, shop) in shops.iter().enumerate() {
            let client_id = shop.customers()[3 + round].client_id;
            let surname = format!("Webhookowa{index}x{round}");
            shop.edit_customer(
                client_id,
                &CustomerPatch {
                    last_name: Some(surname.clone()),
                    ..CustomerPatch::default()
                },
            )
            .unwrap();
            let daemon = &daemons[(round * INTEGRATIONS + index) % daemons.len()];
            let status = http
                .post(format!(
                    "http://{}/webhooks/iai-shop/{}/token-{index}",
                    daemon.address,
                    name(index)
                ))
                .header("content-type", "application/json")
                .body(format!(
                    r#"{{"event":"clientUpdated","clientId":{client_id}}}"#
                ))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 202);
            edited.push((index, client_id, surname));
        }
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    for (index, client_id, surname) in &edited {
        loop {
            let tenant = comparable(&thulium);
            if tenant[&(*index, *client_id)].surname.as_deref() == Some(surname.as_str()) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "webhook for {index}/{client_id} never arrived"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(
        comparable(&thulium).len(),
        INTEGRATIONS * CUSTOMERS,
        "updated, not created"
    );
}
