"""Scale-out: the extraction on a Dask distributed cluster, results back in input order.

:func:`quotetrack.ingest.ingest_distributed` stores what this gives (one writer merging
into SQLite)::

    from dask.distributed import Client
    from quotetrack.ingest import ingest_distributed

    with Client("tcp://scheduler:8786") as client:          # or Client(LocalCluster(...))
        counts = ingest_distributed(["corpus/"], "db/quotes.db", client)

:func:`extract_distributed` cuts a stream of articles into partitions of
``partition_size`` articles. Each partition is one task,
:func:`quotetrack.extract.parallel.extract_chunk`: the single-process driver with the
spaCy model loaded once per worker process, returning plain ``records.Quote`` lists.
Results come back in input order. At most ``max_in_flight`` partitions are submitted at
a time, and the input is read only as partitions are submitted, so memory stays bounded
on both sides however large the corpus.

Dask is an optional dependency: ``pip install 'quotetrack[dask]'``.
"""
from __future__ import annotations

import collections
from typing import Iterable, Iterator

from .parallel import chunks, extract_chunk

__all__ = ["extract_distributed"]


def extract_distributed(articles: Iterable, client, *, model: str | None = None, partition_size: int = 64,
                        batch_size: int = 32, max_in_flight: int | None = None,
                        on_error=None) -> Iterator[tuple[object, list]]:
    """(article, quotes) for each article of ``articles``, in input order, extracted on the
    workers of the Dask ``client``. An article that could not be processed is not
    yielded: ``on_error(article, (type name, message))`` hears about it. Partitions still
    in flight when the caller stops are cancelled."""
    if max_in_flight is None:
        workers = len(client.scheduler_info().get("workers", {})) or 1
        max_in_flight = 2 * workers
    pending: collections.deque = collections.deque()
    parts = chunks(articles, partition_size)
    exhausted = False
    try:
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
                    if on_error is not None:
                        on_error(article, error)
                    continue
                yield article, quotes
    finally:
        for _, future in pending:
            future.cancel()
