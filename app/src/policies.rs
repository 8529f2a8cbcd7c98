//! Discount policies: HQ publishes them, everyone who qualifies gets them, every price
//! breakdown shows them.
//!
//! Server functions: [`list_policies`] (anyone: the rules are public, like the prices) and
//! [`publish_policy`] (HQ operations). Component: [`HqPolicies`] at `/hq/policies`.

// A server function's arguments are its form's fields, one each, so that the form also
// works before the page has hydrated; the macro's generated code cannot take an attribute.
#![allow(clippy::too_many_arguments)]

use domain::discount::{DiscountPolicy, Percent, PolicyRule, Tier};
use domain::ServiceId;
use leptos::prelude::*;
use time::Date;

use crate::error::AppError;
use crate::i18n::{use_i18n, Lang, Msg};
use crate::pricing::format_local;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// A local calendar date from an `<input type="date">` (`2026-11-25`).
pub fn parse_date(input: &str) -> Result<Date, domain::Error> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(input.trim(), &format).map_err(|_| domain::Error::TimeInvalid)
}

/// The rule a form describes. A campaign runs from the start of its first day to the end
/// of its last day, local time.
pub fn parse_rule(
    kind: &str,
    tier: &str,
    percent: &str,
    service_id: &str,
    amount: &str,
    first_day: &str,
    last_day: &str,
) -> Result<PolicyRule, AppError> {
    match kind.trim() {
        "tier_labour_percent" => Ok(PolicyRule::tier_labour_percent(
            Tier::parse(tier).ok_or(AppError::BadRequest)?,
            Percent::parse(percent)?,
        )),
        "campaign_amount_off" => {
            let service = ServiceId::parse(service_id)?;
            let amount = domain::money::parse_price(amount)?;
            let starts = domain::local_time::at_local_minute(parse_date(first_day)?, 0);
            let ends = domain::local_time::at_local_minute(parse_date(last_day)?, 1440);
            Ok(PolicyRule::campaign_amount_off(
                service, amount, starts, ends,
            )?)
        }
        _ => Err(AppError::BadRequest),
    }
}

/// What discount policies need from storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait PolicyStorage: Send + Sync + 'static {
    /// The discount policies in force (published, not withdrawn).
    async fn discount_policies(&self) -> Result<Vec<DiscountPolicy>, StorageError>;

    /// Publishes a discount policy (HQ), effective at once for everyone who qualifies,
    /// and announces it ([`crate::live::LiveEvent::PolicyPublished`]), so open quotes
    /// are priced again.
    async fn publish_policy(
        &self,
        policy: &DiscountPolicy,
        published_by: &str,
    ) -> Result<(), StorageError>;
}

#[server(prefix = "/api", endpoint = "policies", output = crate::codec::JsonText)]
pub async fn list_policies() -> Result<Vec<DiscountPolicy>, AppError> {
    Ok(use_storage::<dyn PolicyStorage>()?
        .discount_policies()
        .await?)
}

/// Publishes a policy; it applies at once to everyone who qualifies.
#[server(prefix = "/api", endpoint = "publish_policy", output = crate::codec::JsonText)]
pub async fn publish_policy(
    kind: String,
    name_zh: String,
    name_en: String,
    tier: Option<String>,
    percent: Option<String>,
    service_id: Option<String>,
    amount: Option<String>,
    first_day: Option<String>,
    last_day: Option<String>,
) -> Result<(), AppError> {
    crate::account::session::require_same_origin()?;
    let me = crate::account::session::require(domain::Principal::may_publish_prices).await?;
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let rule = parse_rule(
        &kind,
        &o(&tier),
        &o(&percent),
        &o(&service_id),
        &o(&amount),
        &o(&first_day),
        &o(&last_day),
    )?;
    if let PolicyRule::CampaignAmountOff { service, .. } = &rule {
        let prices = use_storage::<dyn crate::pricing::PriceStorage>()?;
        if !prices.services().await?.iter().any(|s| s.id == *service) {
            return Err(AppError::NotFound);
        }
    }
    let policy = DiscountPolicy::new(
        domain::PolicyId::new(),
        domain::PolicyName::parse(&name_zh)?,
        domain::PolicyName::parse(&name_en)?,
        rule,
    );
    let by = match &me.principal {
        domain::Principal::Staff { id, .. } => id.to_string(),
        domain::Principal::Customer { id } => id.to_string(),
    };
    use_storage::<dyn PolicyStorage>()?
        .publish_policy(&policy, &by)
        .await?;
    tracing::info!(policy = %policy.id, %by, "discount policy published");
    Ok(())
}

pub(crate) fn tier_label(tier: Tier) -> Msg {
    match tier {
        Tier::Standard => Msg::TierStandard,
        Tier::Silver => Msg::TierSilver,
        Tier::Gold => Msg::TierGold,
    }
}

fn describe(rule: &PolicyRule, i18n: crate::i18n::I18n) -> String {
    match rule {
        PolicyRule::TierLabourPercent { tier, percent } => format!(
            "{} · {} {}%",
            i18n.t(tier_label(*tier)),
            i18n.t(Msg::LabourOff),
            percent.value()
        ),
        PolicyRule::CampaignAmountOff {
            amount,
            starts,
            ends,
            ..
        } => format!(
            "{} {} · {} – {}",
            i18n.t(Msg::AmountOff),
            amount,
            format_local(*starts),
            format_local(*ends - time::Duration::minutes(1))
        ),
    }
}

/// The resources of [`HqPolicies`], made by the page outside its sign-in gate.
#[derive(Clone, Copy)]
pub struct PoliciesState {
    publish: ServerAction<PublishPolicy>,
    policies: Resource<Result<Vec<DiscountPolicy>, AppError>>,
}

impl PoliciesState {
    pub fn new() -> PoliciesState {
        let publish = ServerAction::<PublishPolicy>::new();
        let policies = Resource::new(move || publish.version().get(), |_| list_policies());
        PoliciesState { publish, policies }
    }
}

impl Default for PoliciesState {
    fn default() -> Self {
        PoliciesState::new()
    }
}

/// `/hq/policies`: the policies in force and forms to publish new ones.
#[component]
pub fn HqPolicies(state: PoliciesState) -> impl IntoView {
    let i18n = use_i18n();
    let PoliciesState { publish, policies } = state;
    let prices = crate::pricing::use_price_list();
    let error = move || publish.value().get().and_then(Result::err);
    let today = crate::clock::local_today().to_string();
    view! {
        <section class="policies">
            <h1>{move || i18n.t(Msg::DiscountPolicies)}</h1>
            <p class="intro">{move || i18n.t(Msg::PoliciesIntro)}</p>
            <Transition fallback=move || view! { <p class="loading">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match policies.await {
                        Ok(list) => view! {
                            <ul class="policy-list">
                                {list
                                    .into_iter()
                                    .map(|p| {
                                        let names = (p.name_zh.clone(), p.name_en.clone());
                                        let rule = p.rule.clone();
                                        view! {
                                            <li class="policy" data-policy=p.id.to_string()>
                                                <strong>{move || if i18n.lang() == Lang::Zh { names.0.clone() } else { names.1.clone() }}</strong>
                                                " · "
                                                <span>{move || describe(&rule, i18n)}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any(),
                        Err(e) => view! { <p class="error" role="alert">{move || e.message(i18n.lang())}</p> }.into_any(),
                    }
                })}
            </Transition>
            <div class="policy-forms">
                <ActionForm action=publish attr:class="policy-form tier-policy">
                    <h2>{move || i18n.t(Msg::NewTierPolicy)}</h2>
                    <input type="hidden" name="kind" value="tier_labour_percent" />
                    <label><span>{move || i18n.t(Msg::NameZh)}</span><input type="text" name="name_zh" required /></label>
                    <label><span>{move || i18n.t(Msg::NameEn)}</span><input type="text" name="name_en" required /></label>
                    <label>
                        <span>{move || i18n.t(Msg::Tier)}</span>
                        <select name="tier">
                            {Tier::ALL
                                .into_iter()
                                .map(|t| view! { <option value=t.code()>{move || i18n.t(tier_label(t))}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label><span>{move || i18n.t(Msg::PercentOffLabour)}</span><input type="text" name="percent" inputmode="numeric" required /></label>
                    <button type="submit">{move || i18n.t(Msg::Publish)}</button>
                </ActionForm>
                <ActionForm action=publish attr:class="policy-form campaign-policy">
                    <h2>{move || i18n.t(Msg::NewCampaign)}</h2>
                    <input type="hidden" name="kind" value="campaign_amount_off" />
                    <label><span>{move || i18n.t(Msg::NameZh)}</span><input type="text" name="name_zh" required /></label>
                    <label><span>{move || i18n.t(Msg::NameEn)}</span><input type="text" name="name_en" required /></label>
                    <label>
                        <span>{move || i18n.t(Msg::Service)}</span>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                let services = prices.await.map(|p| p.services).unwrap_or_default();
                                view! {
                                    <select name="service_id">
                                        {services
                                            .into_iter()
                                            .map(|s| {
                                                let id = s.service.id.to_string();
                                                let code = s.service.code.clone();
                                                let service = s.service.clone();
                                                view! { <option value=id data-code=code>{move || crate::pricing::service_name(&service, i18n.lang()).to_owned()}</option> }
                                            })
                                            .collect_view()}
                                    </select>
                                }
                            })}
                        </Transition>
                    </label>
                    <label><span>{move || i18n.t(Msg::AmountOff)}</span><input type="text" name="amount" inputmode="decimal" required /></label>
                    <label><span>{move || i18n.t(Msg::FirstDay)}</span><input type="date" name="first_day" value=today.clone() required /></label>
                    <label><span>{move || i18n.t(Msg::LastDay)}</span><input type="date" name="last_day" value=today.clone() required /></label>
                    <button type="submit">{move || i18n.t(Msg::Publish)}</button>
                </ActionForm>
            </div>
            {move || error().map(|e| view! { <p class="error" role="alert">{move || e.message(i18n.lang())}</p> })}
            {move || matches!(publish.value().get(), Some(Ok(()))).then(|| view! { <p class="ok" role="status">{move || i18n.t(Msg::PolicyPublished)}</p> })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Money;

    #[test]
    fn forms_parse_into_rules() {
        let service = ServiceId::new().to_string();
        assert!(matches!(
            parse_rule("tier_labour_percent", "gold", "10%", "", "", "", ""),
            Ok(PolicyRule::TierLabourPercent {
                tier: Tier::Gold,
                ..
            })
        ));
        assert_eq!(
            parse_rule("tier_labour_percent", "gold", "0", "", "", "", ""),
            Err(AppError::Invalid(domain::Error::PercentInvalid))
        );
        let campaign = parse_rule(
            "campaign_amount_off",
            "",
            "",
            &service,
            "30",
            "2026-11-01",
            "2026-11-30",
        )
        .expect("campaign");
        match campaign {
            PolicyRule::CampaignAmountOff {
                starts,
                ends,
                amount,
                ..
            } => {
                assert_eq!(amount, Money::from_fen(3000));
                assert_eq!(ends - starts, time::Duration::days(30));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_rule(
                "campaign_amount_off",
                "",
                "",
                &service,
                "30",
                "2026-11-30",
                "2026-11-01"
            ),
            Err(AppError::Invalid(domain::Error::PeriodInvalid))
        );
        assert_eq!(
            parse_rule(
                "campaign_amount_off",
                "",
                "",
                &service,
                "30",
                "11/01/2026",
                "2026-11-30"
            ),
            Err(AppError::Invalid(domain::Error::TimeInvalid))
        );
        assert_eq!(
            parse_rule("free_car", "", "", "", "", "", ""),
            Err(AppError::BadRequest)
        );
    }
}
