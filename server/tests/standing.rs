//! Knowing the customer, on SQLite and PostgreSQL: every customer's stage and class is
//! what `domain::lifecycle` gives from their orders; recomputing again changes nothing;
//! new thresholds move customers and each move is kept; a store sees its own customers'
//! moves; events move a customer on at once; of two instances one makes the nightly
//! run; bad thresholds and reasons over HTTP change nothing.

mod common;

use std::collections::BTreeMap;

use common::{
    call_as, customer_with_car, error, signed_in, store, Arg, TestDb, TestServer, HQ_ADMIN,
};
use domain::lifecycle::{
    ClassMinimum, ClassThresholds, Facts, LostReason, Stage, StageThresholds, Standing,
};
use domain::{Error as E, Money};
use server::live::Hub;
use server::storage::DbTime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

both_backends!(
    every_customer_gets_the_domains_standing_once,
    a_store_sees_its_own_customers_moves,
    the_nightly_run_is_made_once_a_day_by_one_instance,
    events_and_people_move_a_customer_on,
);

fn now() -> OffsetDateTime {
    #[allow(clippy::disallowed_methods)]
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("whole second")
}

/// Every customer's facts, read plainly (one query per table) and folded in Rust: the
/// model the storage's aggregate must agree with.
async fn facts(db: &TestDb, at: OffsetDateTime) -> BTreeMap<Uuid, Facts> {
    let customers: Vec<(Uuid, DbTime)> = db.rows("SELECT id, created_at FROM customers", &[]).await;
    let cars: Vec<(Uuid,)> = db
        .rows(
            "SELECT customer_id FROM vehicles WHERE removed_at IS NULL",
            &[],
        )
        .await;
    let orders: Vec<(Uuid, String, Option<DbTime>, i64)> = db
        .rows(
            "SELECT customer_id, status, completed_at, total_fen FROM orders",
            &[],
        )
        .await;
    let mut out: BTreeMap<Uuid, Facts> = customers
        .into_iter()
        .map(|(id, created)| {
            (
                id,
                Facts {
                    registered_at: created.0,
                    has_vehicle: false,
                    orders: 0,
                    last_visit: None,
                    visits_last_year: 0,
                    spent_last_year: Money::ZERO,
                    lost_reason: None,
                },
            )
        })
        .collect();
    for (c,) in cars {
        out.entry(c).and_modify(|f| f.has_vehicle = true);
    }
    let year_ago = at - Duration::days(365);
    for (c, status, completed, total) in orders {
        let f = out.get_mut(&c).expect("customer");
        if status != "cancelled" {
            f.orders += 1;
        }
        if let (true, Some(done)) = (status == "handed_over", completed) {
            f.last_visit = f.last_visit.max(Some(done.0));
            if done.0 >= year_ago {
                f.visits_last_year += 1;
                f.spent_last_year = Money::from_fen(f.spent_last_year.fen() + total);
            }
        }
    }
    out
}

async fn stored(db: &TestDb) -> BTreeMap<Uuid, (String, String, Option<String>)> {
    db.rows::<(Uuid, String, String, Option<String>)>(
        "SELECT id, stage, value_class, lost_reason FROM customers",
        &[],
    )
    .await
    .into_iter()
    .map(|(id, s, c, r)| (id, (s, c, r)))
    .collect()
}

fn as_row(s: &Standing) -> (String, String, Option<String>) {
    (
        s.stage.code().to_owned(),
        s.class.code().to_owned(),
        s.lost_reason.map(|r| r.code().to_owned()),
    )
}

async fn changes(db: &TestDb) -> i64 {
    db.rows::<(i64,)>("SELECT COUNT(*) FROM standing_changes", &[])
        .await[0]
        .0
}

async fn every_customer_gets_the_domains_standing_once(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    let standing = database.storages().standing;
    // The demo's history ends on 2026-11-01: a month later.
    let at = server::demo::BASE + Duration::days(30);
    let first = standing.recompute_all(at).await.expect("recomputed");
    let model = facts(&db, at).await;
    assert_eq!(first.customers as usize, model.len());
    let t = standing.thresholds().await.expect("thresholds");
    let expected: BTreeMap<Uuid, _> = model
        .iter()
        .map(|(id, f)| {
            (
                *id,
                as_row(&domain::lifecycle::standing(f, &t.stages, &t.classes, at)),
            )
        })
        .collect();
    assert_eq!(stored(&db).await, expected);
    // The demo has customers in several classes and stages.
    let classes: std::collections::BTreeSet<_> =
        expected.values().map(|(_, c, _)| c.clone()).collect();
    assert!(classes.len() >= 3, "{classes:?}");
    let history = changes(&db).await;
    assert_eq!(history, i64::from(first.changed));

    // Again at the same instant: nothing changes, nothing is written.
    let again = standing.recompute_all(at).await.expect("recomputed");
    assert_eq!((again.customers, again.changed), (first.customers, 0));
    assert_eq!(changes(&db).await, history);

    // Stricter thresholds: A asks for five visits. Customers move, each move kept.
    let d = ClassThresholds::default();
    let stricter = app::lifecycle::Thresholds {
        stages: StageThresholds::default(),
        classes: ClassThresholds::new(ClassMinimum { visits: 5, ..d.a }, d.b, d.c).expect("valid"),
    };
    let hq: Vec<(Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE phone = $1",
            &[Arg::Text(HQ_ADMIN.into())],
        )
        .await;
    let moved = standing
        .set_thresholds(&stricter, domain::StaffId::from(hq[0].0), at)
        .await
        .expect("set");
    let expected: BTreeMap<Uuid, _> = model
        .iter()
        .map(|(id, f)| {
            (
                *id,
                as_row(&domain::lifecycle::standing(
                    f,
                    &stricter.stages,
                    &stricter.classes,
                    at,
                )),
            )
        })
        .collect();
    assert_eq!(stored(&db).await, expected);
    assert_eq!(changes(&db).await, history + i64::from(moved.changed));
    let downs: Vec<(Option<String>, String)> = db
        .rows(
            "SELECT from_class, to_class FROM standing_changes WHERE from_class IS NOT NULL",
            &[],
        )
        .await;
    assert_eq!(downs.len(), moved.changed as usize);
    assert!(
        downs
            .iter()
            .all(|(from, to)| from.as_deref() == Some("A") && to == "B"),
        "{downs:?}"
    );
}

async fn a_store_sees_its_own_customers_moves(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    let standing = database.storages().standing;
    let at = server::demo::BASE + Duration::days(30);
    standing.recompute_all(at).await.expect("recomputed");
    // Half a year later many move on.
    let later = at + Duration::days(200);
    let done = standing.recompute_all(later).await.expect("recomputed");
    assert!(done.changed > 0);
    let all = standing
        .movements(None, later - Duration::days(1), 1_000)
        .await
        .expect("moves");
    assert!(!all.is_empty());
    let (home, _) = store(&db, "HZ-XH").await;
    let mine = standing
        .movements(Some(home), later - Duration::days(1), 1_000)
        .await
        .expect("moves");
    let served: Vec<(Uuid,)> = db
        .rows(
            "SELECT DISTINCT customer_id FROM orders WHERE store_id = $1 AND status = 'handed_over'",
            &[Arg::Id(home.as_uuid())],
        )
        .await;
    let served: std::collections::BTreeSet<Uuid> = served.into_iter().map(|(c,)| c).collect();
    assert!(!mine.is_empty() && mine.len() < all.len());
    assert!(mine.iter().all(|m| served.contains(&m.customer.as_uuid())));
    assert_eq!(
        mine.len(),
        all.iter()
            .filter(|m| served.contains(&m.customer.as_uuid()))
            .count()
    );
    // Only moves between classes: from something else, to something else.
    assert!(all.iter().all(|m| m.from != Some(m.to)));
}

async fn the_nightly_run_is_made_once_a_day_by_one_instance(db: TestDb) {
    db.open(Hub::new(), true).await;
    let a = db.open(Hub::new(), false).await.storages().standing;
    let b = db.open(Hub::new(), false).await.storages().standing;
    // 02:00 local two days on, so an hour later is the same local day whenever it runs.
    let night = domain::local_time::at_local_minute(
        domain::local_time::local_date(now()) + Duration::days(2),
        2 * 60,
    );
    let (x, y) = tokio::join!(a.nightly(night), b.nightly(night));
    let runs = [x.expect("ran"), y.expect("ran")];
    assert_eq!(runs.iter().filter(|r| r.is_some()).count(), 1, "{runs:?}");
    // Later the same day: already made. The next day: made again.
    assert_eq!(
        a.nightly(night + Duration::hours(1)).await.expect("ran"),
        None
    );
    assert!(b
        .nightly(night + Duration::days(1))
        .await
        .expect("ran")
        .is_some());
}

async fn events_and_people_move_a_customer_on(db: TestDb) {
    let server = TestServer::start(&db).await;
    // Signed up with a car: a prospect at once (no nightly run needed).
    let (owner, car) = customer_with_car(&server).await;
    let (_, body) = call_as(&owner, &server, "me", &[]).await;
    let me: serde_json::Value = serde_json::from_str(&body).expect("me");
    let customer = me["principal"]["id"].as_str().expect("id").to_owned();
    let row = |id: String| {
        let db = &db;
        async move {
            db.rows::<(String, String, Option<String>)>(
                "SELECT stage, value_class, lost_reason FROM customers WHERE id = $1",
                &[Arg::Id(Uuid::parse_str(&id).expect("id"))],
            )
            .await
            .remove(0)
        }
    };
    assert_eq!(row(customer.clone()).await.0, "prospect");
    // Booked: ordered.
    let (home, _) = store(&db, "HZ-XH").await;
    common::book_oil_change(&server, &owner, &car, home.as_uuid()).await;
    assert_eq!(row(customer.clone()).await.0, "ordered");

    // A prospect who will not come: recorded with the reason, by a counter.
    let (other, _) = customer_with_car(&server).await;
    let (_, body) = call_as(&other, &server, "me", &[]).await;
    let me: serde_json::Value = serde_json::from_str(&body).expect("me");
    let other_id = me["principal"]["id"].as_str().expect("id").to_owned();
    let advisor = signed_in(&server, "staff", common::ADVISOR).await;
    let (status, body) = call_as(
        &advisor,
        &server,
        "mark_customer_lost",
        &[("customer_id", &other_id), ("reason", "no_response")],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error(&body),
        app::error::AppError::Invalid(E::LostReasonUnknown)
    );
    let (status, body) = call_as(
        &advisor,
        &server,
        "mark_customer_lost",
        &[("customer_id", &other_id), ("reason", "moved_away")],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let standing: Standing = serde_json::from_str(&body).expect("standing");
    assert_eq!(
        (standing.stage, standing.lost_reason),
        (Stage::Lost, Some(LostReason::MovedAway))
    );
    assert_eq!(
        row(other_id).await,
        ("lost".into(), "D".into(), Some("moved_away".into()))
    );

    // Thresholds that run backwards are refused, in words, and change nothing.
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let (_, before) = call_as(&hq, &server, "standing_settings", &[]).await;
    let form = |active: &'static str, a_visits: &'static str| {
        vec![
            ("form[active_days]", active),
            ("form[lost_days]", "365"),
            ("form[lead_days]", "90"),
            ("form[a][recency]", "90"),
            ("form[a][visits]", a_visits),
            ("form[a][spent]", "3000"),
            ("form[b][recency]", "180"),
            ("form[b][visits]", "2"),
            ("form[b][spent]", "1000"),
            ("form[c][recency]", "365"),
            ("form[c][visits]", "1"),
            ("form[c][spent]", "0.01"),
        ]
    };
    for bad in [form("400", "4"), form("180", "1"), form("x", "4")] {
        let (status, body) = call_as(&hq, &server, "set_standing_thresholds", &bad).await;
        assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            error(&body),
            app::error::AppError::Invalid(E::ThresholdsInvalid)
        );
        let message = error(&body).message(app::i18n::Lang::Zh);
        assert!(message.contains("阈值"), "{message}");
    }
    let (_, after) = call_as(&hq, &server, "standing_settings", &[]).await;
    assert_eq!(before, after);
    let (status, body) = call_as(&hq, &server, "set_standing_thresholds", &form("150", "5")).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let settings: app::lifecycle::StandingSettings =
        serde_json::from_str(&call_as(&hq, &server, "standing_settings", &[]).await.1)
            .expect("settings");
    assert_eq!(settings.thresholds.stages.active_days, 150);
    assert_eq!(settings.thresholds.classes.a.visits, 5);
    let customers: i64 = db
        .rows::<(i64,)>("SELECT COUNT(*) FROM customers", &[])
        .await[0]
        .0;
    assert_eq!(
        settings
            .mix
            .iter()
            .map(|(.., n)| i64::from(*n))
            .sum::<i64>(),
        customers
    );
}
