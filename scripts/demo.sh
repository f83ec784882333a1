#!/usr/bin/env bash
# One command from a fresh clone to the whole job on the bundled demo data: no credentials, no network
# beyond the package index. The store is a SQLite file in .demo-data/ unless MUSICFLOW_DATA_DIR says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
export MUSICFLOW_DATA_DIR="${MUSICFLOW_DATA_DIR:-$PWD/.demo-data}"
exec .venv/bin/musicflow demo "$@"
