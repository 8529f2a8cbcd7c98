//! A customer's garage: their vehicles and each one's service history.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::catalog::VehicleModel;
use crate::{Mileage, Money, OrderId, OrderStatus, Plate, VehicleId};

/// A vehicle in a customer's garage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vehicle {
    /// Its id.
    pub id: VehicleId,
    /// Its licence plate (unique in the chain).
    pub plate: Plate,
    /// Its model, which decides the parts that fit.
    pub model: VehicleModel,
    /// The mileage last recorded.
    pub mileage: Mileage,
}

/// One order in a vehicle's service history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The order.
    pub order: OrderId,
    /// The reference the customer was given.
    pub reference: String,
    /// The store's name in Chinese.
    pub store_zh: String,
    /// The store's name in English.
    pub store_en: String,
    /// Where the order stands.
    pub status: OrderStatus,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The mileage recorded with it.
    pub mileage: Mileage,
    /// What it cost.
    pub total: Money,
    /// The services done, by name (zh, en).
    pub services: Vec<(String, String)>,
}
