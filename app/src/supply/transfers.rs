//! Transfers and purchase orders as the people who move stock see them: the kiosk's
//! `/kiosk/transfers` (what comes to the store and what it sends), HQ's lists on
//! `/hq/replenishment` (every transfer; the purchase orders and their receipt at the
//! warehouse). A reserved transfer is sent by its source; one in transit is received by
//! its destination, all of it or less (recorded as a partial receipt).

use domain::supply::{OrderStatus, TransferStatus};
use leptos::prelude::*;

use super::{
    get_purchase_orders, get_transfers, units, CancelTransfer, DispatchTransfer, Names,
    PurchaseOrders, ReceivePurchaseOrder, ReceiveTransfer, TransferList,
};
use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, I18n, Msg, SupplyMsg};
use crate::pricing::format_local;

/// The transfer list's data and actions, made outside the gate. It loads only while
/// the address starts with `on`.
#[derive(Clone, Copy)]
pub struct TransfersState {
    list: Resource<Result<Option<TransferList>, AppError>>,
    dispatch: ServerAction<DispatchTransfer>,
    receive: ServerAction<ReceiveTransfer>,
    cancel: ServerAction<CancelTransfer>,
}

impl TransfersState {
    pub fn new(on: &'static str) -> TransfersState {
        let location = leptos_router::hooks::use_location();
        let on_page = Memo::new(move |_| location.pathname.read().starts_with(on));
        let me = crate::account::use_me_context();
        let live = crate::live::use_live();
        let dispatch = ServerAction::<DispatchTransfer>::new();
        let receive = ServerAction::<ReceiveTransfer>::new();
        let cancel = ServerAction::<CancelTransfer>::new();
        let list = Resource::new(
            move || {
                (
                    me.session(),
                    on_page.get(),
                    dispatch.version().get(),
                    receive.version().get(),
                    cancel.version().get(),
                    live.transfers.get(),
                )
            },
            |(_, on_page, ..)| async move {
                if on_page {
                    get_transfers().await.map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        TransfersState {
            list,
            dispatch,
            receive,
            cancel,
        }
    }
}

pub fn transfer_status_label(s: TransferStatus) -> SupplyMsg {
    match s {
        TransferStatus::Reserved => SupplyMsg::TransferReserved,
        TransferStatus::InTransit => SupplyMsg::TransferInTransit,
        TransferStatus::Received => SupplyMsg::TransferReceived,
        TransferStatus::PartlyReceived => SupplyMsg::TransferPartlyReceived,
        TransferStatus::Cancelled => SupplyMsg::TransferCancelled,
    }
}

fn site_label(names: &Names, id: domain::StoreId) -> (String, crate::reception::Named) {
    names
        .sites
        .get(&id)
        .map(|s| (s.code.clone(), s.name.clone()))
        .unwrap_or_default()
}

fn part_label(names: &Names, id: domain::PartId) -> (String, crate::reception::Named) {
    names
        .parts
        .get(&id)
        .map(|p| (p.sku.clone(), p.name.clone()))
        .unwrap_or_default()
}

/// The transfers the caller sends or receives.
#[component]
pub fn Transfers(state: TransfersState) -> impl IntoView {
    let i18n = use_i18n();
    let TransfersState {
        list,
        dispatch,
        receive,
        cancel,
    } = state;
    view! {
        <section class="transfers">
            <h2>{move || i18n.t(SupplyMsg::TransfersTitle)}</h2>
            {move || dispatch.value().get().and_then(Result::err).map(error_view)}
            {move || receive.value().get().and_then(Result::err).map(error_view)}
            {move || cancel.value().get().and_then(Result::err).map(error_view)}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(Some(list)) => transfer_table(i18n, list, (dispatch, receive, cancel)).into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn transfer_table(
    i18n: I18n,
    list: TransferList,
    (dispatch, receive, cancel): (
        ServerAction<DispatchTransfer>,
        ServerAction<ReceiveTransfer>,
        ServerAction<CancelTransfer>,
    ),
) -> impl IntoView {
    if list.rows.is_empty() {
        return view! { <p class="empty">{move || i18n.t(SupplyMsg::NoTransfers)}</p> }.into_any();
    }
    let at = list.at;
    let rows = list
        .rows
        .into_iter()
        .map(|t| {
            let (from_code, from) = site_label(&list.names, t.from);
            let (to_code, to) = site_label(&list.names, t.to);
            let (sku, part) = part_label(&list.names, t.part);
            let id = t.id.to_string();
            let id_r = id.clone();
            let id_c = id.clone();
            // HQ supply (who sees every location) withdraws one approved by mistake.
            let may_cancel = t.status == TransferStatus::Reserved && at.is_none() && list.may_cancel;
            let sku_label = sku.clone();
            let may_send = t.status == TransferStatus::Reserved && at.is_none_or(|a| a == t.from);
            let may_receive =
                t.status == TransferStatus::InTransit && at.is_none_or(|a| a == t.to);
            let incoming = at == Some(t.to);
            let (eta, departure) = (t.eta, t.departure);
            let quantity = units(t.quantity_milli);
            let received = t.received_milli.map(units);
            let status = t.status;
            let part_for_label = part.clone();
            view! {
                <tr class=format!("transfer {}", status.code()) class:incoming=incoming data-sku=sku.clone() data-to=to_code.clone()>
                    <td>
                        <span class="code">{from_code}</span> " "
                        <span>{move || from.get(i18n.lang()).to_owned()}</span>
                    </td>
                    <td>
                        <span class="code">{to_code.clone()}</span> " "
                        <span>{move || to.get(i18n.lang()).to_owned()}</span>
                    </td>
                    <td><span class="sku">{sku.clone()}</span> " " {move || part.get(i18n.lang()).to_owned()}</td>
                    <td class="num quantity">{quantity.clone()}</td>
                    <td class="status">
                        {move || i18n.t(transfer_status_label(status))}
                        {received.clone().map(|r| view! { " " <span class="received">{r}</span> })}
                    </td>
                    <td>{move || format_local(departure)}</td>
                    <td class="eta">{move || format_local(eta)}</td>
                    <td class="actions">
                        {may_send.then(|| view! {
                            <ActionForm action=dispatch attr:class="dispatch-form">
                                <input type="hidden" name="id" value=id.clone() />
                                <button type="submit" class="dispatch">{move || i18n.t(SupplyMsg::Dispatch)}</button>
                            </ActionForm>
                        })}
                        {may_cancel.then(|| view! {
                            <ActionForm action=cancel attr:class="cancel-form">
                                <input type="hidden" name="id" value=id_c.clone() />
                                <button type="submit" class="cancel-transfer">{move || i18n.t(SupplyMsg::CancelTransfer)}</button>
                            </ActionForm>
                        })}
                        {may_receive.then(|| view! {
                            <ActionForm action=receive attr:class="receive-form">
                                <input type="hidden" name="id" value=id_r.clone() />
                                <input
                                    name="quantity"
                                    value=quantity.clone()
                                    inputmode="decimal"
                                    size="5"
                                    aria-label=move || format!("{} {} {}", i18n.t(SupplyMsg::ReceivedQuantity), sku_label, part_for_label.get(i18n.lang()))
                                />
                                <button type="submit" class="receive">{move || i18n.t(SupplyMsg::Receive)}</button>
                            </ActionForm>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || i18n.t(SupplyMsg::TransfersTitle)>
            <table class="transfer-table">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColFrom)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColTo)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColPart)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColQuantity)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColStatus)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColDeparture)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColEta)}</th>
                        <th scope="col">{move || i18n.t(SupplyMsg::ColActions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// HQ's purchase orders, made outside the gate.
#[derive(Clone, Copy)]
pub struct OrdersState {
    orders: Resource<Result<PurchaseOrders, AppError>>,
    receive: ServerAction<ReceivePurchaseOrder>,
}

impl OrdersState {
    pub fn new(sent: Signal<usize>) -> OrdersState {
        let me = crate::account::use_me_context();
        let receive = ServerAction::<ReceivePurchaseOrder>::new();
        let orders = Resource::new(
            move || (me.session(), receive.version().get(), sent.get()),
            |_| get_purchase_orders(),
        );
        OrdersState { orders, receive }
    }
}

fn order_status_label(s: OrderStatus) -> SupplyMsg {
    match s {
        OrderStatus::Sent => SupplyMsg::OrderSent,
        OrderStatus::Received => SupplyMsg::TransferReceived,
        OrderStatus::PartlyReceived => SupplyMsg::TransferPartlyReceived,
    }
}

/// The purchase orders with a receipt form for each one still open.
#[component]
pub fn PurchaseOrderList(state: OrdersState) -> impl IntoView {
    let i18n = use_i18n();
    let OrdersState { orders, receive } = state;
    view! {
        <section class="purchase-orders">
            <h2>{move || i18n.t(SupplyMsg::OrdersTitle)}</h2>
            {move || receive.value().get().and_then(Result::err).map(error_view)}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match orders.await {
                        Ok(o) => order_list(i18n, o, receive).into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn order_list(
    i18n: I18n,
    o: PurchaseOrders,
    receive: ServerAction<ReceivePurchaseOrder>,
) -> impl IntoView {
    if o.orders.is_empty() {
        return view! { <p class="empty">{move || i18n.t(SupplyMsg::NoOrders)}</p> }.into_any();
    }
    o.orders
        .into_iter()
        .map(|po| {
            let open = po.status == OrderStatus::Sent;
            let supplier = po.supplier.clone();
            let status = po.status;
            let (sent_at, expected) = (po.sent_at, po.expected_at);
            let order_id = po.id.to_string();
            let lines = po
                .lines
                .into_iter()
                .map(|(part, ordered, received)| {
                    let order_id = order_id.clone();
                    let (sku, name) = part_label(&o.names, part);
                    let label_name = name.clone();
                    let label_sku = sku.clone();
                    let ordered_units = units(ordered);
                    view! {
                        <tr>
                            <td><span class="sku">{sku}</span> " " {move || name.get(i18n.lang()).to_owned()}</td>
                            <td class="num">{ordered_units.clone()}</td>
                            <td class="num">
                                {match received {
                                    Some(r) => view! { <span class="received">{units(r)}</span> }.into_any(),
                                    None if open => view! {
                                        <ActionForm action=receive attr:class="receive-order-form">
                                            <input type="hidden" name="id" value=order_id.clone() />
                                            <input type="hidden" name="part_id" value=part.to_string() />
                                            <input
                                                name="quantity"
                                                value=ordered_units.clone()
                                                inputmode="decimal"
                                                size="6"
                                                aria-label=move || format!("{} {} {}", i18n.t(SupplyMsg::ReceivedQuantity), label_sku, label_name.get(i18n.lang()))
                                            />
                                            <button type="submit" class="receive-order">{move || i18n.t(SupplyMsg::Receive)}</button>
                                        </ActionForm>
                                    }.into_any(),
                                    None => ().into_any(),
                                }}
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            let table = view! {
                <table class="order-lines">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t(SupplyMsg::ColPart)}</th>
                            <th scope="col">{move || i18n.t(SupplyMsg::ColOrdered)}</th>
                            <th scope="col">{move || i18n.t(SupplyMsg::ColReceived)}</th>
                        </tr>
                    </thead>
                    <tbody>{lines}</tbody>
                </table>
            };
            view! {
                <article class=format!("purchase-order {}", status.code())>
                    <h3>
                        {move || supplier.get(i18n.lang()).to_owned()}
                        " · "
                        {move || i18n.t(order_status_label(status))}
                    </h3>
                    <p class="dates">
                        {move || i18n.t(SupplyMsg::OrderSentAt)} " " {move || format_local(sent_at)}
                        " · "
                        {move || i18n.t(SupplyMsg::ColEta)} " " {move || format_local(expected)}
                    </p>
                    {table}
                </article>
            }
        })
        .collect_view()
        .into_any()
}
