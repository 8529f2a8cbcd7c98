//! What a work order comes to (rule 1): the booking at the prices it locked, the extra
//! work the customer approved at the prices offered, less any manual adjustment a store
//! manager approved at the counter with their PIN, each shown with its reason. The sum
//! is [`domain::bill::Bill::total`]; whether an adjustment may be made is
//! [`domain::bill::check_adjustment`]. Payment comes with a later issue: it will charge
//! [`BillView::total`] at handover.
//!
//! - Server function: [`adjust_price`] (reception of the order's store, on its paired
//!   iPad, approved by one of its managers).
//! - Types: [`BillView`] (on a board card and the customer's booking page).
//! - Components: [`BillLines`] and [`AdjustForm`] (on a board card).

use domain::{Money, OrderId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{use_i18n, StaffMsg};
use crate::reception::Named;
use crate::workorders::BoardStaff;

/// Extra work the customer approved, at the price offered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraLine {
    pub name: Named,
    pub price: Money,
}

/// A manual adjustment: the amount taken off, why, and the manager who approved it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentView {
    pub amount: Money,
    pub reason: String,
    pub approved_by: Named,
}

/// An order's final breakdown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillView {
    /// The booking, at its locked prices.
    pub booked: Money,
    pub extras: Vec<ExtraLine>,
    pub adjustments: Vec<AdjustmentView>,
    /// What the customer pays.
    pub total: Money,
}

/// Takes `amount` (yuan, as typed) off a work order of the caller's store, for `reason`,
/// approved by `manager_id` with their PIN on this store's iPad.
#[server(prefix = "/api", endpoint = "adjust_price", output = crate::codec::JsonText)]
pub async fn adjust_price(
    order_id: String,
    amount: String,
    reason: String,
    manager_id: String,
    manager_pin: String,
) -> Result<BillView, AppError> {
    use crate::storage::use_storage;
    crate::account::session::require_same_origin()?;
    let at = crate::reception::counter().await?;
    let order = OrderId::parse(&order_id)?;
    let amount = domain::money::parse_price(&amount)?;
    let reason = domain::bill::AdjustmentReason::parse(&reason)?;
    let manager = domain::StaffId::parse(&manager_id)?;
    let approved_by = crate::devices::manager_approval(at.store, manager, &manager_pin).await?;
    let bill = use_storage::<dyn crate::workorders::WorkOrderStorage>()?
        .adjust(at.store, order, amount, &reason, at.staff, approved_by)
        .await?;
    tracing::info!(%order, store = %at.store, requested_by = %at.staff, %approved_by, fen = amount.fen(), "price adjusted");
    Ok(bill)
}

/// The final breakdown: booked, each approved extra, each adjustment with its reason and
/// who approved it, and the total.
#[component]
pub fn BillLines(bill: BillView) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <dl class="bill">
            <dt>{move || i18n.t(StaffMsg::BillBooked)}</dt>
            <dd>{bill.booked.to_string()}</dd>
            {bill
                .extras
                .into_iter()
                .map(|e| {
                    let name = e.name.clone();
                    view! {
                        <dt class="extra">{move || name.get(i18n.lang()).to_owned()}</dt>
                        <dd class="extra">{e.price.to_string()}</dd>
                    }
                })
                .collect_view()}
            {bill
                .adjustments
                .into_iter()
                .map(|a| {
                    let by = a.approved_by.clone();
                    view! {
                        <dt class="adjustment">
                            {move || i18n.t(StaffMsg::Adjustment)} ": " {a.reason.clone()} " ("
                            {move || by.get(i18n.lang()).to_owned()} ")"
                        </dt>
                        <dd class="adjustment">"−" {a.amount.to_string()}</dd>
                    }
                })
                .collect_view()}
            <dt class="bill-total">{move || i18n.t(StaffMsg::BillTotal)}</dt>
            <dd class="bill-total">{bill.total.to_string()}</dd>
        </dl>
    }
}

/// The counter's adjustment: amount, reason, and a store manager's PIN.
#[component]
pub fn AdjustForm(
    order: OrderId,
    staff: Vec<BoardStaff>,
    action: ServerAction<AdjustPrice>,
) -> impl IntoView {
    let i18n = use_i18n();
    let managers: Vec<BoardStaff> = staff
        .into_iter()
        .filter(|s| s.role == domain::StaffRole::StoreManager)
        .collect();
    view! {
        <details class="adjust">
            <summary>{move || i18n.t(StaffMsg::AdjustPrice)}</summary>
            <ActionForm action=action attr:class="adjust-form">
                <input type="hidden" name="order_id" value=order.to_string() />
                <label>
                    <span>{move || i18n.t(StaffMsg::AdjustAmount)}</span>
                    <input type="text" name="amount" inputmode="decimal" required autocomplete="off" />
                </label>
                <label>
                    <span>{move || i18n.t(StaffMsg::AdjustReason)}</span>
                    <input type="text" name="reason" required maxlength="200" autocomplete="off" />
                </label>
                <label>
                    <span>{move || i18n.t(StaffMsg::ApprovingManager)}</span>
                    <select name="manager_id">
                        {managers
                            .into_iter()
                            .map(|m| view! { <option value=m.id.to_string()>{move || m.name.get(i18n.lang()).to_owned()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    <span>{move || i18n.t(StaffMsg::ManagerPin)}</span>
                    <input type="password" name="manager_pin" inputmode="numeric" required autocomplete="off" maxlength="12" />
                </label>
                <button type="submit">{move || i18n.t(StaffMsg::AdjustPrice)}</button>
            </ActionForm>
        </details>
    }
}
