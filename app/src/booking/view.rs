//! The booking pages: `/book` (vehicle → service with its breakdown → store → slot →
//! confirm), `/bookings/:id` (the booking, with cancel), and the breakdown and model
//! quotes the kiosk shares.

use domain::breakdown::Breakdown;
use domain::stock::{Overall, Readiness};
use domain::{Money, OrderStatus, Quantity, ServiceId, StoreId};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use time::OffsetDateTime;

use super::*;
use crate::garage::{list_models, my_vehicles, status_label, CustomerGate};
use crate::i18n::{use_i18n, Lang, Msg};
use crate::live::use_live;
use crate::pricing::{category_label, format_local};

#[component]
fn ErrorLine(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="error" role="alert">{move || error.message(i18n.lang())}</p> }
}

fn pick(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// Quantities as a work order writes them: `4.5`, `1`.
fn qty(q: Quantity) -> String {
    q.to_string()
}

/// A breakdown: labour, parts, discounts, total. `names` gives part names by position.
#[component]
pub fn BreakdownView(breakdown: Breakdown, parts: Vec<PartNeed>) -> impl IntoView {
    let i18n = use_i18n();
    let Breakdown {
        labour,
        parts: part_lines,
        discounts,
        total,
        subtotal,
        ..
    } = breakdown;
    view! {
        <table class="breakdown">
            <tbody>
                <tr class="labour">
                    <td>{move || i18n.t(Msg::Labour)}</td>
                    <td></td>
                    <td class="num">{labour.total.to_string()}</td>
                </tr>
                {part_lines
                    .into_iter()
                    .enumerate()
                    .map(|(i, line)| {
                        let name = parts.get(i).cloned();
                        view! {
                            <tr class="part-line">
                                <td>
                                    {move || {
                                        name.as_ref()
                                            .map(|n| pick(i18n.lang(), &n.name_zh, &n.name_en))
                                            .unwrap_or_default()
                                    }}
                                </td>
                                <td class="qty">"× " {qty(line.quantity)}</td>
                                <td class="num">{line.total.to_string()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
                <tr class="subtotal">
                    <td>{move || i18n.t(Msg::Subtotal)}</td>
                    <td></td>
                    <td class="num">{subtotal.to_string()}</td>
                </tr>
                {discounts
                    .into_iter()
                    .map(|d| {
                        let off = Money::from_fen(-d.amount.fen());
                        view! {
                            <tr class="discount">
                                <td>{move || pick(i18n.lang(), &d.name_zh, &d.name_en)}</td>
                                <td></td>
                                <td class="num">{off.to_string()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
                <tr class="total-row">
                    <th>{move || i18n.t(Msg::Total)}</th>
                    <td></td>
                    <th class="num total">{total.to_string()}</th>
                </tr>
            </tbody>
        </table>
    }
}

/// The services that apply to the customer's car, one compact line each (name, time,
/// total) grouped by category, and the full breakdown of the one chosen. Services the
/// car cannot have (an oil change for an electric car) are not listed.
#[component]
pub(crate) fn ServiceChooser(
    view: QuotesView,
    choose: RwSignal<Option<ServiceId>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let applicable: Vec<(ServiceQuote, Breakdown)> = view
        .quotes
        .into_iter()
        .filter_map(|q| {
            let b = q.quote.clone().ok()?;
            Some((q, b))
        })
        .collect();
    if applicable.is_empty() {
        return view! { <p class="empty">{move || i18n.t(Msg::NoServicesForCar)}</p> }.into_any();
    }
    let mut categories: Vec<domain::ServiceCategory> =
        applicable.iter().map(|(q, _)| q.service.category).collect();
    categories.sort();
    categories.dedup();
    let chosen = StoredValue::new(applicable.clone());
    view! {
        <div class="service-chooser" data-version=view.price_list_version>
            {categories
                .into_iter()
                .map(|c| {
                    let rows: Vec<(ServiceQuote, Breakdown)> = applicable
                        .iter()
                        .filter(|(q, _)| q.service.category == c)
                        .cloned()
                        .collect();
                    view! {
                        <section class="quote-category">
                            <h3>{move || i18n.t(category_label(c))}</h3>
                            <ul class="service-rows">
                                {rows
                                    .into_iter()
                                    .map(|(q, b)| {
                                        let id = q.service.id;
                                        let info = q.service.clone();
                                        let is_chosen = move || choose.get() == Some(id);
                                        view! {
                                            <li class="service-row" data-service=q.service.code.clone() class:chosen=is_chosen>
                                                <button
                                                    type="button"
                                                    class="choose-service"
                                                    aria-pressed=move || if is_chosen() { "true" } else { "false" }
                                                    on:click=move |_| choose.set(Some(id))
                                                >
                                                    <span class="service-name">{move || crate::pricing::service_name(&info, i18n.lang()).to_owned()}</span>
                                                    <span class="duration">{q.service.duration_min} " " {move || i18n.t(Msg::Minutes)}</span>
                                                    <span class="total">{b.total.to_string()}</span>
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                })
                .collect_view()}
            {move || {
                let id = choose.get()?;
                chosen.with_value(|all| {
                    all.iter().find(|(q, _)| q.service.id == id).map(|(q, b)| {
                        let info = q.service.clone();
                        view! {
                            <div class="chosen-breakdown" data-service=q.service.code.clone()>
                                <h3>{move || crate::pricing::service_name(&info, i18n.lang()).to_owned()}</h3>
                                <BreakdownView breakdown=b.clone() parts=q.parts.clone() />
                            </div>
                        }
                    })
                })
            }}
        </div>
    }
    .into_any()
}

/// Every service's quote with its breakdown, grouped by category (the counter's view).
#[component]
fn QuoteList(view: QuotesView) -> impl IntoView {
    let i18n = use_i18n();
    let mut categories: Vec<domain::ServiceCategory> =
        view.quotes.iter().map(|q| q.service.category).collect();
    categories.dedup();
    categories.sort();
    categories.dedup();
    let quotes = view.quotes;
    view! {
        <div class="quotes" data-version=view.price_list_version>
            {categories
                .into_iter()
                .map(|c| {
                    let in_category: Vec<ServiceQuote> =
                        quotes.iter().filter(|q| q.service.category == c).cloned().collect();
                    view! {
                        <section class="quote-category">
                            <h3>{move || i18n.t(category_label(c))}</h3>
                            <ul class="quote-cards">
                                {in_category
                                    .into_iter()
                                    .map(|q| view! { <QuoteCard quote=q /> })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn QuoteCard(quote: ServiceQuote) -> impl IntoView {
    let i18n = use_i18n();
    let ServiceQuote {
        service,
        parts,
        quote,
    } = quote;
    let code = service.code.clone();
    let name = service.clone();
    view! {
        <li class="quote-card" data-service=code>
            <div class="service-head">
                <h4 class="service-name">{move || crate::pricing::service_name(&name, i18n.lang()).to_owned()}</h4>
                <span class="duration">{service.duration_min} " " {move || i18n.t(Msg::Minutes)}</span>
            </div>
            {match quote {
                Ok(b) => view! { <BreakdownView breakdown=b parts=parts /> }.into_any(),
                Err(e) => view! { <ErrorLine error=AppError::Invalid(e) /> }.into_any(),
            }}
        </li>
    }
}

fn overall_label(overall: Overall) -> Msg {
    match overall {
        Overall::Now => Msg::AvailNow,
        Overall::Arriving => Msg::AvailArriving,
        Overall::Transfer => Msg::AvailTransfer,
        Overall::Unobtainable => Msg::AvailNone,
    }
}

fn overall_code(overall: Overall) -> &'static str {
    match overall {
        Overall::Now => "now",
        Overall::Arriving => "arriving",
        Overall::Transfer => "transfer",
        Overall::Unobtainable => "none",
    }
}

fn distance(m: u32) -> String {
    format!("{:.1} km", f64::from(m) / 1000.0)
}

fn availability(readiness: &Readiness) -> (Overall, Option<OffsetDateTime>) {
    (readiness.overall(), readiness.ready_at)
}

/// `/book`: book a service for one of my vehicles.
#[component]
pub fn BookPage() -> impl IntoView {
    let state = BookerState::new();
    view! {
        <CustomerGate next="/book">
            <Booker state=state />
        </CustomerGate>
    }
}

/// The booking page's state: every resource and choice, made once by [`BookPage`]
/// outside the sign-in gate (see [`crate::garage::GaragePage`]).
#[derive(Clone, Copy)]
struct BookerState {
    vehicles: Resource<Result<Vec<crate::garage::Vehicle>, AppError>>,
    picked_vehicle: RwSignal<Option<String>>,
    vehicle: Signal<Option<String>>,
    service: RwSignal<Option<ServiceId>>,
    store: RwSignal<Option<StoreId>>,
    slot: RwSignal<Option<OffsetDateTime>>,
    location: RwSignal<Option<(String, String)>>,
    quotes: Resource<Result<Option<QuotesView>, AppError>>,
    options: Resource<Result<Option<Vec<StoreOptionView>>, AppError>>,
    slot_list: Resource<Result<Option<Vec<SlotView>>, AppError>>,
}

impl BookerState {
    fn new() -> BookerState {
        let live = use_live();
        let query = use_query_map();
        // Every resource of the page is made here, once, in the same order on the server and
        // in the browser (a resource made inside a suspended view can be made twice while the
        // server renders, and then the browser reads another resource's data).
        let me = crate::account::use_me_context();
        let vehicles = Resource::new(move || me.session(), |_| my_vehicles());
        // The vehicle the customer picked (or came with in the link); until they pick one,
        // their first. Never set while rendering: each fetcher resolves it from the vehicles
        // resource, so the server and the browser render the same page from the same data.
        let picked_vehicle = RwSignal::new(query.with_untracked(|q| q.get("vehicle")));
        let first_vehicle = move || {
            vehicles
                .get()
                .and_then(Result::ok)
                .and_then(|list| list.first().map(|v| v.id.to_string()))
        };
        let vehicle = Signal::derive(move || picked_vehicle.get().or_else(first_vehicle));
        let resolve = move |picked: Option<String>| async move {
            match picked {
                Some(v) => Some(v),
                None => vehicles
                    .await
                    .ok()
                    .and_then(|list| list.first().map(|v| v.id.to_string())),
            }
        };
        // A follow-up's "book it" link names the service as well.
        let service = RwSignal::new(
            query.with_untracked(|q| q.get("service").and_then(|s| ServiceId::parse(&s).ok())),
        );
        let store = RwSignal::new(None::<StoreId>);
        let slot = RwSignal::new(None::<OffsetDateTime>);
        // A new choice upstream clears the choices that depended on it (not the link's
        // own choice, on the first run).
        Effect::new(move |first: Option<()>| {
            picked_vehicle.track();
            if first.is_some() {
                service.set(None);
            }
        });
        Effect::new(move |_| {
            service.track();
            store.set(None);
        });
        Effect::new(move |_| {
            store.track();
            slot.set(None);
        });

        let quotes = Resource::new(
            move || {
                (
                    picked_vehicle.get(),
                    live.prices.get(),
                    live.policies.get(),
                    me.session(),
                )
            },
            move |(picked, _, _, _)| async move {
                match resolve(picked).await {
                    Some(v) => service_quotes(v).await.map(Some),
                    None => Ok(None),
                }
            },
        );
        // Distances are from the customer's location once they share it, else the city centre.
        let location = RwSignal::new(None::<(String, String)>);
        let options = Resource::new(
            move || {
                (
                    picked_vehicle.get(),
                    service.get(),
                    location.get(),
                    live.availability.get(),
                    me.session(),
                )
            },
            move |(picked, s, at, _, _)| async move {
                let (lat, lng) = at.unzip();
                let Some(s) = s else { return Ok(None) };
                match resolve(picked).await {
                    Some(v) => store_options(v, s.to_string(), lat, lng).await.map(Some),
                    None => Ok(None),
                }
            },
        );
        let slot_list = Resource::new(
            move || {
                (
                    picked_vehicle.get(),
                    service.get(),
                    store.get(),
                    live.availability.get(),
                    me.session(),
                )
            },
            move |(picked, s, st, _, _)| async move {
                let (Some(s), Some(st)) = (s, st) else {
                    return Ok(None);
                };
                match resolve(picked).await {
                    Some(v) => store_slots(v, s.to_string(), st.to_string())
                        .await
                        .map(Some),
                    None => Ok(None),
                }
            },
        );
        BookerState {
            vehicles,
            picked_vehicle,
            vehicle,
            service,
            store,
            slot,
            location,
            quotes,
            options,
            slot_list,
        }
    }
}

#[component]
fn Booker(state: BookerState) -> impl IntoView {
    let i18n = use_i18n();
    let BookerState {
        vehicles,
        picked_vehicle,
        vehicle,
        service,
        store,
        slot,
        location,
        quotes,
        options,
        slot_list,
    } = state;
    view! {
        <section class="booker">
            <h1>{move || i18n.t(Msg::BookService)}</h1>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match vehicles.await {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <p class="empty">
                                    {move || i18n.t(Msg::AddVehicleFirst)} " "
                                    <a href="/garage">{move || i18n.t(Msg::MyGarage)}</a>
                                </p>
                            }
                                .into_any()
                        }
                        Ok(list) => {
                            let current = picked_vehicle
                                .get_untracked()
                                .or_else(|| list.first().map(|v| v.id.to_string()));
                            view! {
                                <label class="vehicle-pick">
                                    <span>{move || i18n.t(Msg::YourVehicle)}</span>
                                    <select
                                        name="vehicle"
                                        on:change=move |ev| picked_vehicle.set(Some(event_target_value(&ev)))
                                    >
                                        {list
                                            .into_iter()
                                            .map(|v| {
                                                let id = v.id.to_string();
                                                let selected = current.as_deref() == Some(id.as_str());
                                                let label = format!("{} · ", v.plate);
                                                view! {
                                                    <option value=id selected=selected>
                                                        {label} {move || crate::garage::model_label(&v.model, i18n.lang())}
                                                    </option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                </label>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorLine error=e /> }.into_any(),
                    }
                })}
            </Transition>
            // Always in the page, hidden until a car is chosen: the car may be known on
            // the server and not yet at hydration (or the other way), and a `Show` would
            // then hydrate a different tree.
            <p class="parts-order-link" hidden=move || vehicle.get().is_none()>
                <a href=move || format!("/book/parts?vehicle={}", vehicle.get().unwrap_or_default())>
                    {move || i18n.t(Msg::PartsOrderLink)}
                </a>
            </p>

            <h2>{move || i18n.t(Msg::StepService)}</h2>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match quotes.await {
                            Ok(Some(view)) => view! { <ServiceChooser view=view choose=service /> }.into_any(),
                            Ok(None) => ().into_any(),
                            Err(e) => view! { <ErrorLine error=e /> }.into_any(),
                        }
                    })}
                </Transition>

                <Show when=move || service.get().is_some()>
                    <h2>{move || i18n.t(Msg::StepStore)}</h2>
                    <p class="distance-from">
                        {move || i18n.t(if location.get().is_some() { Msg::FromYourLocation } else { Msg::FromCityCentre })}
                        " "
                        <button type="button" class="use-location" on:click=move |_| locate(location)>
                            {move || i18n.t(Msg::UseMyLocation)}
                        </button>
                    </p>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match options.await {
                                Ok(Some(list)) => view! { <StorePicker options=list store=store /> }.into_any(),
                                Ok(None) => ().into_any(),
                                Err(e) => view! { <ErrorLine error=e /> }.into_any(),
                            }
                        })}
                    </Transition>
                    <p class="any-store-link">
                        <a href=move || format!(
                            "/book/any?vehicle={}&service={}",
                            vehicle.get().unwrap_or_default(),
                            service.get().map(|s| s.to_string()).unwrap_or_default(),
                        )>{move || i18n.t(Msg::AnyStoreLink)}</a>
                    </p>
                </Show>

                <Show when=move || store.get().is_some()>
                    <h2>{move || i18n.t(Msg::StepSlot)}</h2>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match slot_list.await {
                                Ok(Some(list)) if list.is_empty() => {
                                    view! { <p class="empty">{move || i18n.t(Msg::NoSlots)}</p> }.into_any()
                                }
                                Ok(Some(list)) => view! { <SlotPicker slots=list picked=slot /> }.into_any(),
                                Ok(None) => ().into_any(),
                                Err(e) => view! { <ErrorLine error=e /> }.into_any(),
                            }
                        })}
                    </Transition>
                </Show>

                <Show when=move || slot.get().is_some()>
                    <Confirm vehicle=vehicle service=service store=store picked=slot quotes=quotes />
                </Show>
        </section>
    }
}

/// Asks the browser where the customer is (they may say no; then nothing changes).
pub(crate) fn locate(location: RwSignal<Option<(String, String)>>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let Ok(geo) = window().navigator().geolocation() else {
            return;
        };
        let found = Closure::<dyn FnMut(web_sys::Position)>::new(move |pos: web_sys::Position| {
            let c = pos.coords();
            location.set(Some((c.latitude().to_string(), c.longitude().to_string())));
        });
        let _ = geo.get_current_position(found.as_ref().unchecked_ref());
        // The browser calls back once, later; the closure must outlive this call.
        found.forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = location;
}

#[component]
fn StorePicker(options: Vec<StoreOptionView>, store: RwSignal<Option<StoreId>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="store-options">
            {options
                .into_iter()
                .map(|o| {
                    let id = o.store;
                    let (overall, ready_at) = availability(&o.readiness);
                    let bookable = o.earliest_start.is_some();
                    let names = (o.name_zh.clone(), o.name_en.clone());
                    let address = (o.address_zh.clone(), o.address_en.clone());
                    let chosen = move || store.get() == Some(id);
                    view! {
                        <li class="store-option" data-store=o.code.clone() data-availability=overall_code(overall) class:chosen=chosen>
                            <div class="store-head">
                                <strong class="store-name">{move || pick(i18n.lang(), &names.0, &names.1)}</strong>
                                <span class="distance">{distance(o.distance_m)}</span>
                            </div>
                            <p class="address">{move || pick(i18n.lang(), &address.0, &address.1)}</p>
                            <p class="availability">
                                <span class="tag avail">{move || i18n.t(overall_label(overall))}</span>
                                {(overall != Overall::Now)
                                    .then_some(ready_at)
                                    .flatten()
                                    .map(|t| view! { <span class="eta">{move || i18n.t(Msg::ReadyAt)} " " {format_local(t)}</span> })}
                            </p>
                            <ul class="part-stock">
                                {o.stock_here
                                    .iter()
                                    .map(|p| {
                                        let n = (p.name_zh.clone(), p.name_en.clone());
                                        let available = Quantity::from_milli(u32::try_from(p.available_milli).unwrap_or(u32::MAX))
                                            .map(qty)
                                            .unwrap_or_else(|_| "0".into());
                                        view! {
                                            <li data-sku=p.sku.clone()>
                                                {move || pick(i18n.lang(), &n.0, &n.1)} ": "
                                                <span class="available">{available}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            <p class="earliest">
                                {match o.earliest_start {
                                    Some(t) => view! {
                                        {move || i18n.t(Msg::EarliestSlot)} " "
                                        <strong class="earliest-time">{format_local(t)}</strong>
                                        " · " <span class="free-units">{o.earliest_free_units}</span> " "
                                        {move || i18n.t(Msg::FreeBays)}
                                    }
                                        .into_any(),
                                    None => view! { {move || i18n.t(Msg::NoSlots)} }.into_any(),
                                }}
                            </p>
                            <button type="button" class="choose-store" disabled=!bookable on:click=move |_| store.set(Some(id))>
                                {move || i18n.t(Msg::ChooseStore)}
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
pub(crate) fn SlotPicker(
    slots: Vec<SlotView>,
    picked: RwSignal<Option<OffsetDateTime>>,
) -> impl IntoView {
    view! {
        <ul class="slots">
            {slots
                .into_iter()
                .take(48)
                .map(|s| {
                    let start = s.start;
                    let chosen = move || picked.get() == Some(start);
                    view! {
                        <li>
                            <button
                                type="button"
                                class="slot"
                                class:chosen=chosen
                                data-start=start.unix_timestamp()
                                on:click=move |_| picked.set(Some(start))
                            >
                                {format_local(start)}
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn Confirm(
    vehicle: Signal<Option<String>>,
    service: RwSignal<Option<ServiceId>>,
    store: RwSignal<Option<StoreId>>,
    picked: RwSignal<Option<OffsetDateTime>>,
    quotes: Resource<Result<Option<QuotesView>, AppError>>,
) -> impl IntoView {
    let slot = picked;
    let i18n = use_i18n();
    let confirm = ServerAction::<ConfirmBooking>::new();
    // One key per attempt: a retry of the same confirm (a double tap, a resend after a
    // dropped connection) is recognised; a new choice gets a new key.
    let key = RwSignal::new(uuid::Uuid::now_v7().to_string());
    Effect::new(move |_| {
        slot.track();
        key.set(uuid::Uuid::now_v7().to_string());
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(b)) = confirm.value().get() {
            navigate(&format!("/bookings/{}", b.id), Default::default());
        }
    });
    let chosen = move || {
        let id = service.get()?;
        quotes
            .get()
            .and_then(Result::ok)
            .flatten()?
            .quotes
            .into_iter()
            .find(|q| q.service.id == id)
    };
    view! {
        <section class="confirm">
            <h2>{move || i18n.t(Msg::StepConfirm)}</h2>
            {move || {
                chosen()
                    .and_then(|q| {
                        let total = q.quote.as_ref().ok()?.total;
                        let b = q.quote.clone().ok()?;
                        Some(view! {
                            <BreakdownView breakdown=b parts=q.parts.clone() />
                            <p class="when">
                                {move || i18n.t(Msg::SlotAt)} " "
                                {slot.get().map(format_local).unwrap_or_default()}
                            </p>
                            <ActionForm action=confirm attr:class="confirm-form">
                                <input type="hidden" name="vehicle_id" value=move || vehicle.get().unwrap_or_default() />
                                <input type="hidden" name="service_id" value=move || service.get().map(|s| s.to_string()).unwrap_or_default() />
                                <input type="hidden" name="store_id" value=move || store.get().map(|s| s.to_string()).unwrap_or_default() />
                                <input
                                    type="hidden"
                                    name="start"
                                    value=move || {
                                        slot.get()
                                            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
                                            .unwrap_or_default()
                                    }
                                />
                                <input type="hidden" name="expected_total" value=total.fen().to_string() />
                                <input type="hidden" name="idempotency_key" value=move || key.get() />
                                <button type="submit" class="confirm-booking" disabled=move || confirm.pending().get()>
                                    {move || i18n.t(Msg::ConfirmBooking)} " " {total.to_string()}
                                </button>
                            </ActionForm>
                        })
                    })
            }}
            {move || confirm.value().get().and_then(Result::err).map(|e| view! { <ErrorLine error=e /> })}
        </section>
    }
}

/// `/bookings/:id`: what was booked, and cancelling it.
/// Its resources are made outside the gate (see [`crate::garage::GaragePage`]).
#[component]
pub fn BookingPage() -> impl IntoView {
    let params = use_params_map();
    let cancel = ServerAction::<CancelBooking>::new();
    let me = crate::account::use_me_context();
    let live = use_live();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let booking = Resource::new(
        // The store moves the order (checked in, in a bay, ready): shown as it happens.
        move || {
            (
                id.get(),
                cancel.version().get(),
                me.session(),
                live.orders.get(),
            )
        },
        |(id, ..)| get_booking(id),
    );
    let findings = crate::findings::BookingFindingsState::new(id);
    view! {
        <CustomerGate next="/garage">
            <BookingDetail cancel=cancel booking=booking findings=findings />
        </CustomerGate>
    }
}

#[component]
fn BookingDetail(
    cancel: ServerAction<CancelBooking>,
    booking: Resource<Result<Booking, AppError>>,
    findings: crate::findings::BookingFindingsState,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="booking-page">
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match booking.await {
                        Ok(b) => {
                            let names = (b.store_zh.clone(), b.store_en.clone());
                            let service = (b.service_zh.clone(), b.service_en.clone());
                            let status = b.status;
                            let id = b.id.to_string();
                            view! {
                                <h1>{move || i18n.t(Msg::BookingConfirmed)}</h1>
                                <dl class="booking-facts" data-status=status.code()>
                                    <dt>{move || i18n.t(Msg::Reference)}</dt>
                                    <dd class="reference">{b.reference.clone()}</dd>
                                    <dt>{move || i18n.t(Msg::Store)}</dt>
                                    <dd class="store">{move || pick(i18n.lang(), &names.0, &names.1)}</dd>
                                    <dt>{move || i18n.t(Msg::Service)}</dt>
                                    <dd class="service">{move || pick(i18n.lang(), &service.0, &service.1)}</dd>
                                    <dt>{move || i18n.t(Msg::Plate)}</dt>
                                    <dd class="plate">{b.plate.clone()}</dd>
                                    <dt>{move || i18n.t(Msg::SlotAt)}</dt>
                                    <dd class="time">{format_local(b.start)} " – " {format_local(b.end)}</dd>
                                    <dt>{move || i18n.t(Msg::Status)}</dt>
                                    <dd class="status">{move || i18n.t(status_label(status))}</dd>
                                </dl>
                                <BreakdownView breakdown=b.breakdown.clone() parts=Vec::new() />
                                <crate::findings::BookingFindings state=findings />
                                {(status == OrderStatus::Booked)
                                    .then(|| {
                                        view! {
                                            <ActionForm action=cancel attr:class="cancel-form">
                                                <input type="hidden" name="order_id" value=id.clone() />
                                                <button type="submit" class="secondary cancel-booking">
                                                    {move || i18n.t(Msg::CancelBooking)}
                                                </button>
                                            </ActionForm>
                                        }
                                    })}
                                {move || cancel.value().get().and_then(Result::err).map(|e| view! { <ErrorLine error=e /> })}
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorLine error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The resources of [`ModelQuotes`], made by the page outside its sign-in gate.
#[derive(Clone, Copy)]
pub struct ModelQuotesState {
    models: Resource<Result<Vec<crate::garage::VehicleModel>, AppError>>,
    model: RwSignal<Option<String>>,
    quotes: Resource<Result<Option<QuotesView>, AppError>>,
}

impl ModelQuotesState {
    pub fn new() -> ModelQuotesState {
        let live = use_live();
        let models = Resource::new(|| (), |_| list_models());
        let model = RwSignal::new(None::<String>);
        let quotes = Resource::new(
            move || (model.get(), live.prices.get(), live.policies.get()),
            |(m, _, _)| async move {
                match m {
                    Some(m) if !m.is_empty() => model_quotes(m).await.map(Some),
                    _ => Ok(None),
                }
            },
        );
        ModelQuotesState {
            models,
            model,
            quotes,
        }
    }
}

impl Default for ModelQuotesState {
    fn default() -> Self {
        ModelQuotesState::new()
    }
}

/// The kiosk's quote for a model: the same breakdowns a customer sees (standard tier).
#[component]
pub fn ModelQuotes(state: ModelQuotesState) -> impl IntoView {
    let i18n = use_i18n();
    let ModelQuotesState {
        models,
        model,
        quotes,
    } = state;
    view! {
        <section class="model-quotes">
            <h2>{move || i18n.t(Msg::QuoteForModel)}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let models = models.await.unwrap_or_default();
                    view! {
                        <select
                            name="model"
                            aria-label=move || i18n.t(Msg::QuoteForModel)
                            on:change=move |ev| model.set(Some(event_target_value(&ev)))
                        >
                            <option value="">{move || i18n.t(Msg::ChooseModel)}</option>
                            {models
                                .into_iter()
                                .map(|m| {
                                    let id = m.id.to_string();
                                    let code = m.code.clone();
                                    view! { <option value=id data-code=code>{move || crate::garage::model_label(&m, i18n.lang())}</option> }
                                })
                                .collect_view()}
                        </select>
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match quotes.await {
                        Ok(Some(view)) => view! { <QuoteList view=view /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <ErrorLine error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
