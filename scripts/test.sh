#!/usr/bin/env bash
# Runs everything: formatting, clippy, every Rust test on SQLite and on PostgreSQL, and
# the browser tests in Debian's Chromium. Installs what it lacks. Safe to run again.
#
# PostgreSQL: the local server (PITLANE_TEST_PG, default postgres://postgres@127.0.0.1:5432).
# Tests create their own databases and drop them. PITLANE_SKIP_POSTGRES=1 skips them
# explicitly; otherwise a missing server fails the run.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
start=$(date +%s)

ensure_rust_tools
ensure_chromium
ensure_npm_packages

export PITLANE_TEST_PG="${PITLANE_TEST_PG:-postgres://postgres@127.0.0.1:5432}"
if [ "${PITLANE_SKIP_POSTGRES:-0}" = "1" ]; then
  say "PITLANE_SKIP_POSTGRES=1: the PostgreSQL half of the storage tests is skipped"
else
  pg_hostport="${PITLANE_TEST_PG#*://}"; pg_hostport="${pg_hostport#*@}"; pg_hostport="${pg_hostport%%/*}"
  if ! (exec 3<>"/dev/tcp/${pg_hostport%:*}/${pg_hostport##*:}") 2>/dev/null; then
    echo "error: no PostgreSQL answers at $PITLANE_TEST_PG." >&2
    echo "       Start it (pg_ctlcluster \$(ls /etc/postgresql) main start) or set PITLANE_SKIP_POSTGRES=1." >&2
    exit 1
  fi
fi

say "cargo fmt --check"
cargo fmt --all -- --check

say "clippy (server side and browser side)"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p app --lib --no-default-features --features hydrate --target wasm32-unknown-unknown --locked -- -D warnings

say "Rust tests (domain, storage on SQLite and PostgreSQL, API)"
cargo test --workspace --locked

say "building the site"
rm -rf target/e2e
cargo leptos build

say "browser tests (Chromium)"
(cd end2end && npx playwright test)

say "all green in $(( $(date +%s) - start ))s"
