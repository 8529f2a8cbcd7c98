//! Black-box tests of store staff management: HQ adds, moves, re-skills and deactivates
//! store staff; someone deactivated is signed out everywhere at once and can neither sign
//! in nor unlock a kiosk again. On SQLite and PostgreSQL, over HTTP.

mod common;

use app::error::AppError;
use app::staff::StaffRoster;
use common::{browser, call_as, error, signed_in, Arg, TestDb, TestServer, ADVISOR, HQ_ADMIN};
use domain::{Error as E, ServiceCategory, StaffRole};
use reqwest::{Client, StatusCode};

both_backends!(
    hq_adds_moves_and_reskills_kiosk,
    a_deactivated_person_is_signed_out_everywhere_at_once,
);

const DEMO_PIN: &str = server::demo::DEMO_PIN;

async fn roster(hq: &Client, server: &TestServer) -> StaffRoster {
    let (status, body) = call_as(hq, server, "staff_roster", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("roster")
}

async fn hq_adds_moves_and_reskills_kiosk(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let before = roster(&hq, &server).await;
    let (first, second) = (
        before.stores[0].id.to_string(),
        before.stores[1].id.to_string(),
    );
    assert!(before
        .staff
        .iter()
        .all(|m| StaffRole::STORE.contains(&m.role)));

    // Bad input is refused and adds nobody.
    let warehouse: Vec<(uuid::Uuid,)> = db
        .rows("SELECT id FROM locations WHERE kind = 'warehouse'", &[])
        .await;
    for (store, role, phone, name, refusal) in [
        (
            first.as_str(),
            "hq_admin",
            "13711112222",
            "新 同事",
            E::RoleNotForStore,
        ),
        (
            first.as_str(),
            "technician",
            "1371111",
            "新 同事",
            E::PhoneInvalid,
        ),
        (
            first.as_str(),
            "technician",
            "13711112222",
            " ",
            E::NameInvalid,
        ),
        (
            &warehouse[0].0.to_string(),
            "technician",
            "13711112222",
            "新 同事",
            E::StoreUnknown,
        ),
        (
            first.as_str(),
            "technician",
            ADVISOR,
            "新 同事",
            E::PhoneTaken,
        ),
    ] {
        let (status, body) = call_as(
            &hq,
            &server,
            "add_staff",
            &[
                ("store_id", store),
                ("role", role),
                ("phone", phone),
                ("name", name),
            ],
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{role} {phone}: {body}"
        );
        assert_eq!(error(&body), AppError::Invalid(refusal));
    }
    assert_eq!(roster(&hq, &server).await.staff.len(), before.staff.len());

    let (status, body) = call_as(
        &hq,
        &server,
        "add_staff",
        &[
            ("store_id", &first),
            ("role", "technician"),
            ("phone", "13711112222"),
            ("name", "新 同事"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id: domain::StaffId = serde_json::from_str(&body).expect("id");
    let added = roster(&hq, &server).await;
    let member = added.staff.iter().find(|m| m.id == id).expect("listed");
    assert_eq!(member.store.to_string(), first);
    assert!(
        !member.has_pin,
        "a new colleague has no PIN until their manager sets one"
    );

    let (status, _) = call_as(
        &hq,
        &server,
        "set_skills",
        &[("staff_id", &id.to_string()), ("tyres", "on"), ("ev", "on")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call_as(
        &hq,
        &server,
        "move_staff",
        &[("staff_id", &id.to_string()), ("store_id", &second)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let moved = roster(&hq, &server).await;
    let member = moved.staff.iter().find(|m| m.id == id).expect("listed");
    assert_eq!(member.store.to_string(), second);
    assert!(
        member.skills.covers(ServiceCategory::Tyres) && member.skills.covers(ServiceCategory::Ev)
    );
    assert!(!member.skills.covers(ServiceCategory::Maintenance));

    // HQ staff are not store staff: not found here.
    let hq_id: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE phone = $1",
            &[Arg::Text(HQ_ADMIN.into())],
        )
        .await;
    let (status, _) = call_as(
        &hq,
        &server,
        "deactivate_staff",
        &[("staff_id", &hq_id[0].0.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_deactivated_person_is_signed_out_everywhere_at_once(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let advisor: Vec<(uuid::Uuid, uuid::Uuid)> = db
        .rows(
            "SELECT id, location_id FROM staff WHERE phone = $1",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let (advisor, store) = (advisor[0].0.to_string(), advisor[0].1.to_string());

    // Signed in with a password at one place, unlocked on the store's iPad at another.
    let desk = signed_in(&server, "staff", ADVISOR).await;
    let (_, body) = call_as(
        &hq,
        &server,
        "create_pairing_code",
        &[("store_id", &store), ("device_name", "前台")],
    )
    .await;
    let code: app::devices::PairingCodeView = serde_json::from_str(&body).expect("code");
    let ipad = browser();
    call_as(&ipad, &server, "pair_device", &[("code", &code.code)]).await;
    let unlock = [("staff_id", advisor.as_str()), ("pin", DEMO_PIN)];
    assert_eq!(
        call_as(&ipad, &server, "unlock_kiosk", &unlock).await.0,
        StatusCode::OK
    );

    let (status, body) = call_as(&hq, &server, "deactivate_staff", &[("staff_id", &advisor)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for client in [&desk, &ipad] {
        let (_, body) = call_as(client, &server, "me", &[]).await;
        assert_eq!(body, "null", "signed out at once");
    }
    // Neither the password nor the PIN opens anything again.
    let (status, _) = call_as(
        &browser(),
        &server,
        "sign_in",
        &[
            ("realm", "staff"),
            ("phone", ADVISOR),
            ("password", server::demo::DEMO_PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, body) = call_as(&ipad, &server, "unlock_kiosk", &unlock).await;
    assert_eq!(error(&body), AppError::Invalid(E::PinWrong));
    // Gone from the roster and the lock screen; deactivating again changes nothing, and
    // moving them is refused.
    assert!(!roster(&hq, &server)
        .await
        .staff
        .iter()
        .any(|m| m.id.to_string() == advisor));
    let (_, body) = call_as(&ipad, &server, "kiosk_device", &[]).await;
    assert!(!body.contains(&advisor));
    let (status, _) = call_as(&hq, &server, "deactivate_staff", &[("staff_id", &advisor)]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = call_as(
        &hq,
        &server,
        "move_staff",
        &[("staff_id", &advisor), ("store_id", &store)],
    )
    .await;
    assert_eq!(error(&body), AppError::Invalid(E::StaffLeft));
}
