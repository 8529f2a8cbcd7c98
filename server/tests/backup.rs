//! Backup under load, on SQLite and PostgreSQL: customers keep booking over HTTP while a
//! backup is taken; the copy, restored into an empty database, holds every booking
//! committed before the backup began, nothing the live database lacks, and a consistent
//! stock ledger. A backup never overwrites a file; a restore never writes over data.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use common::{bulk_customers_with_cars, TestDb, TestServer};
use reqwest::{Client, StatusCode};
use server::backup::{backup, restore, BackupError};
use uuid::Uuid;

both_backends!(a_backup_taken_while_customers_book_holds_every_booking_committed_before_it);

/// Customers booking during the backup.
const CUSTOMERS: usize = 40;

/// One customer's oil change at the store's first free slot; the order's id once the
/// server says it is booked.
async fn book(
    server: &TestServer,
    http: &Client,
    cookie: &str,
    car: &str,
    store: &str,
) -> Option<Uuid> {
    let post = |endpoint: &str, form: Vec<(&str, String)>| {
        http.post(server.url(&format!("/api/{endpoint}")))
            .header(reqwest::header::COOKIE, cookie)
            .form(&form)
            .send()
    };
    let quotes: app::booking::QuotesView =
        post("service_quotes", vec![("vehicle_id", car.to_owned())])
            .await
            .ok()?
            .json()
            .await
            .ok()?;
    let oil = quotes
        .quotes
        .iter()
        .find(|q| q.service.code == "OIL_CHANGE")?;
    let service = oil.service.id.to_string();
    let total = oil.quote.as_ref().ok()?.total.fen().to_string();
    let slots: Vec<app::booking::SlotView> = post(
        "store_slots",
        vec![
            ("vehicle_id", car.to_owned()),
            ("service_id", service.clone()),
            ("store_id", store.to_owned()),
        ],
    )
    .await
    .ok()?
    .json()
    .await
    .ok()?;
    let start = slots
        .iter()
        .find(|s| s.free_units > 0)?
        .start
        .format(&time::format_description::well_known::Rfc3339)
        .ok()?;
    let res = post(
        "confirm_booking",
        vec![
            ("vehicle_id", car.to_owned()),
            ("service_id", service),
            ("store_id", store.to_owned()),
            ("start", start),
            ("expected_total", total),
            ("idempotency_key", Uuid::now_v7().to_string()),
        ],
    )
    .await
    .ok()?;
    if res.status() != StatusCode::OK {
        return None;
    }
    let booking: app::booking::Booking = res.json().await.ok()?;
    Some(booking.id.as_uuid())
}

async fn booked_ids(db: &TestDb) -> Vec<Uuid> {
    let rows: Vec<(Uuid,)> = db
        .rows("SELECT id FROM orders WHERE status = 'booked'", &[])
        .await;
    rows.into_iter().map(|(id,)| id).collect()
}

async fn a_backup_taken_while_customers_book_holds_every_booking_committed_before_it(db: TestDb) {
    let server = TestServer::start(&db).await;
    let people = bulk_customers_with_cars(&db, CUSTOMERS).await;
    let stores: Vec<(Uuid,)> = db
        .rows(
            "SELECT id FROM locations WHERE kind = 'store' ORDER BY code",
            &[],
        )
        .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("pitlane.backup");

    // Customers book one after another, two at a time, each noting when the server
    // said yes.
    let committed: Arc<Mutex<Vec<(Uuid, Instant)>>> = Arc::default();
    let server = Arc::new(server);
    let mut bookers = Vec::new();
    for (n, half) in people.chunks(CUSTOMERS / 2).enumerate() {
        let half = half.to_vec();
        let (server, committed) = (server.clone(), committed.clone());
        let store = stores[n % stores.len()].0.to_string();
        bookers.push(tokio::spawn(async move {
            let http = Client::new();
            for (cookie, car) in half {
                if let Some(id) = book(&server, &http, &cookie, &car, &store).await {
                    committed.lock().expect("lock").push((id, Instant::now()));
                }
            }
        }));
    }
    // The backup starts once bookings are under way.
    while committed.lock().expect("lock").len() < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let began = Instant::now();
    let taken = backup(&db.url, &file).await.expect("backup");
    let ended = Instant::now();
    for b in bookers {
        b.await.expect("bookers");
    }
    let committed = committed.lock().expect("lock").clone();
    let during = committed
        .iter()
        .filter(|(_, at)| *at >= began && *at <= ended)
        .count();
    eprintln!(
        "{:?}: backup of {} bytes in {:?}; {} bookings committed in all, {during} while it ran",
        db.backend(),
        taken.bytes,
        taken.took,
        committed.len()
    );
    assert!(committed.len() >= CUSTOMERS / 2, "most customers booked");

    // A backup never overwrites a file.
    assert!(matches!(
        backup(&db.url, &file).await,
        Err(BackupError::TargetExists(_))
    ));

    let copy = TestDb::new(db.backend()).await.expect("a second database");
    restore(&copy.url, &file).await.expect("restore");
    let restored = booked_ids(&copy).await;
    let live = booked_ids(&db).await;
    // Every booking the server confirmed before the backup began is in the copy.
    for (id, at) in &committed {
        if *at < began {
            assert!(
                restored.contains(id),
                "booking {id} committed before the backup is missing"
            );
        }
    }
    // The copy holds nothing the live database lacks.
    for id in &restored {
        assert!(live.contains(id), "booking {id} is in the copy only");
    }
    // Whole orders: each booked order in the copy has its service lines.
    let bare: Vec<(i64,)> = copy
        .rows(
            "SELECT COUNT(*) FROM orders o WHERE o.status = 'booked'
               AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)",
            &[],
        )
        .await;
    assert_eq!(
        bare[0].0, 0,
        "booked orders without their lines in the copy"
    );
    // The copy's stock ledger adds up shelf by shelf, as the live one does.
    let unbalanced: Vec<(i64,)> = copy
        .rows(
            "SELECT COUNT(*) FROM stock s LEFT JOIN (
                 SELECT location_id, part_id, CAST(SUM(delta_milli) AS BIGINT) AS total
                 FROM stock_moves GROUP BY location_id, part_id) m
               ON m.location_id = s.location_id AND m.part_id = s.part_id
             WHERE s.on_hand_milli <> COALESCE(m.total, 0)",
            &[],
        )
        .await;
    assert_eq!(unbalanced[0].0, 0, "the copy's shelves and ledger disagree");
    // The restored database serves: it migrates (nothing pending) and answers.
    let served = copy.open(server::live::Hub::new(), false).await;
    assert!(!served
        .storages()
        .prices
        .services()
        .await
        .expect("services")
        .is_empty());
    // A restore never writes over data.
    assert!(matches!(
        restore(&copy.url, &file).await,
        Err(BackupError::NotEmpty)
    ));
}
