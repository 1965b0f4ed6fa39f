//! The engine's clock: "now" in the shop's zone, since the shop's dates carry no zone.
//!
//! IdoSell stamps records in the shop's local time (usually Europe/Warsaw) while servers
//! usually run in UTC, so the clock of an engine is built from the integration's
//! [`shop_time_zone`](crate::config::IntegrationConfig::shop_time_zone):
//! [`SystemClock::for_integration`] (or [`SystemClock::in_zone`]). It then tells the same
//! time under any `TZ`.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset, Local, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::config::IntegrationConfig;

/// Tells the current time as the shop's local date-time.
pub trait Clock: Send + Sync {
    /// The current time in the shop's zone.
    fn now(&self) -> NaiveDateTime;
}

type ZoneFn = dyn Fn(DateTime<Utc>) -> NaiveDateTime + Send + Sync;

/// The system clock, converted to the shop's zone.
pub struct SystemClock {
    to_shop_time: Box<ZoneFn>,
    /// What the zone is, for `Debug`.
    zone: String,
}

impl SystemClock {
    /// The shop's time in `zone` (an IANA zone with its daylight-saving rules, e.g.
    /// `chrono_tz::Europe::Warsaw`), whatever the machine's own zone (`TZ`).
    pub fn in_zone(zone: Tz) -> Self {
        Self::labelled(zone.name().to_owned(), move |utc| {
            utc.with_timezone(&zone).naive_local()
        })
    }

    /// The clock of an integration: [`in_zone`](Self::in_zone) of its `shop_time_zone`.
    pub fn for_integration(config: &IntegrationConfig) -> Self {
        Self::in_zone(config.shop_time_zone)
    }

    /// The machine's local zone (`TZ`); right only when the machine runs in the shop's zone.
    /// Prefer [`in_zone`](Self::in_zone) / [`for_integration`](Self::for_integration).
    pub fn local() -> Self {
        Self::labelled("local".to_owned(), |utc| {
            utc.with_timezone(&Local).naive_local()
        })
    }

    /// A fixed offset from UTC (no daylight-saving changes).
    pub fn fixed(offset: FixedOffset) -> Self {
        Self::labelled(offset.to_string(), move |utc| {
            utc.with_timezone(&offset).naive_local()
        })
    }

    /// Any conversion from UTC to the shop's local time.
    pub fn with_zone(
        to_shop_time: impl Fn(DateTime<Utc>) -> NaiveDateTime + Send + Sync + 'static,
    ) -> Self {
        Self::labelled("custom".to_owned(), to_shop_time)
    }

    fn labelled(
        zone: String,
        to_shop_time: impl Fn(DateTime<Utc>) -> NaiveDateTime + Send + Sync + 'static,
    ) -> Self {
        Self {
            to_shop_time: Box::new(to_shop_time),
            zone,
        }
    }

    /// The shop's local time at `instant` as this clock converts it.
    pub fn at(&self, instant: DateTime<Utc>) -> NaiveDateTime {
        (self.to_shop_time)(instant)
    }
}

impl std::fmt::Debug for SystemClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemClock")
            .field("zone", &self.zone)
            .finish()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        self.at(Utc::now())
    }
}

/// A clock that moves only when told to; clones share the same time. For tests.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<NaiveDateTime>>,
}

impl ManualClock {
    /// A clock showing `now`.
    pub fn new(now: NaiveDateTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(now)),
        }
    }

    /// Sets the time.
    pub fn set(&self, now: NaiveDateTime) {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = now;
    }

    /// Moves the time by `delta` (negative moves it back, as a corrected clock would).
    pub fn advance(&self, delta: TimeDelta) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now = now.checked_add_signed(delta).unwrap_or(*now);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> NaiveDateTime {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
