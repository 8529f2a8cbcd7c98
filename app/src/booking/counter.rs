//! Booking at the counter: a service advisor or store manager books for the customer in
//! front of them, at their own store, through the same quotes (the customer's tier), slot
//! grid and booking transaction as the web ([`super::BookingStorage::book`]). The booking
//! is the customer's: it is on their page and counts against their open bookings.
//!
//! Two things differ, both decided in `domain`: the counter needs no notice
//! ([`domain::BookingLimits::at_counter`]), and the booking's channel is a walk-in when the
//! car is taken in within the hour, a counter booking otherwise
//! ([`domain::order::BookedBy::channel`]).
//!
//! - Server functions, for reception ([`crate::reception`]): [`counter_quotes`],
//!   [`counter_slots`], [`book_at_counter`].
//! - Component: [`CounterBooking`], opened from a vehicle on the customer 360.

use domain::{CustomerId, ServiceId, VehicleId};
use leptos::prelude::*;
use time::OffsetDateTime;

use super::view::{ServiceChooser, SlotPicker};
#[cfg(feature = "ssr")]
use super::{parse_request, serve, BookedBy, BookingStorage};
use super::{Booking, QuotesView, SlotView};
use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, Msg, StaffMsg};
use crate::pricing::format_local;
#[cfg(feature = "ssr")]
use crate::storage::use_storage;

/// Every service priced for a customer's vehicle, as the web shows it to them.
#[server(prefix = "/api", endpoint = "counter_quotes", output = crate::codec::JsonText)]
pub async fn counter_quotes(
    customer_id: String,
    vehicle_id: String,
) -> Result<QuotesView, AppError> {
    crate::reception::counter().await?;
    let customer = CustomerId::parse(&customer_id)?;
    let vehicle = VehicleId::parse(&vehicle_id)?;
    serve::vehicle_quotes(customer, vehicle).await
}

/// The caller's store's slots for a customer's vehicle and a service, from now on.
#[server(prefix = "/api", endpoint = "counter_slots", output = crate::codec::JsonText)]
pub async fn counter_slots(
    customer_id: String,
    vehicle_id: String,
    service_id: String,
) -> Result<Vec<SlotView>, AppError> {
    let at = crate::reception::counter().await?;
    let customer = CustomerId::parse(&customer_id)?;
    let vehicle = VehicleId::parse(&vehicle_id)?;
    let service = ServiceId::parse(&service_id)?;
    let limits = serve::limits().at_counter();
    serve::slots(customer, vehicle, service, at.store, &limits).await
}

/// Books for the customer at the caller's store: the arguments are what the advisor
/// chose and the total the customer was shown, with an idempotency key made once by the
/// page; a retry returns the same booking.
#[server(prefix = "/api", endpoint = "book_at_counter", output = crate::codec::JsonText)]
pub async fn book_at_counter(
    customer_id: String,
    vehicle_id: String,
    service_id: String,
    start: String,
    expected_total: String,
    idempotency_key: String,
) -> Result<Booking, AppError> {
    crate::account::session::require_same_origin()?;
    let at = crate::reception::counter().await?;
    let customer = CustomerId::parse(&customer_id)?;
    let request = parse_request(
        &vehicle_id,
        &service_id,
        &at.store.to_string(),
        &start,
        &expected_total,
        &idempotency_key,
    )?;
    let limits = serve::limits().at_counter();
    let booking = use_storage::<dyn BookingStorage>()?
        .book(customer, &request, &limits, BookedBy::Staff(at.staff))
        .await?;
    tracing::info!(%customer, staff = %at.staff, reference = %booking.reference, "booked at the counter");
    Ok(booking)
}

/// Booking one of the customer's vehicles at the counter: the service (the chooser shows
/// its breakdown), the store's next free times, and the confirm button with the total.
/// `book` is the 360's action, so the timeline shows the booking once it is made.
#[component]
pub fn CounterBooking(
    customer: CustomerId,
    vehicle: VehicleId,
    book: ServerAction<BookAtCounter>,
    /// The service chosen when it opens (a follow-up's recommended service).
    #[prop(default = None)]
    service: Option<ServiceId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let preselected = service;
    let quotes = Resource::new(
        move || (customer, vehicle),
        |(c, v)| counter_quotes(c.to_string(), v.to_string()),
    );
    let service = RwSignal::new(preselected);
    let picked = RwSignal::new(None::<OffsetDateTime>);
    let slots = Resource::new(
        move || service.get(),
        move |s| async move {
            match s {
                Some(s) => counter_slots(customer.to_string(), vehicle.to_string(), s.to_string())
                    .await
                    .map(Some),
                None => Ok(None),
            }
        },
    );
    // One key per attempt: a double tap or a resend is the same booking; a new choice is
    // a new one.
    let key = RwSignal::new(uuid::Uuid::now_v7().to_string());
    Effect::new(move |_| {
        service.track();
        picked.track();
        key.set(uuid::Uuid::now_v7().to_string());
    });
    Effect::new(move |_| {
        service.track();
        picked.set(None);
    });
    let chosen = move || {
        let id = service.get()?;
        let view = quotes.get()?.ok()?;
        let quote = view.quotes.into_iter().find(|q| q.service.id == id)?;
        let breakdown = quote.quote.clone().ok()?;
        Some((quote, breakdown))
    };
    view! {
        <section class="counter-booking" aria-labelledby="counter-booking-h">
            <h3 id="counter-booking-h">{move || i18n.t(StaffMsg::CounterService)}</h3>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match quotes.await {
                        Ok(view) => view! { <ServiceChooser view=view choose=service /> }.into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
            <Show when=move || service.get().is_some()>
                <h3>{move || i18n.t(StaffMsg::CounterSlot)}</h3>
                <p class="hint">{move || i18n.t(StaffMsg::CounterChannelRule)}</p>
                <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                    {move || Suspend::new(async move {
                        match slots.await {
                            Ok(Some(list)) if list.is_empty() => view! {
                                <p class="empty">{move || i18n.t(StaffMsg::CounterNoSlots)}</p>
                            }
                            .into_any(),
                            Ok(Some(list)) => view! { <SlotPicker slots=list picked=picked /> }.into_any(),
                            Ok(None) => ().into_any(),
                            Err(e) => error_view(e).into_any(),
                        }
                    })}
                </Transition>
            </Show>
            {move || {
                let start = picked.get()?;
                let (quote, breakdown) = chosen()?;
                let total = breakdown.total;
                let when = format_local(start);
                let start = start.format(&time::format_description::well_known::Rfc3339).ok()?;
                Some(view! {
                    <div class="counter-confirm">
                        <p class="when">{move || i18n.t(Msg::SlotAt)} " " {when.clone()}</p>
                        <ActionForm action=book attr:class="counter-form">
                            <input type="hidden" name="customer_id" value=customer.to_string() />
                            <input type="hidden" name="vehicle_id" value=vehicle.to_string() />
                            <input type="hidden" name="service_id" value=quote.service.id.to_string() />
                            <input type="hidden" name="start" value=start />
                            <input type="hidden" name="expected_total" value=total.fen().to_string() />
                            <input type="hidden" name="idempotency_key" value=move || key.get() />
                            <button type="submit" class="book-at-counter" disabled=move || book.pending().get()>
                                {move || i18n.t(StaffMsg::CounterBook)} " " {total.to_string()}
                            </button>
                        </ActionForm>
                    </div>
                })
            }}
            {move || book.value().get().and_then(Result::err).map(error_view)}
        </section>
    }
}

/// What the 360 shows once a counter booking is made: its reference and time, and the
/// way to the board where the car is checked in.
#[component]
pub fn CounterBooked(booking: Booking) -> impl IntoView {
    let i18n = use_i18n();
    let when = format_local(booking.start);
    view! {
        <p class="counter-booked" role="status" data-order=booking.id.to_string()>
            {move || i18n.t(StaffMsg::CounterBooked)} " " <strong>{booking.reference.clone()}</strong>
            " · " {when} " · " <a href="/kiosk/board">{move || i18n.t(StaffMsg::OpenBoard)}</a>
        </p>
    }
}
