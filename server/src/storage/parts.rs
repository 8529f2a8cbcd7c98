//! [`PartsStorage`]: the parts a work order holds, picking them, and one more.
//!
//! Picking runs under the lock of the order's row, so two iPads pressing at once pick
//! once: the second finds nothing left ([`domain::picking::to_pick`]). Each pick takes
//! the part off the store's shelf, on-hand and reserved together, guarded so that
//! neither can go below what it covers.
//!
//! One more part is decided like a booking's parts: read the network, let
//! [`domain::picking::extra_hold`] choose, then write with the booking's guards
//! ([`super::booking::hold_parts`], [`super::booking::record_holds`]), which refuse
//! what someone else took since the read.

use std::collections::HashMap;

use app::live::LiveEvent;
use app::parts::{OrderPart, PartChoice, PartsStorage};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::booking::Source;
use domain::picking::{extra_hold, may_handle_parts, to_pick, HeldPart, PartPlace};
use domain::stock::DeliverySchedule;
use domain::{OrderId, OrderStatus, PartId, Quantity, StoreId};
use uuid::Uuid;

use super::booking::{hold_parts, network_and_loads, record_holds};
use super::rows::{
    append_event, get, named, placeholders, push_event, quantity, small, Batch, Conn,
};
use super::{send_batch, Backend, LOCK_ROWS};
use crate::storage::{db_err, now, transaction, DbTime, Serial};

#[async_trait]
impl PartsStorage for Backend {
    async fn pick(&self, store: StoreId, order: OrderId) -> Result<Vec<(PartId, u32)>, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let now = now();
            let (_, status) = locked_order(tx, store, order).await?;
            may_handle_parts(status)?;
            let held = held(tx, order).await?;
            let picks = to_pick(&held)?;
            take_from_shelf(tx, store, order, &picks, now).await?;
            let event = LiveEvent::BoardChanged { store };
            append_event(tx, &event, now).await?;
            Ok((picks, vec![event]))
        })
    }

    async fn add_part(
        &self,
        store: StoreId,
        order: OrderId,
        part: PartId,
        quantity: Quantity,
    ) -> Result<OrderPart, StorageError> {
        let now = now();
        // What the chain has of the part, read as a booking reads it.
        let network = {
            let mut conn = self.conn().await?;
            let revs = self.revisions(&mut conn).await?;
            let locations = self.locations(&mut conn, &revs).await?;
            network_and_loads(&mut conn, &locations, &[part], Some(store), (now, now))
                .await?
                .0
        };
        let location = network
            .location(store)
            .cloned()
            .ok_or(StorageError::NotFound)?;
        transaction!(self, Serial::Rows, |tx| {
            let (vehicle, status) = locked_order(tx, store, order).await?;
            may_handle_parts(status)?;
            fits(tx, vehicle, part).await?;
            let parts = of_orders(tx, &[order.as_uuid()])
                .await?
                .remove(&order.as_uuid())
                .unwrap_or_default();
            let held: Vec<_> = parts.iter().map(OrderPart::held).collect();
            let hold = extra_hold(
                &network,
                &location,
                part,
                quantity,
                &held,
                &DeliverySchedule::default(),
                now,
            )?;
            let mut batch = Batch::default();
            hold_parts(&mut batch, std::slice::from_ref(&hold));
            if parts.iter().any(|p| p.part == part) {
                // More of a part the order holds on this shelf: one reservation per part.
                let sql = format!(
                    "UPDATE reservations SET quantity_milli = quantity_milli + {q}
                     WHERE order_id = {o} AND part_id = {p} AND location_id = {s}
                       AND transfer_id IS NULL AND released_at IS NULL",
                    q = batch.bind(i64::from(quantity.milli())),
                    o = batch.bind(order.as_uuid()),
                    p = batch.bind(part.as_uuid()),
                    s = batch.bind(store.as_uuid()),
                );
                batch.push_guarded(sql, 1, domain::Error::PartHeldElsewhere);
            } else {
                record_holds(&mut batch, order, store, std::slice::from_ref(&hold), now);
            }
            // The shelves it came from are lower for everyone's bookings.
            let mut stores = vec![store];
            if let Source::Transfer { from, .. } = hold.source {
                stores.push(from);
            }
            let events = vec![
                LiveEvent::BoardChanged { store },
                LiveEvent::AvailabilityChanged { stores },
            ];
            for event in &events {
                push_event(&mut batch, event, now)?;
            }
            send_batch(tx, batch).await?;
            let added = of_orders(tx, &[order.as_uuid()])
                .await?
                .remove(&order.as_uuid())
                .unwrap_or_default()
                .into_iter()
                .find(|p| p.part == part)
                .ok_or(StorageError::NotFound)?;
            Ok((added, events))
        })
    }
}

/// What the order holds, as the domain weighs it.
pub(super) async fn held(conn: &mut Conn, order: OrderId) -> Result<Vec<HeldPart>, StorageError> {
    Ok(of_orders(conn, &[order.as_uuid()])
        .await?
        .remove(&order.as_uuid())
        .unwrap_or_default()
        .iter()
        .map(OrderPart::held)
        .collect())
}

/// Takes `picks` of the order's parts off `store`'s shelf: on-hand and reserved go
/// down together, and the order's reservations record them as picked; guarded so that
/// neither can go below what it covers.
pub(super) async fn take_from_shelf(
    tx: &mut Conn,
    store: StoreId,
    order: OrderId,
    picks: &[(PartId, u32)],
    now: time::OffsetDateTime,
) -> Result<(), StorageError> {
    for (part, milli) in picks {
        let taken = sqlx::query(
            "UPDATE stock SET on_hand_milli = on_hand_milli - $1, reserved_milli = reserved_milli - $1
             WHERE location_id = $2 AND part_id = $3 AND reserved_milli >= $1 AND on_hand_milli >= $1",
        )
        .bind(i64::from(*milli))
        .bind(store.as_uuid())
        .bind(part.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let recorded = sqlx::query(
            "UPDATE reservations SET picked_milli = picked_milli + $1, picked_at = $2
             WHERE order_id = $3 AND part_id = $4 AND released_at IS NULL
               AND picked_milli + $1 <= quantity_milli",
        )
        .bind(i64::from(*milli))
        .bind(DbTime(now))
        .bind(order.as_uuid())
        .bind(part.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if taken.rows_affected() != 1 || recorded.rows_affected() != 1 {
            // The shelf held less than the order's reservation says.
            return Err(StorageError::corrupt(format!(
                "order {order} holds {milli} of part {part} that the shelf does not"
            )));
        }
        super::supply::record_consumption(tx, store, *part, i64::from(*milli), order.as_uuid(), now)
            .await?;
    }
    Ok(())
}

/// The order's car and status, its row locked; [`StorageError::NotFound`] unless it is
/// at `store` (another store's work order is not there to see).
pub(super) async fn locked_order(
    conn: &mut Conn,
    store: StoreId,
    order: OrderId,
) -> Result<(Uuid, OrderStatus), StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT vehicle_id, status FROM orders WHERE id = $1 AND store_id = $2{LOCK_ROWS}"
    )))
    .bind(order.as_uuid())
    .bind(store.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StorageError::NotFound)?;
    let status: String = get(&row, "status")?;
    let status = OrderStatus::parse(&status)
        .ok_or_else(|| StorageError::corrupt(format!("status {status:?}")))?;
    Ok((get(&row, "vehicle_id")?, status))
}

/// Refuses a part that does not fit the car ([`domain::Error::NoFitment`]).
pub(super) async fn fits(conn: &mut Conn, vehicle: Uuid, part: PartId) -> Result<(), StorageError> {
    sqlx::query(
        "SELECT 1 AS one FROM fitments f JOIN vehicles v ON v.model_id = f.model_id
         WHERE v.id = $1 AND f.part_id = $2",
    )
    .bind(vehicle)
    .bind(part.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .map(|_| ())
    .ok_or_else(|| domain::Error::NoFitment.into())
}

/// The parts each of `orders` holds, by SKU.
pub(super) async fn of_orders(
    conn: &mut Conn,
    orders: &[Uuid],
) -> Result<HashMap<Uuid, Vec<OrderPart>>, StorageError> {
    let mut out: HashMap<Uuid, Vec<OrderPart>> = HashMap::new();
    if orders.is_empty() {
        return Ok(out);
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT r.order_id, r.part_id, r.location_id, r.transfer_id, r.quantity_milli, r.picked_milli,
                t.eta AS transfer_eta, sh.eta AS shipment_eta, o.store_id,
                p.sku, p.name_zh, p.name_en, c.unit_zh, c.unit_en
         FROM reservations r
         JOIN orders o ON o.id = r.order_id
         JOIN parts p ON p.id = r.part_id
         JOIN part_categories c ON c.id = p.category_id
         LEFT JOIN transfers t ON t.id = r.transfer_id
         LEFT JOIN inbound_shipments sh ON sh.id = r.shipment_id
         WHERE r.released_at IS NULL AND r.order_id IN ({})
         ORDER BY r.order_id, p.sku",
        placeholders(1, orders.len())
    )));
    for id in orders {
        q = q.bind(*id);
    }
    for r in q.fetch_all(&mut *conn).await.map_err(db_err)?.iter() {
        let at: Option<Uuid> = get(r, "location_id")?;
        let transfer: Option<Uuid> = get(r, "transfer_id")?;
        let store: Uuid = get(r, "store_id")?;
        let transfer_eta: Option<DbTime> = get(r, "transfer_eta")?;
        let shipment_eta: Option<DbTime> = get(r, "shipment_eta")?;
        let place = match (at, transfer, transfer_eta.or(shipment_eta)) {
            (Some(at), None, _) if at == store => PartPlace::Shelf,
            (_, _, Some(eta)) => PartPlace::Arriving { eta: eta.0 },
            _ => return Err(StorageError::corrupt("a reservation that is nowhere")),
        };
        out.entry(get(r, "order_id")?).or_default().push(OrderPart {
            part: PartId::from(get::<Uuid>(r, "part_id")?),
            sku: get(r, "sku")?,
            name: named(r, "name_zh", "name_en")?,
            unit: named(r, "unit_zh", "unit_en")?,
            quantity: quantity(r, "quantity_milli")?,
            picked_milli: small(r, "picked_milli")?,
            place,
        });
    }
    Ok(out)
}

/// The parts that fit the car of each of `orders`, by category.
pub(super) async fn choices_of(
    conn: &mut Conn,
    orders: &[Uuid],
) -> Result<HashMap<Uuid, Vec<PartChoice>>, StorageError> {
    let mut out: HashMap<Uuid, Vec<PartChoice>> = HashMap::new();
    if orders.is_empty() {
        return Ok(out);
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT o.id AS order_id, p.id AS part_id, p.sku, p.name_zh, p.name_en, c.unit_zh, c.unit_en
         FROM orders o
         JOIN vehicles v ON v.id = o.vehicle_id
         JOIN fitments f ON f.model_id = v.model_id
         JOIN parts p ON p.id = f.part_id
         JOIN part_categories c ON c.id = p.category_id
         WHERE o.id IN ({})
         ORDER BY o.id, c.code, p.sku",
        placeholders(1, orders.len())
    )));
    for id in orders {
        q = q.bind(*id);
    }
    for r in q.fetch_all(&mut *conn).await.map_err(db_err)?.iter() {
        out.entry(get(r, "order_id")?).or_default().push(PartChoice {
            part: PartId::from(get::<Uuid>(r, "part_id")?),
            sku: get(r, "sku")?,
            name: named(r, "name_zh", "name_en")?,
            unit: named(r, "unit_zh", "unit_en")?,
        });
    }
    Ok(out)
}
