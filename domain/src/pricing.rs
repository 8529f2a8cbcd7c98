//! The uniform, versioned price list ("one price everywhere").
//!
//! There is exactly one current price per service and part. A change never
//! edits a list in place: [`PriceList::publish`] produces the next version, so
//! history is kept and an order can lock the version it was created with.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::money::check_price;
use crate::{Error, Money, PartId, Quantity, ServiceId};

/// Something that has a price: a service or a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PricedItem {
    /// A service on the menu.
    Service(ServiceId),
    /// A part SKU.
    Part(PartId),
}

/// One version of the price list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList {
    /// Increases by exactly one with every publication.
    pub version: u32,
    /// When this version starts to apply.
    #[serde(with = "time::serde::rfc3339")]
    pub effective_from: OffsetDateTime,
    // Private so the one-price-per-item invariant can only change via `publish`.
    #[serde(with = "entries")]
    prices: BTreeMap<PricedItem, Money>,
}

impl PriceList {
    /// A price list from its items; if an item appears twice the last price wins.
    pub fn new(
        version: u32,
        effective_from: OffsetDateTime,
        prices: impl IntoIterator<Item = (PricedItem, Money)>,
    ) -> PriceList {
        PriceList {
            version,
            effective_from,
            prices: prices.into_iter().collect(),
        }
    }

    /// The current price of `item`, or [`Error::NotPriced`].
    pub fn price_of(&self, item: PricedItem) -> Result<Money, Error> {
        self.prices.get(&item).copied().ok_or(Error::NotPriced)
    }

    /// The services on sale, each with its price, in the order given: a service this
    /// list does not price is offered nowhere.
    pub fn on_sale<T>(
        &self,
        services: impl IntoIterator<Item = T>,
        id: impl Fn(&T) -> ServiceId,
    ) -> Vec<(T, Money)> {
        services
            .into_iter()
            .filter_map(|s| {
                let price = self.price_of(PricedItem::Service(id(&s))).ok()?;
                Some((s, price))
            })
            .collect()
    }

    /// All prices, in a stable order (services before parts, then by id).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (PricedItem, Money)> + '_ {
        self.prices.iter().map(|(&item, &price)| (item, price))
    }

    /// Number of priced items.
    pub fn len(&self) -> usize {
        self.prices.len()
    }

    /// Whether nothing is priced.
    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    /// The next version of the list with `item` repriced to `new_price` and
    /// everything else carried over unchanged.
    ///
    /// Only already-priced items can be repriced: new items enter through the
    /// catalog import, so a typo in an id cannot create a stray price. A
    /// no-op publication is refused so the history has no empty versions.
    pub fn publish(
        &self,
        item: PricedItem,
        new_price: Money,
        effective_from: OffsetDateTime,
    ) -> Result<PriceList, Error> {
        let current = self.price_of(item)?;
        check_price(new_price)?;
        if new_price == current {
            return Err(Error::PriceUnchanged);
        }
        // Four billion publications will not happen; failing beats wrapping
        // back to a version that already exists. No variant fits better than
        // the overflow one, and adding one would break exhaustive UI matches.
        let version = self.version.checked_add(1).ok_or(Error::VersionExhausted)?;
        let mut prices = self.prices.clone();
        prices.insert(item, new_price);
        Ok(PriceList {
            version,
            effective_from,
            prices,
        })
    }

    /// The next version with every item of `changes` at its price, new items included
    /// (a price file is how a new part or service gets its first price), the rest carried
    /// over. A file that changes nothing is refused, as [`PriceList::publish`] refuses
    /// an unchanged price.
    pub fn publish_many(
        &self,
        changes: &[(PricedItem, Money)],
        effective_from: OffsetDateTime,
    ) -> Result<PriceList, Error> {
        let mut prices = self.prices.clone();
        let mut changed = false;
        for &(item, price) in changes {
            check_price(price)?;
            changed |= prices.insert(item, price) != Some(price);
        }
        if !changed {
            return Err(Error::PriceUnchanged);
        }
        let version = self.version.checked_add(1).ok_or(Error::VersionExhausted)?;
        Ok(PriceList {
            version,
            effective_from,
            prices,
        })
    }
}

/// Serialises the prices as a list of `{item, price}` entries: JSON object keys
/// must be strings, and an enum key is not.
mod entries {
    use std::collections::BTreeMap;

    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::PricedItem;
    use crate::Money;

    #[derive(Serialize, Deserialize)]
    struct Entry {
        item: PricedItem,
        price: Money,
    }

    pub(super) fn serialize<S: Serializer>(
        prices: &BTreeMap<PricedItem, Money>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(prices.iter().map(|(&item, &price)| Entry { item, price }))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<PricedItem, Money>, D::Error> {
        let mut prices = BTreeMap::new();
        for Entry { item, price } in Vec::<Entry>::deserialize(deserializer)? {
            // Two prices for one item would break "one price everywhere".
            if prices.insert(item, price).is_some() {
                return Err(D::Error::custom(format!("{item:?} is priced twice")));
            }
        }
        Ok(prices)
    }
}

/// One priced line of an order or quote. The unit price is copied in, so the
/// line keeps the price it was created with after the list moves on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// What is sold.
    pub item: PricedItem,
    /// How much of it.
    pub quantity: Quantity,
    /// The list price per unit at the time of pricing.
    pub unit_price: Money,
    /// `unit_price × quantity`, rounded to the fen.
    pub total: Money,
}

/// Prices `quantity` of `item` from `list`.
pub fn price_line(list: &PriceList, item: PricedItem, quantity: Quantity) -> Result<Line, Error> {
    let unit_price = list.price_of(item)?;
    let total = unit_price.checked_mul_qty(quantity)?;
    Ok(Line {
        item,
        quantity,
        unit_price,
        total,
    })
}

/// One price-list version's price of an item, for its history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricePoint {
    /// The version.
    pub version: u32,
    /// When it took effect.
    #[serde(with = "time::serde::rfc3339")]
    pub effective_from: OffsetDateTime,
    /// The item's price in it.
    pub price: Money,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::parse_price;
    use proptest::prelude::*;
    use time::macros::datetime;
    use uuid::Uuid;

    const JAN: OffsetDateTime = datetime!(2025-01-01 00:00 +8);
    const FEB: OffsetDateTime = datetime!(2025-02-01 00:00 +8);

    fn service(n: u128) -> PricedItem {
        PricedItem::Service(ServiceId(Uuid::from_u128(n)))
    }

    fn part(n: u128) -> PricedItem {
        PricedItem::Part(PartId(Uuid::from_u128(n)))
    }

    fn price(s: &str) -> Money {
        parse_price(s).expect(s)
    }

    fn sample() -> PriceList {
        PriceList::new(
            3,
            JAN,
            [
                (service(1), price("199")),
                (part(1), price("68.80")),
                (part(2), price("45")),
            ],
        )
    }

    #[test]
    fn new_and_accessors() {
        let list = sample();
        assert_eq!(list.version, 3);
        assert_eq!(list.effective_from, JAN);
        assert_eq!(list.len(), 3);
        assert!(!list.is_empty());
        assert_eq!(list.price_of(service(1)), Ok(price("199")));
        assert_eq!(list.price_of(part(1)), Ok(price("68.80")));
        let empty = PriceList::new(1, JAN, []);
        assert!(empty.is_empty());
        assert_eq!(empty.len(), 0);
    }

    #[test]
    fn publishing_many_prices_adds_new_items_and_carries_the_rest() {
        let list = sample();
        let next = list
            .publish_many(&[(part(1), price("70")), (part(9), price("12.50"))], FEB)
            .expect("published");
        assert_eq!(next.version, 4);
        assert_eq!(next.effective_from, FEB);
        assert_eq!(next.price_of(part(1)), Ok(price("70")));
        assert_eq!(next.price_of(part(9)), Ok(price("12.50")));
        assert_eq!(next.price_of(service(1)), Ok(price("199")));
        assert_eq!(next.len(), 4);
        assert_eq!(
            list.publish_many(&[(part(1), price("68.80"))], FEB),
            Err(Error::PriceUnchanged)
        );
        assert_eq!(
            list.publish_many(&[(part(1), Money::from_fen(0))], FEB),
            Err(Error::PriceNotPositive)
        );
    }

    #[test]
    fn new_keeps_last_duplicate() {
        let list = PriceList::new(1, JAN, [(part(1), price("1")), (part(1), price("2"))]);
        assert_eq!(list.len(), 1);
        assert_eq!(list.price_of(part(1)), Ok(price("2")));
    }

    #[test]
    fn service_and_part_with_same_uuid_are_different_items() {
        let list = PriceList::new(1, JAN, [(service(7), price("1")), (part(7), price("2"))]);
        assert_eq!(list.price_of(service(7)), Ok(price("1")));
        assert_eq!(list.price_of(part(7)), Ok(price("2")));
    }

    #[test]
    fn price_of_unknown_item() {
        assert_eq!(sample().price_of(part(99)), Err(Error::NotPriced));
        assert_eq!(sample().price_of(service(2)), Err(Error::NotPriced));
    }

    #[test]
    fn iter_lists_every_price_in_order() {
        let items: Vec<_> = sample().iter().collect();
        assert_eq!(
            items,
            [
                (service(1), price("199")),
                (part(1), price("68.80")),
                (part(2), price("45")),
            ]
        );
        assert_eq!(sample().iter().len(), 3);
    }

    #[test]
    fn publish_makes_next_version() {
        let list = sample();
        let next = list.publish(part(1), price("72.00"), FEB).expect("publish");
        assert_eq!(next.version, 4);
        assert_eq!(next.effective_from, FEB);
        assert_eq!(next.price_of(part(1)), Ok(price("72.00")));
        assert_eq!(next.price_of(service(1)), Ok(price("199")));
        assert_eq!(next.price_of(part(2)), Ok(price("45")));
        assert_eq!(next.len(), 3);
        // The old version is untouched: orders that locked it keep their prices.
        assert_eq!(list, sample());
    }

    #[test]
    fn publish_errors() {
        let list = sample();
        assert_eq!(
            list.publish(part(99), price("1"), FEB),
            Err(Error::NotPriced)
        );
        assert_eq!(
            list.publish(part(1), Money::ZERO, FEB),
            Err(Error::PriceNotPositive)
        );
        assert_eq!(
            list.publish(part(1), Money::from_fen(-100), FEB),
            Err(Error::PriceNotPositive)
        );
        assert_eq!(
            list.publish(part(1), Money::from_fen(Money::MAX_PRICE.fen() + 1), FEB),
            Err(Error::PriceTooHigh)
        );
        assert_eq!(
            list.publish(part(1), price("68.8"), FEB),
            Err(Error::PriceUnchanged)
        );
        assert!(list.publish(part(1), Money::MAX_PRICE, FEB).is_ok());
        let last = PriceList::new(u32::MAX, JAN, [(part(1), price("1"))]);
        assert_eq!(
            last.publish(part(1), price("2"), FEB),
            Err(Error::VersionExhausted)
        );
    }

    #[test]
    fn only_priced_services_are_on_sale_in_the_given_order() {
        let id = |n: u128| ServiceId(Uuid::from_u128(n));
        let list = PriceList::new(
            1,
            JAN,
            [(service(1), price("199")), (service(3), price("80"))],
        );
        let offered = list.on_sale(["c", "b", "a"], |s| match *s {
            "a" => id(1),
            "b" => id(2),
            _ => id(3),
        });
        assert_eq!(offered, vec![("c", price("80")), ("a", price("199"))]);
    }

    #[test]
    fn price_line_multiplies() {
        let list = sample();
        let litres = Quantity::from_milli(4500).expect("4.5");
        let line = price_line(&list, part(1), litres).expect("priced");
        assert_eq!(
            line,
            Line {
                item: part(1),
                quantity: litres,
                unit_price: price("68.80"),
                total: price("309.60"),
            }
        );
        let two = Quantity::units(2).expect("2");
        assert_eq!(
            price_line(&list, service(1), two).map(|l| l.total),
            Ok(price("398"))
        );
    }

    #[test]
    fn price_line_errors() {
        assert_eq!(
            price_line(&sample(), part(99), Quantity::ONE),
            Err(Error::NotPriced)
        );
        let huge = PriceList::new(1, JAN, [(part(1), Money::from_fen(i64::MAX))]);
        let two = Quantity::units(2).expect("2");
        assert_eq!(price_line(&huge, part(1), two), Err(Error::AmountOverflow));
    }

    #[test]
    fn serde_round_trip() {
        let list = sample();
        let json = serde_json::to_string(&list).expect("serialise");
        assert!(
            json.contains("\"effective_from\":\"2025-01-01T00:00:00+08:00\""),
            "{json}"
        );
        assert!(
            json.contains(
                "{\"item\":{\"Part\":\"00000000-0000-0000-0000-000000000002\"},\"price\":4500}"
            ),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<PriceList>(&json).expect("deserialise"),
            list
        );

        let line = price_line(&list, part(1), Quantity::ONE).expect("priced");
        let json = serde_json::to_string(&line).expect("serialise");
        assert_eq!(
            serde_json::from_str::<Line>(&json).expect("deserialise"),
            line
        );
    }

    #[test]
    fn deserialise_rejects_duplicate_items() {
        let json = r#"{"version":1,"effective_from":"2025-01-01T00:00:00+08:00","prices":[
            {"item":{"Part":"00000000-0000-0000-0000-000000000001"},"price":100},
            {"item":{"Part":"00000000-0000-0000-0000-000000000001"},"price":200}]}"#;
        assert!(serde_json::from_str::<PriceList>(json).is_err());
    }

    fn any_item() -> impl Strategy<Value = PricedItem> {
        prop_oneof![(0u128..50).prop_map(service), (0u128..50).prop_map(part)]
    }

    fn any_price() -> impl Strategy<Value = Money> {
        (1..=Money::MAX_PRICE.fen()).prop_map(Money::from_fen)
    }

    fn any_list() -> impl Strategy<Value = PriceList> {
        (
            0u32..1_000_000,
            prop::collection::btree_map(any_item(), any_price(), 1..20),
        )
            .prop_map(|(version, prices)| PriceList::new(version, JAN, prices))
    }

    proptest! {
        #[test]
        fn publish_changes_exactly_one_price(
            list in any_list(),
            pick in any::<prop::sample::Index>(),
            new_price in any_price(),
        ) {
            let items: Vec<_> = list.iter().map(|(item, _)| item).collect();
            let item = items[pick.index(items.len())];
            let old_price = list.price_of(item).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assume!(new_price != old_price);

            let next = list.publish(item, new_price, FEB).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(next.version, list.version + 1);
            prop_assert_eq!(next.effective_from, FEB);
            prop_assert_eq!(next.len(), list.len());
            let changed: Vec<_> = list
                .iter()
                .zip(next.iter())
                .filter(|(before, after)| before != after)
                .collect();
            prop_assert_eq!(changed, vec![((item, old_price), (item, new_price))]);
        }

        #[test]
        fn publish_same_price_is_refused(list in any_list(), pick in any::<prop::sample::Index>()) {
            let (item, current) = list.iter().nth(pick.index(list.len())).ok_or_else(|| TestCaseError::fail("empty"))?;
            prop_assert_eq!(list.publish(item, current, FEB), Err(Error::PriceUnchanged));
        }

        #[test]
        fn price_line_total_is_unit_times_quantity(
            unit in any_price(),
            milli in 1u32..=u32::MAX,
            item in any_item(),
        ) {
            let list = PriceList::new(1, JAN, [(item, unit)]);
            let quantity = Quantity::from_milli(milli).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let line = price_line(&list, item, quantity).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(line.item, item);
            prop_assert_eq!(line.quantity, quantity);
            prop_assert_eq!(line.unit_price, unit);
            let exact = i128::from(unit.fen()) * i128::from(milli);
            let error = i128::from(line.total.fen()) * 1000 - exact;
            prop_assert!(error.abs() <= 500, "total {} vs exact {} milli-fen", line.total, exact);
            if milli % 1000 == 0 {
                prop_assert_eq!(i128::from(line.total.fen()), exact / 1000);
            }
        }

        #[test]
        fn serde_round_trips(list in any_list()) {
            let json = serde_json::to_string(&list).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back: PriceList = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(back, list);
        }
    }
}
