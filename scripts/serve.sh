#!/usr/bin/env sh
# The main job on a fresh machine: install, ingest seeds/ into db/quotes.db,
# and serve the Datasette site on http://127.0.0.1:8001
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/quotetrack ingest seeds/ --db db/quotes.db
exec .venv/bin/quotetrack serve db/quotes.db --host 127.0.0.1 --port "${PORT:-8001}"
