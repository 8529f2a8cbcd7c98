//! `server backup` and `server restore`: a consistent copy of the database taken while the
//! server keeps serving writes, and its restore into an empty database.
//!
//! - **SQLite**: `VACUUM INTO` writes the database as one read transaction sees it; in
//!   WAL mode writers carry on meanwhile, and a booking committed after the copy began is
//!   simply not in it. Restore opens the copy read-only and `VACUUM INTO`s the target.
//! - **PostgreSQL**: `pg_dump --format=custom` reads every table in one
//!   repeatable-read snapshot, so the dump is the database at one instant however many
//!   bookings commit meanwhile; `pg_restore --single-transaction` loads it, all or
//!   nothing. Both tools come with the PostgreSQL client (`postgresql-client`).
//!
//! A backup never overwrites a file, and a restore refuses a database that has tables:
//! neither can destroy data by a slip of the command line.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::Connection;

/// What can stop a backup or a restore.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; a backup never overwrites a file")]
    TargetExists(PathBuf),
    #[error("{0} does not exist")]
    NoBackup(PathBuf),
    #[error(
        "the database to restore into already has tables; restore only into an empty database"
    )]
    NotEmpty,
    #[error("the database URL is neither sqlite:// nor postgres://")]
    UnknownDatabase,
    #[error("the database failed")]
    Database(#[from] sqlx::Error),
    #[error("{tool} failed: {message}")]
    Tool { tool: &'static str, message: String },
    #[error("cannot run {tool}; is the PostgreSQL client installed?")]
    ToolMissing {
        tool: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("file error")]
    Io(#[from] std::io::Error),
}

/// A finished backup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    /// Size of the backup file in bytes.
    pub bytes: u64,
    /// How long it took.
    pub took: Duration,
}

fn is_sqlite(url: &str) -> Result<bool, BackupError> {
    if url.starts_with("sqlite:") {
        Ok(true)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(false)
    } else {
        Err(BackupError::UnknownDatabase)
    }
}

/// Writes a consistent copy of the database at `url` to `to`, a file that must not
/// exist yet.
#[tracing::instrument(skip(url), err)]
pub async fn backup(url: &str, to: &Path) -> Result<Taken, BackupError> {
    if to.exists() {
        return Err(BackupError::TargetExists(to.to_owned()));
    }
    let started = Instant::now();
    if is_sqlite(url)? {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        sqlx::query("VACUUM INTO $1")
            .bind(to.to_string_lossy().into_owned())
            .execute(&mut conn)
            .await?;
        conn.close().await?;
    } else {
        run(
            "pg_dump",
            &[
                "--format=custom",
                "--no-owner",
                &format!("--file={}", to.display()),
                &format!("--dbname={url}"),
            ],
        )
        .await?;
    }
    Ok(Taken {
        bytes: std::fs::metadata(to)?.len(),
        took: started.elapsed(),
    })
}

/// Restores the backup `from` into the empty database at `url`.
#[tracing::instrument(skip(url), err)]
pub async fn restore(url: &str, from: &Path) -> Result<(), BackupError> {
    if !from.exists() {
        return Err(BackupError::NoBackup(from.to_owned()));
    }
    if is_sqlite(url)? {
        let target = sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
        let target = target.get_filename().to_owned();
        if target.exists() {
            let mut conn = sqlx::SqliteConnection::connect(url).await?;
            let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master")
                .fetch_one(&mut conn)
                .await?;
            conn.close().await?;
            if tables > 0 {
                return Err(BackupError::NotEmpty);
            }
            // An empty database file still has a header; VACUUM INTO wants no file.
            for suffix in ["", "-wal", "-shm"] {
                let mut path = target.clone().into_os_string();
                path.push(suffix);
                match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                    _ => {}
                }
            }
        }
        let source = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(from)
            .read_only(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&source).await?;
        sqlx::query("VACUUM INTO $1")
            .bind(target.to_string_lossy().into_owned())
            .execute(&mut conn)
            .await?;
        conn.close().await?;
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let tables: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .fetch_one(&mut conn)
        .await?;
        conn.close().await?;
        if tables > 0 {
            return Err(BackupError::NotEmpty);
        }
        run(
            "pg_restore",
            &[
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                &format!("--dbname={url}"),
                &from.to_string_lossy(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Runs one of PostgreSQL's client tools; its error output becomes the error.
async fn run(tool: &'static str, args: &[&str]) -> Result<(), BackupError> {
    let out = tokio::process::Command::new(tool)
        .args(args)
        .output()
        .await
        .map_err(|source| BackupError::ToolMissing { tool, source })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool {
            tool,
            message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }
}
