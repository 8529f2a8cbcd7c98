//! The SQLite implementation of [`Store`]: the embedded default.

use std::str::FromStr;
use std::time::Duration;

use app::account::{Me, Realm};
use app::booking::{Booking, BookingRequest, Network, PartNeed};
use app::garage::{HistoryEntry, ModelInfo, Vehicle};
use app::pricing::{PricePoint, ServiceInfo};
use app::store::{Store, StoreError};
use async_trait::async_trait;
use domain::discount::{DiscountPolicy, Tier};
use domain::slots::Load;
use domain::{
    CustomerId, Mileage, ModelId, Money, OrderId, PartId, PersonName, Phone, Plate, PriceList,
    PricedItem, Principal, ServiceId, StoreId, VehicleId,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use time::OffsetDateTime;

use super::{db_err, now, OpenError};
use crate::demo::DemoData;
use crate::live::Hub;

/// Row locking for read-then-write transactions: none needed, a `BEGIN IMMEDIATE`
/// transaction already excludes every other writer.
const LOCK_ROWS: &str = "";

type Db = sqlx::Sqlite;

#[allow(clippy::duplicate_mod)]
#[path = "booking_sql.rs"]
mod booking_sql;
#[allow(clippy::duplicate_mod)]
#[path = "seed_sql.rs"]
mod seed_sql;
#[allow(clippy::duplicate_mod)]
#[path = "shared.rs"]
mod shared;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// `FULL` unless `PITLANE_SQLITE_SYNCHRONOUS=normal` (only the booking benchmark sets
/// it, to show what durability costs).
fn synchronous() -> SqliteSynchronous {
    match std::env::var("PITLANE_SQLITE_SYNCHRONOUS").as_deref() {
        Ok("normal") => SqliteSynchronous::Normal,
        _ => SqliteSynchronous::Full,
    }
}

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
            // FULL: a commit is on disk before it is reported, so a confirmed booking
            // survives a power cut (NORMAL in WAL mode may lose the last commits).
            // Its cost is in the booking benchmark.
            .synchronous(synchronous())
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
        shared::set_demo_passwords(&mut tx, &super::demo_password_hash().await?).await?;
        booking_sql::seed_demo_extras(&mut tx, now()).await?;
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

    async fn create_customer(
        &self,
        phone: &Phone,
        name: &PersonName,
        password_hash: &str,
    ) -> Result<CustomerId, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        shared::create_customer(&mut conn, phone, name, password_hash, now()).await
    }

    async fn credentials(
        &self,
        realm: Realm,
        phone: &Phone,
    ) -> Result<Option<(Principal, Option<String>)>, StoreError> {
        shared::credentials(
            &mut *self.pool.acquire().await.map_err(db_err)?,
            realm,
            phone,
        )
        .await
    }

    async fn create_session(
        &self,
        token_hash: &str,
        principal: &Principal,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        shared::create_session(&mut conn, token_hash, principal, now(), expires_at).await
    }

    async fn session(&self, token_hash: &str) -> Result<Option<Me>, StoreError> {
        shared::session(
            &mut *self.pool.acquire().await.map_err(db_err)?,
            token_hash,
            now(),
        )
        .await
    }

    async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        shared::end_session(
            &mut *self.pool.acquire().await.map_err(db_err)?,
            token_hash,
            now(),
        )
        .await
    }

    async fn vehicle_models(&self) -> Result<Vec<ModelInfo>, StoreError> {
        shared::vehicle_models(&mut *self.pool.acquire().await.map_err(db_err)?).await
    }

    async fn vehicles(&self, customer: CustomerId) -> Result<Vec<Vehicle>, StoreError> {
        shared::vehicles(&mut *self.pool.acquire().await.map_err(db_err)?, customer).await
    }

    async fn add_vehicle(
        &self,
        customer: CustomerId,
        plate: &Plate,
        model: ModelId,
        mileage: Mileage,
    ) -> Result<Vehicle, StoreError> {
        let mut tx = self.begin_write().await?;
        let vehicle =
            shared::add_vehicle(&mut tx, customer, plate, model, mileage, now(), LOCK_ROWS).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(vehicle)
    }

    async fn update_vehicle(
        &self,
        customer: CustomerId,
        vehicle: VehicleId,
        model: ModelId,
        mileage: Mileage,
    ) -> Result<Vehicle, StoreError> {
        let mut tx = self.begin_write().await?;
        let vehicle = shared::update_vehicle(&mut tx, customer, vehicle, model, mileage).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(vehicle)
    }

    async fn remove_vehicle(
        &self,
        customer: CustomerId,
        vehicle: VehicleId,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        shared::remove_vehicle(&mut conn, customer, vehicle, now()).await
    }

    async fn vehicle_history(
        &self,
        customer: CustomerId,
        vehicle: VehicleId,
    ) -> Result<(Vehicle, Vec<HistoryEntry>), StoreError> {
        shared::vehicle_history(
            &mut *self.pool.acquire().await.map_err(db_err)?,
            customer,
            vehicle,
        )
        .await
    }
    async fn service_parts(
        &self,
        model: ModelId,
    ) -> Result<Vec<(ServiceId, Result<Vec<PartNeed>, domain::Error>)>, StoreError> {
        booking_sql::service_parts(&mut *self.pool.acquire().await.map_err(db_err)?, model).await
    }

    async fn discount_policies(&self) -> Result<Vec<DiscountPolicy>, StoreError> {
        booking_sql::discount_policies(&mut *self.pool.acquire().await.map_err(db_err)?).await
    }

    async fn publish_policy(
        &self,
        policy: &DiscountPolicy,
        published_by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        booking_sql::insert_policy(&mut tx, policy, published_by, now()).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(())
    }

    async fn customer_tier(&self, customer: CustomerId) -> Result<Tier, StoreError> {
        booking_sql::customer_tier(&mut *self.pool.acquire().await.map_err(db_err)?, customer).await
    }

    async fn network(&self, parts: &[PartId]) -> Result<Network, StoreError> {
        booking_sql::network(&mut *self.pool.acquire().await.map_err(db_err)?, parts).await
    }

    async fn slot_loads(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<(StoreId, Load)>, StoreError> {
        booking_sql::slot_loads(&mut *self.pool.acquire().await.map_err(db_err)?, from, to).await
    }

    async fn book(
        &self,
        customer: CustomerId,
        request: &BookingRequest,
        limits: &domain::BookingLimits,
    ) -> Result<Booking, StoreError> {
        // A concurrent request with the same idempotency key may commit first; the unique
        // key then refuses this one, and the second try replays (or refuses) against it.
        let mut tries = 0;
        loop {
            tries += 1;
            let mut tx = self.begin_write().await?;
            match booking_sql::book_in_tx(&mut tx, customer, request, limits, now(), LOCK_ROWS)
                .await
            {
                Ok((booking, event)) => {
                    tx.commit().await.map_err(db_err)?;
                    if let Some(event) = event {
                        self.hub.publish(event);
                    }
                    return Ok(booking);
                }
                Err(StoreError::Conflict(_)) if tries < 2 => continue,
                Err(e) => return Err(e),
            }
        }
    }

    async fn booking(&self, customer: CustomerId, order: OrderId) -> Result<Booking, StoreError> {
        booking_sql::booking(
            &mut *self.pool.acquire().await.map_err(db_err)?,
            customer,
            order,
        )
        .await
    }

    async fn bookings(&self, customer: CustomerId) -> Result<Vec<Booking>, StoreError> {
        booking_sql::bookings(&mut *self.pool.acquire().await.map_err(db_err)?, customer).await
    }

    async fn cancel_booking(
        &self,
        customer: CustomerId,
        order: OrderId,
    ) -> Result<Booking, StoreError> {
        let mut tx = self.begin_write().await?;
        let (booking, event) =
            booking_sql::cancel_in_tx(&mut tx, customer, order, now(), LOCK_ROWS).await?;
        let event = Some(event);

        tx.commit().await.map_err(db_err)?;
        if let Some(event) = event {
            self.hub.publish(event);
        }
        Ok(booking)
    }
}
