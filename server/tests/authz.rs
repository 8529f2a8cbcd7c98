//! The authorisation matrix: every server function, called over HTTP by every kind of
//! caller (nobody, the customer who owns the data, another customer, and each staff
//! role), answers as the table says. A new server function must be added here: the test
//! fails if the server has an endpoint the table does not name.
//!
//! "Allowed" means the call got past authorisation: a 200, or a refusal of its input
//! (the matrix sends some deliberately bad input so that nothing it calls changes much).
//! Another customer's vehicle or booking answers 404, not 403, so that ids cannot be
//! probed. Store staff come from the demo advisor's store ("own store") and from another
//! store; a store-scoped call names something of the own store.
//!
//! Kiosk calls that need a paired device (`unlock_kiosk`) refuse everyone here alike
//! with "not paired": the device credential, not the caller's role, is what they check;
//! `server/tests/kiosk.rs` tests them with devices.

mod common;

use app::error::AppError;
use common::{call_as, customer_with_car, signed_in, Arg, TestDb, TestServer, ADVISOR, HQ_ADMIN};
use reqwest::{Client, StatusCode};

both_backends!(every_server_function_answers_every_caller_as_the_matrix_says);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Allowed,
    Unauthenticated,
    Forbidden,
    NotFound,
}

use Answer::{Allowed as A, Forbidden as F, NotFound as N, Unauthenticated as U};

/// Callers, in the order of the matrix's columns.
const CALLERS: [&str; 9] = [
    "anonymous",
    "owner",
    "other customer",
    "hq operations",
    "hq supply",
    "store manager",
    "service advisor",
    "technician",
    "other store's manager",
];

/// One server function: its endpoint, arguments, and the answer each caller gets.
type Row<'a> = (&'a str, Vec<(&'a str, &'a str)>, [Answer; 9]);

fn answer(status: StatusCode, body: &str) -> Answer {
    if status.is_success() {
        return A;
    }
    match serde_json::from_str::<AppError>(body) {
        Ok(AppError::Unauthenticated) => U,
        Ok(AppError::Forbidden) => F,
        Ok(AppError::NotFound) => N,
        Ok(_) => A,
        Err(_) => panic!("{status}: not an AppError: {body}"),
    }
}

async fn every_server_function_answers_every_caller_as_the_matrix_says(db: TestDb) {
    let server = TestServer::start(&db).await;
    let (owner, car) = customer_with_car(&server).await;
    let (other, _) = customer_with_car(&server).await;
    let staff_of = |sql: &'static str| {
        let db = &db;
        async move {
            let rows: Vec<(String, uuid::Uuid)> = db.rows(sql, &[Arg::Text(ADVISOR.into())]).await;
            rows.into_iter().next().expect("demo staff")
        }
    };
    let (technician, _) = staff_of(
        "SELECT t.phone, t.id FROM staff t JOIN staff a ON a.location_id = t.location_id
         WHERE a.phone = $1 AND t.role = 'technician' ORDER BY t.phone",
    )
    .await;
    let (other_manager, _) = staff_of(
        "SELECT m.phone, m.id FROM staff m JOIN staff a ON a.location_id <> m.location_id
         WHERE a.phone = $1 AND m.role = 'store_manager' ORDER BY m.phone",
    )
    .await;
    let (_, advisor_id) = staff_of("SELECT phone, id FROM staff WHERE phone = $1").await;
    let advisor_id = advisor_id.to_string();
    let owner_id: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT customer_id FROM vehicles WHERE id = $1",
            &[Arg::Id(car.parse().expect("vehicle id"))],
        )
        .await;
    let owner_id = owner_id[0].0.to_string();
    let callers: Vec<Client> = vec![
        common::browser(),
        owner.clone(),
        other,
        signed_in(&server, "staff", HQ_ADMIN).await,
        signed_in(&server, "staff", "13900000002").await,
        signed_in(&server, "staff", "13900000003").await,
        signed_in(&server, "staff", ADVISOR).await,
        signed_in(&server, "staff", &technician).await,
        signed_in(&server, "staff", &other_manager).await,
    ];
    // The owner's data: a booking at the advisor's store (the own store's work order).
    let advisor_store: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT location_id FROM staff WHERE phone = $1",
            &[Arg::Text(ADVISOR.into())],
        )
        .await;
    let (booking, service) =
        common::book_oil_change(&server, &owner, &car, advisor_store[0].0).await;
    let store = advisor_store[0].0.to_string();
    let order = booking.id.to_string();
    let (_, body) = call_as(&owner, &server, "models", &[]).await;
    let models: Vec<app::garage::VehicleModel> = serde_json::from_str(&body).expect("models");
    let model = models[0].id.to_string();
    // A device paired with the own store, for HQ to revoke.
    let (_, body) = call_as(
        &callers[3],
        &server,
        "create_pairing_code",
        &[("store_id", &store), ("device_name", "iPad")],
    )
    .await;
    let code: app::devices::PairingCodeView = serde_json::from_str(&body).expect("code");
    let ipad = common::browser();
    let (status, body) = call_as(&ipad, &server, "pair_device", &[("code", &code.code)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = call_as(&ipad, &server, "kiosk_device", &[]).await;
    let device: Option<app::devices::PairedDevice> = serde_json::from_str(&body).expect("device");
    let device = device.expect("paired").id.to_string();

    let customer_only = [U, A, A, F, F, F, F, F, F];
    let owner_only = [U, A, N, F, F, F, F, F, F];
    let public = [A, A, A, A, A, A, A, A, A];
    let hq_operations = [U, F, F, A, F, F, F, F, F];
    let staff = [U, F, F, A, A, A, A, A, A];
    let store_managers = [U, F, F, F, F, A, F, F, A];
    // The advisor's PIN: the advisor, their own manager and HQ operations.
    let advisors_pin = [U, F, F, A, F, A, A, F, F];
    // Reception: store managers and advisors of any store (customers are the chain's).
    let reception = [U, F, F, F, F, A, A, F, A];
    // Only someone of the advisor's store picks them as a customer's preferred advisor.
    let own_counter = [U, F, F, F, F, A, A, F, N];
    // The board: every store's staff see their own; a work order is its store's.
    let store_staff = [U, F, F, F, F, A, A, A, A];
    let own_store = [U, F, F, F, F, A, A, A, N];
    // A finding on the owner's order, pending, for the calls that decide one.
    let finding = uuid::Uuid::now_v7();
    db.execute(
        "INSERT INTO findings (id, order_id, vehicle_id, item, severity, service_id, price_fen,
            decision, found_by, found_at)
         VALUES ($1, $2, $3, 'brake pads worn', 'red', $4, 10000, 'pending', $5, $6)",
        &[
            Arg::Id(finding),
            Arg::Id(booking.id.as_uuid()),
            Arg::Id(car.parse().expect("vehicle id")),
            Arg::Id(service.parse().expect("service id")),
            Arg::Id(advisor_id.parse().expect("staff id")),
            Arg::Time(app::clock::now()),
        ],
    )
    .await;
    let finding = finding.to_string();
    let key = uuid::Uuid::now_v7().to_string();
    // An online order of the owner's for "any store", for the calls that read one.
    let routed = common::place_any_store_order(&server, &owner, &car)
        .await
        .id
        .to_string();
    let hq_staff = [U, F, F, A, A, F, F, F, F];
    // HQ operations, and each store's manager for their own store.
    let campaigners = [U, F, F, A, F, A, F, F, A];
    // HQ supply plans the supply chain and receives purchase orders (so does the
    // warehouse, not a caller here).
    let supply_planner = [U, F, F, F, A, F, F, F, F];
    // Whoever sends and receives stock: HQ supply, and a store's counter for its own.
    let movers = [U, F, F, F, A, A, A, F, A];
    // (endpoint, arguments, expected answer per caller). Calls that would change the
    // owner's data send input that is refused after the authorisation check.
    let matrix: Vec<Row> = vec![
        ("me", vec![], public),
        ("price_list", vec![], public),
        ("models", vec![], public),
        ("policies", vec![], public),
        (
            "sign_in",
            vec![
                ("realm", "customer"),
                ("phone", "13800000077"),
                ("password", "not-the-one-1"),
            ],
            public,
        ),
        (
            "sign_up",
            vec![("phone", "12"), ("name", "x"), ("password", "x")],
            public,
        ),
        (
            "service_price_history",
            vec![("service_id", &service)],
            hq_operations,
        ),
        (
            "publish_service_price",
            vec![("service_id", &service), ("price", "-1")],
            hq_operations,
        ),
        (
            "publish_policy",
            vec![
                ("kind", "tier_labour_percent"),
                ("name_zh", "x"),
                ("name_en", "x"),
                ("tier", "gold"),
                ("percent", "0"),
            ],
            hq_operations,
        ),
        ("model_quotes", vec![("model_id", &model)], staff),
        ("hq_devices", vec![], hq_operations),
        (
            "create_pairing_code",
            vec![("store_id", &store), ("device_name", " ")],
            hq_operations,
        ),
        ("pair_device", vec![("code", "not-a-code")], public),
        ("kiosk_device", vec![], public),
        (
            "unlock_kiosk",
            vec![("staff_id", &advisor_id), ("pin", "135790")],
            public,
        ),
        (
            "set_pin",
            vec![("staff_id", &advisor_id), ("pin", "111111")],
            advisors_pin,
        ),
        ("set_idle_lock", vec![("minutes", "0")], store_managers),
        ("store_settings", vec![], store_staff),
        (
            "save_store_settings",
            vec![("bays", "0"), ("days[0][day]", "1")],
            store_managers,
        ),
        ("my_vehicles", vec![], customer_only),
        ("my_bookings", vec![], customer_only),
        (
            "add_vehicle",
            vec![
                ("plate", "not a plate"),
                ("model_id", &model),
                ("mileage", "1"),
            ],
            customer_only,
        ),
        ("vehicle_history", vec![("vehicle_id", &car)], owner_only),
        (
            "update_vehicle",
            vec![
                ("vehicle_id", &car),
                ("model_id", &model),
                ("mileage", "42001"),
            ],
            owner_only,
        ),
        ("service_quotes", vec![("vehicle_id", &car)], owner_only),
        (
            "store_options",
            vec![("vehicle_id", &car), ("service_id", &service)],
            owner_only,
        ),
        (
            "store_slots",
            vec![
                ("vehicle_id", &car),
                ("service_id", &service),
                ("store_id", &store),
            ],
            owner_only,
        ),
        (
            "confirm_booking",
            vec![
                ("vehicle_id", &car),
                ("service_id", &service),
                ("store_id", &store),
                ("start", "2026-12-04T02:00:00Z"),
                ("expected_total", "1"),
                ("idempotency_key", &key),
            ],
            owner_only,
        ),
        ("booking", vec![("order_id", &order)], owner_only),
        ("staff_roster", vec![], hq_operations),
        (
            "add_staff",
            vec![
                ("store_id", &store),
                ("role", "hq_admin"),
                ("phone", "13700000000"),
                ("name", "x"),
            ],
            hq_operations,
        ),
        (
            "move_staff",
            vec![("staff_id", &advisor_id), ("store_id", "not-a-store")],
            hq_operations,
        ),
        (
            "set_skills",
            vec![("staff_id", "not-a-staff-id"), ("ev", "on")],
            hq_operations,
        ),
        (
            "deactivate_staff",
            vec![("staff_id", "not-a-staff-id")],
            hq_operations,
        ),
        ("revoke_device", vec![("device_id", &device)], hq_operations),
        ("store_board", vec![("day", "")], store_staff),
        (
            "advance_work_order",
            vec![("order_id", &order), ("step", "hand_over")],
            own_store,
        ),
        (
            "submit_quality_check",
            vec![
                ("order_id", &order),
                ("marks[0][no]", "1"),
                ("marks[0][outcome]", "pass"),
            ],
            own_store,
        ),
        ("pick_parts", vec![("order_id", &order)], own_store),
        (
            "add_part",
            vec![
                ("order_id", &order),
                ("part_id", &service),
                ("quantity", "1"),
            ],
            own_store,
        ),
        (
            "assign_work_order",
            vec![("order_id", &order), ("staff_id", &advisor_id)],
            own_store,
        ),
        // Findings: recorded by the order's store, decided by its customer or at its
        // counter, read by its customer.
        (
            "record_finding",
            vec![
                ("order_id", &order),
                ("item", " "),
                ("severity", "red"),
                ("service_id", &service),
            ],
            own_store,
        ),
        (
            "decide_finding",
            vec![("finding_id", &finding), ("answer", "maybe")],
            owner_only,
        ),
        (
            "decide_finding_at_counter",
            vec![("finding_id", &finding), ("answer", "maybe")],
            own_counter,
        ),
        ("booking_findings", vec![("order_id", &order)], owner_only),
        // The chain's tag vocabulary is HQ operations'.
        ("tag_vocabulary", vec![], hq_operations),
        (
            "save_tag",
            vec![
                ("code", "Not A Code"),
                ("label_zh", "标签"),
                ("label_en", "Tag"),
            ],
            hq_operations,
        ),
        // A customer's own choice of advisor, online.
        ("my_advisor", vec![], customer_only),
        (
            "choose_my_advisor",
            vec![("staff_id", "someone")],
            customer_only,
        ),
        // Reception asks; a manager's PIN on the store's paired iPad approves (none here:
        // past the role check, "not paired").
        (
            "adjust_price",
            vec![
                ("order_id", &order),
                ("amount", "10"),
                ("reason", "goodwill"),
                ("manager_id", &advisor_id),
                ("manager_pin", "428613"),
            ],
            reception,
        ),
        ("search_customers", vec![("q", "0001")], reception),
        ("customer_360", vec![("customer_id", &owner_id)], reception),
        (
            "register_walk_in",
            vec![
                ("phone", "12"),
                ("name", "x"),
                ("plate", "x"),
                ("model_id", &model),
                ("mileage", "1"),
            ],
            reception,
        ),
        (
            "tag_customer",
            vec![("customer_id", &owner_id), ("tag", "no_such_tag")],
            reception,
        ),
        (
            "untag_customer",
            vec![("customer_id", &owner_id), ("tag", "Not A Tag")],
            reception,
        ),
        (
            "note_customer",
            vec![("customer_id", &owner_id), ("body", " ")],
            reception,
        ),
        // Any store's counter books for any customer, always at its own store.
        (
            "counter_quotes",
            vec![("customer_id", &owner_id), ("vehicle_id", &car)],
            reception,
        ),
        (
            "counter_slots",
            vec![
                ("customer_id", &owner_id),
                ("vehicle_id", &car),
                ("service_id", &service),
            ],
            reception,
        ),
        (
            "book_at_counter",
            vec![
                ("customer_id", &owner_id),
                ("vehicle_id", &car),
                ("service_id", &service),
                ("start", "soon"),
                ("expected_total", "100"),
                ("idempotency_key", "authz-counter"),
            ],
            reception,
        ),
        (
            "set_preferred_advisor",
            vec![("customer_id", &owner_id), ("staff_id", &advisor_id)],
            own_counter,
        ),
        // Online orders for "any store": placed and followed by their customer, answered
        // at a store's counter (another store's is told the order is not theirs), watched
        // by HQ, whose operations set the window.
        (
            "place_routed_order",
            vec![
                ("vehicle_id", &car),
                ("service_id", &service),
                ("date", "2000-01-01"),
                ("day_part", "morning"),
                ("expected_total", "1"),
                ("idempotency_key", &key),
            ],
            customer_only,
        ),
        ("routed_order", vec![("id", &routed)], owner_only),
        ("my_routed_orders", vec![], customer_only),
        ("routed_inbox", vec![], reception),
        (
            "accept_routed",
            vec![("id", &routed), ("start", "not a time")],
            reception,
        ),
        (
            "decline_routed",
            vec![("id", &routed), ("reason", ""), ("note", "")],
            reception,
        ),
        // Parts for "any store": the menu is of the owner's car; the order form is
        // refused (no parts) after the check; the counter hands over its own orders.
        ("parts_menu", vec![("vehicle_id", &car)], owner_only),
        (
            "place_parts_order",
            vec![
                ("form[vehicle_id]", &car),
                ("form[lines]", ""),
                ("form[date]", "2000-01-01"),
                ("form[day_part]", "morning"),
                ("form[handover]", "collect"),
                ("form[address]", ""),
                ("form[near]", ""),
                ("form[expected_total]", "1"),
                ("form[idempotency_key]", &key),
            ],
            customer_only,
        ),
        ("parts_to_hand_over", vec![], reception),
        ("hand_over_parts", vec![("id", "not-an-id")], reception),
        // Help between stores: asked and answered at a store's counter (the ids here are
        // refused after the check), watched by HQ.
        ("help_board", vec![], reception),
        (
            "raise_help",
            vec![
                ("order_id", "not-an-id"),
                ("kind", "staff"),
                ("skill", "maintenance"),
                ("part_id", ""),
                ("quantity", ""),
                ("note", ""),
            ],
            reception,
        ),
        (
            "accept_help",
            vec![
                ("id", "not-an-id"),
                ("dispatch", "wave"),
                ("staff_id", ""),
                ("from", ""),
                ("until", ""),
            ],
            reception,
        ),
        (
            "move_transfer",
            vec![("id", "not-an-id"), ("step", "received")],
            reception,
        ),
        ("withdraw_help", vec![("id", "not-an-id")], reception),
        ("help_overview", vec![], hq_staff),
        // After-sales cases: worked at the store's counter, answered by their customer,
        // watched by HQ (the ids are refused after the check).
        ("store_cases", vec![], reception),
        (
            "act_on_case",
            vec![("id", "not-an-id"), ("action", "step"), ("text", "看看")],
            reception,
        ),
        ("my_cases", vec![], customer_only),
        (
            "answer_case",
            vec![("id", "not-an-id"), ("action", "confirm"), ("text", "")],
            customer_only,
        ),
        ("hq_cases", vec![], hq_staff),
        // The customer's follow-ups and contact choices.
        ("my_follow_ups", vec![], customer_only),
        (
            "answer_follow_up",
            vec![
                ("id", "not-an-id"),
                ("outcome", "satisfied"),
                ("rating", "5"),
                ("text", ""),
            ],
            customer_only,
        ),
        (
            "set_contact",
            vec![("calls", "on"), ("sms", "on"), ("campaigns", "on")],
            customer_only,
        ),
        // Knowing the customer: HQ's thresholds and mix; moves for a counter (its own
        // store's customers) or HQ (the chain's); a lost reason at a counter.
        ("standing_settings", vec![], hq_staff),
        (
            "set_standing_thresholds",
            vec![("form[active_days]", "400"), ("form[lost_days]", "300")],
            hq_operations,
        ),
        ("class_movements", vec![], [U, F, F, A, A, A, A, F, A]),
        (
            "mark_customer_lost",
            vec![("customer_id", "not-an-id"), ("reason", "price")],
            reception,
        ),
        // Campaigns: HQ operations over the chain, a store manager over their own
        // store's customers (the count and the list are narrowed, not refused); the
        // start here is refused after the check (no English).
        // HQ's after-sales view.
        (
            "aftersales_report",
            vec![("days", "30"), ("lang", "en")],
            hq_staff,
        ),
        ("campaign_options", vec![], campaigners),
        (
            "count_segment",
            vec![("segment[stages][0]", "active")],
            campaigners,
        ),
        (
            "start_campaign",
            vec![
                ("form[message_zh]", "冬季保养"),
                ("form[message_en]", ""),
                ("form[channel]", "sms"),
            ],
            campaigners,
        ),
        ("campaigns", vec![], campaigners),
        // Follow-ups: a store's queue and outcomes, at its counter (the id here is
        // refused after the check; another store's follow-up is not found).
        ("follow_up_queue", vec![], reception),
        (
            "record_follow_up",
            vec![
                ("id", "not-an-id"),
                ("outcome", "reached"),
                ("rating", ""),
                ("text", ""),
            ],
            reception,
        ),
        ("routing_overview", vec![], hq_staff),
        // The supply chain: HQ reads the network and the proposal; only HQ supply
        // plans and decides (bad input here is refused after the check); stock movers
        // list their own transfers (another location's is not found: tests/supply.rs).
        (
            "supply_network",
            vec![("category", ""), ("location", ""), ("status", "")],
            hq_staff,
        ),
        ("supply_proposal", vec![], hq_staff),
        ("delivery_routes", vec![], hq_staff),
        (
            "set_route_waves",
            vec![("route", "east"), ("times[0]", "25:00")],
            supply_planner,
        ),
        (
            "store_kpis",
            vec![("days", "7"), ("by", "day"), ("lang", "en")],
            hq_staff,
        ),
        ("customer_map", vec![("lang", "en")], hq_staff),
        ("home_district", vec![], customer_only),
        (
            "set_home_district",
            vec![("district", "ATLANTIS")],
            customer_only,
        ),
        (
            "supply_forecast",
            vec![("location_id", "x"), ("part_id", "y")],
            hq_staff,
        ),
        (
            "set_safety_stock",
            vec![("location_id", "x"), ("part_id", "y"), ("safety", "-1")],
            supply_planner,
        ),
        ("run_proposal", vec![], supply_planner),
        (
            "decide_line",
            vec![
                ("line_id", "not-an-id"),
                ("decision", "approve"),
                ("quantity", "1"),
            ],
            supply_planner,
        ),
        ("send_purchase_orders", vec![], supply_planner),
        ("purchase_orders", vec![], supply_planner),
        (
            "receive_purchase_order",
            vec![("id", "not-an-id"), ("part_id", "x"), ("quantity", "1")],
            supply_planner,
        ),
        ("supply_transfers", vec![], movers),
        ("dispatch_transfer", vec![("id", "not-an-id")], movers),
        ("cancel_transfer", vec![("id", "not-an-id")], supply_planner),
        (
            "receive_transfer",
            vec![("id", "not-an-id"), ("quantity", "1")],
            movers,
        ),
        (
            "set_acceptance_window",
            vec![("minutes", "0")],
            hq_operations,
        ),
        // Data administration: HQ operations alone import and export (bad input here
        // is refused after the check).
        (
            "import_piece",
            vec![("upload", ""), ("kind", "nope"), ("text", "sku\n")],
            hq_operations,
        ),
        ("check_import", vec![("upload", "not-an-id")], hq_operations),
        (
            "apply_import",
            vec![("upload", "not-an-id"), ("valid_only", "false")],
            hq_operations,
        ),
        ("export_csv", vec![("kind", "catalog")], hq_operations),
        // Last: these succeed for the owner and end their booking and vehicle, and end
        // the caller's own session.
        ("cancel_booking", vec![("order_id", &order)], owner_only),
        ("remove_vehicle", vec![("vehicle_id", &car)], owner_only),
        // A fresh session per caller is not needed: sign_out only ends the caller's own.
        ("sign_out", vec![], public),
        ("lock_kiosk", vec![], public),
    ];

    let mut wrong = Vec::new();
    for (endpoint, args, expected) in &matrix {
        for (i, client) in callers.iter().enumerate() {
            let (status, body) = call_as(client, &server, endpoint, args).await;
            let got = answer(status, &body);
            if got != expected[i] {
                wrong.push(format!(
                    "{endpoint} as {}: expected {:?}, got {got:?} ({status} {body})",
                    CALLERS[i], expected[i]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // Every endpoint the server has is in the matrix.
    let named: std::collections::BTreeSet<&str> = matrix.iter().map(|(e, _, _)| *e).collect();
    let served: std::collections::BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .filter_map(|(path, _)| path.strip_prefix("/api/").map(str::to_owned))
        .collect();
    let missing: Vec<&String> = served
        .iter()
        .filter(|p| !named.contains(p.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "server functions missing from the matrix: {missing:?}"
    );
}
