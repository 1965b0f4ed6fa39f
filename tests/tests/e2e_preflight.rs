//! Preflight against the sandbox: a problem is named clearly, and nothing is written.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use sandbox::generator::{GeneratorConfig, generate};
use sandbox::idosell::{ShopSimConfig, routes};
use sandbox::thulium::{CustomFieldDef, CustomFieldKind, CustomerRecord, ThuliumSimConfig};
use sandbox::{Sandbox, SandboxConfig};
use sync_core::engine::SyncReport;
use sync_core::engine::preflight::{PreflightError, PreflightProblem, preflight};

/// What an application does: preflight, and a full sync only when it passes.
async fn sync_if_ready(sandbox: &Sandbox) -> Result<SyncReport, PreflightError> {
    let tuning = ClientTuning::default();
    preflight(
        &shop_port(sandbox, tuning),
        &crm_port(sandbox, tuning),
        &[integration()],
    )
    .await?;
    let db = TempDb::new("preflight");
    let engine = engine(sandbox, &db, fast_options(100, 50), tuning, None).await;
    Ok(engine.full_sync(&|_| {}).await.expect("full sync"))
}

async fn start(thulium: ThuliumSimConfig) -> Sandbox {
    let shop = ShopSimConfig::default().with_data(generate(&GeneratorConfig {
        customers: 20,
        orders: 40,
        ..GeneratorConfig::default()
    }));
    Sandbox::start(SandboxConfig { shop, thulium })
        .await
        .unwrap()
}

/// A tenant with one customer an agent made by hand (Thulium shows custom fields only on
/// a customer, so an empty tenant cannot be checked at all).
fn tenant_with(fields: Vec<CustomFieldDef>) -> ThuliumSimConfig {
    ThuliumSimConfig {
        custom_fields: fields,
        initial_customers: vec![CustomerRecord {
            surname: Some("Nowak".into()),
            ..CustomerRecord::default()
        }],
        ..ThuliumSimConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_without_the_id_field_is_named_and_nothing_is_written() {
    let sandbox = start(tenant_with(vec![
        CustomFieldDef::new(LAST_ORDER_FIELD, CustomFieldKind::Date),
        CustomFieldDef::new(ALLEGRO_FIELD, CustomFieldKind::Text),
    ]))
    .await;

    let error = sync_if_ready(&sandbox).await.unwrap_err();
    assert_eq!(
        error.problems,
        vec![PreflightProblem::FieldMissing {
            integration: "e2e".into(),
            field: ID_FIELD.into(),
            kind: sync_core::engine::ports::FieldKind::Numeric,
        }]
    );
    let message = error.to_string();
    assert!(
        message.contains("Thulium has no custom field `IAI Shop ID`; create it as a numeric field"),
        "{message}"
    );

    let thulium = sandbox.thulium().counters();
    assert_eq!(thulium_writes(thulium), 0);
    assert_eq!(thulium.get("GET", "/api/customers"), 1, "{thulium:?}");
    assert_eq!(thulium.total(), 1);
    // The shop was only verified: one minimal read per module.
    let shop = sandbox.shop().counters();
    assert_eq!(shop.get("GET", routes::CLIENTS), 1);
    assert_eq!(shop.get("POST", routes::ORDERS_SEARCH), 1);
    assert_eq!(shop.total(), 2);
    assert_eq!(sandbox.thulium().customer_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_thulium_password_is_reported_and_nothing_is_written() {
    let sandbox = start(ThuliumSimConfig::default()).await;
    let mut wrong = sandbox;
    wrong.thulium_password = "not-the-password".into();

    let error = sync_if_ready(&wrong).await.unwrap_err();
    let crm = error.problems.iter().find_map(|p| match p {
        PreflightProblem::Crm(e) => Some(e.clone()),
        _ => None,
    });
    let crm = crm.unwrap_or_else(|| panic!("no Thulium problem in {error}"));
    assert_eq!(crm.status, Some(401));
    assert!(!crm.retryable);
    assert!(error.to_string().contains("Thulium refused"), "{error}");
    assert!(!error.to_string().contains("not-the-password"));
    assert_eq!(thulium_writes(wrong.thulium().counters()), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ready_tenant_passes_and_syncs() {
    let sandbox = start(tenant_with(ThuliumSimConfig::default().custom_fields)).await;
    let report = sync_if_ready(&sandbox).await.expect("preflight passes");
    assert_eq!(report.created, 20);
    assert_eq!(sandbox.thulium().customer_count(), 21);
}
