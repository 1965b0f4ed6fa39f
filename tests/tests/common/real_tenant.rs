//! A realistic tenant and how to compare its final state: agent-made contacts, registered +
//! guest pairs, every Thulium quirk on; the tenant keyed so that runs compare whatever ids
//! Thulium gave the contacts they created.

use std::collections::{BTreeMap, HashMap};

use sandbox::generator::{AgentContacts, GeneratorConfig};
use sandbox::thulium::CustomerRecord;
use sandbox::{Sandbox, SandboxConfig};

use super::{shop_id_of, shop_ids};

/// The seed of every realistic sandbox.
pub const SEED: u64 = 41;

/// A shop of `customers` (three orders each, 10 % registered + guest pairs) and a tenant of
/// `agents` agent-made contacts, 30 % of them overlapping shop clients.
pub async fn realistic(customers: usize, agents: usize) -> Sandbox {
    let config = SandboxConfig::realistic(
        &GeneratorConfig {
            seed: SEED,
            customers,
            orders: customers * 3,
            guest_pair_share: 0.1,
            ..GeneratorConfig::default()
        },
        &AgentContacts {
            seed: SEED,
            ..AgentContacts::new(agents, 0.3)
        },
    );
    Sandbox::start(config).await.expect("sandbox starts")
}

/// The tenant without what Thulium generates: shop customers by shop ID (marked when they
/// live on an adopted agent contact, with that contact's id, which is stable), untouched agent
/// contacts by their id. Panics if a shop ID is on two contacts.
pub fn canonical(sandbox: &Sandbox, first_created: u64) -> BTreeMap<String, CustomerRecord> {
    let mut tenant = BTreeMap::new();
    for mut record in sandbox.thulium().snapshot() {
        let key = match shop_id_of(&record) {
            Some(shop_id) if record.customer_id < first_created => {
                format!("shop {shop_id:>6} on agent contact {}", record.customer_id)
            }
            Some(shop_id) => format!("shop {shop_id:>6}"),
            None => format!("agent contact {}", record.customer_id),
        };
        let id = record.customer_id;
        record.customer_id = 0;
        record.updated_at.clear();
        let previous = tenant.insert(key.clone(), record);
        assert!(previous.is_none(), "two contacts carry {key} (one is {id})");
    }
    tenant
}

/// The first key where two tenants differ, for the failure message.
pub fn first_difference(
    got: &BTreeMap<String, CustomerRecord>,
    want: &BTreeMap<String, CustomerRecord>,
) -> String {
    let keys: std::collections::BTreeSet<&String> = got.keys().chain(want.keys()).collect();
    keys.into_iter()
        .find(|k| got.get(*k) != want.get(*k))
        .map(|k| format!("{k}: got {:?}, want {:?}", got.get(k), want.get(k)))
        .unwrap_or_default()
}

/// The id the tenant will give its next contact (agent contacts are seeded first).
pub fn next_id(sandbox: &Sandbox) -> u64 {
    sandbox
        .thulium()
        .snapshot()
        .iter()
        .map(|r| r.customer_id)
        .max()
        .unwrap_or(0)
        + 1
}

/// What must hold of any finished sync of a realistic tenant.
pub fn assert_sound(sandbox: &Sandbox, tenant: &BTreeMap<String, CustomerRecord>) {
    let shop = shop_ids(sandbox);
    let held: Vec<u64> = tenant.values().filter_map(shop_id_of).collect();
    assert_eq!(held.len(), shop.len(), "every shop client exactly once");
    // No contact adopted without an exact e-mail or phone in common.
    let agents: HashMap<u64, Vec<u64>> = sandbox
        .thulium()
        .agent_contacts()
        .into_iter()
        .map(|a| (a.record.customer_id, a.matches))
        .collect();
    for record in sandbox.thulium().snapshot() {
        if let (Some(matches), Some(holder)) =
            (agents.get(&record.customer_id), shop_id_of(&record))
        {
            assert!(
                matches.contains(&holder),
                "agent contact {} adopted by client {holder}, which it does not match ({matches:?})",
                record.customer_id
            );
        }
    }
    let lost = sandbox.thulium().lost_agent_values();
    let described: Vec<String> = sandbox
        .thulium()
        .agent_contacts()
        .into_iter()
        .filter(|a| lost.iter().any(|l| l.customer_id == a.record.customer_id))
        .map(|a| {
            format!(
                "{} {:?} typed {:?} {:?}",
                a.record.customer_id, a.kind, a.record.emails, a.record.phones
            )
        })
        .collect();
    assert!(
        lost.is_empty(),
        "agent-entered values lost: {lost:?} ({described:?})"
    );
}
