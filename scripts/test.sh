#!/usr/bin/env bash
# One command from a fresh clone to the whole test suite: installs the project and its test tools,
# makes a local PostgreSQL ready (installing it if missing; needs root for that), then runs the
# linters, the type checker and pytest against both store backends.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k ingest`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh dev
if [[ -z "${MUSICFLOW_TEST_DATABASE_URL:-}" ]]; then
    MUSICFLOW_TEST_DATABASE_URL="$(bash scripts/setup-postgres.sh | tail -n 1)"
    export MUSICFLOW_TEST_DATABASE_URL
fi

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
.venv/bin/pytest "$@"
