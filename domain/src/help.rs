//! Stores helping each other (rule 6): a store short of a technician or of parts for
//! an order it has accepted asks the stores nearby. They see the request, nearest first;
//! one accepts. A parts request becomes a transfer from the helping store's shelf
//! (reserved there, then in transit with the next delivery wave or a courier, then
//! received); a staff request records who goes where and when.
//!
//! - [`HelpNeed`]: a technician skilled in a kind of work, or a quantity of a part.
//! - [`may_raise`]: which orders a store may ask help for.
//! - [`nearby`]: the stores that see a request, nearest first, within [`NEARBY_M`].
//! - [`check_accept`]: whether a store may accept a request now; [`may_withdraw`]:
//!   whether the store that asked may take it back.
//! - [`parts_hold`]: the hold a parts request's acceptance takes at the helper, and
//!   [`Dispatch`], how the parts travel.
//! - [`StaffVisit`]: who goes where, from when until when.
//! - [`TransferStep`]: reserved, in transit, received, in that order only.
//! - [`waited_minutes`]: how long a request waited for an answer.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::booking::{Hold, Source};
use crate::catalog::ServiceCategory;
use crate::geo::distance_m;
use crate::network::{Location, Network};
use crate::stock::DeliverySchedule;
use crate::{Error, OrderStatus, PartId, Quantity, StaffId, StoreId};

/// How far a request reaches: stores within 30 km see it.
pub const NEARBY_M: u32 = 30_000;

/// The most of one part one request asks for, in thousandths (20 units).
pub const MAX_PARTS_MILLI: u32 = 20_000;

/// What a store is short of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HelpNeed {
    /// A technician skilled in this kind of work, for the order's time.
    Staff {
        /// The kind of work.
        skill: ServiceCategory,
    },
    /// This much of a part, for the order.
    Parts {
        /// The part.
        part: PartId,
        /// How much.
        quantity: Quantity,
    },
}

impl HelpNeed {
    /// Its stable code.
    pub fn code(&self) -> &'static str {
        match self {
            HelpNeed::Staff { .. } => "staff",
            HelpNeed::Parts { .. } => "parts",
        }
    }

    /// A parts need of at most [`MAX_PARTS_MILLI`]; more is [`Error::QuantityInvalid`].
    pub fn parts(part: PartId, quantity: Quantity) -> Result<HelpNeed, Error> {
        if quantity.milli() > MAX_PARTS_MILLI {
            return Err(Error::QuantityInvalid);
        }
        Ok(HelpNeed::Parts { part, quantity })
    }
}

crate::text::bounded_text!(
    /// What the store adds about its request: 2 to 200 characters.
    HelpNote, 2, 200, lines: false, Error::NoteInvalid
);

/// A store asks help for an order that is still to be done at the store: booked,
/// checked in or in a bay; else [`Error::HelpNotNow`].
pub fn may_raise(status: OrderStatus) -> Result<(), Error> {
    match status {
        OrderStatus::Booked | OrderStatus::CheckedIn | OrderStatus::InBay => Ok(()),
        _ => Err(Error::HelpNotNow),
    }
}

/// The stores that see a request of `from`: every other store (not the warehouse)
/// within [`NEARBY_M`], nearest first, ties by id.
pub fn nearby(from: &Location, locations: &[Location]) -> Vec<(StoreId, u32)> {
    let mut out: Vec<(StoreId, u32)> = locations
        .iter()
        .filter(|l| !l.is_warehouse && l.id != from.id)
        .map(|l| (l.id, distance_m(from.geo, l.geo)))
        .filter(|&(_, d)| d <= NEARBY_M)
        .collect();
    out.sort_by_key(|&(id, d)| (d, id));
    out
}

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelpStatus {
    /// Waiting for a store to help.
    Open,
    /// A store is helping.
    Accepted,
    /// The store that asked no longer needs it.
    Withdrawn,
}

impl HelpStatus {
    /// Every status.
    pub const ALL: [HelpStatus; 3] = [
        HelpStatus::Open,
        HelpStatus::Accepted,
        HelpStatus::Withdrawn,
    ];

    /// Its stable code.
    pub fn code(self) -> &'static str {
        match self {
            HelpStatus::Open => "open",
            HelpStatus::Accepted => "accepted",
            HelpStatus::Withdrawn => "withdrawn",
        }
    }

    /// The status with this code.
    pub fn parse(code: &str) -> Option<HelpStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Whether `helper` may accept a request of `asker` that is `status`, `distance_m`
/// away: not its own ([`Error::HelpOwnStore`]), still open ([`Error::HelpAnswered`]:
/// another store, or another device, was first), and nearby ([`Error::HelpNotNearby`]).
pub fn check_accept(
    status: HelpStatus,
    asker: StoreId,
    helper: StoreId,
    distance_m: u32,
) -> Result<(), Error> {
    if asker == helper {
        return Err(Error::HelpOwnStore);
    }
    if status != HelpStatus::Open {
        return Err(Error::HelpAnswered);
    }
    if distance_m > NEARBY_M {
        return Err(Error::HelpNotNearby);
    }
    Ok(())
}

/// Whether the store that asked may withdraw its request (it found a technician or the
/// part after all): only while no store has answered ([`Error::HelpAnswered`]).
pub fn may_withdraw(status: HelpStatus) -> Result<(), Error> {
    match status {
        HelpStatus::Open => Ok(()),
        HelpStatus::Accepted | HelpStatus::Withdrawn => Err(Error::HelpAnswered),
    }
}

/// How the parts travel to the store that asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dispatch {
    /// With the warehouse's next delivery wave that calls at both stores.
    Wave,
    /// By courier, now: on the road at once.
    Courier,
}

impl Dispatch {
    /// Its stable code.
    pub fn code(self) -> &'static str {
        match self {
            Dispatch::Wave => "wave",
            Dispatch::Courier => "courier",
        }
    }

    /// From a form; anything else is [`Error::DispatchUnknown`].
    pub fn parse(code: &str) -> Result<Dispatch, Error> {
        match code.trim() {
            "wave" => Ok(Dispatch::Wave),
            "courier" => Ok(Dispatch::Courier),
            _ => Err(Error::DispatchUnknown),
        }
    }

    /// When parts sent from `now` arrive `distance_m` away.
    pub fn eta(
        self,
        schedule: &DeliverySchedule,
        now: OffsetDateTime,
        distance_m: u32,
    ) -> OffsetDateTime {
        match self {
            Dispatch::Wave => schedule.eta(now, distance_m),
            Dispatch::Courier => {
                let minutes = i64::try_from(schedule.leg_minutes(distance_m)).unwrap_or(i64::MAX);
                now.saturating_add(Duration::minutes(minutes))
            }
        }
    }
}

/// The hold a parts request's acceptance takes: `quantity` of `part` from `helper`'s
/// shelf, never below its safety stock, sent to `asker` by `dispatch`.
/// [`Error::OutOfStock`] if the helper has not that much to spare.
#[allow(clippy::too_many_arguments)]
pub fn parts_hold(
    network: &Network,
    helper: &Location,
    asker: &Location,
    part: PartId,
    quantity: Quantity,
    dispatch: Dispatch,
    schedule: &DeliverySchedule,
    now: OffsetDateTime,
) -> Result<Hold, Error> {
    if network.shelf(helper.id, part).spare_milli() < u64::from(quantity.milli()) {
        return Err(Error::OutOfStock);
    }
    Ok(Hold {
        part,
        quantity,
        source: Source::Transfer {
            from: helper.id,
            // On a wave, the van of the asker's route.
            eta: dispatch.eta(
                &schedule.on(asker.waves),
                now,
                distance_m(helper.geo, asker.geo),
            ),
        },
    })
}

/// Who goes to help, from when until when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffVisit {
    /// The technician.
    pub staff: StaffId,
    /// When they are there.
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    /// Until when.
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

impl StaffVisit {
    /// The longest visit: a working day.
    pub const MAX_HOURS: i64 = 12;

    /// A visit of a technician skilled in `skill` (`skills_ok`), from `from` until
    /// `until`: [`Error::SkillMissing`] if they are not; [`Error::PeriodInvalid`] unless
    /// it ends after it starts, starts no earlier than `now` less an hour, and lasts at
    /// most [`StaffVisit::MAX_HOURS`].
    pub fn new(
        staff: StaffId,
        skills_ok: bool,
        from: OffsetDateTime,
        until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<StaffVisit, Error> {
        if !skills_ok {
            return Err(Error::SkillMissing);
        }
        if until <= from
            || from < now - Duration::hours(1)
            || until - from > Duration::hours(Self::MAX_HOURS)
        {
            return Err(Error::PeriodInvalid);
        }
        Ok(StaffVisit { staff, from, until })
    }
}

/// Where a transfer is: reserved at the source, in transit, received.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferStep {
    /// Held on the source's shelf.
    Reserved,
    /// On its way.
    InTransit,
    /// On the receiving store's shelf.
    Received,
}

impl TransferStep {
    /// Its stable code.
    pub fn code(self) -> &'static str {
        match self {
            TransferStep::Reserved => "reserved",
            TransferStep::InTransit => "in_transit",
            TransferStep::Received => "received",
        }
    }

    /// The step after this one: reserved → in transit → received; anything else is
    /// [`Error::StepOutOfOrder`] (a second device pressing the same button).
    pub fn advance(self, to: TransferStep) -> Result<TransferStep, Error> {
        match (self, to) {
            (TransferStep::Reserved, TransferStep::InTransit)
            | (TransferStep::InTransit, TransferStep::Received) => Ok(to),
            _ => Err(Error::StepOutOfOrder),
        }
    }
}

/// How long a request waited: from when it was raised until it was answered, or
/// until `now` while it is open; whole minutes.
pub fn waited_minutes(
    raised_at: OffsetDateTime,
    answered_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> u32 {
    let end = answered_at.unwrap_or(now);
    u32::try_from((end - raised_at).whole_minutes().max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::tests::{situation, store, NOW};
    use crate::geo::GeoPoint;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn oil() -> PartId {
        PartId::from(Uuid::from_u128(101))
    }

    fn q(milli: u32) -> Quantity {
        Quantity::from_milli(milli).expect("quantity")
    }

    /// The booking tests' network: store 1, store 2 three kilometres east, the warehouse
    /// ten.
    fn network() -> Network {
        situation().network
    }

    fn at(network: &Network, n: u128) -> Location {
        network.location(store(n)).cloned().expect("location")
    }

    #[test]
    fn nearby_stores_are_the_others_within_reach_nearest_first() {
        let mut n = network();
        let mut far = at(&n, 2);
        far.id = store(9);
        far.geo = GeoPoint::new(30_250_000, 120_150_000 + 40 * 10_400).expect("geo");
        let mut near = at(&n, 2);
        near.id = store(8);
        near.geo = GeoPoint::new(30_250_000, 120_150_000 + 10_400).expect("geo");
        n.locations.push(far);
        n.locations.push(near);
        let seen: Vec<StoreId> = nearby(&at(&n, 1), &n.locations)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        // Not itself, not the warehouse, not the store 40 km away.
        assert_eq!(seen, vec![store(8), store(2)]);
    }

    #[test]
    fn only_another_nearby_store_accepts_an_open_request() {
        let (a, b) = (store(1), store(2));
        assert_eq!(check_accept(HelpStatus::Open, a, b, 3_000), Ok(()));
        assert_eq!(
            check_accept(HelpStatus::Open, a, a, 0),
            Err(Error::HelpOwnStore)
        );
        assert_eq!(
            check_accept(HelpStatus::Accepted, a, b, 3_000),
            Err(Error::HelpAnswered)
        );
        assert_eq!(
            check_accept(HelpStatus::Withdrawn, a, b, 3_000),
            Err(Error::HelpAnswered)
        );
        assert_eq!(
            check_accept(HelpStatus::Open, a, b, NEARBY_M + 1),
            Err(Error::HelpNotNearby)
        );
    }

    #[test]
    fn only_an_open_request_is_withdrawn() {
        assert_eq!(may_withdraw(HelpStatus::Open), Ok(()));
        assert_eq!(may_withdraw(HelpStatus::Accepted), Err(Error::HelpAnswered));
        assert_eq!(
            may_withdraw(HelpStatus::Withdrawn),
            Err(Error::HelpAnswered)
        );
    }

    #[test]
    fn help_is_asked_for_orders_still_to_be_done() {
        assert_eq!(may_raise(OrderStatus::Booked), Ok(()));
        assert_eq!(may_raise(OrderStatus::InBay), Ok(()));
        assert_eq!(may_raise(OrderStatus::HandedOver), Err(Error::HelpNotNow));
        assert_eq!(may_raise(OrderStatus::Cancelled), Err(Error::HelpNotNow));
    }

    #[test]
    fn parts_come_from_the_helpers_spare_stock_by_wave_or_courier() {
        let n = network();
        let schedule = DeliverySchedule::default();
        // Store 2 has 9 L of oil and keeps 4 L: 5 L to spare.
        let (helper, asker) = (at(&n, 2), at(&n, 1));
        let wave = parts_hold(
            &n,
            &helper,
            &asker,
            oil(),
            q(5_000),
            Dispatch::Wave,
            &schedule,
            NOW,
        )
        .expect("hold");
        let courier = parts_hold(
            &n,
            &helper,
            &asker,
            oil(),
            q(5_000),
            Dispatch::Courier,
            &schedule,
            NOW,
        )
        .expect("hold");
        let eta = |h: Hold| match h.source {
            Source::Transfer { from, eta } => {
                assert_eq!(from, store(2));
                eta
            }
            other => panic!("{other:?}"),
        };
        let (by_wave, by_courier) = (eta(wave), eta(courier));
        // 09:00 now: picked by 10:00, the 13:00 van; a courier leaves at once.
        assert_eq!(by_courier, NOW + Duration::minutes(20 + 3 * 3));
        assert!(by_wave > by_courier);
        assert_eq!(
            parts_hold(
                &n,
                &helper,
                &asker,
                oil(),
                q(5_001),
                Dispatch::Wave,
                &schedule,
                NOW
            ),
            Err(Error::OutOfStock)
        );
        assert_eq!(
            HelpNeed::parts(oil(), q(20_001)),
            Err(Error::QuantityInvalid)
        );
        assert_eq!(Dispatch::parse("drone"), Err(Error::DispatchUnknown));
    }

    #[test]
    fn a_visit_is_by_a_skilled_technician_for_at_most_a_day() {
        let staff = StaffId::from(Uuid::from_u128(7));
        let two_hours = NOW + Duration::hours(2);
        assert!(StaffVisit::new(staff, true, NOW, two_hours, NOW).is_ok());
        assert_eq!(
            StaffVisit::new(staff, false, NOW, two_hours, NOW),
            Err(Error::SkillMissing)
        );
        assert_eq!(
            StaffVisit::new(staff, true, two_hours, NOW, NOW),
            Err(Error::PeriodInvalid)
        );
        assert_eq!(
            StaffVisit::new(staff, true, NOW, NOW + Duration::hours(13), NOW),
            Err(Error::PeriodInvalid)
        );
        assert_eq!(
            StaffVisit::new(staff, true, NOW - Duration::hours(3), NOW, NOW),
            Err(Error::PeriodInvalid)
        );
    }

    #[test]
    fn a_transfer_goes_reserved_in_transit_received_once_each() {
        use TransferStep::*;
        assert_eq!(Reserved.advance(InTransit), Ok(InTransit));
        assert_eq!(InTransit.advance(Received), Ok(Received));
        assert_eq!(Reserved.advance(Received), Err(Error::StepOutOfOrder));
        assert_eq!(InTransit.advance(InTransit), Err(Error::StepOutOfOrder));
        assert_eq!(Received.advance(Received), Err(Error::StepOutOfOrder));
    }

    #[test]
    fn a_request_waits_until_it_is_answered() {
        let answered = NOW + Duration::minutes(17);
        assert_eq!(
            waited_minutes(NOW, Some(answered), NOW + Duration::hours(9)),
            17
        );
        assert_eq!(waited_minutes(NOW, None, NOW + Duration::minutes(42)), 42);
        assert_eq!(waited_minutes(NOW, None, NOW - Duration::minutes(1)), 0);
    }

    proptest! {
        /// Every store within reach sees a request, nearest first; no other store does.
        #[test]
        fn nearby_is_every_store_within_reach_by_distance(
            kms in prop::collection::vec(0i32..60, 1..12),
        ) {
            let base = at(&network(), 1);
            let locations: Vec<Location> = kms
                .iter()
                .enumerate()
                .map(|(i, km)| Location {
                    id: store(10 + i as u128),
                    geo: GeoPoint::new(30_250_000, 120_150_000 + km * 10_400).expect("geo"),
                    ..base.clone()
                })
                .chain(std::iter::once(base.clone()))
                .collect();
            let seen = nearby(&base, &locations);
            prop_assert!(seen.windows(2).all(|w| (w[0].1, w[0].0) <= (w[1].1, w[1].0)));
            for l in &locations {
                let d = distance_m(base.geo, l.geo);
                let listed = seen.iter().any(|(id, _)| *id == l.id);
                prop_assert_eq!(listed, l.id != base.id && d <= NEARBY_M);
            }
        }
    }
}
