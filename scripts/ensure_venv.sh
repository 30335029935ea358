#!/usr/bin/env bash
# Create or update a virtual environment from a pinned requirements file; skip when up to date.
# usage: scripts/ensure_venv.sh VENV_DIR PYTHON REQUIREMENTS_FILE
set -euo pipefail
venv=$1 python=$2 requirements=$3
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "==> Installing $venv from $requirements (first time takes a few minutes)"
start=$(date +%s)
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
echo "$want" > "$stamp"
echo "==> $venv ready in $(( $(date +%s) - start ))s"
