"""Extraction on several cores: a pool of worker processes, one spaCy model each.

``extract_articles(..., workers=N)`` is the driver for any number of processes: the
one-process driver (``pipeline.extract_articles``) for N = 1, ``extract_parallel`` for
N > 1. A pool is started only when the input is long enough to pay for it
(:func:`planned`): with fewer than ``MIN_ARTICLES_PER_WORKER`` articles per process,
fewer processes are started, and none below twice that. The
articles are cut into chunks in input order; each chunk goes to a worker process,
which runs the single-process driver (``pipeline.extract_articles``) on it and sends
back plain ``records.Quote`` lists; results come back in input order. At most
``2 * workers`` chunks are in flight, so memory does not grow with the corpus however
long the input stream is. The calling process stays the only SQLite writer.

Workers start from a clean process holding only the model, never from a copy of the
calling process: with the ``forkserver`` start method (Linux, macOS) a fork server is
started once, imports this module and loads the model (``_preload_model``), and every
worker (also the ones that replace workers after ``TASKS_PER_WORKER`` chunks) is
forked from it, sharing the model copy-on-write. Forked from the writer instead, each
new worker started with a copy of the writer's heap (SQLite page cache, name and
statement caches, the embedding model...), which grows with the corpus, and touched
those pages. Where there is no fork server (Windows) workers are spawned and load the
model themselves. Either way a worker's pipeline is ``load_nlp(model)`` for the
``model`` the caller's ``nlp`` was loaded with; a pipeline not made by ``load_nlp``
cannot be rebuilt by name, so it is shared with forked copies of the caller as before.

Per-article failures are reported through ``on_error`` in the calling process, as in
the single-process path (the exception is rebuilt with its type name and message,
since the original may not pickle).

``extract_chunk`` is the unit of work also used by :mod:`quotetrack.extract.distributed`
(Dask): articles in, ``(quotes, error)`` per article out, with the model loaded once
per process.
"""
from __future__ import annotations

import collections
import gc
import itertools
import json
import multiprocessing
import os
import sys
from typing import Iterable, Iterator

from . import pipeline

CHUNK_SIZE = 8           # articles per task (larger chunks cost workers memory and gained nothing)
# a worker is replaced (forked afresh from the fork server) after this many chunks:
# spaCy's string store grows with every new word it sees, so memory stays flat on long runs
TASKS_PER_WORKER = 100
# a pool of N processes is started only for N times this many articles or more (fewer
# processes for fewer articles, none below twice this): a pool's start-up costs more
# than the parsing it saves on a few articles
MIN_ARTICLES_PER_WORKER = 32

_nlp = None              # the worker's model (loaded in the fork server, or by name)
_nlp_model: str | None = "<unset>"

# in the environment of the fork server while it starts: what it loads (see _preload_model)
_PRELOAD = "QUOTETRACK_FORKSERVER_PRELOAD"


def _init(model: str | None, nlp=None) -> None:
    global _nlp, _nlp_model
    if nlp is not None:
        _nlp, _nlp_model = nlp, model
    elif _nlp is None or _nlp_model != model:
        _nlp, _nlp_model = pipeline.load_nlp(model), model


def _preload_model() -> None:
    """In the fork server, which imports this module first thing: load the model the
    starting process named, so that every worker forked from the server has it
    already (shared copy-on-write), and give the server the starting process's
    environment back (the import path set for the start, see ``_start_fork_server``)."""
    spec = os.environ.pop(_PRELOAD, None)
    if spec is None:
        return
    try:
        spec = json.loads(spec)
        environ, load, model = spec["environ"], spec["load"], spec["model"]
    except (ValueError, KeyError, TypeError):
        return   # not set by _start_fork_server
    for name, value in environ.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if not load:
        return
    try:
        _init(model)
    except Exception:   # noqa: BLE001 - each worker then loads it, and reports what goes wrong
        return
    # the garbage collector of a worker leaves the server's objects alone (it would
    # write to every page holding one, and so copy them all)
    gc.freeze()


_preload_model()


def _start_fork_server(ctx, model: str | None) -> None:
    """Start the fork server of this process (once: it serves until the process ends)
    with this module preloaded and ``model`` loaded. Python does not give the fork
    server the caller's ``sys.path`` before its preloading, so it is passed as
    ``PYTHONPATH``: the server must import the same ``quotetrack`` as this process.
    A server already running is used as it is (a worker loads another model itself)."""
    from multiprocessing import forkserver

    ctx.set_forkserver_preload([__name__])
    path = [p or os.getcwd() for p in sys.path]
    start_env = {"PYTHONPATH": os.pathsep.join(path), "PYTHONSAFEPATH": "1"}
    saved = {name: os.environ.get(name) for name in (*start_env, _PRELOAD)}
    os.environ.update(start_env)
    named = model is None or isinstance(model, str)     # else the workers load it
    os.environ[_PRELOAD] = json.dumps({"load": named, "model": model if named else None,
                                       "environ": {n: saved[n] for n in start_env}})
    try:
        forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _make_pool(nlp, workers: int):
    """(pool, model name) for extracting with ``nlp``'s pipeline in ``workers`` processes."""
    by_name = isinstance(nlp, pipeline.ModelByName)
    model = nlp.name if by_name else pipeline.model_name_of(nlp)
    methods = multiprocessing.get_all_start_methods()
    if not by_name and id(nlp) not in pipeline._MODEL_NAMES and "fork" in methods:
        # not made by load_nlp: only a copy of this process has this pipeline
        ctx = multiprocessing.get_context("fork")
        _init(model, nlp)
        return ctx.Pool(workers, maxtasksperchild=TASKS_PER_WORKER), model
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        _start_fork_server(ctx, model)
    else:  # pragma: no cover - Windows
        ctx = multiprocessing.get_context("spawn")
    return ctx.Pool(workers, initializer=_init, initargs=(model,), maxtasksperchild=TASKS_PER_WORKER), model


def _rebuilt_error(name: str, message: str) -> Exception:
    return type(name, (Exception,), {})(message)


def extract_chunk(articles: list, model: str | None = None, batch_size: int = 32) -> list[tuple[list, tuple | None]]:
    """``[(quotes, error)]`` for each article of ``articles``, in order; ``error`` is
    ``(type name, message)`` when the article could not be processed. Loads the model
    once per process."""
    _init(model)
    errors: dict[int, tuple[str, str]] = {}
    index = {id(a): i for i, a in enumerate(articles)}

    def on_error(article, error):
        errors[index[id(article)]] = (type(error).__name__, str(error))

    quotes: dict[int, list] = {}
    for article, found in pipeline.extract_articles(articles, _nlp, batch_size=batch_size, on_error=on_error):
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
    processes, each with the pipeline ``load_nlp`` gives for the model ``nlp`` was
    loaded as, forked from a fork server that loaded it once where there is one (a
    pipeline not made by ``load_nlp``: forked copies of this process)."""
    pool, model = _make_pool(nlp, workers)
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


def planned(articles: Iterable, workers: int) -> tuple[int, Iterator]:
    """``(processes, articles)``: the processes worth starting for ``articles`` when
    ``workers`` are allowed, and the same articles, in order. Up to ``workers *
    MIN_ARTICLES_PER_WORKER`` articles are read ahead to count them: fewer than that
    give one process per ``MIN_ARTICLES_PER_WORKER`` articles, and 1 (this process,
    no pool) below twice that."""
    articles = iter(articles)
    if workers <= 1:
        return 1, articles
    ahead = list(itertools.islice(articles, workers * MIN_ARTICLES_PER_WORKER))
    workers = max(1, min(workers, len(ahead) // max(1, MIN_ARTICLES_PER_WORKER)))
    return workers, itertools.chain(ahead, articles)


def extract_articles(articles: Iterable, nlp, batch_size: int = 32, n_process: int = 1, on_error=None,
                     workers: int = 1) -> Iterator[tuple[object, list]]:
    """(article, quotes) for each article, in input order: the one-process driver
    (:func:`quotetrack.extract.pipeline.extract_articles`, which see) with ``workers`` = 1;
    with ``workers`` > 1 the articles are spread over up to that many processes
    (:func:`extract_parallel`; fewer, or none, for a short input: :func:`planned`)
    and the output is the same. ``nlp`` may be a
    :class:`~quotetrack.extract.pipeline.ModelByName` (see ``pipeline.model_for``),
    loaded by the workers only, or here when no pool is started."""
    workers, articles = planned(articles, workers)
    if workers > 1:
        yield from extract_parallel(articles, nlp, workers, batch_size=batch_size, on_error=on_error)
        return
    yield from pipeline.extract_articles(articles, nlp, batch_size=batch_size, n_process=n_process,
                                         on_error=on_error)
