//! The service price list: one published price per service, shown alike on every
//! surface and published from HQ.
//!
//! Server functions: [`get_price_list`] (anyone) and [`publish_service_price`] (HQ).
//! Components: [`ServicePriceList`] for the customer web and the kiosk, and
//! [`HqPriceList`] with a publish form per service. Prices are looked up and formatted by
//! `domain` (`PriceList::price_of`, `Money`'s `Display`), never here.

#[cfg(feature = "ssr")]
use domain::ServiceId;
use domain::{Money, PriceList, ServiceCategory};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::AppError;
use crate::i18n::{use_i18n, I18n, Lang, Msg};
use crate::live::use_live;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// How a category is named to people.
pub fn category_label(category: ServiceCategory) -> Msg {
    match category {
        ServiceCategory::Maintenance => Msg::CatMaintenance,
        ServiceCategory::Tyres => Msg::CatTyres,
        ServiceCategory::Repair => Msg::CatRepair,
        ServiceCategory::Detailing => Msg::CatDetailing,
        ServiceCategory::Ev => Msg::CatEv,
    }
}

pub use domain::catalog::Service;
pub use domain::pricing::PricePoint;

/// A service's name and description in the page's language.
pub fn service_name(service: &Service, lang: Lang) -> &str {
    match lang {
        Lang::Zh => &service.name_zh,
        Lang::En => &service.name_en,
    }
}

pub fn service_description(service: &Service, lang: Lang) -> &str {
    match lang {
        Lang::Zh => &service.description_zh,
        Lang::En => &service.description_en,
    }
}

/// What the price list needs from storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait PriceStorage: Send + Sync + 'static {
    /// The service catalog, in display order.
    async fn services(&self) -> Result<Vec<Service>, StorageError>;

    /// The price list in force now.
    async fn current_price_list(&self) -> Result<PriceList, StorageError>;

    /// Publishes a new price for one item as a new price-list version, effective now, and
    /// announces it. Concurrent publishes are serialised; each builds on the previous.
    async fn publish_price(
        &self,
        item: domain::PricedItem,
        price: Money,
        published_by: &str,
    ) -> Result<PriceList, StorageError>;

    /// Every version's price for one item, newest first.
    async fn price_history(
        &self,
        item: domain::PricedItem,
    ) -> Result<Vec<PricePoint>, StorageError>;
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePrice {
    pub service: Service,
    pub price: Money,
}

/// The price list as every surface shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceListView {
    pub version: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub effective_from: OffsetDateTime,
    pub services: Vec<ServicePrice>,
}

impl PriceListView {
    /// Joins the catalog with a price list: the services it puts on sale.
    pub fn build(list: &PriceList, services: Vec<Service>) -> Self {
        let services = list
            .on_sale(services, |s| s.id)
            .into_iter()
            .map(|(service, price)| ServicePrice { service, price })
            .collect();
        PriceListView {
            version: list.version,
            effective_from: list.effective_from,
            services,
        }
    }
}

/// Times are shown in China Standard Time, where every store is.
pub fn format_local(t: OffsetDateTime) -> String {
    let cst = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let t = t.to_offset(cst);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[server(prefix = "/api", endpoint = "price_list", output = crate::codec::JsonText)]
pub async fn get_price_list() -> Result<PriceListView, AppError> {
    let prices = use_storage::<dyn PriceStorage>()?;
    let services = prices.services().await?;
    let list = prices.current_price_list().await?;
    Ok(PriceListView::build(&list, services))
}

/// Publishes a new price for one service. Arguments arrive as the strings a person
/// typed and are parsed here, at the edge.
#[server(prefix = "/api", endpoint = "publish_service_price", output = crate::codec::JsonText)]
pub async fn publish_service_price(service_id: String, price: String) -> Result<u32, AppError> {
    crate::account::session::require_same_origin()?;
    let me = crate::account::session::require(domain::Principal::may_publish_prices).await?;
    let service = ServiceId::parse(&service_id)?;
    let price = domain::money::parse_price(&price)?;
    let prices = use_storage::<dyn PriceStorage>()?;
    if !prices.services().await?.iter().any(|s| s.id == service) {
        return Err(AppError::NotFound);
    }
    let list = prices
        .publish_price(domain::PricedItem::Service(service), price, &publisher(&me))
        .await?;
    tracing::info!(version = list.version, %service, %price, by = %publisher(&me), "price published");
    Ok(list.version)
}

/// Who published, as the price list's history records it: the staff member's id.
#[cfg(feature = "ssr")]
fn publisher(me: &domain::Me) -> String {
    match &me.principal {
        domain::Principal::Staff { id, .. } => id.to_string(),
        domain::Principal::Customer { id } => id.to_string(),
    }
}

/// Every published price of one service, newest first (HQ only).
#[server(prefix = "/api", endpoint = "service_price_history", output = crate::codec::JsonText)]
pub async fn get_service_price_history(service_id: String) -> Result<Vec<PricePoint>, AppError> {
    crate::account::session::require(domain::Principal::may_publish_prices).await?;
    let service = ServiceId::parse(&service_id)?;
    let history = use_storage::<dyn PriceStorage>()?
        .price_history(domain::PricedItem::Service(service))
        .await?;
    if history.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(history)
}

/// The price list in force, refetched whenever a price is published: one resource per
/// page, made by the route's component outside every sign-in gate (a resource made
/// inside a gate's view could be made twice while the server renders, and the browser
/// would then read another resource's data).
#[derive(Clone, Copy)]
pub struct PriceListContext(pub Resource<Result<PriceListView, AppError>>);

/// Called by each route that shows a price list, before its gate.
pub fn provide_price_list() {
    let live = use_live();
    let list = Resource::new(move || live.prices.get(), |_| get_price_list());
    provide_context(PriceListContext(list));
}

pub fn use_price_list() -> Resource<Result<PriceListView, AppError>> {
    expect_context::<PriceListContext>().0
}

#[component]
fn VersionLine(view: PriceListView) -> impl IntoView {
    let i18n = use_i18n();
    let when = format_local(view.effective_from);
    view! {
        <p class="version-line" data-version=view.version>
            {move || i18n.t(Msg::PriceListVersion)}
            " "
            <strong>{view.version}</strong>
            " · "
            {move || i18n.t(Msg::EffectiveFrom)}
            " "
            {when.clone()}
        </p>
    }
}

#[component]
fn ErrorLine(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="error" role="alert">{move || error.message(i18n.lang())}</p> }
}

/// The frame every price list shares: heading, intro, the version in force, and the
/// rows `rows` renders, refetched whenever a price is published.
#[component]
fn PriceListSection<F>(class: &'static str, intro: Msg, rows: F) -> impl IntoView
where
    F: Fn(Vec<ServicePrice>) -> AnyView + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let prices = use_price_list();
    view! {
        <section class=class>
            <h1>{move || i18n.t(Msg::ServicePrices)}</h1>
            <p class="intro">{move || i18n.t(intro)}</p>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match prices.await {
                        Ok(view) => {
                            let services = view.services.clone();
                            view! {
                                <VersionLine view=view />
                                {rows(services)}
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorLine error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The read-only price list of the customer web and the kiosk.
#[component]
pub fn ServicePriceList(intro: Msg) -> impl IntoView {
    let i18n = use_i18n();
    let cards = move |services: Vec<ServicePrice>| {
        view! {
            <ul class="service-cards">
                {services.into_iter().map(|row| service_card(i18n, row)).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! { <PriceListSection class="price-list" intro=intro rows=cards /> }
}

fn service_card(i18n: I18n, row: ServicePrice) -> impl IntoView {
    let ServicePrice { service, price } = row;
    let code = service.code.clone();
    let category = service.category;
    let minutes = service.duration_min;
    // Each reactive closure below owns its copy.
    let for_name = service.clone();
    let for_description = service;
    view! {
        <li class="service-card" data-service=code>
            <div class="service-head">
                <h2 class="service-name">{move || service_name(&for_name, i18n.lang()).to_owned()}</h2>
                <span class="price">{price.to_string()}</span>
            </div>
            <p class="service-desc">{move || service_description(&for_description, i18n.lang()).to_owned()}</p>
            <p class="service-meta">
                <span class="tag">{move || i18n.t(category_label(category))}</span>
                <span class="duration">{minutes} " " {move || i18n.t(Msg::Minutes)}</span>
            </p>
        </li>
    }
}

/// HQ's price list: every service with its price and a form to publish a new one.
///
/// The publish action lives here, above the table, not in the rows: a publish makes the
/// table refetch (through the live event or the effect below) and re-render its rows,
/// and the action's result must outlive that.
#[component]
pub fn HqPriceList() -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let publish = ServerAction::<PublishServicePrice>::new();
    // The row the last publish came from; the action's own input is cleared on completion.
    let target = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(input) = publish.input().get() {
            target.set(Some(input.service_id));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = publish.value().get() {
            live.prices.update(|n| *n += 1);
        }
    });
    let publishing = PublishState { publish, target };

    let table = move |services: Vec<ServicePrice>| {
        view! {
            <table class="price-table">
                <thead>
                    <tr>
                        <th>{move || i18n.t(Msg::ColService)}</th>
                        <th>{move || i18n.t(Msg::ColCategory)}</th>
                        <th>{move || i18n.t(Msg::ColDuration)}</th>
                        <th class="num">{move || i18n.t(Msg::ColPrice)}</th>
                        <th>{move || i18n.t(Msg::ColNewPrice)}</th>
                    </tr>
                </thead>
                <tbody>
                    {services
                        .into_iter()
                        .map(|row| view! { <HqPriceRow row=row publishing=publishing /> })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! { <PriceListSection class="price-list hq" intro=Msg::HqPricesIntro rows=table /> }
}

/// The publish action shared by all rows, and which row used it last.
#[derive(Clone, Copy)]
struct PublishState {
    publish: ServerAction<PublishServicePrice>,
    target: RwSignal<Option<String>>,
}

#[component]
fn HqPriceRow(row: ServicePrice, publishing: PublishState) -> impl IntoView {
    let i18n = use_i18n();
    let PublishState { publish, target } = publishing;
    let ServicePrice { service, price } = row;
    let id = service.id.to_string();
    let history_id = id.clone();
    let code = service.code.clone();
    let category = service.category;
    let minutes = service.duration_min;
    let mine = {
        let id = id.clone();
        move || target.with(|t| t.as_deref() == Some(id.as_str()))
    };
    let busy = {
        let mine = mine.clone();
        move || publish.pending().get() && mine()
    };
    let result = move || if mine() { publish.value().get() } else { None };

    view! {
        <tr data-service=code>
            <td class="service-name">{move || service_name(&service, i18n.lang()).to_owned()}</td>
            <td>{move || i18n.t(category_label(category))}</td>
            <td>{minutes} " " {move || i18n.t(Msg::Minutes)}</td>
            <td class="num price">{price.to_string()}</td>
            <td>
                <ActionForm action=publish attr:class="publish-form">
                    <input type="hidden" name="service_id" value=id />
                    <input
                        type="text"
                        name="price"
                        inputmode="decimal"
                        autocomplete="off"
                        aria-label=move || i18n.t(Msg::ColNewPrice)
                        placeholder=move || i18n.t(Msg::NewPricePlaceholder)
                    />
                    <button type="submit" disabled=move || publish.pending().get()>
                        {move || if busy() { i18n.t(Msg::Publishing) } else { i18n.t(Msg::Publish) }}
                    </button>
                </ActionForm>
                {move || match result() {
                    Some(Err(e)) => view! { <ErrorLine error=e /> }.into_any(),
                    Some(Ok(version)) => {
                        view! {
                            <p class="ok" role="status">
                                {move || i18n.t(Msg::PublishedVersion)}
                                " "
                                {version}
                            </p>
                        }
                            .into_any()
                    }
                    None => ().into_any(),
                }}
                <PriceHistory service_id=history_id />
            </td>
        </tr>
    }
}

/// A disclosure with a service's price history, fetched when first opened.
#[component]
fn PriceHistory(service_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let details = NodeRef::<leptos::html::Details>::new();
    let service_id = StoredValue::new(service_id);
    view! {
        <details
            class="price-history"
            node_ref=details
            on:toggle=move |_| {
                if let Some(el) = details.get() {
                    open.set(el.open());
                }
            }
        >
            <summary>{move || i18n.t(Msg::PriceHistory)}</summary>
            // Made only once opened, in the browser: no resource is made while the server
            // renders the rows, so none can be made twice there.
            {move || {
                open.get().then(|| view! { <PriceHistoryList service_id=service_id.get_value() /> })
            }}
        </details>
    }
}

#[component]
fn PriceHistoryList(service_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let history = Resource::new(
        move || live.prices.get(),
        move |_| get_service_price_history(service_id.clone()),
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(points) => {
                        view! {
                            <ol class="history">
                                {points
                                    .into_iter()
                                    .map(|p| {
                                        view! {
                                            <li data-version=p.version>
                                                <span class="v">"v" {p.version}</span>
                                                <span class="when">{format_local(p.effective_from)}</span>
                                                <span class="price">{p.price.to_string()}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <ErrorLine error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}
