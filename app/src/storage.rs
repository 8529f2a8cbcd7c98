//! Storage as server functions see it (server side only): one trait per feature,
//! speaking `domain` types.
//!
//! Each feature module declares what it needs from storage next to its server functions:
//! [`crate::pricing::PriceStorage`], [`crate::account::AccountStorage`],
//! [`crate::garage::GarageStorage`], [`crate::policies::PolicyStorage`],
//! [`crate::booking::BookingStorage`], [`crate::devices::DeviceStorage`], [`crate::staff::StaffStorage`],
//! [`crate::routing::RoutingStorage`]; [`Health`] answers `/healthz`. The server crate
//! implements every trait once over SQLite and PostgreSQL and hands them to each request
//! as [`Storages`], one `Arc<dyn …>` context per trait. A new feature adds a trait and a
//! field here, not methods to a shared trait.
//!
//! "Store" is a shop everywhere in Pitlane; this layer is "storage".
//!
//! Writes that others must see commit an outbox event in the same transaction and publish
//! it to the live-update hub after commit.

use std::sync::Arc;

use async_trait::async_trait;
use leptos::prelude::{provide_context, use_context};

use crate::account::AccountStorage;
use crate::booking::BookingStorage;
use crate::campaigns::{CampaignSender, CampaignStorage};
use crate::cases::CaseStorage;
use crate::customer_map::MapStorage;
use crate::dataimport::ImportStorage;
use crate::devices::DeviceStorage;
use crate::error::AppError;
use crate::findings::FindingsStorage;
use crate::followup::report::AfterSalesStorage;
use crate::followup::FollowUpStorage;
use crate::garage::GarageStorage;
use crate::help::HelpStorage;
use crate::kpi::KpiStorage;
use crate::lifecycle::StandingStorage;
use crate::parts::PartsStorage;
use crate::policies::PolicyStorage;
use crate::pricing::PriceStorage;
use crate::reception::ReceptionStorage;
use crate::routing::parts::PartsOrderStorage;
use crate::routing::RoutingStorage;
use crate::settings::SettingsStorage;
use crate::staff::StaffStorage;
use crate::supply::SupplyStorage;
use crate::workorders::WorkOrderStorage;

/// The underlying failure of a storage error, kept for the log.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// What can go wrong in storage, in terms the layers above can act on. The database's
/// own error is kept as the source; none of its text reaches a client.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or guard condition refused the write (someone else got there first).
    #[error("refused by a constraint")]
    Conflict(#[source] Cause),
    /// The transaction lost a race the database could not order (a deadlock or a
    /// serialization failure); it changed nothing and may be tried again.
    #[error("the transaction lost a race")]
    Contended(#[source] Cause),
    /// The database stayed locked or overloaded past its timeout.
    #[error("the database is busy")]
    Busy(#[source] Cause),
    /// A business rule refused the change.
    #[error(transparent)]
    Rule(#[from] domain::Error),
    /// A stored value that its type refuses: a bug or a damaged row, never the client's.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("the database failed")]
    Backend(#[source] Cause),
}

impl StorageError {
    /// A stored value that does not parse.
    pub fn corrupt(what: impl std::fmt::Display) -> StorageError {
        StorageError::Corrupt(what.to_string())
    }
}

/// The error and every source under it, for the log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        // Many errors repeat their source's text in their own; say it once.
        let line = s.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = s.source();
    }
    text
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound => AppError::NotFound,
            StorageError::Conflict(_) => AppError::Conflict,
            StorageError::Busy(_) | StorageError::Contended(_) => {
                tracing::warn!(cause = %chain(&e), "database busy");
                AppError::Busy
            }
            StorageError::Rule(rule) => AppError::Invalid(rule),
            StorageError::Corrupt(_) | StorageError::Backend(_) => AppError::internal(chain(&e)),
        }
    }
}

/// Which database answers, and whether it does.
#[async_trait]
pub trait Health: Send + Sync + 'static {
    /// `sqlite` or `postgres`, for logs and `/healthz`.
    fn backend(&self) -> &'static str;

    /// Round-trips a trivial query.
    async fn ping(&self) -> Result<(), StorageError>;
}

/// Every feature's storage, as one backend implements them.
#[derive(Clone)]
pub struct Storages {
    pub health: Arc<dyn Health>,
    pub prices: Arc<dyn PriceStorage>,
    pub accounts: Arc<dyn AccountStorage>,
    pub garage: Arc<dyn GarageStorage>,
    pub policies: Arc<dyn PolicyStorage>,
    pub booking: Arc<dyn BookingStorage>,
    pub devices: Arc<dyn DeviceStorage>,
    pub staff: Arc<dyn StaffStorage>,
    pub reception: Arc<dyn ReceptionStorage>,
    pub workorders: Arc<dyn WorkOrderStorage>,
    pub findings: Arc<dyn FindingsStorage>,
    pub settings: Arc<dyn SettingsStorage>,
    pub parts: Arc<dyn PartsStorage>,
    pub routing: Arc<dyn RoutingStorage>,
    pub parts_orders: Arc<dyn PartsOrderStorage>,
    pub help: Arc<dyn HelpStorage>,
    pub followups: Arc<dyn FollowUpStorage>,
    pub cases: Arc<dyn CaseStorage>,
    pub standing: Arc<dyn StandingStorage>,
    pub campaigns: Arc<dyn CampaignStorage>,
    pub aftersales: Arc<dyn AfterSalesStorage>,
    pub supply: Arc<dyn SupplyStorage>,
    pub imports: Arc<dyn ImportStorage>,
    pub kpis: Arc<dyn KpiStorage>,
    pub map: Arc<dyn MapStorage>,
    /// Where campaign messages leave: the backend's recording sender unless configured.
    pub sender: Arc<dyn CampaignSender>,
}

impl Storages {
    /// Every trait from one backend that implements them all.
    pub fn new<B>(backend: Arc<B>) -> Storages
    where
        B: Health
            + PriceStorage
            + AccountStorage
            + GarageStorage
            + PolicyStorage
            + BookingStorage
            + DeviceStorage
            + StaffStorage
            + ReceptionStorage
            + WorkOrderStorage
            + FindingsStorage
            + SettingsStorage
            + PartsStorage
            + RoutingStorage
            + PartsOrderStorage
            + HelpStorage
            + FollowUpStorage
            + CaseStorage
            + StandingStorage
            + CampaignStorage
            + AfterSalesStorage
            + SupplyStorage
            + ImportStorage
            + KpiStorage
            + MapStorage
            + CampaignSender,
    {
        Storages {
            health: backend.clone(),
            prices: backend.clone(),
            accounts: backend.clone(),
            garage: backend.clone(),
            policies: backend.clone(),
            booking: backend.clone(),
            devices: backend.clone(),
            staff: backend.clone(),
            reception: backend.clone(),
            workorders: backend.clone(),
            findings: backend.clone(),
            settings: backend.clone(),
            parts: backend.clone(),
            routing: backend.clone(),
            parts_orders: backend.clone(),
            help: backend.clone(),
            followups: backend.clone(),
            cases: backend.clone(),
            standing: backend.clone(),
            campaigns: backend.clone(),
            aftersales: backend.clone(),
            supply: backend.clone(),
            imports: backend.clone(),
            kpis: backend.clone(),
            map: backend.clone(),
            sender: backend,
        }
    }

    /// Puts each trait object in the request's Leptos context.
    pub fn provide(&self) {
        provide_context(self.health.clone());
        provide_context(self.prices.clone());
        provide_context(self.accounts.clone());
        provide_context(self.garage.clone());
        provide_context(self.policies.clone());
        provide_context(self.booking.clone());
        provide_context(self.devices.clone());
        provide_context(self.staff.clone());
        provide_context(self.reception.clone());
        provide_context(self.workorders.clone());
        provide_context(self.findings.clone());
        provide_context(self.settings.clone());
        provide_context(self.parts.clone());
        provide_context(self.routing.clone());
        provide_context(self.parts_orders.clone());
        provide_context(self.help.clone());
        provide_context(self.followups.clone());
        provide_context(self.cases.clone());
        provide_context(self.standing.clone());
        provide_context(self.campaigns.clone());
        provide_context(self.aftersales.clone());
        provide_context(self.supply.clone());
        provide_context(self.imports.clone());
        provide_context(self.kpis.clone());
        provide_context(self.map.clone());
        provide_context(self.sender.clone());
    }
}

/// The request's storage of one feature, e.g. `use_storage::<dyn BookingStorage>()`.
pub fn use_storage<T: ?Sized + Send + Sync + 'static>() -> Result<Arc<T>, AppError> {
    if let Some(storage) = use_context::<Arc<T>>() {
        return Ok(storage);
    }
    if use_context::<http::request::Parts>().is_none() {
        // The page's render is over and its reactive owner is gone: a resource of a view
        // that server rendering built and then dropped (Leptos renders suspended children
        // more than once) resumed after an await. Nobody will read this answer.
        tracing::debug!("storage asked for after the request ended");
        return Err(AppError::Network);
    }
    Err(AppError::internal(format!(
        "no {} in context",
        std::any::type_name::<T>()
    )))
}
