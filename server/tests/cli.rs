//! The server binary as an operator uses it: `migrate` and `seed --demo`, on both
//! databases, run twice to show they are safe to repeat.

mod common;

use std::process::Command;

use common::TestDb;

both_backends!(migrate_and_seed_are_safe_to_repeat);

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
