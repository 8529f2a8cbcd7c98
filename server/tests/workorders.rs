//! Black-box tests of the store's board: a booking moves from check-in to handover one
//! step at a time, each step only in order, once however many devices press at once,
//! and only by its own store's staff. On SQLite and PostgreSQL, over HTTP.

mod common;

use app::error::AppError;
use app::workorders::Board;
use common::{call_as, customer_with_car, error, signed_in, Arg, TestDb, TestServer, ADVISOR};
use domain::suggest::{FirstTimeFix, Reason, SkillMatch};
use domain::{Error as E, OrderStatus};
use reqwest::{Client, StatusCode};

both_backends!(
    a_booking_moves_from_check_in_to_handover_once_and_in_order,
    the_board_suggests_who_should_take_the_car_and_why,
);

async fn board(staff: &Client, server: &TestServer, day: &str) -> Board {
    let (status, body) = call_as(staff, server, "store_board", &[("day", day)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("board")
}

async fn step(
    staff: &Client,
    server: &TestServer,
    order: &str,
    step: &str,
    mileage: &str,
) -> (StatusCode, String) {
    call_as(
        staff,
        server,
        "advance_work_order",
        &[
            ("order_id", order),
            ("step", step),
            ("mileage", mileage),
            ("concerns", "  squeak when braking "),
        ],
    )
    .await
}

/// A quality check as the card's form posts it: `(step, "pass" | "fail", note)`.
async fn quality_check(
    staff: &Client,
    server: &TestServer,
    order: &str,
    marks: &[(u32, &str, &str)],
) -> (StatusCode, String) {
    let mut form = vec![("order_id".to_owned(), order.to_owned())];
    for (i, (no, outcome, note)) in marks.iter().enumerate() {
        form.push((format!("marks[{i}][no]"), no.to_string()));
        form.push((format!("marks[{i}][outcome]"), (*outcome).to_owned()));
        form.push((format!("marks[{i}][note]"), (*note).to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    call_as(staff, server, "submit_quality_check", &form).await
}

async fn a_booking_moves_from_check_in_to_handover_once_and_in_order(db: TestDb) {
    let server = TestServer::start(&db).await;
    let staff: Vec<(uuid::Uuid, String, String)> = db
        .rows(
            "SELECT s.location_id, m.phone, t.phone FROM staff s
             JOIN staff m ON m.location_id = s.location_id AND m.role = 'store_manager'
             JOIN staff t ON t.location_id = s.location_id AND t.role = 'technician'
             WHERE s.phone = $1 ORDER BY t.phone",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let (store, manager_phone, technician_phone) = staff[0].clone();
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let manager = signed_in(&server, "staff", &manager_phone).await;
    let technician = signed_in(&server, "staff", &technician_phone).await;
    let other_manager: Vec<(String,)> = db
        .rows(
            "SELECT phone FROM staff WHERE role = 'store_manager' AND location_id <> $1 ORDER BY phone",
            &[Arg::Id(store)],
        )
        .await;
    let elsewhere = signed_in(&server, "staff", &other_manager[0].0).await;

    let (owner, car) = customer_with_car(&server).await;
    let (booking, _) = common::book_oil_change(&server, &owner, &car, store).await;
    let order = booking.id.to_string();
    let day = domain::local_time::local_date(booking.start).to_string();

    // The booking is on its day's board, booked, nobody responsible yet.
    let b = board(&advisor, &server, &day).await;
    let card = b
        .orders
        .iter()
        .find(|c| c.id == booking.id)
        .expect("on the board");
    assert_eq!(card.status, OrderStatus::Booked);
    assert_eq!(card.reference, booking.reference);
    assert_eq!(card.responsible, None);
    // Another store's board does not have it, and its staff cannot move it.
    assert!(board(&elsewhere, &server, &day)
        .await
        .orders
        .iter()
        .all(|c| c.id != booking.id));
    let (status, _) = step(&elsewhere, &server, &order, "check_in", "60000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Out of order, or a mileage that is not one, or below the car's last reading:
    // refused, and nothing changes.
    db.execute(
        "INSERT INTO mileage_readings (id, vehicle_id, km, read_at) VALUES ($1, $2, 50000, $3)",
        &[
            Arg::Id(uuid::Uuid::now_v7()),
            Arg::Id(car.parse().expect("vehicle id")),
            Arg::Time(app::clock::now() - time::Duration::days(60)),
        ],
    )
    .await;
    for (s, mileage, refusal) in [
        ("pass_qc", "", E::QcStepMissing),
        ("hand_over", "", E::StepOutOfOrder),
        ("teleport", "", E::StepOutOfOrder),
        ("check_in", "lots", E::MileageInvalid),
        ("check_in", "49999", E::MileageBelowLast),
    ] {
        let (status, body) = step(&advisor, &server, &order, s, mileage).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{s}: {body}");
        assert_eq!(error(&body), AppError::Invalid(refusal), "{s}");
    }
    let readings: Vec<(i64,)> = db
        .rows(
            "SELECT km FROM mileage_readings WHERE vehicle_id = $1",
            &[Arg::Id(car.parse().expect("vehicle id"))],
        )
        .await;
    assert_eq!(readings, vec![(50_000,)]);

    // Checked in by the advisor, who becomes responsible; the reading is kept.
    let (status, body) = step(&advisor, &server, &order, "check_in", "51,200").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let b = board(&advisor, &server, &day).await;
    let card = b.orders.iter().find(|c| c.id == booking.id).expect("card");
    assert_eq!(card.status, OrderStatus::CheckedIn);
    assert_eq!(card.mileage_km, 51_200);
    assert_eq!(card.concerns.as_deref(), Some("squeak when braking"));
    let advisor_id = b
        .staff
        .iter()
        .find(|s| s.role == domain::StaffRole::ServiceAdvisor && Some(s.id) == card.responsible);
    assert!(
        advisor_id.is_some(),
        "the advisor who checked in is responsible"
    );

    // The technician is made responsible; three devices press "into a bay" at once: it
    // moves once.
    let tech_id = b
        .staff
        .iter()
        .find(|s| s.role == domain::StaffRole::Technician)
        .expect("technician")
        .id
        .to_string();
    let (status, body) = call_as(
        &manager,
        &server,
        "assign_work_order",
        &[("order_id", &order), ("staff_id", &tech_id)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let presses = futures::future::join_all(
        [&advisor, &manager, &technician]
            .into_iter()
            .map(|c| step(c, &server, &order, "start_work", "")),
    )
    .await;
    let moved = presses.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(moved, 1, "{presses:?}");
    for (status, body) in &presses {
        if *status != StatusCode::OK {
            assert!(
                matches!(
                    error(body),
                    AppError::Conflict | AppError::Invalid(E::StepOutOfOrder)
                ),
                "{body}"
            );
        }
    }

    // Quality check: by the order's checklist only. Nobody presses "pass"; a step left
    // out or a failure that does not say why is refused; a failed check sends the car
    // back to the bay and counts; the next check passes.
    let (status, body) = step(&technician, &server, &order, "submit_for_qc", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = step(&technician, &server, &order, "pass_qc", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), AppError::Invalid(E::QcStepMissing));
    let b = board(&advisor, &server, &day).await;
    let checklist = b
        .orders
        .iter()
        .find(|c| c.id == booking.id)
        .expect("card")
        .checklist
        .clone();
    assert!(checklist.len() >= 2, "an oil change has a checklist");
    let all = |outcome: &'static str| -> Vec<(u32, &'static str, &'static str)> {
        checklist.iter().map(|s| (s.no, outcome, "")).collect()
    };
    let mut failed = all("pass");
    failed[1] = (failed[1].0, "fail", "滤清器渗油");
    let mut unexplained = all("pass");
    unexplained[1] = (unexplained[1].0, "fail", "");
    for (marks, refusal) in [
        (all("pass")[1..].to_vec(), E::QcStepMissing),
        (all("maybe"), E::QcStepMissing),
        (unexplained, E::QcNoteMissing),
    ] {
        let (status, body) = quality_check(&technician, &server, &order, &marks).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error(&body), AppError::Invalid(refusal));
    }
    let (status, body) = quality_check(&technician, &server, &order, &failed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body.trim(), "\"in_bay\"");
    // Checked again once back from the bay: now it passes.
    let (status, body) = quality_check(&technician, &server, &order, &all("pass")).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not at quality check: {body}"
    );
    for s in ["submit_for_qc"] {
        let (status, body) = step(&technician, &server, &order, s, "").await;
        assert_eq!(status, StatusCode::OK, "{s}: {body}");
    }
    let (status, body) = quality_check(&technician, &server, &order, &all("pass")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body.trim(), "\"ready\"");
    let (status, body) = step(&technician, &server, &order, "hand_over", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let marks: Vec<(i64, i64, bool, Option<String>)> = db
        .rows(
            "SELECT attempt, step_no, passed, note FROM qc_marks WHERE order_id = $1
             ORDER BY attempt, step_no",
            &[Arg::Id(booking.id.as_uuid())],
        )
        .await;
    assert_eq!(marks.len(), checklist.len() * 2, "two checks, every step");
    assert_eq!(
        marks.iter().filter(|m| !m.2).collect::<Vec<_>>(),
        vec![&(1, 2, false, Some("滤清器渗油".to_owned()))]
    );
    let done: Vec<(String, i64)> = db
        .rows(
            "SELECT status, qc_failures FROM orders WHERE id = $1",
            &[Arg::Id(booking.id.as_uuid())],
        )
        .await;
    assert_eq!(done, vec![("handed_over".to_owned(), 1)]);
    // Nothing follows handed over.
    let (status, body) = step(&advisor, &server, &order, "cancel", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let today = domain::local_time::local_date(app::clock::now()).to_string();
    let b = board(&advisor, &server, &today).await;
    assert!(
        b.orders
            .iter()
            .any(|c| c.id == booking.id && c.status == OrderStatus::HandedOver),
        "handed over today: on today's board"
    );
    // A day that is not one.
    let (status, body) = call_as(&advisor, &server, "store_board", &[("day", "2026-13-01")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), AppError::Invalid(E::TimeInvalid));
}

async fn the_board_suggests_who_should_take_the_car_and_why(db: TestDb) {
    let server = TestServer::start(&db).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let store: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT location_id FROM staff WHERE phone = $1",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let store = store[0].0;
    let technicians: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE location_id = $1 AND role = 'technician' ORDER BY phone",
            &[Arg::Id(store)],
        )
        .await;
    assert!(technicians.len() >= 2, "the demo store has technicians");
    let (skilled, unskilled) = (technicians[0].0, technicians[1].0);
    // Only the first technician does maintenance; they handed over three cars in the
    // last days, one of which failed its first quality check.
    db.execute(
        "UPDATE staff SET skills = 'tyres' WHERE location_id = $1 AND role = 'technician'",
        &[Arg::Id(store)],
    )
    .await;
    db.execute(
        "UPDATE staff SET skills = 'maintenance,repair' WHERE id = $1",
        &[Arg::Id(skilled)],
    )
    .await;
    db.execute(
        "UPDATE orders SET responsible_id = NULL WHERE store_id = $1",
        &[Arg::Id(store)],
    )
    .await;
    let done: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM orders WHERE store_id = $1 AND status = 'handed_over' ORDER BY id",
            &[Arg::Id(store)],
        )
        .await;
    assert!(done.len() >= 4, "the demo store has a history");
    let recent = app::clock::now() - time::Duration::days(5);
    for (n, (id,)) in done.iter().take(4).enumerate() {
        // The fourth is older than the window: it does not count.
        let when = if n == 3 {
            app::clock::now() - time::Duration::days(domain::suggest::FTF_WINDOW_DAYS + 1)
        } else {
            recent
        };
        db.execute(
            "UPDATE orders SET responsible_id = $1, completed_at = $2, qc_failures = $3 WHERE id = $4",
            &[
                Arg::Id(skilled),
                Arg::Time(when),
                Arg::Int(i64::from(n == 0)),
                Arg::Id(*id),
            ],
        )
        .await;
    }

    let (owner, car) = customer_with_car(&server).await;
    let (booking, _) = common::book_oil_change(&server, &owner, &car, store).await;
    let day = domain::local_time::local_date(booking.start).to_string();
    let b = board(&advisor, &server, &day).await;
    let record = |id: uuid::Uuid| {
        b.staff
            .iter()
            .find(|s| s.id.as_uuid() == id)
            .expect("on the board")
            .first_time_fix
    };
    assert_eq!(
        record(skilled),
        FirstTimeFix {
            jobs: 3,
            first_time: 2
        }
    );
    assert_eq!(record(unskilled), FirstTimeFix::default());
    let card = b.orders.iter().find(|c| c.id == booking.id).expect("card");
    assert_eq!(card.categories, vec![domain::ServiceCategory::Maintenance]);
    // The skilled technician first, with the figures the card shows.
    let top = card.suggestion[0];
    assert_eq!(top.staff.as_uuid(), skilled);
    assert_eq!(
        (top.reason, top.skill, top.first_time_fix, top.load_today),
        (Reason::Technician, SkillMatch::Full, Some(66), 0)
    );
    let other = card
        .suggestion
        .iter()
        .find(|r| r.staff.as_uuid() == unskilled)
        .expect("every store person is listed");
    assert_eq!(other.skill, SkillMatch::None);
    assert_eq!(
        card.suggestion.len(),
        b.staff.len(),
        "everyone of the store, once"
    );

    // Made responsible, the car counts in their load today.
    let (status, body) = call_as(
        &advisor,
        &server,
        "assign_work_order",
        &[
            ("order_id", &booking.id.to_string()),
            ("staff_id", &skilled.to_string()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let b = board(&advisor, &server, &day).await;
    let card = b.orders.iter().find(|c| c.id == booking.id).expect("card");
    assert_eq!(card.suggestion[0].load_today, 1);

    // The customer prefers the advisor: the board suggests them first.
    let customer: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT customer_id FROM vehicles WHERE id = $1",
            &[Arg::Id(car.parse().expect("vehicle id"))],
        )
        .await;
    let advisor_id = b
        .staff
        .iter()
        .find(|s| s.role == domain::StaffRole::ServiceAdvisor)
        .expect("advisor")
        .id;
    let (status, body) = call_as(
        &advisor,
        &server,
        "set_preferred_advisor",
        &[
            ("customer_id", &customer[0].0.to_string()),
            ("staff_id", &advisor_id.to_string()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let b = board(&advisor, &server, &day).await;
    let card = b.orders.iter().find(|c| c.id == booking.id).expect("card");
    assert_eq!(card.preferred_advisor, Some(advisor_id));
    assert_eq!(
        (card.suggestion[0].staff, card.suggestion[0].reason),
        (advisor_id, Reason::Preferred)
    );
}
