//! The live-update hub and its SSE endpoint.
//!
//! Within one process a tokio broadcast channel fans events out to every open SSE
//! stream. With PostgreSQL storage does not publish to the hub directly: the outbox row
//! a write appends fires a trigger that sends `pg_notify` (delivered only on commit), and
//! every instance, this one included, forwards what it hears on [`PG_CHANNEL`] into its
//! own hub. So a change made through any instance reaches pages connected to all of them.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::account::session::ClientAddr;
use app::i18n::Msg;
use app::live::{LiveEvent, Viewer};
use app::storage::Storages;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::{Stream, StreamExt};
use tokio::sync::broadcast;
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};

/// PostgreSQL notification channel that carries [`LiveEvent`]s as JSON (the outbox
/// trigger of `migrations/postgres/0005_revisions.sql` names it too).
pub const PG_CHANNEL: &str = "pitlane_events";

#[derive(Clone, Debug)]
pub struct Hub {
    tx: broadcast::Sender<LiveEvent>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new()
    }
}

impl Hub {
    pub fn new() -> Hub {
        let (tx, _) = broadcast::channel(1024);
        Hub { tx }
    }

    /// Sends to every subscriber; having none is fine.
    pub fn publish(&self, event: LiveEvent) {
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }

    /// The SSE stream one browser tab reads: the events `viewer` may see. A subscriber
    /// that fell behind is told to refetch everything rather than silently miss changes.
    pub fn sse_stream(
        &self,
        viewer: Viewer,
    ) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
        BroadcastStream::new(self.subscribe()).filter_map(move |item| {
            let event = match item {
                Ok(event) => event,
                Err(BroadcastStreamRecvError::Lagged(_)) => LiveEvent::Resync,
            };
            let visible = viewer.may_see(event.audience());
            async move {
                if !visible {
                    return None;
                }
                Event::default().json_data(&event).ok().map(Ok)
            }
        })
    }
}

/// Caps the open event streams per client address and in all: each holds a connection
/// and a broadcast receiver for as long as the page is open, so an unbounded number
/// would let one client exhaust the server's sockets and memory.
pub struct SseGate {
    per_address: usize,
    total: usize,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One open stream's place under the caps, given back when the stream ends.
pub struct SsePermit {
    gate: Arc<SseGate>,
    addr: IpAddr,
}

/// Why a stream was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SseRefusal {
    /// This address already has its share of streams open.
    PerAddress,
    /// The server has as many streams open as it takes.
    Total,
}

impl SseGate {
    pub fn new(per_address: usize, total: usize) -> SseGate {
        SseGate {
            per_address,
            total,
            open: Mutex::new((0, HashMap::new())),
        }
    }

    pub fn admit(self: &Arc<Self>, addr: IpAddr) -> Result<SsePermit, SseRefusal> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let (total, by_addr) = &mut *open;
        let mine = by_addr.get(&addr).copied().unwrap_or(0);
        if mine >= self.per_address {
            return Err(SseRefusal::PerAddress);
        }
        if *total >= self.total {
            return Err(SseRefusal::Total);
        }
        *total += 1;
        by_addr.insert(addr, mine + 1);
        Ok(SsePermit {
            gate: self.clone(),
            addr,
        })
    }

    /// Streams open now (for tests and logs).
    pub fn open_streams(&self) -> usize {
        self.open.lock().map_or(0, |o| o.0)
    }
}

impl Drop for SsePermit {
    fn drop(&mut self) {
        let mut open = self.gate.open.lock().unwrap_or_else(|e| e.into_inner());
        let (total, by_addr) = &mut *open;
        *total = total.saturating_sub(1);
        if let Some(n) = by_addr.get_mut(&self.addr) {
            *n -= 1;
            if *n == 0 {
                by_addr.remove(&self.addr);
            }
        }
    }
}

/// `GET /api/events`: the server-sent event stream, within the caps of [`SseGate`]. A
/// refusal is a 429 (this address) or 503 (the server) with a translated sentence; the
/// browser's `EventSource` gives up on it, and the page shows live updates as off.
pub async fn sse(
    State(hub): State<Hub>,
    State(gate): State<Arc<SseGate>>,
    State(storages): State<Storages>,
    client: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
) -> Response {
    let addr = client.map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0 .0);
    let permit = match gate.admit(addr) {
        Ok(permit) => permit,
        Err(refusal) => {
            tracing::warn!(%addr, ?refusal, "live-update stream refused");
            let lang = app::i18n::lang_from_headers(&headers);
            let (status, msg) = match refusal {
                SseRefusal::PerAddress => (StatusCode::TOO_MANY_REQUESTS, Msg::ErrTooManyStreams),
                SseRefusal::Total => (StatusCode::SERVICE_UNAVAILABLE, Msg::ErrBusy),
            };
            return (status, [("retry-after", "30")], msg.text(lang).to_owned()).into_response();
        }
    };
    let viewer = viewer(&storages, &headers).await;
    // The permit lives inside the stream and is dropped with it when the client goes.
    let stream = hub.sse_stream(viewer).map(move |event| {
        let _held = &permit;
        event
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// Whom a stream is for, from the request's cookies: its signed-in staff member and its
/// paired device. Anyone else (customers, nobody) gets the public events only. A page
/// that signs in or pairs afterwards opens a new stream to see more (the kiosk reloads
/// once after pairing).
async fn viewer(storages: &Storages, headers: &HeaderMap) -> Viewer {
    use app::account::session::{
        cookie_in, token_hash, DEVICE_COOKIE, DEVICE_COOKIE_HTTPS, SESSION_COOKIE,
        SESSION_COOKIE_HTTPS,
    };
    let cookie = |names: [&str; 2]| {
        names
            .into_iter()
            .find_map(|name| cookie_in(headers, name))
            .map(|token| token_hash(&token))
    };
    let mut viewer = Viewer::default();
    let device_hash = cookie([DEVICE_COOKIE, DEVICE_COOKIE_HTTPS]);
    if let Some(hash) = cookie([SESSION_COOKIE, SESSION_COOKIE_HTTPS]) {
        match storages
            .accounts
            .session(&hash, device_hash.as_deref())
            .await
        {
            Ok(Some(me)) => match me.principal {
                domain::Principal::Staff { role, .. } if role.is_hq() => viewer.hq = true,
                domain::Principal::Staff {
                    location: Some(store),
                    ..
                } => viewer.stores.push(store),
                domain::Principal::Customer { id } => viewer.customer = Some(id),
                _ => {}
            },
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "live stream: session lookup failed"),
        }
    }
    if let Some(hash) = device_hash {
        match storages.devices.device(&hash).await {
            Ok(Some(device)) => viewer.stores.push(device.store.id),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "live stream: device lookup failed"),
        }
    }
    viewer
}

/// Starts forwarding PostgreSQL notifications into the hub for as long as the process
/// runs. Returns once the first LISTEN is in place. When the connection drops, sqlx
/// reconnects but notifications sent in the gap are gone: every reconnect therefore
/// tells pages to resync.
pub async fn spawn_pg_forwarder(
    pool: sqlx::PgPool,
    hub: Hub,
) -> Result<tokio::task::JoinHandle<()>, sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await?;
    listener.listen(PG_CHANNEL).await?;
    Ok(tokio::spawn(async move {
        loop {
            match listener.try_recv().await {
                Ok(Some(note)) => match serde_json::from_str::<LiveEvent>(note.payload()) {
                    Ok(event) => hub.publish(event),
                    Err(e) => tracing::warn!(error = %e, "ignoring malformed notification"),
                },
                // The connection was lost; the next call reconnects and re-listens.
                Ok(None) => {
                    tracing::warn!("LISTEN connection lost; reconnecting");
                    hub.publish(LiveEvent::Resync);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "LISTEN failed; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }))
}
