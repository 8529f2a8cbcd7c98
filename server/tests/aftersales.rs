//! HQ's after-sales view over HTTP, on SQLite and PostgreSQL: each store's figures are
//! what plain queries over the demo's history give, the chain's are their sum, the
//! charts are SVG drawn on the server in the reader's language, and a period that is not
//! offered is refused in words.

mod common;

use app::followup::report::AfterSalesReport;
use common::{call_as, error, signed_in, Arg, TestDb, TestServer, HQ_ADMIN};
use domain::aftersales::Period;
use domain::local_time::{at_local_minute, local_date};
use time::OffsetDateTime;

both_backends!(hq_sees_every_stores_figures_and_the_chains_sum);

fn now() -> OffsetDateTime {
    #[allow(clippy::disallowed_methods)]
    OffsetDateTime::now_utc()
}

async fn report(
    server: &TestServer,
    hq: &reqwest::Client,
    days: &str,
    lang: &str,
) -> AfterSalesReport {
    let (status, body) = call_as(
        hq,
        server,
        "aftersales_report",
        &[("days", days), ("lang", lang)],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("report")
}

async fn hq_sees_every_stores_figures_and_the_chains_sum(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let r = report(&server, &hq, "90", "en").await;
    assert_eq!(r.period.days(), 90);
    let today = local_date(now());
    let first = Period::new(90).expect("offered").first_day(today);
    let since = at_local_minute(first, 0);
    let stores: Vec<(uuid::Uuid,)> = db
        .rows("SELECT id FROM locations WHERE kind = 'store'", &[])
        .await;
    assert!(r.stores.len() >= stores.len());
    let mut due_total = 0;
    for s in r.stores.iter().filter(|s| s.store.is_some()) {
        let id = s.store.expect("store").as_uuid();
        let due: Vec<(i64,)> = db
            .rows(
                "SELECT COUNT(*) FROM followups WHERE store_id = $1 AND due_on >= $2 AND due_on <= $3
                 AND status <> 'superseded'",
                &[
                    Arg::Id(id),
                    Arg::Text(first.to_string()),
                    Arg::Text(today.to_string()),
                ],
            )
            .await;
        assert_eq!(i64::from(s.followups.due()), due[0].0, "{}", s.name.en);
        due_total += due[0].0;
        let done: Vec<(i64,)> = db
            .rows(
                "SELECT COUNT(*) FROM followups WHERE store_id = $1 AND due_on >= $2 AND due_on <= $3
                 AND status = 'done'",
                &[
                    Arg::Id(id),
                    Arg::Text(first.to_string()),
                    Arg::Text(today.to_string()),
                ],
            )
            .await;
        assert_eq!(i64::from(s.followups.done), done[0].0);
    }
    assert!(
        due_total > 0,
        "the demo's follow-ups fall in the last 90 days"
    );
    assert_eq!(i64::from(r.chain.followups.due()), due_total);
    let ratings: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM followups WHERE kind = 'satisfaction' AND rating IS NOT NULL
             AND closed_at >= $1",
            &[Arg::Time(since)],
        )
        .await;
    assert_eq!(i64::from(r.chain.satisfaction.ratings), ratings[0].0);
    assert!(r.chain.satisfaction.average_tenths().is_some());
    let customers: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM customers", &[]).await;
    assert_eq!(i64::from(r.chain.mix.iter().sum::<u32>()), customers[0].0);
    let praise: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM praise p JOIN praise_staff s ON s.followup_id = p.followup_id
             WHERE p.at >= $1",
            &[Arg::Time(since)],
        )
        .await;
    // The most praised are listed, at most ten of them, and no more praise than given.
    let listed: i64 = r.praise.iter().map(|p| i64::from(p.praise)).sum();
    assert!(listed <= praise[0].0 && r.praise.len() <= 10);
    assert_eq!(listed == 0, praise[0].0 == 0);

    // Four charts, SVG from the server, in the reader's language.
    assert_eq!(r.charts.len(), 4);
    let store = &r.stores[0].name;
    for c in &r.charts {
        assert!(
            c.svg.starts_with("<svg") && c.svg.ends_with("</svg>"),
            "{}",
            c.id
        );
        assert!(c.svg.contains("role=\"img\""));
        assert!(c.svg.contains(&store.en), "{} names the stores", c.id);
    }
    let zh = report(&server, &hq, "90", "zh-CN").await;
    assert!(zh.charts[0].svg.contains(&store.zh));
    assert!(zh.charts[0].svg.contains("已完成"));

    // A period not offered: refused in words.
    let (status, body) = call_as(
        &hq,
        &server,
        "aftersales_report",
        &[("days", "31"), ("lang", "en")],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        error(&body),
        app::error::AppError::Invalid(domain::Error::ReportPeriodInvalid)
    );
}
