//! The simulator clock: the source of every modification date.
//!
//! The real API stores dates with one-second resolution, so two changes within the same
//! second would share a modification date. The simulator makes every change take its own
//! second ([`SimClock::tick`] never returns the same time twice), and lets tests set or
//! advance the time instead of sleeping.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{Duration, Local, NaiveDateTime, Timelike};

/// A shared clock, cloned cheaply; clones see the same time.
///
/// Two modes: [`SimClock::manual`] stands still until set, advanced or ticked (for
/// deterministic tests); [`SimClock::wall`] follows the local wall clock plus an offset (for
/// the demo, so that a sync daemon's own clock and the shop's agree).
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
    /// The last time handed out by `tick`.
    last_tick: Option<NaiveDateTime>,
}

impl SimClock {
    /// A clock that stands at `start` until moved.
    pub fn manual(start: NaiveDateTime) -> Self {
        Self::with_state(ClockState {
            manual: Some(truncate(start)),
            offset: Duration::zero(),
            last_tick: None,
        })
    }

    /// A clock that follows the local wall clock (the shop's time zone is assumed local).
    pub fn wall() -> Self {
        Self::with_state(ClockState {
            manual: None,
            offset: Duration::zero(),
            last_tick: None,
        })
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
            None => state.offset = time - wall_now(),
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
            None => truncate(wall_now() + self.offset),
        }
    }
}

fn wall_now() -> NaiveDateTime {
    Local::now().naive_local()
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
}
