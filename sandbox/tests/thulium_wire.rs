//! The Thulium simulator on the wire (reqwest + serde_json): CRUD, read shape, search,
//! paging, validation, auth, batch, field groups, faults and counters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sandbox::faults::Fault;
use sandbox::thulium::{
    CustomFieldDef, CustomFieldKind, RestrictedUser, ThuliumSim, ThuliumSimConfig,
};
use serde_json::{Value, json};

struct Api {
    sim: ThuliumSim,
    http: reqwest::Client,
}

impl Api {
    async fn start(config: ThuliumSimConfig) -> Self {
        let sim = ThuliumSim::start(config).await.unwrap();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        Self { sim, http }
    }

    async fn default() -> Self {
        Self::start(tenant_config()).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}api/{path}", self.sim.url())
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .basic_auth(self.sim.user(), Some(self.sim.password()))
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method, path);
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

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn create(&self, body: Value) -> u64 {
        let (status, value) = self
            .send(reqwest::Method::POST, "customers", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{value}");
        value["customer_id"].as_u64().unwrap()
    }

    async fn search_ids(&self, query: &str) -> (u64, Vec<u64>) {
        let (status, value) = self.get(&format!("customers?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{value}");
        let ids = value["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["customer_id"].as_u64().unwrap())
            .collect();
        (value["count"].as_u64().unwrap(), ids)
    }
}

fn tenant_config() -> ThuliumSimConfig {
    let mut config = ThuliumSimConfig::default();
    config
        .custom_fields
        .push(CustomFieldDef::new("Miasto", CustomFieldKind::Text));
    config
        .custom_fields
        .push(CustomFieldDef::read_only("Segment", CustomFieldKind::Text));
    config.restricted_user = Some(RestrictedUser {
        user: "reader".into(),
        password: "reader-pass".into(),
        allowed_methods: vec!["GET".into()],
    });
    config
}

fn assert_thulium_error(
    status: StatusCode,
    body: &Value,
    expected_status: u16,
    expected_codes: &[u64],
) {
    assert_eq!(status.as_u16(), expected_status, "{body}");
    let request_id = body["request_id"].as_str().unwrap();
    assert_eq!(request_id.len(), 13);
    let codes: Vec<u64> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, expected_codes, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

#[tokio::test]
async fn create_read_update_delete_round_trip() {
    let api = Api::default().await;
    let id = api
        .create(json!({
            "name": "Zażółć", "surname": "Gęślą-Jaźń",
            "email": ["pierwszy@example.pl", "drugi@example.pl"],
            "phone_number": ["+48 601 234 567", "22-333-44-55"],
            "identifier": "shop-1:17",
            "address": {"street": "Długa", "building": "5", "postcode": "00-001", "city": "Kraków", "country": "PL"},
            "custom_fields": {"IAI Shop ID": 17, "IAI Shop last order date": "2025-03-01", "Allegro login": "kupiec_1"}
        }))
        .await;

    let (status, plain) = api.get(&format!("customers/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(plain["customer_id"], id);
    assert_eq!(plain["name"], "Zażółć");
    assert_eq!(
        plain["email"], "pierwszy@example.pl",
        "only the first e-mail is shown"
    );
    assert_eq!(plain["phone_number"], "+48601234567");
    assert_eq!(plain["phone_numbers"], json!(["+48601234567", "223334455"]));
    assert_eq!(plain["company_id"], "");
    assert_eq!(plain["nip"], "");
    assert_eq!(plain["type"], "");
    assert!(plain.get("custom_fields").is_none());
    assert!(plain.get("address").is_none());

    let (_, full) = api
        .get(&format!(
            "customers/{id}?include_custom_fields=1&include_address=true"
        ))
        .await;
    assert_eq!(
        full["custom_fields"],
        json!({"IAI Shop ID": "17", "IAI Shop last order date": "2025-03-01", "Allegro login": "kupiec_1",
               "Miasto": null, "Segment": null})
    );
    assert_eq!(full["address"]["city"], "Kraków");
    assert_eq!(full["address"]["flat"], "");
    assert_eq!(full["address"]["voivodship"], "");

    let (status, body) = api
        .send(
            reqwest::Method::PUT,
            &format!("customers/{id}"),
            Some(json!({"email": "nowy@example.pl", "company_id": 5, "custom_fields": {"IAI Shop ID": null}})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);
    let stored = api.sim.customer(id).unwrap();
    assert_eq!(stored.emails, ["nowy@example.pl"]);
    assert_eq!(
        stored.phones.len(),
        2,
        "keys absent from an update are kept"
    );
    assert_eq!(stored.company_id, Some(5));
    assert_eq!(stored.surname.as_deref(), Some("Gęślą-Jaźń"));
    assert!(!stored.custom_fields.contains_key("IAI Shop ID"));
    assert_eq!(stored.custom_fields["Allegro login"], "kupiec_1");

    let (status, _) = api
        .send(reqwest::Method::DELETE, &format!("customers/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = api.get(&format!("customers/{id}")).await;
    assert_thulium_error(status, &body, 410, &[410]);
    let (status, body) = api.get("customers/999").await;
    assert_thulium_error(status, &body, 404, &[404]);
    let (status, body) = api.get("customers/abc").await;
    assert_thulium_error(status, &body, 404, &[404]);
    assert_eq!(api.sim.customer_count(), 0);
}

#[tokio::test]
async fn every_email_is_searchable_and_kept_in_snapshots() {
    let api = Api::default().await;
    let id = api
        .create(json!({"surname": "Nowak", "email": ["a@x.pl", "a+allegro@allegromail.pl"]}))
        .await;
    let single = api
        .create(json!({"surname": "Kowal", "email": "solo@x.pl"}))
        .await;
    assert_eq!(
        api.search_ids("email=A%2Ballegro%40allegromail.pl").await,
        (1, vec![id])
    );
    assert_eq!(api.search_ids("email=a@x.pl").await, (1, vec![id]));
    assert_eq!(api.search_ids("email=solo@x.pl").await, (1, vec![single]));
    let snapshot = api.sim.snapshot();
    assert_eq!(snapshot.len(), 2);
    assert_eq!(snapshot[0].emails, ["a@x.pl", "a+allegro@allegromail.pl"]);
}

#[tokio::test]
async fn search_filters_and_custom_field_alternatives() {
    let api = Api::default().await;
    let krakow = api
        .create(json!({"surname": "A", "phone_number": "601234567", "nip": "5260001246", "type": "Firma",
                       "custom_fields": {"Miasto": "Kraków", "IAI Shop ID": 1}}))
        .await;
    let lodz = api
        .create(
            json!({"surname": "B", "identifier": "ext-2", "group": "VIP",
                       "custom_fields": {"Miasto": "Łódź", "IAI Shop ID": 2}}),
        )
        .await;
    let gdansk = api
        .create(
            json!({"surname": "C", "phone_number": "+48 22 111 22 33", "company_id": 9,
                       "custom_fields": {"Miasto": "Gdańsk"}}),
        )
        .await;

    let alternatives = "custom_fields%5BMiasto%5D%5B0%5D=Krak%C3%B3w&custom_fields%5BMiasto%5D%5B1%5D=%C5%81%C3%B3d%C5%BA";
    assert_eq!(api.search_ids(alternatives).await, (2, vec![krakow, lodz]));
    // Unencoded brackets work too; different fields AND.
    assert_eq!(
        api.search_ids("custom_fields[Miasto][0]=Krak%C3%B3w&custom_fields[Miasto][1]=Gda%C5%84sk&custom_fields[IAI Shop ID]=1").await,
        (1, vec![krakow])
    );
    assert_eq!(
        api.search_ids("custom_fields[IAI Shop ID]=2").await,
        (1, vec![lodz])
    );
    assert_eq!(
        api.search_ids("custom_fields[IAI Shop ID]=").await,
        (1, vec![gdansk])
    );
    assert_eq!(
        api.search_ids("phone_number=601234567").await,
        (1, vec![krakow])
    );
    assert_eq!(
        api.search_ids("phone_number=%2B48221112233").await,
        (1, vec![gdansk])
    );
    assert_eq!(api.search_ids("phone_number=").await, (1, vec![lodz]));
    assert_eq!(api.search_ids("identifier=ext-2").await, (1, vec![lodz]));
    assert_eq!(
        api.search_ids("identifier=").await,
        (2, vec![krakow, gdansk])
    );
    assert_eq!(api.search_ids("nip=5260001246").await, (1, vec![krakow]));
    assert_eq!(api.search_ids("company_id=9").await, (1, vec![gdansk]));
    assert_eq!(api.search_ids("type=Firma").await, (1, vec![krakow]));
    assert_eq!(api.search_ids("group=VIP").await, (1, vec![lodz]));
    assert_eq!(api.search_ids("email=nobody@x.pl").await, (0, vec![]));

    let (status, body) = api.get("customers?custom_fields[Nieznane]=1").await;
    assert_thulium_error(status, &body, 400, &[100_003]);
    let (_, body) = api
        .get("customers?custom_fields[Miasto]=Kraków&include_custom_fields=1")
        .await;
    assert_eq!(body["result"][0]["custom_fields"]["Miasto"], "Kraków");
}

#[tokio::test]
async fn paging_edges() {
    let mut config = tenant_config();
    config.initial_customers = (1..=250)
        .map(|i| sandbox::thulium::CustomerRecord {
            surname: Some(format!("S{i}")),
            ..Default::default()
        })
        .collect();
    let api = Api::start(config).await;
    let (count, ids) = api.search_ids("").await;
    assert_eq!((count, ids.len()), (250, 100), "default limit is 100");
    assert_eq!(ids.first(), Some(&1));
    let (_, ids) = api.search_ids("limit=1000").await;
    assert_eq!(ids.len(), 250);
    let (count, ids) = api.search_ids("limit=100&offset=200").await;
    assert_eq!((count, ids), (250, (201..=250).collect()));
    let (count, ids) = api.search_ids("offset=250").await;
    assert_eq!((count, ids), (250, vec![]));
    let (status, body) = api.get("customers?limit=1001").await;
    assert_thulium_error(status, &body, 400, &[100_008]);
    let (status, body) = api.get("customers?limit=0").await;
    assert_thulium_error(status, &body, 400, &[100_007]);
    let (status, body) = api.get("customers?offset=-1").await;
    assert_thulium_error(status, &body, 400, &[100_007]);
}

#[tokio::test]
async fn validation_errors_list_every_problem() {
    let api = Api::default().await;
    let (status, body) = api
        .send(
            reqwest::Method::POST,
            "customers",
            Some(json!({"name": "Bez nazwiska", "email": "not-an-email", "phone_number": "12ab",
                        "custom_fields": {"Nieznane": 1, "IAI Shop ID": "dwanaście", "IAI Shop last order date": "2025-02-30"}})),
        )
        .await;
    assert_thulium_error(
        status,
        &body,
        400,
        &[100_006, 111_111, 100_004, 100_005, 100_003, 100_002],
    );
    assert_eq!(api.sim.customer_count(), 0);

    let (status, body) = api
        .send(reqwest::Method::POST, "customers", Some(json!("text")))
        .await;
    assert_thulium_error(status, &body, 400, &[100_001]);
    let raw = api
        .request(reqwest::Method::POST, "customers")
        .body("{broken")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);

    // A numeric string is a number; read-only fields are skipped unless asked for.
    let id = api
        .create(json!({"surname": "X", "custom_fields": {"IAI Shop ID": "42", "Segment": "gold"}}))
        .await;
    assert_eq!(
        api.sim.customer(id).unwrap().custom_fields.get("Segment"),
        None
    );
    assert_eq!(
        api.sim.customer(id).unwrap().custom_fields["IAI Shop ID"],
        json!(42)
    );
    let (status, _) = api
        .send(
            reqwest::Method::PUT,
            &format!("customers/{id}"),
            Some(
                json!({"custom_fields": {"Segment": "gold"}, "fill_read_only_custom_fields": true}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        api.sim.customer(id).unwrap().custom_fields["Segment"],
        "gold"
    );
    let (status, body) = api
        .send(
            reqwest::Method::PUT,
            &format!("customers/{id}"),
            Some(json!({"surname": ""})),
        )
        .await;
    assert_thulium_error(status, &body, 400, &[100_002]);
}

#[tokio::test]
async fn auth_401_and_403() {
    let api = Api::default().await;
    let url = api.url("customers");
    let anonymous = api.http.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    let wrong = api
        .http
        .get(&url)
        .basic_auth(api.sim.user(), Some("nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], 401);

    let reader_get = api
        .http
        .get(&url)
        .basic_auth("reader", Some("reader-pass"))
        .send()
        .await
        .unwrap();
    assert_eq!(reader_get.status(), StatusCode::OK);
    let reader_post = api
        .http
        .post(&url)
        .basic_auth("reader", Some("reader-pass"))
        .json(&json!({"surname": "Nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reader_post.status(), StatusCode::FORBIDDEN);
    let body: Value = reader_post.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], 403);
    assert_eq!(api.sim.customer_count(), 0);
}

#[tokio::test]
async fn batch_answers_207_per_item_in_order() {
    let api = Api::default().await;
    let (status, body) = api
        .send(
            reqwest::Method::POST,
            "batch/customers",
            Some(json!({"customers": [
                {"surname": "Pierwszy", "email": "p@x.pl"},
                {"name": "Bez nazwiska"},
                {"surname": "Trzeci", "custom_fields": {"IAI Shop ID": 3}}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::MULTI_STATUS);
    let items = body.as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["status"], 201);
    assert_eq!(items[1]["status"], 400);
    assert_eq!(items[1]["errors"][0]["code"], 100_002);
    assert_eq!(items[2]["status"], 201);
    let first = items[0]["customer_id"].as_u64().unwrap();
    let third = items[2]["customer_id"].as_u64().unwrap();
    assert_eq!(api.sim.customer_count(), 2);
    assert_eq!(
        api.sim.customer(third).unwrap().custom_fields["IAI Shop ID"],
        json!(3)
    );

    let (status, body) = api
        .send(
            reqwest::Method::PUT,
            "batch/customers",
            Some(json!({"customers": [
                {"customer_id": third, "name": "Trzecia"},
                {"customer_id": 999, "name": "Nikt"},
                {"name": "Bez id"},
                {"customer_id": first, "custom_fields": {"IAI Shop ID": "x"}}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::MULTI_STATUS);
    let statuses: Vec<u64> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [204, 404, 400, 400]);
    assert_eq!(body[0]["customer_id"], third);
    assert_eq!(
        api.sim.customer(third).unwrap().name.as_deref(),
        Some("Trzecia")
    );

    let (status, body) = api
        .send(
            reqwest::Method::POST,
            "batch/customers",
            Some(json!({"customers": []})),
        )
        .await;
    assert_thulium_error(status, &body, 400, &[100_007]);
}

#[tokio::test]
async fn field_groups_and_items() {
    let api = Api::default().await;
    let customer = api.create(json!({"surname": "Z zamówieniami"})).await;
    let (status, groups) = api.get("customer_field_groups").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(groups[0]["name"], "Orders");
    let fields = groups[0]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 6);
    assert_eq!(fields[0]["name"], "Number");
    let group_id = groups[0]["group_id"].as_u64().unwrap();
    let number_field = fields[0]["field_id"].as_u64().unwrap();
    let status_field = fields[1]["field_id"].as_u64().unwrap();

    let mut item_ids = Vec::new();
    for n in 1..=3 {
        let (status, body) = api
            .send(
                reqwest::Method::POST,
                "customer_field_group_items",
                Some(json!({"group_id": group_id, "customer_id": customer,
                            "values": [{"field_id": number_field, "value": format!("ZAM-{n}")}]})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        item_ids.push(body["item_id"].as_u64().unwrap());
    }
    let (status, body) = api
        .send(
            reqwest::Method::PUT,
            &format!("customer_field_group_items/{}", item_ids[0]),
            Some(json!({"values": [{"field_id": number_field, "value": "ZAM-1"}, {"field_id": status_field, "value": "Wysłane"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = api
        .send(
            reqwest::Method::DELETE,
            &format!("customer_field_group_items/{}", item_ids[2]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (_, list) = api
        .get(&format!(
            "customer_field_group_items?group_id={group_id}&customer_id={customer}&limit=1&offset=1"
        ))
        .await;
    assert_eq!(list["count"], 2);
    assert_eq!(list["result"][0]["item_id"], item_ids[1]);
    assert_eq!(
        list["result"][0]["values"],
        json!([{"field_id": number_field, "value": "ZAM-2"}])
    );

    let snapshot = api.sim.customer(customer).unwrap();
    assert_eq!(snapshot.field_group_items.len(), 2);
    assert_eq!(
        snapshot.field_group_items[0].values[&status_field],
        "Wysłane"
    );

    let (status, body) = api
        .send(
            reqwest::Method::POST,
            "customer_field_group_items",
            Some(json!({"group_id": group_id, "customer_id": customer, "values": [{"field_id": 999, "value": "x"}]})),
        )
        .await;
    assert_thulium_error(status, &body, 400, &[100_009]);
    let (status, body) = api
        .send(
            reqwest::Method::POST,
            "customer_field_group_items",
            Some(json!({"group_id": group_id, "customer_id": 4242, "values": []})),
        )
        .await;
    assert_thulium_error(status, &body, 400, &[100_009]);
    let (status, body) = api
        .send(
            reqwest::Method::DELETE,
            "customer_field_group_items/777",
            None,
        )
        .await;
    assert_thulium_error(status, &body, 404, &[404]);

    api.send(
        reqwest::Method::DELETE,
        &format!("customers/{customer}"),
        None,
    )
    .await;
    let (_, list) = api
        .get(&format!(
            "customer_field_group_items?customer_id={customer}"
        ))
        .await;
    assert_eq!(list["count"], 0, "a deleted customer's items go with it");
}

#[tokio::test]
async fn faults_and_counters_apply_to_thulium_routes() {
    let api = Api::default().await;
    let id = api.create(json!({"surname": "Licznik"})).await;
    api.sim.faults().fail_next(
        "/api/customers/{id}",
        1,
        Fault::RateLimited {
            retry_after_secs: 4,
        },
    );
    api.sim
        .faults()
        .fail_next("/api/customers/{id}", 1, Fault::Status(503));
    let path = format!("customers/{id}");
    let first = api
        .request(reqwest::Method::GET, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(first.headers()["retry-after"], "4");
    let second = api
        .request(reqwest::Method::GET, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.get(&path).await.0, StatusCode::OK);

    api.sim.faults().fail_next(
        "POST /api/customers",
        1,
        Fault::Hang(Duration::from_secs(10)),
    );
    let started = Instant::now();
    let hung = api
        .request(reqwest::Method::POST, "customers")
        .timeout(Duration::from_millis(300))
        .json(&json!({"surname": "Nigdy"}))
        .send()
        .await
        .unwrap_err();
    assert!(hung.is_timeout());
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(api.sim.customer_count(), 1, "a hung create stores nothing");

    let counters = api.sim.counters();
    assert_eq!(counters.get("GET", "/api/customers/{id}"), 3);
    assert_eq!(counters.get("POST", "/api/customers"), 2);
    assert_eq!(counters.total(), 5);
}

#[tokio::test]
async fn loopback_throughput() {
    let mut config = tenant_config();
    let customers = 100_000u64;
    config.initial_customers = (1..=customers)
        .map(|i| sandbox::thulium::CustomerRecord {
            surname: Some(format!("S{i}")),
            emails: vec![format!("k{i}@example.pl")],
            custom_fields: [("IAI Shop ID".to_owned(), json!(i))].into(),
            ..Default::default()
        })
        .collect();
    let api = Api::start(config).await;
    let requests = 2000u64;
    let concurrency = 16u64;
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|worker| {
            let http = api.http.clone();
            let base = api.url("customers");
            let (user, password) = (api.sim.user().to_owned(), api.sim.password().to_owned());
            tokio::spawn(async move {
                for n in 0..requests / concurrency {
                    let id = 1 + (worker * 7919 + n * 104_729) % customers;
                    let query = if n % 2 == 0 {
                        format!("email=k{id}@example.pl")
                    } else {
                        format!(
                            "custom_fields[IAI Shop ID][0]={id}&custom_fields[IAI Shop ID][1]=0"
                        )
                    };
                    let response = http
                        .get(format!("{base}?{query}"))
                        .basic_auth(&user, Some(&password))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), StatusCode::OK);
                    let body: Value = response.json().await.unwrap();
                    assert_eq!(body["count"], 1);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    println!(
        "thulium simulator, {customers} customers: {requests} searches by e-mail / custom field in {elapsed:?} = {:.0} requests/s (16 connections, this build's profile)",
        requests as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(api.sim.counters().get("GET", "/api/customers"), requests);
}
