//! After-sales follow-up (rule 7, C8): what handing over a work order schedules, when
//! each follow-up falls due and in which window, the queue a store works through each
//! morning, and what a call may come to.
//!
//! - [`Consumable`] (with its [`OilGrade`]) and its [`Interval`]: what wears out, and
//!   after how long or how far.
//! - [`FollowUpKind`]: a satisfaction call, or a reminder that a consumable is due
//!   again; its [`Priority`] and its [`Window`].
//! - [`schedule`]: the follow-ups a [`Handover`] makes.
//! - [`Basis`] and [`due_date`]: a reminder falls due at the earlier of its time
//!   interval and its mileage interval, projected from the car's kilometres per day
//!   ([`KmPerDay`]); [`reproject`] moves it when a new reading changes that.
//! - [`Section`] and [`section`]: where an item sits in the morning queue;
//!   [`is_missed`]: a window that passed without an outcome.
//! - [`Outcome`] and [`record`]: reached, not reached (tried again up to
//!   [`MAX_ATTEMPTS`]), satisfied with a [`Rating`], praise, complaint, booked again;
//!   [`may_answer_online`]: what the customer answers themselves.
//! - [`Contact`]: how a customer may be contacted, and whether they take campaigns.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime};

use crate::text::bounded_text;
use crate::Error;

/// Kilometres a day assumed for a car until two readings a week apart say otherwise
/// (about 14,600 km a year, a private car in a Chinese city).
pub const DEFAULT_KM_PER_DAY: u32 = 40;

/// Days after handover of the satisfaction call when no service says otherwise.
pub const DEFAULT_SATISFACTION_DAYS: u8 = 3;

/// How many times a store tries to reach a customer before the follow-up is closed as
/// unreachable.
pub const MAX_ATTEMPTS: u8 = 3;

/// How long after an unanswered call the next try is suggested.
pub const RETRY_AFTER: Duration = Duration::hours(3);

/// How far ahead the queue's "upcoming" part reaches, in days.
pub const UPCOMING_DAYS: i64 = 7;

/// What an engine oil is made of, which sets how long it lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OilGrade {
    /// Full synthetic.
    FullSynthetic,
    /// Semi synthetic.
    SemiSynthetic,
    /// Mineral.
    Mineral,
}

impl OilGrade {
    /// Every one, in order.
    pub const ALL: [OilGrade; 3] = [
        OilGrade::FullSynthetic,
        OilGrade::SemiSynthetic,
        OilGrade::Mineral,
    ];

    /// Its stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            OilGrade::FullSynthetic => "full_synthetic",
            OilGrade::SemiSynthetic => "semi_synthetic",
            OilGrade::Mineral => "mineral",
        }
    }

    /// The one with this code.
    pub fn parse(code: &str) -> Option<OilGrade> {
        OilGrade::ALL.into_iter().find(|g| g.code() == code)
    }
}

/// A part that wears out and is replaced on a schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum Consumable {
    /// Engine oil.
    EngineOil {
        /// What the oil is made of.
        grade: OilGrade,
    },
    /// Oil filter.
    OilFilter,
    /// Air filter.
    AirFilter,
    /// Cabin filter.
    CabinFilter,
    /// Brake pads front.
    BrakePadsFront,
    /// Brake pads rear.
    BrakePadsRear,
    /// Tyre.
    Tyre,
    /// Wiper.
    Wiper,
    /// Battery.
    Battery,
    /// Coolant.
    Coolant,
}

/// How long a consumable lasts: `months`, or `km` driven when it wears with distance,
/// whichever comes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    /// Calendar months it lasts.
    pub months: u8,
    /// Kilometres it lasts, when it wears with distance.
    pub km: Option<u32>,
}

impl Consumable {
    /// The consumable a part of this category is, from the category's code; an engine
    /// oil of unknown grade is taken as semi-synthetic, the shorter-lived guess. `None`
    /// for what is not replaced on a schedule (window film, a wash kit).
    pub fn of_category(code: &str, grade: Option<OilGrade>) -> Option<Consumable> {
        Some(match code {
            "ENGINE_OIL" => Consumable::EngineOil {
                grade: grade.unwrap_or(OilGrade::SemiSynthetic),
            },
            "OIL_FILTER" => Consumable::OilFilter,
            "AIR_FILTER" => Consumable::AirFilter,
            "CABIN_FILTER" => Consumable::CabinFilter,
            "BRAKE_PADS_FRONT" => Consumable::BrakePadsFront,
            "BRAKE_PADS_REAR" => Consumable::BrakePadsRear,
            "TYRE" => Consumable::Tyre,
            "WIPER" => Consumable::Wiper,
            "BATTERY" => Consumable::Battery,
            "COOLANT" => Consumable::Coolant,
            _ => return None,
        })
    }

    /// How long it lasts (the makers' usual intervals for city driving).
    pub fn interval(self) -> Interval {
        let (months, km) = match self {
            Consumable::EngineOil {
                grade: OilGrade::FullSynthetic,
            } => (12, Some(10_000)),
            Consumable::EngineOil {
                grade: OilGrade::SemiSynthetic,
            } => (6, Some(7_500)),
            Consumable::EngineOil {
                grade: OilGrade::Mineral,
            } => (6, Some(5_000)),
            // The filter is changed with the oil; it lasts as long as the best oil.
            Consumable::OilFilter => (12, Some(10_000)),
            Consumable::AirFilter => (24, Some(20_000)),
            Consumable::CabinFilter => (12, Some(15_000)),
            Consumable::BrakePadsFront => (36, Some(40_000)),
            Consumable::BrakePadsRear => (48, Some(60_000)),
            Consumable::Tyre => (60, Some(50_000)),
            // Rubber and batteries age, however far the car goes.
            Consumable::Wiper => (12, None),
            Consumable::Battery => (36, None),
            Consumable::Coolant => (24, Some(40_000)),
        };
        Interval { months, km }
    }

    /// The reminder it makes. Oil and its filter make one oil-change reminder.
    pub fn reminder(self) -> FollowUpKind {
        match self {
            Consumable::EngineOil { .. } | Consumable::OilFilter => FollowUpKind::OilChange,
            Consumable::AirFilter => FollowUpKind::AirFilter,
            Consumable::CabinFilter => FollowUpKind::CabinFilter,
            Consumable::BrakePadsFront => FollowUpKind::BrakePadsFront,
            Consumable::BrakePadsRear => FollowUpKind::BrakePadsRear,
            Consumable::Tyre => FollowUpKind::Tyres,
            Consumable::Wiper => FollowUpKind::Wipers,
            Consumable::Battery => FollowUpKind::Battery,
            Consumable::Coolant => FollowUpKind::Coolant,
        }
    }
}

/// How urgent a follow-up is; the queue lists `High` first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// High.
    High,
    /// Normal.
    Normal,
    /// Low.
    Low,
}

impl Priority {
    /// Every one, in order.
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Normal, Priority::Low];

    /// Its stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }

    /// The one with this code.
    pub fn parse(code: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// What a follow-up is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    /// How did it go? A few days after the handover.
    Satisfaction,
    /// Oil change.
    OilChange,
    /// Air filter.
    AirFilter,
    /// Cabin filter.
    CabinFilter,
    /// Brake pads front.
    BrakePadsFront,
    /// Brake pads rear.
    BrakePadsRear,
    /// Tyres.
    Tyres,
    /// Wipers.
    Wipers,
    /// Battery.
    Battery,
    /// Coolant.
    Coolant,
}

impl FollowUpKind {
    /// Every one, in order.
    pub const ALL: [FollowUpKind; 10] = [
        FollowUpKind::Satisfaction,
        FollowUpKind::OilChange,
        FollowUpKind::AirFilter,
        FollowUpKind::CabinFilter,
        FollowUpKind::BrakePadsFront,
        FollowUpKind::BrakePadsRear,
        FollowUpKind::Tyres,
        FollowUpKind::Wipers,
        FollowUpKind::Battery,
        FollowUpKind::Coolant,
    ];

    /// Its stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            FollowUpKind::Satisfaction => "satisfaction",
            FollowUpKind::OilChange => "oil_change",
            FollowUpKind::AirFilter => "air_filter",
            FollowUpKind::CabinFilter => "cabin_filter",
            FollowUpKind::BrakePadsFront => "brake_pads_front",
            FollowUpKind::BrakePadsRear => "brake_pads_rear",
            FollowUpKind::Tyres => "tyres",
            FollowUpKind::Wipers => "wipers",
            FollowUpKind::Battery => "battery",
            FollowUpKind::Coolant => "coolant",
        }
    }

    /// The one with this code.
    pub fn parse(code: &str) -> Option<FollowUpKind> {
        FollowUpKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The satisfaction call comes while the visit is fresh; worn brakes and tyres are
    /// a matter of safety; oil keeps the engine; the rest can wait a day.
    pub fn priority(self) -> Priority {
        match self {
            FollowUpKind::Satisfaction
            | FollowUpKind::BrakePadsFront
            | FollowUpKind::BrakePadsRear
            | FollowUpKind::Tyres => Priority::High,
            FollowUpKind::OilChange | FollowUpKind::Coolant | FollowUpKind::Battery => {
                Priority::Normal
            }
            FollowUpKind::AirFilter | FollowUpKind::CabinFilter | FollowUpKind::Wipers => {
                Priority::Low
            }
        }
    }

    /// Days before and after the due date that the follow-up may be made: a
    /// satisfaction call from its day to four days later (after that it is no longer
    /// about this visit), a reminder from a week before to a week after.
    pub fn window_days(self) -> (i64, i64) {
        match self {
            FollowUpKind::Satisfaction => (0, 4),
            _ => (7, 7),
        }
    }

    /// The service that does what a reminder is about, by the catalogue's code; `None`
    /// for the satisfaction call.
    pub fn service_code(self) -> Option<&'static str> {
        Some(match self {
            FollowUpKind::Satisfaction => return None,
            FollowUpKind::OilChange => "OIL_CHANGE",
            FollowUpKind::AirFilter => "MINOR_SERVICE",
            FollowUpKind::CabinFilter => "CABIN_FILTER",
            FollowUpKind::BrakePadsFront => "BRAKE_PADS_FRONT",
            FollowUpKind::BrakePadsRear => "BRAKE_PADS_REAR",
            FollowUpKind::Tyres => "TYRE_REPLACE",
            FollowUpKind::Wipers => "WIPERS",
            FollowUpKind::Battery => "BATTERY_REPLACE",
            FollowUpKind::Coolant => "COOLANT_CHANGE",
        })
    }
}

/// The days a follow-up may be made, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// The first day.
    pub opens: Date,
    /// The last day.
    pub closes: Date,
}

impl Window {
    /// The window of `kind` around `due`.
    pub fn around(kind: FollowUpKind, due: Date) -> Window {
        let (before, after) = kind.window_days();
        Window {
            opens: due - Duration::days(before),
            closes: due + Duration::days(after),
        }
    }

    /// Whether `day` is in the window.
    pub fn contains(self, day: Date) -> bool {
        self.opens <= day && day <= self.closes
    }
}

/// A car's kilometres a day, and whether its readings showed it or it is the
/// [`DEFAULT_KM_PER_DAY`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KmPerDay {
    /// Kilometres it lasts, when it wears with distance.
    pub km: u32,
    /// Whether the readings showed it.
    pub observed: bool,
}

impl KmPerDay {
    /// From [`crate::odometer::km_per_day`] of the car's readings, if they showed it.
    pub fn from_observed(observed: Option<u32>) -> KmPerDay {
        match observed {
            Some(km) => KmPerDay { km, observed: true },
            None => KmPerDay {
                km: DEFAULT_KM_PER_DAY,
                observed: false,
            },
        }
    }
}

/// What a reminder's due date is worked out from: when and at what mileage the part
/// was fitted, how long it lasts, and how far the car goes a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    /// The local day it was fitted.
    pub fitted_on: Date,
    /// The odometer when it was fitted.
    pub fitted_km: u32,
    /// How long it lasts.
    pub interval: Interval,
    /// The car's km a day it was projected with.
    pub km_per_day: KmPerDay,
}

impl Basis {
    /// When the time interval ends.
    pub fn by_time(&self) -> Date {
        add_months(self.fitted_on, self.interval.months)
    }

    /// When the mileage interval is projected to be driven; `None` for a part that
    /// only ages, or a car that does not move.
    pub fn by_mileage(&self) -> Option<Date> {
        let km = self.interval.km?;
        let per_day = self.km_per_day.km;
        if per_day == 0 {
            return None;
        }
        let days = km.div_ceil(per_day);
        self.fitted_on.checked_add(Duration::days(i64::from(days)))
    }

    /// The kilometres projected since fitting by `day`.
    pub fn km_since(&self, day: Date) -> u32 {
        let days = (day - self.fitted_on).whole_days().max(0);
        u32::try_from(days.saturating_mul(i64::from(self.km_per_day.km))).unwrap_or(u32::MAX)
    }
}

/// The due date: the earlier of the time interval and the projected mileage interval.
pub fn due_date(basis: &Basis) -> Date {
    match basis.by_mileage() {
        Some(by_km) => by_km.min(basis.by_time()),
        None => basis.by_time(),
    }
}

/// `date` plus `months` calendar months, on the same day of the month or the month's
/// last day when it is shorter (31 January + 1 month = 28 or 29 February).
pub fn add_months(date: Date, months: u8) -> Date {
    let total = i32::from(u8::from(date.month()) - 1) + i32::from(months);
    let year = date.year() + total / 12;
    let month =
        Month::try_from(u8::try_from(total % 12 + 1).unwrap_or(1)).unwrap_or(Month::January);
    let last = month.length(year);
    Date::from_calendar_date(year, month, date.day().min(last)).unwrap_or(Date::MAX)
}

/// One follow-up as planned: what, when, in which window, how urgent; a reminder keeps
/// its [`Basis`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    /// What it is about.
    pub kind: FollowUpKind,
    /// When it falls due.
    pub due: Date,
    /// The days it may be made.
    pub window: Window,
    /// How urgent it is.
    pub priority: Priority,
    /// A reminder's basis; `None` for the satisfaction call.
    pub basis: Option<Basis>,
}

impl Planned {
    fn new(kind: FollowUpKind, due: Date, basis: Option<Basis>) -> Planned {
        Planned {
            kind,
            due,
            window: Window::around(kind, due),
            priority: kind.priority(),
            basis,
        }
    }
}

/// What a handed-over work order did, as follow-up scheduling reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handover {
    /// The local day of the handover.
    pub on: Date,
    /// The odometer at check-in.
    pub km: u32,
    /// The car's km a day from its readings, this visit's included.
    pub km_per_day: KmPerDay,
    /// The fewest days after handover that any of its services wants its satisfaction
    /// call ([`DEFAULT_SATISFACTION_DAYS`] for most).
    pub satisfaction_days: u8,
    /// The consumables fitted.
    pub fitted: Vec<Consumable>,
}

/// The follow-ups a handover makes: always a satisfaction call, and one reminder for
/// each kind of consumable fitted, at the earliest due date among what it covers.
/// Sorted by kind; never two of one kind.
pub fn schedule(handover: &Handover) -> Vec<Planned> {
    let mut planned = vec![Planned::new(
        FollowUpKind::Satisfaction,
        handover.on + Duration::days(i64::from(handover.satisfaction_days)),
        None,
    )];
    for consumable in &handover.fitted {
        let basis = Basis {
            fitted_on: handover.on,
            fitted_km: handover.km,
            interval: consumable.interval(),
            km_per_day: handover.km_per_day,
        };
        let next = Planned::new(consumable.reminder(), due_date(&basis), Some(basis));
        match planned.iter_mut().find(|p| p.kind == next.kind) {
            Some(p) if next.due < p.due => *p = next,
            Some(_) => {}
            None => planned.push(next),
        }
    }
    planned.sort_by_key(|p| p.kind);
    planned
}

/// A reminder moved by a new km-a-day figure. A window already closed stays as it was
/// (it was missed, and is marked so); otherwise the new due date is never before
/// `today`: a car found further along than thought is due now, not in the past.
/// `None` when nothing changes, or for the satisfaction call.
pub fn reproject(planned: &Planned, km_per_day: KmPerDay, today: Date) -> Option<Planned> {
    let basis = planned.basis?;
    if planned.window.closes < today || basis.km_per_day == km_per_day {
        return None;
    }
    let basis = Basis {
        km_per_day,
        ..basis
    };
    let moved = Planned::new(planned.kind, due_date(&basis).max(today), Some(basis));
    (moved != *planned).then_some(moved)
}

/// Where a follow-up stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// To be made.
    Open,
    /// Made, with an outcome.
    Done,
    /// Its window passed without an outcome.
    Missed,
    /// Tried [`MAX_ATTEMPTS`] times without reaching the customer.
    Unreachable,
    /// The car came back and had the same done first; nothing to remind of.
    Superseded,
}

impl Status {
    /// Every one, in order.
    pub const ALL: [Status; 5] = [
        Status::Open,
        Status::Done,
        Status::Missed,
        Status::Unreachable,
        Status::Superseded,
    ];

    /// Its stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Done => "done",
            Status::Missed => "missed",
            Status::Unreachable => "unreachable",
            Status::Superseded => "superseded",
        }
    }

    /// The one with this code.
    pub fn parse(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Whether an open follow-up's window has passed by `today`: it is missed.
pub fn is_missed(status: Status, window: Window, today: Date) -> bool {
    status == Status::Open && window.closes < today
}

/// The parts of the morning queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Past its due date, its window still open: the last chance.
    Overdue,
    /// Due today.
    Today,
    /// Due within [`UPCOMING_DAYS`]; may be made early once its window is open.
    Upcoming,
}

impl Section {
    /// Its stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Section::Overdue => "overdue",
            Section::Today => "today",
            Section::Upcoming => "upcoming",
        }
    }
}

/// Where an open follow-up due on `due` sits in `today`'s queue; `None` when it is not
/// in the queue (missed, or not due for more than [`UPCOMING_DAYS`]).
pub fn section(due: Date, window: Window, today: Date) -> Option<Section> {
    if window.closes < today {
        None
    } else if due < today {
        Some(Section::Overdue)
    } else if due == today {
        Some(Section::Today)
    } else if (due - today).whole_days() <= UPCOMING_DAYS {
        Some(Section::Upcoming)
    } else {
        None
    }
}

/// The queue's order: overdue, today, upcoming; within each, the most urgent, then the
/// earliest due.
pub fn queue_key(section: Section, priority: Priority, due: Date) -> (Section, Priority, Date) {
    (section, priority, due)
}

/// A customer's rating of a visit, 1 to 5 stars.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

impl Rating {
    /// A rating as typed or tapped; [`Error::RatingInvalid`] outside 1 to 5.
    pub fn parse(input: &str) -> Result<Rating, Error> {
        let n: u8 = input.trim().parse().map_err(|_| Error::RatingInvalid)?;
        Rating::try_from(n)
    }

    /// The number of stars.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Rating {
    type Error = Error;
    fn try_from(n: u8) -> Result<Rating, Error> {
        if (1..=5).contains(&n) {
            Ok(Rating(n))
        } else {
            Err(Error::RatingInvalid)
        }
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r.0
    }
}

bounded_text!(
    /// What the customer said: a comment with a rating, praise, or the complaint.
    FollowUpText,
    1,
    500,
    lines: true,
    Error::FollowUpTextInvalid
);

/// What a follow-up call (or the customer's answer online) came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Spoke to the customer; nothing more to record.
    Reached,
    /// No answer: tried again later, up to [`MAX_ATTEMPTS`].
    NotReached,
    /// Satisfied, with a rating and perhaps a comment.
    Satisfied {
        /// The stars given.
        rating: Rating,
        /// What the customer added, if anything.
        comment: Option<FollowUpText>,
    },
    /// Praise for the people who did the work.
    Praise {
        /// What the customer said.
        text: FollowUpText,
    },
    /// A complaint: it opens an after-sales case.
    Complaint {
        /// What the customer said.
        text: FollowUpText,
    },
    /// The customer booked again (the counter booking opens with the service filled in).
    BookedAgain,
}

impl Outcome {
    /// Its stable code, as stored.
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::NotReached => "not_reached",
            Outcome::Satisfied { .. } => "satisfied",
            Outcome::Praise { .. } => "praise",
            Outcome::Complaint { .. } => "complaint",
            Outcome::BookedAgain => "booked_again",
        }
    }

    /// Parses a form's fields: the outcome's code, a rating and a text (each used only
    /// by the outcomes that take them).
    pub fn parse(code: &str, rating: &str, text: &str) -> Result<Outcome, Error> {
        let text_opt = match text.trim() {
            "" => None,
            t => Some(FollowUpText::parse(t)?),
        };
        let required = || text_opt.clone().ok_or(Error::FollowUpTextInvalid);
        Ok(match code.trim() {
            "reached" => Outcome::Reached,
            "not_reached" => Outcome::NotReached,
            "satisfied" => Outcome::Satisfied {
                rating: Rating::parse(rating)?,
                comment: text_opt.clone(),
            },
            "praise" => Outcome::Praise { text: required()? },
            "complaint" => Outcome::Complaint { text: required()? },
            "booked_again" => Outcome::BookedAgain,
            _ => return Err(Error::OutcomeUnknown),
        })
    }
}

/// Whether a customer may answer this follow-up themselves, online: the satisfaction
/// call's question (a rating, or a complaint); a reminder is answered by booking.
pub fn may_answer_online(kind: FollowUpKind, outcome: &Outcome) -> Result<(), Error> {
    match (kind, outcome) {
        (FollowUpKind::Satisfaction, Outcome::Satisfied { .. } | Outcome::Complaint { .. }) => {
            Ok(())
        }
        _ => Err(Error::NotAnswerableOnline),
    }
}

/// How a customer may be contacted, as they chose (and changed, with its time).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Calls from a store about their car: follow-ups and reminders.
    pub calls: bool,
    /// Text messages.
    pub sms: bool,
    /// Campaign messages; `false` is an opt-out, and nothing is sent.
    pub campaigns: bool,
}

impl Default for Contact {
    /// Everything allowed until the customer says otherwise.
    fn default() -> Self {
        Contact {
            calls: true,
            sms: true,
            campaigns: true,
        }
    }
}

impl Contact {
    /// Whether a store may call about a follow-up.
    pub fn may_call(self) -> bool {
        self.calls
    }

    /// Whether a campaign message may go out by text: never to someone who opted out of
    /// campaigns or of text messages.
    pub fn may_text_campaign(self) -> bool {
        self.campaigns && self.sms
    }
}

/// What recording an outcome leaves: the follow-up's status and attempts, and when to
/// try again after a call nobody answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The status it leaves.
    pub status: Status,
    /// Calls tried so far.
    pub attempts: u8,
    /// When to try again after a call nobody answered.
    pub retry_at: Option<OffsetDateTime>,
}

/// Records `outcome` on a follow-up that is `status` after `attempts` tries, at `now`
/// (local day `today`). Only an open follow-up whose window has not passed takes an
/// outcome ([`Error::FollowUpClosed`]); one not yet in its window may be made early.
pub fn record(
    status: Status,
    attempts: u8,
    window: Window,
    outcome: &Outcome,
    now: OffsetDateTime,
) -> Result<Recorded, Error> {
    let today = crate::local_time::local_date(now);
    if status != Status::Open || is_missed(status, window, today) {
        return Err(Error::FollowUpClosed);
    }
    let attempts = attempts.saturating_add(1);
    Ok(match outcome {
        Outcome::NotReached if attempts < MAX_ATTEMPTS => Recorded {
            status: Status::Open,
            attempts,
            retry_at: Some(now + RETRY_AFTER),
        },
        Outcome::NotReached => Recorded {
            status: Status::Unreachable,
            attempts,
            retry_at: None,
        },
        _ => Recorded {
            status: Status::Done,
            attempts,
            retry_at: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    fn basis(km: Option<u32>, months: u8, per_day: u32) -> Basis {
        Basis {
            fitted_on: date!(2026 - 06 - 12),
            fitted_km: 42_300,
            interval: Interval { months, km },
            km_per_day: KmPerDay {
                km: per_day,
                observed: true,
            },
        }
    }

    #[test]
    fn months_are_calendar_months() {
        assert_eq!(add_months(date!(2026 - 06 - 12), 6), date!(2026 - 12 - 12));
        assert_eq!(add_months(date!(2026 - 06 - 12), 12), date!(2027 - 06 - 12));
        assert_eq!(add_months(date!(2027 - 01 - 31), 1), date!(2027 - 02 - 28));
        assert_eq!(add_months(date!(2027 - 11 - 30), 3), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 12 - 01), 60), date!(2031 - 12 - 01));
    }

    #[test]
    fn oil_is_due_by_mileage_for_a_busy_car_and_by_time_for_a_quiet_one() {
        // 10,000 km at 42 km/day is 239 days: before the 12 months.
        let busy = basis(Some(10_000), 12, 42);
        assert_eq!(due_date(&busy), date!(2026 - 06 - 12) + Duration::days(239));
        // At 20 km/day it would take 500 days: the year comes first.
        let quiet = basis(Some(10_000), 12, 20);
        assert_eq!(due_date(&quiet), date!(2027 - 06 - 12));
        // A car that does not move, and a part that only ages, go by time.
        assert_eq!(due_date(&basis(Some(10_000), 12, 0)), date!(2027 - 06 - 12));
        assert_eq!(due_date(&basis(None, 36, 500)), date!(2029 - 06 - 12));
        assert_eq!(busy.km_since(date!(2026 - 06 - 22)), 420);
    }

    #[test]
    fn oil_lasts_by_its_grade_and_the_filter_rides_with_it() {
        let full = Consumable::of_category("ENGINE_OIL", Some(OilGrade::FullSynthetic));
        let unknown = Consumable::of_category("ENGINE_OIL", None);
        assert_eq!(full.map(|c| c.interval().km), Some(Some(10_000)));
        assert_eq!(unknown.map(|c| c.interval().months), Some(6));
        assert_eq!(
            Consumable::of_category("ENGINE_OIL", Some(OilGrade::Mineral)).map(|c| c.interval()),
            Some(Interval {
                months: 6,
                km: Some(5_000)
            })
        );
        assert_eq!(Consumable::of_category("WINDOW_FILM", None), None);
        assert_eq!(Consumable::OilFilter.reminder(), FollowUpKind::OilChange);
    }

    fn handover(fitted: Vec<Consumable>) -> Handover {
        Handover {
            on: date!(2026 - 06 - 12),
            km: 42_300,
            km_per_day: KmPerDay::from_observed(Some(42)),
            satisfaction_days: 3,
            fitted,
        }
    }

    #[test]
    fn a_handover_schedules_a_call_and_one_reminder_per_kind() {
        let planned = schedule(&handover(vec![
            Consumable::OilFilter,
            Consumable::EngineOil {
                grade: OilGrade::Mineral,
            },
            Consumable::Wiper,
        ]));
        let kinds: Vec<_> = planned.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                FollowUpKind::Satisfaction,
                FollowUpKind::OilChange,
                FollowUpKind::Wipers
            ]
        );
        let call = &planned[0];
        assert_eq!(call.due, date!(2026 - 06 - 15));
        assert_eq!(
            call.window,
            Window {
                opens: date!(2026 - 06 - 15),
                closes: date!(2026 - 06 - 19)
            }
        );
        assert_eq!(call.priority, Priority::High);
        assert_eq!(call.basis, None);
        // The mineral oil (5,000 km: 120 days at 42 km/day) comes before the filter.
        assert_eq!(planned[1].due, date!(2026 - 06 - 12) + Duration::days(120));
        assert_eq!(planned[2].due, date!(2027 - 06 - 12));
        assert_eq!(planned[2].priority, Priority::Low);
    }

    #[test]
    fn a_new_reading_moves_a_reminder_but_never_into_the_past() {
        let planned = schedule(&handover(vec![Consumable::OilFilter]))[1];
        // The car turns out to do 100 km a day: 100 days, not 239.
        let today = date!(2026 - 07 - 01);
        let faster = KmPerDay::from_observed(Some(100));
        let moved = reproject(&planned, faster, today).expect("moves");
        assert_eq!(moved.due, date!(2026 - 09 - 20));
        assert_eq!(
            moved.window,
            Window::around(FollowUpKind::OilChange, moved.due)
        );
        // Known only late: due today, not months ago.
        let late = date!(2026 - 12 - 01);
        assert_eq!(reproject(&planned, faster, late).map(|p| p.due), Some(late));
        // The same figure changes nothing; the call is not moved; a missed one stays.
        assert_eq!(
            reproject(&planned, planned.basis.expect("basis").km_per_day, today),
            None
        );
        let call = schedule(&handover(vec![]))[0];
        assert_eq!(reproject(&call, faster, today), None);
        assert_eq!(
            reproject(&planned, faster, planned.window.closes + Duration::days(1)),
            None
        );
    }

    #[test]
    fn the_queue_has_overdue_today_and_upcoming() {
        let due = date!(2026 - 12 - 10);
        let window = Window::around(FollowUpKind::OilChange, due);
        assert_eq!(section(due, window, date!(2026 - 12 - 01)), None);
        assert_eq!(
            section(due, window, date!(2026 - 12 - 03)),
            Some(Section::Upcoming)
        );
        assert_eq!(section(due, window, due), Some(Section::Today));
        assert_eq!(
            section(due, window, date!(2026 - 12 - 17)),
            Some(Section::Overdue)
        );
        assert_eq!(section(due, window, date!(2026 - 12 - 18)), None);
        assert!(is_missed(Status::Open, window, date!(2026 - 12 - 18)));
        assert!(!is_missed(Status::Done, window, date!(2026 - 12 - 18)));
        assert!(!is_missed(Status::Open, window, date!(2026 - 12 - 17)));
    }

    #[test]
    fn outcomes_parse_from_a_form() {
        assert_eq!(Outcome::parse("reached", "", ""), Ok(Outcome::Reached));
        assert_eq!(
            Outcome::parse("satisfied", "6", ""),
            Err(Error::RatingInvalid)
        );
        assert_eq!(
            Outcome::parse("satisfied", "0", ""),
            Err(Error::RatingInvalid)
        );
        assert_eq!(
            Outcome::parse("satisfied", "four", ""),
            Err(Error::RatingInvalid)
        );
        assert_eq!(
            Outcome::parse("satisfied", "5", " 很好 "),
            Ok(Outcome::Satisfied {
                rating: Rating(5),
                comment: Some(FollowUpText::parse("很好").expect("text"))
            })
        );
        assert_eq!(
            Outcome::parse("complaint", "", "  "),
            Err(Error::FollowUpTextInvalid)
        );
        assert_eq!(
            Outcome::parse("praise", "", &"好".repeat(501)),
            Err(Error::FollowUpTextInvalid)
        );
        assert_eq!(
            Outcome::parse("shouted", "", ""),
            Err(Error::OutcomeUnknown)
        );
    }

    #[test]
    fn a_customer_answers_only_the_satisfaction_question_online() {
        let rating = Rating::try_from(4).expect("rating");
        let satisfied = Outcome::Satisfied {
            rating,
            comment: None,
        };
        let complaint = Outcome::Complaint {
            text: FollowUpText::parse("漏油").expect("text"),
        };
        assert_eq!(
            may_answer_online(FollowUpKind::Satisfaction, &satisfied),
            Ok(())
        );
        assert_eq!(
            may_answer_online(FollowUpKind::Satisfaction, &complaint),
            Ok(())
        );
        assert_eq!(
            may_answer_online(FollowUpKind::Satisfaction, &Outcome::BookedAgain),
            Err(Error::NotAnswerableOnline)
        );
        assert_eq!(
            may_answer_online(FollowUpKind::OilChange, &satisfied),
            Err(Error::NotAnswerableOnline)
        );
        let opted_out = Contact {
            campaigns: false,
            ..Contact::default()
        };
        assert!(Contact::default().may_text_campaign());
        assert!(!opted_out.may_text_campaign() && opted_out.may_call());
        assert!(!Contact {
            sms: false,
            ..Contact::default()
        }
        .may_text_campaign());
    }

    #[test]
    fn three_unanswered_calls_close_a_follow_up_as_unreachable() {
        let now = datetime!(2026-12-10 02:00 UTC);
        let window = Window::around(FollowUpKind::OilChange, date!(2026 - 12 - 10));
        let first = record(Status::Open, 0, window, &Outcome::NotReached, now).expect("first");
        assert_eq!(first.status, Status::Open);
        assert_eq!(first.retry_at, Some(now + RETRY_AFTER));
        let second = record(
            first.status,
            first.attempts,
            window,
            &Outcome::NotReached,
            now,
        );
        let third = record(Status::Open, 2, window, &Outcome::NotReached, now);
        assert_eq!(second.map(|r| r.status), Ok(Status::Open));
        assert_eq!(
            third.map(|r| (r.status, r.attempts)),
            Ok((Status::Unreachable, 3))
        );
        assert_eq!(
            record(Status::Open, 1, window, &Outcome::Reached, now).map(|r| r.status),
            Ok(Status::Done)
        );
        assert_eq!(
            record(Status::Done, 1, window, &Outcome::Reached, now),
            Err(Error::FollowUpClosed)
        );
        let late = datetime!(2026-12-18 02:00 UTC);
        assert_eq!(
            record(Status::Open, 0, window, &Outcome::Reached, late),
            Err(Error::FollowUpClosed)
        );
    }

    fn consumable() -> impl Strategy<Value = Consumable> {
        prop_oneof![
            prop::sample::select(OilGrade::ALL.to_vec())
                .prop_map(|grade| Consumable::EngineOil { grade }),
            Just(Consumable::OilFilter),
            Just(Consumable::AirFilter),
            Just(Consumable::CabinFilter),
            Just(Consumable::BrakePadsFront),
            Just(Consumable::BrakePadsRear),
            Just(Consumable::Tyre),
            Just(Consumable::Wiper),
            Just(Consumable::Battery),
            Just(Consumable::Coolant),
        ]
    }

    fn day() -> impl Strategy<Value = Date> {
        (0i64..3_650).prop_map(|d| date!(2024 - 01 - 01) + Duration::days(d))
    }

    proptest! {
        #[test]
        fn due_is_the_earlier_of_time_and_mileage(
            c in consumable(), on in day(), km in 0u32..400_000, per_day in 0u32..1_000,
        ) {
            let b = Basis {
                fitted_on: on,
                fitted_km: km,
                interval: c.interval(),
                km_per_day: KmPerDay { km: per_day, observed: true },
            };
            let due = due_date(&b);
            prop_assert!(due > on);
            prop_assert!(due <= b.by_time());
            match b.by_mileage() {
                Some(by_km) => {
                    prop_assert_eq!(due, by_km.min(b.by_time()));
                    // By then the interval is driven, and not a day sooner.
                    let interval = c.interval().km.unwrap_or(0);
                    prop_assert!(b.km_since(by_km) >= interval);
                    prop_assert!(b.km_since(by_km - Duration::days(1)) < interval);
                }
                None => prop_assert_eq!(due, b.by_time()),
            }
        }

        #[test]
        fn due_dates_come_no_later_for_a_car_driven_more(
            c in consumable(), on in day(), a in 0u32..1_000, b in 0u32..1_000,
        ) {
            let (slow, fast) = (a.min(b), a.max(b));
            let at = |per_day| due_date(&Basis {
                fitted_on: on,
                fitted_km: 0,
                interval: c.interval(),
                km_per_day: KmPerDay { km: per_day, observed: true },
            });
            prop_assert!(at(fast) <= at(slow));
        }

        #[test]
        fn a_schedule_has_one_call_and_one_follow_up_per_kind_each_in_its_window(
            fitted in prop::collection::vec(consumable(), 0..12),
            on in day(), km in 0u32..400_000, per_day in prop::option::of(0u32..800),
            days in 1u8..15,
        ) {
            let planned = schedule(&Handover {
                on, km, km_per_day: KmPerDay::from_observed(per_day), satisfaction_days: days, fitted: fitted.clone(),
            });
            let kinds: Vec<_> = planned.iter().map(|p| p.kind).collect();
            let mut unique = kinds.clone();
            unique.dedup();
            prop_assert_eq!(&unique, &kinds);
            prop_assert_eq!(kinds.first(), Some(&FollowUpKind::Satisfaction));
            prop_assert_eq!(planned.len(), 1 + {
                let mut r: Vec<_> = fitted.iter().map(|c| c.reminder()).collect();
                r.sort();
                r.dedup();
                r.len()
            });
            for p in &planned {
                prop_assert!(p.window.contains(p.due));
                prop_assert!(p.due > on);
                prop_assert_eq!(p.priority, p.kind.priority());
                // The earliest of what the reminder covers.
                if let Some(b) = p.basis {
                    let earliest = fitted.iter().filter(|c| c.reminder() == p.kind).map(|c| due_date(&Basis { interval: c.interval(), ..b })).min();
                    prop_assert_eq!(Some(p.due), earliest);
                }
            }
        }

        #[test]
        fn reprojecting_never_lands_in_the_past_nor_revives_a_missed_window(
            c in consumable(), on in day(), per_day in 0u32..800, new_per_day in 0u32..800, later in 0i64..900,
        ) {
            let planned = schedule(&Handover {
                on, km: 1_000, km_per_day: KmPerDay::from_observed(Some(per_day)), satisfaction_days: 3, fitted: vec![c],
            })[1];
            let today = on + Duration::days(later);
            match reproject(&planned, KmPerDay::from_observed(Some(new_per_day)), today) {
                Some(moved) => {
                    prop_assert!(planned.window.closes >= today);
                    prop_assert!(moved.due >= today);
                    prop_assert!(moved.window.contains(moved.due));
                    prop_assert!(section(moved.due, moved.window, today).is_some() || moved.due > today);
                    prop_assert_eq!(moved.kind, planned.kind);
                }
                None => {
                    let b = Basis { km_per_day: KmPerDay::from_observed(Some(new_per_day)), ..planned.basis.expect("basis") };
                    let same = Planned::new(planned.kind, due_date(&b).max(today), Some(b)) == planned;
                    prop_assert!(planned.window.closes < today || per_day == new_per_day || same);
                }
            }
        }

        #[test]
        fn an_open_follow_up_is_in_the_queue_or_missed_or_not_yet_due(
            due in day(), offset in -30i64..30, kind in prop::sample::select(FollowUpKind::ALL.to_vec()),
        ) {
            let window = Window::around(kind, due);
            let today = due + Duration::days(offset);
            let missed = is_missed(Status::Open, window, today);
            match section(due, window, today) {
                Some(Section::Overdue) => prop_assert!(!missed && due < today),
                Some(Section::Today) => prop_assert!(!missed && due == today),
                Some(Section::Upcoming) => prop_assert!(!missed && due > today && (due - today).whole_days() <= UPCOMING_DAYS),
                None => prop_assert!(missed || (due - today).whole_days() > UPCOMING_DAYS),
            }
            // A window that has passed is missed whatever the day after.
            prop_assert_eq!(missed, today > window.closes);
        }
    }
}
