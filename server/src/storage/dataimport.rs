//! [`ImportStorage`]: what CSV rows may name, uploads staged in pieces, checked rows
//! applied in one transaction, and every kind exported in its import format.
//!
//! - **Catalog**: a part is added by SKU or its names changed; its category stays
//!   (the domain refuses a change, stock and fitment depend on it).
//! - **Fitment**: the part that fits a model for a category, replaced if there was one.
//! - **Prices**: one new price-list version with every row's price
//!   ([`domain::PriceList::publish_many`]), under the price list's serialisation like any
//!   publish.
//! - **Stock counts**: each shelf set to what was counted through a `count` ledger move
//!   of the difference; a guarded update refuses a count below what bookings came to
//!   hold since the check ([`domain::Error::CountBelowHeld`]), and the whole file with it.

use std::collections::{BTreeMap, BTreeSet};

use app::dataimport::{Applied, ImportStorage, MAX_BYTES};
use app::live::LiveEvent;
use app::storage::StorageError;
use async_trait::async_trait;
use domain::dataimport::{ImportKind, Known, PriceItem, Row};
use domain::{Money, PartId, PricedItem, ServiceId, StaffId, StoreId};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::rows::{append_event, get, milli, Conn};
use super::{Backend, LOCK_ROWS};
use crate::storage::{db_err, transaction, DbTime, Serial};

/// Rows applied between two progress reports.
const PROGRESS_EVERY: usize = 500;

/// Codes (upper case) to ids, as a table has them.
async fn ids(conn: &mut Conn, sql: &str) -> Result<BTreeMap<String, Uuid>, StorageError> {
    let mut out = BTreeMap::new();
    for r in sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
    {
        out.insert(get::<String>(&r, "code")?.to_ascii_uppercase(), get::<Uuid>(&r, "id")?);
    }
    Ok(out)
}

/// Every code a row may name, with its id.
struct Codes {
    categories: BTreeMap<String, Uuid>,
    parts: BTreeMap<String, Uuid>,
    models: BTreeMap<String, Uuid>,
    services: BTreeMap<String, Uuid>,
    locations: BTreeMap<String, Uuid>,
}

impl Codes {
    async fn read(conn: &mut Conn) -> Result<Codes, StorageError> {
        Ok(Codes {
            categories: ids(conn, "SELECT code, id FROM part_categories").await?,
            parts: ids(conn, "SELECT sku AS code, id FROM parts").await?,
            models: ids(conn, "SELECT code, id FROM vehicle_models").await?,
            services: ids(conn, "SELECT code, id FROM services").await?,
            locations: ids(conn, "SELECT code, id FROM locations").await?,
        })
    }

    fn id(map: &BTreeMap<String, Uuid>, code: &str) -> Result<Uuid, StorageError> {
        // Checked against the same tables moments before; gone now means changed since.
        map.get(code).copied().ok_or(StorageError::NotFound)
    }
}

#[async_trait]
impl ImportStorage for Backend {
    async fn known(&self) -> Result<Known, StorageError> {
        let mut conn = self.conn().await?;
        let codes = Codes::read(&mut conn).await?;
        let mut parts = BTreeMap::new();
        for r in sqlx::query(
            "SELECT p.sku, c.code FROM parts p JOIN part_categories c ON c.id = p.category_id",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            parts.insert(
                get::<String>(&r, "sku")?.to_ascii_uppercase(),
                get::<String>(&r, "code")?.to_ascii_uppercase(),
            );
        }
        let mut held_milli = BTreeMap::new();
        for r in sqlx::query(
            "SELECT l.code, p.sku, s.reserved_milli FROM stock s
             JOIN locations l ON l.id = s.location_id JOIN parts p ON p.id = s.part_id
             WHERE s.reserved_milli > 0",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        {
            held_milli.insert(
                (
                    get::<String>(&r, "code")?.to_ascii_uppercase(),
                    get::<String>(&r, "sku")?.to_ascii_uppercase(),
                ),
                milli(&r, "reserved_milli")?,
            );
        }
        let keys = |m: BTreeMap<String, Uuid>| m.into_keys().collect::<BTreeSet<_>>();
        Ok(Known {
            categories: keys(codes.categories),
            parts,
            models: keys(codes.models),
            services: keys(codes.services),
            locations: keys(codes.locations),
            held_milli,
        })
    }

    async fn stage(
        &self,
        upload: Option<Uuid>,
        kind: ImportKind,
        by: StaffId,
        text: &str,
        now: OffsetDateTime,
    ) -> Result<Uuid, StorageError> {
        let added = i64::try_from(text.len()).map_err(|_| domain::Error::ImportTooLarge)?;
        let limit = i64::try_from(MAX_BYTES).unwrap_or(i64::MAX);
        transaction!(self, Serial::Rows, |tx| {
            let id = match upload {
                None => {
                    sqlx::query("DELETE FROM import_uploads WHERE created_at < $1")
                        .bind(DbTime(now - Duration::days(1)))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    let id = Uuid::now_v7();
                    sqlx::query(
                        "INSERT INTO import_uploads (id, kind, staff_id, created_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id)
                    .bind(kind.code())
                    .bind(by.as_uuid())
                    .bind(DbTime(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    id
                }
                Some(id) => id,
            };
            // The guard keeps the upload its starter's, of one kind, and within bounds,
            // and takes its row's lock so pieces line up in order.
            let grown = sqlx::query(
                "UPDATE import_uploads SET bytes = bytes + $1
                 WHERE id = $2 AND staff_id = $3 AND kind = $4 AND bytes + $1 <= $5",
            )
            .bind(added)
            .bind(id)
            .bind(by.as_uuid())
            .bind(kind.code())
            .bind(limit)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if grown.rows_affected() != 1 {
                let mine: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM import_uploads WHERE id = $1 AND staff_id = $2 AND kind = $3",
                )
                .bind(id)
                .bind(by.as_uuid())
                .bind(kind.code())
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                return Err(if mine == 1 {
                    domain::Error::ImportTooLarge.into()
                } else {
                    StorageError::NotFound
                });
            }
            sqlx::query(
                "INSERT INTO import_pieces (upload_id, seq, body)
                 SELECT $1, COALESCE(MAX(seq) + 1, 0), $2 FROM import_pieces WHERE upload_id = $1",
            )
            .bind(id)
            .bind(text)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            Ok((id, Vec::new()))
        })
    }

    async fn staged(&self, upload: Uuid, by: StaffId) -> Result<(ImportKind, String), StorageError> {
        let mut conn = self.conn().await?;
        let kind: Option<String> =
            sqlx::query_scalar("SELECT kind FROM import_uploads WHERE id = $1 AND staff_id = $2")
                .bind(upload)
                .bind(by.as_uuid())
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_err)?;
        let kind = ImportKind::parse(&kind.ok_or(StorageError::NotFound)?)
            .map_err(|_| StorageError::corrupt("import kind"))?;
        let pieces: Vec<String> =
            sqlx::query_scalar("SELECT body FROM import_pieces WHERE upload_id = $1 ORDER BY seq")
                .bind(upload)
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err)?;
        Ok((kind, pieces.concat()))
    }

    async fn discard(&self, upload: Uuid) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            sqlx::query("DELETE FROM import_pieces WHERE upload_id = $1")
                .bind(upload)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            sqlx::query("DELETE FROM import_uploads WHERE id = $1")
                .bind(upload)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            Ok(((), Vec::new()))
        })
    }

    async fn apply(
        &self,
        kind: ImportKind,
        rows: &[(u64, Row)],
        published_by: &str,
        now: OffsetDateTime,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<Applied, StorageError> {
        let serial = match kind {
            ImportKind::Prices => Serial::PriceList,
            _ => Serial::Rows,
        };
        transaction!(self, serial, |tx| {
            let codes = Codes::read(tx).await?;
            let mut events = Vec::new();
            let mut price_version = None;
            match kind {
                ImportKind::Prices => {
                    let mut changes = Vec::with_capacity(rows.len());
                    for (_, row) in rows {
                        if let Row::Price { item, price } = row {
                            changes.push((priced(&codes, item)?, *price));
                        }
                    }
                    let at = self.clock(tx).await?;
                    let version = publish_prices(tx, &changes, published_by, at).await?;
                    price_version = Some(version);
                    progress(rows.len());
                    events.push(LiveEvent::Resync);
                }
                _ => {
                    let mut counted: BTreeSet<Uuid> = BTreeSet::new();
                    for (n, (_, row)) in rows.iter().enumerate() {
                        apply_row(tx, &codes, row, now, &mut counted).await?;
                        if (n + 1) % PROGRESS_EVERY == 0 {
                            progress(n + 1);
                        }
                    }
                    progress(rows.len());
                    if kind == ImportKind::StockCounts {
                        let stores: Vec<StoreId> = counted.into_iter().map(StoreId::from).collect();
                        events.extend(stores.iter().map(|&store| LiveEvent::TransfersChanged { store }));
                        events.push(LiveEvent::AvailabilityChanged { stores });
                    } else {
                        events.push(LiveEvent::Resync);
                    }
                }
            }
            for event in &events {
                append_event(tx, event, now).await?;
            }
            Ok((
                Applied {
                    rows: rows.len(),
                    price_version,
                },
                events,
            ))
        })
    }

    async fn export(&self, kind: ImportKind) -> Result<Vec<Vec<String>>, StorageError> {
        let mut conn = self.conn().await?;
        let text = |r: &super::rows::DbRow, c: &str| get::<String>(r, c);
        let mut out = Vec::new();
        match kind {
            ImportKind::Catalog => {
                for r in sqlx::query(
                    "SELECT p.sku, c.code, p.name_zh, p.name_en FROM parts p
                     JOIN part_categories c ON c.id = p.category_id ORDER BY p.sku",
                )
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err)?
                {
                    out.push(vec![text(&r, "sku")?, text(&r, "code")?, text(&r, "name_zh")?, text(&r, "name_en")?]);
                }
            }
            ImportKind::Fitment => {
                for r in sqlx::query(
                    "SELECT m.code AS model, c.code AS category, p.sku FROM fitments f
                     JOIN vehicle_models m ON m.id = f.model_id
                     JOIN part_categories c ON c.id = f.category_id
                     JOIN parts p ON p.id = f.part_id ORDER BY m.code, c.code",
                )
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err)?
                {
                    out.push(vec![text(&r, "model")?, text(&r, "category")?, text(&r, "sku")?]);
                }
            }
            ImportKind::Prices => {
                let at = self.clock(&mut conn).await?;
                let list = super::prices::load_list(&mut conn, at, false).await?.list;
                let codes = Codes::read(&mut conn).await?;
                let by_id = |m: &BTreeMap<String, Uuid>| -> BTreeMap<Uuid, String> {
                    m.iter().map(|(c, id)| (*id, c.clone())).collect()
                };
                let (services, parts) = (by_id(&codes.services), by_id(&codes.parts));
                for (item, price) in list.iter() {
                    let (kind, code) = match item {
                        PricedItem::Service(id) => ("service", services.get(&id.as_uuid())),
                        PricedItem::Part(id) => ("part", parts.get(&id.as_uuid())),
                    };
                    if let Some(code) = code {
                        out.push(vec![kind.to_owned(), code.clone(), price.yuan_string()]);
                    }
                }
            }
            ImportKind::StockCounts => {
                for r in sqlx::query(
                    "SELECT l.code, p.sku, s.on_hand_milli FROM stock s
                     JOIN locations l ON l.id = s.location_id JOIN parts p ON p.id = s.part_id
                     ORDER BY l.code, p.sku",
                )
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err)?
                {
                    out.push(vec![text(&r, "code")?, text(&r, "sku")?, units(milli(&r, "on_hand_milli")?)]);
                }
            }
        }
        Ok(out)
    }
}

/// Thousandths as a count reads them: `12`, `4.5`, `0.125`.
fn units(milli: u64) -> String {
    let (whole, fraction) = (milli / 1000, milli % 1000);
    if fraction == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{fraction:03}").trim_end_matches('0').to_owned()
    }
}

fn priced(codes: &Codes, item: &PriceItem) -> Result<PricedItem, StorageError> {
    Ok(match item {
        PriceItem::Service(code) => PricedItem::Service(ServiceId::from(Codes::id(&codes.services, code)?)),
        PriceItem::Part(sku) => PricedItem::Part(PartId::from(Codes::id(&codes.parts, sku.as_str())?)),
    })
}

/// Writes the next price-list version with `changes`; returns its number.
async fn publish_prices(
    tx: &mut Conn,
    changes: &[(PricedItem, Money)],
    published_by: &str,
    now: OffsetDateTime,
) -> Result<u32, StorageError> {
    let current = super::prices::load_list(tx, now, true).await?;
    let next = current.list.publish_many(changes, now)?;
    let id = super::prices::insert_version(tx, &next, published_by, "CSV", now).await?;
    for (item, price) in next.iter() {
        let (kind, item_id) = crate::storage::item_key(item);
        sqlx::query("INSERT INTO prices (version_id, item_kind, item_id, price_fen) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(kind)
            .bind(item_id)
            .bind(price.fen())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
    }
    Ok(next.version)
}

/// Applies one row of a catalog, fitment or count file.
async fn apply_row(
    tx: &mut Conn,
    codes: &Codes,
    row: &Row,
    now: OffsetDateTime,
    counted: &mut BTreeSet<Uuid>,
) -> Result<(), StorageError> {
    match row {
        Row::Part {
            sku,
            category,
            name_zh,
            name_en,
        } => {
            sqlx::query(
                "INSERT INTO parts (id, sku, category_id, name_zh, name_en) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (sku) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en",
            )
            .bind(Uuid::now_v7())
            .bind(sku.as_str())
            .bind(Codes::id(&codes.categories, category)?)
            .bind(name_zh.as_str())
            .bind(name_en.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        Row::Fitment {
            model,
            category,
            sku,
        } => {
            sqlx::query(
                "INSERT INTO fitments (model_id, category_id, part_id) VALUES ($1, $2, $3)
                 ON CONFLICT (model_id, category_id) DO UPDATE SET part_id = excluded.part_id",
            )
            .bind(Codes::id(&codes.models, model)?)
            .bind(Codes::id(&codes.categories, category)?)
            .bind(Codes::id(&codes.parts, sku.as_str())?)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        Row::Count {
            location,
            sku,
            counted_milli,
        } => {
            let location = Codes::id(&codes.locations, location)?;
            let part = Codes::id(&codes.parts, sku.as_str())?;
            let to = i64::try_from(*counted_milli).map_err(|_| domain::Error::QuantityInvalid)?;
            // Locked until the move is written: a picking between would skew it.
            let before: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT on_hand_milli FROM stock WHERE location_id = $1 AND part_id = $2{LOCK_ROWS}"
            )))
            .bind(location)
            .bind(part)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            match before {
                None => {
                    sqlx::query(
                        "INSERT INTO stock (location_id, part_id, on_hand_milli, reserved_milli)
                         VALUES ($1, $2, $3, 0)",
                    )
                    .bind(location)
                    .bind(part)
                    .bind(to)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                Some(_) => {
                    let set = sqlx::query(
                        "UPDATE stock SET on_hand_milli = $3
                         WHERE location_id = $1 AND part_id = $2 AND reserved_milli <= $3",
                    )
                    .bind(location)
                    .bind(part)
                    .bind(to)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    if set.rows_affected() != 1 {
                        return Err(domain::Error::CountBelowHeld.into());
                    }
                }
            }
            let delta = to - before.unwrap_or(0);
            super::supply::record_move(
                tx,
                StoreId::from(location),
                PartId::from(part),
                delta,
                "count",
                None,
                None,
                None,
                None,
                now,
            )
            .await?;
            counted.insert(location);
        }
        Row::Price { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::units;

    #[test]
    fn counts_export_as_typed() {
        assert_eq!(units(12_000), "12");
        assert_eq!(units(4_500), "4.5");
        assert_eq!(units(125), "0.125");
        assert_eq!(units(0), "0");
    }
}
