//! Settings from environment variables. Every one has a default that serves the app on
//! this machine with the embedded SQLite database.

use std::net::SocketAddr;

/// The database used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/pitlane.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://path` (default) or `postgres://…`.
    pub database_url: String,
    /// Where to listen (`PITLANE_ADDR`, else cargo-leptos's `LEPTOS_SITE_ADDR`).
    pub addr: SocketAddr,
    /// Directory with the compiled site (`LEPTOS_SITE_ROOT`, default `target/site`).
    pub site_root: String,
    /// Load the demo data when the database is empty (`PITLANE_DEMO=1`).
    pub demo: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not a valid socket address: {value}")]
    BadAddr { name: &'static str, value: String },
}

fn flag(name: &str) -> bool {
    matches!(
        std::env::var(name).as_deref().map(str::trim),
        Ok("1" | "true" | "yes" | "on")
    )
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let (addr_name, addr) = match std::env::var("PITLANE_ADDR") {
            Ok(v) => ("PITLANE_ADDR", v),
            Err(_) => (
                "LEPTOS_SITE_ADDR",
                std::env::var("LEPTOS_SITE_ADDR").unwrap_or_else(|_| DEFAULT_ADDR.to_owned()),
            ),
        };
        let addr = addr.parse().map_err(|_| ConfigError::BadAddr {
            name: addr_name,
            value: addr.clone(),
        })?;
        Ok(Config {
            database_url: std::env::var("DATABASE_URL")
                .unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned()),
            addr,
            site_root: std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()),
            demo: flag("PITLANE_DEMO"),
        })
    }
}
