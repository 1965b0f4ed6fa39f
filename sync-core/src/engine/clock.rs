//! The engine's clock: "now" in the shop's zone, since the shop's dates carry no zone.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset, Local, NaiveDateTime, TimeDelta, Utc};

/// Tells the current time as the shop's local date-time.
pub trait Clock: Send + Sync {
    /// The current time in the shop's zone.
    fn now(&self) -> NaiveDateTime;
}

type ZoneFn = dyn Fn(DateTime<Utc>) -> NaiveDateTime + Send + Sync;

/// The system clock, converted to the shop's zone.
pub struct SystemClock {
    to_shop_time: Box<ZoneFn>,
}

impl SystemClock {
    /// The machine's local zone (`TZ`); right when the machine runs in the shop's zone.
    pub fn local() -> Self {
        Self::with_zone(|utc| utc.with_timezone(&Local).naive_local())
    }

    /// A fixed offset from UTC (no daylight-saving changes).
    pub fn fixed(offset: FixedOffset) -> Self {
        Self::with_zone(move |utc| utc.with_timezone(&offset).naive_local())
    }

    /// Any conversion, e.g. through a time-zone database
    /// (`|utc| utc.with_timezone(&Warsaw).naive_local()`), for daylight-saving zones that are
    /// not the machine's own.
    pub fn with_zone(
        to_shop_time: impl Fn(DateTime<Utc>) -> NaiveDateTime + Send + Sync + 'static,
    ) -> Self {
        Self {
            to_shop_time: Box::new(to_shop_time),
        }
    }
}

impl std::fmt::Debug for SystemClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemClock").finish_non_exhaustive()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        (self.to_shop_time)(Utc::now())
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
