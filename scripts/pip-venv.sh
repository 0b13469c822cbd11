#!/usr/bin/env bash
# Installs pinned PyPI packages into their own virtual environment under DIR, once:
# a stamp named for the pins skips the install next time, and new pins start afresh.
# Usage: scripts/pip-venv.sh DIR PIN... (what it prints goes to stderr).
set -euo pipefail
dir="${1:?usage: scripts/pip-venv.sh DIR PIN...}"
shift
stamp="$dir/.installed-$(printf '%s ' "$@" | sha256sum | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  rm -rf "$dir"
  python3 -m venv "$dir" >&2
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
  touch "$stamp"
fi
