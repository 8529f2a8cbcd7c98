//! Black-box tests of accounts and the garage: sign-up, sign-in, sessions, rate limiting,
//! and that one customer can never see or change another's vehicles. Every test runs on
//! SQLite and on PostgreSQL against a real server on port 0.

mod common;

use app::account::Me;
use app::error::AppError;
use app::garage::{Vehicle, VehicleDetail};
use common::{
    browser, call_as, new_customer, sign_in_request, signed_in, TestDb, TestServer, DEMO_CUSTOMER,
    HQ_ADMIN,
};
use domain::{Error as E, Principal};
use reqwest::StatusCode;

both_backends!(
    sign_up_signs_in_and_sign_out_ends_the_session,
    bad_sign_ups_are_refused_and_create_nothing,
    wrong_credentials_are_refused_alike,
    sign_in_is_rate_limited_per_account,
    every_sign_in_gets_a_new_session,
    the_session_cookie_is_http_only_and_lax,
    garage_add_edit_remove_and_restore,
    bad_vehicles_are_refused_and_change_nothing,
    another_customers_vehicle_is_out_of_reach,
    a_plate_belongs_to_one_garage_at_a_time,
    the_demo_customer_sees_their_service_history,
);

use common::error;

async fn me(client: &reqwest::Client, server: &TestServer) -> Option<Me> {
    let (status, body) = call_as(client, server, "me", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("me JSON")
}

/// The session token a response set, if any.
fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("pitlane_session=") || c.starts_with("__Host-pitlane_session="))
        .map(str::to_owned)
}

async fn sign_in_raw(server: &TestServer, phone: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url("/api/sign_in"))
        .form(&[
            ("realm", "customer"),
            ("phone", phone),
            ("password", password),
        ])
        .send()
        .await
        .expect("request")
}

async fn sign_up_signs_in_and_sign_out_ends_the_session(db: TestDb) {
    let server = TestServer::start(&db).await;
    let anonymous = browser();
    assert_eq!(me(&anonymous, &server).await, None);

    let (client, phone) = new_customer(&server).await;
    let who = me(&client, &server).await.expect("signed in after sign-up");
    assert!(matches!(who.principal, Principal::Customer { .. }));
    assert_eq!(who.name_zh, "测试 客户");

    // Sign in again from a second client, keep its raw token, then sign that client out.
    let res = sign_in_raw(&server, &phone, "brake-pads-7").await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = session_cookie(&res).expect("a session cookie");
    let token = cookie.split(';').next().expect("pair").to_owned();
    let with_token = |endpoint: &'static str| {
        reqwest::Client::new()
            .post(server.url(&format!("/api/{endpoint}")))
            .header("cookie", token.clone())
            .send()
    };
    let body = with_token("me")
        .await
        .expect("me")
        .text()
        .await
        .expect("body");
    assert!(body.contains(r#""kind":"customer""#), "{body}");

    let res = with_token("sign_out").await.expect("sign out");
    assert_eq!(res.status(), StatusCode::OK);
    let cleared = session_cookie(&res).expect("cookie cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // The old token is worthless now, even sent by hand.
    let body = with_token("me")
        .await
        .expect("me")
        .text()
        .await
        .expect("body");
    assert_eq!(body, "null");
    let (status, body) = call_as(&reqwest::Client::new(), &server, "my_vehicles", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // The first client's own session is untouched.
    assert!(me(&client, &server).await.is_some());
}

async fn bad_sign_ups_are_refused_and_create_nothing(db: TestDb) {
    let server = TestServer::start(&db).await;
    let cases: [(&str, &str, &str, AppError); 7] = [
        (
            "12345",
            "王五",
            "brake-pads-7",
            AppError::Invalid(E::PhoneInvalid),
        ),
        (
            "13712340000",
            "王五",
            "short1",
            AppError::Invalid(E::PasswordTooShort),
        ),
        (
            "13712340000",
            "王五",
            "abcdefghij",
            AppError::Invalid(E::PasswordTooSimple),
        ),
        (
            "13712340000",
            "王五",
            "pw13712340000",
            AppError::Invalid(E::PasswordTooSimple),
        ),
        (
            "13712340000",
            "   ",
            "brake-pads-7",
            AppError::Invalid(E::NameInvalid),
        ),
        // The demo customer's number already has an account.
        (
            DEMO_CUSTOMER,
            "王五",
            "brake-pads-7",
            AppError::Invalid(E::PhoneTaken),
        ),
        (
            "13712340000",
            "王五",
            &"a1".repeat(70),
            AppError::Invalid(E::PasswordTooLong),
        ),
    ];
    for (phone, name, password, expected) in cases {
        let client = browser();
        let (status, body) = call_as(
            &client,
            &server,
            "sign_up",
            &[("phone", phone), ("name", name), ("password", password)],
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{phone} {password}: {body}"
        );
        assert_eq!(error(&body), expected);
        assert_eq!(me(&client, &server).await, None, "not signed in");
    }
    // None of the refused sign-ups created the account.
    let res = sign_in_raw(&server, "13712340000", "brake-pads-7").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn wrong_credentials_are_refused_alike(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (_, phone) = new_customer(&server).await;
    for (realm, phone, password) in [
        ("customer", phone.as_str(), "wrong-password-1"),
        ("customer", "13700000000", "brake-pads-7"),
        ("customer", "not a phone", "brake-pads-7"),
        // A customer is not staff, and staff are not customers.
        ("staff", phone.as_str(), "brake-pads-7"),
        ("customer", HQ_ADMIN, server::demo::DEMO_PASSWORD),
    ] {
        let client = browser();
        let (status, body) = call_as(
            &client,
            &server,
            "sign_in",
            &[("realm", realm), ("phone", phone), ("password", password)],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{realm} {phone}: {body}");
        assert_eq!(error(&body), AppError::BadCredentials);
        assert_eq!(me(&client, &server).await, None);
    }
    let (status, body) = call_as(
        &browser(),
        &server,
        "sign_in",
        &[("realm", "admin"), ("phone", &phone), ("password", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

async fn sign_in_is_rate_limited_per_account(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (_, phone) = new_customer(&server).await;
    for attempt in 0..10 {
        let res = sign_in_raw(&server, &phone, "wrong-password-1").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // Over the limit even the right password is refused, and no session is made.
    let res = sign_in_raw(&server, &phone, "brake-pads-7").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(session_cookie(&res).is_none());
    assert_eq!(
        error(&res.text().await.expect("body")),
        AppError::RateLimited
    );
    // Other accounts are not locked out by it.
    signed_in(&server, "customer", DEMO_CUSTOMER).await;
}

async fn every_sign_in_gets_a_new_session(db: TestDb) {
    let server = TestServer::start(&db).await;
    let client = signed_in(&server, "customer", DEMO_CUSTOMER).await;
    let first = sign_in_request(&client, &server, "customer", DEMO_CUSTOMER)
        .send()
        .await
        .expect("sign in");
    let second = sign_in_request(&client, &server, "customer", DEMO_CUSTOMER)
        .send()
        .await
        .expect("sign in");
    let a = session_cookie(&first).expect("cookie");
    let b = session_cookie(&second).expect("cookie");
    assert_ne!(a, b);
    // The session the request came with was ended, not promoted.
    let old = a.split(';').next().expect("pair").to_owned();
    let body = reqwest::Client::new()
        .post(server.url("/api/me"))
        .header("cookie", old)
        .send()
        .await
        .expect("me")
        .text()
        .await
        .expect("body");
    assert_eq!(body, "null");
    assert!(me(&client, &server).await.is_some());
}

async fn the_session_cookie_is_http_only_and_lax(db: TestDb) {
    let server = TestServer::start(&db).await;
    let res = sign_in_raw(&server, DEMO_CUSTOMER, server::demo::DEMO_PASSWORD).await;
    let cookie = session_cookie(&res).expect("cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");

    // Behind a trusted proxy that terminated TLS: Secure, and the `__Host-` name.
    let mut config = db.config();
    config.trusted_proxies = server::config::parse_proxies("127.0.0.1").expect("proxies");
    let proxied = TestServer::start_with(config).await;
    let res = common::demo_customer_sign_in(&proxied, &[("x-forwarded-proto", "https")]).await;
    let cookie = session_cookie(&res).expect("cookie");
    assert!(cookie.contains("; Secure"), "behind https: {cookie}");
    assert!(cookie.starts_with("__Host-pitlane_session="), "{cookie}");
}

async fn first_model(server: &TestServer) -> String {
    let (_, body) = call_as(&browser(), server, "models", &[]).await;
    let models: Vec<app::garage::VehicleModel> = serde_json::from_str(&body).expect("models");
    assert!(models.len() >= 10);
    models[0].id.to_string()
}

async fn my_vehicles(client: &reqwest::Client, server: &TestServer) -> Vec<Vehicle> {
    let (status, body) = call_as(client, server, "my_vehicles", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("vehicles")
}

async fn add(
    client: &reqwest::Client,
    server: &TestServer,
    plate: &str,
    model: &str,
    km: &str,
) -> (StatusCode, String) {
    call_as(
        client,
        server,
        "add_vehicle",
        &[("plate", plate), ("model_id", model), ("mileage", km)],
    )
    .await
}

async fn garage_add_edit_remove_and_restore(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (client, _) = new_customer(&server).await;
    let model = first_model(&server).await;
    assert!(my_vehicles(&client, &server).await.is_empty());

    let (status, body) = add(&client, &server, " 浙a 12345 ", &model, "12,345").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let car: Vehicle = serde_json::from_str(&body).expect("vehicle");
    assert_eq!(car.plate.as_str(), "浙A12345");
    assert_eq!(car.mileage.km(), 12_345);
    let (status, _) = add(&client, &server, "浙AD12345", &model, "800").await;
    assert_eq!(status, StatusCode::OK);
    let list = my_vehicles(&client, &server).await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0], car);

    let id = car.id.to_string();
    let (status, body) = call_as(
        &client,
        &server,
        "update_vehicle",
        &[
            ("vehicle_id", &id),
            ("model_id", &model),
            ("mileage", "13000"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = call_as(&client, &server, "vehicle_history", &[("vehicle_id", &id)]).await;
    let detail: VehicleDetail = serde_json::from_str(&body).expect("detail");
    assert_eq!(detail.vehicle.mileage.km(), 13_000);
    assert!(detail.history.is_empty());

    let (status, _) = call_as(&client, &server, "remove_vehicle", &[("vehicle_id", &id)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(my_vehicles(&client, &server).await.len(), 1);
    let (status, _) = call_as(&client, &server, "remove_vehicle", &[("vehicle_id", &id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already removed");

    // Adding the plate again brings the same vehicle back.
    let (status, body) = add(&client, &server, "浙A12345", &model, "14000").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let back: Vehicle = serde_json::from_str(&body).expect("vehicle");
    assert_eq!(back.id, car.id);
    assert_eq!(back.mileage.km(), 14_000);
}

async fn bad_vehicles_are_refused_and_change_nothing(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (client, _) = new_customer(&server).await;
    let model = first_model(&server).await;
    let unknown_model = domain::ModelId::new().to_string();
    let cases: [(&str, &str, &str, StatusCode, AppError); 6] = [
        (
            "浙A1234",
            &model,
            "100",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::PlateInvalid),
        ),
        (
            "ABC12345",
            &model,
            "100",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::PlateInvalid),
        ),
        (
            "浙A12345",
            &model,
            "-1",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::MileageInvalid),
        ),
        (
            "浙A12345",
            &model,
            "3000000",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::MileageInvalid),
        ),
        (
            "浙A12345",
            "nope",
            "100",
            StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Invalid(E::IdInvalid),
        ),
        (
            "浙A12345",
            &unknown_model,
            "100",
            StatusCode::NOT_FOUND,
            AppError::NotFound,
        ),
    ];
    for (plate, model, km, status, expected) in cases {
        let (got, body) = add(&client, &server, plate, model, km).await;
        assert_eq!(got, status, "{plate} {km}: {body}");
        assert_eq!(error(&body), expected);
    }
    assert!(
        my_vehicles(&client, &server).await.is_empty(),
        "nothing added"
    );

    // Not signed in: nothing can be added at all.
    let (status, _) = add(&browser(), &server, "浙A12345", &model, "100").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Staff have no garage.
    let staff = signed_in(&server, "staff", HQ_ADMIN).await;
    let (status, _) = add(&staff, &server, "浙A12345", &model, "100").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn another_customers_vehicle_is_out_of_reach(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (owner, _) = new_customer(&server).await;
    let (other, _) = new_customer(&server).await;
    let model = first_model(&server).await;
    let (_, body) = add(&owner, &server, "沪B88888", &model, "5000").await;
    let car: Vehicle = serde_json::from_str(&body).expect("vehicle");
    let id = car.id.to_string();

    for (endpoint, form) in [
        ("vehicle_history", vec![("vehicle_id", id.as_str())]),
        ("remove_vehicle", vec![("vehicle_id", id.as_str())]),
        (
            "update_vehicle",
            vec![
                ("vehicle_id", id.as_str()),
                ("model_id", model.as_str()),
                ("mileage", "1"),
            ],
        ),
    ] {
        let (status, body) = call_as(&other, &server, endpoint, &form).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}: {body}");
        assert_eq!(error(&body), AppError::NotFound);
    }
    assert!(my_vehicles(&other, &server).await.is_empty());
    assert_eq!(my_vehicles(&owner, &server).await, vec![car]);
}

async fn a_plate_belongs_to_one_garage_at_a_time(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (first, _) = new_customer(&server).await;
    let (second, _) = new_customer(&server).await;
    let model = first_model(&server).await;
    let (_, body) = add(&first, &server, "粤B12345", &model, "5000").await;
    let car: Vehicle = serde_json::from_str(&body).expect("vehicle");

    let (status, body) = add(&second, &server, "粤B12345", &model, "5100").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), AppError::Invalid(E::PlateTaken));
    assert!(my_vehicles(&second, &server).await.is_empty());

    // Sold: the first owner removes it, the new owner adds it.
    let id = car.id.to_string();
    call_as(&first, &server, "remove_vehicle", &[("vehicle_id", &id)]).await;
    let (status, body) = add(&second, &server, "粤B12345", &model, "5100").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(my_vehicles(&second, &server).await.len(), 1);
    assert!(my_vehicles(&first, &server).await.is_empty());

    // Two customers adding one new plate at the same moment: exactly one gets it.
    let (a, _) = new_customer(&server).await;
    let (b, _) = new_customer(&server).await;
    let (ra, rb) = tokio::join!(
        add(&a, &server, "京N77777", &model, "1"),
        add(&b, &server, "京N77777", &model, "1"),
    );
    let ok = [&ra, &rb]
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .count();
    assert_eq!(ok, 1, "{ra:?} {rb:?}");
    let taken = if ra.0 == StatusCode::OK { &rb } else { &ra };
    assert_eq!(error(&taken.1), AppError::Invalid(E::PlateTaken));
}

async fn the_demo_customer_sees_their_service_history(db: TestDb) {
    let server = TestServer::start(&db).await;
    let client = signed_in(&server, "customer", DEMO_CUSTOMER).await;
    let vehicles = my_vehicles(&client, &server).await;
    assert!(!vehicles.is_empty());
    let mut total = 0;
    for v in &vehicles {
        let (status, body) = call_as(
            &client,
            &server,
            "vehicle_history",
            &[("vehicle_id", &v.id.to_string())],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let detail: VehicleDetail = serde_json::from_str(&body).expect("detail");
        for pair in detail.history.windows(2) {
            assert!(pair[0].created_at >= pair[1].created_at, "newest first");
        }
        assert!(detail.history.iter().all(|h| !h.services.is_empty()));
        total += detail.history.len();
    }
    assert!(total > 0, "the demo customer has been to a store");
}
