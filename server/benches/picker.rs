//! The store picker as the chain grows: `store_options` for an oil change over HTTP
//! against this (release) build, on SQLite and PostgreSQL, with the demo's 6 stores and
//! with synthetic chains of 150, 300 and 600 stores the benchmark adds.
//!
//! Each added store is open 08:30–18:00 every day with two to four bays and as many
//! technicians, stands within about 30 km of the city centre, and has the oil change's
//! parts on its shelf (a quarter of them run out of one part, so transfers and shipments
//! count too). Every request ranks every store: parts sourcing, the first free slot
//! within the horizon, distance.
//!
//! Run: `cargo bench -p server --bench picker` (PostgreSQL as for the tests;
//! `PITLANE_SKIP_POSTGRES=1` skips it).

use std::time::{Duration, Instant};

use app::booking::{QuotesView, StoreOptionView};

#[path = "../tests/common/mod.rs"]
mod common;
use common::{bulk_customers_with_cars, Arg, Backend, TestDb, TestServer};

const SIZES: [usize; 4] = [6, 150, 300, 600];
const REQUESTS: usize = 100;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "warn");
    }
    println!("backend    stores  requests  p50       p95       per store (p50)");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        for stores in SIZES {
            let Some(db) = TestDb::new(backend).await else {
                continue;
            };
            run(&db, backend, stores).await?;
        }
    }
    Ok(())
}

async fn run(db: &TestDb, backend: Backend, stores: usize) -> anyhow::Result<()> {
    let server = TestServer::start(db).await;
    let (cookie, car) = bulk_customers_with_cars(db, 1).await.remove(0);
    let http = reqwest::Client::new();
    let call = |endpoint: &'static str, form: Vec<(&'static str, String)>| {
        let (http, cookie, url) = (
            http.clone(),
            cookie.clone(),
            server.url(&format!("/api/{endpoint}")),
        );
        async move {
            let res = http
                .post(url)
                .header(reqwest::header::COOKIE, cookie)
                .form(&form)
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "{endpoint}: {}", res.status());
            anyhow::Ok(res.text().await?)
        }
    };
    let quotes: QuotesView =
        serde_json::from_str(&call("service_quotes", vec![("vehicle_id", car.clone())]).await?)?;
    let oil = quotes
        .quotes
        .iter()
        .find(|q| q.service.code == "OIL_CHANGE")
        .ok_or_else(|| anyhow::anyhow!("no oil change"))?;
    let parts: Vec<uuid::Uuid> = oil.parts.iter().map(|p| p.part.as_uuid()).collect();
    add_stores(db, stores.saturating_sub(6), &parts).await;

    let form = vec![
        ("vehicle_id", car.clone()),
        ("service_id", oil.service.id.to_string()),
    ];
    let first: Vec<StoreOptionView> =
        serde_json::from_str(&call("store_options", form.clone()).await?)?;
    anyhow::ensure!(first.len() == stores, "{} stores offered", first.len());
    let mut latencies = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let t = Instant::now();
        call("store_options", form.clone()).await?;
        latencies.push(t.elapsed());
    }
    latencies.sort();
    let p50 = pct(&latencies, 50);
    println!(
        "{:<10} {stores:>6}  {REQUESTS:>8}  {:>7}  {:>7}  {:>7.1} µs",
        match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        },
        fmt(p50),
        fmt(pct(&latencies, 95)),
        p50.as_secs_f64() * 1e6 / stores as f64,
    );
    Ok(())
}

/// `n` more stores, each with hours, technicians and the parts.
async fn add_stores(db: &TestDb, n: usize, parts: &[uuid::Uuid]) {
    let mut all: Vec<(String, Vec<Arg>)> = Vec::new();
    let mut execute = |sql: &str, args: &[Arg]| all.push((sql.to_owned(), args.to_vec()));
    for i in 0..n {
        let id = uuid::Uuid::now_v7();
        // Spread on a grid of about 60 km by 60 km around the centre.
        let (lat, lng) = (
            30_000_000 + (i as i64 % 25) * 22_000,
            119_900_000 + (i as i64 / 25) * 26_000,
        );
        execute(
            "INSERT INTO locations (id, code, kind, name_zh, name_en, address_zh, address_en,
                lat_e6, lng_e6, bays, phone)
             VALUES ($1, $2, 'store', $2, $2, '', '', $3, $4, $5, '0571-00000000')",
            &[
                Arg::Id(id),
                Arg::Text(format!("BENCH-{i:04}")),
                Arg::Int(lat),
                Arg::Int(lng),
                Arg::Int(2 + i as i64 % 3),
            ],
        );
        for day in 1..=7 {
            execute(
                "INSERT INTO opening_hours (location_id, weekday, opens_min, closes_min)
                 VALUES ($1, $2, 510, 1080)",
                &[Arg::Id(id), Arg::Int(day)],
            );
        }
        for t in 0..(2 + i % 3) {
            execute(
                "INSERT INTO staff (id, location_id, phone, name_zh, name_en, role)
                 VALUES ($1, $2, $3, '技师', 'Technician', 'technician')",
                &[
                    Arg::Id(uuid::Uuid::now_v7()),
                    Arg::Id(id),
                    Arg::Text(format!("135{:04}{t:04}", i)),
                ],
            );
        }
        for (k, part) in parts.iter().enumerate() {
            let on_hand = if i % 4 == 0 && k == 0 { 0 } else { 50_000 };
            execute(
                "INSERT INTO stock (location_id, part_id, on_hand_milli, reserved_milli, safety_milli)
                 VALUES ($1, $2, $3, 0, 5000)",
                &[Arg::Id(id), Arg::Id(*part), Arg::Int(on_hand)],
            );
        }
    }
    db.execute_all(&all).await;
}

fn pct(sorted: &[Duration], p: usize) -> Duration {
    let idx = ((sorted.len() * p).div_ceil(100)).saturating_sub(1);
    sorted
        .get(idx.min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

fn fmt(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1_000.0)
}
