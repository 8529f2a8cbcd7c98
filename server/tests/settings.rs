//! Black-box tests of a store's settings: the manager changes the hours and bays, the
//! slot grid follows at once, bookings already made stay and are flagged when they no
//! longer fit, bad input changes nothing, and a change racing bookings never lets one
//! in on the old capacity. On SQLite and PostgreSQL, over HTTP, as the kiosk calls them.

mod common;

use app::booking::{Booking, SlotView};
use app::settings::StoreSettings;
use common::{
    book_oil_change, bulk_customers_with_cars, call_as, customer_with_car, error, signed_in, Arg,
    TestDb, TestServer, ADVISOR, HQ_ADMIN,
};
use domain::local_time::{local_date, local_minute_of_day, CHINA};
use domain::settings::{format_clock, Strand};
use domain::Error as E;
use reqwest::{Client, StatusCode};
use time::Weekday;
use uuid::Uuid;

both_backends!(
    shorter_hours_reach_the_grid_at_once_and_flag_the_bookings_outside_them,
    fewer_bays_flag_the_later_booking_and_close_the_slot,
    bad_settings_are_refused_and_change_nothing,
    a_change_of_bays_racing_bookings_never_lets_one_in_on_the_old_capacity,
    a_technician_who_leaves_no_longer_counts_toward_capacity,
);

const MANAGER: &str = "13900000003";

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("time")
}

/// The manager's store.
async fn manager_store(db: &TestDb) -> Uuid {
    let rows: Vec<(Uuid,)> = db
        .rows(
            "SELECT location_id FROM staff WHERE phone = $1",
            &[Arg::Text(MANAGER.into())],
        )
        .await;
    rows[0].0
}

async fn settings(client: &Client, server: &TestServer) -> StoreSettings {
    let (status, body) = call_as(client, server, "store_settings", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("settings")
}

/// Every weekday open from `opens` to `closes` (minutes) except `closed`.
fn week(opens: u16, closes: u16, closed: &[Weekday]) -> Vec<(u8, Option<(u16, u16)>)> {
    (1..=7u8)
        .map(|n| {
            let day = domain::settings::weekday_from_iso(n).expect("weekday");
            (n, (!closed.contains(&day)).then_some((opens, closes)))
        })
        .collect()
}

/// The week `s` has, in the form's shape.
fn week_of(s: &StoreSettings) -> Vec<(u8, Option<(u16, u16)>)> {
    (1..=7u8)
        .map(|n| {
            let day = domain::settings::weekday_from_iso(n).expect("weekday");
            (n, s.hours.on(day).map(|h| (h.opens_min, h.closes_min)))
        })
        .collect()
}

/// Saves bays and a week as the kiosk's form sends them.
async fn save(
    client: &Client,
    server: &TestServer,
    bays: &str,
    days: &[(u8, Option<(u16, u16)>)],
) -> (StatusCode, String) {
    let mut form: Vec<(String, String)> = vec![("bays".into(), bays.into())];
    for (i, (day, hours)) in days.iter().enumerate() {
        form.push((format!("days[{i}][day]"), day.to_string()));
        let (opens, closes) = hours.unwrap_or((510, 1080));
        if hours.is_some() {
            form.push((format!("days[{i}][open]"), "on".into()));
        }
        form.push((format!("days[{i}][opens]"), format_clock(opens)));
        form.push((format!("days[{i}][closes]"), format_clock(closes)));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    call_as(client, server, "save_store_settings", &form).await
}

async fn saved(
    client: &Client,
    server: &TestServer,
    bays: &str,
    days: &[(u8, Option<(u16, u16)>)],
) -> StoreSettings {
    let (status, body) = save(client, server, bays, days).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("settings")
}

async fn slots(
    owner: &Client,
    server: &TestServer,
    car: &str,
    service: &str,
    store: Uuid,
) -> Vec<SlotView> {
    let (status, body) = call_as(
        owner,
        server,
        "store_slots",
        &[
            ("vehicle_id", car),
            ("service_id", service),
            ("store_id", &store.to_string()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("slots")
}

async fn status_of(db: &TestDb, order: domain::OrderId) -> String {
    let rows: Vec<(String,)> = db
        .rows(
            "SELECT status FROM orders WHERE id = $1",
            &[Arg::Id(order.as_uuid())],
        )
        .await;
    rows[0].0.clone()
}

async fn shorter_hours_reach_the_grid_at_once_and_flag_the_bookings_outside_them(db: TestDb) {
    let server = TestServer::start(&db).await;
    let store = manager_store(&db).await;
    let manager = signed_in(&server, "staff", MANAGER).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let before = settings(&manager, &server).await;
    assert_eq!(before.capacity(), before.bays.get().min(before.technicians));
    assert!(
        before.stranded.is_empty(),
        "the demo's bookings fit its settings"
    );

    let (owner, car) = customer_with_car(&server).await;
    let (booking, service) = book_oil_change(&server, &owner, &car, store).await;
    let day = local_date(booking.start).weekday();

    // Closed on the booking's weekday, 09:00 to 17:00 on the others.
    let after = saved(
        &manager,
        &server,
        &before.bays.get().to_string(),
        &week(540, 1020, &[day]),
    )
    .await;
    assert_eq!(after.hours.on(day), None);
    let flagged: Vec<(domain::OrderId, Strand)> =
        after.stranded.iter().map(|b| (b.order, b.reason)).collect();
    assert!(
        flagged.contains(&(booking.id, Strand::OutsideHours)),
        "{flagged:?}"
    );
    // Flagged, never moved or cancelled: the customer still has their booking.
    assert_eq!(status_of(&db, booking.id).await, "booked");
    let (_, body) = call_as(
        &owner,
        &server,
        "booking",
        &[("order_id", &booking.id.to_string())],
    )
    .await;
    let still: Booking = serde_json::from_str(&body).expect("booking");
    assert_eq!(still.start, booking.start);
    // The board's card of the day says so too.
    let (status, body) = call_as(
        &advisor,
        &server,
        "store_board",
        &[("day", &local_date(booking.start).to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let board: app::workorders::Board = serde_json::from_str(&body).expect("board");
    let card = board
        .orders
        .iter()
        .find(|c| c.id == booking.id)
        .expect("on the board");
    assert_eq!(card.to_move, Some(Strand::OutsideHours));
    // Everyone at the store sees the flag; the list names the car and the customer.
    let seen = settings(&advisor, &server).await;
    let mine = seen
        .stranded
        .iter()
        .find(|b| b.order == booking.id)
        .expect("flagged");
    assert_eq!(mine.reference, booking.reference);
    assert_eq!(mine.plate, booking.plate);
    assert!(!mine.services.is_empty());

    // The grid follows at once: nothing on the closed weekday, and every other slot
    // within 09:00 to 17:00.
    let grid = slots(&owner, &server, &car, &service, store).await;
    assert!(!grid.is_empty());
    for slot in &grid {
        let start = slot.start.to_offset(CHINA);
        let end = slot.end.to_offset(CHINA);
        assert_ne!(local_date(start).weekday(), day, "{slot:?}");
        assert!(local_minute_of_day(start) >= 540, "{slot:?}");
        assert!(
            local_minute_of_day(end) <= 1020 && local_date(end) == local_date(start),
            "{slot:?}"
        );
    }

    // Undone, the flag goes by itself.
    let back = saved(
        &manager,
        &server,
        &before.bays.get().to_string(),
        &week_of(&before),
    )
    .await;
    assert_eq!(back.hours, before.hours);
    assert!(back.stranded.is_empty(), "{:?}", back.stranded);
    let grid = slots(&owner, &server, &car, &service, store).await;
    assert!(grid.iter().any(|s| local_date(s.start).weekday() == day));
}

async fn fewer_bays_flag_the_later_booking_and_close_the_slot(db: TestDb) {
    let server = TestServer::start(&db).await;
    let store = manager_store(&db).await;
    let manager = signed_in(&server, "staff", MANAGER).await;
    let before = settings(&manager, &server).await;
    assert!(
        before.technicians >= 2,
        "the demo store has two technicians or more"
    );
    let hours = week_of(&before);
    let two = saved(&manager, &server, "2", &hours).await;
    assert_eq!(two.capacity(), 2);

    // Two cars in the same first free slot, one booked after the other.
    let (first_owner, first_car) = customer_with_car(&server).await;
    let (first, service) = book_oil_change(&server, &first_owner, &first_car, store).await;
    let (second_owner, second_car) = customer_with_car(&server).await;
    let (second, _) = book_oil_change(&server, &second_owner, &second_car, store).await;
    assert_eq!(first.start, second.start, "the slot had room for two");

    let one = saved(&manager, &server, "1", &hours).await;
    assert_eq!(one.capacity(), 1);
    let flagged: Vec<(domain::OrderId, Strand)> =
        one.stranded.iter().map(|b| (b.order, b.reason)).collect();
    // The first promise is kept; the later one is the one to move.
    assert_eq!(flagged, vec![(second.id, Strand::OverCapacity)]);
    assert_eq!(status_of(&db, second.id).await, "booked");

    // The slot is full now: not offered, and a booking for it is refused.
    let (third_owner, third_car) = customer_with_car(&server).await;
    let grid = slots(&third_owner, &server, &third_car, &service, store).await;
    assert!(
        grid.iter().all(|s| s.start != first.start),
        "the full slot is not offered"
    );
    let (_, body) = call_as(
        &third_owner,
        &server,
        "service_quotes",
        &[("vehicle_id", &third_car)],
    )
    .await;
    let quotes: app::booking::QuotesView = serde_json::from_str(&body).expect("quotes");
    let total = quotes
        .quotes
        .iter()
        .find(|q| q.service.id.to_string() == service)
        .and_then(|q| q.quote.as_ref().ok())
        .expect("priced")
        .total
        .fen()
        .to_string();
    let (status, body) = call_as(
        &third_owner,
        &server,
        "confirm_booking",
        &[
            ("vehicle_id", &third_car),
            ("service_id", &service),
            ("store_id", &store.to_string()),
            ("start", &rfc3339(first.start)),
            ("expected_total", &total),
            ("idempotency_key", &Uuid::now_v7().to_string()),
        ],
    )
    .await;
    assert_ne!(status, StatusCode::OK, "{body}");
    assert_eq!(error(&body), E::SlotUnavailable.into());

    // The first booking cancelled, the second fits again.
    let (status, body) = call_as(
        &first_owner,
        &server,
        "cancel_booking",
        &[("order_id", &first.id.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(settings(&manager, &server).await.stranded.is_empty());
}

async fn bad_settings_are_refused_and_change_nothing(db: TestDb) {
    let server = TestServer::start(&db).await;
    let manager = signed_in(&server, "staff", MANAGER).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let before = settings(&manager, &server).await;
    let revision = || async {
        let rows: Vec<(i64,)> = db
            .rows("SELECT rev FROM revisions WHERE name = 'network'", &[])
            .await;
        rows[0].0
    };
    let rev = revision().await;
    let hours = week_of(&before);
    let bays = before.bays.get().to_string();

    // Only the manager changes them.
    let (status, body) = save(&advisor, &server, "3", &hours).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = save(&common::browser(), &server, "3", &hours).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    for bad in ["0", "41", "-1", "three", "", "2.5"] {
        let (status, body) = save(&manager, &server, bad, &hours).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(error(&body), E::BaysInvalid.into(), "{bad}");
    }
    let raw = |fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("bays", "3")];
        form.extend(fields);
        form
    };
    for form in [
        // Closing before opening, a time that is not one, a day that is not one, a day
        // twice.
        raw(vec![
            ("days[0][day]", "1"),
            ("days[0][open]", "on"),
            ("days[0][opens]", "18:00"),
            ("days[0][closes]", "09:00"),
        ]),
        raw(vec![
            ("days[0][day]", "1"),
            ("days[0][open]", "on"),
            ("days[0][opens]", "25:00"),
            ("days[0][closes]", "26:00"),
        ]),
        raw(vec![
            ("days[0][day]", "1"),
            ("days[0][open]", "on"),
            ("days[0][opens]", "nine"),
            ("days[0][closes]", "18:00"),
        ]),
        raw(vec![
            ("days[0][day]", "8"),
            ("days[0][open]", "on"),
            ("days[0][opens]", "09:00"),
            ("days[0][closes]", "18:00"),
        ]),
        raw(vec![
            ("days[0][day]", "2"),
            ("days[0][open]", "on"),
            ("days[0][opens]", "09:00"),
            ("days[0][closes]", "12:00"),
            ("days[1][day]", "2"),
            ("days[1][open]", "on"),
            ("days[1][opens]", "13:00"),
            ("days[1][closes]", "18:00"),
        ]),
    ] {
        let (status, body) = call_as(&manager, &server, "save_store_settings", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}: {body}");
        assert_eq!(error(&body), E::HoursInvalid.into(), "{form:?}");
        assert!(!body.contains("sqlx") && !body.contains("SQL"), "{body}");
    }
    assert_eq!(settings(&manager, &server).await, before, "nothing changed");
    assert_eq!(revision().await, rev, "the grid's revision did not move");
    // The unchanged settings saved again are accepted as they are.
    assert_eq!(
        saved(&manager, &server, &bays, &hours).await.hours,
        before.hours
    );
}

/// Customers book the same slot at once while the manager takes the store down to one
/// bay. Whatever the interleaving, a booking either committed before the change (the
/// change then sees it, and flags all but the first) or decided on one bay: so no more
/// cars are booked in the slot than the change saw, or one if it saw none.
async fn a_change_of_bays_racing_bookings_never_lets_one_in_on_the_old_capacity(db: TestDb) {
    const ROUNDS: usize = 4;
    const CARS: usize = 5;
    let server = TestServer::start(&db).await;
    let store = manager_store(&db).await;
    let manager = signed_in(&server, "staff", MANAGER).await;
    let before = settings(&manager, &server).await;
    let hours = week_of(&before);
    let wide = before
        .technicians
        .min(domain::settings::MAX_BAYS)
        .to_string();
    assert!(
        before.technicians >= 2,
        "the demo store has two technicians or more"
    );
    let people = bulk_customers_with_cars(&db, ROUNDS * CARS).await;
    let http = Client::new();
    let post = |cookie: String, endpoint: &'static str, form: Vec<(&'static str, String)>| {
        let req = http
            .post(server.url(&format!("/api/{endpoint}")))
            .header(reqwest::header::COOKIE, cookie)
            .form(&form);
        async move {
            let res = req.send().await.expect("request");
            (res.status(), res.text().await.expect("body"))
        }
    };
    // Every bulk customer drives the same model: one service, one price.
    let (cookie, car) = people[0].clone();
    let (_, body) = post(
        cookie.clone(),
        "service_quotes",
        vec![("vehicle_id", car.clone())],
    )
    .await;
    let quotes: app::booking::QuotesView = serde_json::from_str(&body).expect("quotes");
    let oil = quotes
        .quotes
        .iter()
        .find(|q| q.service.code == "OIL_CHANGE")
        .expect("oil change");
    let service = oil.service.id.to_string();
    let total = oil.quote.as_ref().expect("priced").total.fen().to_string();

    let mut used = Vec::new();
    for round in 0..ROUNDS {
        let wide_open = saved(&manager, &server, &wide, &hours).await;
        let capacity = wide_open.capacity();
        let (_, body) = post(
            people[round * CARS].0.clone(),
            "store_slots",
            vec![
                ("vehicle_id", people[round * CARS].1.clone()),
                ("service_id", service.clone()),
                ("store_id", store.to_string()),
            ],
        )
        .await;
        let grid: Vec<SlotView> = serde_json::from_str(&body).expect("slots");
        let slot = grid
            .iter()
            .find(|s| s.free_units == capacity && !used.contains(&s.start))
            .expect("an empty slot")
            .start;
        used.push(slot);
        let start = rfc3339(slot);
        let bookings = people[round * CARS..(round + 1) * CARS]
            .iter()
            .map(|(cookie, car)| {
                post(
                    cookie.clone(),
                    "confirm_booking",
                    vec![
                        ("vehicle_id", car.clone()),
                        ("service_id", service.clone()),
                        ("store_id", store.to_string()),
                        ("start", start.clone()),
                        ("expected_total", total.clone()),
                        ("idempotency_key", Uuid::now_v7().to_string()),
                    ],
                )
            });
        let (change, answers) = tokio::join!(
            save(&manager, &server, "1", &hours),
            futures::future::join_all(bookings)
        );
        assert_eq!(change.0, StatusCode::OK, "{}", change.1);
        let change: StoreSettings = serde_json::from_str(&change.1).expect("settings");
        let booked = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
        for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
            assert_eq!(error(body), E::SlotUnavailable.into(), "{status}: {body}");
        }
        let seen_flagged = change.stranded.iter().filter(|b| b.start == slot).count();
        assert!(
            u32::try_from(booked).expect("count") <= capacity,
            "round {round}: {booked} cars for {capacity} places"
        );
        assert!(
            booked <= seen_flagged + 1,
            "round {round}: {booked} booked, but one bay leaves room for {} (the bookings the change saw, or one)",
            seen_flagged + 1
        );
        let rows: Vec<(i64,)> = db
            .rows(
                "SELECT COUNT(*) FROM orders WHERE store_id = $1 AND scheduled_start = $2 AND status = 'booked'",
                &[Arg::Id(store), Arg::Time(slot)],
            )
            .await;
        assert_eq!(rows[0].0, i64::try_from(booked).expect("count"));
    }
}

/// Capacity is bays and technicians: one who leaves takes a car a step off the grid at
/// once, and the settings page counts only those still at work.
async fn a_technician_who_leaves_no_longer_counts_toward_capacity(db: TestDb) {
    let server = TestServer::start(&db).await;
    let store = manager_store(&db).await;
    let manager = signed_in(&server, "staff", MANAGER).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let before = settings(&manager, &server).await;
    assert!(
        before.technicians >= 2,
        "the demo store has two technicians or more"
    );
    // Bays to spare, so that technicians decide.
    let bays = (before.technicians + 1).to_string();
    let wide = saved(&manager, &server, &bays, &week_of(&before)).await;
    assert_eq!(wide.capacity(), before.technicians);
    let (owner, car) = customer_with_car(&server).await;
    let (_, service) = book_oil_change(&server, &owner, &car, store).await;
    let empty = |grid: &[SlotView]| grid.iter().map(|s| s.free_units).max().unwrap_or(0);
    assert_eq!(
        empty(&slots(&owner, &server, &car, &service, store).await),
        before.technicians
    );

    let technicians: Vec<(Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE location_id = $1 AND role = 'technician' AND deactivated_at IS NULL",
            &[Arg::Id(store)],
        )
        .await;
    let (status, body) = call_as(
        &hq,
        &server,
        "deactivate_staff",
        &[("staff_id", &technicians[0].0.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = settings(&manager, &server).await;
    assert_eq!(after.technicians, before.technicians - 1);
    assert_eq!(
        empty(&slots(&owner, &server, &car, &service, store).await),
        before.technicians - 1
    );
}
