//! What every feature file shares, compiled into each backend beside its `Db`: the
//! connection and row types, typed reads that refuse a damaged value instead of
//! guessing one, the outbox, and [`Health`].

use app::live::LiveEvent;
use app::storage::{Health, StorageError};
use async_trait::async_trait;
use domain::Quantity;
use sqlx::Row;

use super::{Backend, Db};
use crate::storage::db_err;

pub type Conn = <Db as sqlx::Database>::Connection;
pub type DbRow = <Db as sqlx::Database>::Row;

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

/// Appends `event` to the outbox in the caller's transaction; it is published after
/// commit (the `transaction!` body returns it).
pub async fn append_event(
    conn: &mut Conn,
    event: &LiveEvent,
    now: time::OffsetDateTime,
) -> Result<(), StorageError> {
    let kind = match event {
        LiveEvent::PriceListPublished { .. } => "price_list_published",
        LiveEvent::PolicyPublished { .. } => "policy_published",
        LiveEvent::AvailabilityChanged { .. } => "availability_changed",
        LiveEvent::Resync => "resync",
    };
    let payload = serde_json::to_string(event).map_err(|e| StorageError::Backend(Box::new(e)))?;
    sqlx::query("INSERT INTO events (kind, payload, created_at) VALUES ($1, $2, $3)")
        .bind(kind)
        .bind(payload)
        .bind(crate::storage::DbTime(now))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}
