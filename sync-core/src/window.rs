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
//!
//! # Daylight-saving changes
//! Local time is not monotonic. In March the clock skips an hour (Europe/Warsaw 2026-03-29
//! 02:00 → 03:00): nothing is stamped in the gap and a window across it is simply longer.
//! In October it repeats one (2026-10-25 03:00 → 02:00): a record changed in the second
//! 02:00–03:00 is stamped *earlier* than the cursor saved in the first one. Two rules keep
//! every such change:
//! - [`next_window`], which does not know the zone: when the saved cursor is later than now
//!   (the clock went back), the window starts [`MAX_CLOCK_STEP_BACK`] before the cursor (and
//!   never after now), minus the lookback — it re-reads the whole repeated hour, so what the
//!   shop stamps after the change is read however soon after it the run comes. A change
//!   stamped in the first pass after the last run before the change is read when the second
//!   pass's windows reach its stamp (up to an hour later).
//! - [`next_window_in`], which knows the shop's zone (the integration's `shop_time_zone`),
//!   also covers runs far apart (a stopped daemon, a failing pass) and reads the first pass's
//!   tail at once: while now is inside a repeated hour the window ends at its last second and
//!   starts at its beginning, and a cursor inside one starts the next window there too. Each
//!   run during the repeated hour re-reads it (a night hour, once a year).

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone};
use serde::Serialize;

/// The largest step back of a shop's local clock [`next_window`] allows for without knowing
/// the zone: one hour, the daylight-saving change of the zones IdoSell shops run in.
pub const MAX_CLOCK_STEP_BACK: TimeDelta = TimeDelta::hours(1);

/// A modification-date window `[begin, end]`, both inclusive, as sent to the shop's filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    /// Start of the window.
    pub begin: NaiveDateTime,
    /// End of the window; the cursor to save once the run succeeds.
    pub end: NaiveDateTime,
    /// The saved cursor was later than the end of this window (the clock went back: the
    /// October daylight-saving change, a clock set back, or a cursor written by a machine
    /// whose clock ran ahead). The window then starts before both (see the module docs)
    /// instead of being empty; worth a note in the log.
    pub cursor_ahead: bool,
}

impl Window {
    /// The window's length (zero or more).
    pub fn span(&self) -> TimeDelta {
        self.end - self.begin
    }
}

/// The next window to read, for a shop whose zone is not known (see [`next_window_in`] for
/// the one that is).
///
/// - `cursor`: the `end` of the last successful window, `None` before the first run.
/// - `lookback`: the overlap re-read before the cursor (a negative value counts as zero).
/// - `now`: the current time; the window never ends after it (if the clock went back during
///   the run, `now` can be earlier than `run_started`).
/// - `run_started`: when this run started; the window never ends after it.
/// - `first_run_start`: where the very first run begins (e.g. the shop's opening date, for a
///   full initial sync).
///
/// The window starts `lookback` before the cursor; when the cursor is later than the end
/// (the clock went back), `lookback` before the earlier of the end and the cursor less
/// [`MAX_CLOCK_STEP_BACK`], so that the hour the clock repeats is read again.
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
/// // The clock went back an hour (02:58 summer time → 02:03 winter time): re-read the hour.
/// let window = next_window(Some(at(2, 58)), TimeDelta::minutes(5), at(2, 3), at(2, 3), at(0, 0));
/// assert_eq!((window.begin, window.end, window.cursor_ahead), (at(1, 53), at(2, 3), true));
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
    let (begin, cursor_ahead) = match cursor {
        None => (first_run_start, false),
        Some(cursor) if cursor > end => {
            let from = end.min(earlier(cursor, MAX_CLOCK_STEP_BACK));
            (earlier(from, lookback), true)
        }
        Some(cursor) => (earlier(cursor, lookback), false),
    };
    Window {
        begin: begin.min(end),
        end,
        cursor_ahead,
    }
}

/// The next window to read for a shop in `zone` (the integration's `shop_time_zone`, or any
/// [`TimeZone`]): [`next_window`], and across a repeated hour of the zone's local time
/// (the October change) also:
/// - while `now` (or the run's start) is in a repeated hour, the window starts at the hour's
///   beginning and ends at its last second — in the second pass that reads what the shop
///   stamped in the first pass after the last run, at once; the end saved as the cursor
///   is then later than now;
/// - when the cursor is in a repeated hour, the window starts at the hour's beginning: a run
///   long after the change (a stopped daemon) still reads the second pass.
///
/// Both less the lookback. The March gap needs nothing: no record is stamped in it.
///
/// ```
/// use chrono::{NaiveDate, TimeDelta};
/// use chrono_tz::Europe::Warsaw;
/// use sync_core::window::next_window_in;
/// let at = |h, m| NaiveDate::from_ymd_opt(2026, 10, 25).unwrap().and_hms_opt(h, m, 0).unwrap();
/// let lookback = TimeDelta::minutes(5);
/// // 02:10 of the first pass: read the whole repeated hour 02:00–02:59:59.
/// let window = next_window_in(&Warsaw, Some(at(2, 5)), lookback, at(2, 10), at(2, 10), at(0, 0));
/// assert_eq!((window.begin, window.end), (at(1, 55), at(2, 59) + TimeDelta::seconds(59)));
/// // 03:20, after the hour, with the cursor saved inside it: from its beginning.
/// let window = next_window_in(&Warsaw, Some(at(2, 40)), lookback, at(3, 20), at(3, 20), at(0, 0));
/// assert_eq!((window.begin, window.end), (at(1, 55), at(3, 20)));
/// ```
pub fn next_window_in<Z: TimeZone>(
    zone: &Z,
    cursor: Option<NaiveDateTime>,
    lookback: TimeDelta,
    now: NaiveDateTime,
    run_started: NaiveDateTime,
    first_run_start: NaiveDateTime,
) -> Window {
    let mut window = next_window(cursor, lookback, now, run_started, first_run_start);
    let lookback = lookback.max(TimeDelta::zero());
    if let Some((start, after)) = repeated_period(zone, window.end) {
        window.begin = window.begin.min(earlier(start, lookback));
        window.end = window.end.max(earlier(after, TimeDelta::seconds(1)));
    }
    if let Some((start, _)) = cursor.and_then(|cursor| repeated_period(zone, cursor)) {
        window.begin = window.begin.min(earlier(start, lookback));
    }
    window
}

/// `time - by`, or the earliest date-time when that is out of range.
fn earlier(time: NaiveDateTime, by: TimeDelta) -> NaiveDateTime {
    time.checked_sub_signed(by).unwrap_or(NaiveDateTime::MIN)
}

/// The local period `[start, after)` that `zone` shows twice and that contains `local`, if
/// `local` is such a time (it is then ambiguous: it happened once before and once after the
/// clock went back).
fn repeated_period<Z: TimeZone>(
    zone: &Z,
    local: NaiveDateTime,
) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let LocalResult::Ambiguous(first, second) = zone.from_local_datetime(&local) else {
        return None;
    };
    let first_offset = first.offset().fix();
    let second_offset = second.offset().fix();
    // The change happened at a whole second between the two instants showing `local`.
    let offset_at = |seconds: i64| {
        DateTime::from_timestamp(seconds, 0)
            .map(|instant| zone.offset_from_utc_datetime(&instant.naive_utc()).fix())
    };
    let (mut before, mut after) = (first.timestamp(), second.timestamp());
    while after - before > 1 {
        let middle = before + (after - before) / 2;
        if offset_at(middle)? == first_offset {
            before = middle;
        } else {
            after = middle;
        }
    }
    let changed = DateTime::from_timestamp(after, 0)?.naive_utc();
    let start = changed.checked_add_signed(TimeDelta::seconds(i64::from(
        second_offset.local_minus_utc(),
    )))?;
    let end = changed.checked_add_signed(TimeDelta::seconds(i64::from(
        first_offset.local_minus_utc(),
    )))?;
    (start < end).then_some((start, end))
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

    /// Daylight-saving changes of 2026 in Europe/Warsaw, driven in UTC instants and seen
    /// through the zone, as a shop (stamps) and a poller (windows) see them.
    mod daylight_saving {
        use super::*;
        use chrono::{DateTime, FixedOffset, Utc};
        use chrono_tz::Europe::Warsaw;

        const LOOKBACK: TimeDelta = TimeDelta::minutes(5);

        fn utc(month: u32, day: u32, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
            NaiveDate::from_ymd_opt(2026, month, day)
                .unwrap()
                .and_hms_opt(hour, minute, second)
                .unwrap()
                .and_utc()
        }

        /// The shop's wall clock at an instant.
        fn warsaw(instant: DateTime<Utc>) -> NaiveDateTime {
            instant.with_timezone(&Warsaw).naive_local()
        }

        fn local(month: u32, day: u32, hour: u32, minute: u32, second: u32) -> NaiveDateTime {
            utc(month, day, hour, minute, second).naive_utc()
        }

        type WindowFn = fn(Option<NaiveDateTime>, NaiveDateTime) -> Window;

        fn zone_blind(cursor: Option<NaiveDateTime>, now: NaiveDateTime) -> Window {
            next_window(cursor, LOOKBACK, now, now, NaiveDateTime::MIN)
        }

        fn in_warsaw(cursor: Option<NaiveDateTime>, now: NaiveDateTime) -> Window {
            next_window_in(&Warsaw, cursor, LOOKBACK, now, now, NaiveDateTime::MIN)
        }

        /// Polls at the given instants (the first only sets the cursor, as after a full
        /// sync), with changes made at the given instants and stamped with the shop's local
        /// time. For each change, the index of the first poll whose window held its stamp.
        fn polled(
            window: WindowFn,
            polls: &[DateTime<Utc>],
            changes: &[DateTime<Utc>],
        ) -> Vec<Option<usize>> {
            let mut cursor = Some(warsaw(polls[0]));
            let mut read = vec![None; changes.len()];
            for (index, poll) in polls.iter().enumerate().skip(1) {
                let w = window(cursor, warsaw(*poll));
                assert!(w.begin <= w.end, "{w:?}");
                for (change, seen) in changes.iter().zip(read.iter_mut()) {
                    let stamp = warsaw(*change);
                    if seen.is_none() && change <= poll && w.begin <= stamp && stamp <= w.end {
                        *seen = Some(index);
                    }
                }
                cursor = Some(w.end);
            }
            read
        }

        /// The index of the first poll (after the initial one) at or after each change.
        fn next_polls(polls: &[DateTime<Utc>], changes: &[DateTime<Utc>]) -> Vec<Option<usize>> {
            changes
                .iter()
                .map(|change| (1..polls.len()).find(|index| polls[*index] >= *change))
                .collect()
        }

        fn every(from: DateTime<Utc>, to: DateTime<Utc>, step: TimeDelta) -> Vec<DateTime<Utc>> {
            std::iter::successors(Some(from), |t| Some(*t + step))
                .take_while(|t| *t <= to)
                .collect()
        }

        /// Changes around the October change (2026-10-25 01:00 UTC: 03:00 CEST → 02:00 CET):
        /// before, in the first and the second 02:00–03:00, in the last seconds before the
        /// clock goes back, the first seconds after it, and after the repeated hour.
        fn october_changes() -> Vec<DateTime<Utc>> {
            let mut changes = every(
                utc(10, 24, 23, 31, 17),
                utc(10, 25, 2, 30, 0),
                TimeDelta::minutes(7),
            );
            changes.extend([
                utc(10, 25, 0, 59, 30), // 02:59:30 CEST, after the last poll of the first pass
                utc(10, 25, 0, 59, 59), // 02:59:59 CEST
                utc(10, 25, 1, 0, 0),   // 02:00:00 CET
                utc(10, 25, 1, 0, 10),  // 02:00:10 CET
                utc(10, 25, 1, 59, 59), // 02:59:59 CET
                utc(10, 25, 2, 0, 0),   // 03:00:00 CET
            ]);
            changes
        }

        fn march_changes() -> Vec<DateTime<Utc>> {
            let mut changes = every(
                utc(3, 28, 23, 31, 17),
                utc(3, 29, 2, 30, 0),
                TimeDelta::minutes(7),
            );
            changes.extend([
                utc(3, 29, 0, 59, 59), // 01:59:59 CET
                utc(3, 29, 1, 0, 0),   // 03:00:00 CEST
            ]);
            changes
        }

        #[test]
        fn warsaw_repeats_02_00_to_03_00_in_october_and_skips_it_in_march() {
            // The conversions the tests rely on.
            assert_eq!(warsaw(utc(10, 25, 0, 59, 59)), local(10, 25, 2, 59, 59));
            assert_eq!(warsaw(utc(10, 25, 1, 0, 0)), local(10, 25, 2, 0, 0));
            assert_eq!(warsaw(utc(3, 29, 0, 59, 59)), local(3, 29, 1, 59, 59));
            assert_eq!(warsaw(utc(3, 29, 1, 0, 0)), local(3, 29, 3, 0, 0));

            let repeated = Some((local(10, 25, 2, 0, 0), local(10, 25, 3, 0, 0)));
            for inside in [(2, 0, 0), (2, 30, 0), (2, 59, 59)] {
                let (h, m, s) = inside;
                assert_eq!(repeated_period(&Warsaw, local(10, 25, h, m, s)), repeated);
            }
            for outside in [(1, 59, 59), (3, 0, 0), (12, 0, 0)] {
                let (h, m, s) = outside;
                assert_eq!(repeated_period(&Warsaw, local(10, 25, h, m, s)), None);
            }
            // The March gap is not a repeated hour, and neither is a fixed offset ever.
            assert_eq!(repeated_period(&Warsaw, local(3, 29, 2, 30, 0)), None);
            assert_eq!(repeated_period(&Warsaw, local(3, 29, 3, 0, 0)), None);
            let plus_two = FixedOffset::east_opt(7200).unwrap();
            assert_eq!(repeated_period(&plus_two, local(10, 25, 2, 30, 0)), None);
        }

        #[test]
        fn october_first_window_after_the_clock_goes_back_rereads_the_repeated_hour() {
            // Last poll at 02:58 CEST, next at 02:03 CET: the cursor is ahead of now.
            let cursor = warsaw(utc(10, 25, 0, 58, 0));
            let now = warsaw(utc(10, 25, 1, 3, 0));
            assert!(cursor > now);
            let blind = zone_blind(Some(cursor), now);
            assert!(blind.cursor_ahead);
            assert_eq!(blind.begin, local(10, 25, 1, 53, 0));
            assert_eq!(blind.end, now);
            // Knowing the zone, the window also reaches the first pass's last seconds.
            let zoned = in_warsaw(Some(cursor), now);
            assert_eq!(zoned.begin, blind.begin);
            assert_eq!(zoned.end, local(10, 25, 2, 59, 59));
        }

        #[test]
        fn october_polling_every_minute_loses_no_change_even_without_the_zone() {
            let polls = every(
                utc(10, 24, 23, 30, 0),
                utc(10, 25, 3, 0, 0),
                TimeDelta::minutes(1),
            );
            let changes = october_changes();
            let next = next_polls(&polls, &changes);
            let blind = polled(zone_blind, &polls, &changes);
            for ((change, read), next) in changes.iter().zip(&blind).zip(&next) {
                assert!(read.is_some(), "change at {change} never read");
                // Stamps of the first pass's last minute wait for the second pass to reach
                // them; everything else is read by the next poll.
                let first_pass_tail =
                    (utc(10, 25, 0, 59, 0)..utc(10, 25, 1, 0, 0)).contains(change);
                if !first_pass_tail {
                    assert_eq!(read, next, "change at {change}");
                }
            }
            assert_eq!(polled(in_warsaw, &polls, &changes), next);
        }

        #[test]
        fn october_with_the_zone_every_change_is_read_by_the_next_poll_however_far_apart() {
            let changes = october_changes();
            for step in [1, 4, 5, 6, 17, 20, 59, 61, 90] {
                let polls = every(
                    utc(10, 24, 23, 30, 0),
                    utc(10, 25, 4, 0, 0),
                    TimeDelta::minutes(step),
                );
                let next = next_polls(&polls, &changes);
                assert_eq!(
                    polled(in_warsaw, &polls, &changes),
                    next,
                    "every {step} min"
                );
            }
            // A daemon stopped from 02:45 CEST to 02:50 CET: its first poll is after the
            // cursor, yet the second pass's first 50 minutes are read.
            let polls = [
                utc(10, 25, 0, 40, 0),
                utc(10, 25, 0, 45, 0),
                utc(10, 25, 1, 50, 0),
                utc(10, 25, 1, 51, 0),
            ];
            let changes = [
                utc(10, 25, 0, 50, 0), // 02:50 CEST
                utc(10, 25, 1, 5, 0),  // 02:05 CET
                utc(10, 25, 1, 40, 0), // 02:40 CET
                utc(10, 25, 1, 50, 30),
            ];
            assert_eq!(
                polled(in_warsaw, &polls, &changes),
                [Some(2), Some(2), Some(2), Some(3)]
            );
            // Why the engine wants the zone: blind to it, that poll looks like any other
            // and the second pass's 02:05 is never read.
            assert_eq!(
                polled(zone_blind, &polls, &changes),
                [Some(2), None, Some(2), Some(3)]
            );
        }

        #[test]
        fn march_gap_needs_nothing_either_way() {
            let changes = march_changes();
            for step in [1, 6, 20, 61] {
                let polls = every(
                    utc(3, 28, 23, 30, 0),
                    utc(3, 29, 3, 0, 0),
                    TimeDelta::minutes(step),
                );
                let next = next_polls(&polls, &changes);
                assert_eq!(
                    polled(zone_blind, &polls, &changes),
                    next,
                    "every {step} min"
                );
                assert_eq!(
                    polled(in_warsaw, &polls, &changes),
                    next,
                    "every {step} min"
                );
            }
            // The window across the gap is an hour longer on the clock, never inverted.
            let w = in_warsaw(
                Some(warsaw(utc(3, 29, 0, 58, 0))),
                warsaw(utc(3, 29, 1, 3, 0)),
            );
            assert_eq!(
                (w.begin, w.end),
                (local(3, 29, 1, 53, 0), local(3, 29, 3, 3, 0))
            );
            assert!(!w.cursor_ahead);
        }

        #[test]
        fn outside_the_changes_the_zone_changes_nothing() {
            for (cursor, now) in [
                (local(10, 25, 1, 0, 0), local(10, 25, 1, 10, 0)),
                (local(10, 25, 3, 0, 0), local(10, 25, 3, 10, 0)),
                (local(7, 1, 12, 0, 0), local(7, 1, 12, 1, 0)),
                (local(7, 1, 12, 0, 0), local(7, 1, 11, 0, 0)),
            ] {
                assert_eq!(in_warsaw(Some(cursor), now), zone_blind(Some(cursor), now));
            }
            assert_eq!(
                in_warsaw(None, local(7, 1, 12, 0, 0)),
                zone_blind(None, local(7, 1, 12, 0, 0))
            );
        }

        proptest::proptest! {
            /// Polls at any gaps (a minute to an hour and a half) across either change, and
            /// changes at any seconds: knowing the zone, each change is read by the first
            /// poll after it.
            #[test]
            fn with_the_zone_no_change_waits_past_the_next_poll(
                october in proptest::bool::ANY,
                gaps in proptest::collection::vec(1i64..=90, 1..12),
                offsets in proptest::collection::vec(1i64..5 * 3600, 1..40),
            ) {
                let start = if october { utc(10, 24, 23, 0, 0) } else { utc(3, 28, 23, 0, 0) };
                let mut polls = vec![start];
                for gap in gaps.iter().cycle().take(40) {
                    let last = *polls.last().unwrap();
                    polls.push(last + TimeDelta::minutes(*gap));
                }
                let changes: Vec<_> = offsets
                    .iter()
                    .map(|s| start + TimeDelta::seconds(*s))
                    .filter(|c| c <= polls.last().unwrap())
                    .collect();
                let next = next_polls(&polls, &changes);
                proptest::prop_assert_eq!(polled(in_warsaw, &polls, &changes), next);
            }
        }
    }
}
