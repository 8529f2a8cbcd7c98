//! Booking throughput and latency over HTTP against this (release) build, on SQLite and
//! on PostgreSQL, with pgbench's tpcb-like run on the same PostgreSQL as the reference.
//!
//! For each backend and scenario: a fresh database with the demo data and a server on
//! port 0; customers with a Corolla and a session made straight in the database (a
//! customer holds at most three open bookings, none overlapping for one car, so each
//! makes at most three attempts); the shelves of the stores booked topped up so that
//! parts never run out. Then `CLIENTS` clients, each on its own kept-alive connection,
//! confirm oil changes (two parts and two capacity steps each) as fast as they can,
//! round-robin over the slots:
//! - `hot`: only the first store's first 24 slots, so most requests race for the same
//!   rows and are refused once those are full;
//! - `spread`: every free unit of every slot of every store of the demo chain, once
//!   each (of slots that do not overlap: what the chain's two weeks hold, about 2,300
//!   attempts), interleaved over the stores; almost every attempt books, so the rate is
//!   of bookings made.
//!
//! Every attempt is a full confirm: session, parsing, the situation read, the plan, the
//! guarded writes, the order, the outbox event.
//!
//! SQLite runs twice: `durable` (the default: a booking is confirmed once the log that
//! holds its commit is on disk, one sync shared by the commits that queued meanwhile)
//! and `normal` (`PITLANE_SQLITE_SYNCHRONOUS=normal`: confirmed before it is on disk, to
//! show what durability costs).
//!
//! Run: `cargo bench -p server --bench booking` (PostgreSQL from `PITLANE_TEST_PG`,
//! default `postgres://postgres@127.0.0.1:5432`; `PITLANE_SKIP_POSTGRES=1` skips it).
//! Words after `--` keep only the runs whose label contains one of them, for instance
//! `cargo bench -p server --bench booking -- "sqlite/full spread"`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::booking::{QuotesView, SlotView, StoreOptionView};
use reqwest::StatusCode;
use time::format_description::well_known::Rfc3339;

#[path = "../tests/common/mod.rs"]
mod common;
use common::{bulk_customers_with_cars, Arg, Backend, TestDb, TestServer};

/// As many clients as pgbench's reference run has.
const CLIENTS: usize = 16;
const ATTEMPTS: usize = 3_000;
/// pgbench's scale: at least the number of clients, so its branches are not the
/// bottleneck it measures.
const PGBENCH_SCALE: usize = 16;
const PGBENCH_SECONDS: usize = 30;
/// How many of the first store's first slots the hot run races for.
const HOT_SLOTS: usize = 24;

#[derive(Clone, Copy)]
enum Scenario {
    /// `ATTEMPTS` at the first store's first `HOT_SLOTS` slots.
    Hot,
    /// Every free unit of every store's slots, once each.
    Spread,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Hot => "hot",
            Scenario::Spread => "spread",
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // One log line per request would drown the figures.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "warn");
    }
    println!(
        "backend        slots   attempts  booked  refused  wall      attempts/s  booked/s  p50      p95      p99"
    );
    // Cargo passes `--bench`; anything else picks runs by label.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let mut pg_rates = Vec::new();
    for (backend, synchronous) in [
        (Backend::Sqlite, "durable"),
        (Backend::Sqlite, "normal"),
        (Backend::Postgres, "-"),
    ] {
        // Read when the server opens its database.
        std::env::set_var("PITLANE_SQLITE_SYNCHRONOUS", synchronous);
        for scenario in [Scenario::Hot, Scenario::Spread] {
            let label = match backend {
                Backend::Sqlite => format!("sqlite/{synchronous}"),
                Backend::Postgres => "postgres".to_owned(),
            };
            let run_label = format!("{label} {}", scenario.name());
            if !only.is_empty() && !only.iter().any(|o| run_label.contains(o.as_str())) {
                continue;
            }
            let Some(db) = TestDb::new(backend).await else {
                continue;
            };
            let (attempts, booked) = run(&db, &label, scenario).await?;
            if backend == Backend::Postgres {
                pg_rates.push((scenario.name(), attempts, booked));
            }
        }
    }
    if !pg_rates.is_empty() {
        if let Some(db) = TestDb::new(Backend::Postgres).await {
            let tps = pgbench(&db.url)?;
            println!(
                "\npgbench tpcb-like, scale {PGBENCH_SCALE}, {CLIENTS} clients, {PGBENCH_SECONDS} s, same PostgreSQL: {tps:.0} tps"
            );
            for (name, attempts, booked) in pg_rates {
                println!(
                    "postgres {name}: attempts/s = {:.0}% of pgbench tps, bookings/s = {:.0}%",
                    attempts / tps * 100.0,
                    booked / tps * 100.0
                );
            }
        }
    }
    Ok(())
}

/// A confirm as a signed-in customer's browser sends it, on a client shared by many.
async fn call(
    http: &reqwest::Client,
    server: &TestServer,
    cookie: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> anyhow::Result<(StatusCode, String)> {
    let res = http
        .post(server.url(&format!("/api/{endpoint}")))
        .header(reqwest::header::COOKIE, cookie)
        .form(form)
        .send()
        .await?;
    Ok((res.status(), res.text().await?))
}

/// Returns attempts per second and bookings per second.
async fn run(db: &TestDb, backend: &str, scenario: Scenario) -> anyhow::Result<(f64, f64)> {
    let server = TestServer::start(db).await;
    let customers = bulk_customers_with_cars(db, ATTEMPTS.div_ceil(3)).await;
    let http = reqwest::Client::new();
    let (cookie, car) = &customers[0];
    let (_, body) = call(
        &http,
        &server,
        cookie,
        "service_quotes",
        &[("vehicle_id", car)],
    )
    .await?;
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
    let (_, body) = call(
        &http,
        &server,
        cookie,
        "store_options",
        &[("vehicle_id", car), ("service_id", &service)],
    )
    .await?;
    let options: Vec<StoreOptionView> = serde_json::from_str(&body)?;
    // The hot run races for one store's first slots; the spread run books the whole
    // chain, every slot of every store, interleaved so that consecutive attempts go to
    // different stores and move through the horizon together.
    let stores = match scenario {
        Scenario::Hot => &options[..1],
        Scenario::Spread => &options[..],
    };
    let mut per_store = Vec::new();
    for store in stores.iter().map(|o| o.store) {
        for part in oil.parts.iter().map(|p| p.part) {
            db.execute(
                "UPDATE stock SET on_hand_milli = 100000000 WHERE location_id = $1 AND part_id = $2",
                &[Arg::Id(store.as_uuid()), Arg::Id(part.as_uuid())],
            )
            .await;
        }
        let (_, body) = call(
            &http,
            &server,
            cookie,
            "store_slots",
            &[
                ("vehicle_id", car),
                ("service_id", &service),
                ("store_id", &store.to_string()),
            ],
        )
        .await?;
        let slots: Vec<SlotView> = serde_json::from_str(&body)?;
        let starts: Vec<String> = match scenario {
            Scenario::Hot => slots
                .iter()
                .take(HOT_SLOTS)
                .map(|s| s.start.format(&Rfc3339))
                .collect::<Result<_, _>>()?,
            Scenario::Spread => {
                // Every free unit of slots that do not overlap: what the store can hold.
                let mut kept = Vec::new();
                let mut free_from = None;
                for s in &slots {
                    if free_from.is_none_or(|end| s.start >= end) {
                        kept.push(s);
                        free_from = Some(s.end);
                    }
                }
                let units = kept.iter().map(|s| s.free_units).max().unwrap_or(0);
                (0..units)
                    .flat_map(|u| kept.iter().filter(move |s| s.free_units > u))
                    .map(|s| s.start.format(&Rfc3339))
                    .collect::<Result<_, _>>()?
            }
        };
        per_store.push((store.to_string(), starts));
    }
    let longest = per_store.iter().map(|(_, s)| s.len()).max().unwrap_or(0);
    let targets: Vec<(String, String)> = (0..longest)
        .flat_map(|k| {
            per_store
                .iter()
                .filter_map(move |(store, starts)| Some((store.clone(), starts.get(k)?.clone())))
        })
        .collect();
    anyhow::ensure!(!targets.is_empty(), "no slot to book");
    let attempts = match scenario {
        Scenario::Hot => ATTEMPTS,
        Scenario::Spread => targets.len().min(ATTEMPTS),
    };
    // Attempt i is made by customer i % n: each customer's three attempts are a third of
    // the run apart, and each third of the run is shifted by a third of the targets, so
    // one car's attempts never overlap.
    let next = Arc::new(AtomicUsize::new(0));
    let booked = Arc::new(AtomicUsize::new(0));
    let (server, customers, targets) = (Arc::new(server), Arc::new(customers), Arc::new(targets));
    let (service, total) = (Arc::new(service), Arc::new(total.fen().to_string()));
    let started = Instant::now();
    let workers = (0..CLIENTS).map(|_| {
        let (next, booked, server, customers, targets) = (
            next.clone(),
            booked.clone(),
            server.clone(),
            customers.clone(),
            targets.clone(),
        );
        let (service, total) = (service.clone(), total.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = Vec::new();
            let mut refusals = std::collections::BTreeMap::<String, usize>::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= attempts {
                    break;
                }
                let (cookie, car) = &customers[i % customers.len()];
                let shift = (i / customers.len()) * targets.len().div_ceil(3);
                let (store, start) = &targets[(i + shift) % targets.len()];
                let key = uuid::Uuid::now_v7().to_string();
                let t = Instant::now();
                let (status, body) = call(
                    &http,
                    &server,
                    cookie,
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
                .await?;
                latencies.push(t.elapsed());
                anyhow::ensure!(
                    status != StatusCode::INTERNAL_SERVER_ERROR,
                    "a confirm failed"
                );
                if status == StatusCode::OK {
                    booked.fetch_add(1, Ordering::Relaxed);
                } else {
                    *refusals.entry(format!("{status} {body}")).or_default() += 1;
                }
            }
            anyhow::Ok((latencies, refusals))
        })
    });
    let mut latencies = Vec::with_capacity(attempts);
    let mut refusals = std::collections::BTreeMap::<String, usize>::new();
    for w in futures::future::join_all(workers).await {
        let (l, r) = w??;
        latencies.extend(l);
        for (why, n) in r {
            *refusals.entry(why).or_default() += n;
        }
    }
    let wall = started.elapsed();
    let booked = booked.load(Ordering::Relaxed);
    let rate = attempts as f64 / wall.as_secs_f64();
    let booked_rate = booked as f64 / wall.as_secs_f64();
    latencies.sort();
    let name = scenario.name();
    println!(
        "{backend:<14} {name:<6}  {attempts:>8}  {booked:>6}  {:>7}  {:>6.2} s  {rate:>10.0}  {booked_rate:>8.0}  {:>7}  {:>7}  {:>7}",
        attempts - booked,
        wall.as_secs_f64(),
        fmt(pct(&latencies, 50)),
        fmt(pct(&latencies, 95)),
        fmt(pct(&latencies, 99)),
    );
    // Why the rest were refused, so that a run where something else than full slots
    // stopped the bookings is seen.
    for (why, n) in &refusals {
        println!(
            "    refused {n} × {}",
            why.chars().take(120).collect::<String>()
        );
    }
    Ok((rate, booked_rate))
}

/// pgbench's tpcb-like run against `url`: the reference for what this PostgreSQL does
/// with small write transactions on this machine.
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
    let (scale, clients, seconds) = (
        PGBENCH_SCALE.to_string(),
        CLIENTS.to_string(),
        PGBENCH_SECONDS.to_string(),
    );
    run(&["-i", "-s", &scale, "-q"])?;
    let out = run(&["-c", &clients, "-j", "2", "-T", &seconds, "-b", "tpcb-like"])?;
    out.lines()
        .find_map(|l| {
            let rest = l.strip_prefix("tps = ")?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .ok_or_else(|| anyhow::anyhow!("no tps in pgbench output: {out}"))
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
