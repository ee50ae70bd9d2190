#!/usr/bin/env bash
# Make sure a local RabbitMQ (with the management plugin) runs on loopback, for `make run/test`.
#
#   deploy/scripts/ensure-rabbitmq.sh          install if missing, configure, start, wait
#   deploy/scripts/ensure-rabbitmq.sh stop     stop the broker (no-op when it is not running)
#
# Idempotent: when the broker already answers with our config, it only checks and returns.
# Installs the Debian package `rabbitmq-server` from apt when missing (needs root).
# Config lives in deploy/rabbitmq/ and is copied to /etc/rabbitmq/ (a config change restarts a
# running broker). Ports: AMQP 127.0.0.1:5672, management 127.0.0.1:15672 (guest/guest).
#
# Environment: RABBITMQ_WAIT_TIMEOUT (seconds, default 120).
set -euo pipefail

SCRIPT_NAME="ensure-rabbitmq"
# shellcheck source=deploy/scripts/_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

AMQP_HOST=127.0.0.1
AMQP_PORT=5672
MGMT_URL="http://127.0.0.1:15672"
MGMT_AUTH="guest:guest"
WAIT_TIMEOUT="${RABBITMQ_WAIT_TIMEOUT:-120}"
ETC=/etc/rabbitmq
SRC="$DEPLOY_DIR/rabbitmq"
LOG_DIR=/var/log/rabbitmq
PID_FILE=/var/run/rabbitmq/pid   # the Debian init script's

export PATH="$PATH:/usr/sbin:/sbin"

amqp_up() { port_open "$AMQP_HOST" "$AMQP_PORT"; }
mgmt_up() { curl -fsS -m 5 -o /dev/null -u "$MGMT_AUTH" "$MGMT_URL/api/overview" 2>/dev/null; }
broker_up() { amqp_up && mgmt_up; }
stopped() { ! amqp_up && ! node_process; }
# A RabbitMQ node process exists (it may still be booting or shutting down). Reads /proc
# directly: minimal Debian images have no pgrep (procps).
node_process() {
    local d
    for d in /proc/[0-9]*; do
        [ "$(cat "$d/comm" 2>/dev/null)" = beam.smp ] || continue
        tr '\0' ' ' <"$d/cmdline" 2>/dev/null | grep -q -- '-s rabbit boot' && return 0
    done
    return 1
}

installed() { [ -x /usr/sbin/rabbitmq-server ] && [ -x /usr/sbin/rabbitmqctl ]; }

# Settings of a config file, without comments and blank lines (so comments never force a restart).
settings_of() { [ -f "$1" ] && grep -Ev '^[[:space:]]*(#|$)' "$1" | sed 's/[[:space:]]\+/ /g' || true; }

CONFIG_CHANGED=0
install_config() {
    if [ "$(settings_of "$SRC/rabbitmq.conf")" != "$(settings_of "$ETC/rabbitmq.conf")" ] \
        || ! grep -qs 'rabbitmq_management[],. ]' "$ETC/enabled_plugins"; then
        need_root "to write $ETC"
    fi
    mkdir -p "$ETC"
    if [ "$(settings_of "$SRC/rabbitmq.conf")" != "$(settings_of "$ETC/rabbitmq.conf")" ]; then
        install -m 0644 "$SRC/rabbitmq.conf" "$ETC/rabbitmq.conf"
        log "installed $ETC/rabbitmq.conf"
        CONFIG_CHANGED=1
    fi
    # enabled_plugins: keep any plugins someone else enabled, just make sure management is on.
    if [ ! -f "$ETC/enabled_plugins" ]; then
        install -m 0644 "$SRC/enabled_plugins" "$ETC/enabled_plugins"
        log "installed $ETC/enabled_plugins"
        CONFIG_CHANGED=1
    elif ! grep -q 'rabbitmq_management[],. ]' "$ETC/enabled_plugins"; then
        rabbitmq-plugins enable --offline rabbitmq_management >/dev/null
        log "enabled rabbitmq_management in $ETC/enabled_plugins"
        CONFIG_CHANGED=1
    fi
    if getent passwd rabbitmq >/dev/null; then
        chown rabbitmq:rabbitmq "$ETC/rabbitmq.conf" "$ETC/enabled_plugins" 2>/dev/null || true
    fi
}

# The node name is rabbit@<short hostname>: Erlang distribution needs it to resolve.
ensure_hostname_resolves() {
    local short
    short="$(hostname -s 2>/dev/null || cut -d. -f1 /proc/sys/kernel/hostname)"
    if ! getent hosts "$short" >/dev/null 2>&1; then
        echo "127.0.0.1 $short" >>/etc/hosts
        log "added '127.0.0.1 $short' to /etc/hosts (RabbitMQ's node name must resolve)"
    fi
}

start_broker() {
    log "starting rabbitmq-server"
    ensure_hostname_resolves
    local started=0
    if command -v service >/dev/null; then
        # The init script blocks until the node has booted (or failed to).
        if service rabbitmq-server start >/dev/null 2>&1; then started=1; fi
    fi
    if [ "$started" = 0 ] && ! node_process; then
        log "service start failed; trying rabbitmq-server -detached"
        mkdir -p "$(dirname "$PID_FILE")" && chown rabbitmq:rabbitmq "$(dirname "$PID_FILE")" 2>/dev/null || true
        # /usr/sbin/rabbitmq-server switches to the rabbitmq user itself. Same pid file as the
        # init script, so `service rabbitmq-server stop` works on this node too.
        RABBITMQ_PID_FILE="$PID_FILE" rabbitmq-server -detached >/dev/null 2>&1 || true
    fi
}

stop_broker() {
    if ! node_process && ! amqp_up; then
        log "not running"
        return 0
    fi
    log "stopping rabbitmq-server"
    # The init script's stop waits for the pid in $PID_FILE: with no pid file (a node started
    # some other way) it would wait forever, so only use it when the file is there.
    if command -v service >/dev/null && { [ -s "$PID_FILE" ] || [ -d /run/systemd/system ]; }; then
        timeout 120 service rabbitmq-server stop >/dev/null 2>&1 || true
    fi
    if node_process || amqp_up; then
        timeout 120 rabbitmqctl -q stop >/dev/null 2>&1 || true
    fi
    if ! wait_until 60 stopped; then
        die "rabbitmq did not stop within 60s (see $LOG_DIR/)"
    fi
    log "stopped"
}

wait_for_broker() {
    if ! wait_until 45 amqp_up && node_process; then
        # The Erlang node runs but the broker app does not (e.g. a test did `rabbitmqctl
        # stop_app` and was killed): start the app. Harmless if it is merely slow to boot.
        log "node is up but AMQP is not answering: rabbitmqctl start_app"
        timeout 120 rabbitmqctl -q start_app >/dev/null 2>&1 || true
    fi
    if ! wait_until "$WAIT_TIMEOUT" amqp_up; then
        show_logs
        die "RabbitMQ AMQP port $AMQP_HOST:$AMQP_PORT did not answer within ${WAIT_TIMEOUT}s"
    fi
    if ! wait_until 30 mgmt_up; then
        # Broker is up but the management API is not: enable the plugin on the running node.
        log "management API not answering; enabling rabbitmq_management on the running node"
        rabbitmq-plugins enable rabbitmq_management >/dev/null 2>&1 || true
        if ! wait_until "$WAIT_TIMEOUT" mgmt_up; then
            show_logs
            die "RabbitMQ management API $MGMT_URL/api/overview did not answer within ${WAIT_TIMEOUT}s (is the plugin enabled? is guest allowed?)"
        fi
    fi
}

show_logs() {
    local f
    for f in "$LOG_DIR"/startup_err "$LOG_DIR"/startup_log "$LOG_DIR"/rabbit@*.log; do
        [ -s "$f" ] || continue
        echo "---- $f (last 20 lines)" >&2
        tail -n 20 "$f" >&2
    done
}

ensure() {
    local t0=$SECONDS
    # Fast path: already answering with our config.
    if installed && command -v curl >/dev/null; then
        install_config
        if [ "$CONFIG_CHANGED" = 0 ] && broker_up; then
            log "already running (amqp://$AMQP_HOST:$AMQP_PORT, $MGMT_URL)"
            return 0
        fi
    fi

    local pkgs=()
    installed || pkgs+=(rabbitmq-server)
    command -v curl >/dev/null || pkgs+=(curl)
    if [ "${#pkgs[@]}" -gt 0 ]; then
        apt_install "${pkgs[@]}"
        installed || die "rabbitmq-server still not installed after apt-get install"
    fi
    install_config

    if [ "$CONFIG_CHANGED" = 1 ] && (node_process || amqp_up); then
        log "config changed: restarting the running broker"
        stop_broker
    fi
    if ! amqp_up && ! node_process; then
        need_root "to start rabbitmq-server"
        start_broker
    fi
    wait_for_broker
    log "ready in $((SECONDS - t0))s (amqp://$AMQP_HOST:$AMQP_PORT, $MGMT_URL)"
}

case "${1:-start}" in
    start|ensure|"") ensure ;;
    stop) stop_broker ;;
    restart) stop_broker; ensure ;;
    status) if broker_up; then log "running"; else log "not answering"; exit 1; fi ;;
    *) echo "usage: $0 [start|stop|restart|status]" >&2; exit 2 ;;
esac
