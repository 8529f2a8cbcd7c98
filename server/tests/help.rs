//! Help between stores, on SQLite and PostgreSQL: a request is seen by the stores
//! nearby, nearest first; of two stores accepting at once one helps; a parts request
//! becomes a transfer that is sent and received once each, moving the stock from the
//! helper's shelf to the asker's, held for the order; a staff request records who goes
//! and when; an open request can be taken back by its store only; bad answers change
//! nothing; HQ sees how long each waited.

mod common;

use app::help::{HelpAnswer, HelpRow};
use app::storage::StorageError;
use common::{
    advisor_at, bulk_customers_with_cars, call_as, error, signed_in, store, stores, Arg, TestDb,
    TestServer, ADVISOR,
};
use domain::catalog::ServiceCategory;
use domain::help::{Dispatch, HelpNeed, HelpStatus, TransferStep, NEARBY_M};
use domain::{Error as E, OrderId, PartId, Quantity, StaffId, StoreId};
use server::live::Hub;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

both_backends!(
    a_parts_request_is_answered_once_and_its_transfer_moves_the_stock_once,
    a_staff_request_records_who_goes_where_and_when,
    bad_help_over_http_gets_a_clear_message_and_changes_nothing,
);

fn now() -> OffsetDateTime {
    // Whole seconds: the databases keep microseconds.
    #[allow(clippy::disallowed_methods)]
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("whole second")
}

fn rule<T: std::fmt::Debug>(r: Result<T, StorageError>) -> E {
    match r {
        Err(StorageError::Rule(e)) => e,
        other => panic!("expected a rule, got {other:?}"),
    }
}

/// A booked service order at `store` for a new customer's Corolla (the demo's orders
/// are all handed over), and the wiper blades that fit the car, which it does not hold.
async fn order_at(db: &TestDb, store: StoreId) -> (OrderId, PartId) {
    let (_, vehicle) = bulk_customers_with_cars(db, 1).await.remove(0);
    let vehicle = Uuid::parse_str(&vehicle).expect("vehicle");
    let order = OrderId::new();
    let at = now() + Duration::hours(2);
    db.execute(
        "INSERT INTO orders (id, reference, customer_id, vehicle_id, store_id, channel, status,
            price_list_version, total_fen, mileage_km, created_at, scheduled_start, scheduled_end)
         SELECT $1, $2, customer_id, id, $3, 'online', 'booked', 1, 0, 30000, $4, $4, $5
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
    let wipers: Vec<(Uuid,)> = db
        .rows(
            "SELECT f.part_id FROM fitments f
             JOIN vehicles v ON v.model_id = f.model_id
             JOIN parts p ON p.id = f.part_id
             WHERE v.id = $1 AND p.sku LIKE 'WIP-%'",
            &[Arg::Id(vehicle)],
        )
        .await;
    (order, PartId::from(wipers[0].0))
}

/// The two stores nearest `asker`, both within reach.
async fn two_nearest(db: &TestDb, asker: StoreId) -> (StoreId, StoreId) {
    let all = stores(db).await;
    let from = all.iter().find(|(id, ..)| *id == asker).expect("store").2;
    let mut others: Vec<(u32, StoreId)> = all
        .iter()
        .filter(|(id, ..)| *id != asker)
        .map(|(id, _, p)| (domain::geo::distance_m(from, *p), *id))
        .collect();
    others.sort();
    assert!(others[1].0 <= NEARBY_M, "two stores within reach");
    (others[0].1, others[1].1)
}

async fn a_parts_request_is_answered_once_and_its_transfer_moves_the_stock_once(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    let help = database.storages().help;
    let (asker, _) = store(&db, "HZ-XH").await;
    let (order, part) = order_at(&db, asker).await;
    let (b, c) = two_nearest(&db, asker).await;
    let t0 = now();
    let one = Quantity::units(1).expect("one");
    let raised = help
        .raise(
            asker,
            advisor_at(&db, asker).await,
            order,
            HelpNeed::Parts {
                part,
                quantity: one,
            },
            None,
            t0,
        )
        .await
        .expect("raised");
    assert_eq!(raised.status, HelpStatus::Open);
    // Both nearby stores see it; each sees its nearby list nearest first.
    for at in [b, c] {
        let board = help.board(at, t0).await.expect("board");
        assert!(board.nearby.iter().any(|r| r.id == raised.id));
        assert!(board
            .nearby
            .windows(2)
            .all(|w| w[0].distance_m <= w[1].distance_m));
        assert!(board
            .nearby
            .iter()
            .all(|r| r.distance_m.is_some_and(|d| d <= NEARBY_M)));
    }
    // The store that asked does not answer itself.
    let own = help
        .accept(
            asker,
            advisor_at(&db, asker).await,
            raised.id,
            HelpAnswer::Parts(Dispatch::Wave),
            t0,
        )
        .await;
    assert_eq!(rule(own), E::HelpOwnStore);

    // Both have it to spare; both accept at once: one helps.
    db.stock_up(b, part, 5_000).await;
    db.stock_up(c, part, 5_000).await;
    let (before_b, before_c) = (db.shelf(b, part).await, db.shelf(c, part).await);
    let at = t0 + Duration::minutes(12);
    let (by_b, by_c) = (advisor_at(&db, b).await, advisor_at(&db, c).await);
    let (x, y) = tokio::join!(
        help.accept(b, by_b, raised.id, HelpAnswer::Parts(Dispatch::Courier), at),
        help.accept(c, by_c, raised.id, HelpAnswer::Parts(Dispatch::Courier), at),
    );
    let (winner, lost) = match (x, y) {
        (Ok(row), other) => ((b, row), rule(other)),
        (other, Ok(row)) => ((c, row), rule(other)),
        (x, y) => panic!("nobody helped: {x:?} {y:?}"),
    };
    assert_eq!(lost, E::HelpAnswered);
    let (helper, row) = winner;
    assert_eq!(row.status, HelpStatus::Accepted);
    assert_eq!(row.waited_minutes, 12);
    let transfer = row.transfer.clone().expect("a transfer");
    assert_eq!(transfer.step, TransferStep::Reserved);
    assert_eq!(transfer.dispatch, Dispatch::Courier);
    // Held on the helper's shelf only.
    let (hb, hc) = (db.shelf(b, part).await, db.shelf(c, part).await);
    let held = |now: (u64, u64), before: (u64, u64)| now.1 - before.1;
    assert_eq!(held(hb, before_b) + held(hc, before_c), 1_000);
    assert_eq!(
        db.shelf(helper, part).await.1 - if helper == b { before_b.1 } else { before_c.1 },
        1_000
    );

    // Received before it was sent: refused. Sent by the helper, once; received by the
    // store that asked, once; nobody else moves it.
    let early = help
        .move_transfer(asker, raised.id, TransferStep::Received, at)
        .await;
    assert_eq!(rule(early), E::StepOutOfOrder);
    let other = if helper == b { c } else { b };
    let stranger = help
        .move_transfer(other, raised.id, TransferStep::InTransit, at)
        .await;
    assert!(
        matches!(stranger, Err(StorageError::NotFound)),
        "{stranger:?}"
    );
    help.move_transfer(helper, raised.id, TransferStep::InTransit, at)
        .await
        .expect("sent");
    let again = help
        .move_transfer(helper, raised.id, TransferStep::InTransit, at)
        .await;
    assert_eq!(rule(again), E::StepOutOfOrder);
    let source_before = db.shelf(helper, part).await;
    let asker_before = db.shelf(asker, part).await;
    let later = at + Duration::minutes(40);
    let (r1, r2) = tokio::join!(
        help.move_transfer(asker, raised.id, TransferStep::Received, later),
        help.move_transfer(asker, raised.id, TransferStep::Received, later),
    );
    assert_eq!([r1.is_ok(), r2.is_ok()].iter().filter(|ok| **ok).count(), 1);
    assert_eq!(
        db.shelf(helper, part).await,
        (source_before.0 - 1_000, source_before.1 - 1_000)
    );
    assert_eq!(
        db.shelf(asker, part).await,
        (asker_before.0 + 1_000, asker_before.1 + 1_000)
    );
    // Held for the order on the asker's own shelf now.
    let held: Vec<(Uuid, Option<Uuid>)> = db
        .rows(
            "SELECT location_id, transfer_id FROM reservations WHERE order_id = $1 AND part_id = $2",
            &[Arg::Id(order.as_uuid()), Arg::Id(part.as_uuid())],
        )
        .await;
    assert_eq!(held, vec![(asker.as_uuid(), None)]);
    // A request for an order cancelled since: nobody can accept it; nothing is held.
    let (gone, gone_part) = order_at(&db, asker).await;
    let request = help
        .raise(
            asker,
            advisor_at(&db, asker).await,
            gone,
            HelpNeed::Parts {
                part: gone_part,
                quantity: one,
            },
            None,
            later,
        )
        .await
        .expect("raised");
    db.execute(
        "UPDATE orders SET status = 'cancelled' WHERE id = $1",
        &[Arg::Id(gone.as_uuid())],
    )
    .await;
    let before = db.shelf(helper, gone_part).await;
    let refused = help
        .accept(
            helper,
            advisor_at(&db, helper).await,
            request.id,
            HelpAnswer::Parts(Dispatch::Wave),
            later,
        )
        .await;
    assert_eq!(rule(refused), E::HelpNotNow);
    assert_eq!(db.shelf(helper, gone_part).await, before);

    // HQ sees it answered, after 12 minutes.
    let overview = help.overview(later, 7).await.expect("overview");
    let seen: &HelpRow = overview
        .answered
        .iter()
        .find(|r| r.id == raised.id)
        .expect("answered");
    assert_eq!(seen.waited_minutes, 12);
    assert!(overview.open.iter().all(|r| r.id != raised.id));
}

async fn a_staff_request_records_who_goes_where_and_when(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    let help = database.storages().help;
    let (asker, _) = store(&db, "HZ-XH").await;
    let (order, _) = order_at(&db, asker).await;
    let (helper, _) = two_nearest(&db, asker).await;
    let t0 = now();
    let by = advisor_at(&db, asker).await;
    let need = HelpNeed::Staff {
        skill: ServiceCategory::Maintenance,
    };
    let raised = help
        .raise(asker, by, order, need, None, t0)
        .await
        .expect("raised");
    // A double tap asks once.
    let twice = help.raise(asker, by, order, need, None, t0).await;
    assert_eq!(rule(twice), E::HelpAlreadyAsked);
    // HQ sees it open, waiting.
    let overview = help
        .overview(t0 + Duration::minutes(30), 7)
        .await
        .expect("overview");
    let open = overview
        .open
        .iter()
        .find(|r| r.id == raised.id)
        .expect("open");
    assert_eq!(open.waited_minutes, 30);

    let techs: Vec<(Uuid, String)> = db
        .rows(
            "SELECT id, skills FROM staff WHERE location_id = $1 AND role = 'technician'
               AND deactivated_at IS NULL ORDER BY phone",
            &[Arg::Id(helper.as_uuid())],
        )
        .await;
    let skilled = techs
        .iter()
        .find(|(_, s)| s.contains("maintenance"))
        .expect("a skilled technician")
        .0;
    let unskilled = techs
        .iter()
        .find(|(_, s)| !s.contains("maintenance"))
        .map(|t| t.0);
    let at = t0 + Duration::minutes(31);
    let visit = |staff: Uuid| HelpAnswer::Staff {
        staff: StaffId::from(staff),
        from: at,
        until: at + Duration::hours(4),
    };
    let by_helper = advisor_at(&db, helper).await;
    if let Some(unskilled) = unskilled {
        let refused = help
            .accept(helper, by_helper, raised.id, visit(unskilled), at)
            .await;
        assert_eq!(rule(refused), E::SkillMissing);
    }
    // Not one of the helper's own technicians.
    let theirs: Vec<(Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE location_id = $1 AND role = 'technician' LIMIT 1",
            &[Arg::Id(asker.as_uuid())],
        )
        .await;
    let borrowed = help
        .accept(helper, by_helper, raised.id, visit(theirs[0].0), at)
        .await;
    assert!(
        matches!(borrowed, Err(StorageError::NotFound)),
        "{borrowed:?}"
    );
    // Parts for a staff request: refused.
    let wrong = help
        .accept(
            helper,
            by_helper,
            raised.id,
            HelpAnswer::Parts(Dispatch::Wave),
            at,
        )
        .await;
    assert_eq!(rule(wrong), E::HelpKindUnknown);
    let row = help
        .accept(helper, by_helper, raised.id, visit(skilled), at)
        .await
        .expect("accepted");
    let v = row.visit.clone().expect("a visit");
    assert_eq!((v.from, v.until), (at, at + Duration::hours(4)));
    assert_eq!(row.waited_minutes, 31);
    // The store that asked sees who comes; the helper lists it while the visit lasts.
    let board = help.board(asker, at).await.expect("board");
    let mine = board
        .asked
        .iter()
        .find(|r| r.id == raised.id)
        .expect("listed");
    assert!(mine.helper.is_some() && mine.visit.is_some());
    let theirs = help.board(helper, at).await.expect("board");
    assert!(theirs.helping.iter().any(|r| r.id == raised.id));
    assert!(theirs.nearby.iter().all(|r| r.id != raised.id));
    // Answered: no longer withdrawn.
    let late = help.withdraw(asker, raised.id, at).await;
    assert_eq!(rule(late), E::HelpAnswered);

    // Asked again, then taken back by the store that asked (another store cannot): no
    // store can accept it, and nobody nearby sees it any more.
    let again = help
        .raise(asker, by, order, need, None, at)
        .await
        .expect("raised");
    let stranger = help.withdraw(helper, again.id, at).await;
    assert!(
        matches!(stranger, Err(StorageError::NotFound)),
        "{stranger:?}"
    );
    let withdrawn = help.withdraw(asker, again.id, at).await.expect("withdrawn");
    assert_eq!(withdrawn.status, HelpStatus::Withdrawn);
    let too_late = help
        .accept(helper, by_helper, again.id, visit(skilled), at)
        .await;
    assert_eq!(rule(too_late), E::HelpAnswered);
    let theirs = help.board(helper, at).await.expect("board");
    assert!(theirs.nearby.iter().all(|r| r.id != again.id));
}

async fn bad_help_over_http_gets_a_clear_message_and_changes_nothing(db: TestDb) {
    let server = TestServer::start(&db).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let home: Vec<(Uuid,)> = db
        .rows(
            "SELECT location_id FROM staff WHERE phone = $1",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let home = StoreId::from(home[0].0);
    let (order, part) = order_at(&db, home).await;
    let count = || async {
        db.rows::<(i64,)>("SELECT COUNT(*) FROM help_requests", &[])
            .await[0]
            .0
    };
    let before = count().await;
    let (order, part) = (order.to_string(), part.to_string());
    let raise = |kind: &'static str, quantity: &'static str| {
        let (advisor, server, order, part) = (&advisor, &server, &order, &part);
        async move {
            call_as(
                advisor,
                server,
                "raise_help",
                &[
                    ("order_id", order),
                    ("kind", kind),
                    ("skill", "maintenance"),
                    ("part_id", part),
                    ("quantity", quantity),
                    ("note", ""),
                ],
            )
            .await
        }
    };
    let refusals = [
        (raise("nothing", "1").await, E::HelpKindUnknown),
        (raise("parts", "0").await, E::QuantityInvalid),
        (raise("parts", "21").await, E::QuantityInvalid),
    ];
    for ((status, body), expected) in refusals {
        assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error(&body), app::error::AppError::Invalid(expected));
        let message = error(&body).message(app::i18n::Lang::Zh);
        assert!(!message.is_empty() && !message.contains('_'), "{message}");
    }
    // Another store's order is not there to ask help for.
    let (elsewhere, _) = store(
        &db,
        if home == store(&db, "HZ-XH").await.0 {
            "HZ-BJ"
        } else {
            "HZ-XH"
        },
    )
    .await;
    let (theirs, _) = order_at(&db, elsewhere).await;
    let (status, body) = call_as(
        &advisor,
        &server,
        "raise_help",
        &[
            ("order_id", &theirs.to_string()),
            ("kind", "staff"),
            ("skill", "maintenance"),
            ("part_id", ""),
            ("quantity", ""),
            ("note", ""),
        ],
    )
    .await;
    assert_eq!(
        error(&body),
        app::error::AppError::NotFound,
        "{status} {body}"
    );
    let (status, body) = call_as(
        &advisor,
        &server,
        "accept_help",
        &[
            ("id", &Uuid::now_v7().to_string()),
            ("dispatch", "drone"),
            ("staff_id", ""),
            ("from", ""),
            ("until", ""),
        ],
    )
    .await;
    assert_eq!(
        error(&body),
        app::error::AppError::Invalid(E::DispatchUnknown),
        "{status} {body}"
    );
    assert_eq!(count().await, before);
}
