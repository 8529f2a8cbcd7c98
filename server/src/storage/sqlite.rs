//! The SQLite backend: the embedded default (WAL, `busy_timeout`, foreign keys, and
//! `BEGIN IMMEDIATE` for writes, so two writers queue instead of failing with
//! SQLITE_BUSY). This process's writers (transactions, and single statements through
//! `write_conn`) queue on a write gate before they begin: SQLite makes a writer that
//! finds the lock taken sleep and try again (for up to tens of milliseconds each time),
//! while the gate hands the lock to the next writer the moment the last one ends.
//! Writes go through one connection of their own, so the gate's holder never waits for
//! a reader to give a connection back. A write is reported once it is on disk, with one
//! sync for many commits ([`WalSync`]).

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use app::live::LiveEvent;
use app::storage::StorageError;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};
use time::OffsetDateTime;
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::cache::{Cache, Revisions};
use super::wal_sync::WalSync;
use super::{db_err, now, OpenError, Serial};
use crate::live::Hub;

type Db = sqlx::Sqlite;

/// What the feature files implement their traits for.
type Backend = SqliteStorage;

/// Row locking for read-then-write transactions: none needed, a `BEGIN IMMEDIATE`
/// transaction already excludes every other writer.
const LOCK_ROWS: &str = "";

/// Rows read to be kept from changing until the transaction ends: the same.
const SHARE_ROWS: &str = "";

/// Claiming work two instances must not both do: SQLite has one writer, whose write
/// transaction already excludes every other.
const CLAIM_ROWS: &str = "";

/// Many rows' values packed into one text (`STRING_AGG(value, separator)`), for reads
/// of hundreds of thousands of small rows: each row sqlx hands over costs more than
/// the database's work to find it.
const STRING_AGG: &str = "group_concat";

/// An id column as text that [`uuid::Uuid::try_parse`] reads (hexadecimal digits).
fn id_text(column: &str) -> String {
    format!("hex({column})")
}

// The feature files, compiled for this backend (see the module docs of `storage`).
super::feature_files!();

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Whether a write is reported only once it is on disk ([`WalSync`]), unless
/// `PITLANE_SQLITE_SYNCHRONOUS=normal` (only the booking benchmark sets it, to show what
/// durability costs: a power cut may then lose the last writes reported).
fn durable() -> bool {
    !matches!(
        std::env::var("PITLANE_SQLITE_SYNCHRONOUS").as_deref(),
        Ok("normal")
    )
}

/// Reading connections: each is a thread that runs its queries, and reads are work for
/// the CPU, so twice as many as the machine has cores (more only take turns).
fn read_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores * 2).unwrap_or(u32::MAX).max(2)
}

pub struct SqliteStorage {
    /// Connections for reading.
    pool: SqlitePool,
    /// The one connection that writes, taken by whoever holds the write gate: a writer
    /// never waits for a reader to give a connection back.
    writer: SqlitePool,
    hub: Hub,
    cache: Cache,
    /// Held by this process's one write transaction; waiters queue in order.
    write_gate: Arc<Mutex<()>>,
    /// Tells a writer when its commit is on disk (`None`: in memory, or not asked for).
    wal_sync: Option<WalSync>,
}

/// A connection or a transaction that writes, holding the write gate until it is dropped.
pub(crate) struct Gated<C> {
    inner: C,
    // Declared after `inner`, so dropped after it.
    _gate: OwnedMutexGuard<()>,
}

/// A write transaction, holding the write gate until it ends.
pub(crate) type WriteTx = Gated<sqlx::Transaction<'static, Db>>;

impl<C: Deref<Target = SqliteConnection>> Deref for Gated<C> {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.inner
    }
}

impl<C: DerefMut<Target = SqliteConnection>> DerefMut for Gated<C> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.inner
    }
}

impl SqliteStorage {
    pub async fn connect(url: &str, hub: Hub) -> Result<SqliteStorage, OpenError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(OpenError::Connect)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL: a commit does not wait for the disk while it holds the write lock;
            // `wal_sync` syncs the log before the write is reported, once for many.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let file = options.get_filename().to_path_buf();
        let in_memory = file.as_os_str().is_empty() || file.as_os_str() == ":memory:";
        let sync_log = durable() && !in_memory;
        let pool_of = |connections: u32| {
            SqlitePoolOptions::new()
                .max_connections(connections)
                // An embedded database's connection cannot be dropped by a server: no
                // ping (a trip to the connection's thread) before each use.
                .test_before_acquire(false)
        };
        let pool = pool_of(read_connections())
            .connect_with(options.clone())
            .await
            .map_err(OpenError::Connect)?;
        // A database in memory exists once per connection set: it writes through the
        // readers' pool.
        let writer = if in_memory {
            pool.clone()
        } else {
            pool_of(1)
                .connect_with(options)
                .await
                .map_err(OpenError::Connect)?
        };
        let wal_sync = sync_log.then(|| WalSync::start(file));
        Ok(SqliteStorage {
            pool,
            writer,
            hub,
            cache: Cache::default(),
            write_gate: Arc::new(Mutex::new(())),
            wal_sync,
        })
    }

    pub async fn migrate(&self) -> Result<(), OpenError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    fn name(&self) -> &'static str {
        "sqlite"
    }

    async fn conn(&self) -> Result<PoolConnection<Db>, StorageError> {
        self.pool.acquire().await.map_err(db_err)
    }

    /// Waits for the write gate, then takes a connection: a writer waiting for the gate
    /// holds no connection.
    async fn gated<C, F>(&self, open: F) -> Result<Gated<C>, StorageError>
    where
        F: std::future::Future<Output = Result<C, sqlx::Error>>,
    {
        let gate = self.write_gate.clone().lock_owned().await;
        let inner = open.await.map_err(db_err)?;
        Ok(Gated { inner, _gate: gate })
    }

    /// A connection for a write of one statement, queued with the write transactions;
    /// [`SqliteStorage::synced`] after it, before the write is reported.
    async fn write_conn(&self) -> Result<Gated<PoolConnection<Db>>, StorageError> {
        self.gated(self.writer.acquire()).await
    }

    /// A write transaction that takes SQLite's write lock up front: a deferred one that
    /// upgrades later fails at once with SQLITE_BUSY instead of waiting. It excludes
    /// every other writer, so every [`Serial`] kind is the same here.
    async fn begin(&self, _serial: Serial) -> Result<WriteTx, StorageError> {
        self.gated(self.writer.begin_with("BEGIN IMMEDIATE")).await
    }

    /// Commits, lets the next writer in, and once the commit is on disk tells this
    /// process's pages (there are no other instances).
    async fn commit(&self, tx: WriteTx, events: Vec<LiveEvent>) -> Result<(), StorageError> {
        let Gated { inner, _gate } = tx;
        inner.commit().await.map_err(db_err)?;
        drop(_gate);
        self.synced().await?;
        for event in events {
            self.hub.publish(event);
        }
        Ok(())
    }

    /// Returns once the writes this caller committed are on disk: after a write through
    /// `write_conn` (a transaction's `commit` waits by itself).
    async fn synced(&self) -> Result<(), StorageError> {
        match &self.wal_sync {
            Some(wal) => wal.committed().await,
            None => Ok(()),
        }
    }

    /// Rolls back before the gate opens: a dropped transaction would roll back only
    /// when its connection is next used, and the next writer would find the lock taken.
    async fn rollback(&self, tx: WriteTx) {
        if let Err(e) = tx.inner.rollback().await {
            tracing::warn!(error = %e, "rolling back a write transaction failed");
        }
    }

    /// The clock price versions are stamped and read with: this process's.
    async fn clock(
        &self,
        _conn: &mut <Db as sqlx::Database>::Connection,
    ) -> Result<OffsetDateTime, StorageError> {
        Ok(now())
    }

    /// The revisions of the cached groups, and the clock.
    async fn revisions(
        &self,
        conn: &mut <Db as sqlx::Database>::Connection,
    ) -> Result<Revisions, StorageError> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT name, rev FROM revisions")
            .fetch_all(conn)
            .await
            .map_err(db_err)?;
        rows::revisions(&rows, now())
    }
}

/// Writes a [`rows::Table`] as multi-row `INSERT`s of about 500 values each, the
/// statement prepared once and kept (every chunk but the last has the same text).
/// Measured with `cargo bench -p server --bench supply`: with `$n` placeholders a
/// thousand rows of ten values to a statement took a full-size proposal's save from
/// 1.2 s to 11 s, and even at 500 values binding was a third of the save (sqlx asks
/// SQLite each `$n`'s name); with `?`s the save takes 0.6 to 0.9 s.
async fn insert_rows(conn: &mut SqliteConnection, table: rows::Table) -> Result<(), StorageError> {
    const VALUES_PER_STATEMENT: usize = 500;
    let width = table.columns.len().max(1);
    let rows: Vec<&[rows::Cell]> = table.rows().collect();
    for chunk in rows.chunks((VALUES_PER_STATEMENT / width).max(1)) {
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            table.name,
            table.columns.join(", ")
        );
        // Anonymous `?`s: sqlx binds a named `$n` by asking SQLite its name, a walk of
        // the statement's list of names, which grows with the statement.
        let row = format!("({})", vec!["?"; width].join(", "));
        sql.push_str(&vec![row; chunk.len()].join(", "));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for cell in chunk.iter().flat_map(|row| row.iter()) {
            query = match cell {
                rows::Cell::Null => query.bind(None::<i64>),
                rows::Cell::Int(v) => query.bind(*v),
                rows::Cell::Text(t) => query.bind(t.as_str()),
                rows::Cell::Uuid(u) => query.bind(*u),
            };
        }
        query
            .persistent(true)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// Sends a [`rows::Batch`] to the connection's thread in one trip: its statements as one
/// multi-statement query (sqlx's SQLite driver binds `$N` in every statement from the
/// one argument list), each guarded one followed by `SELECT changes()`.
async fn send_batch(conn: &mut SqliteConnection, batch: rows::Batch) -> Result<(), StorageError> {
    let (statements, args) = batch.into_parts()?;
    let mut sql = String::new();
    let mut guards = Vec::new();
    for (statement, guard) in &statements {
        sql.push_str(statement);
        sql.push_str(";\n");
        if let Some(guard) = guard {
            sql.push_str("SELECT changes();\n");
            guards.push(guard);
        }
    }
    let counts: Vec<i64> = sqlx::query_scalar_with(sqlx::AssertSqlSafe(sql), args)
        .fetch_all(conn)
        .await
        .map_err(db_err)?;
    rows::check_guards(&guards, &counts)
}
