//! The catalog: services and their categories, and the vehicle models parts are fitted to.

use serde::{Deserialize, Serialize};

use crate::{ModelId, ServiceId};

/// A service as the catalog describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// Its id.
    pub id: ServiceId,
    /// Stable code, e.g. `OIL_CHANGE`.
    pub code: String,
    /// What kind of work it is.
    pub category: ServiceCategory,
    /// Name in Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// What it includes, in Chinese.
    pub description_zh: String,
    /// What it includes, in English.
    pub description_en: String,
    /// How long it takes a technician, in minutes (at least one).
    pub duration_min: u16,
}

/// A vehicle model parts are fitted to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehicleModel {
    /// Its id.
    pub id: ModelId,
    /// Stable code.
    pub code: String,
    /// Brand in Chinese, e.g. 丰田.
    pub brand_zh: String,
    /// Brand in English, e.g. Toyota.
    pub brand_en: String,
    /// Model in Chinese, e.g. 卡罗拉.
    pub name_zh: String,
    /// Model in English, e.g. Corolla.
    pub name_en: String,
    /// Petrol, hybrid, electric...
    pub powertrain: String,
}

/// What kind of work a service is; stores group services by it and technicians are
/// skilled in categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceCategory {
    /// Oil, filters, fluids, scheduled services.
    Maintenance,
    /// Rotation, replacement, alignment.
    Tyres,
    /// Brakes and other repairs.
    Repair,
    /// Washing, polishing, film.
    Detailing,
    /// Battery and other electric-vehicle work.
    Ev,
}

impl ServiceCategory {
    /// Every category, in display order.
    pub const ALL: [ServiceCategory; 5] = [
        ServiceCategory::Maintenance,
        ServiceCategory::Tyres,
        ServiceCategory::Repair,
        ServiceCategory::Detailing,
        ServiceCategory::Ev,
    ];

    /// The stable code stored in databases and files.
    pub fn code(self) -> &'static str {
        match self {
            ServiceCategory::Maintenance => "maintenance",
            ServiceCategory::Tyres => "tyres",
            ServiceCategory::Repair => "repair",
            ServiceCategory::Detailing => "detailing",
            ServiceCategory::Ev => "ev",
        }
    }

    /// The category with this code, if any.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for c in ServiceCategory::ALL {
            assert_eq!(ServiceCategory::parse(c.code()), Some(c));
            let json = serde_json::to_string(&c).expect("serialise");
            assert_eq!(json, format!("\"{}\"", c.code()));
        }
        assert_eq!(ServiceCategory::parse("paint"), None);
    }
}
