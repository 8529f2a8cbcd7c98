//! [`RoutingStorage`]: online orders for "any store", their hops, and the expiry job's
//! claim of due offers.
//!
//! Every decision is [`domain::routing`]'s; the transactions read, ask and write:
//! - **Placing** reads what a booking decides from over every store (outside any lock:
//!   an offer holds nothing), asks [`domain::routing::place`], and writes the order and
//!   its first hop under the customer's lock, so a retry with the same key finds the
//!   first order.
//! - **Answering** locks the order's row first (`LOCK_ROWS`) and asks
//!   [`domain::routing::check_answer`] of the store's hop as it is then: of two devices
//!   accepting at once, the second waits for the first and hears "already answered". An
//!   acceptance books through [`domain::routing::accept_plan`] with the booking's own
//!   writes and guards ([`super::booking`]); the booking's idempotency key is derived
//!   from the order, so an order can never book twice, whatever else happens.
//! - **Handing on** (a decline, or the job) closes the hop and offers the order to
//!   [`domain::routing::next_store`] among the stores that can serve it now, or marks
//!   it unserved. The job claims due offers with `CLAIM_ROWS` (`FOR UPDATE SKIP LOCKED`
//!   on PostgreSQL), so instances share them out; each hop's close is also guarded
//!   (`outcome IS NULL`), so none moves twice.
//!
//! The unique keys back the rule up: one open hop per order, never the same store twice.

use std::collections::HashMap;

use app::live::LiveEvent;
use app::reception::Named;
use app::routing::{
    BookedAt, HopView, InboxItem, PartLine, PartsDetail, RoutedOrder, RoutedRequest, RoutedRow,
    RoutingOverview, RoutingStorage, StoreName, Wanted,
};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::booking::BookingRequest;
use domain::breakdown::Breakdown;
use domain::geo::GeoPoint;
use domain::order::BookedBy;
use domain::parts_order::{Basket, Handover, PartsQuote, Stockists};
use domain::pricing::{Line, PricedItem};
use domain::routing::{
    accept_plan, check_answer, next_store, service_candidates, slots_in_window,
    AcceptanceWindow, Candidate, DayPart, DeclineReason, Hop, HopOutcome, Next,
    PreferredWindow, RoutedStatus, Visit,
};
use domain::slots::Slot;
use domain::{
    BookingLimits, CustomerId, IdempotencyKey, ModelId, Money, OrderId, PartId, RoutedOrderId,
    ServiceId, StaffId, StoreId, VehicleId,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::booking::{
    customer_and_vehicle, hold_parts, insert_lines, insert_order, network_and_loads,
    network_revision, open_bookings, record_holds, take_steps, Booker,
};
use crate::storage::cache::Revisions;
use super::rows::{get, named, push_event, small, Batch, Conn, DbRow};
use super::{send_batch, Backend, CLAIM_ROWS, LOCK_ROWS};
use crate::storage::{db_err, transaction, DbTime, Serial};

#[async_trait]
impl RoutingStorage for Backend {
    async fn place(
        &self,
        customer: CustomerId,
        req: &RoutedRequest,
        limits: &BookingLimits,
        now: OffsetDateTime,
    ) -> Result<RoutedOrder, StorageError> {
        let key = req.idempotency_key.as_str();
        let (placed, last_used, window) = {
            let mut conn = self.conn().await?;
            if let Some(earlier) = earlier(&mut conn, customer, key).await? {
                return self.replay(&mut conn, customer, req, earlier).await;
            }
            let revs = self.revisions(&mut conn).await?;
            let who = customer_and_vehicle(&mut conn, customer, req.vehicle, "").await?;
            let last_used = last_store(&mut conn, customer).await?;
            let placed = match &req.wanted {
                Wanted::Service(service) => {
                    if !self
                        .services_cached(&mut conn, &revs)
                        .await?
                        .iter()
                        .any(|s| s.id == *service)
                    {
                        return Err(domain::Error::ServiceNotOffered.into());
                    }
                    let read = self
                        .read_situation(&mut conn, &revs, &who, *service, None, None, limits, now)
                        .await?;
                    let placement = domain::routing::place(
                        &read.situation,
                        &req.window,
                        req.from,
                        last_used,
                        req.expected_total,
                    )?;
                    Placing {
                        what: What::Service {
                            service: *service,
                            breakdown: placement.breakdown,
                        },
                        first: placement.first,
                    }
                }
                Wanted::Parts { lines, handover } => {
                    let fitting = fitting_parts(&mut conn, who.model).await?;
                    let basket = Basket::new(lines, &fitting)?;
                    let prices = self.prices_cached(&mut conn, &revs).await?.list.clone();
                    let stockists = self
                        .stockists(&mut conn, &revs, &basket.parts(), now)
                        .await?;
                    let placement = domain::parts_order::place(
                        &stockists,
                        &prices,
                        &basket,
                        &req.window,
                        handover,
                        req.from,
                        last_used,
                        req.expected_total,
                    )?;
                    Placing {
                        what: What::Parts {
                            quote: placement.quote,
                            handover: handover.clone(),
                        },
                        first: placement.first,
                    }
                }
            };
            let window = acceptance_window(&mut conn).await?;
            (placed, last_used, window)
        };
        let id = transaction!(self, Serial::Customer(customer), |tx| {
            if let Some(earlier) = earlier(tx, customer, key).await? {
                return Ok((earlier.0, Vec::new()));
            }
            let id = RoutedOrderId::new();
            let mut batch = Batch::default();
            let (kind, service, handover, prices, total) = placed.what.columns()?;
            let (status, store, deadline) = match placed.first {
                Next::Offer(store) => ("offered", Some(store), Some(window.deadline(now))),
                Next::Unserved => ("unserved", None, None),
            };
            let values = [
                batch.bind(id.as_uuid()),
                batch.bind(domain::routing::reference(id)),
                batch.bind(customer.as_uuid()),
                batch.bind(req.vehicle.as_uuid()),
                batch.bind(kind),
                batch.bind(service),
                batch.bind(handover.map(|h| h.code())),
                batch.bind(handover.and_then(|h| h.address()).map(str::to_owned)),
                batch.bind(req.window.date.to_string()),
                batch.bind(req.window.part.code()),
                batch.bind(i64::from(req.from.lat_e6)),
                batch.bind(i64::from(req.from.lng_e6)),
                batch.bind(last_used.map(|s| s.as_uuid())),
                batch.bind(prices),
                batch.bind(total.fen()),
                batch.bind(status),
                batch.bind(store.map(|s| s.as_uuid())),
                batch.bind(deadline.map(DbTime)),
                batch.bind(key.to_owned()),
                batch.bind(req.fingerprint()),
                batch.bind(DbTime(now)),
            ]
            .join(", ");
            let updated = batch.bind(DbTime(now));
            batch.push(format!(
                "INSERT INTO routed_orders (id, reference, customer_id, vehicle_id, kind,
                    service_id, handover, address, window_date, day_part, from_lat_e6, from_lng_e6, last_store_id, breakdown,
                    total_fen, status, store_id, deadline, idempotency_key, request_fingerprint,
                    created_at, updated_at)
                 VALUES ({values}, {updated})"
            ));
            if let (Some(store), Some(deadline)) = (store, deadline) {
                offer(&mut batch, id, 1, store, now, deadline);
            }
            let event = LiveEvent::RoutingChanged {
                store,
                customer,
                order: id,
            };
            push_event(&mut batch, &event, now)?;
            send_batch(tx, batch).await.map_err(|e| match e {
                // The same key committed by a concurrent request: run again, and replay it.
                StorageError::Conflict(cause) => StorageError::Contended(cause),
                other => other,
            })?;
            Ok((id, vec![event]))
        })?;
        self.routed_order(customer, id).await
    }

    async fn routed_order(
        &self,
        customer: CustomerId,
        id: RoutedOrderId,
    ) -> Result<RoutedOrder, StorageError> {
        load(&mut *self.conn().await?, Filter::One(customer, id))
            .await?
            .pop()
            .ok_or(StorageError::NotFound)
    }

    async fn routed_orders(&self, customer: CustomerId) -> Result<Vec<RoutedOrder>, StorageError> {
        load(&mut *self.conn().await?, Filter::Customer(customer)).await
    }

    async fn inbox(
        &self,
        store: StoreId,
        limits: &BookingLimits,
        now: OffsetDateTime,
    ) -> Result<Vec<InboxItem>, StorageError> {
        let mut conn = self.conn().await?;
        let orders = load(&mut conn, Filter::WaitingAt(store)).await?;
        if orders.is_empty() {
            return Ok(Vec::new());
        }
        let revs = self.revisions(&mut conn).await?;
        let mut items = Vec::with_capacity(orders.len());
        for order in orders {
            let head = head(&mut conn, order.id, "").await?;
            let person = person(&mut conn, order.id).await?;
            let (slots, ready_from) = self
                .what_store_can_do(&mut conn, &revs, &head, store, limits, now)
                .await?;
            items.push(InboxItem {
                order,
                customer_name: person.0,
                model: person.1,
                slots,
                ready_from,
            });
        }
        Ok(items)
    }

    async fn accept(
        &self,
        store: StoreId,
        by: StaffId,
        id: RoutedOrderId,
        start: Option<OffsetDateTime>,
        limits: &BookingLimits,
        now: OffsetDateTime,
    ) -> Result<RoutedOrder, StorageError> {
        let customer = head(&mut *self.conn().await?, id, "").await?.customer;
        // The customer's lock first, as every booking takes it; then the order's row.
        transaction!(self, Serial::Customer(customer), |tx| {
            // Settings changed meanwhile wait for this booking, as for any other.
            network_revision(tx).await?;
            let head = head(tx, id, LOCK_ROWS).await?;
            let hops = hops(tx, &[id]).await?.remove(&id).unwrap_or_default();
            check_answer(hops.iter().find(|h| h.store == store), now)?;
            let revs = self.revisions(tx).await?;
            let who = customer_and_vehicle(tx, customer, head.vehicle, "").await?;
            let order = OrderId::new();
            let mut batch = Batch::default();
            let touched = match &head.what {
                What::Service { service, breakdown } => {
                    let request = BookingRequest {
                        vehicle: head.vehicle,
                        service: *service,
                        store,
                        start: start.ok_or(domain::Error::TimeInvalid)?,
                        expected_total: breakdown.total,
                        idempotency_key: booking_key(id)?,
                    };
                    let read = self
                        .read_booking(tx, &revs, &who, &request, limits, now)
                        .await?;
                    let (open, _) = open_bookings(tx, customer, &request, now).await?;
                    let plan =
                        accept_plan(&read.situation, &request, &head.window, breakdown, &open)?;
                    hold_parts(&mut batch, &plan.holds);
                    take_steps(&mut batch, &plan);
                    let booker = Booker {
                        customer,
                        by: BookedBy::Customer,
                    };
                    insert_order(
                        &mut batch,
                        order,
                        booker,
                        &request,
                        &plan,
                        read.mileage_km,
                        now,
                    );
                    record_holds(&mut batch, order, plan.store, &plan.holds, now);
                    plan.locations()
                }
                What::Parts { quote, .. } => {
                    let basket = basket_of(quote)?;
                    let stockists = self.stockists(tx, &revs, &basket.parts(), now).await?;
                    let plan = domain::parts_order::accept_plan(
                        &stockists,
                        store,
                        &basket,
                        &head.window,
                    )?;
                    hold_parts(&mut batch, &plan.holds);
                    let parts_order = PartsOrder {
                        id: order,
                        customer,
                        vehicle: head.vehicle,
                        store,
                        owner: by,
                        mileage_km: who.mileage_km,
                        key: booking_key(id)?,
                    };
                    insert_parts_order(&mut batch, &parts_order, quote, now);
                    record_holds(&mut batch, order, store, &plan.holds, now);
                    let mut at: Vec<StoreId> = std::iter::once(store)
                        .chain(plan.holds.iter().filter_map(|h| h.shelf()))
                        .collect();
                    at.sort();
                    at.dedup();
                    at
                }
            };
            close_hop(&mut batch, id, store, "accepted", None, Some(by), now);
            let sql = format!(
                "UPDATE routed_orders SET status = 'accepted', order_id = {}, deadline = NULL,
                    updated_at = {}
                 WHERE id = {} AND status = 'offered' AND store_id = {}",
                batch.bind(order.as_uuid()),
                batch.bind(DbTime(now)),
                batch.bind(id.as_uuid()),
                batch.bind(store.as_uuid())
            );
            batch.push_guarded(sql, 1, domain::Error::RoutedAnswered);
            let events = vec![
                LiveEvent::RoutingChanged {
                    store: Some(store),
                    customer,
                    order: id,
                },
                LiveEvent::AvailabilityChanged { stores: touched },
                LiveEvent::BoardChanged { store },
            ];
            for event in &events {
                push_event(&mut batch, event, now)?;
            }
            send_batch(tx, batch).await?;
            Ok(((), events))
        })?;
        self.routed_order(customer, id).await
    }

    async fn decline(
        &self,
        store: StoreId,
        by: StaffId,
        id: RoutedOrderId,
        reason: &DeclineReason,
        limits: &BookingLimits,
        now: OffsetDateTime,
    ) -> Result<RoutedOrder, StorageError> {
        let customer = transaction!(self, Serial::Rows, |tx| {
            let head = head(tx, id, LOCK_ROWS).await?;
            let hops = hops(tx, &[id]).await?.remove(&id).unwrap_or_default();
            check_answer(hops.iter().find(|h| h.store == store), now)?;
            let mut batch = Batch::default();
            close_hop(&mut batch, id, store, "declined", Some(reason), Some(by), now);
            let events = self
                .hand_on(tx, &mut batch, &head, &hops, limits, now)
                .await?;
            send_batch(tx, batch).await?;
            Ok((head.customer, events))
        })?;
        self.routed_order(customer, id).await
    }

    async fn hand_on_due(
        &self,
        limits: &BookingLimits,
        now: OffsetDateTime,
        at_most: u32,
    ) -> Result<u32, StorageError> {
        // Most runs find nothing due: ask without taking SQLite's write lock.
        let any: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM routed_orders WHERE status = 'offered' AND deadline <= $1 LIMIT 1",
        )
        .bind(DbTime(now))
        .fetch_optional(&mut *self.conn().await?)
        .await
        .map_err(db_err)?;
        if any.is_none() {
            return Ok(0);
        }
        transaction!(self, Serial::Rows, |tx| {
            // Claimed: another instance's claim is passed over, not waited for.
            let due: Vec<Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM routed_orders
                 WHERE status = 'offered' AND deadline <= $1
                 ORDER BY deadline, id LIMIT $2{CLAIM_ROWS}"
            )))
            .bind(DbTime(now))
            .bind(i64::from(at_most))
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
            let ids: Vec<RoutedOrderId> = due.into_iter().map(RoutedOrderId::from).collect();
            if ids.is_empty() {
                // Another instance claimed them all.
                return Ok((0, Vec::new()));
            }
            let mut all_hops = hops(tx, &ids).await?;
            let mut events = Vec::new();
            let mut batch = Batch::default();
            for &id in &ids {
                let head = head(tx, id, "").await?;
                let hops = all_hops.remove(&id).unwrap_or_default();
                let Some(waiting) = hops
                    .iter()
                    .find(|h| domain::routing::is_due(h, now))
                    .map(|h| h.store)
                else {
                    return Err(StorageError::corrupt(format!(
                        "routed order {id} is due but has no open hop"
                    )));
                };
                close_hop(&mut batch, id, waiting, "expired", None, None, now);
                events.extend(
                    self.hand_on(tx, &mut batch, &head, &hops, limits, now)
                        .await?,
                );
            }
            send_batch(tx, batch).await?;
            let moved = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            Ok((moved, events))
        })
    }

    async fn acceptance_window(&self) -> Result<AcceptanceWindow, StorageError> {
        acceptance_window(&mut *self.conn().await?).await
    }

    async fn set_acceptance_window(&self, window: AcceptanceWindow) -> Result<(), StorageError> {
        let mut conn = self.write_conn().await?;
        sqlx::query("UPDATE chain_settings SET value = $1 WHERE name = 'acceptance_minutes'")
            .bind(i64::from(window.minutes()))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        drop(conn);
        self.synced().await
    }

    async fn overview(
        &self,
        now: OffsetDateTime,
        days: u16,
    ) -> Result<RoutingOverview, StorageError> {
        let mut conn = self.conn().await?;
        let since = now - time::Duration::days(i64::from(days));
        let rows = |orders: Vec<RoutedOrder>| -> Vec<RoutedRow> {
            orders.iter().map(|o| RoutedRow::of(o, now)).collect()
        };
        // Loaded oldest first: the longest wait first.
        let waiting = rows(load(&mut conn, Filter::Waiting).await?);
        Ok(RoutingOverview {
            window: acceptance_window(&mut conn).await?,
            waiting,
            unserved: rows(load(&mut conn, Filter::Since(RoutedStatus::Unserved, since)).await?),
            accepted: rows(load(&mut conn, Filter::Since(RoutedStatus::Accepted, since)).await?),
        })
    }
}

impl Backend {
    /// The stores' shelves of `parts`, as a parts order decides from them.
    pub(super) async fn stockists(
        &self,
        conn: &mut Conn,
        revs: &Revisions,
        parts: &[PartId],
        now: OffsetDateTime,
    ) -> Result<Stockists, StorageError> {
        let locations = self.locations(conn, revs).await?;
        let (network, _) = network_and_loads(conn, &locations, parts, None, (now, now)).await?;
        Ok(Stockists { network, now })
    }

    /// Every store, its distance and whether it can serve the order now. A car that has
    /// left the garage, or a service whose parts no longer fit or that is gone, leaves
    /// no store able to serve a service order.
    async fn candidates(
        &self,
        conn: &mut Conn,
        head: &Head,
        limits: &BookingLimits,
        now: OffsetDateTime,
    ) -> Result<Vec<Candidate>, StorageError> {
        let revs = self.revisions(conn).await?;
        match &head.what {
            What::Service { service, .. } => {
                let who = match customer_and_vehicle(conn, head.customer, head.vehicle, "").await
                {
                    Ok(who) => who,
                    Err(StorageError::NotFound) => return Ok(Vec::new()),
                    Err(e) => return Err(e),
                };
                match self
                    .read_situation(conn, &revs, &who, *service, None, None, limits, now)
                    .await
                {
                    Ok(read) => Ok(service_candidates(&read.situation, head.from, &head.window)),
                    Err(StorageError::NotFound | StorageError::Rule(_)) => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            }
            What::Parts { quote, handover } => {
                let basket = basket_of(quote)?;
                let stockists = self.stockists(conn, &revs, &basket.parts(), now).await?;
                Ok(domain::parts_order::candidates(
                    &stockists,
                    &basket,
                    &head.window,
                    handover,
                    head.from,
                ))
            }
        }
    }

    /// What `store` could do with the order now: a service's free starts in the
    /// window, or when the parts could change hands there (`None`: they cannot in
    /// time, and the store can only decline).
    async fn what_store_can_do(
        &self,
        conn: &mut Conn,
        revs: &Revisions,
        head: &Head,
        store: StoreId,
        limits: &BookingLimits,
        now: OffsetDateTime,
    ) -> Result<(Vec<Slot>, Option<OffsetDateTime>), StorageError> {
        match &head.what {
            What::Service { service, .. } => {
                // A car that has left the garage, or a service no longer fitted, has no
                // starts: the store can only decline.
                let who = match customer_and_vehicle(conn, head.customer, head.vehicle, "").await
                {
                    Ok(who) => who,
                    Err(StorageError::NotFound) => return Ok((Vec::new(), None)),
                    Err(e) => return Err(e),
                };
                let slots = match self
                    .read_situation(conn, revs, &who, *service, Some(store), None, limits, now)
                    .await
                {
                    Ok(read) => slots_in_window(&read.situation, store, &head.window),
                    Err(StorageError::NotFound | StorageError::Rule(_)) => Vec::new(),
                    Err(e) => return Err(e),
                };
                Ok((slots, None))
            }
            What::Parts { quote, .. } => {
                let basket = basket_of(quote)?;
                let stockists = self.stockists(conn, revs, &basket.parts(), now).await?;
                let ready = domain::parts_order::accept_plan(&stockists, store, &basket, &head.window)
                    .ok()
                    .map(|plan| plan.ready_from);
                Ok((Vec::new(), ready))
            }
        }
    }

    /// After the waiting store's hop is closed in `batch`: offers the order to the next
    /// store that can serve it now, never one in `hops`, or marks it unserved. Returns
    /// the events: the old store's inbox, and the new store's or HQ's.
    async fn hand_on(
        &self,
        conn: &mut Conn,
        batch: &mut Batch,
        head: &Head,
        hops: &[Hop],
        limits: &BookingLimits,
        now: OffsetDateTime,
    ) -> Result<Vec<LiveEvent>, StorageError> {
        let candidates = self.candidates(conn, head, limits, now).await?;
        let tried: Vec<StoreId> = hops.iter().map(|h| h.store).collect();
        let next = next_store(head.last_store, &candidates, &tried);
        let id = batch.bind(head.id.as_uuid());
        let sql = match next {
            Next::Offer(store) => {
                let deadline = acceptance_window(conn).await?.deadline(now);
                offer(batch, head.id, hops.len() + 1, store, now, deadline);
                format!(
                    "UPDATE routed_orders SET store_id = {}, deadline = {}, updated_at = {}
                     WHERE id = {id} AND status = 'offered'",
                    batch.bind(store.as_uuid()),
                    batch.bind(DbTime(deadline)),
                    batch.bind(DbTime(now)),
                )
            }
            Next::Unserved => format!(
                "UPDATE routed_orders SET status = 'unserved', store_id = NULL, deadline = NULL,
                    updated_at = {}
                 WHERE id = {id} AND status = 'offered'",
                batch.bind(DbTime(now)),
            ),
        };
        batch.push_guarded(sql, 1, domain::Error::RoutedAnswered);
        let changed = |store| LiveEvent::RoutingChanged {
            store,
            customer: head.customer,
            order: head.id,
        };
        let events: Vec<LiveEvent> = hops
            .last()
            .map(|h| changed(Some(h.store)))
            .into_iter()
            .chain(std::iter::once(changed(match next {
                Next::Offer(store) => Some(store),
                Next::Unserved => None,
            })))
            .collect();
        for event in &events {
            push_event(batch, event, now)?;
        }
        Ok(events)
    }

    /// The order a retry with the same key placed, if it is the same request
    /// ([`domain::Error::IdempotencyKeyReused`] if it asks for something else).
    async fn replay(
        &self,
        conn: &mut Conn,
        customer: CustomerId,
        req: &RoutedRequest,
        (id, fingerprint): (RoutedOrderId, String),
    ) -> Result<RoutedOrder, StorageError> {
        if fingerprint != req.fingerprint() {
            return Err(domain::Error::IdempotencyKeyReused.into());
        }
        load(conn, Filter::One(customer, id))
            .await?
            .pop()
            .ok_or(StorageError::NotFound)
    }
}

/// The key of the booking an order's acceptance makes: one per order, so the orders'
/// unique key on (customer, key) refuses a second booking of it.
fn booking_key(id: RoutedOrderId) -> Result<IdempotencyKey, StorageError> {
    Ok(IdempotencyKey::parse(&format!(
        "routed-{}",
        id.as_uuid().simple()
    ))?)
}

/// Offers the order to `store` as hop `no`.
fn offer(
    batch: &mut Batch,
    id: RoutedOrderId,
    no: usize,
    store: StoreId,
    now: OffsetDateTime,
    deadline: OffsetDateTime,
) {
    let sql = format!(
        "INSERT INTO routing_hops (routed_id, hop_no, store_id, offered_at, deadline)
         VALUES ({}, {}, {}, {}, {})",
        batch.bind(id.as_uuid()),
        batch.bind(i64::try_from(no).unwrap_or(i64::MAX)),
        batch.bind(store.as_uuid()),
        batch.bind(DbTime(now)),
        batch.bind(DbTime(deadline)),
    );
    batch.push(sql);
}

/// Closes `store`'s open hop with `outcome`, only if it is still open.
fn close_hop(
    batch: &mut Batch,
    id: RoutedOrderId,
    store: StoreId,
    outcome: &str,
    reason: Option<&DeclineReason>,
    by: Option<StaffId>,
    now: OffsetDateTime,
) {
    let sql = format!(
        "UPDATE routing_hops SET outcome = {}, reason = {}, note = {}, decided_at = {},
            decided_by = {}
         WHERE routed_id = {} AND store_id = {} AND outcome IS NULL",
        batch.bind(outcome.to_owned()),
        batch.bind(reason.map(|r| r.code())),
        batch.bind(reason.and_then(|r| r.note()).map(str::to_owned)),
        batch.bind(DbTime(now)),
        batch.bind(by.map(|s| s.as_uuid())),
        batch.bind(id.as_uuid()),
        batch.bind(store.as_uuid()),
    );
    batch.push_guarded(sql, 1, domain::Error::RoutedAnswered);
}

/// An earlier order of the customer's with this key, and its request's fingerprint.
async fn earlier(
    conn: &mut Conn,
    customer: CustomerId,
    key: &str,
) -> Result<Option<(RoutedOrderId, String)>, StorageError> {
    let row = sqlx::query(
        "SELECT id, request_fingerprint FROM routed_orders
         WHERE customer_id = $1 AND idempotency_key = $2",
    )
    .bind(customer.as_uuid())
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    row.map(|r| {
        Ok((
            RoutedOrderId::from(get::<Uuid>(&r, "id")?),
            get(&r, "request_fingerprint")?,
        ))
    })
    .transpose()
}

/// The store the customer used last ([`domain::routing::last_used`] over their orders).
async fn last_store(conn: &mut Conn, customer: CustomerId) -> Result<Option<StoreId>, StorageError> {
    let rows = sqlx::query(
        "SELECT store_id, status, COALESCE(completed_at, created_at) AS at
         FROM orders WHERE customer_id = $1",
    )
    .bind(customer.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let visits = rows
        .iter()
        .map(|r| {
            let status: String = get(r, "status")?;
            Ok(Visit {
                store: StoreId::from(get::<Uuid>(r, "store_id")?),
                status: domain::OrderStatus::parse(&status)
                    .ok_or_else(|| StorageError::corrupt(format!("status {status:?}")))?,
                at: get::<DbTime>(r, "at")?.0,
            })
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    Ok(domain::routing::last_used(&visits))
}

/// HQ's acceptance window.
async fn acceptance_window(conn: &mut Conn) -> Result<AcceptanceWindow, StorageError> {
    let minutes: i64 =
        sqlx::query_scalar("SELECT value FROM chain_settings WHERE name = 'acceptance_minutes'")
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
    u16::try_from(minutes)
        .ok()
        .and_then(|m| AcceptanceWindow::new(m).ok())
        .ok_or_else(|| StorageError::corrupt(format!("acceptance window {minutes}")))
}

/// What deciding about an order reads of it.
struct Head {
    id: RoutedOrderId,
    customer: CustomerId,
    vehicle: VehicleId,
    what: What,
    window: PreferredWindow,
    from: GeoPoint,
    last_store: Option<StoreId>,
}

/// What an order is for, with the prices it locked.
enum What {
    Service {
        service: ServiceId,
        breakdown: Breakdown,
    },
    Parts {
        quote: PartsQuote,
        handover: Handover,
    },
}

impl What {
    /// Its columns: kind, service, handover, locked prices (JSON) and total.
    #[allow(clippy::type_complexity)]
    fn columns(
        &self,
    ) -> Result<(&'static str, Option<Uuid>, Option<&Handover>, String, Money), StorageError> {
        let json = |r: serde_json::Result<String>| r.map_err(|e| StorageError::Backend(Box::new(e)));
        Ok(match self {
            What::Service { service, breakdown } => (
                "service",
                Some(service.as_uuid()),
                None,
                json(serde_json::to_string(breakdown))?,
                breakdown.total,
            ),
            What::Parts { quote, handover } => (
                "parts",
                None,
                Some(handover),
                json(serde_json::to_string(quote))?,
                quote.total,
            ),
        })
    }

    /// From its columns.
    fn from_row(r: &DbRow) -> Result<What, StorageError> {
        let kind: String = get(r, "kind")?;
        let prices: String = get(r, "breakdown")?;
        let corrupt = |e: serde_json::Error| StorageError::corrupt(format!("routed order prices: {e}"));
        match kind.as_str() {
            "service" => Ok(What::Service {
                service: ServiceId::from(get::<Uuid>(r, "service_id")?),
                breakdown: serde_json::from_str(&prices).map_err(corrupt)?,
            }),
            "parts" => {
                let code: String = get(r, "handover")?;
                let address: Option<String> = get(r, "address")?;
                Ok(What::Parts {
                    quote: serde_json::from_str(&prices).map_err(corrupt)?,
                    handover: Handover::parse(&code, address.as_deref().unwrap_or(""))
                        .map_err(|_| StorageError::corrupt(format!("handover {code:?}")))?,
                })
            }
            other => Err(StorageError::corrupt(format!("routed order kind {other:?}"))),
        }
    }
}

/// A new order's decision: what it is for and where it goes first.
struct Placing {
    what: What,
    first: Next,
}

/// The basket a parts order's quote priced (its parts were checked to fit when it was
/// placed).
pub(super) fn basket_of(quote: &PartsQuote) -> Result<Basket, StorageError> {
    let lines = quote.basket();
    let parts: Vec<PartId> = lines.iter().map(|(p, _)| *p).collect();
    Basket::new(&lines, &parts)
        .map_err(|e| StorageError::corrupt(format!("a parts order's basket: {e}")))
}

/// The parts that fit cars of `model`.
pub(super) async fn fitting_parts(conn: &mut Conn, model: ModelId) -> Result<Vec<PartId>, StorageError> {
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT part_id FROM fitments WHERE model_id = $1")
        .bind(model.as_uuid())
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(ids.into_iter().map(PartId::from).collect())
}

/// The order an accepted parts order makes.
struct PartsOrder {
    id: OrderId,
    customer: CustomerId,
    vehicle: VehicleId,
    store: StoreId,
    /// Who accepted it: its owner (rule 6).
    owner: StaffId,
    mileage_km: u32,
    key: IdempotencyKey,
}

/// Inserts the order of an accepted parts order: parts lines at the locked prices, no
/// capacity, no scheduled start; online, booked, owned by who accepted it.
fn insert_parts_order(batch: &mut Batch, o: &PartsOrder, quote: &PartsQuote, now: OffsetDateTime) {
    let values = [
        batch.bind(o.id.as_uuid()),
        batch.bind(domain::booking::reference(o.id)),
        batch.bind(o.customer.as_uuid()),
        batch.bind(o.vehicle.as_uuid()),
        batch.bind(o.store.as_uuid()),
        batch.bind(i64::from(quote.price_list_version)),
        batch.bind(quote.total.fen()),
        batch.bind(i64::from(o.mileage_km)),
        batch.bind(DbTime(now)),
        batch.bind(o.key.as_str().to_owned()),
        batch.bind(o.owner.as_uuid()),
        batch.bind(format!("routed|{}", o.key.as_str())),
    ]
    .join(", ");
    batch.push(format!(
        "INSERT INTO orders (id, reference, customer_id, vehicle_id, store_id, price_list_version,
            total_fen, mileage_km, created_at, idempotency_key, responsible_id,
            request_fingerprint, kind, channel, status)
         VALUES ({values}, 'parts', 'online', 'booked')"
    ));
    insert_lines(batch, o.id, &quote.lines);
}

/// The order's row (`lock` is `LOCK_ROWS` to hold it until the transaction ends).
async fn head(conn: &mut Conn, id: RoutedOrderId, lock: &str) -> Result<Head, StorageError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT customer_id, vehicle_id, kind, service_id, handover, address, window_date,
                day_part, from_lat_e6, from_lng_e6, last_store_id, breakdown
         FROM routed_orders WHERE id = $1{lock}"
    )))
    .bind(id.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StorageError::NotFound)?;
    Ok(Head {
        id,
        customer: CustomerId::from(get::<Uuid>(&r, "customer_id")?),
        vehicle: VehicleId::from(get::<Uuid>(&r, "vehicle_id")?),
        what: What::from_row(&r)?,
        window: window(&r)?,
        from: GeoPoint::new(small(&r, "from_lat_e6")?, small(&r, "from_lng_e6")?)
            .map_err(|_| StorageError::corrupt("routed order location"))?,
        last_store: get::<Option<Uuid>>(&r, "last_store_id")?.map(StoreId::from),
    })
}

fn window(r: &DbRow) -> Result<PreferredWindow, StorageError> {
    let date: String = get(r, "window_date")?;
    let part: String = get(r, "day_part")?;
    Ok(PreferredWindow {
        date: domain::local_time::parse_date(&date)
            .map_err(|_| StorageError::corrupt(format!("window date {date:?}")))?,
        part: DayPart::parse(&part)
            .ok_or_else(|| StorageError::corrupt(format!("day part {part:?}")))?,
    })
}

/// The customer's name and the car's model, for the store's inbox.
async fn person(conn: &mut Conn, id: RoutedOrderId) -> Result<(String, Named), StorageError> {
    let r = sqlx::query(
        "SELECT c.name_zh AS customer, m.name_zh, m.name_en
         FROM routed_orders r
         JOIN customers c ON c.id = r.customer_id
         JOIN vehicles v ON v.id = r.vehicle_id
         JOIN vehicle_models m ON m.id = v.model_id
         WHERE r.id = $1",
    )
    .bind(id.as_uuid())
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok((get(&r, "customer")?, named(&r, "name_zh", "name_en")?))
}

/// The hops of these orders, each order's in order.
async fn hops(
    conn: &mut Conn,
    ids: &[RoutedOrderId],
) -> Result<HashMap<RoutedOrderId, Vec<Hop>>, StorageError> {
    Ok(hop_views(conn, ids)
        .await?
        .into_iter()
        .map(|(id, views)| (id, views.into_iter().map(|v| v.hop).collect()))
        .collect())
}

async fn hop_views(
    conn: &mut Conn,
    ids: &[RoutedOrderId],
) -> Result<HashMap<RoutedOrderId, Vec<HopView>>, StorageError> {
    let mut out: HashMap<RoutedOrderId, Vec<HopView>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT h.routed_id, h.store_id, l.name_zh, l.name_en, h.offered_at, h.deadline,
                h.outcome, h.reason, h.note, h.decided_at, h.decided_by
         FROM routing_hops h JOIN locations l ON l.id = h.store_id
         WHERE h.routed_id IN ({})
         ORDER BY h.routed_id, h.hop_no",
        super::rows::placeholders(1, ids.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(id.as_uuid());
    }
    for r in q.fetch_all(&mut *conn).await.map_err(db_err)? {
        let outcome: Option<String> = get(&r, "outcome")?;
        let outcome = match outcome.as_deref() {
            None => None,
            Some("accepted") => Some(HopOutcome::Accepted),
            Some("expired") => Some(HopOutcome::Expired),
            Some("declined") => {
                let code: String = get(&r, "reason")?;
                let note: Option<String> = get(&r, "note")?;
                let reason = DeclineReason::parse(&code, note.as_deref().unwrap_or(""))
                    .map_err(|_| StorageError::corrupt(format!("decline reason {code:?}")))?;
                Some(HopOutcome::Declined { reason })
            }
            Some(other) => return Err(StorageError::corrupt(format!("hop outcome {other:?}"))),
        };
        let store = StoreId::from(get::<Uuid>(&r, "store_id")?);
        let hop = Hop {
            store,
            offered_at: get::<DbTime>(&r, "offered_at")?.0,
            deadline: get::<DbTime>(&r, "deadline")?.0,
            outcome,
            decided_at: get::<Option<DbTime>>(&r, "decided_at")?.map(|t| t.0),
            decided_by: get::<Option<Uuid>>(&r, "decided_by")?.map(StaffId::from),
        };
        out.entry(RoutedOrderId::from(get::<Uuid>(&r, "routed_id")?))
            .or_default()
            .push(HopView {
                store: StoreName {
                    id: store,
                    name: named(&r, "name_zh", "name_en")?,
                },
                hop,
            });
    }
    Ok(out)
}

/// Which orders [`load`] reads.
pub(super) enum Filter {
    /// One, if it is the customer's.
    One(CustomerId, RoutedOrderId),
    /// The customer's, newest first.
    Customer(CustomerId),
    /// Waiting for the store's answer, soonest deadline first.
    WaitingAt(StoreId),
    /// Waiting anywhere.
    Waiting,
    /// With this status, changed since then, newest first.
    Since(RoutedStatus, OffsetDateTime),
    /// Parts orders the store accepted and has not handed over, soonest day first.
    ToHandOver(StoreId),
}

/// At most this many orders in one list of HQ's view.
const LIST_CAP: i64 = 200;

/// Orders with their hops, in two queries however many there are.
pub(super) async fn load(conn: &mut Conn, filter: Filter) -> Result<Vec<RoutedOrder>, StorageError> {
    let (filter_sql, order) = match filter {
        Filter::One(..) => ("r.customer_id = $1 AND r.id = $2", "r.created_at DESC"),
        Filter::Customer(_) => ("r.customer_id = $1", "r.created_at DESC"),
        Filter::WaitingAt(_) => ("r.store_id = $1 AND r.status = 'offered'", "r.deadline"),
        Filter::Waiting => ("r.status = 'offered'", "r.created_at"),
        Filter::Since(..) => ("r.status = $1 AND r.updated_at >= $2", "r.updated_at DESC"),
        Filter::ToHandOver(_) => (
            "r.store_id = $1 AND r.status = 'accepted' AND r.kind = 'parts' AND o.status = 'booked'",
            "r.window_date, r.created_at",
        ),
    };
    let sql = format!(
        "SELECT r.id, r.reference, r.status, r.customer_id, r.kind, r.service_id, r.handover,
                r.address, r.breakdown, s.name_zh AS service_zh, s.name_en AS service_en,
                v.plate, r.window_date, r.day_part, r.total_fen, r.store_id,
                l.name_zh AS store_zh, l.name_en AS store_en, r.deadline, r.order_id,
                o.scheduled_start, o.reference AS order_reference, o.status AS order_status,
                o.completed_at, r.created_at
         FROM routed_orders r
         LEFT JOIN services s ON s.id = r.service_id
         JOIN vehicles v ON v.id = r.vehicle_id
         LEFT JOIN locations l ON l.id = r.store_id
         LEFT JOIN orders o ON o.id = r.order_id
         WHERE {filter_sql}
         ORDER BY {order} LIMIT {LIST_CAP}"
    );
    let q = sqlx::query(sqlx::AssertSqlSafe(sql));
    let q = match filter {
        Filter::One(customer, id) => q.bind(customer.as_uuid()).bind(id.as_uuid()),
        Filter::Customer(customer) => q.bind(customer.as_uuid()),
        Filter::WaitingAt(store) => q.bind(store.as_uuid()),
        Filter::Waiting => q,
        Filter::Since(status, since) => q.bind(status.code()).bind(DbTime(since)),
        Filter::ToHandOver(store) => q.bind(store.as_uuid()),
    };
    let rows = q.fetch_all(&mut *conn).await.map_err(db_err)?;
    let ids = rows
        .iter()
        .map(|r| get::<Uuid>(r, "id").map(RoutedOrderId::from))
        .collect::<Result<Vec<_>, _>>()?;
    let mut hops = hop_views(conn, &ids).await?;
    let whats = rows.iter().map(What::from_row).collect::<Result<Vec<_>, _>>()?;
    let names = part_names(
        conn,
        &whats
            .iter()
            .flat_map(|w| match w {
                What::Parts { quote, .. } => quote.basket().into_iter().map(|(p, _)| p).collect(),
                What::Service { .. } => Vec::new(),
            })
            .collect::<Vec<_>>(),
    )
    .await?;
    rows.iter()
        .zip(ids)
        .zip(whats)
        .map(|((r, id), what)| {
            let status: String = get(r, "status")?;
            let store = match get::<Option<Uuid>>(r, "store_id")? {
                Some(store) => Some(StoreName {
                    id: StoreId::from(store),
                    name: named(r, "store_zh", "store_en")?,
                }),
                None => None,
            };
            let booking = match (
                get::<Option<Uuid>>(r, "order_id")?,
                get::<Option<DbTime>>(r, "scheduled_start")?,
            ) {
                (Some(order), Some(start)) => Some(BookedAt::new(OrderId::from(order), start.0)),
                _ => None,
            };
            let (title, parts) = match what {
                What::Service { .. } => (named(r, "service_zh", "service_en")?, None),
                What::Parts { quote, handover } => {
                    let lines = quote
                        .lines
                        .iter()
                        .map(|l| part_line(&names, l))
                        .collect::<Result<Vec<_>, _>>()?;
                    let handed = get::<Option<String>>(r, "order_status")?.as_deref()
                        == Some(domain::OrderStatus::HandedOver.code());
                    let detail = PartsDetail {
                        handover,
                        order: get(r, "order_reference")?,
                        handed_over_at: if handed {
                            get::<Option<DbTime>>(r, "completed_at")?.map(|t| t.0)
                        } else {
                            None
                        },
                        lines,
                    };
                    (parts_title(&detail.lines), Some(detail))
                }
            };
            Ok(RoutedOrder {
                id,
                reference: get(r, "reference")?,
                status: RoutedStatus::parse(&status)
                    .ok_or_else(|| StorageError::corrupt(format!("routed status {status:?}")))?,
                customer: CustomerId::from(get::<Uuid>(r, "customer_id")?),
                title,
                plate: get(r, "plate")?,
                window: window(r)?,
                total: Money::from_fen(get(r, "total_fen")?),
                store,
                deadline: get::<Option<DbTime>>(r, "deadline")?.map(|t| t.0),
                booking,
                parts,
                hops: hops.remove(&id).unwrap_or_default(),
                created_at: get::<DbTime>(r, "created_at")?.0,
            })
        })
        .collect()
}

/// What a part is called, its SKU and its unit, by part.
type PartNames = HashMap<PartId, (String, Named, Named)>;

/// The names of `parts`, in one query.
async fn part_names(conn: &mut Conn, parts: &[PartId]) -> Result<PartNames, StorageError> {
    let mut out = HashMap::new();
    if parts.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT p.id, p.sku, p.name_zh, p.name_en, c.unit_zh, c.unit_en
         FROM parts p JOIN part_categories c ON c.id = p.category_id
         WHERE p.id IN ({})",
        super::rows::placeholders(1, parts.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in parts {
        q = q.bind(p.as_uuid());
    }
    for r in q.fetch_all(&mut *conn).await.map_err(db_err)? {
        out.insert(
            PartId::from(get::<Uuid>(&r, "id")?),
            (
                get(&r, "sku")?,
                named(&r, "name_zh", "name_en")?,
                named(&r, "unit_zh", "unit_en")?,
            ),
        );
    }
    Ok(out)
}

/// A locked line of a parts order, named.
fn part_line(names: &PartNames, line: &Line) -> Result<PartLine, StorageError> {
    let PricedItem::Part(part) = line.item else {
        return Err(StorageError::corrupt("a service line in a parts order"));
    };
    let (sku, name, unit) = names
        .get(&part)
        .cloned()
        .ok_or_else(|| StorageError::corrupt(format!("part {part} of a parts order")))?;
    Ok(PartLine {
        part,
        sku,
        name,
        unit,
        quantity: line.quantity,
        unit_price: line.unit_price,
        total: line.total,
    })
}

/// A parts order's title: its parts and how many, in a line.
fn parts_title(lines: &[PartLine]) -> Named {
    let join = |lang: app::i18n::Lang, sep: &str| {
        lines
            .iter()
            .map(|l| format!("{} ×{}", l.name.get(lang), l.quantity))
            .collect::<Vec<_>>()
            .join(sep)
    };
    Named {
        zh: join(app::i18n::Lang::Zh, "、"),
        en: join(app::i18n::Lang::En, ", "),
    }
}
