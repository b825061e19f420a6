#!/usr/bin/env sh
# Set up and run the test suite (this is what CI runs).
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh test
exec .venv/bin/python -m pytest "$@"
