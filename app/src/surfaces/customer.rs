//! The customer web: services and prices at `/`, sign-in and sign-up, the garage and
//! booking. Each page is a lazy route (`…Route`), so a phone downloads a page's code only
//! when it first shows that page.

use leptos::prelude::*;

use super::{NavItem, SurfaceFrame};
use crate::account::{Realm, SignInForm, SignUpForm};
use crate::booking::{BookPage, BookingPage};
use crate::garage::{GaragePage, VehiclePage};
use crate::i18n::{use_i18n, Msg};
use crate::pricing::ServicePriceList;

fn nav() -> Vec<NavItem> {
    vec![
        NavItem {
            href: "/",
            label: Msg::NavServices,
        },
        NavItem {
            href: "/book",
            label: Msg::NavBook,
        },
        NavItem {
            href: "/garage",
            label: Msg::NavGarage,
        },
    ]
}

/// The customer surface's frame around `children`.
#[component]
fn CustomerFrame(children: Children) -> impl IntoView {
    view! {
        <SurfaceFrame kind="customer" title=Msg::SurfaceCustomer home="/" sign_in="/signin" nav=nav()>
            {children()}
        </SurfaceFrame>
    }
}

#[component]
fn CustomerHome() -> impl IntoView {
    let i18n = use_i18n();
    crate::pricing::provide_price_list();
    view! {
        <CustomerFrame>
            <p class="tagline">{move || i18n.t(Msg::Tagline)}</p>
            <ServicePriceList intro=Msg::ServicePricesIntro />
        </CustomerFrame>
    }
}

#[component]
fn SignInPage() -> impl IntoView {
    view! {
        <CustomerFrame>
            <SignInForm realm=Realm::Customer next="/garage" />
        </CustomerFrame>
    }
}

#[component]
fn SignUpPage() -> impl IntoView {
    view! {
        <CustomerFrame>
            <SignUpForm />
        </CustomerFrame>
    }
}

#[component]
fn GarageView() -> impl IntoView {
    view! {
        <CustomerFrame>
            <GaragePage />
        </CustomerFrame>
    }
}

#[component]
fn VehicleView() -> impl IntoView {
    view! {
        <CustomerFrame>
            <VehiclePage />
        </CustomerFrame>
    }
}

#[component]
fn BookView() -> impl IntoView {
    view! {
        <CustomerFrame>
            <BookPage />
        </CustomerFrame>
    }
}

/// `/bookings/:id`, and the pages that follow a booking without a store: "any store"
/// (`/book/any`), parts for any store (`/book/parts`) and such an order's page
/// (`/requests/:id`). One lazy route, one chunk: a
/// route of their own would split the pages' shared code into more chunks, and every
/// customer page would load more (measured: `/book` grew by 18 KB brotli).
#[component]
fn BookingView() -> impl IntoView {
    let pathname = leptos_router::hooks::use_location().pathname;
    let page = move || {
        let path = pathname.get();
        if path.starts_with("/book/any") {
            view! { <crate::routing::customer::AnyStorePage /> }.into_any()
        } else if path.starts_with("/book/parts") {
            view! { <crate::routing::parts::PartsOrderPage /> }.into_any()
        } else if path.starts_with("/requests/") {
            view! { <crate::routing::customer::RoutedOrderPage /> }.into_any()
        } else {
            view! { <BookingPage /> }.into_any()
        }
    };
    view! { <CustomerFrame>{page}</CustomerFrame> }
}

crate::lazy::lazy_pages! {
    /// `/`: services and prices.
    HomeRoute => CustomerHome;
    /// `/signin`.
    SignInRoute => SignInPage;
    /// `/signup`.
    SignUpRoute => SignUpPage;
    /// `/garage`: my vehicles.
    GarageRoute => GarageView;
    /// `/garage/:id`: one vehicle and its history.
    VehicleRoute => VehicleView;
    /// `/book`: choose services, a store and a slot.
    BookRoute => BookView;
    /// `/bookings/:id`: one booking; `/book/any`: a service for "any store", on a day
    /// and part of it; `/book/parts`: parts for any store; `/requests/:id`: one such
    /// order, and where it has been.
    BookingRoute => BookingView;
}
