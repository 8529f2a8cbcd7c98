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
use app::bill::{AdjustmentView, BillView, ExtraLine};
use domain::account::Skills;
use domain::bill::{AdjustmentReason, Bill};
use domain::findings::Decision;
use domain::qc::{QcMark, QcStep};
use domain::order::Step;
use domain::suggest::{FirstTimeFix, FTF_WINDOW_DAYS};
use domain::{
    CustomerId, Mileage, Money, OrderId, OrderStatus, ServiceCategory, StaffId, StoreId,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::rows::{append_event, get, named, placeholders, small, Conn, DbRow};
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
        // Scheduled this day; from an earlier day, still at the store
        // (`OrderStatus::stays_on_board`); handed over this day.
        let carried = OrderStatus::ALL
            .into_iter()
            .filter(|s| s.stays_on_board())
            .map(|s| format!("'{}'", s.code()))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT o.id, o.reference, o.status, o.customer_id, o.vehicle_id, o.scheduled_start, o.responsible_id,
                    o.concerns, o.mileage_km, v.plate, c.name_zh, c.name_en, c.preferred_advisor_id
             FROM orders o
             JOIN vehicles v ON v.id = o.vehicle_id
             JOIN customers c ON c.id = o.customer_id
             WHERE o.store_id = $1 AND o.kind = 'service'
               AND ((o.scheduled_start >= $2 AND o.scheduled_start < $3)
                    OR (o.status IN ({carried}) AND o.scheduled_start < $2)
                    OR (o.status = 'handed_over' AND o.completed_at >= $2 AND o.completed_at < $3))
             ORDER BY o.scheduled_start, o.reference"
        )))
        .bind(store.as_uuid())
        .bind(DbTime(from))
        .bind(DbTime(to))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let ids: Vec<Uuid> = rows
            .iter()
            .map(|r| get(r, "id"))
            .collect::<Result<_, _>>()?;
        let mut services = services_of(&mut conn, &ids).await?;
        let mut findings = super::findings::of_orders(&mut conn, &ids).await?;
        let cars = rows
            .iter()
            .map(|r| Ok((get(r, "id")?, get(r, "vehicle_id")?)))
            .collect::<Result<Vec<(Uuid, Uuid)>, StorageError>>()?;
        let mut declined = super::findings::declined_before(&mut conn, &cars, &findings).await?;
        let mut checklists = checklists(&mut conn, &ids).await?;
        let mut bills = bills_of(&mut conn, &ids).await?;
        let mut parts = super::parts::of_orders(&mut conn, &ids).await?;
        // Parts to add are offered while the car is being worked on.
        let working: Vec<Uuid> = rows
            .iter()
            .map(|r| Ok((get::<Uuid>(r, "id")?, status(r)?)))
            .collect::<Result<Vec<_>, StorageError>>()?
            .into_iter()
            .filter(|(_, s)| domain::picking::may_handle_parts(*s).is_ok())
            .map(|(id, _)| id)
            .collect();
        let mut choices = super::parts::choices_of(&mut conn, &working).await?;
        // Bookings the store's hours or bays no longer fit.
        let to_move: HashMap<Uuid, domain::settings::Strand> =
            super::settings::read(&mut conn, store, now())
                .await?
                .stranded
                .into_iter()
                .map(|b| (b.order.as_uuid(), b.reason))
                .collect();
        let orders = rows
            .iter()
            .map(|r| {
                let mut card = card(r, &mut services)?;
                let id = card.id.as_uuid();
                card.findings = findings.remove(&id).unwrap_or_default();
                card.declined_before = declined.remove(&id).unwrap_or_default();
                card.checklist = checklists.remove(&id).unwrap_or_default();
                card.bill = bills.remove(&id).map(|(_, view)| view).unwrap_or_default();
                card.parts = parts.remove(&id).unwrap_or_default();
                card.part_choices = choices.remove(&id).unwrap_or_default();
                card.to_move = to_move.get(&id).copied();
                Ok(card)
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        // The same people, in the same order, as the store's lock screen.
        let mut records = records(&mut conn, store, now()).await?;
        let staff = super::devices::kiosk(&mut conn, store)
            .await?
            .into_iter()
            .map(|t| {
                let (skills, first_time_fix) = records.remove(&t.id.as_uuid()).unwrap_or_default();
                BoardStaff {
                    id: t.id,
                    name: Named {
                        zh: t.name_zh,
                        en: t.name_en,
                    },
                    role: t.role,
                    skills,
                    first_time_fix,
                }
            })
            .collect();
        Ok((orders, staff))
    }

    async fn advance(
        &self,
        store: StoreId,
        order: OrderId,
        advance: &Advance,
        by: StaffId,
        now: OffsetDateTime,
    ) -> Result<OrderStatus, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT status, customer_id, vehicle_id, qc_failures FROM orders
                 WHERE id = $1 AND store_id = $2{LOCK_ROWS}"
            )))
            .bind(order.as_uuid())
            .bind(store.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            let before = status(&row)?;
            let step = match advance {
                Advance::CheckIn { .. } => Step::CheckIn,
                Advance::Step(step) => *step,
                Advance::QualityCheck(marks) => {
                    // Only at quality check: the checklist of another status is not asked.
                    before.after(Step::PassQc)?;
                    let checklist = checklists(tx, &[order.as_uuid()])
                        .await?
                        .remove(&order.as_uuid())
                        .unwrap_or_default();
                    let step = domain::qc::judge(&checklist, marks)?;
                    let attempt = get::<i64>(&row, "qc_failures")? + 1;
                    record_marks(tx, order, attempt, &checklist, marks, by, now).await?;
                    step
                }
            };
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
                    record_reading(tx, vehicle, *mileage, Some(store), Some(by), now).await?;
                    // The new reading moves the car's reminders.
                    events.extend(super::followups::reproject_vehicle(tx, vehicle, now).await?);
                    // The fill rate's fact: were the car's parts on the shelf as it came?
                    let holds: Vec<Option<Uuid>> = sqlx::query_scalar(
                        "SELECT location_id FROM reservations WHERE order_id = $1 AND released_at IS NULL",
                    )
                    .bind(order.as_uuid())
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let held: Vec<domain::kpi::HeldAt> = holds
                        .iter()
                        .map(|at| match at {
                            Some(at) if *at == store.as_uuid() => domain::kpi::HeldAt::OwnShelf,
                            _ => domain::kpi::HeldAt::Elsewhere,
                        })
                        .collect();
                    sqlx::query(
                        "UPDATE orders SET mileage_km = $1, concerns = $2, checked_in_at = $3,
                                responsible_id = COALESCE(responsible_id, $4), parts_ready = $6
                         WHERE id = $5",
                    )
                    .bind(i64::from(mileage.km()))
                    .bind(concerns.as_ref().map(|c| c.as_str()))
                    .bind(DbTime(now))
                    .bind(by.as_uuid())
                    .bind(order.as_uuid())
                    .bind(domain::kpi::parts_ready(&held))
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
                if after == OrderStatus::HandedOver {
                    // What the customer never answered leaves with the car as declined
                    // (`Decision::at_handover`), to be offered again next time.
                    let pending = Decision::Pending;
                    sqlx::query(
                        "UPDATE findings SET decision = $1, decided_at = $2
                         WHERE order_id = $3 AND decision = $4",
                    )
                    .bind(pending.at_handover().code())
                    .bind(DbTime(now))
                    .bind(order.as_uuid())
                    .bind(pending.code())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    // Rule 7: what was done schedules its follow-ups; rule 8: the visit
                    // moves the customer's stage and class.
                    events.extend(super::followups::schedule_handover(tx, order, now).await?);
                    let customer = CustomerId::from(get::<Uuid>(&row, "customer_id")?);
                    super::standing::refresh(tx, customer, now).await?;
                }
            }
            // The store's boards and the customer's own page of the order.
            let event = LiveEvent::OrderChanged {
                store,
                customer: CustomerId::from(get::<Uuid>(&row, "customer_id")?),
                order,
            };
            append_event(tx, &event, now).await?;
            events.push(event);
            Ok((after, events))
        })
    }

    async fn adjust(
        &self,
        store: StoreId,
        order: OrderId,
        amount: Money,
        reason: &AdjustmentReason,
        requested_by: StaffId,
        approved_by: StaffId,
    ) -> Result<BillView, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let now = now();
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT status, customer_id FROM orders WHERE id = $1 AND store_id = $2{LOCK_ROWS}"
            )))
            .bind(order.as_uuid())
            .bind(store.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            let (bill, _) = bills_of(tx, &[order.as_uuid()])
                .await?
                .remove(&order.as_uuid())
                .ok_or(StorageError::NotFound)?;
            domain::bill::check_adjustment(&bill, amount, status(&row)?)?;
            sqlx::query(
                "INSERT INTO adjustments (id, order_id, amount_fen, reason, requested_by,
                    approved_by, made_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(Uuid::now_v7())
            .bind(order.as_uuid())
            .bind(amount.fen())
            .bind(reason.as_str())
            .bind(requested_by.as_uuid())
            .bind(approved_by.as_uuid())
            .bind(DbTime(now))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            let (_, view) = bills_of(tx, &[order.as_uuid()])
                .await?
                .remove(&order.as_uuid())
                .ok_or(StorageError::NotFound)?;
            let event = LiveEvent::OrderChanged {
                store,
                customer: CustomerId::from(get::<Uuid>(&row, "customer_id")?),
                order,
            };
            append_event(tx, &event, now).await?;
            Ok((view, vec![event]))
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
            // Only an open work order has someone responsible for it.
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT status FROM orders WHERE id = $1 AND store_id = $2{LOCK_ROWS}"
            )))
            .bind(order.as_uuid())
            .bind(store.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            if !status(&row)?.is_open() {
                return Err(StorageError::NotFound);
            }
            sqlx::query("UPDATE orders SET responsible_id = $1 WHERE id = $2")
                .bind(staff.as_uuid())
                .bind(order.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            let event = LiveEvent::BoardChanged { store };
            append_event(tx, &event, now()).await?;
            Ok(((), vec![event]))
        })
    }
}

/// Each active staff member of the store's skills and first-time-fix record: of the work
/// orders they were responsible for that were handed over in the last
/// [`FTF_WINDOW_DAYS`] days, how many passed quality check at the first attempt.
async fn records(
    conn: &mut Conn,
    store: StoreId,
    now: OffsetDateTime,
) -> Result<HashMap<Uuid, (Skills, FirstTimeFix)>, StorageError> {
    let since = now - time::Duration::days(FTF_WINDOW_DAYS);
    let rows = sqlx::query(
        "SELECT s.id, s.skills, COUNT(o.id) AS jobs,
                COALESCE(SUM(CASE WHEN o.qc_failures = 0 THEN 1 ELSE 0 END), 0) AS first_time
         FROM staff s
         LEFT JOIN orders o ON o.responsible_id = s.id AND o.status = 'handed_over'
                            AND o.kind = 'service' AND o.completed_at >= $2
         WHERE s.location_id = $1 AND s.deactivated_at IS NULL
         GROUP BY s.id, s.skills",
    )
    .bind(store.as_uuid())
    .bind(DbTime(since))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let count = |r: &DbRow, column: &str| -> Result<u32, StorageError> {
        let n: i64 = get(r, column)?;
        u32::try_from(n).map_err(|_| StorageError::corrupt(format!("{column} {n}")))
    };
    rows.iter()
        .map(|r| {
            let skills: String = get(r, "skills")?;
            let skills = Skills::parse_codes(&skills)
                .map_err(|_| StorageError::corrupt(format!("skills {skills:?}")))?;
            let record = FirstTimeFix {
                jobs: count(r, "jobs")?,
                first_time: count(r, "first_time")?,
            };
            Ok((get(r, "id")?, (skills, record)))
        })
        .collect()
}

/// Each order's bill: what was booked, the approved extra work, the adjustments, and
/// the total [`Bill::total`] makes of them.
pub(super) async fn bills_of(
    conn: &mut Conn,
    orders: &[Uuid],
) -> Result<HashMap<Uuid, (Bill, BillView)>, StorageError> {
    let mut out: HashMap<Uuid, (Bill, BillView)> = HashMap::new();
    if orders.is_empty() {
        return Ok(out);
    }
    let list = placeholders(1, orders.len());
    let bind_all = |sql: String| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in orders {
            q = q.bind(*id);
        }
        q
    };
    let booked = bind_all(format!("SELECT id, total_fen FROM orders WHERE id IN ({list})"))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    for r in &booked {
        let fen: i64 = get(r, "total_fen")?;
        let bill = Bill {
            booked: Money::from_fen(fen),
            ..Bill::default()
        };
        let view = BillView {
            booked: bill.booked,
            ..BillView::default()
        };
        out.insert(get(r, "id")?, (bill, view));
    }
    let extras = bind_all(format!(
        "SELECT f.order_id, f.price_fen, s.name_zh, s.name_en
         FROM findings f JOIN services s ON s.id = f.service_id
         WHERE f.decision = 'approved' AND f.order_id IN ({list})
         ORDER BY f.order_id, f.found_at, f.id"
    ))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    for r in &extras {
        if let Some((bill, view)) = out.get_mut(&get::<Uuid>(r, "order_id")?) {
            let price = Money::from_fen(get(r, "price_fen")?);
            bill.extras.push(price);
            view.extras.push(ExtraLine {
                name: named(r, "name_zh", "name_en")?,
                price,
            });
        }
    }
    let adjustments = bind_all(format!(
        "SELECT a.order_id, a.amount_fen, a.reason, st.name_zh, st.name_en
         FROM adjustments a JOIN staff st ON st.id = a.approved_by
         WHERE a.order_id IN ({list})
         ORDER BY a.order_id, a.made_at, a.id"
    ))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    for r in &adjustments {
        if let Some((bill, view)) = out.get_mut(&get::<Uuid>(r, "order_id")?) {
            let amount = Money::from_fen(get(r, "amount_fen")?);
            bill.adjustments.push(amount);
            view.adjustments.push(AdjustmentView {
                amount,
                reason: get(r, "reason")?,
                approved_by: named(r, "name_zh", "name_en")?,
            });
        }
    }
    for (id, (bill, view)) in out.iter_mut() {
        view.total = bill
            .total()
            .map_err(|e| StorageError::corrupt(format!("order {id}'s bill: {e}")))?;
    }
    Ok(out)
}

/// Each order's quality checklist ([`domain::qc::checklist`]) from its booked services in
/// line order, then its approved extra work.
pub(super) async fn checklists(
    conn: &mut Conn,
    orders: &[Uuid],
) -> Result<HashMap<Uuid, Vec<QcStep>>, StorageError> {
    let mut out: HashMap<Uuid, Vec<QcStep>> = HashMap::new();
    if orders.is_empty() {
        return Ok(out);
    }
    let list = placeholders(1, orders.len());
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT order_id, service_id FROM (
             SELECT ol.order_id, ol.item_id AS service_id, 0 AS part, ol.line_no AS pos, NULL AS found_at
             FROM order_lines ol WHERE ol.item_kind = 'service' AND ol.order_id IN ({list})
             UNION ALL
             SELECT f.order_id, f.service_id, 1 AS part, 0 AS pos, f.found_at
             FROM findings f WHERE f.decision = 'approved' AND f.order_id IN ({list})
         ) AS work
         ORDER BY order_id, part, pos, found_at"
    )));
    for id in orders {
        q = q.bind(*id);
    }
    let work = q.fetch_all(&mut *conn).await.map_err(db_err)?;
    let mut services: Vec<Uuid> = Vec::new();
    let mut of_order: Vec<(Uuid, Vec<Uuid>)> = Vec::new();
    for r in &work {
        let (order, service): (Uuid, Uuid) = (get(r, "order_id")?, get(r, "service_id")?);
        match of_order.last_mut() {
            Some((o, list)) if *o == order => list.push(service),
            _ => of_order.push((order, vec![service])),
        }
        if !services.contains(&service) {
            services.push(service);
        }
    }
    if services.is_empty() {
        return Ok(out);
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT service_id, step_no, text_zh, text_en FROM qc_steps
         WHERE service_id IN ({}) ORDER BY service_id, step_no",
        placeholders(1, services.len())
    )));
    for id in &services {
        q = q.bind(*id);
    }
    let mut steps: HashMap<Uuid, Vec<(String, String)>> = HashMap::new();
    for r in q.fetch_all(&mut *conn).await.map_err(db_err)?.iter() {
        steps
            .entry(get(r, "service_id")?)
            .or_default()
            .push((get(r, "text_zh")?, get(r, "text_en")?));
    }
    for (order, list) in of_order {
        let checklist = domain::qc::checklist(&list, |s| steps.get(&s).cloned().unwrap_or_default());
        out.insert(order, checklist);
    }
    Ok(out)
}

/// What was marked at a quality check, each step with the text it was checked against.
async fn record_marks(
    conn: &mut Conn,
    order: OrderId,
    attempt: i64,
    checklist: &[QcStep],
    marks: &[QcMark],
    by: StaffId,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    for mark in marks {
        let step = checklist
            .iter()
            .find(|s| s.no == mark.no)
            .ok_or(domain::Error::QcStepMissing)?;
        sqlx::query(
            "INSERT INTO qc_marks (order_id, attempt, step_no, text_zh, text_en, passed, note,
                marked_by, marked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(order.as_uuid())
        .bind(attempt)
        .bind(i64::from(mark.no))
        .bind(step.text_zh.as_str())
        .bind(step.text_en.as_str())
        .bind(mark.passed)
        .bind(mark.note.as_ref().map(|n| n.as_str()))
        .bind(by.as_uuid())
        .bind(DbTime(now))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

/// A service of an order: its name, and the category of work it is.
pub(super) struct ServiceLine {
    pub name: Named,
    pub category: ServiceCategory,
}

/// The services of each of `orders`, in line order.
pub(super) async fn services_of(
    conn: &mut Conn,
    orders: &[Uuid],
) -> Result<HashMap<Uuid, Vec<ServiceLine>>, StorageError> {
    let mut services: HashMap<Uuid, Vec<ServiceLine>> = HashMap::new();
    if orders.is_empty() {
        return Ok(services);
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT ol.order_id, s.name_zh, s.name_en, s.category
         FROM order_lines ol JOIN services s ON s.id = ol.item_id
         WHERE ol.item_kind = 'service' AND ol.order_id IN ({})
         ORDER BY ol.order_id, ol.line_no",
        placeholders(1, orders.len())
    )));
    for id in orders {
        q = q.bind(*id);
    }
    for l in q.fetch_all(&mut *conn).await.map_err(db_err)?.iter() {
        let category: String = get(l, "category")?;
        services
            .entry(get(l, "order_id")?)
            .or_default()
            .push(ServiceLine {
                name: named(l, "name_zh", "name_en")?,
                category: ServiceCategory::parse(&category)
                    .ok_or_else(|| StorageError::corrupt(format!("category {category:?}")))?,
            });
    }
    Ok(services)
}

fn status(r: &DbRow) -> Result<OrderStatus, StorageError> {
    let status: String = get(r, "status")?;
    OrderStatus::parse(&status).ok_or_else(|| StorageError::corrupt(format!("status {status:?}")))
}

fn card(
    r: &DbRow,
    services: &mut HashMap<Uuid, Vec<ServiceLine>>,
) -> Result<WorkOrderCard, StorageError> {
    let id: Uuid = get(r, "id")?;
    let lines = services.remove(&id).unwrap_or_default();
    let mut categories: Vec<ServiceCategory> = lines.iter().map(|l| l.category).collect();
    categories.sort();
    categories.dedup();
    Ok(WorkOrderCard {
        id: OrderId::from(id),
        reference: get(r, "reference")?,
        status: status(r)?,
        customer: named(r, "name_zh", "name_en")?,
        customer_id: CustomerId::from(get::<Uuid>(r, "customer_id")?),
        plate: get(r, "plate")?,
        services: lines.into_iter().map(|l| l.name).collect(),
        categories,
        preferred_advisor: get::<Option<Uuid>>(r, "preferred_advisor_id")?.map(StaffId::from),
        suggestion: Vec::new(),
        findings: Vec::new(),
        declined_before: Vec::new(),
        checklist: Vec::new(),
        bill: BillView::default(),
        parts: Vec::new(),
        part_choices: Vec::new(),
        to_move: None,
        scheduled_start: get::<Option<DbTime>>(r, "scheduled_start")?.map(|t| t.0),
        responsible: get::<Option<Uuid>>(r, "responsible_id")?.map(StaffId::from),
        concerns: get(r, "concerns")?,
        mileage_km: small(r, "mileage_km")?,
    })
}

/// Records a reading (at a check-in, with the store and who read it; or the customer's
/// own, online): never below the car's last recorded one (the domain decides on the
/// last reading read here); the car's mileage follows it.
pub(super) async fn record_reading(
    conn: &mut Conn,
    vehicle: Uuid,
    mileage: Mileage,
    store: Option<StoreId>,
    by: Option<StaffId>,
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
    .bind(store.map(|s| s.as_uuid()))
    .bind(by.map(|b| b.as_uuid()))
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
