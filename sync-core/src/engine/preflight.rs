//! Preflight: everything that must hold before the first write, checked with a handful of
//! reads. Nothing is written when it fails, and the error names every problem at once.
//!
//! # A brand-new tenant
//!
//! Thulium shows which custom fields exist only on a customer, so a tenant without any
//! customer cannot have its fields checked. When that is the only thing preflight could not
//! check, it passes with a [`PreflightWarning::FieldsUnverified`] instead of failing (a new
//! tenant could otherwise never start). Hand the report to each engine
//! ([`Engine::after_preflight`](super::Engine::after_preflight)): the engine then creates
//! its first customer alone, reads it back with its custom fields and checks every required
//! field is there — real Thulium may silently drop unknown custom fields on write, so only
//! the read-back proves it. If a field is missing, the run stops with
//! [`SyncError::FieldsMissing`](super::SyncError::FieldsMissing) (the same message as
//! preflight's) before anything else is written. That one customer stays in Thulium, linked
//! in the state store without a fingerprint, so the run after the fields are created
//! rewrites it instead of creating it again.

use std::collections::BTreeMap;
use std::fmt;

use crate::config::{ConfigError, IntegrationConfig};

use super::ports::{CrmPort, FieldFinding, FieldKind, PortError, RequiredField, ShopPort};

/// One thing that stops the integrations from running.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PreflightProblem {
    /// An integration's settings are invalid.
    InvalidConfig {
        /// The integration.
        integration: String,
        /// What is wrong.
        error: ConfigError,
    },
    /// The shop's `verify` failed (API key, address, network).
    Shop(PortError),
    /// The CRM's `verify` failed (credentials, address, network).
    Crm(PortError),
    /// A custom field the integration writes does not exist in the tenant.
    FieldMissing {
        /// The integration.
        integration: String,
        /// The field's display name.
        field: String,
        /// The kind it must have.
        kind: FieldKind,
    },
    /// A custom field exists but holds values of another kind.
    FieldWrongKind {
        /// The integration.
        integration: String,
        /// The field's display name.
        field: String,
        /// The kind it must have.
        expected: FieldKind,
        /// The kind its values look like.
        observed: FieldKind,
    },
    /// A custom field could not be checked (e.g. a tenant without any customer).
    FieldNotChecked {
        /// The integration.
        integration: String,
        /// The field's display name.
        field: String,
        /// Why.
        reason: String,
    },
    /// Several integrations write the same ID field; each shop needs its own.
    SharedIdField {
        /// The field's display name.
        field: String,
        /// The integrations sharing it.
        integrations: Vec<String>,
    },
    /// The configured orders field group does not exist.
    OrdersGroupMissing {
        /// The integration.
        integration: String,
        /// The group's name.
        group: String,
    },
    /// The orders field group lacks a configured field.
    OrdersGroupFieldMissing {
        /// The integration.
        integration: String,
        /// The group's name.
        group: String,
        /// The missing field.
        field: String,
    },
}

impl fmt::Display for PreflightProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidConfig { integration, error } => write!(f, "[{integration}] {error}"),
            Self::Shop(error) => write!(f, "IdoSell shop: {error}"),
            Self::Crm(error) => write!(f, "Thulium: {error}"),
            Self::FieldMissing {
                integration,
                field,
                kind,
            } => write!(
                f,
                "[{integration}] Thulium has no custom field `{field}`; create it as a {} field",
                kind.name()
            ),
            Self::FieldWrongKind {
                integration,
                field,
                expected,
                observed,
            } => write!(
                f,
                "[{integration}] custom field `{field}` must be a {} field, its values look {}",
                expected.name(),
                observed.name()
            ),
            Self::FieldNotChecked {
                integration,
                field,
                reason,
            } => write!(
                f,
                "[{integration}] custom field `{field}` could not be checked: {reason}"
            ),
            Self::SharedIdField {
                field,
                integrations,
            } => write!(
                f,
                "integrations {} all use the ID field `{field}`; give each shop its own numeric field",
                integrations.join(", ")
            ),
            Self::OrdersGroupMissing { integration, group } => {
                write!(
                    f,
                    "[{integration}] Thulium has no custom-field group `{group}`"
                )
            }
            Self::OrdersGroupFieldMissing {
                integration,
                group,
                field,
            } => write!(
                f,
                "[{integration}] custom-field group `{group}` has no field `{field}`"
            ),
        }
    }
}

/// Something preflight could not check but that does not stop the integrations.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PreflightWarning {
    /// The tenant has no customer yet, so these custom fields could not be checked; the
    /// engine verifies them on its first write (see the module docs).
    FieldsUnverified {
        /// The integration.
        integration: String,
        /// The fields' display names.
        fields: Vec<String>,
    },
}

impl fmt::Display for PreflightWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FieldsUnverified {
                integration,
                fields,
            } => {
                let names: Vec<String> = fields.iter().map(|n| format!("`{n}`")).collect();
                write!(
                    f,
                    "[{integration}] the Thulium tenant has no customer yet, so custom fields {} \
                     could not be checked: they will be verified on the first write",
                    names.join(", ")
                )
            }
        }
    }
}

/// Preflight passed; what it could not check is listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreflightReport {
    /// Warnings, in the order found (empty when everything was checked).
    pub warnings: Vec<PreflightWarning>,
}

impl PreflightReport {
    /// Whether `integration`'s custom fields are still to be verified on the first write.
    pub fn fields_unverified(&self, integration: &str) -> bool {
        self.warnings.iter().any(|w| {
            matches!(w, PreflightWarning::FieldsUnverified { integration: i, .. } if i == integration)
        })
    }
}

/// Preflight failed; every problem found is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("preflight failed:\n{}", .problems.iter().map(|p| format!("- {p}")).collect::<Vec<_>>().join("\n"))]
pub struct PreflightError {
    /// The problems, in the order found.
    pub problems: Vec<PreflightProblem>,
}

/// The custom fields an integration writes, with the kind each must have.
pub fn required_fields(config: &IntegrationConfig) -> Vec<RequiredField> {
    let mut fields = vec![
        RequiredField {
            name: config.fields.shop_id.clone(),
            kind: FieldKind::Numeric,
        },
        RequiredField {
            name: config.fields.last_order_date.clone(),
            kind: FieldKind::Date,
        },
    ];
    if let Some(login) = &config.fields.allegro_login {
        fields.push(RequiredField {
            name: login.clone(),
            kind: FieldKind::Text,
        });
    }
    fields
}

/// Checks the enabled integrations of `configs` against the shop and the CRM: settings
/// valid, both sides reachable with the given credentials, every custom field present with
/// the right kind, no ID field shared, the orders group complete. Reads only.
///
/// On a tenant without any customer the fields cannot be checked: that alone passes with
/// a warning, and the engines verify the fields on their first write (see the module docs).
pub async fn preflight(
    shop: &dyn ShopPort,
    crm: &dyn CrmPort,
    configs: &[IntegrationConfig],
) -> Result<PreflightReport, PreflightError> {
    let enabled: Vec<&IntegrationConfig> = configs.iter().filter(|c| c.enabled).collect();
    let mut problems = config_problems(&enabled);
    if let Err(error) = shop.verify().await {
        problems.push(PreflightProblem::Shop(error));
    }
    let mut report = PreflightReport::default();
    match crm_problems(crm, &enabled, &mut report).await {
        Ok(found) => problems.extend(found),
        Err(error) => problems.push(PreflightProblem::Crm(error)),
    }
    if problems.is_empty() {
        Ok(report)
    } else {
        Err(PreflightError { problems })
    }
}

/// The required fields of `config` that `customer` (read back with its custom fields)
/// does not show, as preflight problems — the first-write check of an empty tenant.
pub(crate) fn missing_on(
    config: &IntegrationConfig,
    customer: &thulium_client::Customer,
) -> Vec<PreflightProblem> {
    required_fields(config)
        .into_iter()
        .filter(|field| !customer.custom_fields.is_defined(&field.name))
        .map(|field| PreflightProblem::FieldMissing {
            integration: config.name.clone(),
            field: field.name,
            kind: field.kind,
        })
        .collect()
}

fn config_problems(configs: &[&IntegrationConfig]) -> Vec<PreflightProblem> {
    let mut problems: Vec<PreflightProblem> = configs
        .iter()
        .filter_map(|config| {
            config
                .validate()
                .err()
                .map(|error| PreflightProblem::InvalidConfig {
                    integration: config.name.clone(),
                    error,
                })
        })
        .collect();
    // Thulium addresses fields by display name; compare the way a person would read them.
    let mut by_field: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for config in configs {
        by_field
            .entry(config.fields.shop_id.trim().to_lowercase())
            .or_default()
            .push(config.name.clone());
    }
    for (field, integrations) in by_field {
        if integrations.len() > 1 {
            problems.push(PreflightProblem::SharedIdField {
                field,
                integrations,
            });
        }
    }
    problems
}

async fn crm_problems(
    crm: &dyn CrmPort,
    configs: &[&IntegrationConfig],
    report: &mut PreflightReport,
) -> Result<Vec<PreflightProblem>, PortError> {
    let mut problems = Vec::new();
    for config in configs {
        let findings = crm.verify(&required_fields(config)).await?;
        let unverified: Vec<String> = findings
            .iter()
            .filter(|(_, finding)| *finding == FieldFinding::NoCustomerYet)
            .map(|(field, _)| field.name.clone())
            .collect();
        if !unverified.is_empty() {
            report.warnings.push(PreflightWarning::FieldsUnverified {
                integration: config.name.clone(),
                fields: unverified,
            });
        }
        problems.extend(
            findings
                .into_iter()
                .filter_map(|(field, finding)| field_problem(&config.name, field, finding)),
        );
    }
    if configs.iter().any(|c| c.orders_group.is_some()) {
        let groups = crm.field_groups().await?;
        for config in configs {
            let Some(wanted) = &config.orders_group else {
                continue;
            };
            let Some(group) = groups.iter().find(|g| g.name == wanted.group_name) else {
                problems.push(PreflightProblem::OrdersGroupMissing {
                    integration: config.name.clone(),
                    group: wanted.group_name.clone(),
                });
                continue;
            };
            for field in wanted.field_names() {
                if !group.fields.iter().any(|f| f.name == field) {
                    problems.push(PreflightProblem::OrdersGroupFieldMissing {
                        integration: config.name.clone(),
                        group: group.name.clone(),
                        field: field.to_owned(),
                    });
                }
            }
        }
    }
    Ok(problems)
}

fn field_problem(
    integration: &str,
    field: RequiredField,
    finding: FieldFinding,
) -> Option<PreflightProblem> {
    let integration = integration.to_owned();
    match finding {
        // Verified on the first write instead; preflight reports it as a warning.
        FieldFinding::Present | FieldFinding::KindUnknown | FieldFinding::NoCustomerYet => None,
        FieldFinding::Missing => Some(PreflightProblem::FieldMissing {
            integration,
            field: field.name,
            kind: field.kind,
        }),
        FieldFinding::WrongKind { observed } => Some(PreflightProblem::FieldWrongKind {
            integration,
            field: field.name,
            expected: field.kind,
            observed,
        }),
        FieldFinding::CannotCheck(reason) => Some(PreflightProblem::FieldNotChecked {
            integration,
            field: field.name,
            reason,
        }),
    }
}
