//! Where things are: points on the map and the distance between them, for "the nearest
//! store" and for delivery legs.

use serde::{Deserialize, Serialize};

use crate::Error;

/// A WGS84 point in microdegrees: exact integers, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude in millionths of a degree.
    pub lat_e6: i32,
    /// Longitude in millionths of a degree.
    pub lng_e6: i32,
}

/// Hangzhou, by the West Lake: where distances are measured from when a customer gives
/// no location (the chain's stores are in Hangzhou).
pub const HANGZHOU_CENTRE: GeoPoint = GeoPoint {
    lat_e6: 30_259_000,
    lng_e6: 120_155_000,
};

impl GeoPoint {
    /// A point within the valid ranges, or [`Error::LocationInvalid`].
    pub fn new(lat_e6: i32, lng_e6: i32) -> Result<GeoPoint, Error> {
        if lat_e6.unsigned_abs() > 90_000_000 || lng_e6.unsigned_abs() > 180_000_000 {
            return Err(Error::LocationInvalid);
        }
        Ok(GeoPoint { lat_e6, lng_e6 })
    }

    /// Parses decimal degrees as a browser reports them (`30.2741`, `120.1551`).
    pub fn parse_degrees(lat: &str, lng: &str) -> Result<GeoPoint, Error> {
        let degrees = |s: &str| -> Result<i32, Error> {
            let v: f64 = s.trim().parse().map_err(|_| Error::LocationInvalid)?;
            if !v.is_finite() || v.abs() > 180.0 {
                return Err(Error::LocationInvalid);
            }
            // In range, so the product fits an i32.
            Ok((v * 1e6).round() as i32)
        };
        GeoPoint::new(degrees(lat)?, degrees(lng)?)
    }

    fn radians(self) -> (f64, f64) {
        (
            (f64::from(self.lat_e6) / 1e6).to_radians(),
            (f64::from(self.lng_e6) / 1e6).to_radians(),
        )
    }
}

/// Great-circle distance in metres (haversine on a 6,371 km sphere): within a city the
/// error is far below what a route would add.
pub fn distance_m(a: GeoPoint, b: GeoPoint) -> u32 {
    let (lat1, lng1) = a.radians();
    let (lat2, lng2) = b.radians();
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lng2 - lng1) / 2.0).sin().powi(2);
    let metres = 2.0 * 6_371_000.0 * h.sqrt().min(1.0).asin();
    metres.round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_bounds() {
        assert_eq!(
            GeoPoint::parse_degrees(" 30.2741", "120.1551 "),
            Ok(GeoPoint {
                lat_e6: 30_274_100,
                lng_e6: 120_155_100
            })
        );
        for (lat, lng) in [
            ("91", "0"),
            ("0", "181"),
            ("abc", "0"),
            ("NaN", "1"),
            ("", ""),
        ] {
            assert_eq!(
                GeoPoint::parse_degrees(lat, lng),
                Err(Error::LocationInvalid),
                "{lat} {lng}"
            );
        }
    }

    #[test]
    fn a_degree_of_latitude_is_about_111_km() {
        let a = GeoPoint::new(30_000_000, 120_000_000).expect("a");
        let b = GeoPoint::new(31_000_000, 120_000_000).expect("b");
        assert!((i64::from(distance_m(a, b)) - 111_195).abs() <= 50);
        assert_eq!(distance_m(a, a), 0);
    }

    fn any_point() -> impl Strategy<Value = GeoPoint> {
        (29_000_000i32..32_000_000, 118_000_000i32..122_000_000)
            .prop_map(|(lat_e6, lng_e6)| GeoPoint { lat_e6, lng_e6 })
    }

    proptest! {
        #[test]
        fn distance_is_a_metric(a in any_point(), b in any_point(), c in any_point()) {
            prop_assert_eq!(distance_m(a, b), distance_m(b, a));
            prop_assert!(distance_m(a, c) <= distance_m(a, b) + distance_m(b, c) + 2);
        }
    }
}
