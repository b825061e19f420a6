#!/usr/bin/env sh
# Optional job: run the site tests against the newest Datasette 1.0 alpha and list what
# fails, so the port to 1.0 is a known list. CI runs the same tests on the pinned 0.65.5.
# Uses a venv of its own (.venv-datasette-alpha); exits 0 whatever fails (it reports).
# Usage: scripts/datasette_alpha.sh [VERSION]      e.g. scripts/datasette_alpha.sh 1.0a41
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv-datasette-alpha
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e ".[test]"
SPEC="datasette"
[ -n "${1:-}" ] && SPEC="datasette==$1"
# the site's pin (<1.0) is what is being tested past: install the alpha over it
"$VENV/bin/python" -m pip install --quiet --pre --upgrade "$SPEC"
echo "datasette $("$VENV/bin/python" -c 'import datasette.version as v; print(v.__version__)')"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider -o addopts="" -rf --tb=line \
    tests/site/test_site.py tests/site/test_datasette.py tests/site/test_speaker_search.py tests/site/test_site_facets.py \
    | tee "$VENV/report.txt" || true
echo "report: $VENV/report.txt"
