#!/usr/bin/env bash
# Benchmarks with printed figures (not part of the test suite): sync load on SQLite
# and a throwaway PostgreSQL. Arguments go to the benchmark: DEVICES REPORTS_PER_DEVICE.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zaofaxian/target}"
if [ -z "${ZAOFAXIAN_TEST_POSTGRES_URL:-}" ]; then
  eval "$(scripts/throwaway-postgres.sh)"
  trap 'eval "$ZAOFAXIAN_PG_STOP"' EXIT
fi
# Many simulated phones hold a connection each.
ulimit -n 65536 2>/dev/null || true
cargo bench --locked -p zaofaxian-server --bench sync_load -- "$@"
