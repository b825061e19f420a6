"""The SQLite store: schema, migrations and the ``save_article`` writer.

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
  index statement grouping finds its candidates with (see :mod:`quotetrack.statements`),
  and ``embeddings``, the cache of sentence vectors.

Usage::

    db = open_db("db/quotes.db")
    save_article(db, article, quotes)       # alone: one transaction for this article

    with BatchedSaves(db) as batch:         # what ``quotetrack ingest`` does
        for article, quotes in extracted:
            batch.add(article, quotes)      # one transaction per batch, a savepoint per article
    print(stats(db))

Transactions: :func:`save_article` writes an article, its quotes, speakers and statement
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
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator

import sqlite_utils

from . import identities, statements

__all__ = [
    "ingest_counters",
    "open_db",
    "ensure_db_shape",
    "save_article",
    "BatchedSaves",
    "stats",
    "article_exists",
    "speaker_key",
    "get_or_create_speaker",
    "new_articles",
    "migrations",
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
# article (at 2 s, slow input such as long AllSides articles made batches of ~9).
BATCH_ARTICLES = 64
BATCH_WAIT = 10.0
BATCH_SECONDS = 2.0

# How long a writer waits for another ingest's article transaction. Long enough for
# one article's statement grouping (which may embed a few hundred sentences) so two
# ingests into one database serialise instead of failing; readers never wait (WAL).
BUSY_TIMEOUT_MS = 120_000

migrations = sqlite_utils.Migrations("quotetrack")


# ---------------------------------------------------------------------------
# migrations: never edit an applied one, add a new function at the end instead


@migrations(name="m001_initial_schema")
def m001_initial_schema(db: sqlite_utils.Database) -> None:
    """Tables, primary and foreign keys, unique keys and indexes."""
    db["articles"].create(
        {
            "id": int,
            "path": str,
            "title": str,
            "outlet": str,
            "author": str,
            "published": str,
            "url": str,
            "content_hash": str,
            "record_id": str,
            "line": int,
            "encoding": str,
            "text": str,
            "word_count": int,
            "ingested_at": str,
        },
        pk="id",
        not_null={"content_hash", "text"},
    )
    db["articles"].create_index(["content_hash"], unique=True)

    db["speakers"].create(
        {"id": int, "name": str, "kind": str, "key": str},
        pk="id",
        not_null={"name", "key"},
    )
    db["speakers"].create_index(["key"], unique=True)

    db["speaker_aliases"].create(
        {"speaker_id": int, "alias": str, "quote_count": int},
        pk=("speaker_id", "alias"),
        foreign_keys=[("speaker_id", "speakers", "id")],
        not_null={"speaker_id", "alias"},
        defaults={"quote_count": 0},
    )

    db["statements"].create(
        {
            "id": int,
            "text": str,
            "speaker_id": int,
            "first_reported": str,
            "quote_count": int,
            "article_count": int,
            "outlet_count": int,
        },
        pk="id",
        foreign_keys=[("speaker_id", "speakers", "id")],
        not_null={"text"},
        defaults={"quote_count": 0, "article_count": 0, "outlet_count": 0},
    )

    db["quotes"].create(
        {
            "id": int,
            "article_id": int,
            "start": int,
            "end": int,
            "text": str,
            "speaker_id": int,
            "speaker_mention": str,
            "kind": str,
            "speaker_start": int,
            "speaker_end": int,
            "cue": str,
            "confidence": float,
            "method": str,
            "outlet": str,
            "published": str,
            "statement_id": int,
        },
        pk="id",
        foreign_keys=[
            ("article_id", "articles", "id"),
            ("speaker_id", "speakers", "id"),
            ("statement_id", "statements", "id"),
        ],
        not_null={"article_id", "start", "end", "text"},
    )

    db["quote_statements"].create(
        {"quote_id": int, "statement_id": int},
        pk=("quote_id", "statement_id"),
        foreign_keys=[("quote_id", "quotes", "id"), ("statement_id", "statements", "id")],
    )

    db.index_foreign_keys()
    db["quotes"].create_index(["published"], if_not_exists=True)
    db["quotes"].create_index(["outlet"], if_not_exists=True)
    db["articles"].create_index(["published"], if_not_exists=True)
    db["articles"].create_index(["outlet"], if_not_exists=True)


QUOTES_VIEW_SQL = """
select
  quotes.id as quote_id,
  quotes.text,
  speakers.name as speaker,
  quotes.speaker_mention,
  quotes.cue,
  quotes.outlet,
  quotes.published,
  articles.title as article_title,
  quotes.article_id,
  quotes.statement_id,
  quotes.start,
  quotes."end"
from quotes
join articles on articles.id = quotes.article_id
left join speakers on speakers.id = quotes.speaker_id
"""


@migrations(name="m002_search_and_views")
def m002_search_and_views(db: sqlite_utils.Database) -> None:
    """Cue offsets, full-text search (with triggers) and the ``quotes_view`` view.

    Existing rows are indexed by ``enable_fts`` (it populates the new index)."""
    quotes = db["quotes"]
    for column in ("cue_start", "cue_end"):
        if column not in quotes.columns_dict:
            quotes.add_column(column, int)
    tokenize = "porter unicode61 remove_diacritics 2"
    quotes.enable_fts(["text", "speaker_mention"], create_triggers=True, tokenize=tokenize, replace=True)
    db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize=tokenize, replace=True)
    db.create_view("quotes_view", QUOTES_VIEW_SQL, replace=True)


@migrations(name="m003_identities_and_statement_groups")
def m003_identities_and_statement_groups(db: sqlite_utils.Database) -> None:
    """Cross-article speaker identities and statement grouping (``identities.py``,
    ``statements.py``, ``embeddings.py``):

    - ``speakers.description`` (roles, "; "-separated), ``speakers.surname`` and
      ``speakers.country`` (demonym); ``speaker_relations(speaker_id, related_id, reason)``;
    - ``statements.last_reported``;
    - ``quote_statements.part`` (which sentence of the quote), ``text`` (that sentence),
      ``norm_hash`` (SHA-1 of its normalised text), ``method`` (the stage that linked it:
      new, exact, contained, fragment, lexical, embedding, correction) and ``score``;
    - ``embeddings(hash, model, dim, vector)``: the embedding cache;
    - ``statement_corrections``: merges and splits made by users, re-applied after ingests.

    Existing identities get the new keys (merged where they now coincide)."""
    speakers = db["speakers"]
    for column in ("description", "surname", "country"):
        if column not in speakers.columns_dict:
            speakers.add_column(column, str)
    speakers.create_index(["surname"], if_not_exists=True)
    speakers.create_index(["country"], if_not_exists=True)
    db["speaker_relations"].create(
        {"speaker_id": int, "related_id": int, "reason": str},
        pk=("speaker_id", "related_id"),
        foreign_keys=[("speaker_id", "speakers", "id"), ("related_id", "speakers", "id")],
        if_not_exists=True,
    )
    db["speaker_relations"].create_index(["related_id"], if_not_exists=True)
    if "last_reported" not in db["statements"].columns_dict:
        db["statements"].add_column("last_reported", str)
    qs = db["quote_statements"]
    for column, kind in (("part", int), ("text", str), ("norm_hash", str), ("method", str), ("score", float)):
        if column not in qs.columns_dict:
            qs.add_column(column, kind)
    qs.create_index(["norm_hash"], if_not_exists=True)
    db["embeddings"].create(
        {"hash": str, "model": str, "dim": int, "vector": bytes},
        pk=("hash", "model"),
        if_not_exists=True,
    )
    db["statement_corrections"].create(
        {
            "id": int,
            "action": str,
            "quote_id": int,
            "quote_hash": str,
            "other_quote_id": int,
            "other_hash": str,
            "statement_text": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("quote_id", "quotes", "id"), ("other_quote_id", "quotes", "id")],
        if_not_exists=True,
    )
    identities.recompute_keys(db)
    statements.upgrade_links(db)


@migrations(name="m004_site_indexes")
def m004_site_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for what the site sorts and facets statements by (``metadata.yml``:
    sorted by ``quote_count``, faceted by ``outlet_count`` and ``first_reported``), so
    the statements page does not sort or scan the whole table on each request."""
    st = db["statements"]
    st.create_index(["quote_count"], if_not_exists=True)
    st.create_index(["outlet_count"], if_not_exists=True)
    st.create_index(["first_reported"], if_not_exists=True)


@migrations(name="m005_statement_terms")
def m005_statement_terms(db: sqlite_utils.Database) -> None:
    """Cheaper writes for statement grouping:

    - the term index grouping finds its candidates with
      (``statement_terms(speaker_id, term, prefix, statement_id)``, kept current by
      triggers on ``statements``; see :mod:`quotetrack.statements`), filled from the
      sentences already linked, so a new quote of a prolific speaker is compared with
      the few statements that share its words instead of all the speaker's statements;
    - the full-text triggers for updates of ``quotes`` and ``articles`` fire only when
      an indexed column changes: setting ``quotes.statement_id`` or ``speaker_id`` no
      longer rewrites the quote's full-text entry (17 times the cost of the update)."""
    statements.ensure_term_index(db)
    # identities: "was this identity quoted by this outlet within 30 days", and the
    # identities whose key ends in a bare "ministry" / "foreign ministry"
    db["quotes"].create_index(["speaker_id", "outlet", "published"], if_not_exists=True)
    db.execute("create index if not exists idx_speakers_key_last_word on speakers "
               f"({identities.KEY_LAST_WORD_SQL})")
    for table, columns in (("quotes", ("text", "speaker_mention")), ("articles", ("title", "text"))):
        if not db[f"{table}_fts"].exists():
            continue
        cols = ", ".join(f'"{c}"' for c in columns)
        old_values = ", ".join(f'old."{c}"' for c in columns)
        new_values = ", ".join(f'new."{c}"' for c in columns)
        db.execute(f'DROP TRIGGER IF EXISTS "{table}_au"')
        db.execute(
            f'CREATE TRIGGER "{table}_au" AFTER UPDATE OF {cols} ON "{table}" BEGIN\n'
            f'  INSERT INTO "{table}_fts" ("{table}_fts", rowid, {cols}) VALUES(\'delete\', old.rowid, {old_values});\n'
            f'  INSERT INTO "{table}_fts" (rowid, {cols}) VALUES (new.rowid, {new_values});\n'
            "END")


@migrations(name="m006_site_filter_indexes")
def m006_site_filter_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for the quotes pages a visitor reaches by clicking a facet: filtered by
    outlet or speaker, they list the newest first and facet by speaker, outlet,
    statement and day (``metadata.yml``), read from the index alone instead of one
    table row per quote (an outlet's 28,000 quotes among 420,000, the AllSides sample
    copied to 37,000 articles: 69 ms of SQL, 30 ms with the index); a day clicked in
    the date facet (``date(published) = ?``) is found without scanning every quote."""
    quotes = db["quotes"]
    quotes.create_index(["outlet", "published", "speaker_id", "statement_id"], if_not_exists=True)
    quotes.create_index(["speaker_id", "published", "outlet", "statement_id"], if_not_exists=True)
    db.execute("create index if not exists idx_quotes_published_day on quotes(date(published))")


@migrations(name="m007_narrower_relations")
def m007_narrower_relations(db: sqlite_utils.Database) -> None:
    """Relations made by older, wider rules are dropped: a country's government is
    related to the bodies of its executive only, no longer to every organisation of the
    country (courts, parties, newspapers), and a country named in words ("U.S.",
    "United States") is no longer taken for an organisation that every "U.S. senator"
    works for (:func:`quotetrack.identities.relation_reason`)."""
    from .identities import relation_reason

    if not db["speaker_relations"].exists():
        return
    rows = db.execute(
        "select r.speaker_id, r.related_id, a.kind, a.key, a.description, b.kind, b.key, b.description, a.country "
        "from speaker_relations r join speakers a on a.id = r.speaker_id join speakers b on b.id = r.related_id "
        "where r.reason in ('role', 'government')").fetchall()
    stale = [(r[0], r[1]) for r in rows if relation_reason(r[2:5], r[5:8], r[8]) is None]
    db.conn.executemany("delete from speaker_relations where speaker_id = ? and related_id = ?", stale)


@migrations(name="m008_iso_dates")
def m008_iso_dates(db: sqlite_utils.Database) -> None:
    """Publication dates stored as their source wrote them because they were not read
    as dates ("10/18/16", a two-digit year, now is: 2016-10-18) become ISO days, so they
    sort, facet and fall in date windows with the others; the first and last dates of
    their statements follow."""
    from .sources import parse_date
    from .statements import refresh_statement_counts

    statement_ids: set[int] = set()
    for table in ("articles", "quotes"):
        if not db[table].exists():
            return
        rows = db.execute(f"select id, published from {table} where published is not null "
                          "and published not like '____-__-__%'").fetchall()
        fixed = [(iso, row_id) for row_id, published in rows if (iso := parse_date(published))]
        db.conn.executemany(f"update {table} set published = ? where id = ?", fixed)
        if table == "quotes" and fixed and db["quote_statements"].exists():
            for _, quote_id in fixed:
                statement_ids.update(r[0] for r in db.execute(
                    "select statement_id from quote_statements where quote_id = ?", [quote_id]).fetchall())
    if statement_ids:
        refresh_statement_counts(db, sorted(statement_ids))


@migrations(name="m009_search_pass_index")
def m009_search_pass_index(db: sqlite_utils.Database) -> None:
    """A covering index for the pass over a search's matching quotes
    (:mod:`quotetrack.facet_pass`): the full-text index gives rowids, and each one's
    speaker, outlet, statement and date are read from this narrow index instead of
    the quote's row with its text ("president" on AllSides, 28,000 matches: 39 ->
    28 ms of SQL)."""
    if db["quotes"].exists():
        db.execute("create index if not exists idx_quotes_id_facets "
                   "on quotes(id, speaker_id, outlet, statement_id, published)")


@migrations(name="m010_speaker_search")
def m010_speaker_search(db: sqlite_utils.Database) -> None:
    """Full-text search on speakers (``speakers_fts(name, key, description)``, with
    triggers; existing rows indexed), accents and case ignored like ``quotes_fts``:
    the speakers page's search and ``/-/search`` find "Bruno Rodríguez" for "rodriguez"."""
    if db["speakers"].exists():
        db["speakers"].enable_fts(["name", "key", "description"], create_triggers=True,
                                  tokenize="porter unicode61 remove_diacritics 2", replace=True)


@migrations(name="m011_page_furniture")
def m011_page_furniture(db: sqlite_utils.Database) -> None:
    """``page_furniture(outlet, text, context_hash, articles)``: quotes an outlet
    repeats around its stories: a quote with the words around it, not speech
    (:mod:`quotetrack.furniture`)."""
    db.execute("create table if not exists page_furniture (outlet text not null, text text not null, "
               "context_hash text not null, articles integer, primary key (outlet, text, context_hash))")


# ---------------------------------------------------------------------------
# opening


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the quotetrack database at ``path`` and bring its
    schema up to date. ``":memory:"`` gives an in-memory database.

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
        # a batch of 64 articles rewrites far more than the default 1,000 pages (4 MB)
        # once the database is large, so the default checkpointed after nearly every
        # batch; at 10,000 pages a page rewritten by several batches is copied back
        # to the database once (grouping 10,000 AllSides articles: commits' CPU 2.6 -> ~2 s)
        db.execute("PRAGMA wal_autocheckpoint=10000")
    # statement grouping reads indexes all over the database: keep more of it in memory
    # (64 MB of page cache instead of 2 MB)
    db.execute("PRAGMA cache_size=-65536")
    # each article is saved in a savepoint, whose undo copies of the pages it changes
    # went to a temporary file once past 64 KB: a write() per page (about 4% of
    # grouping 10,000 AllSides articles by the lexical stages)
    db.execute("PRAGMA temp_store=MEMORY")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    ensure_db_shape(db)
    return db


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Create or upgrade the schema in place. Idempotent: only pending
    migrations run; rows already in the database are kept.

    Pending migrations run under one write lock (``BEGIN IMMEDIATE``), so two
    processes opening a new database at once do not both try to create it.
    (Each migration is a savepoint inside it; a future ``transactional=False``
    migration, e.g. VACUUM, would need to run outside.)"""
    if not migrations.pending(db):
        return
    with write_transaction(db):
        migrations.apply(db)


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


def get_or_create_speaker(db: sqlite_utils.Database, name: str | None, kind: str | None = None, *,
                          mention: str | None = None, context=None) -> int | None:
    """Id of the speaker identity for ``name``, created if new: one identity per real
    speaker across the database (see :mod:`quotetrack.identities`: "Cuba's Foreign
    Ministry" = "Cuban Ministry of Foreign Affairs"; "Rodríguez" joins "Bruno
    Rodríguez" only with evidence from ``context``). Keeps the best name seen as
    display name and fills in a missing kind."""
    return identities.resolve(db, name, kind, mention=mention, context=context)


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


_PRONOUNS = frozenset("he she they it we i you him her them us his its their".split())


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


def save_article(db: sqlite_utils.Database, article, quotes: Iterable, *, content_hash: str | None = None) -> int | None:
    """Store one article with its quotes, speakers, aliases and statements.

    Everything happens in ONE transaction: an error anywhere (a bad quote, a
    failure in statement assignment) leaves no trace of the article. Returns the
    new ``articles.id``, or None when an article with the same content hash is
    already stored (re-ingesting adds nothing, whatever the path).

    ``content_hash`` overrides ``article.content_hash`` (see
    ``Article.content_hash``).
    """
    digest = content_hash or article.content_hash
    quotes = list(quotes)
    with write_transaction(db):
        if article_exists(db, digest):
            return None
        article_id = _insert(
            db, "articles", {
                "path": article.path,
                "title": article.title,
                "outlet": article.outlet,
                "author": article.author,
                "published": article.published,
                "url": article.url,
                "content_hash": digest,
                "record_id": article.record_id,
                "line": article.line,
                "encoding": article.encoding,
                "text": article.text,
                "word_count": _word_count(article),
                "ingested_at": _now(),
            })

        quote_ids = []
        quote_names: list[tuple[int, set[str]]] = []
        alias_counts: Counter = Counter()
        context = identities.ArticleContext(
            article_id=article_id, outlet=article.outlet, published=article.published,
            text=article.text, names=[q.speaker for q in quotes if q.speaker])
        for q in quotes:
            speaker_id = get_or_create_speaker(db, q.speaker, q.speaker_kind, mention=q.speaker_mention,
                                               context=context) if q.speaker else None
            quote_id = _insert(
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
            quote_ids.append(quote_id)
            if speaker_id is not None:
                names = {q.speaker.strip()}
                mention = (q.speaker_mention or "").strip()
                if mention and mention.casefold() not in _PRONOUNS:
                    names.add(mention)
                quote_names.append((quote_id, names))

        # a later quote's speaker may have merged an earlier quote's identity into
        # another (identities.merge_speakers moves the quotes): count aliases under
        # each quote's speaker as it stands now, never under a deleted one
        for quote_id, names in quote_names:
            row = db.execute("select speaker_id from quotes where id = ?", [quote_id]).fetchone()
            if row and row[0] is not None:
                for alias in names:
                    alias_counts[(row[0], alias)] += 1

        for (speaker_id, alias), n in alias_counts.items():
            db.execute(
                "insert into speaker_aliases (speaker_id, alias, quote_count) values (?, ?, ?) "
                "on conflict (speaker_id, alias) do update set quote_count = quote_count + excluded.quote_count",
                [speaker_id, alias, n],
            )

        statements.assign_statements(db, quote_ids)
    return article_id


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
    """:func:`save_article` for a stream of articles, one transaction per batch::

        with BatchedSaves(db, on_saved=stored, on_failed=not_stored) as batch:
            for article, quotes in extracted:
                batch.add(article, quotes)

    Articles are kept in memory until the batch is full (``size`` articles, default
    :data:`BATCH_ARTICLES`) or its first article has waited ``wait`` seconds (default
    :data:`BATCH_WAIT`), then written in input order between one ``BEGIN IMMEDIATE``
    and its ``COMMIT``, so the write lock is held while writing only, never while
    waiting for the next article; a transaction open for ``seconds`` (default
    :data:`BATCH_SECONDS`) is committed mid-batch, so another writer never waits much
    longer than that.

    Each article is written in a savepoint (:func:`save_article` inside a transaction):
    one that fails is rolled back alone and reported to ``on_failed(article, error)``,
    the others of the batch are stored. ``on_saved(article, quotes, article_id)`` is
    called once the article is committed (``article_id`` None: the same content was
    already stored, earlier in the batch included). If a batch's commit fails, its
    articles go to ``on_failed``.

    Leaving the ``with`` block normally writes what is left; leaving it with an
    exception (Ctrl-C included) discards the articles not committed yet: the database
    keeps every committed batch and nothing of the others, which a re-run stores.
    """

    def __init__(self, db: sqlite_utils.Database, *, size: int | None = None, wait: float | None = None,
                 seconds: float | None = None, on_saved=None, on_failed=None):
        self.db = db
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
                    article_id = save_article(db, item[0], item[1], content_hash=item[2])
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
