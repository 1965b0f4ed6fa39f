//! The engine's clocks.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{FixedOffset, NaiveDate, TimeDelta, Utc};
use sync_core::engine::clock::{Clock, ManualClock, SystemClock};

#[test]
fn manual_clock_moves_only_when_told_and_clones_share_it() {
    let start = NaiveDate::from_ymd_opt(2026, 3, 29)
        .unwrap()
        .and_hms_opt(1, 59, 0)
        .unwrap();
    let clock = ManualClock::new(start);
    let engine_side: Box<dyn Clock> = Box::new(clock.clone());
    assert_eq!(engine_side.now(), start);
    clock.advance(TimeDelta::minutes(2));
    assert_eq!(engine_side.now(), start + TimeDelta::minutes(2));
    clock.advance(TimeDelta::hours(-1));
    assert_eq!(
        engine_side.now(),
        start + TimeDelta::minutes(2) - TimeDelta::hours(1)
    );
    clock.set(start);
    assert_eq!(engine_side.now(), start);
}

#[test]
fn system_clock_converts_to_the_shop_zone() {
    let plus_two = SystemClock::fixed(FixedOffset::east_opt(2 * 3600).unwrap());
    let before = Utc::now().naive_utc();
    let shop_now = plus_two.now();
    let after = Utc::now().naive_utc();
    assert!(shop_now >= before + TimeDelta::hours(2));
    assert!(shop_now <= after + TimeDelta::hours(2));
}
