//! The customer's side of an online order for "any store": [`AnyStore`], on the booking
//! page once a service is chosen (a day and a part of it instead of a store and a slot),
//! and [`RoutedOrderPage`] (`/requests/:id`), where the order's route shows live: which
//! store has it and until when, which passed it on, and the booking once one accepts.

use domain::routing::{DayPart, HopOutcome, RoutedStatus};
use domain::ServiceId;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::{get_routed_order, PlaceRoutedOrder, RoutedOrder};
use crate::booking::QuotesView;
use crate::error::AppError;
use crate::i18n::{use_i18n, I18n, Msg};
use crate::live::use_live;
use crate::pricing::format_local;

/// How many days ahead the form offers, today included.
const DAYS_OFFERED: i64 = 7;

pub(crate) fn day_part_label(part: DayPart) -> Msg {
    match part {
        DayPart::Morning => Msg::Morning,
        DayPart::Afternoon => Msg::Afternoon,
        DayPart::AllDay => Msg::AllDay,
    }
}

/// "Any store": the customer gives a day and a part of it, and the order goes to the
/// store they used last or the nearest that can serve it ([`super::place_routed_order`]).
#[component]
pub fn AnyStore(
    vehicle: Signal<Option<String>>,
    service: RwSignal<Option<ServiceId>>,
    location: RwSignal<Option<(String, String)>>,
    quotes: Resource<Result<Option<QuotesView>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let place = ServerAction::<PlaceRoutedOrder>::new();
    // One key per attempt, as for a booking: a double tap places one order.
    let key = RwSignal::new(uuid::Uuid::now_v7().to_string());
    Effect::new(move |_| {
        service.track();
        key.set(uuid::Uuid::now_v7().to_string());
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(order)) = place.value().get() {
            navigate(&format!("/requests/{}", order.id), Default::default());
        }
    });
    let total = move || {
        let id = service.get()?;
        quotes
            .get()
            .and_then(Result::ok)
            .flatten()?
            .quotes
            .into_iter()
            .find(|q| q.service.id == id)?
            .quote
            .ok()
            .map(|b| b.total)
    };
    let today = crate::clock::local_today();
    let days = (0..DAYS_OFFERED)
        .filter_map(|n| today.checked_add(time::Duration::days(n)))
        .map(|d| {
            let (value, label) = (d.to_string(), d.to_string());
            view! { <option value=value>{label}</option> }
        })
        .collect_view();
    let parts = DayPart::ALL
        .into_iter()
        .map(|p| {
            view! {
                <label class="choice">
                    <input type="radio" name="day_part" value=p.code() checked=p == DayPart::Morning />
                    <span>{move || i18n.t(day_part_label(p))}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="any-store" aria-labelledby="any-store-title">
            <h2 id="any-store-title">{move || i18n.t(Msg::AnyStoreTitle)}</h2>
            <p class="hint">{move || i18n.t(Msg::AnyStoreHint)}</p>
            <ActionForm action=place attr:class="any-store-form">
                <input type="hidden" name="vehicle_id" value=move || vehicle.get().unwrap_or_default() />
                <input type="hidden" name="service_id" value=move || service.get().map(|s| s.to_string()).unwrap_or_default() />
                <input type="hidden" name="expected_total" value=move || total().map(|t| t.fen().to_string()).unwrap_or_default() />
                <input type="hidden" name="idempotency_key" value=move || key.get() />
                <input type="hidden" name="lat" value=move || location.get().map(|l| l.0).unwrap_or_default() />
                <input type="hidden" name="lng" value=move || location.get().map(|l| l.1).unwrap_or_default() />
                <label>
                    <span>{move || i18n.t(Msg::PreferredDay)}</span>
                    <select name="date">{days}</select>
                </label>
                <fieldset class="day-part">
                    <legend>{move || i18n.t(Msg::PartOfDay)}</legend>
                    {parts}
                </fieldset>
                <button type="submit" class="send-any-store" disabled=move || place.pending().get()>
                    {move || i18n.t(Msg::SendToStores)} " " {move || total().map(|t| t.to_string())}
                </button>
            </ActionForm>
            {move || place.value().get().and_then(Result::err).map(crate::error::error_view)}
        </section>
    }
}

/// `/requests/:id`: one online order and its route, live.
#[component]
pub fn RoutedOrderPage() -> impl IntoView {
    let params = use_params_map();
    let me = crate::account::use_me_context();
    let live = use_live();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    // A store accepts or declines, the window runs out: shown as it happens.
    let order = Resource::new(
        move || (id.get(), live.routing.get(), me.session()),
        |(id, ..)| get_routed_order(id),
    );
    let i18n = use_i18n();
    view! {
        <crate::garage::CustomerGate next="/garage">
            <section class="routed-page">
                <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                    {move || Suspend::new(async move {
                        match order.await {
                            Ok(order) => order_view(i18n, order).into_any(),
                            Err(e) => crate::error::error_view(e).into_any(),
                        }
                    })}
                </Transition>
            </section>
        </crate::garage::CustomerGate>
    }
}

/// The order, where it stands and its route. A plain function given `i18n`: it is built
/// after the resource resolves.
fn order_view(i18n: I18n, order: RoutedOrder) -> impl IntoView {
    let store = order.store.clone().map(|s| s.name);
    let status = match order.status {
        RoutedStatus::Offered => {
            let store = store.clone();
            let by = order.deadline.map(format_local).unwrap_or_default();
            view! {
                <p class="status" role="status">
                    {move || i18n.t(Msg::WaitingForStore)} " "
                    <strong>{move || store.as_ref().map(|s| s.get(i18n.lang()).to_owned())}</strong>
                    " · " {move || i18n.t(Msg::AnswerBy)} " " {by}
                </p>
            }
            .into_any()
        }
        RoutedStatus::Accepted => {
            let store = store.clone();
            let booking = order.booking.clone();
            view! {
                <p class="status ok" role="status">
                    <strong>{move || store.as_ref().map(|s| s.get(i18n.lang()).to_owned())}</strong>
                    " " {move || i18n.t(Msg::StoreAccepted)} " "
                    {booking.as_ref().map(|b| format_local(b.start))}
                </p>
                {booking.map(|b| view! {
                    <p><a class="to-booking" href=format!("/bookings/{}", b.order)>{move || i18n.t(Msg::SeeBooking)} " " {b.reference.clone()}</a></p>
                })}
            }
            .into_any()
        }
        RoutedStatus::Unserved => view! {
            <p class="status unserved" role="status">{move || i18n.t(Msg::NoStoreCould)}</p>
        }
        .into_any(),
    };
    let service = order.service.clone();
    let window = format!("{} ", order.window.date);
    let part = order.window.part;
    let hops = order
        .hops
        .into_iter()
        .map(|h| {
            let name = h.store.name.clone();
            let label = match &h.hop.outcome {
                None => Msg::HopWaiting,
                Some(HopOutcome::Accepted) => Msg::HopAccepted,
                Some(HopOutcome::Declined { .. }) => Msg::HopDeclined,
                Some(HopOutcome::Expired) => Msg::HopExpired,
            };
            let when = format_local(h.hop.decided_at.unwrap_or(h.hop.offered_at));
            view! {
                <li data-outcome=super::outcome_code(&h.hop)>
                    <span class="store">{move || name.get(i18n.lang()).to_owned()}</span>
                    <span class="tag">{move || i18n.t(label)}</span>
                    <span class="when">{when}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="routed-order" data-status=order.status.code() data-reference=order.reference.clone()>
            <h1>{move || i18n.t(Msg::AnyStoreRequest)} " " {order.reference.clone()}</h1>
            {status}
            <dl class="facts">
                <dt>{move || i18n.t(Msg::Service)}</dt>
                <dd>{move || service.get(i18n.lang()).to_owned()}</dd>
                <dt>{move || i18n.t(Msg::Plate)}</dt>
                <dd>{order.plate.clone()}</dd>
                <dt>{move || i18n.t(Msg::PreferredDay)}</dt>
                <dd>{window} {move || i18n.t(day_part_label(part))}</dd>
                <dt>{move || i18n.t(Msg::Total)}</dt>
                <dd>{order.total.to_string()}</dd>
            </dl>
            <h2>{move || i18n.t(Msg::RouteSoFar)}</h2>
            <ol class="hops">{hops}</ol>
        </div>
    }
}
