//! Knowing each customer (rule 8, C9): their lifecycle stage and value class, computed
//! by [`domain::lifecycle`] from their events with the thresholds HQ sets; recomputed
//! when one of their events arrives (a booking, a handover, a car added) and every
//! night; every change kept, so a store sees who moved from A to B this month.
//!
//! - Server functions: for HQ [`get_standing_settings`], [`set_standing_thresholds`],
//!   [`customer_mix`]; for a store's counter and HQ [`class_movements`]; for the counter
//!   [`mark_customer_lost`] (with its [`mark_lost_form`] on the customer 360).
//! - Storage: [`StandingStorage`].
//! - Components: [`HqCustomers`] (HQ's `/hq/customers`, with its [`HqCustomersState`]),
//!   [`Movements`] (on the kiosk's follow-up page).

use domain::lifecycle::{
    ClassMinimum, ClassThresholds, LostReason, Stage, StageThresholds, ValueClass,
};
use domain::{CustomerId, Money};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, FollowMsg, I18n, Msg};
use crate::pricing::format_local;
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// HQ's thresholds for stages and classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    pub stages: StageThresholds,
    pub classes: ClassThresholds,
}

/// How many customers a recomputation read, and how many moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recomputed {
    pub customers: u32,
    pub changed: u32,
}

/// A customer who moved between classes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub customer: CustomerId,
    pub name: Named,
    pub phone: String,
    pub from: Option<ValueClass>,
    pub to: ValueClass,
    pub stage: Stage,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// HQ's page: the thresholds, and how many customers are in each stage and class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingSettings {
    pub thresholds: Thresholds,
    /// Customers per stage and class (absent pairs have none).
    pub mix: Vec<(Stage, ValueClass, u32)>,
    /// Class moves since the first of this month, as (from, to, how many).
    pub moves: Vec<(Option<ValueClass>, ValueClass, u32)>,
}

/// What knowing the customer needs from storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait StandingStorage: Send + Sync + 'static {
    async fn thresholds(&self) -> Result<Thresholds, StorageError>;

    /// Sets HQ's thresholds and recomputes every customer with them.
    async fn set_thresholds(
        &self,
        thresholds: &Thresholds,
        by: domain::StaffId,
        now: OffsetDateTime,
    ) -> Result<Recomputed, StorageError>;

    /// Recomputes every customer's standing at `now`, a page of customers at a time,
    /// writing only what changed (and its history row). Running it twice changes
    /// nothing the second time.
    async fn recompute_all(&self, now: OffsetDateTime) -> Result<Recomputed, StorageError>;

    /// The nightly run: claims `now`'s local day (one instance runs it), then
    /// [`StandingStorage::recompute_all`]; `None` when the day's run was already made.
    async fn nightly(&self, now: OffsetDateTime) -> Result<Option<Recomputed>, StorageError>;

    /// Class moves since `since`: a store's customers (those it has served), or the
    /// chain's; newest first, at most `limit`.
    async fn movements(
        &self,
        store: Option<domain::StoreId>,
        since: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Movement>, StorageError>;

    /// HQ's page.
    async fn settings(&self, now: OffsetDateTime) -> Result<StandingSettings, StorageError>;

    /// Staff record why a lead or prospect will not come; their stage is recomputed.
    async fn mark_lost(
        &self,
        customer: CustomerId,
        reason: LostReason,
        now: OffsetDateTime,
    ) -> Result<domain::lifecycle::Standing, StorageError>;
}

/// How many moves a page lists.
pub const MOVES_SHOWN: u32 = 50;

/// The first instant of `now`'s local month.
pub fn month_start(now: OffsetDateTime) -> OffsetDateTime {
    let today = domain::local_time::local_date(now);
    let first = today.replace_day(1).unwrap_or(today);
    domain::local_time::at_local_minute(first, 0)
}

/// HQ's thresholds and the chain's mix (HQ staff).
#[server(prefix = "/api", endpoint = "standing_settings", output = crate::codec::JsonText)]
pub async fn get_standing_settings() -> Result<StandingSettings, AppError> {
    crate::account::session::require(domain::Principal::works_at_hq).await?;
    Ok(use_storage::<dyn StandingStorage>()?
        .settings(crate::clock::now())
        .await?)
}

/// One class's minimum as a form sends it: `recency` days, `visits`, `spent` yuan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinimumForm {
    #[serde(default)]
    pub recency: String,
    #[serde(default)]
    pub visits: String,
    #[serde(default)]
    pub spent: String,
}

/// The thresholds as HQ's form sends them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThresholdsForm {
    #[serde(default)]
    pub active_days: String,
    #[serde(default)]
    pub lost_days: String,
    #[serde(default)]
    pub lead_days: String,
    #[serde(default)]
    pub a: MinimumForm,
    #[serde(default)]
    pub b: MinimumForm,
    #[serde(default)]
    pub c: MinimumForm,
}

impl ThresholdsForm {
    /// Parses every field, then lets the domain check they run forwards.
    pub fn parse(&self) -> Result<Thresholds, domain::Error> {
        let days = |s: &str| -> Result<u16, domain::Error> {
            s.trim()
                .parse()
                .map_err(|_| domain::Error::ThresholdsInvalid)
        };
        let minimum = |m: &MinimumForm| -> Result<ClassMinimum, domain::Error> {
            Ok(ClassMinimum {
                recency_days: days(&m.recency)?,
                visits: days(&m.visits)?,
                spent: domain::money::parse_yuan(&m.spent)
                    .map_err(|_| domain::Error::ThresholdsInvalid)?,
            })
        };
        Ok(Thresholds {
            stages: StageThresholds::new(
                days(&self.active_days)?,
                days(&self.lost_days)?,
                days(&self.lead_days)?,
            )?,
            classes: ClassThresholds::new(minimum(&self.a)?, minimum(&self.b)?, minimum(&self.c)?)?,
        })
    }
}

/// HQ operations set the thresholds; every customer is recomputed with them.
#[server(prefix = "/api", endpoint = "set_standing_thresholds", output = crate::codec::JsonText)]
pub async fn set_standing_thresholds(form: ThresholdsForm) -> Result<Recomputed, AppError> {
    crate::account::session::require_same_origin()?;
    let me = crate::account::session::require(domain::Principal::may_publish_prices).await?;
    let thresholds = form.parse()?;
    let by = match me.principal {
        domain::Principal::Staff { id, .. } => id,
        _ => return Err(AppError::Forbidden),
    };
    let done = use_storage::<dyn StandingStorage>()?
        .set_thresholds(&thresholds, by, crate::clock::now())
        .await?;
    tracing::info!(%by, customers = done.customers, changed = done.changed, "standing thresholds set");
    Ok(done)
}

/// Class moves this month: the caller's store's customers at a counter, the chain's
/// for HQ.
#[server(prefix = "/api", endpoint = "class_movements", output = crate::codec::JsonText)]
pub async fn class_movements() -> Result<Vec<Movement>, AppError> {
    let me = crate::account::session::require(|p| p.works_at_hq() || p.reception_store().is_some())
        .await?;
    let store = if me.principal.works_at_hq() {
        None
    } else {
        me.principal.reception_store()
    };
    let now = crate::clock::now();
    Ok(use_storage::<dyn StandingStorage>()?
        .movements(store, month_start(now), MOVES_SHOWN)
        .await?)
}

/// Staff at a counter record why a lead or prospect will not come.
#[server(prefix = "/api", endpoint = "mark_customer_lost", output = crate::codec::JsonText)]
pub async fn mark_customer_lost(
    customer_id: String,
    reason: String,
) -> Result<domain::lifecycle::Standing, AppError> {
    crate::account::session::require_same_origin()?;
    let at = crate::reception::counter().await?;
    let customer = CustomerId::parse(&customer_id)?;
    let reason = LostReason::parse(&reason)?;
    let standing = use_storage::<dyn StandingStorage>()?
        .mark_lost(customer, reason, crate::clock::now())
        .await?;
    tracing::info!(%customer, by = %at.staff, reason = reason.code(), "lost reason recorded");
    Ok(standing)
}

pub(crate) fn stage_label(s: Stage) -> FollowMsg {
    match s {
        Stage::Lead => FollowMsg::StageLead,
        Stage::Prospect => FollowMsg::StageProspect,
        Stage::Ordered => FollowMsg::StageOrdered,
        Stage::Active => FollowMsg::StageActive,
        Stage::Lapsed => FollowMsg::StageLapsed,
        Stage::Lost => FollowMsg::StageLost,
    }
}

pub(crate) fn reason_label(r: LostReason) -> FollowMsg {
    match r {
        LostReason::NoResponse => FollowMsg::LostNoResponse,
        LostReason::Price => FollowMsg::LostPrice,
        LostReason::Competitor => FollowMsg::LostCompetitor,
        LostReason::MovedAway => FollowMsg::LostMovedAway,
        LostReason::SoldCar => FollowMsg::LostSoldCar,
    }
}

/// `3000.00`: a form's value, which the form's parser reads back.
fn plain_yuan(m: Money) -> String {
    format!("{}.{:02}", m.fen() / 100, m.fen() % 100)
}

/// A customer's stage and class, as badges (with why a lost lead was lost).
pub fn standing_badges(i18n: I18n, s: domain::lifecycle::Standing) -> impl IntoView {
    view! {
        <span class="tag stage" data-stage=s.stage.code()>{move || i18n.t(stage_label(s.stage))}</span>
        <span class="tag value-class" data-class=s.class.code()>{s.class.code()}</span>
        {s.lost_reason.map(|r| view! { <span class="lost-reason">{move || i18n.t(reason_label(r))}</span> })}
    }
}

/// At the counter, for a lead or prospect who says they will not come: why, from the
/// listed reasons (not "no response", which only the computation gives).
pub fn mark_lost_form(
    i18n: I18n,
    customer: CustomerId,
    s: domain::lifecycle::Standing,
    action: ServerAction<MarkCustomerLost>,
) -> impl IntoView {
    let open = matches!(s.stage, Stage::Lead | Stage::Prospect);
    open.then(|| {
        let options = LostReason::ALL
            .into_iter()
            .filter(|r| *r != LostReason::NoResponse)
            .map(|r| view! { <option value=r.code()>{move || i18n.t(reason_label(r))}</option> })
            .collect_view();
        view! {
            <ActionForm action=action attr:class="mark-lost">
                <input type="hidden" name="customer_id" value=customer.to_string() />
                <label>
                    <span>{move || i18n.t(FollowMsg::MarkLost)}</span>
                    <select name="reason">{options}</select>
                </label>
                <button type="submit" class="secondary" disabled=move || action.pending().get()>
                    {move || i18n.t(FollowMsg::RecordReason)}
                </button>
            </ActionForm>
        }
    })
}

fn class_text(c: Option<ValueClass>) -> &'static str {
    c.map_or("–", ValueClass::code)
}

/// The class moves of this month, as a store or HQ sees them.
pub fn movements_view(i18n: I18n, moves: Vec<Movement>) -> impl IntoView {
    if moves.is_empty() {
        return view! { <p class="empty">{move || i18n.t(FollowMsg::NoMoves)}</p> }.into_any();
    }
    let rows = moves
        .into_iter()
        .map(|m| {
            let name = m.name.clone();
            let down = m.from.is_some_and(|f| f < m.to);
            view! {
                <tr data-customer=m.customer.to_string() data-from=class_text(m.from) data-to=m.to.code() class:down=down>
                    <td><a href=format!("/kiosk/customers/{}", m.customer)>{move || name.get(i18n.lang()).to_owned()}</a></td>
                    <td>{m.phone.clone()}</td>
                    <td class="move">{class_text(m.from)} " → " {m.to.code()}</td>
                    <td>{move || i18n.t(stage_label(m.stage))}</td>
                    <td>{format_local(m.at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="moves">
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(FollowMsg::Customer)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::Phone)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::ClassMove)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::Stage)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::When)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// The resources of [`HqCustomers`], made outside the sign-in gate.
#[derive(Clone, Copy)]
pub struct HqCustomersState {
    settings: Resource<Result<StandingSettings, AppError>>,
    moves: Resource<Result<Vec<Movement>, AppError>>,
    set: ServerAction<SetStandingThresholds>,
}

impl HqCustomersState {
    pub fn new() -> HqCustomersState {
        let me = crate::account::use_me_context();
        let set = ServerAction::<SetStandingThresholds>::new();
        let settings = Resource::new(
            move || (me.session(), set.version().get()),
            |_| get_standing_settings(),
        );
        let moves = Resource::new(
            move || (me.session(), set.version().get()),
            |_| class_movements(),
        );
        HqCustomersState {
            settings,
            moves,
            set,
        }
    }
}

impl Default for HqCustomersState {
    fn default() -> Self {
        HqCustomersState::new()
    }
}

/// `/hq/customers`: the thresholds HQ sets, the chain's mix of stages and classes, and
/// this month's moves.
#[component]
pub fn HqCustomers(state: HqCustomersState) -> impl IntoView {
    let i18n = use_i18n();
    let HqCustomersState {
        settings,
        moves,
        set,
    } = state;
    view! {
        <section class="hq-customers">
            <h1>{move || i18n.t(FollowMsg::CustomersTitle)}</h1>
            <p class="hint">{move || i18n.t(FollowMsg::CustomersHint)}</p>
            {move || set.value().get().map(|r| match r {
                Ok(done) => view! {
                    <p class="saved" role="status">
                        {move || i18n.t(FollowMsg::Recomputed)} " " {done.customers} " · "
                        {move || i18n.t(FollowMsg::Changed)} " " {done.changed}
                    </p>
                }
                .into_any(),
                Err(e) => error_view(e).into_any(),
            })}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => settings_view(i18n, s, set).into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
            <h2>{move || i18n.t(FollowMsg::MovesThisMonth)}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match moves.await {
                        Ok(m) => movements_view(i18n, m).into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn settings_view(
    i18n: I18n,
    s: StandingSettings,
    set: ServerAction<SetStandingThresholds>,
) -> impl IntoView {
    let t = s.thresholds;
    let count = |stage: Stage, class: ValueClass| {
        s.mix
            .iter()
            .find(|(st, c, _)| *st == stage && *c == class)
            .map_or(0, |(.., n)| *n)
    };
    let mix_rows = Stage::ALL
        .into_iter()
        .map(|stage| {
            let cells = ValueClass::ALL
                .into_iter()
                .map(|class| view! { <td class="num" data-class=class.code()>{count(stage, class)}</td> })
                .collect_view();
            view! { <tr data-stage=stage.code()><th scope="row">{move || i18n.t(stage_label(stage))}</th>{cells}</tr> }
        })
        .collect_view();
    let class_heads = ValueClass::ALL
        .into_iter()
        .map(|c| view! { <th scope="col">{c.code()}</th> })
        .collect_view();
    let minimum = move |name: &'static str, m: ClassMinimum| {
        view! {
            <fieldset class="class-minimum">
                <legend>{name}</legend>
                <label>
                    <span>{move || i18n.t(FollowMsg::RecencyDays)}</span>
                    <input type="text" inputmode="numeric" name=format!("form[{}][recency]", name.to_lowercase()) value=m.recency_days.to_string() />
                </label>
                <label>
                    <span>{move || i18n.t(FollowMsg::VisitsAYear)}</span>
                    <input type="text" inputmode="numeric" name=format!("form[{}][visits]", name.to_lowercase()) value=m.visits.to_string() />
                </label>
                <label>
                    <span>{move || i18n.t(FollowMsg::SpentAYear)}</span>
                    <input type="text" inputmode="decimal" name=format!("form[{}][spent]", name.to_lowercase()) value=plain_yuan(m.spent) />
                </label>
            </fieldset>
        }
    };
    view! {
        <table class="mix">
            <caption>{move || i18n.t(FollowMsg::Mix)}</caption>
            <thead><tr><th scope="col">{move || i18n.t(FollowMsg::Stage)}</th>{class_heads}</tr></thead>
            <tbody>{mix_rows}</tbody>
        </table>
        <h2>{move || i18n.t(FollowMsg::Thresholds)}</h2>
        <ActionForm action=set attr:class="thresholds-form">
            <fieldset class="stage-days">
                <legend>{move || i18n.t(FollowMsg::Stage)}</legend>
                <label>
                    <span>{move || i18n.t(FollowMsg::ActiveDays)}</span>
                    <input type="text" inputmode="numeric" name="form[active_days]" value=t.stages.active_days.to_string() />
                </label>
                <label>
                    <span>{move || i18n.t(FollowMsg::LostDays)}</span>
                    <input type="text" inputmode="numeric" name="form[lost_days]" value=t.stages.lost_days.to_string() />
                </label>
                <label>
                    <span>{move || i18n.t(FollowMsg::LeadDays)}</span>
                    <input type="text" inputmode="numeric" name="form[lead_days]" value=t.stages.lead_days.to_string() />
                </label>
            </fieldset>
            {minimum("A", t.classes.a)}
            {minimum("B", t.classes.b)}
            {minimum("C", t.classes.c)}
            <button type="submit" class="save-thresholds" disabled=move || set.pending().get()>
                {move || i18n.t(FollowMsg::SaveAndRecompute)}
            </button>
        </ActionForm>
    }
}

/// The kiosk's list of this month's class moves among the store's customers.
#[component]
pub fn Movements(moves: Resource<Result<Option<Vec<Movement>>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="movements" aria-labelledby="movements-h">
            <h2 id="movements-h">{move || i18n.t(FollowMsg::MovesThisMonth)}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match moves.await {
                        Ok(Some(m)) => movements_view(i18n, m).into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
