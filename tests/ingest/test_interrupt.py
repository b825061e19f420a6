"""Interrupted ingest: SIGKILL the ingest process at random moments, many times.

After every kill the database passes ``PRAGMA integrity_check``, the foreign key
check and the FTS5 integrity check (index against content), every stored quote
points into its article's text and is linked to a statement; the next run picks up
where the killed one stopped, and the database finally built equals one built
without interruption (same articles, quotes with speakers, speakers, statements).

Two chains of kills run side by side on two databases; each run gets another
PYTHONHASHSEED, so the result must not depend on hash order either. Sentence
embeddings are off here (``QUOTETRACK_EMBEDDINGS=0``, the lexical statement stages
only) to keep the many process start-ups affordable; what is tested is that every
batch's transaction is all or nothing, and every article in it too. The ingests here
commit every 4 articles (``store.BATCH_ARTICLES``; 64 or 10 s by default), so kills land
before, inside and between many batches.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from _generated import build_corpus, check_database, snapshot

ROOT = Path(__file__).resolve().parents[2]
KILLS_PER_CHAIN = 8


def _articles(db_path: Path) -> int:
    """Committed articles, read from outside (0 before the schema exists)."""
    if not db_path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("select count(*) from articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


# `quotetrack ingest` whose batches commit every QT_TEST_BATCH articles (and whose
# statements.assign_statements can be made to SIGKILL the process at its Nth call)
INGEST = """
import os, signal, sys
from quotetrack.db import store
from quotetrack.grouping import statements
from quotetrack.cli import cli
store.BATCH_ARTICLES = int(os.environ["QT_TEST_BATCH"])
store.BATCH_WAIT = store.BATCH_SECONDS = 1e9     # batches by size only
kill_at = int(os.environ.get("QT_TEST_KILL_AT", "0"))
if kill_at:
    real_assign, calls = statements.assign_statements, [0]
    def assign(db, quote_ids, **kwargs):
        calls[0] += 1
        if calls[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_assign(db, quote_ids, **kwargs)
    statements.assign_statements = assign
cli(sys.argv[1:], prog_name="quotetrack")
"""


def _ingest(corpus: Path, db_path: Path, rng: random.Random, batch: int = 4, **env) -> subprocess.Popen:
    env = dict(os.environ, PYTHONHASHSEED=str(rng.randrange(1, 2**31)), QUOTETRACK_EMBEDDINGS="0",
               QT_TEST_BATCH=str(batch), **env)
    # small nlp.pipe batches: parsing and saving alternate, so kills land among the writes
    return subprocess.Popen([sys.executable, "-c", INGEST, "ingest", str(corpus), "--db", str(db_path),
                             "--batch-size", "2", "--quiet"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_chain(corpus: Path, db_path: Path, seed: int, log: list, errors: list) -> None:
    """Start ingests and SIGKILL them until KILLS_PER_CHAIN kills are done or an ingest
    finishes by itself; check the database after every kill; then finish the job."""
    rng = random.Random(seed)
    try:
        for k in range(KILLS_PER_CHAIN):
            before = _articles(db_path)
            proc = _ingest(corpus, db_path, rng)
            started = time.monotonic()
            if k == 0:
                # anywhere from interpreter start-up to schema creation and the first articles
                time.sleep(rng.uniform(0.2, 3.5))
            else:
                # once this run has committed something, at a random moment in its writing
                while proc.poll() is None and _articles(db_path) <= before and time.monotonic() - started < 60:
                    time.sleep(0.03)
                time.sleep(rng.uniform(0.0, 0.3))
            if proc.poll() is not None:           # finished before the kill: nothing left to interrupt
                assert proc.returncode == 0, proc.stderr.read().decode()
                break
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stderr.close()
            counts = check_database(db_path) if db_path.exists() else {}
            log.append((db_path.name, round(time.monotonic() - started, 2), before, counts.get("articles", 0)))
        # the re-run completes
        proc = _ingest(corpus, db_path, rng)
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        check_database(db_path)
    except BaseException as e:  # reported by the test thread
        errors.append(e)


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(tmp_path):
    corpus = build_corpus(tmp_path / "corpus", n_text=25, n_jsonl=35)
    log: list = []
    errors: list = []
    chains = [threading.Thread(target=kill_chain, args=(corpus, tmp_path / f"chain{i}.db", 1000 + i, log, errors))
              for i in range(2)]
    for t in chains:
        t.start()
    # meanwhile, the same corpus ingested without interruption
    baseline = tmp_path / "baseline.db"
    proc = _ingest(corpus, baseline, random.Random(0))
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    for t in chains:
        t.join(timeout=600)
    if errors:
        raise errors[0]
    expected = snapshot(baseline)
    assert len(expected["articles"]) == 65 and len(expected["quotes"]) > 250
    for i in range(2):
        got = snapshot(tmp_path / f"chain{i}.db")
        for key in expected:
            assert got[key] == expected[key], (i, key)
    kills = len(log)
    during_writes = sum(1 for _, _, before, after in log if after > before)
    print(f"\n[interrupt] {kills} SIGKILLs survived ({during_writes} while articles were being written); "
          f"{len(expected['articles'])} articles, {len(expected['quotes'])} quotes, rows lost: 0")
    # how many kills land depends on machine speed (a run that finishes before its
    # kill ends the chain); 16 is typical here, 11 under heavy load
    assert kills >= 6


def test_a_crash_mid_batch_keeps_the_committed_batches(tmp_path):
    """SIGKILL while the second batch is being written (its 2nd article stored in the
    open transaction, the 3rd being stored): the database holds exactly the first
    batch; a re-run adds the rest and equals an uninterrupted ingest."""
    corpus = build_corpus(tmp_path / "corpus", n_text=9, n_jsonl=0)
    (corpus / "seeds").rename(tmp_path / "unused-seeds")
    (corpus / "batch.jsonl").unlink()             # (empty)
    db_path = tmp_path / "q.db"
    proc = _ingest(corpus, db_path, random.Random(1), batch=4, QT_TEST_KILL_AT="7")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL, err.decode()
    counts = check_database(db_path)
    assert counts["articles"] == 4, counts        # the first batch, nothing of the second
    conn = sqlite3.connect(db_path)
    paths = sorted(Path(r[0]).name for r in conn.execute("select path from articles"))
    conn.close()
    assert paths == [f"article_{i:03d}.txt" for i in range(4)]
    proc = _ingest(corpus, db_path, random.Random(2), batch=4)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    baseline = tmp_path / "baseline.db"
    proc = _ingest(corpus, baseline, random.Random(3), batch=64)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert check_database(db_path)["articles"] == 9
    assert snapshot(db_path) == snapshot(baseline)


def test_one_savepoint_per_article_one_transaction_per_batch(tmp_path, monkeypatch, sql_trace):
    """Why a kill can never leave half an article: articles are written in batches
    between one BEGIN IMMEDIATE and its COMMIT, each article with its quotes, speakers
    and statement links inside a savepoint of its own (rolled back alone when it
    fails), and no statement writes outside a transaction (sqlite-utils nests its own
    ``atomic()`` blocks as savepoints)."""
    import re

    from click.testing import CliRunner

    from quotetrack.db import store
    from quotetrack.cli import cli

    corpus = build_corpus(tmp_path / "corpus", n_text=4, n_jsonl=3)
    (corpus / "seeds").rename(tmp_path / "unused-seeds")
    monkeypatch.setattr(store, "BATCH_ARTICLES", 4)
    monkeypatch.setattr(store, "BATCH_SECONDS", 1e9)
    monkeypatch.setattr(store, "BATCH_WAIT", 1e9)
    result = CliRunner().invoke(cli, ["ingest", str(corpus), "--db", str(tmp_path / "q.db"), "--quiet"])
    assert result.exit_code == 0, result.output
    write = re.compile(r"^\s*(insert|update|delete|replace)\b", re.I)
    article_insert = re.compile(r'^\s*insert\s+(?:or\s+\w+\s+)?into\s+[\["]?articles[\]"]?\s*\(', re.I)
    quote_insert = re.compile(r'^\s*insert\s+(?:or\s+\w+\s+)?into\s+[\["]?quotes[\]"]?\s*\(', re.I)
    savepoint = re.compile(r"^\s*(SAVEPOINT|RELEASE(?: SAVEPOINT)?)\s+(\w+)", re.I)
    in_tx, batches = False, []
    stack: list[str] = []            # open savepoints; the outermost one is an article's
    for sql in sql_trace:
        head = sql.strip().upper()
        if head.startswith("BEGIN"):
            assert not in_tx
            in_tx, articles, quotes, stack = True, set(), 0, []
        elif head.startswith(("COMMIT", "END", "ROLLBACK")) and not head.startswith("ROLLBACK TO"):
            assert not stack, "transaction ended inside a savepoint"
            if articles:
                batches.append(len(articles))
            in_tx = False
        elif sql.startswith("--"):
            continue                      # statements run by triggers
        elif m := savepoint.match(sql):
            if m.group(1).upper() == "SAVEPOINT":
                assert in_tx
                if not stack:
                    article, quotes = set(), 0          # an article's savepoint begins
                stack.append(m.group(2))
            else:
                del stack[stack.index(m.group(2)):]
                if not stack and quotes:
                    assert len(article) == 1, "quotes written in a savepoint without their article"
        elif write.match(sql):
            assert in_tx, f"write outside a transaction: {sql[:80]}"
            if article_insert.match(sql):
                assert stack, "article written outside its savepoint"
                article.add(sql)          # (a statement can be traced more than once)
                articles.add(sql)
                assert len(article) <= 1, "two articles in one savepoint"
            if quote_insert.match(sql):
                assert stack, "quote written outside its article's savepoint"
                quotes += 1
    assert not in_tx
    assert batches == [4, 3]          # 7 articles, batches of 4
