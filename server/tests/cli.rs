//! The server binary as an operator uses it: `migrate` and `seed --demo`, on both
//! databases, run twice to show they are safe to repeat; `backup` and `restore`, which
//! never overwrite a file or a database with data; `import` and `export` of CSV files.

mod common;

use std::process::Command;

use common::TestDb;

both_backends!(
    migrate_and_seed_are_safe_to_repeat,
    backup_restore_import_and_export_from_the_command_line,
);

fn run(db: &TestDb, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the server binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn migrate_and_seed_are_safe_to_repeat(db: TestDb) {
    for _ in 0..2 {
        let (ok, out) = run(&db, &["migrate"]);
        assert!(ok, "{out}");
        assert!(out.contains("migrated"), "{out}");
        assert!(!out.contains("postgres@"), "the URL is redacted: {out}");
    }
    let (ok, out) = run(&db, &["seed", "--demo"]);
    assert!(ok, "{out}");
    assert!(out.contains("loaded the demo data"), "{out}");
    let (ok, out) = run(&db, &["seed", "--demo"]);
    assert!(ok, "{out}");
    assert!(out.contains("already has data"), "{out}");

    let (ok, out) = run(&db, &["seed"]);
    assert!(!ok, "seed without a data set is refused");
    assert!(out.contains("--demo"), "{out}");

    let prices = db
        .open(server::live::Hub::new(), false)
        .await
        .storages()
        .prices;
    let demo = server::demo::demo_data();
    assert_eq!(
        prices.services().await.expect("services").len(),
        demo.services.len()
    );
}

async fn backup_restore_import_and_export_from_the_command_line(db: TestDb) {
    let (ok, out) = run(&db, &["seed", "--demo"]);
    assert!(ok, "{out}");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("demo.backup");
    let file = file.to_str().expect("a UTF-8 path");
    let (ok, out) = run(&db, &["backup", file]);
    assert!(ok, "{out}");
    assert!(out.contains("backed up"), "{out}");
    let (ok, out) = run(&db, &["backup", file]);
    assert!(!ok, "a second backup to the same file is refused: {out}");
    assert!(out.contains("already exists"), "{out}");

    let copy = TestDb::new(db.backend()).await.expect("a second database");
    let (ok, out) = run(&copy, &["restore", file]);
    assert!(ok, "{out}");
    let customers = "SELECT COUNT(*) FROM customers";
    let live: Vec<(i64,)> = db.rows(customers, &[]).await;
    let restored: Vec<(i64,)> = copy.rows(customers, &[]).await;
    assert_eq!(live, restored);
    let (ok, out) = run(&copy, &["restore", file]);
    assert!(!ok, "a restore over data is refused: {out}");
    assert!(out.contains("empty database"), "{out}");

    // A price file: checked, its bad row named, applied only with --valid-only.
    let csv = dir.path().join("prices.csv");
    std::fs::write(
        &csv,
        "kind,code,price\nservice,OIL_CHANGE,321.50\npart,NOPE,1\n",
    )
    .expect("write");
    let csv = csv.to_str().expect("a UTF-8 path");
    let (ok, out) = run(&db, &["import", "prices", csv]);
    assert!(!ok, "{out}");
    assert!(out.contains("line 3, code"), "{out}");
    let versions = "SELECT COUNT(*) FROM price_list_versions";
    let before: Vec<(i64,)> = db.rows(versions, &[]).await;
    let (ok, out) = run(&db, &["import", "prices", csv, "--valid-only"]);
    assert!(ok, "{out}");
    assert!(out.contains("applied 1 rows"), "{out}");
    let after: Vec<(i64,)> = db.rows(versions, &[]).await;
    assert_eq!(after[0].0, before[0].0 + 1);
    let (ok, out) = run(&db, &["export", "prices"]);
    assert!(ok, "{out}");
    assert!(out.contains("service,OIL_CHANGE,321.50"), "{out}");
}
