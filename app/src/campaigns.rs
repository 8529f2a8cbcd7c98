//! Segments and campaigns (rule 8, C9): HQ operations, or a store manager for their own
//! store, pick a segment of customers ([`domain::segments::Segment`]), see how many it
//! holds and how many may be reached, and send a message in both languages through a
//! channel. Nothing goes to a customer who opted out ([`domain::campaigns::Channel::may_reach`]);
//! bookings made within the campaign's days are credited to it
//! ([`domain::campaigns::attribute`]).
//!
//! - Server functions: [`get_campaign_options`], [`count_segment`] (the live count),
//!   [`start_campaign`], [`get_campaigns`] (each with its results per store).
//! - Storage: [`CampaignStorage`]; messages go out through a [`CampaignSender`] (the
//!   server's built-in one records them; no real SMS leaves this machine).
//! - Components: [`HqCampaigns`] with its [`CampaignsState`], on HQ's `/hq/campaigns`.

use std::collections::BTreeSet;

use domain::campaigns::{AttributionDays, Channel, Message, Scope};
use domain::lifecycle::{Stage, ValueClass};
use domain::reception::TagCode;
use domain::segments::{Days, LastVisit, Powertrain, Segment};
use domain::{CampaignId, CustomerId, IdempotencyKey, ModelId, Money, StoreId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, FollowMsg, I18n, Msg};
use crate::lifecycle::stage_label;
use crate::pricing::format_local;
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// A segment as the builder sends it: codes and ids as text, days as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentForm {
    #[serde(default)]
    pub stages: Vec<String>,
    #[serde(default)]
    pub classes: Vec<String>,
    #[serde(default)]
    pub stores: Vec<String>,
    #[serde(default)]
    pub models: Vec<String>,
    #[serde(default)]
    pub powertrains: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Days ahead a reminder falls due; blank for any.
    #[serde(default)]
    pub due_within: String,
    /// `within`, `not_since`, or blank for any.
    #[serde(default)]
    pub last_visit: String,
    #[serde(default)]
    pub last_visit_days: String,
}

impl SegmentForm {
    /// Parses every criterion; one that is not a listed code or a day count in range
    /// refuses the whole segment.
    pub fn parse(&self) -> Result<Segment, domain::Error> {
        let invalid = |_| domain::Error::SegmentInvalid;
        fn set<T: Ord>(
            items: &[String],
            parse: impl Fn(&str) -> Result<T, domain::Error>,
        ) -> Result<BTreeSet<T>, domain::Error> {
            items.iter().map(|s| parse(s.trim())).collect()
        }
        let days = |s: &str| -> Result<Option<Days>, domain::Error> {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                Days::parse(s).map(Some)
            }
        };
        let last_visit = match (self.last_visit.trim(), days(&self.last_visit_days)?) {
            ("", _) => None,
            ("within", Some(d)) => Some(LastVisit::Within(d)),
            ("not_since", Some(d)) => Some(LastVisit::NotSince(d)),
            _ => return Err(domain::Error::SegmentInvalid),
        };
        Ok(Segment {
            stages: set(&self.stages, |s| {
                Stage::parse(s).ok_or(domain::Error::SegmentInvalid)
            })?,
            classes: set(&self.classes, |s| {
                ValueClass::parse(s).ok_or(domain::Error::SegmentInvalid)
            })?,
            stores: set(&self.stores, |s| StoreId::parse(s).map_err(invalid))?,
            models: set(&self.models, |s| ModelId::parse(s).map_err(invalid))?,
            powertrains: set(&self.powertrains, Powertrain::parse)?,
            due_within: days(&self.due_within)?,
            last_visit,
            tags: set(&self.tags, |s| TagCode::parse(s).map_err(invalid))?,
        })
    }
}

/// How many customers a segment holds in one store's slice (`None`: customers with no
/// store yet), and how many each channel may reach.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SliceCount {
    pub store: Option<StoreId>,
    pub customers: u32,
    pub by_sms: u32,
    pub by_call: u32,
}

impl SliceCount {
    /// How many `channel` may reach.
    pub fn reachable(&self, channel: Channel) -> u32 {
        match channel {
            Channel::Sms => self.by_sms,
            Channel::Call => self.by_call,
        }
    }
}

/// A segment's live count, slice by slice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentCount {
    pub slices: Vec<SliceCount>,
}

impl SegmentCount {
    /// The whole segment.
    pub fn total(&self) -> SliceCount {
        self.slices
            .iter()
            .fold(SliceCount::default(), |t, s| SliceCount {
                store: None,
                customers: t.customers + s.customers,
                by_sms: t.by_sms + s.by_sms,
                by_call: t.by_call + s.by_call,
            })
    }
}

/// What the builder offers, and over whom the caller may run a campaign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignOptions {
    pub scope: Scope,
    pub stores: Vec<(StoreId, Named)>,
    pub models: Vec<(ModelId, Named)>,
    pub tags: Vec<(String, Named)>,
}

/// One store's slice of a campaign, and what it brought.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SliceResult {
    pub store: Option<StoreId>,
    pub recipients: u32,
    pub sent: u32,
    pub opted_out: u32,
    pub pending: u32,
    /// Bookings credited to the campaign, and what they came to.
    pub bookings: u32,
    pub revenue: Money,
}

/// A campaign as its list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignSummary {
    pub id: CampaignId,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// The store whose manager ran it; `None` for HQ's.
    pub store: Option<StoreId>,
    pub by: Named,
    pub channel: Channel,
    pub message: Message,
    pub attribution: AttributionDays,
    pub slices: Vec<SliceResult>,
}

/// A campaign ready to start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Already narrowed to the caller's scope.
    pub segment: Segment,
    pub message: Message,
    pub channel: Channel,
    pub attribution: AttributionDays,
    pub key: IdempotencyKey,
}

/// A message on its way to one customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub campaign: CampaignId,
    pub customer: CustomerId,
    pub phone: String,
    pub channel: Channel,
    /// Both languages, Chinese first.
    pub body: String,
    /// When it leaves.
    pub at: OffsetDateTime,
}

impl Outgoing {
    /// The text a customer receives: the message in both languages.
    pub fn body(message: &Message) -> String {
        format!("{}\n{}", message.zh.as_str(), message.en.as_str())
    }
}

/// How many messages a dispatch sent, and how many it held back because the customer
/// had opted out meanwhile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispatched {
    pub sent: u32,
    pub opted_out: u32,
}

/// Where campaign messages leave the system. A retried send of the same campaign to
/// the same customer must not reach them twice: implementations dedupe on the pair.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait CampaignSender: Send + Sync + 'static {
    async fn send(&self, message: &Outgoing) -> Result<(), StorageError>;
}

/// What segments and campaigns need from storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait CampaignStorage: Send + Sync + 'static {
    /// The chain's stores, car models and tags, for the builder.
    async fn options(&self, scope: Scope) -> Result<CampaignOptions, StorageError>;

    /// The live count, by a translation of [`Segment::matches`] into SQL.
    async fn count(
        &self,
        segment: &Segment,
        now: OffsetDateTime,
    ) -> Result<SegmentCount, StorageError>;

    /// Starts a campaign: every customer [`Segment::matches`] at `now` becomes a
    /// recipient in their store's slice, those who may not be reached recorded as
    /// opted out. `store` is the store whose manager runs it. An empty segment is
    /// [`domain::Error::SegmentEmpty`]; the same key again returns the same campaign.
    async fn start(
        &self,
        draft: &Draft,
        store: Option<StoreId>,
        by: domain::StaffId,
        now: OffsetDateTime,
    ) -> Result<CampaignId, StorageError>;

    /// Sends up to `limit` waiting messages through `sender`, checking each customer's
    /// choice again at the moment of sending. Two instances never claim one message.
    async fn dispatch(
        &self,
        sender: &dyn CampaignSender,
        now: OffsetDateTime,
        limit: u32,
    ) -> Result<Dispatched, StorageError>;

    /// Campaigns, newest first, with their results per slice: all of them (`None`), or
    /// those a store's manager ran and the store's slices of HQ's.
    async fn campaigns(
        &self,
        store: Option<StoreId>,
        limit: u32,
    ) -> Result<Vec<CampaignSummary>, StorageError>;
}

/// How many campaigns the list shows.
pub const CAMPAIGNS_SHOWN: u32 = 20;

/// Messages one dispatch sends before it lets other work run.
pub const DISPATCH_BATCH: u32 = 500;

#[cfg(feature = "ssr")]
async fn scope() -> Result<(Scope, domain::StaffId), AppError> {
    let me = crate::account::session::require(|p| Scope::of(p).is_some()).await?;
    match (Scope::of(&me.principal), me.principal) {
        (Some(scope), domain::Principal::Staff { id, .. }) => Ok((scope, id)),
        _ => Err(AppError::Forbidden),
    }
}

#[cfg(feature = "ssr")]
fn scope_store(scope: Scope) -> Option<StoreId> {
    match scope {
        Scope::Chain => None,
        Scope::Store(store) => Some(store),
    }
}

/// The builder's choices (HQ operations; a store manager).
#[server(prefix = "/api", endpoint = "campaign_options", output = crate::codec::JsonText)]
pub async fn get_campaign_options() -> Result<CampaignOptions, AppError> {
    let (scope, _) = scope().await?;
    Ok(use_storage::<dyn CampaignStorage>()?.options(scope).await?)
}

/// How many customers a segment holds and may be reached, store by store; a store
/// manager's count is of their own store's customers.
#[server(prefix = "/api", endpoint = "count_segment", output = crate::codec::JsonText)]
pub async fn count_segment(segment: SegmentForm) -> Result<SegmentCount, AppError> {
    let (scope, _) = scope().await?;
    let segment = scope.narrow(segment.parse()?);
    Ok(use_storage::<dyn CampaignStorage>()?
        .count(&segment, crate::clock::now())
        .await?)
}

/// A campaign as the builder sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignForm {
    #[serde(default)]
    pub segment: SegmentForm,
    #[serde(default)]
    pub message_zh: String,
    #[serde(default)]
    pub message_en: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub attribution_days: String,
    #[serde(default)]
    pub key: String,
}

impl CampaignForm {
    /// Parses it all, the segment narrowed to what `scope` may target.
    pub fn parse(&self, scope: Scope) -> Result<Draft, domain::Error> {
        Ok(Draft {
            segment: scope.narrow(self.segment.parse()?),
            message: Message::parse(&self.message_zh, &self.message_en)?,
            channel: Channel::parse(&self.channel)?,
            attribution: AttributionDays::parse(&self.attribution_days)?,
            key: IdempotencyKey::parse(&self.key)?,
        })
    }
}

/// A campaign started, and its first messages sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Started {
    pub id: CampaignId,
    pub dispatched: Dispatched,
}

/// Starts a campaign and sends its first messages at once; the job sends the rest.
#[server(prefix = "/api", endpoint = "start_campaign", output = crate::codec::JsonText)]
pub async fn start_campaign(form: CampaignForm) -> Result<Started, AppError> {
    crate::account::session::require_same_origin()?;
    let (scope, by) = scope().await?;
    let draft = form.parse(scope)?;
    let storage = use_storage::<dyn CampaignStorage>()?;
    let now = crate::clock::now();
    let id = storage.start(&draft, scope_store(scope), by, now).await?;
    tracing::info!(%id, %by, channel = draft.channel.code(), "campaign started");
    let sender = use_storage::<dyn CampaignSender>()?;
    let dispatched = match storage.dispatch(sender.as_ref(), now, DISPATCH_BATCH).await {
        Ok(d) => d,
        // Started is started: the job sends what this first run could not.
        Err(e) => {
            tracing::warn!(%id, error = %e, "first dispatch failed; the job will retry");
            Dispatched::default()
        }
    };
    Ok(Started { id, dispatched })
}

/// The caller's campaigns with their results per slice.
#[server(prefix = "/api", endpoint = "campaigns", output = crate::codec::JsonText)]
pub async fn get_campaigns() -> Result<Vec<CampaignSummary>, AppError> {
    let (scope, _) = scope().await?;
    Ok(use_storage::<dyn CampaignStorage>()?
        .campaigns(scope_store(scope), CAMPAIGNS_SHOWN)
        .await?)
}

fn class_code(c: ValueClass) -> &'static str {
    c.code()
}

fn powertrain_label(p: Powertrain) -> FollowMsg {
    match p {
        Powertrain::Petrol => FollowMsg::Petrol,
        Powertrain::Hybrid => FollowMsg::Hybrid,
        Powertrain::Electric => FollowMsg::Electric,
    }
}

fn channel_label(c: Channel) -> FollowMsg {
    match c {
        Channel::Sms => FollowMsg::ChannelSms,
        Channel::Call => FollowMsg::ChannelCall,
    }
}

/// The resources and actions of [`HqCampaigns`], made outside the sign-in gate.
#[derive(Clone, Copy)]
pub struct CampaignsState {
    options: Resource<Result<CampaignOptions, AppError>>,
    campaigns: Resource<Result<Vec<CampaignSummary>, AppError>>,
    count: Resource<Result<SegmentCount, AppError>>,
    segment: RwSignal<SegmentForm>,
    start: ServerAction<StartCampaign>,
}

impl CampaignsState {
    pub fn new() -> CampaignsState {
        let me = crate::account::use_me_context();
        let start = ServerAction::<StartCampaign>::new();
        let segment = RwSignal::new(SegmentForm::default());
        let options = Resource::new(move || me.session(), |_| get_campaign_options());
        let campaigns = Resource::new(
            move || (me.session(), start.version().get()),
            |_| get_campaigns(),
        );
        let count = Resource::new(
            move || (me.session(), segment.get(), start.version().get()),
            |(_, s, _)| count_segment(s),
        );
        CampaignsState {
            options,
            campaigns,
            count,
            segment,
            start,
        }
    }
}

impl Default for CampaignsState {
    fn default() -> Self {
        CampaignsState::new()
    }
}

/// A group of checkboxes that toggles codes in one list of the segment.
fn checks(
    i18n: I18n,
    legend: FollowMsg,
    class: &'static str,
    items: Vec<(String, Signal<String>)>,
    segment: RwSignal<SegmentForm>,
    list: fn(&mut SegmentForm) -> &mut Vec<String>,
) -> impl IntoView {
    let boxes = items
        .into_iter()
        .map(|(code, label)| {
            let on = code.clone();
            let checked = move || segment.with(|s| list(&mut s.clone()).contains(&on));
            let code = code.clone();
            view! {
                <label class="check">
                    <input
                        type="checkbox"
                        value=code.clone()
                        prop:checked=checked
                        on:change=move |ev| {
                            let want = event_target_checked(&ev);
                            segment.update(|s| {
                                let l = list(s);
                                l.retain(|c| *c != code);
                                if want {
                                    l.push(code.clone());
                                }
                            });
                        }
                    />
                    <span>{label}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class=format!("criterion {class}")>
            <legend>{move || i18n.t(legend)}</legend>
            {boxes}
        </fieldset>
    }
}

/// `/hq/campaigns`: build a segment with its live count, send a campaign to it, and
/// follow what each campaign brought, store by store.
#[component]
pub fn HqCampaigns(state: CampaignsState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="campaigns">
            <h1>{move || i18n.t(FollowMsg::CampaignsTitle)}</h1>
            <p class="hint">{move || i18n.t(FollowMsg::CampaignsHint)}</p>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match state.options.await {
                        Ok(o) => builder(i18n, o, state).into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
            <h2>{move || i18n.t(FollowMsg::CampaignsSent)}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let options = state.options.await.ok();
                    match state.campaigns.await {
                        Ok(list) => campaigns_view(i18n, list, options).into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn store_name(
    options: Option<&CampaignOptions>,
    store: Option<StoreId>,
    i18n: I18n,
) -> Signal<String> {
    let name = store.and_then(|s| {
        options.and_then(|o| {
            o.stores
                .iter()
                .find(|(id, _)| *id == s)
                .map(|(_, n)| n.clone())
        })
    });
    Signal::derive(move || match &name {
        Some(n) => n.get(i18n.lang()).to_owned(),
        None => i18n.t(FollowMsg::NoStoreYet).to_owned(),
    })
}

fn builder(i18n: I18n, o: CampaignOptions, state: CampaignsState) -> impl IntoView {
    let segment = state.segment;
    let start = state.start;
    let message_zh = RwSignal::new(String::new());
    let message_en = RwSignal::new(String::new());
    let channel = RwSignal::new(Channel::Sms);
    let days = RwSignal::new(AttributionDays::DEFAULT.get().to_string());
    let key = RwSignal::new(uuid::Uuid::now_v7().to_string());
    Effect::new(move |_| {
        // A campaign that started is done: the next one is another request.
        if let Some(Ok(_)) = start.value().get() {
            key.set(uuid::Uuid::now_v7().to_string());
        }
    });
    let label = |m: FollowMsg| Signal::derive(move || i18n.t(m).to_owned());
    let named = |n: Named| Signal::derive(move || n.get(i18n.lang()).to_owned());
    let stages = Stage::ALL
        .into_iter()
        .map(|s| (s.code().to_owned(), label(stage_label(s))))
        .collect();
    let classes = ValueClass::ALL
        .into_iter()
        .map(|c| {
            (
                c.code().to_owned(),
                Signal::derive(move || class_code(c).to_owned()),
            )
        })
        .collect();
    let trains = Powertrain::ALL
        .into_iter()
        .map(|p| (p.code().to_owned(), label(powertrain_label(p))))
        .collect();
    let stores = o
        .stores
        .iter()
        .map(|(id, n)| (id.to_string(), named(n.clone())))
        .collect();
    let models = o
        .models
        .iter()
        .map(|(id, n)| (id.to_string(), named(n.clone())))
        .collect();
    let tags = o
        .tags
        .iter()
        .map(|(code, n)| (code.clone(), named(n.clone())))
        .collect();
    let chain = o.scope == Scope::Chain;
    let options = StoredValue::new(o);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        start.dispatch(StartCampaign {
            form: CampaignForm {
                segment: segment.get_untracked(),
                message_zh: message_zh.get_untracked(),
                message_en: message_en.get_untracked(),
                channel: channel.get_untracked().code().to_owned(),
                attribution_days: days.get_untracked(),
                key: key.get_untracked(),
            },
        });
    };
    let count = state.count;
    view! {
        <form class="segment-builder" on:submit=send>
            <h2>{move || i18n.t(FollowMsg::Segment)}</h2>
            {checks(i18n, FollowMsg::Stage, "stages", stages, segment, |s| &mut s.stages)}
            {checks(i18n, FollowMsg::ValueClass, "classes", classes, segment, |s| &mut s.classes)}
            {chain.then(|| checks(i18n, FollowMsg::Stores, "stores", stores, segment, |s| &mut s.stores))}
            {checks(i18n, FollowMsg::Powertrain, "powertrains", trains, segment, |s| &mut s.powertrains)}
            {checks(i18n, FollowMsg::Models, "models", models, segment, |s| &mut s.models)}
            {checks(i18n, FollowMsg::Tags, "tags", tags, segment, |s| &mut s.tags)}
            <fieldset class="criterion days">
                <legend>{move || i18n.t(FollowMsg::Timing)}</legend>
                <label>
                    <span>{move || i18n.t(FollowMsg::DueWithinDays)}</span>
                    <input type="text" inputmode="numeric" name="due_within" class="due-within"
                        prop:value=move || segment.with(|s| s.due_within.clone())
                        on:change=move |ev| segment.update(|s| s.due_within = event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || i18n.t(FollowMsg::LastVisit)}</span>
                    <select name="last_visit" class="last-visit"
                        on:change=move |ev| segment.update(|s| s.last_visit = event_target_value(&ev))>
                        <option value="" selected=true>{move || i18n.t(FollowMsg::Any)}</option>
                        <option value="within">{move || i18n.t(FollowMsg::VisitedWithin)}</option>
                        <option value="not_since">{move || i18n.t(FollowMsg::NotVisitedFor)}</option>
                    </select>
                </label>
                <label>
                    <span>{move || i18n.t(FollowMsg::Days)}</span>
                    <input type="text" inputmode="numeric" name="last_visit_days" class="last-visit-days"
                        prop:value=move || segment.with(|s| s.last_visit_days.clone())
                        on:change=move |ev| segment.update(|s| s.last_visit_days = event_target_value(&ev)) />
                </label>
            </fieldset>
            <div class="segment-count" role="status" aria-live="polite">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match count.await {
                            Ok(c) => count_view(i18n, c, channel, options).into_any(),
                            Err(e) => error_view(e).into_any(),
                        }
                    })}
                </Transition>
            </div>
            <h2>{move || i18n.t(FollowMsg::Message)}</h2>
            <label class="message">
                <span>{move || i18n.t(FollowMsg::MessageZh)}</span>
                <textarea name="message_zh" lang="zh-CN" maxlength="280"
                    prop:value=move || message_zh.get()
                    on:input=move |ev| message_zh.set(event_target_value(&ev))></textarea>
            </label>
            <label class="message">
                <span>{move || i18n.t(FollowMsg::MessageEn)}</span>
                <textarea name="message_en" lang="en" maxlength="280"
                    prop:value=move || message_en.get()
                    on:input=move |ev| message_en.set(event_target_value(&ev))></textarea>
            </label>
            <fieldset class="channel">
                <legend>{move || i18n.t(FollowMsg::Channel)}</legend>
                {Channel::ALL.into_iter().map(|c| view! {
                    <label class="check">
                        <input type="radio" name="channel" value=c.code()
                            prop:checked=move || channel.get() == c
                            on:change=move |_| channel.set(c) />
                        <span>{move || i18n.t(channel_label(c))}</span>
                    </label>
                }).collect_view()}
            </fieldset>
            <label>
                <span>{move || i18n.t(FollowMsg::AttributionDays)}</span>
                <input type="text" inputmode="numeric" name="attribution_days" class="attribution-days"
                    prop:value=move || days.get()
                    on:change=move |ev| days.set(event_target_value(&ev)) />
            </label>
            {move || start.value().get().map(|r| match r {
                Ok(s) => view! {
                    <p class="saved campaign-started" role="status">
                        {move || i18n.t(FollowMsg::CampaignStarted)} " "
                        <span class="sent">{s.dispatched.sent}</span> " · "
                        {move || i18n.t(FollowMsg::SkippedOptedOut)} " "
                        <span class="skipped">{s.dispatched.opted_out}</span>
                    </p>
                }
                .into_any(),
                Err(e) => error_view(e).into_any(),
            })}
            <button type="submit" class="send-campaign" disabled=move || start.pending().get()>
                {move || i18n.t(FollowMsg::SendCampaign)}
            </button>
        </form>
    }
}

fn count_view(
    i18n: I18n,
    c: SegmentCount,
    channel: RwSignal<Channel>,
    options: StoredValue<CampaignOptions>,
) -> impl IntoView {
    let total = c.total();
    let rows = c
        .slices
        .iter()
        .map(|s| {
            let s = *s;
            let name = options.with_value(|o| store_name(Some(o), s.store, i18n));
            view! {
                <tr data-store=s.store.map(|id| id.to_string()).unwrap_or_default()>
                    <th scope="row">{name}</th>
                    <td class="num">{s.customers}</td>
                    <td class="num">{move || s.reachable(channel.get())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="count">
            <span class="customers" data-n=total.customers>{total.customers}</span> " "
            {move || i18n.t(FollowMsg::CustomersInSegment)} " · "
            <span class="reachable">{move || total.reachable(channel.get())}</span> " "
            {move || i18n.t(FollowMsg::MayBeReached)} " · "
            <span class="opted-out">{move || total.customers - total.reachable(channel.get())}</span> " "
            {move || i18n.t(FollowMsg::WillBeSkipped)}
        </p>
        <table class="slices">
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(FollowMsg::Store)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::CustomersInSegment)}</th>
                    <th scope="col">{move || i18n.t(FollowMsg::MayBeReached)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn campaigns_view(
    i18n: I18n,
    list: Vec<CampaignSummary>,
    options: Option<CampaignOptions>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">{move || i18n.t(FollowMsg::NoCampaigns)}</p> }.into_any();
    }
    list.into_iter()
        .map(|c| {
            let rows = c
                .slices
                .iter()
                .map(|s| {
                    let name = store_name(options.as_ref(), s.store, i18n);
                    view! {
                        <tr data-store=s.store.map(|id| id.to_string()).unwrap_or_default()>
                            <th scope="row">{name}</th>
                            <td class="num recipients">{s.recipients}</td>
                            <td class="num sent">{s.sent}</td>
                            <td class="num opted-out">{s.opted_out}</td>
                            <td class="num pending">{s.pending}</td>
                            <td class="num bookings">{s.bookings}</td>
                            <td class="num">{s.revenue.to_string()}</td>
                        </tr>
                    }
                })
                .collect_view();
            let by = c.by.clone();
            let zh = c.message.zh.as_str().to_owned();
            let en = c.message.en.as_str().to_owned();
            let run_by = store_name(options.as_ref(), c.store, i18n);
            let hq = c.store.is_none();
            view! {
                <article class="campaign" data-campaign=c.id.to_string()>
                    <h3>
                        {format_local(c.started_at)} " · " {move || i18n.t(channel_label(c.channel))}
                        " · " {move || by.get(i18n.lang()).to_owned()}
                        {(!hq).then(|| view! { " · " {run_by} })}
                    </h3>
                    <p class="message-text" lang="zh-CN">{zh}</p>
                    <p class="message-text" lang="en">{en}</p>
                    <table class="results">
                        <caption>
                            {move || i18n.t(FollowMsg::AttributionDays)} ": " {c.attribution.get()}
                        </caption>
                        <thead>
                            <tr>
                                <th scope="col">{move || i18n.t(FollowMsg::Store)}</th>
                                <th scope="col">{move || i18n.t(FollowMsg::Recipients)}</th>
                                <th scope="col">{move || i18n.t(FollowMsg::Sent)}</th>
                                <th scope="col">{move || i18n.t(FollowMsg::SkippedOptedOut)}</th>
                                <th scope="col">{move || i18n.t(FollowMsg::Waiting)}</th>
                                <th scope="col">{move || i18n.t(FollowMsg::BookingsBrought)}</th>
                                <th scope="col">{move || i18n.t(FollowMsg::Revenue)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </article>
            }
        })
        .collect_view()
        .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_parses_into_a_segment_or_refuses_it_whole() {
        let form = SegmentForm {
            stages: vec!["active".into(), "lapsed".into()],
            classes: vec!["A".into()],
            powertrains: vec!["electric".into()],
            due_within: " 30 ".into(),
            last_visit: "not_since".into(),
            last_visit_days: "180".into(),
            tags: vec!["vip".into()],
            ..SegmentForm::default()
        };
        let s = form.parse().expect("valid");
        assert_eq!(s.stages, [Stage::Active, Stage::Lapsed].into());
        assert_eq!(s.due_within.map(Days::get), Some(30));
        assert_eq!(
            s.last_visit,
            Some(LastVisit::NotSince(Days::new(180).expect("valid")))
        );
        for bad in [
            SegmentForm {
                stages: vec!["vip".into()],
                ..form.clone()
            },
            SegmentForm {
                last_visit_days: String::new(),
                ..form.clone()
            },
            SegmentForm {
                due_within: "0".into(),
                ..form.clone()
            },
            SegmentForm {
                stores: vec!["not-an-id".into()],
                ..form.clone()
            },
        ] {
            assert_eq!(bad.parse(), Err(domain::Error::SegmentInvalid));
        }
    }

    #[test]
    fn a_campaign_form_needs_both_languages_and_a_channel() {
        let form = CampaignForm {
            message_zh: "冬季保养八折".into(),
            message_en: "20% off winter servicing".into(),
            channel: "sms".into(),
            key: uuid::Uuid::now_v7().to_string(),
            ..CampaignForm::default()
        };
        let draft = form.parse(Scope::Chain).expect("valid");
        assert_eq!(draft.attribution, AttributionDays::DEFAULT);
        let no_en = CampaignForm {
            message_en: " ".into(),
            ..form.clone()
        };
        assert_eq!(
            no_en.parse(Scope::Chain),
            Err(domain::Error::CampaignMessageIncomplete)
        );
        let fax = CampaignForm {
            channel: "fax".into(),
            ..form.clone()
        };
        assert_eq!(
            fax.parse(Scope::Chain),
            Err(domain::Error::CampaignSettingsInvalid)
        );
        let store = StoreId::new();
        assert_eq!(
            form.parse(Scope::Store(store))
                .expect("valid")
                .segment
                .stores,
            [store].into()
        );
    }
}
