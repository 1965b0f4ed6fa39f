//! IdoSell → Thulium integration logic.
//!
//! The pure part of this crate (always compiled) turns shop data into what the Thulium CRM
//! should hold, with no I/O, no clock and no randomness, and never panics on bad data:
//!
//! | module | what |
//! |---|---|
//! | [`config`] | [`IntegrationConfig`](config::IntegrationConfig): field names, links, matching; validated |
//! | [`contact_values`] | whose e-mails and phones are on a contact: the shop's (ours) or an agent's |
//! | [`email`] | normalisation and marketplace relay variants (Allegro, Amazon) |
//! | [`phone`] | E.164 normalisation with a documented small rule |
//! | [`street`] | `ul. Długa 5/7` → street, building, flat |
//! | [`mapping`] | shop customer + orders → Thulium `CustomerInput`, with issues reported |
//! | [`order_summary`] / [`status`] | one order as shown to agents; status labels and classes |
//! | [`fingerprint`] | change detection, stable across order and formatting |
//! | [`plan`] | create / update / adopt / skip (with conflict notes), and a printable [`Plan`](plan::Plan) |
//! | [`card`] | the customer card view model, as escaped HTML and JSON |
//! | [`window`] | the incremental modification-date window |
//!
//! The sync engine that drives these over async ports lives in `engine` behind the
//! `engine` feature (its SQLite state store behind `sqlite`, client adapters behind `clients`).
//!
//! # Example: map a customer, plan it, render its card
//!
//! ```
//! use sync_core::card::CustomerCard;
//! use sync_core::config::IntegrationConfig;
//! use sync_core::fingerprint::Fingerprint;
//! use sync_core::mapping::map_customer;
//! use sync_core::plan::{PlanAction, PlanInput, plan_customer};
//!
//! let config = IntegrationConfig::new("main shop", "https://client1234.idosell.com".parse()?);
//! config.validate()?;
//!
//! // A customer and an Allegro order, as the IdoSell Admin API sends them.
//! let client: iai_shop_client::Client = serde_json::from_value(serde_json::json!({
//!     "clientId": 1042, "clientEmail": "zofia@wp.pl",
//!     "clientBillingAddress": {"clientFirstName": "Zofia", "clientLastName": "Wiśniewska",
//!         "clientStreet": "ul. Długa 5/7", "clientZipCode": "00-238", "clientCity": "Warszawa",
//!         "clientCountryId": "pl", "clientPhone1": "601 234 567"}
//! }))?;
//! let order: iai_shop_client::Order = serde_json::from_value(serde_json::json!({
//!     "orderId": "shop1-733", "orderSerialNumber": 733,
//!     "clientResult": {"clientAccount": {"clientEmail": "8awgqyk6a5+cub31c122@allegromail.pl"}},
//!     "orderDetails": {"orderStatus": "packed_ready", "orderAddDate": "2025-03-02 18:45:10",
//!         "payments": {"orderCurrency": {"currencyId": "PLN", "orderProductsCost": 149.99,
//!             "orderDeliveryCost": 12.5, "orderPayformCost": 0, "orderInsuranceCost": 0}},
//!         "orderSourceResults": {"auctionsServiceName": "allegro"}}
//! }))?;
//!
//! let mapped = map_customer(&client, &[order.clone()], &config);
//! assert_eq!(mapped.input.surname.as_deref(), Some("Wiśniewska"));
//! assert_eq!(mapped.input.phone_number, ["+48601234567"]);
//! assert_eq!(mapped.input.email, [
//!     "zofia@wp.pl",
//!     "8awgqyk6a5+cub31c122@allegromail.pl",
//!     "8awgqyk6a5@allegromail.pl",
//! ]);
//!
//! // Nothing in Thulium yet: create it. Once written and linked, an unchanged customer is skipped.
//! let plan = |linked, last: Option<&Fingerprint>| plan_customer(&PlanInput {
//!     shop_client_id: client.client_id,
//!     desired: &mapped.input,
//!     linked_customer_id: linked,
//!     last_fingerprint: last,
//!     by_id: &[],
//!     by_fallback: &[],
//!     held_by_others: &[],
//!     adopted_by_others: &[],
//! }, &config).action;
//! assert_eq!(plan(None, None), PlanAction::Create);
//! let written = Fingerprint::of_customer(&mapped.input);
//! assert_eq!(plan(Some(55), Some(&written)), PlanAction::Skip { customer_id: 55 });
//!
//! // The card an agent opens from Thulium.
//! let card = CustomerCard::build(&client, &[order], &config);
//! let html = card.to_html();
//! assert!(html.contains("https://client1234.idosell.com/panel/orderd.php?idt=733"));
//! assert!(html.contains("Spakowane"));
//! assert_eq!(card.to_json()["orders"][0]["total"]["amount"], "162.49");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod caller;
pub mod card;
pub mod config;
pub mod contact_values;
pub mod email;
pub mod fingerprint;
pub mod mapping;
pub mod order_details;
pub mod order_summary;
pub mod phone;
pub mod plan;
pub mod status;
pub mod street;
pub mod window;

#[cfg(feature = "engine")]
pub mod engine;
