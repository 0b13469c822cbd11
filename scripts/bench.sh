#!/usr/bin/env bash
# Benchmarks with printed figures (not part of the test suite): the photo pipeline
# beside ImageMagick, the web app's size and its photo pipeline in Chromium, then sync
# load on SQLite and a throwaway PostgreSQL.
# Arguments go to the sync benchmark: DEVICES REPORTS_PER_DEVICE.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zaofaxian/target}"
if [ -z "${ZAOFAXIAN_TEST_POSTGRES_URL:-}" ]; then
  eval "$(scripts/throwaway-postgres.sh)"
  trap 'eval "$ZAOFAXIAN_PG_STOP"' EXIT
fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! convert -version 2>/dev/null | grep -q ImageMagick || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq imagemagick fonts-wqy-microhei
fi
cargo bench --locked -p zaofaxian-mobile --bench photo_pipeline
# The web app: its first download, and its photo pipeline in Chromium beside the native one.
scripts/build-web.sh "$CARGO_TARGET_DIR/web-app"
ZAOFAXIAN_WEB_APP_DIR="$CARGO_TARGET_DIR/web-app" cargo bench --locked -p zaofaxian-e2e --bench web_app
# Many simulated phones hold a connection each.
ulimit -n 65536 2>/dev/null || true
cargo bench --locked -p zaofaxian-server --bench sync_load -- "$@"
