//! Agent-made contacts in the Thulium tenant, read over HTTP: overlaps written the agents'
//! way, extra values, decoys, two-client contacts, no shop ID; and the lost-value check.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures::TryStreamExt;
use sandbox::generator::{
    AgentContact, AgentContactKind, AgentContacts, GeneratorConfig, national_number,
};
use sandbox::idosell::ShopCustomer;
use sandbox::thulium::ThuliumQuirks;
use sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

fn agents() -> AgentContacts {
    AgentContacts {
        count: 300,
        overlap_share: 0.4,
        extra_values_share: 0.3,
        decoy_share: 0.06,
        two_clients_share: 0.03,
        seed: 7,
    }
}

fn shop() -> GeneratorConfig {
    GeneratorConfig {
        seed: 3,
        customers: 400,
        orders: 0,
        ..GeneratorConfig::default()
    }
}

async fn start() -> Sandbox {
    Sandbox::start(SandboxConfig::realistic(&shop(), &agents()))
        .await
        .unwrap()
}

struct Http {
    http: reqwest::Client,
    sandbox: Sandbox,
}

impl Http {
    fn new(sandbox: Sandbox) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        Self { http, sandbox }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(
                method,
                self.sandbox
                    .thulium_url
                    .join(&format!("api/{path}"))
                    .unwrap(),
            )
            .basic_auth(
                &self.sandbox.thulium_user,
                Some(&self.sandbox.thulium_password),
            )
    }

    async fn get(&self, path: &str) -> Value {
        let response = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn put(&self, id: u64, body: Value) {
        let response = self
            .request(reqwest::Method::PUT, &format!("customers/{id}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
    }

    /// Every customer as the list serves it (a bare array under the quirks), by id.
    async fn tenant(&self) -> HashMap<u64, Value> {
        let mut all = HashMap::new();
        let mut offset = 0;
        loop {
            let page = self
                .get(&format!(
                    "customers?limit=100&offset={offset}&include_custom_fields=1"
                ))
                .await;
            let items = page.as_array().expect("a bare array under the quirks");
            for item in items {
                all.insert(item["customer_id"].as_u64().unwrap(), item.clone());
            }
            if items.len() < 100 {
                return all;
            }
            offset += items.len();
        }
    }

    async fn search_ids(&self, query: &str) -> HashSet<u64> {
        let body = self.get(&format!("customers?{query}")).await;
        let items = match &body {
            Value::Array(items) => items.clone(),
            other => other["result"].as_array().unwrap().clone(),
        };
        items
            .iter()
            .map(|c| c["customer_id"].as_u64().unwrap())
            .collect()
    }
}

fn phone_format(phone: &str) -> &'static str {
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    let b = phone.as_bytes();
    if phone.len() == 11 && b[3] == b' ' && b[7] == b' ' {
        "601 234 567"
    } else if digits(phone, 9) {
        "601234567"
    } else if digits(phone, 11) && phone.starts_with("48") {
        "48601234567"
    } else if phone.starts_with("+48 ") && phone.len() == 15 && b[7] == b'-' && b[11] == b'-' {
        "+48 601-234-567"
    } else if digits(phone, 13) && phone.starts_with("0048") {
        "0048601234567"
    } else {
        "other"
    }
}

fn shop_email(customers: &HashMap<u64, ShopCustomer>, id: u64) -> String {
    customers[&id].email.clone().unwrap().trim().to_lowercase()
}

#[tokio::test]
async fn tenant_holds_agent_contacts_as_typed_without_shop_id() {
    let api = Http::new(start().await);
    let contacts = api.sandbox.thulium().agent_contacts();
    assert_eq!(contacts.len(), 300);
    let tenant = api.tenant().await;
    assert_eq!(tenant.len(), 300);
    let kinds = |f: fn(AgentContactKind) -> bool| contacts.iter().filter(|c| f(c.kind)).count();
    assert_eq!(kinds(AgentContactKind::overlaps_one_client), 120);
    assert_eq!(kinds(|k| k == AgentContactKind::Decoy), 18);
    assert_eq!(kinds(|k| k == AgentContactKind::TwoClients), 9);

    let mut formats = HashSet::new();
    let (mut spaced, mut recased) = (0, 0);
    for contact in &contacts {
        let read = &tenant[&contact.customer_id()];
        // What came out is what the agent typed: phones as written, the first e-mail with
        // its spaces and case, and no shop ID.
        assert_eq!(read["custom_fields"]["IAI Shop ID"], Value::Null);
        let phones: Vec<&str> = read["phone_numbers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(phones, contact.phones());
        assert_eq!(
            read["email"].as_str().unwrap(),
            contact.emails().first().map_or("", String::as_str)
        );
        for phone in contact.phones() {
            formats.insert(phone_format(phone));
        }
        for email in contact.emails() {
            spaced += usize::from(email.trim() != email);
            recased += usize::from(email.trim() != email.trim().to_lowercase());
        }
    }
    assert_eq!(
        formats,
        HashSet::from([
            "601 234 567",
            "601234567",
            "48601234567",
            "+48 601-234-567",
            "0048601234567"
        ])
    );
    assert!(spaced > 5 && recased > 5, "{spaced} {recased}");
}

#[tokio::test]
async fn overlaps_decoys_and_two_client_contacts_relate_to_the_shop_as_described() {
    let api = Http::new(start().await);
    let shop: HashMap<u64, ShopCustomer> = api
        .sandbox
        .shop()
        .customers()
        .into_iter()
        .map(|c| (c.client_id, c))
        .collect();
    let shop_emails: HashSet<String> = shop
        .values()
        .filter_map(|c| c.email.as_deref())
        .map(|e| e.trim().to_lowercase())
        .collect();
    let shop_phones: HashSet<String> = shop
        .values()
        .flat_map(|c| [&c.billing.phone1, &c.billing.phone2])
        .filter_map(|p| p.as_deref().and_then(national_number))
        .collect();
    let contacts = api.sandbox.thulium().agent_contacts();
    let mut hidden_shop_email = 0;
    let mut with_extras = 0;
    for contact in &contacts {
        let emails: Vec<String> = contact
            .emails()
            .iter()
            .map(|e| e.trim().to_lowercase())
            .collect();
        let phones: Vec<String> = contact
            .phones()
            .iter()
            .filter_map(|p| national_number(p))
            .collect();
        match contact.kind {
            kind if kind.overlaps_one_client() => {
                assert!(!contact.matches.is_empty(), "{contact:?}");
                let same = |id: &u64| {
                    let client = &shop[id];
                    let email = client
                        .email
                        .as_deref()
                        .is_some_and(|e| emails.contains(&e.trim().to_lowercase()));
                    let phone = [&client.billing.phone1, &client.billing.phone2]
                        .iter()
                        .filter_map(|p| p.as_deref().and_then(national_number))
                        .any(|n| phones.contains(&n));
                    (email, phone)
                };
                let wanted = match kind {
                    AgentContactKind::SameEmail => (true, false),
                    AgentContactKind::SamePhone => (false, true),
                    _ => (true, true),
                };
                assert!(
                    contact
                        .matches
                        .iter()
                        .map(same)
                        .any(|(e, p)| (e || !wanted.0) && (p || !wanted.1)),
                    "{contact:?}"
                );
            }
            AgentContactKind::Decoy => {
                let of = shop_email(&shop, contact.decoy_of.unwrap());
                assert!(
                    emails[0].contains(&of) && emails[0] != of,
                    "{emails:?} / {of}"
                );
                assert!(contact.matches.is_empty(), "{contact:?}");
            }
            AgentContactKind::TwoClients => assert!(contact.matches.len() >= 2),
            _ => assert!(contact.matches.is_empty(), "{contact:?}"),
        }
        // Extra values are unknown to the shop.
        for extra in &contact.extra_values {
            assert!(!shop_emails.contains(&extra.trim().to_lowercase()));
            assert!(national_number(extra).is_none_or(|n| !shop_phones.contains(&n)));
        }
        with_extras += usize::from(!contact.extra_values.is_empty());
        // A read shows the first e-mail only: sometimes that is the agent's extra one and
        // the shop's address stays hidden.
        if contact.kind.overlaps_one_client()
            && emails.len() > 1
            && contact.extra_values.contains(&contact.emails()[0])
        {
            hidden_shop_email += 1;
        }
    }
    assert!((60..=120).contains(&with_extras), "{with_extras}");
    assert!(hidden_shop_email > 0);

    // Through HTTP, a decoy is found by a substring search for the shop address and not by
    // an exact one.
    let decoy = contacts
        .iter()
        .find(|c| c.kind == AgentContactKind::Decoy)
        .unwrap();
    let wanted = shop_email(&shop, decoy.decoy_of.unwrap());
    let query = format!("email={}", urlencode(&wanted));
    assert!(api.search_ids(&query).await.contains(&decoy.customer_id()));
    api.sandbox.thulium().set_quirks(ThuliumQuirks::default());
    assert!(!api.search_ids(&query).await.contains(&decoy.customer_id()));
    // An exact search still finds an overlapping contact written with spaces or capitals.
    let overlap = contacts
        .iter()
        .find(|c| c.kind == AgentContactKind::SameEmail && c.emails().iter().any(|e| e.trim() != e))
        .unwrap();
    let email = shop_email(&shop, overlap.matches[0]);
    assert!(
        api.search_ids(&format!("email={}", urlencode(&email)))
            .await
            .contains(&overlap.customer_id())
    );
}

#[tokio::test]
async fn lost_agent_values_name_what_a_write_dropped() {
    let api = Http::new(start().await);
    let thulium = api.sandbox.thulium();
    assert!(thulium.lost_agent_values().is_empty());
    let contacts: Vec<AgentContact> = thulium.agent_contacts();
    let with_two_emails = contacts
        .iter()
        .find(|c| c.emails().len() == 2 && !c.phones().is_empty())
        .unwrap();
    let id = with_two_emails.customer_id();
    let national = national_number(&with_two_emails.phones()[0]).unwrap();
    // Keep the second e-mail (trimmed, another case) and the phone in another format:
    // nothing is lost. Drop the first e-mail: that one is reported.
    let kept_email = with_two_emails.emails()[1].trim().to_uppercase();
    api.put(
        id,
        json!({"email": [kept_email], "phone_number": [format!("+48{national}")]}),
    )
    .await;
    let lost = thulium.lost_agent_values();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(lost[0].customer_id, id);
    assert_eq!(lost[0].value, with_two_emails.emails()[0]);
    assert!(lost[0].is_email);
    // A contact deleted through the API loses everything.
    let other = contacts.iter().find(|c| c.customer_id() != id).unwrap();
    let deleted = api
        .request(
            reqwest::Method::DELETE,
            &format!("customers/{}", other.customer_id()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let lost = thulium.lost_agent_values();
    assert_eq!(
        lost.len(),
        1 + other.emails().len() + other.phones().len(),
        "{lost:?}"
    );
}

#[tokio::test]
async fn agent_contacts_read_through_the_client_with_count_less_lists() {
    let sandbox = start().await;
    let client = thulium_client::ThuliumClient::builder(sandbox.thulium_url.clone())
        .credentials(&sandbox.thulium_user, &sandbox.thulium_password)
        .build()
        .unwrap();
    let read: Vec<thulium_client::Customer> = client
        .customers()
        .search()
        .page_size(70)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<u64> = read.iter().map(|c| c.customer_id).collect();
    let expected: Vec<u64> = sandbox
        .thulium()
        .agent_contacts()
        .iter()
        .map(AgentContact::customer_id)
        .collect();
    assert_eq!(ids, expected, "every contact once, in id order");
}

#[test]
fn same_seed_same_contacts_other_seed_other_contacts() {
    let shop = sandbox::generator::generate(&shop());
    let a = sandbox::generator::agent_contacts(&shop.customers, &agents());
    let b = sandbox::generator::agent_contacts(&shop.customers, &agents());
    assert_eq!(a, b);
    let c = sandbox::generator::agent_contacts(
        &shop.customers,
        &AgentContacts {
            seed: 8,
            ..agents()
        },
    );
    assert_ne!(a, c);
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
