//! CSV import and export over HTTP, on SQLite and PostgreSQL: a file goes up in pieces,
//! is checked whole with every refused row named by line, column and reason, and
//! changes nothing unless it is valid (or the valid rows are asked for); prices become
//! one new price-list version; stock counts move the ledger and never go below what
//! bookings hold; what is imported comes back out in the same format.

mod common;

use app::dataimport::{Applied, ReportView};
use app::error::AppError;
use common::{call_as, error, signed_in, Arg, TestDb, TestServer, HQ_ADMIN};
use domain::Error as E;
use reqwest::{Client, StatusCode};

both_backends!(
    a_file_with_errors_names_them_by_row_and_applies_nothing_until_asked,
    a_wrong_header_or_too_many_rows_refuse_the_whole_file,
    stock_counts_move_the_ledger_and_never_below_what_bookings_hold,
    an_imported_part_and_its_fitment_come_back_out_in_the_same_format,
);

/// Uploads `text` in pieces of `piece` bytes; returns the upload's id.
async fn upload(
    client: &Client,
    server: &TestServer,
    kind: &str,
    text: &str,
    piece: usize,
) -> String {
    let mut id = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        // As the page cuts a file: at most `piece` bytes, on a character's edge.
        let mut end = piece.min(rest.len());
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        let (status, body) = call_as(
            client,
            server,
            "import_piece",
            &[("upload", &id), ("kind", kind), ("text", chunk)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        id = serde_json::from_str(&body).expect("upload id");
    }
    id
}

async fn check(client: &Client, server: &TestServer, id: &str) -> (StatusCode, String) {
    call_as(client, server, "check_import", &[("upload", id)]).await
}

async fn apply(
    client: &Client,
    server: &TestServer,
    id: &str,
    valid_only: bool,
) -> (StatusCode, String) {
    let flag = if valid_only { "true" } else { "false" };
    call_as(
        client,
        server,
        "apply_import",
        &[("upload", id), ("valid_only", flag)],
    )
    .await
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    let rows: Vec<(i64,)> = db.rows(sql, &[]).await;
    rows[0].0
}

/// A part's SKU with its price in the newest version, in fen.
async fn a_priced_part(db: &TestDb) -> (String, i64) {
    let rows: Vec<(String, i64)> = db
        .rows(
            "SELECT p.sku, pr.price_fen FROM parts p
             JOIN prices pr ON pr.item_id = p.id AND pr.item_kind = 'part'
             JOIN price_list_versions v ON v.id = pr.version_id
             WHERE v.version = (SELECT MAX(version) FROM price_list_versions)
             ORDER BY p.sku LIMIT 1",
            &[],
        )
        .await;
    rows[0].clone()
}

async fn a_file_with_errors_names_them_by_row_and_applies_nothing_until_asked(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let (sku, fen) = a_priced_part(&db).await;
    let new_fen = fen + 1_000;
    let file = format!(
        "kind,code,price\n\
         part,{sku},{}.{:02}\n\
         part,NO-SUCH-SKU,10\n\
         service,OIL_CHANGE,12.345\n\
         gift,OIL_CHANGE,1\n\
         \"part\",\"{sku}\"\n",
        new_fen / 100,
        new_fen % 100
    );
    let versions = "SELECT COUNT(*) FROM price_list_versions";
    let before = count(&db, versions).await;
    // Pieces of 16 bytes cut rows, and even fields, in two: the server joins them.
    let id = upload(&hq, &server, "prices", &file, 16).await;
    let (status, body) = check(&hq, &server, &id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: ReportView = serde_json::from_str(&body).expect("report");
    assert_eq!((report.rows, report.valid, report.error_count), (5, 1, 4));
    let found: Vec<(u64, Option<&str>, E)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref(), e.error.clone()))
        .collect();
    assert_eq!(
        found,
        vec![
            (3, Some("code"), E::SkuUnknown),
            (4, Some("price"), E::AmountTooPrecise),
            (5, Some("kind"), E::PriceItemKindUnknown),
            (6, None, E::ImportColumnsWrong),
        ]
    );
    // Applied whole: refused, and nothing changed.
    let (status, body) = apply(&hq, &server, &id, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), AppError::Invalid(E::ImportHasErrors));
    assert_eq!(count(&db, versions).await, before);
    // The valid row when asked: one new version with the new price.
    let (status, body) = apply(&hq, &server, &id, true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let applied: Applied = serde_json::from_str(&body).expect("applied");
    assert_eq!(applied.rows, 1);
    assert_eq!(count(&db, versions).await, before + 1);
    assert_eq!(
        applied.price_version,
        Some(u32::try_from(before + 1).expect("version"))
    );
    let (_, now_fen) = a_priced_part(&db).await;
    assert_eq!(now_fen, new_fen);
    // The upload is gone: applying it again finds nothing.
    let (status, _) = apply(&hq, &server, &id, true).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_wrong_header_or_too_many_rows_refuse_the_whole_file(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let parts = "SELECT COUNT(*) FROM parts";
    let before = count(&db, parts).await;
    let id = upload(&hq, &server, "catalog", "sku,name\nNEW-1,Name\n", 1_000).await;
    let (status, body) = check(&hq, &server, &id).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), AppError::Invalid(E::ImportHeaderInvalid));
    let (_, body) = apply(&hq, &server, &id, true).await;
    assert_eq!(error(&body), AppError::Invalid(E::ImportHeaderInvalid));
    // 200,000 rows: refused as too many.
    let mut big = String::from("sku,category,name_zh,name_en\n");
    for n in 0..200_000 {
        big.push_str(&format!("BULK-{n:06},OIL_FILTER,滤清器,Filter\n"));
    }
    let id = upload(&hq, &server, "catalog", &big, 1 << 20).await;
    let (status, body) = check(&hq, &server, &id).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), AppError::Invalid(E::ImportTooLarge));
    let (_, body) = apply(&hq, &server, &id, true).await;
    assert_eq!(error(&body), AppError::Invalid(E::ImportTooLarge));
    assert_eq!(count(&db, parts).await, before);
    // An unknown kind is refused before anything is staged.
    let (status, body) = call_as(
        &hq,
        &server,
        "import_piece",
        &[("upload", ""), ("kind", "vehicles"), ("text", "a,b\n")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error(&body), AppError::Invalid(E::ImportKindUnknown));
}

async fn stock_counts_move_the_ledger_and_never_below_what_bookings_hold(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    // A shelf with nothing held, and one with a booking's hold.
    let free: Vec<(String, String, i64)> = db
        .rows(
            "SELECT l.code, p.sku, s.on_hand_milli FROM stock s
             JOIN locations l ON l.id = s.location_id JOIN parts p ON p.id = s.part_id
             WHERE s.reserved_milli = 0 AND s.on_hand_milli > 0 ORDER BY l.code, p.sku LIMIT 1",
            &[],
        )
        .await;
    let (location, sku, on_hand) = free[0].clone();
    let held_sql = "UPDATE stock SET reserved_milli = 2000, on_hand_milli = 5000
         WHERE location_id = (SELECT id FROM locations WHERE code = $1)
           AND part_id = (SELECT id FROM parts WHERE sku = $2)";
    let other: Vec<(String, String)> = db
        .rows(
            "SELECT l.code, p.sku FROM stock s
             JOIN locations l ON l.id = s.location_id JOIN parts p ON p.id = s.part_id
             WHERE s.reserved_milli = 0 AND NOT (l.code = $1 AND p.sku = $2)
             ORDER BY l.code DESC, p.sku LIMIT 1",
            &[Arg::Text(location.clone()), Arg::Text(sku.clone())],
        )
        .await;
    let (held_at, held_sku) = other[0].clone();
    // A booking's hold, as the test's own shelf.
    db.execute(
        held_sql,
        &[Arg::Text(held_at.clone()), Arg::Text(held_sku.clone())],
    )
    .await;
    let moves = "SELECT COUNT(*) FROM stock_moves WHERE kind = 'count'";
    let moves_before = count(&db, moves).await;
    // Below what is held: the file is refused, nothing moves.
    let file = format!("location,sku,counted\n{location},{sku},7.5\n{held_at},{held_sku},1\n");
    let id = upload(&hq, &server, "stock_counts", &file, 1_000).await;
    let (_, body) = check(&hq, &server, &id).await;
    let report: ReportView = serde_json::from_str(&body).expect("report");
    assert_eq!(report.errors.len(), 1);
    assert_eq!(
        (report.errors[0].line, report.errors[0].error.clone()),
        (3, E::CountBelowHeld)
    );
    let (status, _) = apply(&hq, &server, &id, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&db, moves).await, moves_before);
    // The valid row: the shelf holds what was counted, and the ledger says by how much.
    let (status, body) = apply(&hq, &server, &id, true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let shelf: Vec<(i64,)> = db
        .rows(
            "SELECT s.on_hand_milli FROM stock s
             JOIN locations l ON l.id = s.location_id JOIN parts p ON p.id = s.part_id
             WHERE l.code = $1 AND p.sku = $2",
            &[Arg::Text(location.clone()), Arg::Text(sku.clone())],
        )
        .await;
    assert_eq!(shelf[0].0, 7_500);
    let delta: Vec<(i64,)> = db
        .rows(
            "SELECT m.delta_milli FROM stock_moves m
             JOIN locations l ON l.id = m.location_id JOIN parts p ON p.id = m.part_id
             WHERE m.kind = 'count' AND l.code = $1 AND p.sku = $2",
            &[Arg::Text(location.clone()), Arg::Text(sku.clone())],
        )
        .await;
    assert_eq!(delta, vec![(7_500 - on_hand,)]);
    // The held shelf is as it was.
    let held: Vec<(i64, i64)> = db
        .rows(
            "SELECT s.on_hand_milli, s.reserved_milli FROM stock s
             JOIN locations l ON l.id = s.location_id JOIN parts p ON p.id = s.part_id
             WHERE l.code = $1 AND p.sku = $2",
            &[Arg::Text(held_at), Arg::Text(held_sku)],
        )
        .await;
    assert_eq!(held, vec![(5_000, 2_000)]);
}

async fn an_imported_part_and_its_fitment_come_back_out_in_the_same_format(db: TestDb) {
    let server = TestServer::start(&db).await;
    let hq = signed_in(&server, "staff", HQ_ADMIN).await;
    let id = upload(
        &hq,
        &server,
        "catalog",
        "sku,category,name_zh,name_en\nFLT-NEW-9,OIL_FILTER,\"新滤清器, 加长\",\"New filter, long\"\n",
        1_000,
    )
    .await;
    let (status, body) = apply(&hq, &server, &id, false).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = upload(
        &hq,
        &server,
        "fitment",
        "model,category,sku\nTOY-COROLLA,OIL_FILTER,FLT-NEW-9\n",
        1_000,
    )
    .await;
    let (status, body) = apply(&hq, &server, &id, false).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let export = |kind: &'static str| {
        let hq = &hq;
        let server = &server;
        async move {
            let (status, body) = call_as(hq, server, "export_csv", &[("kind", kind)]).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_str::<String>(&body).expect("csv")
        }
    };
    let catalog = export("catalog").await;
    assert!(
        catalog.starts_with("sku,category,name_zh,name_en\n"),
        "{catalog}"
    );
    assert!(
        catalog.contains("FLT-NEW-9,OIL_FILTER,\"新滤清器, 加长\",\"New filter, long\"\n"),
        "{catalog}"
    );
    let fitment = export("fitment").await;
    assert!(
        fitment.contains("TOY-COROLLA,OIL_FILTER,FLT-NEW-9\n"),
        "{fitment}"
    );
    // The export imports again unchanged: every row valid.
    let id = upload(&hq, &server, "catalog", &catalog, 1 << 16).await;
    let (_, body) = check(&hq, &server, &id).await;
    let report: ReportView = serde_json::from_str(&body).expect("report");
    assert_eq!(report.error_count, 0);
    assert_eq!(report.valid, report.rows);
    let stock = export("stock_counts").await;
    assert!(stock.starts_with("location,sku,counted\n"), "{stock}");
    let prices = export("prices").await;
    assert!(prices.contains("service,OIL_CHANGE,"), "{prices}");
}
