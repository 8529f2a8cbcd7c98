//! Settings from environment variables. Every one has a default that serves the app on
//! this machine with the embedded SQLite database.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use domain::BookingLimits;
use ipnet::IpNet;

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
    /// Proxies whose `X-Forwarded-For` is believed (`PITLANE_TRUSTED_PROXIES`: addresses
    /// or networks, comma-separated; none by default).
    pub trusted_proxies: Vec<IpNet>,
    /// Served over https (`PITLANE_HTTPS=1`, or a trusted proxy says so per request):
    /// HSTS and `__Host-` cookies.
    pub https: bool,
    pub limits: Limits,
    /// How often background jobs look for due work (`PITLANE_JOBS_EVERY_MS`, default
    /// 5,000): how late past its deadline an unanswered order moves on, at most.
    pub jobs_every: Duration,
    /// Where the server reads the time: the system's, or one a test sets.
    pub clock: app::clock::SharedClock,
}

/// The limits that keep one client from taking more than its share. Each has a default
/// fit for production and an environment variable, so tests and benchmarks that act as
/// many people from one address can raise them.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Booking horizon, lead time and open-booking cap
    /// (`PITLANE_BOOKING_HORIZON_DAYS`, `PITLANE_BOOKING_LEAD_MINUTES`,
    /// `PITLANE_MAX_OPEN_BOOKINGS`).
    pub booking: BookingLimits,
    /// Sign-in attempts per client address before it is slowed to one every 2 s
    /// (`PITLANE_SIGN_IN_BURST`, default 30).
    pub sign_in_burst: u32,
    /// Sign-in attempts on one account from one address before they are slowed to one
    /// every 30 s (`PITLANE_SIGN_IN_ACCOUNT_BURST`, default 10).
    pub sign_in_account_burst: u32,
    /// Sign-ups per client address before it is slowed to one a minute
    /// (`PITLANE_SIGN_UP_BURST`, default 5).
    pub sign_up_burst: u32,
    /// Kiosk PIN attempts per person before they are slowed to one every 30 s
    /// (`PITLANE_PIN_PERSON_BURST`, default 10), and per device before it is slowed to one
    /// every 5 s (`PITLANE_PIN_DEVICE_BURST`, default 30).
    pub pin_person_burst: u32,
    pub pin_device_burst: u32,
    /// Open live-update streams per client address and in all
    /// (`PITLANE_SSE_PER_ADDRESS`, default 8; `PITLANE_SSE_TOTAL`, default 2,000).
    pub sse_per_address: usize,
    pub sse_total: usize,
    /// How long a request may take before it is answered 408 (`PITLANE_REQUEST_TIMEOUT_SECS`,
    /// default 30). Live-update streams are not cut: only the time to their first byte counts.
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            booking: BookingLimits::default(),
            sign_in_burst: 30,
            sign_in_account_burst: 10,
            sign_up_burst: 5,
            pin_person_burst: 10,
            pin_device_burst: 30,
            sse_per_address: 8,
            sse_total: 2_000,
            request_timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not a valid socket address: {value}")]
    BadAddr { name: &'static str, value: String },
    #[error("{name} is not a valid number: {value}")]
    BadNumber { name: &'static str, value: String },
    #[error("PITLANE_TRUSTED_PROXIES has an entry that is not an address or network: {0}")]
    BadProxy(String),
    #[error("the booking limits make booking impossible (a zero, or a lead time longer than the horizon)")]
    BadBookingLimits,
}

/// A numeric setting, or its default when unset.
fn number<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError> {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .map_err(|_| ConfigError::BadNumber { name, value: v }),
        Err(_) => Ok(default),
    }
}

/// `10.0.0.1, 10.1.0.0/16` into networks; a bare address is a network of one.
pub fn parse_proxies(list: &str) -> Result<Vec<IpNet>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| ConfigError::BadProxy(s.to_owned()))
        })
        .collect()
}

impl Limits {
    pub fn from_env() -> Result<Limits, ConfigError> {
        let d = Limits::default();
        let booking = BookingLimits::new(
            number("PITLANE_BOOKING_HORIZON_DAYS", d.booking.horizon_days())?,
            number("PITLANE_BOOKING_LEAD_MINUTES", d.booking.min_lead_minutes())?,
            number("PITLANE_MAX_OPEN_BOOKINGS", d.booking.max_open())?,
        )
        .ok_or(ConfigError::BadBookingLimits)?;
        Ok(Limits {
            booking,
            sign_in_burst: number("PITLANE_SIGN_IN_BURST", d.sign_in_burst)?,
            sign_in_account_burst: number(
                "PITLANE_SIGN_IN_ACCOUNT_BURST",
                d.sign_in_account_burst,
            )?,
            sign_up_burst: number("PITLANE_SIGN_UP_BURST", d.sign_up_burst)?,
            pin_person_burst: number("PITLANE_PIN_PERSON_BURST", d.pin_person_burst)?,
            pin_device_burst: number("PITLANE_PIN_DEVICE_BURST", d.pin_device_burst)?,
            sse_per_address: number("PITLANE_SSE_PER_ADDRESS", d.sse_per_address)?,
            sse_total: number("PITLANE_SSE_TOTAL", d.sse_total)?,
            request_timeout: Duration::from_secs(number(
                "PITLANE_REQUEST_TIMEOUT_SECS",
                d.request_timeout.as_secs(),
            )?),
        })
    }
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
            trusted_proxies: parse_proxies(
                &std::env::var("PITLANE_TRUSTED_PROXIES").unwrap_or_default(),
            )?,
            https: flag("PITLANE_HTTPS"),
            limits: Limits::from_env()?,
            jobs_every: Duration::from_millis(number("PITLANE_JOBS_EVERY_MS", 5_000u64)?.max(10)),
            clock: std::sync::Arc::new(app::clock::SystemClock),
        })
    }
}
