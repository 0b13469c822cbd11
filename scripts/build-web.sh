#!/usr/bin/env bash
# Builds the field app for browsers into DIR (default $CARGO_TARGET_DIR/web-app): the
# same Dioxus app as the desktop and phones, compiled to wasm, bound with
# wasm-bindgen, plus the page, store worker, service worker, manifest and icons.
# Installs what it needs on Debian: the wasm target, clang-19, and wasm-bindgen-cli at
# the version Cargo.lock pins. Prints each file's gzipped size and the total, and
# fails when the first download exceeds the 1.5 MB budget.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zaofaxian/target}"
out="${1:-$CARGO_TARGET_DIR/web-app}"
budget=$((1536 * 1024))

rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
  || rustup target add wasm32-unknown-unknown
# SQLite's C sources for wasm need a clang that knows the target (gcc cannot; clang 14
# needs flags): Debian 12 ships clang-19.
if ! command -v clang-19 >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang-19
fi
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
  echo "== installing wasm-bindgen-cli $want (once)"
  cargo install wasm-bindgen-cli --version "$want"
fi

echo "== building the web app (wasm, profile web-release)"
CC_wasm32_unknown_unknown=clang-19 cargo build --locked -p zaofaxian-mobile --bin zaofaxian-app \
  --features web --target wasm32-unknown-unknown --profile web-release
rm -rf "$out.new"
mkdir -p "$out.new"
wasm-bindgen --target web --no-typescript --remove-name-section --out-name zaofaxian_app \
  --out-dir "$out.new" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/web-release/zaofaxian-app.wasm"
cp mobile/web/* "$out.new/"

# The service worker's precache list and version (the hash of every file in it).
files=$(cd "$out.new" && find . -type f ! -name sw.js | sed 's|^\./||' | sort)
list=$(printf '%s\n' "./" $files | awk 'BEGIN { printf "[" } { printf "%s\"%s\"", (NR > 1 ? ", " : ""), $0 } END { printf "]" }')
version=$(cd "$out.new" && cat $files | sha256sum | cut -c1-16)
sed -i "s|__VERSION__|$version|; s|__FILES__|$list|" "$out.new/sw.js"
rm -rf "$out"
mv "$out.new" "$out"

echo "== first download, gzipped (budget 1.5 MB)"
total=0
for f in $(cd "$out" && find . -type f | sed 's|^\./||' | sort); do
  raw=$(stat -c %s "$out/$f")
  gz=$(gzip -9 -c "$out/$f" | wc -c)
  total=$((total + gz))
  printf '%10d B gzipped  %10d B raw  %s\n' "$gz" "$raw" "$f"
done
printf 'web app first download: %d KB gzipped (budget %d KB), version %s, in %s\n' \
  $((total / 1024)) $((budget / 1024)) "$version" "$out"
if [ "$total" -gt "$budget" ]; then
  echo "over the 1.5 MB budget" >&2
  exit 1
fi
