//! Who should take a car (rule 6): the board suggests a responsible person for each work
//! order and says why, and the advisor may pick someone else.
//!
//! [`rank`] orders a store's people for one work order:
//! 1. the customer's preferred advisor, when they work at this store (section 3 of the
//!    kiosk: the preference is honoured);
//! 2. technicians skilled in every category the order's services need, then those
//!    skilled in some, then the rest; within each, the better first-time-fix rate over
//!    the last [`FTF_WINDOW_DAYS`] days (in [`FTF_BAND`]-point bands, so that a point or
//!    two does not outweigh a full day), then the lighter load today, then the name;
//! 3. everyone else who may be responsible (advisors, the manager), lightest load first.
//!
//! Each [`Ranked`] carries the figures it was ranked by, which the board shows.

use serde::{Deserialize, Serialize};

use crate::account::{Skills, StaffRole};
use crate::{ServiceCategory, StaffId};

/// How far back the first-time-fix rate looks.
pub const FTF_WINDOW_DAYS: i64 = 90;

/// Rates within the same band of this many percentage points count as equal.
pub const FTF_BAND: u32 = 10;

/// Fewer finished jobs than this say too little: the rate counts as unknown.
pub const FTF_MIN_JOBS: u32 = 3;

/// A technician's record over the window: jobs handed over, and how many of them passed
/// quality check the first time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstTimeFix {
    /// Work orders handed over in the window that this person was responsible for.
    pub jobs: u32,
    /// Of those, how many passed quality check at the first attempt.
    pub first_time: u32,
}

impl FirstTimeFix {
    /// The rate in whole percent, or `None` under [`FTF_MIN_JOBS`] jobs.
    pub fn percent(self) -> Option<u32> {
        if self.jobs < FTF_MIN_JOBS {
            return None;
        }
        let first = u64::from(self.first_time.min(self.jobs));
        Some((first * 100 / u64::from(self.jobs)) as u32)
    }

    /// The band ranking compares; an unknown rate sits in the middle, neither rewarded
    /// nor punished for being new.
    fn band(self) -> u32 {
        self.percent().unwrap_or(50) / FTF_BAND
    }
}

/// One person of the store, as the ranking sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Who.
    pub staff: StaffId,
    /// For the last tie: the same order on every iPad.
    pub name: String,
    /// Their role at the store.
    pub role: StaffRole,
    /// The service categories they are skilled in.
    pub skills: Skills,
    /// Their record over the last [`FTF_WINDOW_DAYS`] days.
    pub first_time_fix: FirstTimeFix,
    /// Open work orders of the day this person is responsible for.
    pub load_today: u32,
}

/// How well someone's skills cover what an order needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkillMatch {
    /// Skilled in none of the order's categories.
    None,
    /// In some of them.
    Partial,
    /// In every one.
    Full,
}

/// Why someone is where they are in the ranking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The customer's preferred advisor.
    Preferred,
    /// A technician, by skill, first-time fix and load.
    Technician,
    /// Someone else who may be responsible.
    Other,
}

/// One person in the ranking, with the figures it used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    /// Who.
    pub staff: StaffId,
    /// Which group they were ranked in.
    pub reason: Reason,
    /// How their skills cover the order.
    pub skill: SkillMatch,
    /// Their first-time-fix rate in percent, if they have enough jobs to tell.
    pub first_time_fix: Option<u32>,
    /// Open work orders of the day they are responsible for.
    pub load_today: u32,
}

/// A person's load: how many of `orders` (each `(status, responsible)`) are still open
/// with them responsible.
pub fn load_of(
    staff: StaffId,
    orders: impl IntoIterator<Item = (crate::OrderStatus, Option<StaffId>)>,
) -> u32 {
    orders
        .into_iter()
        .filter(|(status, responsible)| status.is_open() && *responsible == Some(staff))
        .count() as u32
}

/// How `skills` cover `needs`; an order that names no category is covered by anyone.
pub fn skill_match(skills: &Skills, needs: &[ServiceCategory]) -> SkillMatch {
    let covered = needs.iter().filter(|c| skills.covers(**c)).count();
    if covered == needs.len() {
        SkillMatch::Full
    } else if covered > 0 {
        SkillMatch::Partial
    } else {
        SkillMatch::None
    }
}

/// The people who may take an order needing `needs`, best first (see the module docs).
/// Only store roles take cars; anyone else in `people` is left out.
pub fn rank(
    people: &[Candidate],
    needs: &[ServiceCategory],
    preferred: Option<StaffId>,
) -> Vec<Ranked> {
    let mut ranked: Vec<(&Candidate, Ranked)> = people
        .iter()
        .filter(|c| c.role.is_store())
        .map(|c| {
            let reason = if Some(c.staff) == preferred && c.role.receives_customers() {
                Reason::Preferred
            } else if c.role == StaffRole::Technician {
                Reason::Technician
            } else {
                Reason::Other
            };
            let r = Ranked {
                staff: c.staff,
                reason,
                skill: skill_match(&c.skills, needs),
                first_time_fix: c.first_time_fix.percent(),
                load_today: c.load_today,
            };
            (c, r)
        })
        .collect();
    let group = |r: &Ranked| match r.reason {
        Reason::Preferred => 0,
        Reason::Technician => 1,
        Reason::Other => 2,
    };
    ranked.sort_by(|(a, ra), (b, rb)| {
        group(ra)
            .cmp(&group(rb))
            .then_with(|| match ra.reason {
                Reason::Technician => rb
                    .skill
                    .cmp(&ra.skill)
                    .then(b.first_time_fix.band().cmp(&a.first_time_fix.band())),
                _ => std::cmp::Ordering::Equal,
            })
            .then(ra.load_today.cmp(&rb.load_today))
            .then_with(|| a.name.cmp(&b.name))
            .then(a.staff.cmp(&b.staff))
    });
    ranked.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ServiceCategory::*;

    fn person(
        n: u128,
        role: StaffRole,
        skills: &[ServiceCategory],
        ftf: (u32, u32),
        load: u32,
    ) -> Candidate {
        Candidate {
            staff: StaffId::from(uuid::Uuid::from_u128(n)),
            name: format!("p{n:03}"),
            role,
            skills: Skills::from_categories(skills.iter().copied()),
            first_time_fix: FirstTimeFix {
                jobs: ftf.0,
                first_time: ftf.1,
            },
            load_today: load,
        }
    }

    fn order(r: &[Ranked]) -> Vec<u128> {
        r.iter().map(|r| r.staff.as_uuid().as_u128()).collect()
    }

    #[test]
    fn skill_then_first_time_fix_then_load_and_the_preferred_advisor_first() {
        let people = vec![
            person(1, StaffRole::Technician, &[Tyres], (20, 20), 0),
            person(2, StaffRole::Technician, &[Maintenance], (20, 12), 0),
            person(3, StaffRole::Technician, &[Maintenance, Tyres], (20, 19), 3),
            person(4, StaffRole::Technician, &[Maintenance], (20, 19), 1),
            person(5, StaffRole::ServiceAdvisor, &[], (0, 0), 0),
            person(6, StaffRole::StoreManager, &[], (0, 0), 2),
            person(7, StaffRole::HqAdmin, &[Maintenance], (0, 0), 0),
            person(8, StaffRole::Technician, &[Maintenance], (1, 0), 0),
        ];
        let r = rank(&people, &[Maintenance], None);
        // 95% (4, load 1) before 95% (3, load 3) before 60% (2) before unknown (8,
        // counted as 50%); unskilled 1 after every skilled one; then the advisor and the
        // manager; HQ never.
        assert_eq!(order(&r), vec![4, 3, 2, 8, 1, 5, 6]);
        assert_eq!(r[0].skill, SkillMatch::Full);
        assert_eq!(r[0].first_time_fix, Some(95));
        assert_eq!(r[3].first_time_fix, None, "one job says too little");
        assert_eq!(r[4].skill, SkillMatch::None);

        // The customer's preferred advisor takes the car.
        let r = rank(&people, &[Maintenance], Some(people[4].staff));
        assert_eq!(order(&r)[0], 5);
        assert_eq!(r[0].reason, Reason::Preferred);
        // A technician cannot be a preferred advisor.
        let r = rank(&people, &[Maintenance], Some(people[0].staff));
        assert_eq!(
            r.iter().filter(|r| r.reason == Reason::Preferred).count(),
            0
        );

        // Needing two categories: full cover before partial.
        let r = rank(&people, &[Maintenance, Tyres], None);
        assert_eq!(order(&r)[0], 3);
        assert_eq!(r[1].skill, SkillMatch::Partial);
    }

    #[test]
    fn load_counts_open_orders_one_is_responsible_for() {
        use crate::OrderStatus::*;
        let (a, b) = (
            StaffId::from(uuid::Uuid::from_u128(1)),
            StaffId::from(uuid::Uuid::from_u128(2)),
        );
        let orders = [
            (InBay, Some(a)),
            (Booked, Some(a)),
            (HandedOver, Some(a)),
            (Cancelled, Some(a)),
            (Ready, Some(b)),
            (CheckedIn, None),
        ];
        assert_eq!(load_of(a, orders), 2);
        assert_eq!(load_of(b, orders), 1);
    }

    fn any_person() -> impl Strategy<Value = Candidate> {
        (
            0u128..40,
            proptest::sample::select(StaffRole::ALL.to_vec()),
            proptest::collection::vec(
                proptest::sample::select(ServiceCategory::ALL.to_vec()),
                0..4,
            ),
            (0u32..30, 0u32..30),
            0u32..6,
        )
            .prop_map(|(n, role, skills, (jobs, first), load)| {
                person(n, role, &skills, (jobs, first.min(jobs)), load)
            })
    }

    proptest! {
        /// Whatever the store's people, the ranking holds each store person once; a
        /// technician better in skill never ranks below a worse one; among equally
        /// skilled technicians in the same rate band, the lighter load goes first; the
        /// preferred advisor, if ranked, is first; and the input's order does not matter.
        #[test]
        fn ranking_follows_skill_then_rate_then_load(
            people in proptest::collection::vec(any_person(), 0..12),
            needs in proptest::collection::vec(proptest::sample::select(ServiceCategory::ALL.to_vec()), 0..3),
            pick in proptest::option::of(0usize..12),
        ) {
            let mut people = people;
            people.sort_by_key(|p| p.staff);
            people.dedup_by_key(|p| p.staff);
            let preferred = pick.and_then(|i| people.get(i)).map(|p| p.staff);
            let r = rank(&people, &needs, preferred);
            let store: Vec<&Candidate> = people.iter().filter(|p| p.role.is_store()).collect();
            prop_assert_eq!(r.len(), store.len());
            let mut reversed = people.clone();
            reversed.reverse();
            prop_assert_eq!(&rank(&reversed, &needs, preferred), &r);
            if let Some(p) = r.iter().position(|x| x.reason == Reason::Preferred) {
                prop_assert_eq!(p, 0);
            }
            let techs: Vec<&Ranked> = r.iter().filter(|x| x.reason == Reason::Technician).collect();
            for pair in techs.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                prop_assert!(a.skill >= b.skill);
                let band = |x: &Ranked| x.first_time_fix.unwrap_or(50) / FTF_BAND;
                if a.skill == b.skill {
                    prop_assert!(band(a) >= band(b));
                    if band(a) == band(b) {
                        prop_assert!(a.load_today <= b.load_today);
                    }
                }
            }
            // Technicians come before the other store people (bar the preferred one).
            let last_tech = r.iter().rposition(|x| x.reason == Reason::Technician);
            let first_other = r.iter().position(|x| x.reason == Reason::Other);
            if let (Some(t), Some(o)) = (last_tech, first_other) {
                prop_assert!(t < o);
            }
        }
    }
}
