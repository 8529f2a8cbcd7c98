//! Supply chain from data (rule 9): how fast each location uses each part, what it will
//! need over the coming days, how much it should keep back, and what to send where.
//!
//! # Parts
//!
//! - [`History`] and [`Pattern`]: daily consumption, smoothed exponentially with a
//!   weekday pattern, giving a rate per day and the use expected on any coming day.
//! - [`forecast`]: the demand over a number of coming days as a sum HQ can read: booked
//!   work (already reserved), cars whose service comes due (times the share that come
//!   back), and the rest of recent use that neither explains ([`Forecast`]).
//! - [`suggest_safety`]: a safety stock from demand variability and lead time,
//!   `z × σ × √L`, with its figures; [`SafetyStock`] is what HQ types.
//! - [`status`]: out, below safety stock, healthy or surplus, for the network matrix.
//! - [`plan`]: the replenishment proposal. Each store is topped up to its forecast over
//!   the cover period plus safety stock, from a nearby store's surplus first, then the
//!   warehouse in the next delivery wave; the warehouse orders what the chain needs from
//!   each part's supplier, in packs and at least the minimum order. Every [`Line`] carries
//!   the [`Term`]s whose sum is its quantity. A part's lines depend on its own
//!   positions only, so a chain-wide run can be [`PlanInput::split`] by part, planned
//!   piece by piece at once ([`plan_partial`]) and joined ([`Proposal::join`]).
//! - [`receive`], [`TransferStatus`], [`OrderStatus`]: transfers go reserved at the
//!   source → in transit on a wave → received (or partly received) at the destination;
//!   purchase orders sent → received at the warehouse.
//!
//! Quantities are thousandths of the part's unit ("milli"), as in [`crate::stock`]; the
//! proposal moves whole units only.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use crate::geo::{distance_m, GeoPoint};
use crate::stock::{DeliverySchedule, StockLevel, Waves};
use crate::{Error, PartId, StoreId, SupplierId};

/// One unit in thousandths.
pub const UNIT: u64 = 1000;

fn ceil_units(milli: u64) -> u64 {
    milli.div_ceil(UNIT).saturating_mul(UNIT)
}

fn floor_units(milli: u64) -> u64 {
    milli / UNIT * UNIT
}

/// The most units a typed quantity may name: a billion, far above any shelf or order.
pub const MAX_UNITS: u64 = 1_000_000_000;

/// Thousandths from what a person typed: `12`, `4.5`, `0.25` (a point or a full-width
/// point, at most three decimals, at most [`MAX_UNITS`]); `None` for anything else, a
/// minus sign included.
fn parse_milli(input: &str) -> Option<u64> {
    let text = input.trim().replace('．', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 10
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 3
    {
        return None;
    }
    let whole: u64 = whole.parse().ok().filter(|w| *w <= MAX_UNITS)?;
    let fraction: u64 = format!("{fraction:0<3}").parse().ok()?;
    Some(whole * UNIT + fraction)
}

/// A safety stock HQ typed: zero or more units with at most three decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetyStock(u64);

impl SafetyStock {
    /// `0`, `8`, `4.5`; a minus sign, letters or a fourth decimal are
    /// [`Error::SafetyStockInvalid`].
    pub fn parse(input: &str) -> Result<SafetyStock, Error> {
        parse_milli(input)
            .map(SafetyStock)
            .ok_or(Error::SafetyStockInvalid)
    }

    /// The safety stock in thousandths.
    pub fn milli(self) -> u64 {
        self.0
    }
}

/// Daily consumption at one location of one part, oldest day first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// The day of `daily_milli[0]`.
    pub first_day: Option<Date>,
    /// Thousandths used on each day.
    pub daily_milli: Vec<u64>,
}

impl History {
    /// A history starting on `first_day`.
    pub fn new(first_day: Date, daily_milli: Vec<u64>) -> History {
        History {
            first_day: Some(first_day),
            daily_milli,
        }
    }

    /// Each day's weekday (Monday 0) and use, oldest first; none without a first day.
    /// The weekday steps on from the first day's: no date arithmetic per day, which a
    /// chain-wide run would do tens of millions of times.
    fn weekdays(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        let first = self.first_day.map(weekday_index);
        self.daily_milli
            .iter()
            .enumerate()
            .filter_map(move |(i, &m)| Some(((first? + i) % 7, m)))
    }

    /// Mean and standard deviation of daily use, in thousandths (population σ).
    pub fn mean_and_sigma(&self) -> (f64, f64) {
        let n = self.daily_milli.len();
        if n == 0 {
            return (0.0, 0.0);
        }
        let mean = self.daily_milli.iter().map(|&m| m as f64).sum::<f64>() / n as f64;
        let var = self
            .daily_milli
            .iter()
            .map(|&m| (m as f64 - mean).powi(2))
            .sum::<f64>()
            / n as f64;
        (mean, var.sqrt())
    }
}

fn weekday_index(day: Date) -> usize {
    usize::from(day.weekday().number_days_from_monday())
}

/// Smoothing weight of the newest day: high enough to follow a change within a few
/// weeks, low enough that one busy day does not double the forecast.
pub const ALPHA: f64 = 0.3;

/// Two weeks at least before a weekday pattern is believed; until then every day is
/// alike.
const PATTERN_MIN_DAYS: usize = 14;

/// Use per day after exponential smoothing of the history divided by its weekday
/// pattern: the expected use of a day is `level × factor[weekday]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pattern {
    /// Smoothed use on an average day, in thousandths.
    pub level: f64,
    /// Monday first: how much busier than average each weekday is (1.0 = average).
    pub factors: [f64; 7],
}

impl Pattern {
    /// Smooths `history`.
    pub fn of(history: &History) -> Pattern {
        let factors = weekday_factors(history);
        let mut level: Option<f64> = None;
        for (weekday, used) in history.weekdays() {
            let factor = factors[weekday];
            // A weekday that never saw use says nothing about the level.
            if factor <= f64::EPSILON {
                continue;
            }
            let plain = used as f64 / factor;
            level = Some(match level {
                None => plain,
                Some(l) => ALPHA * plain + (1.0 - ALPHA) * l,
            });
        }
        Pattern {
            level: level.unwrap_or(0.0),
            factors,
        }
    }

    /// Expected use on `day`, in thousandths.
    pub fn on(&self, day: Date) -> f64 {
        self.level * self.factors[weekday_index(day)]
    }

    /// Expected use over `days` days from `from`, rounded to thousandths.
    pub fn over(&self, from: Date, days: u16) -> u64 {
        let total: f64 = (0..days)
            .filter_map(|d| from.checked_add(Duration::days(i64::from(d))))
            .map(|day| self.on(day))
            .sum();
        total.round().max(0.0) as u64
    }

    /// Use per average day, rounded to thousandths.
    pub fn per_day_milli(&self) -> u64 {
        self.level.round().max(0.0) as u64
    }
}

fn weekday_factors(history: &History) -> [f64; 7] {
    let mut sums = [0.0f64; 7];
    let mut counts = [0u32; 7];
    for (weekday, used) in history.weekdays() {
        sums[weekday] += used as f64;
        counts[weekday] += 1;
    }
    let n = history.daily_milli.len();
    let total: f64 = sums.iter().sum();
    if n < PATTERN_MIN_DAYS || total <= 0.0 {
        return [1.0; 7];
    }
    let mean = total / n as f64;
    let mut factors = [1.0; 7];
    for w in 0..7 {
        if counts[w] > 0 {
            factors[w] = sums[w] / f64::from(counts[w]) / mean;
        }
    }
    factors
}

/// What is already known about one coming day at a location for a part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownDay {
    /// Held by bookings scheduled that day.
    pub reserved_milli: u64,
    /// Cars whose service comes due that day and are not booked.
    pub due_cars: u32,
    /// What those cars would take, in thousandths (before [`Policy::take_up_permille`]).
    pub due_milli: u64,
}

/// Demand at one location for one part over `days` coming days, as the sum HQ reads:
/// `reserved + due + other`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forecast {
    /// Days ahead, today included.
    pub days: u16,
    /// Held by booked work in those days (already out of available stock).
    pub reserved_milli: u64,
    /// Cars whose service comes due in those days.
    pub due_cars: u32,
    /// What the share of them expected back would take.
    pub due_milli: u64,
    /// What recent consumption, smoothed with its weekday pattern, predicts.
    pub recent_milli: u64,
    /// The part of `recent` that booked and due work do not already explain.
    pub other_milli: u64,
}

impl Forecast {
    /// All demand: reserved, due and other.
    pub fn total_milli(&self) -> u64 {
        self.reserved_milli + self.due_milli + self.other_milli
    }

    /// Demand not yet held by a booking: what stock on the shelf must still meet.
    pub fn unreserved_milli(&self) -> u64 {
        self.due_milli + self.other_milli
    }
}

/// The forecast over `days` from `today` for a location whose use is `pattern`,
/// with `known` listing the coming days from today (missing days know nothing): the
/// sums of [`forecast_by_day`]. Recent use already includes booked and due visits of
/// the past, so only what it predicts beyond them is added: the total is the larger of
/// the two views.
pub fn forecast(
    pattern: &Pattern,
    known: &[KnownDay],
    today: Date,
    days: u16,
    policy: &Policy,
) -> Forecast {
    let mut f = Forecast {
        days,
        ..Forecast::default()
    };
    for d in (0..days).filter_map(|d| day_forecast(pattern, known, today, d, policy)) {
        f.reserved_milli += d.reserved_milli;
        f.due_cars += d.due_cars;
        f.due_milli += d.due_milli;
        f.recent_milli += d.recent_milli;
    }
    f.other_milli = f
        .recent_milli
        .saturating_sub(f.reserved_milli + f.due_milli);
    f
}

/// One coming day of a forecast, as the forecast page lists it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayForecast {
    /// The day.
    pub day: Date,
    /// Held by bookings that day.
    pub reserved_milli: u64,
    /// Cars coming due that day.
    pub due_cars: u32,
    /// What the share of them expected back would take.
    pub due_milli: u64,
    /// What recent use, with its weekday pattern, expects that day.
    pub recent_milli: u64,
}

/// [`forecast`] day by day: its reserved, due and recent figures are the sums of these.
pub fn forecast_by_day(
    pattern: &Pattern,
    known: &[KnownDay],
    today: Date,
    days: u16,
    policy: &Policy,
) -> Vec<DayForecast> {
    (0..days)
        .filter_map(|d| day_forecast(pattern, known, today, d, policy))
        .collect()
}

/// Day `d` (0 today) of [`forecast_by_day`]; [`forecast`] sums these without keeping
/// them, as a chain-wide run asks for half a million forecasts.
fn day_forecast(
    pattern: &Pattern,
    known: &[KnownDay],
    today: Date,
    d: u16,
    policy: &Policy,
) -> Option<DayForecast> {
    let day = today.checked_add(Duration::days(i64::from(d)))?;
    let k = known.get(usize::from(d)).copied().unwrap_or_default();
    Some(DayForecast {
        day,
        reserved_milli: k.reserved_milli,
        due_cars: k.due_cars,
        due_milli: k.due_milli * u64::from(policy.take_up_permille) / 1000,
        recent_milli: pattern.on(day).round().max(0.0) as u64,
    })
}

/// A suggested safety stock with the figures of its formula `z × σ × √L`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SafetySuggestion {
    /// The service-level factor (1.65 for 95 %).
    pub z: f64,
    /// Standard deviation of daily use, thousandths.
    pub sigma_milli: f64,
    /// Lead time in days.
    pub lead_days: u16,
    /// `z × σ × √L` rounded up to whole units.
    pub suggested_milli: u64,
}

/// 95 % of days covered: the usual service level for fast-moving consumables.
pub const Z_95: f64 = 1.65;

/// The safety stock that covers the variability of daily use over the lead time on
/// 95 % of days.
pub fn suggest_safety(history: &History, lead_days: u16) -> SafetySuggestion {
    let (_, sigma) = history.mean_and_sigma();
    let raw = Z_95 * sigma * f64::from(lead_days).sqrt();
    SafetySuggestion {
        z: Z_95,
        sigma_milli: sigma,
        lead_days,
        suggested_milli: ceil_units(raw.ceil().max(0.0) as u64),
    }
}

/// Where a location stands with a part, for the network matrix's filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockStatus {
    /// Nothing available.
    Out,
    /// Available below the safety stock.
    BelowSafety,
    /// Between safety stock and surplus.
    Healthy,
    /// More than twice the safety stock plus [`Policy::surplus_days`] of use.
    Surplus,
}

impl StockStatus {
    /// Every status, in the filter's order.
    pub const ALL: [StockStatus; 4] = [
        StockStatus::Out,
        StockStatus::BelowSafety,
        StockStatus::Healthy,
        StockStatus::Surplus,
    ];

    /// The stable code used in addresses and forms.
    pub fn code(self) -> &'static str {
        match self {
            StockStatus::Out => "out",
            StockStatus::BelowSafety => "below_safety",
            StockStatus::Healthy => "healthy",
            StockStatus::Surplus => "surplus",
        }
    }

    /// The status with this code.
    pub fn parse(code: &str) -> Option<StockStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The status of `level` against `safety_milli` at `per_day_milli` of use.
pub fn status(
    level: StockLevel,
    safety_milli: u64,
    per_day_milli: u64,
    policy: &Policy,
) -> StockStatus {
    let available = level.available_milli();
    if available == 0 {
        StockStatus::Out
    } else if available < safety_milli {
        StockStatus::BelowSafety
    } else if available > 2 * safety_milli + per_day_milli * u64::from(policy.surplus_days) {
        StockStatus::Surplus
    } else {
        StockStatus::Healthy
    }
}

/// Days the available stock lasts at `per_day_milli`; `None` when nothing is used.
pub fn days_of_cover(available_milli: u64, per_day_milli: u64) -> Option<u64> {
    (per_day_milli > 0).then(|| available_milli / per_day_milli)
}

/// The settings of a proposal run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Days a store's stock should cover: the next waves plus a day until the next run.
    pub store_cover_days: u16,
    /// Days between two proposal runs, added to a supplier's lead time.
    pub review_days: u16,
    /// Of cars coming due, how many in a thousand are expected back in the window.
    pub take_up_permille: u16,
    /// How far a store may send its surplus to another, in metres.
    pub transfer_radius_m: u32,
    /// Days of use beyond twice the safety stock that make stock a surplus.
    pub surplus_days: u16,
    /// Days of history the forecast smooths.
    pub history_days: u16,
}

impl Default for Policy {
    /// Three days of cover, daily runs, six in ten due cars back, 15 km for store
    /// transfers, surplus beyond 30 days, 90 days of history.
    fn default() -> Self {
        Policy {
            store_cover_days: 3,
            review_days: 1,
            take_up_permille: 600,
            transfer_radius_m: 15_000,
            surplus_days: 30,
            history_days: 90,
        }
    }
}

/// When the day's proposal runs by itself, in local minutes: 05:00, so that HQ finds
/// it waiting when the day starts and the [`Policy::review_days`] of one holds without
/// anyone pressing a button ([`nightly_replaces`]: unless one was just made).
pub const NIGHTLY_RUN_MIN: u16 = 5 * 60;

/// The local day whose nightly run is due at `now`: today from [`NIGHTLY_RUN_MIN`] on,
/// `None` before it (yesterday's ran, or was missed, and is not made up at 04:59).
pub fn nightly_day(now: OffsetDateTime) -> Option<Date> {
    (crate::local_time::local_minute_of_day(now) >= NIGHTLY_RUN_MIN)
        .then(|| crate::local_time::local_date(now))
}

/// A proposal made less than this many minutes before the nightly run stands in for
/// it: the run would plan from much the same stock, and replacing lines would take them
/// from under whoever is deciding them.
pub const NIGHTLY_SPARES_MINUTES: i64 = 60;

/// Whether the nightly run at `now` replaces the latest proposal, made at `latest`.
/// It never replaces one that [`run_replaces`] would keep.
pub fn nightly_replaces(latest: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    latest.is_none_or(|at| at + time::Duration::minutes(NIGHTLY_SPARES_MINUTES) <= now)
}

/// Whether a run that read the network at `now` replaces the latest proposal, made at
/// `latest`: not if that one read it later. Runs overlap (HQ's button while the
/// nightly job plans, two planners at once), and the one saved last may have read the
/// older stock; the proposal to decide is always the newest reading's, so HQ never
/// finds the latest proposal's lines superseded by an older one's.
pub fn run_replaces(latest: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    latest.is_none_or(|at| at <= now)
}

/// A location of the network as the proposal sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// The store or warehouse.
    pub id: StoreId,
    /// Whether it is the central warehouse.
    pub is_warehouse: bool,
    /// Where it is.
    pub geo: GeoPoint,
    /// Its delivery route's departures (what is sent to it rides the next one).
    pub waves: Waves,
}

/// Where the warehouse buys a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sourcing {
    /// The part.
    pub part: PartId,
    /// Its supplier.
    pub supplier: SupplierId,
    /// Days from order to delivery at the warehouse.
    pub lead_days: u16,
    /// The smallest order the supplier takes, thousandths.
    pub min_order_milli: u64,
    /// What comes in one pack, thousandths (orders are whole packs).
    pub pack_milli: u64,
}

/// One location's position in one part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// The location.
    pub location: StoreId,
    /// The part.
    pub part: PartId,
    /// On hand and reserved.
    pub level: StockLevel,
    /// On its way here and not held by a booking.
    pub in_transit_milli: u64,
    /// The safety stock.
    pub safety_milli: u64,
    /// Consumption per day.
    pub history: History,
    /// What is known of the coming days, from today.
    pub known: Vec<KnownDay>,
}

/// Everything a proposal is computed from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanInput {
    /// When the run happens (the next wave is the one after it).
    #[serde(with = "time::serde::rfc3339")]
    pub now: OffsetDateTime,
    /// The local day of `now`.
    pub today: Date,
    /// The locations.
    pub sites: Vec<Site>,
    /// Each part's supplier.
    pub sourcing: Vec<Sourcing>,
    /// Every location × part position.
    pub positions: Vec<Position>,
    /// The run's settings.
    pub policy: Policy,
    /// Picking and legs; each destination's waves are its site's.
    pub schedule: DeliverySchedule,
}

/// Where a line's stock comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Source {
    /// Another store's surplus, sent on the next wave.
    Store {
        /// The store that sends.
        from: StoreId,
        /// How far it is.
        distance_m: u32,
        /// What it can spare above its own forecast and safety stock.
        spare_milli: u64,
    },
    /// The warehouse, on the next delivery wave.
    Warehouse {
        /// The warehouse.
        from: StoreId,
        /// What it can spare above its safety stock.
        spare_milli: u64,
    },
    /// A purchase order to the supplier, delivered to the warehouse.
    Supplier {
        /// The supplier.
        supplier: SupplierId,
        /// Days to delivery.
        lead_days: u16,
    },
}

impl Source {
    /// The location that gives the stock, if a location does.
    pub fn location(&self) -> Option<StoreId> {
        match self {
            Source::Store { from, .. } | Source::Warehouse { from, .. } => Some(*from),
            Source::Supplier { .. } => None,
        }
    }

    /// The stable code stored with a line.
    pub fn code(&self) -> &'static str {
        match self {
            Source::Store { .. } => "store",
            Source::Warehouse { .. } => "warehouse",
            Source::Supplier { .. } => "supplier",
        }
    }
}

/// One figure of a line's arithmetic, in thousandths, with its sign given by its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Term {
    /// + Cars coming due in the period, times the share expected back.
    Due {
        /// Cars.
        cars: u32,
        /// Days ahead.
        days: u16,
        /// Thousandths.
        milli: u64,
    },
    /// + Recent use beyond booked and due work over the period.
    OtherUse {
        /// Days ahead.
        days: u16,
        /// Thousandths.
        milli: u64,
    },
    /// + The location's safety stock.
    Safety {
        /// Thousandths.
        milli: u64,
    },
    /// − Available now (on hand less booked).
    Available {
        /// Thousandths.
        milli: u64,
    },
    /// − Already on its way.
    InTransit {
        /// Thousandths.
        milli: u64,
    },
    /// + Rounded up to whole units.
    Rounding {
        /// Thousandths.
        milli: u64,
    },
    /// − Covered by the lines before this one.
    EarlierLines {
        /// Thousandths.
        milli: u64,
    },
    /// − More than this source can spare.
    BeyondSource {
        /// Thousandths.
        milli: u64,
    },
    /// + The stores' demand over the supplier's lead time and a review period.
    StoresDemand {
        /// Days.
        days: u16,
        /// Thousandths.
        milli: u64,
    },
    /// + What this proposal sends from the warehouse to stores.
    SentToStores {
        /// Thousandths.
        milli: u64,
    },
    /// + Store shortfalls no store and not the warehouse could cover.
    Unserved {
        /// Thousandths.
        milli: u64,
    },
    /// + Raised to the supplier's minimum order.
    MinimumOrder {
        /// Thousandths.
        milli: u64,
    },
    /// + Rounded up to whole packs.
    PackRounding {
        /// Thousandths.
        milli: u64,
    },
}

impl Term {
    /// The term with its sign.
    pub fn signed_milli(&self) -> i128 {
        match *self {
            Term::Due { milli, .. }
            | Term::OtherUse { milli, .. }
            | Term::Safety { milli }
            | Term::Rounding { milli }
            | Term::StoresDemand { milli, .. }
            | Term::SentToStores { milli }
            | Term::Unserved { milli }
            | Term::MinimumOrder { milli }
            | Term::PackRounding { milli } => i128::from(milli),
            Term::Available { milli }
            | Term::InTransit { milli }
            | Term::EarlierLines { milli }
            | Term::BeyondSource { milli } => -i128::from(milli),
        }
    }
}

/// One proposed movement: to a location, of a part, from a source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// Where it goes (the warehouse for a purchase order).
    pub to: StoreId,
    /// The part.
    pub part: PartId,
    /// Where it comes from.
    pub source: Source,
    /// How much, in thousandths (whole units; whole packs for a supplier).
    pub quantity_milli: u64,
    /// The arithmetic: their signed sum is `quantity_milli`.
    pub terms: Vec<Term>,
    /// The destination's forecast over the period the line covers.
    pub forecast: Forecast,
    /// When it would arrive: the wave's arrival, or the supplier's delivery.
    #[serde(with = "time::serde::rfc3339")]
    pub eta: OffsetDateTime,
}

impl Line {
    /// The signed sum of the terms, which equals the quantity.
    pub fn explained_milli(&self) -> i128 {
        self.terms.iter().map(Term::signed_milli).sum()
    }
}

/// A replenishment proposal: lines for every location and part that needs stock.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// Stores' lines first (by destination, part, then source order), then supplier lines.
    pub lines: Vec<Line>,
}

impl Proposal {
    /// The proposal of a whole input from the [`Partial`]s of its [`PlanInput::split`],
    /// given in the split's order: the same lines as [`plan`] of the whole, since each
    /// part is planned on its own.
    pub fn join(partials: impl IntoIterator<Item = Partial>) -> Proposal {
        let (mut store_lines, mut supplier_lines) = (Vec::new(), Vec::new());
        for mut p in partials {
            store_lines.append(&mut p.store_lines);
            supplier_lines.append(&mut p.supplier_lines);
        }
        // Stable: a destination's lines of one part keep the order they were planned in.
        store_lines.sort_by(|a: &Line, b: &Line| {
            (a.to, a.part)
                .cmp(&(b.to, b.part))
                .then_with(|| source_rank(&a.source).cmp(&source_rank(&b.source)))
        });
        store_lines.extend(supplier_lines);
        Proposal { lines: store_lines }
    }
}

/// The lines of some of the parts, before they take their place in a [`Proposal`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Partial {
    store_lines: Vec<Line>,
    /// In part order, at most one per part.
    supplier_lines: Vec<Line>,
}

impl PlanInput {
    /// The input cut into at most `n` inputs, each with the positions of a run of parts
    /// (in part order) and the whole network: a part's lines depend only on its own
    /// positions, so the pieces can be planned at once ([`plan_partial`]) and joined
    /// ([`Proposal::join`]) into the whole's proposal.
    pub fn split(self, n: usize) -> Vec<PlanInput> {
        let PlanInput {
            now,
            today,
            sites,
            sourcing,
            positions,
            policy,
            schedule,
        } = self;
        let mut parts: Vec<PartId> = positions.iter().map(|p| p.part).collect();
        parts.sort_unstable();
        parts.dedup();
        let n = n.clamp(1, parts.len().max(1));
        // The first part of each piece after the first.
        let bounds: Vec<PartId> = (1..n).map(|i| parts[i * parts.len() / n]).collect();
        let mut pieces: Vec<Vec<Position>> = (0..n)
            .map(|_| Vec::with_capacity(positions.len() / n + 1))
            .collect();
        for p in positions {
            pieces[bounds.partition_point(|b| *b <= p.part)].push(p);
        }
        pieces
            .into_iter()
            .map(|positions| PlanInput {
                now,
                today,
                sites: sites.clone(),
                sourcing: sourcing.clone(),
                positions,
                policy: policy.clone(),
                schedule: schedule.clone(),
            })
            .collect()
    }
}

struct Need {
    at: StoreId,
    geo: GeoPoint,
    waves: Waves,
    milli: u64,
    terms: Vec<Term>,
    forecast: Forecast,
    // For ordering by urgency: what it has against what it should have.
    has: u64,
    target: u64,
}

/// The proposal for `input`. Pure: the same positions give the same lines, whatever the
/// order they were read in.
pub fn plan(input: &PlanInput) -> Proposal {
    Proposal::join([plan_partial(input)])
}

/// [`plan`] of a piece of a [`PlanInput::split`]: its lines, to be joined.
pub fn plan_partial(input: &PlanInput) -> Partial {
    let sites: BTreeMap<StoreId, Site> = input.sites.iter().map(|s| (s.id, *s)).collect();
    let sourcing: BTreeMap<PartId, Sourcing> =
        input.sourcing.iter().map(|s| (s.part, *s)).collect();
    let mut by_part: BTreeMap<PartId, BTreeMap<StoreId, &Position>> = BTreeMap::new();
    for p in &input.positions {
        if sites.contains_key(&p.location) {
            by_part.entry(p.part).or_default().insert(p.location, p);
        }
    }
    // Each store's neighbours within reach, nearest first (ties by id), worked out once
    // rather than for every line.
    let mut near: BTreeMap<StoreId, Vec<(u32, StoreId)>> = BTreeMap::new();
    for a in sites.values().filter(|s| !s.is_warehouse) {
        let mut around: Vec<(u32, StoreId)> = sites
            .values()
            .filter(|b| !b.is_warehouse && b.id != a.id)
            .map(|b| (distance_m(a.geo, b.geo), b.id))
            .filter(|&(d, _)| d <= input.policy.transfer_radius_m)
            .collect();
        around.sort();
        near.insert(a.id, around);
    }
    let mut partial = Partial::default();
    for (part, positions) in by_part {
        let (mut lines, order) =
            plan_part(input, &sites, &near, part, &positions, sourcing.get(&part));
        partial.store_lines.append(&mut lines);
        partial.supplier_lines.extend(order);
    }
    partial
}

fn source_rank(source: &Source) -> (u8, u32, Option<StoreId>) {
    match source {
        Source::Store {
            from, distance_m, ..
        } => (0, *distance_m, Some(*from)),
        Source::Warehouse { .. } => (1, 0, None),
        Source::Supplier { .. } => (2, 0, None),
    }
}

fn plan_part(
    input: &PlanInput,
    sites: &BTreeMap<StoreId, Site>,
    near: &BTreeMap<StoreId, Vec<(u32, StoreId)>>,
    part: PartId,
    positions: &BTreeMap<StoreId, &Position>,
    sourcing: Option<&Sourcing>,
) -> (Vec<Line>, Option<Line>) {
    let policy = &input.policy;
    let cover = policy.store_cover_days;
    let mut needs: Vec<Need> = Vec::new();
    // What each store can give: shelf stock above its own forecast and safety stock.
    let mut spare: BTreeMap<StoreId, u64> = BTreeMap::new();
    // Declared before `warehouse`, which may borrow it.
    let empty_warehouse;
    let mut warehouse: Option<(&Site, &Position, u64)> = None;
    let mut stores_demand_supplier = 0u64;
    let supplier_days = sourcing.map_or(0, |s| s.lead_days) + policy.review_days;
    for (&at, &pos) in positions {
        let Some(site) = sites.get(&at) else { continue };
        let available = pos.level.available_milli();
        if site.is_warehouse {
            let free = floor_units(available.saturating_sub(pos.safety_milli));
            warehouse = Some((site, pos, free));
            continue;
        }
        let pattern = Pattern::of(&pos.history);
        let f = forecast(&pattern, &pos.known, input.today, cover, policy);
        stores_demand_supplier +=
            forecast(&pattern, &pos.known, input.today, supplier_days, policy).unreserved_milli();
        let target = f.unreserved_milli() + pos.safety_milli;
        let has = available + pos.in_transit_milli;
        spare.insert(at, floor_units(available.saturating_sub(target)));
        if has >= target {
            continue;
        }
        let short = target - has;
        let milli = ceil_units(short);
        let mut terms = vec![
            Term::Due {
                cars: f.due_cars,
                days: cover,
                milli: f.due_milli,
            },
            Term::OtherUse {
                days: cover,
                milli: f.other_milli,
            },
            Term::Safety {
                milli: pos.safety_milli,
            },
            Term::Available { milli: available },
            Term::InTransit {
                milli: pos.in_transit_milli,
            },
        ];
        if milli > short {
            terms.push(Term::Rounding {
                milli: milli - short,
            });
        }
        needs.push(Need {
            at,
            geo: site.geo,
            waves: site.waves,
            milli,
            terms,
            forecast: f,
            has,
            target,
        });
    }
    // A sourced part the warehouse has never stocked is still ordered for the stores.
    if warehouse.is_none() && sourcing.is_some() {
        if let Some(site) = sites.values().find(|s| s.is_warehouse) {
            empty_warehouse = Position {
                location: site.id,
                part,
                level: StockLevel::EMPTY,
                in_transit_milli: 0,
                safety_milli: 0,
                history: History::default(),
                known: Vec::new(),
            };
            warehouse = Some((site, &empty_warehouse, 0));
        }
    }
    // The emptiest first (has/target smallest), so scarce stock goes where it is missed
    // soonest; ties by location id keep the run deterministic.
    needs.sort_by(|a, b| {
        let left = u128::from(a.has) * u128::from(b.target);
        let right = u128::from(b.has) * u128::from(a.target);
        match left.cmp(&right) {
            Ordering::Equal => a.at.cmp(&b.at),
            other => other,
        }
    });
    let mut lines = Vec::new();
    let mut warehouse_free = warehouse.map_or(0, |(_, _, free)| free);
    let mut sent_from_warehouse = 0u64;
    let mut unserved = 0u64;
    for need in needs {
        let mut covered = 0u64;
        for &(distance, from) in near.get(&need.at).into_iter().flatten() {
            if covered == need.milli {
                break;
            }
            let can = spare.get(&from).copied().unwrap_or(0);
            let q = can.min(need.milli - covered);
            if q == 0 {
                continue;
            }
            lines.push(line_for(
                &need,
                part,
                Source::Store {
                    from,
                    distance_m: distance,
                    spare_milli: can,
                },
                covered,
                q,
                input.schedule.on(need.waves).eta(input.now, distance),
            ));
            spare.insert(from, can - q);
            covered += q;
        }
        if covered < need.milli && warehouse_free > 0 {
            if let Some((site, _, _)) = warehouse {
                let q = warehouse_free.min(need.milli - covered);
                lines.push(line_for(
                    &need,
                    part,
                    Source::Warehouse {
                        from: site.id,
                        spare_milli: warehouse_free,
                    },
                    covered,
                    q,
                    input
                        .schedule
                        .on(need.waves)
                        .eta(input.now, distance_m(site.geo, need.geo)),
                ));
                warehouse_free -= q;
                sent_from_warehouse += q;
                covered += q;
            }
        }
        unserved += need.milli - covered;
    }
    let order = match (warehouse, sourcing) {
        (Some((site, pos, _)), Some(src)) => supplier_line(
            input,
            site,
            pos,
            src,
            supplier_days,
            stores_demand_supplier,
            sent_from_warehouse,
            unserved,
        ),
        _ => None,
    };
    (lines, order)
}

fn line_for(
    need: &Need,
    part: PartId,
    source: Source,
    before: u64,
    quantity: u64,
    eta: OffsetDateTime,
) -> Line {
    let mut terms = need.terms.clone();
    if before > 0 {
        terms.push(Term::EarlierLines { milli: before });
    }
    let beyond = need.milli - before - quantity;
    if beyond > 0 {
        terms.push(Term::BeyondSource { milli: beyond });
    }
    Line {
        to: need.at,
        part,
        source,
        quantity_milli: quantity,
        terms,
        forecast: need.forecast,
        eta,
    }
}

#[allow(clippy::too_many_arguments)]
fn supplier_line(
    input: &PlanInput,
    site: &Site,
    pos: &Position,
    src: &Sourcing,
    days: u16,
    stores_demand: u64,
    sent: u64,
    unserved: u64,
) -> Option<Line> {
    let available = pos.level.available_milli();
    let plus = stores_demand + pos.safety_milli + sent + unserved;
    let minus = available + pos.in_transit_milli;
    if plus <= minus {
        return None;
    }
    let short = plus - minus;
    let mut terms = vec![
        Term::StoresDemand {
            days,
            milli: stores_demand,
        },
        Term::Safety {
            milli: pos.safety_milli,
        },
        Term::SentToStores { milli: sent },
        Term::Unserved { milli: unserved },
        Term::Available { milli: available },
        Term::InTransit {
            milli: pos.in_transit_milli,
        },
    ];
    let mut quantity = short;
    let pack = src.pack_milli.max(1);
    let minimum = src.min_order_milli.div_ceil(pack) * pack;
    if quantity < minimum {
        terms.push(Term::MinimumOrder {
            milli: minimum - quantity,
        });
        quantity = minimum;
    }
    let packed = quantity.div_ceil(pack) * pack;
    if packed > quantity {
        terms.push(Term::PackRounding {
            milli: packed - quantity,
        });
        quantity = packed;
    }
    let eta = input
        .now
        .checked_add(Duration::days(i64::from(src.lead_days)))
        .unwrap_or(input.now);
    Some(Line {
        to: site.id,
        part: pos.part,
        source: Source::Supplier {
            supplier: src.supplier,
            lead_days: src.lead_days,
        },
        quantity_milli: quantity,
        terms,
        forecast: Forecast {
            days,
            due_milli: 0,
            due_cars: 0,
            reserved_milli: 0,
            recent_milli: stores_demand,
            other_milli: stores_demand,
        },
        eta,
    })
}

/// How a transfer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    /// Approved: held at the source until its wave leaves.
    Reserved,
    /// On the van.
    InTransit,
    /// All of it arrived.
    Received,
    /// Less arrived than was sent; the shortfall is recorded.
    PartlyReceived,
    /// Withdrawn before it left.
    Cancelled,
}

impl TransferStatus {
    /// Every status.
    pub const ALL: [TransferStatus; 5] = [
        TransferStatus::Reserved,
        TransferStatus::InTransit,
        TransferStatus::Received,
        TransferStatus::PartlyReceived,
        TransferStatus::Cancelled,
    ];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            TransferStatus::Reserved => "reserved",
            TransferStatus::InTransit => "in_transit",
            TransferStatus::Received => "received",
            TransferStatus::PartlyReceived => "partly_received",
            TransferStatus::Cancelled => "cancelled",
        }
    }

    /// The status with this code.
    pub fn parse(code: &str) -> Option<TransferStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether it is still to arrive (counted as in transit at the destination).
    pub fn is_open(self) -> bool {
        matches!(self, TransferStatus::Reserved | TransferStatus::InTransit)
    }

    /// The status after dispatch: only a reserved transfer leaves.
    pub fn dispatch(self) -> Result<TransferStatus, Error> {
        match self {
            TransferStatus::Reserved => Ok(TransferStatus::InTransit),
            _ => Err(Error::StepOutOfOrder),
        }
    }

    /// The status after a cancel: only a transfer that has not left may be withdrawn
    /// (its stock goes back to the source's available).
    pub fn cancel(self) -> Result<TransferStatus, Error> {
        match self {
            TransferStatus::Reserved => Ok(TransferStatus::Cancelled),
            _ => Err(Error::StepOutOfOrder),
        }
    }
}

/// How a purchase order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Sent to the supplier.
    Sent,
    /// All of it arrived at the warehouse.
    Received,
    /// Less arrived than was ordered.
    PartlyReceived,
}

impl OrderStatus {
    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            OrderStatus::Sent => "sent",
            OrderStatus::Received => "received",
            OrderStatus::PartlyReceived => "partly_received",
        }
    }

    /// The status with this code.
    pub fn parse(code: &str) -> Option<OrderStatus> {
        [
            OrderStatus::Sent,
            OrderStatus::Received,
            OrderStatus::PartlyReceived,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// What a receipt records: what arrived and what did not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Arrived, thousandths.
    pub received_milli: u64,
    /// Sent or ordered but not arrived.
    pub shortfall_milli: u64,
}

impl Receipt {
    /// Whether all of it arrived.
    pub fn is_complete(&self) -> bool {
        self.shortfall_milli == 0
    }
}

/// The receipt of `received_milli` against `sent_milli`: more than was sent is
/// [`Error::ReceiptTooLarge`]; less is a partial receipt with its shortfall.
pub fn receive(sent_milli: u64, received_milli: u64) -> Result<Receipt, Error> {
    if received_milli > sent_milli {
        return Err(Error::ReceiptTooLarge);
    }
    Ok(Receipt {
        received_milli,
        shortfall_milli: sent_milli - received_milli,
    })
}

/// How many of `holds` (bookings holding an arriving shipment, earliest first) keep
/// their part when `free_milli` is on the shelf after the receipt: each in turn while
/// it still fits; the rest lose their hold and are told.
pub fn settle_holds(free_milli: u64, holds: &[u64]) -> usize {
    let mut left = free_milli;
    holds
        .iter()
        .take_while(|&&h| {
            let fits = h <= left;
            if fits {
                left -= h;
            }
            fits
        })
        .count()
}

/// What a person typed as a received quantity, in thousandths: zero or more units, at
/// most three decimals.
pub fn parse_received(input: &str) -> Result<u64, Error> {
    parse_milli(input).ok_or(Error::QuantityInvalid)
}

/// An approved line's quantity as edited, in thousandths: more than zero, at most three
/// decimals.
pub fn parse_approved(input: &str) -> Result<u64, Error> {
    parse_milli(input)
        .filter(|&m| m > 0)
        .ok_or(Error::ProposalQuantityInvalid)
}

#[cfg(test)]
mod tests;
