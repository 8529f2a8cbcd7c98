//! How publishing and reading the price list grow with its size, on SQLite and PostgreSQL.
//!
//! Every publish writes a whole new version (history is kept, an order can point at the
//! version it was priced with), so its cost grows with the number of priced items. This
//! bench measures that: for each size it creates a fresh database, loads one version with
//! that many prices, then times publishes and reads of the current list.
//!
//! Run: `cargo bench -p server --bench price_list` (PostgreSQL from `PITLANE_TEST_PG`,
//! default `postgres://postgres@127.0.0.1:5432`; `PITLANE_SKIP_POSTGRES=1` skips it).

#![allow(clippy::disallowed_methods)] // tests read the real clock

use std::time::{Duration, Instant};

use domain::{Money, PartId, PricedItem, ServiceId};
use server::live::Hub;
use server::storage::{item_key, DbTime};
use sqlx::Connection;

// The tests' fresh-database helper, shared rather than written again.
#[path = "../tests/common/mod.rs"]
mod common;
use common::{Backend, TestDb};

const SIZES: [usize; 3] = [100, 1_000, 10_000];
const PUBLISHES: usize = 40;
const READS: usize = 40;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    println!("backend   items   publish p50   publish p95   read p50    read p95");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        for size in SIZES {
            // A fresh database per size, dropped afterwards (PostgreSQL skipped with
            // PITLANE_SKIP_POSTGRES=1), exactly as the tests make them.
            let Some(db) = TestDb::new(backend).await else {
                break;
            };
            run(&db, size).await?;
        }
    }
    Ok(())
}

async fn run(db: &TestDb, size: usize) -> anyhow::Result<()> {
    let database = db.open(Hub::new(), false).await;
    let service = ServiceId::new();
    load_version(&db.url, service, size).await?;
    let store = database.storages().prices;
    let item = PricedItem::Service(service);

    let mut publishes = Vec::with_capacity(PUBLISHES);
    for i in 0..PUBLISHES {
        let price = Money::from_fen(10_000 + i as i64 + 1);
        let t = Instant::now();
        store.publish_price(item, price, "bench").await?;
        publishes.push(t.elapsed());
    }
    let mut reads = Vec::with_capacity(READS);
    for _ in 0..READS {
        let t = Instant::now();
        let list = store.current_price_list().await?;
        reads.push(t.elapsed());
        anyhow::ensure!(
            list.len() == size,
            "read {} prices, expected {size}",
            list.len()
        );
    }
    println!(
        "{:<9} {size:>6}   {:>11}   {:>11}   {:>9}   {:>9}",
        database.storages().health.backend(),
        fmt(pct(&mut publishes, 50)),
        fmt(pct(&mut publishes, 95)),
        fmt(pct(&mut reads, 50)),
        fmt(pct(&mut reads, 95)),
    );
    Ok(())
}

/// Version 1 with one service and `size - 1` parts, written directly.
async fn load_version(url: &str, service: ServiceId, size: usize) -> anyhow::Result<()> {
    let version = uuid::Uuid::now_v7();
    let now = DbTime(time::OffsetDateTime::now_utc() - time::Duration::hours(1));
    let mut items = vec![PricedItem::Service(service)];
    items.extend((1..size).map(|_| PricedItem::Part(PartId::new())));
    macro_rules! load {
        ($conn:expr) => {{
            let mut tx = $conn.begin().await?;
            sqlx::query(
                "INSERT INTO price_list_versions (id, version, effective_from, published_at, published_by)
                 VALUES ($1, 1, $2, $2, 'bench')",
            )
            .bind(version)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for (i, item) in items.iter().enumerate() {
                let (kind, id) = item_key(*item);
                sqlx::query(
                    "INSERT INTO prices (version_id, item_kind, item_id, price_fen) VALUES ($1, $2, $3, $4)",
                )
                .bind(version)
                .bind(kind)
                .bind(id)
                .bind(1_000 + i as i64)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        }};
    }
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        load!(conn);
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        load!(conn);
    }
    Ok(())
}

fn pct(samples: &mut [Duration], p: usize) -> Duration {
    samples.sort();
    let idx = ((samples.len() * p).div_ceil(100)).saturating_sub(1);
    samples[idx.min(samples.len() - 1)]
}

fn fmt(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1_000.0)
}
