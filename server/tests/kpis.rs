//! Store KPIs on SQLite and PostgreSQL: each store's day counted from its orders on the
//! local day they fall on (bookings made, cancelled, revenue handed over at locked
//! prices, minutes booked against bay time open, cars that found their parts), checked
//! against orders written for a week the demo leaves empty; a check-in records whether
//! the car's parts were on the shelf; HQ reads it all, with charts, over HTTP; and the
//! map of where customers live counts each customer once, by the district they gave.

mod common;

use app::customer_map::CustomerMapView;
use app::kpi::KpiReport;
use app::workorders::Advance;
use common::{
    book_oil_change, call_as, customer_with_car, signed_in, Arg, TestDb, TestServer, HQ_ADMIN,
};
use domain::local_time::at_local_minute;
use domain::{Mileage, Money, OrderId, StaffId, StoreId};
use reqwest::StatusCode;
use server::live::Hub;
use time::macros::date;
use time::Duration;
use uuid::Uuid;

both_backends!(
    a_stores_days_count_its_orders_on_their_local_days,
    a_check_in_records_whether_the_parts_were_on_the_shelf,
    hq_reads_the_kpis_with_charts_by_day_and_by_week,
    customers_are_mapped_by_district_against_the_stores_reach,
);

/// An order of a demo customer's car at `store`, with the given instants and figures.
#[allow(clippy::too_many_arguments)]
async fn order(
    db: &TestDb,
    store: Uuid,
    status: &str,
    created: time::OffsetDateTime,
    scheduled: (time::OffsetDateTime, time::OffsetDateTime),
    completed: Option<time::OffsetDateTime>,
    cancelled: Option<time::OffsetDateTime>,
    total_fen: i64,
    parts_ready: Option<bool>,
) {
    let car: Vec<(Uuid, Uuid)> = db
        .rows(
            "SELECT customer_id, id FROM vehicles ORDER BY id LIMIT 1",
            &[],
        )
        .await;
    let (customer, vehicle) = car[0];
    let id = Uuid::now_v7();
    let ready = match parts_ready {
        None => "NULL",
        Some(true) => "TRUE",
        Some(false) => "FALSE",
    };
    let mut args = vec![
        Arg::Id(id),
        Arg::Text(format!("KPI-{}", id.simple())),
        Arg::Id(customer),
        Arg::Id(vehicle),
        Arg::Id(store),
        Arg::Text(status.to_owned()),
        Arg::Int(total_fen),
        Arg::Time(created),
        Arg::Time(scheduled.0),
        Arg::Time(scheduled.1),
    ];
    let mut extra = String::new();
    let mut values = String::new();
    for (column, at) in [
        ("completed_at", completed),
        ("cancelled_at", cancelled),
        ("checked_in_at", Some(scheduled.0)),
    ] {
        if let Some(at) = at {
            args.push(Arg::Time(at));
            extra.push_str(&format!(", {column}"));
            values.push_str(&format!(", ${}", args.len()));
        }
    }
    db.execute(
        &format!(
            "INSERT INTO orders (id, reference, customer_id, vehicle_id, store_id, channel, status,
                 price_list_version, total_fen, mileage_km, created_at, scheduled_start, scheduled_end,
                 parts_ready{extra})
             VALUES ($1, $2, $3, $4, $5, 'online', $6, 1, $7, 1000, $8, $9, $10, {ready}{values})"
        ),
        &args,
    )
    .await;
}

async fn a_stores_days_count_its_orders_on_their_local_days(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    let stores: Vec<(Uuid, i64)> = db
        .rows(
            "SELECT id, bays FROM locations WHERE kind = 'store' ORDER BY code LIMIT 1",
            &[],
        )
        .await;
    let (store, bays) = stores[0];
    // Monday 1 March 2027: nothing of the demo's falls that week.
    let monday = date!(2027 - 03 - 01);
    let at = |day: i64, minute: u16| at_local_minute(monday + Duration::days(day), minute);
    // Booked on Monday 23:30 local (15:30 UTC): Monday's, not Tuesday's.
    order(
        &db,
        store,
        "handed_over",
        at(0, 1410),
        (at(1, 540), at(1, 600)),
        Some(at(1, 620)),
        None,
        45_000,
        Some(true),
    )
    .await;
    order(
        &db,
        store,
        "handed_over",
        at(0, 600),
        (at(1, 660), at(1, 750)),
        Some(at(1, 760)),
        None,
        30_000,
        Some(false),
    )
    .await;
    order(
        &db,
        store,
        "cancelled",
        at(1, 480),
        (at(2, 540), at(2, 600)),
        None,
        Some(at(1, 500)),
        20_000,
        None,
    )
    .await;
    // Booked the Sunday before the period: not counted, its work is.
    order(
        &db,
        store,
        "booked",
        at(-1, 600),
        (at(2, 600), at(2, 645)),
        None,
        None,
        10_000,
        None,
    )
    .await;

    let days = database
        .storages()
        .kpis
        .days(monday, monday + Duration::days(7))
        .await
        .expect("days");
    let (_, week) = days
        .iter()
        .find(|(s, _)| *s == StoreId::from(store))
        .expect("the store");
    assert_eq!(week.len(), 7);
    let hours: Vec<(i64, i64)> = db
        .rows(
            "SELECT opens_min, closes_min FROM opening_hours WHERE location_id = $1 AND weekday = 2",
            &[Arg::Id(store)],
        )
        .await;
    let open = hours.first().map_or(0, |(o, c)| bays * (c - o));
    let (mon, tue, wed) = (week[0], week[1], week[2]);
    assert_eq!(mon.day, Some(monday));
    assert_eq!((mon.bookings, mon.cancelled), (2, 0));
    assert_eq!((tue.bookings, tue.cancelled), (1, 1));
    assert_eq!(tue.revenue, Money::from_fen(75_000));
    assert_eq!(tue.booked_min, 60 + 90);
    assert_eq!(i64::from(tue.open_min), open);
    assert_eq!((tue.arrivals_with_parts, tue.parts_ready), (2, 1));
    assert_eq!(tue.fill_rate_permille(), Some(500));
    // Wednesday: the cancelled booking's hour is free again; the other is booked.
    assert_eq!(wed.booked_min, 45);
    assert_eq!(wed.revenue, Money::from_fen(0));
    let total = week
        .iter()
        .fold(domain::kpi::Day::default(), |s, d| s.plus(d));
    assert_eq!(total.bookings, 3);
}

async fn a_check_in_records_whether_the_parts_were_on_the_shelf(db: TestDb) {
    let server = TestServer::start(&db).await;
    let stores: Vec<(Uuid,)> = db
        .rows(
            "SELECT id FROM locations WHERE kind = 'store' ORDER BY code LIMIT 1",
            &[],
        )
        .await;
    let store = stores[0].0;
    let (owner, car) = customer_with_car(&server).await;
    let (booking, _) = book_oil_change(&server, &owner, &car, store).await;
    let holds: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM reservations WHERE order_id = $1 AND location_id = $2",
            &[Arg::Id(booking.id.as_uuid()), Arg::Id(store)],
        )
        .await;
    assert!(
        holds[0].0 > 0,
        "the oil change holds parts on the store's shelf"
    );
    let staff: Vec<(Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE location_id = $1 AND role = 'service_advisor' ORDER BY id LIMIT 1",
            &[Arg::Id(store)],
        )
        .await;
    let database = db.open(Hub::new(), false).await;
    database
        .storages()
        .workorders
        .advance(
            StoreId::from(store),
            OrderId::from(booking.id.as_uuid()),
            &Advance::CheckIn {
                mileage: Mileage::from_km(42_000).expect("km"),
                concerns: None,
            },
            StaffId::from(staff[0].0),
            app::clock::now(),
        )
        .await
        .expect("checked in");
    let ready: Vec<(Option<bool>,)> = db
        .rows(
            "SELECT parts_ready FROM orders WHERE id = $1",
            &[Arg::Id(booking.id.as_uuid())],
        )
        .await;
    assert_eq!(ready[0].0, Some(true));
}

async fn hq_reads_the_kpis_with_charts_by_day_and_by_week(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    for (by, steps) in [("day", 90), ("week", 13)] {
        let (status, body) = call_as(
            &hq,
            &server,
            "store_kpis",
            &[("days", "90"), ("by", by), ("lang", "en")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let report: KpiReport = serde_json::from_str(&body).expect("report");
        assert!(!report.stores.is_empty());
        assert!(
            report.chain.steps.len() == steps || report.chain.steps.len() == steps + 1,
            "{by}: {} steps",
            report.chain.steps.len()
        );
        let sum: u32 = report.stores.iter().map(|s| s.total.bookings).sum();
        assert_eq!(report.chain.total.bookings, sum);
        assert_eq!(report.charts.len(), 5);
        assert!(report.charts.iter().all(|c| c.svg.starts_with("<svg")));
        assert!(report.charts[0].svg.contains("Bookings"), "in English");
    }
    let (status, _) = call_as(
        &hq,
        &server,
        "store_kpis",
        &[("days", "12"), ("by", "day"), ("lang", "en")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn customers_are_mapped_by_district_against_the_stores_reach(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let read = |hq: &reqwest::Client| {
        let server = &server;
        let hq = hq.clone();
        async move {
            let (status, body) = call_as(&hq, server, "customer_map", &[("lang", "en")]).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_str::<CustomerMapView>(&body).expect("map")
        }
    };
    // A customer who has not said yet.
    let (owner, _) = customer_with_car(&server).await;
    let map = read(&hq).await;
    assert_eq!(map.rows.len(), domain::districts::DISTRICTS.len());
    let customers: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM customers", &[]).await;
    let mapped: u32 = map.rows.iter().map(|r| r.customers).sum();
    assert_eq!(i64::from(mapped + map.unknown), customers[0].0);
    let row = |map: &CustomerMapView, code: &str| {
        map.rows
            .iter()
            .find(|r| r.code == code)
            .cloned()
            .expect("district")
    };
    // The centre is within a store's reach; Qiantang, 25 km out, is not.
    assert!(row(&map, "XIHU").within);
    assert!(!row(&map, "QIANTANG").within);
    let next = map
        .next
        .clone()
        .expect("a district beyond reach has customers");
    let beyond = map
        .rows
        .iter()
        .filter(|r| !r.within)
        .map(|r| r.customers)
        .max();
    assert_eq!(
        map.rows
            .iter()
            .find(|r| r.name == next)
            .map(|r| r.customers),
        beyond
    );
    assert!(map.svg.starts_with("<svg") && map.svg.contains("Qiantang"));

    // A customer says where they live: Qiantang counts one more; a made-up district
    // is refused and changes nothing.
    let before = row(&map, "QIANTANG").customers;
    let (status, body) = call_as(
        &owner,
        &server,
        "set_home_district",
        &[("district", "ATLANTIS")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        common::error(&body),
        app::error::AppError::Invalid(domain::Error::DistrictUnknown)
    );
    let (status, body) = call_as(
        &owner,
        &server,
        "set_home_district",
        &[("district", "qiantang")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = call_as(&owner, &server, "home_district", &[]).await;
    assert_eq!(
        serde_json::from_str::<Option<String>>(&body).expect("district"),
        Some("QIANTANG".to_owned())
    );
    let after = read(&hq).await;
    assert_eq!(row(&after, "QIANTANG").customers, before + 1);
    assert_eq!(after.unknown, map.unknown - 1);
    // Rather not say: back among those who have not said.
    let (status, _) = call_as(&owner, &server, "set_home_district", &[("district", "")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read(&hq).await.unknown, map.unknown);
}
