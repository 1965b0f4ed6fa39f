//! Generated people: names, e-mails, phones, addresses, firms with NIP.

use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::names;
use crate::idosell::{CustomerPatch, NewCustomer, ShopAddress};

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    // The lists are non-empty constants; indexing by a drawn position cannot fail.
    &items[rng.random_range(0..items.len())]
}

/// ASCII letters of `text`, lower-cased, with Polish diacritics folded (for e-mails/logins).
pub(crate) fn fold_ascii(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            let folded = match c.to_lowercase().next().unwrap_or(c) {
                'ą' => 'a',
                'ć' => 'c',
                'ę' => 'e',
                'ł' => 'l',
                'ń' => 'n',
                'ó' => 'o',
                'ś' => 's',
                'ź' | 'ż' => 'z',
                other => other,
            };
            folded.is_ascii_alphanumeric().then_some(folded)
        })
        .collect()
}

/// A Polish mobile number in one of the formats customers type.
pub(crate) fn mobile_phone(rng: &mut StdRng) -> String {
    let first = *pick(rng, &[5u32, 6, 7, 8]);
    let rest: u32 = rng.random_range(0..100_000_000);
    let digits = format!("{first}{rest:08}");
    let (a, b, c) = (&digits[0..3], &digits[3..6], &digits[6..9]);
    match rng.random_range(0..6) {
        0 => format!("+48 {a} {b} {c}"),
        1 => format!("+48{digits}"),
        2 => format!("0048{digits}"),
        3 => format!("{a}-{b}-{c}"),
        4 => format!("{a} {b} {c}"),
        _ => digits,
    }
}

fn landline(rng: &mut StdRng) -> String {
    let area = *pick(rng, &["22", "12", "42", "71", "61", "58"]);
    let n: u32 = rng.random_range(1_000_000..10_000_000);
    format!("{area} {} {} {}", n / 10_000, (n / 100) % 100, n % 100)
}

/// A valid NIP (Polish tax number, with its check digit), sometimes written with dashes.
pub(crate) fn nip(rng: &mut StdRng) -> String {
    const WEIGHTS: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];
    loop {
        let digits: Vec<u32> = (0..9)
            .map(|i| rng.random_range(u32::from(i == 0)..10))
            .collect();
        let check = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum::<u32>() % 11;
        if check == 10 {
            continue;
        }
        let plain: String = digits
            .iter()
            .chain(std::iter::once(&check))
            .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
            .collect();
        return if rng.random_bool(0.3) {
            format!(
                "{}-{}-{}-{}",
                &plain[0..3],
                &plain[3..6],
                &plain[6..8],
                &plain[8..10]
            )
        } else {
            plain
        };
    }
}

/// A street address: (street with number, zip code, city).
pub(crate) fn address(rng: &mut StdRng) -> (String, String, String) {
    let (city, zip_prefix) = *pick(rng, names::CITIES);
    let street = pick(rng, names::STREETS);
    let number = rng.random_range(1..180);
    let street = if rng.random_bool(0.6) {
        format!("{street} {number}/{}", rng.random_range(1..90))
    } else {
        format!("{street} {number}")
    };
    let zip = format!("{zip_prefix}-{:03}", rng.random_range(1..1000));
    (street, zip, city.to_owned())
}

/// The kind of customer to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Persona {
    /// A registered private person or firm.
    Regular,
    /// A guest who ordered without an account.
    Guest,
}

/// A new customer with realistic data. `shops` is the number of shops (≥ 1).
pub(crate) fn new_customer(rng: &mut StdRng, persona: Persona, shops: u64) -> NewCustomer {
    let female = rng.random_bool(0.5);
    let first = if female {
        *pick(rng, names::FEMALE_FIRST)
    } else {
        *pick(rng, names::MALE_FIRST)
    };
    let (male_last, female_last) = *pick(rng, names::LAST);
    let last = if female { female_last } else { male_last };
    let is_firm = persona == Persona::Regular && rng.random_bool(0.1);
    let (street, zip, city) = address(rng);
    let email = (!rng.random_bool(0.06)).then(|| email_for(rng, first, last));
    let phone1 = (!rng.random_bool(0.07)).then(|| mobile_phone(rng));
    let phone2 = rng.random_bool(0.1).then(|| landline(rng));
    let country_id = if rng.random_bool(0.5) { "pl" } else { "PL" };
    let client_type = if is_firm {
        "firm"
    } else if rng.random_bool(0.4) {
        if female { "female" } else { "male" }
    } else {
        "private"
    };
    let mut shop_ids = vec![if shops > 1 && rng.random_bool(0.3) {
        rng.random_range(2..=shops)
    } else {
        1
    }];
    if shops > 1 && rng.random_bool(0.05) {
        let other = rng.random_range(1..=shops);
        if !shop_ids.contains(&other) {
            shop_ids.push(other);
        }
    }
    NewCustomer {
        login: None,
        email,
        code_external: rng
            .random_bool(0.05)
            .then(|| format!("ERP-{:06}", rng.random_range(0..1_000_000))),
        client_type: Some(client_type.into()),
        is_unregistered: persona == Persona::Guest,
        billing: ShopAddress {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            firm: is_firm.then(|| firm_name(rng, male_last)),
            nip: is_firm.then(|| nip(rng)),
            street: Some(street),
            zip_code: Some(zip),
            city: Some(city),
            country_id: Some(country_id.into()),
            phone1,
            phone2,
        },
        birth_date: rng.random_bool(0.3).then(|| birth_date(rng)).flatten(),
        shop_ids,
        currency_id: Some(if rng.random_bool(0.08) { "EUR" } else { "PLN" }.into()),
    }
}

fn birth_date(rng: &mut StdRng) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        rng.random_range(1945..2006),
        rng.random_range(1..=12),
        rng.random_range(1..=28),
    )
}

fn firm_name(rng: &mut StdRng, last: &str) -> String {
    pick(rng, names::FIRM_PATTERNS).replace("{}", last)
}

fn email_for(rng: &mut StdRng, first: &str, last: &str) -> String {
    let first = fold_ascii(first);
    let last = fold_ascii(last);
    let domain = pick(rng, names::EMAIL_DOMAINS);
    let local = match rng.random_range(0..4) {
        0 => format!("{first}.{last}"),
        1 => format!("{}{last}{}", &first[..1], rng.random_range(60..99)),
        2 => format!("{last}.{first}{}", rng.random_range(1..999)),
        _ => format!("{first}_{last}"),
    };
    let local = if rng.random_bool(0.1) {
        capitalize(&local)
    } else {
        local
    };
    format!("{local}@{domain}")
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// An address edit: a move to another street and city, sometimes with a new phone.
pub(crate) fn address_patch(rng: &mut StdRng) -> CustomerPatch {
    let (street, zip, city) = address(rng);
    CustomerPatch {
        street: Some(street),
        zip_code: Some(zip),
        city: Some(city),
        phone1: rng.random_bool(0.3).then(|| mobile_phone(rng)),
        ..CustomerPatch::default()
    }
}

/// An Allegro buyer: (stable alias, login).
pub(crate) fn allegro_identity(rng: &mut StdRng, last: &str) -> (String, String) {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let alias: String = (0..10)
        .map(|_| char::from(*ALPHABET.choose(rng).unwrap_or(&b'x')))
        .collect();
    let login = format!("{}_{}", fold_ascii(last), rng.random_range(1..9999));
    (alias, login)
}

/// A masked relay address for one Allegro transaction: `alias+suffix@allegromail.pl`.
pub(crate) fn allegro_email(rng: &mut StdRng, alias: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let suffix: String = (0..8)
        .map(|_| char::from(*ALPHABET.choose(rng).unwrap_or(&b'x')))
        .collect();
    format!("{alias}+{suffix}@allegromail.pl")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn nip_has_a_valid_check_digit() {
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..200 {
            let digits: Vec<u32> = nip(&mut rng)
                .chars()
                .filter_map(|c| c.to_digit(10))
                .collect();
            assert_eq!(digits.len(), 10);
            let sum: u32 = digits[..9]
                .iter()
                .zip([6, 5, 7, 2, 3, 4, 5, 6, 7])
                .map(|(d, w)| d * w)
                .sum();
            assert_eq!(sum % 11, digits[9]);
        }
    }

    #[test]
    fn folding_removes_diacritics() {
        assert_eq!(fold_ascii("Łucja Żółć-Ślęk"), "lucjazolcslek");
    }
}
