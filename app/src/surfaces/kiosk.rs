//! The store kiosk at `/kiosk`: a full-screen, touch-first layout for the reception iPad.

use leptos::prelude::*;

use super::{NavItem, SurfaceFrame};
use crate::i18n::Msg;
use crate::pricing::ServicePriceList;

#[component]
pub fn KioskHome() -> impl IntoView {
    view! {
        // Installed to the iPad's home screen, the kiosk opens full screen in landscape.
        <leptos_meta::Link rel="manifest" href="/kiosk.webmanifest" />
        <SurfaceFrame
            kind="kiosk"
            title=Msg::SurfaceKiosk
            home="/kiosk"
            nav=vec![NavItem { href: "/kiosk", label: Msg::NavPriceList }]
        >
            <ServicePriceList intro=Msg::KioskPricesIntro />
        </SurfaceFrame>
    }
}
