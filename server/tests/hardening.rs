//! Black-box tests of what protects the server and its users, over HTTP on SQLite and
//! PostgreSQL: sign-in limits that slow a guesser without locking the owner out, sign-up
//! throttling, client addresses from trusted proxies only, security headers, cookies
//! over https, and caps on live-update streams.

mod common;

use std::time::Duration;

use app::error::AppError;
use common::{signed_in, TestDb, TestServer, DEMO_CUSTOMER};
use reqwest::{header, StatusCode};

both_backends!(
    a_guesser_is_slowed_but_the_owner_still_signs_in,
    sign_ups_are_throttled_per_address,
    forwarded_addresses_count_only_from_trusted_proxies,
    cross_site_sign_in_is_refused,
    pages_and_api_answers_carry_security_headers,
    over_https_cookies_are_host_only_and_hsts_is_sent,
    live_update_streams_are_capped_per_address_and_in_all,
);

use common::error;

/// A server that believes `X-Forwarded-For` from 127.0.0.1 (as behind a local proxy),
/// with the production limits on sign-in and sign-up.
async fn behind_proxy(db: &TestDb) -> TestServer {
    let mut config = db.config();
    config.trusted_proxies = server::config::parse_proxies("127.0.0.1").expect("proxies");
    config.limits.sign_in_burst = server::config::Limits::default().sign_in_burst;
    config.limits.sign_up_burst = server::config::Limits::default().sign_up_burst;
    TestServer::start_with(config).await
}

/// Signs in as `phone` from `addr` (through the trusted proxy).
async fn sign_in_from(
    server: &TestServer,
    addr: &str,
    phone: &str,
    password: &str,
) -> (StatusCode, String) {
    let res = common::browser()
        .post(server.url("/api/sign_in"))
        .header("x-forwarded-for", addr)
        .form(&[
            ("realm", "customer"),
            ("phone", phone),
            ("password", password),
        ])
        .send()
        .await
        .expect("request");
    let status = res.status();
    (status, res.text().await.expect("body"))
}

async fn a_guesser_is_slowed_but_the_owner_still_signs_in(db: TestDb) {
    let server = behind_proxy(&db).await;
    let guesser = "203.0.113.7";
    let mut refused = 0;
    for i in 0..14 {
        let (status, body) =
            sign_in_from(&server, guesser, DEMO_CUSTOMER, &format!("guess-{i}-x9")).await;
        match status {
            StatusCode::UNAUTHORIZED => assert_eq!(error(&body), AppError::BadCredentials),
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(error(&body), AppError::RateLimited);
                refused += 1;
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(refused, 4, "10 guesses at one account, then slowed");
    // Even the right password is refused to the guessing address for now...
    let (status, _) =
        sign_in_from(&server, guesser, DEMO_CUSTOMER, server::demo::DEMO_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // ...but the owner, from their own address, is not locked out.
    let (status, body) = sign_in_from(
        &server,
        "198.51.100.20",
        DEMO_CUSTOMER,
        server::demo::DEMO_PASSWORD,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn sign_ups_are_throttled_per_address(db: TestDb) {
    let server = behind_proxy(&db).await;
    let sign_up = |addr: &'static str, n: u32| {
        let url = server.url("/api/sign_up");
        async move {
            let res = common::browser()
                .post(url)
                .header("x-forwarded-for", addr)
                .form(&[
                    ("phone", format!("1360000{n:04}").as_str()),
                    ("name", "节流 测试"),
                    ("password", "brake-pads-7"),
                ])
                .send()
                .await
                .expect("request");
            let status = res.status();
            (status, res.text().await.expect("body"))
        }
    };
    for n in 0..5 {
        let (status, body) = sign_up("203.0.113.9", n).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = sign_up("203.0.113.9", 5).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(error(&body), AppError::RateLimited);
    // Nothing was created by the refused one: its number is still free elsewhere.
    let (status, body) = sign_up("198.51.100.30", 5).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn forwarded_addresses_count_only_from_trusted_proxies(db: TestDb) {
    // No trusted proxy: the header is the client's own claim and is ignored, so every
    // attempt counts against the real peer (127.0.0.1) whatever it says.
    let mut config = db.config();
    config.limits.sign_in_burst = 3;
    let server = TestServer::start_with(config).await;
    for i in 0..3 {
        let (status, _) = sign_in_from(
            &server,
            &format!("203.0.113.{i}"),
            "13800000099",
            "nope-nope-1",
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = sign_in_from(&server, "203.0.113.200", "13800000098", "nope-nope-1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // A trusted proxy: the right-most untrusted address is the client; what the client
    // put further left cannot move it to someone else's allowance.
    let mut config = db.config();
    config.trusted_proxies =
        server::config::parse_proxies("127.0.0.1, 10.0.0.0/8").expect("proxies");
    config.limits.sign_in_burst = 3;
    let server = TestServer::start_with(config).await;
    for i in 0..3 {
        let forged = format!("192.0.2.{i}, 203.0.113.50, 10.1.2.3");
        let (status, _) = sign_in_from(&server, &forged, "13800000097", "nope-nope-1").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = sign_in_from(
        &server,
        "192.0.2.99, 203.0.113.50",
        "13800000096",
        "nope-nope-1",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "203.0.113.50 is over its limit"
    );
    let (status, _) = sign_in_from(&server, "203.0.113.51", "13800000096", "nope-nope-1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "another client is not");
}

async fn cross_site_sign_in_is_refused(db: TestDb) {
    let server = TestServer::start(&db).await;
    for endpoint in [
        "sign_in",
        "sign_up",
        "sign_out",
        "confirm_booking",
        "cancel_booking",
    ] {
        let res = common::browser()
            .post(server.url(&format!("/api/{endpoint}")))
            .header(header::ORIGIN, "https://evil.example")
            .form(&[
                ("realm", "customer"),
                ("phone", DEMO_CUSTOMER),
                ("name", "x"),
                ("password", server::demo::DEMO_PASSWORD),
                // Every argument any of them takes, so none is refused as malformed.
                ("vehicle_id", &uuid::Uuid::now_v7().to_string()),
                ("service_id", &uuid::Uuid::now_v7().to_string()),
                ("store_id", &uuid::Uuid::now_v7().to_string()),
                ("order_id", &uuid::Uuid::now_v7().to_string()),
                ("start", "2026-12-04T02:00:00Z"),
                ("expected_total", "100"),
                ("idempotency_key", &uuid::Uuid::now_v7().to_string()),
            ])
            .send()
            .await
            .expect("request");
        let status = res.status();
        let body = res.text().await.expect("body");
        assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}: {body}");
        assert_eq!(error(&body), AppError::Forbidden, "{endpoint}");
    }
}

async fn pages_and_api_answers_carry_security_headers(db: TestDb) {
    let server = TestServer::start(&db).await;
    let client = signed_in(&server, "customer", DEMO_CUSTOMER).await;
    for path in [
        "/",
        "/book",
        "/kiosk",
        "/hq",
        "/hq/policies",
        "/no-such-page",
    ] {
        let (headers, html) = load_page(&client, &server, path).await;
        let csp = headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{path} has a CSP"))
            .to_owned();
        let nonce = csp
            .split([' ', ';'])
            .find_map(|t| t.strip_prefix("'nonce-")?.strip_suffix('\''))
            .unwrap_or_else(|| panic!("{path}: a nonce in {csp}"));
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("object-src 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        // Every inline script on the page carries this response's nonce.
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "{path} hydrates");
        let with_nonce = html.matches(&format!("nonce=\"{nonce}\"")).count();
        assert!(
            with_nonce >= scripts,
            "{path}: {with_nonce} of {scripts} scripts have the nonce"
        );
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert_eq!(
            headers[header::REFERRER_POLICY],
            "strict-origin-when-cross-origin"
        );
        assert!(
            headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
            "not over http"
        );
    }
    // Two loads, two nonces.
    let nonce_of = |res: &reqwest::Response| {
        res.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("csp")
            .to_owned()
    };
    let a = nonce_of(&client.get(server.url("/")).send().await.expect("page"));
    let b = nonce_of(&client.get(server.url("/")).send().await.expect("page"));
    assert_ne!(a, b);

    // Server functions, the event stream's refusals and health checks: nothing may load.
    let res = client
        .post(server.url("/api/price_list"))
        .send()
        .await
        .expect("api");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CONTENT_SECURITY_POLICY],
        server::headers::DEFAULT_CSP
    );
    assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}

/// A server-rendered page's headers and body. About once in several hundred loads under
/// the test suite's load, Leptos's streaming renderer stalls a response after its first
/// chunk and never ends it (an upstream lost-wakeup race in `Suspense`, the family of
/// leptos-rs/leptos#4851 and #4578; never reproduced outside the suite, see the README).
/// This test is about headers, so a stalled body is loaded once more, and said so; a
/// second stall fails it.
async fn load_page(
    client: &reqwest::Client,
    server: &TestServer,
    path: &str,
) -> (reqwest::header::HeaderMap, String) {
    for attempt in 1..=2 {
        let res = client.get(server.url(path)).send().await.expect("page");
        let headers = res.headers().clone();
        match tokio::time::timeout(std::time::Duration::from_secs(20), res.text()).await {
            Ok(html) => return (headers, html.expect("html")),
            Err(_) => {
                eprintln!("{path}: the rendered page stalled (attempt {attempt}); loading it again")
            }
        }
    }
    panic!("{path}: the rendered page stalled twice");
}

async fn over_https_cookies_are_host_only_and_hsts_is_sent(db: TestDb) {
    let mut config = db.config();
    config.https = true;
    let server = TestServer::start_with(config).await;
    let res = common::demo_customer_sign_in(&server, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let hsts = res.headers()[header::STRICT_TRANSPORT_SECURITY]
        .to_str()
        .expect("hsts");
    assert!(hsts.starts_with("max-age=63072000"), "{hsts}");
    let cookie = res.headers()[header::SET_COOKIE].to_str().expect("cookie");
    assert!(cookie.starts_with("__Host-pitlane_session="), "{cookie}");
    for part in ["Secure", "HttpOnly", "Path=/", "SameSite=Lax"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");

    // Over plain http, a client cannot claim https with a header.
    let server = TestServer::start(&db).await;
    let res = common::demo_customer_sign_in(&server, &[("x-forwarded-proto", "https")]).await;
    assert!(res
        .headers()
        .get(header::STRICT_TRANSPORT_SECURITY)
        .is_none());
    let cookie = res.headers()[header::SET_COOKIE].to_str().expect("cookie");
    assert!(cookie.starts_with("pitlane_session="), "{cookie}");
}

/// Opens an event stream; returns its status (200 means it is open) and the response,
/// kept so that the stream stays open.
async fn open_stream(server: &TestServer, lang: &str) -> (StatusCode, reqwest::Response) {
    let res = reqwest::Client::new()
        .get(server.url(app::live::EVENTS_PATH))
        .header(header::ACCEPT_LANGUAGE, lang)
        .send()
        .await
        .expect("events");
    (res.status(), res)
}

async fn live_update_streams_are_capped_per_address_and_in_all(db: TestDb) {
    let mut config = db.config();
    config.limits.sse_per_address = 3;
    config.limits.sse_total = 100;
    let server = TestServer::start_with(config).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        let (status, res) = open_stream(&server, "zh-CN").await;
        assert_eq!(status, StatusCode::OK);
        open.push(res);
    }
    let (status, res) = open_stream(&server, "en").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let text = res.text().await.expect("body");
    assert!(text.contains("Too many pages with live updates"), "{text}");
    let (_, res) = open_stream(&server, "zh-CN").await;
    assert!(res.text().await.expect("body").contains("实时更新"));

    // Closing one gives its place back.
    drop(open.pop());
    let mut reopened = None;
    for _ in 0..50 {
        let (status, res) = open_stream(&server, "en").await;
        if status == StatusCode::OK {
            reopened = Some(res);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(reopened.is_some(), "a closed stream frees its place");

    // The total cap, whoever asks.
    let mut config = db.config();
    config.limits.sse_per_address = 100;
    config.limits.sse_total = 2;
    let server = TestServer::start_with(config).await;
    let _a = open_stream(&server, "en").await;
    let _b = open_stream(&server, "en").await;
    let (status, res) = open_stream(&server, "en").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()["retry-after"], "30");
}
