#!/usr/bin/env bash
# What a customer's phone downloads on a first visit: the page's WebAssembly, its
# JavaScript loader and the stylesheet, as served (brotli). Fails when that passes the
# budget. Reads the release site that `cargo leptos build --release -P` wrote (hashed
# names with .gz and .br beside each file).
#
#   scripts/bundle-size.sh [site_pkg_dir] [budget_bytes]
set -euo pipefail
pkg="${1:-target/site/pkg}"
# The goal is 300,000 bytes (issue "Pages that never break, …"). Today's bundle is
# 384,541 bytes after type-erasing components (it was 544,623); lazy-loading the kiosk
# and HQ routes is the next cut. Until then the budget holds the line where it is.
budget="${2:-${PITLANE_BUNDLE_BUDGET:-390000}}"

size() { stat -c %s "$1"; }
total_br=0
printf '%-44s %10s %10s %10s\n' file raw gzip brotli
for kind in wasm js css; do
  shopt -s nullglob
  files=("$pkg"/pitlane*."$kind")
  shopt -u nullglob
  if [ "${#files[@]}" -ne 1 ]; then
    echo "error: expected one pitlane*.$kind in $pkg, found ${#files[@]} (run a release build with -P first)" >&2
    exit 1
  fi
  f="${files[0]}"
  for c in gz br; do
    [ -f "$f.$c" ] || { echo "error: $f.$c is missing: build with --precompress (-P)" >&2; exit 1; }
  done
  printf '%-44s %10d %10d %10d\n' "$(basename "$f")" "$(size "$f")" "$(size "$f.gz")" "$(size "$f.br")"
  total_br=$(( total_br + $(size "$f.br") ))
done
printf 'customer first load, brotli: %d bytes (budget %d)\n' "$total_br" "$budget"
if [ "$total_br" -gt "$budget" ]; then
  echo "error: the customer bundle is over its budget" >&2
  exit 1
fi
