//! The SQLite implementation of [`Store`]: the embedded default.

use std::str::FromStr;
use std::time::Duration;

use app::pricing::{PricePoint, ServiceInfo};
use app::store::{Store, StoreError};
use async_trait::async_trait;
use domain::{Money, PriceList, PricedItem};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use super::{db_err, now, OpenError};
use crate::demo::DemoData;
use crate::live::Hub;

type Db = sqlx::Sqlite;

#[allow(clippy::duplicate_mod)]
#[path = "seed_sql.rs"]
mod seed_sql;
#[allow(clippy::duplicate_mod)]
#[path = "shared.rs"]
mod shared;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    hub: Hub,
}

impl SqliteStore {
    pub async fn connect(url: &str, hub: Hub) -> Result<SqliteStore, OpenError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(OpenError::Connect)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(OpenError::Connect)?;
        Ok(SqliteStore { pool, hub })
    }

    pub async fn migrate(&self) -> Result<(), OpenError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// A write transaction that takes SQLite's write lock up front: a deferred one that
    /// upgrades later fails at once with SQLITE_BUSY instead of waiting.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_err)
    }

    pub async fn seed_demo(&self, demo: &DemoData) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        if shared::has_price_list(&mut tx).await? {
            return Ok(false);
        }
        seed_sql::insert_demo(&mut tx, demo).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(true)
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        shared::ping(&mut *self.pool.acquire().await.map_err(db_err)?).await
    }

    async fn services(&self) -> Result<Vec<ServiceInfo>, StoreError> {
        shared::services(&mut *self.pool.acquire().await.map_err(db_err)?).await
    }

    async fn current_price_list(&self) -> Result<PriceList, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        Ok(shared::load_list(&mut conn, now(), false).await?.list)
    }

    async fn publish_price(
        &self,
        item: PricedItem,
        price: Money,
        published_by: &str,
    ) -> Result<PriceList, StoreError> {
        let mut tx = self.begin_write().await?;
        let (list, event) =
            shared::publish_in_tx(&mut tx, item, price, published_by, now()).await?;
        tx.commit().await.map_err(db_err)?;
        self.hub.publish(event);
        Ok(list)
    }

    async fn price_history(&self, item: PricedItem) -> Result<Vec<PricePoint>, StoreError> {
        shared::price_history(&mut *self.pool.acquire().await.map_err(db_err)?, item).await
    }
}
