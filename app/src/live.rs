//! Live updates: events the server pushes to every open page over SSE.
//!
//! The server's hub (tokio broadcast, and PostgreSQL `LISTEN/NOTIFY` across instances)
//! streams [`LiveEvent`]s as JSON at [`EVENTS_PATH`]. In the browser one `EventSource`
//! turns them into signal updates that resources depend on, so the data on screen is
//! refetched without a reload.

use domain::{Money, PricedItem};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::i18n::{use_i18n, Msg};

/// Where the server streams events.
pub const EVENTS_PATH: &str = "/api/events";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    PriceListPublished {
        version: u32,
        item: PricedItem,
        price: Money,
    },
    /// HQ published a discount policy: every quote may have changed.
    PolicyPublished { policy: domain::PolicyId },
    /// Stock or capacity changed at these stores (a booking or a cancellation).
    AvailabilityChanged { stores: Vec<domain::StoreId> },
    /// The stream skipped events: refetch everything shown.
    Resync,
}

/// Signals that change when the server says the data behind them changed.
#[derive(Clone, Copy)]
pub struct LiveUpdates {
    /// Bumped whenever a price list is published.
    pub prices: RwSignal<u64>,
    /// Bumped whenever a discount policy is published.
    pub policies: RwSignal<u64>,
    /// Bumped whenever stock or capacity changes anywhere.
    pub availability: RwSignal<u64>,
    /// True while the event stream is open.
    pub connected: RwSignal<bool>,
}

impl LiveUpdates {
    pub fn apply(&self, event: &LiveEvent) {
        match event {
            LiveEvent::PriceListPublished { .. } => self.prices.update(|n| *n += 1),
            LiveEvent::PolicyPublished { .. } => self.policies.update(|n| *n += 1),
            LiveEvent::AvailabilityChanged { .. } => self.availability.update(|n| *n += 1),
            LiveEvent::Resync => {
                self.prices.update(|n| *n += 1);
                self.policies.update(|n| *n += 1);
                self.availability.update(|n| *n += 1);
            }
        }
    }
}

pub fn provide_live_updates() {
    let live = LiveUpdates {
        prices: RwSignal::new(0),
        policies: RwSignal::new(0),
        availability: RwSignal::new(0),
        connected: RwSignal::new(false),
    };
    provide_context(live);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| connect(live));
}

/// The live-update context that [`App`](crate::App) provides.
pub fn use_live() -> LiveUpdates {
    expect_context::<LiveUpdates>()
}

/// Opens the one `EventSource` of the page; the browser reconnects it by itself.
#[cfg(feature = "hydrate")]
fn connect(live: LiveUpdates) {
    use wasm_bindgen::{closure::Closure, JsCast};
    let Ok(source) = web_sys::EventSource::new(EVENTS_PATH) else {
        return;
    };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |msg: web_sys::MessageEvent| {
            if let Some(text) = msg.data().as_string() {
                if let Ok(event) = serde_json::from_str::<LiveEvent>(&text) {
                    live.apply(&event);
                }
            }
        });
    // The browser reconnects by itself after a drop; whatever was published meanwhile
    // was missed, so every reopen after the first refetches everything shown.
    let mut opened_before = false;
    let on_open = Closure::<dyn FnMut()>::new(move || {
        if opened_before {
            live.apply(&LiveEvent::Resync);
        }
        opened_before = true;
        live.connected.set(true);
    });
    let on_error = Closure::<dyn FnMut()>::new(move || live.connected.set(false));
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // The source lives as long as the page, so its handlers must too.
    on_message.forget();
    on_open.forget();
    on_error.forget();
}

/// A small dot that says whether live updates are flowing.
#[component]
pub fn LiveIndicator() -> impl IntoView {
    let live = use_live();
    let i18n = use_i18n();
    let label = move || {
        i18n.t(if live.connected.get() {
            Msg::LiveOn
        } else {
            Msg::LiveOff
        })
    };
    view! {
        <span
            class="live-indicator"
            role="status"
            data-live=move || if live.connected.get() { "on" } else { "off" }
        >
            <span class="dot" aria-hidden="true"></span>
            <span class="label">{label}</span>
        </span>
    }
}
