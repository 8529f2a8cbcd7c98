//! The Pitlane server: everything that touches the outside world.
//!
//! - [`config`]: settings from environment variables, with defaults;
//! - [`storage`]: every feature's storage trait (`app::storage`) implemented once over
//!   SQLite (embedded default) and PostgreSQL (several instances), migrations per
//!   dialect, demo data loading;
//! - [`demo`]: the deterministic demo data set;
//! - [`live`]: the live-update hub (tokio broadcast in one process, PostgreSQL
//!   `LISTEN/NOTIFY` across processes) and its SSE endpoint;
//! - [`http`]: the axum router: pages, server functions, `/api/events`, `/healthz`;
//! - [`jobs`]: background jobs (the acceptance-window expiry), claimed from rows;
//! - [`headers`]: the security headers every response carries;
//! - [`telemetry`]: tracing set-up;
//! - [`backup`]: a consistent backup while the server serves, and restore into an empty
//!   database.
//!
//! The binary (`main.rs`) is a thin CLI over these: `serve`, `migrate`, `seed --demo`,
//! `import`, `export`, `backup`, `restore`.

// The server has a clock; only the browser side must read it through `app::clock`.
#![allow(clippy::disallowed_methods)]

pub mod backup;
pub mod config;
pub mod demo;
pub mod headers;
pub mod http;
pub mod jobs;
pub mod live;
pub mod storage;
pub mod telemetry;
