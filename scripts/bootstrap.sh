#!/usr/bin/env bash
# Create (or reuse) the project's virtual environment in .venv and install MusicFlow into it.
# Usage: bash scripts/bootstrap.sh [extra]    e.g. `dev` for the test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

extra="${1:-}"
python="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [[ -n "$extra" ]]; then
    .venv/bin/python -m pip install --quiet -e ".[$extra]"
else
    .venv/bin/python -m pip install --quiet -e .
fi
