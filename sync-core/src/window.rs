//! The incremental sync window over the shop's "last modified" dates.
//!
//! Each run reads the customers modified in `[begin, end]`. After a successful run the engine
//! saves `end` as the new cursor. The next window starts `lookback` before the cursor, so a
//! record written with a slightly late timestamp, or missed because the shop's paging shifted
//! under us, is read again (writes are idempotent, so reading twice costs nothing but a
//! request). The window ends at the time the run started: anything modified later belongs
//! to the next run.
//!
//! All times are the shop's local date-times (the API's dates carry no zone); the caller
//! passes them in — this module reads no clock.

use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;

/// A modification-date window `[begin, end]`, both inclusive, as sent to the shop's filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    /// Start of the window.
    pub begin: NaiveDateTime,
    /// End of the window; the cursor to save once the run succeeds.
    pub end: NaiveDateTime,
    /// The saved cursor was later than the end of this window (a clock set back, or a cursor
    /// written by a machine whose clock ran ahead). The window then re-reads the lookback
    /// before `end` instead of being empty; worth a warning in the log.
    pub cursor_ahead: bool,
}

impl Window {
    /// The window's length (zero or more).
    pub fn span(&self) -> TimeDelta {
        self.end - self.begin
    }
}

/// The next window to read.
///
/// - `cursor`: the `end` of the last successful window, `None` before the first run.
/// - `lookback`: the overlap re-read before the cursor (a negative value counts as zero).
/// - `now`: the current time; the window never ends after it (if the clock went back during
///   the run, `now` can be earlier than `run_started`).
/// - `run_started`: when this run started; the window never ends after it.
/// - `first_run_start`: where the very first run begins (e.g. the shop's opening date, for a
///   full initial sync).
///
/// The result always has `begin <= end`. A long downtime gives one long window: nothing is
/// skipped (the client pages through it).
///
/// ```
/// use chrono::{NaiveDate, TimeDelta};
/// use sync_core::window::next_window;
/// let at = |h, m| NaiveDate::from_ymd_opt(2025, 3, 1).unwrap().and_hms_opt(h, m, 0).unwrap();
/// let window = next_window(Some(at(10, 0)), TimeDelta::minutes(5), at(10, 15), at(10, 15), at(0, 0));
/// assert_eq!((window.begin, window.end), (at(9, 55), at(10, 15)));
/// ```
pub fn next_window(
    cursor: Option<NaiveDateTime>,
    lookback: TimeDelta,
    now: NaiveDateTime,
    run_started: NaiveDateTime,
    first_run_start: NaiveDateTime,
) -> Window {
    let end = now.min(run_started);
    let lookback = lookback.max(TimeDelta::zero());
    let (from, cursor_ahead) = match cursor {
        None => (first_run_start, false),
        Some(cursor) if cursor > end => (end, true),
        Some(cursor) => (cursor, false),
    };
    let begin = match cursor {
        None => from,
        Some(_) => from
            .checked_sub_signed(lookback)
            .unwrap_or(NaiveDateTime::MIN),
    };
    Window {
        begin: begin.min(end),
        end,
        cursor_ahead,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2025, 3, day)
            .unwrap()
            .and_hms_opt(hour, minute, 0)
            .unwrap()
    }

    fn origin() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2010, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
    }

    const LOOKBACK: TimeDelta = TimeDelta::minutes(10);

    #[test]
    fn first_run_reads_everything_up_to_the_run_start() {
        let window = next_window(None, LOOKBACK, at(1, 12, 1), at(1, 12, 0), origin());
        assert_eq!((window.begin, window.end), (origin(), at(1, 12, 0)));
        assert!(!window.cursor_ahead);
    }

    #[test]
    fn next_run_overlaps_by_the_lookback_and_ends_at_the_run_start() {
        let window = next_window(
            Some(at(1, 12, 0)),
            LOOKBACK,
            at(1, 12, 30),
            at(1, 12, 5),
            origin(),
        );
        assert_eq!((window.begin, window.end), (at(1, 11, 50), at(1, 12, 5)));
    }

    #[test]
    fn clock_set_back_during_the_run_caps_at_now() {
        let window = next_window(
            Some(at(1, 12, 0)),
            LOOKBACK,
            at(1, 12, 3),
            at(1, 12, 5),
            origin(),
        );
        assert_eq!(window.end, at(1, 12, 3));
    }

    #[test]
    fn cursor_in_the_future_rereads_the_lookback_and_says_so() {
        let window = next_window(
            Some(at(2, 9, 0)),
            LOOKBACK,
            at(1, 12, 0),
            at(1, 12, 0),
            origin(),
        );
        assert_eq!((window.begin, window.end), (at(1, 11, 50), at(1, 12, 0)));
        assert!(window.cursor_ahead);
    }

    #[test]
    fn long_downtime_is_one_window_that_skips_nothing() {
        let cursor = at(1, 0, 0) - TimeDelta::days(400);
        let window = next_window(Some(cursor), LOOKBACK, at(1, 12, 0), at(1, 12, 0), origin());
        assert_eq!(window.begin, cursor - LOOKBACK);
        assert_eq!(window.end, at(1, 12, 0));
        assert!(window.span() > TimeDelta::days(400));
    }

    #[test]
    fn degenerate_inputs_still_give_an_ordered_window() {
        // First-run origin after the run start: an empty window, not an inverted one.
        let window = next_window(None, LOOKBACK, at(1, 12, 0), at(1, 12, 0), at(5, 0, 0));
        assert_eq!((window.begin, window.end), (at(1, 12, 0), at(1, 12, 0)));
        // Negative lookback counts as zero; a huge one saturates instead of overflowing.
        let window = next_window(
            Some(at(1, 11, 0)),
            -LOOKBACK,
            at(1, 12, 0),
            at(1, 12, 0),
            origin(),
        );
        assert_eq!(window.begin, at(1, 11, 0));
        let window = next_window(
            Some(at(1, 11, 0)),
            TimeDelta::MAX,
            at(1, 12, 0),
            at(1, 12, 0),
            origin(),
        );
        assert_eq!(window.begin, NaiveDateTime::MIN);
        // Cursor exactly at the end is not "ahead".
        let window = next_window(
            Some(at(1, 12, 0)),
            LOOKBACK,
            at(1, 12, 0),
            at(1, 12, 0),
            origin(),
        );
        assert!(!window.cursor_ahead);
    }
}
