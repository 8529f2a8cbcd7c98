//! The store kiosk at `/kiosk`: a full-screen, touch-first layout for the reception iPad,
//! used by store staff once signed in. Its page is a lazy route (`KioskRoute`).

use domain::Principal;
use leptos::prelude::*;

use super::{NavItem, SurfaceFrame};
use crate::account::StaffGate;
use crate::booking::{ModelQuotes, ModelQuotesState};
use crate::i18n::Msg;
use crate::pricing::ServicePriceList;

/// Store staff work at the kiosk; HQ staff may look over their shoulder.
fn may_use_kiosk(principal: &Principal) -> bool {
    matches!(principal, Principal::Staff { .. })
}

#[component]
fn KioskHome() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    crate::pricing::provide_price_list();
    let quotes = ModelQuotesState::new();
    view! {
        // Installed to the iPad's home screen, the kiosk opens full screen in landscape.
        <leptos_meta::Link rel="manifest" href="/kiosk.webmanifest" />
        <SurfaceFrame
            kind="kiosk"
            title=Msg::SurfaceKiosk
            home="/kiosk"
            sign_in="/kiosk"
            nav=vec![NavItem { href: "/kiosk", label: Msg::NavPriceList }]
        >
            <StaffGate allowed=may_use_kiosk next="/kiosk">
                <ModelQuotes state=quotes />
                <ServicePriceList intro=Msg::KioskPricesIntro />
            </StaffGate>
        </SurfaceFrame>
    }
}

crate::lazy::lazy_pages! {
    /// `/kiosk`, a lazy route: the customer web never downloads its code.
    KioskRoute => KioskHome;
}
