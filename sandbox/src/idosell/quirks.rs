//! PHP serialisation quirks of the real API, switchable per simulator.
//!
//! The handlers build clean JSON (empty objects as `{}`, missing dates as `null`, every key
//! present, numbers as numbers); [`Quirks::apply`] then rewrites it the way real payloads
//! look. All quirks are on by default: the simulator is faithful, not friendly.

use serde_json::{Map, Value};

/// Which PHP quirks the simulator reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quirks {
    /// An empty object is sent as `[]` (PHP's empty array).
    pub empty_object_as_array: bool,
    /// A missing date is sent as `"0000-00-00 00:00:00"` (or `"0000-00-00"` for dates
    /// without time) instead of `null`.
    pub zero_dates: bool,
    /// Keys whose value is `""` or `null` are left out entirely.
    pub omit_optional: bool,
    /// Ids, serial numbers, quantities and amounts are sent as strings (`"123"`, `"49.99"`);
    /// paging counters stay numbers.
    pub numbers_as_strings: bool,
}

/// Keys whose number is sent as a string under [`Quirks::numbers_as_strings`].
const STRINGY_NUMBER_KEYS: &[&str] = &[
    "clientId",
    "shopId",
    "orderSerialNumber",
    "productId",
    "productQuantity",
    "orderProductsCost",
    "orderDeliveryCost",
    "orderPayformCost",
    "orderInsuranceCost",
    "productOrderPrice",
];

/// Date keys (without a time part) that get `"0000-00-00"` under [`Quirks::zero_dates`].
const DATE_ONLY_KEYS: &[&str] = &["clientBirthDate", "clientRegistrationDate"];

/// Date-time keys that get `"0000-00-00 00:00:00"` under [`Quirks::zero_dates`].
const DATE_TIME_KEYS: &[&str] = &[
    "orderDispatchDate",
    "clientsLastModificationDate",
    "clientLastPurchaseDate",
    "purchaseDate",
    "receivedDate",
];

impl Default for Quirks {
    fn default() -> Self {
        Self::all()
    }
}

impl Quirks {
    /// Every quirk on (the default).
    pub const fn all() -> Self {
        Self {
            empty_object_as_array: true,
            zero_dates: true,
            omit_optional: true,
            numbers_as_strings: true,
        }
    }

    /// Every quirk off: clean JSON.
    pub const fn none() -> Self {
        Self {
            empty_object_as_array: false,
            zero_dates: false,
            omit_optional: false,
            numbers_as_strings: false,
        }
    }

    /// Rewrites `value` in place according to the enabled quirks.
    pub fn apply(&self, value: &mut Value) {
        if *self == Self::none() {
            return;
        }
        match value {
            Value::Object(map) => self.apply_to_object(map),
            Value::Array(items) => items.iter_mut().for_each(|item| self.apply(item)),
            _ => {}
        }
    }

    fn apply_to_object(&self, map: &mut Map<String, Value>) {
        for (key, value) in map.iter_mut() {
            self.apply(value);
            if self.zero_dates && value.is_null() {
                if DATE_ONLY_KEYS.contains(&key.as_str()) {
                    *value = Value::from("0000-00-00");
                } else if DATE_TIME_KEYS.contains(&key.as_str()) {
                    *value = Value::from("0000-00-00 00:00:00");
                }
            }
            if self.numbers_as_strings
                && value.is_number()
                && STRINGY_NUMBER_KEYS.contains(&key.as_str())
            {
                *value = Value::from(value.to_string());
            }
            if self.empty_object_as_array && value.as_object().is_some_and(Map::is_empty) {
                *value = Value::Array(Vec::new());
            }
        }
        if self.omit_optional {
            map.retain(|_, value| !is_blank(value));
        }
    }
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({"clientId": 7, "clientEmail": "", "operator": {}, "orderDispatchDate": null,
               "clientBirthDate": null, "nested": [{"shopId": 2, "affiliateLogin": null}],
               "resultsNumberAll": 3})
    }

    #[test]
    fn all_quirks_rewrite_php_style() {
        let mut value = sample();
        Quirks::all().apply(&mut value);
        assert_eq!(
            value,
            json!({"clientId": "7", "operator": [], "orderDispatchDate": "0000-00-00 00:00:00",
                   "clientBirthDate": "0000-00-00", "nested": [{"shopId": "2"}],
                   "resultsNumberAll": 3})
        );
    }

    #[test]
    fn no_quirks_leave_json_alone() {
        let mut value = sample();
        Quirks::none().apply(&mut value);
        assert_eq!(value, sample());
    }
}
