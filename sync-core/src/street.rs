//! Splitting a street line into the Thulium address fields street, building and flat.
//!
//! The rule, for Polish (and most European) street lines, read from the end of the line:
//! `<street> <building>[ <flat marker> <flat>]` or `<street> <building>/<flat>`, where the
//! building starts with a digit (`5`, `123A`, `5-7`), the flat marker is `m`, `m.`, `lok`,
//! `lok.`, `lokal`, `mieszk.`, `apt`, `apt.` or a lone `/`, and the street contains a letter
//! (`ul. 3 Maja 12` works: only the last number is the building). A line that does not fit
//! (`12 Baker Street`, `Długa`, `Długa 5/7/9`) is kept whole in `street` — never guessed.

use serde::Serialize;

/// A street line split into the Thulium address fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct StreetParts {
    /// The street, including any prefix as written (`ul.`, `al.`), or the whole line when it
    /// did not parse.
    pub street: String,
    /// The building number, when the line parsed.
    pub building: Option<String>,
    /// The flat (apartment) number, when the line had one.
    pub flat: Option<String>,
}

impl StreetParts {
    /// Whether the line was split (a building number was found).
    pub fn is_split(&self) -> bool {
        self.building.is_some()
    }
}

const FLAT_MARKERS: &[&str] = &[
    "m", "m.", "lok", "lok.", "lokal", "mieszk.", "apt", "apt.", "/",
];

/// Splits a street line; see the module docs for the rule. Whitespace is collapsed.
///
/// ```
/// use sync_core::street::split_street_line;
/// let parts = split_street_line("Aleje Jerozolimskie 123A m. 4");
/// assert_eq!(parts.street, "Aleje Jerozolimskie");
/// assert_eq!(parts.building.as_deref(), Some("123A"));
/// assert_eq!(parts.flat.as_deref(), Some("4"));
/// ```
pub fn split_street_line(line: &str) -> StreetParts {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    split_tokens(&tokens).unwrap_or_else(|| StreetParts {
        street: tokens.join(" "),
        building: None,
        flat: None,
    })
}

fn split_tokens(tokens: &[&str]) -> Option<StreetParts> {
    match tokens {
        [street @ .., building, marker, flat]
            if is_flat_marker(marker) && is_building(trim_comma(building)) && is_flat(flat) =>
        {
            parts(street, trim_comma(building), Some(flat))
        }
        [street @ .., last] => match last.split_once('/') {
            Some((building, flat)) => {
                if is_building(building) && is_flat(flat) {
                    parts(street, building, Some(flat))
                } else {
                    None
                }
            }
            None if is_building(last) => parts(street, last, None),
            None => None,
        },
        [] => None,
    }
}

fn parts(street: &[&str], building: &str, flat: Option<&str>) -> Option<StreetParts> {
    let street = street.join(" ");
    let street = street.trim_end_matches(',').trim_end();
    if !street.chars().any(char::is_alphabetic) {
        return None;
    }
    Some(StreetParts {
        street: street.to_owned(),
        building: Some(building.to_owned()),
        flat: flat.map(str::to_owned),
    })
}

fn trim_comma(token: &str) -> &str {
    token.trim_end_matches(',')
}

fn is_flat_marker(token: &str) -> bool {
    FLAT_MARKERS
        .iter()
        .any(|marker| marker.eq_ignore_ascii_case(token))
}

/// `5`, `123A`, `12b`, `5-7`, `5A-5C`: starts with a digit, then digits, letters and `-`.
fn is_building(token: &str) -> bool {
    token.len() <= 12
        && token.chars().next().is_some_and(|c| c.is_ascii_digit())
        && token.chars().all(|c| c.is_alphanumeric() || c == '-')
        && token.chars().filter(|c| c.is_alphabetic()).count() <= 2
}

/// `4`, `12`, `4a`, `B`: a short run of letters and digits.
fn is_flat(token: &str) -> bool {
    !token.is_empty() && token.chars().count() <= 6 && token.chars().all(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> (String, Option<String>, Option<String>) {
        let parts = split_street_line(line);
        (parts.street, parts.building, parts.flat)
    }

    fn some(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    #[test]
    fn polish_lines() {
        assert_eq!(
            split("ul. Długa 5/7"),
            ("ul. Długa".into(), some("5"), some("7"))
        );
        assert_eq!(
            split("Aleje Jerozolimskie 123A m. 4"),
            ("Aleje Jerozolimskie".into(), some("123A"), some("4"))
        );
        assert_eq!(
            split("ul. 3 Maja 12"),
            ("ul. 3 Maja".into(), some("12"), None)
        );
        assert_eq!(
            split("Os. Tysiąclecia 5 lok. 12a"),
            ("Os. Tysiąclecia".into(), some("5"), some("12a"))
        );
        assert_eq!(
            split("ul. Źródlana 5, m 3"),
            ("ul. Źródlana".into(), some("5"), some("3"))
        );
        assert_eq!(
            split("Plac Wolności 1 / 2"),
            ("Plac Wolności".into(), some("1"), some("2"))
        );
        assert_eq!(
            split("Kwiatowa  5-7 "),
            ("Kwiatowa".into(), some("5-7"), None)
        );
        assert_eq!(
            split("Hauptstraße 12b"),
            ("Hauptstraße".into(), some("12b"), None)
        );
    }

    #[test]
    fn lines_that_do_not_parse_stay_whole() {
        for line in [
            "12 Baker Street",
            "Długa",
            "Długa 5/7/9",
            "5/7",
            "",
            "Rynek Główny bez numeru",
        ] {
            let parts = split_street_line(line);
            assert_eq!(
                parts.street,
                line.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            assert!(!parts.is_split(), "{line:?}");
            assert_eq!(parts.flat, None);
        }
    }
}
