#!/usr/bin/env bash
# Starts the Zaofaxian server on the embedded default (http://127.0.0.1:8080,
# override with ZAOFAXIAN_ADDR). Installs what it needs on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zaofaxian/target}"

if ! command -v cc >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq build-essential pkg-config
fi
cargo build --release --locked -p zaofaxian-server
BIN="$CARGO_TARGET_DIR/release/zaofaxian-server"
# The field app for phone browsers, served at /app/ (installs its toolchain once).
scripts/build-web.sh "$CARGO_TARGET_DIR/web-app"
export ZAOFAXIAN_WEB_APP_DIR="${ZAOFAXIAN_WEB_APP_DIR:-$CARGO_TARGET_DIR/web-app}"
# The embedded default: a SQLite file in ./zaofaxian-data. Load the sample Yunnan
# division codes (idempotent), then serve.
"$BIN" admin import-divisions server/data/yunnan_sample_divisions.csv
# Codes go to the log for a trial (the server warns loudly); set ZAOFAXIAN_SMS to a
# real sender in production, or leave it empty to switch household code sign-in off.
export ZAOFAXIAN_SMS="${ZAOFAXIAN_SMS-log}"
exec "$BIN" serve "$@"
