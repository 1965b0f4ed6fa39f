//! Agents changing the tenant while it is read: contacts added and deleted between the
//! pages of an unfiltered `GET customers`, so that offsets shift under the reader.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeSet;
use std::time::Duration;

use futures::TryStreamExt;
use sandbox::generator::{AgentContacts, GeneratorConfig, agent_contacts};
use sandbox::thulium::{MidReadChanges, MidReadEvent, ThuliumSim, ThuliumSimConfig};
use sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

/// 50 agent contacts of people the shop does not know (an empty shop), ids 1..=50.
fn tenant(changes: MidReadChanges) -> ThuliumSimConfig {
    ThuliumSimConfig {
        agent_contacts: agent_contacts(&[], &AgentContacts::new(50, 0.0)),
        mid_read_changes: Some(changes),
        ..ThuliumSimConfig::default()
    }
}

fn changes(every: u32, per_change: usize, seed: u64) -> MidReadChanges {
    MidReadChanges {
        seed,
        ..MidReadChanges::new(every, per_change)
    }
}

async fn get(sim: &ThuliumSim, path: &str) -> (u16, Value) {
    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
        .get(format!("{}api/{path}", sim.url()))
        .basic_auth(sim.user(), Some(sim.password()))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Reads the tenant by offset, `limit` at a time, until a short page: the ids seen, in order.
async fn read_by_offset(sim: &ThuliumSim, limit: usize) -> Vec<u64> {
    let mut seen = Vec::new();
    loop {
        let (status, body) = get(
            sim,
            &format!("customers?limit={limit}&offset={}", seen.len()),
        )
        .await;
        assert_eq!(status, 200);
        let page: Vec<u64> = body["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["customer_id"].as_u64().unwrap())
            .collect();
        let short = page.len() < limit;
        seen.extend(page);
        if short {
            return seen;
        }
    }
}

#[tokio::test]
async fn offsets_shift_and_the_reader_misses_customers() {
    let sim = ThuliumSim::start(tenant(changes(1, 3, 5))).await.unwrap();
    let before: BTreeSet<u64> = sim.snapshot().iter().map(|c| c.customer_id).collect();
    assert_eq!(before.len(), 50);
    let seen = read_by_offset(&sim, 10).await;

    // The list is in id order, ascending, with no repeats.
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    let events = sim.mid_read_events();
    assert_eq!(
        events.len(),
        (seen.len() / 10) + 1,
        "one change per page read"
    );
    assert_eq!(events[0].read, 1);
    assert_eq!(events[0].offset, 0);
    assert!(events[0].deleted.is_empty(), "nothing lies below offset 0");
    let mut deleted_total = 0;
    for event in &events {
        assert_eq!(event.added.len(), 3);
        // Every deleted contact lies below the customer the page started at.
        if let Some(first_of_page) = seen.get(event.offset) {
            assert!(
                event.deleted.iter().all(|id| id < first_of_page),
                "{event:?}"
            );
        }
        deleted_total += event.deleted.len();
        for id in &event.deleted {
            assert_eq!(get(&sim, &format!("customers/{id}")).await.0, 410);
        }
    }
    assert!(deleted_total > 0);
    let deleted: BTreeSet<u64> = sim.agent_deleted_ids().into_iter().collect();
    assert_eq!(deleted.len(), deleted_total);

    // Customers present from start to end that the reader never saw: skipped because the
    // offsets shifted under it.
    let after: BTreeSet<u64> = sim.snapshot().iter().map(|c| c.customer_id).collect();
    let seen_set: BTreeSet<u64> = seen.iter().copied().collect();
    let skipped: Vec<u64> = before
        .intersection(&after)
        .filter(|id| !seen_set.contains(id))
        .copied()
        .collect();
    assert!(!skipped.is_empty());
    assert!(skipped.len() <= deleted_total);
    // Added contacts are agent contacts too, listed with what the agents typed.
    assert_eq!(sim.agent_contacts().len(), 50 + 3 * events.len());
    // Agents' own deletions are not "lost values".
    assert!(sim.lost_agent_values().is_empty());
}

#[tokio::test]
async fn same_seed_same_changes_and_filtered_searches_do_not_count() {
    let run = |seed| async move {
        let sim = ThuliumSim::start(tenant(changes(2, 4, seed)))
            .await
            .unwrap();
        // A search with a filter is not a tenant read.
        assert_eq!(
            get(&sim, "customers?email=nobody%40example.pl").await.0,
            200
        );
        assert_eq!(get(&sim, "customers?phone_number=").await.0, 200);
        assert!(sim.mid_read_events().is_empty());
        read_by_offset(&sim, 8).await;
        sim.mid_read_events()
    };
    let first: Vec<MidReadEvent> = run(9).await;
    let again = run(9).await;
    assert_eq!(first, again);
    // Every second tenant read.
    assert!(first.iter().all(|e| e.read % 2 == 0), "{first:?}");
    let other = run(10).await;
    assert_ne!(
        first.iter().map(|e| &e.deleted).collect::<Vec<_>>(),
        other.iter().map(|e| &e.deleted).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn switched_on_and_off_at_run_time() {
    let mut config = tenant(changes(1, 2, 1));
    config.mid_read_changes = None;
    let sim = ThuliumSim::start(config).await.unwrap();
    let seen = read_by_offset(&sim, 10).await;
    assert_eq!(seen, (1..=50).collect::<Vec<u64>>());
    sim.set_mid_read_changes(Some(changes(1, 2, 1)));
    let seen = read_by_offset(&sim, 10).await;
    // 2 added on the first page; from then on 2 added and 2 deleted on every page.
    assert_eq!(sim.customer_count(), 52);
    let missed = sim
        .snapshot()
        .iter()
        .filter(|c| !seen.contains(&c.customer_id))
        .count();
    assert!(missed > 0, "the reader misses some");
    sim.set_mid_read_changes(None);
    let events = sim.mid_read_events().len();
    read_by_offset(&sim, 10).await;
    assert_eq!(sim.mid_read_events().len(), events);
}

#[tokio::test]
async fn realistic_tenant_changes_under_the_real_client() {
    let config = SandboxConfig::realistic(
        &GeneratorConfig {
            seed: 4,
            customers: 300,
            orders: 0,
            ..GeneratorConfig::default()
        },
        &AgentContacts::new(200, 0.3),
    )
    .with_mid_read_changes(changes(1, 6, 2));
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = thulium_client::ThuliumClient::builder(sandbox.thulium_url.clone())
        .credentials(&sandbox.thulium_user, &sandbox.thulium_password)
        .build()
        .unwrap();
    // Bare-array pages without a total: the client reads until a short page.
    let read: Vec<u64> = client
        .customers()
        .search()
        .page_size(25)
        .stream()
        .map_ok(|c| c.customer_id)
        .try_collect()
        .await
        .unwrap();
    let thulium = sandbox.thulium();
    let events = thulium.mid_read_events();
    assert!(events.len() >= 8, "{}", events.len());
    let present: BTreeSet<u64> = thulium.snapshot().iter().map(|c| c.customer_id).collect();
    let missed = present.iter().filter(|id| !read.contains(id)).count();
    assert!(missed > 0, "the offset reader missed customers that exist");
    // New contacts come from the shop's customers: some of them are shop clients.
    let added: BTreeSet<u64> = events.iter().flat_map(|e| e.added.clone()).collect();
    assert!(
        thulium
            .agent_contacts()
            .iter()
            .any(|c| added.contains(&c.customer_id()) && !c.matches.is_empty())
    );
}
