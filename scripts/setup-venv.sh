#!/bin/sh
# Create or refresh the project's virtualenv, saying what happens. Every make target runs this.
#
#   PY        the Python to build with (default python3; when that is older than 3.11, the
#             newest python3.1x on the PATH that is new enough)
#   PY_GIVEN  "yes" when the person chose PY (make PY=...): then no other Python is tried
#   VENV      where the virtualenv lives (default .venv)
#
# A virtualenv built by another Python (another version, or another installation of it) is
# rebuilt, and so is one whose interpreter no longer starts. Dependencies are installed when
# the virtualenv is new or pyproject.toml / constraints.txt changed since the last install.
set -eu

PY=${PY:-python3}
PY_GIVEN=${PY_GIVEN:-no}
VENV=${VENV:-.venv}
STAMP="$VENV/.installed"
NEEDED="3.11"

say() { printf 'setup: %s\n' "$*"; }
fail() {
    printf 'setup: %s\n' "$*" >&2
    exit 1
}

# Which Python is this? "3.11.7 /usr" (version and installation), or nothing if it does not start.
identity() {
    "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3], sys.base_prefix)' 2>/dev/null || true
}
new_enough() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null
}

# 1. A Python that is new enough, found before anything is created.
if ! command -v "$PY" >/dev/null 2>&1; then
    fail "there is no '$PY' on the PATH. wizard-tui needs Python $NEEDED or newer: install one, or name it with make PY=/path/to/python3.12 ..."
fi
if ! new_enough "$PY"; then
    found=""
    if [ "$PY_GIVEN" != yes ]; then
        for candidate in python3.14 python3.13 python3.12 python3.11; do
            if command -v "$candidate" >/dev/null 2>&1 && new_enough "$candidate"; then
                found=$candidate
                break
            fi
        done
    fi
    if [ -z "$found" ]; then
        have=$(identity "$PY")
        fail "$PY is Python ${have%% *}, and wizard-tui needs Python $NEEDED or newer. Install a newer Python, or name one with make PY=/path/to/python3.12 ..."
    fi
    say "$PY is older than $NEEDED; using $found"
    PY=$found
fi
want=$(identity "$PY")

# 2. A virtualenv built by another Python is rebuilt. A link in its place (a checkout that
# carried one) is removed, never followed: the virtualenv is this folder's own.
if [ -L "$VENV" ]; then
    say "$VENV is a link to $(readlink "$VENV"); replacing it with this folder's own virtualenv"
    rm -f "$VENV"
fi
if [ -e "$VENV" ]; then
    have=$(identity "$VENV/bin/python")
    if [ -z "$have" ]; then
        say "$VENV does not start (its Python was moved or removed); rebuilding it with $PY (Python ${want%% *})"
        rm -rf "$VENV"
    elif [ "$have" != "$want" ]; then
        say "$VENV was built by Python ${have%% *} in ${have#* }; rebuilding it with $PY (Python ${want%% *} in ${want#* })"
        rm -rf "$VENV"
    fi
fi

# 3. Create it, and install when it is new or the requirements changed.
started=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
    say "setting up $VENV with $PY (Python ${want%% *}); the first time takes about a minute and needs the package index (PyPI)"
    "$PY" -m venv "$VENV" || fail "'$PY -m venv' could not create $VENV (on Debian or Ubuntu, install the python3-venv package for this Python), then run make again"
elif [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ] || [ constraints.txt -nt "$STAMP" ]; then
    say "refreshing $VENV: pyproject.toml or constraints.txt changed since the last install"
else
    exit 0
fi
say "installing wizard-tui and its pinned dependencies into $VENV ..."
if ! "$VENV/bin/python" -m pip install --quiet --upgrade pip ||
    ! "$VENV/bin/python" -m pip install --quiet -c constraints.txt -e '.[dev]'; then
    fail "installing the dependencies failed (see pip's message above); check access to the package index (PyPI) and run make again"
fi
# Bytecode for our own modules now, so every start reads it instead of compiling (Python does
# not write it itself when PYTHONDONTWRITEBYTECODE is set, as on some CI machines).
"$VENV/bin/python" -m compileall -q wizard_tui >/dev/null
touch "$STAMP"
say "$VENV is ready ($(($(date +%s) - started)) s)"
