"""Decide whether two quotations render the same underlying statement.

``same_statement(a, b)`` is the pairwise judgement behind statement grouping
(``quotetrack.statements``). This is the lexical stage: it catches identical
quotes that differ only in typography, truncations ("...we will act decisively"
quoted from a longer sentence, with or without ellipses) and light rewording.

It deliberately does *not* catch translation variants ("act decisively" / "act
energetically"); a multilingual sentence-embedding stage (e.g. multilingual-e5)
will be added later on top of it. Whatever that stage says, the guards below
stay: embeddings confuse "plays no role" with "plays a role" and "200 people"
with "17 people", so a difference in negation or in numbers always separates
two quotes.
"""
from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["normalise", "same_statement", "tokens", "MIN_CONTAINED_WORDS", "MIN_OVERLAP_WORDS", "JACCARD_THRESHOLD"]

#: a truncation must keep at least this many words to be linked to the fuller quote
MIN_CONTAINED_WORDS = 5
#: both sides need at least this many words before token overlap counts
MIN_OVERLAP_WORDS = 6
#: Jaccard similarity of content words above which two quotes are the same statement
JACCARD_THRESHOLD = 0.8

NEGATIONS = frozenset(
    "no not never none nobody nothing neither nor without nowhere cannot".split()
)

_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORDS.update(
    {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
     "eighty": "80", "ninety": "90", "hundred": "100", "thousand": "1000",
     "million": "1000000", "billion": "1000000000", "dozen": "12"}
)

# Function words ignored by the overlap measure (negations are *not* here: they
# are handled by the guard).
_STOPWORDS = frozenset(
    """a an the and or but if then so as of at by for from in into on onto to with
    about over under this that these those it its it's is are was were be been being
    am do does did doing have has had having will would shall should can could may
    might must i me my we us our you your he him his she her they them their there
    here which who whom whose what when where why how all any both each few more most
    other some such only own same than too very just also s t""".split()
)

_QUOTE_CHARS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u00b4": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
}
_QUOTE_TABLE = str.maketrans(_QUOTE_CHARS)
_ELLIPSIS = re.compile(r"\u2026|\.\s*\.\s*\.|\[\s*(?:\.\s*){3}\]|\(\s*(?:\.\s*){3}\)")
_THOUSANDS = re.compile(r"(?<=\d)[,\u00a0\u202f](?=\d{3}\b)")
_DECIMAL = re.compile(r"(?<=\d)[.,](?=\d)")
_NON_WORD = re.compile(r"[^\w\s']+")
_STRAY_APOSTROPHE = re.compile(r"(?<!\w)'|'(?!\w)")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^\d+(?:_\d+)?$")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Normalise a quotation for comparison.

    Folds curly/straight quotes and apostrophes, drops ellipses ("…", "...",
    "[...]"), case (casefold), accents, punctuation and extra whitespace. Digit
    groups are kept together ("1,000" -> "1000", "3.5" -> "3_5") so numbers can be
    compared. Apostrophes inside words survive ("don't"), so negations stay visible.
    """
    if not text:
        return ""
    t = text.translate(_QUOTE_TABLE)
    t = _ELLIPSIS.sub(" ", t)
    t = _THOUSANDS.sub("", t)
    t = _DECIMAL.sub("_", t)
    t = _strip_accents(t).casefold()
    t = _NON_WORD.sub(" ", t)
    t = _STRAY_APOSTROPHE.sub(" ", t)
    return _SPACES.sub(" ", t).strip()


def tokens(text: str) -> list[str]:
    """The words of ``normalise(text)``."""
    n = normalise(text)
    return n.split() if n else []


def _is_negation(token: str) -> bool:
    return token in NEGATIONS or token.endswith("n't")


def _has_negation(toks) -> bool:
    return any(_is_negation(t) for t in toks)


def _numbers(toks) -> frozenset[str]:
    out = set()
    for t in toks:
        if _NUMBER.match(t):
            out.add(t.lstrip("0") or "0")
        elif t in _NUMBER_WORDS:
            out.add(_NUMBER_WORDS[t])
    return frozenset(out)


def _content(toks) -> set[str]:
    return {t for t in toks if t not in _STOPWORDS and not _is_negation(t)}


def _segments(text: str) -> list[list[str]]:
    """Word lists of the pieces of a quote split at ellipses ("A … B")."""
    pieces = _ELLIPSIS.split(text.translate(_QUOTE_TABLE))
    return [tokens(p) for p in pieces if tokens(p)]


def _find(hay: list[str], needle: list[str], start: int) -> int:
    n = len(needle)
    for i in range(start, len(hay) - n + 1):
        if hay[i:i + n] == needle:
            return i
    return -1


def _contained(short_text: str, long_toks: list[str]) -> bool:
    """Is ``short_text`` a truncation of the quote whose words are ``long_toks``?

    Every ellipsis-separated piece of the shorter quote must occur, in order and at
    word boundaries, in the longer one, and together they must keep at least
    ``MIN_CONTAINED_WORDS`` words. A negation immediately before the first piece
    ("... does *not* [plays a role]") makes it a different statement.
    """
    segs = _segments(short_text)
    if sum(len(s) for s in segs) < MIN_CONTAINED_WORDS:
        return False
    pos = 0
    first = None
    for seg in segs:
        i = _find(long_toks, seg, pos)
        if i < 0:
            return False
        if first is None:
            first = i
        pos = i + len(seg)
    before = long_toks[max(0, first - 2):first]
    return not _has_negation(before)


def same_statement(a: str, b: str) -> bool:
    """Do quotations ``a`` and ``b`` render the same statement?

    True when, after :func:`normalise`:

    - they are equal; or
    - the shorter (>= 5 words, ellipses allowed) is contained in the longer: a
      truncation; or
    - both have >= 6 words and the Jaccard similarity of their content words is
      >= 0.8 (light rewording).

    Guards, checked first for the non-identical cases: if one side is negated
    ("no", "not", "never", "n't", "none", "nobody", "nothing", "neither", "nor",
    "without", ...) and the other is not, or the numbers they mention differ,
    they are different statements. For truncations the guard looks at the
    shorter quote's own words (it is part of the longer one verbatim) plus a
    negation right before it in the longer quote.

    Lexical only: translation variants need the multilingual-embedding stage
    that comes later.
    """
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    short, long_, short_toks, long_toks = (a, b, ta, tb) if len(ta) <= len(tb) else (b, a, tb, ta)

    if _contained(short, long_toks):
        return True

    # Guards for everything that is not verbatim.
    if _has_negation(ta) != _has_negation(tb):
        return False
    if _numbers(ta) != _numbers(tb):
        return False

    if len(ta) >= MIN_OVERLAP_WORDS and len(tb) >= MIN_OVERLAP_WORDS:
        ca, cb = _content(ta), _content(tb)
        if ca and cb:
            jaccard = len(ca & cb) / len(ca | cb)
            if jaccard >= JACCARD_THRESHOLD:
                return True
    return False
