//! [`FollowUpStorage`]: the follow-ups a handover schedules, moved by new readings,
//! answered at the counter, marked missed.
//!
//! Every decision is [`domain::followup`]'s; the SQL reads what it needs and writes what
//! it planned:
//! - **Scheduling** ([`schedule_handover`]) runs inside the handover's transaction: the
//!   order's services, the parts it held and the car's readings go to
//!   [`domain::followup::schedule`]; an open reminder of the same kind for the car is
//!   superseded (it was just done); a unique `(order_id, kind)` keeps each once.
//! - **A new reading** ([`reproject_vehicle`]) runs inside the transaction that records
//!   it and moves the car's open reminders by [`domain::followup::reproject`].
//! - **Recording an outcome** locks the follow-up's row and asks
//!   [`domain::followup::record`]; the update is guarded by the status and attempts it
//!   read, so two iPads recording at once record once.
//! - **Marking missed** is one update guarded by `status = 'open'`: two instances
//!   running the job at once mark each follow-up once.
//!
//! Local days are stored as `2026-12-10` text on both databases.

use std::collections::{BTreeSet, HashMap};

use app::followup::customer::CustomerFollowUps;
use app::followup::{FollowUpItem, FollowUpQueue, FollowUpStorage};
use app::live::LiveEvent;
use app::storage::StorageError;
use async_trait::async_trait;
use domain::followup::{
    Basis, Consumable, Contact, FollowUpKind, Handover, Interval, KmPerDay, OilGrade, Outcome, Planned,
    Priority, Status, Window,
};
use domain::local_time::{at_local_minute, local_date, parse_date};
use domain::odometer::Reading;
use domain::account::StaffRole;
use domain::{CustomerId, FollowUpId, OrderId, ServiceId, StaffId, StoreId, VehicleId};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::rows::{append_event, get, named, small, Conn, DbRow};
use super::{Backend, LOCK_ROWS};
use crate::storage::{db_err, transaction, DbTime, Serial};

#[async_trait]
impl FollowUpStorage for Backend {
    async fn queue(&self, store: StoreId, now: OffsetDateTime) -> Result<FollowUpQueue, StorageError> {
        let mut conn = self.conn().await?;
        let today = local_date(now);
        let horizon = today + Duration::days(domain::followup::UPCOMING_DAYS);
        let mut items = items(
            &mut conn,
            "f.store_id = $1 AND f.status = 'open' AND f.closes_on >= $2 AND f.due_on <= $3",
            &[Bind::Id(store.as_uuid()), Bind::Day(today), Bind::Day(horizon)],
            today,
        )
        .await?;
        items.retain(|i| i.section.is_some());
        items.sort_by_key(|i| {
            let section = i.section.unwrap_or(domain::followup::Section::Upcoming);
            (domain::followup::queue_key(section, i.priority, i.due), i.id)
        });
        let midnight = at_local_minute(today, 0);
        let done_today: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM followups
             WHERE store_id = $1 AND status IN ('done', 'unreachable') AND closed_at >= $2",
        )
        .bind(store.as_uuid())
        .bind(DbTime(midnight))
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
        let missed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM followups
             WHERE store_id = $1 AND status = 'missed' AND closes_on >= $2",
        )
        .bind(store.as_uuid())
        .bind(day(today - Duration::days(7)))
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
        Ok(FollowUpQueue {
            today,
            items,
            done_today: u32::try_from(done_today).unwrap_or(u32::MAX),
            missed_last_week: u32::try_from(missed).unwrap_or(u32::MAX),
        })
    }

    async fn record(
        &self,
        store: StoreId,
        by: StaffId,
        id: FollowUpId,
        outcome: &Outcome,
        now: OffsetDateTime,
    ) -> Result<FollowUpItem, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let row = locked(tx, id, "store_id", store.as_uuid()).await?;
            record_outcome(tx, &row, id, Answerer::Staff(by), outcome, now).await
        })
    }

    async fn mark_missed(&self, now: OffsetDateTime) -> Result<u32, StorageError> {
        let today = local_date(now);
        transaction!(self, Serial::Rows, |tx| {
            let stores: Vec<Uuid> = sqlx::query_scalar(
                "UPDATE followups SET status = 'missed', closed_at = $1
                 WHERE status = 'open' AND closes_on < $2
                 RETURNING store_id",
            )
            .bind(DbTime(now))
            .bind(day(today))
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
            let marked = u32::try_from(stores.len()).unwrap_or(u32::MAX);
            let events = stores_changed(tx, stores.into_iter().collect(), now).await?;
            Ok((marked, events))
        })
    }

    async fn customer_view(
        &self,
        customer: CustomerId,
        now: OffsetDateTime,
    ) -> Result<CustomerFollowUps, StorageError> {
        let mut conn = self.conn().await?;
        let today = local_date(now);
        let items = items(
            &mut conn,
            "f.customer_id = $1 AND f.status = 'open' AND f.closes_on >= $2",
            &[Bind::Id(customer.as_uuid()), Bind::Day(today)],
            today,
        )
        .await?;
        let (mut to_answer, mut due): (Vec<_>, Vec<_>) = items
            .into_iter()
            .partition(|i| i.kind == FollowUpKind::Satisfaction);
        to_answer.sort_by_key(|i| std::cmp::Reverse((i.visit_on, i.id)));
        due.sort_by_key(|i| (i.due, i.id));
        let contact = contact_of(&mut conn, customer.as_uuid()).await?;
        Ok(CustomerFollowUps {
            today,
            to_answer,
            due,
            contact,
        })
    }

    async fn answer_online(
        &self,
        customer: CustomerId,
        id: FollowUpId,
        outcome: &Outcome,
        now: OffsetDateTime,
    ) -> Result<FollowUpItem, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let row = locked(tx, id, "customer_id", customer.as_uuid()).await?;
            let kind_code: String = get(&row, "kind")?;
            let kind = FollowUpKind::parse(&kind_code)
                .ok_or_else(|| StorageError::corrupt(format!("follow-up kind {kind_code:?}")))?;
            domain::followup::may_answer_online(kind, outcome)?;
            record_outcome(tx, &row, id, Answerer::Customer, outcome, now).await
        })
    }

    async fn set_contact(
        &self,
        customer: CustomerId,
        contact: Contact,
        by: Option<StaffId>,
        now: OffsetDateTime,
    ) -> Result<Contact, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let done = sqlx::query(
                "UPDATE customers SET contact_calls = $1, contact_sms = $2, marketing_opt_out = $3
                 WHERE id = $4",
            )
            .bind(contact.calls)
            .bind(contact.sms)
            .bind(!contact.campaigns)
            .bind(customer.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if done.rows_affected() != 1 {
                return Err(StorageError::NotFound);
            }
            sqlx::query(
                "INSERT INTO consents (id, customer_id, calls, sms, campaigns, at, staff_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(Uuid::now_v7())
            .bind(customer.as_uuid())
            .bind(contact.calls)
            .bind(contact.sms)
            .bind(contact.campaigns)
            .bind(DbTime(now))
            .bind(by.map(|b| b.as_uuid()))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            Ok((contact, Vec::new()))
        })
    }
}

/// Who records an outcome.
#[derive(Clone, Copy)]
enum Answerer {
    /// A staff member at the store's counter.
    Staff(StaffId),
    /// The customer, online.
    Customer,
}

/// A follow-up's row, locked, if `column` (its store or its customer) is `owner`.
async fn locked(
    tx: &mut Conn,
    id: FollowUpId,
    column: &str,
    owner: Uuid,
) -> Result<DbRow, StorageError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT kind, status, attempts, opens_on, closes_on, order_id, customer_id, store_id
         FROM followups WHERE id = $1 AND {column} = $2{LOCK_ROWS}"
    )))
    .bind(id.as_uuid())
    .bind(owner)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .ok_or(StorageError::NotFound)
}

/// Records `outcome` on the locked follow-up `row` ([`domain::followup::record`]),
/// guarded by the status and attempts read there; praise and complaints go on to the
/// people and the case they concern.
async fn record_outcome(
    tx: &mut Conn,
    row: &DbRow,
    id: FollowUpId,
    by: Answerer,
    outcome: &Outcome,
    now: OffsetDateTime,
) -> Result<(FollowUpItem, Vec<LiveEvent>), StorageError> {
    let status = status(row)?;
    let attempts: u8 = small(row, "attempts")?;
    let window = Window {
        opens: day_of(row, "opens_on")?,
        closes: day_of(row, "closes_on")?,
    };
    let recorded = domain::followup::record(status, attempts, window, outcome, now)?;
    let (rating, comment) = match outcome {
        Outcome::Satisfied { rating, comment } => {
            (Some(i64::from(rating.get())), comment.as_ref().map(|c| c.as_str()))
        }
        Outcome::Praise { text } | Outcome::Complaint { text } => (None, Some(text.as_str())),
        _ => (None, None),
    };
    let (staff, via) = match by {
        Answerer::Staff(s) => (Some(s), "kiosk"),
        Answerer::Customer => (None, "online"),
    };
    let done = recorded.status == Status::Done;
    let moved = sqlx::query(
        "UPDATE followups SET status = $1, attempts = $2, retry_at = $3, outcome = $4,
                rating = $5, comment = $6, answered_by = $7, answered_via = $8, closed_at = $9
         WHERE id = $10 AND status = 'open' AND attempts = $11",
    )
    .bind(recorded.status.code())
    .bind(i64::from(recorded.attempts))
    .bind(recorded.retry_at.map(DbTime))
    .bind(done.then(|| outcome.code()))
    .bind(rating)
    .bind(comment)
    .bind(staff.map(|s| s.as_uuid()))
    .bind(via)
    .bind((recorded.status != Status::Open).then_some(DbTime(now)))
    .bind(id.as_uuid())
    .bind(i64::from(attempts))
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    if moved.rows_affected() != 1 {
        return Err(StorageError::Conflict("the follow-up was answered meanwhile".into()));
    }
    let store = StoreId::from(get::<Uuid>(row, "store_id")?);
    let order: Uuid = get(row, "order_id")?;
    let customer: Uuid = get(row, "customer_id")?;
    let mut events = vec![LiveEvent::FollowUpsChanged { store }];
    match outcome {
        Outcome::Praise { text } => praise(tx, id, store, order, text.as_str(), now).await?,
        Outcome::Complaint { text } => {
            let owner = case_owner(tx, store, staff).await?;
            open_case(tx, id, store, customer, order, text.as_str(), owner, now).await?;
            events.push(LiveEvent::CaseChanged {
                store,
                customer: CustomerId::from(customer),
            });
        }
        _ => {}
    }
    for e in &events {
        append_event(tx, e, now).await?;
    }
    let item = items(tx, "f.id = $1", &[Bind::Id(id.as_uuid())], local_date(now))
        .await?
        .pop()
        .ok_or(StorageError::NotFound)?;
    Ok((item, events))
}

/// Who owns a case a complaint opens ([`domain::cases::owner`]), of the store's staff
/// still working there.
async fn case_owner(
    tx: &mut Conn,
    store: StoreId,
    taken_by: Option<StaffId>,
) -> Result<StaffId, StorageError> {
    let staff = sqlx::query(
        "SELECT id, role, phone FROM staff WHERE location_id = $1 AND deactivated_at IS NULL",
    )
    .bind(store.as_uuid())
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?
    .iter()
    .map(|r| {
        let role: String = get(r, "role")?;
        Ok((
            StaffId::from(get::<Uuid>(r, "id")?),
            StaffRole::parse(&role)
                .ok_or_else(|| StorageError::corrupt(format!("staff role {role:?}")))?,
            get::<String>(r, "phone")?,
        ))
    })
    .collect::<Result<Vec<_>, StorageError>>()?;
    domain::cases::owner(taken_by, &staff)
        .ok_or_else(|| StorageError::corrupt(format!("no one at store {store} to own a case")))
}

/// The customer's contact choices.
async fn contact_of(conn: &mut Conn, customer: Uuid) -> Result<Contact, StorageError> {
    let row = sqlx::query(
        "SELECT contact_calls, contact_sms, marketing_opt_out FROM customers WHERE id = $1",
    )
    .bind(customer)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    contact(&row)
}

/// Contact choices from a row with a customer's `contact_calls`, `contact_sms` and
/// `marketing_opt_out`.
pub(super) fn contact(r: &DbRow) -> Result<Contact, StorageError> {
    Ok(Contact {
        calls: get(r, "contact_calls")?,
        sms: get(r, "contact_sms")?,
        campaigns: !get::<bool>(r, "marketing_opt_out")?,
    })
}

/// A local day as stored.
pub(super) fn day(d: Date) -> String {
    d.to_string()
}

pub(super) fn day_of(r: &DbRow, column: &str) -> Result<Date, StorageError> {
    let text: String = get(r, column)?;
    parse_date(&text).map_err(|_| StorageError::corrupt(format!("{column} = {text:?}")))
}

fn status(r: &DbRow) -> Result<Status, StorageError> {
    let code: String = get(r, "status")?;
    Status::parse(&code).ok_or_else(|| StorageError::corrupt(format!("follow-up status {code:?}")))
}

/// A value bound to an [`items`] filter.
enum Bind {
    Id(Uuid),
    Day(Date),
}

/// Follow-ups as the queue shows them, filtered by `filter` (over `f`, with `binds`).
async fn items(
    conn: &mut Conn,
    filter: &str,
    binds: &[Bind],
    today: Date,
) -> Result<Vec<FollowUpItem>, StorageError> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT f.id, f.kind, f.priority, f.status, f.due_on, f.opens_on, f.closes_on,
                f.fitted_km, f.interval_months, f.interval_km, f.km_per_day, f.km_per_day_observed,
                f.attempts, f.outcome, f.retry_at, f.customer_id, f.vehicle_id, f.order_id,
                c.name_zh, c.name_en, c.phone, c.contact_calls, v.plate, o.reference, o.completed_at,
                s.name_zh AS staff_zh, s.name_en AS staff_en, l.name_zh AS store_zh, l.name_en AS store_en
         FROM followups f
         JOIN locations l ON l.id = f.store_id
         JOIN customers c ON c.id = f.customer_id
         JOIN vehicles v ON v.id = f.vehicle_id
         JOIN orders o ON o.id = f.order_id
         LEFT JOIN staff s ON s.id = o.responsible_id
         WHERE {filter}"
    )));
    for b in binds {
        q = match b {
            Bind::Id(id) => q.bind(*id),
            Bind::Day(d) => q.bind(day(*d)),
        };
    }
    let rows = q.fetch_all(&mut *conn).await.map_err(db_err)?;
    let orders: Vec<Uuid> = rows
        .iter()
        .map(|r| get(r, "order_id"))
        .collect::<Result<_, _>>()?;
    let mut services = super::workorders::services_of(conn, &orders).await?;
    let recommended = recommended_services(conn).await?;
    rows.iter()
        .map(|r| {
            let kind_code: String = get(r, "kind")?;
            let kind = FollowUpKind::parse(&kind_code)
                .ok_or_else(|| StorageError::corrupt(format!("follow-up kind {kind_code:?}")))?;
            let priority_code: String = get(r, "priority")?;
            let priority = Priority::parse(&priority_code)
                .ok_or_else(|| StorageError::corrupt(format!("priority {priority_code:?}")))?;
            let due = day_of(r, "due_on")?;
            let window = Window {
                opens: day_of(r, "opens_on")?,
                closes: day_of(r, "closes_on")?,
            };
            let visit_on = local_date(get::<Option<DbTime>>(r, "completed_at")?.map_or(at_local_minute(today, 0), |t| t.0));
            let status = status(r)?;
            let order: Uuid = get(r, "order_id")?;
            let staff = match get::<Option<String>>(r, "staff_zh")? {
                Some(zh) => Some(app::reception::Named {
                    zh,
                    en: get(r, "staff_en")?,
                }),
                None => None,
            };
            Ok(FollowUpItem {
                id: FollowUpId::from(get::<Uuid>(r, "id")?),
                kind,
                priority,
                status,
                section: (status == Status::Open)
                    .then(|| domain::followup::section(due, window, today))
                    .flatten(),
                due,
                window,
                basis: basis(r, visit_on)?,
                attempts: small(r, "attempts")?,
                outcome: get(r, "outcome")?,
                retry_at: get::<Option<DbTime>>(r, "retry_at")?.map(|t| t.0),
                customer: CustomerId::from(get::<Uuid>(r, "customer_id")?),
                customer_name: named(r, "name_zh", "name_en")?,
                phone: get(r, "phone")?,
                calls_ok: get(r, "contact_calls")?,
                store: named(r, "store_zh", "store_en")?,
                vehicle: VehicleId::from(get::<Uuid>(r, "vehicle_id")?),
                plate: get(r, "plate")?,
                order_reference: get(r, "reference")?,
                visit_on,
                services: services
                    .remove(&order)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| s.name)
                    .collect(),
                staff,
                recommended: kind
                    .service_code()
                    .and_then(|code| recommended.get(code).copied()),
            })
        })
        .collect()
}

/// A reminder's stored basis; `None` for the satisfaction call.
fn basis(r: &DbRow, fitted_on: Date) -> Result<Option<Basis>, StorageError> {
    let Some(months) = get::<Option<i64>>(r, "interval_months")? else {
        return Ok(None);
    };
    let int = |v: Option<i64>, what: &str| -> Result<Option<u32>, StorageError> {
        v.map(|v| u32::try_from(v).map_err(|_| StorageError::corrupt(format!("{what} = {v}"))))
            .transpose()
    };
    Ok(Some(Basis {
        fitted_on,
        fitted_km: int(get(r, "fitted_km")?, "fitted_km")?.unwrap_or(0),
        interval: Interval {
            months: u8::try_from(months).map_err(|_| StorageError::corrupt(format!("interval_months = {months}")))?,
            km: int(get(r, "interval_km")?, "interval_km")?,
        },
        km_per_day: KmPerDay {
            km: int(get(r, "km_per_day")?, "km_per_day")?.unwrap_or(0),
            observed: get::<Option<bool>>(r, "km_per_day_observed")?.unwrap_or(false),
        },
    }))
}

/// The catalogue's services by code, for the service a reminder recommends.
async fn recommended_services(conn: &mut Conn) -> Result<HashMap<String, ServiceId>, StorageError> {
    let rows = sqlx::query("SELECT id, code FROM services")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|r| Ok((get(r, "code")?, ServiceId::from(get::<Uuid>(r, "id")?))))
        .collect()
}

/// The car's odometer readings, for its km a day.
async fn km_per_day(conn: &mut Conn, vehicle: Uuid) -> Result<KmPerDay, StorageError> {
    let rows = sqlx::query("SELECT km, read_at FROM mileage_readings WHERE vehicle_id = $1")
        .bind(vehicle)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    let readings = rows
        .iter()
        .map(|r| {
            Ok(Reading {
                km: small(r, "km")?,
                at: get::<DbTime>(r, "read_at")?.0,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    Ok(KmPerDay::from_observed(domain::odometer::km_per_day(&readings)))
}

/// Schedules the follow-ups of a work order handed over at `now`, inside the handover's
/// transaction; returns the events to publish.
pub(super) async fn schedule_handover(
    tx: &mut Conn,
    order: OrderId,
    now: OffsetDateTime,
) -> Result<Vec<LiveEvent>, StorageError> {
    let row = sqlx::query(
        "SELECT store_id, customer_id, vehicle_id, mileage_km FROM orders WHERE id = $1",
    )
    .bind(order.as_uuid())
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    let store: Uuid = get(&row, "store_id")?;
    let vehicle: Uuid = get(&row, "vehicle_id")?;
    let days: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(s.satisfaction_days) FROM order_lines ol JOIN services s ON s.id = ol.item_id
         WHERE ol.order_id = $1 AND ol.item_kind = 'service'",
    )
    .bind(order.as_uuid())
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    // The parts the order held when the car left: what was fitted.
    let fitted = sqlx::query(
        "SELECT c.code, p.oil_grade FROM reservations r
         JOIN parts p ON p.id = r.part_id
         JOIN part_categories c ON c.id = p.category_id
         WHERE r.order_id = $1 AND r.released_at IS NULL",
    )
    .bind(order.as_uuid())
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?
    .iter()
    .map(|r| {
        let code: String = get(r, "code")?;
        let grade = get::<Option<String>>(r, "oil_grade")?.and_then(|g| OilGrade::parse(&g));
        Ok(Consumable::of_category(&code, grade))
    })
    .collect::<Result<Vec<_>, StorageError>>()?
    .into_iter()
    .flatten()
    .collect();
    let handover = Handover {
        on: local_date(now),
        km: small(&row, "mileage_km")?,
        km_per_day: km_per_day(tx, vehicle).await?,
        satisfaction_days: days
            .and_then(|d| u8::try_from(d).ok())
            .unwrap_or(domain::followup::DEFAULT_SATISFACTION_DAYS),
        fitted,
    };
    let planned = domain::followup::schedule(&handover);
    // What was just done is no longer to be reminded of, wherever it was planned.
    let mut stores: BTreeSet<Uuid> = BTreeSet::from([store]);
    for p in planned.iter().filter(|p| p.basis.is_some()) {
        let superseded: Vec<Uuid> = sqlx::query_scalar(
            "UPDATE followups SET status = 'superseded', closed_at = $1
             WHERE vehicle_id = $2 AND kind = $3 AND status = 'open' AND order_id <> $4
             RETURNING store_id",
        )
        .bind(DbTime(now))
        .bind(vehicle)
        .bind(p.kind.code())
        .bind(order.as_uuid())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        stores.extend(superseded);
    }
    let customer: Uuid = get(&row, "customer_id")?;
    for p in &planned {
        insert(tx, store, customer, vehicle, order.as_uuid(), p, now).await?;
    }
    stores_changed(tx, stores, now).await
}

async fn insert(
    tx: &mut Conn,
    store: Uuid,
    customer: Uuid,
    vehicle: Uuid,
    order: Uuid,
    p: &Planned,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let b = p.basis;
    sqlx::query(
        "INSERT INTO followups (id, store_id, customer_id, vehicle_id, order_id, kind, priority,
                due_on, opens_on, closes_on, fitted_km, interval_months, interval_km, km_per_day,
                km_per_day_observed, status, attempts, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'open', 0, $16)
         ON CONFLICT (order_id, kind) DO NOTHING",
    )
    .bind(Uuid::now_v7())
    .bind(store)
    .bind(customer)
    .bind(vehicle)
    .bind(order)
    .bind(p.kind.code())
    .bind(p.priority.code())
    .bind(day(p.due))
    .bind(day(p.window.opens))
    .bind(day(p.window.closes))
    .bind(b.map(|b| i64::from(b.fitted_km)))
    .bind(b.map(|b| i64::from(b.interval.months)))
    .bind(b.and_then(|b| b.interval.km).map(i64::from))
    .bind(b.map(|b| i64::from(b.km_per_day.km)))
    .bind(b.map(|b| b.km_per_day.observed))
    .bind(DbTime(now))
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Moves the car's open reminders after a new reading, inside the transaction that
/// recorded it; returns the events to publish.
pub(super) async fn reproject_vehicle(
    tx: &mut Conn,
    vehicle: Uuid,
    now: OffsetDateTime,
) -> Result<Vec<LiveEvent>, StorageError> {
    let today = local_date(now);
    let per_day = km_per_day(tx, vehicle).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT f.id, f.store_id, f.kind, f.priority, f.due_on, f.opens_on, f.closes_on, f.fitted_km,
                f.interval_months, f.interval_km, f.km_per_day, f.km_per_day_observed, o.completed_at
         FROM followups f JOIN orders o ON o.id = f.order_id
         WHERE f.vehicle_id = $1 AND f.status = 'open' AND f.interval_months IS NOT NULL{LOCK_ROWS}"
    )))
    .bind(vehicle)
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    let mut stores = BTreeSet::new();
    for r in &rows {
        let kind_code: String = get(r, "kind")?;
        let kind = FollowUpKind::parse(&kind_code)
            .ok_or_else(|| StorageError::corrupt(format!("follow-up kind {kind_code:?}")))?;
        let fitted_on = local_date(get::<Option<DbTime>>(r, "completed_at")?.map_or(now, |t| t.0));
        let planned = Planned {
            kind,
            due: day_of(r, "due_on")?,
            window: Window {
                opens: day_of(r, "opens_on")?,
                closes: day_of(r, "closes_on")?,
            },
            priority: kind.priority(),
            basis: basis(r, fitted_on)?,
        };
        let Some(moved) = domain::followup::reproject(&planned, per_day, today) else {
            continue;
        };
        sqlx::query(
            "UPDATE followups SET due_on = $1, opens_on = $2, closes_on = $3, km_per_day = $4,
                    km_per_day_observed = $5
             WHERE id = $6 AND status = 'open'",
        )
        .bind(day(moved.due))
        .bind(day(moved.window.opens))
        .bind(day(moved.window.closes))
        .bind(i64::from(per_day.km))
        .bind(per_day.observed)
        .bind(get::<Uuid>(r, "id")?)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        stores.insert(get::<Uuid>(r, "store_id")?);
    }
    stores_changed(tx, stores, now).await
}

/// One [`LiveEvent::FollowUpsChanged`] for each store whose follow-ups changed, in the
/// outbox; returns them to publish.
async fn stores_changed(
    tx: &mut Conn,
    stores: BTreeSet<Uuid>,
    now: OffsetDateTime,
) -> Result<Vec<LiveEvent>, StorageError> {
    let mut events = Vec::new();
    for store in stores {
        let event = LiveEvent::FollowUpsChanged {
            store: StoreId::from(store),
        };
        append_event(tx, &event, now).await?;
        events.push(event);
    }
    Ok(events)
}

/// Praise for the people who did the work (the order's responsible person and its
/// technician) and their store.
async fn praise(
    tx: &mut Conn,
    followup: FollowUpId,
    store: StoreId,
    order: Uuid,
    text: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO praise (followup_id, store_id, order_id, note, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(followup.as_uuid())
    .bind(store.as_uuid())
    .bind(order)
    .bind(text)
    .bind(DbTime(now))
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    let people = sqlx::query("SELECT responsible_id, technician_id FROM orders WHERE id = $1")
        .bind(order)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
    let staff: BTreeSet<Uuid> = [
        get::<Option<Uuid>>(&people, "responsible_id")?,
        get::<Option<Uuid>>(&people, "technician_id")?,
    ]
    .into_iter()
    .flatten()
    .collect();
    for s in staff {
        sqlx::query("INSERT INTO praise_staff (followup_id, staff_id) VALUES ($1, $2)")
            .bind(followup.as_uuid())
            .bind(s)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// A complaint opens a case owned by whoever took it, due [`domain::cases::deadline`].
#[allow(clippy::too_many_arguments)]
async fn open_case(
    tx: &mut Conn,
    followup: FollowUpId,
    store: StoreId,
    customer: Uuid,
    order: Uuid,
    complaint: &str,
    owner: StaffId,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let case = domain::CaseId::new();
    sqlx::query(
        "INSERT INTO cases (id, store_id, customer_id, order_id, followup_id, complaint, owner_id,
                status, opened_at, deadline)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9)",
    )
    .bind(case.as_uuid())
    .bind(store.as_uuid())
    .bind(customer)
    .bind(order)
    .bind(followup.as_uuid())
    .bind(complaint)
    .bind(owner.as_uuid())
    .bind(DbTime(now))
    .bind(DbTime(domain::cases::deadline(now)))
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "INSERT INTO case_steps (id, case_id, at, action, note, staff_id)
         VALUES ($1, $2, $3, 'opened', $4, $5)",
    )
    .bind(Uuid::now_v7())
    .bind(case.as_uuid())
    .bind(DbTime(now))
    .bind(complaint)
    .bind(owner.as_uuid())
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(())
}
