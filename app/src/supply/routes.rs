//! Delivery routes (C10's delivery waves): the warehouse's vans run by route, each route
//! leaving at its own times, and whatever is sent to a store rides the next van of its
//! route ([`domain::stock::Waves`], used by the booking's ETAs, help between stores and
//! the replenishment proposal alike). HQ sees the routes on `/hq/replenishment`; HQ
//! supply sets their departures.
//!
//! - Server functions: [`get_routes`] (HQ staff), [`set_route_waves`] (HQ supply).
//! - Storage: [`super::SupplyStorage::routes`] and [`super::SupplyStorage::set_waves`].
//! - Component: [`DeliveryRoutes`].

use domain::stock::Waves;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, I18n, Msg, SupplyMsg};
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::use_storage;

/// A route as HQ sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteRow {
    /// Its short code, e.g. `east`.
    pub code: String,
    pub name: Named,
    /// When its vans leave.
    pub waves: Waves,
    /// The stores on it: code and name.
    pub stores: Vec<(String, Named)>,
}

/// The routes, and whether the caller may change them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutesView {
    pub routes: Vec<RouteRow>,
    pub may_edit: bool,
}

/// The longest route code there is: anything longer is no route.
#[cfg(feature = "ssr")]
const CODE_MAX: usize = 32;

/// The delivery routes with their departures and stores (HQ staff).
#[server(prefix = "/api", endpoint = "delivery_routes", output = crate::codec::JsonText)]
pub async fn get_routes() -> Result<RoutesView, AppError> {
    let (principal, _) = super::staff_id(domain::Principal::works_at_hq).await?;
    let routes = use_storage::<dyn super::SupplyStorage>()?.routes().await?;
    Ok(RoutesView {
        routes,
        may_edit: principal.may_plan_supply(),
    })
}

/// HQ supply sets when a route's vans leave: up to four `HH:MM` times (`times[0]`, …;
/// blank ones left out).
#[server(prefix = "/api", endpoint = "set_route_waves", output = crate::codec::JsonText)]
pub async fn set_route_waves(
    route: String,
    #[server(default)] times: Vec<String>,
) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let (_, by) = super::staff_id(domain::Principal::may_plan_supply).await?;
    let route = route.trim();
    if route.is_empty() || route.len() > CODE_MAX {
        return Err(AppError::NotFound);
    }
    let waves = Waves::parse(times.iter().map(String::as_str))?;
    use_storage::<dyn super::SupplyStorage>()?
        .set_waves(route, waves, by, crate::clock::now())
        .await?;
    tracing::info!(route, waves = ?waves.times(), %by, "delivery waves set");
    Ok(())
}

/// The routes' section of the replenishment page; `routes` refetches after each `save`.
#[component]
pub fn DeliveryRoutes(
    routes: Resource<Result<RoutesView, AppError>>,
    save: ServerAction<SetRouteWaves>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="delivery-routes" aria-labelledby="routes-title">
            <h2 id="routes-title">{move || i18n.t(SupplyMsg::RoutesTitle)}</h2>
            <p class="hint">{move || i18n.t(SupplyMsg::RoutesHint)}</p>
            {move || save.value().get().and_then(Result::err).map(error_view)}
            {move || save.value().get().and_then(Result::ok).map(|()| view! {
                <p class="notice" role="status">{move || i18n.t(SupplyMsg::WavesSaved)}</p>
            })}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match routes.await {
                        Ok(v) => routes_view(i18n, v, save).into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn routes_view(i18n: I18n, v: RoutesView, save: ServerAction<SetRouteWaves>) -> impl IntoView {
    let may_edit = v.may_edit;
    v.routes
        .into_iter()
        .map(|r| {
            let name = r.name.clone();
            let title = move || name.get(i18n.lang()).to_owned();
            let stores = r
                .stores
                .iter()
                .map(|(code, name)| {
                    let name = name.clone();
                    view! { <li data-store=code.clone()>{move || name.get(i18n.lang()).to_owned()}</li> }
                })
                .collect_view();
            let times = r.waves.times();
            let (code, listed) = (r.code.clone(), times.join(","));
            let waves = if may_edit {
                let hidden = code.clone();
                let inputs = (0..Waves::MAX)
                    .map(|i| {
                        let value = times.get(i).cloned().unwrap_or_default();
                        let label = title.clone();
                        view! {
                            <input
                                type="time"
                                name=format!("times[{i}]")
                                value=value
                                aria-label=move || format!("{} {} {}", label(), i18n.t(SupplyMsg::Departure), i + 1)
                            />
                        }
                    })
                    .collect_view();
                view! {
                    <ActionForm action=save attr:class="waves-form">
                        <input type="hidden" name="route" value=hidden />
                        <span class="label">{move || i18n.t(SupplyMsg::Departure)}</span>
                        {inputs}
                        <button type="submit" disabled=move || save.pending().get()>{move || i18n.t(SupplyMsg::Save)}</button>
                    </ActionForm>
                }
                .into_any()
            } else {
                view! {
                    <p class="waves">
                        <span class="label">{move || i18n.t(SupplyMsg::Departure)}</span> " " {times.join(", ")}
                    </p>
                }
                .into_any()
            };
            view! {
                <article class="route" data-route=code data-waves=listed>
                    <h3>{title}</h3>
                    <p class="label">{move || i18n.t(SupplyMsg::RouteStores)}</p>
                    <ul class="route-stores">{stores}</ul>
                    {waves}
                </article>
            }
        })
        .collect_view()
}
