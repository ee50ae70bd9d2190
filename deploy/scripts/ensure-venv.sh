#!/usr/bin/env bash
# Make sure .venv exists with the pinned requirements and the project installed (editable).
#
#   deploy/scripts/ensure-venv.sh
#
# Skips pip entirely when requirements.txt, pyproject.toml and the interpreter are unchanged since
# the last successful install (hash stamp in .venv/.linli-install-stamp). A broken .venv (e.g. its
# interpreter vanished) is recreated. On Debian, installs python3/python3-venv from apt if missing.
#
# Environment: PYTHON (interpreter to create the venv with, default python3; must be >= 3.11),
#              VENV (default <repo>/.venv), FORCE=1 to reinstall regardless of the stamp.
set -euo pipefail

SCRIPT_NAME="ensure-venv"
# shellcheck source=deploy/scripts/_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-$REPO_ROOT/.venv}"
STAMP="$VENV/.linli-install-stamp"
cd "$REPO_ROOT"

py_ok() {  # interpreter exists, is >= 3.11 and can create venvs with pip
    "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

venv_ok() {
    [ -x "$VENV/bin/python" ] \
        && "$VENV/bin/python" -c 'import sys, pip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

stamp() {
    {
        "$VENV/bin/python" -VV
        sha256sum requirements.txt pyproject.toml
    } | sha256sum | cut -d' ' -f1
}

if ! venv_ok; then
    if ! py_ok "$PYTHON"; then
        if [ "$PYTHON" = python3 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
            apt_install python3 python3-venv
        fi
        py_ok "$PYTHON" || die "$PYTHON (>= 3.11, with the venv and ensurepip modules) is needed; on Debian: apt-get install python3 python3-venv"
    fi
    [ -e "$VENV" ] && { warn "$VENV is broken: recreating it"; rm -rf "$VENV"; }
    log "creating $VENV with $("$PYTHON" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    "$PYTHON" -m venv "$VENV"
fi

want="$(stamp)"
if [ "${FORCE:-0}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/linli" ]; then
    log "up to date ($VENV)"
    exit 0
fi

rm -f "$STAMP"
t0=$SECONDS
log "pip install -r requirements.txt"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt
log "pip install -e . (no deps, no build isolation)"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
printf '%s\n' "$want" >"$STAMP"
log "installed in $((SECONDS - t0))s ($VENV)"
