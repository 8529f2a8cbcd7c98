//! Store KPIs (C11): what HQ compares store by store, per day and per week.
//!
//! - [`Day`]: one store's day as counted facts: bookings made and cancelled, revenue at
//!   the prices locked in its handed-over orders, minutes booked against the bay time
//!   open, cars that arrived needing held parts and how many found them all on the shelf.
//! - [`Day::utilisation_permille`], [`Day::fill_rate_permille`]: its ratios, `None`
//!   where there is nothing to divide by.
//! - [`OrderFacts`] and [`tally`]: what of an order counts on which of its store's days
//!   (made, cancelled, handed over with its revenue, its booked time, its arrival).
//! - [`weeks`]: days summed into weeks, Monday first.
//! - [`bay_minutes`]: a day's bay time open, bays × the store's hours that weekday.
//! - [`parts_ready`]: whether a car's held parts were all on its store's shelf when it
//!   arrived (the fill rate's fact, recorded at check-in).
//! - [`median_cover`]: a store's typical days of cover over the parts it uses.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use crate::local_time::local_date;
use crate::order::OrderStatus;
use crate::slots::OpeningHours;
use crate::Money;

/// One store's figures for a day (or, from [`weeks`], a week starting that day).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Day {
    /// The day, or the Monday of a week.
    pub day: Option<Date>,
    /// Bookings made that day, by any channel.
    pub bookings: u32,
    /// Bookings cancelled that day.
    pub cancelled: u32,
    /// What orders handed over that day came to, at their locked prices.
    pub revenue: Money,
    /// Minutes of work booked into the day's slots (cancelled bookings not counted).
    pub booked_min: u32,
    /// Bay time open that day, in minutes ([`bay_minutes`]).
    pub open_min: u32,
    /// Cars checked in that day holding parts.
    pub arrivals_with_parts: u32,
    /// Of those, the cars whose parts were all on the shelf ([`parts_ready`]).
    pub parts_ready: u32,
}

impl Day {
    /// Booked minutes per thousand open; `None` on a closed day.
    pub fn utilisation_permille(&self) -> Option<u32> {
        permille(self.booked_min, self.open_min)
    }

    /// Cars that found their parts per thousand that needed some; `None` if none did.
    pub fn fill_rate_permille(&self) -> Option<u32> {
        permille(self.parts_ready, self.arrivals_with_parts)
    }

    /// The two days' figures added up, dated as `self`.
    pub fn plus(&self, o: &Day) -> Day {
        Day {
            day: self.day.or(o.day),
            bookings: self.bookings + o.bookings,
            cancelled: self.cancelled + o.cancelled,
            revenue: Money::from_fen(self.revenue.fen().saturating_add(o.revenue.fen())),
            booked_min: self.booked_min + o.booked_min,
            open_min: self.open_min + o.open_min,
            arrivals_with_parts: self.arrivals_with_parts + o.arrivals_with_parts,
            parts_ready: self.parts_ready + o.parts_ready,
        }
    }
}

/// What the figures count of one order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderFacts {
    /// Where it is now.
    pub status: OrderStatus,
    /// When it was booked.
    pub created_at: OffsetDateTime,
    /// When it was called off, if it was.
    pub cancelled_at: Option<OffsetDateTime>,
    /// When it was completed (handed over).
    pub completed_at: Option<OffsetDateTime>,
    /// What it came to at its locked prices.
    pub total: Money,
    /// Its slot's start and, if booked into the bays' time, its end.
    pub scheduled: Option<(OffsetDateTime, Option<OffsetDateTime>)>,
    /// When the car arrived, if it has.
    pub checked_in_at: Option<OffsetDateTime>,
    /// Whether its held parts were all on the shelf when it arrived ([`parts_ready`]).
    pub parts_ready: Option<bool>,
}

/// Counts `order` into its store's `days` (consecutive local days from `from`; what
/// falls outside them is not counted): a booking on the day it was made, a
/// cancellation on the day it was called off, revenue on the day a handed-over order
/// was completed, booked minutes on its slot's day unless it was cancelled, and an
/// arrival holding parts (ready or not) on its check-in day.
pub fn tally(days: &mut [Day], from: Date, order: &OrderFacts) {
    let mut on = |at: OffsetDateTime, count: &dyn Fn(&mut Day)| {
        let index = usize::try_from((local_date(at) - from).whole_days()).ok();
        if let Some(day) = index.and_then(|i| days.get_mut(i)) {
            count(day);
        }
    };
    on(order.created_at, &|d| d.bookings += 1);
    if let Some(at) = order.cancelled_at {
        on(at, &|d| d.cancelled += 1);
    }
    if let (OrderStatus::HandedOver, Some(at)) = (order.status, order.completed_at) {
        let fen = order.total.fen();
        on(at, &|d| {
            d.revenue = Money::from_fen(d.revenue.fen().saturating_add(fen))
        });
    }
    if let (false, Some((start, end))) = (order.status == OrderStatus::Cancelled, order.scheduled) {
        let minutes = end.map_or(0, |e| (e - start).whole_minutes().max(0));
        let minutes = u32::try_from(minutes).unwrap_or(u32::MAX);
        on(start, &|d| {
            d.booked_min = d.booked_min.saturating_add(minutes)
        });
    }
    if let (Some(at), Some(ready)) = (order.checked_in_at, order.parts_ready) {
        on(at, &|d| {
            d.arrivals_with_parts += 1;
            d.parts_ready += u32::from(ready);
        });
    }
}

fn permille(part: u32, whole: u32) -> Option<u32> {
    (whole > 0)
        .then(|| u32::try_from(u64::from(part) * 1000 / u64::from(whole)).unwrap_or(u32::MAX))
}

/// The Monday of `day`'s week.
pub fn monday_of(day: Date) -> Date {
    day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
}

/// `days` summed by week, each dated its Monday, oldest first. Days without a date
/// are left out.
pub fn weeks(days: &[Day]) -> Vec<Day> {
    let mut by_week: std::collections::BTreeMap<Date, Day> = std::collections::BTreeMap::new();
    for d in days {
        let Some(day) = d.day else { continue };
        let monday = monday_of(day);
        let week = by_week.entry(monday).or_insert(Day {
            day: Some(monday),
            ..Day::default()
        });
        *week = week.plus(d);
        week.day = Some(monday);
    }
    by_week.into_values().collect()
}

/// Bay time a store has open on a day: `bays` × its opening that day (none: closed).
pub fn bay_minutes(bays: u32, opening: Option<OpeningHours>) -> u32 {
    opening.map_or(0, |h| {
        bays * u32::from(h.closes_min.saturating_sub(h.opens_min))
    })
}

/// Where a held part was when its car arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HeldAt {
    /// On the shelf of the car's store.
    OwnShelf,
    /// Anywhere else: another store's shelf, a shipment still on its way.
    Elsewhere,
}

/// Whether every part held for a car was on its store's shelf when it arrived; `None`
/// when it held no parts (it does not count toward the fill rate).
pub fn parts_ready(holds: &[HeldAt]) -> Option<bool> {
    (!holds.is_empty()).then(|| holds.iter().all(|h| *h == HeldAt::OwnShelf))
}

/// The median days of cover over the parts a store uses (`None`: parts without use);
/// `None` if it uses none.
pub fn median_cover(covers: &[Option<u64>]) -> Option<u64> {
    let mut used: Vec<u64> = covers.iter().flatten().copied().collect();
    if used.is_empty() {
        return None;
    }
    used.sort_unstable();
    Some(used[used.len() / 2])
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;
    use time::Weekday;

    use super::*;

    fn day(
        d: Date,
        bookings: u32,
        revenue: i64,
        booked: u32,
        open: u32,
        arrivals: u32,
        ready: u32,
    ) -> Day {
        Day {
            day: Some(d),
            bookings,
            cancelled: 0,
            revenue: Money::from_fen(revenue),
            booked_min: booked,
            open_min: open,
            arrivals_with_parts: arrivals,
            parts_ready: ready,
        }
    }

    #[test]
    fn ratios_need_something_to_divide_by() {
        let d = day(date!(2026 - 12 - 07), 3, 100, 450, 600, 4, 3);
        assert_eq!(d.utilisation_permille(), Some(750));
        assert_eq!(d.fill_rate_permille(), Some(750));
        let closed = day(date!(2026 - 12 - 07), 0, 0, 0, 0, 0, 0);
        assert_eq!(closed.utilisation_permille(), None);
        assert_eq!(closed.fill_rate_permille(), None);
    }

    #[test]
    fn weeks_start_on_monday_and_sum_their_days() {
        // Sunday 6 December, Monday 7 and Tuesday 8.
        let days = [
            day(date!(2026 - 12 - 06), 1, 100, 60, 600, 1, 1),
            day(date!(2026 - 12 - 07), 2, 200, 120, 600, 2, 1),
            day(date!(2026 - 12 - 08), 3, 300, 180, 600, 0, 0),
        ];
        let w = weeks(&days);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].day, Some(date!(2026 - 11 - 30)));
        assert_eq!(w[1].day, Some(date!(2026 - 12 - 07)));
        assert_eq!(w[1].bookings, 5);
        assert_eq!(w[1].revenue, Money::from_fen(500));
        assert_eq!(w[1].utilisation_permille(), Some(250));
        assert_eq!(w[1].fill_rate_permille(), Some(500));
    }

    #[test]
    fn bay_time_is_bays_times_hours_and_nothing_when_closed() {
        let h = OpeningHours {
            weekday: Weekday::Monday,
            opens_min: 510,
            closes_min: 1080,
        };
        assert_eq!(bay_minutes(4, Some(h)), 4 * 570);
        assert_eq!(bay_minutes(4, None), 0);
    }

    #[test]
    fn a_car_is_ready_only_if_every_part_was_on_its_shelf() {
        assert_eq!(parts_ready(&[]), None);
        assert_eq!(
            parts_ready(&[HeldAt::OwnShelf, HeldAt::OwnShelf]),
            Some(true)
        );
        assert_eq!(
            parts_ready(&[HeldAt::OwnShelf, HeldAt::Elsewhere]),
            Some(false)
        );
    }

    #[test]
    fn the_median_cover_ignores_parts_without_use() {
        assert_eq!(median_cover(&[None, None]), None);
        assert_eq!(median_cover(&[Some(9), None, Some(1), Some(4)]), Some(4));
    }

    /// 2026-12-07 at `hh:mm` in Hangzhou, `plus` days on.
    fn at(plus: i64, hh: u8, mm: u8) -> OffsetDateTime {
        crate::local_time::at_local_minute(
            date!(2026 - 12 - 07) + Duration::days(plus),
            u16::from(hh) * 60 + u16::from(mm),
        )
    }

    fn booked(made: OffsetDateTime, slot: OffsetDateTime, minutes: i64) -> OrderFacts {
        OrderFacts {
            status: OrderStatus::Booked,
            created_at: made,
            cancelled_at: None,
            completed_at: None,
            total: Money::from_fen(36_800),
            scheduled: Some((slot, Some(slot + Duration::minutes(minutes)))),
            checked_in_at: None,
            parts_ready: None,
        }
    }

    #[test]
    fn an_order_counts_on_the_local_day_of_each_of_its_facts() {
        let from = date!(2026 - 12 - 07);
        let mut days = vec![Day::default(); 3];
        // Made at 07:30 on Monday in Hangzhou (still Sunday in UTC), done on Tuesday.
        let mut done = booked(at(0, 7, 30), at(1, 9, 0), 45);
        done.status = OrderStatus::HandedOver;
        done.checked_in_at = Some(at(1, 8, 55));
        done.parts_ready = Some(false);
        done.completed_at = Some(at(1, 10, 0));
        tally(&mut days, from, &done);
        // Made on Monday for Wednesday, called off on Tuesday: its slot is not booked time.
        let mut off = booked(at(0, 12, 0), at(2, 9, 0), 60);
        off.status = OrderStatus::Cancelled;
        off.cancelled_at = Some(at(1, 18, 0));
        tally(&mut days, from, &off);
        // Booked before the period for its first day; checked in with its parts there.
        let mut early = booked(at(-3, 12, 0), at(0, 14, 0), 30);
        early.status = OrderStatus::InBay;
        early.checked_in_at = Some(at(0, 13, 50));
        early.parts_ready = Some(true);
        tally(&mut days, from, &early);

        assert_eq!(
            (days[0].bookings, days[1].bookings, days[2].bookings),
            (2, 0, 0)
        );
        assert_eq!(days[1].cancelled, 1);
        assert_eq!(days[1].revenue, Money::from_fen(36_800));
        assert_eq!(days[0].revenue, Money::from_fen(0));
        assert_eq!(
            (days[0].booked_min, days[1].booked_min, days[2].booked_min),
            (30, 45, 0)
        );
        assert_eq!((days[0].arrivals_with_parts, days[0].parts_ready), (1, 1));
        assert_eq!((days[1].arrivals_with_parts, days[1].parts_ready), (1, 0));
    }

    fn arb_order() -> impl Strategy<Value = OrderFacts> {
        (
            (0usize..7, -2i64..10, 0u8..24, 0u8..60),
            (
                proptest::option::of(-2i64..10),
                proptest::option::of(-2i64..10),
            ),
            (-2i64..10, 0i64..240, 0i64..100_000),
            (
                proptest::option::of(-2i64..10),
                proptest::option::of(any::<bool>()),
            ),
        )
            .prop_map(
                |((s, made, hh, mm), (off, done), (slot, minutes, fen), (arrived, ready))| {
                    let status = OrderStatus::ALL[s];
                    OrderFacts {
                        status,
                        created_at: at(made, hh, mm),
                        cancelled_at: off.map(|d| at(d, hh, mm)),
                        completed_at: done.map(|d| at(d, 17, mm)),
                        total: Money::from_fen(fen),
                        scheduled: Some((
                            at(slot, 9, 0),
                            Some(at(slot, 9, 0) + Duration::minutes(minutes)),
                        )),
                        checked_in_at: arrived.map(|d| at(d, 8, mm)),
                        parts_ready: ready,
                    }
                },
            )
    }

    proptest! {
        /// Each fact is counted once, on a day of the period, and only the facts the
        /// rules name: handed-over revenue, booked time of orders not called off.
        #[test]
        fn the_period_counts_each_order_fact_once(orders in prop::collection::vec(arb_order(), 0..30)) {
            let from = date!(2026 - 12 - 07);
            let mut days = vec![Day::default(); 7];
            for o in &orders {
                tally(&mut days, from, o);
            }
            let within = |t: OffsetDateTime| {
                let d = local_date(t);
                d >= from && d < from + Duration::days(7)
            };
            let total = days.iter().fold(Day::default(), |a, d| a.plus(d));
            prop_assert_eq!(total.bookings as usize, orders.iter().filter(|o| within(o.created_at)).count());
            prop_assert_eq!(
                total.cancelled as usize,
                orders.iter().filter(|o| o.cancelled_at.is_some_and(within)).count()
            );
            let revenue: i64 = orders
                .iter()
                .filter(|o| o.status == OrderStatus::HandedOver && o.completed_at.is_some_and(within))
                .map(|o| o.total.fen())
                .sum();
            prop_assert_eq!(total.revenue, Money::from_fen(revenue));
            let booked: i64 = orders
                .iter()
                .filter(|o| o.status != OrderStatus::Cancelled)
                .filter_map(|o| o.scheduled)
                .filter(|(start, _)| within(*start))
                .map(|(start, end)| end.map_or(0, |e| (e - start).whole_minutes()))
                .sum();
            prop_assert_eq!(i64::from(total.booked_min), booked);
            prop_assert_eq!(
                total.arrivals_with_parts as usize,
                orders.iter().filter(|o| o.parts_ready.is_some() && o.checked_in_at.is_some_and(within)).count()
            );
            prop_assert!(total.parts_ready <= total.arrivals_with_parts);
        }
    }

    proptest! {
        /// A week's figures are its days' sums, whatever the days.
        #[test]
        fn weeks_keep_every_figure(
            days in prop::collection::vec((0i64..60, 0u32..50, 0i64..1_000_000, 0u32..900, 0u32..1000, 0u32..20), 0..40)
        ) {
            let start = date!(2026 - 10 - 01);
            let days: Vec<Day> = days
                .iter()
                .map(|&(offset, b, r, booked, open, arrivals)| {
                    day(start + Duration::days(offset), b, r, booked, open, arrivals, arrivals / 2)
                })
                .collect();
            let w = weeks(&days);
            let sum = |f: fn(&Day) -> i64, list: &[Day]| list.iter().map(f).sum::<i64>();
            prop_assert_eq!(sum(|d| i64::from(d.bookings), &w), sum(|d| i64::from(d.bookings), &days));
            prop_assert_eq!(sum(|d| d.revenue.fen(), &w), sum(|d| d.revenue.fen(), &days));
            prop_assert_eq!(sum(|d| i64::from(d.booked_min), &w), sum(|d| i64::from(d.booked_min), &days));
            prop_assert_eq!(sum(|d| i64::from(d.parts_ready), &w), sum(|d| i64::from(d.parts_ready), &days));
            for week in &w {
                prop_assert_eq!(week.day.map(|d| d.weekday()), Some(Weekday::Monday));
                if let Some(f) = week.fill_rate_permille() {
                    prop_assert!(f <= 1000);
                }
            }
        }
    }
}
