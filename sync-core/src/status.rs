//! Readable labels and severity classes for IdoSell order statuses.
//!
//! Works on the status code as a string (`OrderStatus::as_str()`), so an unknown or
//! custom status still gets a label (the code itself) and a neutral class.

use crate::config::Locale;
use serde::Serialize;

/// How an order status should stand out on a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// New, not handled yet.
    Info,
    /// Waiting for something (payment, delivery, a date) or on hold.
    Waiting,
    /// Being handled or packed.
    Progress,
    /// Sent or completed.
    Success,
    /// Cancelled, lost, false, returned, complained.
    Danger,
    /// Merged into another order, or a status we do not know.
    Neutral,
}

impl Severity {
    /// The CSS class used on the card, e.g. `status-success`.
    pub fn css_class(self) -> &'static str {
        match self {
            Severity::Info => "status-info",
            Severity::Waiting => "status-waiting",
            Severity::Progress => "status-progress",
            Severity::Success => "status-success",
            Severity::Danger => "status-danger",
            Severity::Neutral => "status-neutral",
        }
    }
}

/// An order status as shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusLabel {
    /// The API's status code (`packed_ready`, …), kept for machines.
    pub code: String,
    /// The readable label in the configured language.
    pub label: String,
    /// How it should stand out.
    pub severity: Severity,
}

/// (code, Polish label, English label, severity) for every documented and seen status.
const STATUSES: &[(&str, &str, &str, Severity)] = &[
    (
        "new",
        "Nowe, nieobsłużone",
        "New, not handled",
        Severity::Info,
    ),
    (
        "payment_waiting",
        "Oczekuje na płatność",
        "Awaiting payment",
        Severity::Waiting,
    ),
    (
        "delivery_waiting",
        "Oczekuje na dostawę",
        "Awaiting delivery",
        Severity::Waiting,
    ),
    (
        "on_order",
        "W realizacji",
        "In progress",
        Severity::Progress,
    ),
    (
        "packed",
        "W trakcie kompletowania",
        "Being picked",
        Severity::Progress,
    ),
    (
        "packed_fulfillment",
        "Kompletowane przez fulfillment",
        "Being picked by fulfilment",
        Severity::Progress,
    ),
    ("packed_ready", "Spakowane", "Packed", Severity::Progress),
    ("ready", "Wysłane", "Sent", Severity::Success),
    (
        "wait_for_dispatch",
        "Oczekuje na termin wysyłki",
        "Awaiting dispatch date",
        Severity::Waiting,
    ),
    ("suspended", "Wstrzymane", "On hold", Severity::Waiting),
    (
        "joined",
        "Połączone z innym",
        "Merged into another order",
        Severity::Neutral,
    ),
    ("missing", "Zaginione", "Missing", Severity::Danger),
    ("lost", "Stracone", "Lost", Severity::Danger),
    ("false", "Fałszywe", "False order", Severity::Danger),
    (
        "canceled",
        "Anulowane przez klienta",
        "Cancelled by the customer",
        Severity::Danger,
    ),
    ("finished", "Zrealizowane", "Completed", Severity::Success),
    (
        "finished_ext",
        "Zrealizowane w programie zewnętrznym",
        "Completed externally",
        Severity::Success,
    ),
    (
        "wait_for_packaging",
        "Oczekuje na spakowanie",
        "Awaiting packing",
        Severity::Waiting,
    ),
    (
        "wait_for_receive",
        "Oczekuje na odbiór",
        "Awaiting pickup",
        Severity::Waiting,
    ),
    ("returned", "Zwrócone", "Returned", Severity::Danger),
    ("complained", "Reklamowane", "Complaint", Severity::Danger),
];

/// The label of a status code; unknown codes are shown as they are, with a neutral class.
///
/// ```
/// use sync_core::{config::Locale, status::{status_label, Severity}};
/// let label = status_label("packed_ready", Locale::En);
/// assert_eq!((label.label.as_str(), label.severity), ("Packed", Severity::Progress));
/// assert_eq!(status_label("my_custom", Locale::Pl).label, "my_custom");
/// ```
pub fn status_label(code: &str, locale: Locale) -> StatusLabel {
    let code = code.trim();
    let known = STATUSES
        .iter()
        .find(|(known, ..)| known.eq_ignore_ascii_case(code));
    match known {
        Some((known, polish, english, severity)) => StatusLabel {
            code: (*known).to_owned(),
            label: match locale {
                Locale::Pl => polish,
                Locale::En => english,
            }
            .to_string(),
            severity: *severity,
        },
        None => StatusLabel {
            code: code.to_owned(),
            label: if code.is_empty() {
                "?".to_owned()
            } else {
                code.to_owned()
            },
            severity: Severity::Neutral,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_has_both_labels() {
        for code in [
            "new",
            "payment_waiting",
            "delivery_waiting",
            "on_order",
            "packed",
            "packed_fulfillment",
            "packed_ready",
            "ready",
            "wait_for_dispatch",
            "suspended",
            "joined",
            "missing",
            "lost",
            "false",
            "canceled",
            "finished",
            "finished_ext",
        ] {
            let polish = status_label(code, Locale::Pl);
            let english = status_label(code, Locale::En);
            assert_ne!(polish.label, code);
            assert_ne!(english.label, code);
            assert_ne!(polish.label, english.label, "{code}");
            assert_eq!(polish.severity, english.severity);
        }
    }

    #[test]
    fn severities_follow_meaning() {
        assert_eq!(
            status_label("canceled", Locale::Pl).severity,
            Severity::Danger
        );
        assert_eq!(
            status_label("finished", Locale::Pl).severity,
            Severity::Success
        );
        assert_eq!(status_label("FINISHED", Locale::Pl).code, "finished");
        assert_eq!(
            status_label("payment_waiting", Locale::Pl)
                .severity
                .css_class(),
            "status-waiting"
        );
        let unknown = status_label("", Locale::En);
        assert_eq!(
            (unknown.label.as_str(), unknown.severity),
            ("?", Severity::Neutral)
        );
    }
}
