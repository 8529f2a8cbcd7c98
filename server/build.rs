//! `PITLANE_SKIP_POSTGRES=1` marks the PostgreSQL half of the test suite as ignored, so
//! `cargo test` reports it as skipped rather than passed.

fn main() {
    println!("cargo::rerun-if-env-changed=PITLANE_SKIP_POSTGRES");
    println!("cargo::rustc-check-cfg=cfg(skip_postgres)");
    if std::env::var("PITLANE_SKIP_POSTGRES").as_deref() == Ok("1") {
        println!("cargo::rustc-cfg=skip_postgres");
    }
}
