//! The people of the stores: HQ adds staff to a store with a role, moves them between
//! stores, keeps each technician's skills and deactivates someone who leaves (their
//! sessions end at once, and neither their password nor their PIN opens anything again).
//!
//! Server functions (HQ operations): [`list_staff`], [`add_staff`], [`move_staff`],
//! [`set_skills`], [`deactivate_staff`]. Component: [`HqStaff`], at `/hq/staff`.

// A server function's arguments are its form's fields, one each, so that the form also
// works before the page has hydrated; the macro's generated code cannot take an attribute.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use domain::Principal;
use domain::{ServiceCategory, Skills, StaffId, StaffRole, StoreId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::account::{role_label, use_me_context};
use crate::devices::StoreName;
use crate::error::AppError;
use crate::i18n::{use_i18n, Lang, Msg, StaffMsg};
use crate::pricing::category_label;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// One member of a store's staff, as HQ's roster lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: StaffId,
    pub name_zh: String,
    pub name_en: String,
    pub phone: String,
    pub role: StaffRole,
    pub store: StoreId,
    pub skills: Skills,
    pub has_pin: bool,
}

impl StaffMember {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }
}

/// Every store and its active staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRoster {
    pub stores: Vec<StoreName>,
    pub staff: Vec<StaffMember>,
}

/// What managing store staff needs from storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait StaffStorage: Send + Sync + 'static {
    /// Every store, and the active staff of every store.
    async fn roster(&self) -> Result<StaffRoster, StorageError>;

    /// A new staff member of `store` (no password or PIN yet: their manager sets the PIN);
    /// [`domain::Error::PhoneTaken`] if the number is a staff member's already,
    /// [`domain::Error::StoreUnknown`] if `store` is not a store.
    async fn add_staff(
        &self,
        store: StoreId,
        role: StaffRole,
        phone: &domain::Phone,
        name: &domain::PersonName,
    ) -> Result<StaffId, StorageError>;

    /// Moves an active store staff member to `store`; the sessions they had end, since
    /// what they may see changed.
    async fn move_staff(&self, staff: StaffId, store: StoreId) -> Result<(), StorageError>;

    /// Replaces an active store staff member's skills.
    async fn set_skills(&self, staff: StaffId, skills: &Skills) -> Result<(), StorageError>;

    /// Deactivates a store staff member and ends every session they have, in one
    /// transaction. Deactivating them again changes nothing.
    async fn deactivate(&self, staff: StaffId) -> Result<(), StorageError>;
}

/// Every store and its staff (HQ operations).
#[server(prefix = "/api", endpoint = "staff_roster", output = crate::codec::JsonText)]
pub async fn list_staff() -> Result<StaffRoster, AppError> {
    crate::account::session::require(Principal::may_manage_staff).await?;
    Ok(use_storage::<dyn StaffStorage>()?.roster().await?)
}

/// Adds a staff member to a store (HQ operations).
#[server(prefix = "/api", endpoint = "add_staff", output = crate::codec::JsonText)]
pub async fn add_staff(
    store_id: String,
    role: String,
    phone: String,
    name: String,
) -> Result<StaffId, AppError> {
    use crate::account::session;
    session::require_same_origin()?;
    session::require(Principal::may_manage_staff).await?;
    let store = StoreId::parse(&store_id)?;
    let role = StaffRole::parse_store_role(&role)?;
    let phone = domain::Phone::parse(&phone)?;
    let name = domain::PersonName::parse(&name)?;
    let id = use_storage::<dyn StaffStorage>()?
        .add_staff(store, role, &phone, &name)
        .await?;
    tracing::info!(staff = %id, %store, role = role.code(), "staff added");
    Ok(id)
}

/// Moves a staff member to another store (HQ operations).
#[server(prefix = "/api", endpoint = "move_staff", output = crate::codec::JsonText)]
pub async fn move_staff(staff_id: String, store_id: String) -> Result<(), AppError> {
    use crate::account::session;
    session::require_same_origin()?;
    session::require(Principal::may_manage_staff).await?;
    let staff = StaffId::parse(&staff_id)?;
    let store = StoreId::parse(&store_id)?;
    use_storage::<dyn StaffStorage>()?
        .move_staff(staff, store)
        .await?;
    tracing::info!(%staff, %store, "staff moved");
    Ok(())
}

/// Sets a staff member's skills, one form field per category ticked (HQ operations).
#[server(prefix = "/api", endpoint = "set_skills", output = crate::codec::JsonText)]
pub async fn set_skills(
    staff_id: String,
    maintenance: Option<String>,
    tyres: Option<String>,
    repair: Option<String>,
    detailing: Option<String>,
    ev: Option<String>,
) -> Result<(), AppError> {
    use crate::account::session;
    session::require_same_origin()?;
    session::require(Principal::may_manage_staff).await?;
    let staff = StaffId::parse(&staff_id)?;
    let ticked = [maintenance, tyres, repair, detailing, ev];
    let skills = Skills::from_categories(
        ServiceCategory::ALL
            .into_iter()
            .zip(ticked)
            .filter(|(_, on)| on.is_some())
            .map(|(c, _)| c),
    );
    use_storage::<dyn StaffStorage>()?
        .set_skills(staff, &skills)
        .await?;
    Ok(())
}

/// Deactivates someone who left: they are signed out everywhere at once (HQ operations).
#[server(prefix = "/api", endpoint = "deactivate_staff", output = crate::codec::JsonText)]
pub async fn deactivate_staff(staff_id: String) -> Result<(), AppError> {
    use crate::account::session;
    session::require_same_origin()?;
    session::require(Principal::may_manage_staff).await?;
    let staff = StaffId::parse(&staff_id)?;
    use_storage::<dyn StaffStorage>()?.deactivate(staff).await?;
    tracing::info!(%staff, "staff deactivated");
    Ok(())
}

/// The resources of [`HqStaff`], made by the page outside its sign-in gate.
#[derive(Clone, Copy)]
pub struct HqStaffState {
    add: ServerAction<AddStaff>,
    moved: ServerAction<MoveStaff>,
    skills: ServerAction<SetSkills>,
    deactivate: ServerAction<DeactivateStaff>,
    roster: Resource<Result<StaffRoster, AppError>>,
}

impl HqStaffState {
    pub fn new() -> HqStaffState {
        let add = ServerAction::<AddStaff>::new();
        let moved = ServerAction::<MoveStaff>::new();
        let skills = ServerAction::<SetSkills>::new();
        let deactivate = ServerAction::<DeactivateStaff>::new();
        let me = use_me_context();
        let roster = Resource::new(
            move || {
                (
                    add.version().get(),
                    moved.version().get(),
                    skills.version().get(),
                    deactivate.version().get(),
                    me.session(),
                )
            },
            |_| list_staff(),
        );
        HqStaffState {
            add,
            moved,
            skills,
            deactivate,
            roster,
        }
    }

    fn error(&self) -> Option<AppError> {
        [
            self.add.value().get().and_then(Result::err),
            self.moved.value().get().and_then(Result::err),
            self.skills.value().get().and_then(Result::err),
            self.deactivate.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

impl Default for HqStaffState {
    fn default() -> Self {
        HqStaffState::new()
    }
}

/// `/hq/staff`: every store's staff; add, move, skills, deactivate.
#[component]
pub fn HqStaff(state: HqStaffState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="staff-admin">
            <h1>{move || i18n.t(StaffMsg::StoreStaff)}</h1>
            <p class="intro">{move || i18n.t(StaffMsg::StoreStaffIntro)}</p>
            {move || state.error().map(|e| view! { <p class="error" role="alert">{move || e.message(i18n.lang())}</p> })}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match state.roster.await {
                        Ok(roster) => view! { <Roster state=state roster=roster /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn StoreSelect(stores: Vec<StoreName>, selected: Option<StoreId>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <select name="store_id">
            {stores
                .into_iter()
                .map(|s| {
                    let chosen = Some(s.id) == selected;
                    let value = s.id.to_string();
                    view! { <option value=value selected=chosen>{move || s.name(i18n.lang()).to_owned()}</option> }
                })
                .collect_view()}
        </select>
    }
}

#[component]
fn Roster(state: HqStaffState, roster: StaffRoster) -> impl IntoView {
    let i18n = use_i18n();
    let add_stores = roster.stores.clone();
    let stores = roster.stores.clone();
    view! {
        <ActionForm action=state.add attr:class="add-staff-form">
            <h2>{move || i18n.t(StaffMsg::AddStaff)}</h2>
            <label><span>{move || i18n.t(Msg::Store)}</span><StoreSelect stores=add_stores selected=None /></label>
            <label>
                <span>{move || i18n.t(StaffMsg::Role)}</span>
                <select name="role">
                    {StaffRole::STORE
                        .into_iter()
                        .map(|r| view! { <option value=r.code()>{move || i18n.t(role_label(r))}</option> })
                        .collect_view()}
                </select>
            </label>
            <label><span>{move || i18n.t(Msg::Phone)}</span><input type="tel" name="phone" inputmode="tel" required /></label>
            <label><span>{move || i18n.t(Msg::YourName)}</span><input type="text" name="name" required /></label>
            <button type="submit">{move || i18n.t(StaffMsg::AddStaff)}</button>
        </ActionForm>
        {roster
            .stores
            .iter()
            .map(|store| {
                let here: Vec<StaffMember> = roster.staff.iter().filter(|m| m.store == store.id).cloned().collect();
                let store_name = store.clone();
                let stores = stores.clone();
                view! {
                    <table class="staff-table" data-store=store.id.to_string()>
                        <caption>{move || store_name.name(i18n.lang()).to_owned()}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{move || i18n.t(Msg::YourName)}</th>
                                <th scope="col">{move || i18n.t(StaffMsg::Role)}</th>
                                <th scope="col">{move || i18n.t(StaffMsg::Skills)}</th>
                                <th scope="col">{move || i18n.t(StaffMsg::MoveTo)}</th>
                                <th scope="col">{move || i18n.t(Msg::Status)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {here
                                .into_iter()
                                .map(|m| view! { <MemberRow state=state member=m stores=stores.clone() /> })
                                .collect_view()}
                        </tbody>
                    </table>
                }
            })
            .collect_view()}
    }
}

#[component]
fn MemberRow(state: HqStaffState, member: StaffMember, stores: Vec<StoreName>) -> impl IntoView {
    let i18n = use_i18n();
    let id = member.id;
    let m = member.clone();
    view! {
        <tr data-staff=id.to_string() data-phone=member.phone.clone()>
            <td>
                <span class="name">{move || m.name(i18n.lang()).to_owned()}</span>
                <small class="phone">{member.phone.clone()}</small>
            </td>
            <td>{move || i18n.t(role_label(member.role))}</td>
            <td>
                <ActionForm action=state.skills attr:class="skills-form">
                    <input type="hidden" name="staff_id" value=id.to_string() />
                    {ServiceCategory::ALL
                        .into_iter()
                        .map(|c| {
                            view! {
                                <label class="skill">
                                    <input type="checkbox" name=c.code() value="on" checked=member.skills.covers(c) />
                                    <span>{move || i18n.t(category_label(c))}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                    <button type="submit">{move || i18n.t(Msg::Save)}</button>
                </ActionForm>
            </td>
            <td>
                <ActionForm action=state.moved attr:class="move-form">
                    <input type="hidden" name="staff_id" value=id.to_string() />
                    <label>
                        <span class="visually-hidden">{move || i18n.t(StaffMsg::MoveTo)}</span>
                        <StoreSelect stores=stores selected=Some(member.store) />
                    </label>
                    <button type="submit">{move || i18n.t(StaffMsg::Move)}</button>
                </ActionForm>
            </td>
            <td>
                <ActionForm action=state.deactivate attr:class="deactivate-form">
                    <input type="hidden" name="staff_id" value=id.to_string() />
                    <button type="submit" class="danger">{move || i18n.t(StaffMsg::Deactivate)}</button>
                </ActionForm>
            </td>
        </tr>
    }
}
