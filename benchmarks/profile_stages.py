"""Where the time of one process goes: extraction (or a whole ingest) on the first N BBC
files, split by stage, each stage timed exclusive of the stages it calls.

    python benchmarks/profile_stages.py [--limit 200] [--ingest] [--batch-size 32]
                                        [--corpus DIR] [--json-out FILE]

* start-up: the interpreter (``python -c pass``), importing the extraction (spaCy
  included) and loading the model with ``load_nlp``, each measured in a fresh
  subprocess;
* reading: decoding the files into articles (``iter_articles``);
* extraction, as ``quotetrack extract --json --workers 1`` runs it (the one-process
  driver on the loaded model): every spaCy component of the pipeline (the disabled
  ``ner``, run by ``quotetrack_entities`` on text outside quotations, on its own line),
  the tokenizer, and the driver's own code (finding quotations, choosing the text to
  parse, mapping offsets back), which is the rest;
* with ``--ingest``, the same articles stored as ``quotetrack ingest --workers 1`` does
  into a temporary database: speaker identities, statement grouping, the embedding
  model, the SQLite inserts and the batches' transactions, the page-furniture sweep.

Stages are timed by wrapping the pipeline's components and a few functions, with a
stack, so a stage's time excludes the stages it calls; the wrappers cost well under 1%.
The output (quotations, database) is the same as without them. Nothing is written into
the repository.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Stopwatch:
    """Exclusive wall time per named stage: the time goes to the innermost stage open."""

    def __init__(self, bottom: str):
        self.totals: dict[str, float] = defaultdict(float)
        self.stack = [bottom]
        self.t = time.perf_counter()

    def _switch(self) -> None:
        now = time.perf_counter()
        self.totals[self.stack[-1]] += now - self.t
        self.t = now

    def push(self, name: str) -> None:
        self._switch()
        self.stack.append(name)

    def pop(self) -> None:
        self._switch()
        self.stack.pop()

    def function(self, name: str, f):
        def timed(*args, **kwargs):
            self.push(name)
            try:
                return f(*args, **kwargs)
            finally:
                self.pop()
        timed.__wrapped__ = f
        return timed

    def iterate(self, name: str, items):
        items = iter(items)
        while True:
            self.push(name)
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                self.pop()
            yield item


class TimedComponent:
    """A pipeline component whose ``__call__`` and ``pipe`` are timed as ``name``."""

    def __init__(self, name: str, proc, watch: Stopwatch):
        self._name, self._proc, self._watch = name, proc, watch

    def __getattr__(self, attr):
        return getattr(self._proc, attr)

    def __call__(self, doc, **kwargs):
        return self._watch.function(self._name, self._proc)(doc, **kwargs)

    def pipe(self, docs, **kwargs):
        upstream = self._watch.iterate("driver", docs)      # time outside every stage
        if hasattr(self._proc, "pipe"):
            inner = self._proc.pipe(upstream, **kwargs)
        else:
            inner = (self._proc(doc) for doc in upstream)
        return self._watch.iterate(self._name, inner)


def instrument(nlp, watch: Stopwatch) -> None:
    nlp._components = [(name, TimedComponent(name, proc, watch)) for name, proc in nlp._components]
    nlp.tokenizer = TimedComponent("tokenizer", nlp.tokenizer, watch)


def startup(python: str) -> dict:
    """Seconds for the interpreter alone, the extraction's imports and the model, each
    in a fresh process."""
    code = ("import time; t = time.perf_counter(); from quotetrack.pipeline import load_nlp; "
            "i = time.perf_counter(); load_nlp(); m = time.perf_counter(); print(i - t, m - i)")
    t0 = time.perf_counter()
    subprocess.run([python, "-c", "pass"], check=True)
    interpreter = time.perf_counter() - t0
    imports, model = map(float, subprocess.run([python, "-c", code], check=True, capture_output=True,
                                               text=True).stdout.split())
    return {"interpreter": interpreter, "imports": imports, "model": model}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=200, help="first N files, sorted by name (default 200)")
    ap.add_argument("--corpus", help="folder of .txt articles (default: ../shared/corpora/bbc)")
    ap.add_argument("--ingest", action="store_true", help="also store the articles, as `quotetrack ingest`")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--json-out", help="write the figures to this file")
    args = ap.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")     # as the CLI sets it
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    shared = Path(os.environ.get("QUOTETRACK_SHARED", REPO.parent / "shared"))
    root = Path(args.corpus) if args.corpus else shared / "corpora" / "bbc"
    if not root.is_dir():
        sys.exit(f"{root}: corpus not found (set QUOTETRACK_SHARED to the folder holding corpora/)")
    files = sorted(p for p in root.glob("*.txt") if p.name.lower() != "readme.txt")[:args.limit]
    n_words = sum(len(p.read_text(encoding="utf-8", errors="replace").split()) for p in files)
    load = os.getloadavg()[0]
    print(f"{len(files)} files of {root.name}, {n_words:,} words; load average {load:.2f}")
    results: dict = {"files": len(files), "words": n_words, "load": load, "startup": startup(sys.executable)}
    s = results["startup"]
    print(f"start-up, each in a fresh process: interpreter {s['interpreter']:.2f} s, imports {s['imports']:.2f} s, "
          f"load_nlp {s['model']:.2f} s")

    from quotetrack.pipeline import extract_articles, load_nlp
    from quotetrack.sources.formats import iter_articles

    nlp = load_nlp()
    list(extract_articles(list(iter_articles([str(files[0])])), nlp))     # warm-up
    t0 = time.perf_counter()
    articles = list(iter_articles([str(p) for p in files]))
    reading = time.perf_counter() - t0

    watch = Stopwatch("driver")
    instrument(nlp, watch)
    t0 = time.perf_counter()
    if args.ingest:
        from quotetrack import ingest
        from quotetrack.db import store
        from quotetrack.grouping import embeddings, furniture, statements
        from quotetrack.identities import identities

        wrapped = [(identities, "resolve", "speaker identities"),
                   (statements, "assign_statements", "statement grouping"),
                   (embeddings.Embedder, "vectors", "embedding model (+ its cache)"),
                   (store, "insert_article", "SQLite inserts"), (store, "insert_quote", "SQLite inserts"),
                   (store, "add_aliases", "SQLite inserts"), (furniture, "sweep", "furniture sweep"),
                   (store.BatchedSaves, "_write", "batch transactions (+ rest of save_article)")]
        for owner, attr, name in wrapped:
            if hasattr(owner, attr):
                setattr(owner, attr, watch.function(name, getattr(owner, attr)))
        with tempfile.TemporaryDirectory(prefix="qt-profile-") as tmp:
            embeddings.set_threads(1)      # one core, as every other stage
            db = ingest.open_db(Path(tmp) / "profile.db")
            counts = ingest.ingest_articles(db, articles, nlp, batch_size=args.batch_size, workers=1)
            db.close()
        found = counts["quotes"]
    else:
        extracted = extract_articles(articles, nlp, batch_size=args.batch_size, workers=1)
        found = sum(len(quotes) for _, quotes in extracted)
    total = time.perf_counter() - t0
    watch._switch()
    stages = dict(watch.totals)
    stages["driver"] = total - sum(v for k, v in stages.items() if k != "driver")
    results.update({"reading": reading, "total": total, "quotes": found, "stages": stages})
    print(f"reading {reading:.2f} s; {'ingest' if args.ingest else 'extraction'} {total:.2f} s "
          f"({n_words / total:,.0f} words/s), {found} quotations")
    for name, secs in sorted(stages.items(), key=lambda kv: -kv[1]):
        label = ("the rest: finding quotations, choosing the text, mapping back"
                 + (", hashing, reading back" if args.ingest else "")) if name == "driver" else name
        print(f"  {label:<48} {secs:7.2f} s  {100 * secs / total:5.1f}%")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
