//! The price breakdown of one service for one vehicle: labour, the parts that
//! fit, the discounts that apply and the total.
//!
//! The customer web, the kiosk, the HQ price pages and the booking itself all
//! call [`breakdown`], so a total can never differ between them, and every
//! yuan taken off names the published policy behind it ("one price
//! everywhere"). The inputs are the price list (HQ's one price per item), the
//! customer's [`Tier`] and the published policies, never the person: two
//! customers of the same tier get the same breakdown.
//!
//! The breakdown copies the unit prices and the price-list version in, so an
//! order keeps the prices it was created with; [`Breakdown::check_total`]
//! tells a confirmation apart from a stale screen.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::discount::{DiscountPolicy, PolicyRule, Tier};
use crate::pricing::{price_line, Line, PriceList, PricedItem};
use crate::{Error, Money, PartId, PolicyId, Quantity, ServiceId};

/// A discount as it was applied to one breakdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedDiscount {
    /// The published policy.
    pub policy: PolicyId,
    /// Its name in Chinese, as it was when applied.
    pub name_zh: String,
    /// Its name in English, as it was when applied.
    pub name_en: String,
    /// How much it took off: always positive, and never more than was left.
    pub amount: Money,
}

/// One service priced for one vehicle.
///
/// Invariants (see [`breakdown`]): `subtotal = labour + Σ parts`,
/// `total = subtotal − Σ discounts`, `total ≥ 0`, every discount positive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    /// The service.
    pub service: ServiceId,
    /// The price-list version every line was priced from.
    pub price_list_version: u32,
    /// The service's own price, which is its labour (quantity one).
    pub labour: Line,
    /// The parts that fit the vehicle, in the order given.
    pub parts: Vec<Line>,
    /// Labour plus parts, before discounts.
    pub subtotal: Money,
    /// The discounts that applied, in the order they were taken.
    pub discounts: Vec<AppliedDiscount>,
    /// What the customer pays.
    pub total: Money,
}

impl Breakdown {
    /// `Ok` if the total is `expected` (what the customer saw and confirmed),
    /// else [`Error::PriceChanged`]: a price or policy changed in between, and
    /// the customer must see the new total before agreeing to it.
    pub fn check_total(&self, expected: Money) -> Result<(), Error> {
        if self.total == expected {
            Ok(())
        } else {
            Err(Error::PriceChanged)
        }
    }
}

/// `percent` of `amount`, rounded half up to the fen (what a customer checking
/// by hand expects: 15 % of 10 fen = 1.5 fen → 2 fen).
fn percent_of(amount: Money, percent: u8) -> Result<Money, Error> {
    let hundredths = i128::from(amount.fen()) * i128::from(percent);
    let fen = (hundredths + 50).div_euclid(100);
    i64::try_from(fen)
        .map(Money::from_fen)
        .map_err(|_| Error::AmountOverflow)
}

/// Prices `service` with `parts` from `list` and applies the policies that
/// apply to a customer of `tier` at `at`.
///
/// - Labour is the service's price, quantity one; each part is its unit price
///   × quantity (rounded to the fen), in the order given.
/// - Every applicable policy is taken once (a repeated id counts once), tier
///   policies first, then campaigns, each group by policy id, so the order
///   never depends on how the caller listed them.
/// - A tier policy takes its percentage of the labour total (rounded half up
///   to the fen); a campaign takes its amount. Each is capped at what is left,
///   so the total never goes below zero, and one capped to nothing is left out.
///
/// Errors: [`Error::NotPriced`] if the service or a part has no price in
/// `list`, [`Error::AmountOverflow`] if an amount does not fit.
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
        .map(|&(part, quantity)| price_line(list, PricedItem::Part(part), quantity))
        .collect::<Result<Vec<_>, _>>()?;
    let subtotal = Money::sum(std::iter::once(labour.total).chain(parts.iter().map(|l| l.total)))?;

    let mut applicable: Vec<&DiscountPolicy> = policies
        .iter()
        .filter(|p| p.applies(service, tier, at))
        .collect();
    applicable.sort_by_key(|p| (!p.rule.is_tier(), p.id));
    applicable.dedup_by_key(|p| p.id);

    let mut left = subtotal;
    let mut discounts = Vec::new();
    for policy in applicable {
        let wanted = match &policy.rule {
            PolicyRule::TierLabourPercent { percent, .. } => {
                percent_of(labour.total, percent.value())?
            }
            PolicyRule::CampaignAmountOff { amount, .. } => *amount,
        };
        let amount = wanted.min(left);
        if amount.is_positive() {
            left = left.checked_sub(amount)?;
            discounts.push(AppliedDiscount {
                policy: policy.id,
                name_zh: policy.name_zh.clone(),
                name_en: policy.name_en.clone(),
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

/// What several services cost together: the sum of their totals, or
/// [`Error::AmountOverflow`].
pub fn quote_total(breakdowns: &[Breakdown]) -> Result<Money, Error> {
    Money::sum(breakdowns.iter().map(|b| b.total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discount::Percent;
    use crate::money::parse_price;
    use proptest::prelude::*;
    use time::macros::datetime;
    use time::Duration;
    use uuid::Uuid;

    const AT: OffsetDateTime = datetime!(2026-11-25 10:00 +8);
    const CAMPAIGN_START: OffsetDateTime = datetime!(2026-11-01 00:00 +8);
    const CAMPAIGN_END: OffsetDateTime = datetime!(2026-12-01 00:00 +8);

    fn service() -> ServiceId {
        ServiceId(Uuid::from_u128(1))
    }

    fn part(n: u128) -> PartId {
        PartId(Uuid::from_u128(100 + n))
    }

    fn yuan(s: &str) -> Money {
        parse_price(s).expect(s)
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

    /// 4.5 L of oil and one filter.
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

    fn campaign_for(n: u128, s: ServiceId, fen: i64) -> DiscountPolicy {
        DiscountPolicy {
            id: PolicyId(Uuid::from_u128(n)),
            name_zh: "活动".into(),
            name_en: "Campaign".into(),
            rule: PolicyRule::campaign_amount_off(
                s,
                Money::from_fen(fen),
                CAMPAIGN_START,
                CAMPAIGN_END,
            )
            .expect("campaign"),
        }
    }

    fn campaign(n: u128, fen: i64) -> DiscountPolicy {
        campaign_for(n, service(), fen)
    }

    fn labour_only(
        labour: i64,
        tier: Tier,
        policies: &[DiscountPolicy],
        at: OffsetDateTime,
    ) -> Breakdown {
        breakdown(&list(labour, 100, 100), service(), &[], tier, policies, at).expect("priced")
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
        assert_eq!(b.service, service());
        assert_eq!(b.price_list_version, 7);
        assert_eq!(b.labour.item, PricedItem::Service(service()));
        assert_eq!(b.labour.quantity, Quantity::ONE);
        assert_eq!(b.labour.total, yuan("199.00"));
        assert_eq!(b.parts.len(), 2);
        assert_eq!(b.parts[0].item, PricedItem::Part(part(1)));
        assert_eq!(b.parts[0].total, yuan("309.60"));
        assert_eq!(b.parts[1].total, yuan("45.00"));
        assert_eq!(b.subtotal, yuan("553.60"));
        assert_eq!(
            b.discounts,
            [AppliedDiscount {
                policy: PolicyId(Uuid::from_u128(1)),
                name_zh: "会员".into(),
                name_en: "Members".into(),
                amount: yuan("19.90"),
            }]
        );
        assert_eq!(b.total, yuan("533.70"));
        assert_eq!(b.check_total(yuan("533.70")), Ok(()));
        assert_eq!(b.check_total(yuan("553.60")), Err(Error::PriceChanged));
    }

    #[test]
    fn tier_discounts_are_off_labour_only() {
        // Parts are never discounted by a tier policy, however expensive.
        let b = breakdown(
            &list(10_000, 100_000, 50_000),
            service(),
            &needs(),
            Tier::Silver,
            &[tier_policy(1, Tier::Silver, 5)],
            AT,
        )
        .expect("priced");
        assert_eq!(b.discounts[0].amount, yuan("5.00"));
    }

    #[test]
    fn rounding_is_half_up_to_the_fen() {
        let off = |labour: i64, percent: u8| {
            labour_only(
                labour,
                Tier::Gold,
                &[tier_policy(1, Tier::Gold, percent)],
                AT,
            )
            .discounts
            .iter()
            .map(|d| d.amount.fen())
            .sum::<i64>()
        };
        assert_eq!(off(10, 15), 2, "15% of ¥0.10 = 1.5 fen → 2 fen");
        assert_eq!(off(30, 15), 5, "15% of ¥0.30 = 4.5 fen → 5 fen");
        assert_eq!(off(14, 10), 1, "10% of ¥0.14 = 1.4 fen → 1 fen");
        assert_eq!(off(16, 10), 2, "10% of ¥0.16 = 1.6 fen → 2 fen");
        assert_eq!(off(19_999, 10), 2_000, "10% of ¥199.99 = ¥19.999 → ¥20.00");
        assert_eq!(off(19_949, 10), 1_995, "10% of ¥199.49 = ¥19.949 → ¥19.95");
        assert_eq!(off(4, 10), 0, "0.4 fen rounds to nothing: no discount line");
        assert_eq!(off(12_345, 100), 12_345, "100% is the whole labour");
        assert_eq!(percent_of(Money::from_fen(5), 10), Ok(Money::from_fen(1)));
        assert_eq!(percent_of(Money::from_fen(-5), 10), Ok(Money::ZERO));
        assert_eq!(
            percent_of(Money::from_fen(i64::MAX), 100),
            Ok(Money::from_fen(i64::MAX))
        );
    }

    #[test]
    fn campaigns_apply_from_their_start_until_their_end() {
        let policies = [campaign(3, 500)];
        let ns = Duration::nanoseconds(1);
        let off = |at| labour_only(10_000, Tier::Standard, &policies, at).total;
        assert_eq!(off(CAMPAIGN_START - ns), yuan("100.00"), "before the start");
        assert_eq!(off(CAMPAIGN_START), yuan("95.00"), "starts is inclusive");
        assert_eq!(off(CAMPAIGN_END - ns), yuan("95.00"), "last instant");
        assert_eq!(off(CAMPAIGN_END), yuan("100.00"), "ends is exclusive");
        // A campaign on another service never applies here.
        let other = [campaign_for(3, ServiceId(Uuid::from_u128(2)), 500)];
        assert!(labour_only(10_000, Tier::Gold, &other, AT)
            .discounts
            .is_empty());
    }

    #[test]
    fn a_campaign_larger_than_the_total_is_capped_at_the_total() {
        let b = breakdown(
            &list(10_000, 100, 200),
            service(),
            &[(part(1), Quantity::ONE)],
            Tier::Standard,
            &[campaign(3, 50_000), campaign(4, 100)],
            AT,
        )
        .expect("priced");
        assert_eq!(b.subtotal, yuan("101.00"));
        assert_eq!(b.discounts.len(), 1, "the second has nothing left to take");
        assert_eq!(b.discounts[0].amount, yuan("101.00"));
        assert_eq!(b.total, Money::ZERO);
    }

    #[test]
    fn tier_policies_come_first_then_campaigns_each_by_id() {
        let policies = [
            campaign(2, 1_000),
            tier_policy(9, Tier::Gold, 10),
            campaign(1, 500),
            tier_policy(3, Tier::Gold, 20),
            tier_policy(4, Tier::Silver, 50),
        ];
        let b = labour_only(10_000, Tier::Gold, &policies, AT);
        let taken: Vec<(u128, i64)> = b
            .discounts
            .iter()
            .map(|d| (d.policy.as_uuid().as_u128(), d.amount.fen()))
            .collect();
        assert_eq!(taken, [(3, 2_000), (9, 1_000), (1, 500), (2, 1_000)]);
        assert_eq!(b.total, yuan("55.00"));
        // Order of the input does not matter.
        let mut reversed = policies.to_vec();
        reversed.reverse();
        assert_eq!(labour_only(10_000, Tier::Gold, &reversed, AT), b);
    }

    #[test]
    fn a_policy_listed_twice_is_taken_once() {
        let gold = tier_policy(1, Tier::Gold, 10);
        let b = labour_only(10_000, Tier::Gold, &[gold.clone(), gold], AT);
        assert_eq!(b.discounts.len(), 1);
        assert_eq!(b.total, yuan("90.00"));
    }

    #[test]
    fn unpriced_service_or_part_is_not_priced() {
        let prices = list(10_000, 100, 100);
        assert_eq!(
            breakdown(
                &prices,
                service(),
                &[(part(1), Quantity::ONE), (part(9), Quantity::ONE)],
                Tier::Standard,
                &[],
                AT
            ),
            Err(Error::NotPriced)
        );
        assert_eq!(
            breakdown(
                &prices,
                ServiceId(Uuid::from_u128(2)),
                &[],
                Tier::Standard,
                &[],
                AT
            ),
            Err(Error::NotPriced)
        );
    }

    #[test]
    fn overflow_is_an_error() {
        let huge = list(i64::MAX, i64::MAX, 1);
        let one = [(part(1), Quantity::ONE)];
        assert_eq!(
            breakdown(&huge, service(), &one, Tier::Standard, &[], AT),
            Err(Error::AmountOverflow)
        );
        let two = [(part(1), Quantity::units(2).expect("2"))];
        assert_eq!(
            breakdown(
                &list(1, i64::MAX, 1),
                service(),
                &two,
                Tier::Standard,
                &[],
                AT
            ),
            Err(Error::AmountOverflow)
        );
        let b = labour_only(i64::MAX, Tier::Standard, &[], AT);
        assert_eq!(quote_total(&[b.clone(), b]), Err(Error::AmountOverflow));
    }

    #[test]
    fn quote_total_sums_the_totals() {
        let a = labour_only(10_000, Tier::Gold, &[tier_policy(1, Tier::Gold, 10)], AT);
        let b = labour_only(5_000, Tier::Standard, &[], AT);
        assert_eq!(quote_total(&[a, b]), Ok(yuan("140.00")));
        assert_eq!(quote_total(&[]), Ok(Money::ZERO));
    }

    #[test]
    fn serde_round_trip() {
        let b = breakdown(
            &list(19_900, 6_880, 4_500),
            service(),
            &needs(),
            Tier::Gold,
            &[tier_policy(1, Tier::Gold, 10), campaign(2, 3_000)],
            AT,
        )
        .expect("priced");
        assert_eq!(b.discounts.len(), 2);
        let json = serde_json::to_string(&b).expect("json");
        assert!(json.contains("\"price_list_version\":7"), "{json}");
        assert!(json.contains("\"amount\":1990"), "{json}");
        assert_eq!(serde_json::from_str::<Breakdown>(&json).expect("back"), b);
    }

    fn any_policy() -> impl Strategy<Value = DiscountPolicy> {
        let tier = prop::sample::select(Tier::ALL.to_vec());
        let services = prop::sample::select(vec![service(), ServiceId(Uuid::from_u128(2))]);
        prop_oneof![
            (tier, 1u8..=100).prop_map(|(t, p)| tier_policy(0, t, p)),
            (services, 1i64..200_000, 0i64..90, 1i64..90).prop_map(|(s, fen, start, days)| {
                let starts = CAMPAIGN_START + Duration::days(start - 30);
                DiscountPolicy {
                    id: PolicyId(Uuid::from_u128(0)),
                    name_zh: "活动".into(),
                    name_en: "Campaign".into(),
                    rule: PolicyRule::campaign_amount_off(
                        s,
                        Money::from_fen(fen),
                        starts,
                        starts + Duration::days(days),
                    )
                    .expect("campaign"),
                }
            }),
        ]
    }

    /// Published policies, with distinct ids in a shuffled order.
    fn any_policies() -> impl Strategy<Value = Vec<DiscountPolicy>> {
        prop::collection::vec((any_policy(), any::<u64>()), 0..8).prop_map(|ps| {
            ps.into_iter()
                .enumerate()
                .map(|(i, (p, salt))| DiscountPolicy {
                    id: PolicyId(Uuid::from_u128((u128::from(salt) << 8) | i as u128)),
                    ..p
                })
                .collect()
        })
    }

    /// A price list with the service and parts 1..=5, and 0 to 5 of those parts.
    fn any_job() -> impl Strategy<Value = (PriceList, Vec<(PartId, Quantity)>)> {
        (
            1i64..2_000_000,
            prop::collection::vec(1i64..2_000_000, 5),
            prop::collection::vec((1u128..=5, 1u32..20_000), 0..5),
        )
            .prop_map(|(labour, part_prices, needed)| {
                let prices =
                    std::iter::once((PricedItem::Service(service()), Money::from_fen(labour)))
                        .chain(
                            part_prices
                                .iter()
                                .zip(1u128..)
                                .map(|(&fen, n)| (PricedItem::Part(part(n)), Money::from_fen(fen))),
                        );
                let list = PriceList::new(3, AT, prices);
                let needed = needed
                    .into_iter()
                    .map(|(n, milli)| (part(n), Quantity::from_milli(milli).expect("non-zero")))
                    .collect();
                (list, needed)
            })
    }

    fn any_at() -> impl Strategy<Value = OffsetDateTime> {
        (0i64..120 * 24)
            .prop_map(|hours| CAMPAIGN_START - Duration::days(30) + Duration::hours(hours))
    }

    fn fail(e: Error) -> TestCaseError {
        TestCaseError::fail(e.to_string())
    }

    proptest! {
        #[test]
        fn the_total_is_the_lines_minus_the_discounts(
            (prices, needed) in any_job(),
            tier in prop::sample::select(Tier::ALL.to_vec()),
            policies in any_policies(),
            at in any_at(),
        ) {
            let b = breakdown(&prices, service(), &needed, tier, &policies, at).map_err(fail)?;

            // Lines recomputed independently of `breakdown`, in i128.
            let unit = |item| prices.price_of(item).map(|m| i128::from(m.fen()));
            let labour = unit(PricedItem::Service(service())).map_err(fail)?;
            let mut lines = labour;
            for (n, &(p, q)) in needed.iter().enumerate() {
                let exact = unit(PricedItem::Part(p)).map_err(fail)? * i128::from(q.milli());
                let rounded = (exact + 500) / 1000;
                prop_assert_eq!(i128::from(b.parts[n].total.fen()), rounded);
                lines += rounded;
            }
            let off: i128 = b.discounts.iter().map(|d| i128::from(d.amount.fen())).sum();
            prop_assert_eq!(b.parts.len(), needed.len());
            prop_assert_eq!(i128::from(b.labour.total.fen()), labour);
            prop_assert_eq!(i128::from(b.subtotal.fen()), lines);
            prop_assert_eq!(i128::from(b.total.fen()), lines - off);
            prop_assert!(b.total.fen() >= 0);
            prop_assert!(b.discounts.iter().all(|d| d.amount.is_positive()));
            prop_assert_eq!(b.price_list_version, prices.version);
            prop_assert_eq!(b.check_total(b.total), Ok(()));
        }

        #[test]
        fn only_applicable_policies_appear_in_order(
            (prices, needed) in any_job(),
            tier in prop::sample::select(Tier::ALL.to_vec()),
            policies in any_policies(),
            at in any_at(),
        ) {
            let b = breakdown(&prices, service(), &needed, tier, &policies, at).map_err(fail)?;
            let mut keys = Vec::new();
            for d in &b.discounts {
                let p = policies
                    .iter()
                    .find(|p| p.id == d.policy)
                    .ok_or_else(|| TestCaseError::fail("a discount from no policy"))?;
                prop_assert!(p.applies(service(), tier, at), "{:?} does not apply", p);
                prop_assert_eq!((&d.name_zh, &d.name_en), (&p.name_zh, &p.name_en));
                if let PolicyRule::TierLabourPercent { percent, .. } = p.rule {
                    // A tier discount never exceeds its share of labour.
                    let share = percent_of(b.labour.total, percent.value()).map_err(fail)?;
                    prop_assert!(d.amount <= share);
                }
                keys.push((!p.rule.is_tier(), p.id));
            }
            let mut sorted = keys.clone();
            sorted.sort();
            sorted.dedup();
            prop_assert_eq!(keys, sorted, "tier first, then campaigns, each by id, once");
            // While money is left, no applicable policy with something to take is missing.
            if b.total.is_positive() {
                for p in policies.iter().filter(|p| p.applies(service(), tier, at)) {
                    let wanted = match &p.rule {
                        PolicyRule::TierLabourPercent { percent, .. } => percent_of(b.labour.total, percent.value()).map_err(fail)?,
                        PolicyRule::CampaignAmountOff { amount, .. } => *amount,
                    };
                    if wanted.is_positive() {
                        prop_assert!(b.discounts.iter().any(|d| d.policy == p.id), "{:?} missing", p);
                    }
                }
            }
        }

        #[test]
        fn same_inputs_same_breakdown_for_everyone_of_a_tier(
            (prices, needed) in any_job(),
            tier in prop::sample::select(Tier::ALL.to_vec()),
            policies in any_policies(),
            at in any_at(),
        ) {
            // Two customers of the same tier: nothing about the person is an input,
            // so their breakdowns (and the JSON the kiosk and HQ show) are identical.
            let first = breakdown(&prices, service(), &needed, tier, &policies, at).map_err(fail)?;
            let second = breakdown(&prices.clone(), service(), &needed, tier, &policies.clone(), at).map_err(fail)?;
            prop_assert_eq!(&first, &second);
            let mut shuffled = policies.clone();
            shuffled.reverse();
            let third = breakdown(&prices, service(), &needed, tier, &shuffled, at).map_err(fail)?;
            prop_assert_eq!(&first, &third);
        }

        #[test]
        fn without_policies_the_total_is_the_subtotal(
            (prices, needed) in any_job(),
            tier in prop::sample::select(Tier::ALL.to_vec()),
            policies in any_policies(),
            at in any_at(),
        ) {
            let bare = breakdown(&prices, service(), &needed, tier, &[], at).map_err(fail)?;
            prop_assert!(bare.discounts.is_empty());
            prop_assert_eq!(bare.total, bare.subtotal);
            // Policies change the discounts and the total, never the lines.
            let with = breakdown(&prices, service(), &needed, tier, &policies, at).map_err(fail)?;
            prop_assert_eq!(&with.labour, &bare.labour);
            prop_assert_eq!(&with.parts, &bare.parts);
            prop_assert_eq!(with.subtotal, bare.subtotal);
            prop_assert!(with.total <= bare.total);
        }

        #[test]
        fn quote_total_is_the_sum_of_totals(
            jobs in prop::collection::vec((any_job(), any_policies()), 0..4),
            tier in prop::sample::select(Tier::ALL.to_vec()),
            at in any_at(),
        ) {
            let mut sum = 0i64;
            let mut all = Vec::new();
            for ((prices, needed), policies) in &jobs {
                let b = breakdown(prices, service(), needed, tier, policies, at).map_err(fail)?;
                sum += b.total.fen();
                all.push(b);
            }
            prop_assert_eq!(quote_total(&all), Ok(Money::from_fen(sum)));
        }

        #[test]
        fn serde_round_trips(
            (prices, needed) in any_job(),
            tier in prop::sample::select(Tier::ALL.to_vec()),
            policies in any_policies(),
            at in any_at(),
        ) {
            let b = breakdown(&prices, service(), &needed, tier, &policies, at).map_err(fail)?;
            let json = serde_json::to_string(&b).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back: Breakdown = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(back, b);
        }
    }
}
