//! The PostgreSQL implementation of [`Store`]: how Pitlane runs on several instances.

use std::sync::Arc;
use std::time::Duration;

use app::account::{Me, Realm};
use app::booking::{Booking, BookingRequest, Network, PartNeed};
use app::garage::{HistoryEntry, ModelInfo, Vehicle};
use app::live::LiveEvent;
use app::pricing::{PricePoint, ServiceInfo};
use app::store::{Store, StoreError};
use async_trait::async_trait;
use domain::discount::{DiscountPolicy, Tier};
use domain::slots::Load;
use domain::{
    CustomerId, Mileage, ModelId, Money, OrderId, PartId, PersonName, Phone, Plate, PriceList,
    PricedItem, Principal, ServiceId, StoreId, VehicleId,
};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use time::OffsetDateTime;

use super::{db_err, now, OpenError};
use crate::demo::DemoData;
use crate::live::{Hub, PG_CHANNEL};

/// Row locking for read-then-write transactions.
const LOCK_ROWS: &str = " FOR UPDATE";

type Db = sqlx::Postgres;

#[allow(clippy::duplicate_mod)]
#[path = "booking_sql.rs"]
mod booking_sql;
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

    /// A plain read-committed transaction; rows it reads to decide are locked with
    /// [`LOCK_ROWS`].
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
        self.pool.begin().await.map_err(db_err)
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
        shared::set_demo_passwords(&mut tx, &super::demo_password_hash().await?).await?;
        booking_sql::seed_demo_extras(&mut tx, now()).await?;
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
        notify(&mut tx, &event).await?;
        tx.commit().await.map_err(db_err)?;
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
                    if let Some(event) = &event {
                        notify(&mut tx, event).await?;
                    }
                    tx.commit().await.map_err(db_err)?;

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
        if let Some(event) = &event {
            notify(&mut tx, event).await?;
        }
        tx.commit().await.map_err(db_err)?;

        Ok(booking)
    }
}

/// Queues `event` for every listening instance (this one too); PostgreSQL delivers it
/// only if the transaction commits.
async fn notify(conn: &mut sqlx::PgConnection, event: &LiveEvent) -> Result<(), StoreError> {
    let payload = serde_json::to_string(event).map_err(|e| StoreError::Backend(e.to_string()))?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(PG_CHANNEL)
        .bind(payload)
        .execute(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The database's clock. Instances' clocks may drift apart; publishing and reading both
/// ask the one database, so a version is in force for every instance at the same moment.
async fn db_now(conn: &mut sqlx::PgConnection) -> Result<time::OffsetDateTime, StoreError> {
    sqlx::query_scalar("SELECT now()")
        .fetch_one(conn)
        .await
        .map_err(db_err)
}
