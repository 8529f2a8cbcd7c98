//! Black-box API tests: a real server on port 0 with a fresh database, called over HTTP
//! as a browser or another client would, on SQLite and on PostgreSQL.

mod common;

use std::time::Duration;

use app::error::AppError;
use app::live::LiveEvent;
use app::pricing::PriceListView;
use common::{call_as, signed_in, Backend, TestDb, TestServer, ADVISOR, HQ_ADMIN};
use domain::{Money, PricedItem};
use futures::StreamExt;
use reqwest::StatusCode;

both_backends!(
    health_check_reports_the_database,
    price_list_is_served_and_publishing_changes_it,
    bad_prices_are_refused_with_clear_errors_and_change_nothing,
    publishing_is_refused_to_everyone_but_hq_operations,
    sse_carries_published_prices_to_every_instance,
    sse_carries_published_policies_to_every_instance,
    internal_failures_reach_the_client_only_as_a_trace_id,
    cross_site_publishing_is_refused,
    an_empty_database_offers_an_empty_price_list,
    racing_publishes_over_http_each_get_their_own_version,
);

/// Calls a server function as nobody in particular.
async fn call(server: &TestServer, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    call_as(&reqwest::Client::new(), server, endpoint, form).await
}

async fn hq(server: &TestServer) -> reqwest::Client {
    signed_in(server, "staff", HQ_ADMIN).await
}

async fn price_list(server: &TestServer) -> PriceListView {
    let (status, body) = call(server, "price_list", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("price list JSON")
}

use common::error;

async fn health_check_reports_the_database(db: TestDb) {
    let server = TestServer::start(&db).await;
    let res = reqwest::get(server.url("/healthz")).await.expect("healthz");
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.expect("json");
    let expected = match db.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
    assert_eq!(body["status"], "ok");
}

async fn price_list_is_served_and_publishing_changes_it(db: TestDb) {
    let server = TestServer::start(&db).await;
    let before = price_list(&server).await;
    assert_eq!(before.version, 1);
    assert!(before.services.len() >= 10);
    let target = &before.services[0];
    let hq = hq(&server).await;

    let (status, body) = call_as(
        &hq,
        &server,
        "publish_service_price",
        &[
            ("service_id", &target.service.id.to_string()),
            ("price", " ¥1,234.50 "),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(serde_json::from_str::<u32>(&body).expect("version"), 2);

    let after = price_list(&server).await;
    assert_eq!(after.version, 2);
    let row = after
        .services
        .iter()
        .find(|s| s.service.id == target.service.id)
        .expect("still listed");
    assert_eq!(row.price, Money::from_fen(123_450));
    assert_eq!(row.price.to_string(), "¥1,234.50");
    // Every other service kept its price.
    for (a, b) in before.services.iter().zip(&after.services).skip(1) {
        assert_eq!(a, b);
    }

    // History is kept, newest first.
    let id = target.service.id.to_string();
    let (status, body) = call_as(
        &hq,
        &server,
        "service_price_history",
        &[("service_id", &id)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let history: Vec<app::pricing::PricePoint> = serde_json::from_str(&body).expect("history");
    let points: Vec<(u32, Money)> = history.iter().map(|p| (p.version, p.price)).collect();
    assert_eq!(points, vec![(2, row.price), (1, target.price)]);

    let (status, _) = call_as(
        &hq,
        &server,
        "service_price_history",
        &[("service_id", "nope")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = domain::ServiceId::new().to_string();
    let (status, _) = call_as(
        &hq,
        &server,
        "service_price_history",
        &[("service_id", &unknown)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The history names who published: HQ's eyes only.
    let (status, _) = call(&server, "service_price_history", &[("service_id", &id)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn bad_prices_are_refused_with_clear_errors_and_change_nothing(db: TestDb) {
    let server = TestServer::start(&db).await;
    let before = price_list(&server).await;
    let first = before.services[0].clone();
    let id = first.service.id.to_string();
    let current = first.price.yuan_string();
    let unknown = domain::ServiceId::new().to_string();
    let hq = hq(&server).await;

    use domain::Error as E;
    let cases: Vec<(&str, &str, StatusCode, AppError)> = vec![
        (
            &id,
            "abc",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::AmountNotANumber),
        ),
        (
            &id,
            "1e5",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::AmountNotANumber),
        ),
        (
            &id,
            "NaN",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::AmountNotANumber),
        ),
        (
            &id,
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::AmountEmpty),
        ),
        (
            &id,
            "0",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::PriceNotPositive),
        ),
        (
            &id,
            "-5",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::PriceNotPositive),
        ),
        (
            &id,
            "1.005",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::AmountTooPrecise),
        ),
        (
            &id,
            "99999999999999999999",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::AmountOverflow),
        ),
        (
            &id,
            "20000000",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::PriceTooHigh),
        ),
        (
            &id,
            &current,
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::PriceUnchanged),
        ),
        (
            "not-an-id",
            "100",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::IdInvalid),
        ),
        (&unknown, "100", StatusCode::NOT_FOUND, AppError::NotFound),
    ];
    for (service_id, price, status, expected) in cases {
        let (got_status, body) = call_as(
            &hq,
            &server,
            "publish_service_price",
            &[("service_id", service_id), ("price", price)],
        )
        .await;
        assert_eq!(got_status, status, "price {price:?}: {body}");
        assert_eq!(error(&body), expected, "price {price:?}");
    }

    // A request missing an argument is malformed, not a server failure.
    let (status, body) = call_as(
        &hq,
        &server,
        "publish_service_price",
        &[("service_id", &id)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error(&body), AppError::BadRequest);

    assert_eq!(price_list(&server).await, before, "nothing changed");
}

async fn publishing_is_refused_to_everyone_but_hq_operations(db: TestDb) {
    let server = TestServer::start(&db).await;
    let before = price_list(&server).await;
    let id = before.services[0].service.id.to_string();
    let form = [("service_id", id.as_str()), ("price", "100")];

    let (status, body) = call(&server, "publish_service_price", &form).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(error(&body), AppError::Unauthenticated);

    let (customer, _) = common::new_customer(&server).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let supply = signed_in(&server, "staff", "13900000002").await;
    for (who, client) in [
        ("customer", customer),
        ("advisor", advisor),
        ("supply", supply),
    ] {
        let (status, body) = call_as(&client, &server, "publish_service_price", &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        assert_eq!(error(&body), AppError::Forbidden, "{who}");
    }
    assert_eq!(price_list(&server).await, before);
}

/// Reads SSE `data:` lines until one parses as a live event.
async fn next_event(
    stream: &mut (impl futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    buffer: &mut String,
) -> LiveEvent {
    loop {
        if let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            for line in frame.lines() {
                if let Some(data) = line.strip_prefix("data:") {
                    if let Ok(event) = serde_json::from_str(data.trim()) {
                        return event;
                    }
                }
            }
            continue;
        }
        let chunk = stream.next().await.expect("stream open").expect("chunk");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

/// With PostgreSQL: two instances on one database; an event published through A
/// reaches a client of B. With SQLite (one instance by design): the same on one.
async fn sse_carries_published_prices_to_every_instance(db: TestDb) {
    let a = TestServer::start(&db).await;
    let b = match db.backend() {
        Backend::Postgres => Some(TestServer::start(&db).await),
        Backend::Sqlite => None,
    };
    let listener = b.as_ref().unwrap_or(&a);

    let res = reqwest::get(listener.url(app::live::EVENTS_PATH))
        .await
        .expect("connect SSE");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .expect("header")
        .starts_with("text/event-stream"));
    let mut stream = res.bytes_stream();
    // The handler subscribed to the hub before it answered, and every instance was
    // LISTENing before it started serving: nothing published from here on is missed.

    let list = price_list(&a).await;
    let target = list.services[0].service.id;
    let (status, body) = call_as(
        &hq(&a).await,
        &a,
        "publish_service_price",
        &[("service_id", &target.to_string()), ("price", "321.00")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let mut buffer = String::new();
    let event = tokio::time::timeout(
        Duration::from_secs(10),
        next_event(&mut stream, &mut buffer),
    )
    .await
    .expect("event within 10 s");
    assert_eq!(
        event,
        LiveEvent::PriceListPublished {
            version: 2,
            item: PricedItem::Service(target),
            price: Money::from_fen(32_100),
        }
    );
}

/// A discount policy changes quotes: its publish reaches every instance's pages too.
async fn sse_carries_published_policies_to_every_instance(db: TestDb) {
    let a = TestServer::start(&db).await;
    let b = match db.backend() {
        Backend::Postgres => Some(TestServer::start(&db).await),
        Backend::Sqlite => None,
    };
    let listener = b.as_ref().unwrap_or(&a);
    let res = reqwest::get(listener.url(app::live::EVENTS_PATH))
        .await
        .expect("connect SSE");
    let mut stream = res.bytes_stream();

    let (status, body) = call_as(
        &hq(&a).await,
        &a,
        "publish_policy",
        &[
            ("kind", "tier_labour_percent"),
            ("name_zh", "金卡会员工时八折"),
            ("name_en", "Gold members: 20% off labour"),
            ("tier", "gold"),
            ("percent", "20"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let mut buffer = String::new();
    let event = tokio::time::timeout(
        Duration::from_secs(10),
        next_event(&mut stream, &mut buffer),
    )
    .await
    .expect("event within 10 s");
    let LiveEvent::PolicyPublished { policy } = event else {
        panic!("expected a published policy, got {event:?}");
    };
    let (status, body) = call(&a, "policies", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let policies: Vec<domain::discount::DiscountPolicy> =
        serde_json::from_str(&body).expect("policies");
    let published = policies
        .iter()
        .find(|p| p.id == policy)
        .expect("the announced policy is in force");
    assert_eq!(published.name_en, "Gold members: 20% off labour");
}

/// A broken database must not leak its error text (table names, SQL) to the client.
async fn internal_failures_reach_the_client_only_as_a_trace_id(db: TestDb) {
    let server = TestServer::start(&db).await;
    price_list(&server).await;
    match db.backend() {
        Backend::Sqlite => {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&db.url)
                .await
                .expect("connect");
            sqlx::query("DROP TABLE revisions")
                .execute(&mut conn)
                .await
                .expect("drop");
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
            sqlx::query("DROP TABLE revisions")
                .execute(&mut conn)
                .await
                .expect("drop");
        }
    }
    let (status, body) = call(&server, "price_list", &[]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    match error(&body) {
        AppError::Internal { trace_id } => assert_eq!(trace_id.len(), 32),
        other => panic!("expected an internal error, got {other:?}"),
    }
    assert!(!body.contains("revisions"), "leaked: {body}");
    assert!(!body.to_lowercase().contains("table"), "leaked: {body}");
}

/// A page on another site must not be able to make a browser publish prices.
async fn cross_site_publishing_is_refused(db: TestDb) {
    let server = TestServer::start(&db).await;
    let before = price_list(&server).await;
    let id = before.services[0].service.id.to_string();
    let hq = hq(&server).await;
    let publish = |origin: String| {
        hq.post(server.url("/api/publish_service_price"))
            .header("Origin", origin)
            .form(&[("service_id", id.as_str()), ("price", "555.00")])
            .send()
    };

    let res = publish("https://evil.example".into())
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error(&res.text().await.expect("body")), AppError::Forbidden);
    assert_eq!(price_list(&server).await, before);

    // The same request from the app's own pages goes through.
    let res = publish(server.base.clone()).await.expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(price_list(&server).await.version, before.version + 1);
}

/// Without the demo data nothing is on sale yet: an empty list, not an error.
async fn an_empty_database_offers_an_empty_price_list(db: TestDb) {
    let mut config = db.config();
    config.demo = false;
    let server = TestServer::start_with(config).await;
    let list = price_list(&server).await;
    assert_eq!(list.version, 0);
    assert!(list.services.is_empty());

    let (status, body) = call(
        &server,
        "publish_service_price",
        &[
            ("service_id", &domain::ServiceId::new().to_string()),
            ("price", "100"),
        ],
    )
    .await;
    // Without the demo data there is no staff account either: nobody may publish.
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

/// Many HQ publishes at once, over HTTP; with PostgreSQL spread over two instances. Every
/// one succeeds with its own version, none is lost, and the last version is in force.
async fn racing_publishes_over_http_each_get_their_own_version(db: TestDb) {
    let a = TestServer::start(&db).await;
    let b = match db.backend() {
        Backend::Postgres => Some(TestServer::start(&db).await),
        Backend::Sqlite => None,
    };
    let before = price_list(&a).await;
    let id = before.services[0].service.id.to_string();
    // One session, used on both instances: sessions live in the database.
    let hq = hq(&a).await;

    const N: usize = 16;
    let requests = (0..N).map(|i| {
        let server = if i % 2 == 1 {
            b.as_ref().unwrap_or(&a)
        } else {
            &a
        };
        let price = format!("{}.00", 500 + i);
        let id = id.clone();
        let hq = hq.clone();
        async move {
            call_as(
                &hq,
                server,
                "publish_service_price",
                &[("service_id", &id), ("price", &price)],
            )
            .await
        }
    });
    let mut versions: Vec<u32> = futures::future::join_all(requests)
        .await
        .into_iter()
        .map(|(status, body)| {
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_str(&body).expect("version")
        })
        .collect();
    versions.sort_unstable();
    let expected: Vec<u32> = (2..=(N as u32 + 1)).collect();
    assert_eq!(versions, expected);

    let after = price_list(b.as_ref().unwrap_or(&a)).await;
    assert_eq!(after.version, N as u32 + 1);
    let (_, body) = call_as(&hq, &a, "service_price_history", &[("service_id", &id)]).await;
    let history: Vec<app::pricing::PricePoint> = serde_json::from_str(&body).expect("history");
    assert_eq!(history.len(), N + 1);
    assert_eq!(after.services[0].price, history[0].price);
}
