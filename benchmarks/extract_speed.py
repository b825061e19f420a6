"""Extraction speed on PolNeAR text: words per second of the one-process driver
(``extract_articles``) with the spaCy model loaded beforehand, so start-up is not counted.

    python benchmarks/extract_speed.py [--split dev|train] [--repeat N]

Words are whitespace tokens of the article files. To compare with an older commit, run
this script with ``PYTHONPATH`` set to a worktree of that commit (it imports the older,
flat module layout too).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

try:
    from quotetrack.extract.quotes import split_paragraphs
    from quotetrack.records import Article
except ImportError:      # the flat layout before the packages
    from quotetrack.quotes import split_paragraphs
    from quotetrack.sources import Article
from quotetrack.pipeline import extract_articles, load_nlp


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["dev", "train"], default="dev")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    root = Path(os.environ.get("QUOTETRACK_SHARED", REPO.parent / "shared")) / "corpora" / "polnear" / a.split / "text"
    files = sorted(root.glob("*.txt"))
    if not files:
        print(f"{root}: PolNeAR not found (set QUOTETRACK_SHARED to the folder holding corpora/)")
        sys.exit(0)
    texts = [f.read_text(encoding="utf-8") for f in files]
    words = sum(len(t.split()) for t in texts)
    nlp = load_nlp()

    def articles():
        return [Article(path=str(f), text=t, paragraphs=split_paragraphs(t)) for f, t in zip(files, texts)]

    list(extract_articles(articles()[:5], nlp))      # warm-up
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        n = sum(len(q) for _, q in extract_articles(articles(), nlp))
        s = time.perf_counter() - t0
        print(f"polnear-{a.split}: {len(files)} articles, {words:,} words, {s:.2f} s = {words / s:,.0f} words/s "
              f"({n} quoted strings)")


if __name__ == "__main__":
    main()
