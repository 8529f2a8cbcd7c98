//! The booking plan: "this service, for this car, at this store, at this time", decided
//! once.
//!
//! Storage reads a [`Situation`] (the job's parts through fitment, the price list,
//! policies and tier, the network's shelves and shipments, the delivery schedule, the
//! stores' hours, bays and load, the booking limits, now) and three questions are asked
//! of it, all answered from the same parts:
//!
//! - [`offers`]: the store picker, every store with where the parts would come from and
//!   its earliest slot, ranked;
//! - [`slots`]: one store's bookable starts;
//! - [`plan`]: the booking itself: the [`Breakdown`], where each part comes from
//!   ([`Hold`]s), the capacity steps to take and the end, or the reason it cannot be.
//!
//! The transaction applies a [`BookingPlan`] with guarded updates and decides nothing
//! itself; the guards only refuse what a concurrent writer changed since the read.
//! Anything [`slots`] offers, [`plan`] accepts for the same situation (a property test
//! holds them to it), so what a customer is shown is what they get, or a "just taken".
//!
//! Rows are locked in one order by every write that touches them (see
//! [`Hold::lock_key`]): the customer, shelves by (location, part), shipments by id,
//! capacity steps by time. Booking and cancelling both follow it, so two of them wait
//! for each other instead of deadlocking.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::breakdown::{breakdown, Breakdown};
use crate::discount::{DiscountPolicy, Tier};
use crate::geo::{distance_m, GeoPoint};
use crate::network::{Location, Network};
use crate::pricing::PriceList;
use crate::slots::{self, Load, Slot};
use crate::stock::{
    rank_stores, readiness, supply_for, DeliverySchedule, Inbound, OtherLocation, PartSupply,
    Readiness, StoreOption, Supply,
};
use crate::{
    BookingLimits, Error, IdempotencyKey, Money, OpenBooking, OrderId, OrderStatus, PartId,
    Quantity, ServiceId, ShipmentId, StoreId, VehicleId,
};

/// One service for one vehicle model: what it takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// The service.
    pub service: ServiceId,
    /// How long it takes, in minutes.
    pub duration_min: u16,
    /// The parts that fit the model and how much of each, in the service's order.
    pub needs: Vec<(PartId, Quantity)>,
}

impl Job {
    /// The needs with each part once, quantities added up: a part listed twice (two
    /// categories fitted by one SKU) is sourced and held once, for the sum.
    fn merged_needs(&self) -> Vec<(PartId, Quantity)> {
        let mut merged: Vec<(PartId, Quantity)> = Vec::with_capacity(self.needs.len());
        for &(part, q) in &self.needs {
            match merged.iter_mut().find(|(p, _)| *p == part) {
                Some((_, total)) => {
                    // Saturates at Quantity's ceiling: such a need cannot be covered anyway.
                    let sum = total.milli().saturating_add(q.milli());
                    *total = Quantity::from_milli(sum).unwrap_or(*total);
                }
                None => merged.push((part, q)),
            }
        }
        merged
    }
}

/// A part a service needs on one vehicle model, resolved through fitment, with the
/// names the customer is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartNeed {
    /// The part that fits.
    pub part: PartId,
    /// Its SKU.
    pub sku: String,
    /// Name in Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// How much the service takes.
    pub quantity: Quantity,
}

impl Job {
    /// The job of `service` (taking `duration_min`) with these parts.
    pub fn new(service: ServiceId, duration_min: u16, needs: &[PartNeed]) -> Job {
        Job {
            service,
            duration_min,
            needs: needs.iter().map(|n| (n.part, n.quantity)).collect(),
        }
    }
}

/// A booking as it was made: the customer's own view of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    /// The order.
    pub id: OrderId,
    /// What the customer reads out at the counter ([`reference`]).
    pub reference: String,
    /// Where it stands.
    pub status: OrderStatus,
    /// The store.
    pub store: StoreId,
    /// The store's name in Chinese.
    pub store_zh: String,
    /// The store's name in English.
    pub store_en: String,
    /// The vehicle's plate.
    pub plate: String,
    /// The service's name in Chinese.
    pub service_zh: String,
    /// The service's name in English.
    pub service_en: String,
    /// When it starts.
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    /// When its capacity is free again.
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    /// The prices it locked.
    pub breakdown: Breakdown,
}

/// A short reference a person can read out at the counter, e.g. `BK-7Q4M2X9C`: eight
/// characters of the order id in an alphabet without look-alikes (no 0/O, 1/I/L).
pub fn reference(id: OrderId) -> String {
    reference_with("BK-", id.as_uuid())
}

/// `prefix` and eight characters of `id` in an alphabet without look-alikes: the
/// references people read out (see [`reference`]).
pub fn reference_with(prefix: &str, id: Uuid) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let base = ALPHABET.len() as u128;
    let mut n = id.as_u128();
    let mut s = String::from(prefix);
    for _ in 0..8 {
        s.push(char::from(ALPHABET[(n % base) as usize]));
        n /= base;
    }
    s
}

/// Everything a booking decision reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Situation {
    /// The job.
    pub job: Job,
    /// The price list in force.
    pub prices: PriceList,
    /// The discount policies in force.
    pub policies: Vec<DiscountPolicy>,
    /// The customer's membership tier.
    pub tier: Tier,
    /// The stores in question and the locations that could send the parts.
    pub network: Network,
    /// Booked capacity per store and step (a missing store or step has nothing booked).
    pub loads: HashMap<StoreId, Load>,
    /// Picking and legs of the warehouse's vans (each store's waves are its route's).
    pub schedule: DeliverySchedule,
    /// How far ahead, how soon and how much one customer may book.
    pub limits: BookingLimits,
    /// The instant of the decision.
    pub now: OffsetDateTime,
}

impl Situation {
    /// The job priced at `now` for this customer: the breakdown every decision shows
    /// and checks.
    pub fn priced(&self) -> Result<Breakdown, Error> {
        breakdown(
            &self.prices,
            self.job.service,
            &self.job.needs,
            self.tier,
            &self.policies,
            self.now,
        )
    }
}

/// What a customer asks to book, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingRequest {
    /// Their vehicle.
    pub vehicle: VehicleId,
    /// The service.
    pub service: ServiceId,
    /// The store.
    pub store: StoreId,
    /// The start they picked.
    pub start: OffsetDateTime,
    /// The total they saw; a booking at any other total is refused.
    pub expected_total: Money,
    /// Made once by the page; a retry with it gets the first answer.
    pub idempotency_key: IdempotencyKey,
}

impl BookingRequest {
    /// What must match for a retry with the same key to be the same request.
    pub fn fingerprint(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.vehicle,
            self.service,
            self.store,
            self.start.unix_timestamp(),
            self.expected_total.fen()
        )
    }
}

/// Where a held part comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// The booked store's own shelf.
    Shelf {
        /// The store.
        at: StoreId,
    },
    /// A shipment already on its way to the store.
    Shipment {
        /// The shipment.
        shipment: ShipmentId,
    },
    /// Another location's shelf, sent over with a delivery wave: held there as a
    /// transfer, never below that location's safety stock.
    Transfer {
        /// Where it is sent from.
        from: StoreId,
        /// When it arrives.
        #[serde(with = "time::serde::rfc3339")]
        eta: OffsetDateTime,
    },
}

/// A quantity of one part a booking holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hold {
    /// The part.
    pub part: PartId,
    /// How much.
    pub quantity: Quantity,
    /// From where.
    pub source: Source,
}

impl Hold {
    /// The order rows are locked in: shelves (the store's own and transfer sources
    /// alike) by location then part, then shipments by id. Booking and cancelling sort
    /// their holds by this key.
    pub fn lock_key(&self) -> (u8, Uuid, Uuid) {
        match self.source {
            Source::Shelf { at } => (0, at.as_uuid(), self.part.as_uuid()),
            Source::Transfer { from, .. } => (0, from.as_uuid(), self.part.as_uuid()),
            Source::Shipment { shipment } => (1, shipment.as_uuid(), self.part.as_uuid()),
        }
    }

    /// The location whose shelf the hold takes from, if any.
    pub fn shelf(&self) -> Option<StoreId> {
        match self.source {
            Source::Shelf { at } => Some(at),
            Source::Transfer { from, .. } => Some(from),
            Source::Shipment { .. } => None,
        }
    }
}

/// A booking decided: what the transaction writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingPlan {
    /// The store.
    pub store: StoreId,
    /// The prices it locks.
    pub breakdown: Breakdown,
    /// The parts it holds, in [`Hold::lock_key`] order.
    pub holds: Vec<Hold>,
    /// The store's capacity: each step may be raised only while below it.
    pub capacity: u32,
    /// The capacity steps it takes one unit of, in time order.
    pub steps: Vec<OffsetDateTime>,
    /// When it starts.
    pub start: OffsetDateTime,
    /// When its last step ends.
    pub end: OffsetDateTime,
}

impl BookingPlan {
    /// Every location whose availability the booking changes (for live updates).
    pub fn locations(&self) -> Vec<StoreId> {
        let mut at: Vec<StoreId> = std::iter::once(self.store)
            .chain(self.holds.iter().filter_map(Hold::shelf))
            .collect();
        at.sort();
        at.dedup();
        at
    }
}

/// Where each part of the job comes from for a job at `store`, and when all can be there.
///
/// Each part is sourced whole by [`supply_for`]: the store's shelf, then a shipment on
/// its way, then the location whose *spare* stock (above its safety stock) covers it and
/// arrives first. Locations that cannot cover a part are never chosen, so a network that
/// leaves them out gives the same answer.
pub fn readiness_at(
    network: &Network,
    store: &Location,
    job: &Job,
    schedule: &DeliverySchedule,
    now: OffsetDateTime,
) -> Readiness {
    let parts = job
        .merged_needs()
        .into_iter()
        .map(|(part, quantity)| part_supply(network, store, part, quantity, schedule, now))
        .collect();
    readiness(parts, now)
}

/// Where `quantity` of `part` comes from for work at `store` ([`supply_for`] over the
/// network): its shelf, a shipment on its way, or the location whose spare stock covers
/// it and arrives first.
pub fn part_supply(
    network: &Network,
    store: &Location,
    part: PartId,
    quantity: Quantity,
    schedule: &DeliverySchedule,
    now: OffsetDateTime,
) -> PartSupply {
    let here = network.shelf(store.id, part).level;
    if here.covers(quantity) {
        // The common case, answered without looking at the rest of the chain.
        return PartSupply {
            part,
            quantity,
            supply: Supply::Now,
        };
    }
    let need = u64::from(quantity.milli());
    let inbound: Vec<Inbound> = network
        .inbound
        .iter()
        .filter(|(to, i)| *to == store.id && i.part == part)
        .map(|(_, i)| i.clone())
        .collect();
    // Only locations that could send it all are candidates: `supply_for` would pass over
    // the others anyway.
    let others: Vec<OtherLocation> = network
        .locations
        .iter()
        .filter(|l| l.id != store.id)
        .map(|l| (l, network.shelf(l.id, part).spare_milli()))
        .filter(|&(_, spare)| spare >= need)
        .map(|(l, spare)| OtherLocation {
            location: l.id,
            is_warehouse: l.is_warehouse,
            distance_m: distance_m(store.geo, l.geo),
            available_milli: spare,
        })
        .collect();
    // What is sent to the store rides its own route's next wave.
    let schedule = schedule.on(store.waves);
    supply_for(part, quantity, here, &inbound, &others, &schedule, now)
}

/// The hold that takes a part from where [`part_supply`] found it for work at `store`,
/// or [`Error::OutOfStock`] if nowhere has it.
pub fn hold_for(store: StoreId, p: &PartSupply) -> Result<Hold, Error> {
    let source = match p.supply {
        Supply::Now => Source::Shelf { at: store },
        Supply::Arriving { shipment, .. } => Source::Shipment { shipment },
        Supply::Transfer { from, eta } => Source::Transfer { from, eta },
        Supply::Unobtainable => return Err(Error::OutOfStock),
    };
    Ok(Hold {
        part: p.part,
        quantity: p.quantity,
        source,
    })
}

/// The store's bookable slots when the parts are ready at `parts_ready`: inside the
/// window the limits allow, on the grid, inside its hours, with capacity left.
fn slots_from(s: &Situation, store: &Location, parts_ready: OffsetDateTime) -> Vec<Slot> {
    let (earliest, horizon_end) = s.limits.window(s.now);
    let not_before = parts_ready.max(earliest);
    let from = crate::local_time::local_date(not_before);
    let days = (crate::local_time::local_date(horizon_end) - from).whole_days();
    let Ok(days) = u16::try_from(days) else {
        return Vec::new();
    };
    let empty = Load::new();
    slots::slot_grid(
        &store.hours,
        from,
        days,
        s.job.duration_min,
        store.capacity(),
        s.loads.get(&store.id).unwrap_or(&empty),
        not_before,
    )
    .into_iter()
    .filter(|slot| slot.start < horizon_end)
    .collect()
}

fn bookable_store(s: &Situation, id: StoreId) -> Result<&Location, Error> {
    s.network
        .location(id)
        .filter(|l| !l.is_warehouse)
        .ok_or(Error::StoreUnknown)
}

/// One store in the picker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreOffer<'a> {
    /// The store.
    pub location: &'a Location,
    /// From the customer, in metres.
    pub distance_m: u32,
    /// Where each part would come from.
    pub readiness: Readiness,
    /// The first slot with capacity once the parts can be there, within the limits.
    pub earliest: Option<Slot>,
}

/// Every store of the network for the job, ranked: those that can serve first, by
/// earliest start then distance from `from`; those that cannot after them, nearest first.
pub fn offers(s: &Situation, from: GeoPoint) -> Vec<StoreOffer<'_>> {
    let options = s
        .network
        .stores()
        .map(|location| {
            let readiness = readiness_at(&s.network, location, &s.job, &s.schedule, s.now);
            let earliest = readiness
                .ready_at
                .and_then(|ready| slots_from(s, location, ready).first().copied());
            StoreOption {
                distance_m: distance_m(from, location.geo),
                earliest_start: earliest.map(|slot| slot.start),
                store: (location, readiness, earliest),
            }
        })
        .collect();
    rank_stores(options)
        .into_iter()
        .map(|o| {
            let (location, readiness, earliest) = o.store;
            StoreOffer {
                location,
                distance_m: o.distance_m,
                readiness,
                earliest,
            }
        })
        .collect()
}

/// The bookable starts of one store, in time order; [`Error::StoreUnknown`] if it takes
/// no bookings, [`Error::PartsUnobtainable`] if the parts cannot be had there.
pub fn slots(s: &Situation, store: StoreId) -> Result<Vec<Slot>, Error> {
    let location = bookable_store(s, store)?;
    let ready = readiness_at(&s.network, location, &s.job, &s.schedule, s.now)
        .ready_at
        .ok_or(Error::PartsUnobtainable)?;
    Ok(slots_from(s, location, ready))
}

/// Decides a booking, or says why it cannot be, checking in this order:
///
/// 1. the store takes bookings ([`Error::StoreUnknown`]);
/// 2. the job is priced ([`Error::NotPriced`]) at the total the customer saw
///    ([`Error::PriceChanged`]);
/// 3. the customer's limits, given their bookings not yet over in `open`
///    ([`Error::SlotTooSoon`], [`Error::SlotBeyondHorizon`],
///    [`Error::VehicleAlreadyBooked`], [`Error::TooManyOpenBookings`]): "too far ahead"
///    is the answer for day 400, whatever the store's hours that day;
/// 4. every part can be had ([`Error::OutOfStock`]: the picker and the slot list never
///    offer a store whose parts cannot be had, so someone else just took them);
/// 5. the start is on the grid, inside the store's hours, not before the parts can be
///    there ([`Error::SlotInvalid`]);
/// 6. every step has capacity left ([`Error::SlotUnavailable`]).
pub fn plan(
    s: &Situation,
    request: &BookingRequest,
    open: &[OpenBooking],
) -> Result<BookingPlan, Error> {
    let store = bookable_store(s, request.store)?;
    let priced = s.priced()?;
    priced.check_total(request.expected_total)?;

    let duration = s.job.duration_min;
    let start = request.start;
    let end = start
        .checked_add(slots::held(duration))
        .ok_or(Error::SlotInvalid)?;
    s.limits.check(s.now, request.vehicle, start, end, open)?;

    let ready = readiness_at(&s.network, store, &s.job, &s.schedule, s.now);
    let ready_at = ready.ready_at.ok_or(Error::OutOfStock)?;
    slots::check_start(&store.hours, start, duration, ready_at.max(s.now))?;

    let capacity = store.capacity();
    let empty = Load::new();
    let load = s.loads.get(&store.id).unwrap_or(&empty);
    if !slots::is_free(load, capacity, start, duration) {
        return Err(Error::SlotUnavailable);
    }

    let mut holds = ready
        .parts
        .iter()
        .map(|p| hold_for(store.id, p))
        .collect::<Result<Vec<_>, Error>>()?;
    holds.sort_by_key(Hold::lock_key);

    Ok(BookingPlan {
        store: store.id,
        breakdown: priced,
        holds,
        capacity,
        steps: slots::steps(start, duration),
        start,
        end,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::network::Shelf;
    use crate::pricing::PricedItem;
    use crate::slots::{OpeningHours, STEP_MIN};
    use crate::stock::StockLevel;
    use proptest::prelude::*;
    use time::macros::datetime;
    use time::{Duration, Weekday};

    /// A Monday morning.
    pub(crate) const NOW: OffsetDateTime = datetime!(2026-11-23 09:00 +8);

    fn uuid(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }
    pub(crate) fn store(n: u128) -> StoreId {
        StoreId::from(uuid(n))
    }
    fn part(n: u128) -> PartId {
        PartId::from(uuid(100 + n))
    }
    fn shipment(n: u128) -> ShipmentId {
        ShipmentId::from(uuid(300 + n))
    }
    fn service() -> ServiceId {
        ServiceId::from(uuid(200))
    }
    fn vehicle(n: u128) -> VehicleId {
        VehicleId::from(uuid(400 + n))
    }
    fn q(milli: u32) -> Quantity {
        Quantity::from_milli(milli).expect("quantity")
    }
    fn shelf(on_hand: u64, reserved: u64, safety: u64) -> Shelf {
        Shelf {
            level: StockLevel::new(on_hand, reserved).expect("level"),
            safety_milli: safety,
        }
    }

    fn every_day(opens: u16, closes: u16) -> Vec<OpeningHours> {
        (0..7)
            .map(|d| OpeningHours::new(Weekday::Monday.nth_next(d), opens, closes).expect("hours"))
            .collect()
    }

    /// A location `km_east` kilometres east of the first store.
    fn location(n: u128, is_warehouse: bool, km_east: i32) -> Location {
        Location {
            id: store(n),
            code: format!("L{n}"),
            name_zh: format!("门店{n}"),
            name_en: format!("Store {n}"),
            address_zh: String::new(),
            address_en: String::new(),
            is_warehouse,
            geo: GeoPoint::new(30_250_000, 120_150_000 + km_east * 10_400).expect("geo"),
            bays: 2,
            technicians: 2,
            hours: every_day(9 * 60, 18 * 60),
            waves: crate::stock::Waves::CHAIN,
        }
    }

    const OIL: u128 = 1;
    const FILTER: u128 = 2;

    /// Store 1 (oil and filter on the shelf), store 2 three kilometres away (oil, with a
    /// safety stock), the warehouse ten kilometres away (plenty of both); an oil change
    /// of an hour needing 4.5 L of oil and one filter.
    pub(crate) fn situation() -> Situation {
        let prices = PriceList::new(
            1,
            NOW - Duration::days(1),
            [
                (PricedItem::Service(service()), Money::from_fen(8_000)),
                (PricedItem::Part(part(OIL)), Money::from_fen(6_000)),
                (PricedItem::Part(part(FILTER)), Money::from_fen(3_000)),
            ],
        );
        let stock = HashMap::from([
            ((store(1), part(OIL)), shelf(10_000, 0, 2_000)),
            ((store(1), part(FILTER)), shelf(2_000, 0, 0)),
            ((store(2), part(OIL)), shelf(9_000, 0, 4_000)),
            ((store(3), part(OIL)), shelf(100_000, 0, 10_000)),
            ((store(3), part(FILTER)), shelf(100_000, 0, 10_000)),
        ]);
        Situation {
            job: Job {
                service: service(),
                duration_min: 60,
                needs: vec![(part(OIL), q(4_500)), (part(FILTER), q(1_000))],
            },
            prices,
            policies: Vec::new(),
            tier: Tier::Standard,
            network: Network {
                locations: vec![
                    location(1, false, 0),
                    location(2, false, 3),
                    location(3, true, 10),
                ],
                stock,
                inbound: Vec::new(),
            },
            loads: HashMap::new(),
            schedule: DeliverySchedule::default(),
            limits: BookingLimits::default(),
            now: NOW,
        }
    }

    pub(crate) fn total(s: &Situation) -> Money {
        breakdown(
            &s.prices,
            s.job.service,
            &s.job.needs,
            s.tier,
            &s.policies,
            s.now,
        )
        .expect("priced")
        .total
    }

    pub(crate) fn request(s: &Situation, at: StoreId, start: OffsetDateTime) -> BookingRequest {
        BookingRequest {
            vehicle: vehicle(1),
            service: s.job.service,
            store: at,
            start,
            expected_total: total(s),
            idempotency_key: IdempotencyKey::parse("test-key-0000000001").expect("key"),
        }
    }

    fn plan_at(s: &Situation, start: OffsetDateTime) -> Result<BookingPlan, Error> {
        plan(s, &request(s, store(1), start), &[])
    }

    #[test]
    fn references_are_eight_unambiguous_characters() {
        let r = reference(OrderId::from(uuid(0x0123_4567_89ab_cdef)));
        assert_eq!(r.len(), 11);
        assert!(r.starts_with("BK-"));
        assert!(r[3..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() && !"01OIL".contains(c)));
        assert_ne!(r, reference(OrderId::from(uuid(0x0123_4567_89ab_cdee))));
    }

    #[test]
    fn a_booking_from_the_shelf_holds_the_shelf_and_every_step() {
        let s = situation();
        let start = datetime!(2026-11-23 10:00 +8);
        let p = plan_at(&s, start).expect("plan");
        assert_eq!(p.store, store(1));
        assert_eq!(p.breakdown.total, Money::from_fen(8_000 + 27_000 + 3_000));
        assert_eq!(
            p.holds,
            vec![
                Hold {
                    part: part(OIL),
                    quantity: q(4_500),
                    source: Source::Shelf { at: store(1) }
                },
                Hold {
                    part: part(FILTER),
                    quantity: q(1_000),
                    source: Source::Shelf { at: store(1) }
                },
            ]
        );
        assert_eq!(p.capacity, 2);
        assert_eq!(p.steps, vec![start, start + Duration::minutes(30)]);
        assert_eq!(p.end, datetime!(2026-11-23 11:00 +8));
        assert_eq!(p.locations(), vec![store(1)]);
    }

    #[test]
    fn a_missing_part_is_a_transfer_that_never_goes_below_the_sources_safety_stock() {
        let mut s = situation();
        s.network.stock.remove(&(store(1), part(OIL)));
        let afternoon = datetime!(2026-11-23 14:00 +8);
        // Store 2 is nearer, but only 5 L of its 9 L are above its 4 L safety stock.
        s.network
            .stock
            .insert((store(2), part(OIL)), shelf(9_000, 0, 4_500 + 1));
        let p = plan_at(&s, afternoon).expect("plan");
        let oil = p.holds.iter().find(|h| h.part == part(OIL)).expect("oil");
        assert!(matches!(oil.source, Source::Transfer { from, .. } if from == store(3)));
        assert_eq!(p.locations(), vec![store(1), store(3)]);

        // With 4.5 L spare, the nearer store sends it: it arrives first.
        s.network
            .stock
            .insert((store(2), part(OIL)), shelf(9_000, 0, 4_500));
        let p = plan_at(&s, afternoon).expect("plan");
        let oil = p.holds.iter().find(|h| h.part == part(OIL)).expect("oil");
        let Source::Transfer { from, eta } = oil.source else {
            panic!("not a transfer: {oil:?}");
        };
        assert_eq!(from, store(2));
        // Picked from 09:00 plus an hour, the 13:00 van, 20 minutes plus 3 a kilometre.
        assert_eq!(eta, datetime!(2026-11-23 13:29 +8));
        // Holds lock shelves in location order: the store's own shelf, then store 2's.
        assert_eq!(
            p.holds.iter().map(Hold::shelf).collect::<Vec<_>>(),
            vec![Some(store(1)), Some(store(2))]
        );
        // Nothing may start before the transfer is there.
        assert_eq!(
            plan_at(&s, datetime!(2026-11-23 13:00 +8)),
            Err(Error::SlotInvalid)
        );
    }

    #[test]
    fn a_shipment_on_its_way_comes_before_a_transfer() {
        let mut s = situation();
        s.network.stock.remove(&(store(1), part(FILTER)));
        s.network.inbound.push((
            store(1),
            Inbound {
                shipment: shipment(1),
                part: part(FILTER),
                available_milli: 1_000,
                eta: datetime!(2026-11-23 15:00 +8),
            },
        ));
        let p = plan_at(&s, datetime!(2026-11-23 15:00 +8)).expect("plan");
        assert_eq!(
            p.holds.last().map(|h| h.source),
            Some(Source::Shipment {
                shipment: shipment(1)
            })
        );
        assert_eq!(
            plan_at(&s, datetime!(2026-11-23 14:30 +8)),
            Err(Error::SlotInvalid)
        );
    }

    #[test]
    fn a_part_listed_twice_is_held_once_for_the_sum() {
        let mut s = situation();
        s.job.needs.push((part(OIL), q(1_000)));
        let p = plan_at(&s, datetime!(2026-11-23 10:00 +8)).expect("plan");
        let oil: Vec<&Hold> = p.holds.iter().filter(|h| h.part == part(OIL)).collect();
        assert_eq!(oil.len(), 1);
        assert_eq!(oil[0].quantity, q(5_500));
        // Priced as listed: two oil lines.
        assert_eq!(p.breakdown.parts.len(), 3);
        // 10 L on the shelf no longer covers 5.5 L twice over... but it covers the sum once.
        s.network
            .stock
            .insert((store(1), part(OIL)), shelf(5_000, 0, 0));
        let p = plan_at(&s, datetime!(2026-11-23 15:00 +8)).expect("plan");
        let oil = p.holds.iter().find(|h| h.part == part(OIL)).expect("oil");
        assert!(matches!(oil.source, Source::Transfer { .. }));
    }

    // ---- every refusal ----

    #[test]
    fn refuses_a_store_that_takes_no_bookings() {
        let s = situation();
        let start = datetime!(2026-11-23 14:00 +8);
        for at in [store(3), store(99)] {
            assert_eq!(
                plan(&s, &request(&s, at, start), &[]),
                Err(Error::StoreUnknown)
            );
            assert_eq!(slots(&s, at), Err(Error::StoreUnknown));
        }
    }

    #[test]
    fn refuses_what_is_not_priced_or_priced_differently() {
        let mut s = situation();
        let start = datetime!(2026-11-23 14:00 +8);
        let mut stale = request(&s, store(1), start);
        stale.expected_total = Money::from_fen(stale.expected_total.fen() + 1);
        assert_eq!(plan(&s, &stale, &[]), Err(Error::PriceChanged));

        s.prices = PriceList::new(
            2,
            NOW - Duration::days(1),
            [(PricedItem::Service(service()), Money::from_fen(8_000))],
        );
        let mut req = request(&situation(), store(1), start);
        req.expected_total = Money::from_fen(8_000);
        assert_eq!(plan(&s, &req, &[]), Err(Error::NotPriced));
    }

    #[test]
    fn refuses_what_the_customers_limits_do_not_allow() {
        let s = situation();
        assert_eq!(
            plan_at(&s, datetime!(2026-11-23 09:30 +8)),
            Err(Error::SlotTooSoon)
        );
        assert_eq!(
            plan_at(&s, datetime!(2026-12-08 10:00 +8)),
            Err(Error::SlotBeyondHorizon)
        );
        let start = datetime!(2026-11-24 10:00 +8);
        let booked = |v, h: i64| OpenBooking {
            vehicle: vehicle(v),
            start: start + Duration::hours(h),
            end: start + Duration::hours(h + 1),
        };
        assert_eq!(
            plan(&s, &request(&s, store(1), start), &[booked(1, 0)]),
            Err(Error::VehicleAlreadyBooked)
        );
        assert_eq!(
            plan(
                &s,
                &request(&s, store(1), start),
                &[booked(2, 2), booked(3, 4), booked(4, 6)]
            ),
            Err(Error::TooManyOpenBookings)
        );
    }

    #[test]
    fn refuses_parts_that_cannot_be_had() {
        let mut s = situation();
        for at in 1..=3 {
            s.network.stock.remove(&(store(at), part(OIL)));
        }
        assert_eq!(
            plan_at(&s, datetime!(2026-11-24 10:00 +8)),
            Err(Error::OutOfStock)
        );
        assert_eq!(slots(&s, store(1)), Err(Error::PartsUnobtainable));
    }

    #[test]
    fn refuses_starts_off_the_grid_or_outside_the_hours() {
        let s = situation();
        for start in [
            datetime!(2026-11-24 10:15 +8),
            datetime!(2026-11-24 08:30 +8),
            datetime!(2026-11-24 17:30 +8),
            datetime!(2026-11-24 18:00 +8),
        ] {
            assert_eq!(plan_at(&s, start), Err(Error::SlotInvalid), "{start}");
        }
    }

    #[test]
    fn refuses_a_slot_without_capacity() {
        let mut s = situation();
        let start = datetime!(2026-11-24 10:00 +8);
        s.loads
            .insert(store(1), Load::from([(start + Duration::minutes(30), 2)]));
        assert_eq!(plan_at(&s, start), Err(Error::SlotUnavailable));
        assert!(plan_at(&s, start + Duration::hours(1)).is_ok());

        let mut s = situation();
        s.network.locations[0].technicians = 0;
        assert_eq!(plan_at(&s, start), Err(Error::SlotUnavailable));
        assert_eq!(slots(&s, store(1)), Ok(Vec::new()));
    }

    #[test]
    fn the_picker_ranks_stores_and_shows_the_first_slot() {
        let mut s = situation();
        // Store 2 lacks filters on its shelf but the warehouse sends them by the afternoon.
        let from = location(2, false, 3).geo;
        let offers = offers(&s, from);
        let ids: Vec<StoreId> = offers.iter().map(|o| o.location.id).collect();
        // The warehouse is not offered; store 1 can start at 10:00, store 2 only later.
        assert_eq!(ids, vec![store(1), store(2)]);
        assert_eq!(
            offers[0].earliest.map(|slot| slot.start),
            Some(datetime!(2026-11-23 10:00 +8))
        );
        assert_eq!(
            offers[1].earliest.map(|slot| slot.start),
            slots(&s, store(2))
                .expect("slots")
                .first()
                .map(|slot| slot.start)
        );
        assert_eq!(offers[1].distance_m, 0);

        // A store that cannot get the parts goes last: store 1 keeps its two filters
        // as safety stock (its own customers may still use them).
        for at in [2, 3] {
            s.network.stock.remove(&(store(at), part(FILTER)));
        }
        s.network
            .stock
            .insert((store(1), part(FILTER)), shelf(2_000, 0, 2_000));
        let offers = super::offers(&s, from);
        assert_eq!(offers.last().map(|o| o.location.id), Some(store(2)));
        assert_eq!(offers.last().and_then(|o| o.earliest), None);
        assert!(offers[0].earliest.is_some());
    }

    // ---- properties ----

    /// Situations around store 1: up to three more locations (one may be the warehouse),
    /// shelves with reservations and safety stock, shipments, loads, odd hours and
    /// capacity, a part sometimes listed twice, any moment of a week.
    fn any_situation() -> impl Strategy<Value = Situation> {
        let shelves = prop::collection::vec(
            (
                (1u128..=4, 1u128..=3),
                (0u64..20_000, 0u64..=100, 0u64..6_000),
            ),
            6..20,
        );
        let inbound = prop::collection::vec((1u128..=3, 0u64..8_000, 0i64..72), 0..4);
        let needs = prop::collection::vec((1u128..=3, 1u32..5_000), 1..4);
        let hours = prop::collection::vec(
            (0u8..7, 0u16..48, 1u16..=48).prop_filter_map("opens before closing", |(d, a, b)| {
                OpeningHours::new(Weekday::Monday.nth_next(d), a.min(b) * 30, a.max(b) * 30).ok()
            }),
            2..10,
        );
        let loads = prop::collection::vec((0i64..7 * 48, 0u32..4), 0..30);
        (
            (shelves, inbound, needs),
            (hours, loads, any_capacity(), any_capacity(), 1u16..240),
            (1usize..=4, any::<bool>(), 0i64..7 * 24 * 60),
        )
            .prop_map(
                |(
                    (shelves, inbound, needs),
                    (hours, loads, bays, technicians, duration),
                    (count, warehouse, minutes),
                )| {
                    let mut s = situation();
                    let now = NOW + Duration::minutes(minutes);
                    s.now = now;
                    s.job.duration_min = duration;
                    s.job.needs = needs.into_iter().map(|(p, m)| (part(p), q(m))).collect();
                    s.prices = PriceList::new(
                        1,
                        NOW - Duration::days(1),
                        std::iter::once((PricedItem::Service(service()), Money::from_fen(8_000)))
                            .chain((1..=3).map(|p| {
                                (PricedItem::Part(part(p)), Money::from_fen(1_000 * p as i64))
                            })),
                    );
                    s.network.locations = (1..=count as u128)
                        .map(|n| location(n, warehouse && n == 4, 5 * (n as i32 - 1)))
                        .collect();
                    s.network.locations[0].hours = hours;
                    s.network.locations[0].bays = bays;
                    s.network.locations[0].technicians = technicians;
                    s.network.stock = shelves
                        .into_iter()
                        .map(|((at, p), (on_hand, reserved_pct, safety))| {
                            let reserved = on_hand * reserved_pct / 100;
                            ((store(at), part(p)), shelf(on_hand, reserved, safety))
                        })
                        .collect();
                    s.network.inbound = inbound
                        .into_iter()
                        .enumerate()
                        .map(|(i, (p, free, hours))| {
                            (
                                store(1),
                                Inbound {
                                    shipment: shipment(i as u128),
                                    part: part(p),
                                    available_milli: free,
                                    eta: NOW + Duration::hours(hours),
                                },
                            )
                        })
                        .collect();
                    let mut load = Load::new();
                    for (step, booked) in loads {
                        let at = (NOW - Duration::hours(9) + Duration::minutes(step * 30))
                            .to_offset(time::UtcOffset::UTC);
                        load.insert(at, booked);
                    }
                    s.loads.insert(store(1), load);
                    s
                },
            )
    }

    /// Bays or technicians: sometimes none.
    fn any_capacity() -> impl Strategy<Value = u32> {
        prop_oneof![1 => Just(0u32), 6 => 1u32..4]
    }

    /// A start on the grid in the three days after `now`.
    fn any_start(s: &Situation, step: i64) -> OffsetDateTime {
        let day = s.now.to_offset(crate::local_time::CHINA).date();
        time::PrimitiveDateTime::new(day, time::Time::MIDNIGHT)
            .assume_offset(crate::local_time::CHINA)
            + Duration::minutes(step * i64::from(STEP_MIN))
    }

    /// What is free at each source before the booking, keyed like [`Hold::lock_key`].
    fn free_at(s: &Situation, h: &Hold) -> u64 {
        match h.source {
            Source::Shelf { at } => s.network.shelf(at, h.part).level.available_milli(),
            Source::Transfer { from, .. } => s.network.shelf(from, h.part).spare_milli(),
            Source::Shipment { shipment } => s
                .network
                .inbound
                .iter()
                .filter(|(to, i)| *to == store(1) && i.shipment == shipment && i.part == h.part)
                .map(|(_, i)| i.available_milli)
                .sum(),
        }
    }

    fn check_plan(s: &Situation, p: &BookingPlan) -> Result<(), TestCaseError> {
        // Holds cover the needs exactly: each part's holds add up to what the job needs.
        let mut needed: HashMap<PartId, u64> = HashMap::new();
        for (part, quantity) in &s.job.needs {
            *needed.entry(*part).or_default() += u64::from(quantity.milli());
        }
        let mut held: HashMap<PartId, u64> = HashMap::new();
        let mut per_source: HashMap<(u8, Uuid, Uuid), u64> = HashMap::new();
        for h in &p.holds {
            *held.entry(h.part).or_default() += u64::from(h.quantity.milli());
            *per_source.entry(h.lock_key()).or_default() += u64::from(h.quantity.milli());
        }
        prop_assert_eq!(&held, &needed);
        // ...and never take more than a source has free (spare, for a transfer).
        for h in &p.holds {
            prop_assert!(per_source[&h.lock_key()] <= free_at(s, h), "{:?}", h);
            if let Source::Transfer { from, eta } = h.source {
                prop_assert_ne!(from, p.store);
                prop_assert!(eta <= p.start);
            }
            if let Source::Shelf { at } = h.source {
                prop_assert_eq!(at, p.store);
            }
        }
        prop_assert!(p
            .holds
            .windows(2)
            .all(|w| w[0].lock_key() <= w[1].lock_key()));

        // Steps: consecutive from the start, inside the hours, each with a unit free.
        let store = s.network.location(p.store).expect("store");
        let load = s.loads.get(&p.store).cloned().unwrap_or_default();
        prop_assert_eq!(p.steps.first().copied(), Some(p.start));
        prop_assert_eq!(
            p.steps.len(),
            usize::from(slots::step_count(s.job.duration_min))
        );
        for (i, step) in p.steps.iter().enumerate() {
            prop_assert_eq!(
                *step,
                p.start + Duration::minutes(i as i64 * i64::from(STEP_MIN))
            );
            prop_assert!(slots::booked(&load, *step) < p.capacity);
            let local = step.to_offset(crate::local_time::CHINA);
            let minute = crate::local_time::local_minute_of_day(local);
            let inside = store.hours.iter().any(|h| {
                h.weekday == local.weekday()
                    && h.opens_min <= minute
                    && u32::from(minute) + u32::from(STEP_MIN) <= u32::from(h.closes_min)
            });
            prop_assert!(inside, "step {} outside the hours", step);
        }
        prop_assert_eq!(p.capacity, store.capacity());
        // The end follows from the steps.
        prop_assert_eq!(
            Some(p.end),
            p.steps
                .last()
                .map(|last| *last + Duration::minutes(i64::from(STEP_MIN)))
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn every_plan_holds_exactly_what_is_needed_inside_hours_and_capacity(
            s in any_situation(),
            step in 0i64..3 * 48,
        ) {
            let start = any_start(&s, step);
            if let Ok(p) = plan(&s, &request(&s, store(1), start), &[]) {
                check_plan(&s, &p)?;
            }
        }

        #[test]
        fn every_slot_offered_can_be_booked_and_the_picker_shows_the_first(
            s in any_situation(),
            from_km in 0i32..20,
        ) {
            match slots(&s, store(1)) {
                Ok(offered) => {
                    for slot in &offered {
                        let p = plan(&s, &request(&s, store(1), slot.start), &[]);
                        prop_assert!(p.is_ok(), "{:?} refused: {:?}", slot, p);
                        if let Ok(p) = p {
                            check_plan(&s, &p)?;
                            prop_assert_eq!(p.end, slot.end);
                        }
                    }
                    let from = location(1, false, from_km).geo;
                    let offers = offers(&s, from);
                    let mine = offers.iter().find(|o| o.location.id == store(1));
                    prop_assert_eq!(mine.and_then(|o| o.earliest), offered.first().copied());
                }
                Err(e) => prop_assert_eq!(e, Error::PartsUnobtainable),
            }
        }

        #[test]
        fn a_plan_is_refused_exactly_when_no_slot_is_offered_at_that_start(
            s in any_situation(),
            step in 0i64..3 * 48,
        ) {
            let start = any_start(&s, step);
            let offered = slots(&s, store(1))
                .map(|all| all.iter().any(|slot| slot.start == start))
                .unwrap_or(false);
            let planned = plan(&s, &request(&s, store(1), start), &[]).is_ok();
            prop_assert_eq!(offered, planned);
        }
    }
}
