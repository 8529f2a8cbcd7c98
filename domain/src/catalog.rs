//! The catalog's vocabulary.

use serde::{Deserialize, Serialize};

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
