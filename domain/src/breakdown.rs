//! The price breakdown of one service for one vehicle: labour, the parts that fit, the
//! discounts that apply, and the total. The customer web, the kiosk, HQ and the booking
//! itself all call [`breakdown`], so a total can never differ between them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::discount::{DiscountPolicy, PolicyRule, Tier};
use crate::pricing::{price_line, Line, PriceList, PricedItem};
use crate::{Error, Money, PartId, PolicyId, Quantity, ServiceId};

/// A discount as it was applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedDiscount {
    /// The policy.
    pub policy: PolicyId,
    /// Its name in Chinese.
    pub name_zh: String,
    /// Its name in English.
    pub name_en: String,
    /// How much it took off (positive).
    pub amount: Money,
}

/// One service priced for one vehicle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    /// The service.
    pub service: ServiceId,
    /// The price-list version the lines come from.
    pub price_list_version: u32,
    /// The service's own price.
    pub labour: Line,
    /// The parts that fit, in the service's order.
    pub parts: Vec<Line>,
    /// Labour plus parts.
    pub subtotal: Money,
    /// The discounts that applied, in the order they were taken.
    pub discounts: Vec<AppliedDiscount>,
    /// What the customer pays.
    pub total: Money,
}

impl Breakdown {
    /// [`Error::PriceChanged`] unless the total is `expected` (what the customer saw).
    pub fn check_total(&self, expected: Money) -> Result<(), Error> {
        if self.total == expected {
            Ok(())
        } else {
            Err(Error::PriceChanged)
        }
    }
}

/// `percent` of `amount`, rounded half up to the fen.
fn percent_of(amount: Money, percent: u8) -> Result<Money, Error> {
    let scaled = i128::from(amount.fen()) * i128::from(percent);
    let fen = (scaled + 50).div_euclid(100);
    i64::try_from(fen)
        .map(Money::from_fen)
        .map_err(|_| Error::AmountOverflow)
}

/// Prices `service` with `parts` from `list`, and applies every policy that applies to a
/// customer of `tier` at `at`: tier policies first, then campaigns, each by policy id.
/// Each discount is taken from what is left, so the total never goes below zero.
pub fn breakdown(
    list: &PriceList,
    service: ServiceId,
    parts: &[(PartId, Quantity)],
    tier: Tier,
    policies: &[DiscountPolicy],
    at: OffsetDateTime,
) -> Result<Breakdown, Error> {
    let labour = price_line(list, PricedItem::Service(service), Quantity::ONE)?;
    let parts = parts
        .iter()
        .map(|&(part, q)| price_line(list, PricedItem::Part(part), q))
        .collect::<Result<Vec<_>, _>>()?;
    let subtotal = Money::sum(std::iter::once(labour.total).chain(parts.iter().map(|l| l.total)))?;

    let mut applicable: Vec<&DiscountPolicy> = policies
        .iter()
        .filter(|p| p.applies(service, tier, at))
        .collect();
    applicable.sort_by_key(|p| {
        let campaign = matches!(p.rule, PolicyRule::CampaignAmountOff { .. });
        (campaign, p.id)
    });

    let mut left = subtotal;
    let mut discounts = Vec::new();
    for p in applicable {
        let wanted = match &p.rule {
            PolicyRule::TierLabourPercent { percent, .. } => {
                percent_of(labour.total, percent.value())?
            }
            PolicyRule::CampaignAmountOff { amount, .. } => *amount,
        };
        let amount = wanted.min(left);
        if amount.is_positive() {
            left = left.checked_sub(amount)?;
            discounts.push(AppliedDiscount {
                policy: p.id,
                name_zh: p.name_zh.clone(),
                name_en: p.name_en.clone(),
                amount,
            });
        }
    }
    Ok(Breakdown {
        service,
        price_list_version: list.version,
        labour,
        parts,
        subtotal,
        discounts,
        total: left,
    })
}

/// What several services cost together.
pub fn quote_total(breakdowns: &[Breakdown]) -> Result<Money, Error> {
    Money::sum(breakdowns.iter().map(|b| b.total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discount::Percent;
    use proptest::prelude::*;
    use time::macros::datetime;
    use uuid::Uuid;

    const AT: OffsetDateTime = datetime!(2026-11-25 10:00 +8);

    fn service() -> ServiceId {
        ServiceId(Uuid::from_u128(1))
    }

    fn part(n: u128) -> PartId {
        PartId(Uuid::from_u128(100 + n))
    }

    fn list(labour: i64, oil: i64, filter: i64) -> PriceList {
        PriceList::new(
            7,
            AT,
            [
                (PricedItem::Service(service()), Money::from_fen(labour)),
                (PricedItem::Part(part(1)), Money::from_fen(oil)),
                (PricedItem::Part(part(2)), Money::from_fen(filter)),
            ],
        )
    }

    fn needs() -> Vec<(PartId, Quantity)> {
        vec![
            (part(1), Quantity::from_milli(4500).expect("4.5")),
            (part(2), Quantity::ONE),
        ]
    }

    fn tier_policy(n: u128, tier: Tier, percent: u8) -> DiscountPolicy {
        DiscountPolicy {
            id: PolicyId(Uuid::from_u128(n)),
            name_zh: "会员".into(),
            name_en: "Members".into(),
            rule: PolicyRule::tier_labour_percent(tier, Percent::new(percent).expect("pct")),
        }
    }

    fn campaign(n: u128, fen: i64) -> DiscountPolicy {
        DiscountPolicy {
            id: PolicyId(Uuid::from_u128(n)),
            name_zh: "活动".into(),
            name_en: "Campaign".into(),
            rule: PolicyRule::campaign_amount_off(
                service(),
                Money::from_fen(fen),
                datetime!(2026-11-01 00:00 +8),
                datetime!(2026-12-01 00:00 +8),
            )
            .expect("campaign"),
        }
    }

    #[test]
    fn gold_members_get_ten_percent_off_labour() {
        let b = breakdown(
            &list(19_900, 6_880, 4_500),
            service(),
            &needs(),
            Tier::Gold,
            &[
                tier_policy(1, Tier::Gold, 10),
                tier_policy(2, Tier::Silver, 5),
            ],
            AT,
        )
        .expect("priced");
        assert_eq!(b.labour.total, Money::from_fen(19_900));
        assert_eq!(b.parts[0].total, Money::from_fen(30_960));
        assert_eq!(b.subtotal, Money::from_fen(55_360));
        assert_eq!(b.discounts.len(), 1);
        assert_eq!(b.discounts[0].amount, Money::from_fen(1_990));
        assert_eq!(b.total, Money::from_fen(53_370));
        assert_eq!(b.price_list_version, 7);
        assert_eq!(b.check_total(Money::from_fen(53_370)), Ok(()));
        assert_eq!(b.check_total(Money::from_fen(1)), Err(Error::PriceChanged));
    }

    #[test]
    fn rounding_is_half_up() {
        assert_eq!(percent_of(Money::from_fen(5), 10), Ok(Money::from_fen(1)));
        assert_eq!(percent_of(Money::from_fen(4), 10), Ok(Money::from_fen(0)));
        assert_eq!(percent_of(Money::from_fen(15), 10), Ok(Money::from_fen(2)));
    }

    #[test]
    fn campaigns_outside_their_dates_and_too_large_ones() {
        let prices = list(10_000, 100, 100);
        let late = breakdown(
            &prices,
            service(),
            &[],
            Tier::Standard,
            &[campaign(3, 500)],
            datetime!(2026-12-01 00:00 +8),
        )
        .expect("priced");
        assert!(late.discounts.is_empty());
        let capped = breakdown(
            &prices,
            service(),
            &[],
            Tier::Standard,
            &[campaign(3, 50_000)],
            AT,
        )
        .expect("priced");
        assert_eq!(capped.total, Money::ZERO);
        assert_eq!(capped.discounts[0].amount, Money::from_fen(10_000));
        let unpriced = breakdown(
            &prices,
            service(),
            &[(part(9), Quantity::ONE)],
            Tier::Standard,
            &[],
            AT,
        );
        assert_eq!(unpriced, Err(Error::NotPriced));
        let json = serde_json::to_string(&capped).expect("json");
        assert_eq!(
            serde_json::from_str::<Breakdown>(&json).expect("back"),
            capped
        );
        assert_eq!(quote_total(&[capped.clone(), late.clone()]), Ok(late.total));
    }

    fn any_policy() -> impl Strategy<Value = DiscountPolicy> {
        prop_oneof![
            (0u128..5, 0usize..3, 1u8..=100).prop_map(|(n, t, p)| tier_policy(n, Tier::ALL[t], p)),
            (5u128..10, 1i64..100_000).prop_map(|(n, fen)| campaign(n, fen)),
        ]
    }

    proptest! {
        #[test]
        fn the_total_is_the_lines_minus_the_discounts(
            labour in 1i64..1_000_000,
            oil in 1i64..100_000,
            filter in 1i64..100_000,
            tier in 0usize..3,
            policies in prop::collection::vec(any_policy(), 0..6).prop_map(|ps| {
                // Published policies have distinct ids.
                ps.into_iter()
                    .enumerate()
                    .map(|(i, p)| DiscountPolicy { id: PolicyId(Uuid::from_u128(1000 + i as u128)), ..p })
                    .collect::<Vec<_>>()
            }),
            day in 0i64..60,
        ) {
            let at = datetime!(2026-10-15 10:00 +8) + time::Duration::days(day);
            let tier = Tier::ALL[tier];
            let b = breakdown(&list(labour, oil, filter), service(), &needs(), tier, &policies, at)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let lines: i64 = b.labour.total.fen() + b.parts.iter().map(|l| l.total.fen()).sum::<i64>();
            let off: i64 = b.discounts.iter().map(|d| d.amount.fen()).sum();
            prop_assert_eq!(b.subtotal.fen(), lines);
            prop_assert_eq!(b.total.fen(), lines - off);
            prop_assert!(b.total.fen() >= 0);
            prop_assert!(b.discounts.iter().all(|d| d.amount.is_positive()));
            for d in &b.discounts {
                let p = policies.iter().find(|p| p.id == d.policy).ok_or_else(|| TestCaseError::fail("unknown policy"))?;
                prop_assert!(p.applies(service(), tier, at));
            }
            // No per-person prices: the same inputs give the same breakdown.
            let again = breakdown(&list(labour, oil, filter), service(), &needs(), tier, &policies, at)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&again, &b);
            let bare = breakdown(&list(labour, oil, filter), service(), &needs(), tier, &[], at)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(bare.total, bare.subtotal);
        }
    }
}
