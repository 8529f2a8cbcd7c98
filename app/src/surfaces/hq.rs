//! The HQ console at `/hq`: a desktop layout for operations staff.

use leptos::prelude::*;

use super::{NavItem, SurfaceFrame};
use crate::i18n::Msg;
use crate::pricing::HqPriceList;

#[component]
pub fn HqHome() -> impl IntoView {
    view! {
        <SurfaceFrame
            kind="hq"
            title=Msg::SurfaceHq
            home="/hq"
            nav=vec![NavItem { href: "/hq", label: Msg::NavPriceList }]
        >
            <HqPriceList />
        </SurfaceFrame>
    }
}
