//! [`SupplyStorage`]: the network's positions read for [`domain::supply`], proposals
//! saved with each line's arithmetic, and the transfers and purchase orders approval
//! creates, each moved under its row's lock.
//!
//! - **Reading the network** for a run or the matrix: hundreds of thousands of shelves
//!   and histories, each packed a location to a row (`STRING_AGG`; each row sqlx
//!   hands over costs more than the database's work to find it), the two read at once
//!   on two connections.
//! - **The ledger.** Every change of on-hand stock writes a `stock_moves` row in the
//!   same transaction ([`record_move`]); consumption also adds to the position's row
//!   of `consumption_history`, the forecast's history ([`uses`]). On hand is never
//!   set, only moved.
//! - **Approving** a line locks it and checks it is still proposed; a transfer holds the
//!   quantity at the source with a guarded update that never takes it below the
//!   source's safety stock (two approvals racing for one shelf: the second is refused).
//! - **Dispatching** takes the held stock off the source's shelf and lists it as a
//!   shipment arriving at the destination, which bookings may hold like any shipment.
//! - **Receiving** puts what arrived on the destination's shelf; the bookings holding the
//!   shipment move onto the shelf, as many as fit if less arrived
//!   ([`domain::supply::settle_holds`]); the rest are released, and the board hears.

use std::collections::BTreeMap;

use app::live::LiveEvent;
use app::reception::Named;
use app::storage::StorageError;
use app::supply::{
    Decision, LateShipment, LineStatus, LineView, Names, PartInfo, Positions, ProposalPage, PurchaseOrderRow,
    RouteRow, RunBy, SiteInfo, SupplyStorage, TransferRow,
};
use async_trait::async_trait;
use futures::TryStreamExt;
use domain::followup::FollowUpKind;
use domain::local_time::local_date;
use domain::stock::{DeliverySchedule, StockLevel, Waves};
use domain::supply::{
    History, KnownDay, Line, OrderStatus, Policy, Position, Site, Sourcing, TransferStatus,
};
use domain::{
    PartCategoryId, PartId, ProposalLineId, PurchaseOrderId, StaffId, StoreId, SupplierId,
    TransferId,
};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::rows::{append_event, get, milli, named, small, Cell, Conn, Table};
use super::{id_text, insert_rows, Backend, LOCK_ROWS, STRING_AGG};
use crate::storage::uses;
use crate::storage::{db_err, transaction, DbTime, Serial};

/// Orders still to be done: their parts are demand to come.
const OPEN_ORDER: &str = "('booked', 'checked_in', 'in_bay', 'quality_check', 'ready')";

fn day_text(day: Date) -> String {
    day.to_string()
}

fn parse_day(text: &str) -> Result<Date, StorageError> {
    domain::local_time::parse_date(text)
        .map_err(|_| StorageError::corrupt(format!("day {text:?}")))
}

fn as_i64(milli: u64) -> Result<i64, StorageError> {
    i64::try_from(milli).map_err(|_| domain::Error::QuantityInvalid.into())
}

/// Appends a ledger row for a change of `delta` thousandths on hand.
#[allow(clippy::too_many_arguments)]
pub(super) async fn record_move(
    tx: &mut Conn,
    location: StoreId,
    part: PartId,
    delta: i64,
    kind: &str,
    order: Option<Uuid>,
    transfer: Option<Uuid>,
    purchase_order: Option<Uuid>,
    by: Option<StaffId>,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    if delta == 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO stock_moves (id, location_id, part_id, delta_milli, kind, order_id,
             transfer_id, purchase_order_id, at, by_staff)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(Uuid::now_v7())
    .bind(location.as_uuid())
    .bind(part.as_uuid())
    .bind(delta)
    .bind(kind)
    .bind(order)
    .bind(transfer)
    .bind(purchase_order)
    .bind(DbTime(now))
    .bind(by.map(|b| b.as_uuid()))
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// [`record_move`] as a statement of `batch`, for a move of an order's stock.
pub(super) fn push_move(
    batch: &mut super::rows::Batch,
    location: StoreId,
    part: Uuid,
    delta: i64,
    kind: &'static str,
    order: Uuid,
    now: OffsetDateTime,
) {
    let sql = format!(
        "INSERT INTO stock_moves (id, location_id, part_id, delta_milli, kind, order_id, at)
         VALUES ({}, {}, {}, {}, {}, {}, {})",
        batch.bind(Uuid::now_v7()),
        batch.bind(location.as_uuid()),
        batch.bind(part),
        batch.bind(delta),
        batch.bind(kind),
        batch.bind(order),
        batch.bind(DbTime(now)),
    );
    batch.push(sql);
}

/// Records `milli` of `part` used at `location` for `order`: the ledger's move and the
/// day's consumption.
pub(super) async fn record_consumption(
    tx: &mut Conn,
    location: StoreId,
    part: PartId,
    milli: i64,
    order: Uuid,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    record_move(
        tx,
        location,
        part,
        -milli,
        "consumed",
        Some(order),
        None,
        None,
        None,
        now,
    )
    .await?;
    // The stock row's guarded update before this holds the position's lock, so two
    // pickings of one part at one place add to its history in turn.
    let stored: Option<String> = sqlx::query_scalar(
        "SELECT uses FROM consumption_history WHERE location_id = $1 AND part_id = $2",
    )
    .bind(location.as_uuid())
    .bind(part.as_uuid())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    let today = uses::day_number(local_date(now));
    let mut days = match stored.as_deref() {
        Some(text) => uses::parse(text)?,
        None => BTreeMap::new(),
    };
    *days.entry(today).or_insert(0) += milli;
    days.retain(|&day, _| day > today - uses::KEEP_DAYS);
    sqlx::query(
        "INSERT INTO consumption_history (location_id, part_id, uses) VALUES ($1, $2, $3)
         ON CONFLICT (location_id, part_id) DO UPDATE SET uses = excluded.uses",
    )
    .bind(location.as_uuid())
    .bind(part.as_uuid())
    .bind(uses::write(&days))
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Adds `milli` on hand (and `reserved` held) at a location, making its row if needed.
async fn add_on_hand(
    tx: &mut Conn,
    location: StoreId,
    part: PartId,
    milli: i64,
    reserved: i64,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO stock (location_id, part_id, on_hand_milli, reserved_milli)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (location_id, part_id) DO UPDATE
         SET on_hand_milli = stock.on_hand_milli + excluded.on_hand_milli,
             reserved_milli = stock.reserved_milli + excluded.reserved_milli",
    )
    .bind(location.as_uuid())
    .bind(part.as_uuid())
    .bind(milli)
    .bind(reserved)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

fn changed(stores: &[StoreId]) -> Vec<LiveEvent> {
    let mut events: Vec<LiveEvent> = stores
        .iter()
        .map(|&store| LiveEvent::TransfersChanged { store })
        .collect();
    events.push(LiveEvent::AvailabilityChanged {
        stores: stores.to_vec(),
    });
    events
}

async fn append_all(tx: &mut Conn, events: &[LiveEvent], now: OffsetDateTime) -> Result<(), StorageError> {
    for event in events {
        append_event(tx, event, now).await?;
    }
    Ok(())
}

fn transfer_status(code: &str) -> Result<TransferStatus, StorageError> {
    TransferStatus::parse(code).ok_or_else(|| StorageError::corrupt(format!("transfer status {code:?}")))
}

/// A transfer as the moves read it, its row locked.
struct LockedTransfer {
    part: PartId,
    from: StoreId,
    to: StoreId,
    quantity: i64,
    status: TransferStatus,
    departure: OffsetDateTime,
    eta: OffsetDateTime,
}

/// Reads and locks transfer `id` ([`StorageError::NotFound`] if there is none): every
/// move (send, withdraw, receive) starts here, so two of them on one transfer queue.
async fn locked_transfer(tx: &mut Conn, id: TransferId) -> Result<LockedTransfer, StorageError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT part_id, from_location_id, to_location_id, quantity_milli, status, departure, eta
         FROM stock_transfers WHERE id = $1{LOCK_ROWS}"
    )))
    .bind(id.as_uuid())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .ok_or(StorageError::NotFound)?;
    Ok(LockedTransfer {
        part: PartId::from(get::<Uuid>(&r, "part_id")?),
        from: StoreId::from(get::<Uuid>(&r, "from_location_id")?),
        to: StoreId::from(get::<Uuid>(&r, "to_location_id")?),
        quantity: get(&r, "quantity_milli")?,
        status: transfer_status(&get::<String>(&r, "status")?)?,
        departure: get::<DbTime>(&r, "departure")?.0,
        eta: get::<DbTime>(&r, "eta")?.0,
    })
}

/// The departures of each location's route, for the locations on a route with waves
/// (the others ride [`Waves::CHAIN`]); read with the network's cached locations.
pub(super) async fn waves_by_location(conn: &mut Conn) -> Result<BTreeMap<StoreId, Waves>, StorageError> {
    let rows = sqlx::query(
        "SELECT l.id, w.minute FROM locations l JOIN route_waves w ON w.route_code = l.route_code",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut minutes: BTreeMap<StoreId, Vec<u16>> = BTreeMap::new();
    for r in &rows {
        minutes.entry(StoreId::from(get::<Uuid>(r, "id")?)).or_default().push(small(r, "minute")?);
    }
    minutes.into_iter().map(|(id, m)| Ok((id, stored_waves(m)?))).collect()
}

/// A route's stored departures, refused as damage if the domain would not have them.
fn stored_waves(minutes: Vec<u16>) -> Result<Waves, StorageError> {
    Waves::new(minutes).map_err(|_| StorageError::corrupt("a route's waves"))
}

impl Backend {
    /// The locations as the proposal and the supply pages see them: the network's
    /// cached locations (with their routes' waves), ordered by code.
    async fn sites(&self) -> Result<Vec<(Site, SiteInfo)>, StorageError> {
        Ok(self
            .every_location()
            .await?
            .iter()
            .map(|l| {
                (
                    Site {
                        id: l.id,
                        is_warehouse: l.is_warehouse,
                        geo: l.geo,
                        waves: l.waves,
                    },
                    SiteInfo {
                        code: l.code.clone(),
                        name: Named {
                            zh: l.name_zh.clone(),
                            en: l.name_en.clone(),
                        },
                        is_warehouse: l.is_warehouse,
                    },
                )
            })
            .collect())
    }

    /// Cars coming due per store, day and part: open reminders whose window is not
    /// over, for cars with no open booking (a booked car's parts are held already).
    async fn due(
        &self,
        conn: &mut Conn,
        today: Date,
        days: u16,
    ) -> Result<BTreeMap<(StoreId, PartId), Vec<KnownDay>>, StorageError> {
        let mut out: BTreeMap<(StoreId, PartId), Vec<KnownDay>> = BTreeMap::new();
        if days == 0 {
            return Ok(out);
        }
        let end = today + Duration::days(i64::from(days));
        let services: BTreeMap<String, Uuid> = sqlx::query("SELECT id, code FROM services")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| Ok((get::<String>(r, "code")?, get::<Uuid>(r, "id")?)))
            .collect::<Result<_, StorageError>>()?;
        let mut needs: BTreeMap<Uuid, Vec<(Uuid, i64)>> = BTreeMap::new();
        for r in sqlx::query("SELECT service_id, category_id, quantity_milli FROM service_parts")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
        {
            needs.entry(get(&r, "service_id")?).or_default().push((
                get(&r, "category_id")?,
                get(&r, "quantity_milli")?,
            ));
        }
        let mut fits: BTreeMap<(Uuid, Uuid), Uuid> = BTreeMap::new();
        for r in sqlx::query("SELECT model_id, category_id, part_id FROM fitments")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
        {
            fits.insert((get(&r, "model_id")?, get(&r, "category_id")?), get(&r, "part_id")?);
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT f.store_id, f.due_on, f.kind, v.model_id
             FROM followups f JOIN vehicles v ON v.id = f.vehicle_id
             WHERE f.status = 'open' AND f.kind <> 'satisfaction'
               AND f.due_on < $1 AND f.closes_on >= $2
               AND NOT EXISTS (SELECT 1 FROM orders o
                               WHERE o.vehicle_id = f.vehicle_id AND o.status IN {OPEN_ORDER})"
        )))
        .bind(day_text(end))
        .bind(day_text(today))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        for r in rows {
            let Some(kind) = FollowUpKind::parse(&get::<String>(&r, "kind")?) else {
                continue;
            };
            let Some(service) = kind.service_code().and_then(|c| services.get(c)) else {
                continue;
            };
            let due_on = parse_day(&get::<String>(&r, "due_on")?)?;
            let index = usize::try_from((due_on - today).whole_days().max(0)).unwrap_or(0);
            let store = StoreId::from(get::<Uuid>(&r, "store_id")?);
            let model: Uuid = get(&r, "model_id")?;
            for (category, qty) in needs.get(service).into_iter().flatten() {
                let Some(part) = fits.get(&(model, *category)) else {
                    continue;
                };
                let known = out.entry((store, PartId::from(*part))).or_default();
                if known.len() <= index {
                    known.resize(index + 1, KnownDay::default());
                }
                known[index].due_cars += 1;
                known[index].due_milli += u64::try_from(*qty).unwrap_or(0);
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl SupplyStorage for Backend {
    async fn names(&self) -> Result<Names, StorageError> {
        let mut conn = self.conn().await?;
        let sites = self.sites().await?;
        let mut categories = Vec::new();
        let mut units: BTreeMap<Uuid, Named> = BTreeMap::new();
        for r in sqlx::query("SELECT id, name_zh, name_en, unit_zh, unit_en FROM part_categories ORDER BY code")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
        {
            let id: Uuid = get(&r, "id")?;
            categories.push((PartCategoryId::from(id), named(&r, "name_zh", "name_en")?));
            units.insert(id, named(&r, "unit_zh", "unit_en")?);
        }
        let mut parts = BTreeMap::new();
        for r in sqlx::query("SELECT id, sku, category_id, name_zh, name_en FROM parts")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
        {
            let category: Uuid = get(&r, "category_id")?;
            parts.insert(
                PartId::from(get::<Uuid>(&r, "id")?),
                PartInfo {
                    sku: get(&r, "sku")?,
                    name: named(&r, "name_zh", "name_en")?,
                    unit: units.get(&category).cloned().unwrap_or_default(),
                    category: PartCategoryId::from(category),
                },
            );
        }
        let mut suppliers = BTreeMap::new();
        for r in sqlx::query("SELECT id, name_zh, name_en FROM suppliers")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
        {
            suppliers.insert(
                SupplierId::from(get::<Uuid>(&r, "id")?),
                named(&r, "name_zh", "name_en")?,
            );
        }
        Ok(Names {
            sites: sites.into_iter().map(|(s, info)| (s.id, info)).collect(),
            parts,
            categories,
            suppliers,
        })
    }

    async fn positions(
        &self,
        now: OffsetDateTime,
        history_days: u16,
        ahead_days: u16,
    ) -> Result<Positions, StorageError> {
        let today = local_date(now);
        let sites: Vec<Site> = self.sites().await?.into_iter().map(|(s, _)| s).collect();
        let first = today - Duration::days(i64::from(history_days));
        let blank = |location: StoreId, part: PartId| Position {
            location,
            part,
            level: StockLevel::EMPTY,
            in_transit_milli: 0,
            safety_milli: 0,
            history: History::new(first, vec![0; usize::from(history_days)]),
            known: Vec::new(),
        };
        // A chain holds hundreds of thousands of shelves: the shelves and their histories
        // are read at once, each on its own connection. (Like every read here, each sees
        // its own moment: the proposal is a plan, and approving a line checks the stock
        // again.)
        let shelves = async {
            let mut conn = self.conn().await?;
            // A row per location, its shelves packed as `part:on hand:reserved:safety,...`.
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT location_id, {STRING_AGG}({} || ':' || on_hand_milli || ':' || reserved_milli
                        || ':' || safety_milli, ',') AS shelves
                 FROM stock GROUP BY location_id",
                id_text("part_id")
            )))
            .fetch(&mut *conn);
            let mut positions: BTreeMap<(StoreId, PartId), Position> = BTreeMap::new();
            while let Some(r) = rows.try_next().await.map_err(db_err)? {
                let l = StoreId::from(get::<Uuid>(&r, "location_id")?);
                for shelf in get::<String>(&r, "shelves")?.split(',') {
                    let damaged = || StorageError::corrupt(format!("stock {shelf:?}"));
                    let mut fields = shelf.split(':');
                    let p = PartId::from(fields.next().and_then(|t| Uuid::try_parse(t).ok()).ok_or_else(damaged)?);
                    let mut number = || fields.next().and_then(|t| t.parse::<u64>().ok()).ok_or_else(damaged);
                    let (on_hand, reserved, safety) = (number()?, number()?, number()?);
                    positions.insert(
                        (l, p),
                        Position {
                            location: l,
                            part: p,
                            level: StockLevel::new(on_hand, reserved)
                                .map_err(|_| StorageError::corrupt("stock reserved above on hand"))?,
                            in_transit_milli: 0,
                            safety_milli: safety,
                            // Its history, or none, is filled in below.
                            history: History::new(first, Vec::new()),
                            known: Vec::new(),
                        },
                    );
                }
            }
            Ok::<_, StorageError>(positions)
        };
        let first_number = uses::day_number(first);
        let histories = async {
            let mut conn = self.conn().await?;
            // A row per location, its histories packed as `part=uses;...`.
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT location_id, {STRING_AGG}({} || '=' || uses, ';') AS histories
                 FROM consumption_history GROUP BY location_id",
                id_text("part_id")
            )))
            .fetch(&mut *conn);
            let mut histories = Vec::new();
            while let Some(r) = rows.try_next().await.map_err(db_err)? {
                let l = StoreId::from(get::<Uuid>(&r, "location_id")?);
                for packed in get::<String>(&r, "histories")?.split(';') {
                    let (part, text) = packed
                        .split_once('=')
                        .ok_or_else(|| StorageError::corrupt(format!("consumption history {packed:?}")))?;
                    let p = PartId::from(
                        Uuid::try_parse(part).map_err(|_| StorageError::corrupt(format!("part {part:?}")))?,
                    );
                    let mut daily = vec![0; usize::from(history_days)];
                    for pair in uses::pairs(text) {
                        let (day, used) = pair?;
                        // Up to yesterday: today is not over.
                        let index = usize::try_from(day - first_number).ok();
                        if let Some(slot) = index.and_then(|i| daily.get_mut(i)) {
                            *slot += u64::try_from(used).unwrap_or(0);
                        }
                    }
                    histories.push((l, p, daily));
                }
            }
            Ok::<_, StorageError>(histories)
        };
        let (mut positions, histories) = tokio::try_join!(shelves, histories)?;
        let mut conn = self.conn().await?;
        for (l, p, daily) in histories {
            // Parts are used only from a shelf, so every history has its stock row.
            if let Some(pos) = positions.get_mut(&(l, p)) {
                pos.history = History::new(first, daily);
            }
        }
        for pos in positions.values_mut().filter(|p| p.history.daily_milli.is_empty()) {
            pos.history = History::new(first, vec![0; usize::from(history_days)]);
        }
        let mut next_eta: BTreeMap<(StoreId, PartId), OffsetDateTime> = BTreeMap::new();
        let mut arriving = |positions: &mut BTreeMap<(StoreId, PartId), Position>,
                            l: StoreId,
                            p: PartId,
                            m: u64,
                            eta: OffsetDateTime| {
            positions.entry((l, p)).or_insert_with(|| blank(l, p)).in_transit_milli += m;
            let e = next_eta.entry((l, p)).or_insert(eta);
            *e = (*e).min(eta);
        };
        let mut late = Vec::new();
        // On a van or due from a supplier: what no booking holds of shipments, transfers
        // approved but not yet sent, purchase orders not yet received.
        for r in sqlx::query(
            "SELECT location_id, part_id, quantity_milli - reserved_milli AS free_milli, eta
             FROM inbound_shipments WHERE quantity_milli > reserved_milli",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let (l, p) = (
                StoreId::from(get::<Uuid>(&r, "location_id")?),
                PartId::from(get::<Uuid>(&r, "part_id")?),
            );
            arriving(&mut positions, l, p, milli(&r, "free_milli")?, get::<DbTime>(&r, "eta")?.0);
        }
        for r in sqlx::query(
            "SELECT to_location_id, part_id, quantity_milli, eta, status FROM stock_transfers
             WHERE status IN ('reserved', 'in_transit')",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let (l, p) = (
                StoreId::from(get::<Uuid>(&r, "to_location_id")?),
                PartId::from(get::<Uuid>(&r, "part_id")?),
            );
            let q = milli(&r, "quantity_milli")?;
            let eta = get::<DbTime>(&r, "eta")?.0;
            // Once sent, its shipment row above counts it.
            if get::<String>(&r, "status")? == "reserved" {
                arriving(&mut positions, l, p, q, eta);
            }
            late.push(LateShipment {
                to: l,
                part: p,
                quantity_milli: q,
                eta,
                supplier: None,
            });
        }
        for r in sqlx::query(
            "SELECT o.location_id, o.supplier_id, o.expected_at, l.part_id, l.quantity_milli
             FROM purchase_orders o JOIN purchase_order_lines l ON l.purchase_order_id = o.id
             WHERE o.status = 'sent' AND l.received_milli IS NULL",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let (l, p) = (
                StoreId::from(get::<Uuid>(&r, "location_id")?),
                PartId::from(get::<Uuid>(&r, "part_id")?),
            );
            let q = milli(&r, "quantity_milli")?;
            let eta = get::<DbTime>(&r, "expected_at")?.0;
            arriving(&mut positions, l, p, q, eta);
            late.push(LateShipment {
                to: l,
                part: p,
                quantity_milli: q,
                eta,
                supplier: Some(SupplierId::from(get::<Uuid>(&r, "supplier_id")?)),
            });
        }
        // Approved supplier lines not yet sent are on order too: a second run before
        // the orders go out must not order them again.
        for r in sqlx::query(
            "SELECT to_location_id, part_id, approved_milli FROM proposal_lines
             WHERE status = 'approved' AND source = 'supplier'",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let (l, p) = (
                StoreId::from(get::<Uuid>(&r, "to_location_id")?),
                PartId::from(get::<Uuid>(&r, "part_id")?),
            );
            arriving(&mut positions, l, p, milli(&r, "approved_milli")?, now);
        }
        if ahead_days > 0 {
            let end = domain::local_time::at_local_minute(today + Duration::days(i64::from(ahead_days)), 0);
            let start = domain::local_time::at_local_minute(today, 0);
            for r in sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT o.store_id, r.part_id, o.scheduled_start,
                        r.quantity_milli - r.picked_milli AS left_milli
                 FROM reservations r JOIN orders o ON o.id = r.order_id
                 WHERE r.released_at IS NULL AND o.status IN {OPEN_ORDER}
                   AND o.scheduled_start >= $1 AND o.scheduled_start < $2"
            )))
            .bind(DbTime(start))
            .bind(DbTime(end))
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
            {
                let (l, p) = (
                    StoreId::from(get::<Uuid>(&r, "store_id")?),
                    PartId::from(get::<Uuid>(&r, "part_id")?),
                );
                let day = local_date(get::<DbTime>(&r, "scheduled_start")?.0);
                let index = usize::try_from((day - today).whole_days().max(0)).unwrap_or(0);
                let pos = positions.entry((l, p)).or_insert_with(|| blank(l, p));
                if pos.known.len() <= index {
                    pos.known.resize(index + 1, KnownDay::default());
                }
                pos.known[index].reserved_milli += milli(&r, "left_milli")?;
            }
            for ((l, p), days) in self.due(&mut conn, today, ahead_days).await? {
                let pos = positions.entry((l, p)).or_insert_with(|| blank(l, p));
                if pos.known.len() < days.len() {
                    pos.known.resize(days.len(), KnownDay::default());
                }
                for (slot, d) in pos.known.iter_mut().zip(days) {
                    slot.due_cars += d.due_cars;
                    slot.due_milli += d.due_milli;
                }
            }
        }
        let mut waiting: BTreeMap<(StoreId, PartId), u32> = BTreeMap::new();
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT o.store_id, r.part_id, COUNT(*) AS n
             FROM reservations r JOIN orders o ON o.id = r.order_id
             WHERE r.released_at IS NULL AND o.status IN {OPEN_ORDER}
               AND (r.location_id IS NULL OR r.location_id <> o.store_id)
             GROUP BY o.store_id, r.part_id"
        )))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            waiting.insert(
                (
                    StoreId::from(get::<Uuid>(&r, "store_id")?),
                    PartId::from(get::<Uuid>(&r, "part_id")?),
                ),
                small(&r, "n")?,
            );
        }
        let mut sourcing = Vec::new();
        for r in sqlx::query(
            "SELECT part_id, supplier_id, lead_days, min_order_milli, pack_milli FROM part_sourcing",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            sourcing.push(Sourcing {
                part: PartId::from(get::<Uuid>(&r, "part_id")?),
                supplier: SupplierId::from(get::<Uuid>(&r, "supplier_id")?),
                lead_days: small(&r, "lead_days")?,
                min_order_milli: milli(&r, "min_order_milli")?,
                pack_milli: milli(&r, "pack_milli")?,
            });
        }
        Ok(Positions {
            sites,
            sourcing,
            positions: positions.into_values().collect(),
            waiting,
            next_eta,
            late,
        })
    }

    async fn set_safety(
        &self,
        location: StoreId,
        part: PartId,
        safety_milli: u64,
        by: StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        let safety = as_i64(safety_milli)?;
        transaction!(self, Serial::Rows, |tx| {
            let known: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM locations l, parts p WHERE l.id = $1 AND p.id = $2",
            )
            .bind(location.as_uuid())
            .bind(part.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
            if known != 1 {
                return Err(StorageError::NotFound);
            }
            sqlx::query(
                "INSERT INTO stock (location_id, part_id, on_hand_milli, reserved_milli, safety_milli,
                     safety_set_by, safety_set_at)
                 VALUES ($1, $2, 0, 0, $3, $4, $5)
                 ON CONFLICT (location_id, part_id) DO UPDATE
                 SET safety_milli = excluded.safety_milli, safety_set_by = excluded.safety_set_by,
                     safety_set_at = excluded.safety_set_at",
            )
            .bind(location.as_uuid())
            .bind(part.as_uuid())
            .bind(safety)
            .bind(by.as_uuid())
            .bind(DbTime(now))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            let events = vec![LiveEvent::TransfersChanged { store: location }];
            append_all(tx, &events, now).await?;
            Ok(((), events))
        })
    }

    async fn routes(&self) -> Result<Vec<RouteRow>, StorageError> {
        let mut conn = self.conn().await?;
        let mut waves: BTreeMap<String, Vec<u16>> = BTreeMap::new();
        for r in sqlx::query("SELECT route_code, minute FROM route_waves")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
        {
            waves.entry(get(&r, "route_code")?).or_default().push(small(&r, "minute")?);
        }
        let mut stores: BTreeMap<String, Vec<(String, Named)>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT code, name_zh, name_en, route_code FROM locations WHERE route_code IS NOT NULL ORDER BY code",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            stores
                .entry(get(&r, "route_code")?)
                .or_default()
                .push((get(&r, "code")?, named(&r, "name_zh", "name_en")?));
        }
        let mut routes = Vec::new();
        for r in sqlx::query("SELECT code, name_zh, name_en FROM delivery_routes ORDER BY code")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
        {
            let code: String = get(&r, "code")?;
            let waves = match waves.remove(&code) {
                Some(m) => stored_waves(m)?,
                None => Waves::CHAIN,
            };
            routes.push(RouteRow {
                name: named(&r, "name_zh", "name_en")?,
                waves,
                stores: stores.remove(&code).unwrap_or_default(),
                code,
            });
        }
        Ok(routes)
    }

    async fn set_waves(
        &self,
        route: &str,
        waves: Waves,
        by: StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            // The route's row first: two changes of one route take turns.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT code FROM delivery_routes WHERE code = $1{LOCK_ROWS}"
            )))
            .bind(route)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            sqlx::query("UPDATE delivery_routes SET updated_by = $1, updated_at = $2 WHERE code = $3")
                .bind(by.as_uuid())
                .bind(DbTime(now))
                .bind(route)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            sqlx::query("DELETE FROM route_waves WHERE route_code = $1")
                .bind(route)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            let mut table = Table::new("route_waves", &["route_code", "minute"]);
            for &m in waves.minutes() {
                table.push([Cell::Text(route.to_owned()), Cell::Int(i64::from(m))])?;
            }
            insert_rows(tx, table).await?;
            Ok(((), Vec::new()))
        })
    }

    async fn save_proposal(
        &self,
        policy: &Policy,
        lines: &[Line],
        run: RunBy,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let policy = serde_json::to_string(policy).map_err(|e| StorageError::Backend(Box::new(e)))?;
        let by = match run {
            RunBy::Staff(by) => Some(by.as_uuid()),
            RunBy::Nightly(_) => None,
        };
        // One save at a time: each run's look at the latest proposal and its superseding
        // of the one before hold whatever else commits meanwhile.
        transaction!(self, Serial::Proposal, |tx| {
            let latest: Option<DbTime> =
                sqlx::query_scalar("SELECT created_at FROM proposals ORDER BY created_at DESC LIMIT 1")
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
            let latest = latest.map(|t| t.0);
            if let RunBy::Nightly(day) = run {
                // Claimed with the lines: a crash before commit leaves the night unclaimed
                // for the next tick; another instance finds it done.
                let claimed = sqlx::query(
                    "UPDATE daily_jobs SET last_day = $1 WHERE name = 'replenishment' AND last_day < $1",
                )
                .bind(day_text(day))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                if claimed.rows_affected() != 1 {
                    return Ok((false, Vec::new()));
                }
                if !domain::supply::nightly_replaces(latest, now) {
                    // The day's run is done: the proposal just made stands in for it.
                    return Ok((false, Vec::new()));
                }
            }
            if !domain::supply::run_replaces(latest, now) {
                // A run that read the network later was saved first: it stands.
                return Ok((false, Vec::new()));
            }
            let id = Uuid::now_v7();
            // Only the latest proposal's lines stay to be decided.
            sqlx::query(
                "UPDATE proposal_lines SET status = 'superseded'
                 WHERE status = 'proposed' AND proposal_id <> $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            sqlx::query("INSERT INTO proposals (id, created_at, created_by, policy) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(DbTime(now))
                .bind(by)
                .bind(policy.as_str())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            // A chain-wide run writes tens of thousands of lines: in bulk.
            let mut table = Table::new(
                "proposal_lines",
                &[
                    "id", "proposal_id", "line_no", "to_location_id", "part_id", "source",
                    "from_location_id", "supplier_id", "quantity_milli", "explanation", "status",
                ],
            );
            for (n, line) in (1..).zip(lines) {
                let json = serde_json::to_string(line).map_err(|e| StorageError::Backend(Box::new(e)))?;
                let (from, supplier) = match &line.source {
                    domain::supply::Source::Supplier { supplier, .. } => (None, Some(supplier.as_uuid())),
                    other => (other.location().map(|l| l.as_uuid()), None),
                };
                let maybe = |id: Option<Uuid>| id.map_or(Cell::Null, Cell::Uuid);
                table.push([
                    Cell::Uuid(Uuid::now_v7()),
                    Cell::Uuid(id),
                    Cell::Int(n),
                    Cell::Uuid(line.to.as_uuid()),
                    Cell::Uuid(line.part.as_uuid()),
                    Cell::Text(line.source.code().to_owned()),
                    maybe(from),
                    maybe(supplier),
                    Cell::Int(as_i64(line.quantity_milli)?),
                    Cell::Text(json),
                    Cell::Text("proposed".to_owned()),
                ])?;
            }
            insert_rows(tx, table).await?;
            Ok((true, Vec::new()))
        })
    }

    async fn nightly_made(&self, day: Date) -> Result<bool, StorageError> {
        let last: String = sqlx::query_scalar("SELECT last_day FROM daily_jobs WHERE name = 'replenishment'")
            .fetch_one(&mut *self.conn().await?)
            .await
            .map_err(db_err)?;
        // ISO dates sort as text.
        Ok(last.as_str() >= day_text(day).as_str())
    }

    async fn proposal(&self, to: Option<StoreId>, from: u32, limit: u32) -> Result<ProposalPage, StorageError> {
        let mut conn = self.conn().await?;
        let orders_waiting: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM proposal_lines WHERE status = 'approved' AND source = 'supplier')",
        )
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
        let Some(head) = sqlx::query("SELECT id, created_at FROM proposals ORDER BY created_at DESC, id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?
        else {
            return Ok(ProposalPage {
                orders_waiting,
                ..ProposalPage::default()
            });
        };
        let id: Uuid = get(&head, "id")?;
        // The latest run's lines are never superseded; older runs' are not shown.
        let destinations = sqlx::query_scalar::<_, Uuid>(
            "SELECT DISTINCT to_location_id FROM proposal_lines WHERE proposal_id = $1 AND status <> 'superseded'",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        // Without a destination `$2` is bound to NULL and chooses every line.
        let chosen = if to.is_some() { "AND to_location_id = $2" } else { "AND $2 IS NULL" };
        let to = to.map(|t| t.as_uuid());
        let matched: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM proposal_lines WHERE proposal_id = $1 AND status <> 'superseded' {chosen}"
        )))
        .bind(id)
        .bind(to)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
        let mut lines = Vec::new();
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, explanation, status, approved_milli FROM proposal_lines
             WHERE proposal_id = $1 AND status <> 'superseded' {chosen}
             ORDER BY line_no LIMIT $3 OFFSET $4"
        )))
        .bind(id)
        .bind(to)
        .bind(i64::from(limit))
        .bind(i64::from(from))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            let line: Line = serde_json::from_str(&get::<String>(&r, "explanation")?)
                .map_err(|e| StorageError::corrupt(format!("proposal line: {e}")))?;
            let status = get::<String>(&r, "status")?;
            lines.push(LineView {
                id: ProposalLineId::from(get::<Uuid>(&r, "id")?),
                line,
                status: LineStatus::parse(&status)
                    .ok_or_else(|| StorageError::corrupt(format!("line status {status:?}")))?,
                approved_milli: get::<Option<i64>>(&r, "approved_milli")?
                    .and_then(|m| u64::try_from(m).ok()),
            });
        }
        let mut destinations: Vec<StoreId> = destinations.into_iter().map(StoreId::from).collect();
        destinations.sort();
        Ok(ProposalPage {
            created_at: Some(get::<DbTime>(&head, "created_at")?.0),
            lines,
            matched: u32::try_from(matched).map_err(|_| StorageError::corrupt(format!("{matched} lines")))?,
            destinations,
            orders_waiting,
        })
    }

    async fn decide(
        &self,
        line: ProposalLineId,
        decision: Decision,
        by: StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        let locations = self.every_location().await?;
        transaction!(self, Serial::Rows, |tx| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT status, source, from_location_id, to_location_id, part_id
                 FROM proposal_lines WHERE id = $1{LOCK_ROWS}"
            )))
            .bind(line.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            if get::<String>(&r, "status")? != "proposed" {
                return Err(domain::Error::ProposalLineDecided.into());
            }
            let quantity = match decision {
                Decision::Reject => {
                    sqlx::query(
                        "UPDATE proposal_lines SET status = 'rejected', decided_by = $1, decided_at = $2
                         WHERE id = $3 AND status = 'proposed'",
                    )
                    .bind(by.as_uuid())
                    .bind(DbTime(now))
                    .bind(line.as_uuid())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    return Ok(((), Vec::new()));
                }
                Decision::Approve(q) => as_i64(q)?,
            };
            let to = StoreId::from(get::<Uuid>(&r, "to_location_id")?);
            let part = PartId::from(get::<Uuid>(&r, "part_id")?);
            let from: Option<Uuid> = get(&r, "from_location_id")?;
            let (transfer, events) = match from {
                None => (None, Vec::new()),
                Some(from) => {
                    let from = StoreId::from(from);
                    // Held at the source, never below its safety stock: a shelf two
                    // approvals race for serves the first.
                    let held = sqlx::query(
                        "UPDATE stock SET reserved_milli = reserved_milli + $1
                         WHERE location_id = $2 AND part_id = $3
                           AND on_hand_milli - reserved_milli - safety_milli >= $1",
                    )
                    .bind(quantity)
                    .bind(from.as_uuid())
                    .bind(part.as_uuid())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    if held.rows_affected() != 1 {
                        return Err(domain::Error::TransferSourceShort.into());
                    }
                    let at = |id: StoreId| locations.iter().find(|l| l.id == id);
                    let (distance, waves) = match (at(from), at(to)) {
                        (Some(a), Some(b)) => (domain::geo::distance_m(a.geo, b.geo), b.waves),
                        _ => return Err(StorageError::NotFound),
                    };
                    // It rides the destination's route.
                    let schedule = DeliverySchedule::default().on(waves);
                    let id = TransferId::new();
                    sqlx::query(
                        "INSERT INTO stock_transfers (id, part_id, from_location_id, to_location_id,
                             quantity_milli, status, departure, eta, approved_by, approved_at)
                         VALUES ($1, $2, $3, $4, $5, 'reserved', $6, $7, $8, $9)",
                    )
                    .bind(id.as_uuid())
                    .bind(part.as_uuid())
                    .bind(from.as_uuid())
                    .bind(to.as_uuid())
                    .bind(quantity)
                    .bind(DbTime(schedule.departure(now)))
                    .bind(DbTime(schedule.eta(now, distance)))
                    .bind(by.as_uuid())
                    .bind(DbTime(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    (Some(id.as_uuid()), changed(&[from, to]))
                }
            };
            let done = sqlx::query(
                "UPDATE proposal_lines SET status = 'approved', approved_milli = $1, decided_by = $2,
                     decided_at = $3, stock_transfer_id = $4
                 WHERE id = $5 AND status = 'proposed'",
            )
            .bind(quantity)
            .bind(by.as_uuid())
            .bind(DbTime(now))
            .bind(transfer)
            .bind(line.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if done.rows_affected() != 1 {
                return Err(domain::Error::ProposalLineDecided.into());
            }
            append_all(tx, &events, now).await?;
            Ok(((), events))
        })
    }

    async fn send_orders(&self, by: StaffId, now: OffsetDateTime) -> Result<u32, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT l.id, l.supplier_id, l.to_location_id, l.part_id, l.approved_milli, s.lead_days
                 FROM proposal_lines l JOIN part_sourcing s ON s.part_id = l.part_id
                 WHERE l.status = 'approved' AND l.source = 'supplier'
                 ORDER BY l.supplier_id, l.part_id{LOCK_ROWS}"
            )))
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
            // One order per supplier and receiving location, a line per part.
            let mut orders: BTreeMap<(Uuid, Uuid), (i64, BTreeMap<Uuid, i64>, Vec<Uuid>)> =
                BTreeMap::new();
            for r in &rows {
                let key = (get::<Uuid>(r, "supplier_id")?, get::<Uuid>(r, "to_location_id")?);
                let entry = orders.entry(key).or_insert((0, BTreeMap::new(), Vec::new()));
                entry.0 = entry.0.max(get::<i64>(r, "lead_days")?);
                *entry.1.entry(get(r, "part_id")?).or_default() += get::<i64>(r, "approved_milli")?;
                entry.2.push(get(r, "id")?);
            }
            let mut events = Vec::new();
            for ((supplier, location), (lead, parts, lines)) in &orders {
                let id = PurchaseOrderId::new().as_uuid();
                sqlx::query(
                    "INSERT INTO purchase_orders (id, supplier_id, location_id, status, sent_by, sent_at,
                         expected_at)
                     VALUES ($1, $2, $3, 'sent', $4, $5, $6)",
                )
                .bind(id)
                .bind(*supplier)
                .bind(*location)
                .bind(by.as_uuid())
                .bind(DbTime(now))
                .bind(DbTime(now + Duration::days(*lead)))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                for (part, q) in parts {
                    sqlx::query(
                        "INSERT INTO purchase_order_lines (purchase_order_id, part_id, quantity_milli)
                         VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(*part)
                    .bind(*q)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                for line in lines {
                    sqlx::query(
                        "UPDATE proposal_lines SET status = 'ordered', purchase_order_id = $1
                         WHERE id = $2 AND status = 'approved'",
                    )
                    .bind(id)
                    .bind(*line)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                events.push(LiveEvent::TransfersChanged {
                    store: StoreId::from(*location),
                });
            }
            append_all(tx, &events, now).await?;
            Ok((u32::try_from(orders.len()).unwrap_or(u32::MAX), events))
        })
    }

    async fn transfers(&self, at: Option<StoreId>) -> Result<Vec<TransferRow>, StorageError> {
        let mut conn = self.conn().await?;
        let select = "SELECT id, part_id, from_location_id, to_location_id, quantity_milli, status,
                          departure, eta, received_milli
                      FROM stock_transfers";
        let order = "ORDER BY CASE WHEN status IN ('reserved', 'in_transit') THEN 0 ELSE 1 END,
                         approved_at DESC LIMIT 200";
        let rows = match at {
            Some(at) => sqlx::query(sqlx::AssertSqlSafe(format!(
                "{select} WHERE from_location_id = $1 OR to_location_id = $1 {order}"
            )))
            .bind(at.as_uuid())
            .fetch_all(&mut *conn)
            .await,
            None => sqlx::query(sqlx::AssertSqlSafe(format!("{select} {order}")))
                .fetch_all(&mut *conn)
                .await,
        }
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(TransferRow {
                    id: TransferId::from(get::<Uuid>(r, "id")?),
                    part: PartId::from(get::<Uuid>(r, "part_id")?),
                    from: StoreId::from(get::<Uuid>(r, "from_location_id")?),
                    to: StoreId::from(get::<Uuid>(r, "to_location_id")?),
                    quantity_milli: milli(r, "quantity_milli")?,
                    status: transfer_status(&get::<String>(r, "status")?)?,
                    departure: get::<DbTime>(r, "departure")?.0,
                    eta: get::<DbTime>(r, "eta")?.0,
                    received_milli: get::<Option<i64>>(r, "received_milli")?
                        .and_then(|m| u64::try_from(m).ok()),
                })
            })
            .collect()
    }

    async fn dispatch(
        &self,
        id: TransferId,
        at: Option<StoreId>,
        by: StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        let locations = self.every_location().await?;
        transaction!(self, Serial::Rows, |tx| {
            let t = locked_transfer(tx, id).await?;
            let (from, to, part, q) = (t.from, t.to, t.part, t.quantity);
            // Another location's transfer is not there to see.
            if at.is_some_and(|a| a != from) {
                return Err(StorageError::NotFound);
            }
            t.status.dispatch()?;
            let departure = t.departure;
            let mut eta = t.eta;
            if now > departure {
                // Sent later than planned: it arrives a leg after it leaves.
                let geo = |id: StoreId| locations.iter().find(|l| l.id == id).map(|l| l.geo);
                if let (Some(a), Some(b)) = (geo(from), geo(to)) {
                    let leg = DeliverySchedule::default().leg_minutes(domain::geo::distance_m(a, b));
                    eta = now + Duration::minutes(i64::try_from(leg).unwrap_or(i64::MAX / 120));
                }
            }
            let taken = sqlx::query(
                "UPDATE stock SET on_hand_milli = on_hand_milli - $1, reserved_milli = reserved_milli - $1
                 WHERE location_id = $2 AND part_id = $3 AND reserved_milli >= $1 AND on_hand_milli >= $1",
            )
            .bind(q)
            .bind(from.as_uuid())
            .bind(part.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if taken.rows_affected() != 1 {
                return Err(StorageError::corrupt(format!(
                    "transfer {id} holds stock its source does not"
                )));
            }
            record_move(tx, from, part, -q, "transfer_out", None, Some(id.as_uuid()), None, Some(by), now)
                .await?;
            let moved = sqlx::query(
                "UPDATE stock_transfers SET status = 'in_transit', dispatched_by = $1, dispatched_at = $2,
                     eta = $3
                 WHERE id = $4 AND status = 'reserved'",
            )
            .bind(by.as_uuid())
            .bind(DbTime(now))
            .bind(DbTime(eta))
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if moved.rows_affected() != 1 {
                return Err(domain::Error::StepOutOfOrder.into());
            }
            sqlx::query(
                "INSERT INTO inbound_shipments (id, location_id, part_id, quantity_milli, reserved_milli,
                     eta, stock_transfer_id)
                 VALUES ($1, $2, $3, $4, 0, $5, $6)",
            )
            .bind(domain::ShipmentId::new().as_uuid())
            .bind(to.as_uuid())
            .bind(part.as_uuid())
            .bind(q)
            .bind(DbTime(eta))
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            let events = changed(&[from, to]);
            append_all(tx, &events, now).await?;
            Ok(((), events))
        })
    }

    async fn cancel(
        &self,
        id: TransferId,
        by: StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let t = locked_transfer(tx, id).await?;
            t.status.cancel()?;
            let (from, to, q) = (t.from, t.to, t.quantity);
            let released = sqlx::query(
                "UPDATE stock SET reserved_milli = reserved_milli - $1
                 WHERE location_id = $2 AND part_id = $3 AND reserved_milli >= $1",
            )
            .bind(q)
            .bind(from.as_uuid())
            .bind(t.part.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if released.rows_affected() != 1 {
                return Err(StorageError::corrupt(format!(
                    "transfer {id} holds stock its source does not"
                )));
            }
            sqlx::query(
                "UPDATE stock_transfers SET status = 'cancelled' WHERE id = $1 AND status = 'reserved'",
            )
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            tracing::debug!(transfer = %id, %by, "cancelled");
            let events = changed(&[from, to]);
            append_all(tx, &events, now).await?;
            Ok(((), events))
        })
    }

    async fn receive(
        &self,
        id: TransferId,
        at: Option<StoreId>,
        received_milli: u64,
        by: StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let t = locked_transfer(tx, id).await?;
            let (from, to, part) = (t.from, t.to, t.part);
            if at.is_some_and(|a| a != to) {
                return Err(StorageError::NotFound);
            }
            if t.status != TransferStatus::InTransit {
                return Err(domain::Error::StepOutOfOrder.into());
            }
            let sent = u64::try_from(t.quantity).unwrap_or(0);
            let receipt = domain::supply::receive(sent, received_milli)?;
            let shipment: Uuid = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM inbound_shipments WHERE stock_transfer_id = $1{LOCK_ROWS}"
            )))
            .bind(id.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
            // Bookings holding the shipment, earliest first, move onto the shelf as far as
            // what arrived (and what the shelf has free) covers them.
            let holds = sqlx::query(
                "SELECT r.order_id, r.quantity_milli FROM reservations r JOIN orders o ON o.id = r.order_id
                 WHERE r.shipment_id = $1 AND r.released_at IS NULL
                 ORDER BY o.scheduled_start, r.order_id",
            )
            .bind(shipment)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
            let level = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT on_hand_milli, reserved_milli FROM stock
                 WHERE location_id = $1 AND part_id = $2{LOCK_ROWS}"
            )))
            .bind(to.as_uuid())
            .bind(part.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            let free_before = match &level {
                Some(l) => milli(l, "on_hand_milli")?.saturating_sub(milli(l, "reserved_milli")?),
                None => 0,
            };
            let mut amounts = Vec::with_capacity(holds.len());
            for h in &holds {
                amounts.push(milli(h, "quantity_milli")?);
            }
            let kept = domain::supply::settle_holds(free_before + receipt.received_milli, &amounts);
            let kept_milli: u64 = amounts.iter().take(kept).sum();
            add_on_hand(tx, to, part, as_i64(receipt.received_milli)?, as_i64(kept_milli)?).await?;
            record_move(
                tx,
                to,
                part,
                as_i64(receipt.received_milli)?,
                "transfer_in",
                None,
                Some(id.as_uuid()),
                None,
                Some(by),
                now,
            )
            .await?;
            for (n, h) in holds.iter().enumerate() {
                let released = (n >= kept).then_some(DbTime(now));
                sqlx::query(
                    "UPDATE reservations SET shipment_id = NULL, location_id = $1, released_at = $2
                     WHERE order_id = $3 AND part_id = $4 AND shipment_id = $5",
                )
                .bind(to.as_uuid())
                .bind(released)
                .bind(get::<Uuid>(h, "order_id")?)
                .bind(part.as_uuid())
                .bind(shipment)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            }
            // Holds of bookings cancelled while it travelled still name the shipment.
            sqlx::query(
                "UPDATE reservations SET shipment_id = NULL, location_id = $1 WHERE shipment_id = $2",
            )
            .bind(to.as_uuid())
            .bind(shipment)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            sqlx::query("DELETE FROM inbound_shipments WHERE id = $1")
                .bind(shipment)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            let status = if receipt.is_complete() {
                TransferStatus::Received
            } else {
                TransferStatus::PartlyReceived
            };
            sqlx::query(
                "UPDATE stock_transfers SET status = $1, received_milli = $2, received_by = $3,
                     received_at = $4
                 WHERE id = $5 AND status = 'in_transit'",
            )
            .bind(status.code())
            .bind(as_i64(receipt.received_milli)?)
            .bind(by.as_uuid())
            .bind(DbTime(now))
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            let mut events = changed(&[from, to]);
            if kept < holds.len() {
                events.push(LiveEvent::BoardChanged { store: to });
            }
            append_all(tx, &events, now).await?;
            Ok(((), events))
        })
    }

    async fn purchase_orders(&self, limit: u32) -> Result<Vec<PurchaseOrderRow>, StorageError> {
        let mut conn = self.conn().await?;
        let heads = sqlx::query(
            "SELECT o.id, o.status, o.sent_at, o.expected_at, s.name_zh, s.name_en
             FROM purchase_orders o JOIN suppliers s ON s.id = o.supplier_id
             ORDER BY o.sent_at DESC, o.id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let mut out = Vec::with_capacity(heads.len());
        for h in heads {
            let id: Uuid = get(&h, "id")?;
            let mut lines = Vec::new();
            for l in sqlx::query(
                "SELECT part_id, quantity_milli, received_milli FROM purchase_order_lines
                 WHERE purchase_order_id = $1 ORDER BY part_id",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
            {
                lines.push((
                    PartId::from(get::<Uuid>(&l, "part_id")?),
                    milli(&l, "quantity_milli")?,
                    get::<Option<i64>>(&l, "received_milli")?.and_then(|m| u64::try_from(m).ok()),
                ));
            }
            let status = get::<String>(&h, "status")?;
            out.push(PurchaseOrderRow {
                id: PurchaseOrderId::from(id),
                supplier: named(&h, "name_zh", "name_en")?,
                status: OrderStatus::parse(&status)
                    .ok_or_else(|| StorageError::corrupt(format!("order status {status:?}")))?,
                sent_at: get::<DbTime>(&h, "sent_at")?.0,
                expected_at: get::<DbTime>(&h, "expected_at")?.0,
                lines,
            });
        }
        Ok(out)
    }

    async fn receive_order(
        &self,
        id: PurchaseOrderId,
        part: PartId,
        received_milli: u64,
        by: StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let head = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT location_id, status FROM purchase_orders WHERE id = $1{LOCK_ROWS}"
            )))
            .bind(id.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            if get::<String>(&head, "status")? != "sent" {
                return Err(domain::Error::StepOutOfOrder.into());
            }
            let location = StoreId::from(get::<Uuid>(&head, "location_id")?);
            let line = sqlx::query(
                "SELECT quantity_milli, received_milli FROM purchase_order_lines
                 WHERE purchase_order_id = $1 AND part_id = $2",
            )
            .bind(id.as_uuid())
            .bind(part.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            if get::<Option<i64>>(&line, "received_milli")?.is_some() {
                return Err(domain::Error::StepOutOfOrder.into());
            }
            let receipt = domain::supply::receive(milli(&line, "quantity_milli")?, received_milli)?;
            let got = as_i64(receipt.received_milli)?;
            sqlx::query(
                "UPDATE purchase_order_lines SET received_milli = $1
                 WHERE purchase_order_id = $2 AND part_id = $3 AND received_milli IS NULL",
            )
            .bind(got)
            .bind(id.as_uuid())
            .bind(part.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if got > 0 {
                add_on_hand(tx, location, part, got, 0).await?;
                record_move(tx, location, part, got, "received", None, None, Some(id.as_uuid()), Some(by), now)
                    .await?;
            }
            let left: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM purchase_order_lines
                 WHERE purchase_order_id = $1 AND received_milli IS NULL",
            )
            .bind(id.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
            if left == 0 {
                let short: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM purchase_order_lines
                     WHERE purchase_order_id = $1 AND received_milli < quantity_milli",
                )
                .bind(id.as_uuid())
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                let status = if short == 0 {
                    OrderStatus::Received
                } else {
                    OrderStatus::PartlyReceived
                };
                sqlx::query(
                    "UPDATE purchase_orders SET status = $1, received_by = $2, received_at = $3
                     WHERE id = $4 AND status = 'sent'",
                )
                .bind(status.code())
                .bind(by.as_uuid())
                .bind(DbTime(now))
                .bind(id.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            }
            let events = changed(&[location]);
            append_all(tx, &events, now).await?;
            Ok(((), events))
        })
    }
}
