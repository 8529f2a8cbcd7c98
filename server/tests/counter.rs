//! Black-box tests of booking at the counter: an advisor books for a customer at their
//! own store, at the prices the customer sees, with no notice; the booking is the
//! customer's, records its channel and who made it, replays on retry, and bad input
//! changes nothing. On SQLite and PostgreSQL, over HTTP, as the kiosk calls them.

mod common;

use app::booking::{Booking, QuotesView, SlotView};
use app::error::AppError;
use common::{call_as, customer_with_car, error, signed_in, Arg, TestDb, TestServer, ADVISOR};
use domain::order::{BookedBy, Channel};
use domain::Error as E;
use reqwest::{Client, StatusCode};
use server::storage::DbTime;
use uuid::Uuid;

both_backends!(the_counter_books_for_the_customer_at_its_own_store);

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("time")
}

async fn slots(
    client: &Client,
    server: &TestServer,
    endpoint: &str,
    args: &[(&str, &str)],
) -> Vec<SlotView> {
    let (status, body) = call_as(client, server, endpoint, args).await;
    assert_eq!(status, StatusCode::OK, "{endpoint}: {body}");
    serde_json::from_str(&body).expect("slots")
}

async fn orders(db: &TestDb) -> i64 {
    let rows: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM orders", &[]).await;
    rows[0].0
}

async fn the_counter_books_for_the_customer_at_its_own_store(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (owner, car) = customer_with_car(&server).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let staff: Vec<(Uuid, Uuid)> = db
        .rows(
            "SELECT id, location_id FROM staff WHERE phone = $1",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let (advisor_id, store) = staff[0];
    let customer: Vec<(Uuid,)> = db
        .rows(
            "SELECT customer_id FROM vehicles WHERE id = $1",
            &[Arg::Id(car.parse().expect("vehicle id"))],
        )
        .await;
    let customer = customer[0].0.to_string();

    // One price everywhere: the counter quotes what the customer's own page quotes.
    let (_, body) = call_as(&owner, &server, "service_quotes", &[("vehicle_id", &car)]).await;
    let online: QuotesView = serde_json::from_str(&body).expect("quotes");
    let (status, body) = call_as(
        &advisor,
        &server,
        "counter_quotes",
        &[("customer_id", &customer), ("vehicle_id", &car)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let counter: QuotesView = serde_json::from_str(&body).expect("quotes");
    assert_eq!(counter, online);
    let oil = counter
        .quotes
        .iter()
        .find(|q| q.service.code == "OIL_CHANGE")
        .expect("oil change");
    let service = oil.service.id.to_string();
    let total = oil.quote.as_ref().expect("priced").total;

    // The counter needs no notice: it offers every time the web offers, and may offer
    // sooner ones (the web's hour of notice does not apply).
    let store_id = store.to_string();
    let web = slots(
        &owner,
        &server,
        "store_slots",
        &[
            ("vehicle_id", &car),
            ("service_id", &service),
            ("store_id", &store_id),
        ],
    )
    .await;
    let here = slots(
        &advisor,
        &server,
        "counter_slots",
        &[
            ("customer_id", &customer),
            ("vehicle_id", &car),
            ("service_id", &service),
        ],
    )
    .await;
    assert!(!web.is_empty());
    let offered: Vec<_> = here.iter().map(|s| s.start).collect();
    assert!(
        web.iter().all(|s| offered.contains(&s.start)),
        "the counter offers the web's times"
    );
    assert!(here[0].start <= web[0].start);

    // Bad input, a total the customer was not shown, a car that is not theirs: refused,
    // and no order is made.
    let before = orders(&db).await;
    let (other, other_car) = customer_with_car(&server).await;
    let later = rfc3339(here[here.len() - 1].start);
    let key = Uuid::now_v7().to_string();
    let fen = total.fen().to_string();
    let wrong_total = (total.fen() + 100).to_string();
    for (vehicle, start, expected_total, answer) in [
        (
            car.as_str(),
            "soon",
            fen.as_str(),
            AppError::Invalid(E::TimeInvalid),
        ),
        (
            car.as_str(),
            later.as_str(),
            "lots",
            AppError::Invalid(E::AmountNotANumber),
        ),
        (
            car.as_str(),
            later.as_str(),
            wrong_total.as_str(),
            AppError::Invalid(E::PriceChanged),
        ),
        (
            other_car.as_str(),
            later.as_str(),
            fen.as_str(),
            AppError::NotFound,
        ),
    ] {
        let (status, body) = call_as(
            &advisor,
            &server,
            "book_at_counter",
            &[
                ("customer_id", &customer),
                ("vehicle_id", vehicle),
                ("service_id", &service),
                ("start", start),
                ("expected_total", expected_total),
                ("idempotency_key", &key),
            ],
        )
        .await;
        assert!(!status.is_success(), "{body}");
        assert_eq!(error(&body), answer, "{start} {expected_total}");
    }
    assert_eq!(orders(&db).await, before);

    // The last time offered is days away: a counter booking, at the advisor's store,
    // the customer's, made by the advisor.
    let book = |start: String, key: String| {
        let (advisor, server, customer, car, service, fen) =
            (&advisor, &server, &customer, &car, &service, &fen);
        async move {
            let (status, body) = call_as(
                advisor,
                server,
                "book_at_counter",
                &[
                    ("customer_id", customer.as_str()),
                    ("vehicle_id", car.as_str()),
                    ("service_id", service.as_str()),
                    ("start", start.as_str()),
                    ("expected_total", fen.as_str()),
                    ("idempotency_key", key.as_str()),
                ],
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_str::<Booking>(&body).expect("booking")
        }
    };
    let booked = book(later.clone(), key.clone()).await;
    assert_eq!(booked.store.as_uuid(), store);
    assert_eq!(booked.breakdown.total, total);
    let row = |id: domain::OrderId| {
        let db = &db;
        async move {
            let rows: Vec<(Uuid, String, Option<Uuid>, DbTime, DbTime)> = db
                .rows(
                    "SELECT customer_id, channel, booked_by, created_at, scheduled_start
                     FROM orders WHERE id = $1",
                    &[Arg::Id(id.as_uuid())],
                )
                .await;
            rows.into_iter().next().expect("the order")
        }
    };
    let (owner_id, channel, by, _, _) = row(booked.id).await;
    assert_eq!(owner_id.to_string(), customer);
    assert_eq!(channel, Channel::Counter.code());
    assert_eq!(by, Some(advisor_id));
    let (_, body) = call_as(&owner, &server, "my_bookings", &[]).await;
    let mine: Vec<Booking> = serde_json::from_str(&body).expect("bookings");
    assert!(
        mine.iter().any(|b| b.id == booked.id),
        "the customer sees it as theirs"
    );

    // A retry (a double tap, a resend) is the same booking.
    let again = book(later, key).await;
    assert_eq!(again.id, booked.id);
    assert_eq!(orders(&db).await, before + 1);

    // The soonest time: its channel is what the domain says for when it was made (a
    // walk-in when the car comes in within the hour).
    let first = book(rfc3339(here[0].start), Uuid::now_v7().to_string()).await;
    let (_, channel, by, created, start) = row(first.id).await;
    assert_eq!(
        channel,
        BookedBy::Staff(domain::StaffId::from(advisor_id))
            .channel(start.0, created.0)
            .code()
    );
    assert_eq!(by, Some(advisor_id));

    // Booked online, the channel is online and nobody is recorded as the booker.
    let (online_booking, _) = common::book_oil_change(&server, &other, &other_car, store).await;
    let (_, channel, by, _, _) = row(online_booking.id).await;
    assert_eq!((channel.as_str(), by), (Channel::Online.code(), None));
}
