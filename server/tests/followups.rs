//! After-sales follow-up, on SQLite and PostgreSQL: handing a work order over schedules
//! what `domain::followup::schedule` plans, once; a new reading moves the reminders; a
//! store records outcomes on its own follow-ups only, once under a race; a complaint
//! opens a case and praise reaches the people who did the work; missed follow-ups are
//! marked once even by two instances at once; bad input over HTTP changes nothing; a
//! complaint's case runs to the customer's confirmation, escalating when overdue; the
//! customer answers online and keeps their contact choices.

mod common;

use app::followup::FollowUpItem;
use app::storage::StorageError;
use app::workorders::Advance;
use common::{
    advisor_at, bulk_customers_with_cars, call_as, error, signed_in, store, Arg, TestDb,
    TestServer, ADVISOR,
};
use domain::followup::{
    Consumable, FollowUpKind, Handover, KmPerDay, OilGrade, Outcome, Rating, Section, Status,
};
use domain::local_time::local_date;
use domain::order::Step;
use domain::{CustomerId, Error as E, FollowUpId, Mileage, OrderId, StoreId, VehicleId};
use server::live::Hub;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

both_backends!(
    a_handover_schedules_its_follow_ups_once_and_a_new_reading_moves_them,
    outcomes_are_recorded_once_and_by_the_store_that_owns_them,
    two_instances_mark_each_missed_follow_up_once,
    bad_follow_up_input_over_http_gets_a_clear_message_and_changes_nothing,
    a_complaint_case_runs_from_opening_to_the_customers_confirmation,
    a_customer_answers_online_and_their_contact_choices_are_kept_with_their_time,
);

fn now() -> OffsetDateTime {
    #[allow(clippy::disallowed_methods)]
    OffsetDateTime::now_utc()
}

/// A work order ready to hand over at `store` for a new customer's Corolla, which had an
/// oil change (the fitting full-synthetic oil and filter, held by the order) and whose
/// odometer read 20,000 km sixty days ago and 23,000 km at this check-in (50 km a day).
async fn ready_oil_change(db: &TestDb, store: StoreId) -> (OrderId, CustomerId, VehicleId, String) {
    let (cookie, vehicle) = bulk_customers_with_cars(db, 1).await.remove(0);
    let vehicle = Uuid::parse_str(&vehicle).expect("vehicle");
    let order = OrderId::new();
    let at = now() - Duration::hours(2);
    db.execute(
        "INSERT INTO orders (id, reference, customer_id, vehicle_id, store_id, channel, status,
            price_list_version, total_fen, mileage_km, created_at, scheduled_start, scheduled_end)
         SELECT $1, $2, customer_id, id, $3, 'walk_in', 'ready', 1, 0, 23000, $4, $4, $5
         FROM vehicles WHERE id = $6",
        &[
            Arg::Id(order.as_uuid()),
            Arg::Text(domain::booking::reference(order)),
            Arg::Id(store.as_uuid()),
            Arg::Time(at),
            Arg::Time(at + Duration::hours(1)),
            Arg::Id(vehicle),
        ],
    )
    .await;
    db.execute(
        "INSERT INTO order_lines (order_id, line_no, item_kind, item_id, quantity_milli, unit_price_fen, total_fen)
         SELECT $1, 1, 'service', id, 1000, 0, 0 FROM services WHERE code = 'OIL_CHANGE'",
        &[Arg::Id(order.as_uuid())],
    )
    .await;
    db.execute(
        "INSERT INTO reservations (order_id, part_id, location_id, quantity_milli)
         SELECT $1, f.part_id, $2, 1000 FROM fitments f
         JOIN vehicles v ON v.model_id = f.model_id
         JOIN part_categories c ON c.id = f.category_id
         WHERE v.id = $3 AND c.code IN ('ENGINE_OIL', 'OIL_FILTER')",
        &[
            Arg::Id(order.as_uuid()),
            Arg::Id(store.as_uuid()),
            Arg::Id(vehicle),
        ],
    )
    .await;
    for (km, days_ago) in [(20_000, 60), (23_000, 0)] {
        db.execute(
            "INSERT INTO mileage_readings (id, vehicle_id, km, read_at) VALUES ($1, $2, $3, $4)",
            &[
                Arg::Id(Uuid::now_v7()),
                Arg::Id(vehicle),
                Arg::Int(km),
                Arg::Time(now() - Duration::days(days_ago) - Duration::hours(3)),
            ],
        )
        .await;
    }
    let customer: Vec<(Uuid,)> = db
        .rows(
            "SELECT customer_id FROM vehicles WHERE id = $1",
            &[Arg::Id(vehicle)],
        )
        .await;
    (
        order,
        CustomerId::from(customer[0].0),
        VehicleId::from(vehicle),
        cookie,
    )
}

async fn hand_over(
    db: &TestDb,
    database: &server::storage::Database,
    store: StoreId,
    order: OrderId,
) {
    database
        .storages()
        .workorders
        .advance(
            store,
            order,
            &Advance::Step(Step::HandOver),
            advisor_at(db, store).await,
            now(),
        )
        .await
        .expect("handed over");
}

/// The follow-ups of an order: kind, due day, status.
async fn of_order(db: &TestDb, order: OrderId) -> Vec<(String, String, String)> {
    db.rows(
        "SELECT kind, due_on, status FROM followups WHERE order_id = $1 ORDER BY kind",
        &[Arg::Id(order.as_uuid())],
    )
    .await
}

async fn a_handover_schedules_its_follow_ups_once_and_a_new_reading_moves_them(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    let (home, _) = store(&db, "HZ-XH").await;
    let (order, customer, vehicle, _) = ready_oil_change(&db, home).await;
    hand_over(&db, &database, home, order).await;
    // What the domain plans from the same facts.
    let today = local_date(now());
    let planned = domain::followup::schedule(&Handover {
        on: today,
        km: 23_000,
        km_per_day: KmPerDay::from_observed(Some(50)),
        satisfaction_days: 3,
        fitted: vec![
            Consumable::EngineOil {
                grade: OilGrade::FullSynthetic,
            },
            Consumable::OilFilter,
        ],
    });
    let expected: Vec<(String, String, String)> = planned
        .iter()
        .map(|p| {
            (
                p.kind.code().to_owned(),
                p.due.to_string(),
                "open".to_owned(),
            )
        })
        .collect();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(of_order(&db, order).await, expected_sorted);
    // 10,000 km at 50 km a day: 200 days, before the year.
    assert_eq!(planned[1].due, today + Duration::days(200));
    // Handing over again is refused by the status guard and schedules nothing more.
    let again = database
        .storages()
        .workorders
        .advance(
            home,
            order,
            &Advance::Step(Step::HandOver),
            advisor_at(&db, home).await,
            now(),
        )
        .await;
    assert!(again.is_err());
    assert_eq!(of_order(&db, order).await.len(), 2);

    // The store's queue shows the satisfaction call on its day, and no other store's does.
    let followups = database.storages().followups;
    let on_the_day = now() + Duration::days(3);
    let queue = followups.queue(home, on_the_day).await.expect("queue");
    let call = queue
        .items
        .iter()
        .find(|i| i.customer == customer && i.kind == FollowUpKind::Satisfaction)
        .expect("the call is in the queue");
    assert_eq!(call.section, Some(Section::Today));
    assert_eq!(call.order_reference, domain::booking::reference(order));
    let (elsewhere, _) = store(&db, "HZ-BJ").await;
    let theirs = followups.queue(elsewhere, on_the_day).await.expect("queue");
    assert!(theirs.items.iter().all(|i| i.customer != customer));

    // The customer says the car is at 26,000 km a month later: 3,000 km in 30 days is
    // 100 km a day over... the readings' whole span: (26,000 - 20,000) / 90 days = 67.
    let garage = database.storages().garage;
    let model: Vec<(Uuid,)> = db
        .rows(
            "SELECT model_id FROM vehicles WHERE id = $1",
            &[Arg::Id(vehicle.as_uuid())],
        )
        .await;
    garage
        .update_vehicle(
            customer,
            vehicle,
            domain::ModelId::from(model[0].0),
            Mileage::from_km(26_000).expect("km"),
        )
        .await
        .expect("updated");
    let oil: Vec<(String, i64)> = db
        .rows(
            "SELECT due_on, km_per_day FROM followups WHERE order_id = $1 AND kind = 'oil_change'",
            &[Arg::Id(order.as_uuid())],
        )
        .await;
    let readings: Vec<(i64, server::storage::DbTime)> = db
        .rows(
            "SELECT km, read_at FROM mileage_readings WHERE vehicle_id = $1",
            &[Arg::Id(vehicle.as_uuid())],
        )
        .await;
    let observed = domain::odometer::km_per_day(
        &readings
            .iter()
            .map(|(km, at)| domain::odometer::Reading {
                km: u32::try_from(*km).expect("km"),
                at: at.0,
            })
            .collect::<Vec<_>>(),
    )
    .expect("observed");
    let moved =
        domain::followup::reproject(&planned[1], KmPerDay::from_observed(Some(observed)), today)
            .expect("moves");
    assert_eq!(oil, vec![(moved.due.to_string(), i64::from(observed))]);
    assert!(
        moved.due < planned[1].due,
        "a car driven more is due sooner"
    );
    // The satisfaction call is about the visit, not the mileage: it stays.
    let call_due: Vec<(String,)> = db
        .rows(
            "SELECT due_on FROM followups WHERE order_id = $1 AND kind = 'satisfaction'",
            &[Arg::Id(order.as_uuid())],
        )
        .await;
    assert_eq!(call_due[0].0, planned[0].due.to_string());

    // The car comes back for another oil change: the first reminder is superseded.
    let (second, ..) = {
        let order2 = OrderId::new();
        db.execute(
            "INSERT INTO orders (id, reference, customer_id, vehicle_id, store_id, channel, status,
                price_list_version, total_fen, mileage_km, created_at, scheduled_start, scheduled_end)
             SELECT $1, $2, customer_id, id, $3, 'walk_in', 'ready', 1, 0, 26000, created_at, created_at, created_at
             FROM vehicles WHERE id = $4",
            &[
                Arg::Id(order2.as_uuid()),
                Arg::Text(domain::booking::reference(order2)),
                Arg::Id(home.as_uuid()),
                Arg::Id(vehicle.as_uuid()),
            ],
        )
        .await;
        db.execute(
            "INSERT INTO reservations (order_id, part_id, location_id, quantity_milli)
             SELECT $1, part_id, location_id, quantity_milli FROM reservations WHERE order_id = $2",
            &[Arg::Id(order2.as_uuid()), Arg::Id(order.as_uuid())],
        )
        .await;
        (order2, ())
    };
    hand_over(&db, &database, home, second).await;
    let first_oil: Vec<(String,)> = db
        .rows(
            "SELECT status FROM followups WHERE order_id = $1 AND kind = 'oil_change'",
            &[Arg::Id(order.as_uuid())],
        )
        .await;
    assert_eq!(first_oil[0].0, "superseded");
    let open_oil: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM followups WHERE vehicle_id = $1 AND kind = 'oil_change' AND status = 'open'",
            &[Arg::Id(vehicle.as_uuid())],
        )
        .await;
    assert_eq!(open_oil[0].0, 1, "one open oil reminder per car");
}

fn rule<T: std::fmt::Debug>(r: Result<T, StorageError>) -> E {
    match r {
        Err(StorageError::Rule(e)) => e,
        other => panic!("expected a rule, got {other:?}"),
    }
}

/// The follow-up of `kind` an order scheduled.
async fn follow_up(db: &TestDb, order: OrderId, kind: FollowUpKind) -> FollowUpId {
    let rows: Vec<(Uuid,)> = db
        .rows(
            "SELECT id FROM followups WHERE order_id = $1 AND kind = $2",
            &[Arg::Id(order.as_uuid()), Arg::Text(kind.code().into())],
        )
        .await;
    FollowUpId::from(rows[0].0)
}

async fn outcomes_are_recorded_once_and_by_the_store_that_owns_them(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    let followups = database.storages().followups;
    let (home, _) = store(&db, "HZ-XH").await;
    let (elsewhere, _) = store(&db, "HZ-BJ").await;
    let advisor = advisor_at(&db, home).await;
    let at = now() + Duration::days(3);

    // Three unanswered calls close a follow-up as unreachable.
    let (order, ..) = ready_oil_change(&db, home).await;
    db.execute(
        "UPDATE orders SET responsible_id = $1 WHERE id = $2",
        &[Arg::Id(advisor.as_uuid()), Arg::Id(order.as_uuid())],
    )
    .await;
    hand_over(&db, &database, home, order).await;
    let call = follow_up(&db, order, FollowUpKind::Satisfaction).await;
    // Another store cannot read or act on it.
    assert!(matches!(
        followups
            .record(
                elsewhere,
                advisor_at(&db, elsewhere).await,
                call,
                &Outcome::Reached,
                at
            )
            .await,
        Err(StorageError::NotFound)
    ));
    for attempt in 1..=3u8 {
        let item: FollowUpItem = followups
            .record(home, advisor, call, &Outcome::NotReached, at)
            .await
            .expect("recorded");
        assert_eq!(item.attempts, attempt);
        assert_eq!(
            item.status,
            if attempt < 3 {
                Status::Open
            } else {
                Status::Unreachable
            }
        );
    }
    assert_eq!(
        rule(
            followups
                .record(home, advisor, call, &Outcome::Reached, at)
                .await
        ),
        E::FollowUpClosed
    );

    // Praise reaches the person responsible and the store.
    let oil = follow_up(&db, order, FollowUpKind::OilChange).await;
    let text = domain::followup::FollowUpText::parse("师傅很专业").expect("text");
    followups
        .record(
            home,
            advisor,
            oil,
            &Outcome::Praise { text: text.clone() },
            at,
        )
        .await
        .expect("praise");
    let praised: Vec<(Uuid, Uuid)> = db
        .rows(
            "SELECT p.store_id, ps.staff_id FROM praise p JOIN praise_staff ps ON ps.followup_id = p.followup_id
             WHERE p.followup_id = $1",
            &[Arg::Id(oil.as_uuid())],
        )
        .await;
    assert_eq!(praised, vec![(home.as_uuid(), advisor.as_uuid())]);

    // Two iPads record a complaint at once: one does, one case is opened.
    let (order, ..) = ready_oil_change(&db, home).await;
    hand_over(&db, &database, home, order).await;
    let call = follow_up(&db, order, FollowUpKind::Satisfaction).await;
    let complaint = Outcome::Complaint { text: text.clone() };
    let satisfied = Outcome::Satisfied {
        rating: Rating::try_from(5).expect("rating"),
        comment: None,
    };
    let other = database.storages().followups;
    let (a, b) = tokio::join!(
        followups.record(home, advisor, call, &complaint, at),
        other.record(home, advisor, call, &satisfied, at),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    let loser = if a.is_ok() { b } else { a };
    assert!(matches!(
        loser,
        Err(StorageError::Conflict(_)) | Err(StorageError::Rule(E::FollowUpClosed))
    ));
    let cases: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM cases WHERE followup_id = $1",
            &[Arg::Id(call.as_uuid())],
        )
        .await;
    let outcome: Vec<(String, Option<i64>)> = db
        .rows(
            "SELECT outcome, rating FROM followups WHERE id = $1",
            &[Arg::Id(call.as_uuid())],
        )
        .await;
    match outcome[0].0.as_str() {
        "complaint" => assert_eq!((cases[0].0, outcome[0].1), (1, None)),
        "satisfied" => assert_eq!((cases[0].0, outcome[0].1), (0, Some(5))),
        other => panic!("outcome {other}"),
    }
}

async fn two_instances_mark_each_missed_follow_up_once(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    let (home, _) = store(&db, "HZ-XH").await;
    let mut orders = Vec::new();
    for _ in 0..3 {
        let (order, ..) = ready_oil_change(&db, home).await;
        hand_over(&db, &database, home, order).await;
        orders.push(order);
    }
    let a = db.open(Hub::new(), false).await.storages().followups;
    let b = db.open(Hub::new(), false).await.storages().followups;
    let mine = |status: &'static str| {
        let ids: Vec<Arg> = orders.iter().map(|o| Arg::Id(o.as_uuid())).collect();
        let db = &db;
        async move {
            db.rows::<(i64,)>(
                "SELECT COUNT(*) FROM followups WHERE status = $1 AND kind = 'satisfaction'
                   AND order_id IN ($2, $3, $4)",
                &[vec![Arg::Text(status.into())], ids].concat(),
            )
            .await[0]
                .0
        }
    };
    // Still inside the satisfaction calls' windows: theirs are not missed (the demo's
    // older ones may be).
    a.mark_missed(now() + Duration::days(7)).await.expect("job");
    assert_eq!(mine("open").await, 3);
    // A day after they closed (handover + 3 + 4 days), both instances at once.
    let later = now() + Duration::days(8);
    let due: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM followups WHERE status = 'open' AND closes_on < $1",
            &[Arg::Text(local_date(later).to_string())],
        )
        .await;
    let (x, y) = tokio::join!(a.mark_missed(later), b.mark_missed(later));
    assert_eq!(
        i64::from(x.expect("job") + y.expect("job")),
        due[0].0,
        "each marked once"
    );
    assert_eq!(mine("missed").await, 3);
    // Run again: nothing more.
    assert_eq!(a.mark_missed(later).await.expect("job"), 0);
    // A missed follow-up takes no outcome.
    let call = follow_up(&db, orders[0], FollowUpKind::Satisfaction).await;
    assert_eq!(
        rule(
            a.record(
                home,
                advisor_at(&db, home).await,
                call,
                &Outcome::Reached,
                later
            )
            .await
        ),
        E::FollowUpClosed
    );
}

async fn bad_follow_up_input_over_http_gets_a_clear_message_and_changes_nothing(db: TestDb) {
    let server = TestServer::start(&db).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let home: Vec<(Uuid,)> = db
        .rows(
            "SELECT location_id FROM staff WHERE phone = $1",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let home = StoreId::from(home[0].0);
    let database = db.open(Hub::new(), false).await;
    let (order, ..) = ready_oil_change(&db, home).await;
    hand_over(&db, &database, home, order).await;
    let (elsewhere, _) = store(
        &db,
        if home == store(&db, "HZ-XH").await.0 {
            "HZ-BJ"
        } else {
            "HZ-XH"
        },
    )
    .await;
    let (theirs, ..) = ready_oil_change(&db, elsewhere).await;
    hand_over(&db, &database, elsewhere, theirs).await;
    let call = follow_up(&db, order, FollowUpKind::Satisfaction)
        .await
        .to_string();
    let their_call = follow_up(&db, theirs, FollowUpKind::Satisfaction)
        .await
        .to_string();
    let state = || async {
        db.rows::<(String, i64, Option<String>)>(
            "SELECT status, attempts, outcome FROM followups ORDER BY id",
            &[],
        )
        .await
    };
    let before = state().await;
    let record = |outcome: &'static str, rating: &'static str, text: &'static str| {
        let (advisor, server, call) = (&advisor, &server, &call);
        async move {
            call_as(
                advisor,
                server,
                "record_follow_up",
                &[
                    ("id", call),
                    ("outcome", outcome),
                    ("rating", rating),
                    ("text", text),
                ],
            )
            .await
        }
    };
    let refusals = [
        (record("satisfied", "6", "").await, E::RatingInvalid),
        (record("satisfied", "0", "").await, E::RatingInvalid),
        (record("complaint", "", " ").await, E::FollowUpTextInvalid),
        (record("waved", "", "").await, E::OutcomeUnknown),
    ];
    for ((status, body), expected) in refusals {
        assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error(&body), app::error::AppError::Invalid(expected));
        let message = error(&body).message(app::i18n::Lang::Zh);
        assert!(!message.is_empty() && !message.contains('_'), "{message}");
    }
    // Another store's follow-up is not there to act on.
    let (_, body) = call_as(
        &advisor,
        &server,
        "record_follow_up",
        &[
            ("id", &their_call),
            ("outcome", "reached"),
            ("rating", ""),
            ("text", ""),
        ],
    )
    .await;
    assert_eq!(error(&body), app::error::AppError::NotFound);
    let (_, body) = call_as(
        &advisor,
        &server,
        "record_follow_up",
        &[
            ("id", "not-an-id"),
            ("outcome", "reached"),
            ("rating", ""),
            ("text", ""),
        ],
    )
    .await;
    assert_eq!(error(&body), app::error::AppError::Invalid(E::IdInvalid));
    assert_eq!(state().await, before, "nothing changed");
    // The queue it reads is its own store's only.
    let (status, body) = call_as(&advisor, &server, "follow_up_queue", &[]).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    assert!(!body.contains(&their_call));
}

async fn a_complaint_case_runs_from_opening_to_the_customers_confirmation(db: TestDb) {
    use app::cases::CaseActor;
    use domain::cases::{CaseAction, CaseStatus, CaseText, Escalation};
    let database = db.open(Hub::new(), true).await;
    let (followups, cases) = (database.storages().followups, database.storages().cases);
    let (home, _) = store(&db, "HZ-XH").await;
    let (elsewhere, _) = store(&db, "HZ-BJ").await;
    let (order, customer, ..) = ready_oil_change(&db, home).await;
    hand_over(&db, &database, home, order).await;
    let call = follow_up(&db, order, FollowUpKind::Satisfaction).await;
    let at = now() + Duration::days(3);
    // The customer complains online; the case goes to the store's manager.
    let complaint = Outcome::Complaint {
        text: domain::followup::FollowUpText::parse("机油盖没拧紧").expect("text"),
    };
    // Not someone else's follow-up.
    let (_, stranger, ..) = ready_oil_change(&db, elsewhere).await;
    assert!(matches!(
        followups
            .answer_online(stranger, call, &complaint, at)
            .await,
        Err(StorageError::NotFound)
    ));
    let item = followups
        .answer_online(customer, call, &complaint, at)
        .await
        .expect("answered");
    assert_eq!(item.outcome.as_deref(), Some("complaint"));
    let mine = cases.customer_cases(customer, at).await.expect("cases");
    assert_eq!(mine.len(), 1);
    let case = &mine[0];
    assert_eq!(
        (case.status, case.escalation),
        (CaseStatus::Open, Escalation::Owner)
    );
    let manager: Vec<(String,)> = db
        .rows(
            "SELECT s.role FROM cases k JOIN staff s ON s.id = k.owner_id WHERE k.id = $1",
            &[Arg::Id(case.id.as_uuid())],
        )
        .await;
    assert_eq!(manager[0].0, "store_manager");
    // Overdue: the store manager's, then HQ's.
    let overdue = cases
        .store_cases(home, case.deadline + Duration::hours(1))
        .await
        .expect("cases");
    assert_eq!(overdue[0].escalation, Escalation::StoreManager);
    let hq = cases
        .open_cases(case.deadline + Duration::hours(49))
        .await
        .expect("cases");
    assert_eq!(
        hq.iter().find(|c| c.id == case.id).map(|c| c.escalation),
        Some(Escalation::Hq)
    );
    // Another store cannot touch it; staff cannot confirm for the customer.
    let advisor = advisor_at(&db, home).await;
    let staff = CaseActor::Staff {
        store: home,
        id: advisor,
    };
    let note = |t: &str| CaseText::parse(t).expect("text");
    let other = CaseActor::Staff {
        store: elsewhere,
        id: advisor_at(&db, elsewhere).await,
    };
    assert!(matches!(
        cases
            .act(case.id, other, &CaseAction::Step(note("看看")), at)
            .await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(
        rule(cases.act(case.id, staff, &CaseAction::Confirm, at).await),
        E::CaseNotYours
    );
    assert_eq!(
        rule(
            cases
                .act(
                    case.id,
                    CaseActor::Customer(customer),
                    &CaseAction::Resolve(note("好了")),
                    at
                )
                .await
        ),
        E::CaseNotYours
    );
    // The customer cannot confirm what has no resolution yet.
    assert_eq!(
        rule(
            cases
                .act(
                    case.id,
                    CaseActor::Customer(customer),
                    &CaseAction::Confirm,
                    at
                )
                .await
        ),
        E::CaseNotResolved
    );
    cases
        .act(
            case.id,
            staff,
            &CaseAction::Step(note("电话致歉，约客户回店检查")),
            at,
        )
        .await
        .expect("step");
    let resolved = cases
        .act(
            case.id,
            staff,
            &CaseAction::Resolve(note("免费复查并拧紧机油盖")),
            at,
        )
        .await
        .expect("resolved");
    assert_eq!(resolved.status, CaseStatus::Resolved);
    // Not resolved, says the customer: open again, with a new deadline.
    let later = at + Duration::hours(60);
    let reopened = cases
        .act(
            case.id,
            CaseActor::Customer(customer),
            &CaseAction::Reopen(note("还是有油渍")),
            later,
        )
        .await
        .expect("reopened");
    assert_eq!(
        (reopened.status, reopened.resolution.clone()),
        (CaseStatus::Open, None)
    );
    assert!(reopened.deadline > later);
    cases
        .act(
            case.id,
            staff,
            &CaseAction::Resolve(note("更换机油盖密封圈")),
            later,
        )
        .await
        .expect("resolved again");
    // The customer's confirmation and the store's step race: one wins, the case is
    // confirmed once or stays resolved with the step refused.
    let confirmed = cases
        .act(
            case.id,
            CaseActor::Customer(customer),
            &CaseAction::Confirm,
            later,
        )
        .await
        .expect("confirmed");
    assert_eq!(confirmed.status, CaseStatus::Confirmed);
    let actions: Vec<&str> = confirmed.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        actions,
        ["opened", "step", "resolve", "reopen", "resolve", "confirm"]
    );
    assert_eq!(
        rule(
            cases
                .act(
                    case.id,
                    CaseActor::Customer(customer),
                    &CaseAction::Confirm,
                    later
                )
                .await
        ),
        E::CaseNotResolved
    );
    // The store's page keeps it a while; HQ's list of open cases no longer has it.
    assert!(cases
        .store_cases(home, later)
        .await
        .expect("cases")
        .iter()
        .any(|c| c.id == case.id));
    assert!(cases
        .open_cases(later)
        .await
        .expect("cases")
        .iter()
        .all(|c| c.id != case.id));
}

async fn a_customer_answers_online_and_their_contact_choices_are_kept_with_their_time(db: TestDb) {
    let server = TestServer::start(&db).await;
    let database = db.open(Hub::new(), false).await;
    let (home, _) = store(&db, "HZ-XH").await;
    let (order, customer, _, cookie) = ready_oil_change(&db, home).await;
    hand_over(&db, &database, home, order).await;
    let http = reqwest::Client::new();
    let post = |endpoint: &'static str, form: Vec<(&'static str, String)>| {
        let req = http
            .post(server.url(&format!("/api/{endpoint}")))
            .header(reqwest::header::COOKIE, cookie.clone())
            .form(&form);
        async move {
            let res = req.send().await.expect("request");
            (res.status(), res.text().await.expect("body"))
        }
    };
    // Their garage shows the visit's question (theirs to answer from the handover on) and
    // the oil change due.
    let (status, body) = post("my_follow_ups", vec![]).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let view: app::followup::customer::CustomerFollowUps =
        serde_json::from_str(&body).expect("json");
    assert_eq!(
        view.to_answer
            .iter()
            .map(|i| i.order_reference.clone())
            .collect::<Vec<_>>(),
        [domain::booking::reference(order)]
    );
    assert_eq!(
        view.due.iter().map(|i| i.kind).collect::<Vec<_>>(),
        [FollowUpKind::OilChange]
    );
    assert!(view.due[0].recommended.is_some());
    assert_eq!(view.contact, domain::followup::Contact::default());
    // A reminder is not answered online; a bad rating is refused; nothing changes.
    let oil = follow_up(&db, order, FollowUpKind::OilChange)
        .await
        .to_string();
    let call = follow_up(&db, order, FollowUpKind::Satisfaction)
        .await
        .to_string();
    let answer = |id: &str, outcome: &str, rating: &str| {
        vec![
            ("id", id.to_owned()),
            ("outcome", outcome.to_owned()),
            ("rating", rating.to_owned()),
            ("text", String::new()),
        ]
    };
    for (form, expected) in [
        (answer(&oil, "satisfied", "5"), E::NotAnswerableOnline),
        (answer(&call, "satisfied", "7"), E::RatingInvalid),
        (answer(&call, "booked_again", ""), E::NotAnswerableOnline),
    ] {
        let (status, body) = post("answer_follow_up", form).await;
        assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error(&body), app::error::AppError::Invalid(expected));
    }
    let (_, body) = post("answer_follow_up", answer(&call, "satisfied", "5")).await;
    let item: FollowUpItem = serde_json::from_str(&body).expect("answered");
    assert_eq!(
        (item.status, item.outcome.as_deref()),
        (Status::Done, Some("satisfied"))
    );
    let via: Vec<(String, Option<Uuid>, i64)> = db
        .rows(
            "SELECT answered_via, answered_by, rating FROM followups WHERE id = $1",
            &[Arg::Id(item.id.as_uuid())],
        )
        .await;
    assert_eq!(via, vec![("online".to_owned(), None, 5)]);

    // No calls, no campaigns: kept, with the time, and the store's queue says so.
    let (status, body) = post("set_contact", vec![("sms", "on".to_owned())]).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let consents: Vec<(bool, bool, bool)> = db
        .rows(
            "SELECT calls, sms, campaigns FROM consents WHERE customer_id = $1",
            &[Arg::Id(customer.as_uuid())],
        )
        .await;
    assert_eq!(consents, vec![(false, true, false)]);
    let opted: Vec<(bool,)> = db
        .rows(
            "SELECT marketing_opt_out FROM customers WHERE id = $1",
            &[Arg::Id(customer.as_uuid())],
        )
        .await;
    assert!(opted[0].0);
    let queue = database
        .storages()
        .followups
        .queue(home, now() + Duration::days(200))
        .await
        .expect("queue");
    let reminder = queue
        .items
        .iter()
        .find(|i| i.customer == customer)
        .expect("the oil change is due then");
    assert!(!reminder.calls_ok);
}
