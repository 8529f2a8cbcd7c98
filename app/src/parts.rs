//! Parts at the bay: each work order's card lists the parts it holds (on the shelf, or
//! on their way and when), the technician picks what is on the shelf (reserved stock
//! becomes consumed, once, however many iPads press), and a part nobody planned for is
//! held on the spot or requested ([`domain::picking`] decides where from).
//!
//! - Server functions, for the staff of the order's store: [`pick_parts`],
//!   [`add_part`].
//! - Storage: [`PartsStorage`].
//! - Component: [`CardParts`], on each card of the board ([`crate::workorders`]).

use domain::picking::PartPlace;
use domain::{OrderId, PartId, Quantity};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{I18n, StaffMsg};
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// A part a work order holds, as its card shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPart {
    pub part: PartId,
    pub sku: String,
    pub name: Named,
    /// Litre, piece...
    pub unit: Named,
    pub quantity: Quantity,
    pub picked_milli: u32,
    pub place: PartPlace,
}

impl OrderPart {
    /// The domain's view of it.
    pub fn held(&self) -> domain::picking::HeldPart {
        domain::picking::HeldPart {
            part: self.part,
            quantity: self.quantity,
            picked_milli: self.picked_milli,
            place: self.place,
        }
    }
}

/// A part that fits the order's car, offered when one more is needed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartChoice {
    pub part: PartId,
    pub sku: String,
    pub name: Named,
    pub unit: Named,
}

/// What parts need from storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait PartsStorage: Send + Sync + 'static {
    /// Picks what the order holds on the shelf of `store`, its store, under the order's
    /// lock ([`domain::picking::to_pick`]): on-hand and reserved both go down, once.
    /// Returns what was picked.
    async fn pick(
        &self,
        store: domain::StoreId,
        order: OrderId,
    ) -> Result<Vec<(PartId, u32)>, StorageError>;

    /// Holds `quantity` more of `part` for the order, where
    /// [`domain::picking::extra_hold`] says, with the booking's guards.
    async fn add_part(
        &self,
        store: domain::StoreId,
        order: OrderId,
        part: PartId,
        quantity: Quantity,
    ) -> Result<OrderPart, StorageError>;
}

/// The technician picks every part the work order holds on the store's shelf.
#[server(prefix = "/api", endpoint = "pick_parts", output = crate::codec::JsonText)]
pub async fn pick_parts(order_id: String) -> Result<u32, AppError> {
    crate::account::session::require_same_origin()?;
    let (by, store) = crate::workorders::store_staff().await?;
    let order = OrderId::parse(&order_id)?;
    let picked = use_storage::<dyn PartsStorage>()?
        .pick(store, order)
        .await?;
    tracing::info!(%order, %store, %by, lines = picked.len(), "parts picked");
    Ok(u32::try_from(picked.len()).unwrap_or(u32::MAX))
}

/// Holds one more part for a work order of the caller's store: on the shelf when it has
/// it, else requested from a shipment on its way or another location.
#[server(prefix = "/api", endpoint = "add_part", output = crate::codec::JsonText)]
pub async fn add_part(
    order_id: String,
    part_id: String,
    quantity: String,
) -> Result<OrderPart, AppError> {
    crate::account::session::require_same_origin()?;
    let (by, store) = crate::workorders::store_staff().await?;
    let order = OrderId::parse(&order_id)?;
    let part = PartId::parse(&part_id)?;
    let quantity = Quantity::parse(&quantity)?;
    let added = use_storage::<dyn PartsStorage>()?
        .add_part(store, order, part, quantity)
        .await?;
    tracing::info!(%order, %store, %by, %part, quantity = %quantity, "part added");
    Ok(added)
}

/// The parts on a board card: each with how much is held and picked and where it is; a
/// pick button while something waits on the shelf; a form for one more part.
pub fn card_parts(
    i18n: I18n,
    order: OrderId,
    parts: Vec<OrderPart>,
    choices: Vec<PartChoice>,
    working: bool,
    pick: ServerAction<PickParts>,
    add: ServerAction<AddPart>,
) -> impl IntoView {
    let held: Vec<_> = parts.iter().map(OrderPart::held).collect();
    let pickable = working && domain::picking::to_pick(&held).is_ok();
    let lines = parts
        .into_iter()
        .map(|p| {
            let (name, unit) = (p.name.clone(), p.unit.clone());
            let quantity = p.quantity.to_string();
            let picked = p.picked_milli;
            let done = p.held().left_milli() == 0;
            let state = match p.place {
                _ if done => StaffMsg::PartPicked,
                PartPlace::Shelf if picked > 0 => StaffMsg::PartPartlyPicked,
                PartPlace::Shelf => StaffMsg::PartOnShelf,
                PartPlace::Arriving { .. } => StaffMsg::PartArriving,
            };
            let eta = match p.place {
                PartPlace::Arriving { eta } if !done => Some(crate::pricing::format_local(eta)),
                _ => None,
            };
            let code = match p.place {
                _ if done => "picked",
                PartPlace::Shelf => "shelf",
                PartPlace::Arriving { .. } => "arriving",
            };
            view! {
                <li data-part=p.sku.clone() data-state=code>
                    <span class="name">{move || name.get(i18n.lang()).to_owned()}</span>
                    <span class="qty">{quantity} " " {move || unit.get(i18n.lang()).to_owned()}</span>
                    <span class="tag state">{move || i18n.t(state)} {eta.map(|t| format!(" · {t}"))}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card-parts">
            <h4>{move || i18n.t(StaffMsg::Parts)}</h4>
            <ul class="part-lines">{lines}</ul>
            {pickable.then(|| view! {
                <ActionForm action=pick attr:class="pick-form">
                    <input type="hidden" name="order_id" value=order.to_string() />
                    <button type="submit">{move || i18n.t(StaffMsg::PickParts)}</button>
                </ActionForm>
            })}
            {(working && !choices.is_empty()).then(|| view! {
                <details class="add-part">
                    <summary>{move || i18n.t(StaffMsg::AddPart)}</summary>
                    <ActionForm action=add attr:class="add-part-form">
                        <input type="hidden" name="order_id" value=order.to_string() />
                        <label>
                            <span>{move || i18n.t(StaffMsg::Part)}</span>
                            <select name="part_id" required>
                                {choices
                                    .into_iter()
                                    .map(|c| {
                                        let (name, unit) = (c.name.clone(), c.unit.clone());
                                        view! {
                                            <option value=c.part.to_string() data-sku=c.sku.clone()>
                                                {move || format!("{} ({})", name.get(i18n.lang()), unit.get(i18n.lang()))}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <label>
                            <span>{move || i18n.t(StaffMsg::PartQuantity)}</span>
                            <input type="text" name="quantity" inputmode="decimal" required value="1" autocomplete="off" />
                        </label>
                        <button type="submit">{move || i18n.t(StaffMsg::HoldPart)}</button>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}
