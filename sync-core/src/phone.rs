//! Phone numbers: one normalised form (E.164, `+48601234567`) so that the same number
//! written in different ways is one number, both when we write it and when we search by it.
//!
//! # Why not the `phonenumber` crate
//! It is the standard port of libphonenumber, but it parses the full XML metadata at build
//! time, compiles regular expressions at run time and adds about a dozen dependencies —
//! heavy for a pure crate meant to be embedded, and slow per number. The integration needs
//! a *consistent key* for numbers of a mostly Polish customer base, not full validation
//! against every numbering plan, so this module uses a small, documented rule instead:
//!
//! 1. Separators are dropped: spaces (also no-break), `-`, `.`, `/`, `(`, `)`; a `(0)`
//!    written after an international prefix (`+44 (0)20 …`) is dropped too.
//! 2. `+CC…` or `00CC…` is international: the digits are kept as they are (7–15 digits, not
//!    starting with 0). Numbers under `+48` must have 9 national digits.
//! 3. Otherwise the number is national to the customer's country (default from the config):
//!    the country's trunk prefix (e.g. `0` in Germany) is removed, its national length is
//!    checked, and its calling code is put in front. For Poland, 11 digits starting with
//!    `48` are read as an international number without its `+`, and a leading `0` before
//!    9 digits (the pre-2005 trunk prefix) is removed.
//! 4. Anything else (letters, extensions, too short or too long) is an [`InvalidPhone`],
//!    reported and not sent.

/// Why a phone number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneProblem {
    /// Nothing but whitespace and separators.
    #[error("is empty")]
    Empty,
    /// Contains characters other than digits, a leading `+` and separators.
    #[error("contains characters that are not digits")]
    NotDigits,
    /// Too few or too many digits for the country (or for E.164).
    #[error("has a wrong number of digits")]
    Length,
    /// A national number for a country this module has no numbering rule for.
    #[error("is a national number for an unsupported country `{0}`")]
    UnsupportedCountry(String),
}

/// A phone number that could not be normalised, with what was wrong. Reported, never sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("phone number `{raw}` {problem}")]
pub struct InvalidPhone {
    /// The value as found in the shop data.
    pub raw: String,
    /// What is wrong with it.
    pub problem: PhoneProblem,
}

/// A country's numbering rule: calling code, trunk prefix and national number length.
struct CountryRule {
    iso: &'static str,
    calling_code: &'static str,
    trunk_prefix: Option<&'static str>,
    national_digits: (usize, usize),
}

const fn rule(
    iso: &'static str,
    calling_code: &'static str,
    trunk_prefix: Option<&'static str>,
    national_digits: (usize, usize),
) -> CountryRule {
    CountryRule {
        iso,
        calling_code,
        trunk_prefix,
        national_digits,
    }
}

/// The countries whose national numbers are understood: Poland and the countries its shops
/// most often ship to. International numbers from anywhere are understood regardless.
const COUNTRIES: &[CountryRule] = &[
    rule("PL", "48", None, (9, 9)),
    rule("CZ", "420", None, (9, 9)),
    rule("SK", "421", Some("0"), (9, 9)),
    rule("DE", "49", Some("0"), (6, 13)),
    rule("AT", "43", Some("0"), (4, 13)),
    rule("LT", "370", Some("8"), (8, 8)),
    rule("LV", "371", None, (8, 8)),
    rule("EE", "372", None, (7, 8)),
    rule("UA", "380", Some("0"), (9, 9)),
    rule("GB", "44", Some("0"), (9, 10)),
    rule("IE", "353", Some("0"), (7, 9)),
    rule("FR", "33", Some("0"), (9, 9)),
    rule("BE", "32", Some("0"), (8, 9)),
    rule("NL", "31", Some("0"), (9, 9)),
    rule("IT", "39", None, (6, 11)),
    rule("ES", "34", None, (9, 9)),
    rule("SE", "46", Some("0"), (7, 9)),
    rule("NO", "47", None, (8, 8)),
    rule("DK", "45", None, (8, 8)),
    rule("US", "1", Some("1"), (10, 10)),
    rule("CA", "1", Some("1"), (10, 10)),
];

fn country_rule(iso: &str) -> Option<&'static CountryRule> {
    let iso = iso.trim();
    COUNTRIES
        .iter()
        .find(|rule| rule.iso.eq_ignore_ascii_case(iso))
}

/// The calling code of a supported country (ISO 3166 alpha-2, any case), e.g. `"48"` for `pl`.
pub fn country_calling_code(iso: &str) -> Option<&'static str> {
    country_rule(iso).map(|rule| rule.calling_code)
}

/// Whether national numbers of this country (ISO 3166 alpha-2, any case) can be normalised.
pub fn is_supported_country(iso: &str) -> bool {
    country_rule(iso).is_some()
}

/// The ISO codes of the countries whose national numbers are understood.
pub fn supported_countries() -> impl Iterator<Item = &'static str> {
    COUNTRIES.iter().map(|rule| rule.iso)
}

/// Normalises a phone number to E.164 (`+` and digits), reading a number without an
/// international prefix as national to `country` (ISO 3166 alpha-2). See the module docs
/// for the exact rule.
///
/// ```
/// use sync_core::phone::normalize_phone;
/// for written in ["+48 601 234 567", "601234567", "0048601234567", "(+48) 601-234-567"] {
///     assert_eq!(normalize_phone(written, "PL").unwrap(), "+48601234567");
/// }
/// assert_eq!(normalize_phone("030 1234567", "DE").unwrap(), "+49301234567");
/// assert!(normalize_phone("601 234 567 wew. 12", "PL").is_err());
/// ```
pub fn normalize_phone(raw: &str, country: &str) -> Result<String, InvalidPhone> {
    let invalid = |problem| InvalidPhone {
        raw: raw.to_owned(),
        problem,
    };
    let compact = strip_separators(raw);
    if compact.is_empty() {
        return Err(invalid(PhoneProblem::Empty));
    }
    let (international, digits) = if let Some(rest) = compact.strip_prefix('+') {
        (true, rest)
    } else if let Some(rest) = compact.strip_prefix("00") {
        (true, rest)
    } else {
        (false, compact.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid(PhoneProblem::NotDigits));
    }
    let e164_digits = if international {
        digits.to_owned()
    } else {
        national_to_international(digits, country).map_err(invalid)?
    };
    if !is_plausible_e164(&e164_digits) {
        return Err(invalid(PhoneProblem::Length));
    }
    Ok(format!("+{e164_digits}"))
}

fn strip_separators(raw: &str) -> String {
    let compact: String = raw
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '.' | '/')))
        .collect();
    // `+44(0)20…`: the `(0)` is the trunk prefix shown for national callers; drop it.
    let compact = match compact.split_once("(0)") {
        Some((before, after)) if before.starts_with('+') || before.starts_with("00") => {
            format!("{before}{after}")
        }
        _ => compact,
    };
    compact
        .chars()
        .filter(|c| !matches!(c, '(' | ')'))
        .collect()
}

fn national_to_international(digits: &str, country: &str) -> Result<String, PhoneProblem> {
    let rule = country_rule(country)
        .ok_or_else(|| PhoneProblem::UnsupportedCountry(country.to_owned()))?;
    if rule.iso == "PL" {
        if digits.len() == 11 && digits.starts_with("48") {
            return Ok(digits.to_owned());
        }
        if digits.len() == 10 && digits.starts_with('0') {
            return Ok(format!("48{}", &digits[1..]));
        }
    }
    let national = match rule.trunk_prefix {
        Some(prefix) => digits.strip_prefix(prefix).unwrap_or(digits),
        None => digits,
    };
    let (min, max) = rule.national_digits;
    if !(min..=max).contains(&national.len()) {
        return Err(PhoneProblem::Length);
    }
    Ok(format!("{}{national}", rule.calling_code))
}

fn is_plausible_e164(digits: &str) -> bool {
    if !(7..=15).contains(&digits.len()) || digits.starts_with('0') {
        return false;
    }
    // Polish numbers have exactly 9 national digits: reject the common typo of one too many.
    match digits.strip_prefix("48") {
        Some(national) => national.len() == 9,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn polish_number_written_many_ways_is_one_number() {
        for written in [
            "+48 601 234 567",
            "601234567",
            "0048601234567",
            "601-234-567",
            "+48-601-234-567",
            "(+48) 601 234 567",
            "48601234567",
            "0601234567",
            "\u{a0}601\u{a0}234\u{a0}567 ",
            "601.234.567",
        ] {
            assert_eq!(
                normalize_phone(written, "PL").unwrap(),
                "+48601234567",
                "{written:?}"
            );
        }
        assert_eq!(
            normalize_phone("22 628 12 34", "pl").unwrap(),
            "+48226281234"
        );
    }

    #[test]
    fn international_numbers_keep_their_own_country() {
        assert_eq!(
            normalize_phone("+49 30 1234567", "PL").unwrap(),
            "+49301234567"
        );
        assert_eq!(
            normalize_phone("+44 (0)20 7946 0958", "PL").unwrap(),
            "+442079460958"
        );
        assert_eq!(
            normalize_phone("00420 601 123 456", "PL").unwrap(),
            "+420601123456"
        );
    }

    #[test]
    fn national_numbers_of_other_countries_drop_the_trunk_prefix() {
        assert_eq!(
            normalize_phone("0170 1234567", "DE").unwrap(),
            "+491701234567"
        );
        assert_eq!(
            normalize_phone("020 7946 0958", "GB").unwrap(),
            "+442079460958"
        );
        assert_eq!(
            normalize_phone("601 123 456", "CZ").unwrap(),
            "+420601123456"
        );
        assert_eq!(
            normalize_phone("06 12345678", "IT").unwrap(),
            "+390612345678"
        );
    }

    #[test]
    fn bad_numbers_are_reported_with_the_reason() {
        let cases = [
            ("", "PL", PhoneProblem::Empty),
            (" - ", "PL", PhoneProblem::Empty),
            ("brak", "PL", PhoneProblem::NotDigits),
            ("601 234 567 wew. 12", "PL", PhoneProblem::NotDigits),
            ("+", "PL", PhoneProblem::NotDigits),
            ("12345", "PL", PhoneProblem::Length),
            ("6012345678", "PL", PhoneProblem::Length),
            ("+48 601 234 5678", "PL", PhoneProblem::Length),
            ("+1234567890123456", "PL", PhoneProblem::Length),
            (
                "601234567",
                "ZZ",
                PhoneProblem::UnsupportedCountry("ZZ".into()),
            ),
        ];
        for (raw, country, problem) in cases {
            let error = normalize_phone(raw, country).unwrap_err();
            assert_eq!(error.problem, problem, "{raw:?}");
            assert_eq!(error.raw, raw);
        }
    }

    #[test]
    fn countries_are_looked_up_in_any_case() {
        assert_eq!(country_calling_code("pl"), Some("48"));
        assert_eq!(country_calling_code(" DE "), Some("49"));
        assert!(!is_supported_country("XX"));
        assert!(supported_countries().any(|iso| iso == "UA"));
    }
}
