//! One stock truth: what a location has, what is on its way, and where a part for a job
//! at a store would come from, and when. Customers and staff are shown the result of the
//! same functions, so they can never see two different answers.
//!
//! Available stock is on hand minus reserved, and a reservation never takes more than is
//! available ([`StockLevel::covers`]); storage applies the same rule as a conditional
//! update on the latest level, so it holds under any concurrency. A part a store lacks
//! may be *arriving* (a shipment already on its way covers it) or obtainable by
//! *transfer* from the warehouse or another store, riding the next delivery wave
//! ([`DeliverySchedule`]).
//!
//! "Is it in stock" is always asked for one car: the caller has already resolved which
//! [`PartId`] fits it and how much the job needs; this module only answers where that
//! quantity comes from ([`supply_for`]), when a whole job's parts can all be at the store
//! ([`readiness`]), and how the store picker orders stores ([`rank_stores`]).

use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::local_time::CHINA;
use crate::{Error, PartId, Quantity, ShipmentId, StoreId};

/// Stock of one part at one location, in thousandths of a unit. Holding one means
/// `reserved ≤ on hand`; every operation keeps it so and a refused operation is an
/// `Err` that leaves the caller's level untouched (levels are `Copy` values).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawLevel", into = "RawLevel")]
pub struct StockLevel {
    on_hand_milli: u64,
    reserved_milli: u64,
}

/// The wire form, checked by [`StockLevel::new`] on the way in.
#[derive(Serialize, Deserialize)]
struct RawLevel {
    on_hand_milli: u64,
    reserved_milli: u64,
}

impl TryFrom<RawLevel> for StockLevel {
    type Error = Error;

    fn try_from(raw: RawLevel) -> Result<Self, Error> {
        StockLevel::new(raw.on_hand_milli, raw.reserved_milli)
    }
}

impl From<StockLevel> for RawLevel {
    fn from(level: StockLevel) -> RawLevel {
        RawLevel {
            on_hand_milli: level.on_hand_milli,
            reserved_milli: level.reserved_milli,
        }
    }
}

impl StockLevel {
    /// Nothing on the shelf.
    pub const EMPTY: StockLevel = StockLevel {
        on_hand_milli: 0,
        reserved_milli: 0,
    };

    /// A level whose reservations fit what is on hand, or [`Error::ReservationInvalid`]
    /// (figures that contradict each other, e.g. from a corrupted row).
    pub fn new(on_hand_milli: u64, reserved_milli: u64) -> Result<StockLevel, Error> {
        if reserved_milli > on_hand_milli {
            return Err(Error::ReservationInvalid);
        }
        Ok(StockLevel {
            on_hand_milli,
            reserved_milli,
        })
    }

    /// On the shelf, reserved or not.
    pub fn on_hand_milli(self) -> u64 {
        self.on_hand_milli
    }

    /// Held for bookings.
    pub fn reserved_milli(self) -> u64 {
        self.reserved_milli
    }

    /// What a new booking may still take: on hand minus reserved, never negative.
    pub fn available_milli(self) -> u64 {
        // reserved ≤ on hand is the type's invariant.
        self.on_hand_milli - self.reserved_milli
    }

    /// Whether `quantity` could be reserved now.
    pub fn covers(self, quantity: Quantity) -> bool {
        self.available_milli() >= u64::from(quantity.milli())
    }
}

/// Part of a shipment on its way to a store that no booking holds yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbound {
    /// The shipment.
    pub shipment: ShipmentId,
    /// What it carries.
    pub part: PartId,
    /// How much of it is still free to hold, in thousandths.
    pub available_milli: u64,
    /// When it is expected at the store.
    #[serde(with = "time::serde::rfc3339")]
    pub eta: OffsetDateTime,
}

/// When the warehouse's vans leave and how long a leg takes. Waves run every day,
/// weekends and holidays included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverySchedule {
    /// Local (UTC+8) minutes after midnight when vans leave, every day, sorted. A value
    /// of 1440 or more is read modulo a day; an empty list means one wave at
    /// [`DeliverySchedule::FALLBACK_WAVE`], so a misconfigured schedule still gives
    /// (late but honest) ETAs instead of failing.
    pub waves: Vec<u16>,
    /// Picking and loading before a wave, in minutes: an item must be ready this long
    /// before the van leaves.
    pub picking_min: u16,
    /// Fixed part of a leg (loading bay to kerb), in minutes.
    pub base_leg_min: u16,
    /// Driving time per started kilometre, city traffic.
    pub min_per_km: u16,
}

impl Default for DeliverySchedule {
    /// Three waves a day: 08:00, 13:00, 18:00 local; an hour to pick and load, 20
    /// minutes plus 3 per kilometre on the road.
    fn default() -> Self {
        DeliverySchedule {
            waves: Waves::CHAIN.minutes().to_vec(),
            picking_min: 60,
            base_leg_min: 20,
            min_per_km: 3,
        }
    }
}

/// When one delivery route's vans leave the warehouse each day: one to
/// [`Waves::MAX`] different local times (minutes after midnight), kept sorted. Each store
/// is on one route, so a part sent to it rides its route's next wave; HQ sets the times
/// (typically two or three a day). A `Copy` value, so sites carry their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<u16>", into = "Vec<u16>")]
pub struct Waves {
    minutes: [u16; Waves::MAX],
    len: u8,
}

impl Waves {
    /// The most departures a route has a day.
    pub const MAX: usize = 4;

    /// The chain's waves where a store has no route of its own: 08:00, 13:00, 18:00.
    pub const CHAIN: Waves = Waves {
        minutes: [8 * 60, 13 * 60, 18 * 60, 0],
        len: 3,
    };

    /// Departures at these minutes after local midnight, in any order: refused unless
    /// there are one to [`Waves::MAX`] of them, each within the day, none twice.
    pub fn new(mut minutes: Vec<u16>) -> Result<Waves, Error> {
        minutes.sort_unstable();
        let distinct = minutes.windows(2).all(|w| w[0] < w[1]);
        let in_day = minutes.iter().all(|&m| m < MINUTES_PER_DAY);
        if minutes.is_empty() || minutes.len() > Waves::MAX || !distinct || !in_day {
            return Err(Error::WavesInvalid);
        }
        let mut waves = Waves {
            minutes: [0; Waves::MAX],
            len: 0,
        };
        for m in minutes {
            waves.minutes[usize::from(waves.len)] = m;
            waves.len += 1;
        }
        Ok(waves)
    }

    /// Departures typed as local times of day, `HH:MM` (blank entries skipped).
    pub fn parse<'a>(times: impl IntoIterator<Item = &'a str>) -> Result<Waves, Error> {
        let minute = |text: &str| -> Option<u16> {
            let (h, m) = text.split_once(':')?;
            let digits = |s: &str, max: u16| {
                (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse::<u16>().ok())
                    .flatten()
                    .filter(|&v| v <= max)
            };
            Some(digits(h, 23)? * 60 + digits(m, 59)?)
        };
        let minutes = times
            .into_iter()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| minute(t).ok_or(Error::WavesInvalid))
            .collect::<Result<Vec<_>, _>>()?;
        Waves::new(minutes)
    }

    /// The departures, earliest first, as minutes after local midnight.
    pub fn minutes(&self) -> &[u16] {
        &self.minutes[..usize::from(self.len)]
    }

    /// The departures as `HH:MM`, earliest first.
    pub fn times(&self) -> Vec<String> {
        self.minutes()
            .iter()
            .map(|m| format!("{:02}:{:02}", m / 60, m % 60))
            .collect()
    }
}

impl Default for Waves {
    fn default() -> Self {
        Waves::CHAIN
    }
}

impl TryFrom<Vec<u16>> for Waves {
    type Error = Error;
    fn try_from(minutes: Vec<u16>) -> Result<Self, Error> {
        Waves::new(minutes)
    }
}

impl From<Waves> for Vec<u16> {
    fn from(waves: Waves) -> Self {
        waves.minutes().to_vec()
    }
}

const SECONDS_PER_DAY: i128 = 86_400;
const MINUTES_PER_DAY: u16 = 1_440;

impl DeliverySchedule {
    /// The wave assumed when [`DeliverySchedule::waves`] is empty: 08:00 local.
    pub const FALLBACK_WAVE: u16 = 8 * 60;

    /// This schedule with a route's departures: its picking and legs, `waves`' times.
    pub fn on(&self, waves: Waves) -> DeliverySchedule {
        DeliverySchedule {
            waves: waves.minutes().to_vec(),
            ..self.clone()
        }
    }

    /// The waves actually run: reduced modulo a day, sorted, deduplicated, never empty.
    pub fn effective_waves(&self) -> Vec<u16> {
        let mut waves: Vec<u16> = self.waves.iter().map(|w| w % MINUTES_PER_DAY).collect();
        if waves.is_empty() {
            waves.push(Self::FALLBACK_WAVE);
        }
        waves.sort_unstable();
        waves.dedup();
        waves
    }

    /// When the van carrying something picked from `now` leaves: the first wave whose
    /// departure is at or after `now` plus picking, on the same local day or a later one.
    pub fn departure(&self, now: OffsetDateTime) -> OffsetDateTime {
        local_instant(self.departure_local(now))
    }

    /// Minutes on the road to a location `distance_m` away: the base leg plus the
    /// per-kilometre time for every started kilometre.
    pub fn leg_minutes(&self, distance_m: u32) -> u64 {
        // At most 65,535 + 65,535 × 4,294,968: far inside u64.
        u64::from(self.base_leg_min)
            + u64::from(self.min_per_km) * u64::from(distance_m.div_ceil(1000))
    }

    /// When something picked from `now` arrives `distance_m` away: the
    /// [`departure`](DeliverySchedule::departure) plus the leg. It is never before
    /// `now` plus picking plus the base leg (so strictly after `now` unless both are
    /// zero), never earlier for a later `now` or a longer distance, and it never panics:
    /// beyond the last instant `time` represents it saturates there.
    pub fn eta(&self, now: OffsetDateTime, distance_m: u32) -> OffsetDateTime {
        let leg_seconds = 60 * i128::from(self.leg_minutes(distance_m));
        local_instant(self.departure_local(now) + leg_seconds)
    }

    /// [`DeliverySchedule::departure`] as whole local seconds since the epoch. Integer
    /// arithmetic in `i128` cannot overflow for any input, unlike date arithmetic.
    fn departure_local(&self, now: OffsetDateTime) -> i128 {
        let waves = self.effective_waves();
        let ready = local_seconds_ceil(now) + 60 * i128::from(self.picking_min);
        let day = ready.div_euclid(SECONDS_PER_DAY);
        let second_of_day = ready.rem_euclid(SECONDS_PER_DAY);
        let wave_second = |w: u16| 60 * i128::from(w);
        match waves
            .iter()
            .map(|&w| wave_second(w))
            .find(|&w| w >= second_of_day)
        {
            Some(w) => day * SECONDS_PER_DAY + w,
            None => {
                let first = waves.first().copied().unwrap_or(Self::FALLBACK_WAVE);
                (day + 1) * SECONDS_PER_DAY + wave_second(first)
            }
        }
    }
}

/// Whole seconds of local (UTC+8) wall-clock time since 1970-01-01 00:00 local, rounded
/// up: a van leaving on a whole minute must not leave before an instant with a fraction.
fn local_seconds_ceil(at: OffsetDateTime) -> i128 {
    i128::from(at.unix_timestamp())
        + i128::from(CHINA.whole_seconds())
        + i128::from(at.nanosecond() > 0)
}

/// The instant at `local_seconds` (as from [`local_seconds_ceil`]), shown in China time,
/// clamped to the range `time` can represent.
fn local_instant(local_seconds: i128) -> OffsetDateTime {
    let earliest = PrimitiveDateTime::MIN.assume_utc();
    let latest = PrimitiveDateTime::MAX.assume_utc();
    let utc = (local_seconds - i128::from(CHINA.whole_seconds())).clamp(
        i128::from(earliest.unix_timestamp()),
        i128::from(latest.unix_timestamp()),
    );
    let instant = i64::try_from(utc)
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(latest);
    instant.checked_to_offset(CHINA).unwrap_or(instant)
}

/// Another location a store can draw on (a transfer source).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherLocation {
    /// The store or warehouse.
    pub location: StoreId,
    /// Whether it is the central warehouse.
    pub is_warehouse: bool,
    /// How far from the store that needs the part, in metres.
    pub distance_m: u32,
    /// What it could give now (its available stock), in thousandths.
    pub available_milli: u64,
}

/// Where a part for a job comes from, as the customer (and the staff) sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Supply {
    /// On the store's shelf.
    Now,
    /// On a shipment already on its way to the store.
    Arriving {
        /// The shipment that will hold it.
        shipment: ShipmentId,
        /// When it arrives (never in the past when computed by [`supply_for`]).
        #[serde(with = "time::serde::rfc3339")]
        eta: OffsetDateTime,
    },
    /// Sent over from the warehouse or another store with a delivery wave.
    Transfer {
        /// Where it comes from.
        from: StoreId,
        /// When it arrives.
        #[serde(with = "time::serde::rfc3339")]
        eta: OffsetDateTime,
    },
    /// Nowhere in the chain has enough.
    Unobtainable,
}

impl Supply {
    /// When the part can be at the store: `now` if on the shelf, the ETA if arriving or
    /// transferred (but not before `now`), `None` if unobtainable.
    pub fn ready_at(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        match *self {
            Supply::Now => Some(now),
            Supply::Arriving { eta, .. } | Supply::Transfer { eta, .. } => Some(eta.max(now)),
            Supply::Unobtainable => None,
        }
    }

    /// The summary category of this source.
    pub fn overall(&self) -> Overall {
        match self {
            Supply::Now => Overall::Now,
            Supply::Arriving { .. } => Overall::Arriving,
            Supply::Transfer { .. } => Overall::Transfer,
            Supply::Unobtainable => Overall::Unobtainable,
        }
    }
}

/// One part of a job and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartSupply {
    /// The part that fits the car.
    pub part: PartId,
    /// How much the job needs.
    pub quantity: Quantity,
    /// From where.
    pub supply: Supply,
}

/// Where `quantity` of `part` for a job at a store comes from, in order of preference:
///
/// 1. [`Supply::Now`] if the store's available stock (`here`) covers it;
/// 2. [`Supply::Arriving`] on the inbound shipment for this `part` that alone covers it
///    and arrives first (ties: the smaller shipment id, for a stable answer); stock
///    already on its way costs no extra van trip and takes nothing from another store.
///    An overdue shipment is shown as arriving `now`, never in the past;
/// 3. [`Supply::Transfer`] from the location in `others` that has enough available and
///    arrives first by the `schedule`: the warehouse and stores alike, the warehouse on
///    a tie, then the nearest, then the smaller id;
/// 4. otherwise [`Supply::Unobtainable`].
///
/// The whole quantity comes from one source, never split: one reservation per part keeps
/// cancelling and fitting simple, and a store rarely needs a part it has only half of.
///
/// `inbound` entries for other parts are ignored, so callers may pass all of the store's
/// inbound stock. `others` must not contain the store itself (its own stock is `here`);
/// callers filter it out, and an entry for it would merely be offered as a transfer.
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
    let supply = if here.covers(quantity) {
        Supply::Now
    } else if let Some(shipment) = inbound
        .iter()
        .filter(|i| i.part == part && i.available_milli >= need)
        .min_by_key(|i| (i.eta, i.shipment))
    {
        Supply::Arriving {
            shipment: shipment.shipment,
            eta: shipment.eta.max(now),
        }
    } else if let Some((eta, source)) = others
        .iter()
        .filter(|o| o.available_milli >= need)
        .map(|o| (schedule.eta(now, o.distance_m), o))
        .min_by_key(|(eta, o)| (*eta, !o.is_warehouse, o.distance_m, o.location))
    {
        Supply::Transfer {
            from: source.location,
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

/// The summary the store picker shows: the worst source of any part, ordered
/// `Now < Arriving < Transfer < Unobtainable`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overall {
    /// Every part is on the shelf.
    Now,
    /// Some part is on a shipment, none needs a transfer.
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
    /// When the last part is there (`now` if all are on the shelf); `None` if some part
    /// is unobtainable. For display next to [`Readiness::overall`].
    #[serde(with = "time::serde::rfc3339::option")]
    pub ready_at: Option<OffsetDateTime>,
}

/// Combines the parts' sources: ready when the last one arrives, never before `now`;
/// not at all if any part is unobtainable. A job without parts is ready `now`.
pub fn readiness(parts: Vec<PartSupply>, now: OffsetDateTime) -> Readiness {
    let ready_at = parts.iter().try_fold(now, |latest, p| {
        p.supply.ready_at(now).map(|at| latest.max(at))
    });
    Readiness { parts, ready_at }
}

impl Readiness {
    /// The worst source of any part ([`Overall::Now`] for a job without parts).
    pub fn overall(&self) -> Overall {
        self.parts
            .iter()
            .map(|p| p.supply.overall())
            .max()
            .unwrap_or(Overall::Now)
    }
}

/// A store in the picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreOption<T> {
    /// What the caller shows (a store summary, an id...).
    pub store: T,
    /// From the customer, in metres.
    pub distance_m: u32,
    /// The earliest possible start of the service; `None` if none within the horizon.
    #[serde(with = "time::serde::rfc3339::option")]
    pub earliest_start: Option<OffsetDateTime>,
}

impl<T> StoreOption<T> {
    /// The order of the picker: stores that can serve first, by start then distance;
    /// those that cannot after them, by distance.
    fn rank_key(&self) -> (bool, Option<OffsetDateTime>, u32) {
        (
            self.earliest_start.is_none(),
            self.earliest_start,
            self.distance_m,
        )
    }
}

/// Sorted by earliest possible service, then distance; stores that cannot serve go last,
/// nearest first. The sort is stable, so full ties keep the caller's order.
pub fn rank_stores<T>(mut options: Vec<StoreOption<T>>) -> Vec<StoreOption<T>> {
    options.sort_by_key(StoreOption::rank_key);
    options
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local_time::{at_local_minute, local_date, local_minute_of_day};
    use proptest::prelude::*;
    use time::macros::datetime;
    use time::Duration;
    use uuid::Uuid;

    fn q(milli: u32) -> Quantity {
        Quantity::from_milli(milli).expect("quantity")
    }

    fn part() -> PartId {
        PartId(Uuid::from_u128(1))
    }

    fn other_part() -> PartId {
        PartId(Uuid::from_u128(2))
    }

    fn store(n: u128) -> StoreId {
        StoreId(Uuid::from_u128(n))
    }

    fn shipment(n: u128) -> ShipmentId {
        ShipmentId(Uuid::from_u128(n))
    }

    fn level(on_hand: u64, reserved: u64) -> StockLevel {
        StockLevel::new(on_hand, reserved).expect("level")
    }

    const NOW: OffsetDateTime = datetime!(2026-11-23 10:00 +8);

    // ---- StockLevel ----

    #[test]
    fn levels_must_be_consistent() {
        assert_eq!(StockLevel::new(1, 2), Err(Error::ReservationInvalid));
        assert_eq!(StockLevel::new(0, 0), Ok(StockLevel::EMPTY));
        assert_eq!(StockLevel::default(), StockLevel::EMPTY);
        assert_eq!(
            StockLevel::new(u64::MAX, u64::MAX).map(StockLevel::available_milli),
            Ok(0)
        );
        assert!(!StockLevel::EMPTY.covers(q(1)));
        let l = level(5000, 1000);
        assert_eq!(l.available_milli(), 4000);
        assert!(l.covers(q(4000)));
        assert!(!l.covers(q(4001)));
    }

    #[test]
    fn level_serde_goes_through_new() {
        let l = level(4500, 1000);
        let json = serde_json::to_string(&l).expect("serialise");
        assert_eq!(json, r#"{"on_hand_milli":4500,"reserved_milli":1000}"#);
        assert_eq!(
            serde_json::from_str::<StockLevel>(&json).expect("deserialise"),
            l
        );
        assert!(
            serde_json::from_str::<StockLevel>(r#"{"on_hand_milli":1,"reserved_milli":2}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<StockLevel>(r#"{"on_hand_milli":1}"#).is_err());
    }

    // ---- Waves ----

    #[test]
    fn waves_parse_times_of_day_and_keep_them_sorted() {
        let w = Waves::parse(["15:30", " 09:00 ", ""]).expect("valid");
        assert_eq!(w.minutes(), &[540, 930]);
        assert_eq!(w.times(), vec!["09:00", "15:30"]);
        assert_eq!(
            Waves::parse(["00:00", "23:59"]).expect("valid").minutes(),
            &[0, 1439]
        );
        assert_eq!(Waves::default().times(), vec!["08:00", "13:00", "18:00"]);
    }

    #[test]
    fn waves_refuse_what_no_van_could_run() {
        for bad in [
            vec![],
            vec!["", " "],
            vec!["24:00"],
            vec!["9:00"],
            vec!["09:60"],
            vec!["09.00"],
            vec!["+9:00"],
            vec!["09:00", "09:00"],
            vec!["06:00", "09:00", "12:00", "15:00", "18:00"],
        ] {
            assert_eq!(
                Waves::parse(bad.clone()),
                Err(Error::WavesInvalid),
                "{bad:?}"
            );
        }
        assert_eq!(Waves::new(vec![1440]), Err(Error::WavesInvalid));
        assert!(serde_json::from_str::<Waves>("[600,600]").is_err());
        assert_eq!(
            serde_json::from_str::<Waves>("[900,600]")
                .expect("valid")
                .minutes(),
            &[600, 900]
        );
    }

    #[test]
    fn a_route_with_its_own_waves_sets_when_its_stores_get_their_parts() {
        let afternoon = DeliverySchedule::default().on(Waves::parse(["16:00"]).expect("valid"));
        // 10:00 now: the chain's 13:00 wave is not this route's; its van leaves at 16:00.
        assert_eq!(afternoon.departure(NOW), datetime!(2026-11-23 16:00 +8));
        assert_eq!(afternoon.eta(NOW, 5_000), datetime!(2026-11-23 16:35 +8));
        let early =
            DeliverySchedule::default().on(Waves::parse(["06:30", "10:30"]).expect("valid"));
        // Picking takes an hour: 10:30 is missed, the next is tomorrow's 06:30.
        assert_eq!(early.departure(NOW), datetime!(2026-11-24 06:30 +8));
    }

    // ---- DeliverySchedule ----

    #[test]
    fn waves_roll_over_to_the_next_day() {
        let s = DeliverySchedule::default();
        // 10:00 + 60 min picking → the 13:00 wave, 5 km → 20 + 15 minutes.
        assert_eq!(s.departure(NOW), datetime!(2026-11-23 13:00 +8));
        assert_eq!(s.eta(NOW, 5_000), datetime!(2026-11-23 13:35 +8));
        // Started kilometres count: 5,001 m is 6 km.
        assert_eq!(s.eta(NOW, 5_001), datetime!(2026-11-23 13:38 +8));
        // Ready exactly at a wave still makes it.
        assert_eq!(
            s.eta(datetime!(2026-11-23 07:00 +8), 0),
            datetime!(2026-11-23 08:20 +8)
        );
        // A second too late waits for the next wave.
        assert_eq!(
            s.departure(datetime!(2026-11-23 07:00:01 +8)),
            datetime!(2026-11-23 13:00 +8)
        );
        assert_eq!(
            s.departure(datetime!(2026-11-23 07:00:00.000000001 +8)),
            datetime!(2026-11-23 13:00 +8)
        );
        // 17:30 + 60 → past 18:00, so tomorrow 08:00.
        assert_eq!(
            s.eta(datetime!(2026-11-23 17:30 +8), 0),
            datetime!(2026-11-24 08:20 +8)
        );
        // Across a month and a year end.
        assert_eq!(
            s.departure(datetime!(2026-12-31 23:30 +8)),
            datetime!(2027-01-01 08:00 +8)
        );
        // Late evening in UTC terms is already the next local morning.
        assert_eq!(
            s.departure(datetime!(2026-11-23 22:30 UTC)),
            datetime!(2026-11-24 08:00 +8)
        );
    }

    #[test]
    fn etas_are_shown_in_china_time() {
        let s = DeliverySchedule::default();
        let eta = s.eta(datetime!(2026-11-23 02:00 UTC), 1_000);
        assert_eq!(eta.offset(), CHINA);
        assert_eq!(eta, datetime!(2026-11-23 13:23 +8));
    }

    #[test]
    fn odd_schedules_are_safe() {
        let empty = DeliverySchedule {
            waves: vec![],
            ..DeliverySchedule::default()
        };
        assert_eq!(empty.effective_waves(), vec![8 * 60]);
        assert_eq!(empty.departure(NOW), datetime!(2026-11-24 08:00 +8));
        assert!(empty.eta(NOW, 0) > NOW);

        let unsorted = DeliverySchedule {
            waves: vec![18 * 60, 8 * 60, 1440 + 13 * 60, 8 * 60],
            ..DeliverySchedule::default()
        };
        assert_eq!(unsorted.effective_waves(), vec![8 * 60, 13 * 60, 18 * 60]);
        assert_eq!(
            unsorted.eta(NOW, 5_000),
            DeliverySchedule::default().eta(NOW, 5_000)
        );

        let instant = DeliverySchedule {
            waves: vec![10 * 60],
            picking_min: 0,
            base_leg_min: 0,
            min_per_km: 0,
        };
        assert_eq!(instant.eta(NOW, 9_000), NOW);

        let slow = DeliverySchedule {
            waves: vec![u16::MAX],
            picking_min: u16::MAX,
            base_leg_min: u16::MAX,
            min_per_km: u16::MAX,
        };
        let latest = PrimitiveDateTime::MAX.assume_utc();
        // Saturates instead of panicking.
        assert!(slow.eta(NOW, u32::MAX) > NOW);
        assert!(slow.eta(latest, u32::MAX) <= latest);
        assert!(slow.eta(latest, u32::MAX) >= latest - Duration::seconds(1));
        let earliest = PrimitiveDateTime::MIN.assume_utc();
        assert!(DeliverySchedule::default().eta(earliest, 0) > earliest);
    }

    #[test]
    fn leg_minutes() {
        let s = DeliverySchedule::default();
        assert_eq!(s.leg_minutes(0), 20);
        assert_eq!(s.leg_minutes(1), 23);
        assert_eq!(s.leg_minutes(1_000), 23);
        assert_eq!(s.leg_minutes(1_001), 26);
        assert_eq!(s.leg_minutes(u32::MAX), 20 + 3 * 4_294_968);
    }

    #[test]
    fn schedule_serde_round_trips() {
        let s = DeliverySchedule::default();
        let json = serde_json::to_string(&s).expect("serialise");
        assert_eq!(
            json,
            r#"{"waves":[480,780,1080],"picking_min":60,"base_leg_min":20,"min_per_km":3}"#
        );
        assert_eq!(
            serde_json::from_str::<DeliverySchedule>(&json).expect("deserialise"),
            s
        );
    }

    // ---- supply_for ----

    fn other(n: u128, is_warehouse: bool, distance_m: u32, available_milli: u64) -> OtherLocation {
        OtherLocation {
            location: store(n),
            is_warehouse,
            distance_m,
            available_milli,
        }
    }

    #[test]
    fn the_shelf_then_a_shipment_then_the_fastest_transfer() {
        let s = DeliverySchedule::default();
        let shelf = level(5000, 1000);
        let need = q(4500);
        let now = supply_for(part(), q(4000), shelf, &[], &[], &s, NOW);
        assert_eq!(
            now,
            PartSupply {
                part: part(),
                quantity: q(4000),
                supply: Supply::Now
            }
        );
        let ship = Inbound {
            shipment: shipment(9),
            part: part(),
            available_milli: 5000,
            eta: datetime!(2026-11-23 15:00 +8),
        };
        let others = [
            other(2, false, 2_000, 9000),
            other(3, true, 2_000, 9000),
            other(4, false, 1_000, 1000),
        ];
        // A shipment wins over a transfer even if the transfer would be earlier.
        assert_eq!(
            supply_for(
                part(),
                need,
                shelf,
                std::slice::from_ref(&ship),
                &others,
                &s,
                NOW
            )
            .supply,
            Supply::Arriving {
                shipment: shipment(9),
                eta: datetime!(2026-11-23 15:00 +8)
            }
        );
        match supply_for(part(), need, shelf, &[], &others, &s, NOW).supply {
            Supply::Transfer { from, eta } => {
                assert_eq!(from, store(3), "warehouse wins the tie");
                assert_eq!(eta, datetime!(2026-11-23 13:26 +8));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            supply_for(part(), q(99_000), shelf, &[ship], &others, &s, NOW).supply,
            Supply::Unobtainable
        );
    }

    #[test]
    fn shipments_must_be_for_the_part_and_cover_it_alone() {
        let s = DeliverySchedule::default();
        let early = datetime!(2026-11-23 11:00 +8);
        let late = datetime!(2026-11-23 16:00 +8);
        let inbound = [
            Inbound {
                shipment: shipment(1),
                part: other_part(),
                available_milli: 9000,
                eta: early,
            },
            Inbound {
                shipment: shipment(2),
                part: part(),
                available_milli: 1000,
                eta: early,
            },
            Inbound {
                shipment: shipment(3),
                part: part(),
                available_milli: 1000,
                eta: early,
            },
            Inbound {
                shipment: shipment(4),
                part: part(),
                available_milli: 2000,
                eta: late,
            },
        ];
        // Two shipments of 1 together would cover 2, but the quantity is never split.
        assert_eq!(
            supply_for(part(), q(2000), StockLevel::EMPTY, &inbound, &[], &s, NOW).supply,
            Supply::Arriving {
                shipment: shipment(4),
                eta: late
            }
        );
        // Same ETA: the smaller shipment id, for a stable answer.
        assert_eq!(
            supply_for(part(), q(1000), StockLevel::EMPTY, &inbound, &[], &s, NOW).supply,
            Supply::Arriving {
                shipment: shipment(2),
                eta: early
            }
        );
        // An overdue shipment is arriving now, not in the past.
        let overdue = [Inbound {
            eta: NOW - Duration::hours(2),
            ..inbound[3].clone()
        }];
        assert_eq!(
            supply_for(part(), q(2000), StockLevel::EMPTY, &overdue, &[], &s, NOW).supply,
            Supply::Arriving {
                shipment: shipment(4),
                eta: NOW
            }
        );
        // Nothing for this part at all.
        assert_eq!(
            supply_for(part(), q(1), StockLevel::EMPTY, &inbound[..1], &[], &s, NOW).supply,
            Supply::Unobtainable
        );
    }

    #[test]
    fn the_earliest_transfer_wins_then_the_warehouse_then_the_nearest() {
        let s = DeliverySchedule::default();
        let need = q(1000);
        let from = |others: &[OtherLocation]| match supply_for(
            part(),
            need,
            StockLevel::EMPTY,
            &[],
            others,
            &s,
            NOW,
        )
        .supply
        {
            Supply::Transfer { from, .. } => Some(from),
            _ => None,
        };
        // A near store beats a far warehouse when it arrives earlier.
        assert_eq!(
            from(&[other(1, true, 30_000, 5000), other(2, false, 1_000, 5000)]),
            Some(store(2))
        );
        // Same ETA (both within the first started kilometre): warehouse first.
        assert_eq!(
            from(&[other(2, false, 100, 5000), other(1, true, 900, 5000)]),
            Some(store(1))
        );
        // Same ETA, two stores: the nearer.
        assert_eq!(
            from(&[other(2, false, 900, 5000), other(3, false, 100, 5000)]),
            Some(store(3))
        );
        // A location without enough is no source, however close.
        assert_eq!(
            from(&[other(2, false, 0, 999), other(3, false, 40_000, 1000)]),
            Some(store(3))
        );
        assert_eq!(from(&[other(2, false, 0, 999)]), None);
    }

    #[test]
    fn supply_serde_is_tagged() {
        let eta = datetime!(2026-11-23 13:35 +8);
        let json = serde_json::to_string(&Supply::Transfer {
            from: store(2),
            eta,
        })
        .expect("serialise");
        assert_eq!(
            json,
            r#"{"kind":"transfer","from":"00000000-0000-0000-0000-000000000002","eta":"2026-11-23T13:35:00+08:00"}"#
        );
        assert_eq!(
            serde_json::to_string(&Supply::Now).expect("serialise"),
            r#"{"kind":"now"}"#
        );
        for supply in [
            Supply::Now,
            Supply::Unobtainable,
            Supply::Arriving {
                shipment: shipment(7),
                eta,
            },
            Supply::Transfer {
                from: store(2),
                eta,
            },
        ] {
            let p = PartSupply {
                part: part(),
                quantity: q(4500),
                supply,
            };
            let json = serde_json::to_string(&p).expect("serialise");
            assert_eq!(
                serde_json::from_str::<PartSupply>(&json).expect("deserialise"),
                p
            );
        }
        assert!(serde_json::from_str::<PartSupply>(
            r#"{"part":"00000000-0000-0000-0000-000000000001","quantity":0,"supply":{"kind":"now"}}"#
        )
        .is_err());
    }

    // ---- readiness ----

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
            PartSupply {
                part: other_part(),
                quantity: q(1000),
                supply: Supply::Arriving {
                    shipment: shipment(1),
                    eta: eta - Duration::hours(1),
                },
            },
        ];
        let r = readiness(parts.clone(), NOW);
        assert_eq!(r.ready_at, Some(eta));
        assert_eq!(r.overall(), Overall::Transfer);
        assert_eq!(r.parts, parts);
        let mut none = parts;
        none.push(PartSupply {
            part: part(),
            quantity: q(1),
            supply: Supply::Unobtainable,
        });
        let r = readiness(none, NOW);
        assert_eq!(r.ready_at, None);
        assert_eq!(r.overall(), Overall::Unobtainable);
        let empty = readiness(vec![], NOW);
        assert_eq!(empty.ready_at, Some(NOW));
        assert_eq!(empty.overall(), Overall::Now);
        let json = serde_json::to_string(&empty).expect("serialise");
        assert_eq!(
            serde_json::from_str::<Readiness>(&json).expect("deserialise"),
            empty
        );
    }

    #[test]
    fn overall_is_the_worst() {
        assert!(Overall::Now < Overall::Arriving);
        assert!(Overall::Arriving < Overall::Transfer);
        assert!(Overall::Transfer < Overall::Unobtainable);
        assert_eq!(
            serde_json::to_string(&Overall::Unobtainable).expect("serialise"),
            r#""unobtainable""#
        );
        let arriving_only = readiness(
            vec![PartSupply {
                part: part(),
                quantity: q(1),
                supply: Supply::Arriving {
                    shipment: shipment(1),
                    eta: NOW + Duration::hours(3),
                },
            }],
            NOW,
        );
        assert_eq!(arriving_only.overall(), Overall::Arriving);
    }

    // ---- rank_stores ----

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
            o(6, 3_000, Some(NOW)),
        ]);
        let order: Vec<u32> = ranked.iter().map(|o| o.store).collect();
        assert_eq!(order, vec![4, 6, 2, 3, 5, 1]);
        assert!(rank_stores(Vec::<StoreOption<u32>>::new()).is_empty());
        let json = serde_json::to_string(&ranked[0]).expect("serialise");
        assert_eq!(
            serde_json::from_str::<StoreOption<u32>>(&json).expect("deserialise"),
            ranked[0]
        );
    }

    // ---- properties ----

    /// Any instant from 2020 to 2040, with or without a fraction of a second.
    fn any_now() -> impl Strategy<Value = OffsetDateTime> {
        (
            1_577_836_800i64..2_208_988_800,
            prop_oneof![Just(0u32), 0u32..1_000_000_000],
        )
            .prop_map(|(secs, nanos)| {
                OffsetDateTime::from_unix_timestamp(secs).unwrap_or(NOW)
                    + Duration::nanoseconds(i64::from(nanos))
            })
    }

    fn any_schedule() -> impl Strategy<Value = DeliverySchedule> {
        (
            prop::collection::vec(0u16..3_000, 0..6),
            0u16..600,
            0u16..120,
            0u16..10,
        )
            .prop_map(
                |(waves, picking_min, base_leg_min, min_per_km)| DeliverySchedule {
                    waves,
                    picking_min,
                    base_leg_min,
                    min_per_km,
                },
            )
    }

    fn any_supply() -> impl Strategy<Value = Supply> {
        prop_oneof![
            Just(Supply::Now),
            Just(Supply::Unobtainable),
            (0u128..4, -600i64..3_000).prop_map(|(n, m)| Supply::Arriving {
                shipment: shipment(n),
                eta: NOW + Duration::minutes(m),
            }),
            (0u128..4, -600i64..3_000).prop_map(|(n, m)| Supply::Transfer {
                from: store(n),
                eta: NOW + Duration::minutes(m),
            }),
        ]
    }

    fn any_inbound() -> impl Strategy<Value = Inbound> {
        (0u128..6, any::<bool>(), 0u64..6_000, -120i64..3_000).prop_map(|(n, mine, avail, m)| {
            Inbound {
                shipment: shipment(n),
                part: if mine { part() } else { other_part() },
                available_milli: avail,
                eta: NOW + Duration::minutes(m),
            }
        })
    }

    fn any_other() -> impl Strategy<Value = OtherLocation> {
        (10u128..16, any::<bool>(), 0u32..40_000, 0u64..6_000)
            .prop_map(|(n, wh, d, avail)| other(n, wh, d, avail))
    }

    proptest! {
        #[test]
        fn level_serde_accepts_exactly_what_new_accepts(on_hand in any::<u64>(), reserved in any::<u64>()) {
            let json = format!(r#"{{"on_hand_milli":{on_hand},"reserved_milli":{reserved}}}"#);
            prop_assert_eq!(serde_json::from_str::<StockLevel>(&json).ok(), StockLevel::new(on_hand, reserved).ok());
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
            // The van of the default schedule always leaves within a day.
            prop_assert!(s.departure(now) - now <= Duration::days(1));
        }

        #[test]
        fn any_schedule_gives_a_sane_eta(
            s in any_schedule(),
            now in any_now(),
            later_s in 0i64..(2 * 24 * 3600),
            d1 in any::<u32>(),
            d2 in any::<u32>(),
        ) {
            let waves = s.effective_waves();
            prop_assert!(!waves.is_empty());
            prop_assert!(waves.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(waves.iter().all(|&w| w < MINUTES_PER_DAY));

            let ready = now + Duration::minutes(i64::from(s.picking_min));
            let departure = s.departure(now);
            // On a wave, on the minute, after picking, and the first such departure.
            prop_assert!(waves.contains(&local_minute_of_day(departure)));
            prop_assert_eq!((departure.second(), departure.nanosecond()), (0, 0));
            prop_assert!(departure >= ready);
            prop_assert!(departure - ready < Duration::days(1));
            let reference = (0..=1)
                .flat_map(|d| {
                    let date = local_date(ready) + Duration::days(d);
                    waves.iter().map(move |&w| at_local_minute(date, w))
                })
                .find(|&t| t >= ready);
            prop_assert_eq!(Some(departure), reference);

            let eta = s.eta(now, d1);
            prop_assert_eq!(eta, departure + Duration::minutes(i64::try_from(s.leg_minutes(d1)).unwrap_or(i64::MAX)));
            prop_assert!(eta >= ready + Duration::minutes(i64::from(s.base_leg_min)));
            if s.picking_min > 0 || s.base_leg_min > 0 {
                prop_assert!(eta > now);
            }
            // Monotone in now and in distance.
            prop_assert!(eta <= s.eta(now + Duration::seconds(later_s), d1));
            let (near, far) = (d1.min(d2), d1.max(d2));
            prop_assert!(s.eta(now, near) <= s.eta(now, far));
        }

        #[test]
        fn supply_for_follows_the_preference_order(
            on_hand in 0u64..6_000,
            reserved in 0u64..6_000,
            need in 1u32..6_000,
            inbound in prop::collection::vec(any_inbound(), 0..6),
            others in prop::collection::vec(any_other(), 0..6).prop_map(|os| {
                // Each location appears once, as the store's network does.
                os.into_iter()
                    .enumerate()
                    .map(|(i, o)| OtherLocation { location: store(100 + i as u128), ..o })
                    .collect::<Vec<_>>()
            }),
            now_offset in 0i64..(2 * 24 * 60),
        ) {
            let s = DeliverySchedule::default();
            let now = NOW + Duration::minutes(now_offset);
            let here = level(on_hand.max(reserved), on_hand.min(reserved));
            let quantity = q(need);
            let need = u64::from(need);
            let result = supply_for(part(), quantity, here, &inbound, &others, &s, now);
            prop_assert_eq!(result.part, part());
            prop_assert_eq!(result.quantity, quantity);

            let covering_inbound: Vec<&Inbound> = inbound
                .iter()
                .filter(|i| i.part == part() && i.available_milli >= need)
                .collect();
            let covering_others: Vec<(OffsetDateTime, &OtherLocation)> = others
                .iter()
                .filter(|o| o.available_milli >= need)
                .map(|o| (s.eta(now, o.distance_m), o))
                .collect();

            match result.supply {
                Supply::Now => prop_assert!(here.available_milli() >= need),
                Supply::Arriving { shipment, eta } => {
                    prop_assert!(here.available_milli() < need);
                    prop_assert!(eta >= now);
                    // The chosen shipment covers the part and none covering arrives earlier.
                    prop_assert!(covering_inbound.iter().any(|i| i.shipment == shipment && i.eta.max(now) == eta));
                    prop_assert!(covering_inbound.iter().all(|i| i.eta.max(now) >= eta));
                }
                Supply::Transfer { from, eta } => {
                    prop_assert!(here.available_milli() < need);
                    prop_assert!(covering_inbound.is_empty());
                    prop_assert!(eta > now);
                    let earliest = covering_others.iter().map(|(t, _)| *t).min();
                    prop_assert_eq!(Some(eta), earliest);
                    let tied: Vec<&OtherLocation> = covering_others
                        .iter()
                        .filter(|(t, _)| *t == eta)
                        .map(|(_, o)| *o)
                        .collect();
                    let chosen = tied.iter().find(|o| o.location == from);
                    prop_assert!(chosen.is_some());
                    if let Some(chosen) = chosen {
                        // Warehouse first on a tie, then the nearest.
                        if tied.iter().any(|o| o.is_warehouse) {
                            prop_assert!(chosen.is_warehouse);
                        }
                        prop_assert!(tied
                            .iter()
                            .filter(|o| o.is_warehouse == chosen.is_warehouse)
                            .all(|o| o.distance_m >= chosen.distance_m));
                    }
                }
                Supply::Unobtainable => {
                    prop_assert!(here.available_milli() < need);
                    prop_assert!(covering_inbound.is_empty());
                    prop_assert!(covering_others.is_empty());
                }
            }
        }

        #[test]
        fn readiness_is_the_last_part_or_none(
            supplies in prop::collection::vec(any_supply(), 0..8),
            now_offset in 0i64..600,
        ) {
            let now = NOW + Duration::minutes(now_offset);
            let parts: Vec<PartSupply> = supplies
                .iter()
                .map(|supply| PartSupply { part: part(), quantity: q(1000), supply: supply.clone() })
                .collect();
            let r = readiness(parts.clone(), now);
            prop_assert_eq!(&r.parts, &parts);
            let any_unobtainable = supplies.contains(&Supply::Unobtainable);
            match r.ready_at {
                None => prop_assert!(any_unobtainable),
                Some(at) => {
                    prop_assert!(!any_unobtainable);
                    prop_assert!(at >= now);
                    for s in &supplies {
                        let part_at = s.ready_at(now);
                        prop_assert!(part_at.is_some_and(|t| t <= at));
                    }
                    // It is the last part's time (or now), not later.
                    prop_assert!(at == now || supplies.iter().any(|s| s.ready_at(now) == Some(at)));
                }
            }
            let worst = supplies.iter().map(Supply::overall).max().unwrap_or(Overall::Now);
            prop_assert_eq!(r.overall(), worst);
            prop_assert_eq!(r.overall() == Overall::Unobtainable, r.ready_at.is_none());
        }

        #[test]
        fn ranking_is_a_sorted_permutation(
            raw in prop::collection::vec((0u32..10_000, prop::option::of(0i64..1000)), 0..20),
        ) {
            let options: Vec<StoreOption<usize>> = raw.iter().enumerate()
                .map(|(i, (d, t))| StoreOption { store: i, distance_m: *d, earliest_start: t.map(|m| NOW + Duration::minutes(m)) })
                .collect();
            let ranked = rank_stores(options.clone());
            let mut ids: Vec<usize> = ranked.iter().map(|o| o.store).collect();
            ids.sort_unstable();
            prop_assert_eq!(ids, (0..raw.len()).collect::<Vec<_>>());
            // Each option kept its own distance and start.
            for o in &ranked {
                prop_assert_eq!(o, &options[o.store]);
            }
            for w in ranked.windows(2) {
                let key = |o: &StoreOption<usize>| (o.earliest_start.is_none(), o.earliest_start, o.distance_m);
                prop_assert!(key(&w[0]) <= key(&w[1]));
                // Stable: full ties keep the input order.
                if key(&w[0]) == key(&w[1]) {
                    prop_assert!(w[0].store < w[1].store);
                }
            }
            // Every store that can serve comes before every store that cannot.
            let first_none = ranked.iter().position(|o| o.earliest_start.is_none()).unwrap_or(ranked.len());
            prop_assert!(ranked[first_none..].iter().all(|o| o.earliest_start.is_none()));
        }
    }
}
