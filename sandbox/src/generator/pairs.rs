//! Registered customers who also bought as guests: two shop accounts sharing one e-mail.
//!
//! What a guest account looks like in `GET clients/clients` answers, per the reference
//! (IdoSell §3): a client like any other, with its own `clientId`, `isUnregistered: "y"`,
//! a `clientType` of `private`/`male`/`female`/`firm`, names and phones in
//! `clientBillingAddress`. The reference does not say what `clientLogin` a guest gets; the
//! sandbox gives it a generated login, `guest_{clientId}` (an assumption, as for every other
//! generated guest).

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::agents::{agent_phone_format, national_number};
use super::orders::AllegroBuyer;
use super::people;
use crate::idosell::ShopCustomer;

/// Mixed into the seed so that pairing draws do not disturb the other draws.
const PAIR_SALT: u64 = 0x6E57_9A12_5EED;

/// A registered account and a guest account of the same person (same e-mail, compared
/// ignoring case and surrounding spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestPair {
    /// `clientId` of the registered account (`isUnregistered: "n"`).
    pub registered: u64,
    /// `clientId` of the guest account (`isUnregistered: "y"`).
    pub guest: u64,
    /// The shared e-mail, as the registered account has it.
    pub email: String,
}

/// Every registered + guest pair in `customers` that shares an e-mail, ordered by the
/// registered id, then the guest id. A registered account with two guest twins gives two
/// pairs. Marketplace relay addresses are unique per buyer and never pair.
pub fn guest_pairs(customers: &[ShopCustomer]) -> Vec<GuestPair> {
    let mut by_email: HashMap<String, (Vec<&ShopCustomer>, Vec<&ShopCustomer>)> = HashMap::new();
    for customer in customers {
        let Some(email) = customer.email.as_deref().map(str::trim) else {
            continue;
        };
        if email.is_empty() {
            continue;
        }
        let entry = by_email.entry(email.to_lowercase()).or_default();
        if customer.is_unregistered {
            entry.1.push(customer);
        } else {
            entry.0.push(customer);
        }
    }
    let mut pairs: Vec<GuestPair> = by_email
        .into_values()
        .flat_map(|(registered, guests)| {
            registered
                .iter()
                .flat_map(|r| {
                    guests.iter().map(|g| GuestPair {
                        registered: r.client_id,
                        guest: g.client_id,
                        email: r.email.clone().unwrap_or_default(),
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect();
    pairs.sort_by_key(|pair| (pair.registered, pair.guest));
    pairs
}

/// Turns some customers into guest twins of registered ones: about `share` of the
/// registered customers with an e-mail (and no marketplace identity) get a guest account
/// with the same e-mail, at a random other position (so the guest's id may be lower or
/// higher, and often on another page).
pub(crate) fn make_guest_twins(
    customers: &mut [ShopCustomer],
    allegro: &[Option<AllegroBuyer>],
    share: f64,
    seed: u64,
) {
    let share = share.clamp(0.0, 1.0);
    if share <= 0.0 || customers.len() < 2 {
        return;
    }
    let mut rng = StdRng::seed_from_u64(seed ^ PAIR_SALT);
    let plain = |i: &usize| allegro.get(*i).is_none_or(Option::is_none);
    let mut registered: Vec<usize> = (0..customers.len())
        .filter(plain)
        .filter(|i| !customers[*i].is_unregistered && customers[*i].email.is_some())
        .collect();
    registered.shuffle(&mut rng);
    // Each pair turns one other customer into a guest, so P pairs among C registered
    // leave C − P of them at most: P / (C − P) ≈ share.
    let pairs = ((registered.len() as f64) * share / (1.0 + share)).round() as usize;
    let originals: Vec<usize> = registered.iter().take(pairs).copied().collect();
    let mut slots: Vec<usize> = (0..customers.len())
        .filter(plain)
        .filter(|i| !originals.contains(i))
        .collect();
    slots.shuffle(&mut rng);
    for (original, slot) in originals.into_iter().zip(slots) {
        let twin = guest_twin(&mut rng, &customers[original], &customers[slot]);
        customers[slot] = twin;
    }
}

/// `registered` as a guest at `slot`'s place: same person and e-mail (a quarter of the time
/// typed in another case), the phone in another format (or missing), the address sometimes
/// different; the slot's id, dates and newsletter choices.
fn guest_twin(rng: &mut StdRng, registered: &ShopCustomer, slot: &ShopCustomer) -> ShopCustomer {
    let email = registered.email.as_deref().map(|email| {
        if rng.random_bool(0.25) {
            capitalize_words(email)
        } else {
            email.to_owned()
        }
    });
    let mut billing = registered.billing.clone();
    billing.phone1 = match billing.phone1.as_deref().and_then(national_number) {
        Some(national) if rng.random_bool(0.8) => {
            Some(agent_phone_format(&national, rng.random_range(0..5)))
        }
        Some(_) => None,
        None => Some(people::mobile_phone(rng)),
    };
    billing.phone2 = None;
    if rng.random_bool(0.4) {
        billing.street = slot.billing.street.clone();
        billing.zip_code = slot.billing.zip_code.clone();
        billing.city = slot.billing.city.clone();
    }
    billing.firm = None;
    billing.nip = None;
    ShopCustomer {
        client_id: slot.client_id,
        login: format!("guest_{}", slot.client_id),
        email,
        code_external: None,
        client_type: if registered.client_type == "firm" {
            "private".to_owned()
        } else {
            registered.client_type.clone()
        },
        is_unregistered: true,
        is_active: true,
        billing,
        birth_date: None,
        registration_date: slot.registration_date,
        last_modified: slot.last_modified,
        shop_ids: registered.shop_ids.clone(),
        currency_id: registered.currency_id.clone(),
        newsletter_email: slot.newsletter_email,
        newsletter_sms: slot.newsletter_sms,
    }
}

/// `anna.nowak@wp.pl` → `Anna.Nowak@wp.pl` (the local part's words capitalised).
fn capitalize_words(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let mut out = String::with_capacity(email.len());
    let mut start = true;
    for c in local.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    if !domain.is_empty() {
        out.push('@');
        out.push_str(domain);
    }
    out
}
