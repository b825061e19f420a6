"""Decide whether two quotations render the same underlying statement.

``same_statement(a, b)`` is the pairwise judgement behind statement grouping
(``quotetrack.grouping.statements``); ``judge(a, b)`` gives the :class:`Judgement` with the
probability and what decided. In order:

1. normalisation: quote marks, ellipses, case, accents and punctuation folded
   (:func:`normalise`); equal normalised texts are the same statement;
2. containment: the shorter quote (5+ words, ellipses allowed) occurs verbatim in
   the longer one - a truncation or a fragment of the fuller quote;
3. hard guards, each kept because the labelled pairs show it right: a negation in one
   and not the other (same language), numbers that conflict (each names one the other
   does not; in any of the six languages, digits or words), in English opposite words
   ("support" / "oppose") or the same words with roles swapped;
4. a logistic model calibrated on labelled pairs (``scripts/train_judgement.py``, the
   parameters in ``judgement.json``): the multilingual-e5-small cosine (see
   :mod:`quotetrack.grouping.embeddings`), word, stem and character overlap, lengths, whether
   the two are in different languages, and agreement of negations, numbers and names
   (:mod:`quotetrack.grouping.languages`). Without the embedding model (not installed, or
   ``QUOTETRACK_EMBEDDINGS=0``) a second model fitted without the cosine decides;
5. across languages, when one side is much longer, the same model on each run of the
   longer one's clauses (:func:`quotetrack.grouping.languages.clause_windows`): an outlet
   that translated part of a long sentence rendered that part (stage ``partial``).
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from . import languages
from .embeddings import Embedder
from ..text import ELLIPSIS, QUOTE_TABLE, normalise, tokens

__all__ = ["normalise", "same_statement", "judge", "Judgement", "tokens", "split_units", "pair_features",
           "probability", "threshold", "cheap_judgement", "embedding_judgement",
           "MIN_CONTAINED_WORDS", "MIN_OVERLAP_WORDS", "JACCARD_THRESHOLD", "MIN_EMBED_WORDS"]

#: a truncation must keep at least this many words to be linked to the fuller quote
MIN_CONTAINED_WORDS = 5
#: both sides need at least this many words before token overlap counts
MIN_OVERLAP_WORDS = 6
#: the statement term index offers members whose content words reach this Jaccard similarity (prefix filtering)
JACCARD_THRESHOLD = 0.8
#: statement grouping compares sentences of at least this many words (beyond identical ones)
MIN_EMBED_WORDS = 5
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

# the normalisation of quotations is shared with the site and the store (quotetrack.text)
_QUOTE_TABLE = QUOTE_TABLE
_ELLIPSIS = ELLIPSIS
_NUMBER = re.compile(r"^\d+(?:_\d+)?$")


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


_EDITORIAL = re.compile(r"\[[^\[\]]{1,40}\]")


def _segments(text: str) -> list[list[str]]:
    """Word lists of the pieces of a quote split at ellipses ("A … B") and at words an
    editor put in brackets ("why it would be [Russia]"): the speaker did not say those."""
    pieces = _ELLIPSIS.split(_EDITORIAL.sub(" ... ", text.translate(_QUOTE_TABLE)))
    return [tokens(p) for p in pieces if tokens(p)]


def _find(hay: list[str], needle: list[str], start: int) -> int:
    n = len(needle)
    for i in range(start, len(hay) - n + 1):
        if hay[i:i + n] == needle:
            return i
    return -1


def _contained(short_text: str, long_toks: list[str], min_words: int = MIN_CONTAINED_WORDS) -> bool:
    """Is ``short_text`` a truncation of the quote whose words are ``long_toks``?

    Every ellipsis-separated piece of the shorter quote must occur, in order and at
    word boundaries, in the longer one, and together they must keep at least
    ``min_words`` words. A negation immediately before the first piece
    ("... does *not* [plays a role]") makes it a different statement.
    """
    segs = _segments(short_text)
    if sum(len(s) for s in segs) < min_words:
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
    folded = languages.fold(word).replace("\u2019", "'")
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
# the judgement


@dataclass(frozen=True)
class Judgement:
    """The outcome of comparing two quotes.

    - ``same``: do they render one statement?
    - ``stage``: what decided: ``exact`` (equal after :func:`normalise`), ``contained``
      (a truncation), ``embedding`` (the calibrated model, with the sentence
      embeddings), ``lexical`` (the calibrated model without embeddings: no model
      installed), ``negation`` / ``numbers`` / ``swapped`` / ``antonym`` (a guard
      separated them), ``partial`` (across languages, the model on a run of clauses of
      the longer side), ``empty``, ``different`` (the model said no), or
      ``candidate`` (:func:`cheap_judgement` only: the model needs the embeddings).
      In one language, ``lexical`` and ``different`` may come from the lexical model
      alone where it is sure (``LEXICAL_SURE``, ``LEXICAL_UNLIKELY``).
    - ``score``: the calibrated probability that they are the same statement (1.0
      for exact and contained; None where a guard decided).
    - ``cosine``: the embedding cosine, where one was computed.
    - ``lang_a``, ``lang_b``: the languages the two are written in.
    - ``features``: what the model saw, as ``(name, value)`` pairs.
    """
    same: bool
    stage: str
    score: float | None = None
    cosine: float | None = None
    lang_a: str = "en"
    lang_b: str = "en"
    features: tuple = ()

    @property
    def kind(self) -> str | None:
        """How one renders the other, for people: ``same words``, ``truncation``,
        ``translation``, ``reworded``, or None when they are not the same statement."""
        if not self.same:
            return None
        if self.stage == "exact":
            return "same words"
        if self.stage == "contained":
            return "truncation"
        if self.stage == "partial":
            return "partial translation"
        return "translation" if self.lang_a != self.lang_b else "reworded"


@functools.lru_cache(maxsize=1)
def _model() -> dict:
    """The fitted parameters shipped in the package (``judgement.json``, written by
    ``scripts/train_judgement.py``)."""
    import json
    from importlib import resources
    return json.loads(resources.files(__package__).joinpath("judgement.json").read_text("utf-8"))


@functools.lru_cache(maxsize=4096)
def _side(text: str) -> tuple:
    """What the features need of one quote: language, words, content words (exact and
    cut to five letters), character trigrams, negation, numbers, names."""
    lang = languages.guess_language(text)
    ws = [languages.fold(w) for w in languages.words(text)]
    stop = {languages.fold(w) for w in languages.stopwords(lang) | languages.STOPWORDS["en"]}
    neg = {languages.fold(w) for w in languages.NEGATIONS.get(lang, ())}
    content = frozenset(w for w in ws if w not in stop and w not in neg and not w[0].isdigit())
    stems = frozenset(w[:5] for w in content)
    joined = " ".join(sorted(content))
    grams = frozenset(joined[i:i + 3] for i in range(max(0, len(joined) - 2)))
    return (lang, len(ws), content, stems, grams, languages.negated(text, lang),
            languages.numbers(text, lang), frozenset(languages.names(text, lang)))


def _jaccard(x: frozenset, y: frozenset) -> float:
    return len(x & y) / len(x | y) if x and y else 0.0


def _excess(x: frozenset, y: frozenset) -> float:
    """The part of ``x`` that ``y`` does not hold."""
    return len(x - y) / len(x) if x else 0.0


def pair_features(a: str, b: str, cosine: float | None = None) -> dict[str, float]:
    """The model's features for quotes ``a`` and ``b`` (symmetric); without a cosine
    its features are 0 (the lexical model does not read them)."""
    la, na, ca, sa, ga, nega, numa, namesa = _side(a)
    lb, nb, cb, sb, gb, negb, numb, namesb = _side(b)
    short, long_ = sorted((max(na, 1), max(nb, 1)))
    shared = len(sa & sb)
    exclusive_names = min(len(namesa - namesb), len(namesb - namesa))
    # across languages, which language the other side is in: the embedding model brings
    # some closer to English than others (Portuguese translations score lower)
    other = (la if la != "en" else lb) if la != lb else None
    lexical = {
        **{f"cross_{lang}": float(other == lang) for lang in _FOREIGN},
        "cross_language": float(la != lb),
        "jaccard": _jaccard(ca, cb),
        "stem_jaccard": _jaccard(sa, sb),
        "stem_cover": shared / min(len(sa), len(sb)) if sa and sb else 0.0,
        "stem_excess": max(_excess(sa, sb), _excess(sb, sa)),
        "trigram_jaccard": _jaccard(ga, gb),
        "log_length_ratio": math.log(long_ / short),
        "log_short": math.log(short),
        "negation_differs": float(nega != negb),
        "numbers_differ": float(numa != numb),
        "swapped": float(la == lb == "en" and _swapped(tokens(a), tokens(b), a, b)),
        "numbers_agree": float(bool(numa) and numa == numb),
        "names_exclusive": float(min(exclusive_names, 3)),
        "names_missing": float(min(len(namesa ^ namesb), 4)),
        "names_shared": float(min(len(namesa & namesb), 3)),
    }
    return with_cosine(lexical, 0.0 if cosine is None else float(cosine))


_FOREIGN = ("es", "pt", "fr", "it", "de")


def with_cosine(features: dict[str, float], cosine: float) -> dict[str, float]:
    """``features`` (of :func:`pair_features`) with the cosine's features for ``cosine``."""
    cross = features["cross_language"]
    # the cosine stretched near 1, where the decision lies (0.90 -> 2.3, 0.95 -> 3.0)
    stretched = -math.log(max(1e-3, 1.0 - cosine))
    return {**features, "cosine": cosine, "cosine_sq": cosine * cosine, "cosine_cross": cosine * cross,
            "cosine_log": stretched, "cosine_log_cross": stretched * cross,
            **{f"cosine_log_{lang}": stretched * features[f"cross_{lang}"] for lang in _FOREIGN}}


def probability(features: dict[str, float], *, with_embeddings: bool = True) -> float:
    """The calibrated probability that a pair with these features is one statement
    (the ``full`` model, or the ``lexical`` one fitted without the embedding features)."""
    params = _model()["full" if with_embeddings else "lexical"]
    z = params["bias"]
    for name, w, mean, scale in zip(params["features"], params["weights"], params["mean"], params["scale"]):
        z += w * (features[name] - mean) / scale
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def threshold(*, with_embeddings: bool = True) -> float:
    """The probability from which a pair is judged the same statement."""
    return _model()["full" if with_embeddings else "lexical"]["threshold"]


def _guards(a: str, b: str, ta: list[str], tb: list[str], la: str, lb: str, sa: tuple, sb: tuple) -> str | None:
    """The hard guards, each kept where the training pairs show it right: the guard
    that separates two quotes, or None.

    - ``negation``: one negates, the other does not, in one language (across
      languages negation is said in too many ways: a model feature there);
    - ``numbers``: each names a number the other does not ("200" / "17"); a number
      only one of them gives is a detail left out, a model feature;
    - ``antonym``: in English, one uses a word where the other has its opposite;
    - ``swapped``: in English, the same words with two roles swapped.
    """
    if la == lb and sa[5] != sb[5]:
        return "negation"
    if sa[6] - sb[6] and sb[6] - sa[6]:
        return "numbers"
    if la == lb == "en":
        if _antonym_clash(ta, tb):
            return "antonym"
        # the same words with the roles swapped ("Russia attacked Ukraine" / "Ukraine
        # attacked Russia"); a swap among other rewording is a model feature (news
        # paraphrases reorder clauses that _swapped cannot tell from roles)
        ca, cb = _content(ta), _content(tb)
        if ca and len(ca & cb) >= 0.8 * len(ca | cb) and _swapped(ta, tb, a, b):
            return "swapped"
    return None


#: in one language, the lexical model's probability from which a pair is the same
#: statement without computing embeddings, and below which it is not (on the labelled
#: dev pairs the full model agrees with both on more than 99% of pairs; see
#: ``benchmarks/statement_pairs.py``): most candidate pairs of a corpus need no vectors
LEXICAL_SURE = 0.9
LEXICAL_UNLIKELY = 0.05


def cheap_judgement(a: str, b: str, *, cascade: bool = True) -> Judgement:
    """Everything but the embeddings: equal texts, truncations and the guards decide,
    and (``cascade``) in one language the lexical model where it is sure; otherwise
    ``stage == "candidate"`` with the model's lexical features, for
    :func:`embedding_judgement` to finish once the cosine is known."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return Judgement(False, "empty")
    sa, sb = _side(a), _side(b)
    la, lb = sa[0], sb[0]
    if ta == tb:
        return Judgement(True, "exact", 1.0, None, la, lb)
    short = a if len(ta) <= len(tb) else b
    if la == lb and _contained(short, tb if short is a else ta):
        return Judgement(True, "contained", 1.0, None, la, lb)
    guard = _guards(a, b, ta, tb, la, lb, sa, sb)
    if guard:
        return Judgement(False, guard, None, None, la, lb)
    features = pair_features(a, b)
    if cascade and la == lb:
        p = probability(features, with_embeddings=False)
        if p >= LEXICAL_SURE:
            return Judgement(True, "lexical", p, None, la, lb, tuple(features.items()))
        if p < LEXICAL_UNLIKELY:
            return Judgement(False, "different", p, None, la, lb, tuple(features.items()))
    return Judgement(False, "candidate", None, None, la, lb, tuple(features.items()))


def embedding_judgement(cheap: Judgement, cosine: float | None) -> Judgement:
    """Finish a ``candidate`` of :func:`cheap_judgement` with the embedding cosine
    (None: no model, the lexical model decides)."""
    if cheap.stage != "candidate":
        return cheap
    features = dict(cheap.features)
    with_embeddings = cosine is not None
    if with_embeddings:
        features = with_cosine(features, cosine)
    p = probability(features, with_embeddings=with_embeddings)
    same = p >= threshold(with_embeddings=with_embeddings)
    stage = ("embedding" if with_embeddings else "lexical") if same else "different"
    return Judgement(same, stage, p, cosine, cheap.lang_a, cheap.lang_b, tuple(features.items()))


def judge(a: str, b: str, *, embeddings: bool = True, embedder=None) -> Judgement:
    """The whole judgement for quotes ``a`` and ``b``, with what decided and why.

    ``embeddings=False`` (or no model installed) lets the lexical model decide;
    ``embedder`` (a :class:`quotetrack.grouping.embeddings.Embedder`) supplies cached vectors,
    by default one with the process cache only.
    """
    first = cheap_judgement(a, b)
    if first.stage != "candidate":
        return first
    cosine = None
    if embeddings:
        if embedder is None:
            embedder = Embedder()
        cosine = embedder.cosine(a, b)
    whole = embedding_judgement(first, cosine)
    if whole.same or cosine is None or first.lang_a == first.lang_b:
        return whole
    return _partial(a, b, whole, embedder) or whole


#: a partial translation renders at most this share of the longer sentence's words
PARTIAL_MAX_RATIO = 0.67
#: ... and has at least this many words
PARTIAL_MIN_WORDS = 4
#: the probability a run of clauses needs (above the model's threshold: a sentence has
#: many runs, and a short one shares a topic word with many renderings of its neighbours)
PARTIAL_MIN_SCORE = 0.55


def _partial(a: str, b: str, whole: Judgement, embedder) -> Judgement | None:
    """Across languages: does the shorter quote render a run of clauses of the longer
    (the model and every guard applied to that run)? The best such run, or None."""
    na, nb = len(tokens(a)), len(tokens(b))
    short, long_ = (a, b) if na <= nb else (b, a)
    if min(na, nb) < PARTIAL_MIN_WORDS or min(na, nb) > PARTIAL_MAX_RATIO * max(na, nb):
        return None
    best = None
    for window in languages.clause_windows(long_):
        cheap = cheap_judgement(window, short)
        if cheap.stage != "candidate":
            continue
        j = embedding_judgement(cheap, embedder.cosine(window, short))
        if j.same and j.score >= PARTIAL_MIN_SCORE and (best is None or j.score > best.score):
            best = j
    if best is None:
        return None
    return Judgement(True, "partial", best.score, best.cosine, whole.lang_a, whole.lang_b, best.features)


def same_statement(a: str, b: str, *, embeddings: bool = True) -> bool:
    """Do quotations ``a`` and ``b`` render the same statement (in any of English,
    Spanish, Portuguese, French, Italian and German)?

    True when, after :func:`normalise` (quote marks, ellipses, case, accents and
    punctuation folded), they are equal, or the shorter (5+ words, ellipses allowed)
    is contained in the longer; otherwise a logistic model calibrated on labelled
    pairs (``scripts/train_judgement.py``) weighs the multilingual-e5-small cosine,
    word and character overlap, length, language and agreement of names.

    Never when one negates what the other asserts ("plays no role" / "plays a role",
    "não", "nicht", "ne … pas"), when the numbers they mention differ ("200" / "17";
    "three" / "tres"), or, in English, when they swap roles ("Russia attacked
    Ukraine" / "Ukraine attacked Russia") or use opposite words ("support" /
    "oppose"). Symmetric. See :func:`judge` for the probability and what decided.
    """
    return judge(a, b, embeddings=embeddings).same
