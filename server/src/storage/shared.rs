//! Queries written once for both dialects. Each backend includes this file as a module
//! next to its own `type Db`, so every function here is compiled (and type-checked)
//! for SQLite and for PostgreSQL.

use app::account::{Me, Realm};
use app::garage::{HistoryEntry, ModelInfo, Vehicle};
use app::pricing::{PricePoint, ServiceInfo};
use app::store::StoreError;
use domain::{
    CustomerId, Mileage, ModelId, Money, OrderId, OrderStatus, PersonName, Phone, Plate, PriceList,
    PricedItem, Principal, ServiceCategory, ServiceId, StaffId, StaffRole, StoreId, VehicleId,
};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::Db;
use crate::storage::{db_err, item_from_key, item_key, DbTime};

pub type Conn = <Db as sqlx::Database>::Connection;

fn money(fen: i64) -> Money {
    Money::from_fen(fen)
}

fn version_u32(v: i64) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| StoreError::Backend(format!("version out of range: {v}")))
}

pub async fn ping(conn: &mut Conn) -> Result<(), StoreError> {
    sqlx::query("SELECT 1")
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub async fn services(conn: &mut Conn) -> Result<Vec<ServiceInfo>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, code, category, name_zh, name_en, description_zh, description_en, duration_min
         FROM services ORDER BY sort_order, code",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.into_iter()
        .map(|r| {
            let category: String = r.try_get("category").map_err(db_err)?;
            let duration: i64 = r.try_get("duration_min").map_err(db_err)?;
            Ok(ServiceInfo {
                id: ServiceId::from(r.try_get::<Uuid, _>("id").map_err(db_err)?),
                code: r.try_get("code").map_err(db_err)?,
                category: ServiceCategory::parse(&category).ok_or_else(|| {
                    StoreError::Backend(format!("unknown service category {category:?}"))
                })?,
                name_zh: r.try_get("name_zh").map_err(db_err)?,
                name_en: r.try_get("name_en").map_err(db_err)?,
                description_zh: r.try_get("description_zh").map_err(db_err)?,
                description_en: r.try_get("description_en").map_err(db_err)?,
                duration_min: u32::try_from(duration).unwrap_or(0),
            })
        })
        .collect()
}

/// A stored price-list version with its row id.
pub struct StoredList {
    pub id: Uuid,
    pub list: PriceList,
}

/// The newest version effective at `at` (`latest_only` ignores `at`: publishing builds on
/// the newest version even if it starts in the future).
pub async fn load_list(
    conn: &mut Conn,
    at: OffsetDateTime,
    latest_only: bool,
) -> Result<StoredList, StoreError> {
    let head = if latest_only {
        sqlx::query(
            "SELECT id, version, effective_from FROM price_list_versions
             ORDER BY version DESC LIMIT 1",
        )
        .fetch_optional(&mut *conn)
        .await
    } else {
        sqlx::query(
            "SELECT id, version, effective_from FROM price_list_versions
             WHERE effective_from <= $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(DbTime(at))
        .fetch_optional(&mut *conn)
        .await
    }
    .map_err(db_err)?;
    // A database without demo data or an import has no price list yet: that is an
    // empty list (version 0, nothing on sale), not an error.
    let Some(head) = head else {
        return Ok(StoredList {
            id: Uuid::nil(),
            list: PriceList::new(0, OffsetDateTime::UNIX_EPOCH, []),
        });
    };
    let id: Uuid = head.try_get("id").map_err(db_err)?;
    let version = version_u32(head.try_get("version").map_err(db_err)?)?;
    let effective_from = head
        .try_get::<DbTime, _>("effective_from")
        .map_err(db_err)?
        .0;

    let rows =
        sqlx::query("SELECT item_kind, item_id, price_fen FROM prices WHERE version_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
    let mut prices = Vec::with_capacity(rows.len());
    for r in rows {
        let kind: String = r.try_get("item_kind").map_err(db_err)?;
        let item = item_from_key(&kind, r.try_get("item_id").map_err(db_err)?)?;
        prices.push((item, money(r.try_get("price_fen").map_err(db_err)?)));
    }
    Ok(StoredList {
        id,
        list: PriceList::new(version, effective_from, prices),
    })
}

/// Writes `next` as a new version copied from `from`, with `item`'s price replaced.
/// Returns the id of the new version.
pub async fn insert_next_version(
    conn: &mut Conn,
    from: Uuid,
    next: &PriceList,
    item: PricedItem,
    published_by: &str,
    now: OffsetDateTime,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO price_list_versions (id, version, effective_from, published_at, published_by, note)
         VALUES ($1, $2, $3, $4, $5, '')",
    )
    .bind(id)
    .bind(i64::from(next.version))
    .bind(DbTime(next.effective_from))
    .bind(DbTime(now))
    .bind(published_by)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "INSERT INTO prices (version_id, item_kind, item_id, price_fen)
         SELECT $1, item_kind, item_id, price_fen FROM prices WHERE version_id = $2",
    )
    .bind(id)
    .bind(from)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    let (kind, item_id) = item_key(item);
    let price = next.price_of(item)?;
    let updated = sqlx::query(
        "UPDATE prices SET price_fen = $1 WHERE version_id = $2 AND item_kind = $3 AND item_id = $4",
    )
    .bind(price.fen())
    .bind(id)
    .bind(kind)
    .bind(item_id)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::Backend(format!(
            "price row missing in version {}",
            next.version
        )));
    }
    Ok(id)
}

/// Appends an outbox row in the caller's transaction.
pub async fn append_event(
    conn: &mut Conn,
    kind: &str,
    payload: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO events (kind, payload, created_at) VALUES ($1, $2, $3)")
        .bind(kind)
        .bind(payload)
        .bind(DbTime(now))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub async fn price_history(
    conn: &mut Conn,
    item: PricedItem,
) -> Result<Vec<PricePoint>, StoreError> {
    let (kind, id) = item_key(item);
    let rows = sqlx::query(
        "SELECT v.version, v.effective_from, p.price_fen
         FROM prices p JOIN price_list_versions v ON v.id = p.version_id
         WHERE p.item_kind = $1 AND p.item_id = $2
         ORDER BY v.version DESC",
    )
    .bind(kind)
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.into_iter()
        .map(|r| {
            Ok(PricePoint {
                version: version_u32(r.try_get("version").map_err(db_err)?)?,
                effective_from: r.try_get::<DbTime, _>("effective_from").map_err(db_err)?.0,
                price: money(r.try_get("price_fen").map_err(db_err)?),
            })
        })
        .collect()
}

/// Whether any price list exists (the demo data is loaded only into an empty database).
pub async fn has_price_list(conn: &mut Conn) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM price_list_versions")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(n > 0)
}

/// The publish itself, inside the caller's write transaction: reads the newest version,
/// lets `domain` derive the next one, writes it and its outbox row.
pub async fn publish_in_tx(
    conn: &mut Conn,
    item: PricedItem,
    price: Money,
    published_by: &str,
    now: OffsetDateTime,
) -> Result<(PriceList, app::live::LiveEvent), StoreError> {
    let current = load_list(conn, now, true).await?;
    let next = current.list.publish(item, price, now)?;
    insert_next_version(conn, current.id, &next, item, published_by, now).await?;
    let event = app::live::LiveEvent::PriceListPublished {
        version: next.version,
        item,
        price,
    };
    let payload = serde_json::to_string(&event).map_err(|e| StoreError::Backend(e.to_string()))?;
    append_event(conn, "price_list_published", &payload, now).await?;
    Ok((next, event))
}

// ---- accounts ----

pub async fn create_customer(
    conn: &mut Conn,
    phone: &Phone,
    name: &PersonName,
    password_hash: &str,
    now: OffsetDateTime,
) -> Result<CustomerId, StoreError> {
    let id = CustomerId::new();
    // A name is written as the person gave it; both columns hold it.
    sqlx::query(
        "INSERT INTO customers (id, phone, name_zh, name_en, tier, marketing_opt_out, created_at, password_hash)
         VALUES ($1, $2, $3, $3, 'standard', FALSE, $4, $5)",
    )
    .bind(id.as_uuid())
    .bind(phone.as_str())
    .bind(name.as_str())
    .bind(DbTime(now))
    .bind(password_hash)
    .execute(&mut *conn)
    .await
    .map_err(|e| match db_err(e) {
        StoreError::Conflict(_) => StoreError::Rule(domain::Error::PhoneTaken),
        other => other,
    })?;
    Ok(id)
}

pub async fn credentials(
    conn: &mut Conn,
    realm: Realm,
    phone: &Phone,
) -> Result<Option<(Principal, Option<String>)>, StoreError> {
    match realm {
        Realm::Customer => {
            let row = sqlx::query("SELECT id, password_hash FROM customers WHERE phone = $1")
                .bind(phone.as_str())
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_err)?;
            row.map(|r| {
                Ok((
                    Principal::Customer {
                        id: r.try_get::<Uuid, _>("id").map_err(db_err)?.into(),
                    },
                    r.try_get("password_hash").map_err(db_err)?,
                ))
            })
            .transpose()
        }
        Realm::Staff => {
            let row = sqlx::query(
                "SELECT id, role, location_id, password_hash FROM staff WHERE phone = $1",
            )
            .bind(phone.as_str())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
            row.map(|r| {
                let role: String = r.try_get("role").map_err(db_err)?;
                Ok((
                    staff_principal(
                        r.try_get("id").map_err(db_err)?,
                        &role,
                        r.try_get("location_id").map_err(db_err)?,
                    )?,
                    r.try_get("password_hash").map_err(db_err)?,
                ))
            })
            .transpose()
        }
    }
}

fn staff_principal(id: Uuid, role: &str, location: Option<Uuid>) -> Result<Principal, StoreError> {
    Ok(Principal::Staff {
        id: StaffId::from(id),
        role: StaffRole::parse(role)
            .ok_or_else(|| StoreError::Backend(format!("unknown staff role {role:?}")))?,
        location: location.map(StoreId::from),
    })
}

pub async fn create_session(
    conn: &mut Conn,
    token_hash: &str,
    principal: &Principal,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), StoreError> {
    let (customer, staff) = match principal {
        Principal::Customer { id } => (Some(id.as_uuid()), None),
        Principal::Staff { id, .. } => (None, Some(id.as_uuid())),
    };
    sqlx::query(
        "INSERT INTO sessions (token_hash, customer_id, staff_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(customer)
    .bind(staff)
    .bind(DbTime(now))
    .bind(DbTime(expires_at))
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

pub async fn session(
    conn: &mut Conn,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<Me>, StoreError> {
    let row = sqlx::query(
        "SELECT s.customer_id, s.staff_id,
                c.name_zh AS c_zh, c.name_en AS c_en,
                st.name_zh AS s_zh, st.name_en AS s_en, st.role, st.location_id
         FROM sessions s
         LEFT JOIN customers c ON c.id = s.customer_id
         LEFT JOIN staff st ON st.id = s.staff_id
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(DbTime(now))
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let Some(r) = row else {
        return Ok(None);
    };
    let customer: Option<Uuid> = r.try_get("customer_id").map_err(db_err)?;
    let staff: Option<Uuid> = r.try_get("staff_id").map_err(db_err)?;
    let me = match (customer, staff) {
        (Some(id), _) => Me {
            principal: Principal::Customer { id: id.into() },
            name_zh: r.try_get("c_zh").map_err(db_err)?,
            name_en: r.try_get("c_en").map_err(db_err)?,
        },
        (None, Some(id)) => {
            let role: String = r.try_get("role").map_err(db_err)?;
            Me {
                principal: staff_principal(id, &role, r.try_get("location_id").map_err(db_err)?)?,
                name_zh: r.try_get("s_zh").map_err(db_err)?,
                name_en: r.try_get("s_en").map_err(db_err)?,
            }
        }
        (None, None) => return Err(StoreError::Backend("session without a person".into())),
    };
    Ok(Some(me))
}

pub async fn end_session(
    conn: &mut Conn,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2")
        .bind(token_hash)
        .bind(DbTime(now))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

// ---- garage ----

const MODEL_COLUMNS: &str =
    "m.id AS model_id, m.code AS model_code, m.brand_zh, m.brand_en, m.name_zh AS model_zh, m.name_en AS model_en, m.powertrain";

fn model_from(r: &<Db as sqlx::Database>::Row) -> Result<ModelInfo, StoreError> {
    Ok(ModelInfo {
        id: ModelId::from(r.try_get::<Uuid, _>("model_id").map_err(db_err)?),
        code: r.try_get("model_code").map_err(db_err)?,
        brand_zh: r.try_get("brand_zh").map_err(db_err)?,
        brand_en: r.try_get("brand_en").map_err(db_err)?,
        name_zh: r.try_get("model_zh").map_err(db_err)?,
        name_en: r.try_get("model_en").map_err(db_err)?,
        powertrain: r.try_get("powertrain").map_err(db_err)?,
    })
}

fn vehicle_from(r: &<Db as sqlx::Database>::Row) -> Result<Vehicle, StoreError> {
    let plate: String = r.try_get("plate").map_err(db_err)?;
    let km: i64 = r.try_get("mileage_km").map_err(db_err)?;
    Ok(Vehicle {
        id: VehicleId::from(r.try_get::<Uuid, _>("id").map_err(db_err)?),
        plate: Plate::parse(&plate)
            .map_err(|_| StoreError::Backend(format!("stored plate {plate:?} is invalid")))?,
        model: model_from(r)?,
        mileage: u32::try_from(km)
            .ok()
            .and_then(|km| Mileage::from_km(km).ok())
            .ok_or_else(|| StoreError::Backend(format!("stored mileage {km} is invalid")))?,
    })
}

pub async fn vehicle_models(conn: &mut Conn) -> Result<Vec<ModelInfo>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {MODEL_COLUMNS} FROM vehicle_models m ORDER BY m.brand_en, m.name_en"
    )))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter().map(model_from).collect()
}

pub async fn vehicles(conn: &mut Conn, customer: CustomerId) -> Result<Vec<Vehicle>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT v.id, v.plate, v.mileage_km, {MODEL_COLUMNS}
         FROM vehicles v JOIN vehicle_models m ON m.id = v.model_id
         WHERE v.customer_id = $1 AND v.removed_at IS NULL
         ORDER BY v.created_at, v.id"
    )))
    .bind(customer.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter().map(vehicle_from).collect()
}

/// One vehicle in `customer`'s garage, or [`StoreError::NotFound`].
pub async fn vehicle(
    conn: &mut Conn,
    customer: CustomerId,
    vehicle: VehicleId,
) -> Result<Vehicle, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT v.id, v.plate, v.mileage_km, {MODEL_COLUMNS}
         FROM vehicles v JOIN vehicle_models m ON m.id = v.model_id
         WHERE v.id = $1 AND v.customer_id = $2 AND v.removed_at IS NULL"
    )))
    .bind(vehicle.as_uuid())
    .bind(customer.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    row.as_ref()
        .map(vehicle_from)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// Adds or restores a vehicle, inside the caller's write transaction (`lock` is
/// `" FOR UPDATE"` on PostgreSQL, empty on SQLite, whose write transaction already
/// excludes every other writer).
pub async fn add_vehicle(
    conn: &mut Conn,
    customer: CustomerId,
    plate: &Plate,
    model: ModelId,
    mileage: Mileage,
    now: OffsetDateTime,
    lock: &str,
) -> Result<Vehicle, StoreError> {
    let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, customer_id, removed_at FROM vehicles WHERE plate = $1{lock}"
    )))
    .bind(plate.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let id = match existing {
        None => {
            let id = VehicleId::new();
            sqlx::query(
                "INSERT INTO vehicles (id, customer_id, model_id, plate, mileage_km, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.as_uuid())
            .bind(customer.as_uuid())
            .bind(model.as_uuid())
            .bind(plate.as_str())
            .bind(i64::from(mileage.km()))
            .bind(DbTime(now))
            .execute(&mut *conn)
            .await
            .map_err(|e| match db_err(e) {
                // Someone added the same plate a moment ago.
                StoreError::Conflict(_) => StoreError::Rule(domain::Error::PlateTaken),
                other => other,
            })?;
            id
        }
        Some(r) => {
            let id: Uuid = r.try_get("id").map_err(db_err)?;
            let owner: Uuid = r.try_get("customer_id").map_err(db_err)?;
            let removed: Option<DbTime> = r.try_get("removed_at").map_err(db_err)?;
            if owner != customer.as_uuid() && removed.is_none() {
                return Err(StoreError::Rule(domain::Error::PlateTaken));
            }
            // Back in the same garage, or in a new owner's after the old one removed it.
            sqlx::query(
                "UPDATE vehicles SET customer_id = $1, model_id = $2, mileage_km = $3, removed_at = NULL
                 WHERE id = $4",
            )
            .bind(customer.as_uuid())
            .bind(model.as_uuid())
            .bind(i64::from(mileage.km()))
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
            VehicleId::from(id)
        }
    };
    vehicle(conn, customer, id).await
}

pub async fn update_vehicle(
    conn: &mut Conn,
    customer: CustomerId,
    vehicle_id: VehicleId,
    model: ModelId,
    mileage: Mileage,
) -> Result<Vehicle, StoreError> {
    let done = sqlx::query(
        "UPDATE vehicles SET model_id = $1, mileage_km = $2
         WHERE id = $3 AND customer_id = $4 AND removed_at IS NULL",
    )
    .bind(model.as_uuid())
    .bind(i64::from(mileage.km()))
    .bind(vehicle_id.as_uuid())
    .bind(customer.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    vehicle(conn, customer, vehicle_id).await
}

pub async fn remove_vehicle(
    conn: &mut Conn,
    customer: CustomerId,
    vehicle_id: VehicleId,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE vehicles SET removed_at = $1
         WHERE id = $2 AND customer_id = $3 AND removed_at IS NULL",
    )
    .bind(DbTime(now))
    .bind(vehicle_id.as_uuid())
    .bind(customer.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn vehicle_history(
    conn: &mut Conn,
    customer: CustomerId,
    vehicle_id: VehicleId,
) -> Result<(Vehicle, Vec<HistoryEntry>), StoreError> {
    let found = vehicle(conn, customer, vehicle_id).await?;
    // Only this customer's orders: a car bought second-hand does not show its old
    // owner's visits.
    let rows = sqlx::query(
        "SELECT o.id, o.reference, o.status, o.created_at, o.mileage_km, o.total_fen,
                l.name_zh, l.name_en
         FROM orders o JOIN locations l ON l.id = o.store_id
         WHERE o.vehicle_id = $1 AND o.customer_id = $2
         ORDER BY o.created_at DESC, o.id DESC",
    )
    .bind(vehicle_id.as_uuid())
    .bind(customer.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let lines = sqlx::query(
        "SELECT ol.order_id, s.name_zh, s.name_en
         FROM order_lines ol
         JOIN orders o ON o.id = ol.order_id
         JOIN services s ON s.id = ol.item_id
         WHERE ol.item_kind = 'service' AND o.vehicle_id = $1 AND o.customer_id = $2
         ORDER BY ol.order_id, ol.line_no",
    )
    .bind(vehicle_id.as_uuid())
    .bind(customer.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut services: std::collections::HashMap<Uuid, Vec<(String, String)>> =
        std::collections::HashMap::new();
    for l in lines {
        services
            .entry(l.try_get("order_id").map_err(db_err)?)
            .or_default()
            .push((
                l.try_get("name_zh").map_err(db_err)?,
                l.try_get("name_en").map_err(db_err)?,
            ));
    }
    let history = rows
        .into_iter()
        .map(|r| {
            let id: Uuid = r.try_get("id").map_err(db_err)?;
            let status: String = r.try_get("status").map_err(db_err)?;
            let km: i64 = r.try_get("mileage_km").map_err(db_err)?;
            Ok(HistoryEntry {
                order: OrderId::from(id),
                reference: r.try_get("reference").map_err(db_err)?,
                store_zh: r.try_get("name_zh").map_err(db_err)?,
                store_en: r.try_get("name_en").map_err(db_err)?,
                status: OrderStatus::parse(&status).ok_or_else(|| {
                    StoreError::Backend(format!("unknown order status {status:?}"))
                })?,
                created_at: r.try_get::<DbTime, _>("created_at").map_err(db_err)?.0,
                mileage_km: u32::try_from(km).unwrap_or(0),
                total: money(r.try_get("total_fen").map_err(db_err)?),
                services: services.remove(&id).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((found, history))
}

/// Gives every demo staff account, and the demo customers of
/// [`crate::demo::DEMO_ACCOUNTS`], the demo password's hash.
pub async fn set_demo_passwords(conn: &mut Conn, hash: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE staff SET password_hash = $1")
        .bind(hash)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    for (phone, role) in crate::demo::DEMO_ACCOUNTS {
        if role == "customer" {
            sqlx::query("UPDATE customers SET password_hash = $1 WHERE phone = $2")
                .bind(hash)
                .bind(phone)
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        }
    }
    Ok(())
}
