#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, every crate's tests.
# Installs what it needs on a fresh Debian machine (run as root or with sudo),
# including a throwaway PostgreSQL server that it stops at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build outputs live outside the clone so reruns (and CI's fresh clones) reuse them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zaofaxian/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Incremental state only helps editing; in CI it fills the disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

need_apt=()
command -v cc >/dev/null || need_apt+=(build-essential)
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v chromedriver >/dev/null || need_apt+=(chromium chromium-driver)
# The OpenAPI tools come from PyPI into a virtual environment.
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
# The photo watermark needs a CJK font (Android phones have Noto CJK).
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || [ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] \
  || need_apt+=(fonts-wqy-microhei)
if ((${#need_apt[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi
command -v cargo >/dev/null || { echo "cargo not found: install the Rust toolchain (rustup) first" >&2; exit 1; }

# A throwaway PostgreSQL server: the store and API tests run on it and on SQLite.
stops=()
trap 'for s in "${stops[@]}"; do eval "$s"; done' EXIT
if [ -z "${ZAOFAXIAN_TEST_POSTGRES_URL:-}" ]; then
  eval "$(scripts/throwaway-postgres.sh)"
  stops+=("$ZAOFAXIAN_PG_STOP")
fi
export ZAOFAXIAN_REQUIRE_POSTGRES=1

# A throwaway S3-compatible store (moto, from PyPI): the photo tests and the fault run
# also keep photos in a bucket (server/tests/common/test_bucket.rs).
if [ -z "${ZAOFAXIAN_TEST_S3_ENDPOINT:-}" ]; then
  echo "== S3 emulator"
  eval "$(scripts/s3-emulator.sh "$HOME/.cache/zaofaxian/s3-emulator")"
  stops+=("$ZAOFAXIAN_S3_STOP")
fi
export ZAOFAXIAN_REQUIRE_S3=1

# The field app for browsers, built as a county would build it; the Chromium test of
# the web app (tests/tests/web_app.rs) runs against it.
echo "== web app build"
scripts/build-web.sh "$CARGO_TARGET_DIR/web-app"
export ZAOFAXIAN_WEB_APP_DIR="$CARGO_TARGET_DIR/web-app" ZAOFAXIAN_REQUIRE_WEB_APP=1

# Standard OpenAPI tools (PyPI, own virtual environment): the document is validated and
# schemathesis runs against a real server (tests/tests/openapi_tools.rs).
echo "== OpenAPI tools"
eval "$(scripts/openapi-tools.sh "$HOME/.cache/zaofaxian/openapi-tools")"
export ZAOFAXIAN_REQUIRE_OPENAPI_TOOLS=1

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo clippy (desktop app)"
scripts/smoke-desktop.sh --deps-only
cargo clippy -p zaofaxian-mobile --features desktop --all-targets --locked -- -D warnings
echo "== cargo clippy (web app, wasm)"
CC_wasm32_unknown_unknown=clang-19 cargo clippy -p zaofaxian-mobile --features web --target wasm32-unknown-unknown \
  --locked -- -D warnings
echo "== cargo test"
rm -f "${CARGO_TARGET_DIR}"/tmp/fault_figures_*.txt
cargo test --workspace --locked
echo "== figures of the fault run (tests/tests/faults.rs)"
cat "${CARGO_TARGET_DIR}"/tmp/fault_figures_*.txt
echo "== desktop app under Xvfb: walk a self-report and a home visit"
scripts/smoke-desktop.sh "${CARGO_TARGET_DIR}/smoke/report.png"
