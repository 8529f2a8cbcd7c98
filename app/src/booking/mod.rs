//! Booking: for a vehicle and a service, the price breakdown, every store's availability
//! of the parts that fit, its slots, and the booking that holds capacity and parts.
//!
//! Every decision is [`domain::booking`]'s: the picker's [`domain::booking::offers`], a
//! store's [`domain::booking::slots`] and, inside the booking transaction,
//! [`domain::booking::plan`], all over the [`domain::booking::Situation`] that
//! [`BookingStorage`] reads. What a customer is shown is what they get (or a "just
//! taken"). This module parses, authorises and shows.
//!
//! Server functions: [`service_quotes`], [`model_quotes`], [`store_options`],
//! [`store_slots`], [`confirm_booking`], [`get_booking`], [`cancel_booking`],
//! [`my_bookings`]. Storage: [`BookingStorage`].
//! Components: [`BookPage`] (`/book`) and [`BookingPage`] (`/bookings/:id`).
//! [`counter`] is the same booking made by staff at the store's counter.

pub mod counter;
mod view;

pub use domain::booking::{Booking, BookingRequest, PartNeed};
pub use domain::order::{BookedBy, Channel};
pub use view::*;

use domain::breakdown::Breakdown;
use domain::stock::Readiness;
#[cfg(feature = "ssr")]
use domain::OrderId;
use domain::{Money, PartId, ServiceId, StoreId, VehicleId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// What booking needs from storage. Reads return what [`domain::booking`] decides from;
/// [`BookingStorage::book`] reads the same inside its transaction, asks
/// [`domain::booking::plan`] and applies the plan with guarded writes.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait BookingStorage: Send + Sync + 'static {
    /// For every service, the parts it needs on `model` through fitment, or
    /// [`domain::Error::NoFitment`] when a category it needs has no fitting part.
    async fn service_parts(
        &self,
        model: domain::ModelId,
    ) -> Result<Vec<(ServiceId, Result<Vec<PartNeed>, domain::Error>)>, StorageError>;

    /// What the store picker (`at` is `None`: every store) or one store's slot list
    /// (`at` is that store) decides from, for the customer's vehicle and one service,
    /// with the parts it needs named; loads cover the window `limits` allow at `now`.
    async fn situation(
        &self,
        customer: domain::CustomerId,
        vehicle: VehicleId,
        service: ServiceId,
        at: Option<StoreId>,
        limits: &domain::BookingLimits,
        now: OffsetDateTime,
    ) -> Result<(domain::booking::Situation, Vec<PartNeed>), StorageError>;

    /// Books in one transaction: reads the situation, asks [`domain::booking::plan`],
    /// then holds every part where the plan says and a capacity unit in every step, with
    /// guards that refuse what a concurrent booking took meanwhile. A retry with the same
    /// idempotency key returns the first booking. The booking is `customer`'s whoever
    /// made it; `by` names who did and so its channel ([`BookedBy::channel`]).
    async fn book(
        &self,
        customer: domain::CustomerId,
        request: &BookingRequest,
        limits: &domain::BookingLimits,
        by: BookedBy,
    ) -> Result<Booking, StorageError>;

    /// One of the customer's bookings; [`StorageError::NotFound`] unless it is theirs.
    async fn booking(
        &self,
        customer: domain::CustomerId,
        order: OrderId,
    ) -> Result<Booking, StorageError>;

    /// The customer's bookings, newest first.
    async fn bookings(&self, customer: domain::CustomerId) -> Result<Vec<Booking>, StorageError>;

    /// Cancels a booking not yet checked in, releasing its parts (transfers included) and
    /// capacity.
    async fn cancel_booking(
        &self,
        customer: domain::CustomerId,
        order: OrderId,
    ) -> Result<Booking, StorageError>;
}

/// One service priced for one vehicle: its parts and its breakdown, or why it cannot be
/// done for this car.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceQuote {
    pub service: crate::pricing::Service,
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
pub(crate) mod serve {
    //! What the server functions share.

    use domain::discount::Tier;
    use domain::{ModelId, PartId, Quantity};

    use super::*;
    use crate::policies::PolicyStorage;
    use crate::pricing::PriceStorage;

    /// Every service on sale priced for a model and tier, with its parts.
    pub async fn quotes(model: ModelId, tier: Tier) -> Result<QuotesView, AppError> {
        let prices = use_storage::<dyn PriceStorage>()?;
        let list = prices.current_price_list().await?;
        let services = prices.services().await?;
        let policies = use_storage::<dyn PolicyStorage>()?
            .discount_policies()
            .await?;
        let mut parts = use_storage::<dyn BookingStorage>()?
            .service_parts(model)
            .await?;
        let at = crate::clock::now();
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

    /// The booking limits the server was configured with (the defaults if none).
    pub fn limits() -> domain::BookingLimits {
        leptos::prelude::use_context::<domain::BookingLimits>().unwrap_or_default()
    }

    /// Every service priced for the customer's vehicle: its fitting parts, their tier.
    pub async fn vehicle_quotes(
        customer: domain::CustomerId,
        vehicle: VehicleId,
    ) -> Result<QuotesView, AppError> {
        let vehicle = use_storage::<dyn crate::garage::GarageStorage>()?
            .vehicle(customer, vehicle)
            .await?;
        let tier = use_storage::<dyn crate::account::AccountStorage>()?
            .tier(customer)
            .await?;
        quotes(vehicle.model.id, tier).await
    }

    /// The slots of one store for the customer's vehicle and a service, under `limits`.
    pub async fn slots(
        customer: domain::CustomerId,
        vehicle: VehicleId,
        service: ServiceId,
        at: StoreId,
        limits: &domain::BookingLimits,
    ) -> Result<Vec<SlotView>, AppError> {
        let (situation, _) = use_storage::<dyn BookingStorage>()?
            .situation(
                customer,
                vehicle,
                service,
                Some(at),
                limits,
                crate::clock::now(),
            )
            .await?;
        let slots = domain::booking::slots(&situation, at).map_err(|e| match e {
            domain::Error::StoreUnknown => AppError::NotFound,
            other => AppError::Invalid(other),
        })?;
        Ok(slots
            .into_iter()
            .map(|s| SlotView {
                start: s.start,
                end: s.end,
                free_units: s.free_units,
            })
            .collect())
    }
}

/// Every service priced for the customer's vehicle (its fitting parts, their tier).
#[server(prefix = "/api", endpoint = "service_quotes", output = crate::codec::JsonText)]
pub async fn service_quotes(vehicle_id: String) -> Result<QuotesView, AppError> {
    let customer = crate::account::session::require_customer().await?;
    let vehicle = VehicleId::parse(&vehicle_id)?;
    serve::vehicle_quotes(customer, vehicle).await
}

/// The same quotes at the counter, for a model and the standard tier (staff only).
#[server(prefix = "/api", endpoint = "model_quotes", output = crate::codec::JsonText)]
pub async fn model_quotes(model_id: String) -> Result<QuotesView, AppError> {
    crate::account::session::require(|p| matches!(p, domain::Principal::Staff { .. })).await?;
    let model = domain::ModelId::parse(&model_id)?;
    let garage = use_storage::<dyn crate::garage::GarageStorage>()?;
    if !garage.vehicle_models().await?.iter().any(|m| m.id == model) {
        return Err(AppError::NotFound);
    }
    serve::quotes(model, domain::discount::Tier::Standard).await
}

/// Every store for this vehicle and service: parts availability, earliest slot, distance
/// from the customer (or the city centre), ranked by [`domain::booking::offers`].
#[server(prefix = "/api", endpoint = "store_options", output = crate::codec::JsonText)]
pub async fn store_options(
    vehicle_id: String,
    service_id: String,
    lat: Option<String>,
    lng: Option<String>,
) -> Result<Vec<StoreOptionView>, AppError> {
    let customer = crate::account::session::require_customer().await?;
    let vehicle = VehicleId::parse(&vehicle_id)?;
    let service = ServiceId::parse(&service_id)?;
    let from = match (lat.as_deref(), lng.as_deref()) {
        (Some(lat), Some(lng)) if !lat.trim().is_empty() => {
            domain::geo::GeoPoint::parse_degrees(lat, lng)?
        }
        _ => domain::geo::HANGZHOU_CENTRE,
    };
    let (situation, named) = use_storage::<dyn BookingStorage>()?
        .situation(
            customer,
            vehicle,
            service,
            None,
            &serve::limits(),
            crate::clock::now(),
        )
        .await?;
    Ok(domain::booking::offers(&situation, from)
        .into_iter()
        .map(|o| {
            let l = o.location;
            StoreOptionView {
                stock_here: named
                    .iter()
                    .map(|n| PartStock {
                        part: n.part,
                        sku: n.sku.clone(),
                        name_zh: n.name_zh.clone(),
                        name_en: n.name_en.clone(),
                        available_milli: situation.network.available(l.id, n.part),
                    })
                    .collect(),
                earliest_free_units: o.earliest.map_or(0, |s| s.free_units),
                store: l.id,
                code: l.code.clone(),
                name_zh: l.name_zh.clone(),
                name_en: l.name_en.clone(),
                address_zh: l.address_zh.clone(),
                address_en: l.address_en.clone(),
                distance_m: o.distance_m,
                readiness: o.readiness,
                earliest_start: o.earliest.map(|s| s.start),
            }
        })
        .collect())
}

/// The bookable slots of one store for this vehicle and service
/// ([`domain::booking::slots`]).
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
    serve::slots(customer, vehicle, service, at, &serve::limits()).await
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
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let request = parse_request(
        &vehicle_id,
        &service_id,
        &store_id,
        &start,
        &expected_total,
        &idempotency_key,
    )?;
    let booking = use_storage::<dyn BookingStorage>()?
        .book(customer, &request, &serve::limits(), BookedBy::Customer)
        .await?;
    tracing::info!(%customer, reference = %booking.reference, "booked");
    Ok(booking)
}

#[server(prefix = "/api", endpoint = "booking", output = crate::codec::JsonText)]
pub async fn get_booking(order_id: String) -> Result<Booking, AppError> {
    let customer = crate::account::session::require_customer().await?;
    let order = OrderId::parse(&order_id)?;
    Ok(use_storage::<dyn BookingStorage>()?
        .booking(customer, order)
        .await?)
}

#[server(prefix = "/api", endpoint = "my_bookings", output = crate::codec::JsonText)]
pub async fn my_bookings() -> Result<Vec<Booking>, AppError> {
    let customer = crate::account::session::require_customer().await?;
    Ok(use_storage::<dyn BookingStorage>()?
        .bookings(customer)
        .await?)
}

#[server(prefix = "/api", endpoint = "cancel_booking", output = crate::codec::JsonText)]
pub async fn cancel_booking(order_id: String) -> Result<Booking, AppError> {
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let order = OrderId::parse(&order_id)?;
    let booking = use_storage::<dyn BookingStorage>()?
        .cancel_booking(customer, order)
        .await?;
    tracing::info!(%customer, reference = %booking.reference, "booking cancelled");
    Ok(booking)
}
