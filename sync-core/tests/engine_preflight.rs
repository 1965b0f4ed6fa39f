//! Preflight: every problem named, nothing written.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod engine_fakes;

use engine_fakes::{FakeCrm, FakeShop};
use sync_core::config::IntegrationConfig;
use sync_core::engine::ports::{FieldFinding, FieldKind};
use sync_core::engine::preflight::{PreflightProblem, preflight};
use url::Url;

fn config(name: &str, id_field: &str) -> IntegrationConfig {
    let mut config = IntegrationConfig::new(name, Url::parse("https://sklep.example.pl").unwrap());
    config.fields.shop_id = id_field.to_owned();
    config
}

#[tokio::test]
async fn a_ready_tenant_passes_with_reads_only() {
    let (shop, crm) = (FakeShop::default(), FakeCrm::new("Shop A ID"));
    let configs = [config("a", "Shop A ID"), config("b", "Shop B ID")];
    preflight(&shop, &crm, &configs).await.unwrap();
    assert_eq!(shop.calls.get("shop.verify"), 1);
    assert_eq!(crm.calls.get("crm.verify"), 2);
    assert_eq!(crm.calls.total(), 2);
}

#[tokio::test]
async fn every_problem_is_reported_at_once() {
    let (shop, crm) = (FakeShop::default(), FakeCrm::new("Shop ID"));
    let date_field = config("a", "x").fields.last_order_date;
    crm.findings.lock().unwrap().extend([
        (
            "Shop ID".to_owned(),
            FieldFinding::WrongKind {
                observed: FieldKind::Text,
            },
        ),
        (date_field.clone(), FieldFinding::Missing),
    ]);
    let mut disabled = config("off", "Shop ID");
    disabled.enabled = false;
    let configs = [config("a", "Shop ID"), config("b", " shop id "), disabled];

    let error = preflight(&shop, &crm, &configs).await.unwrap_err();
    let shared = PreflightProblem::SharedIdField {
        field: "shop id".into(),
        integrations: vec!["a".into(), "b".into()],
    };
    assert!(error.problems.contains(&shared), "{error}");
    let missing = error
        .problems
        .iter()
        .filter(|p| matches!(p, PreflightProblem::FieldMissing { field, kind: FieldKind::Date, .. } if *field == date_field))
        .count();
    assert_eq!(missing, 2, "{error}");
    assert!(error.problems.iter().any(|p| matches!(
        p,
        PreflightProblem::FieldWrongKind { integration, expected: FieldKind::Numeric, observed: FieldKind::Text, .. } if integration == "a"
    )));
    let text = error.to_string();
    assert!(
        text.contains("give each shop its own numeric field"),
        "{text}"
    );
    assert!(
        !text.contains("off"),
        "disabled integrations are not checked: {text}"
    );
    assert_eq!(
        crm.calls.get("crm.create_customers") + crm.calls.get("crm.create_customer"),
        0
    );
}

#[tokio::test]
async fn an_invalid_config_is_named() {
    let (shop, crm) = (FakeShop::default(), FakeCrm::new("ID"));
    let mut bad = config("a", "ID");
    bad.fields.last_order_date = "ID".into();
    let error = preflight(&shop, &crm, &[bad]).await.unwrap_err();
    assert!(
        error.problems.iter().any(|p| matches!(p, PreflightProblem::InvalidConfig { integration, .. } if integration == "a")),
        "{error}"
    );
}

#[test]
fn the_port_and_the_client_share_one_required_field_model() {
    // One definition: a field built with the Thulium client's model type is the port's type.
    let from_client =
        thulium_client::RequiredField::new("Shop ID", thulium_client::FieldKind::Numeric);
    let port_fields: Vec<sync_core::engine::ports::RequiredField> =
        sync_core::engine::preflight::required_fields(&config("a", "Shop ID"));
    assert_eq!(port_fields[0], from_client);
    assert_eq!(FieldKind::Date.name(), "date");
}

/// A tenant without any customer: `verify` cannot see the custom fields.
fn empty_tenant(world: &engine_fakes::World) {
    let mut findings = world.crm.findings.lock().unwrap();
    for field in sync_core::engine::preflight::required_fields(&world.config) {
        findings.insert(field.name, FieldFinding::NoCustomerYet);
    }
}

#[tokio::test]
async fn an_empty_tenant_passes_with_a_warning_naming_the_fields() {
    let world = engine_fakes::World::new(config("a", "Shop ID"), 0);
    empty_tenant(&world);
    let report = preflight(
        world.shop.as_ref(),
        world.crm.as_ref(),
        std::slice::from_ref(&world.config),
    )
    .await
    .unwrap();
    assert!(report.fields_unverified("a"));
    assert!(!report.fields_unverified("b"));
    let text = report.warnings[0].to_string();
    assert!(text.contains("`Shop ID`"), "{text}");
    assert!(text.contains("verified on the first write"), "{text}");
}

#[tokio::test]
async fn on_an_empty_tenant_the_first_create_is_read_back_then_the_rest_is_batched() {
    let world = engine_fakes::World::new(config("a", "Shop ID"), 120);
    empty_tenant(&world);
    // The tenant defines every field (a read lists them all, `null` when unset).
    let names = sync_core::engine::preflight::required_fields(&world.config)
        .into_iter()
        .map(|f| f.name)
        .collect();
    *world.crm.defined_fields.lock().unwrap() = Some(names);
    let report = preflight(
        world.shop.as_ref(),
        world.crm.as_ref(),
        std::slice::from_ref(&world.config),
    )
    .await
    .unwrap();
    world.reset_calls();
    let engine = world.engine();
    engine.after_preflight(&report);

    let run = engine.full_sync(&engine_fakes::no_progress).await.unwrap();
    assert_eq!((run.created, run.failed.len()), (120, 0));
    world.assert_held_once(1..=120);
    assert_eq!(world.crm.calls.get("crm.create_customer"), 1);
    assert_eq!(world.crm.calls.get("crm.customer"), 1);
    // Verified once: a later create goes straight into a batch.
    world
        .shop
        .clients
        .lock()
        .unwrap()
        .push(engine_fakes::client(121));
    world.reset_calls();
    engine.full_sync(&engine_fakes::no_progress).await.unwrap();
    assert_eq!(world.crm.calls.get("crm.customer"), 0);
    world.assert_held_once(1..=121);
}

#[tokio::test]
async fn fields_the_tenant_drops_stop_the_run_after_the_first_customer() {
    let world = engine_fakes::World::new(config("a", "Shop ID"), 120);
    empty_tenant(&world);
    let last_order = world.config.fields.last_order_date.clone();
    // Thulium silently drops custom fields it does not define: here the ID field.
    *world.crm.defined_fields.lock().unwrap() = Some(vec![last_order.clone()]);
    let report = preflight(
        world.shop.as_ref(),
        world.crm.as_ref(),
        std::slice::from_ref(&world.config),
    )
    .await
    .unwrap();
    let engine = world.engine();
    engine.after_preflight(&report);

    let error = engine
        .full_sync(&engine_fakes::no_progress)
        .await
        .unwrap_err();
    let sync_core::engine::SyncError::FieldsMissing(missing) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        missing.problems,
        vec![PreflightProblem::FieldMissing {
            integration: "a".into(),
            field: "Shop ID".into(),
            kind: FieldKind::Numeric,
        }]
    );
    let text = error.to_string();
    assert!(
        text.contains("Thulium has no custom field `Shop ID`"),
        "{text}"
    );
    // Only the one customer was written; another run refuses before writing.
    assert_eq!(world.crm.customers.lock().unwrap().len(), 1);
    assert_eq!(world.crm.calls.get("crm.create_customers"), 0);
    assert!(engine.full_sync(&engine_fakes::no_progress).await.is_err());
    assert_eq!(world.crm.customers.lock().unwrap().len(), 1);

    // The field is created; a fresh run (new process) rewrites the first customer, linked
    // in the store, instead of creating it again.
    *world.crm.defined_fields.lock().unwrap() = None;
    world.crm.findings.lock().unwrap().clear();
    let run = world
        .engine()
        .full_sync(&engine_fakes::no_progress)
        .await
        .unwrap();
    assert_eq!((run.created, run.updated), (119, 1));
    world.assert_held_once(1..=120);
}
