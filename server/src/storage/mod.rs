//! Storage: one [`Store`] trait, two implementations.
//!
//! - [`sqlite`]: the embedded default (WAL, `busy_timeout`, foreign keys, `BEGIN
//!   IMMEDIATE` for writes, so two writers queue instead of failing with SQLITE_BUSY);
//! - [`postgres`]: for several server instances on one database (writes serialised with
//!   transaction-scoped advisory locks, events sent with `pg_notify` on commit).
//!
//! Queries that read the same in both dialects live once in `shared.rs`, which each
//! backend compiles against its own `Db` type; what differs (transactions, locking,
//! event delivery) stays in the backend. Migrations are in `migrations/{sqlite,postgres}`.

pub mod dbtime;
pub mod postgres;
pub mod sqlite;

pub use self::dbtime::DbTime;

use std::sync::Arc;

use app::store::{Store, StoreError};

use crate::demo::DemoData;
use crate::live::Hub;

/// The database the server runs on, chosen once from `DATABASE_URL`.
#[derive(Clone)]
pub enum Database {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("DATABASE_URL must start with sqlite:// or postgres:// (got {0:?})")]
    UnknownScheme(String),
    #[error("cannot create the directory for the SQLite file: {0}")]
    Directory(#[from] std::io::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Database {
    /// Connects; with PostgreSQL also starts forwarding notifications into `hub`.
    pub async fn connect(url: &str, hub: Hub) -> Result<Database, OpenError> {
        if url.starts_with("sqlite:") {
            Ok(Database::Sqlite(
                sqlite::SqliteStore::connect(url, hub).await?,
            ))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Database::Postgres(
                postgres::PgStore::connect(url, hub).await?,
            ))
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
    pub async fn seed_demo(&self, demo: &DemoData) -> Result<bool, StoreError> {
        match self {
            Database::Sqlite(s) => s.seed_demo(demo).await,
            Database::Postgres(p) => p.seed_demo(demo).await,
        }
    }

    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(p) => Arc::new(p.clone()),
        }
    }
}

/// Maps a database error to what the layers above can act on; the raw text only goes to
/// the log (through `StoreError::Backend`).
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::PoolTimedOut => StoreError::Busy(e.to_string()),
        // SQLITE_BUSY and SQLITE_LOCKED (with their extended codes): the write lock was
        // held past `busy_timeout`.
        sqlx::Error::Database(d)
            if d.code()
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|c| matches!(c & 0xff, 5 | 6))
                && d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() =>
        {
            StoreError::Busy(d.message().to_owned())
        }
        sqlx::Error::Database(d)
            if d.is_unique_violation()
                || d.is_foreign_key_violation()
                || d.is_check_violation() =>
        {
            StoreError::Conflict(d.message().to_owned())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

/// How a priced item is keyed in the `prices` table: a kind and an id.
pub fn item_key(item: domain::PricedItem) -> (&'static str, uuid::Uuid) {
    match item {
        domain::PricedItem::Service(id) => ("service", id.as_uuid()),
        domain::PricedItem::Part(id) => ("part", id.as_uuid()),
    }
}

pub(crate) fn item_from_key(kind: &str, id: uuid::Uuid) -> Result<domain::PricedItem, StoreError> {
    match kind {
        "service" => Ok(domain::PricedItem::Service(id.into())),
        "part" => Ok(domain::PricedItem::Part(id.into())),
        other => Err(StoreError::Backend(format!("unknown item kind {other:?}"))),
    }
}

/// The hash every demo account's password gets (computed once per seed: argon2 is slow
/// on purpose).
pub(crate) async fn demo_password_hash() -> Result<String, StoreError> {
    let password = domain::Password::parse_attempt(crate::demo::DEMO_PASSWORD)?;
    app::account::session::hash_password(password)
        .await
        .map_err(|e| StoreError::Backend(format!("hashing the demo password: {e}")))
}

/// Now, truncated to microseconds so it survives a round trip through either database.
pub(crate) fn now() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.replace_nanosecond(micros).unwrap_or(t)
}
