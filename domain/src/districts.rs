//! Where customers live, by district, against the stores' reach (C11): the map HQ reads
//! when deciding where the next store goes.
//!
//! - [`District`] and [`DISTRICTS`]: Hangzhou's districts with a centre each;
//!   [`District::parse`] reads a customer's choice.
//! - [`REACH_M`]: how far a store serves its customers (its staff deliver parts that far).
//! - [`reach`]: each district's customers, its nearest store and whether it is within
//!   reach; [`next_store`]: the district with most customers beyond every store's reach.

use crate::geo::{distance_m, GeoPoint};
use crate::{Error, StoreId};

/// A district: its stable code, names and centre (microdegrees).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct District {
    /// The stable code stored with a customer.
    pub code: &'static str,
    /// Its name in Chinese.
    pub name_zh: &'static str,
    /// Its name in English.
    pub name_en: &'static str,
    /// Latitude of its centre, in microdegrees.
    pub lat_e6: i32,
    /// Longitude of its centre, in microdegrees.
    pub lng_e6: i32,
}

/// Hangzhou's districts, the city centre first.
pub const DISTRICTS: [District; 10] = [
    district(
        "SHANGCHENG",
        "上城区",
        "Shangcheng",
        30_242_500,
        120_169_200,
    ),
    district("GONGSHU", "拱墅区", "Gongshu", 30_319_500, 120_141_800),
    district("XIHU", "西湖区", "Xihu", 30_259_500, 120_130_000),
    district("BINJIANG", "滨江区", "Binjiang", 30_208_400, 120_212_000),
    district("XIAOSHAN", "萧山区", "Xiaoshan", 30_185_100, 120_264_500),
    district("YUHANG", "余杭区", "Yuhang", 30_274_000, 119_979_000),
    district("LINPING", "临平区", "Linping", 30_419_600, 120_299_800),
    district("QIANTANG", "钱塘区", "Qiantang", 30_323_000, 120_493_000),
    district("FUYANG", "富阳区", "Fuyang", 30_049_000, 119_960_000),
    district("LINAN", "临安区", "Lin'an", 30_233_000, 119_724_000),
];

const fn district(
    code: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    lat_e6: i32,
    lng_e6: i32,
) -> District {
    District {
        code,
        name_zh,
        name_en,
        lat_e6,
        lng_e6,
    }
}

impl District {
    /// The district of `code`; anything else is [`Error::DistrictUnknown`].
    pub fn parse(code: &str) -> Result<District, Error> {
        let code = code.trim();
        DISTRICTS
            .into_iter()
            .find(|d| d.code.eq_ignore_ascii_case(code))
            .ok_or(Error::DistrictUnknown)
    }

    /// Its centre.
    pub fn centre(&self) -> Result<GeoPoint, Error> {
        GeoPoint::new(self.lat_e6, self.lng_e6)
    }
}

/// How far a store serves its customers: as far as its staff deliver parts.
pub const REACH_M: u32 = crate::parts_order::DELIVERY_RADIUS_M;

/// One district on the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reach {
    /// The district.
    pub district: District,
    /// Customers who live there.
    pub customers: u32,
    /// Its nearest store and how far its centre is from it, in metres.
    pub nearest: Option<(StoreId, u32)>,
}

impl Reach {
    /// Whether a store is within [`REACH_M`] of the district's centre.
    pub fn within(&self) -> bool {
        self.nearest.is_some_and(|(_, m)| m <= REACH_M)
    }
}

/// Every district with its customers (`counts` by district code; unknown codes are
/// ignored) and its nearest store, in [`DISTRICTS`] order.
pub fn reach(counts: &[(String, u32)], stores: &[(StoreId, GeoPoint)]) -> Vec<Reach> {
    DISTRICTS
        .into_iter()
        .map(|d| {
            let customers = counts
                .iter()
                .filter(|(code, _)| code.eq_ignore_ascii_case(d.code))
                .map(|(_, n)| *n)
                .sum();
            let nearest = d.centre().ok().and_then(|centre| {
                stores
                    .iter()
                    .map(|(id, at)| (*id, distance_m(centre, *at)))
                    .min_by_key(|&(id, m)| (m, id))
            });
            Reach {
                district: d,
                customers,
                nearest,
            }
        })
        .collect()
}

/// The district with most customers beyond every store's reach (ties: the first in
/// [`DISTRICTS`]); `None` if every customer is within reach.
pub fn next_store(reach: &[Reach]) -> Option<District> {
    reach
        .iter()
        .filter(|r| !r.within() && r.customers > 0)
        .fold(None::<&Reach>, |best, r| match best {
            Some(b) if b.customers >= r.customers => Some(b),
            _ => Some(r),
        })
        .map(|r| r.district)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use uuid::Uuid;

    use super::*;

    fn store(n: u128, lat_e6: i32, lng_e6: i32) -> (StoreId, GeoPoint) {
        (
            StoreId::from(Uuid::from_u128(n)),
            GeoPoint::new(lat_e6, lng_e6).expect("point"),
        )
    }

    #[test]
    fn districts_read_back_from_their_codes() {
        for d in DISTRICTS {
            assert_eq!(District::parse(d.code), Ok(d));
            assert!(d.centre().is_ok());
        }
        assert_eq!(District::parse("xihu").map(|d| d.code), Ok("XIHU"));
        assert_eq!(District::parse("ATLANTIS"), Err(Error::DistrictUnknown));
    }

    #[test]
    fn a_district_far_from_every_store_is_beyond_reach_and_the_next_store_goes_to_the_fullest() {
        // One store in the city centre.
        let stores = [store(1, 30_247_500, 120_192_000)];
        let counts = vec![
            ("XIHU".to_owned(), 40),
            ("QIANTANG".to_owned(), 12),
            ("FUYANG".to_owned(), 9),
            ("ATLANTIS".to_owned(), 99),
        ];
        let r = reach(&counts, &stores);
        assert_eq!(r.len(), DISTRICTS.len());
        let of = |code: &str| {
            r.iter()
                .find(|x| x.district.code == code)
                .copied()
                .expect("district")
        };
        assert!(of("XIHU").within());
        assert!(!of("QIANTANG").within());
        assert!(!of("FUYANG").within());
        assert_eq!(of("XIHU").customers, 40);
        assert_eq!(next_store(&r).map(|d| d.code), Some("QIANTANG"));
        // No store at all: nothing is within reach.
        assert!(reach(&counts, &[]).iter().all(|x| !x.within()));
    }

    proptest! {
        /// Every counted customer of a known district is on the map once; the next store
        /// never goes where a store already reaches.
        #[test]
        fn the_map_keeps_every_customer_and_never_proposes_a_reached_district(
            counts in prop::collection::vec((0usize..10, 0u32..500), 0..30),
            stores in prop::collection::vec((29_900_000i32..30_600_000, 119_600_000i32..120_600_000), 0..6),
        ) {
            let counts: Vec<(String, u32)> = counts
                .iter()
                .map(|&(i, n)| (DISTRICTS[i].code.to_owned(), n))
                .collect();
            let stores: Vec<(StoreId, GeoPoint)> = stores
                .iter()
                .enumerate()
                .map(|(i, &(lat, lng))| store(i as u128 + 1, lat, lng))
                .collect();
            let r = reach(&counts, &stores);
            let total: u32 = counts.iter().map(|(_, n)| n).sum();
            prop_assert_eq!(r.iter().map(|x| x.customers).sum::<u32>(), total);
            if let Some(next) = next_store(&r) {
                let chosen = r.iter().find(|x| x.district == next).expect("on the map");
                prop_assert!(!chosen.within());
                prop_assert!(r.iter().filter(|x| !x.within()).all(|x| x.customers <= chosen.customers));
            }
        }
    }
}
