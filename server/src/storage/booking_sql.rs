//! Booking queries, written once for both dialects (compiled beside each backend's `Db`,
//! like `shared.rs`).
//!
//! The booking transaction re-reads everything it decides from, asks `domain` (through
//! [`app::booking::Network`]) where each part comes from and whether the slot may be
//! booked, and then writes with guards that hold under any concurrency:
//! - stock: `reserved + q` only `WHERE on_hand - reserved >= q` (and the table's CHECK);
//! - shipments: the same on `quantity - reserved`;
//! - capacity: an upsert per slot step that adds one only `WHERE booked < capacity`;
//! - idempotency: a unique key on (customer, idempotency key).
//!
//! Rows are written in a fixed order (stock by location and part, then steps by time) so
//! concurrent bookings on PostgreSQL wait for each other instead of deadlocking.

use std::collections::HashMap;

use app::booking::{Booking, BookingRequest, LocationInfo, Network, PartNeed};
use app::live::LiveEvent;
use app::store::StoreError;
use domain::breakdown::{AppliedDiscount, Breakdown};
use domain::discount::{DiscountPolicy, Percent, PolicyRule, Tier};
use domain::geo::GeoPoint;
use domain::pricing::{Line, PricedItem};
use domain::slots::{self, Load, OpeningHours};
use domain::stock::{DeliverySchedule, Inbound, StockLevel, Supply};
use domain::{
    CustomerId, ModelId, Money, OrderId, OrderStatus, PartId, PolicyId, Quantity, ServiceId,
    ShipmentId, StoreId, VehicleId,
};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::shared::{self, Conn};
use super::Db;
use crate::storage::{db_err, DbTime};

type DbRow = <Db as sqlx::Database>::Row;

fn get<'r, T>(r: &'r DbRow, column: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    r.try_get(column).map_err(db_err)
}

fn milli(v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Backend(format!("negative quantity {v}")))
}

fn quantity(v: i64) -> Result<Quantity, StoreError> {
    u32::try_from(v)
        .ok()
        .and_then(|m| Quantity::from_milli(m).ok())
        .ok_or_else(|| StoreError::Backend(format!("bad stored quantity {v}")))
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn service_parts(
    conn: &mut Conn,
    model: ModelId,
) -> Result<Vec<(ServiceId, Result<Vec<PartNeed>, domain::Error>)>, StoreError> {
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
    let mut out: Vec<(ServiceId, Result<Vec<PartNeed>, domain::Error>)> = Vec::new();
    for r in rows {
        let service = ServiceId::from(get::<Uuid>(&r, "service_id")?);
        if out.last().map(|(s, _)| *s) != Some(service) {
            out.push((service, Ok(Vec::new())));
        }
        let Some((_, entry)) = out.last_mut() else {
            continue;
        };
        let part: Option<Uuid> = get(&r, "part_id")?;
        match (part, entry.as_mut()) {
            (Some(part), Ok(needs)) => needs.push(PartNeed {
                part: PartId::from(part),
                sku: get(&r, "sku")?,
                name_zh: get(&r, "name_zh")?,
                name_en: get(&r, "name_en")?,
                quantity: quantity(get(&r, "quantity_milli")?)?,
            }),
            (None, _) => *entry = Err(domain::Error::NoFitment),
            (Some(_), Err(_)) => {}
        }
    }
    Ok(out)
}

pub async fn discount_policies(conn: &mut Conn) -> Result<Vec<DiscountPolicy>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, name_zh, name_en, tier, percent, service_id, amount_fen, starts_at, ends_at
         FROM discount_policies WHERE withdrawn_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            let kind: String = get(r, "kind")?;
            let bad = || StoreError::Backend(format!("malformed discount policy of kind {kind}"));
            let rule = match kind.as_str() {
                "tier_labour_percent" => {
                    let tier: Option<String> = get(r, "tier")?;
                    let percent: Option<i64> = get(r, "percent")?;
                    PolicyRule::tier_labour_percent(
                        tier.as_deref().and_then(Tier::parse).ok_or_else(bad)?,
                        percent
                            .and_then(|p| u8::try_from(p).ok())
                            .and_then(|p| Percent::new(p).ok())
                            .ok_or_else(bad)?,
                    )
                }
                "campaign_amount_off" => {
                    let service: Option<Uuid> = get(r, "service_id")?;
                    let amount: Option<i64> = get(r, "amount_fen")?;
                    let starts: Option<DbTime> = get(r, "starts_at")?;
                    let ends: Option<DbTime> = get(r, "ends_at")?;
                    match (service, amount, starts, ends) {
                        (Some(s), Some(a), Some(st), Some(en)) => PolicyRule::campaign_amount_off(
                            ServiceId::from(s),
                            Money::from_fen(a),
                            st.0,
                            en.0,
                        )?,
                        _ => return Err(bad()),
                    }
                }
                _ => return Err(bad()),
            };
            Ok(DiscountPolicy {
                id: PolicyId::from(get::<Uuid>(r, "id")?),
                name_zh: get(r, "name_zh")?,
                name_en: get(r, "name_en")?,
                rule,
            })
        })
        .collect()
}

/// Publishes a policy (HQ), with its outbox row.
pub async fn insert_policy(
    conn: &mut Conn,
    policy: &DiscountPolicy,
    published_by: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let (kind, tier, percent, service, amount, starts, ends) = match &policy.rule {
        PolicyRule::TierLabourPercent { tier, percent } => (
            "tier_labour_percent",
            Some(tier.code()),
            Some(i64::from(percent.value())),
            None,
            None,
            None,
            None,
        ),
        PolicyRule::CampaignAmountOff {
            service,
            amount,
            starts,
            ends,
        } => (
            "campaign_amount_off",
            None,
            None,
            Some(service.as_uuid()),
            Some(amount.fen()),
            Some(DbTime(*starts)),
            Some(DbTime(*ends)),
        ),
    };
    sqlx::query(
        "INSERT INTO discount_policies
           (id, kind, name_zh, name_en, tier, percent, service_id, amount_fen, starts_at, ends_at, published_at, published_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(policy.id.as_uuid())
    .bind(kind)
    .bind(&policy.name_zh)
    .bind(&policy.name_en)
    .bind(tier)
    .bind(percent)
    .bind(service)
    .bind(amount)
    .bind(starts)
    .bind(ends)
    .bind(DbTime(now))
    .bind(published_by)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

pub async fn customer_tier(conn: &mut Conn, customer: CustomerId) -> Result<Tier, StoreError> {
    let tier: String = sqlx::query_scalar("SELECT tier FROM customers WHERE id = $1")
        .bind(customer.as_uuid())
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    Tier::parse(&tier).ok_or_else(|| StoreError::Backend(format!("unknown tier {tier:?}")))
}

pub async fn network(conn: &mut Conn, parts: &[PartId]) -> Result<Network, StoreError> {
    let techs: HashMap<Uuid, i64> = sqlx::query(
        "SELECT location_id, COUNT(*) AS n FROM staff
         WHERE role = 'technician' AND location_id IS NOT NULL GROUP BY location_id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?
    .iter()
    .map(|r| Ok((get::<Uuid>(r, "location_id")?, get::<i64>(r, "n")?)))
    .collect::<Result<_, StoreError>>()?;
    let mut hours: HashMap<Uuid, Vec<OpeningHours>> = HashMap::new();
    for r in sqlx::query("SELECT location_id, weekday, opens_min, closes_min FROM opening_hours")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
    {
        let weekday: i64 = get(&r, "weekday")?;
        let day = time::Weekday::Monday.nth_next(u8::try_from(weekday - 1).unwrap_or(0) % 7);
        let minutes = |c: &str| -> Result<u16, StoreError> {
            u16::try_from(get::<i64>(&r, c)?).map_err(|_| StoreError::Backend("bad hours".into()))
        };
        let h = OpeningHours::new(day, minutes("opens_min")?, minutes("closes_min")?)?;
        hours.entry(get(&r, "location_id")?).or_default().push(h);
    }
    let locations = sqlx::query(
        "SELECT id, code, kind, name_zh, name_en, address_zh, address_en, lat_e6, lng_e6, bays
         FROM locations ORDER BY code",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?
    .iter()
    .map(|r| {
        let id: Uuid = get(r, "id")?;
        let kind: String = get(r, "kind")?;
        let coord = |c: &str| -> Result<i32, StoreError> {
            i32::try_from(get::<i64>(r, c)?)
                .map_err(|_| StoreError::Backend("bad coordinate".into()))
        };
        Ok(LocationInfo {
            id: StoreId::from(id),
            code: get(r, "code")?,
            name_zh: get(r, "name_zh")?,
            name_en: get(r, "name_en")?,
            address_zh: get(r, "address_zh")?,
            address_en: get(r, "address_en")?,
            is_warehouse: kind == "warehouse",
            geo: GeoPoint::new(coord("lat_e6")?, coord("lng_e6")?)?,
            bays: u32::try_from(get::<i64>(r, "bays")?).unwrap_or(0),
            technicians: u32::try_from(techs.get(&id).copied().unwrap_or(0)).unwrap_or(0),
            hours: hours.remove(&id).unwrap_or_default(),
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;

    let mut net = Network {
        locations,
        ..Network::default()
    };
    if parts.is_empty() {
        return Ok(net);
    }
    let list = placeholders(1, parts.len());
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT location_id, part_id, on_hand_milli, reserved_milli FROM stock WHERE part_id IN ({list})"
    )));
    for p in parts {
        q = q.bind(p.as_uuid());
    }
    for r in q.fetch_all(&mut *conn).await.map_err(db_err)? {
        let level = StockLevel::new(
            milli(get(&r, "on_hand_milli")?)?,
            milli(get(&r, "reserved_milli")?)?,
        )?;
        net.stock.insert(
            (
                StoreId::from(get::<Uuid>(&r, "location_id")?),
                PartId::from(get::<Uuid>(&r, "part_id")?),
            ),
            level,
        );
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, location_id, part_id, quantity_milli - reserved_milli AS free_milli, eta
         FROM inbound_shipments WHERE part_id IN ({list}) AND quantity_milli > reserved_milli"
    )));
    for p in parts {
        q = q.bind(p.as_uuid());
    }
    for r in q.fetch_all(&mut *conn).await.map_err(db_err)? {
        net.inbound.push((
            StoreId::from(get::<Uuid>(&r, "location_id")?),
            Inbound {
                shipment: ShipmentId::from(get::<Uuid>(&r, "id")?),
                part: PartId::from(get::<Uuid>(&r, "part_id")?),
                available_milli: milli(get(&r, "free_milli")?)?,
                eta: get::<DbTime>(&r, "eta")?.0,
            },
        ));
    }
    Ok(net)
}

pub async fn slot_loads(
    conn: &mut Conn,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<(StoreId, Load)>, StoreError> {
    let rows = sqlx::query(
        "SELECT store_id, step_start, booked FROM slot_load
         WHERE step_start >= $1 AND step_start < $2 AND booked > 0 ORDER BY store_id",
    )
    .bind(DbTime(from))
    .bind(DbTime(to))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut out: Vec<(StoreId, Load)> = Vec::new();
    for r in rows {
        let store = StoreId::from(get::<Uuid>(&r, "store_id")?);
        if out.last().map(|(s, _)| *s) != Some(store) {
            out.push((store, Load::new()));
        }
        if let Some((_, load)) = out.last_mut() {
            let step = get::<DbTime>(&r, "step_start")?
                .0
                .to_offset(time::UtcOffset::UTC);
            load.insert(step, u32::try_from(get::<i64>(&r, "booked")?).unwrap_or(0));
        }
    }
    Ok(out)
}

/// A short reference a person can read out at the counter, e.g. `BK-7Q4M2X9C`.
fn reference(id: OrderId) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut n = id.as_uuid().as_u128();
    let mut s = String::from("BK-");
    for _ in 0..8 {
        s.push(char::from(ALPHABET[(n % ALPHABET.len() as u128) as usize]));
        n /= ALPHABET.len() as u128;
    }
    s
}

/// What a booking holds, for writing the guards and the reservation rows.
struct Hold {
    part: PartId,
    quantity: Quantity,
    location: Option<StoreId>,
    shipment: Option<ShipmentId>,
}

/// The booking itself, inside the caller's write transaction. Returns the booking and the
/// event to announce after commit (`None` when a retry replays an earlier booking).
pub async fn book_in_tx(
    conn: &mut Conn,
    customer: CustomerId,
    req: &BookingRequest,
    limits: &domain::BookingLimits,
    now: OffsetDateTime,
    lock_rows: &str,
) -> Result<(Booking, Option<LiveEvent>), StoreError> {
    // One customer's bookings are decided one after the other (on PostgreSQL by the lock
    // on their row; on SQLite every write transaction is): a retry then finds the
    // first attempt's booking, and two bookings cannot both take the last place under
    // the cap.
    lock_customer(conn, customer, lock_rows).await?;
    // A retry of a request already done gets its first result.
    let earlier = sqlx::query(
        "SELECT id, request_fingerprint FROM orders WHERE customer_id = $1 AND idempotency_key = $2",
    )
    .bind(customer.as_uuid())
    .bind(req.idempotency_key.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    if let Some(r) = earlier {
        let fingerprint: Option<String> = get(&r, "request_fingerprint")?;
        if fingerprint.as_deref() != Some(req.fingerprint().as_str()) {
            return Err(domain::Error::IdempotencyKeyReused.into());
        }
        let id = OrderId::from(get::<Uuid>(&r, "id")?);
        return Ok((booking(conn, customer, id).await?, None));
    }

    let vehicle = shared::vehicle(conn, customer, req.vehicle).await?;
    let service = shared::services(conn)
        .await?
        .into_iter()
        .find(|s| s.id == req.service)
        .ok_or(StoreError::NotFound)?;
    let needs = service_parts(conn, vehicle.model.id)
        .await?
        .into_iter()
        .find(|(s, _)| *s == req.service)
        .map(|(_, needs)| needs)
        .unwrap_or(Ok(Vec::new()))?;
    let pairs: Vec<(PartId, Quantity)> = needs.iter().map(|n| (n.part, n.quantity)).collect();

    let list = shared::load_list(conn, now, false).await?.list;
    let policies = discount_policies(conn).await?;
    let tier = customer_tier(conn, customer).await?;
    let priced = domain::breakdown::breakdown(&list, req.service, &pairs, tier, &policies, now)?;
    priced.check_total(req.expected_total)?;

    let parts: Vec<PartId> = pairs.iter().map(|(p, _)| *p).collect();
    let net = network(conn, &parts).await?;
    let store = net
        .stores()
        .find(|l| l.id == req.store)
        .cloned()
        .ok_or(StoreError::NotFound)?;
    let ready = net.readiness_at(&store, &pairs, &DeliverySchedule::default(), now);
    // The picker offered this store because the parts could be had; if they cannot be
    // any more, someone else just took them.
    let ready_at = ready.ready_at.ok_or(domain::Error::OutOfStock)?;
    let duration = u16::try_from(service.duration_min).unwrap_or(u16::MAX);
    let end = slots::steps(req.start, duration)
        .last()
        .map(|s| *s + time::Duration::minutes(i64::from(slots::STEP_MIN)))
        .unwrap_or(req.start);
    // The customer's limits first: "too far ahead" is the answer for day 400, whatever
    // the store's hours that day.
    let open = open_bookings(conn, customer, now).await?;
    limits.check(now, req.vehicle, req.start, end, &open)?;
    slots::check_start(&store.hours, req.start, duration, ready_at.max(now))?;
    let capacity = store.capacity();
    if capacity == 0 {
        return Err(domain::Error::SlotUnavailable.into());
    }

    // Parts first, in a fixed order, each guarded by what is available.
    let mut holds: Vec<Hold> = ready
        .parts
        .iter()
        .map(|p| {
            let (location, shipment) = match p.supply {
                Supply::Now => (Some(store.id), None),
                Supply::Transfer { from, .. } => (Some(from), None),
                Supply::Arriving { shipment, .. } => (None, Some(shipment)),
                Supply::Unobtainable => (None, None),
            };
            Hold {
                part: p.part,
                quantity: p.quantity,
                location,
                shipment,
            }
        })
        .collect();
    holds.sort_by_key(|h| (h.shipment, h.location, h.part));
    for h in &holds {
        let q = i64::from(h.quantity.milli());
        let done = match (h.location, h.shipment) {
            (Some(location), _) => sqlx::query(
                "UPDATE stock SET reserved_milli = reserved_milli + $1
                 WHERE location_id = $2 AND part_id = $3 AND on_hand_milli - reserved_milli >= $1",
            )
            .bind(q)
            .bind(location.as_uuid())
            .bind(h.part.as_uuid()),
            (None, Some(shipment)) => sqlx::query(
                "UPDATE inbound_shipments SET reserved_milli = reserved_milli + $1
                 WHERE id = $2 AND part_id = $3 AND quantity_milli - reserved_milli >= $1",
            )
            .bind(q)
            .bind(shipment.as_uuid())
            .bind(h.part.as_uuid()),
            (None, None) => return Err(domain::Error::PartsUnobtainable.into()),
        }
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(domain::Error::OutOfStock.into());
        }
    }

    // Then one capacity unit in every step, only while the step has one left.
    for step in slots::steps(req.start, duration) {
        let done = sqlx::query(
            "INSERT INTO slot_load (store_id, step_start, booked) VALUES ($1, $2, 1)
             ON CONFLICT (store_id, step_start)
             DO UPDATE SET booked = slot_load.booked + 1 WHERE slot_load.booked < $3",
        )
        .bind(store.id.as_uuid())
        .bind(DbTime(step))
        .bind(i64::from(capacity))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(domain::Error::SlotUnavailable.into());
        }
    }

    let id = OrderId::new();
    sqlx::query(
        "INSERT INTO orders (id, reference, customer_id, vehicle_id, store_id, channel, status,
            price_list_version, total_fen, mileage_km, created_at, scheduled_start, scheduled_end,
            idempotency_key, request_fingerprint)
         VALUES ($1, $2, $3, $4, $5, 'online', 'booked', $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id.as_uuid())
    .bind(reference(id))
    .bind(customer.as_uuid())
    .bind(vehicle.id.as_uuid())
    .bind(store.id.as_uuid())
    .bind(i64::from(priced.price_list_version))
    .bind(priced.total.fen())
    .bind(i64::from(vehicle.mileage.km()))
    .bind(DbTime(now))
    .bind(DbTime(req.start))
    .bind(DbTime(end))
    .bind(req.idempotency_key.as_str())
    .bind(req.fingerprint())
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    for (no, line) in std::iter::once(&priced.labour)
        .chain(&priced.parts)
        .enumerate()
    {
        let (kind, item) = crate::storage::item_key(line.item);
        sqlx::query(
            "INSERT INTO order_lines (order_id, line_no, item_kind, item_id, quantity_milli, unit_price_fen, total_fen)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.as_uuid())
        .bind(no as i64 + 1)
        .bind(kind)
        .bind(item)
        .bind(i64::from(line.quantity.milli()))
        .bind(line.unit_price.fen())
        .bind(line.total.fen())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    for (no, d) in priced.discounts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO order_discounts (order_id, line_no, policy_id, name_zh, name_en, amount_fen)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.as_uuid())
        .bind(no as i64 + 1)
        .bind(d.policy.as_uuid())
        .bind(&d.name_zh)
        .bind(&d.name_en)
        .bind(d.amount.fen())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    for h in &holds {
        sqlx::query(
            "INSERT INTO reservations (order_id, part_id, location_id, shipment_id, quantity_milli)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.as_uuid())
        .bind(h.part.as_uuid())
        .bind(h.location.map(|l| l.as_uuid()))
        .bind(h.shipment.map(|s| s.as_uuid()))
        .bind(i64::from(h.quantity.milli()))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    let mut stores: Vec<StoreId> = std::iter::once(store.id)
        .chain(holds.iter().filter_map(|h| h.location))
        .collect();
    stores.sort();
    stores.dedup();
    let event = LiveEvent::AvailabilityChanged { stores };
    announce(conn, &event, now).await?;
    Ok((booking(conn, customer, id).await?, Some(event)))
}

/// Locks the customer's row until the transaction ends (a no-op on SQLite, where
/// `lock_rows` is empty and the write transaction already excludes every other).
async fn lock_customer(
    conn: &mut Conn,
    customer: CustomerId,
    lock_rows: &str,
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM customers WHERE id = $1{lock_rows}"
    )))
    .bind(customer.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    Ok(())
}

/// The customer's bookings that are not over, for [`domain::BookingLimits::check`].
async fn open_bookings(
    conn: &mut Conn,
    customer: CustomerId,
    now: OffsetDateTime,
) -> Result<Vec<domain::OpenBooking>, StoreError> {
    let rows = sqlx::query(
        "SELECT vehicle_id, status, scheduled_start, scheduled_end FROM orders
         WHERE customer_id = $1 AND scheduled_start IS NOT NULL AND scheduled_end > $2",
    )
    .bind(customer.as_uuid())
    .bind(DbTime(now))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut open = Vec::new();
    for r in &rows {
        let status: String = get(r, "status")?;
        let status = OrderStatus::parse(&status)
            .ok_or_else(|| StoreError::Backend(format!("unknown order status {status:?}")))?;
        // Which orders still hold a place is the domain's rule, not the query's.
        if status.is_open() {
            open.push(domain::OpenBooking {
                vehicle: VehicleId::from(get::<Uuid>(r, "vehicle_id")?),
                start: get::<DbTime>(r, "scheduled_start")?.0,
                end: get::<DbTime>(r, "scheduled_end")?.0,
            });
        }
    }
    Ok(open)
}

async fn announce(
    conn: &mut Conn,
    event: &LiveEvent,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let payload = serde_json::to_string(event).map_err(|e| StoreError::Backend(e.to_string()))?;
    shared::append_event(conn, "availability_changed", &payload, now).await
}

const BOOKING_SELECT: &str =
    "SELECT o.id, o.reference, o.status, o.store_id, l.name_zh AS store_zh, l.name_en AS store_en,
        v.plate, o.scheduled_start, o.scheduled_end, o.price_list_version, o.total_fen
 FROM orders o
 JOIN locations l ON l.id = o.store_id
 JOIN vehicles v ON v.id = o.vehicle_id";

async fn booking_from(conn: &mut Conn, r: &DbRow) -> Result<Booking, StoreError> {
    let id: Uuid = get(r, "id")?;
    let status: String = get(r, "status")?;
    let start: Option<DbTime> = get(r, "scheduled_start")?;
    let end: Option<DbTime> = get(r, "scheduled_end")?;
    let (Some(start), Some(end)) = (start, end) else {
        return Err(StoreError::NotFound);
    };
    let lines = sqlx::query(
        "SELECT ol.item_kind, ol.item_id, ol.quantity_milli, ol.unit_price_fen, ol.total_fen,
                s.name_zh, s.name_en
         FROM order_lines ol LEFT JOIN services s ON s.id = ol.item_id AND ol.item_kind = 'service'
         WHERE ol.order_id = $1 ORDER BY ol.line_no",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut labour: Option<(Line, String, String)> = None;
    let mut parts = Vec::new();
    for l in &lines {
        let kind: String = get(l, "item_kind")?;
        let item = crate::storage::item_from_key(&kind, get(l, "item_id")?)?;
        let line = Line {
            item,
            quantity: quantity(get(l, "quantity_milli")?)?,
            unit_price: Money::from_fen(get(l, "unit_price_fen")?),
            total: Money::from_fen(get(l, "total_fen")?),
        };
        match item {
            PricedItem::Service(_) if labour.is_none() => {
                labour = Some((
                    line,
                    get::<Option<String>>(l, "name_zh")?.unwrap_or_default(),
                    get::<Option<String>>(l, "name_en")?.unwrap_or_default(),
                ));
            }
            _ => parts.push(line),
        }
    }
    let (labour, service_zh, service_en) =
        labour.ok_or_else(|| StoreError::Backend("booking without a service line".into()))?;
    let service = match labour.item {
        PricedItem::Service(s) => s,
        PricedItem::Part(_) => return Err(StoreError::Backend("labour line is a part".into())),
    };
    let discounts = sqlx::query(
        "SELECT policy_id, name_zh, name_en, amount_fen FROM order_discounts WHERE order_id = $1 ORDER BY line_no",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?
    .iter()
    .map(|d| {
        Ok(AppliedDiscount {
            policy: PolicyId::from(get::<Uuid>(d, "policy_id")?),
            name_zh: get(d, "name_zh")?,
            name_en: get(d, "name_en")?,
            amount: Money::from_fen(get(d, "amount_fen")?),
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    let subtotal = Money::sum(std::iter::once(labour.total).chain(parts.iter().map(|l| l.total)))?;
    let version: i64 = get(r, "price_list_version")?;
    Ok(Booking {
        id: OrderId::from(id),
        reference: get(r, "reference")?,
        status: OrderStatus::parse(&status)
            .ok_or_else(|| StoreError::Backend(format!("unknown status {status:?}")))?,
        store: StoreId::from(get::<Uuid>(r, "store_id")?),
        store_zh: get(r, "store_zh")?,
        store_en: get(r, "store_en")?,
        plate: get(r, "plate")?,
        service_zh,
        service_en,
        start: start.0,
        end: end.0,
        breakdown: Breakdown {
            service,
            price_list_version: u32::try_from(version).unwrap_or(0),
            labour,
            parts,
            subtotal,
            discounts,
            total: Money::from_fen(get(r, "total_fen")?),
        },
    })
}

pub async fn booking(
    conn: &mut Conn,
    customer: CustomerId,
    order: OrderId,
) -> Result<Booking, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{BOOKING_SELECT} WHERE o.id = $1 AND o.customer_id = $2"
    )))
    .bind(order.as_uuid())
    .bind(customer.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    booking_from(conn, &row).await
}

pub async fn bookings(conn: &mut Conn, customer: CustomerId) -> Result<Vec<Booking>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{BOOKING_SELECT} WHERE o.customer_id = $1 AND o.scheduled_start IS NOT NULL
         ORDER BY o.created_at DESC, o.id DESC"
    )))
    .bind(customer.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(booking_from(conn, r).await?);
    }
    Ok(out)
}

/// Cancels inside the caller's write transaction (`lock` as in `shared::add_vehicle`).
pub async fn cancel_in_tx(
    conn: &mut Conn,
    customer: CustomerId,
    order: OrderId,
    now: OffsetDateTime,
    lock: &str,
) -> Result<(Booking, LiveEvent), StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT status, store_id, scheduled_start, scheduled_end FROM orders
         WHERE id = $1 AND customer_id = $2{lock}"
    )))
    .bind(order.as_uuid())
    .bind(customer.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    let status: String = get(&row, "status")?;
    let status = OrderStatus::parse(&status)
        .ok_or_else(|| StoreError::Backend(format!("unknown status {status:?}")))?;
    status.cancel()?;
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

    let holds = sqlx::query(
        "SELECT part_id, location_id, shipment_id, quantity_milli FROM reservations
         WHERE order_id = $1 AND released_at IS NULL ORDER BY shipment_id, location_id, part_id",
    )
    .bind(order.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut stores = vec![store];
    for h in &holds {
        let part: Uuid = get(h, "part_id")?;
        let q: i64 = get(h, "quantity_milli")?;
        let location: Option<Uuid> = get(h, "location_id")?;
        let shipment: Option<Uuid> = get(h, "shipment_id")?;
        let done = match (location, shipment) {
            (Some(l), _) => {
                stores.push(StoreId::from(l));
                sqlx::query(
                    "UPDATE stock SET reserved_milli = reserved_milli - $1
                     WHERE location_id = $2 AND part_id = $3 AND reserved_milli >= $1",
                )
                .bind(q)
                .bind(l)
                .bind(part)
            }
            (None, Some(s)) => sqlx::query(
                "UPDATE inbound_shipments SET reserved_milli = reserved_milli - $1
                 WHERE id = $2 AND part_id = $3 AND reserved_milli >= $1",
            )
            .bind(q)
            .bind(s)
            .bind(part),
            (None, None) => return Err(StoreError::Backend("reservation without a source".into())),
        }
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Backend(format!(
                "reservation of order {order} does not match stock"
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
    let minutes = u16::try_from((end.0 - start.0).whole_minutes()).unwrap_or(0);
    for step in slots::steps(start.0, minutes) {
        sqlx::query(
            "UPDATE slot_load SET booked = booked - 1
             WHERE store_id = $1 AND step_start = $2 AND booked > 0",
        )
        .bind(store.as_uuid())
        .bind(DbTime(step))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    stores.sort();
    stores.dedup();
    let event = LiveEvent::AvailabilityChanged { stores };
    announce(conn, &event, now).await?;
    Ok((booking(conn, customer, order).await?, event))
}

/// The demo's discount policies and shipments on their way, loaded with the demo data.
/// Shipments get ETAs from `now`, so a fresh demo always has stock "arriving".
pub async fn seed_demo_extras(conn: &mut Conn, now: OffsetDateTime) -> Result<(), StoreError> {
    let at = crate::demo::SETUP_MS;
    let policy = |n: u64, name_zh: &str, name_en: &str, rule: PolicyRule| DiscountPolicy {
        id: PolicyId::from(domain::deterministic_v7(at, 9_000 + n)),
        name_zh: name_zh.to_owned(),
        name_en: name_en.to_owned(),
        rule,
    };
    let oil_change: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM services WHERE code = 'OIL_CHANGE'")
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
    let mut policies = vec![
        policy(
            1,
            "金卡会员工时九折",
            "Gold members: 10% off labour",
            PolicyRule::tier_labour_percent(Tier::Gold, Percent::new(10)?),
        ),
        policy(
            2,
            "银卡会员工时九五折",
            "Silver members: 5% off labour",
            PolicyRule::tier_labour_percent(Tier::Silver, Percent::new(5)?),
        ),
    ];
    if let Some(oil) = oil_change {
        policies.push(policy(
            3,
            "冬季保养季 换机油立减 30 元",
            "Winter service season: ¥30 off an oil change",
            PolicyRule::campaign_amount_off(
                ServiceId::from(oil),
                Money::from_fen(3_000),
                time::macros::datetime!(2026-11-01 00:00 +8),
                time::macros::datetime!(2027-03-01 00:00 +8),
            )?,
        ));
    }
    for p in &policies {
        insert_policy(conn, p, "demo", now).await?;
    }

    // Empty store shelves get a shipment on its way: 5, 10 or 15 hours out.
    let empty = sqlx::query(
        "SELECT s.location_id, s.part_id FROM stock s JOIN locations l ON l.id = s.location_id
         WHERE l.kind = 'store' AND s.on_hand_milli = 0 ORDER BY l.code, s.part_id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    for (i, r) in empty.iter().enumerate() {
        let hours = 5 * (i as i64 % 3 + 1);
        sqlx::query(
            "INSERT INTO inbound_shipments (id, location_id, part_id, quantity_milli, reserved_milli, eta)
             VALUES ($1, $2, $3, $4, 0, $5)",
        )
        .bind(domain::deterministic_v7(at, 10_000 + i as u64))
        .bind(get::<Uuid>(r, "location_id")?)
        .bind(get::<Uuid>(r, "part_id")?)
        .bind(20_000i64)
        .bind(DbTime(now + time::Duration::hours(hours)))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}
