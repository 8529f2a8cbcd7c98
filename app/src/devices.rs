//! Kiosk devices: pairing an iPad with a store, staff unlocking it with a PIN, and the
//! idle lock.
//!
//! - HQ makes a one-time pairing code for a store ([`create_pairing_code`]), lists the
//!   paired devices ([`list_devices`]) and revokes one ([`revoke_device`]), at
//!   `/hq/devices` ([`HqDevices`]).
//! - The iPad types the code once ([`pair_device`]) and keeps a long-lived credential in
//!   an HttpOnly cookie; [`kiosk_device`] says which store it belongs to and who works
//!   there.
//! - Staff unlock it with their PIN ([`unlock_kiosk`]); the session names the device and
//!   ends when the device is revoked or the person leaves. [`lock_kiosk`] ends it; the
//!   page does so by itself after the store's idle minutes ([`IdleLock`]).
//! - A store manager sets or resets a colleague's PIN, anyone their own ([`set_pin`]);
//!   the manager sets the idle minutes ([`set_idle_lock`]).
//!
//! Components: [`HqDevices`], and for the kiosk [`KioskState`], [`PairScreen`],
//! [`LockScreen`], [`IdleLock`], [`KioskStaffPanel`].

use domain::kiosk::IdleLock as IdleMinutes;
use domain::{DeviceId, Principal, StaffId, StaffRole, StoreId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::account::{role_label, use_me, use_me_context};
use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, Lang, Msg, StaffMsg};
use crate::pricing::format_local;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// A store as a device list or a lock screen names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreName {
    pub id: StoreId,
    pub name_zh: String,
    pub name_en: String,
}

impl StoreName {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }
}

/// A paired (or revoked) device, as HQ lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: DeviceId,
    pub name: String,
    pub store: StoreName,
    #[serde(with = "time::serde::rfc3339")]
    pub paired_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_unlock_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// HQ's page: the stores a device can be paired with, and every device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HqDevicesView {
    pub stores: Vec<StoreName>,
    pub devices: Vec<DeviceView>,
}

/// A pairing code just made, to be typed on the iPad before it expires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingCodeView {
    /// As shown: `K7QM-2XPD`.
    pub code: String,
    pub device_name: String,
    pub store: StoreName,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// A staff member on a store's lock screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffTile {
    pub id: StaffId,
    pub name_zh: String,
    pub name_en: String,
    pub role: StaffRole,
    /// Without a PIN a person cannot unlock yet; their manager sets one.
    pub has_pin: bool,
}

impl StaffTile {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }
}

/// The device this browser is, as its kiosk page needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairedDevice {
    pub id: DeviceId,
    pub name: String,
    pub store: StoreName,
    pub idle_lock: IdleMinutes,
    /// The store's active staff, managers first.
    pub staff: Vec<StaffTile>,
}

/// A staff member whose PIN is checked or set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinHolder {
    pub principal: Principal,
    pub pin_hash: Option<String>,
}

/// What kiosk devices need from storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait DeviceStorage: Send + Sync + 'static {
    /// Every store a device can be paired with, and every device, newest first.
    async fn hq_devices(&self) -> Result<HqDevicesView, StorageError>;

    /// Keeps a new pairing code (by its hash) for `store`, usable once until `expires_at`;
    /// [`domain::Error::StoreUnknown`] if `store` is not a store.
    async fn create_pairing_code(
        &self,
        store: StoreId,
        device_name: &domain::kiosk::DeviceName,
        code_hash: &str,
        by: StaffId,
        expires_at: OffsetDateTime,
    ) -> Result<StoreName, StorageError>;

    /// Uses the pairing code with this hash, once, to pair a device whose credential has
    /// `token_hash`; [`domain::Error::PairingCodeInvalid`] if it is unknown, used or
    /// expired (two iPads typing one code at once: one wins).
    async fn pair(&self, code_hash: &str, token_hash: &str) -> Result<DeviceId, StorageError>;

    /// The unrevoked device whose credential has this hash, with its store's staff.
    async fn device(&self, token_hash: &str) -> Result<Option<PairedDevice>, StorageError>;

    /// Revokes a device and ends every session unlocked on it, in one transaction.
    /// Revoking a revoked device changes nothing; an unknown one is not found.
    async fn revoke(&self, device: DeviceId, by: StaffId) -> Result<(), StorageError>;

    /// An active staff member and their PIN hash.
    async fn pin_holder(&self, staff: StaffId) -> Result<Option<PinHolder>, StorageError>;

    /// Stores the new PIN hash of a staff member who still works at `store` (not found
    /// if they moved or left meanwhile), and tells the store's devices.
    async fn set_pin(
        &self,
        staff: StaffId,
        store: StoreId,
        pin_hash: &str,
    ) -> Result<(), StorageError>;

    /// Sets a store's idle-lock minutes.
    /// Sets a store's idle-lock minutes, and tells the store's devices.
    async fn set_idle_lock(&self, store: StoreId, idle: IdleMinutes) -> Result<(), StorageError>;
}

/// The staff member signed in, or [`AppError::Forbidden`].
#[cfg(feature = "ssr")]
fn staff_id(me: &domain::Me) -> Result<StaffId, AppError> {
    match me.principal {
        Principal::Staff { id, .. } => Ok(id),
        Principal::Customer { .. } => Err(AppError::Forbidden),
    }
}

/// Every store and every device (HQ operations).
#[server(prefix = "/api", endpoint = "hq_devices", output = crate::codec::JsonText)]
pub async fn list_devices() -> Result<HqDevicesView, AppError> {
    crate::account::session::require(Principal::may_manage_devices).await?;
    Ok(use_storage::<dyn DeviceStorage>()?.hq_devices().await?)
}

/// Makes a one-time code that pairs an iPad with `store_id` (HQ operations).
#[server(prefix = "/api", endpoint = "create_pairing_code", output = crate::codec::JsonText)]
pub async fn create_pairing_code(
    store_id: String,
    device_name: String,
) -> Result<PairingCodeView, AppError> {
    use crate::account::session;
    session::require_same_origin()?;
    let me = session::require(Principal::may_manage_devices).await?;
    let store = StoreId::parse(&store_id)?;
    let name = domain::kiosk::DeviceName::parse(&device_name)?;
    let code = session::pairing_code();
    let expires_at =
        crate::clock::now() + time::Duration::minutes(domain::kiosk::PairingCode::VALID_MINUTES);
    let store = use_storage::<dyn DeviceStorage>()?
        .create_pairing_code(
            store,
            &name,
            &session::token_hash(code.as_str()),
            staff_id(&me)?,
            expires_at,
        )
        .await?;
    tracing::info!(store = %store.id, "pairing code made");
    Ok(PairingCodeView {
        code: code.display(),
        device_name: name.as_str().to_owned(),
        store,
        expires_at,
    })
}

/// Revokes a device: it shows the pairing screen again, and whoever had unlocked it is
/// signed out at once (HQ operations).
#[server(prefix = "/api", endpoint = "revoke_device", output = crate::codec::JsonText)]
pub async fn revoke_device(device_id: String) -> Result<(), AppError> {
    use crate::account::session;
    session::require_same_origin()?;
    let me = session::require(Principal::may_manage_devices).await?;
    let device = DeviceId::parse(&device_id)?;
    use_storage::<dyn DeviceStorage>()?
        .revoke(device, staff_id(&me)?)
        .await?;
    tracing::info!(%device, "device revoked");
    Ok(())
}

/// Pairs this browser with the store the code was made for: anyone holding a fresh code
/// may, once. The device's credential goes into an HttpOnly cookie.
#[server(prefix = "/api", endpoint = "pair_device", output = crate::codec::JsonText)]
pub async fn pair_device(code: String) -> Result<(), AppError> {
    use crate::account::session;
    session::require_same_origin()?;
    let code = domain::kiosk::PairingCode::parse(&code)?;
    session::limiter()?.check_pairing(session::client_addr())?;
    let (token, hash) = session::new_token();
    let device = use_storage::<dyn DeviceStorage>()?
        .pair(&session::token_hash(code.as_str()), &hash)
        .await?;
    // Whoever was signed in on this browser is not signed in on the store's iPad.
    session::end_session(&*use_storage::<dyn crate::account::AccountStorage>()?).await?;
    session::set_device_cookie(&token, session::DEVICE_CREDENTIAL);
    tracing::info!(%device, "device paired");
    leptos_axum::redirect("/kiosk");
    Ok(())
}

/// The paired device this browser is, if it is one (and not revoked).
#[server(prefix = "/api", endpoint = "kiosk_device", output = crate::codec::JsonText)]
pub async fn kiosk_device() -> Result<Option<PairedDevice>, AppError> {
    let Some(hash) = crate::account::session::device_token_hash() else {
        return Ok(None);
    };
    Ok(use_storage::<dyn DeviceStorage>()?.device(&hash).await?)
}

/// Unlocks this paired device as `staff_id` with their PIN. Attempts are limited per
/// person and per device; only staff of the device's store can unlock it.
#[server(prefix = "/api", endpoint = "unlock_kiosk", output = crate::codec::JsonText)]
pub async fn unlock_kiosk(
    staff_id: String,
    pin: String,
    #[server(default)] next: String,
) -> Result<(), AppError> {
    use crate::account::session;
    session::require_same_origin()?;
    let hash = session::device_token_hash().ok_or(domain::Error::DeviceNotPaired)?;
    let devices = use_storage::<dyn DeviceStorage>()?;
    let device = devices
        .device(&hash)
        .await?
        .ok_or(domain::Error::DeviceNotPaired)?;
    let staff = StaffId::parse(&staff_id)?;
    let pin = domain::kiosk::Pin::parse_attempt(&pin)?;
    let holder = devices.pin_holder(staff).await?;
    let here = |p: &Principal| matches!(p, Principal::Staff { location: Some(s), .. } if *s == device.store.id);
    let (principal, pin_hash) = match holder {
        Some(h) if here(&h.principal) => (Some(h.principal), h.pin_hash),
        _ => (None, None),
    };
    // Every attempt counts against the device; against a person only on their own
    // store's devices, so another store's iPad cannot slow anyone here down.
    let limiter = session::limiter()?;
    match principal {
        Some(_) => limiter.check_pin(staff, device.id)?,
        None => limiter.check_pin_device(device.id)?,
    }
    // Checked even for someone who does not work here, so the answer takes as long.
    let matches = session::verify_pin(&pin, pin_hash).await?;
    let Some(principal) = principal.filter(|_| matches) else {
        tracing::info!(%staff, device = %device.id, "kiosk unlock refused");
        return Err(domain::Error::PinWrong.into());
    };
    let accounts = use_storage::<dyn crate::account::AccountStorage>()?;
    session::start_session_on(&*accounts, &principal, Some(device.id)).await?;
    // Each unlock renews the device's credential, so a device in daily use never expires.
    if let Some(token) = session::device_token() {
        session::set_device_cookie(&token, session::DEVICE_CREDENTIAL);
    }
    // Back to the kiosk page the lock screen was shown on (a form post before hydration
    // follows this; so does the hydrated page).
    let next = crate::account::safe_next(&next, "/kiosk");
    let kiosk_page = next == "/kiosk" || next.starts_with("/kiosk/") || next.starts_with("/kiosk?");
    leptos_axum::redirect(if kiosk_page { &next } else { "/kiosk" });
    Ok(())
}

/// A store manager's approval on this store's paired iPad: `manager` must manage
/// `store` ([`domain::Error::ManagerApprovalNeeded`] otherwise) and `pin` be their PIN,
/// each attempt counted against them and the device as an unlock is.
#[cfg(feature = "ssr")]
pub(crate) async fn manager_approval(
    store: domain::StoreId,
    manager: StaffId,
    pin: &str,
) -> Result<StaffId, AppError> {
    use crate::account::session;
    let hash = session::device_token_hash().ok_or(domain::Error::DeviceNotPaired)?;
    let devices = use_storage::<dyn DeviceStorage>()?;
    let device = devices
        .device(&hash)
        .await?
        .filter(|d| d.store.id == store)
        .ok_or(domain::Error::DeviceNotPaired)?;
    let pin = domain::kiosk::Pin::parse_attempt(pin)?;
    let holder = devices
        .pin_holder(manager)
        .await?
        .filter(|h| {
            matches!(h.principal, Principal::Staff { role: domain::StaffRole::StoreManager, location: Some(s), .. } if s == store)
        })
        .ok_or(domain::Error::ManagerApprovalNeeded)?;
    session::limiter()?.check_pin(manager, device.id)?;
    if !session::verify_pin(&pin, holder.pin_hash).await? {
        tracing::info!(%manager, device = %device.id, "manager approval refused");
        return Err(domain::Error::PinWrong.into());
    }
    Ok(manager)
}

/// Locks the kiosk: the session ends; the device stays paired.
#[server(prefix = "/api", endpoint = "lock_kiosk", output = crate::codec::JsonText)]
pub async fn lock_kiosk() -> Result<(), AppError> {
    use crate::account::session;
    session::require_same_origin()?;
    session::end_session(&*use_storage::<dyn crate::account::AccountStorage>()?).await?;
    leptos_axum::redirect("/kiosk");
    Ok(())
}

/// Sets `staff_id`'s PIN: their store's manager, HQ operations, or the person themselves.
/// A PIN too easy to guess is refused, and so is someone's own current PIN. (Only their
/// own: telling a manager that a PIN is a colleague's current one would let the manager
/// test guesses at it.)
#[server(prefix = "/api", endpoint = "set_pin", output = crate::codec::JsonText)]
pub async fn set_pin(staff_id: String, pin: String) -> Result<(), AppError> {
    use crate::account::session;
    session::require_same_origin()?;
    let me = session::require(|p| matches!(p, Principal::Staff { .. })).await?;
    let staff = StaffId::parse(&staff_id)?;
    let devices = use_storage::<dyn DeviceStorage>()?;
    let holder = devices.pin_holder(staff).await?.ok_or(AppError::NotFound)?;
    // Only store staff unlock kiosks.
    let Principal::Staff {
        location: Some(store),
        ..
    } = holder.principal
    else {
        return Err(AppError::NotFound);
    };
    if !me.principal.may_set_pin_of(staff, Some(store)) {
        return Err(AppError::Forbidden);
    }
    let pin = domain::kiosk::Pin::parse_new(&pin)?;
    let own = matches!(me.principal, Principal::Staff { id, .. } if id == staff);
    if own && session::verify_pin(&pin, holder.pin_hash).await? {
        return Err(domain::Error::PinReused.into());
    }
    let hash = session::hash_pin(pin).await?;
    // Set only if they still work at the store whose manager was allowed to set it.
    devices.set_pin(staff, store, &hash).await?;
    tracing::info!(%staff, by = %staff_id_of(&me), "PIN set");
    Ok(())
}

#[cfg(feature = "ssr")]
fn staff_id_of(me: &domain::Me) -> String {
    staff_id(me).map(|id| id.to_string()).unwrap_or_default()
}

/// Sets after how many idle minutes the manager's store's kiosks lock.
#[server(prefix = "/api", endpoint = "set_idle_lock", output = crate::codec::JsonText)]
pub async fn set_idle_lock(minutes: String) -> Result<(), AppError> {
    use crate::account::session;
    session::require_same_origin()?;
    let me = session::require(|p| {
        matches!(
            p,
            Principal::Staff {
                role: StaffRole::StoreManager,
                location: Some(_),
                ..
            }
        )
    })
    .await?;
    let Principal::Staff {
        location: Some(store),
        ..
    } = me.principal
    else {
        return Err(AppError::Forbidden);
    };
    let idle = IdleMinutes::parse(&minutes)?;
    use_storage::<dyn DeviceStorage>()?
        .set_idle_lock(store, idle)
        .await?;
    Ok(())
}

fn when(t: Option<OffsetDateTime>) -> String {
    t.map(format_local).unwrap_or_else(|| "—".to_owned())
}

/// The resources of [`HqDevices`], made by the page outside its sign-in gate.
#[derive(Clone, Copy)]
pub struct HqDevicesState {
    create: ServerAction<CreatePairingCode>,
    revoke: ServerAction<RevokeDevice>,
    list: Resource<Result<HqDevicesView, AppError>>,
}

impl HqDevicesState {
    pub fn new() -> HqDevicesState {
        let create = ServerAction::<CreatePairingCode>::new();
        let revoke = ServerAction::<RevokeDevice>::new();
        let me = use_me_context();
        let list = Resource::new(
            move || (create.version().get(), revoke.version().get(), me.session()),
            |_| list_devices(),
        );
        HqDevicesState {
            create,
            revoke,
            list,
        }
    }
}

impl Default for HqDevicesState {
    fn default() -> Self {
        HqDevicesState::new()
    }
}

/// `/hq/devices`: pairing codes, the paired iPads, revoking one.
#[component]
pub fn HqDevices(state: HqDevicesState) -> impl IntoView {
    let i18n = use_i18n();
    let HqDevicesState {
        create,
        revoke,
        list,
    } = state;
    let made = move || create.value().get();
    view! {
        <section class="devices">
            <h1>{move || i18n.t(StaffMsg::KioskDevices)}</h1>
            <p class="intro">{move || i18n.t(StaffMsg::KioskDevicesIntro)}</p>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(view) => {
                            let stores = view.stores.clone();
                            view! {
                                <ActionForm action=create attr:class="pairing-form">
                                    <h2>{move || i18n.t(StaffMsg::PairNewDevice)}</h2>
                                    <label>
                                        <span>{move || i18n.t(Msg::Store)}</span>
                                        <select name="store_id">
                                            {stores
                                                .into_iter()
                                                .map(|s| {
                                                    let id = s.id.to_string();
                                                    view! { <option value=id>{move || s.name(i18n.lang()).to_owned()}</option> }
                                                })
                                                .collect_view()}
                                        </select>
                                    </label>
                                    <label>
                                        <span>{move || i18n.t(StaffMsg::DeviceName)}</span>
                                        <input type="text" name="device_name" required maxlength="40" />
                                    </label>
                                    <button type="submit">{move || i18n.t(StaffMsg::MakePairingCode)}</button>
                                </ActionForm>
                                <DeviceTable devices=view.devices revoke=revoke />
                            }
                                .into_any()
                        }
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
            {move || match made() {
                Some(Ok(code)) => {
                    let store = code.store.clone();
                    view! {
                        <div class="pairing-code" role="status">
                            <p>
                                {move || i18n.t(StaffMsg::PairingCodeFor)} " "
                                <strong>{code.device_name.clone()}</strong> " · "
                                {move || store.name(i18n.lang()).to_owned()}
                            </p>
                            <p class="code" data-code=code.code.clone()>{code.code.clone()}</p>
                            <p class="hint">
                                {move || i18n.t(StaffMsg::PairingCodeHint)} " " {format_local(code.expires_at)}
                            </p>
                        </div>
                    }
                        .into_any()
                }
                Some(Err(e)) => error_view(e).into_any(),
                None => ().into_any(),
            }}
            {move || revoke.value().get().and_then(Result::err).map(error_view)}
        </section>
    }
}

#[component]
fn DeviceTable(devices: Vec<DeviceView>, revoke: ServerAction<RevokeDevice>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="device-list">
            <caption>{move || i18n.t(StaffMsg::PairedDevices)}</caption>
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(StaffMsg::DeviceName)}</th>
                    <th scope="col">{move || i18n.t(Msg::Store)}</th>
                    <th scope="col">{move || i18n.t(StaffMsg::PairedAt)}</th>
                    <th scope="col">{move || i18n.t(StaffMsg::LastUnlock)}</th>
                    <th scope="col">{move || i18n.t(Msg::Status)}</th>
                </tr>
            </thead>
            <tbody>
                {devices
                    .into_iter()
                    .map(|d| {
                        let store = d.store.clone();
                        let revoked = d.revoked_at.is_some();
                        let id = d.id.to_string();
                        view! {
                            <tr data-device=d.id.to_string() data-revoked=revoked.to_string()>
                                <td>{d.name.clone()}</td>
                                <td>{move || store.name(i18n.lang()).to_owned()}</td>
                                <td>{format_local(d.paired_at)}</td>
                                <td>{when(d.last_unlock_at)}</td>
                                <td>
                                    {if revoked {
                                        view! {
                                            <span class="tag revoked">
                                                {move || i18n.t(StaffMsg::Revoked)} " " {when(d.revoked_at)}
                                            </span>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <ActionForm action=revoke attr:class="revoke">
                                                <input type="hidden" name="device_id" value=id />
                                                <button type="submit" class="danger">{move || i18n.t(StaffMsg::Revoke)}</button>
                                            </ActionForm>
                                        }
                                            .into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The kiosk page's state: which device this is, and the actions that pair, unlock and
/// lock it. Made by the page, outside any gate.
#[derive(Clone, Copy)]
pub struct KioskState {
    pub device: Resource<Result<Option<PairedDevice>, AppError>>,
    pub pair: ServerAction<PairDevice>,
    pub unlock: ServerAction<UnlockKiosk>,
    pub lock: ServerAction<LockKiosk>,
    /// Set when the page locked itself: it shows the lock screen even if the server has
    /// not yet heard (the Wi-Fi dropped), until someone unlocks again.
    pub locked: RwSignal<bool>,
    /// When someone last touched the kiosk (the page's clock).
    pub last_touch: StoredValue<OffsetDateTime>,
    /// Setting a PIN and the idle minutes, from the staff panel.
    pub set_pin: ServerAction<SetPin>,
    pub set_idle: ServerAction<SetIdleLock>,
}

impl KioskState {
    pub fn new() -> KioskState {
        let pair = ServerAction::<PairDevice>::new();
        let unlock = ServerAction::<UnlockKiosk>::new();
        let lock = ServerAction::<LockKiosk>::new();
        let locked = RwSignal::new(false);
        let me = use_me_context();
        let live = crate::live::use_live();
        // Refetched when the store's kiosk changes: HQ revoked this iPad (it shows the
        // pairing screen at once), a colleague came or went or got a PIN, the manager
        // changed the idle minutes.
        let device = Resource::new(
            move || (pair.version().get(), me.session(), live.kiosk.get()),
            |_| kiosk_device(),
        );
        Effect::new(move |_| {
            if let Some(Ok(())) = pair.value().get() {
                // Freshly paired: load the page again, so that everything it opens (the
                // live-update stream above all) does so as this store's device.
                #[cfg(feature = "hydrate")]
                let _ = leptos::prelude::window().location().reload();
            }
        });
        Effect::new(move |prev: Option<u64>| {
            let now = live.kiosk.get();
            if prev.is_some_and(|p| p != now) {
                // A revoked device's session is gone too: ask who is signed in again.
                me.refresh();
            }
            now
        });
        Effect::new(move |_| {
            if let Some(Ok(())) = unlock.value().get() {
                locked.set(false);
                me.refresh();
            }
        });
        Effect::new(move |_| {
            if let Some(Ok(())) = lock.value().get() {
                me.refresh();
            }
        });
        // Locking by hand (the bar's button) shows the lock screen at once, as the idle
        // lock does, whether or not the server answers. Set only if not already: every
        // set re-renders the kiosk, and a second one while it swaps views would resume a
        // section under a view already gone. (`pending` is made once, out here: called in
        // the effect, each run would make a memo the next run disposes.)
        let locking = lock.pending();
        Effect::new(move |_| {
            if locking.get() && !locked.get_untracked() {
                locked.set(true);
            }
        });
        // A lock the server did not hear (the Wi-Fi was down) is sent again once the
        // network is back (the browser says it is online, or the live stream reopens), so
        // the session ends on the server too, not only on the screen.
        let retry_lock = move || {
            let unheard = matches!(lock.value().get_untracked(), Some(Err(_)));
            if unheard && locked.get_untracked() {
                lock.dispatch(LockKiosk {});
            }
        };
        Effect::new(move |_| {
            if live.connected.get() {
                retry_lock();
            }
        });
        #[cfg(feature = "hydrate")]
        {
            let online =
                gloo_events::EventListener::new(&leptos::prelude::window(), "online", move |_| {
                    retry_lock()
                });
            // Owned by the kiosk page: dropped with it, which removes the listener.
            StoredValue::new_local(online);
        }
        let last_touch = StoredValue::new(crate::clock::now());
        let set_pin = ServerAction::<SetPin>::new();
        let set_idle = ServerAction::<SetIdleLock>::new();
        Effect::new(move |_| {
            if let Some(Ok(())) = unlock.value().get() {
                // Unlocking is a touch: the idle minutes start now. The last person's
                // messages are not the next one's.
                last_touch.set_value(crate::clock::now());
                set_pin.value().set(None);
                set_idle.value().set(None);
            }
        });
        KioskState {
            device,
            pair,
            unlock,
            lock,
            locked,
            last_touch,
            set_pin,
            set_idle,
        }
    }

    /// Locks now: the screen at once, the session as soon as the server answers.
    pub fn lock_now(&self) {
        self.locked.set(true);
        self.lock.dispatch(LockKiosk {});
    }
}

impl Default for KioskState {
    fn default() -> Self {
        KioskState::new()
    }
}

/// Whether `me` unlocked this very device with a PIN.
pub fn unlocked_here(me: &Option<domain::Me>, device: &PairedDevice) -> bool {
    me.as_ref().is_some_and(|me| {
        me.device == Some(device.id)
            && matches!(&me.principal, Principal::Staff { location: Some(s), .. } if *s == device.store.id)
    })
}

/// The screen of an iPad that is not paired (or was revoked): type HQ's code.
#[component]
pub fn PairScreen(state: KioskState) -> impl IntoView {
    let i18n = use_i18n();
    let error = move || state.pair.value().get().and_then(Result::err);
    view! {
        <section class="auth-card pair-device">
            <h1>{move || i18n.t(StaffMsg::PairThisDevice)}</h1>
            <p class="intro">{move || i18n.t(StaffMsg::PairThisDeviceIntro)}</p>
            <ActionForm action=state.pair attr:class="auth-form">
                <label>
                    <span>{move || i18n.t(StaffMsg::PairingCode)}</span>
                    <input
                        type="text"
                        name="code"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        placeholder="XXXX-XXXX"
                        required
                    />
                </label>
                {move || error().map(error_view)}
                <button type="submit" disabled=move || state.pair.pending().get()>
                    {move || i18n.t(StaffMsg::Pair)}
                </button>
            </ActionForm>
        </section>
    }
}

/// The lock screen: the store's staff as tiles; choose yourself, type your PIN. Tiles are
/// radio buttons of one form, so it also works before the page has hydrated.
#[component]
pub fn LockScreen(state: KioskState, device: PairedDevice) -> impl IntoView {
    let i18n = use_i18n();
    let error = move || state.unlock.value().get().and_then(Result::err);
    let pin = RwSignal::new(String::new());
    let chosen = RwSignal::new(None::<StaffId>);
    // A failed attempt clears the digits, as a card terminal does.
    Effect::new(move |_| {
        if let Some(Err(_)) = state.unlock.value().get() {
            pin.set(String::new());
        }
    });
    let store = device.store.clone();
    // Where the lock screen is shown: unlocking goes back there.
    let location = leptos_router::hooks::use_location();
    let here = {
        let search = location.search.get_untracked();
        let path = location.pathname.get_untracked();
        if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        }
    };
    let press = move |digit: char| {
        pin.update(|p| {
            if p.len() < domain::kiosk::Pin::LEN {
                p.push(digit);
            }
        })
    };
    view! {
        <section class="lock-screen" data-device=device.id.to_string()>
            <h1>{move || store.name(i18n.lang()).to_owned()}</h1>
            <p class="intro">{move || i18n.t(StaffMsg::WhoIsUnlocking)}</p>
            <ActionForm action=state.unlock attr:class="unlock-form">
                <input type="hidden" name="next" value=here />
                <fieldset class="staff-tiles">
                    <legend>{move || i18n.t(StaffMsg::ChooseYourself)}</legend>
                    {device
                        .staff
                        .into_iter()
                        .map(|s| {
                            let id = s.id;
                            let tile = s.clone();
                            view! {
                                <label class="staff-tile" data-staff=id.to_string() data-has-pin=s.has_pin.to_string()>
                                    <input
                                        type="radio"
                                        name="staff_id"
                                        value=id.to_string()
                                        required
                                        disabled=!s.has_pin
                                        on:change=move |_| {
                                            chosen.set(Some(id));
                                            pin.set(String::new());
                                        }
                                    />
                                    <span class="name">{move || tile.name(i18n.lang()).to_owned()}</span>
                                    <span class="role">{move || i18n.t(role_label(s.role))}</span>
                                    {(!s.has_pin)
                                        .then(|| view! { <span class="hint">{move || i18n.t(StaffMsg::NoPinYet)}</span> })}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <label class="pin-field">
                    <span>{move || i18n.t(StaffMsg::Pin)}</span>
                    <input
                        type="password"
                        name="pin"
                        inputmode="numeric"
                        pattern="[0-9]*"
                        maxlength="6"
                        autocomplete="off"
                        required
                        prop:value=move || pin.get()
                        on:input=move |ev| pin.set(event_target_value(&ev))
                    />
                </label>
                <div class="pin-pad" role="group" aria-label=move || i18n.t(StaffMsg::Pin)>
                    {['1', '2', '3', '4', '5', '6', '7', '8', '9', '0']
                        .into_iter()
                        .map(|d| {
                            view! {
                                <button type="button" class="digit" data-digit=d.to_string() on:click=move |_| press(d)>
                                    {d.to_string()}
                                </button>
                            }
                        })
                        .collect_view()}
                    <button
                        type="button"
                        class="digit erase"
                        aria-label=move || i18n.t(StaffMsg::Erase)
                        on:click=move |_| pin.update(|p| {
                            p.pop();
                        })
                    >
                        "⌫"
                    </button>
                </div>
                {move || error().map(error_view)}
                <button
                    type="submit"
                    class="unlock"
                    disabled=move || state.unlock.pending().get() || (chosen.get().is_some() && pin.get().len() < 6)
                >
                    {move || i18n.t(StaffMsg::Unlock)}
                </button>
            </ActionForm>
        </section>
    }
}

/// Locks the kiosk after the store's idle minutes without a touch, a key or a click.
/// Renders nothing; lives while the kiosk is unlocked.
#[component]
pub fn IdleLock(state: KioskState, idle: IdleMinutes) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        use std::rc::Rc;
        // The last touch is the kiosk's, not this view's: a view rebuilt by a refetch
        // does not start the idle minutes again.
        let last = state.last_touch;
        let document = leptos::prelude::document();
        let check = Rc::new(move || {
            let Some(last) = last.try_get_value() else {
                return;
            };
            let idle_ms = (crate::clock::now() - last).whole_milliseconds().max(0) as u64;
            if idle.is_due(idle_ms) && !state.locked.get_untracked() {
                state.lock_now();
            }
        });
        let mut listeners: Vec<gloo_events::EventListener> =
            ["pointerdown", "keydown", "touchstart", "wheel"]
                .into_iter()
                .map(|kind| {
                    gloo_events::EventListener::new(&document, kind, move |_| {
                        last.try_set_value(crate::clock::now());
                    })
                })
                .collect();
        // An iPad waking from sleep checks at once, not at the next tick.
        let on_wake = check.clone();
        listeners.push(gloo_events::EventListener::new(
            &document,
            "visibilitychange",
            move |_| on_wake(),
        ));
        let interval = gloo_timers::callback::Interval::new(5_000, move || check());
        // Owned by this component: when the kiosk locks and it goes, they are dropped,
        // which removes the listeners and stops the timer.
        StoredValue::new_local((listeners, interval));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (state, idle);
}

/// The unlocked kiosk's staff panel: a manager sets colleagues' PINs and the idle minutes;
/// everyone may change their own PIN.
#[component]
pub fn KioskStaffPanel(state: KioskState, device: PairedDevice) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    // The kiosk's actions, not this view's: a change refetches the device and rebuilds
    // this view, and the confirmation must stay.
    let (set, idle) = (state.set_pin, state.set_idle);
    // A plain clone per run, not a stored value: a refetch may drop this view while its
    // resource is still resolving.
    let staff = device.staff.clone();
    let minutes = device.idle_lock.minutes();
    view! {
        <Transition fallback=|| ()>
            {move || {
                let staff = staff.clone();
                Suspend::new(async move {
                let Ok(Some(me)) = me.await else {
                    return ().into_any();
                };
                let (my_id, manager) = match me.principal {
                    Principal::Staff { id, role, .. } => (Some(id), role == StaffRole::StoreManager),
                    Principal::Customer { .. } => (None, false),
                };
                let people: Vec<StaffTile> = staff
                    .into_iter()
                    .filter(|s| manager || Some(s.id) == my_id)
                    .collect();
                view! {
                    <section class="staff-panel">
                        <h2>{move || i18n.t(if manager { StaffMsg::StorePins } else { StaffMsg::MyPin })}</h2>
                        <ul class="pin-list">
                            {people
                                .into_iter()
                                .map(|s| {
                                    let tile = s.clone();
                                    view! {
                                        <li data-staff=s.id.to_string()>
                                            <span class="name">{move || tile.name(i18n.lang()).to_owned()}</span>
                                            <span class="tag role">{move || i18n.t(role_label(s.role))}</span>
                                            <ActionForm action=set attr:class="set-pin">
                                                <input type="hidden" name="staff_id" value=s.id.to_string() />
                                                <label>
                                                    <span class="visually-hidden">{move || i18n.t(StaffMsg::NewPin)}</span>
                                                    <input type="password" name="pin" inputmode="numeric" pattern="[0-9]*" maxlength="6" autocomplete="off" required placeholder=move || i18n.t(StaffMsg::NewPin) />
                                                </label>
                                                <button type="submit">{move || i18n.t(StaffMsg::SetPin)}</button>
                                            </ActionForm>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        {move || match set.value().get() {
                            Some(Ok(())) => view! { <p class="ok" role="status">{move || i18n.t(StaffMsg::PinSet)}</p> }.into_any(),
                            Some(Err(e)) => error_view(e).into_any(),
                            None => ().into_any(),
                        }}
                        {manager.then(|| view! {
                            <ActionForm action=idle attr:class="idle-lock-form">
                                <label>
                                    <span>{move || i18n.t(StaffMsg::IdleLockMinutes)}</span>
                                    <input type="number" name="minutes" min="1" max="30" value=minutes.to_string() required />
                                </label>
                                <button type="submit">{move || i18n.t(Msg::Save)}</button>
                            </ActionForm>
                            {move || match idle.value().get() {
                                Some(Ok(())) => view! { <p class="ok" role="status">{move || i18n.t(StaffMsg::Saved)}</p> }.into_any(),
                                Some(Err(e)) => error_view(e).into_any(),
                                None => ().into_any(),
                            }}
                        })}
                    </section>
                }
                    .into_any()
            })
            }}
        </Transition>
    }
}
