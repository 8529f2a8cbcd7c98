//! Knowing each customer (rule 8, C9): where they are in their life with the chain
//! ([`Stage`]) and what they are worth to it ([`ValueClass`] A/B/C/D), both computed
//! from their events with thresholds HQ sets.
//!
//! - [`Facts`]: what the computation reads of one customer (when they registered, their
//!   cars, their orders and completed visits, what they spent, a lost reason).
//! - [`StageThresholds`] and [`stage`]: lead → prospect → ordered → active → lapsed →
//!   lost; a lead lost records its [`LostReason`].
//! - [`ClassThresholds`] and [`class`]: recency, frequency and monetary value (RFM)
//!   against HQ's minimum for each class; A is the best.
//! - [`Standing`] and [`standing`]: both at once, as stored, and whether it changed.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::{Error, Money};

/// Where a customer is in their life with the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Known (signed up, or met at a counter) with no car on file yet.
    Lead,
    /// Has a car on file, has never ordered.
    Prospect,
    /// Has ordered; no visit completed yet.
    Ordered,
    /// Completed a visit within the active threshold.
    Active,
    /// Last visit between the active and the lost thresholds ago.
    Lapsed,
    /// Last visit longer ago than the lost threshold, or a lead or prospect that went
    /// nowhere (with its [`LostReason`]).
    Lost,
}

impl Stage {
    /// Every stage, in the order of a customer's life.
    pub const ALL: [Stage; 6] = [
        Stage::Lead,
        Stage::Prospect,
        Stage::Ordered,
        Stage::Active,
        Stage::Lapsed,
        Stage::Lost,
    ];

    /// Its stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Stage::Lead => "lead",
            Stage::Prospect => "prospect",
            Stage::Ordered => "ordered",
            Stage::Active => "active",
            Stage::Lapsed => "lapsed",
            Stage::Lost => "lost",
        }
    }

    /// The stage with this code.
    pub fn parse(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Why a lead or prospect was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LostReason {
    /// Nothing happened within HQ's lead threshold.
    NoResponse,
    /// Found the price too high.
    Price,
    /// Went to a competitor.
    Competitor,
    /// Moved away from the stores.
    MovedAway,
    /// Sold the car.
    SoldCar,
}

impl LostReason {
    /// Every reason.
    pub const ALL: [LostReason; 5] = [
        LostReason::NoResponse,
        LostReason::Price,
        LostReason::Competitor,
        LostReason::MovedAway,
        LostReason::SoldCar,
    ];

    /// Its stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            LostReason::NoResponse => "no_response",
            LostReason::Price => "price",
            LostReason::Competitor => "competitor",
            LostReason::MovedAway => "moved_away",
            LostReason::SoldCar => "sold_car",
        }
    }

    /// The reason with this code; [`Error::LostReasonUnknown`] otherwise.
    pub fn parse(code: &str) -> Result<LostReason, Error> {
        LostReason::ALL
            .into_iter()
            .find(|r| r.code() == code.trim())
            .ok_or(Error::LostReasonUnknown)
    }
}

/// What HQ sets for stages, in days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageThresholds {
    /// A visit within this many days keeps a customer active.
    pub active_days: u16,
    /// After this many days without a visit a customer is lost (lapsed in between).
    pub lost_days: u16,
    /// A lead or prospect with no order this many days after they registered is lost.
    pub lead_days: u16,
}

impl Default for StageThresholds {
    /// Half a year active, a year to lost (a car is serviced once or twice a year), three
    /// months for a lead.
    fn default() -> Self {
        StageThresholds {
            active_days: 180,
            lost_days: 365,
            lead_days: 90,
        }
    }
}

impl StageThresholds {
    /// Thresholds that run forwards: all positive, active before lost, at most ten years;
    /// [`Error::ThresholdsInvalid`] otherwise.
    pub fn new(active_days: u16, lost_days: u16, lead_days: u16) -> Result<StageThresholds, Error> {
        let days = 1..=3_650;
        if !days.contains(&active_days)
            || !days.contains(&lost_days)
            || !days.contains(&lead_days)
            || active_days >= lost_days
        {
            return Err(Error::ThresholdsInvalid);
        }
        Ok(StageThresholds {
            active_days,
            lost_days,
            lead_days,
        })
    }
}

/// The value classes, A the best.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ValueClass {
    /// The best: recent, frequent, spending.
    A,
    /// Good.
    B,
    /// Occasional.
    C,
    /// Everyone else, and those who never visited.
    D,
}

impl ValueClass {
    /// Every class, best first.
    pub const ALL: [ValueClass; 4] = [ValueClass::A, ValueClass::B, ValueClass::C, ValueClass::D];

    /// Its stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            ValueClass::A => "A",
            ValueClass::B => "B",
            ValueClass::C => "C",
            ValueClass::D => "D",
        }
    }

    /// The class with this code.
    pub fn parse(code: &str) -> Option<ValueClass> {
        ValueClass::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// What a customer must reach to be in a class: a visit at most `recency_days` ago, at
/// least `visits` visits and `spent` in the last year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassMinimum {
    /// The last visit at most this many days ago.
    pub recency_days: u16,
    /// At least this many visits in the last year.
    pub visits: u16,
    /// At least this much spent in the last year.
    pub spent: Money,
}

/// HQ's minimum for A, B and C; below C is D.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassThresholds {
    /// What A asks.
    pub a: ClassMinimum,
    /// What B asks.
    pub b: ClassMinimum,
    /// What C asks.
    pub c: ClassMinimum,
}

impl Default for ClassThresholds {
    /// A: seen in three months, four visits and ¥3,000 a year; B: six months, two
    /// visits, ¥1,000; C: a visit and anything spent in the year.
    fn default() -> Self {
        ClassThresholds {
            a: ClassMinimum {
                recency_days: 90,
                visits: 4,
                spent: Money::from_fen(300_000),
            },
            b: ClassMinimum {
                recency_days: 180,
                visits: 2,
                spent: Money::from_fen(100_000),
            },
            c: ClassMinimum {
                recency_days: 365,
                visits: 1,
                spent: Money::from_fen(1),
            },
        }
    }
}

impl ClassThresholds {
    /// Thresholds where each class asks at least as much as the one below it on every
    /// measure, and no more than a year back; [`Error::ThresholdsInvalid`] for ones that
    /// overlap the wrong way or run backwards.
    pub fn new(
        a: ClassMinimum,
        b: ClassMinimum,
        c: ClassMinimum,
    ) -> Result<ClassThresholds, Error> {
        let sane = |m: &ClassMinimum| {
            (1..=365).contains(&m.recency_days) && m.visits >= 1 && m.spent.fen() >= 0
        };
        let stricter = |hi: &ClassMinimum, lo: &ClassMinimum| {
            hi.recency_days <= lo.recency_days && hi.visits >= lo.visits && hi.spent >= lo.spent
        };
        // A class no one could tell from the next would never be reached.
        if ![a, b, c].iter().all(sane) || !stricter(&a, &b) || !stricter(&b, &c) || a == b || b == c
        {
            return Err(Error::ThresholdsInvalid);
        }
        Ok(ClassThresholds { a, b, c })
    }
}

/// What the computation reads of one customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// When they became known.
    pub registered_at: OffsetDateTime,
    /// Whether a car of theirs is on file.
    pub has_vehicle: bool,
    /// Orders ever placed (not cancelled).
    pub orders: u32,
    /// The last completed visit.
    pub last_visit: Option<OffsetDateTime>,
    /// Completed visits, and what they came to, in the year before now.
    pub visits_last_year: u32,
    /// What those visits came to.
    pub spent_last_year: Money,
    /// A reason staff recorded when the customer said they would not come.
    pub lost_reason: Option<LostReason>,
}

/// A customer's stage at `now`, and the reason when a lead or prospect was lost.
pub fn stage(f: &Facts, t: &StageThresholds, now: OffsetDateTime) -> (Stage, Option<LostReason>) {
    let days = |d: u16| Duration::days(i64::from(d));
    match f.last_visit {
        Some(last) if now - last <= days(t.active_days) => (Stage::Active, None),
        Some(last) if now - last <= days(t.lost_days) => (Stage::Lapsed, None),
        Some(_) => (Stage::Lost, None),
        None if f.orders > 0 => (Stage::Ordered, None),
        None => {
            if let Some(reason) = f.lost_reason {
                return (Stage::Lost, Some(reason));
            }
            if now - f.registered_at > days(t.lead_days) {
                (Stage::Lost, Some(LostReason::NoResponse))
            } else if f.has_vehicle {
                (Stage::Prospect, None)
            } else {
                (Stage::Lead, None)
            }
        }
    }
}

/// A customer's value class at `now`: the best class whose minimum they reach on
/// recency, frequency and money alike.
pub fn class(f: &Facts, t: &ClassThresholds, now: OffsetDateTime) -> ValueClass {
    let Some(last) = f.last_visit else {
        return ValueClass::D;
    };
    let recency = (now - last).whole_days();
    let reaches = |m: &ClassMinimum| {
        recency <= i64::from(m.recency_days)
            && f.visits_last_year >= u32::from(m.visits)
            && f.spent_last_year >= m.spent
    };
    if reaches(&t.a) {
        ValueClass::A
    } else if reaches(&t.b) {
        ValueClass::B
    } else if reaches(&t.c) {
        ValueClass::C
    } else {
        ValueClass::D
    }
}

/// A customer's stage and class together, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// Where they are in their life with the chain.
    pub stage: Stage,
    /// Why a lead or prospect was lost.
    pub lost_reason: Option<LostReason>,
    /// What they are worth to it.
    pub class: ValueClass,
}

/// Both at once.
pub fn standing(
    f: &Facts,
    stages: &StageThresholds,
    classes: &ClassThresholds,
    now: OffsetDateTime,
) -> Standing {
    let (stage, lost_reason) = stage(f, stages, now);
    Standing {
        stage,
        lost_reason,
        class: class(f, classes, now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2027-06-01 02:00 UTC);

    fn facts() -> Facts {
        Facts {
            registered_at: NOW - Duration::days(400),
            has_vehicle: true,
            orders: 0,
            last_visit: None,
            visits_last_year: 0,
            spent_last_year: Money::ZERO,
            lost_reason: None,
        }
    }

    fn visited(days_ago: i64, visits: u32, yuan: i64) -> Facts {
        Facts {
            orders: visits,
            last_visit: Some(NOW - Duration::days(days_ago)),
            visits_last_year: visits,
            spent_last_year: Money::from_fen(yuan * 100),
            ..facts()
        }
    }

    #[test]
    fn stages_follow_a_customers_life() {
        let t = StageThresholds::default();
        let new = Facts {
            registered_at: NOW - Duration::days(3),
            has_vehicle: false,
            ..facts()
        };
        assert_eq!(stage(&new, &t, NOW), (Stage::Lead, None));
        let with_car = Facts {
            has_vehicle: true,
            ..new
        };
        assert_eq!(stage(&with_car, &t, NOW), (Stage::Prospect, None));
        let booked = Facts {
            orders: 1,
            ..with_car
        };
        assert_eq!(stage(&booked, &t, NOW), (Stage::Ordered, None));
        assert_eq!(stage(&visited(20, 1, 500), &t, NOW), (Stage::Active, None));
        assert_eq!(stage(&visited(180, 1, 500), &t, NOW), (Stage::Active, None));
        assert_eq!(stage(&visited(181, 1, 500), &t, NOW), (Stage::Lapsed, None));
        assert_eq!(stage(&visited(366, 1, 500), &t, NOW), (Stage::Lost, None));
        // A lead that went nowhere is lost, and says why.
        let old_lead = Facts {
            registered_at: NOW - Duration::days(91),
            ..new
        };
        assert_eq!(
            stage(&old_lead, &t, NOW),
            (Stage::Lost, Some(LostReason::NoResponse))
        );
        let told_us = Facts {
            lost_reason: Some(LostReason::Price),
            ..with_car
        };
        assert_eq!(
            stage(&told_us, &t, NOW),
            (Stage::Lost, Some(LostReason::Price))
        );
    }

    #[test]
    fn classes_need_recency_frequency_and_money_together() {
        let t = ClassThresholds::default();
        assert_eq!(class(&visited(30, 4, 3_000), &t, NOW), ValueClass::A);
        // Spent enough, but not often enough: B.
        assert_eq!(class(&visited(30, 3, 9_000), &t, NOW), ValueClass::B);
        // Often and much, but not lately: C.
        assert_eq!(class(&visited(200, 6, 9_000), &t, NOW), ValueClass::C);
        assert_eq!(class(&visited(400, 6, 9_000), &t, NOW), ValueClass::D);
        assert_eq!(class(&facts(), &t, NOW), ValueClass::D);
        // On the boundary is in.
        assert_eq!(class(&visited(90, 4, 3_000), &t, NOW), ValueClass::A);
        assert_eq!(class(&visited(91, 4, 3_000), &t, NOW), ValueClass::B);
    }

    #[test]
    fn thresholds_must_run_forwards() {
        assert!(StageThresholds::new(180, 365, 90).is_ok());
        assert_eq!(
            StageThresholds::new(365, 180, 90),
            Err(Error::ThresholdsInvalid)
        );
        assert_eq!(
            StageThresholds::new(180, 180, 90),
            Err(Error::ThresholdsInvalid)
        );
        assert_eq!(
            StageThresholds::new(0, 180, 90),
            Err(Error::ThresholdsInvalid)
        );
        let d = ClassThresholds::default();
        assert!(ClassThresholds::new(d.a, d.b, d.c).is_ok());
        // B asking more visits than A: they overlap the wrong way.
        let b = ClassMinimum { visits: 5, ..d.b };
        assert_eq!(
            ClassThresholds::new(d.a, b, d.c),
            Err(Error::ThresholdsInvalid)
        );
        assert_eq!(
            ClassThresholds::new(d.a, d.a, d.c),
            Err(Error::ThresholdsInvalid)
        );
        let c = ClassMinimum {
            recency_days: 400,
            ..d.c
        };
        assert_eq!(
            ClassThresholds::new(d.a, d.b, c),
            Err(Error::ThresholdsInvalid)
        );
    }

    fn minimum() -> impl Strategy<Value = ClassMinimum> {
        (1u16..=365, 1u16..12, 0i64..1_000_000).prop_map(|(recency_days, visits, fen)| {
            ClassMinimum {
                recency_days,
                visits,
                spent: Money::from_fen(fen),
            }
        })
    }

    fn thresholds() -> impl Strategy<Value = ClassThresholds> {
        (minimum(), minimum(), minimum()).prop_filter_map("ordered", |(x, y, z)| {
            let mut r = [x.recency_days, y.recency_days, z.recency_days];
            let mut v = [x.visits, y.visits, z.visits];
            let mut m = [x.spent, y.spent, z.spent];
            r.sort();
            v.sort_by(|a, b| b.cmp(a));
            m.sort_by(|a, b| b.cmp(a));
            let at = |i: usize| ClassMinimum {
                recency_days: r[i],
                visits: v[i],
                spent: m[i],
            };
            ClassThresholds::new(at(0), at(1), at(2)).ok()
        })
    }

    fn customer() -> impl Strategy<Value = Facts> {
        (
            0i64..800,
            0u32..20,
            0i64..2_000_000,
            any::<bool>(),
            0i64..400,
            0u32..3,
        )
            .prop_map(|(ago, visits, fen, visited, registered, orders)| Facts {
                registered_at: NOW - Duration::days(registered + ago),
                has_vehicle: true,
                orders: orders + if visited { visits } else { 0 },
                last_visit: visited.then(|| NOW - Duration::days(ago)),
                visits_last_year: if visited { visits } else { 0 },
                spent_last_year: Money::from_fen(if visited { fen } else { 0 }),
                lost_reason: None,
            })
    }

    proptest! {
        #[test]
        fn more_recent_more_often_or_more_spent_never_lowers_the_class(
            t in thresholds(), f in customer(), days in 0i64..200, more in 0u32..5, fen in 0i64..500_000,
        ) {
            let before = class(&f, &t, NOW);
            let sooner = Facts { last_visit: f.last_visit.map(|l| (l + Duration::days(days)).min(NOW)), ..f };
            let oftener = Facts { visits_last_year: f.visits_last_year + more, ..f };
            let richer = Facts { spent_last_year: Money::from_fen(f.spent_last_year.fen() + fen), ..f };
            for better in [sooner, oftener, richer] {
                prop_assert!(class(&better, &t, NOW) <= before);
            }
        }

        #[test]
        fn a_class_means_its_minimum_is_reached_and_the_next_is_not(t in thresholds(), f in customer()) {
            let got = class(&f, &t, NOW);
            let reaches = |m: &ClassMinimum| f.last_visit.is_some_and(|l| (NOW - l).whole_days() <= i64::from(m.recency_days))
                && f.visits_last_year >= u32::from(m.visits) && f.spent_last_year >= m.spent;
            let expected = if reaches(&t.a) { ValueClass::A } else if reaches(&t.b) { ValueClass::B } else if reaches(&t.c) { ValueClass::C } else { ValueClass::D };
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn a_visiting_customer_only_moves_on_with_time(
            f in customer(), a in 0i64..500, b in 0i64..500,
            active in 1u16..400, gap in 1u16..400, lead in 1u16..400,
        ) {
            let t = StageThresholds::new(active, active + gap, lead).expect("valid");
            let at = |d: i64| stage(&f, &t, NOW + Duration::days(d)).0;
            let (early, late) = (at(a.min(b)), at(a.max(b)));
            // Without a new visit, time only moves a customer towards lost.
            if f.last_visit.is_some() {
                prop_assert!(early <= late, "{early:?} then {late:?}");
                prop_assert!(early >= Stage::Active);
            } else {
                prop_assert!(early <= Stage::Ordered || early == Stage::Lost);
            }
        }
    }
}
