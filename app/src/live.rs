//! Live updates: events the server pushes to every open page over SSE.
//!
//! The server's hub (tokio broadcast, and PostgreSQL `LISTEN/NOTIFY` across instances)
//! streams [`LiveEvent`]s as JSON at [`EVENTS_PATH`]. In the browser one `EventSource`
//! (gloo-net's) turns them into signal updates that resources depend on, so the data on screen is
//! refetched without a reload.
//!
//! Each event has an [`Audience`]: public ones reach every page; a store's reach only its
//! own devices and staff, and HQ ([`Viewer`]).

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
    /// A store's kiosk changed: its staff (someone added, moved in or out, deactivated,
    /// given a new PIN) or its settings (the idle minutes). Its devices fetch them again.
    /// For that store only.
    KioskChanged { store: domain::StoreId },
    /// HQ revoked a store's device: that device shows the pairing screen at once. For
    /// that store only.
    DeviceRevoked {
        device: domain::DeviceId,
        store: domain::StoreId,
    },
    /// A store's work orders moved (checked in, into a bay, handed over...): its boards
    /// fetch again. For that store only.
    BoardChanged { store: domain::StoreId },
    /// One order changed in a way its customer sees (extra work offered or decided):
    /// for the store's devices and HQ, and for that customer's own pages.
    OrderChanged {
        store: domain::StoreId,
        customer: domain::CustomerId,
        order: domain::OrderId,
    },
    /// An online order for "any store" arrived at a store, was answered there or moved
    /// on: for that store (its inbox), HQ, and the customer whose order it is. `store` is
    /// `None` when no store is left: the order is unserved, which HQ must hear of.
    RoutingChanged {
        store: Option<domain::StoreId>,
        customer: domain::CustomerId,
        order: domain::RoutedOrderId,
    },
    /// A help request of a store nearby was raised or answered, or its transfer moved:
    /// for that store's kiosks (one event per store concerned) and HQ.
    HelpChanged { store: domain::StoreId },
    /// A store's follow-ups changed (scheduled at a handover, answered, missed): for
    /// that store's kiosks and HQ.
    FollowUpsChanged { store: domain::StoreId },
    /// An after-sales case moved: for its store's kiosks, HQ and its customer.
    CaseChanged {
        store: domain::StoreId,
        customer: domain::CustomerId,
    },
    /// A transfer to or from a store was approved, sent or received, or its stock
    /// changed: for that store's kiosks and HQ (one event per location concerned).
    TransfersChanged { store: domain::StoreId },
    /// The stream skipped events: refetch everything shown.
    Resync,
}

/// Who may receive an event: the server filters each stream by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Every page: public prices, policies and stock.
    Everyone,
    /// The store's own devices and staff, and HQ.
    Store(domain::StoreId),
    /// As [`Audience::Store`], and the customer whose order it is.
    StoreAndCustomer(domain::StoreId, domain::CustomerId),
    /// HQ, and the customer whose order it is.
    HqAndCustomer(domain::CustomerId),
}

impl LiveEvent {
    /// The event's kind: its JSON `type` tag, and the outbox's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            LiveEvent::PriceListPublished { .. } => "price_list_published",
            LiveEvent::PolicyPublished { .. } => "policy_published",
            LiveEvent::AvailabilityChanged { .. } => "availability_changed",
            LiveEvent::KioskChanged { .. } => "kiosk_changed",
            LiveEvent::DeviceRevoked { .. } => "device_revoked",
            LiveEvent::BoardChanged { .. } => "board_changed",
            LiveEvent::OrderChanged { .. } => "order_changed",
            LiveEvent::RoutingChanged { .. } => "routing_changed",
            LiveEvent::HelpChanged { .. } => "help_changed",
            LiveEvent::FollowUpsChanged { .. } => "follow_ups_changed",
            LiveEvent::CaseChanged { .. } => "case_changed",
            LiveEvent::TransfersChanged { .. } => "transfers_changed",
            LiveEvent::Resync => "resync",
        }
    }

    /// Who may receive this event.
    pub fn audience(&self) -> Audience {
        match self {
            LiveEvent::PriceListPublished { .. }
            | LiveEvent::PolicyPublished { .. }
            | LiveEvent::AvailabilityChanged { .. }
            | LiveEvent::Resync => Audience::Everyone,
            LiveEvent::KioskChanged { store }
            | LiveEvent::DeviceRevoked { store, .. }
            | LiveEvent::BoardChanged { store }
            | LiveEvent::HelpChanged { store }
            | LiveEvent::FollowUpsChanged { store }
            | LiveEvent::TransfersChanged { store } => Audience::Store(*store),
            LiveEvent::OrderChanged {
                store, customer, ..
            }
            | LiveEvent::CaseChanged { store, customer } => {
                Audience::StoreAndCustomer(*store, *customer)
            }
            LiveEvent::RoutingChanged {
                store, customer, ..
            } => match store {
                Some(store) => Audience::StoreAndCustomer(*store, *customer),
                None => Audience::HqAndCustomer(*customer),
            },
        }
    }
}

/// Whom a live-update stream is for, as the server found them when it opened: signed-in
/// staff (HQ sees every store, store staff their own) and the store of a paired device.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Viewer {
    /// HQ staff: every store's events.
    pub hq: bool,
    /// The stores whose events this stream may carry.
    pub stores: Vec<domain::StoreId>,
    /// A signed-in customer: their own orders' events.
    pub customer: Option<domain::CustomerId>,
}

impl Viewer {
    /// Whether this stream may carry an event for `audience`.
    pub fn may_see(&self, audience: Audience) -> bool {
        match audience {
            Audience::Everyone => true,
            Audience::Store(store) => self.hq || self.stores.contains(&store),
            Audience::StoreAndCustomer(store, customer) => {
                self.hq || self.stores.contains(&store) || self.customer == Some(customer)
            }
            Audience::HqAndCustomer(customer) => self.hq || self.customer == Some(customer),
        }
    }
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
    /// Bumped whenever this store's kiosk (staff, settings, devices) changes (a kiosk's
    /// stream only carries its own store's).
    pub kiosk: RwSignal<u64>,
    /// Bumped whenever this store's work orders move.
    pub board: RwSignal<u64>,
    /// Bumped whenever one of the viewer's orders changes (the customer's page of it, or
    /// the store's board).
    pub orders: RwSignal<u64>,
    /// Bumped whenever an online order routed to this store, or one of the viewer's own,
    /// arrives, is answered or moves on.
    pub routing: RwSignal<u64>,
    /// Bumped whenever a help request this store sees (its own, or a nearby store's) is
    /// raised or answered, or its transfer moves.
    pub help: RwSignal<u64>,
    /// Bumped whenever this store's follow-ups change.
    pub followups: RwSignal<u64>,
    /// Bumped whenever a transfer to or from this store (HQ: any) moves.
    pub transfers: RwSignal<u64>,
    /// True while the event stream is open.
    pub connected: RwSignal<bool>,
}

impl LiveUpdates {
    /// Bumps the signals behind what an event of `kind` ([`LiveEvent::kind`]) changed.
    /// The page reads only the kind: what changed is fetched again, so the browser need
    /// not carry a decoder for every event's fields.
    pub fn apply(&self, kind: &str) {
        match kind {
            "price_list_published" => self.prices.update(|n| *n += 1),
            "policy_published" => self.policies.update(|n| *n += 1),
            "availability_changed" => self.availability.update(|n| *n += 1),
            "kiosk_changed" | "device_revoked" => self.kiosk.update(|n| *n += 1),
            "board_changed" => self.board.update(|n| *n += 1),
            "routing_changed" => self.routing.update(|n| *n += 1),
            "help_changed" => self.help.update(|n| *n += 1),
            "follow_ups_changed" => self.followups.update(|n| *n += 1),
            "transfers_changed" => self.transfers.update(|n| *n += 1),
            "case_changed" => {
                self.followups.update(|n| *n += 1);
                self.orders.update(|n| *n += 1);
            }
            "order_changed" => {
                self.orders.update(|n| *n += 1);
                self.board.update(|n| *n += 1);
            }
            // A resync, or a kind this page does not know yet (a newer server): refetch
            // everything shown.
            _ => {
                self.prices.update(|n| *n += 1);
                self.policies.update(|n| *n += 1);
                self.availability.update(|n| *n += 1);
                self.kiosk.update(|n| *n += 1);
                self.board.update(|n| *n += 1);
                self.orders.update(|n| *n += 1);
                self.routing.update(|n| *n += 1);
                self.help.update(|n| *n += 1);
                self.followups.update(|n| *n += 1);
                self.transfers.update(|n| *n += 1);
            }
        }
    }
}

pub fn provide_live_updates() {
    let live = LiveUpdates {
        prices: RwSignal::new(0),
        policies: RwSignal::new(0),
        availability: RwSignal::new(0),
        kiosk: RwSignal::new(0),
        board: RwSignal::new(0),
        orders: RwSignal::new(0),
        routing: RwSignal::new(0),
        help: RwSignal::new(0),
        followups: RwSignal::new(0),
        transfers: RwSignal::new(0),
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

/// Opens the one `EventSource` of the page (gloo-net's); the browser reconnects it by
/// itself after a drop.
#[cfg(feature = "hydrate")]
fn connect(live: LiveUpdates) {
    use futures::StreamExt;
    use gloo_net::eventsource::futures::EventSource;
    use std::cell::Cell;
    use std::rc::Rc;
    use wasm_bindgen_futures::spawn_local;

    let Ok(mut source) = EventSource::new(EVENTS_PATH) else {
        return;
    };
    // "open" and "error" as well as the messages: the indicator follows the connection,
    // and gloo-net's own error stream stays silent while the browser reconnects.
    let (Ok(mut messages), Ok(mut opens), Ok(mut errors)) = (
        source.subscribe("message"),
        source.subscribe("open"),
        source.subscribe("error"),
    ) else {
        return;
    };
    // One task per kind of event rather than a merged stream: `select_all` would bring
    // its task queue into every page's download for three streams.
    spawn_local(async move {
        // The source lives as long as the page: dropping it would close the stream.
        let _source = source;
        while let Some(next) = messages.next().await {
            /// All a page reads of an event.
            #[derive(serde::Deserialize)]
            struct Kind {
                #[serde(rename = "type")]
                kind: String,
            }
            let event = next.ok().and_then(|(_, message)| {
                let text = message.data().as_string()?;
                serde_json::from_str::<Kind>(&text).ok()
            });
            if let Some(event) = event {
                live.apply(&event.kind);
            }
        }
    });
    // Whatever was published while the stream was down was missed, so every reopen
    // after the first refetches everything shown.
    let opened_before = Rc::new(Cell::new(false));
    spawn_local(async move {
        while let Some(next) = opens.next().await {
            if next.is_err() {
                continue;
            }
            if opened_before.replace(true) {
                live.apply(LiveEvent::Resync.kind());
            }
            live.connected.set(true);
        }
    });
    spawn_local(async move {
        while errors.next().await.is_some() {
            live.connected.set(false);
        }
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind a page reads is the `type` tag the server writes, for every event.
    #[test]
    fn every_events_kind_is_its_json_type() {
        let store = domain::StoreId::from(uuid::Uuid::from_u128(1));
        let customer = domain::CustomerId::from(uuid::Uuid::from_u128(2));
        let events = [
            LiveEvent::PriceListPublished {
                version: 3,
                item: PricedItem::Service(domain::ServiceId::from(uuid::Uuid::from_u128(3))),
                price: Money::from_fen(100),
            },
            LiveEvent::PolicyPublished {
                policy: domain::PolicyId::from(uuid::Uuid::from_u128(4)),
            },
            LiveEvent::AvailabilityChanged {
                stores: vec![store],
            },
            LiveEvent::KioskChanged { store },
            LiveEvent::DeviceRevoked {
                device: domain::DeviceId::from(uuid::Uuid::from_u128(5)),
                store,
            },
            LiveEvent::BoardChanged { store },
            LiveEvent::HelpChanged { store },
            LiveEvent::FollowUpsChanged { store },
            LiveEvent::CaseChanged { store, customer },
            LiveEvent::OrderChanged {
                store,
                customer,
                order: domain::OrderId::from(uuid::Uuid::from_u128(6)),
            },
            LiveEvent::Resync,
        ];
        for event in events {
            let json = serde_json::to_value(&event).expect("json");
            assert_eq!(json["type"], event.kind(), "{event:?}");
        }
        // A customer hears their own order's events; a store its own; HQ every store's.
        let order = LiveEvent::OrderChanged {
            store,
            customer,
            order: domain::OrderId::from(uuid::Uuid::from_u128(6)),
        };
        let them = Viewer {
            customer: Some(customer),
            ..Viewer::default()
        };
        let someone_else = Viewer {
            customer: Some(domain::CustomerId::from(uuid::Uuid::from_u128(7))),
            ..Viewer::default()
        };
        assert!(them.may_see(order.audience()));
        assert!(!someone_else.may_see(order.audience()));
        assert!(!them.may_see(LiveEvent::BoardChanged { store }.audience()));
    }
}
