#!/usr/bin/env bash
# Runs the cargo fuzz targets (fuzz/) for a while each and prints what they did.
#   scripts/fuzz.sh [seconds per target, default 120] [target ...]
# Needs the nightly toolchain and cargo-fuzz (installed here if missing). Inputs that
# fail land in fuzz/artifacts/<target>/; copy them to fuzz/regressions/<target>/ so the
# stable test suite replays them (tests/tests/fuzz_replay.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-120}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sync_push income_worksheet photo_decode imports)
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo +nightly install cargo-fuzz --locked
work="${ZAOFAXIAN_FUZZ_CORPUS:-${CARGO_TARGET_DIR:-$HOME/.cache/zaofaxian}/fuzz-corpus}"
cd fuzz
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" "regressions/$t"
  echo "== $t: ${secs}s"
  dict=()
  [ -f "dicts/$t.dict" ] && dict=(-dict="dicts/$t.dict")
  # The writable corpus first; seeds and past failures are read only.
  cargo +nightly fuzz run -O "$t" "$work/$t" "seeds/$t" "regressions/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 "${dict[@]}" 2>&1 |
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|SUMMARY|==[0-9]+==ERROR|thread .* panicked)' || true
  echo "   corpus: $(ls "$work/$t" | wc -l) inputs"
done
