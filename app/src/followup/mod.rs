//! After-sales follow-up at the counter (rule 7, C8): each morning a store works through
//! its queue of satisfaction calls and reminders, due today, overdue and upcoming, most
//! urgent first, each with why it is due and what to say; every call gets an outcome.
//! The queue prints as a one-page slip.
//!
//! Handing over a work order schedules the follow-ups (in the work order's transaction,
//! `server::storage::followups`); a new mileage reading moves the reminders; a job marks
//! those whose window passed as missed. Every rule is [`domain::followup`]'s.
//!
//! - Server functions, for a store's counter: [`get_follow_up_queue`],
//!   [`record_follow_up`]; for the customer, in [`customer`].
//! - Storage: [`FollowUpStorage`].
//! - Components: [`FollowUpPage`] (`/kiosk/follow-ups`, with its [`FollowUpState`]); the
//!   customer's answers, next services due and contact choices on the garage
//!   ([`customer::MyFollowUps`]); HQ's view of every store's follow-up, in [`report`].

pub mod customer;
pub mod report;

#[cfg(feature = "ssr")]
use domain::followup::Outcome;
use domain::followup::{Basis, FollowUpKind, Priority, Section, Status, Window};
use domain::{CustomerId, FollowUpId, ServiceId, VehicleId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, FollowMsg, I18n, Msg};
use crate::pricing::format_local;
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// One follow-up as the queue shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpItem {
    pub id: FollowUpId,
    pub kind: FollowUpKind,
    pub priority: Priority,
    pub status: Status,
    /// Where it sits in today's queue.
    pub section: Option<Section>,
    pub due: Date,
    pub window: Window,
    /// A reminder's basis: why it is due when it is.
    pub basis: Option<Basis>,
    pub attempts: u8,
    /// The outcome recorded (its code), once done.
    pub outcome: Option<String>,
    /// After a call nobody answered: when to try again.
    #[serde(with = "time::serde::rfc3339::option")]
    pub retry_at: Option<OffsetDateTime>,
    pub customer: CustomerId,
    pub customer_name: Named,
    pub phone: String,
    /// Whether the customer takes calls ([`domain::followup::Contact::may_call`]).
    pub calls_ok: bool,
    /// The store that did the work and makes the follow-up.
    pub store: Named,
    pub vehicle: VehicleId,
    pub plate: String,
    /// The visit that scheduled it: its reference, day, services and who did the work.
    pub order_reference: String,
    pub visit_on: Date,
    pub services: Vec<Named>,
    pub staff: Option<Named>,
    /// The service a reminder recommends, for booking again.
    pub recommended: Option<ServiceId>,
}

/// A store's queue on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpQueue {
    pub today: Date,
    /// Overdue, today, upcoming; most urgent first within each.
    pub items: Vec<FollowUpItem>,
    /// How many follow-ups the store closed today, and how many were marked missed in
    /// the last week: what the slip's footer says.
    pub done_today: u32,
    pub missed_last_week: u32,
}

/// What follow-up needs from storage. Every method takes the instant it acts at.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait FollowUpStorage: Send + Sync + 'static {
    /// `store`'s queue at `now` ([`domain::followup::section`], in
    /// [`domain::followup::queue_key`] order).
    async fn queue(
        &self,
        store: domain::StoreId,
        now: OffsetDateTime,
    ) -> Result<FollowUpQueue, StorageError>;

    /// Records a call's outcome on one of `store`'s follow-ups, under its row's lock
    /// ([`domain::followup::record`]): praise is recorded against the people who did
    /// the work; a complaint opens a case owned by `by`. [`StorageError::NotFound`] for
    /// another store's follow-up.
    async fn record(
        &self,
        store: domain::StoreId,
        by: domain::StaffId,
        id: FollowUpId,
        outcome: &Outcome,
        now: OffsetDateTime,
    ) -> Result<FollowUpItem, StorageError>;

    /// Marks missed every open follow-up whose window closed before `now`'s day
    /// ([`domain::followup::is_missed`]); returns how many. One guarded update: two
    /// instances running it at once mark each once.
    async fn mark_missed(&self, now: OffsetDateTime) -> Result<u32, StorageError>;

    /// What the customer sees: satisfaction questions open to answer, the reminders of
    /// their cars, and their contact choices.
    async fn customer_view(
        &self,
        customer: CustomerId,
        now: OffsetDateTime,
    ) -> Result<customer::CustomerFollowUps, StorageError>;

    /// The customer answers one of their own follow-ups
    /// ([`domain::followup::may_answer_online`], then as [`FollowUpStorage::record`]); a
    /// complaint's case goes to the store's manager. [`StorageError::NotFound`] for
    /// anyone else's.
    async fn answer_online(
        &self,
        customer: CustomerId,
        id: FollowUpId,
        outcome: &Outcome,
        now: OffsetDateTime,
    ) -> Result<FollowUpItem, StorageError>;

    /// Records the customer's contact choices, and when they made them (`by` a staff
    /// member at the counter, or `None` online).
    async fn set_contact(
        &self,
        customer: CustomerId,
        contact: domain::followup::Contact,
        by: Option<domain::StaffId>,
        now: OffsetDateTime,
    ) -> Result<domain::followup::Contact, StorageError>;
}

/// The caller's store's follow-up queue (its counter).
#[server(prefix = "/api", endpoint = "follow_up_queue", output = crate::codec::JsonText)]
pub async fn get_follow_up_queue() -> Result<FollowUpQueue, AppError> {
    let at = crate::reception::counter().await?;
    Ok(use_storage::<dyn FollowUpStorage>()?
        .queue(at.store, crate::clock::now())
        .await?)
}

/// Records how a follow-up call went: `outcome` (reached, not_reached, satisfied,
/// praise, complaint, booked_again), a `rating` of 1 to 5 for satisfied, and `text`: the
/// comment, the praise or the complaint.
#[server(prefix = "/api", endpoint = "record_follow_up", output = crate::codec::JsonText)]
pub async fn record_follow_up(
    id: String,
    outcome: String,
    #[server(default)] rating: String,
    #[server(default)] text: String,
) -> Result<FollowUpItem, AppError> {
    crate::account::session::require_same_origin()?;
    let at = crate::reception::counter().await?;
    let id = FollowUpId::parse(&id)?;
    let outcome = Outcome::parse(&outcome, &rating, &text)?;
    let item = use_storage::<dyn FollowUpStorage>()?
        .record(at.store, at.staff, id, &outcome, crate::clock::now())
        .await?;
    tracing::info!(store = %at.store, by = %at.staff, follow_up = %id, outcome = outcome.code(), "follow-up recorded");
    Ok(item)
}

pub(crate) fn kind_label(kind: FollowUpKind) -> FollowMsg {
    match kind {
        FollowUpKind::Satisfaction => FollowMsg::KindSatisfaction,
        FollowUpKind::OilChange => FollowMsg::KindOilChange,
        FollowUpKind::AirFilter => FollowMsg::KindAirFilter,
        FollowUpKind::CabinFilter => FollowMsg::KindCabinFilter,
        FollowUpKind::BrakePadsFront => FollowMsg::KindBrakePadsFront,
        FollowUpKind::BrakePadsRear => FollowMsg::KindBrakePadsRear,
        FollowUpKind::Tyres => FollowMsg::KindTyres,
        FollowUpKind::Wipers => FollowMsg::KindWipers,
        FollowUpKind::Battery => FollowMsg::KindBattery,
        FollowUpKind::Coolant => FollowMsg::KindCoolant,
    }
}

fn priority_label(p: Priority) -> FollowMsg {
    match p {
        Priority::High => FollowMsg::PriorityHigh,
        Priority::Normal => FollowMsg::PriorityNormal,
        Priority::Low => FollowMsg::PriorityLow,
    }
}

fn section_label(s: Section) -> FollowMsg {
    match s {
        Section::Overdue => FollowMsg::SectionOverdue,
        Section::Today => FollowMsg::SectionToday,
        Section::Upcoming => FollowMsg::SectionUpcoming,
    }
}

/// What to say: the satisfaction call asks how it went; a reminder says what is due.
fn script(kind: FollowUpKind) -> FollowMsg {
    match kind {
        FollowUpKind::Satisfaction => FollowMsg::ScriptSatisfaction,
        FollowUpKind::BrakePadsFront | FollowUpKind::BrakePadsRear | FollowUpKind::Tyres => {
            FollowMsg::ScriptSafety
        }
        _ => FollowMsg::ScriptReminder,
    }
}

/// Why a follow-up is due when it is, in a line: the visit for a satisfaction call; for
/// a reminder, the interval, the km a day it was projected with and both dates.
pub(crate) fn why_due(i18n: I18n, item: &FollowUpItem, today: Date) -> impl IntoView {
    let visit_on = item.visit_on.to_string();
    let services = item.services.clone();
    let staff = item.staff.clone();
    match item.basis {
        None => view! {
            <p class="why">
                {move || i18n.t(FollowMsg::VisitOn)} " " {visit_on.clone()} " · "
                {move || services.iter().map(|s| s.get(i18n.lang()).to_owned()).collect::<Vec<_>>().join("、")}
                {move || staff.as_ref().map(|s| format!(" · {} {}", i18n.t(FollowMsg::DoneBy), s.get(i18n.lang())))}
            </p>
        }
        .into_any(),
        Some(basis) => {
            let since = basis.km_since(today);
            let per_day = basis.km_per_day;
            let by_time = basis.by_time().to_string();
            let by_km = basis.by_mileage().map(|d| d.to_string());
            let every_km = basis.interval.km;
            let months = basis.interval.months;
            view! {
                <p class="why">
                    {move || i18n.t(FollowMsg::FittedOn)} " " {visit_on.clone()} " · "
                    {format!("{} km", basis.fitted_km)}
                    {every_km.map(|km| view! {
                        " · " <span class="since">{move || format!("≈ {since} km {}", i18n.t(FollowMsg::KmSince))}</span>
                        " · " <span class="per-day">{move || format!("{} {}", per_day.km, i18n.t(FollowMsg::KmADay))}</span>
                        " (" {move || i18n.t(if per_day.observed { FollowMsg::Observed } else { FollowMsg::Assumed })} ")"
                        " · " {format!("{km} km")} " → " {by_km.clone()}
                    })}
                    " · " {move || format!("{months} {}", i18n.t(FollowMsg::Months))} " → " {by_time.clone()}
                </p>
            }
            .into_any()
        }
    }
}

/// The resources of [`FollowUpPage`], made by the kiosk outside its unlock gate.
#[derive(Clone, Copy)]
pub struct FollowUpState {
    queue: Resource<Result<Option<FollowUpQueue>, AppError>>,
    record: ServerAction<RecordFollowUp>,
    /// This month's class moves among the store's customers (who to call first).
    moves: Resource<Result<Option<Vec<crate::lifecycle::Movement>>, AppError>>,
}

impl FollowUpState {
    pub fn new() -> FollowUpState {
        let location = leptos_router::hooks::use_location();
        let on_page = Memo::new(move |_| location.pathname.read().starts_with("/kiosk/follow-ups"));
        let live = crate::live::use_live();
        let me = crate::account::use_me_context();
        let record = ServerAction::<RecordFollowUp>::new();
        let queue = Resource::new(
            move || {
                (
                    me.session(),
                    on_page.get(),
                    record.version().get(),
                    // Another iPad recorded one; a handover scheduled more.
                    live.followups.get(),
                )
            },
            |(_, on_page, ..)| async move {
                if on_page {
                    get_follow_up_queue().await.map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        let moves = Resource::new(
            move || (me.session(), on_page.get(), live.followups.get()),
            |(_, on_page, _)| async move {
                if on_page {
                    crate::lifecycle::class_movements().await.map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        FollowUpState {
            queue,
            record,
            moves,
        }
    }
}

impl Default for FollowUpState {
    fn default() -> Self {
        FollowUpState::new()
    }
}

/// `/kiosk/follow-ups`: the store's morning queue, printable as a slip.
#[component]
pub fn FollowUpPage(state: FollowUpState) -> impl IntoView {
    let i18n = use_i18n();
    let FollowUpState {
        queue,
        record,
        moves,
    } = state;
    // Booking again opens the customer's file with the recommended service chosen.
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        let Some(Ok(item)) = record.value().get() else {
            return;
        };
        if item.outcome.as_deref() == Some("booked_again") {
            navigate(&booking_path(&item), Default::default());
        }
    });
    view! {
        <section class="follow-ups">
            <header class="follow-ups-head">
                <h1>{move || i18n.t(FollowMsg::Title)}</h1>
                <button type="button" class="print-slip" on:click=move |_| print()>
                    {move || i18n.t(FollowMsg::PrintSlip)}
                </button>
            </header>
            <p class="hint">{move || i18n.t(FollowMsg::Hint)}</p>
            {move || record.value().get().and_then(Result::err).map(error_view)}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match queue.await {
                        Ok(Some(q)) => queue_view(i18n, q, record).into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
            <crate::lifecycle::Movements moves=moves />
        </section>
    }
}

/// The customer's file with the booking of the recommended service open for the car.
pub(crate) fn booking_path(item: &FollowUpItem) -> String {
    let mut path = format!("/kiosk/customers/{}?book={}", item.customer, item.vehicle);
    if let Some(service) = item.recommended {
        path.push_str(&format!("&service={service}"));
    }
    path
}

fn print() {
    #[cfg(feature = "hydrate")]
    if let Err(e) = window().print() {
        leptos::logging::warn!("print failed: {e:?}");
    }
}

/// The 1 to 5 star choices of a rating, five first, as radio buttons named `rating`.
pub(crate) fn star_choices() -> impl IntoView {
    (1..=5u8)
        .rev()
        .map(|n| {
            view! {
                <label class="choice star">
                    <input type="radio" name="rating" value=n.to_string() />
                    <span aria-label=n.to_string()>{"★".repeat(usize::from(n))}</span>
                </label>
            }
        })
        .collect_view()
}

/// The queue once read: its three parts, then the slip's footer.
fn queue_view(i18n: I18n, q: FollowUpQueue, record: ServerAction<RecordFollowUp>) -> impl IntoView {
    let today = q.today;
    let parts = [Section::Overdue, Section::Today, Section::Upcoming]
        .into_iter()
        .map(|section| {
            let items: Vec<FollowUpItem> = q
                .items
                .iter()
                .filter(|i| i.section == Some(section))
                .cloned()
                .collect();
            let count = items.len();
            let list = if items.is_empty() {
                view! { <p class="empty">{move || i18n.t(FollowMsg::NothingHere)}</p> }.into_any()
            } else {
                view! {
                    <ol class="follow-up-list">
                        {items.into_iter().map(|item| item_view(i18n, item, today, record)).collect_view()}
                    </ol>
                }
                .into_any()
            };
            view! {
                <section class="follow-up-section" data-section=section.code()>
                    <h2>{move || i18n.t(section_label(section))} " (" {count} ")"</h2>
                    {list}
                </section>
            }
        })
        .collect_view();
    view! {
        <p class="slip-date">{move || i18n.t(FollowMsg::SlipFor)} " " {today.to_string()}</p>
        {parts}
        <p class="slip-footer">
            {move || i18n.t(FollowMsg::DoneToday)} " " <strong class="done-today">{q.done_today}</strong>
            " · " {move || i18n.t(FollowMsg::MissedLastWeek)} " " <strong class="missed-week">{q.missed_last_week}</strong>
        </p>
    }
}

/// One follow-up: who, why, what to say, and the outcome form.
fn item_view(
    i18n: I18n,
    item: FollowUpItem,
    today: Date,
    record: ServerAction<RecordFollowUp>,
) -> impl IntoView {
    let name = item.customer_name.clone();
    let kind = item.kind;
    let priority = item.priority;
    let id = item.id.to_string();
    let tel = format!("tel:{}", item.phone);
    let retry = item.retry_at.map(format_local);
    let attempts = item.attempts;
    let outcome = RwSignal::new(String::new());
    let why = why_due(i18n, &item, today);
    let file = format!("/kiosk/customers/{}", item.customer);
    let ratings = star_choices();
    let outcomes = [
        ("reached", FollowMsg::OutcomeReached),
        ("not_reached", FollowMsg::OutcomeNotReached),
        ("satisfied", FollowMsg::OutcomeSatisfied),
        ("praise", FollowMsg::OutcomePraise),
        ("complaint", FollowMsg::OutcomeComplaint),
        ("booked_again", FollowMsg::OutcomeBookedAgain),
    ]
    .into_iter()
    .map(|(code, label)| {
        view! {
            <label class="choice outcome">
                <input type="radio" name="outcome" value=code required=true on:change=move |_| outcome.set(code.to_owned()) />
                <span>{move || i18n.t(label)}</span>
            </label>
        }
    })
    .collect_view();
    view! {
        <li class="follow-up" data-kind=kind.code() data-priority=priority.code() data-plate=item.plate.clone() data-id=item.id.to_string()>
            <header>
                <span class="priority" data-priority=priority.code()>{move || i18n.t(priority_label(priority))}</span>
                <strong class="kind">{move || i18n.t(kind_label(kind))}</strong>
                " · " <a class="customer" href=file>{move || name.get(i18n.lang()).to_owned()}</a>
                " · " {if item.calls_ok {
                    view! { <a class="phone" href=tel>{item.phone.clone()}</a> }.into_any()
                } else {
                    view! { <span class="no-calls">{move || i18n.t(FollowMsg::NoCalls)}</span> }.into_any()
                }}
                " · " <span class="plate">{item.plate.clone()}</span>
                " · " <span class="due">{move || i18n.t(FollowMsg::Due)} " " {item.due.to_string()}</span>
            </header>
            {why}
            <p class="script">{move || i18n.t(script(kind))} " " {move || i18n.t(kind_label(kind))} "."</p>
            {(attempts > 0).then(|| view! {
                <p class="attempts">
                    {move || i18n.t(FollowMsg::Attempts)} " " {attempts}
                    {retry.clone().map(|r| view! { " · " {move || i18n.t(FollowMsg::TryAgainAt)} " " {r.clone()} })}
                </p>
            })}
            // On the printed slip: boxes to tick by hand.
            <p class="print-only" aria-hidden="true">
                {move || {
                    [
                        FollowMsg::OutcomeReached,
                        FollowMsg::OutcomeNotReached,
                        FollowMsg::OutcomeSatisfied,
                        FollowMsg::OutcomePraise,
                        FollowMsg::OutcomeComplaint,
                        FollowMsg::OutcomeBookedAgain,
                    ]
                    .map(|m| format!("□ {}", i18n.t(m)))
                    .join("   ")
                }}
            </p>
            <ActionForm action=record attr:class="outcome-form">
                <input type="hidden" name="id" value=id />
                <fieldset class="outcomes">
                    <legend>{move || i18n.t(FollowMsg::HowDidItGo)}</legend>
                    {outcomes}
                </fieldset>
                <fieldset class="rating" hidden=move || outcome.get() != "satisfied">
                    <legend>{move || i18n.t(FollowMsg::Rating)}</legend>
                    {ratings}
                </fieldset>
                <label class="text" hidden=move || !matches!(outcome.get().as_str(), "satisfied" | "praise" | "complaint")>
                    <span>{move || i18n.t(FollowMsg::WhatTheySaid)}</span>
                    <textarea name="text" maxlength="500" rows="2"></textarea>
                </label>
                <button type="submit" class="record-outcome" disabled=move || record.pending().get()>
                    {move || i18n.t(FollowMsg::Record)}
                </button>
            </ActionForm>
        </li>
    }
}
