#!/usr/bin/env bash
# Lists what the release build wrote under the site's pkg directory: each JavaScript,
# WebAssembly and CSS file with its raw, gzip and brotli size, and the totals. A page's
# first visit downloads only some of these (the loader, the main wasm, that page's chunks,
# the stylesheet); end2end/tests/bundle.spec.ts measures that and holds it to its budget.
#
#   scripts/bundle-size.sh [site_pkg_dir]
set -euo pipefail
pkg="${1:-target/site/pkg}"

shopt -s nullglob
files=("$pkg"/*.js "$pkg"/*.wasm "$pkg"/*.css)
shopt -u nullglob
if [ "${#files[@]}" -eq 0 ]; then
  echo "error: nothing in $pkg: run a release build first" >&2
  exit 1
fi

size() { stat -c %s "$1"; }
raw=0 gz=0 br=0
printf '%-52s %10s %10s %10s\n' file raw gzip brotli
for f in "${files[@]}"; do
  for c in gz br; do
    [ -f "$f.$c" ] || { echo "error: $f.$c is missing: build with --precompress" >&2; exit 1; }
  done
  printf '%-52s %10d %10d %10d\n' "$(basename "$f")" "$(size "$f")" "$(size "$f.gz")" "$(size "$f.br")"
  raw=$(( raw + $(size "$f") )); gz=$(( gz + $(size "$f.gz") )); br=$(( br + $(size "$f.br") ))
done
printf '%-52s %10d %10d %10d\n' "all pages together" "$raw" "$gz" "$br"
