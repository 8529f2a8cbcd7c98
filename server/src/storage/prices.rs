//! [`PriceStorage`]: the catalog's services and the versioned price list.

use std::sync::Arc;

use app::live::LiveEvent;
use app::pricing::{PricePoint, PriceStorage, Service};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::{Money, PriceList, PricedItem, ServiceCategory, ServiceId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::rows::{append_event, get, small, Conn, DbRow};
use super::Backend;
use crate::storage::cache::{InForce, Revisions};
use crate::storage::{db_err, item_from_key, item_key, transaction, DbTime, Serial};

#[async_trait]
impl PriceStorage for Backend {
    async fn services(&self) -> Result<Vec<Service>, StorageError> {
        let mut conn = self.conn().await?;
        let revs = self.revisions(&mut conn).await?;
        Ok(self.services_cached(&mut conn, &revs).await?.to_vec())
    }

    async fn current_price_list(&self) -> Result<PriceList, StorageError> {
        let mut conn = self.conn().await?;
        let revs = self.revisions(&mut conn).await?;
        Ok(self.prices_cached(&mut conn, &revs).await?.list.clone())
    }

    async fn publish_price(
        &self,
        item: PricedItem,
        price: Money,
        published_by: &str,
    ) -> Result<PriceList, StorageError> {
        transaction!(self, Serial::PriceList, |tx| {
            let now = self.clock(tx).await?;
            let current = load_list(tx, now, true).await?;
            let next = current.list.publish(item, price, now)?;
            insert_next_version(tx, current.id, &next, item, published_by, now).await?;
            let event = LiveEvent::PriceListPublished {
                version: next.version,
                item,
                price,
            };
            append_event(tx, &event, now).await?;
            Ok((next, vec![event]))
        })
    }

    async fn price_history(&self, item: PricedItem) -> Result<Vec<PricePoint>, StorageError> {
        let (kind, id) = item_key(item);
        let rows = sqlx::query(
            "SELECT v.version, v.effective_from, p.price_fen
             FROM prices p JOIN price_list_versions v ON v.id = p.version_id
             WHERE p.item_kind = $1 AND p.item_id = $2
             ORDER BY v.version DESC",
        )
        .bind(kind)
        .bind(id)
        .fetch_all(&mut *self.conn().await?)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(PricePoint {
                    version: small(r, "version")?,
                    effective_from: get::<DbTime>(r, "effective_from")?.0,
                    price: Money::from_fen(get(r, "price_fen")?),
                })
            })
            .collect()
    }
}

impl Backend {
    /// The catalog's services, from memory while the catalog is unchanged.
    pub(super) async fn services_cached(
        &self,
        conn: &mut Conn,
        revs: &Revisions,
    ) -> Result<Arc<Vec<Service>>, StorageError> {
        if let Some(services) = self.cache.services.get(revs.catalog) {
            return Ok(services);
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SERVICE_COLUMNS} FROM services ORDER BY sort_order, code"
        )))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let services = rows.iter().map(service_from).collect::<Result<_, _>>()?;
        Ok(self.cache.services.put(revs.catalog, services))
    }

    /// The price list in force at `revs.now`, from memory while no version was published
    /// and no waiting version took over.
    pub(super) async fn prices_cached(
        &self,
        conn: &mut Conn,
        revs: &Revisions,
    ) -> Result<Arc<InForce>, StorageError> {
        if let Some(held) = self.cache.prices.get(revs.prices) {
            if held.until.is_none_or(|until| revs.now < until) {
                return Ok(held);
            }
        }
        let list = load_list(conn, revs.now, false).await?.list;
        let until: Option<DbTime> = sqlx::query_scalar(
            "SELECT MIN(effective_from) FROM price_list_versions WHERE effective_from > $1",
        )
        .bind(DbTime(revs.now))
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
        Ok(self.cache.prices.put(
            revs.prices,
            InForce {
                list,
                until: until.map(|t| t.0),
            },
        ))
    }
}

fn service_from(r: &DbRow) -> Result<Service, StorageError> {
    let category: String = get(r, "category")?;
    let duration_min: u16 = small(r, "duration_min")?;
    if duration_min == 0 {
        return Err(StorageError::corrupt("a service of zero minutes"));
    }
    Ok(Service {
        id: ServiceId::from(get::<Uuid>(r, "id")?),
        code: get(r, "code")?,
        category: ServiceCategory::parse(&category)
            .ok_or_else(|| StorageError::corrupt(format!("service category {category:?}")))?,
        name_zh: get(r, "name_zh")?,
        name_en: get(r, "name_en")?,
        description_zh: get(r, "description_zh")?,
        description_en: get(r, "description_en")?,
        duration_min,
    })
}

const SERVICE_COLUMNS: &str =
    "id, code, category, name_zh, name_en, description_zh, description_en, duration_min";

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
) -> Result<StoredList, StorageError> {
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
    let id: Uuid = get(&head, "id")?;
    let version: u32 = small(&head, "version")?;
    let effective_from = get::<DbTime>(&head, "effective_from")?.0;
    let rows =
        sqlx::query("SELECT item_kind, item_id, price_fen FROM prices WHERE version_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
    let mut prices = Vec::with_capacity(rows.len());
    for r in &rows {
        let kind: String = get(r, "item_kind")?;
        let item = item_from_key(&kind, get(r, "item_id")?)?;
        prices.push((item, Money::from_fen(get(r, "price_fen")?)));
    }
    Ok(StoredList {
        id,
        list: PriceList::new(version, effective_from, prices),
    })
}

/// Writes the row of version `next` (its prices are the caller's); returns its id.
pub async fn insert_version(
    conn: &mut Conn,
    next: &PriceList,
    published_by: &str,
    note: &str,
    now: OffsetDateTime,
) -> Result<Uuid, StorageError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO price_list_versions (id, version, effective_from, published_at, published_by, note)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(i64::from(next.version))
    .bind(DbTime(next.effective_from))
    .bind(DbTime(now))
    .bind(published_by)
    .bind(note)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(id)
}

/// Writes `next` as a new version copied from `from`, with `item`'s price replaced.
async fn insert_next_version(
    conn: &mut Conn,
    from: Uuid,
    next: &PriceList,
    item: PricedItem,
    published_by: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let id = insert_version(conn, next, published_by, "", now).await?;
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
        return Err(StorageError::corrupt(format!(
            "price row missing in version {}",
            next.version
        )));
    }
    Ok(())
}

/// Whether any price list exists (the demo data is loaded only into an empty database).
pub async fn has_price_list(conn: &mut Conn) -> Result<bool, StorageError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM price_list_versions")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(n > 0)
}
