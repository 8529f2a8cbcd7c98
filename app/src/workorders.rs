//! Today's board: every booking of a store as a work order moving through booked →
//! checked in → in bay → quality check → ready → handed over (or cancelled), in lanes
//! that update live on every device of the store.
//!
//! Which step follows which is [`domain::OrderStatus::after`]; storage applies it with a
//! guard on the status it read, so two iPads pressing at once move an order once.
//!
//! Each open card suggests who should take the car, and why ([`domain::suggest::rank`]:
//! the customer's preferred advisor, then technicians by skill, first-time-fix rate and
//! load); the assign list is in that order with the suggestion chosen, and the advisor
//! may pick someone else.
//!
//! - Server functions, for the staff of the order's store: [`store_board`],
//!   [`advance_work_order`] (check-in records the mileage, never below the car's last
//!   reading, and the customer's concerns), [`submit_quality_check`] (the order's
//!   checklist, every step marked; [`domain::qc::judge`] passes or fails it: there is no
//!   pass or fail button), [`assign_work_order`].
//! - Storage: [`WorkOrderStorage`].
//! - Component: [`StoreBoard`], at `/kiosk/board`.

use domain::order::Step;
use domain::{OrderId, OrderStatus, StaffId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, StaffMsg};
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// A work order on the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkOrderCard {
    pub id: OrderId,
    pub reference: String,
    pub status: OrderStatus,
    pub customer: Named,
    pub customer_id: domain::CustomerId,
    pub plate: String,
    pub services: Vec<Named>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub scheduled_start: Option<OffsetDateTime>,
    pub responsible: Option<StaffId>,
    pub concerns: Option<String>,
    pub mileage_km: u32,
    /// What its services need of whoever does the work.
    pub categories: Vec<domain::ServiceCategory>,
    /// The customer's preferred advisor, if they chose one.
    pub preferred_advisor: Option<StaffId>,
    /// Who should take it, best first, with the figures ([`domain::suggest::rank`]);
    /// empty once the order is closed.
    pub suggestion: Vec<domain::suggest::Ranked>,
    /// What the technician found on this visit ([`crate::findings`]).
    pub findings: Vec<crate::findings::FindingView>,
    /// What the customer declined at the car's earlier visits, to offer again.
    pub declined_before: Vec<crate::findings::FindingView>,
    /// The quality checklist: every step of its services and of approved extra work.
    pub checklist: Vec<domain::qc::QcStep>,
    /// What it comes to ([`crate::bill`]).
    pub bill: crate::bill::BillView,
    /// The parts it holds, and where ([`crate::parts`]).
    pub parts: Vec<crate::parts::OrderPart>,
    /// Parts that fit the car, offered while it is being worked on.
    pub part_choices: Vec<crate::parts::PartChoice>,
    /// Set when the store's hours or bays changed since it was booked and it no longer
    /// fits: the counter calls the customer ([`crate::settings`]).
    pub to_move: Option<domain::settings::Strand>,
}

/// Someone of the store who can be responsible for a work order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardStaff {
    pub id: StaffId,
    pub name: Named,
    pub role: domain::StaffRole,
    pub skills: domain::account::Skills,
    /// Over the last [`domain::suggest::FTF_WINDOW_DAYS`] days.
    pub first_time_fix: domain::suggest::FirstTimeFix,
}

/// A store's day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    /// `2026-12-05`, the store's local date.
    pub day: String,
    pub previous_day: String,
    pub next_day: String,
    pub orders: Vec<WorkOrderCard>,
    pub staff: Vec<BoardStaff>,
    /// The services on sale, to name the one that fixes a finding.
    pub services: Vec<(domain::ServiceId, Named)>,
}

/// A step as storage applies it: check-in carries what was recorded.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub enum Advance {
    CheckIn {
        mileage: domain::Mileage,
        concerns: Option<domain::reception::NoteText>,
    },
    /// A quality check: the step is [`domain::qc::judge`]'s, from the order's checklist
    /// as storage reads it.
    QualityCheck(Vec<domain::qc::QcMark>),
    Step(Step),
}

/// What the board needs from storage. Every method takes the caller's store: another
/// store's work order is [`StorageError::NotFound`].
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait WorkOrderStorage: Send + Sync + 'static {
    /// The store's work orders of the local day `from..to`: scheduled in it, still open
    /// from before, or handed over in it (their `suggestion` left empty); and the store's
    /// active staff with their first-time-fix record up to `now`.
    async fn board(
        &self,
        store: domain::StoreId,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<(Vec<WorkOrderCard>, Vec<BoardStaff>), StorageError>;

    /// Applies a step decided by [`OrderStatus::after`] to the status it read, guarded so
    /// a concurrent step wins once ([`StorageError::Conflict`] for the other). Check-in
    /// records the reading ([`domain::odometer::next_reading`]) and makes `by` responsible
    /// unless someone is; cancelling releases capacity and parts as the customer's own
    /// cancellation does; handing over schedules the order's follow-ups. `now` is when
    /// it happens.
    async fn advance(
        &self,
        store: domain::StoreId,
        order: OrderId,
        advance: &Advance,
        by: StaffId,
        now: time::OffsetDateTime,
    ) -> Result<OrderStatus, StorageError>;

    /// Takes `amount` off a work order of `store` whose car is at the store, as
    /// [`domain::bill::check_adjustment`] allows on the bill read under the order's
    /// lock; returns the new bill.
    async fn adjust(
        &self,
        store: domain::StoreId,
        order: OrderId,
        amount: domain::Money,
        reason: &domain::bill::AdjustmentReason,
        requested_by: StaffId,
        approved_by: StaffId,
    ) -> Result<crate::bill::BillView, StorageError>;

    /// Makes `staff` (active, of this store) responsible for the work order.
    async fn assign(
        &self,
        store: domain::StoreId,
        order: OrderId,
        staff: StaffId,
    ) -> Result<(), StorageError>;
}

/// The store of the caller: any store staff member works its board.
#[cfg(feature = "ssr")]
pub(crate) async fn store_staff() -> Result<(StaffId, domain::StoreId), AppError> {
    use domain::Principal;
    let me = crate::account::session::require(
        |p| matches!(p, Principal::Staff { role, location: Some(_), .. } if role.is_store()),
    )
    .await?;
    match me.principal {
        Principal::Staff {
            id,
            location: Some(store),
            ..
        } => Ok((id, store)),
        _ => Err(AppError::Forbidden),
    }
}

/// The board of the caller's store for a local day (`""` is today).
#[server(prefix = "/api", endpoint = "store_board", output = crate::codec::JsonText)]
pub async fn store_board(day: String) -> Result<Board, AppError> {
    use domain::local_time::{at_local_minute, local_date, parse_date};
    let (_, store) = store_staff().await?;
    let day = match day.trim() {
        "" => local_date(crate::clock::now()),
        day => parse_date(day)?,
    };
    let (Some(previous), Some(next)) = (day.previous_day(), day.next_day()) else {
        return Err(domain::Error::TimeInvalid.into());
    };
    let (mut orders, staff) = use_storage::<dyn WorkOrderStorage>()?
        .board(store, at_local_minute(day, 0), at_local_minute(next, 0))
        .await?;
    suggest(&mut orders, &staff);
    let prices = use_storage::<dyn crate::pricing::PriceStorage>()?;
    let services = prices
        .current_price_list()
        .await?
        .on_sale(prices.services().await?, |s| s.id)
        .into_iter()
        .map(|(s, _)| {
            let name = Named {
                zh: s.name_zh,
                en: s.name_en,
            };
            (s.id, name)
        })
        .collect();
    Ok(Board {
        day: day.to_string(),
        previous_day: previous.to_string(),
        next_day: next.to_string(),
        orders,
        staff,
        services,
    })
}

/// Ranks who should take each open work order ([`domain::suggest::rank`]); a person's
/// load is the open orders of the board's day they are responsible for.
#[cfg(feature = "ssr")]
fn suggest(orders: &mut [WorkOrderCard], staff: &[BoardStaff]) {
    use domain::suggest::{rank, Candidate};
    let people: Vec<Candidate> = staff
        .iter()
        .map(|s| Candidate {
            staff: s.id,
            name: s.name.en.clone(),
            role: s.role,
            skills: s.skills.clone(),
            first_time_fix: s.first_time_fix,
            load_today: domain::suggest::load_of(
                s.id,
                orders.iter().map(|o| (o.status, o.responsible)),
            ),
        })
        .collect();
    for o in orders.iter_mut().filter(|o| o.status.is_open()) {
        o.suggestion = rank(&people, &o.categories, o.preferred_advisor);
    }
}

/// Moves a work order of the caller's store one step; check-in needs the mileage and
/// may carry the customer's concerns.
#[server(prefix = "/api", endpoint = "advance_work_order", output = crate::codec::JsonText)]
pub async fn advance_work_order(
    order_id: String,
    step: String,
    #[server(default)] mileage: String,
    #[server(default)] concerns: String,
) -> Result<OrderStatus, AppError> {
    crate::account::session::require_same_origin()?;
    let (by, store) = store_staff().await?;
    let order = OrderId::parse(&order_id)?;
    let advance = match Step::parse(&step)? {
        verdict if verdict.is_quality_verdict() => {
            return Err(domain::Error::QcStepMissing.into());
        }
        Step::CheckIn => Advance::CheckIn {
            mileage: domain::Mileage::parse(&mileage)?,
            concerns: match concerns.trim() {
                "" => None,
                text => Some(domain::reception::NoteText::parse(text)?),
            },
        },
        other => Advance::Step(other),
    };
    let status = use_storage::<dyn WorkOrderStorage>()?
        .advance(store, order, &advance, by, crate::clock::now())
        .await?;
    tracing::info!(%order, %store, step = step.trim(), status = status.code(), "work order moved");
    Ok(status)
}

/// One step of a quality check as the form sends it (`marks[0][no]`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkForm {
    pub no: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub note: String,
}

/// A quality check of a work order of the caller's store: every step of its checklist
/// passed or failed (a failure with a note). All passed: ready; any failed: back to
/// the bay, counted against the responsible technician.
#[server(prefix = "/api", endpoint = "submit_quality_check", output = crate::codec::JsonText)]
pub async fn submit_quality_check(
    order_id: String,
    #[server(default)] marks: Vec<MarkForm>,
) -> Result<OrderStatus, AppError> {
    crate::account::session::require_same_origin()?;
    let (by, store) = store_staff().await?;
    let order = OrderId::parse(&order_id)?;
    let marks = marks
        .iter()
        .map(|m| domain::qc::QcMark::parse(&m.no, &m.outcome, &m.note))
        .collect::<Result<Vec<_>, _>>()?;
    let status = use_storage::<dyn WorkOrderStorage>()?
        .advance(
            store,
            order,
            &Advance::QualityCheck(marks),
            by,
            crate::clock::now(),
        )
        .await?;
    tracing::info!(%order, %store, status = status.code(), "quality check");
    Ok(status)
}

/// Makes someone of the store responsible for a work order.
#[server(prefix = "/api", endpoint = "assign_work_order", output = crate::codec::JsonText)]
pub async fn assign_work_order(order_id: String, staff_id: String) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let (_, store) = store_staff().await?;
    let order = OrderId::parse(&order_id)?;
    let staff = StaffId::parse(&staff_id)?;
    Ok(use_storage::<dyn WorkOrderStorage>()?
        .assign(store, order, staff)
        .await?)
}

/// The checklist of a work order at quality check: each step passed or failed, a
/// failure with what failed. Plain form fields (`marks[0][no]`, ...), so it also posts
/// before the page has hydrated.
#[component]
fn QualityCheckForm(
    order: OrderId,
    checklist: Vec<domain::qc::QcStep>,
    action: ServerAction<SubmitQualityCheck>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ActionForm action=action attr:class="qc-form">
            <input type="hidden" name="order_id" value=order.to_string() />
            <p class="qc-head">{move || i18n.t(StaffMsg::QcChecklist)}</p>
            <ol class="qc-steps">
                {checklist
                    .into_iter()
                    .enumerate()
                    .map(|(i, step)| {
                        let field = move |name: &str| format!("marks[{i}][{name}]");
                        let text = (step.text_zh.clone(), step.text_en.clone());
                        view! {
                            <li class="qc-step" data-step=step.no>
                                <input type="hidden" name=field("no") value=step.no />
                                <fieldset>
                                    <legend>{move || if i18n.lang() == crate::i18n::Lang::Zh { text.0.clone() } else { text.1.clone() }}</legend>
                                    <label class="qc-pass">
                                        <input type="radio" name=field("outcome") value="pass" required />
                                        <span>{move || i18n.t(StaffMsg::QcPassed)}</span>
                                    </label>
                                    <label class="qc-fail">
                                        <input type="radio" name=field("outcome") value="fail" />
                                        <span>{move || i18n.t(StaffMsg::QcFailed)}</span>
                                    </label>
                                    <label class="qc-note">
                                        <span>{move || i18n.t(StaffMsg::QcWhatFailed)}</span>
                                        <input type="text" name=field("note") maxlength="500" autocomplete="off" />
                                    </label>
                                </fieldset>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <button type="submit" class="submit-qc">{move || i18n.t(StaffMsg::QcSubmit)}</button>
        </ActionForm>
    }
}

/// Why someone is suggested, in words: the preference, or skill, first-time fix and load.
fn reasons(r: &domain::suggest::Ranked, lang: crate::i18n::Lang) -> String {
    use domain::suggest::{Reason, SkillMatch};
    let t = |m: StaffMsg| m.text(lang);
    let load = format!("{} {}", t(StaffMsg::JobsToday), r.load_today);
    match r.reason {
        Reason::Preferred => format!("{} · {load}", t(StaffMsg::ReasonPreferred)),
        Reason::Technician => {
            let skill = t(match r.skill {
                SkillMatch::Full => StaffMsg::SkillFull,
                SkillMatch::Partial => StaffMsg::SkillPartial,
                SkillMatch::None => StaffMsg::SkillNone,
            });
            let ftf = match r.first_time_fix {
                Some(p) => format!("{} {p}%", t(StaffMsg::FirstTimeFix)),
                None => format!("{}: {}", t(StaffMsg::FirstTimeFix), t(StaffMsg::TooFewJobs)),
            };
            format!("{skill} · {ftf} · {load}")
        }
        Reason::Other => load,
    }
}

fn step_label(step: Step) -> StaffMsg {
    match step {
        Step::CheckIn => StaffMsg::StepCheckIn,
        Step::StartWork => StaffMsg::StepStartWork,
        Step::SubmitForQc => StaffMsg::StepSubmitForQc,
        Step::PassQc => StaffMsg::StepPassQc,
        Step::FailQc => StaffMsg::StepFailQc,
        Step::HandOver => StaffMsg::StepHandOver,
        Step::Cancel => StaffMsg::StepCancel,
    }
}

/// The board's resources and actions, made by the kiosk page outside its lock gate.
#[derive(Clone, Copy)]
pub struct BoardState {
    day: Memo<String>,
    board: Resource<Result<Option<Board>, AppError>>,
    advance: ServerAction<AdvanceWorkOrder>,
    assign: ServerAction<AssignWorkOrder>,
    record: ServerAction<crate::findings::RecordFinding>,
    decide: ServerAction<crate::findings::DecideFindingAtCounter>,
    qc: ServerAction<SubmitQualityCheck>,
    adjust: ServerAction<crate::bill::AdjustPrice>,
    pick: ServerAction<crate::parts::PickParts>,
    add_part: ServerAction<crate::parts::AddPart>,
}

impl BoardState {
    pub fn new() -> BoardState {
        let location = leptos_router::hooks::use_location();
        let query = leptos_router::hooks::use_query_map();
        let day = Memo::new(move |_| query.read().get("day").unwrap_or_default());
        let on_board = Memo::new(move |_| location.pathname.read().starts_with("/kiosk/board"));
        let advance = ServerAction::<AdvanceWorkOrder>::new();
        let assign = ServerAction::<AssignWorkOrder>::new();
        let record = ServerAction::new();
        let decide = ServerAction::new();
        let qc = ServerAction::<SubmitQualityCheck>::new();
        let adjust = ServerAction::<crate::bill::AdjustPrice>::new();
        let pick = ServerAction::<crate::parts::PickParts>::new();
        let add_part = ServerAction::<crate::parts::AddPart>::new();
        let live = crate::live::use_live();
        let me = crate::account::use_me_context();
        let board = Resource::new(
            move || {
                (
                    // Unlocking (or locking) the kiosk changes who asks.
                    me.session(),
                    on_board.get(),
                    day.get(),
                    advance.version().get(),
                    assign.version().get(),
                    record.version().get(),
                    decide.version().get(),
                    qc.version().get(),
                    adjust.version().get(),
                    (pick.version().get(), add_part.version().get()),
                    live.board.get(),
                    live.availability.get(),
                )
            },
            |(_, on_board, day, ..)| async move {
                if on_board {
                    store_board(day).await.map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        BoardState {
            day,
            board,
            advance,
            assign,
            record,
            decide,
            qc,
            adjust,
            pick,
            add_part,
        }
    }
}

impl Default for BoardState {
    fn default() -> Self {
        BoardState::new()
    }
}

/// `/kiosk/board`: the store's day in lanes.
#[component]
pub fn StoreBoard(state: BoardState) -> impl IntoView {
    let i18n = use_i18n();
    let BoardState {
        board,
        advance,
        assign,
        record,
        decide,
        qc,
        adjust,
        pick,
        add_part,
        ..
    } = state;
    let _ = state.day;
    let action_error = move || {
        advance
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| assign.value().get().and_then(Result::err))
            .or_else(|| record.value().get().and_then(Result::err))
            .or_else(|| decide.value().get().and_then(Result::err))
            .or_else(|| qc.value().get().and_then(Result::err))
            .or_else(|| adjust.value().get().and_then(Result::err))
            .or_else(|| pick.value().get().and_then(Result::err))
            .or_else(|| add_part.value().get().and_then(Result::err))
    };
    view! {
        <section class="board">
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(crate::i18n::Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match board.await {
                        Ok(Some(b)) => view! { <Lanes b=b state=state /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
            {move || action_error().map(error_view)}
        </section>
    }
}

#[component]
fn Lanes(b: Board, state: BoardState) -> impl IntoView {
    let i18n = use_i18n();
    let staff = b.staff.clone();
    let services = b.services.clone();
    let day = b.day.clone();
    view! {
        <header class="board-head">
            <h1>{move || i18n.t(StaffMsg::TodaysBoard)} " · " {day.clone()}</h1>
            <nav class="board-days" aria-label=move || i18n.t(StaffMsg::TodaysBoard)>
                <a href=format!("/kiosk/board?day={}", b.previous_day)>{move || i18n.t(StaffMsg::PreviousDay)}</a>
                <a href="/kiosk/board">{move || i18n.t(StaffMsg::Today)}</a>
                <a href=format!("/kiosk/board?day={}", b.next_day)>{move || i18n.t(StaffMsg::NextDay)}</a>
            </nav>
        </header>
        <div class="lanes">
            // A lane per status in the order of a work order's life; cancelled ones
            // leave the board.
            {OrderStatus::ALL
                .into_iter()
                .filter(|s| *s != OrderStatus::Cancelled)
                .map(|lane| {
                    let cards: Vec<WorkOrderCard> = b
                        .orders
                        .iter()
                        .filter(|o| o.status == lane)
                        .cloned()
                        .collect();
                    let count = cards.len();
                    let staff = staff.clone();
                    let services = services.clone();
                    view! {
                        <section class="lane" data-lane=lane.code() aria-label=move || crate::garage::status_label(lane).text(i18n.lang())>
                            <h2>
                                {move || crate::garage::status_label(lane).text(i18n.lang())}
                                <span class="count">{count}</span>
                            </h2>
                            <ol>
                                {cards
                                    .into_iter()
                                    .map(|card| view! { <Card card=card staff=staff.clone() catalog=services.clone() state=state /> })
                                    .collect_view()}
                            </ol>
                        </section>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn Card(
    card: WorkOrderCard,
    staff: Vec<BoardStaff>,
    catalog: Vec<(domain::ServiceId, Named)>,
    state: BoardState,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = card.id.to_string();
    let time = card
        .scheduled_start
        .map(|t| {
            let t = t.to_offset(domain::local_time::CHINA);
            format!("{:02}:{:02}", t.hour(), t.minute())
        })
        .unwrap_or_default();
    let customer = card.customer.clone();
    let services = card.services.clone();
    let steps = card.status.steps();
    let responsible = card.responsible;
    let responsible_name = staff
        .iter()
        .find(|s| Some(s.id) == responsible)
        .map(|s| s.name.clone());
    let (advance, assign) = (state.advance, state.assign);
    let working = domain::picking::may_handle_parts(card.status).is_ok();
    let (id_assign, id_steps) = (id.clone(), id.clone());
    // The assign list in the suggestion's order, the suggestion chosen unless someone is
    // already responsible.
    let name_of = |id: StaffId| staff.iter().find(|s| s.id == id).map(|s| s.name.clone());
    let top = card.suggestion.first().cloned();
    let top_name = top.as_ref().and_then(|r| name_of(r.staff));
    let chosen = responsible.or(top.as_ref().map(|r| r.staff));
    let options: Vec<BoardStaff> = card
        .suggestion
        .iter()
        .filter_map(|r| staff.iter().find(|s| s.id == r.staff).cloned())
        .collect();
    view! {
        <li class="card" data-order=id.clone() data-status=card.status.code()>
            <p class="card-head">
                <span class="time">{time}</span>
                <span class="plate">{card.plate.clone()}</span>
                <span class="ref">{card.reference.clone()}</span>
            </p>
            <p class="who">{move || customer.get(i18n.lang()).to_owned()}</p>
            <p class="what">
                {move || services.iter().map(|s| s.get(i18n.lang())).collect::<Vec<_>>().join("、")}
            </p>
            {card.to_move.map(|r| view! {
                <p class="to-move" data-reason=r.code()>
                    <a href="/kiosk/store">{move || i18n.t(crate::settings::strand_label(r))}</a>
                </p>
            })}
            {card.concerns.clone().map(|c| view! { <p class="concerns">{c}</p> })}
            <p class="responsible">
                {move || match &responsible_name {
                    Some(n) => format!("{}: {}", i18n.t(StaffMsg::Responsible), n.get(i18n.lang())),
                    None => i18n.t(StaffMsg::NobodyResponsible).to_owned(),
                }}
            </p>
            {top.zip(top_name).map(|(r, name)| view! {
                <p class="suggested" data-staff=r.staff.to_string()>
                    {move || format!("{}: {} · {}", i18n.t(StaffMsg::Suggested), name.get(i18n.lang()), reasons(&r, i18n.lang()))}
                </p>
            })}
            <crate::findings::CardFindings
                order=card.id
                status=card.status
                findings=card.findings.clone()
                declined_before=card.declined_before.clone()
                services=catalog
                record=state.record
                decide=state.decide
            />
            {(working || !card.parts.is_empty()).then(|| crate::parts::card_parts(
                i18n,
                card.id,
                card.parts.clone(),
                card.part_choices.clone(),
                working,
                state.pick,
                state.add_part,
            ))}
            {(card.status.stays_on_board() || card.status == OrderStatus::HandedOver).then(|| view! {
                <crate::bill::BillLines bill=card.bill.clone() />
            })}
            {card.status.stays_on_board().then(|| view! {
                <crate::bill::AdjustForm order=card.id staff=staff.clone() action=state.adjust />
            })}
            <div class="card-actions">
                {(card.status == OrderStatus::QualityCheck).then(|| view! {
                    <QualityCheckForm order=card.id checklist=card.checklist.clone() action=state.qc />
                })}
                {steps
                    .into_iter()
                    // A check's verdict comes from its checklist (the form above).
                    .filter(|step| !step.is_quality_verdict())
                    .map(|step| {
                        let id = id_steps.clone();
                        if step == Step::CheckIn {
                            view! {
                                <ActionForm action=advance attr:class="check-in">
                                    <input type="hidden" name="order_id" value=id />
                                    <input type="hidden" name="step" value=step.code() />
                                    <label>
                                        <span>{move || i18n.t(crate::i18n::Msg::MileageKm)}</span>
                                        <input type="text" name="mileage" inputmode="numeric" required maxlength="12" autocomplete="off" />
                                    </label>
                                    <label>
                                        <span>{move || i18n.t(StaffMsg::Concerns)}</span>
                                        <input type="text" name="concerns" maxlength="500" autocomplete="off" />
                                    </label>
                                    <button type="submit" data-step=step.code()>{move || i18n.t(step_label(step))}</button>
                                </ActionForm>
                            }
                                .into_any()
                        } else {
                            view! {
                                <ActionForm action=advance attr:class="step">
                                    <input type="hidden" name="order_id" value=id />
                                    <input type="hidden" name="step" value=step.code() />
                                    <button type="submit" data-step=step.code()>{move || i18n.t(step_label(step))}</button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                    })
                    .collect_view()}
                {card.status.is_open().then(|| view! {
                    <ActionForm action=assign attr:class="assign">
                        <input type="hidden" name="order_id" value=id_assign />
                        <label>
                            <span class="visually-hidden">{move || i18n.t(StaffMsg::Responsible)}</span>
                            <select name="staff_id">
                                {options
                                    .into_iter()
                                    .map(|s| view! {
                                        <option value=s.id.to_string() selected=Some(s.id) == chosen>
                                            {move || s.name.get(i18n.lang()).to_owned()}
                                        </option>
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <button type="submit">{move || i18n.t(StaffMsg::Assign)}</button>
                    </ActionForm>
                })}
            </div>
        </li>
    }
}
