//! The storage trait server functions call (server side only).
//!
//! The server crate implements [`Store`] for SQLite and for PostgreSQL and provides it to
//! every request as an `Arc<dyn Store>` context. Writes that others must see (prices
//! today; stock, capacity, orders and money later) commit an outbox event in the same
//! transaction and publish it to the live-update hub after commit.

use std::sync::Arc;

use async_trait::async_trait;
use domain::discount::{DiscountPolicy, Tier};
use domain::slots::Load;
use domain::{
    CustomerId, Mileage, ModelId, Money, OrderId, PartId, PersonName, Phone, Plate, PriceList,
    PricedItem, Principal, ServiceId, StoreId, VehicleId,
};
use leptos::prelude::use_context;
use time::OffsetDateTime;

use crate::account::{Me, Realm};
use crate::booking::{Booking, BookingRequest, Network, PartNeed};
use crate::error::AppError;
use crate::garage::{HistoryEntry, ModelInfo, Vehicle};
use crate::pricing::{PricePoint, ServiceInfo};

/// What can go wrong in storage, in terms the layers above can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or guard condition refused the write (someone else got there first).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database stayed locked or overloaded past its timeout.
    #[error("busy: {0}")]
    Busy(String),
    /// A business rule refused the change.
    #[error(transparent)]
    Rule(#[from] domain::Error),
    /// The database failed; the text is for the log only.
    #[error("storage failure: {0}")]
    Backend(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(_) => AppError::Conflict,
            StoreError::Busy(cause) => {
                tracing::warn!(%cause, "database busy");
                AppError::Busy
            }
            StoreError::Rule(rule) => AppError::Invalid(rule),
            StoreError::Backend(cause) => AppError::internal(cause),
        }
    }
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`, for logs and `/healthz`.
    fn backend(&self) -> &'static str;

    /// Round-trips a trivial query, for `/healthz`.
    async fn ping(&self) -> Result<(), StoreError>;

    /// The service catalog, in display order.
    async fn services(&self) -> Result<Vec<ServiceInfo>, StoreError>;

    /// The price list in force now.
    async fn current_price_list(&self) -> Result<PriceList, StoreError>;

    /// Publishes a new price for one item as a new price-list version, effective now.
    /// Concurrent publishes are serialised; each sees the version the previous one made.
    async fn publish_price(
        &self,
        item: PricedItem,
        price: Money,
        published_by: &str,
    ) -> Result<PriceList, StoreError>;

    /// Every version's price for one item, newest first.
    async fn price_history(&self, item: PricedItem) -> Result<Vec<PricePoint>, StoreError>;

    // ---- accounts ----

    /// A new customer with a password; [`domain::Error::PhoneTaken`] if the number is
    /// already a customer's (whether or not that customer has a password yet).
    async fn create_customer(
        &self,
        phone: &Phone,
        name: &PersonName,
        password_hash: &str,
    ) -> Result<CustomerId, StoreError>;

    /// Who has this phone number in `realm`, with their password hash (`None` when they
    /// have no password and so cannot sign in).
    async fn credentials(
        &self,
        realm: Realm,
        phone: &Phone,
    ) -> Result<Option<(Principal, Option<String>)>, StoreError>;

    /// Stores a session under the hash of its token.
    async fn create_session(
        &self,
        token_hash: &str,
        principal: &Principal,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The person whose unexpired session has this token hash.
    async fn session(&self, token_hash: &str) -> Result<Option<Me>, StoreError>;

    /// Deletes a session (and, in passing, every expired one). Deleting none is fine.
    async fn end_session(&self, token_hash: &str) -> Result<(), StoreError>;

    // ---- garage ----

    /// Every vehicle model in the catalog, by brand and name.
    async fn vehicle_models(&self) -> Result<Vec<ModelInfo>, StoreError>;

    /// The customer's vehicles (not the removed ones), oldest first.
    async fn vehicles(&self, customer: CustomerId) -> Result<Vec<Vehicle>, StoreError>;

    /// Adds a vehicle to the customer's garage. A plate they removed earlier comes back
    /// with its history; a plate in someone else's garage is [`domain::Error::PlateTaken`];
    /// a plate someone else removed moves to this customer (the car was sold).
    async fn add_vehicle(
        &self,
        customer: CustomerId,
        plate: &Plate,
        model: ModelId,
        mileage: Mileage,
    ) -> Result<Vehicle, StoreError>;

    /// Changes a vehicle's model and mileage; [`StoreError::NotFound`] unless it is in
    /// this customer's garage.
    async fn update_vehicle(
        &self,
        customer: CustomerId,
        vehicle: VehicleId,
        model: ModelId,
        mileage: Mileage,
    ) -> Result<Vehicle, StoreError>;

    /// Removes a vehicle from the garage, keeping its history; [`StoreError::NotFound`]
    /// unless it is in this customer's garage.
    async fn remove_vehicle(
        &self,
        customer: CustomerId,
        vehicle: VehicleId,
    ) -> Result<(), StoreError>;

    /// One vehicle of the customer's garage with its service history (this customer's
    /// orders for it), newest first; [`StoreError::NotFound`] unless it is theirs.
    async fn vehicle_history(
        &self,
        customer: CustomerId,
        vehicle: VehicleId,
    ) -> Result<(Vehicle, Vec<HistoryEntry>), StoreError>;

    // ---- booking ----

    /// For every service, the parts it needs on `model` through fitment, or
    /// [`domain::Error::NoFitment`] when a category it needs has no fitting part.
    async fn service_parts(
        &self,
        model: ModelId,
    ) -> Result<Vec<(ServiceId, Result<Vec<PartNeed>, domain::Error>)>, StoreError>;

    /// The discount policies in force (published, not withdrawn).
    async fn discount_policies(&self) -> Result<Vec<DiscountPolicy>, StoreError>;

    /// Publishes a discount policy (HQ), effective at once for everyone who qualifies.
    async fn publish_policy(
        &self,
        policy: &DiscountPolicy,
        published_by: &str,
    ) -> Result<(), StoreError>;

    /// The customer's membership tier.
    async fn customer_tier(&self, customer: CustomerId) -> Result<Tier, StoreError>;

    /// Every location with its stock of `parts` and the shipments of them on their way.
    async fn network(&self, parts: &[PartId]) -> Result<Network, StoreError>;

    /// Booked capacity per store and step, for steps in `[from, to)`.
    async fn slot_loads(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<(StoreId, Load)>, StoreError>;

    /// Books in one transaction: re-prices and checks the total, checks the customer's
    /// open bookings against `limits`, reserves every part from where
    /// [`Network::readiness_at`] says, and takes a capacity unit in every step of the
    /// slot; a retry with the same key returns the first booking.
    async fn book(
        &self,
        customer: CustomerId,
        request: &BookingRequest,
        limits: &domain::BookingLimits,
    ) -> Result<Booking, StoreError>;

    /// One of the customer's bookings; [`StoreError::NotFound`] unless it is theirs.
    async fn booking(&self, customer: CustomerId, order: OrderId) -> Result<Booking, StoreError>;

    /// The customer's bookings, newest first.
    async fn bookings(&self, customer: CustomerId) -> Result<Vec<Booking>, StoreError>;

    /// Cancels a booking not yet checked in, releasing its parts and capacity.
    async fn cancel_booking(
        &self,
        customer: CustomerId,
        order: OrderId,
    ) -> Result<Booking, StoreError>;
}

pub fn use_store() -> Result<Arc<dyn Store>, AppError> {
    if let Some(store) = use_context::<Arc<dyn Store>>() {
        return Ok(store);
    }
    if use_context::<http::request::Parts>().is_none() {
        // The page's render is over and its reactive owner is gone: a resource of a view
        // that server rendering built and then dropped (Leptos renders suspended children
        // more than once) resumed after an await. Nobody will read this answer.
        tracing::debug!("storage asked for after the request ended");
        return Err(AppError::Network);
    }
    Err(AppError::internal("no Store in context"))
}

/// Refuses a state-changing call that a page of another site made the browser send.
///
/// Browsers send `Origin` with every cross-site POST; when it is there it must name this
/// server (the `Host` it was asked for). Clients that send no `Origin` (API clients,
/// `curl`) are not browsers carrying someone else's cookies, so they pass.
pub fn require_same_origin() -> Result<(), AppError> {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Ok(());
    };
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let Some(origin) = header(http::header::ORIGIN) else {
        return Ok(());
    };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    match header(http::header::HOST) {
        Some(host) if host.eq_ignore_ascii_case(origin_host) => Ok(()),
        _ => {
            tracing::warn!(%origin, "cross-origin request refused");
            Err(AppError::Forbidden)
        }
    }
}
