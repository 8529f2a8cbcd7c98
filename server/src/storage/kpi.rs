//! [`KpiStorage`]: each store's day in figures, from its bays, its opening hours and its
//! orders: the orders with something in the period are read once, and
//! [`domain::kpi::tally`] puts each fact on its local (Hangzhou) day.

use std::collections::BTreeMap;

use app::kpi::KpiStorage;
use app::storage::StorageError;
use async_trait::async_trait;
use futures::TryStreamExt;
use domain::kpi::{bay_minutes, tally, Day, OrderFacts};
use domain::local_time::at_local_minute;
use domain::order::OrderStatus;
use domain::slots::OpeningHours;
use domain::{Money, StoreId};
use time::{Date, Duration};
use uuid::Uuid;

use super::rows::{get, small, DbRow};
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
        // The orders with something in the period; what counts on which day is the
        // domain's (`tally`).
        let mut orders = sqlx::query(
            "SELECT store_id, status, created_at, cancelled_at, completed_at, total_fen,
                    scheduled_start, scheduled_end, checked_in_at, parts_ready
             FROM orders WHERE id IN (
                 SELECT id FROM orders WHERE created_at >= $1 AND created_at < $2
                 UNION SELECT id FROM orders WHERE cancelled_at >= $1 AND cancelled_at < $2
                 UNION SELECT id FROM orders WHERE completed_at >= $1 AND completed_at < $2
                 UNION SELECT id FROM orders WHERE scheduled_start >= $1 AND scheduled_start < $2
                 UNION SELECT id FROM orders WHERE checked_in_at >= $1 AND checked_in_at < $2)",
        )
        .bind(start)
        .bind(end)
        .fetch(&mut *conn);
        let at = |r: &DbRow, column: &str| get::<Option<DbTime>>(r, column).map(|t| t.map(|t| t.0));
        while let Some(r) = orders.try_next().await.map_err(db_err)? {
            let Some(days) = stores.get_mut(&get::<Uuid>(&r, "store_id")?) else {
                continue;
            };
            let status: String = get(&r, "status")?;
            let scheduled = match at(&r, "scheduled_start")? {
                Some(start) => Some((start, at(&r, "scheduled_end")?)),
                None => None,
            };
            let facts = OrderFacts {
                status: OrderStatus::parse(&status)
                    .ok_or_else(|| StorageError::corrupt(format!("status {status:?}")))?,
                created_at: get::<DbTime>(&r, "created_at")?.0,
                cancelled_at: at(&r, "cancelled_at")?,
                completed_at: at(&r, "completed_at")?,
                total: Money::from_fen(get(&r, "total_fen")?),
                scheduled,
                checked_in_at: at(&r, "checked_in_at")?,
                parts_ready: get(&r, "parts_ready")?,
            };
            tally(days, from, &facts);
        }
        drop(orders);
        Ok(stores
            .into_iter()
            .map(|(id, days)| (StoreId::from(id), days))
            .collect())
    }
}
