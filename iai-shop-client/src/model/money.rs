//! An amount of money in a currency, with decimal (not float) arithmetic.

use std::fmt;

use rust_decimal::Decimal;

/// An amount in a currency. `amount` is a [`Decimal`], so sums are exact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Money {
    /// The amount, exact to the digits the API sent.
    pub amount: Decimal,
    /// The currency code as the API gives it (e.g. `"PLN"`).
    pub currency: String,
}

impl Money {
    /// An amount in a currency.
    pub fn new(amount: Decimal, currency: impl Into<String>) -> Self {
        Self {
            amount,
            currency: currency.into(),
        }
    }

    /// The amount rounded to two decimals (half away from zero), for display.
    pub fn rounded(&self) -> Decimal {
        self.amount
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    }
}

impl fmt::Display for Money {
    /// `"123.40 PLN"`: two decimals, then the currency.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2} {}", self.rounded(), self.currency)
    }
}
