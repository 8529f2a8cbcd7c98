//! Segments of customers (rule 8, C9): who a campaign is for, as HQ or a store
//! manager picks them: lifecycle stage, value class, store, vehicle model or powertrain,
//! a service coming due, the last visit, tags.
//!
//! - [`Segment`]: the criteria; an empty set of a kind means "any".
//! - [`Member`]: what a segment reads of one customer.
//! - [`Segment::matches`]: the rule. Storage counts and selects a segment in SQL for
//!   speed; a storage test checks that SQL against this function on the same customers.
//! - [`Days`], [`LastVisit`], [`Powertrain`]: the parts of a criterion.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::lifecycle::{Stage, ValueClass};
use crate::reception::TagCode;
use crate::{Error, ModelId, StoreId};

/// A number of days in a criterion: 1 to 3650 (ten years).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Days(u16);

impl Days {
    /// The longest span a criterion looks at.
    pub const MAX: u16 = 3650;

    /// Refuses 0 and more than [`Days::MAX`].
    pub fn new(days: u16) -> Result<Days, Error> {
        if (1..=Days::MAX).contains(&days) {
            Ok(Days(days))
        } else {
            Err(Error::SegmentInvalid)
        }
    }

    /// Parses what a form sends.
    pub fn parse(input: &str) -> Result<Days, Error> {
        input
            .trim()
            .parse::<u16>()
            .map_err(|_| Error::SegmentInvalid)
            .and_then(Days::new)
    }

    /// The number of days.
    pub fn get(self) -> u16 {
        self.0
    }

    fn span(self) -> Duration {
        Duration::days(i64::from(self.0))
    }
}

impl TryFrom<u16> for Days {
    type Error = Error;
    fn try_from(days: u16) -> Result<Days, Error> {
        Days::new(days)
    }
}

impl From<Days> for u16 {
    fn from(days: Days) -> u16 {
        days.0
    }
}

/// What drives a car.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Powertrain {
    /// A combustion engine.
    Petrol,
    /// Engine and battery.
    Hybrid,
    /// Battery only: no oil, no oil filter.
    Electric,
}

impl Powertrain {
    /// Every powertrain.
    pub const ALL: [Powertrain; 3] = [Powertrain::Petrol, Powertrain::Hybrid, Powertrain::Electric];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Powertrain::Petrol => "petrol",
            Powertrain::Hybrid => "hybrid",
            Powertrain::Electric => "electric",
        }
    }

    /// Reads a stored or submitted code.
    pub fn parse(code: &str) -> Result<Powertrain, Error> {
        Powertrain::ALL
            .into_iter()
            .find(|p| p.code() == code)
            .ok_or(Error::SegmentInvalid)
    }
}

/// A criterion on the last completed visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LastVisit {
    /// Visited on one of the last `n` days (today counts).
    Within(Days),
    /// Has visited, but not on any of the last `n` days: the ones to win back.
    /// Customers who never visited are found by stage (lead, prospect, ordered).
    NotSince(Days),
}

/// Who a campaign is for. Each set narrows the segment; an empty set does not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Lifecycle stages, any of.
    pub stages: BTreeSet<Stage>,
    /// Value classes, any of.
    pub classes: BTreeSet<ValueClass>,
    /// The customer's store ([`Member::store`]), any of.
    pub stores: BTreeSet<StoreId>,
    /// A car of one of these models.
    pub models: BTreeSet<ModelId>,
    /// A car with one of these powertrains.
    pub powertrains: BTreeSet<Powertrain>,
    /// A reminder (not a satisfaction call) still open and due within this many days
    /// from today, or already due.
    pub due_within: Option<Days>,
    /// The last visit.
    pub last_visit: Option<LastVisit>,
    /// Tagged with any of these.
    pub tags: BTreeSet<TagCode>,
}

/// What a segment reads of one customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Their lifecycle stage as last computed.
    pub stage: Stage,
    /// Their value class as last computed.
    pub class: ValueClass,
    /// Their store: the one of their latest order that was not cancelled, else the one
    /// where they registered; `None` for a customer known only online with no order.
    pub store: Option<StoreId>,
    /// The model of each of their cars.
    pub models: Vec<ModelId>,
    /// The powertrain of each of their cars.
    pub powertrains: Vec<Powertrain>,
    /// The earliest due date of their open reminders.
    pub next_due: Option<Date>,
    /// The local day of their last completed visit.
    pub last_visit: Option<Date>,
    /// Their tags.
    pub tags: Vec<TagCode>,
}

impl Segment {
    /// Whether `m` is in the segment on local day `today`.
    pub fn matches(&self, m: &Member, today: Date) -> bool {
        let any = |set_empty: bool, hit: bool| set_empty || hit;
        any(self.stages.is_empty(), self.stages.contains(&m.stage))
            && any(self.classes.is_empty(), self.classes.contains(&m.class))
            && any(
                self.stores.is_empty(),
                m.store.is_some_and(|s| self.stores.contains(&s)),
            )
            && any(
                self.models.is_empty(),
                m.models.iter().any(|x| self.models.contains(x)),
            )
            && any(
                self.powertrains.is_empty(),
                m.powertrains.iter().any(|x| self.powertrains.contains(x)),
            )
            && any(
                self.tags.is_empty(),
                m.tags.iter().any(|t| self.tags.contains(t)),
            )
            && self
                .due_within
                .is_none_or(|d| m.next_due.is_some_and(|due| due <= today + d.span()))
            && match self.last_visit {
                None => true,
                Some(LastVisit::Within(d)) => m.last_visit.is_some_and(|v| v > today - d.span()),
                Some(LastVisit::NotSince(d)) => m.last_visit.is_some_and(|v| v <= today - d.span()),
            }
    }

    /// The same segment narrowed to one store's customers: what a store manager's
    /// campaign reaches, whatever stores the request named.
    pub fn for_store(mut self, store: StoreId) -> Segment {
        self.stores = BTreeSet::from([store]);
        self
    }

    /// The first local day a [`LastVisit`] criterion counts as "recent": a visit on this
    /// day or later is within `d` days of `today`. Storage compares with its midnight.
    pub fn recent_from(today: Date, d: Days) -> Date {
        today - d.span() + Duration::days(1)
    }

    /// The last due date a [`Segment::due_within`] criterion takes in.
    pub fn due_by(today: Date, d: Days) -> Date {
        today + d.span()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::deterministic_v7;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 06);

    fn fixed(kind: u64, n: u16) -> uuid::Uuid {
        deterministic_v7(kind, u64::from(n))
    }

    fn member() -> Member {
        Member {
            stage: Stage::Active,
            class: ValueClass::B,
            store: Some(StoreId::from(fixed(1, 1))),
            models: vec![ModelId::from(fixed(2, 1))],
            powertrains: vec![Powertrain::Hybrid],
            next_due: Some(date!(2026 - 12 - 20)),
            last_visit: Some(date!(2026 - 10 - 01)),
            tags: vec![TagCode::parse("vip").expect("valid")],
        }
    }

    fn days(n: u16) -> Days {
        Days::new(n).expect("valid")
    }

    #[test]
    fn an_empty_segment_is_everyone() {
        assert!(Segment::default().matches(&member(), TODAY));
    }

    #[test]
    fn each_criterion_narrows() {
        let m = member();
        let hit = |s: Segment| s.matches(&m, TODAY);
        assert!(hit(Segment {
            stages: [Stage::Active, Stage::Lapsed].into(),
            ..Segment::default()
        }));
        assert!(!hit(Segment {
            stages: [Stage::Lapsed].into(),
            ..Segment::default()
        }));
        assert!(!hit(Segment {
            classes: [ValueClass::A].into(),
            ..Segment::default()
        }));
        assert!(!hit(Segment {
            stores: [StoreId::from(fixed(1, 2))].into(),
            ..Segment::default()
        }));
        assert!(!hit(Segment {
            powertrains: [Powertrain::Electric].into(),
            ..Segment::default()
        }));
        assert!(hit(Segment {
            models: [ModelId::from(fixed(2, 1))].into(),
            ..Segment::default()
        }));
        assert!(!hit(Segment {
            tags: [TagCode::parse("fleet").expect("valid")].into(),
            ..Segment::default()
        }));
    }

    #[test]
    fn service_due_counts_the_days_ahead_and_what_is_already_due() {
        let m = member(); // due 20 December, 14 days after today
        let due = |n| Segment {
            due_within: Some(days(n)),
            ..Segment::default()
        };
        assert!(due(14).matches(&m, TODAY));
        assert!(!due(13).matches(&m, TODAY));
        assert!(due(1).matches(&m, date!(2027 - 01 - 05)), "overdue is due");
        let none = Member {
            next_due: None,
            ..member()
        };
        assert!(!due(3650).matches(&none, TODAY));
    }

    #[test]
    fn last_visit_splits_at_the_boundary_day() {
        let m = member(); // last visit 1 October: 66 days before today
        let within = |n| Segment {
            last_visit: Some(LastVisit::Within(days(n))),
            ..Segment::default()
        };
        let not_since = |n| Segment {
            last_visit: Some(LastVisit::NotSince(days(n))),
            ..Segment::default()
        };
        assert!(within(67).matches(&m, TODAY));
        assert!(!within(66).matches(&m, TODAY));
        assert!(not_since(66).matches(&m, TODAY));
        assert!(!not_since(67).matches(&m, TODAY));
        let never = Member {
            last_visit: None,
            ..member()
        };
        assert!(!within(3650).matches(&never, TODAY));
        assert!(
            !not_since(1).matches(&never, TODAY),
            "never visited is not lapsed"
        );
        assert_eq!(Segment::recent_from(TODAY, days(1)), TODAY);
    }

    #[test]
    fn a_store_campaign_reaches_only_its_store() {
        let mine = StoreId::from(fixed(1, 1));
        let other = StoreId::from(fixed(1, 2));
        let wide = Segment {
            stores: [other].into(),
            ..Segment::default()
        };
        let narrowed = wide.for_store(mine);
        assert_eq!(narrowed.stores, [mine].into());
        assert!(narrowed.matches(&member(), TODAY));
        let elsewhere = Member {
            store: Some(other),
            ..member()
        };
        assert!(!narrowed.matches(&elsewhere, TODAY));
    }

    #[test]
    fn days_are_bounded() {
        assert!(Days::parse("0").is_err());
        assert!(Days::parse("3651").is_err());
        assert!(Days::parse("x").is_err());
        assert_eq!(Days::parse(" 30 ").map(Days::get), Ok(30));
        assert_eq!(Powertrain::parse("diesel"), Err(Error::SegmentInvalid));
    }

    fn any_member() -> impl Strategy<Value = Member> {
        (
            0usize..6,
            0usize..4,
            proptest::option::of(0u16..3),
            proptest::collection::vec(0usize..3, 0..3),
            proptest::option::of(-30i64..60),
            proptest::option::of(0i64..400),
            proptest::collection::vec(0usize..3, 0..3),
        )
            .prop_map(|(stage, class, store, cars, due, visit, tags)| Member {
                stage: Stage::ALL[stage],
                class: ValueClass::ALL[class],
                store: store.map(|s| StoreId::from(fixed(1, s))),
                models: cars
                    .iter()
                    .map(|c| ModelId::from(fixed(2, *c as u16)))
                    .collect(),
                powertrains: cars.iter().map(|c| Powertrain::ALL[*c]).collect(),
                next_due: due.map(|d| TODAY + Duration::days(d)),
                last_visit: visit.map(|d| TODAY - Duration::days(d)),
                tags: tags
                    .iter()
                    .map(|t| TagCode::parse(TAGS[*t]).expect("valid"))
                    .collect(),
            })
    }

    const TAGS: [&str; 3] = ["vip", "fleet", "price_sensitive"];

    fn any_segment() -> impl Strategy<Value = Segment> {
        (
            proptest::collection::btree_set(0usize..6, 0..3),
            proptest::collection::btree_set(0usize..4, 0..3),
            proptest::collection::btree_set(0u16..3, 0..2),
            proptest::collection::btree_set(0usize..3, 0..2),
            proptest::option::of(1u16..90),
            proptest::option::of((any::<bool>(), 1u16..400)),
            proptest::collection::btree_set(0usize..3, 0..2),
        )
            .prop_map(
                |(stages, classes, stores, trains, due, visit, tags)| Segment {
                    stages: stages.into_iter().map(|i| Stage::ALL[i]).collect(),
                    classes: classes.into_iter().map(|i| ValueClass::ALL[i]).collect(),
                    stores: stores
                        .into_iter()
                        .map(|s| StoreId::from(fixed(1, s)))
                        .collect(),
                    models: BTreeSet::new(),
                    powertrains: trains.into_iter().map(|i| Powertrain::ALL[i]).collect(),
                    due_within: due.map(days),
                    last_visit: visit.map(|(recent, n)| {
                        if recent {
                            LastVisit::Within(days(n))
                        } else {
                            LastVisit::NotSince(days(n))
                        }
                    }),
                    tags: tags
                        .into_iter()
                        .map(|t| TagCode::parse(TAGS[t]).expect("valid"))
                        .collect(),
                },
            )
    }

    proptest! {
        /// Adding a criterion never lets more customers in.
        #[test]
        fn criteria_only_narrow(m in any_member(), s in any_segment()) {
            let loose = Segment::default();
            if s.matches(&m, TODAY) {
                prop_assert!(loose.matches(&m, TODAY));
                let mut without_tags = s.clone();
                without_tags.tags.clear();
                prop_assert!(without_tags.matches(&m, TODAY));
            }
        }

        /// A visit is either recent or not, never both, for the same number of days.
        #[test]
        fn within_and_not_since_split_visitors(m in any_member(), n in 1u16..400) {
            let within = Segment { last_visit: Some(LastVisit::Within(days(n))), ..Segment::default() };
            let not_since = Segment { last_visit: Some(LastVisit::NotSince(days(n))), ..Segment::default() };
            let visited = m.last_visit.is_some();
            prop_assert_eq!(within.matches(&m, TODAY) || not_since.matches(&m, TODAY), visited);
            prop_assert!(!(within.matches(&m, TODAY) && not_since.matches(&m, TODAY)));
        }

        /// Narrowing to a store keeps exactly the members of that store the segment held.
        #[test]
        fn for_store_is_an_intersection(m in any_member(), s in any_segment(), store in 0u16..3) {
            let id = StoreId::from(fixed(1, store));
            let mut any_store = s.clone();
            any_store.stores.clear();
            prop_assert_eq!(
                s.clone().for_store(id).matches(&m, TODAY),
                any_store.matches(&m, TODAY) && m.store == Some(id)
            );
        }
    }
}
