//! Stores helping each other (rule 6, C6): a store short of a technician or of parts
//! for an order it has accepted asks from its kiosk; the stores nearby see the request
//! live, nearest first, and one accepts. A parts request becomes a transfer from the
//! helper's shelf (reserved, in transit by the next wave or a courier, received); a
//! staff request records who goes where and when. HQ sees the open requests and how
//! long every request waited.
//!
//! Every decision is [`domain::help`]'s. This module parses, authorises and shows.
//!
//! - Server functions, for a store's counter: [`get_help_board`], [`raise_help`],
//!   [`accept_help`], [`move_transfer`], [`withdraw_help`]; for HQ: [`get_help_overview`].
//! - Storage: [`HelpStorage`].
//! - Components: [`HelpBoardPage`] (`/kiosk/help`, with its [`HelpState`]), [`HqHelp`]
//!   (on HQ's routing page, with its [`HqHelpState`]).

use domain::catalog::ServiceCategory;
use domain::help::{Dispatch, HelpNeed, HelpStatus, TransferStep};
use domain::{HelpRequestId, Quantity};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, I18n, Msg, StaffMsg};
use crate::pricing::format_local;
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// A parts request's transfer, as both stores follow it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferView {
    pub step: TransferStep,
    pub dispatch: Dispatch,
    #[serde(with = "time::serde::rfc3339")]
    pub eta: OffsetDateTime,
}

/// Who goes to help, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitView {
    pub staff: String,
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

/// One request, as kiosks and HQ list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpRow {
    pub id: HelpRequestId,
    /// The store that asked.
    pub store: Named,
    pub store_id: domain::StoreId,
    /// From the store looking at it, for the nearby list.
    pub distance_m: Option<u32>,
    pub order_reference: String,
    pub plate: String,
    pub need: HelpNeed,
    /// The part's name, for a parts request.
    pub part: Option<Named>,
    pub note: Option<String>,
    pub status: HelpStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub raised_at: OffsetDateTime,
    /// Until it was answered, or until now while open.
    pub waited_minutes: u32,
    /// The store helping.
    pub helper: Option<Named>,
    pub visit: Option<VisitView>,
    pub transfer: Option<TransferView>,
}

/// A technician of the caller's store who could go to help.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Technician {
    pub id: domain::StaffId,
    pub name: String,
    pub skills: Vec<ServiceCategory>,
}

/// An order of the caller's store that help may be asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenOrder {
    pub id: domain::OrderId,
    pub reference: String,
    pub plate: String,
    /// The parts that fit its car and that it does not hold yet: what may be asked for.
    pub fitting: Vec<domain::PartId>,
}

/// What a store's help page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpBoard {
    /// The store's own requests, newest first (open and recently answered).
    pub asked: Vec<HelpRow>,
    /// Open requests of the stores nearby, nearest first.
    pub nearby: Vec<HelpRow>,
    /// Requests this store helps with whose transfer or visit is not over.
    pub helping: Vec<HelpRow>,
    pub technicians: Vec<Technician>,
    pub orders: Vec<OpenOrder>,
    /// Parts that can be asked for, by SKU.
    pub parts: Vec<(domain::PartId, String, Named)>,
}

/// How a store answers a request it accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelpAnswer {
    Parts(Dispatch),
    Staff {
        staff: domain::StaffId,
        from: OffsetDateTime,
        until: OffsetDateTime,
    },
}

/// What HQ sees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpOverview {
    /// Longest wait first.
    pub open: Vec<HelpRow>,
    /// Answered in the last days, newest first, each with how long it waited.
    pub answered: Vec<HelpRow>,
}

/// What help needs from storage. Every method takes the instant it acts at.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait HelpStorage: Send + Sync + 'static {
    /// `store` asks help for one of its orders ([`domain::help::may_raise`]); one open
    /// request per order and kind of need.
    async fn raise(
        &self,
        store: domain::StoreId,
        by: domain::StaffId,
        order: domain::OrderId,
        need: HelpNeed,
        note: Option<domain::help::HelpNote>,
        now: OffsetDateTime,
    ) -> Result<HelpRow, StorageError>;

    /// `store`'s page.
    async fn board(
        &self,
        store: domain::StoreId,
        now: OffsetDateTime,
    ) -> Result<HelpBoard, StorageError>;

    /// `store` accepts a request: under the request's lock,
    /// [`domain::help::check_accept`]; for parts, the transfer
    /// [`domain::help::parts_hold`] decides, held with the booking's guards; for staff,
    /// the visit.
    async fn accept(
        &self,
        store: domain::StoreId,
        by: domain::StaffId,
        id: HelpRequestId,
        answer: HelpAnswer,
        now: OffsetDateTime,
    ) -> Result<HelpRow, StorageError>;

    /// `store` withdraws its own open request ([`domain::help::may_withdraw`], under
    /// the request's lock); [`StorageError::NotFound`] for another store's.
    async fn withdraw(
        &self,
        store: domain::StoreId,
        id: HelpRequestId,
        now: OffsetDateTime,
    ) -> Result<HelpRow, StorageError>;

    /// A parts request's transfer moves on: the helper sends it, the store that asked
    /// receives it ([`TransferStep::advance`]); receiving puts the parts on its shelf,
    /// held for the order.
    async fn move_transfer(
        &self,
        store: domain::StoreId,
        id: HelpRequestId,
        to: TransferStep,
        now: OffsetDateTime,
    ) -> Result<HelpRow, StorageError>;

    /// HQ's view: open requests, and those answered in the last `days` days.
    async fn overview(&self, now: OffsetDateTime, days: u16) -> Result<HelpOverview, StorageError>;
}

/// The caller's store's help page (its counter).
#[server(prefix = "/api", endpoint = "help_board", output = crate::codec::JsonText)]
pub async fn get_help_board() -> Result<HelpBoard, AppError> {
    let at = crate::reception::counter().await?;
    Ok(use_storage::<dyn HelpStorage>()?
        .board(at.store, crate::clock::now())
        .await?)
}

/// Parses what a store asks for: a technician skilled in `skill`, or `quantity` of
/// `part_id`.
pub fn parse_need(
    kind: &str,
    skill: &str,
    part_id: &str,
    quantity: &str,
) -> Result<HelpNeed, AppError> {
    match kind.trim() {
        "staff" => Ok(HelpNeed::Staff {
            skill: ServiceCategory::parse(skill.trim()).ok_or(domain::Error::SkillUnknown)?,
        }),
        "parts" => Ok(HelpNeed::parts(
            domain::PartId::parse(part_id)?,
            Quantity::parse(quantity)?,
        )?),
        _ => Err(domain::Error::HelpKindUnknown.into()),
    }
}

/// The caller's store asks the stores nearby for help with one of its orders.
#[server(prefix = "/api", endpoint = "raise_help", output = crate::codec::JsonText)]
pub async fn raise_help(
    order_id: String,
    kind: String,
    skill: String,
    part_id: String,
    quantity: String,
    note: String,
) -> Result<HelpRow, AppError> {
    crate::account::session::require_same_origin()?;
    let at = crate::reception::counter().await?;
    let order = domain::OrderId::parse(&order_id)?;
    let need = parse_need(&kind, &skill, &part_id, &quantity)?;
    let note = match note.trim() {
        "" => None,
        note => Some(domain::help::HelpNote::parse(note)?),
    };
    let row = use_storage::<dyn HelpStorage>()?
        .raise(at.store, at.staff, order, need, note, crate::clock::now())
        .await?;
    tracing::info!(store = %at.store, by = %at.staff, kind = need.code(), "help asked");
    Ok(row)
}

/// The caller's store accepts a nearby store's request: parts sent by `dispatch`, or
/// the technician `staff_id` there from `from` until `until` (RFC 3339).
#[server(prefix = "/api", endpoint = "accept_help", output = crate::codec::JsonText)]
pub async fn accept_help(
    id: String,
    dispatch: String,
    staff_id: String,
    from: String,
    until: String,
) -> Result<HelpRow, AppError> {
    crate::account::session::require_same_origin()?;
    let at = crate::reception::counter().await?;
    let id = HelpRequestId::parse(&id)?;
    let answer = if staff_id.trim().is_empty() {
        HelpAnswer::Parts(Dispatch::parse(&dispatch)?)
    } else {
        let instant = |t: &str| {
            OffsetDateTime::parse(t.trim(), &time::format_description::well_known::Rfc3339)
                .map_err(|_| domain::Error::TimeInvalid)
        };
        HelpAnswer::Staff {
            staff: domain::StaffId::parse(&staff_id)?,
            from: instant(&from)?,
            until: instant(&until)?,
        }
    };
    let row = use_storage::<dyn HelpStorage>()?
        .accept(at.store, at.staff, id, answer, crate::clock::now())
        .await?;
    tracing::info!(store = %at.store, by = %at.staff, request = %id, "help accepted");
    Ok(row)
}

/// The caller's store takes back its own request while no store has answered.
#[server(prefix = "/api", endpoint = "withdraw_help", output = crate::codec::JsonText)]
pub async fn withdraw_help(id: String) -> Result<HelpRow, AppError> {
    crate::account::session::require_same_origin()?;
    let at = crate::reception::counter().await?;
    let id = HelpRequestId::parse(&id)?;
    let row = use_storage::<dyn HelpStorage>()?
        .withdraw(at.store, id, crate::clock::now())
        .await?;
    tracing::info!(store = %at.store, by = %at.staff, request = %id, "help withdrawn");
    Ok(row)
}

/// A parts request's transfer moves on: `in_transit` (the helper sent it) or
/// `received` (the store that asked has it).
#[server(prefix = "/api", endpoint = "move_transfer", output = crate::codec::JsonText)]
pub async fn move_transfer(id: String, step: String) -> Result<HelpRow, AppError> {
    crate::account::session::require_same_origin()?;
    let at = crate::reception::counter().await?;
    let id = HelpRequestId::parse(&id)?;
    let step = match step.trim() {
        "in_transit" => TransferStep::InTransit,
        "received" => TransferStep::Received,
        _ => return Err(domain::Error::StepOutOfOrder.into()),
    };
    Ok(use_storage::<dyn HelpStorage>()?
        .move_transfer(at.store, id, step, crate::clock::now())
        .await?)
}

/// How many days back HQ's view of answered requests reaches.
pub const OVERVIEW_DAYS: u16 = 7;

/// HQ's view of help between stores (HQ staff).
#[server(prefix = "/api", endpoint = "help_overview", output = crate::codec::JsonText)]
pub async fn get_help_overview() -> Result<HelpOverview, AppError> {
    crate::account::session::require(domain::Principal::works_at_hq).await?;
    Ok(use_storage::<dyn HelpStorage>()?
        .overview(crate::clock::now(), OVERVIEW_DAYS)
        .await?)
}

pub(crate) fn skill_label(skill: ServiceCategory) -> Msg {
    crate::pricing::category_label(skill)
}

/// What a request asks for, in a line.
fn need_line(i18n: I18n, row: &HelpRow) -> impl IntoView {
    match row.need {
        HelpNeed::Staff { skill } => {
            view! { {move || i18n.t(StaffMsg::HelpTechnician)} " · " {move || i18n.t(skill_label(skill))} }
                .into_any()
        }
        HelpNeed::Parts { quantity, .. } => {
            let part = row.part.clone();
            view! {
                {move || part.as_ref().map(|p| p.get(i18n.lang()).to_owned())} " × " {quantity.to_string()}
            }
            .into_any()
        }
    }
}

fn step_label(step: TransferStep) -> StaffMsg {
    match step {
        TransferStep::Reserved => StaffMsg::TransferReserved,
        TransferStep::InTransit => StaffMsg::TransferInTransit,
        TransferStep::Received => StaffMsg::TransferReceived,
    }
}

/// Where an accepted request stands: the helper, the visit or the transfer.
fn answer_line(i18n: I18n, row: &HelpRow) -> impl IntoView {
    let helper = row.helper.clone();
    let visit = row.visit.clone().map(|v| {
        view! {
            <span class="visit">{v.staff.clone()} " · " {format_local(v.from)} " – " {format_local(v.until)}</span>
        }
    });
    let transfer = row.transfer.as_ref().map(|t| {
        let (step, eta) = (t.step, t.eta);
        view! {
            <span class="transfer" data-step=step.code()>
                {move || i18n.t(step_label(step))} " · " {move || i18n.t(StaffMsg::Eta)} " " {format_local(eta)}
            </span>
        }
    });
    view! {
        <p class="answer">
            {move || helper.as_ref().map(|h| h.get(i18n.lang()).to_owned())} " " {visit} {transfer}
        </p>
    }
}

/// The resources of [`HelpBoardPage`], made by the kiosk outside its unlock gate.
#[derive(Clone, Copy)]
pub struct HelpState {
    board: Resource<Result<Option<HelpBoard>, AppError>>,
    raise: ServerAction<RaiseHelp>,
    accept: ServerAction<AcceptHelp>,
    step: ServerAction<MoveTransfer>,
    withdraw: ServerAction<WithdrawHelp>,
}

impl HelpState {
    pub fn new() -> HelpState {
        let location = leptos_router::hooks::use_location();
        let on_page = Memo::new(move |_| location.pathname.read().starts_with("/kiosk/help"));
        let live = crate::live::use_live();
        let me = crate::account::use_me_context();
        let raise = ServerAction::<RaiseHelp>::new();
        let accept = ServerAction::<AcceptHelp>::new();
        let step = ServerAction::<MoveTransfer>::new();
        let withdraw = ServerAction::<WithdrawHelp>::new();
        let board = Resource::new(
            move || {
                (
                    me.session(),
                    on_page.get(),
                    raise.version().get(),
                    accept.version().get(),
                    step.version().get(),
                    withdraw.version().get(),
                    // A request raised or answered nearby, a transfer moved.
                    live.help.get(),
                )
            },
            |(_, on_page, ..)| async move {
                if on_page {
                    get_help_board().await.map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        HelpState {
            board,
            raise,
            accept,
            step,
            withdraw,
        }
    }
}

impl Default for HelpState {
    fn default() -> Self {
        HelpState::new()
    }
}

/// `/kiosk/help`: ask the stores nearby for help, and help them.
#[component]
pub fn HelpBoardPage(state: HelpState) -> impl IntoView {
    let i18n = use_i18n();
    let HelpState {
        board,
        raise,
        accept,
        step,
        withdraw,
    } = state;
    view! {
        <section class="help-page">
            <h1>{move || i18n.t(StaffMsg::HelpTitle)}</h1>
            <p class="hint">{move || i18n.t(StaffMsg::HelpHint)}</p>
            {move || raise.value().get().and_then(Result::err).map(error_view)}
            {move || accept.value().get().and_then(Result::err).map(error_view)}
            {move || step.value().get().and_then(Result::err).map(error_view)}
            {move || withdraw.value().get().and_then(Result::err).map(error_view)}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match board.await {
                        Ok(Some(board)) => {
                            board_view(i18n, board, raise, accept, (step, withdraw)).into_any()
                        }
                        Ok(None) => ().into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The page once read. A plain function given `i18n`.
fn board_view(
    i18n: I18n,
    board: HelpBoard,
    raise: ServerAction<RaiseHelp>,
    accept: ServerAction<AcceptHelp>,
    (step, withdraw): (ServerAction<MoveTransfer>, ServerAction<WithdrawHelp>),
) -> impl IntoView {
    let orders = board
        .orders
        .iter()
        .map(|o| view! { <option value=o.id.to_string()>{o.reference.clone()} " · " {o.plate.clone()}</option> })
        .collect_view();
    // The parts offered are those that fit the chosen order's car.
    let chosen = RwSignal::new(
        board
            .orders
            .first()
            .map(|o| o.id.to_string())
            .unwrap_or_default(),
    );
    let fitting = StoredValue::new(
        board
            .orders
            .iter()
            .map(|o| (o.id.to_string(), o.fitting.clone()))
            .collect::<Vec<_>>(),
    );
    let all_parts = StoredValue::new(board.parts.clone());
    let skills = ServiceCategory::ALL
        .into_iter()
        .map(|c| view! { <option value=c.code()>{move || i18n.t(skill_label(c))}</option> })
        .collect_view();
    let parts = move || {
        let order = chosen.get();
        let fits = fitting.with_value(|f| {
            f.iter()
                .find(|(id, _)| *id == order)
                .map(|(_, parts)| parts.clone())
                .unwrap_or_default()
        });
        all_parts.with_value(|all| {
            all.iter()
                .filter(|(id, ..)| fits.contains(id))
                .map(|(id, sku, name)| {
                    let name = name.clone();
                    view! { <option value=id.to_string() data-sku=sku.clone()>{sku.clone()} " · " {move || name.get(i18n.lang()).to_owned()}</option> }
                })
                .collect_view()
        })
    };
    let kind = RwSignal::new("staff".to_owned());
    let technicians = board.technicians.clone();
    let nearby = board
        .nearby
        .into_iter()
        .map(|row| nearby_view(i18n, row, &technicians, accept))
        .collect_view();
    let asked = board
        .asked
        .into_iter()
        .map(|row| {
            let receive = row.transfer.as_ref().is_some_and(|t| t.step != TransferStep::Received);
            let open = row.status == HelpStatus::Open;
            let id = row.id.to_string();
            let withdraw_id = id.clone();
            view! {
                <li class="help-item" data-status=row.status.code() data-order=row.order_reference.clone()>
                    <strong>{row.order_reference.clone()}</strong> " " {need_line(i18n, &row)}
                    " · " {move || i18n.t(StaffMsg::Waited)} " " {row.waited_minutes} " min"
                    {answer_line(i18n, &row)}
                    {open.then(|| view! {
                        <ActionForm action=withdraw attr:class="withdraw-form">
                            <input type="hidden" name="id" value=withdraw_id.clone() />
                            <button type="submit" class="withdraw">{move || i18n.t(StaffMsg::HelpWithdraw)}</button>
                        </ActionForm>
                    })}
                    {receive.then(|| view! {
                        <ActionForm action=step attr:class="receive-form">
                            <input type="hidden" name="id" value=id.clone() />
                            <input type="hidden" name="step" value="received" />
                            <button type="submit" class="receive">{move || i18n.t(StaffMsg::MarkReceived)}</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    let helping = board
        .helping
        .into_iter()
        .map(|row| {
            let send = row.transfer.as_ref().is_some_and(|t| t.step == TransferStep::Reserved);
            let id = row.id.to_string();
            let store = row.store.clone();
            view! {
                <li class="help-item helping" data-order=row.order_reference.clone()>
                    <strong>{move || store.get(i18n.lang()).to_owned()}</strong> " " {need_line(i18n, &row)}
                    {answer_line(i18n, &row)}
                    {send.then(|| view! {
                        <ActionForm action=step attr:class="send-form">
                            <input type="hidden" name="id" value=id.clone() />
                            <input type="hidden" name="step" value="in_transit" />
                            <button type="submit" class="send">{move || i18n.t(StaffMsg::MarkSent)}</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <h2>{move || i18n.t(StaffMsg::HelpAsk)}</h2>
        <ActionForm action=raise attr:class="raise-form">
            <label>
                <span>{move || i18n.t(StaffMsg::HelpForOrder)}</span>
                <select name="order_id" on:change=move |ev| chosen.set(event_target_value(&ev))>{orders}</select>
            </label>
            <fieldset class="help-kind">
                <legend>{move || i18n.t(StaffMsg::HelpShortOf)}</legend>
                <label class="choice">
                    <input type="radio" name="kind" value="staff" checked=true on:change=move |_| kind.set("staff".into()) />
                    <span>{move || i18n.t(StaffMsg::HelpTechnician)}</span>
                </label>
                <label class="choice">
                    <input type="radio" name="kind" value="parts" on:change=move |_| kind.set("parts".into()) />
                    <span>{move || i18n.t(StaffMsg::Parts)}</span>
                </label>
            </fieldset>
            <label hidden=move || kind.get() != "staff">
                <span>{move || i18n.t(StaffMsg::HelpSkill)}</span>
                <select name="skill">{skills}</select>
            </label>
            <label hidden=move || kind.get() != "parts">
                <span>{move || i18n.t(StaffMsg::Part)}</span>
                <select name="part_id">{parts}</select>
            </label>
            <label hidden=move || kind.get() != "parts">
                <span>{move || i18n.t(StaffMsg::PartQuantity)}</span>
                <input type="text" name="quantity" inputmode="decimal" value="1" />
            </label>
            <label>
                <span>{move || i18n.t(StaffMsg::DeclineNote)}</span>
                <input type="text" name="note" maxlength="200" autocomplete="off" />
            </label>
            <button type="submit" class="raise" disabled=move || raise.pending().get()>{move || i18n.t(StaffMsg::HelpSend)}</button>
        </ActionForm>
        <h2>{move || i18n.t(StaffMsg::HelpAsked)}</h2>
        <ul class="help-list asked">{asked}</ul>
        <h2>{move || i18n.t(StaffMsg::HelpNearby)}</h2>
        <ul class="help-list nearby">{nearby}</ul>
        <h2>{move || i18n.t(StaffMsg::HelpHelping)}</h2>
        <ul class="help-list helping">{helping}</ul>
    }
}

/// A nearby store's open request, with the form that accepts it.
fn nearby_view(
    i18n: I18n,
    row: HelpRow,
    technicians: &[Technician],
    accept: ServerAction<AcceptHelp>,
) -> impl IntoView {
    let store = row.store.clone();
    let id = row.id.to_string();
    let km = row
        .distance_m
        .map(|m| format!("{:.1} km", f64::from(m) / 1000.0));
    let answer = match row.need {
        HelpNeed::Parts { .. } => view! {
            <fieldset class="dispatch">
                <legend>{move || i18n.t(StaffMsg::HelpSendBy)}</legend>
                <label class="choice">
                    <input type="radio" name="dispatch" value="wave" checked=true />
                    <span>{move || i18n.t(StaffMsg::ByWave)}</span>
                </label>
                <label class="choice">
                    <input type="radio" name="dispatch" value="courier" />
                    <span>{move || i18n.t(StaffMsg::ByCourier)}</span>
                </label>
            </fieldset>
            <input type="hidden" name="staff_id" value="" />
            <input type="hidden" name="from" value="" />
            <input type="hidden" name="until" value="" />
        }
        .into_any(),
        HelpNeed::Staff { skill } => {
            let options = technicians
                .iter()
                .filter(|t| t.skills.contains(&skill))
                .map(|t| view! { <option value=t.id.to_string()>{t.name.clone()}</option> })
                .collect_view();
            let now = crate::clock::now();
            let rfc = |t: OffsetDateTime| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            };
            view! {
                <input type="hidden" name="dispatch" value="" />
                <label>
                    <span>{move || i18n.t(StaffMsg::HelpWhoGoes)}</span>
                    <select name="staff_id">{options}</select>
                </label>
                <input type="hidden" name="from" value=rfc(now) />
                <input type="hidden" name="until" value=rfc(now + time::Duration::hours(4)) />
                <p class="hint">{move || i18n.t(StaffMsg::HelpFourHours)}</p>
            }
            .into_any()
        }
    };
    view! {
        <li class="help-item" data-order=row.order_reference.clone() data-store=row.store_id.to_string()>
            <header>
                <strong>{move || store.get(i18n.lang()).to_owned()}</strong> " " {km}
                " · " {move || i18n.t(StaffMsg::Waited)} " " {row.waited_minutes} " min"
            </header>
            <p class="need">{need_line(i18n, &row)} " · " {row.plate.clone()}</p>
            {row.note.clone().map(|n| view! { <p class="note">{n}</p> })}
            <ActionForm action=accept attr:class="accept-help-form">
                <input type="hidden" name="id" value=id />
                {answer}
                <button type="submit" class="accept-help" disabled=move || accept.pending().get()>
                    {move || i18n.t(StaffMsg::HelpAccept)}
                </button>
            </ActionForm>
        </li>
    }
}

/// The resource of [`HqHelp`], made outside the sign-in gate.
#[derive(Clone, Copy)]
pub struct HqHelpState {
    overview: Resource<Result<HelpOverview, AppError>>,
}

impl HqHelpState {
    pub fn new() -> HqHelpState {
        let live = crate::live::use_live();
        let me = crate::account::use_me_context();
        let overview = Resource::new(
            // HQ's stream carries every store's events.
            move || (me.session(), live.help.get()),
            |_| get_help_overview(),
        );
        HqHelpState { overview }
    }
}

impl Default for HqHelpState {
    fn default() -> Self {
        HqHelpState::new()
    }
}

/// HQ's table of help requests: open ones first, longest wait first.
#[component]
pub fn HqHelp(state: HqHelpState) -> impl IntoView {
    let i18n = use_i18n();
    let HqHelpState { overview } = state;
    let rows = move |rows: Vec<HelpRow>| {
        rows.into_iter()
            .map(|row| {
                let store = row.store.clone();
                view! {
                    <tr data-order=row.order_reference.clone() data-status=row.status.code()>
                        <td>{move || store.get(i18n.lang()).to_owned()}</td>
                        <td>{row.order_reference.clone()}</td>
                        <td>{need_line(i18n, &row)}</td>
                        <td class="waited">{row.waited_minutes}</td>
                        <td>{answer_line(i18n, &row)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let head = move || {
        view! {
            <tr>
                <th scope="col">{move || i18n.t(StaffMsg::HelpAskedBy)}</th>
                <th scope="col">{move || i18n.t(StaffMsg::HelpForOrder)}</th>
                <th scope="col">{move || i18n.t(StaffMsg::HelpShortOf)}</th>
                <th scope="col">{move || i18n.t(StaffMsg::WaitedMinutes)}</th>
                <th scope="col">{move || i18n.t(StaffMsg::HelpAnswer)}</th>
            </tr>
        }
    };
    view! {
        <section class="hq-help">
            <h2>{move || i18n.t(StaffMsg::HelpOpen)}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! {
                            <table class="help-table open"><thead>{head()}</thead><tbody>{rows(o.open)}</tbody></table>
                            <h2>{move || i18n.t(StaffMsg::HelpAnswered)}</h2>
                            <table class="help-table answered"><thead>{head()}</thead><tbody>{rows(o.answered)}</tbody></table>
                        }
                        .into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
