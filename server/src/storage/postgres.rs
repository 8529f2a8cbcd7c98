//! The PostgreSQL backend: how Pitlane runs on several instances over one database
//! (serialised writes take transaction-scoped advisory locks; events leave with
//! `pg_notify` on commit, so every instance hears them).

use std::sync::Arc;
use std::time::Duration;

use app::live::LiveEvent;
use app::storage::StorageError;
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use time::OffsetDateTime;

use super::cache::{Cache, Revisions};
use super::{db_err, OpenError, Serial};
use crate::live::Hub;

type Db = sqlx::Postgres;

/// What the feature files implement their traits for.
type Backend = PgStorage;

/// Row locking for read-then-write transactions.
const LOCK_ROWS: &str = " FOR UPDATE";

/// Rows read to be kept from changing until the transaction ends, without keeping
/// other readers that do the same from them.
const SHARE_ROWS: &str = " FOR SHARE";

/// Claiming work (due jobs) that two instances must not both do: each locks the rows it
/// takes and passes over the ones another instance holds, so they share out the work
/// instead of queueing for it or doing it twice.
const CLAIM_ROWS: &str = " FOR UPDATE SKIP LOCKED";

/// Many rows' values packed into one text (`STRING_AGG(value, separator)`), for reads
/// of hundreds of thousands of small rows: each row sqlx hands over costs more than
/// the database's work to find it.
const STRING_AGG: &str = "string_agg";

/// An id column as text that [`uuid::Uuid::try_parse`] reads.
fn id_text(column: &str) -> String {
    format!("CAST({column} AS TEXT)")
}

// The feature files, compiled for this backend (see the module docs of `storage`).
super::feature_files!();

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a pooled connection may sit idle before it is checked again when handed out.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(30);

/// The statement that begins a transaction of `serial`'s kind, taking its lock in the
/// same round trip: an advisory lock that serialises one kind of write across all
/// instances, or the customer's row. `None`: a plain `BEGIN`. The values written into
/// the text are typed (constants, a UUID), never input.
fn begin_sql(serial: Serial) -> Option<String> {
    let advisory = |key: i64| format!("BEGIN; SELECT pg_advisory_xact_lock({key})");
    match serial {
        Serial::Rows => None,
        Serial::PriceList => Some(advisory(0x5049_5400_0001)),
        Serial::Seed => Some(advisory(0x5049_5400_0002)),
        Serial::Proposal => Some(advisory(0x5049_5400_0003)),
        Serial::Customer(id) => Some(format!(
            "BEGIN; SELECT 1 FROM customers WHERE id = '{}' FOR UPDATE",
            id.as_uuid()
        )),
    }
}

pub struct PgStorage {
    pool: PgPool,
    cache: Cache,
    _forwarder: Arc<Forwarder>,
}

/// Stops forwarding notifications once the last handle on the storage is gone.
struct Forwarder(tokio::task::JoinHandle<()>);

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl PgStorage {
    /// Connects and starts forwarding this database's notifications into `hub`; the
    /// LISTEN is in place before this returns, so no write after it goes unheard.
    pub async fn connect(url: &str, hub: Hub) -> Result<PgStorage, OpenError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            // sqlx pings every connection it hands out by default: a round trip before
            // each request's first query. Ping only a connection that sat idle long
            // enough for the server or a proxy to have dropped it.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > PING_IF_IDLE_FOR {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect(url)
            .await
            .map_err(OpenError::Connect)?;
        let forwarder = crate::live::spawn_pg_forwarder(pool.clone(), hub)
            .await
            .map_err(OpenError::Connect)?;
        Ok(PgStorage {
            pool,
            cache: Cache::default(),
            _forwarder: Arc::new(Forwarder(forwarder)),
        })
    }

    pub async fn migrate(&self) -> Result<(), OpenError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    fn name(&self) -> &'static str {
        "postgres"
    }

    async fn conn(&self) -> Result<PoolConnection<Db>, StorageError> {
        self.pool.acquire().await.map_err(db_err)
    }

    /// A connection for a write of one statement: row locks order writers here.
    async fn write_conn(&self) -> Result<PoolConnection<Db>, StorageError> {
        self.conn().await
    }

    /// A read-committed transaction (rows it reads to decide are locked with
    /// [`LOCK_ROWS`] or guarded on write), holding `serial`'s lock if any.
    async fn begin(&self, serial: Serial) -> Result<sqlx::Transaction<'static, Db>, StorageError> {
        match begin_sql(serial) {
            Some(sql) => self.pool.begin_with(sqlx::AssertSqlSafe(sql)).await,
            None => self.pool.begin().await,
        }
        .map_err(db_err)
    }

    /// Commits. The events need no sending: the outbox trigger (`events_notify`)
    /// queued each one for every listening instance (this one too) when it was
    /// appended, and PostgreSQL delivers them only if the commit succeeds.
    async fn commit(
        &self,
        tx: sqlx::Transaction<'static, Db>,
        _events: Vec<LiveEvent>,
    ) -> Result<(), StorageError> {
        tx.commit().await.map_err(db_err)
    }

    /// Nothing to wait for: PostgreSQL's commit returns once the commit is on disk.
    async fn synced(&self) -> Result<(), StorageError> {
        Ok(())
    }

    /// Rolls back at once, rather than when the connection is next used.
    async fn rollback(&self, tx: sqlx::Transaction<'static, Db>) {
        if let Err(e) = tx.rollback().await {
            tracing::warn!(error = %e, "rolling back a write transaction failed");
        }
    }

    /// The database's clock. Instances' clocks may drift apart; publishing and reading
    /// both ask the one database, so a version is in force for every instance at once.
    async fn clock(
        &self,
        conn: &mut <Db as sqlx::Database>::Connection,
    ) -> Result<OffsetDateTime, StorageError> {
        sqlx::query_scalar("SELECT now()")
            .fetch_one(conn)
            .await
            .map_err(db_err)
    }

    /// The revisions of the cached groups, and the database's clock, in one query.
    async fn revisions(
        &self,
        conn: &mut <Db as sqlx::Database>::Connection,
    ) -> Result<Revisions, StorageError> {
        let rows: Vec<(String, i64, OffsetDateTime)> =
            sqlx::query_as("SELECT name, rev, now() FROM revisions")
                .fetch_all(conn)
                .await
                .map_err(db_err)?;
        let now = rows.first().map_or_else(super::now, |r| r.2);
        let rows: Vec<(String, i64)> = rows.into_iter().map(|(n, r, _)| (n, r)).collect();
        rows::revisions(&rows, now)
    }
}

/// Writes a [`rows::Table`] with `COPY … FROM STDIN` in its text format, sent a
/// megabyte at a time. Foreign keys and checks hold as for an `INSERT`; what COPY saves
/// is parsing, planning and a round of arguments per row (`cargo bench -p server --bench
/// supply`: a full-size proposal's 41,000 lines saved in … instead of 1.2 s).
async fn insert_rows(
    conn: &mut sqlx::PgConnection,
    table: rows::Table,
) -> Result<(), StorageError> {
    const SEND_AT: usize = 1 << 20;
    if table.rows().next().is_none() {
        return Ok(());
    }
    let statement = format!(
        "COPY {} ({}) FROM STDIN",
        table.name,
        table.columns.join(", ")
    );
    let mut copy = conn.copy_in_raw(&statement).await.map_err(db_err)?;
    let mut buf = Vec::with_capacity(SEND_AT + 64 * 1024);
    for row in table.rows() {
        copy_row(&mut buf, row);
        if buf.len() >= SEND_AT {
            copy.send(std::mem::take(&mut buf)).await.map_err(db_err)?;
        }
    }
    if !buf.is_empty() {
        copy.send(buf).await.map_err(db_err)?;
    }
    copy.finish().await.map_err(db_err)?;
    Ok(())
}

/// One row in COPY's text format: values apart by tabs, `\N` for NULL, and in text the
/// four characters the format reserves (backslash, tab, newline, carriage return)
/// escaped with a backslash.
fn copy_row(buf: &mut Vec<u8>, row: &[rows::Cell]) {
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            buf.push(b'\t');
        }
        match cell {
            rows::Cell::Null => buf.extend_from_slice(b"\\N"),
            rows::Cell::Int(v) => buf.extend_from_slice(v.to_string().as_bytes()),
            rows::Cell::Uuid(u) => buf.extend_from_slice(
                u.hyphenated()
                    .encode_lower(&mut uuid::Uuid::encode_buffer())
                    .as_bytes(),
            ),
            rows::Cell::Text(t) => {
                for b in t.bytes() {
                    match b {
                        b'\\' => buf.extend_from_slice(b"\\\\"),
                        b'\t' => buf.extend_from_slice(b"\\t"),
                        b'\n' => buf.extend_from_slice(b"\\n"),
                        b'\r' => buf.extend_from_slice(b"\\r"),
                        other => buf.push(other),
                    }
                }
            }
        }
    }
    buf.push(b'\n');
}

/// Sends a [`rows::Batch`] as one statement: each of its statements a data-modifying
/// CTE (they all see the same snapshot, so none reads what another writes; foreign keys
/// are checked when the whole statement ends), each guarded one `RETURNING 1` and
/// counted by the final `SELECT`.
async fn send_batch(conn: &mut sqlx::PgConnection, batch: rows::Batch) -> Result<(), StorageError> {
    let (statements, args) = batch.into_parts()?;
    let mut ctes = Vec::with_capacity(statements.len());
    let mut counts = Vec::new();
    let mut guards = Vec::new();
    for (i, (statement, guard)) in statements.iter().enumerate() {
        match guard {
            Some(guard) => {
                ctes.push(format!("b{i} AS ({statement} RETURNING 1)"));
                counts.push(format!("(SELECT count(*) FROM b{i})"));
                guards.push(guard);
            }
            None => ctes.push(format!("b{i} AS ({statement})")),
        }
    }
    let select = if counts.is_empty() {
        // Unreferenced data-modifying CTEs still run, to completion.
        "SELECT 0 WHERE false".to_owned()
    } else {
        format!("SELECT {}", counts.join(", "))
    };
    let sql = format!("WITH {} {select}", ctes.join(", "));
    let row = sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
        .fetch_optional(conn)
        .await
        .map_err(db_err)?;
    let counts = match row {
        Some(row) => (0..guards.len())
            .map(|i| sqlx::Row::try_get::<i64, _>(&row, i).map_err(db_err))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    rows::check_guards(&guards, &counts)
}

#[cfg(test)]
mod tests {
    use super::{copy_row, rows::Cell};

    #[test]
    fn a_copy_row_escapes_what_the_text_format_reserves_and_marks_null() {
        let id = uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
        let mut buf = Vec::new();
        copy_row(
            &mut buf,
            &[
                Cell::Uuid(id),
                Cell::Int(-42),
                Cell::Null,
                Cell::Text("a\\b\tc\nd\re \"机油\"".to_owned()),
            ],
        );
        assert_eq!(
            String::from_utf8(buf).expect("UTF-8"),
            "01900000-0000-7000-8000-000000000001\t-42\t\\N\ta\\\\b\\tc\\nd\\re \"机油\"\n"
        );
    }
}
