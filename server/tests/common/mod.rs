//! Test support: fresh databases for every test, on SQLite and on PostgreSQL, and a
//! server started on port 0.
//!
//! PostgreSQL tests create a database with a unique name on the local server
//! (`PITLANE_TEST_PG`, default `postgres://postgres@127.0.0.1:5432`) and drop it when the
//! [`TestDb`] is dropped, even if the test failed. `PITLANE_SKIP_POSTGRES=1` marks them
//! ignored (see `build.rs`), so the summary counts them as skipped, not passed.

#![allow(dead_code)]

use server::config::Config;
use server::live::Hub;
use server::storage::Database;
use sqlx::Connection;

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A value bound to a raw query of [`TestDb::rows`] or [`TestDb::execute`].
#[derive(Clone, Debug)]
pub enum Arg {
    Id(uuid::Uuid),
    Int(i64),
    Text(String),
    Time(time::OffsetDateTime),
}

pub struct TestDb {
    pub url: String,
    backend: Backend,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

fn pg_admin_url() -> String {
    std::env::var("PITLANE_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned())
}

/// Whether PostgreSQL tests were explicitly switched off.
pub fn skip_postgres() -> bool {
    std::env::var("PITLANE_SKIP_POSTGRES").as_deref() == Ok("1")
}

impl TestDb {
    /// A fresh database, or `None` when PostgreSQL tests are explicitly skipped.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Some(TestDb {
                    url,
                    backend,
                    pg_name: None,
                    _dir: Some(dir),
                })
            }
            Backend::Postgres => {
                if skip_postgres() {
                    eprintln!("PITLANE_SKIP_POSTGRES=1: skipping a PostgreSQL test");
                    return None;
                }
                let admin = pg_admin_url();
                let name = format!("pitlane_test_{}", uuid::Uuid::now_v7().simple());
                let mut conn = sqlx::PgConnection::connect(&format!("{admin}/postgres"))
                    .await
                    .unwrap_or_else(|e| {
                        panic!(
                            "no PostgreSQL at {admin} ({e}); set PITLANE_SKIP_POSTGRES=1 to skip"
                        )
                    });
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                Some(TestDb {
                    url: format!("{admin}/{name}"),
                    backend,
                    pg_name: Some(name),
                    _dir: None,
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Connected and migrated, with the demo data if `demo`.
    pub async fn open(&self, hub: Hub, demo: bool) -> Database {
        let db = Database::connect(&self.url, hub).await.expect("connect");
        db.migrate().await.expect("migrate");
        if demo {
            db.seed_demo(&server::demo::demo_data())
                .await
                .expect("seed");
        }
        db
    }

    /// Rows of a query run straight on the database, for checking what storage wrote.
    pub async fn rows<T>(&self, sql: &str, args: &[Arg]) -> Vec<T>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        macro_rules! run {
            ($conn:ty) => {{
                let mut conn = <$conn>::connect(&self.url).await.expect("connect");
                let mut q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql.to_owned()));
                for arg in args {
                    q = match arg {
                        Arg::Id(id) => q.bind(*id),
                        Arg::Int(n) => q.bind(*n),
                        Arg::Text(t) => q.bind(t.clone()),
                        Arg::Time(t) => q.bind(server::storage::DbTime(*t)),
                    };
                }
                q.fetch_all(&mut conn).await.expect("query")
            }};
        }
        match self.backend {
            Backend::Sqlite => run!(sqlx::SqliteConnection),
            Backend::Postgres => run!(sqlx::PgConnection),
        }
    }

    /// Runs a statement straight on the database, to set up a situation.
    pub async fn execute(&self, sql: &str, args: &[Arg]) {
        self.execute_all(&[(sql.to_owned(), args.to_vec())]).await;
    }

    /// Runs statements in order on one connection.
    pub async fn execute_all(&self, statements: &[(String, Vec<Arg>)]) {
        macro_rules! run {
            ($conn:ty) => {{
                let mut conn = <$conn>::connect(&self.url).await.expect("connect");
                for (sql, args) in statements {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                    for arg in args {
                        q = match arg {
                            Arg::Id(id) => q.bind(*id),
                            Arg::Int(n) => q.bind(*n),
                            Arg::Text(t) => q.bind(t.clone()),
                            Arg::Time(t) => q.bind(server::storage::DbTime(*t)),
                        };
                    }
                    q.execute(&mut conn).await.expect("statement");
                }
            }};
        }
        match self.backend {
            Backend::Sqlite => run!(sqlx::SqliteConnection),
            Backend::Postgres => run!(sqlx::PgConnection),
        }
    }

    /// A shelf as the database holds it: (on hand, reserved), in thousandths.
    pub async fn shelf(&self, location: domain::StoreId, part: domain::PartId) -> (u64, u64) {
        let rows: Vec<(i64, i64)> = self
            .rows(
                "SELECT on_hand_milli, reserved_milli FROM stock WHERE location_id = $1 AND part_id = $2",
                &[Arg::Id(location.as_uuid()), Arg::Id(part.as_uuid())],
            )
            .await;
        rows.first()
            .map(|&(on_hand, reserved)| (on_hand as u64, reserved as u64))
            .unwrap_or((0, 0))
    }

    /// Puts `milli` more of `part` on `location`'s shelf (a row if it had none), as a
    /// stock count recorded in the ledger would.
    pub async fn stock_up(&self, location: domain::StoreId, part: domain::PartId, milli: i64) {
        let args = vec![
            Arg::Id(location.as_uuid()),
            Arg::Id(part.as_uuid()),
            Arg::Int(milli),
        ];
        let mut count = args.clone();
        count.push(Arg::Id(uuid::Uuid::now_v7()));
        #[allow(clippy::disallowed_methods)]
        count.push(Arg::Time(time::OffsetDateTime::now_utc()));
        self.execute_all(&[
            (
                "INSERT INTO stock (location_id, part_id, on_hand_milli, reserved_milli, safety_milli)
                 VALUES ($1, $2, $3, 0, 0)
                 ON CONFLICT (location_id, part_id)
                 DO UPDATE SET on_hand_milli = stock.on_hand_milli + excluded.on_hand_milli"
                    .to_owned(),
                args,
            ),
            (
                "INSERT INTO stock_moves (id, location_id, part_id, delta_milli, kind, at)
                 VALUES ($4, $1, $2, $3, 'count', $5)"
                    .to_owned(),
                count,
            ),
        ])
        .await;
    }

    pub fn config(&self) -> Config {
        Config {
            database_url: self.url.clone(),
            addr: "127.0.0.1:0".parse().expect("addr"),
            site_root: "target/site".into(),
            demo: true,
            trusted_proxies: Vec::new(),
            https: false,
            limits: server::config::Limits {
                // The tests act as many customers from one address.
                sign_in_burst: 1_000,
                sign_up_burst: 1_000,
                ..Default::default()
            },
            jobs_every: std::time::Duration::from_millis(200),
            clock: std::sync::Arc::new(app::clock::SystemClock),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop runs outside any runtime we may block, so use a thread with its own.
        let admin = pg_admin_url();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Ok(mut conn) =
                    sqlx::PgConnection::connect(&format!("{admin}/postgres")).await
                {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await;
                }
            });
        })
        .join();
    }
}

/// The error a server function answered with.
pub fn error(body: &str) -> app::error::AppError {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not an AppError ({e}): {body}"))
}

/// A running server on a free port; stops when dropped.
pub struct TestServer {
    pub base: String,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    pub async fn start(db: &TestDb) -> TestServer {
        TestServer::start_with(db.config()).await
    }

    pub async fn start_with(config: Config) -> TestServer {
        server::telemetry::init();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let handle = server::http::start(&config, listener)
            .await
            .expect("start server");
        TestServer { base, handle }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// The demo HQ admin, who may publish prices.
pub const HQ_ADMIN: &str = "13900000001";
/// The demo service advisor of a store.
pub const ADVISOR: &str = "13900000004";
/// The demo customer with a password and a history.
pub const DEMO_CUSTOMER: &str = "13800000001";

/// A client that keeps cookies, like a browser: sign in once, then call as that person.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

/// Calls a server function with form arguments; returns the status and the body.
pub async fn call_as(
    client: &reqwest::Client,
    server: &TestServer,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (reqwest::StatusCode, String) {
    let res = client
        .post(server.url(&format!("/api/{endpoint}")))
        .form(form)
        .send()
        .await
        .expect("request");
    let status = res.status();
    (status, res.text().await.expect("body"))
}

/// The demo customer's sign-in request with the right password, with `headers` added
/// (a forwarded address, a claimed scheme); returns the raw response.
pub async fn demo_customer_sign_in(
    server: &TestServer,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    headers
        .iter()
        .fold(
            sign_in_request(&browser(), server, "customer", DEMO_CUSTOMER),
            |req, (name, value)| req.header(*name, *value),
        )
        .send()
        .await
        .expect("sign in")
}

/// The sign-in form as a browser posts it, with the demo password, from `client`.
pub fn sign_in_request(
    client: &reqwest::Client,
    server: &TestServer,
    realm: &str,
    phone: &str,
) -> reqwest::RequestBuilder {
    client.post(server.url("/api/sign_in")).form(&[
        ("realm", realm),
        ("phone", phone),
        ("password", server::demo::DEMO_PASSWORD),
    ])
}

/// A browser signed in with the demo password as `phone` (`realm` is `customer` or `staff`).
pub async fn signed_in(server: &TestServer, realm: &str, phone: &str) -> reqwest::Client {
    let client = browser();
    let (status, body) = call_as(
        &client,
        server,
        "sign_in",
        &[
            ("realm", realm),
            ("phone", phone),
            ("password", server::demo::DEMO_PASSWORD),
        ],
    )
    .await;
    assert_eq!(
        status,
        reqwest::StatusCode::OK,
        "sign-in as {phone}: {body}"
    );
    client
}

/// A browser with a new customer account, signed in; returns it with the phone number.
pub async fn new_customer(server: &TestServer) -> (reqwest::Client, String) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // 137 numbers are not in the demo data.
    let phone = format!(
        "137{:04}{:04}",
        std::process::id() % 10_000,
        NEXT.fetch_add(1, Ordering::Relaxed) % 10_000
    );
    let client = browser();
    let (status, body) = call_as(
        &client,
        server,
        "sign_up",
        &[
            ("phone", &phone),
            ("name", "测试 客户"),
            ("password", "brake-pads-7"),
        ],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK, "sign-up {phone}: {body}");
    (client, phone)
}

/// A signed-in new customer with a Toyota Corolla in the garage; returns the vehicle id.
pub async fn customer_with_car(server: &TestServer) -> (reqwest::Client, String) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let (client, _) = new_customer(server).await;
    let (status, body) = call_as(&client, server, "models", &[]).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let models: Vec<app::garage::VehicleModel> = serde_json::from_str(&body).expect("models");
    let corolla = models
        .iter()
        .find(|m| m.code == "TOY-COROLLA")
        .expect("the demo has a Corolla");
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    // 苏K: a region the demo data never uses, so no plate collides with a demo car.
    let plate = format!("苏K{}{:04}", std::process::id() % 10, n % 10_000);
    let (status, body) = call_as(
        &client,
        server,
        "add_vehicle",
        &[
            ("plate", &plate),
            ("model_id", &corolla.id.to_string()),
            ("mileage", "20000"),
        ],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let vehicle: app::garage::Vehicle = serde_json::from_str(&body).expect("vehicle");
    (client, vehicle.id.to_string())
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// The longest a storage or API test may run: the slowest (the fifty-round booking race
/// on PostgreSQL) takes about a minute here. A test that hangs fails with its name
/// instead of stalling the whole suite.
pub const TEST_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

/// Runs a test body, failing it if it takes longer than [`TEST_TIME_LIMIT`].
pub async fn within_time_limit(body: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(TEST_TIME_LIMIT, body).await.is_err() {
        panic!("the test ran for more than {TEST_TIME_LIMIT:?}: it hangs");
    }
}

/// Runs one async test body against both backends, as two `#[tokio::test]`s, each
/// within [`TEST_TIME_LIMIT`].
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(db) = $crate::common::TestDb::new($crate::common::Backend::Sqlite).await {
                        $crate::common::within_time_limit(super::$name(db)).await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                #[cfg_attr(skip_postgres, ignore = "PITLANE_SKIP_POSTGRES=1")]
                async fn $name() {
                    if let Some(db) = $crate::common::TestDb::new($crate::common::Backend::Postgres).await {
                        $crate::common::within_time_limit(super::$name(db)).await;
                    }
                }
            )*
        }
    };
}

/// The oil change's service id and total for `car`, as the booking page quotes them.
pub async fn oil_change_quote(
    server: &TestServer,
    owner: &reqwest::Client,
    car: &str,
) -> (String, String) {
    let (_, body) = call_as(owner, server, "service_quotes", &[("vehicle_id", car)]).await;
    let quotes: app::booking::QuotesView = serde_json::from_str(&body).expect("quotes");
    let oil = quotes
        .quotes
        .iter()
        .find(|q| q.service.code == "OIL_CHANGE")
        .expect("oil change");
    let total = oil.quote.as_ref().expect("priced").total.fen().to_string();
    (oil.service.id.to_string(), total)
}

/// `owner`'s oil change for `car` at `store`'s first free slot, as the booking page
/// makes it; returns the booking and the oil change's service id.
pub async fn book_oil_change(
    server: &TestServer,
    owner: &reqwest::Client,
    car: &str,
    store: uuid::Uuid,
) -> (app::booking::Booking, String) {
    let (service, total) = oil_change_quote(server, owner, car).await;
    let (_, body) = call_as(
        owner,
        server,
        "store_options",
        &[("vehicle_id", car), ("service_id", &service)],
    )
    .await;
    let options: Vec<app::booking::StoreOptionView> = serde_json::from_str(&body).expect("options");
    assert!(
        options.iter().any(|o| o.store.as_uuid() == store),
        "the store is an option"
    );
    let store = store.to_string();
    let (_, body) = call_as(
        owner,
        server,
        "store_slots",
        &[
            ("vehicle_id", car),
            ("service_id", &service),
            ("store_id", &store),
        ],
    )
    .await;
    let slots: Vec<app::booking::SlotView> = serde_json::from_str(&body).expect("slots");
    let start = slots[0]
        .start
        .format(&time::format_description::well_known::Rfc3339)
        .expect("time");
    let (status, body) = call_as(
        owner,
        server,
        "confirm_booking",
        &[
            ("vehicle_id", car),
            ("service_id", &service),
            ("store_id", &store),
            ("start", &start),
            ("expected_total", &total),
            ("idempotency_key", &uuid::Uuid::now_v7().to_string()),
        ],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    (serde_json::from_str(&body).expect("booking"), service)
}

/// `owner`'s oil change for `car` at "any store", tomorrow, all day, as the booking
/// page sends it.
pub async fn place_any_store_order(
    server: &TestServer,
    owner: &reqwest::Client,
    car: &str,
) -> app::routing::RoutedOrder {
    let (service, total) = oil_change_quote(server, owner, car).await;
    let tomorrow = (app::clock::local_today() + time::Duration::days(1)).to_string();
    let (status, body) = call_as(
        owner,
        server,
        "place_routed_order",
        &[
            ("vehicle_id", car),
            ("service_id", &service),
            ("date", &tomorrow),
            ("day_part", "all_day"),
            ("expected_total", &total),
            ("idempotency_key", &uuid::Uuid::now_v7().to_string()),
        ],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let placed: app::routing::Placed = serde_json::from_str(&body).expect("placed");
    let (status, body) = call_as(
        owner,
        server,
        "routed_order",
        &[("id", &placed.id.to_string())],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let order: app::routing::RoutedOrder = serde_json::from_str(&body).expect("routed order");
    assert_eq!(order.reference, placed.reference);
    order
}

/// Customers for benchmarks, made straight in the database (signing up `n` people over
/// HTTP would spend minutes hashing passwords): each with a Corolla and a session.
/// Returns each one's session cookie and vehicle id.
#[allow(clippy::disallowed_methods)] // sessions start now, by the real clock
pub async fn bulk_customers_with_cars(db: &TestDb, n: usize) -> Vec<(String, String)> {
    let models: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM vehicle_models WHERE code = 'TOY-COROLLA'",
            &[],
        )
        .await;
    let corolla = models.first().expect("the demo has a Corolla").0;
    let now = time::OffsetDateTime::now_utc();
    let mut out = Vec::with_capacity(n);
    // Numbers not used by an earlier call in this process (plates and phones are unique).
    static TAKEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let first = TAKEN.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    for batch in (first..first + n).collect::<Vec<_>>().chunks(400) {
        let mut customers = Vec::new();
        let mut vehicles = Vec::new();
        let mut sessions = Vec::new();
        for &i in batch {
            let (customer, vehicle) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
            let token = format!("{:064x}", uuid::Uuid::now_v7().as_u128());
            customers.push((customer, format!("136{:08}", i)));
            // 苏L: unlike `customer_with_car`'s 苏K plates, so both may run in one test.
            vehicles.push((vehicle, customer, format!("苏L{:05}", i)));
            sessions.push((app::account::session::token_hash(&token), customer));
            out.push((
                format!("{}={token}", app::account::session::SESSION_COOKIE),
                vehicle.to_string(),
            ));
        }
        let values = |columns: usize, rows: usize| {
            (0..rows)
                .map(|r| {
                    let cells: Vec<String> = (1..=columns)
                        .map(|c| format!("${}", r * columns + c))
                        .collect();
                    format!("({})", cells.join(", "))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        macro_rules! insert {
            ($conn:ty) => {{
                let mut conn = <$conn>::connect(&db.url).await.expect("connect");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO customers (id, phone, name_zh, name_en, tier, marketing_opt_out, created_at)
                     VALUES {}",
                    values(7, customers.len())
                )));
                for (id, phone) in &customers {
                    q = q
                        .bind(*id)
                        .bind(phone.clone())
                        .bind("压测 客户")
                        .bind("Load Test")
                        .bind("standard")
                        .bind(false)
                        .bind(server::storage::DbTime(now));
                }
                q.execute(&mut conn).await.expect("customers");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO vehicles (id, customer_id, model_id, plate, mileage_km, created_at) VALUES {}",
                    values(6, vehicles.len())
                )));
                for (id, customer, plate) in &vehicles {
                    q = q
                        .bind(*id)
                        .bind(*customer)
                        .bind(corolla)
                        .bind(plate.clone())
                        .bind(20_000i64)
                        .bind(server::storage::DbTime(now));
                }
                q.execute(&mut conn).await.expect("vehicles");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO sessions (token_hash, customer_id, created_at, expires_at) VALUES {}",
                    values(4, sessions.len())
                )));
                for (hash, customer) in &sessions {
                    q = q
                        .bind(hash.clone())
                        .bind(*customer)
                        .bind(server::storage::DbTime(now))
                        .bind(server::storage::DbTime(now + time::Duration::days(1)));
                }
                q.execute(&mut conn).await.expect("sessions");
            }};
        }
        match db.backend {
            Backend::Sqlite => insert!(sqlx::SqliteConnection),
            Backend::Postgres => insert!(sqlx::PgConnection),
        }
    }
    out
}

/// `(id, code, point)` of every store, by code.
pub async fn stores(db: &TestDb) -> Vec<(domain::StoreId, String, domain::geo::GeoPoint)> {
    let rows: Vec<(uuid::Uuid, String, i64, i64)> = db
        .rows(
            "SELECT id, code, lat_e6, lng_e6 FROM locations WHERE kind = 'store' ORDER BY code",
            &[],
        )
        .await;
    rows.into_iter()
        .map(|(id, code, lat, lng)| {
            let point = domain::geo::GeoPoint::new(lat as i32, lng as i32).expect("point");
            (domain::StoreId::from(id), code, point)
        })
        .collect()
}

pub async fn store(db: &TestDb, code: &str) -> (domain::StoreId, domain::geo::GeoPoint) {
    let (id, _, point) = stores(db)
        .await
        .into_iter()
        .find(|(_, c, _)| c == code)
        .expect("store");
    (id, point)
}

/// A reception staff member of `store`.
pub async fn advisor_at(db: &TestDb, store: domain::StoreId) -> domain::StaffId {
    let rows: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE location_id = $1
               AND role IN ('service_advisor', 'store_manager') ORDER BY phone",
            &[Arg::Id(store.as_uuid())],
        )
        .await;
    domain::StaffId::from(rows[0].0)
}
