//! [`SettingsStorage`]: a store's opening hours and bays, and the bookings they no
//! longer fit.
//!
//! Saving replaces the store's bays and its week of hours in one transaction. The
//! revision triggers on `locations` and `opening_hours` bump the network revision in
//! that same transaction, so no cached network outlives the change, and a booking
//! that read the network before it decides again on the new one (see
//! [`super::booking`]). Bookings are never touched: which of them no longer fit is
//! worked out on every read by [`domain::settings::stranded`].

use std::collections::HashMap;

use app::live::LiveEvent;
use app::settings::{SettingsStorage, StoreSettings, StrandedBooking};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::settings::{is_movable, stranded, weekday_from_iso, Bays, Held, WeeklyHours};
use domain::slots::OpeningHours;
use domain::{CustomerId, OrderId, OrderStatus, StoreId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::rows::{append_event, get, named, small, Conn};
use super::Backend;
use crate::storage::{db_err, now, transaction, DbTime, Serial};

#[async_trait]
impl SettingsStorage for Backend {
    async fn settings(&self, store: StoreId) -> Result<StoreSettings, StorageError> {
        let mut conn = self.conn().await?;
        read(&mut conn, store, now()).await
    }

    async fn save_settings(
        &self,
        store: StoreId,
        hours: &WeeklyHours,
        bays: Bays,
    ) -> Result<StoreSettings, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let now = now();
            let done = sqlx::query("UPDATE locations SET bays = $1 WHERE id = $2 AND kind = 'store'")
                .bind(i64::from(bays.get()))
                .bind(store.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            if done.rows_affected() == 0 {
                return Err(StorageError::NotFound);
            }
            sqlx::query("DELETE FROM opening_hours WHERE location_id = $1")
                .bind(store.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            for h in hours.as_slice() {
                sqlx::query(
                    "INSERT INTO opening_hours (location_id, weekday, opens_min, closes_min)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(store.as_uuid())
                .bind(i64::from(h.weekday.number_from_monday()))
                .bind(i64::from(h.opens_min))
                .bind(i64::from(h.closes_min))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            }
            // Customers' slot grids and the store's settings pages fetch again. Not
            // `KioskChanged`: the kiosk's device and staff did not change, and that
            // event rebuilds every section of the store's iPads.
            let event = LiveEvent::AvailabilityChanged {
                stores: vec![store],
            };
            append_event(tx, &event, now).await?;
            Ok((read(tx, store, now).await?, vec![event]))
        })
    }
}

/// The store's settings as they are, and its bookings from `now` on that they no
/// longer fit.
pub(super) async fn read(
    conn: &mut Conn,
    store: StoreId,
    now: OffsetDateTime,
) -> Result<StoreSettings, StorageError> {
    let location = sqlx::query(
        "SELECT l.bays,
                (SELECT COUNT(*) FROM staff st
                 WHERE st.location_id = l.id AND st.role = 'technician'
                   AND st.deactivated_at IS NULL) AS technicians
         FROM locations l WHERE l.id = $1 AND l.kind = 'store'",
    )
    .bind(store.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StorageError::NotFound)?;
    let bays = Bays::new(small(&location, "bays")?)
        .map_err(|_| StorageError::corrupt("a store's bays"))?;
    let technicians: u32 = small(&location, "technicians")?;
    let hours = sqlx::query("SELECT weekday, opens_min, closes_min FROM opening_hours WHERE location_id = $1")
        .bind(store.as_uuid())
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            let day = small::<u8>(r, "weekday")?;
            let weekday = weekday_from_iso(day)
                .ok_or_else(|| StorageError::corrupt(format!("weekday {day}")))?;
            OpeningHours::new(weekday, small(r, "opens_min")?, small(r, "closes_min")?)
                .map_err(|_| StorageError::corrupt("opening hours"))
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    let hours = WeeklyHours::new(hours).map_err(|_| StorageError::corrupt("opening hours"))?;
    // Every order that still holds capacity from now on; which of the flagged ones are
    // listed is the domain's ([`is_movable`]).
    let rows = sqlx::query(
        "SELECT o.id, o.reference, o.status, o.customer_id, o.scheduled_start, o.scheduled_end,
                o.created_at, v.plate, c.name_zh, c.name_en
         FROM orders o
         JOIN vehicles v ON v.id = o.vehicle_id
         JOIN customers c ON c.id = o.customer_id
         WHERE o.store_id = $1 AND o.scheduled_end > $2
           AND o.status NOT IN ('cancelled', 'handed_over')
         ORDER BY o.scheduled_start, o.reference",
    )
    .bind(store.as_uuid())
    .bind(DbTime(now))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let held = rows
        .iter()
        .map(|r| {
            Ok(Held {
                order: OrderId::from(get::<Uuid>(r, "id")?),
                start: get::<DbTime>(r, "scheduled_start")?.0,
                end: get::<DbTime>(r, "scheduled_end")?.0,
                booked_at: get::<DbTime>(r, "created_at")?.0,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    let flags: HashMap<OrderId, domain::settings::Strand> =
        stranded(hours.as_slice(), domain::slots::capacity(bays.get(), technicians), &held)
            .into_iter()
            .collect();
    let mut out = Vec::new();
    let mut ids = Vec::new();
    for r in &rows {
        let order = OrderId::from(get::<Uuid>(r, "id")?);
        let status: String = get(r, "status")?;
        let Some(reason) = flags.get(&order) else {
            continue;
        };
        let status = OrderStatus::parse(&status)
            .ok_or_else(|| StorageError::corrupt(format!("status {status:?}")))?;
        if !is_movable(status) {
            continue;
        }
        ids.push(order.as_uuid());
        out.push(StrandedBooking {
            order,
            reference: get(r, "reference")?,
            customer_id: CustomerId::from(get::<Uuid>(r, "customer_id")?),
            customer: named(r, "name_zh", "name_en")?,
            plate: get(r, "plate")?,
            services: Vec::new(),
            start: get::<DbTime>(r, "scheduled_start")?.0,
            reason: *reason,
        });
    }
    let mut services = super::workorders::services_of(conn, &ids).await?;
    for b in &mut out {
        b.services = services
            .remove(&b.order.as_uuid())
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.name)
            .collect();
    }
    Ok(StoreSettings {
        hours,
        bays,
        technicians,
        stranded: out,
    })
}
