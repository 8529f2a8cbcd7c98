# Shared set-up for scripts/run.sh and scripts/test.sh: installs what is missing and
# skips what is there, so running it twice is cheap. Sourced, not executed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

CARGO_LEPTOS_VERSION=0.3.10   # 0.3.11 needs a newer rustc than this machine's 1.95
WASM_BINDGEN_VERSION=0.2.130  # must equal the wasm-bindgen pinned in Cargo.toml

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# apt-get as root, or through sudo without ever waiting for a password (CI has no tty).
apt_install() {
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo -n)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

ensure_build_deps() {
  # A C compiler for the bundled SQLite; make and Perl's IPC::Cmd for the vendored
  # OpenSSL that cargo-leptos builds.
  if ! command -v cc >/dev/null || ! command -v make >/dev/null || ! perl -MIPC::Cmd -e1 2>/dev/null; then
    say "installing build tools (build-essential, perl)"
    apt_install build-essential perl
  fi
}

ensure_rust_tools() {
  ensure_build_deps
  for component in rustfmt clippy; do
    if ! rustup component list --installed | grep -q "^$component"; then
      say "adding the $component component"
      rustup component add "$component"
    fi
  done
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 11 minutes, once)"
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
  fi
  # Without the CLI on PATH cargo-leptos tries to download it, which fails here.
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

ensure_npm_packages() {
  # binaryen (wasm-opt for release builds) and Playwright come from npm.
  if [ ! -x "$ROOT/end2end/node_modules/.bin/playwright" ] \
     || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    say "installing the npm packages of end2end/"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund)
  fi
}

ensure_pg_client() {
  # pg_dump and pg_restore: `server backup` and `restore` on PostgreSQL, and their tests.
  if ! command -v pg_dump >/dev/null || ! command -v pg_restore >/dev/null; then
    say "installing the PostgreSQL client tools"
    apt_install postgresql-client
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's Chromium"
    apt_install chromium
  fi
}
