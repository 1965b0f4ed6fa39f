//! A tenant that is not empty: agent-made contacts adopted by exactly one shop customer, by
//! a rule that ignores page order and concurrency; exact matches only; agents' values kept;
//! count-less list answers and undecodable reads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod engine_fakes;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use engine_fakes::{World, client, no_progress, shop_config};
use iai_shop_client::webhook::{WebhookEventKind, WebhookTrigger};
use sync_core::config::IntegrationConfig;
use sync_core::engine::report::LookupStrategy;
use sync_core::engine::{Engine, EngineOptions, SyncReport};
use sync_core::plan::ConflictReason;

const CUSTOMERS: u64 = 60;

fn engine(world: &World, concurrency: usize) -> Engine {
    Engine::builder(
        world.config.clone(),
        world.shop.clone(),
        world.crm.clone(),
        world.store.clone(),
        Arc::new(world.clock.clone()),
    )
    .options(EngineOptions {
        shop_page_size: 10,
        concurrency,
        ..EngineOptions::default()
    })
    .build()
}

/// Agent-made contacts, by name.
struct Agents {
    registered_over_guest: u64,
    lowest_id: u64,
    by_phone: u64,
    email_side: u64,
    phone_side: u64,
}

/// A shop of 60 with: a guest (3) sharing client 55's e-mail; clients 20 and 40 sharing one
/// e-mail; client 7's phone; client 30 matching one contact by e-mail and another by phone.
/// The shop's list comes in `order` (page composition changes with it).
fn world(order: &[u64]) -> (World, Agents) {
    let world = World::new(shop_config("shop-a"), CUSTOMERS);
    {
        let mut clients = world.shop.clients.lock().unwrap();
        let by_id: BTreeMap<u64, _> = clients.drain(..).map(|c| (c.client_id, c)).collect();
        clients.extend(order.iter().map(|id| by_id[id].clone()));
        let edit = |clients: &mut Vec<iai_shop_client::Client>,
                    id,
                    f: &dyn Fn(&mut iai_shop_client::Client)| {
            f(clients.iter_mut().find(|c| c.client_id == id).unwrap());
        };
        edit(&mut clients, 3, &|c| {
            c.email = Some("klient55@example.pl".into());
            c.is_unregistered = true;
        });
        edit(&mut clients, 40, &|c| {
            c.email = Some("klient20@example.pl".into())
        });
        edit(&mut clients, 7, &|c| {
            c.billing.phone1 = Some("601234567".into())
        });
        edit(&mut clients, 30, &|c| {
            c.billing.phone1 = Some("+48 600 100 200".into())
        });
    }
    let crm = &world.crm;
    let agents = Agents {
        registered_over_guest: crm.add_agent_contact("A", &["klient55@example.pl"], &[]),
        lowest_id: crm.add_agent_contact("B", &["KLIENT20@example.pl"], &[]),
        by_phone: crm.add_agent_contact("C", &[], &["+48 601-234-567"]),
        email_side: crm.add_agent_contact("D", &["klient30@example.pl"], &[]),
        phone_side: crm.add_agent_contact("E", &[], &["0048600100200"]),
    };
    // Decoys a substring search would find.
    crm.add_agent_contact("F", &["xklient9@example.pl"], &[]);
    crm.add_agent_contact("G", &["klient1@example.pl.com"], &[]);
    (world, agents)
}

/// The final tenant: who holds each agent contact, and how many contacts each client has.
fn outcome(world: &World) -> (BTreeMap<u64, Option<i64>>, BTreeMap<i64, usize>) {
    let tenant = world.crm.tenant();
    let agents: BTreeMap<u64, Option<i64>> = tenant
        .iter()
        .filter(|(id, _)| **id <= 1007)
        .map(|(k, v)| (*k, *v))
        .collect();
    let mut per_client: BTreeMap<i64, usize> = BTreeMap::new();
    for shop_id in tenant.values().flatten() {
        *per_client.entry(*shop_id).or_default() += 1;
    }
    (agents, per_client)
}

fn conflicts_of(report: &SyncReport) -> BTreeMap<u64, ConflictReason> {
    report
        .conflicts
        .iter()
        .map(|c| (c.client_id, c.reason))
        .collect()
}

#[tokio::test]
async fn each_agent_contact_goes_to_one_customer_by_rank_at_any_concurrency_and_page_order() {
    let ascending: Vec<u64> = (1..=CUSTOMERS).collect();
    let descending: Vec<u64> = (1..=CUSTOMERS).rev().collect();
    let interleaved: Vec<u64> = (1..=CUSTOMERS)
        .filter(|i| i % 2 == 0)
        .chain((1..=CUSTOMERS).filter(|i| i % 2 == 1))
        .collect();
    let mut outcomes = Vec::new();
    for order in [&ascending, &descending, &interleaved] {
        for concurrency in [1, 8] {
            let (world, agents) = world(order);
            let report = engine(&world, concurrency)
                .full_sync(&no_progress)
                .await
                .unwrap();
            assert!(report.failed.is_empty(), "{:?}", report.failed);
            assert_eq!(report.adopted, 3, "{report}");
            assert_eq!(report.created, CUSTOMERS - 3);
            assert_eq!(report.lookup, Some(LookupStrategy::TenantIndex));
            let (tenant, per_client) = outcome(&world);
            // A registered account beats a guest that comes first; then the lowest id.
            assert_eq!(tenant[&agents.registered_over_guest], Some(55));
            assert_eq!(tenant[&agents.lowest_id], Some(20));
            // A phone typed another way is the same phone.
            assert_eq!(tenant[&agents.by_phone], Some(7));
            // Two contacts match client 30: neither is taken; it gets its own.
            assert_eq!(tenant[&agents.email_side], None);
            assert_eq!(tenant[&agents.phone_side], None);
            // Every shop client is on exactly one contact, decoys untouched.
            assert_eq!(per_client.len() as u64, CUSTOMERS);
            assert!(per_client.values().all(|n| *n == 1), "{per_client:?}");
            assert_eq!(tenant.values().filter(|v| v.is_none()).count(), 4);
            let conflicts = conflicts_of(&report);
            assert_eq!(conflicts[&30], ConflictReason::AmbiguousMatch);
            assert_eq!(conflicts[&3], ConflictReason::TakenByAnother);
            assert_eq!(conflicts[&40], ConflictReason::TakenByAnother);
            outcomes.push(tenant);

            // A second run changes nothing and writes nothing.
            world.reset_calls();
            let again = engine(&world, concurrency)
                .full_sync(&no_progress)
                .await
                .unwrap();
            assert_eq!((again.created, again.updated, again.adopted), (0, 0, 0));
            assert_eq!(world.crm.calls.get("crm.update_customers"), 0);
        }
    }
    assert!(outcomes.windows(2).all(|w| w[0] == w[1]), "{outcomes:?}");
}

#[tokio::test]
async fn an_adopted_contact_keeps_the_agents_values_and_a_new_shop_email_replaces_only_ours() {
    let (world, agents) = world(&(1..=CUSTOMERS).collect::<Vec<_>>());
    // The agent typed a landline on client 7's contact too.
    world
        .crm
        .customers
        .lock()
        .unwrap()
        .get_mut(&agents.by_phone)
        .unwrap()
        .phone_numbers
        .push("22 111 22 33".into());
    engine(&world, 4).full_sync(&no_progress).await.unwrap();
    // Adopted: the phones as the agent typed them; the e-mail list, which a read may show
    // only in part, is not sent at all.
    let contact = world.crm.customers.lock().unwrap()[&agents.by_phone].clone();
    assert_eq!(contact.phone_numbers, ["+48 601-234-567", "22 111 22 33"]);
    let emails = world
        .crm
        .emails
        .lock()
        .unwrap()
        .get(&agents.by_phone)
        .cloned();
    assert_eq!(emails.unwrap_or_default(), Vec::<String>::new());
    assert_eq!(world.crm.tenant()[&agents.by_phone], Some(7));

    // A contact the sync created: an agent adds a phone in Thulium, the shop's address
    // changes. Ours is replaced, the agent's phone stays.
    let created = world.crm.holding(9)[0].customer_id;
    world
        .crm
        .customers
        .lock()
        .unwrap()
        .get_mut(&created)
        .unwrap()
        .phone_numbers
        .push("22 333 44 55".into());
    world.clock.advance(chrono::TimeDelta::minutes(5));
    world.edit_client(9, |c| c.email = Some("nowy9@example.pl".into()));
    world.edit_client(20, |c| c.email = Some("nowy20@example.pl".into()));
    let report = engine(&world, 4).incremental_sync().await.unwrap();
    assert_eq!(report.updated, 2, "{report}");
    assert_eq!(
        world.crm.emails.lock().unwrap()[&created],
        ["nowy9@example.pl"]
    );
    let contact = world.crm.customers.lock().unwrap()[&created].clone();
    assert_eq!(contact.phone_numbers, ["22 333 44 55"]);
    // Client 20's contact is the agent's: its address list stays as the agent wrote it.
    assert_eq!(
        world.crm.emails.lock().unwrap()[&agents.lowest_id],
        ["KLIENT20@example.pl"]
    );
}

fn trigger(client_id: u64) -> WebhookTrigger {
    WebhookTrigger {
        kind: WebhookEventKind::ClientCreated,
        client_id: Some(client_id),
        order_id: None,
        order_serial_number: None,
        ..WebhookTrigger::default()
    }
}

#[tokio::test]
async fn outside_a_full_sync_only_exact_matches_count_and_the_first_claim_wins() {
    let world = World::synced(shop_config("shop-a"), 10).await;
    world.crm.email_substring.store(true, Ordering::SeqCst);
    let decoy = world
        .crm
        .add_agent_contact("X", &["xklient11@example.pl"], &[]);
    let shared = world
        .crm
        .add_agent_contact("Y", &["wspolny@example.pl"], &[]);
    {
        let mut clients = world.shop.clients.lock().unwrap();
        clients.push(client(11));
        for id in [12, 13] {
            let mut c = client(id);
            c.email = Some("wspolny@example.pl".into());
            clients.push(c);
        }
    }
    let engine = Arc::new(engine(&world, 4));
    let (a, b, c) = tokio::join!(
        engine.handle_triggers(vec![trigger(11)]),
        engine.handle_triggers(vec![trigger(12)]),
        engine.handle_triggers(vec![trigger(13)]),
    );
    let reports = [a.unwrap(), b.unwrap(), c.unwrap()];
    // The substring match found by Thulium's search is not adopted.
    assert_eq!(world.crm.tenant()[&decoy], None);
    assert_eq!(reports[0].created, 1);
    // Exactly one of 12 and 13 adopted the shared contact; the other has its own.
    let holder = world.crm.tenant()[&shared];
    assert!(matches!(holder, Some(12) | Some(13)), "{holder:?}");
    world.assert_held_once([11, 12, 13]);
    let adopted: u64 = reports.iter().map(|r| r.adopted).sum();
    assert_eq!(adopted, 1);
    assert!(reports.iter().all(|r| r.failed.is_empty()));
}

#[tokio::test]
async fn a_tenant_without_totals_is_sized_by_one_probe_and_read_once() {
    let config: IntegrationConfig = shop_config("shop-a");
    let world = World::new(config, 30);
    for i in 0..2500 {
        world
            .crm
            .add_agent_contact("Agent", &[&format!("agent{i}@firma.pl")], &[]);
    }
    world.crm.no_total.store(true, Ordering::SeqCst);
    let report = engine(&world, 1).full_sync(&no_progress).await.unwrap();
    assert_eq!(report.lookup, Some(LookupStrategy::TenantIndex));
    // The first page (full, no total), one probe, then pages at 980 (full) and 1960 (short).
    assert_eq!(world.crm.calls.get("crm.customers_page"), 4);
    assert_eq!(world.crm.calls.get("crm.find_by_email"), 0);
    assert_eq!(report.created, 30);
}

#[tokio::test]
async fn an_undecodable_tenant_page_is_read_again_and_counted() {
    let world = World::new(shop_config("shop-a"), 30);
    world
        .crm
        .add_agent_contact("Agent", &["klient5@example.pl"], &[]);
    world.crm.undecodable_pages.store(1, Ordering::SeqCst);
    let report = engine(&world, 2).full_sync(&no_progress).await.unwrap();
    assert_eq!(report.read_retries, 1);
    assert_eq!(report.requests_of("crm.customers_page"), 2);
    assert_eq!((report.created, report.adopted), (29, 1));
    assert!(report.failed.is_empty());
}

#[tokio::test]
async fn a_claim_whose_write_never_landed_is_finished_as_an_adoption() {
    use sync_core::engine::store::StateStore;
    let world = World::new(shop_config("shop-a"), 30);
    let contact = world
        .crm
        .add_agent_contact("Agent", &["klient5@example.pl"], &["22 111 22 33"]);
    // A run claimed the contact for client 5 and was killed before its write.
    world.store.claim("shop-a", 5, contact).await.unwrap();
    let report = engine(&world, 2).full_sync(&no_progress).await.unwrap();
    assert!(report.failed.is_empty(), "{report}");
    // The contact was read before being written over, and the agent's landline kept.
    assert_eq!(report.requests_of("crm.customer"), 1);
    let written = world.crm.customers.lock().unwrap()[&contact].clone();
    assert_eq!(written.phone_numbers, ["22 111 22 33"]);
    assert_eq!(world.crm.tenant()[&contact], Some(5));
    world.assert_held_once(1..=30);
}
