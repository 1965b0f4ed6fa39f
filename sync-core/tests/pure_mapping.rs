//! Mapping, order summaries, planning and the card on real-looking shop data
//! (diacritics, firms, guests, Allegro, Amazon, gmail `+` tags), decoded from the API's
//! own JSON shape.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use iai_shop_client::{Client, Order};
use serde_json::{Value, json};
use sync_core::config::{IntegrationConfig, Locale, OrdersGroupConfig};
use sync_core::mapping::{MappingIssue, SurnameSource, map_customer};
use sync_core::order_summary::OrderSummary;
use sync_core::plan::{PlanAction, PlanInput, needs_lookup, plan_customer};
use sync_core::{card::CustomerCard, fingerprint::Fingerprint};
use thulium_client::{CustomFieldValue, Customer};
use url::Url;

fn config() -> IntegrationConfig {
    let mut config = IntegrationConfig::new(
        "Sklep Główny",
        Url::parse("https://client1234.idosell.com").unwrap(),
    );
    config.fields.allegro_login = Some("Allegro login".into());
    config
}

fn client(value: Value) -> Client {
    serde_json::from_value(value).unwrap()
}

fn order(value: Value) -> Order {
    serde_json::from_value(value).unwrap()
}

fn zofia() -> Client {
    client(json!({
        "clientId": 1042, "clientLogin": "zofia.w", "clientEmail": "Zofia.Wisniewska@WP.PL",
        "clientType": "female", "isUnregistered": "n",
        "clientBillingAddress": {
            "clientFirstName": "Zofia", "clientLastName": "Wiśniewska-Żółć",
            "clientFirm": "", "clientNip": "",
            "clientStreet": "ul. Długa 5/7", "clientZipCode": "00-238", "clientCity": "Warszawa",
            "clientCountryId": "pl", "clientPhone1": "601 234 567", "clientPhone2": "+48 22 628 12 34"
        }
    }))
}

fn allegro_order(serial: u64, date: &str, relay: &str) -> Order {
    order(json!({
        "orderId": format!("shop1-{serial}"), "orderSerialNumber": serial, "orderType": "n",
        "clientResult": {
            "clientAccount": {"clientId": 1042, "clientEmail": relay, "clientPhone1": "0048601234567"},
            "clientBillingAddress": {"clientFirstName": "Zofia", "clientLastName": "Wiśniewska-Żółć",
                "clientCountryId": "pl"},
            "clientDeliveryAddress": {"clientDeliveryAddressFirstName": "Zofia",
                "clientDeliveryAddressLastName": "Wiśniewska-Żółć",
                "clientDeliveryAddressStreet": "ul. Długa 5/7",
                "clientDeliveryAddressZipCode": "00-238", "clientDeliveryAddressCity": "Warszawa",
                "clientDeliveryAddressCountry": "Polska", "clientDeliveryAddressType": "client"}
        },
        "orderDetails": {
            "orderStatus": "finished", "orderAddDate": date,
            "payments": {"orderPaymentType": "prepaid", "orderCurrency": {"currencyId": "PLN",
                "orderProductsCost": 149.99, "orderDeliveryCost": 12.5, "orderPayformCost": 0,
                "orderInsuranceCost": 0.01}},
            "orderSourceResults": {"orderSourceType": "auction", "auctionsServiceName": "allegro"},
            "auctionInfo": {"auctionClientId": "88771", "auctionClientLogin": "zosia_kupuje",
                "auctionClientEmail": relay}
        }
    }))
}

fn shop_order(serial: u64, date: &str, status: &str) -> Order {
    order(json!({
        "orderId": format!("shop1-{serial}"), "orderSerialNumber": serial,
        "clientResult": {
            "clientAccount": {"clientId": 1042, "clientEmail": "zofia.wisniewska@wp.pl"},
            "clientBillingAddress": {},
            "clientDeliveryAddress": {"clientDeliveryAddressType": "pickupPoint",
                "clientDeliveryAddressCity": "Kraków"},
            "clientPickupPointAddress": {"pickupPointId": "KRA01M", "name": "Paczkomat KRA01M",
                "street": "Rynek Główny 1", "zipCode": "31-042", "city": "Kraków"}
        },
        "orderDetails": {
            "orderStatus": status, "orderAddDate": date,
            "payments": {"orderCurrency": {"currencyId": "EUR", "orderProductsCost": "10.10",
                "orderDeliveryCost": "0.2", "orderPayformCost": "0", "orderInsuranceCost": "0"}},
            "orderSourceResults": {"orderSourceType": "shop"}
        }
    }))
}

#[test]
fn registered_customer_with_allegro_orders() {
    let orders = [
        allegro_order(
            501,
            "2025-01-10 09:00:00",
            "8awgqyk6a5+cub31c122@allegromail.pl",
        ),
        allegro_order(
            733,
            "2025-03-02 18:45:10",
            "8awgqyk6a5+x9y8z7w6@allegromail.pl",
        ),
        shop_order(640, "2025-02-14 12:00:00", "canceled"),
    ];
    let mapped = map_customer(&zofia(), &orders, &config());
    let input = &mapped.input;
    assert_eq!(mapped.client_id, 1042);
    assert_eq!(input.name.as_deref(), Some("Zofia"));
    assert_eq!(input.surname.as_deref(), Some("Wiśniewska-Żółć"));
    // The client's own address first, then the newest order's relay address and its alias,
    // then older ones; the alias appears once.
    assert_eq!(
        input.email,
        [
            "Zofia.Wisniewska@wp.pl",
            "8awgqyk6a5+x9y8z7w6@allegromail.pl",
            "8awgqyk6a5@allegromail.pl",
            "8awgqyk6a5+cub31c122@allegromail.pl",
        ]
    );
    // Three spellings of the mobile collapse to one.
    assert_eq!(input.phone_number, ["+48601234567", "+48226281234"]);
    let address = input.address.as_ref().unwrap();
    assert_eq!(address.street.as_deref(), Some("ul. Długa"));
    assert_eq!(address.building.as_deref(), Some("5"));
    assert_eq!(address.flat.as_deref(), Some("7"));
    assert_eq!(address.postcode.as_deref(), Some("00-238"));
    assert_eq!(address.country.as_deref(), Some("PL"));
    assert_eq!(
        input.custom_fields["IAI Shop ID"],
        CustomFieldValue::Number(1042)
    );
    assert_eq!(
        input.custom_fields["IAI Shop last order date"],
        CustomFieldValue::Date(NaiveDate::from_ymd_opt(2025, 3, 2).unwrap())
    );
    assert_eq!(
        input.custom_fields["Allegro login"],
        CustomFieldValue::Text("zosia_kupuje".into())
    );
    assert!(input.fill_read_only_custom_fields);
    assert_eq!(mapped.issues, []);
}

#[test]
fn firm_without_a_person_uses_the_firm_as_surname() {
    let firm = client(json!({
        "clientId": 77, "clientLogin": "biuro-hurt", "clientEmail": "faktury@hurtownia-łódź.pl",
        "clientType": "firm",
        "clientBillingAddress": {"clientFirm": "Hurtownia Łódź Sp. z o.o.", "clientNip": "PL 725-18-01-126",
            "clientStreet": "Aleje Jerozolimskie 123A m. 4", "clientZipCode": "02-017",
            "clientCity": "Warszawa", "clientCountryId": "PL", "clientPhone1": "42 630 11 22 wew. 15"}
    }));
    let mapped = map_customer(&firm, &[], &config());
    assert_eq!(mapped.input.name, None);
    assert_eq!(
        mapped.input.surname.as_deref(),
        Some("Hurtownia Łódź Sp. z o.o.")
    );
    assert_eq!(mapped.input.nip.as_deref(), Some("PL7251801126"));
    assert_eq!(mapped.input.email, ["faktury@hurtownia-łódź.pl"]);
    assert_eq!(mapped.input.phone_number, Vec::<String>::new());
    let address = mapped.input.address.as_ref().unwrap();
    assert_eq!(
        (
            address.street.as_deref(),
            address.building.as_deref(),
            address.flat.as_deref()
        ),
        (Some("Aleje Jerozolimskie"), Some("123A"), Some("4"))
    );
    // No orders: the last-order date is not sent at all.
    assert!(
        !mapped
            .input
            .custom_fields
            .contains_key("IAI Shop last order date")
    );
    assert_eq!(
        mapped.issues,
        [
            MappingIssue::InvalidPhone {
                raw: "42 630 11 22 wew. 15".into(),
                reason: "contains characters that are not digits".into()
            },
            MappingIssue::SurnameFallback {
                source: SurnameSource::Firm
            },
        ]
    );
}

#[test]
fn guest_with_an_empty_billing_block_takes_names_from_the_latest_order() {
    let guest = client(json!({
        "clientId": 9001, "clientLogin": "guest_9001", "clientEmail": "anna+sklep@gmail.com",
        "isUnregistered": "y", "clientBillingAddress": []
    }));
    let older = order(json!({"orderId": "a", "orderSerialNumber": 1,
        "clientResult": {"clientBillingAddress": {"clientFirstName": "Ania", "clientLastName": "Stara"}},
        "orderDetails": {"orderStatus": "finished", "orderAddDate": "2024-01-01 10:00:00"}}));
    let newer = order(json!({"orderId": "b", "orderSerialNumber": 2,
        "clientResult": {"clientBillingAddress": {"clientFirstName": "Anna", "clientLastName": "Nowak",
            "clientStreet": "12 Baker Street", "clientCity": "London", "clientCountryId": "gb",
            "clientPhone1": "020 7946 0958"}},
        "orderDetails": {"orderStatus": "new", "orderAddDate": "2025-05-05 10:00:00"}}));
    let mapped = map_customer(&guest, &[older, newer], &config());
    assert_eq!(mapped.input.name.as_deref(), Some("Anna"));
    assert_eq!(mapped.input.surname.as_deref(), Some("Nowak"));
    // A gmail tag is not a relay: kept exactly, no variant.
    assert_eq!(mapped.input.email, ["anna+sklep@gmail.com"]);
    // The phone is read with the order's own country (GB), not the default PL.
    assert_eq!(mapped.input.phone_number, ["+442079460958"]);
    assert_eq!(
        mapped
            .input
            .address
            .as_ref()
            .and_then(|a| a.street.as_deref()),
        Some("12 Baker Street")
    );
    assert_eq!(
        mapped.issues,
        [MappingIssue::StreetNotSplit {
            line: "12 Baker Street".into()
        }]
    );
}

#[test]
fn amazon_relay_and_nameless_guest_fall_back_to_the_email() {
    let guest = client(
        json!({"clientId": 5, "clientLogin": "g5", "isUnregistered": "y",
        "clientEmail": "sn1i9ljql7+7w5e1s4+a05056221zodtbjjfaapk@marketplace.amazon.de"}),
    );
    let mapped = map_customer(&guest, &[], &config());
    assert_eq!(
        mapped.input.email,
        [
            "sn1i9ljql7+7w5e1s4+a05056221zodtbjjfaapk@marketplace.amazon.de",
            "sn1i9ljql7+7w5e1s4@marketplace.amazon.de"
        ]
    );
    // The guest's generated login is not a name; the e-mail's local part is the last resort
    // before a placeholder.
    assert_eq!(
        mapped.input.surname.as_deref(),
        Some("sn1i9ljql7+7w5e1s4+a05056221zodtbjjfaapk")
    );
    let empty = client(json!({"clientId": 6, "clientEmail": "not-an-address"}));
    let mapped = map_customer(&empty, &[], &config());
    assert_eq!(mapped.input.surname.as_deref(), Some("Klient 6"));
    assert_eq!(mapped.input.email, Vec::<String>::new());
    assert!(
        matches!(&mapped.issues[0], MappingIssue::InvalidEmail { raw, .. } if raw == "not-an-address")
    );
}

#[test]
fn order_summary_of_a_pickup_point_order() {
    let mut config = config();
    config.locale = Locale::En;
    let summary =
        OrderSummary::from_order(&shop_order(640, "2025-02-14 12:00:00", "canceled"), &config);
    assert_eq!(summary.serial_number, 640);
    assert_eq!(summary.status.label, "Cancelled by the customer");
    assert_eq!(summary.status.severity.css_class(), "status-danger");
    assert_eq!(
        summary.delivery.as_deref(),
        Some("Paczkomat KRA01M, Rynek Główny 1, 31-042 Kraków [KRA01M]")
    );
    assert!(summary.is_pickup_point);
    assert_eq!(summary.total_display(Locale::En), "10.30 EUR");
    assert_eq!(summary.total_display(Locale::Pl), "10,30 EUR");
    assert_eq!(
        summary.edit_link,
        "https://client1234.idosell.com/panel/orderd.php?idt=640"
    );

    let group = OrdersGroupConfig {
        link: String::new(),
        ..OrdersGroupConfig::new("Orders")
    };
    let values = summary.group_values(&group, Locale::En);
    assert_eq!(
        values,
        [
            ("Number".to_owned(), "640".to_owned()),
            ("Status".to_owned(), "Cancelled by the customer".to_owned()),
            ("Date".to_owned(), "2025-02-14 12:00".to_owned()),
            (
                "Delivery address".to_owned(),
                "Paczkomat KRA01M, Rynek Główny 1, 31-042 Kraków [KRA01M]".to_owned()
            ),
            ("Amount".to_owned(), "10.30 EUR".to_owned()),
        ]
    );
}

#[test]
fn order_summary_of_a_home_delivery_sums_the_four_costs() {
    let summary = OrderSummary::from_order(
        &allegro_order(733, "2025-03-02 18:45:10", "x+1@allegromail.pl"),
        &config(),
    );
    assert_eq!(
        summary.total.as_ref().map(|t| t.amount.to_string()),
        Some("162.50".into())
    );
    assert_eq!(summary.status.label, "Zrealizowane");
    assert_eq!(summary.marketplace.as_deref(), Some("allegro"));
    assert_eq!(
        summary.delivery.as_deref(),
        Some("Zofia Wiśniewska-Żółć, ul. Długa 5/7, 00-238 Warszawa, Polska")
    );
    assert!(!summary.is_pickup_point);
}

fn thulium(id: u64, custom_fields: Value) -> Customer {
    serde_json::from_value(
        json!({"customer_id": id, "surname": "X", "custom_fields": custom_fields}),
    )
    .unwrap()
}

#[test]
fn planning_a_mapped_customer_through_its_lifecycle() {
    let config = config();
    let mapped = map_customer(&zofia(), &[], &config);
    let desired = &mapped.input;
    let plan =
        |linked, last: Option<&Fingerprint>, by_id: &[Customer], by_fallback: &[Customer]| {
            plan_customer(
                &PlanInput {
                    shop_client_id: 1042,
                    desired,
                    linked_customer_id: linked,
                    last_fingerprint: last,
                    by_id,
                    by_fallback,
                    held_by_others: &[],
                    adopted_by_others: &[],
                },
                &config,
            )
            .action
        };
    // Nothing in Thulium: create.
    assert_eq!(plan(None, None, &[], &[]), PlanAction::Create);
    // Found by e-mail, unclaimed: adopt it; the e-mail already matches, the rest differs.
    let by_mail: Customer = serde_json::from_value(json!({"customer_id": 31, "name": "Zofia",
        "surname": "Wiśniewska-Żółć", "email": "zofia.wisniewska@wp.pl", "phone_number": "601234567",
        "phone_numbers": ["601234567", "22 628 12 34"],
        "custom_fields": {"IAI Shop ID": null, "IAI Shop last order date": null}})).unwrap();
    let PlanAction::Adopt {
        customer_id,
        changes,
    } = plan(None, None, &[], std::slice::from_ref(&by_mail))
    else {
        panic!("expected an adoption");
    };
    assert_eq!(customer_id, 31);
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    assert!(fields.contains(&"custom_fields.IAI Shop ID"), "{fields:?}");
    assert!(
        !fields.contains(&"email")
            && !fields.contains(&"phone_number")
            && !fields.contains(&"surname"),
        "{fields:?}"
    );
    // A match by e-mail that carries another shop customer's ID is not ours: create instead.
    assert_eq!(
        plan(
            None,
            None,
            &[],
            &[thulium(32, json!({"IAI Shop ID": "999"}))]
        ),
        PlanAction::Create
    );
    // Two unclaimed matches: a contact of its own (the engine reports a conflict note).
    assert_eq!(
        plan(
            None,
            None,
            &[],
            &[
                thulium(40, json!({})),
                thulium(33, json!({"IAI Shop ID": null})),
                thulium(40, json!({}))
            ]
        ),
        PlanAction::Create
    );
    // Two customers with the same shop ID: the linked one, never a stop (plus a note).
    let written = Fingerprint::of_customer(desired);
    assert_eq!(
        plan(
            Some(31),
            Some(&written),
            &[
                thulium(31, json!({"IAI Shop ID": 1042})),
                thulium(35, json!({"IAI Shop ID": 1042}))
            ],
            &[]
        ),
        PlanAction::Skip { customer_id: 31 }
    );
    // Linked and unchanged: skip, and the engine need not even look it up.
    assert!(!needs_lookup(Some(31), Some(&written), desired));
    assert_eq!(
        plan(Some(31), Some(&written), &[], &[]),
        PlanAction::Skip { customer_id: 31 }
    );
    // The ID field now points at another customer than the state's link: update that one.
    assert!(matches!(
        plan(
            Some(31),
            Some(&written),
            &[thulium(50, json!({"IAI Shop ID": 1042}))],
            &[]
        ),
        PlanAction::Update {
            customer_id: 50,
            ..
        }
    ));
    // Changed data: update the linked customer.
    let mut changed = desired.clone();
    changed.surname = Some("Nowak".into());
    assert!(needs_lookup(Some(31), Some(&written), &changed));
}

#[test]
fn card_renders_escaped_html_and_json() {
    let mut nasty = zofia();
    nasty.billing.first_name = Some("<script>alert('x')</script>".into());
    nasty.billing.firm = Some("Kowalski & Syn \"Ogrody\"".into());
    let orders: Vec<Order> = (0..12)
        .map(|i| {
            allegro_order(
                100 + i,
                &format!("2025-01-{:02} 10:00:00", i + 1),
                "q+w@allegromail.pl",
            )
        })
        .collect();
    let card = CustomerCard::build(&nasty, &orders, &config());
    assert_eq!(card.orders.len(), 10);
    assert_eq!(card.orders_total, 12);
    assert_eq!(card.orders[0].serial_number, 111, "newest first");
    assert_eq!(
        card.shop_link,
        "https://client1234.idosell.com/panel/client.php?id=1042"
    );

    let html = card.to_html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script>"), "shop text must be escaped");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("Kowalski &amp; Syn &quot;Ogrody&quot;"));
    assert!(html.contains("href=\"https://client1234.idosell.com/panel/orderd.php?idt=111\""));
    assert!(html.contains("Pokaż klienta w panelu sklepu"));
    assert!(html.contains("status-success"));
    assert!(
        !html.contains("http://") && !html.contains("src="),
        "no external assets"
    );
    assert_eq!(html.matches("orderd.php?idt=").count(), 10);

    let json = card.to_json();
    assert_eq!(json["client_id"], 1042);
    assert_eq!(json["orders"][0]["serial_number"], 111);
    assert_eq!(json["orders"][0]["total"]["amount"], "162.50");
    assert_eq!(json["orders"][0]["status"]["severity"], "success");
    assert_eq!(
        json["emails"][1], "q@allegromail.pl",
        "the stable alias, not the relay"
    );
    assert_eq!(json["per_order_relay_emails"][0]["count"], 1);
}

#[test]
fn configs_side_by_side_share_nothing() {
    let first = config();
    let mut second = config();
    second.name = "Outlet".into();
    second.fields.shop_id = "IAI Shop ID (outlet)".into();
    second.panel_url = Url::parse("https://outlet.iai-shop.com/").unwrap();
    let a = map_customer(&zofia(), &[], &first);
    let b = map_customer(&zofia(), &[], &second);
    assert!(a.input.custom_fields.contains_key("IAI Shop ID"));
    assert!(b.input.custom_fields.contains_key("IAI Shop ID (outlet)"));
    assert!(!b.input.custom_fields.contains_key("IAI Shop ID"));
    assert_eq!(
        second.order_link(1),
        "https://outlet.iai-shop.com/panel/orderd.php?idt=1"
    );
    assert_eq!(
        first.order_link(1),
        "https://client1234.idosell.com/panel/orderd.php?idt=1"
    );
}
