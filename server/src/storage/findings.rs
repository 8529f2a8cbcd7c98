//! [`FindingsStorage`]: inspection findings on a work order.
//!
//! A finding is recorded and decided under the lock of its order's row (the status the
//! domain decides on cannot move meanwhile), and its own decision is written with
//! `WHERE decision = 'pending'`, so two answers at once (the phone and the counter)
//! decide it once. Approving reserves the fixing service's parts on the store's shelf
//! with the same guard a booking uses (`on_hand - reserved >= quantity`).

use std::collections::HashMap;

use app::findings::{DecidedVia, FindingView, FindingsStorage, NewFinding, OrderFindings, OrderRef};
use app::live::LiveEvent;
use app::reception::Named;
use app::storage::StorageError;
use async_trait::async_trait;
use domain::findings::{Decision, Severity};
use domain::pricing::PricedItem;
use domain::{CustomerId, FindingId, Money, OrderId, OrderStatus, ServiceId, StoreId, VehicleId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::rows::{append_event, get, placeholders, Conn, DbRow};
use super::{Backend, LOCK_ROWS};
use crate::storage::{db_err, now, transaction, DbTime, Serial};

/// What [`view`] reads, and from where.
const FINDING_COLUMNS: &str = "f.id, f.order_id, f.item, f.severity, f.note, f.service_id,
        f.price_fen, f.decision, f.found_at, s.name_zh, s.name_en";
const FINDING_FROM: &str = "FROM findings f JOIN services s ON s.id = f.service_id";

#[async_trait]
impl FindingsStorage for Backend {
    async fn order(&self, order: OrderId) -> Result<OrderRef, StorageError> {
        let mut conn = self.conn().await?;
        order_ref(&mut conn, order, "").await
    }

    async fn finding(&self, id: FindingId) -> Result<(OrderRef, FindingView), StorageError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {FINDING_COLUMNS} {FINDING_FROM} WHERE f.id = $1")))
            .bind(id.as_uuid())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
        let finding = view(&row)?;
        Ok((order_ref(&mut conn, finding.order, "").await?, finding))
    }

    async fn record(
        &self,
        order: OrderId,
        finding: &NewFinding,
        by: domain::StaffId,
    ) -> Result<FindingId, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let now = now();
            let at = order_ref(tx, order, LOCK_ROWS).await?;
            domain::findings::may_record(at.status)?;
            let id = FindingId::from(Uuid::now_v7());
            sqlx::query(
                "INSERT INTO findings (id, order_id, vehicle_id, item, severity, note, service_id,
                    price_fen, decision, found_by, found_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id.as_uuid())
            .bind(order.as_uuid())
            .bind(at.vehicle.as_uuid())
            .bind(finding.item.as_str())
            .bind(finding.severity.code())
            .bind(finding.note.as_ref().map(|n| n.as_str()))
            .bind(finding.service.as_uuid())
            .bind(finding.price.fen())
            .bind(Decision::Pending.code())
            .bind(by.as_uuid())
            .bind(DbTime(now))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            let events = changed(tx, &at, now).await?;
            Ok((id, events))
        })
    }

    async fn decide(
        &self,
        id: FindingId,
        answer: &str,
        via: DecidedVia,
        work: Option<&domain::Breakdown>,
    ) -> Result<Decision, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let now = now();
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {FINDING_COLUMNS} {FINDING_FROM} WHERE f.id = $1")))
                .bind(id.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?
                .ok_or(StorageError::NotFound)?;
            let finding = view(&row)?;
            let at = order_ref(tx, finding.order, LOCK_ROWS).await?;
            let decision = finding.decision.decide(answer, at.status)?;
            if decision == Decision::Approved {
                let work = work.ok_or(domain::Error::NotPriced)?;
                if work.service != finding.service {
                    return Err(domain::Error::NotPriced.into());
                }
                work.check_total(finding.price)?;
                reserve(tx, &at, work).await?;
            }
            let decided = sqlx::query(
                "UPDATE findings SET decision = $1, decided_at = $2, decided_via = $3
                 WHERE id = $4 AND decision = $5",
            )
            .bind(decision.code())
            .bind(DbTime(now))
            .bind(match via {
                DecidedVia::Customer => "customer",
                DecidedVia::Counter => "counter",
            })
            .bind(id.as_uuid())
            .bind(Decision::Pending.code())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if decided.rows_affected() != 1 {
                return Err(domain::Error::FindingDecided.into());
            }
            let events = changed(tx, &at, now).await?;
            Ok((decision, events))
        })
    }

    async fn of_order(&self, order: OrderId) -> Result<OrderFindings, StorageError> {
        let mut conn = self.conn().await?;
        let findings = of_orders(&mut conn, &[order.as_uuid()])
            .await?
            .remove(&order.as_uuid())
            .unwrap_or_default();
        let (_, bill) = super::workorders::bills_of(&mut conn, &[order.as_uuid()])
            .await?
            .remove(&order.as_uuid())
            .ok_or(StorageError::NotFound)?;
        Ok(OrderFindings { findings, bill })
    }
}

/// The work order, its store, customer, car and status; `lock` is `""` or [`LOCK_ROWS`].
async fn order_ref(conn: &mut Conn, order: OrderId, lock: &str) -> Result<OrderRef, StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT store_id, customer_id, vehicle_id, status FROM orders WHERE id = $1{lock}"
    )))
    .bind(order.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StorageError::NotFound)?;
    let status: String = get(&row, "status")?;
    Ok(OrderRef {
        order,
        store: StoreId::from(get::<Uuid>(&row, "store_id")?),
        customer: CustomerId::from(get::<Uuid>(&row, "customer_id")?),
        vehicle: VehicleId::from(get::<Uuid>(&row, "vehicle_id")?),
        status: OrderStatus::parse(&status)
            .ok_or_else(|| StorageError::corrupt(format!("status {status:?}")))?,
    })
}

/// Holds the approved work's parts on the store's shelf, each refused as a whole unless
/// that much is free there, and adds them to what the order holds.
async fn reserve(conn: &mut Conn, at: &OrderRef, work: &domain::Breakdown) -> Result<(), StorageError> {
    for line in &work.parts {
        let PricedItem::Part(part) = line.item else {
            continue;
        };
        let q = i64::from(line.quantity.milli());
        let held = sqlx::query(
            "UPDATE stock SET reserved_milli = reserved_milli + $1
             WHERE location_id = $2 AND part_id = $3 AND on_hand_milli - reserved_milli >= $1",
        )
        .bind(q)
        .bind(at.store.as_uuid())
        .bind(part.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        if held.rows_affected() != 1 {
            return Err(domain::Error::OutOfStock.into());
        }
        // One reservation per part of an order: more of a part already held on this
        // shelf adds to it; one held elsewhere (a shipment, a transfer) cannot be mixed.
        let added = sqlx::query(
            "INSERT INTO reservations (order_id, part_id, location_id, quantity_milli)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (order_id, part_id) DO UPDATE
                 SET quantity_milli = reservations.quantity_milli + excluded.quantity_milli
                 WHERE reservations.location_id = excluded.location_id
                   AND reservations.released_at IS NULL",
        )
        .bind(at.order.as_uuid())
        .bind(part.as_uuid())
        .bind(at.store.as_uuid())
        .bind(q)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        if added.rows_affected() != 1 {
            return Err(domain::Error::PartsUnobtainable.into());
        }
    }
    Ok(())
}

/// The store's boards and the customer's page hear of it.
async fn changed(
    conn: &mut Conn,
    at: &OrderRef,
    now: OffsetDateTime,
) -> Result<Vec<LiveEvent>, StorageError> {
    let event = LiveEvent::OrderChanged {
        store: at.store,
        customer: at.customer,
        order: at.order,
    };
    append_event(conn, &event, now).await?;
    Ok(vec![event])
}

fn view(r: &DbRow) -> Result<FindingView, StorageError> {
    let severity: String = get(r, "severity")?;
    let decision: String = get(r, "decision")?;
    Ok(FindingView {
        id: FindingId::from(get::<Uuid>(r, "id")?),
        order: OrderId::from(get::<Uuid>(r, "order_id")?),
        item: get(r, "item")?,
        severity: Severity::parse(&severity)
            .map_err(|_| StorageError::corrupt(format!("severity {severity:?}")))?,
        note: get(r, "note")?,
        service: ServiceId::from(get::<Uuid>(r, "service_id")?),
        service_name: Named {
            zh: get(r, "name_zh")?,
            en: get(r, "name_en")?,
        },
        price: Money::from_fen(get(r, "price_fen")?),
        decision: Decision::parse(&decision)
            .ok_or_else(|| StorageError::corrupt(format!("decision {decision:?}")))?,
        found_at: get::<DbTime>(r, "found_at")?.0,
    })
}

/// The findings of each of `orders`, oldest first.
pub(super) async fn of_orders(
    conn: &mut Conn,
    orders: &[Uuid],
) -> Result<HashMap<Uuid, Vec<FindingView>>, StorageError> {
    let mut out: HashMap<Uuid, Vec<FindingView>> = HashMap::new();
    if orders.is_empty() {
        return Ok(out);
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {FINDING_COLUMNS} {FINDING_FROM} WHERE f.order_id IN ({}) ORDER BY f.found_at, f.id",
        placeholders(1, orders.len())
    )));
    for id in orders {
        q = q.bind(*id);
    }
    for r in q.fetch_all(&mut *conn).await.map_err(db_err)?.iter() {
        let f = view(r)?;
        out.entry(f.order.as_uuid()).or_default().push(f);
    }
    Ok(out)
}

/// For each `(order, vehicle)`, what the car's customer declined at its other orders,
/// newest first, leaving out a service this order already offers.
pub(super) async fn declined_before(
    conn: &mut Conn,
    cards: &[(Uuid, Uuid)],
    offered: &HashMap<Uuid, Vec<FindingView>>,
) -> Result<HashMap<Uuid, Vec<FindingView>>, StorageError> {
    let mut out: HashMap<Uuid, Vec<FindingView>> = HashMap::new();
    if cards.is_empty() {
        return Ok(out);
    }
    let vehicles: Vec<Uuid> = cards.iter().map(|(_, v)| *v).collect();
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {FINDING_COLUMNS}, f.vehicle_id AS vehicle {FINDING_FROM}
         WHERE f.decision = 'declined' AND f.vehicle_id IN ({})
         ORDER BY f.found_at DESC, f.id",
        placeholders(1, vehicles.len())
    )));
    for v in &vehicles {
        q = q.bind(*v);
    }
    let rows = q.fetch_all(&mut *conn).await.map_err(db_err)?;
    let mut of_car: Vec<(Uuid, FindingView)> = Vec::with_capacity(rows.len());
    for r in &rows {
        of_car.push((get(r, "vehicle")?, view(r)?));
    }
    for (order, vehicle) in cards {
        let offered: Vec<ServiceId> = offered
            .get(order)
            .map(|here| here.iter().map(|f| f.service).collect())
            .unwrap_or_default();
        let declined = of_car
            .iter()
            .filter(|(car, _)| car == vehicle)
            .map(|(_, f)| (f.order, f.service, f.clone()));
        let again = domain::findings::offer_again(OrderId::from(*order), &offered, declined);
        if !again.is_empty() {
            out.insert(*order, again);
        }
    }
    Ok(out)
}
