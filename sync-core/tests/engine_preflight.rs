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
