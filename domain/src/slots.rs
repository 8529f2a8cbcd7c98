//! Capacity and the slot grid ("capacity is real").
//!
//! A store can work on as many cars at once as it has bays with a technician in them.
//! Time is cut into [`STEP_MIN`]-minute steps of local time; a job of some duration
//! occupies one capacity unit in every step it covers. Storage keeps a count of booked
//! units per (store, step) and raises it only while it is below capacity; this module is
//! the same arithmetic for the UI and for that guard, so the grid a customer is offered
//! is exactly what the database will accept.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, UtcOffset, Weekday};

use crate::local_time::{at_local_minute, local_date, local_minute_of_day};
use crate::Error;

/// The grid step in minutes; slots start on step boundaries of local time.
pub const STEP_MIN: u16 = 30;

/// Booked units per step start (UTC instants); a missing step has none booked.
pub type Load = BTreeMap<OffsetDateTime, u32>;

/// When a store is open on one weekday, in local minutes after midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningHours {
    /// The day of the week.
    pub weekday: Weekday,
    /// Opening time.
    pub opens_min: u16,
    /// Closing time; jobs must be finished by then.
    pub closes_min: u16,
}

impl OpeningHours {
    /// Hours that open before they close, within the day.
    pub fn new(weekday: Weekday, opens_min: u16, closes_min: u16) -> Result<Self, Error> {
        if opens_min < closes_min && closes_min <= 1440 {
            Ok(OpeningHours {
                weekday,
                opens_min,
                closes_min,
            })
        } else {
            Err(Error::SlotInvalid)
        }
    }
}

/// Units that can work at once: a bay without a technician does no work, nor does a
/// technician without a bay.
pub fn capacity(bays: u32, technicians: u32) -> u32 {
    bays.min(technicians)
}

fn step_count(duration_min: u16) -> u16 {
    duration_min.div_ceil(STEP_MIN).max(1)
}

/// The step starts a job of `duration_min` starting at `start` occupies (in UTC).
pub fn steps(start: OffsetDateTime, duration_min: u16) -> Vec<OffsetDateTime> {
    let start = start.to_offset(UtcOffset::UTC);
    (0..step_count(duration_min))
        .map(|i| start + Duration::minutes(i64::from(i) * i64::from(STEP_MIN)))
        .collect()
}

/// Whether `start` is a bookable start for a job of `duration_min`: on a step boundary, not
/// before `not_before`, and within the store's hours of that local day.
pub fn check_start(
    hours: &[OpeningHours],
    start: OffsetDateTime,
    duration_min: u16,
    not_before: OffsetDateTime,
) -> Result<(), Error> {
    let minute = local_minute_of_day(start);
    let on_grid = minute.is_multiple_of(STEP_MIN) && start.second() == 0 && start.nanosecond() == 0;
    if !on_grid || start < not_before || duration_min == 0 {
        return Err(Error::SlotInvalid);
    }
    let weekday = local_date(start).weekday();
    let end = u32::from(minute) + u32::from(step_count(duration_min)) * u32::from(STEP_MIN);
    let open = hours
        .iter()
        .any(|h| h.weekday == weekday && h.opens_min <= minute && end <= u32::from(h.closes_min));
    if open {
        Ok(())
    } else {
        Err(Error::SlotInvalid)
    }
}

fn booked(load: &Load, step: OffsetDateTime) -> u32 {
    load.get(&step.to_offset(UtcOffset::UTC))
        .copied()
        .unwrap_or(0)
}

/// Free units over a job's steps (the fewest of any step).
fn free_units(load: &Load, capacity: u32, start: OffsetDateTime, duration_min: u16) -> u32 {
    steps(start, duration_min)
        .into_iter()
        .map(|s| capacity.saturating_sub(booked(load, s)))
        .min()
        .unwrap_or(0)
}

/// Whether every step of the job has a unit left.
pub fn is_free(load: &Load, capacity: u32, start: OffsetDateTime, duration_min: u16) -> bool {
    free_units(load, capacity, start, duration_min) > 0
}

/// Books one unit in every step of the job, or refuses with [`Error::SlotUnavailable`]
/// and changes nothing.
pub fn book(
    load: &mut Load,
    capacity: u32,
    start: OffsetDateTime,
    duration_min: u16,
) -> Result<(), Error> {
    if !is_free(load, capacity, start, duration_min) {
        return Err(Error::SlotUnavailable);
    }
    for step in steps(start, duration_min) {
        *load.entry(step).or_insert(0) += 1;
    }
    Ok(())
}

/// Gives back what [`book`] took. Never goes below zero: releasing twice is a bug
/// elsewhere, and a negative count would offer capacity that does not exist.
pub fn release(load: &mut Load, start: OffsetDateTime, duration_min: u16) {
    for step in steps(start, duration_min) {
        if let Some(n) = load.get_mut(&step) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                load.remove(&step);
            }
        }
    }
}

/// A start the customer may pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// When the job starts.
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    /// When it is done (start plus whole steps).
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    /// Units still free over the whole job.
    pub free_units: u32,
}

/// Every bookable start over `days` local days from `from_date`, in time order.
pub fn slot_grid(
    hours: &[OpeningHours],
    from_date: Date,
    days: u16,
    duration_min: u16,
    capacity: u32,
    load: &Load,
    not_before: OffsetDateTime,
) -> Vec<Slot> {
    let mut slots = Vec::new();
    let span = Duration::minutes(i64::from(step_count(duration_min)) * i64::from(STEP_MIN));
    for day in 0..days {
        let Some(date) = from_date.checked_add(Duration::days(i64::from(day))) else {
            break;
        };
        for h in hours.iter().filter(|h| h.weekday == date.weekday()) {
            let first = h.opens_min.div_ceil(STEP_MIN) * STEP_MIN;
            for minute in (first..h.closes_min).step_by(usize::from(STEP_MIN)) {
                let start = at_local_minute(date, minute).to_offset(UtcOffset::UTC);
                if check_start(hours, start, duration_min, not_before).is_err() {
                    continue;
                }
                let free = free_units(load, capacity, start, duration_min);
                if free > 0 {
                    slots.push(Slot {
                        start,
                        end: start + span,
                        free_units: free,
                    });
                }
            }
        }
    }
    slots.sort_by_key(|s| s.start);
    slots
}

/// The first slot of [`slot_grid`], if any.
pub fn earliest_slot(
    hours: &[OpeningHours],
    from_date: Date,
    days: u16,
    duration_min: u16,
    capacity: u32,
    load: &Load,
    not_before: OffsetDateTime,
) -> Option<Slot> {
    (0..days).find_map(|day| {
        let date = from_date.checked_add(Duration::days(i64::from(day)))?;
        slot_grid(hours, date, 1, duration_min, capacity, load, not_before)
            .into_iter()
            .next()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    fn weekdays(opens: u16, closes: u16) -> Vec<OpeningHours> {
        [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
        ]
        .into_iter()
        .map(|d| OpeningHours::new(d, opens, closes).expect("hours"))
        .collect()
    }

    // 2026-11-23 is a Monday.
    const MONDAY: Date = date!(2026 - 11 - 23);
    const EARLY: OffsetDateTime = datetime!(2026-11-01 00:00 UTC);

    #[test]
    fn capacity_is_the_smaller_of_bays_and_technicians() {
        assert_eq!(capacity(2, 3), 2);
        assert_eq!(capacity(5, 3), 3);
        assert_eq!(capacity(0, 3), 0);
    }

    #[test]
    fn hours_must_open_before_they_close() {
        assert!(OpeningHours::new(Weekday::Monday, 540, 1080).is_ok());
        assert_eq!(
            OpeningHours::new(Weekday::Monday, 1080, 540),
            Err(Error::SlotInvalid)
        );
        assert_eq!(
            OpeningHours::new(Weekday::Monday, 0, 1441),
            Err(Error::SlotInvalid)
        );
    }

    #[test]
    fn jobs_must_finish_by_closing_time_in_local_time() {
        let hours = weekdays(9 * 60, 18 * 60);
        // 16:30 local is 08:30 UTC; a 90-minute job ends 18:00: fine.
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 16:30 +8), 90, EARLY),
            Ok(())
        );
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 17:00 +8), 90, EARLY),
            Err(Error::SlotInvalid)
        );
        // 09:00 local is 01:00 UTC.
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 01:00 UTC), 30, EARLY),
            Ok(())
        );
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 08:30 +8), 30, EARLY),
            Err(Error::SlotInvalid)
        );
        // Off the grid.
        assert_eq!(
            check_start(&hours, datetime!(2026-11-23 10:15 +8), 30, EARLY),
            Err(Error::SlotInvalid)
        );
        // Sunday has no hours.
        assert_eq!(
            check_start(&hours, datetime!(2026-11-29 10:00 +8), 30, EARLY),
            Err(Error::SlotInvalid)
        );
    }

    #[test]
    fn a_full_step_blocks_every_job_that_covers_it() {
        let hours = weekdays(9 * 60, 12 * 60);
        let mut load = Load::new();
        let ten = datetime!(2026-11-23 10:00 +8);
        book(&mut load, 1, ten, 30).expect("free");
        assert_eq!(book(&mut load, 1, ten, 30), Err(Error::SlotUnavailable));
        let grid = slot_grid(&hours, MONDAY, 1, 60, 1, &load, EARLY);
        let starts: Vec<_> = grid
            .iter()
            .map(|s| local_minute_of_day(s.start) / 30)
            .collect();
        // 60-minute jobs: 9:00 and 9:30 would cover 10:00; 10:00 is full.
        assert_eq!(starts, vec![18, 21, 22]);
        release(&mut load, ten, 30);
        assert!(load.is_empty());
    }

    #[test]
    fn not_before_removes_earlier_slots() {
        let hours = weekdays(9 * 60, 12 * 60);
        let grid = slot_grid(
            &hours,
            MONDAY,
            1,
            30,
            2,
            &Load::new(),
            datetime!(2026-11-23 10:10 +8),
        );
        assert_eq!(grid[0].start, datetime!(2026-11-23 10:30 +8));
        assert_eq!(grid.len(), 3);
        assert!(grid.iter().all(|s| s.free_units == 2));
        let first = earliest_slot(
            &hours,
            MONDAY,
            7,
            30,
            2,
            &Load::new(),
            datetime!(2026-11-23 12:00 +8),
        );
        assert_eq!(first.map(|s| s.start), Some(datetime!(2026-11-24 09:00 +8)));
    }

    #[test]
    fn steps_cover_the_duration() {
        let s = steps(datetime!(2026-11-23 10:00 +8), 45);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1] - s[0], Duration::minutes(30));
    }

    fn any_start() -> impl Strategy<Value = OffsetDateTime> {
        // Monday to Sunday of one week, every step of the day.
        (0i64..7, 0i64..48).prop_map(|(d, s)| {
            datetime!(2026-11-23 00:00 +8) + Duration::days(d) + Duration::minutes(s * 30)
        })
    }

    proptest! {
        #[test]
        fn booked_capacity_never_exceeds_the_bays(
            bays in 0u32..4,
            techs in 0u32..4,
            attempts in prop::collection::vec((any_start(), 1u16..=240), 0..60),
        ) {
            let cap = capacity(bays, techs);
            let mut load = Load::new();
            for (start, minutes) in attempts {
                let before = load.clone();
                match book(&mut load, cap, start, minutes) {
                    Ok(()) => prop_assert!(load.values().sum::<u32>() > before.values().sum::<u32>()),
                    Err(e) => {
                        prop_assert_eq!(e, Error::SlotUnavailable);
                        prop_assert_eq!(&load, &before);
                    }
                }
                prop_assert!(load.values().all(|&n| n <= cap));
            }
        }

        #[test]
        fn every_offered_slot_can_be_booked(
            cap in 1u32..4,
            minutes in 1u16..=180,
            prebooked in prop::collection::vec((any_start(), 1u16..=120), 0..30),
            not_before in any_start(),
        ) {
            let hours = weekdays(8 * 60 + 30, 19 * 60);
            let mut load = Load::new();
            for (start, m) in prebooked {
                let _ = book(&mut load, cap, start, m);
            }
            for slot in slot_grid(&hours, MONDAY, 7, minutes, cap, &load, not_before) {
                prop_assert!(slot.start >= not_before);
                prop_assert!(check_start(&hours, slot.start, minutes, not_before).is_ok());
                let mut after = load.clone();
                prop_assert!(book(&mut after, cap, slot.start, minutes).is_ok());
                prop_assert!(after.values().all(|&n| n <= cap));
                let end_minute = u32::from(local_minute_of_day(slot.end));
                prop_assert!(end_minute <= 19 * 60 || end_minute == 0);
            }
        }

        #[test]
        fn release_undoes_book(
            cap in 1u32..4,
            start in any_start(),
            minutes in 1u16..=240,
            prebooked in prop::collection::vec((any_start(), 1u16..=120), 0..10),
        ) {
            let mut load = Load::new();
            for (s, m) in prebooked {
                let _ = book(&mut load, cap, s, m);
            }
            let before = load.clone();
            if book(&mut load, cap, start, minutes).is_ok() {
                release(&mut load, start, minutes);
                prop_assert_eq!(load, before);
            }
        }
    }
}
