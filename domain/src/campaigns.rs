//! Campaigns (rule 8, C9): a message in both languages sent to a [`crate::segments::Segment`]
//! through a channel, never to a customer who opted out, and the bookings it brought.
//!
//! - [`Message`]: Chinese and English, both required ([`CampaignText`] each).
//! - [`Channel`]: text message or a call from the store; [`Channel::may_reach`] is the
//!   opt-out rule every send goes through.
//! - [`AttributionDays`]: how long after a message a booking counts as the campaign's;
//!   [`attribute`] gives a booking to the latest campaign that reached the customer
//!   within its days before the booking (last touch).
//! - [`Scope`]: who may run a campaign over whom: HQ operations the chain, a store
//!   manager their own store's customers.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::account::{Principal, StaffRole};
use crate::followup::Contact;
use crate::segments::Segment;
use crate::{CampaignId, Error, StoreId};

crate::text::bounded_text!(
    /// One language of a campaign's message: 1 to 280 characters.
    CampaignText, 1, 280, lines: true, Error::CampaignTextInvalid
);

/// A campaign's message in both of the chain's languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// In Simplified Chinese.
    pub zh: CampaignText,
    /// In English.
    pub en: CampaignText,
}

impl Message {
    /// Both languages or neither: a blank one is the error HQ most often makes.
    pub fn parse(zh: &str, en: &str) -> Result<Message, Error> {
        if zh.trim().is_empty() || en.trim().is_empty() {
            return Err(Error::CampaignMessageIncomplete);
        }
        Ok(Message {
            zh: CampaignText::parse(zh)?,
            en: CampaignText::parse(en)?,
        })
    }
}

/// How a campaign reaches a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A text message.
    Sms,
    /// A call from the customer's store, reading the message.
    Call,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 2] = [Channel::Sms, Channel::Call];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Call => "call",
        }
    }

    /// Reads a stored or submitted code.
    pub fn parse(code: &str) -> Result<Channel, Error> {
        Channel::ALL
            .into_iter()
            .find(|c| c.code() == code.trim())
            .ok_or(Error::CampaignSettingsInvalid)
    }

    /// Whether a campaign may reach a customer who chose `contact` this way: never
    /// after an opt-out of campaigns, nor by a means they refused.
    pub fn may_reach(self, contact: Contact) -> bool {
        match self {
            Channel::Sms => contact.may_text_campaign(),
            Channel::Call => contact.campaigns && contact.calls,
        }
    }
}

/// How many days after a message a booking is the campaign's: 1 to 90.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct AttributionDays(u8);

impl AttributionDays {
    /// Two weeks, unless HQ says otherwise.
    pub const DEFAULT: AttributionDays = AttributionDays(14);

    /// Refuses 0 and more than 90.
    pub fn new(days: u8) -> Result<AttributionDays, Error> {
        if (1..=90).contains(&days) {
            Ok(AttributionDays(days))
        } else {
            Err(Error::CampaignSettingsInvalid)
        }
    }

    /// Parses what a form sends; blank is the default.
    pub fn parse(input: &str) -> Result<AttributionDays, Error> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(AttributionDays::DEFAULT);
        }
        input
            .parse::<u8>()
            .map_err(|_| Error::CampaignSettingsInvalid)
            .and_then(AttributionDays::new)
    }

    /// The number of days.
    pub fn get(self) -> u8 {
        self.0
    }

    /// The last instant a booking counts for a message sent at `sent_at`.
    pub fn until(self, sent_at: OffsetDateTime) -> OffsetDateTime {
        sent_at + Duration::days(i64::from(self.0))
    }
}

impl TryFrom<u8> for AttributionDays {
    type Error = Error;
    fn try_from(days: u8) -> Result<AttributionDays, Error> {
        AttributionDays::new(days)
    }
}

impl From<AttributionDays> for u8 {
    fn from(days: AttributionDays) -> u8 {
        days.0
    }
}

/// A campaign's message that reached a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Touch {
    /// The campaign.
    pub campaign: CampaignId,
    /// When the message went out.
    pub sent_at: OffsetDateTime,
    /// Until when a booking counts.
    pub until: OffsetDateTime,
}

/// The campaign a booking made at `booked_at` is credited to: of the touches sent
/// before it whose days still ran, the latest. Storage writes the answer on the order.
pub fn attribute(booked_at: OffsetDateTime, touches: &[Touch]) -> Option<CampaignId> {
    touches
        .iter()
        .filter(|t| t.sent_at <= booked_at && booked_at <= t.until)
        .max_by_key(|t| (t.sent_at, t.campaign))
        .map(|t| t.campaign)
}

/// Over whom a person may run a campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// HQ operations: every customer of the chain.
    Chain,
    /// A store manager: their own store's customers only.
    Store(StoreId),
}

impl Scope {
    /// Who may run campaigns, and over whom; `None` for everyone else.
    pub fn of(principal: &Principal) -> Option<Scope> {
        match principal {
            Principal::Staff {
                role: StaffRole::HqAdmin,
                ..
            } => Some(Scope::Chain),
            Principal::Staff {
                role: StaffRole::StoreManager,
                location: Some(store),
                ..
            } => Some(Scope::Store(*store)),
            _ => None,
        }
    }

    /// Whether `principal` may run campaigns at all.
    pub fn allows(principal: &Principal) -> bool {
        Scope::of(principal).is_some()
    }

    /// The segment as this scope may target it: a store manager's is narrowed to
    /// their store whatever it named.
    pub fn narrow(self, segment: Segment) -> Segment {
        match self {
            Scope::Chain => segment,
            Scope::Store(store) => segment.for_store(store),
        }
    }

    /// Whether this scope may see a campaign run for `store` (`None`: the chain's).
    pub fn sees(self, store: Option<StoreId>) -> bool {
        match self {
            Scope::Chain => true,
            Scope::Store(mine) => store == Some(mine),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::deterministic_v7;
    use crate::{CustomerId, StaffId};
    use proptest::prelude::*;

    #[test]
    fn a_message_needs_both_languages() {
        assert_eq!(
            Message::parse("保养季八折", "  "),
            Err(Error::CampaignMessageIncomplete)
        );
        assert_eq!(
            Message::parse("", "20% off"),
            Err(Error::CampaignMessageIncomplete)
        );
        assert_eq!(
            Message::parse(&"长".repeat(281), "ok"),
            Err(Error::CampaignTextInvalid)
        );
        let m = Message::parse(" 保养季八折 ", "20% off servicing").expect("valid");
        assert_eq!(m.zh.as_str(), "保养季八折");
    }

    #[test]
    fn nothing_reaches_a_customer_who_opted_out() {
        let all = Contact::default();
        let opted_out = Contact {
            campaigns: false,
            ..all
        };
        let no_texts = Contact { sms: false, ..all };
        let no_calls = Contact {
            calls: false,
            ..all
        };
        for c in Channel::ALL {
            assert!(c.may_reach(all));
            assert!(!c.may_reach(opted_out), "{c:?}");
        }
        assert!(!Channel::Sms.may_reach(no_texts));
        assert!(Channel::Call.may_reach(no_texts));
        assert!(!Channel::Call.may_reach(no_calls));
        assert_eq!(Channel::parse("fax"), Err(Error::CampaignSettingsInvalid));
    }

    #[test]
    fn attribution_days_are_bounded_with_a_default() {
        assert_eq!(AttributionDays::parse(""), Ok(AttributionDays::DEFAULT));
        assert_eq!(
            AttributionDays::parse("30").map(AttributionDays::get),
            Ok(30)
        );
        assert!(AttributionDays::parse("0").is_err());
        assert!(AttributionDays::parse("91").is_err());
    }

    #[test]
    fn a_store_manager_targets_only_their_store() {
        let store = StoreId::from(deterministic_v7(1, 1));
        let other = StoreId::from(deterministic_v7(1, 2));
        let manager = Principal::Staff {
            id: StaffId::new(),
            role: StaffRole::StoreManager,
            location: Some(store),
        };
        let advisor = Principal::Staff {
            id: StaffId::new(),
            role: StaffRole::ServiceAdvisor,
            location: Some(store),
        };
        let scope = Scope::of(&manager).expect("valid");
        assert_eq!(scope, Scope::Store(store));
        let wide = Segment {
            stores: [other].into(),
            ..Segment::default()
        };
        assert_eq!(scope.narrow(wide).stores, [store].into());
        assert!(scope.sees(Some(store)) && !scope.sees(Some(other)) && !scope.sees(None));
        assert_eq!(Scope::of(&advisor), None);
        assert!(Scope::allows(&manager) && !Scope::allows(&advisor));
        assert_eq!(
            Scope::of(&Principal::Customer {
                id: CustomerId::new()
            }),
            None
        );
    }

    fn at(minutes: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::days(20_000) + Duration::minutes(minutes)
    }

    fn touch(n: u64, sent: i64, days: u8) -> Touch {
        Touch {
            campaign: CampaignId::from(deterministic_v7(3, n)),
            sent_at: at(sent),
            until: AttributionDays::new(days).expect("valid").until(at(sent)),
        }
    }

    #[test]
    fn the_latest_running_touch_gets_the_booking() {
        let early = touch(1, 0, 30);
        let late = touch(2, 60, 1);
        assert_eq!(attribute(at(120), &[early, late]), Some(late.campaign));
        // Two days on, the late one's single day has run out; the early one's has not.
        assert_eq!(
            attribute(at(2 * 1440), &[early, late]),
            Some(early.campaign)
        );
        assert_eq!(
            attribute(at(-1), &[early, late]),
            None,
            "booked before any message"
        );
        assert_eq!(attribute(at(31 * 1440), &[early, late]), None);
    }

    proptest! {
        /// The campaign credited was sent before the booking, its days still ran, and no
        /// later touch that also ran was passed over.
        #[test]
        fn attribution_is_last_touch(
            touches in proptest::collection::vec((0i64..100_000, 1u8..=90), 0..8),
            booked in 0i64..200_000,
        ) {
            // A campaign reaches a customer once: one touch per campaign.
            let touches: Vec<Touch> = touches
                .into_iter()
                .enumerate()
                .map(|(n, (sent, d))| touch(n as u64, sent, d))
                .collect();
            let booked_at = at(booked);
            let running = |t: &&Touch| t.sent_at <= booked_at && booked_at <= t.until;
            match attribute(booked_at, &touches) {
                None => prop_assert!(!touches.iter().any(|t| running(&t))),
                Some(c) => {
                    let chosen = touches.iter().filter(running).find(|t| t.campaign == c);
                    prop_assert!(chosen.is_some());
                    let chosen = chosen.expect("valid");
                    prop_assert!(touches.iter().filter(running).all(|t| t.sent_at <= chosen.sent_at));
                }
            }
        }
    }
}
