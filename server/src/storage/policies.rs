//! [`PolicyStorage`]: the discount policies HQ publishes.

use std::sync::Arc;

use app::live::LiveEvent;
use app::policies::PolicyStorage;
use app::storage::StorageError;
use async_trait::async_trait;
use domain::discount::{DiscountPolicy, Percent, PolicyRule, Tier};
use domain::{Money, PolicyId, ServiceId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::rows::{append_event, get, Conn};
use super::Backend;
use crate::storage::cache::Revisions;
use crate::storage::{db_err, now, transaction, DbTime, Serial};

#[async_trait]
impl PolicyStorage for Backend {
    async fn discount_policies(&self) -> Result<Vec<DiscountPolicy>, StorageError> {
        let mut conn = self.conn().await?;
        let revs = self.revisions(&mut conn).await?;
        Ok(self.policies_cached(&mut conn, &revs).await?.to_vec())
    }

    async fn publish_policy(
        &self,
        policy: &DiscountPolicy,
        published_by: &str,
    ) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let now = now();
            insert_policy(tx, policy, published_by, now).await?;
            let event = LiveEvent::PolicyPublished { policy: policy.id };
            append_event(tx, &event, now).await?;
            Ok(((), vec![event]))
        })
    }
}

impl Backend {
    /// The policies in force, from memory while none was published or withdrawn.
    pub(super) async fn policies_cached(
        &self,
        conn: &mut Conn,
        revs: &Revisions,
    ) -> Result<Arc<Vec<DiscountPolicy>>, StorageError> {
        if let Some(policies) = self.cache.policies.get(revs.policies) {
            return Ok(policies);
        }
        let policies = discount_policies(conn).await?;
        Ok(self.cache.policies.put(revs.policies, policies))
    }
}

async fn discount_policies(conn: &mut Conn) -> Result<Vec<DiscountPolicy>, StorageError> {
    let rows = sqlx::query(
        "SELECT id, kind, name_zh, name_en, tier, percent, service_id, amount_fen, starts_at, ends_at
         FROM discount_policies WHERE withdrawn_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            let kind: String = get(r, "kind")?;
            let bad = || StorageError::corrupt(format!("discount policy of kind {kind}"));
            let rule = match kind.as_str() {
                "tier_labour_percent" => {
                    let tier: Option<String> = get(r, "tier")?;
                    let percent: Option<i64> = get(r, "percent")?;
                    PolicyRule::tier_labour_percent(
                        tier.as_deref().and_then(Tier::parse).ok_or_else(bad)?,
                        percent
                            .and_then(|p| u8::try_from(p).ok())
                            .and_then(|p| Percent::new(p).ok())
                            .ok_or_else(bad)?,
                    )
                }
                "campaign_amount_off" => {
                    let service: Option<Uuid> = get(r, "service_id")?;
                    let amount: Option<i64> = get(r, "amount_fen")?;
                    let starts: Option<DbTime> = get(r, "starts_at")?;
                    let ends: Option<DbTime> = get(r, "ends_at")?;
                    match (service, amount, starts, ends) {
                        (Some(s), Some(a), Some(st), Some(en)) => PolicyRule::campaign_amount_off(
                            ServiceId::from(s),
                            Money::from_fen(a),
                            st.0,
                            en.0,
                        )?,
                        _ => return Err(bad()),
                    }
                }
                _ => return Err(bad()),
            };
            Ok(DiscountPolicy {
                id: PolicyId::from(get::<Uuid>(r, "id")?),
                name_zh: get(r, "name_zh")?,
                name_en: get(r, "name_en")?,
                rule,
            })
        })
        .collect()
}

/// Writes a policy (its outbox row is the caller's).
pub async fn insert_policy(
    conn: &mut Conn,
    policy: &DiscountPolicy,
    published_by: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let (kind, tier, percent, service, amount, starts, ends) = match &policy.rule {
        PolicyRule::TierLabourPercent { tier, percent } => (
            "tier_labour_percent",
            Some(tier.code()),
            Some(i64::from(percent.value())),
            None,
            None,
            None,
            None,
        ),
        PolicyRule::CampaignAmountOff {
            service,
            amount,
            starts,
            ends,
        } => (
            "campaign_amount_off",
            None,
            None,
            Some(service.as_uuid()),
            Some(amount.fen()),
            Some(DbTime(*starts)),
            Some(DbTime(*ends)),
        ),
    };
    sqlx::query(
        "INSERT INTO discount_policies
           (id, kind, name_zh, name_en, tier, percent, service_id, amount_fen, starts_at, ends_at, published_at, published_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(policy.id.as_uuid())
    .bind(kind)
    .bind(&policy.name_zh)
    .bind(&policy.name_en)
    .bind(tier)
    .bind(percent)
    .bind(service)
    .bind(amount)
    .bind(starts)
    .bind(ends)
    .bind(DbTime(now))
    .bind(published_by)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}
