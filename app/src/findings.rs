//! Inspection findings (rule 6): a technician records what else they found on a car
//! (item, severity, note, and the service that fixes it at its published price for this
//! car and customer); the customer approves or declines each one on their phone or at
//! the counter; approved work joins the order at the price offered, with its parts
//! reserved on the store's shelf; declined work is shown again at the car's next visit.
//!
//! When a finding may be recorded or decided, and what a decision makes of it, are
//! [`domain::findings`]'s; the price is the booking's own quote ([`crate::booking`]).
//!
//! - Server functions: [`record_finding`] (any staff of the order's store),
//!   [`decide_finding`] and [`booking_findings`] (the customer whose order it is),
//!   [`decide_finding_at_counter`] (reception of the order's store).
//! - Storage: [`FindingsStorage`].
//! - Components: [`CardFindings`] (on a board card) and [`BookingFindings`] (on the
//!   customer's `/bookings/:id`).

use domain::findings::{Decision, Severity};
use domain::{FindingId, Money, OrderId, OrderStatus};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, Msg, StaffMsg};
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// A finding as the board and the customer see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingView {
    pub id: FindingId,
    pub order: OrderId,
    pub item: String,
    pub severity: Severity,
    pub note: Option<String>,
    pub service: domain::ServiceId,
    pub service_name: Named,
    /// What the fixing service costs this customer for this car, as offered.
    pub price: Money,
    pub decision: Decision,
    #[serde(with = "time::serde::rfc3339")]
    pub found_at: OffsetDateTime,
}

/// A customer's order's findings, with what the order comes to now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFindings {
    pub findings: Vec<FindingView>,
    /// The booking, the approved extra work and any adjustment ([`crate::bill`]).
    pub bill: crate::bill::BillView,
}

/// The work order a finding is about, as authorisation and pricing need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRef {
    pub order: OrderId,
    pub store: domain::StoreId,
    pub customer: domain::CustomerId,
    pub vehicle: domain::VehicleId,
    pub status: OrderStatus,
}

/// A finding to record.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct NewFinding {
    pub item: domain::findings::FindingItem,
    pub severity: Severity,
    pub note: Option<domain::reception::NoteText>,
    pub service: domain::ServiceId,
    pub price: Money,
}

/// Who answered for the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidedVia {
    /// The customer, on their own page.
    Customer,
    /// Staff at the counter, with the customer there.
    Counter,
}

/// What findings need from storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait FindingsStorage: Send + Sync + 'static {
    /// The work order, whichever store it is at; [`StorageError::NotFound`] if none.
    async fn order(&self, order: OrderId) -> Result<OrderRef, StorageError>;

    /// The work order a finding is on, and the finding.
    async fn finding(&self, id: FindingId) -> Result<(OrderRef, FindingView), StorageError>;

    /// Records a finding, pending, if [`domain::findings::may_record`] allows it at the
    /// order's status read under its lock.
    async fn record(
        &self,
        order: OrderId,
        finding: &NewFinding,
        by: domain::StaffId,
    ) -> Result<FindingId, StorageError>;

    /// Applies the customer's answer as [`Decision::decide`] rules on what it reads under
    /// the order's lock. Approving takes `work`, the fixing service's breakdown now: it
    /// must come to the price offered ([`domain::Error::PriceChanged`] otherwise), and
    /// its parts are reserved on the store's shelf ([`domain::Error::OutOfStock`] if
    /// they are not there).
    async fn decide(
        &self,
        id: FindingId,
        answer: &str,
        via: DecidedVia,
        work: Option<&domain::Breakdown>,
    ) -> Result<Decision, StorageError>;

    /// An order's findings, oldest first, and its bill.
    async fn of_order(&self, order: OrderId) -> Result<OrderFindings, StorageError>;
}

/// The fixing service's breakdown for the order's car and customer, now.
#[cfg(feature = "ssr")]
async fn quote(
    order: &OrderRef,
    service: domain::ServiceId,
) -> Result<domain::Breakdown, AppError> {
    let quotes = crate::booking::serve::vehicle_quotes(order.customer, order.vehicle).await?;
    let quote = quotes
        .quotes
        .into_iter()
        .find(|q| q.service.id == service)
        .ok_or(domain::Error::NotPriced)?;
    Ok(quote.quote?)
}

/// Records what a technician found on a work order of the caller's store, offered at
/// the fixing service's published price for this car and customer.
#[server(prefix = "/api", endpoint = "record_finding", output = crate::codec::JsonText)]
pub async fn record_finding(
    order_id: String,
    item: String,
    severity: String,
    service_id: String,
    #[server(default)] note: String,
) -> Result<FindingId, AppError> {
    crate::account::session::require_same_origin()?;
    let (by, store) = crate::workorders::store_staff().await?;
    let order = OrderId::parse(&order_id)?;
    let storage = use_storage::<dyn FindingsStorage>()?;
    let at = storage.order(order).await?;
    if at.store != store {
        return Err(AppError::NotFound);
    }
    let item = domain::findings::FindingItem::parse(&item)?;
    let severity = Severity::parse(&severity)?;
    let service = domain::ServiceId::parse(&service_id)?;
    let note = match note.trim() {
        "" => None,
        text => Some(domain::reception::NoteText::parse(text)?),
    };
    domain::findings::may_record(at.status)?;
    let price = quote(&at, service).await?.total;
    let finding = NewFinding {
        item,
        severity,
        note,
        service,
        price,
    };
    let id = storage.record(order, &finding, by).await?;
    tracing::info!(%order, %store, finding = %id, "finding recorded");
    Ok(id)
}

/// Decides a finding for whoever answers; the caller checked they may.
#[cfg(feature = "ssr")]
async fn decide(
    at: &OrderRef,
    finding: &FindingView,
    answer: &str,
    via: DecidedVia,
) -> Result<Decision, AppError> {
    let work = match answer.trim() {
        "approve" => Some(quote(at, finding.service).await?),
        _ => None,
    };
    let decision = use_storage::<dyn FindingsStorage>()?
        .decide(finding.id, answer, via, work.as_ref())
        .await?;
    tracing::info!(order = %at.order, finding = %finding.id, ?via, decision = decision.code(), "finding decided");
    Ok(decision)
}

/// The customer approves (`"approve"`) or declines (`"decline"`) a finding on their
/// own order.
#[server(prefix = "/api", endpoint = "decide_finding", output = crate::codec::JsonText)]
pub async fn decide_finding(finding_id: String, answer: String) -> Result<Decision, AppError> {
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let id = FindingId::parse(&finding_id)?;
    let (at, finding) = use_storage::<dyn FindingsStorage>()?.finding(id).await?;
    if at.customer != customer {
        return Err(AppError::NotFound);
    }
    decide(&at, &finding, &answer, DecidedVia::Customer).await
}

/// Reception records the customer's answer at the counter, for an order of its store.
#[server(prefix = "/api", endpoint = "decide_finding_at_counter", output = crate::codec::JsonText)]
pub async fn decide_finding_at_counter(
    finding_id: String,
    answer: String,
) -> Result<Decision, AppError> {
    crate::account::session::require_same_origin()?;
    let counter = crate::reception::counter().await?;
    let id = FindingId::parse(&finding_id)?;
    let (at, finding) = use_storage::<dyn FindingsStorage>()?.finding(id).await?;
    if at.store != counter.store {
        return Err(AppError::NotFound);
    }
    decide(&at, &finding, &answer, DecidedVia::Counter).await
}

/// The findings of one of the customer's orders.
#[server(prefix = "/api", endpoint = "booking_findings", output = crate::codec::JsonText)]
pub async fn booking_findings(order_id: String) -> Result<OrderFindings, AppError> {
    let customer = crate::account::session::require_customer().await?;
    let order = OrderId::parse(&order_id)?;
    let storage = use_storage::<dyn FindingsStorage>()?;
    if storage.order(order).await?.customer != customer {
        return Err(AppError::NotFound);
    }
    Ok(storage.of_order(order).await?)
}

pub(crate) fn severity_label(s: Severity) -> Msg {
    match s {
        Severity::Green => Msg::SeverityGreen,
        Severity::Amber => Msg::SeverityAmber,
        Severity::Red => Msg::SeverityRed,
    }
}

fn decision_label(d: Decision) -> Msg {
    match d {
        Decision::Pending => Msg::FindingPending,
        Decision::Approved => Msg::FindingApproved,
        Decision::Declined => Msg::FindingDeclined,
    }
}

/// One finding's line: severity, item, note, service and price, and where it stands.
#[component]
fn FindingLine(f: FindingView, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let service = f.service_name.clone();
    view! {
        <li class="finding" data-finding=f.id.to_string() data-severity=f.severity.code() data-decision=f.decision.code()>
            <span class="severity">{move || i18n.t(severity_label(f.severity))}</span>
            <span class="item">{f.item.clone()}</span>
            <span class="fix">{move || service.get(i18n.lang()).to_owned()} " " <strong>{f.price.to_string()}</strong></span>
            {f.note.clone().map(|n| view! { <span class="note">{n}</span> })}
            <span class="decision">{move || i18n.t(decision_label(f.decision))}</span>
            {children()}
        </li>
    }
}

/// The findings of a work order on its board card: each with the counter's approve and
/// decline while it is pending; the form to record one while the car is in work; and
/// what the car's customer declined at earlier visits, to offer again.
#[component]
pub fn CardFindings(
    order: OrderId,
    status: OrderStatus,
    findings: Vec<FindingView>,
    declined_before: Vec<FindingView>,
    services: Vec<(domain::ServiceId, Named)>,
    record: ServerAction<RecordFinding>,
    decide: ServerAction<DecideFindingAtCounter>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = domain::findings::may_record(status).is_ok();
    let order_id = order.to_string();
    let again_order = order_id.clone();
    view! {
        <div class="card-findings">
            {(!findings.is_empty()).then(|| view! {
                <p class="findings-head">{move || i18n.t(StaffMsg::Findings)}</p>
                <ul class="findings">
                    {findings
                        .into_iter()
                        .map(|f| {
                            let pending = f.decision == Decision::Pending && open;
                            let id = f.id.to_string();
                            view! {
                                <FindingLine f=f>
                                    {pending.then(|| {
                                        let id2 = id.clone();
                                        view! {
                                            <ActionForm action=decide attr:class="decide">
                                                <input type="hidden" name="finding_id" value=id.clone() />
                                                <input type="hidden" name="answer" value="approve" />
                                                <button type="submit" data-answer="approve">{move || i18n.t(StaffMsg::CustomerApproves)}</button>
                                            </ActionForm>
                                            <ActionForm action=decide attr:class="decide">
                                                <input type="hidden" name="finding_id" value=id2 />
                                                <input type="hidden" name="answer" value="decline" />
                                                <button type="submit" data-answer="decline">{move || i18n.t(StaffMsg::CustomerDeclines)}</button>
                                            </ActionForm>
                                        }
                                    })}
                                </FindingLine>
                            }
                        })
                        .collect_view()}
                </ul>
            })}
            {(!declined_before.is_empty()).then(|| view! {
                <p class="findings-head">{move || i18n.t(StaffMsg::DeclinedBefore)}</p>
                <ul class="findings declined-before">
                    {declined_before
                        .into_iter()
                        .map(|f| {
                            let order = again_order.clone();
                            let (item, severity, service) = (f.item.clone(), f.severity.code(), f.service.to_string());
                            view! {
                                <FindingLine f=f>
                                    {open.then(|| view! {
                                        <ActionForm action=record attr:class="offer-again">
                                            <input type="hidden" name="order_id" value=order />
                                            <input type="hidden" name="item" value=item />
                                            <input type="hidden" name="severity" value=severity />
                                            <input type="hidden" name="service_id" value=service />
                                            <button type="submit">{move || i18n.t(StaffMsg::OfferAgain)}</button>
                                        </ActionForm>
                                    })}
                                </FindingLine>
                            }
                        })
                        .collect_view()}
                </ul>
            })}
            {open.then(|| view! {
                <details class="record-finding">
                    <summary>{move || i18n.t(StaffMsg::RecordFinding)}</summary>
                    <ActionForm action=record attr:class="finding-form">
                        <input type="hidden" name="order_id" value=order_id.clone() />
                        <label>
                            <span>{move || i18n.t(StaffMsg::FindingItem)}</span>
                            <input type="text" name="item" required maxlength="100" autocomplete="off" />
                        </label>
                        <label>
                            <span>{move || i18n.t(StaffMsg::Severity)}</span>
                            <select name="severity">
                                {Severity::ALL
                                    .into_iter()
                                    .map(|s| view! { <option value=s.code()>{move || i18n.t(severity_label(s))}</option> })
                                    .collect_view()}
                            </select>
                        </label>
                        <label>
                            <span>{move || i18n.t(StaffMsg::FixingService)}</span>
                            <select name="service_id">
                                {services
                                    .iter()
                                    .map(|(id, name)| {
                                        let name = name.clone();
                                        view! { <option value=id.to_string()>{move || name.get(i18n.lang()).to_owned()}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <label>
                            <span>{move || i18n.t(StaffMsg::FindingNote)}</span>
                            <input type="text" name="note" maxlength="500" autocomplete="off" />
                        </label>
                        <button type="submit">{move || i18n.t(StaffMsg::RecordFinding)}</button>
                    </ActionForm>
                </details>
            })}
        </div>
    }
}

/// The findings of the customer's order and the action that decides one, made by the
/// booking page outside its sign-in gate (a resource made inside it would hydrate with
/// another's data). Fetched again when the store records or decides one (live).
#[derive(Clone, Copy)]
pub struct BookingFindingsState {
    findings: Resource<Result<OrderFindings, AppError>>,
    decide: ServerAction<DecideFinding>,
}

impl BookingFindingsState {
    /// For the order whose id `order` holds (as the address gives it).
    pub fn new(order: Memo<String>) -> BookingFindingsState {
        let decide = ServerAction::<DecideFinding>::new();
        let live = crate::live::use_live();
        let me = crate::account::use_me_context();
        let findings = Resource::new(
            move || {
                (
                    order.get(),
                    decide.version().get(),
                    live.orders.get(),
                    me.session(),
                )
            },
            |(order, ..)| booking_findings(order),
        );
        BookingFindingsState { findings, decide }
    }
}

/// The findings of the customer's order on `/bookings/:id`: each pending one with
/// approve and decline, and the total with the approved work.
#[component]
pub fn BookingFindings(state: BookingFindingsState) -> impl IntoView {
    let i18n = use_i18n();
    let BookingFindingsState { findings, decide } = state;
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match findings.await {
                    Ok(f) if f.findings.is_empty() && f.bill.adjustments.is_empty() => ().into_any(),
                    Ok(f) => {
                        let total = f.bill.total;
                        let adjustments = f.bill.adjustments.clone();
                        view! {
                            <section class="booking-findings" aria-labelledby="booking-findings-h">
                                <h2 id="booking-findings-h">{move || i18n.t(Msg::FindingsTitle)}</h2>
                                <ul class="findings">
                                    {f.findings
                                        .into_iter()
                                        .map(|f| {
                                            let pending = f.decision == Decision::Pending;
                                            let id = f.id.to_string();
                                            view! {
                                                <FindingLine f=f>
                                                    {pending.then(|| {
                                                        let id2 = id.clone();
                                                        view! {
                                                            <ActionForm action=decide attr:class="decide">
                                                                <input type="hidden" name="finding_id" value=id.clone() />
                                                                <input type="hidden" name="answer" value="approve" />
                                                                <button type="submit" data-answer="approve">{move || i18n.t(Msg::FindingApprove)}</button>
                                                            </ActionForm>
                                                            <ActionForm action=decide attr:class="decide">
                                                                <input type="hidden" name="finding_id" value=id2 />
                                                                <input type="hidden" name="answer" value="decline" />
                                                                <button type="submit" class="secondary" data-answer="decline">{move || i18n.t(Msg::FindingDecline)}</button>
                                                            </ActionForm>
                                                        }
                                                    })}
                                                </FindingLine>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                                <ul class="adjustments">
                                    {adjustments
                                        .into_iter()
                                        .map(|a| view! {
                                            <li class="adjustment">
                                                {move || i18n.t(Msg::StoreAdjustment)} ": " {a.reason.clone()} " −" {a.amount.to_string()}
                                            </li>
                                        })
                                        .collect_view()}
                                </ul>
                                <p class="total-with-extras">{move || i18n.t(Msg::TotalWithExtras)} " " <strong>{total.to_string()}</strong></p>
                                {move || decide.value().get().and_then(Result::err).map(error_view)}
                            </section>
                        }
                        .into_any()
                    }
                    Err(e) => error_view(e).into_any(),
                }
            })}
        </Transition>
    }
}
