//! After-sales cases (rule 7): a complaint opens a case with an owner and a deadline;
//! the store records the steps it takes and a resolution; the customer confirms it, or
//! says it is not resolved and the case opens again. A case past its deadline escalates
//! to the store manager, and later to HQ.
//!
//! - [`CaseStatus`] and [`next`]: open → resolved → confirmed, or back to open.
//! - [`owner`]: who a new case belongs to.
//! - [`deadline`]: how long a store has ([`CASE_HOURS`]).
//! - [`Escalation`] and [`escalation`]: who must look at an overdue case.
//! - [`CaseText`]: a step taken or a resolution.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::account::StaffRole;
use crate::text::bounded_text;
use crate::{Error, StaffId};

/// Hours a store has to resolve a case.
pub const CASE_HOURS: i64 = 48;

/// Hours past the deadline after which an open case goes to HQ.
pub const HQ_AFTER_HOURS: i64 = 48;

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Being worked on.
    Open,
    /// The store recorded a resolution; waiting for the customer to confirm it.
    Resolved,
    /// The customer confirmed the resolution.
    Confirmed,
}

impl CaseStatus {
    /// Every one, in order.
    pub const ALL: [CaseStatus; 3] = [
        CaseStatus::Open,
        CaseStatus::Resolved,
        CaseStatus::Confirmed,
    ];

    /// Its stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Resolved => "resolved",
            CaseStatus::Confirmed => "confirmed",
        }
    }

    /// The one with this code.
    pub fn parse(code: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// What happens to a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseAction {
    /// A step taken (a call, a free re-check): recorded while the case is open.
    Step(CaseText),
    /// How it was resolved; the case waits for the customer.
    Resolve(CaseText),
    /// The customer confirms the resolution.
    Confirm,
    /// The customer says it is not resolved: the case is open again.
    Reopen(CaseText),
}

/// The status after `action` on a case that is `status`; [`Error::CaseNotOpen`] for a
/// step or a resolution on a case that is not open, [`Error::CaseNotResolved`] for a
/// customer's answer to a case with no resolution to answer.
pub fn next(status: CaseStatus, action: &CaseAction) -> Result<CaseStatus, Error> {
    match (status, action) {
        (CaseStatus::Open, CaseAction::Step(_)) => Ok(CaseStatus::Open),
        (CaseStatus::Open, CaseAction::Resolve(_)) => Ok(CaseStatus::Resolved),
        (CaseStatus::Resolved, CaseAction::Confirm) => Ok(CaseStatus::Confirmed),
        (CaseStatus::Resolved, CaseAction::Reopen(_)) => Ok(CaseStatus::Open),
        (_, CaseAction::Step(_) | CaseAction::Resolve(_)) => Err(Error::CaseNotOpen),
        (_, CaseAction::Confirm | CaseAction::Reopen(_)) => Err(Error::CaseNotResolved),
    }
}

/// The deadline of a case opened (or reopened) at `at`.
pub fn deadline(at: OffsetDateTime) -> OffsetDateTime {
    at + Duration::hours(CASE_HOURS)
}

/// Who owns a new case: whoever took the complaint at the counter; one made online, the
/// store's manager, else someone who receives customers there. Among several, the first
/// by phone number, so the choice does not depend on the order staff were read in.
/// `None` when the store has nobody who could own it.
pub fn owner(taken_by: Option<StaffId>, staff: &[(StaffId, StaffRole, String)]) -> Option<StaffId> {
    if taken_by.is_some() {
        return taken_by;
    }
    let rank = |role: StaffRole| match role {
        StaffRole::StoreManager => Some(0),
        r if r.receives_customers() => Some(1),
        _ => None,
    };
    staff
        .iter()
        .filter_map(|(id, role, phone)| rank(*role).map(|r| (r, phone, *id)))
        .min()
        .map(|(.., id)| id)
}

/// Who must look at a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// Its owner, within the deadline.
    Owner,
    /// Past the deadline: the store manager.
    StoreManager,
    /// Long past it: HQ.
    Hq,
}

impl Escalation {
    /// Its stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Escalation::Owner => "owner",
            Escalation::StoreManager => "store_manager",
            Escalation::Hq => "hq",
        }
    }
}

/// How far an open case has escalated at `now`; a case waiting for the customer, or
/// confirmed, is with its owner.
pub fn escalation(status: CaseStatus, deadline: OffsetDateTime, now: OffsetDateTime) -> Escalation {
    if status != CaseStatus::Open || now <= deadline {
        Escalation::Owner
    } else if now <= deadline + Duration::hours(HQ_AFTER_HOURS) {
        Escalation::StoreManager
    } else {
        Escalation::Hq
    }
}

bounded_text!(
    /// A step taken on a case, its resolution, or why the customer says it is not
    /// resolved.
    CaseText,
    1,
    500,
    lines: true,
    Error::CaseTextInvalid
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_online_goes_to_the_manager_then_reception() {
        let (manager, advisor, tech, taker) = (
            StaffId::new(),
            StaffId::new(),
            StaffId::new(),
            StaffId::new(),
        );
        let staff = vec![
            (tech, StaffRole::Technician, "13900000009".to_owned()),
            (advisor, StaffRole::ServiceAdvisor, "13900000004".to_owned()),
            (manager, StaffRole::StoreManager, "13900000008".to_owned()),
        ];
        assert_eq!(owner(Some(taker), &staff), Some(taker));
        assert_eq!(owner(None, &staff), Some(manager));
        assert_eq!(owner(None, &staff[..2]), Some(advisor));
        assert_eq!(owner(None, &staff[..1]), None);
    }
    use proptest::prelude::*;
    use time::macros::datetime;

    fn text() -> CaseText {
        CaseText::parse("免费复查了刹车").expect("text")
    }

    #[test]
    fn a_case_is_resolved_then_confirmed_or_reopened() {
        use CaseStatus::*;
        assert_eq!(next(Open, &CaseAction::Step(text())), Ok(Open));
        assert_eq!(next(Open, &CaseAction::Resolve(text())), Ok(Resolved));
        assert_eq!(next(Resolved, &CaseAction::Confirm), Ok(Confirmed));
        assert_eq!(next(Resolved, &CaseAction::Reopen(text())), Ok(Open));
        assert_eq!(
            next(Open, &CaseAction::Confirm),
            Err(Error::CaseNotResolved)
        );
        assert_eq!(
            next(Confirmed, &CaseAction::Resolve(text())),
            Err(Error::CaseNotOpen)
        );
        assert_eq!(
            next(Resolved, &CaseAction::Step(text())),
            Err(Error::CaseNotOpen)
        );
        assert_eq!(CaseText::parse("  "), Err(Error::CaseTextInvalid));
    }

    #[test]
    fn an_overdue_case_goes_to_the_manager_then_to_hq() {
        let opened = datetime!(2026-12-01 02:00 UTC);
        let due = deadline(opened);
        assert_eq!(due, datetime!(2026-12-03 02:00 UTC));
        assert_eq!(escalation(CaseStatus::Open, due, due), Escalation::Owner);
        let late = due + Duration::minutes(1);
        assert_eq!(
            escalation(CaseStatus::Open, due, late),
            Escalation::StoreManager
        );
        let later = due + Duration::hours(HQ_AFTER_HOURS + 1);
        assert_eq!(escalation(CaseStatus::Open, due, later), Escalation::Hq);
        assert_eq!(
            escalation(CaseStatus::Resolved, due, later),
            Escalation::Owner
        );
    }

    proptest! {
        #[test]
        fn escalation_only_rises_with_time(a in 0i64..400, b in 0i64..400) {
            let opened = datetime!(2026-12-01 02:00 UTC);
            let due = deadline(opened);
            let at = |h: i64| escalation(CaseStatus::Open, due, opened + Duration::hours(h));
            prop_assert!(at(a.min(b)) <= at(a.max(b)));
        }
    }
}
