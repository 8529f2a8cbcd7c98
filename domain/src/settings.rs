//! What a store manager sets for their store, and what a change does to the bookings
//! already made.
//!
//! - [`Bays`]: how many cars the store can lift at once; with its technicians that is
//!   its capacity ([`slots::capacity`]).
//! - [`WeeklyHours`]: when it is open, at most once a day (a weekday without hours is
//!   closed), parsed from what a person types ([`parse_clock`]).
//! - [`stranded`]: the bookings that no longer fit after a change. A change never moves
//!   or cancels a booking the customer was promised: the store calls them, so the
//!   booking is flagged ([`Strand`]) and everything else goes on as before.
//!
//! The flag is not stored. It is what [`stranded`] says of the bookings and the
//! settings as they are now, so it goes away by itself when the booking is moved or
//! cancelled, or the change is undone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, Weekday};

use crate::slots::{self, OpeningHours, DAY_MIN};
use crate::{Error, OrderId, OrderStatus};

/// The most bays a store may say it has: more than any store of the chain, few enough
/// that a slip of the finger (400 for 4) is caught.
pub const MAX_BAYS: u32 = 40;

/// How many service bays (lifts) a store has, 1 to [`MAX_BAYS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Bays(u32);

impl Bays {
    /// `n` bays, or [`Error::BaysInvalid`] outside 1 to [`MAX_BAYS`].
    pub fn new(n: u32) -> Result<Bays, Error> {
        if (1..=MAX_BAYS).contains(&n) {
            Ok(Bays(n))
        } else {
            Err(Error::BaysInvalid)
        }
    }

    /// What a person typed: a whole number, spaces around it allowed.
    pub fn parse(input: &str) -> Result<Bays, Error> {
        input
            .trim()
            .parse::<u32>()
            .map_err(|_| Error::BaysInvalid)
            .and_then(Bays::new)
    }

    /// The number of bays.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Bays {
    type Error = Error;

    fn try_from(n: u32) -> Result<Bays, Error> {
        Bays::new(n)
    }
}

impl From<Bays> for u32 {
    fn from(b: Bays) -> u32 {
        b.0
    }
}

/// A time of day as a person types it, `HH:MM` (`8:30` too), from `00:00` to `24:00`
/// (midnight at the end of the day, for a closing time), as minutes after midnight; or
/// [`Error::HoursInvalid`]. Browsers' time inputs may send seconds (`08:30:00`); only
/// whole minutes are accepted.
pub fn parse_clock(input: &str) -> Result<u16, Error> {
    let input = input.trim();
    let mut parts = input.split(':');
    let (Some(h), Some(m)) = (parts.next(), parts.next()) else {
        return Err(Error::HoursInvalid);
    };
    let seconds_zero = match parts.next() {
        None => true,
        Some(s) => s == "00" && parts.next().is_none(),
    };
    let number = |s: &str, digits: std::ops::RangeInclusive<usize>| {
        if digits.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse::<u16>().ok()
        } else {
            None
        }
    };
    match (number(h, 1..=2), number(m, 2..=2)) {
        (Some(h), Some(m)) if seconds_zero && m < 60 && h * 60 + m <= DAY_MIN => Ok(h * 60 + m),
        _ => Err(Error::HoursInvalid),
    }
}

/// Minutes after midnight as `HH:MM` (`24:00` for the end of the day): what
/// [`parse_clock`] reads back.
pub fn format_clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Weekday by its ISO number, Monday = 1 to Sunday = 7, as forms and storage send it.
pub fn weekday_from_iso(n: u8) -> Option<Weekday> {
    (1..=7)
        .contains(&n)
        .then(|| Weekday::Monday.nth_next(n - 1))
}

/// A store's week: at most one opening per weekday, Monday first. A weekday without
/// hours is closed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<OpeningHours>", into = "Vec<OpeningHours>")]
pub struct WeeklyHours(Vec<OpeningHours>);

impl WeeklyHours {
    /// The week from its openings, or [`Error::HoursInvalid`] if a weekday has two.
    pub fn new(mut hours: Vec<OpeningHours>) -> Result<WeeklyHours, Error> {
        hours.sort_by_key(|h| h.weekday.number_from_monday());
        if hours.windows(2).any(|w| w[0].weekday == w[1].weekday) {
            return Err(Error::HoursInvalid);
        }
        Ok(WeeklyHours(hours))
    }

    /// What the form sends for each open day: the day's ISO number (`1` Monday to `7`
    /// Sunday) and its opening and closing times as typed. Days not given are closed.
    pub fn parse<'a>(
        open_days: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Result<WeeklyHours, Error> {
        let hours = open_days
            .into_iter()
            .map(|(day, opens, closes)| {
                let weekday = day
                    .trim()
                    .parse::<u8>()
                    .ok()
                    .and_then(weekday_from_iso)
                    .ok_or(Error::HoursInvalid)?;
                OpeningHours::new(weekday, parse_clock(opens)?, parse_clock(closes)?)
                    .map_err(|_| Error::HoursInvalid)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        WeeklyHours::new(hours)
    }

    /// The hours of one weekday, `None` when the store is closed that day.
    pub fn on(&self, day: Weekday) -> Option<OpeningHours> {
        self.0.iter().copied().find(|h| h.weekday == day)
    }

    /// Every opening of the week, Monday first.
    pub fn as_slice(&self) -> &[OpeningHours] {
        &self.0
    }
}

impl TryFrom<Vec<OpeningHours>> for WeeklyHours {
    type Error = Error;

    fn try_from(hours: Vec<OpeningHours>) -> Result<WeeklyHours, Error> {
        WeeklyHours::new(hours)
    }
}

impl From<WeeklyHours> for Vec<OpeningHours> {
    fn from(w: WeeklyHours) -> Vec<OpeningHours> {
        w.0
    }
}

/// A booking as a change of settings finds it: the capacity unit it holds from `start`
/// to `end`, and when it was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    /// The booking.
    pub order: OrderId,
    /// When its unit is held from: the booked start.
    pub start: OffsetDateTime,
    /// When its unit is given back: the end of its last step.
    pub end: OffsetDateTime,
    /// When it was made: earlier promises keep their places.
    pub booked_at: OffsetDateTime,
}

/// Why a booking no longer fits the store's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strand {
    /// It starts before opening or ends after closing, or the store is now closed that
    /// day.
    OutsideHours,
    /// More cars are booked then than the store now has bays (or technicians) for; this
    /// one was booked after the ones that keep their places.
    OverCapacity,
}

impl Strand {
    /// A stable snake_case code, for pages and tests to tell the reasons apart.
    pub fn code(self) -> &'static str {
        match self {
            Strand::OutsideHours => "outside_hours",
            Strand::OverCapacity => "over_capacity",
        }
    }
}

/// Whether a booking that no longer fits is one for the counter to move: only one whose
/// car has not come in yet. A car already at the store keeps its place, flagged or not.
pub fn is_movable(status: OrderStatus) -> bool {
    status == OrderStatus::Booked
}

/// The bookings among `held` that no longer fit `hours` and `capacity`, each with why,
/// in the order of `held`.
///
/// A booking outside the hours is flagged first. The others keep their places in the
/// order they were made (the earliest promise is kept): each is kept if every step it
/// covers still has room among those kept before it, and flagged
/// [`Strand::OverCapacity`] if not. So the bookings not flagged always fit together,
/// and a booking is flagged only if the ones made before it leave it no room. Bookings
/// made under the settings they are checked against are never flagged.
pub fn stranded(hours: &[OpeningHours], capacity: u32, held: &[Held]) -> Vec<(OrderId, Strand)> {
    let mut by_booking: Vec<&Held> = held.iter().collect();
    by_booking.sort_by_key(|h| (h.booked_at, h.order));
    let mut kept: BTreeMap<OffsetDateTime, u32> = BTreeMap::new();
    let mut flags: Vec<(OrderId, Strand)> = Vec::new();
    for h in by_booking {
        let minutes = u16::try_from((h.end - h.start).whole_minutes().max(0)).unwrap_or(u16::MAX);
        if slots::check_start(hours, h.start, minutes, h.start).is_err() {
            flags.push((h.order, Strand::OutsideHours));
            continue;
        }
        let steps = slots::steps(h.start, minutes);
        if steps.iter().all(|s| slots::booked(&kept, *s) < capacity) {
            for s in steps {
                *kept.entry(s).or_insert(0) += 1;
            }
        } else {
            flags.push((h.order, Strand::OverCapacity));
        }
    }
    // In the caller's order, not the order they were made in.
    held.iter()
        .filter_map(|h| flags.iter().find(|(o, _)| *o == h.order).copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;
    use time::Duration;

    fn week(opens: u16, closes: u16) -> Vec<OpeningHours> {
        (1..=7)
            .filter_map(weekday_from_iso)
            .map(|d| OpeningHours::new(d, opens, closes).expect("hours"))
            .collect()
    }

    fn order(n: u8) -> OrderId {
        OrderId::from(uuid::Uuid::from_bytes([n; 16]))
    }

    /// A booking of `steps` half-hours starting `offset` steps after 08:00 local on
    /// 2026-12-07 (a Monday), made `n` minutes into the day.
    fn held(n: u8, offset: i64, steps: i64) -> Held {
        let start = datetime!(2026-12-07 08:00 +8) + Duration::minutes(30 * offset);
        Held {
            order: order(n),
            start,
            end: start + Duration::minutes(30 * steps),
            booked_at: datetime!(2026-12-01 00:00 UTC) + Duration::minutes(i64::from(n)),
        }
    }

    #[test]
    fn only_a_car_not_yet_in_is_moved() {
        for status in OrderStatus::ALL {
            assert_eq!(
                is_movable(status),
                status == OrderStatus::Booked,
                "{status:?}"
            );
        }
    }

    #[test]
    fn bays_are_one_to_forty() {
        assert_eq!(Bays::parse(" 4 ").map(Bays::get), Ok(4));
        assert_eq!(Bays::parse("40").map(Bays::get), Ok(40));
        for bad in ["0", "41", "-1", "", "four", "2.5", "400"] {
            assert_eq!(Bays::parse(bad), Err(Error::BaysInvalid), "{bad}");
        }
    }

    #[test]
    fn clock_times_are_read_as_people_type_them() {
        assert_eq!(parse_clock("08:30"), Ok(510));
        assert_eq!(parse_clock("8:30"), Ok(510));
        assert_eq!(parse_clock("18:00:00"), Ok(1080));
        assert_eq!(parse_clock("24:00"), Ok(1440));
        assert_eq!(parse_clock("00:00"), Ok(0));
        for bad in [
            "24:30",
            "8",
            "8:3",
            "08:60",
            "a8:00",
            "08:30:15",
            "",
            "-1:00",
            "08:30:00:00",
        ] {
            assert_eq!(parse_clock(bad), Err(Error::HoursInvalid), "{bad}");
        }
    }

    #[test]
    fn a_week_has_one_opening_a_day_and_closed_days_have_none() {
        let week =
            WeeklyHours::parse([("1", "08:30", "18:00"), ("6", "09:00", "16:00")]).expect("week");
        assert_eq!(
            week.on(Weekday::Monday)
                .map(|h| (h.opens_min, h.closes_min)),
            Some((510, 1080))
        );
        assert_eq!(week.on(Weekday::Saturday).map(|h| h.opens_min), Some(540));
        assert_eq!(week.on(Weekday::Sunday), None);
        assert_eq!(
            WeeklyHours::parse([("1", "08:30", "18:00"), ("1", "19:00", "20:00")]),
            Err(Error::HoursInvalid)
        );
        for bad in [
            ("0", "08:00", "18:00"),
            ("8", "08:00", "18:00"),
            ("1", "18:00", "08:00"),
            ("1", "09:00", "09:00"),
        ] {
            assert_eq!(
                WeeklyHours::parse([bad]),
                Err(Error::HoursInvalid),
                "{bad:?}"
            );
        }
        assert_eq!(WeeklyHours::parse([]).map(|w| w.as_slice().len()), Ok(0));
    }

    #[test]
    fn shorter_hours_flag_the_bookings_outside_them() {
        let bookings = [held(1, 0, 2), held(2, 4, 2), held(3, 18, 2)]; // 08:00, 10:00, 17:00
        assert!(stranded(&week(480, 1140), 2, &bookings).is_empty());
        assert_eq!(
            stranded(&week(540, 1050), 2, &bookings), // 09:00 to 17:30
            vec![
                (order(1), Strand::OutsideHours),
                (order(3), Strand::OutsideHours)
            ]
        );
        // Closed on the day: every booking that day.
        let no_monday: Vec<_> = week(480, 1140)
            .into_iter()
            .filter(|h| h.weekday != Weekday::Monday)
            .collect();
        assert_eq!(stranded(&no_monday, 2, &bookings).len(), 3);
    }

    #[test]
    fn fewer_bays_flag_the_later_bookings_and_keep_the_first_promises() {
        // Three cars at 10:00 booked in order 3, 1, 2; one at 11:00.
        let mut bookings = vec![held(3, 4, 2), held(1, 4, 2), held(2, 4, 1), held(4, 6, 1)];
        bookings[0].booked_at = datetime!(2026-11-30 00:00 UTC);
        assert_eq!(
            stranded(&week(480, 1140), 2, &bookings),
            vec![(order(2), Strand::OverCapacity)]
        );
        assert_eq!(
            stranded(&week(480, 1140), 1, &bookings),
            vec![
                (order(1), Strand::OverCapacity),
                (order(2), Strand::OverCapacity)
            ]
        );
        // No technician at all: nothing can be kept.
        assert_eq!(stranded(&week(480, 1140), 0, &bookings).len(), 4);
    }

    #[test]
    fn a_flagged_booking_does_not_take_a_place_from_a_later_one() {
        // A 10:00-11:00, B 10:30-11:30 (flagged at one bay), C 11:00-11:30 fits after A.
        let bookings = [held(1, 4, 2), held(2, 5, 2), held(3, 6, 1)];
        assert_eq!(
            stranded(&week(480, 1140), 1, &bookings),
            vec![(order(2), Strand::OverCapacity)]
        );
    }

    fn arb_held() -> impl Strategy<Value = Vec<Held>> {
        prop::collection::vec((0i64..22, 1i64..5), 0..24).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (offset, steps))| held(u8::try_from(i).unwrap_or(u8::MAX), offset, steps))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn the_bookings_kept_always_fit_together(
            bookings in arb_held(),
            opens in 0u16..24,
            len in 1u16..28,
            capacity in 0u32..4,
        ) {
            let hours = week(opens * 30, (opens * 30 + len * 30).min(DAY_MIN));
            let flags = stranded(&hours, capacity, &bookings);
            let mut load = slots::Load::new();
            for h in bookings.iter().filter(|h| !flags.iter().any(|(o, _)| *o == h.order)) {
                let minutes = u16::try_from((h.end - h.start).whole_minutes()).unwrap_or(0);
                prop_assert!(slots::check_start(&hours, h.start, minutes, h.start).is_ok());
                for s in slots::steps(h.start, minutes) {
                    *load.entry(s).or_insert(0) += 1;
                    prop_assert!(load[&s] <= capacity);
                }
            }
            // Each booking flagged for capacity had no room among those kept before it.
            for (o, why) in &flags {
                if *why == Strand::OverCapacity {
                    let h = bookings.iter().find(|h| h.order == *o).expect("flagged one of them");
                    let minutes = u16::try_from((h.end - h.start).whole_minutes()).unwrap_or(0);
                    let before: slots::Load = bookings
                        .iter()
                        .filter(|b| b.booked_at < h.booked_at && !flags.iter().any(|(f, _)| *f == b.order))
                        .flat_map(|b| slots::steps(b.start, u16::try_from((b.end - b.start).whole_minutes()).unwrap_or(0)))
                        .fold(slots::Load::new(), |mut l, s| { *l.entry(s).or_insert(0) += 1; l });
                    prop_assert!(!slots::is_free(&before, capacity, h.start, minutes));
                }
            }
        }

        #[test]
        fn bookings_made_under_the_settings_are_never_flagged(
            wanted in prop::collection::vec((0i64..22, 1i64..5), 0..24),
            opens in 0u16..24,
            len in 1u16..28,
            capacity in 1u32..4,
        ) {
            // Book as the grid would have let them: only free starts within the hours.
            let hours = week(opens * 30, (opens * 30 + len * 30).min(DAY_MIN));
            let mut load = slots::Load::new();
            let mut made = Vec::new();
            for (i, (offset, steps)) in wanted.into_iter().enumerate() {
                let h = held(u8::try_from(i).unwrap_or(u8::MAX), offset, steps);
                let minutes = u16::try_from(steps * 30).unwrap_or(0);
                if slots::check_start(&hours, h.start, minutes, h.start).is_ok()
                    && slots::is_free(&load, capacity, h.start, minutes)
                {
                    for s in slots::steps(h.start, minutes) {
                        *load.entry(s).or_insert(0) += 1;
                    }
                    made.push(h);
                }
            }
            prop_assert!(stranded(&hours, capacity, &made).is_empty());
        }
    }
}
