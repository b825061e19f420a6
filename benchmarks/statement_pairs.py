"""How well the statement judgement and the grouping hold beyond the seeds.

    python benchmarks/statement_pairs.py [--skip-end-to-end] [--workers 2] [--speed 200] [--json-out FILE]

Needs ``../shared/corpora/pairs`` (and ``allsides/`` for the end-to-end part;
``QUOTETRACK_SHARED`` overrides). Prints, for ``quotetrack.variants.same_statement``:

1. MRPC train (news paraphrases: the only split in ../shared, and the model was fitted on
   it, so the figure to quote is the cross-validated one ``scripts/train_judgement.py``
   prints); STS-B dev, English/English and each of es/de/fr/it/pt against English, plus
   es/es ("same" = rating >= 4): accuracy, precision, recall, F1;
2. translation recall on STS-B dev sentences of 10+ words against their English original,
   and false links when the same sentences are set against another row's English;
3. the hand-judged AllSides pairs (``pairs/allsides-dev.jsonl``) as text pairs;
4. end to end: the articles of those pairs ingested into a fresh database with
   ``quotetrack ingest``; a pair counts as grouped when a sentence of each quote is
   linked to one statement. Pair precision and recall, and for the true pairs not
   grouped whether the judgement itself would have joined them (then the candidate stage
   never proposed them) or not;
5. the seeds: precision and recall over all pairs of seed sentences (``benchmarks/variants.py``);
6. speed: ``same_statement`` on fresh pairs (nothing cached), embedding model on one thread.
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pairsets  # noqa: E402
from quotetrack.grouping import embeddings, variants  # noqa: E402


class Scores:
    def __init__(self):
        self.tp = self.fp = self.fn = self.tn = 0

    def add(self, pred: bool, gold: bool) -> None:
        if pred and gold:
            self.tp += 1
        elif pred:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    def row(self) -> dict:
        n = self.tp + self.fp + self.fn + self.tn
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")
        f = 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0
        return {"n": n, "accuracy": (self.tp + self.tn) / n if n else float("nan"),
                "precision": p, "recall": r, "f1": f}


def judge_all(pairs, cache) -> list[variants.Judgement]:
    """``variants.judge`` on each pair, with the whole sentences' vectors from ``cache``
    (the clause runs of its ``partial`` step across languages are embedded as needed)."""
    out = []
    embedder = None
    for p in pairs:
        j = variants.cheap_judgement(p.a, p.b)
        if j.stage == "candidate":
            j = whole = variants.embedding_judgement(j, cache.cosine(p.a, p.b))
            if not whole.same and whole.lang_a != whole.lang_b and whole.cosine is not None:
                embedder = embedder or embeddings.Embedder()
                j = variants._partial(p.a, p.b, whole, embedder) or whole
        out.append(j)
    return out


def score(pairs, cache) -> dict:
    s = Scores()
    for p, j in zip(pairs, judge_all(pairs, cache)):
        s.add(j.same, p.same)
    return s.row()


def show(name: str, row: dict) -> None:
    print(f"  {name:28s} n={row['n']:5d}  accuracy {row['accuracy']:.3f}  precision {row['precision']:.3f}"
          f"  recall {row['recall']:.3f}  F1 {row['f1']:.3f}")


def pair_sets(cache, results: dict) -> None:
    print("same_statement on labelled pairs")
    sets = {"MRPC train (fitted on it)": pairsets.mrpc("train"),
            "STS-B dev en/en": pairsets.stsb("dev", "en", "en")}
    for lang in ("es", "de", "fr", "it", "pt"):
        sets[f"STS-B dev {lang}/en"] = pairsets.stsb("dev", lang, "en")
    sets["STS-B dev es/es"] = pairsets.stsb("dev", "es", "es")
    cache.fill([t for ps in sets.values() for p in ps for t in (p.a, p.b)], progress=False)
    for name, pairs in sets.items():
        results[name] = score(pairs, cache)
        show(name, results[name])
    print("translations, STS-B dev sentences of 10+ words against their English original")
    for lang in ("es", "de", "fr", "it", "pt"):
        pos = pairsets.translations("dev", lang, min_words=10)
        neg = pairsets.shuffled("dev", lang, min_words=10)
        cache.fill([t for p in pos + neg for t in (p.a, p.b)], progress=False)
        jp, jn = judge_all(pos, cache), judge_all(neg, cache)
        recall = sum(j.same for j in jp) / len(jp)
        false = sum(j.same for j in jn) / len(jn)
        missed = Counter(j.stage for j in jp if not j.same)
        results[f"translations {lang}"] = {"recall": recall, "false_links": false, "n": len(jp),
                                          "missed_by": dict(missed)}
        print(f"  {lang}->en  recall {recall:.3f} of {len(jp)}   false links {false:.4f} of {len(jn)}"
              f"   missed by: {dict(missed)}")


def allsides_pairs(cache, results: dict) -> list[dict]:
    rows = [r for r in pairsets.allsides_dev() if r["same"] is not None]
    pairs = [pairsets.Pair(r["a"], r["b"], bool(r["same"])) for r in rows]
    cache.fill([t for p in pairs for t in (p.a, p.b)], progress=False)
    results["AllSides dev pairs (judgement)"] = score(pairs, cache)
    show("AllSides dev pairs (texts)", results["AllSides dev pairs (judgement)"])
    return rows


def _allsides_records(ids: set[str]) -> list[dict]:
    out = []
    for path in sorted((pairsets.SHARED / "corpora" / "allsides").glob("allsides-*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                if rec.get("id") in ids:
                    out.append(rec)
    return out


def end_to_end(rows: list[dict], workers: int, results: dict, keep_db: Path | None = None,
               show_errors: bool = False) -> None:
    import sqlite_utils
    ids = {r["a_article"] for r in rows} | {r["b_article"] for r in rows}
    records = _allsides_records(ids)
    print(f"end to end: {len(records)} of {len(ids)} articles of the labelled pairs found in allsides/")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "pairs-articles.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        db_path = keep_db or Path(tmp) / "pairs.db"
        if db_path.exists():
            db_path.unlink()
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "quotetrack.cli", "ingest", str(src), "--db", str(db_path),
                        "--quiet", "--workers", str(workers)], check=True, cwd=ROOT)
        print(f"  ingested in {time.perf_counter() - t0:.1f} s")
        db = sqlite_utils.Database(db_path)
        by_article: dict[str, list[tuple]] = defaultdict(list)
        how: dict[int, list] = defaultdict(list)
        for ext_id, text, qtext, statement_id, method, link_score in db.execute(
                "select a.record_id, qs.text, q.text, qs.statement_id, qs.method, qs.score from quote_statements qs "
                "join quotes q on q.id = qs.quote_id join articles a on a.id = q.article_id"):
            by_article[ext_id].append((variants.normalise(text or ""), variants.normalise(qtext), statement_id))
            how[statement_id].append((method, round(link_score, 3) if link_score else None, (text or "")[:70]))

        def statements_of(article: str, text: str) -> set[int]:
            n = variants.normalise(text)
            exact = {st for unit, _, st in by_article.get(article, []) if unit == n}
            if exact:
                return exact
            return {st for unit, quote, st in by_article.get(article, [])
                    if n and (n in quote or (unit and unit in n))}

        s = Scores()
        misses = Counter()
        unfound = 0
        for r in rows:
            sa, sb = statements_of(r["a_article"], r["a"]), statements_of(r["b_article"], r["b"])
            if not sa or not sb:
                unfound += 1
                continue
            grouped = bool(sa & sb)
            s.add(grouped, r["same"])
            if show_errors and grouped != r["same"]:
                print(f"  {'FALSE MERGE' if grouped else 'MISSED'}: {r['a'][:90]!r} / {r['b'][:90]!r}")
                for st in sorted(sa & sb)[:1]:
                    for m in how[st][:6]:
                        print(f"      {m}")
            if r["same"] and not grouped:
                misses["judged same, never compared (candidates)" if variants.same_statement(r["a"], r["b"])
                       else "judged different"] += 1
        row = s.row()
        results["AllSides dev end to end"] = {**row, "pairs_not_found_in_db": unfound, "misses": dict(misses)}
        show("AllSides dev end to end", row)
        print(f"  pairs whose quotes were not extracted: {unfound}; true pairs not grouped: {dict(misses)}")


def seeds(results: dict) -> None:
    import variants as seed_bench   # benchmarks/variants.py
    units = seed_bench.seed_units()
    s = Scores()
    for i, (a, la) in enumerate(units):
        for b, lb in units[i + 1:]:
            if variants.normalise(a) != variants.normalise(b):
                s.add(variants.same_statement(a, b), la == lb)
    results["seeds"] = s.row()
    show("seed sentences (all pairs)", results["seeds"])


def speed(n: int, results: dict) -> None:
    """Fresh pairs (no vector cached), one thread for the model."""
    pairs = pairsets.stsb("dev", "en", "en")[-n:]
    embeddings._reset_for_tests()
    embeddings.set_threads(1)
    embeddings.get_model()
    t0 = time.perf_counter()
    for p in pairs:
        variants.same_statement(p.a, p.b)
    dt = time.perf_counter() - t0
    t1 = time.perf_counter()
    for p in pairs:
        variants.same_statement(p.a, p.b)
    cached = time.perf_counter() - t1
    results["speed"] = {"pairs": n, "fresh_pairs_per_s": n / dt, "cached_pairs_per_s": n / cached}
    print(f"speed: same_statement {n / dt:.1f} pairs/s on fresh pairs (both sentences embedded, one thread), "
          f"{n / cached:.0f} pairs/s once the vectors are cached")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skip-end-to-end", action="store_true")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--speed", type=int, default=200, help="pairs for the speed figure (0: skip)")
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--db", type=Path, help="keep the end-to-end database here")
    ap.add_argument("--show-errors", action="store_true", help="print the end-to-end false merges and misses")
    args = ap.parse_args(argv)
    pairsets.require_pairs()
    print(f"embedding model: {embeddings.MODEL_NAME} ({embeddings.build()}); "
          f"judgement trained {variants._model()['trained']}")
    cache = pairsets.VectorCache()
    results: dict = {}
    pair_sets(cache, results)
    rows = allsides_pairs(cache, results)
    seeds(results)
    if not args.skip_end_to_end:
        end_to_end(rows, args.workers, results, args.db, args.show_errors)
    if args.speed:
        speed(args.speed, results)
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
