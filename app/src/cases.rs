//! After-sales cases (rule 7, C8): a complaint, taken on a follow-up call or answered
//! online, opens a case with an owner and a deadline. The store records the steps it
//! takes and a resolution; the customer confirms it on their own page, or says it is not
//! resolved and the case opens again. A case past its deadline shows as the store
//! manager's, then HQ's. Every rule is [`domain::cases`]'s.
//!
//! - Server functions: for a store's counter [`get_store_cases`], [`act_on_case`]; for
//!   the customer [`get_my_cases`], [`answer_case`]; for HQ [`get_hq_cases`].
//! - Storage: [`CaseStorage`].
//! - Components: [`CasesPage`] (`/kiosk/cases`, with its [`CasesState`]),
//!   [`MyCases`] (on the customer's garage, with its [`MyCasesState`]), [`HqCases`] (HQ's after-sales page, with its
//!   [`HqCasesState`]).

use domain::cases::{CaseStatus, Escalation};
use domain::CaseId;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, FollowMsg, I18n, Msg};
use crate::pricing::format_local;
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// One thing that happened to a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStepView {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// `opened`, `step`, `resolve`, `confirm` or `reopen`.
    pub action: String,
    pub note: Option<String>,
    /// The staff member; `None` for the customer's own answer.
    pub by: Option<Named>,
}

/// A case as the store, the customer and HQ see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub id: CaseId,
    pub store: Named,
    pub customer: domain::CustomerId,
    pub customer_name: Named,
    pub phone: String,
    pub plate: String,
    pub order_reference: String,
    pub complaint: String,
    pub owner: Named,
    pub status: CaseStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub deadline: OffsetDateTime,
    /// Who must look at it now ([`domain::cases::escalation`]).
    pub escalation: Escalation,
    pub resolution: Option<String>,
    /// Oldest first.
    pub steps: Vec<CaseStepView>,
}

/// Who acts on a case: staff of its store, or its customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseActor {
    Staff {
        store: domain::StoreId,
        id: domain::StaffId,
    },
    Customer(domain::CustomerId),
}

/// What cases need from storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait CaseStorage: Send + Sync + 'static {
    /// `store`'s cases: every open or unconfirmed one, and those confirmed in the last
    /// 30 days; the most escalated first, then by deadline.
    async fn store_cases(
        &self,
        store: domain::StoreId,
        now: OffsetDateTime,
    ) -> Result<Vec<CaseView>, StorageError>;

    /// The customer's own cases, newest first.
    async fn customer_cases(
        &self,
        customer: domain::CustomerId,
        now: OffsetDateTime,
    ) -> Result<Vec<CaseView>, StorageError>;

    /// Every case not yet confirmed, chain-wide, the most escalated first.
    async fn open_cases(&self, now: OffsetDateTime) -> Result<Vec<CaseView>, StorageError>;

    /// `actor` acts on a case, under its row's lock ([`domain::cases::next`]): staff
    /// record steps and the resolution of their store's cases; the customer confirms
    /// or reopens their own. [`StorageError::NotFound`] for anyone else's case, and
    /// [`domain::Error::CaseNotYours`] for an action that is not the actor's to take.
    async fn act(
        &self,
        id: CaseId,
        actor: CaseActor,
        action: &domain::cases::CaseAction,
        now: OffsetDateTime,
    ) -> Result<CaseView, StorageError>;
}

/// Parses a case action from a form: `step`, `resolve` or `reopen` with its text, or
/// `confirm`.
pub fn parse_action(action: &str, text: &str) -> Result<domain::cases::CaseAction, AppError> {
    use domain::cases::{CaseAction, CaseText};
    Ok(match action.trim() {
        "step" => CaseAction::Step(CaseText::parse(text)?),
        "resolve" => CaseAction::Resolve(CaseText::parse(text)?),
        "reopen" => CaseAction::Reopen(CaseText::parse(text)?),
        "confirm" => CaseAction::Confirm,
        _ => return Err(domain::Error::CaseActionUnknown.into()),
    })
}

/// The caller's store's cases (its counter).
#[server(prefix = "/api", endpoint = "store_cases", output = crate::codec::JsonText)]
pub async fn get_store_cases() -> Result<Vec<CaseView>, AppError> {
    let at = crate::reception::counter().await?;
    Ok(use_storage::<dyn CaseStorage>()?
        .store_cases(at.store, crate::clock::now())
        .await?)
}

/// A store records a step taken on one of its cases, or its resolution.
#[server(prefix = "/api", endpoint = "act_on_case", output = crate::codec::JsonText)]
pub async fn act_on_case(
    id: String,
    action: String,
    #[server(default)] text: String,
) -> Result<CaseView, AppError> {
    crate::account::session::require_same_origin()?;
    let at = crate::reception::counter().await?;
    let id = CaseId::parse(&id)?;
    let action = parse_action(&action, &text)?;
    let actor = CaseActor::Staff {
        store: at.store,
        id: at.staff,
    };
    let case = use_storage::<dyn CaseStorage>()?
        .act(id, actor, &action, crate::clock::now())
        .await?;
    tracing::info!(store = %at.store, by = %at.staff, case = %id, "case moved");
    Ok(case)
}

/// The signed-in customer's cases.
#[server(prefix = "/api", endpoint = "my_cases", output = crate::codec::JsonText)]
pub async fn get_my_cases() -> Result<Vec<CaseView>, AppError> {
    let customer = crate::account::session::require_customer().await?;
    Ok(use_storage::<dyn CaseStorage>()?
        .customer_cases(customer, crate::clock::now())
        .await?)
}

/// The customer confirms a case's resolution, or reopens it saying why.
#[server(prefix = "/api", endpoint = "answer_case", output = crate::codec::JsonText)]
pub async fn answer_case(
    id: String,
    action: String,
    #[server(default)] text: String,
) -> Result<CaseView, AppError> {
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let id = CaseId::parse(&id)?;
    let action = parse_action(&action, &text)?;
    let case = use_storage::<dyn CaseStorage>()?
        .act(
            id,
            CaseActor::Customer(customer),
            &action,
            crate::clock::now(),
        )
        .await?;
    tracing::info!(%customer, case = %id, "case answered by its customer");
    Ok(case)
}

/// Every case not yet confirmed, chain-wide (HQ staff).
#[server(prefix = "/api", endpoint = "hq_cases", output = crate::codec::JsonText)]
pub async fn get_hq_cases() -> Result<Vec<CaseView>, AppError> {
    crate::account::session::require(domain::Principal::works_at_hq).await?;
    Ok(use_storage::<dyn CaseStorage>()?
        .open_cases(crate::clock::now())
        .await?)
}

fn status_label(s: CaseStatus) -> FollowMsg {
    match s {
        CaseStatus::Open => FollowMsg::CaseOpen,
        CaseStatus::Resolved => FollowMsg::CaseResolved,
        CaseStatus::Confirmed => FollowMsg::CaseConfirmed,
    }
}

fn escalation_label(e: Escalation) -> FollowMsg {
    match e {
        Escalation::Owner => FollowMsg::EscalationOwner,
        Escalation::StoreManager => FollowMsg::EscalationManager,
        Escalation::Hq => FollowMsg::EscalationHq,
    }
}

fn action_label(action: &str) -> FollowMsg {
    match action {
        "opened" => FollowMsg::StepOpened,
        "resolve" => FollowMsg::StepResolved,
        "confirm" => FollowMsg::StepConfirmed,
        "reopen" => FollowMsg::StepReopened,
        _ => FollowMsg::StepTaken,
    }
}

/// A case's head and its steps, oldest first.
fn case_body(i18n: I18n, case: &CaseView) -> impl IntoView {
    let status = case.status;
    let escalation = case.escalation;
    let owner = case.owner.clone();
    let store = case.store.clone();
    let steps = case
        .steps
        .iter()
        .map(|s| {
            let action = s.action.clone();
            let by = s.by.clone();
            view! {
                <li data-action=s.action.clone()>
                    <time>{format_local(s.at)}</time> " · "
                    <strong>{move || i18n.t(action_label(&action))}</strong>
                    {move || by.as_ref().map(|b| format!(" · {}", b.get(i18n.lang())))}
                    {s.note.clone().map(|n| view! { <p class="note">{n}</p> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <header>
            <span class="case-status" data-status=status.code()>{move || i18n.t(status_label(status))}</span>
            <span class="escalation" data-escalation=escalation.code()>{move || i18n.t(escalation_label(escalation))}</span>
            " · " <span class="store">{move || store.get(i18n.lang()).to_owned()}</span>
            " · " <span class="reference">{case.order_reference.clone()}</span>
            " · " <span class="plate">{case.plate.clone()}</span>
        </header>
        <p class="complaint">{case.complaint.clone()}</p>
        <p class="owner">
            {move || i18n.t(FollowMsg::CaseOwner)} " " {move || owner.get(i18n.lang()).to_owned()}
            " · " {move || i18n.t(FollowMsg::CaseDeadline)} " " {format_local(case.deadline)}
        </p>
        <ol class="case-steps">{steps}</ol>
    }
}

/// The resources of [`CasesPage`], made by the kiosk outside its unlock gate.
#[derive(Clone, Copy)]
pub struct CasesState {
    cases: Resource<Result<Option<Vec<CaseView>>, AppError>>,
    act: ServerAction<ActOnCase>,
}

impl CasesState {
    pub fn new() -> CasesState {
        let location = leptos_router::hooks::use_location();
        let on_page = Memo::new(move |_| location.pathname.read().starts_with("/kiosk/cases"));
        let live = crate::live::use_live();
        let me = crate::account::use_me_context();
        let act = ServerAction::<ActOnCase>::new();
        let cases = Resource::new(
            move || {
                (
                    me.session(),
                    on_page.get(),
                    act.version().get(),
                    live.followups.get(),
                )
            },
            |(_, on_page, ..)| async move {
                if on_page {
                    get_store_cases().await.map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        CasesState { cases, act }
    }
}

impl Default for CasesState {
    fn default() -> Self {
        CasesState::new()
    }
}

/// `/kiosk/cases`: the store's after-sales cases, each with its steps, and the forms
/// that add a step or record the resolution.
#[component]
pub fn CasesPage(state: CasesState) -> impl IntoView {
    let i18n = use_i18n();
    let CasesState { cases, act } = state;
    view! {
        <section class="cases-page">
            <h1>{move || i18n.t(FollowMsg::CasesTitle)}</h1>
            <p class="hint">{move || i18n.t(FollowMsg::CasesHint)}</p>
            {move || act.value().get().and_then(Result::err).map(error_view)}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match cases.await {
                        Ok(Some(list)) if list.is_empty() => {
                            view! { <p class="empty">{move || i18n.t(FollowMsg::NoCases)}</p> }.into_any()
                        }
                        Ok(Some(list)) => view! {
                            <ul class="case-list">
                                {list.into_iter().map(|c| store_case(i18n, c, act)).collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn store_case(i18n: I18n, case: CaseView, act: ServerAction<ActOnCase>) -> impl IntoView {
    let open = case.status == CaseStatus::Open;
    let id = case.id.to_string();
    let name = case.customer_name.clone();
    let file = format!("/kiosk/customers/{}", case.customer);
    view! {
        <li class="case" data-id=case.id.to_string() data-status=case.status.code()>
            <p class="who">
                <a href=file>{move || name.get(i18n.lang()).to_owned()}</a>
                " · " <a href=format!("tel:{}", case.phone)>{case.phone.clone()}</a>
            </p>
            {case_body(i18n, &case)}
            {case.resolution.clone().map(|r| view! {
                <p class="resolution">{move || i18n.t(FollowMsg::Resolution)} ": " {r.clone()}</p>
            })}
            {open.then(|| view! {
                <ActionForm action=act attr:class="case-form">
                    <input type="hidden" name="id" value=id.clone() />
                    <label>
                        <span>{move || i18n.t(FollowMsg::CaseNote)}</span>
                        <textarea name="text" maxlength="500" rows="2"></textarea>
                    </label>
                    <div class="case-actions">
                        <button type="submit" name="action" value="step" class="add-step">
                            {move || i18n.t(FollowMsg::AddStep)}
                        </button>
                        <button type="submit" name="action" value="resolve" class="resolve">
                            {move || i18n.t(FollowMsg::Resolve)}
                        </button>
                    </div>
                </ActionForm>
            })}
        </li>
    }
}

/// The resources of [`MyCases`], made outside the garage's sign-in gate.
#[derive(Clone, Copy)]
pub struct MyCasesState {
    cases: Resource<Result<Vec<CaseView>, AppError>>,
    answer: ServerAction<AnswerCase>,
}

impl MyCasesState {
    pub fn new() -> MyCasesState {
        let answer = ServerAction::<AnswerCase>::new();
        let live = crate::live::use_live();
        let me = crate::account::use_me_context();
        let cases = Resource::new(
            // The store's steps and resolution arrive live.
            move || (me.session(), answer.version().get(), live.orders.get()),
            |_| get_my_cases(),
        );
        MyCasesState { cases, answer }
    }
}

impl Default for MyCasesState {
    fn default() -> Self {
        MyCasesState::new()
    }
}

/// The customer's cases on their garage: confirm a resolution, or say it is not
/// resolved.
#[component]
pub fn MyCases(state: MyCasesState) -> impl IntoView {
    let i18n = use_i18n();
    let MyCasesState { cases, answer } = state;
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match cases.await {
                    Ok(list) if list.is_empty() => ().into_any(),
                    Ok(list) => view! {
                        <section class="my-cases" aria-labelledby="my-cases-h">
                            <h2 id="my-cases-h">{move || i18n.t(FollowMsg::MyCases)}</h2>
                            {move || answer.value().get().and_then(Result::err).map(error_view)}
                            <ul class="case-list">
                                {list.into_iter().map(|c| my_case(i18n, c, answer)).collect_view()}
                            </ul>
                        </section>
                    }
                    .into_any(),
                    Err(_) => ().into_any(),
                }
            })}
        </Transition>
    }
}

fn my_case(i18n: I18n, case: CaseView, answer: ServerAction<AnswerCase>) -> impl IntoView {
    let resolved = case.status == CaseStatus::Resolved;
    let id = case.id.to_string();
    view! {
        <li class="case" data-id=case.id.to_string() data-status=case.status.code()>
            {case_body(i18n, &case)}
            {case.resolution.clone().map(|r| view! {
                <p class="resolution">{move || i18n.t(FollowMsg::Resolution)} ": " {r.clone()}</p>
            })}
            {resolved.then(|| view! {
                <ActionForm action=answer attr:class="answer-case-form">
                    <input type="hidden" name="id" value=id.clone() />
                    <button type="submit" name="action" value="confirm" class="confirm-case">
                        {move || i18n.t(FollowMsg::ConfirmResolved)}
                    </button>
                    <label>
                        <span>{move || i18n.t(FollowMsg::NotResolvedWhy)}</span>
                        <textarea name="text" maxlength="500" rows="2"></textarea>
                    </label>
                    <button type="submit" name="action" value="reopen" class="reopen-case">
                        {move || i18n.t(FollowMsg::NotResolved)}
                    </button>
                </ActionForm>
            })}
        </li>
    }
}

/// The resource of [`HqCases`], made outside the sign-in gate.
#[derive(Clone, Copy)]
pub struct HqCasesState {
    cases: Resource<Result<Vec<CaseView>, AppError>>,
}

impl HqCasesState {
    pub fn new() -> HqCasesState {
        let live = crate::live::use_live();
        let me = crate::account::use_me_context();
        // HQ's stream carries every store's events.
        let cases = Resource::new(
            move || (me.session(), live.followups.get()),
            |_| get_hq_cases(),
        );
        HqCasesState { cases }
    }
}

impl Default for HqCasesState {
    fn default() -> Self {
        HqCasesState::new()
    }
}

/// HQ's list of every case not yet confirmed, the most escalated first.
#[component]
pub fn HqCases(state: HqCasesState) -> impl IntoView {
    let i18n = use_i18n();
    let HqCasesState { cases } = state;
    view! {
        <section class="hq-cases">
            <h2>{move || i18n.t(FollowMsg::CasesTitle)}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match cases.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="empty">{move || i18n.t(FollowMsg::NoCases)}</p> }.into_any()
                        }
                        Ok(list) => view! {
                            <ul class="case-list">
                                {list.iter().map(|c| view! {
                                    <li class="case" data-id=c.id.to_string() data-escalation=c.escalation.code()>
                                        {case_body(i18n, c)}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
