//! [`HelpStorage`]: help requests between stores, and the transfers they become.
//!
//! Every decision is [`domain::help`]'s; the transactions read, ask and write:
//! - **Raising** locks the order's row ([`super::parts::locked_order`]: only the store's
//!   own order) and asks [`domain::help::may_raise`]; a unique index keeps one open
//!   request per order and kind of need, so a double tap asks once.
//! - **Accepting** locks the request's row and asks [`domain::help::check_accept`] of it
//!   as it is then: of two stores accepting at once, the second hears "already
//!   answered". A parts request holds the part on the helper's shelf with the booking's
//!   guards ([`super::booking::hold_parts`], never below its safety stock) and records a
//!   transfer held for the order ([`super::booking::record_holds`]).
//! - **Moving a transfer** locks the request's row and asks
//!   [`domain::help::TransferStep::advance`]: sent by the helper, received by the store
//!   that asked. Receiving takes the parts off the helper's shelf and puts them on the
//!   receiver's, held for the order, once (each step's timestamp is set only if unset).

use app::help::{
    HelpAnswer, HelpBoard, HelpOverview, HelpRow, HelpStorage, OpenOrder, Technician,
    TransferView, VisitView,
};
use app::live::LiveEvent;
use app::storage::StorageError;
use async_trait::async_trait;
use domain::account::Skills;
use domain::catalog::ServiceCategory;
use domain::help::{
    check_accept, nearby, parts_hold, Dispatch, HelpNeed, HelpNote, HelpStatus, StaffVisit,
    TransferStep,
};
use domain::network::Location;
use domain::stock::DeliverySchedule;
use domain::{HelpRequestId, OrderId, PartId, StaffId, StoreId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::booking::{hold_parts, network_and_loads, record_holds};
use super::parts::{fits, locked_order};
use super::rows::{get, named, push_event, quantity, Batch, Conn, DbRow};
use super::{send_batch, Backend, LOCK_ROWS};
use crate::storage::{db_err, transaction, DbTime, Serial};

#[async_trait]
impl HelpStorage for Backend {
    async fn raise(
        &self,
        store: StoreId,
        by: StaffId,
        order: OrderId,
        need: HelpNeed,
        note: Option<HelpNote>,
        now: OffsetDateTime,
    ) -> Result<HelpRow, StorageError> {
        let locations = self.every_location().await?;
        let id = HelpRequestId::new();
        transaction!(self, Serial::Rows, |tx| {
            let (vehicle, status) = locked_order(tx, store, order).await?;
            domain::help::may_raise(status)?;
            let (skill, part, milli) = match need {
                HelpNeed::Staff { skill } => (Some(skill.code()), None, None),
                HelpNeed::Parts { part, quantity } => {
                    fits(tx, vehicle, part).await?;
                    held_already(tx, order, part).await?;
                    (None, Some(part.as_uuid()), Some(i64::from(quantity.milli())))
                }
            };
            let mut batch = Batch::default();
            let values = [
                batch.bind(id.as_uuid()),
                batch.bind(store.as_uuid()),
                batch.bind(order.as_uuid()),
                batch.bind(need.code()),
                batch.bind(skill),
                batch.bind(part),
                batch.bind(milli),
                batch.bind(note.as_ref().map(|n| n.as_str().to_owned())),
                batch.bind(by.as_uuid()),
                batch.bind(DbTime(now)),
            ]
            .join(", ");
            batch.push(format!(
                "INSERT INTO help_requests (id, store_id, order_id, kind, skill, part_id,
                    quantity_milli, note, raised_by, raised_at, status)
                 VALUES ({values}, 'open')"
            ));
            let events = changed(&locations, store, None);
            for event in &events {
                push_event(&mut batch, event, now)?;
            }
            send_batch(tx, batch).await.map_err(|e| match e {
                // The unique index: this order already has an open request of this kind.
                StorageError::Conflict(_) => domain::Error::HelpAlreadyAsked.into(),
                other => other,
            })?;
            Ok(((), events))
        })?;
        self.row(id, Some(store), now).await
    }

    async fn board(&self, store: StoreId, now: OffsetDateTime) -> Result<HelpBoard, StorageError> {
        let mut conn = self.conn().await?;
        let revs = self.revisions(&mut conn).await?;
        let locations = self.locations(&mut conn, &revs).await?;
        let here = location(&locations, store)?;
        let near = nearby(here, &locations);
        let since = now - time::Duration::days(1);
        let asked = rows(
            &mut conn,
            "h.store_id = $1 AND (h.status = 'open' OR h.accepted_at >= $2
                OR (h.status = 'withdrawn' AND h.raised_at >= $2)
                OR (t.id IS NOT NULL AND t.received_at IS NULL AND t.status = 'planned'))
             ORDER BY h.raised_at DESC",
            &[Bind::Id(store.as_uuid()), Bind::Time(since)],
            Some(here),
            now,
        )
        .await?;
        let mut open = rows(
            &mut conn,
            "h.status = 'open' AND h.store_id <> $1 ORDER BY h.raised_at",
            &[Bind::Id(store.as_uuid())],
            Some(here),
            now,
        )
        .await?;
        // Nearest first; a store out of reach does not see it.
        open.retain(|r| near.iter().any(|(id, _)| *id == r.store_id));
        open.sort_by_key(|r| (r.distance_m, r.raised_at));
        let helping = rows(
            &mut conn,
            "h.helper_store_id = $1 AND h.status = 'accepted'
               AND ((t.id IS NOT NULL AND t.received_at IS NULL AND t.status = 'planned')
                    OR h.visit_until > $2)
             ORDER BY h.accepted_at",
            &[Bind::Id(store.as_uuid()), Bind::Time(now)],
            Some(here),
            now,
        )
        .await?;
        Ok(HelpBoard {
            asked,
            nearby: open,
            helping,
            technicians: technicians(&mut conn, store).await?,
            orders: open_orders(&mut conn, store).await?,
            parts: all_parts(&mut conn).await?,
        })
    }

    async fn accept(
        &self,
        store: StoreId,
        by: StaffId,
        id: HelpRequestId,
        answer: HelpAnswer,
        now: OffsetDateTime,
    ) -> Result<HelpRow, StorageError> {
        let locations = self.every_location().await?;
        let helper = location(&locations, store)?.clone();
        transaction!(self, Serial::Rows, |tx| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT store_id, order_id, kind, skill, part_id, quantity_milli, status
                 FROM help_requests WHERE id = $1{LOCK_ROWS}"
            )))
            .bind(id.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            let asker_id = StoreId::from(get::<Uuid>(&r, "store_id")?);
            let asker = location(&locations, asker_id)?;
            let order = OrderId::from(get::<Uuid>(&r, "order_id")?);
            // The order must still be to be done, and stays so while the helper's parts
            // are held for it: a cancel waits for this, then releases them with the rest.
            let (_, order_status) = locked_order(tx, asker_id, order).await?;
            domain::help::may_raise(order_status)?;
            let status = status_of(&r)?;
            check_accept(
                status,
                asker_id,
                store,
                domain::geo::distance_m(asker.geo, helper.geo),
            )?;
            let need = need_of(&r)?;
            let mut batch = Batch::default();
            let mut events = changed(&locations, asker_id, Some(store));
            let (visit, dispatch) = match (need, answer.clone()) {
                (HelpNeed::Parts { part, quantity }, HelpAnswer::Parts(dispatch)) => {
                    held_already(tx, order, part).await?;
                    let (network, _) =
                        network_and_loads(tx, &locations, &[part], None, (now, now)).await?;
                    let hold = parts_hold(
                        &network,
                        &helper,
                        asker,
                        part,
                        quantity,
                        dispatch,
                        &DeliverySchedule::default(),
                        now,
                    )?;
                    hold_parts(&mut batch, std::slice::from_ref(&hold));
                    record_holds(&mut batch, order, asker_id, std::slice::from_ref(&hold), now);
                    events.push(LiveEvent::AvailabilityChanged {
                        stores: vec![store, asker_id],
                    });
                    events.push(LiveEvent::BoardChanged { store: asker_id });
                    (None, Some(dispatch))
                }
                (HelpNeed::Staff { skill }, HelpAnswer::Staff { staff, from, until }) => {
                    let skills = technician_skills(tx, store, staff).await?;
                    let visit = StaffVisit::new(staff, skills.covers(skill), from, until, now)?;
                    (Some(visit), None)
                }
                _ => return Err(domain::Error::HelpKindUnknown.into()),
            };
            let transfer = match dispatch {
                Some(dispatch) => {
                    // The transfer `record_holds` writes is read back before the request
                    // names it: on PostgreSQL a batch is one statement, whose parts do not
                    // see each other's rows.
                    send_batch(tx, std::mem::take(&mut batch)).await?;
                    let transfer: Uuid = sqlx::query_scalar(
                        "SELECT id FROM transfers
                         WHERE order_id = $1 AND part_id = $2 AND from_location_id = $3
                           AND status = 'planned' AND received_at IS NULL",
                    )
                    .bind(order.as_uuid())
                    .bind(need_part(need)?.as_uuid())
                    .bind(store.as_uuid())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let sql = format!(
                        "UPDATE transfers SET dispatch = {} WHERE id = {}",
                        batch.bind(dispatch.code()),
                        batch.bind(transfer),
                    );
                    batch.push(sql);
                    Some(transfer)
                }
                None => None,
            };
            let id_ = batch.bind(id.as_uuid());
            let sql = format!(
                "UPDATE help_requests SET status = 'accepted', helper_store_id = {}, accepted_by = {},
                    accepted_at = {}, visit_staff_id = {}, visit_from = {}, visit_until = {},
                    transfer_id = {}
                 WHERE id = {id_} AND status = 'open'",
                batch.bind(store.as_uuid()),
                batch.bind(by.as_uuid()),
                batch.bind(DbTime(now)),
                batch.bind(visit.map(|v| v.staff.as_uuid())),
                batch.bind(visit.map(|v| DbTime(v.from))),
                batch.bind(visit.map(|v| DbTime(v.until))),
                batch.bind(transfer),
            );
            batch.push_guarded(sql, 1, domain::Error::HelpAnswered);
            for event in &events {
                push_event(&mut batch, event, now)?;
            }
            send_batch(tx, batch).await?;
            Ok(((), events))
        })?;
        self.row(id, Some(store), now).await
    }

    async fn move_transfer(
        &self,
        store: StoreId,
        id: HelpRequestId,
        to: TransferStep,
        now: OffsetDateTime,
    ) -> Result<HelpRow, StorageError> {
        let locations = self.every_location().await?;
        transaction!(self, Serial::Rows, |tx| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT h.store_id, h.helper_store_id, h.order_id, t.id AS transfer_id, t.part_id,
                        t.quantity_milli, t.dispatched_at, t.received_at
                 FROM help_requests h JOIN transfers t ON t.id = h.transfer_id
                 WHERE h.id = $1{LOCK_ROWS}"
            )))
            .bind(id.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            let asker = StoreId::from(get::<Uuid>(&r, "store_id")?);
            let helper = StoreId::from(get::<Uuid>(&r, "helper_store_id")?);
            // The helper sends; the store that asked receives. Neither sees the other's
            // button, and another store has nothing here.
            let mover = match to {
                TransferStep::InTransit => helper,
                _ => asker,
            };
            if mover != store {
                return Err(StorageError::NotFound);
            }
            step_of(&r)?.advance(to)?;
            let transfer: Uuid = get(&r, "transfer_id")?;
            let part: Uuid = get(&r, "part_id")?;
            let milli: i64 = get(&r, "quantity_milli")?;
            let order: Uuid = get(&r, "order_id")?;
            // A cancel of the order waits for this (or this for it): a cancelled order's
            // transfer is cancelled, and the guards below then refuse to move it.
            locked_order(tx, asker, OrderId::from(order)).await?;
            let mut batch = Batch::default();
            let at = batch.bind(DbTime(now));
            let t = batch.bind(transfer);
            match to {
                TransferStep::InTransit => {
                    let sql = format!(
                        "UPDATE transfers SET dispatched_at = {at}
                         WHERE id = {t} AND dispatched_at IS NULL AND status = 'planned'"
                    );
                    batch.push_guarded(sql, 1, domain::Error::StepOutOfOrder);
                }
                _ => {
                    let sql = format!(
                        "UPDATE transfers SET received_at = {at}
                         WHERE id = {t} AND dispatched_at IS NOT NULL AND received_at IS NULL
                           AND status = 'planned'"
                    );
                    batch.push_guarded(sql, 1, domain::Error::StepOutOfOrder);
                    let (q, p) = (batch.bind(milli), batch.bind(part));
                    let sql = format!(
                        "UPDATE stock SET on_hand_milli = on_hand_milli - {q},
                            reserved_milli = reserved_milli - {q}
                         WHERE location_id = {} AND part_id = {p}
                           AND reserved_milli >= {q} AND on_hand_milli >= {q}",
                        batch.bind(helper.as_uuid())
                    );
                    batch.push_guarded(sql, 1, domain::Error::ReservationInvalid);
                    super::supply::push_move(&mut batch, helper, part, -milli, "transfer_out", order, now);
                    super::supply::push_move(&mut batch, asker, part, milli, "transfer_in", order, now);
                    let asker_ = batch.bind(asker.as_uuid());
                    batch.push(format!(
                        "INSERT INTO stock (location_id, part_id, on_hand_milli, reserved_milli)
                         VALUES ({asker_}, {p}, {q}, {q})
                         ON CONFLICT (location_id, part_id) DO UPDATE
                         SET on_hand_milli = stock.on_hand_milli + excluded.on_hand_milli,
                             reserved_milli = stock.reserved_milli + excluded.reserved_milli"
                    ));
                    // Held on the receiver's own shelf now: picked at the bay like any.
                    let sql = format!(
                        "UPDATE reservations SET location_id = {asker_}, transfer_id = NULL
                         WHERE order_id = {} AND part_id = {p} AND transfer_id = {t}
                           AND released_at IS NULL",
                        batch.bind(order)
                    );
                    batch.push_guarded(sql, 1, domain::Error::ReservationInvalid);
                }
            }
            let mut events = changed(&locations, asker, Some(helper));
            events.push(LiveEvent::AvailabilityChanged {
                stores: vec![asker, helper],
            });
            events.push(LiveEvent::BoardChanged { store: asker });
            for event in &events {
                push_event(&mut batch, event, now)?;
            }
            send_batch(tx, batch).await?;
            Ok(((), events))
        })?;
        self.row(id, Some(store), now).await
    }

    async fn withdraw(
        &self,
        store: StoreId,
        id: HelpRequestId,
        now: OffsetDateTime,
    ) -> Result<HelpRow, StorageError> {
        let locations = self.every_location().await?;
        transaction!(self, Serial::Rows, |tx| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT store_id, status FROM help_requests WHERE id = $1{LOCK_ROWS}"
            )))
            .bind(id.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            // Another store's request is not there to take back.
            if get::<Uuid>(&r, "store_id")? != store.as_uuid() {
                return Err(StorageError::NotFound);
            }
            domain::help::may_withdraw(status_of(&r)?)?;
            let mut batch = Batch::default();
            let sql = format!(
                "UPDATE help_requests SET status = 'withdrawn' WHERE id = {} AND status = 'open'",
                batch.bind(id.as_uuid())
            );
            batch.push_guarded(sql, 1, domain::Error::HelpAnswered);
            let events = changed(&locations, store, None);
            for event in &events {
                push_event(&mut batch, event, now)?;
            }
            send_batch(tx, batch).await?;
            Ok(((), events))
        })?;
        self.row(id, Some(store), now).await
    }

    async fn overview(&self, now: OffsetDateTime, days: u16) -> Result<HelpOverview, StorageError> {
        let mut conn = self.conn().await?;
        let since = now - time::Duration::days(i64::from(days));
        Ok(HelpOverview {
            open: rows(&mut conn, "h.status = 'open' ORDER BY h.raised_at", &[], None, now)
                .await?,
            answered: rows(
                &mut conn,
                "h.status = 'accepted' AND h.accepted_at >= $1 ORDER BY h.accepted_at DESC",
                &[Bind::Time(since)],
                None,
                now,
            )
            .await?,
        })
    }
}

impl Backend {
    /// Every location, from memory while the network is unchanged.
    pub(super) async fn every_location(&self) -> Result<std::sync::Arc<Vec<Location>>, StorageError> {
        let mut conn = self.conn().await?;
        let revs = self.revisions(&mut conn).await?;
        self.locations(&mut conn, &revs).await
    }

    /// One request as `viewer` (a store) sees it.
    async fn row(
        &self,
        id: HelpRequestId,
        viewer: Option<StoreId>,
        now: OffsetDateTime,
    ) -> Result<HelpRow, StorageError> {
        let mut conn = self.conn().await?;
        let revs = self.revisions(&mut conn).await?;
        let locations = self.locations(&mut conn, &revs).await?;
        let here = match viewer {
            Some(store) => Some(location(&locations, store)?),
            None => None,
        };
        rows(&mut conn, "h.id = $1", &[Bind::Id(id.as_uuid())], here, now)
            .await?
            .pop()
            .ok_or(StorageError::NotFound)
    }
}

/// The location with this id; [`StorageError::NotFound`] for none, or the warehouse.
fn location(locations: &[Location], id: StoreId) -> Result<&Location, StorageError> {
    locations
        .iter()
        .find(|l| l.id == id && !l.is_warehouse)
        .ok_or(StorageError::NotFound)
}

/// The events a change to a request of `asker` makes: its own kiosks, the stores that
/// see its requests, and the helper's.
fn changed(locations: &[Location], asker: StoreId, helper: Option<StoreId>) -> Vec<LiveEvent> {
    let mut stores = vec![asker];
    if let Some(from) = locations.iter().find(|l| l.id == asker) {
        stores.extend(nearby(from, locations).into_iter().map(|(id, _)| id));
    }
    stores.extend(helper);
    stores.sort();
    stores.dedup();
    stores
        .into_iter()
        .map(|store| LiveEvent::HelpChanged { store })
        .collect()
}

/// Refuses a part the order holds, or held ([`domain::Error::PartHeldElsewhere`]): one
/// hold per part and order; more of it is added at the bay.
async fn held_already(conn: &mut Conn, order: OrderId, part: PartId) -> Result<(), StorageError> {
    let held: Option<Uuid> = sqlx::query_scalar(
        "SELECT part_id FROM reservations WHERE order_id = $1 AND part_id = $2",
    )
    .bind(order.as_uuid())
    .bind(part.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    match held {
        Some(_) => Err(domain::Error::PartHeldElsewhere.into()),
        None => Ok(()),
    }
}

/// A request's need, from its row.
fn need_of(r: &DbRow) -> Result<HelpNeed, StorageError> {
    let kind: String = get(r, "kind")?;
    match kind.as_str() {
        "staff" => {
            let code: String = get(r, "skill")?;
            Ok(HelpNeed::Staff {
                skill: ServiceCategory::parse(&code)
                    .ok_or_else(|| StorageError::corrupt(format!("skill {code:?}")))?,
            })
        }
        "parts" => Ok(HelpNeed::Parts {
            part: PartId::from(get::<Uuid>(r, "part_id")?),
            quantity: quantity(r, "quantity_milli")?,
        }),
        other => Err(StorageError::corrupt(format!("help kind {other:?}"))),
    }
}

/// The part a parts request asks for.
fn need_part(need: HelpNeed) -> Result<PartId, StorageError> {
    match need {
        HelpNeed::Parts { part, .. } => Ok(part),
        HelpNeed::Staff { .. } => Err(domain::Error::HelpKindUnknown.into()),
    }
}

/// A request's status, from its row.
fn status_of(r: &DbRow) -> Result<HelpStatus, StorageError> {
    let status: String = get(r, "status")?;
    HelpStatus::parse(&status)
        .ok_or_else(|| StorageError::corrupt(format!("help status {status:?}")))
}

/// Where a transfer is, from its timestamps.
fn step_of(r: &DbRow) -> Result<TransferStep, StorageError> {
    Ok(
        match (
            get::<Option<DbTime>>(r, "dispatched_at")?,
            get::<Option<DbTime>>(r, "received_at")?,
        ) {
            (_, Some(_)) => TransferStep::Received,
            (Some(_), None) => TransferStep::InTransit,
            (None, None) => TransferStep::Reserved,
        },
    )
}

/// The skills of `staff`, an active technician of `store`; [`StorageError::NotFound`]
/// for anyone else.
async fn technician_skills(
    conn: &mut Conn,
    store: StoreId,
    staff: StaffId,
) -> Result<Skills, StorageError> {
    let skills: String = sqlx::query_scalar(
        "SELECT skills FROM staff
         WHERE id = $1 AND location_id = $2 AND role = 'technician' AND deactivated_at IS NULL",
    )
    .bind(staff.as_uuid())
    .bind(store.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StorageError::NotFound)?;
    Skills::parse_codes(&skills).map_err(|_| StorageError::corrupt(format!("skills {skills:?}")))
}

/// The store's active technicians.
async fn technicians(conn: &mut Conn, store: StoreId) -> Result<Vec<Technician>, StorageError> {
    let rows = sqlx::query(
        "SELECT id, name_zh, skills FROM staff
         WHERE location_id = $1 AND role = 'technician' AND deactivated_at IS NULL
         ORDER BY name_zh",
    )
    .bind(store.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            let skills: String = get(r, "skills")?;
            Ok(Technician {
                id: StaffId::from(get::<Uuid>(r, "id")?),
                name: get(r, "name_zh")?,
                skills: Skills::parse_codes(&skills)
                    .map_err(|_| StorageError::corrupt(format!("skills {skills:?}")))?
                    .iter()
                    .collect(),
            })
        })
        .collect()
}

/// The store's service orders still to be done, soonest first, each with the parts that
/// fit its car and that it does not hold yet: what help may be asked for.
async fn open_orders(conn: &mut Conn, store: StoreId) -> Result<Vec<OpenOrder>, StorageError> {
    let rows = sqlx::query(
        "SELECT o.id, o.reference, v.plate FROM orders o JOIN vehicles v ON v.id = o.vehicle_id
         WHERE o.store_id = $1 AND o.kind = 'service'
           AND o.status IN ('booked', 'checked_in', 'in_bay')
         ORDER BY o.scheduled_start, o.reference LIMIT 100",
    )
    .bind(store.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let fits = sqlx::query(
        "SELECT o.id, f.part_id FROM orders o
         JOIN vehicles v ON v.id = o.vehicle_id
         JOIN fitments f ON f.model_id = v.model_id
         WHERE o.store_id = $1 AND o.kind = 'service'
           AND o.status IN ('booked', 'checked_in', 'in_bay')
           AND NOT EXISTS (SELECT 1 FROM reservations r
                           WHERE r.order_id = o.id AND r.part_id = f.part_id)",
    )
    .bind(store.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut fitting: std::collections::HashMap<Uuid, Vec<PartId>> = std::collections::HashMap::new();
    for r in &fits {
        fitting
            .entry(get(r, "id")?)
            .or_default()
            .push(PartId::from(get::<Uuid>(r, "part_id")?));
    }
    rows.iter()
        .map(|r| {
            let id: Uuid = get(r, "id")?;
            Ok(OpenOrder {
                id: OrderId::from(id),
                reference: get(r, "reference")?,
                plate: get(r, "plate")?,
                fitting: fitting.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

/// Every part, by SKU.
async fn all_parts(
    conn: &mut Conn,
) -> Result<Vec<(PartId, String, app::reception::Named)>, StorageError> {
    let rows = sqlx::query("SELECT id, sku, name_zh, name_en FROM parts ORDER BY sku")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok((
                PartId::from(get::<Uuid>(r, "id")?),
                get(r, "sku")?,
                named(r, "name_zh", "name_en")?,
            ))
        })
        .collect()
}

/// A value bound to [`rows`]'s filter.
enum Bind {
    Id(Uuid),
    Time(OffsetDateTime),
}

/// The requests `filter` (a `WHERE` clause over `h`, `t`, with its `ORDER BY`) selects,
/// each with its distance from `viewer` and how long it waited at `now`.
async fn rows(
    conn: &mut Conn,
    filter: &str,
    binds: &[Bind],
    viewer: Option<&Location>,
    now: OffsetDateTime,
) -> Result<Vec<HelpRow>, StorageError> {
    let sql = format!(
        "SELECT h.id, h.store_id, l.name_zh, l.name_en, l.lat_e6, l.lng_e6, o.reference, v.plate,
                h.kind, h.skill, h.part_id, p.name_zh AS part_zh, p.name_en AS part_en,
                h.quantity_milli, h.note, h.status, h.raised_at, h.accepted_at,
                hl.name_zh AS helper_zh, hl.name_en AS helper_en, s.name_zh AS visit_staff,
                h.visit_from, h.visit_until, t.eta, t.dispatch, t.dispatched_at, t.received_at
         FROM help_requests h
         JOIN locations l ON l.id = h.store_id
         JOIN orders o ON o.id = h.order_id
         JOIN vehicles v ON v.id = o.vehicle_id
         LEFT JOIN parts p ON p.id = h.part_id
         LEFT JOIN locations hl ON hl.id = h.helper_store_id
         LEFT JOIN staff s ON s.id = h.visit_staff_id
         LEFT JOIN transfers t ON t.id = h.transfer_id
         WHERE {filter} LIMIT 200"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = match b {
            Bind::Id(id) => q.bind(*id),
            Bind::Time(t) => q.bind(DbTime(*t)),
        };
    }
    let found = q.fetch_all(&mut *conn).await.map_err(db_err)?;
    found
        .iter()
        .map(|r| {
            let raised_at = get::<DbTime>(r, "raised_at")?.0;
            let accepted_at = get::<Option<DbTime>>(r, "accepted_at")?.map(|t| t.0);
            let point = domain::geo::GeoPoint::new(
                super::rows::small(r, "lat_e6")?,
                super::rows::small(r, "lng_e6")?,
            )
            .map_err(|_| StorageError::corrupt("a store's coordinates"))?;
            let helper = match get::<Option<String>>(r, "helper_zh")? {
                Some(_) => Some(named(r, "helper_zh", "helper_en")?),
                None => None,
            };
            let visit = match (
                get::<Option<String>>(r, "visit_staff")?,
                get::<Option<DbTime>>(r, "visit_from")?,
                get::<Option<DbTime>>(r, "visit_until")?,
            ) {
                (Some(staff), Some(from), Some(until)) => Some(VisitView {
                    staff,
                    from: from.0,
                    until: until.0,
                }),
                _ => None,
            };
            let transfer = match (
                get::<Option<DbTime>>(r, "eta")?,
                get::<Option<String>>(r, "dispatch")?,
            ) {
                (Some(eta), Some(dispatch)) => Some(TransferView {
                    step: step_of(r)?,
                    dispatch: Dispatch::parse(&dispatch)
                        .map_err(|_| StorageError::corrupt(format!("dispatch {dispatch:?}")))?,
                    eta: eta.0,
                }),
                _ => None,
            };
            let part = match get::<Option<String>>(r, "part_zh")? {
                Some(_) => Some(named(r, "part_zh", "part_en")?),
                None => None,
            };
            Ok(HelpRow {
                id: HelpRequestId::from(get::<Uuid>(r, "id")?),
                store: named(r, "name_zh", "name_en")?,
                store_id: StoreId::from(get::<Uuid>(r, "store_id")?),
                distance_m: viewer.map(|v| domain::geo::distance_m(v.geo, point)),
                order_reference: get(r, "reference")?,
                plate: get(r, "plate")?,
                need: need_of(r)?,
                part,
                note: get(r, "note")?,
                status: status_of(r)?,
                raised_at,
                waited_minutes: domain::help::waited_minutes(raised_at, accepted_at, now),
                helper,
                visit,
                transfer,
            })
        })
        .collect()
}

