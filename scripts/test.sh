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
  say "PITLANE_SKIP_POSTGRES=1: the PostgreSQL half of the tests is skipped (reported as ignored)"
else
  ensure_pg_client
  # host[:port] from scheme://[user@]host[:port][/db]
  pg_hostport="${PITLANE_TEST_PG#*://}"; pg_hostport="${pg_hostport##*@}"; pg_hostport="${pg_hostport%%/*}"
  pg_host="${pg_hostport%:*}"; pg_port="${pg_hostport##*:}"
  [ "$pg_port" = "$pg_hostport" ] && pg_port=5432
  if ! timeout 5 bash -c "exec 3<>/dev/tcp/$pg_host/$pg_port" 2>/dev/null; then
    echo "error: no PostgreSQL answers at $PITLANE_TEST_PG." >&2
    echo "       Start it (pg_ctlcluster \$(ls /etc/postgresql) main start) or set PITLANE_SKIP_POSTGRES=1." >&2
    exit 1
  fi
  # Databases left behind by an interrupted earlier run.
  if command -v psql >/dev/null; then
    for db in $(psql "$PITLANE_TEST_PG/postgres" -Atc \
        "SELECT datname FROM pg_database WHERE datname LIKE 'pitlane\_test\_%' OR datname LIKE 'pitlane\_bench\_%'" 2>/dev/null); do
      psql "$PITLANE_TEST_PG/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
fi

say "cargo fmt --check"
cargo fmt --all -- --check

say "clippy (server side and browser side)"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p app --lib --no-default-features --features hydrate --target wasm32-unknown-unknown --locked -- -D warnings

say "Rust tests (domain, storage on SQLite and PostgreSQL, API)"
cargo test --workspace --locked

say "building the release site (a wasm chunk per page, content-hashed names, brotli and gzip beside each file)"
rm -rf target/e2e target/site/pkg
LEPTOS_HASH_FILES=true cargo leptos build --release --split --precompress
"$ROOT/scripts/bundle-size.sh"

# bundle.spec checks a first visit's download against its budget.
say "browser tests (Chromium) against the release build"
# A free port, so a server left running by an earlier run cannot get in the way.
PITLANE_E2E_PORT="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
export PITLANE_E2E_PORT
export PITLANE_E2E_SERVER=target/release/server LEPTOS_HASH_FILES=true
(cd end2end && npx playwright test)

say "all green in $(( $(date +%s) - start ))s"
