//! The simulator clock: the source of every modification date.
//!
//! The real API stores dates with one-second resolution, so two changes within the same
//! second would share a modification date. The simulator makes every change take its own
//! second ([`SimClock::tick`] never returns the same time twice), and lets tests set or
//! advance the time instead of sleeping.
//!
//! Like the real shop, the simulator stamps records in the shop's local time — by default
//! Europe/Warsaw, [`DEFAULT_SHOP_ZONE`] — whatever the machine's own zone (`TZ`) is.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{Duration, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;

/// The zone a wall clock stamps in unless told otherwise: most IdoSell shops are Polish.
pub const DEFAULT_SHOP_ZONE: Tz = chrono_tz::Europe::Warsaw;

/// A shared clock, cloned cheaply; clones see the same time.
///
/// Two modes: [`SimClock::manual`] stands still until set, advanced or ticked (for
/// deterministic tests); [`SimClock::wall`] follows the wall clock in the shop's zone plus an
/// offset (for the demo, so that a sync daemon reading "now" in the same zone agrees with the
/// shop).
#[derive(Clone, Debug)]
pub struct SimClock {
    inner: Arc<Mutex<ClockState>>,
}

#[derive(Debug)]
struct ClockState {
    /// `Some` in manual mode: the current time.
    manual: Option<NaiveDateTime>,
    /// Added to the wall clock in wall mode.
    offset: Duration,
    /// The shop's zone: the wall clock is read in it.
    zone: Tz,
    /// The last time handed out by `tick`.
    last_tick: Option<NaiveDateTime>,
}

impl SimClock {
    /// A clock that stands at `start` until moved.
    pub fn manual(start: NaiveDateTime) -> Self {
        Self::with_state(ClockState {
            manual: Some(truncate(start)),
            offset: Duration::zero(),
            zone: DEFAULT_SHOP_ZONE,
            last_tick: None,
        })
    }

    /// A clock that follows the wall clock in [`DEFAULT_SHOP_ZONE`] (Europe/Warsaw), whatever
    /// the machine's zone.
    pub fn wall() -> Self {
        Self::wall_in(DEFAULT_SHOP_ZONE)
    }

    /// A clock that follows the wall clock in the shop's `zone` (an IANA zone), whatever
    /// the machine's zone.
    pub fn wall_in(zone: Tz) -> Self {
        Self::with_state(ClockState {
            manual: None,
            offset: Duration::zero(),
            zone,
            last_tick: None,
        })
    }

    /// The zone a wall clock reads the time in ([`DEFAULT_SHOP_ZONE`] for a manual clock,
    /// which shows whatever it is set to).
    pub fn zone(&self) -> Tz {
        self.lock().zone
    }

    fn with_state(state: ClockState) -> Self {
        Self {
            inner: Arc::new(Mutex::new(state)),
        }
    }

    /// The current time, whole seconds.
    pub fn now(&self) -> NaiveDateTime {
        self.lock().now()
    }

    /// The time of a change: now, but at least one second after the previous tick.
    pub fn tick(&self) -> NaiveDateTime {
        let mut state = self.lock();
        let now = state.now();
        let time = match state.last_tick {
            Some(last) if now <= last => last + Duration::seconds(1),
            _ => now,
        };
        state.last_tick = Some(time);
        if state.manual.is_some() {
            state.manual = Some(time);
        }
        time
    }

    /// Moves the clock to `time` (which may be in the past; later ticks follow it).
    pub fn set(&self, time: NaiveDateTime) {
        let mut state = self.lock();
        let time = truncate(time);
        match state.manual {
            Some(_) => state.manual = Some(time),
            None => state.offset = time - wall_now(state.zone),
        }
        state.last_tick = None;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut state = self.lock();
        match state.manual.as_mut() {
            Some(time) => *time += by,
            None => state.offset += by,
        }
    }

    fn lock(&self) -> MutexGuard<'_, ClockState> {
        // Updates are single assignments: a poisoned lock still holds a valid time.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ClockState {
    fn now(&self) -> NaiveDateTime {
        match self.manual {
            Some(time) => time,
            None => truncate(wall_now(self.zone) + self.offset),
        }
    }
}

fn wall_now(zone: Tz) -> NaiveDateTime {
    Utc::now().with_timezone(&zone).naive_local()
}

fn truncate(time: NaiveDateTime) -> NaiveDateTime {
    time.with_nanosecond(0).unwrap_or(time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2025, 3, 1)
            .and_then(|d| d.and_hms_opt(h, m, s))
            .unwrap_or_default()
    }

    #[test]
    fn ticks_never_repeat_a_second() {
        let clock = SimClock::manual(at(10, 0, 0));
        assert_eq!(clock.tick(), at(10, 0, 0));
        assert_eq!(clock.tick(), at(10, 0, 1));
        clock.advance(Duration::minutes(5));
        assert_eq!(clock.tick(), at(10, 5, 1));
        clock.set(at(9, 0, 0));
        assert_eq!(clock.now(), at(9, 0, 0));
        assert_eq!(clock.tick(), at(9, 0, 0));
    }

    #[test]
    fn wall_clock_follows_offset() {
        let clock = SimClock::wall();
        clock.set(at(12, 0, 0));
        let now = clock.now();
        assert!(now >= at(12, 0, 0) && now <= at(12, 0, 5), "{now}");
        let first = clock.tick();
        assert!(clock.tick() > first);
    }

    #[test]
    fn wall_clock_stamps_in_the_shop_zone_not_the_machines() {
        let shop_time = |zone: Tz| truncate(Utc::now().with_timezone(&zone).naive_local());
        for (clock, zone) in [
            (SimClock::wall(), chrono_tz::Europe::Warsaw),
            (
                SimClock::wall_in(chrono_tz::Asia::Tokyo),
                chrono_tz::Asia::Tokyo,
            ),
            (
                SimClock::wall_in(chrono_tz::America::New_York),
                chrono_tz::America::New_York,
            ),
        ] {
            assert_eq!(clock.zone(), zone);
            let before = shop_time(zone);
            let stamped = clock.tick();
            let after = shop_time(zone);
            assert!(before <= stamped && stamped <= after, "{zone}: {stamped}");
        }
        assert_eq!(
            SimClock::manual(at(10, 0, 0)).zone(),
            chrono_tz::Europe::Warsaw
        );
    }
}
