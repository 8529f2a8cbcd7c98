//! [`GarageStorage`]: vehicle models, customers' vehicles and their service history.

use std::collections::HashMap;

use app::garage::{GarageStorage, HistoryEntry, Vehicle, VehicleModel};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::{CustomerId, Mileage, ModelId, Money, OrderId, OrderStatus, Plate, VehicleId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::rows::{get, Conn, DbRow};
use super::{Backend, LOCK_ROWS};
use crate::storage::{db_err, now, transaction, DbTime, Serial};

#[async_trait]
impl GarageStorage for Backend {
    async fn vehicle_models(&self) -> Result<Vec<VehicleModel>, StorageError> {
        let mut conn = self.conn().await?;
        let revs = self.revisions(&mut conn).await?;
        if let Some(models) = self.cache.models.get(revs.catalog) {
            return Ok(models.to_vec());
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MODEL_COLUMNS} FROM vehicle_models m ORDER BY m.brand_en, m.name_en"
        )))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let models: Vec<VehicleModel> = rows.iter().map(model_from).collect::<Result<_, _>>()?;
        Ok(self.cache.models.put(revs.catalog, models).to_vec())
    }

    async fn vehicles(&self, customer: CustomerId) -> Result<Vec<Vehicle>, StorageError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT v.id, v.plate, v.mileage_km, {MODEL_COLUMNS}
             FROM vehicles v JOIN vehicle_models m ON m.id = v.model_id
             WHERE v.customer_id = $1 AND v.removed_at IS NULL
             ORDER BY v.created_at, v.id"
        )))
        .bind(customer.as_uuid())
        .fetch_all(&mut *self.conn().await?)
        .await
        .map_err(db_err)?;
        rows.iter().map(vehicle_from).collect()
    }

    async fn vehicle(
        &self,
        customer: CustomerId,
        vehicle_id: VehicleId,
    ) -> Result<Vehicle, StorageError> {
        vehicle(&mut *self.conn().await?, customer, vehicle_id).await
    }

    async fn add_vehicle(
        &self,
        customer: CustomerId,
        plate: &Plate,
        model: ModelId,
        mileage: Mileage,
    ) -> Result<Vehicle, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let v = add_vehicle(tx, customer, plate, model, mileage, now()).await?;
            // A car on file makes a lead a prospect.
            super::standing::refresh(tx, customer, now()).await?;
            Ok((v, Vec::new()))
        })
    }

    async fn update_vehicle(
        &self,
        customer: CustomerId,
        vehicle_id: VehicleId,
        model: ModelId,
        mileage: Mileage,
    ) -> Result<Vehicle, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let now = now();
            let before: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT mileage_km FROM vehicles
                 WHERE id = $1 AND customer_id = $2 AND removed_at IS NULL{LOCK_ROWS}"
            )))
            .bind(vehicle_id.as_uuid())
            .bind(customer.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            let mut events = Vec::new();
            // A new mileage from the customer is a reading: it moves the car's reminders.
            if before.is_some_and(|km| km != i64::from(mileage.km())) {
                let id = vehicle_id.as_uuid();
                super::workorders::record_reading(tx, id, mileage, None, None, now).await?;
                events = super::followups::reproject_vehicle(tx, id, now).await?;
            }
            let v = update_vehicle(tx, customer, vehicle_id, model, mileage).await?;
            Ok((v, events))
        })
    }

    async fn remove_vehicle(
        &self,
        customer: CustomerId,
        vehicle_id: VehicleId,
    ) -> Result<(), StorageError> {
        let done = sqlx::query(
            "UPDATE vehicles SET removed_at = $1
             WHERE id = $2 AND customer_id = $3 AND removed_at IS NULL",
        )
        .bind(DbTime(now()))
        .bind(vehicle_id.as_uuid())
        .bind(customer.as_uuid())
        .execute(&mut *self.write_conn().await?)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        self.synced().await
    }

    async fn vehicle_history(
        &self,
        customer: CustomerId,
        vehicle_id: VehicleId,
    ) -> Result<Vec<HistoryEntry>, StorageError> {
        vehicle_history(&mut *self.conn().await?, customer, vehicle_id).await
    }
}

pub(super) const MODEL_COLUMNS: &str =
    "m.id AS model_id, m.code AS model_code, m.brand_zh, m.brand_en, m.name_zh AS model_zh, m.name_en AS model_en, m.powertrain";

fn model_from(r: &DbRow) -> Result<VehicleModel, StorageError> {
    Ok(VehicleModel {
        id: ModelId::from(get::<Uuid>(r, "model_id")?),
        code: get(r, "model_code")?,
        brand_zh: get(r, "brand_zh")?,
        brand_en: get(r, "brand_en")?,
        name_zh: get(r, "model_zh")?,
        name_en: get(r, "model_en")?,
        powertrain: get(r, "powertrain")?,
    })
}

/// The `mileage_km` column, as [`Mileage`] accepts it.
fn mileage(r: &DbRow) -> Result<Mileage, StorageError> {
    let km: i64 = get(r, "mileage_km")?;
    u32::try_from(km)
        .ok()
        .and_then(|km| Mileage::from_km(km).ok())
        .ok_or_else(|| StorageError::corrupt(format!("mileage {km}")))
}

pub(super) fn vehicle_from(r: &DbRow) -> Result<Vehicle, StorageError> {
    let plate: String = get(r, "plate")?;
    Ok(Vehicle {
        id: VehicleId::from(get::<Uuid>(r, "id")?),
        plate: Plate::parse(&plate)
            .map_err(|_| StorageError::corrupt(format!("plate {plate:?}")))?,
        model: model_from(r)?,
        mileage: mileage(r)?,
    })
}

/// One vehicle in `customer`'s garage, or [`StorageError::NotFound`].
pub(super) async fn vehicle(
    conn: &mut Conn,
    customer: CustomerId,
    vehicle: VehicleId,
) -> Result<Vehicle, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT v.id, v.plate, v.mileage_km, {MODEL_COLUMNS}
         FROM vehicles v JOIN vehicle_models m ON m.id = v.model_id
         WHERE v.id = $1 AND v.customer_id = $2 AND v.removed_at IS NULL"
    )))
    .bind(vehicle.as_uuid())
    .bind(customer.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    row.as_ref()
        .map(vehicle_from)
        .transpose()?
        .ok_or(StorageError::NotFound)
}

/// Adds or restores a vehicle, inside the caller's write transaction.
async fn add_vehicle(
    conn: &mut Conn,
    customer: CustomerId,
    plate: &Plate,
    model: ModelId,
    mileage: Mileage,
    now: OffsetDateTime,
) -> Result<Vehicle, StorageError> {
    let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, customer_id, removed_at FROM vehicles WHERE plate = $1{LOCK_ROWS}"
    )))
    .bind(plate.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let id = match existing {
        None => {
            let id = VehicleId::new();
            sqlx::query(
                "INSERT INTO vehicles (id, customer_id, model_id, plate, mileage_km, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.as_uuid())
            .bind(customer.as_uuid())
            .bind(model.as_uuid())
            .bind(plate.as_str())
            .bind(i64::from(mileage.km()))
            .bind(DbTime(now))
            .execute(&mut *conn)
            .await
            .map_err(|e| match db_err(e) {
                // Someone added the same plate a moment ago.
                StorageError::Conflict(_) => StorageError::Rule(domain::Error::PlateTaken),
                other => other,
            })?;
            id
        }
        Some(r) => {
            let id: Uuid = get(&r, "id")?;
            let owner: Uuid = get(&r, "customer_id")?;
            let removed: Option<DbTime> = get(&r, "removed_at")?;
            if owner != customer.as_uuid() && removed.is_none() {
                return Err(StorageError::Rule(domain::Error::PlateTaken));
            }
            // Back in the same garage, or in a new owner's after the old one removed it.
            sqlx::query(
                "UPDATE vehicles SET customer_id = $1, model_id = $2, mileage_km = $3, removed_at = NULL
                 WHERE id = $4",
            )
            .bind(customer.as_uuid())
            .bind(model.as_uuid())
            .bind(i64::from(mileage.km()))
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
            VehicleId::from(id)
        }
    };
    vehicle(conn, customer, id).await
}

async fn update_vehicle(
    conn: &mut Conn,
    customer: CustomerId,
    vehicle_id: VehicleId,
    model: ModelId,
    mileage: Mileage,
) -> Result<Vehicle, StorageError> {
    let done = sqlx::query(
        "UPDATE vehicles SET model_id = $1, mileage_km = $2
         WHERE id = $3 AND customer_id = $4 AND removed_at IS NULL",
    )
    .bind(model.as_uuid())
    .bind(i64::from(mileage.km()))
    .bind(vehicle_id.as_uuid())
    .bind(customer.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StorageError::NotFound);
    }
    vehicle(conn, customer, vehicle_id).await
}

async fn vehicle_history(
    conn: &mut Conn,
    customer: CustomerId,
    vehicle_id: VehicleId,
) -> Result<Vec<HistoryEntry>, StorageError> {
    // Only this customer's orders: a car bought second-hand does not show its old
    // owner's visits.
    let rows = sqlx::query(
        "SELECT o.id, o.reference, o.status, o.created_at, o.mileage_km, o.total_fen,
                l.name_zh, l.name_en
         FROM orders o JOIN locations l ON l.id = o.store_id
         WHERE o.vehicle_id = $1 AND o.customer_id = $2
         ORDER BY o.created_at DESC, o.id DESC",
    )
    .bind(vehicle_id.as_uuid())
    .bind(customer.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let lines = sqlx::query(
        "SELECT ol.order_id, s.name_zh, s.name_en
         FROM order_lines ol
         JOIN orders o ON o.id = ol.order_id
         JOIN services s ON s.id = ol.item_id
         WHERE ol.item_kind = 'service' AND o.vehicle_id = $1 AND o.customer_id = $2
         ORDER BY ol.order_id, ol.line_no",
    )
    .bind(vehicle_id.as_uuid())
    .bind(customer.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut services: HashMap<Uuid, Vec<(String, String)>> = HashMap::new();
    for l in &lines {
        services
            .entry(get(l, "order_id")?)
            .or_default()
            .push((get(l, "name_zh")?, get(l, "name_en")?));
    }
    rows.iter()
        .map(|r| {
            let id: Uuid = get(r, "id")?;
            let status: String = get(r, "status")?;
            Ok(HistoryEntry {
                order: OrderId::from(id),
                reference: get(r, "reference")?,
                store_zh: get(r, "name_zh")?,
                store_en: get(r, "name_en")?,
                status: OrderStatus::parse(&status)
                    .ok_or_else(|| StorageError::corrupt(format!("order status {status:?}")))?,
                created_at: get::<DbTime>(r, "created_at")?.0,
                mileage: mileage(r)?,
                total: Money::from_fen(get(r, "total_fen")?),
                services: services.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}
