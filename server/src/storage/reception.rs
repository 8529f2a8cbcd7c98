//! [`ReceptionStorage`]: finding customers, registering walk-ins, tags, notes, the
//! preferred advisor and the customer 360.
//!
//! A search scans the index ranges [`CustomerQuery::keys`] names (the phone, the phone
//! reversed, the plate after its province: migration `0007_reception`) and keeps what
//! [`CustomerQuery::matches`] accepts; the expressions here are the indexed ones, verbatim.

use std::collections::{BTreeMap, HashMap};

use app::reception::{
    Counter, Customer360, CustomerHit, CustomerTag, Named, ReceptionStorage, SearchResult,
    StaffChoice, TagDef, TimelineEntry, TimelineEvent, VehicleLine, WalkIn,
};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::discount::Tier;
use domain::reception::{CustomerQuery, KeyKind, NoteText, SearchKey, TagCode, TagLabel};
use domain::{CustomerId, Money, OrderStatus, StaffId, StaffRole, StoreId};
use uuid::Uuid;

use super::rows::{get, named, placeholders, small, Conn, DbRow};
use super::{Backend, LOCK_ROWS};
use crate::storage::{db_err, now, transaction, DbTime, Serial};

/// The phone read backwards, exactly as `customers_phone_reversed` indexes it.
const PHONE_REVERSED: &str = "(substr(phone, 11, 1) || substr(phone, 10, 1) || substr(phone, 9, 1) || substr(phone, 8, 1) ||
    substr(phone, 7, 1) || substr(phone, 6, 1) || substr(phone, 5, 1) || substr(phone, 4, 1) ||
    substr(phone, 3, 1) || substr(phone, 2, 1) || substr(phone, 1, 1))";
/// The plate after its province character, exactly as `vehicles_plate_rest` indexes it.
const PLATE_REST: &str = "(substr(plate, 2))";

#[async_trait]
impl ReceptionStorage for Backend {
    async fn search(
        &self,
        query: &CustomerQuery,
        limit: usize,
    ) -> Result<SearchResult, StorageError> {
        let mut conn = self.conn().await?;
        // One more than asked, per key, tells whether there are more.
        let scan = limit + 1;
        let mut ids: Vec<Uuid> = Vec::new();
        for (kind, key) in query.keys() {
            let found = match kind {
                KeyKind::Phone => scan_customers(&mut conn, "phone", &key, scan).await?,
                KeyKind::PhoneReversed => {
                    scan_customers(&mut conn, PHONE_REVERSED, &key, scan).await?
                }
                KeyKind::PlateRest => scan_plates(&mut conn, query, &key, scan).await?,
            };
            for id in found {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        let mut hits = hits(&mut conn, &ids).await?;
        hits.retain(|h| query.matches(&h.1, h.0.plates.iter().map(String::as_str)));
        let more = hits.len() > limit;
        hits.truncate(limit);
        Ok(SearchResult {
            hits: hits.into_iter().map(|(hit, _)| hit).collect(),
            more,
        })
    }

    async fn customer_360(
        &self,
        customer: CustomerId,
        at: Counter,
    ) -> Result<Customer360, StorageError> {
        let mut conn = self.conn().await?;
        customer_360(&mut conn, customer, at).await
    }

    async fn vocabulary(&self) -> Result<Vec<TagDef>, StorageError> {
        let mut conn = self.conn().await?;
        vocabulary(&mut conn).await
    }

    async fn save_tag(
        &self,
        code: &TagCode,
        label_zh: &TagLabel,
        label_en: &TagLabel,
    ) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            sqlx::query(
                "INSERT INTO tags (code, label_zh, label_en) VALUES ($1, $2, $3)
                 ON CONFLICT (code) DO UPDATE
                     SET label_zh = excluded.label_zh, label_en = excluded.label_en",
            )
            .bind(code.as_str())
            .bind(label_zh.as_str())
            .bind(label_en.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            Ok(((), Vec::new()))
        })
    }

    async fn advisors(&self, store: Option<StoreId>) -> Result<Vec<StaffChoice>, StorageError> {
        let mut conn = self.conn().await?;
        advisors(&mut conn, store).await
    }

    async fn preferred_advisor(
        &self,
        customer: CustomerId,
    ) -> Result<Option<StaffChoice>, StorageError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(
            "SELECT a.id, a.name_zh, a.name_en, l.name_zh AS store_zh, l.name_en AS store_en
             FROM customers c
             JOIN staff a ON a.id = c.preferred_advisor_id
             JOIN locations l ON l.id = a.location_id
             WHERE c.id = $1",
        )
        .bind(customer.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
        row.map(|r| staff_choice(&r)).transpose()
    }

    async fn register_walk_in(
        &self,
        walk_in: &WalkIn,
        at: Counter,
    ) -> Result<CustomerId, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let now = now();
            let id = CustomerId::new();
            sqlx::query(
                "INSERT INTO customers (id, phone, name_zh, name_en, tier, marketing_opt_out, created_at, registered_at_store)
                 VALUES ($1, $2, $3, $3, 'standard', FALSE, $4, $5)",
            )
            .bind(id.as_uuid())
            .bind(walk_in.phone.as_str())
            .bind(walk_in.name.as_str())
            .bind(DbTime(now))
            .bind(at.store.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(|e| match db_err(e) {
                StorageError::Conflict(_) => StorageError::Rule(domain::Error::PhoneTaken),
                other => other,
            })?;
            let vehicle = domain::VehicleId::new();
            sqlx::query(
                "INSERT INTO vehicles (id, customer_id, model_id, plate, mileage_km, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(vehicle.as_uuid())
            .bind(id.as_uuid())
            .bind(walk_in.model.as_uuid())
            .bind(walk_in.plate.as_str())
            .bind(i64::from(walk_in.mileage.km()))
            .bind(DbTime(now))
            .execute(&mut *tx)
            .await
            .map_err(|e| match db_err(e) {
                // Someone's vehicle already (a removed one too: its owner's history
                // stays with it; the garage moves it, not reception).
                StorageError::Conflict(_) => StorageError::Rule(domain::Error::PlateTaken),
                other => other,
            })?;
            sqlx::query(
                "INSERT INTO mileage_readings (id, vehicle_id, km, read_at, store_id, staff_id)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(Uuid::now_v7())
            .bind(vehicle.as_uuid())
            .bind(i64::from(walk_in.mileage.km()))
            .bind(DbTime(now))
            .bind(at.store.as_uuid())
            .bind(at.staff.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            super::standing::refresh(tx, id, now).await?;
            Ok((id, Vec::new()))
        })
    }

    async fn tag(
        &self,
        customer: CustomerId,
        tag: &TagCode,
        at: Counter,
    ) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            require_customer(tx, customer).await?;
            let known = sqlx::query("SELECT 1 AS one FROM tags WHERE code = $1")
                .bind(tag.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
            if known.is_none() {
                return Err(StorageError::Rule(domain::Error::TagUnknown));
            }
            // Tagging twice keeps the first: who added it, and when.
            sqlx::query(
                "INSERT INTO customer_tags (customer_id, tag_code, added_by, store_id, added_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (customer_id, tag_code) DO NOTHING",
            )
            .bind(customer.as_uuid())
            .bind(tag.as_str())
            .bind(at.staff.as_uuid())
            .bind(at.store.as_uuid())
            .bind(DbTime(now()))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            Ok(((), Vec::new()))
        })
    }

    async fn untag(&self, customer: CustomerId, tag: &TagCode) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let done =
                sqlx::query("DELETE FROM customer_tags WHERE customer_id = $1 AND tag_code = $2")
                    .bind(customer.as_uuid())
                    .bind(tag.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
            if done.rows_affected() == 0 {
                return Err(StorageError::NotFound);
            }
            Ok(((), Vec::new()))
        })
    }

    async fn note(
        &self,
        customer: CustomerId,
        note: &NoteText,
        at: Counter,
    ) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            require_customer(tx, customer).await?;
            sqlx::query(
                "INSERT INTO customer_notes (id, customer_id, staff_id, store_id, body, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(Uuid::now_v7())
            .bind(customer.as_uuid())
            .bind(at.staff.as_uuid())
            .bind(at.store.as_uuid())
            .bind(note.as_str())
            .bind(DbTime(now()))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            Ok(((), Vec::new()))
        })
    }

    async fn set_preferred_advisor(
        &self,
        customer: CustomerId,
        advisor: Option<StaffId>,
        within: Option<StoreId>,
    ) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            require_customer(tx, customer).await?;
            if let Some(advisor) = advisor {
                // Only someone who receives customers (at this counter's store, when
                // chosen there), still working.
                let at_store = if within.is_some() {
                    " AND location_id = $2"
                } else {
                    ""
                };
                let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT role FROM staff
                     WHERE id = $1 AND location_id IS NOT NULL AND deactivated_at IS NULL{at_store}{LOCK_ROWS}"
                )))
                .bind(advisor.as_uuid());
                if let Some(store) = within {
                    q = q.bind(store.as_uuid());
                }
                let role: Option<String> = q
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .map(|r| get(&r, "role"))
                    .transpose()?;
                let receives = role
                    .as_deref()
                    .and_then(StaffRole::parse)
                    .is_some_and(StaffRole::receives_customers);
                if !receives {
                    return Err(StorageError::NotFound);
                }
            }
            sqlx::query("UPDATE customers SET preferred_advisor_id = $1 WHERE id = $2")
                .bind(advisor.map(|a| a.as_uuid()))
                .bind(customer.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            Ok(((), Vec::new()))
        })
    }
}

/// The chain's tags, by code.
async fn vocabulary(conn: &mut Conn) -> Result<Vec<TagDef>, StorageError> {
    sqlx::query("SELECT code, label_zh, label_en FROM tags ORDER BY code")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|t| {
            Ok(TagDef {
                code: get(t, "code")?,
                label: named(t, "label_zh", "label_en")?,
            })
        })
        .collect()
}

/// Everyone who receives customers (service advisors and store managers, still
/// working) at `store`, or at every store: by store, then name.
async fn advisors(conn: &mut Conn, store: Option<StoreId>) -> Result<Vec<StaffChoice>, StorageError> {
    let at_store = if store.is_some() { " AND s.location_id = $1" } else { "" };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT s.id, s.role, s.name_zh, s.name_en, l.name_zh AS store_zh, l.name_en AS store_en
         FROM staff s JOIN locations l ON l.id = s.location_id
         WHERE s.deactivated_at IS NULL{at_store}
         ORDER BY l.code, s.name_en, s.id"
    )));
    if let Some(store) = store {
        q = q.bind(store.as_uuid());
    }
    let mut advisors = Vec::new();
    for s in q.fetch_all(&mut *conn).await.map_err(db_err)?.iter() {
        let role: String = get(s, "role")?;
        if StaffRole::parse(&role).is_some_and(StaffRole::receives_customers) {
            advisors.push(staff_choice(s)?);
        }
    }
    Ok(advisors)
}

fn staff_choice(r: &DbRow) -> Result<StaffChoice, StorageError> {
    Ok(StaffChoice {
        id: StaffId::from(get::<Uuid>(r, "id")?),
        name: named(r, "name_zh", "name_en")?,
        store: named(r, "store_zh", "store_en")?,
    })
}

/// The customers whose `key_expr` lies in `key`'s range: an index range scan.
async fn scan_customers(
    conn: &mut Conn,
    key_expr: &str,
    key: &SearchKey,
    limit: usize,
) -> Result<Vec<Uuid>, StorageError> {
    let end = if key.end.is_some() {
        format!(" AND {key_expr} < $2")
    } else {
        String::new()
    };
    let limit_param = if key.end.is_some() { "$3" } else { "$2" };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM customers WHERE {key_expr} >= $1{end} ORDER BY {key_expr} LIMIT {limit_param}"
    )))
    .bind(key.start.as_str());
    if let Some(end) = &key.end {
        q = q.bind(end.as_str());
    }
    q.bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| get(r, "id"))
        .collect()
}

/// The owners of vehicles whose plate, after the province, lies in `key`'s range.
async fn scan_plates(
    conn: &mut Conn,
    query: &CustomerQuery,
    key: &SearchKey,
    limit: usize,
) -> Result<Vec<Uuid>, StorageError> {
    let mut sql = format!(
        "SELECT customer_id FROM vehicles WHERE {PLATE_REST} >= $1 AND removed_at IS NULL"
    );
    let mut n = 1;
    if key.end.is_some() {
        n += 1;
        sql.push_str(&format!(" AND {PLATE_REST} < ${n}"));
    }
    // The province, when typed, narrows the scan before the limit cuts it; the match
    // itself is still the domain's.
    let province = match query {
        CustomerQuery::Plate {
            province: Some(p), ..
        } => Some(p.to_string()),
        _ => None,
    };
    if province.is_some() {
        n += 1;
        sql.push_str(&format!(" AND substr(plate, 1, 1) = ${n}"));
    }
    n += 1;
    sql.push_str(&format!(" ORDER BY {PLATE_REST} LIMIT ${n}"));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key.start.as_str());
    if let Some(end) = &key.end {
        q = q.bind(end.as_str());
    }
    if let Some(p) = &province {
        q = q.bind(p.as_str());
    }
    q.bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| get(r, "customer_id"))
        .collect()
}

/// The hits for `ids`, in that order, each with the full phone the match is checked on:
/// one query for the customers and one for their plates, whatever the number of hits.
async fn hits(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<(CustomerHit, String)>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, ids.len());
    let mut customers = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, name_zh, name_en, phone FROM customers WHERE id IN ({list})"
    )));
    let mut plates = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT customer_id, plate FROM vehicles
         WHERE customer_id IN ({list}) AND removed_at IS NULL ORDER BY created_at, id"
    )));
    for id in ids {
        customers = customers.bind(*id);
        plates = plates.bind(*id);
    }
    let mut plates_of: HashMap<Uuid, Vec<String>> = HashMap::new();
    for v in plates.fetch_all(&mut *conn).await.map_err(db_err)?.iter() {
        plates_of
            .entry(get(v, "customer_id")?)
            .or_default()
            .push(get(v, "plate")?);
    }
    let mut found: HashMap<Uuid, (CustomerHit, String)> = HashMap::new();
    for r in customers.fetch_all(&mut *conn).await.map_err(db_err)?.iter() {
        let id: Uuid = get(r, "id")?;
        let phone: String = get(r, "phone")?;
        let masked = domain::Phone::parse(&phone)
            .map(|p| p.masked())
            .map_err(|_| StorageError::corrupt(format!("phone {phone:?}")))?;
        let hit = CustomerHit {
            id: CustomerId::from(id),
            name_zh: get(r, "name_zh")?,
            name_en: get(r, "name_en")?,
            phone_masked: masked,
            plates: plates_of.remove(&id).unwrap_or_default(),
        };
        found.insert(id, (hit, phone));
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

async fn require_customer(conn: &mut Conn, customer: CustomerId) -> Result<(), StorageError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM customers WHERE id = $1{LOCK_ROWS}"
    )))
    .bind(customer.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .map(|_| ())
    .ok_or(StorageError::NotFound)
}

fn opt_named(r: &DbRow, zh: &str, en: &str) -> Result<Option<Named>, StorageError> {
    let zh: Option<String> = get(r, zh)?;
    let en: Option<String> = get(r, en)?;
    Ok(zh.zip(en).map(|(zh, en)| Named { zh, en }))
}

async fn customer_360(
    conn: &mut Conn,
    customer: CustomerId,
    at: Counter,
) -> Result<Customer360, StorageError> {
    let c = sqlx::query(
        "SELECT c.id, c.name_zh, c.name_en, c.phone, c.tier, c.created_at,
                c.stage, c.value_class, c.lost_reason,
                l.name_zh AS store_zh, l.name_en AS store_en,
                a.id AS advisor_id, a.name_zh AS advisor_zh, a.name_en AS advisor_en,
                al.name_zh AS advisor_store_zh, al.name_en AS advisor_store_en
         FROM customers c
         LEFT JOIN locations l ON l.id = c.registered_at_store
         LEFT JOIN staff a ON a.id = c.preferred_advisor_id
         LEFT JOIN locations al ON al.id = a.location_id
         WHERE c.id = $1",
    )
    .bind(customer.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StorageError::NotFound)?;
    let since = get::<DbTime>(&c, "created_at")?.0;
    let tier: String = get(&c, "tier")?;
    let tier = Tier::parse(&tier).ok_or_else(|| StorageError::corrupt(format!("tier {tier:?}")))?;
    let mut timeline = vec![TimelineEntry {
        at: since,
        event: match opt_named(&c, "store_zh", "store_en")? {
            Some(store) => TimelineEvent::Registered { store },
            None => TimelineEvent::SignedUp,
        },
    }];
    let preferred_advisor = match get::<Option<Uuid>>(&c, "advisor_id")? {
        Some(id) => Some(StaffChoice {
            id: StaffId::from(id),
            name: named(&c, "advisor_zh", "advisor_en")?,
            store: named(&c, "advisor_store_zh", "advisor_store_en")?,
        }),
        None => None,
    };

    let mut vehicles = Vec::new();
    for v in sqlx::query(
        "SELECT v.id, v.plate, v.mileage_km, v.created_at, m.brand_zh, m.brand_en, m.name_zh, m.name_en
         FROM vehicles v JOIN vehicle_models m ON m.id = v.model_id
         WHERE v.customer_id = $1 AND v.removed_at IS NULL
         ORDER BY v.created_at, v.id",
    )
    .bind(customer.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?
    .iter()
    {
        let plate: String = get(v, "plate")?;
        let model = Named {
            zh: format!("{} {}", get::<String>(v, "brand_zh")?, get::<String>(v, "name_zh")?),
            en: format!("{} {}", get::<String>(v, "brand_en")?, get::<String>(v, "name_en")?),
        };
        timeline.push(TimelineEntry {
            at: get::<DbTime>(v, "created_at")?.0,
            event: TimelineEvent::VehicleAdded {
                plate: plate.clone(),
            },
        });
        let readings = sqlx::query("SELECT km, read_at FROM mileage_readings WHERE vehicle_id = $1")
            .bind(get::<Uuid>(v, "id")?)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| {
                Ok(domain::odometer::Reading {
                    km: small(r, "km")?,
                    at: get::<DbTime>(r, "read_at")?.0,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        vehicles.push(VehicleLine {
            id: domain::VehicleId::from(get::<Uuid>(v, "id")?),
            plate,
            model,
            mileage_km: small(v, "mileage_km")?,
            km_per_day: domain::odometer::km_per_day(&readings),
        });
    }

    let vocabulary = vocabulary(conn).await?;
    let mut tags = Vec::new();
    for t in sqlx::query(
        "SELECT ct.tag_code, ct.added_at, t.label_zh, t.label_en, s.name_zh, s.name_en
         FROM customer_tags ct
         JOIN tags t ON t.code = ct.tag_code
         JOIN staff s ON s.id = ct.added_by
         WHERE ct.customer_id = $1
         ORDER BY ct.added_at, ct.tag_code",
    )
    .bind(customer.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?
    .iter()
    {
        let tag = TagDef {
            code: get(t, "tag_code")?,
            label: named(t, "label_zh", "label_en")?,
        };
        let by = named(t, "name_zh", "name_en")?;
        let added_at = get::<DbTime>(t, "added_at")?.0;
        timeline.push(TimelineEntry {
            at: added_at,
            event: TimelineEvent::Tagged {
                tag: tag.label.clone(),
                by: by.clone(),
            },
        });
        tags.push(CustomerTag {
            tag,
            added_by: by,
            added_at,
        });
    }

    for n in sqlx::query(
        "SELECT n.body, n.created_at, s.name_zh, s.name_en, l.name_zh AS store_zh, l.name_en AS store_en
         FROM customer_notes n
         JOIN staff s ON s.id = n.staff_id
         LEFT JOIN locations l ON l.id = n.store_id
         WHERE n.customer_id = $1",
    )
    .bind(customer.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?
    .iter()
    {
        timeline.push(TimelineEntry {
            at: get::<DbTime>(n, "created_at")?.0,
            event: TimelineEvent::Note {
                by: named(n, "name_zh", "name_en")?,
                store: opt_named(n, "store_zh", "store_en")?,
                body: get(n, "body")?,
            },
        });
    }

    let orders = sqlx::query(
        "SELECT o.id, o.reference, o.store_id, o.channel, o.status, o.total_fen, o.created_at,
                v.plate, l.name_zh, l.name_en
         FROM orders o
         JOIN locations l ON l.id = o.store_id
         JOIN vehicles v ON v.id = o.vehicle_id
         WHERE o.customer_id = $1",
    )
    .bind(customer.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    // What was done is read for this store's orders only.
    let mut here = Vec::new();
    for o in &orders {
        if get::<Uuid>(o, "store_id")? == at.store.as_uuid() {
            here.push(get::<Uuid>(o, "id")?);
        }
    }
    let mut services = super::workorders::services_of(conn, &here).await?;
    for o in &orders {
        let store_id: Uuid = get(o, "store_id")?;
        let store = named(o, "name_zh", "name_en")?;
        // Another store's work orders are that store's: only that the customer came.
        let event = if store_id == at.store.as_uuid() {
            let id: Uuid = get(o, "id")?;
            let status: String = get(o, "status")?;
            let channel: String = get(o, "channel")?;
            TimelineEvent::Order {
                reference: get(o, "reference")?,
                store,
                channel: domain::order::Channel::parse(&channel)
                    .ok_or_else(|| StorageError::corrupt(format!("order channel {channel:?}")))?,
                status: OrderStatus::parse(&status)
                    .ok_or_else(|| StorageError::corrupt(format!("order status {status:?}")))?,
                services: services
                    .remove(&id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|l| l.name)
                    .collect(),
                total: Money::from_fen(get(o, "total_fen")?).to_string(),
                plate: get(o, "plate")?,
            }
        } else {
            TimelineEvent::VisitElsewhere { store }
        };
        timeline.push(TimelineEntry {
            at: get::<DbTime>(o, "created_at")?.0,
            event,
        });
    }
    // Newest first; at the same instant, in the order written above.
    let mut ordered: BTreeMap<(std::cmp::Reverse<time::OffsetDateTime>, usize), TimelineEntry> =
        BTreeMap::new();
    for (i, e) in timeline.into_iter().enumerate() {
        ordered.insert((std::cmp::Reverse(e.at), i), e);
    }

    let advisors = advisors(conn, Some(at.store)).await?;

    Ok(Customer360 {
        id: customer,
        name: named(&c, "name_zh", "name_en")?,
        phone: get(&c, "phone")?,
        tier,
        since,
        standing: super::standing::stored(&c)?,
        vehicles,
        tags,
        vocabulary,
        preferred_advisor,
        advisors,
        timeline: ordered.into_values().collect(),
    })
}
