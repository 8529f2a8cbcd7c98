//! The nightly recomputation of every customer's lifecycle stage and value class
//! ([`app::lifecycle::StandingStorage::recompute_all`]) as the chain grows: 10,000 and
//! 100,000 customers with ten orders each (100,000 and 1,000,000 events), on SQLite and
//! PostgreSQL.
//!
//! Each size is timed three times: the first run (every customer's standing computed
//! and written, with its history row), a second run at the same instant (nothing
//! changed, nothing written: what most nights cost), and a run a year later (most
//! customers move on: lapsed or lost, classes fall).
//!
//! On the same chain it then times HQ's live count of a few typical segments
//! ([`app::campaigns::CampaignStorage::count`], SQL) and a campaign's start over every
//! customer ([`app::campaigns::CampaignStorage::start`], the domain's rule asked of each).
//!
//! Run: `cargo bench -p server --bench standing` (PostgreSQL as for the tests;
//! `PITLANE_SKIP_POSTGRES=1` skips it).

use std::time::Instant;

#[path = "../tests/common/mod.rs"]
mod common;
use common::{Backend, TestDb};
use server::live::Hub;
use time::{Duration, OffsetDateTime};

const SIZES: [usize; 2] = [10_000, 100_000];
const ORDERS_PER_CUSTOMER: usize = 10;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "warn");
    }
    println!(
        "backend    customers  orders     run            changed   time       per 1k customers"
    );
    for backend in [Backend::Sqlite, Backend::Postgres] {
        for size in SIZES {
            let Some(db) = TestDb::new(backend).await else {
                continue;
            };
            let database = db.open(Hub::new(), true).await;
            let now = OffsetDateTime::from_unix_timestamp(1_798_761_600)?; // 2027-01-01
            fill(&db, size, now).await;
            let standing = database.storages().standing;
            for (run, at) in [
                ("first", now),
                ("again", now),
                ("a year on", now + Duration::days(365)),
            ] {
                let started = Instant::now();
                let done = standing.recompute_all(at).await?;
                let took = started.elapsed();
                println!(
                    "{:<10} {:>9}  {:>9}  {:<12} {:>9}   {:>8.2?}   {:>8.2?}",
                    format!("{backend:?}"),
                    done.customers,
                    size * ORDERS_PER_CUSTOMER,
                    run,
                    done.changed,
                    took,
                    took / (done.customers / 1000).max(1),
                );
            }
            // Segments on the same chain: HQ's live count (SQL) for a few typical
            // segments, and a campaign's start (every customer read, the domain's rule
            // asked of each, the recipients written).
            let campaigns = database.storages().campaigns;
            let at = now + Duration::days(365);
            for (run, segment) in segments() {
                let started = Instant::now();
                let count = campaigns.count(&segment, at).await?;
                let took = started.elapsed();
                line(backend, size, run, count.total().customers, took);
            }
            let hq: Vec<(uuid::Uuid,)> = db
                .rows(
                    "SELECT id FROM staff WHERE role = 'hq_admin' ORDER BY phone LIMIT 1",
                    &[],
                )
                .await;
            let started = Instant::now();
            let id = campaigns
                .start(
                    &app::campaigns::Draft {
                        segment: domain::segments::Segment::default(),
                        message: domain::campaigns::Message::parse("冬季保养", "Winter servicing")?,
                        channel: domain::campaigns::Channel::Sms,
                        attribution: domain::campaigns::AttributionDays::DEFAULT,
                        key: domain::IdempotencyKey::parse(&uuid::Uuid::now_v7().to_string())?,
                    },
                    None,
                    domain::StaffId::from(hq[0].0),
                    at,
                )
                .await?;
            let took = started.elapsed();
            let recipients: Vec<(i64,)> = db
                .rows(
                    "SELECT COUNT(*) FROM campaign_recipients WHERE campaign_id = $1",
                    &[common::Arg::Id(id.as_uuid())],
                )
                .await;
            line(
                backend,
                size,
                "start: all",
                u32::try_from(recipients[0].0)?,
                took,
            );
        }
    }
    Ok(())
}

fn line(backend: Backend, size: usize, run: &str, customers: u32, took: std::time::Duration) {
    println!(
        "{:<10} {:>9}  {:>9}  {:<12} {:>9}   {:>8.2?}   {:>8.2?}",
        format!("{backend:?}"),
        size,
        size * ORDERS_PER_CUSTOMER,
        run,
        customers,
        took,
        took / u32::try_from(size / 1000).unwrap_or(1).max(1),
    );
}

/// Typical segments: everyone; the active A and B customers; lapsed customers not seen
/// for half a year; a petrol car with a service due within a month.
fn segments() -> Vec<(&'static str, domain::segments::Segment)> {
    use domain::lifecycle::{Stage, ValueClass};
    use domain::segments::{Days, LastVisit, Powertrain, Segment};
    let days = |n| Days::new(n).expect("days");
    vec![
        ("count: all", Segment::default()),
        (
            "count: A/B",
            Segment {
                stages: [Stage::Active].into(),
                classes: [ValueClass::A, ValueClass::B].into(),
                ..Segment::default()
            },
        ),
        (
            "count: lapsed",
            Segment {
                last_visit: Some(LastVisit::NotSince(days(180))),
                ..Segment::default()
            },
        ),
        (
            "count: due",
            Segment {
                powertrains: [Powertrain::Petrol].into(),
                due_within: Some(days(30)),
                ..Segment::default()
            },
        ),
    ]
}

/// `size` customers, each with a car and ten handed-over orders spread over the two
/// years before `now`, written by the database itself (a recursive count on SQLite,
/// `generate_series` on PostgreSQL).
async fn fill(db: &TestDb, size: usize, now: OffsetDateTime) {
    let n = i64::try_from(size).expect("size");
    let per = i64::try_from(ORDERS_PER_CUSTOMER).expect("orders");
    let model: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM vehicle_models WHERE code = 'TOY-COROLLA'",
            &[],
        )
        .await;
    let store: Vec<(uuid::Uuid,)> = db
        .rows("SELECT id FROM locations WHERE code = 'HZ-XH'", &[])
        .await;
    let at = server::storage::DbTime(now - Duration::days(730));
    let (model, store) = (model[0].0, store[0].0);
    let sqlite = db.url.starts_with("sqlite");
    // Ids from the counter: customer i is 0xB0..i, its car 0xB1..i, its orders 0xB2..(i*per+k).
    let series = |count: &str| {
        if sqlite {
            format!("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {count}) SELECT i FROM s")
        } else {
            format!("SELECT generate_series(1, {count}) AS i")
        }
    };
    let id = |prefix: &str, expr: &str| {
        if sqlite {
            format!("unhex('{prefix}' || printf('%030x', {expr}))")
        } else {
            format!("('{prefix}' || lpad(to_hex({expr}), 30, '0'))::uuid")
        }
    };
    // The last `n` digits of `i`, zero-padded.
    let digits = |n: usize| {
        if sqlite {
            format!("substr('0000000000' || i, -{n}, {n})")
        } else {
            format!("right(repeat('0', {n}) || i::text, {n})")
        }
    };
    let time = |days: &str| {
        if sqlite {
            format!("strftime('%Y-%m-%dT%H:%M:%S.000000Z', $1, '+' || ({days}) || ' days')")
        } else {
            format!("$1::timestamptz + ({days}) * interval '1 day'")
        }
    };
    let statements = [
        format!(
            "INSERT INTO customers (id, phone, name_zh, name_en, tier, marketing_opt_out, created_at)
             SELECT {}, '135' || {}, '测试', 'Bench', 'standard', FALSE, {}
             FROM ({}) s",
            id("b0", "i"),
            digits(8),
            time("0"),
            series(&n.to_string())
        ),
        format!(
            "INSERT INTO vehicles (id, customer_id, model_id, plate, mileage_km, created_at)
             SELECT {}, {}, $2, '苏Z' || {}, 10000, {}
             FROM ({}) s",
            id("b1", "i"),
            id("b0", "i"),
            digits(5),
            time("0"),
            series(&n.to_string())
        ),
        format!(
            "INSERT INTO orders (id, reference, customer_id, vehicle_id, store_id, channel, status,
                price_list_version, total_fen, mileage_km, created_at, completed_at)
             SELECT {}, 'BENCH-' || i, {}, {}, $3, 'walk_in', 'handed_over', 1,
                    20000 + (i % 97) * 1000, 10000, {}, {}
             FROM ({}) s",
            id("b2", "i"),
            id("b0", &format!("(i - 1) / {per} + 1")),
            id("b1", &format!("(i - 1) / {per} + 1")),
            time("((i % 730) * 619) % 730"),
            time("((i % 730) * 619) % 730"),
            series(&(n * per).to_string())
        ),
    ];
    for sql in statements {
        db.execute(
            &sql,
            &[
                common::Arg::Time(at.0),
                common::Arg::Id(model),
                common::Arg::Id(store),
            ],
        )
        .await;
    }
}
