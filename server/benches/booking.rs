//! Booking throughput under contention, over HTTP, on SQLite and on PostgreSQL, with
//! pgbench's tpcb-like run on the same PostgreSQL as the reference.
//!
//! For each backend: a fresh database with the demo data and a server on port 0;
//! one customer with a Corolla per attempt (a customer may hold only three open
//! bookings, none overlapping for one car); the first store's shelf topped up so that
//! parts never run out (capacity is what they fight over). Then `CONCURRENCY` clients
//! confirm oil changes as fast as they can, `ATTEMPTS` in all, round-robin over the
//! store's slots: in the `hot` scenario only its first 24, so most requests race for
//! the same few rows and are refused once those are full; in `spread` every slot of the
//! horizon, so most succeed. All contend for the same stock rows. Every attempt is a full confirm: session
//! check, re-pricing, availability, guarded reservations, capacity upserts, the order.
//!
//! SQLite runs twice: with `synchronous=FULL` (the default: a confirmed booking survives
//! a power cut) and with `NORMAL` (what durability costs).
//!
//! Run: `cargo bench -p server --bench booking` (PostgreSQL from `PITLANE_TEST_PG`,
//! default `postgres://postgres@127.0.0.1:5432`; `PITLANE_SKIP_POSTGRES=1` skips it).

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::booking::{QuotesView, SlotView, StoreOptionView};
use reqwest::StatusCode;
use sqlx::Connection;
use tokio::sync::Mutex;

#[path = "../tests/common/mod.rs"]
mod common;
use common::{call_as, customer_with_car, Backend, TestDb, TestServer};

const CONCURRENCY: usize = 16;
const ATTEMPTS: usize = 400;
/// Contention: every attempt at one of the first 24 slots (most are refused once those
/// are full), or spread over every slot of the two-week horizon (most succeed).
const SCENARIOS: [(&str, usize); 2] = [("hot", 24), ("spread", usize::MAX)];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // One log line per request would drown the figures.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "warn");
    }
    println!(
        "backend        slots   attempts  booked  refused  wall      attempts/s  booked/s  p50       p95"
    );
    let mut pg_rates = Vec::new();
    for (backend, synchronous) in [
        (Backend::Sqlite, "full"),
        (Backend::Sqlite, "normal"),
        (Backend::Postgres, "-"),
    ] {
        // Read when the server opens its database.
        std::env::set_var("PITLANE_SQLITE_SYNCHRONOUS", synchronous);
        for (name, hot) in SCENARIOS {
            let Some(db) = TestDb::new(backend).await else {
                continue;
            };
            let label = match backend {
                Backend::Sqlite => format!("sqlite/{synchronous}"),
                Backend::Postgres => "postgres".to_owned(),
            };
            let (attempts, booked) = run(&db, &label, name, hot).await?;
            if backend == Backend::Postgres {
                pg_rates.push((name, attempts, booked));
            }
        }
    }
    if !pg_rates.is_empty() {
        if let Some(db) = TestDb::new(Backend::Postgres).await {
            let tps = pgbench(&db.url)?;
            println!("\npgbench tpcb-like, {CONCURRENCY} clients, same PostgreSQL: {tps:.0} tps");
            for (name, attempts, booked) in pg_rates {
                println!(
                    "postgres {name}: attempts/s = {:.1}% of pgbench tps, bookings/s = {:.1}%",
                    attempts / tps * 100.0,
                    booked / tps * 100.0
                );
            }
        }
    }
    Ok(())
}

/// Returns attempts per second and bookings per second.
async fn run(
    db: &TestDb,
    backend: &str,
    name: &str,
    hot_slots: usize,
) -> anyhow::Result<(f64, f64)> {
    let server = TestServer::start(db).await;
    let mut clients = Vec::new();
    for _ in 0..ATTEMPTS / 8 {
        let batch = (0..8).map(|_| customer_with_car(&server));
        clients.extend(futures::future::join_all(batch).await);
    }
    let (client, car) = &clients[0];
    let (_, body) = call_as(client, &server, "service_quotes", &[("vehicle_id", car)]).await;
    let quotes: QuotesView = serde_json::from_str(&body)?;
    let oil = quotes
        .quotes
        .iter()
        .find(|q| q.service.code == "OIL_CHANGE")
        .ok_or_else(|| anyhow::anyhow!("no oil change"))?;
    let total = oil
        .quote
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .total;
    let service = oil.service.id.to_string();
    let parts: Vec<_> = oil.parts.iter().map(|p| p.part).collect();
    let (_, body) = call_as(
        client,
        &server,
        "store_options",
        &[("vehicle_id", car), ("service_id", &service)],
    )
    .await;
    let options: Vec<StoreOptionView> = serde_json::from_str(&body)?;
    let store = options[0].store;
    top_up(&db.url, store.as_uuid(), &parts).await?;
    let (_, body) = call_as(
        client,
        &server,
        "store_slots",
        &[
            ("vehicle_id", car),
            ("service_id", &service),
            ("store_id", &store.to_string()),
        ],
    )
    .await;
    let slots: Vec<SlotView> = serde_json::from_str(&body)?;
    let hot: Vec<String> = slots
        .iter()
        .take(hot_slots)
        .map(|s| {
            s.start
                .format(&time::format_description::well_known::Rfc3339)
        })
        .collect::<Result<_, _>>()?;

    let next = Arc::new(Mutex::new(0usize));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(ATTEMPTS)));
    let booked = Arc::new(Mutex::new(0usize));
    let server = Arc::new(server);
    let started = Instant::now();
    let clients = Arc::new(clients);
    let workers = (0..CONCURRENCY).map(|_| {
        let clients = clients.clone();
        let (next, latencies, booked, server) = (
            next.clone(),
            latencies.clone(),
            booked.clone(),
            server.clone(),
        );
        let (hot, service, store) = (hot.clone(), service.clone(), store.to_string());
        let total = total.fen().to_string();
        tokio::spawn(async move {
            loop {
                let i = {
                    let mut n = next.lock().await;
                    if *n >= ATTEMPTS {
                        break;
                    }
                    *n += 1;
                    *n
                };
                let start = &hot[i % hot.len()];
                let (client, car) = &clients[i - 1];
                let key = uuid::Uuid::now_v7().to_string();
                let t = Instant::now();
                let (status, _) = call_as(
                    client,
                    &server,
                    "confirm_booking",
                    &[
                        ("vehicle_id", car.as_str()),
                        ("service_id", service.as_str()),
                        ("store_id", store.as_str()),
                        ("start", start.as_str()),
                        ("expected_total", total.as_str()),
                        ("idempotency_key", key.as_str()),
                    ],
                )
                .await;
                latencies.lock().await.push(t.elapsed());
                if status == StatusCode::OK {
                    *booked.lock().await += 1;
                }
            }
        })
    });
    for w in futures::future::join_all(workers).await {
        w?;
    }
    let wall = started.elapsed();
    let mut lat = latencies.lock().await.clone();
    let booked = *booked.lock().await;
    let rate = ATTEMPTS as f64 / wall.as_secs_f64();
    let booked_rate = booked as f64 / wall.as_secs_f64();
    println!(
        "{backend:<14} {name:<6}  {ATTEMPTS:>8}  {booked:>6}  {:>7}  {:>6.2} s  {rate:>10.1}  {booked_rate:>8.1}  {:>7}  {:>7}",
        ATTEMPTS - booked,
        wall.as_secs_f64(),
        fmt(pct(&mut lat, 50)),
        fmt(pct(&mut lat, 95)),
    );
    Ok((rate, booked_rate))
}

/// Plenty of the parts at the store, so that capacity is what requests contend for.
async fn top_up(url: &str, store: uuid::Uuid, parts: &[domain::PartId]) -> anyhow::Result<()> {
    let sql = "UPDATE stock SET on_hand_milli = 100000000 WHERE location_id = $1 AND part_id = $2";
    for part in parts {
        if url.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(url).await?;
            sqlx::query(sql)
                .bind(store)
                .bind(part.as_uuid())
                .execute(&mut c)
                .await?;
        } else {
            let mut c = sqlx::PgConnection::connect(url).await?;
            sqlx::query(sql)
                .bind(store)
                .bind(part.as_uuid())
                .execute(&mut c)
                .await?;
        }
    }
    Ok(())
}

/// pgbench's tpcb-like run (scale 1, 10 s) against `url`: the reference for what this
/// PostgreSQL does with small write transactions on this machine.
fn pgbench(url: &str) -> anyhow::Result<f64> {
    let run = |args: &[&str]| -> anyhow::Result<String> {
        let out = std::process::Command::new("pgbench")
            .args(args)
            .arg(url)
            .output()?;
        anyhow::ensure!(
            out.status.success(),
            "pgbench failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    run(&["-i", "-s", "1", "-q"])?;
    let clients = CONCURRENCY.to_string();
    let out = run(&["-c", &clients, "-j", "2", "-T", "10", "-b", "tpcb-like"])?;
    out.lines()
        .find_map(|l| {
            let rest = l.strip_prefix("tps = ")?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .ok_or_else(|| anyhow::anyhow!("no tps in pgbench output: {out}"))
}

fn pct(samples: &mut [Duration], p: usize) -> Duration {
    samples.sort();
    let idx = ((samples.len() * p).div_ceil(100)).saturating_sub(1);
    samples[idx.min(samples.len().saturating_sub(1))]
}

fn fmt(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1_000.0)
}
