//! Discount policies: the only way a price goes down. HQ publishes them; each applies
//! alike to everyone who qualifies (a membership tier, or a campaign on a service between
//! two dates). There are no per-person prices.

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
    /// Every tier.
    pub const ALL: [Tier; 3] = [Tier::Standard, Tier::Silver, Tier::Gold];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Tier::Standard => "standard",
            Tier::Silver => "silver",
            Tier::Gold => "gold",
        }
    }

    /// The tier with this code, if any.
    pub fn parse(code: &str) -> Option<Tier> {
        Self::ALL.into_iter().find(|t| t.code() == code.trim())
    }
}

/// A whole percentage from 1 to 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

    /// Parses `10`, `10%`, ` 10 % `.
    pub fn parse(input: &str) -> Result<Percent, Error> {
        let s = input.trim();
        let s = s.strip_suffix('%').unwrap_or(s).trim();
        let value: u8 = s.parse().map_err(|_| Error::PercentInvalid)?;
        Percent::new(value)
    }

    /// The number.
    pub fn value(self) -> u8 {
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

/// What a policy does and to whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PolicyRule {
    /// Members of a tier get a percentage off labour (parts are sold at list price).
    TierLabourPercent {
        /// The tier; tiers do not inherit (a gold policy is not a silver one).
        tier: Tier,
        /// How much off.
        percent: Percent,
    },
    /// A fixed amount off one service while a campaign runs.
    CampaignAmountOff {
        /// The service.
        service: ServiceId,
        /// How much off.
        amount: Money,
        /// First instant it applies.
        #[serde(with = "time::serde::rfc3339")]
        starts: OffsetDateTime,
        /// First instant it no longer applies.
        #[serde(with = "time::serde::rfc3339")]
        ends: OffsetDateTime,
    },
}

impl PolicyRule {
    /// A tier policy.
    pub fn tier_labour_percent(tier: Tier, percent: Percent) -> PolicyRule {
        PolicyRule::TierLabourPercent { tier, percent }
    }

    /// A campaign: a positive amount and an end after the start.
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
}

/// A published policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountPolicy {
    /// Its id, shown on the breakdown and kept on orders.
    pub id: PolicyId,
    /// Its name in Chinese.
    pub name_zh: String,
    /// Its name in English.
    pub name_en: String,
    /// What it does.
    pub rule: PolicyRule,
}

impl DiscountPolicy {
    /// Whether it applies to `service` for a customer of `tier` at `at`.
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
    use time::macros::datetime;
    use uuid::Uuid;

    #[test]
    fn percent_parses_what_people_type() {
        assert_eq!(Percent::parse(" 10 % ").map(Percent::value), Ok(10));
        assert_eq!(Percent::parse("100").map(Percent::value), Ok(100));
        for bad in ["0", "101", "-5", "abc", "", "12.5"] {
            assert_eq!(Percent::parse(bad), Err(Error::PercentInvalid), "{bad}");
        }
        assert!(serde_json::from_str::<Percent>("0").is_err());
    }

    #[test]
    fn tiers_round_trip() {
        for t in Tier::ALL {
            assert_eq!(Tier::parse(t.code()), Some(t));
        }
        assert_eq!(Tier::parse("platinum"), None);
    }

    #[test]
    fn campaigns_apply_between_their_dates_to_their_service() {
        let s = ServiceId(Uuid::from_u128(1));
        let start = datetime!(2026-11-01 00:00 +8);
        let end = datetime!(2026-12-01 00:00 +8);
        let rule = PolicyRule::campaign_amount_off(s, Money::from_fen(3000), start, end)
            .expect("campaign");
        let p = DiscountPolicy {
            id: PolicyId(Uuid::from_u128(5)),
            name_zh: "双十一".into(),
            name_en: "Singles' Day".into(),
            rule,
        };
        assert!(p.applies(s, Tier::Standard, start));
        assert!(!p.applies(s, Tier::Gold, end));
        assert!(!p.applies(ServiceId(Uuid::from_u128(2)), Tier::Gold, start));
        assert_eq!(
            PolicyRule::campaign_amount_off(s, Money::from_fen(3000), end, start),
            Err(Error::PeriodInvalid)
        );
        assert_eq!(
            PolicyRule::campaign_amount_off(s, Money::ZERO, start, end),
            Err(Error::PriceNotPositive)
        );
    }
}
