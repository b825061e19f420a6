"""Make a quotetrack database ready to publish as a read-only site.

- the write-ahead log folded into the file (an immutable database is read without it);
- the site's summary tables counted (:mod:`quotetrack.db.summaries`);
- ``ANALYZE``, so SQLite plans the site's queries with the tables' real sizes;
- Datasette's inspect data (``datasette inspect``: the file's hash, size and table
  counts) written beside the database as ``NAME.inspect.json``, which ``quotetrack serve
  --public`` hands Datasette (``--inspect-file``): no worker hashes the file or counts
  the tables when it starts.

``quotetrack publish DB`` runs it; ``quotetrack serve --public`` runs it first when the
database changed since.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from .db import summaries


class PublishError(Exception):
    """The database cannot be published now (one line, naming the file)."""


@dataclass
class Published:
    inspect_file: Path
    tables_counted: int


def inspect_file_of(path: Path) -> Path:
    return path.with_name(path.stem + ".inspect.json")


def is_current(db: sqlite_utils.Database, path: Path) -> bool:
    """Published and unchanged since: the inspect file is newer than the database and
    names its size, and every summary is there."""
    inspect = inspect_file_of(path)
    if not inspect.is_file() or inspect.stat().st_mtime < path.stat().st_mtime:
        return False
    try:
        entry = json.loads(inspect.read_text(encoding="utf-8")).get(path.stem) or {}
    except (OSError, ValueError, AttributeError):
        return False
    return entry.get("size") == path.stat().st_size and not summaries.missing(db)


def _checkpoint(db: sqlite_utils.Database, path: Path) -> None:
    busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    if busy:
        raise PublishError(f"{path}: the database is being written (an ingest is running?); "
                           "publish it when the ingest has finished")


def publish(db: sqlite_utils.Database, path: Path) -> Published:
    """Everything above, on the open database ``db`` at ``path``."""
    _checkpoint(db, path)
    counted = summaries.refresh(db)
    db.execute("ANALYZE")
    db.conn.commit()
    _checkpoint(db, path)
    inspect = inspect_file_of(path)
    done = subprocess.run([sys.executable, "-m", "datasette", "inspect", str(path), "--inspect-file", str(inspect)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise PublishError(f"{path}: datasette inspect failed: {last}")
    return Published(inspect, counted)
