"""The pages of the quotetrack Datasette site, without Datasette.

Everything here turns rows of a quotetrack database into what the pages show:
word-level differences between renderings of a statement, the per-outlet timeline
of a statement, an article's text with quotes and speaker mentions marked, a
speaker's quotes over time. The hooks and routes that serve these pages are in
:mod:`quotetrack.site.datasette_plugin`; the Jinja templates in ``templates/``.

Every piece of text from the database leaves this module escaped (``markupsafe``):
article and quote text is untrusted input (an article can contain ``<script>``).

Only the columns of the public schema are relied on (``statements(id, text,
speaker_id, first_reported, quote_count, article_count, outlet_count)``,
``quote_statements(quote_id, statement_id)``, ``quotes(..., statement_id, outlet,
published, article_id, start, end, speaker_id, speaker_mention, speaker_start,
speaker_end)``, ``speakers(id, name, kind)``, ``speaker_aliases(speaker_id,
alias, quote_count)``, ``articles(id, title, outlet, published, url, text,
author)``); optional columns (``quote_statements.text``, ``speakers.description``,
``quotes.cue``) are used when present.
"""
from __future__ import annotations

import datetime
import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from ..grouping.languages import guess_language
from ..grouping.verdicts import Verdict, rendering_verdict
from ..text import day

__all__ = [
    "word_diff",
    "render_diff",
    "same_words",
    "word_keys",
    "outlet_timeline",
    "TimelineEntry",
    "render_article",
    "Span",
    "quotes_over_time",
    "wordings",
    "Wording",
    "quoted_as",
    "safe_url",
    "day",
]

# ---------------------------------------------------------------------------
# word-level differences

_WORD = re.compile(r"\S+")
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."})


@functools.lru_cache(maxsize=65_536)
def _token_key(token: str) -> str:
    """What a word is compared by: case, accents, curly quotes and surrounding
    punctuation do not count as differences ("Decisively," = "decisively")."""
    t = unicodedata.normalize("NFKD", token.translate(_QUOTES))
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    stripped = _EDGE_PUNCT.sub("", t)
    return stripped or t


def word_diff(base: str, other: str) -> list[tuple[str, str]]:
    """Word-level differences that turn ``base`` into ``other``, as runs of
    ``("equal" | "insert" | "delete", words)``; equal runs carry ``other``'s words.

    >>> word_diff("We will act decisively", "We will act vigorously")
    [('equal', 'We will act'), ('delete', 'decisively'), ('insert', 'vigorously')]
    """
    a = _WORD.findall(base or "")
    b = _WORD.findall(other or "")
    matcher = difflib.SequenceMatcher(None, [_token_key(t) for t in a], [_token_key(t) for t in b],
                                      autojunk=False)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("equal", " ".join(b[j1:j2])))
        else:
            if i2 > i1:
                runs.append(("delete", " ".join(a[i1:i2])))
            if j2 > j1:
                runs.append(("insert", " ".join(b[j1:j2])))
    return runs


def render_diff(base: str, other: str, *, deletions: bool = True) -> Markup:
    """``other`` as HTML, with the words that differ from ``base`` in
    ``<ins class="qt-ins">`` and (with ``deletions``) the words of ``base`` it
    lacks in ``<del class="qt-del">``. Every word is escaped."""
    parts = []
    for op, words in word_diff(base, other):
        if op == "equal":
            parts.append(escape(words))
        elif op == "insert":
            parts.append(Markup('<ins class="qt-ins">{}</ins>').format(words))
        elif deletions:
            parts.append(Markup('<del class="qt-del" title="not in this rendering">{}</del>').format(words))
    return Markup(" ").join(parts)


def word_keys(text: str) -> tuple[str, ...]:
    """The words of ``text`` as they are compared (case, accents and punctuation
    dropped): two texts have the same words when their keys are equal, so renderings
    can be grouped by their keys (one pass, not every pair)."""
    return tuple(_token_key(t) for t in _WORD.findall(text or ""))


def same_words(a: str, b: str) -> bool:
    """Do two texts have the same words (ignoring case, accents and punctuation)?"""
    return word_keys(a) == word_keys(b)


@dataclass
class Wording:
    """One distinct wording of a statement and every rendering that has these words."""

    text: str
    keys: tuple[str, ...]
    language: str
    variants: list[dict]
    label: str = "reworded"            # same words | truncation | reworded | translation
    method: str | None = None          # how the best-matched rendering was linked
    score: float | None = None
    compared_with: str | None = None   # "canonical" | "closest" | "base" | None (nothing to compare with)
    diff: Markup = Markup("")
    verdict: Verdict | None = None     # against the statement's original sentence, when there is one


def _contained(short: tuple, long: tuple) -> bool:
    """Are the words ``short`` a run of the words ``long``?"""
    n = len(short)
    return 0 < n < len(long) and any(long[i:i + n] == short for i in range(len(long) - n + 1))


def _similarity(a: tuple, b: tuple) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def wordings(variants: list[dict], canonical: str, base_text: str | None = None,
             language=None) -> list[Wording]:
    """The renderings of a statement grouped by their words (``variants``: dicts with
    ``compared`` (the sentence that renders the statement), ``method`` and ``score``),
    oldest first, each labelled against the canonical text: "same words", "truncation"
    (a run of its words, or of a longer wording's), "translation" (another language) or
    "reworded"; its differences are shown against ``base_text`` if given, else the
    canonical text when in the same language, else the closest wording in its own
    language (a translation highlighted against another language is all difference).
    ``language(text)`` guesses a language (default: the statement guards')."""
    language = language or guess_language
    groups: dict[tuple, Wording] = {}
    for v in variants:
        keys = word_keys(v["compared"])
        group = groups.get(keys)
        if group is None:
            group = groups[keys] = Wording(v["compared"], keys, language(v["compared"]), [])
        group.variants.append(v)
    for group in groups.values():
        # how the wording joined the statement: its first rendering not linked as an
        # exact copy of an earlier one
        joined = min((v for v in group.variants if v.get("method") != "exact"), default=group.variants[0],
                     key=lambda v: v["quote_id"])
        group.method, group.score = joined.get("method"), joined.get("score")
    canon_keys, canon_lang = word_keys(canonical), language(canonical)
    found = list(groups.values())
    for w in found:
        if w.keys == canon_keys:
            w.label = "same words"
        elif w.language != canon_lang:
            w.label = "translation"
        elif _contained(w.keys, canon_keys) or any(_contained(w.keys, o.keys) for o in found if o.language == w.language):
            w.label = "truncation"
        if base_text is not None:
            w.compared_with, base = "base", base_text
        elif w.language == canon_lang:
            w.compared_with, base = "canonical", canonical
        else:
            same_language = [o for o in found if o is not w and o.language == w.language]
            closest = max(same_language, key=lambda o: _similarity(w.keys, o.keys), default=None)
            w.compared_with, base = ("closest", closest.text) if closest else (None, None)
        w.diff = render_diff(base, w.text) if base is not None else Markup(escape(w.text))
    return found


def verdict(original: str, rendering: str, lang: str | None) -> Verdict:
    """How faithfully ``rendering`` renders the ``original`` sentence (faithful, partial,
    loose, with what it adds or drops): :func:`quotetrack.grouping.verdicts.rendering_verdict`."""
    return rendering_verdict(original, rendering, lang)


#: how many of a speaker's mentions are listed (the rest are counted together)
MENTIONS_LISTED = 40


def quoted_as(counts: list[dict]) -> dict:
    """A speaker's mentions (rows of ``mention``, ``n``: quotes per mention as written)
    folded for case and quote-mark style ("the statement" = "The statement", "Cuba's" =
    "Cuba’s"), each under its most used form, commonest first; the quotes without a
    mention beside them counted apart, and beyond :data:`MENTIONS_LISTED` the rest
    counted together, so the counts add up to the speaker's quotes."""
    folded: dict[str, dict] = {}
    unnamed = 0
    for row in counts:
        mention, n = row["mention"], row["n"]
        if not mention or not mention.strip():
            unnamed += n
            continue
        key = " ".join(mention.translate(_QUOTES).casefold().split())
        entry = folded.setdefault(key, {"forms": {}, "n": 0})
        entry["forms"][mention] = entry["forms"].get(mention, 0) + n
        entry["n"] += n
    listed = sorted(({"mention": max(e["forms"], key=lambda f: (e["forms"][f], f)), "n": e["n"],
                      "forms": len(e["forms"])} for e in folded.values()), key=lambda m: (-m["n"], m["mention"]))
    rest = listed[MENTIONS_LISTED:]
    return {"listed": listed[:MENTIONS_LISTED], "unnamed": unnamed, "others": len(rest),
            "others_quotes": sum(m["n"] for m in rest), "total": unnamed + sum(m["n"] for m in listed)}


# ---------------------------------------------------------------------------
# dates and timelines


@dataclass
class TimelineEntry:
    """One outlet (or, when the outlet is unknown, one article) in a statement's timeline."""

    label: str
    outlet_known: bool
    first: datetime.date | None
    quote_ids: list = field(default_factory=list)
    article_id: int | None = None       # the article that carried it first
    article_title: str | None = None
    position: float | None = None       # 0-100: where ``first`` falls between the earliest and latest date


def outlet_timeline(variants: list[dict]) -> tuple[list[TimelineEntry], datetime.date | None, datetime.date | None]:
    """When each outlet first carried a statement. ``variants`` are dicts with
    ``quote_id``, ``outlet``, ``published``, ``article_id`` and ``article_title``.
    Articles without an outlet are entries of their own. Returns the entries
    (dated ones by first date, then undated) and the earliest and latest dates."""
    entries: dict[str, TimelineEntry] = {}
    for v in variants:
        outlet = (v.get("outlet") or "").strip()
        key = f"outlet:{outlet.casefold()}" if outlet else f"article:{v['article_id']}"
        label = outlet or v.get("article_title") or f"Article {v['article_id']}"
        d = day(v.get("published"))
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = TimelineEntry(label=label, outlet_known=bool(outlet), first=d,
                                                 article_id=v["article_id"], article_title=v.get("article_title"))
        elif d is not None and (entry.first is None or d < entry.first):
            entry.first, entry.article_id, entry.article_title = d, v["article_id"], v.get("article_title")
        entry.quote_ids.append(v["quote_id"])
    dated = sorted((e for e in entries.values() if e.first), key=lambda e: (e.first, e.label.casefold()))
    undated = sorted((e for e in entries.values() if not e.first), key=lambda e: e.label.casefold())
    lo = dated[0].first if dated else None
    hi = dated[-1].first if dated else None
    span = (hi - lo).days if dated else 0
    for e in dated:
        e.position = 100.0 * (e.first - lo).days / span if span else 0.0
    return dated + undated, lo, hi


def quotes_over_time(quotes: list[dict], day_counts: list[tuple] | None = None) -> list[dict]:
    """A speaker's quotes by day: ``[{"day": date|None, "quotes": [...], "count": n,
    "width": 0-100}]``, oldest first and undated last; ``width`` is the day's count
    relative to the busiest day.

    ``day_counts`` (``[(published, n), ...]``, several dates may fall on one day) gives
    the number of quotes per day when ``quotes`` holds only some of them (a speaker
    quoted thousands of times: every day gets its bar and count, the quotes listed are
    the ones given); without it the days and counts come from ``quotes``."""
    by_day: dict = {}
    for q in quotes:
        by_day.setdefault(day(q.get("published")), []).append(q)
    counts: dict = {}
    if day_counts is None:
        counts = {d: len(v) for d, v in by_day.items()}
    else:
        for published, n in day_counts:
            d = day(published)
            counts[d] = counts.get(d, 0) + n
        for d, v in by_day.items():          # never fewer than the quotes listed
            counts[d] = max(counts.get(d, 0), len(v))
    most = max(counts.values(), default=1)
    days = sorted(d for d in counts if d) + ([None] if None in counts else [])
    return [{"day": d, "quotes": by_day.get(d, []), "count": counts[d], "width": round(100.0 * counts[d] / most, 1)}
            for d in days]


# ---------------------------------------------------------------------------
# articles with quotes marked


@dataclass
class Span:
    start: int
    end: int
    kind: str                 # "quote" (the quote of the page), "speaker", "other" (another quote of the article)
    href: str | None = None
    title: str | None = None


def render_article(text: str, spans: list[Span]) -> Markup:
    """The article ``text`` as HTML (for a ``white-space: pre-wrap`` block): the
    ``quote`` span in ``<mark class="qt-quote">`` (the first piece with ``id="quote"``),
    ``speaker`` spans with the class ``qt-speaker``, ``other`` spans as links with
    the class ``qt-other``. Overlapping spans are split into pieces; spans with
    offsets outside the text are ignored. Everything is escaped."""
    text = text or ""
    spans = [s for s in spans if s.start is not None and s.end is not None and 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out = []
    anchored = False
    for a, b in zip(cuts, cuts[1:]):
        piece = text[a:b]
        active = [s for s in spans if s.start <= a and b <= s.end]
        if not active:
            out.append(escape(piece))
            continue
        kinds = {s.kind for s in active}
        classes = []
        attrs = Markup("")
        if "quote" in kinds:
            tag = "mark"
            classes.append("qt-quote")
            if not anchored:
                attrs += Markup(' id="quote"')
                anchored = True
        elif "other" in kinds:
            other = next(s for s in active if s.kind == "other")
            tag = "a" if other.href else "span"
            classes.append("qt-other")
            if other.href:
                attrs += Markup(' href="{}"').format(other.href)
            if other.title:
                attrs += Markup(' title="{}"').format(other.title)
        else:
            tag = "span"
        if "speaker" in kinds:
            classes.append("qt-speaker")
            speaker = next(s for s in active if s.kind == "speaker")
            if speaker.title and tag == "span":
                attrs += Markup(' title="{}"').format(speaker.title)
        out.append(Markup('<{tag} class="{classes}"{attrs}>{piece}</{tag}>').format(
            tag=Markup(tag), classes=" ".join(classes), attrs=attrs, piece=piece))
    return Markup("").join(out)


def safe_url(url) -> str | None:
    """``url`` if it is an http(s) URL (so it can be a link), else None: no
    ``javascript:`` or ``data:`` links from ingested metadata."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None
