//! Storage: every feature's storage trait (declared beside its server functions in
//! `app`), implemented once over SQLite and PostgreSQL.
//!
//! # Layout
//!
//! - `sqlite.rs`, `postgres.rs`: a backend each: connecting, migrating, and the few
//!   things that differ between the two, by name: [`Serial`] writes (SQLite's
//!   `BEGIN IMMEDIATE` already excludes every other writer; PostgreSQL's `BEGIN` takes an
//!   advisory lock or the customer's row in the same round trip), `write_conn` for a
//!   write of one statement (on SQLite it queues on the same write gate as the
//!   transactions) and `synced` after it, `LOCK_ROWS` (`""` or `" FOR UPDATE"`), `CLAIM_ROWS` (`""` or `" FOR UPDATE SKIP LOCKED"`),
//!   `send_batch` (a `Batch` of writes, from `rows.rs`, in one trip), the clock of price
//!   versions, and how events leave after commit (the hub directly, or the outbox
//!   table's `pg_notify` trigger).
//! - The feature files, written once and compiled into both backends (each includes them
//!   beside its own `type Db`, so every query is type-checked for both dialects):
//!   - `rows.rs`: reading typed values out of rows, the outbox, `/healthz`'s ping;
//!   - `prices.rs`: [`app::pricing::PriceStorage`];
//!   - `accounts.rs`: [`app::account::AccountStorage`];
//!   - `devices.rs`: [`app::devices::DeviceStorage`] (paired kiosk iPads, staff PINs);
//!   - `reception.rs`: [`app::reception::ReceptionStorage`] (search, walk-ins, tags,
//!     notes, the customer 360);
//!   - `workorders.rs`: [`app::workorders::WorkOrderStorage`] (the board, steps under a
//!     status guard);
//!   - `findings.rs`: [`app::findings::FindingsStorage`] (inspection findings, decided
//!     under the order's lock, approved work's parts reserved with a guard);
//!   - `staff.rs`: [`app::staff::StaffStorage`] (the stores' staff as HQ manages them);
//!   - `garage.rs`: [`app::garage::GarageStorage`];
//!   - `policies.rs`: [`app::policies::PolicyStorage`];
//!   - `routing.rs`: [`app::routing::RoutingStorage`] (online orders for "any store",
//!     their hops, and the expiry job's claim of due offers);
//!   - `help.rs`: [`app::help::HelpStorage`] (help requests between stores, accepted
//!     once under the request's lock; the transfers they become, sent and received once);
//!   - `cases.rs`: [`app::cases::CaseStorage`] (after-sales cases, each action under the
//!     case's lock, by its store's staff or its customer);
//!   - `followups.rs`: [`app::followup::FollowUpStorage`] (the follow-ups a handover
//!     schedules, moved by new readings, answered under the row's lock, marked missed);
//!   - `standing.rs`: [`app::lifecycle::StandingStorage`] (customers' stages and classes,
//!     recomputed a page at a time, changes written once with their history);
//!   - `aftersales.rs`: [`app::followup::report::AfterSalesStorage`] (HQ's per-store
//!     figures over a period, each one aggregate grouped by store);
//!   - `campaigns.rs`: [`app::campaigns::CampaignStorage`] (segments counted in SQL and
//!     selected by the domain's rule, campaigns sent by claimed batches, bookings credited)
//!     and the built-in recording [`app::campaigns::CampaignSender`];
//!   - `customer_map.rs`: [`app::customer_map::MapStorage`] (customers by district,
//!     the stores' places).
//!   - `dataimport.rs`: [`app::dataimport::ImportStorage`] (CSV uploads staged, rows
//!     applied in one transaction, exports).
//!   - `kpi.rs`: [`app::kpi::KpiStorage`] (each store's day counted from its orders,
//!     bays and hours).
//!   - `supply.rs`: [`app::supply::SupplyStorage`] (the network's positions for
//!     [`domain::supply`], proposals with each line's arithmetic, transfers and purchase
//!     orders moved under their row's lock, and the stock ledger every move writes);
//!   - `parts_orders.rs`: [`app::routing::parts::PartsOrderStorage`] (parts that fit a
//!     car at their prices, and handing an accepted parts order over, once);
//!   - `booking.rs`: [`app::booking::BookingStorage`], which reads a
//!     [`domain::booking::Situation`], lets [`domain::booking::plan`] decide and applies
//!     the plan with guarded updates;
//!   - `seed_sql.rs`, `seed.rs`: the demo data.
//! - `cache.rs`: what every booking reads but rarely changes (prices, policies, catalog,
//!   locations), kept in memory and checked against the `revisions` the database's
//!   triggers bump.
//! - `dbtime.rs`: how instants are stored on SQLite; `wal_sync.rs`: SQLite's group
//!   commit (a write is reported once its log is on disk, one sync for many commits).
//! - `uses.rs`: the packed form of a position's daily consumption (`consumption_history`).
//! - Migrations: `migrations/{sqlite,postgres}`, one folder per dialect, kept in step (a
//!   test compares their schemas).
//!
//! A new feature adds a trait in `app`, a file here and its line in `feature_files!`.

pub(crate) mod cache;
pub mod dbtime;
pub mod postgres;
pub mod sqlite;
pub(crate) mod uses;
mod wal_sync;

pub use self::dbtime::DbTime;

use std::sync::Arc;

use app::storage::{StorageError, Storages};

use crate::demo::DemoData;
use crate::live::Hub;

/// The database the server runs on, chosen once from `DATABASE_URL`.
#[derive(Clone)]
pub enum Database {
    Sqlite(Arc<sqlite::SqliteStorage>),
    Postgres(Arc<postgres::PgStorage>),
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("DATABASE_URL must start with sqlite:// or postgres:// (got {0:?})")]
    UnknownScheme(String),
    #[error("cannot create the directory for the SQLite file")]
    Directory(#[from] std::io::Error),
    #[error("cannot connect to the database")]
    Connect(#[source] sqlx::Error),
    #[error("cannot migrate the database")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Database {
    /// Connects; with PostgreSQL also starts forwarding notifications into `hub`.
    pub async fn connect(url: &str, hub: Hub) -> Result<Database, OpenError> {
        if url.starts_with("sqlite:") {
            Ok(Database::Sqlite(Arc::new(
                sqlite::SqliteStorage::connect(url, hub).await?,
            )))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Database::Postgres(Arc::new(
                postgres::PgStorage::connect(url, hub).await?,
            )))
        } else {
            Err(OpenError::UnknownScheme(url.to_owned()))
        }
    }

    pub async fn migrate(&self) -> Result<(), OpenError> {
        match self {
            Database::Sqlite(s) => s.migrate().await,
            Database::Postgres(p) => p.migrate().await,
        }
    }

    /// Loads the demo data if the database holds no price list yet; returns whether it did.
    pub async fn seed_demo(&self, demo: &DemoData) -> Result<bool, StorageError> {
        match self {
            Database::Sqlite(s) => s.seed_demo(demo).await,
            Database::Postgres(p) => p.seed_demo(demo).await,
        }
    }

    /// Every feature's storage, as server functions find them in their context.
    pub fn storages(&self) -> Storages {
        match self {
            Database::Sqlite(s) => Storages::new(s.clone()),
            Database::Postgres(p) => Storages::new(p.clone()),
        }
    }
}

/// Declares the feature files as modules of the backend that invokes it, so that each is
/// compiled beside that backend's `Db`, `Backend` and `LOCK_ROWS`. A new feature's file
/// is added here once.
macro_rules! feature_files {
    () => {
        #[allow(clippy::duplicate_mod)]
        #[path = "accounts.rs"]
        mod accounts;
        #[allow(clippy::duplicate_mod)]
        #[path = "aftersales.rs"]
        mod aftersales;
        #[allow(clippy::duplicate_mod)]
        #[path = "booking.rs"]
        mod booking;
        #[allow(clippy::duplicate_mod)]
        #[path = "campaigns.rs"]
        mod campaigns;
        #[allow(clippy::duplicate_mod)]
        #[path = "cases.rs"]
        mod cases;
        #[allow(clippy::duplicate_mod)]
        #[path = "customer_map.rs"]
        mod customer_map;
        #[allow(clippy::duplicate_mod)]
        #[path = "dataimport.rs"]
        mod dataimport;
        #[allow(clippy::duplicate_mod)]
        #[path = "devices.rs"]
        mod devices;
        #[allow(clippy::duplicate_mod)]
        #[path = "findings.rs"]
        mod findings;
        #[allow(clippy::duplicate_mod)]
        #[path = "followups.rs"]
        mod followups;
        #[allow(clippy::duplicate_mod)]
        #[path = "garage.rs"]
        mod garage;
        #[allow(clippy::duplicate_mod)]
        #[path = "help.rs"]
        mod help;
        #[allow(clippy::duplicate_mod)]
        #[path = "kpi.rs"]
        mod kpi;
        #[allow(clippy::duplicate_mod)]
        #[path = "parts.rs"]
        mod parts;
        #[allow(clippy::duplicate_mod)]
        #[path = "parts_orders.rs"]
        mod parts_orders;
        #[allow(clippy::duplicate_mod)]
        #[path = "policies.rs"]
        mod policies;
        #[allow(clippy::duplicate_mod)]
        #[path = "prices.rs"]
        mod prices;
        #[allow(clippy::duplicate_mod)]
        #[path = "reception.rs"]
        mod reception;
        #[allow(clippy::duplicate_mod)]
        #[path = "routing.rs"]
        mod routing;
        #[allow(clippy::duplicate_mod)]
        #[path = "rows.rs"]
        mod rows;
        #[allow(clippy::duplicate_mod)]
        #[path = "seed.rs"]
        mod seed;
        #[allow(clippy::duplicate_mod)]
        #[path = "seed_sql.rs"]
        mod seed_sql;
        #[allow(clippy::duplicate_mod)]
        #[path = "settings.rs"]
        mod settings;
        #[allow(clippy::duplicate_mod)]
        #[path = "staff.rs"]
        mod staff;
        #[allow(clippy::duplicate_mod)]
        #[path = "standing.rs"]
        mod standing;
        #[allow(clippy::duplicate_mod)]
        #[path = "supply.rs"]
        mod supply;
        #[allow(clippy::duplicate_mod)]
        #[path = "workorders.rs"]
        mod workorders;
    };
}
pub(crate) use feature_files;

/// How often a write that lost a race the database could not order (a deadlock or a
/// serialization failure, which roll back everything it did) is tried in all.
pub(crate) const WRITE_ATTEMPTS: u32 = 5;

/// Runs `$body` (statements using `$tx`, a `&mut` connection inside a write transaction,
/// ending in a `Result<(T, Vec<LiveEvent>), StorageError>`) and commits it with the
/// events, which leave only after the commit. A body that lost a race
/// ([`StorageError::Contended`]) changed nothing and runs again, up to
/// [`WRITE_ATTEMPTS`] times in all; then the caller hears "busy". `?` in the body ends
/// the attempt, not the caller.
///
/// A macro rather than a function taking an async closure: the closure's future borrows
/// the transaction for a lifetime that trait methods' `Send` bounds cannot name yet.
macro_rules! transaction {
    ($storage:expr, $serial:expr, |$tx:ident| $body:block) => {{
        let mut attempt = 1u32;
        loop {
            let mut tx = $storage.begin($serial).await?;
            let outcome = async {
                let $tx = &mut *tx;
                $body
            }
            .await;
            let done = match outcome {
                Ok((value, events)) => $storage.commit(tx, events).await.map(|()| value),
                Err(e) => {
                    $storage.rollback(tx).await;
                    Err(e)
                }
            };
            match done {
                Err(::app::storage::StorageError::Contended(cause))
                    if attempt < $crate::storage::WRITE_ATTEMPTS =>
                {
                    tracing::debug!(attempt, %cause, "transaction lost a race; running it again");
                    attempt += 1;
                }
                other => break other,
            }
        }
    }};
}
pub(crate) use transaction;

/// Writes that must not interleave with another of their kind on any instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Serial {
    /// None beyond row locks and guards.
    Rows,
    /// Publishing a price-list version (each builds on the one before).
    PriceList,
    /// Loading the demo data.
    Seed,
    /// Saving a replenishment proposal: each supersedes the one before, and the nightly
    /// run looks at the latest before it does.
    Proposal,
    /// One customer's bookings: each is decided knowing the ones before it (the limits
    /// on open bookings, an earlier request with the same key).
    Customer(domain::CustomerId),
}

/// Maps a database error to what the layers above can act on, keeping it as the source.
pub(crate) fn db_err(e: sqlx::Error) -> StorageError {
    match &e {
        sqlx::Error::RowNotFound => StorageError::NotFound,
        sqlx::Error::PoolTimedOut => StorageError::Busy(Box::new(e)),
        sqlx::Error::Database(d) => {
            let code = d.code();
            let code = code.as_deref().unwrap_or("");
            if d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // SQLITE_BUSY and SQLITE_LOCKED (with their extended codes): the write
                // lock was held past `busy_timeout`.
                if code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6)) {
                    return StorageError::Busy(Box::new(e));
                }
            } else if matches!(code, "40P01" | "40001") {
                // PostgreSQL's deadlock_detected and serialization_failure: the
                // transaction was rolled back and may simply run again.
                return StorageError::Contended(Box::new(e));
            }
            if d.is_unique_violation() || d.is_foreign_key_violation() || d.is_check_violation() {
                StorageError::Conflict(Box::new(e))
            } else {
                StorageError::Backend(Box::new(e))
            }
        }
        _ => StorageError::Backend(Box::new(e)),
    }
}

/// How a priced item is keyed in the `prices` table: a kind and an id.
pub fn item_key(item: domain::PricedItem) -> (&'static str, uuid::Uuid) {
    match item {
        domain::PricedItem::Service(id) => ("service", id.as_uuid()),
        domain::PricedItem::Part(id) => ("part", id.as_uuid()),
    }
}

pub(crate) fn item_from_key(
    kind: &str,
    id: uuid::Uuid,
) -> Result<domain::PricedItem, StorageError> {
    match kind {
        "service" => Ok(domain::PricedItem::Service(id.into())),
        "part" => Ok(domain::PricedItem::Part(id.into())),
        other => Err(StorageError::corrupt(format!("item kind {other:?}"))),
    }
}

/// The hash every demo account's password gets (computed once per seed: argon2 is slow
/// on purpose).
pub(crate) async fn demo_password_hash() -> Result<String, StorageError> {
    let password = domain::Password::parse_attempt(crate::demo::DEMO_PASSWORD)?;
    app::account::session::hash_password(password)
        .await
        .map_err(|e| StorageError::Backend(format!("hashing the demo password: {e}").into()))
}

/// The hash every demo store staff member's PIN gets.
pub(crate) async fn demo_pin_hash() -> Result<String, StorageError> {
    let pin = domain::kiosk::Pin::parse_new(crate::demo::DEMO_PIN)?;
    app::account::session::hash_pin(pin)
        .await
        .map_err(|e| StorageError::Backend(format!("hashing the demo PIN: {e}").into()))
}

/// Now, truncated to microseconds so it survives a round trip through either database.
pub(crate) fn now() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.replace_nanosecond(micros).unwrap_or(t)
}
