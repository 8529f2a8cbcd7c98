//! The storage trait server functions call (server side only).
//!
//! The server crate implements [`Store`] for SQLite and for PostgreSQL and provides it to
//! every request as an `Arc<dyn Store>` context. Writes that others must see (prices
//! today; stock, capacity, orders and money later) commit an outbox event in the same
//! transaction and publish it to the live-update hub after commit.

use std::sync::Arc;

use async_trait::async_trait;
use domain::{Money, PriceList, PricedItem};
use leptos::prelude::use_context;

use crate::error::AppError;
use crate::pricing::{PricePoint, ServiceInfo};

/// What can go wrong in storage, in terms the layers above can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or guard condition refused the write (someone else got there first).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database stayed locked or overloaded past its timeout.
    #[error("busy: {0}")]
    Busy(String),
    /// A business rule refused the change.
    #[error(transparent)]
    Rule(#[from] domain::Error),
    /// The database failed; the text is for the log only.
    #[error("storage failure: {0}")]
    Backend(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(_) => AppError::Conflict,
            StoreError::Busy(cause) => {
                tracing::warn!(%cause, "database busy");
                AppError::Busy
            }
            StoreError::Rule(rule) => AppError::Invalid(rule),
            StoreError::Backend(cause) => AppError::internal(cause),
        }
    }
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`, for logs and `/healthz`.
    fn backend(&self) -> &'static str;

    /// Round-trips a trivial query, for `/healthz`.
    async fn ping(&self) -> Result<(), StoreError>;

    /// The service catalog, in display order.
    async fn services(&self) -> Result<Vec<ServiceInfo>, StoreError>;

    /// The price list in force now.
    async fn current_price_list(&self) -> Result<PriceList, StoreError>;

    /// Publishes a new price for one item as a new price-list version, effective now.
    /// Concurrent publishes are serialised; each sees the version the previous one made.
    async fn publish_price(
        &self,
        item: PricedItem,
        price: Money,
        published_by: &str,
    ) -> Result<PriceList, StoreError>;

    /// Every version's price for one item, newest first.
    async fn price_history(&self, item: PricedItem) -> Result<Vec<PricePoint>, StoreError>;
}

/// Settings server functions consult, provided as context next to the store.
#[derive(Clone, Debug, Default)]
pub struct ServerSettings {
    /// Lets anyone publish prices. Off by default: only for tests and demos until staff
    /// sign-in exists.
    pub open_publishing: bool,
}

pub fn use_store() -> Result<Arc<dyn Store>, AppError> {
    use_context::<Arc<dyn Store>>().ok_or_else(|| AppError::internal("no Store in context"))
}

pub fn use_settings() -> ServerSettings {
    use_context::<ServerSettings>().unwrap_or_default()
}

/// Refuses a state-changing call that a page of another site made the browser send.
///
/// Browsers send `Origin` with every cross-site POST; when it is there it must name this
/// server (the `Host` it was asked for). Clients that send no `Origin` (API clients,
/// `curl`) are not browsers carrying someone else's cookies, so they pass.
pub fn require_same_origin() -> Result<(), AppError> {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Ok(());
    };
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let Some(origin) = header(http::header::ORIGIN) else {
        return Ok(());
    };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    match header(http::header::HOST) {
        Some(host) if host.eq_ignore_ascii_case(origin_host) => Ok(()),
        _ => {
            tracing::warn!(%origin, "cross-origin request refused");
            Err(AppError::Forbidden)
        }
    }
}
