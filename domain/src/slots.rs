//! Capacity and the slot grid: "capacity is real".
//!
//! A store can work on as many cars at once as it has bays with a technician in them.
//! Time is cut into [`STEP_MIN`]-minute steps of local time (UTC+8, see
//! [`crate::local_time`]); a job of some duration holds one capacity unit in each of
//! the `ceil(duration / STEP_MIN)` consecutive steps it covers.
//!
//! Storage keeps one counter of booked units per (store, step start) and books a job by
//! raising the counter of every step it covers with a conditional `booked < capacity`
//! update, all in one transaction. That guard is what makes double booking impossible
//! under any concurrency; this module is the same arithmetic written once, so that the
//! grid a customer is offered ([`slot_grid`]), the check before booking
//! ([`check_start`], [`is_free`]) and the rows storage touches ([`steps`]) can never
//! disagree. [`crate::booking`] puts them together.
//!
//! A job holds its units in whole steps, so it must have given them back by closing
//! time: a start is bookable only if the *end of its last step* is no later than
//! closing. When closing is on a step boundary (as it is in practice) this is exactly
//! "the job finishes by closing"; with an odd closing time such as 17:45 the last start
//! is the one whose whole steps still fit, so [`Slot::end`] never lies after closing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

use crate::local_time::{local_date, local_minute_of_day, CHINA};
use crate::Error;

/// The grid step in minutes; slots start on step boundaries of local time.
pub const STEP_MIN: u16 = 30;

/// Minutes in a (local) day; the latest closing time.
pub const DAY_MIN: u16 = 1440;

/// Booked units per step start; a step that is missing has nothing booked.
///
/// A plain map rather than a newtype because storage builds it straight from its
/// `(step_start, booked)` rows. Keys are compared as instants ([`OffsetDateTime`]'s
/// ordering ignores the offset), so `10:00 +08:00` and `02:00 UTC` are one key; the
/// functions here insert UTC keys and look up any offset. Use [`booked`] to read it.
pub type Load = BTreeMap<OffsetDateTime, u32>;

/// When a store is open on one weekday, in local minutes after midnight.
///
/// Built by [`OpeningHours::new`]; deserialising goes through it too. The fields are
/// public for reading; hours built by hand that break the rule simply offer nothing
/// ([`check_start`] never lets a job run past midnight or before opening).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawHours", into = "RawHours")]
pub struct OpeningHours {
    /// The local day of the week.
    pub weekday: Weekday,
    /// Opening time, minutes after local midnight.
    pub opens_min: u16,
    /// Closing time, minutes after local midnight (1440 = midnight at the end of the
    /// day); every job must have finished by then.
    pub closes_min: u16,
}

/// The wire form, checked by [`OpeningHours::new`] on the way in.
#[derive(Serialize, Deserialize)]
struct RawHours {
    weekday: Weekday,
    opens_min: u16,
    closes_min: u16,
}

impl TryFrom<RawHours> for OpeningHours {
    type Error = Error;

    fn try_from(raw: RawHours) -> Result<Self, Error> {
        OpeningHours::new(raw.weekday, raw.opens_min, raw.closes_min)
    }
}

impl From<OpeningHours> for RawHours {
    fn from(hours: OpeningHours) -> RawHours {
        RawHours {
            weekday: hours.weekday,
            opens_min: hours.opens_min,
            closes_min: hours.closes_min,
        }
    }
}

impl OpeningHours {
    /// Hours that open before they close, within one local day
    /// (`opens_min < closes_min <= 1440`), or [`Error::SlotInvalid`]. A store closed on
    /// some weekday simply has no hours for it; a store with a lunch break has two.
    pub fn new(weekday: Weekday, opens_min: u16, closes_min: u16) -> Result<Self, Error> {
        if opens_min < closes_min && closes_min <= DAY_MIN {
            Ok(OpeningHours {
                weekday,
                opens_min,
                closes_min,
            })
        } else {
            Err(Error::SlotInvalid)
        }
    }

    /// Whether a job held from local minute `start` to local minute `end` (the end of
    /// its last step) fits in these hours on `weekday`.
    fn fits(&self, weekday: Weekday, start: u16, end: u32) -> bool {
        self.weekday == weekday
            && self.opens_min <= start
            && end <= u32::from(self.closes_min.min(DAY_MIN))
    }
}

/// Units that can work at once: `min(bays, technicians)`. A bay without a technician
/// does no work, and a technician without a free bay has nowhere to put the car.
pub fn capacity(bays: u32, technicians: u32) -> u32 {
    bays.min(technicians)
}

/// How many steps a job of `duration_min` occupies: `ceil(duration_min / STEP_MIN)`.
///
/// A zero duration is not a real service ([`check_start`] refuses it); it counts as one
/// step so that nothing can ever be booked without taking capacity.
pub fn step_count(duration_min: u16) -> u16 {
    duration_min.div_ceil(STEP_MIN).max(1)
}

/// How long a job of `duration_min` holds its unit: its whole steps.
pub fn held(duration_min: u16) -> Duration {
    Duration::minutes(i64::from(step_count(duration_min)) * i64::from(STEP_MIN))
}

/// The step starts a job of `duration_min` starting at `start` occupies, as UTC instants:
/// [`step_count`] of them, [`STEP_MIN`] minutes apart, the first being `start`. These are
/// exactly the counters storage raises when booking and lowers when cancelling.
///
/// Empty only if some step is not representable (within a day of year ±9999); such a
/// start is never free and never bookable.
pub fn steps(start: OffsetDateTime, duration_min: u16) -> Vec<OffsetDateTime> {
    let Some(first) = start.checked_to_offset(UtcOffset::UTC) else {
        return Vec::new();
    };
    let all: Option<Vec<OffsetDateTime>> = (0..step_count(duration_min))
        .map(|i| first.checked_add(Duration::minutes(i64::from(i) * i64::from(STEP_MIN))))
        .collect();
    all.unwrap_or_default()
}

/// Whether a job of `duration_min` may start at `start`, or [`Error::SlotInvalid`]:
/// the duration is positive; `start` is on a step boundary of local time (local minute a
/// multiple of [`STEP_MIN`], zero seconds and nanoseconds); it is not before
/// `not_before` (now, or when the parts can be there); and some opening hours of that
/// local weekday have `opens <= start` and the end of the job's last step `<= closes`,
/// so the job finishes on the same local day, before closing.
///
/// This says nothing about load: see [`is_free`].
pub fn check_start(
    hours: &[OpeningHours],
    start: OffsetDateTime,
    duration_min: u16,
    not_before: OffsetDateTime,
) -> Result<(), Error> {
    if duration_min == 0 || start < not_before {
        return Err(Error::SlotInvalid);
    }
    let Some(local) = start.checked_to_offset(CHINA) else {
        return Err(Error::SlotInvalid);
    };
    // `local` is already in CHINA, so these conversions cannot overflow.
    let minute = local_minute_of_day(local);
    let on_grid = minute.is_multiple_of(STEP_MIN) && local.second() == 0 && local.nanosecond() == 0;
    let end = u32::from(minute) + u32::from(step_count(duration_min)) * u32::from(STEP_MIN);
    let weekday = local_date(local).weekday();
    if on_grid
        && hours.iter().any(|h| h.fits(weekday, minute, end))
        && !steps(start, duration_min).is_empty()
    {
        Ok(())
    } else {
        Err(Error::SlotInvalid)
    }
}

/// Units booked in the step starting at `step` (0 if the load has no entry for it).
pub fn booked(load: &Load, step: OffsetDateTime) -> u32 {
    load.get(&step).copied().unwrap_or(0)
}

/// Units still free over the whole job: the least of `capacity - booked` over its steps
/// (saturating, so an overbooked step counts as full). 0 if a step is unrepresentable.
pub fn free_units(load: &Load, capacity: u32, start: OffsetDateTime, duration_min: u16) -> u32 {
    steps(start, duration_min)
        .into_iter()
        .map(|step| capacity.saturating_sub(booked(load, step)))
        .min()
        .unwrap_or(0)
}

/// Whether every step of the job has `booked < capacity`: the condition storage's
/// guarded update checks on each row. Never true with zero capacity.
pub fn is_free(load: &Load, capacity: u32, start: OffsetDateTime, duration_min: u16) -> bool {
    free_units(load, capacity, start, duration_min) > 0
}

/// A start the customer may pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Slot {
    /// When the job starts (UTC; RFC 3339 on the wire).
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    /// When the job's last step ends and its unit is free again: `start +` [`held`].
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    /// Units still free over the whole job ([`free_units`]); at least 1.
    pub free_units: u32,
}

/// The UTC instant at `minute` after local midnight of `date`, if representable.
fn local_instant(date: Date, minute: u16) -> Option<OffsetDateTime> {
    PrimitiveDateTime::new(date, Time::MIDNIGHT)
        .assume_offset(CHINA)
        .checked_add(Duration::minutes(i64::from(minute)))?
        .checked_to_offset(UtcOffset::UTC)
}

/// The grid, lazily: every start of every day, in time order, kept if bookable and free.
fn grid<'a>(
    hours: &'a [OpeningHours],
    from_date: Date,
    days: u16,
    duration_min: u16,
    capacity: u32,
    load: &'a Load,
    not_before: OffsetDateTime,
) -> impl Iterator<Item = Slot> + 'a {
    (0..days)
        .map_while(move |day| from_date.checked_add(Duration::days(i64::from(day))))
        .filter(move |date| hours.iter().any(|h| h.weekday == date.weekday()))
        .flat_map(move |date| {
            (0..DAY_MIN)
                .step_by(usize::from(STEP_MIN))
                .filter_map(move |minute| {
                    let start = local_instant(date, minute)?;
                    check_start(hours, start, duration_min, not_before).ok()?;
                    let free = free_units(load, capacity, start, duration_min);
                    let end = start.checked_add(held(duration_min))?;
                    (free > 0).then_some(Slot {
                        start,
                        end,
                        free_units: free,
                    })
                })
        })
}

/// Every bookable start for a job of `duration_min` over `days` local days from
/// `from_date`, in time order, each once: exactly the starts that pass [`check_start`]
/// (hours, grid, `not_before`) and [`is_free`] (capacity for the whole duration).
/// Overlapping hours of one weekday do not duplicate slots.
pub fn slot_grid(
    hours: &[OpeningHours],
    from_date: Date,
    days: u16,
    duration_min: u16,
    capacity: u32,
    load: &Load,
    not_before: OffsetDateTime,
) -> Vec<Slot> {
    grid(
        hours,
        from_date,
        days,
        duration_min,
        capacity,
        load,
        not_before,
    )
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local_time::at_local_minute;
    use proptest::prelude::*;
    use time::macros::{date, datetime, offset};

    /// Monday to Saturday with the same hours; closed on Sunday.
    fn mon_to_sat(opens: u16, closes: u16) -> Vec<OpeningHours> {
        (0..6)
            .map(|d| OpeningHours::new(Weekday::Monday.nth_next(d), opens, closes).expect("hours"))
            .collect()
    }

    // 2026-11-23 is a Monday; 2026-11-29 a Sunday.
    const MONDAY: Date = date!(2026 - 11 - 23);
    const EARLY: OffsetDateTime = datetime!(2026-11-01 00:00 UTC);

    fn local_minutes(slots: &[Slot]) -> Vec<u16> {
        slots.iter().map(|s| local_minute_of_day(s.start)).collect()
    }

    #[test]
    fn capacity_is_the_smaller_of_bays_and_technicians() {
        // A store open 09:00-18:00 with 2 bays and 3 technicians works on 2 cars at once.
        assert_eq!(capacity(2, 3), 2);
        assert_eq!(capacity(5, 3), 3);
        assert_eq!(capacity(0, 3), 0);
        let hours = mon_to_sat(9 * 60, 18 * 60);
        let grid = slot_grid(&hours, MONDAY, 1, 60, capacity(2, 3), &Load::new(), EARLY);
        assert!(grid.iter().all(|s| s.free_units == 2));
        let ten = datetime!(2026-11-23 10:00 +8);
        let mut load = Load::new();
        load.insert(ten, 1);
        assert!(is_free(&load, capacity(2, 3), ten, 60));
        load.insert(ten, 2);
        assert!(!is_free(&load, capacity(2, 3), ten, 60));
    }

    #[test]
    fn hours_must_open_before_they_close_within_the_day() {
        assert!(OpeningHours::new(Weekday::Monday, 540, 1080).is_ok());
        assert!(OpeningHours::new(Weekday::Monday, 0, 1440).is_ok());
        for (opens, closes) in [(1080, 540), (540, 540), (0, 1441), (1440, 1500)] {
            assert_eq!(
                OpeningHours::new(Weekday::Monday, opens, closes),
                Err(Error::SlotInvalid)
            );
        }
    }

    #[test]
    fn hours_deserialise_through_the_constructor() {
        let hours = OpeningHours::new(Weekday::Friday, 540, 1080).expect("hours");
        let json = serde_json::to_string(&hours).expect("serialise");
        let back: OpeningHours = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, hours);
        let bad = json.replace("1080", "500");
        assert!(serde_json::from_str::<OpeningHours>(&bad).is_err());
        let late = json.replace("1080", "1441");
        assert!(serde_json::from_str::<OpeningHours>(&late).is_err());
    }

    #[test]
    fn jobs_must_finish_by_closing_time() {
        let hours = mon_to_sat(9 * 60, 18 * 60);
        // 16:30 + 90 min = 18:00: fine; 17:00 + 90 min = 18:30: past closing.
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 16:30 +8), 90, EARLY),
            Ok(())
        );
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 17:00 +8), 90, EARLY),
            Err(Error::SlotInvalid)
        );
        let grid = slot_grid(&hours, MONDAY, 1, 90, 2, &Load::new(), EARLY);
        assert_eq!(
            grid.last().map(|s| s.start),
            Some(datetime!(2026-11-23 16:30 +8))
        );
        assert_eq!(
            grid.last().map(|s| s.end),
            Some(datetime!(2026-11-23 18:00 +8))
        );
        // Before opening.
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 08:30 +8), 30, EARLY),
            Err(Error::SlotInvalid)
        );
    }

    #[test]
    fn an_odd_closing_time_keeps_whole_steps_inside_the_hours() {
        let hours = mon_to_sat(9 * 60, 17 * 60 + 45);
        // A 45-minute job at 17:00 would hold the 17:30 step until 18:00.
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 17:00 +8), 45, EARLY),
            Err(Error::SlotInvalid)
        );
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 16:30 +8), 45, EARLY),
            Ok(())
        );
        // An odd opening time starts the grid at the next boundary.
        let hours = mon_to_sat(9 * 60 + 10, 12 * 60);
        let grid = slot_grid(&hours, MONDAY, 1, 30, 1, &Load::new(), EARLY);
        assert_eq!(local_minutes(&grid).first(), Some(&(9 * 60 + 30)));
    }

    #[test]
    fn starts_must_be_on_the_grid_with_a_real_duration() {
        let hours = mon_to_sat(9 * 60, 18 * 60);
        for start in [
            datetime!(2026-11-23 10:15 +8),
            datetime!(2026-11-23 10:00:01 +8),
            datetime!(2026-11-23 10:00:00.000_000_001 +8),
        ] {
            assert_eq!(
                check_start(&hours, start, 30, EARLY),
                Err(Error::SlotInvalid),
                "{start}"
            );
        }
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 10:00 +8), 0, EARLY),
            Err(Error::SlotInvalid)
        );
        assert_eq!(steps(datetime!(2026-11-23 10:00 +8), 0).len(), 1);
        // The grid is judged on local time, whatever offset the instant comes in: 10:00
        // local written with an odd seconds offset is still on the grid.
        let odd = datetime!(2026-11-23 02:00 UTC).to_offset(offset!(+0:00:30));
        assert_eq!(odd.second(), 30);
        assert_eq!(check_start(&hours, odd, 30, EARLY), Ok(()));
    }

    #[test]
    fn sunday_is_closed_without_hours() {
        let hours = mon_to_sat(9 * 60, 18 * 60);
        assert_eq!(
            check_start(&hours, datetime!(2026-11-29 10:00 +8), 30, EARLY),
            Err(Error::SlotInvalid)
        );
        let sunday = slot_grid(&hours, date!(2026 - 11 - 29), 1, 30, 2, &Load::new(), EARLY);
        assert!(sunday.is_empty());
        // Saturday evening to Monday morning: nothing on Sunday.
        let weekend = slot_grid(&hours, date!(2026 - 11 - 28), 3, 30, 2, &Load::new(), EARLY);
        assert!(weekend
            .iter()
            .all(|s| local_date(s.start).weekday() != Weekday::Sunday));
        assert_eq!(weekend.len(), 2 * 18);
        let week = slot_grid(&hours, date!(2026 - 11 - 29), 7, 30, 2, &Load::new(), EARLY);
        assert_eq!(
            week.first().map(|s| s.start),
            Some(datetime!(2026-11-30 09:00 +8))
        );
    }

    #[test]
    fn a_full_step_blocks_every_job_that_covers_it() {
        let hours = mon_to_sat(9 * 60, 12 * 60);
        let mut load = Load::new();
        let ten = datetime!(2026-11-23 10:00 +8);
        assert!(is_free(&load, 1, ten, 30));
        load.insert(ten.to_offset(UtcOffset::UTC), 1);
        assert!(!is_free(&load, 1, ten, 30));
        assert_eq!(free_units(&load, 2, ten, 30), 1);
        for minutes in [1, 30, 31, 60, 90, 120] {
            for slot in slot_grid(&hours, MONDAY, 1, minutes, 1, &load, EARLY) {
                assert!(!steps(slot.start, minutes).contains(&ten), "{slot:?}");
            }
        }
        // 60-minute jobs: 09:30 and 10:00 would cover 10:00.
        let grid = slot_grid(&hours, MONDAY, 1, 60, 1, &load, EARLY);
        assert_eq!(local_minutes(&grid), vec![540, 630, 660]);
        // A 30-minute job at 09:30 does not.
        assert!(is_free(&load, 1, datetime!(2026-11-23 09:30 +8), 30));
        assert!(!is_free(&load, 1, datetime!(2026-11-23 09:30 +8), 31));
    }

    #[test]
    fn not_before_removes_earlier_slots() {
        let hours = mon_to_sat(9 * 60, 12 * 60);
        let noon_ish = datetime!(2026-11-23 10:10 +8);
        let grid = slot_grid(&hours, MONDAY, 1, 30, 2, &Load::new(), noon_ish);
        assert_eq!(local_minutes(&grid), vec![630, 660, 690]);
        assert!(grid.iter().all(|s| s.free_units == 2));
        // Exactly on a boundary, that boundary is still offered.
        let on = datetime!(2026-11-23 10:30 +8);
        assert_eq!(check_start(&hours, on, 30, on), Ok(()));
        let week = slot_grid(
            &hours,
            MONDAY,
            7,
            30,
            2,
            &Load::new(),
            datetime!(2026-11-23 12:00 +8),
        );
        assert_eq!(
            week.first().map(|s| s.start),
            Some(datetime!(2026-11-24 09:00 +8))
        );
    }

    #[test]
    fn local_time_boundaries_are_utc_plus_8() {
        let hours = mon_to_sat(9 * 60, 18 * 60);
        // 09:00 local is 01:00 UTC the same day; 08:30 UTC is 16:30 local.
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 01:00 UTC), 30, EARLY),
            Ok(())
        );
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 00:30 UTC), 30, EARLY),
            Err(Error::SlotInvalid)
        );
        let grid = slot_grid(&hours, MONDAY, 1, 30, 1, &Load::new(), EARLY);
        assert_eq!(
            grid.first().map(|s| s.start),
            Some(datetime!(2026-11-23 01:00 UTC))
        );
        assert_eq!(
            grid.last().map(|s| s.end),
            Some(datetime!(2026-11-23 10:00 UTC))
        );
        assert!(grid.iter().all(|s| s.start.offset() == UtcOffset::UTC));
        // Monday 23:30 UTC is already Tuesday 07:30 local: the weekday is the local one.
        let late = vec![OpeningHours::new(Weekday::Tuesday, 7 * 60, 8 * 60).expect("hours")];
        assert_eq!(
            check_start(&late, datetime!(2026-11-23 23:30 UTC), 30, EARLY),
            Ok(())
        );
    }

    #[test]
    fn the_same_instant_in_any_offset_is_one_step() {
        let mut load = Load::new();
        let local = datetime!(2026-11-23 10:00 +8);
        let utc = datetime!(2026-11-23 02:00 UTC);
        load.insert(local, 1);
        assert_eq!(booked(&load, utc), 1);
        assert_eq!(free_units(&load, 2, utc, 30), 1);
        load.insert(utc, 2);
        assert_eq!(load.len(), 1);
        assert_eq!(booked(&load, local), 2);
        assert!(!is_free(&load, 2, local, 30));
        assert_eq!(steps(local, 60), vec![utc, datetime!(2026-11-23 02:30 UTC)]);
        assert!(steps(local, 60)
            .iter()
            .all(|s| s.offset() == UtcOffset::UTC));
    }

    #[test]
    fn overlapping_hours_offer_each_start_once() {
        let hours = vec![
            OpeningHours::new(Weekday::Monday, 9 * 60, 12 * 60).expect("hours"),
            OpeningHours::new(Weekday::Monday, 10 * 60, 13 * 60).expect("hours"),
            OpeningHours::new(Weekday::Monday, 14 * 60, 15 * 60).expect("hours"),
        ];
        let grid = slot_grid(&hours, MONDAY, 1, 60, 1, &Load::new(), EARLY);
        // 09:00-12:00 and 10:00-13:00 allow 60-min starts 09:00..12:00; the lunch gap
        // 13:00-14:00 is closed, so no job spans it; 14:00 fits exactly.
        assert_eq!(
            local_minutes(&grid),
            vec![540, 570, 600, 630, 660, 690, 720, 840]
        );
    }

    #[test]
    fn slots_serialise_as_rfc3339() {
        let slot = Slot {
            start: datetime!(2026-11-23 01:00 UTC),
            end: datetime!(2026-11-23 02:30 UTC),
            free_units: 2,
        };
        let json = serde_json::to_string(&slot).expect("serialise");
        assert_eq!(
            json,
            r#"{"start":"2026-11-23T01:00:00Z","end":"2026-11-23T02:30:00Z","free_units":2}"#
        );
        let back: Slot = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, slot);
    }

    #[test]
    fn the_ends_of_time_do_not_panic() {
        let hours = vec![OpeningHours::new(Weekday::Friday, 0, 1440).expect("hours")];
        let last = Date::MAX;
        let first = Date::MIN;
        for date in [first, last] {
            let grid = slot_grid(&hours, date, 3, 600, 1, &Load::new(), EARLY);
            for slot in grid {
                assert!(is_free(&Load::new(), 1, slot.start, 600));
                assert!(!steps(slot.start, 600).is_empty());
            }
        }
        let far = PrimitiveDateTime::new(Date::MIN, Time::MIDNIGHT).assume_offset(CHINA);
        assert!(steps(far, 30).is_empty());
        assert!(!is_free(&Load::new(), 1, far, 30));
        let end = PrimitiveDateTime::new(Date::MAX, Time::MIDNIGHT).assume_offset(CHINA);
        assert!(steps(end, u16::MAX).is_empty());
    }

    // --- property tests -------------------------------------------------------------

    fn any_weekday() -> impl Strategy<Value = Weekday> {
        (0u8..7).prop_map(|n| Weekday::Monday.nth_next(n))
    }

    /// One to four entries of valid hours on random weekdays, odd minutes included.
    fn any_hours() -> impl Strategy<Value = Vec<OpeningHours>> {
        prop::collection::vec(
            (any_weekday(), 0u16..DAY_MIN, 1u16..=DAY_MIN)
                .prop_filter_map("opens before closes", |(day, a, b)| {
                    OpeningHours::new(day, a.min(b), a.max(b)).ok()
                }),
            1..5,
        )
    }

    /// A week's worth of instants from Monday `MONDAY`, on or off the grid, in UTC, UTC+8
    /// or another offset (the same instant must behave the same in any offset).
    fn any_instant() -> impl Strategy<Value = OffsetDateTime> {
        (0i64..8 * 1440, prop::bool::ANY, -12i8..=12).prop_map(|(m, on_grid, h)| {
            let m = if on_grid { m - m % 30 } else { m };
            let offset = UtcOffset::from_hms(h, 0, 0).unwrap_or(UtcOffset::UTC);
            (datetime!(2026-11-23 00:00 +8) + Duration::minutes(m)).to_offset(offset)
        })
    }

    /// A start on the grid, anywhere in the week.
    fn any_start() -> impl Strategy<Value = OffsetDateTime> {
        (0i64..7 * 48).prop_map(|s| datetime!(2026-11-23 00:00 +8) + Duration::minutes(s * 30))
    }

    fn any_duration() -> impl Strategy<Value = u16> {
        prop_oneof![
            6 => 1u16..=240,
            1 => Just(30),
            1 => Just(60),
            1 => Just(90),
            1 => 1u16..=u16::MAX,
        ]
    }

    /// A load as storage hands it out: booked counts on grid steps, any offset.
    fn any_load(cap: u32) -> impl Strategy<Value = Load> {
        prop::collection::vec((any_start(), 0..=cap, -12i8..=12), 0..40).prop_map(|rows| {
            rows.into_iter()
                .map(|(s, n, h)| {
                    (
                        s.to_offset(UtcOffset::from_hms(h, 0, 0).unwrap_or(CHINA)),
                        n,
                    )
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn steps_are_consecutive_from_the_start(start in any_instant(), minutes in any_duration()) {
            let s = steps(start, minutes);
            prop_assert_eq!(s.len(), usize::from(minutes.div_ceil(STEP_MIN)));
            prop_assert_eq!(s.len(), usize::from(step_count(minutes)));
            prop_assert_eq!(s[0], start);
            prop_assert!(s.iter().all(|t| t.offset() == UtcOffset::UTC));
            for pair in s.windows(2) {
                prop_assert_eq!(pair[1] - pair[0], Duration::minutes(i64::from(STEP_MIN)));
            }
            let last_end = s[s.len() - 1] + Duration::minutes(i64::from(STEP_MIN));
            prop_assert_eq!(last_end, start + held(minutes));
            prop_assert!(start + Duration::minutes(i64::from(minutes)) <= last_end);
        }

        #[test]
        fn hours_are_valid_exactly_when_they_open_before_closing(
            day in any_weekday(),
            opens in 0u16..2000,
            closes in 0u16..2000,
        ) {
            let made = OpeningHours::new(day, opens, closes);
            prop_assert_eq!(made.is_ok(), opens < closes && closes <= DAY_MIN);
            let json = serde_json::to_string(&RawHours { weekday: day, opens_min: opens, closes_min: closes })
                .expect("serialise");
            let parsed = serde_json::from_str::<OpeningHours>(&json).ok();
            prop_assert_eq!(parsed, made.ok());
        }

        #[test]
        fn every_offered_slot_can_be_booked(
            hours in any_hours(),
            cap in 1u32..4,
            minutes in any_duration(),
            load in any_load(3),
            not_before in any_instant(),
        ) {
            let grid = slot_grid(&hours, MONDAY, 8, minutes, cap, &load, not_before);
            for slot in &grid {
                prop_assert!(check_start(&hours, slot.start, minutes, not_before).is_ok());
                prop_assert!(slot.free_units >= 1);
                prop_assert_eq!(slot.free_units, free_units(&load, cap, slot.start, minutes));
                prop_assert_eq!(slot.end, slot.start + held(minutes));
                for step in steps(slot.start, minutes) {
                    prop_assert!(booked(&load, step) < cap);
                }
            }
        }

        #[test]
        fn no_slot_before_not_before_or_outside_the_hours(
            hours in any_hours(),
            minutes in any_duration(),
            not_before in any_instant(),
            from in 0i64..7,
            days in 0u16..10,
        ) {
            let from_date = MONDAY + Duration::days(from);
            let grid = slot_grid(&hours, from_date, days, minutes, 1, &Load::new(), not_before);
            for slot in &grid {
                prop_assert!(slot.start >= not_before);
                let date = local_date(slot.start);
                prop_assert!(date >= from_date);
                prop_assert!(date < from_date + Duration::days(i64::from(days)));
                prop_assert!(slot.start + Duration::minutes(i64::from(minutes)) <= slot.end);
                let within = hours.iter().any(|h| {
                    h.weekday == date.weekday()
                        && at_local_minute(date, h.opens_min) <= slot.start
                        && slot.end <= at_local_minute(date, h.closes_min)
                });
                prop_assert!(within, "{:?} outside {:?}", slot, hours);
                prop_assert_eq!(local_minute_of_day(slot.start) % STEP_MIN, 0);
            }
        }

        #[test]
        fn the_grid_is_every_bookable_free_start_in_order(
            hours in any_hours(),
            cap in 0u32..3,
            minutes in any_duration(),
            load in any_load(2),
            not_before in any_instant(),
            days in 0u16..9,
        ) {
            let grid = slot_grid(&hours, MONDAY, days, minutes, cap, &load, not_before);
            let expected: Vec<OffsetDateTime> = (0..i64::from(days) * 48)
                .map(|s| at_local_minute(MONDAY, 0) + Duration::minutes(s * 30))
                .filter(|&s| check_start(&hours, s, minutes, not_before).is_ok())
                .filter(|&s| is_free(&load, cap, s, minutes))
                .collect();
            let starts: Vec<OffsetDateTime> = grid.iter().map(|s| s.start).collect();
            prop_assert_eq!(starts, expected);
        }
    }
}
