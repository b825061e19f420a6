"""Scale-out: the same extraction on a Dask distributed cluster, one writer merging into SQLite.

    from dask.distributed import Client
    from quotetrack.distributed import ingest_distributed

    with Client("tcp://scheduler:8786") as client:          # or Client(LocalCluster(...))
        counts = ingest_distributed(["corpus/"], "db/quotes.db", client)

The input is read in this process as a stream of articles, already-stored articles are
skipped (content hash, as in ``quotetrack ingest``), and the rest is cut into
partitions of ``partition_size`` articles. Each partition is one task,
:func:`quotetrack.parallel.extract_chunk`: the single-process driver with the spaCy
model loaded once per worker process, returning plain ``records.Quote`` lists. This
process is the only writer: it stores the results with ``store.BatchedSaves`` (one
transaction per batch of articles, each article with its statements in a savepoint of
its own) in input order, so the database holds
exactly what a single-process ``quotetrack ingest`` of the same paths would. At most
``max_in_flight`` partitions are submitted at a time, so memory stays bounded on both
sides however large the corpus.

Dask is an optional dependency: ``pip install 'quotetrack[dask]'``.
"""
from __future__ import annotations

import collections
from pathlib import Path
from typing import Iterable

__all__ = ["ingest_distributed"]


def ingest_distributed(paths: Iterable, db_path, client, *, model: str | None = None, partition_size: int = 64,
                       batch_size: int = 32, max_in_flight: int | None = None, on_error=None) -> dict:
    """Ingest ``paths`` (files or folders, as ``quotetrack ingest``) into ``db_path``,
    extracting on the workers of the Dask ``client``. Returns counts
    ``{"added", "present", "quotes", "failed"}``. ``on_error(where, message)`` is called
    for every bad file, record or article (default: ignored, counted in ``failed``)."""
    from . import furniture, store
    from .parallel import chunks, extract_chunk
    from .sources import SourceError, iter_articles

    db = store.open_db(Path(db_path))
    counts = {"added": 0, "present": 0, "quotes": 0, "failed": 0}

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

    if max_in_flight is None:
        workers = len(client.scheduler_info().get("workers", {})) or 1
        max_in_flight = 2 * workers
    pending: collections.deque = collections.deque()
    parts = chunks(store.new_articles(db, sources(), present), partition_size)
    exhausted = False

    def not_stored(article, e) -> None:   # one bad article must not stop the batch
        fail(article.where, f"not stored: {e}")

    try:
        with store.BatchedSaves(db, on_saved=stored, on_failed=not_stored) as batch:
            while True:
                while not exhausted and len(pending) < max_in_flight:
                    try:
                        part = next(parts)
                    except StopIteration:
                        exhausted = True
                        break
                    pending.append((part, client.submit(extract_chunk, part, model, batch_size, pure=False)))
                if not pending:
                    break
                part, future = pending.popleft()
                for article, (quotes, error) in zip(part, future.result()):
                    if error is not None:
                        fail(article.where, f"could not extract quotations: {error[0]}: {error[1]}")
                        continue
                    batch.add(article, [q for q in quotes if q.is_speech])
        if counts["added"]:
            counts["quotes"] -= furniture.sweep(db)
    finally:
        for _, future in pending:
            future.cancel()
        db.close()
    return counts
