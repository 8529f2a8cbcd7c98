//! HQ's network stock (`/hq/stock`): every location × part with on hand, reserved,
//! available, in transit (and when it arrives), use per day, days of cover, safety
//! stock (editable by HQ supply, with a suggested value and its formula) and status;
//! filters by category, location and status; alerts above. It refetches when stock or
//! a transfer moves anywhere.

use domain::supply::{SafetySuggestion, StockStatus};
use domain::StoreId;
use leptos::prelude::*;

use super::{get_forecast, get_network, units, Alert, ForecastView, NetworkView, SetSafetyStock};
use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, I18n, Msg, SupplyMsg};
use crate::pricing::format_local;

/// Builds the matrix from what storage read: each row's rate, cover, status and
/// suggestion are [`domain::supply`]'s.
#[cfg(feature = "ssr")]
pub fn view(
    read: super::Positions,
    names: super::Names,
    now: time::OffsetDateTime,
    policy: &domain::supply::Policy,
    (category, location, status): (
        Option<domain::PartCategoryId>,
        Option<StoreId>,
        Option<StockStatus>,
    ),
    may_edit: bool,
) -> NetworkView {
    use domain::supply::{days_of_cover, status as status_of, suggest_safety, Pattern};
    let mut rows = Vec::new();
    let (mut waiting_for_parts, mut below) = (Vec::new(), Vec::new());
    let mut matched = 0u32;
    let lead_of = |site: StoreId, part: domain::PartId| -> u16 {
        let warehouse = read.sites.iter().any(|s| s.id == site && s.is_warehouse);
        if warehouse {
            read.sourcing
                .iter()
                .find(|s| s.part == part)
                .map_or(policy.store_cover_days, |s| {
                    s.lead_days + policy.review_days
                })
        } else {
            policy.store_cover_days
        }
    };
    for p in &read.positions {
        let pattern = Pattern::of(&p.history);
        let per_day = pattern.per_day_milli();
        let state = status_of(p.level, p.safety_milli, per_day, policy);
        let waiting = read
            .waiting
            .get(&(p.location, p.part))
            .copied()
            .unwrap_or(0);
        match state {
            StockStatus::Out if waiting > 0 => waiting_for_parts.push(Alert::OutWithBookings {
                location: p.location,
                part: p.part,
                waiting,
            }),
            StockStatus::Out | StockStatus::BelowSafety if p.safety_milli > 0 => {
                below.push(Alert::BelowSafety {
                    location: p.location,
                    part: p.part,
                })
            }
            _ => {}
        }
        let in_category = category.is_none_or(|c| {
            names
                .parts
                .get(&p.part)
                .is_some_and(|info| info.category == c)
        });
        if !in_category
            || location.is_some_and(|l| l != p.location)
            || status.is_some_and(|s| s != state)
        {
            continue;
        }
        matched += 1;
        if rows.len() >= super::ROWS_SHOWN {
            continue;
        }
        rows.push(super::NetworkRow {
            location: p.location,
            part: p.part,
            level: p.level,
            in_transit_milli: p.in_transit_milli,
            next_eta: read.next_eta.get(&(p.location, p.part)).copied(),
            per_day_milli: per_day,
            cover_days: days_of_cover(p.level.available_milli(), per_day),
            safety_milli: p.safety_milli,
            suggestion: suggest_safety(&p.history, lead_of(p.location, p.part)),
            status: state,
        });
    }
    // Out with bookings waiting first, then late shipments, then below safety stock.
    let mut alerts = waiting_for_parts;
    alerts.extend(
        read.late
            .into_iter()
            .filter(|l| l.eta < now)
            .map(Alert::Late),
    );
    alerts.extend(below);
    NetworkView {
        rows,
        matched,
        names,
        alerts,
        may_edit,
    }
}

/// Alerts listed at most (in a scrolling box).
const ALERTS_SHOWN: usize = 100;

/// The page's filters and data, made outside the staff gate.
#[derive(Clone, Copy)]
pub struct HqNetworkState {
    category: RwSignal<String>,
    location: RwSignal<String>,
    status: RwSignal<String>,
    save: ServerAction<SetSafetyStock>,
    network: Resource<Result<NetworkView, AppError>>,
    forecast: Resource<Result<Option<ForecastView>, AppError>>,
}

impl HqNetworkState {
    pub fn new() -> HqNetworkState {
        let me = crate::account::use_me_context();
        let live = crate::live::use_live();
        let category = RwSignal::new(String::new());
        let location = RwSignal::new(String::new());
        let status = RwSignal::new(String::new());
        let save = ServerAction::<SetSafetyStock>::new();
        let network = Resource::new(
            move || {
                (
                    me.session(),
                    category.get(),
                    location.get(),
                    status.get(),
                    save.version().get(),
                    live.availability.get(),
                    live.transfers.get(),
                )
            },
            |(_, c, l, s, ..)| get_network(c, l, s),
        );
        // `?location=…&part=…` opens that position's forecast.
        let query = leptos_router::hooks::use_query_map();
        let forecast = Resource::new(
            move || {
                let q = query.get();
                (
                    me.session(),
                    q.get("location").unwrap_or_default(),
                    q.get("part").unwrap_or_default(),
                    live.availability.get(),
                    live.transfers.get(),
                )
            },
            |(_, location, part, ..)| async move {
                if location.is_empty() || part.is_empty() {
                    Ok(None)
                } else {
                    get_forecast(location, part).await.map(Some)
                }
            },
        );
        HqNetworkState {
            category,
            location,
            status,
            save,
            network,
            forecast,
        }
    }
}

impl Default for HqNetworkState {
    fn default() -> Self {
        HqNetworkState::new()
    }
}

fn status_label(s: StockStatus) -> SupplyMsg {
    match s {
        StockStatus::Out => SupplyMsg::StatusOut,
        StockStatus::BelowSafety => SupplyMsg::StatusBelow,
        StockStatus::Healthy => SupplyMsg::StatusHealthy,
        StockStatus::Surplus => SupplyMsg::StatusSurplus,
    }
}

/// `1.65 × σ 0.8 × √2 = 2`: the suggestion's formula with its figures.
pub fn formula(s: &SafetySuggestion) -> String {
    format!(
        "{} × σ {:.2} × √{} → {}",
        s.z,
        s.sigma_milli / 1000.0,
        s.lead_days,
        units(s.suggested_milli)
    )
}

#[component]
pub fn HqNetwork(state: HqNetworkState) -> impl IntoView {
    let i18n = use_i18n();
    let HqNetworkState {
        category,
        location,
        status,
        save,
        network,
        forecast,
    } = state;
    view! {
        <section class="supply-network">
            <h1>{move || i18n.t(SupplyMsg::NetworkTitle)}</h1>
            <p class="hint">{move || i18n.t(SupplyMsg::NetworkHint)}</p>
            {move || save.value().get().and_then(Result::err).map(error_view)}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match forecast.await {
                        Ok(Some(f)) => forecast_view(i18n, f).into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match network.await {
                        Ok(n) => network_view(i18n, n, (category, location, status), save).into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn network_view(
    i18n: I18n,
    n: NetworkView,
    (category, location, status): (RwSignal<String>, RwSignal<String>, RwSignal<String>),
    save: ServerAction<SetSafetyStock>,
) -> impl IntoView {
    let names = n.names.clone();
    let site_name = {
        let names = names.clone();
        move |id: StoreId| {
            names
                .sites
                .get(&id)
                .map(|s| (s.code.clone(), s.name.clone()))
                .unwrap_or_default()
        }
    };
    let part_name = {
        let names = names.clone();
        move |id: domain::PartId| names.parts.get(&id).cloned()
    };
    let alerts = n
        .alerts
        .iter()
        .take(ALERTS_SHOWN)
        .map(|a| {
            let (at, of) = match a {
                Alert::OutWithBookings { location, part, .. } | Alert::BelowSafety { location, part } => (*location, *part),
                Alert::Late(l) => (l.to, l.part),
            };
            let at_code = site_name(at).0;
            let of_sku = part_name(of).map(|p| p.sku).unwrap_or_default();
            let (kind, text): (&'static str, Signal<String>) = match a.clone() {
                Alert::OutWithBookings {
                    location,
                    part,
                    waiting,
                } => {
                    let (code, _) = site_name(location);
                    let p = part_name(part);
                    (
                        "out-waiting",
                        Signal::derive(move || {
                            format!(
                                "{code} · {} {}: {} {waiting}",
                                p.as_ref().map(|p| p.sku.as_str()).unwrap_or(""),
                                p.as_ref()
                                    .map(|p| p.name.get(i18n.lang()).to_owned())
                                    .unwrap_or_default(),
                                i18n.t(SupplyMsg::AlertOutWaiting),
                            )
                        }),
                    )
                }
                Alert::BelowSafety { location, part } => {
                    let (code, _) = site_name(location);
                    let p = part_name(part);
                    (
                        "below-safety",
                        Signal::derive(move || {
                            format!(
                                "{code} · {} {}: {}",
                                p.as_ref().map(|p| p.sku.as_str()).unwrap_or(""),
                                p.as_ref()
                                    .map(|p| p.name.get(i18n.lang()).to_owned())
                                    .unwrap_or_default(),
                                i18n.t(SupplyMsg::AlertBelowSafety),
                            )
                        }),
                    )
                }
                Alert::Late(l) => {
                    let (code, _) = site_name(l.to);
                    let p = part_name(l.part);
                    (
                        "late",
                        Signal::derive(move || {
                            format!(
                                "{code} · {} {}: {} {}",
                                p.as_ref().map(|p| p.sku.as_str()).unwrap_or(""),
                                units(l.quantity_milli),
                                i18n.t(SupplyMsg::AlertLate),
                                format_local(l.eta),
                            )
                        }),
                    )
                }
            };
            view! { <li class=format!("alert {kind}") data-location=at_code data-sku=of_sku>{text}</li> }
        })
        .collect_view();
    let more_alerts = n.alerts.len().saturating_sub(ALERTS_SHOWN);
    let no_alerts = n.alerts.is_empty();
    let category_options = names
        .categories
        .iter()
        .map(|(id, name)| {
            let (id, name) = (id.to_string(), name.clone());
            let value = id.clone();
            view! {
                <option value=id selected=move || category.get() == value>
                    {move || name.get(i18n.lang()).to_owned()}
                </option>
            }
        })
        .collect_view();
    let location_options = names
        .sites
        .iter()
        .map(|(id, site)| {
            let id = id.to_string();
            let value = id.clone();
            let label = site.code.clone();
            let name = site.name.clone();
            view! {
                <option value=id selected=move || location.get() == value>
                    {label} " " {move || name.get(i18n.lang()).to_owned()}
                </option>
            }
        })
        .collect_view();
    let status_options = StockStatus::ALL
        .into_iter()
        .map(|s| {
            view! {
                <option value=s.code() selected=move || status.get() == s.code()>
                    {move || i18n.t(status_label(s))}
                </option>
            }
        })
        .collect_view();
    let may_edit = n.may_edit;
    let rows = n
        .rows
        .into_iter()
        .map(|r| {
            let (code, site) = site_name(r.location);
            let part = part_name(r.part);
            let (sku, pname, unit) = part
                .map(|p| (p.sku, p.name, p.unit))
                .unwrap_or_default();
            let eta = r.next_eta;
            let cover = r.cover_days.map_or_else(|| "∞".to_owned(), |d| d.to_string());
            let formula = formula(&r.suggestion);
            let suggested = units(r.suggestion.suggested_milli);
            let safety = units(r.safety_milli);
            let (loc_id, part_id) = (r.location.to_string(), r.part.to_string());
            let label_part = pname.clone();
            let label_code = code.clone();
            view! {
                <tr class=format!("status-{}", r.status.code()) data-location=code.clone() data-sku=sku.clone()>
                    <th scope="row">
                        <span class="code">{code.clone()}</span>
                        " "
                        <span class="site-name">{move || site.get(i18n.lang()).to_owned()}</span>
                    </th>
                    <td>
                        <span class="sku">{sku.clone()}</span>
                        " "
                        <span class="part-name">{move || pname.get(i18n.lang()).to_owned()}</span>
                        " "
                        <span class="unit">"(" {move || unit.get(i18n.lang()).to_owned()} ")"</span>
                        " "
                        <a class="forecast-link" href=format!("/hq/stock?location={loc_id}&part={part_id}")>
                            {move || i18n.t(SupplyMsg::Forecast)}
                        </a>
                    </td>
                    <td class="num on-hand">{units(r.level.on_hand_milli())}</td>
                    <td class="num reserved">{units(r.level.reserved_milli())}</td>
                    <td class="num available">{units(r.level.available_milli())}</td>
                    <td class="num in-transit">
                        {units(r.in_transit_milli)}
                        {eta.map(|eta| view! { <small class="eta">" " {move || format_local(eta)}</small> })}
                    </td>
                    <td class="num per-day">{units(r.per_day_milli)}</td>
                    <td class="num cover">{cover}</td>
                    <td class="num safety">
                        {if may_edit {
                            view! {
                                <ActionForm action=save attr:class="safety-form">
                                    <input type="hidden" name="location_id" value=loc_id.clone() />
                                    <input type="hidden" name="part_id" value=part_id.clone() />
                                    <input
                                        name="safety"
                                        value=safety.clone()
                                        inputmode="decimal"
                                        size="5"
                                        aria-label=move || format!("{} {label_code} {}", i18n.t(SupplyMsg::ColSafety), label_part.get(i18n.lang()))
                                    />
                                    <button type="submit">{move || i18n.t(SupplyMsg::Save)}</button>
                                </ActionForm>
                            }.into_any()
                        } else {
                            view! { <span>{safety.clone()}</span> }.into_any()
                        }}
                    </td>
                    <td class="num suggested" title=formula.clone()>
                        {suggested}
                        <small class="formula">{formula.clone()}</small>
                    </td>
                    <td class="status">{move || i18n.t(status_label(r.status))}</td>
                </tr>
            }
        })
        .collect_view();
    let shown = n.matched.min(super::ROWS_SHOWN as u32);
    let matched = n.matched;
    view! {
        <section class="alerts" aria-live="polite">
            <h2>{move || i18n.t(SupplyMsg::Alerts)}</h2>
            {if no_alerts {
                view! { <p class="empty">{move || i18n.t(SupplyMsg::NoAlerts)}</p> }.into_any()
            } else {
                view! {
                    <ul class="alert-list" tabindex="0" aria-label=move || i18n.t(SupplyMsg::Alerts)>{alerts}</ul>
                    {(more_alerts > 0).then(|| view! { <p class="more">"+" {more_alerts}</p> })}
                }.into_any()
            }}
        </section>
        <form class="filters" on:submit=|ev| ev.prevent_default()>
            <label>
                <span>{move || i18n.t(SupplyMsg::FilterCategory)}</span>
                <select name="category" on:change=move |ev| category.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t(SupplyMsg::All)}</option>
                    {category_options}
                </select>
            </label>
            <label>
                <span>{move || i18n.t(SupplyMsg::FilterLocation)}</span>
                <select name="location" on:change=move |ev| location.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t(SupplyMsg::All)}</option>
                    {location_options}
                </select>
            </label>
            <label>
                <span>{move || i18n.t(SupplyMsg::FilterStatus)}</span>
                <select name="status" on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t(SupplyMsg::All)}</option>
                    {status_options}
                </select>
            </label>
        </form>
        <p class="matched">{move || format!("{} {shown} / {matched}", i18n.t(SupplyMsg::RowsShown))}</p>
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || i18n.t(SupplyMsg::NetworkTitle)>
            <table class="network-table">
                <caption>{move || i18n.t(SupplyMsg::NetworkTitle)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColLocation)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColPart)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColOnHand)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColReserved)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColAvailable)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColInTransit)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColPerDay)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColCover)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColSafety)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColSuggested)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColStatus)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="hint formula-hint">{move || i18n.t(SupplyMsg::FormulaHint)}</p>
    }
}

const WEEKDAYS: [SupplyMsg; 7] = [
    SupplyMsg::Mon,
    SupplyMsg::Tue,
    SupplyMsg::Wed,
    SupplyMsg::Thu,
    SupplyMsg::Fri,
    SupplyMsg::Sat,
    SupplyMsg::Sun,
];

/// A position's forecast: the weekday pattern, each coming day's parts, and the sum.
fn forecast_view(i18n: I18n, f: ForecastView) -> impl IntoView {
    let (code, site) = f
        .names
        .sites
        .get(&f.location)
        .map(|s| (s.code.clone(), s.name.clone()))
        .unwrap_or_default();
    let (sku, part) = f
        .names
        .parts
        .get(&f.part)
        .map(|p| (p.sku.clone(), p.name.clone()))
        .unwrap_or_default();
    let pattern = WEEKDAYS
        .iter()
        .zip(f.weekday_percent)
        .map(|(&day, percent)| {
            view! {
                <tr>
                    <th scope="row">{move || i18n.t(day)}</th>
                    <td class="num">{percent} "%"</td>
                </tr>
            }
        })
        .collect_view();
    let days = f
        .by_day
        .iter()
        .map(|d| {
            let weekday = WEEKDAYS[usize::from(d.day.weekday().number_days_from_monday())];
            let date = d.day.to_string();
            view! {
                <tr>
                    <th scope="row">{date} " " {move || i18n.t(weekday)}</th>
                    <td class="num">{units(d.reserved_milli)}</td>
                    <td class="num">{d.due_cars}</td>
                    <td class="num">{units(d.due_milli)}</td>
                    <td class="num">{units(d.recent_milli)}</td>
                </tr>
            }
        })
        .collect_view();
    let p = f.period;
    let level = units(f.level_milli);
    let history = units(f.history_total_milli);
    let history_days = f.history_days;
    view! {
        <section class="forecast" data-location=code.clone() data-sku=sku.clone()>
            <h2>
                {move || i18n.t(SupplyMsg::Forecast)} " · " <span class="code">{code.clone()}</span> " "
                {move || site.get(i18n.lang()).to_owned()} " · " <span class="sku">{sku.clone()}</span> " "
                {move || part.get(i18n.lang()).to_owned()}
            </h2>
            <p class="hint">{move || i18n.t(SupplyMsg::ForecastHint)}</p>
            <p class="level">
                {move || i18n.t(SupplyMsg::ColPerDay)} ": " <strong>{level.clone()}</strong>
                " · " {move || i18n.t(SupplyMsg::HistoryUsed)} " " {history_days} " " {move || i18n.t(SupplyMsg::Days)} ": " {history.clone()}
            </p>
            <div class="forecast-tables">
                <table class="weekday-pattern">
                    <caption>{move || i18n.t(SupplyMsg::WeekdayPattern)}</caption>
                    <tbody>{pattern}</tbody>
                </table>
                <table class="forecast-days">
                    <caption>{move || i18n.t(SupplyMsg::ComingDays)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t(SupplyMsg::ColDay)}</th>
                            <th scope="col">{move || i18n.t(SupplyMsg::ColBooked)}</th>
                            <th scope="col">{move || i18n.t(SupplyMsg::ColCarsDue)}</th>
                            <th scope="col">{move || i18n.t(SupplyMsg::ColDueDemand)}</th>
                            <th scope="col">{move || i18n.t(SupplyMsg::ColRecentUse)}</th>
                        </tr>
                    </thead>
                    <tbody>{days}</tbody>
                    <tfoot>
                        <tr class="sums">
                            <th scope="row">{move || i18n.t(SupplyMsg::TermTotal)}</th>
                            <td class="num reserved">{units(p.reserved_milli)}</td>
                            <td class="num">{p.due_cars}</td>
                            <td class="num due">{units(p.due_milli)}</td>
                            <td class="num recent">{units(p.recent_milli)}</td>
                        </tr>
                        <tr>
                            <th scope="row" colspan="4">{move || i18n.t(SupplyMsg::OtherIs)}</th>
                            <td class="num other">{units(p.other_milli)}</td>
                        </tr>
                        <tr class="total">
                            <th scope="row" colspan="4">{move || i18n.t(SupplyMsg::ForecastIs)}</th>
                            <td class="num total">{units(p.total_milli())}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}
