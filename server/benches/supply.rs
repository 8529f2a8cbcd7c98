//! The replenishment run as the chain grows: stores × SKUs, each with 90 days of
//! consumption history, on SQLite and PostgreSQL. The bar is the chain's full
//! size, 50 stores × 5,000 SKUs, in at most 2 seconds.
//!
//! A run is three parts, each timed: reading every position (stock, what is arriving,
//! the history, known demand; [`app::supply::SupplyStorage::positions`]), the domain's
//! plan over them ([`app::supply::plan`], on every core), and saving the proposal's lines
//! ([`app::supply::SupplyStorage::save_proposal`]). The sizes vary stores and SKUs
//! separately, so the table shows how each grows.
//!
//! The chain is synthetic: one warehouse and the stores around Hangzhou; every store
//! stocks every SKU (0 to 40 units, safety stock 2 to 8); a store uses a given SKU on
//! about one day in twelve (1 to 3 units), so a full chain holds about 1.9 million
//! days of use. Once filled, the database is settled as a running chain's is
//! ([`settle`]) before anything is timed.
//!
//! Run: `cargo bench -p server --bench supply` (PostgreSQL as for the tests;
//! `PITLANE_SKIP_POSTGRES=1` skips it).

use std::time::Instant;

#[path = "../tests/common/mod.rs"]
mod common;
use common::{Arg, Backend, TestDb};
use server::live::Hub;
use time::OffsetDateTime;

/// (stores, SKUs).
const SIZES: [(usize, usize); 4] = [(10, 1_000), (50, 1_000), (10, 5_000), (50, 5_000)];
const HISTORY_DAYS: u16 = 90;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "warn");
    }
    // 2026-12-07 01:00 UTC, 09:00 in Hangzhou.
    let now = OffsetDateTime::from_unix_timestamp(1_796_605_200)?;
    println!("backend    stores   SKUs  positions  days of use   read       plan       save     lines   total");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        for (stores, skus) in SIZES {
            let Some(db) = TestDb::new(backend).await else {
                continue;
            };
            let database = db.open(Hub::new(), false).await;
            let days_of_use = fill(&db, backend, stores, skus, now).await;
            let supply = database.storages().supply;
            let policy = domain::supply::Policy::default();
            let started = Instant::now();
            let read = supply
                .positions(now, HISTORY_DAYS, app::supply::AHEAD_DAYS)
                .await?;
            let read_took = started.elapsed();
            let positions = read.positions.len();
            let input = domain::supply::PlanInput {
                now,
                today: domain::local_time::local_date(now),
                sites: read.sites,
                sourcing: read.sourcing,
                positions: read.positions,
                policy: policy.clone(),
                schedule: domain::stock::DeliverySchedule::default(),
            };
            let started = Instant::now();
            let proposal = app::supply::plan(input).await;
            let plan_took = started.elapsed();
            let staff = staff(&db).await;
            let started = Instant::now();
            supply
                .save_proposal(
                    &policy,
                    &proposal.lines,
                    app::supply::RunBy::Staff(staff),
                    now,
                )
                .await?;
            let save_took = started.elapsed();
            println!(
                "{:<10} {:>6} {:>6} {:>10} {:>12}   {:>8.2?} {:>8.2?} {:>8.2?} {:>7}   {:>8.2?}",
                format!("{backend:?}"),
                stores,
                skus,
                positions,
                days_of_use,
                read_took,
                plan_took,
                save_took,
                proposal.lines.len(),
                read_took + plan_took + save_took,
            );
        }
    }
    Ok(())
}

/// One HQ supply staff member, who runs the proposal.
async fn staff(db: &TestDb) -> domain::StaffId {
    let id = uuid::Uuid::now_v7();
    db.execute(
        "INSERT INTO staff (id, location_id, phone, name_zh, name_en, role)
         VALUES ($1, NULL, '13900009999', '计划员', 'Bench Planner', 'hq_supply')",
        &[Arg::Id(id)],
    )
    .await;
    domain::StaffId::from(id)
}

/// Brings a freshly filled database to the state a running chain's is in: statistics
/// gathered, and on PostgreSQL the fill's dead weight vacuumed and checkpointed, so that
/// the timed run does not share the machine with autovacuum catching up on millions of
/// new rows or pay a checkpoint's full-page writes.
async fn settle(db: &TestDb, backend: Backend) {
    match backend {
        Backend::Sqlite => db.execute("ANALYZE", &[]).await,
        Backend::Postgres => {
            db.execute("VACUUM ANALYZE", &[]).await;
            db.execute("CHECKPOINT", &[]).await;
        }
    }
}

/// Fills a fresh database with the chain; returns how many days of use it holds.
async fn fill(
    db: &TestDb,
    backend: Backend,
    stores: usize,
    skus: usize,
    now: OffsetDateTime,
) -> i64 {
    let mut statements: Vec<(String, Vec<Arg>)> = Vec::new();
    let mut locations = Vec::new();
    for i in 0..=stores {
        let kind = if i == 0 { "warehouse" } else { "store" };
        let lat = 30_259_000 + i64::try_from(i % 10).unwrap_or(0) * 20_000 - 100_000;
        let lng = 120_155_000 + i64::try_from(i / 10).unwrap_or(0) * 20_000 - 50_000;
        locations.push((
            format!(
                "INSERT INTO locations (id, code, kind, name_zh, name_en, address_zh, address_en,
                     lat_e6, lng_e6, bays, phone)
                 VALUES ($1, $2, '{kind}', $2, $2, '杭州', 'Hangzhou', $3, $4, 4, '0571-0000 0000')"
            ),
            vec![
                Arg::Id(uuid::Uuid::now_v7()),
                Arg::Text(format!("B-{i:03}")),
                Arg::Int(lat),
                Arg::Int(lng),
            ],
        ));
    }
    statements.extend(locations);
    let category = uuid::Uuid::now_v7();
    statements.push((
        "INSERT INTO part_categories (id, code, name_zh, name_en, unit_zh, unit_en)
         VALUES ($1, 'BENCH', '零件', 'Part', '个', 'pc')"
            .to_owned(),
        vec![Arg::Id(category)],
    ));
    let mut suppliers = Vec::new();
    for s in 0..5 {
        let id = uuid::Uuid::now_v7();
        suppliers.push(id);
        statements.push((
            "INSERT INTO suppliers (id, code, name_zh, name_en, phone) VALUES ($1, $2, $2, $2, '0')"
                .to_owned(),
            vec![Arg::Id(id), Arg::Text(format!("S-{s}"))],
        ));
    }
    db.execute_all(&statements).await;
    // Parts and their sourcing, 100 to a statement.
    let mut statements = Vec::new();
    for chunk in (0..skus).collect::<Vec<_>>().chunks(100) {
        let mut parts_sql =
            String::from("INSERT INTO parts (id, sku, category_id, name_zh, name_en) VALUES ");
        let mut sourcing_sql = String::from(
            "INSERT INTO part_sourcing (part_id, supplier_id, lead_days, min_order_milli, pack_milli) VALUES ",
        );
        let mut parts_args = vec![Arg::Id(category)];
        let mut sourcing_args = Vec::new();
        for (n, &p) in chunk.iter().enumerate() {
            let id = uuid::Uuid::now_v7();
            if n > 0 {
                parts_sql.push_str(", ");
                sourcing_sql.push_str(", ");
            }
            let a = parts_args.len();
            parts_sql.push_str(&format!(
                "(${}, ${}, $1, ${}, ${})",
                a + 1,
                a + 2,
                a + 2,
                a + 2
            ));
            parts_args.push(Arg::Id(id));
            parts_args.push(Arg::Text(format!("SKU-{p:05}")));
            let b = sourcing_args.len();
            sourcing_sql.push_str(&format!(
                "(${}, ${}, {}, {}, {})",
                b + 1,
                b + 2,
                3 + p % 5,
                (p % 4) * 6000,
                (1 + p % 3) * 2000
            ));
            sourcing_args.push(Arg::Id(id));
            sourcing_args.push(Arg::Id(suppliers[p % suppliers.len()]));
        }
        statements.push((parts_sql, parts_args));
        statements.push((sourcing_sql, sourcing_args));
    }
    db.execute_all(&statements).await;
    let today = domain::local_time::local_date(now);
    let (stock, use_sql) = match backend {
        Backend::Sqlite => (
            "INSERT INTO stock (location_id, part_id, on_hand_milli, reserved_milli, safety_milli)
             SELECT l.id, p.id,
                    CASE WHEN l.kind = 'warehouse' THEN (100 + abs(random()) % 300) ELSE abs(random()) % 41 END * 1000,
                    0, (2 + abs(random()) % 7) * 1000
             FROM locations l CROSS JOIN parts p",
            "WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 90)
             INSERT INTO consumption_history (location_id, part_id, uses)
             SELECT location_id, part_id, group_concat(day || ':' || milli, ',')
             FROM (SELECT l.id AS location_id, p.id AS part_id,
                          CAST(julianday($1) - 2440587.5 AS INTEGER) - d.n AS day,
                          (1 + abs(random()) % 3) * 1000 AS milli
                   FROM locations l CROSS JOIN parts p CROSS JOIN d
                   -- `d.n` keeps the draw a day's: SQLite would otherwise draw once a
                   -- position, giving a twelfth of them every day and the rest none.
                   WHERE l.kind = 'store' AND (abs(random()) + 0 * d.n) % 12 = 0)
             GROUP BY location_id, part_id",
        ),
        Backend::Postgres => (
            "INSERT INTO stock (location_id, part_id, on_hand_milli, reserved_milli, safety_milli)
             SELECT l.id, p.id,
                    CASE WHEN l.kind = 'warehouse' THEN 100 + floor(random() * 300) ELSE floor(random() * 41) END * 1000,
                    0, (2 + floor(random() * 7)) * 1000
             FROM locations l CROSS JOIN parts p",
            "WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 90)
             INSERT INTO consumption_history (location_id, part_id, uses)
             SELECT location_id, part_id, string_agg(day || ':' || milli, ',' ORDER BY day)
             FROM (SELECT l.id AS location_id, p.id AS part_id,
                          CAST($1 AS DATE) - DATE '1970-01-01' - d.n AS day,
                          (1 + floor(random() * 3)) * 1000 AS milli
                   FROM locations l CROSS JOIN parts p CROSS JOIN d
                   WHERE l.kind = 'store' AND random() < 1.0 / 12) AS used
             GROUP BY location_id, part_id",
        ),
    };
    db.execute_all(&[
        (stock.to_owned(), Vec::new()),
        (use_sql.to_owned(), vec![Arg::Text(today.to_string())]),
    ])
    .await;
    settle(db, backend).await;
    let days: Vec<(i64,)> = db
        .rows(
            "SELECT CAST(SUM(length(uses) - length(replace(uses, ',', '')) + 1) AS BIGINT)
             FROM consumption_history",
            &[],
        )
        .await;
    days[0].0
}
