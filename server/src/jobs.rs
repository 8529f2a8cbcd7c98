//! Background jobs: work whose state is in rows, not in timers, so a restart loses
//! nothing, and which is claimed so that two server instances never do one job twice.
//!
//! - [`hand_on_due_orders`]: the acceptance-window expiry. Every online order whose
//!   store let its window pass moves on to the next store
//!   ([`app::routing::RoutingStorage::hand_on_due`], which claims with
//!   `FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the single writer does it).
//! - [`mark_missed_follow_ups`]: every open follow-up whose window has passed is marked
//!   missed, never dropped ([`app::followup::FollowUpStorage::mark_missed`], one guarded
//!   update: two instances mark each once).
//! - the nightly recomputation of every customer's stage and class
//!   ([`app::lifecycle::StandingStorage::nightly`], which claims its day in a row: one
//!   instance runs it, once a day).
//! - [`spawn`]: runs the jobs every `every`, the first time at once: an order whose
//!   window ended while the server was down moves on at start.
//!
//! Time comes from the server's [`app::clock::Clock`], which tests set.

use std::sync::Arc;
use std::time::Duration;

use app::clock::SharedClock;
use app::followup::FollowUpStorage;
use app::lifecycle::StandingStorage;
use app::routing::{RoutingStorage, HAND_ON_BATCH};
use app::storage::StorageError;
use domain::BookingLimits;
use time::OffsetDateTime;

/// Hands on every order due at `now`, a batch at a time; returns how many moved.
pub async fn hand_on_due_orders(
    routing: &dyn RoutingStorage,
    limits: &BookingLimits,
    now: OffsetDateTime,
) -> Result<u32, StorageError> {
    let mut moved = 0;
    loop {
        let n = routing.hand_on_due(limits, now, HAND_ON_BATCH).await?;
        moved += n;
        if n < HAND_ON_BATCH {
            return Ok(moved);
        }
    }
}

/// Marks missed the follow-ups whose window passed before `now`'s day; returns how many.
pub async fn mark_missed_follow_ups(
    followups: &dyn FollowUpStorage,
    now: OffsetDateTime,
) -> Result<u32, StorageError> {
    followups.mark_missed(now).await
}

/// Runs the jobs every `every` for as long as the process lives, the first run at once.
pub fn spawn(
    routing: Arc<dyn RoutingStorage>,
    followups: Arc<dyn FollowUpStorage>,
    standing: Arc<dyn StandingStorage>,
    limits: BookingLimits,
    clock: SharedClock,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match hand_on_due_orders(routing.as_ref(), &limits, clock.now()).await {
                Ok(0) => {}
                Ok(moved) => tracing::info!(moved, "online orders handed on"),
                // Busy or down: the rows are still due, and the next run tries again.
                Err(e) => {
                    tracing::warn!(error = %e, source = ?std::error::Error::source(&e), "handing on due orders failed")
                }
            }
            match mark_missed_follow_ups(followups.as_ref(), clock.now()).await {
                Ok(0) => {}
                Ok(missed) => tracing::info!(missed, "follow-ups marked missed"),
                Err(e) => {
                    tracing::warn!(error = %e, source = ?std::error::Error::source(&e), "marking missed follow-ups failed")
                }
            }
            match standing.nightly(clock.now()).await {
                Ok(None) => {}
                Ok(Some(done)) => {
                    tracing::info!(
                        customers = done.customers,
                        changed = done.changed,
                        "customers' standing recomputed"
                    )
                }
                Err(e) => {
                    tracing::warn!(error = %e, source = ?std::error::Error::source(&e), "recomputing customers' standing failed")
                }
            }
        }
    })
}
