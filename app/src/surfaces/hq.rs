//! The HQ console at `/hq`: a desktop layout for operations staff, behind staff sign-in.
//!
//! The whole console is one lazy route (`HqRoute`, at `/hq` and `/hq/*section`) that
//! picks its page from the address: every lazy route adds its loader and an async
//! hydration path to the main bundle every customer downloads, so HQ's pages share one.

use domain::Principal;
use leptos::prelude::*;

use super::{NavItem, SurfaceFrame};
use crate::account::StaffGate;
use crate::booking::{ModelQuotes, ModelQuotesState};
use crate::devices::{HqDevices, HqDevicesState};
use crate::i18n::Msg;
use crate::policies::{HqPolicies, PoliciesState};
use crate::pricing::HqPriceList;
use crate::staff::{HqStaff, HqStaffState};

#[component]
fn HqHome() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    crate::pricing::provide_price_list();
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
        NavItem {
            href: "/hq/devices",
            label: Msg::NavDevices,
        },
        NavItem {
            href: "/hq/staff",
            label: Msg::NavStaff,
        },
        NavItem {
            href: "/hq/routing",
            label: Msg::NavRouting,
        },
        NavItem {
            href: "/hq/tags",
            label: Msg::NavTags,
        },
        NavItem {
            href: "/hq/aftersales",
            label: Msg::NavAfterSales,
        },
        NavItem {
            href: "/hq/customers",
            label: Msg::NavCustomers,
        },
        NavItem {
            href: "/hq/campaigns",
            label: Msg::NavCampaigns,
        },
        NavItem {
            href: "/hq/stock",
            label: Msg::NavStock,
        },
        NavItem {
            href: "/hq/replenishment",
            label: Msg::NavReplenishment,
        },
        NavItem {
            href: "/hq/kpis",
            label: Msg::NavKpis,
        },
        NavItem {
            href: "/hq/data",
            label: Msg::NavData,
        },
    ]
}

#[component]
fn HqPoliciesPage() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    crate::pricing::provide_price_list();
    let quotes = ModelQuotesState::new();
    let policies = PoliciesState::new();
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/policies" nav=nav()>
            <StaffGate allowed=Principal::may_publish_prices next="/hq/policies">
                <HqPolicies state=policies />
                <ModelQuotes state=quotes />
            </StaffGate>
        </SurfaceFrame>
    }
}

#[component]
fn HqDevicesPage() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    let state = HqDevicesState::new();
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/devices" nav=nav()>
            <StaffGate allowed=Principal::may_manage_devices next="/hq/devices">
                <HqDevices state=state />
            </StaffGate>
        </SurfaceFrame>
    }
}

#[component]
fn HqStaffPage() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    let state = HqStaffState::new();
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/staff" nav=nav()>
            <StaffGate allowed=Principal::may_manage_staff next="/hq/staff">
                <HqStaff state=state />
            </StaffGate>
        </SurfaceFrame>
    }
}

#[component]
fn HqTagsPage() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    let save = ServerAction::<crate::reception::SaveTag>::new();
    let me = crate::account::use_me_context();
    let tags = Resource::new(
        move || (me.session(), save.version().get()),
        |_| crate::reception::tag_vocabulary(),
    );
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/tags" nav=nav()>
            <StaffGate allowed=Principal::may_keep_tags next="/hq/tags">
                <crate::reception::HqTags tags=tags save=save />
            </StaffGate>
        </SurfaceFrame>
    }
}

#[component]
fn HqRoutingPage() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    let state = crate::routing::hq::HqRoutingState::new();
    let help = crate::help::HqHelpState::new();
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/routing" nav=nav()>
            <StaffGate allowed=Principal::works_at_hq next="/hq/routing">
                <crate::routing::hq::HqRouting state=state />
                <crate::help::HqHelp state=help />
            </StaffGate>
        </SurfaceFrame>
    }
}

#[component]
fn HqAfterSalesPage() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    let cases = crate::cases::HqCasesState::new();
    let report = crate::followup::report::HqReportState::new();
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/aftersales" nav=nav()>
            <StaffGate allowed=Principal::works_at_hq next="/hq/aftersales">
                <crate::followup::report::HqReport state=report />
                <crate::cases::HqCases state=cases />
            </StaffGate>
        </SurfaceFrame>
    }
}

#[component]
fn HqCustomersPage() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    let state = crate::lifecycle::HqCustomersState::new();
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/customers" nav=nav()>
            <StaffGate allowed=Principal::works_at_hq next="/hq/customers">
                <crate::lifecycle::HqCustomers state=state />
            </StaffGate>
        </SurfaceFrame>
    }
}

#[component]
fn HqCampaignsPage() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    let state = crate::campaigns::CampaignsState::new();
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/campaigns" nav=nav()>
            <StaffGate allowed=domain::campaigns::Scope::allows next="/hq/campaigns">
                <crate::campaigns::HqCampaigns state=state />
            </StaffGate>
        </SurfaceFrame>
    }
}

#[component]
fn HqStockPage() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    let state = crate::supply::network::HqNetworkState::new();
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/stock" nav=nav()>
            <StaffGate allowed=Principal::works_at_hq next="/hq/stock">
                <crate::supply::network::HqNetwork state=state />
            </StaffGate>
        </SurfaceFrame>
    }
}

#[component]
fn HqReplenishmentPage() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    let proposal = crate::supply::proposal::HqProposalState::new();
    let transfers = crate::supply::transfers::TransfersState::new("/hq/replenishment");
    let orders = crate::supply::transfers::OrdersState::new(proposal.sent());
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/replenishment" nav=nav()>
            <StaffGate allowed=Principal::works_at_hq next="/hq/replenishment">
                <crate::supply::proposal::HqProposal state=proposal />
                <crate::supply::transfers::Transfers state=transfers />
                <crate::supply::transfers::PurchaseOrderList state=orders />
            </StaffGate>
        </SurfaceFrame>
    }
}

#[component]
fn HqKpisPage() -> impl IntoView {
    // The gate's view is built in a reactive closure; resources are made out here.
    let state = crate::kpi::HqKpisState::new();
    let map = crate::customer_map::CustomerMapState::new();
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/kpis" nav=nav()>
            <StaffGate allowed=Principal::works_at_hq next="/hq/kpis">
                <crate::kpi::HqKpis state=state />
                <crate::customer_map::CustomerMap state=map />
            </StaffGate>
        </SurfaceFrame>
    }
}

#[component]
fn HqDataPage() -> impl IntoView {
    view! {
        <SurfaceFrame kind="hq" title=Msg::SurfaceHq home="/hq" sign_in="/hq/data" nav=nav()>
            <StaffGate allowed=Principal::may_administer_data next="/hq/data">
                <crate::dataimport::page::HqData />
            </StaffGate>
        </SurfaceFrame>
    }
}

/// The console's page for the address: `/hq`, `/hq/policies`, `/hq/devices`,
/// `/hq/staff`, `/hq/routing`, `/hq/tags`, `/hq/aftersales`, `/hq/customers`,
/// `/hq/campaigns`, `/hq/stock`, `/hq/replenishment`, `/hq/kpis`, `/hq/data`; anything
/// else under `/hq` is not found.
#[component]
fn HqConsole() -> impl IntoView {
    let pathname = leptos_router::hooks::use_location().pathname;
    move || match pathname.get().trim_end_matches('/') {
        "/hq" => view! { <HqHome /> }.into_any(),
        "/hq/policies" => view! { <HqPoliciesPage /> }.into_any(),
        "/hq/devices" => view! { <HqDevicesPage /> }.into_any(),
        "/hq/staff" => view! { <HqStaffPage /> }.into_any(),
        "/hq/routing" => view! { <HqRoutingPage /> }.into_any(),
        "/hq/tags" => view! { <HqTagsPage /> }.into_any(),
        "/hq/aftersales" => view! { <HqAfterSalesPage /> }.into_any(),
        "/hq/customers" => view! { <HqCustomersPage /> }.into_any(),
        "/hq/campaigns" => view! { <HqCampaignsPage /> }.into_any(),
        "/hq/stock" => view! { <HqStockPage /> }.into_any(),
        "/hq/replenishment" => view! { <HqReplenishmentPage /> }.into_any(),
        "/hq/kpis" => view! { <HqKpisPage /> }.into_any(),
        "/hq/data" => view! { <HqDataPage /> }.into_any(),
        _ => view! { <crate::NotFound /> }.into_any(),
    }
}

crate::lazy::lazy_pages! {
    /// `/hq` and every page under it, one lazy route: the customer web never downloads
    /// its code.
    HqRoute => HqConsole;
}
