"""Extraction on several cores: a pool of worker processes, one spaCy model each.

``extract_parallel`` is what ``extract_articles(..., workers=N)`` runs for N > 1. The
articles are cut into chunks in input order; each chunk goes to a worker process,
which runs the single-process driver (``pipeline.extract_articles``) on it and sends
back plain ``records.Quote`` lists; results come back in input order. At most
``2 * workers`` chunks are in flight, so memory does not grow with the corpus however
long the input stream is. The calling process stays the only SQLite writer.

Per-article failures are reported through ``on_error`` in the calling process, as in
the single-process path (the exception is rebuilt with its type name and message,
since the original may not pickle).

``extract_chunk`` is the unit of work also used by :mod:`quotetrack.distributed`
(Dask): articles in, ``(quotes, error)`` per article out, with the model loaded once
per process.
"""
from __future__ import annotations

import collections
import multiprocessing
from typing import Iterable, Iterator

CHUNK_SIZE = 16          # articles per task
# a worker is replaced (forked afresh from the parent) after this many chunks: spaCy's
# string store grows with every new word it sees, so memory stays flat on long runs
TASKS_PER_WORKER = 100

_nlp = None              # the worker's model (inherited through fork, or loaded by name)
_nlp_model: str | None = "<unset>"


def _init(model: str | None, nlp=None) -> None:
    global _nlp, _nlp_model
    if nlp is not None:
        _nlp, _nlp_model = nlp, model
    elif _nlp is None or _nlp_model != model:
        from .pipeline import load_nlp
        _nlp, _nlp_model = load_nlp(model), model


def _rebuilt_error(name: str, message: str) -> Exception:
    return type(name, (Exception,), {})(message)


def extract_chunk(articles: list, model: str | None = None, batch_size: int = 32) -> list[tuple[list, tuple | None]]:
    """``[(quotes, error)]`` for each article of ``articles``, in order; ``error`` is
    ``(type name, message)`` when the article could not be processed. Loads the model
    once per process."""
    from .pipeline import extract_articles

    _init(model)
    errors: dict[int, tuple[str, str]] = {}
    index = {id(a): i for i, a in enumerate(articles)}

    def on_error(article, error):
        errors[index[id(article)]] = (type(error).__name__, str(error))

    quotes: dict[int, list] = {}
    for article, found in extract_articles(articles, _nlp, batch_size=batch_size, on_error=on_error):
        quotes[index[id(article)]] = found
    return [(quotes.get(i, []), errors.get(i)) for i in range(len(articles))]


def chunks(items: Iterable, size: int) -> Iterator[list]:
    """Lists of up to ``size`` consecutive items, streamed."""
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def extract_parallel(articles: Iterable, nlp, workers: int, batch_size: int = 32, on_error=None,
                     chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[object, list]]:
    """(article, quotes) for each article, in input order, extracted by ``workers``
    processes. With the ``fork`` start method (Linux, macOS) the workers share the
    already loaded ``nlp``; elsewhere each loads the model ``nlp`` was loaded as."""
    from .pipeline import model_name_of

    model = model_name_of(nlp)
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        ctx = multiprocessing.get_context("fork")
        _init(model, nlp)          # inherited by the forked workers
        pool = ctx.Pool(workers, maxtasksperchild=TASKS_PER_WORKER)
    else:  # pragma: no cover - Windows
        ctx = multiprocessing.get_context("spawn")
        pool = ctx.Pool(workers, initializer=_init, initargs=(model,), maxtasksperchild=TASKS_PER_WORKER)
    try:
        pending: collections.deque = collections.deque()
        pending_chunks = chunks(articles, chunk_size)
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * workers:
                try:
                    chunk = next(pending_chunks)
                except StopIteration:
                    exhausted = True
                    break
                pending.append((chunk, pool.apply_async(extract_chunk, (chunk, model, batch_size))))
            if not pending:
                break
            chunk, result = pending.popleft()
            for article, (quotes, error) in zip(chunk, result.get()):
                if error is not None:
                    exc = _rebuilt_error(*error)
                    if on_error is None:
                        raise exc
                    on_error(article, exc)
                    continue
                yield article, quotes
    finally:
        pool.terminate()
        pool.join()
