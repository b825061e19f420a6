"""The ASGI application each ``quotetrack serve`` worker process runs.

``uvicorn quotetrack.site.app:make_app --factory`` with ``$QUOTETRACK_SERVE`` (JSON
written by ``quotetrack serve``: ``files``, ``immutables``, ``metadata``, ``settings``,
``secret``, ``inspect_file``). Each worker builds its own Datasette; Datasette's own
application answers the ASGI lifespan and runs the plugins' startup hooks. The workers
share ``secret``, so cookies and CSRF tokens signed by one are valid in the others.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

#: environment variable through which `quotetrack serve` configures its workers (JSON)
SERVE_CONFIG = "QUOTETRACK_SERVE"


def metadata_path() -> Path | None:
    """The metadata.yml to serve with: the one in the working directory (a checkout
    or a user's own), else the repository's next to the installed package."""
    for candidate in (Path.cwd() / "metadata.yml", Path(__file__).resolve().parents[2] / "metadata.yml"):
        if candidate.is_file():
            return candidate
    return None


#: the database block of the project's metadata.yml: written for a database named "quotes"
TEMPLATE_DATABASE = "quotes"


def metadata_for(metadata: dict | None, names: list[str]) -> dict | None:
    """``metadata`` with its ``quotes`` database block (descriptions, table options,
    facets, canned queries) applied to each served database in ``names`` that has no
    block of its own, so ``quotetrack serve db/wikinews.db`` gets them too."""
    if not metadata:
        return metadata
    databases = dict(metadata.get("databases") or {})
    template = databases.get(TEMPLATE_DATABASE)
    if template is None:
        return metadata
    for name in names:
        databases.setdefault(name, template)
    return {**metadata, "databases": databases}


def make_app():
    from datasette.app import Datasette
    from datasette.utils import parse_metadata

    config = json.loads(os.environ[SERVE_CONFIG])
    metadata = None
    if config.get("metadata"):
        metadata = parse_metadata(Path(config["metadata"]).read_text(encoding="utf-8"))
        served = (config.get("files") or []) + (config.get("immutables") or [])
        metadata = metadata_for(metadata, [Path(f).stem for f in served])
    inspect_data = None
    if config.get("inspect_file"):
        inspect_data = json.loads(Path(config["inspect_file"]).read_text(encoding="utf-8"))
    ds = Datasette(config.get("files") or [], immutables=config.get("immutables") or [], metadata=metadata,
                   settings=config.get("settings") or {}, secret=config.get("secret"), inspect_data=inspect_data)
    return ds.app()
