//! The HQ console at `/hq`: a desktop layout for operations staff, behind staff sign-in.

use domain::Principal;
use leptos::prelude::*;

use super::{NavItem, SurfaceFrame};
use crate::account::StaffGate;
use crate::booking::ModelQuotes;
use crate::i18n::Msg;
use crate::policies::HqPolicies;
use crate::pricing::HqPriceList;

#[component]
pub fn HqHome() -> impl IntoView {
    view! {
        <SurfaceFrame
            kind="hq"
            title=Msg::SurfaceHq
            home="/hq"
            sign_in="/hq"
            nav=nav()
        >
            <StaffGate allowed=Principal::may_publish_prices next="/hq">
                <HqPriceList />
            </StaffGate>
        </SurfaceFrame>
    }
}

fn nav() -> Vec<NavItem> {
    vec![
        NavItem {
            href: "/hq",
            label: Msg::NavPriceList,
        },
        NavItem {
            href: "/hq/policies",
            label: Msg::NavPolicies,
        },
    ]
}

#[component]
pub fn HqPoliciesPage() -> impl IntoView {
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/policies" nav=nav()>
            <StaffGate allowed=Principal::may_publish_prices next="/hq/policies">
                <HqPolicies />
                <ModelQuotes />
            </StaffGate>
        </SurfaceFrame>
    }
}
