//! The life of a work order: booked → checked in → in bay → quality check → ready →
//! handed over, or cancelled. Which [`Step`] may follow which status lives here, once
//! ([`OrderStatus::after`]); where an order came from is its [`Channel`], decided by
//! [`BookedBy::channel`].

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::{Error, StaffId};

/// Where an order came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Booked by the customer on the web.
    Online,
    /// Booked by staff for a customer at the store, to be served now.
    WalkIn,
    /// Booked by staff at the counter for a later visit.
    Counter,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 3] = [Channel::Online, Channel::WalkIn, Channel::Counter];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::WalkIn => "walk_in",
            Channel::Counter => "counter",
        }
    }

    /// The channel with this code, if any.
    pub fn parse(code: &str) -> Option<Channel> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// Who made a booking: the customer, or a staff member at the counter on their behalf.
/// The booking is the customer's either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BookedBy {
    /// The customer, on the web.
    Customer,
    /// A service advisor or store manager, at their store's counter.
    Staff(StaffId),
}

impl BookedBy {
    /// How soon a counter booking must start to be a walk-in: the customer is at the
    /// store and the car is taken in within the hour.
    pub const WALK_IN_WITHIN: Duration = Duration::hours(1);

    /// The channel of a booking made at `now` that starts at `start`: online for the
    /// customer; for staff, a walk-in when the car is taken in within
    /// [`Self::WALK_IN_WITHIN`], otherwise a counter booking for a later visit.
    pub fn channel(self, start: OffsetDateTime, now: OffsetDateTime) -> Channel {
        match self {
            BookedBy::Customer => Channel::Online,
            BookedBy::Staff(_) if start - now <= Self::WALK_IN_WITHIN => Channel::WalkIn,
            BookedBy::Staff(_) => Channel::Counter,
        }
    }

    /// The staff member who booked, if one did.
    pub fn staff(self) -> Option<StaffId> {
        match self {
            BookedBy::Customer => None,
            BookedBy::Staff(s) => Some(s),
        }
    }
}

/// Where a work order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Booked online or at the counter; capacity and parts are held.
    Booked,
    /// The car is at the store.
    CheckedIn,
    /// Work is under way.
    InBay,
    /// Work is done and being checked.
    QualityCheck,
    /// Ready for the customer.
    Ready,
    /// The customer has the car back: the order is complete.
    HandedOver,
    /// Called off; what it held is released.
    Cancelled,
}

impl OrderStatus {
    /// Every status, in the order of a work order's life.
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::Booked,
        OrderStatus::CheckedIn,
        OrderStatus::InBay,
        OrderStatus::QualityCheck,
        OrderStatus::Ready,
        OrderStatus::HandedOver,
        OrderStatus::Cancelled,
    ];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            OrderStatus::Booked => "booked",
            OrderStatus::CheckedIn => "checked_in",
            OrderStatus::InBay => "in_bay",
            OrderStatus::QualityCheck => "quality_check",
            OrderStatus::Ready => "ready",
            OrderStatus::HandedOver => "handed_over",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// The status with this code, if any.
    pub fn parse(code: &str) -> Option<OrderStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the order still holds capacity and parts.
    pub fn is_open(self) -> bool {
        !matches!(self, OrderStatus::HandedOver | OrderStatus::Cancelled)
    }

    /// Whether the order stays on the store's board after its day: the car is at the
    /// store (checked in and not yet handed over). A booking nobody came for does not.
    pub fn stays_on_board(self) -> bool {
        self.is_open() && self != OrderStatus::Booked
    }

    /// A customer may cancel only before the car is checked in: after that, work and
    /// parts are committed and the store handles it.
    pub fn cancel(self) -> Result<OrderStatus, Error> {
        match self {
            OrderStatus::Booked => Ok(OrderStatus::Cancelled),
            _ => Err(Error::NotCancellable),
        }
    }
}

/// What staff do to a work order: each step moves it from one status to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The car arrived: booked → checked in (mileage and concerns recorded).
    CheckIn,
    /// A technician takes it into a bay: checked in → in bay.
    StartWork,
    /// The work is done: in bay → quality check.
    SubmitForQc,
    /// Every check passed: quality check → ready.
    PassQc,
    /// A check failed: back to the bay (quality check → in bay); it counts against the
    /// technician's first-time-fix rate.
    FailQc,
    /// The customer has the car: ready → handed over.
    HandOver,
    /// Called off before work started: booked or checked in → cancelled.
    Cancel,
}

impl Step {
    /// Every step, in the order of a work order's life.
    pub const ALL: [Step; 7] = [
        Step::CheckIn,
        Step::StartWork,
        Step::SubmitForQc,
        Step::PassQc,
        Step::FailQc,
        Step::HandOver,
        Step::Cancel,
    ];

    /// The stable code forms and APIs use.
    pub fn code(self) -> &'static str {
        match self {
            Step::CheckIn => "check_in",
            Step::StartWork => "start_work",
            Step::SubmitForQc => "submit_for_qc",
            Step::PassQc => "pass_qc",
            Step::FailQc => "fail_qc",
            Step::HandOver => "hand_over",
            Step::Cancel => "cancel",
        }
    }

    /// Whether this step is a quality check's verdict, which only a complete checklist
    /// gives ([`crate::qc::judge`]): nobody presses "pass" or "fail" by hand.
    pub fn is_quality_verdict(self) -> bool {
        matches!(self, Step::PassQc | Step::FailQc)
    }

    /// The step with this code; [`Error::StepOutOfOrder`] for anything else.
    pub fn parse(code: &str) -> Result<Step, Error> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
            .ok_or(Error::StepOutOfOrder)
    }
}

impl OrderStatus {
    /// Where `step` takes a work order at this status, or [`Error::StepOutOfOrder`]:
    /// the one table of which step follows which.
    pub fn after(self, step: Step) -> Result<OrderStatus, Error> {
        use OrderStatus as S;
        match (self, step) {
            (S::Booked, Step::CheckIn) => Ok(S::CheckedIn),
            (S::CheckedIn, Step::StartWork) => Ok(S::InBay),
            (S::InBay, Step::SubmitForQc) => Ok(S::QualityCheck),
            (S::QualityCheck, Step::PassQc) => Ok(S::Ready),
            (S::QualityCheck, Step::FailQc) => Ok(S::InBay),
            (S::Ready, Step::HandOver) => Ok(S::HandedOver),
            (S::Booked | S::CheckedIn, Step::Cancel) => Ok(S::Cancelled),
            _ => Err(Error::StepOutOfOrder),
        }
    }

    /// The steps that may follow this status, in the order of [`Step::ALL`].
    pub fn steps(self) -> Vec<Step> {
        Step::ALL
            .into_iter()
            .filter(|s| self.after(*s).is_ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn step() -> impl Strategy<Value = Step> {
        proptest::sample::select(Step::ALL.to_vec())
    }

    proptest! {
        /// Whatever staff press, in whatever order, a work order only ever moves along
        /// the table: nothing leaves handed over or cancelled, ready comes only from a
        /// passed quality check, handed over only from ready, and a refused step changes
        /// nothing.
        #[test]
        fn no_sequence_of_steps_reaches_an_invalid_state(steps in proptest::collection::vec(step(), 0..40)) {
            let mut status = OrderStatus::Booked;
            let mut passed_qc = false;
            let mut worked = false;
            for step in steps {
                let before = status;
                match status.after(step) {
                    Ok(next) => {
                        prop_assert!(before.is_open(), "{before:?} is final");
                        prop_assert!(status.steps().contains(&step));
                        match next {
                            OrderStatus::Ready => prop_assert_eq!((before, step), (OrderStatus::QualityCheck, Step::PassQc)),
                            OrderStatus::HandedOver => prop_assert_eq!(before, OrderStatus::Ready),
                            OrderStatus::Cancelled => prop_assert!(!worked, "cancelled after work started"),
                            OrderStatus::QualityCheck => prop_assert_eq!(before, OrderStatus::InBay),
                            _ => {}
                        }
                        worked |= next == OrderStatus::InBay;
                        passed_qc |= next == OrderStatus::Ready;
                        status = next;
                    }
                    Err(e) => {
                        prop_assert_eq!(e, Error::StepOutOfOrder);
                        prop_assert!(!status.steps().contains(&step));
                    }
                }
                prop_assert!(OrderStatus::ALL.contains(&status));
            }
            if status == OrderStatus::HandedOver {
                prop_assert!(passed_qc && worked);
            }
        }
    }

    #[test]
    fn the_happy_path_and_a_failed_check() {
        use Step::*;
        let mut s = OrderStatus::Booked;
        for step in [
            CheckIn,
            StartWork,
            SubmitForQc,
            FailQc,
            SubmitForQc,
            PassQc,
            HandOver,
        ] {
            s = s.after(step).expect("in order");
        }
        assert_eq!(s, OrderStatus::HandedOver);
        assert_eq!(s.steps(), Vec::<Step>::new());
        assert_eq!(
            OrderStatus::Booked.after(PassQc),
            Err(Error::StepOutOfOrder)
        );
        assert_eq!(OrderStatus::InBay.after(Cancel), Err(Error::StepOutOfOrder));
        for step in Step::ALL {
            assert_eq!(Step::parse(step.code()), Ok(step));
        }
        assert_eq!(Step::parse("teleport"), Err(Error::StepOutOfOrder));
    }

    #[test]
    fn a_counter_booking_within_the_hour_is_a_walk_in() {
        let now = time::macros::datetime!(2026-12-05 02:07 UTC);
        let staff = BookedBy::Staff(StaffId::from(uuid::Uuid::nil()));
        assert_eq!(
            staff.channel(now + Duration::minutes(23), now),
            Channel::WalkIn
        );
        assert_eq!(
            staff.channel(now + Duration::hours(1), now),
            Channel::WalkIn
        );
        assert_eq!(
            staff.channel(now + Duration::minutes(61), now),
            Channel::Counter
        );
        assert_eq!(
            staff.channel(now + Duration::days(3), now),
            Channel::Counter
        );
        // Online is online however soon it starts.
        assert_eq!(
            BookedBy::Customer.channel(now + Duration::minutes(5), now),
            Channel::Online
        );
        assert_eq!(BookedBy::Customer.staff(), None);
        assert_eq!(staff.staff(), Some(StaffId::from(uuid::Uuid::nil())));
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.code()), Some(c));
        }
        assert_eq!(Channel::parse("fax"), None);
    }

    #[test]
    fn codes_round_trip() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.code()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).expect("json"),
                format!("\"{}\"", s.code())
            );
        }
        assert_eq!(OrderStatus::parse("lost"), None);
    }

    #[test]
    fn only_a_booked_order_can_be_cancelled() {
        for s in OrderStatus::ALL {
            let expected = if s == OrderStatus::Booked {
                Ok(OrderStatus::Cancelled)
            } else {
                Err(Error::NotCancellable)
            };
            assert_eq!(s.cancel(), expected, "{s:?}");
        }
        assert!(OrderStatus::Booked.is_open());
        let carried: Vec<OrderStatus> = OrderStatus::ALL
            .into_iter()
            .filter(|s| s.stays_on_board())
            .collect();
        assert_eq!(
            carried,
            [
                OrderStatus::CheckedIn,
                OrderStatus::InBay,
                OrderStatus::QualityCheck,
                OrderStatus::Ready
            ]
        );
        assert!(!OrderStatus::Cancelled.is_open());
        assert!(!OrderStatus::HandedOver.is_open());
    }
}
