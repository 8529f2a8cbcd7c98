//! The customer's side of an online order for "any store": [`AnyStorePage`]
//! (`/book/any`, from the booking page once a service is chosen: a day and a part of it
//! instead of a store and a slot), and [`RoutedOrderPage`] (`/requests/:id`), where the order's route shows live: which
//! store has it and until when, which passed it on, and the booking once one accepts.

use domain::parts_order::Handover;
use domain::routing::{DayPart, HopOutcome, RoutedStatus};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::{get_routed_order, PlaceRoutedOrder, RoutedOrder};
use crate::error::AppError;
use crate::i18n::{use_i18n, I18n, Msg, OrderMsg};
use crate::live::use_live;
use crate::pricing::format_local;

/// How many days ahead the form offers, today included.
const DAYS_OFFERED: i64 = 7;

pub(crate) fn day_part_label(part: DayPart) -> OrderMsg {
    match part {
        DayPart::Morning => OrderMsg::Morning,
        DayPart::Afternoon => OrderMsg::Afternoon,
        DayPart::AllDay => OrderMsg::AllDay,
    }
}

/// `/book/any?vehicle=…&service=…`, reached from the booking page's store step: the
/// customer gives a day and a part of it instead of a store, and the order goes to the
/// store they used last or the nearest that can serve it ([`super::place_routed_order`]).
/// A page of its own, so the booking page does not carry its code.
#[component]
pub fn AnyStorePage() -> impl IntoView {
    let query = use_query_map();
    let me = crate::account::use_me_context();
    let live = use_live();
    let vehicle = Memo::new(move |_| query.with(|q| q.get("vehicle").unwrap_or_default()));
    let service = Memo::new(move |_| query.with(|q| q.get("service").unwrap_or_default()));
    // The price the customer is shown, and sends back: a newer one is refused.
    let quotes = Resource::new(
        move || {
            (
                vehicle.get(),
                live.prices.get(),
                live.policies.get(),
                me.session(),
            )
        },
        |(vehicle, ..)| crate::booking::service_quotes(vehicle),
    );
    let place = ServerAction::<PlaceRoutedOrder>::new();
    // One key per page, as for a booking: a double tap places one order.
    let key = StoredValue::new(uuid::Uuid::now_v7().to_string());
    let location = RwSignal::new(None::<(String, String)>);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(placed)) = place.value().get() {
            navigate(&format!("/requests/{}", placed.id), Default::default());
        }
    });
    let i18n = use_i18n();
    view! {
        <crate::garage::CustomerGate next="/book">
            <section class="any-store">
                <h1>{move || i18n.t(OrderMsg::AnyStoreTitle)}</h1>
                <p class="hint">{move || i18n.t(OrderMsg::AnyStoreHint)}</p>
                <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                    {move || Suspend::new(async move {
                        let chosen = quotes.await.map(|view| {
                            view.quotes.into_iter().find(|q| {
                                q.service.id.to_string() == service.get_untracked()
                            })
                        });
                        match chosen {
                            Ok(Some(q)) => match q.quote {
                                Ok(b) => {
                                    let form = Form {
                                        vehicle: vehicle.get_untracked(),
                                        service: q.service,
                                        total: b.total,
                                        key: key.get_value(),
                                    };
                                    any_store_form(i18n, form, location, place).into_any()
                                }
                                Err(e) => crate::error::error_view(AppError::Invalid(e)).into_any(),
                            },
                            Ok(None) => view! { <p class="empty">{move || i18n.t(Msg::NoServicesForCar)}</p> }.into_any(),
                            Err(e) => crate::error::error_view(e).into_any(),
                        }
                    })}
                </Transition>
                {move || place.value().get().and_then(Result::err).map(crate::error::error_view)}
            </section>
        </crate::garage::CustomerGate>
    }
}

/// What the any-store form sends besides the customer's choices.
struct Form {
    vehicle: String,
    service: crate::pricing::Service,
    total: domain::Money,
    key: String,
}

/// The form: the service and its price, the day, the part of the day, the location.
/// A plain function given `i18n`: it is built after the quotes resolve.
fn any_store_form(
    i18n: I18n,
    form: Form,
    location: RwSignal<Option<(String, String)>>,
    place: ServerAction<PlaceRoutedOrder>,
) -> impl IntoView {
    let info = form.service.clone();
    let total = form.total;
    view! {
        <p class="chosen-service" data-service=form.service.code.clone()>
            <strong>{move || crate::pricing::service_name(&info, i18n.lang()).to_owned()}</strong>
            " " <span class="total">{total.to_string()}</span>
        </p>
        <ActionForm action=place attr:class="any-store-form">
            <input type="hidden" name="vehicle_id" value=form.vehicle />
            <input type="hidden" name="service_id" value=form.service.id.to_string() />
            <input type="hidden" name="expected_total" value=total.fen().to_string() />
            <input type="hidden" name="idempotency_key" value=form.key />
            <input type="hidden" name="near" value=move || location.get().map(|(lat, lng)| format!("{lat},{lng}")).unwrap_or_default() />
            {window_fields(i18n, "date", "day_part")}
            {location_line(i18n, location)}
            <button type="submit" class="send-any-store" disabled=move || place.pending().get()>
                {move || i18n.t(OrderMsg::SendToStores)} " " {total.to_string()}
            </button>
        </ActionForm>
    }
}

/// The day (the next [`DAYS_OFFERED`] days) and the part of it, posted as `date` and
/// `part` (the form's names for them).
pub(crate) fn window_fields(i18n: I18n, date: &'static str, part: &'static str) -> impl IntoView {
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
                    <input type="radio" name=part value=p.code() checked=p == DayPart::Morning />
                    <span>{move || i18n.t(day_part_label(p))}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <label>
            <span>{move || i18n.t(OrderMsg::PreferredDay)}</span>
            <select name=date>{days}</select>
        </label>
        <fieldset class="day-part">
            <legend>{move || i18n.t(OrderMsg::PartOfDay)}</legend>
            {parts}
        </fieldset>
    }
}

/// Where distances are measured from, and the button that shares the location.
pub(crate) fn location_line(
    i18n: I18n,
    location: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    view! {
        <p class="distance-from">
            {move || i18n.t(if location.get().is_some() { Msg::FromYourLocation } else { Msg::FromCityCentre })}
            " "
            <button type="button" class="use-location" on:click=move |_| crate::booking::locate(location)>
                {move || i18n.t(Msg::UseMyLocation)}
            </button>
        </p>
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
                    {move || i18n.t(OrderMsg::WaitingForStore)} " "
                    <strong>{move || store.as_ref().map(|s| s.get(i18n.lang()).to_owned())}</strong>
                    " · " {move || i18n.t(OrderMsg::AnswerBy)} " " {by}
                </p>
            }
            .into_any()
        }
        RoutedStatus::Accepted if order.parts.is_some() => {
            let store = store.clone();
            let detail = order.parts.clone();
            let handed = detail.as_ref().and_then(|d| d.handed_over_at);
            let label = match (&handed, detail.as_ref().map(|d| &d.handover)) {
                (Some(_), _) => OrderMsg::PartsHandedOver,
                (None, Some(Handover::Deliver(_))) => OrderMsg::PartsWillBeDelivered,
                (None, _) => OrderMsg::PartsReadyToCollect,
            };
            view! {
                <p class="status ok" role="status" data-handed-over=handed.is_some().to_string()>
                    <strong>{move || store.as_ref().map(|s| s.get(i18n.lang()).to_owned())}</strong>
                    " " {move || i18n.t(OrderMsg::StoreAccepted)} " · " {move || i18n.t(label)}
                    " " {handed.map(format_local)}
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
                    " " {move || i18n.t(OrderMsg::StoreAccepted)} " "
                    {booking.as_ref().map(|b| format_local(b.start))}
                </p>
                {booking.map(|b| view! {
                    <p><a class="to-booking" href=format!("/bookings/{}", b.order)>{move || i18n.t(OrderMsg::SeeBooking)} " " {b.reference.clone()}</a></p>
                })}
            }
            .into_any()
        }
        RoutedStatus::Unserved => view! {
            <p class="status unserved" role="status">{move || i18n.t(OrderMsg::NoStoreCould)}</p>
        }
        .into_any(),
    };
    let title = order.title.clone();
    let is_parts = order.parts.is_some();
    let parts = order.parts.clone().map(|detail| {
        let how = match &detail.handover {
            Handover::Collect => view! { {move || i18n.t(OrderMsg::Collect)} }.into_any(),
            Handover::Deliver(address) => {
                let address = address.as_str().to_owned();
                view! { {move || i18n.t(OrderMsg::Deliver)} ": " {address} }.into_any()
            }
        };
        let lines = detail
            .lines
            .into_iter()
            .map(|l| {
                let name = l.name.clone();
                let unit = l.unit.clone();
                view! {
                    <li data-sku=l.sku.clone()>
                        <span>{move || name.get(i18n.lang()).to_owned()}</span>
                        " × " {l.quantity.to_string()} " " {move || unit.get(i18n.lang()).to_owned()}
                        " " <span class="line-total">{l.total.to_string()}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <ul class="part-lines">{lines}</ul>
            <p class="handover-how">{how}</p>
        }
    });
    let window = format!("{} ", order.window.date);
    let part = order.window.part;
    let hops = order
        .hops
        .into_iter()
        .map(|h| {
            let name = h.store.name.clone();
            let label = match &h.hop.outcome {
                None => OrderMsg::HopWaiting,
                Some(HopOutcome::Accepted) => OrderMsg::HopAccepted,
                Some(HopOutcome::Declined { .. }) => OrderMsg::HopDeclined,
                Some(HopOutcome::Expired) => OrderMsg::HopExpired,
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
            <h1>{move || i18n.t(OrderMsg::AnyStoreRequest)} " " {order.reference.clone()}</h1>
            {status}
            <dl class="facts">
                <dt>{move || i18n.t(if is_parts { OrderMsg::PartsOrdered } else { OrderMsg::ServiceAsked })}</dt>
                <dd>{move || title.get(i18n.lang()).to_owned()}</dd>
                <dt>{move || i18n.t(Msg::Plate)}</dt>
                <dd>{order.plate.clone()}</dd>
                <dt>{move || i18n.t(OrderMsg::PreferredDay)}</dt>
                <dd>{window} {move || i18n.t(day_part_label(part))}</dd>
                <dt>{move || i18n.t(Msg::Total)}</dt>
                <dd>{order.total.to_string()}</dd>
            </dl>
            {parts}
            <h2>{move || i18n.t(OrderMsg::RouteSoFar)}</h2>
            <ol class="hops">{hops}</ol>
        </div>
    }
}
