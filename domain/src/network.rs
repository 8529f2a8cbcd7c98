//! The chain as a booking sees it: its locations (stores and the warehouse) with their
//! hours and capacity, the shelves of the parts in question and what is on its way.
//!
//! Storage reads a [`Network`] once per decision, holding only what that decision needs
//! (every store for the picker; the booked store and the locations that could send the
//! parts for a booking); [`crate::booking`] decides from it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::geo::GeoPoint;
use crate::slots::{self, OpeningHours};
use crate::stock::{Inbound, StockLevel, Waves};
use crate::{PartId, StoreId};

/// A store or the warehouse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Its id (the warehouse's too: it is a location stock can be sent from).
    pub id: StoreId,
    /// Short code staff use, e.g. `HZ-WL`.
    pub code: String,
    /// Name in Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// Address in Chinese.
    pub address_zh: String,
    /// Address in English.
    pub address_en: String,
    /// Whether it is the central warehouse (which takes no bookings).
    pub is_warehouse: bool,
    /// Where it is.
    pub geo: GeoPoint,
    /// Service bays.
    pub bays: u32,
    /// Technicians working there.
    pub technicians: u32,
    /// When it is open; a weekday without hours is closed.
    pub hours: Vec<OpeningHours>,
    /// When the vans of its delivery route leave the warehouse: a part sent to it rides
    /// the next of these.
    pub waves: Waves,
}

impl Location {
    /// Units of work that can run at once ([`slots::capacity`]).
    pub fn capacity(&self) -> u32 {
        slots::capacity(self.bays, self.technicians)
    }
}

/// One part on one location's shelf: its level and the safety stock it keeps for its
/// own customers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shelf {
    /// On hand and reserved.
    pub level: StockLevel,
    /// Below this the location does not give stock away to another location's
    /// bookings, in thousandths. Its own bookings may use the shelf to the last unit.
    pub safety_milli: u64,
}

impl Shelf {
    /// What the location could send to another one: available stock above safety stock.
    pub fn spare_milli(&self) -> u64 {
        self.level
            .available_milli()
            .saturating_sub(self.safety_milli)
    }
}

/// Locations, shelves and shipments for a set of parts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Network {
    /// The locations read (their order is kept as a tie-break).
    pub locations: Vec<Location>,
    /// Shelves by location and part; a missing shelf is empty.
    pub stock: HashMap<(StoreId, PartId), Shelf>,
    /// Shipments on their way, by destination.
    pub inbound: Vec<(StoreId, Inbound)>,
}

impl Network {
    /// The location with this id, if it was read.
    pub fn location(&self, id: StoreId) -> Option<&Location> {
        self.locations.iter().find(|l| l.id == id)
    }

    /// The locations customers can book at.
    pub fn stores(&self) -> impl Iterator<Item = &Location> {
        self.locations.iter().filter(|l| !l.is_warehouse)
    }

    /// The shelf of `part` at `at` (empty if there is none).
    pub fn shelf(&self, at: StoreId, part: PartId) -> Shelf {
        self.stock.get(&(at, part)).copied().unwrap_or_default()
    }

    /// What a new booking at `at` could take of `part` from its shelf, in thousandths.
    pub fn available(&self, at: StoreId, part: PartId) -> u64 {
        self.shelf(at, part).level.available_milli()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spare_stock_stops_at_the_safety_level() {
        let shelf = |on_hand, reserved, safety| Shelf {
            level: StockLevel::new(on_hand, reserved).expect("level"),
            safety_milli: safety,
        };
        assert_eq!(shelf(10_000, 2_000, 3_000).spare_milli(), 5_000);
        assert_eq!(shelf(10_000, 8_000, 3_000).spare_milli(), 0);
        assert_eq!(shelf(0, 0, 0).spare_milli(), 0);
        assert_eq!(Shelf::default().spare_milli(), 0);
    }
}
