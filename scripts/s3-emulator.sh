#!/usr/bin/env bash
# Starts a throwaway S3-compatible object store for the tests (moto's server mode, from
# PyPI into its own virtual environment under DIR, pinned) and prints `export …` lines:
# the standard AWS_* variables the server reads, the emulator's address for the tests,
# and its stop command. Usage: eval "$(scripts/s3-emulator.sh DIR)".
set -euo pipefail
dir="${1:?usage: scripts/s3-emulator.sh DIR}"
"$(dirname "$0")/pip-venv.sh" "$dir" "moto[server]==5.2.5"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp /tmp/zfx-s3.XXXXXX.log)
"$dir/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then
    break
  fi
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
url="http://127.0.0.1:$port"
echo "export ZAOFAXIAN_TEST_S3_ENDPOINT=$url AWS_ENDPOINT_URL=$url AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test"
echo "export ZAOFAXIAN_S3_STOP='kill $pid; rm -f $log'"
