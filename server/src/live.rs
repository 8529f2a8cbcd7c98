//! The live-update hub and its SSE endpoint.
//!
//! Within one process a tokio broadcast channel fans events out to every open SSE
//! stream. With PostgreSQL the store does not publish to the hub directly: it sends
//! `pg_notify` inside the writing transaction (delivered only on commit), and every
//! instance, this one included, forwards what it hears on [`PG_CHANNEL`] into its own
//! hub. So a change made through any instance reaches pages connected to all of them.

use std::convert::Infallible;
use std::time::Duration;

use app::live::LiveEvent;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use tokio::sync::broadcast;
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};

/// PostgreSQL notification channel that carries [`LiveEvent`]s as JSON.
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

    /// The SSE stream one browser tab reads. A subscriber that fell behind is told to
    /// refetch everything rather than silently miss changes.
    pub fn sse_stream(&self) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
        BroadcastStream::new(self.subscribe()).filter_map(|item| async move {
            let event = match item {
                Ok(event) => event,
                Err(BroadcastStreamRecvError::Lagged(_)) => LiveEvent::Resync,
            };
            Event::default().json_data(&event).ok().map(Ok)
        })
    }
}

/// `GET /api/events`: the server-sent event stream.
pub async fn sse(State(hub): State<Hub>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    Sse::new(hub.sse_stream()).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
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
