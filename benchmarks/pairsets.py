"""Labelled sentence pairs for the statement judgement, read from ``../shared/corpora/pairs``.

Every loader returns :class:`Pair` rows; the corpora are never copied into the project.

- MRPC (news paraphrases, GLUE tokenisation undone): ``mrpc("train")``;
- STS-B in six languages (rows aligned across languages): ``stsb(split, lang_a, lang_b)``
  gives sentence 1 in ``lang_a`` against sentence 2 in ``lang_b``, "same" = people's
  rating >= 4; ``translations(split, lang)`` gives each sentence against its own English
  original (all "same") and ``shuffled(split, lang)`` the same sentences against another
  row's English (all "different");
- ``allsides_dev()``: real quote pairs from AllSides judged by hand.

:class:`VectorCache` keeps the embedding of every sentence in ``benchmarks/results/``
(ignored by git) so the benchmark and the training script embed each text once.
"""
from __future__ import annotations

import csv
import json
import os
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("QUOTETRACK_SHARED", ROOT.parent / "shared"))
PAIRS = SHARED / "corpora" / "pairs"
RESULTS = ROOT / "benchmarks" / "results"
LANGS = ("en", "es", "de", "fr", "it", "pt")


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    same: bool
    lang_a: str = "en"
    lang_b: str = "en"
    score: float | None = None      # STS-B rating, where there is one


def require_pairs() -> None:
    if not PAIRS.is_dir():
        sys.exit(f"pairs corpora not found at {PAIRS} (set QUOTETRACK_SHARED)")


_DETOK = [
    (re.compile(r"\s*<QUOTE>\s*"), ' " '),
    (re.compile(r" (n't|'t|'s|'re|'ve|'ll|'d|'m)\b"), r"\1"),
    (re.compile(r"\$ (?=\d)"), "$"),
    (re.compile(r" ([.,;:!?%)\]])"), r"\1"),
    (re.compile(r"([(\[]) "), r"\1"),
    (re.compile(r"\s+"), " "),
]


def detokenise(text: str) -> str:
    """Undo GLUE's tokenisation ("Dominick 's" -> "Dominick's", "<QUOTE>" -> '"')."""
    for pattern, repl in _DETOK:
        text = pattern.sub(repl, text)
    text = re.sub(r'" ([^"]*?) "', r'"\1"', text)
    return text.strip()


def mrpc(split: str = "train") -> list[Pair]:
    path = PAIRS / "mrpc" / f"msr_paraphrase_{split}.txt"
    out = []
    with open(path, encoding="utf-8-sig") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 5:
                continue
            out.append(Pair(detokenise(cols[3]), detokenise(cols[4]), cols[0] == "1"))
    return out


def _stsb_rows(split: str, lang: str) -> list[tuple[str, str, float]]:
    with open(PAIRS / "stsb-multi-mt" / f"stsb-{lang}-{split}.csv", encoding="utf-8", newline="") as f:
        return [(r[0], r[1], float(r[2])) for r in csv.reader(f) if len(r) >= 3]


def stsb(split: str, lang_a: str = "en", lang_b: str = "en", threshold: float = 4.0) -> list[Pair]:
    """Sentence 1 in ``lang_a`` against sentence 2 in ``lang_b`` (the English rating)."""
    ra, rb, ren = _stsb_rows(split, lang_a), _stsb_rows(split, lang_b), _stsb_rows(split, "en")
    return [Pair(x[0], y[1], e[2] >= threshold, lang_a, lang_b, e[2]) for x, y, e in zip(ra, rb, ren)]


def translations(split: str, lang: str, min_words: int = 0) -> list[Pair]:
    """Each sentence (both columns) in ``lang`` against its English original."""
    rl, ren = _stsb_rows(split, lang), _stsb_rows(split, "en")
    out, seen = [], set()
    for x, e in zip(rl, ren):
        for i in (0, 1):
            if e[i] in seen or len(e[i].split()) < min_words:
                continue
            seen.add(e[i])
            out.append(Pair(x[i], e[i], True, lang, "en"))
    return out


def shuffled(split: str, lang: str, min_words: int = 0, seed: int = 0) -> list[Pair]:
    """Each translated sentence against the English of another row (a different statement)."""
    pos = translations(split, lang, min_words)
    english = [p.b for p in pos]
    rng = random.Random(seed)
    perm = list(range(len(english)))
    rng.shuffle(perm)
    out = []
    for i, p in enumerate(pos):
        j = perm[i] if perm[i] != i else (i + 1) % len(english)
        if english[j] != p.b:
            out.append(Pair(p.a, english[j], False, lang, "en"))
    return out


def allsides_dev() -> list[dict]:
    """The hand-judged AllSides pairs (rows with ``same`` null are kept; callers skip them)."""
    with open(PAIRS / "allsides-dev.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class VectorCache:
    """Sentence vectors of the embedding model, cached on disk by ``embeddings.text_hash``."""

    def __init__(self, name: str = "pairs"):
        import numpy as np
        from quotetrack.grouping import embeddings
        self.np = np
        self.embeddings = embeddings
        RESULTS.mkdir(parents=True, exist_ok=True)
        self.path = RESULTS / f"vectors-{name}.npz"
        self.vectors: dict[str, object] = {}
        if self.path.exists():
            data = np.load(self.path)
            self.vectors = dict(zip(data["keys"].tolist(), data["vectors"]))
        self.dirty = False

    def fill(self, texts, progress: bool = True, save_every: int = 2000) -> None:
        """Embed every text not yet cached (in batches; saved as it goes)."""
        from quotetrack.grouping.embeddings import text_hash, embed_text, get_model
        todo = {}
        for t in texts:
            h = text_hash(t)
            if h not in self.vectors:
                todo.setdefault(h, t)
        if not todo:
            return
        model = get_model()
        items = list(todo.items())
        done_since_save = 0
        for i in range(0, len(items), 64):
            batch = items[i:i + 64]
            matrix = model.passage([embed_text(t) or t for _, t in batch])
            for (h, _), v in zip(batch, matrix.reshape(len(batch), -1)):
                self.vectors[h] = self.np.asarray(v, dtype=self.np.float32)
            self.dirty = True
            done_since_save += len(batch)
            if progress:
                print(f"\r  embedded {min(i + 64, len(items))}/{len(items)}", end="", file=sys.stderr, flush=True)
            if done_since_save >= save_every:
                self.save()
                done_since_save = 0
        if progress:
            print(file=sys.stderr)
        self.save()

    def get(self, text: str):
        from quotetrack.grouping.embeddings import text_hash
        return self.vectors.get(text_hash(text))

    def cosine(self, a: str, b: str) -> float | None:
        va, vb = self.get(a), self.get(b)
        if va is None or vb is None:
            return None
        return float(va @ vb)

    def save(self) -> None:
        if not self.dirty:
            return
        keys = list(self.vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        self.np.savez(tmp, keys=self.np.array(keys), vectors=self.np.stack([self.vectors[k] for k in keys]))
        os.replace(tmp, self.path)
        self.dirty = False


def all_texts() -> list[str]:
    """Every sentence of every pair set the benchmark and the training script use."""
    texts: list[str] = []
    for split in ("dev", "train"):
        for lang in LANGS:
            for a, b, _ in _stsb_rows(split, lang):
                texts += [a, b]
    for p in mrpc("train"):
        texts += [p.a, p.b]
    for r in allsides_dev():
        texts += [r["a"], r["b"]]
    return texts


if __name__ == "__main__":
    # python benchmarks/pairsets.py: embed (and cache) every sentence of the pair sets
    require_pairs()
    cache = VectorCache()
    dev_first = []
    for lang in LANGS:
        for a, b, _ in _stsb_rows("dev", lang):
            dev_first += [a, b]
    for r in allsides_dev():
        dev_first += [r["a"], r["b"]]
    cache.fill(dev_first)
    cache.fill([t for p in mrpc("train") for t in (p.a, p.b)])
    cache.fill(all_texts())
    print(f"{len(cache.vectors)} vectors in {cache.path.relative_to(ROOT)}")
