//! The customer web at `/`: services and prices today; garage and booking later.

use leptos::prelude::*;

use super::{NavItem, SurfaceFrame};
use crate::i18n::{use_i18n, Msg};
use crate::pricing::ServicePriceList;

#[component]
pub fn CustomerHome() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <SurfaceFrame
            kind="customer"
            title=Msg::SurfaceCustomer
            home="/"
            nav=vec![NavItem { href: "/", label: Msg::NavServices }]
        >
            <p class="tagline">{move || i18n.t(Msg::Tagline)}</p>
            <ServicePriceList intro=Msg::ServicePricesIntro />
        </SurfaceFrame>
    }
}
