//! The PostgreSQL implementation of [`Store`]: how Pitlane runs on several instances.

use std::sync::Arc;
use std::time::Duration;

use app::pricing::{PricePoint, ServiceInfo};
use app::store::{Store, StoreError};
use async_trait::async_trait;
use domain::{Money, PriceList, PricedItem};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use super::{db_err, OpenError};
use crate::demo::DemoData;
use crate::live::{Hub, PG_CHANNEL};

type Db = sqlx::Postgres;

#[allow(clippy::duplicate_mod)]
#[path = "seed_sql.rs"]
mod seed_sql;
#[allow(clippy::duplicate_mod)]
#[path = "shared.rs"]
mod shared;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Advisory-lock keys that serialise one kind of write across all instances.
mod lock {
    pub const PRICE_LIST: i64 = 0x5049_5400_0001;
    pub const SEED: i64 = 0x5049_5400_0002;
}

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    _forwarder: Arc<Forwarder>,
}

/// Stops forwarding notifications once the last handle on the store is gone.
struct Forwarder(tokio::task::JoinHandle<()>);

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl PgStore {
    /// Connects and starts forwarding this database's notifications into `hub`; the
    /// LISTEN is in place before this returns, so no write after it goes unheard.
    pub async fn connect(url: &str, hub: Hub) -> Result<PgStore, OpenError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(OpenError::Connect)?;
        let forwarder = crate::live::spawn_pg_forwarder(pool.clone(), hub)
            .await
            .map_err(OpenError::Connect)?;
        Ok(PgStore {
            pool,
            _forwarder: Arc::new(Forwarder(forwarder)),
        })
    }

    pub async fn migrate(&self) -> Result<(), OpenError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// A transaction holding the advisory lock `key` until it ends.
    async fn begin_locked(&self, key: i64) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        Ok(tx)
    }

    pub async fn seed_demo(&self, demo: &DemoData) -> Result<bool, StoreError> {
        let mut tx = self.begin_locked(lock::SEED).await?;
        if shared::has_price_list(&mut tx).await? {
            return Ok(false);
        }
        seed_sql::insert_demo(&mut tx, demo).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(true)
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        shared::ping(&mut *self.pool.acquire().await.map_err(db_err)?).await
    }

    async fn services(&self) -> Result<Vec<ServiceInfo>, StoreError> {
        shared::services(&mut *self.pool.acquire().await.map_err(db_err)?).await
    }

    async fn current_price_list(&self) -> Result<PriceList, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        let now = db_now(&mut conn).await?;
        Ok(shared::load_list(&mut conn, now, false).await?.list)
    }

    async fn publish_price(
        &self,
        item: PricedItem,
        price: Money,
        published_by: &str,
    ) -> Result<PriceList, StoreError> {
        let mut tx = self.begin_locked(lock::PRICE_LIST).await?;
        let now = db_now(&mut tx).await?;
        let (list, event) = shared::publish_in_tx(&mut tx, item, price, published_by, now).await?;
        // Delivered to every listening instance (this one too) only if the commit succeeds.
        let payload =
            serde_json::to_string(&event).map_err(|e| StoreError::Backend(e.to_string()))?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(PG_CHANNEL)
            .bind(payload)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(list)
    }

    async fn price_history(&self, item: PricedItem) -> Result<Vec<PricePoint>, StoreError> {
        shared::price_history(&mut *self.pool.acquire().await.map_err(db_err)?, item).await
    }
}

/// The database's clock. Instances' clocks may drift apart; publishing and reading both
/// ask the one database, so a version is in force for every instance at the same moment.
async fn db_now(conn: &mut sqlx::PgConnection) -> Result<time::OffsetDateTime, StoreError> {
    sqlx::query_scalar("SELECT now()")
        .fetch_one(conn)
        .await
        .map_err(db_err)
}
