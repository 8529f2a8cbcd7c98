//! One stock truth: what a location has, what is on its way, and where a part for a job
//! at a store would come from, and when.
//!
//! Available stock is on hand minus reserved, and a reservation never takes more than is
//! available ([`StockLevel::reserve`]); storage applies the same rule as a conditional
//! update, so it holds under any concurrency. A part a store lacks may be *arriving* (a
//! shipment on its way covers it) or obtainable by *transfer* from the warehouse or
//! another store, riding the next delivery wave ([`DeliverySchedule`]).

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::local_time::{at_local_minute, local_date};
use crate::{Error, PartId, Quantity, ShipmentId, StoreId};

/// Stock of one part at one location, in thousandths of a unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawLevel", into = "RawLevel")]
pub struct StockLevel {
    on_hand_milli: u64,
    reserved_milli: u64,
}

#[derive(Serialize, Deserialize)]
struct RawLevel {
    on_hand_milli: u64,
    reserved_milli: u64,
}

impl TryFrom<RawLevel> for StockLevel {
    type Error = Error;
    fn try_from(r: RawLevel) -> Result<Self, Error> {
        StockLevel::new(r.on_hand_milli, r.reserved_milli)
    }
}

impl From<StockLevel> for RawLevel {
    fn from(l: StockLevel) -> RawLevel {
        RawLevel {
            on_hand_milli: l.on_hand_milli,
            reserved_milli: l.reserved_milli,
        }
    }
}

impl StockLevel {
    /// Nothing on the shelf.
    pub const EMPTY: StockLevel = StockLevel {
        on_hand_milli: 0,
        reserved_milli: 0,
    };

    /// A level whose reservations fit what is on hand, or [`Error::ReservationInvalid`].
    pub fn new(on_hand_milli: u64, reserved_milli: u64) -> Result<StockLevel, Error> {
        if reserved_milli > on_hand_milli {
            return Err(Error::ReservationInvalid);
        }
        Ok(StockLevel {
            on_hand_milli,
            reserved_milli,
        })
    }

    /// On the shelf.
    pub fn on_hand_milli(self) -> u64 {
        self.on_hand_milli
    }

    /// Held for bookings.
    pub fn reserved_milli(self) -> u64 {
        self.reserved_milli
    }

    /// What a new booking may still take.
    pub fn available_milli(self) -> u64 {
        self.on_hand_milli - self.reserved_milli
    }

    /// Holds `q` for a booking, or [`Error::OutOfStock`] if less is available.
    pub fn reserve(self, q: Quantity) -> Result<StockLevel, Error> {
        let q = u64::from(q.milli());
        if q > self.available_milli() {
            return Err(Error::OutOfStock);
        }
        Ok(StockLevel {
            reserved_milli: self.reserved_milli + q,
            ..self
        })
    }

    /// Gives back a hold (a cancelled booking).
    pub fn release(self, q: Quantity) -> Result<StockLevel, Error> {
        let q = u64::from(q.milli());
        let reserved_milli = self
            .reserved_milli
            .checked_sub(q)
            .ok_or(Error::ReservationInvalid)?;
        Ok(StockLevel {
            reserved_milli,
            ..self
        })
    }

    /// A held quantity leaves the shelf (fitted to the car).
    pub fn consume(self, q: Quantity) -> Result<StockLevel, Error> {
        let q = u64::from(q.milli());
        let reserved_milli = self
            .reserved_milli
            .checked_sub(q)
            .ok_or(Error::ReservationInvalid)?;
        Ok(StockLevel {
            on_hand_milli: self.on_hand_milli - q,
            reserved_milli,
        })
    }
}

/// Part of a shipment on its way to a store that no booking holds yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbound {
    /// The shipment.
    pub shipment: ShipmentId,
    /// What it carries.
    pub part: PartId,
    /// How much of it is still free to hold.
    pub available_milli: u64,
    /// When it is expected at the store.
    #[serde(with = "time::serde::rfc3339")]
    pub eta: OffsetDateTime,
}

/// When the warehouse's vans leave and how long a leg takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverySchedule {
    /// Local minutes after midnight when vans leave, every day.
    pub waves: Vec<u16>,
    /// Picking and loading before a wave.
    pub picking_min: u16,
    /// Fixed part of a leg (loading bay to kerb).
    pub base_leg_min: u16,
    /// Driving time per kilometre, city traffic.
    pub min_per_km: u16,
}

impl Default for DeliverySchedule {
    /// Three waves a day: 08:00, 13:00, 18:00.
    fn default() -> Self {
        DeliverySchedule {
            waves: vec![8 * 60, 13 * 60, 18 * 60],
            picking_min: 60,
            base_leg_min: 20,
            min_per_km: 3,
        }
    }
}

impl DeliverySchedule {
    /// When something picked from now on arrives `distance_m` away: the first wave that
    /// leaves after picking, plus the leg.
    pub fn eta(&self, now: OffsetDateTime, distance_m: u32) -> OffsetDateTime {
        let ready = now + Duration::minutes(i64::from(self.picking_min));
        let mut waves = self.waves.clone();
        if waves.is_empty() {
            waves.push(8 * 60);
        }
        waves.sort_unstable();
        let today = local_date(ready);
        let departure = (0..=1)
            .flat_map(|d| {
                let date = today + Duration::days(d);
                waves.iter().map(move |&w| at_local_minute(date, w))
            })
            .find(|&t| t >= ready)
            .unwrap_or_else(|| at_local_minute(today + Duration::days(1), waves[0]));
        let km = u64::from(distance_m).div_ceil(1000);
        let leg = u64::from(self.base_leg_min) + u64::from(self.min_per_km) * km;
        departure + Duration::minutes(i64::try_from(leg).unwrap_or(i64::MAX / 120))
    }
}

/// Another location a store can draw on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherLocation {
    /// The store or warehouse.
    pub location: StoreId,
    /// Whether it is the central warehouse.
    pub is_warehouse: bool,
    /// How far from the store that needs the part.
    pub distance_m: u32,
    /// What it could give.
    pub available_milli: u64,
}

/// Where a part for a job comes from, as the customer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Supply {
    /// On the store's shelf.
    Now,
    /// On a shipment already on its way.
    Arriving {
        /// The shipment that will hold it.
        shipment: ShipmentId,
        /// When it arrives.
        #[serde(with = "time::serde::rfc3339")]
        eta: OffsetDateTime,
    },
    /// Sent over from another location with a delivery wave.
    Transfer {
        /// Where it comes from.
        from: StoreId,
        /// When it arrives.
        #[serde(with = "time::serde::rfc3339")]
        eta: OffsetDateTime,
    },
    /// Nowhere in the chain.
    Unobtainable,
}

/// One part of a job and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartSupply {
    /// The part that fits.
    pub part: PartId,
    /// How much the job needs.
    pub quantity: Quantity,
    /// From where.
    pub supply: Supply,
}

/// Where `quantity` of `part` for a job at a store comes from. The whole quantity comes
/// from one source: one hold per part keeps cancelling and fitting simple, and a store
/// rarely needs a part it has half of. Preference: the shelf, then the earliest shipment
/// that covers it, then the transfer that arrives first (the warehouse on a tie, then the
/// nearest store).
pub fn supply_for(
    part: PartId,
    quantity: Quantity,
    here: StockLevel,
    inbound: &[Inbound],
    others: &[OtherLocation],
    schedule: &DeliverySchedule,
    now: OffsetDateTime,
) -> PartSupply {
    let need = u64::from(quantity.milli());
    let supply = if here.available_milli() >= need {
        Supply::Now
    } else if let Some(i) = inbound
        .iter()
        .filter(|i| i.part == part && i.available_milli >= need)
        .min_by_key(|i| (i.eta, i.shipment))
    {
        Supply::Arriving {
            shipment: i.shipment,
            eta: i.eta.max(now),
        }
    } else if let Some((eta, o)) = others
        .iter()
        .filter(|o| o.available_milli >= need)
        .map(|o| (schedule.eta(now, o.distance_m), o))
        .min_by_key(|(eta, o)| (*eta, !o.is_warehouse, o.distance_m, o.location))
    {
        Supply::Transfer {
            from: o.location,
            eta,
        }
    } else {
        Supply::Unobtainable
    };
    PartSupply {
        part,
        quantity,
        supply,
    }
}

/// The summary the store picker shows: the worst source of any part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overall {
    /// Every part is on the shelf.
    Now,
    /// Some part is on a shipment.
    Arriving,
    /// Some part must be transferred.
    Transfer,
    /// Some part cannot be had.
    Unobtainable,
}

/// A job's parts and when all of them can be at the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    /// Each part and its source.
    pub parts: Vec<PartSupply>,
    /// When the last part is there; `None` if some part is unobtainable.
    #[serde(with = "time::serde::rfc3339::option")]
    pub ready_at: Option<OffsetDateTime>,
}

/// Combines the parts' sources: ready when the last one arrives.
pub fn readiness(parts: Vec<PartSupply>, now: OffsetDateTime) -> Readiness {
    let ready_at = parts.iter().try_fold(now, |latest, p| match p.supply {
        Supply::Now => Some(latest),
        Supply::Arriving { eta, .. } | Supply::Transfer { eta, .. } => Some(latest.max(eta)),
        Supply::Unobtainable => None,
    });
    Readiness { parts, ready_at }
}

impl Readiness {
    /// The worst source of any part.
    pub fn overall(&self) -> Overall {
        self.parts
            .iter()
            .map(|p| match p.supply {
                Supply::Now => Overall::Now,
                Supply::Arriving { .. } => Overall::Arriving,
                Supply::Transfer { .. } => Overall::Transfer,
                Supply::Unobtainable => Overall::Unobtainable,
            })
            .max()
            .unwrap_or(Overall::Now)
    }
}

/// A store in the picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreOption<T> {
    /// What the caller shows.
    pub store: T,
    /// From the customer.
    pub distance_m: u32,
    /// The earliest possible start of the service; `None` if none in the horizon.
    #[serde(with = "time::serde::rfc3339::option")]
    pub earliest_start: Option<OffsetDateTime>,
}

/// Sorted by earliest possible service, then distance; stores that cannot serve go last,
/// nearest first.
pub fn rank_stores<T>(mut options: Vec<StoreOption<T>>) -> Vec<StoreOption<T>> {
    options.sort_by_key(|o| (o.earliest_start.is_none(), o.earliest_start, o.distance_m));
    options
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;
    use uuid::Uuid;

    fn q(milli: u32) -> Quantity {
        Quantity::from_milli(milli).expect("quantity")
    }

    fn part() -> PartId {
        PartId(Uuid::from_u128(1))
    }

    fn store(n: u128) -> StoreId {
        StoreId(Uuid::from_u128(n))
    }

    const NOW: OffsetDateTime = datetime!(2026-11-23 10:00 +8);

    #[test]
    fn reserve_release_consume() {
        let l = StockLevel::new(5000, 1000).expect("level");
        assert_eq!(l.available_milli(), 4000);
        assert_eq!(l.reserve(q(4001)), Err(Error::OutOfStock));
        let l = l.reserve(q(4000)).expect("fits");
        assert_eq!(l.available_milli(), 0);
        assert_eq!(l.release(q(5001)), Err(Error::ReservationInvalid));
        let l = l.consume(q(1000)).expect("consume");
        assert_eq!((l.on_hand_milli(), l.reserved_milli()), (4000, 4000));
        assert_eq!(StockLevel::new(1, 2), Err(Error::ReservationInvalid));
        assert!(
            serde_json::from_str::<StockLevel>(r#"{"on_hand_milli":1,"reserved_milli":2}"#)
                .is_err()
        );
    }

    #[test]
    fn waves_roll_over_to_the_next_day() {
        let s = DeliverySchedule::default();
        // 10:00 + 60 min picking → the 13:00 wave, 5 km → 20 + 15 minutes.
        assert_eq!(s.eta(NOW, 5_000), datetime!(2026-11-23 13:35 +8));
        // 17:30 + 60 → past 18:00, so tomorrow 08:00.
        assert_eq!(
            s.eta(datetime!(2026-11-23 17:30 +8), 0),
            datetime!(2026-11-24 08:20 +8)
        );
        let empty = DeliverySchedule {
            waves: vec![],
            ..DeliverySchedule::default()
        };
        assert!(empty.eta(NOW, 0) > NOW);
    }

    #[test]
    fn the_shelf_then_a_shipment_then_the_fastest_transfer() {
        let s = DeliverySchedule::default();
        let shelf = StockLevel::new(4000, 0).expect("level");
        let need = q(4500);
        assert_eq!(
            supply_for(part(), q(4000), shelf, &[], &[], &s, NOW).supply,
            Supply::Now
        );
        let ship = Inbound {
            shipment: ShipmentId(Uuid::from_u128(9)),
            part: part(),
            available_milli: 5000,
            eta: datetime!(2026-11-23 15:00 +8),
        };
        assert!(matches!(
            supply_for(
                part(),
                need,
                shelf,
                std::slice::from_ref(&ship),
                &[],
                &s,
                NOW
            )
            .supply,
            Supply::Arriving { .. }
        ));
        let others = [
            OtherLocation {
                location: store(2),
                is_warehouse: false,
                distance_m: 2_000,
                available_milli: 9000,
            },
            OtherLocation {
                location: store(3),
                is_warehouse: true,
                distance_m: 2_000,
                available_milli: 9000,
            },
            OtherLocation {
                location: store(4),
                is_warehouse: false,
                distance_m: 1_000,
                available_milli: 1000,
            },
        ];
        match supply_for(part(), need, shelf, &[], &others, &s, NOW).supply {
            Supply::Transfer { from, .. } => assert_eq!(from, store(3), "warehouse wins the tie"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            supply_for(part(), q(99_000), shelf, &[ship], &others, &s, NOW).supply,
            Supply::Unobtainable
        );
    }

    #[test]
    fn readiness_waits_for_the_last_part() {
        let eta = datetime!(2026-11-23 13:35 +8);
        let parts = vec![
            PartSupply {
                part: part(),
                quantity: q(1000),
                supply: Supply::Now,
            },
            PartSupply {
                part: part(),
                quantity: q(1000),
                supply: Supply::Transfer {
                    from: store(2),
                    eta,
                },
            },
        ];
        let r = readiness(parts.clone(), NOW);
        assert_eq!(r.ready_at, Some(eta));
        assert_eq!(r.overall(), Overall::Transfer);
        let mut none = parts;
        none.push(PartSupply {
            part: part(),
            quantity: q(1),
            supply: Supply::Unobtainable,
        });
        let r = readiness(none, NOW);
        assert_eq!(r.ready_at, None);
        assert_eq!(r.overall(), Overall::Unobtainable);
        assert_eq!(readiness(vec![], NOW).ready_at, Some(NOW));
    }

    #[test]
    fn stores_rank_by_earliest_start_then_distance() {
        let o = |n: u32, d: u32, t: Option<OffsetDateTime>| StoreOption {
            store: n,
            distance_m: d,
            earliest_start: t,
        };
        let ranked = rank_stores(vec![
            o(1, 500, None),
            o(2, 9_000, Some(NOW)),
            o(3, 1_000, Some(NOW + Duration::hours(1))),
            o(4, 3_000, Some(NOW)),
            o(5, 100, None),
        ]);
        let order: Vec<u32> = ranked.iter().map(|o| o.store).collect();
        assert_eq!(order, vec![4, 2, 3, 5, 1]);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Reserve(u32),
        Release(u32),
        Consume(u32),
    }

    proptest! {
        #[test]
        fn a_reservation_never_makes_available_stock_negative(
            on_hand in 0u64..20_000,
            ops in prop::collection::vec(prop_oneof![
                (1u32..6_000).prop_map(Op::Reserve),
                (1u32..6_000).prop_map(Op::Release),
                (1u32..6_000).prop_map(Op::Consume),
            ], 0..50),
        ) {
            let mut level = StockLevel::new(on_hand, 0).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut held: u64 = 0;
            for op in ops {
                let before = level;
                let result = match op {
                    Op::Reserve(m) => level.reserve(q(m)).map(|l| (l, held + u64::from(m))),
                    Op::Release(m) => level.release(q(m)).map(|l| (l, held - u64::from(m))),
                    Op::Consume(m) => level.consume(q(m)).map(|l| (l, held - u64::from(m))),
                };
                match result {
                    Ok((next, h)) => { level = next; held = h; }
                    Err(_) => prop_assert_eq!(level, before),
                }
                prop_assert!(level.reserved_milli() <= level.on_hand_milli());
                prop_assert_eq!(level.reserved_milli(), held);
            }
        }

        #[test]
        fn eta_is_after_now_and_monotone(
            minutes in 0i64..(3 * 24 * 60),
            later in 0i64..600,
            d1 in 0u32..50_000,
            d2 in 0u32..50_000,
        ) {
            let s = DeliverySchedule::default();
            let now = NOW + Duration::minutes(minutes);
            prop_assert!(s.eta(now, d1) > now);
            prop_assert!(s.eta(now, d1) <= s.eta(now + Duration::minutes(later), d1));
            let (near, far) = (d1.min(d2), d1.max(d2));
            prop_assert!(s.eta(now, near) <= s.eta(now, far));
        }

        #[test]
        fn ranking_is_a_sorted_permutation(
            raw in prop::collection::vec((0u32..10_000, prop::option::of(0i64..1000)), 0..20),
        ) {
            let options: Vec<StoreOption<usize>> = raw.iter().enumerate()
                .map(|(i, (d, t))| StoreOption { store: i, distance_m: *d, earliest_start: t.map(|m| NOW + Duration::minutes(m)) })
                .collect();
            let ranked = rank_stores(options);
            let mut ids: Vec<usize> = ranked.iter().map(|o| o.store).collect();
            ids.sort_unstable();
            prop_assert_eq!(ids, (0..raw.len()).collect::<Vec<_>>());
            for w in ranked.windows(2) {
                let key = |o: &StoreOption<usize>| (o.earliest_start.is_none(), o.earliest_start, o.distance_m);
                prop_assert!(key(&w[0]) <= key(&w[1]));
            }
        }
    }
}
