//! Queries written once for both dialects. Each backend includes this file as a module
//! next to its own `type Db`, so every function here is compiled (and type-checked)
//! for SQLite and for PostgreSQL.

use app::pricing::{PricePoint, ServiceInfo};
use app::store::StoreError;
use domain::{Money, PriceList, PricedItem, ServiceCategory, ServiceId};
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
