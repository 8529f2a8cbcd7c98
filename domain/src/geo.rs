//! Where things are: points on the map and the distance between them, for "the nearest
//! store" in the store picker and for the length of a delivery leg.
//!
//! Points are integer microdegrees (about 0.1 m of latitude), so they are stored,
//! compared and sent over the wire exactly; only the distance computation uses `f64`.
//! Coordinates are WGS84 as a browser's geolocation reports them; the stores' own
//! coordinates are kept in the same datum so distances are consistent.

use serde::{Deserialize, Serialize};

use crate::Error;

/// The mean Earth radius used for distances, in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_000.0;

/// A WGS84 point in microdegrees: exact integers, as stored. Latitude is within
/// ±90°, longitude within ±180°; deserialising checks this like [`GeoPoint::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawPoint", into = "RawPoint")]
pub struct GeoPoint {
    /// Latitude in millionths of a degree, north positive.
    pub lat_e6: i32,
    /// Longitude in millionths of a degree, east positive.
    pub lng_e6: i32,
}

/// The wire form, checked by [`GeoPoint::new`] on the way in.
#[derive(Serialize, Deserialize)]
struct RawPoint {
    lat_e6: i32,
    lng_e6: i32,
}

impl TryFrom<RawPoint> for GeoPoint {
    type Error = Error;

    fn try_from(raw: RawPoint) -> Result<Self, Error> {
        GeoPoint::new(raw.lat_e6, raw.lng_e6)
    }
}

impl From<GeoPoint> for RawPoint {
    fn from(point: GeoPoint) -> RawPoint {
        RawPoint {
            lat_e6: point.lat_e6,
            lng_e6: point.lng_e6,
        }
    }
}

/// Hangzhou, by the West Lake (30.2590° N, 120.1550° E): where distances are measured
/// from when a customer gives no location (the chain's demo stores are in Hangzhou).
pub const HANGZHOU_CENTRE: GeoPoint = GeoPoint {
    lat_e6: 30_259_000,
    lng_e6: 120_155_000,
};

impl GeoPoint {
    /// The largest latitude magnitude, in microdegrees (a pole).
    pub const MAX_LAT_E6: i32 = 90_000_000;
    /// The largest longitude magnitude, in microdegrees (the antimeridian).
    pub const MAX_LNG_E6: i32 = 180_000_000;

    /// A point within the valid ranges (|lat| ≤ 90°, |lng| ≤ 180°), or
    /// [`Error::LocationInvalid`].
    pub fn new(lat_e6: i32, lng_e6: i32) -> Result<GeoPoint, Error> {
        if lat_e6.unsigned_abs() > Self::MAX_LAT_E6.unsigned_abs()
            || lng_e6.unsigned_abs() > Self::MAX_LNG_E6.unsigned_abs()
        {
            return Err(Error::LocationInvalid);
        }
        Ok(GeoPoint { lat_e6, lng_e6 })
    }

    /// Parses decimal degrees as a person types them or a browser reports them
    /// (`30.2741`, ` -0.5 `, `120.15510000000001`, and `1e-7`, which is how JavaScript
    /// prints tiny numbers). Surrounding whitespace is ignored; the value is rounded to
    /// the microdegree. Anything else (empty, junk, `NaN`, infinities, out of range) is
    /// [`Error::LocationInvalid`].
    pub fn parse_degrees(lat: &str, lng: &str) -> Result<GeoPoint, Error> {
        GeoPoint::new(parse_micro_degrees(lat)?, parse_micro_degrees(lng)?)
    }

    /// Latitude in degrees.
    pub fn lat_degrees(self) -> f64 {
        f64::from(self.lat_e6) / 1e6
    }

    /// Longitude in degrees.
    pub fn lng_degrees(self) -> f64 {
        f64::from(self.lng_e6) / 1e6
    }

    fn radians(self) -> (f64, f64) {
        (
            self.lat_degrees().to_radians(),
            self.lng_degrees().to_radians(),
        )
    }
}

/// One coordinate in decimal degrees → microdegrees; the range check is left to
/// [`GeoPoint::new`], this only guarantees the conversion cannot saturate silently.
fn parse_micro_degrees(text: &str) -> Result<i32, Error> {
    let degrees: f64 = text.trim().parse().map_err(|_| Error::LocationInvalid)?;
    // Rejects NaN and infinities too. Anything within ±180° fits an i32 in
    // microdegrees, so the cast below is exact after rounding.
    if !degrees.is_finite() || degrees.abs() > 180.0 {
        return Err(Error::LocationInvalid);
    }
    Ok((degrees * 1e6).round() as i32)
}

/// Great-circle distance in metres, rounded (haversine on a sphere of
/// [`EARTH_RADIUS_M`]). Within a city the error against the ellipsoid is far below
/// what an actual route adds, and the result is symmetric and zero for equal points.
pub fn distance_m(a: GeoPoint, b: GeoPoint) -> u32 {
    let (lat1, lng1) = a.radians();
    let (lat2, lng2) = b.radians();
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lng2 - lng1) / 2.0).sin().powi(2);
    // Rounding can push `h` a hair outside [0, 1] near antipodes; clamp before asin.
    let metres = 2.0 * EARTH_RADIUS_M * h.clamp(0.0, 1.0).sqrt().asin();
    // At most half the circumference (about 20,015 km), well within u32.
    metres.round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn point(lat_e6: i32, lng_e6: i32) -> GeoPoint {
        GeoPoint::new(lat_e6, lng_e6).expect("valid point")
    }

    /// Half the circumference of the sphere, rounded.
    const HALF_CIRCUMFERENCE_M: u32 = 20_015_087;

    #[test]
    fn new_checks_the_ranges() {
        assert_eq!(
            GeoPoint::new(90_000_000, -180_000_000),
            Ok(GeoPoint {
                lat_e6: 90_000_000,
                lng_e6: -180_000_000
            })
        );
        assert_eq!(
            GeoPoint::new(-90_000_000, 180_000_000).map(|p| p.lat_e6),
            Ok(-90_000_000)
        );
        for (lat, lng) in [
            (90_000_001, 0),
            (-90_000_001, 0),
            (0, 180_000_001),
            (0, -180_000_001),
            (i32::MIN, 0),
            (0, i32::MIN),
            (i32::MAX, i32::MAX),
        ] {
            assert_eq!(
                GeoPoint::new(lat, lng),
                Err(Error::LocationInvalid),
                "{lat} {lng}"
            );
        }
    }

    #[test]
    fn hangzhou_centre_is_valid_and_by_the_west_lake() {
        assert_eq!(
            GeoPoint::new(HANGZHOU_CENTRE.lat_e6, HANGZHOU_CENTRE.lng_e6),
            Ok(HANGZHOU_CENTRE)
        );
        assert_eq!(
            GeoPoint::parse_degrees("30.2590", "120.1550"),
            Ok(HANGZHOU_CENTRE)
        );
    }

    #[test]
    fn parses_what_browsers_and_people_send() {
        let cases = [
            ((" 30.2741", "120.1551 "), (30_274_100, 120_155_100)),
            (
                ("30.274084999999998", "120.15510000000001"),
                (30_274_085, 120_155_100),
            ),
            (("-0.5", "+1"), (-500_000, 1_000_000)),
            (("1e-7", "0"), (0, 0)),
            (("90", "-180"), (90_000_000, -180_000_000)),
            (("\t-33.8688\n", "151.2093"), (-33_868_800, 151_209_300)),
            (("30.0000004", "120.0000006"), (30_000_000, 120_000_001)),
        ];
        for ((lat, lng), (lat_e6, lng_e6)) in cases {
            assert_eq!(
                GeoPoint::parse_degrees(lat, lng),
                Ok(GeoPoint { lat_e6, lng_e6 }),
                "{lat:?} {lng:?}"
            );
        }
    }

    #[test]
    fn rejects_junk_and_out_of_range() {
        for (lat, lng) in [
            ("91", "0"),
            ("-90.000001", "0"),
            ("0", "181"),
            ("0", "-180.000001"),
            ("1e10", "0"),
            ("abc", "0"),
            ("0", "abc"),
            ("NaN", "1"),
            ("1", "nan"),
            ("inf", "0"),
            ("0", "-infinity"),
            ("", ""),
            ("   ", "0"),
            ("30,27", "120"),
            ("30.27°", "120"),
            ("３０", "120"),
            ("30.27 N", "120"),
            ("0x1E", "0"),
        ] {
            assert_eq!(
                GeoPoint::parse_degrees(lat, lng),
                Err(Error::LocationInvalid),
                "{lat:?} {lng:?}"
            );
        }
    }

    #[test]
    fn serde_keeps_the_shape_and_checks_the_range() {
        let json = serde_json::to_string(&HANGZHOU_CENTRE).expect("serialise");
        assert_eq!(json, r#"{"lat_e6":30259000,"lng_e6":120155000}"#);
        assert_eq!(
            serde_json::from_str::<GeoPoint>(&json).expect("deserialise"),
            HANGZHOU_CENTRE
        );
        assert!(serde_json::from_str::<GeoPoint>(r#"{"lat_e6":90000001,"lng_e6":0}"#).is_err());
        assert!(serde_json::from_str::<GeoPoint>(r#"{"lat_e6":0,"lng_e6":-180000001}"#).is_err());
        assert!(serde_json::from_str::<GeoPoint>(r#"{"lat_e6":0}"#).is_err());
    }

    #[test]
    fn known_distances() {
        // One degree of latitude is 6,371 km × π / 180 = 111,194.9 m on this sphere.
        let a = point(30_000_000, 120_000_000);
        let b = point(31_000_000, 120_000_000);
        assert!((i64::from(distance_m(a, b)) - 111_195).abs() <= 50);
        // So is one degree of longitude on the equator.
        assert!((i64::from(distance_m(point(0, 0), point(0, 1_000_000))) - 111_195).abs() <= 50);
        // Half as much at 60° of latitude.
        let at_60 = distance_m(point(60_000_000, 0), point(60_000_000, 1_000_000));
        assert!((i64::from(at_60) - 55_597).abs() <= 50, "{at_60}");
        // Antipodes and poles: half the circumference, no NaN.
        assert_eq!(
            distance_m(point(0, 0), point(0, 180_000_000)),
            HALF_CIRCUMFERENCE_M
        );
        assert_eq!(
            distance_m(point(90_000_000, 0), point(-90_000_000, 0)),
            HALF_CIRCUMFERENCE_M
        );
        // The antimeridian is crossed the short way.
        assert!(distance_m(point(0, 179_999_000), point(0, -179_999_000)) < 250);
        // Across town in Hangzhou: West Lake to Hangzhou East station, about 6 km.
        let east_station = point(30_290_600, 120_212_700);
        let d = distance_m(HANGZHOU_CENTRE, east_station);
        assert!((5_500..7_000).contains(&d), "{d}");
    }

    #[test]
    fn zero_to_itself() {
        for p in [
            HANGZHOU_CENTRE,
            point(0, 0),
            point(90_000_000, 180_000_000),
            point(-90_000_000, -180_000_000),
        ] {
            assert_eq!(distance_m(p, p), 0);
        }
    }

    fn any_point() -> impl Strategy<Value = GeoPoint> {
        (-90_000_000i32..=90_000_000, -180_000_000i32..=180_000_000)
            .prop_map(|(lat_e6, lng_e6)| GeoPoint { lat_e6, lng_e6 })
    }

    fn hangzhou_point() -> impl Strategy<Value = GeoPoint> {
        (29_000_000i32..32_000_000, 118_000_000i32..122_000_000)
            .prop_map(|(lat_e6, lng_e6)| GeoPoint { lat_e6, lng_e6 })
    }

    proptest! {
        #[test]
        fn distance_is_a_metric(a in any_point(), b in any_point(), c in any_point()) {
            prop_assert_eq!(distance_m(a, a), 0);
            prop_assert_eq!(distance_m(a, b), distance_m(b, a));
            prop_assert!(distance_m(a, b) <= HALF_CIRCUMFERENCE_M);
            // Each distance is rounded, so allow a metre or two.
            prop_assert!(
                u64::from(distance_m(a, c)) <= u64::from(distance_m(a, b)) + u64::from(distance_m(b, c)) + 2
            );
        }

        #[test]
        fn triangle_inequality_within_a_city(a in hangzhou_point(), b in hangzhou_point(), c in hangzhou_point()) {
            prop_assert_eq!(distance_m(a, b), distance_m(b, a));
            prop_assert!(distance_m(a, c) <= distance_m(a, b) + distance_m(b, c) + 2);
        }

        #[test]
        fn nearby_points_are_near(a in hangzhou_point(), dlat in -1000i32..1000, dlng in -1000i32..1000) {
            // A thousandth of a degree is at most ~111 m in each direction.
            let b = GeoPoint { lat_e6: a.lat_e6 + dlat, lng_e6: a.lng_e6 + dlng };
            prop_assert!(distance_m(a, b) <= 160);
        }

        #[test]
        fn degrees_text_round_trips(p in any_point()) {
            let lat = p.lat_degrees().to_string();
            let lng = format!("  {}\t", p.lng_degrees());
            prop_assert_eq!(GeoPoint::parse_degrees(&lat, &lng), Ok(p));
        }

        #[test]
        fn new_accepts_exactly_the_valid_range(lat in any::<i32>(), lng in any::<i32>()) {
            let valid = (-90_000_000..=90_000_000).contains(&lat)
                && (-180_000_000..=180_000_000).contains(&lng);
            match GeoPoint::new(lat, lng) {
                Ok(p) => {
                    prop_assert!(valid);
                    prop_assert_eq!((p.lat_e6, p.lng_e6), (lat, lng));
                }
                Err(e) => {
                    prop_assert!(!valid);
                    prop_assert_eq!(e, Error::LocationInvalid);
                }
            }
        }

        #[test]
        fn serde_accepts_exactly_what_new_accepts(lat in any::<i32>(), lng in any::<i32>()) {
            let json = format!(r#"{{"lat_e6":{lat},"lng_e6":{lng}}}"#);
            let parsed = serde_json::from_str::<GeoPoint>(&json).ok();
            prop_assert_eq!(parsed, GeoPoint::new(lat, lng).ok());
        }

        #[test]
        fn parse_degrees_never_panics(lat in ".*", lng in "[-+0-9.eE ]{0,20}") {
            if let Ok(p) = GeoPoint::parse_degrees(&lat, &lng) {
                prop_assert_eq!(GeoPoint::new(p.lat_e6, p.lng_e6), Ok(p));
            }
        }
    }
}
