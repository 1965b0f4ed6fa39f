//! The engine's clocks, and the engine across the daylight-saving changes of the shop's zone.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod engine_fakes;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Europe::Warsaw;
use engine_fakes::{World, shop_config};
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

fn utc(month: u32, day: u32, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2026, month, day)
        .unwrap()
        .and_hms_opt(hour, minute, second)
        .unwrap()
        .and_utc()
}

fn local(month: u32, day: u32, hour: u32, minute: u32) -> NaiveDateTime {
    utc(month, day, hour, minute, 0).naive_utc()
}

/// The shop's wall clock at an instant.
fn warsaw(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&Warsaw).naive_local()
}

#[test]
fn system_clock_in_the_shop_zone_follows_its_daylight_saving_rules_not_the_machines() {
    let clock = SystemClock::in_zone(Warsaw);
    let cases = [
        (utc(3, 29, 0, 59, 0), local(3, 29, 1, 59)),   // CET
        (utc(3, 29, 1, 0, 0), local(3, 29, 3, 0)),     // CEST: 02:00–03:00 skipped
        (utc(10, 25, 0, 30, 0), local(10, 25, 2, 30)), // CEST, the first 02:30
        (utc(10, 25, 1, 30, 0), local(10, 25, 2, 30)), // CET, the second 02:30
        (utc(12, 1, 12, 0, 0), local(12, 1, 13, 0)),
    ];
    for (instant, shop_time) in cases {
        assert_eq!(clock.at(instant), shop_time, "{instant}");
    }
    let before = warsaw(Utc::now());
    let now = clock.now();
    assert!(now >= before && now <= warsaw(Utc::now()), "{now}");

    // An integration's clock is in its configured zone.
    let mut config = shop_config("prague");
    config.shop_time_zone = chrono_tz::Asia::Tokyo;
    let tokyo = SystemClock::for_integration(&config);
    assert_eq!(tokyo.at(utc(10, 25, 0, 30, 0)), local(10, 25, 9, 30));
    assert_eq!(
        format!("{tokyo:?}"),
        r#"SystemClock { zone: "Asia/Tokyo" }"#
    );
    assert_eq!(
        SystemClock::for_integration(&shop_config("default")).at(utc(7, 1, 10, 0, 0)),
        local(7, 1, 12, 0)
    );
}

/// One change: at `instant` the shop customer `client_id` gets the surname `Zmiana-{id}`,
/// stamped with the shop's local time.
struct Change {
    instant: DateTime<Utc>,
    client_id: u64,
}

impl Change {
    fn surname(&self) -> String {
        format!("Zmiana-{}", self.client_id)
    }
}

fn change(client_id: u64, instant: DateTime<Utc>) -> Change {
    Change { instant, client_id }
}

/// Polls every `step` from `from` to `to` (UTC instants; the manual clock is set to each one
/// as Warsaw shows it), making each change at its instant between polls. Asserts that every
/// change made before a poll is in Thulium after that poll — except one stamped in the
/// first pass of a repeated hour after the last poll before the clock went back at
/// `clock_back` (it may wait for the second pass to reach its stamp when the engine's window
/// does not know the zone) — and every change by the end.
async fn poll_across(
    world: &World,
    (from, to, step): (DateTime<Utc>, DateTime<Utc>, TimeDelta),
    clock_back: Option<DateTime<Utc>>,
    changes: &[Change],
) {
    let engine = world.engine();
    let synced = |change: &Change| {
        world
            .crm
            .holding(change.client_id)
            .first()
            .and_then(|c| c.surname.clone())
            == Some(change.surname())
    };
    let mut made = vec![false; changes.len()];
    let mut poll = from;
    while poll <= to {
        for (change, made) in changes.iter().zip(made.iter_mut()) {
            if !*made && change.instant <= poll {
                world.clock.set(warsaw(change.instant));
                world.edit_client(change.client_id, |c| {
                    c.billing.last_name = Some(change.surname());
                });
                *made = true;
            }
        }
        world.clock.set(warsaw(poll));
        let report = engine.incremental_sync().await.unwrap();
        assert!(report.failed.is_empty(), "{report}");
        for (change, made) in changes.iter().zip(&made) {
            let first_pass_tail =
                clock_back.is_some_and(|back| change.instant < back && poll >= back);
            if *made && !first_pass_tail {
                assert!(
                    synced(change),
                    "change at {} (stamped {}) not synced by the poll at {poll} (Warsaw {})",
                    change.instant,
                    warsaw(change.instant),
                    warsaw(poll)
                );
            }
        }
        poll += step;
    }
    for change in changes {
        assert!(
            synced(change),
            "change at {} (stamped {}) never synced",
            change.instant,
            warsaw(change.instant)
        );
    }
}

/// 2026-10-25 01:00 UTC: Warsaw goes from 03:00 CEST back to 02:00 CET.
fn october_changes() -> Vec<Change> {
    vec![
        change(1, utc(10, 24, 23, 45, 10)), // 01:45:10 CEST
        change(2, utc(10, 25, 0, 0, 30)),   // 02:00:30 CEST, first pass
        change(3, utc(10, 25, 0, 30, 0)),   // 02:30:00 CEST, first pass
        change(4, utc(10, 25, 0, 59, 30)),  // 02:59:30 CEST, after the last first-pass poll
        change(5, utc(10, 25, 1, 0, 0)),    // 02:00:00 CET, second pass
        change(6, utc(10, 25, 1, 0, 20)),   // 02:00:20 CET, stamped before the cursor
        change(7, utc(10, 25, 1, 4, 0)),    // 02:04:00 CET
        change(8, utc(10, 25, 1, 15, 45)),  // 02:15:45 CET
        change(9, utc(10, 25, 1, 59, 59)),  // 02:59:59 CET
        change(10, utc(10, 25, 2, 0, 1)),   // 03:00:01 CET
    ]
}

#[tokio::test]
async fn every_change_in_the_repeated_october_hour_reaches_thulium() {
    let clock_back = Some(utc(10, 25, 1, 0, 0));
    // Polling every minute, and every 12 minutes (longer than the engine's 5-minute
    // lookback: the first poll after the change comes at 02:06 CET).
    for step in [TimeDelta::minutes(1), TimeDelta::minutes(12)] {
        let world = World::synced(shop_config("shop-a"), 20).await;
        let polls = (utc(10, 24, 23, 30, 0), utc(10, 25, 2, 10, 0), step);
        poll_across(&world, polls, clock_back, &october_changes()).await;
        world.assert_held_once(1..=20);
    }
}

#[tokio::test]
async fn every_change_around_the_skipped_march_hour_reaches_thulium() {
    // 2026-03-29 01:00 UTC: Warsaw goes from 02:00 CET on to 03:00 CEST.
    let changes = [
        change(11, utc(3, 29, 0, 30, 0)),  // 01:30:00 CET
        change(12, utc(3, 29, 0, 59, 30)), // 01:59:30 CET
        change(13, utc(3, 29, 1, 0, 0)),   // 03:00:00 CEST
        change(14, utc(3, 29, 1, 0, 40)),  // 03:00:40 CEST
        change(15, utc(3, 29, 1, 20, 0)),  // 03:20:00 CEST
    ];
    for step in [TimeDelta::minutes(1), TimeDelta::minutes(12)] {
        let world = World::synced(shop_config("shop-a"), 20).await;
        let polls = (utc(3, 29, 0, 20, 0), utc(3, 29, 1, 30, 0), step);
        poll_across(&world, polls, None, &changes).await;
        world.assert_held_once(1..=20);
    }
}
