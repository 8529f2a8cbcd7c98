//! The supply chain (rule 9, C10): HQ sees every location's stock with its consumption,
//! days of cover and safety stock, runs a replenishment proposal whose lines explain
//! their numbers, and approves, edits or rejects each line. An approved line becomes a
//! transfer (held at the source, sent on a delivery wave, received at the destination)
//! or joins the supplier's purchase order. Stores and the warehouse send and receive.
//!
//! Every rule is [`domain::supply`]'s: this module parses, authorises and shows.
//!
//! - Server functions: for HQ, [`get_network`], [`get_forecast`], [`set_safety_stock`], [`run_proposal`],
//!   [`get_proposal`], [`decide_line`], [`send_purchase_orders`],
//!   [`get_purchase_orders`]; for whoever sends or receives (a store's counter, the
//!   warehouse, HQ supply), [`get_transfers`], [`dispatch_transfer`], [`cancel_transfer`] (HQ supply),
//!   [`receive_transfer`], [`receive_purchase_order`].
//! - Storage: [`SupplyStorage`].
//! - Components: [`network::HqNetwork`] (`/hq/stock`), [`proposal::HqProposal`]
//!   (`/hq/replenishment`), [`transfers::Transfers`] (HQ's and the kiosk's lists).

pub mod network;
pub mod proposal;
pub mod routes;
pub mod transfers;

pub use routes::RouteRow;

use std::collections::BTreeMap;

use domain::stock::StockLevel;
use domain::supply::{
    Line, OrderStatus, Position, SafetySuggestion, Site, Sourcing, StockStatus, TransferStatus,
};
use domain::{
    PartCategoryId, PartId, ProposalLineId, PurchaseOrderId, StoreId, SupplierId, TransferId,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::AppError;
use crate::reception::Named;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// A part as the supply pages name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInfo {
    pub sku: String,
    pub name: Named,
    pub unit: Named,
    pub category: PartCategoryId,
}

/// A location as the supply pages name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub code: String,
    pub name: Named,
    pub is_warehouse: bool,
}

/// The names the supply pages show: locations, parts, categories, suppliers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    pub sites: BTreeMap<StoreId, SiteInfo>,
    pub parts: BTreeMap<PartId, PartInfo>,
    pub categories: Vec<(PartCategoryId, Named)>,
    pub suppliers: BTreeMap<SupplierId, Named>,
}

/// What storage reads for the matrix and the proposal: the network's positions, and
/// what HQ is alerted to.
#[derive(Clone, Debug, Default)]
pub struct Positions {
    pub sites: Vec<Site>,
    pub sourcing: Vec<Sourcing>,
    pub positions: Vec<Position>,
    /// Bookings at a store whose part is not yet on its shelf, by store and part.
    pub waiting: BTreeMap<(StoreId, PartId), u32>,
    /// The earliest arrival of what is on its way, by location and part.
    pub next_eta: BTreeMap<(StoreId, PartId), OffsetDateTime>,
    /// Transfers and purchase orders past their arrival time.
    pub late: Vec<LateShipment>,
}

/// A transfer or purchase order that should have arrived.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateShipment {
    pub to: StoreId,
    pub part: PartId,
    pub quantity_milli: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub eta: OffsetDateTime,
    /// A purchase order's supplier; `None` for a transfer.
    pub supplier: Option<SupplierId>,
}

/// One cell of the matrix: a location's position in a part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkRow {
    pub location: StoreId,
    pub part: PartId,
    pub level: StockLevel,
    pub in_transit_milli: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_eta: Option<OffsetDateTime>,
    pub per_day_milli: u64,
    pub cover_days: Option<u64>,
    pub safety_milli: u64,
    pub suggestion: SafetySuggestion,
    pub status: StockStatus,
}

/// An alert on the network page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Alert {
    /// Available stock below the safety stock.
    BelowSafety { location: StoreId, part: PartId },
    /// Nothing available while bookings wait for the part.
    OutWithBookings {
        location: StoreId,
        part: PartId,
        waiting: u32,
    },
    /// A transfer or purchase order past its arrival time.
    Late(LateShipment),
}

/// Rows shown at most: narrow the filter to see the rest.
pub const ROWS_SHOWN: usize = 300;

/// The network matrix as HQ filters it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkView {
    pub rows: Vec<NetworkRow>,
    /// Rows the filter matched (more than shown when over [`ROWS_SHOWN`]).
    pub matched: u32,
    pub names: Names,
    pub alerts: Vec<Alert>,
    pub may_edit: bool,
}

/// A proposal line with its state and the names to show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub id: ProposalLineId,
    pub line: Line,
    pub status: LineStatus,
    pub approved_milli: Option<u64>,
}

/// Where a proposal line stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    Proposed,
    Approved,
    Rejected,
    /// An approved supplier line now on a sent purchase order.
    Ordered,
    /// A newer run replaced it before anyone decided.
    Superseded,
}

impl LineStatus {
    pub fn code(self) -> &'static str {
        match self {
            LineStatus::Proposed => "proposed",
            LineStatus::Approved => "approved",
            LineStatus::Rejected => "rejected",
            LineStatus::Ordered => "ordered",
            LineStatus::Superseded => "superseded",
        }
    }

    pub fn parse(code: &str) -> Option<LineStatus> {
        [
            LineStatus::Proposed,
            LineStatus::Approved,
            LineStatus::Rejected,
            LineStatus::Ordered,
            LineStatus::Superseded,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// A page of the latest proposal's lines, as storage reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProposalPage {
    /// When the latest proposal was made; `None` if there is none.
    pub created_at: Option<OffsetDateTime>,
    /// The page's lines, in the proposal's order.
    pub lines: Vec<LineView>,
    /// The lines the page is cut from (those going to the chosen destination, if one).
    pub matched: u32,
    /// Where the proposal's lines go.
    pub destinations: Vec<StoreId>,
    /// Approved supplier lines wait to be sent as purchase orders.
    pub orders_waiting: bool,
}

/// A page of the latest proposal: a chain-wide run has tens of thousands of lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalView {
    #[serde(with = "time::serde::rfc3339::option")]
    pub created_at: Option<OffsetDateTime>,
    /// [`PROPOSAL_PAGE`] lines (or fewer) from the `from`th of those matched.
    pub lines: Vec<LineView>,
    pub from: u32,
    pub matched: u32,
    /// The destination the lines are chosen by, if one.
    pub to: Option<StoreId>,
    pub destinations: Vec<StoreId>,
    pub orders_waiting: bool,
    /// Every location and supplier; of the parts, those on the page.
    pub names: Names,
    pub may_decide: bool,
}

/// Lines on a page of the proposal.
pub const PROPOSAL_PAGE: u32 = 15;

/// What HQ decided of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Approve this many thousandths (the proposed quantity or an edit).
    Approve(u64),
    Reject,
}

/// A transfer as the sending and receiving locations and HQ follow it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferRow {
    pub id: TransferId,
    pub part: PartId,
    pub from: StoreId,
    pub to: StoreId,
    pub quantity_milli: u64,
    pub status: TransferStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub departure: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub eta: OffsetDateTime,
    pub received_milli: Option<u64>,
}

/// The transfers the caller sees, with the names to show them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferList {
    pub rows: Vec<TransferRow>,
    pub names: Names,
    /// The caller's location: they send what leaves it and receive what comes to it.
    /// `None` for HQ supply, who may do both anywhere.
    pub at: Option<StoreId>,
    /// Whether the caller may withdraw a transfer that has not left (HQ supply).
    pub may_cancel: bool,
}

/// A purchase order with its lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrderRow {
    pub id: PurchaseOrderId,
    pub supplier: Named,
    pub status: OrderStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expected_at: OffsetDateTime,
    /// Part, ordered, received.
    pub lines: Vec<(PartId, u64, Option<u64>)>,
}

/// The purchase orders, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrders {
    pub orders: Vec<PurchaseOrderRow>,
    pub names: Names,
}

/// The supply chain's storage. Quantities are thousandths.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait SupplyStorage: Send + Sync {
    /// The names of locations, parts, categories and suppliers.
    async fn names(&self) -> Result<Names, StorageError>;

    /// Every location × part position: stock, what is on its way, safety stock, daily
    /// consumption over `history_days` up to yesterday, and the known demand of the
    /// `ahead_days` from `today` (bookings held at the store, cars coming due).
    async fn positions(
        &self,
        now: OffsetDateTime,
        history_days: u16,
        ahead_days: u16,
    ) -> Result<Positions, StorageError>;

    /// Sets a location's safety stock of a part.
    async fn set_safety(
        &self,
        location: StoreId,
        part: PartId,
        safety_milli: u64,
        by: domain::StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;

    /// Saves a run's lines as the current proposal; older undecided lines are superseded.
    /// The delivery routes, each with its waves and its stores.
    async fn routes(&self) -> Result<Vec<RouteRow>, StorageError>;

    /// Sets when `route`'s vans leave; `NotFound` if there is no such route.
    async fn set_waves(
        &self,
        route: &str,
        waves: domain::stock::Waves,
        by: domain::StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;

    /// Saves a run's lines as the proposal to decide; the undecided lines of any run
    /// before are superseded. `Ok(false)`, and nothing saved, if a proposal that read
    /// the network after `now` is saved already ([`domain::supply::run_replaces`]). A
    /// nightly run claims its day in the same transaction: `Ok(false)` too if that
    /// day's run was made already or a recent proposal stands in for it.
    async fn save_proposal(
        &self,
        policy: &domain::supply::Policy,
        lines: &[Line],
        run: RunBy,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError>;

    /// Whether the nightly run of `day` (a local date) has been made.
    async fn nightly_made(&self, day: time::Date) -> Result<bool, StorageError>;

    /// `limit` of the latest proposal's lines from the `from`th, with their states, in
    /// the proposal's order: of those going to `to`, or of all.
    async fn proposal(
        &self,
        to: Option<StoreId>,
        from: u32,
        limit: u32,
    ) -> Result<ProposalPage, StorageError>;

    /// Approves or rejects a proposed line, once. Approving a store or warehouse line
    /// holds the stock at the source (never below its safety stock) as a transfer on
    /// the next wave; a supplier line waits for [`SupplyStorage::send_orders`].
    async fn decide(
        &self,
        line: ProposalLineId,
        decision: Decision,
        by: domain::StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;

    /// Sends every approved supplier line: one purchase order per supplier. Returns how
    /// many orders were sent.
    async fn send_orders(
        &self,
        by: domain::StaffId,
        now: OffsetDateTime,
    ) -> Result<u32, StorageError>;

    /// Transfers to or from `at` (every transfer for `None`), open ones first.
    async fn transfers(&self, at: Option<StoreId>) -> Result<Vec<TransferRow>, StorageError>;

    /// Puts a reserved transfer on the van: off the source's shelf, arriving at the
    /// destination. `at` must be the source unless `None` (HQ supply).
    async fn dispatch(
        &self,
        id: TransferId,
        at: Option<StoreId>,
        by: domain::StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;

    /// Withdraws a transfer that has not left: its stock is the source's again. Only HQ
    /// supply cancels.
    async fn cancel(
        &self,
        id: TransferId,
        by: domain::StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;

    /// Records what arrived of a transfer in transit, onto the destination's shelf.
    /// `at` must be the destination unless `None` (HQ supply).
    async fn receive(
        &self,
        id: TransferId,
        at: Option<StoreId>,
        received_milli: u64,
        by: domain::StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;

    /// The purchase orders, newest first.
    async fn purchase_orders(&self, limit: u32) -> Result<Vec<PurchaseOrderRow>, StorageError>;

    /// Records what arrived of one part of a sent purchase order at the warehouse, once.
    async fn receive_order(
        &self,
        id: PurchaseOrderId,
        part: PartId,
        received_milli: u64,
        by: domain::StaffId,
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;
}

/// How many purchase orders the page lists.
pub const ORDERS_SHOWN: u32 = 30;

#[cfg(feature = "ssr")]
async fn staff_id(
    allowed: impl Fn(&domain::Principal) -> bool,
) -> Result<(domain::Principal, domain::StaffId), AppError> {
    let me = crate::account::session::require(allowed).await?;
    match me.principal {
        domain::Principal::Staff { id, .. } => Ok((me.principal, id)),
        domain::Principal::Customer { .. } => Err(AppError::Forbidden),
    }
}

/// Whoever moves stock: a store's counter staff, warehouse staff, HQ supply. The
/// location is theirs; `None` for HQ supply.
#[cfg(feature = "ssr")]
async fn mover() -> Result<(Option<StoreId>, domain::StaffId), AppError> {
    let (principal, id) = staff_id(|p| p.may_plan_supply() || p.stock_location().is_some()).await?;
    Ok((principal.stock_location(), id))
}

/// The network matrix: HQ staff, filtered by category, location and status codes
/// (empty for all).
#[server(prefix = "/api", endpoint = "supply_network", output = crate::codec::JsonText)]
pub async fn get_network(
    category: String,
    location: String,
    status: String,
) -> Result<NetworkView, AppError> {
    let (principal, _) = staff_id(domain::Principal::works_at_hq).await?;
    let category = match category.trim() {
        "" => None,
        c => Some(PartCategoryId::parse(c)?),
    };
    let location = match location.trim() {
        "" => None,
        l => Some(StoreId::parse(l)?),
    };
    let status = match status.trim() {
        "" => None,
        s => Some(StockStatus::parse(s).ok_or(domain::Error::SearchInvalid)?),
    };
    let policy = domain::supply::Policy::default();
    let now = crate::clock::now();
    let storage = use_storage::<dyn SupplyStorage>()?;
    let read = storage
        .positions(now, policy.history_days, policy.store_cover_days)
        .await?;
    Ok(network::view(
        read,
        storage.names().await?,
        now,
        &policy,
        (category, location, status),
        principal.may_plan_supply(),
    ))
}

/// One location's forecast of one part, with each part of its sum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastView {
    pub location: StoreId,
    pub part: PartId,
    pub names: Names,
    /// Smoothed use on an average day, thousandths.
    pub level_milli: u64,
    /// Monday first, in percent of an average day.
    pub weekday_percent: [u32; 7],
    /// Days of history smoothed.
    pub history_days: u16,
    /// What the history holds in all, thousandths.
    pub history_total_milli: u64,
    pub by_day: Vec<domain::supply::DayForecast>,
    pub period: domain::supply::Forecast,
}

/// The days a forecast looks ahead on HQ's page.
pub const FORECAST_DAYS: u16 = 7;

/// One location's forecast of one part over the coming week (HQ staff).
#[server(prefix = "/api", endpoint = "supply_forecast", output = crate::codec::JsonText)]
pub async fn get_forecast(location_id: String, part_id: String) -> Result<ForecastView, AppError> {
    staff_id(domain::Principal::works_at_hq).await?;
    let location = StoreId::parse(&location_id)?;
    let part = PartId::parse(&part_id)?;
    let policy = domain::supply::Policy::default();
    let now = crate::clock::now();
    let storage = use_storage::<dyn SupplyStorage>()?;
    let read = storage
        .positions(now, policy.history_days, FORECAST_DAYS)
        .await?;
    let position = read
        .positions
        .into_iter()
        .find(|p| p.location == location && p.part == part)
        .ok_or(AppError::NotFound)?;
    let pattern = domain::supply::Pattern::of(&position.history);
    let today = domain::local_time::local_date(now);
    Ok(ForecastView {
        location,
        part,
        names: storage.names().await?,
        level_milli: pattern.per_day_milli(),
        weekday_percent: pattern.factors.map(|f| (f * 100.0).round().max(0.0) as u32),
        history_days: policy.history_days,
        history_total_milli: position.history.daily_milli.iter().sum(),
        by_day: domain::supply::forecast_by_day(
            &pattern,
            &position.known,
            today,
            FORECAST_DAYS,
            &policy,
        ),
        period: domain::supply::forecast(&pattern, &position.known, today, FORECAST_DAYS, &policy),
    })
}

/// HQ supply sets a location's safety stock of a part.
#[server(prefix = "/api", endpoint = "set_safety_stock", output = crate::codec::JsonText)]
pub async fn set_safety_stock(
    location_id: String,
    part_id: String,
    safety: String,
) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let (_, by) = staff_id(domain::Principal::may_plan_supply).await?;
    let location = StoreId::parse(&location_id)?;
    let part = PartId::parse(&part_id)?;
    let safety = domain::supply::SafetyStock::parse(&safety)?;
    use_storage::<dyn SupplyStorage>()?
        .set_safety(location, part, safety.milli(), by, crate::clock::now())
        .await?;
    tracing::info!(%location, %part, milli = safety.milli(), %by, "safety stock set");
    Ok(())
}

#[cfg(feature = "ssr")]
async fn proposal_view(
    may_decide: bool,
    to: Option<StoreId>,
    from: u32,
) -> Result<ProposalView, AppError> {
    let storage = use_storage::<dyn SupplyStorage>()?;
    let page = storage.proposal(to, from, PROPOSAL_PAGE).await?;
    let mut names = storage.names().await?;
    let shown: std::collections::BTreeSet<PartId> =
        page.lines.iter().map(|l| l.line.part).collect();
    names.parts.retain(|id, _| shown.contains(id));
    Ok(ProposalView {
        created_at: page.created_at,
        lines: page.lines,
        from,
        matched: page.matched,
        to,
        destinations: page.destinations,
        orders_waiting: page.orders_waiting,
        names,
        may_decide,
    })
}

/// Who made a proposal run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunBy {
    /// HQ supply, by hand.
    Staff(domain::StaffId),
    /// The nightly job, for this local day ([`domain::supply::nightly_day`]).
    Nightly(time::Date),
}

/// Reads the network, plans and saves a proposal at `now`: HQ's button and the nightly
/// job alike. Returns the number of lines, or `None` if the run gave way: a nightly run
/// already made by another instance, or a run that read the network later was saved
/// first (the latest proposal is then that one).
#[cfg(feature = "ssr")]
pub async fn propose(
    storage: &dyn SupplyStorage,
    run: RunBy,
    now: OffsetDateTime,
) -> Result<Option<usize>, StorageError> {
    let policy = domain::supply::Policy::default();
    let read = storage
        .positions(now, policy.history_days, AHEAD_DAYS)
        .await?;
    let input = domain::supply::PlanInput {
        now,
        today: domain::local_time::local_date(now),
        sites: read.sites,
        sourcing: read.sourcing,
        positions: read.positions,
        policy: policy.clone(),
        schedule: domain::stock::DeliverySchedule::default(),
    };
    let proposal = plan(input).await;
    let saved = storage
        .save_proposal(&policy, &proposal.lines, run, now)
        .await?;
    Ok(saved.then_some(proposal.lines.len()))
}

/// [`domain::supply::plan`] on every core: a chain-wide run is tens of thousands of
/// positions, and its parts are planned on their own ([`PlanInput::split`]), off the
/// async threads.
///
/// [`PlanInput::split`]: domain::supply::PlanInput::split
#[cfg(feature = "ssr")]
pub async fn plan(input: domain::supply::PlanInput) -> domain::supply::Proposal {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let pieces: Vec<_> = input
        .split(cores)
        .into_iter()
        .map(|piece| tokio::task::spawn_blocking(move || domain::supply::plan_partial(&piece)))
        .collect();
    let mut partials = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match piece.await {
            Ok(partial) => partials.push(partial),
            // A blocking task is cancelled only with the runtime, which ends the run too.
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
    domain::supply::Proposal::join(partials)
}

/// HQ supply runs a new proposal over the whole network; the previous one's undecided
/// lines are superseded.
#[server(prefix = "/api", endpoint = "run_proposal", output = crate::codec::JsonText)]
pub async fn run_proposal() -> Result<ProposalView, AppError> {
    crate::account::session::require_same_origin()?;
    let (_, by) = staff_id(domain::Principal::may_plan_supply).await?;
    let storage = use_storage::<dyn SupplyStorage>()?;
    let lines = propose(storage.as_ref(), RunBy::Staff(by), crate::clock::now()).await?;
    tracing::info!(lines, %by, "replenishment proposal run");
    proposal_view(true, None, 0).await
}

/// Days of known demand a run reads: a supplier's lead time and a review period.
pub const AHEAD_DAYS: u16 = 30;

/// A page of the latest proposal (HQ staff; only HQ supply decides): the lines going
/// to location `to` (all if blank) from the `from`th (the first if blank).
#[server(prefix = "/api", endpoint = "supply_proposal", output = crate::codec::JsonText)]
pub async fn get_proposal(
    #[server(default)] to: String,
    #[server(default)] from: String,
) -> Result<ProposalView, AppError> {
    let (principal, _) = staff_id(domain::Principal::works_at_hq).await?;
    let to = match to.trim() {
        "" => None,
        l => Some(StoreId::parse(l)?),
    };
    let from = match from.trim() {
        "" => 0,
        n => n.parse::<u32>().map_err(|_| domain::Error::SearchInvalid)?,
    };
    proposal_view(principal.may_plan_supply(), to, from).await
}

/// HQ supply approves (`approve`, with the quantity as proposed or edited) or rejects
/// (`reject`) a line.
#[server(prefix = "/api", endpoint = "decide_line", output = crate::codec::JsonText)]
pub async fn decide_line(
    line_id: String,
    decision: String,
    quantity: String,
) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let (_, by) = staff_id(domain::Principal::may_plan_supply).await?;
    let line = ProposalLineId::parse(&line_id)?;
    let decision = match decision.trim() {
        "approve" => Decision::Approve(domain::supply::parse_approved(&quantity)?),
        "reject" => Decision::Reject,
        _ => return Err(domain::Error::DecisionUnknown.into()),
    };
    use_storage::<dyn SupplyStorage>()?
        .decide(line, decision, by, crate::clock::now())
        .await?;
    tracing::info!(%line, ?decision, %by, "proposal line decided");
    Ok(())
}

/// HQ supply sends the approved supplier lines, one purchase order per supplier.
#[server(prefix = "/api", endpoint = "send_purchase_orders", output = crate::codec::JsonText)]
pub async fn send_purchase_orders() -> Result<u32, AppError> {
    crate::account::session::require_same_origin()?;
    let (_, by) = staff_id(domain::Principal::may_plan_supply).await?;
    let sent = use_storage::<dyn SupplyStorage>()?
        .send_orders(by, crate::clock::now())
        .await?;
    tracing::info!(sent, %by, "purchase orders sent");
    Ok(sent)
}

/// The transfers the caller sends or receives (HQ supply: all).
#[server(prefix = "/api", endpoint = "supply_transfers", output = crate::codec::JsonText)]
pub async fn get_transfers() -> Result<TransferList, AppError> {
    let (principal, _) = staff_id(|p| p.may_plan_supply() || p.stock_location().is_some()).await?;
    let at = principal.stock_location();
    let storage = use_storage::<dyn SupplyStorage>()?;
    Ok(TransferList {
        rows: storage.transfers(at).await?,
        names: storage.names().await?,
        at,
        may_cancel: principal.may_plan_supply(),
    })
}

/// The source puts a reserved transfer on the van.
#[server(prefix = "/api", endpoint = "dispatch_transfer", output = crate::codec::JsonText)]
pub async fn dispatch_transfer(id: String) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let (at, by) = mover().await?;
    let id = TransferId::parse(&id)?;
    use_storage::<dyn SupplyStorage>()?
        .dispatch(id, at, by, crate::clock::now())
        .await?;
    tracing::info!(transfer = %id, %by, "transfer dispatched");
    Ok(())
}

/// HQ supply withdraws a transfer approved by mistake, before it leaves.
#[server(prefix = "/api", endpoint = "cancel_transfer", output = crate::codec::JsonText)]
pub async fn cancel_transfer(id: String) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let (_, by) = staff_id(domain::Principal::may_plan_supply).await?;
    let id = TransferId::parse(&id)?;
    use_storage::<dyn SupplyStorage>()?
        .cancel(id, by, crate::clock::now())
        .await?;
    tracing::info!(transfer = %id, %by, "transfer cancelled");
    Ok(())
}

/// The destination records what arrived of a transfer (all of it, or less).
#[server(prefix = "/api", endpoint = "receive_transfer", output = crate::codec::JsonText)]
pub async fn receive_transfer(id: String, quantity: String) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let (at, by) = mover().await?;
    let id = TransferId::parse(&id)?;
    let received = domain::supply::parse_received(&quantity)?;
    use_storage::<dyn SupplyStorage>()?
        .receive(id, at, received, by, crate::clock::now())
        .await?;
    tracing::info!(transfer = %id, received, %by, "transfer received");
    Ok(())
}

/// The purchase orders (HQ supply and the warehouse).
#[server(prefix = "/api", endpoint = "purchase_orders", output = crate::codec::JsonText)]
pub async fn get_purchase_orders() -> Result<PurchaseOrders, AppError> {
    staff_id(receives_orders).await?;
    let storage = use_storage::<dyn SupplyStorage>()?;
    Ok(PurchaseOrders {
        orders: storage.purchase_orders(ORDERS_SHOWN).await?,
        names: storage.names().await?,
    })
}

/// Who receives purchase orders: HQ supply and the warehouse's staff.
pub fn receives_orders(p: &domain::Principal) -> bool {
    p.may_plan_supply()
        || matches!(
            p,
            domain::Principal::Staff {
                role: domain::StaffRole::Warehouse,
                ..
            }
        )
}

/// The warehouse records what arrived of one part of a purchase order; once every part
/// is recorded the order is received (partly, if anything fell short).
#[server(prefix = "/api", endpoint = "receive_purchase_order", output = crate::codec::JsonText)]
pub async fn receive_purchase_order(
    id: String,
    part_id: String,
    quantity: String,
) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let (_, by) = staff_id(receives_orders).await?;
    let id = PurchaseOrderId::parse(&id)?;
    let part = PartId::parse(&part_id)?;
    let received = domain::supply::parse_received(&quantity)?;
    use_storage::<dyn SupplyStorage>()?
        .receive_order(id, part, received, by, crate::clock::now())
        .await?;
    tracing::info!(order = %id, %part, received, %by, "purchase order line received");
    Ok(())
}

/// `4.5`, `12`: thousandths as a person reads them.
pub fn units(milli: u64) -> String {
    let whole = milli / 1000;
    let rest = milli % 1000;
    if rest == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{rest:03}").trim_end_matches('0'))
    }
}
