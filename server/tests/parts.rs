//! Black-box tests of parts at the bay: picking consumes what the order holds on the
//! shelf once, however many iPads press; one more part is held on the shelf or
//! requested from elsewhere, never more than the shelf has; bad input and the wrong
//! moment change nothing. On SQLite and PostgreSQL, over HTTP, as the kiosk calls them.

mod common;

use app::parts::OrderPart;
use app::workorders::{Board, WorkOrderCard};
use common::{
    book_oil_change, call_as, customer_with_car, error, signed_in, Arg, TestDb, TestServer, ADVISOR,
};
use domain::picking::PartPlace;
use domain::Error as E;
use reqwest::{Client, StatusCode};
use uuid::Uuid;

both_backends!(
    picking_consumes_the_parts_on_the_shelf_once_even_when_two_ipads_press,
    one_more_part_is_held_on_the_shelf_or_requested_from_elsewhere,
    two_cars_after_the_last_one_on_the_shelf_never_take_it_twice,
);

/// The advisor's store.
async fn store(db: &TestDb) -> Uuid {
    let rows: Vec<(Uuid,)> = db
        .rows(
            "SELECT location_id FROM staff WHERE phone = $1",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    rows[0].0
}

/// A new customer's oil change at the store, checked in: (order id, its card's day).
async fn checked_in(server: &TestServer, advisor: &Client, store: Uuid) -> (String, String) {
    let (owner, car) = customer_with_car(server).await;
    let (booking, _) = book_oil_change(server, &owner, &car, store).await;
    let order = booking.id.to_string();
    let (status, body) = call_as(
        advisor,
        server,
        "advance_work_order",
        &[
            ("order_id", &order),
            ("step", "check_in"),
            ("mileage", "60000"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (
        order,
        domain::local_time::local_date(booking.start).to_string(),
    )
}

async fn card(advisor: &Client, server: &TestServer, day: &str, order: &str) -> WorkOrderCard {
    let (status, body) = call_as(advisor, server, "store_board", &[("day", day)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let board: Board = serde_json::from_str(&body).expect("board");
    board
        .orders
        .into_iter()
        .find(|c| c.id.to_string() == order)
        .expect("on the board")
}

/// (on hand, reserved) of a part at a location.
async fn shelf(db: &TestDb, at: Uuid, part: domain::PartId) -> (i64, i64) {
    let rows: Vec<(i64, i64)> = db
        .rows(
            "SELECT on_hand_milli, reserved_milli FROM stock WHERE location_id = $1 AND part_id = $2",
            &[Arg::Id(at), Arg::Id(part.as_uuid())],
        )
        .await;
    rows.first().copied().unwrap_or((0, 0))
}

/// Sets a shelf to `free` thousandths above what is reserved on it.
async fn set_free(db: &TestDb, at: Uuid, part: domain::PartId, free: i64) {
    db.execute(
        "UPDATE stock SET on_hand_milli = reserved_milli + $1 WHERE location_id = $2 AND part_id = $3",
        &[Arg::Int(free), Arg::Id(at), Arg::Id(part.as_uuid())],
    )
    .await;
}

async fn add(
    advisor: &Client,
    server: &TestServer,
    order: &str,
    part: &str,
    quantity: &str,
) -> (StatusCode, String) {
    call_as(
        advisor,
        server,
        "add_part",
        &[
            ("order_id", order),
            ("part_id", part),
            ("quantity", quantity),
        ],
    )
    .await
}

async fn picking_consumes_the_parts_on_the_shelf_once_even_when_two_ipads_press(db: TestDb) {
    let server = TestServer::start(&db).await;
    let store = store(&db).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let (owner, car) = customer_with_car(&server).await;
    let (booking, _) = book_oil_change(&server, &owner, &car, store).await;
    let order = booking.id.to_string();
    let day = domain::local_time::local_date(booking.start).to_string();

    // Not before the car is there.
    let (_, body) = call_as(&advisor, &server, "pick_parts", &[("order_id", &order)]).await;
    assert_eq!(error(&body), E::PartsNotNow.into());
    let (status, body) = call_as(
        &advisor,
        &server,
        "advance_work_order",
        &[
            ("order_id", &order),
            ("step", "check_in"),
            ("mileage", "60000"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let before = card(&advisor, &server, &day, &order).await;
    let on_shelf: Vec<OrderPart> = before
        .parts
        .iter()
        .filter(|p| p.place == PartPlace::Shelf)
        .cloned()
        .collect();
    assert!(
        !on_shelf.is_empty(),
        "the oil change holds parts on the shelf"
    );
    assert!(before.parts.iter().all(|p| p.picked_milli == 0));
    assert!(
        !before.part_choices.is_empty(),
        "parts that fit the car are offered"
    );
    let mut shelves = Vec::new();
    for p in &on_shelf {
        shelves.push(shelf(&db, store, p.part).await);
    }

    // Two iPads press at once: the parts leave the shelf once.
    let form = [("order_id", order.as_str())];
    let (a, b) = tokio::join!(
        call_as(&advisor, &server, "pick_parts", &form),
        call_as(&advisor, &server, "pick_parts", &form)
    );
    let mut answers = [a, b];
    answers.sort_by_key(|(s, _)| *s != StatusCode::OK);
    assert_eq!(answers[0].0, StatusCode::OK, "{}", answers[0].1);
    assert_eq!(error(&answers[1].1), E::NothingToPick.into());
    for (p, (on_hand, reserved)) in on_shelf.iter().zip(shelves) {
        let q = i64::from(p.quantity.milli());
        assert_eq!(
            shelf(&db, store, p.part).await,
            (on_hand - q, reserved - q),
            "{}",
            p.sku
        );
    }
    let after = card(&advisor, &server, &day, &order).await;
    for p in after.parts.iter().filter(|p| p.place == PartPlace::Shelf) {
        assert_eq!(p.picked_milli, p.quantity.milli(), "{}", p.sku);
    }

    // Another store's technician cannot see it, let alone pick it.
    let other: Vec<(String,)> = db
        .rows(
            "SELECT phone FROM staff WHERE role = 'technician' AND location_id <> $1 ORDER BY phone",
            &[Arg::Id(store)],
        )
        .await;
    let elsewhere = signed_in(&server, "staff", &other[0].0).await;
    let (status, _) = call_as(&elsewhere, &server, "pick_parts", &[("order_id", &order)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn one_more_part_is_held_on_the_shelf_or_requested_from_elsewhere(db: TestDb) {
    let server = TestServer::start(&db).await;
    let store = store(&db).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let (order, day) = checked_in(&server, &advisor, store).await;
    let before = card(&advisor, &server, &day, &order).await;
    let held: Vec<domain::PartId> = before.parts.iter().map(|p| p.part).collect();
    let fresh: Vec<domain::PartId> = before
        .part_choices
        .iter()
        .map(|c| c.part)
        .filter(|p| !held.contains(p))
        .collect();
    assert!(
        fresh.len() >= 2,
        "two fitted parts the oil change does not hold"
    );
    let (here, elsewhere) = (fresh[0], fresh[1]);

    // On the shelf: held there at once.
    set_free(&db, store, here, 2000).await;
    let (_, reserved) = shelf(&db, store, here).await;
    let (status, body) = add(&advisor, &server, &order, &here.to_string(), "1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let added: OrderPart = serde_json::from_str(&body).expect("part");
    assert_eq!(
        (added.place, added.quantity.milli()),
        (PartPlace::Shelf, 1000)
    );
    assert_eq!(shelf(&db, store, here).await.1, reserved + 1000);
    // More of it, on the same shelf: the one hold grows.
    let (status, body) = add(&advisor, &server, &order, &here.to_string(), "1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let added: OrderPart = serde_json::from_str(&body).expect("part");
    assert_eq!(added.quantity.milli(), 2000);
    // The shelf is empty now: more of a part held here is not sent for.
    let (_, body) = add(&advisor, &server, &order, &here.to_string(), "1").await;
    assert_eq!(error(&body), E::OutOfStock.into());

    // Not on the shelf: requested from a location with spare, on its way.
    set_free(&db, store, elsewhere, 0).await;
    // (A shipment already on its way would be taken first; there is none.)
    db.execute(
        "DELETE FROM inbound_shipments WHERE part_id = $1 AND reserved_milli = 0",
        &[Arg::Id(elsewhere.as_uuid())],
    )
    .await;
    let (status, body) = add(&advisor, &server, &order, &elsewhere.to_string(), "1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let added: OrderPart = serde_json::from_str(&body).expect("part");
    assert!(
        matches!(added.place, PartPlace::Arriving { .. }),
        "{added:?}"
    );
    let transfers: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM transfers WHERE order_id = $1 AND part_id = $2 AND to_location_id = $3",
            &[
                Arg::Id(order.parse().expect("order id")),
                Arg::Id(elsewhere.as_uuid()),
                Arg::Id(store),
            ],
        )
        .await;
    assert_eq!(transfers[0].0, 1);
    // It cannot be picked until it is here, and more of it waits for it.
    let (_, body) = add(&advisor, &server, &order, &elsewhere.to_string(), "1").await;
    assert_eq!(error(&body), E::PartHeldElsewhere.into());
    let after = card(&advisor, &server, &day, &order).await;
    assert!(after
        .parts
        .iter()
        .any(|p| p.part == here && p.place == PartPlace::Shelf));

    // Bad input changes nothing.
    let reserved = shelf(&db, store, here).await;
    let oil = before.parts[0].part.to_string();
    for (part, quantity, expected) in [
        (oil.as_str(), "0", E::QuantityInvalid),
        (oil.as_str(), "lots", E::QuantityInvalid),
        (oil.as_str(), "51", E::QuantityInvalid),
        ("not-a-part", "1", E::IdInvalid),
    ] {
        let (_, body) = add(&advisor, &server, &order, part, quantity).await;
        assert_eq!(error(&body), expected.into(), "{part} {quantity}");
    }
    let unfitted: Vec<(Uuid,)> = db
        .rows(
            "SELECT p.id FROM parts p WHERE p.id NOT IN (
                 SELECT f.part_id FROM fitments f JOIN vehicles v ON v.model_id = f.model_id
                 JOIN orders o ON o.vehicle_id = v.id WHERE o.id = $1)",
            &[Arg::Id(order.parse().expect("order id"))],
        )
        .await;
    let (_, body) = add(&advisor, &server, &order, &unfitted[0].0.to_string(), "1").await;
    assert_eq!(error(&body), E::NoFitment.into());
    assert_eq!(shelf(&db, store, here).await, reserved);
    assert_eq!(
        card(&advisor, &server, &day, &order).await.parts,
        after.parts
    );
}

async fn two_cars_after_the_last_one_on_the_shelf_never_take_it_twice(db: TestDb) {
    let server = TestServer::start(&db).await;
    let store = store(&db).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    for round in 0..3 {
        let (first, day) = checked_in(&server, &advisor, store).await;
        let (second, _) = checked_in(&server, &advisor, store).await;
        let c = card(&advisor, &server, &day, &first).await;
        let held: Vec<domain::PartId> = c.parts.iter().map(|p| p.part).collect();
        let part = c
            .part_choices
            .iter()
            .map(|p| p.part)
            .find(|p| !held.contains(p))
            .expect("a fitted part the oil change does not hold");
        // One unit free here, and nowhere else to send it from.
        set_free(&db, store, part, 1000).await;
        db.execute(
            "UPDATE stock SET on_hand_milli = reserved_milli WHERE location_id <> $1 AND part_id = $2",
            &[Arg::Id(store), Arg::Id(part.as_uuid())],
        )
        .await;
        db.execute(
            "DELETE FROM inbound_shipments WHERE part_id = $1 AND reserved_milli = 0",
            &[Arg::Id(part.as_uuid())],
        )
        .await;
        let (on_hand, reserved) = shelf(&db, store, part).await;
        let p = part.to_string();
        let (a, b) = tokio::join!(
            add(&advisor, &server, &first, &p, "1"),
            add(&advisor, &server, &second, &p, "1")
        );
        let ok = [&a, &b]
            .iter()
            .filter(|(s, _)| *s == StatusCode::OK)
            .count();
        assert_eq!(ok, 1, "round {round}: {a:?} {b:?}");
        for (status, body) in [&a, &b] {
            if *status != StatusCode::OK {
                assert_eq!(error(body), E::OutOfStock.into(), "round {round}");
            }
        }
        assert_eq!(
            shelf(&db, store, part).await,
            (on_hand, reserved + 1000),
            "round {round}"
        );
    }
}
