//! E-mail addresses: normalisation, validation and marketplace relay variants.
//!
//! The rule, from the reference (`idosell-api.md` §8, `thulium-api.md` §6): marketplace
//! relay addresses (`allegromail.pl`, `user.allegrogroup.pl`, `marketplace.amazon.*`) carry
//! the transaction in their last `+segment`; the address without it is the buyer's stable
//! alias. Thulium's own marketplace integrations save both forms, so we send both. Any
//! other address with a `+` (gmail tags) is left exactly as given.
//!
//! Validation is deliberately pragmatic: one `@`, a local part of printable characters
//! without spaces, and a dotted domain of letters, digits and `-`. Quoted local parts and
//! IP-literal domains are rejected (no shop customer has one in practice).

/// Why an address was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailProblem {
    /// Nothing but whitespace.
    #[error("is empty")]
    Empty,
    /// No `@`, or more than one.
    #[error("must contain exactly one `@`")]
    At,
    /// The part before `@` is empty, too long, or has spaces, control characters or bad dots.
    #[error("has an invalid local part")]
    LocalPart,
    /// The part after `@` is not a dotted host name.
    #[error("has an invalid domain")]
    Domain,
    /// Longer than 254 characters.
    #[error("is longer than 254 characters")]
    TooLong,
}

/// An address that could not be used, with what was wrong. Reported, never sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("e-mail address `{raw}` {problem}")]
pub struct InvalidEmail {
    /// The value as found in the shop data.
    pub raw: String,
    /// What is wrong with it.
    pub problem: EmailProblem,
}

/// Trims the address, validates it and lower-cases its domain (the local part keeps its case:
/// it is case-sensitive by the standard).
///
/// ```
/// use sync_core::email::normalize_email;
/// assert_eq!(normalize_email("  Jan.Kowalski@WP.PL ").unwrap(), "Jan.Kowalski@wp.pl");
/// assert!(normalize_email("jan kowalski@wp.pl").is_err());
/// ```
pub fn normalize_email(raw: &str) -> Result<String, InvalidEmail> {
    let invalid = |problem| InvalidEmail {
        raw: raw.to_owned(),
        problem,
    };
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(invalid(EmailProblem::Empty));
    }
    if trimmed.chars().count() > 254 {
        return Err(invalid(EmailProblem::TooLong));
    }
    let mut parts = trimmed.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid(EmailProblem::At));
    };
    if !is_valid_local_part(local) {
        return Err(invalid(EmailProblem::LocalPart));
    }
    let domain = domain.to_lowercase();
    if !is_valid_domain(&domain) {
        return Err(invalid(EmailProblem::Domain));
    }
    Ok(format!("{local}@{domain}"))
}

fn is_valid_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"\"(),:;<>[\\]".contains(c))
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.chars().count() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// Whether a (lower-case) domain is a marketplace relay domain whose last `+segment`
/// identifies a transaction: `allegromail.pl`, `user.allegrogroup.pl`, `marketplace.amazon.*`.
pub fn is_relay_domain(domain: &str) -> bool {
    domain == "allegromail.pl"
        || domain == "user.allegrogroup.pl"
        || domain
            .strip_prefix("marketplace.amazon.")
            .is_some_and(|rest| !rest.is_empty())
}

/// The addresses to send for one address found in the shop: the normalised address itself,
/// then — only on a relay domain and only when its local part has a `+` — the address without
/// its last `+segment`. De-duplicated, in that stable order; the first element is always the
/// normalised original.
///
/// ```
/// use sync_core::email::email_variants;
/// assert_eq!(
///     email_variants("8awgqyk6a5+cub31c122@allegromail.pl").unwrap(),
///     ["8awgqyk6a5+cub31c122@allegromail.pl", "8awgqyk6a5@allegromail.pl"]
/// );
/// assert_eq!(email_variants("anna+shop@gmail.com").unwrap(), ["anna+shop@gmail.com"]);
/// ```
pub fn email_variants(raw: &str) -> Result<Vec<String>, InvalidEmail> {
    let address = normalize_email(raw)?;
    let mut variants = vec![address.clone()];
    if let Some(alias) = relay_alias(&address) {
        variants.push(alias);
    }
    Ok(variants)
}

/// The stable buyer alias of a normalised relay address (without its last `+segment`), or
/// `None` when the address is not on a relay domain or has no `+`.
fn relay_alias(address: &str) -> Option<String> {
    let (local, domain) = address.rsplit_once('@')?;
    if !is_relay_domain(domain) {
        return None;
    }
    let (alias, _transaction) = local.rsplit_once('+')?;
    // An alias that would be empty or end in a dot is not a valid address: keep the original only.
    if alias.is_empty() || alias.ends_with('.') {
        return None;
    }
    Some(format!("{alias}@{domain}"))
}

/// Adds an address's variants to `list`, keeping the list free of duplicates and in order.
///
/// Duplicates are found ignoring case: no mail system in practice treats `Jan@` and `jan@`
/// as two mailboxes, and sending both would only clutter the Thulium card. The first
/// spelling seen is kept.
pub fn push_variants(list: &mut Vec<String>, raw: &str) -> Result<(), InvalidEmail> {
    for variant in email_variants(raw)? {
        let key = variant.to_lowercase();
        if !list.iter().any(|known| known.to_lowercase() == key) {
            list.push(variant);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn normalises_case_of_the_domain_only() {
        assert_eq!(
            normalize_email("\tŁukasz.Wójcik@Poczta.ONET.pl\n").unwrap(),
            "Łukasz.Wójcik@poczta.onet.pl"
        );
    }

    #[test]
    fn rejects_with_a_typed_problem() {
        let cases = [
            ("", EmailProblem::Empty),
            ("   ", EmailProblem::Empty),
            ("jan.kowalski.wp.pl", EmailProblem::At),
            ("a@b@wp.pl", EmailProblem::At),
            ("@wp.pl", EmailProblem::LocalPart),
            ("jan kowalski@wp.pl", EmailProblem::LocalPart),
            (".jan@wp.pl", EmailProblem::LocalPart),
            ("jan..k@wp.pl", EmailProblem::LocalPart),
            ("jan@wp", EmailProblem::Domain),
            ("jan@wp..pl", EmailProblem::Domain),
            ("jan@-wp.pl", EmailProblem::Domain),
            ("jan@wp.pl.", EmailProblem::Domain),
        ];
        for (raw, problem) in cases {
            let error = normalize_email(raw).unwrap_err();
            assert_eq!(error.problem, problem, "{raw:?}");
            assert_eq!(error.raw, raw);
        }
    }

    #[test]
    fn allegro_relay_gets_the_stable_alias_too() {
        assert_eq!(
            email_variants("8awgqyk6a5+cub31c122@ALLEGROMAIL.PL").unwrap(),
            [
                "8awgqyk6a5+cub31c122@allegromail.pl",
                "8awgqyk6a5@allegromail.pl"
            ]
        );
        assert_eq!(
            email_variants("qwerty+2f3a@user.allegrogroup.pl").unwrap(),
            [
                "qwerty+2f3a@user.allegrogroup.pl",
                "qwerty@user.allegrogroup.pl"
            ]
        );
    }

    #[test]
    fn amazon_strips_only_the_last_segment() {
        assert_eq!(
            email_variants("sn1i9ljql7+7w5e1s4+a05056221zodtbjjfaapk@marketplace.amazon.de")
                .unwrap(),
            [
                "sn1i9ljql7+7w5e1s4+a05056221zodtbjjfaapk@marketplace.amazon.de",
                "sn1i9ljql7+7w5e1s4@marketplace.amazon.de"
            ]
        );
        assert!(is_relay_domain("marketplace.amazon.co.uk"));
        assert!(!is_relay_domain("marketplace.amazon."));
        assert!(!is_relay_domain("amazon.de"));
    }

    #[test]
    fn ordinary_plus_addresses_and_relay_without_plus_are_untouched() {
        assert_eq!(
            email_variants("anna+zakupy@gmail.com").unwrap(),
            ["anna+zakupy@gmail.com"]
        );
        assert_eq!(
            email_variants("8awgqyk6a5@allegromail.pl").unwrap(),
            ["8awgqyk6a5@allegromail.pl"]
        );
        assert_eq!(
            email_variants("+abc@allegromail.pl").unwrap(),
            ["+abc@allegromail.pl"]
        );
    }

    #[test]
    fn push_variants_deduplicates_in_stable_order() {
        let mut list = Vec::new();
        push_variants(&mut list, "x+1@allegromail.pl").unwrap();
        push_variants(&mut list, "x+2@allegromail.pl").unwrap();
        push_variants(&mut list, "X+1@AllegroMail.pl").unwrap();
        push_variants(&mut list, "x+1@allegromail.pl").unwrap();
        assert_eq!(
            list,
            [
                "x+1@allegromail.pl",
                "x@allegromail.pl",
                "x+2@allegromail.pl"
            ]
        );
        assert!(push_variants(&mut list, "broken").is_err());
        assert_eq!(list.len(), 3);
    }
}
