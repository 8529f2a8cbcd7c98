//! [`CaseStorage`]: after-sales cases, their steps, resolution and confirmation.
//!
//! Acting on a case locks its row and asks [`domain::cases::next`] of the status read
//! there; the update is guarded by that status, so the store resolving and the customer
//! reopening at once move the case once. Who may act is checked against the row: staff
//! of the case's store, or its customer (anyone else finds nothing there).

use app::cases::{CaseActor, CaseStepView, CaseStorage, CaseView};
use app::live::LiveEvent;
use app::reception::Named;
use app::storage::StorageError;
use async_trait::async_trait;
use domain::cases::{CaseAction, CaseStatus};
use domain::{CaseId, CustomerId, StoreId};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::rows::{append_event, get, named, Conn, DbRow};
use super::{Backend, LOCK_ROWS};
use crate::storage::{db_err, transaction, DbTime, Serial};

/// What every case query reads, and from where.
const CASE_COLUMNS: &str = "k.id, k.store_id, k.customer_id, k.complaint, k.status, k.opened_at,
        k.deadline, k.resolution, l.name_zh AS store_zh, l.name_en AS store_en,
        c.name_zh, c.name_en, c.phone, v.plate, o.reference,
        s.name_zh AS owner_zh, s.name_en AS owner_en";
const CASE_FROM: &str = "FROM cases k
         JOIN locations l ON l.id = k.store_id
         JOIN customers c ON c.id = k.customer_id
         JOIN orders o ON o.id = k.order_id
         JOIN vehicles v ON v.id = o.vehicle_id
         JOIN staff s ON s.id = k.owner_id";

#[async_trait]
impl CaseStorage for Backend {
    async fn store_cases(
        &self,
        store: StoreId,
        now: OffsetDateTime,
    ) -> Result<Vec<CaseView>, StorageError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} {CASE_FROM}
             WHERE k.store_id = $1 AND (k.status <> 'confirmed' OR k.confirmed_at >= $2)"
        )))
        .bind(store.as_uuid())
        .bind(DbTime(now - Duration::days(30)))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let mut cases = views(&mut conn, &rows, now).await?;
        sort_by_urgency(&mut cases);
        Ok(cases)
    }

    async fn customer_cases(
        &self,
        customer: CustomerId,
        now: OffsetDateTime,
    ) -> Result<Vec<CaseView>, StorageError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} {CASE_FROM} WHERE k.customer_id = $1 ORDER BY k.opened_at DESC"
        )))
        .bind(customer.as_uuid())
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        views(&mut conn, &rows, now).await
    }

    async fn open_cases(&self, now: OffsetDateTime) -> Result<Vec<CaseView>, StorageError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} {CASE_FROM} WHERE k.status <> 'confirmed'"
        )))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let mut cases = views(&mut conn, &rows, now).await?;
        sort_by_urgency(&mut cases);
        Ok(cases)
    }

    async fn act(
        &self,
        id: CaseId,
        actor: CaseActor,
        action: &CaseAction,
        now: OffsetDateTime,
    ) -> Result<CaseView, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT store_id, customer_id, status FROM cases WHERE id = $1{LOCK_ROWS}"
            )))
            .bind(id.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            let store = StoreId::from(get::<Uuid>(&row, "store_id")?);
            let customer = CustomerId::from(get::<Uuid>(&row, "customer_id")?);
            // Staff work their store's cases; the customer answers for their own.
            let (staff, theirs) = match actor {
                CaseActor::Staff { store: s, id } => (Some(id), s == store),
                CaseActor::Customer(c) => (None, c == customer),
            };
            if !theirs {
                return Err(StorageError::NotFound);
            }
            let customers_word = matches!(action, CaseAction::Confirm | CaseAction::Reopen(_));
            if customers_word == staff.is_some() {
                return Err(domain::Error::CaseNotYours.into());
            }
            let before = status(&row)?;
            let after = domain::cases::next(before, action)?;
            let (code, note) = match action {
                CaseAction::Step(t) => ("step", Some(t.as_str())),
                CaseAction::Resolve(t) => ("resolve", Some(t.as_str())),
                CaseAction::Confirm => ("confirm", None),
                CaseAction::Reopen(t) => ("reopen", Some(t.as_str())),
            };
            let resolution = match action {
                CaseAction::Resolve(t) => Some(t.as_str()),
                _ => None,
            };
            let moved = sqlx::query(
                "UPDATE cases SET status = $1,
                        resolution = CASE WHEN $1 = 'open' THEN NULL ELSE COALESCE($2, resolution) END,
                        resolved_at = CASE WHEN $2 IS NULL THEN resolved_at ELSE $3 END,
                        confirmed_at = CASE WHEN $1 = 'confirmed' THEN $3 ELSE confirmed_at END,
                        deadline = CASE WHEN $4 THEN $5 ELSE deadline END
                 WHERE id = $6 AND status = $7",
            )
            .bind(after.code())
            .bind(resolution)
            .bind(DbTime(now))
            .bind(code == "reopen")
            .bind(DbTime(domain::cases::deadline(now)))
            .bind(id.as_uuid())
            .bind(before.code())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if moved.rows_affected() != 1 {
                return Err(StorageError::Conflict("the case moved meanwhile".into()));
            }
            sqlx::query(
                "INSERT INTO case_steps (id, case_id, at, action, note, staff_id)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(Uuid::now_v7())
            .bind(id.as_uuid())
            .bind(DbTime(now))
            .bind(code)
            .bind(note)
            .bind(staff.map(|s| s.as_uuid()))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            // The store's kiosks, and the customer's own pages.
            let events = vec![
                LiveEvent::FollowUpsChanged { store },
                LiveEvent::CaseChanged { store, customer },
            ];
            for e in &events {
                append_event(tx, e, now).await?;
            }
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {CASE_COLUMNS} {CASE_FROM} WHERE k.id = $1"
            )))
            .bind(id.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
            let view = views(tx, &[row], now).await?.pop().ok_or(StorageError::NotFound)?;
            Ok((view, events))
        })
    }
}

fn status(r: &DbRow) -> Result<CaseStatus, StorageError> {
    let code: String = get(r, "status")?;
    CaseStatus::parse(&code).ok_or_else(|| StorageError::corrupt(format!("case status {code:?}")))
}

/// The most escalated first, then the earliest deadline.
fn sort_by_urgency(cases: &mut [CaseView]) {
    cases.sort_by_key(|c| {
        (
            c.status == CaseStatus::Confirmed,
            std::cmp::Reverse(c.escalation),
            c.deadline,
        )
    });
}

/// Cases as shown, with their steps.
async fn views(
    conn: &mut Conn,
    rows: &[DbRow],
    now: OffsetDateTime,
) -> Result<Vec<CaseView>, StorageError> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: Uuid = get(r, "id")?;
        let steps = sqlx::query(
            "SELECT cs.at, cs.action, cs.note, s.name_zh, s.name_en
             FROM case_steps cs LEFT JOIN staff s ON s.id = cs.staff_id
             WHERE cs.case_id = $1 ORDER BY cs.at, cs.id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|s| {
            Ok(CaseStepView {
                at: get::<DbTime>(s, "at")?.0,
                action: get(s, "action")?,
                note: get(s, "note")?,
                by: match get::<Option<String>>(s, "name_zh")? {
                    Some(zh) => Some(Named {
                        zh,
                        en: get(s, "name_en")?,
                    }),
                    None => None,
                },
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
        let status = status(r)?;
        let deadline = get::<DbTime>(r, "deadline")?.0;
        out.push(CaseView {
            id: CaseId::from(id),
            store: named(r, "store_zh", "store_en")?,
            customer: CustomerId::from(get::<Uuid>(r, "customer_id")?),
            customer_name: named(r, "name_zh", "name_en")?,
            phone: get(r, "phone")?,
            plate: get(r, "plate")?,
            order_reference: get(r, "reference")?,
            complaint: get(r, "complaint")?,
            owner: named(r, "owner_zh", "owner_en")?,
            status,
            opened_at: get::<DbTime>(r, "opened_at")?.0,
            deadline,
            escalation: domain::cases::escalation(status, deadline, now),
            resolution: get(r, "resolution")?,
            steps,
        });
    }
    Ok(out)
}
