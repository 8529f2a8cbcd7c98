//! What a work order comes to at handover (rule 1): the booking at the prices it locked,
//! the extra work the customer approved at the prices offered, less any manual
//! adjustment a store manager approved at the counter, each with its reason.
//!
//! - [`AdjustmentReason`]: why the price is adjusted (a goodwill discount, a damaged
//!   part), required;
//! - [`check_adjustment`]: the one decision on whether an adjustment may be made;
//! - [`Bill`] and [`Bill::total`]: the final breakdown's sum.
//!
//! Nothing else changes a price: the adjustment is recorded on the order with who asked
//! and which manager approved, and shown in the breakdown.

use serde::{Deserialize, Serialize};

use crate::{Error, Money, OrderStatus};

crate::text::bounded_text!(
    /// Why a price is adjusted, as the advisor wrote it: 2 to 200 characters after
    /// trimming.
    AdjustmentReason, 2, 200, lines: false, Error::AdjustmentReasonMissing
);

/// An order's money at handover, in its parts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    /// The booking, at the prices it locked.
    pub booked: Money,
    /// Each approved finding's price, as offered.
    pub extras: Vec<Money>,
    /// Each manual adjustment, as an amount taken off.
    pub adjustments: Vec<Money>,
}

impl Bill {
    /// Before adjustments: the booking and the approved extra work.
    pub fn subtotal(&self) -> Result<Money, Error> {
        Money::sum(std::iter::once(self.booked).chain(self.extras.iter().copied()))
    }

    /// What the customer pays: the subtotal less the adjustments, never below zero
    /// ([`check_adjustment`] keeps it so).
    pub fn total(&self) -> Result<Money, Error> {
        let off = Money::sum(self.adjustments.iter().copied())?;
        let fen = self.subtotal()?.fen() - off.fen();
        if fen < 0 {
            return Err(Error::AdjustmentTooLarge);
        }
        Ok(Money::from_fen(fen))
    }
}

/// Whether `amount` may be taken off an order that stands at `bill` and `status`: a
/// positive amount, no more than what is left to pay, on an order whose car is at the
/// store and not yet handed over.
pub fn check_adjustment(bill: &Bill, amount: Money, status: OrderStatus) -> Result<(), Error> {
    if !status.stays_on_board() {
        return Err(Error::AdjustmentNotNow);
    }
    if amount.fen() <= 0 {
        return Err(Error::PriceNotPositive);
    }
    if amount.fen() > bill.total()?.fen() {
        return Err(Error::AdjustmentTooLarge);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(y: i64) -> Money {
        Money::from_fen(y * 100)
    }

    #[test]
    fn the_bill_adds_approved_work_and_takes_off_adjustments() {
        let bill = Bill {
            booked: yuan(398),
            extras: vec![yuan(198), yuan(60)],
            adjustments: vec![yuan(50)],
        };
        assert_eq!(bill.subtotal(), Ok(yuan(656)));
        assert_eq!(bill.total(), Ok(yuan(606)));
        assert_eq!(
            check_adjustment(&bill, yuan(606), OrderStatus::Ready),
            Ok(())
        );
        assert_eq!(
            check_adjustment(&bill, Money::from_fen(60_601), OrderStatus::Ready),
            Err(Error::AdjustmentTooLarge)
        );
        assert_eq!(
            check_adjustment(&bill, Money::from_fen(0), OrderStatus::InBay),
            Err(Error::PriceNotPositive)
        );
        for not_now in [
            OrderStatus::Booked,
            OrderStatus::HandedOver,
            OrderStatus::Cancelled,
        ] {
            assert_eq!(
                check_adjustment(&bill, yuan(1), not_now),
                Err(Error::AdjustmentNotNow)
            );
        }
        assert_eq!(
            AdjustmentReason::parse("  刹车片有划痕，店长同意优惠 "),
            Ok(AdjustmentReason("刹车片有划痕，店长同意优惠".to_owned()))
        );
        assert_eq!(
            AdjustmentReason::parse(" x "),
            Err(Error::AdjustmentReasonMissing)
        );
        assert_eq!(
            AdjustmentReason::parse(&"优".repeat(201)),
            Err(Error::AdjustmentReasonMissing)
        );
    }

    proptest! {
        /// However adjustments are asked for, one after the other, each is checked
        /// against what is left: the total never goes below zero and falls by exactly
        /// what was allowed.
        #[test]
        fn adjustments_never_take_the_total_below_zero(
            booked in 0i64..100_000,
            extras in proptest::collection::vec(0i64..50_000, 0..4),
            asks in proptest::collection::vec(-1_000i64..80_000, 0..8),
        ) {
            let mut bill = Bill {
                booked: Money::from_fen(booked),
                extras: extras.into_iter().map(Money::from_fen).collect(),
                adjustments: Vec::new(),
            };
            for ask in asks {
                let before = bill.total().expect("total");
                match check_adjustment(&bill, Money::from_fen(ask), OrderStatus::Ready) {
                    Ok(()) => {
                        bill.adjustments.push(Money::from_fen(ask));
                        let after = bill.total().expect("total");
                        prop_assert_eq!(after.fen(), before.fen() - ask);
                        prop_assert!(after.fen() >= 0);
                    }
                    Err(e) => prop_assert!(ask <= 0 || ask > before.fen(), "{e:?}"),
                }
            }
        }
    }
}
