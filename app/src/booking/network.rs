//! The chain as a booking sees it: locations with their hours and capacity, stock of the
//! parts in question, and what is on its way. Read in one go by the store, then asked
//! questions whose answers all come from `domain`.

use std::collections::HashMap;

use domain::geo::{distance_m, GeoPoint};
use domain::slots::{self, Load, OpeningHours, Slot};
use domain::stock::{
    readiness, supply_for, DeliverySchedule, Inbound, OtherLocation, Readiness, StockLevel,
};
use domain::{BookingLimits, PartId, Quantity, StoreId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A store or the warehouse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationInfo {
    pub id: StoreId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub address_zh: String,
    pub address_en: String,
    pub is_warehouse: bool,
    pub geo: GeoPoint,
    pub bays: u32,
    pub technicians: u32,
    pub hours: Vec<OpeningHours>,
}

impl LocationInfo {
    /// Units of work that can run at once.
    pub fn capacity(&self) -> u32 {
        slots::capacity(self.bays, self.technicians)
    }
}

/// Locations, stock and shipments for a set of parts.
#[derive(Clone, Debug, Default)]
pub struct Network {
    pub locations: Vec<LocationInfo>,
    pub stock: HashMap<(StoreId, PartId), StockLevel>,
    /// Shipments on their way, by destination.
    pub inbound: Vec<(StoreId, Inbound)>,
}

impl Network {
    pub fn location(&self, id: StoreId) -> Option<&LocationInfo> {
        self.locations.iter().find(|l| l.id == id)
    }

    /// The stores customers can book at.
    pub fn stores(&self) -> impl Iterator<Item = &LocationInfo> {
        self.locations.iter().filter(|l| !l.is_warehouse)
    }

    /// What a new booking could take of `part` at `at`, in thousandths.
    pub fn available(&self, at: StoreId, part: PartId) -> u64 {
        self.level(at, part).available_milli()
    }

    fn level(&self, at: StoreId, part: PartId) -> StockLevel {
        self.stock
            .get(&(at, part))
            .copied()
            .unwrap_or(StockLevel::EMPTY)
    }

    /// Where each part would come from for a job at `store`, and when all can be there.
    pub fn readiness_at(
        &self,
        store: &LocationInfo,
        needs: &[(PartId, Quantity)],
        schedule: &DeliverySchedule,
        now: OffsetDateTime,
    ) -> Readiness {
        let parts = needs
            .iter()
            .map(|&(part, quantity)| {
                let inbound: Vec<Inbound> = self
                    .inbound
                    .iter()
                    .filter(|(to, i)| *to == store.id && i.part == part)
                    .map(|(_, i)| i.clone())
                    .collect();
                let others: Vec<OtherLocation> = self
                    .locations
                    .iter()
                    .filter(|l| l.id != store.id)
                    .map(|l| OtherLocation {
                        location: l.id,
                        is_warehouse: l.is_warehouse,
                        distance_m: distance_m(store.geo, l.geo),
                        available_milli: self.level(l.id, part).available_milli(),
                    })
                    .collect();
                supply_for(
                    part,
                    quantity,
                    self.level(store.id, part),
                    &inbound,
                    &others,
                    schedule,
                    now,
                )
            })
            .collect();
        readiness(parts, now)
    }
}

/// The store's bookable slots for a job of `duration_min` booked at `now`: inside the
/// window the booking limits allow, and no earlier than `parts_ready`.
pub fn slots_at(
    store: &LocationInfo,
    load: &Load,
    duration_min: u16,
    parts_ready: OffsetDateTime,
    now: OffsetDateTime,
    limits: &BookingLimits,
) -> Vec<Slot> {
    let (earliest, horizon_end) = limits.window(now);
    let not_before = parts_ready.max(earliest);
    let from = domain::local_time::local_date(not_before);
    let days = (domain::local_time::local_date(horizon_end) - from).whole_days();
    let Ok(days) = u16::try_from(days) else {
        return Vec::new();
    };
    slots::slot_grid(
        &store.hours,
        from,
        days,
        duration_min,
        store.capacity(),
        load,
        not_before,
    )
    .into_iter()
    .filter(|s| s.start < horizon_end)
    .collect()
}
