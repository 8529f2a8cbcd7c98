//! The kiosk's inbox of online orders (`/kiosk/inbox`): each order waiting for this
//! store's answer, live, with a countdown to its deadline; accepting books one of the
//! store's free starts in the customer's window, declining names a reason.

use domain::routing::DeclineReason;
use leptos::prelude::*;
use time::OffsetDateTime;

use super::customer::day_part_label;
use super::{routed_inbox, AcceptRouted, DeclineRouted, InboxItem};
use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, I18n, Msg, OrderMsg, StaffMsg};
use crate::pricing::format_local;

/// The resources of [`Inbox`], made by the kiosk outside its unlock gate.
#[derive(Clone, Copy)]
pub struct InboxState {
    items: Resource<Result<Option<Vec<InboxItem>>, AppError>>,
    accept: ServerAction<AcceptRouted>,
    decline: ServerAction<DeclineRouted>,
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
        now,
    } = state;
    view! {
        <section class="inbox">
            <h1>{move || i18n.t(StaffMsg::InboxTitle)}</h1>
            <p class="hint">{move || i18n.t(StaffMsg::InboxHint)}</p>
            {move || match accept.value().get() {
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
        </section>
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
    let service = order.service.clone();
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
    let can_accept = !item.slots.is_empty();
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
                <strong class="service">{move || service.get(i18n.lang()).to_owned()}</strong>
                <span class="plate">{order.plate.clone()}</span>
                <span class="model">{move || model.get(i18n.lang()).to_owned()}</span>
                <span class="customer">{item.customer_name.clone()}</span>
            </header>
            <p class="wanted">
                {move || i18n.t(OrderMsg::PreferredDay)} ": " {order.window.date.to_string()} " "
                {move || i18n.t(day_part_label(part))} " · " {order.total.to_string()}
                {(passed_on > 0).then(|| view! { " · " {move || i18n.t(StaffMsg::PassedOnBefore)} " " {passed_on} })}
            </p>
            <p class="countdown" role="timer" aria-live="off">
                {move || match left() {
                    Some(t) => format!("{} {t}", i18n.t(StaffMsg::AnswerWithin)),
                    None => i18n.t(StaffMsg::TimeUp).to_owned(),
                }}
            </p>
            {if can_accept {
                view! {
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
                .into_any()
            } else {
                view! { <p class="none">{move || i18n.t(StaffMsg::NoStartInWindow)}</p> }.into_any()
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
