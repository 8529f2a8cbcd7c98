//! Typed identifiers.
//!
//! Every entity gets its own UUID newtype so the compiler rejects a `PartId`
//! where a `ServiceId` belongs. New ids are UUID v7: time-ordered, so database
//! indexes stay append-mostly and ids sort roughly by creation.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Error;

macro_rules! uuid_ids {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        // A `Default` that mints a fresh random id would make
        // `..Default::default()` silently invent identities, so there is none.
        #[allow(clippy::new_without_default)]
        impl $name {
            /// A fresh, time-ordered (v7) identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Parses any textual UUID form, ignoring surrounding whitespace
            /// (ids are often pasted from logs or spreadsheets).
            pub fn parse(input: &str) -> Result<Self, Error> {
                Uuid::try_parse(input.trim())
                    .map(Self)
                    .map_err(|_| Error::IdInvalid)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }
    )+};
}

uuid_ids! {
    /// A store (or the central warehouse, which is stocked like one).
    StoreId,
    /// A service on the menu, e.g. an oil change.
    ServiceId,
    /// A part SKU.
    PartId,
    /// A part category a service needs, e.g. "engine oil".
    PartCategoryId,
    /// A vehicle model, which maps part categories to fitting SKUs.
    ModelId,
    /// A customer.
    CustomerId,
    /// A customer's vehicle.
    VehicleId,
    /// A staff member.
    StaffId,
    /// A published version of the price list.
    PriceListVersionId,
    /// An order.
    OrderId,
    /// A published discount policy (membership tier or campaign).
    PolicyId,
    /// A shipment of parts on its way to a location (stock "arriving").
    ShipmentId,
    /// An iPad paired with a store as its kiosk.
    DeviceId,
    /// Something else a technician found on a car, offered to the customer.
    FindingId,
    /// An online order placed for "any store", routed from store to store until one
    /// accepts it.
    RoutedOrderId,
    /// A store's request for help (a technician or parts) to the stores nearby.
    HelpRequestId,
    /// A follow-up a store makes after a visit: a satisfaction call or a reminder.
    FollowUpId,
    /// An after-sales case a complaint opened.
    CaseId,
    /// A campaign HQ or a store sent to a segment of customers.
    CampaignId,
    /// A supplier the warehouse buys parts from.
    SupplierId,
    /// A line of a replenishment proposal, approved, edited or rejected by HQ.
    ProposalLineId,
    /// Stock sent from one location to another on HQ's approval.
    TransferId,
    /// A purchase order sent to a supplier for the warehouse.
    PurchaseOrderId,
}

/// A valid version-7 UUID built from a fixed timestamp and counter instead of
/// randomness, so demo and fixture data get the same ids on every run.
///
/// The counter is laid out so that distinct counters give distinct UUIDs and a
/// larger counter sorts later within the same millisecond: its top 12 bits go
/// into `rand_a`, its low 52 bits into the low bits of `rand_b`, clear of the
/// variant bits the builder overwrites. Only the low 48 bits of `unix_ms` fit
/// in a v7 timestamp (enough until the year 10889).
pub fn deterministic_v7(unix_ms: u64, counter: u64) -> Uuid {
    let mut bytes = [0u8; 10];
    let high = ((counter >> 52) as u16).to_be_bytes();
    bytes[..2].copy_from_slice(&high);
    bytes[2..].copy_from_slice(&(counter & ((1 << 52) - 1)).to_be_bytes());
    uuid::Builder::from_unix_timestamp_millis(unix_ms, &bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::{Variant, Version};

    const SAMPLE: &str = "0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b";

    // Runs the same checks against every generated type so a macro change
    // cannot break one of them unnoticed.
    macro_rules! check_all {
        ($($name:ident),+) => {$({
            let fresh = $name::new();
            assert_eq!(fresh.as_uuid().get_version(), Some(Version::SortRand));
            assert_ne!(fresh, $name::new());

            let parsed = $name::parse(SAMPLE).expect("valid uuid");
            assert_eq!(parsed.to_string(), SAMPLE);
            assert_eq!($name::parse(&format!("  {}\n", SAMPLE.to_uppercase())), Ok(parsed));
            assert_eq!($name::parse("not-a-uuid"), Err(Error::IdInvalid));
            assert_eq!($name::parse(""), Err(Error::IdInvalid));

            let uuid = Uuid::from_u128(42);
            assert_eq!($name::from(uuid).as_uuid(), uuid);
            assert_eq!($name::from(uuid).0, uuid);

            let json = serde_json::to_string(&parsed).expect("serialise");
            assert_eq!(json, format!("\"{SAMPLE}\""));
            assert_eq!(serde_json::from_str::<$name>(&json).expect("deserialise"), parsed);
        })+};
    }

    #[test]
    fn every_id_type_behaves() {
        check_all!(
            StoreId,
            ServiceId,
            PartId,
            PartCategoryId,
            ModelId,
            CustomerId,
            VehicleId,
            StaffId,
            PriceListVersionId,
            OrderId,
            PolicyId,
            ShipmentId,
            DeviceId,
            FollowUpId,
            CaseId
        );
    }

    #[test]
    fn parse_accepts_other_uuid_forms() {
        let simple = SAMPLE.replace('-', "");
        assert_eq!(
            OrderId::parse(&simple).map(|id| id.to_string()),
            Ok(SAMPLE.to_owned())
        );
        assert_eq!(
            OrderId::parse(&format!("{{{SAMPLE}}}")).map(|id| id.to_string()),
            Ok(SAMPLE.to_owned())
        );
    }

    #[test]
    fn parse_rejects_near_misses() {
        for bad in [
            "0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6",
            "0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6bb",
            "0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6g",
            "0190a3c4 5b6d 7e8f 9a0b 1c2d3e4f5a6b",
        ] {
            assert_eq!(StoreId::parse(bad), Err(Error::IdInvalid), "{bad}");
        }
    }

    #[test]
    fn deserialise_rejects_bad_uuid() {
        assert!(serde_json::from_str::<CustomerId>("\"nope\"").is_err());
    }

    #[test]
    fn new_ids_are_time_ordered() {
        let first = OrderId::new();
        let later = OrderId::new();
        let ts = |id: OrderId| id.as_uuid().get_timestamp().map(|t| t.to_unix());
        assert!(ts(first) <= ts(later));
    }

    #[test]
    fn deterministic_v7_is_reproducible_and_valid() {
        let ms = 1_735_660_800_000; // 2025-01-01T00:00:00+08:00
        let a = deterministic_v7(ms, 7);
        assert_eq!(a, deterministic_v7(ms, 7));
        assert_eq!(a.get_version(), Some(Version::SortRand));
        assert_eq!(a.get_variant(), Variant::RFC4122);
        assert_eq!(
            a.get_timestamp().map(|t| t.to_unix()),
            Some((1_735_660_800, 0))
        );
        assert_eq!(a.as_u128() & 0xFF, 7);
        assert_ne!(a, deterministic_v7(ms, 8));
        assert_ne!(a, deterministic_v7(ms + 1, 7));
    }

    proptest! {
        #[test]
        fn deterministic_v7_is_injective_and_ordered(
            ms in 0u64..(1 << 48),
            a in any::<u64>(),
            b in any::<u64>(),
        ) {
            let ua = deterministic_v7(ms, a);
            let ub = deterministic_v7(ms, b);
            prop_assert_eq!(ua.get_version(), Some(Version::SortRand));
            prop_assert_eq!(ua.get_variant(), Variant::RFC4122);
            prop_assert_eq!(ua.cmp(&ub), a.cmp(&b));
            let (secs, nanos) = ua.get_timestamp().map(|t| t.to_unix()).unwrap_or_default();
            prop_assert_eq!(secs * 1000 + u64::from(nanos / 1_000_000), ms);
        }

        #[test]
        fn display_parse_round_trip(raw in any::<u128>()) {
            let id = VehicleId::from(Uuid::from_u128(raw));
            prop_assert_eq!(VehicleId::parse(&id.to_string()), Ok(id));
        }
    }
}
