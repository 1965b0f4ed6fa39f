//! `ThuliumQuirks` on the wire: list shapes with and without `count`, substring e-mail
//! search, digits-only phone search, phones stored as typed; and the always-on read and
//! update rules (first e-mail only, lists replaced when sent, custom fields by key).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use futures::TryStreamExt;
use reqwest::{Method, StatusCode};
use sandbox::thulium::{CustomerRecord, ListShape, ThuliumQuirks, ThuliumSim, ThuliumSimConfig};
use serde_json::{Value, json};

struct Api {
    sim: ThuliumSim,
    http: reqwest::Client,
}

impl Api {
    async fn start(initial: Vec<CustomerRecord>, quirks: ThuliumQuirks) -> Self {
        let sim = ThuliumSim::start(ThuliumSimConfig {
            initial_customers: initial,
            quirks,
            ..ThuliumSimConfig::default()
        })
        .await
        .unwrap();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        Self { sim, http }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}api/{path}", self.sim.url()))
            .basic_auth(self.sim.user(), Some(self.sim.password()));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let bytes = response.bytes().await.unwrap();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        (status, value)
    }

    async fn get(&self, path: &str) -> Value {
        let (status, value) = self.send(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{value}");
        value
    }

    /// Ids found by a search, whatever the list shape.
    async fn ids(&self, query: &str) -> Vec<u64> {
        let body = self.get(&format!("customers?{query}")).await;
        let items = match &body {
            Value::Array(items) => items,
            other => other["result"].as_array().unwrap(),
        };
        items
            .iter()
            .map(|c| c["customer_id"].as_u64().unwrap())
            .collect()
    }

    async fn create(&self, body: Value) -> u64 {
        let (status, value) = self.send(Method::POST, "customers", Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{value}");
        value["customer_id"].as_u64().unwrap()
    }

    async fn put(&self, id: u64, body: Value) {
        let (status, value) = self
            .send(Method::PUT, &format!("customers/{id}"), Some(body))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{value}");
    }
}

fn person(surname: &str, emails: &[&str], phones: &[&str]) -> CustomerRecord {
    CustomerRecord {
        surname: Some(surname.to_owned()),
        emails: emails.iter().map(|e| (*e).to_owned()).collect(),
        phones: phones.iter().map(|p| (*p).to_owned()).collect(),
        ..CustomerRecord::default()
    }
}

fn quirks(f: impl FnOnce(&mut ThuliumQuirks)) -> ThuliumQuirks {
    let mut quirks = ThuliumQuirks::default();
    f(&mut quirks);
    quirks
}

#[tokio::test]
async fn list_answers_with_and_without_count() {
    let people: Vec<CustomerRecord> = (0..5).map(|i| person(&format!("K{i}"), &[], &[])).collect();
    let api = Api::start(people, ThuliumQuirks::default()).await;
    let body = api.get("customers?limit=2&offset=1").await;
    assert_eq!(body["count"], 5);
    assert_eq!(body["result"].as_array().unwrap().len(), 2);

    api.sim
        .set_quirks(quirks(|q| q.list_shape = ListShape::ResultOnly));
    let body = api.get("customers?limit=2&offset=1").await;
    assert!(body.get("count").is_none(), "{body}");
    let ids: Vec<u64> = body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["customer_id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [2, 3]);

    api.sim
        .set_quirks(quirks(|q| q.list_shape = ListShape::BareArray));
    let body = api.get("customers?limit=2&offset=3").await;
    let ids: Vec<u64> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["customer_id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [4, 5]);

    // The real client pages through both count-less shapes to the end, in id order.
    let client = thulium_client::ThuliumClient::builder(api.sim.url())
        .credentials(api.sim.user(), api.sim.password())
        .build()
        .unwrap();
    for shape in [ListShape::ResultOnly, ListShape::BareArray] {
        api.sim.set_quirks(quirks(|q| q.list_shape = shape));
        let all: Vec<u64> = client
            .customers()
            .search()
            .page_size(2)
            .stream()
            .map_ok(|c| c.customer_id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all, [1, 2, 3, 4, 5], "{shape:?}");
    }
}

#[tokio::test]
async fn email_filter_exact_or_substring() {
    let people = vec![
        person("Bąk", &[" Abak@Yahoo.com "], &[]),
        person("Bąk", &["urszulabak@yahoo.com"], &[]),
        person("Bąk", &["abak@yahoo.com.pl", "other@example.pl"], &[]),
        person("Inny", &["nobody@example.pl"], &[]),
    ];
    let api = Api::start(people, ThuliumQuirks::default()).await;
    // Exact: case and surrounding spaces ignored, nothing else.
    assert_eq!(api.ids("email=abak%40yahoo.com").await, [1]);
    assert_eq!(api.ids("email=ABAK%40YAHOO.COM").await, [1]);
    assert_eq!(api.ids("email=bak%40yahoo").await, Vec::<u64>::new());
    api.sim
        .set_quirks(quirks(|q| q.email_substring_search = true));
    assert_eq!(api.ids("email=abak%40yahoo.com").await, [1, 2, 3]);
    assert_eq!(api.ids("email=BAK%40yahoo").await, [1, 2, 3]);
    // Any stored address counts, not only the one a read shows.
    assert_eq!(api.ids("email=other%40").await, [3]);
    assert_eq!(api.ids("email=example.pl").await, [3, 4]);
}

#[tokio::test]
async fn phone_filter_compares_the_whole_number_as_typed() {
    let people = vec![
        person("A", &[], &["601 234 567"]),
        person("B", &[], &["+48 601-234-567"]),
        person("C", &[], &["0048601234567"]),
        person("D", &[], &["48601234567"]),
        person("E", &[], &["601234567"]),
    ];
    let api = Api::start(people, ThuliumQuirks::default()).await;
    // Default: formatting characters ignored, `+` kept.
    assert_eq!(api.ids("phone_number=%2B48601234567").await, [2]);
    assert_eq!(api.ids("phone_number=601-234-567").await, [1, 5]);
    assert_eq!(api.ids("phone_number=48601234567").await, [4]);
    api.sim
        .set_quirks(quirks(|q| q.phone_search_digits_only = true));
    // Digits only, of the whole number: `+48601234567` does not find `601 234 567`.
    assert_eq!(api.ids("phone_number=%2B48601234567").await, [2, 4]);
    assert_eq!(api.ids("phone_number=601234567").await, [1, 5]);
    assert_eq!(api.ids("phone_number=0048601234567").await, [3]);
    assert_eq!(api.ids("phone_number=234567").await, Vec::<u64>::new());
}

#[tokio::test]
async fn phones_are_stored_as_typed_or_without_formatting() {
    let api = Api::start(Vec::new(), ThuliumQuirks::default()).await;
    let typed = json!({"surname": "Nowak", "phone_number": ["601 234 567", "+48 (22) 123-45-67"]});
    let plain = api.create(typed.clone()).await;
    let read = api.get(&format!("customers/{plain}")).await;
    assert_eq!(read["phone_numbers"], json!(["601234567", "+48221234567"]));

    api.sim.set_quirks(quirks(|q| q.phones_as_typed = true));
    let kept = api.create(typed).await;
    let read = api.get(&format!("customers/{kept}")).await;
    assert_eq!(read["phone_number"], "601 234 567");
    assert_eq!(
        read["phone_numbers"],
        json!(["601 234 567", "+48 (22) 123-45-67"])
    );
    // Batch writes keep them too, and obviously invalid input is still refused.
    let (status, body) = api
        .send(
            Method::POST,
            "batch/customers",
            Some(json!({"customers": [
                {"surname": "A", "phone_number": "0048 601 234 567"},
                {"surname": "B", "phone_number": "tel. 12"}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::MULTI_STATUS);
    assert_eq!(body[0]["status"], 201);
    assert_eq!(body[1]["status"], 400);
    let id = body[0]["customer_id"].as_u64().unwrap();
    assert_eq!(api.sim.customer(id).unwrap().phones, ["0048 601 234 567"]);
}

#[tokio::test]
async fn reads_show_the_first_email_and_updates_replace_what_is_sent() {
    let api = Api::start(Vec::new(), ThuliumQuirks::least_convenient()).await;
    let id = api
        .create(json!({
            "surname": "Kowalska",
            "email": ["first@example.pl", "second@example.pl"],
            "phone_number": ["601 234 567", "22 123 45 67"],
            "custom_fields": {"IAI Shop ID": 17, "Allegro login": "kowalska_1"}
        }))
        .await;
    let read = api
        .get(&format!("customers/{id}?include_custom_fields=1"))
        .await;
    assert_eq!(read["email"], "first@example.pl");
    assert_eq!(read["phone_number"], "601 234 567");
    assert_eq!(
        read["phone_numbers"],
        json!(["601 234 567", "22 123 45 67"])
    );

    // Lists sent replace the stored lists; custom fields sent replace only their keys.
    api.put(
        id,
        json!({"email": ["second@example.pl"], "custom_fields": {"IAI Shop ID": 18}}),
    )
    .await;
    let read = api
        .get(&format!("customers/{id}?include_custom_fields=1"))
        .await;
    assert_eq!(read["email"], "second@example.pl");
    assert_eq!(
        read["phone_numbers"],
        json!(["601 234 567", "22 123 45 67"])
    );
    assert_eq!(read["custom_fields"]["IAI Shop ID"], "18");
    assert_eq!(read["custom_fields"]["Allegro login"], "kowalska_1");

    // Absent keys are kept; `null` clears a list or a field.
    api.put(
        id,
        json!({"phone_number": null, "custom_fields": {"Allegro login": null}}),
    )
    .await;
    let record = api.sim.customer(id).unwrap();
    assert_eq!(record.emails, ["second@example.pl"]);
    assert!(record.phones.is_empty());
    assert_eq!(record.custom_fields.len(), 1);
    let read = api
        .get(&format!("customers/{id}?include_custom_fields=1"))
        .await;
    assert_eq!(read["phone_number"], "");
    assert_eq!(read["custom_fields"]["Allegro login"], Value::Null);

    // The batch update follows the same rules.
    let (status, body) = api
        .send(
            Method::PUT,
            "batch/customers",
            Some(json!({"customers": [{"customer_id": id, "email": ["a@example.pl", "b@example.pl"], "phone_number": "+48 601-234-567"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::MULTI_STATUS);
    assert_eq!(body[0]["status"], 204);
    let record = api.sim.customer(id).unwrap();
    assert_eq!(record.emails, ["a@example.pl", "b@example.pl"]);
    assert_eq!(record.phones, ["+48 601-234-567"]);
    assert_eq!(record.custom_fields["IAI Shop ID"], json!(18));
}

#[test]
fn least_convenient_turns_everything_on_and_default_nothing() {
    let worst = ThuliumQuirks::least_convenient();
    assert_eq!(worst.list_shape, ListShape::BareArray);
    assert!(
        worst.email_substring_search && worst.phone_search_digits_only && worst.phones_as_typed
    );
    let default = ThuliumQuirks::default();
    assert_eq!(default.list_shape, ListShape::CountAndResult);
    assert!(
        !default.email_substring_search
            && !default.phone_search_digits_only
            && !default.phones_as_typed
    );
}
