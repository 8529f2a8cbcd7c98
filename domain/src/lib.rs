//! Pitlane's shared domain: the rules every surface (customer web, store kiosk,
//! HQ console, server) must agree on, written once so that "one price, one
//! truth" holds by construction rather than by convention.
//!
//! The crate is pure Rust with no I/O so that it compiles both natively and to
//! `wasm32-unknown-unknown`; the browser validates input with exactly the same
//! code the server trusts.
//!
//! Modules:
//! - [`account`]: who is acting ([`Principal`], [`StaffRole`]) and what people type
//!   about themselves and their car ([`Password`], [`PersonName`], [`Mileage`]), plus
//!   the [`IdempotencyKey`] of state-changing requests.
//! - [`aftersales`]: how well stores follow up, as HQ measures it: completion,
//!   satisfaction, complaint rate over a period.
//! - [`bill`]: what a work order comes to at handover, and manual adjustments.
//! - [`booking`]: the booking plan decided once: the store picker's [`booking::offers`],
//!   a store's [`booking::slots`] and the [`booking::plan`] a booking transaction applies.
//! - [`booking_limits`]: how far ahead, how soon and how much one customer may book
//!   ([`BookingLimits`]).
//! - [`breakdown`]: one service priced for one vehicle ([`Breakdown`]): labour, parts,
//!   the discounts that applied, total.
//! - [`campaigns`]: a message in both languages sent to a segment through a channel,
//!   never to a customer who opted out, and the bookings it brought.
//! - [`cases`]: after-sales cases a complaint opens: resolved, confirmed by the
//!   customer, escalated when overdue.
//! - [`dataimport`]: the CSV files HQ imports (catalog, fitment, prices, stock counts),
//!   checked row by row before anything is applied.
//! - [`districts`]: Hangzhou's districts, where customers live, against the stores'
//!   reach: the customer map and where the next store goes.
//! - [`catalog`]: services, their [`ServiceCategory`], and vehicle models.
//! - [`discount`]: membership [`Tier`]s and the [`DiscountPolicy`]s HQ publishes.
//! - [`error`]: the single [`Error`] enum; the UI translates by variant, logs and
//!   APIs use its stable [`Error::code`].
//! - [`garage`]: a customer's vehicles and their service history.
//! - [`findings`]: inspection findings offered to the customer, approved or declined
//!   once, remembered when declined.
//! - [`followup`]: after-sales follow-ups: what a handover schedules, when each falls
//!   due (time or projected mileage) and in which window, the morning queue, outcomes.
//! - [`geo`]: map points and distances.
//! - [`ids`]: UUID v7 newtypes for every entity, so a `StoreId` can never be
//!   passed where a `CustomerId` is expected.
//! - [`kiosk`]: pairing an iPad with a store ([`kiosk::PairingCode`]), staff PINs
//!   ([`kiosk::Pin`]) and the idle lock ([`kiosk::IdleLock`]).
//! - [`kpi`]: store KPIs per day and week: bookings, revenue at locked prices, bay
//!   utilisation, fill rate, stock cover.
//! - [`lifecycle`]: knowing the customer: lifecycle stages and A/B/C/D value classes
//!   from their events, with thresholds HQ sets.
//! - [`local_time`]: the stores' wall clock (UTC+8 all year) and conversions.
//! - [`money`]: [`Money`] in integer fen and [`Quantity`] in thousandths, with
//!   parsing of what people actually type into a price box.
//! - [`network`]: the chain's locations, shelves (with safety stock) and shipments, as a
//!   booking decision reads them.
//! - [`odometer`]: odometer readings, never going back, and a car's observed km per day.
//! - [`order`]: a work order's [`OrderStatus`] and which step may follow which; the
//!   channel an order came through and who booked it.
//! - [`phone`]: [`Phone`], a mainland-China mobile number.
//! - [`plate`]: [`Plate`], a mainland-China licence plate (ordinary and new-energy).
//! - [`qc`]: the quality checklist of an order and whether the check passed.
//! - [`reception`]: finding a customer at the counter from part of a phone or a plate
//!   ([`reception::CustomerQuery`]).
//! - [`routing`]: online orders for "any store": which store is offered one next
//!   ([`routing::next_store`]), the acceptance window, and a store's answer.
//! - [`help`]: stores helping each other: who sees a request, who may accept it, the
//!   transfer or the visit it becomes.
//! - [`parts_order`]: parts ordered online for collection or delivery: the basket, its
//!   price, which stores can serve it, what accepting holds and handing over takes.
//! - [`pricing`]: the uniform, versioned [`PriceList`] and [`price_line`].
//! - [`picking`]: the parts a work order holds, picking them at the bay, and where an
//!   extra part comes from.
//! - [`segments`]: who a campaign is for: stage, class, store, car, service due, last
//!   visit, tags.
//! - [`settings`]: what a store manager sets (its [`settings::Bays`] and
//!   [`settings::WeeklyHours`]) and which bookings a change leaves without a place
//!   ([`settings::stranded`]).
//! - [`slots`]: capacity (bays and technicians) and the slot grid of a store.
//! - [`stock`]: stock levels and reservations, shipments, delivery waves, where a
//!   part for a job comes from, and the store picker's ranking.
//! - [`text`]: short texts people type (notes, findings, reasons), bounded and trimmed.
//! - [`supply`]: the supply chain from data: consumption, forecasts, safety stock,
//!   replenishment proposals that explain their numbers, transfers and purchase orders.
//! - [`suggest`]: who should take a car, by preference, skill, first-time-fix rate and
//!   load.
//!
//! Every type here follows "parse, don't validate": if you hold a value, it is
//! valid, and deserialising goes through the same parser as user input.
//!
//! ```
//! use domain::{money::parse_price, price_line, PriceList, PricedItem, Quantity, ServiceId};
//! use time::macros::datetime;
//!
//! let oil_change = PricedItem::Service(ServiceId::new());
//! let list = PriceList::new(1, datetime!(2025-01-01 00:00 +8), [(oil_change, parse_price("¥199")?)]);
//! let line = price_line(&list, oil_change, Quantity::ONE)?;
//! assert_eq!(line.total.to_string(), "¥199.00");
//! # Ok::<(), domain::Error>(())
//! ```
#![warn(missing_docs)]

pub mod account;
pub mod aftersales;
pub mod bill;
pub mod booking;
pub mod booking_limits;
pub mod breakdown;
pub mod campaigns;
pub mod cases;
pub mod catalog;
pub mod dataimport;
pub mod discount;
pub mod districts;
pub mod error;
pub mod findings;
pub mod followup;
pub mod garage;
pub mod geo;
pub mod help;
pub mod ids;
pub mod kiosk;
pub mod kpi;
pub mod lifecycle;
pub mod local_time;
pub mod money;
pub mod network;
pub mod odometer;
pub mod order;
pub mod parts_order;
pub mod phone;
pub mod picking;
pub mod plate;
pub mod pricing;
pub mod qc;
pub mod reception;
pub mod routing;
pub mod segments;
pub mod settings;
pub mod slots;
pub mod stock;
pub mod suggest;
pub mod supply;
pub mod text;

pub use account::{
    IdempotencyKey, Me, Mileage, Password, PersonName, Principal, Realm, Skills, StaffRole,
};
pub use booking_limits::{BookingLimits, OpenBooking};
pub use breakdown::{quote_total, AppliedDiscount, Breakdown};
pub use catalog::ServiceCategory;
pub use discount::{DiscountPolicy, Percent, PolicyName, PolicyRule, Tier};
pub use error::Error;
pub use ids::*;
pub use money::{Money, Quantity};
pub use order::OrderStatus;
pub use phone::Phone;
pub use plate::Plate;
pub use pricing::{price_line, Line, PriceList, PricedItem};
