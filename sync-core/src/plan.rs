//! Deciding what to do with one desired Thulium customer: create, update, skip, or report a
//! conflict. The plan is data: printable for `--dry-run`, executed by the engine.
//!
//! # The rule ([`plan_customer`])
//! 1. Several Thulium customers carry this shop ID in the ID field → [`PlanAction::Conflict`].
//!    Never merged: a person must decide.
//! 2. The target is the one Thulium customer carrying the shop ID, else the customer linked
//!    in the state store, else (for a customer not linked yet) the fallback matches — by
//!    e-mail / phone, as the engine found them — that do not carry *another* shop ID:
//!    none → [`PlanAction::Create`], one → update it (this links it), several → conflict.
//! 3. A target that is the linked customer and whose last written fingerprint equals the
//!    desired one → [`PlanAction::Skip`]. The engine can tell before any lookup whether this
//!    can happen with [`needs_lookup`].
//! 4. Otherwise → [`PlanAction::Update`] with the full desired input; `changes` lists what
//!    differs from the Thulium customer as read (informative: Thulium shows only one e-mail
//!    on read, so the full list is always sent).
//!
//! A linked customer that no ID-field search finds is still updated (the update writes the
//! ID field back); if Thulium answers 404 the customer was deleted there, and the engine
//! should forget the link and plan again with `linked_customer_id: None`.

use std::fmt;

use serde::Serialize;
use thulium_client::{CustomFieldValue, Customer, CustomerInput};

use crate::config::IntegrationConfig;
use crate::fingerprint::Fingerprint;
use crate::mapping::MappingIssue;
use crate::phone::normalize_phone;

/// What to do with one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PlanAction {
    /// No Thulium customer matches: create one.
    Create,
    /// Write the desired input to this Thulium customer.
    Update {
        /// Thulium's id of the customer to update.
        customer_id: u64,
        /// What differs from the customer as read (`before` is `None` where it was not read).
        changes: Vec<FieldChange>,
    },
    /// Nothing changed since the last write.
    Skip {
        /// Thulium's id of the linked customer.
        customer_id: u64,
    },
    /// Several Thulium customers claim this shop customer: reported, never merged.
    Conflict {
        /// Their Thulium ids, ascending.
        customer_ids: Vec<u64>,
        /// Why they conflict.
        reason: ConflictReason,
    },
}

/// Why a plan is a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictReason {
    /// Several customers carry the same shop ID in the ID field.
    SameShopId,
    /// A customer not linked yet matches several unlinked customers by e-mail or phone.
    AmbiguousMatch,
}

/// One field that will change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// The Thulium field (`surname`, `email`, `address.city`, `custom_fields.IAI Shop ID`).
    pub field: String,
    /// The value as read from Thulium (`None`: empty, or not read).
    pub before: Option<String>,
    /// The value that will be written (`None`: cleared).
    pub after: Option<String>,
}

impl PlanAction {
    /// The Thulium customer this action writes to or skips, if any.
    pub fn customer_id(&self) -> Option<u64> {
        match self {
            Self::Update { customer_id, .. } | Self::Skip { customer_id } => Some(*customer_id),
            Self::Create | Self::Conflict { .. } => None,
        }
    }
}

/// Everything the planner needs about one shop customer.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The shop's customer ID.
    pub shop_client_id: u64,
    /// The desired Thulium customer (from [`crate::mapping::map_customer`]).
    pub desired: &'a CustomerInput,
    /// The Thulium customer linked to this shop customer in the state store, if any.
    pub linked_customer_id: Option<u64>,
    /// The fingerprint saved after the last successful write, if any.
    pub last_fingerprint: Option<&'a Fingerprint>,
    /// Thulium customers whose ID field holds this shop ID (empty when not searched).
    pub by_id: &'a [Customer],
    /// Thulium customers found by the fallback keys (e-mail variants, phones) for a customer
    /// not linked yet (empty when not searched or matching is off).
    pub by_fallback: &'a [Customer],
}

/// Whether the engine must look the customer up in Thulium before planning: `false` only
/// when it is linked and its fingerprint is unchanged, in which case [`plan_customer`] with
/// empty match lists gives [`PlanAction::Skip`] without a single request.
pub fn needs_lookup(
    linked_customer_id: Option<u64>,
    last_fingerprint: Option<&Fingerprint>,
    desired: &CustomerInput,
) -> bool {
    linked_customer_id.is_none() || last_fingerprint != Some(&Fingerprint::of_customer(desired))
}

/// Plans one customer; see the module docs for the rule.
pub fn plan_customer(input: &PlanInput<'_>, config: &IntegrationConfig) -> PlanAction {
    let by_id = distinct_ids(input.by_id.iter());
    if by_id.len() > 1 {
        return PlanAction::Conflict {
            customer_ids: by_id,
            reason: ConflictReason::SameShopId,
        };
    }
    let target = match (by_id.first(), input.linked_customer_id) {
        (Some(id), _) => *id,
        (None, Some(linked)) => linked,
        (None, None) => {
            let candidates =
                distinct_ids(input.by_fallback.iter().filter(|customer| {
                    !claimed_by_another(customer, input.shop_client_id, config)
                }));
            match candidates.as_slice() {
                [] => return PlanAction::Create,
                [only] => *only,
                _ => {
                    return PlanAction::Conflict {
                        customer_ids: candidates,
                        reason: ConflictReason::AmbiguousMatch,
                    };
                }
            }
        }
    };
    let unchanged = input.last_fingerprint == Some(&Fingerprint::of_customer(input.desired));
    if unchanged && input.linked_customer_id == Some(target) {
        return PlanAction::Skip {
            customer_id: target,
        };
    }
    let current = input
        .by_id
        .iter()
        .chain(input.by_fallback)
        .find(|customer| customer.customer_id == target);
    PlanAction::Update {
        customer_id: target,
        changes: changes(current, input.desired, config),
    }
}

fn distinct_ids<'a>(customers: impl Iterator<Item = &'a Customer>) -> Vec<u64> {
    let mut ids: Vec<u64> = customers.map(|customer| customer.customer_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Whether a fallback match already carries a different shop ID (another shop customer's).
fn claimed_by_another(
    customer: &Customer,
    shop_client_id: u64,
    config: &IntegrationConfig,
) -> bool {
    let field = &config.fields.shop_id;
    if !customer.custom_fields.is_set(field) {
        return false;
    }
    customer.custom_fields.number(field) != i64::try_from(shop_client_id).ok()
}

/// The fields that differ between the customer as read and the desired input.
pub fn changes(
    current: Option<&Customer>,
    desired: &CustomerInput,
    config: &IntegrationConfig,
) -> Vec<FieldChange> {
    desired_values(desired)
        .into_iter()
        .filter_map(|(field, after)| {
            let before = current.and_then(|customer| read_value(customer, &field, desired, config));
            let same = match (&before, &after) {
                (Some(before), Some(after)) => same_value(&field, before, after, current, config),
                (None, None) => true,
                _ => false,
            };
            (!same).then_some(FieldChange {
                field,
                before,
                after,
            })
        })
        .collect()
}

/// Every field the desired input sets, as `(field, value)` text.
fn desired_values(desired: &CustomerInput) -> Vec<(String, Option<String>)> {
    let mut values = vec![
        ("name".to_owned(), desired.name.clone()),
        ("surname".to_owned(), desired.surname.clone()),
        ("email".to_owned(), join(&desired.email)),
        ("phone_number".to_owned(), join(&desired.phone_number)),
        ("nip".to_owned(), desired.nip.clone()),
    ];
    if let Some(address) = &desired.address {
        for (key, value) in [
            ("address.street", &address.street),
            ("address.building", &address.building),
            ("address.flat", &address.flat),
            ("address.postcode", &address.postcode),
            ("address.city", &address.city),
            ("address.country", &address.country),
        ] {
            values.push((key.to_owned(), value.clone()));
        }
    }
    for (name, value) in &desired.custom_fields {
        let text = match value {
            CustomFieldValue::Number(number) => Some(number.to_string()),
            CustomFieldValue::Date(date) => Some(date.to_string()),
            CustomFieldValue::Text(text) => Some(text.clone()),
            CustomFieldValue::Null => None,
        };
        values.push((format!("custom_fields.{name}"), text));
    }
    values.retain(|(_, value)| value.as_deref().is_some_and(|v| !v.trim().is_empty()));
    values
}

fn join(values: &[String]) -> Option<String> {
    (!values.is_empty()).then(|| values.join(", "))
}

fn read_value(
    customer: &Customer,
    field: &str,
    desired: &CustomerInput,
    config: &IntegrationConfig,
) -> Option<String> {
    let address = customer.address.as_ref();
    let value = match field {
        "name" => customer.name.clone(),
        "surname" => customer.surname.clone(),
        "email" => customer.email.clone(),
        "phone_number" => {
            let mut phones: Vec<String> = customer.phone_number.iter().cloned().collect();
            phones.extend(customer.phone_numbers.iter().cloned());
            join(&normalized_phones(&phones, config))
        }
        "nip" => customer.nip.clone(),
        "address.street" => address.and_then(|a| a.street.clone()),
        "address.building" => address.and_then(|a| a.building.clone()),
        "address.flat" => address.and_then(|a| a.flat.clone()),
        "address.postcode" => address.and_then(|a| a.postcode.clone()),
        "address.city" => address.and_then(|a| a.city.clone()),
        "address.country" => address.and_then(|a| a.country.clone()),
        other => {
            let name = other.strip_prefix("custom_fields.")?;
            let fields = &customer.custom_fields;
            match desired.custom_fields.get(name)? {
                CustomFieldValue::Number(_) => fields.number(name).map(|n| n.to_string()),
                CustomFieldValue::Date(_) => fields.date(name).map(|d| d.to_string()),
                CustomFieldValue::Text(_) | CustomFieldValue::Null => {
                    fields.text(name).map(str::to_owned)
                }
            }
        }
    };
    value.filter(|v| !v.trim().is_empty())
}

fn normalized_phones(phones: &[String], config: &IntegrationConfig) -> Vec<String> {
    let mut normalized: Vec<String> = phones
        .iter()
        .map(|phone| {
            normalize_phone(phone, &config.phone_default_country).unwrap_or_else(|_| phone.clone())
        })
        .collect();
    normalized.sort();
    normalized.dedup();
    normalized
}

fn same_value(
    field: &str,
    before: &str,
    after: &str,
    current: Option<&Customer>,
    config: &IntegrationConfig,
) -> bool {
    match field {
        // Thulium shows one address on read: it is "the same" when it is among those we send.
        "email" => after
            .split(", ")
            .any(|email| email.eq_ignore_ascii_case(before.trim())),
        "phone_number" => {
            let wanted: Vec<String> = after.split(", ").map(str::to_owned).collect();
            let read = current.map_or_else(Vec::new, |customer| {
                let mut phones: Vec<String> = customer.phone_number.iter().cloned().collect();
                phones.extend(customer.phone_numbers.iter().cloned());
                normalized_phones(&phones, config)
            });
            normalized_phones(&wanted, config) == read
        }
        _ => collapse(before) == collapse(after),
    }
}

fn collapse(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One planned customer, as listed in a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedCustomer {
    /// The shop's customer ID.
    pub shop_client_id: u64,
    /// A readable name (`name surname`) for reports.
    pub display_name: String,
    /// What to do.
    pub action: PlanAction,
    /// The fingerprint of the desired input, to save after a successful write.
    pub fingerprint: Fingerprint,
    /// What could not be mapped cleanly.
    pub issues: Vec<MappingIssue>,
}

impl PlannedCustomer {
    /// A planned customer; the display name and fingerprint are taken from `desired`.
    pub fn new(
        shop_client_id: u64,
        desired: &CustomerInput,
        action: PlanAction,
        issues: Vec<MappingIssue>,
    ) -> Self {
        let display_name = [&desired.name, &desired.surname]
            .into_iter()
            .filter_map(|part| part.as_deref().map(str::trim).filter(|p| !p.is_empty()))
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            shop_client_id,
            display_name,
            action,
            fingerprint: Fingerprint::of_customer(desired),
            issues,
        }
    }
}

/// How many customers each action covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PlanCounts {
    /// Customers to create.
    pub create: usize,
    /// Customers to update.
    pub update: usize,
    /// Customers unchanged.
    pub skip: usize,
    /// Customers in conflict.
    pub conflict: usize,
}

/// The plan of a sync run: every customer with its action.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Plan {
    /// The planned customers, in the order they were planned.
    pub customers: Vec<PlannedCustomer>,
}

impl Plan {
    /// Adds a planned customer.
    pub fn push(&mut self, customer: PlannedCustomer) {
        self.customers.push(customer);
    }

    /// How many customers each action covers.
    pub fn counts(&self) -> PlanCounts {
        let mut counts = PlanCounts::default();
        for customer in &self.customers {
            match customer.action {
                PlanAction::Create => counts.create += 1,
                PlanAction::Update { .. } => counts.update += 1,
                PlanAction::Skip { .. } => counts.skip += 1,
                PlanAction::Conflict { .. } => counts.conflict += 1,
            }
        }
        counts
    }
}

impl fmt::Display for PlanCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to create, {} to update, {} unchanged, {} in conflict",
            self.create, self.update, self.skip, self.conflict
        )
    }
}

impl fmt::Display for Plan {
    /// A readable listing for `--dry-run`: one line per customer that needs something, each
    /// change and issue indented below it, then the counts. Unchanged customers are counted only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for customer in &self.customers {
            let who = format!(
                "shop #{} {}",
                customer.shop_client_id, customer.display_name
            );
            match &customer.action {
                PlanAction::Skip { .. } => continue,
                PlanAction::Create => writeln!(f, "CREATE   {who}")?,
                PlanAction::Update {
                    customer_id,
                    changes,
                } => {
                    writeln!(f, "UPDATE   {who} -> thulium #{customer_id}")?;
                    for change in changes {
                        writeln!(
                            f,
                            "           {}: {} -> {}",
                            change.field,
                            change.before.as_deref().unwrap_or("(empty)"),
                            change.after.as_deref().unwrap_or("(empty)")
                        )?;
                    }
                }
                PlanAction::Conflict {
                    customer_ids,
                    reason,
                } => {
                    let ids: Vec<String> = customer_ids.iter().map(|id| format!("#{id}")).collect();
                    writeln!(
                        f,
                        "CONFLICT {who}: {reason:?} among thulium {}",
                        ids.join(", ")
                    )?;
                }
            }
            for issue in &customer.issues {
                writeln!(f, "           ! {issue}")?;
            }
        }
        write!(f, "{}", self.counts())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use thulium_client::AddressInput;
    use url::Url;

    fn config() -> IntegrationConfig {
        IntegrationConfig::new("t", Url::parse("https://shop.example.pl").unwrap())
    }

    fn desired() -> CustomerInput {
        CustomerInput {
            name: Some("Jan".into()),
            surname: Some("Kowalski".into()),
            email: vec!["jan@foo.pl".into()],
            phone_number: vec!["+48222333444".into()],
            address: Some(AddressInput {
                city: Some("Kraków".into()),
                ..AddressInput::default()
            }),
            custom_fields: [("IAI Shop ID".to_owned(), CustomFieldValue::Number(7))].into(),
            ..CustomerInput::default()
        }
    }

    #[test]
    fn changes_against_a_customer_as_read() {
        let current: Customer = serde_json::from_value(serde_json::json!({
            "customer_id": 273, "name": "Jan", "surname": "Kowalski ",
            "phone_number": "222333444", "phone_numbers": ["222333444"],
            "email": "JAN@foo.pl",
            "address": {"city": "Krakow", "street": "Długa"},
            "custom_fields": {"IAI Shop ID": "7"}
        }))
        .unwrap();
        let changes = changes(Some(&current), &desired(), &config());
        assert_eq!(
            changes,
            [FieldChange {
                field: "address.city".into(),
                before: Some("Krakow".into()),
                after: Some("Kraków".into()),
            }]
        );
    }

    #[test]
    fn changes_without_a_read_customer_list_everything_sent() {
        let changes = changes(None, &desired(), &config());
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "surname",
                "email",
                "phone_number",
                "address.city",
                "custom_fields.IAI Shop ID"
            ]
        );
        assert!(changes.iter().all(|change| change.before.is_none()));
    }

    #[test]
    fn a_linked_customer_not_found_by_id_is_updated_not_recreated() {
        let desired = desired();
        let action = plan_customer(
            &PlanInput {
                shop_client_id: 7,
                desired: &desired,
                linked_customer_id: Some(273),
                last_fingerprint: None,
                by_id: &[],
                by_fallback: &[],
            },
            &config(),
        );
        assert!(matches!(
            action,
            PlanAction::Update {
                customer_id: 273,
                ..
            }
        ));
        assert_eq!(action.customer_id(), Some(273));
    }

    #[test]
    fn plan_prints_for_dry_run_and_counts() {
        let desired = desired();
        let mut plan = Plan::default();
        plan.push(PlannedCustomer::new(
            1,
            &desired,
            PlanAction::Create,
            Vec::new(),
        ));
        plan.push(PlannedCustomer::new(
            2,
            &desired,
            PlanAction::Skip { customer_id: 9 },
            Vec::new(),
        ));
        plan.push(PlannedCustomer::new(
            3,
            &desired,
            PlanAction::Update {
                customer_id: 10,
                changes: vec![FieldChange {
                    field: "surname".into(),
                    before: None,
                    after: Some("Kowalski".into()),
                }],
            },
            vec![MappingIssue::StreetNotSplit {
                line: "Rynek".into(),
            }],
        ));
        plan.push(PlannedCustomer::new(
            4,
            &desired,
            PlanAction::Conflict {
                customer_ids: vec![5, 6],
                reason: ConflictReason::SameShopId,
            },
            Vec::new(),
        ));
        assert_eq!(
            plan.counts(),
            PlanCounts {
                create: 1,
                update: 1,
                skip: 1,
                conflict: 1
            }
        );
        let printed = plan.to_string();
        assert_eq!(
            printed,
            "CREATE   shop #1 Jan Kowalski\n\
             UPDATE   shop #3 Jan Kowalski -> thulium #10\n\
             \x20          surname: (empty) -> Kowalski\n\
             \x20          ! street line `Rynek` kept whole (no building number found)\n\
             CONFLICT shop #4 Jan Kowalski: SameShopId among thulium #5, #6\n\
             1 to create, 1 to update, 1 unchanged, 1 in conflict"
        );
        assert_eq!(
            plan.customers[0].fingerprint,
            Fingerprint::of_customer(&desired)
        );
    }
}
