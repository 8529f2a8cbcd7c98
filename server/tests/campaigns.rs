//! Segments and campaigns, on SQLite and PostgreSQL: the live count (SQL) and a
//! campaign's recipients agree with `domain::segments::Segment::matches` over customers
//! read plainly; nobody who opted out ever receives a message, whether they opted out
//! before the start or between the start and the send; two instances sending at once
//! send each message once; a store manager's campaign stays in their store; a booking
//! after a message is credited to the campaign; bad input over HTTP changes nothing.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use app::campaigns::{Draft, SegmentCount};
use common::{
    call_as, customer_with_car, error, signed_in, store, Arg, TestDb, TestServer, HQ_ADMIN,
};
use domain::campaigns::{AttributionDays, Channel, Message};
use domain::lifecycle::{Stage, ValueClass};
use domain::local_time::local_date;
use domain::reception::TagCode;
use domain::segments::{Days, LastVisit, Member, Powertrain, Segment};
use domain::{Error as E, IdempotencyKey, ModelId, StaffId, StoreId};
use server::live::Hub;
use server::storage::DbTime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

both_backends!(
    the_count_and_the_recipients_are_the_domains_segment,
    nobody_who_opted_out_receives_a_message,
    two_instances_send_each_message_once,
    campaigns_over_http_stay_in_scope_and_refuse_bad_input,
);

const MANAGER: &str = "13900000003";

/// The demo's history ends on 2026-11-01: a month later.
fn at() -> OffsetDateTime {
    server::demo::BASE + Duration::days(30)
}

/// Every customer as a segment sees them, read plainly (one query per table) and
/// folded in Rust: the model the storage's SQL must agree with.
async fn members(db: &TestDb) -> BTreeMap<Uuid, Member> {
    let customers: Vec<(Uuid, String, String, Option<Uuid>)> = db
        .rows(
            "SELECT id, stage, value_class, registered_at_store FROM customers",
            &[],
        )
        .await;
    let orders: Vec<(Uuid, Uuid, Uuid, String, DbTime, Option<DbTime>)> = db
        .rows(
            "SELECT customer_id, id, store_id, status, created_at, completed_at FROM orders",
            &[],
        )
        .await;
    let cars: Vec<(Uuid, Uuid, String)> = db
        .rows(
            "SELECT v.customer_id, v.model_id, m.powertrain FROM vehicles v
             JOIN vehicle_models m ON m.id = v.model_id WHERE v.removed_at IS NULL",
            &[],
        )
        .await;
    let due: Vec<(Uuid, String)> = db
        .rows(
            "SELECT customer_id, due_on FROM followups WHERE status = 'open' AND kind <> 'satisfaction'",
            &[],
        )
        .await;
    let tags: Vec<(Uuid, String)> = db
        .rows("SELECT customer_id, tag_code FROM customer_tags", &[])
        .await;
    let mut latest: BTreeMap<Uuid, (OffsetDateTime, Uuid, Uuid)> = BTreeMap::new();
    let mut visits: BTreeMap<Uuid, OffsetDateTime> = BTreeMap::new();
    for (customer, id, store, status, created, completed) in orders {
        if status != "cancelled" {
            let e = latest.entry(customer).or_insert((created.0, id, store));
            if (created.0, id) > (e.0, e.1) {
                *e = (created.0, id, store);
            }
        }
        if let (true, Some(done)) = (status == "handed_over", completed) {
            let v = visits.entry(customer).or_insert(done.0);
            *v = (*v).max(done.0);
        }
    }
    let mut out: BTreeMap<Uuid, Member> = customers
        .into_iter()
        .map(|(id, stage, class, registered)| {
            (
                id,
                Member {
                    stage: Stage::parse(&stage).expect("stage"),
                    class: ValueClass::parse(&class).expect("class"),
                    store: latest
                        .get(&id)
                        .map(|(.., s)| *s)
                        .or(registered)
                        .map(StoreId::from),
                    models: Vec::new(),
                    powertrains: Vec::new(),
                    next_due: None,
                    last_visit: visits.get(&id).map(|t| local_date(*t)),
                    tags: Vec::new(),
                },
            )
        })
        .collect();
    for (c, model, train) in cars {
        let m = out.get_mut(&c).expect("customer");
        m.models.push(ModelId::from(model));
        m.powertrains
            .push(Powertrain::parse(&train).expect("powertrain"));
    }
    for (c, on) in due {
        let d = domain::local_time::parse_date(&on).expect("day");
        let m = out.get_mut(&c).expect("customer");
        m.next_due = Some(m.next_due.map_or(d, |n| n.min(d)));
    }
    for (c, t) in tags {
        out.get_mut(&c)
            .expect("customer")
            .tags
            .push(TagCode::parse(&t).expect("tag"));
    }
    out
}

/// Some of the demo's customers tagged, so that tags narrow something.
async fn tag_some(db: &TestDb) {
    let hq: Vec<(Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE phone = $1",
            &[Arg::Text(HQ_ADMIN.into())],
        )
        .await;
    let ids: Vec<(Uuid,)> = db.rows("SELECT id FROM customers ORDER BY id", &[]).await;
    for (i, (id,)) in ids.iter().enumerate().filter(|(i, _)| i % 3 != 0) {
        let tag = if i % 2 == 0 { "vip" } else { "fleet" };
        db.execute(
            "INSERT INTO customer_tags (customer_id, tag_code, added_by, added_at) VALUES ($1, $2, $3, $4)",
            &[
                Arg::Id(*id),
                Arg::Text(tag.into()),
                Arg::Id(hq[0].0),
                Arg::Time(at()),
            ],
        )
        .await;
    }
}

/// A small deterministic generator, so a failure names a segment that can be rerun.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }

    fn some<T: Clone + Ord>(&mut self, from: &[T], max: usize) -> BTreeSet<T> {
        (0..self.next(max + 1))
            .map(|_| from[self.next(from.len())].clone())
            .collect()
    }
}

fn segments(stores: &[StoreId], models: &[ModelId]) -> Vec<Segment> {
    let days = |n| Days::new(n).expect("days");
    let tags = [
        TagCode::parse("vip").expect("valid"),
        TagCode::parse("fleet").expect("valid"),
    ];
    let mut fixed = vec![
        Segment::default(),
        Segment {
            stages: [Stage::Active].into(),
            ..Segment::default()
        },
        Segment {
            due_within: Some(days(30)),
            ..Segment::default()
        },
        Segment {
            last_visit: Some(LastVisit::NotSince(days(60))),
            ..Segment::default()
        },
        Segment {
            last_visit: Some(LastVisit::Within(days(60))),
            powertrains: [Powertrain::Electric].into(),
            ..Segment::default()
        },
    ];
    let mut r = Lcg(20261206);
    for _ in 0..40 {
        let visit = match r.next(3) {
            0 => None,
            1 => Some(LastVisit::Within(days(1 + r.next(400) as u16))),
            _ => Some(LastVisit::NotSince(days(1 + r.next(400) as u16))),
        };
        fixed.push(Segment {
            stages: r.some(&Stage::ALL, 2),
            classes: r.some(&ValueClass::ALL, 2),
            stores: r.some(stores, 2),
            models: r.some(models, 2),
            powertrains: r.some(&Powertrain::ALL, 1),
            due_within: (r.next(2) == 0).then(|| days(1 + r.next(200) as u16)),
            last_visit: visit,
            tags: r.some(&tags, 1),
        });
    }
    fixed
}

fn draft(segment: Segment, channel: Channel) -> Draft {
    Draft {
        segment,
        message: Message::parse("冬季保养八折", "20% off winter servicing").expect("message"),
        channel,
        attribution: AttributionDays::DEFAULT,
        key: IdempotencyKey::parse(&Uuid::now_v7().to_string()).expect("key"),
    }
}

async fn hq_id(db: &TestDb) -> StaffId {
    let hq: Vec<(Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE phone = $1",
            &[Arg::Text(HQ_ADMIN.into())],
        )
        .await;
    StaffId::from(hq[0].0)
}

async fn the_count_and_the_recipients_are_the_domains_segment(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    let s = database.storages();
    s.standing.recompute_all(at()).await.expect("standing");
    tag_some(&db).await;
    let model = members(&db).await;
    let today = local_date(at());
    let stores: Vec<StoreId> = model
        .values()
        .filter_map(|m| m.store)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let models: Vec<ModelId> = model
        .values()
        .flat_map(|m| m.models.iter().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(stores.len() >= 3 && models.len() >= 3);
    let mut non_empty = 0;
    for segment in segments(&stores, &models) {
        let expected: Vec<(&Uuid, &Member)> = model
            .iter()
            .filter(|(_, m)| segment.matches(m, today))
            .collect();
        let count: SegmentCount = s.campaigns.count(&segment, at()).await.expect("count");
        assert_eq!(
            count.total().customers as usize,
            expected.len(),
            "{segment:?}"
        );
        let mut by_store: BTreeMap<Option<StoreId>, u32> = BTreeMap::new();
        for (_, m) in &expected {
            *by_store.entry(m.store).or_default() += 1;
        }
        let counted: BTreeMap<Option<StoreId>, u32> = count
            .slices
            .iter()
            .map(|c| (c.store, c.customers))
            .collect();
        assert_eq!(counted, by_store, "{segment:?}");
        non_empty += usize::from(!expected.is_empty());
    }
    assert!(
        non_empty >= 10,
        "the generated segments mostly find someone"
    );

    // A campaign's recipients are exactly the segment's members, each in their slice.
    let segment = Segment {
        stages: [Stage::Active, Stage::Lapsed].into(),
        ..Segment::default()
    };
    let id = s
        .campaigns
        .start(
            &draft(segment.clone(), Channel::Sms),
            None,
            hq_id(&db).await,
            at(),
        )
        .await
        .expect("started");
    let recipients: Vec<(Uuid, Option<Uuid>)> = db
        .rows(
            "SELECT customer_id, store_id FROM campaign_recipients WHERE campaign_id = $1",
            &[Arg::Id(id.as_uuid())],
        )
        .await;
    let expected: BTreeSet<(Uuid, Option<Uuid>)> = model
        .iter()
        .filter(|(_, m)| segment.matches(m, today))
        .map(|(id, m)| (*id, m.store.map(|s| s.as_uuid())))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(recipients.into_iter().collect::<BTreeSet<_>>(), expected);

    // Nobody in it: refused, nothing written.
    let nobody = Segment {
        stages: [Stage::Lead].into(),
        stores: [stores[0]].into(),
        last_visit: Some(LastVisit::Within(Days::new(1).expect("valid"))),
        ..Segment::default()
    };
    assert_eq!(
        s.campaigns
            .count(&nobody, at())
            .await
            .expect("count")
            .total()
            .customers,
        0
    );
    let refused = s
        .campaigns
        .start(&draft(nobody, Channel::Sms), None, hq_id(&db).await, at())
        .await;
    assert!(
        matches!(
            refused,
            Err(app::storage::StorageError::Rule(E::SegmentEmpty))
        ),
        "{refused:?}"
    );
    let campaigns: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM campaigns", &[]).await;
    assert_eq!(campaigns[0].0, 1);
}

async fn sent_to(db: &TestDb, campaign: Uuid) -> BTreeSet<Uuid> {
    db.rows::<(Uuid,)>(
        "SELECT customer_id FROM sent_messages WHERE campaign_id = $1",
        &[Arg::Id(campaign)],
    )
    .await
    .into_iter()
    .map(|(c,)| c)
    .collect()
}

async fn nobody_who_opted_out_receives_a_message(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    let s = database.storages();
    s.standing.recompute_all(at()).await.expect("standing");
    let everyone: Vec<(Uuid,)> = db.rows("SELECT id FROM customers ORDER BY id", &[]).await;
    assert!(everyone.len() >= 20);
    // Before the start: every fifth opted out of campaigns, every seventh of texts.
    for (i, (id,)) in everyone.iter().enumerate() {
        let (opt_out, sms) = (i % 5 == 0, i % 7 != 0);
        db.execute(
            "UPDATE customers SET marketing_opt_out = ($1 = 1), contact_sms = ($2 = 1) WHERE id = $3",
            &[
                Arg::Int(i64::from(opt_out)),
                Arg::Int(i64::from(sms)),
                Arg::Id(*id),
            ],
        )
        .await;
    }
    let by = hq_id(&db).await;
    let count = s
        .campaigns
        .count(&Segment::default(), at())
        .await
        .expect("count");
    let campaign = s
        .campaigns
        .start(&draft(Segment::default(), Channel::Sms), None, by, at())
        .await
        .expect("started");
    // Between the start and the send: three more opt out.
    let late: Vec<Uuid> = everyone
        .iter()
        .map(|(id,)| *id)
        .enumerate()
        .filter(|(i, _)| i % 5 == 1)
        .take(3)
        .map(|(_, id)| id)
        .collect();
    for id in &late {
        db.execute(
            "UPDATE customers SET marketing_opt_out = ($1 = 1) WHERE id = $2",
            &[Arg::Int(1), Arg::Id(*id)],
        )
        .await;
    }
    let sent = server::jobs::send_campaigns(s.campaigns.as_ref(), s.sender.as_ref(), at())
        .await
        .expect("sent");
    let received = sent_to(&db, campaign.as_uuid()).await;
    let allowed: BTreeSet<Uuid> = everyone
        .iter()
        .enumerate()
        .filter(|(i, (id,))| i % 5 != 0 && i % 7 != 0 && !late.contains(id))
        .map(|(_, (id,))| *id)
        .collect();
    assert_eq!(received, allowed);
    assert_eq!(sent.sent as usize, allowed.len());
    assert_eq!(
        count.total().by_sms as usize,
        allowed.len() + late.len(),
        "the count saw the choices made before the start"
    );
    let statuses: Vec<(String, i64)> = db
        .rows(
            "SELECT status, COUNT(*) FROM campaign_recipients WHERE campaign_id = $1 GROUP BY status ORDER BY status",
            &[Arg::Id(campaign.as_uuid())],
        )
        .await;
    assert_eq!(
        statuses,
        vec![
            (
                "opted_out".to_owned(),
                (everyone.len() - allowed.len()) as i64
            ),
            ("sent".to_owned(), allowed.len() as i64),
        ]
    );
    // A call campaign reaches those who refused texts but not campaigns.
    let calls = s
        .campaigns
        .start(&draft(Segment::default(), Channel::Call), None, by, at())
        .await
        .expect("started");
    server::jobs::send_campaigns(s.campaigns.as_ref(), s.sender.as_ref(), at())
        .await
        .expect("sent");
    let called = sent_to(&db, calls.as_uuid()).await;
    let opted_out: BTreeSet<Uuid> = everyone
        .iter()
        .enumerate()
        .filter(|(i, (id,))| i % 5 == 0 || late.contains(id))
        .map(|(_, (id,))| *id)
        .collect();
    assert!(called.is_disjoint(&opted_out));
    assert_eq!(called.len(), everyone.len() - opted_out.len());
    // Sending again sends nothing more.
    let again = server::jobs::send_campaigns(s.campaigns.as_ref(), s.sender.as_ref(), at())
        .await
        .expect("sent");
    assert_eq!((again.sent, again.opted_out), (0, 0));
}

async fn two_instances_send_each_message_once(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    let by = hq_id(&db).await;
    let first = database.storages();
    let mut campaigns = Vec::new();
    for _ in 0..3 {
        campaigns.push(
            first
                .campaigns
                .start(&draft(Segment::default(), Channel::Call), None, by, at())
                .await
                .expect("started"),
        );
    }
    let a = db.open(Hub::new(), false).await.storages();
    let b = db.open(Hub::new(), false).await.storages();
    let mut sent = 0;
    loop {
        let (x, y) = tokio::join!(
            a.campaigns.dispatch(a.sender.as_ref(), at(), 7),
            b.campaigns.dispatch(b.sender.as_ref(), at(), 7)
        );
        let (x, y) = (x.expect("a"), y.expect("b"));
        if x.sent + y.sent + x.opted_out + y.opted_out == 0 {
            break;
        }
        sent += x.sent + y.sent;
    }
    let recipients: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM campaign_recipients WHERE status = 'sent'",
            &[],
        )
        .await;
    let messages: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM sent_messages", &[]).await;
    let waiting: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM campaign_recipients WHERE status IN ('pending', 'sending')",
            &[],
        )
        .await;
    assert_eq!(waiting[0].0, 0);
    assert_eq!(i64::from(sent), recipients[0].0);
    assert_eq!(messages[0].0, recipients[0].0);
    assert!(sent > 3 * 10, "{sent}");
}

async fn campaigns_over_http_stay_in_scope_and_refuse_bad_input(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let manager = signed_in(&server, "staff", MANAGER).await;
    let (home, _) = store(&db, "HZ-XH").await;
    let (other, _) = store(&db, "HZ-BJ").await;
    let key = || Uuid::now_v7().to_string();
    let other_id = other.as_uuid().to_string();

    // Bad input: refused in words, nothing started.
    let k = key();
    let cases: Vec<(Vec<(&str, &str)>, E)> = vec![
        (
            vec![
                ("form[message_zh]", "冬季保养八折"),
                ("form[message_en]", " "),
                ("form[channel]", "sms"),
                ("form[key]", &k),
            ],
            E::CampaignMessageIncomplete,
        ),
        (
            vec![
                ("form[message_zh]", "冬季保养八折"),
                ("form[message_en]", "Winter"),
                ("form[channel]", "fax"),
                ("form[key]", &k),
            ],
            E::CampaignSettingsInvalid,
        ),
        (
            vec![
                ("form[segment][stages][0]", "vip"),
                ("form[message_zh]", "冬"),
                ("form[message_en]", "W"),
                ("form[channel]", "sms"),
                ("form[key]", &k),
            ],
            E::SegmentInvalid,
        ),
        (
            vec![
                ("form[segment][stages][0]", "lead"),
                ("form[segment][last_visit]", "within"),
                ("form[segment][last_visit_days]", "1"),
                ("form[message_zh]", "冬"),
                ("form[message_en]", "W"),
                ("form[channel]", "sms"),
                ("form[key]", &k),
            ],
            E::SegmentEmpty,
        ),
    ];
    for (form, expected) in cases {
        let (status, body) = call_as(&hq, &server, "start_campaign", &form).await;
        assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error(&body), app::error::AppError::Invalid(expected));
        assert!(!error(&body).message(app::i18n::Lang::En).is_empty());
    }
    let none: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM campaigns", &[]).await;
    assert_eq!(none[0].0, 0);

    // A store manager naming another store still reaches only their own.
    let k = key();
    let form = [
        ("form[segment][stores][0]", other_id.as_str()),
        ("form[message_zh]", "本店保养八折"),
        ("form[message_en]", "20% off at our store"),
        ("form[channel]", "sms"),
        ("form[key]", k.as_str()),
    ];
    let (status, body) = call_as(
        &manager,
        &server,
        "count_segment",
        &[("segment[stores][0]", other_id.as_str())],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let count: SegmentCount = serde_json::from_str(&body).expect("count");
    assert!(
        count.slices.iter().all(|s| s.store == Some(home)),
        "{count:?}"
    );
    assert!(count.total().customers > 0);
    let (status, body) = call_as(&manager, &server, "start_campaign", &form).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let started: app::campaigns::Started = serde_json::from_str(&body).expect("started");
    // The same request again is the same campaign, and nobody hears twice.
    let (_, again) = call_as(&manager, &server, "start_campaign", &form).await;
    let again: app::campaigns::Started = serde_json::from_str(&again).expect("started");
    assert_eq!(again.id, started.id);
    let slices: Vec<(Option<Uuid>,)> = db
        .rows(
            "SELECT DISTINCT store_id FROM campaign_recipients WHERE campaign_id = $1",
            &[Arg::Id(started.id.as_uuid())],
        )
        .await;
    assert_eq!(slices, vec![(Some(home.as_uuid()),)]);
    let dup: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM (SELECT customer_id FROM sent_messages GROUP BY customer_id, campaign_id HAVING COUNT(*) > 1) d",
            &[],
        )
        .await;
    assert_eq!(dup[0].0, 0);
    // Sent by the start or by the job beside it, each once.
    for _ in 0..100 {
        let waiting: Vec<(i64,)> = db
            .rows(
                "SELECT COUNT(*) FROM campaign_recipients WHERE status IN ('pending', 'sending')",
                &[],
            )
            .await;
        if waiting[0].0 == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let heard: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM sent_messages WHERE campaign_id = $1",
            &[Arg::Id(started.id.as_uuid())],
        )
        .await;
    assert_eq!(heard[0].0, i64::from(count.total().by_sms));

    // The manager sees their campaign; HQ sees it too, with its slice.
    let (_, body) = call_as(&manager, &server, "campaigns", &[]).await;
    let mine: Vec<app::campaigns::CampaignSummary> = serde_json::from_str(&body).expect("list");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].store, Some(home));

    // A booking after a message is credited to the campaign.
    let (owner, car) = customer_with_car(&server).await;
    let k = key();
    let (status, body) = call_as(
        &hq,
        &server,
        "start_campaign",
        &[
            ("form[segment][stages][0]", "prospect"),
            ("form[message_zh]", "首次保养立减"),
            ("form[message_en]", "Your first service, for less"),
            ("form[channel]", "sms"),
            ("form[attribution_days]", "7"),
            ("form[key]", &k),
        ],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let prospects: app::campaigns::Started = serde_json::from_str(&body).expect("started");
    common::book_oil_change(&server, &owner, &car, home.as_uuid()).await;
    let credited: Vec<(Option<Uuid>,)> = db
        .rows(
            "SELECT campaign_id FROM orders o JOIN vehicles v ON v.id = o.vehicle_id WHERE v.id = $1",
            &[Arg::Id(Uuid::parse_str(&car).expect("car"))],
        )
        .await;
    assert_eq!(credited, vec![(Some(prospects.id.as_uuid()),)]);
    let (_, body) = call_as(&hq, &server, "campaigns", &[]).await;
    let all: Vec<app::campaigns::CampaignSummary> = serde_json::from_str(&body).expect("list");
    let brought: u32 = all
        .iter()
        .find(|c| c.id == prospects.id)
        .expect("listed")
        .slices
        .iter()
        .map(|s| s.bookings)
        .sum();
    assert_eq!(brought, 1);
}
