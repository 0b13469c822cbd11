#!/usr/bin/env bash
# Walks the desktop app in a real window under Xvfb, saving screenshots: a household's
# report (killed half-way, finished after a restart), then a cadre's home visit
# against a real server (killed half-way, finished after a restart, synced).
# Usage: scripts/smoke-desktop.sh [OUT.png]  (or --deps-only: just install what it needs).
# Installs WebKitGTK, Xvfb, xdotool and ImageMagick. Fails unless the report ends up
# in the app's outbox and the visit on the server.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zaofaxian/target}"
OUT="${1:-$PWD/app-screenshot.png}"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! pkg-config --exists webkit2gtk-4.1 || ! command -v Xvfb >/dev/null || ! command -v import >/dev/null \
   || ! command -v xdotool >/dev/null || ! command -v pulseaudio >/dev/null \
   || ! gst-inspect-1.0 pulsesrc >/dev/null 2>&1 || ! gst-inspect-1.0 mp4mux >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  # PulseAudio and GStreamer's pulse source, muxers and Opus encoder: the window's
  # microphone for the voice note (the walk gives it a silent source).
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libwebkit2gtk-4.1-dev libgtk-3-dev \
    libsoup-3.0-dev libxdo-dev xvfb xauth xdotool imagemagick fonts-wqy-microhei \
    pulseaudio gstreamer1.0-pulseaudio gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-tools
fi
[ "${1:-}" = "--deps-only" ] && exit 0
mkdir -p "$(dirname "$OUT")"
cargo build --locked -p zaofaxian-mobile --features desktop --bin zaofaxian-app
# The server (as the fault tests run it) and the visit walk's set-up.
cargo build --locked -p zaofaxian-e2e --bins
DATA=$(mktemp -d)
DISPLAY_NUM=:$((90 + RANDOM % 9))
Xvfb "$DISPLAY_NUM" -screen 0 480x860x24 >/dev/null 2>&1 &
XVFB=$!
SERVER=""
# A microphone for the voice note: PulseAudio with a silent source (there is no sound
# card here), in the walk's own runtime directory.
export XDG_RUNTIME_DIR="$DATA/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
pulseaudio --daemonize=yes --exit-idle-time=-1 -n --load=module-native-protocol-unix \
  --load="module-null-source source_name=mic" >"$DATA/pulse.log" 2>&1 || { cat "$DATA/pulse.log"; exit 1; }
trap 'kill $APP $XVFB $SERVER 2>/dev/null || true; pulseaudio --kill 2>/dev/null || true; rm -rf "$DATA"' EXIT
sleep 1
# WebKit's sandbox and GPU paths are not available in a headless root session.
APP_DATA=$DATA
start_app() {
  DISPLAY=$DISPLAY_NUM ZAOFAXIAN_APP_DATA=$APP_DATA ZAOFAXIAN_SERVER=${WALK_SERVER:-} WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1 \
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
# A voice note: tap to record, three seconds of (silent) speech, tap to stop.
click 240 622                       # 说一段话
sleep 3
click 240 622                       # ● 正在录音……说完请点这里
sleep 2
shot "${OUT%.png}-3c-voice.png"
# The step is longer than the window: scroll to its end, where 下一步 is.
DISPLAY=$DISPLAY_NUM xdotool mousemove 240 160 click --repeat 10 --delay 100 5; sleep 1
click 413 665                       # 下一步
shot "${OUT%.png}-4-confirm.png"
click 78 482                        # 提交申报 (below the 语音说明 row)
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
# The voice note recorded in the window: kept by its hash, a container the server files.
sha = body.get("voice_note")
assert sha, ("no voice note on the report", body)
path, size = sqlite3.connect(sys.argv[1]).execute("SELECT path, size FROM photos WHERE sha256 = ?", (sha,)).fetchone()
head = open(path, "rb").read(12)
assert head[4:8] == b"ftyp" or head[:4] in (b"\x1a\x45\xdf\xa3", b"OggS"), head
print("outbox: 1 pending report for", body["household_name"], body["happened_on"], "(typed before a kill),",
      "with a voice note of", size, "bytes recorded in the window")
drafts = sqlite3.connect(sys.argv[1]).execute("SELECT key, json FROM drafts").fetchall()
assert drafts == [("remembered_name", '"Wang Xiuying"')], ("a finished report leaves no draft, only its name", drafts)
PY
kill $APP; wait $APP 2>/dev/null || true

# The cadre's home visit. A real server on a fresh SQLite file; what the cadre did
# before (signed in, filed the household on rounds, answered every part of the visit
# and took a photo, all but the member's name) is set up through the app's own store
# (zaofaxian-walk-setup), and the walk starts with the app opened on that visit.
BIN="$CARGO_TARGET_DIR/debug"
mkdir -p "$DATA/server" "$DATA/visit"
export ZAOFAXIAN_DATABASE_URL="sqlite://$DATA/server/zaofaxian.sqlite" ZAOFAXIAN_PHOTO_DIR="$DATA/server/photos"
"$BIN/zaofaxian-server-under-test" admin import-divisions server/data/yunnan_sample_divisions.csv >/dev/null 2>&1
echo "walk-password-1" | "$BIN/zaofaxian-server-under-test" admin create-staff --login cadre --name 张华 \
  --role village_cadre --division 530402001001 --phone 13900001111 >/dev/null
PORT=$((18100 + RANDOM % 800))
ZAOFAXIAN_ADDR=127.0.0.1:$PORT ZAOFAXIAN_SMS=log "$BIN/zaofaxian-server-under-test" serve >"$DATA/server/log" 2>&1 &
SERVER=$!
WALK_SERVER=http://127.0.0.1:$PORT
for _ in $(seq 50); do python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1])" "$WALK_SERVER/health" 2>/dev/null && break; sleep 0.2; done
CASE=$("$BIN/zaofaxian-walk-setup" prepare "$WALK_SERVER" "$DATA/visit" cadre walk-password-1)
APP_DATA=$DATA/visit
start_app
shot "${OUT%.png}-5-visit-resumed.png"
click 125 488                       # index: 1. 家庭成员 待填 (jumps to the part)
shot "${OUT%.png}-6-members.png"
click 240 155                       # 姓名 of member 1
type_text "Li Guiying"
# The phone dies in the middle of the visit; started again it must be back on it.
sleep 1
kill -9 $APP; wait $APP 2>/dev/null || true
start_app
shot "${OUT%.png}-7-visit-after-restart.png"
click 350 635                       # index: 8. 授权签字 (the signature, then the end)
DISPLAY=$DISPLAY_NUM xdotool mousemove 240 300 click --repeat 25 --delay 100 5; sleep 1
shot "${OUT%.png}-8-visit-end.png"
click 133 795                       # 保存：存在风险 (no 2026 line for the village: the cadre judges)
sleep 2                             # signed in and online: sent at once
shot "${OUT%.png}-9-visit-sent.png"
python3 - "$APP_DATA/app.sqlite" "$WALK_SERVER" "$CASE" "$DATA/server/photos" <<'PY'
import json, os, sqlite3, sys, time, urllib.request
db, base, case, photo_dir = sys.argv[1:]
c = sqlite3.connect(db)
for _ in range(40):  # a busy machine: give the upload up to 20 s
    rows = c.execute("SELECT kind, status, body FROM outbox ORDER BY seq").fetchall()
    if all(s == "sent" for _, s, _ in rows):
        break
    time.sleep(0.5)
kinds = [(k, s, json.loads(b).get("event", {}).get("event")) for k, s, b in rows]
assert kinds == [("report", "sent", None), ("case_event", "sent", "record_verification"),
                 ("case_event", "sent", "sign_application")], kinds
assert c.execute("SELECT key FROM drafts").fetchall() == [], "a saved visit leaves no draft"
assert c.execute("SELECT count(*) FROM photos WHERE uploaded = 0").fetchone()[0] == 0, "the photo went up"
login = urllib.request.Request(base + "/api/v1/auth/login", headers={"Content-Type": "application/json"},
                               data=json.dumps({"login": "cadre", "password": "walk-password-1"}).encode())
token = json.load(urllib.request.urlopen(login))["token"]
d = json.load(urllib.request.urlopen(urllib.request.Request(base + "/api/v1/cases/" + case,
                                                            headers={"Authorization": "Bearer " + token})))
assert d["case"]["state"]["stage"]["stage"] == "awaiting_appraisal", d["case"]["state"]
visit = d["history"][1]["entry"]["visit"]
assert visit["members"][0]["name"] == "Li Guiying", visit["members"][0]
sha = visit["photos"][0]
assert os.path.exists(os.path.join(photo_dir, sha[:2], sha + ".jpg")), "the photo is on the server"
print("server: the visit typed across a kill is on case", case, "with its photo; the case is at 待村级评议")
PY
echo "screenshots: ${OUT%.png}-*.png and $OUT"
