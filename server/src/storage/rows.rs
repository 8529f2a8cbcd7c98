//! What every feature file shares, compiled into each backend beside its `Db`: the
//! connection and row types, typed reads that refuse a damaged value instead of
//! guessing one, write [`Batch`]es, the outbox, and [`Health`].

use app::live::LiveEvent;
use app::storage::{Health, StorageError};
use async_trait::async_trait;
use domain::Quantity;
use sqlx::Row;

use super::{Backend, Db};
use crate::storage::db_err;

pub type Conn = <Db as sqlx::Database>::Connection;
pub type DbRow = <Db as sqlx::Database>::Row;
pub type Args = <Db as sqlx::Database>::Arguments;
/// A statement of a [`Batch`], and what it must change.
pub type Statement = (String, Option<Guard>);

/// The revisions read from the `revisions` table.
pub fn revisions(
    rows: &[(String, i64)],
    now: time::OffsetDateTime,
) -> Result<crate::storage::cache::Revisions, StorageError> {
    let rev = |name: &str| {
        rows.iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| *r)
            .ok_or_else(|| StorageError::corrupt(format!("no revision of {name}")))
    };
    Ok(crate::storage::cache::Revisions {
        prices: rev("prices")?,
        policies: rev("policies")?,
        catalog: rev("catalog")?,
        network: rev("network")?,
        now,
    })
}

/// One column of a row, typed.
pub fn get<'r, T>(r: &'r DbRow, column: &str) -> Result<T, StorageError>
where
    T: sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    r.try_get(column).map_err(db_err)
}

/// A name kept in both languages, from its two columns.
pub fn named(r: &DbRow, zh: &str, en: &str) -> Result<app::reception::Named, StorageError> {
    Ok(app::reception::Named {
        zh: get(r, zh)?,
        en: get(r, en)?,
    })
}

/// A count or size stored as a BIGINT that must fit a `u32` (bays, versions...).
pub fn small<T: TryFrom<i64>>(r: &DbRow, column: &str) -> Result<T, StorageError> {
    let v: i64 = get(r, column)?;
    T::try_from(v).map_err(|_| StorageError::corrupt(format!("{column} = {v}")))
}

/// An amount of stock in thousandths, never negative.
pub fn milli(r: &DbRow, column: &str) -> Result<u64, StorageError> {
    small(r, column)
}

/// A quantity in thousandths, as [`Quantity`] accepts it.
pub fn quantity(r: &DbRow, column: &str) -> Result<Quantity, StorageError> {
    let v: i64 = get(r, column)?;
    u32::try_from(v)
        .ok()
        .and_then(|m| Quantity::from_milli(m).ok())
        .ok_or_else(|| StorageError::corrupt(format!("{column} = {v}")))
}

/// `$from, $from+1, ...`: `n` placeholders for an `IN (...)` list.
pub fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[async_trait]
impl Health for Backend {
    fn backend(&self) -> &'static str {
        self.name()
    }

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1")
            .execute(&mut *self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

/// Writes that go to the database in one trip, each statement refused unless it
/// changed the rows a guard expects. Placeholders are numbered across the whole batch
/// ([`Batch::bind`] returns the next one), so the statements share one argument list.
///
/// How the trip is made is the backend's (`send_batch`): one multi-statement query on
/// SQLite, reading `changes()` after each guarded statement; one statement of
/// data-modifying CTEs on PostgreSQL, counting each guarded one's `RETURNING` rows.
/// Either way, a failed guard returns its refusal and the caller's transaction rolls
/// back whatever the batch did.
#[derive(Default)]
pub struct Batch {
    statements: Vec<Statement>,
    args: Args,
    /// The first value that could not be encoded.
    bind_error: Option<sqlx::error::BoxDynError>,
}

/// What a guarded statement must change, and the refusal if it did not.
pub struct Guard {
    pub rows: u64,
    pub refusal: domain::Error,
}

impl Batch {
    /// Adds `value` to the arguments; returns its placeholder.
    pub fn bind<T>(&mut self, value: T) -> String
    where
        T: sqlx::Encode<'static, Db> + sqlx::Type<Db> + 'static,
    {
        if let Err(e) = sqlx::Arguments::add(&mut self.args, value) {
            self.bind_error.get_or_insert(e);
        }
        format!("${}", sqlx::Arguments::len(&self.args))
    }

    /// A statement whose effect needs no check (an insert of new rows).
    pub fn push(&mut self, sql: String) {
        self.statements.push((sql, None));
    }

    /// A statement refused with `refusal` unless it changes exactly `rows` rows.
    pub fn push_guarded(&mut self, sql: String, rows: u64, refusal: domain::Error) {
        self.statements.push((sql, Some(Guard { rows, refusal })));
    }

    /// The statements with their guards, and the arguments, once every value encoded.
    pub fn into_parts(self) -> Result<(Vec<Statement>, Args), StorageError> {
        match self.bind_error {
            Some(e) => Err(StorageError::Backend(e)),
            None => Ok((self.statements, self.args)),
        }
    }
}

/// A value of a [`Table`] row.
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
    Uuid(uuid::Uuid),
}

/// New rows for one table, many at once (a replenishment run writes tens of thousands
/// of lines), written the quickest way each backend has (`insert_rows`): multi-row
/// `INSERT`s of one prepared, kept statement on SQLite; `COPY … FROM STDIN` on
/// PostgreSQL, which neither parses nor plans a statement per row.
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    cells: Vec<Cell>,
}

impl Table {
    pub fn new(name: &'static str, columns: &'static [&'static str]) -> Table {
        Table { name, columns, cells: Vec::new() }
    }

    /// Adds a row: one cell per column, in the columns' order.
    pub fn push(&mut self, row: impl IntoIterator<Item = Cell>) -> Result<(), StorageError> {
        let before = self.cells.len();
        self.cells.extend(row);
        if self.cells.len() - before != self.columns.len() {
            return Err(StorageError::Backend(
                format!("a row of {} has {} cells for {} columns", self.name, self.cells.len() - before, self.columns.len())
                    .into(),
            ));
        }
        Ok(())
    }

    /// The rows, each a slice of cells.
    pub fn rows(&self) -> std::slice::Chunks<'_, Cell> {
        self.cells.chunks(self.columns.len().max(1))
    }
}

/// Each guard's count in order against what it expects: the first that differs refuses.
pub fn check_guards(guards: &[&Guard], counts: &[i64]) -> Result<(), StorageError> {
    if guards.len() != counts.len() {
        return Err(StorageError::Backend(
            format!("a batch returned {} counts for {} guards", counts.len(), guards.len()).into(),
        ));
    }
    for (guard, &count) in guards.iter().zip(counts) {
        if u64::try_from(count).ok() != Some(guard.rows) {
            return Err(guard.refusal.clone().into());
        }
    }
    Ok(())
}

/// Appends `event` to the outbox in `batch`.
pub fn push_event(
    batch: &mut Batch,
    event: &LiveEvent,
    now: time::OffsetDateTime,
) -> Result<(), StorageError> {
    let (kind, payload) = event_row(event)?;
    let sql = format!(
        "INSERT INTO events (kind, payload, created_at) VALUES ({}, {}, {})",
        batch.bind(kind),
        batch.bind(payload),
        batch.bind(crate::storage::DbTime(now))
    );
    batch.push(sql);
    Ok(())
}

/// An event's kind and JSON payload, as the outbox stores them.
fn event_row(event: &LiveEvent) -> Result<(&'static str, String), StorageError> {
    let kind = event.kind();
    let payload = serde_json::to_string(event).map_err(|e| StorageError::Backend(Box::new(e)))?;
    Ok((kind, payload))
}

/// Appends `event` to the outbox in the caller's transaction; it is published after
/// commit (the `transaction!` body returns it).
pub async fn append_event(
    conn: &mut Conn,
    event: &LiveEvent,
    now: time::OffsetDateTime,
) -> Result<(), StorageError> {
    let (kind, payload) = event_row(event)?;
    sqlx::query("INSERT INTO events (kind, payload, created_at) VALUES ($1, $2, $3)")
        .bind(kind)
        .bind(payload)
        .bind(crate::storage::DbTime(now))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}
