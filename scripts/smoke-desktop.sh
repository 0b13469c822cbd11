#!/usr/bin/env bash
# Starts the desktop app in a real window under Xvfb and saves a screenshot.
# Usage: scripts/smoke-desktop.sh [OUT.png]  (or --deps-only: just install what it needs).
# Installs WebKitGTK, Xvfb, xdotool and ImageMagick. Fails unless the walked report
# ends up in the app's outbox.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zaofaxian/target}"
OUT="${1:-$PWD/app-screenshot.png}"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! pkg-config --exists webkit2gtk-4.1 || ! command -v Xvfb >/dev/null || ! command -v import >/dev/null \
   || ! command -v xdotool >/dev/null; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libwebkit2gtk-4.1-dev libgtk-3-dev \
    libsoup-3.0-dev libxdo-dev xvfb xauth xdotool imagemagick fonts-wqy-microhei
fi
[ "${1:-}" = "--deps-only" ] && exit 0
mkdir -p "$(dirname "$OUT")"
cargo build --locked -p zaofaxian-mobile --features desktop --bin zaofaxian-app
DATA=$(mktemp -d)
DISPLAY_NUM=:$((90 + RANDOM % 9))
Xvfb "$DISPLAY_NUM" -screen 0 480x860x24 >/dev/null 2>&1 &
XVFB=$!
trap 'kill $APP $XVFB 2>/dev/null || true; rm -rf "$DATA"' EXIT
sleep 1
# WebKit's sandbox and GPU paths are not available in a headless root session.
start_app() {
  DISPLAY=$DISPLAY_NUM ZAOFAXIAN_APP_DATA=$DATA WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1 \
    "$CARGO_TARGET_DIR/debug/zaofaxian-app" >>"$DATA/app.log" 2>&1 &
  APP=$!
  # Wait for the window to paint (up to 30 s).
  local painted=""
  for _ in $(seq 30); do
    sleep 1
    kill -0 $APP 2>/dev/null || { cat "$DATA/app.log"; echo "the app exited" >&2; exit 1; }
    # Painted once the red header is there (pixel 10,10 is #b22222).
    if DISPLAY=$DISPLAY_NUM import -window root "$OUT" 2>/dev/null \
       && [ "$(convert "$OUT" -format '%[hex:p{10,10}]' info: 2>/dev/null | cut -c1-6)" = "B22222" ]; then
      painted=1
      break
    fi
  done
  [ -n "$painted" ] || { cat "$DATA/app.log"; echo "the window never painted" >&2; exit 1; }
  sleep 1
}
start_app
# Unhurried taps and typing: a busy CI machine once dropped a tap and three keys at
# 0.6 s / 60 ms. Walk a self-report as a person would: reporting is the first screen
# (no sign-in asked), tap 因病, tap 昨天 (a date goes straight on), type the name,
# amount and what happened, go on, submit. Coordinates are those of the 480×860
# window laid out by app.rs and ui.rs.
click() { DISPLAY=$DISPLAY_NUM xdotool mousemove "$1" "$2" click 1; sleep 1.2; }
type_text() { DISPLAY=$DISPLAY_NUM xdotool type --delay 120 "$1"; sleep 0.8; }
shot() { DISPLAY=$DISPLAY_NUM import -window root "$1"; }
shot "${OUT%.png}-1-what.png"
click 125 227                       # 因病
shot "${OUT%.png}-2-when.png"
click 354 227                       # 昨天
shot "${OUT%.png}-3-details.png"
click 240 246                       # 户主姓名
type_text "Wang Xiuying"
# The phone dies here (SIGKILL: nothing runs on the way out). Started again, the app
# must be back on this step with the name as typed, without asking to sign in.
sleep 1
kill -9 $APP; wait $APP 2>/dev/null || true
start_app
shot "${OUT%.png}-3b-after-restart.png"
click 240 414                       # 大概自付医疗费
type_text "12000"
click 240 525                       # 情况说明
type_text "zhuyuan"
# The step is longer than the window: scroll to its end, where 下一步 is.
DISPLAY=$DISPLAY_NUM xdotool mousemove 240 160 click --repeat 10 --delay 100 5; sleep 1
click 413 665                       # 下一步
shot "${OUT%.png}-4-confirm.png"
click 78 448                        # 提交申报
shot "$OUT"
# The report must now be in the phone's outbox, waiting for a signal.
python3 - "$DATA/app.sqlite" <<'PY'
import json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT kind, body, status FROM outbox").fetchall()
assert len(rows) == 1, rows
kind, body, status = rows[0]
body = json.loads(body)
assert (kind, status) == ("report", "pending"), rows
assert body["household_name"] == "Wang Xiuying" and body["hardship"] == "illness", body
import datetime
china = datetime.timezone(datetime.timedelta(hours=8))  # the app counts days in China time
yesterday = (datetime.datetime.now(china).date() - datetime.timedelta(days=1)).isoformat()
assert body["happened_on"] == yesterday and body["amount"] == 1200000, body
assert body["description"] == "zhuyuan", body
print("outbox: 1 pending report for", body["household_name"], body["happened_on"], "(typed before a kill)")
drafts = sqlite3.connect(sys.argv[1]).execute("SELECT key, json FROM drafts").fetchall()
assert drafts == [("remembered_name", '"Wang Xiuying"')], ("a finished report leaves no draft, only its name", drafts)
PY
echo "screenshots: ${OUT%.png}-*.png and $OUT"
