//! Inspection findings (rule 6): what else a technician found on a car, offered to the
//! customer at the published price of the service that fixes it, done only if they
//! approve, and remembered if they decline.
//!
//! - [`FindingItem`] and [`Severity`]: what was found, parsed at the edge;
//! - [`Decision`]: pending, approved or declined, and [`Decision::decide`], the one rule
//!   of when a customer may decide;
//! - [`may_record`]: when a technician may record one;
//! - [`Decision::at_handover`]: what a finding nobody answered becomes when the car
//!   leaves (declined, so it is offered again next time).

use serde::{Deserialize, Serialize};

use crate::{Error, OrderId, OrderStatus, ServiceId};

crate::text::bounded_text!(
    /// What was found, as the technician wrote it: 1 to 100 characters after trimming.
    FindingItem, 1, 100, lines: false, Error::FindingItemInvalid
);

/// How urgent a finding is, as a traffic light.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Fine for now; worth watching.
    Green,
    /// Should be done soon.
    Amber,
    /// Needs doing now: safety or further damage.
    Red,
}

impl Severity {
    /// Every severity, mildest first.
    pub const ALL: [Severity; 3] = [Severity::Green, Severity::Amber, Severity::Red];

    /// The stable code forms and the database use.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Green => "green",
            Severity::Amber => "amber",
            Severity::Red => "red",
        }
    }

    /// The severity with this code; [`Error::SeverityUnknown`] otherwise.
    pub fn parse(code: &str) -> Result<Severity, Error> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
            .ok_or(Error::SeverityUnknown)
    }
}

/// Where a finding stands with the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Offered; the customer has not answered.
    Pending,
    /// The customer approved: the work joined the order at the price offered.
    Approved,
    /// The customer declined (or left without answering): offered again next visit.
    Declined,
}

impl Decision {
    /// Every decision.
    pub const ALL: [Decision; 3] = [Decision::Pending, Decision::Approved, Decision::Declined];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Decision::Pending => "pending",
            Decision::Approved => "approved",
            Decision::Declined => "declined",
        }
    }

    /// The decision with this code, if any.
    pub fn parse(code: &str) -> Option<Decision> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }

    /// What the customer's answer (`"approve"` or `"decline"`) makes of a finding that
    /// stands at `self` on an order at `order`: only a pending finding is decided, and
    /// only while the work can still take it ([`may_record`]).
    pub fn decide(self, answer: &str, order: OrderStatus) -> Result<Decision, Error> {
        let to = match answer.trim() {
            "approve" => Decision::Approved,
            "decline" => Decision::Declined,
            _ => return Err(Error::DecisionUnknown),
        };
        if self != Decision::Pending {
            return Err(Error::FindingDecided);
        }
        may_record(order)?;
        Ok(to)
    }

    /// What a finding becomes when the car is handed over: one nobody answered counts
    /// as declined, so it is offered again at the next visit.
    pub fn at_handover(self) -> Decision {
        match self {
            Decision::Pending => Decision::Declined,
            other => other,
        }
    }
}

/// Which of a car's declined findings `order` offers again: those found at its other
/// orders, in the order given (newest first), one per fixing service, and none for a
/// service this order already offers. Each is `(found on, fixing service, finding)`.
pub fn offer_again<T>(
    order: OrderId,
    offered: &[ServiceId],
    declined: impl IntoIterator<Item = (OrderId, ServiceId, T)>,
) -> Vec<T> {
    let mut seen: Vec<ServiceId> = offered.to_vec();
    let mut again = Vec::new();
    for (found_on, service, finding) in declined {
        if found_on != order && !seen.contains(&service) {
            seen.push(service);
            again.push(finding);
        }
    }
    again
}

/// Whether a finding may be recorded (or decided) on an order at `status`: while the car
/// is checked in or in a bay, before the work goes to quality check.
pub fn may_record(status: OrderStatus) -> Result<(), Error> {
    match status {
        OrderStatus::CheckedIn | OrderStatus::InBay => Ok(()),
        _ => Err(Error::FindingNotNow),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn items_and_severities_parse() {
        assert_eq!(
            FindingItem::parse("  前刹车片磨损  ").map(|i| i.as_str().to_owned()),
            Ok("前刹车片磨损".to_owned())
        );
        assert_eq!(FindingItem::parse(" "), Err(Error::FindingItemInvalid));
        assert_eq!(
            FindingItem::parse(&"磨".repeat(101)),
            Err(Error::FindingItemInvalid)
        );
        assert!(FindingItem::parse(&"磨".repeat(100)).is_ok());
        assert_eq!(
            FindingItem::parse("a\u{7}b"),
            Err(Error::FindingItemInvalid)
        );
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.code()), Ok(s));
        }
        assert_eq!(Severity::parse("purple"), Err(Error::SeverityUnknown));
        assert!(serde_json::from_str::<FindingItem>("\"  \"").is_err());
    }

    #[test]
    fn a_customer_decides_a_pending_finding_while_the_car_is_in_work() {
        use OrderStatus::*;
        assert_eq!(
            Decision::Pending.decide("approve", InBay),
            Ok(Decision::Approved)
        );
        assert_eq!(
            Decision::Pending.decide(" decline ", CheckedIn),
            Ok(Decision::Declined)
        );
        assert_eq!(
            Decision::Pending.decide("maybe", InBay),
            Err(Error::DecisionUnknown)
        );
        assert_eq!(
            Decision::Approved.decide("decline", InBay),
            Err(Error::FindingDecided)
        );
        for late in [Booked, QualityCheck, Ready, HandedOver, Cancelled] {
            assert_eq!(
                Decision::Pending.decide("approve", late),
                Err(Error::FindingNotNow),
                "{late:?}"
            );
            assert_eq!(may_record(late), Err(Error::FindingNotNow));
        }
        assert_eq!(Decision::Pending.at_handover(), Decision::Declined);
        assert_eq!(Decision::Approved.at_handover(), Decision::Approved);
        for d in Decision::ALL {
            assert_eq!(Decision::parse(d.code()), Some(d));
        }
    }

    #[test]
    fn declined_work_is_offered_again_once_per_service_and_not_twice() {
        let id = |n: u128| uuid::Uuid::from_u128(n);
        let (this, earlier, older) = (
            OrderId::from(id(1)),
            OrderId::from(id(2)),
            OrderId::from(id(3)),
        );
        let (brakes, wipers, filter) = (
            ServiceId::from(id(10)),
            ServiceId::from(id(11)),
            ServiceId::from(id(12)),
        );
        let declined = [
            (this, brakes, "declined on this very order"),
            (earlier, wipers, "wipers, last visit"),
            (older, wipers, "wipers, the visit before"),
            (older, filter, "filter, already offered here"),
            (older, brakes, "brakes, the visit before"),
        ];
        assert_eq!(
            offer_again(this, &[filter], declined),
            vec!["wipers, last visit", "brakes, the visit before"]
        );
    }

    proptest! {
        /// Whatever is answered, whenever: a finding is decided at most once, never
        /// goes back to pending, and only a pending finding on an order in work changes.
        #[test]
        fn a_finding_is_decided_at_most_once(
            answers in proptest::collection::vec(
                (proptest::sample::select(vec!["approve", "decline", "", "later"]),
                 proptest::sample::select(OrderStatus::ALL.to_vec())),
                0..12,
            ),
        ) {
            let mut d = Decision::Pending;
            let mut changes = 0;
            for (answer, status) in answers {
                if let Ok(next) = d.decide(answer, status) {
                    prop_assert_eq!(d, Decision::Pending);
                    prop_assert!(may_record(status).is_ok());
                    prop_assert_ne!(next, Decision::Pending);
                    d = next;
                    changes += 1;
                }
            }
            prop_assert!(changes <= 1);
            prop_assert_ne!(d.at_handover(), Decision::Pending);
        }
    }
}
