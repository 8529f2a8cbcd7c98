//! Odometer readings: recorded at registration and at every check-in, never below the
//! last one ([`next_reading`]), and the vehicle's observed kilometres per day that
//! follow-up reminders project from ([`km_per_day`]).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{Error, Mileage};

/// One odometer reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    /// What the odometer showed.
    pub km: u32,
    /// When it was read.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Readings closer together than this say nothing about how far the car is driven.
pub const MIN_SPAN_DAYS: i64 = 7;

/// A new reading, given the last one recorded: [`Error::MileageBelowLast`] if it is
/// lower (a typo, or the wrong car), else the new reading.
pub fn next_reading(last: Option<Mileage>, new: Mileage) -> Result<Mileage, Error> {
    match last {
        Some(last) if new.km() < last.km() => Err(Error::MileageBelowLast),
        _ => Ok(new),
    }
}

/// The kilometres a day the car was driven, from its earliest to its latest reading,
/// rounded to the nearest kilometre; `None` with fewer than two readings or less than
/// [`MIN_SPAN_DAYS`] between them.
pub fn km_per_day(readings: &[Reading]) -> Option<u32> {
    let first = readings.iter().min_by_key(|r| r.at)?;
    let last = readings.iter().max_by_key(|r| r.at)?;
    let seconds = (last.at - first.at).whole_seconds();
    if seconds < MIN_SPAN_DAYS * 86_400 {
        return None;
    }
    let km = u64::from(last.km.saturating_sub(first.km));
    let per_day =
        (km * 86_400 * 2 + u64::try_from(seconds).ok()?) / (2 * u64::try_from(seconds).ok()?);
    u32::try_from(per_day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;
    use time::Duration;

    fn km(n: u32) -> Mileage {
        Mileage::from_km(n).expect("km")
    }

    #[test]
    fn a_reading_never_goes_back() {
        assert_eq!(next_reading(None, km(5)), Ok(km(5)));
        assert_eq!(next_reading(Some(km(12_000)), km(12_000)), Ok(km(12_000)));
        assert_eq!(next_reading(Some(km(12_000)), km(13_500)), Ok(km(13_500)));
        assert_eq!(
            next_reading(Some(km(12_000)), km(11_999)),
            Err(Error::MileageBelowLast)
        );
    }

    #[test]
    fn km_per_day_needs_two_readings_a_week_apart() {
        let t = datetime!(2026-01-01 09:00 UTC);
        let r = |km, days| Reading {
            km,
            at: t + Duration::days(days),
        };
        assert_eq!(km_per_day(&[]), None);
        assert_eq!(km_per_day(&[r(1_000, 0)]), None);
        assert_eq!(km_per_day(&[r(1_000, 0), r(1_300, 6)]), None);
        assert_eq!(km_per_day(&[r(1_000, 0), r(1_350, 7)]), Some(50));
        // Order does not matter; the middle readings do not either.
        assert_eq!(
            km_per_day(&[r(4_000, 30), r(1_000, 0), r(2_000, 9)]),
            Some(100)
        );
    }

    proptest! {
        /// A car driven `rate` km every day for `days` days shows that rate.
        #[test]
        fn a_steady_rate_is_found(rate in 0u32..2_000, days in MIN_SPAN_DAYS..2_000, start in 0u32..500_000, extra in proptest::collection::vec(0i64..2_000, 0..5)) {
            let t = datetime!(2025-03-01 08:00 UTC);
            let at = |d: i64| Reading { km: start + rate * u32::try_from(d).expect("days"), at: t + Duration::days(d) };
            let mut readings = vec![at(0), at(days)];
            readings.extend(extra.into_iter().map(|d| at(d.min(days))));
            prop_assert_eq!(km_per_day(&readings), Some(rate));
        }

        /// Readings accepted one after another never go down, so the rate is never
        /// negative: `next_reading` refuses exactly the lower ones.
        #[test]
        fn accepted_readings_never_go_down(typed in proptest::collection::vec(0u32..100_000, 1..30)) {
            let mut last: Option<Mileage> = None;
            for n in typed {
                match next_reading(last, km(n)) {
                    Ok(m) => {
                        prop_assert!(last.is_none_or(|l| m.km() >= l.km()));
                        last = Some(m);
                    }
                    Err(e) => {
                        prop_assert_eq!(e, Error::MileageBelowLast);
                        prop_assert!(last.is_some_and(|l| n < l.km()));
                    }
                }
            }
        }
    }
}
