//! Black-box tests of kiosk devices: HQ pairs an iPad with a store by a one-time code,
//! staff unlock it with their PIN, PIN guessing is slowed without locking colleagues
//! out, and revoking a device signs out whoever had it unlocked. Every test runs on
//! SQLite and on PostgreSQL against a real server on port 0.

mod common;

use app::account::Me;
use app::devices::{HqDevicesView, PairedDevice, PairingCodeView};
use app::error::AppError;
use common::{browser, call_as, error, signed_in, Arg, TestDb, TestServer, ADVISOR, HQ_ADMIN};
use domain::Error as E;
use reqwest::{Client, StatusCode};

both_backends!(
    a_manual_adjustment_needs_a_reason_and_a_managers_pin,
    an_orders_events_reach_its_customer_and_store_only,
    a_code_pairs_one_device_once_and_staff_unlock_it_with_their_pin,
    two_ipads_typing_one_code_at_once_pair_one,
    an_expired_code_pairs_nothing,
    pin_guessing_slows_the_guessed_person_not_their_colleagues,
    revoking_a_device_ends_its_sessions_at_once,
    pins_are_set_by_the_person_their_manager_or_hq_and_never_trivial,
    the_idle_lock_is_the_managers_setting,
    a_stores_live_events_reach_only_its_devices_and_hq,
    a_pin_session_counts_only_on_its_own_unrevoked_device,
);

const DEMO_PIN: &str = server::demo::DEMO_PIN;
const MANAGER: &str = "13900000003";

async fn me(client: &Client, server: &TestServer) -> Option<Me> {
    let (status, body) = call_as(client, server, "me", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("me JSON")
}

async fn staff_id(db: &TestDb, phone: &str) -> String {
    let rows: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE phone = $1",
            &[Arg::Text(phone.into())],
        )
        .await;
    rows[0].0.to_string()
}

/// The store the demo advisor and manager work at.
async fn demo_store(db: &TestDb) -> String {
    let rows: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT location_id FROM staff WHERE phone = $1",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    rows[0].0.to_string()
}

/// A pairing code HQ made for `store`.
async fn pairing_code(server: &TestServer, hq: &Client, store: &str) -> String {
    let (status, body) = call_as(
        hq,
        server,
        "create_pairing_code",
        &[("store_id", store), ("device_name", "前台 iPad")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code: PairingCodeView = serde_json::from_str(&body).expect("code");
    code.code
}

/// A browser that typed a fresh code for the demo store: a paired kiosk.
async fn paired_kiosk(server: &TestServer, db: &TestDb) -> Client {
    let hq = signed_in(server, "staff", HQ_ADMIN).await;
    let code = pairing_code(server, &hq, &demo_store(db).await).await;
    let kiosk = browser();
    let (status, body) = call_as(&kiosk, server, "pair_device", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    kiosk
}

async fn device(kiosk: &Client, server: &TestServer) -> Option<PairedDevice> {
    let (status, body) = call_as(kiosk, server, "kiosk_device", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("device")
}

async fn unlock(
    kiosk: &Client,
    server: &TestServer,
    staff: &str,
    pin: &str,
) -> (StatusCode, String) {
    call_as(
        kiosk,
        server,
        "unlock_kiosk",
        &[("staff_id", staff), ("pin", pin)],
    )
    .await
}

async fn a_code_pairs_one_device_once_and_staff_unlock_it_with_their_pin(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let store = demo_store(&db).await;
    let code = pairing_code(&server, &hq, &store).await;
    assert_eq!(code.len(), 9, "shown as XXXX-XXXX: {code}");

    // Before pairing, the browser is no kiosk and cannot unlock.
    let kiosk = browser();
    assert_eq!(device(&kiosk, &server).await, None);
    let advisor = staff_id(&db, ADVISOR).await;
    let (status, body) = unlock(&kiosk, &server, &advisor, DEMO_PIN).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error(&body), AppError::Invalid(E::DeviceNotPaired));

    // Typed in lower case with spaces, as people do.
    let typed = code.to_lowercase().replace('-', " ");
    let (status, body) = call_as(&kiosk, &server, "pair_device", &[("code", &typed)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let paired = device(&kiosk, &server).await.expect("paired");
    assert_eq!(paired.store.id.to_string(), store);
    assert_eq!(paired.idle_lock.minutes(), 2);
    assert!(paired
        .staff
        .iter()
        .any(|s| s.id.to_string() == advisor && s.has_pin));
    assert!(paired
        .staff
        .iter()
        .all(|s| !s.role.is_hq() && s.role != domain::StaffRole::Warehouse));
    let listed: HqDevicesView =
        serde_json::from_str(&call_as(&hq, &server, "hq_devices", &[]).await.1).expect("list");
    assert!(listed
        .devices
        .iter()
        .any(|d| d.id == paired.id && d.revoked_at.is_none()));

    // The code is spent: a second iPad cannot use it.
    let (status, body) = call_as(&browser(), &server, "pair_device", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error(&body), AppError::Invalid(E::PairingCodeInvalid));
    let (_, body) = call_as(
        &browser(),
        &server,
        "pair_device",
        &[("code", "not a code")],
    )
    .await;
    assert_eq!(error(&body), AppError::Invalid(E::PairingCodeInvalid));

    // A wrong PIN, a malformed one, someone of another store: refused, nobody signed in.
    for (pin, refusal) in [("135790", E::PinWrong), ("12345", E::PinInvalid)] {
        let (status, body) = unlock(&kiosk, &server, &advisor, pin).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error(&body), AppError::Invalid(refusal));
    }
    let elsewhere: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE role = 'service_advisor' AND location_id <> $1",
            &[Arg::Id(uuid::Uuid::parse_str(&store).expect("uuid"))],
        )
        .await;
    let (_, body) = unlock(&kiosk, &server, &elsewhere[0].0.to_string(), DEMO_PIN).await;
    assert_eq!(error(&body), AppError::Invalid(E::PinWrong));
    assert_eq!(me(&kiosk, &server).await, None);

    // The right PIN: the advisor, on this device.
    let (status, body) = unlock(&kiosk, &server, &advisor, DEMO_PIN).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let who = me(&kiosk, &server).await.expect("unlocked");
    assert_eq!(who.device, Some(paired.id));
    assert!(
        matches!(who.principal, domain::Principal::Staff { id, .. } if id.to_string() == advisor)
    );
    let listed: HqDevicesView =
        serde_json::from_str(&call_as(&hq, &server, "hq_devices", &[]).await.1).expect("list");
    let row = listed
        .devices
        .iter()
        .find(|d| d.id == paired.id)
        .expect("listed");
    assert!(row.last_unlock_at.is_some());

    // Locking ends the session; the device stays paired.
    let (status, _) = call_as(&kiosk, &server, "lock_kiosk", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me(&kiosk, &server).await, None);
    assert!(device(&kiosk, &server).await.is_some());

    // A code for the warehouse, or with no name, is refused and makes nothing.
    let warehouse: Vec<(uuid::Uuid,)> = db
        .rows("SELECT id FROM locations WHERE kind = 'warehouse'", &[])
        .await;
    let (_, body) = call_as(
        &hq,
        &server,
        "create_pairing_code",
        &[
            ("store_id", &warehouse[0].0.to_string()),
            ("device_name", "x"),
        ],
    )
    .await;
    assert_eq!(error(&body), AppError::Invalid(E::StoreUnknown));
    let (_, body) = call_as(
        &hq,
        &server,
        "create_pairing_code",
        &[("store_id", &store), ("device_name", "  ")],
    )
    .await;
    assert_eq!(error(&body), AppError::Invalid(E::DeviceNameInvalid));
    let codes: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM pairing_codes", &[]).await;
    assert_eq!(codes[0].0, 1);
}

async fn two_ipads_typing_one_code_at_once_pair_one(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let code = pairing_code(&server, &hq, &demo_store(&db).await).await;
    let server = std::sync::Arc::new(server);
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let (server, code) = (server.clone(), code.clone());
            tokio::spawn(async move {
                call_as(&browser(), &server, "pair_device", &[("code", &code)]).await
            })
        })
        .collect();
    let mut paired = 0;
    for attempt in attempts {
        let (status, body) = attempt.await.expect("join");
        match status {
            StatusCode::OK => paired += 1,
            _ => assert_eq!(error(&body), AppError::Invalid(E::PairingCodeInvalid)),
        }
    }
    assert_eq!(paired, 1);
    let devices: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM devices", &[]).await;
    assert_eq!(devices[0].0, 1);
}

async fn an_expired_code_pairs_nothing(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let code = pairing_code(&server, &hq, &demo_store(&db).await).await;
    #[allow(clippy::disallowed_methods)]
    let past = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    db.execute(
        "UPDATE pairing_codes SET expires_at = $1",
        &[Arg::Time(past)],
    )
    .await;
    let (_, body) = call_as(&browser(), &server, "pair_device", &[("code", &code)]).await;
    assert_eq!(error(&body), AppError::Invalid(E::PairingCodeInvalid));
    let devices: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM devices", &[]).await;
    assert_eq!(devices[0].0, 0);
}

async fn pin_guessing_slows_the_guessed_person_not_their_colleagues(db: TestDb) {
    let mut config = db.config();
    config.limits.pin_person_burst = 3;
    let server = TestServer::start_with(config).await;
    let kiosk = paired_kiosk(&server, &db).await;
    let advisor = staff_id(&db, ADVISOR).await;
    let manager = staff_id(&db, MANAGER).await;
    for _ in 0..3 {
        let (_, body) = unlock(&kiosk, &server, &advisor, "135790").await;
        assert_eq!(error(&body), AppError::Invalid(E::PinWrong));
    }
    // The guessed person is slowed down, even with the right PIN...
    let (status, body) = unlock(&kiosk, &server, &advisor, DEMO_PIN).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(me(&kiosk, &server).await, None);
    // ...and on another iPad of the store too, since the limit follows the person...
    let other_kiosk = paired_kiosk(&server, &db).await;
    let (status, _) = unlock(&other_kiosk, &server, &advisor, DEMO_PIN).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // ...while a colleague unlocks the same device at once.
    let (status, body) = unlock(&kiosk, &server, &manager, DEMO_PIN).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(me(&kiosk, &server).await.is_some());
}

async fn revoking_a_device_ends_its_sessions_at_once(db: TestDb) {
    let server = TestServer::start(&db).await;
    let kiosk = paired_kiosk(&server, &db).await;
    let other = paired_kiosk(&server, &db).await;
    let advisor = staff_id(&db, ADVISOR).await;
    let manager = staff_id(&db, MANAGER).await;
    assert_eq!(
        unlock(&kiosk, &server, &advisor, DEMO_PIN).await.0,
        StatusCode::OK
    );
    assert_eq!(
        unlock(&other, &server, &manager, DEMO_PIN).await.0,
        StatusCode::OK
    );
    let revoked = device(&kiosk, &server).await.expect("paired").id;

    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let (status, body) = call_as(
        &hq,
        &server,
        "revoke_device",
        &[("device_id", &revoked.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Whoever had it unlocked is signed out, and it is no kiosk any more...
    assert_eq!(me(&kiosk, &server).await, None);
    assert_eq!(device(&kiosk, &server).await, None);
    let (_, body) = unlock(&kiosk, &server, &advisor, DEMO_PIN).await;
    assert_eq!(error(&body), AppError::Invalid(E::DeviceNotPaired));
    // ...while the store's other iPad is untouched.
    assert!(me(&other, &server).await.is_some());
    // Revoking again changes nothing; an unknown device is not found.
    let (status, _) = call_as(
        &hq,
        &server,
        "revoke_device",
        &[("device_id", &revoked.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call_as(
        &hq,
        &server,
        "revoke_device",
        &[("device_id", &uuid::Uuid::now_v7().to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let listed: HqDevicesView =
        serde_json::from_str(&call_as(&hq, &server, "hq_devices", &[]).await.1).expect("list");
    let row = listed
        .devices
        .iter()
        .find(|d| d.id == revoked)
        .expect("still listed");
    assert!(row.revoked_at.is_some());
}

async fn pins_are_set_by_the_person_their_manager_or_hq_and_never_trivial(db: TestDb) {
    let server = TestServer::start(&db).await;
    let advisor = staff_id(&db, ADVISOR).await;
    let manager = signed_in(&server, "staff", MANAGER).await;
    let set = |client: Client, staff: String, pin: &'static str| {
        let server = &server;
        async move {
            call_as(
                &client,
                server,
                "set_pin",
                &[("staff_id", &staff), ("pin", pin)],
            )
            .await
        }
    };
    for (pin, refusal) in [
        ("123456", E::PinTooSimple),
        ("888888", E::PinTooSimple),
        ("12a456", E::PinInvalid),
    ] {
        let (status, body) = set(manager.clone(), advisor.clone(), pin).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{pin}: {body}");
        assert_eq!(error(&body), AppError::Invalid(refusal));
    }
    let (status, body) = set(manager.clone(), advisor.clone(), "135790").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let kiosk = paired_kiosk(&server, &db).await;
    let (_, body) = unlock(&kiosk, &server, &advisor, DEMO_PIN).await;
    assert_eq!(error(&body), AppError::Invalid(E::PinWrong));
    assert_eq!(
        unlock(&kiosk, &server, &advisor, "135790").await.0,
        StatusCode::OK
    );

    // The advisor, unlocked, changes their own PIN (not to the same one); not their
    // manager's.
    let (_, body) = set(kiosk.clone(), advisor.clone(), "135790").await;
    assert_eq!(error(&body), AppError::Invalid(E::PinReused));
    let (status, body) = set(kiosk.clone(), advisor.clone(), "246802").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let manager_id = staff_id(&db, MANAGER).await;
    let (status, _) = set(kiosk.clone(), manager_id, "246802").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Another store's manager cannot touch this store's PINs.
    let other: Vec<(String,)> = db
        .rows(
            "SELECT phone FROM staff WHERE role = 'store_manager' AND phone <> $1 ORDER BY phone",
            &[Arg::Text(MANAGER.into())],
        )
        .await;
    let other_manager = signed_in(&server, "staff", &other[0].0).await;
    let (status, _) = set(other_manager, advisor.clone(), "975310").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = set(browser(), advisor.clone(), "975310").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The refusals changed nothing: the advisor's own new PIN still unlocks.
    let again = paired_kiosk(&server, &db).await;
    assert_eq!(
        unlock(&again, &server, &advisor, "246802").await.0,
        StatusCode::OK
    );
}

async fn the_idle_lock_is_the_managers_setting(db: TestDb) {
    let server = TestServer::start(&db).await;
    let kiosk = paired_kiosk(&server, &db).await;
    let manager = signed_in(&server, "staff", MANAGER).await;
    for bad in ["0", "31", "two"] {
        let (_, body) = call_as(&manager, &server, "set_idle_lock", &[("minutes", bad)]).await;
        assert_eq!(error(&body), AppError::Invalid(E::IdleLockInvalid), "{bad}");
    }
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let (status, _) = call_as(&advisor, &server, "set_idle_lock", &[("minutes", "5")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        device(&kiosk, &server)
            .await
            .expect("paired")
            .idle_lock
            .minutes(),
        2
    );
    let (status, body) = call_as(&manager, &server, "set_idle_lock", &[("minutes", "5")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        device(&kiosk, &server)
            .await
            .expect("paired")
            .idle_lock
            .minutes(),
        5
    );
}

/// Opens a live-update stream as `client` (its cookies say who it is for).
async fn stream(
    client: &Client,
    server: &TestServer,
) -> impl futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin {
    let res = client
        .get(server.url(app::live::EVENTS_PATH))
        .send()
        .await
        .expect("connect SSE");
    assert_eq!(res.status(), StatusCode::OK);
    res.bytes_stream()
}

/// The events a stream carries up to and including the first price publish.
async fn events_until_a_price_publish(
    mut stream: impl futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin,
) -> Vec<app::live::LiveEvent> {
    use futures::StreamExt;
    let mut buffer = String::new();
    let mut events = Vec::new();
    let read = async {
        loop {
            while let Some(end) = buffer.find("\n\n") {
                let frame: String = buffer.drain(..end + 2).collect();
                for line in frame.lines() {
                    let Some(data) = line.strip_prefix("data:") else {
                        continue;
                    };
                    if let Ok(event) = serde_json::from_str::<app::live::LiveEvent>(data.trim()) {
                        let last = matches!(event, app::live::LiveEvent::PriceListPublished { .. });
                        events.push(event);
                        if last {
                            return;
                        }
                    }
                }
            }
            let chunk = stream.next().await.expect("stream open").expect("chunk");
            buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("the price publish within 10 s");
    events
}

async fn a_stores_live_events_reach_only_its_devices_and_hq(db: TestDb) {
    use app::live::LiveEvent;
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let here = paired_kiosk(&server, &db).await;
    let store = device(&here, &server).await.expect("paired").store.id;
    let other_store: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM locations WHERE kind = 'store' AND id <> $1 ORDER BY code",
            &[Arg::Id(store.as_uuid())],
        )
        .await;
    let elsewhere = browser();
    let code = pairing_code(&server, &hq, &other_store[0].0.to_string()).await;
    call_as(&elsewhere, &server, "pair_device", &[("code", &code)]).await;
    let (customer, _) = common::new_customer(&server).await;
    let streams = (
        stream(&here, &server).await,
        stream(&elsewhere, &server).await,
        stream(&customer, &server).await,
        stream(&hq, &server).await,
        stream(&browser(), &server).await,
    );

    // The store gets a new colleague; then HQ revokes its iPad; then a public event.
    let (status, body) = call_as(
        &hq,
        &server,
        "add_staff",
        &[
            ("store_id", &store.to_string()),
            ("role", "technician"),
            ("phone", "13722223333"),
            ("name", "新 技师"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let revoked = device(&here, &server).await.expect("paired").id;
    let (status, _) = call_as(
        &hq,
        &server,
        "revoke_device",
        &[("device_id", &revoked.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = call_as(&hq, &server, "price_list", &[]).await;
    let list: app::pricing::PriceListView = serde_json::from_str(&body).expect("prices");
    let service = list.services[0].service.id.to_string();
    let (status, body) = call_as(
        &hq,
        &server,
        "publish_service_price",
        &[("service_id", &service), ("price", "321.00")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let store_events = vec![
        LiveEvent::KioskChanged { store },
        LiveEvent::DeviceRevoked {
            device: revoked,
            store,
        },
    ];
    let without_prices = |events: Vec<LiveEvent>| -> Vec<LiveEvent> {
        events
            .into_iter()
            .filter(|e| !matches!(e, LiveEvent::PriceListPublished { .. }))
            .collect()
    };
    // The store's own iPad and HQ hear both; the other store's iPad, a customer and an
    // anonymous page hear only the public price.
    assert_eq!(
        without_prices(events_until_a_price_publish(streams.0).await),
        store_events
    );
    assert_eq!(
        without_prices(events_until_a_price_publish(streams.3).await),
        store_events
    );
    for other in [streams.1, streams.2, streams.4] {
        assert_eq!(
            without_prices(events_until_a_price_publish(other).await),
            vec![]
        );
    }
}

/// An order's events (extra work offered) reach its customer, its store and HQ, and no
/// one else.
async fn an_orders_events_reach_its_customer_and_store_only(db: TestDb) {
    use app::live::LiveEvent;
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let store: Vec<(uuid::Uuid, String)> = db
        .rows(
            "SELECT s.location_id, m.phone FROM staff s
             JOIN staff m ON m.location_id <> s.location_id AND m.role = 'store_manager'
             WHERE s.phone = $1 ORDER BY m.phone",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let (store, other_manager) = store[0].clone();
    let elsewhere = signed_in(&server, "staff", &other_manager).await;
    let (owner, car) = common::customer_with_car(&server).await;
    let (stranger, _) = common::customer_with_car(&server).await;
    let (booking, service) = common::book_oil_change(&server, &owner, &car, store).await;
    let order = booking.id.to_string();
    let (status, body) = call_as(
        &advisor,
        &server,
        "advance_work_order",
        &[
            ("order_id", &order),
            ("step", "check_in"),
            ("mileage", "30000"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let streams = (
        stream(&owner, &server).await,
        stream(&advisor, &server).await,
        stream(&hq, &server).await,
        stream(&stranger, &server).await,
        stream(&elsewhere, &server).await,
    );
    let (status, body) = call_as(
        &advisor,
        &server,
        "record_finding",
        &[
            ("order_id", &order),
            ("item", "机油滤清器渗油"),
            ("severity", "amber"),
            ("service_id", &service),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = call_as(&hq, &server, "price_list", &[]).await;
    let list: app::pricing::PriceListView = serde_json::from_str(&body).expect("prices");
    let (status, body) = call_as(
        &hq,
        &server,
        "publish_service_price",
        &[
            ("service_id", &list.services[0].service.id.to_string()),
            ("price", "322.00"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let changed = LiveEvent::OrderChanged {
        store: domain::StoreId::from(store),
        customer: {
            let rows: Vec<(uuid::Uuid,)> = db
                .rows(
                    "SELECT customer_id FROM orders WHERE id = $1",
                    &[Arg::Id(booking.id.as_uuid())],
                )
                .await;
            domain::CustomerId::from(rows[0].0)
        },
        order: booking.id,
    };
    let order_events = |events: Vec<LiveEvent>| -> Vec<LiveEvent> {
        events
            .into_iter()
            .filter(|e| matches!(e, LiveEvent::OrderChanged { .. }))
            .collect()
    };
    for heard in [streams.0, streams.1, streams.2] {
        assert_eq!(
            order_events(events_until_a_price_publish(heard).await),
            vec![changed.clone()]
        );
    }
    for other in [streams.3, streams.4] {
        assert_eq!(
            order_events(events_until_a_price_publish(other).await),
            vec![]
        );
    }
}

/// A price is adjusted at the counter only with a reason and the PIN of a manager of
/// the store, on its paired iPad, never below zero and only while the car is there; the
/// bill shows it, with who approved it, to the store and to the customer.
async fn a_manual_adjustment_needs_a_reason_and_a_managers_pin(db: TestDb) {
    let server = TestServer::start(&db).await;
    let store = demo_store(&db).await;
    let kiosk = paired_kiosk(&server, &db).await;
    let advisor = staff_id(&db, ADVISOR).await;
    let manager = staff_id(&db, MANAGER).await;
    let (status, body) = unlock(&kiosk, &server, &advisor, DEMO_PIN).await;
    assert!(status.is_success() || status.is_redirection(), "{body}");
    let (owner, car) = common::customer_with_car(&server).await;
    let (booking, _) =
        common::book_oil_change(&server, &owner, &car, store.parse().expect("store id")).await;
    let order = booking.id.to_string();
    let adjust = |client: &Client, amount: &str, reason: &str, manager: &str, pin: &str| {
        let (client, server, order) = (client.clone(), &server, order.clone());
        let form = [
            ("order_id", order),
            ("amount", amount.to_owned()),
            ("reason", reason.to_owned()),
            ("manager_id", manager.to_owned()),
            ("manager_pin", pin.to_owned()),
        ];
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call_as(&client, server, "adjust_price", &form).await
        }
    };
    let reason = "刹车片有划痕，店长同意优惠";
    // Before the car is here: not now.
    let (status, body) = adjust(&kiosk, "20", reason, &manager, DEMO_PIN).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), AppError::Invalid(E::AdjustmentNotNow));
    let (status, body) = call_as(
        &kiosk,
        &server,
        "advance_work_order",
        &[
            ("order_id", &order),
            ("step", "check_in"),
            ("mileage", "30000"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // No reason, nothing off, more than the bill, the advisor as "manager", a wrong PIN,
    // an iPad that is not paired: refused, and nothing recorded.
    let too_much = (booking.breakdown.total.fen() / 100 + 1).to_string();
    let advisor_browser = signed_in(&server, "staff", ADVISOR).await;
    for (client, amount, why, approver, pin, refusal) in [
        (
            &kiosk,
            "20",
            " ",
            manager.as_str(),
            DEMO_PIN,
            AppError::Invalid(E::AdjustmentReasonMissing),
        ),
        (
            &kiosk,
            "0",
            reason,
            manager.as_str(),
            DEMO_PIN,
            AppError::Invalid(E::PriceNotPositive),
        ),
        (
            &kiosk,
            too_much.as_str(),
            reason,
            manager.as_str(),
            DEMO_PIN,
            AppError::Invalid(E::AdjustmentTooLarge),
        ),
        (
            &kiosk,
            "20",
            reason,
            advisor.as_str(),
            DEMO_PIN,
            AppError::Invalid(E::ManagerApprovalNeeded),
        ),
        (
            &kiosk,
            "20",
            reason,
            manager.as_str(),
            "135792",
            AppError::Invalid(E::PinWrong),
        ),
        (
            &advisor_browser,
            "20",
            reason,
            manager.as_str(),
            DEMO_PIN,
            AppError::Invalid(E::DeviceNotPaired),
        ),
    ] {
        let (status, body) = adjust(client, amount, why, approver, pin).await;
        assert!(!status.is_success(), "{body}");
        assert_eq!(error(&body), refusal, "{amount} {why} {pin}");
    }
    let count: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM adjustments", &[]).await;
    assert_eq!(count[0].0, 0);

    // With the manager's PIN: recorded, shown with who approved it, on the board and to
    // the customer.
    let (status, body) = adjust(&kiosk, "20.00", reason, &manager, DEMO_PIN).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bill: app::bill::BillView = serde_json::from_str(&body).expect("bill");
    assert_eq!(bill.booked, booking.breakdown.total);
    assert_eq!(bill.total.fen(), booking.breakdown.total.fen() - 2000);
    assert_eq!(bill.adjustments.len(), 1);
    assert_eq!(bill.adjustments[0].reason, reason);
    let managers: Vec<(String,)> = db
        .rows(
            "SELECT name_zh FROM staff WHERE phone = $1",
            &[Arg::Text(MANAGER.into())],
        )
        .await;
    assert_eq!(bill.adjustments[0].approved_by.zh, managers[0].0);
    let day = domain::local_time::local_date(booking.start).to_string();
    let (_, body) = call_as(&kiosk, &server, "store_board", &[("day", &day)]).await;
    let board: app::workorders::Board = serde_json::from_str(&body).expect("board");
    let card = board
        .orders
        .iter()
        .find(|c| c.id == booking.id)
        .expect("card");
    assert_eq!(card.bill, bill);
    let (_, body) = call_as(&owner, &server, "booking_findings", &[("order_id", &order)]).await;
    let theirs: app::findings::OrderFindings = serde_json::from_str(&body).expect("findings");
    assert_eq!(theirs.bill, bill);
}

/// The value of the cookie `name` that a response set.
fn set_cookie(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("no {name} cookie set"))
        .to_owned()
}

async fn me_with_cookies(server: &TestServer, cookies: &str) -> Option<Me> {
    let res = Client::new()
        .post(server.url("/api/me"))
        .header("cookie", cookies)
        .send()
        .await
        .expect("me");
    serde_json::from_str(&res.text().await.expect("body")).expect("me JSON")
}

async fn a_pin_session_counts_only_on_its_own_unrevoked_device(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let store = demo_store(&db).await;
    let advisor = staff_id(&db, ADVISOR).await;
    let pair = |code: String| {
        let server = &server;
        async move {
            Client::new()
                .post(server.url("/api/pair_device"))
                .form(&[("code", code)])
                .send()
                .await
                .expect("pair")
        }
    };
    let device = set_cookie(
        &pair(pairing_code(&server, &hq, &store).await).await,
        "pitlane_device",
    );
    let other = set_cookie(
        &pair(pairing_code(&server, &hq, &store).await).await,
        "pitlane_device",
    );
    let res = Client::new()
        .post(server.url("/api/unlock_kiosk"))
        .header("cookie", format!("pitlane_device={device}"))
        .form(&[("staff_id", advisor.as_str()), ("pin", DEMO_PIN)])
        .send()
        .await
        .expect("unlock");
    assert_eq!(res.status(), StatusCode::OK);
    let session = set_cookie(&res, "pitlane_session");

    // On its device, the advisor; carried anywhere else, nobody.
    let here = format!("pitlane_session={session}; pitlane_device={device}");
    assert!(me_with_cookies(&server, &here).await.is_some());
    assert_eq!(
        me_with_cookies(&server, &format!("pitlane_session={session}")).await,
        None
    );
    let elsewhere = format!("pitlane_session={session}; pitlane_device={other}");
    assert_eq!(me_with_cookies(&server, &elsewhere).await, None);

    // A session of a revoked device counts for nothing, even one its revocation missed.
    let id = device_id(&db, &device).await;
    let (status, _) = call_as(
        &hq,
        &server,
        "revoke_device",
        &[("device_id", &id.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    #[allow(clippy::disallowed_methods)]
    let now = time::OffsetDateTime::now_utc();
    let staff: uuid::Uuid = advisor.parse().expect("uuid");
    let token = "a-session-the-revocation-missed";
    db.execute(
        "INSERT INTO sessions (token_hash, staff_id, created_at, expires_at, device_id)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            Arg::Text(app::account::session::token_hash(token)),
            Arg::Id(staff),
            Arg::Time(now),
            Arg::Time(now + time::Duration::hours(1)),
            Arg::Id(id),
        ],
    )
    .await;
    let missed = format!("pitlane_session={token}; pitlane_device={device}");
    assert_eq!(me_with_cookies(&server, &missed).await, None);
}

async fn device_id(db: &TestDb, token: &str) -> uuid::Uuid {
    let rows: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM devices WHERE token_hash = $1",
            &[Arg::Text(app::account::session::token_hash(token))],
        )
        .await;
    rows[0].0
}
