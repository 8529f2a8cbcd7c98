//! Pitlane's user interface: Leptos components and `#[server]` functions.
//!
//! One crate serves three surfaces over one domain:
//! - [`surfaces`]: the customer web (`/`), the store kiosk (`/kiosk`) and the HQ console
//!   (`/hq`), each with its own layout and navigation;
//! - [`account`]: sign-up, sign-in, sessions and roles;
//! - [`devices`]: kiosk iPads paired with a store, staff PINs and the idle lock;
//! - [`garage`]: a customer's vehicles and their service history;
//! - [`booking`]: quotes per vehicle, the store picker, slots, booking and cancelling;
//! - [`policies`]: the discount policies HQ publishes;
//! - [`staff`]: the stores' staff, as HQ adds, moves and deactivates them;
//! - [`reception`]: the counter: finding a customer as one types, walk-ins, the customer 360;
//! - [`settings`]: a store's opening hours and bays, and the bookings a change no
//!   longer fits;
//! - [`routing`]: online orders for "any store": placed by the customer, answered in
//!   the store's inbox with a countdown, handed on, watched by HQ;
//! - [`workorders`]: today's board: work orders from check-in to handover, live;
//! - [`bill`]: what a work order comes to, and manual adjustments a manager approves;
//! - [`parts`]: the parts a work order holds, picked at the bay, and one more held or
//!   requested;
//! - [`findings`]: what else a technician found, approved or declined by the customer;
//! - [`cases`]: after-sales cases a complaint opens, resolved by the store and
//!   confirmed by the customer, escalated when overdue;
//! - [`followup`]: after-sales follow-up: the store's morning queue of satisfaction calls
//!   and reminders, and each call's outcome; HQ's view of every store's (`followup::report`);
//! - [`campaigns`]: segments of customers with their live count, and campaigns sent to
//!   them, never to a customer who opted out;
//! - [`supply`]: the supply chain: network stock with alerts, safety stock, the
//!   replenishment proposal that explains its lines, transfers and purchase orders;
//! - [`kpi`]: store KPIs for HQ per day and week, charts drawn on the server;
//! - [`customer_map`]: where customers live by district against the stores' reach
//!   (HQ's map) and the garage's "where I live";
//! - [`dataimport`]: HQ's CSV import and export of the catalog, fitment, prices and
//!   stock counts, checked row by row before anything is applied;
//! - `charts` (server only): charts drawn as SVG text on the server;
//! - [`pricing`]: the service price list (read on every surface, published from HQ);
//! - [`i18n`]: the translation layer (Simplified Chinese and English);
//! - [`lazy`]: every page as a lazy route, its code a wasm chunk of its own;
//! - [`clock`]: the one way to read the time, on the server and in the browser;
//! - [`codec`]: how server functions send their results (JSON, read as text);
//! - [`error`]: the error type every server function returns;
//! - [`lifecycle`]: knowing the customer: stages and value classes, HQ's thresholds, who
//!   moved between classes;
//! - [`live`]: live updates pushed from the server over SSE;
//! - `storage` (server only): the error and context plumbing of the storage traits that
//!   each feature declares (`PriceStorage`, `BookingStorage`, ...) and the server crate
//!   implements for SQLite and PostgreSQL.
//!
//! Built with `ssr` it is a library of the server binary; built with `hydrate` it is the
//! browser bundle, whose entry point is [`hydrate`].

#![recursion_limit = "256"]

pub mod account;
pub mod bill;
pub mod booking;
pub mod campaigns;
pub mod cases;
#[cfg(feature = "ssr")]
pub mod charts;
pub mod clock;
pub mod codec;
pub mod customer_map;
pub mod dataimport;
pub mod devices;
pub mod error;
pub mod findings;
pub mod followup;
pub mod garage;
pub mod help;
pub mod i18n;
pub mod kpi;
pub mod lazy;
pub mod lifecycle;
pub mod live;
pub mod parts;
pub mod policies;
pub mod pricing;
pub mod reception;
pub mod routing;
pub mod settings;
pub mod staff;
#[cfg(feature = "ssr")]
pub mod storage;
pub mod supply;
pub mod surfaces;
pub mod workorders;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy,
};

use crate::i18n::{provide_i18n, use_i18n, Msg};
use crate::surfaces::{customer, hq, kiosk};

/// The HTML document the server renders around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = i18n::lang_from_request();
    view! {
        <!DOCTYPE html>
        <html lang=lang.html_tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                // The content-hashed name in a release build, so it can be cached for a year.
                <HashedStylesheet options=options.clone() id="leptos" />
                // The kiosk runs full screen when added to an iPad's home screen.
                <meta name="apple-mobile-web-app-capable" content="yes" />
                <meta name="mobile-web-app-capable" content="yes" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The root component: meta context, language, live updates and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_i18n();
    account::provide_me();
    live::provide_live_updates();
    let i18n = use_i18n();
    // On the server the title is a plain string: leptos_meta reads it when it writes
    // `<head>`, after the body has rendered and possibly on another worker thread, where
    // reading the language signal panics (the request's reactive arena is not there) and
    // the response is cut off. The browser keeps it reactive for the language switch.
    #[cfg(feature = "ssr")]
    let title = i18n.t(Msg::AppName);
    #[cfg(not(feature = "ssr"))]
    let title = move || i18n.t(Msg::AppName);

    view! {
        <Title text=title />
        <Router>
            <Routes fallback=move || view! { <NotFound /> }>
                // Every page is a lazy route: its code is a separate wasm chunk, loaded when
                // the page is first shown, so a first visit downloads only that page's code.
                <Route path=path!("/") view={Lazy::<customer::HomeRoute>::new()} />
                <Route path=path!("/signin") view={Lazy::<customer::SignInRoute>::new()} />
                <Route path=path!("/signup") view={Lazy::<customer::SignUpRoute>::new()} />
                <Route path=path!("/garage") view={Lazy::<customer::GarageRoute>::new()} />
                <Route path=path!("/garage/:id") view={Lazy::<customer::VehicleRoute>::new()} />
                <Route path=path!("/book") view={Lazy::<customer::BookRoute>::new()} />
                <Route path=path!("/book/any") view={Lazy::<customer::BookingRoute>::new()} />
                <Route path=path!("/book/parts") view={Lazy::<customer::BookingRoute>::new()} />
                <Route path=path!("/bookings/:id") view={Lazy::<customer::BookingRoute>::new()} />
                <Route path=path!("/requests/:id") view={Lazy::<customer::BookingRoute>::new()} />
                // One route for every kiosk section (a wildcard also matches nothing), so
                // moving between them keeps the page, its lock state and its actions.
                <Route path=path!("/kiosk/*section") view={Lazy::<kiosk::KioskRoute>::new()} />
                <Route path=path!("/hq") view={Lazy::<hq::HqRoute>::new()} />
                <Route path=path!("/hq/*section") view={Lazy::<hq::HqRoute>::new()} />
            </Routes>
        </Router>
    }
}

/// The page for an address that has none (404 when rendered on the server).
#[component]
pub(crate) fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <main class="not-found">
            <h1>{move || i18n.t(Msg::NotFound)}</h1>
            <a href="/">{move || i18n.t(Msg::BackHome)}</a>
        </main>
    }
}

/// The browser bundle's entry point.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    lazy::reload_when_a_chunk_is_gone();
    let Some(body) = document().body() else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        // Every page is a lazy route, so hydration waits for the page's chunk.
        leptos::mount::hydrate_from_async(body, App).await.forget();
        // Browser tests wait for this flag before they click: clicks before hydration
        // would be lost.
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
