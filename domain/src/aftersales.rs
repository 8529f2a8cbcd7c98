//! How well stores follow up (rule 7, C8, C11), as HQ measures it over a period.
//!
//! - [`Period`]: the last 7, 30 or 90 days.
//! - [`Tally`]: the follow-ups that fell due in the period by how they ended, and the
//!   completion rate: made, of those that could no longer be made.
//! - [`Satisfaction`]: ratings and complaints from the satisfaction calls answered in
//!   the period: the average rating and the complaint rate.
//!
//! Rates are whole per-mille, so every surface rounds them the same way.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::Error;

/// The span HQ looks back over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Period(u16);

impl Period {
    /// The spans offered.
    pub const CHOICES: [u16; 3] = [7, 30, 90];

    /// Thirty days unless HQ picks another.
    pub const DEFAULT: Period = Period(30);

    /// One of [`Period::CHOICES`].
    pub fn new(days: u16) -> Result<Period, Error> {
        if Period::CHOICES.contains(&days) {
            Ok(Period(days))
        } else {
            Err(Error::ReportPeriodInvalid)
        }
    }

    /// Its length in days.
    pub fn days(self) -> u16 {
        self.0
    }

    /// The first local day of the period that ends with `today`.
    pub fn first_day(self, today: Date) -> Date {
        today - Duration::days(i64::from(self.0) - 1)
    }
}

impl TryFrom<u16> for Period {
    type Error = Error;
    fn try_from(days: u16) -> Result<Period, Error> {
        Period::new(days)
    }
}

impl From<Period> for u16 {
    fn from(p: Period) -> u16 {
        p.0
    }
}

/// Follow-ups due in a period, by how they stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Made, with an outcome.
    pub done: u32,
    /// Their window passed.
    pub missed: u32,
    /// Tried as often as allowed without reaching the customer.
    pub unreachable: u32,
    /// Still in their window.
    pub open: u32,
}

impl Tally {
    /// Every follow-up that fell due.
    pub fn due(&self) -> u32 {
        self.done + self.missed + self.unreachable + self.open
    }

    /// Per mille of the closed ones that were made; `None` before any closed. Open
    /// ones are left out: they may still be made.
    pub fn completion_permille(&self) -> Option<u32> {
        permille(self.done, self.done + self.missed + self.unreachable)
    }

    /// Adds another store's tally.
    pub fn plus(self, other: Tally) -> Tally {
        Tally {
            done: self.done + other.done,
            missed: self.missed + other.missed,
            unreachable: self.unreachable + other.unreachable,
            open: self.open + other.open,
        }
    }
}

/// What satisfaction calls answered in a period said.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Satisfaction {
    /// Calls answered with any outcome.
    pub answered: u32,
    /// Of those, with a rating.
    pub ratings: u32,
    /// The sum of those ratings.
    pub rating_sum: u32,
    /// Of those answered, complaints.
    pub complaints: u32,
}

impl Satisfaction {
    /// The average rating in tenths (43 is 4.3); `None` before any rating.
    pub fn average_tenths(&self) -> Option<u32> {
        (self.ratings > 0).then(|| (self.rating_sum * 10 + self.ratings / 2) / self.ratings)
    }

    /// Per mille of answered calls that were complaints; `None` before any answer.
    pub fn complaint_permille(&self) -> Option<u32> {
        permille(self.complaints, self.answered)
    }

    /// Adds another store's answers.
    pub fn plus(self, other: Satisfaction) -> Satisfaction {
        Satisfaction {
            answered: self.answered + other.answered,
            ratings: self.ratings + other.ratings,
            rating_sum: self.rating_sum + other.rating_sum,
            complaints: self.complaints + other.complaints,
        }
    }
}

/// `part` of `whole` in whole per mille, rounded half up; `None` of nothing.
pub fn permille(part: u32, whole: u32) -> Option<u32> {
    (whole > 0).then(|| {
        let (p, w) = (u64::from(part), u64::from(whole));
        u32::try_from((p * 1000 + w / 2) / w).unwrap_or(u32::MAX)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn a_period_is_one_of_the_offered_spans() {
        assert_eq!(Period::new(30), Ok(Period::DEFAULT));
        assert_eq!(Period::new(31), Err(Error::ReportPeriodInvalid));
        let p = Period::new(7).expect("offered");
        assert_eq!(p.first_day(date!(2026 - 12 - 06)), date!(2026 - 11 - 30));
    }

    #[test]
    fn completion_leaves_out_what_may_still_be_made() {
        let t = Tally {
            done: 6,
            missed: 1,
            unreachable: 1,
            open: 12,
        };
        assert_eq!(t.due(), 20);
        assert_eq!(t.completion_permille(), Some(750));
        assert_eq!(Tally::default().completion_permille(), None);
    }

    #[test]
    fn satisfaction_averages_and_rates() {
        let s = Satisfaction {
            answered: 8,
            ratings: 3,
            rating_sum: 13,
            complaints: 1,
        };
        assert_eq!(s.average_tenths(), Some(43));
        assert_eq!(s.complaint_permille(), Some(125));
        assert_eq!(Satisfaction::default().average_tenths(), None);
    }

    proptest! {
        /// A rate is between 0 and 1000, and more done never lowers it.
        #[test]
        fn rates_are_bounded_and_monotonic(done in 0u32..10_000, missed in 0u32..10_000, more in 1u32..100) {
            let t = Tally { done, missed, unreachable: 0, open: 0 };
            let better = Tally { done: done + more, ..t };
            if let Some(r) = t.completion_permille() {
                prop_assert!(r <= 1000);
                prop_assert!(better.completion_permille() >= Some(r));
            }
        }

        /// The chain's tally is the sum of its stores'.
        #[test]
        fn tallies_add_up(a in (0u32..1000, 0u32..1000, 0u32..1000, 0u32..1000), b in (0u32..1000, 0u32..1000, 0u32..1000, 0u32..1000)) {
            let x = Tally { done: a.0, missed: a.1, unreachable: a.2, open: a.3 };
            let y = Tally { done: b.0, missed: b.1, unreachable: b.2, open: b.3 };
            prop_assert_eq!(x.plus(y).due(), x.due() + y.due());
        }
    }
}
