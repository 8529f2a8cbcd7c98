//! The supply chain over HTTP, on SQLite and PostgreSQL: HQ supply runs a proposal and
//! approves a transfer, which moves stock through reserved → in transit → received
//! while both stores see it; bad input changes nothing; racing approvals and receipts
//! move stock once; supplier lines become one purchase order per supplier, received at
//! the warehouse; and on hand is always the sum of the ledger's moves.

mod common;

use app::supply::routes::RoutesView;
use app::supply::{
    LineStatus, LineView, NetworkView, ProposalView, PurchaseOrders, TransferList, PROPOSAL_PAGE,
};
use common::{call_as, error, signed_in, Arg, TestDb, TestServer};
use domain::supply::{Source, TransferStatus};
use domain::{PartId, StoreId};
use reqwest::StatusCode;

both_backends!(
    an_approved_transfer_moves_through_its_states_and_both_stores_see_it,
    bookings_holding_a_transfer_on_its_way_move_onto_the_shelf_when_it_arrives,
    a_second_run_before_the_orders_go_out_does_not_order_again,
    a_transfer_withdrawn_before_it_leaves_gives_the_stock_back_once,
    racing_approvals_and_receipts_move_stock_once,
    supplier_lines_become_one_order_per_supplier_received_at_the_warehouse,
    hq_sets_a_routes_waves_and_the_proposal_rides_them,
    the_nightly_proposal_is_made_once_a_day_by_one_instance,
    hq_reads_the_proposal_a_page_at_a_time_for_one_destination_or_all,
    of_two_runs_at_once_the_later_reading_is_the_proposal_whichever_saves_last,
);

/// The demo's HQ supply-chain planner.
const HQ_SUPPLY: &str = "13900000002";

/// The demo chain in `db`, and two instances' supply storages over it.
async fn two_instances(db: &TestDb) -> [std::sync::Arc<dyn app::supply::SupplyStorage>; 2] {
    db.open(server::live::Hub::new(), true).await;
    let instance = || async {
        db.open(server::live::Hub::new(), false)
            .await
            .storages()
            .supply
    };
    [instance().await, instance().await]
}

/// The latest proposal, every line of it, read straight from storage.
async fn whole_proposal(storage: &dyn app::supply::SupplyStorage) -> app::supply::ProposalPage {
    storage
        .proposal(None, 0, u32::MAX)
        .await
        .expect("the proposal")
}

/// The id of the demo's HQ supply-chain planner.
async fn hq_supply_staff(db: &TestDb) -> domain::StaffId {
    let staff: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM staff WHERE phone = $1",
            &[Arg::Text(HQ_SUPPLY.to_owned())],
        )
        .await;
    domain::StaffId::from(staff[0].0)
}

async fn ok(
    client: &reqwest::Client,
    server: &TestServer,
    endpoint: &str,
    form: &[(&str, &str)],
) -> String {
    let (status, body) = call_as(client, server, endpoint, form).await;
    assert_eq!(status, StatusCode::OK, "{endpoint}: {body}");
    body
}

async fn run(server: &TestServer, hq: &reqwest::Client) -> ProposalView {
    let first: ProposalView =
        serde_json::from_str(&ok(hq, server, "run_proposal", &[]).await).expect("proposal");
    every_line(server, hq, first, "").await
}

/// `first`, a proposal's first page, with the lines of the pages after it (going to
/// location `to`, or all), and the names of all their parts.
async fn every_line(
    server: &TestServer,
    hq: &reqwest::Client,
    mut first: ProposalView,
    to: &str,
) -> ProposalView {
    assert_eq!(first.from, 0);
    while first.lines.len() < usize::try_from(first.matched).expect("a count") {
        let from = first.lines.len().to_string();
        let page: ProposalView = serde_json::from_str(
            &ok(
                hq,
                server,
                "supply_proposal",
                &[("to", to), ("from", &from)],
            )
            .await,
        )
        .expect("a page");
        assert!(!page.lines.is_empty(), "{from} of {}", first.matched);
        assert!(page.lines.len() <= usize::try_from(PROPOSAL_PAGE).expect("a count"));
        assert_eq!(page.matched, first.matched);
        first.lines.extend(page.lines);
        first.names.parts.extend(page.names.parts);
    }
    first
}

/// A reception staff member's phone at `store`.
async fn staff_phone(db: &TestDb, store: StoreId) -> String {
    let rows: Vec<(String,)> = db
        .rows(
            "SELECT phone FROM staff WHERE location_id = $1
               AND role IN ('service_advisor', 'store_manager') AND deactivated_at IS NULL ORDER BY phone",
            &[Arg::Id(store.as_uuid())],
        )
        .await;
    rows[0].0.clone()
}

/// Every shelf whose on hand is not the sum of its moves.
async fn ledger_mismatches(db: &TestDb) -> Vec<(uuid::Uuid, uuid::Uuid, i64, i64)> {
    db.rows(
        "SELECT s.location_id, s.part_id, s.on_hand_milli, COALESCE(m.total, 0)
         FROM stock s LEFT JOIN (SELECT location_id, part_id, CAST(SUM(delta_milli) AS BIGINT) AS total
                                 FROM stock_moves GROUP BY location_id, part_id) m
           ON m.location_id = s.location_id AND m.part_id = s.part_id
         WHERE s.on_hand_milli <> COALESCE(m.total, 0)",
        &[],
    )
    .await
}

async fn outbox_count(db: &TestDb, kind: &str) -> i64 {
    let rows: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM events WHERE kind = $1",
            &[Arg::Text(kind.to_owned())],
        )
        .await;
    rows[0].0
}

/// The proposed transfer of the most units.
fn transfer_line(p: &ProposalView) -> LineView {
    let line = p
        .lines
        .iter()
        .filter(|l| l.status == LineStatus::Proposed && l.line.source.location().is_some())
        .max_by_key(|l| (l.line.quantity_milli, l.id))
        .cloned()
        .expect("the demo proposes a transfer");
    assert!(
        line.line.quantity_milli >= 2000,
        "a transfer of two units or more: {line:?}"
    );
    line
}

async fn an_approved_transfer_moves_through_its_states_and_both_stores_see_it(db: TestDb) {
    let server = TestServer::start(&db).await;
    assert!(
        ledger_mismatches(&db).await.is_empty(),
        "the demo's ledger adds up"
    );
    let hq = signed_in(&server, "staff", HQ_SUPPLY).await;

    // HQ finds shelves below their safety stock.
    let below: NetworkView = serde_json::from_str(
        &ok(
            &hq,
            &server,
            "supply_network",
            &[
                ("category", ""),
                ("location", ""),
                ("status", "below_safety"),
            ],
        )
        .await,
    )
    .expect("network");
    assert!(below.matched > 0, "the demo has shelves below safety stock");
    assert!(below
        .rows
        .iter()
        .all(|r| r.level.available_milli() < r.safety_milli));

    let proposal = run(&server, &hq).await;
    for l in &proposal.lines {
        assert_eq!(l.line.explained_milli(), i128::from(l.line.quantity_milli));
    }
    let line = transfer_line(&proposal);
    let from = line.line.source.location().expect("a location sends");
    let (to, part) = (line.line.to, line.line.part);
    let q = line.line.quantity_milli;
    let before_source = db.shelf(from, part).await;

    // Bad input changes nothing.
    let (status, body) = call_as(
        &hq,
        &server,
        "decide_line",
        &[
            ("line_id", &line.id.to_string()),
            ("decision", "approve"),
            ("quantity", "-3"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        error(&body)
            .message(app::i18n::Lang::En)
            .contains("above zero"),
        "{body}"
    );
    let (status, body) = call_as(
        &hq,
        &server,
        "set_safety_stock",
        &[
            ("location_id", &to.to_string()),
            ("part_id", &part.to_string()),
            ("safety", "-1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = call_as(
        &hq,
        &server,
        "decide_line",
        &[
            ("line_id", "not-a-line"),
            ("decision", "approve"),
            ("quantity", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(db.shelf(from, part).await, before_source);

    let events_before = outbox_count(&db, "transfers_changed").await;
    let quantity = app::supply::units(q);
    ok(
        &hq,
        &server,
        "decide_line",
        &[
            ("line_id", &line.id.to_string()),
            ("decision", "approve"),
            ("quantity", &quantity),
        ],
    )
    .await;
    // Reserved at the source: on hand unchanged, held for the transfer.
    let held = db.shelf(from, part).await;
    assert_eq!(held, (before_source.0, before_source.1 + q));
    // Both stores' pages hear of it (an event for each location).
    assert_eq!(
        outbox_count(&db, "transfers_changed").await,
        events_before + 2
    );
    // Deciding again is refused.
    let (status, body) = call_as(
        &hq,
        &server,
        "decide_line",
        &[
            ("line_id", &line.id.to_string()),
            ("decision", "reject"),
            ("quantity", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // The destination's counter sees it coming; it cannot send what it receives.
    let to_staff = signed_in(&server, "staff", &staff_phone(&db, to).await).await;
    let list: TransferList =
        serde_json::from_str(&ok(&to_staff, &server, "supply_transfers", &[]).await).expect("list");
    let t = list
        .rows
        .iter()
        .find(|t| t.part == part && t.to == to)
        .expect("incoming")
        .clone();
    assert_eq!(t.status, TransferStatus::Reserved);
    assert_eq!(list.at, Some(to));
    let (status, _) = call_as(
        &to_staff,
        &server,
        "dispatch_transfer",
        &[("id", &t.id.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Sent (by HQ supply for the warehouse, else the source's counter): off the shelf,
    // arriving at the destination.
    let sender = match proposal.names.sites.get(&from).map(|s| s.is_warehouse) {
        Some(true) => signed_in(&server, "staff", HQ_SUPPLY).await,
        _ => signed_in(&server, "staff", &staff_phone(&db, from).await).await,
    };
    ok(
        &sender,
        &server,
        "dispatch_transfer",
        &[("id", &t.id.to_string())],
    )
    .await;
    assert_eq!(
        db.shelf(from, part).await,
        (before_source.0 - q, before_source.1)
    );
    let arriving: Vec<(i64,)> = db
        .rows(
            "SELECT quantity_milli FROM inbound_shipments WHERE stock_transfer_id = $1",
            &[Arg::Id(t.id.as_uuid())],
        )
        .await;
    assert_eq!(arriving, vec![(q as i64,)]);
    let (status, _) = call_as(
        &sender,
        &server,
        "dispatch_transfer",
        &[("id", &t.id.to_string())],
    )
    .await;
    assert_ne!(status, StatusCode::OK, "sent once");

    // Received: more than was sent is refused; less is a partial receipt.
    let before_dest = db.shelf(to, part).await;
    let too_much = app::supply::units(q + 1000);
    let (status, body) = call_as(
        &to_staff,
        &server,
        "receive_transfer",
        &[("id", &t.id.to_string()), ("quantity", &too_much)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(db.shelf(to, part).await, before_dest);
    let short = app::supply::units(q - 1000);
    ok(
        &to_staff,
        &server,
        "receive_transfer",
        &[("id", &t.id.to_string()), ("quantity", &short)],
    )
    .await;
    assert_eq!(
        db.shelf(to, part).await,
        (before_dest.0 + q - 1000, before_dest.1)
    );
    let list: TransferList =
        serde_json::from_str(&ok(&to_staff, &server, "supply_transfers", &[]).await).expect("list");
    let done = list
        .rows
        .iter()
        .find(|r| r.id == t.id)
        .expect("still listed");
    assert_eq!(done.status, TransferStatus::PartlyReceived);
    assert_eq!(done.received_milli, Some(q - 1000));
    let arriving: Vec<(i64,)> = db
        .rows(
            "SELECT quantity_milli FROM inbound_shipments WHERE stock_transfer_id = $1",
            &[Arg::Id(t.id.as_uuid())],
        )
        .await;
    assert!(arriving.is_empty(), "no longer arriving");
    assert!(
        ledger_mismatches(&db).await.is_empty(),
        "on hand is the sum of the moves"
    );
    let moves: Vec<(String, i64)> = db
        .rows(
            "SELECT kind, delta_milli FROM stock_moves WHERE transfer_id = $1 ORDER BY at",
            &[Arg::Id(t.id.as_uuid())],
        )
        .await;
    assert_eq!(
        moves,
        vec![
            ("transfer_out".to_owned(), -(q as i64)),
            ("transfer_in".to_owned(), q as i64 - 1000)
        ]
    );

    // HQ sets a safety stock; the matrix shows it.
    ok(
        &hq,
        &server,
        "set_safety_stock",
        &[
            ("location_id", &to.to_string()),
            ("part_id", &part.to_string()),
            ("safety", "7.5"),
        ],
    )
    .await;
    let row: NetworkView = serde_json::from_str(
        &ok(
            &hq,
            &server,
            "supply_network",
            &[
                ("category", ""),
                ("location", &to.to_string()),
                ("status", ""),
            ],
        )
        .await,
    )
    .expect("network");
    let r = row.rows.iter().find(|r| r.part == part).expect("row");
    assert_eq!(r.safety_milli, 7500);

    // Its forecast shows each part of the sum, day by day.
    let f: app::supply::ForecastView = serde_json::from_str(
        &ok(
            &hq,
            &server,
            "supply_forecast",
            &[
                ("location_id", &to.to_string()),
                ("part_id", &part.to_string()),
            ],
        )
        .await,
    )
    .expect("forecast");
    assert_eq!(f.by_day.len(), usize::from(app::supply::FORECAST_DAYS));
    assert_eq!(
        f.period.due_milli,
        f.by_day.iter().map(|d| d.due_milli).sum::<u64>()
    );
    assert_eq!(
        f.period.total_milli(),
        f.period.reserved_milli + f.period.due_milli + f.period.other_milli
    );
    let (status, _) = call_as(
        &hq,
        &server,
        "supply_forecast",
        &[("location_id", &to.to_string()), ("part_id", "nope")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn racing_approvals_and_receipts_move_stock_once(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_SUPPLY).await;
    let line = transfer_line(&run(&server, &hq).await);
    let from = line.line.source.location().expect("source");
    let (to, part, q) = (line.line.to, line.line.part, line.line.quantity_milli);
    let before = db.shelf(from, part).await;
    let quantity = app::supply::units(q);
    let id = line.id.to_string();
    let answers = futures::future::join_all((0..6).map(|_| {
        let (hq, server, id, quantity) = (&hq, &server, id.clone(), quantity.clone());
        async move {
            call_as(
                hq,
                server,
                "decide_line",
                &[
                    ("line_id", &id),
                    ("decision", "approve"),
                    ("quantity", &quantity),
                ],
            )
            .await
            .0
        }
    }))
    .await;
    assert_eq!(
        answers.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{answers:?}"
    );
    assert_eq!(
        db.shelf(from, part).await,
        (before.0, before.1 + q),
        "held once"
    );
    let transfers: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM stock_transfers WHERE part_id = $1 AND to_location_id = $2",
            &[Arg::Id(part.as_uuid()), Arg::Id(to.as_uuid())],
        )
        .await;
    assert_eq!(transfers.len(), 1);
    let t = transfers[0].0.to_string();
    ok(&hq, &server, "dispatch_transfer", &[("id", &t)]).await;
    let before_dest = db.shelf(to, part).await;
    let answers = futures::future::join_all((0..6).map(|_| {
        let (hq, server, t, quantity) = (&hq, &server, t.clone(), quantity.clone());
        async move {
            call_as(
                hq,
                server,
                "receive_transfer",
                &[("id", &t), ("quantity", &quantity)],
            )
            .await
            .0
        }
    }))
    .await;
    assert_eq!(
        answers.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{answers:?}"
    );
    assert_eq!(
        db.shelf(to, part).await.0,
        before_dest.0 + q,
        "received once"
    );
    assert!(ledger_mismatches(&db).await.is_empty());
}

async fn supplier_lines_become_one_order_per_supplier_received_at_the_warehouse(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_SUPPLY).await;
    let proposal = run(&server, &hq).await;
    let supplier_lines: Vec<&LineView> = proposal
        .lines
        .iter()
        .filter(|l| matches!(l.line.source, Source::Supplier { .. }))
        .collect();
    assert!(
        !supplier_lines.is_empty(),
        "the demo's warehouse needs something"
    );
    let mut suppliers = std::collections::BTreeSet::new();
    for l in &supplier_lines {
        if let Source::Supplier { supplier, .. } = l.line.source {
            suppliers.insert(supplier);
        }
        ok(
            &hq,
            &server,
            "decide_line",
            &[
                ("line_id", &l.id.to_string()),
                ("decision", "approve"),
                ("quantity", &app::supply::units(l.line.quantity_milli)),
            ],
        )
        .await;
    }
    let sent: u32 =
        serde_json::from_str(&ok(&hq, &server, "send_purchase_orders", &[]).await).expect("count");
    assert_eq!(sent as usize, suppliers.len());
    let orders: PurchaseOrders =
        serde_json::from_str(&ok(&hq, &server, "purchase_orders", &[]).await).expect("orders");
    assert_eq!(orders.orders.len(), suppliers.len());
    let lines: usize = orders.orders.iter().map(|o| o.lines.len()).sum();
    assert_eq!(lines, supplier_lines.len(), "a line per part");
    // Sending again sends nothing more.
    let again: u32 =
        serde_json::from_str(&ok(&hq, &server, "send_purchase_orders", &[]).await).expect("count");
    assert_eq!(again, 0);

    let order = &orders.orders[0];
    let warehouse = supplier_lines[0].line.to;
    let (first_part, ordered, _) = order.lines[0];
    let before = db.shelf(warehouse, first_part).await;
    let (status, _) = call_as(
        &hq,
        &server,
        "receive_purchase_order",
        &[
            ("id", &order.id.to_string()),
            ("part_id", &first_part.to_string()),
            ("quantity", &app::supply::units(ordered + 1000)),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "more than ordered"
    );
    ok(
        &hq,
        &server,
        "receive_purchase_order",
        &[
            ("id", &order.id.to_string()),
            ("part_id", &first_part.to_string()),
            ("quantity", &app::supply::units(ordered - 1000)),
        ],
    )
    .await;
    assert_eq!(
        db.shelf(warehouse, first_part).await.0,
        before.0 + ordered - 1000
    );
    for (part, ordered, _) in order.lines.iter().skip(1) {
        ok(
            &hq,
            &server,
            "receive_purchase_order",
            &[
                ("id", &order.id.to_string()),
                ("part_id", &part.to_string()),
                ("quantity", &app::supply::units(*ordered)),
            ],
        )
        .await;
    }
    let orders: PurchaseOrders =
        serde_json::from_str(&ok(&hq, &server, "purchase_orders", &[]).await).expect("orders");
    let done = orders
        .orders
        .iter()
        .find(|o| o.id == order.id)
        .expect("listed");
    assert_eq!(done.status, domain::supply::OrderStatus::PartlyReceived);
    let (status, _) = call_as(
        &hq,
        &server,
        "receive_purchase_order",
        &[
            ("id", &order.id.to_string()),
            ("part_id", &first_part.to_string()),
            ("quantity", "1"),
        ],
    )
    .await;
    assert_ne!(status, StatusCode::OK, "received once");
    assert!(ledger_mismatches(&db).await.is_empty());
    let _: PartId = first_part;
}

/// Approves and sends the largest proposed transfer; returns it with its line.
async fn sent_transfer(
    db: &TestDb,
    server: &TestServer,
    hq: &reqwest::Client,
) -> (LineView, uuid::Uuid) {
    let line = transfer_line(&run(server, hq).await);
    ok(
        hq,
        server,
        "decide_line",
        &[
            ("line_id", &line.id.to_string()),
            ("decision", "approve"),
            ("quantity", &app::supply::units(line.line.quantity_milli)),
        ],
    )
    .await;
    let t: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM stock_transfers WHERE part_id = $1 AND to_location_id = $2",
            &[
                Arg::Id(line.line.part.as_uuid()),
                Arg::Id(line.line.to.as_uuid()),
            ],
        )
        .await;
    ok(
        hq,
        server,
        "dispatch_transfer",
        &[("id", &t[0].0.to_string())],
    )
    .await;
    (line, t[0].0)
}

async fn bookings_holding_a_transfer_on_its_way_move_onto_the_shelf_when_it_arrives(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_SUPPLY).await;
    let (line, transfer) = sent_transfer(&db, &server, &hq).await;
    let (to, part) = (line.line.to, line.line.part);
    let shipment: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM inbound_shipments WHERE stock_transfer_id = $1",
            &[Arg::Id(transfer)],
        )
        .await;
    // Two of the store's orders hold a unit each of what is on its way; the second was
    // cancelled since (its hold released, the shipment still named).
    let orders: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM orders WHERE store_id = $1 ORDER BY id LIMIT 2",
            &[Arg::Id(to.as_uuid())],
        )
        .await;
    #[allow(clippy::disallowed_methods)]
    let now = time::OffsetDateTime::now_utc();
    for (n, (order,)) in orders.iter().enumerate() {
        db.execute(
            "INSERT INTO reservations (order_id, part_id, shipment_id, quantity_milli, released_at)
             VALUES ($1, $2, $3, 1000, CASE WHEN $4 = 1 THEN $5 ELSE NULL END)",
            &[
                Arg::Id(*order),
                Arg::Id(part.as_uuid()),
                Arg::Id(shipment[0].0),
                Arg::Int(n as i64),
                Arg::Time(now),
            ],
        )
        .await;
    }
    db.execute(
        "UPDATE inbound_shipments SET reserved_milli = 1000 WHERE id = $1",
        &[Arg::Id(shipment[0].0)],
    )
    .await;
    let before = db.shelf(to, part).await;
    let to_staff = signed_in(&server, "staff", &staff_phone(&db, to).await).await;
    let q = line.line.quantity_milli;
    ok(
        &to_staff,
        &server,
        "receive_transfer",
        &[
            ("id", &transfer.to_string()),
            ("quantity", &app::supply::units(q)),
        ],
    )
    .await;
    // What arrived is on the shelf, the live booking's unit held there.
    assert_eq!(db.shelf(to, part).await, (before.0 + q, before.1 + 1000));
    let holds: Vec<(Option<uuid::Uuid>, Option<uuid::Uuid>)> = db
        .rows(
            "SELECT location_id, shipment_id FROM reservations WHERE part_id = $1 AND order_id IN ($2, $3) ORDER BY order_id",
            &[Arg::Id(part.as_uuid()), Arg::Id(orders[0].0), Arg::Id(orders[1].0)],
        )
        .await;
    assert_eq!(
        holds,
        vec![(Some(to.as_uuid()), None), (Some(to.as_uuid()), None)]
    );
    assert!(ledger_mismatches(&db).await.is_empty());
}

async fn a_second_run_before_the_orders_go_out_does_not_order_again(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_SUPPLY).await;
    let first = run(&server, &hq).await;
    let ordered: Vec<&LineView> = first
        .lines
        .iter()
        .filter(|l| matches!(l.line.source, Source::Supplier { .. }))
        .collect();
    assert!(!ordered.is_empty());
    for l in &ordered {
        ok(
            &hq,
            &server,
            "decide_line",
            &[
                ("line_id", &l.id.to_string()),
                ("decision", "approve"),
                ("quantity", &app::supply::units(l.line.quantity_milli)),
            ],
        )
        .await;
    }
    let second = run(&server, &hq).await;
    for l in &ordered {
        let again = second.lines.iter().find(|n| {
            n.status == LineStatus::Proposed
                && n.line.part == l.line.part
                && matches!(n.line.source, Source::Supplier { .. })
        });
        assert!(again.is_none(), "ordered again: {again:?}");
    }
    // The first run's undecided lines gave way to the second's.
    let first_id: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT proposal_id FROM proposal_lines WHERE id = $1",
            &[Arg::Id(first.lines[0].id.as_uuid())],
        )
        .await;
    let open_old: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM proposal_lines WHERE proposal_id = $1 AND status = 'proposed'",
            &[Arg::Id(first_id[0].0)],
        )
        .await;
    assert_eq!(open_old[0].0, 0);
}

async fn a_transfer_withdrawn_before_it_leaves_gives_the_stock_back_once(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_SUPPLY).await;
    let line = transfer_line(&run(&server, &hq).await);
    let from = line.line.source.location().expect("source");
    let part = line.line.part;
    let before = db.shelf(from, part).await;
    ok(
        &hq,
        &server,
        "decide_line",
        &[
            ("line_id", &line.id.to_string()),
            ("decision", "approve"),
            ("quantity", &app::supply::units(line.line.quantity_milli)),
        ],
    )
    .await;
    let t: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM stock_transfers WHERE part_id = $1 AND to_location_id = $2",
            &[Arg::Id(part.as_uuid()), Arg::Id(line.line.to.as_uuid())],
        )
        .await;
    let id = t[0].0.to_string();
    let answers = futures::future::join_all((0..4).map(|_| {
        let (hq, server, id) = (&hq, &server, id.clone());
        async move {
            call_as(hq, server, "cancel_transfer", &[("id", &id)])
                .await
                .0
        }
    }))
    .await;
    assert_eq!(
        answers.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{answers:?}"
    );
    assert_eq!(
        db.shelf(from, part).await,
        before,
        "held, then given back once"
    );
    let (status, _) = call_as(&hq, &server, "dispatch_transfer", &[("id", &id)]).await;
    assert_ne!(
        status,
        StatusCode::OK,
        "a withdrawn transfer does not leave"
    );
    let list: TransferList =
        serde_json::from_str(&ok(&hq, &server, "supply_transfers", &[]).await).expect("list");
    assert_eq!(
        list.rows
            .iter()
            .find(|r| r.id.to_string() == id)
            .map(|r| r.status),
        Some(TransferStatus::Cancelled)
    );
}

async fn routes(server: &TestServer, hq: &reqwest::Client) -> RoutesView {
    serde_json::from_str(&ok(hq, server, "delivery_routes", &[]).await).expect("routes")
}

/// The demo's two routes; bad departures and unknown routes refused, changing nothing;
/// the east route moved to one van at 16:45, after which every line to its stores
/// arrives a leg after that van and every other line a leg after the chain's next.
async fn hq_sets_a_routes_waves_and_the_proposal_rides_them(db: TestDb) {
    use domain::stock::{DeliverySchedule, Waves};
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_SUPPLY).await;
    let before = routes(&server, &hq).await;
    assert!(before.may_edit);
    let codes: Vec<&str> = before.routes.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["east", "west"]);
    let east = &before.routes[0];
    assert_eq!(east.waves.times(), ["09:30", "15:00"]);
    let east_codes: Vec<&str> = east.stores.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(east_codes, ["HZ-BJ", "HZ-XS"]);

    for times in [
        &["25:00"][..],
        &["09:00", "09:00"],
        &[""],
        &["01:00", "02:00", "03:00", "04:00", "05:00"],
    ] {
        let mut form = vec![("route", "east".to_owned())];
        let names: Vec<String> = (0..times.len()).map(|i| format!("times[{i}]")).collect();
        for (name, t) in names.iter().zip(times) {
            form.push((name.as_str(), (*t).to_owned()));
        }
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, body) = call_as(&hq, &server, "set_route_waves", &form).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{times:?}: {body}"
        );
        assert_eq!(
            error(&body),
            app::error::AppError::Invalid(domain::Error::WavesInvalid),
            "{body}"
        );
        assert!(
            error(&body)
                .message(app::i18n::Lang::En)
                .contains("times of day"),
            "{body}"
        );
    }
    let (status, _) = call_as(
        &hq,
        &server,
        "set_route_waves",
        &[("route", "mars"), ("times[0]", "10:00")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        routes(&server, &hq).await,
        before,
        "refusals change nothing"
    );

    ok(
        &hq,
        &server,
        "set_route_waves",
        &[
            ("route", "east"),
            ("times[0]", "16:45"),
            ("times[1]", ""),
            ("times[2]", ""),
        ],
    )
    .await;
    let after = routes(&server, &hq).await;
    assert_eq!(after.routes[0].waves.times(), ["16:45"]);
    assert_eq!(
        after.routes[1], before.routes[1],
        "the west route is as it was"
    );

    let proposal = run(&server, &hq).await;
    let created = proposal.created_at.expect("a proposal");
    let east_ids: Vec<StoreId> = proposal
        .names
        .sites
        .iter()
        .filter(|(_, s)| east_codes.contains(&s.code.as_str()))
        .map(|(id, _)| *id)
        .collect();
    let schedule = DeliverySchedule::default();
    let east_van = schedule
        .on(Waves::parse(["16:45"]).expect("a time"))
        .departure(created);
    let west_van = schedule.departure(created);
    let (mut to_east, mut to_west) = (0, 0);
    for l in proposal
        .lines
        .iter()
        .filter(|l| l.line.source.location().is_some())
    {
        let van = if east_ids.contains(&l.line.to) {
            to_east += 1;
            east_van
        } else {
            to_west += 1;
            west_van
        };
        // The van, then at most three hours on the road.
        assert!(
            l.line.eta > van && l.line.eta < van + time::Duration::hours(3),
            "{:?} arrives {} after the van at {van}",
            l.line.to,
            l.line.eta
        );
    }
    assert!(
        to_east > 0 && to_west > 0,
        "lines to both routes: {to_east} and {to_west}"
    );
}

/// Two instances' jobs at 05:10 local: one proposal, made by nobody (the job); at 04:59
/// none is due; later the same day it is made already; the next morning it is made again;
/// a proposal HQ made twenty minutes before stands in for it.
async fn the_nightly_proposal_is_made_once_a_day_by_one_instance(db: TestDb) {
    use domain::local_time::{at_local_minute, local_date};
    use server::jobs::nightly_proposal;
    let [a, b] = two_instances(&db).await;
    #[allow(clippy::disallowed_methods)] // the test picks days ahead of the real clock
    let day = local_date(time::OffsetDateTime::now_utc()) + time::Duration::days(2);
    let made = |n: Result<Option<usize>, _>| n.expect("the job ran");

    assert_eq!(
        made(nightly_proposal(a.as_ref(), at_local_minute(day, 4 * 60 + 59)).await),
        None
    );
    let night = at_local_minute(day, 5 * 60 + 10);
    let (x, y) = tokio::join!(
        nightly_proposal(a.as_ref(), night),
        nightly_proposal(b.as_ref(), night)
    );
    let runs = [made(x), made(y)];
    assert_eq!(runs.iter().filter(|r| r.is_some()).count(), 1, "{runs:?}");
    assert!(
        runs.iter().flatten().all(|&lines| lines > 0),
        "the demo needs stock: {runs:?}"
    );
    let proposals: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM proposals WHERE created_by IS NULL",
            &[],
        )
        .await;
    assert_eq!(proposals[0].0, 1);
    let first = whole_proposal(a.as_ref()).await.lines;
    assert!(first.iter().all(|l| l.status == LineStatus::Proposed));

    assert_eq!(
        made(nightly_proposal(b.as_ref(), night + time::Duration::hours(8)).await),
        None
    );
    assert!(made(nightly_proposal(b.as_ref(), night + time::Duration::days(1)).await).is_some());
    let proposals: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM proposals", &[]).await;
    assert_eq!(proposals[0].0, 2);
    let superseded: Vec<(i64,)> = db
        .rows(
            "SELECT COUNT(*) FROM proposal_lines WHERE status = 'superseded'",
            &[],
        )
        .await;
    assert_eq!(
        superseded[0].0,
        i64::try_from(first.len()).expect("a count")
    );

    // HQ supply runs one by hand at 04:50 on the third day: the nightly run at 05:10
    // leaves it standing, and the day counts as done.
    let third = day + time::Duration::days(2);
    let by_hand = app::supply::propose(
        a.as_ref(),
        app::supply::RunBy::Staff(hq_supply_staff(&db).await),
        at_local_minute(third, 4 * 60 + 50),
    )
    .await
    .expect("a run");
    assert!(by_hand.is_some());
    assert_eq!(
        made(nightly_proposal(b.as_ref(), at_local_minute(third, 5 * 60 + 10)).await),
        None
    );
    assert!(b.nightly_made(third).await.expect("read"));
    let proposals: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM proposals", &[]).await;
    assert_eq!(proposals[0].0, 3);
}

async fn hq_reads_the_proposal_a_page_at_a_time_for_one_destination_or_all(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_SUPPLY).await;
    let first: ProposalView =
        serde_json::from_str(&ok(&hq, &server, "run_proposal", &[]).await).expect("proposal");
    let page = usize::try_from(PROPOSAL_PAGE).expect("a count");
    assert!(
        first.matched > PROPOSAL_PAGE,
        "the demo's proposal fills more than a page: {}",
        first.matched
    );
    assert_eq!(first.lines.len(), page);
    let shown: std::collections::BTreeSet<PartId> =
        first.lines.iter().map(|l| l.line.part).collect();
    assert_eq!(
        first
            .names
            .parts
            .keys()
            .copied()
            .collect::<std::collections::BTreeSet<_>>(),
        shown,
        "the names of the page's parts, not the catalog's"
    );

    // The pages, one after another, are the proposal's lines in its order.
    let all = every_line(&server, &hq, first.clone(), "").await;
    let stored: Vec<(uuid::Uuid,)> = db
        .rows(
            "SELECT id FROM proposal_lines
             WHERE proposal_id = (SELECT id FROM proposals ORDER BY created_at DESC, id DESC LIMIT 1)
             ORDER BY line_no",
            &[],
        )
        .await;
    let ids: Vec<uuid::Uuid> = all.lines.iter().map(|l| l.id.as_uuid()).collect();
    assert_eq!(ids, stored.iter().map(|r| r.0).collect::<Vec<_>>());
    let past: ProposalView = serde_json::from_str(
        &ok(
            &hq,
            &server,
            "supply_proposal",
            &[("from", &all.matched.to_string())],
        )
        .await,
    )
    .expect("past the end");
    assert!(past.lines.is_empty());

    // One destination: every line going there, and only those.
    let busiest = *all
        .destinations
        .iter()
        .max_by_key(|&&d| all.lines.iter().filter(|l| l.line.to == d).count())
        .expect("destinations");
    let going: Vec<uuid::Uuid> = all
        .lines
        .iter()
        .filter(|l| l.line.to == busiest)
        .map(|l| l.id.as_uuid())
        .collect();
    let to = busiest.to_string();
    let there: ProposalView = serde_json::from_str(
        &ok(
            &hq,
            &server,
            "supply_proposal",
            &[("to", &to), ("from", "")],
        )
        .await,
    )
    .expect("one destination");
    assert_eq!(there.to, Some(busiest));
    assert_eq!(
        usize::try_from(there.matched).expect("a count"),
        going.len()
    );
    let there = every_line(&server, &hq, there, &to).await;
    assert_eq!(
        there
            .lines
            .iter()
            .map(|l| l.id.as_uuid())
            .collect::<Vec<_>>(),
        going
    );

    // A page that is not a number, or a destination that is not a location, is refused.
    for form in [
        [("to", ""), ("from", "-1")],
        [("to", ""), ("from", "fifty")],
        [("to", "Xihu"), ("from", "0")],
    ] {
        let (status, body) = call_as(&hq, &server, "supply_proposal", &form).await;
        assert!(status.is_client_error(), "{form:?}: {status} {body}");
        assert!(
            !error(&body).message(app::i18n::Lang::Zh).is_empty(),
            "{body}"
        );
    }
}

/// HQ's button and the nightly job, or two planners, run at once; each reads the network
/// at its own time and saves when it is done. Whichever commits last, the proposal HQ
/// decides is the later reading's, its lines all still to decide; an earlier reading
/// saved after it changes nothing.
async fn of_two_runs_at_once_the_later_reading_is_the_proposal_whichever_saves_last(db: TestDb) {
    use app::supply::{propose, RunBy};
    let [a, b] = two_instances(&db).await;
    let by = RunBy::Staff(hq_supply_staff(&db).await);
    #[allow(clippy::disallowed_methods)] // the runs are set ahead of the real clock
    let start = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .replace_millisecond(0)
        .expect("a whole second");

    // The later reading saved first: the earlier one, saved after, gives way.
    let later = start + time::Duration::minutes(1);
    assert!(propose(b.as_ref(), by, later)
        .await
        .expect("a run")
        .is_some());
    assert_eq!(propose(a.as_ref(), by, start).await.expect("a run"), None);
    let page = whole_proposal(a.as_ref()).await;
    assert_eq!(page.created_at, Some(later));
    assert!(!page.lines.is_empty(), "the demo needs stock");
    assert!(page.lines.iter().all(|l| l.status == LineStatus::Proposed));
    let proposals: Vec<(i64,)> = db.rows("SELECT COUNT(*) FROM proposals", &[]).await;
    assert_eq!(proposals[0].0, 1, "the earlier reading saved nothing");

    // Both at once, a minute apart in what they read, several times over.
    for round in 1..=4 {
        let early = later + time::Duration::minutes(10 * round);
        let late = early + time::Duration::minutes(1);
        let (x, y) = tokio::join!(
            propose(a.as_ref(), by, early),
            propose(b.as_ref(), by, late)
        );
        x.expect("a run");
        assert!(
            y.expect("a run").is_some(),
            "the later reading is always saved"
        );
        let page = whole_proposal(b.as_ref()).await;
        assert_eq!(page.created_at, Some(late), "round {round}");
        assert!(
            !page.lines.is_empty() && page.lines.iter().all(|l| l.status == LineStatus::Proposed),
            "round {round}: the latest proposal's lines are all to decide"
        );
        let open: Vec<(i64,)> = db
            .rows(
                "SELECT COUNT(*) FROM proposal_lines WHERE status = 'proposed'",
                &[],
            )
            .await;
        assert_eq!(
            open[0].0,
            i64::try_from(page.lines.len()).expect("a count"),
            "round {round}: no other proposal's lines are open"
        );
    }
}
