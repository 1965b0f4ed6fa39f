//! Phone numbers: one normalised form (E.164, `+48601234567`) so that the same number
//! written in different ways is one number, both when we write it and when we search by it.
//!
//! Three entry points:
//! - [`normalize_phone`] reads any way a number is typed into E.164, or says why it cannot;
//! - [`phone_key`] is **the one normaliser for both sides of a match**: the shop's number and
//!   the number an agent typed into Thulium give the same key when they are the same number;
//! - [`format_phone`] gives the written form of an E.164 number for a [`PhoneFormat`]
//!   (`e164`, or `national` as Thulium's documentation shows Polish numbers: `601234567`).
//!
//! # Why not the `phonenumber` crate
//! It is the standard port of libphonenumber, but it parses the full XML metadata at build
//! time, compiles regular expressions at run time and adds about a dozen dependencies —
//! heavy for a pure crate meant to be embedded, and slow per number. The integration needs
//! a *consistent key* for numbers of a mostly Polish customer base, not full validation
//! against every numbering plan, so this module uses a small, documented rule instead:
//!
//! 1. Separators are dropped: white space (also no-break), `-` and the other dashes, `.`,
//!    `/`, `(`, `)`; a `(0)` written after an international prefix (`+44 (0)20 …`) is
//!    dropped too.
//! 2. `+CC…` or `00CC…` is international: the digits are kept as they are (7–15 digits, not
//!    starting with 0). Numbers under `+48` must have 9 national digits.
//! 3. Otherwise the number is national to the customer's country (default from the config):
//!    the country's trunk prefix (e.g. `0` in Germany) is removed, its national length is
//!    checked, and its calling code is put in front. For Poland, 11 digits starting with
//!    `48` are read as an international number without its `+`, and a leading `0` before
//!    9 digits (the pre-2005 trunk prefix) is removed.
//! 4. Anything else (letters, extensions, too short or too long) is an [`InvalidPhone`],
//!    reported and not sent.
//!
//! So every way an agent types a Polish number — `601 234 567`, `601234567`, `48601234567`,
//! `+48 601-234-567`, `0048601234567`, `(+48) 601 234 567` — is `+48601234567`.

use serde::{Deserialize, Serialize};

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
        .filter(|c| !(c.is_whitespace() || is_dash(*c) || matches!(c, '.' | '/')))
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

/// `-` and the Unicode dashes a word processor puts in its place (`‐ ‑ ‒ – — ―`).
fn is_dash(c: char) -> bool {
    c == '-' || ('\u{2010}'..='\u{2015}').contains(&c)
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

/// The match key of a phone number: its E.164 form, or `None` when it cannot be read.
///
/// This is **the one normaliser for both sides of a match**: apply it to the number from the
/// shop and to the number on a Thulium contact (whichever [`PhoneFormat`] it was written in,
/// or however an agent typed it) and compare the keys; equal keys are the same number. A
/// number without an international prefix is read as national to `default_country` (the
/// integration's `phone_default_country`). Unreadable text (`None`) matches nothing.
///
/// ```
/// use sync_core::phone::phone_key;
/// let shop = phone_key("+48 601-234-567", "PL");
/// assert_eq!(shop.as_deref(), Some("+48601234567"));
/// assert_eq!(phone_key("601234567", "PL"), shop); // as written with `phone_format = "national"`
/// assert_eq!(phone_key("0048 601 234 567", "PL"), shop);
/// assert_eq!(phone_key("brak telefonu", "PL"), None);
/// ```
pub fn phone_key(raw: &str, default_country: &str) -> Option<String> {
    normalize_phone(raw, default_country).ok()
}

/// How phone numbers are written to Thulium (`phone_format` in the integration's config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhoneFormat {
    /// E.164 with its `+` and country code, `+48601234567` (the default): one spelling for
    /// every country, dialable from anywhere.
    #[default]
    E164,
    /// National numbers of the integration's home country (`phone_default_country`) as
    /// dialled inside that country — `601234567` for Poland, as Thulium's documentation
    /// shows them; the trunk prefix is put back where the country has one (`0301234567`
    /// for Germany). Numbers of other countries stay in E.164.
    National,
}

impl PhoneFormat {
    /// The name used in the config file: `e164` or `national`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::E164 => "e164",
            Self::National => "national",
        }
    }
}

impl std::fmt::Display for PhoneFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for PhoneFormat {
    type Err = String;

    /// `e164` or `national`, in any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "e164" => Ok(Self::E164),
            "national" => Ok(Self::National),
            _ => Err(format!(
                "`{text}` is not a phone format (known: `e164`, `national`)"
            )),
        }
    }
}

/// The written form of an E.164 number (as [`normalize_phone`] gives it) in `format`, with
/// `home_country` (ISO 3166 alpha-2) the country whose numbers [`PhoneFormat::National`]
/// writes nationally.
///
/// Total: a number of another country, a home country this module has no rule for, a
/// national part of the wrong length, or text that is not E.164 at all is returned as given
/// (so nothing is ever lost by formatting). [`phone_key`] reads every result back to the
/// same E.164 number when `home_country` is also the default country it reads with.
///
/// ```
/// use sync_core::phone::{PhoneFormat, format_phone};
/// assert_eq!(format_phone("+48601234567", PhoneFormat::National, "PL"), "601234567");
/// assert_eq!(format_phone("+48601234567", PhoneFormat::E164, "PL"), "+48601234567");
/// assert_eq!(format_phone("+49301234567", PhoneFormat::National, "PL"), "+49301234567");
/// assert_eq!(format_phone("+49301234567", PhoneFormat::National, "DE"), "0301234567");
/// ```
pub fn format_phone(e164: &str, format: PhoneFormat, home_country: &str) -> String {
    match format {
        PhoneFormat::E164 => e164.to_owned(),
        PhoneFormat::National => {
            national_form(e164, home_country).unwrap_or_else(|| e164.to_owned())
        }
    }
}

/// The national form of an E.164 number of `home_country`, if it is one.
fn national_form(e164: &str, home_country: &str) -> Option<String> {
    let rule = country_rule(home_country)?;
    let digits = e164.strip_prefix('+')?;
    if !digits.chars().all(|c| c.is_ascii_digit()) || !is_plausible_e164(digits) {
        return None;
    }
    let national = digits.strip_prefix(rule.calling_code)?;
    let (min, max) = rule.national_digits;
    if !(min..=max).contains(&national.len()) {
        return None;
    }
    let trunk = rule.trunk_prefix.unwrap_or("");
    Some(format!("{trunk}{national}"))
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

    #[test]
    fn every_way_an_agent_types_a_polish_number_is_one_key() {
        let typed = [
            "601 234 567",
            "601234567",
            "48601234567",
            "+48 601-234-567",
            "0048601234567",
            "(+48) 601 234 567",
            "+48 601 234 567",
            "48 601 234 567",
            "0048 601 234 567",
            "+48 (0) 601 234 567",
            "601\u{2013}234\u{2013}567",
            "+ 48 601 234 567",
        ];
        for written in typed {
            assert_eq!(
                phone_key(written, "PL").as_deref(),
                Some("+48601234567"),
                "{written:?}"
            );
        }
        assert_eq!(phone_key("601 234 56", "PL"), None);
        assert_eq!(phone_key("", "PL"), None);
    }

    #[test]
    fn national_format_writes_home_numbers_as_thulium_shows_them() {
        let cases = [
            ("+48601234567", "PL", "601234567"),
            ("+48226281234", "pl", "226281234"),
            // Other countries keep their international form.
            ("+49301234567", "PL", "+49301234567"),
            ("+420601123456", "PL", "+420601123456"),
            // A home country with a trunk prefix gets it back.
            ("+49301234567", "DE", "0301234567"),
            ("+442079460958", "GB", "02079460958"),
            ("+420601123456", "CZ", "601123456"),
            // Not E.164, or a home country without a rule: returned as given.
            ("601234567", "PL", "601234567"),
            ("+48 601", "PL", "+48 601"),
            ("+48601234567", "ZZ", "+48601234567"),
        ];
        for (e164, home, written) in cases {
            assert_eq!(
                format_phone(e164, PhoneFormat::National, home),
                written,
                "{e164} in {home}"
            );
            assert_eq!(format_phone(e164, PhoneFormat::E164, home), e164);
        }
    }

    #[test]
    fn phone_format_reads_and_shows_its_config_names() {
        assert_eq!("e164".parse::<PhoneFormat>(), Ok(PhoneFormat::E164));
        assert_eq!(
            " National ".parse::<PhoneFormat>(),
            Ok(PhoneFormat::National)
        );
        let error = "local".parse::<PhoneFormat>().unwrap_err();
        assert!(error.contains("`local`"), "{error}");
        assert_eq!(PhoneFormat::default(), PhoneFormat::E164);
        assert_eq!(PhoneFormat::National.to_string(), "national");
        assert_eq!(
            serde_json::to_value(PhoneFormat::National).unwrap(),
            serde_json::json!("national")
        );
        assert_eq!(
            serde_json::from_value::<PhoneFormat>(serde_json::json!("e164")).unwrap(),
            PhoneFormat::E164
        );
    }

    /// One of the separators people put between digit groups.
    fn separator() -> impl proptest::strategy::Strategy<Value = &'static str> {
        proptest::sample::select(vec!["", " ", "-", ".", "/", "\u{a0}", " - ", "\u{2013}"])
    }

    proptest::proptest! {
        /// Any 9-digit Polish number, in any of the ways it is typed (prefix, grouping,
        /// separators), reads to the same E.164 number.
        #[test]
        fn any_spelling_of_a_polish_number_is_its_e164(
            national in "[1-9][0-9]{8}",
            prefix in proptest::sample::select(vec![
                "", "48", "+48", "+48 ", "0048", "0048 ", "(+48) ", "(48) ", "+48 (0)", "0",
            ]),
            sep in separator(),
            groups in proptest::sample::select(vec![vec![3, 3, 3], vec![2, 3, 2, 2], vec![9], vec![3, 6]]),
        ) {
            let mut written = String::from(prefix);
            let mut rest = national.as_str();
            for (index, size) in groups.iter().enumerate() {
                if index > 0 {
                    written.push_str(sep);
                }
                let (group, tail) = rest.split_at(*size);
                written.push_str(group);
                rest = tail;
            }
            let expected = format!("+48{national}");
            proptest::prop_assert_eq!(normalize_phone(&written, "PL").ok(), Some(expected.clone()), "{:?}", written);
            proptest::prop_assert_eq!(phone_key(&written, "PL"), Some(expected));
        }

        /// Whatever is written in either format reads back to the same key, for the home
        /// country and for any other; and the national form of a Polish number is its 9 digits.
        #[test]
        fn the_written_form_reads_back_to_the_same_key(
            national in "[1-9][0-9]{5,12}",
            country in proptest::sample::select(vec!["PL", "DE", "GB", "CZ", "IT", "LT", "US", "AT"]),
            home in proptest::sample::select(vec!["PL", "DE", "GB", "LT", "US"]),
        ) {
            let Ok(e164) = normalize_phone(&national, country) else {
                return Ok(());
            };
            for format in [PhoneFormat::E164, PhoneFormat::National] {
                let written = format_phone(&e164, format, home);
                proptest::prop_assert_eq!(phone_key(&written, home), Some(e164.clone()), "{:?}", written);
            }
            if country == "PL" && home == "PL" {
                proptest::prop_assert_eq!(format_phone(&e164, PhoneFormat::National, home), national);
            }
        }
    }
}
