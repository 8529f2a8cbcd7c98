//! What one customer may hold at once: the limits that stop one person (or one script)
//! from holding a store's whole capacity or stock.
//!
//! - the **horizon**: slots are offered and booked only up to the end of the local day
//!   `horizon_days - 1` days after today (14 days: today and the next 13);
//! - the **lead time**: a slot must start at least `min_lead_minutes` from now, so the
//!   store can prepare (and a bay is not booked while the car would already be in it);
//! - the **open-booking cap**: at most `max_open` bookings not yet over, and none of them
//!   overlapping another for the same vehicle.
//!
//! [`BookingLimits::check`] is the one decision; the slot list uses
//! [`BookingLimits::window`] so it never offers what `check` would refuse.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::local_time::{at_local_minute, local_date};
use crate::{Error, VehicleId};

/// The limits on a customer's bookings. Every field is at least 1 (0 days of horizon or
/// a cap of 0 would make booking impossible, which is a configuration mistake).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingLimits {
    horizon_days: u16,
    min_lead_minutes: u16,
    max_open: u8,
}

impl Default for BookingLimits {
    /// Two weeks ahead, one hour's notice, three open bookings.
    fn default() -> Self {
        BookingLimits {
            horizon_days: 14,
            min_lead_minutes: 60,
            max_open: 3,
        }
    }
}

/// A booking of the customer's that is not over yet (booked or in progress).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenBooking {
    /// The vehicle it is for.
    pub vehicle: VehicleId,
    /// When it starts.
    pub start: OffsetDateTime,
    /// When it ends.
    pub end: OffsetDateTime,
}

impl BookingLimits {
    /// Limits with the given values; `None` when any is zero or the lead time is more
    /// than the horizon could ever allow.
    pub fn new(horizon_days: u16, min_lead_minutes: u16, max_open: u8) -> Option<BookingLimits> {
        let fits = u32::from(min_lead_minutes) < u32::from(horizon_days) * 24 * 60;
        (horizon_days > 0 && max_open > 0 && fits).then_some(BookingLimits {
            horizon_days,
            min_lead_minutes,
            max_open,
        })
    }

    /// The same limits at the store's counter: no notice, since the customer is there and
    /// the advisor sees the bays; the horizon and the cap on open bookings still hold.
    pub fn at_counter(self) -> BookingLimits {
        BookingLimits {
            min_lead_minutes: 0,
            ..self
        }
    }

    /// How many local days ahead slots are offered, today included.
    pub fn horizon_days(&self) -> u16 {
        self.horizon_days
    }

    /// The notice a booking needs, in minutes.
    pub fn min_lead_minutes(&self) -> u16 {
        self.min_lead_minutes
    }

    /// How many bookings a customer may hold at once.
    pub fn max_open(&self) -> u8 {
        self.max_open
    }

    /// The instants a booking made at `now` may start in: `[earliest, end)`.
    pub fn window(&self, now: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
        let earliest = now + Duration::minutes(i64::from(self.min_lead_minutes));
        let last_day = local_date(now)
            .checked_add(Duration::days(i64::from(self.horizon_days)))
            .unwrap_or(time::Date::MAX);
        (earliest, at_local_minute(last_day, 0))
    }

    /// Whether a customer holding `open` may book `vehicle` from `start` to `end` at
    /// `now`. Bookings in `open` that are already over are ignored.
    pub fn check(
        &self,
        now: OffsetDateTime,
        vehicle: VehicleId,
        start: OffsetDateTime,
        end: OffsetDateTime,
        open: &[OpenBooking],
    ) -> Result<(), Error> {
        let (earliest, horizon_end) = self.window(now);
        if start < earliest {
            return Err(Error::SlotTooSoon);
        }
        if start >= horizon_end {
            return Err(Error::SlotBeyondHorizon);
        }
        let still_open = open.iter().filter(|b| b.end > now);
        if still_open
            .clone()
            .any(|b| b.vehicle == vehicle && b.start < end && start < b.end)
        {
            return Err(Error::VehicleAlreadyBooked);
        }
        if still_open.count() >= usize::from(self.max_open) {
            return Err(Error::TooManyOpenBookings);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-03 10:00 +8);

    fn hours(h: i64) -> Duration {
        Duration::hours(h)
    }

    fn open(vehicle: VehicleId, start: OffsetDateTime) -> OpenBooking {
        OpenBooking {
            vehicle,
            start,
            end: start + hours(1),
        }
    }

    #[test]
    fn the_counter_needs_no_notice_but_keeps_the_horizon_and_the_cap() {
        let online = BookingLimits::default();
        let counter = online.at_counter();
        let car = VehicleId::from(uuid::Uuid::from_u128(1));
        let soon = NOW + Duration::minutes(10);
        assert_eq!(
            online.check(NOW, car, soon, soon + hours(1), &[]),
            Err(Error::SlotTooSoon)
        );
        assert_eq!(counter.check(NOW, car, soon, soon + hours(1), &[]), Ok(()));
        assert_eq!(counter.window(NOW).1, online.window(NOW).1);
        let held: Vec<OpenBooking> = (0..3)
            .map(|i| {
                open(
                    VehicleId::from(uuid::Uuid::from_u128(10 + i)),
                    NOW + hours(2 + i as i64 * 2),
                )
            })
            .collect();
        assert_eq!(
            counter.check(NOW, car, soon, soon + hours(1), &held),
            Err(Error::TooManyOpenBookings)
        );
    }

    #[test]
    fn window_runs_from_the_lead_time_to_the_end_of_the_horizon() {
        let (earliest, end) = BookingLimits::default().window(NOW);
        assert_eq!(earliest, datetime!(2026-12-03 11:00 +8));
        assert_eq!(end, datetime!(2026-12-17 00:00 +8));
    }

    #[test]
    fn refuses_too_soon_and_too_far() {
        let limits = BookingLimits::default();
        let car = VehicleId::new();
        let check = |start: OffsetDateTime| limits.check(NOW, car, start, start + hours(1), &[]);
        assert_eq!(check(NOW + Duration::minutes(59)), Err(Error::SlotTooSoon));
        assert_eq!(check(NOW - hours(1)), Err(Error::SlotTooSoon));
        assert_eq!(check(NOW + hours(1)), Ok(()));
        assert_eq!(check(datetime!(2026-12-16 17:00 +8)), Ok(()));
        assert_eq!(
            check(datetime!(2026-12-17 09:00 +8)),
            Err(Error::SlotBeyondHorizon)
        );
        assert_eq!(
            check(NOW + Duration::days(400)),
            Err(Error::SlotBeyondHorizon)
        );
    }

    #[test]
    fn caps_open_bookings_and_overlaps_for_one_vehicle() {
        let limits = BookingLimits::default();
        let (a, b) = (VehicleId::new(), VehicleId::new());
        let start = NOW + hours(24);
        let held = [open(a, start), open(b, start + hours(24))];
        // Another car at the same time is fine; the same car is not.
        assert_eq!(limits.check(NOW, b, start, start + hours(1), &held), Ok(()));
        assert_eq!(
            limits.check(
                NOW,
                a,
                start + Duration::minutes(30),
                start + hours(2),
                &held
            ),
            Err(Error::VehicleAlreadyBooked)
        );
        // Back to back is not an overlap.
        assert_eq!(
            limits.check(NOW, a, start + hours(1), start + hours(2), &held),
            Ok(())
        );
        let three = [held[0], held[1], open(b, start + hours(48))];
        assert_eq!(
            limits.check(NOW, a, start + hours(72), start + hours(73), &three),
            Err(Error::TooManyOpenBookings)
        );
        // A booking that is over no longer counts.
        let past = [held[0], held[1], open(b, NOW - hours(5))];
        assert_eq!(
            limits.check(NOW, a, start + hours(72), start + hours(73), &past),
            Ok(())
        );
    }

    #[test]
    fn new_refuses_limits_that_make_booking_impossible() {
        assert_eq!(BookingLimits::new(0, 60, 3), None);
        assert_eq!(BookingLimits::new(14, 60, 0), None);
        assert_eq!(BookingLimits::new(1, 24 * 60, 3), None);
        assert_eq!(
            BookingLimits::new(14, 60, 3),
            Some(BookingLimits::default())
        );
    }

    proptest! {
        /// Whatever `check` accepts lies inside the window, leaves the customer within
        /// the cap, and overlaps nothing of the same vehicle.
        #[test]
        fn accepted_bookings_respect_every_limit(
            horizon in 1u16..30,
            lead in 0u16..600,
            max_open in 1u8..5,
            offset_min in -600i64..(40 * 24 * 60),
            len_min in 15i64..300,
            held in prop::collection::vec((0usize..2, -2000i64..(30 * 24 * 60), 15i64..300), 0..6),
        ) {
            let Some(limits) = BookingLimits::new(horizon, lead, max_open) else {
                return Ok(());
            };
            let cars = [VehicleId::new(), VehicleId::new()];
            let open: Vec<OpenBooking> = held
                .iter()
                .map(|&(car, at, len)| OpenBooking {
                    vehicle: cars[car],
                    start: NOW + Duration::minutes(at),
                    end: NOW + Duration::minutes(at + len),
                })
                .collect();
            let start = NOW + Duration::minutes(offset_min);
            let end = start + Duration::minutes(len_min);
            if limits.check(NOW, cars[0], start, end, &open).is_ok() {
                let (earliest, horizon_end) = limits.window(NOW);
                prop_assert!(start >= earliest && start < horizon_end);
                prop_assert!(start >= NOW);
                let live: Vec<_> = open.iter().filter(|b| b.end > NOW).collect();
                prop_assert!(live.len() < usize::from(max_open));
                prop_assert!(!live
                    .iter()
                    .any(|b| b.vehicle == cars[0] && b.start < end && start < b.end));
            }
        }
    }
}
