"""How faithfully a quote renders the sentence of an original it was linked to
(:mod:`quotetrack.grouping.originals`): what a translation must keep - numbers, negation,
names - compared in each side's own language, and how much of the sentence it covers.
Lexical only (no embeddings), so the site can say it for every rendering it shows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import languages

__all__ = ["Verdict", "rendering_verdict", "PARTIAL_COVERAGE"]

#: a rendering covering less than this share of its sentence's words is partial
PARTIAL_COVERAGE = 0.6


@dataclass(frozen=True)
class Verdict:
    """How a quote renders its original sentence: ``kind`` is ``faithful``, ``partial``
    or ``loose``; ``notes`` what it adds or drops ("drops the number 200")."""
    kind: str
    notes: tuple[str, ...] = ()


def rendering_verdict(original: str, rendering: str, original_lang: str | None = None) -> Verdict:
    """Compare a rendering with its original sentence on what a translation must keep:
    numbers, negation and names (in each side's own language), and how much of the
    sentence it covers (its words against the sentence's; an ellipsis marks a cut). Loose when it changes a
    number or the negation, or puts one name for another; partial when it covers less
    than ``PARTIAL_COVERAGE`` of the sentence; faithful otherwise."""
    lo = original_lang or languages.guess_language(original)
    lr = languages.guess_language(rendering)
    notes = []
    no, nr = languages.numbers(original, lo), languages.numbers(rendering, lr)
    covered = len(languages.words(rendering)) / max(1, len(languages.words(original)))
    partial = covered < PARTIAL_COVERAGE or bool(_ELLIPSIS.search(rendering))
    for n in sorted(nr - no):
        notes.append(f"adds the number {n}")
    if not partial:
        for n in sorted(no - nr):
            notes.append(f"drops the number {n}")
    nego, negr = languages.negated(original, lo), languages.negated(rendering, lr)
    if negr and not nego:
        notes.append("adds a negation")
    if nego and not negr and not partial:
        notes.append("drops the negation")
    # a name is missing from the other side when no word there folds to it ("Cuban" /
    # "cubanos": Spanish writes nationalities in lower case)
    names_o, names_r = _names(original, lo), _names(rendering, lr)
    words_o = {languages.name_key(w) for w in languages.words(original)}
    words_r = {languages.name_key(w) for w in languages.words(rendering)}
    added = sorted(names_r[k] for k in names_r.keys() - words_o)
    dropped = sorted(names_o[k] for k in names_o.keys() - words_r)
    notes += [f"adds the name {n}" for n in added]
    if not partial:
        notes += [f"drops the name {n}" for n in dropped]
    changed = bool((nr - no) or (not partial and no - nr) or (negr != nego and (negr or not partial))
                   or (added and dropped and not partial))
    kind = "loose" if changed else "partial" if partial else "faithful"
    return Verdict(kind, tuple(notes))


_ELLIPSIS = re.compile(r"\u2026|\.\s?\.\s?\.|\[\s*\.\.\.\s*\]")
_NAME = re.compile(r"(?<![\w'\u2019-])([A-Z\u00c0-\u00de][\w'\u2019-]+)")


def _names(text: str, lang: str) -> dict[str, str]:
    """Name key -> the name as written, for the names :func:`languages.names` finds."""
    keys = languages.names(text, lang)
    out = {}
    for m in _NAME.finditer(text):
        k = languages.name_key(m.group(1))
        if k in keys and k not in out:
            out[k] = m.group(1)
    return out
