//! Booking: for a vehicle and a service, the price breakdown, every store's availability
//! of the parts that fit, its slots, and the booking that holds capacity and parts.
//!
//! The numbers come from `domain` (breakdown, supply, slot grid, ranking); this module
//! gathers their inputs ([`Network`]) and shows the results. The same [`Network`]
//! functions decide the store picker's answer and, inside the booking transaction, what a
//! booking reserves, so what a customer is shown is what they get (or a "just taken").
//!
//! Server functions: [`service_quotes`], [`store_options`], [`store_slots`],
//! [`confirm_booking`], [`get_booking`], [`cancel_booking`], [`my_bookings`].
//! Components: [`BookPage`] (`/book`) and [`BookingPage`] (`/bookings/:id`).

mod network;
mod view;

pub use network::*;
pub use view::*;

use domain::breakdown::Breakdown;
use domain::stock::Readiness;
use domain::{Money, OrderId, OrderStatus, PartId, Quantity, ServiceId, StoreId, VehicleId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::AppError;

/// A part a service needs for one vehicle model, resolved through fitment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartNeed {
    pub part: PartId,
    pub sku: String,
    pub name_zh: String,
    pub name_en: String,
    pub quantity: Quantity,
}

/// One service priced for one vehicle: its parts and its breakdown, or why it cannot be
/// done for this car.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceQuote {
    pub service: crate::pricing::ServiceInfo,
    pub parts: Vec<PartNeed>,
    pub quote: Result<Breakdown, domain::Error>,
}

/// What the catalog shows for a vehicle: every service on sale, priced for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotesView {
    pub price_list_version: u32,
    pub quotes: Vec<ServiceQuote>,
}

/// One store in the picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreOptionView {
    pub store: StoreId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub address_zh: String,
    pub address_en: String,
    pub distance_m: u32,
    pub readiness: Readiness,
    /// Each part as it stands at this store: name and what is available on its shelf.
    pub stock_here: Vec<PartStock>,
    /// The first slot with free capacity once the parts can be there.
    #[serde(with = "time::serde::rfc3339::option")]
    pub earliest_start: Option<OffsetDateTime>,
    /// Capacity units still free at that slot.
    pub earliest_free_units: u32,
}

/// A part's stock at one store, as the picker shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartStock {
    pub part: PartId,
    pub sku: String,
    pub name_zh: String,
    pub name_en: String,
    pub available_milli: u64,
}

/// A slot the customer may pick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotView {
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    pub free_units: u32,
}

/// What a customer asks to book, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingRequest {
    pub vehicle: VehicleId,
    pub service: ServiceId,
    pub store: StoreId,
    pub start: OffsetDateTime,
    /// The total the customer saw; a booking at any other total is refused.
    pub expected_total: Money,
    pub idempotency_key: domain::IdempotencyKey,
}

impl BookingRequest {
    /// What must match for a retry with the same key to be the same request.
    pub fn fingerprint(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.vehicle,
            self.service,
            self.store,
            self.start.unix_timestamp(),
            self.expected_total.fen()
        )
    }
}

/// A booking as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub id: OrderId,
    pub reference: String,
    pub status: OrderStatus,
    pub store: StoreId,
    pub store_zh: String,
    pub store_en: String,
    pub plate: String,
    pub service_zh: String,
    pub service_en: String,
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    pub breakdown: Breakdown,
}

/// Parses the arguments of [`confirm_booking`] into a request.
pub fn parse_request(
    vehicle_id: &str,
    service_id: &str,
    store_id: &str,
    start: &str,
    expected_total: &str,
    idempotency_key: &str,
) -> Result<BookingRequest, AppError> {
    let start = OffsetDateTime::parse(start.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| domain::Error::TimeInvalid)?;
    let fen: i64 = expected_total
        .trim()
        .parse()
        .map_err(|_| domain::Error::AmountNotANumber)?;
    Ok(BookingRequest {
        vehicle: VehicleId::parse(vehicle_id)?,
        service: ServiceId::parse(service_id)?,
        store: StoreId::parse(store_id)?,
        start,
        expected_total: Money::from_fen(fen),
        idempotency_key: domain::IdempotencyKey::parse(idempotency_key)?,
    })
}

#[cfg(feature = "ssr")]
mod serve {
    //! What the server functions share: the vehicle and its needs, priced and located.

    use domain::slots::Load;
    use domain::stock::DeliverySchedule;
    use domain::{CustomerId, PartId, Quantity, ServiceId, VehicleId};
    use time::OffsetDateTime;

    use super::*;
    use crate::garage::Vehicle;
    use crate::store::Store;

    /// Now, on the grid's precision (whole seconds are enough for "not before").
    pub fn now() -> OffsetDateTime {
        crate::clock::now()
    }

    pub async fn my_vehicle(
        store: &dyn Store,
        customer: CustomerId,
        id: VehicleId,
    ) -> Result<Vehicle, AppError> {
        Ok(store.vehicle_history(customer, id).await?.0)
    }

    /// Every service on sale priced for a model and tier, with its parts.
    pub async fn quotes(
        store: &dyn Store,
        model: domain::ModelId,
        tier: domain::discount::Tier,
    ) -> Result<QuotesView, AppError> {
        let list = store.current_price_list().await?;
        let services = store.services().await?;
        let policies = store.discount_policies().await?;
        let mut parts = store.service_parts(model).await?;
        let at = now();
        let quotes = list
            .on_sale(services, |s| s.id)
            .into_iter()
            .map(|(service, _)| {
                let needs = parts
                    .iter_mut()
                    .find(|(s, _)| *s == service.id)
                    .map(|(_, n)| std::mem::replace(n, Ok(Vec::new())))
                    .unwrap_or(Ok(Vec::new()));
                let (parts, quote) = match needs {
                    Ok(needs) => {
                        let pairs: Vec<(PartId, Quantity)> =
                            needs.iter().map(|n| (n.part, n.quantity)).collect();
                        let quote = domain::breakdown::breakdown(
                            &list, service.id, &pairs, tier, &policies, at,
                        );
                        (needs, quote)
                    }
                    Err(e) => (Vec::new(), Err(e)),
                };
                ServiceQuote {
                    service,
                    parts,
                    quote,
                }
            })
            .collect();
        Ok(QuotesView {
            price_list_version: list.version,
            quotes,
        })
    }

    /// The parts a service needs on this vehicle, with their names.
    pub async fn named_needs(
        store: &dyn Store,
        vehicle: &Vehicle,
        service: ServiceId,
    ) -> Result<Vec<PartNeed>, AppError> {
        Ok(store
            .service_parts(vehicle.model.id)
            .await?
            .into_iter()
            .find(|(s, _)| *s == service)
            .map(|(_, n)| n)
            .unwrap_or(Ok(Vec::new()))?)
    }

    /// The parts a service needs on this vehicle, and the service's duration.
    pub async fn needs(
        store: &dyn Store,
        vehicle: &Vehicle,
        service: ServiceId,
    ) -> Result<(Vec<(PartId, Quantity)>, u16), AppError> {
        let info = store
            .services()
            .await?
            .into_iter()
            .find(|s| s.id == service)
            .ok_or(AppError::NotFound)?;
        let needs = store
            .service_parts(vehicle.model.id)
            .await?
            .into_iter()
            .find(|(s, _)| *s == service)
            .map(|(_, n)| n)
            .unwrap_or(Ok(Vec::new()))?;
        Ok((
            needs.iter().map(|n| (n.part, n.quantity)).collect(),
            u16::try_from(info.duration_min).unwrap_or(u16::MAX),
        ))
    }

    pub fn load_of(loads: &[(domain::StoreId, Load)], store: domain::StoreId) -> Load {
        loads
            .iter()
            .find(|(s, _)| *s == store)
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }

    pub fn schedule() -> DeliverySchedule {
        DeliverySchedule::default()
    }

    /// The booking limits the server was configured with (the defaults if none).
    pub fn limits() -> domain::BookingLimits {
        leptos::prelude::use_context::<domain::BookingLimits>().unwrap_or_default()
    }
}

/// Every service priced for the customer's vehicle (its fitting parts, their tier).
#[server(prefix = "/api", endpoint = "service_quotes", output = crate::codec::JsonText)]
pub async fn service_quotes(vehicle_id: String) -> Result<QuotesView, AppError> {
    let customer = crate::account::session::require_customer().await?;
    let vehicle = VehicleId::parse(&vehicle_id)?;
    let store = crate::store::use_store()?;
    let vehicle = serve::my_vehicle(&*store, customer, vehicle).await?;
    let tier = store.customer_tier(customer).await?;
    serve::quotes(&*store, vehicle.model.id, tier).await
}

/// The same quotes at the counter, for a model and the standard tier (staff only).
#[server(prefix = "/api", endpoint = "model_quotes", output = crate::codec::JsonText)]
pub async fn model_quotes(model_id: String) -> Result<QuotesView, AppError> {
    crate::account::session::require(|p| matches!(p, domain::Principal::Staff { .. })).await?;
    let model = domain::ModelId::parse(&model_id)?;
    let store = crate::store::use_store()?;
    if !store.vehicle_models().await?.iter().any(|m| m.id == model) {
        return Err(AppError::NotFound);
    }
    serve::quotes(&*store, model, domain::discount::Tier::Standard).await
}

/// Every store for this vehicle and service: parts availability, earliest slot, distance
/// from the customer (or the city centre), ranked.
#[server(prefix = "/api", endpoint = "store_options", output = crate::codec::JsonText)]
pub async fn store_options(
    vehicle_id: String,
    service_id: String,
    lat: Option<String>,
    lng: Option<String>,
) -> Result<Vec<StoreOptionView>, AppError> {
    use domain::stock::{rank_stores, StoreOption};
    let customer = crate::account::session::require_customer().await?;
    let vehicle = VehicleId::parse(&vehicle_id)?;
    let service = ServiceId::parse(&service_id)?;
    let from = match (lat.as_deref(), lng.as_deref()) {
        (Some(lat), Some(lng)) if !lat.trim().is_empty() => {
            domain::geo::GeoPoint::parse_degrees(lat, lng)?
        }
        _ => domain::geo::HANGZHOU_CENTRE,
    };
    let store = crate::store::use_store()?;
    let vehicle = serve::my_vehicle(&*store, customer, vehicle).await?;
    let (needs, duration) = serve::needs(&*store, &vehicle, service).await?;
    let named = serve::named_needs(&*store, &vehicle, service).await?;
    let parts: Vec<PartId> = needs.iter().map(|(p, _)| *p).collect();
    let net = store.network(&parts).await?;
    let now = serve::now();
    let limits = serve::limits();
    let loads = store.slot_loads(now, limits.window(now).1).await?;
    let options = net
        .stores()
        .map(|l| {
            let readiness = net.readiness_at(l, &needs, &serve::schedule(), now);
            let earliest = readiness.ready_at.and_then(|ready| {
                slots_at(
                    l,
                    &serve::load_of(&loads, l.id),
                    duration,
                    ready,
                    now,
                    &limits,
                )
                .first()
                .copied()
            });
            let stock_here = named
                .iter()
                .map(|n| PartStock {
                    part: n.part,
                    sku: n.sku.clone(),
                    name_zh: n.name_zh.clone(),
                    name_en: n.name_en.clone(),
                    available_milli: net.available(l.id, n.part),
                })
                .collect::<Vec<_>>();
            StoreOption {
                distance_m: domain::geo::distance_m(from, l.geo),
                earliest_start: earliest.map(|s| s.start),
                store: (
                    l.clone(),
                    readiness,
                    stock_here,
                    earliest.map_or(0, |s| s.free_units),
                ),
            }
        })
        .collect();
    Ok(rank_stores(options)
        .into_iter()
        .map(|o| {
            let (l, readiness, stock_here, earliest_free_units) = o.store;
            StoreOptionView {
                stock_here,
                earliest_free_units,
                store: l.id,
                code: l.code,
                name_zh: l.name_zh,
                name_en: l.name_en,
                address_zh: l.address_zh,
                address_en: l.address_en,
                distance_m: o.distance_m,
                readiness,
                earliest_start: o.earliest_start,
            }
        })
        .collect())
}

/// The bookable slots of one store for this vehicle and service.
#[server(prefix = "/api", endpoint = "store_slots", output = crate::codec::JsonText)]
pub async fn store_slots(
    vehicle_id: String,
    service_id: String,
    store_id: String,
) -> Result<Vec<SlotView>, AppError> {
    let customer = crate::account::session::require_customer().await?;
    let vehicle = VehicleId::parse(&vehicle_id)?;
    let service = ServiceId::parse(&service_id)?;
    let at = StoreId::parse(&store_id)?;
    let store = crate::store::use_store()?;
    let vehicle = serve::my_vehicle(&*store, customer, vehicle).await?;
    let (needs, duration) = serve::needs(&*store, &vehicle, service).await?;
    let parts: Vec<PartId> = needs.iter().map(|(p, _)| *p).collect();
    let net = store.network(&parts).await?;
    let location = net
        .stores()
        .find(|l| l.id == at)
        .ok_or(AppError::NotFound)?;
    let now = serve::now();
    let ready = net
        .readiness_at(location, &needs, &serve::schedule(), now)
        .ready_at
        .ok_or(domain::Error::PartsUnobtainable)?;
    let limits = serve::limits();
    let loads = store.slot_loads(now, limits.window(now).1).await?;
    Ok(slots_at(
        location,
        &serve::load_of(&loads, at),
        duration,
        ready,
        now,
        &limits,
    )
    .into_iter()
    .map(|s| SlotView {
        start: s.start,
        end: s.end,
        free_units: s.free_units,
    })
    .collect())
}

/// Books: the arguments are what the customer chose and the total they saw, with an
/// idempotency key the page made once; a retry returns the same booking.
#[server(prefix = "/api", endpoint = "confirm_booking", output = crate::codec::JsonText)]
pub async fn confirm_booking(
    vehicle_id: String,
    service_id: String,
    store_id: String,
    start: String,
    expected_total: String,
    idempotency_key: String,
) -> Result<Booking, AppError> {
    crate::store::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let request = parse_request(
        &vehicle_id,
        &service_id,
        &store_id,
        &start,
        &expected_total,
        &idempotency_key,
    )?;
    let booking = crate::store::use_store()?
        .book(customer, &request, &serve::limits())
        .await?;
    tracing::info!(%customer, reference = %booking.reference, "booked");
    Ok(booking)
}

#[server(prefix = "/api", endpoint = "booking", output = crate::codec::JsonText)]
pub async fn get_booking(order_id: String) -> Result<Booking, AppError> {
    let customer = crate::account::session::require_customer().await?;
    let order = OrderId::parse(&order_id)?;
    Ok(crate::store::use_store()?.booking(customer, order).await?)
}

#[server(prefix = "/api", endpoint = "my_bookings", output = crate::codec::JsonText)]
pub async fn my_bookings() -> Result<Vec<Booking>, AppError> {
    let customer = crate::account::session::require_customer().await?;
    Ok(crate::store::use_store()?.bookings(customer).await?)
}

#[server(prefix = "/api", endpoint = "cancel_booking", output = crate::codec::JsonText)]
pub async fn cancel_booking(order_id: String) -> Result<Booking, AppError> {
    crate::store::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let order = OrderId::parse(&order_id)?;
    let booking = crate::store::use_store()?
        .cancel_booking(customer, order)
        .await?;
    tracing::info!(%customer, reference = %booking.reference, "booking cancelled");
    Ok(booking)
}
