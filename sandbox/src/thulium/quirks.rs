//! Switchable behaviours of a real tenant that the reference leaves open and that make a
//! client's life harder. All off by default (the simulator then behaves as before);
//! [`ThuliumQuirks::least_convenient`] turns every one on.

/// The shape of a `GET customers` answer. The reference does not show it: other Thulium
/// lists answer `{"count", "result"}`, one answers a bare array.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ListShape {
    /// `{"count": total, "result": [...]}` (default).
    #[default]
    CountAndResult,
    /// `{"result": [...]}` without the total.
    ResultOnly,
    /// `[...]`, no envelope at all.
    BareArray,
}

/// Tenant behaviours a client must survive, each a switch.
///
/// Not switchable, because the simulator always does them (they are what the reference
/// documents or the least a client may assume):
/// - a read shows only the **first** e-mail in `email`; phones come in `phone_number`
///   (the first) and `phone_numbers` (all);
/// - an update (`PUT customers/:id`, batch `PUT`) **replaces** the e-mail and phone lists
///   when their key is sent and keeps them when it is absent; `custom_fields` sent replace
///   only the keys sent; `null` (or `""`) clears a value or a list;
/// - lists come in `customer_id` order, ascending and stable.
///
/// ```
/// use sandbox::thulium::{ListShape, ThuliumQuirks};
///
/// assert_eq!(ThuliumQuirks::default().list_shape, ListShape::CountAndResult);
/// let worst = ThuliumQuirks::least_convenient();
/// assert!(worst.email_substring_search && worst.phone_search_digits_only && worst.phones_as_typed);
/// assert_eq!(worst.list_shape, ListShape::BareArray);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThuliumQuirks {
    /// Shape of `GET customers` answers (the `count` total may be missing).
    pub list_shape: ListShape,
    /// The `email` filter finds every customer with an address that **contains** the value,
    /// ignoring case: `email=abak@yahoo.com` also finds `urszulabak@yahoo.com`. Off: the
    /// whole address must be equal, ignoring case and surrounding spaces.
    pub email_substring_search: bool,
    /// The `phone_number` filter compares only the digits of the whole number: the query's
    /// digits must equal the stored number's digits, so `+48601234567` finds
    /// `+48 601-234-567` and `48601234567` but not `601 234 567` nor `0048601234567`.
    /// Off: spaces, dashes, dots and parentheses are ignored on both sides and the rest
    /// (a leading `+` included) must be equal. Neither mode knows about country codes.
    pub phone_search_digits_only: bool,
    /// Phones are stored exactly as written (trimmed): `601 234 567` is read back as
    /// `601 234 567`. Only obviously invalid input is still rejected (after removing
    /// spaces, dashes, dots and parentheses there must be an optional `+` and 6–15 digits).
    /// Off: the formatting characters are removed before storing.
    pub phones_as_typed: bool,
}

impl ThuliumQuirks {
    /// Every quirk on: count-less bare-array lists, substring e-mail search, digits-only
    /// phone search, phones stored as typed.
    pub fn least_convenient() -> Self {
        Self {
            list_shape: ListShape::BareArray,
            email_substring_search: true,
            phone_search_digits_only: true,
            phones_as_typed: true,
        }
    }
}
