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
//! - [`nightly_proposal`]: the day's replenishment proposal from 05:00 local
//!   ([`domain::supply::nightly_day`]), claimed in the transaction that saves it (one
//!   instance's lines are kept; a crash before commit leaves the day to the next tick).
//! - [`send_campaigns`]: campaign messages waiting to go out, a claimed batch at a
//!   time ([`app::campaigns::CampaignStorage::dispatch`]: `FOR UPDATE SKIP LOCKED` on
//!   PostgreSQL; each customer's choice read again at the moment of sending).
//! - [`spawn`]: runs the jobs every `every`, the first time at once: an order whose
//!   window ended while the server was down moves on at start.
//!
//! Time comes from the server's [`app::clock::Clock`], which tests set.

use std::time::Duration;

use app::campaigns::{CampaignSender, CampaignStorage, Dispatched, DISPATCH_BATCH};
use app::clock::SharedClock;
use app::followup::FollowUpStorage;
use app::routing::{RoutingStorage, HAND_ON_BATCH};
use app::storage::{StorageError, Storages};
use app::supply::{RunBy, SupplyStorage};
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

/// Makes the day's replenishment proposal once it is due at `now` and not yet made;
/// returns its number of lines, or `None` if there was nothing to do (another instance
/// may have made it while this one planned).
pub async fn nightly_proposal(
    supply: &dyn SupplyStorage,
    now: OffsetDateTime,
) -> Result<Option<usize>, StorageError> {
    let Some(day) = domain::supply::nightly_day(now) else {
        return Ok(None);
    };
    if supply.nightly_made(day).await? {
        return Ok(None);
    }
    app::supply::propose(supply, RunBy::Nightly(day), now).await
}

/// Sends every campaign message waiting at `now`, a batch at a time.
pub async fn send_campaigns(
    campaigns: &dyn CampaignStorage,
    sender: &dyn CampaignSender,
    now: OffsetDateTime,
) -> Result<Dispatched, StorageError> {
    let mut total = Dispatched::default();
    loop {
        let d = campaigns.dispatch(sender, now, DISPATCH_BATCH).await?;
        total.sent += d.sent;
        total.opted_out += d.opted_out;
        if d.sent + d.opted_out < DISPATCH_BATCH {
            return Ok(total);
        }
    }
}

/// Runs the jobs every `every` for as long as the process lives, the first run at once.
pub fn spawn(
    storages: Storages,
    limits: BookingLimits,
    clock: SharedClock,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match hand_on_due_orders(storages.routing.as_ref(), &limits, clock.now()).await {
                Ok(0) => {}
                Ok(moved) => tracing::info!(moved, "online orders handed on"),
                // Busy or down: the rows are still due, and the next run tries again.
                Err(e) => {
                    tracing::warn!(error = %e, source = ?std::error::Error::source(&e), "handing on due orders failed")
                }
            }
            match mark_missed_follow_ups(storages.followups.as_ref(), clock.now()).await {
                Ok(0) => {}
                Ok(missed) => tracing::info!(missed, "follow-ups marked missed"),
                Err(e) => {
                    tracing::warn!(error = %e, source = ?std::error::Error::source(&e), "marking missed follow-ups failed")
                }
            }
            match storages.standing.nightly(clock.now()).await {
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
            match nightly_proposal(storages.supply.as_ref(), clock.now()).await {
                Ok(None) => {}
                Ok(Some(lines)) => tracing::info!(lines, "nightly replenishment proposal made"),
                Err(e) => {
                    tracing::warn!(error = %e, source = ?std::error::Error::source(&e), "the nightly replenishment proposal failed")
                }
            }
            match send_campaigns(
                storages.campaigns.as_ref(),
                storages.sender.as_ref(),
                clock.now(),
            )
            .await
            {
                Ok(Dispatched {
                    sent: 0,
                    opted_out: 0,
                }) => {}
                Ok(d) => tracing::info!(
                    sent = d.sent,
                    opted_out = d.opted_out,
                    "campaign messages sent"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, source = ?std::error::Error::source(&e), "sending campaign messages failed")
                }
            }
        }
    })
}
