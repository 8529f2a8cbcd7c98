//! Online orders for "any store" (rule 5), on SQLite and PostgreSQL, with time set by
//! the test: the route (last store, then nearest capable, never twice, then unserved),
//! the acceptance window (an unanswered order moves on at its end, a declined one at
//! once, one accepted in its last second stays), bad answers that change nothing, two
//! devices accepting at once, two instances sharing the expiry job, and a restart.
//! Parts orders: routed to a store that has the parts on its shelf (and, for a
//! delivery, within reach), held on acceptance, handed over once whatever two devices do.

mod common;

use std::sync::Arc;

use app::routing::{PartOffer, RoutedOrder, RoutedRequest, RoutingStorage, Wanted};
use app::storage::StorageError;
use common::{
    advisor_at, bulk_customers_with_cars, call_as, customer_with_car, error, place_any_store_order,
    signed_in, store, stores, Arg, TestDb, TestServer, ADVISOR,
};
use domain::geo::{distance_m, GeoPoint};
use domain::local_time::{at_local_minute, local_date};
use domain::parts_order::Handover;
use domain::routing::{DayPart, DeclineReason, HopOutcome, PreferredWindow, RoutedStatus};
use domain::{
    BookingLimits, CustomerId, Error as E, IdempotencyKey, Money, PartId, Quantity, RoutedOrderId,
    ServiceId, StaffId, StoreId, VehicleId,
};
use server::live::Hub;
use server::storage::Database;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

both_backends!(
    a_new_customer_goes_to_the_nearest_store_and_on_by_distance_until_unserved,
    a_known_customer_goes_to_the_store_they_used_last,
    an_unanswered_order_moves_on_at_the_end_of_its_window,
    a_declined_order_moves_on_at_once,
    an_order_accepted_in_its_last_second_stays_and_books_the_store,
    bad_answers_are_refused_and_change_nothing,
    two_devices_accepting_one_order_at_once_book_it_once,
    two_instances_move_each_due_order_exactly_once,
    an_order_due_while_the_server_was_down_moves_on_at_start,
    bad_input_over_http_gets_a_clear_message_and_changes_nothing,
    a_parts_order_is_accepted_held_and_handed_over_once,
    parts_come_from_a_stores_own_shelf_and_deliveries_stay_within_reach,
    bad_parts_orders_are_refused_and_change_nothing,
);

/// A morning two days from now, 08:00 in the stores' time: the test's "now".
fn t0() -> OffsetDateTime {
    #[allow(clippy::disallowed_methods)]
    let today = local_date(OffsetDateTime::now_utc());
    at_local_minute(today + Duration::days(2), 8 * 60)
}

struct Fixture {
    database: Database,
    routing: Arc<dyn RoutingStorage>,
    customer: CustomerId,
    vehicle: VehicleId,
    service: ServiceId,
    total: Money,
    limits: BookingLimits,
}

/// A customer with no visits yet and a Corolla, and what an oil change costs them.
async fn fixture(db: &TestDb) -> Fixture {
    let database = db.open(Hub::new(), true).await;
    let (_, vehicle) = bulk_customers_with_cars(db, 1).await.remove(0);
    customer_fixture(db, database, VehicleId::parse(&vehicle).expect("vehicle")).await
}

async fn customer_fixture(db: &TestDb, database: Database, vehicle: VehicleId) -> Fixture {
    let rows: Vec<(Uuid,)> = db
        .rows(
            "SELECT customer_id FROM vehicles WHERE id = $1",
            &[Arg::Id(vehicle.as_uuid())],
        )
        .await;
    let customer = CustomerId::from(rows[0].0);
    let services: Vec<(Uuid,)> = db
        .rows("SELECT id FROM services WHERE code = 'OIL_CHANGE'", &[])
        .await;
    let service = ServiceId::from(services[0].0);
    let limits = BookingLimits::default();
    let storages = database.storages();
    let (situation, _) = storages
        .booking
        .situation(customer, vehicle, service, None, &limits, t0())
        .await
        .expect("situation");
    let total = situation.priced().expect("priced").total;
    Fixture {
        routing: storages.routing,
        database,
        customer,
        vehicle,
        service,
        total,
        limits,
    }
}

impl Fixture {
    /// The customer's request for the afternoon of [`t0`]'s day, measured from `from`.
    fn request(&self, from: GeoPoint) -> RoutedRequest {
        RoutedRequest {
            vehicle: self.vehicle,
            wanted: Wanted::Service(self.service),
            window: PreferredWindow {
                date: local_date(t0()),
                part: DayPart::Afternoon,
            },
            from,
            expected_total: self.total,
            idempotency_key: IdempotencyKey::parse(&Uuid::now_v7().to_string()).expect("key"),
        }
    }

    async fn place(&self, from: GeoPoint, at: OffsetDateTime) -> RoutedOrder {
        self.routing
            .place(self.customer, &self.request(from), &self.limits, at)
            .await
            .expect("placed")
    }

    async fn order(&self, id: RoutedOrderId) -> RoutedOrder {
        self.routing
            .routed_order(self.customer, id)
            .await
            .expect("order")
    }

    async fn decline(
        &self,
        db: &TestDb,
        order: &RoutedOrder,
        at: OffsetDateTime,
    ) -> Result<RoutedOrder, StorageError> {
        let store = order.store.as_ref().expect("waiting at a store").id;
        self.routing
            .decline(
                store,
                advisor_at(db, store).await,
                order.id,
                &DeclineReason::FullyBooked,
                &self.limits,
                at,
            )
            .await
    }

    /// Accepts at the waiting store's first free start in the window.
    async fn accept(
        &self,
        db: &TestDb,
        order: &RoutedOrder,
        at: OffsetDateTime,
    ) -> Result<RoutedOrder, StorageError> {
        let store = order.store.as_ref().expect("waiting at a store").id;
        let start = self.first_start(store, order.id, at).await;
        self.routing
            .accept(
                store,
                advisor_at(db, store).await,
                order.id,
                Some(start),
                &self.limits,
                at,
            )
            .await
    }

    /// The store's first free start for the order, as its inbox shows it.
    async fn first_start(
        &self,
        store: StoreId,
        order: RoutedOrderId,
        at: OffsetDateTime,
    ) -> OffsetDateTime {
        let inbox = self
            .routing
            .inbox(store, &self.limits, at)
            .await
            .expect("inbox");
        let item = inbox
            .iter()
            .find(|i| i.order.id == order)
            .expect("in the store's inbox");
        item.slots.first().expect("a free start").start
    }
}

fn rule(e: StorageError) -> E {
    match e {
        StorageError::Rule(rule) => rule,
        other => panic!("expected a rule, got {other:?}"),
    }
}

async fn a_new_customer_goes_to_the_nearest_store_and_on_by_distance_until_unserved(db: TestDb) {
    let f = fixture(&db).await;
    let all = stores(&db).await;
    let (_, from) = store(&db, "HZ-XH").await;
    let mut expected: Vec<(u32, StoreId)> = all
        .iter()
        .map(|(id, _, point)| (distance_m(from, *point), *id))
        .collect();
    expected.sort();
    let expected: Vec<StoreId> = expected.into_iter().map(|(_, id)| id).collect();

    let mut order = f.place(from, t0()).await;
    let mut at = t0();
    let mut route = Vec::new();
    while order.status == RoutedStatus::Offered {
        route.push(order.store.as_ref().expect("store").id);
        at += Duration::minutes(1);
        order = f.decline(&db, &order, at).await.expect("declined");
    }
    // Every store in turn, nearest first, each once; then nobody is left.
    assert_eq!(route, expected);
    assert_eq!(order.status, RoutedStatus::Unserved);
    assert!(order.store.is_none());
    assert_eq!(order.hops.len(), expected.len());
    assert!(order.hops.iter().all(|h| matches!(
        h.hop.outcome,
        Some(HopOutcome::Declined {
            reason: DeclineReason::FullyBooked
        })
    )));
    let kept: Vec<(i64, i64)> = db
        .rows(
            "SELECT COUNT(*), COUNT(DISTINCT store_id) FROM routing_hops WHERE routed_id = $1",
            &[Arg::Id(order.id.as_uuid())],
        )
        .await;
    assert_eq!(kept[0], (expected.len() as i64, expected.len() as i64));
    // HQ sees it among the unserved.
    let overview = f.routing.overview(at, 7).await.expect("overview");
    assert!(overview
        .unserved
        .iter()
        .any(|o| o.reference == order.reference));
    assert!(overview
        .waiting
        .iter()
        .all(|o| o.reference != order.reference));
}

async fn a_known_customer_goes_to_the_store_they_used_last(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    // The demo customer of the README, whose last visit was at some store.
    // (A car of theirs that takes an oil change: not the electric one.)
    let rows: Vec<(Uuid, Uuid)> = db
        .rows(
            "SELECT v.id, o.store_id FROM customers c
             JOIN vehicles v ON v.customer_id = c.id
             JOIN vehicle_models m ON m.id = v.model_id AND m.powertrain <> 'electric'
             JOIN orders o ON o.customer_id = c.id AND o.status = 'handed_over'
             WHERE c.phone = '13800000001'
             ORDER BY o.completed_at DESC, o.created_at DESC LIMIT 1",
            &[],
        )
        .await;
    let (vehicle, last) = rows[0];
    let last = StoreId::from(last);
    let f = customer_fixture(&db, database, VehicleId::from(vehicle)).await;
    // Measured from the store farthest from it, the last store still comes first.
    let all = stores(&db).await;
    let (_, _, last_point) = all.iter().find(|(id, ..)| *id == last).expect("last store");
    let far = all
        .iter()
        .max_by_key(|(_, _, p)| distance_m(*last_point, *p))
        .expect("stores")
        .2;
    let order = f.place(far, t0()).await;
    assert_eq!(order.status, RoutedStatus::Offered);
    assert_eq!(order.store.as_ref().map(|s| s.id), Some(last));
    assert_eq!(order.hops.len(), 1);
    // Declined there, it goes to the nearest other store from the customer.
    let next = f
        .decline(&db, &order, t0() + Duration::minutes(2))
        .await
        .expect("declined");
    let nearest = all
        .iter()
        .filter(|(id, ..)| *id != last)
        .min_by_key(|(id, _, p)| (distance_m(far, *p), *id))
        .expect("another store")
        .0;
    assert_eq!(next.store.as_ref().map(|s| s.id), Some(nearest));
}

async fn an_unanswered_order_moves_on_at_the_end_of_its_window(db: TestDb) {
    let f = fixture(&db).await;
    let (first, from) = store(&db, "HZ-XH").await;
    let order = f.place(from, t0()).await;
    let deadline = t0() + Duration::minutes(60);
    assert_eq!(order.deadline, Some(deadline));
    assert_eq!(order.store.as_ref().map(|s| s.id), Some(first));

    // One second before the end, nothing moves.
    let moved = server::jobs::hand_on_due_orders(
        f.routing.as_ref(),
        &f.limits,
        deadline - Duration::seconds(1),
    )
    .await
    .expect("job");
    assert_eq!(moved, 0);
    assert_eq!(f.order(order.id).await.hops.len(), 1);

    // At the end it moves on, once, with the hop recorded as expired.
    let moved = server::jobs::hand_on_due_orders(f.routing.as_ref(), &f.limits, deadline)
        .await
        .expect("job");
    assert_eq!(moved, 1);
    let now = f.order(order.id).await;
    assert_eq!(now.status, RoutedStatus::Offered);
    assert_eq!(now.hops.len(), 2);
    assert_eq!(now.hops[0].hop.outcome, Some(HopOutcome::Expired));
    assert_eq!(now.hops[0].hop.decided_at, Some(deadline));
    assert_ne!(now.hops[1].store.id, first);
    assert_eq!(now.hops[1].hop.offered_at, deadline);
    assert_eq!(now.deadline, Some(deadline + Duration::minutes(60)));
    // Running again at the same instant moves nothing more.
    let again = server::jobs::hand_on_due_orders(f.routing.as_ref(), &f.limits, deadline)
        .await
        .expect("job");
    assert_eq!(again, 0);
    // The first store can no longer answer it.
    let late = f
        .routing
        .accept(
            first,
            advisor_at(&db, first).await,
            order.id,
            Some(now.hops[1].hop.offered_at + Duration::hours(5)),
            &f.limits,
            deadline + Duration::seconds(1),
        )
        .await
        .map_err(rule);
    assert_eq!(late.err(), Some(E::AnswerWindowClosed));
}

async fn a_declined_order_moves_on_at_once(db: TestDb) {
    let f = fixture(&db).await;
    let (first, from) = store(&db, "HZ-XH").await;
    let order = f.place(from, t0()).await;
    let at = t0() + Duration::minutes(5);
    let moved = f.decline(&db, &order, at).await.expect("declined");
    assert_eq!(moved.status, RoutedStatus::Offered);
    assert_eq!(moved.hops.len(), 2);
    assert_eq!(moved.hops[0].store.id, first);
    assert_eq!(moved.hops[0].hop.decided_at, Some(at));
    let next = moved.store.as_ref().expect("next store").id;
    assert_ne!(next, first);
    assert_eq!(moved.hops[1].hop.offered_at, at);
    assert_eq!(moved.deadline, Some(at + Duration::minutes(60)));
    // It is in the next store's inbox and no longer in the first's.
    let theirs = f.routing.inbox(next, &f.limits, at).await.expect("inbox");
    assert!(theirs.iter().any(|i| i.order.id == order.id));
    let ours = f.routing.inbox(first, &f.limits, at).await.expect("inbox");
    assert!(ours.iter().all(|i| i.order.id != order.id));
}

async fn an_order_accepted_in_its_last_second_stays_and_books_the_store(db: TestDb) {
    let f = fixture(&db).await;
    let (first, from) = store(&db, "HZ-XH").await;
    let order = f.place(from, t0()).await;
    let last_second = t0() + Duration::minutes(60) - Duration::seconds(1);
    let accepted = f.accept(&db, &order, last_second).await.expect("accepted");
    assert_eq!(accepted.status, RoutedStatus::Accepted);
    assert_eq!(accepted.store.as_ref().map(|s| s.id), Some(first));
    assert_eq!(accepted.hops[0].hop.outcome, Some(HopOutcome::Accepted));
    let booking = accepted.booking.clone().expect("a booking");
    assert!(order.window.contains(booking.start));
    // The job at the deadline leaves it where it is.
    let moved = server::jobs::hand_on_due_orders(
        f.routing.as_ref(),
        &f.limits,
        last_second + Duration::seconds(1),
    )
    .await
    .expect("job");
    assert_eq!(moved, 0);
    assert_eq!(f.order(order.id).await.status, RoutedStatus::Accepted);
    // The booking is the customer's, online, at the store that accepted (which is
    // credited with it), at the prices the order locked, holding its parts.
    let rows: Vec<(Uuid, Uuid, String, String, i64)> = db
        .rows(
            "SELECT customer_id, store_id, channel, status, total_fen FROM orders WHERE id = $1",
            &[Arg::Id(booking.order.as_uuid())],
        )
        .await;
    assert_eq!(
        rows[0],
        (
            f.customer.as_uuid(),
            first.as_uuid(),
            "online".to_owned(),
            "booked".to_owned(),
            f.total.fen()
        )
    );
    let held: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM reservations WHERE order_id = $1",
            &[Arg::Id(booking.order.as_uuid())],
        )
        .await;
    assert!(held[0].0 > 0, "the booking holds its parts");
    // The customer sees it among their bookings.
    let bookings = f
        .database
        .storages()
        .booking
        .bookings(f.customer)
        .await
        .expect("bookings");
    assert!(bookings.iter().any(|b| b.id == booking.order));

    // Another order, accepted at its deadline exactly, is too late.
    let other = f.place(from, t0()).await;
    let at_deadline = t0() + Duration::minutes(60);
    let start = booking.start + Duration::minutes(90);
    let late = f
        .routing
        .accept(
            first,
            advisor_at(&db, first).await,
            other.id,
            Some(start),
            &f.limits,
            at_deadline,
        )
        .await
        .map_err(rule);
    assert_eq!(late.err(), Some(E::AnswerWindowClosed));
    assert_eq!(f.order(other.id).await.status, RoutedStatus::Offered);
}

async fn bad_answers_are_refused_and_change_nothing(db: TestDb) {
    let f = fixture(&db).await;
    let (first, from) = store(&db, "HZ-XH").await;
    let (elsewhere, _) = store(&db, "HZ-SC").await;
    let order = f.place(from, t0()).await;
    let at = t0() + Duration::minutes(10);
    let start = f.first_start(first, order.id, at).await;
    let count = |sql: &'static str| {
        let db = &db;
        async move { db.rows::<(i64,)>(sql, &[]).await[0].0 }
    };
    let bookings_before = count("SELECT COUNT(*) FROM orders").await;
    let hops_before = count("SELECT COUNT(*) FROM routing_hops").await;

    // From a store the order is not at.
    let not_here = f
        .routing
        .accept(
            elsewhere,
            advisor_at(&db, elsewhere).await,
            order.id,
            Some(start),
            &f.limits,
            at,
        )
        .await
        .map_err(rule);
    assert_eq!(not_here.err(), Some(E::RoutedNotHere));
    let not_here = f
        .routing
        .decline(
            elsewhere,
            advisor_at(&db, elsewhere).await,
            order.id,
            &DeclineReason::NoParts,
            &f.limits,
            at,
        )
        .await
        .map_err(rule);
    assert_eq!(not_here.err(), Some(E::RoutedNotHere));
    // A start outside the customer's window.
    let morning = at_local_minute(local_date(t0()), 10 * 60);
    let outside = f
        .routing
        .accept(
            first,
            advisor_at(&db, first).await,
            order.id,
            Some(morning),
            &f.limits,
            at,
        )
        .await
        .map_err(rule);
    assert_eq!(outside.err(), Some(E::SlotOutsideWindow));
    // An order that does not exist.
    let unknown = f
        .routing
        .accept(
            first,
            advisor_at(&db, first).await,
            RoutedOrderId::new(),
            Some(start),
            &f.limits,
            at,
        )
        .await;
    assert!(matches!(unknown, Err(StorageError::NotFound)));
    // A service nobody offers.
    let mut request = f.request(from);
    request.wanted = Wanted::Service(ServiceId::new());
    let unknown = f
        .routing
        .place(f.customer, &request, &f.limits, at)
        .await
        .map_err(rule);
    assert_eq!(unknown.err(), Some(E::ServiceNotOffered));
    // A total other than the published price.
    let mut request = f.request(from);
    request.expected_total = Money::from_fen(f.total.fen() - 100);
    let changed = f
        .routing
        .place(f.customer, &request, &f.limits, at)
        .await
        .map_err(rule);
    assert_eq!(changed.err(), Some(E::PriceChanged));

    assert_eq!(count("SELECT COUNT(*) FROM orders").await, bookings_before);
    assert_eq!(
        count("SELECT COUNT(*) FROM routing_hops").await,
        hops_before
    );
    let unchanged = f.order(order.id).await;
    assert_eq!(unchanged.status, RoutedStatus::Offered);
    assert_eq!(unchanged.hops.len(), 1);

    // Accepted once; a second answer from the store is "already answered".
    f.routing
        .accept(
            first,
            advisor_at(&db, first).await,
            order.id,
            Some(start),
            &f.limits,
            at,
        )
        .await
        .expect("accepted");
    let again = f
        .routing
        .accept(
            first,
            advisor_at(&db, first).await,
            order.id,
            Some(start),
            &f.limits,
            at,
        )
        .await
        .map_err(rule);
    assert_eq!(again.err(), Some(E::RoutedAnswered));
    let decline = f
        .routing
        .decline(
            first,
            advisor_at(&db, first).await,
            order.id,
            &DeclineReason::NoSkill,
            &f.limits,
            at,
        )
        .await
        .map_err(rule);
    assert_eq!(decline.err(), Some(E::RoutedAnswered));
    assert_eq!(
        count("SELECT COUNT(*) FROM orders").await,
        bookings_before + 1
    );

    // A retry of the same placement returns the same order; the same key for another
    // request is refused.
    let request = f.request(from);
    let once = f
        .routing
        .place(f.customer, &request, &f.limits, at)
        .await
        .expect("placed");
    let twice = f
        .routing
        .place(f.customer, &request, &f.limits, at)
        .await
        .expect("replayed");
    assert_eq!(once.id, twice.id);
    let mut other = request.clone();
    other.window.part = DayPart::AllDay;
    let reused = f
        .routing
        .place(f.customer, &other, &f.limits, at)
        .await
        .map_err(rule);
    assert_eq!(reused.err(), Some(E::IdempotencyKeyReused));
}

async fn two_devices_accepting_one_order_at_once_book_it_once(db: TestDb) {
    let f = fixture(&db).await;
    let (first, from) = store(&db, "HZ-XH").await;
    let staff: Vec<(Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE location_id = $1
               AND role IN ('service_advisor', 'store_manager')",
            &[Arg::Id(first.as_uuid())],
        )
        .await;
    // Each round a customer of their own: one car is booked once at a time.
    let cars = bulk_customers_with_cars(&db, 3).await;
    for (round, (_, car)) in (0..).zip(&cars) {
        let f =
            customer_fixture(&db, f.database.clone(), VehicleId::parse(car).expect("car")).await;
        let order = f.place(from, t0()).await;
        let at = t0() + Duration::minutes(1 + round);
        let start = f.first_start(first, order.id, at).await;
        let attempts = (0..6).map(|i| {
            let routing = f.routing.clone();
            let by = StaffId::from(staff[i % staff.len()].0);
            let limits = f.limits;
            tokio::spawn(async move {
                routing
                    .accept(first, by, order.id, Some(start), &limits, at)
                    .await
            })
        });
        let results: Vec<_> = futures::future::join_all(attempts)
            .await
            .into_iter()
            .map(|r| r.expect("task"))
            .collect();
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "exactly one device wins: {results:?}");
        for r in results.into_iter().filter_map(Result::err) {
            assert_eq!(rule(r), E::RoutedAnswered);
        }
        let booked: Vec<(i64,)> = db
            .rows(
                "SELECT COUNT(*) FROM orders o JOIN routed_orders r ON r.order_id = o.id
                 WHERE r.id = $1",
                &[Arg::Id(order.id.as_uuid())],
            )
            .await;
        assert_eq!(booked[0].0, 1);
    }
}

async fn two_instances_move_each_due_order_exactly_once(db: TestDb) {
    const ORDERS: usize = 24;
    let f = fixture(&db).await;
    // Several customers, so the orders do not all queue on one customer.
    let cars = bulk_customers_with_cars(&db, ORDERS).await;
    let (_, from) = store(&db, "HZ-XH").await;
    let mut ids = Vec::new();
    for (_, car) in &cars {
        let other = customer_fixture(
            &db,
            f.database.clone(),
            VehicleId::parse(car).expect("vehicle"),
        )
        .await;
        ids.push(other.place(from, t0()).await.id);
    }
    // Two server instances on one database, each running the job at the same instant.
    let a = db.open(Hub::new(), false).await.storages().routing;
    let b = db.open(Hub::new(), false).await.storages().routing;
    let due = t0() + Duration::minutes(60);
    let run = |routing: Arc<dyn RoutingStorage>| {
        let limits = f.limits;
        tokio::spawn(async move {
            let mut moved = 0;
            // Small batches, many runs: the instances interleave as much as they can.
            for _ in 0..ORDERS {
                moved += routing.hand_on_due(&limits, due, 3).await.expect("job");
            }
            moved
        })
    };
    let (moved_a, moved_b) = tokio::join!(run(a), run(b));
    let (moved_a, moved_b) = (moved_a.expect("task"), moved_b.expect("task"));
    assert_eq!(
        moved_a + moved_b,
        ORDERS as u32,
        "every due order moved once in all ({moved_a} + {moved_b})"
    );
    for id in ids {
        let hops: Vec<(i64, i64)> = db
            .rows(
                "SELECT COUNT(*), SUM(CASE WHEN outcome = 'expired' THEN 1 ELSE 0 END)
                 FROM routing_hops WHERE routed_id = $1",
                &[Arg::Id(id.as_uuid())],
            )
            .await;
        assert_eq!(hops[0], (2, 1), "order {id} moved exactly once");
    }
}

async fn an_order_due_while_the_server_was_down_moves_on_at_start(db: TestDb) {
    #[allow(clippy::disallowed_methods)] // the server runs on the real clock
    let now = OffsetDateTime::now_utc();
    let f = fixture(&db).await;
    let (first, from) = store(&db, "HZ-XH").await;
    // Placed two hours ago for tomorrow: its window ended an hour ago, with the server
    // down.
    let placed = now - Duration::hours(2);
    let mut request = f.request(from);
    request.window = PreferredWindow {
        date: local_date(now) + Duration::days(1),
        part: DayPart::AllDay,
    };
    let order = f
        .routing
        .place(f.customer, &request, &f.limits, placed)
        .await
        .expect("placed");
    assert_eq!(order.store.as_ref().map(|s| s.id), Some(first));
    drop(f);

    let server = TestServer::start(&db).await;
    let mut hops = 0;
    for _ in 0..100 {
        let rows: Vec<(i64,)> = db
            .rows(
                "SELECT COUNT(*) FROM routing_hops WHERE routed_id = $1",
                &[Arg::Id(order.id.as_uuid())],
            )
            .await;
        hops = rows[0].0;
        if hops == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(hops, 2, "the order moved on when the server started");
    let first_hop: Vec<(String,)> = db
        .rows(
            "SELECT outcome FROM routing_hops WHERE routed_id = $1 AND hop_no = 1",
            &[Arg::Id(order.id.as_uuid())],
        )
        .await;
    assert_eq!(first_hop[0].0, "expired");
    drop(server);
}

async fn bad_input_over_http_gets_a_clear_message_and_changes_nothing(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (owner, car) = customer_with_car(&server).await;
    let order = place_any_store_order(&server, &owner, &car).await;
    let count = |sql: &'static str| {
        let db = &db;
        async move { db.rows::<(i64,)>(sql, &[]).await[0].0 }
    };
    let routed_before = count("SELECT COUNT(*) FROM routed_orders").await;
    let hops_before = count("SELECT COUNT(*) FROM routing_hops").await;
    let services: Vec<(Uuid,)> = db
        .rows("SELECT id FROM services WHERE code = 'OIL_CHANGE'", &[])
        .await;
    let oil = services[0].0.to_string();
    let tomorrow = (app::clock::local_today() + Duration::days(1)).to_string();
    let place = |service: String, date: String, part: &'static str| {
        let (owner, car, server) = (&owner, &car, &server);
        async move {
            call_as(
                owner,
                server,
                "place_routed_order",
                &[
                    ("vehicle_id", car),
                    ("service_id", &service),
                    ("date", &date),
                    ("day_part", part),
                    ("expected_total", "100"),
                    ("idempotency_key", &Uuid::now_v7().to_string()),
                ],
            )
            .await
        }
    };
    let refusals = [
        (
            place(Uuid::now_v7().to_string(), tomorrow.clone(), "morning").await,
            E::ServiceNotOffered,
        ),
        (
            place(oil.clone(), "2020-01-01".into(), "morning").await,
            E::WindowInPast,
        ),
        (
            place(oil.clone(), tomorrow.clone(), "midnight").await,
            E::WindowInvalid,
        ),
        (
            place(oil.clone(), "next week".into(), "morning").await,
            E::WindowInvalid,
        ),
    ];
    for ((status, body), expected) in refusals {
        assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            error(&body),
            app::error::AppError::Invalid(expected.clone())
        );
        // The message is a sentence in the caller's language, not a code.
        let message = error(&body).message(app::i18n::Lang::En);
        assert!(message.len() > 15 && !message.contains('_'), "{message}");
    }

    // At the counter of the store the order waits for, and of another.
    let at = order.store.as_ref().expect("waiting at a store").id;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let advisor_store: Vec<(Uuid,)> = db
        .rows(
            "SELECT location_id FROM staff WHERE phone = $1",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let id = order.id.to_string();
    let (status, body) = call_as(
        &advisor,
        &server,
        "decline_routed",
        &[("id", &id), ("reason", "other"), ("note", "")],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error(&body),
        app::error::AppError::Invalid(E::DeclineReasonMissing)
    );
    if at.as_uuid() != advisor_store[0].0 {
        let (status, body) = call_as(
            &advisor,
            &server,
            "decline_routed",
            &[("id", &id), ("reason", "fully_booked"), ("note", "")],
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            error(&body),
            app::error::AppError::Invalid(E::RoutedNotHere)
        );
    }
    let (status, body) = call_as(
        &advisor,
        &server,
        "accept_routed",
        &[("id", &id), ("start", "tomorrow at ten")],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), app::error::AppError::Invalid(E::TimeInvalid));
    let (status, body) = call_as(
        &signed_in(&server, "staff", common::HQ_ADMIN).await,
        &server,
        "set_acceptance_window",
        &[("minutes", "2")],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error(&body),
        app::error::AppError::Invalid(E::AcceptanceWindowInvalid)
    );

    assert_eq!(
        count("SELECT COUNT(*) FROM routed_orders").await,
        routed_before
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM routing_hops").await,
        hops_before
    );
    let minutes: Vec<(i64,)> = db
        .rows(
            "SELECT value FROM chain_settings WHERE name = 'acceptance_minutes'",
            &[],
        )
        .await;
    assert_eq!(minutes[0].0, 60);
}

/// The wiper blades that fit the fixture's Corolla, at their published price.
async fn wipers(f: &Fixture) -> PartOffer {
    f.database
        .storages()
        .parts_orders
        .parts_menu(f.customer, f.vehicle)
        .await
        .expect("menu")
        .into_iter()
        .find(|o| o.sku.starts_with("WIP-"))
        .expect("wipers fit a Corolla")
}

impl Fixture {
    /// `units` of `part` at `price` each, collected or delivered in `part_of_day` of
    /// [`t0`]'s day, measured from `from`.
    fn parts_request(
        &self,
        part: &PartOffer,
        units: u32,
        handover: Handover,
        part_of_day: DayPart,
        from: GeoPoint,
    ) -> RoutedRequest {
        RoutedRequest {
            wanted: Wanted::Parts {
                lines: vec![(part.part, Quantity::units(units).expect("units"))],
                handover,
            },
            window: PreferredWindow {
                date: local_date(t0()),
                part: part_of_day,
            },
            expected_total: Money::from_fen(part.price.fen() * i64::from(units)),
            ..self.request(from)
        }
    }
}

async fn a_parts_order_is_accepted_held_and_handed_over_once(db: TestDb) {
    let f = fixture(&db).await;
    let parts_orders = f.database.storages().parts_orders;
    let wipers = wipers(&f).await;
    let (first, from) = store(&db, "HZ-XH").await;
    db.stock_up(first, wipers.part, 10_000).await;
    let request = f.parts_request(&wipers, 2, Handover::Collect, DayPart::Afternoon, from);
    let order = f
        .routing
        .place(f.customer, &request, &f.limits, t0())
        .await
        .expect("placed");
    // On the shelf of the nearest store: it goes there, at the published price.
    assert_eq!(order.status, RoutedStatus::Offered);
    assert_eq!(order.store.as_ref().map(|s| s.id), Some(first));
    assert_eq!(order.total, request.expected_total);
    let detail = order.parts.clone().expect("a parts order");
    assert_eq!(detail.lines.len(), 1);
    assert_eq!(detail.lines[0].unit_price, wipers.price);
    assert_eq!(detail.handover, Handover::Collect);
    assert!(
        order.title.en.contains(&wipers.name.en),
        "{:?}",
        order.title
    );
    // Its inbox says from when the parts can change hands there, in the window.
    let inbox = f
        .routing
        .inbox(first, &f.limits, t0())
        .await
        .expect("inbox");
    let item = inbox
        .iter()
        .find(|i| i.order.id == order.id)
        .expect("in the inbox");
    let ready = item.ready_from.expect("ready in the window");
    assert!(request.window.contains(ready));
    assert!(item.slots.is_empty());

    let before = db.shelf(first, wipers.part).await;
    let advisor = advisor_at(&db, first).await;
    let at = t0() + Duration::minutes(5);
    let accepted = f
        .routing
        .accept(first, advisor, order.id, None, &f.limits, at)
        .await
        .expect("accepted");
    assert_eq!(accepted.status, RoutedStatus::Accepted);
    let reference = accepted
        .parts
        .as_ref()
        .and_then(|p| p.order.clone())
        .expect("an order was made");
    assert!(accepted.booking.is_none());
    // Held on the shelf, credited to the store, owned by who accepted, no capacity.
    assert_eq!(
        db.shelf(first, wipers.part).await,
        (before.0, before.1 + 2_000)
    );
    let made: Vec<(String, Uuid, Uuid, i64, String)> = db
        .rows(
            "SELECT kind, store_id, responsible_id, total_fen,
                    CASE WHEN scheduled_start IS NULL THEN 'unscheduled' ELSE 'scheduled' END
             FROM orders WHERE reference = $1",
            &[Arg::Text(reference.clone())],
        )
        .await;
    assert_eq!(
        made,
        vec![(
            "parts".to_owned(),
            first.as_uuid(),
            advisor.as_uuid(),
            request.expected_total.fen(),
            "unscheduled".to_owned()
        )]
    );

    // On the counter's list, with the part on the shelf.
    let list = parts_orders.to_hand_over(first).await.expect("list");
    let item = list
        .iter()
        .find(|i| i.order.id == order.id)
        .expect("listed");
    assert_eq!(item.held.len(), 1);
    assert_eq!(item.held[0].place, domain::picking::PartPlace::Shelf);
    // Another store has nothing to hand over.
    let (other, _) = store(&db, "HZ-BJ").await;
    let elsewhere = parts_orders
        .hand_over(other, advisor_at(&db, other).await, order.id, at)
        .await;
    assert!(
        matches!(elsewhere, Err(StorageError::NotFound)),
        "{elsewhere:?}"
    );

    // Two devices press at once: handed over once, the parts leave the shelf once.
    let later = at + Duration::hours(5);
    let (a, b) = tokio::join!(
        parts_orders.hand_over(first, advisor, order.id, later),
        parts_orders.hand_over(first, advisor, order.id, later),
    );
    let outcomes = [a.map(|_| ()).map_err(rule), b.map(|_| ()).map_err(rule)];
    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    assert!(outcomes.contains(&Err(E::StepOutOfOrder)), "{outcomes:?}");
    assert_eq!(
        db.shelf(first, wipers.part).await,
        (before.0 - 2_000, before.1)
    );
    let done = f.order(order.id).await;
    assert_eq!(
        done.parts.and_then(|p| p.handed_over_at),
        Some(later),
        "the customer sees it handed over"
    );
    assert!(parts_orders
        .to_hand_over(first)
        .await
        .expect("list")
        .iter()
        .all(|i| i.order.id != order.id));
}

async fn parts_come_from_a_stores_own_shelf_and_deliveries_stay_within_reach(db: TestDb) {
    let f = fixture(&db).await;
    let parts_orders = f.database.storages().parts_orders;
    let wipers = wipers(&f).await;
    // Nothing to spare anywhere, none on its way...
    db.execute(
        "UPDATE stock SET on_hand_milli = reserved_milli, safety_milli = 0 WHERE part_id = $1",
        &[Arg::Id(wipers.part.as_uuid())],
    )
    .await;
    db.execute(
        "DELETE FROM inbound_shipments WHERE part_id = $1 AND reserved_milli = 0",
        &[Arg::Id(wipers.part.as_uuid())],
    )
    .await;
    let (near, from) = store(&db, "HZ-XH").await;
    let collect = |part_of_day| f.parts_request(&wipers, 2, Handover::Collect, part_of_day, from);
    let place = |request: RoutedRequest| {
        let f = &f;
        async move {
            f.routing
                .place(f.customer, &request, &f.limits, t0())
                .await
                .expect("placed")
        }
    };
    // ... so nobody can: unserved from the start, and HQ sees it.
    let nobody = place(collect(DayPart::Afternoon)).await;
    assert_eq!(nobody.status, RoutedStatus::Unserved);
    assert!(nobody.hops.is_empty());

    // Only a store far from the customer has them: it is offered the order, not the
    // nearest (a parts order is served from a store's own shelf, not waited for).
    let all = stores(&db).await;
    let (far, _, _) = *all
        .iter()
        .max_by_key(|(_, _, p)| distance_m(from, *p))
        .expect("stores");
    assert_ne!(far, near);
    db.stock_up(far, wipers.part, 20_000).await;
    let order = place(collect(DayPart::Afternoon)).await;
    assert_eq!(order.store.as_ref().map(|s| s.id), Some(far));
    // Declined there, nobody else has them: unserved.
    let declined = f
        .decline(&db, &order, t0() + Duration::minutes(1))
        .await
        .expect("declined");
    assert_eq!(declined.status, RoutedStatus::Unserved);
    assert!(parts_orders
        .to_hand_over(far)
        .await
        .expect("list")
        .iter()
        .all(|i| i.order.id != order.id));

    // Delivered only within reach of a store: 40 km east of every store, nobody
    // delivers, though the customer could still collect.
    let east = all.iter().map(|(_, _, p)| p.lng_e6).max().expect("stores");
    let remote = GeoPoint::new(from.lat_e6, east + 40 * 10_400).expect("point");
    let address = Handover::parse("deliver", "临平区某路 8 号").expect("address");
    let deliver = place(f.parts_request(&wipers, 1, address, DayPart::Afternoon, remote)).await;
    assert_eq!(deliver.status, RoutedStatus::Unserved);
    let pick_up =
        place(f.parts_request(&wipers, 1, Handover::Collect, DayPart::Afternoon, remote)).await;
    assert_eq!(pick_up.status, RoutedStatus::Offered);
}

async fn bad_parts_orders_are_refused_and_change_nothing(db: TestDb) {
    let f = fixture(&db).await;
    let wipers = wipers(&f).await;
    let (_, from) = store(&db, "HZ-XH").await;
    let count = || async {
        db.rows::<(i64,)>("SELECT COUNT(*) FROM routed_orders", &[])
            .await[0]
            .0
    };
    let before = count().await;
    let place = |request: RoutedRequest| {
        let f = &f;
        async move {
            f.routing
                .place(f.customer, &request, &f.limits, t0())
                .await
                .map(|_| ())
                .map_err(rule)
        }
    };
    // A part that does not fit the car.
    let other: Vec<(Uuid,)> = db
        .rows(
            "SELECT p.id FROM parts p WHERE p.id NOT IN (
                SELECT f.part_id FROM fitments f JOIN vehicles v ON v.model_id = f.model_id
                WHERE v.id = $1) LIMIT 1",
            &[Arg::Id(f.vehicle.as_uuid())],
        )
        .await;
    let misfit = PartOffer {
        part: PartId::from(other[0].0),
        ..wipers.clone()
    };
    let request = f.parts_request(&misfit, 1, Handover::Collect, DayPart::Afternoon, from);
    assert_eq!(place(request).await, Err(E::NoFitment));
    // A total other than the published price.
    let mut request = f.parts_request(&wipers, 1, Handover::Collect, DayPart::Afternoon, from);
    request.expected_total = Money::from_fen(1);
    assert_eq!(place(request).await, Err(E::PriceChanged));
    // Too many of one part.
    let request = f.parts_request(&wipers, 21, Handover::Collect, DayPart::Afternoon, from);
    assert_eq!(place(request).await, Err(E::QuantityInvalid));
    assert_eq!(count().await, before);

    // Over HTTP: no parts, no address for a delivery, a quantity that is not one.
    let server = TestServer::start(&db).await;
    let (owner, car) = customer_with_car(&server).await;
    let tomorrow = (app::clock::local_today() + Duration::days(1)).to_string();
    let part = wipers.part.to_string();
    let post = |lines: String, handover: &'static str| {
        let (owner, server, car, tomorrow) = (&owner, &server, &car, &tomorrow);
        async move {
            call_as(
                owner,
                server,
                "place_parts_order",
                &[
                    ("form[vehicle_id]", car),
                    ("form[lines]", &lines),
                    ("form[date]", tomorrow),
                    ("form[day_part]", "afternoon"),
                    ("form[handover]", handover),
                    ("form[address]", ""),
                    ("form[near]", ""),
                    ("form[expected_total]", "100"),
                    ("form[idempotency_key]", &Uuid::now_v7().to_string()),
                ],
            )
            .await
        }
    };
    let refusals = [
        (post(format!("{part}:0"), "collect").await, E::BasketEmpty),
        (
            post(format!("{part}:1"), "deliver").await,
            E::AddressInvalid,
        ),
        (
            post(format!("{part}:lots"), "collect").await,
            E::QuantityInvalid,
        ),
        (post(format!("{part}:1"), "post").await, E::HandoverUnknown),
    ];
    for ((status, body), expected) in refusals {
        assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error(&body), app::error::AppError::Invalid(expected));
        let message = error(&body).message(app::i18n::Lang::Zh);
        assert!(!message.contains('_') && !message.is_empty(), "{message}");
    }
    assert_eq!(count().await, before);
}
