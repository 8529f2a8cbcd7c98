//! Discount policies: the only way a price goes down.
//!
//! "One price everywhere" means nobody gets a private price. HQ publishes
//! policies instead, and each applies alike to everyone who qualifies: a
//! membership [`Tier`] (a percentage off labour) or a campaign (a fixed amount
//! off one service between two instants). The price breakdown names the policy
//! behind every yuan taken off, so a customer, a store and HQ can all see why a
//! total is what it is.
//!
//! A [`PolicyRule`] can only be built valid: its constructors, and
//! deserialising, refuse a campaign that ends before it starts or takes off a
//! non-positive amount.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::money::check_price;
use crate::{Error, Money, PolicyId, ServiceId};

/// A customer's membership tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Everyone starts here.
    Standard,
    /// Regulars.
    Silver,
    /// The best customers.
    Gold,
}

impl Tier {
    /// Every tier, lowest first.
    pub const ALL: [Tier; 3] = [Tier::Standard, Tier::Silver, Tier::Gold];

    /// The stable code used in the database, forms and APIs (the serde form too).
    pub const fn code(self) -> &'static str {
        match self {
            Tier::Standard => "standard",
            Tier::Silver => "silver",
            Tier::Gold => "gold",
        }
    }

    /// The tier with this code (surrounding whitespace ignored), if any.
    pub fn parse(code: &str) -> Option<Tier> {
        let code = code.trim();
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// A whole percentage from 1 to 100: a 0 % discount is no policy at all, and
/// more than 100 % would pay the customer to come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Percent(u8);

impl Percent {
    /// 1 to 100, or [`Error::PercentInvalid`].
    pub fn new(value: u8) -> Result<Percent, Error> {
        if (1..=100).contains(&value) {
            Ok(Percent(value))
        } else {
            Err(Error::PercentInvalid)
        }
    }

    /// Parses what people type: `10`, `10%`, ` 10 % ` (a full-width `％` too).
    /// Anything else, including decimals and signs, is [`Error::PercentInvalid`].
    pub fn parse(input: &str) -> Result<Percent, Error> {
        let s = input.trim();
        let s = s.strip_suffix(['%', '％']).unwrap_or(s).trim();
        if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::PercentInvalid);
        }
        let value: u8 = s.parse().map_err(|_| Error::PercentInvalid)?;
        Percent::new(value)
    }

    /// The number of percent.
    pub const fn value(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Percent {
    type Error = Error;
    fn try_from(value: u8) -> Result<Self, Error> {
        Percent::new(value)
    }
}

impl From<Percent> for u8 {
    fn from(p: Percent) -> u8 {
        p.0
    }
}

impl fmt::Display for Percent {
    /// `10%`, the form [`Percent::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{}%", self.0))
    }
}

/// A policy's name as HQ types it: 1 to [`PolicyName::MAX_CHARS`] characters
/// after trimming, inner whitespace runs collapsed to one space.
///
/// The limit is above a person's name because a campaign name says what it
/// does ("Winter service season: ¥30 off an oil change" is 44 characters).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PolicyName(String);

impl PolicyName {
    /// The longest name accepted.
    pub const MAX_CHARS: usize = 60;

    /// Trims, collapses whitespace and checks the length, or [`Error::NameInvalid`].
    pub fn parse(input: &str) -> Result<PolicyName, Error> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let chars = name.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS || name.chars().any(char::is_control) {
            return Err(Error::NameInvalid);
        }
        Ok(PolicyName(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PolicyName {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PolicyName::parse(&value)
    }
}

impl From<PolicyName> for String {
    fn from(name: PolicyName) -> String {
        name.0
    }
}

impl fmt::Display for PolicyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// What a policy takes off, and for whom.
///
/// Serialised tagged by `kind` (`tier_labour_percent`, `campaign_amount_off`),
/// times in RFC 3339. Deserialising checks the same invariants as the
/// constructors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    try_from = "wire::PolicyRuleWire"
)]
pub enum PolicyRule {
    /// Members of exactly this tier get a percentage off the labour of every
    /// service (parts are always sold at list price).
    TierLabourPercent {
        /// The tier; tiers do not inherit (a gold policy is not a silver one).
        tier: Tier,
        /// How much off labour.
        percent: Percent,
    },
    /// A fixed amount off one service, for everyone, while a campaign runs.
    CampaignAmountOff {
        /// The service.
        service: ServiceId,
        /// How much off; a positive price.
        amount: Money,
        /// The first instant it applies (inclusive).
        #[serde(with = "time::serde::rfc3339")]
        starts: OffsetDateTime,
        /// The first instant it no longer applies (exclusive); after `starts`.
        #[serde(with = "time::serde::rfc3339")]
        ends: OffsetDateTime,
    },
}

impl PolicyRule {
    /// A tier policy: `percent` off labour for members of `tier`. Always valid,
    /// since [`Percent`] already is.
    pub fn tier_labour_percent(tier: Tier, percent: Percent) -> PolicyRule {
        PolicyRule::TierLabourPercent { tier, percent }
    }

    /// A campaign: `amount` off `service` from `starts` (inclusive) to `ends`
    /// (exclusive). The amount must be a valid price (else
    /// [`Error::PriceNotPositive`] or [`Error::PriceTooHigh`]) and `ends` must
    /// be after `starts` (else [`Error::PeriodInvalid`]).
    pub fn campaign_amount_off(
        service: ServiceId,
        amount: Money,
        starts: OffsetDateTime,
        ends: OffsetDateTime,
    ) -> Result<PolicyRule, Error> {
        check_price(amount)?;
        if ends <= starts {
            return Err(Error::PeriodInvalid);
        }
        Ok(PolicyRule::CampaignAmountOff {
            service,
            amount,
            starts,
            ends,
        })
    }

    /// Whether this is a tier policy (taken before campaigns in a breakdown).
    pub const fn is_tier(&self) -> bool {
        matches!(self, PolicyRule::TierLabourPercent { .. })
    }
}

/// The deserialising twin of [`PolicyRule`]: same wire format, then checked by
/// the constructors so an invalid rule cannot arrive over the wire.
mod wire {
    use serde::Deserialize;
    use time::OffsetDateTime;

    use super::{Percent, PolicyRule, Tier};
    use crate::{Error, Money, ServiceId};

    #[derive(Deserialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    pub(super) enum PolicyRuleWire {
        TierLabourPercent {
            tier: Tier,
            percent: Percent,
        },
        CampaignAmountOff {
            service: ServiceId,
            amount: Money,
            #[serde(with = "time::serde::rfc3339")]
            starts: OffsetDateTime,
            #[serde(with = "time::serde::rfc3339")]
            ends: OffsetDateTime,
        },
    }

    impl TryFrom<PolicyRuleWire> for PolicyRule {
        type Error = Error;
        fn try_from(wire: PolicyRuleWire) -> Result<Self, Error> {
            match wire {
                PolicyRuleWire::TierLabourPercent { tier, percent } => {
                    Ok(PolicyRule::tier_labour_percent(tier, percent))
                }
                PolicyRuleWire::CampaignAmountOff {
                    service,
                    amount,
                    starts,
                    ends,
                } => PolicyRule::campaign_amount_off(service, amount, starts, ends),
            }
        }
    }
}

/// A policy HQ has published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountPolicy {
    /// Its id, shown on the breakdown and kept on orders.
    pub id: PolicyId,
    /// Its name in Chinese (see [`PolicyName`] for checking typed names).
    pub name_zh: String,
    /// Its name in English.
    pub name_en: String,
    /// What it takes off, and for whom.
    pub rule: PolicyRule,
}

impl DiscountPolicy {
    /// A policy with checked names.
    pub fn new(
        id: PolicyId,
        name_zh: PolicyName,
        name_en: PolicyName,
        rule: PolicyRule,
    ) -> DiscountPolicy {
        DiscountPolicy {
            id,
            name_zh: name_zh.into(),
            name_en: name_en.into(),
            rule,
        }
    }

    /// Whether the policy applies to `service` for a customer of `tier` at `at`.
    ///
    /// - A tier policy applies to every service for customers of exactly its
    ///   tier. Tiers do not inherit: a gold customer gets gold policies only,
    ///   so HQ publishes one policy per tier it means to reward and no customer
    ///   can stack a lower tier's discount on top.
    /// - A campaign applies to its own service for every customer, from
    ///   `starts` (inclusive) until `ends` (exclusive), so back-to-back
    ///   campaigns never overlap by an instant.
    pub fn applies(&self, service: ServiceId, tier: Tier, at: OffsetDateTime) -> bool {
        match &self.rule {
            PolicyRule::TierLabourPercent { tier: t, .. } => *t == tier,
            PolicyRule::CampaignAmountOff {
                service: s,
                starts,
                ends,
                ..
            } => *s == service && *starts <= at && at < *ends,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;
    use time::Duration;
    use uuid::Uuid;

    const START: OffsetDateTime = datetime!(2026-11-01 00:00 +8);
    const END: OffsetDateTime = datetime!(2026-12-01 00:00 +8);

    fn service(n: u128) -> ServiceId {
        ServiceId(Uuid::from_u128(n))
    }

    fn policy(rule: PolicyRule) -> DiscountPolicy {
        DiscountPolicy {
            id: PolicyId(Uuid::from_u128(5)),
            name_zh: "双十一".into(),
            name_en: "Singles' Day".into(),
            rule,
        }
    }

    fn campaign() -> DiscountPolicy {
        policy(
            PolicyRule::campaign_amount_off(service(1), Money::from_fen(3000), START, END)
                .expect("campaign"),
        )
    }

    fn pct(n: u8) -> Percent {
        Percent::new(n).expect("percent")
    }

    #[test]
    fn percent_parses_what_people_type() {
        for (input, value) in [
            ("10", 10),
            ("10%", 10),
            (" 10 % ", 10),
            ("10％", 10),
            ("1", 1),
            ("100", 100),
            ("005", 5),
        ] {
            assert_eq!(
                Percent::parse(input).map(Percent::value),
                Ok(value),
                "{input:?}"
            );
        }
        for bad in [
            "0", "101", "255", "256", "1000", "-5", "+5", "abc", "", " ", "%", "12.5", "10%%",
            "%10", "1 0", "１０",
        ] {
            assert_eq!(Percent::parse(bad), Err(Error::PercentInvalid), "{bad:?}");
        }
        assert_eq!(Percent::new(0), Err(Error::PercentInvalid));
        assert_eq!(Percent::new(101), Err(Error::PercentInvalid));
        assert_eq!(pct(15).to_string(), "15%");
        assert_eq!(u8::from(pct(15)), 15);
    }

    #[test]
    fn percent_serde_goes_through_new() {
        assert_eq!(serde_json::to_string(&pct(10)).expect("json"), "10");
        assert_eq!(serde_json::from_str::<Percent>("10").ok(), Some(pct(10)));
        assert!(serde_json::from_str::<Percent>("0").is_err());
        assert!(serde_json::from_str::<Percent>("101").is_err());
    }

    #[test]
    fn tiers_round_trip() {
        for t in Tier::ALL {
            assert_eq!(Tier::parse(t.code()), Some(t));
            let json = serde_json::to_string(&t).expect("json");
            assert_eq!(json, format!("\"{}\"", t.code()));
            assert_eq!(serde_json::from_str::<Tier>(&json).ok(), Some(t));
        }
        assert_eq!(Tier::parse(" gold "), Some(Tier::Gold));
        assert_eq!(Tier::parse("Gold"), None);
        assert_eq!(Tier::parse("platinum"), None);
        assert_eq!(Tier::parse(""), None);
    }

    #[test]
    fn policy_names() {
        assert_eq!(
            PolicyName::parse("  冬季保养季   换机油立减 30 元 ").map(String::from),
            Ok("冬季保养季 换机油立减 30 元".to_owned())
        );
        let winter = "Winter service season: ¥30 off an oil change";
        assert_eq!(
            PolicyName::parse(winter).map(|n| n.to_string()),
            Ok(winter.to_owned())
        );
        assert!(PolicyName::parse(&"惠".repeat(PolicyName::MAX_CHARS)).is_ok());
        for bad in ["", "   ", "a\u{7}b"] {
            assert_eq!(PolicyName::parse(bad), Err(Error::NameInvalid), "{bad:?}");
        }
        assert_eq!(
            PolicyName::parse(&"惠".repeat(PolicyName::MAX_CHARS + 1)),
            Err(Error::NameInvalid)
        );
        assert!(serde_json::from_str::<PolicyName>("\" \"").is_err());
        let p = DiscountPolicy::new(
            PolicyId(Uuid::from_u128(1)),
            PolicyName::parse(" 金卡 ").expect("zh"),
            PolicyName::parse("Gold").expect("en"),
            PolicyRule::tier_labour_percent(Tier::Gold, pct(10)),
        );
        assert_eq!((p.name_zh.as_str(), p.name_en.as_str()), ("金卡", "Gold"));
    }

    #[test]
    fn campaign_constructor_checks_period_and_amount() {
        let s = service(1);
        let m = Money::from_fen(3000);
        assert_eq!(
            PolicyRule::campaign_amount_off(s, m, END, START),
            Err(Error::PeriodInvalid)
        );
        assert_eq!(
            PolicyRule::campaign_amount_off(s, m, START, START),
            Err(Error::PeriodInvalid)
        );
        assert!(
            PolicyRule::campaign_amount_off(s, m, START, START + Duration::nanoseconds(1)).is_ok()
        );
        assert_eq!(
            PolicyRule::campaign_amount_off(s, Money::ZERO, START, END),
            Err(Error::PriceNotPositive)
        );
        assert_eq!(
            PolicyRule::campaign_amount_off(s, Money::from_fen(-100), START, END),
            Err(Error::PriceNotPositive)
        );
        assert_eq!(
            PolicyRule::campaign_amount_off(
                s,
                Money::from_fen(Money::MAX_PRICE.fen() + 1),
                START,
                END
            ),
            Err(Error::PriceTooHigh)
        );
        assert!(!PolicyRule::campaign_amount_off(s, m, START, END)
            .expect("campaign")
            .is_tier());
        assert!(PolicyRule::tier_labour_percent(Tier::Gold, pct(10)).is_tier());
    }

    #[test]
    fn campaigns_apply_between_their_dates_to_their_service() {
        let p = campaign();
        let ns = Duration::nanoseconds(1);
        for tier in Tier::ALL {
            assert!(!p.applies(service(1), tier, START - ns), "before start");
            assert!(p.applies(service(1), tier, START), "starts is inclusive");
            assert!(p.applies(service(1), tier, END - ns), "last instant");
            assert!(!p.applies(service(1), tier, END), "ends is exclusive");
            assert!(!p.applies(service(2), tier, START), "another service");
        }
        // The same instant in another offset is the same instant.
        assert!(p.applies(service(1), Tier::Standard, datetime!(2026-10-31 16:00 UTC)));
        assert!(!p.applies(
            service(1),
            Tier::Standard,
            datetime!(2026-10-31 15:59:59 UTC)
        ));
    }

    #[test]
    fn tiers_do_not_inherit() {
        let gold = policy(PolicyRule::tier_labour_percent(Tier::Gold, pct(10)));
        let silver = policy(PolicyRule::tier_labour_percent(Tier::Silver, pct(5)));
        for s in [service(1), service(2)] {
            assert!(gold.applies(s, Tier::Gold, START));
            assert!(!gold.applies(s, Tier::Silver, START));
            assert!(!gold.applies(s, Tier::Standard, START));
            assert!(silver.applies(s, Tier::Silver, END));
            assert!(!silver.applies(s, Tier::Gold, END));
            assert!(!silver.applies(s, Tier::Standard, END));
        }
    }

    #[test]
    fn serde_round_trip_and_wire_format() {
        let tier = policy(PolicyRule::tier_labour_percent(Tier::Gold, pct(10)));
        let json = serde_json::to_string(&tier.rule).expect("json");
        assert_eq!(
            json,
            r#"{"kind":"tier_labour_percent","tier":"gold","percent":10}"#
        );
        let camp = campaign();
        let json = serde_json::to_string(&camp.rule).expect("json");
        assert_eq!(
            json,
            r#"{"kind":"campaign_amount_off","service":"00000000-0000-0000-0000-000000000001","amount":3000,"starts":"2026-11-01T00:00:00+08:00","ends":"2026-12-01T00:00:00+08:00"}"#
        );
        for p in [tier, camp] {
            let json = serde_json::to_string(&p).expect("json");
            assert_eq!(
                serde_json::from_str::<DiscountPolicy>(&json).expect("back"),
                p
            );
        }
    }

    #[test]
    fn deserialising_refuses_invalid_rules() {
        for bad in [
            r#"{"kind":"tier_labour_percent","tier":"gold","percent":0}"#,
            r#"{"kind":"tier_labour_percent","tier":"platinum","percent":10}"#,
            r#"{"kind":"campaign_amount_off","service":"00000000-0000-0000-0000-000000000001","amount":3000,"starts":"2026-12-01T00:00:00+08:00","ends":"2026-11-01T00:00:00+08:00"}"#,
            r#"{"kind":"campaign_amount_off","service":"00000000-0000-0000-0000-000000000001","amount":0,"starts":"2026-11-01T00:00:00+08:00","ends":"2026-12-01T00:00:00+08:00"}"#,
            r#"{"kind":"campaign_amount_off","service":"00000000-0000-0000-0000-000000000001","amount":3000,"starts":"2026-11-01","ends":"2026-12-01T00:00:00+08:00"}"#,
            r#"{"kind":"member_price","tier":"gold","percent":10}"#,
        ] {
            assert!(serde_json::from_str::<PolicyRule>(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn percent_parse_accepts_exactly_1_to_100(n in 0u32..1000, suffix in prop::sample::select(vec!["", "%", " %", "％"])) {
            let parsed = Percent::parse(&format!(" {n}{suffix} "));
            if (1..=100).contains(&n) {
                prop_assert_eq!(parsed.map(|p| u32::from(p.value())), Ok(n));
            } else {
                prop_assert_eq!(parsed, Err(Error::PercentInvalid));
            }
        }

        #[test]
        fn percent_display_parses_back(n in 1u8..=100) {
            let p = Percent::new(n).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(Percent::parse(&p.to_string()), Ok(p));
        }

        #[test]
        fn a_campaign_applies_exactly_within_its_period(
            start_min in 0i64..100_000,
            len_min in 1i64..100_000,
            at_min in -10i64..300_000,
            tier in prop::sample::select(Tier::ALL.to_vec()),
        ) {
            let starts = START + Duration::minutes(start_min);
            let ends = starts + Duration::minutes(len_min);
            let at = START + Duration::minutes(at_min);
            let rule = PolicyRule::campaign_amount_off(service(1), Money::from_fen(100), starts, ends)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let p = policy(rule);
            prop_assert_eq!(p.applies(service(1), tier, at), starts <= at && at < ends);
            prop_assert!(!p.applies(service(2), tier, at));
            let json = serde_json::to_string(&p).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back: DiscountPolicy = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(back, p);
        }

        #[test]
        fn a_tier_policy_applies_exactly_to_its_tier(
            policy_tier in prop::sample::select(Tier::ALL.to_vec()),
            customer in prop::sample::select(Tier::ALL.to_vec()),
            n in 1u8..=100,
            s in any::<u128>(),
        ) {
            let p = policy(PolicyRule::tier_labour_percent(policy_tier, Percent::new(n).map_err(|e| TestCaseError::fail(e.to_string()))?));
            prop_assert_eq!(p.applies(service(s), customer, START), policy_tier == customer);
        }
    }
}
