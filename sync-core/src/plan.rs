//! Deciding what to do with one desired Thulium customer: create, update, adopt or skip. The
//! plan is data: printable for `--dry-run`, executed by the engine.
//!
//! # The rule ([`plan_customer`])
//! 1. The Thulium customers whose ID field holds this shop ID are its own (Thulium is the
//!    truth, whatever the state store says). One → the target. Several (a person copied the
//!    ID, or a contact was duplicated by hand) → the one linked in the store, else the lowest
//!    id, and a [`ConflictReason::SameShopId`] note for a person to look at: never merged,
//!    never a reason to stop.
//! 2. None: the customer linked in the state store is the target.
//! 3. Neither (a customer not linked yet): the fallback matches — contacts sharing an e-mail
//!    or phone *exactly* (normalised, as the engine checked on what Thulium returned). Those
//!    made by agents count: the free ones (no shop ID, held by no other shop customer) and
//!    those another customer adopted; contacts the sync created for other customers do not.
//!    None → [`PlanAction::Create`]. One, free → [`PlanAction::Adopt`] (an agent-made contact
//!    becomes this customer's). One, adopted by another → a contact of its own and a
//!    [`ConflictReason::TakenByAnother`] note. Several → a contact of its own and a
//!    [`ConflictReason::AmbiguousMatch`] note: which of them is this person is a person's
//!    call, and the customer is synced all the same. Counting the adopted ones keeps the
//!    answer the same whether or not the other customer was written first (a rerun after a
//!    failure decides as the first run did).
//! 4. A target that is the linked customer and whose last written fingerprint equals the
//!    desired one → [`PlanAction::Skip`]. The engine can tell before any lookup whether this
//!    can happen with [`needs_lookup`].
//! 5. Otherwise → [`PlanAction::Update`] with the full desired input; `changes` lists what
//!    differs from the Thulium customer as read (informative: Thulium shows only one e-mail
//!    on read, so the full list is always sent).
//!
//! When several shop customers could adopt the same contact, which one does is the engine's
//! decision (`engine::adoption`): one per contact, by a fixed rank.
//!
//! A linked customer that no ID-field search finds is still updated (the update writes the
//! ID field back); if Thulium answers 404 the customer was deleted there, and the engine
//! creates a new one.

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
    /// Write the desired input to this Thulium customer (its own: by ID field or link).
    Update {
        /// Thulium's id of the customer to update.
        customer_id: u64,
        /// What differs from the customer as read (`before` is `None` where it was not read).
        changes: Vec<FieldChange>,
    },
    /// Take over this agent-made contact (the only one sharing an e-mail or phone exactly),
    /// keeping the agent's e-mails and phones.
    Adopt {
        /// Thulium's id of the contact.
        customer_id: u64,
        /// What differs from the contact as read.
        changes: Vec<FieldChange>,
    },
    /// Nothing changed since the last write.
    Skip {
        /// Thulium's id of the linked customer.
        customer_id: u64,
    },
}

/// Why a plan carries a conflict note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictReason {
    /// Several customers carry the same shop ID in the ID field.
    SameShopId,
    /// A customer not linked yet matches several agent-made contacts by e-mail or phone.
    AmbiguousMatch,
    /// The only contact it matched went to another shop customer (see `engine::adoption`).
    TakenByAnother,
}

/// Something about a customer a person should look at; the customer is synced all the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanConflict {
    /// The Thulium customers concerned, ascending.
    pub customer_ids: Vec<u64>,
    /// What is odd about them.
    pub reason: ConflictReason,
}

/// The plan of one customer: the action, and a conflict note if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanDecision {
    /// What to do.
    pub action: PlanAction,
    /// What a person should look at.
    pub conflict: Option<PlanConflict>,
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
            Self::Update { customer_id, .. }
            | Self::Adopt { customer_id, .. }
            | Self::Skip { customer_id } => Some(*customer_id),
            Self::Create => None,
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
    /// Thulium customers sharing an e-mail (or a relay variant) or a phone *exactly* with a
    /// customer not linked yet (empty when not searched or matching is off). The caller
    /// checks the match itself: a search's word alone is not enough.
    pub by_fallback: &'a [Customer],
    /// Of those, the ones another shop customer holds in the state store.
    pub held_by_others: &'a [u64],
    /// Of those held, the ones an agent made (adopted by another customer): they still count
    /// when telling whether this customer's match is ambiguous, so that the answer does not
    /// depend on whether the other customer was written first.
    pub adopted_by_others: &'a [u64],
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
pub fn plan_customer(input: &PlanInput<'_>, config: &IntegrationConfig) -> PlanDecision {
    let by_id = distinct_ids(input.by_id.iter());
    let mut conflict = None;
    let target = match (by_id.as_slice(), input.linked_customer_id) {
        ([only], _) => *only,
        ([], Some(linked)) => linked,
        ([], None) => {
            let free = |customer: &&Customer| {
                !carries_a_shop_id(customer, config)
                    && !input.held_by_others.contains(&customer.customer_id)
            };
            let agent_made = distinct_ids(input.by_fallback.iter().filter(|customer| {
                free(customer) || input.adopted_by_others.contains(&customer.customer_id)
            }));
            let candidates = distinct_ids(input.by_fallback.iter().filter(free));
            let action = match (agent_made.as_slice(), candidates.as_slice()) {
                ([_], [only]) => PlanAction::Adopt {
                    customer_id: *only,
                    changes: changes(
                        input.by_fallback.iter().find(|c| c.customer_id == *only),
                        input.desired,
                        config,
                    ),
                },
                ([], _) => PlanAction::Create,
                ([taken], []) => {
                    conflict = Some(PlanConflict {
                        customer_ids: vec![*taken],
                        reason: ConflictReason::TakenByAnother,
                    });
                    PlanAction::Create
                }
                (several, _) => {
                    conflict = Some(PlanConflict {
                        customer_ids: several.to_vec(),
                        reason: ConflictReason::AmbiguousMatch,
                    });
                    PlanAction::Create
                }
            };
            return PlanDecision { action, conflict };
        }
        (several, linked) => {
            conflict = Some(PlanConflict {
                customer_ids: several.to_vec(),
                reason: ConflictReason::SameShopId,
            });
            match linked.filter(|id| several.contains(id)) {
                Some(linked) => linked,
                None => several[0],
            }
        }
    };
    let unchanged = input.last_fingerprint == Some(&Fingerprint::of_customer(input.desired));
    let action = if unchanged && input.linked_customer_id == Some(target) {
        PlanAction::Skip {
            customer_id: target,
        }
    } else {
        let current = input
            .by_id
            .iter()
            .chain(input.by_fallback)
            .find(|customer| customer.customer_id == target);
        PlanAction::Update {
            customer_id: target,
            changes: changes(current, input.desired, config),
        }
    };
    PlanDecision { action, conflict }
}

fn distinct_ids<'a>(customers: impl Iterator<Item = &'a Customer>) -> Vec<u64> {
    let mut ids: Vec<u64> = customers.map(|customer| customer.customer_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Whether a contact's ID field holds a shop ID (this integration's field): it belongs to a
/// shop customer, never to be adopted by another.
fn carries_a_shop_id(customer: &Customer, config: &IntegrationConfig) -> bool {
    customer.custom_fields.is_set(&config.fields.shop_id)
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
    /// What a person should look at, if anything.
    pub conflict: Option<PlanConflict>,
    /// The fingerprint of the desired input, to save after a successful write.
    pub fingerprint: Fingerprint,
    /// What could not be mapped cleanly.
    pub issues: Vec<MappingIssue>,
}

impl PlannedCustomer {
    /// A planned customer; the display name is taken from `desired`.
    pub fn new(
        shop_client_id: u64,
        desired: &CustomerInput,
        fingerprint: Fingerprint,
        decision: PlanDecision,
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
            action: decision.action,
            conflict: decision.conflict,
            fingerprint,
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
    /// Agent-made contacts to adopt (a real run gives each contact to one customer only).
    pub adopt: usize,
    /// Customers unchanged.
    pub skip: usize,
    /// Customers with a conflict note (counted in their action too).
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
                PlanAction::Adopt { .. } => counts.adopt += 1,
                PlanAction::Skip { .. } => counts.skip += 1,
            }
            counts.conflict += usize::from(customer.conflict.is_some());
        }
        counts
    }
}

impl fmt::Display for PlanCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} to create, {} to update, {} to adopt, {} unchanged, {} with a conflict note",
            self.create, self.update, self.adopt, self.skip, self.conflict
        )
    }
}

impl fmt::Display for Plan {
    /// A readable listing for `--dry-run`: one line per customer that needs something, each
    /// change, conflict note and issue indented below it, then the counts. Unchanged customers
    /// are counted only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for customer in &self.customers {
            let who = format!(
                "shop #{} {}",
                customer.shop_client_id, customer.display_name
            );
            let changes = match &customer.action {
                PlanAction::Skip { .. } => continue,
                PlanAction::Create => {
                    writeln!(f, "CREATE   {who}")?;
                    &[][..]
                }
                PlanAction::Update {
                    customer_id,
                    changes,
                } => {
                    writeln!(f, "UPDATE   {who} -> thulium #{customer_id}")?;
                    changes.as_slice()
                }
                PlanAction::Adopt {
                    customer_id,
                    changes,
                } => {
                    writeln!(f, "ADOPT    {who} -> thulium #{customer_id}")?;
                    changes.as_slice()
                }
            };
            for change in changes {
                writeln!(
                    f,
                    "           {}: {} -> {}",
                    change.field,
                    change.before.as_deref().unwrap_or("(empty)"),
                    change.after.as_deref().unwrap_or("(empty)")
                )?;
            }
            if let Some(conflict) = &customer.conflict {
                let ids: Vec<String> = conflict
                    .customer_ids
                    .iter()
                    .map(|id| format!("#{id}"))
                    .collect();
                writeln!(
                    f,
                    "           ! conflict {:?} among thulium {}",
                    conflict.reason,
                    ids.join(", ")
                )?;
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

    fn customer(customer_id: u64, shop_id: Option<u64>) -> Customer {
        serde_json::from_value(serde_json::json!({
            "customer_id": customer_id,
            "custom_fields": {"IAI Shop ID": shop_id}
        }))
        .unwrap()
    }

    fn plan(
        linked: Option<u64>,
        by_id: &[Customer],
        by_fallback: &[Customer],
        held: &[u64],
    ) -> PlanDecision {
        let desired = desired();
        plan_customer(
            &PlanInput {
                shop_client_id: 7,
                desired: &desired,
                linked_customer_id: linked,
                last_fingerprint: None,
                by_id,
                by_fallback,
                held_by_others: held,
                adopted_by_others: &[],
            },
            &config(),
        )
    }

    #[test]
    fn a_linked_customer_not_found_by_id_is_updated_not_recreated() {
        let decision = plan(Some(273), &[], &[], &[]);
        assert!(matches!(
            decision.action,
            PlanAction::Update {
                customer_id: 273,
                ..
            }
        ));
        assert_eq!(decision.action.customer_id(), Some(273));
        assert_eq!(decision.conflict, None);
    }

    #[test]
    fn the_id_field_outranks_the_store_and_duplicates_are_a_note_not_a_stop() {
        let one = plan(Some(5), &[customer(9, Some(7))], &[], &[]);
        assert_eq!(one.action.customer_id(), Some(9));

        let two = plan(
            None,
            &[customer(12, Some(7)), customer(9, Some(7))],
            &[],
            &[],
        );
        assert_eq!(two.action.customer_id(), Some(9));
        assert_eq!(
            two.conflict,
            Some(PlanConflict {
                customer_ids: vec![9, 12],
                reason: ConflictReason::SameShopId
            })
        );
        let linked = plan(
            Some(12),
            &[customer(12, Some(7)), customer(9, Some(7))],
            &[],
            &[],
        );
        assert_eq!(linked.action.customer_id(), Some(12));
    }

    #[test]
    fn one_free_exact_match_is_adopted_and_several_give_a_contact_of_its_own() {
        let free = customer(40, None);
        let adopted = plan(None, &[], std::slice::from_ref(&free), &[]);
        assert!(matches!(
            adopted.action,
            PlanAction::Adopt {
                customer_id: 40,
                ..
            }
        ));

        // Another shop customer's contact (by ID field, or held in the store) is never taken.
        let other = customer(41, Some(99));
        assert_eq!(plan(None, &[], &[other], &[]).action, PlanAction::Create);
        assert_eq!(
            plan(None, &[], std::slice::from_ref(&free), &[40]).action,
            PlanAction::Create
        );

        let ambiguous = plan(None, &[], &[free, customer(39, None)], &[]);
        assert_eq!(ambiguous.action, PlanAction::Create);
        assert_eq!(
            ambiguous.conflict,
            Some(PlanConflict {
                customer_ids: vec![39, 40],
                reason: ConflictReason::AmbiguousMatch
            })
        );
    }

    #[test]
    fn a_contact_adopted_by_another_still_counts_so_reruns_decide_as_the_first_run() {
        let desired = desired();
        let decide = |adopted: &[u64]| {
            plan_customer(
                &PlanInput {
                    shop_client_id: 7,
                    desired: &desired,
                    linked_customer_id: None,
                    last_fingerprint: None,
                    by_id: &[],
                    by_fallback: &[customer(40, None), customer(41, Some(99))],
                    held_by_others: &[41],
                    adopted_by_others: adopted,
                },
                &config(),
            )
        };
        // 41 was created by the sync for client 99: only 40 counts, and it is free.
        assert!(matches!(
            decide(&[]).action,
            PlanAction::Adopt {
                customer_id: 40,
                ..
            }
        ));
        // 41 is an agent's contact client 99 adopted: two agent contacts match, as they did
        // before 99 was written: a contact of its own.
        let rerun = decide(&[41]);
        assert_eq!(rerun.action, PlanAction::Create);
        assert_eq!(
            rerun.conflict.map(|c| (c.customer_ids, c.reason)),
            Some((vec![40, 41], ConflictReason::AmbiguousMatch))
        );
    }

    #[test]
    fn plan_prints_for_dry_run_and_counts() {
        let desired = desired();
        let print = Fingerprint::of_customer(&desired);
        let decided = |action| PlanDecision {
            action,
            conflict: None,
        };
        let mut plan = Plan::default();
        plan.push(PlannedCustomer::new(
            1,
            &desired,
            print.clone(),
            decided(PlanAction::Create),
            Vec::new(),
        ));
        plan.push(PlannedCustomer::new(
            2,
            &desired,
            print.clone(),
            decided(PlanAction::Skip { customer_id: 9 }),
            Vec::new(),
        ));
        plan.push(PlannedCustomer::new(
            3,
            &desired,
            print.clone(),
            decided(PlanAction::Update {
                customer_id: 10,
                changes: vec![FieldChange {
                    field: "surname".into(),
                    before: None,
                    after: Some("Kowalski".into()),
                }],
            }),
            vec![MappingIssue::StreetNotSplit {
                line: "Rynek".into(),
            }],
        ));
        plan.push(PlannedCustomer::new(
            4,
            &desired,
            print.clone(),
            PlanDecision {
                action: PlanAction::Create,
                conflict: Some(PlanConflict {
                    customer_ids: vec![5, 6],
                    reason: ConflictReason::AmbiguousMatch,
                }),
            },
            Vec::new(),
        ));
        plan.push(PlannedCustomer::new(
            5,
            &desired,
            print.clone(),
            decided(PlanAction::Adopt {
                customer_id: 11,
                changes: Vec::new(),
            }),
            Vec::new(),
        ));
        assert_eq!(
            plan.counts(),
            PlanCounts {
                create: 2,
                update: 1,
                adopt: 1,
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
             CREATE   shop #4 Jan Kowalski\n\
             \x20          ! conflict AmbiguousMatch among thulium #5, #6\n\
             ADOPT    shop #5 Jan Kowalski -> thulium #11\n\
             2 to create, 1 to update, 1 to adopt, 1 unchanged, 1 with a conflict note"
        );
        assert_eq!(plan.customers[0].fingerprint, print);
    }
}
