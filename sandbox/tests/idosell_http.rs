//! The IdoSell simulator through HTTP: filters, paging edges, auth, quirks, orders, changes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use reqwest::StatusCode;
use rust_decimal::Decimal;
use sandbox::generator::{GeneratorConfig, generate};
use sandbox::idosell::{
    ApiKey, CustomerPatch, Level, Module, NewCustomer, NewOrder, Quirks, ShopAddress, ShopSim,
    ShopSimConfig, routes,
};
use serde_json::{Value, json};

async fn shop(customers: usize, orders: usize) -> ShopSim {
    let data = generate(&GeneratorConfig {
        seed: 11,
        customers,
        orders,
        ..Default::default()
    });
    let config = ShopSimConfig {
        api_keys: vec![
            ApiKey::full("full-key"),
            ApiKey::scoped("oms-only", &[(Module::Oms, Level::Read)]),
            ApiKey::scoped("crm-read", &[(Module::Crm, Level::Read)]),
        ],
        quirks: Quirks::none(),
        ..ShopSimConfig::default()
    }
    .with_data(data);
    ShopSim::start(config).await.unwrap()
}

async fn get(shop: &ShopSim, path_and_query: &str, key: &str) -> (StatusCode, Value) {
    let url = format!("{}api/admin/v6/{path_and_query}", shop.url());
    let response = reqwest::Client::new()
        .get(url)
        .header("X-API-KEY", key)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn send(
    shop: &ShopSim,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let url = format!("{}api/admin/v7/{path}", shop.url());
    let response = reqwest::Client::new()
        .request(method, url)
        .header("X-API-KEY", shop.api_key())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn ids(results: &Value) -> Vec<u64> {
    results
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clientId"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn lists_clients_by_ids_and_pages_to_the_end() {
    let shop = shop(250, 0).await;
    let (status, body) = get(&shop, "clients/clients?clientsIds=5,3,999", "full-key").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&body["results"]), vec![3, 5]);
    assert_eq!(body["resultsNumberAll"], 2);
    let expected_email = shop.customer(3).unwrap().email.unwrap_or_default();
    assert_eq!(body["results"][0]["clientEmail"], json!(expected_email));

    // 250 customers, 100 per page: pages 0, 1, 2 (50 items), then 207.
    let (status, body) = get(
        &shop,
        "clients/clients?resultsPage=2&resultsLimit=100",
        "full-key",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["resultsNumberAll"], 250);
    assert_eq!(body["resultsNumberPage"], 3);
    assert_eq!(ids(&body["results"]), (201..=250).collect::<Vec<_>>());
    let (status, body) = get(&shop, "clients/clients?resultsPage=3", "full-key").await;
    assert_eq!(status, StatusCode::MULTI_STATUS);
    assert_eq!(body["errors"]["faultCode"], 2);
    assert!(body.get("results").is_none());
    assert_eq!(shop.counters().get("GET", routes::CLIENTS), 3);
}

#[tokio::test]
async fn rejects_bad_limits_versions_and_keys() {
    let shop = shop(10, 0).await;
    for limit in ["0", "101", "abc"] {
        let (status, body) = get(
            &shop,
            &format!("clients/clients?resultsLimit={limit}"),
            "full-key",
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "limit {limit}");
        assert!(
            body["errors"]["faultString"]
                .as_str()
                .unwrap()
                .contains("resultsLimit")
        );
    }
    let (status, _) = get(&shop, "clients/clients?resultsLimit=100", "full-key").await;
    assert_eq!(status, StatusCode::OK);
    let response = reqwest::get(format!("{}api/admin/v4/clients/clients", shop.url()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (status, body) = get(&shop, "clients/clients", "wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errors"]["faultCode"], 1);
    let (status, body) = get(&shop, "clients/clients", "oms-only").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Scope: crm, level: r")
    );
    let url = format!("{}api/admin/v6/clients/clients", shop.url());
    let response = reqwest::Client::new()
        .put(url)
        .header("X-API-KEY", "crm-read")
        .json(&json!({"params": {"clients": [{"clientId": 1, "clientCity": "Opole"}]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response.headers()["x-error"]
            .to_str()
            .unwrap()
            .contains("Scope: crm, level: rw")
    );
    assert_eq!(
        shop.customer(1)
            .unwrap()
            .billing
            .city
            .as_deref()
            .map(|c| c == "Opole"),
        Some(false)
    );
}

#[tokio::test]
async fn filters_by_text_phone_activity_shop_and_dates() {
    let shop = shop(400, 0).await;
    let customers = shop.customers();
    let with_phone = customers
        .iter()
        .find(|c| {
            c.billing
                .phone1
                .as_deref()
                .is_some_and(|p| p.starts_with("+48 "))
        })
        .unwrap();
    let digits: String = with_phone
        .billing
        .phone1
        .as_deref()
        .unwrap()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let national = &digits[2..];
    let (status, body) = get(
        &shop,
        &format!("clients/clients?clientTextSearch={national}"),
        "full-key",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(ids(&body["results"]).contains(&with_phone.client_id));

    let last_name = with_phone.billing.last_name.clone().unwrap();
    let (_, body) = get(
        &shop,
        &format!(
            "clients/clients?clientTextSearch={}",
            urlencode(&last_name.to_uppercase())
        ),
        "full-key",
    )
    .await;
    let expected: Vec<u64> = customers
        .iter()
        .filter(|c| {
            [
                &c.billing.first_name,
                &c.billing.last_name,
                &c.billing.firm,
                &c.email,
            ]
            .iter()
            .any(|f| {
                f.as_deref()
                    .is_some_and(|v| v.to_lowercase().contains(&last_name.to_lowercase()))
            }) || c.login.to_lowercase().contains(&last_name.to_lowercase())
        })
        .map(|c| c.client_id)
        .collect();
    assert_eq!(body["resultsNumberAll"], json!(expected.len()));

    let inactive = customers.iter().filter(|c| !c.is_active).count();
    let (_, body) = get(&shop, "clients/clients?clientIsActive=no", "full-key").await;
    assert_eq!(body["resultsNumberAll"], json!(inactive));
    let in_shop_2 = customers.iter().filter(|c| c.shop_ids.contains(&2)).count();
    let (_, body) = get(&shop, "clients/clients?shopId=2", "full-key").await;
    assert_eq!(body["resultsNumberAll"], json!(in_shop_2));

    // Modification range by date-time and by date (date end = whole day).
    let pivot = customers[10].last_modified;
    let begin = pivot.format("%Y-%m-%d %H:%M:%S").to_string();
    let expected = customers
        .iter()
        .filter(|c| c.last_modified >= pivot)
        .count();
    let (_, body) = get(
        &shop,
        &format!(
            "clients/clients?clientsLastModificationDate%5BclientsLastModificationDateBegin%5D={}",
            urlencode(&begin)
        ),
        "full-key",
    )
    .await;
    assert_eq!(body["resultsNumberAll"], json!(expected));
    let day = pivot.date();
    let expected = customers
        .iter()
        .filter(|c| c.last_modified.date() <= day)
        .count();
    let (_, body) = get(
        &shop,
        &format!(
            "clients/clients?clientsLastModificationDate[clientsLastModificationDateEnd]={day}"
        ),
        "full-key",
    )
    .await;
    assert_eq!(body["resultsNumberAll"], json!(expected));
    let expected = customers
        .iter()
        .filter(|c| c.registration_date == day)
        .count();
    let (status, body) = get(&shop, &format!("clients/clients?clientRegistrationDate[clientRegistrationDateBegin]={day}&clientRegistrationDate[clientRegistrationDateEnd]={day}"), "full-key").await;
    if expected == 0 {
        assert_eq!(status, StatusCode::MULTI_STATUS);
    } else {
        assert_eq!(body["resultsNumberAll"], json!(expected));
    }
    let (status, _) = get(
        &shop,
        "clients/clients?clientsLastModificationDate[clientsLastModificationDateBegin]=yesterday",
        "full-key",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (_, body) = get(
        &shop,
        "clients/clients?clientsIds=1&returnElements=clientId,clientEmail",
        "full-key",
    )
    .await;
    let keys: Vec<&String> = body["results"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["clientEmail", "clientId"]);
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn quirks_switch_the_php_serialisation() {
    let shop = shop(0, 0).await;
    let customer = shop
        .register_customer(NewCustomer {
            email: None,
            billing: ShopAddress {
                first_name: Some("Łucja".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
    let query = format!("clients/clients?clientsIds={}", customer.client_id);
    let (_, clean) = get(&shop, &query, "full-key").await;
    let client = &clean["results"][0];
    assert_eq!(client["clientId"], json!(customer.client_id));
    assert_eq!(client["clientEmail"], "");
    assert_eq!(client["operator"], json!({}));
    assert_eq!(client["clientPersonalData"]["clientBirthDate"], Value::Null);
    assert_eq!(client["clientBillingAddress"]["clientFirstName"], "Łucja");

    shop.set_quirks(Quirks::all());
    let (_, php) = get(&shop, &query, "full-key").await;
    let client = &php["results"][0];
    assert_eq!(client["clientId"], json!(customer.client_id.to_string()));
    assert!(client.get("clientEmail").is_none());
    assert_eq!(client["operator"], json!([]));
    assert_eq!(
        client["clientPersonalData"]["clientBirthDate"],
        "0000-00-00"
    );
    assert_eq!(php["resultsNumberAll"], 1, "paging counters stay numbers");
}

#[tokio::test]
async fn changes_through_http_advance_modification_dates() {
    let shop = shop(5, 0).await;
    let start = shop.clock().now();
    let (status, body) = send(&shop, reqwest::Method::POST, "clients/clients", json!({"params": {"clients": [
        {"login": "ania.k", "email": "ania@example.pl", "firstname": "Anna", "lastname": "Kowalska", "street": "ul. Długa 1", "zipcode": "00-001", "city": "Warszawa", "country_code": "PL", "phone": "601 234 567"},
        {"login": "ania.k", "email": "dup@example.pl"}
    ]}})).await;
    assert_eq!(status, StatusCode::MULTI_STATUS, "{body}");
    let created = &body["results"]["clients"][0];
    assert_eq!(created["faultCode"], 0);
    assert_eq!(body["results"]["clients"][1]["faultCode"], 3);
    let id = created["clientId"].as_u64().unwrap();
    let stored = shop.customer(id).unwrap();
    assert_eq!(stored.billing.last_name.as_deref(), Some("Kowalska"));
    assert!(stored.last_modified >= start);

    let (status, _) = send(
        &shop,
        reqwest::Method::PUT,
        "clients/clients",
        json!({"params": {"clients": [
            {"clientId": id, "clientCity": "Kraków", "clientZipCode": "30-001"}
        ]}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let updated = shop.customer(id).unwrap();
    assert_eq!(updated.billing.city.as_deref(), Some("Kraków"));
    assert!(updated.last_modified > stored.last_modified);

    // Only the changed customer is in a window starting after the first change.
    let since = stored.last_modified.format("%Y-%m-%d %H:%M:%S").to_string();
    let (_, body) = get(
        &shop,
        &format!(
            "clients/clients?clientsLastModificationDate[clientsLastModificationDateBegin]={}",
            urlencode(&since)
        ),
        "full-key",
    )
    .await;
    assert_eq!(ids(&body["results"]), vec![id]);

    let (status, body) = send(&shop, reqwest::Method::POST, "orders/orders", json!({"params": {"orders": [
        {"clientId": id, "products": [{"productName": "Kubek", "productQuantity": 2, "productOrderPrice": "10.50"}], "orderDeliveryCost": 9.99}
    ]}})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let serial = body["results"]["ordersResults"][0]["orderSerialNumber"]
        .as_u64()
        .unwrap();
    let order = shop.order(serial).unwrap();
    assert_eq!(order.total(), Decimal::new(3099, 2));
    let (status, _) = send(
        &shop,
        reqwest::Method::PUT,
        "orders/orders",
        json!({"params": {"orders": [
            {"orderSerialNumber": serial, "orderStatus": "packed"}
        ]}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let changed = shop.order(serial).unwrap();
    assert_eq!(changed.status, "packed");
    assert!(changed.change_date > order.change_date);
}

#[tokio::test]
async fn direct_helpers_change_the_served_data() {
    let shop = shop(3, 0).await;
    let before = shop.customer(2).unwrap();
    let patch = CustomerPatch {
        street: Some("ul. Nowa 5".into()),
        ..Default::default()
    };
    let after = shop.edit_customer(2, &patch).unwrap();
    assert!(after.last_modified > before.last_modified);
    let order = shop
        .add_order(NewOrder::simple(2, Decimal::from(100)))
        .unwrap();
    let moved = shop
        .set_order_status(order.serial_number, "finished")
        .unwrap();
    assert!(moved.dispatch_date.is_some());
    let (_, body) = get(
        &shop,
        &format!("orders/orders?ordersSerialNumbers={}", order.serial_number),
        "full-key",
    )
    .await;
    assert_eq!(
        body["Results"][0]["orderDetails"]["orderStatus"],
        "finished"
    );
    assert_eq!(
        body["Results"][0]["clientResult"]["clientBillingAddress"]["clientStreet"],
        "ul. Nowa 5"
    );
}

#[tokio::test]
async fn the_crm_search_answers_in_the_documented_v6_shape() {
    let shop = shop(40, 10).await;
    let (status, body) = send(
        &shop,
        reqwest::Method::POST,
        "clients/crm/search",
        json!({"params": {"resultsLimit": 100}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let records = body["clientsResults"].as_array().unwrap();
    assert_eq!(records.len(), 40);
    for record in records {
        assert!(record.get("clientBillingAddress").is_none(), "{record}");
        for key in [
            "clientId",
            "clientFirstName",
            "clientLastName",
            "clientPhone1",
            "clientPhone2",
            "clientNip",
            "clientFirm",
            "clientCountryId",
            "clientCodeExternal",
        ] {
            assert!(record.get(key).is_some(), "{key} missing: {record}");
        }
        let kind = record["clientType"].as_str().unwrap();
        assert!(
            ["person", "person_male", "person_female", "firm"].contains(&kind),
            "{kind}"
        );
    }
}

#[tokio::test]
async fn documented_order_search_values_are_accepted() {
    let shop = shop(30, 120).await;
    for date_type in ["payment", "last_payments_operation", "declared_payments"] {
        let (status, body) = send(
            &shop,
            reqwest::Method::POST,
            "orders/orders/search",
            json!({"params": {"ordersRange": {"ordersDateRange": {
                "ordersDateType": date_type,
                "ordersDateBegin": "2000-01-01 00:00:00",
                "ordersDateEnd": "2100-01-01 00:00:00"}}}}),
        )
        .await;
        assert!(status.is_success(), "{date_type}: {status} {body}");
    }
    for element in ["id", "ready_to_send_date", "discount_code"] {
        let (status, body) = send(
            &shop,
            reqwest::Method::POST,
            "orders/orders/search",
            json!({"params": {"ordersBy": [{"elementName": element, "sortDirection": "ASC"}]}}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{element}: {body}");
        let first = &body["Results"][0];
        // Per-order `errors` is a list of `{faultCode, faultString}`.
        assert_eq!(first["errors"][0]["faultCode"], json!(0), "{first}");
    }
    let (status, body) = get(&shop, "orders/orders?orderExternalId=ERP-1", "full-key").await;
    assert_eq!(status, StatusCode::MULTI_STATUS, "{body}");
    assert_eq!(body["errors"]["faultCode"], json!(2), "{body}");
}

#[tokio::test]
async fn return_elements_may_name_nested_fields_and_auction_items_are_objects() {
    let shop = shop(10, 200).await;
    let (status, body) = get(
        &shop,
        "clients/clients?returnElements=clientId,clientPhone1",
        "full-key",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let record = &body["results"][0];
    let keys: Vec<&String> = record.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["clientBillingAddress", "clientId"], "{record}");
    let billing: Vec<&String> = record["clientBillingAddress"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(billing, ["clientPhone1"]);

    let (_, body) = send(
        &shop,
        reqwest::Method::POST,
        "orders/orders/search",
        json!({"params": {"orderSource": {"auctionsParams": {"auctionsServicesNames": ["allegro"]}}}}),
    )
    .await;
    let order = &body["Results"][0];
    let items = order["orderDetails"]["auctionInfo"]["auctionItemsIds"]
        .as_array()
        .unwrap();
    assert!(!items.is_empty(), "{order}");
    assert!(
        items.iter().all(|i| i["auctionItemId"].is_string()),
        "{items:?}"
    );
}
