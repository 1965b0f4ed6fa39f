//! Properties over arbitrary inputs: mapping is total, e-mail variants are stable, the
//! fingerprint ignores order and formatting, and an unchanged customer plans `Skip`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The shop models are `#[non_exhaustive]`: outside their crate they can only be built by
// assigning fields of a default value.
#![allow(clippy::field_reassign_with_default)]

use chrono::{NaiveDate, NaiveDateTime};
use iai_shop_client::{AuctionInfo, BillingAddress, Client, Order};
use proptest::prelude::*;
use sync_core::config::IntegrationConfig;
use sync_core::email::{email_variants, is_relay_domain, normalize_email};
use sync_core::fingerprint::Fingerprint;
use sync_core::mapping::map_customer;
use sync_core::phone::normalize_phone;
use sync_core::plan::{PlanAction, PlanInput, needs_lookup, plan_customer};
use sync_core::street::split_street_line;
use url::Url;

fn config() -> IntegrationConfig {
    let mut config = IntegrationConfig::new("p", Url::parse("https://shop.example.pl").unwrap());
    config.fields.allegro_login = Some("Allegro".into());
    config
}

/// Any text, biased towards the shapes shop data has (names, phones, e-mails, streets).
fn messy_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        ".{0,24}",
        "[A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż .\\-/]{0,20} [0-9]{1,3}[a-zA-Z]?(/[0-9]{1,3})?",
        "[+0-9 ()\\-]{0,16}",
        "[a-zA-Z0-9.+_\\-]{1,12}@[a-zA-Z0-9\\-]{1,8}\\.(pl|com|de)",
        "[a-z0-9]{4,10}\\+[a-z0-9]{2,8}@(allegromail\\.pl|marketplace\\.amazon\\.de)",
    ])
}

fn billing() -> impl Strategy<Value = BillingAddress> {
    (
        prop::collection::vec(messy_text(), 11),
        prop::option::of("[a-zA-Z]{0,3}"),
    )
        .prop_map(|(texts, country)| {
            let mut billing = BillingAddress::default();
            let mut next = texts.into_iter();
            billing.first_name = next.next().flatten();
            billing.last_name = next.next().flatten();
            billing.firm = next.next().flatten();
            billing.nip = next.next().flatten();
            billing.street = next.next().flatten();
            billing.zip_code = next.next().flatten();
            billing.city = next.next().flatten();
            billing.phone1 = next.next().flatten();
            billing.phone2 = next.next().flatten();
            billing.country_name = next.next().flatten();
            billing.country_id = country;
            billing
        })
}

fn date_time() -> impl Strategy<Value = Option<NaiveDateTime>> {
    prop::option::of(
        (2000i32..2030, 1u32..13, 1u32..29, 0u32..24).prop_map(|(y, m, d, h)| {
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        }),
    )
}

fn order() -> impl Strategy<Value = Order> {
    (
        any::<u64>(),
        billing(),
        messy_text(),
        messy_text(),
        messy_text(),
        date_time(),
        any::<bool>(),
    )
        .prop_map(|(serial, billing, email, login, phone, added, allegro)| {
            let mut order = Order::default();
            order.serial_number = serial;
            order.client.billing = billing;
            order.client.account.email = email.clone();
            order.client.account.phone1 = phone;
            order.add_date = added;
            if allegro {
                order.source.auction_service = Some("allegro".into());
                let mut auction = AuctionInfo::default();
                auction.client_email = email;
                auction.client_login = login;
                order.auction_info = Some(auction);
            }
            order
        })
}

fn client() -> impl Strategy<Value = Client> {
    (
        any::<u64>(),
        billing(),
        messy_text(),
        messy_text(),
        any::<bool>(),
    )
        .prop_map(|(id, billing, email, login, guest)| {
            let mut client = Client::default();
            client.client_id = id;
            client.billing = billing;
            client.email = email;
            client.login = login;
            client.is_unregistered = guest;
            client
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn mapping_is_total_and_always_has_a_surname(
        client in client(),
        orders in prop::collection::vec(order(), 0..4),
    ) {
        let mapped = map_customer(&client, &orders, &config());
        let surname = mapped.input.surname.clone().unwrap_or_default();
        prop_assert!(!surname.trim().is_empty());
        // Everything sent is in normal form, without duplicates.
        for email in &mapped.input.email {
            prop_assert_eq!(&normalize_email(email).unwrap(), email);
        }
        for phone in &mapped.input.phone_number {
            prop_assert_eq!(&normalize_phone(phone, "PL").unwrap(), phone);
        }
        let mut phones = mapped.input.phone_number.clone();
        phones.dedup();
        prop_assert_eq!(phones.len(), mapped.input.phone_number.len());
        // The card and the fingerprint are total too.
        let card = sync_core::card::CustomerCard::build(&client, &orders, &config());
        prop_assert!(card.to_html().ends_with("</html>\n"));
        let _ = Fingerprint::of_customer(&mapped.input);
    }

    #[test]
    fn an_unchanged_customer_plans_skip(
        client in client(),
        orders in prop::collection::vec(order(), 0..3),
        linked in 1u64..1_000_000,
    ) {
        let config = config();
        let desired = map_customer(&client, &orders, &config).input;
        // Map again from the same data: what was written last time is what is desired now.
        let written = Fingerprint::of_customer(&map_customer(&client, &orders, &config).input);
        prop_assert!(!needs_lookup(Some(linked), Some(&written), &desired));
        let action = plan_customer(&PlanInput {
            shop_client_id: client.client_id,
            desired: &desired,
            linked_customer_id: Some(linked),
            last_fingerprint: Some(&written),
            by_id: &[],
            by_fallback: &[],
            held_by_others: &[],
            adopted_by_others: &[],
        }, &config).action;
        prop_assert_eq!(action, PlanAction::Skip { customer_id: linked });
    }

    #[test]
    fn variants_contain_the_original_and_are_stable(raw in prop_oneof![
        "[a-zA-Z0-9._\\-]{1,10}(\\+[a-z0-9]{1,6}){0,3}@(allegromail\\.pl|user\\.allegrogroup\\.pl|marketplace\\.amazon\\.(de|co\\.uk)|gmail\\.com|WP\\.PL)",
        " ?.{0,20}@.{0,12} ?",
    ]) {
        if let Ok(variants) = email_variants(&raw) {
            let original = normalize_email(&raw).unwrap();
            prop_assert_eq!(&variants[0], &original);
            // Running again on the normalised original gives the same list.
            prop_assert_eq!(&email_variants(&original).unwrap(), &variants);
            let mut unique = variants.clone();
            unique.dedup();
            prop_assert_eq!(unique.len(), variants.len());
            for variant in &variants {
                prop_assert_eq!(&normalize_email(variant).unwrap(), variant);
            }
            let domain = original.rsplit_once('@').unwrap().1;
            if !is_relay_domain(domain) {
                prop_assert_eq!(variants.len(), 1, "non-relay addresses are untouched");
            }
            // On Allegro (one `+` segment per transaction) the set is closed: expanding a
            // variant adds nothing new.
            if domain.contains("allegro") && original.matches('+').count() <= 1 {
                for variant in &variants {
                    for again in email_variants(variant).unwrap() {
                        prop_assert!(variants.contains(&again));
                    }
                }
            }
        }
    }

    #[test]
    fn fingerprint_ignores_order_and_formatting(
        client in client(),
        orders in prop::collection::vec(order(), 0..3),
        seed in any::<u64>(),
    ) {
        let desired = map_customer(&client, &orders, &config()).input;
        let mut messy = desired.clone();
        let rotate = |list: &mut Vec<String>| {
            if !list.is_empty() {
                let by = (seed as usize) % list.len();
                list.rotate_left(by);
            }
        };
        rotate(&mut messy.email);
        rotate(&mut messy.phone_number);
        messy.email.reverse();
        messy.email = messy.email.iter().map(|e| {
            let (local, domain) = e.rsplit_once('@').unwrap();
            format!("  {local}@{} ", domain.to_uppercase())
        }).collect();
        messy.phone_number.extend(desired.phone_number.first().cloned());
        messy.name = messy.name.map(|n| format!(" {n}  "));
        messy.surname = messy.surname.map(|s| s.replace(' ', "   "));
        prop_assert_eq!(Fingerprint::of_customer(&messy), Fingerprint::of_customer(&desired));
    }

    #[test]
    fn phone_normalisation_is_idempotent(raw in "[+0-9 ()\\-]{0,18}", country in "(PL|DE|GB|CZ|US)") {
        if let Ok(phone) = normalize_phone(&raw, &country) {
            prop_assert!(phone.starts_with('+'));
            prop_assert_eq!(normalize_phone(&phone, &country).unwrap(), phone.clone());
            prop_assert_eq!(normalize_phone(&phone, "PL").unwrap(), phone);
        }
    }

    #[test]
    fn street_split_never_loses_or_invents_text(line in prop_oneof![
        ".{0,40}",
        "[A-Za-zĄŁŚŻąłśż. ]{1,20} [0-9]{1,3}[A-C]?( ?(/|m\\.|lok\\.) ?[0-9]{1,3})?",
    ]) {
        let parts = split_street_line(&line);
        let collapsed = line.split_whitespace().collect::<Vec<_>>().join(" ");
        prop_assert!(collapsed.starts_with(&parts.street), "{:?} -> {:?}", collapsed, parts);
        match (&parts.building, &parts.flat) {
            (None, flat) => {
                prop_assert_eq!(&parts.street, &collapsed);
                prop_assert!(flat.is_none());
            }
            (Some(building), flat) => {
                let rest = &collapsed[parts.street.len()..];
                prop_assert!(rest.contains(building.as_str()));
                prop_assert!(parts.street.chars().any(char::is_alphabetic));
                if let Some(flat) = flat {
                    prop_assert!(rest.ends_with(flat.as_str()));
                } else {
                    prop_assert!(rest.trim_start_matches([' ', ',']) == building.as_str());
                }
            }
        }
    }
}
