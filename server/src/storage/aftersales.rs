//! [`AfterSalesStorage`]: HQ's per-store figures over a period, each an aggregate query
//! grouped by store; the measures over them are [`domain::aftersales`]'s, and how far an
//! open case has escalated is [`domain::cases::escalation`]'s.
//!
//! What falls in the period: follow-ups by their due day; satisfaction answers and praise
//! by when they were given; class moves by when they happened; campaigns by when they
//! started. A customer's store is [`super::campaigns::STORE_OF`] (that of their latest
//! order), so the mix of a store is its customers' today.

use std::collections::BTreeMap;

use app::followup::report::{
    AfterSalesStorage, CampaignFigures, PraiseRow, StoreFigures, PRAISE_SHOWN,
};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::aftersales::Period;
use domain::cases::{CaseStatus, Escalation};
use domain::lifecycle::ValueClass;
use domain::local_time::{at_local_minute, local_date};
use domain::{Money, StoreId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::campaigns::STORE_OF;
use super::followups::day;
use super::standing::class_of;
use super::rows::{get, named, small, DbRow};
use super::Backend;
use crate::storage::{db_err, DbTime};

fn class_index(code: &str) -> Result<usize, StorageError> {
    ValueClass::ALL
        .iter()
        .position(|c| c.code() == code)
        .ok_or_else(|| StorageError::corrupt(format!("class {code:?}")))
}

/// A store's row, made on first use; customers with no store yet get a row without a
/// name, which the caller names.
fn entry(by: &mut BTreeMap<Option<Uuid>, StoreFigures>, store: Option<Uuid>) -> &mut StoreFigures {
    by.entry(store).or_insert_with(|| StoreFigures {
        store: store.map(StoreId::from),
        ..StoreFigures::default()
    })
}

fn store_of(r: &DbRow, column: &str) -> Result<Option<Uuid>, StorageError> {
    get::<Option<Uuid>>(r, column)
}

#[async_trait]
impl AfterSalesStorage for Backend {
    async fn figures(
        &self,
        period: Period,
        now: OffsetDateTime,
    ) -> Result<(Vec<StoreFigures>, Vec<PraiseRow>), StorageError> {
        let today = local_date(now);
        let first = period.first_day(today);
        let since = at_local_minute(first, 0);
        let mut conn = self.conn().await?;
        let mut by: BTreeMap<Option<Uuid>, StoreFigures> = BTreeMap::new();
        let mut order: Vec<Option<Uuid>> = Vec::new();
        for r in sqlx::query(
            "SELECT id, name_zh, name_en FROM locations WHERE kind = 'store' ORDER BY code",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let id: Uuid = get(&r, "id")?;
            order.push(Some(id));
            by.insert(
                Some(id),
                StoreFigures {
                    store: Some(StoreId::from(id)),
                    name: named(&r, "name_zh", "name_en")?,
                    ..StoreFigures::default()
                },
            );
        }

        // Follow-ups that fell due in the period, by how they stand.
        for r in sqlx::query(
            "SELECT store_id, status, COUNT(*) AS n FROM followups
             WHERE due_on >= $1 AND due_on <= $2 AND status <> 'superseded'
             GROUP BY store_id, status",
        )
        .bind(day(first))
        .bind(day(today))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let n: u32 = small(&r, "n")?;
            let f = &mut entry(&mut by, store_of(&r, "store_id")?).followups;
            match get::<String>(&r, "status")?.as_str() {
                "done" => f.done += n,
                "missed" => f.missed += n,
                "unreachable" => f.unreachable += n,
                _ => f.open += n,
            }
        }

        // Satisfaction calls answered in the period.
        for r in sqlx::query(
            "SELECT store_id, COUNT(*) AS answered, COUNT(rating) AS ratings,
                    CAST(COALESCE(SUM(rating), 0) AS BIGINT) AS rating_sum,
                    SUM(CASE WHEN outcome = 'complaint' THEN 1 ELSE 0 END) AS complaints
             FROM followups
             WHERE kind = 'satisfaction' AND outcome IS NOT NULL AND closed_at >= $1
             GROUP BY store_id",
        )
        .bind(DbTime(since))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let s = &mut entry(&mut by, store_of(&r, "store_id")?).satisfaction;
            s.answered += small::<u32>(&r, "answered")?;
            s.ratings += small::<u32>(&r, "ratings")?;
            s.rating_sum += small::<u32>(&r, "rating_sum")?;
            s.complaints += small::<u32>(&r, "complaints")?;
        }

        // Open cases, by how far each has escalated now.
        for r in sqlx::query("SELECT store_id, deadline FROM cases WHERE status = 'open'")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
        {
            let deadline = get::<DbTime>(&r, "deadline")?.0;
            let level = match domain::cases::escalation(CaseStatus::Open, deadline, now) {
                Escalation::Owner => 0,
                Escalation::StoreManager => 1,
                Escalation::Hq => 2,
            };
            entry(&mut by, store_of(&r, "store_id")?).cases[level] += 1;
        }

        // The class mix of each store's customers, and the moves in the period.
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT m.store, m.value_class, COUNT(*) AS n
             FROM (SELECT {STORE_OF} AS store, c.value_class FROM customers c) m
             GROUP BY m.store, m.value_class"
        )))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let i = class_index(&get::<String>(&r, "value_class")?)?;
            entry(&mut by, store_of(&r, "store")?).mix[i] += small::<u32>(&r, "n")?;
        }
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT m.store, h.from_class, h.to_class, COUNT(*) AS n
             FROM standing_changes h
             JOIN (SELECT c.id, {STORE_OF} AS store FROM customers c) m ON m.id = h.customer_id
             WHERE h.at >= $1 AND h.from_class IS NOT NULL AND h.from_class <> h.to_class
             GROUP BY m.store, h.from_class, h.to_class"
        )))
        .bind(DbTime(since))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let from = class_of(&get::<String>(&r, "from_class")?)?;
            let to = class_of(&get::<String>(&r, "to_class")?)?;
            let n: u32 = small(&r, "n")?;
            let s = entry(&mut by, store_of(&r, "store")?);
            // Classes order best first (A before B): a move to an earlier one is up.
            if to < from {
                s.moved_up += n;
            } else {
                s.moved_down += n;
            }
        }

        // Campaigns started in the period, by slice.
        for r in sqlx::query(
            "SELECT r.store_id, COUNT(*) AS n,
                    SUM(CASE WHEN r.status = 'sent' THEN 1 ELSE 0 END) AS sent,
                    SUM(CASE WHEN r.status = 'opted_out' THEN 1 ELSE 0 END) AS opted_out
             FROM campaign_recipients r JOIN campaigns k ON k.id = r.campaign_id
             WHERE k.started_at >= $1 GROUP BY r.store_id",
        )
        .bind(DbTime(since))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let c = &mut entry(&mut by, store_of(&r, "store_id")?).campaigns;
            c.recipients += small::<u32>(&r, "n")?;
            c.sent += small::<u32>(&r, "sent")?;
            c.opted_out += small::<u32>(&r, "opted_out")?;
        }
        for r in sqlx::query(
            "SELECT r.store_id, COUNT(*) AS n, CAST(SUM(o.total_fen) AS BIGINT) AS fen
             FROM orders o
             JOIN campaign_recipients r ON r.campaign_id = o.campaign_id AND r.customer_id = o.customer_id
             JOIN campaigns k ON k.id = o.campaign_id
             WHERE k.started_at >= $1 AND o.status <> 'cancelled'
             GROUP BY r.store_id",
        )
        .bind(DbTime(since))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let c: &mut CampaignFigures = &mut entry(&mut by, store_of(&r, "store_id")?).campaigns;
            c.bookings += small::<u32>(&r, "n")?;
            c.revenue = Money::from_fen(
                c.revenue.fen() + get::<Option<i64>>(&r, "fen")?.unwrap_or(0),
            );
        }

        let praise = sqlx::query(
            "SELECT s.name_zh, s.name_en, l.name_zh AS store_zh, l.name_en AS store_en, COUNT(*) AS n
             FROM praise p
             JOIN praise_staff ps ON ps.followup_id = p.followup_id
             JOIN staff s ON s.id = ps.staff_id
             JOIN locations l ON l.id = p.store_id
             WHERE p.at >= $1
             GROUP BY ps.staff_id, s.name_zh, s.name_en, l.name_zh, l.name_en
             ORDER BY n DESC, s.name_en LIMIT $2",
        )
        .bind(DbTime(since))
        .bind(i64::from(PRAISE_SHOWN))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(PraiseRow {
                staff: named(r, "name_zh", "name_en")?,
                store: named(r, "store_zh", "store_en")?,
                praise: small(r, "n")?,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;

        // The stores in their usual order, then customers with no store yet.
        let mut stores: Vec<StoreFigures> = order
            .iter()
            .filter_map(|k| by.remove(k))
            .collect();
        stores.extend(by.into_values());
        Ok((stores, praise))
    }
}
