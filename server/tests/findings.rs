//! Black-box tests of inspection findings: recorded only while the car is in work, at
//! the published price the customer's own page quotes; decided once, whether the phone
//! and the counter answer at once; approved work's parts held on the shelf; what nobody
//! answered leaves as declined and comes back at the car's next visit. On SQLite and
//! PostgreSQL, over HTTP.

mod common;

use app::booking::QuotesView;
use app::error::AppError;
use app::findings::OrderFindings;
use app::workorders::Board;
use common::{call_as, customer_with_car, error, signed_in, Arg, TestDb, TestServer, ADVISOR};
use domain::findings::Decision;
use domain::pricing::PricedItem;
use domain::Error as E;
use reqwest::{Client, StatusCode};

both_backends!(findings_are_offered_decided_once_and_remembered);

async fn record(
    staff: &Client,
    server: &TestServer,
    order: &str,
    item: &str,
    severity: &str,
    service: &str,
) -> (StatusCode, String) {
    call_as(
        staff,
        server,
        "record_finding",
        &[
            ("order_id", order),
            ("item", item),
            ("severity", severity),
            ("service_id", service),
            ("note", ""),
        ],
    )
    .await
}

async fn findings(owner: &Client, server: &TestServer, order: &str) -> OrderFindings {
    let (status, body) = call_as(owner, server, "booking_findings", &[("order_id", order)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("findings")
}

async fn step(staff: &Client, server: &TestServer, order: &str, step: &str, mileage: &str) {
    let (status, body) = call_as(
        staff,
        server,
        "advance_work_order",
        &[("order_id", order), ("step", step), ("mileage", mileage)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{step}: {body}");
}

fn day_of(booking: &app::booking::Booking) -> String {
    domain::local_time::local_date(booking.start).to_string()
}

async fn board(staff: &Client, server: &TestServer, day: &str) -> Board {
    let (status, body) = call_as(staff, server, "store_board", &[("day", day)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("board")
}

async fn findings_are_offered_decided_once_and_remembered(db: TestDb) {
    let server = TestServer::start(&db).await;
    let people: Vec<(uuid::Uuid, String)> = db
        .rows(
            "SELECT s.location_id, t.phone FROM staff s
             JOIN staff t ON t.location_id = s.location_id AND t.role = 'technician'
             WHERE s.phone = $1 ORDER BY t.phone",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let (store, technician_phone) = people[0].clone();
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let technician = signed_in(&server, "staff", &technician_phone).await;
    let elsewhere: Vec<(String,)> = db
        .rows(
            "SELECT phone FROM staff WHERE role = 'technician' AND location_id <> $1 ORDER BY phone",
            &[Arg::Id(store)],
        )
        .await;
    let elsewhere = signed_in(&server, "staff", &elsewhere[0].0).await;
    let (owner, car) = customer_with_car(&server).await;
    let (stranger, _) = customer_with_car(&server).await;
    let (booking, _) = common::book_oil_change(&server, &owner, &car, store).await;
    let order = booking.id.to_string();

    // The fixing services, as the customer's own page prices them for this car.
    let (_, body) = call_as(&owner, &server, "service_quotes", &[("vehicle_id", &car)]).await;
    let quotes: QuotesView = serde_json::from_str(&body).expect("quotes");
    let priced = |code: &str| {
        let q = quotes
            .quotes
            .iter()
            .find(|q| q.service.code == code)
            .expect("on sale");
        (
            q.service.id.to_string(),
            q.quote.clone().expect("fits a Corolla"),
        )
    };
    let (brakes, brakes_quote) = priced("BRAKE_PADS_FRONT");
    let (wipers, _) = priced("WIPERS");
    let (cabin, _) = priced("CABIN_FILTER");
    // Enough brake pads on the store's shelf for the test to be about findings.
    for line in &brakes_quote.parts {
        if let PricedItem::Part(part) = line.item {
            db.execute(
                "UPDATE stock SET on_hand_milli = reserved_milli + 50000 WHERE location_id = $1 AND part_id = $2",
                &[Arg::Id(store), Arg::Id(part.as_uuid())],
            )
            .await;
        }
    }

    // Before the car is checked in, nothing can be found on it.
    let (status, body) = record(&technician, &server, &order, "前刹车片磨损", "red", &brakes).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), AppError::Invalid(E::FindingNotNow));
    step(&advisor, &server, &order, "check_in", "30000").await;

    // Bad input, another store's technician: refused, nothing recorded.
    for (item, severity, service, answer) in [
        (
            " ",
            "red",
            brakes.as_str(),
            AppError::Invalid(E::FindingItemInvalid),
        ),
        (
            "前刹车片磨损",
            "purple",
            brakes.as_str(),
            AppError::Invalid(E::SeverityUnknown),
        ),
        (
            "前刹车片磨损",
            "red",
            "not-an-id",
            AppError::Invalid(E::IdInvalid),
        ),
        (
            "前刹车片磨损",
            "red",
            &order,
            AppError::Invalid(E::NotPriced),
        ),
    ] {
        let (status, body) = record(&technician, &server, &order, item, severity, service).await;
        assert!(!status.is_success(), "{body}");
        assert_eq!(error(&body), answer);
    }
    let (status, _) = record(&elsewhere, &server, &order, "前刹车片磨损", "red", &brakes).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(findings(&owner, &server, &order).await.findings.is_empty());

    // Three findings; the customer sees them at the price their own page quotes, and
    // nobody else sees them.
    for (item, severity, service) in [
        ("前刹车片磨损到 2 毫米", "red", &brakes),
        ("雨刮器老化", "amber", &wipers),
        ("空调滤芯脏", "green", &cabin),
    ] {
        let (status, body) = record(&technician, &server, &order, item, severity, service).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let offered = findings(&owner, &server, &order).await;
    assert_eq!(offered.findings.len(), 3);
    assert_eq!(offered.findings[0].price, brakes_quote.total);
    assert!(offered
        .findings
        .iter()
        .all(|f| f.decision == Decision::Pending));
    assert_eq!(offered.bill.total, booking.breakdown.total);
    let (status, _) = call_as(
        &stranger,
        &server,
        "booking_findings",
        &[("order_id", &order)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let brake_finding = offered.findings[0].id.to_string();
    let wiper_finding = offered.findings[1].id.to_string();

    // The customer approves the brakes on their phone: the pads are held on the shelf
    // and the order comes to the booking plus the brakes.
    let shelves: Vec<(domain::PartId, u32)> = brakes_quote
        .parts
        .iter()
        .filter_map(|l| match l.item {
            PricedItem::Part(p) => Some((p, l.quantity.milli())),
            _ => None,
        })
        .collect();
    let store_id = domain::StoreId::from(store);
    let mut before = Vec::new();
    for (part, _) in &shelves {
        before.push(db.shelf(store_id, *part).await.1);
    }
    let (status, body) = call_as(
        &stranger,
        &server,
        "decide_finding",
        &[("finding_id", &brake_finding), ("answer", "approve")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another customer cannot: {body}"
    );
    let (status, body) = call_as(
        &owner,
        &server,
        "decide_finding",
        &[("finding_id", &brake_finding), ("answer", "approve")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for ((part, q), reserved) in shelves.iter().zip(before) {
        assert_eq!(db.shelf(store_id, *part).await.1, reserved + u64::from(*q));
    }
    let after = findings(&owner, &server, &order).await;
    assert_eq!(after.findings[0].decision, Decision::Approved);
    let expected = domain::Money::sum([booking.breakdown.total, brakes_quote.total]).expect("sum");
    assert_eq!(after.bill.total, expected);
    // Decided once: a second answer is refused.
    let (status, body) = call_as(
        &advisor,
        &server,
        "decide_finding_at_counter",
        &[("finding_id", &brake_finding), ("answer", "decline")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), AppError::Invalid(E::FindingDecided));

    // The phone approves and the counter declines the wipers at the same moment: one
    // answer wins, the other is told it was decided.
    let approve = [
        ("finding_id", wiper_finding.as_str()),
        ("answer", "approve"),
    ];
    let decline = [
        ("finding_id", wiper_finding.as_str()),
        ("answer", "decline"),
    ];
    let (phone, counter) = futures::join!(
        call_as(&owner, &server, "decide_finding", &approve),
        call_as(&advisor, &server, "decide_finding_at_counter", &decline),
    );
    let won = [&phone, &counter]
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .count();
    assert_eq!(won, 1, "{phone:?} {counter:?}");
    for (status, body) in [&phone, &counter] {
        if *status != StatusCode::OK {
            assert!(
                matches!(
                    error(body),
                    AppError::Invalid(E::FindingDecided) | AppError::Conflict
                ),
                "{body}"
            );
        }
    }
    let decided: Vec<(String,)> = db
        .rows(
            "SELECT decision FROM findings WHERE id = $1",
            &[Arg::Id(wiper_finding.parse().expect("id"))],
        )
        .await;
    let expected = if phone.0 == StatusCode::OK {
        "approved"
    } else {
        "declined"
    };
    assert_eq!(decided[0].0, expected);

    // The cabin filter is never answered: handed over, it counts as declined.
    for s in ["start_work", "submit_for_qc"] {
        step(&technician, &server, &order, s, "").await;
    }
    // The check covers the approved brakes too: the oil change's steps, then theirs.
    let b = board(&advisor, &server, &day_of(&booking)).await;
    let checklist = &b
        .orders
        .iter()
        .find(|c| c.id == booking.id)
        .expect("card")
        .checklist;
    let texts: Vec<&str> = checklist.iter().map(|s| s.text_en.as_str()).collect();
    assert!(texts.contains(&"Service reminder reset"), "{texts:?}");
    assert!(
        texts.contains(&"Replaced parts fitted and secure"),
        "{texts:?}"
    );
    assert_eq!(
        checklist.iter().map(|s| s.no).collect::<Vec<_>>(),
        (1..=checklist.len() as u32).collect::<Vec<_>>()
    );
    let mut form = vec![("order_id".to_owned(), order.clone())];
    for (i, s) in checklist.iter().enumerate() {
        form.push((format!("marks[{i}][no]"), s.no.to_string()));
        form.push((format!("marks[{i}][outcome]"), "pass".to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = call_as(&technician, &server, "submit_quality_check", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    step(&technician, &server, &order, "hand_over", "").await;
    let done = findings(&owner, &server, &order).await;
    assert_eq!(done.findings[2].decision, Decision::Declined);
    let (status, body) = call_as(
        &owner,
        &server,
        "decide_finding",
        &[
            ("finding_id", &done.findings[2].id.to_string()),
            ("answer", "approve"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // The car's next visit: the board offers the declined work again.
    let (next, _) = common::book_oil_change(&server, &owner, &car, store).await;
    let day = domain::local_time::local_date(next.start).to_string();
    let b = board(&advisor, &server, &day).await;
    let card = b.orders.iter().find(|c| c.id == next.id).expect("card");
    let again: Vec<&str> = card
        .declined_before
        .iter()
        .map(|f| f.item.as_str())
        .collect();
    assert!(again.contains(&"空调滤芯脏"), "{again:?}");
    assert!(
        !again.contains(&"前刹车片磨损到 2 毫米"),
        "approved work is not offered again"
    );
}
