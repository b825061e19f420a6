"""Concurrent use: the site keeps answering while ingests write, and two ingests into
one database serialise safely.

Two ``quotetrack ingest`` processes start at the same moment on a database that does
not exist yet; a real ``quotetrack serve`` answers requests all the while (WAL mode:
readers never wait for the writer). Writers take the lock with ``BEGIN IMMEDIATE``
one article at a time and wait for each other (``busy_timeout``); an article the other
process stored meanwhile is skipped. The result equals a single ingest.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _generated import build_corpus, check_database, snapshot
from _server import get, start_server

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, QUOTETRACK_EMBEDDINGS="0")
MAX_REQUESTS = 1500

CONSISTENCY_SQL = ("select a.content_hash as h, count(q.id) as n from articles a "
                   "left join quotes q on q.article_id = a.id group by a.id")
URLS = [
    ("/quotes/quotes.json", {"_shape": "array", "_size": "20"}),
    ("/quotes/quotes", {}),
    ("/quotes/articles.json", {"_search": "bridge", "_shape": "array"}),
    ("/quotes/search_quotes.json", {"q": "budget", "_shape": "array"}),
    ("/quotes/speaker_quotes.json", {"speaker": "Torres", "_shape": "array"}),
    ("/quotes/statements.json", {"_shape": "array", "_size": "10"}),
    ("/quotes/quotes.json", {"_facet": "speaker_id", "_size": "0"}),
    ("/quotes.json", {"sql": CONSISTENCY_SQL, "_shape": "array"}),
]


def ingest(corpus: Path, db_path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "quotetrack.cli", "ingest", str(corpus), "--db", str(db_path)],
                            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def has_schema(db_path: Path) -> bool:
    if not db_path.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return conn.execute("select count(*) from sqlite_master where name = 'quotes_view'").fetchone()[0] == 1
        finally:
            conn.close()
    except sqlite3.Error:
        return False


@pytest.mark.slow
def test_site_answers_while_two_ingests_write(tmp_path):
    corpus = build_corpus(tmp_path / "corpus", n_text=20, n_jsonl=30)
    baseline = tmp_path / "baseline.db"
    db_path = tmp_path / "quotes.db"
    single = ingest(corpus, baseline)
    writers = [ingest(corpus, db_path), ingest(corpus, db_path)]   # at once, on a new database
    deadline = time.monotonic() + 120
    while not has_schema(db_path) and time.monotonic() < deadline:
        time.sleep(0.02)
    # a third writer takes the lock for a few seconds while the site starts: the ingests
    # wait for it (busy timeout 10 s), the site must not
    conn = sqlite3.connect(db_path, timeout=30, isolation_level=None)
    conn.execute("begin immediate")
    held_since = time.monotonic()
    statuses: dict[int, int] = {}
    locked = 0
    served_while_writing = served_while_locked = n = 0
    seen: dict[str, int] = {}     # article content hash -> quote count, as readers saw it
    server = None
    try:
        server, base = start_server(db_path)
        server_started_after = time.monotonic() - held_since
        while n < MAX_REQUESTS and time.monotonic() < deadline:
            writing = any(w.poll() is None for w in writers)
            if not writing and n >= 40:
                break
            held = time.monotonic() - held_since
            if conn is not None and (held > 8 or (held > 4 and served_while_locked >= 10)):
                # (well within the ingests' busy timeout)
                conn.execute("rollback")
                conn.close()
                conn = None
            path, params = URLS[n % len(URLS)]
            status, body = get(base, path, **params)
            n += 1
            statuses[status] = statuses.get(status, 0) + 1
            locked += "database is locked" in body
            served_while_writing += writing
            served_while_locked += conn is not None
            if status == 200 and path == "/quotes.json":
                for row in json.loads(body):
                    seen[row["h"]] = row["n"]
        results = [w.communicate(timeout=120) for w in writers]
    finally:
        if conn is not None:
            conn.close()
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        for w in writers:
            if w.poll() is None:
                w.kill()
    assert [w.returncode for w in writers] == [0, 0], [err.decode()[-2000:] for _, err in results]
    assert statuses == {200: n}, statuses
    assert locked == 0
    assert served_while_writing >= 20
    if server_started_after < 6:
        assert served_while_locked >= 10
    _, err = single.communicate(timeout=120)
    assert single.returncode == 0, err.decode()

    # serialised: the same database as one ingest, nothing lost or doubled, and no
    # reader ever saw an article without all of its quotes
    check_database(db_path)
    expected = snapshot(baseline)
    got = snapshot(db_path)
    for key in expected:
        assert got[key] == expected[key], key
    final = dict(sqlite3.connect(db_path).execute(CONSISTENCY_SQL).fetchall())
    assert all(final[h] == count for h, count in seen.items())
    print(f"\n[concurrency] {n} requests served ({served_while_writing} while ingests were writing, "
          f"{served_while_locked} while a writer held the lock, "
          f"{len(seen)} articles checked for completeness), 0 errors, 0 'database is locked'; "
          f"2 concurrent ingests = 1 ingest: {len(expected['articles'])} articles, "
          f"{len(expected['quotes'])} quotes, rows lost: 0")
