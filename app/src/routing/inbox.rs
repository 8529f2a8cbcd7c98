//! The kiosk's inbox of online orders (`/kiosk/inbox`): each order waiting for this
//! store's answer, live, with a countdown to its deadline; accepting a service books
//! one of the store's free starts in the customer's window, accepting parts holds them;
//! declining names a reason. Below, the parts orders the store accepted, to hand over
//! when the customer collects them or staff deliver them.

use domain::routing::DeclineReason;
use leptos::prelude::*;
use time::OffsetDateTime;

use super::customer::day_part_label;
use super::parts::{parts_to_hand_over, HandOverParts};
use super::{routed_inbox, AcceptRouted, DeclineRouted, InboxItem, PartsDetail, ToHandOver};
use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, I18n, Msg, OrderMsg, StaffMsg};
use crate::pricing::format_local;
use domain::parts_order::Handover;
use domain::picking::PartPlace;

/// The resources of [`Inbox`], made by the kiosk outside its unlock gate.
#[derive(Clone, Copy)]
pub struct InboxState {
    items: Resource<Result<Option<Vec<InboxItem>>, AppError>>,
    accept: ServerAction<AcceptRouted>,
    decline: ServerAction<DeclineRouted>,
    to_hand: Resource<Result<Option<Vec<ToHandOver>>, AppError>>,
    hand: ServerAction<HandOverParts>,
    /// Now, to the second, for the countdowns.
    now: RwSignal<OffsetDateTime>,
}

impl InboxState {
    pub fn new() -> InboxState {
        let location = leptos_router::hooks::use_location();
        let on_page = Memo::new(move |_| location.pathname.read().starts_with("/kiosk/inbox"));
        let accept = ServerAction::<AcceptRouted>::new();
        let decline = ServerAction::<DeclineRouted>::new();
        let live = crate::live::use_live();
        let me = crate::account::use_me_context();
        let items = Resource::new(
            move || {
                (
                    me.session(),
                    on_page.get(),
                    accept.version().get(),
                    decline.version().get(),
                    // An order arrived, another iPad answered, one moved on; the store's
                    // bookings changed the free starts.
                    live.routing.get(),
                    live.availability.get(),
                )
            },
            |(_, on_page, ..)| async move {
                if on_page {
                    routed_inbox().await.map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        let hand = ServerAction::<HandOverParts>::new();
        let to_hand = Resource::new(
            move || {
                (
                    me.session(),
                    on_page.get(),
                    accept.version().get(),
                    hand.version().get(),
                    live.routing.get(),
                    // Parts arriving on the shelf.
                    live.availability.get(),
                )
            },
            |(_, on_page, ..)| async move {
                if on_page {
                    parts_to_hand_over().await.map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        let now = RwSignal::new(crate::clock::now());
        #[cfg(feature = "hydrate")]
        {
            let tick = gloo_timers::callback::Interval::new(1_000, move || {
                now.set(crate::clock::now());
            });
            // The interval stops when dropped: keep it for as long as the kiosk is open.
            StoredValue::new_local(tick);
        }
        InboxState {
            items,
            accept,
            decline,
            to_hand,
            hand,
            now,
        }
    }
}

impl Default for InboxState {
    fn default() -> Self {
        InboxState::new()
    }
}

/// `/kiosk/inbox`: the online orders waiting for this store.
#[component]
pub fn Inbox(state: InboxState) -> impl IntoView {
    let i18n = use_i18n();
    let InboxState {
        items,
        accept,
        decline,
        to_hand,
        hand,
        now,
    } = state;
    view! {
        <section class="inbox">
            <h1>{move || i18n.t(StaffMsg::InboxTitle)}</h1>
            <p class="hint">{move || i18n.t(StaffMsg::InboxHint)}</p>
            {move || match accept.value().get() {
                Some(Ok(o)) if o.parts.is_some() => view! {
                    <p class="ok" role="status">{move || i18n.t(StaffMsg::AcceptedParts)} " " {o.parts.as_ref().and_then(|p| p.order.clone())}</p>
                }
                .into_any(),
                Some(Ok(o)) => view! {
                    <p class="ok" role="status">{move || i18n.t(StaffMsg::AcceptedBooked)} " " {o.booking.as_ref().map(|b| b.reference.clone())}</p>
                }
                .into_any(),
                Some(Err(e)) => error_view(e).into_any(),
                None => ().into_any(),
            }}
            {move || decline.value().get().and_then(Result::err).map(error_view)}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match items.await {
                        Ok(Some(list)) if list.is_empty() => {
                            view! { <p class="none">{move || i18n.t(StaffMsg::InboxEmpty)}</p> }.into_any()
                        }
                        Ok(Some(list)) => view! {
                            <ul class="inbox-items">
                                {list.into_iter().map(|item| item_view(i18n, item, accept, decline, now)).collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
            <h2>{move || i18n.t(StaffMsg::ToHandOverTitle)}</h2>
            {move || match hand.value().get() {
                Some(Ok(o)) => view! {
                    <p class="ok" role="status">{move || i18n.t(StaffMsg::HandedOverDone)} " " {o.reference.clone()}</p>
                }
                .into_any(),
                Some(Err(e)) => error_view(e).into_any(),
                None => ().into_any(),
            }}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match to_hand.await {
                        Ok(Some(list)) if list.is_empty() => {
                            view! { <p class="none">{move || i18n.t(StaffMsg::ToHandOverEmpty)}</p> }.into_any()
                        }
                        Ok(Some(list)) => view! {
                            <ul class="hand-over-items">
                                {list.into_iter().map(|item| hand_over_view(i18n, item, hand)).collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// A parts order's lines and how they change hands.
fn parts_view(i18n: I18n, detail: &PartsDetail) -> impl IntoView {
    let lines = detail
        .lines
        .iter()
        .map(|l| {
            let name = l.name.clone();
            let unit = l.unit.clone();
            view! {
                <li data-sku=l.sku.clone()>
                    {move || name.get(i18n.lang()).to_owned()} " × " {l.quantity.to_string()} " "
                    {move || unit.get(i18n.lang()).to_owned()}
                </li>
            }
        })
        .collect_view();
    let how = match &detail.handover {
        Handover::Collect => view! { {move || i18n.t(StaffMsg::CustomerCollects)} }.into_any(),
        Handover::Deliver(address) => {
            let address = address.as_str().to_owned();
            view! { {move || i18n.t(StaffMsg::DeliverTo)} ": " {address} }.into_any()
        }
    };
    view! {
        <ul class="part-lines">{lines}</ul>
        <p class="handover-how" data-handover=detail.handover.code()>{how}</p>
    }
}

/// One accepted parts order: where each part is, and the button that hands it over
/// once all are on the shelf.
fn hand_over_view(
    i18n: I18n,
    item: ToHandOver,
    hand: ServerAction<HandOverParts>,
) -> impl IntoView {
    let order = item.order;
    let part = order.window.part;
    let all_here = item.held.iter().all(|h| h.place == PartPlace::Shelf);
    let held = item
        .held
        .into_iter()
        .map(|h| {
            let name = h.name.clone();
            let place = match h.place {
                PartPlace::Shelf => view! { {move || i18n.t(StaffMsg::PartOnShelf)} }.into_any(),
                PartPlace::Arriving { eta } => {
                    view! { {move || i18n.t(StaffMsg::PartArriving)} " " {format_local(eta)} }
                        .into_any()
                }
            };
            view! {
                <li>
                    {move || name.get(i18n.lang()).to_owned()} " × " {h.quantity.to_string()} " · "
                    <span class="place">{place}</span>
                </li>
            }
        })
        .collect_view();
    let how = order.parts.as_ref().map(|d| parts_view(i18n, d));
    view! {
        <li class="hand-over-item" data-reference=order.reference.clone() data-plate=order.plate.clone()>
            <header>
                <strong>{order.reference.clone()}</strong>
                <span class="plate">{order.plate.clone()}</span>
                <span class="customer">{item.customer_name.clone()}</span>
            </header>
            <p class="wanted">
                {move || i18n.t(OrderMsg::PreferredDay)} ": " {order.window.date.to_string()} " "
                {move || i18n.t(day_part_label(part))} " · " {order.total.to_string()}
            </p>
            {how}
            <ul class="held">{held}</ul>
            <ActionForm action=hand attr:class="hand-over-form">
                <input type="hidden" name="id" value=order.id.to_string() />
                <button type="submit" class="hand-over" disabled=move || hand.pending().get() || !all_here>
                    {move || i18n.t(StaffMsg::HandOverParts)}
                </button>
            </ActionForm>
        </li>
    }
}

/// `mm:ss` until `deadline`, or `None` once it has passed.
fn countdown(deadline: OffsetDateTime, now: OffsetDateTime) -> Option<String> {
    let left = (deadline - now).whole_seconds();
    (left > 0).then(|| format!("{:02}:{:02}", left / 60, left % 60))
}

fn reason_label(code: &str) -> StaffMsg {
    match code {
        "fully_booked" => StaffMsg::ReasonFullyBooked,
        "no_parts" => StaffMsg::ReasonNoParts,
        "no_skill" => StaffMsg::ReasonNoSkill,
        _ => StaffMsg::ReasonOther,
    }
}

/// One waiting order: what and when the customer asked, the countdown, the starts to
/// accept and the reasons to decline.
fn item_view(
    i18n: I18n,
    item: InboxItem,
    accept: ServerAction<AcceptRouted>,
    decline: ServerAction<DeclineRouted>,
    now: RwSignal<OffsetDateTime>,
) -> impl IntoView {
    let order = item.order;
    let id = order.id.to_string();
    let deadline = order.deadline;
    let title = order.title.clone();
    let parts = order.parts.as_ref().map(|d| parts_view(i18n, d));
    let is_parts = order.parts.is_some();
    let ready_from = item.ready_from;
    let model = item.model.clone();
    let part = order.window.part;
    let passed_on = order.hops.len().saturating_sub(1);
    let left = move || deadline.and_then(|d| countdown(d, now.get()));
    let starts = item
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let value = s
                .start
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            let time = format_local(s.start);
            view! {
                <label class="choice start">
                    <input type="radio" name="start" value=value checked=i == 0 />
                    <span>{time.get(11..).unwrap_or_default().to_owned()}</span>
                </label>
            }
        })
        .collect_view();
    let can_accept = if is_parts {
        ready_from.is_some()
    } else {
        !item.slots.is_empty()
    };
    let reasons = DeclineReason::CODES
        .into_iter()
        .enumerate()
        .map(|(i, code)| {
            view! {
                <label class="choice">
                    <input type="radio" name="reason" value=code checked=i == 0 />
                    <span>{move || i18n.t(reason_label(code))}</span>
                </label>
            }
        })
        .collect_view();
    let accept_id = id.clone();
    view! {
        <li class="inbox-item" data-reference=order.reference.clone() data-plate=order.plate.clone()>
            <header>
                <strong class="service">{move || title.get(i18n.lang()).to_owned()}</strong>
                <span class="plate">{order.plate.clone()}</span>
                <span class="model">{move || model.get(i18n.lang()).to_owned()}</span>
                <span class="customer">{item.customer_name.clone()}</span>
            </header>
            <p class="wanted">
                {move || i18n.t(OrderMsg::PreferredDay)} ": " {order.window.date.to_string()} " "
                {move || i18n.t(day_part_label(part))} " · " {order.total.to_string()}
                {(passed_on > 0).then(|| view! { " · " {move || i18n.t(StaffMsg::PassedOnBefore)} " " {passed_on} })}
            </p>
            {parts}
            <p class="countdown" role="timer" aria-live="off">
                {move || match left() {
                    Some(t) => format!("{} {t}", i18n.t(StaffMsg::AnswerWithin)),
                    None => i18n.t(StaffMsg::TimeUp).to_owned(),
                }}
            </p>
            {match (can_accept, is_parts) {
                (true, false) => view! {
                    <ActionForm action=accept attr:class="accept-form">
                        <input type="hidden" name="id" value=accept_id />
                        <fieldset class="starts">
                            <legend>{move || i18n.t(StaffMsg::ChooseStart)}</legend>
                            {starts}
                        </fieldset>
                        <button type="submit" class="accept" disabled=move || accept.pending().get() || left().is_none()>
                            {move || i18n.t(StaffMsg::AcceptOrder)}
                        </button>
                    </ActionForm>
                }
                .into_any(),
                (true, true) => view! {
                    <ActionForm action=accept attr:class="accept-form">
                        <input type="hidden" name="id" value=accept_id />
                        <input type="hidden" name="start" value="" />
                        <p class="ready-from">{move || i18n.t(StaffMsg::PartsReadyFrom)} " " {ready_from.map(format_local)}</p>
                        <button type="submit" class="accept" disabled=move || accept.pending().get() || left().is_none()>
                            {move || i18n.t(StaffMsg::AcceptParts)}
                        </button>
                    </ActionForm>
                }
                .into_any(),
                (false, false) => view! { <p class="none">{move || i18n.t(StaffMsg::NoStartInWindow)}</p> }.into_any(),
                (false, true) => view! { <p class="none">{move || i18n.t(StaffMsg::PartsNotInTime)}</p> }.into_any(),
            }}
            <details class="decline">
                <summary>{move || i18n.t(StaffMsg::DeclineOrder)}</summary>
                <ActionForm action=decline attr:class="decline-form">
                    <input type="hidden" name="id" value=id />
                    <fieldset class="reasons">
                        <legend>{move || i18n.t(StaffMsg::DeclineWhy)}</legend>
                        {reasons}
                    </fieldset>
                    <label>
                        <span>{move || i18n.t(StaffMsg::DeclineNote)}</span>
                        <input type="text" name="note" maxlength="200" autocomplete="off" />
                    </label>
                    <button type="submit" class="decline-submit" disabled=move || decline.pending().get()>
                        {move || i18n.t(StaffMsg::DeclineOrder)}
                    </button>
                </ActionForm>
            </details>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_countdown_reads_minutes_and_seconds_until_the_deadline() {
        let deadline = datetime!(2026-12-07 10:00 +8);
        assert_eq!(
            countdown(deadline, datetime!(2026-12-07 09:00 +8)),
            Some("60:00".into())
        );
        assert_eq!(
            countdown(deadline, datetime!(2026-12-07 09:59:59 +8)),
            Some("00:01".into())
        );
        assert_eq!(countdown(deadline, deadline), None);
    }
}
