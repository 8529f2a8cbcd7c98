//! The one error type of the domain.
//!
//! Messages are English for logs and developers; the UI matches on the variant
//! (or on [`Error::code`] across the wire) to show a translated message, so
//! variants carry no data that would need interpolating.

use serde::{Deserialize, Serialize};

/// Everything that can go wrong when turning raw input into domain values or
/// applying a pricing rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Error {
    /// Nothing was typed into an amount field.
    #[error("amount is empty")]
    AmountEmpty,
    /// The amount is not a decimal number in yuan.
    #[error("amount is not a number")]
    AmountNotANumber,
    /// More than two decimals: fen is the smallest unit, and silently rounding
    /// a typed price would publish a number nobody typed.
    #[error("amount has more than 2 decimals")]
    AmountTooPrecise,
    /// The amount (or a computed total) does not fit in the fen range.
    #[error("amount is too large")]
    AmountOverflow,
    /// A price must be strictly greater than zero.
    #[error("price must be greater than zero")]
    PriceNotPositive,
    /// A price above `Money::MAX_PRICE` is almost certainly a typo.
    #[error("price is above the maximum allowed")]
    PriceTooHigh,
    /// Publishing the current price again would create an empty version.
    #[error("price is unchanged")]
    PriceUnchanged,
    /// The item has no price in the price list.
    #[error("item has no price in the price list")]
    NotPriced,
    /// A quantity must be positive and fit the range.
    #[error("quantity is invalid")]
    QuantityInvalid,
    /// Not a mainland-China licence plate.
    #[error("licence plate is invalid")]
    PlateInvalid,
    /// Not a mainland-China mobile number.
    #[error("phone number is invalid")]
    PhoneInvalid,
    /// Not a UUID.
    #[error("identifier is invalid")]
    IdInvalid,
    /// The price list has used up its version numbers.
    #[error("no price-list version numbers are left")]
    VersionExhausted,
    /// A reservation would take more than is available: someone else just took it.
    #[error("not enough stock of a part")]
    OutOfStock,
    /// The slot has no free capacity for the whole duration (someone else just booked it).
    #[error("the slot is no longer free")]
    SlotUnavailable,
    /// The time is not on the slot grid, outside opening hours, or in the past.
    #[error("the slot is not bookable")]
    SlotInvalid,
    /// No location can supply the parts this car needs.
    #[error("the parts cannot be obtained")]
    PartsUnobtainable,
    /// The vehicle's model has no fitting part for a category the service needs.
    #[error("no part fits this vehicle")]
    NoFitment,
    /// Releasing more than is reserved, or stock figures that contradict each other.
    #[error("reservation does not match stock")]
    ReservationInvalid,
    /// Fewer characters than `Password::MIN_CHARS`.
    #[error("password is too short")]
    PasswordTooShort,
    /// More characters than `Password::MAX_CHARS`.
    #[error("password is too long")]
    PasswordTooLong,
    /// Only one kind of character, or it contains the phone number.
    #[error("password is too simple")]
    PasswordTooSimple,
    /// A person's name must have 1 to 40 characters.
    #[error("name is empty or too long")]
    NameInvalid,
    /// Not a whole number of kilometres, or beyond any real odometer.
    #[error("mileage is invalid")]
    MileageInvalid,
    /// A discount percentage must be 1 to 100.
    #[error("percentage is invalid")]
    PercentInvalid,
    /// A campaign's end must be after its start.
    #[error("period ends before it starts")]
    PeriodInvalid,
    /// Not a date and time in RFC 3339 form.
    #[error("time is invalid")]
    TimeInvalid,
    /// Latitude or longitude out of range.
    #[error("location is invalid")]
    LocationInvalid,
    /// Not 16 to 64 letters, digits, `-` or `_`.
    #[error("idempotency key is invalid")]
    IdempotencyKeyInvalid,
    /// The same key came with different details; a retry must repeat the request exactly.
    #[error("idempotency key was used for another request")]
    IdempotencyKeyReused,
    /// The total shown to the customer is no longer the current total.
    #[error("the price changed since it was shown")]
    PriceChanged,
    /// Sign-up with a number that is already registered.
    #[error("phone number already has an account")]
    PhoneTaken,
    /// A vehicle belongs to one customer at a time.
    #[error("plate is in another customer's garage")]
    PlateTaken,
    /// Only a booking not yet checked in can be cancelled online.
    #[error("booking can no longer be cancelled")]
    NotCancellable,
    /// The slot starts sooner than the minimum notice a booking needs.
    #[error("the slot starts too soon to book")]
    SlotTooSoon,
    /// The slot is further ahead than bookings are taken.
    #[error("the slot is beyond the booking horizon")]
    SlotBeyondHorizon,
    /// The customer already holds as many open bookings as one may.
    #[error("too many open bookings")]
    TooManyOpenBookings,
    /// The vehicle already has a booking at an overlapping time.
    #[error("the vehicle is already booked at that time")]
    VehicleAlreadyBooked,
    /// The store does not exist or takes no bookings (the warehouse).
    #[error("this store takes no bookings")]
    StoreUnknown,
    /// Not a pairing code, or one already used or expired.
    #[error("pairing code is unknown, used or expired")]
    PairingCodeInvalid,
    /// A device's name must have 1 to 40 characters.
    #[error("device name is empty or too long")]
    DeviceNameInvalid,
    /// This browser holds no credential of a paired device (never paired, or revoked).
    #[error("this device is not paired with a store")]
    DeviceNotPaired,
    /// A PIN is six digits.
    #[error("PIN must be six digits")]
    PinInvalid,
    /// One digit repeated, or a run up or down.
    #[error("PIN is too easy to guess")]
    PinTooSimple,
    /// A new PIN must differ from the current one.
    #[error("PIN is the same as the current one")]
    PinReused,
    /// The PIN does not match.
    #[error("wrong PIN")]
    PinWrong,
    /// Idle-lock minutes must be 1 to 30.
    #[error("idle-lock minutes are invalid")]
    IdleLockInvalid,
    /// Store staff are managers, advisors or technicians.
    #[error("this role is not a store role")]
    RoleNotForStore,
    /// Not a service category.
    #[error("unknown skill")]
    SkillUnknown,
    /// The staff member was deactivated (left the chain).
    #[error("this person no longer works here")]
    StaffLeft,
    /// A route's departures are not one to four different times of day (`HH:MM`).
    #[error("departure times must be one to four different times of day")]
    WavesInvalid,
    /// Too little typed to search: three digits of a phone or two characters of a plate.
    #[error("type more to search")]
    SearchTooShort,
    /// Neither part of a phone number nor of a plate.
    #[error("not part of a phone or a plate")]
    SearchInvalid,
    /// Not a tag in the chain's vocabulary.
    #[error("unknown tag")]
    TagUnknown,
    /// A staff note is 1 to 500 characters.
    #[error("note must be 1 to 500 characters")]
    NoteInvalid,
    /// The mileage is lower than the last one recorded for the car.
    #[error("mileage is lower than the last reading")]
    MileageBelowLast,
    /// The work order is not at a status this step follows (e.g. quality check before the car was in a bay).
    #[error("status step out of order")]
    StepOutOfOrder,
    /// What was found must be 1 to 100 characters.
    #[error("finding item is invalid")]
    FindingItemInvalid,
    /// A finding's severity is green, amber or red.
    #[error("severity is unknown")]
    SeverityUnknown,
    /// Extra work is found and decided only while the car is checked in or in a bay.
    #[error("the work order does not take findings now")]
    FindingNotNow,
    /// The customer has already approved or declined this finding.
    #[error("finding already decided")]
    FindingDecided,
    /// A decision on a finding is approve or decline.
    #[error("decision is unknown")]
    DecisionUnknown,
    /// A quality check marks every step of the order's checklist once, as pass or fail.
    #[error("a quality-check step is missing")]
    QcStepMissing,
    /// A failed quality-check step must say what failed.
    #[error("a failed quality-check step has no note")]
    QcNoteMissing,
    /// A manual price adjustment needs a reason of 2 to 200 characters.
    #[error("adjustment reason missing")]
    AdjustmentReasonMissing,
    /// An adjustment cannot take more off than is left to pay.
    #[error("adjustment larger than the total")]
    AdjustmentTooLarge,
    /// Prices are adjusted only while the car is at the store, before handover.
    #[error("the work order does not take adjustments now")]
    AdjustmentNotNow,
    /// A manual adjustment is approved by a manager of the order's store.
    #[error("adjustment needs a store manager")]
    ManagerApprovalNeeded,
    /// A tag's label is 1 to 24 characters in each language.
    #[error("tag label is invalid")]
    TagLabelInvalid,
    /// Opening hours are a time from 00:00 to 24:00, opening before closing.
    #[error("opening hours are invalid")]
    HoursInvalid,
    /// A store has 1 to 40 bays.
    #[error("number of bays is invalid")]
    BaysInvalid,
    /// Parts are picked or added only while the car is checked in or in a bay.
    #[error("the work order does not take parts now")]
    PartsNotNow,
    /// Nothing the order holds is on the store's shelf to pick.
    #[error("nothing to pick")]
    NothingToPick,
    /// More of a part can be added only where the order already holds it: on this store's shelf.
    #[error("part already held elsewhere for this order")]
    PartHeldElsewhere,
    /// No store offers the service (it is not on sale).
    #[error("the service is not offered")]
    ServiceNotOffered,
    /// The preferred window has already passed, or ends before a store could still take the car.
    #[error("the preferred time window is in the past")]
    WindowInPast,
    /// Not a day and part of the day the form offers.
    #[error("the preferred time window is invalid")]
    WindowInvalid,
    /// The order is not waiting for this store's answer.
    #[error("the order is not at this store")]
    RoutedNotHere,
    /// The order was already accepted, declined or handed on.
    #[error("the order was already answered")]
    RoutedAnswered,
    /// The store's time to answer has run out: the order moves on to the next store.
    #[error("the acceptance window has closed")]
    AnswerWindowClosed,
    /// A decline names one of the reasons, and "other" says why in a note.
    #[error("a decline needs a reason")]
    DeclineReasonMissing,
    /// The acceptance window is 5 to 1440 minutes.
    #[error("the acceptance window is out of range")]
    AcceptanceWindowInvalid,
    /// The start is not in the customer's preferred window.
    #[error("the start is outside the customer's window")]
    SlotOutsideWindow,
    /// A parts order has at least one part.
    #[error("the order has no parts")]
    BasketEmpty,
    /// A parts order has at most ten different parts.
    #[error("the order has too many different parts")]
    BasketTooLarge,
    /// The part is not on the price list.
    #[error("the part is not on sale")]
    PartNotOffered,
    /// A delivery address is 5 to 200 characters.
    #[error("the delivery address is invalid")]
    AddressInvalid,
    /// Parts are collected at the store or delivered.
    #[error("choose collection or delivery")]
    HandoverUnknown,
    /// The parts cannot be at the store before the customer's window ends.
    #[error("the parts cannot be there in time")]
    PartsTooLate,
    /// A parts order is handed over once everything is on the shelf.
    #[error("some parts have not arrived")]
    PartsNotArrived,
    /// Help is asked for an order still to be done.
    #[error("help is asked for an order still to be done")]
    HelpNotNow,
    /// A store does not answer its own request.
    #[error("a store cannot answer its own request")]
    HelpOwnStore,
    /// Another store (or device) answered first.
    #[error("the request was already answered")]
    HelpAnswered,
    /// Only stores nearby answer a request.
    #[error("the store is too far to help")]
    HelpNotNearby,
    /// Parts go with the next wave or by courier.
    #[error("choose how the parts are sent")]
    DispatchUnknown,
    /// The technician sent has the skill asked for.
    #[error("the technician lacks the skill")]
    SkillMissing,
    /// Help is a technician or parts.
    #[error("choose a technician or parts")]
    HelpKindUnknown,
    /// One open request per order and need.
    #[error("help was already asked")]
    HelpAlreadyAsked,
    /// A rating is 1 to 5 stars.
    #[error("rating must be 1 to 5")]
    RatingInvalid,
    /// What the customer said is 1 to 500 characters, and a complaint or praise needs it.
    #[error("follow-up text must be 1 to 500 characters")]
    FollowUpTextInvalid,
    /// A follow-up's outcome is one of the listed ones.
    #[error("unknown follow-up outcome")]
    OutcomeUnknown,
    /// Only an open follow-up whose window has not passed takes an outcome.
    #[error("the follow-up is closed")]
    FollowUpClosed,
    /// A case's step, resolution or reason is 1 to 500 characters.
    #[error("case text must be 1 to 500 characters")]
    CaseTextInvalid,
    /// Steps and a resolution are recorded on an open case only.
    #[error("the case is not open")]
    CaseNotOpen,
    /// The customer confirms or reopens a case that has a resolution.
    #[error("the case has no resolution yet")]
    CaseNotResolved,
    /// A case's action is one of the listed ones.
    #[error("unknown case action")]
    CaseActionUnknown,
    /// The store records steps and resolutions; the customer confirms or reopens.
    #[error("that action on a case is not yours to take")]
    CaseNotYours,
    /// Online, a customer rates the visit or complains; reminders are answered by booking.
    #[error("this follow-up cannot be answered online")]
    NotAnswerableOnline,
    /// Thresholds run forwards: active before lost, each class asking at least as much as the next.
    #[error("thresholds overlap or run backwards")]
    ThresholdsInvalid,
    /// A lost reason is one of the listed ones.
    #[error("unknown lost reason")]
    LostReasonUnknown,
    /// A segment's criteria are among the listed ones, with days from 1 to 3650.
    #[error("invalid segment")]
    SegmentInvalid,
    /// A campaign goes to at least one customer.
    #[error("the segment is empty")]
    SegmentEmpty,
    /// A campaign's message is written in both languages.
    #[error("the message lacks one of its languages")]
    CampaignMessageIncomplete,
    /// A campaign's message is 1 to 280 characters in each language.
    #[error("invalid campaign message")]
    CampaignTextInvalid,
    /// A campaign's channel is a listed one and its attribution 1 to 90 days.
    #[error("invalid campaign settings")]
    CampaignSettingsInvalid,
    /// A report looks back 7, 30 or 90 days.
    #[error("invalid report period")]
    ReportPeriodInvalid,
    /// A safety stock is zero or more units, with at most three decimals.
    #[error("invalid safety stock")]
    SafetyStockInvalid,
    /// An approved proposal line moves more than zero, with at most three decimals.
    #[error("invalid proposal quantity")]
    ProposalQuantityInvalid,
    /// The proposal line was already approved or rejected.
    #[error("proposal line already decided")]
    ProposalLineDecided,
    /// More was received than was sent or ordered.
    #[error("received more than was sent")]
    ReceiptTooLarge,
    /// The sending location no longer has that much to spare above its safety stock.
    #[error("the source cannot spare that much")]
    TransferSourceShort,
    /// An import names a kind of file there is none of.
    #[error("unknown kind of import")]
    ImportKindUnknown,
    /// A SKU is empty, too long or holds other than letters, digits, - _ or .
    #[error("SKU is invalid")]
    SkuInvalid,
    /// A part's name is empty, longer than 80 characters or holds control characters.
    #[error("part name is invalid")]
    PartNameInvalid,
    /// A file's first line is not the header its kind needs.
    #[error("wrong header")]
    ImportHeaderInvalid,
    /// A file holds more rows than one import takes.
    #[error("too many rows")]
    ImportTooLarge,
    /// A file holds no rows to apply.
    #[error("nothing to import")]
    ImportEmpty,
    /// A file with refused rows was to be applied whole.
    #[error("the file has errors")]
    ImportHasErrors,
    /// A row has more or fewer columns than the header.
    #[error("wrong number of columns")]
    ImportColumnsWrong,
    /// A file gives the same key twice.
    #[error("duplicate row")]
    ImportRowDuplicate,
    /// A SKU names no part in the catalog.
    #[error("unknown SKU")]
    SkuUnknown,
    /// A code names no part category.
    #[error("unknown category")]
    CategoryUnknown,
    /// A code names no vehicle model.
    #[error("unknown model")]
    ModelUnknown,
    /// A code names no service.
    #[error("unknown service")]
    ServiceUnknown,
    /// A fitment's part belongs to another category.
    #[error("part is of another category")]
    FitmentCategoryMismatch,
    /// A price row's kind is neither service nor part.
    #[error("kind must be service or part")]
    PriceItemKindUnknown,
    /// A code names no store or warehouse.
    #[error("unknown location")]
    LocationUnknown,
    /// A count finds less than bookings hold at that shelf.
    #[error("counted below what bookings hold")]
    CountBelowHeld,
    /// A catalog row gives an existing part another category.
    #[error("a part keeps its category")]
    PartCategoryFixed,
    /// A code names no district of the city.
    #[error("unknown district")]
    DistrictUnknown,
}

impl Error {
    /// A stable snake_case code for APIs, logs and translation keys; unlike the
    /// `Debug` name it is part of the contract and must never change.
    pub fn code(&self) -> &'static str {
        match self {
            Error::AmountEmpty => "amount_empty",
            Error::AmountNotANumber => "amount_not_a_number",
            Error::AmountTooPrecise => "amount_too_precise",
            Error::AmountOverflow => "amount_overflow",
            Error::PriceNotPositive => "price_not_positive",
            Error::PriceTooHigh => "price_too_high",
            Error::PriceUnchanged => "price_unchanged",
            Error::NotPriced => "not_priced",
            Error::QuantityInvalid => "quantity_invalid",
            Error::PlateInvalid => "plate_invalid",
            Error::PhoneInvalid => "phone_invalid",
            Error::IdInvalid => "id_invalid",
            Error::VersionExhausted => "version_exhausted",
            Error::OutOfStock => "out_of_stock",
            Error::SlotUnavailable => "slot_unavailable",
            Error::SlotInvalid => "slot_invalid",
            Error::PartsUnobtainable => "parts_unobtainable",
            Error::NoFitment => "no_fitment",
            Error::ReservationInvalid => "reservation_invalid",
            Error::PasswordTooShort => "password_too_short",
            Error::PasswordTooLong => "password_too_long",
            Error::PasswordTooSimple => "password_too_simple",
            Error::NameInvalid => "name_invalid",
            Error::MileageInvalid => "mileage_invalid",
            Error::PercentInvalid => "percent_invalid",
            Error::PeriodInvalid => "period_invalid",
            Error::TimeInvalid => "time_invalid",
            Error::LocationInvalid => "location_invalid",
            Error::IdempotencyKeyInvalid => "idempotency_key_invalid",
            Error::IdempotencyKeyReused => "idempotency_key_reused",
            Error::PriceChanged => "price_changed",
            Error::PhoneTaken => "phone_taken",
            Error::PlateTaken => "plate_taken",
            Error::NotCancellable => "not_cancellable",
            Error::SlotTooSoon => "slot_too_soon",
            Error::SlotBeyondHorizon => "slot_beyond_horizon",
            Error::TooManyOpenBookings => "too_many_open_bookings",
            Error::VehicleAlreadyBooked => "vehicle_already_booked",
            Error::StoreUnknown => "store_unknown",
            Error::PairingCodeInvalid => "pairing_code_invalid",
            Error::DeviceNameInvalid => "device_name_invalid",
            Error::DeviceNotPaired => "device_not_paired",
            Error::PinInvalid => "pin_invalid",
            Error::PinTooSimple => "pin_too_simple",
            Error::PinReused => "pin_reused",
            Error::PinWrong => "pin_wrong",
            Error::IdleLockInvalid => "idle_lock_invalid",
            Error::RoleNotForStore => "role_not_for_store",
            Error::SkillUnknown => "skill_unknown",
            Error::StaffLeft => "staff_left",
            Error::StepOutOfOrder => "step_out_of_order",
            Error::MileageBelowLast => "mileage_below_last",
            Error::NoteInvalid => "note_invalid",
            Error::TagUnknown => "tag_unknown",
            Error::SearchInvalid => "search_invalid",
            Error::SearchTooShort => "search_too_short",
            Error::WavesInvalid => "waves_invalid",
            Error::FindingItemInvalid => "finding_item_invalid",
            Error::SeverityUnknown => "severity_unknown",
            Error::FindingNotNow => "finding_not_now",
            Error::FindingDecided => "finding_decided",
            Error::DecisionUnknown => "decision_unknown",
            Error::QcStepMissing => "qc_step_missing",
            Error::QcNoteMissing => "qc_note_missing",
            Error::AdjustmentReasonMissing => "adjustment_reason_missing",
            Error::AdjustmentTooLarge => "adjustment_too_large",
            Error::AdjustmentNotNow => "adjustment_not_now",
            Error::ManagerApprovalNeeded => "manager_approval_needed",
            Error::TagLabelInvalid => "tag_label_invalid",
            Error::PartHeldElsewhere => "part_held_elsewhere",
            Error::NothingToPick => "nothing_to_pick",
            Error::PartsNotNow => "parts_not_now",
            Error::BaysInvalid => "bays_invalid",
            Error::HoursInvalid => "hours_invalid",
            Error::ServiceNotOffered => "service_not_offered",
            Error::WindowInPast => "window_in_past",
            Error::WindowInvalid => "window_invalid",
            Error::RoutedNotHere => "routed_not_here",
            Error::RoutedAnswered => "routed_answered",
            Error::AnswerWindowClosed => "answer_window_closed",
            Error::DeclineReasonMissing => "decline_reason_missing",
            Error::AcceptanceWindowInvalid => "acceptance_window_invalid",
            Error::SlotOutsideWindow => "slot_outside_window",
            Error::BasketEmpty => "basket_empty",
            Error::BasketTooLarge => "basket_too_large",
            Error::PartNotOffered => "part_not_offered",
            Error::AddressInvalid => "address_invalid",
            Error::HandoverUnknown => "handover_unknown",
            Error::PartsTooLate => "parts_too_late",
            Error::PartsNotArrived => "parts_not_arrived",
            Error::HelpNotNow => "help_not_now",
            Error::HelpOwnStore => "help_own_store",
            Error::HelpAnswered => "help_answered",
            Error::HelpNotNearby => "help_not_nearby",
            Error::DispatchUnknown => "dispatch_unknown",
            Error::SkillMissing => "skill_missing",
            Error::HelpKindUnknown => "help_kind_unknown",
            Error::HelpAlreadyAsked => "help_already_asked",
            Error::RatingInvalid => "rating_invalid",
            Error::FollowUpTextInvalid => "follow_up_text_invalid",
            Error::OutcomeUnknown => "outcome_unknown",
            Error::FollowUpClosed => "follow_up_closed",
            Error::CaseTextInvalid => "case_text_invalid",
            Error::CaseNotOpen => "case_not_open",
            Error::CaseNotResolved => "case_not_resolved",
            Error::CaseActionUnknown => "case_action_unknown",
            Error::CaseNotYours => "case_not_yours",
            Error::NotAnswerableOnline => "not_answerable_online",
            Error::ThresholdsInvalid => "thresholds_invalid",
            Error::LostReasonUnknown => "lost_reason_unknown",
            Error::SegmentInvalid => "segment_invalid",
            Error::SegmentEmpty => "segment_empty",
            Error::CampaignMessageIncomplete => "campaign_message_incomplete",
            Error::CampaignTextInvalid => "campaign_text_invalid",
            Error::CampaignSettingsInvalid => "campaign_settings_invalid",
            Error::ReportPeriodInvalid => "report_period_invalid",
            Error::SafetyStockInvalid => "safety_stock_invalid",
            Error::ProposalQuantityInvalid => "proposal_quantity_invalid",
            Error::ProposalLineDecided => "proposal_line_decided",
            Error::ReceiptTooLarge => "receipt_too_large",
            Error::TransferSourceShort => "transfer_source_short",
            Error::ImportKindUnknown => "import_kind_unknown",
            Error::SkuInvalid => "sku_invalid",
            Error::PartNameInvalid => "part_name_invalid",
            Error::ImportHeaderInvalid => "import_header_invalid",
            Error::ImportTooLarge => "import_too_large",
            Error::ImportEmpty => "import_empty",
            Error::ImportHasErrors => "import_has_errors",
            Error::ImportColumnsWrong => "import_columns_wrong",
            Error::ImportRowDuplicate => "import_row_duplicate",
            Error::SkuUnknown => "sku_unknown",
            Error::CategoryUnknown => "category_unknown",
            Error::ModelUnknown => "model_unknown",
            Error::ServiceUnknown => "service_unknown",
            Error::FitmentCategoryMismatch => "fitment_category_mismatch",
            Error::PriceItemKindUnknown => "price_item_kind_unknown",
            Error::LocationUnknown => "location_unknown",
            Error::CountBelowHeld => "count_below_held",
            Error::PartCategoryFixed => "part_category_fixed",
            Error::DistrictUnknown => "district_unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const ALL: [Error; 140] = [
        Error::AmountEmpty,
        Error::AmountNotANumber,
        Error::AmountTooPrecise,
        Error::AmountOverflow,
        Error::PriceNotPositive,
        Error::PriceTooHigh,
        Error::PriceUnchanged,
        Error::NotPriced,
        Error::QuantityInvalid,
        Error::PlateInvalid,
        Error::PhoneInvalid,
        Error::IdInvalid,
        Error::VersionExhausted,
        Error::OutOfStock,
        Error::SlotUnavailable,
        Error::SlotInvalid,
        Error::PartsUnobtainable,
        Error::NoFitment,
        Error::ReservationInvalid,
        Error::PasswordTooShort,
        Error::PasswordTooLong,
        Error::PasswordTooSimple,
        Error::NameInvalid,
        Error::MileageInvalid,
        Error::PercentInvalid,
        Error::PeriodInvalid,
        Error::TimeInvalid,
        Error::LocationInvalid,
        Error::IdempotencyKeyInvalid,
        Error::IdempotencyKeyReused,
        Error::PriceChanged,
        Error::PhoneTaken,
        Error::PlateTaken,
        Error::NotCancellable,
        Error::SlotTooSoon,
        Error::SlotBeyondHorizon,
        Error::TooManyOpenBookings,
        Error::VehicleAlreadyBooked,
        Error::StoreUnknown,
        Error::PairingCodeInvalid,
        Error::DeviceNameInvalid,
        Error::DeviceNotPaired,
        Error::PinInvalid,
        Error::PinTooSimple,
        Error::PinReused,
        Error::PinWrong,
        Error::IdleLockInvalid,
        Error::RoleNotForStore,
        Error::SkillUnknown,
        Error::StaffLeft,
        Error::StepOutOfOrder,
        Error::MileageBelowLast,
        Error::NoteInvalid,
        Error::TagUnknown,
        Error::SearchInvalid,
        Error::SearchTooShort,
        Error::WavesInvalid,
        Error::FindingItemInvalid,
        Error::SeverityUnknown,
        Error::FindingNotNow,
        Error::FindingDecided,
        Error::DecisionUnknown,
        Error::QcStepMissing,
        Error::QcNoteMissing,
        Error::AdjustmentReasonMissing,
        Error::AdjustmentTooLarge,
        Error::AdjustmentNotNow,
        Error::ManagerApprovalNeeded,
        Error::TagLabelInvalid,
        Error::HoursInvalid,
        Error::BaysInvalid,
        Error::PartsNotNow,
        Error::NothingToPick,
        Error::PartHeldElsewhere,
        Error::ServiceNotOffered,
        Error::WindowInPast,
        Error::WindowInvalid,
        Error::RoutedNotHere,
        Error::RoutedAnswered,
        Error::AnswerWindowClosed,
        Error::DeclineReasonMissing,
        Error::AcceptanceWindowInvalid,
        Error::SlotOutsideWindow,
        Error::BasketEmpty,
        Error::BasketTooLarge,
        Error::PartNotOffered,
        Error::AddressInvalid,
        Error::HandoverUnknown,
        Error::PartsTooLate,
        Error::PartsNotArrived,
        Error::HelpNotNow,
        Error::HelpOwnStore,
        Error::HelpAnswered,
        Error::HelpNotNearby,
        Error::DispatchUnknown,
        Error::SkillMissing,
        Error::HelpKindUnknown,
        Error::HelpAlreadyAsked,
        Error::RatingInvalid,
        Error::FollowUpTextInvalid,
        Error::OutcomeUnknown,
        Error::FollowUpClosed,
        Error::CaseTextInvalid,
        Error::CaseNotOpen,
        Error::CaseNotResolved,
        Error::CaseActionUnknown,
        Error::CaseNotYours,
        Error::NotAnswerableOnline,
        Error::ThresholdsInvalid,
        Error::LostReasonUnknown,
        Error::SegmentInvalid,
        Error::SegmentEmpty,
        Error::CampaignMessageIncomplete,
        Error::CampaignTextInvalid,
        Error::CampaignSettingsInvalid,
        Error::ReportPeriodInvalid,
        Error::SafetyStockInvalid,
        Error::ProposalQuantityInvalid,
        Error::ProposalLineDecided,
        Error::ReceiptTooLarge,
        Error::TransferSourceShort,
        Error::ImportKindUnknown,
        Error::SkuInvalid,
        Error::PartNameInvalid,
        Error::ImportHeaderInvalid,
        Error::ImportTooLarge,
        Error::ImportEmpty,
        Error::ImportHasErrors,
        Error::ImportColumnsWrong,
        Error::ImportRowDuplicate,
        Error::SkuUnknown,
        Error::CategoryUnknown,
        Error::ModelUnknown,
        Error::ServiceUnknown,
        Error::FitmentCategoryMismatch,
        Error::PriceItemKindUnknown,
        Error::LocationUnknown,
        Error::CountBelowHeld,
        Error::PartCategoryFixed,
        Error::DistrictUnknown,
    ];

    #[test]
    fn codes_are_the_documented_ones() {
        let codes: Vec<&str> = ALL.iter().map(Error::code).collect();
        assert_eq!(
            codes,
            [
                "amount_empty",
                "amount_not_a_number",
                "amount_too_precise",
                "amount_overflow",
                "price_not_positive",
                "price_too_high",
                "price_unchanged",
                "not_priced",
                "quantity_invalid",
                "plate_invalid",
                "phone_invalid",
                "id_invalid",
                "version_exhausted",
                "out_of_stock",
                "slot_unavailable",
                "slot_invalid",
                "parts_unobtainable",
                "no_fitment",
                "reservation_invalid",
                "password_too_short",
                "password_too_long",
                "password_too_simple",
                "name_invalid",
                "mileage_invalid",
                "percent_invalid",
                "period_invalid",
                "time_invalid",
                "location_invalid",
                "idempotency_key_invalid",
                "idempotency_key_reused",
                "price_changed",
                "phone_taken",
                "plate_taken",
                "not_cancellable",
                "slot_too_soon",
                "slot_beyond_horizon",
                "too_many_open_bookings",
                "vehicle_already_booked",
                "store_unknown",
                "pairing_code_invalid",
                "device_name_invalid",
                "device_not_paired",
                "pin_invalid",
                "pin_too_simple",
                "pin_reused",
                "pin_wrong",
                "idle_lock_invalid",
                "role_not_for_store",
                "skill_unknown",
                "staff_left",
                "step_out_of_order",
                "mileage_below_last",
                "note_invalid",
                "tag_unknown",
                "search_invalid",
                "search_too_short",
                "waves_invalid",
                "finding_item_invalid",
                "severity_unknown",
                "finding_not_now",
                "finding_decided",
                "decision_unknown",
                "qc_step_missing",
                "qc_note_missing",
                "adjustment_reason_missing",
                "adjustment_too_large",
                "adjustment_not_now",
                "manager_approval_needed",
                "tag_label_invalid",
                "hours_invalid",
                "bays_invalid",
                "parts_not_now",
                "nothing_to_pick",
                "part_held_elsewhere",
                "service_not_offered",
                "window_in_past",
                "window_invalid",
                "routed_not_here",
                "routed_answered",
                "answer_window_closed",
                "decline_reason_missing",
                "acceptance_window_invalid",
                "slot_outside_window",
                "basket_empty",
                "basket_too_large",
                "part_not_offered",
                "address_invalid",
                "handover_unknown",
                "parts_too_late",
                "parts_not_arrived",
                "help_not_now",
                "help_own_store",
                "help_answered",
                "help_not_nearby",
                "dispatch_unknown",
                "skill_missing",
                "help_kind_unknown",
                "help_already_asked",
                "rating_invalid",
                "follow_up_text_invalid",
                "outcome_unknown",
                "follow_up_closed",
                "case_text_invalid",
                "case_not_open",
                "case_not_resolved",
                "case_action_unknown",
                "case_not_yours",
                "not_answerable_online",
                "thresholds_invalid",
                "lost_reason_unknown",
                "segment_invalid",
                "segment_empty",
                "campaign_message_incomplete",
                "campaign_text_invalid",
                "campaign_settings_invalid",
                "report_period_invalid",
                "safety_stock_invalid",
                "proposal_quantity_invalid",
                "proposal_line_decided",
                "receipt_too_large",
                "transfer_source_short",
                "import_kind_unknown",
                "sku_invalid",
                "part_name_invalid",
                "import_header_invalid",
                "import_too_large",
                "import_empty",
                "import_has_errors",
                "import_columns_wrong",
                "import_row_duplicate",
                "sku_unknown",
                "category_unknown",
                "model_unknown",
                "service_unknown",
                "fitment_category_mismatch",
                "price_item_kind_unknown",
                "location_unknown",
                "count_below_held",
                "part_category_fixed",
                "district_unknown",
            ]
        );
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let unique: BTreeSet<&str> = ALL.iter().map(Error::code).collect();
        assert_eq!(unique.len(), ALL.len());
        for code in unique {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
        }
    }

    #[test]
    fn messages_are_distinct_and_non_empty() {
        let messages: BTreeSet<String> = ALL.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), ALL.len());
        assert!(messages.iter().all(|m| !m.is_empty()));
        assert_eq!(
            Error::AmountTooPrecise.to_string(),
            "amount has more than 2 decimals"
        );
    }

    #[test]
    fn serde_round_trips_every_variant() {
        for error in ALL {
            let json = serde_json::to_string(&error).expect("serialise");
            let back: Error = serde_json::from_str(&json).expect("deserialise");
            assert_eq!(back, error);
        }
        assert_eq!(
            serde_json::to_string(&Error::NotPriced).expect("serialise"),
            "\"NotPriced\""
        );
    }
}
