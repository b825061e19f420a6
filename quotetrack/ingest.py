"""Ingest: the one module that runs the steps in order, sources -> extract -> db ->
identities -> grouping.

- :func:`open_db`: the store with the rules of every layer at hand, so a database
  written by an older version is upgraded in place (:class:`quotetrack.db.schema.Rules`).
- :func:`save_article`: one article in one write transaction: its row, a speaker
  identity for each quote (:mod:`quotetrack.identities.identities`), its quotes, the
  speakers' aliases, and its sentences grouped into statements
  (:mod:`quotetrack.grouping.statements`). All or nothing.
- :class:`BatchedSaves`: :class:`quotetrack.db.store.BatchedSaves` writing with
  :func:`save_article`: one transaction per batch of articles, a savepoint per article.
- :func:`ingest_articles`: what ``quotetrack ingest`` does with the articles read from
  its paths: skip those already stored, extract the others (on ``workers`` processes),
  store them in batches, then sweep the page furniture
  (:mod:`quotetrack.grouping.furniture`), look for copied articles
  (:mod:`quotetrack.grouping.lineage`) and count the site's summaries again
  (:mod:`quotetrack.db.summaries`).
- :func:`ingest_distributed`: the same with the extraction on a Dask cluster
  (:mod:`quotetrack.extract.distributed`), this process the only writer.

The store below knows nothing of identities and statements: it offers the write
primitives, and this module composes them with the layers above it.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable

import sqlite_utils

from .db import store, summaries
from .db.schema import Rules
from .grouping import furniture, lineage, originals, statements, terms
from .identities import evidence, identities, relations, speaker_rows
from .records import Original
from .sources.files import SourceError
from .sources.formats import iter_articles

__all__ = ["open_db", "RULES", "save_article", "get_or_create_speaker", "BatchedSaves", "ingest_articles",
           "ingest_distributed", "add_originals"]

#: the rules of the layers above the store that migrations of older databases apply
RULES = Rules(recompute_keys=speaker_rows.recompute_keys, index_terms=terms.index_terms,
              relation_reason=relations.relation_reason)

_PRONOUNS = frozenset("he she they it we i you him her them us his its their".split())


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the quotetrack database at ``path`` and bring its schema
    and rows up to date (:func:`quotetrack.db.store.open_db` with :data:`RULES`)."""
    return store.open_db(path, rules=RULES)


def get_or_create_speaker(db: sqlite_utils.Database, name: str | None, kind: str | None = None, *,
                          mention: str | None = None, context=None) -> int | None:
    """Id of the speaker identity for ``name``, created if new: one identity per real
    speaker across the database (see :mod:`quotetrack.identities.identities`: "Cuba's
    Foreign Ministry" = "Cuban Ministry of Foreign Affairs"; "Rodríguez" joins "Bruno
    Rodríguez" only with evidence from ``context``). Keeps the best name seen as
    display name and fills in a missing kind."""
    return identities.resolve(db, name, kind, mention=mention, context=context)


def save_article(db: sqlite_utils.Database, article, quotes: Iterable, *, content_hash: str | None = None) -> int | None:
    """Store one article with its quotes, speakers, aliases and statements.

    Everything happens in ONE transaction (a savepoint inside a caller's): an error
    anywhere (a bad quote, a failure in statement assignment) leaves no trace of the
    article. Returns the new ``articles.id``, or None when an article with the same
    content hash is already stored (re-ingesting adds nothing, whatever the path).

    ``content_hash`` overrides ``article.content_hash`` (see
    ``Article.content_hash``).
    """
    digest = content_hash or article.content_hash
    quotes = list(quotes)
    with store.write_transaction(db):
        if store.article_exists(db, digest):
            return None
        article_id = store.insert_article(db, article, digest)

        quote_ids = []
        quote_names: list[tuple[int, set[str]]] = []
        alias_counts: Counter = Counter()
        context = evidence.ArticleContext(
            article_id=article_id, outlet=article.outlet, published=article.published,
            text=article.text, names=[q.speaker for q in quotes if q.speaker])
        for q in quotes:
            speaker_id = get_or_create_speaker(db, q.speaker, q.speaker_kind, mention=q.speaker_mention,
                                               context=context) if q.speaker else None
            quote_id = store.insert_quote(db, article_id, article, q, speaker_id)
            quote_ids.append(quote_id)
            if speaker_id is not None:
                names = {q.speaker.strip()}
                mention = (q.speaker_mention or "").strip()
                if mention and mention.casefold() not in _PRONOUNS:
                    names.add(mention)
                quote_names.append((quote_id, names))

        # a later quote's speaker may have merged an earlier quote's identity into
        # another (speaker_rows.merge_speakers moves the quotes): count aliases under
        # each quote's speaker as it stands now, never under a deleted one
        for quote_id, names in quote_names:
            speaker_id = store.quote_speaker(db, quote_id)
            if speaker_id is not None:
                for alias in names:
                    alias_counts[(speaker_id, alias)] += 1

        store.add_aliases(db, alias_counts)

        statements.assign_statements(db, quote_ids)
    return article_id


class BatchedSaves(store.BatchedSaves):
    """:class:`quotetrack.db.store.BatchedSaves` writing each article with
    :func:`save_article`::

        with BatchedSaves(db, on_saved=stored, on_failed=not_stored) as batch:
            for article, quotes in extracted:
                batch.add(article, quotes)
    """

    def __init__(self, db: sqlite_utils.Database, **options):
        super().__init__(db, save=save_article, **options)


def ingest_articles(db: sqlite_utils.Database, articles: Iterable, nlp, *, batch_size: int = 32, workers: int = 1,
                    on_error=None, on_failed=None, progress=None, on_workers=None) -> dict:
    """Store ``articles`` in ``db`` as ``quotetrack ingest`` does; returns the counts
    ``{"added", "present", "quotes"}`` (quotations stored, page furniture removed).

    Articles already stored (content hash) are skipped before parsing; the others are
    extracted with ``nlp`` on up to ``workers`` processes (fewer, or this one, when
    there are few new articles: :func:`quotetrack.extract.parallel.planned`;
    ``on_workers(n)`` hears the number chosen before any parsing), in batches of ``batch_size``
    (``on_error(article, error)``: one could not be extracted); their speech is stored
    one transaction per batch of articles, each article in a savepoint
    (``on_failed(article, error)``: one could not be stored). ``progress(iterable)``
    may wrap the extracted articles (a progress bar). Then the quotes that are page
    furniture are removed."""
    # the extraction is imported when used, not with this module: opening a database
    # (`quotetrack serve`, `quotetrack statements`) needs no spaCy
    from .extract import parallel

    counts = {"added": 0, "present": 0, "quotes": 0, "originals": 0}
    present, stored = store.ingest_counters(counts)
    published: list[Original] = []
    fresh = store.new_articles(db, _set_aside(articles, published), present)
    workers, fresh = parallel.planned(fresh, workers)
    if on_workers is not None:
        on_workers(workers)
    extracted = parallel.extract_articles(fresh, nlp, batch_size=batch_size, on_error=on_error, workers=workers)
    if progress is not None:
        extracted = progress(extracted)
    # one transaction per batch of articles, each article in a savepoint (store.BatchedSaves)
    with BatchedSaves(db, on_saved=stored, on_failed=on_failed) as batch:
        for article, quotes in extracted:
            batch.add(article, [q for q in quotes if q.is_speech])
    counts["originals"] = add_originals(db, published, on_failed=on_failed)
    _finish(db, counts)
    return counts


def _set_aside(items: Iterable, published: list) -> Iterable:
    """The articles of ``items``; the originals among them (JSON Lines records marked
    ``"original": true``) are put in ``published``, to be added after the articles."""
    for item in items:
        if isinstance(item, Original):
            published.append(item)
        else:
            yield item


def add_originals(db: sqlite_utils.Database, items: Iterable[Original], *, on_failed=None) -> int:
    """Store originals (:func:`quotetrack.grouping.originals.add_original`), each in its own
    transaction; one without a speaker, or that fails, is reported to
    ``on_failed(original, error)`` and the others go on. Returns how many were new."""
    added = 0
    for item in items:
        try:
            if not item.speaker:
                raise ValueError('an original needs a speaker ("speaker" field or --speaker)')
            added += not originals.add_original(db, item).present
        except Exception as e:  # noqa: BLE001 - one bad original must not stop the others
            if on_failed is None:
                raise
            on_failed(item, e)
    return added


def _finish(db: sqlite_utils.Database, counts: dict) -> None:
    """After the last batch: sidebars an outlet repeats around its stories are removed,
    the new articles' copies and sources looked for (:mod:`quotetrack.grouping.lineage`),
    and the site's facet counts rebuilt. Run even when nothing was added, so an ingest
    interrupted after its last batch is completed by the next."""
    counts["quotes"] = max(0, counts["quotes"] - furniture.sweep(db))
    lineage.find_sources(db)
    summaries.refresh(db)


def ingest_distributed(paths: Iterable, db_path, client, *, model: str | None = None, partition_size: int = 64,
                       batch_size: int = 32, max_in_flight: int | None = None, on_error=None) -> dict:
    """Ingest ``paths`` (files or folders, as ``quotetrack ingest``) into ``db_path``,
    extracting on the workers of the Dask ``client`` (:mod:`quotetrack.extract.distributed`).
    Returns counts ``{"added", "present", "quotes", "failed"}``. ``on_error(where, message)``
    is called for every bad file, record or article (default: ignored, counted in ``failed``).

    The input is read in this process as a stream of articles, already-stored articles
    are skipped (content hash, as in ``quotetrack ingest``), and the rest is extracted in
    partitions of ``partition_size`` articles, at most ``max_in_flight`` at a time
    (default: twice the cluster's workers). This process is the only writer: it stores
    the results with :class:`BatchedSaves` (one transaction per batch of articles, each
    article with its statements in a savepoint of its own) in input order, so the
    database holds exactly what a single-process ``quotetrack ingest`` of the same paths
    would."""
    from .extract.distributed import extract_distributed   # imported when used, see ingest_articles

    db = open_db(Path(db_path))
    counts = {"added": 0, "present": 0, "quotes": 0, "failed": 0, "originals": 0}
    published: list[Original] = []

    def fail(where: str, message: str) -> None:
        counts["failed"] += 1
        if on_error is not None:
            on_error(where, message)

    def sources():
        for item in iter_articles([str(p) for p in paths]):
            if isinstance(item, SourceError):
                fail(str(item), "bad input")
            else:
                yield item

    present, stored = store.ingest_counters(counts)

    def not_extracted(article, error) -> None:
        fail(article.where, f"could not extract quotations: {error[0]}: {error[1]}")

    extracted = extract_distributed(store.new_articles(db, _set_aside(sources(), published), present), client,
                                    model=model,
                                    partition_size=partition_size, batch_size=batch_size,
                                    max_in_flight=max_in_flight, on_error=not_extracted)

    def not_stored(article, e) -> None:   # one bad article must not stop the batch
        fail(article.where, f"not stored: {e}")

    try:
        with BatchedSaves(db, on_saved=stored, on_failed=not_stored) as batch:
            for article, quotes in extracted:
                batch.add(article, [q for q in quotes if q.is_speech])
        counts["originals"] = add_originals(db, published, on_failed=not_stored)
        _finish(db, counts)
    finally:
        extracted.close()      # cancels the partitions still in flight
        db.close()
    return counts
