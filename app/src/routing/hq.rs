//! HQ's view of online orders (`/hq/routing`): how long a store has to answer (the
//! acceptance window, which HQ operations set), the orders waiting for a store and for
//! how long, the ones no store took (HQ's alert: someone calls the customer), and the
//! ones accepted, with the store credited and how long it took.

use leptos::prelude::*;

use super::{get_routing_overview, RoutedRow, RoutingOverview, SetAcceptanceWindow};
use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, I18n, Msg, StaffMsg};
use crate::pricing::format_local;

/// The resources of [`HqRouting`], made outside the sign-in gate.
#[derive(Clone, Copy)]
pub struct HqRoutingState {
    overview: Resource<Result<RoutingOverview, AppError>>,
    save: ServerAction<SetAcceptanceWindow>,
}

impl HqRoutingState {
    pub fn new() -> HqRoutingState {
        let save = ServerAction::<SetAcceptanceWindow>::new();
        let live = crate::live::use_live();
        let me = crate::account::use_me_context();
        let overview = Resource::new(
            move || (me.session(), save.version().get(), live.routing.get()),
            |_| get_routing_overview(),
        );
        HqRoutingState { overview, save }
    }
}

impl Default for HqRoutingState {
    fn default() -> Self {
        HqRoutingState::new()
    }
}

/// `/hq/routing`.
#[component]
pub fn HqRouting(state: HqRoutingState) -> impl IntoView {
    let i18n = use_i18n();
    let HqRoutingState { overview, save } = state;
    view! {
        <section class="hq-routing">
            <h1>{move || i18n.t(StaffMsg::RoutingTitle)}</h1>
            {move || match save.value().get() {
                Some(Ok(_)) => view! { <p class="ok" role="status">{move || i18n.t(StaffMsg::WindowSaved)}</p> }.into_any(),
                Some(Err(e)) => error_view(e).into_any(),
                None => ().into_any(),
            }}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => overview_view(i18n, o, save).into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn overview_view(
    i18n: I18n,
    o: RoutingOverview,
    save: ServerAction<SetAcceptanceWindow>,
) -> impl IntoView {
    let minutes = o.window.minutes();
    view! {
        <ActionForm action=save attr:class="window-form">
            <label>
                <span>{move || i18n.t(StaffMsg::AcceptanceMinutes)}</span>
                <input
                    type="number"
                    name="minutes"
                    min=domain::routing::AcceptanceWindow::MIN_MINUTES
                    max=domain::routing::AcceptanceWindow::MAX_MINUTES
                    value=minutes
                    required
                    inputmode="numeric"
                />
            </label>
            <button type="submit">{move || i18n.t(Msg::Save)}</button>
        </ActionForm>
        <p class="hint">{move || i18n.t(StaffMsg::AcceptanceHint)}</p>
        {orders(i18n, "unserved", StaffMsg::UnservedTitle, o.unserved)}
        {orders(i18n, "waiting", StaffMsg::WaitingTitle, o.waiting)}
        {orders(i18n, "accepted", StaffMsg::AcceptedTitle, o.accepted)}
    }
}

fn orders(i18n: I18n, kind: &'static str, title: StaffMsg, list: Vec<RoutedRow>) -> impl IntoView {
    let empty = list.is_empty();
    let rows = list
        .into_iter()
        .map(|o| {
            let waited = o.waited_minutes;
            let service = o.title.clone();
            let store = o.store.clone();
            let route = o.route.clone();
            view! {
                <tr data-reference=o.reference.clone()>
                    <td>{o.reference.clone()}</td>
                    <td>{move || service.get(i18n.lang()).to_owned()}</td>
                    <td>{o.plate.clone()}</td>
                    <td>{format_local(o.placed_at)}</td>
                    <td class="store">{move || store.as_ref().map(|s| s.get(i18n.lang()).to_owned())}</td>
                    <td class="route">{move || route.iter().map(|n| n.get(i18n.lang()).to_owned()).collect::<Vec<_>>().join(" → ")}</td>
                    <td class="waited">{waited} " " {move || i18n.t(Msg::Minutes)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class=format!("routed-list {kind}") data-kind=kind>
            <h2>{move || i18n.t(title)}</h2>
            {if empty {
                view! { <p class="none">{move || i18n.t(StaffMsg::NoneNow)}</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{move || i18n.t(Msg::Reference)}</th>
                                <th scope="col">{move || i18n.t(StaffMsg::OrderFor)}</th>
                                <th scope="col">{move || i18n.t(Msg::Plate)}</th>
                                <th scope="col">{move || i18n.t(StaffMsg::PlacedAt)}</th>
                                <th scope="col">{move || i18n.t(Msg::Store)}</th>
                                <th scope="col">{move || i18n.t(StaffMsg::RouteColumn)}</th>
                                <th scope="col">{move || i18n.t(StaffMsg::WaitedColumn)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            }}
        </section>
    }
}
