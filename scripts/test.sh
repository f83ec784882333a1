#!/usr/bin/env bash
# One command from a fresh clone to the whole test suite: installs the project and its test tools,
# makes a local PostgreSQL and Chromium ready (installing them if missing; needs root for that), then runs the
# linters, the type checker and pytest against both store backends.
# pytest runs on pytest-xdist workers, one per core and at most 4 (`-n 3` asks for 3); a worker out of work
# takes some of another's (`--dist worksteal`; tests/conftest.py orders the tests for it).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k ingest`; `-n 0` runs them in one process.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh dev
if [[ -z "${MUSICFLOW_TEST_DATABASE_URL:-}" ]]; then
    MUSICFLOW_TEST_DATABASE_URL="$(bash scripts/setup-postgres.sh | tail -n 1)"
    export MUSICFLOW_TEST_DATABASE_URL
fi
# The web page's tests drive Debian's chromium (installed here when missing and we are root).
if [[ ! -x /usr/bin/chromium && "$(id -u)" == "0" ]]; then
    bash scripts/install-chromium.sh >/dev/null
fi
# The shared rate-limit storage's tests start Debian's redis-server (installed here when missing).
if [[ ! -x /usr/bin/redis-server && "$(id -u)" == "0" ]]; then
    bash scripts/install-redis.sh >/dev/null
fi

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
# A run needs some room in the temporary folder (its stores are tens of MB each; a passing test's folder
# goes when it ends, pyproject.toml): the free space is said first, so a disk too full is seen as such.
echo "free in ${TMPDIR:-/tmp}: $(df -h --output=avail "${TMPDIR:-/tmp}" | tail -n 1 | tr -d ' ')"
.venv/bin/pytest -n auto --maxprocesses 4 --dist worksteal --durations=15 "$@"
