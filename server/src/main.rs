//! The `server` binary: `serve` (the default), `migrate`, `seed --demo`, and data
//! administration: `import <kind> <file>`, `export <kind>`, `backup <file>` and
//! `restore <file>`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use server::config::Config;
use server::live::Hub;
use server::storage::Database;

#[derive(Parser)]
#[command(
    name = "pitlane",
    about = "Pitlane: the car-service chain's O2O system"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the app (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Load data into the database.
    Seed {
        /// The deterministic demo data set (loaded only into an empty database).
        #[arg(long)]
        demo: bool,
    },
    /// Import a CSV file (catalog, fitment, prices or stock_counts): every row is
    /// checked, then the file is applied in one transaction only if all rows are valid.
    Import {
        /// catalog, fitment, prices or stock_counts.
        kind: String,
        /// The CSV file; its first line is the kind's header.
        file: std::path::PathBuf,
        /// Apply the valid rows even if others have errors.
        #[arg(long)]
        valid_only: bool,
        /// Check only; apply nothing.
        #[arg(long)]
        check: bool,
    },
    /// Write a consistent backup of the database to a new file while it serves
    /// (SQLite: VACUUM INTO; PostgreSQL: pg_dump's custom format).
    Backup {
        /// The backup file; it must not exist yet.
        file: std::path::PathBuf,
    },
    /// Restore a backup into the configured database, which must be empty.
    Restore {
        /// A file `server backup` wrote.
        file: std::path::PathBuf,
    },
    /// Export a kind as CSV in its import format, to standard output or `--out`.
    Export {
        /// catalog, fitment, prices or stock_counts.
        kind: String,
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    server::telemetry::init();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .with_context(|| format!("cannot listen on {}", config.addr))?;
            server::http::start(&config, listener).await?.await??;
        }
        Command::Migrate => {
            let db = Database::connect(&config.database_url, Hub::new()).await?;
            db.migrate().await?;
            println!("migrated {}", redact(&config.database_url));
        }
        Command::Seed { demo } => {
            anyhow::ensure!(demo, "nothing to seed: pass --demo");
            let db = Database::connect(&config.database_url, Hub::new()).await?;
            db.migrate().await?;
            if db.seed_demo(&server::demo::demo_data()).await? {
                println!("loaded the demo data");
            } else {
                println!("the database already has data; left it as it was");
            }
        }
        Command::Import {
            kind,
            file,
            valid_only,
            check,
        } => {
            let db = Database::connect(&config.database_url, Hub::new()).await?;
            db.migrate().await?;
            import(&db, &kind, &file, valid_only, check).await?;
        }
        Command::Backup { file } => {
            let taken = server::backup::backup(&config.database_url, &file).await?;
            println!(
                "backed up {} to {} ({} bytes in {:.1?})",
                redact(&config.database_url),
                file.display(),
                taken.bytes,
                taken.took
            );
        }
        Command::Restore { file } => {
            server::backup::restore(&config.database_url, &file).await?;
            println!(
                "restored {} into {}",
                file.display(),
                redact(&config.database_url)
            );
        }
        Command::Export { kind, out } => {
            let db = Database::connect(&config.database_url, Hub::new()).await?;
            db.migrate().await?;
            let kind = domain::dataimport::ImportKind::parse(&kind)?;
            let rows = db.storages().imports.export(kind).await?;
            let csv = app::dataimport::write_csv(kind, &rows)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, csv)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("exported {} rows to {}", rows.len(), path.display());
                }
                None => print!("{csv}"),
            }
        }
    }
    Ok(())
}

/// `server import`: checks the file, lists every refused row, and applies it under a
/// progress bar.
async fn import(
    db: &Database,
    kind: &str,
    file: &std::path::Path,
    valid_only: bool,
    check: bool,
) -> anyhow::Result<()> {
    use app::i18n::{domain_error_text, Lang};
    let kind = domain::dataimport::ImportKind::parse(kind)?;
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    anyhow::ensure!(
        usize::try_from(size).unwrap_or(usize::MAX) <= app::dataimport::MAX_BYTES,
        "{}",
        domain_error_text(&domain::Error::ImportTooLarge, Lang::En)
    );
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read {} as UTF-8 text", file.display()))?;
    let storage = db.storages().imports;
    let known = storage.known().await?;
    let report = app::dataimport::read_csv(kind, &text, &known)
        .map_err(|e| anyhow::anyhow!("{}", domain_error_text(&e, Lang::En)))?;
    for e in &report.errors {
        eprintln!(
            "line {}{}: {}",
            e.line,
            e.column
                .as_deref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default(),
            domain_error_text(&e.error, Lang::En)
        );
    }
    eprintln!(
        "{} rows: {} valid, {} with errors",
        report.rows,
        report.valid.len(),
        report.errors.len()
    );
    if check {
        return Ok(());
    }
    let rows = report
        .applicable(valid_only)
        .map_err(|e| anyhow::anyhow!("{}", domain_error_text(&e, Lang::En)))?;
    let bar = indicatif::ProgressBar::new(u64::try_from(rows.len()).unwrap_or(u64::MAX));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("applying");
    let progress = {
        let bar = bar.clone();
        move |done: usize| bar.set_position(u64::try_from(done).unwrap_or(u64::MAX))
    };
    let applied = storage
        .apply(kind, rows, "command line", app::clock::now(), &progress)
        .await?;
    bar.finish_with_message("applied");
    match applied.price_version {
        Some(v) => eprintln!("applied {} rows; price list version {v}", applied.rows),
        None => eprintln!("applied {} rows", applied.rows),
    }
    Ok(())
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
