//! The HQ console at `/hq`: a desktop layout for operations staff, behind staff sign-in.

use domain::Principal;
use leptos::prelude::*;

use super::{NavItem, SurfaceFrame};
use crate::account::StaffGate;
use crate::i18n::Msg;
use crate::pricing::HqPriceList;

#[component]
pub fn HqHome() -> impl IntoView {
    view! {
        <SurfaceFrame
            kind="hq"
            title=Msg::SurfaceHq
            home="/hq"
            sign_in="/hq"
            nav=vec![NavItem { href: "/hq", label: Msg::NavPriceList }]
        >
            <StaffGate allowed=Principal::may_publish_prices next="/hq">
                <HqPriceList />
            </StaffGate>
        </SurfaceFrame>
    }
}
