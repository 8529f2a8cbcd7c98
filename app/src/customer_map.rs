//! Where the chain's customers live, by district, against the stores' reach (C11): a
//! map drawn on the server as SVG and the same figures in a table, with the district
//! that most needs a store. The rules are [`domain::districts`]'s. Customers say where
//! they live in their garage ([`set_home_district`]).
//!
//! - Server functions: [`get_customer_map`] (HQ staff), [`set_home_district`] (a
//!   customer, for themselves), [`get_home_district`].
//! - Storage: [`MapStorage`].
//! - Components: [`CustomerMap`] (on `/hq/kpis`), [`HomeDistrict`] (in the garage).

#[cfg(feature = "ssr")]
use domain::districts::District;
use domain::districts::DISTRICTS;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, HomeMsg, I18n, KpiMsg, Lang, Msg};
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// One district on the map.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapRow {
    pub code: String,
    pub name: Named,
    pub customers: u32,
    /// The nearest store's name and how far it is, in metres.
    pub nearest: Option<(Named, u32)>,
    pub within: bool,
}

/// The map and its figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerMapView {
    pub rows: Vec<MapRow>,
    /// Customers who have not said where they live.
    pub unknown: u32,
    /// The district with most customers beyond every store's reach.
    pub next: Option<Named>,
    pub reach_km: u32,
    pub svg: String,
}

/// The map's storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait MapStorage: Send + Sync + 'static {
    /// Customers per district code (`None`: not said).
    async fn customer_districts(&self) -> Result<Vec<(Option<String>, u32)>, StorageError>;

    /// Every store with its name and place.
    async fn store_places(
        &self,
    ) -> Result<Vec<(domain::StoreId, Named, domain::geo::GeoPoint)>, StorageError>;

    /// A customer's district code, if they said.
    async fn home_district(
        &self,
        customer: domain::CustomerId,
    ) -> Result<Option<String>, StorageError>;

    /// Records where a customer lives (`None`: they would rather not say).
    async fn set_home_district(
        &self,
        customer: domain::CustomerId,
        district: Option<District>,
    ) -> Result<(), StorageError>;
}

#[cfg(feature = "ssr")]
fn named(d: &District) -> Named {
    Named {
        zh: d.name_zh.to_owned(),
        en: d.name_en.to_owned(),
    }
}

/// The map of where customers live, drawn in `lang` (HQ staff).
#[server(prefix = "/api", endpoint = "customer_map", output = crate::codec::JsonText)]
pub async fn get_customer_map(lang: String) -> Result<CustomerMapView, AppError> {
    crate::account::session::require(domain::Principal::works_at_hq).await?;
    let lang = Lang::from_tag(&lang).unwrap_or_default();
    let storage = use_storage::<dyn MapStorage>()?;
    let counts = storage.customer_districts().await?;
    let stores = storage.store_places().await?;
    let unknown = counts
        .iter()
        .filter(|(c, _)| c.is_none())
        .map(|(_, n)| *n)
        .sum();
    let known: Vec<(String, u32)> = counts
        .into_iter()
        .filter_map(|(c, n)| Some((c?, n)))
        .collect();
    let places: Vec<(domain::StoreId, domain::geo::GeoPoint)> =
        stores.iter().map(|(id, _, at)| (*id, *at)).collect();
    let reach = domain::districts::reach(&known, &places);
    let store_name = |id: domain::StoreId| {
        stores
            .iter()
            .find(|(s, _, _)| *s == id)
            .map(|(_, n, _)| n.clone())
            .unwrap_or_default()
    };
    let rows: Vec<MapRow> = reach
        .iter()
        .map(|r| MapRow {
            code: r.district.code.to_owned(),
            name: named(&r.district),
            customers: r.customers,
            nearest: r.nearest.map(|(id, m)| (store_name(id), m)),
            within: r.within(),
        })
        .collect();
    let svg = draw(lang, &rows, &stores);
    Ok(CustomerMapView {
        next: domain::districts::next_store(&reach).map(|d| named(&d)),
        rows,
        unknown,
        reach_km: domain::districts::REACH_M / 1000,
        svg,
    })
}

#[cfg(feature = "ssr")]
fn draw(
    lang: Lang,
    rows: &[MapRow],
    stores: &[(domain::StoreId, Named, domain::geo::GeoPoint)],
) -> String {
    use crate::charts::{district_map, MapPlace, MapStore};
    let places: Vec<MapPlace> = rows
        .iter()
        .zip(DISTRICTS)
        .map(|(r, d)| MapPlace {
            label: r.name.get(lang).to_owned(),
            lat_e6: d.lat_e6,
            lng_e6: d.lng_e6,
            customers: r.customers,
            within: r.within,
        })
        .collect();
    let stores: Vec<MapStore> = stores
        .iter()
        .map(|(_, name, at)| MapStore {
            label: name.get(lang).to_owned(),
            lat_e6: at.lat_e6,
            lng_e6: at.lng_e6,
        })
        .collect();
    district_map(
        "customer-map",
        KpiMsg::MapTitle.text(lang),
        &places,
        &stores,
        domain::districts::REACH_M,
        [
            KpiMsg::WithinReach.text(lang),
            KpiMsg::BeyondReach.text(lang),
            KpiMsg::StoreReach.text(lang),
        ],
    )
}

/// A customer's district, if they said.
#[server(prefix = "/api", endpoint = "home_district", output = crate::codec::JsonText)]
pub async fn get_home_district() -> Result<Option<String>, AppError> {
    let customer = crate::account::session::require_customer().await?;
    Ok(use_storage::<dyn MapStorage>()?
        .home_district(customer)
        .await?)
}

/// Where the signed-in customer lives: a district's code, or empty to not say.
#[server(prefix = "/api", endpoint = "set_home_district", output = crate::codec::JsonText)]
pub async fn set_home_district(district: String) -> Result<Option<String>, AppError> {
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let district = match district.trim() {
        "" => None,
        code => Some(District::parse(code)?),
    };
    use_storage::<dyn MapStorage>()?
        .set_home_district(customer, district)
        .await?;
    Ok(district.map(|d| d.code.to_owned()))
}

fn km(m: u32) -> String {
    format!("{}.{} km", m / 1000, (m % 1000) / 100)
}

/// The map's resource, made outside the sign-in gate.
#[derive(Clone, Copy)]
pub struct CustomerMapState {
    map: Resource<Result<CustomerMapView, AppError>>,
}

impl CustomerMapState {
    pub fn new() -> CustomerMapState {
        let i18n = use_i18n();
        let me = crate::account::use_me_context();
        let map = Resource::new(
            move || (me.session(), i18n.lang()),
            |(_, lang)| get_customer_map(lang.code().to_owned()),
        );
        CustomerMapState { map }
    }
}

impl Default for CustomerMapState {
    fn default() -> Self {
        CustomerMapState::new()
    }
}

/// HQ's map: the drawing, the district that most needs a store, and the table.
#[component]
pub fn CustomerMap(state: CustomerMapState) -> impl IntoView {
    let i18n = use_i18n();
    let map = state.map;
    view! {
        <section class="customer-map">
            <h2>{move || i18n.t(KpiMsg::MapTitle)}</h2>
            <p class="hint">{move || i18n.t(KpiMsg::MapHint)}</p>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match map.await {
                        Ok(m) => map_view(i18n, m).into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn map_view(i18n: I18n, m: CustomerMapView) -> impl IntoView {
    let lang = i18n.lang();
    let next = m.next.clone();
    let rows = m
        .rows
        .iter()
        .map(|r| {
            let name = r.name.get(lang).to_owned();
            let (store, distance) = match &r.nearest {
                Some((s, d)) => (s.get(lang).to_owned(), km(*d)),
                None => ("–".to_owned(), "–".to_owned()),
            };
            let within = r.within;
            view! {
                <tr data-district=r.code.clone() class:beyond=!within>
                    <th scope="row">{name}</th>
                    <td class="num customers">{r.customers}</td>
                    <td>{store}</td>
                    <td class="num distance">{distance}</td>
                    <td class="reach">{move || i18n.t(if within { KpiMsg::WithinReach } else { KpiMsg::BeyondReach })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {next.map(|n| view! {
            <p class="next-store" role="status">{move || i18n.t(KpiMsg::NextStore)} " " <strong>{n.get(lang).to_owned()}</strong></p>
        })}
        <figure class="chart-box map-box" id="customer-map-figure">
            <figcaption>{move || i18n.t(KpiMsg::MapTitle)} " (" {m.reach_km} " km)"</figcaption>
            <div class="chart-drawing" inner_html=m.svg></div>
        </figure>
        <table class="map-table">
            <caption>{move || i18n.t(KpiMsg::MapTableCaption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(KpiMsg::District)}</th>
                    <th scope="col">{move || i18n.t(KpiMsg::Customers)}</th>
                    <th scope="col">{move || i18n.t(KpiMsg::NearestStore)}</th>
                    <th scope="col">{move || i18n.t(KpiMsg::Distance)}</th>
                    <th scope="col">{move || i18n.t(KpiMsg::Reach)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <p class="unknown">{move || i18n.t(KpiMsg::NotSaid)} " " {m.unknown}</p>
    }
}

/// The garage's "where I live": its resource and action, made outside the gate.
#[derive(Clone, Copy)]
pub struct HomeDistrictState {
    save: ServerAction<SetHomeDistrict>,
    current: Resource<Result<Option<String>, AppError>>,
}

impl HomeDistrictState {
    pub fn new() -> HomeDistrictState {
        let me = crate::account::use_me_context();
        let save = ServerAction::<SetHomeDistrict>::new();
        let current = Resource::new(
            move || (me.session(), save.version().get()),
            |_| get_home_district(),
        );
        HomeDistrictState { save, current }
    }
}

impl Default for HomeDistrictState {
    fn default() -> Self {
        HomeDistrictState::new()
    }
}

/// The garage's "where I live": a district, or not saying.
#[component]
pub fn HomeDistrict(state: HomeDistrictState) -> impl IntoView {
    let i18n = use_i18n();
    let HomeDistrictState { save, current } = state;
    view! {
        <section class="home-district">
            <h2>{move || i18n.t(HomeMsg::WhereILive)}</h2>
            <p class="hint">{move || i18n.t(HomeMsg::Why)}</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let chosen = current.await.ok().flatten().unwrap_or_default();
                    view! {
                        <ActionForm action=save attr:class="district-form">
                            <label>
                                <span>{move || i18n.t(HomeMsg::District)}</span>
                                <select name="district">
                                    <option value="" selected=chosen.is_empty()>{move || i18n.t(HomeMsg::RatherNotSay)}</option>
                                    {DISTRICTS.into_iter().map(|d| {
                                        let selected = d.code == chosen;
                                        view! {
                                            <option value=d.code selected=selected>
                                                {move || if i18n.lang() == Lang::Zh { d.name_zh } else { d.name_en }}
                                            </option>
                                        }
                                    }).collect_view()}
                                </select>
                            </label>
                            <button type="submit">{move || i18n.t(HomeMsg::Save)}</button>
                        </ActionForm>
                    }
                })}
            </Transition>
            {move || save.value().get().map(|r| match r {
                Ok(_) => view! { <p class="notice" role="status">{move || i18n.t(HomeMsg::Saved)}</p> }.into_any(),
                Err(e) => error_view(e).into_any(),
            })}
        </section>
    }
}
