//! Parts ordered online for "any store" (rule 5): the customer picks parts that fit
//! their car at the published prices, says whether they collect them or want them
//! delivered and when, and the order is routed like a service order
//! ([`super::place_parts_order`] goes through [`super::RoutingStorage::place`]). The
//! store that accepts holds the parts; its counter hands them over once all are on the
//! shelf, and is credited with the order.
//!
//! - Server functions. The customer's: [`parts_menu`], [`place_parts_order`]. The
//!   store's counter: [`parts_to_hand_over`], [`hand_over_parts`].
//! - Storage: [`PartsOrderStorage`].
//! - Component: [`PartsOrderPage`] (`/book/parts?vehicle=…`).

use domain::parts_order::Handover;
use domain::{PartId, Quantity};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::{Deserialize, Serialize};

use super::{PartOffer, Placed, RoutedOrder, RoutedRequest, ToHandOver, Wanted};
use crate::error::AppError;
use crate::i18n::{use_i18n, I18n, Msg, OrderMsg};
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// What parts orders need from storage besides routing.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait PartsOrderStorage: Send + Sync + 'static {
    /// The parts that fit the customer's car and are on sale, each at its published
    /// price, by category; [`StorageError::NotFound`] unless the car is in their garage.
    async fn parts_menu(
        &self,
        customer: domain::CustomerId,
        vehicle: domain::VehicleId,
    ) -> Result<Vec<PartOffer>, StorageError>;

    /// The parts orders `store` accepted and has yet to hand over, soonest window first,
    /// each with where its parts are.
    async fn to_hand_over(&self, store: StoreId) -> Result<Vec<ToHandOver>, StorageError>;

    /// `store` hands an accepted parts order over (collected, or delivered): under the
    /// order's lock, [`domain::parts_order::to_hand_over`] decides what leaves the
    /// shelf, on-hand and reserved going down together, once however many devices
    /// press; the order is handed over and credited to the store.
    async fn hand_over(
        &self,
        store: StoreId,
        by: domain::StaffId,
        id: domain::RoutedOrderId,
        now: time::OffsetDateTime,
    ) -> Result<RoutedOrder, StorageError>;
}

#[cfg(feature = "ssr")]
use domain::StoreId;

/// The order form as it is posted (`form[vehicle_id]`, ...): more fields than a
/// server function takes one by one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartsOrderForm {
    pub vehicle_id: String,
    /// `part-id:quantity` pairs, comma-separated; a quantity of 0 is no line.
    pub lines: String,
    pub date: String,
    pub day_part: String,
    /// `collect` or `deliver`.
    pub handover: String,
    pub address: String,
    /// The customer's location as `lat,lng`, when they shared it.
    pub near: String,
    pub expected_total: String,
    pub idempotency_key: String,
}

/// The lines of the form: `part-id:quantity`, comma-separated, in whole or decimal
/// units; a quantity of 0 (a stepper left at zero) is no line.
pub fn parse_lines(lines: &str) -> Result<Vec<(PartId, Quantity)>, AppError> {
    let mut out = Vec::new();
    for item in lines.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (part, quantity) = item.split_once(':').ok_or(domain::Error::QuantityInvalid)?;
        if quantity.trim() == "0" {
            continue;
        }
        out.push((PartId::parse(part)?, Quantity::parse(quantity)?));
    }
    Ok(out)
}

/// Parses the form into a request.
pub fn parse_form(
    form: &PartsOrderForm,
    limits: &domain::BookingLimits,
    now: time::OffsetDateTime,
) -> Result<RoutedRequest, AppError> {
    let lines = parse_lines(&form.lines)?;
    if lines.is_empty() {
        return Err(domain::Error::BasketEmpty.into());
    }
    let wanted = Wanted::Parts {
        lines,
        handover: Handover::parse(&form.handover, &form.address)?,
    };
    let request = super::parse_request(
        &form.vehicle_id,
        wanted,
        &form.date,
        &form.day_part,
        Some(form.near.as_str()),
        &form.expected_total,
        &form.idempotency_key,
        limits,
        now,
    )?;
    Ok(request)
}

/// The parts that fit the customer's car, at their prices.
#[server(prefix = "/api", endpoint = "parts_menu", output = crate::codec::JsonText)]
pub async fn parts_menu(vehicle_id: String) -> Result<Vec<PartOffer>, AppError> {
    let customer = crate::account::session::require_customer().await?;
    let vehicle = domain::VehicleId::parse(&vehicle_id)?;
    Ok(use_storage::<dyn PartsOrderStorage>()?
        .parts_menu(customer, vehicle)
        .await?)
}

/// The customer orders parts for any store, to collect or have delivered in a window.
#[server(prefix = "/api", endpoint = "place_parts_order", output = crate::codec::JsonText)]
pub async fn place_parts_order(form: PartsOrderForm) -> Result<Placed, AppError> {
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let limits = crate::booking::serve::limits();
    let now = crate::clock::now();
    let request = parse_form(&form, &limits, now)?;
    let order = use_storage::<dyn super::RoutingStorage>()?
        .place(customer, &request, &limits, now)
        .await?;
    tracing::info!(%customer, reference = %order.reference, status = order.status.code(), "parts order placed");
    Ok(Placed {
        id: order.id,
        reference: order.reference,
    })
}

/// The parts orders the caller's store has to hand over (its counter).
#[server(prefix = "/api", endpoint = "parts_to_hand_over", output = crate::codec::JsonText)]
pub async fn parts_to_hand_over() -> Result<Vec<ToHandOver>, AppError> {
    let at = crate::reception::counter().await?;
    Ok(use_storage::<dyn PartsOrderStorage>()?
        .to_hand_over(at.store)
        .await?)
}

/// The caller's store hands a parts order over: collected at the counter, or delivered.
#[server(prefix = "/api", endpoint = "hand_over_parts", output = crate::codec::JsonText)]
pub async fn hand_over_parts(id: String) -> Result<RoutedOrder, AppError> {
    crate::account::session::require_same_origin()?;
    let at = crate::reception::counter().await?;
    let id = domain::RoutedOrderId::parse(&id)?;
    let order = use_storage::<dyn PartsOrderStorage>()?
        .hand_over(at.store, at.staff, id, crate::clock::now())
        .await?;
    tracing::info!(store = %at.store, by = %at.staff, reference = %order.reference, "parts order handed over");
    Ok(order)
}

/// The most of one part the form's stepper goes to (the domain's limit, in units).
const STEPPER_MAX: u32 = domain::parts_order::MAX_LINE_MILLI / 1000;

/// `/book/parts?vehicle=…`: the parts that fit the car at their published prices, a
/// quantity each, collection or delivery, a day and a part of it; sent to the store the
/// customer used last or the nearest that can serve it.
#[component]
pub fn PartsOrderPage() -> impl IntoView {
    let query = use_query_map();
    let me = crate::account::use_me_context();
    let live = crate::live::use_live();
    let vehicle = Memo::new(move |_| query.with(|q| q.get("vehicle").unwrap_or_default()));
    let menu = Resource::new(
        move || (vehicle.get(), live.prices.get(), me.session()),
        |(vehicle, ..)| parts_menu(vehicle),
    );
    let place = ServerAction::<PlacePartsOrder>::new();
    let key = StoredValue::new(uuid::Uuid::now_v7().to_string());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(placed)) = place.value().get() {
            navigate(&format!("/requests/{}", placed.id), Default::default());
        }
    });
    let i18n = use_i18n();
    view! {
        <crate::garage::CustomerGate next="/book">
            <section class="parts-order">
                <h1>{move || i18n.t(OrderMsg::PartsTitle)}</h1>
                <p class="hint">{move || i18n.t(OrderMsg::PartsHint)}</p>
                <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                    {move || Suspend::new(async move {
                        match menu.await {
                            Ok(offers) if offers.is_empty() => view! {
                                <p class="empty">{move || i18n.t(OrderMsg::NoPartsForCar)}</p>
                            }.into_any(),
                            Ok(offers) => parts_form(i18n, vehicle.get_untracked(), offers, key.get_value(), place).into_any(),
                            Err(e) => crate::error::error_view(e).into_any(),
                        }
                    })}
                </Transition>
                {move || place.value().get().and_then(Result::err).map(crate::error::error_view)}
            </section>
        </crate::garage::CustomerGate>
    }
}

/// The form, built once the menu is read. A plain function given `i18n`.
fn parts_form(
    i18n: I18n,
    vehicle: String,
    offers: Vec<PartOffer>,
    key: String,
    place: ServerAction<PlacePartsOrder>,
) -> impl IntoView {
    let quantities: Vec<(PartOffer, RwSignal<u32>)> =
        offers.into_iter().map(|o| (o, RwSignal::new(0))).collect();
    let chosen = StoredValue::new(
        quantities
            .iter()
            .map(|(o, q)| (o.part, o.price, *q))
            .collect::<Vec<_>>(),
    );
    let lines = move || {
        chosen.with_value(|c| {
            c.iter()
                .filter(|(_, _, q)| q.get() > 0)
                .map(|(p, _, q)| format!("{p}:{}", q.get()))
                .collect::<Vec<_>>()
                .join(",")
        })
    };
    let total = move || {
        chosen.with_value(|c| {
            domain::Money::sum(c.iter().map(|(_, price, q)| {
                domain::Money::from_fen(price.fen().saturating_mul(i64::from(q.get())))
            }))
            .unwrap_or(domain::Money::ZERO)
        })
    };
    let deliver = RwSignal::new(false);
    let location = RwSignal::new(None::<(String, String)>);
    let rows = quantities
        .into_iter()
        .map(|(offer, q)| {
            let name = offer.name.clone();
            let category = offer.category.clone();
            let unit = offer.unit.clone();
            let label_id = format!("part-{}", offer.sku);
            let label_for = label_id.clone();
            view! {
                <li class="part-offer" data-sku=offer.sku.clone()>
                    <label for=label_for>
                        <span class="category">{move || category.get(i18n.lang()).to_owned()}</span>
                        <strong>{move || name.get(i18n.lang()).to_owned()}</strong>
                        <span class="price">{offer.price.to_string()} " / " {move || unit.get(i18n.lang()).to_owned()}</span>
                    </label>
                    <input id=label_id type="number" class="qty" min="0" max=STEPPER_MAX.to_string() step="1" inputmode="numeric"
                        prop:value=move || q.get().to_string()
                        on:input=move |ev| q.set(event_target_value(&ev).trim().parse::<u32>().unwrap_or(0).min(STEPPER_MAX)) />
                </li>
            }
        })
        .collect_view();
    view! {
        <ActionForm action=place attr:class="parts-form">
            <input type="hidden" name="form[vehicle_id]" value=vehicle />
            <input type="hidden" name="form[idempotency_key]" value=key />
            <input type="hidden" name="form[lines]" prop:value=lines />
            <input type="hidden" name="form[expected_total]" prop:value=move || total().fen().to_string() />
            <input type="hidden" name="form[near]" prop:value=move || location.get().map(|(lat, lng)| format!("{lat},{lng}")).unwrap_or_default() />
            <ul class="part-offers">{rows}</ul>
            <fieldset class="handover">
                <legend>{move || i18n.t(OrderMsg::HowYouGetThem)}</legend>
                <label class="choice">
                    <input type="radio" name="form[handover]" value="collect" checked=true on:change=move |_| deliver.set(false) />
                    <span>{move || i18n.t(OrderMsg::Collect)}</span>
                </label>
                <label class="choice">
                    <input type="radio" name="form[handover]" value="deliver" on:change=move |_| deliver.set(true) />
                    <span>{move || i18n.t(OrderMsg::Deliver)}</span>
                </label>
            </fieldset>
            <label class="address" hidden=move || !deliver.get()>
                <span>{move || i18n.t(OrderMsg::DeliveryAddress)}</span>
                <input type="text" name="form[address]" maxlength="200" autocomplete="street-address" />
            </label>
            {super::customer::window_fields(i18n, "form[date]", "form[day_part]")}
            {super::customer::location_line(i18n, location)}
            <button type="submit" class="send-parts" disabled=move || place.pending().get() || total().fen() == 0>
                {move || i18n.t(OrderMsg::SendToStores)} " " {move || total().to_string()}
            </button>
        </ActionForm>
    }
}
