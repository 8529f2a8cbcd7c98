//! Parts on a work order: what it holds and where, what a technician picks, and where
//! an extra part comes from.
//!
//! A booking holds its parts ([`crate::booking::Hold`]): on the store's shelf, on a
//! shipment on its way, or at another location that sends them over. At the bay the
//! technician *picks*: what the order holds on the store's own shelf leaves the shelf,
//! reserved stock becoming consumed ([`to_pick`]). What is still on its way is shown
//! with when it arrives, and picked once it is on the shelf (receiving is the supply
//! chain's).
//!
//! A part nobody planned for (a clip broke, the engine took more oil) is held for the
//! order on the spot when the shelf has it, or requested from where the booking would
//! have taken it: a shipment on its way or another location's spare stock
//! ([`extra_hold`]). It is not added to the bill: work the customer pays for more is a
//! finding they approve ([`crate::findings`]).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::booking::{hold_for, part_supply, Hold};
use crate::network::{Location, Network};
use crate::stock::DeliverySchedule;
use crate::{Error, OrderStatus, PartId, Quantity};

/// The most of one part added to an order at once, in thousandths (50 units): more is
/// a slip of the finger, or a purchase, not a repair.
pub const MAX_EXTRA_MILLI: u32 = 50_000;

/// Where an order's hold of a part is, as its store sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PartPlace {
    /// On the store's own shelf.
    Shelf,
    /// On its way: a shipment or a transfer from another location, due then.
    Arriving {
        /// When it is due at the store.
        #[serde(with = "time::serde::rfc3339")]
        eta: OffsetDateTime,
    },
}

/// A part an order holds, and how much of it was picked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldPart {
    /// The part.
    pub part: PartId,
    /// How much the order holds in all.
    pub quantity: Quantity,
    /// How much of it left the shelf for the car, in thousandths.
    pub picked_milli: u32,
    /// Where the hold is.
    pub place: PartPlace,
}

impl HeldPart {
    /// What is still to pick, in thousandths.
    pub fn left_milli(&self) -> u32 {
        self.quantity.milli().saturating_sub(self.picked_milli)
    }
}

/// Parts are picked or added while the car is at the store being worked on: checked in
/// or in a bay; else [`Error::PartsNotNow`].
pub fn may_handle_parts(status: OrderStatus) -> Result<(), Error> {
    match status {
        OrderStatus::CheckedIn | OrderStatus::InBay => Ok(()),
        _ => Err(Error::PartsNotNow),
    }
}

/// What a pick takes: of each part the order holds on the store's shelf, what is left
/// to pick. [`Error::NothingToPick`] when that is nothing (all picked, or all still on
/// its way).
pub fn to_pick(held: &[HeldPart]) -> Result<Vec<(PartId, u32)>, Error> {
    let picks: Vec<(PartId, u32)> = held
        .iter()
        .filter(|h| h.place == PartPlace::Shelf && h.left_milli() > 0)
        .map(|h| (h.part, h.left_milli()))
        .collect();
    if picks.is_empty() {
        Err(Error::NothingToPick)
    } else {
        Ok(picks)
    }
}

/// Where `quantity` more of `part` comes from for an order at `store` that holds
/// `held`. A part the order does not hold yet comes from where a booking would take
/// it ([`part_supply`]): the shelf, a shipment on its way, or another location's spare
/// stock; [`Error::OutOfStock`] if nowhere has it. More of a part the order already
/// holds is added on the store's shelf only (one hold per part and order):
/// [`Error::OutOfStock`] if the shelf has not that much free, and
/// [`Error::PartHeldElsewhere`] if the order's hold of it is still on its way. More
/// than [`MAX_EXTRA_MILLI`] is [`Error::QuantityInvalid`].
pub fn extra_hold(
    network: &Network,
    store: &Location,
    part: PartId,
    quantity: Quantity,
    held: &[HeldPart],
    schedule: &DeliverySchedule,
    now: OffsetDateTime,
) -> Result<Hold, Error> {
    if quantity.milli() > MAX_EXTRA_MILLI {
        return Err(Error::QuantityInvalid);
    }
    let supply = part_supply(network, store, part, quantity, schedule, now);
    match held.iter().find(|h| h.part == part).map(|h| h.place) {
        None => hold_for(store.id, &supply),
        Some(PartPlace::Shelf) if network.shelf(store.id, part).level.covers(quantity) => {
            hold_for(store.id, &supply)
        }
        Some(PartPlace::Shelf) => Err(Error::OutOfStock),
        Some(PartPlace::Arriving { .. }) => Err(Error::PartHeldElsewhere),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::Source;
    use crate::geo::GeoPoint;
    use crate::network::Shelf;
    use crate::stock::StockLevel;
    use crate::StoreId;
    use proptest::prelude::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-07 09:00 +8);

    fn location(n: u8, lat_e6: i32) -> Location {
        Location {
            id: StoreId::from(uuid::Uuid::from_bytes([n; 16])),
            code: format!("L{n}"),
            name_zh: String::new(),
            name_en: String::new(),
            address_zh: String::new(),
            address_en: String::new(),
            is_warehouse: false,
            geo: GeoPoint::new(lat_e6, 120_150_000).expect("point"),
            bays: 4,
            technicians: 4,
            hours: Vec::new(),
            waves: crate::stock::Waves::CHAIN,
        }
    }

    fn part() -> PartId {
        PartId::from(uuid::Uuid::from_bytes([9; 16]))
    }

    fn q(milli: u32) -> Quantity {
        Quantity::from_milli(milli).expect("quantity")
    }

    /// The store and a neighbour, with `here` and `there` of the part on hand (none
    /// reserved, no safety stock at the store, 1 unit at the neighbour).
    fn network(here: u32, there: u32) -> (Network, Location) {
        let store = location(1, 30_250_000);
        let other = location(2, 30_260_000);
        let shelf = |on_hand: u32, safety: u64| Shelf {
            level: StockLevel::new(u64::from(on_hand), 0).expect("level"),
            safety_milli: safety,
        };
        let network = Network {
            stock: [
                ((store.id, part()), shelf(here, 0)),
                ((other.id, part()), shelf(there, 1000)),
            ]
            .into_iter()
            .collect(),
            inbound: Vec::new(),
            locations: vec![store.clone(), other],
        };
        (network, store)
    }

    fn held(quantity: u32, picked: u32, place: PartPlace) -> HeldPart {
        HeldPart {
            part: part(),
            quantity: q(quantity),
            picked_milli: picked,
            place,
        }
    }

    #[test]
    fn parts_are_handled_only_while_the_car_is_being_worked_on() {
        for status in OrderStatus::ALL {
            let expected = matches!(status, OrderStatus::CheckedIn | OrderStatus::InBay);
            assert_eq!(may_handle_parts(status).is_ok(), expected, "{status:?}");
        }
    }

    #[test]
    fn a_pick_takes_what_is_left_on_the_shelf_and_nothing_on_its_way() {
        let arriving = PartPlace::Arriving { eta: NOW };
        assert_eq!(
            to_pick(&[held(4000, 0, PartPlace::Shelf)]),
            Ok(vec![(part(), 4000)])
        );
        assert_eq!(
            to_pick(&[held(5000, 4000, PartPlace::Shelf)]),
            Ok(vec![(part(), 1000)])
        );
        assert_eq!(
            to_pick(&[held(4000, 4000, PartPlace::Shelf)]),
            Err(Error::NothingToPick)
        );
        assert_eq!(
            to_pick(&[held(4000, 0, arriving)]),
            Err(Error::NothingToPick)
        );
        assert_eq!(to_pick(&[]), Err(Error::NothingToPick));
    }

    #[test]
    fn an_extra_part_comes_from_the_shelf_or_is_requested_from_a_neighbour() {
        let (net, store) = network(2000, 5000);
        let hold = extra_hold(
            &net,
            &store,
            part(),
            q(1000),
            &[],
            &DeliverySchedule::default(),
            NOW,
        )
        .expect("shelf");
        assert_eq!(hold.source, Source::Shelf { at: store.id });
        // Not enough here: the neighbour's spare, above its safety stock, is sent.
        let hold = extra_hold(
            &net,
            &store,
            part(),
            q(3000),
            &[],
            &DeliverySchedule::default(),
            NOW,
        )
        .expect("sent");
        assert!(matches!(hold.source, Source::Transfer { from, .. } if from != store.id));
        assert_eq!(
            extra_hold(
                &net,
                &store,
                part(),
                q(MAX_EXTRA_MILLI + 1),
                &[],
                &DeliverySchedule::default(),
                NOW
            ),
            Err(Error::QuantityInvalid)
        );
        // More than anyone can spare.
        assert_eq!(
            extra_hold(
                &net,
                &store,
                part(),
                q(9000),
                &[],
                &DeliverySchedule::default(),
                NOW
            ),
            Err(Error::OutOfStock)
        );
    }

    #[test]
    fn more_of_a_part_held_is_added_on_the_shelf_only() {
        let (net, store) = network(2000, 5000);
        let on_shelf = [held(1000, 0, PartPlace::Shelf)];
        let hold = extra_hold(
            &net,
            &store,
            part(),
            q(1000),
            &on_shelf,
            &DeliverySchedule::default(),
            NOW,
        )
        .expect("added");
        assert_eq!(hold.source, Source::Shelf { at: store.id });
        assert_eq!(
            extra_hold(
                &net,
                &store,
                part(),
                q(3000),
                &on_shelf,
                &DeliverySchedule::default(),
                NOW
            ),
            Err(Error::OutOfStock),
            "not a second hold from elsewhere"
        );
        let arriving = [held(1000, 0, PartPlace::Arriving { eta: NOW })];
        assert_eq!(
            extra_hold(
                &net,
                &store,
                part(),
                q(1000),
                &arriving,
                &DeliverySchedule::default(),
                NOW
            ),
            Err(Error::PartHeldElsewhere)
        );
    }

    proptest! {
        #[test]
        fn a_pick_never_takes_more_than_is_held_on_the_shelf(
            parts in prop::collection::vec((1u32..10_000, 0u32..10_000, any::<bool>()), 0..6)
        ) {
            let held: Vec<HeldPart> = parts
                .iter()
                .enumerate()
                .map(|(i, &(quantity, picked, shelf))| HeldPart {
                    part: PartId::from(uuid::Uuid::from_bytes([u8::try_from(i).unwrap_or(0); 16])),
                    quantity: q(quantity),
                    picked_milli: picked.min(quantity),
                    place: if shelf { PartPlace::Shelf } else { PartPlace::Arriving { eta: NOW } },
                })
                .collect();
            match to_pick(&held) {
                Ok(picks) => {
                    for (p, milli) in picks {
                        let h = held.iter().find(|h| h.part == p).expect("held");
                        prop_assert_eq!(h.place, PartPlace::Shelf);
                        prop_assert!(milli > 0 && milli + h.picked_milli == h.quantity.milli());
                    }
                }
                Err(e) => {
                    prop_assert_eq!(e, Error::NothingToPick);
                    prop_assert!(held.iter().all(|h| h.place != PartPlace::Shelf || h.left_milli() == 0));
                }
            }
        }
    }
}
