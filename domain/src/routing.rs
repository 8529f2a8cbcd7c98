//! Online orders that serve the stores (rule 5): an order a customer places for "any
//! store" goes to the store they used last, else to the nearest store that can serve it.
//! That store answers within the acceptance window; a decline, or no answer in time,
//! hands the order on to the next-nearest capable store, never the same store twice.
//! When no store is left, the order is unserved and HQ is told.
//!
//! - [`PreferredWindow`] and [`DayPart`]: when the customer would like it done
//!   ("tomorrow morning"), parsed against the booking limits.
//! - [`AcceptanceWindow`]: how long a store has to answer (HQ's setting, 60 minutes by
//!   default) and the deadline it gives an offer.
//! - [`place`]: a new order's locked prices and first store.
//! - The rule itself: [`Candidate`], [`next_store`] (one hop) and [`routing_order`] (the
//!   whole order, as the property tests state it).
//! - [`service_candidates`]: which stores can serve a service request, from the same
//!   [`Situation`] a booking decides from: the service is priced, the parts can be
//!   there, and capacity is left inside the window.
//! - Answers: [`Hop`] (one store's turn), [`check_answer`] (may this store still
//!   answer?), [`is_due`] (has its time run out?), [`DeclineReason`], and
//!   [`accept_plan`], the booking an acceptance makes through [`booking::plan`] at the
//!   prices the order locked when it was placed.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use crate::booking::{self, BookingPlan, BookingRequest, Situation};
use crate::breakdown::Breakdown;
use crate::geo::{distance_m, GeoPoint};
use crate::local_time::at_local_minute;
use crate::slots::Slot;
use crate::{BookingLimits, Error, OpenBooking, RoutedOrderId, StaffId, StoreId};

/// A part of the day a customer can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayPart {
    /// Until noon.
    Morning,
    /// From noon.
    Afternoon,
    /// Any time that day.
    AllDay,
}

impl DayPart {
    /// Every part of the day, in the order a form lists them.
    pub const ALL: [DayPart; 3] = [DayPart::Morning, DayPart::Afternoon, DayPart::AllDay];

    /// The stable code forms send and the database stores.
    pub fn code(self) -> &'static str {
        match self {
            DayPart::Morning => "morning",
            DayPart::Afternoon => "afternoon",
            DayPart::AllDay => "all_day",
        }
    }

    /// The part of the day with this code.
    pub fn parse(code: &str) -> Option<DayPart> {
        Self::ALL.into_iter().find(|p| p.code() == code.trim())
    }

    /// Local minutes after midnight it spans, `[from, to)`.
    fn minutes(self) -> (u16, u16) {
        match self {
            DayPart::Morning => (0, 12 * 60),
            DayPart::Afternoon => (12 * 60, 24 * 60),
            DayPart::AllDay => (0, 24 * 60),
        }
    }
}

/// When the customer would like the work done: a local day and a part of it. A store
/// accepting the order books a start inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferredWindow {
    /// The local day.
    pub date: Date,
    /// Which part of it.
    pub part: DayPart,
}

impl PreferredWindow {
    /// Parses a form's day (`2026-12-06`) and part of the day (`morning`), and checks it
    /// can still be served under `limits` at `now`: [`Error::WindowInvalid`] for
    /// anything else, [`Error::WindowInPast`] when it ends before the earliest start a
    /// booking may have now, [`Error::SlotBeyondHorizon`] when it begins past the
    /// booking horizon.
    pub fn parse(
        date: &str,
        part: &str,
        limits: &BookingLimits,
        now: OffsetDateTime,
    ) -> Result<PreferredWindow, Error> {
        let date = crate::local_time::parse_date(date).map_err(|_| Error::WindowInvalid)?;
        let part = DayPart::parse(part).ok_or(Error::WindowInvalid)?;
        let window = PreferredWindow { date, part };
        let (earliest, horizon_end) = limits.window(now);
        if window.end() <= earliest {
            return Err(Error::WindowInPast);
        }
        if window.start() >= horizon_end {
            return Err(Error::SlotBeyondHorizon);
        }
        Ok(window)
    }

    /// Its first instant.
    pub fn start(&self) -> OffsetDateTime {
        at_local_minute(self.date, self.part.minutes().0)
    }

    /// The instant just after it.
    pub fn end(&self) -> OffsetDateTime {
        at_local_minute(self.date, self.part.minutes().1)
    }

    /// Whether a job may start at `at` to fit the window.
    pub fn contains(&self, at: OffsetDateTime) -> bool {
        self.start() <= at && at < self.end()
    }
}

/// How long a store has to answer an order offered to it: 5 to 1440 minutes, 60 by
/// default (HQ's setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct AcceptanceWindow(u16);

impl Default for AcceptanceWindow {
    fn default() -> Self {
        AcceptanceWindow(60)
    }
}

impl AcceptanceWindow {
    /// The shortest window: a store needs a few minutes to look at an order.
    pub const MIN_MINUTES: u16 = 5;
    /// The longest: a day.
    pub const MAX_MINUTES: u16 = 24 * 60;

    /// A window of `minutes`, or [`Error::AcceptanceWindowInvalid`].
    pub fn new(minutes: u16) -> Result<AcceptanceWindow, Error> {
        if (Self::MIN_MINUTES..=Self::MAX_MINUTES).contains(&minutes) {
            Ok(AcceptanceWindow(minutes))
        } else {
            Err(Error::AcceptanceWindowInvalid)
        }
    }

    /// Parses what HQ types (`60`).
    pub fn parse(input: &str) -> Result<AcceptanceWindow, Error> {
        let minutes = input
            .trim()
            .parse::<u16>()
            .map_err(|_| Error::AcceptanceWindowInvalid)?;
        AcceptanceWindow::new(minutes)
    }

    /// Its length in minutes.
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// When an offer made at `offered_at` must be answered by: an answer at any instant
    /// before it counts, at it or after it the order moves on.
    pub fn deadline(self, offered_at: OffsetDateTime) -> OffsetDateTime {
        offered_at + Duration::minutes(i64::from(self.0))
    }
}

impl TryFrom<u16> for AcceptanceWindow {
    type Error = Error;
    fn try_from(minutes: u16) -> Result<Self, Error> {
        AcceptanceWindow::new(minutes)
    }
}

impl From<AcceptanceWindow> for u16 {
    fn from(w: AcceptanceWindow) -> u16 {
        w.0
    }
}

/// A store as routing weighs it for one order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The store.
    pub store: StoreId,
    /// From the customer, in metres.
    pub distance_m: u32,
    /// Whether it can serve the order now (see [`service_candidates`]).
    pub capable: bool,
}

/// Where an order goes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Offer it to this store.
    Offer(StoreId),
    /// No capable store is left: the order is unserved.
    Unserved,
}

/// The next store to offer an order to, given the stores already `tried`: the store the
/// customer used last if it can serve and has not been tried; otherwise the nearest
/// capable store not yet tried (ties by store id, so the answer never depends on the
/// order storage read the stores in); otherwise [`Next::Unserved`].
pub fn next_store(last_used: Option<StoreId>, candidates: &[Candidate], tried: &[StoreId]) -> Next {
    let mut open = candidates
        .iter()
        .filter(|c| c.capable && !tried.contains(&c.store));
    if let Some(last) = last_used {
        if open.clone().any(|c| c.store == last) {
            return Next::Offer(last);
        }
    }
    open.by_ref()
        .min_by_key(|c| (c.distance_m, c.store))
        .map_or(Next::Unserved, |c| Next::Offer(c.store))
}

/// The stores an order is offered to, in turn, if every one of them declines and the
/// candidates stay as they are: the whole route [`next_store`] walks hop by hop.
pub fn routing_order(last_used: Option<StoreId>, candidates: &[Candidate]) -> Vec<StoreId> {
    let mut tried = Vec::new();
    while let Next::Offer(store) = next_store(last_used, candidates, &tried) {
        tried.push(store);
    }
    tried
}

/// One of the customer's orders, as "the store they used last" weighs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visit {
    /// Its store.
    pub store: StoreId,
    /// Where it stands.
    pub status: crate::OrderStatus,
    /// When it was handed over (or, for one that was not, made).
    pub at: OffsetDateTime,
}

/// The store the customer used last: where their latest order was handed over. A
/// booking not yet kept, or cancelled, is not a visit.
pub fn last_used(visits: &[Visit]) -> Option<StoreId> {
    visits
        .iter()
        .filter(|v| v.status == crate::OrderStatus::HandedOver)
        .max_by_key(|v| v.at)
        .map(|v| v.store)
}

/// The stores that can serve a service request in `window` (the service priced, its
/// parts obtainable there in time, a free start inside the window under the booking
/// limits at `s.now`), each with its distance from `from`. The store picker's
/// [`booking::slots`] answers for each store, so a store routing offers an order to is
/// one whose slot list shows a start in the window.
pub fn service_candidates(
    s: &Situation,
    from: GeoPoint,
    window: &PreferredWindow,
) -> Vec<Candidate> {
    s.network
        .stores()
        .map(|store| Candidate {
            store: store.id,
            distance_m: distance_m(from, store.geo),
            capable: !slots_in_window(s, store.id, window).is_empty(),
        })
        .collect()
}

/// A store's bookable starts inside the customer's window: what its kiosk offers when
/// it accepts. Empty when the service is not priced, the parts cannot be had or the
/// window is full.
pub fn slots_in_window(s: &Situation, store: StoreId, window: &PreferredWindow) -> Vec<Slot> {
    let priced = s.priced();
    if priced.is_err() {
        return Vec::new();
    }
    booking::slots(s, store)
        .unwrap_or_default()
        .into_iter()
        .filter(|slot| window.contains(slot.start))
        .collect()
}

/// An order placed: the prices it locks and the first store it goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The prices the order locks (rule 1): what the customer saw and pays.
    pub breakdown: Breakdown,
    /// The store offered it first, or [`Next::Unserved`] when none can serve it.
    pub first: Next,
}

/// Decides a new service order for "any store": it must be priced
/// ([`Error::ServiceNotOffered`] when the service is not on sale) at the total the
/// customer saw ([`Error::PriceChanged`]); it goes first to the store [`next_store`]
/// names among [`service_candidates`], or is unserved from the start when none can serve
/// it (an order, not an error: HQ hears of it).
pub fn place(
    s: &Situation,
    window: &PreferredWindow,
    from: GeoPoint,
    last_used: Option<StoreId>,
    expected_total: crate::Money,
) -> Result<Placement, Error> {
    let priced = s.priced().map_err(|e| match e {
        Error::NotPriced => Error::ServiceNotOffered,
        other => other,
    })?;
    priced.check_total(expected_total)?;
    let candidates = service_candidates(s, from, window);
    Ok(Placement {
        breakdown: priced,
        first: next_store(last_used, &candidates, &[]),
    })
}

/// What became of one store's turn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HopOutcome {
    /// The store took the order.
    Accepted,
    /// The store said no, and why.
    Declined {
        /// Why.
        reason: DeclineReason,
    },
    /// The window ran out with no answer.
    Expired,
}

/// One store's turn with an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// The store.
    pub store: StoreId,
    /// When it was offered the order.
    #[serde(with = "time::serde::rfc3339")]
    pub offered_at: OffsetDateTime,
    /// When its time to answer ran or runs out.
    #[serde(with = "time::serde::rfc3339")]
    pub deadline: OffsetDateTime,
    /// What came of it; `None` while the store has yet to answer.
    pub outcome: Option<HopOutcome>,
    /// When it was decided.
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    /// Who answered, for an acceptance or a decline.
    pub decided_by: Option<StaffId>,
}

/// Whether the store whose turn `hop` is (or was) may answer at `now`:
/// [`Error::RoutedNotHere`] if the order was never offered to it,
/// [`Error::RoutedAnswered`] once it accepted or declined (a second device's answer),
/// [`Error::AnswerWindowClosed`] from its deadline on, whether or not the order has been
/// handed on yet. An answer one instant before the deadline counts.
pub fn check_answer(hop: Option<&Hop>, now: OffsetDateTime) -> Result<(), Error> {
    let hop = hop.ok_or(Error::RoutedNotHere)?;
    match hop.outcome {
        None if now < hop.deadline => Ok(()),
        None | Some(HopOutcome::Expired) => Err(Error::AnswerWindowClosed),
        Some(HopOutcome::Accepted | HopOutcome::Declined { .. }) => Err(Error::RoutedAnswered),
    }
}

/// Whether the store's time to answer has run out, so the order moves on.
pub fn is_due(hop: &Hop, now: OffsetDateTime) -> bool {
    hop.outcome.is_none() && now >= hop.deadline
}

crate::text::bounded_text!(
    /// What a store adds about a decline: 2 to 200 characters after trimming.
    DeclineNote, 2, 200, lines: false, Error::DeclineReasonMissing
);

/// Why a store declined an order: one of the usual reasons, or another one said in a
/// note (HQ reads them to see why orders move).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", content = "note", rename_all = "snake_case")]
pub enum DeclineReason {
    /// No free bay or technician at any time the customer asked for.
    FullyBooked,
    /// The parts cannot be had in time.
    NoParts,
    /// Nobody at the store does this kind of work.
    NoSkill,
    /// Something else, said in the note.
    Other(DeclineNote),
}

impl DeclineReason {
    /// The codes of the reasons, in the order a form lists them.
    pub const CODES: [&'static str; 4] = ["fully_booked", "no_parts", "no_skill", "other"];

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            DeclineReason::FullyBooked => "fully_booked",
            DeclineReason::NoParts => "no_parts",
            DeclineReason::NoSkill => "no_skill",
            DeclineReason::Other(_) => "other",
        }
    }

    /// The reason from a form's code and note: `other` needs a note of 2 to 200
    /// characters; the note of any other reason is ignored. Anything else is
    /// [`Error::DeclineReasonMissing`].
    pub fn parse(code: &str, note: &str) -> Result<DeclineReason, Error> {
        match code.trim() {
            "fully_booked" => Ok(DeclineReason::FullyBooked),
            "no_parts" => Ok(DeclineReason::NoParts),
            "no_skill" => Ok(DeclineReason::NoSkill),
            "other" => Ok(DeclineReason::Other(DeclineNote::parse(note)?)),
            _ => Err(Error::DeclineReasonMissing),
        }
    }

    /// The note, for "other".
    pub fn note(&self) -> Option<&str> {
        match self {
            DeclineReason::Other(note) => Some(note.as_str()),
            _ => None,
        }
    }
}

/// Where an online order stands, as its customer and HQ see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutedStatus {
    /// Waiting for a store's answer.
    Offered,
    /// A store took it: it is booked there.
    Accepted,
    /// Every capable store declined or let the window pass, or none could serve it.
    Unserved,
}

impl RoutedStatus {
    /// Every status.
    pub const ALL: [RoutedStatus; 3] = [
        RoutedStatus::Offered,
        RoutedStatus::Accepted,
        RoutedStatus::Unserved,
    ];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            RoutedStatus::Offered => "offered",
            RoutedStatus::Accepted => "accepted",
            RoutedStatus::Unserved => "unserved",
        }
    }

    /// The status with this code.
    pub fn parse(code: &str) -> Option<RoutedStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A short reference for an online order, e.g. `RQ-7Q4M2X9C`.
pub fn reference(id: RoutedOrderId) -> String {
    booking::reference_with("RQ-", id.as_uuid())
}

/// The booking a store's acceptance makes: [`booking::plan`] for the chosen `start` in
/// the customer's window, under the same checks as any booking (limits, parts,
/// capacity), at the prices the order locked when the customer placed it (rule 1),
/// whatever HQ has published since. [`Error::SlotOutsideWindow`] when `start` is not in
/// the window.
pub fn accept_plan(
    s: &Situation,
    request: &BookingRequest,
    window: &PreferredWindow,
    locked: &Breakdown,
    open: &[OpenBooking],
) -> Result<BookingPlan, Error> {
    if !window.contains(request.start) {
        return Err(Error::SlotOutsideWindow);
    }
    // The plan checks the total a customer saw against today's prices; the order's
    // customer saw `locked`, which is what they pay, so the check is against today's.
    let today = s.priced()?;
    let request = BookingRequest {
        expected_total: today.total,
        ..request.clone()
    };
    let mut plan = booking::plan(s, &request, open)?;
    plan.breakdown = locked.clone();
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};
    use uuid::Uuid;

    fn store(n: u8) -> StoreId {
        StoreId::from(Uuid::from_u128(u128::from(n) + 1))
    }

    fn candidate(n: u8, distance_m: u32, capable: bool) -> Candidate {
        Candidate {
            store: store(n),
            distance_m,
            capable,
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-12-07 09:00 +8);

    #[test]
    fn the_last_store_comes_first_when_it_can_serve() {
        let c = [candidate(0, 500, true), candidate(1, 9_000, true)];
        assert_eq!(routing_order(Some(store(1)), &c), vec![store(1), store(0)]);
    }

    #[test]
    fn a_last_store_that_cannot_serve_is_passed_over() {
        let c = [
            candidate(0, 500, true),
            candidate(1, 100, false),
            candidate(2, 800, true),
        ];
        assert_eq!(routing_order(Some(store(1)), &c), vec![store(0), store(2)]);
        assert_eq!(
            next_store(Some(store(1)), &c, &[store(0), store(2)]),
            Next::Unserved
        );
    }

    #[test]
    fn a_new_customer_goes_to_the_nearest_capable_store() {
        let c = [
            candidate(0, 3_000, true),
            candidate(1, 1_000, false),
            candidate(2, 2_000, true),
        ];
        assert_eq!(next_store(None, &c, &[]), Next::Offer(store(2)));
        assert_eq!(next_store(None, &c, &[store(2)]), Next::Offer(store(0)));
        assert_eq!(next_store(None, &[], &[]), Next::Unserved);
    }

    #[test]
    fn the_last_store_is_the_latest_handed_over_visit() {
        use crate::OrderStatus::{Booked, Cancelled, HandedOver};
        let visit = |n, status, hours| Visit {
            store: store(n),
            status,
            at: NOW - Duration::hours(hours),
        };
        assert_eq!(last_used(&[]), None);
        let visits = [
            visit(0, HandedOver, 48),
            visit(1, HandedOver, 24),
            visit(2, Booked, 1),
            visit(3, Cancelled, 2),
        ];
        assert_eq!(last_used(&visits), Some(store(1)));
        assert_eq!(last_used(&visits[2..]), None);
    }

    #[test]
    fn windows_parse_and_must_still_be_ahead() {
        let limits = BookingLimits::default();
        let w = PreferredWindow::parse("2026-12-08", "morning", &limits, NOW).expect("window");
        assert_eq!(w.start(), datetime!(2026-12-08 00:00 +8));
        assert_eq!(w.end(), datetime!(2026-12-08 12:00 +8));
        assert!(w.contains(datetime!(2026-12-08 11:45 +8)));
        assert!(!w.contains(datetime!(2026-12-08 12:00 +8)));
        // This morning still has starts an hour from now; this morning at 11:30 does not.
        assert!(PreferredWindow::parse("2026-12-07", "morning", &limits, NOW).is_ok());
        let late = datetime!(2026-12-07 11:30 +8);
        assert_eq!(
            PreferredWindow::parse("2026-12-07", "morning", &limits, late),
            Err(Error::WindowInPast)
        );
        assert_eq!(
            PreferredWindow::parse("2026-12-06", "all_day", &limits, NOW),
            Err(Error::WindowInPast)
        );
        assert_eq!(
            PreferredWindow::parse("2027-03-01", "afternoon", &limits, NOW),
            Err(Error::SlotBeyondHorizon)
        );
        for (day, part) in [("tomorrow", "morning"), ("2026-12-08", "night"), ("", "")] {
            assert_eq!(
                PreferredWindow::parse(day, part, &limits, NOW),
                Err(Error::WindowInvalid)
            );
        }
        assert_eq!(
            PreferredWindow {
                date: date!(2026 - 12 - 08),
                part: DayPart::Afternoon
            }
            .start(),
            datetime!(2026-12-08 12:00 +8)
        );
    }

    #[test]
    fn acceptance_windows_are_five_minutes_to_a_day() {
        assert_eq!(AcceptanceWindow::default().minutes(), 60);
        assert_eq!(AcceptanceWindow::parse(" 90 ").map(|w| w.minutes()), Ok(90));
        for bad in ["4", "1441", "0", "-5", "sixty", ""] {
            assert_eq!(
                AcceptanceWindow::parse(bad),
                Err(Error::AcceptanceWindowInvalid)
            );
        }
        let w = AcceptanceWindow::default();
        assert_eq!(w.deadline(NOW), datetime!(2026-12-07 10:00 +8));
    }

    fn hop(outcome: Option<HopOutcome>) -> Hop {
        Hop {
            store: store(0),
            offered_at: NOW,
            deadline: AcceptanceWindow::default().deadline(NOW),
            outcome,
            decided_at: None,
            decided_by: None,
        }
    }

    #[test]
    fn a_store_answers_until_the_last_instant_before_its_deadline() {
        let pending = hop(None);
        let last = pending.deadline - Duration::seconds(1);
        assert_eq!(check_answer(Some(&pending), last), Ok(()));
        assert!(!is_due(&pending, last));
        assert_eq!(
            check_answer(Some(&pending), pending.deadline),
            Err(Error::AnswerWindowClosed)
        );
        assert!(is_due(&pending, pending.deadline));
        assert_eq!(check_answer(None, NOW), Err(Error::RoutedNotHere));
        assert_eq!(
            check_answer(Some(&hop(Some(HopOutcome::Accepted))), NOW),
            Err(Error::RoutedAnswered)
        );
        let declined = hop(Some(HopOutcome::Declined {
            reason: DeclineReason::FullyBooked,
        }));
        assert_eq!(
            check_answer(Some(&declined), NOW),
            Err(Error::RoutedAnswered)
        );
        assert!(!is_due(&declined, pending.deadline));
        assert_eq!(
            check_answer(Some(&hop(Some(HopOutcome::Expired))), NOW),
            Err(Error::AnswerWindowClosed)
        );
    }

    #[test]
    fn a_decline_needs_a_reason() {
        assert_eq!(
            DeclineReason::parse("fully_booked", "ignored"),
            Ok(DeclineReason::FullyBooked)
        );
        let other = DeclineReason::parse("other", " Lift broken today ").expect("other");
        assert_eq!(other.note(), Some("Lift broken today"));
        for (code, note) in [("", ""), ("other", ""), ("other", " x "), ("busy", "yes")] {
            assert_eq!(
                DeclineReason::parse(code, note),
                Err(Error::DeclineReasonMissing)
            );
        }
        for code in DeclineReason::CODES {
            let r = DeclineReason::parse(code, "a note").expect("code");
            assert_eq!(r.code(), code);
        }
    }

    #[test]
    fn references_read_like_booking_references() {
        let id = RoutedOrderId::from(Uuid::from_u128(42));
        let r = reference(id);
        assert!(r.starts_with("RQ-"));
        assert_eq!(r.len(), 11);
    }

    mod with_a_situation {
        //! The rule over what a booking decides from (booking's test network: store 1 with
        //! the parts on its shelf, store 2 three kilometres east, the warehouse).
        use super::super::*;
        use crate::booking::tests::{request, situation, store as loc, total, NOW};
        use crate::geo::GeoPoint;
        use crate::pricing::{PriceList, PricedItem};
        use time::macros::datetime;

        /// Tomorrow (a Tuesday) afternoon.
        fn afternoon() -> PreferredWindow {
            PreferredWindow {
                date: crate::local_time::local_date(NOW) + Duration::days(1),
                part: DayPart::Afternoon,
            }
        }

        fn near_store_one() -> GeoPoint {
            GeoPoint::new(30_250_000, 120_150_000).expect("point")
        }

        #[test]
        fn both_stores_can_serve_and_the_warehouse_is_never_a_candidate() {
            let s = situation();
            let c = service_candidates(&s, near_store_one(), &afternoon());
            assert_eq!(c.len(), 2);
            assert!(c.iter().all(|c| c.capable));
            assert_eq!(c[0].store, loc(1));
            assert_eq!(c[0].distance_m, 0);
        }

        #[test]
        fn a_full_window_makes_a_store_incapable() {
            let mut s = situation();
            // Store 1 has no hours on Tuesday afternoon.
            let tuesday = time::Weekday::Tuesday;
            for l in &mut s.network.locations {
                if l.id == loc(1) {
                    l.hours.retain(|h| h.weekday != tuesday);
                }
            }
            let c = service_candidates(&s, near_store_one(), &afternoon());
            assert!(
                !c.iter()
                    .find(|c| c.store == loc(1))
                    .expect("store 1")
                    .capable
            );
            let placed =
                place(&s, &afternoon(), near_store_one(), None, total(&s)).expect("placed");
            assert_eq!(placed.first, Next::Offer(loc(2)));
        }

        #[test]
        fn placing_locks_the_price_the_customer_saw_and_refuses_another() {
            let s = situation();
            let placed =
                place(&s, &afternoon(), near_store_one(), Some(loc(2)), total(&s)).expect("placed");
            assert_eq!(placed.breakdown.total, total(&s));
            // The last store first, though farther.
            assert_eq!(placed.first, Next::Offer(loc(2)));
            let other = crate::Money::from_fen(total(&s).fen() + 1);
            assert_eq!(
                place(&s, &afternoon(), near_store_one(), None, other),
                Err(Error::PriceChanged)
            );
            let mut unpriced = s.clone();
            unpriced.prices = PriceList::new(
                1,
                NOW - Duration::days(1),
                [(
                    PricedItem::Part(crate::PartId::new()),
                    crate::Money::from_fen(1),
                )],
            );
            assert_eq!(
                place(&unpriced, &afternoon(), near_store_one(), None, total(&s)),
                Err(Error::ServiceNotOffered)
            );
        }

        #[test]
        fn accepting_books_inside_the_window_at_the_locked_prices() {
            let s = situation();
            let window = afternoon();
            let locked = place(&s, &window, near_store_one(), None, total(&s))
                .expect("placed")
                .breakdown;
            let start = datetime!(2026-11-24 14:00 +8);
            // HQ published a new price since: the order keeps the one it locked.
            let mut later = s.clone();
            let service = PricedItem::Service(s.job.service);
            let dearer = later.prices.price_of(service).expect("priced").fen() + 5_000;
            later.prices = PriceList::new(
                2,
                NOW,
                later.prices.iter().map(|(item, price)| {
                    if item == service {
                        (item, crate::Money::from_fen(dearer))
                    } else {
                        (item, price)
                    }
                }),
            );
            let plan = accept_plan(&later, &request(&s, loc(1), start), &window, &locked, &[])
                .expect("accepted");
            assert_eq!(plan.breakdown, locked);
            assert_eq!(plan.start, start);
            // A start outside the customer's window is refused, however free.
            let morning = datetime!(2026-11-24 10:00 +8);
            assert_eq!(
                accept_plan(&s, &request(&s, loc(1), morning), &window, &locked, &[]),
                Err(Error::SlotOutsideWindow)
            );
        }
    }

    fn candidates() -> impl Strategy<Value = Vec<Candidate>> {
        prop::collection::vec((0u32..20_000, any::<bool>()), 0..8).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (d, capable))| candidate(i as u8, d, capable))
                .collect()
        })
    }

    proptest! {
        /// The routing order of rule 5: the last store first when it can serve, then
        /// the capable stores by distance, each once, and only capable ones; it ends
        /// in "unserved".
        #[test]
        fn routing_follows_rule_five(c in candidates(), last in prop::option::of(0u8..10)) {
            let last = last.map(store);
            let route = routing_order(last, &c);
            let capable: Vec<&Candidate> = c.iter().filter(|c| c.capable).collect();
            // Every capable store, each once, and nothing else.
            prop_assert_eq!(route.len(), capable.len());
            let mut unique = route.clone();
            unique.sort();
            unique.dedup();
            prop_assert_eq!(unique.len(), route.len());
            prop_assert!(route.iter().all(|s| capable.iter().any(|c| c.store == *s)));
            // The last store first if it can serve.
            let last_capable = last.filter(|l| capable.iter().any(|c| c.store == *l));
            let rest = match last_capable {
                Some(l) => {
                    prop_assert_eq!(route.first(), Some(&l));
                    &route[1..]
                }
                None => &route[..],
            };
            // Then by distance.
            let dist = |s: &StoreId| c.iter().find(|c| c.store == *s).map(|c| c.distance_m);
            prop_assert!(rest.windows(2).all(|w| dist(&w[0]) <= dist(&w[1])));
            // Ends in unserved.
            prop_assert_eq!(next_store(last, &c, &route), Next::Unserved);
        }

        /// One hop never offers a store already tried or one that cannot serve, and
        /// offers the nearest of the rest unless the last store is among them.
        #[test]
        fn one_hop_never_repeats_a_store(
            c in candidates(),
            tried_mask in any::<u8>(),
            last in prop::option::of(0u8..10),
        ) {
            let tried: Vec<StoreId> = c
                .iter()
                .enumerate()
                .filter(|(i, _)| tried_mask & (1 << i) != 0)
                .map(|(_, c)| c.store)
                .collect();
            let last = last.map(store);
            let open: Vec<&Candidate> =
                c.iter().filter(|c| c.capable && !tried.contains(&c.store)).collect();
            match next_store(last, &c, &tried) {
                Next::Unserved => prop_assert!(open.is_empty()),
                Next::Offer(s) => {
                    prop_assert!(open.iter().any(|c| c.store == s));
                    if Some(s) != last {
                        let d = open.iter().find(|c| c.store == s).map(|c| c.distance_m);
                        prop_assert!(open.iter().all(|c| Some(c.distance_m) >= d));
                        prop_assert!(last.is_none_or(|l| open.iter().all(|c| c.store != l)));
                    }
                }
            }
        }
    }
}
