//! Online orders for "any store" (rule 5, C4): the customer asks for a service with a
//! preferred window instead of picking a store; the order goes to the store they used
//! last, else the nearest that can serve it; that store's kiosk sees it arrive live with
//! a countdown and accepts (booking a start in the window through the booking plan) or
//! declines with a reason; a decline or silence hands it on. Every hop is kept.
//!
//! Every decision is [`domain::routing`]'s. This module parses, authorises and shows.
//!
//! - Server functions. The customer's: [`place_routed_order`], [`get_routed_order`],
//!   [`my_routed_orders`]. The store's counter: [`routed_inbox`], [`accept_routed`],
//!   [`decline_routed`]. HQ's: [`get_routing_overview`], [`set_acceptance_window`].
//! - Storage: [`RoutingStorage`]; the expiry job (the server's `jobs`) calls
//!   [`RoutingStorage::hand_on_due`].
//! - Components: [`customer`] (the "any store" form and the order's page), [`inbox`]
//!   (the kiosk's inbox), [`hq`] (HQ's view and the window setting).

pub mod customer;
pub mod hq;
pub mod inbox;
pub mod parts;

use domain::booking::reference as booking_reference;
use domain::geo::GeoPoint;
use domain::parts_order::Handover;
use domain::routing::{AcceptanceWindow, Hop, HopOutcome, PreferredWindow, RoutedStatus};
use domain::slots::Slot;
use domain::{
    IdempotencyKey, Money, OrderId, PartId, Quantity, RoutedOrderId, ServiceId, StoreId, VehicleId,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::AppError;
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// What an online order is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// A service, booked in the window by the store that accepts.
    Service(ServiceId),
    /// Parts for the car, collected or delivered in the window. Storage checks each
    /// fits the car ([`domain::parts_order::Basket::new`]).
    Parts {
        lines: Vec<(PartId, Quantity)>,
        handover: Handover,
    },
}

impl Wanted {
    fn fingerprint(&self) -> String {
        match self {
            Wanted::Service(service) => service.to_string(),
            Wanted::Parts { lines, handover } => {
                let lines: Vec<String> = lines
                    .iter()
                    .map(|(p, q)| format!("{p}={}", q.milli()))
                    .collect();
                format!(
                    "parts:{}:{}:{}",
                    lines.join(","),
                    handover.code(),
                    handover.address().unwrap_or("")
                )
            }
        }
    }
}

/// What a customer asks for, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutedRequest {
    pub vehicle: VehicleId,
    pub wanted: Wanted,
    pub window: PreferredWindow,
    /// Where distances are measured from: the customer's location, or the city centre.
    pub from: GeoPoint,
    /// The total the customer saw; placing at any other total is refused.
    pub expected_total: Money,
    pub idempotency_key: IdempotencyKey,
}

impl RoutedRequest {
    /// What must match for a retry with the same key to be the same request.
    pub fn fingerprint(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.vehicle,
            self.wanted.fingerprint(),
            self.window.date,
            self.window.part.code(),
            self.expected_total.fen()
        )
    }
}

/// A store by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreName {
    pub id: StoreId,
    pub name: Named,
}

/// One store's turn, as people read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HopView {
    pub store: StoreName,
    pub hop: Hop,
}

/// The booking an acceptance made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookedAt {
    pub order: OrderId,
    pub reference: String,
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
}

impl BookedAt {
    pub fn new(order: OrderId, start: OffsetDateTime) -> BookedAt {
        BookedAt {
            order,
            reference: booking_reference(order),
            start,
        }
    }
}

/// One line of a parts order, at the price it locked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartLine {
    pub part: PartId,
    pub sku: String,
    pub name: Named,
    /// Piece, pair, litre...
    pub unit: Named,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub total: Money,
}

/// What a parts order holds besides what every online order has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartsDetail {
    pub lines: Vec<PartLine>,
    pub handover: Handover,
    /// The order an acceptance made (its reference), and when it was handed over.
    pub order: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub handed_over_at: Option<OffsetDateTime>,
}

/// An online order with its route so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutedOrder {
    pub id: RoutedOrderId,
    pub reference: String,
    pub status: RoutedStatus,
    pub customer: domain::CustomerId,
    /// The service, or the parts in a line.
    pub title: Named,
    pub plate: String,
    pub window: PreferredWindow,
    /// What the customer pays: the prices locked when the order was placed.
    pub total: Money,
    /// The store it waits for, or the one that accepted it (and is credited with it).
    pub store: Option<StoreName>,
    /// Until when that store may answer, while it waits.
    #[serde(with = "time::serde::rfc3339::option")]
    pub deadline: Option<OffsetDateTime>,
    /// The booking a store's acceptance of a service made.
    pub booking: Option<BookedAt>,
    /// For parts: the lines, how they change hands, and how far that got.
    pub parts: Option<PartsDetail>,
    /// Every store's turn, first first.
    pub hops: Vec<HopView>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An order waiting for this store's answer, as its kiosk shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub order: RoutedOrder,
    pub customer_name: String,
    pub model: Named,
    /// The store's free starts inside the customer's window now: what accepting a
    /// service may book.
    pub slots: Vec<Slot>,
    /// For parts: when they could change hands here inside the window, if they can.
    #[serde(with = "time::serde::rfc3339::option")]
    pub ready_from: Option<OffsetDateTime>,
}

/// An accepted parts order waiting to be collected or delivered, as the store's
/// kiosk lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToHandOver {
    pub order: RoutedOrder,
    pub customer_name: String,
    /// Each part the order holds and where it is (on the shelf, or arriving when).
    pub held: Vec<crate::parts::OrderPart>,
}

/// A part that fits the customer's car, at its published price, as the parts order
/// page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartOffer {
    pub part: PartId,
    pub sku: String,
    pub name: Named,
    pub category: Named,
    pub unit: Named,
    pub price: Money,
}

/// An order just placed: where its page is. (The page fetches the order; the booking
/// page does not carry the code that reads a whole [`RoutedOrder`].)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placed {
    pub id: RoutedOrderId,
    pub reference: String,
}

/// One order as HQ's tables list it: flat, so HQ's page carries little code to read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutedRow {
    pub reference: String,
    /// The service, or the parts.
    pub title: Named,
    pub plate: String,
    #[serde(with = "time::serde::rfc3339")]
    pub placed_at: OffsetDateTime,
    /// The store it waits for or that accepted it (credited with it).
    pub store: Option<Named>,
    /// Every store it was offered to, in turn.
    pub route: Vec<Named>,
    /// From placing to now while it waits, else to the last answer.
    pub waited_minutes: u32,
}

impl RoutedRow {
    /// The row of `order` at `now`.
    pub fn of(order: &RoutedOrder, now: OffsetDateTime) -> RoutedRow {
        let end = match order.status {
            RoutedStatus::Offered => now,
            _ => order
                .hops
                .iter()
                .filter_map(|h| h.hop.decided_at)
                .max()
                .unwrap_or(order.created_at),
        };
        RoutedRow {
            reference: order.reference.clone(),
            title: order.title.clone(),
            plate: order.plate.clone(),
            placed_at: order.created_at,
            store: order.store.as_ref().map(|s| s.name.clone()),
            route: order.hops.iter().map(|h| h.store.name.clone()).collect(),
            waited_minutes: u32::try_from((end - order.created_at).whole_minutes().max(0))
                .unwrap_or(u32::MAX),
        }
    }
}

/// What HQ sees: the window it sets, the orders still waiting and the unserved ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingOverview {
    pub window: AcceptanceWindow,
    /// Longest wait first.
    pub waiting: Vec<RoutedRow>,
    pub unserved: Vec<RoutedRow>,
    pub accepted: Vec<RoutedRow>,
}

/// What routing needs from storage. Every method takes the instant it acts at, so tests
/// drive time; the server passes its clock's.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait RoutingStorage: Send + Sync + 'static {
    /// Places an order: reads what a booking decides from over every store, asks
    /// [`domain::routing::place`], and records the order and its first hop (or the
    /// order unserved) with an event, in one transaction. A retry with the same key
    /// returns the first order.
    async fn place(
        &self,
        customer: domain::CustomerId,
        request: &RoutedRequest,
        limits: &domain::BookingLimits,
        now: OffsetDateTime,
    ) -> Result<RoutedOrder, StorageError>;

    /// One of the customer's orders; [`StorageError::NotFound`] unless it is theirs.
    async fn routed_order(
        &self,
        customer: domain::CustomerId,
        id: RoutedOrderId,
    ) -> Result<RoutedOrder, StorageError>;

    /// The customer's orders, newest first.
    async fn routed_orders(
        &self,
        customer: domain::CustomerId,
    ) -> Result<Vec<RoutedOrder>, StorageError>;

    /// The orders waiting for `store`'s answer, soonest deadline first, each with the
    /// store's free starts in its window at `now`.
    async fn inbox(
        &self,
        store: StoreId,
        limits: &domain::BookingLimits,
        now: OffsetDateTime,
    ) -> Result<Vec<InboxItem>, StorageError>;

    /// `store` accepts: under the order's lock, [`domain::routing::check_answer`], then
    /// for a service the booking [`domain::routing::accept_plan`] decides at `start`
    /// ([`domain::Error::TimeInvalid`] without one), for parts the holds
    /// [`domain::parts_order::accept_plan`] decides, written with the booking's guards,
    /// and the hop and the order closed, all in one transaction.
    async fn accept(
        &self,
        store: StoreId,
        by: domain::StaffId,
        id: RoutedOrderId,
        start: Option<OffsetDateTime>,
        limits: &domain::BookingLimits,
        now: OffsetDateTime,
    ) -> Result<RoutedOrder, StorageError>;

    /// `store` declines: under the order's lock, [`domain::routing::check_answer`], then
    /// the order is handed on at once to [`domain::routing::next_store`].
    async fn decline(
        &self,
        store: StoreId,
        by: domain::StaffId,
        id: RoutedOrderId,
        reason: &domain::routing::DeclineReason,
        limits: &domain::BookingLimits,
        now: OffsetDateTime,
    ) -> Result<RoutedOrder, StorageError>;

    /// The expiry job's step: claims up to `at_most` offers whose deadline has passed at
    /// `now` (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so instances claim disjoint
    /// orders) and hands each on, once. Returns how many moved.
    async fn hand_on_due(
        &self,
        limits: &domain::BookingLimits,
        now: OffsetDateTime,
        at_most: u32,
    ) -> Result<u32, StorageError>;

    /// How long a store has to answer (HQ's setting).
    async fn acceptance_window(&self) -> Result<AcceptanceWindow, StorageError>;

    /// Sets it, for offers made from now on.
    async fn set_acceptance_window(&self, window: AcceptanceWindow) -> Result<(), StorageError>;

    /// HQ's view at `now`: orders waiting (longest first), unserved and accepted ones of
    /// the last `days` days.
    async fn overview(
        &self,
        now: OffsetDateTime,
        days: u16,
    ) -> Result<RoutingOverview, StorageError>;
}

/// Parses what every online order asks besides what it is for: the arguments of
/// [`place_routed_order`] and the form of [`parts::place_parts_order`].
#[allow(clippy::too_many_arguments)]
pub fn parse_request(
    vehicle_id: &str,
    wanted: Wanted,
    date: &str,
    day_part: &str,
    near: Option<&str>,
    expected_total: &str,
    idempotency_key: &str,
    limits: &domain::BookingLimits,
    now: OffsetDateTime,
) -> Result<RoutedRequest, AppError> {
    // `near` is the customer's location as "lat,lng" when they shared it.
    let from = match near.map(str::trim).filter(|n| !n.is_empty()) {
        Some(near) => {
            let (lat, lng) = near.split_once(',').ok_or(domain::Error::LocationInvalid)?;
            GeoPoint::parse_degrees(lat, lng)?
        }
        None => domain::geo::HANGZHOU_CENTRE,
    };
    let fen: i64 = expected_total
        .trim()
        .parse()
        .map_err(|_| domain::Error::AmountNotANumber)?;
    Ok(RoutedRequest {
        vehicle: VehicleId::parse(vehicle_id)?,
        wanted,
        window: PreferredWindow::parse(date, day_part, limits, now)?,
        from,
        expected_total: Money::from_fen(fen),
        idempotency_key: IdempotencyKey::parse(idempotency_key)?,
    })
}

/// How many orders one run of the expiry job moves at most.
pub const HAND_ON_BATCH: u32 = 50;

/// The customer asks for a service at any store, in a preferred window; the answer is
/// the order with the store it went to first (or unserved).
#[server(prefix = "/api", endpoint = "place_routed_order", output = crate::codec::JsonText)]
pub async fn place_routed_order(
    vehicle_id: String,
    service_id: String,
    date: String,
    day_part: String,
    near: Option<String>,
    expected_total: String,
    idempotency_key: String,
) -> Result<Placed, AppError> {
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let limits = crate::booking::serve::limits();
    let now = crate::clock::now();
    let request = parse_request(
        &vehicle_id,
        Wanted::Service(ServiceId::parse(&service_id)?),
        &date,
        &day_part,
        near.as_deref(),
        &expected_total,
        &idempotency_key,
        &limits,
        now,
    )?;
    let order = use_storage::<dyn RoutingStorage>()?
        .place(customer, &request, &limits, now)
        .await?;
    tracing::info!(%customer, reference = %order.reference, status = order.status.code(), "online order placed");
    Ok(Placed {
        id: order.id,
        reference: order.reference,
    })
}

#[server(prefix = "/api", endpoint = "routed_order", output = crate::codec::JsonText)]
pub async fn get_routed_order(id: String) -> Result<RoutedOrder, AppError> {
    let customer = crate::account::session::require_customer().await?;
    let id = RoutedOrderId::parse(&id)?;
    Ok(use_storage::<dyn RoutingStorage>()?
        .routed_order(customer, id)
        .await?)
}

#[server(prefix = "/api", endpoint = "my_routed_orders", output = crate::codec::JsonText)]
pub async fn my_routed_orders() -> Result<Vec<RoutedOrder>, AppError> {
    let customer = crate::account::session::require_customer().await?;
    Ok(use_storage::<dyn RoutingStorage>()?
        .routed_orders(customer)
        .await?)
}

/// The orders waiting for the caller's store (its counter: managers and advisors).
#[server(prefix = "/api", endpoint = "routed_inbox", output = crate::codec::JsonText)]
pub async fn routed_inbox() -> Result<Vec<InboxItem>, AppError> {
    let at = crate::reception::counter().await?;
    Ok(use_storage::<dyn RoutingStorage>()?
        .inbox(
            at.store,
            &crate::booking::serve::limits(),
            crate::clock::now(),
        )
        .await?)
}

/// The caller's store accepts an order: a service booking `start` in the customer's
/// window, parts with no start (an empty one).
#[server(prefix = "/api", endpoint = "accept_routed", output = crate::codec::JsonText)]
pub async fn accept_routed(id: String, start: String) -> Result<RoutedOrder, AppError> {
    crate::account::session::require_same_origin()?;
    let at = crate::reception::counter().await?;
    let id = RoutedOrderId::parse(&id)?;
    let start = match start.trim() {
        "" => None,
        start => Some(
            OffsetDateTime::parse(start, &time::format_description::well_known::Rfc3339)
                .map_err(|_| domain::Error::TimeInvalid)?,
        ),
    };
    let order = use_storage::<dyn RoutingStorage>()?
        .accept(
            at.store,
            at.staff,
            id,
            start,
            &crate::booking::serve::limits(),
            crate::clock::now(),
        )
        .await?;
    tracing::info!(store = %at.store, by = %at.staff, reference = %order.reference, "online order accepted");
    Ok(order)
}

/// The caller's store declines an order with a reason; it moves on at once.
#[server(prefix = "/api", endpoint = "decline_routed", output = crate::codec::JsonText)]
pub async fn decline_routed(
    id: String,
    reason: String,
    note: String,
) -> Result<RoutedOrder, AppError> {
    crate::account::session::require_same_origin()?;
    let at = crate::reception::counter().await?;
    let id = RoutedOrderId::parse(&id)?;
    let reason = domain::routing::DeclineReason::parse(&reason, &note)?;
    let order = use_storage::<dyn RoutingStorage>()?
        .decline(
            at.store,
            at.staff,
            id,
            &reason,
            &crate::booking::serve::limits(),
            crate::clock::now(),
        )
        .await?;
    tracing::info!(store = %at.store, by = %at.staff, reference = %order.reference, reason = reason.code(), "online order declined");
    Ok(order)
}

/// How many days back HQ's view reaches for unserved and accepted orders.
pub const OVERVIEW_DAYS: u16 = 7;

/// HQ's view of routing (HQ staff).
#[server(prefix = "/api", endpoint = "routing_overview", output = crate::codec::JsonText)]
pub async fn get_routing_overview() -> Result<RoutingOverview, AppError> {
    crate::account::session::require(domain::Principal::works_at_hq).await?;
    Ok(use_storage::<dyn RoutingStorage>()?
        .overview(crate::clock::now(), OVERVIEW_DAYS)
        .await?)
}

/// HQ operations set how long a store has to answer.
#[server(prefix = "/api", endpoint = "set_acceptance_window", output = crate::codec::JsonText)]
pub async fn set_acceptance_window(minutes: String) -> Result<AcceptanceWindow, AppError> {
    crate::account::session::require_same_origin()?;
    let me = crate::account::session::require(domain::Principal::may_publish_prices).await?;
    let window = AcceptanceWindow::parse(&minutes)?;
    use_storage::<dyn RoutingStorage>()?
        .set_acceptance_window(window)
        .await?;
    tracing::info!(by = ?me.principal, minutes = window.minutes(), "acceptance window set");
    Ok(window)
}

/// What a hop's outcome is called.
pub fn outcome_code(hop: &Hop) -> &'static str {
    match &hop.outcome {
        None => "waiting",
        Some(HopOutcome::Accepted) => "accepted",
        Some(HopOutcome::Declined { .. }) => "declined",
        Some(HopOutcome::Expired) => "expired",
    }
}
