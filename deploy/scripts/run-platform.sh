#!/usr/bin/env bash
# `make run`: the broker (started here if it was not running), then `linli run` in the
# foreground. On Ctrl-C, linli stops the services and the gateway; then, if this script started
# the broker, it stops it too, leaving the machine as it found it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
scripts=deploy/scripts

started_broker=0
if ! bash "$scripts/ensure-rabbitmq.sh" status >/dev/null 2>&1; then
    started_broker=1
fi
bash "$scripts/ensure-rabbitmq.sh"

stop_broker() {
    if [ "$started_broker" = 1 ]; then
        echo "stopping RabbitMQ (this run started it) …"
        bash "$scripts/ensure-rabbitmq.sh" stop || true
    fi
}
trap stop_broker EXIT
trap 'true' INT  # Ctrl-C is linli's to handle; this script waits for it, then cleans up

status=0
.venv/bin/linli run "$@" || status=$?
exit "$status"
