//! Test support: fresh databases for every test, on SQLite and on PostgreSQL, and a
//! server started on port 0.
//!
//! PostgreSQL tests create a database with a unique name on the local server
//! (`PITLANE_TEST_PG`, default `postgres://postgres@127.0.0.1:5432`) and drop it when the
//! [`TestDb`] is dropped, even if the test failed. `PITLANE_SKIP_POSTGRES=1` skips them.

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

    pub fn config(&self, open_publishing: bool) -> Config {
        Config {
            database_url: self.url.clone(),
            addr: "127.0.0.1:0".parse().expect("addr"),
            site_root: "target/site".into(),
            demo: true,
            open_publishing,
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

/// A running server on a free port; stops when dropped.
pub struct TestServer {
    pub base: String,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    pub async fn start(db: &TestDb, open_publishing: bool) -> TestServer {
        TestServer::start_with(db.config(open_publishing)).await
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

impl Drop for TestServer {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// Runs one async test body against both backends, as two `#[tokio::test]`s.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(db) = $crate::common::TestDb::new($crate::common::Backend::Sqlite).await {
                        super::$name(db).await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(db) = $crate::common::TestDb::new($crate::common::Backend::Postgres).await {
                        super::$name(db).await;
                    }
                }
            )*
        }
    };
}
