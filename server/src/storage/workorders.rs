//! [`WorkOrderStorage`]: a store's board, and moving its work orders step by step.
//!
//! A step is decided by [`OrderStatus::after`] on the status read under a row lock and
//! written with `WHERE status = <that status>`, so of two devices pressing at once one
//! moves the order and the other gets a conflict, on either database.

use std::collections::HashMap;

use app::live::LiveEvent;
use app::reception::Named;
use app::storage::StorageError;
use app::workorders::{Advance, BoardStaff, WorkOrderCard, WorkOrderStorage};
use async_trait::async_trait;
use domain::order::Step;
use domain::{CustomerId, Mileage, OrderId, OrderStatus, StaffId, StaffRole, StoreId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::rows::{append_event, get, small, Conn, DbRow};
use super::{Backend, LOCK_ROWS};
use crate::storage::{db_err, now, transaction, DbTime, Serial};

#[async_trait]
impl WorkOrderStorage for Backend {
    async fn board(
        &self,
        store: StoreId,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<(Vec<WorkOrderCard>, Vec<BoardStaff>), StorageError> {
        let mut conn = self.conn().await?;
        // Scheduled this day; still open from an earlier one; finished this day.
        let rows = sqlx::query(
            "SELECT o.id, o.reference, o.status, o.customer_id, o.scheduled_start, o.responsible_id,
                    o.concerns, o.mileage_km, v.plate, c.name_zh, c.name_en
             FROM orders o
             JOIN vehicles v ON v.id = o.vehicle_id
             JOIN customers c ON c.id = o.customer_id
             WHERE o.store_id = $1
               AND ((o.scheduled_start >= $2 AND o.scheduled_start < $3)
                    OR (o.status IN ('checked_in', 'in_bay', 'quality_check', 'ready')
                        AND o.scheduled_start < $2)
                    OR (o.status = 'handed_over' AND o.completed_at >= $2 AND o.completed_at < $3))
             ORDER BY o.scheduled_start, o.reference",
        )
        .bind(store.as_uuid())
        .bind(DbTime(from))
        .bind(DbTime(to))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let mut services: HashMap<Uuid, Vec<Named>> = HashMap::new();
        for l in sqlx::query(
            "SELECT ol.order_id, s.name_zh, s.name_en
             FROM order_lines ol
             JOIN orders o ON o.id = ol.order_id
             JOIN services s ON s.id = ol.item_id
             WHERE ol.item_kind = 'service' AND o.store_id = $1
               AND ((o.scheduled_start >= $2 AND o.scheduled_start < $3)
                    OR (o.status IN ('checked_in', 'in_bay', 'quality_check', 'ready')
                        AND o.scheduled_start < $2)
                    OR (o.status = 'handed_over' AND o.completed_at >= $2 AND o.completed_at < $3))
             ORDER BY ol.order_id, ol.line_no",
        )
        .bind(store.as_uuid())
        .bind(DbTime(from))
        .bind(DbTime(to))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        {
            services
                .entry(get(l, "order_id")?)
                .or_default()
                .push(Named {
                    zh: get(l, "name_zh")?,
                    en: get(l, "name_en")?,
                });
        }
        let orders = rows
            .iter()
            .map(|r| card(r, &mut services))
            .collect::<Result<Vec<_>, _>>()?;
        let staff = sqlx::query(
            "SELECT id, name_zh, name_en, role FROM staff
             WHERE location_id = $1 AND deactivated_at IS NULL
             ORDER BY CASE role WHEN 'store_manager' THEN 0 WHEN 'service_advisor' THEN 1 ELSE 2 END,
                      name_en, id",
        )
        .bind(store.as_uuid())
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|s| {
            let role: String = get(s, "role")?;
            Ok(BoardStaff {
                id: StaffId::from(get::<Uuid>(s, "id")?),
                name: Named {
                    zh: get(s, "name_zh")?,
                    en: get(s, "name_en")?,
                },
                role: StaffRole::parse(&role)
                    .ok_or_else(|| StorageError::corrupt(format!("staff role {role:?}")))?,
            })
        })
        .collect::<Result<_, StorageError>>()?;
        Ok((orders, staff))
    }

    async fn advance(
        &self,
        store: StoreId,
        order: OrderId,
        advance: &Advance,
        by: StaffId,
    ) -> Result<OrderStatus, StorageError> {
        let step = match advance {
            Advance::CheckIn { .. } => Step::CheckIn,
            Advance::Step(step) => *step,
        };
        transaction!(self, Serial::Rows, |tx| {
            let now = now();
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT status, customer_id, vehicle_id FROM orders
                 WHERE id = $1 AND store_id = $2{LOCK_ROWS}"
            )))
            .bind(order.as_uuid())
            .bind(store.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            let before = status(&row)?;
            let after = before.after(step)?;
            let mut events = Vec::new();
            if step == Step::Cancel {
                // As the customer's own cancellation: capacity and parts released.
                let customer = CustomerId::from(get::<Uuid>(&row, "customer_id")?);
                let (_, released) = super::booking::cancel_in_tx(tx, customer, order, now).await?;
                events.extend(released);
            } else {
                if let Advance::CheckIn { mileage, concerns } = advance {
                    let vehicle: Uuid = get(&row, "vehicle_id")?;
                    check_in(tx, vehicle, *mileage, store, by, now).await?;
                    sqlx::query(
                        "UPDATE orders SET mileage_km = $1, concerns = $2, checked_in_at = $3,
                                responsible_id = COALESCE(responsible_id, $4)
                         WHERE id = $5",
                    )
                    .bind(i64::from(mileage.km()))
                    .bind(concerns.as_ref().map(|c| c.as_str()))
                    .bind(DbTime(now))
                    .bind(by.as_uuid())
                    .bind(order.as_uuid())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                let moved = sqlx::query(
                    "UPDATE orders SET status = $1, status_changed_at = $2,
                            completed_at = CASE WHEN $1 = 'handed_over' THEN $2 ELSE completed_at END,
                            qc_failures = qc_failures + $3
                     WHERE id = $4 AND status = $5",
                )
                .bind(after.code())
                .bind(DbTime(now))
                .bind(i64::from(step == Step::FailQc))
                .bind(order.as_uuid())
                .bind(before.code())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                if moved.rows_affected() != 1 {
                    return Err(StorageError::Conflict("the work order moved meanwhile".into()));
                }
            }
            let event = LiveEvent::BoardChanged { store };
            append_event(tx, &event, now).await?;
            events.push(event);
            Ok((after, events))
        })
    }

    async fn assign(
        &self,
        store: StoreId,
        order: OrderId,
        staff: StaffId,
    ) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let person = sqlx::query(
                "SELECT 1 AS one FROM staff WHERE id = $1 AND location_id = $2 AND deactivated_at IS NULL",
            )
            .bind(staff.as_uuid())
            .bind(store.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            if person.is_none() {
                return Err(StorageError::NotFound);
            }
            let done = sqlx::query(
                "UPDATE orders SET responsible_id = $1
                 WHERE id = $2 AND store_id = $3
                   AND status IN ('booked', 'checked_in', 'in_bay', 'quality_check', 'ready')",
            )
            .bind(staff.as_uuid())
            .bind(order.as_uuid())
            .bind(store.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if done.rows_affected() == 0 {
                return Err(StorageError::NotFound);
            }
            let event = LiveEvent::BoardChanged { store };
            append_event(tx, &event, now()).await?;
            Ok(((), vec![event]))
        })
    }
}

fn status(r: &DbRow) -> Result<OrderStatus, StorageError> {
    let status: String = get(r, "status")?;
    OrderStatus::parse(&status).ok_or_else(|| StorageError::corrupt(format!("status {status:?}")))
}

fn card(r: &DbRow, services: &mut HashMap<Uuid, Vec<Named>>) -> Result<WorkOrderCard, StorageError> {
    let id: Uuid = get(r, "id")?;
    Ok(WorkOrderCard {
        id: OrderId::from(id),
        reference: get(r, "reference")?,
        status: status(r)?,
        customer: Named {
            zh: get(r, "name_zh")?,
            en: get(r, "name_en")?,
        },
        customer_id: CustomerId::from(get::<Uuid>(r, "customer_id")?),
        plate: get(r, "plate")?,
        services: services.remove(&id).unwrap_or_default(),
        scheduled_start: get::<Option<DbTime>>(r, "scheduled_start")?.map(|t| t.0),
        responsible: get::<Option<Uuid>>(r, "responsible_id")?.map(StaffId::from),
        concerns: get(r, "concerns")?,
        mileage_km: small(r, "mileage_km")?,
    })
}

/// Records a check-in reading: never below the car's last recorded one (the domain
/// decides on the last reading read here); the car's mileage follows it.
async fn check_in(
    conn: &mut Conn,
    vehicle: Uuid,
    mileage: Mileage,
    store: StoreId,
    by: StaffId,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let last: Option<i64> = sqlx::query(
        "SELECT km FROM mileage_readings WHERE vehicle_id = $1 ORDER BY read_at DESC, km DESC LIMIT 1",
    )
    .bind(vehicle)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .map(|r| get(&r, "km"))
    .transpose()?;
    let last = last
        .map(|km| {
            u32::try_from(km)
                .ok()
                .and_then(|km| Mileage::from_km(km).ok())
                .ok_or_else(|| StorageError::corrupt(format!("reading {km}")))
        })
        .transpose()?;
    let reading = domain::odometer::next_reading(last, mileage)?;
    sqlx::query(
        "INSERT INTO mileage_readings (id, vehicle_id, km, read_at, store_id, staff_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::now_v7())
    .bind(vehicle)
    .bind(i64::from(reading.km()))
    .bind(DbTime(now))
    .bind(store.as_uuid())
    .bind(by.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    sqlx::query("UPDATE vehicles SET mileage_km = $1 WHERE id = $2")
        .bind(i64::from(reading.km()))
        .bind(vehicle)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}
