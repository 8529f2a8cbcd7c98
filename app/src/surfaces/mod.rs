//! The three surfaces, each with its own layout and navigation:
//! [`customer`] (car owners, phone or desktop), [`kiosk`] (reception iPad, touch first)
//! and [`hq`] (operations, desktop).

pub mod customer;
pub mod hq;
pub mod kiosk;

use leptos::prelude::*;

use crate::account::UserMenu;
use crate::i18n::{use_i18n, LanguageSwitch, Msg};
use crate::live::LiveIndicator;

/// A link in a surface's navigation.
#[derive(Clone, Copy)]
pub struct NavItem {
    pub href: &'static str,
    pub label: Msg,
}

/// The frame every surface shares; `kind` selects its layout in CSS.
#[component]
pub fn SurfaceFrame(
    kind: &'static str,
    title: Msg,
    home: &'static str,
    /// Where the sign-in link of the user menu goes.
    sign_in: &'static str,
    nav: Vec<NavItem>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    view! {
        <div class=format!("surface surface-{kind}") data-surface=kind>
            <header class="topbar">
                <a class="brand" href=home>
                    <span class="logo" aria-hidden="true">"P"</span>
                    <span class="brand-name">{move || i18n.t(Msg::AppName)}</span>
                    <span class="surface-name">{move || i18n.t(title)}</span>
                </a>
                <nav class="main-nav">
                    {nav
                        .into_iter()
                        .map(|item| {
                            view! {
                                <a
                                    href=item.href
                                    aria-current=move || {
                                        (location.pathname.get() == item.href).then_some("page")
                                    }
                                >
                                    {move || i18n.t(item.label)}
                                </a>
                            }
                        })
                        .collect_view()}
                </nav>
                <div class="topbar-tools">
                    <LiveIndicator />
                    <LanguageSwitch />
                    <UserMenu sign_in_href=sign_in after_sign_out=home />
                </div>
            </header>
            <main class="content">{children()}</main>
        </div>
    }
}
