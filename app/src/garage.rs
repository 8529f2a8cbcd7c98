//! My garage: a customer's vehicles (plate, model, mileage) and each one's service history.
//!
//! Server functions: [`list_models`] (anyone), and for the signed-in customer
//! [`my_vehicles`], [`add_vehicle`], [`update_vehicle`], [`remove_vehicle`],
//! [`vehicle_history`]. Every one that touches a vehicle checks it is the caller's: another
//! customer's vehicle is "not found", whether or not it exists.
//! Components: [`GaragePage`] (`/garage`) and [`VehiclePage`] (`/garage/:id`).

#[cfg(feature = "ssr")]
use domain::{CustomerId, Mileage, Plate, VehicleId};
use domain::{ModelId, OrderStatus};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::account::{use_me, Realm, SignInForm};
use crate::error::AppError;
use crate::i18n::{use_i18n, Lang, Msg};
use crate::pricing::format_local;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

pub use domain::catalog::VehicleModel;
pub use domain::garage::{HistoryEntry, Vehicle};

/// Brand and model, e.g. "丰田 卡罗拉" / "Toyota Corolla".
pub fn model_label(model: &VehicleModel, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{} {}", model.brand_zh, model.name_zh),
        Lang::En => format!("{} {}", model.brand_en, model.name_en),
    }
}

/// What the garage needs from storage. Every method that names a vehicle takes the
/// customer too: another customer's vehicle is [`StorageError::NotFound`].
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait GarageStorage: Send + Sync + 'static {
    /// Every vehicle model in the catalog, by brand and name.
    async fn vehicle_models(&self) -> Result<Vec<VehicleModel>, StorageError>;

    /// The customer's vehicles (not the removed ones), oldest first.
    async fn vehicles(&self, customer: CustomerId) -> Result<Vec<Vehicle>, StorageError>;

    /// One vehicle of the customer's garage, without its history.
    async fn vehicle(
        &self,
        customer: CustomerId,
        vehicle: VehicleId,
    ) -> Result<Vehicle, StorageError>;

    /// Adds a vehicle to the customer's garage. A plate they removed earlier comes back
    /// with its history; a plate in someone else's garage is [`domain::Error::PlateTaken`];
    /// a plate someone else removed moves to this customer (the car was sold).
    async fn add_vehicle(
        &self,
        customer: CustomerId,
        plate: &Plate,
        model: ModelId,
        mileage: Mileage,
    ) -> Result<Vehicle, StorageError>;

    /// Changes a vehicle's model and mileage.
    async fn update_vehicle(
        &self,
        customer: CustomerId,
        vehicle: VehicleId,
        model: ModelId,
        mileage: Mileage,
    ) -> Result<Vehicle, StorageError>;

    /// Removes a vehicle from the garage, keeping its history.
    async fn remove_vehicle(
        &self,
        customer: CustomerId,
        vehicle: VehicleId,
    ) -> Result<(), StorageError>;

    /// The vehicle's service history with this customer (their orders for it), newest
    /// first.
    async fn vehicle_history(
        &self,
        customer: CustomerId,
        vehicle: VehicleId,
    ) -> Result<Vec<HistoryEntry>, StorageError>;
}

/// A vehicle with its history, for the vehicle page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehicleDetail {
    pub vehicle: Vehicle,
    pub history: Vec<HistoryEntry>,
}

pub fn status_label(status: OrderStatus) -> Msg {
    match status {
        OrderStatus::Booked => Msg::StatusBooked,
        OrderStatus::CheckedIn => Msg::StatusCheckedIn,
        OrderStatus::InBay => Msg::StatusInBay,
        OrderStatus::QualityCheck => Msg::StatusQualityCheck,
        OrderStatus::Ready => Msg::StatusReady,
        OrderStatus::HandedOver => Msg::StatusHandedOver,
        OrderStatus::Cancelled => Msg::StatusCancelled,
    }
}

#[server(prefix = "/api", endpoint = "models", output = crate::codec::JsonText)]
pub async fn list_models() -> Result<Vec<VehicleModel>, AppError> {
    Ok(use_storage::<dyn GarageStorage>()?.vehicle_models().await?)
}

#[server(prefix = "/api", endpoint = "my_vehicles", output = crate::codec::JsonText)]
pub async fn my_vehicles() -> Result<Vec<Vehicle>, AppError> {
    let customer = crate::account::session::require_customer().await?;
    Ok(use_storage::<dyn GarageStorage>()?
        .vehicles(customer)
        .await?)
}

/// A model id from a form, which must name a model of the catalog.
#[cfg(feature = "ssr")]
pub(crate) async fn known_model(
    garage: &dyn GarageStorage,
    input: &str,
) -> Result<ModelId, AppError> {
    let id = ModelId::parse(input)?;
    if garage.vehicle_models().await?.iter().any(|m| m.id == id) {
        Ok(id)
    } else {
        Err(AppError::NotFound)
    }
}

#[server(prefix = "/api", endpoint = "add_vehicle", output = crate::codec::JsonText)]
pub async fn add_vehicle(
    plate: String,
    model_id: String,
    mileage: String,
) -> Result<Vehicle, AppError> {
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let plate = Plate::parse(&plate)?;
    let mileage = Mileage::parse(&mileage)?;
    let garage = use_storage::<dyn GarageStorage>()?;
    let model = known_model(&*garage, &model_id).await?;
    let vehicle = garage.add_vehicle(customer, &plate, model, mileage).await?;
    tracing::info!(%customer, vehicle = %vehicle.id, "vehicle added");
    Ok(vehicle)
}

#[server(prefix = "/api", endpoint = "update_vehicle", output = crate::codec::JsonText)]
pub async fn update_vehicle(
    vehicle_id: String,
    model_id: String,
    mileage: String,
) -> Result<Vehicle, AppError> {
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let vehicle = VehicleId::parse(&vehicle_id)?;
    let mileage = Mileage::parse(&mileage)?;
    let garage = use_storage::<dyn GarageStorage>()?;
    let model = known_model(&*garage, &model_id).await?;
    Ok(garage
        .update_vehicle(customer, vehicle, model, mileage)
        .await?)
}

#[server(prefix = "/api", endpoint = "remove_vehicle", output = crate::codec::JsonText)]
pub async fn remove_vehicle(vehicle_id: String) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let customer = crate::account::session::require_customer().await?;
    let vehicle = VehicleId::parse(&vehicle_id)?;
    use_storage::<dyn GarageStorage>()?
        .remove_vehicle(customer, vehicle)
        .await?;
    tracing::info!(%customer, %vehicle, "vehicle removed");
    Ok(())
}

#[server(prefix = "/api", endpoint = "vehicle_history", output = crate::codec::JsonText)]
pub async fn vehicle_history(vehicle_id: String) -> Result<VehicleDetail, AppError> {
    let customer = crate::account::session::require_customer().await?;
    let vehicle = VehicleId::parse(&vehicle_id)?;
    let garage = use_storage::<dyn GarageStorage>()?;
    let vehicle = garage.vehicle(customer, vehicle).await?;
    let history = garage.vehicle_history(customer, vehicle.id).await?;
    Ok(VehicleDetail { vehicle, history })
}

#[component]
fn ErrorLine(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="error" role="alert">{move || error.message(i18n.lang())}</p> }
}

/// Shows `children` to a signed-in customer, the sign-in form to everyone else.
#[component]
pub fn CustomerGate(next: &'static str, children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let children = StoredValue::new(children);
    view! {
        <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) if me.principal.customer().is_some() => {
                        children.with_value(|c| c()).into_any()
                    }
                    Ok(_) => view! { <SignInForm realm=Realm::Customer next=next /> }.into_any(),
                    Err(e) => view! { <ErrorLine error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A `<select>` of every model, with `selected` chosen.
#[component]
fn ModelSelect(models: Vec<VehicleModel>, selected: Option<ModelId>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <select name="model_id" required>
            <option value="" disabled selected=selected.is_none()>
                {move || i18n.t(Msg::ChooseModel)}
            </option>
            {models
                .into_iter()
                .map(|m| {
                    let id = m.id.to_string();
                    let code = m.code.clone();
                    let is_selected = Some(m.id) == selected;
                    view! {
                        <option value=id data-code=code selected=is_selected>
                            {move || model_label(&m, i18n.lang())}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

/// `/garage`: the customer's vehicles and a form to add one.
///
/// Its resources are made here, outside the gate: a view inside the gate is built in a
/// reactive closure, which server rendering may run more than once, and a resource made
/// there twice on the server but once in the browser hands the browser another
/// resource's data (a hydration error). Every gated page follows this shape.
#[component]
pub fn GaragePage() -> impl IntoView {
    let add = ServerAction::<AddVehicle>::new();
    let remove = ServerAction::<RemoveVehicle>::new();
    let me = crate::account::use_me_context();
    let vehicles = Resource::new(
        move || (me.session(), add.version().get(), remove.version().get()),
        |_| my_vehicles(),
    );
    let models = Resource::new(|| (), |_| list_models());
    let choose = ServerAction::<crate::reception::ChooseMyAdvisor>::new();
    let advisor = Resource::new(
        move || (me.session(), choose.version().get()),
        |_| crate::reception::my_advisor(),
    );
    let followups = crate::followup::customer::MyFollowUpsState::new();
    let cases = crate::cases::MyCasesState::new();
    let district = crate::customer_map::HomeDistrictState::new();
    view! {
        <CustomerGate next="/garage">
            <Garage add=add remove=remove vehicles=vehicles models=models />
            <crate::cases::MyCases state=cases />
            <crate::followup::customer::MyFollowUps state=followups />
            <crate::reception::MyAdvisorPanel advisor=advisor choose=choose />
            <crate::customer_map::HomeDistrict state=district />
        </CustomerGate>
    }
}

#[component]
fn Garage(
    add: ServerAction<AddVehicle>,
    remove: ServerAction<RemoveVehicle>,
    vehicles: Resource<Result<Vec<Vehicle>, AppError>>,
    models: Resource<Result<Vec<VehicleModel>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let add_error = move || add.value().get().and_then(Result::err);
    let remove_error = move || remove.value().get().and_then(Result::err);
    view! {
        <section class="garage">
            <h1>{move || i18n.t(Msg::MyGarage)}</h1>
            {move || remove_error().map(|e| view! { <ErrorLine error=e /> })}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match vehicles.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="empty">{move || i18n.t(Msg::GarageEmpty)}</p> }.into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul class="vehicle-cards">
                                    {list
                                        .into_iter()
                                        .map(|v| view! { <VehicleCard vehicle=v remove=remove /> })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorLine error=e /> }.into_any(),
                    }
                })}
            </Transition>
            <h2>{move || i18n.t(Msg::AddVehicle)}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let models = models.await.unwrap_or_default();
                    view! {
                        <ActionForm action=add attr:class="vehicle-form add-vehicle">
                            <label>
                                <span>{move || i18n.t(Msg::Plate)}</span>
                                <input type="text" name="plate" autocomplete="off" placeholder="浙A12345" required />
                            </label>
                            <label>
                                <span>{move || i18n.t(Msg::Model)}</span>
                                <ModelSelect models=models selected=None />
                            </label>
                            <label>
                                <span>{move || i18n.t(Msg::MileageKm)}</span>
                                <input type="text" name="mileage" inputmode="numeric" autocomplete="off" required />
                            </label>
                            {move || add_error().map(|e| view! { <ErrorLine error=e /> })}
                            <button type="submit" disabled=move || add.pending().get()>
                                {move || i18n.t(Msg::AddVehicle)}
                            </button>
                        </ActionForm>
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn VehicleCard(vehicle: Vehicle, remove: ServerAction<RemoveVehicle>) -> impl IntoView {
    let i18n = use_i18n();
    let id = vehicle.id.to_string();
    let href = format!("/garage/{id}");
    let plate = vehicle.plate.to_string();
    let model = vehicle.model.clone();
    let km = vehicle.mileage.km();
    view! {
        <li class="vehicle-card" data-plate=plate.clone()>
            <a class="plate" href=href>{plate.clone()}</a>
            <span class="model">{move || model_label(&model, i18n.lang())}</span>
            <span class="mileage">{km} " km"</span>
            <a class="book-link" href=format!("/book?vehicle={id}")>{move || i18n.t(Msg::BookThisVehicle)}</a>
            <ActionForm action=remove attr:class="remove-vehicle">
                <input type="hidden" name="vehicle_id" value=id />
                <button type="submit" class="secondary">{move || i18n.t(Msg::RemoveVehicle)}</button>
            </ActionForm>
        </li>
    }
}

/// `/garage/:id`: one vehicle, a form to correct its model and mileage, and its history.
/// Its resources are made outside the gate (see [`GaragePage`]).
#[component]
pub fn VehiclePage() -> impl IntoView {
    let params = use_params_map();
    let update = ServerAction::<UpdateVehicle>::new();
    let me = crate::account::use_me_context();
    let detail = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                update.version().get(),
                me.session(),
            )
        },
        |(id, _, _)| vehicle_history(id),
    );
    let models = Resource::new(|| (), |_| list_models());
    view! {
        <CustomerGate next="/garage">
            <VehicleDetailView update=update detail=detail models=models />
        </CustomerGate>
    }
}

#[component]
fn VehicleDetailView(
    update: ServerAction<UpdateVehicle>,
    detail: Resource<Result<VehicleDetail, AppError>>,
    models: Resource<Result<Vec<VehicleModel>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let update_error = move || update.value().get().and_then(Result::err);
    view! {
        <section class="vehicle-page">
            <p><a href="/garage">{move || i18n.t(Msg::BackToGarage)}</a></p>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let models = models.await.unwrap_or_default();
                    match detail.await {
                        Ok(VehicleDetail { vehicle, history }) => {
                            let label = vehicle.model.clone();
                            view! {
                                <h1 class="plate">{vehicle.plate.to_string()}</h1>
                                <p class="model">{move || model_label(&label, i18n.lang())}</p>
                                <ActionForm action=update attr:class="vehicle-form edit-vehicle">
                                    <input type="hidden" name="vehicle_id" value=vehicle.id.to_string() />
                                    <label>
                                        <span>{move || i18n.t(Msg::Model)}</span>
                                        <ModelSelect models=models selected=Some(vehicle.model.id) />
                                    </label>
                                    <label>
                                        <span>{move || i18n.t(Msg::MileageKm)}</span>
                                        <input type="text" name="mileage" inputmode="numeric" value=vehicle.mileage.km().to_string() required />
                                    </label>
                                    {move || update_error().map(|e| view! { <ErrorLine error=e /> })}
                                    <button type="submit">{move || i18n.t(Msg::Save)}</button>
                                </ActionForm>
                                <h2>{move || i18n.t(Msg::ServiceHistory)}</h2>
                                <History entries=history />
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

#[component]
fn History(entries: Vec<HistoryEntry>) -> impl IntoView {
    let i18n = use_i18n();
    if entries.is_empty() {
        return view! { <p class="empty">{move || i18n.t(Msg::NoHistory)}</p> }.into_any();
    }
    view! {
        <ol class="history-list">
            {entries
                .into_iter()
                .map(|e| {
                    let store = (e.store_zh.clone(), e.store_en.clone());
                    let services = e.services.clone();
                    view! {
                        <li class="history-entry" data-reference=e.reference.clone()>
                            <span class="when">{format_local(e.created_at)}</span>
                            <span class="ref">{e.reference.clone()}</span>
                            <span class="store">
                                {move || if i18n.lang() == Lang::Zh { store.0.clone() } else { store.1.clone() }}
                            </span>
                            <span class="services">
                                {move || {
                                    services
                                        .iter()
                                        .map(|(zh, en)| if i18n.lang() == Lang::Zh { zh.as_str() } else { en.as_str() })
                                        .collect::<Vec<_>>()
                                        .join(" · ")
                                }}
                            </span>
                            <span class="km">{e.mileage.km()} " km"</span>
                            <span class="tag status">{move || i18n.t(status_label(e.status))}</span>
                            <span class="price">{e.total.to_string()}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}
