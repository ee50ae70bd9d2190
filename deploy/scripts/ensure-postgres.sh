#!/usr/bin/env bash
# Make sure the project's private PostgreSQL test cluster runs, for `make test`.
#
#   deploy/scripts/ensure-postgres.sh          install if missing, init, start, create role/db
#   deploy/scripts/ensure-postgres.sh stop     stop the cluster (no-op when it is not running)
#   deploy/scripts/ensure-postgres.sh status
#
# A cluster of its own (not the distribution's "main" cluster on 5432): data in
# /var/lib/linli-postgres/<major>, listening on 127.0.0.1:55432 only, socket in
# /var/lib/linli-postgres. Role `linli` (password `linli`, CREATEDB) owns database `linli_test`:
#   postgresql+pg8000://linli:linli@127.0.0.1:55432/linli_test
# PostgreSQL refuses to run as root, so the server and admin commands run as the `postgres` user.
# Idempotent. Settings in deploy/postgres/linli-test.conf (fsync off: test data only).
#
# Environment: LINLI_PG_PORT (55432), LINLI_PG_BASE (/var/lib/linli-postgres),
#              PG_WAIT_TIMEOUT (seconds, default 60).
set -euo pipefail

SCRIPT_NAME="ensure-postgres"
# shellcheck source=deploy/scripts/_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

PG_PORT="${LINLI_PG_PORT:-55432}"
PG_HOST=127.0.0.1
PG_BASE="${LINLI_PG_BASE:-/var/lib/linli-postgres}"
WAIT_TIMEOUT="${PG_WAIT_TIMEOUT:-60}"
DB_USER=linli
DB_PASSWORD=linli
DB_NAME=linli_test
PG_USER=postgres   # the system user that owns and runs the cluster

pg_bindir() {
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$d" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

# Run a command as the postgres user, from a directory it can read (no "could not change
# directory" warnings when called from /root).
as_pg() {
    if command -v runuser >/dev/null; then
        (cd / && runuser -u "$PG_USER" -- "$@")
    else
        (cd / && su -s /bin/sh "$PG_USER" -c "$(printf '%q ' "$@")")
    fi
}

setup_paths() {
    BIN="$(pg_bindir)" || die "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin"
    MAJOR="$(basename "$(dirname "$BIN")")"
    DATA="$PG_BASE/$MAJOR"
    LOGFILE="$PG_BASE/postgres-$MAJOR.log"
    SOCKDIR="$PG_BASE"
}

# pg_ctl status: 0 running, 3 not running, 4 no usable data directory.
running() { [ -f "$DATA/PG_VERSION" ] && as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }
ready() { "$BIN/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1; }

psql_admin() {
    as_pg "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKDIR" -p "$PG_PORT" -U postgres -d postgres "$@"
}

show_log() {
    if [ -s "$LOGFILE" ]; then
        echo "---- $LOGFILE (last 20 lines)" >&2
        tail -n 20 "$LOGFILE" >&2
    fi
}

init_cluster() {
    install -d -o "$PG_USER" -g "$PG_USER" -m 0700 "$PG_BASE"
    if [ -f "$DATA/PG_VERSION" ]; then
        local have
        have="$(cat "$DATA/PG_VERSION")"
        [ "$have" = "$MAJOR" ] || die "$DATA holds a PostgreSQL $have cluster but the binaries are $MAJOR"
        return 0
    fi
    [ -e "$DATA" ] && [ -n "$(ls -A "$DATA" 2>/dev/null)" ] \
        && die "$DATA exists, is not empty and is not a cluster: remove it or set LINLI_PG_BASE"
    log "initdb $DATA"
    if ! as_pg "$BIN/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=peer --auth-host=scram-sha-256 >"$PG_BASE/initdb.log" 2>&1; then
        cat "$PG_BASE/initdb.log" >&2
        die "initdb failed"
    fi
}

CONFIG_CHANGED=0
write_config() {
    local want
    want="$(cat "$DEPLOY_DIR/postgres/linli-test.conf"; printf '%s\n' \
        "" "# Added by deploy/scripts/ensure-postgres.sh" \
        "listen_addresses = '$PG_HOST'" \
        "port = $PG_PORT" \
        "unix_socket_directories = '$SOCKDIR'")"
    if [ "$want" != "$(cat "$DATA/linli.conf" 2>/dev/null)" ]; then
        printf '%s\n' "$want" >"$DATA/linli.conf"
        chown "$PG_USER:$PG_USER" "$DATA/linli.conf"
        chmod 0600 "$DATA/linli.conf"
        CONFIG_CHANGED=1
    fi
    if ! grep -q "^include_if_exists = 'linli.conf'" "$DATA/postgresql.conf"; then
        printf "\n# The project's settings (deploy/scripts/ensure-postgres.sh)\ninclude_if_exists = 'linli.conf'\n" \
            >>"$DATA/postgresql.conf"
        CONFIG_CHANGED=1
    fi
}

start_cluster() {
    if port_open "$PG_HOST" "$PG_PORT"; then
        die "port $PG_HOST:$PG_PORT is taken by another process (not the cluster in $DATA); set LINLI_PG_PORT"
    fi
    if ! as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t "$WAIT_TIMEOUT" -s start >/dev/null 2>&1; then
        show_log
        die "PostgreSQL did not start (data $DATA, log $LOGFILE)"
    fi
}

stop_cluster() {
    if ! running; then
        log "not running"
        return 0
    fi
    as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 -s stop >/dev/null 2>&1 \
        || { show_log; die "PostgreSQL did not stop (data $DATA)"; }
    log "stopped"
}

ensure_role_and_db() {
    psql_admin <<SQL
SELECT 'CREATE ROLE $DB_USER' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER')\gexec
ALTER ROLE $DB_USER WITH LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')\gexec
SQL
}

ensure() {
    local t0=$SECONDS
    if ! pg_bindir >/dev/null; then
        apt_install postgresql
    fi
    setup_paths
    getent passwd "$PG_USER" >/dev/null || die "system user '$PG_USER' missing (it comes with the postgresql package)"
    need_root "to run the cluster as the $PG_USER user"
    init_cluster
    write_config
    if running; then
        if [ "$CONFIG_CHANGED" = 1 ]; then
            log "config changed: restarting"
            stop_cluster >/dev/null
            start_cluster
        fi
    else
        start_cluster
    fi
    if ! wait_until "$WAIT_TIMEOUT" ready; then
        show_log
        die "PostgreSQL on $PG_HOST:$PG_PORT did not answer within ${WAIT_TIMEOUT}s"
    fi
    ensure_role_and_db || { show_log; die "could not create role $DB_USER / database $DB_NAME"; }
    log "ready in $((SECONDS - t0))s: postgresql://$DB_USER:$DB_PASSWORD@$PG_HOST:$PG_PORT/$DB_NAME"
}

case "${1:-start}" in
    start|ensure|"") ensure ;;
    stop) pg_bindir >/dev/null || { log "not installed"; exit 0; }; setup_paths; stop_cluster ;;
    restart) setup_paths; stop_cluster; ensure ;;
    status)
        setup_paths
        if running && ready; then log "running on $PG_HOST:$PG_PORT (data $DATA)"; else log "not running"; exit 1; fi ;;
    *) echo "usage: $0 [start|stop|restart|status]" >&2; exit 2 ;;
esac
