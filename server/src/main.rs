//! The `server` binary: `serve` (the default), `migrate`, `seed --demo`.

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
