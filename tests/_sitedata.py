"""The database behind the site tests (tests/site/test_site.py, tests/site/test_browser.py):
the five seed articles plus a hostile article (a JSON Lines record whose text,
title, outlet, author and URL carry ``<script>`` and ``<img onerror>``), ingested
with ``quotetrack ingest`` once per test session."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import sqlite_utils
import yaml
from datasette.app import Datasette
from datasette.plugins import pm
from click.testing import CliRunner

from quotetrack import site as site_plugin
from quotetrack.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
METADATA = ROOT / "metadata.yml"
ARTIFACTS = ROOT / "test-artifacts"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE_TITLE = f"Mayor answers the website hackers {SCRIPT}"
HOSTILE_OUTLET = f"{IMG} Gazette"
HOSTILE_TEXT = f"""Mayor Ana Torres spoke to reporters on Monday about the attack on the city website. {SCRIPT}

“{SCRIPT} is what they put on our home page,” Torres said.

“They also left {IMG} in the comments, and we removed it within the hour,” she added. {IMG}

The city's IT department said the attack lasted "less than an hour" and that no data was taken.
"""
HOSTILE_RECORD = {
    "id": "hostile-1",
    "title": HOSTILE_TITLE,
    "outlet": HOSTILE_OUTLET,
    "author": f"<b>{IMG}</b>",
    "date": "2023-10-02",
    "url": "javascript:alert(1)",
    "text": HOSTILE_TEXT,
}


def build_site_db(tmp_path_factory) -> Path:
    """``quotes.db`` (published as "quotes", like db/quotes.db) with the seeds and the
    hostile article, built once per session under pytest's base temp directory."""
    base = tmp_path_factory.getbasetemp() / "quotetrack-site"
    db_path = base / "quotes.db"
    done = base / "built"
    if done.exists():
        return db_path
    inputs = base / "in"
    inputs.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, inputs / seed.name)
    (inputs / "hostile.jsonl").write_text(json.dumps(HOSTILE_RECORD, ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(inputs), "--db", str(db_path), "--quiet"])
    assert result.exit_code == 0, result.output
    # fold the write-ahead log into the file, so the database can also be opened immutable
    with sqlite_utils.Database(db_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    done.touch()
    return db_path


def make_datasette(db_path, *, files=None, immutables=None, metadata=None, **kwargs):
    """A Datasette on the site database with the project's metadata and the plugin."""
    if not any(p is site_plugin for p in pm.get_plugins()):
        pm.register(site_plugin, name="quotetrack")   # not installed in this environment
    metadata = metadata or yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    files = files if files is not None else ([] if immutables else [str(db_path)])
    return Datasette(files, immutables=immutables, metadata=metadata, **kwargs)

