//! Order status (`orderDetails.orderStatus`; the values are listed in the IdoSell Admin API
//! reference, <https://idosell.readme.io/>).

use std::fmt;

use serde::{Deserialize, Deserializer};

macro_rules! order_statuses {
    ($($(#[$doc:meta])* $variant:ident => $text:literal,)*) => {
        /// The status of an order. Unknown values are kept in [`OrderStatus::Other`], so a new
        /// or custom status never makes decoding fail.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum OrderStatus {
            $($(#[$doc])* $variant,)*
            /// Any other value, kept as sent (empty when the field is absent).
            Other(String),
        }

        impl OrderStatus {
            /// The API's spelling of this status.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(text) => text,
                }
            }

            /// Reads the API's spelling; never fails.
            pub fn parse(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }
    };
}

order_statuses! {
    /// `new`: not handled yet.
    New => "new",
    /// `payment_waiting`: awaiting payment.
    PaymentWaiting => "payment_waiting",
    /// `delivery_waiting`: awaiting delivery.
    DeliveryWaiting => "delivery_waiting",
    /// `on_order`: in progress.
    OnOrder => "on_order",
    /// `packed`: being picked.
    Packed => "packed",
    /// `packed_fulfillment`: being picked by fulfilment.
    PackedFulfillment => "packed_fulfillment",
    /// `packed_ready`: packed.
    PackedReady => "packed_ready",
    /// `ready`: ready / sent.
    Ready => "ready",
    /// `wait_for_dispatch`: awaiting the dispatch date.
    WaitForDispatch => "wait_for_dispatch",
    /// `suspended`: on hold.
    Suspended => "suspended",
    /// `joined`: merged into another order.
    Joined => "joined",
    /// `missing`.
    Missing => "missing",
    /// `lost` (closed).
    Lost => "lost",
    /// `false`: a false order (closed; the literal string "false").
    False => "false",
    /// `canceled`: cancelled by the customer.
    Canceled => "canceled",
    /// `finished`: completed.
    Finished => "finished",
    /// `finished_ext`: completed in an external application.
    FinishedExt => "finished_ext",
    /// `wait_for_packaging` (seen in the wild).
    WaitForPackaging => "wait_for_packaging",
    /// `wait_for_receive` (seen in the wild).
    WaitForReceive => "wait_for_receive",
    /// `returned` (seen in the wild).
    Returned => "returned",
    /// `complained` (seen in the wild).
    Complained => "complained",
}

impl OrderStatus {
    /// Whether the order is closed: finished, cancelled, lost, false or merged away.
    pub fn is_closed(&self) -> bool {
        matches!(
            self,
            Self::Finished
                | Self::FinishedExt
                | Self::Canceled
                | Self::Lost
                | Self::False
                | Self::Joined
        )
    }
}

impl Default for OrderStatus {
    fn default() -> Self {
        Self::Other(String::new())
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for OrderStatus {
    fn from(text: &str) -> Self {
        Self::parse(text)
    }
}

impl<'de> Deserialize<'de> for OrderStatus {
    /// Accepts a string (also a boolean `false`, which a PHP encoder may emit for "false").
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(super::de::with_text(d, Self::parse)?.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_and_unknown() {
        for text in ["new", "false", "canceled", "finished_ext", "complained"] {
            let status = OrderStatus::parse(text);
            assert!(!matches!(status, OrderStatus::Other(_)), "{text}");
            assert_eq!(status.as_str(), text);
        }
        let custom = OrderStatus::parse("custom_sub_status");
        assert_eq!(custom, OrderStatus::Other("custom_sub_status".into()));
        assert_eq!(custom.as_str(), "custom_sub_status");
    }
}
