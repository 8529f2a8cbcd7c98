//! The life of a work order: booked → checked in → in bay → quality check → ready →
//! handed over, or cancelled. Which step may follow which lives here, once.

use serde::{Deserialize, Serialize};

use crate::Error;

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

    /// A customer may cancel only before the car is checked in: after that, work and
    /// parts are committed and the store handles it.
    pub fn cancel(self) -> Result<OrderStatus, Error> {
        match self {
            OrderStatus::Booked => Ok(OrderStatus::Cancelled),
            _ => Err(Error::NotCancellable),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(!OrderStatus::Cancelled.is_open());
        assert!(!OrderStatus::HandedOver.is_open());
    }
}
