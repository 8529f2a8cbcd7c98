//! The customer web: services and prices at `/`, sign-in and sign-up, and the garage.

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
pub fn CustomerHome() -> impl IntoView {
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
pub fn SignInPage() -> impl IntoView {
    view! {
        <CustomerFrame>
            <SignInForm realm=Realm::Customer next="/garage" />
        </CustomerFrame>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    view! {
        <CustomerFrame>
            <SignUpForm />
        </CustomerFrame>
    }
}

#[component]
pub fn GarageRoute() -> impl IntoView {
    view! {
        <CustomerFrame>
            <GaragePage />
        </CustomerFrame>
    }
}

#[component]
pub fn VehicleRoute() -> impl IntoView {
    view! {
        <CustomerFrame>
            <VehiclePage />
        </CustomerFrame>
    }
}

#[component]
pub fn BookRoute() -> impl IntoView {
    view! {
        <CustomerFrame>
            <BookPage />
        </CustomerFrame>
    }
}

#[component]
pub fn BookingRoute() -> impl IntoView {
    view! {
        <CustomerFrame>
            <BookingPage />
        </CustomerFrame>
    }
}
