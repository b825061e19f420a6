"""Fit the statement judgement (``quotetrack/grouping/judgement.json``) from the training pairs.

    python scripts/train_judgement.py [--folds 5] [--out quotetrack/grouping/judgement.json]

Reads only train splits from ``../shared/corpora/pairs`` (``QUOTETRACK_SHARED``):

- MRPC train: news sentence pairs labelled paraphrase or not;
- STS-B train, English/English, "same" = people's rating >= 4;
- STS-B train, Spanish/German/French/Italian/Portuguese sentence 1 against English
  sentence 2 (each row in one of the five languages, in turn);
- exact translations (a sentence against its own English original) and shuffled ones
  (against another row's English), 800 of each per language.

Pairs that the rules decide (equal text, truncation, a guard) are not fitted. Two logistic
regressions are fitted with Newton's method (L2 penalty, standardised features): ``full``
over :func:`quotetrack.grouping.variants.pair_features` with the multilingual-e5-small cosine, and
``lexical`` without it (the fallback when the embedding model is missing). The threshold
maximises the mean F1 over the training sets, on out-of-fold probabilities. The script
prints the cross-validated figures per set and writes the parameters, with a held-out
check (pairs and the probability the model gives them) that ``tests/grouping/test_variants.py``
recomputes from the shipped file.
"""
from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pairsets  # noqa: E402
from quotetrack.grouping import variants  # noqa: E402

FOREIGN = ("es", "de", "fr", "it", "pt")
L2 = 1.0


def training_sets(seed: int = 0) -> dict[str, list[pairsets.Pair]]:
    rng = random.Random(seed)
    sets = {"mrpc": pairsets.mrpc("train"), "stsb-en": pairsets.stsb("train", "en", "en")}
    cross = []
    for lang in FOREIGN:
        rows = pairsets.stsb("train", lang, "en")
        cross += [p for i, p in enumerate(rows) if FOREIGN[i % len(FOREIGN)] == lang]
    sets["stsb-xx-en"] = cross
    trans, shuf = [], []
    for lang in FOREIGN:
        t = pairsets.translations("train", lang)
        s = pairsets.shuffled("train", lang, seed=seed)
        trans += rng.sample(t, min(800, len(t)))
        shuf += rng.sample(s, min(800, len(s)))
    sets["translations"] = trans + shuf
    return sets


def featurise(pairs, cache, names):
    """Feature rows of the pairs the model decides, and the judgement of the others."""
    rows, labels, keep = [], [], []
    for i, p in enumerate(pairs):
        j = variants.cheap_judgement(p.a, p.b, cascade=False)
        if j.stage != "candidate":
            continue
        cos = cache.cosine(p.a, p.b)
        f = variants.pair_features(p.a, p.b, cos)
        rows.append([f[n] for n in names])
        labels.append(float(p.same))
        keep.append(i)
    return np.array(rows, dtype=float), np.array(labels), keep


def fit(x, y, w):
    """Weighted L2 logistic regression by Newton's method; returns (mean, scale, weights, bias)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], L2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ beta))
        grad = z.T @ (w * (p - y)) + penalty * beta
        hess = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, beta[:-1], beta[-1]


def predict(params, x):
    mean, scale, weights, bias = params
    return 1 / (1 + np.exp(-(((x - mean) / scale) @ weights + bias)))


def f1(pred, gold):
    tp = int(np.sum(pred & gold))
    fp = int(np.sum(pred & ~gold))
    fn = int(np.sum(~pred & gold))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def set_weights(set_of: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Every training set weighs the same in the fit, whatever its size."""
    w = np.ones(len(y))
    names = np.unique(set_of)
    for name in names:
        mask = set_of == name
        w[mask] = len(y) / (len(names) * mask.sum())
    return w


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "quotetrack" / "grouping" / "judgement.json")
    args = ap.parse_args(argv)
    pairsets.require_pairs()

    sets = training_sets(args.seed)
    cache = pairsets.VectorCache()
    cache.fill([t for pairs in sets.values() for p in pairs for t in (p.a, p.b)])
    full_names = list(variants.pair_features("a b", "c d").keys())
    lexical_names = [n for n in full_names if not n.startswith("cosine")]

    xs, ys, set_of, all_rules = [], [], [], {}
    for name, pairs in sets.items():
        x, y, keep = featurise(pairs, cache, full_names)
        xs.append(x)
        ys.append(y)
        set_of += [name] * len(y)
        kept = set(keep)
        all_rules[name] = [(p, variants.cheap_judgement(p.a, p.b, cascade=False))
                           for i, p in enumerate(pairs) if i not in kept]
        print(f"{name}: {len(pairs)} pairs, {len(y)} for the model "
              f"({int(y.sum())} same), {len(pairs) - len(y)} decided by rules", file=sys.stderr)
    x = np.vstack(xs)
    y = np.concatenate(ys)
    set_of = np.array(set_of)
    w = set_weights(set_of, y)
    lex_idx = [full_names.index(n) for n in lexical_names]

    rng = np.random.default_rng(args.seed)
    fold = rng.integers(0, args.folds, len(y))
    oof = {"full": np.zeros(len(y)), "lexical": np.zeros(len(y))}
    for k in range(args.folds):
        tr, te = fold != k, fold == k
        oof["full"][te] = predict(fit(x[tr], y[tr], w[tr]), x[te])
        oof["lexical"][te] = predict(fit(x[tr][:, lex_idx], y[tr], w[tr]), x[te][:, lex_idx])

    out = {"trained": datetime.date.today().isoformat(),
           "training_sets": {n: len(p) for n, p in sets.items()}}
    gold_all = y.astype(bool)
    for kind, names, cols in (("full", full_names, slice(None)), ("lexical", lexical_names, lex_idx)):
        best = max(np.arange(0.2, 0.81, 0.01),
                   key=lambda t: np.mean([f1(oof[kind][set_of == s] >= t, gold_all[set_of == s]) for s in sets]))
        params = fit(x[:, cols], y, w)
        out[kind] = {"features": names, "mean": params[0].tolist(), "scale": params[1].tolist(),
                     "weights": params[2].tolist(), "bias": float(params[3]), "threshold": round(float(best), 2)}
        print(f"\n{kind} model, threshold {best:.2f}; {args.folds}-fold cross-validated, rules included:",
              file=sys.stderr)
        for s in sets:
            m = set_of == s
            pred = list(oof[kind][m] >= best) + [j.same for _, j in all_rules[s]]
            gold = list(gold_all[m]) + [p.same for p, _ in all_rules[s]]
            pred, gold = np.array(pred), np.array(gold)
            print(f"  {s:14s} accuracy {np.mean(pred == gold):.3f}  F1 {f1(pred, gold):.3f}", file=sys.stderr)
        for n, wt in sorted(zip(names, params[2]), key=lambda t: -abs(t[1])):
            print(f"    {n:18s} {wt:+.3f}", file=sys.stderr)

    # held-out check: pairs the fit never saw (STS-B train rows are all used; dev rows are not)
    check_pairs = [p for p in pairsets.stsb("dev", "es", "en")[:40:4]] + \
                  [p for p in pairsets.stsb("dev", "en", "en")[1:40:4]]
    cache.fill([t for p in check_pairs for t in (p.a, p.b)])
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    variants._model.cache_clear()
    out["heldout_check"] = [
        {"a": p.a, "b": p.b, "probability": round(variants.probability(
            variants.pair_features(p.a, p.b, cache.cosine(p.a, p.b))), 4)}
        for p in check_pairs if variants.cheap_judgement(p.a, p.b, cascade=False).stage == "candidate"]
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
