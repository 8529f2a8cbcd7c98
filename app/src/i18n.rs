//! The translation layer: every string a person reads goes through [`Msg`].
//!
//! A message is an enum variant and its text is one `match` arm holding both languages,
//! so the compiler refuses a message that lacks a translation. The language comes from
//! the `pitlane_lang` cookie, else the browser's `Accept-Language`, else Chinese; the
//! server renders it into `<html lang>` and the browser reads it back when hydrating.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Cookie that remembers the language a person chose.
pub const LANG_COOKIE: &str = "pitlane_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The BCP 47 tag for `<html lang>`.
    pub fn html_tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The short code kept in the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Reads a tag or code such as `zh`, `zh-CN`, `en-GB`; other languages are `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header by its q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::from_tag) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if best.is_none_or(|(_, bq)| q > bq) {
                best = Some((lang, q));
            }
        }
        best.map(|(lang, _)| lang)
    }

    /// The language named in a `Cookie` header, if any.
    pub fn from_cookie_header(header: &str) -> Option<Lang> {
        header.split(';').find_map(|c| {
            let (name, value) = c.trim().split_once('=')?;
            (name == LANG_COOKIE)
                .then(|| Lang::from_tag(value))
                .flatten()
        })
    }

    /// The label of the language in itself, for the switch: a language is always offered
    /// under its own name, whatever the page's language, so it is not a [`Msg`].
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }
}

/// The language for the page being rendered: on the server from the request, in the
/// browser from what the server rendered into `<html lang>`.
pub fn lang_from_request() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| lang_from_headers(&parts.headers))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|root| root.get_attribute("lang"))
            .and_then(|tag| Lang::from_tag(&tag))
            .unwrap_or_default()
    }
}

/// The language a request asks for: the cookie, else `Accept-Language`, else Chinese.
pub fn lang_from_headers(headers: &http::HeaderMap) -> Lang {
    let header = |name: http::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    header(http::header::COOKIE)
        .and_then(Lang::from_cookie_header)
        .or_else(|| header(http::header::ACCEPT_LANGUAGE).and_then(Lang::from_accept_language))
        .unwrap_or_default()
}

/// The current language, shared by every component through context.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    pub fn t(&self, msg: impl Text) -> &'static str {
        msg.text(self.lang.get())
    }

    /// Switches language now and remembers it for the next visit.
    pub fn set(&self, lang: Lang) {
        self.lang.set(lang);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
                let _ = doc.set_cookie(&format!(
                    "{LANG_COOKIE}={}; path=/; max-age=31536000; SameSite=Lax",
                    lang.code()
                ));
            }
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("lang", lang.html_tag());
            }
        }
    }
}

pub fn provide_i18n() {
    provide_context(I18n {
        lang: RwSignal::new(lang_from_request()),
    });
}

/// The language context that [`App`](crate::App) provides.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// Buttons that switch the language; the current one is marked `aria-pressed`.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="lang-switch" role="group" aria-label=move || i18n.t(Msg::Language)>
            {Lang::ALL
                .into_iter()
                .map(|lang| {
                    view! {
                        <button
                            type="button"
                            data-lang=lang.code()
                            aria-pressed=move || (i18n.lang() == lang).to_string()
                            on:click=move |_| i18n.set(lang)
                        >
                            {lang.own_name()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// A message in both languages: [`Msg`] or [`StaffMsg`].
pub trait Text: Copy {
    /// The message in `lang`.
    fn text(self, lang: Lang) -> &'static str;
}

/// Every user-facing string of the customer web, and those every surface shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    KioskPricesIntro,
    NavKioskStaff,
    NavReception,
    NavStaff,
    NavDevices,
    NavPolicies,
    NavPriceList,
    SurfaceHq,
    SurfaceKiosk,
    AppName,
    Tagline,
    Language,
    NotFound,
    BackHome,
    Loading,
    SurfaceCustomer,
    NavServices,
    ServicePrices,
    ServicePricesIntro,
    HqPricesIntro,
    ColService,
    ColCategory,
    ColDuration,
    ColPrice,
    ColNewPrice,
    Publish,
    Publishing,
    NewPricePlaceholder,
    PublishedVersion,
    PriceListVersion,
    EffectiveFrom,
    LiveOn,
    CatMaintenance,
    CatTyres,
    CatRepair,
    CatDetailing,
    CatEv,
    Minutes,
    ErrBadRequest,
    ErrNotFound,
    ErrForbidden,
    ErrConflict,
    ErrInternal,
    ErrNetwork,
    ErrAmountEmpty,
    ErrAmountNotANumber,
    ErrAmountTooPrecise,
    ErrAmountOverflow,
    ErrPriceNotPositive,
    ErrPriceTooHigh,
    ErrPriceUnchanged,
    ErrNotPriced,
    ErrQuantityInvalid,
    ErrPlateInvalid,
    ErrPhoneInvalid,
    ErrIdInvalid,
    ErrVersionExhausted,
    ErrOutOfStock,
    ErrSlotUnavailable,
    ErrSlotInvalid,
    ErrPartsUnobtainable,
    ErrNoFitment,
    ErrReservationInvalid,
    ErrPasswordTooShort,
    ErrPasswordTooLong,
    ErrPasswordTooSimple,
    ErrNameInvalid,
    ErrMileageInvalid,
    ErrPercentInvalid,
    ErrPeriodInvalid,
    ErrTimeInvalid,
    ErrLocationInvalid,
    ErrIdempotencyKeyInvalid,
    ErrIdempotencyKeyReused,
    ErrPriceChanged,
    ErrPhoneTaken,
    ErrPlateTaken,
    ErrNotCancellable,
    ErrSlotTooSoon,
    ErrTooManyStreams,
    NoServicesForCar,
    ErrSlotBeyondHorizon,
    ErrTooManyOpenBookings,
    ErrVehicleAlreadyBooked,
    ErrStoreUnknown,
    ErrPairingCodeInvalid,
    ErrDeviceNameInvalid,
    ErrDeviceNotPaired,
    ErrPinInvalid,
    ErrPinTooSimple,
    ErrPinReused,
    ErrPinWrong,
    ErrIdleLockInvalid,
    ErrRoleNotForStore,
    ErrSkillUnknown,
    NavBoard,
    ErrStaffLeft,
    ErrStepOutOfOrder,
    ErrPartHeldElsewhere,
    ErrNothingToPick,
    ErrPartsNotNow,
    ErrBaysInvalid,
    ErrHoursInvalid,
    ErrTagLabelInvalid,
    ErrManagerApprovalNeeded,
    ErrAdjustmentNotNow,
    ErrAdjustmentTooLarge,
    ErrAdjustmentReasonMissing,
    ErrQcNoteMissing,
    ErrQcStepMissing,
    ErrDecisionUnknown,
    ErrFindingDecided,
    ErrFindingNotNow,
    ErrSeverityUnknown,
    ErrFindingItemInvalid,
    ErrMileageBelowLast,
    ErrNoteInvalid,
    ErrTagUnknown,
    ErrSearchInvalid,
    ErrSearchTooShort,
    ErrBusy,
    LiveOff,
    PriceHistory,
    ErrUnauthenticated,
    ErrBadCredentials,
    ErrRateLimited,
    RoleHqAdmin,
    RoleHqSupply,
    RoleStoreManager,
    RoleServiceAdvisor,
    RoleTechnician,
    RoleWarehouse,
    SignIn,
    StaffSignIn,
    SignUp,
    SignOut,
    Phone,
    Password,
    YourName,
    PasswordHint,
    NoAccountYet,
    HaveAccount,
    NotForYourRole,
    StatusBooked,
    StatusCheckedIn,
    StatusInBay,
    StatusQualityCheck,
    StatusReady,
    StatusHandedOver,
    StatusCancelled,
    ChooseModel,
    MyGarage,
    NavGarage,
    GarageEmpty,
    AddVehicle,
    Plate,
    Model,
    MileageKm,
    RemoveVehicle,
    BackToGarage,
    Save,
    ServiceHistory,
    NoHistory,
    Labour,
    Subtotal,
    Total,
    AvailNow,
    AvailArriving,
    AvailTransfer,
    AvailNone,
    BookService,
    NavBook,
    AddVehicleFirst,
    YourVehicle,
    StepService,
    StepStore,
    StepSlot,
    StepConfirm,
    NoSlots,
    ReadyAt,
    EarliestSlot,
    FreeBays,
    ChooseStore,
    SlotAt,
    ConfirmBooking,
    BookingConfirmed,
    Reference,
    Store,
    Service,
    Status,
    CancelBooking,
    QuoteForModel,
    BookThisVehicle,
    TierStandard,
    TierSilver,
    TierGold,
    LabourOff,
    AmountOff,
    DiscountPolicies,
    PoliciesIntro,
    NewTierPolicy,
    NewCampaign,
    NameZh,
    NameEn,
    Tier,
    PercentOffLabour,
    FirstDay,
    LastDay,
    PolicyPublished,
    UseMyLocation,
    FromYourLocation,
    FromCityCentre,
    FindingsTitle,
    FindingApprove,
    FindingDecline,
    FindingPending,
    FindingApproved,
    FindingDeclined,
    SeverityGreen,
    SeverityAmber,
    SeverityRed,
    TotalWithExtras,
    StoreAdjustment,
    MyAdvisor,
    MyAdvisorHint,
    NoAdvisorChosen,
    ChooseAdvisor,
    NavTags,
    NavStoreSettings,
    ErrServiceNotOffered,
    ErrWindowInPast,
    ErrWindowInvalid,
    ErrRoutedNotHere,
    ErrRoutedAnswered,
    ErrAnswerWindowClosed,
    ErrDeclineReasonMissing,
    ErrAcceptanceWindowInvalid,
    ErrSlotOutsideWindow,
    NavInbox,
    NavRouting,
    AnyStoreLink,
    ErrBasketEmpty,
    ErrBasketTooLarge,
    ErrPartNotOffered,
    ErrAddressInvalid,
    ErrHandoverUnknown,
    ErrPartsTooLate,
    ErrPartsNotArrived,
    PartsOrderLink,
}

impl Text for Msg {
    fn text(self, lang: Lang) -> &'static str {
        Msg::text(self, lang)
    }
}

impl Text for StaffMsg {
    fn text(self, lang: Lang) -> &'static str {
        StaffMsg::text(self, lang)
    }
}

/// The strings of the pages after booking without a store ("any store" and the order's
/// page) and of the kiosk's inbox. A function of their own, called only from those pages'
/// code, so they travel in those pages' chunks and not in every customer's first load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderMsg {
    Morning,
    Afternoon,
    AllDay,
    AnyStoreTitle,
    AnyStoreHint,
    PreferredDay,
    PartOfDay,
    SendToStores,
    WaitingForStore,
    AnswerBy,
    StoreAccepted,
    SeeBooking,
    NoStoreCould,
    HopWaiting,
    HopAccepted,
    HopDeclined,
    HopExpired,
    AnyStoreRequest,
    RouteSoFar,
    PartsTitle,
    PartsHint,
    NoPartsForCar,
    HowYouGetThem,
    Collect,
    Deliver,
    DeliveryAddress,
    PartsOrdered,
    ServiceAsked,
    PartsReadyToCollect,
    PartsWillBeDelivered,
    PartsHandedOver,
}

impl OrderMsg {
    pub fn text(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            OrderMsg::PartsTitle => ("线上订配件", "Order parts online"),
            OrderMsg::PartsHint => ("选择适配您爱车的配件，按统一标价结算；到店自取或由门店员工送货上门。订单先发给您上次光顾的门店，否则发给最近有货的门店。", "Pick parts that fit your car, at the one published price; collect them at a store or have its staff deliver them. The order goes to the store you used last, else the nearest one that has them."),
            OrderMsg::NoPartsForCar => ("暂无适配该车的在售配件", "No parts on sale fit this car"),
            OrderMsg::HowYouGetThem => ("取货方式", "How you get them"),
            OrderMsg::Collect => ("到店自取", "Collect at the store"),
            OrderMsg::Deliver => ("送货上门", "Delivered by the store"),
            OrderMsg::DeliveryAddress => ("送货地址", "Delivery address"),
            OrderMsg::PartsOrdered => ("配件", "Parts"),
            OrderMsg::ServiceAsked => ("服务项目", "Service"),
            OrderMsg::PartsReadyToCollect => ("配件备好后请在所选时段到店自取", "collect them in the window you chose"),
            OrderMsg::PartsWillBeDelivered => ("门店员工将在所选时段送货上门", "its staff will deliver them in the window you chose"),
            OrderMsg::PartsHandedOver => ("配件已交付", "parts handed over"),
            OrderMsg::Morning => ("上午", "Morning"),
            OrderMsg::Afternoon => ("下午", "Afternoon"),
            OrderMsg::AllDay => ("全天", "All day"),
            OrderMsg::AnyStoreTitle => ("不限门店", "Any store"),
            OrderMsg::AnyStoreHint => ("不想自己选门店？告诉我们哪天、什么时段方便：订单先交给您上次去过的门店，否则交给最近能做的门店。门店须在限定时间内确认，否则转给下一家。", "No store in mind? Say which day and part of it suits you: the order goes to the store you used last, else to the nearest one that can do it. Each store confirms within a set time, or the order moves on to the next."),
            OrderMsg::PreferredDay => ("希望日期", "Preferred day"),
            OrderMsg::PartOfDay => ("时段", "Part of the day"),
            OrderMsg::SendToStores => ("发给门店", "Send to the stores"),
            OrderMsg::WaitingForStore => ("等待门店确认：", "Waiting for the store to confirm:"),
            OrderMsg::AnswerBy => ("确认截止", "answer by"),
            OrderMsg::StoreAccepted => ("已接单，预约时间", "accepted: booked for"),
            OrderMsg::SeeBooking => ("查看预约", "See the booking"),
            OrderMsg::NoStoreCould => ("暂时没有门店能接此单。总部客服已收到通知，会尽快联系您。", "No store could take this order. Our service team has been told and will call you."),
            OrderMsg::HopWaiting => ("待确认", "Waiting"),
            OrderMsg::HopAccepted => ("已接单", "Accepted"),
            OrderMsg::HopDeclined => ("已转单", "Passed on"),
            OrderMsg::HopExpired => ("超时未确认", "No answer in time"),
            OrderMsg::AnyStoreRequest => ("不限门店订单", "Any-store order"),
            OrderMsg::RouteSoFar => ("流转记录", "Where it has been"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

impl Text for OrderMsg {
    fn text(self, lang: Lang) -> &'static str {
        OrderMsg::text(self, lang)
    }
}

/// The strings only the kiosk and the HQ console show. Their texts are a function of
/// their own, which only those surfaces' code calls, so they travel in those surfaces'
/// wasm chunks: a customer's first load does not carry them (every [`Msg`] is in the
/// main bundle, since the customer pages call [`Msg::text`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffMsg {
    KmPerDay,
    Concerns,
    Assign,
    NobodyResponsible,
    Responsible,
    NextDay,
    Today,
    PreviousDay,
    TodaysBoard,
    StepCancel,
    StepHandOver,
    StepFailQc,
    StepPassQc,
    StepSubmitForQc,
    StepStartWork,
    StepCheckIn,
    KioskDevices,
    KioskDevicesIntro,
    PairNewDevice,
    DeviceName,
    MakePairingCode,
    PairingCodeFor,
    PairingCodeHint,
    PairedDevices,
    PairedAt,
    LastUnlock,
    Revoked,
    Revoke,
    PairThisDevice,
    PairThisDeviceIntro,
    PairingCode,
    Pair,
    WhoIsUnlocking,
    ChooseYourself,
    NoPinYet,
    Pin,
    Erase,
    Unlock,
    StorePins,
    MyPin,
    NewPin,
    SetPin,
    PinSet,
    IdleLockMinutes,
    Saved,
    LockNow,
    StoreStaff,
    StoreStaffIntro,
    AddStaff,
    Role,
    Skills,
    MoveTo,
    Move,
    Deactivate,
    Reception,
    SearchCustomer,
    SearchCustomerHint,
    Search,
    NoCustomerFound,
    SearchMore,
    RegisterWalkIn,
    Register,
    BackToReception,
    CustomerSince,
    Vehicles,
    Tags,
    AddedBy,
    RemoveTag,
    AddTag,
    PreferredAdvisor,
    NoPreference,
    Timeline,
    AddNote,
    ChannelWalkIn,
    ChannelCounter,
    ChannelOnline,
    TimelineSignedUp,
    TimelineRegistered,
    TimelineVehicleAdded,
    TimelineVisitElsewhere,
    TimelineTagged,
    Parts,
    PickParts,
    PartPicked,
    PartPartlyPicked,
    PartOnShelf,
    PartArriving,
    AddPart,
    Part,
    PartQuantity,
    HoldPart,
    StoreSettingsTitle,
    StoreHours,
    OpenOnDay,
    Opens,
    Closes,
    ClosedDay,
    Bays,
    Technicians,
    CarsAtOnce,
    CapacityRule,
    SettingsSaved,
    StrandedTitle,
    StrandedIntro,
    StrandedNone,
    StrandOutsideHours,
    StrandOverCapacity,
    OnlyManagerEdits,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
    AddTagDef,
    TagLabelEn,
    TagLabelZh,
    TagCode,
    TagsIntro,
    TagsTitle,
    ManagerPin,
    ApprovingManager,
    AdjustReason,
    AdjustAmount,
    AdjustPrice,
    BillTotal,
    Adjustment,
    BillBooked,
    QcSubmit,
    QcWhatFailed,
    QcFailed,
    QcPassed,
    QcChecklist,
    OfferAgain,
    DeclinedBefore,
    CustomerDeclines,
    CustomerApproves,
    FindingNote,
    FixingService,
    Severity,
    FindingItem,
    RecordFinding,
    Findings,
    JobsToday,
    TooFewJobs,
    FirstTimeFix,
    SkillNone,
    SkillPartial,
    SkillFull,
    ReasonPreferred,
    Suggested,
    CloseBooking,
    CounterChannelRule,
    OpenBoard,
    CounterBooked,
    CounterBook,
    CounterNoSlots,
    CounterSlot,
    CounterService,
    BookForCar,
    InboxTitle,
    InboxHint,
    InboxEmpty,
    AcceptedBooked,
    PassedOnBefore,
    AnswerWithin,
    TimeUp,
    ChooseStart,
    AcceptOrder,
    NoStartInWindow,
    DeclineOrder,
    DeclineWhy,
    DeclineNote,
    ReasonFullyBooked,
    ReasonNoParts,
    ReasonNoSkill,
    ReasonOther,
    RoutingTitle,
    AcceptanceMinutes,
    AcceptanceHint,
    UnservedTitle,
    WaitingTitle,
    AcceptedTitle,
    NoneNow,
    PlacedAt,
    RouteColumn,
    WaitedColumn,
    WindowSaved,
    AcceptParts,
    AcceptedParts,
    PartsReadyFrom,
    PartsNotInTime,
    ToHandOverTitle,
    ToHandOverEmpty,
    HandOverParts,
    HandedOverDone,
    CustomerCollects,
    DeliverTo,
    OrderFor,
}

impl StaffMsg {
    pub fn text(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            StaffMsg::OrderFor => ("订单内容", "What for"),
            StaffMsg::AcceptParts => ("接单并预留配件", "Accept and hold the parts"),
            StaffMsg::AcceptedParts => ("已接单，配件已为客户预留", "Accepted: the parts are held for the customer"),
            StaffMsg::PartsReadyFrom => ("本店可交付时间：", "The parts can change hands here from"),
            StaffMsg::PartsNotInTime => ("配件无法在客户希望的时段内到本店，只能拒单", "The parts cannot be here in the customer's window: decline it"),
            StaffMsg::ToHandOverTitle => ("待交付的配件订单", "Parts orders to hand over"),
            StaffMsg::ToHandOverEmpty => ("暂无待交付的配件订单", "No parts orders to hand over"),
            StaffMsg::HandOverParts => ("已交付（自取或送达）", "Handed over (collected or delivered)"),
            StaffMsg::HandedOverDone => ("已交付", "Handed over"),
            StaffMsg::CustomerCollects => ("客户到店自取", "The customer collects them here"),
            StaffMsg::DeliverTo => ("送货至", "Deliver to"),
            StaffMsg::WindowSaved => ("已保存，此后派出的订单按新时限", "Saved: orders offered from now on get the new time"),
            StaffMsg::InboxTitle => ("线上订单", "Online orders"),
            StaffMsg::InboxHint => ("顾客在线下单时未指定门店，由本店先接。请在倒计时结束前接单或拒单，超时将转给下一家门店。", "Customers who ordered online without choosing a store: your store has first call. Accept or decline before the countdown ends, or the order moves on to the next store."),
            StaffMsg::InboxEmpty => ("目前没有等待本店确认的线上订单", "No online orders are waiting for your store"),
            StaffMsg::AcceptedBooked => ("已接单并预约：", "Accepted and booked:"),
            StaffMsg::PassedOnBefore => ("此前转单次数", "passed on before:"),
            StaffMsg::AnswerWithin => ("剩余接单时间", "Answer within"),
            StaffMsg::TimeUp => ("接单时间已到，订单即将转给下一家门店", "Time is up: the order is moving on to the next store"),
            StaffMsg::ChooseStart => ("选择开始时间", "Choose a start"),
            StaffMsg::AcceptOrder => ("接单", "Accept"),
            StaffMsg::NoStartInWindow => ("顾客所选时段内本店已无空位，请拒单以便下一家门店接单", "No free start in the customer's window: decline so the next store can take it"),
            StaffMsg::DeclineOrder => ("拒单", "Decline"),
            StaffMsg::DeclineWhy => ("原因", "Why"),
            StaffMsg::DeclineNote => ("说明（选“其他”时必填）", "Note (needed for “Other”)"),
            StaffMsg::ReasonFullyBooked => ("该时段已满", "Fully booked then"),
            StaffMsg::ReasonNoParts => ("配件来不及", "Parts cannot arrive in time"),
            StaffMsg::ReasonNoSkill => ("本店不做此项服务", "We do not do this work"),
            StaffMsg::ReasonOther => ("其他", "Other"),
            StaffMsg::RoutingTitle => ("线上订单分派", "Online order routing"),
            StaffMsg::AcceptanceMinutes => ("接单时限（分钟）", "Time to answer (minutes)"),
            StaffMsg::AcceptanceHint => ("门店须在此时间内接单或拒单，超时订单自动转给下一家最近的门店。修改只影响此后派出的订单。", "A store accepts or declines within this time; after it, the order moves on to the next-nearest store. A change applies to orders offered from now on."),
            StaffMsg::UnservedTitle => ("无门店接单（请联系顾客）", "Unserved: call the customer"),
            StaffMsg::WaitingTitle => ("等待门店确认", "Waiting for a store"),
            StaffMsg::AcceptedTitle => ("已接单（近 7 天）", "Accepted (last 7 days)"),
            StaffMsg::NoneNow => ("暂无", "None"),
            StaffMsg::PlacedAt => ("下单时间", "Placed"),
            StaffMsg::RouteColumn => ("流转门店", "Stores, in turn"),
            StaffMsg::WaitedColumn => ("等待时长", "Waited"),
            StaffMsg::Parts => ("配件", "Parts"),
            StaffMsg::PickParts => ("领料", "Pick the parts"),
            StaffMsg::PartPicked => ("已领料", "Picked"),
            StaffMsg::PartPartlyPicked => ("部分已领", "Partly picked"),
            StaffMsg::PartOnShelf => ("货架上待领", "On the shelf"),
            StaffMsg::PartArriving => ("在途", "On its way"),
            StaffMsg::AddPart => ("追加配件", "One more part"),
            StaffMsg::Part => ("配件", "Part"),
            StaffMsg::PartQuantity => ("数量", "Quantity"),
            StaffMsg::HoldPart => ("预留或申请", "Hold or request it"),
            StaffMsg::StoreSettingsTitle => ("门店设置", "Store settings"),
            StaffMsg::StoreHours => ("营业时间", "Opening hours"),
            StaffMsg::OpenOnDay => ("营业", "Open"),
            StaffMsg::Opens => ("开门", "Opens"),
            StaffMsg::Closes => ("关门", "Closes"),
            StaffMsg::ClosedDay => ("休息", "Closed"),
            StaffMsg::Bays => ("工位", "Bays"),
            StaffMsg::Technicians => ("技师", "Technicians"),
            StaffMsg::CarsAtOnce => ("可同时服务车辆", "Cars at once"),
            StaffMsg::CapacityRule => ("可同时服务的车辆数取工位数与在岗技师数中较小的一个；预约时段随之即时更新。", "Cars at once is the smaller of bays and technicians at work; the booking grid follows at once."),
            StaffMsg::SettingsSaved => ("已保存，预约时段已更新", "Saved: the booking grid has changed"),
            StaffMsg::StrandedTitle => ("需要改约的预约", "Bookings to move"),
            StaffMsg::StrandedIntro => ("这些预约已不符合现在的营业时间或工位，但仍然有效：请联系客户改约或取消。", "These bookings no longer fit the hours or bays. They still stand: call the customer to move or cancel them."),
            StaffMsg::StrandedNone => ("所有预约都符合现在的设置。", "Every booking fits the current settings."),
            StaffMsg::StrandOutsideHours => ("不在营业时间内", "Outside opening hours"),
            StaffMsg::StrandOverCapacity => ("超出可同时服务的车辆数", "More cars than the store can take"),
            StaffMsg::OnlyManagerEdits => ("只有店长可以修改门店设置。", "Only the store manager changes these settings."),
            StaffMsg::Monday => ("周一", "Monday"),
            StaffMsg::Tuesday => ("周二", "Tuesday"),
            StaffMsg::Wednesday => ("周三", "Wednesday"),
            StaffMsg::Thursday => ("周四", "Thursday"),
            StaffMsg::Friday => ("周五", "Friday"),
            StaffMsg::Saturday => ("周六", "Saturday"),
            StaffMsg::Sunday => ("周日", "Sunday"),
            StaffMsg::AddTagDef => ("添加标签", "Add a tag"),
            StaffMsg::TagLabelEn => ("英文名称", "English name"),
            StaffMsg::TagLabelZh => ("中文名称", "Chinese name"),
            StaffMsg::TagCode => ("代码", "Code"),
            StaffMsg::TagsIntro => ("门店员工只能使用这里的标签给客户打标签；修改名称会立即在所有门店生效。", "Store staff tag customers with these tags only; a renamed tag reads the new name in every store at once."),
            StaffMsg::TagsTitle => ("客户标签词表", "Customer tag vocabulary"),
            StaffMsg::ManagerPin => ("店长 PIN", "Manager's PIN"),
            StaffMsg::ApprovingManager => ("批准的店长", "Approving manager"),
            StaffMsg::AdjustReason => ("原因", "Reason"),
            StaffMsg::AdjustAmount => ("减免金额（元）", "Amount off (yuan)"),
            StaffMsg::AdjustPrice => ("调价（需店长批准）", "Adjust the price (a manager approves)"),
            StaffMsg::BillTotal => ("应付合计", "To pay"),
            StaffMsg::Adjustment => ("调价", "Adjustment"),
            StaffMsg::BillBooked => ("预约项目", "Booked work"),
            StaffMsg::QcSubmit => ("提交质检", "Submit the check"),
            StaffMsg::QcWhatFailed => ("不通过原因", "What failed"),
            StaffMsg::QcFailed => ("不通过", "Failed"),
            StaffMsg::QcPassed => ("通过", "Passed"),
            StaffMsg::QcChecklist => ("质检清单", "Quality checklist"),
            StaffMsg::OfferAgain => ("再次推荐", "Offer again"),
            StaffMsg::DeclinedBefore => ("以前未做的项目", "Declined at an earlier visit"),
            StaffMsg::CustomerDeclines => ("客户拒绝", "Customer declines"),
            StaffMsg::CustomerApproves => ("客户同意", "Customer approves"),
            StaffMsg::FindingNote => ("说明（可选）", "Note (optional)"),
            StaffMsg::FixingService => ("处理项目", "Service that fixes it"),
            StaffMsg::Severity => ("严重程度", "Severity"),
            StaffMsg::FindingItem => ("发现的问题", "What was found"),
            StaffMsg::RecordFinding => ("记录发现", "Record a finding"),
            StaffMsg::Findings => ("检查发现", "Findings"),
            StaffMsg::JobsToday => ("今日工单", "jobs today"),
            StaffMsg::TooFewJobs => ("数据不足", "too few jobs to tell"),
            StaffMsg::FirstTimeFix => ("一次修复率", "first-time fix"),
            StaffMsg::SkillNone => ("技能不匹配", "not skilled for this work"),
            StaffMsg::SkillPartial => ("部分技能匹配", "skilled for part of it"),
            StaffMsg::SkillFull => ("技能匹配", "skilled for this work"),
            StaffMsg::ReasonPreferred => ("客户偏好的顾问", "the customer's preferred advisor"),
            StaffMsg::Suggested => ("建议", "Suggested"),
            StaffMsg::BookForCar => ("为这辆车预约", "Book a service"),
            StaffMsg::CounterService => ("选择项目", "Choose the service"),
            StaffMsg::CounterSlot => ("选择时间", "Choose the time"),
            StaffMsg::CounterNoSlots => ("两周内没有空位", "No free time in the next two weeks"),
            StaffMsg::CounterBook => ("预约", "Book"),
            StaffMsg::CounterBooked => ("已预约", "Booked"),
            StaffMsg::OpenBoard => ("打开今日看板", "Open today's board"),
            StaffMsg::CounterChannelRule => ("一小时内开始的预约记为到店，之后的记为柜台预约。", "A booking that starts within the hour is a walk-in; a later one is a counter booking."),
            StaffMsg::CloseBooking => ("收起", "Close"),
            StaffMsg::KmPerDay => ("公里/天", "km a day"),
            StaffMsg::Concerns => ("客户描述的问题", "Customer's concerns"),
            StaffMsg::Assign => ("指派", "Assign"),
            StaffMsg::NobodyResponsible => ("尚无负责人", "Nobody responsible yet"),
            StaffMsg::Responsible => ("负责人", "Responsible"),
            StaffMsg::NextDay => ("后一天", "Next day"),
            StaffMsg::Today => ("今天", "Today"),
            StaffMsg::PreviousDay => ("前一天", "Previous day"),
            StaffMsg::TodaysBoard => ("今日看板", "Today's board"),
            StaffMsg::StepCancel => ("取消工单", "Cancel"),
            StaffMsg::StepHandOver => ("交车", "Hand over"),
            StaffMsg::StepFailQc => ("质检不通过，返工", "Failed QC: back to bay"),
            StaffMsg::StepPassQc => ("质检通过", "Passed QC"),
            StaffMsg::StepSubmitForQc => ("提交质检", "To quality check"),
            StaffMsg::StepStartWork => ("进工位", "Into a bay"),
            StaffMsg::StepCheckIn => ("接车登记", "Check in"),
            StaffMsg::KioskDevices => ("门店 iPad", "Store iPads"),
            StaffMsg::KioskDevicesIntro => ("为门店配对 iPad：生成一次性配对码，在 iPad 的前台页面输入。丢失或更换的设备可随时停用，停用后其上的登录立即失效。", "Pair an iPad with a store: make a one-time code and type it on the iPad’s reception page. Revoke a lost or replaced device at any time; whoever is signed in on it is signed out at once."),
            StaffMsg::PairNewDevice => ("配对新设备", "Pair a new device"),
            StaffMsg::DeviceName => ("设备名称", "Device name"),
            StaffMsg::MakePairingCode => ("生成配对码", "Make a pairing code"),
            StaffMsg::PairingCodeFor => ("配对码：", "Pairing code for"),
            StaffMsg::PairingCodeHint => ("在 iPad 上输入此码，仅可使用一次，有效至", "Type this code on the iPad. It works once, until"),
            StaffMsg::PairedDevices => ("已配对的设备", "Paired devices"),
            StaffMsg::PairedAt => ("配对时间", "Paired"),
            StaffMsg::LastUnlock => ("最近解锁", "Last unlocked"),
            StaffMsg::Revoked => ("已停用", "Revoked"),
            StaffMsg::Revoke => ("停用", "Revoke"),
            StaffMsg::PairThisDevice => ("配对此 iPad", "Pair this iPad"),
            StaffMsg::PairThisDeviceIntro => ("请输入总部提供的配对码，将此 iPad 绑定到门店。", "Type the pairing code from HQ to bind this iPad to its store."),
            StaffMsg::PairingCode => ("配对码", "Pairing code"),
            StaffMsg::Pair => ("配对", "Pair"),
            StaffMsg::WhoIsUnlocking => ("选择您的名字并输入个人 PIN 解锁。", "Choose your name and type your PIN to unlock."),
            StaffMsg::ChooseYourself => ("员工", "Staff"),
            StaffMsg::NoPinYet => ("尚未设置 PIN，请联系店长", "No PIN yet: ask your manager"),
            StaffMsg::Pin => ("PIN", "PIN"),
            StaffMsg::Erase => ("删除一位", "Delete a digit"),
            StaffMsg::Unlock => ("解锁", "Unlock"),
            StaffMsg::StorePins => ("员工 PIN 与锁屏", "Staff PINs and lock"),
            StaffMsg::MyPin => ("我的 PIN", "My PIN"),
            StaffMsg::NewPin => ("新 PIN（6 位数字）", "New PIN (6 digits)"),
            StaffMsg::SetPin => ("设置 PIN", "Set PIN"),
            StaffMsg::PinSet => ("PIN 已更新", "PIN updated"),
            StaffMsg::IdleLockMinutes => ("无操作自动锁屏（分钟）", "Lock after idle minutes"),
            StaffMsg::Saved => ("已保存", "Saved"),
            StaffMsg::LockNow => ("锁屏", "Lock"),
            StaffMsg::StoreStaff => ("门店员工", "Store staff"),
            StaffMsg::StoreStaffIntro => ("为门店添加员工、调店、维护技师技能；员工离职时停用，其所有登录立即失效。", "Add staff to a store, move them between stores, keep technicians’ skills; deactivate someone who leaves and every session they have ends at once."),
            StaffMsg::AddStaff => ("添加员工", "Add staff"),
            StaffMsg::Role => ("岗位", "Role"),
            StaffMsg::Skills => ("技能", "Skills"),
            StaffMsg::MoveTo => ("调往门店", "Move to store"),
            StaffMsg::Move => ("调店", "Move"),
            StaffMsg::Deactivate => ("停用", "Deactivate"),
            StaffMsg::Reception => ("接待", "Reception"),
            StaffMsg::SearchCustomer => ("查找客户", "Find a customer"),
            StaffMsg::SearchCustomerHint => ("手机号（前几位或后四位）或车牌", "Phone (first or last digits) or plate"),
            StaffMsg::Search => ("查找", "Search"),
            StaffMsg::NoCustomerFound => ("没有找到客户", "No customer found"),
            StaffMsg::SearchMore => ("结果较多，请输入更多字符", "More customers match: type more"),
            StaffMsg::RegisterWalkIn => ("登记到店新客户", "Register a walk-in"),
            StaffMsg::Register => ("登记", "Register"),
            StaffMsg::BackToReception => ("← 返回接待", "← Back to reception"),
            StaffMsg::CustomerSince => ("客户始于", "Customer since"),
            StaffMsg::Vehicles => ("车辆", "Vehicles"),
            StaffMsg::Tags => ("标签", "Tags"),
            StaffMsg::AddedBy => ("添加人", "Added by"),
            StaffMsg::RemoveTag => ("移除标签", "Remove tag"),
            StaffMsg::AddTag => ("添加标签", "Add tag"),
            StaffMsg::PreferredAdvisor => ("指定服务顾问", "Preferred advisor"),
            StaffMsg::NoPreference => ("未指定", "No preference"),
            StaffMsg::Timeline => ("客户动态", "Timeline"),
            StaffMsg::AddNote => ("添加备注", "Add note"),
            StaffMsg::ChannelWalkIn => ("到店", "Walk-in"),
            StaffMsg::ChannelCounter => ("柜台预约", "Counter booking"),
            StaffMsg::ChannelOnline => ("线上", "Online"),
            StaffMsg::TimelineSignedUp => ("线上注册", "Signed up online"),
            StaffMsg::TimelineRegistered => ("到店登记", "Registered at the counter"),
            StaffMsg::TimelineVehicleAdded => ("添加车辆", "Vehicle added"),
            StaffMsg::TimelineVisitElsewhere => ("到访其他门店", "Visited another store"),
            StaffMsg::TimelineTagged => ("添加标签", "Tagged"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

impl Msg {
    pub fn text(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Msg::PartsOrderLink => ("只买配件？在线订轮胎、雨刮、电瓶", "Only need parts? Order tyres, wipers or a battery"),
            Msg::ErrPartsNotArrived => ("还有配件在途，到货上架后才能交付", "Some parts are still on their way: hand over once they are on the shelf"),
            Msg::ErrPartsTooLate => ("配件无法在客户希望的时段内到店", "The parts cannot be here within the time the customer asked for"),
            Msg::ErrHandoverUnknown => ("请选择到店自取或送货上门", "Choose collection at the store or delivery"),
            Msg::ErrAddressInvalid => ("请填写送货地址（5 至 200 个字）", "Give a delivery address (5 to 200 characters)"),
            Msg::ErrPartNotOffered => ("该配件暂不销售", "That part is not on sale"),
            Msg::ErrBasketTooLarge => ("一次最多订 10 种配件", "Order at most 10 different parts at once"),
            Msg::ErrBasketEmpty => ("请至少选择一件配件", "Choose at least one part"),
            Msg::AnyStoreLink => ("不限门店？让最近的门店来接单", "No store in mind? Let the nearest one take it"),
            Msg::NavInbox => ("线上订单", "Online orders"),
            Msg::NavRouting => ("订单分派", "Order routing"),
            Msg::ErrSlotOutsideWindow => ("所选时间不在客户希望的时段内", "That start is outside the time the customer asked for"),
            Msg::ErrAcceptanceWindowInvalid => ("接单时限须为 5 至 1440 分钟", "The time to answer is 5 to 1440 minutes"),
            Msg::ErrDeclineReasonMissing => ("拒单须选择原因；选“其他”时请填写说明", "Choose why the store declines; for “Other”, say why in the note"),
            Msg::ErrAnswerWindowClosed => ("接单时限已过，订单已转给下一家门店", "The time to answer has run out: the order moves on to the next store"),
            Msg::ErrRoutedAnswered => ("此订单已被处理（已接单或已转给其他门店）", "This order has already been answered: accepted, or passed on to another store"),
            Msg::ErrRoutedNotHere => ("此订单不在本店待接单", "This order is not waiting for your store"),
            Msg::ErrWindowInvalid => ("请选择日期和时段（上午、下午或全天）", "Choose a day and a part of the day (morning, afternoon or all day)"),
            Msg::ErrWindowInPast => ("所选时段已过，请选择之后的时段", "That time has passed: choose a later day or part of the day"),
            Msg::ErrServiceNotOffered => ("没有门店提供此项服务", "No store offers this service"),
            Msg::NavStoreSettings => ("门店设置", "Store settings"),
            Msg::NavTags => ("客户标签", "Customer tags"),
            Msg::ChooseAdvisor => ("选择顾问", "Choose an advisor"),
            Msg::NoAdvisorChosen => ("未选择", "None chosen"),
            Msg::MyAdvisorHint => ("到店时会优先由您选择的顾问接待。", "When you come in, the advisor you choose is suggested to take your car first."),
            Msg::MyAdvisor => ("我的专属顾问", "My preferred advisor"),
            Msg::StoreAdjustment => ("门店调价", "Adjusted at the store"),
            Msg::TotalWithExtras => ("含加项合计", "Total with the approved extra work"),
            Msg::SeverityRed => ("需立即处理", "Needs doing now"),
            Msg::SeverityAmber => ("建议尽快处理", "Should be done soon"),
            Msg::SeverityGreen => ("可观察", "Keep an eye on it"),
            Msg::FindingDeclined => ("已拒绝", "Declined"),
            Msg::FindingApproved => ("已同意", "Approved"),
            Msg::FindingPending => ("待您确认", "Waiting for your answer"),
            Msg::FindingDecline => ("暂不需要", "Decline"),
            Msg::FindingApprove => ("同意加项", "Approve"),
            Msg::FindingsTitle => ("检查中发现的其他问题", "Also found during the service"),
            Msg::KioskPricesIntro => (
                "与线上相同的价格，可直接向顾客展示。",
                "The same prices as online; show them to the customer.",
            ),
            Msg::NavKioskStaff => ("员工与 PIN", "Staff and PINs"),
            Msg::NavReception => ("接待", "Reception"),
            Msg::NavStaff => ("门店员工", "Store staff"),
            Msg::NavDevices => ("门店设备", "Store devices"),
            Msg::NavPolicies => ("折扣政策", "Discounts"),
            Msg::NavPriceList => ("价目表", "Price list"),
            Msg::SurfaceHq => ("总部控制台", "HQ console"),
            Msg::SurfaceKiosk => ("门店前台", "Store reception"),
            Msg::AppName => ("Pitlane 车服", "Pitlane"),
            Msg::Tagline => (
                "线上线下一个价，门店库存实时可见",
                "One price online and in store, live stock at every store",
            ),
            Msg::Language => ("语言", "Language"),
            Msg::NotFound => ("页面不存在", "Page not found"),
            Msg::BackHome => ("返回首页", "Back to the home page"),
            Msg::Loading => ("加载中…", "Loading…"),
            Msg::SurfaceCustomer => ("车主服务", "Car owners"),
            Msg::NavServices => ("服务与价格", "Services & prices"),
            Msg::ServicePrices => ("服务价目表", "Service price list"),
            Msg::ServicePricesIntro => (
                "全部门店统一价格，由总部发布。",
                "The same price at every store, published by HQ.",
            ),
            Msg::HqPricesIntro => (
                "发布新价格会生成新的价目表版本，立即在所有渠道生效，历史版本保留。",
                "Publishing a price creates a new price-list version that takes effect on every channel at once; history is kept.",
            ),
            Msg::ColService => ("服务", "Service"),
            Msg::ColCategory => ("类别", "Category"),
            Msg::ColDuration => ("时长", "Duration"),
            Msg::ColPrice => ("价格", "Price"),
            Msg::ColNewPrice => ("新价格（元）", "New price (¥)"),
            Msg::Publish => ("发布", "Publish"),
            Msg::Publishing => ("发布中…", "Publishing…"),
            Msg::NewPricePlaceholder => ("例如 128.00", "e.g. 128.00"),
            Msg::PublishedVersion => ("已发布，价目表版本", "Published: price list version"),
            Msg::PriceListVersion => ("价目表版本", "Price list version"),
            Msg::EffectiveFrom => ("生效时间", "effective from"),
            Msg::LiveOn => ("价格实时更新", "Prices update live"),
            Msg::CatMaintenance => ("保养", "Maintenance"),
            Msg::CatTyres => ("轮胎", "Tyres"),
            Msg::CatRepair => ("维修", "Repair"),
            Msg::CatDetailing => ("美容", "Detailing"),
            Msg::CatEv => ("新能源", "EV"),
            Msg::Minutes => ("分钟", "min"),
            Msg::ErrBadRequest => ("请求格式不正确。", "The request was malformed."),
            Msg::ErrNotFound => ("找不到该项目。", "That item was not found."),
            Msg::ErrForbidden => ("您无权执行此操作。", "You are not allowed to do this."),
            Msg::ErrConflict => (
                "数据刚被他人修改，请刷新后重试。",
                "Someone else just changed this; refresh and try again.",
            ),
            Msg::ErrInternal => (
                "服务器出错了，请稍后再试。追踪号",
                "Something went wrong on our side; please try again later. Trace id",
            ),
            Msg::ErrNetwork => (
                "无法连接服务器，请检查网络后重试。",
                "Could not reach the server; check the connection and try again.",
            ),
            Msg::ErrAmountEmpty => ("请输入金额。", "Enter an amount."),
            Msg::ErrAmountNotANumber => (
                "金额格式不正确，请输入数字，例如 128.50。",
                "That is not an amount; enter a number such as 128.50.",
            ),
            Msg::ErrAmountTooPrecise => (
                "金额最多保留两位小数（精确到分）。",
                "Amounts have at most two decimals (fen).",
            ),
            Msg::ErrAmountOverflow => ("金额过大。", "That amount is too large."),
            Msg::ErrPriceNotPositive => ("价格必须大于零。", "A price must be more than zero."),
            Msg::ErrPriceTooHigh => (
                "价格不能超过 ¥10,000,000.00。",
                "A price cannot exceed ¥10,000,000.00.",
            ),
            Msg::ErrPriceUnchanged => (
                "新价格与当前价格相同，未发布。",
                "The new price equals the current one; nothing was published.",
            ),
            Msg::ErrNotPriced => (
                "该项目不在价目表中。",
                "That item is not on the price list.",
            ),
            Msg::ErrQuantityInvalid => ("数量不正确。", "That quantity is not valid."),
            Msg::ErrPlateInvalid => (
                "车牌号格式不正确，例如 浙A12345 或 浙AD12345。",
                "That is not a mainland plate, e.g. 浙A12345 or 浙AD12345.",
            ),
            Msg::ErrPhoneInvalid => (
                "手机号格式不正确，请输入 11 位手机号。",
                "That is not a mobile number; enter the 11 digits.",
            ),
            Msg::ErrIdInvalid => ("编号格式不正确。", "That identifier is not valid."),
            Msg::ErrVersionExhausted => (
                "价目表版本号已用尽，请联系技术支持。",
                "The price list has run out of version numbers; contact support.",
            ),
            Msg::ErrOutOfStock => ("刚刚有人订走了最后的库存，请重新选择门店或时间", "That part just sold out; please choose another store or time"),
            Msg::ErrSlotUnavailable => ("该时段刚刚被订满，请选择其他时段", "That slot was just taken; please choose another one"),
            Msg::ErrSlotInvalid => ("该时段不可预约", "That time cannot be booked"),
            Msg::ErrPartsUnobtainable => ("所需配件暂时无法调到", "The parts for this car cannot be obtained at the moment"),
            Msg::ErrNoFitment => ("暂无适配此车型的配件", "No part in our catalog fits this car for that service"),
            Msg::ErrReservationInvalid => ("预留数量与库存不符", "The reservation does not match the stock"),
            Msg::ErrPasswordTooShort => ("密码至少需要 8 个字符", "The password needs at least 8 characters"),
            Msg::ErrPasswordTooLong => ("密码不能超过 128 个字符", "The password may have at most 128 characters"),
            Msg::ErrPasswordTooSimple => ("密码过于简单：请混合字母和数字，且不要包含手机号", "The password is too simple: mix letters and digits, and leave out your phone number"),
            Msg::ErrNameInvalid => ("请填写姓名（不超过 40 个字）", "Please enter a name (up to 40 characters)"),
            Msg::ErrMileageInvalid => ("里程应为 0 到 2,000,000 之间的整数公里数", "Mileage must be a whole number of kilometres from 0 to 2,000,000"),
            Msg::ErrPercentInvalid => ("折扣比例应在 1% 到 100% 之间", "A discount percentage must be between 1 and 100"),
            Msg::ErrPeriodInvalid => ("结束时间必须晚于开始时间", "The end must be after the start"),
            Msg::ErrTimeInvalid => ("时间格式不正确", "That is not a valid date and time"),
            Msg::ErrLocationInvalid => ("位置不正确", "That location is not valid"),
            Msg::ErrIdempotencyKeyInvalid => ("请求标识不正确，请刷新页面后重试", "The request key is invalid; please reload and try again"),
            Msg::ErrIdempotencyKeyReused => ("该请求已提交过不同的内容，请刷新页面后重试", "This request was already sent with other details; please reload and try again"),
            Msg::ErrPriceChanged => ("价格刚刚更新，请确认新的价格后再提交", "The price has just changed; please check the new price and confirm again"),
            Msg::ErrPhoneTaken => ("该手机号已注册，请直接登录", "This phone number already has an account; please sign in"),
            Msg::ErrPlateTaken => ("该车牌已绑定在其他账户下，请联系门店", "This plate is registered to another account; please contact a store"),
            Msg::ErrNotCancellable => ("该预约已无法在线取消", "This booking can no longer be cancelled online"),
            Msg::ErrSlotTooSoon => ("该时段开始得太早，来不及准备，请选择稍晚的时段", "That slot starts too soon for the store to prepare: pick a later one"),
            Msg::ErrTooManyStreams => ("此地址打开的实时更新页面过多，请关闭一些页面后重试", "Too many pages with live updates are open from this address; close some and try again"),
            Msg::NoServicesForCar => ("暂无适用于这辆车的服务", "No service on sale applies to this vehicle yet"),
            Msg::ErrSlotBeyondHorizon => ("该时段超出了可预约的日期范围", "That slot is further ahead than bookings are taken"),
            Msg::ErrTooManyOpenBookings => ("您的未完成预约已达上限，请先完成或取消一个", "You already have the most open bookings allowed: finish or cancel one first"),
            Msg::ErrVehicleAlreadyBooked => ("这辆车在该时段已有预约", "This vehicle already has a booking at that time"),
            Msg::ErrStoreUnknown => ("该门店不接受预约", "This store does not take bookings"),
            Msg::ErrPairingCodeInvalid => ("配对码无效、已使用或已过期", "The pairing code is unknown, already used or expired"),
            Msg::ErrDeviceNameInvalid => ("设备名称需为 1 至 40 个字", "A device name has 1 to 40 characters"),
            Msg::ErrDeviceNotPaired => ("此设备未与门店配对（或已被停用）", "This device is not paired with a store (or was revoked)"),
            Msg::ErrPinInvalid => ("PIN 须为 6 位数字", "A PIN is six digits"),
            Msg::ErrPinTooSimple => ("PIN 过于简单（重复或连续数字），请换一个", "That PIN is too easy to guess (repeated or consecutive digits); choose another"),
            Msg::ErrPinReused => ("新 PIN 不能与当前 PIN 相同", "The new PIN must differ from the current one"),
            Msg::ErrPinWrong => ("PIN 不正确", "Wrong PIN"),
            Msg::ErrIdleLockInvalid => ("锁屏时间须为 1 至 30 分钟", "Idle lock must be 1 to 30 minutes"),
            Msg::ErrRoleNotForStore => ("门店员工的岗位须为店长、服务顾问或技师", "Store staff are store managers, service advisors or technicians"),
            Msg::ErrSkillUnknown => ("未知的技能类别", "Unknown skill category"),
            Msg::NavBoard => ("看板", "Board"),
            Msg::ErrStaffLeft => ("此员工已离职", "This person no longer works here"),
            Msg::ErrFindingItemInvalid => ("发现的问题须为 1 至 100 个字符", "Say what was found in 1 to 100 characters"),
            Msg::ErrSeverityUnknown => ("严重程度须为绿、黄或红", "Severity is green, amber or red"),
            Msg::ErrFindingNotNow => ("只有车辆已到店或在工位时才能记录或决定加项", "Extra work is found and decided only while the car is checked in or in a bay"),
            Msg::ErrFindingDecided => ("这项检查发现已有决定", "This finding has already been approved or declined"),
            Msg::ErrDecisionUnknown => ("请选择同意或拒绝", "Choose approve or decline"),
            Msg::ErrQcStepMissing => ("请逐项标记质检清单上的每一步（通过或不通过）", "Mark every step of the checklist as passed or failed"),
            Msg::ErrQcNoteMissing => ("未通过的质检项须写明原因", "Say what failed for every step that did not pass"),
            Msg::ErrAdjustmentReasonMissing => ("调价须写明原因（2 至 200 个字符）", "Give a reason for the adjustment (2 to 200 characters)"),
            Msg::ErrAdjustmentTooLarge => ("调价金额不能超过应付金额", "The adjustment cannot be more than what is left to pay"),
            Msg::ErrAdjustmentNotNow => ("只有车辆在店且尚未交车时才能调价", "Prices are adjusted only while the car is at the store, before handover"),
            Msg::ErrManagerApprovalNeeded => ("调价须由本店店长输入 PIN 批准", "A manager of this store approves the adjustment with their PIN"),
            Msg::ErrTagLabelInvalid => ("标签名称须为 1 至 24 个字符", "A tag's name is 1 to 24 characters"),
            Msg::ErrHoursInvalid => ("营业时间须为 00:00 至 24:00，且开门早于关门", "Opening hours run from 00:00 to 24:00, opening before closing"),
            Msg::ErrBaysInvalid => ("工位数须为 1 至 40", "A store has 1 to 40 bays"),
            Msg::ErrPartsNotNow => ("车辆到店接车后、进工位期间才能领料或加料", "Parts are picked or added only while the car is checked in or in a bay"),
            Msg::ErrNothingToPick => ("本店货架上没有此工单待领的配件", "Nothing for this work order is waiting on the store's shelf"),
            Msg::ErrPartHeldElsewhere => ("此配件已在调拨或在途中，到货后再追加", "This part is already on its way for this order: add more once it has arrived"),
            Msg::ErrStepOutOfOrder => ("工单当前状态不能执行此步骤", "This step does not follow the work order's current status"),
            Msg::ErrMileageBelowLast => ("里程低于该车上次记录的里程", "The mileage is lower than the car's last recorded reading"),
            Msg::ErrNoteInvalid => ("备注须为 1 至 500 个字符", "A note is 1 to 500 characters"),
            Msg::ErrTagUnknown => ("没有这个标签", "There is no such tag"),
            Msg::ErrSearchInvalid => ("请输入手机号或车牌的一部分", "Type part of a phone number or a plate"),
            Msg::ErrSearchTooShort => ("请至少输入手机号 3 位数字或车牌 2 位字符", "Type at least 3 digits of a phone or 2 characters of a plate"),
            Msg::ErrBusy => (
                "系统繁忙，请稍后重试。",
                "The system is busy; please try again in a moment.",
            ),
            Msg::LiveOff => (
                "实时更新已断开，正在重连…",
                "Live updates disconnected; reconnecting…",
            ),
            Msg::PriceHistory => ("历史价格", "Price history"),
            Msg::ErrUnauthenticated => ("请先登录", "Please sign in first"),
            Msg::ErrBadCredentials => ("手机号或密码不正确", "Wrong phone number or password"),
            Msg::ErrRateLimited => ("尝试次数过多，请几分钟后再试", "Too many attempts; please try again in a few minutes"),
            Msg::RoleHqAdmin => ("总部运营", "HQ operations"),
            Msg::RoleHqSupply => ("总部供应链", "HQ supply chain"),
            Msg::RoleStoreManager => ("店长", "Store manager"),
            Msg::RoleServiceAdvisor => ("服务顾问", "Service advisor"),
            Msg::RoleTechnician => ("技师", "Technician"),
            Msg::RoleWarehouse => ("仓库", "Warehouse"),
            Msg::SignIn => ("登录", "Sign in"),
            Msg::StaffSignIn => ("员工登录", "Staff sign-in"),
            Msg::SignUp => ("注册", "Sign up"),
            Msg::SignOut => ("退出登录", "Sign out"),
            Msg::Phone => ("手机号", "Mobile number"),
            Msg::Password => ("密码", "Password"),
            Msg::YourName => ("姓名", "Name"),
            Msg::PasswordHint => ("至少 8 位，需包含字母和数字等两类字符", "At least 8 characters, mixing two kinds (e.g. letters and digits)"),
            Msg::NoAccountYet => ("还没有账户？", "No account yet?"),
            Msg::HaveAccount => ("已有账户？", "Already have an account?"),
            Msg::NotForYourRole => ("您的岗位无权使用此页面", "Your role does not give access to this page"),
            Msg::StatusBooked => ("已预约", "Booked"),
            Msg::StatusCheckedIn => ("已到店", "Checked in"),
            Msg::StatusInBay => ("施工中", "In the bay"),
            Msg::StatusQualityCheck => ("质检中", "Quality check"),
            Msg::StatusReady => ("待取车", "Ready"),
            Msg::StatusHandedOver => ("已交车", "Handed over"),
            Msg::StatusCancelled => ("已取消", "Cancelled"),
            Msg::ChooseModel => ("选择车型", "Choose a model"),
            Msg::MyGarage => ("我的车库", "My garage"),
            Msg::NavGarage => ("我的车库", "My garage"),
            Msg::GarageEmpty => ("车库里还没有车辆，请先添加", "Your garage is empty; add a vehicle below"),
            Msg::AddVehicle => ("添加车辆", "Add vehicle"),
            Msg::Plate => ("车牌号", "Licence plate"),
            Msg::Model => ("车型", "Model"),
            Msg::MileageKm => ("当前里程（公里）", "Current mileage (km)"),
            Msg::RemoveVehicle => ("移除", "Remove"),
            Msg::BackToGarage => ("← 返回车库", "← Back to my garage"),
            Msg::Save => ("保存", "Save"),
            Msg::ServiceHistory => ("保养维修记录", "Service history"),
            Msg::NoHistory => ("暂无记录", "No services yet"),
            Msg::Labour => ("工时费", "Labour"),
            Msg::Subtotal => ("小计", "Subtotal"),
            Msg::Total => ("合计", "Total"),
            Msg::AvailNow => ("现货", "In stock"),
            Msg::AvailArriving => ("在途", "On its way"),
            Msg::AvailTransfer => ("可调货", "By transfer"),
            Msg::AvailNone => ("暂无货源", "Not obtainable"),
            Msg::BookService => ("预约服务", "Book a service"),
            Msg::NavBook => ("预约", "Book"),
            Msg::AddVehicleFirst => ("请先在车库中添加车辆：", "Add a vehicle to your garage first:"),
            Msg::YourVehicle => ("您的车辆", "Your vehicle"),
            Msg::StepService => ("1. 选择服务项目（价格已按您的车型和会员等级计算）", "1. Choose a service (priced for your car and membership)"),
            Msg::StepStore => ("2. 选择门店", "2. Choose a store"),
            Msg::StepSlot => ("3. 选择时间", "3. Choose a time"),
            Msg::StepConfirm => ("4. 确认预约", "4. Confirm"),
            Msg::NoSlots => ("近两周没有可预约的时间", "No free time in the next two weeks"),
            Msg::ReadyAt => ("配件预计到店", "Parts expected"),
            Msg::EarliestSlot => ("最早可约", "Earliest"),
            Msg::FreeBays => ("个空闲工位", "bays free"),
            Msg::ChooseStore => ("选择此门店", "Choose this store"),
            Msg::SlotAt => ("时间", "Time"),
            Msg::ConfirmBooking => ("确认预约", "Confirm booking"),
            Msg::BookingConfirmed => ("预约详情", "Your booking"),
            Msg::Reference => ("预约号", "Reference"),
            Msg::Store => ("门店", "Store"),
            Msg::Service => ("服务", "Service"),
            Msg::Status => ("状态", "Status"),
            Msg::CancelBooking => ("取消预约", "Cancel booking"),
            Msg::QuoteForModel => ("按车型报价", "Quote for a model"),
            Msg::BookThisVehicle => ("预约保养", "Book a service"),
            Msg::TierStandard => ("普通会员", "Standard"),
            Msg::TierSilver => ("银卡会员", "Silver"),
            Msg::TierGold => ("金卡会员", "Gold"),
            Msg::LabourOff => ("工时优惠", "off labour"),
            Msg::AmountOff => ("立减", "Amount off"),
            Msg::DiscountPolicies => ("折扣政策", "Discount policies"),
            Msg::PoliciesIntro => ("折扣政策对所有符合条件的客户一视同仁，发布后立即生效，并显示在每一份价格明细中。", "Policies apply alike to everyone who qualifies, take effect when published, and show on every price breakdown."),
            Msg::NewTierPolicy => ("新建会员折扣", "New membership discount"),
            Msg::NewCampaign => ("新建活动立减", "New campaign"),
            Msg::NameZh => ("名称（中文）", "Name (Chinese)"),
            Msg::NameEn => ("名称（英文）", "Name (English)"),
            Msg::Tier => ("会员等级", "Tier"),
            Msg::PercentOffLabour => ("工时折扣（%）", "Off labour (%)"),
            Msg::FirstDay => ("开始日期", "First day"),
            Msg::LastDay => ("结束日期", "Last day"),
            Msg::PolicyPublished => ("已发布", "Published"),
            Msg::UseMyLocation => ("使用我的位置", "Use my location"),
            Msg::FromYourLocation => ("距离按您的位置计算", "Distances from where you are"),
            Msg::FromCityCentre => ("距离按市中心计算", "Distances from the city centre"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// The translated text of a rule violation.
pub fn domain_error_text(e: &domain::Error, lang: Lang) -> &'static str {
    use domain::Error as E;
    let msg = match e {
        E::AmountEmpty => Msg::ErrAmountEmpty,
        E::AmountNotANumber => Msg::ErrAmountNotANumber,
        E::AmountTooPrecise => Msg::ErrAmountTooPrecise,
        E::AmountOverflow => Msg::ErrAmountOverflow,
        E::PriceNotPositive => Msg::ErrPriceNotPositive,
        E::PriceTooHigh => Msg::ErrPriceTooHigh,
        E::PriceUnchanged => Msg::ErrPriceUnchanged,
        E::NotPriced => Msg::ErrNotPriced,
        E::QuantityInvalid => Msg::ErrQuantityInvalid,
        E::PlateInvalid => Msg::ErrPlateInvalid,
        E::PhoneInvalid => Msg::ErrPhoneInvalid,
        E::IdInvalid => Msg::ErrIdInvalid,
        E::VersionExhausted => Msg::ErrVersionExhausted,
        E::OutOfStock => Msg::ErrOutOfStock,
        E::SlotUnavailable => Msg::ErrSlotUnavailable,
        E::SlotInvalid => Msg::ErrSlotInvalid,
        E::PartsUnobtainable => Msg::ErrPartsUnobtainable,
        E::NoFitment => Msg::ErrNoFitment,
        E::ReservationInvalid => Msg::ErrReservationInvalid,
        E::PasswordTooShort => Msg::ErrPasswordTooShort,
        E::PasswordTooLong => Msg::ErrPasswordTooLong,
        E::PasswordTooSimple => Msg::ErrPasswordTooSimple,
        E::NameInvalid => Msg::ErrNameInvalid,
        E::MileageInvalid => Msg::ErrMileageInvalid,
        E::PercentInvalid => Msg::ErrPercentInvalid,
        E::PeriodInvalid => Msg::ErrPeriodInvalid,
        E::TimeInvalid => Msg::ErrTimeInvalid,
        E::LocationInvalid => Msg::ErrLocationInvalid,
        E::IdempotencyKeyInvalid => Msg::ErrIdempotencyKeyInvalid,
        E::IdempotencyKeyReused => Msg::ErrIdempotencyKeyReused,
        E::PriceChanged => Msg::ErrPriceChanged,
        E::PhoneTaken => Msg::ErrPhoneTaken,
        E::PlateTaken => Msg::ErrPlateTaken,
        E::NotCancellable => Msg::ErrNotCancellable,
        E::SlotTooSoon => Msg::ErrSlotTooSoon,
        E::SlotBeyondHorizon => Msg::ErrSlotBeyondHorizon,
        E::TooManyOpenBookings => Msg::ErrTooManyOpenBookings,
        E::VehicleAlreadyBooked => Msg::ErrVehicleAlreadyBooked,
        E::StoreUnknown => Msg::ErrStoreUnknown,
        E::PairingCodeInvalid => Msg::ErrPairingCodeInvalid,
        E::DeviceNameInvalid => Msg::ErrDeviceNameInvalid,
        E::DeviceNotPaired => Msg::ErrDeviceNotPaired,
        E::PinInvalid => Msg::ErrPinInvalid,
        E::PinTooSimple => Msg::ErrPinTooSimple,
        E::PinReused => Msg::ErrPinReused,
        E::PinWrong => Msg::ErrPinWrong,
        E::IdleLockInvalid => Msg::ErrIdleLockInvalid,
        E::RoleNotForStore => Msg::ErrRoleNotForStore,
        E::SkillUnknown => Msg::ErrSkillUnknown,
        E::StaffLeft => Msg::ErrStaffLeft,
        E::StepOutOfOrder => Msg::ErrStepOutOfOrder,
        E::PartHeldElsewhere => Msg::ErrPartHeldElsewhere,
        E::NothingToPick => Msg::ErrNothingToPick,
        E::PartsNotNow => Msg::ErrPartsNotNow,
        E::BaysInvalid => Msg::ErrBaysInvalid,
        E::HoursInvalid => Msg::ErrHoursInvalid,
        E::TagLabelInvalid => Msg::ErrTagLabelInvalid,
        E::ManagerApprovalNeeded => Msg::ErrManagerApprovalNeeded,
        E::AdjustmentNotNow => Msg::ErrAdjustmentNotNow,
        E::AdjustmentTooLarge => Msg::ErrAdjustmentTooLarge,
        E::AdjustmentReasonMissing => Msg::ErrAdjustmentReasonMissing,
        E::QcNoteMissing => Msg::ErrQcNoteMissing,
        E::QcStepMissing => Msg::ErrQcStepMissing,
        E::DecisionUnknown => Msg::ErrDecisionUnknown,
        E::FindingDecided => Msg::ErrFindingDecided,
        E::FindingNotNow => Msg::ErrFindingNotNow,
        E::SeverityUnknown => Msg::ErrSeverityUnknown,
        E::FindingItemInvalid => Msg::ErrFindingItemInvalid,
        E::MileageBelowLast => Msg::ErrMileageBelowLast,
        E::NoteInvalid => Msg::ErrNoteInvalid,
        E::TagUnknown => Msg::ErrTagUnknown,
        E::SearchInvalid => Msg::ErrSearchInvalid,
        E::SearchTooShort => Msg::ErrSearchTooShort,
        E::PartsNotArrived => Msg::ErrPartsNotArrived,
        E::PartsTooLate => Msg::ErrPartsTooLate,
        E::HandoverUnknown => Msg::ErrHandoverUnknown,
        E::AddressInvalid => Msg::ErrAddressInvalid,
        E::PartNotOffered => Msg::ErrPartNotOffered,
        E::BasketTooLarge => Msg::ErrBasketTooLarge,
        E::BasketEmpty => Msg::ErrBasketEmpty,
        E::SlotOutsideWindow => Msg::ErrSlotOutsideWindow,
        E::AcceptanceWindowInvalid => Msg::ErrAcceptanceWindowInvalid,
        E::DeclineReasonMissing => Msg::ErrDeclineReasonMissing,
        E::AnswerWindowClosed => Msg::ErrAnswerWindowClosed,
        E::RoutedAnswered => Msg::ErrRoutedAnswered,
        E::RoutedNotHere => Msg::ErrRoutedNotHere,
        E::WindowInvalid => Msg::ErrWindowInvalid,
        E::WindowInPast => Msg::ErrWindowInPast,
        E::ServiceNotOffered => Msg::ErrServiceNotOffered,
    };
    msg.text(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_q() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1.0, zh;q=0.5, en;q=0.4"),
            Some(Lang::Zh)
        );
        assert_eq!(Lang::from_accept_language("fr-FR,de"), None);
    }

    #[test]
    fn cookie_overrides_by_name() {
        assert_eq!(
            Lang::from_cookie_header("a=1; pitlane_lang=en; b=2"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_cookie_header("xpitlane_lang=en"), None);
    }

    #[test]
    fn both_languages_differ_for_words() {
        assert_ne!(Msg::Publish.text(Lang::Zh), Msg::Publish.text(Lang::En));
    }
}
