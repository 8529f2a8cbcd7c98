//! [`KpiStorage`]: each store's day in figures, counted from its orders, its bays and
//! its opening hours. Every instant is put on its local (Hangzhou) day here, once; the
//! ratios and the weeks are [`domain::kpi`]'s.

use std::collections::BTreeMap;

use app::kpi::KpiStorage;
use app::storage::StorageError;
use async_trait::async_trait;
use domain::kpi::{bay_minutes, Day};
use domain::local_time::{at_local_minute, local_date};
use domain::slots::OpeningHours;
use domain::{Money, StoreId};
use time::{Date, Duration};
use uuid::Uuid;

use super::rows::{get, small};
use super::Backend;
use crate::storage::{db_err, DbTime};

#[async_trait]
impl KpiStorage for Backend {
    async fn days(&self, from: Date, to: Date) -> Result<Vec<(StoreId, Vec<Day>)>, StorageError> {
        let mut conn = self.conn().await?;
        let count = usize::try_from((to - from).whole_days()).unwrap_or(0);
        let (start, end) = (DbTime(at_local_minute(from, 0)), DbTime(at_local_minute(to, 0)));
        let mut stores: BTreeMap<Uuid, Vec<Day>> = BTreeMap::new();
        let mut bays: BTreeMap<Uuid, u32> = BTreeMap::new();
        for r in sqlx::query("SELECT id, bays FROM locations WHERE kind = 'store'")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
        {
            let id: Uuid = get(&r, "id")?;
            bays.insert(id, small(&r, "bays")?);
            let days = (0..count)
                .map(|i| Day {
                    day: Some(from + Duration::days(i64::try_from(i).unwrap_or(0))),
                    ..Day::default()
                })
                .collect();
            stores.insert(id, days);
        }
        let mut hours: BTreeMap<(Uuid, u8), OpeningHours> = BTreeMap::new();
        for r in sqlx::query("SELECT location_id, weekday, opens_min, closes_min FROM opening_hours")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
        {
            let weekday: u8 = small(&r, "weekday")?;
            let Some(day) = domain::settings::weekday_from_iso(weekday) else {
                return Err(StorageError::corrupt(format!("weekday {weekday}")));
            };
            hours.insert(
                (get(&r, "location_id")?, weekday),
                OpeningHours {
                    weekday: day,
                    opens_min: small(&r, "opens_min")?,
                    closes_min: small(&r, "closes_min")?,
                },
            );
        }
        for (id, days) in stores.iter_mut() {
            for d in days.iter_mut() {
                if let Some(day) = d.day {
                    let opening = hours.get(&(*id, day.weekday().number_from_monday())).copied();
                    d.open_min = bay_minutes(bays.get(id).copied().unwrap_or(0), opening);
                }
            }
        }
        let rows = |sql: &'static str| sqlx::query(sql).bind(start).bind(end);
        for r in rows("SELECT store_id, created_at AS at FROM orders WHERE created_at >= $1 AND created_at < $2")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
        {
            if let Some(d) = on_day(&mut stores, from, get(&r, "store_id")?, get(&r, "at")?) {
                d.bookings += 1;
            }
        }
        for r in rows("SELECT store_id, cancelled_at AS at FROM orders WHERE cancelled_at >= $1 AND cancelled_at < $2")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
        {
            if let Some(d) = on_day(&mut stores, from, get(&r, "store_id")?, get(&r, "at")?) {
                d.cancelled += 1;
            }
        }
        for r in rows(
            "SELECT store_id, completed_at AS at, total_fen FROM orders
             WHERE status = 'handed_over' AND completed_at >= $1 AND completed_at < $2",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let fen: i64 = get(&r, "total_fen")?;
            if let Some(d) = on_day(&mut stores, from, get(&r, "store_id")?, get(&r, "at")?) {
                d.revenue = Money::from_fen(d.revenue.fen().saturating_add(fen));
            }
        }
        for r in rows(
            "SELECT store_id, scheduled_start AS at, scheduled_end FROM orders
             WHERE status <> 'cancelled' AND scheduled_start >= $1 AND scheduled_start < $2",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let at: DbTime = get(&r, "at")?;
            let until: Option<DbTime> = get(&r, "scheduled_end")?;
            let minutes = until.map_or(0, |u| (u.0 - at.0).whole_minutes().max(0));
            if let Some(d) = on_day(&mut stores, from, get(&r, "store_id")?, at) {
                d.booked_min += u32::try_from(minutes).unwrap_or(0);
            }
        }
        for r in rows(
            "SELECT store_id, checked_in_at AS at, parts_ready FROM orders
             WHERE parts_ready IS NOT NULL AND checked_in_at >= $1 AND checked_in_at < $2",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let ready: bool = get(&r, "parts_ready")?;
            if let Some(d) = on_day(&mut stores, from, get(&r, "store_id")?, get(&r, "at")?) {
                d.arrivals_with_parts += 1;
                d.parts_ready += u32::from(ready);
            }
        }
        Ok(stores
            .into_iter()
            .map(|(id, days)| (StoreId::from(id), days))
            .collect())
    }
}

/// The figures of `store` on the local day of `at`, if it falls in the period from
/// `from`.
fn on_day(
    stores: &mut BTreeMap<Uuid, Vec<Day>>,
    from: Date,
    store: Uuid,
    at: DbTime,
) -> Option<&mut Day> {
    let index = usize::try_from((local_date(at.0) - from).whole_days()).ok()?;
    stores.get_mut(&store)?.get_mut(index)
}
