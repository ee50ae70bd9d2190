# Shared helpers for deploy/scripts/*.sh (sourced, not run).
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEPLOY_DIR="$REPO_ROOT/deploy"

log()  { printf '%s: %s\n' "$SCRIPT_NAME" "$*"; }
warn() { printf '%s: warning: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die()  { printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }

need_root() {
    [ "$(id -u)" -eq 0 ] || die "must run as root (${1:-to install packages and manage system services})"
}

# True when something accepts TCP connections on host:port (bash /dev/tcp, no extra tools).
port_open() {
    (exec 3<>"/dev/tcp/$1/$2") >/dev/null 2>&1
}

# Our own temporary policy-rc.d, so apt's postinst does not start (or fail to start) a freshly
# installed daemon with the distribution's default config; we configure and start it ourselves.
_POLICY_RC_D=/usr/sbin/policy-rc.d
_policy_rc_d_ours=0
_drop_policy_rc_d() {
    if [ "$_policy_rc_d_ours" = 1 ]; then rm -f "$_POLICY_RC_D"; _policy_rc_d_ours=0; fi
}

_apt_updated=0
_apt_update() {
    [ "$_apt_updated" = 1 ] && return 0
    log "apt-get update"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    _apt_updated=1
}

# apt_install PKG...: install from apt; apt-get update only when the package lists don't know a
# package yet, or when an install from stale lists fails.
apt_install() {
    need_root
    command -v apt-get >/dev/null || die "apt-get not found: install $* by hand"
    export DEBIAN_FRONTEND=noninteractive
    local p
    for p in "$@"; do
        apt-cache show "$p" >/dev/null 2>&1 || { _apt_update; break; }
    done
    if [ ! -e "$_POLICY_RC_D" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$_POLICY_RC_D"
        chmod 755 "$_POLICY_RC_D"
        _policy_rc_d_ours=1
        trap _drop_policy_rc_d EXIT
    fi
    log "apt-get install $* (this can take a minute)"
    local rc=0 aptlog
    aptlog="$(mktemp)"
    apt-get install -y -q --no-install-recommends "$@" >"$aptlog" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ] && [ "$_apt_updated" = 0 ]; then
        _apt_update
        rc=0
        apt-get install -y -q --no-install-recommends "$@" >"$aptlog" 2>&1 || rc=$?
    fi
    _drop_policy_rc_d
    if [ "$rc" -ne 0 ]; then
        tail -n 30 "$aptlog" >&2
        rm -f "$aptlog"
        die "apt-get install $* failed"
    fi
    rm -f "$aptlog"
}

# wait_until TIMEOUT_SECONDS COMMAND...: poll COMMAND every half second.
wait_until() {
    local timeout="$1"; shift
    local deadline=$((SECONDS + timeout))
    until "$@"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            return 1
        fi
        sleep 0.5
    done
}
