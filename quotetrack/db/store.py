"""The SQLite store: connection, schema, write transactions and the batched writer.

The schema is a public interface (people write SQL against it, Datasette publishes
it), so table and column names below are stable:

- ``articles(id, path, title, outlet, author, published, url, content_hash UNIQUE,
  record_id, line, encoding, text, word_count, ingested_at)`` - one row per
  distinct article *content*: re-ingesting the same text (from any path) adds nothing.
- ``speakers(id, name, kind, key UNIQUE)`` - one row per speaker identity; ``key``
  is :func:`speaker_key` of the name (casefolded, accents and a leading "the" dropped).
- ``speaker_aliases(speaker_id, alias, quote_count)`` - every name under which an
  identity was quoted, with how often.
- ``quotes(id, article_id, start, end, text, speaker_id, speaker_mention, kind,
  speaker_start, speaker_end, cue, cue_start, cue_end, confidence, method,
  outlet, published, statement_id)`` - ``start``/``end`` are offsets into
  ``articles.text``; ``outlet``/``published`` are copied from the article so
  quotes can be faceted by them; ``statement_id`` is the quote's main statement.
- ``statements(id, text, speaker_id, first_reported, quote_count, article_count,
  outlet_count)`` and ``quote_statements(quote_id, statement_id)``.
- full-text search: ``quotes_fts(text, speaker_mention)``, ``articles_fts(title, text)``,
  ``speakers_fts(name, key, description)`` kept current by triggers; view ``quotes_view``.
- internal: ``statement_terms(speaker_id, term, prefix, statement_id)``, the term
  index statement grouping finds its candidates with (see :mod:`quotetrack.grouping.statements`),
  and ``embeddings``, the cache of sentence vectors.

The migrations that create and upgrade it are in :mod:`quotetrack.db.schema`.

This module offers the write primitives (:func:`insert_article`, :func:`insert_quote`,
:func:`add_aliases`, :func:`write_transaction`) and knows nothing of speaker identities or
statements: :func:`quotetrack.ingest.save_article` writes an article with them, and is
what :class:`BatchedSaves` is given to write with. Usage::

    from quotetrack import ingest
    db = ingest.open_db("db/quotes.db")
    ingest.save_article(db, article, quotes)          # alone: one transaction for this article

    with ingest.BatchedSaves(db) as batch:            # what ``quotetrack ingest`` does
        for article, quotes in extracted:
            batch.add(article, quotes)      # one transaction per batch, a savepoint per article
    print(stats(db))

Transactions: ``save_article`` writes an article, its quotes, speakers and statement
links all or nothing. :class:`BatchedSaves` commits once per batch of articles (at most
:data:`BATCH_ARTICLES`, fewer when the first waited :data:`BATCH_WAIT` seconds or
writing took :data:`BATCH_SECONDS`), each article in its own savepoint: an article that fails is rolled back alone and the batch goes on. An
interrupted ingest (Ctrl-C, SIGTERM, a crash, a kill) leaves every committed batch intact
and nothing of the batch in progress, whose articles a re-run stores.
"""
from __future__ import annotations

import contextlib
import datetime
import re
import time
import unicodedata
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlite_utils

from . import schema
from .counts import refresh_statement_counts
from .schema import Rules, migrations

__all__ = [
    "ingest_counters",
    "open_db",
    "ensure_db_shape",
    "write_transaction",
    "insert_article",
    "insert_quote",
    "add_aliases",
    "quote_speaker",
    "refresh_statement_counts",
    "BatchedSaves",
    "stats",
    "article_exists",
    "speaker_key",
    "new_articles",
    "migrations",
    "Rules",
    "TABLES",
]

#: the public tables, in dependency order
TABLES = ("articles", "speakers", "speaker_aliases", "statements", "quotes", "quote_statements")

# Batches of ``BatchedSaves`` (``quotetrack ingest``): articles wait in memory until
# BATCH_ARTICLES are there or the first has waited BATCH_WAIT seconds, then are written
# in one transaction, committed early if it has been open BATCH_SECONDS. 64 articles
# make each commit's fixed cost (WAL copies of the pages every article touches) small
# per article. The write lock is held only while writing, so BATCH_SECONDS alone bounds
# how long another writer (an ingest, `quotetrack statements merge`) waits; BATCH_WAIT
# bounds how much extraction an interrupt throws away and how late the site sees an
# article (too short a wait makes small batches of slow, long articles).
BATCH_ARTICLES = 64
BATCH_WAIT = 10.0
BATCH_SECONDS = 2.0

# How long a writer waits for another ingest's article transaction. Long enough for
# one article's statement grouping (which may embed a few hundred sentences) so two
# ingests into one database serialise instead of failing; readers never wait (WAL).
BUSY_TIMEOUT_MS = 120_000

# ---------------------------------------------------------------------------
# opening


def open_db(path: str | Path, rules: Rules | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) the quotetrack database at ``path`` and bring its
    schema up to date. ``":memory:"`` gives an in-memory database. ``rules`` are those
    of the higher layers that migrations of an older database's rows need
    (:class:`quotetrack.db.schema.Rules`; :func:`quotetrack.ingest.open_db` passes them).

    Sets WAL journal mode (readers such as Datasette do not block the writer) with
    ``synchronous=NORMAL`` (no disk sync at every article's commit),
    ``foreign_keys=ON`` and a busy timeout, then runs :func:`ensure_db_shape`.
    """
    if str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
    else:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA journal_mode=WAL")
        # in WAL mode NORMAL syncs at checkpoints, not at every commit (one article): a
        # killed process loses nothing committed and the database stays consistent even
        # after a power cut, which may only undo the last commits (whole articles)
        db.execute("PRAGMA synchronous=NORMAL")
        # a batch of 64 articles rewrites far more than the default 1,000 pages
        # once the database is large, so the default checkpointed after nearly every
        # batch; at 10,000 pages a page rewritten by several batches is copied back
        # to the database once
        db.execute("PRAGMA wal_autocheckpoint=10000")
    # statement grouping reads indexes all over the database: keep more of it in memory
    db.execute("PRAGMA cache_size=-65536")
    # each article is saved in a savepoint, whose undo copies of the pages it changes
    # went to a temporary file once past 64 KB: a write() per page (about 4% of
    # grouping 10,000 AllSides articles by the lexical stages)
    db.execute("PRAGMA temp_store=MEMORY")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    ensure_db_shape(db, rules)
    return db


def ensure_db_shape(db: sqlite_utils.Database, rules: Rules | None = None) -> None:
    """Create or upgrade the schema in place. Idempotent: only pending
    migrations run; rows already in the database are kept.

    Pending migrations run under one write lock (``BEGIN IMMEDIATE``), so two
    processes opening a new database at once do not both try to create it.
    (Each migration is a savepoint inside it; a future ``transactional=False``
    migration, e.g. VACUUM, would need to run outside.)"""
    if not migrations.pending(db):
        return
    with write_transaction(db):
        schema.apply(db, rules)


# ---------------------------------------------------------------------------
# helpers

_WS = re.compile(r"\s+")
_NAME_PUNCT = re.compile(r"[^\w\s'-]+")
_LEADING_THE = re.compile(r"^the\s+")


def speaker_key(name: str | None) -> str:
    """Normalised identity key of a speaker name: accents stripped, casefolded,
    curly apostrophes straightened, punctuation (except ' and -) and a leading
    "the" dropped, whitespace collapsed. "Bruno Rodríguez" and "bruno rodriguez"
    share a key; "The Ministry" and "ministry" too."""
    if not name:
        return ""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = s.replace("\u2019", "'").replace("\u2018", "'")
    s = _NAME_PUNCT.sub(" ", s)
    s = _WS.sub(" ", s).strip()
    s = _LEADING_THE.sub("", s)
    return s


def _better_name(new: str, old: str) -> bool:
    """Should ``new`` replace ``old`` as the display name of the same identity?
    Prefer capitalised over all-lowercase, then no leading "the", then accents
    kept, then the longer; on a tie keep the first one seen."""
    def score(n: str):
        return (n != n.lower(), not _LEADING_THE.match(n.casefold()),
                sum(1 for c in n if ord(c) > 127), len(n))
    return score(new) > score(old)


def _get_or_create_speaker_by_key(db: sqlite_utils.Database, name: str | None, kind: str | None = None) -> int | None:
    """The former plain get-or-create by :func:`speaker_key` (kept for reference)."""
    key = speaker_key(name)
    if not key:
        return None
    speaker_id = db["speakers"].lookup({"key": key}, {"name": name.strip(), "kind": kind})
    row = db.execute("select name, kind from speakers where id = ?", [speaker_id]).fetchone()
    updates = {}
    if _better_name(name.strip(), row[0]):
        updates["name"] = name.strip()
    if kind and not row[1]:
        updates["kind"] = kind
    if updates:
        db["speakers"].update(speaker_id, updates)
    return speaker_id


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database):
    """One write transaction. ``BEGIN IMMEDIATE`` takes the write lock up front,
    so concurrent writers wait (busy_timeout) instead of failing mid-way; inside
    a caller's transaction it becomes a savepoint."""
    if db.conn.in_transaction:
        with db.atomic():
            yield
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def _insert(db: sqlite_utils.Database, table: str, row: dict) -> int:
    """INSERT one row (plain values) and return its rowid: what ``db[table].insert(row)``
    does, without sqlite-utils' introspection of the table at every call."""
    columns = ", ".join(f'"{c}"' for c in row)
    return db.conn.execute(f'insert into "{table}" ({columns}) values ({", ".join("?" * len(row))})',
                           list(row.values())).lastrowid


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _word_count(article) -> int:
    if article.paragraphs:
        return sum(len(article.text[s:e].split()) for s, e in article.paragraphs)
    return len(article.text.split())


# ---------------------------------------------------------------------------
# writing


def insert_article(db: sqlite_utils.Database, article, content_hash: str) -> int:
    """Insert the ``articles`` row of ``article`` under ``content_hash``; its id."""
    return _insert(
        db, "articles", {
            "path": article.path,
            "title": article.title,
            "outlet": article.outlet,
            "author": article.author,
            "published": article.published,
            "url": article.url,
            "content_hash": content_hash,
            "record_id": article.record_id,
            "line": article.line,
            "encoding": article.encoding,
            "text": article.text,
            "word_count": _word_count(article),
            "ingested_at": _now(),
        })


def insert_quote(db: sqlite_utils.Database, article_id: int, article, q, speaker_id: int | None) -> int:
    """Insert the ``quotes`` row of quote ``q`` of ``article`` (stored as ``article_id``),
    said by identity ``speaker_id``; its id."""
    return _insert(
        db, "quotes", {
            "article_id": article_id,
            "start": q.start,
            "end": q.end,
            "text": q.text,
            "speaker_id": speaker_id,
            "speaker_mention": q.speaker_mention,
            "kind": q.kind,
            "speaker_start": q.speaker_start,
            "speaker_end": q.speaker_end,
            "cue": q.cue,
            "cue_start": q.cue_start,
            "cue_end": q.cue_end,
            "confidence": q.confidence,
            "method": q.method,
            "outlet": article.outlet,
            "published": article.published,
        }
    )


def quote_speaker(db: sqlite_utils.Database, quote_id: int) -> int | None:
    """The ``speaker_id`` of a stored quote as it stands now (None: none, or no such quote)."""
    row = db.execute("select speaker_id from quotes where id = ?", [quote_id]).fetchone()
    return row[0] if row else None


def add_aliases(db: sqlite_utils.Database, alias_counts) -> None:
    """Add ``{(speaker_id, alias): quotes}`` to ``speaker_aliases``' counts."""
    for (speaker_id, alias), n in alias_counts.items():
        db.execute(
            "insert into speaker_aliases (speaker_id, alias, quote_count) values (?, ?, ?) "
            "on conflict (speaker_id, alias) do update set quote_count = quote_count + excluded.quote_count",
            [speaker_id, alias, n],
        )


def ingest_counters(counts: dict):
    """``(present, saved)``: the callbacks of :func:`new_articles` and
    :class:`BatchedSaves` that count an ingest into ``counts`` ("added", "present",
    "quotes"; an article counts once committed)."""
    def present(_article) -> None:
        counts["present"] += 1

    def saved(_article, quotes, article_id) -> None:
        if article_id is None:
            counts["present"] += 1
        else:
            counts["added"] += 1
            counts["quotes"] += len(quotes)

    return present, saved


class BatchedSaves:
    """``save(db, article, quotes, content_hash=...)`` for a stream of articles, one
    transaction per batch (``save`` writes one article in a write transaction and returns
    its id, or None when its content is already stored: what
    :func:`quotetrack.ingest.save_article` does, and :class:`quotetrack.ingest.BatchedSaves`
    passes)::

        with BatchedSaves(db, save=save_article, on_saved=stored, on_failed=not_stored) as batch:
            for article, quotes in extracted:
                batch.add(article, quotes)

    Articles are kept in memory until the batch is full (``size`` articles, default
    :data:`BATCH_ARTICLES`) or its first article has waited ``wait`` seconds (default
    :data:`BATCH_WAIT`), then written in input order between one ``BEGIN IMMEDIATE``
    and its ``COMMIT``, so the write lock is held while writing only, never while
    waiting for the next article; a transaction open for ``seconds`` (default
    :data:`BATCH_SECONDS`) is committed mid-batch, so another writer never waits much
    longer than that.

    Each article is written in a savepoint (``save`` inside a transaction):
    one that fails is rolled back alone and reported to ``on_failed(article, error)``,
    the others of the batch are stored. ``on_saved(article, quotes, article_id)`` is
    called once the article is committed (``article_id`` None: the same content was
    already stored, earlier in the batch included). If a batch's commit fails, its
    articles go to ``on_failed``.

    Leaving the ``with`` block normally writes what is left; leaving it with an
    exception (Ctrl-C included) discards the articles not committed yet: the database
    keeps every committed batch and nothing of the others, which a re-run stores.
    """

    def __init__(self, db: sqlite_utils.Database, *, save: Callable, size: int | None = None,
                 wait: float | None = None, seconds: float | None = None, on_saved=None, on_failed=None):
        self.db = db
        self.save = save
        self.size = size or BATCH_ARTICLES
        self.wait = BATCH_WAIT if wait is None else wait
        self.seconds = BATCH_SECONDS if seconds is None else seconds
        self.on_saved = on_saved
        self.on_failed = on_failed
        self._pending: list[tuple] = []
        self._since = 0.0

    def __enter__(self) -> BatchedSaves:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.flush()
        else:
            self._pending.clear()

    def add(self, article, quotes: Iterable, *, content_hash: str | None = None) -> None:
        """Queue ``article`` with its ``quotes``; writes the batch when it is full or old."""
        if not self._pending:
            self._since = time.monotonic()
        self._pending.append((article, list(quotes), content_hash))
        if len(self._pending) >= self.size or time.monotonic() - self._since >= self.wait:
            self.flush()

    def flush(self) -> None:
        """Write and commit every queued article."""
        while self._pending:
            self._write()

    def _write(self) -> None:
        """One transaction: queued articles until the queue is empty or ``seconds`` passed."""
        db, conn, pending = self.db, self.db.conn, self._pending
        own = not conn.in_transaction      # inside a caller's transaction, the caller commits
        began = False
        done = 0                           # articles of ``pending`` dealt with
        written: list[tuple] = []          # (item, article_id), to commit
        failed: list[tuple] = []           # (item, error)
        again: list[tuple] = []            # items to write again in the next transaction
        try:
            if own:
                conn.execute("BEGIN IMMEDIATE")
            began = True
            started = time.monotonic()
            for item in pending:
                done += 1
                try:
                    article_id = self.save(db, item[0], item[1], content_hash=item[2])
                except Exception as e:     # rolled back to its savepoint: nothing of it stays
                    failed.append((item, e))
                    if not conn.in_transaction:
                        # the error ended the whole transaction (disk full, I/O error...):
                        # the articles written before it are gone too; write them again
                        again, written = [w for w, _ in written], []
                        break
                    continue
                written.append((item, article_id))
                if time.monotonic() - started >= self.seconds:
                    break
            if own and conn.in_transaction:
                conn.execute("COMMIT")
        except BaseException as e:
            if own and conn.in_transaction:
                conn.execute("ROLLBACK")
            if not isinstance(e, Exception):
                self._pending = []         # interrupted: the uncommitted batch is not stored
                raise
            # BEGIN failed (still locked after the busy timeout) or COMMIT failed
            failed += [(item, e) for item in (pending if not began else [w for w, _ in written])]
            written = []
            if not began:
                done = len(pending)
        self._pending = again + pending[done:]
        if self.on_saved is not None:
            for item, article_id in written:
                self.on_saved(item[0], item[1], article_id)
        for item, error in failed:
            if self.on_failed is None:
                raise error
            self.on_failed(item[0], error)


def new_articles(db: sqlite_utils.Database, articles: Iterable, on_present=None) -> Iterator:
    """The articles not stored yet and not repeated earlier in this batch (checked
    before parsing, so duplicates cost no spaCy time); ``on_present(article)`` hears
    about the others."""
    seen = set()
    for article in articles:
        key = article.content_hash
        if key in seen or article_exists(db, key):
            if on_present is not None:
                on_present(article)
            continue
        seen.add(key)
        yield article


def article_exists(db: sqlite_utils.Database, content_hash: str) -> bool:
    """Is an article with this content already stored? (Checked before parsing.)"""
    return db.execute("select 1 from articles where content_hash = ?", [content_hash]).fetchone() is not None


def stats(db: sqlite_utils.Database) -> dict[str, int]:
    """Row counts of the public tables, e.g. ``{"articles": 5, "quotes": 40, ...}``."""
    return {name: db[name].count if db[name].exists() else 0 for name in TABLES}
