//! Black-box booking tests over HTTP, on SQLite and on PostgreSQL: quotes, the store
//! picker, slots, booking and cancelling; races for the last capacity unit and the last
//! unit of a part; idempotent confirms; and bad input that changes nothing.

#![allow(clippy::disallowed_methods)] // tests read the real clock

mod common;

use app::booking::{Booking, QuotesView, SlotView, StoreOptionView};
use app::error::AppError;
use common::{call_as, customer_with_car, signed_in, Arg, TestDb, TestServer, HQ_ADMIN};
use domain::stock::Overall;
use domain::{Error as E, Money, PartId, StoreId};
use reqwest::{Client, StatusCode};

both_backends!(
    a_customer_books_the_first_free_slot_and_cancels,
    racing_for_the_last_capacity_unit,
    racing_for_the_last_unit_of_a_part,
    a_replayed_confirm_returns_the_same_booking,
    bad_bookings_are_refused_and_change_nothing,
    hq_policies_apply_alike_to_everyone_who_qualifies,
    slots_lie_between_the_lead_time_and_the_horizon,
    a_booking_too_soon_or_too_far_ahead_is_refused,
    one_customer_holds_at_most_three_open_bookings,
    racing_bookings_of_one_customer_stop_at_the_cap,
    a_part_from_another_location_is_held_there_as_a_transfer,
    a_part_sent_to_a_store_rides_its_routes_next_wave,
    booking_and_cancelling_race_on_shared_rows_for_fifty_rounds,
    concurrent_confirms_with_one_key_return_one_booking,
);

use common::error;

fn parse<T: serde::de::DeserializeOwned>(status: StatusCode, body: &str) -> T {
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

async fn quotes(client: &Client, server: &TestServer, vehicle: &str) -> QuotesView {
    let (status, body) =
        call_as(client, server, "service_quotes", &[("vehicle_id", vehicle)]).await;
    parse(status, &body)
}

/// The service with this code and the total quoted for it.
async fn service(
    client: &Client,
    server: &TestServer,
    vehicle: &str,
    code: &str,
) -> (String, Money, Vec<(PartId, u32)>) {
    let view = quotes(client, server, vehicle).await;
    let q = view
        .quotes
        .iter()
        .find(|q| q.service.code == code)
        .unwrap_or_else(|| panic!("{code} is on sale"));
    let b = q.quote.clone().expect("priced for a Corolla");
    let parts = q
        .parts
        .iter()
        .map(|p| (p.part, p.quantity.milli()))
        .collect();
    (q.service.id.to_string(), b.total, parts)
}

async fn options(
    client: &Client,
    server: &TestServer,
    vehicle: &str,
    service: &str,
) -> Vec<StoreOptionView> {
    let (status, body) = call_as(
        client,
        server,
        "store_options",
        &[("vehicle_id", vehicle), ("service_id", service)],
    )
    .await;
    parse(status, &body)
}

async fn slots(
    client: &Client,
    server: &TestServer,
    vehicle: &str,
    service: &str,
    store: StoreId,
) -> Vec<SlotView> {
    let (status, body) = call_as(
        client,
        server,
        "store_slots",
        &[
            ("vehicle_id", vehicle),
            ("service_id", service),
            ("store_id", &store.to_string()),
        ],
    )
    .await;
    parse(status, &body)
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("format")
}

#[allow(clippy::too_many_arguments)]
async fn confirm(
    client: &Client,
    server: &TestServer,
    vehicle: &str,
    service: &str,
    store: StoreId,
    start: time::OffsetDateTime,
    total: Money,
    key: &str,
) -> (StatusCode, String) {
    call_as(
        client,
        server,
        "confirm_booking",
        &[
            ("vehicle_id", vehicle),
            ("service_id", service),
            ("store_id", &store.to_string()),
            ("start", &rfc3339(start)),
            ("expected_total", &total.fen().to_string()),
            ("idempotency_key", key),
        ],
    )
    .await
}

fn key() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Stock of `part` at `store` as the database has it: (on hand, reserved).
async fn stock(db: &TestDb, store: StoreId, part: PartId) -> (u64, u64) {
    db.shelf(store, part).await
}

async fn a_customer_books_the_first_free_slot_and_cancels(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (client, car) = customer_with_car(&server).await;
    let (oil, total, parts) = service(&client, &server, &car, "OIL_CHANGE").await;
    assert_eq!(parts.len(), 2, "oil and filter that fit a Corolla");

    let picker = options(&client, &server, &car, &oil).await;
    assert_eq!(picker.len(), 6, "every store of the demo");
    for w in picker.windows(2) {
        let key =
            |o: &StoreOptionView| (o.earliest_start.is_none(), o.earliest_start, o.distance_m);
        assert!(key(&w[0]) <= key(&w[1]), "ranked");
    }
    let store = picker
        .iter()
        .find(|o| o.readiness.overall() == Overall::Now && o.earliest_start.is_some())
        .expect("a store with the parts in stock");
    let free = slots(&client, &server, &car, &oil, store.store).await;
    assert_eq!(Some(free[0].start), store.earliest_start);

    // Standing at the Wensan Road store, it is 0 m away and the others are further.
    let (status, body) = call_as(
        &client,
        &server,
        "store_options",
        &[
            ("vehicle_id", &car),
            ("service_id", &oil),
            ("lat", "30.2776"),
            ("lng", "120.1357"),
        ],
    )
    .await;
    let near: Vec<StoreOptionView> = parse(status, &body);
    let here = near
        .iter()
        .find(|o| o.code == "HZ-XH")
        .expect("Wensan Road");
    assert_eq!(here.distance_m, 0);
    assert!(near
        .iter()
        .filter(|o| o.code != "HZ-XH")
        .all(|o| o.distance_m > 1_000));
    let (status, body) = call_as(
        &client,
        &server,
        "store_options",
        &[
            ("vehicle_id", &car),
            ("service_id", &oil),
            ("lat", "north"),
            ("lng", "120"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error(&body), AppError::Invalid(E::LocationInvalid));

    let (oil_part, oil_milli) = parts[0];
    let before = stock(&db, store.store, oil_part).await;
    let (status, body) = confirm(
        &client,
        &server,
        &car,
        &oil,
        store.store,
        free[0].start,
        total,
        &key(),
    )
    .await;
    let booking: Booking = parse(status, &body);
    assert!(
        booking.reference.starts_with("BK-"),
        "{}",
        booking.reference
    );
    assert_eq!(booking.breakdown.total, total);
    assert_eq!(booking.start, free[0].start);
    assert_eq!(booking.store, store.store);
    let held = stock(&db, store.store, oil_part).await;
    assert_eq!(held, (before.0, before.1 + u64::from(oil_milli)));
    let after = slots(&client, &server, &car, &oil, store.store).await;
    let first_after = after.iter().find(|s| s.start == free[0].start);
    assert_eq!(
        first_after.map(|s| s.free_units),
        (free[0].free_units > 1).then(|| free[0].free_units - 1),
        "one unit fewer at that time"
    );

    let (status, body) = call_as(&client, &server, "my_bookings", &[]).await;
    let mine: Vec<Booking> = parse(status, &body);
    assert_eq!(mine, vec![booking.clone()]);

    let id = booking.id.to_string();
    let (status, body) = call_as(&client, &server, "cancel_booking", &[("order_id", &id)]).await;
    let cancelled: Booking = parse(status, &body);
    assert_eq!(cancelled.status, domain::OrderStatus::Cancelled);
    assert_eq!(
        stock(&db, store.store, oil_part).await,
        before,
        "parts released"
    );
    let again = slots(&client, &server, &car, &oil, store.store).await;
    assert_eq!(again.first(), free.first(), "capacity released");
    let (status, body) = call_as(&client, &server, "cancel_booking", &[("order_id", &id)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error(&body), AppError::Invalid(E::NotCancellable));
}

async fn racing_for_the_last_capacity_unit(db: TestDb) {
    let server = TestServer::start(&db).await;
    // A tyre rotation needs no parts: only capacity limits it.
    let mut customers = Vec::new();
    for _ in 0..8 {
        customers.push(customer_with_car(&server).await);
    }
    let (client, car) = &customers[0];
    let (rotation, total, parts) = service(client, &server, car, "TYRE_ROTATION").await;
    assert!(parts.is_empty());
    let store = options(client, &server, car, &rotation).await[0].store;
    let slot = slots(client, &server, car, &rotation, store).await[0].clone();
    let capacity = slot.free_units as usize;
    assert!(
        capacity >= 1 && capacity < customers.len(),
        "capacity {capacity}"
    );

    let attempts = customers.iter().map(|(client, car)| {
        let rotation = rotation.clone();
        let server = &server;
        async move {
            confirm(
                client,
                server,
                car,
                &rotation,
                store,
                slot.start,
                total,
                &key(),
            )
            .await
        }
    });
    let results = futures::future::join_all(attempts).await;
    let booked = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(booked, capacity, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error(body), AppError::Invalid(E::SlotUnavailable));
    }
    let left = slots(client, &server, car, &rotation, store).await;
    assert!(
        left.iter().all(|s| s.start != slot.start),
        "the slot is full now"
    );
}

/// Sets `part` to exactly `milli` on hand at `store` and none anywhere else, with nothing
/// on its way: the last units of the chain.
async fn leave_only(db: &TestDb, store: StoreId, part: PartId, milli: i64) {
    db.execute(
        "UPDATE stock SET on_hand_milli = CASE WHEN location_id = $1 THEN $2 ELSE 0 END, reserved_milli = 0 WHERE part_id = $3",
        &[Arg::Id(store.as_uuid()), Arg::Int(milli), Arg::Id(part.as_uuid())],
    )
    .await;
    db.execute(
        "DELETE FROM inbound_shipments WHERE part_id = $1",
        &[Arg::Id(part.as_uuid())],
    )
    .await;
}

async fn racing_for_the_last_unit_of_a_part(db: TestDb) {
    let server = TestServer::start(&db).await;
    let mut customers = Vec::new();
    for _ in 0..8 {
        customers.push(customer_with_car(&server).await);
    }
    let (client, car) = &customers[0];
    let (oil, total, parts) = service(client, &server, car, "OIL_CHANGE").await;
    let store = options(client, &server, car, &oil).await[0].store;
    let (filter, filter_milli) = parts[1];
    // Enough filters for exactly two oil changes in the whole chain.
    leave_only(&db, store, filter, 2 * i64::from(filter_milli)).await;
    let free = slots(client, &server, car, &oil, store).await;
    assert!(free.len() >= customers.len());

    // Each customer a different slot, so that only the part can run out.
    let attempts = customers.iter().zip(&free).map(|((client, car), slot)| {
        let oil = oil.clone();
        let server = &server;
        async move { confirm(client, server, car, &oil, store, slot.start, total, &key()).await }
    });
    let results = futures::future::join_all(attempts).await;
    let booked = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(booked, 2, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            error(body),
            AppError::Invalid(E::OutOfStock),
            "the just-sold-out message"
        );
    }
    let (on_hand, reserved) = stock(&db, store, filter).await;
    assert_eq!(
        (on_hand, reserved),
        (2 * u64::from(filter_milli), 2 * u64::from(filter_milli))
    );
}

async fn a_replayed_confirm_returns_the_same_booking(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (client, car) = customer_with_car(&server).await;
    let (oil, total, parts) = service(&client, &server, &car, "OIL_CHANGE").await;
    let store = options(&client, &server, &car, &oil).await[0].store;
    let free = slots(&client, &server, &car, &oil, store).await;
    let (oil_part, oil_milli) = parts[0];
    let before = stock(&db, store, oil_part).await;

    let k = key();
    let (s1, b1) = confirm(
        &client,
        &server,
        &car,
        &oil,
        store,
        free[0].start,
        total,
        &k,
    )
    .await;
    let (s2, b2) = confirm(
        &client,
        &server,
        &car,
        &oil,
        store,
        free[0].start,
        total,
        &k,
    )
    .await;
    let first: Booking = parse(s1, &b1);
    let replay: Booking = parse(s2, &b2);
    assert_eq!(first, replay);
    assert_eq!(
        stock(&db, store, oil_part).await.1,
        before.1 + u64::from(oil_milli),
        "held once"
    );

    // The same key with other details is refused and books nothing.
    let (status, body) = confirm(
        &client,
        &server,
        &car,
        &oil,
        store,
        free[1].start,
        total,
        &k,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), AppError::Invalid(E::IdempotencyKeyReused));

    // Two requests with one new key at the same moment make one booking (at a time that
    // does not overlap the first: one car cannot be in two bookings at once).
    let later = free
        .iter()
        .find(|s| s.start >= free[0].end)
        .expect("a later slot")
        .start;
    let k2 = key();
    let (a, b) = tokio::join!(
        confirm(&client, &server, &car, &oil, store, later, total, &k2),
        confirm(&client, &server, &car, &oil, store, later, total, &k2),
    );
    let a: Booking = parse(a.0, &a.1);
    let b: Booking = parse(b.0, &b.1);
    assert_eq!(a.id, b.id);
    let (status, body) = call_as(&client, &server, "my_bookings", &[]).await;
    let mine: Vec<Booking> = parse(status, &body);
    assert_eq!(mine.len(), 2);
    assert_eq!(
        stock(&db, store, oil_part).await.1,
        before.1 + 2 * u64::from(oil_milli)
    );
}

async fn bad_bookings_are_refused_and_change_nothing(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (client, car) = customer_with_car(&server).await;
    let (other, other_car) = customer_with_car(&server).await;
    let (oil, total, parts) = service(&client, &server, &car, "OIL_CHANGE").await;
    let store = options(&client, &server, &car, &oil).await[0].store;
    let free = slots(&client, &server, &car, &oil, store).await;
    let start = free[0].start;
    let before = stock(&db, store, parts[0].0).await;

    let cases = [
        (
            car.as_str(),
            start + time::Duration::minutes(10),
            total,
            AppError::Invalid(E::SlotInvalid),
        ),
        (
            car.as_str(),
            start - time::Duration::days(30),
            total,
            AppError::Invalid(E::SlotTooSoon),
        ),
        (
            car.as_str(),
            start,
            Money::from_fen(total.fen() - 100),
            AppError::Invalid(E::PriceChanged),
        ),
        (other_car.as_str(), start, total, AppError::NotFound),
    ];
    for (vehicle, when, expected_total, expected) in cases {
        let (status, body) = confirm(
            &client,
            &server,
            vehicle,
            &oil,
            store,
            when,
            expected_total,
            &key(),
        )
        .await;
        assert_eq!(error(&body), expected, "{status} {body}");
    }
    for (field, value, expected) in [
        (
            "start",
            "tomorrow at ten",
            AppError::Invalid(E::TimeInvalid),
        ),
        (
            "idempotency_key",
            "short",
            AppError::Invalid(E::IdempotencyKeyInvalid),
        ),
        ("store_id", "nope", AppError::Invalid(E::IdInvalid)),
        (
            "expected_total",
            "abc",
            AppError::Invalid(E::AmountNotANumber),
        ),
    ] {
        let start = rfc3339(start);
        let total = total.fen().to_string();
        let store = store.to_string();
        let k = key();
        let mut form = vec![
            ("vehicle_id", car.as_str()),
            ("service_id", oil.as_str()),
            ("store_id", store.as_str()),
            ("start", start.as_str()),
            ("expected_total", total.as_str()),
            ("idempotency_key", k.as_str()),
        ];
        for f in form.iter_mut().filter(|(k, _)| *k == field) {
            f.1 = value;
        }
        let (status, body) = call_as(&client, &server, "confirm_booking", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(error(&body), expected, "{field}");
    }
    // Nothing was booked or held.
    let (status, body) = call_as(&client, &server, "my_bookings", &[]).await;
    assert!(parse::<Vec<Booking>>(status, &body).is_empty());
    assert_eq!(stock(&db, store, parts[0].0).await, before);
    assert_eq!(slots(&client, &server, &car, &oil, store).await, free);

    // Another customer's booking is out of reach.
    let (status, body) = confirm(&client, &server, &car, &oil, store, start, total, &key()).await;
    let mine: Booking = parse(status, &body);
    for endpoint in ["booking", "cancel_booking"] {
        let (status, _) = call_as(
            &other,
            &server,
            endpoint,
            &[("order_id", &mine.id.to_string())],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}");
    }
    let (status, body) = call_as(
        &client,
        &server,
        "booking",
        &[("order_id", &mine.id.to_string())],
    )
    .await;
    assert_eq!(
        parse::<Booking>(status, &body).status,
        domain::OrderStatus::Booked
    );
}

async fn hq_policies_apply_alike_to_everyone_who_qualifies(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (a, car_a) = customer_with_car(&server).await;
    let (b, car_b) = customer_with_car(&server).await;
    let (oil, before, _) = service(&a, &server, &car_a, "OIL_CHANGE").await;
    let today = time::OffsetDateTime::now_utc()
        .to_offset(domain::local_time::CHINA)
        .date()
        .to_string();
    let campaign = |amount: &'static str, first: String, last: String, service: String| {
        vec![
            ("kind", "campaign_amount_off".to_owned()),
            ("name_zh", "测试立减".to_owned()),
            ("name_en", "Test discount".to_owned()),
            ("service_id", service),
            ("amount", amount.to_owned()),
            ("first_day", first),
            ("last_day", last),
        ]
    };
    let post = |client: Client, form: Vec<(&'static str, String)>| {
        let server = &server;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call_as(&client, server, "publish_policy", &form).await
        }
    };
    let count = || async {
        let (status, body) = call_as(&reqwest::Client::new(), &server, "policies", &[]).await;
        parse::<Vec<domain::discount::DiscountPolicy>>(status, &body).len()
    };
    let policies_before = count().await;

    let good = campaign("20", today.clone(), today.clone(), oil.clone());
    let (status, _) = post(reqwest::Client::new(), good.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(a.clone(), good.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let yesterday = (time::OffsetDateTime::now_utc()
        .to_offset(domain::local_time::CHINA)
        .date()
        - time::Duration::days(1))
    .to_string();
    for (form, expected) in [
        (
            campaign("0", today.clone(), today.clone(), oil.clone()),
            AppError::Invalid(E::PriceNotPositive),
        ),
        (
            campaign("20", today.clone(), yesterday.clone(), oil.clone()),
            AppError::Invalid(E::PeriodInvalid),
        ),
        (
            campaign("20", "next week".into(), today.clone(), oil.clone()),
            AppError::Invalid(E::TimeInvalid),
        ),
        (
            campaign(
                "20",
                today.clone(),
                today.clone(),
                domain::ServiceId::new().to_string(),
            ),
            AppError::NotFound,
        ),
    ] {
        let (_, body) = post(hq.clone(), form).await;
        assert_eq!(error(&body), expected);
    }
    let mut tier = vec![
        ("kind", "tier_labour_percent".to_owned()),
        ("name_zh", "x".to_owned()),
        ("name_en", "x".to_owned()),
        ("tier", "gold".to_owned()),
        ("percent", "0".to_owned()),
    ];
    let (_, body) = post(hq.clone(), tier.clone()).await;
    assert_eq!(error(&body), AppError::Invalid(E::PercentInvalid));
    tier[4].1 = "150%".into();
    let (_, body) = post(hq.clone(), tier).await;
    assert_eq!(error(&body), AppError::Invalid(E::PercentInvalid));
    assert_eq!(count().await, policies_before, "nothing published");

    let (status, body) = post(hq.clone(), good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(count().await, policies_before + 1);
    // Both customers get it, the same way: no per-person prices.
    for (client, car) in [(&a, &car_a), (&b, &car_b)] {
        let view = quotes(client, &server, car).await;
        let q = view
            .quotes
            .iter()
            .find(|q| q.service.code == "OIL_CHANGE")
            .expect("oil change");
        let b = q.quote.clone().expect("priced");
        assert!(
            b.discounts.iter().any(|d| d.name_en == "Test discount"),
            "{:?}",
            b.discounts
        );
        assert_eq!(b.total, Money::from_fen((before.fen() - 2_000).max(0)));
    }
}

/// Starts of offered slots at least three hours after one another, so that no two
/// bookings of one car at them overlap.
fn three_hours_apart(free: &[SlotView]) -> Vec<time::OffsetDateTime> {
    let mut apart: Vec<time::OffsetDateTime> = Vec::new();
    for s in free {
        if apart
            .last()
            .is_none_or(|t| s.start - *t >= time::Duration::hours(3))
        {
            apart.push(s.start);
        }
    }
    apart
}

/// Asserts a refusal with this domain error, readable in both languages.
fn assert_refused(status: StatusCode, body: &str, expected: E) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let e = error(body);
    assert_eq!(e, AppError::Invalid(expected));
    let (zh, en) = (
        e.message(app::i18n::Lang::Zh),
        e.message(app::i18n::Lang::En),
    );
    assert!(!zh.is_empty() && !en.is_empty() && zh != en, "{zh} / {en}");
}

async fn slots_lie_between_the_lead_time_and_the_horizon(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (client, car) = customer_with_car(&server).await;
    let (oil, _, _) = service(&client, &server, &car, "OIL_CHANGE").await;
    let limits = domain::BookingLimits::default();
    let now = time::OffsetDateTime::now_utc();
    let (earliest, horizon_end) = limits.window(now);
    for option in options(&client, &server, &car, &oil).await {
        if let Some(first) = option.earliest_start {
            assert!(first >= earliest - time::Duration::seconds(5), "{first}");
        }
        let list = slots(&client, &server, &car, &oil, option.store).await;
        assert!(!list.is_empty(), "{} offers slots", option.code);
        for s in list {
            assert!(
                s.start >= earliest - time::Duration::seconds(5),
                "{}",
                s.start
            );
            assert!(s.start < horizon_end, "{}", s.start);
        }
    }
}

async fn a_booking_too_soon_or_too_far_ahead_is_refused(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (client, car) = customer_with_car(&server).await;
    let (oil, total, parts) = service(&client, &server, &car, "OIL_CHANGE").await;
    let store = options(&client, &server, &car, &oil).await[0].store;
    let free = slots(&client, &server, &car, &oil, store).await;
    let first = free[0].start;
    let last = free.last().expect("slots").start;
    let before = stock(&db, store, parts[0].0).await;

    // Day 400, and the same time of day a day past the last offered slot: both on the
    // grid and inside opening hours, both beyond the horizon.
    for far in [
        first + time::Duration::days(400),
        last + time::Duration::days(1),
    ] {
        let (status, body) = confirm(&client, &server, &car, &oil, store, far, total, &key()).await;
        assert_refused(status, &body, E::SlotBeyondHorizon);
    }

    // A second server on the same database that wants more notice than the first slot
    // gives: that slot is now too soon.
    let notice = (first - time::OffsetDateTime::now_utc()).whole_minutes() + 60;
    let mut config = db.config();
    config.limits.booking =
        domain::BookingLimits::new(14, u16::try_from(notice).expect("minutes"), 3).expect("limits");
    let strict = TestServer::start_with(config).await;
    // Sessions live in the database and cookies do not depend on the port: the customer
    // is signed in on the second server too.
    let (status, body) = confirm(&client, &strict, &car, &oil, store, first, total, &key()).await;
    assert_refused(status, &body, E::SlotTooSoon);
    assert_eq!(
        stock(&db, store, parts[0].0).await,
        before,
        "nothing was reserved"
    );
}

async fn one_customer_holds_at_most_three_open_bookings(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (client, car) = customer_with_car(&server).await;
    let (oil, total, parts) = service(&client, &server, &car, "OIL_CHANGE").await;
    let store = options(&client, &server, &car, &oil).await[0].store;
    let free = slots(&client, &server, &car, &oil, store).await;
    // Slots far enough apart not to overlap one another.
    let apart = three_hours_apart(&free);
    assert!(apart.len() >= 5, "enough separate slots");

    // The same car at an overlapping time is refused even under the cap.
    let (status, body) =
        confirm(&client, &server, &car, &oil, store, apart[0], total, &key()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let overlapping = apart[0] + time::Duration::minutes(30);
    if free.iter().any(|s| s.start == overlapping) {
        let (status, body) = confirm(
            &client,
            &server,
            &car,
            &oil,
            store,
            overlapping,
            total,
            &key(),
        )
        .await;
        assert_refused(status, &body, E::VehicleAlreadyBooked);
    }
    for start in &apart[1..3] {
        let (status, body) =
            confirm(&client, &server, &car, &oil, store, *start, total, &key()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let held = stock(&db, store, parts[0].0).await;
    let (status, body) =
        confirm(&client, &server, &car, &oil, store, apart[3], total, &key()).await;
    assert_refused(status, &body, E::TooManyOpenBookings);
    assert_eq!(
        stock(&db, store, parts[0].0).await,
        held,
        "the refusal reserved nothing"
    );

    // Cancelling one frees a place.
    let (status, body) = call_as(&client, &server, "my_bookings", &[]).await;
    let mine: Vec<Booking> = parse(status, &body);
    assert_eq!(mine.len(), 3);
    let (status, body) = call_as(
        &client,
        &server,
        "cancel_booking",
        &[("order_id", &mine[0].id.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        confirm(&client, &server, &car, &oil, store, apart[3], total, &key()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn racing_bookings_of_one_customer_stop_at_the_cap(db: TestDb) {
    let server = std::sync::Arc::new(TestServer::start(&db).await);
    let (client, car) = customer_with_car(&server).await;
    let (oil, total, _) = service(&client, &server, &car, "OIL_CHANGE").await;
    let store = options(&client, &server, &car, &oil).await[0].store;
    let free = slots(&client, &server, &car, &oil, store).await;
    // Eight distinct, non-overlapping slots, all confirmed at once.
    let starts: Vec<time::OffsetDateTime> = three_hours_apart(&free).into_iter().take(8).collect();
    assert_eq!(starts.len(), 8);
    let attempts = starts.into_iter().map(|start| {
        let (client, server, car, oil) = (client.clone(), server.clone(), car.clone(), oil.clone());
        tokio::spawn(async move {
            confirm(&client, &server, &car, &oil, store, start, total, &key()).await
        })
    });
    let results: Vec<(StatusCode, String)> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.expect("join"))
        .collect();
    let ok = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(ok, 3, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != StatusCode::OK) {
        // Refused by the cap, or (SQLite under load) told to retry: never a fourth booking.
        assert!(
            error(body) == AppError::Invalid(E::TooManyOpenBookings)
                || error(body) == AppError::Busy,
            "{status}: {body}"
        );
    }
    let (status, body) = call_as(&client, &server, "my_bookings", &[]).await;
    let mine: Vec<Booking> = parse(status, &body);
    assert_eq!(mine.len(), 3);
}

/// Empties `store`'s shelf of `part` and what is on its way there: a booking at `store`
/// must get the part from another location.
async fn empty_shelf(db: &TestDb, store: StoreId, part: PartId) {
    let at = [Arg::Id(store.as_uuid()), Arg::Id(part.as_uuid())];
    db.execute(
        "UPDATE stock SET on_hand_milli = 0, reserved_milli = 0 WHERE location_id = $1 AND part_id = $2",
        &at,
    )
    .await;
    db.execute(
        "DELETE FROM inbound_shipments WHERE location_id = $1 AND part_id = $2",
        &at,
    )
    .await;
}

/// Where the picker says `part` comes from for a job at `store`.
async fn supply_of(
    client: &Client,
    server: &TestServer,
    vehicle: &str,
    service: &str,
    store: StoreId,
    part: PartId,
) -> domain::stock::Supply {
    options(client, server, vehicle, service)
        .await
        .into_iter()
        .find(|o| o.store == store)
        .expect("the store is offered")
        .readiness
        .parts
        .into_iter()
        .find(|p| p.part == part)
        .expect("the part is needed")
        .supply
}

/// HQ moves the store's route to one van at 03:15: the part the picker offers by
/// transfer arrives on that van (a leg after it), not on the chain's 08:00, 13:00 or
/// 18:00 ones, and the cached network hears of the change at once.
async fn a_part_sent_to_a_store_rides_its_routes_next_wave(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (client, car) = customer_with_car(&server).await;
    let (oil, _, parts) = service(&client, &server, &car, "OIL_CHANGE").await;
    let oil_part = parts[0].0;
    let store = options(&client, &server, &car, &oil).await[0].store;
    empty_shelf(&db, store, oil_part).await;
    let local_eta = |supply: domain::stock::Supply| match supply {
        domain::stock::Supply::Transfer { eta, .. } => eta.to_offset(domain::local_time::CHINA),
        other => panic!("the oil should come by transfer: {other:?}"),
    };
    let before = local_eta(supply_of(&client, &server, &car, &oil, store, oil_part).await);
    assert!(
        before.hour() >= 8,
        "on one of the demo's daytime vans: {before}"
    );

    let route: Vec<(String,)> = db
        .rows(
            "SELECT route_code FROM locations WHERE id = $1",
            &[Arg::Id(store.as_uuid())],
        )
        .await;
    let hq = signed_in(&server, "staff", "13900000002").await;
    let (status, body) = call_as(
        &hq,
        &server,
        "set_route_waves",
        &[
            ("route", &route[0].0),
            ("times[0]", "03:15"),
            ("times[1]", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let after = local_eta(supply_of(&client, &server, &car, &oil, store, oil_part).await);
    let (van, latest) = (
        time::Time::from_hms(3, 15, 0),
        time::Time::from_hms(6, 15, 0),
    );
    let (van, latest) = (van.expect("a time"), latest.expect("a time"));
    assert!(
        after.time() > van && after.time() < latest,
        "a leg after the 03:15 van: {after}"
    );
    let free = slots(&client, &server, &car, &oil, store).await;
    assert!(
        free.iter().all(|s| s.start >= after),
        "no slot before the oil is there"
    );
}

type TransferRow = (uuid::Uuid, uuid::Uuid, uuid::Uuid, i64, String);

async fn transfers_of(db: &TestDb, order: domain::OrderId) -> Vec<TransferRow> {
    db.rows(
        "SELECT from_location_id, to_location_id, part_id, quantity_milli, status
         FROM transfers WHERE order_id = $1",
        &[Arg::Id(order.as_uuid())],
    )
    .await
}

async fn a_part_from_another_location_is_held_there_as_a_transfer(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (client, car) = customer_with_car(&server).await;
    let (oil, total, parts) = service(&client, &server, &car, "OIL_CHANGE").await;
    let (oil_part, oil_milli) = parts[0];
    let store = options(&client, &server, &car, &oil).await[0].store;
    empty_shelf(&db, store, oil_part).await;

    let domain::stock::Supply::Transfer { from, eta } =
        supply_of(&client, &server, &car, &oil, store, oil_part).await
    else {
        panic!("the oil should come by transfer");
    };
    assert_ne!(from, store);
    let source_before = stock(&db, from, oil_part).await;
    let free = slots(&client, &server, &car, &oil, store).await;
    assert!(
        free.iter().all(|s| s.start >= eta),
        "no slot before the oil is there"
    );

    let (status, body) = confirm(
        &client,
        &server,
        &car,
        &oil,
        store,
        free[0].start,
        total,
        &key(),
    )
    .await;
    let booking: Booking = parse(status, &body);
    // Held on the source's shelf, recorded as a transfer to the store: visible in both.
    assert_eq!(
        transfers_of(&db, booking.id).await,
        vec![(
            from.as_uuid(),
            store.as_uuid(),
            oil_part.as_uuid(),
            i64::from(oil_milli),
            "planned".to_owned()
        )]
    );
    assert_eq!(
        stock(&db, from, oil_part).await,
        (source_before.0, source_before.1 + u64::from(oil_milli))
    );
    assert_eq!(stock(&db, store, oil_part).await, (0, 0));
    let safety: Vec<(i64,)> = db
        .rows(
            "SELECT on_hand_milli - reserved_milli - safety_milli FROM stock
             WHERE location_id = $1 AND part_id = $2",
            &[Arg::Id(from.as_uuid()), Arg::Id(oil_part.as_uuid())],
        )
        .await;
    assert!(safety[0].0 >= 0, "the source keeps its safety stock");

    let (status, body) = call_as(
        &client,
        &server,
        "cancel_booking",
        &[("order_id", &booking.id.to_string())],
    )
    .await;
    parse::<Booking>(status, &body);
    assert_eq!(transfers_of(&db, booking.id).await[0].4, "cancelled");
    assert_eq!(stock(&db, from, oil_part).await, source_before);
}

/// Counts of what the database holds for the race below.
async fn held(db: &TestDb, query: &str, args: &[Arg]) -> i64 {
    let rows: Vec<(i64,)> = db.rows(query, args).await;
    rows.first().map_or(0, |r| r.0)
}

/// Six customers book and cancel one slot of one store for fifty rounds, all at once in
/// each round: every booking takes oil by transfer from the same source shelf, filters
/// from the same shipment and the same capacity steps, and every cancellation gives them
/// back. Nothing answers 500, and stock, shipments, transfers and capacity add up to the
/// bookings that stand at the end.
async fn booking_and_cancelling_race_on_shared_rows_for_fifty_rounds(db: TestDb) {
    const CUSTOMERS: usize = 6;
    const ROUNDS: usize = 50;
    let server = TestServer::start(&db).await;
    let mut customers = Vec::new();
    for _ in 0..CUSTOMERS {
        customers.push(customer_with_car(&server).await);
    }
    let (client, car) = &customers[0];
    let (oil, total, parts) = service(client, &server, car, "OIL_CHANGE").await;
    let ((oil_part, oil_milli), (filter, filter_milli)) = (parts[0], parts[1]);
    let store = options(client, &server, car, &oil).await[0].store;
    empty_shelf(&db, store, oil_part).await;
    empty_shelf(&db, store, filter).await;
    let shipment = uuid::Uuid::now_v7();
    db.execute(
        "INSERT INTO inbound_shipments (id, location_id, part_id, quantity_milli, reserved_milli, eta)
         VALUES ($1, $2, $3, $4, 0, $5)",
        &[
            Arg::Id(shipment),
            Arg::Id(store.as_uuid()),
            Arg::Id(filter.as_uuid()),
            Arg::Int(100_000),
            Arg::Time(time::OffsetDateTime::now_utc() + time::Duration::hours(1)),
        ],
    )
    .await;
    let domain::stock::Supply::Transfer { from, .. } =
        supply_of(client, &server, car, &oil, store, oil_part).await
    else {
        panic!("the oil should come by transfer");
    };
    let source_before = stock(&db, from, oil_part).await;
    let slot = slots(client, &server, car, &oil, store).await[0].clone();

    let mut holding: Vec<Option<String>> = vec![None; CUSTOMERS];
    let mut refused = std::collections::BTreeMap::<String, usize>::new();
    for round in 0..ROUNDS {
        let moves = customers.iter().zip(&holding).map(|((client, car), held)| {
            let (oil, server) = (oil.clone(), &server);
            let held = held.clone();
            async move {
                match held {
                    Some(order) => {
                        let (status, body) =
                            call_as(client, server, "cancel_booking", &[("order_id", &order)])
                                .await;
                        (true, status, body)
                    }
                    None => {
                        let (status, body) =
                            confirm(client, server, car, &oil, store, slot.start, total, &key())
                                .await;
                        (false, status, body)
                    }
                }
            }
        });
        let results = futures::future::join_all(moves).await;
        for (who, (cancelling, status, body)) in results.into_iter().enumerate() {
            assert_ne!(
                status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "round {round}: {body}"
            );
            match (cancelling, status) {
                (true, StatusCode::OK) => holding[who] = None,
                (false, StatusCode::OK) => {
                    holding[who] = Some(parse::<Booking>(status, &body).id.to_string());
                }
                (false, StatusCode::UNPROCESSABLE_ENTITY) => {
                    let reason = error(&body);
                    assert!(
                        matches!(
                            reason,
                            AppError::Invalid(E::SlotUnavailable | E::OutOfStock)
                        ),
                        "round {round}: {reason:?}"
                    );
                    *refused.entry(format!("{reason:?}")).or_default() += 1;
                }
                (_, StatusCode::SERVICE_UNAVAILABLE) => {
                    *refused.entry("busy".into()).or_default() += 1;
                }
                _ => panic!("round {round}: {status} {body}"),
            }
        }
    }
    assert!(
        refused.contains_key("Invalid(SlotUnavailable)"),
        "the slot filled up at some point: {refused:?}"
    );

    let standing = holding.iter().flatten().count() as i64;
    let booked = held(
        &db,
        "SELECT COUNT(*) FROM orders WHERE store_id = $1 AND status = 'booked'",
        &[Arg::Id(store.as_uuid())],
    )
    .await;
    assert_eq!(booked, standing);
    assert_eq!(
        held(
            &db,
            "SELECT COUNT(*) FROM transfers WHERE to_location_id = $1 AND status = 'planned'",
            &[Arg::Id(store.as_uuid())],
        )
        .await,
        standing
    );
    assert_eq!(
        held(
            &db,
            "SELECT reserved_milli FROM inbound_shipments WHERE id = $1",
            &[Arg::Id(shipment)],
        )
        .await,
        standing * i64::from(filter_milli)
    );
    let source_after = stock(&db, from, oil_part).await;
    assert_eq!(source_after.0, source_before.0);
    assert_eq!(
        source_after.1 - source_before.1,
        standing as u64 * u64::from(oil_milli)
    );
    for step in [slot.start, slot.start + time::Duration::minutes(30)] {
        let load = held(
            &db,
            "SELECT booked FROM slot_load WHERE store_id = $1 AND step_start = $2",
            &[Arg::Id(store.as_uuid()), Arg::Time(step)],
        )
        .await;
        assert_eq!(load, standing, "capacity held at {step}");
    }
}

/// Eight copies of one confirm (one idempotency key) at once, for the last filter in the
/// chain: one booking, which all eight get back, and the filter held once.
async fn concurrent_confirms_with_one_key_return_one_booking(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (client, car) = customer_with_car(&server).await;
    let (oil, total, parts) = service(&client, &server, &car, "OIL_CHANGE").await;
    let (filter, filter_milli) = parts[1];
    let store = options(&client, &server, &car, &oil).await[0].store;
    leave_only(&db, store, filter, i64::from(filter_milli)).await;
    let slot = slots(&client, &server, &car, &oil, store).await[0].clone();

    let k = key();
    let copies = (0..8).map(|_| {
        let (client, car, oil, k, server) = (&client, &car, oil.clone(), k.clone(), &server);
        async move { confirm(client, server, car, &oil, store, slot.start, total, &k).await }
    });
    let answers: Vec<Booking> = futures::future::join_all(copies)
        .await
        .into_iter()
        .map(|(status, body)| parse(status, &body))
        .collect();
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    let (status, body) = call_as(&client, &server, "my_bookings", &[]).await;
    assert_eq!(parse::<Vec<Booking>>(status, &body).len(), 1);
    assert_eq!(stock(&db, store, filter).await.1, u64::from(filter_milli));
}
