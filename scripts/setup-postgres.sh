#!/usr/bin/env bash
# Make a local PostgreSQL ready for MusicFlow's tests, and print its URL on the last line of stdout.
#
# Idempotent: installs the server only if it is missing, starts the first cluster only if it is down,
# and creates the role and database only if they do not exist yet. Progress goes to stderr, so
#     url="$(bash scripts/setup-postgres.sh | tail -n 1)"
# gets the URL alone. Needs root to install, start or configure; a non-root user can use it once the
# server, role and database are there.
set -euo pipefail

ROLE=musicflow
PASSWORD=musicflow
DATABASE=musicflow_test
HOST=127.0.0.1
WAIT_SECONDS=60

log() { printf 'setup-postgres: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# The first cluster, as "version name port status", or nothing.
first_cluster() {
    command -v pg_lsclusters >/dev/null 2>&1 || return 0
    pg_lsclusters --no-header 2>/dev/null | awk 'NF >= 4 { print $1, $2, $3, $4; exit }'
}

# As the postgres superuser, over the local socket (peer authentication).
as_postgres_psql() {
    (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@")
}

# -- 1. the server ------------------------------------------------------------------------------
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ -z "$(first_cluster)" ]]; then
    is_root || die "PostgreSQL is not installed and this is not root: run this script as root," \
        "or install it yourself (apt-get install postgresql)"
    log "installing PostgreSQL (apt-get install postgresql)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y postgresql >&2
fi

if [[ -z "$(first_cluster)" ]]; then
    is_root || die "no PostgreSQL cluster exists and this is not root: cannot create one"
    version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -n 1)"
    [[ -n "$version" ]] || die "PostgreSQL is installed but no server version is in /usr/lib/postgresql"
    log "creating cluster $version/main"
    pg_createcluster "$version" main >&2
fi

read -r version cluster port status <<<"$(first_cluster)"
log "cluster $version/$cluster on port $port is $status"

# -- 2. running and accepting connections -------------------------------------------------------
if [[ "$status" != online* ]]; then
    if is_root; then
        log "starting cluster $version/$cluster"
        # Exit status 2 means "already running" (e.g. started between our look and now): fine.
        pg_ctlcluster "$version" "$cluster" start >&2 || [[ $? -eq 2 ]] ||
            die "could not start cluster $version/$cluster: see /var/log/postgresql/"
    elif ! pg_isready -q -h "$HOST" -p "$port"; then
        die "the PostgreSQL server ($version/$cluster, port $port) is not running and this is not" \
            "root: start it with 'sudo pg_ctlcluster $version $cluster start', or run this as root"
    fi
fi

deadline=$((SECONDS + WAIT_SECONDS))
until pg_isready -q -h "$HOST" -p "$port"; do
    ((SECONDS < deadline)) ||
        die "PostgreSQL on $HOST:$port is not ready after ${WAIT_SECONDS}s: see /var/log/postgresql/"
    sleep 1
done
log "PostgreSQL on $HOST:$port accepts connections"

# -- 3. role and database -----------------------------------------------------------------------
if is_root; then
    if [[ "$(as_postgres_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]]; then
        log "creating role $ROLE"
        as_postgres_psql -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'"
    else
        # Make sure an existing role can still log in with the password the tests use.
        as_postgres_psql -c "ALTER ROLE $ROLE LOGIN PASSWORD '$PASSWORD'"
    fi
    if [[ "$(as_postgres_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]]
    then
        log "creating database $DATABASE owned by $ROLE"
        as_postgres_psql -c "CREATE DATABASE $DATABASE OWNER $ROLE"
    fi
fi

if ! PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=10 psql -X -q -h "$HOST" -p "$port" -U "$ROLE" \
    -d "$DATABASE" -tAc 'SELECT 1' >/dev/null; then
    die "cannot log in to database $DATABASE as $ROLE on $HOST:$port with the test password:" \
        "run this script as root to create them"
fi
log "database $DATABASE is ready for role $ROLE"

echo "postgresql+psycopg://$ROLE:$PASSWORD@$HOST:$port/$DATABASE"
