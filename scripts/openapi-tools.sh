#!/usr/bin/env bash
# Installs the standard OpenAPI tools an integrator would use, from PyPI, into their
# own virtual environment under DIR (once; pinned versions), and prints the variables
# the OpenAPI test reads: `eval "$(scripts/openapi-tools.sh DIR)"`.
set -euo pipefail
dir="${1:?usage: scripts/openapi-tools.sh DIR}"
# Pinned so a new release cannot change what the suite checks without a commit.
"$(dirname "$0")/pip-venv.sh" "$dir" schemathesis==4.32.5 openapi-spec-validator==0.9.0
echo "export ZAOFAXIAN_SCHEMATHESIS='$dir/bin/schemathesis' ZAOFAXIAN_OPENAPI_VALIDATOR='$dir/bin/openapi-spec-validator'"
