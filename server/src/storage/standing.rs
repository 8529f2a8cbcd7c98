//! [`StandingStorage`]: each customer's lifecycle stage and value class, recomputed
//! from their orders with HQ's thresholds, and the history of their changes.
//!
//! The computation is [`domain::lifecycle::standing`]'s. A recomputation reads the
//! customers a page at a time (by id), with one aggregate over their orders per page,
//! asks the domain, and writes only the customers whose standing changed, each update
//! guarded by the standing it read (a customer recomputed meanwhile by an event is
//! left as that left it) together with its history row. Nothing changed, nothing is
//! written: running it twice is running it once. The nightly run claims its day in
//! `daily_jobs` with a guarded update, so of two instances one runs it.

use app::lifecycle::{Movement, Recomputed, StandingSettings, StandingStorage, Thresholds};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::lifecycle::{
    ClassMinimum, ClassThresholds, Facts, LostReason, Stage, StageThresholds, Standing,
    ValueClass,
};
use domain::{CustomerId, Money, StaffId, StoreId};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::rows::{get, named, small, Conn, DbRow};
use super::Backend;
use crate::storage::{db_err, transaction, DbTime, Serial};

/// Customers read and decided per page of a recomputation.
pub const PAGE: i64 = 2_000;

#[async_trait]
impl StandingStorage for Backend {
    async fn thresholds(&self) -> Result<Thresholds, StorageError> {
        let mut conn = self.conn().await?;
        thresholds(&mut conn).await
    }

    async fn set_thresholds(
        &self,
        t: &Thresholds,
        by: StaffId,
        now: OffsetDateTime,
    ) -> Result<Recomputed, StorageError> {
        let (s, c) = (t.stages, t.classes);
        let done = sqlx::query(
            "UPDATE standing_thresholds SET active_days = $1, lost_days = $2, lead_days = $3,
                    a_recency_days = $4, a_visits = $5, a_spent_fen = $6,
                    b_recency_days = $7, b_visits = $8, b_spent_fen = $9,
                    c_recency_days = $10, c_visits = $11, c_spent_fen = $12,
                    set_at = $13, set_by = $14
             WHERE id = 1",
        )
        .bind(i64::from(s.active_days))
        .bind(i64::from(s.lost_days))
        .bind(i64::from(s.lead_days))
        .bind(i64::from(c.a.recency_days))
        .bind(i64::from(c.a.visits))
        .bind(c.a.spent.fen())
        .bind(i64::from(c.b.recency_days))
        .bind(i64::from(c.b.visits))
        .bind(c.b.spent.fen())
        .bind(i64::from(c.c.recency_days))
        .bind(i64::from(c.c.visits))
        .bind(c.c.spent.fen())
        .bind(DbTime(now))
        .bind(by.as_uuid())
        .execute(&mut *self.write_conn().await?)
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(StorageError::corrupt("no standing thresholds row"));
        }
        self.synced().await?;
        self.recompute_all(now).await
    }

    async fn recompute_all(&self, now: OffsetDateTime) -> Result<Recomputed, StorageError> {
        let t = self.thresholds().await?;
        let mut done = Recomputed::default();
        let mut after = Uuid::nil();
        loop {
            let page = {
                let mut conn = self.conn().await?;
                facts_page(&mut conn, after, now).await?
            };
            let Some(last) = page.last().map(|p| p.id) else {
                return Ok(done);
            };
            after = last;
            done.customers += u32::try_from(page.len()).unwrap_or(u32::MAX);
            let changes: Vec<(Uuid, Current, Standing)> = page
                .into_iter()
                .filter_map(|p| {
                    let next = domain::lifecycle::standing(&p.facts, &t.stages, &t.classes, now);
                    (next != p.current.standing()).then_some((p.id, p.current, next))
                })
                .collect();
            if changes.is_empty() {
                continue;
            }
            let written = transaction!(self, Serial::Rows, |tx| {
                let mut n = 0u32;
                for (id, current, next) in &changes {
                    n += u32::from(write(tx, *id, current, next, now).await?);
                }
                Ok((n, Vec::new()))
            })?;
            done.changed += written;
        }
    }

    async fn nightly(&self, now: OffsetDateTime) -> Result<Option<Recomputed>, StorageError> {
        let today = domain::local_time::local_date(now).to_string();
        let claimed = sqlx::query(
            "UPDATE daily_jobs SET last_day = $1 WHERE name = 'standing' AND last_day < $1",
        )
        .bind(&today)
        .execute(&mut *self.write_conn().await?)
        .await
        .map_err(db_err)?;
        self.synced().await?;
        if claimed.rows_affected() != 1 {
            return Ok(None);
        }
        self.recompute_all(now).await.map(Some)
    }

    async fn movements(
        &self,
        store: Option<StoreId>,
        since: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Movement>, StorageError> {
        let mut conn = self.conn().await?;
        // A store's customers are those it has served.
        let served = if store.is_some() {
            "AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.store_id = $3
                         AND o.status = 'handed_over')"
        } else {
            "AND $3 IS NULL"
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT h.customer_id, h.from_class, h.to_class, h.to_stage, h.at, c.name_zh, c.name_en, c.phone
             FROM standing_changes h JOIN customers c ON c.id = h.customer_id
             WHERE h.at >= $1 AND (h.from_class IS NULL OR h.from_class <> h.to_class) {served}
             ORDER BY h.at DESC, h.id DESC LIMIT $2"
        )))
        .bind(DbTime(since))
        .bind(i64::from(limit))
        .bind(store.map(|s| s.as_uuid()))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(Movement {
                    customer: CustomerId::from(get::<Uuid>(r, "customer_id")?),
                    name: named(r, "name_zh", "name_en")?,
                    phone: get(r, "phone")?,
                    from: get::<Option<String>>(r, "from_class")?
                        .map(|c| class_of(&c))
                        .transpose()?,
                    to: class_of(&get::<String>(r, "to_class")?)?,
                    stage: stage_of(&get::<String>(r, "to_stage")?)?,
                    at: get::<DbTime>(r, "at")?.0,
                })
            })
            .collect()
    }

    async fn settings(&self, now: OffsetDateTime) -> Result<StandingSettings, StorageError> {
        let mut conn = self.conn().await?;
        let thresholds = thresholds(&mut conn).await?;
        let mix = sqlx::query(
            "SELECT stage, value_class, COUNT(*) AS n FROM customers GROUP BY stage, value_class",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok((
                stage_of(&get::<String>(r, "stage")?)?,
                class_of(&get::<String>(r, "value_class")?)?,
                small(r, "n")?,
            ))
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
        let moves = sqlx::query(
            "SELECT from_class, to_class, COUNT(*) AS n FROM standing_changes
             WHERE at >= $1 AND (from_class IS NULL OR from_class <> to_class)
             GROUP BY from_class, to_class",
        )
        .bind(DbTime(app::lifecycle::month_start(now)))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok((
                get::<Option<String>>(r, "from_class")?
                    .map(|c| class_of(&c))
                    .transpose()?,
                class_of(&get::<String>(r, "to_class")?)?,
                small(r, "n")?,
            ))
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
        Ok(StandingSettings {
            thresholds,
            mix,
            moves,
        })
    }

    async fn mark_lost(
        &self,
        customer: CustomerId,
        reason: LostReason,
        now: OffsetDateTime,
    ) -> Result<Standing, StorageError> {
        if reason == LostReason::NoResponse {
            // That one is the computation's to give, not a person's.
            return Err(domain::Error::LostReasonUnknown.into());
        }
        transaction!(self, Serial::Rows, |tx| {
            let done = sqlx::query("UPDATE customers SET lost_reason_given = $1 WHERE id = $2")
                .bind(reason.code())
                .bind(customer.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            if done.rows_affected() != 1 {
                return Err(StorageError::NotFound);
            }
            Ok((refresh(tx, customer, now).await?, Vec::new()))
        })
    }
}

/// Recomputes one customer inside the transaction of their event (a booking, a
/// handover, a car added), and returns their standing.
pub(super) async fn refresh(
    tx: &mut Conn,
    customer: CustomerId,
    now: OffsetDateTime,
) -> Result<Standing, StorageError> {
    let t = thresholds(tx).await?;
    let id = customer.as_uuid();
    let page = facts_of(tx, "c.id = $2", id, now).await?;
    let p = page.into_iter().next().ok_or(StorageError::NotFound)?;
    let next = domain::lifecycle::standing(&p.facts, &t.stages, &t.classes, now);
    if next != p.current.standing() {
        write(tx, id, &p.current, &next, now).await?;
    }
    Ok(next)
}

/// A customer's standing as stored.
#[derive(Clone, Copy, Debug)]
struct Current {
    stage: Stage,
    class: ValueClass,
    lost_reason: Option<LostReason>,
    computed: bool,
}

impl Current {
    fn standing(&self) -> Standing {
        Standing {
            stage: self.stage,
            lost_reason: self.lost_reason,
            class: self.class,
        }
    }
}

struct CustomerFacts {
    id: Uuid,
    current: Current,
    facts: Facts,
}

/// The next page of customers after `after`, by id, with their facts.
async fn facts_page(
    conn: &mut Conn,
    after: Uuid,
    now: OffsetDateTime,
) -> Result<Vec<CustomerFacts>, StorageError> {
    facts_of(conn, "c.id > $2", after, now).await
}

/// Customers matching `filter` (over `c`, its one argument `$2`), at most [`PAGE`], in id
/// order, with what [`domain::lifecycle::standing`] reads of them.
async fn facts_of(
    conn: &mut Conn,
    filter: &str,
    arg: Uuid,
    now: OffsetDateTime,
) -> Result<Vec<CustomerFacts>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT c.id, c.created_at, c.stage, c.value_class, c.lost_reason, c.lost_reason_given,
                c.standing_at,
                EXISTS (SELECT 1 FROM vehicles v WHERE v.customer_id = c.id AND v.removed_at IS NULL)
                    AS has_vehicle,
                (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id AND o.status <> 'cancelled')
                    AS orders,
                (SELECT MAX(o.completed_at) FROM orders o
                  WHERE o.customer_id = c.id AND o.status = 'handed_over') AS last_visit,
                (SELECT COUNT(*) FROM orders o
                  WHERE o.customer_id = c.id AND o.status = 'handed_over' AND o.completed_at >= $1)
                    AS visits,
                -- PostgreSQL sums a BIGINT as NUMERIC: back to BIGINT, as SQLite has it.
                (SELECT CAST(COALESCE(SUM(o.total_fen), 0) AS BIGINT) FROM orders o
                  WHERE o.customer_id = c.id AND o.status = 'handed_over' AND o.completed_at >= $1)
                    AS spent
         FROM customers c
         WHERE {filter}
         ORDER BY c.id LIMIT {PAGE}"
    )))
    .bind(DbTime(now - Duration::days(365)))
    .bind(arg)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter().map(customer_facts).collect()
}

fn customer_facts(r: &DbRow) -> Result<CustomerFacts, StorageError> {
    let reason = |column: &str| -> Result<Option<LostReason>, StorageError> {
        get::<Option<String>>(r, column)?
            .map(|c| LostReason::parse(&c).map_err(|_| StorageError::corrupt(format!("{column} {c:?}"))))
            .transpose()
    };
    Ok(CustomerFacts {
        id: get(r, "id")?,
        current: Current {
            stage: stage_of(&get::<String>(r, "stage")?)?,
            class: class_of(&get::<String>(r, "value_class")?)?,
            lost_reason: reason("lost_reason")?,
            computed: get::<Option<DbTime>>(r, "standing_at")?.is_some(),
        },
        facts: Facts {
            registered_at: get::<DbTime>(r, "created_at")?.0,
            has_vehicle: get(r, "has_vehicle")?,
            orders: small(r, "orders")?,
            last_visit: get::<Option<DbTime>>(r, "last_visit")?.map(|t| t.0),
            visits_last_year: small(r, "visits")?,
            spent_last_year: Money::from_fen(get(r, "spent")?),
            lost_reason: reason("lost_reason_given")?,
        },
    })
}

/// Writes a customer's new standing, guarded by the one read, with its history row;
/// returns whether it was written (a concurrent recomputation may have got there).
async fn write(
    tx: &mut Conn,
    id: Uuid,
    current: &Current,
    next: &Standing,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "UPDATE customers SET stage = $1, value_class = $2, lost_reason = $3, standing_at = $4
         WHERE id = $5 AND stage = $6 AND value_class = $7",
    )
    .bind(next.stage.code())
    .bind(next.class.code())
    .bind(next.lost_reason.map(LostReason::code))
    .bind(DbTime(now))
    .bind(id)
    .bind(current.stage.code())
    .bind(current.class.code())
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    if next.stage != current.stage || next.class != current.class {
        // The first computation has no "from": the defaults were never a standing.
        let (from_stage, from_class) = if current.computed {
            (Some(current.stage.code()), Some(current.class.code()))
        } else {
            (None, None)
        };
        sqlx::query(
            "INSERT INTO standing_changes (id, customer_id, from_stage, to_stage, from_class, to_class, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(id)
        .bind(from_stage)
        .bind(next.stage.code())
        .bind(from_class)
        .bind(next.class.code())
        .bind(DbTime(now))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }
    Ok(true)
}

async fn thresholds(conn: &mut Conn) -> Result<Thresholds, StorageError> {
    let r = sqlx::query("SELECT * FROM standing_thresholds WHERE id = 1")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    let minimum = |p: &str| -> Result<ClassMinimum, StorageError> {
        Ok(ClassMinimum {
            recency_days: small(&r, &format!("{p}_recency_days"))?,
            visits: small(&r, &format!("{p}_visits"))?,
            spent: Money::from_fen(get(&r, &format!("{p}_spent_fen"))?),
        })
    };
    let bad = |e: domain::Error| StorageError::corrupt(format!("standing thresholds: {e}"));
    Ok(Thresholds {
        stages: StageThresholds::new(
            small(&r, "active_days")?,
            small(&r, "lost_days")?,
            small(&r, "lead_days")?,
        )
        .map_err(bad)?,
        classes: ClassThresholds::new(minimum("a")?, minimum("b")?, minimum("c")?).map_err(bad)?,
    })
}

/// A customer's standing as stored, from a row with its `stage`, `value_class` and
/// `lost_reason` columns.
pub(super) fn stored(r: &DbRow) -> Result<Standing, StorageError> {
    Ok(Standing {
        stage: stage_of(&get::<String>(r, "stage")?)?,
        class: class_of(&get::<String>(r, "value_class")?)?,
        lost_reason: get::<Option<String>>(r, "lost_reason")?
            .map(|c| LostReason::parse(&c).map_err(|_| StorageError::corrupt(format!("lost reason {c:?}"))))
            .transpose()?,
    })
}

pub(super) fn stage_of(code: &str) -> Result<Stage, StorageError> {
    Stage::parse(code).ok_or_else(|| StorageError::corrupt(format!("stage {code:?}")))
}

pub(super) fn class_of(code: &str) -> Result<ValueClass, StorageError> {
    ValueClass::parse(code).ok_or_else(|| StorageError::corrupt(format!("class {code:?}")))
}
