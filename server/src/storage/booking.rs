//! [`BookingStorage`]: what a booking decision reads, and the booking transaction that
//! applies [`domain::booking::plan`]'s decision.
//!
//! The transaction decides nothing itself. It reads the [`Situation`] (for the booked
//! store and the locations that could send its parts), asks `plan`, and writes the plan
//! with guards that refuse only what a concurrent writer changed since the read:
//! - a shelf: `reserved + q` only `WHERE on_hand - reserved >= q`; a transfer's source
//!   also keeps its safety stock (`- safety >= q`);
//! - a shipment: the same on `quantity - reserved`;
//! - capacity: an upsert per step that adds one only `WHERE booked < capacity`;
//! - idempotency: a unique key on (customer, idempotency key).
//!
//! Locks are taken in one order by booking and cancelling alike: the customer's row (on
//! PostgreSQL, as the transaction begins: [`Serial::Customer`]; SQLite's write
//! transaction excludes every other), shelves and shipments
//! in [`Hold::lock_key`] order, then capacity steps by time.

use std::collections::HashMap;
use std::sync::Arc;

use app::booking::{Booking, BookingRequest, BookingStorage, PartNeed};
use app::live::LiveEvent;
use app::pricing::Service;
use app::storage::StorageError;
use async_trait::async_trait;
use domain::booking::{BookingPlan, Hold, Job, Situation, Source};
use domain::breakdown::{AppliedDiscount, Breakdown};
use domain::discount::Tier;
use domain::geo::GeoPoint;
use domain::network::{Location, Network, Shelf};
use domain::order::BookedBy;
use domain::pricing::{Line, PricedItem};
use domain::slots::{self, Load, OpeningHours};
use domain::stock::{DeliverySchedule, Inbound, StockLevel, Waves};
use domain::{
    BookingLimits, CustomerId, ModelId, Money, OpenBooking, OrderId, OrderStatus, PartId, PolicyId,
    ServiceId, ShipmentId, StoreId, VehicleId,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::rows::{
    append_event, get, milli, placeholders, push_event, quantity, small, Batch, Conn, DbRow,
};
use super::send_batch;
use super::{Backend, LOCK_ROWS, SHARE_ROWS};
use crate::storage::cache::{Fitted, Revisions};
use crate::storage::{db_err, item_from_key, item_key, now, transaction, DbTime, Serial};

#[async_trait]
impl BookingStorage for Backend {
    async fn service_parts(&self, model: ModelId) -> Result<Fitted, StorageError> {
        let mut conn = self.conn().await?;
        let revs = self.revisions(&mut conn).await?;
        Ok(self.fitted(&mut conn, &revs, model).await?.to_vec())
    }

    async fn situation(
        &self,
        customer: CustomerId,
        vehicle: VehicleId,
        service: ServiceId,
        at: Option<StoreId>,
        limits: &BookingLimits,
        now: OffsetDateTime,
    ) -> Result<(Situation, Vec<PartNeed>), StorageError> {
        let mut conn = self.conn().await?;
        let revs = self.revisions(&mut conn).await?;
        let who = customer_and_vehicle(&mut conn, customer, vehicle, "").await?;
        let read = self
            .read_situation(&mut conn, &revs, &who, service, at, None, limits, now)
            .await?;
        Ok((read.situation, read.named))
    }

    /// Reads and plans without holding any lock, then applies the plan in a short write
    /// transaction whose guards refuse whatever changed in between.
    async fn book(
        &self,
        customer: CustomerId,
        req: &BookingRequest,
        limits: &BookingLimits,
        by: BookedBy,
    ) -> Result<Booking, StorageError> {
        let now = now();
        let (who, read, network) = {
            let mut conn = self.conn().await?;
            let revs = self.revisions(&mut conn).await?;
            let key = req.idempotency_key.as_str();
            let who = customer_and_vehicle(&mut conn, customer, req.vehicle, key).await?;
            if let Some(earlier) = who.earlier {
                return replay(&mut conn, customer, req, earlier).await;
            }
            let read = self
                .read_booking(&mut conn, &revs, &who, req, limits, now)
                .await?;
            (who, read, revs.network)
        };
        // One customer's bookings are decided one after the other (on PostgreSQL by the
        // lock on their row; on SQLite every write transaction is): a retry then finds
        // the first attempt's booking, and two bookings cannot both take the last place
        // under the cap.
        transaction!(self, Serial::Customer(customer), |tx| {
            let (open, earlier) = open_bookings(tx, customer, req, now).await?;
            if let Some(earlier) = earlier {
                return replay(tx, customer, req, earlier)
                    .await
                    .map(|b| (b, Vec::new()));
            }
            // The store's hours, bays and technicians were read before this transaction.
            // If a manager changed them since, decide again on what holds now; held
            // here, the revision cannot change until this booking commits.
            let fresh;
            let read = if network_revision(tx).await? == network {
                &read
            } else {
                let revs = self.revisions(tx).await?;
                fresh = self.read_booking(tx, &revs, &who, req, limits, now).await?;
                &fresh
            };
            let plan = domain::booking::plan(&read.situation, req, &open)?;
            let id = OrderId::new();
            let event = LiveEvent::AvailabilityChanged {
                stores: plan.locations(),
            };
            // Every write of the booking in one trip to the database.
            let mut batch = Batch::default();
            hold_parts(&mut batch, &plan.holds);
            take_steps(&mut batch, &plan);
            let who = Booker { customer, by };
            insert_order(&mut batch, id, who, req, &plan, read.mileage_km, now);
            record_holds(&mut batch, id, plan.store, &plan.holds, now);
            push_event(&mut batch, &event, now)?;
            send_batch(tx, batch).await.map_err(|e| match e {
                // The same key committed by a concurrent request: run again, and replay it.
                StorageError::Conflict(cause) => StorageError::Contended(cause),
                other => other,
            })?;
            let store = read
                .situation
                .network
                .location(plan.store)
                .ok_or(StorageError::NotFound)?;
            let booking = Booking {
                id,
                reference: domain::booking::reference(id),
                status: OrderStatus::Booked,
                store: plan.store,
                store_zh: store.name_zh.clone(),
                store_en: store.name_en.clone(),
                plate: read.plate.clone(),
                service_zh: read.service.name_zh.clone(),
                service_en: read.service.name_en.clone(),
                start: plan.start,
                end: plan.end,
                breakdown: plan.breakdown,
            };
            // A booking a campaign brought is credited to it.
            super::campaigns::credit_order(tx, id, customer, now).await?;
            // An order moves a lead or prospect on.
            super::standing::refresh(tx, customer, now).await?;
            Ok((booking, vec![event]))
        })
    }

    async fn booking(&self, customer: CustomerId, order: OrderId) -> Result<Booking, StorageError> {
        load_bookings(&mut *self.conn().await?, customer, Some(order))
            .await?
            .pop()
            .ok_or(StorageError::NotFound)
    }

    async fn bookings(&self, customer: CustomerId) -> Result<Vec<Booking>, StorageError> {
        load_bookings(&mut *self.conn().await?, customer, None).await
    }

    async fn cancel_booking(
        &self,
        customer: CustomerId,
        order: OrderId,
    ) -> Result<Booking, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            cancel_in_tx(tx, customer, order, now()).await
        })
    }
}

/// The network's revision (stores, their hours, bays and staff) as this transaction
/// sees it, kept from changing until the transaction ends: a change of settings waits
/// for the bookings that checked it, and bookings after it see the change.
pub(super) async fn network_revision(conn: &mut Conn) -> Result<i64, StorageError> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT rev FROM revisions WHERE name = 'network'{SHARE_ROWS}"
    )))
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)
}

/// The booking an earlier request with the same key made, if this request is the same
/// one again ([`domain::Error::IdempotencyKeyReused`] if it asks for something else).
async fn replay(
    conn: &mut Conn,
    customer: CustomerId,
    req: &BookingRequest,
    (id, fingerprint): (OrderId, Option<String>),
) -> Result<Booking, StorageError> {
    if fingerprint.as_deref() != Some(req.fingerprint().as_str()) {
        return Err(domain::Error::IdempotencyKeyReused.into());
    }
    load_bookings(conn, customer, Some(id))
        .await?
        .pop()
        .ok_or(StorageError::NotFound)
}

/// A fitted part from a row of `service_parts` joined with fitment, `None` when the
/// category has no part for the model.
fn part_need(r: &DbRow) -> Result<Option<PartNeed>, StorageError> {
    let Some(part) = get::<Option<Uuid>>(r, "part_id")? else {
        return Ok(None);
    };
    Ok(Some(PartNeed {
        part: PartId::from(part),
        sku: get(r, "sku")?,
        name_zh: get(r, "name_zh")?,
        name_en: get(r, "name_en")?,
        quantity: quantity(r, "quantity_milli")?,
    }))
}

/// The customer, their vehicle and an earlier order with the same idempotency key.
pub(super) struct Who {
    tier: Tier,
    pub(super) model: ModelId,
    pub(super) mileage_km: u32,
    plate: String,
    earlier: Option<(OrderId, Option<String>)>,
}

/// Who is booking, in one query: [`StorageError::NotFound`] unless the vehicle is in the
/// customer's garage. `key` is the request's idempotency key (`""` for none).
pub(super) async fn customer_and_vehicle(
    conn: &mut Conn,
    customer: CustomerId,
    vehicle: VehicleId,
    key: &str,
) -> Result<Who, StorageError> {
    let r = sqlx::query(
        "SELECT c.tier, v.model_id, v.mileage_km, v.plate,
                (SELECT o.id FROM orders o
                 WHERE o.customer_id = c.id AND o.idempotency_key = $3) AS earlier,
                (SELECT o.request_fingerprint FROM orders o
                 WHERE o.customer_id = c.id AND o.idempotency_key = $3) AS fingerprint
         FROM customers c
         JOIN vehicles v ON v.customer_id = c.id AND v.id = $2 AND v.removed_at IS NULL
         WHERE c.id = $1",
    )
    .bind(customer.as_uuid())
    .bind(vehicle.as_uuid())
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StorageError::NotFound)?;
    let tier: String = get(&r, "tier")?;
    let earlier: Option<Uuid> = get(&r, "earlier")?;
    Ok(Who {
        tier: Tier::parse(&tier).ok_or_else(|| StorageError::corrupt(format!("tier {tier:?}")))?,
        model: ModelId::from(get::<Uuid>(&r, "model_id")?),
        mileage_km: small(&r, "mileage_km")?,
        plate: get(&r, "plate")?,
        earlier: match earlier {
            Some(id) => Some((OrderId::from(id), get(&r, "fingerprint")?)),
            None => None,
        },
    })
}

/// A situation as read, with what the booking itself also shows and records.
pub(super) struct Read {
    pub(super) situation: Situation,
    named: Vec<PartNeed>,
    pub(super) service: Arc<Service>,
    plate: String,
    pub(super) mileage_km: u32,
}

impl Backend {
    /// Every service's parts on `model`, from memory while the catalog is unchanged.
    async fn fitted(
        &self,
        conn: &mut Conn,
        revs: &Revisions,
        model: ModelId,
    ) -> Result<Arc<Fitted>, StorageError> {
        if let Some(fitted) = self.cache.fitted.get(revs.catalog, &model) {
            return Ok(fitted);
        }
        let rows = sqlx::query(
            "SELECT s.id AS service_id, sp.quantity_milli, p.id AS part_id, p.sku, p.name_zh, p.name_en
             FROM services s
             JOIN service_parts sp ON sp.service_id = s.id
             JOIN part_categories c ON c.id = sp.category_id
             LEFT JOIN fitments f ON f.category_id = sp.category_id AND f.model_id = $1
             LEFT JOIN parts p ON p.id = f.part_id
             ORDER BY s.sort_order, s.code, c.code",
        )
        .bind(model.as_uuid())
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let mut out: Fitted = Vec::new();
        for r in &rows {
            let service = ServiceId::from(get::<Uuid>(r, "service_id")?);
            if out.last().map(|(s, _)| *s) != Some(service) {
                out.push((service, Ok(Vec::new())));
            }
            let need = part_need(r)?;
            match (out.last_mut(), need) {
                (Some((_, Ok(needs))), Some(need)) => needs.push(need),
                (Some((_, entry)), None) => *entry = Err(domain::Error::NoFitment),
                _ => {}
            }
        }
        Ok(self.cache.fitted.put(revs.catalog, model, out))
    }

    /// Every location with its hours and technicians, from memory while the network is
    /// unchanged.
    pub(super) async fn locations(
        &self,
        conn: &mut Conn,
        revs: &Revisions,
    ) -> Result<Arc<Vec<Location>>, StorageError> {
        if let Some(locations) = self.cache.locations.get(revs.network) {
            return Ok(locations);
        }
        let mut hours: HashMap<Uuid, Vec<OpeningHours>> = HashMap::new();
        let hour_rows =
            sqlx::query("SELECT location_id, weekday, opens_min, closes_min FROM opening_hours")
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err)?;
        for r in &hour_rows {
            let weekday: i64 = get(r, "weekday")?;
            let day = u8::try_from(weekday)
                .ok()
                .filter(|d| (1..=7).contains(d))
                .map(|d| time::Weekday::Monday.nth_next(d - 1))
                .ok_or_else(|| StorageError::corrupt(format!("weekday {weekday}")))?;
            let h = OpeningHours::new(day, small(r, "opens_min")?, small(r, "closes_min")?)
                .map_err(|_| StorageError::corrupt("opening hours"))?;
            hours.entry(get(r, "location_id")?).or_default().push(h);
        }
        let mut waves = super::supply::waves_by_location(conn).await?;
        let locations = sqlx::query(
            "SELECT l.id, l.code, l.kind, l.name_zh, l.name_en, l.address_zh, l.address_en,
                    l.lat_e6, l.lng_e6, l.bays,
                    (SELECT COUNT(*) FROM staff st
                     WHERE st.location_id = l.id AND st.role = 'technician'
                       AND st.deactivated_at IS NULL) AS technicians
             FROM locations l ORDER BY l.code",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            let id = StoreId::from(get::<Uuid>(r, "id")?);
            let hours = hours.remove(&id.as_uuid()).unwrap_or_default();
            location_from(r, hours, waves.remove(&id).unwrap_or_default())
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
        Ok(self.cache.locations.put(revs.network, locations))
    }

    /// What a booking of `req` decides from: [`Self::read_situation`] at its store and
    /// start.
    pub(super) async fn read_booking(
        &self,
        conn: &mut Conn,
        revs: &Revisions,
        who: &Who,
        req: &BookingRequest,
        limits: &BookingLimits,
        now: OffsetDateTime,
    ) -> Result<Read, StorageError> {
        self.read_situation(
            conn,
            revs,
            who,
            req.service,
            Some(req.store),
            Some(req.start),
            limits,
            now,
        )
        .await
    }

    /// Reads what [`domain::booking`] decides from: the job for the vehicle's model, the
    /// price list, the policies, the network (every location, or `at` and the locations
    /// with spare stock of the job's parts) and the loads. Loads cover the steps of a job
    /// starting at `start` when given (a booking), else the window the limits allow.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn read_situation(
        &self,
        conn: &mut Conn,
        revs: &Revisions,
        who: &Who,
        service: ServiceId,
        at: Option<StoreId>,
        start: Option<OffsetDateTime>,
        limits: &BookingLimits,
        now: OffsetDateTime,
    ) -> Result<Read, StorageError> {
        let services = self.services_cached(conn, revs).await?;
        let info = services
            .iter()
            .find(|s| s.id == service)
            .ok_or(StorageError::NotFound)?;
        let named = self
            .fitted(conn, revs, who.model)
            .await?
            .iter()
            .find(|(s, _)| *s == service)
            .map(|(_, needs)| needs.clone())
            .unwrap_or(Ok(Vec::new()))?;
        let job = Job::new(service, info.duration_min, &named);
        let parts: Vec<PartId> = named.iter().map(|n| n.part).collect();
        let prices = self.prices_cached(conn, revs).await?.list.clone();
        let policies = self.policies_cached(conn, revs).await?.to_vec();
        let locations = self.locations(conn, revs).await?;
        let window = match start {
            Some(start) => (start, start + slots::held(info.duration_min)),
            None => (now, limits.window(now).1),
        };
        let (network, loads) = network_and_loads(conn, &locations, &parts, at, window).await?;
        Ok(Read {
            situation: Situation {
                job,
                prices,
                policies,
                tier: who.tier,
                network,
                loads,
                schedule: DeliverySchedule::default(),
                limits: *limits,
                now,
            },
            named,
            service: Arc::new(info.clone()),
            plate: who.plate.clone(),
            mileage_km: who.mileage_km,
        })
    }
}

fn location_from(r: &DbRow, hours: Vec<OpeningHours>, waves: Waves) -> Result<Location, StorageError> {
    let kind: String = get(r, "kind")?;
    Ok(Location {
        id: StoreId::from(get::<Uuid>(r, "id")?),
        code: get(r, "code")?,
        name_zh: get(r, "name_zh")?,
        name_en: get(r, "name_en")?,
        address_zh: get(r, "address_zh")?,
        address_en: get(r, "address_en")?,
        is_warehouse: kind == "warehouse",
        geo: GeoPoint::new(small(r, "lat_e6")?, small(r, "lng_e6")?)
            .map_err(|_| StorageError::corrupt("a location's coordinates"))?,
        bays: small(r, "bays")?,
        technicians: small(r, "technicians")?,
        hours,
        waves,
    })
}

/// In one query (the three kinds of row stacked with `UNION ALL`, told apart by
/// `kind`): the shelves and shipments a decision about `parts` needs, over `locations`,
/// and the booked capacity per store and step for steps in `window`.
///
/// Over all locations when `at` is `None`; else the store `at` and the locations with
/// stock to spare (a transfer never takes a source below its safety stock, so no other
/// location could send anything), and only `at`'s loads.
pub(super) async fn network_and_loads(
    conn: &mut Conn,
    locations: &[Location],
    parts: &[PartId],
    at: Option<StoreId>,
    (from, to): (OffsetDateTime, OffsetDateTime),
) -> Result<(Network, HashMap<StoreId, Load>), StorageError> {
    if let Some(store) = at {
        if !locations.iter().any(|l| l.id == store) {
            return Err(StorageError::NotFound);
        }
    }
    // Every branch names its columns: any of them may be the first.
    // Bound values: `$1` is the store when there is one, then the parts, then the window.
    let first_part = if at.is_some() { 2 } else { 1 };
    let (from_no, to_no) = (first_part + parts.len(), first_part + parts.len() + 1);
    let mut branches = Vec::with_capacity(3);
    if !parts.is_empty() {
        let part_list = placeholders(first_part, parts.len());
        let (stock_filter, inbound_filter) = match at {
            Some(_) => (
                "AND (location_id = $1 OR on_hand_milli - reserved_milli - safety_milli > 0)",
                "AND location_id = $1",
            ),
            None => ("", ""),
        };
        branches.push(format!(
            "SELECT 'stock' AS kind, location_id AS at, part_id AS part, NULL AS shipment,
                    on_hand_milli AS a, reserved_milli AS b, safety_milli AS c, NULL AS t
             FROM stock WHERE part_id IN ({part_list}) {stock_filter}"
        ));
        branches.push(format!(
            "SELECT 'inbound' AS kind, location_id AS at, part_id AS part, id AS shipment,
                    quantity_milli - reserved_milli AS a, 0 AS b, 0 AS c, eta AS t
             FROM inbound_shipments
             WHERE part_id IN ({part_list}) AND quantity_milli > reserved_milli {inbound_filter}"
        ));
    }
    let load_filter = if at.is_some() { "AND store_id = $1" } else { "" };
    branches.push(format!(
        "SELECT 'load' AS kind, store_id AS at, NULL AS part, NULL AS shipment, booked AS a,
                0 AS b, 0 AS c, step_start AS t
         FROM slot_load
         WHERE step_start >= ${from_no} AND step_start < ${to_no} AND booked > 0 {load_filter}"
    ));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(branches.join(" UNION ALL ")));
    if let Some(store) = at {
        q = q.bind(store.as_uuid());
    }
    for p in parts {
        q = q.bind(p.as_uuid());
    }
    let rows = q
        .bind(DbTime(from))
        .bind(DbTime(to))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;

    let mut net = Network::default();
    let mut loads: HashMap<StoreId, Load> = HashMap::new();
    for r in &rows {
        let location = StoreId::from(get::<Uuid>(r, "at")?);
        let kind: String = get(r, "kind")?;
        match kind.as_str() {
            "stock" => {
                let level = StockLevel::new(milli(r, "a")?, milli(r, "b")?).map_err(|_| {
                    StorageError::corrupt("stock reserved beyond what is on hand")
                })?;
                let shelf = Shelf {
                    level,
                    safety_milli: milli(r, "c")?,
                };
                let part = PartId::from(get::<Uuid>(r, "part")?);
                net.stock.insert((location, part), shelf);
            }
            "inbound" => net.inbound.push((
                location,
                Inbound {
                    shipment: ShipmentId::from(get::<Uuid>(r, "shipment")?),
                    part: PartId::from(get::<Uuid>(r, "part")?),
                    available_milli: milli(r, "a")?,
                    eta: get::<DbTime>(r, "t")?.0,
                },
            )),
            _ => {
                let step = get::<DbTime>(r, "t")?.0.to_offset(time::UtcOffset::UTC);
                loads
                    .entry(location)
                    .or_default()
                    .insert(step, small(r, "a")?);
            }
        }
    }
    net.locations = locations
        .iter()
        .filter(|l| match at {
            None => true,
            Some(store) => {
                l.id == store
                    || net
                        .stock
                        .iter()
                        .any(|((at, _), shelf)| *at == l.id && shelf.spare_milli() > 0)
            }
        })
        .cloned()
        .collect();
    Ok((net, loads))
}

/// In one query, under the customer's lock: their bookings that are not over (for
/// [`BookingLimits::check`]), and an order an earlier request with this one's key made.
pub(super) async fn open_bookings(
    conn: &mut Conn,
    customer: CustomerId,
    req: &BookingRequest,
    now: OffsetDateTime,
) -> Result<(Vec<OpenBooking>, Option<(OrderId, Option<String>)>), StorageError> {
    let rows = sqlx::query(
        "SELECT id, idempotency_key, request_fingerprint, vehicle_id, status,
                scheduled_start, scheduled_end
         FROM orders
         WHERE customer_id = $1
           AND (idempotency_key = $2 OR (scheduled_start IS NOT NULL AND scheduled_end > $3))",
    )
    .bind(customer.as_uuid())
    .bind(req.idempotency_key.as_str())
    .bind(DbTime(now))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut open = Vec::new();
    let mut earlier = None;
    for r in &rows {
        if get::<Option<String>>(r, "idempotency_key")?.as_deref()
            == Some(req.idempotency_key.as_str())
        {
            earlier = Some((
                OrderId::from(get::<Uuid>(r, "id")?),
                get(r, "request_fingerprint")?,
            ));
        }
        let (start, end): (Option<DbTime>, Option<DbTime>) =
            (get(r, "scheduled_start")?, get(r, "scheduled_end")?);
        // Which orders still hold a place is the domain's rule, not the query's.
        if let (Some(start), Some(end)) = (start, end) {
            if end.0 > now && status(r)?.is_open() {
                open.push(OpenBooking {
                    vehicle: VehicleId::from(get::<Uuid>(r, "vehicle_id")?),
                    start: start.0,
                    end: end.0,
                });
            }
        }
    }
    Ok((open, earlier))
}

fn status(r: &DbRow) -> Result<OrderStatus, StorageError> {
    let status: String = get(r, "status")?;
    OrderStatus::parse(&status).ok_or_else(|| StorageError::corrupt(format!("status {status:?}")))
}

/// Holds every part where the plan says, each guarded by what is free: the shelves
/// (the booked store's, and transfers' sources, which also keep their safety stock) in
/// one statement refused as a whole unless every shelf took its hold, then each
/// shipment.
///
/// The shelves' rows are locked in the plan's [`Hold::lock_key`] order as far as the
/// database's join follows the `VALUES` list; a deadlock it did not follow into rolls
/// back and runs again ([`StorageError::Contended`]).
pub(super) fn hold_parts(batch: &mut Batch, holds: &[Hold]) {
    let mut shelves = Vec::new();
    for h in holds {
        let q = i64::from(h.quantity.milli());
        // (location, part, quantity, whether the safety stock is kept)
        let (at, keep_safety) = match h.source {
            Source::Shelf { at } => (at, 0i64),
            Source::Transfer { from, .. } => (from, 1),
            Source::Shipment { shipment } => {
                let sql = format!(
                    "UPDATE inbound_shipments SET reserved_milli = reserved_milli + {q}
                     WHERE id = {id} AND part_id = {part} AND quantity_milli - reserved_milli >= {q}",
                    q = batch.bind(q),
                    id = batch.bind(shipment.as_uuid()),
                    part = batch.bind(h.part.as_uuid()),
                );
                batch.push_guarded(sql, 1, domain::Error::OutOfStock);
                continue;
            }
        };
        shelves.push(format!(
            "({}, {}, {}, {})",
            batch.bind(at.as_uuid()),
            batch.bind(h.part.as_uuid()),
            batch.bind(q),
            batch.bind(keep_safety)
        ));
    }
    if shelves.is_empty() {
        return;
    }
    // `VALUES` columns are named column1, column2... on both databases.
    let sql = format!(
        "UPDATE stock SET reserved_milli = reserved_milli + h.column3
         FROM (VALUES {}) AS h
         WHERE stock.location_id = h.column1 AND stock.part_id = h.column2
           AND stock.on_hand_milli - stock.reserved_milli - h.column4 * stock.safety_milli
               >= h.column3",
        shelves.join(", ")
    );
    // Someone else took one since the plan was read.
    batch.push_guarded(sql, shelves.len() as u64, domain::Error::OutOfStock);
}

/// One capacity unit in every step of the plan, in time order, only while one is left:
/// one statement, refused as a whole unless every step took its unit.
pub(super) fn take_steps(batch: &mut Batch, plan: &BookingPlan) {
    let store = batch.bind(plan.store.as_uuid());
    let values = plan
        .steps
        .iter()
        .map(|step| format!("({store}, {}, 1)", batch.bind(DbTime(*step))))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO slot_load (store_id, step_start, booked) VALUES {values}
         ON CONFLICT (store_id, step_start)
         DO UPDATE SET booked = slot_load.booked + 1 WHERE slot_load.booked < {}",
        batch.bind(i64::from(plan.capacity))
    );
    batch.push_guarded(
        sql,
        plan.steps.len() as u64,
        domain::Error::SlotUnavailable,
    );
}

/// Whose booking it is, and who made it.
pub(super) struct Booker {
    pub(super) customer: CustomerId,
    pub(super) by: BookedBy,
}

/// The order with its lines and discounts, at the prices the plan locked, and the channel
/// [`BookedBy::channel`] names.
pub(super) fn insert_order(
    batch: &mut Batch,
    id: OrderId,
    Booker { customer, by }: Booker,
    req: &BookingRequest,
    plan: &BookingPlan,
    mileage_km: u32,
    now: OffsetDateTime,
) {
    let priced = &plan.breakdown;
    let order = [
        batch.bind(id.as_uuid()),
        batch.bind(domain::booking::reference(id)),
        batch.bind(customer.as_uuid()),
        batch.bind(req.vehicle.as_uuid()),
        batch.bind(plan.store.as_uuid()),
        batch.bind(i64::from(priced.price_list_version)),
        batch.bind(priced.total.fen()),
        batch.bind(i64::from(mileage_km)),
        batch.bind(DbTime(now)),
        batch.bind(DbTime(plan.start)),
        batch.bind(DbTime(plan.end)),
        batch.bind(req.idempotency_key.as_str().to_owned()),
        batch.bind(req.fingerprint()),
        batch.bind(by.channel(plan.start, now).code()),
        batch.bind(by.staff().map(|s| s.as_uuid())),
    ];
    let [id_, reference, customer_, vehicle, store, version, total, mileage, created, start, end, key, fingerprint, channel, booked_by] =
        order;
    batch.push(format!(
        "INSERT INTO orders (id, reference, customer_id, vehicle_id, store_id, channel, booked_by,
            status, price_list_version, total_fen, mileage_km, created_at, scheduled_start,
            scheduled_end, idempotency_key, request_fingerprint)
         VALUES ({id_}, {reference}, {customer_}, {vehicle}, {store}, {channel}, {booked_by},
            'booked', {version}, {total}, {mileage}, {created}, {start}, {end}, {key}, {fingerprint})"
    ));
    insert_lines(batch, id, std::iter::once(&priced.labour).chain(&priced.parts));
    let order_id = batch.bind(id.as_uuid());
    if priced.discounts.is_empty() {
        return;
    }
    let discounts = priced
        .discounts
        .iter()
        .enumerate()
        .map(|(no, d)| {
            format!(
                "({order_id}, {}, {}, {}, {}, {})",
                batch.bind(no as i64 + 1),
                batch.bind(d.policy.as_uuid()),
                batch.bind(d.name_zh.clone()),
                batch.bind(d.name_en.clone()),
                batch.bind(d.amount.fen())
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    batch.push(format!(
        "INSERT INTO order_discounts (order_id, line_no, policy_id, name_zh, name_en, amount_fen)
         VALUES {discounts}"
    ));
}

/// The order's lines, numbered from one, at the prices they were locked at.
pub(super) fn insert_lines<'a>(
    batch: &mut Batch,
    id: OrderId,
    lines: impl IntoIterator<Item = &'a Line>,
) {
    let order_id = batch.bind(id.as_uuid());
    let lines = lines
        .into_iter()
        .enumerate()
        .map(|(no, line)| {
            let (kind, item) = item_key(line.item);
            format!(
                "({order_id}, {}, {}, {}, {}, {}, {})",
                batch.bind(no as i64 + 1),
                batch.bind(kind),
                batch.bind(item),
                batch.bind(i64::from(line.quantity.milli())),
                batch.bind(line.unit_price.fen()),
                batch.bind(line.total.fen())
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    batch.push(format!(
        "INSERT INTO order_lines (order_id, line_no, item_kind, item_id, quantity_milli, unit_price_fen, total_fen)
         VALUES {lines}"
    ));
}

/// What the order holds and where: a reservation per hold, and a transfer for each part
/// another location sends.
pub(super) fn record_holds(
    batch: &mut Batch,
    order: OrderId,
    store: StoreId,
    holds: &[Hold],
    now: OffsetDateTime,
) {
    if holds.is_empty() {
        return;
    }
    let order_id = batch.bind(order.as_uuid());
    let mut transfers = Vec::new();
    let mut reservations = Vec::with_capacity(holds.len());
    for h in holds {
        let (shipment, transfer) = match h.source {
            Source::Shipment { shipment } => (Some(shipment.as_uuid()), None),
            Source::Shelf { .. } => (None, None),
            Source::Transfer { from, eta } => {
                let id = Uuid::now_v7();
                transfers.push(format!(
                    "({}, {order_id}, {}, {}, {}, {}, {}, 'planned', {})",
                    batch.bind(id),
                    batch.bind(h.part.as_uuid()),
                    batch.bind(from.as_uuid()),
                    batch.bind(store.as_uuid()),
                    batch.bind(i64::from(h.quantity.milli())),
                    batch.bind(DbTime(eta)),
                    batch.bind(DbTime(now))
                ));
                (None, Some(id))
            }
        };
        reservations.push(format!(
            "({order_id}, {}, {}, {}, {}, {})",
            batch.bind(h.part.as_uuid()),
            batch.bind(h.shelf().map(|l| l.as_uuid())),
            batch.bind(shipment),
            batch.bind(transfer),
            batch.bind(i64::from(h.quantity.milli()))
        ));
    }
    if !transfers.is_empty() {
        batch.push(format!(
            "INSERT INTO transfers (id, order_id, part_id, from_location_id, to_location_id,
                quantity_milli, eta, status, created_at)
             VALUES {}",
            transfers.join(", ")
        ));
    }
    batch.push(format!(
        "INSERT INTO reservations (order_id, part_id, location_id, shipment_id, transfer_id, quantity_milli)
         VALUES {}",
        reservations.join(", ")
    ));
}

const BOOKING_SELECT: &str =
    "SELECT o.id, o.reference, o.status, o.store_id, l.name_zh AS store_zh, l.name_en AS store_en,
        v.plate, o.scheduled_start, o.scheduled_end, o.price_list_version, o.total_fen
 FROM orders o
 JOIN locations l ON l.id = o.store_id
 JOIN vehicles v ON v.id = o.vehicle_id";

/// The customer's bookings (or only `only`), newest first, in three queries however
/// many there are: the orders, all their lines, all their discounts.
async fn load_bookings(
    conn: &mut Conn,
    customer: CustomerId,
    only: Option<OrderId>,
) -> Result<Vec<Booking>, StorageError> {
    let only_filter = if only.is_some() { "AND o.id = $2" } else { "" };
    let bind = |sql: String| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(customer.as_uuid());
        if let Some(order) = only {
            q = q.bind(order.as_uuid());
        }
        q
    };
    let orders = bind(format!(
        "{BOOKING_SELECT} WHERE o.customer_id = $1 AND o.scheduled_start IS NOT NULL {only_filter}
         ORDER BY o.created_at DESC, o.id DESC"
    ))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let lines = bind(format!(
        "SELECT ol.order_id, ol.item_kind, ol.item_id, ol.quantity_milli, ol.unit_price_fen,
                ol.total_fen, s.name_zh, s.name_en
         FROM order_lines ol
         JOIN orders o ON o.id = ol.order_id
         LEFT JOIN services s ON s.id = ol.item_id AND ol.item_kind = 'service'
         WHERE o.customer_id = $1 AND o.scheduled_start IS NOT NULL {only_filter}
         ORDER BY ol.order_id, ol.line_no"
    ))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let discounts = bind(format!(
        "SELECT d.order_id, d.policy_id, d.name_zh, d.name_en, d.amount_fen
         FROM order_discounts d JOIN orders o ON o.id = d.order_id
         WHERE o.customer_id = $1 AND o.scheduled_start IS NOT NULL {only_filter}
         ORDER BY d.order_id, d.line_no"
    ))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;

    let mut lines_of: HashMap<Uuid, Vec<&DbRow>> = HashMap::new();
    for l in &lines {
        lines_of.entry(get(l, "order_id")?).or_default().push(l);
    }
    let mut discounts_of: HashMap<Uuid, Vec<AppliedDiscount>> = HashMap::new();
    for d in &discounts {
        discounts_of
            .entry(get(d, "order_id")?)
            .or_default()
            .push(AppliedDiscount {
                policy: PolicyId::from(get::<Uuid>(d, "policy_id")?),
                name_zh: get(d, "name_zh")?,
                name_en: get(d, "name_en")?,
                amount: Money::from_fen(get(d, "amount_fen")?),
            });
    }
    orders
        .iter()
        .map(|r| {
            let id: Uuid = get(r, "id")?;
            booking_from(
                r,
                lines_of.remove(&id).unwrap_or_default(),
                discounts_of.remove(&id).unwrap_or_default(),
            )
        })
        .collect()
}

fn booking_from(
    r: &DbRow,
    lines: Vec<&DbRow>,
    discounts: Vec<AppliedDiscount>,
) -> Result<Booking, StorageError> {
    let id: Uuid = get(r, "id")?;
    let mut labour: Option<(Line, String, String)> = None;
    let mut parts = Vec::new();
    for l in lines {
        let kind: String = get(l, "item_kind")?;
        let item = item_from_key(&kind, get(l, "item_id")?)?;
        let line = Line {
            item,
            quantity: quantity(l, "quantity_milli")?,
            unit_price: Money::from_fen(get(l, "unit_price_fen")?),
            total: Money::from_fen(get(l, "total_fen")?),
        };
        match item {
            PricedItem::Service(_) if labour.is_none() => {
                let names = (
                    get::<Option<String>>(l, "name_zh")?,
                    get::<Option<String>>(l, "name_en")?,
                );
                let (Some(zh), Some(en)) = names else {
                    return Err(StorageError::corrupt(
                        "a booked service no longer in the catalog",
                    ));
                };
                labour = Some((line, zh, en));
            }
            _ => parts.push(line),
        }
    }
    let (labour, service_zh, service_en) =
        labour.ok_or_else(|| StorageError::corrupt(format!("booking {id} without a service")))?;
    let PricedItem::Service(service) = labour.item else {
        return Err(StorageError::corrupt("a labour line for a part"));
    };
    let subtotal = Money::sum(std::iter::once(labour.total).chain(parts.iter().map(|l| l.total)))?;
    Ok(Booking {
        id: OrderId::from(id),
        reference: get(r, "reference")?,
        status: status(r)?,
        store: StoreId::from(get::<Uuid>(r, "store_id")?),
        store_zh: get(r, "store_zh")?,
        store_en: get(r, "store_en")?,
        plate: get(r, "plate")?,
        service_zh,
        service_en,
        start: get::<DbTime>(r, "scheduled_start")?.0,
        end: get::<DbTime>(r, "scheduled_end")?.0,
        breakdown: Breakdown {
            service,
            price_list_version: small(r, "price_list_version")?,
            labour,
            parts,
            subtotal,
            discounts,
            total: Money::from_fen(get(r, "total_fen")?),
        },
    })
}

/// Cancels inside the caller's write transaction, releasing in the booking's lock order.
pub(super) async fn cancel_in_tx(
    conn: &mut Conn,
    customer: CustomerId,
    order: OrderId,
    now: OffsetDateTime,
) -> Result<(Booking, Vec<LiveEvent>), StorageError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT status, store_id, scheduled_start, scheduled_end FROM orders
         WHERE id = $1 AND customer_id = $2{LOCK_ROWS}"
    )))
    .bind(order.as_uuid())
    .bind(customer.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StorageError::NotFound)?;
    status(&row)?.cancel()?;
    let store = StoreId::from(get::<Uuid>(&row, "store_id")?);
    let start: Option<DbTime> = get(&row, "scheduled_start")?;
    let end: Option<DbTime> = get(&row, "scheduled_end")?;
    let (Some(start), Some(end)) = (start, end) else {
        return Err(domain::Error::NotCancellable.into());
    };
    sqlx::query("UPDATE orders SET status = 'cancelled', cancelled_at = $1 WHERE id = $2")
        .bind(DbTime(now))
        .bind(order.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;

    let rows = sqlx::query(
        "SELECT r.part_id, r.location_id, r.shipment_id, r.quantity_milli, t.eta AS transfer_eta
         FROM reservations r LEFT JOIN transfers t ON t.id = r.transfer_id
         WHERE r.order_id = $1 AND r.released_at IS NULL",
    )
    .bind(order.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut holds = rows
        .iter()
        .map(|r| {
            let location: Option<Uuid> = get(r, "location_id")?;
            let shipment: Option<Uuid> = get(r, "shipment_id")?;
            let eta: Option<DbTime> = get(r, "transfer_eta")?;
            let source = match (location, shipment, eta) {
                (Some(from), None, Some(eta)) => Source::Transfer {
                    from: StoreId::from(from),
                    eta: eta.0,
                },
                (Some(at), None, None) => Source::Shelf {
                    at: StoreId::from(at),
                },
                (None, Some(s), None) => Source::Shipment {
                    shipment: ShipmentId::from(s),
                },
                _ => return Err(StorageError::corrupt("a reservation without one source")),
            };
            Ok(Hold {
                part: PartId::from(get::<Uuid>(r, "part_id")?),
                quantity: quantity(r, "quantity_milli")?,
                source,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    holds.sort_by_key(Hold::lock_key);
    for h in &holds {
        let q = i64::from(h.quantity.milli());
        let query = match h.source {
            Source::Shelf { at } | Source::Transfer { from: at, .. } => sqlx::query(
                "UPDATE stock SET reserved_milli = reserved_milli - $1
                 WHERE location_id = $2 AND part_id = $3 AND reserved_milli >= $1",
            )
            .bind(q)
            .bind(at.as_uuid()),
            Source::Shipment { shipment } => sqlx::query(
                "UPDATE inbound_shipments SET reserved_milli = reserved_milli - $1
                 WHERE id = $2 AND part_id = $3 AND reserved_milli >= $1",
            )
            .bind(q)
            .bind(shipment.as_uuid()),
        };
        let done = query
            .bind(h.part.as_uuid())
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(StorageError::corrupt(format!(
                "the reservations of order {order} do not match the stock"
            )));
        }
    }
    sqlx::query(
        "UPDATE reservations SET released_at = $1 WHERE order_id = $2 AND released_at IS NULL",
    )
    .bind(DbTime(now))
    .bind(order.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "UPDATE transfers SET status = 'cancelled', cancelled_at = $1
         WHERE order_id = $2 AND status = 'planned'",
    )
    .bind(DbTime(now))
    .bind(order.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;

    let minutes = u16::try_from((end.0 - start.0).whole_minutes())
        .map_err(|_| StorageError::corrupt(format!("the times of order {order}")))?;
    for step in slots::steps(start.0, minutes) {
        let done = sqlx::query(
            "UPDATE slot_load SET booked = booked - 1
             WHERE store_id = $1 AND step_start = $2 AND booked > 0",
        )
        .bind(store.as_uuid())
        .bind(DbTime(step))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(StorageError::corrupt(format!(
                "the capacity of order {order} was not booked"
            )));
        }
    }
    let mut stores: Vec<StoreId> = std::iter::once(store)
        .chain(holds.iter().filter_map(Hold::shelf))
        .collect();
    stores.sort();
    stores.dedup();
    let event = LiveEvent::AvailabilityChanged { stores };
    append_event(conn, &event, now).await?;
    let booking = load_bookings(conn, customer, Some(order))
        .await?
        .pop()
        .ok_or(StorageError::NotFound)?;
    Ok((booking, vec![event]))
}
