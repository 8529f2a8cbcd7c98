//! Reception at the counter: finding a customer as the advisor types, registering a
//! walk-in, and the customer 360 (vehicles, tags, preferred advisor, notes and one
//! timeline of everything online and offline).
//!
//! Customers are the chain's (rule 8): any store's reception finds and registers them.
//! What a store did is its own: the 360 shows another store's work orders only as a visit
//! there, without what was done.
//!
//! - Server functions, for store managers and service advisors on their store's kiosk
//!   ([`domain::Principal::reception_store`]): [`search_customers`], [`open_customer`],
//!   [`register_walk_in`], [`tag_customer`], [`untag_customer`], [`note_customer`],
//!   [`set_preferred_advisor`]; for the customer online, [`my_advisor`] and
//!   [`choose_my_advisor`] (any store's advisor, shown on their garage page by
//!   [`MyAdvisorPanel`]); for HQ operations, [`tag_vocabulary`] and [`save_tag`]
//!   (the chain's tags, at `/hq/tags` by [`HqTags`]).
//! - Storage: [`ReceptionStorage`].
//! - Components: [`Reception`] (the search and the walk-in form, at `/kiosk`) and
//!   [`CustomerFile`] (the 360, at `/kiosk/customers/:id`, where each car can be booked
//!   at the counter: [`crate::booking::counter`]).

// A server function's arguments are its form's fields, one each, so that the form also
// works before the page has hydrated; the macro's generated code cannot take an attribute.
#![allow(clippy::too_many_arguments)]

use domain::discount::Tier;
use domain::{CustomerId, OrderStatus, StaffId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::booking::counter::{CounterBooked, CounterBooking};
use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, Lang, Msg, StaffMsg};
use crate::pricing::format_local;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};
#[cfg(feature = "ssr")]
use domain::reception::{CustomerQuery, NoteText, TagCode};

/// A customer found by a search, as the result list shows them on a shared screen: the
/// phone masked, the plates in full (they are on the car anyway).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerHit {
    pub id: CustomerId,
    pub name_zh: String,
    pub name_en: String,
    /// `138****8000`.
    pub phone_masked: String,
    pub plates: Vec<String>,
}

/// What one search found; `more` when there were more than the list holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResult {
    pub hits: Vec<CustomerHit>,
    pub more: bool,
}

/// A name in both languages (staff, tags, services).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub zh: String,
    pub en: String,
}

impl Named {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// A tag in the chain's vocabulary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagDef {
    pub code: String,
    pub label: Named,
}

/// A tag on a customer, with who added it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerTag {
    pub tag: TagDef,
    pub added_by: Named,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
}

/// A vehicle on the 360.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehicleLine {
    pub id: domain::VehicleId,
    pub plate: String,
    pub model: Named,
    pub mileage_km: u32,
    /// Observed from staff's odometer readings ([`domain::odometer::km_per_day`]).
    pub km_per_day: Option<u32>,
}

/// A staff member one can pick (the preferred advisor).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffChoice {
    pub id: StaffId,
    pub name: Named,
    pub store: Named,
}

/// What happened, on the customer's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimelineEvent {
    /// Signed up on the web.
    SignedUp,
    /// Registered at a store's counter as a walk-in.
    Registered { store: Named },
    /// A vehicle joined their garage.
    VehicleAdded { plate: String },
    /// An order of this store (or of any store, for HQ): in full.
    Order {
        reference: String,
        store: Named,
        channel: domain::order::Channel,
        status: OrderStatus,
        services: Vec<Named>,
        total: String,
        plate: String,
    },
    /// An order of another store: that they came, not what was done.
    VisitElsewhere { store: Named },
    /// A staff note.
    Note {
        by: Named,
        store: Option<Named>,
        body: String,
    },
    /// A tag was added.
    Tagged { tag: Named, by: Named },
}

/// One entry of the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub event: TimelineEvent,
}

/// The customer 360, as one store's reception sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer360 {
    pub id: CustomerId,
    pub name: Named,
    /// In full: the advisor may call them.
    pub phone: String,
    pub tier: Tier,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// Their lifecycle stage and value class, as last computed.
    pub standing: domain::lifecycle::Standing,
    pub vehicles: Vec<VehicleLine>,
    pub tags: Vec<CustomerTag>,
    /// Every tag of the vocabulary, to add one.
    pub vocabulary: Vec<TagDef>,
    pub preferred_advisor: Option<StaffChoice>,
    /// The advisors of the viewing store, to choose the preferred one from.
    pub advisors: Vec<StaffChoice>,
    /// Newest first.
    pub timeline: Vec<TimelineEntry>,
}

/// A walk-in as reception registers them.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct WalkIn {
    pub phone: domain::Phone,
    pub name: domain::PersonName,
    pub plate: domain::Plate,
    pub model: domain::ModelId,
    pub mileage: domain::Mileage,
}

/// Who acts at which store's counter.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter {
    pub staff: StaffId,
    pub store: domain::StoreId,
}

/// What reception needs from storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ReceptionStorage: Send + Sync + 'static {
    /// The customers whose phone starts or ends with the query's digits, or who have a
    /// vehicle whose plate (after the province) starts with the query's characters: at
    /// most `limit`, by index range scans ([`CustomerQuery::keys`]) filtered by
    /// [`CustomerQuery::matches`]; `more` when there were more.
    async fn search(
        &self,
        query: &CustomerQuery,
        limit: usize,
    ) -> Result<SearchResult, StorageError>;

    /// The 360 of `customer` as `at`'s reception sees it; [`StorageError::NotFound`] if
    /// there is no such customer.
    async fn customer_360(
        &self,
        customer: CustomerId,
        at: Counter,
    ) -> Result<Customer360, StorageError>;

    /// Registers a walk-in with their vehicle and its first mileage reading;
    /// [`domain::Error::PhoneTaken`] if the number is already a customer's,
    /// [`domain::Error::PlateTaken`] if the plate is already someone's vehicle.
    async fn register_walk_in(
        &self,
        walk_in: &WalkIn,
        at: Counter,
    ) -> Result<CustomerId, StorageError>;

    /// Tags a customer; tagging again changes nothing. [`domain::Error::TagUnknown`] if
    /// the vocabulary has no such tag, [`StorageError::NotFound`] if no such customer.
    async fn tag(
        &self,
        customer: CustomerId,
        tag: &TagCode,
        at: Counter,
    ) -> Result<(), StorageError>;

    /// Takes a tag off; [`StorageError::NotFound`] if the customer did not have it.
    async fn untag(&self, customer: CustomerId, tag: &TagCode) -> Result<(), StorageError>;

    /// Adds a note to the customer's timeline.
    async fn note(
        &self,
        customer: CustomerId,
        note: &NoteText,
        at: Counter,
    ) -> Result<(), StorageError>;

    /// Sets (or, with `None`, clears) the customer's preferred advisor: an active service
    /// advisor or store manager (of store `within`, when chosen at its counter), else
    /// [`StorageError::NotFound`].
    async fn set_preferred_advisor(
        &self,
        customer: CustomerId,
        advisor: Option<StaffId>,
        within: Option<domain::StoreId>,
    ) -> Result<(), StorageError>;

    /// The chain's tag vocabulary, by code.
    async fn vocabulary(&self) -> Result<Vec<TagDef>, StorageError>;

    /// Adds a tag to the vocabulary, or renames one (its code stays).
    async fn save_tag(
        &self,
        code: &TagCode,
        label_zh: &domain::reception::TagLabel,
        label_en: &domain::reception::TagLabel,
    ) -> Result<(), StorageError>;

    /// Who receives customers at `store`, or at every store, by store and name.
    async fn advisors(
        &self,
        store: Option<domain::StoreId>,
    ) -> Result<Vec<StaffChoice>, StorageError>;

    /// The customer's preferred advisor, if they have one.
    async fn preferred_advisor(
        &self,
        customer: CustomerId,
    ) -> Result<Option<StaffChoice>, StorageError>;
}

/// The counter the caller works: a store manager or service advisor of a store.
#[cfg(feature = "ssr")]
pub(crate) async fn counter() -> Result<Counter, AppError> {
    let me = crate::account::session::require(|p| p.reception_store().is_some()).await?;
    match (me.principal.reception_store(), me.principal) {
        (Some(store), domain::Principal::Staff { id, .. }) => Ok(Counter { staff: id, store }),
        _ => Err(AppError::Forbidden),
    }
}

/// The customers a search box's text finds (reception).
#[server(prefix = "/api", endpoint = "search_customers", output = crate::codec::JsonText)]
pub async fn search_customers(q: String) -> Result<SearchResult, AppError> {
    counter().await?;
    let query = CustomerQuery::parse(&q)?;
    Ok(use_storage::<dyn ReceptionStorage>()?
        .search(&query, domain::reception::MAX_RESULTS)
        .await?)
}

/// A customer's 360 (reception).
#[server(prefix = "/api", endpoint = "customer_360", output = crate::codec::JsonText)]
pub async fn open_customer(customer_id: String) -> Result<Customer360, AppError> {
    let at = counter().await?;
    let customer = CustomerId::parse(&customer_id)?;
    Ok(use_storage::<dyn ReceptionStorage>()?
        .customer_360(customer, at)
        .await?)
}

/// Registers a walk-in and their vehicle (reception); the customer may type their own
/// phone number on the iPad.
#[server(prefix = "/api", endpoint = "register_walk_in", output = crate::codec::JsonText)]
pub async fn register_walk_in(
    phone: String,
    name: String,
    plate: String,
    model_id: String,
    mileage: String,
) -> Result<CustomerId, AppError> {
    crate::account::session::require_same_origin()?;
    let at = counter().await?;
    let walk_in = WalkIn {
        phone: domain::Phone::parse(&phone)?,
        name: domain::PersonName::parse(&name)?,
        plate: domain::Plate::parse(&plate)?,
        model: crate::garage::known_model(
            use_storage::<dyn crate::garage::GarageStorage>()?.as_ref(),
            &model_id,
        )
        .await?,
        mileage: domain::Mileage::parse(&mileage)?,
    };
    let id = use_storage::<dyn ReceptionStorage>()?
        .register_walk_in(&walk_in, at)
        .await?;
    tracing::info!(customer = %id, store = %at.store, "walk-in registered");
    Ok(id)
}

/// Tags a customer (reception).
#[server(prefix = "/api", endpoint = "tag_customer", output = crate::codec::JsonText)]
pub async fn tag_customer(customer_id: String, tag: String) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let at = counter().await?;
    let customer = CustomerId::parse(&customer_id)?;
    let tag = TagCode::parse(&tag)?;
    Ok(use_storage::<dyn ReceptionStorage>()?
        .tag(customer, &tag, at)
        .await?)
}

/// Takes a tag off a customer (reception).
#[server(prefix = "/api", endpoint = "untag_customer", output = crate::codec::JsonText)]
pub async fn untag_customer(customer_id: String, tag: String) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    counter().await?;
    let customer = CustomerId::parse(&customer_id)?;
    let tag = TagCode::parse(&tag)?;
    Ok(use_storage::<dyn ReceptionStorage>()?
        .untag(customer, &tag)
        .await?)
}

/// Adds a note to a customer's timeline (reception).
#[server(prefix = "/api", endpoint = "note_customer", output = crate::codec::JsonText)]
pub async fn note_customer(customer_id: String, body: String) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let at = counter().await?;
    let customer = CustomerId::parse(&customer_id)?;
    let note = NoteText::parse(&body)?;
    Ok(use_storage::<dyn ReceptionStorage>()?
        .note(customer, &note, at)
        .await?)
}

/// Sets or clears a customer's preferred advisor (reception); empty `staff_id` clears.
#[server(prefix = "/api", endpoint = "set_preferred_advisor", output = crate::codec::JsonText)]
pub async fn set_preferred_advisor(customer_id: String, staff_id: String) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let at = counter().await?;
    let customer = CustomerId::parse(&customer_id)?;
    let advisor = match staff_id.trim() {
        "" => None,
        id => Some(StaffId::parse(id)?),
    };
    Ok(use_storage::<dyn ReceptionStorage>()?
        .set_preferred_advisor(customer, advisor, Some(at.store))
        .await?)
}

/// The chain's tag vocabulary (HQ operations).
#[server(prefix = "/api", endpoint = "tag_vocabulary", output = crate::codec::JsonText)]
pub async fn tag_vocabulary() -> Result<Vec<TagDef>, AppError> {
    crate::account::session::require(domain::Principal::may_keep_tags).await?;
    Ok(use_storage::<dyn ReceptionStorage>()?.vocabulary().await?)
}

/// Adds a tag to the chain's vocabulary, or renames one (HQ operations): a code of
/// lower-case letters, digits and `_`, and a name in each language.
#[server(prefix = "/api", endpoint = "save_tag", output = crate::codec::JsonText)]
pub async fn save_tag(code: String, label_zh: String, label_en: String) -> Result<(), AppError> {
    use domain::reception::TagLabel;
    crate::account::session::require_same_origin()?;
    crate::account::session::require(domain::Principal::may_keep_tags).await?;
    let code = TagCode::parse(&code)?;
    let (zh, en) = (TagLabel::parse(&label_zh)?, TagLabel::parse(&label_en)?);
    use_storage::<dyn ReceptionStorage>()?
        .save_tag(&code, &zh, &en)
        .await?;
    tracing::info!(tag = code.as_str(), "tag saved");
    Ok(())
}

/// HQ's page of the tag vocabulary (`/hq/tags`): every tag with its names, each
/// renamable, and a form to add one.
#[component]
pub fn HqTags(
    tags: Resource<Result<Vec<TagDef>, AppError>>,
    save: ServerAction<SaveTag>,
) -> impl IntoView {
    let i18n = use_i18n();
    let fields = move |code: Option<String>, zh: String, en: String| {
        view! {
            {match code {
                Some(c) => view! { <input type="hidden" name="code" value=c /> }.into_any(),
                None => view! {
                    <label>
                        <span>{move || i18n.t(StaffMsg::TagCode)}</span>
                        <input type="text" name="code" required maxlength="32" autocomplete="off" />
                    </label>
                }
                .into_any(),
            }}
            <label>
                <span>{move || i18n.t(StaffMsg::TagLabelZh)}</span>
                <input type="text" name="label_zh" value=zh required maxlength="24" autocomplete="off" />
            </label>
            <label>
                <span>{move || i18n.t(StaffMsg::TagLabelEn)}</span>
                <input type="text" name="label_en" value=en required maxlength="24" autocomplete="off" />
            </label>
        }
    };
    view! {
        <section class="hq-tags">
            <h1>{move || i18n.t(StaffMsg::TagsTitle)}</h1>
            <p class="hint">{move || i18n.t(StaffMsg::TagsIntro)}</p>
            {move || save.value().get().and_then(Result::err).map(error_view)}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match tags.await {
                        Ok(list) => view! {
                            <ul class="tag-defs">
                                {list
                                    .into_iter()
                                    .map(|t| {
                                        let code = t.code.clone();
                                        view! {
                                            <li data-tag=t.code.clone()>
                                                <code>{t.code.clone()}</code>
                                                <ActionForm action=save attr:class="tag-form">
                                                    {fields(Some(code), t.label.zh.clone(), t.label.en.clone())}
                                                    <button type="submit">{move || i18n.t(Msg::Save)}</button>
                                                </ActionForm>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
            <h2>{move || i18n.t(StaffMsg::AddTagDef)}</h2>
            <ActionForm action=save attr:class="tag-form add-tag-def">
                {fields(None, String::new(), String::new())}
                <button type="submit">{move || i18n.t(StaffMsg::AddTagDef)}</button>
            </ActionForm>
        </section>
    }
}

/// The customer's preferred advisor, and everyone they may choose: the advisors and
/// managers of every store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisorChoices {
    pub current: Option<StaffChoice>,
    pub choices: Vec<StaffChoice>,
}

/// The signed-in customer's preferred advisor and the choices (online).
#[server(prefix = "/api", endpoint = "my_advisor", output = crate::codec::JsonText)]
pub async fn my_advisor() -> Result<AdvisorChoices, AppError> {
    let customer = crate::account::session::require_customer().await?;
    let storage = use_storage::<dyn ReceptionStorage>()?;
    Ok(AdvisorChoices {
        current: storage.preferred_advisor(customer).await?,
        choices: storage.advisors(None).await?,
    })
}

/// The customer chooses (or, with an empty `staff_id`, clears) their preferred advisor
/// online; the board then suggests them first at any of the chain's stores they work at.
#[server(prefix = "/api", endpoint = "choose_my_advisor", output = crate::codec::JsonText)]
pub async fn choose_my_advisor(staff_id: String) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let advisor = match staff_id.trim() {
        "" => None,
        id => Some(StaffId::parse(id)?),
    };
    Ok(use_storage::<dyn ReceptionStorage>()?
        .set_preferred_advisor(customer, advisor, None)
        .await?)
}

/// The customer's choice of preferred advisor on their garage page: the current one,
/// and a list of every store's advisors to choose from.
#[component]
pub fn MyAdvisorPanel(
    advisor: Resource<Result<AdvisorChoices, AppError>>,
    choose: ServerAction<ChooseMyAdvisor>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="my-advisor" aria-labelledby="my-advisor-h">
            <h2 id="my-advisor-h">{move || i18n.t(Msg::MyAdvisor)}</h2>
            <p class="hint">{move || i18n.t(Msg::MyAdvisorHint)}</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match advisor.await {
                        Ok(a) => {
                            let current = a.current.as_ref().map(|c| c.id);
                            let shown = a.current.clone();
                            view! {
                                <p class="current-advisor">
                                    {move || match &shown {
                                        Some(c) => format!("{} · {}", c.name.get(i18n.lang()), c.store.get(i18n.lang())),
                                        None => i18n.t(Msg::NoAdvisorChosen).to_owned(),
                                    }}
                                </p>
                                <ActionForm action=choose attr:class="choose-advisor">
                                    <label>
                                        <span>{move || i18n.t(Msg::ChooseAdvisor)}</span>
                                        <select name="staff_id">
                                            <option value="" selected=current.is_none()>{move || i18n.t(Msg::NoAdvisorChosen)}</option>
                                            {a.choices
                                                .into_iter()
                                                .map(|c| {
                                                    let label = (c.name.clone(), c.store.clone());
                                                    view! {
                                                        <option value=c.id.to_string() selected=Some(c.id) == current>
                                                            {move || format!("{} · {}", label.0.get(i18n.lang()), label.1.get(i18n.lang()))}
                                                        </option>
                                                    }
                                                })
                                                .collect_view()}
                                        </select>
                                    </label>
                                    <button type="submit">{move || i18n.t(Msg::Save)}</button>
                                </ActionForm>
                            }
                            .into_any()
                        }
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
            {move || choose.value().get().and_then(Result::err).map(error_view)}
        </section>
    }
}

/// The resources of reception and the 360, made by the kiosk page outside its lock gate
/// (views built in reactive closures must not make resources).
#[derive(Clone, Copy)]
pub struct ReceptionState {
    /// The search box's text, kept in the address (`/kiosk?q=`), so the search also works
    /// as a plain form before the page hydrates.
    q: Memo<String>,
    results: Resource<Result<Option<SearchResult>, AppError>>,
    file: Resource<Result<Option<Customer360>, AppError>>,
    actions: FileActions,
    register: ServerAction<RegisterWalkIn>,
    models: Resource<Result<Vec<crate::garage::VehicleModel>, AppError>>,
}

impl ReceptionState {
    pub fn new() -> ReceptionState {
        let query = leptos_router::hooks::use_query_map();
        let q = Memo::new(move |_| query.read().get("q").unwrap_or_default());
        let me = crate::account::use_me_context();
        // Unlocking (or locking) the kiosk changes who asks: fetched again then.
        let results = Resource::new(
            move || (me.session(), q.get()),
            |(_, q)| async move {
                if q.trim().is_empty() {
                    Ok(None)
                } else {
                    search_customers(q).await.map(Some)
                }
            },
        );
        let pathname = leptos_router::hooks::use_location().pathname;
        let customer = Memo::new(move |_| {
            pathname
                .read()
                .strip_prefix("/kiosk/customers/")
                .map(|id| id.trim_end_matches('/').to_owned())
        });
        let actions = FileActions {
            tag: ServerAction::new(),
            untag: ServerAction::new(),
            note: ServerAction::new(),
            advisor: ServerAction::new(),
            book: ServerAction::new(),
            lost: ServerAction::new(),
        };
        // A booking made at the counter joins the timeline; a refused one leaves the
        // file (and the half-made choice) as it was.
        let booked = Memo::new(move |_| {
            actions
                .book
                .value()
                .with(|v| v.as_ref().and_then(|r| r.as_ref().ok()).map(|b| b.id))
        });
        let file = Resource::new(
            move || {
                (
                    me.session(),
                    customer.get(),
                    actions.tag.version().get(),
                    actions.untag.version().get(),
                    actions.note.version().get(),
                    actions.advisor.version().get(),
                    actions.lost.version().get(),
                    booked.get(),
                )
            },
            |(_, id, ..)| async move {
                match id {
                    Some(id) => open_customer(id).await.map(Some),
                    None => Ok(None),
                }
            },
        );
        let register = ServerAction::<RegisterWalkIn>::new();
        let models = Resource::new(|| (), |_| crate::garage::list_models());
        ReceptionState {
            q,
            results,
            file,
            actions,
            register,
            models,
        }
    }
}

impl Default for ReceptionState {
    fn default() -> Self {
        ReceptionState::new()
    }
}

/// The reception screen at `/kiosk`: search as you type, and the walk-in form.
#[component]
pub fn Reception(state: ReceptionState) -> impl IntoView {
    let i18n = use_i18n();
    let ReceptionState { q, results, .. } = state;
    let navigate = leptos_router::hooks::use_navigate();
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let encoded: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
        navigate(
            &format!("/kiosk?q={encoded}"),
            leptos_router::NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    view! {
        <section class="reception">
            <h1>{move || i18n.t(StaffMsg::Reception)}</h1>
            <form method="get" action="/kiosk" class="customer-search" role="search">
                <label>
                    <span>{move || i18n.t(StaffMsg::SearchCustomer)}</span>
                    <input
                        type="search"
                        name="q"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        // Set once: the address follows the box, not the other way round,
                        // so fast typing never loses a keystroke to a late answer.
                        value=q.get_untracked()
                        placeholder=move || i18n.t(StaffMsg::SearchCustomerHint)
                        on:input=on_input
                    />
                </label>
                <button type="submit">{move || i18n.t(StaffMsg::Search)}</button>
            </form>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(None) => ().into_any(),
                        Ok(Some(found)) => view! { <SearchResults found=found /> }.into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
            <WalkInForm state=state />
        </section>
    }
}

#[component]
fn SearchResults(found: SearchResult) -> impl IntoView {
    let i18n = use_i18n();
    if found.hits.is_empty() {
        return view! { <p class="empty" role="status">{move || i18n.t(StaffMsg::NoCustomerFound)}</p> }.into_any();
    }
    let more = found.more;
    view! {
        <ul class="search-results" role="list">
            {found
                .hits
                .into_iter()
                .map(|hit| {
                    let href = format!("/kiosk/customers/{}", hit.id);
                    let name = Named { zh: hit.name_zh.clone(), en: hit.name_en.clone() };
                    view! {
                        <li data-customer=hit.id.to_string()>
                            <a href=href class="hit">
                                <span class="name">{move || name.get(i18n.lang()).to_owned()}</span>
                                <span class="phone">{hit.phone_masked.clone()}</span>
                                <span class="plates">{hit.plates.join(" · ")}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {more.then(|| view! { <p class="more" role="status">{move || i18n.t(StaffMsg::SearchMore)}</p> })}
    }
    .into_any()
}

/// Registering a walk-in: the customer types their phone, the advisor the rest.
#[component]
fn WalkInForm(state: ReceptionState) -> impl IntoView {
    let i18n = use_i18n();
    let ReceptionState {
        register, models, ..
    } = state;
    let navigate = leptos_router::hooks::use_navigate();
    // Only a registration made while this form is shown opens the new customer: the
    // action outlives the form, and coming back to reception must stay there.
    Effect::new(move |seen: Option<usize>| {
        let version = register.version().get();
        if seen.is_some_and(|seen| seen != version) {
            if let Some(Ok(id)) = register.value().get_untracked() {
                navigate(&format!("/kiosk/customers/{id}"), Default::default());
            }
        }
        version
    });
    view! {
        <details class="walk-in">
            <summary>{move || i18n.t(StaffMsg::RegisterWalkIn)}</summary>
            <ActionForm action=register attr:class="walk-in-form">
                <label>
                    <span>{move || i18n.t(Msg::Phone)}</span>
                    <input type="tel" name="phone" inputmode="numeric" autocomplete="off" required maxlength="20" />
                </label>
                <label>
                    <span>{move || i18n.t(Msg::YourName)}</span>
                    <input type="text" name="name" autocomplete="off" required maxlength="40" />
                </label>
                <label>
                    <span>{move || i18n.t(Msg::Plate)}</span>
                    <input type="text" name="plate" autocomplete="off" autocapitalize="characters" required maxlength="12" />
                </label>
                <label>
                    <span>{move || i18n.t(Msg::Model)}</span>
                    <select name="model_id" required>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                models
                                    .await
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|m| {
                                        let label = crate::garage::model_label(&m, i18n.lang());
                                        view! { <option value=m.id.to_string()>{label}</option> }
                                    })
                                    .collect_view()
                            })}
                        </Transition>
                    </select>
                </label>
                <label>
                    <span>{move || i18n.t(Msg::MileageKm)}</span>
                    <input type="text" name="mileage" inputmode="numeric" autocomplete="off" required maxlength="12" />
                </label>
                <button type="submit">{move || i18n.t(StaffMsg::Register)}</button>
            </ActionForm>
            {move || match register.value().get() {
                Some(Err(e)) => error_view(e).into_any(),
                _ => ().into_any(),
            }}
        </details>
    }
}

/// The actions of the 360, made outside its view so a refetch keeps their messages.
#[derive(Clone, Copy)]
struct FileActions {
    tag: ServerAction<TagCustomer>,
    untag: ServerAction<UntagCustomer>,
    note: ServerAction<NoteCustomer>,
    advisor: ServerAction<SetPreferredAdvisor>,
    book: ServerAction<crate::booking::counter::BookAtCounter>,
    lost: ServerAction<crate::lifecycle::MarkCustomerLost>,
}

/// The customer 360 at `/kiosk/customers/:id`.
#[component]
pub fn CustomerFile(state: ReceptionState) -> impl IntoView {
    let i18n = use_i18n();
    let ReceptionState { file, actions, .. } = state;
    view! {
        <section class="customer-file">
            <a class="back" href="/kiosk">{move || i18n.t(StaffMsg::BackToReception)}</a>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match file.await {
                        Ok(Some(c)) => view! { <FileBody c=c actions=actions /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn FileBody(c: Customer360, actions: FileActions) -> impl IntoView {
    let i18n = use_i18n();
    let customer = c.id.to_string();
    let (customer_untag, customer_tag, customer_advisor) =
        (customer.clone(), customer.clone(), customer.clone());
    let name = c.name.clone();
    let since = format_local(c.since);
    let on_file: Vec<String> = c.tags.iter().map(|t| t.tag.code.clone()).collect();
    let addable: Vec<TagDef> = c
        .vocabulary
        .iter()
        .filter(|t| !on_file.contains(&t.code))
        .cloned()
        .collect();
    let preferred = c.preferred_advisor.as_ref().map(|a| a.id);
    let customer_id = c.id;
    // `?book=<vehicle>&service=<service>` (a follow-up booked again) opens that car's
    // booking with the service chosen.
    let query = leptos_router::hooks::use_query_map();
    let (asked_car, asked_service) = query.with_untracked(|q| {
        (
            q.get("book")
                .and_then(|v| domain::VehicleId::parse(&v).ok()),
            q.get("service")
                .and_then(|s| domain::ServiceId::parse(&s).ok()),
        )
    });
    let booking_for =
        RwSignal::new(asked_car.filter(|car| c.vehicles.iter().any(|v| v.id == *car)));
    let plates: Vec<String> = c.vehicles.iter().map(|v| v.plate.clone()).collect();
    // The booking just made for one of this customer's cars (the action outlives the page).
    let just_booked = move || {
        actions
            .book
            .value()
            .get()
            .and_then(Result::ok)
            .filter(|b| plates.contains(&b.plate))
    };
    let preferred_name = c.preferred_advisor.clone();
    let action_error = move || {
        [
            actions.tag.value().get().and_then(Result::err),
            actions.untag.value().get().and_then(Result::err),
            actions.note.value().get().and_then(Result::err),
            actions.advisor.value().get().and_then(Result::err),
            actions.lost.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    view! {
        <header class="file-head">
            <h1>{move || name.get(i18n.lang()).to_owned()}</h1>
            <p class="facts">
                <span class="phone">{c.phone.clone()}</span>
                <span class="tag tier">{move || i18n.t(crate::policies::tier_label(c.tier))}</span>
                <span class="since">{move || i18n.t(StaffMsg::CustomerSince)} " " {since.clone()}</span>
                {crate::lifecycle::standing_badges(i18n, c.standing)}
            </p>
            {crate::lifecycle::mark_lost_form(i18n, customer_id, c.standing, actions.lost)}
        </header>
        {move || action_error().map(error_view)}
        <div class="file-grid">
            <section class="file-vehicles" aria-labelledby="file-vehicles-h">
                <h2 id="file-vehicles-h">{move || i18n.t(StaffMsg::Vehicles)}</h2>
                {move || just_booked().map(|b| view! { <CounterBooked booking=b /> })}
                <ul>
                    {c.vehicles
                        .into_iter()
                        .map(|v| {
                            let id = v.id;
                            let open = move || booking_for.get() == Some(id);
                            view! {
                                <li data-plate=v.plate.clone()>
                                    <span class="plate">{v.plate.clone()}</span>
                                    <span class="model">{move || v.model.get(i18n.lang()).to_owned()}</span>
                                    <span class="km">{format!("{} km", v.mileage_km)}</span>
                                    {v.km_per_day.map(|d| view! {
                                        <span class="per-day">{move || format!("≈ {d} {}", i18n.t(StaffMsg::KmPerDay))}</span>
                                    })}
                                    <button
                                        type="button"
                                        class="book-for-car"
                                        aria-expanded=move || if open() { "true" } else { "false" }
                                        on:click=move |_| booking_for.update(|b| *b = if *b == Some(id) { None } else { Some(id) })
                                    >
                                        {move || i18n.t(if open() { StaffMsg::CloseBooking } else { StaffMsg::BookForCar })}
                                    </button>
                                    <Show when=open>
                                        <CounterBooking
                                            customer=customer_id
                                            vehicle=id
                                            book=actions.book
                                            service=asked_service.filter(|_| asked_car == Some(id))
                                        />
                                    </Show>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
            <section class="file-tags" aria-labelledby="file-tags-h">
                <h2 id="file-tags-h">{move || i18n.t(StaffMsg::Tags)}</h2>
                <ul class="tag-list">
                    {c.tags
                        .into_iter()
                        .map(|t| {
                            let (label, by) = (t.tag.label.clone(), t.added_by.clone());
                            let code = t.tag.code.clone();
                            let code_attr = code.clone();
                            let customer = customer_untag.clone();
                            view! {
                                <li data-tag=code_attr>
                                    <span class="chip">{move || label.get(i18n.lang()).to_owned()}</span>
                                    <span class="by">{move || format!("{} {}", i18n.t(StaffMsg::AddedBy), by.get(i18n.lang()))}</span>
                                    <ActionForm action=actions.untag attr:class="untag">
                                        <input type="hidden" name="customer_id" value=customer />
                                        <input type="hidden" name="tag" value=code />
                                        <button type="submit" aria-label=move || i18n.t(StaffMsg::RemoveTag)>"×"</button>
                                    </ActionForm>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <ActionForm action=actions.tag attr:class="add-tag">
                    <input type="hidden" name="customer_id" value=customer_tag />
                    <label>
                        <span class="visually-hidden">{move || i18n.t(StaffMsg::Tags)}</span>
                        <select name="tag" required>
                            {addable
                                .into_iter()
                                .map(|t| view! { <option value=t.code.clone()>{move || t.label.get(i18n.lang()).to_owned()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <button type="submit">{move || i18n.t(StaffMsg::AddTag)}</button>
                </ActionForm>
            </section>
            <section class="file-advisor" aria-labelledby="file-advisor-h">
                <h2 id="file-advisor-h">{move || i18n.t(StaffMsg::PreferredAdvisor)}</h2>
                <p class="current">
                    {move || match &preferred_name {
                        Some(a) => format!("{} ({})", a.name.get(i18n.lang()), a.store.get(i18n.lang())),
                        None => i18n.t(StaffMsg::NoPreference).to_owned(),
                    }}
                </p>
                <ActionForm action=actions.advisor attr:class="set-advisor">
                    <input type="hidden" name="customer_id" value=customer_advisor />
                    <label>
                        <span class="visually-hidden">{move || i18n.t(StaffMsg::PreferredAdvisor)}</span>
                        <select name="staff_id">
                            <option value="">{move || i18n.t(StaffMsg::NoPreference)}</option>
                            {c.advisors
                                .into_iter()
                                .map(|a| view! {
                                    <option value=a.id.to_string() selected=preferred == Some(a.id)>
                                        {move || a.name.get(i18n.lang()).to_owned()}
                                    </option>
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <button type="submit">{move || i18n.t(Msg::Save)}</button>
                </ActionForm>
            </section>
        </div>
        <section class="file-timeline" aria-labelledby="file-timeline-h">
            <h2 id="file-timeline-h">{move || i18n.t(StaffMsg::Timeline)}</h2>
            <ActionForm action=actions.note attr:class="add-note">
                <input type="hidden" name="customer_id" value=customer />
                <label>
                    <span class="visually-hidden">{move || i18n.t(StaffMsg::AddNote)}</span>
                    <textarea name="body" required maxlength="500" rows="2" placeholder=move || i18n.t(StaffMsg::AddNote)></textarea>
                </label>
                <button type="submit">{move || i18n.t(StaffMsg::AddNote)}</button>
            </ActionForm>
            <ol class="timeline">
                {c.timeline.into_iter().map(|e| view! { <TimelineItem entry=e /> }).collect_view()}
            </ol>
        </section>
    }
}

fn channel_label(channel: domain::order::Channel) -> StaffMsg {
    use domain::order::Channel;
    match channel {
        Channel::WalkIn => StaffMsg::ChannelWalkIn,
        Channel::Counter => StaffMsg::ChannelCounter,
        Channel::Online => StaffMsg::ChannelOnline,
    }
}

#[component]
fn TimelineItem(entry: TimelineEntry) -> impl IntoView {
    let i18n = use_i18n();
    let at = format_local(entry.at);
    let (kind, body): (&'static str, Box<dyn Fn(Lang) -> String + Send + Sync>) = match entry.event
    {
        TimelineEvent::SignedUp => (
            "signed-up",
            Box::new(move |l| StaffMsg::TimelineSignedUp.text(l).to_owned()),
        ),
        TimelineEvent::Registered { store } => (
            "registered",
            Box::new(move |l| {
                format!(
                    "{} · {}",
                    StaffMsg::TimelineRegistered.text(l),
                    store.get(l)
                )
            }),
        ),
        TimelineEvent::VehicleAdded { plate } => (
            "vehicle",
            Box::new(move |l| format!("{} · {plate}", StaffMsg::TimelineVehicleAdded.text(l))),
        ),
        TimelineEvent::Order {
            reference,
            store,
            channel,
            status,
            services,
            total,
            plate,
        } => (
            "order",
            Box::new(move |l| {
                let names: Vec<&str> = services.iter().map(|s| s.get(l)).collect();
                format!(
                    "{reference} · {} · {} · {} · {plate} · {} · {total}",
                    store.get(l),
                    channel_label(channel).text(l),
                    crate::garage::status_label(status).text(l),
                    names.join("、"),
                )
            }),
        ),
        TimelineEvent::VisitElsewhere { store } => (
            "visit",
            Box::new(move |l| {
                format!(
                    "{} · {}",
                    StaffMsg::TimelineVisitElsewhere.text(l),
                    store.get(l)
                )
            }),
        ),
        TimelineEvent::Note { by, store, body } => (
            "note",
            Box::new(move |l| {
                let place = store
                    .as_ref()
                    .map(|s| format!(" ({})", s.get(l)))
                    .unwrap_or_default();
                format!("{}{place}: {body}", by.get(l))
            }),
        ),
        TimelineEvent::Tagged { tag, by } => (
            "tagged",
            Box::new(move |l| {
                format!(
                    "{} · {} · {}",
                    StaffMsg::TimelineTagged.text(l),
                    tag.get(l),
                    by.get(l)
                )
            }),
        ),
    };
    view! {
        <li class="entry" data-kind=kind>
            <time>{at}</time>
            <span class="what">{move || body(i18n.lang())}</span>
        </li>
    }
}
