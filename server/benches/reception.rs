//! Reception's search as the chain grows: `search_customers` over HTTP against this
//! (release) build, as an advisor types at the counter, on SQLite and PostgreSQL, with
//! 1,000, 10,000 and 100,000 customers (each with one car) on top of the demo's 200.
//!
//! Each size runs the searches an advisor types: the last four digits of a phone, the
//! first seven, a plate without its province (4 characters), a plate with it, and a
//! search that finds nobody. Each is an index range scan (migration `0007_reception`),
//! so the time should hardly grow with the chain.
//!
//! Run: `cargo bench -p server --bench reception` (PostgreSQL as for the tests;
//! `PITLANE_SKIP_POSTGRES=1` skips it).

use std::time::{Duration, Instant};

#[path = "../tests/common/mod.rs"]
mod common;
use common::{bulk_customers_with_cars, signed_in, Backend, TestDb, TestServer, ADVISOR};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
const REQUESTS: usize = 200;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "warn");
    }
    println!("backend    customers  search            hits  p50       p95");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        for size in SIZES {
            let Some(db) = TestDb::new(backend).await else {
                continue;
            };
            let server = TestServer::start(&db).await;
            let advisor = signed_in(&server, "staff", ADVISOR).await;
            // Phones 136 and eight digits of the customer's number, plates 苏K and five.
            bulk_customers_with_cars(&db, size).await;
            let n = size / 2;
            for (what, q) in [
                ("phone, last 4", format!("{:04}", n % 10_000)),
                ("phone, first 7", format!("1360{:03}", n / 10_000 % 1000)),
                ("plate, 4 chars", format!("K{:03}", n / 100 % 1000)),
                ("plate + province", format!("苏K{:04}", n / 10 % 10_000)),
                ("nobody", "Z9Z9".to_owned()),
            ] {
                let (hits, p50, p95) = measure(&advisor, &server, &q).await?;
                println!(
                    "{:<10} {:>9}  {:<16} {:>5}  {:>8.2?}  {:>8.2?}",
                    format!("{backend:?}"),
                    size,
                    what,
                    hits,
                    p50,
                    p95
                );
            }
        }
    }
    Ok(())
}

async fn measure(
    advisor: &reqwest::Client,
    server: &TestServer,
    q: &str,
) -> anyhow::Result<(usize, Duration, Duration)> {
    let mut times = Vec::with_capacity(REQUESTS);
    let mut hits = 0;
    for _ in 0..REQUESTS {
        let started = Instant::now();
        let res = advisor
            .post(server.url("/api/search_customers"))
            .form(&[("q", q)])
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "{q}: {}", res.status());
        let body: app::reception::SearchResult = serde_json::from_str(&res.text().await?)?;
        times.push(started.elapsed());
        hits = body.hits.len();
    }
    times.sort();
    Ok((hits, times[REQUESTS / 2], times[REQUESTS * 95 / 100]))
}
