//! Black-box tests of reception: finding customers by part of a phone or a plate,
//! registering a walk-in, tags, notes, the preferred advisor and the customer 360, with
//! another store's work orders kept to "visited there". On SQLite and PostgreSQL, over
//! HTTP, as the kiosk calls them.

mod common;

use app::error::AppError;
use app::reception::{Customer360, SearchResult, TimelineEvent};
use common::{call_as, error, signed_in, Arg, TestDb, TestServer, ADVISOR, DEMO_CUSTOMER};

use domain::Error as E;
use reqwest::{Client, StatusCode};

both_backends!(
    reception_registers_a_walk_in_and_finds_them_by_any_part,
    the_360_keeps_tags_notes_and_the_advisor_and_hides_other_stores_work,
    a_customer_chooses_their_advisor_online,
    hq_keeps_the_tag_vocabulary_that_reception_uses,
);

const WALK_IN_PHONE: &str = "13712345678";
const WALK_IN_PLATE: &str = "浙A8K2M1";

async fn search(advisor: &Client, server: &TestServer, q: &str) -> SearchResult {
    let (status, body) = call_as(advisor, server, "search_customers", &[("q", q)]).await;
    assert_eq!(status, StatusCode::OK, "{q:?}: {body}");
    serde_json::from_str(&body).expect("search result")
}

async fn file(advisor: &Client, server: &TestServer, customer: &str) -> Customer360 {
    let (status, body) = call_as(
        advisor,
        server,
        "customer_360",
        &[("customer_id", customer)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("360")
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    let rows: Vec<(i64,)> = db.rows(sql, &[]).await;
    rows[0].0
}

/// Registers the walk-in; returns their customer id.
async fn register(db: &TestDb, server: &TestServer, advisor: &Client) -> String {
    let models: Vec<(uuid::Uuid,)> = db
        .rows("SELECT id FROM vehicle_models ORDER BY code", &[])
        .await;
    let model = models[0].0.to_string();
    let demo_plate: Vec<(String,)> = db
        .rows("SELECT plate FROM vehicles ORDER BY plate", &[])
        .await;
    let customers = count(db, "SELECT COUNT(*) FROM customers").await;
    // Bad input, and someone else's phone or plate: refused, and nobody is added.
    for (phone, name, plate, mileage, refusal) in [
        (
            "1371234",
            "王 先生",
            WALK_IN_PLATE,
            "12000",
            E::PhoneInvalid,
        ),
        (WALK_IN_PHONE, " ", WALK_IN_PLATE, "12000", E::NameInvalid),
        (
            WALK_IN_PHONE,
            "王 先生",
            "浙12345",
            "12000",
            E::PlateInvalid,
        ),
        (
            WALK_IN_PHONE,
            "王 先生",
            WALK_IN_PLATE,
            "-5",
            E::MileageInvalid,
        ),
        (
            DEMO_CUSTOMER,
            "王 先生",
            WALK_IN_PLATE,
            "12000",
            E::PhoneTaken,
        ),
        (
            WALK_IN_PHONE,
            "王 先生",
            &demo_plate[0].0,
            "12000",
            E::PlateTaken,
        ),
    ] {
        let (status, body) = call_as(
            advisor,
            server,
            "register_walk_in",
            &[
                ("phone", phone),
                ("name", name),
                ("plate", plate),
                ("model_id", &model),
                ("mileage", mileage),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error(&body), AppError::Invalid(refusal));
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM customers").await, customers);

    // The customer types their number with spaces; the advisor the plate in lower case.
    let (status, body) = call_as(
        advisor,
        server,
        "register_walk_in",
        &[
            ("phone", "137 1234 5678"),
            ("name", "王 先生"),
            ("plate", "浙a·8k2m1"),
            ("model_id", &model),
            ("mileage", "12,000"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id: domain::CustomerId = serde_json::from_str(&body).expect("customer id");
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM customers").await,
        customers + 1
    );
    let readings: Vec<(i64,)> = db
        .rows(
            "SELECT r.km FROM mileage_readings r JOIN vehicles v ON v.id = r.vehicle_id WHERE v.plate = $1",
            &[Arg::Text(WALK_IN_PLATE.into())],
        )
        .await;
    assert_eq!(readings, vec![(12_000,)], "the first reading is kept");
    id.to_string()
}

async fn reception_registers_a_walk_in_and_finds_them_by_any_part(db: TestDb) {
    let server = TestServer::start(&db).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let id = register(&db, &server, &advisor).await;
    let finds = |result: &SearchResult| result.hits.iter().any(|h| h.id.to_string() == id);

    // The last four digits, the first six, the plate without its province in either
    // case, the plate with it: each finds the walk-in.
    for q in [
        "5678",
        "137123",
        "1371234 5678",
        "a8k2",
        "A8K2M1",
        "浙a8k",
        " 浙A·8K ",
    ] {
        let result = search(&advisor, &server, q).await;
        assert!(finds(&result), "{q:?} finds the walk-in: {result:?}");
        let hit = result
            .hits
            .iter()
            .find(|h| h.id.to_string() == id)
            .expect("hit");
        assert_eq!(
            hit.phone_masked, "137****5678",
            "a shared screen shows it masked"
        );
        assert_eq!(hit.plates, vec![WALK_IN_PLATE.to_owned()]);
    }
    // Another province's plate, digits from the middle, a plate from its second
    // character: not this customer.
    for q in ["苏A8K", "234567", "K2M1"] {
        assert!(!finds(&search(&advisor, &server, q).await), "{q:?}");
    }
    // Many customers share a prefix: the list is cut and says there are more.
    common::bulk_customers_with_cars(&db, domain::reception::MAX_RESULTS + 5).await;
    let many = search(&advisor, &server, "136000").await;
    assert_eq!(many.hits.len(), domain::reception::MAX_RESULTS);
    assert!(many.more);
    // Too little, or not a phone or a plate: a clear refusal.
    for (q, refusal) in [
        ("13", E::SearchTooShort),
        ("", E::SearchTooShort),
        ("a?", E::SearchInvalid),
        ("12345678901234", E::SearchInvalid),
    ] {
        let (status, body) = call_as(&advisor, &server, "search_customers", &[("q", q)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q:?}: {body}");
        assert_eq!(error(&body), AppError::Invalid(refusal), "{q:?}");
    }

    // Customers are the chain's: another store's manager finds the walk-in too.
    let other_manager: Vec<(String,)> = db
        .rows(
            "SELECT m.phone FROM staff m JOIN staff a ON a.location_id <> m.location_id
             WHERE a.phone = $1 AND m.role = 'store_manager' ORDER BY m.phone",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let elsewhere = signed_in(&server, "staff", &other_manager[0].0).await;
    assert!(finds(&search(&elsewhere, &server, "5678").await));

    // The 360 starts with the registration at the advisor's store and the vehicle.
    let c = file(&advisor, &server, &id).await;
    assert_eq!(c.phone, WALK_IN_PHONE);
    assert_eq!(c.vehicles[0].plate, WALK_IN_PLATE);
    assert_eq!(c.vehicles[0].mileage_km, 12_000);
    assert_eq!(
        c.vehicles[0].km_per_day, None,
        "one reading says nothing yet"
    );
    // A reading 20 days before registration's: 50 km a day since.
    db.execute(
        "INSERT INTO mileage_readings (id, vehicle_id, km, read_at)
         SELECT $1, id, 11000, $2 FROM vehicles WHERE plate = $3",
        &[
            Arg::Id(uuid::Uuid::now_v7()),
            Arg::Time(app::clock::now() - time::Duration::days(20)),
            Arg::Text(WALK_IN_PLATE.into()),
        ],
    )
    .await;
    assert_eq!(
        file(&advisor, &server, &id).await.vehicles[0].km_per_day,
        Some(50)
    );
    let kinds: Vec<&TimelineEvent> = c.timeline.iter().map(|e| &e.event).collect();
    assert!(kinds
        .iter()
        .any(|e| matches!(e, TimelineEvent::Registered { .. })));
    assert!(kinds
        .iter()
        .any(|e| matches!(e, TimelineEvent::VehicleAdded { plate } if plate == WALK_IN_PLATE)));
}

async fn the_360_keeps_tags_notes_and_the_advisor_and_hides_other_stores_work(db: TestDb) {
    let server = TestServer::start(&db).await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let id = register(&db, &server, &advisor).await;
    let staff: Vec<(uuid::Uuid, uuid::Uuid, String)> = db
        .rows(
            "SELECT id, location_id, name_zh FROM staff WHERE phone = $1",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let (advisor_id, store, advisor_name) = staff[0].clone();

    // A tag from the vocabulary, with who added it; one that is not, refused.
    let tag = |tag: &'static str| {
        let (advisor, server, id) = (&advisor, &server, id.clone());
        async move {
            call_as(
                advisor,
                server,
                "tag_customer",
                &[("customer_id", &id), ("tag", tag)],
            )
            .await
        }
    };
    let (status, body) = tag("fleet").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        tag("fleet").await.0,
        StatusCode::OK,
        "tagging twice is fine"
    );
    for bad in ["no_such_tag", "Fleet!"] {
        let (status, body) = tag(bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error(&body), AppError::Invalid(E::TagUnknown));
    }
    // A note; an empty one refused.
    let (status, body) = call_as(
        &advisor,
        &server,
        "note_customer",
        &[
            ("customer_id", &id),
            ("body", "  prefers Saturday mornings "),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call_as(
        &advisor,
        &server,
        "note_customer",
        &[("customer_id", &id), ("body", "   ")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), AppError::Invalid(E::NoteInvalid));

    // The preferred advisor: someone at this counter; a technician or another store's
    // advisor is not one to pick here.
    let set_advisor = |staff: String| {
        let (advisor, server, id) = (&advisor, &server, id.clone());
        async move {
            call_as(
                advisor,
                server,
                "set_preferred_advisor",
                &[("customer_id", &id), ("staff_id", &staff)],
            )
            .await
        }
    };
    let not_pickable: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE (location_id = $1 AND role = 'technician')
                OR (location_id <> $1 AND role = 'service_advisor')",
            &[Arg::Id(store)],
        )
        .await;
    assert!(not_pickable.len() >= 2);
    for (staff,) in not_pickable {
        let (status, body) = set_advisor(staff.to_string()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
    let (status, body) = set_advisor(advisor_id.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let c = file(&advisor, &server, &id).await;
    assert_eq!(c.tags.len(), 1);
    assert_eq!(c.tags[0].tag.code, "fleet");
    assert_eq!(c.tags[0].added_by.zh, advisor_name);
    assert_eq!(
        c.preferred_advisor.as_ref().map(|a| a.id.as_uuid()),
        Some(advisor_id)
    );
    assert!(c.timeline.iter().any(|e| matches!(
        &e.event,
        TimelineEvent::Note { body, by, .. } if body == "prefers Saturday mornings" && by.zh == advisor_name
    )));
    assert!(c.timeline.iter().any(|e| matches!(
        &e.event,
        TimelineEvent::Tagged { by, .. } if by.zh == advisor_name
    )));
    // Newest first.
    assert!(c.timeline.windows(2).all(|w| w[0].at >= w[1].at));

    // One work order at this store and one at another: this store's shows in full, the
    // other only as a visit there.
    let other: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM locations WHERE kind = 'store' AND id <> $1 ORDER BY code",
            &[Arg::Id(store)],
        )
        .await;
    let vehicle: Vec<(uuid::Uuid, uuid::Uuid)> = db
        .rows(
            "SELECT id, customer_id FROM vehicles WHERE plate = $1",
            &[Arg::Text(WALK_IN_PLATE.into())],
        )
        .await;
    let (vehicle, customer) = vehicle[0];
    for (reference, at) in [("PL-HERE-1", store), ("PL-ELSEWHERE-1", other[0].0)] {
        db.execute(
            "INSERT INTO orders (id, reference, customer_id, vehicle_id, store_id, channel, status,
                                 price_list_version, total_fen, mileage_km, created_at)
             VALUES ($1, $2, $3, $4, $5, 'walk_in', 'handed_over', 1, 19900, 12000, $6)",
            &[
                Arg::Id(uuid::Uuid::now_v7()),
                Arg::Text(reference.into()),
                Arg::Id(customer),
                Arg::Id(vehicle),
                Arg::Id(at),
                Arg::Time(app::clock::now()),
            ],
        )
        .await;
    }
    let c = file(&advisor, &server, &id).await;
    let orders: Vec<&str> = c
        .timeline
        .iter()
        .filter_map(|e| match &e.event {
            TimelineEvent::Order { reference, .. } => Some(reference.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(orders, ["PL-HERE-1"]);
    let visits = c
        .timeline
        .iter()
        .filter(|e| matches!(e.event, TimelineEvent::VisitElsewhere { .. }))
        .count();
    assert_eq!(visits, 1);
    let text = serde_json::to_string(&c).expect("json");
    assert!(
        !text.contains("PL-ELSEWHERE-1"),
        "another store's order stays its own"
    );

    // Taking the tag off; taking it off again finds nothing.
    let untag = || {
        let (advisor, server, id) = (&advisor, &server, id.clone());
        async move {
            call_as(
                advisor,
                server,
                "untag_customer",
                &[("customer_id", &id), ("tag", "fleet")],
            )
            .await
        }
    };
    assert_eq!(untag().await.0, StatusCode::OK);
    assert_eq!(untag().await.0, StatusCode::NOT_FOUND);
    assert!(file(&advisor, &server, &id).await.tags.is_empty());
    // A customer that does not exist.
    let (status, _) = call_as(
        &advisor,
        &server,
        "customer_360",
        &[("customer_id", &uuid::Uuid::now_v7().to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Online, a customer chooses any store's advisor or manager (never a technician or
/// someone who left); the counter's 360 shows the choice.
async fn a_customer_chooses_their_advisor_online(db: TestDb) {
    use app::reception::AdvisorChoices;
    let server = TestServer::start(&db).await;
    let (owner, car) = common::customer_with_car(&server).await;
    let mine = |client: Client| {
        let server = &server;
        async move {
            let (status, body) = call_as(&client, server, "my_advisor", &[]).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_str::<AdvisorChoices>(&body).expect("advisors")
        }
    };
    let choices = mine(owner.clone()).await;
    assert_eq!(choices.current, None);
    let stores: std::collections::BTreeSet<&str> = choices
        .choices
        .iter()
        .map(|c| c.store.en.as_str())
        .collect();
    assert!(stores.len() >= 2, "every store's advisors: {stores:?}");
    let technicians: Vec<(uuid::Uuid,)> = db
        .rows("SELECT id FROM staff WHERE role = 'technician'", &[])
        .await;
    assert!(choices
        .choices
        .iter()
        .all(|c| technicians.iter().all(|t| t.0 != c.id.as_uuid())));

    // A technician, someone who left, or not an id: refused, nothing chosen.
    let left = choices.choices.last().expect("an advisor").id;
    db.execute(
        "UPDATE staff SET deactivated_at = $1 WHERE id = $2",
        &[Arg::Time(app::clock::now()), Arg::Id(left.as_uuid())],
    )
    .await;
    for (staff, answer) in [
        (technicians[0].0.to_string(), AppError::NotFound),
        (left.to_string(), AppError::NotFound),
        ("someone".to_owned(), AppError::Invalid(E::IdInvalid)),
    ] {
        let (status, body) = call_as(
            &owner,
            &server,
            "choose_my_advisor",
            &[("staff_id", &staff)],
        )
        .await;
        assert!(!status.is_success(), "{body}");
        assert_eq!(error(&body), answer);
    }
    assert_eq!(mine(owner.clone()).await.current, None);

    // Another store's advisor than the counter's: chosen, and the counter sees it.
    let advisor_store: Vec<(String,)> = db
        .rows(
            "SELECT l.name_en FROM staff s JOIN locations l ON l.id = s.location_id WHERE s.phone = $1",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let chosen = choices
        .choices
        .iter()
        .find(|c| c.store.en != advisor_store[0].0 && c.id != left)
        .expect("another store's advisor");
    let (status, body) = call_as(
        &owner,
        &server,
        "choose_my_advisor",
        &[("staff_id", &chosen.id.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(mine(owner.clone()).await.current.as_ref(), Some(chosen));
    let customer: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT customer_id FROM vehicles WHERE id = $1",
            &[Arg::Id(car.parse().expect("vehicle id"))],
        )
        .await;
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let f = file(&advisor, &server, &customer[0].0.to_string()).await;
    assert_eq!(f.preferred_advisor.as_ref(), Some(chosen));

    // Cleared.
    let (status, body) = call_as(&owner, &server, "choose_my_advisor", &[("staff_id", "")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(mine(owner).await.current, None);
}

/// HQ adds a tag and renames it; bad codes and names change nothing; a store manager may
/// not; reception tags a customer with the new tag and the 360 shows its new name.
async fn hq_keeps_the_tag_vocabulary_that_reception_uses(db: TestDb) {
    use app::reception::TagDef;
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", common::HQ_ADMIN).await;
    let vocabulary = |client: Client| {
        let server = &server;
        async move {
            let (status, body) = call_as(&client, server, "tag_vocabulary", &[]).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_str::<Vec<TagDef>>(&body).expect("tags")
        }
    };
    let before = vocabulary(hq.clone()).await;
    for (code, zh, en, refusal) in [
        ("Night Owl", "夜间到店", "Night owl", E::TagUnknown),
        ("night_owl", " ", "Night owl", E::TagLabelInvalid),
        ("night_owl", "夜间到店", &"x".repeat(25), E::TagLabelInvalid),
    ] {
        let (status, body) = call_as(
            &hq,
            &server,
            "save_tag",
            &[("code", code), ("label_zh", zh), ("label_en", en)],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error(&body), AppError::Invalid(refusal), "{code} {zh} {en}");
    }
    let manager = signed_in(&server, "staff", "13900000003").await;
    let (status, _) = call_as(
        &manager,
        &server,
        "save_tag",
        &[
            ("code", "night_owl"),
            ("label_zh", "夜间到店"),
            ("label_en", "Night owl"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(vocabulary(hq.clone()).await, before);

    // Added, then renamed: one tag, its new names.
    for en in ["Night owl", "Comes after work"] {
        let (status, body) = call_as(
            &hq,
            &server,
            "save_tag",
            &[
                ("code", "night_owl"),
                ("label_zh", "下班后到店"),
                ("label_en", en),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let after = vocabulary(hq).await;
    assert_eq!(after.len(), before.len() + 1);
    let tag = after.iter().find(|t| t.code == "night_owl").expect("added");
    assert_eq!(tag.label.en, "Comes after work");

    // Reception uses it at once.
    let (_, car) = common::customer_with_car(&server).await;
    let customer: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT customer_id FROM vehicles WHERE id = $1",
            &[Arg::Id(car.parse().expect("vehicle id"))],
        )
        .await;
    let customer = customer[0].0.to_string();
    let advisor = signed_in(&server, "staff", ADVISOR).await;
    let (status, body) = call_as(
        &advisor,
        &server,
        "tag_customer",
        &[("customer_id", &customer), ("tag", "night_owl")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let f = file(&advisor, &server, &customer).await;
    assert!(f
        .tags
        .iter()
        .any(|t| t.tag.code == "night_owl" && t.tag.label.zh == "下班后到店"));
}
