#!/bin/bash
# The whole suite, as `make test` runs it: the tests that leave the broker alone in
# LINLI_TEST_SHARDS parallel pytest processes (default 3; the tests mostly wait on RabbitMQ and
# PostgreSQL, so three share two cores well), then the disruptive ones (they stop the broker)
# on their own. Arguments go to every pytest. Exit status: the worst of the runs.
set -u
VENV="${VENV:-.venv}"
SHARDS="${LINLI_TEST_SHARDS:-3}"
LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT

status=0
note() {  # pytest's 5 (nothing collected) is fine for a shard: a -k filter may leave it empty
    local rc="$1"
    if [ "$rc" != 0 ] && [ "$rc" != 5 ] && [ "$rc" -gt "$status" ]; then status="$rc"; fi
}

echo "run-tests: $SHARDS shards in parallel, then the disruptive tests"
pids=()
for k in $(seq 1 "$SHARDS"); do
    "$VENV/bin/pytest" -q -m "not disruptive" --shard "$k/$SHARDS" "$@" >"$LOG_DIR/$k.log" 2>&1 &
    pids+=("$!")
done
for k in $(seq 1 "$SHARDS"); do
    rc=0
    wait "${pids[$((k - 1))]}" || rc=$?
    echo "=== shard $k/$SHARDS (exit $rc) ==="
    cat "$LOG_DIR/$k.log"
    note "$rc"
done
echo "=== disruptive ==="
rc=0
"$VENV/bin/pytest" -q -m disruptive "$@" || rc=$?
note "$rc"
exit "$status"
