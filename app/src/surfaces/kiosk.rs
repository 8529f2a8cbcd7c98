//! The store kiosk at `/kiosk`: a full-screen, touch-first layout for the reception iPad.
//! Its page is a lazy route (`KioskRoute`).
//!
//! The page is a small state machine over [`crate::devices`]: an iPad that is not paired
//! shows [`PairScreen`]; a paired one shows its store's [`LockScreen`] until someone
//! unlocks it with their PIN; unlocked, it shows the store's work and locks itself after
//! the store's idle minutes ([`IdleLock`]).
//!
//! Unlocked, the section comes from the address (one lazy route for all of them):
//! `/kiosk` reception ([`crate::reception::Reception`]), `/kiosk/customers/:id` the
//! customer 360, `/kiosk/board` today's board ([`crate::workorders::StoreBoard`]), `/kiosk/inbox` the
//! online orders waiting for the store's answer ([`crate::routing::inbox::Inbox`]), `/kiosk/help`
//! help between stores ([`crate::help::HelpBoardPage`]), `/kiosk/follow-ups` the morning
//! follow-up queue ([`crate::followup::FollowUpPage`]), `/kiosk/cases` after-sales cases
//! ([`crate::cases::CasesPage`]), `/kiosk/transfers` stock coming to and leaving the store
//! ([`crate::supply::transfers::Transfers`]), `/kiosk/prices` the price list, `/kiosk/store` the store's hours and bays
//! ([`crate::settings::StoreSettingsPanel`]), `/kiosk/staff` PINs and the idle lock.
//! Locking goes back to `/kiosk`: the next person does not find the last one's customer.

use leptos::prelude::*;

use super::{NavItem, SurfaceFrame};
use crate::account::use_me;
use crate::booking::{ModelQuotes, ModelQuotesState};
use crate::devices::{
    unlocked_here, IdleLock, KioskStaffPanel, KioskState, LockScreen, PairScreen, PairedDevice,
};
use crate::i18n::{use_i18n, Msg, StaffMsg};
use crate::pricing::ServicePriceList;
use crate::reception::{CustomerFile, Reception, ReceptionState};
use crate::routing::inbox::{Inbox, InboxState};
use crate::settings::{StoreSettingsPanel, StoreSettingsState};
use crate::workorders::{BoardState, StoreBoard};

#[component]
fn KioskHome() -> impl IntoView {
    let i18n = use_i18n();
    // The views below are built in reactive closures; resources are made out here.
    crate::pricing::provide_price_list();
    let quotes = ModelQuotesState::new();
    let kiosk = KioskState::new();
    let reception = ReceptionState::new();
    let board = BoardState::new();
    let settings = StoreSettingsState::new();
    let inbox = InboxState::new();
    let help = crate::help::HelpState::new();
    let followups = crate::followup::FollowUpState::new();
    let cases = crate::cases::CasesState::new();
    let transfers = crate::supply::transfers::TransfersState::new("/kiosk/transfers");
    let me = use_me();
    let navigate = leptos_router::hooks::use_navigate();
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        let locked_now = kiosk.locked.get();
        let lock_done = matches!(kiosk.lock.value().get(), Some(Ok(())));
        // Neither the last customer's page nor the last search stays for the next person.
        let elsewhere = location.pathname.get_untracked() != "/kiosk"
            || !location.search.get_untracked().is_empty();
        if (locked_now || lock_done) && elsewhere {
            navigate(
                "/kiosk",
                leptos_router::NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    view! {
        // Installed to the iPad's home screen, the kiosk opens full screen in landscape.
        <leptos_meta::Link rel="manifest" href="/kiosk.webmanifest" />
        <SurfaceFrame
            kind="kiosk"
            title=Msg::SurfaceKiosk
            home="/kiosk"
            sign_in="/kiosk"
            nav=vec![
                NavItem { href: "/kiosk", label: Msg::NavReception },
                NavItem { href: "/kiosk/board", label: Msg::NavBoard },
                NavItem { href: "/kiosk/inbox", label: Msg::NavInbox },
                NavItem { href: "/kiosk/follow-ups", label: Msg::NavFollowUps },
                NavItem { href: "/kiosk/cases", label: Msg::NavCases },
                NavItem { href: "/kiosk/help", label: Msg::NavHelp },
                NavItem { href: "/kiosk/transfers", label: Msg::NavTransfers },
                NavItem { href: "/kiosk/prices", label: Msg::NavPriceList },
                NavItem { href: "/kiosk/store", label: Msg::NavStoreSettings },
                NavItem { href: "/kiosk/staff", label: Msg::NavKioskStaff },
            ]
        >
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || {
                    let locked = kiosk.locked.get();
                    Suspend::new(async move {
                        let device = kiosk.device.await;
                        let me = me.await.ok().flatten();
                        match device {
                            Err(e) => {
                                view! { <p class="error" role="alert">{move || e.message(i18n.lang())}</p> }
                                    .into_any()
                            }
                            Ok(None) => view! { <PairScreen state=kiosk /> }.into_any(),
                            Ok(Some(device)) if locked || !unlocked_here(&me, &device) => {
                                view! { <LockScreen state=kiosk device=device /> }.into_any()
                            }
                            Ok(Some(device)) => {
                                view! { <Unlocked kiosk=kiosk device=device quotes=quotes reception=reception board=board settings=settings inbox=inbox help=help followups=followups cases=cases transfers=transfers /> }.into_any()
                            }
                        }
                    })
                }}
            </Transition>
        </SurfaceFrame>
    }
}

/// The kiosk while someone has it unlocked.
#[component]
fn Unlocked(
    kiosk: KioskState,
    device: PairedDevice,
    quotes: ModelQuotesState,
    reception: ReceptionState,
    board: BoardState,
    settings: StoreSettingsState,
    inbox: InboxState,
    help: crate::help::HelpState,
    followups: crate::followup::FollowUpState,
    cases: crate::cases::CasesState,
    transfers: crate::supply::transfers::TransfersState,
) -> impl IntoView {
    let i18n = use_i18n();
    let store = device.store.clone();
    let pathname = leptos_router::hooks::use_location().pathname;
    let staff_device = device.clone();
    let section = move || {
        let path = pathname.get();
        let path = path.trim_end_matches('/');
        match path {
            "/kiosk" => view! { <Reception state=reception /> }.into_any(),
            "/kiosk/board" => view! { <StoreBoard state=board /> }.into_any(),
            "/kiosk/inbox" => view! { <Inbox state=inbox /> }.into_any(),
            "/kiosk/help" => view! { <crate::help::HelpBoardPage state=help /> }.into_any(),
            "/kiosk/follow-ups" => {
                view! { <crate::followup::FollowUpPage state=followups /> }.into_any()
            }
            "/kiosk/cases" => view! { <crate::cases::CasesPage state=cases /> }.into_any(),
            "/kiosk/transfers" => view! {
                <h1>{move || i18n.t(Msg::NavTransfers)}</h1>
                <crate::supply::transfers::Transfers state=transfers />
            }
            .into_any(),
            "/kiosk/prices" => view! {
                <ModelQuotes state=quotes />
                <ServicePriceList intro=Msg::KioskPricesIntro />
            }
            .into_any(),
            "/kiosk/store" => view! { <StoreSettingsPanel state=settings /> }.into_any(),
            "/kiosk/staff" => {
                view! { <KioskStaffPanel state=kiosk device=staff_device.clone() /> }.into_any()
            }
            p if p.starts_with("/kiosk/customers/") => {
                view! { <CustomerFile state=reception /> }.into_any()
            }
            _ => view! { <crate::NotFound /> }.into_any(),
        }
    };
    view! {
        <IdleLock state=kiosk idle=device.idle_lock />
        <div class="kiosk-bar" data-unlocked="true">
            <span class="store-name">{move || store.name(i18n.lang()).to_owned()}</span>
            <ActionForm action=kiosk.lock attr:class="lock-form">
                <button type="submit" class="lock-now">{move || i18n.t(StaffMsg::LockNow)}</button>
            </ActionForm>
        </div>
        {section}
    }
}

crate::lazy::lazy_pages! {
    /// `/kiosk` and every section under it, one lazy route: the customer web never
    /// downloads its code.
    KioskRoute => KioskHome;
}
