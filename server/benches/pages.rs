//! Server-rendered pages under load, against a reference: the same page's data read
//! through the same storage and rendered by a minimal axum handler with a plain
//! `format!` template, in the same run on the same machine.
//!
//! For each page (`/`, `/book` signed in as the demo customer, `/kiosk` signed in as a
//! service advisor, `/hq` signed in as HQ operations): `CLIENTS` clients on kept-alive
//! connections request it for `SECONDS`, after a warm-up; the figures are requests per
//! second and the 50th and 99th percentile latency, for Pitlane and for the reference,
//! and the ratio of their rates. Also the second request on one kept-alive connection,
//! the case TCP_NODELAY is for.
//!
//! Run: `cargo bench -p server --bench pages` (SQLite with the demo data; the client
//! runs in the same process, on the same two cores, for both).

#![allow(clippy::disallowed_methods)] // a benchmark reads the real clock

use std::time::{Duration, Instant};

use app::storage::Storages;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use domain::Principal;

#[path = "../tests/common/mod.rs"]
mod common;
use common::{signed_in, Backend, TestDb, TestServer, ADVISOR, DEMO_CUSTOMER, HQ_ADMIN};

const CLIENTS: usize = 10;
const SECONDS: u64 = 5;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "warn");
    }
    let Some(db) = TestDb::new(Backend::Sqlite).await else {
        return Ok(());
    };
    let server = TestServer::start(&db).await;
    let store = db.open(server::live::Hub::new(), false).await.storages();
    let reference = start_reference(store).await?;

    println!(
        "{CLIENTS} clients, kept-alive connections, {SECONDS} s per page, SQLite with the demo data\n"
    );
    println!(
        "page      who        pitlane req/s   p50      p99     reference req/s   p50      p99     ratio"
    );
    for (path, who, phone) in [
        ("/", "anyone", None),
        ("/book", "customer", Some(("customer", DEMO_CUSTOMER))),
        ("/kiosk", "advisor", Some(("staff", ADVISOR))),
        ("/hq", "hq", Some(("staff", HQ_ADMIN))),
    ] {
        let mut clients = Vec::new();
        for _ in 0..CLIENTS {
            clients.push(match phone {
                Some((realm, phone)) => signed_in(&server, realm, phone).await,
                None => common::browser(),
            });
        }
        // The reference reads the session from the same cookie jar's token.
        let ours = load(&clients, &server.url(path)).await?;
        let theirs = load(&clients, &format!("{reference}{path}")).await?;
        println!(
            "{path:<9} {who:<10} {:>13.0}  {:>7}  {:>7}  {:>15.0}  {:>7}  {:>7}  {:>5.2}",
            ours.rate,
            fmt(ours.p50),
            fmt(ours.p99),
            theirs.rate,
            fmt(theirs.p50),
            fmt(theirs.p99),
            ours.rate / theirs.rate,
        );
    }

    // Two requests on one kept-alive connection: the second must not wait for a delayed
    // ACK (about 40 ms without TCP_NODELAY).
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()?;
    let mut seconds = Vec::new();
    for _ in 0..20 {
        client.get(server.url("/")).send().await?.bytes().await?;
        let t = Instant::now();
        client.get(server.url("/")).send().await?.bytes().await?;
        seconds.push(t.elapsed());
    }
    seconds.sort();
    println!(
        "\nsecond request on a kept-alive connection to /: median {} (20 pairs)",
        fmt(seconds[seconds.len() / 2])
    );
    Ok(())
}

struct Figures {
    rate: f64,
    p50: Duration,
    p99: Duration,
}

/// Every client requests `url` in a loop for the measured period (after one second of
/// warm-up); each keeps its connection alive.
async fn load(clients: &[reqwest::Client], url: &str) -> anyhow::Result<Figures> {
    let run = |period: Duration| {
        let tasks: Vec<_> = clients
            .iter()
            .cloned()
            .map(|client| {
                let url = url.to_owned();
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    let end = Instant::now() + period;
                    while Instant::now() < end {
                        let t = Instant::now();
                        let res = client.get(&url).send().await?;
                        anyhow::ensure!(res.status().is_success(), "{url}: {}", res.status());
                        res.bytes().await?;
                        latencies.push(t.elapsed());
                    }
                    Ok::<_, anyhow::Error>(latencies)
                })
            })
            .collect();
        async move {
            let mut all = Vec::new();
            for t in futures::future::join_all(tasks).await {
                all.extend(t??);
            }
            Ok::<_, anyhow::Error>(all)
        }
    };
    run(Duration::from_secs(1)).await?;
    let started = Instant::now();
    let mut latencies = run(Duration::from_secs(SECONDS)).await?;
    let wall = started.elapsed();
    latencies.sort();
    let pct = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    Ok(Figures {
        rate: latencies.len() as f64 / wall.as_secs_f64(),
        p50: pct(50),
        p99: pct(99),
    })
}

fn fmt(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

// ---- the reference: same data, same storage calls, a plain template ----

type Db = Storages;

async fn start_reference(store: Db) -> anyhow::Result<String> {
    let app = axum::Router::new()
        .route("/", get(home))
        .route("/book", get(book))
        .route("/kiosk", get(kiosk))
        .route("/hq", get(hq))
        .with_state(store);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(base)
}

fn page(body: String) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>Pitlane</title>\
         <link rel=\"stylesheet\" href=\"/pkg/pitlane.css\"></head><body><main>{body}</main></body></html>"
    ))
}

async fn who(store: &Db, headers: &HeaderMap) -> Option<Principal> {
    let cookie = headers.get("cookie")?.to_str().ok()?;
    let token = cookie.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == app::account::session::SESSION_COOKIE).then_some(value)
    })?;
    let me = store
        .accounts
        .session(&app::account::session::token_hash(token), None)
        .await
        .ok()??;
    Some(me.principal)
}

async fn price_list(store: &Db) -> String {
    let (Ok(list), Ok(services)) = (
        store.prices.current_price_list().await,
        store.prices.services().await,
    ) else {
        return String::new();
    };
    let rows: String = list
        .on_sale(services, |s| s.id)
        .into_iter()
        .map(|(s, price)| {
            format!(
                "<li data-service=\"{}\"><h3>{}</h3><p>{}</p><span class=\"price\">{price}</span></li>",
                s.code, s.name_zh, s.description_zh
            )
        })
        .collect();
    format!("<h1>服务价目表</h1><ul>{rows}</ul>")
}

async fn home(State(store): State<Db>) -> Html<String> {
    page(price_list(&store).await)
}

async fn book(State(store): State<Db>, headers: HeaderMap) -> Html<String> {
    let Some(Principal::Customer { id }) = who(&store, &headers).await else {
        return page("<p>请先登录</p>".into());
    };
    let vehicles = store.garage.vehicles(id).await.unwrap_or_default();
    let Some(first) = vehicles.first() else {
        return page("<p>请先添加车辆</p>".into());
    };
    let (Ok(list), Ok(services), Ok(policies), Ok(parts), Ok(tier)) = (
        store.prices.current_price_list().await,
        store.prices.services().await,
        store.policies.discount_policies().await,
        store.booking.service_parts(first.model.id).await,
        store.accounts.tier(id).await,
    ) else {
        return page(String::new());
    };
    let now = time::OffsetDateTime::now_utc();
    let options: String = vehicles
        .iter()
        .map(|v| format!("<option value=\"{}\">{}</option>", v.id, v.plate))
        .collect();
    let rows: String = list
        .on_sale(services, |s| s.id)
        .into_iter()
        .filter_map(|(s, _)| {
            let needs = parts.iter().find(|(id, _)| *id == s.id)?.1.as_ref().ok()?;
            let pairs: Vec<_> = needs.iter().map(|n| (n.part, n.quantity)).collect();
            let b = domain::breakdown::breakdown(&list, s.id, &pairs, tier, &policies, now).ok()?;
            Some(format!(
                "<li data-service=\"{}\"><button>{} {} 分钟 <span class=\"total\">{}</span></button></li>",
                s.code, s.name_zh, s.duration_min, b.total
            ))
        })
        .collect();
    page(format!(
        "<h1>预约服务</h1><select>{options}</select><ul>{rows}</ul>"
    ))
}

async fn kiosk(State(store): State<Db>, headers: HeaderMap) -> Html<String> {
    if who(&store, &headers).await.is_none() {
        return page("<p>员工登录</p>".into());
    }
    let models: String = store
        .garage
        .vehicle_models()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|m| format!("<option value=\"{}\">{}</option>", m.id, m.code))
        .collect();
    page(format!(
        "<select>{models}</select>{}",
        price_list(&store).await
    ))
}

async fn hq(State(store): State<Db>, headers: HeaderMap) -> Html<String> {
    if who(&store, &headers).await.is_none() {
        return page("<p>员工登录</p>".into());
    }
    page(price_list(&store).await)
}
