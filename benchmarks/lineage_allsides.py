"""Article lineage over a whole database: time, peak memory, candidates, links, and a
random sample of the links to judge by hand.

    python benchmarks/lineage_allsides.py DB [--sample 50] [--seed 1] [--out FILE]
                                             [--no-embeddings] [--keep] [--judged FILE]

``DB`` is a database already ingested (e.g. the full AllSides corpus), which this script
changes: run it on a copy. Unless ``--keep``, the lineage tables are emptied first, so
every article is examined again (:func:`quotetrack.grouping.lineage.find_sources`).
Prints wall time, the peak resident memory of this process (and its growth over the
memory after opening the database and loading the model), candidate pairs, pairs and
sentences embedded, links found by method and by evidence, then writes ``--sample``
random links as JSON Lines (both articles' ids, outlets, dates, titles, the score,
method, evidence and the first 600 characters of each text).

The links found are then scored against the hand judgements in
``benchmarks/lineage_allsides_judged.jsonl`` (keyed by AllSides record ids: whether the
two articles are one report, copied or reworded, and whether the stored direction is
right): precision of the judged links by method, directions right / wrong / unclear,
and how many links have no judgement yet.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JUDGED = REPO / "benchmarks" / "lineage_allsides_judged.jsonl"
sys.path.insert(0, str(REPO))

from quotetrack import ingest  # noqa: E402
from quotetrack.grouping import embeddings, lineage  # noqa: E402


def rss_mb() -> float:
    """Current resident memory of this process."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sample_links(db, n: int, seed: int) -> list[dict]:
    rows = list(db.query("select * from article_sources order by article_id, source_article_id"))
    random.Random(seed).shuffle(rows)
    out = []
    for link in rows[:n]:
        item = dict(link)
        for side, key in (("copy", "article_id"), ("source", "source_article_id")):
            a = next(db.query("select id, outlet, published, title, path, substr(text, 1, 600) as text "
                              "from articles where id = ?", [link[key]]))
            item[side] = a
        out.append(item)
    return out


def score_judged(db, path: Path) -> list[str]:
    """Lines reporting the links found against the hand judgements in ``path``."""
    labels = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            labels[frozenset((item["copy"], item["source"]))] = item
    rows = db.execute("select c.record_id, s.record_id, l.method from article_sources l "
                      "join articles c on c.id = l.article_id join articles s on s.id = l.source_article_id"
                      ).fetchall()
    right, judged, direction = {}, {}, {"right": 0, "wrong": 0, "unclear": 0}
    for copy, source, method in rows:
        label = labels.get(frozenset((copy, source)))
        if label is None:
            continue
        judged[method] = judged.get(method, 0) + 1
        right[method] = right.get(method, 0) + label["same_report"]
        if label["same_report"]:
            kind = label["direction"] or "unclear"
            if kind == "right" and (copy, source) != (label["copy"], label["source"]):
                kind = "wrong"
            direction[kind] += 1
    total, ok = sum(judged.values()), sum(right.values())
    lines = [f"judged               {total} of {len(rows)} links ({path.name})"]
    if total:
        by = ", ".join(f"{m} {right[m]}/{judged[m]}" for m in sorted(judged))
        lines.append(f"precision            {ok}/{total} = {ok / total:.3f} ({by})")
        lines.append(f"direction            {direction} (of the links that are one report)")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db")
    ap.add_argument("--sample", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=None, help="JSON Lines of the sampled links (default: beside DB)")
    ap.add_argument("--no-embeddings", action="store_true", help="copies only (QUOTETRACK_EMBEDDINGS=0)")
    ap.add_argument("--keep", action="store_true", help="do not empty the lineage tables first")
    ap.add_argument("--judged", type=Path, default=JUDGED, help="hand judgements (JSON Lines)")
    args = ap.parse_args(argv)
    if args.no_embeddings:
        os.environ["QUOTETRACK_EMBEDDINGS"] = "0"

    db = ingest.open_db(args.db)
    if not args.keep:
        with db.conn:
            for table in ("article_sources", "article_fingerprints", "article_lineage"):
                db.execute(f"delete from {table}")
            db.execute("update statements set independent_outlets = null")
    embeddings.set_threads(embeddings.usable_cores())
    print(f"model: {'available' if embeddings.available() else 'none'} ({embeddings.build()})")
    base = rss_mb()
    stats = lineage.Stats()
    started = time.perf_counter()

    def progress(done, total):
        if done % 5000 < lineage.BATCH or done == total:
            print(f"  {done}/{total} examined, {stats.candidates} candidate pairs, "
                  f"{stats.copies} copies, {stats.rewrites} rewrites, {time.perf_counter() - started:.0f} s",
                  flush=True)

    found = lineage.find_sources(db, stats=stats, progress=progress)
    elapsed = time.perf_counter() - started
    counted = db.execute("select count(*), sum(independent_outlets < outlet_count) from statements").fetchone()
    print(f"articles examined    {stats.examined}")
    print(f"time                 {elapsed:.1f} s")
    print(f"peak RSS             {peak_mb():.0f} MB (after opening and model load {base:.0f} MB, "
          f"at the end {rss_mb():.0f} MB)")
    print(f"candidate pairs      {stats.candidates}")
    print(f"pairs embedded       {stats.embedded_pairs} ({stats.embedded_sentences} sentences)")
    print(f"links                {found}: {stats.copies} copies, {stats.rewrites} rewrites")
    print(f"evidence             {dict(stats.evidence)}")
    print(f"statements           {counted[0]}, {counted[1] or 0} with fewer independent outlets than outlets")
    if args.judged.exists():
        for line in score_judged(db, args.judged):
            print(line)
    out = Path(args.out) if args.out else Path(args.db).with_suffix(".lineage-sample.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for item in sample_links(db, args.sample, args.seed):
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"sample               {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
