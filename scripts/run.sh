#!/usr/bin/env bash
# Serves Pitlane on http://127.0.0.1:3000 with SQLite under ./data/ and the demo data
# loaded on first start. Installs the build tools it lacks. Safe to run again.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"

ensure_rust_tools
mkdir -p data
export DATABASE_URL="${DATABASE_URL:-sqlite://data/pitlane.db}"
export PITLANE_DEMO="${PITLANE_DEMO:-1}"
say "building and serving on http://127.0.0.1:3000 (database: $DATABASE_URL)"
# --split: every page is a lazy route, whose code the build splits into its own chunk.
exec cargo leptos serve --split "$@"
