//! [`CampaignStorage`]: segments counted, campaigns started and sent, and the bookings
//! each brought; and the built-in [`CampaignSender`], which records every message in
//! `sent_messages` instead of sending it (no SMS gateway is reachable from here).
//!
//! The rule of who is in a segment is [`Segment::matches`]. Starting a campaign reads
//! every customer's [`Member`] facts a page at a time and asks that rule, so who receives
//! a campaign is the domain's answer. The live count needs speed over 100,000 customers,
//! so [`segment_filter`] translates the same rule into SQL; a storage test runs both on
//! the same customers and compares them. Who may be reached is
//! [`Channel::may_reach`] in both: the count groups customers by their choices and asks
//! it per group.
//!
//! Sending is a job: a run claims waiting recipients with one guarded update
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on SQLite) under a claim
//! token, reads each customer's choice again, sends, and marks the rows sent in one
//! transaction. A run that died mid-way leaves rows `sending`; after [`STALE_CLAIM`]
//! another run claims them again, and the sender's dedupe on (campaign, customer) keeps
//! that from reaching anyone twice.

use std::collections::BTreeMap;

use app::campaigns::{
    CampaignOptions, CampaignSender, CampaignStorage, CampaignSummary, Dispatched, Draft,
    Outgoing, SegmentCount, SliceCount, SliceResult,
};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::campaigns::{AttributionDays, Channel, Message, Scope, Touch};
use domain::local_time::{at_local_minute, local_date};
use domain::reception::TagCode;
use domain::segments::{LastVisit, Member, Powertrain, Segment};
use domain::{CampaignId, CustomerId, Money, ModelId, OrderId, StaffId, StoreId};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::followups::{contact, day, day_of};
use super::standing::{class_of, stage_of};
use super::rows::{get, named, small, Conn, DbRow};
use super::{Backend, CLAIM_ROWS};
use crate::storage::{db_err, transaction, DbTime, Serial};

/// Customers read per page when a campaign starts.
const PAGE: i64 = 2_000;

/// Recipients inserted per statement.
const INSERT_ROWS: usize = 400;

/// How long a claimed message may stay unsent before another run takes it.
pub const STALE_CLAIM: Duration = Duration::minutes(10);

/// A customer's store: that of their latest order not cancelled, else where they
/// registered ([`Member::store`]).
pub(super) const STORE_OF: &str = "COALESCE(
        (SELECT o.store_id FROM orders o WHERE o.customer_id = c.id AND o.status <> 'cancelled'
         ORDER BY o.created_at DESC, o.id DESC LIMIT 1),
        c.registered_at_store)";

/// A value bound to a dynamic statement.
#[derive(Clone, Debug)]
enum Arg {
    Id(Uuid),
    Text(String),
    Time(OffsetDateTime),
}

/// Placeholders `$n…` for `args`, numbered on from what `binds` already holds.
fn placeholders(binds: &mut Vec<Arg>, args: impl IntoIterator<Item = Arg>) -> String {
    args.into_iter()
        .map(|a| {
            binds.push(a);
            format!("${}", binds.len())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// [`Segment::matches`] as a `WHERE` clause over `m` (`m.id`, `m.store`, `m.stage`,
/// `m.value_class`), binding its values after those `binds` holds.
/// Codes as bound text.
fn texts(codes: Vec<&str>) -> Vec<Arg> {
    codes.into_iter().map(|c| Arg::Text(c.to_owned())).collect()
}

fn segment_filter(segment: &Segment, today: Date, binds: &mut Vec<Arg>) -> String {
    let mut clauses = vec!["1 = 1".to_owned()];
    if !segment.stages.is_empty() {
        let p = placeholders(binds, texts(segment.stages.iter().map(|s| s.code()).collect()));
        clauses.push(format!("m.stage IN ({p})"));
    }
    if !segment.classes.is_empty() {
        let p = placeholders(binds, texts(segment.classes.iter().map(|c| c.code()).collect()));
        clauses.push(format!("m.value_class IN ({p})"));
    }
    if !segment.stores.is_empty() {
        let p = placeholders(binds, segment.stores.iter().map(|s| Arg::Id(s.as_uuid())));
        clauses.push(format!("m.store IN ({p})"));
    }
    if !segment.models.is_empty() {
        let p = placeholders(binds, segment.models.iter().map(|s| Arg::Id(s.as_uuid())));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM vehicles v WHERE v.customer_id = m.id
                     AND v.removed_at IS NULL AND v.model_id IN ({p}))"
        ));
    }
    if !segment.powertrains.is_empty() {
        let p = placeholders(
            binds,
            texts(segment.powertrains.iter().map(|p| p.code()).collect()),
        );
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM vehicles v JOIN vehicle_models vm ON vm.id = v.model_id
                     WHERE v.customer_id = m.id AND v.removed_at IS NULL AND vm.powertrain IN ({p}))"
        ));
    }
    if !segment.tags.is_empty() {
        let p = placeholders(binds, segment.tags.iter().map(|t| Arg::Text(t.as_str().to_owned())));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = m.id AND t.tag_code IN ({p}))"
        ));
    }
    if let Some(d) = segment.due_within {
        let p = placeholders(binds, [Arg::Text(day(Segment::due_by(today, d)))]);
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM followups f WHERE f.customer_id = m.id AND f.status = 'open'
                     AND f.kind <> 'satisfaction' AND f.due_on <= {p})"
        ));
    }
    let visited_since = |from: String| {
        format!(
            "EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = m.id AND o.status = 'handed_over'
                     AND o.completed_at >= {from})"
        )
    };
    let recent = |d| Arg::Time(at_local_minute(Segment::recent_from(today, d), 0));
    match segment.last_visit {
        None => {}
        Some(LastVisit::Within(d)) => {
            let p = placeholders(binds, [recent(d)]);
            clauses.push(visited_since(p));
        }
        Some(LastVisit::NotSince(d)) => {
            let p = placeholders(binds, [recent(d)]);
            clauses.push(format!(
                "EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = m.id AND o.status = 'handed_over')
                 AND NOT {}",
                visited_since(p)
            ));
        }
    }
    clauses.join(" AND ")
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, super::Db, super::rows::Args>,
    binds: &'q [Arg],
) -> sqlx::query::Query<'q, super::Db, super::rows::Args> {
    for b in binds {
        q = match b {
            Arg::Id(id) => q.bind(*id),
            Arg::Text(t) => q.bind(t.as_str()),
            Arg::Time(t) => q.bind(DbTime(*t)),
        };
    }
    q
}

/// The columns every segment query reads of a customer, as `m`.
const MEMBER_FROM: &str = "SELECT c.id, c.phone, c.stage, c.value_class,
        c.contact_calls, c.contact_sms, c.marketing_opt_out, {STORE_OF} AS store
     FROM customers c";

fn member_from() -> String {
    MEMBER_FROM.replace("{STORE_OF}", STORE_OF)
}

/// A campaign's channel, message and attribution days as stored, read back through the
/// domain's parsers (a row they refuse is damaged, not a rule broken).
fn stored_campaign(r: &DbRow) -> Result<(Channel, Message, AttributionDays), StorageError> {
    let channel = Channel::parse(&get::<String>(r, "channel")?)
        .map_err(|_| StorageError::corrupt("campaign channel"))?;
    let message = Message::parse(
        &get::<String>(r, "message_zh")?,
        &get::<String>(r, "message_en")?,
    )
    .map_err(|e| StorageError::corrupt(format!("campaign message: {e}")))?;
    let days = AttributionDays::new(small(r, "attribution_days")?)
        .map_err(|e| StorageError::corrupt(format!("attribution days: {e}")))?;
    Ok((channel, message, days))
}

/// One customer as a campaign's start reads them.
struct Candidate {
    id: Uuid,
    member: Member,
}

/// A page of customers after `after` (by id), with everything [`Member`] holds.
async fn members_page(
    conn: &mut Conn,
    after: Uuid,
) -> Result<Vec<Candidate>, StorageError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT m.id, m.stage, m.value_class, m.store,
                (SELECT MIN(f.due_on) FROM followups f WHERE f.customer_id = m.id
                  AND f.status = 'open' AND f.kind <> 'satisfaction') AS next_due,
                (SELECT MAX(o.completed_at) FROM orders o WHERE o.customer_id = m.id
                  AND o.status = 'handed_over') AS last_visit
         FROM ({} WHERE c.id > $1 ORDER BY c.id LIMIT $2) m ORDER BY m.id",
        member_from()
    )))
    .bind(after)
    .bind(PAGE)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let Some(last) = rows.last() else {
        return Ok(Vec::new());
    };
    let last: Uuid = get(last, "id")?;
    let mut cars: BTreeMap<Uuid, (Vec<ModelId>, Vec<Powertrain>)> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT v.customer_id, v.model_id, vm.powertrain FROM vehicles v
         JOIN vehicle_models vm ON vm.id = v.model_id
         WHERE v.removed_at IS NULL AND v.customer_id > $1 AND v.customer_id <= $2",
    )
    .bind(after)
    .bind(last)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?
    {
        let entry = cars.entry(get(&r, "customer_id")?).or_default();
        entry.0.push(ModelId::from(get::<Uuid>(&r, "model_id")?));
        let train: String = get(&r, "powertrain")?;
        entry
            .1
            .push(Powertrain::parse(&train).map_err(|_| StorageError::corrupt(train))?);
    }
    let mut tags: BTreeMap<Uuid, Vec<TagCode>> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT customer_id, tag_code FROM customer_tags WHERE customer_id > $1 AND customer_id <= $2",
    )
    .bind(after)
    .bind(last)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?
    {
        let code: String = get(&r, "tag_code")?;
        tags.entry(get(&r, "customer_id")?)
            .or_default()
            .push(TagCode::parse(&code).map_err(|_| StorageError::corrupt(code))?);
    }
    rows.iter()
        .map(|r| {
            let id: Uuid = get(r, "id")?;
            let (models, powertrains) = cars.remove(&id).unwrap_or_default();
            Ok(Candidate {
                id,
                member: Member {
                    stage: stage_of(&get::<String>(r, "stage")?)?,
                    class: class_of(&get::<String>(r, "value_class")?)?,
                    store: get::<Option<Uuid>>(r, "store")?.map(StoreId::from),
                    models,
                    powertrains,
                    next_due: match get::<Option<String>>(r, "next_due")? {
                        Some(_) => Some(day_of(r, "next_due")?),
                        None => None,
                    },
                    last_visit: get::<Option<DbTime>>(r, "last_visit")?.map(|t| local_date(t.0)),
                    tags: tags.remove(&id).unwrap_or_default(),
                },
            })
        })
        .collect()
}

#[async_trait]
impl CampaignStorage for Backend {
    async fn options(&self, scope: Scope) -> Result<CampaignOptions, StorageError> {
        let mut conn = self.conn().await?;
        let stores = sqlx::query(
            "SELECT id, name_zh, name_en FROM locations WHERE kind = 'store' ORDER BY code",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| Ok((StoreId::from(get::<Uuid>(r, "id")?), named(r, "name_zh", "name_en")?)))
        .collect::<Result<Vec<_>, StorageError>>()?;
        let models = sqlx::query(
            "SELECT id, brand_zh || ' ' || name_zh AS zh, brand_en || ' ' || name_en AS en
             FROM vehicle_models ORDER BY brand_en, name_en",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| Ok((ModelId::from(get::<Uuid>(r, "id")?), named(r, "zh", "en")?)))
        .collect::<Result<Vec<_>, StorageError>>()?;
        let tags = sqlx::query("SELECT code, label_zh, label_en FROM tags ORDER BY code")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| Ok((get::<String>(r, "code")?, named(r, "label_zh", "label_en")?)))
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok(CampaignOptions {
            scope,
            stores,
            models,
            tags,
        })
    }

    async fn count(
        &self,
        segment: &Segment,
        now: OffsetDateTime,
    ) -> Result<SegmentCount, StorageError> {
        let mut binds = Vec::new();
        let filter = segment_filter(segment, local_date(now), &mut binds);
        let sql = format!(
            "SELECT m.store, m.contact_calls, m.contact_sms, m.marketing_opt_out, COUNT(*) AS n
             FROM ({}) m WHERE {filter}
             GROUP BY m.store, m.contact_calls, m.contact_sms, m.marketing_opt_out",
            member_from()
        );
        let mut conn = self.conn().await?;
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
        let mut slices: BTreeMap<Option<StoreId>, SliceCount> = BTreeMap::new();
        for r in &rows {
            let store = get::<Option<Uuid>>(r, "store")?.map(StoreId::from);
            let n: u32 = small(r, "n")?;
            let contact = contact(r)?;
            let slice = slices.entry(store).or_insert(SliceCount {
                store,
                ..SliceCount::default()
            });
            slice.customers += n;
            if Channel::Sms.may_reach(contact) {
                slice.by_sms += n;
            }
            if Channel::Call.may_reach(contact) {
                slice.by_call += n;
            }
        }
        Ok(SegmentCount {
            slices: slices.into_values().collect(),
        })
    }

    async fn start(
        &self,
        draft: &Draft,
        store: Option<StoreId>,
        by: StaffId,
        now: OffsetDateTime,
    ) -> Result<CampaignId, StorageError> {
        if let Some(id) = by_key(&mut *self.conn().await?, draft.key.as_str()).await? {
            return Ok(id);
        }
        // Who is in the segment is the domain's answer, over every customer.
        let today = local_date(now);
        let mut recipients: Vec<(Uuid, Option<StoreId>)> = Vec::new();
        {
            let mut conn = self.conn().await?;
            let mut after = Uuid::nil();
            loop {
                let page = members_page(&mut conn, after).await?;
                let Some(last) = page.last() else { break };
                after = last.id;
                recipients.extend(
                    page.iter()
                        .filter(|c| draft.segment.matches(&c.member, today))
                        .map(|c| (c.id, c.member.store)),
                );
            }
        }
        if recipients.is_empty() {
            return Err(domain::Error::SegmentEmpty.into());
        }
        let id = CampaignId::new();
        let segment = serde_json::to_string(&draft.segment)
            .map_err(|e| StorageError::corrupt(format!("segment as JSON: {e}")))?;
        let started = transaction!(self, Serial::Rows, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO campaigns (id, idempotency_key, store_id, started_by, channel,
                     message_zh, message_en, segment, attribution_days, started_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind(id.as_uuid())
            .bind(draft.key.as_str())
            .bind(store.map(|s| s.as_uuid()))
            .bind(by.as_uuid())
            .bind(draft.channel.code())
            .bind(draft.message.zh.as_str())
            .bind(draft.message.en.as_str())
            .bind(&segment)
            .bind(i64::from(draft.attribution.get()))
            .bind(DbTime(now))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if inserted.rows_affected() == 0 {
                // The same request, committed meanwhile by a concurrent retry.
                let id = by_key(tx, draft.key.as_str())
                    .await?
                    .ok_or(StorageError::NotFound)?;
                return Ok((id, Vec::new()));
            }
            for chunk in recipients.chunks(INSERT_ROWS) {
                let values = (0..chunk.len())
                    .map(|i| format!("($1, ${}, ${}, 'pending')", 2 * i + 2, 2 * i + 3))
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO campaign_recipients (campaign_id, customer_id, store_id, status)
                     VALUES {values}"
                )))
                .bind(id.as_uuid());
                for (customer, store) in chunk {
                    q = q.bind(*customer).bind(store.map(|s| s.as_uuid()));
                }
                q.execute(&mut *tx).await.map_err(db_err)?;
            }
            Ok((id, Vec::new()))
        })?;
        Ok(started)
    }

    async fn dispatch(
        &self,
        sender: &dyn CampaignSender,
        now: OffsetDateTime,
        limit: u32,
    ) -> Result<Dispatched, StorageError> {
        let claim = Uuid::now_v7();
        let claimed = transaction!(self, Serial::Rows, |tx| {
            let done = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE campaign_recipients SET status = 'sending', claim = $1, claimed_at = $2
                 WHERE (campaign_id, customer_id) IN (
                     SELECT campaign_id, customer_id FROM campaign_recipients
                     WHERE status = 'pending' OR (status = 'sending' AND claimed_at < $3)
                     ORDER BY campaign_id, customer_id LIMIT $4{CLAIM_ROWS})"
            )))
            .bind(claim)
            .bind(DbTime(now))
            .bind(DbTime(now - STALE_CLAIM))
            .bind(i64::from(limit))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            Ok((done.rows_affected(), Vec::new()))
        })?;
        if claimed == 0 {
            return Ok(Dispatched::default());
        }
        let rows = sqlx::query(
            "SELECT r.campaign_id, r.customer_id, c.phone, c.contact_calls, c.contact_sms,
                    c.marketing_opt_out, k.channel, k.message_zh, k.message_en, k.attribution_days
             FROM campaign_recipients r
             JOIN customers c ON c.id = r.customer_id
             JOIN campaigns k ON k.id = r.campaign_id
             WHERE r.claim = $1 AND r.status = 'sending'",
        )
        .bind(claim)
        .fetch_all(&mut *self.conn().await?)
        .await
        .map_err(db_err)?;
        // (campaign, customer, sent: Some(until) or held back)
        let mut outcomes: Vec<(Uuid, Uuid, Option<OffsetDateTime>)> = Vec::new();
        for r in &rows {
            let campaign: Uuid = get(r, "campaign_id")?;
            let customer: Uuid = get(r, "customer_id")?;
            let (channel, message, days) = stored_campaign(r)?;
            // Their choice now, not when the campaign started.
            if !channel.may_reach(contact(r)?) {
                outcomes.push((campaign, customer, None));
                continue;
            }
            let out = Outgoing {
                campaign: CampaignId::from(campaign),
                customer: CustomerId::from(customer),
                phone: get(r, "phone")?,
                channel,
                body: Outgoing::body(&message),
                at: now,
            };
            match sender.send(&out).await {
                Ok(()) => outcomes.push((campaign, customer, Some(days.until(now)))),
                // Left `sending`: claimed again once stale.
                Err(e) => tracing::warn!(%campaign, %customer, error = %e, "campaign message not sent"),
            }
        }
        let done = transaction!(self, Serial::Rows, |tx| {
            let mut d = Dispatched::default();
            for (campaign, customer, sent) in &outcomes {
                let q = match sent {
                    Some(until) => sqlx::query(
                        "UPDATE campaign_recipients SET status = 'sent', sent_at = $3, attribute_until = $4
                         WHERE campaign_id = $1 AND customer_id = $2 AND claim = $5 AND status = 'sending'",
                    )
                    .bind(*campaign)
                    .bind(*customer)
                    .bind(DbTime(now))
                    .bind(DbTime(*until)),
                    None => sqlx::query(
                        "UPDATE campaign_recipients SET status = 'opted_out'
                         WHERE campaign_id = $1 AND customer_id = $2 AND claim = $3 AND status = 'sending'",
                    )
                    .bind(*campaign)
                    .bind(*customer),
                };
                let changed = q
                    .bind(claim)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                if changed == 1 {
                    match sent {
                        Some(_) => d.sent += 1,
                        None => d.opted_out += 1,
                    }
                }
            }
            Ok((d, Vec::new()))
        })?;
        Ok(done)
    }

    async fn campaigns(
        &self,
        store: Option<StoreId>,
        limit: u32,
    ) -> Result<Vec<CampaignSummary>, StorageError> {
        let mut conn = self.conn().await?;
        let store = store.map(|s| s.as_uuid());
        let heads = sqlx::query(
            "SELECT k.id, k.started_at, k.store_id, k.channel, k.message_zh, k.message_en,
                    k.attribution_days, s.name_zh, s.name_en
             FROM campaigns k JOIN staff s ON s.id = k.started_by
             WHERE $1 IS NULL OR k.store_id = $1
                OR EXISTS (SELECT 1 FROM campaign_recipients r WHERE r.campaign_id = k.id AND r.store_id = $1)
             ORDER BY k.started_at DESC, k.id DESC LIMIT $2",
        )
        .bind(store)
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let mut out = Vec::with_capacity(heads.len());
        for h in &heads {
            let id: Uuid = get(h, "id")?;
            let mut slices: BTreeMap<Option<Uuid>, SliceResult> = BTreeMap::new();
            for r in sqlx::query(
                "SELECT store_id, COUNT(*) AS n,
                        SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END) AS sent,
                        SUM(CASE WHEN status = 'opted_out' THEN 1 ELSE 0 END) AS opted_out
                 FROM campaign_recipients WHERE campaign_id = $1 AND ($2 IS NULL OR store_id = $2)
                 GROUP BY store_id",
            )
            .bind(id)
            .bind(store)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
            {
                let slice_store: Option<Uuid> = get(&r, "store_id")?;
                let recipients: u32 = small(&r, "n")?;
                let sent: u32 = small(&r, "sent")?;
                let opted_out: u32 = small(&r, "opted_out")?;
                slices.insert(
                    slice_store,
                    SliceResult {
                        store: slice_store.map(StoreId::from),
                        recipients,
                        sent,
                        opted_out,
                        pending: recipients - sent - opted_out,
                        bookings: 0,
                        revenue: Money::ZERO,
                    },
                );
            }
            for r in sqlx::query(
                "SELECT r.store_id, COUNT(*) AS n, CAST(SUM(o.total_fen) AS BIGINT) AS fen
                 FROM orders o JOIN campaign_recipients r
                   ON r.campaign_id = o.campaign_id AND r.customer_id = o.customer_id
                 WHERE o.campaign_id = $1 AND o.status <> 'cancelled' AND ($2 IS NULL OR r.store_id = $2)
                 GROUP BY r.store_id",
            )
            .bind(id)
            .bind(store)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
            {
                let slice_store: Option<Uuid> = get(&r, "store_id")?;
                if let Some(s) = slices.get_mut(&slice_store) {
                    s.bookings = small(&r, "n")?;
                    s.revenue = Money::from_fen(get::<Option<i64>>(&r, "fen")?.unwrap_or(0));
                }
            }
            let (channel, message, attribution) = stored_campaign(h)?;
            out.push(CampaignSummary {
                id: CampaignId::from(id),
                started_at: get::<DbTime>(h, "started_at")?.0,
                store: get::<Option<Uuid>>(h, "store_id")?.map(StoreId::from),
                by: named(h, "name_zh", "name_en")?,
                channel,
                message,
                attribution,
                slices: slices.into_values().collect(),
            });
        }
        Ok(out)
    }
}

/// The built-in sender: records the message as it would have gone out. The unique
/// (campaign, customer) makes a retried send a no-op.
#[async_trait]
impl CampaignSender for Backend {
    async fn send(&self, m: &Outgoing) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            sqlx::query(
                "INSERT INTO sent_messages (id, campaign_id, customer_id, phone, channel, body, sent_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (campaign_id, customer_id) DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(m.campaign.as_uuid())
            .bind(m.customer.as_uuid())
            .bind(&m.phone)
            .bind(m.channel.code())
            .bind(&m.body)
            .bind(DbTime(m.at))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            Ok(((), Vec::new()))
        })
    }
}

async fn by_key(conn: &mut Conn, key: &str) -> Result<Option<CampaignId>, StorageError> {
    let id: Option<Uuid> = sqlx::query_scalar("SELECT id FROM campaigns WHERE idempotency_key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(id.map(CampaignId::from))
}

/// Credits a booking just made to the campaign that brought it, if one did
/// ([`domain::campaigns::attribute`]), in the booking's transaction.
pub(super) async fn credit_order(
    tx: &mut Conn,
    order: OrderId,
    customer: CustomerId,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let touches = sqlx::query(
        "SELECT campaign_id, sent_at, attribute_until FROM campaign_recipients
         WHERE customer_id = $1 AND status = 'sent' AND sent_at <= $2 AND attribute_until >= $2",
    )
    .bind(customer.as_uuid())
    .bind(DbTime(now))
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?
    .iter()
    .map(|r| {
        Ok(Touch {
            campaign: CampaignId::from(get::<Uuid>(r, "campaign_id")?),
            sent_at: get::<DbTime>(r, "sent_at")?.0,
            until: get::<DbTime>(r, "attribute_until")?.0,
        })
    })
    .collect::<Result<Vec<_>, StorageError>>()?;
    if let Some(campaign) = domain::campaigns::attribute(now, &touches) {
        sqlx::query("UPDATE orders SET campaign_id = $1 WHERE id = $2")
            .bind(campaign.as_uuid())
            .bind(order.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}
