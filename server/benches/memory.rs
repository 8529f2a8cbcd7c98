//! Memory under a burst of password work: 500 sign-ins and 500 sign-ups at once, each
//! from its own address (through a trusted proxy, so the per-address limits do not
//! refuse them first). Every one needs an argon2 hash of 19 MiB; the server runs at most
//! one per core with a short queue and answers the rest "busy, try again".
//!
//! Prints the resident memory of this process (server and client together) when idle,
//! its peak during the burst (`VmHWM`, reset before the burst), and after the client has
//! closed its connections; and how the attempts were answered. A burst of 500 health
//! checks first shows what 500 connections cost by themselves (on both sides).
//!
//! Run: `cargo bench -p server --bench memory` (Linux: reads `/proc/self/status`).

use std::collections::BTreeMap;
use std::time::Duration;

#[path = "../tests/common/mod.rs"]
mod common;
use common::{Backend, TestDb, TestServer, DEMO_CUSTOMER};

const ATTEMPTS: usize = 500;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let Some(db) = TestDb::new(Backend::Sqlite).await else {
        return Ok(());
    };
    let mut config = db.config();
    config.trusted_proxies = server::config::parse_proxies("127.0.0.1")?;
    let server = TestServer::start_with(config).await;
    // Warm: one sign-in, so lazily built state is there before "idle" is read.
    attempt(&reqwest::Client::new(), &server, "sign_in", 0).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = kib("VmRSS")?;

    println!("{ATTEMPTS} requests at once, each from its own address\n");
    for kind in ["healthz", "sign_in", "sign_up"] {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(ATTEMPTS)
            .build()?;
        reset_peak()?;
        let started = std::time::Instant::now();
        let answers =
            futures::future::join_all((1..=ATTEMPTS).map(|i| attempt(&client, &server, kind, i)))
                .await;
        let wall = started.elapsed();
        let peak = kib("VmHWM")?;
        let mut by_status = BTreeMap::new();
        for a in answers {
            *by_status.entry(a?).or_insert(0) += 1;
        }
        drop(client);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = kib("VmRSS")?;
        println!(
            "{kind:<8} idle {:>6.1} MiB   peak {:>6.1} MiB   after {:>6.1} MiB   {:.2} s   answers {by_status:?}",
            mib(idle),
            mib(peak),
            mib(after),
            wall.as_secs_f64()
        );
    }
    Ok(())
}

/// One attempt from address 10.x.y.z; returns the HTTP status.
async fn attempt(
    client: &reqwest::Client,
    server: &TestServer,
    kind: &str,
    i: usize,
) -> anyhow::Result<u16> {
    let addr = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    let phone = format!("1350000{:04}", i % 10_000);
    let form: Vec<(&str, &str)> = match kind {
        "sign_in" => vec![
            ("realm", "customer"),
            ("phone", DEMO_CUSTOMER),
            ("password", server::demo::DEMO_PASSWORD),
        ],
        _ => vec![
            ("phone", &phone),
            ("name", "压测 用户"),
            ("password", "brake-pads-7"),
        ],
    };
    let request = if kind == "healthz" {
        client.get(server.url("/healthz"))
    } else {
        client.post(server.url(&format!("/api/{kind}"))).form(&form)
    };
    let res = request.header("x-forwarded-for", addr).send().await?;
    Ok(res.status().as_u16())
}

/// A line of `/proc/self/status`, in KiB.
fn kib(field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no {field} in /proc/self/status"))
}

/// Resets the peak resident size (`VmHWM`) to the current one.
fn reset_peak() -> anyhow::Result<()> {
    std::fs::write("/proc/self/clear_refs", "5")?;
    Ok(())
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
