//! A store's settings, kept by its manager at `/kiosk/store`: the opening hours of each
//! weekday and the number of bays. (The idle-lock minutes are on the staff page,
//! [`crate::devices`].)
//!
//! A change reaches the slot grid at once: hours, bays and technicians are the network
//! every booking decision reads, a change bumps its revision (so no cached copy
//! survives it), and a booking that read the network before the change decides again
//! on the new one ([`crate::booking`]'s transaction checks). Customers' open booking
//! pages hear `AvailabilityChanged` and fetch their grid again.
//!
//! A change never strands a booking already made: nothing is moved or cancelled.
//! [`domain::settings::stranded`] flags the bookings that no longer fit (outside the
//! hours, or more cars than the store can now take), and this page lists them for the
//! counter to call the customer. The flag is worked out from the settings as they are,
//! so it goes when the booking is moved or cancelled or the change undone. Fewer
//! technicians (someone moved or left, [`crate::staff`]) flag bookings the same way.
//!
//! - Server functions: [`get_store_settings`] (anyone of the store), [`save_store_settings`]
//!   (its manager).
//! - Storage: [`SettingsStorage`].
//! - Component: [`StoreSettingsPanel`].

use domain::settings::{format_clock, weekday_from_iso, Bays, Strand, WeeklyHours};
use domain::{CustomerId, OrderId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{error_view, AppError};
use crate::i18n::{use_i18n, I18n, Msg, StaffMsg};
use crate::pricing::format_local;
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// A store's settings as its page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSettings {
    pub hours: WeeklyHours,
    pub bays: Bays,
    /// Technicians working at the store now.
    pub technicians: u32,
    /// Upcoming bookings that no longer fit, soonest first.
    pub stranded: Vec<StrandedBooking>,
}

impl StoreSettings {
    /// Cars the store can work on at once.
    pub fn capacity(&self) -> u32 {
        domain::slots::capacity(self.bays.get(), self.technicians)
    }
}

/// A booking that no longer fits the store's settings, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrandedBooking {
    pub order: OrderId,
    pub reference: String,
    pub customer_id: CustomerId,
    pub customer: Named,
    pub plate: String,
    pub services: Vec<Named>,
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    pub reason: Strand,
}

/// Storage for store settings.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait SettingsStorage: Send + Sync + 'static {
    /// The store's hours, bays and technicians now, and its upcoming bookings that no
    /// longer fit them ([`domain::settings::stranded`]).
    async fn settings(&self, store: domain::StoreId) -> Result<StoreSettings, StorageError>;

    /// Replaces the store's weekly hours and bays in one transaction, and says which
    /// upcoming bookings no longer fit them. Bookings are left as they are.
    async fn save_settings(
        &self,
        store: domain::StoreId,
        hours: &WeeklyHours,
        bays: Bays,
    ) -> Result<StoreSettings, StorageError>;
}

/// One weekday of the hours form (`days[0][day]`, `days[0][open]`, ...): the day's ISO
/// number, whether the store opens (a checkbox, absent when not ticked), and the times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayForm {
    pub day: String,
    #[serde(default)]
    pub open: String,
    #[serde(default)]
    pub opens: String,
    #[serde(default)]
    pub closes: String,
}

/// The settings of the caller's store, for anyone who works there.
#[server(prefix = "/api", endpoint = "store_settings", output = crate::codec::JsonText)]
pub async fn get_store_settings() -> Result<StoreSettings, AppError> {
    let (_, store) = crate::workorders::store_staff().await?;
    Ok(use_storage::<dyn SettingsStorage>()?
        .settings(store)
        .await?)
}

/// The manager sets their store's bays and weekly hours (a day not marked open is
/// closed). Returns the settings as saved, with the bookings that no longer fit.
#[server(prefix = "/api", endpoint = "save_store_settings", output = crate::codec::JsonText)]
pub async fn save_store_settings(
    bays: String,
    #[server(default)] days: Vec<DayForm>,
) -> Result<StoreSettings, AppError> {
    crate::account::session::require_same_origin()?;
    let me = crate::account::session::require(|p| p.managed_store().is_some()).await?;
    let store = me.principal.managed_store().ok_or(AppError::Forbidden)?;
    let bays = Bays::parse(&bays)?;
    let hours = WeeklyHours::parse(
        days.iter()
            .filter(|d| !d.open.is_empty())
            .map(|d| (d.day.as_str(), d.opens.as_str(), d.closes.as_str())),
    )?;
    let saved = use_storage::<dyn SettingsStorage>()?
        .save_settings(store, &hours, bays)
        .await?;
    tracing::info!(
        %store,
        bays = bays.get(),
        open_days = hours.as_slice().len(),
        stranded = saved.stranded.len(),
        "store settings saved"
    );
    Ok(saved)
}

fn weekday_label(day: time::Weekday) -> StaffMsg {
    use time::Weekday::*;
    match day {
        Monday => StaffMsg::Monday,
        Tuesday => StaffMsg::Tuesday,
        Wednesday => StaffMsg::Wednesday,
        Thursday => StaffMsg::Thursday,
        Friday => StaffMsg::Friday,
        Saturday => StaffMsg::Saturday,
        Sunday => StaffMsg::Sunday,
    }
}

/// Why a booking no longer fits, as staff read it.
pub(crate) fn strand_label(s: Strand) -> StaffMsg {
    match s {
        Strand::OutsideHours => StaffMsg::StrandOutsideHours,
        Strand::OverCapacity => StaffMsg::StrandOverCapacity,
    }
}

/// The resources of [`StoreSettingsPanel`], made by the kiosk outside its unlock gate.
#[derive(Clone, Copy)]
pub struct StoreSettingsState {
    settings: Resource<Result<Option<StoreSettings>, AppError>>,
    save: ServerAction<SaveStoreSettings>,
}

impl StoreSettingsState {
    pub fn new() -> StoreSettingsState {
        let location = leptos_router::hooks::use_location();
        let on_page = Memo::new(move |_| location.pathname.read().starts_with("/kiosk/store"));
        let save = ServerAction::<SaveStoreSettings>::new();
        let live = crate::live::use_live();
        let me = crate::account::use_me_context();
        let settings = Resource::new(
            move || {
                (
                    me.session(),
                    on_page.get(),
                    save.version().get(),
                    // Staff came or went, bookings moved; another iPad saved
                    // (availability changed at the store).
                    live.kiosk.get(),
                    live.board.get(),
                    live.availability.get(),
                )
            },
            |(_, on_page, ..)| async move {
                if on_page {
                    get_store_settings().await.map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        StoreSettingsState { settings, save }
    }
}

impl Default for StoreSettingsState {
    fn default() -> Self {
        StoreSettingsState::new()
    }
}

/// `/kiosk/store`: the store's hours and bays (a form for its manager, a summary for
/// everyone else) and the bookings that no longer fit them.
#[component]
pub fn StoreSettingsPanel(state: StoreSettingsState) -> impl IntoView {
    let i18n = use_i18n();
    let me = crate::account::use_me();
    let StoreSettingsState { settings, save } = state;
    view! {
        <section class="store-settings">
            <h1>{move || i18n.t(StaffMsg::StoreSettingsTitle)}</h1>
            {move || match save.value().get() {
                Some(Ok(_)) => view! { <p class="ok" role="status">{move || i18n.t(StaffMsg::SettingsSaved)}</p> }.into_any(),
                Some(Err(e)) => error_view(e).into_any(),
                None => ().into_any(),
            }}
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let manager = matches!(
                        me.await,
                        Ok(Some(ref m)) if m.principal.managed_store().is_some()
                    );
                    match settings.await {
                        Ok(Some(s)) => settings_view(i18n, s, manager, save).into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The settings and the flagged bookings. A plain function given `i18n`: it is built
/// after the resource resolves.
fn settings_view(
    i18n: I18n,
    s: StoreSettings,
    manager: bool,
    save: ServerAction<SaveStoreSettings>,
) -> impl IntoView {
    let capacity = s.capacity();
    let (bays, technicians) = (s.bays.get(), s.technicians);
    let days = (1..=7u8).filter_map(|n| weekday_from_iso(n).map(|d| (n, d, s.hours.on(d))));
    let rows = days
        .map(|(n, day, hours)| {
            let i = n - 1;
            let (opens, closes) = hours.map_or(("08:30".to_owned(), "18:00".to_owned()), |h| {
                (format_clock(h.opens_min), format_clock(h.closes_min))
            });
            let label = move || i18n.t(weekday_label(day));
            if manager {
                view! {
                    <fieldset class="day" data-day=n>
                        <legend>{label}</legend>
                        <input type="hidden" name=format!("days[{i}][day]") value=n />
                        <label class="open-day">
                            <input type="checkbox" name=format!("days[{i}][open]") checked=hours.is_some() />
                            <span>{move || i18n.t(StaffMsg::OpenOnDay)}</span>
                        </label>
                        <label>
                            <span>{move || i18n.t(StaffMsg::Opens)}</span>
                            <input type="time" name=format!("days[{i}][opens]") value=opens />
                        </label>
                        <label>
                            <span>{move || i18n.t(StaffMsg::Closes)}</span>
                            <input type="time" name=format!("days[{i}][closes]") value=closes />
                        </label>
                    </fieldset>
                }
                .into_any()
            } else {
                view! {
                    <div class="day" data-day=n>
                        <span class="weekday">{label}</span>
                        <span class="hours">
                            {match hours {
                                Some(_) => format!("{opens} – {closes}").into_any(),
                                None => (move || i18n.t(StaffMsg::ClosedDay)).into_any(),
                            }}
                        </span>
                    </div>
                }
                .into_any()
            }
        })
        .collect_view();
    let capacity_line = view! {
        <p class="capacity" data-capacity=capacity>
            {move || i18n.t(StaffMsg::CarsAtOnce)} ": " <strong>{capacity}</strong>
            " (" {move || i18n.t(StaffMsg::Bays)} " " {bays} " · "
            {move || i18n.t(StaffMsg::Technicians)} " " {technicians} ")"
        </p>
        <p class="hint">{move || i18n.t(StaffMsg::CapacityRule)}</p>
    };
    let form = if manager {
        view! {
            <ActionForm action=save attr:class="settings-form">
                <label class="bays">
                    <span>{move || i18n.t(StaffMsg::Bays)}</span>
                    <input type="number" name="bays" min="1" max=domain::settings::MAX_BAYS value=bays required inputmode="numeric" />
                </label>
                <h2>{move || i18n.t(StaffMsg::StoreHours)}</h2>
                <div class="week">{rows}</div>
                <button type="submit">{move || i18n.t(Msg::Save)}</button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! {
            <h2>{move || i18n.t(StaffMsg::StoreHours)}</h2>
            <div class="week">{rows}</div>
            <p class="hint">{move || i18n.t(StaffMsg::OnlyManagerEdits)}</p>
        }
        .into_any()
    };
    view! {
        {capacity_line}
        {form}
        {stranded_list(i18n, s.stranded)}
    }
}

fn stranded_list(i18n: I18n, stranded: Vec<StrandedBooking>) -> impl IntoView {
    let empty = stranded.is_empty();
    view! {
        <section class="stranded" aria-labelledby="stranded-title">
            <h2 id="stranded-title">{move || i18n.t(StaffMsg::StrandedTitle)}</h2>
            {if empty {
                view! { <p class="none">{move || i18n.t(StaffMsg::StrandedNone)}</p> }.into_any()
            } else {
                view! {
                    <p class="hint">{move || i18n.t(StaffMsg::StrandedIntro)}</p>
                    <ul>
                        {stranded
                            .into_iter()
                            .map(|b| {
                                let services = b.services.clone();
                                let customer = b.customer.clone();
                                view! {
                                    <li data-order=b.order.to_string() data-reason=b.reason.code()>
                                        <span class="when">{format_local(b.start)}</span>
                                        <span class="plate">{b.plate.clone()}</span>
                                        <span class="services">
                                            {move || services.iter().map(|s| s.get(i18n.lang()).to_owned()).collect::<Vec<_>>().join("、")}
                                        </span>
                                        <span class="tag reason">{move || i18n.t(strand_label(b.reason))}</span>
                                        <a href=format!("/kiosk/customers/{}", b.customer_id)>{move || customer.get(i18n.lang()).to_owned()}</a>
                                        <span class="ref">{b.reference.clone()}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}
