//! Parts ordered online for "any store" (rule 5): tyres, wiper blades, a battery, at
//! the one published price, collected at the store or delivered by its staff. The
//! order is routed like a service order ([`crate::routing`]): the store the customer
//! used last, else the nearest that can serve it, hop by hop.
//!
//! - [`Basket`]: the parts and how many, each one that fits the customer's car.
//! - [`Handover`] and [`DeliveryAddress`]: collected at the store, or delivered within
//!   [`DELIVERY_RADIUS_M`] of the store.
//! - [`quote`]: the basket at the published prices ([`PartsQuote`]), which the order
//!   locks.
//! - [`candidates`]: which stores can serve it: the parts are on their shelf and the
//!   store is open inside the customer's window ([`handover_from`]); for delivery, the
//!   customer is within reach. A parts order is served from a store's own shelf: stores
//!   do not yet receive deliveries at the kiosk (the supply chain's), so parts on their
//!   way could never be handed over.
//! - [`place`]: a new order's locked prices and first store.
//! - [`accept_plan`]: the holds a store's acceptance takes, on its shelf.
//! - [`to_hand_over`]: what leaves the shelf when the customer gets the parts: all of
//!   it, once everything is there.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::booking::{hold_for, Hold};
use crate::geo::{distance_m, GeoPoint};
use crate::local_time::at_local_minute;
use crate::network::{Location, Network};
use crate::picking::{HeldPart, PartPlace};
use crate::pricing::{price_line, Line, PriceList, PricedItem};
use crate::routing::{next_store, Candidate, Next, PreferredWindow};
use crate::stock::{readiness, PartSupply, Readiness, Supply};
use crate::{Error, Money, OrderStatus, PartId, Quantity, StoreId};

/// The most different parts in one order.
pub const MAX_LINES: usize = 10;

/// The most of one part in one order, in thousandths (20 units): more is a trade
/// purchase, not a customer's.
pub const MAX_LINE_MILLI: u32 = 20_000;

/// How far from a store its staff deliver, in metres.
pub const DELIVERY_RADIUS_M: u32 = 15_000;

/// The parts of an order and how many of each: one line per part, each part one that
/// fits the customer's car, 1 to [`MAX_LINES`] lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basket(Vec<(PartId, Quantity)>);

impl Basket {
    /// The basket of `lines`: a part listed twice is one line of both quantities. A
    /// part not in `fitting` (the parts that fit the car) is [`Error::NoFitment`]; no
    /// line is [`Error::BasketEmpty`], more than [`MAX_LINES`] parts
    /// [`Error::BasketTooLarge`], more than [`MAX_LINE_MILLI`] of one
    /// [`Error::QuantityInvalid`].
    pub fn new(lines: &[(PartId, Quantity)], fitting: &[PartId]) -> Result<Basket, Error> {
        let mut merged: Vec<(PartId, Quantity)> = Vec::new();
        for &(part, quantity) in lines {
            if !fitting.contains(&part) {
                return Err(Error::NoFitment);
            }
            match merged.iter_mut().find(|(p, _)| *p == part) {
                Some((_, q)) => {
                    let sum = q
                        .milli()
                        .checked_add(quantity.milli())
                        .ok_or(Error::QuantityInvalid)?;
                    *q = Quantity::from_milli(sum)?;
                }
                None => merged.push((part, quantity)),
            }
        }
        if merged.is_empty() {
            return Err(Error::BasketEmpty);
        }
        if merged.len() > MAX_LINES {
            return Err(Error::BasketTooLarge);
        }
        if merged.iter().any(|(_, q)| q.milli() > MAX_LINE_MILLI) {
            return Err(Error::QuantityInvalid);
        }
        Ok(Basket(merged))
    }

    /// Its lines, in the order first given.
    pub fn lines(&self) -> &[(PartId, Quantity)] {
        &self.0
    }

    /// Its parts.
    pub fn parts(&self) -> Vec<PartId> {
        self.0.iter().map(|(p, _)| *p).collect()
    }

    /// A stable text of it, for idempotency fingerprints.
    pub fn fingerprint(&self) -> String {
        self.0
            .iter()
            .map(|(p, q)| format!("{p}={}", q.milli()))
            .collect::<Vec<_>>()
            .join(",")
    }
}

crate::text::bounded_text!(
    /// Where the store's staff bring the parts: 5 to 200 characters.
    DeliveryAddress, 5, 200, lines: false, Error::AddressInvalid
);

/// How the customer gets the parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "address", rename_all = "snake_case")]
pub enum Handover {
    /// They collect them at the store.
    Collect,
    /// The store's staff bring them here.
    Deliver(DeliveryAddress),
}

impl Handover {
    /// The codes a form sends, in the order it lists them.
    pub const CODES: [&'static str; 2] = ["collect", "deliver"];

    /// Its stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Handover::Collect => "collect",
            Handover::Deliver(_) => "deliver",
        }
    }

    /// From a form's choice and address: `deliver` needs an address
    /// ([`Error::AddressInvalid`]), `collect` ignores it; anything else is
    /// [`Error::HandoverUnknown`].
    pub fn parse(code: &str, address: &str) -> Result<Handover, Error> {
        match code.trim() {
            "collect" => Ok(Handover::Collect),
            "deliver" => Ok(Handover::Deliver(DeliveryAddress::parse(address)?)),
            _ => Err(Error::HandoverUnknown),
        }
    }

    /// The address, for a delivery.
    pub fn address(&self) -> Option<&str> {
        match self {
            Handover::Collect => None,
            Handover::Deliver(a) => Some(a.as_str()),
        }
    }
}

/// A basket priced: what the order locks and the customer pays (rule 1). Parts carry
/// no discount: the published policies take off labour or a campaign's service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartsQuote {
    /// The price-list version every line was priced from.
    pub price_list_version: u32,
    /// One line per part, in the basket's order.
    pub lines: Vec<Line>,
    /// What the customer pays: the sum of the lines.
    pub total: Money,
}

impl PartsQuote {
    /// The basket it priced.
    pub fn basket(&self) -> Vec<(PartId, Quantity)> {
        self.lines
            .iter()
            .filter_map(|l| match l.item {
                PricedItem::Part(p) => Some((p, l.quantity)),
                PricedItem::Service(_) => None,
            })
            .collect()
    }
}

/// The basket at `list`'s prices: [`Error::PartNotOffered`] if a part has none.
pub fn quote(list: &PriceList, basket: &Basket) -> Result<PartsQuote, Error> {
    let lines = basket
        .lines()
        .iter()
        .map(|&(part, q)| {
            price_line(list, PricedItem::Part(part), q).map_err(|e| match e {
                Error::NotPriced => Error::PartNotOffered,
                other => other,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PartsQuote {
        price_list_version: list.version,
        total: Money::sum(lines.iter().map(|l| l.total))?,
        lines,
    })
}

/// Everything a decision about a parts order reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stockists {
    /// The stores and their shelves.
    pub network: Network,
    /// The instant of the decision.
    pub now: OffsetDateTime,
}

impl Stockists {
    /// Whether each part of `basket` is on `store`'s shelf ([`Supply::Now`]) or not
    /// ([`Supply::Unobtainable`] for a parts order), and so whether all are there now.
    pub fn readiness(&self, store: &Location, basket: &Basket) -> Readiness {
        let parts = basket
            .lines()
            .iter()
            .map(|&(part, quantity)| PartSupply {
                part,
                quantity,
                supply: if self.network.shelf(store.id, part).level.covers(quantity) {
                    Supply::Now
                } else {
                    Supply::Unobtainable
                },
            })
            .collect();
        readiness(parts, self.now)
    }
}

/// The first instant inside `window` when `store` is open and the parts, there from
/// `ready_at`, can change hands; `None` if there is none.
pub fn handover_from(
    store: &Location,
    window: &PreferredWindow,
    ready_at: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let weekday = window.date.weekday();
    store
        .hours
        .iter()
        .filter(|h| h.weekday == weekday)
        .filter_map(|h| {
            let opens = at_local_minute(window.date, h.opens_min).max(window.start());
            let closes = at_local_minute(window.date, h.closes_min).min(window.end());
            let from = opens.max(ready_at);
            (from < closes).then_some(from)
        })
        .min()
}

/// Whether `store` can serve the order: a store (not the warehouse) with the parts on
/// its shelf, open inside the window, and for a delivery the customer at `from` within
/// [`DELIVERY_RADIUS_M`].
fn can_serve(
    s: &Stockists,
    store: &Location,
    basket: &Basket,
    window: &PreferredWindow,
    handover: &Handover,
    distance: u32,
) -> bool {
    if store.is_warehouse {
        return false;
    }
    if matches!(handover, Handover::Deliver(_)) && distance > DELIVERY_RADIUS_M {
        return false;
    }
    s.readiness(store, basket)
        .ready_at
        .and_then(|ready| handover_from(store, window, ready))
        .is_some()
}

/// Every store, its distance from `from`, and whether it can serve the order.
pub fn candidates(
    s: &Stockists,
    basket: &Basket,
    window: &PreferredWindow,
    handover: &Handover,
    from: GeoPoint,
) -> Vec<Candidate> {
    s.network
        .stores()
        .map(|store| {
            let distance = distance_m(from, store.geo);
            Candidate {
                store: store.id,
                distance_m: distance,
                capable: can_serve(s, store, basket, window, handover, distance),
            }
        })
        .collect()
}

/// A parts order placed: the prices it locks and the first store it goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// What the customer pays.
    pub quote: PartsQuote,
    /// The store offered it first, or [`Next::Unserved`].
    pub first: Next,
}

/// Decides a new parts order: priced at `prices` at the total the customer saw
/// ([`Error::PriceChanged`] otherwise), and offered first to the store
/// [`next_store`] names among [`candidates`] (unserved from the start if none can).
#[allow(clippy::too_many_arguments)]
pub fn place(
    s: &Stockists,
    prices: &PriceList,
    basket: &Basket,
    window: &PreferredWindow,
    handover: &Handover,
    from: GeoPoint,
    last_used: Option<StoreId>,
    expected_total: Money,
) -> Result<Placement, Error> {
    let quote = quote(prices, basket)?;
    if quote.total != expected_total {
        return Err(Error::PriceChanged);
    }
    let candidates = candidates(s, basket, window, handover, from);
    Ok(Placement {
        quote,
        first: next_store(last_used, &candidates, &[]),
    })
}

/// What a store's acceptance takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartsPlan {
    /// The holds, in [`Hold::lock_key`] order.
    pub holds: Vec<Hold>,
    /// When the parts can change hands at the store.
    pub ready_from: OffsetDateTime,
}

/// The holds `store` takes when it accepts: each part on its shelf.
/// [`Error::OutOfStock`] if some part is not there (any more), [`Error::PartsTooLate`]
/// if the store is not open in what is left of the customer's window.
pub fn accept_plan(
    s: &Stockists,
    store: StoreId,
    basket: &Basket,
    window: &PreferredWindow,
) -> Result<PartsPlan, Error> {
    let store = s
        .network
        .location(store)
        .filter(|l| !l.is_warehouse)
        .ok_or(Error::StoreUnknown)?;
    let ready = s.readiness(store, basket);
    let ready_at = ready.ready_at.ok_or(Error::OutOfStock)?;
    let ready_from = handover_from(store, window, ready_at).ok_or(Error::PartsTooLate)?;
    let mut holds = ready
        .parts
        .iter()
        .map(|p| hold_for(store.id, p))
        .collect::<Result<Vec<_>, Error>>()?;
    holds.sort_by_key(Hold::lock_key);
    Ok(PartsPlan { holds, ready_from })
}

/// What leaves the store's shelf when the customer gets the parts of an order in
/// `status` holding `held`: the rest of every part. Only a booked order is handed
/// over ([`Error::StepOutOfOrder`] otherwise), and only whole: while a part is on its
/// way, [`Error::PartsNotArrived`].
pub fn to_hand_over(status: OrderStatus, held: &[HeldPart]) -> Result<Vec<(PartId, u32)>, Error> {
    if status != OrderStatus::Booked {
        return Err(Error::StepOutOfOrder);
    }
    if held
        .iter()
        .any(|h| matches!(h.place, PartPlace::Arriving { .. }) && h.left_milli() > 0)
    {
        return Err(Error::PartsNotArrived);
    }
    Ok(held
        .iter()
        .filter(|h| h.left_milli() > 0)
        .map(|h| (h.part, h.left_milli()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::tests::{situation, store, NOW};
    use crate::booking::Source;
    use crate::routing::DayPart;
    use crate::stock::StockLevel;
    use proptest::prelude::*;
    use time::macros::date;
    use time::Duration;
    use uuid::Uuid;

    /// The booking tests' oil and filter.
    fn oil() -> PartId {
        PartId::from(Uuid::from_u128(101))
    }
    fn filter() -> PartId {
        PartId::from(Uuid::from_u128(102))
    }
    fn q(units: u32) -> Quantity {
        Quantity::units(units).expect("quantity")
    }

    /// Store 1 has oil and filters, store 2 (3 km east) oil only, the warehouse (10 km)
    /// plenty of both.
    fn stockists() -> (Stockists, PriceList) {
        let s = situation();
        (
            Stockists {
                network: s.network,
                now: s.now,
            },
            s.prices,
        )
    }

    fn basket(lines: &[(PartId, Quantity)]) -> Basket {
        Basket::new(lines, &[oil(), filter()]).expect("basket")
    }

    /// Monday afternoon, the day of `NOW`.
    fn afternoon() -> PreferredWindow {
        PreferredWindow {
            date: date!(2026 - 11 - 23),
            part: DayPart::Afternoon,
        }
    }

    fn from_store_1() -> GeoPoint {
        GeoPoint::new(30_250_000, 120_150_000).expect("geo")
    }

    #[test]
    fn a_basket_merges_a_part_given_twice_and_refuses_what_does_not_fit() {
        let b = basket(&[(oil(), q(1)), (filter(), q(1)), (oil(), q(2))]);
        assert_eq!(b.lines(), &[(oil(), q(3)), (filter(), q(1))]);
        assert_eq!(Basket::new(&[], &[oil()]), Err(Error::BasketEmpty));
        assert_eq!(
            Basket::new(&[(filter(), q(1))], &[oil()]),
            Err(Error::NoFitment)
        );
        assert_eq!(
            Basket::new(&[(oil(), q(21))], &[oil()]),
            Err(Error::QuantityInvalid)
        );
        let many: Vec<PartId> = (0..11)
            .map(|n| PartId::from(Uuid::from_u128(900 + n)))
            .collect();
        let lines: Vec<_> = many.iter().map(|&p| (p, q(1))).collect();
        assert_eq!(Basket::new(&lines, &many), Err(Error::BasketTooLarge));
        assert!(Basket::new(&lines[..10], &many).is_ok());
    }

    #[test]
    fn delivery_needs_an_address_and_collection_ignores_one() {
        assert_eq!(
            Handover::parse("collect", "anything"),
            Ok(Handover::Collect)
        );
        assert_eq!(Handover::parse("deliver", "  "), Err(Error::AddressInvalid));
        let h = Handover::parse("deliver", " 西湖区文三路 90 号 ").expect("deliver");
        assert_eq!(h.address(), Some("西湖区文三路 90 号"));
        assert_eq!(Handover::parse("post", ""), Err(Error::HandoverUnknown));
    }

    #[test]
    fn the_quote_is_the_published_prices_times_the_quantities() {
        let (_, prices) = stockists();
        let quote = quote(&prices, &basket(&[(oil(), q(4)), (filter(), q(1))])).expect("quote");
        assert_eq!(quote.total, Money::from_fen(4 * 6_000 + 3_000));
        assert_eq!(quote.price_list_version, 1);
        assert_eq!(quote.basket(), vec![(oil(), q(4)), (filter(), q(1))]);
        let unpriced = PartId::from(Uuid::from_u128(999));
        let b = Basket::new(&[(unpriced, q(1))], &[unpriced]).expect("basket");
        assert_eq!(super::quote(&prices, &b), Err(Error::PartNotOffered));
    }

    #[test]
    fn a_store_can_serve_when_the_parts_are_on_its_shelf_and_it_is_open() {
        let (s, _) = stockists();
        let both = basket(&[(oil(), q(4)), (filter(), q(1))]);
        let capable = |c: Vec<Candidate>| {
            c.iter()
                .filter(|c| c.capable)
                .map(|c| c.store)
                .collect::<Vec<_>>()
        };
        // Only store 1 has both on its shelf (the warehouse is never a candidate, and
        // what another shelf could send is not waited for).
        let c = candidates(&s, &both, &afternoon(), &Handover::Collect, from_store_1());
        assert_eq!(c.len(), 2);
        assert_eq!(capable(c), vec![store(1)]);
        // Oil alone: both stores.
        let oil_only = basket(&[(oil(), q(4))]);
        let c = candidates(
            &s,
            &oil_only,
            &afternoon(),
            &Handover::Collect,
            from_store_1(),
        );
        assert_eq!(capable(c), vec![store(1), store(2)]);
        // A day the stores are closed: nobody.
        let mut closed = s.clone();
        for l in &mut closed.network.locations {
            l.hours.retain(|h| h.weekday != time::Weekday::Monday);
        }
        let c = candidates(
            &closed,
            &both,
            &afternoon(),
            &Handover::Collect,
            from_store_1(),
        );
        assert!(capable(c).is_empty());
        // More filters than any store's shelf.
        let lots = basket(&[(filter(), q(20))]);
        let c = candidates(&s, &lots, &afternoon(), &Handover::Collect, from_store_1());
        assert!(capable(c).is_empty());
    }

    #[test]
    fn a_delivery_goes_only_to_a_store_within_reach() {
        let (s, _) = stockists();
        let oil_only = basket(&[(oil(), q(1))]);
        let far = GeoPoint::new(30_250_000, 120_150_000 + 16 * 10_400).expect("geo");
        let deliver = Handover::parse("deliver", "文三路 90 号 3 楼").expect("deliver");
        let c = candidates(&s, &oil_only, &afternoon(), &deliver, far);
        // Store 2 is 13 km away, store 1 16 km.
        let capable: Vec<StoreId> = c.iter().filter(|c| c.capable).map(|c| c.store).collect();
        assert_eq!(capable, vec![store(2)]);
        let c = candidates(&s, &oil_only, &afternoon(), &Handover::Collect, far);
        assert_eq!(c.iter().filter(|c| c.capable).count(), 2);
    }

    #[test]
    fn placing_locks_the_prices_and_names_the_first_store() {
        let (s, prices) = stockists();
        let b = basket(&[(oil(), q(1))]);
        let total = Money::from_fen(6_000);
        let placed = place(
            &s,
            &prices,
            &b,
            &afternoon(),
            &Handover::Collect,
            from_store_1(),
            Some(store(2)),
            total,
        )
        .expect("placed");
        assert_eq!(placed.first, Next::Offer(store(2)));
        assert_eq!(placed.quote.total, total);
        let stale = place(
            &s,
            &prices,
            &b,
            &afternoon(),
            &Handover::Collect,
            from_store_1(),
            None,
            Money::from_fen(5_000),
        );
        assert_eq!(stale, Err(Error::PriceChanged));
        // A day the stores are all closed: nobody can, and the order is unserved.
        let mut closed = s.clone();
        for l in &mut closed.network.locations {
            l.hours.retain(|h| h.weekday != time::Weekday::Monday);
        }
        let placed = place(
            &closed,
            &prices,
            &b,
            &afternoon(),
            &Handover::Collect,
            from_store_1(),
            None,
            total,
        )
        .expect("placed");
        assert_eq!(placed.first, Next::Unserved);
    }

    #[test]
    fn accepting_holds_each_part_on_the_stores_shelf() {
        let (s, _) = stockists();
        let both = basket(&[(oil(), q(4)), (filter(), q(1))]);
        let plan = accept_plan(&s, store(1), &both, &afternoon()).expect("plan");
        assert!(plan
            .holds
            .iter()
            .all(|h| h.source == Source::Shelf { at: store(1) }));
        assert_eq!(plan.ready_from, afternoon().start());
        // Store 2 has no filter: it cannot, whatever store 1 could send.
        assert_eq!(
            accept_plan(&s, store(2), &both, &afternoon()),
            Err(Error::OutOfStock)
        );
        // Accepted at 09:00 for the morning at a store that closes at 09:00: too late.
        let mut short = s.clone();
        for l in &mut short.network.locations {
            for h in &mut l.hours {
                h.closes_min = 9 * 60;
            }
        }
        let morning = PreferredWindow {
            part: DayPart::Morning,
            ..afternoon()
        };
        assert_eq!(
            accept_plan(&short, store(1), &both, &morning),
            Err(Error::PartsTooLate)
        );
        let lots = basket(&[(filter(), q(20))]);
        assert_eq!(
            accept_plan(&s, store(1), &lots, &afternoon()),
            Err(Error::OutOfStock)
        );
        assert_eq!(
            accept_plan(&s, store(3), &lots, &afternoon()),
            Err(Error::StoreUnknown)
        );
    }

    #[test]
    fn parts_are_handed_over_whole_once_all_are_on_the_shelf() {
        let held = |place| HeldPart {
            part: oil(),
            quantity: q(4),
            picked_milli: 0,
            place,
        };
        let shelf = [held(PartPlace::Shelf)];
        assert_eq!(
            to_hand_over(OrderStatus::Booked, &shelf),
            Ok(vec![(oil(), 4_000)])
        );
        let arriving = [
            held(PartPlace::Shelf),
            HeldPart {
                part: filter(),
                ..held(PartPlace::Arriving {
                    eta: NOW + Duration::hours(3),
                })
            },
        ];
        assert_eq!(
            to_hand_over(OrderStatus::Booked, &arriving),
            Err(Error::PartsNotArrived)
        );
        assert_eq!(
            to_hand_over(OrderStatus::HandedOver, &shelf),
            Err(Error::StepOutOfOrder)
        );
    }

    proptest! {
        /// Routing and acceptance agree: a store offered the order (capable) can accept
        /// it, and a store passed over cannot, whatever the shelves hold.
        #[test]
        fn a_capable_store_can_accept_and_no_other(
            oil_1 in 0u64..8_000,
            filter_1 in 0u64..3_000,
            oil_2 in 0u64..12_000,
            filter_3 in 0u64..5_000,
            want_oil in 1u32..6,
            want_filter in 1u32..3,
            part in prop::sample::select(DayPart::ALL.to_vec()),
        ) {
            let (mut s, _) = stockists();
            let level = |on_hand| StockLevel::new(on_hand, 0).expect("level");
            for ((at, p), shelf) in s.network.stock.iter_mut() {
                shelf.level = match (*at, *p) {
                    (a, p) if a == store(1) && p == oil() => level(oil_1),
                    (a, p) if a == store(1) && p == filter() => level(filter_1),
                    (a, p) if a == store(2) && p == oil() => level(oil_2),
                    (a, p) if a == store(3) && p == filter() => level(filter_3),
                    _ => shelf.level,
                };
            }
            let b = basket(&[(oil(), q(want_oil)), (filter(), q(want_filter))]);
            let window = PreferredWindow { part, ..afternoon() };
            for c in candidates(&s, &b, &window, &Handover::Collect, from_store_1()) {
                let plan = accept_plan(&s, c.store, &b, &window);
                prop_assert_eq!(c.capable, plan.is_ok(), "{:?} {:?}", c, plan);
                if let Ok(plan) = plan {
                    prop_assert!(window.contains(plan.ready_from));
                    let held: u32 = plan.holds.iter().map(|h| h.quantity.milli()).sum();
                    prop_assert_eq!(held, (want_oil + want_filter) * 1000);
                }
            }
        }
    }
}
