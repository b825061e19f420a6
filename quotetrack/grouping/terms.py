"""The term index of statements (``statement_terms``) and how much two sentences'
words overlap: the content words a member sentence is indexed under, rarest first,
so that the statements holding a possible match of a new sentence are found without
scanning a speaker's every statement."""
from __future__ import annotations

import functools
import json
import math

from ..db.schema import build_term_index
from . import variants

__all__ = ["COMMON_WORDS", "MIN_MATCH_WORDS", "index_terms", "ensure_term_index", "word_overlap", "shared_name"]


#: a sentence needs this many words to match anything but an identical sentence (every
#: other stage of the cascade needs as many on both sides)
MIN_MATCH_WORDS = min(variants.MIN_CONTAINED_WORDS, variants.MIN_EMBED_WORDS, variants.MIN_OVERLAP_WORDS)


# weights of a rare word, a COMMON_WORDS word and a negation in word_overlap, and of a
# rare word written as a name (capitalised inside a sentence: "Ukraine", "Cuban"), in
# tenths: integers add up exactly in any order, so an overlap right at a threshold
# does not depend on the order a set of words happens to iterate in (string hashing
# differs from process to process)
_WEIGHTS = (10, 3, 1)
_NAME_WEIGHT = 20
#: content words so frequent in news quotations that sharing one says nothing about two
#: sentences rendering one statement: the most frequent in 69,000 AllSides quote
#: sentences, most frequent first, names left out. They come last in the term order and
#: never make an embedding candidate on their own.
COMMON_WORDS: tuple[str, ...] = tuple("""
    people think going president out one like get up time because know now want that's we're
    make i'm country right way need say states go see new good even really government work take
    many back political state lot much there's said years law things he's something every well
    down made world come against great first campaign got believe party they're done public day
    thing security before support long two election better look after big through care deal
    you're still last health put vote important year life we've clear national part policy end
    administration off today change job while war working power news whether sure issue place
    system process best real anything information different hard around economy kind trying use
    act voters problem bad again help women i've case money ever person always point able fact
    bill justice between military media next everything together getting let give keep making
    issues another continue question decision history forward away little actually federal tax
    community left evidence far court feel investigation enough high win find future matter tell
    stop talk office pay seen strong immigration man understand percent hope rights economic
    talking nation order coming open wrong call saying members happen politics jobs serious
    including stand already families business black plan middle free since home family action
    department lives thought foreign fight gun during needs possible protect someone based
    probably times sense looking certainly start until used past whole become yet leadership
    taking number wants run less try reason show general what's violence children full three
    move across close anyone risk means control opportunity days came bring laws happened threat
    idea legal race taken situation running we'll told policies candidate mean attack everyone
    side majority others nuclear love police pretty social debate conservative interest personal
    level line makes least week
""".split())
_COMMON_RANK = {w: i for i, w in enumerate(COMMON_WORDS)}


def _term_order(term: str) -> tuple:
    """Rarest first: words outside COMMON_WORDS (longer first), then common words (less
    frequent first), then negations. Fixed, so that prefixes stay valid as the database grows."""
    if variants._is_negation(term):
        return (2, 0, term)
    rank = _COMMON_RANK.get(term)
    if rank is not None:
        return (1, -rank, term)
    return (0, -len(term), term)


@functools.lru_cache(maxsize=16384)
def index_terms(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """``(terms, prefix)``: the content words (not stopwords) of a sentence, rarest first
    (:func:`_term_order`), and those it is indexed under for prefix filtering: the
    rarest word, and the rarest ``n - ceil(0.8 n) + 1`` of its ``n`` non-negation
    content words (two sentences with a Jaccard similarity >= 0.8 share one of
    them). Empty for a sentence of fewer than ``MIN_MATCH_WORDS`` words."""
    toks = variants.tokens(text)
    if len(toks) < MIN_MATCH_WORDS:
        return (), frozenset()
    terms = sorted(set(toks) - variants._STOPWORDS, key=_term_order)
    if not terms:
        return (), frozenset()
    prefix = {terms[0]}
    words = [t for t in terms if not variants._is_negation(t)]
    if words:
        keep = len(words) - math.ceil(variants.JACCARD_THRESHOLD * len(words) - 1e-9) + 1
        prefix.update(words[:keep])
    return tuple(terms), frozenset(prefix)


@functools.lru_cache(maxsize=16384)
def _word_weights(text: str) -> tuple[dict[str, int], frozenset[str]]:
    """The weights of a sentence's content words for :func:`word_overlap` (a rare word
    it writes as a name weighs as a name), and the words it capitalises anywhere."""
    names = variants._names(text)
    out = {}
    for t in index_terms(text)[0]:
        kind = _term_order(t)[0]
        out[t] = _NAME_WEIGHT if kind == 0 and t[:4] in names else _WEIGHTS[kind]
    return out, frozenset(variants._capitalised(text))


def _shared_weights(a: str, b: str) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """The weights of each sentence's words, and of the words they share: a shared word
    weighs as a name only when both capitalise it ("Nice" and "nice" share no name;
    Trump's "Wall" and another's "wall" neither)."""
    (wa, ca), (wb, cb) = _word_weights(a), _word_weights(b)
    shared = {}
    for t in wa.keys() & wb.keys():
        w = max(wa[t], wb[t])
        if w == _NAME_WEIGHT and not (t[:4] in ca and t[:4] in cb):
            w = _WEIGHTS[0]
        shared[t] = w
    return wa, wb, shared


def shared_name(a: str, b: str) -> bool:
    """Do two sentences share a rare word that both capitalise and one of them writes
    as a name (inside the sentence)?"""
    return _NAME_WEIGHT in _shared_weights(a, b)[2].values()


def word_overlap(a: str, b: str) -> float:
    """Weighted Jaccard similarity of the content words of two sentences: a rare word
    weighs 1 (2 when either sentence writes it as a name - "Ukraine", "Cuban" - and,
    if they share it, both capitalise it), a word of ``COMMON_WORDS`` 0.3, a negation
    0.1. 0 for a sentence of fewer than ``MIN_MATCH_WORDS`` words."""
    wa, wb, shared = _shared_weights(a, b)
    # a shared word counts once, at its shared weight
    total = sum(wa.values()) + sum(wb.values()) - sum(wa[t] + wb[t] - w for t, w in shared.items())
    return sum(shared.values()) / total if total else 0.0


def _index_sentence(db, statement_id: int, text: str) -> None:
    """Add a member sentence's words to its statement's entries in ``statement_terms``."""
    terms, prefix = index_terms(text)
    if not terms:
        return
    db.execute("insert or ignore into statement_terms (speaker_id, term, prefix, statement_id) "
               "select coalesce(s.speaker_id, 0), j.key, j.value, s.id from statements s, json_each(?) j "
               "where s.id = ?", [json.dumps({t: int(t in prefix) for t in terms}), statement_id])


def ensure_term_index(db) -> None:
    """Create ``statement_terms`` (and its triggers) if missing, indexing every member
    sentence already linked (what the migration that introduced it does, with
    :func:`index_terms`)."""
    build_term_index(db, index_terms)
