"""Group quotes that render the same underlying statement.

A *statement* is what a speaker actually said once; each quote in an article is one
rendering of it (verbatim, truncated, reworded, translated). The unit is the sentence:
a quote is split into sentences (:func:`quotetrack.grouping.variants.split_units`) and each is
linked to its statement through ``quote_statements`` (``part``, ``text``, ``method``,
``score`` say which sentence, and how it was matched), so a quote that runs two
sentences of a statement together links to both, and a fragment links to the fuller
statement it comes from. ``quotes.statement_id`` is the statement of the quote's
longest sentence.

For each new sentence the cascade of :func:`quotetrack.grouping.variants.judge` runs against
the member sentences of *plausible* statements only, which keeps the cost near-linear:

- statements with a member of the same normalised text (hash index): 8+ words join
  whoever said them; shorter ones need a plausible speaker;
- statements of the same speaker identity or a related one
  (:func:`quotetrack.identities.relations.related_ids`) whose dates fall within
  ``DATE_WINDOW_DAYS`` of the quote; an unattributed quote looks at the statements
  of the article's speakers; speakerless statements are candidates only within the
  article that holds them.

A prolific speaker has thousands of such statements, so they are not scanned: the
term index ``statement_terms(speaker_id, term, prefix, statement_id)`` (content words
of every member sentence of 5+ words, kept current with the statements) gives, for a
new sentence, exactly the statements that can hold a match of the lexical stages, and
a short list for the embedding stage:

- containment (the new sentence inside a member): the statements holding *every*
  content word of the new sentence;
- containment the other way and lexical similarity (Jaccard >= 0.8): prefix
  filtering - each member is indexed under its rarest words (``prefix``; as many as
  a Jaccard of 0.8 allows to differ, in a fixed order: words outside
  ``COMMON_WORDS`` first, longer first), and any statement holding a match shares one
  of them with the new sentence;
- embeddings: the ``EMBED_CANDIDATES`` statements sharing the most rare words with
  the new sentence (words outside ``COMMON_WORDS`` that the speaker used in at most
  ``RARE_WORD_STATEMENTS`` statements); a sentence that shares only common words or
  negations with a statement is never compared with it by embeddings.

A sentence of fewer than ``MIN_MATCH_WORDS`` words can only match identically (hash
index). The embedding model is the expensive stage (tens of milliseconds a
sentence), and at 0.91 it also joins many merely similar remarks of one speaker, so
a member of those statements is compared by embeddings only when it passed the cheap
stages and every guard as a candidate, comes from another article (an outlet does
not translate one statement twice), and the words the two share already make a match
plausible (:func:`word_overlap`, rare words and names weighing most):
``EMBED_MIN_OVERLAP``; or ``EMBED_MIN_OVERLAP_NEAR`` when they were reported within
``EMBED_NEAR_DAYS`` days of each other (translations of one statement, published
together, share few words); or ``EMBED_MIN_OVERLAP_UNDATED`` when a date is unknown
and they share a name. Vectors are computed once (cached in ``embeddings``), a
sentence's with its candidates' in one call to the model. (Embedding a whole
article's candidates in one batch up front was no faster - the batches held two or
three sentences all the same - and embedded sentences that earlier quotes of the
article had already settled.)

A sentence that renders two existing statements (equal, reworded or translated, not a
mere fragment of each) merges them, so the groups do not depend on the order in which
articles are ingested. Users correct the machine with :func:`merge_statements` and
:func:`split_quote` (``quotetrack statements merge|split``); corrections are recorded
in ``statement_corrections`` and re-applied after every ingest
(:func:`apply_corrections`), and assignment never merges what a user split.
"""
from __future__ import annotations

import datetime
import functools
import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from ..db import store
from ..db.counts import refresh_statement_counts
from ..db.counts import schema_has as _has
from ..db.schema import build_term_index
from ..identities import relations
from ..text import day as _date
from . import languages, variants
from .embeddings import Embedder, text_hash

__all__ = [
    "assign_statements",
    "refresh_statement_counts",
    "merge_statements",
    "split_quote",
    "apply_corrections",
    "StatementError",
    "DATE_WINDOW_DAYS",
    "EXACT_ANY_SPEAKER_WORDS",
    "COMMON_WORDS",
    "EMBED_CANDIDATES",
    "RARE_WORD_STATEMENTS",
    "MIN_MATCH_WORDS",
    "index_terms",
    "ensure_term_index",
]

#: statements first/last reported more than this many days from a quote's date are not compared with it
DATE_WINDOW_DAYS = 365
#: identical quotes (after normalisation) of at least this many words join whoever they are attributed to
EXACT_ANY_SPEAKER_WORDS = 8

#: a sentence needs this many words to match anything but an identical sentence (every
#: other stage of the cascade needs as many on both sides)
MIN_MATCH_WORDS = min(variants.MIN_CONTAINED_WORDS, variants.MIN_EMBED_WORDS, variants.MIN_OVERLAP_WORDS)
#: statements compared by embeddings with a new sentence, at most: those sharing the most rare words
EMBED_CANDIDATES = 4
#: a word a speaker used in more statements than this is no evidence for the embedding stage
RARE_WORD_STATEMENTS = 50
#: a sentence of fewer words joins a statement only by being identical to a member; it never starts one
MIN_STATEMENT_WORDS = 3
#: members of one statement compared with a new sentence by embeddings, at most
EMBED_MEMBERS = 3
#: statements of the speaker compared with a sentence in another language, at most
TRANSLATION_CANDIDATES = 30
#: the weighted overlap of their words (:func:`word_overlap`) two sentences need to be compared by embeddings ...
EMBED_MIN_OVERLAP = 0.5
#: ... or, when they were reported within this many days of each other ...
EMBED_NEAR_DAYS = 7
#: ... this much (translations of one statement published together share few words) ...
EMBED_MIN_OVERLAP_NEAR = 0.2
#: ... or, when a date is unknown and they share a name ("Ukraine", "Cuban"), this much
EMBED_MIN_OVERLAP_UNDATED = 0.25
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

# how a link was made, strongest first (a sentence joins its strongest match)
_RANK = {"correction": 0, "exact": 1, "contained": 2, "lexical": 3, "embedding": 4, "translation": 4,
         "fragment": 5}


class StatementError(ValueError):
    """A correction that cannot be made (unknown statement or quote, nothing to split)."""


def norm_hash(text: str) -> str:
    """SHA-1 of the normalised text (the ``quote_statements.norm_hash`` index)."""
    return hashlib.sha1(variants.normalise(text).encode("utf-8")).hexdigest()


@dataclass
class _Member:
    statement_id: int
    quote_id: int
    text: str
    norm: str
    article_id: int
    published: str | None = None
    method: str | None = None       # how the member itself was linked ("fragment": a mere part of it)


@dataclass
class _Match:
    statement_id: int
    method: str
    score: float
    fragment: bool   # the new sentence is only a fragment of the member
    via_fragment: bool = False   # matched through a member that is itself only a fragment of the statement


class _Assigner:
    """State of one :func:`assign_statements` call."""

    def __init__(self, db, embedder=None):
        self.db = db
        if embedder is None:
            embedder = Embedder(db)
        self.embedder = embedder
        # without a model the embedding stage's candidates are not even collected
        self.embedding = embedder.available
        self.cheap_cache: dict[tuple[str, str], variants.Judgement] = {}
        self.related_cache: dict[int, set[int]] = {}
        self.article_speakers: dict[int, set[int]] = {}
        self.forbidden = _split_constraints(db)
        self.embeddable_cache: dict[tuple, list[int]] = {}
        self.dropped: dict[int, int] = {}       # statement merged during this call -> where it went
        self.created: set[int] = set()          # statements created during this call ...
        self.grown: set[int] = set()            # ... and those that gained members during it
        ensure_term_index(db)

    # -- candidates ----------------------------------------------------------------
    def speakers_for(self, speaker_id, article_id) -> set[int]:
        if speaker_id is not None:
            ids = {speaker_id}
        else:
            if article_id not in self.article_speakers:
                self.article_speakers[article_id] = {r[0] for r in self.db.execute(
                    "select distinct speaker_id from quotes where article_id = ? and speaker_id is not null",
                    [article_id]).fetchall()}
            ids = set(self.article_speakers[article_id])
        out = set(ids)
        for sid in ids:
            if sid not in self.related_cache:
                self.related_cache[sid] = relations.related_ids(self.db, sid) | \
                    relations.same_surname_ids(self.db, sid)
            out |= self.related_cache[sid]
        return out

    def moved(self, statement_id: int) -> int:
        """Where a statement merged during this call went."""
        while statement_id in self.dropped:
            statement_id = self.dropped[statement_id]
        return statement_id

    def embeddable(self, speaker_ids: set[int], terms: tuple[str, ...], published,
                   foreign: bool = False) -> set[int]:
        """The statements of the speakers, within the date window, worth comparing by
        embeddings with a sentence of content words ``terms``: the
        ``EMBED_CANDIDATES`` that share the most rare words with it (words outside
        ``COMMON_WORDS`` the speakers used in at most ``RARE_WORD_STATEMENTS``
        statements, rarer ones weighing more). Computed once per sentence and call."""
        scope = tuple(sorted(speaker_ids))
        key = (scope, terms, published, foreign)
        ranked = self.embeddable_cache.get(key)
        if ranked is None:
            ranked = self._rank_by_rare_words(scope, terms, published)
            if foreign:
                ranked = ranked + [sid for sid in self._near(scope, published) if sid not in ranked]
            self.embeddable_cache[key] = ranked
        return {self.moved(sid) for sid in ranked}

    def _near(self, scope: tuple[int, ...], published) -> list[int]:
        """The speakers' statements reported within ``EMBED_NEAR_DAYS`` of ``published``
        (all of them, up to ``TRANSLATION_CANDIDATES``, when the date is unknown): a
        sentence in another language than English shares too few words with its
        English renderings for the term index to offer them."""
        in_scope = f"speaker_id in ({', '.join('?' * len(scope))})"
        where, window = _window(published, EMBED_NEAR_DAYS)
        return [r[0] for r in self.db.execute(
            f"select id from statements where {in_scope}{where} order by id desc limit {TRANSLATION_CANDIDATES}",
            [*scope, *window])]

    def _rank_by_rare_words(self, scope: tuple[int, ...], terms: tuple[str, ...], published) -> list[int]:
        db = self.db
        rare = [t for t in terms if _term_order(t)[0] == 0]
        if not rare:
            return []
        in_scope = f"speaker_id in ({', '.join('?' * len(scope))})"
        # statements per word, counted up to one past RARE_WORD_STATEMENTS (a word the
        # speaker uses everywhere is not read to its end)
        counts = dict(db.execute(
            f"select j.value, (select count(*) from (select distinct statement_id from statement_terms "
            f"where {in_scope} and term = j.value limit {RARE_WORD_STATEMENTS + 1})) from json_each(?) j",
            [*scope, json.dumps(rare)]).fetchall())
        rare = [t for t in rare if 0 < counts.get(t, 0) <= RARE_WORD_STATEMENTS]
        if not rare:
            return []
        where, params = _window(published)
        scores: dict[int, float] = defaultdict(float)
        for statement_id, term in db.execute(
                f"select distinct t.statement_id, t.term from statement_terms t join statements s "
                f"on s.id = t.statement_id where t.{in_scope} and t.term in ({', '.join('?' * len(rare))})"
                f" and s.{in_scope}{where}", [*scope, *rare, *scope, *params]):
            scores[statement_id] += math.log(1 + RARE_WORD_STATEMENTS / counts[term])
        return sorted(scores, key=lambda sid: (-scores[sid], -sid))[:EMBED_CANDIDATES]

    def members(self, speaker_ids: set[int], article_id: int, published, unit: str, norm: str,
                n_words: int) -> tuple[list[_Member], set[int]]:
        """Member sentences of the plausible statements for one new sentence, and the
        statements among them that may be compared by embeddings."""
        select = ("select qs.statement_id, qs.quote_id, coalesce(qs.text, q.text), q.article_id, q.published, "
                  "qs.method "
                  "from quote_statements qs join quotes q on q.id = qs.quote_id join statements s "
                  "on s.id = qs.statement_id ")
        # same normalised text
        parts = [select + "where qs.norm_hash = ? and (? or s.speaker_id is null "
                 "or s.speaker_id in (select value from json_each(?)))"]
        params: list = [hashlib.sha1(norm.encode("utf-8")).hexdigest(), n_words >= EXACT_ANY_SPEAKER_WORDS,
                        _json(speaker_ids)]
        # the speakers' statements within the date window that the term index offers
        embeddable: set[int] = set()
        terms, _ = index_terms(unit)
        short_terms = _short_fragment_terms(unit) if not terms else ()
        if speaker_ids and short_terms:
            # a fragment of 3-4 words: the speakers' statements holding every one of its
            # content words (it can only join one as a fragment)
            scope = sorted(speaker_ids)
            in_scope = f"speaker_id in ({', '.join('?' * len(scope))})"
            offered = _holding_every_term(in_scope, len(short_terms))
            where, window = _window(published)
            parts.append(select + f"where qs.statement_id in ({offered}) and +s.{in_scope}{where}")
            params += [*scope, *short_terms, *scope, *window]
        if speaker_ids and terms:
            if self.embedding:
                embeddable = self.embeddable(speaker_ids, terms, published,
                                             languages.guess_language(unit) != "en")
            scope = sorted(speaker_ids)
            in_scope = f"speaker_id in ({', '.join('?' * len(scope))})"
            # containment and lexical similarity: prefix filtering
            offered = (f"select value from json_each(?) union select statement_id from statement_terms "
                       f"where {in_scope} and term in ({', '.join('?' * len(terms))}) and prefix = 1")
            # the new sentence inside a member: statements holding every one of its words
            offered += " union " + _holding_every_term(in_scope, len(terms))
            where, window = _window(published)
            # (+: the statement is found by its id, not through the speaker index)
            parts.append(select + f"where qs.statement_id in ({offered}) and +s.{in_scope}{where}")
            params += [_json(embeddable), *scope, *terms, *scope, *terms, *scope, *window]
        # speakerless statements of this article
        parts.append(select + "where s.speaker_id is null and q.article_id = ?")
        params.append(article_id)
        rows = self.db.execute(" union all ".join(parts), params).fetchall()
        seen = set()
        out = []
        for statement_id, quote_id, text, art, day, method in rows:
            n = variants.normalise(text)
            key = (statement_id, n, art == article_id)
            if key in seen:
                continue
            seen.add(key)
            out.append(_Member(statement_id, quote_id, text, n, art, day, method))
        return out, embeddable

    # -- judging -----------------------------------------------------------------------
    def cheap(self, a: str, b: str) -> variants.Judgement:
        key = (a, b)
        j = self.cheap_cache.get(key)
        if j is None:
            j = variants.cheap_judgement(a, b)
            self.cheap_cache[key] = j
        return j

    def worth_embedding(self, unit: str, article_id: int, published, member: _Member, embeddable: set[int]) -> bool:
        """Is a member that passed every cheap stage as a candidate worth comparing by
        embeddings: a statement the term index offered (``embeddable``), from another
        article, sharing enough words (:func:`word_overlap`; less needed when they
        were reported within ``EMBED_NEAR_DAYS`` days, or a date is unknown and they
        share a name)?"""
        if member.article_id == article_id or member.statement_id not in embeddable:
            return False
        if languages.guess_language(unit) != languages.guess_language(member.text):
            a, b = _date(published), _date(member.published)
            return a is None or b is None or abs((a - b).days) <= EMBED_NEAR_DAYS
        overlap = word_overlap(unit, member.text)
        if overlap >= EMBED_MIN_OVERLAP:
            return True
        if overlap < EMBED_MIN_OVERLAP_NEAR:
            return False
        a, b = _date(published), _date(member.published)
        if a is not None and b is not None:
            return abs((a - b).days) <= EMBED_NEAR_DAYS
        return overlap >= EMBED_MIN_OVERLAP_UNDATED and shared_name(unit, member.text)

    def matches(self, unit: str, norm: str, article_id: int, published, members: list[_Member],
                embeddable: set[int]) -> list[_Match]:
        content = set(variants.tokens(unit)) - variants._STOPWORDS
        found: dict[int, _Match] = {}
        pending: list[tuple[_Member, variants.Judgement]] = []

        def add(m: _Match):
            old = found.get(m.statement_id)
            if old is None or (_RANK[m.method], -m.score) < (_RANK[old.method], -old.score):
                found[m.statement_id] = m

        words = norm.split()
        unit_words = (words, set(words), variants._content(words))
        foreign = languages.guess_language(unit) != "en"
        for member in members:
            if member.norm == norm:
                add(_Match(member.statement_id, "exact", 1.0, False))
                continue
            member_words = member.norm.split()
            if len(words) < MIN_MATCH_WORDS:
                # a fragment of 3-4 words by the same speaker joins the fuller quote it is part of
                if len(words) >= MIN_STATEMENT_WORDS and len(member_words) > len(words) \
                        and variants._contained(unit, member_words, MIN_STATEMENT_WORDS):
                    add(_Match(member.statement_id, "fragment", 1.0, True))
                continue
            close = _may_be_same(unit_words, member_words)
            if not close:
                # not lexically close: only the model with the embeddings might join them,
                # for members worth embedding (a translation shares few words)
                if not (foreign or content & set(member_words)):
                    continue
                if not (self.embedding and self.worth_embedding(unit, article_id, published, member, embeddable)):
                    continue
            j = self.cheap(unit, member.text)
            if j.same:
                fragment = j.stage == "contained" and len(variants.tokens(unit)) < len(member.norm.split())
                add(_Match(member.statement_id, "fragment" if fragment else j.stage, j.score or 1.0, fragment,
                           not fragment and member.method == "fragment"))
            elif j.stage == "candidate":
                if self.embedding:
                    pending.append((member, j))
                elif close:
                    j = variants.embedding_judgement(j, None)
                    if j.same:
                        add(_Match(member.statement_id, j.stage, j.score, False))
        pending = _closest_per_statement(unit, pending)
        if pending:
            vectors = self.embedder.vectors([unit] + [m.text for m, _ in pending])
            vu = vectors.get(text_hash(unit))
            if vu is not None:
                for member, cheap in pending:
                    vm = vectors.get(text_hash(member.text))
                    if vm is None:
                        continue
                    j = variants.embedding_judgement(cheap, float(vu @ vm))
                    if j.same:
                        add(_Match(member.statement_id, "translation" if j.lang_a != j.lang_b else "embedding",
                                   j.score, False))
        return list(found.values())

    # -- writing -------------------------------------------------------------------------
    def assign(self, quote, units: list[str]) -> list[int]:
        quote_id, _, speaker_id, article_id, published, outlet = quote
        speaker_ids = self.speakers_for(speaker_id, article_id)
        db = self.db
        linked: list[tuple[int, str]] = []
        for part, unit in enumerate(units):
            norm = variants.normalise(unit)
            if not norm:
                continue
            h = hashlib.sha1(norm.encode("utf-8")).hexdigest()
            members, embeddable = self.members(speaker_ids, article_id, published, unit, norm, len(norm.split()))
            found = self.matches(unit, norm, article_id, published, members, embeddable)
            forbidden = self.forbidden_for(quote_id, h)
            found = [m for m in found if m.statement_id not in forbidden]
            # no chaining: a member that is itself only a fragment of its statement says
            # nothing about the rest of it, so a sentence that holds such a fragment joins
            # (or merges) the statement only when the judgement finds it the same as the
            # statement's canonical text
            found = [m for m in found if not m.via_fragment or self.agrees(unit, norm, m.statement_id)]
            if found:
                found.sort(key=lambda m: (_RANK[m.method], -m.score, m.statement_id))
                target = found[0]
                statement_id = target.statement_id
                if not target.fragment:
                    # a sentence that renders several statements makes them one
                    for other in found[1:]:
                        if not other.fragment and other.statement_id != statement_id \
                                and db.execute("select 1 from statements where id = ?",
                                               [other.statement_id]).fetchone() \
                                and not self.conflict(statement_id, other.statement_id):
                            _merge_into(db, statement_id, other.statement_id)
                            self.dropped[other.statement_id] = statement_id
                method, score = target.method, target.score
                self.grown.add(statement_id)
            elif len(norm.split()) < MIN_STATEMENT_WORDS:
                # "can", "may": a word or two is no statement of its own
                continue
            else:
                # counts as refresh_statement_counts would set them for this one member
                statement_id = db.execute(
                    "insert into statements (text, speaker_id, first_reported, last_reported, quote_count, "
                    "article_count, outlet_count) values (?, ?, ?, ?, 1, 1, ?)",
                    [unit, speaker_id, published, published, int(outlet is not None)]).lastrowid
                self.created.add(statement_id)
                method, score = "new", None
            db.execute("insert or ignore into quote_statements (quote_id, statement_id, part, text, norm_hash, "
                       "method, score) values (?, ?, ?, ?, ?, ?, ?)",
                       [quote_id, statement_id, part, unit, h, method, score])
            if speaker_id is not None and method != "new":
                db.execute("update statements set speaker_id = ? where id = ? and speaker_id is null",
                           [speaker_id, statement_id])
            _index_sentence(db, statement_id, unit)
            linked.append((statement_id, unit))
            if published is not None and method != "new":
                # first/last_reported take in the new member's date (full refresh at the end)
                db.execute("update statements set first_reported = min(coalesce(first_reported, ?), ?), "
                           "last_reported = max(coalesce(last_reported, ?), ?) where id = ? "
                           "and (first_reported is null or first_reported > ? or last_reported is null "
                           "or last_reported < ?)", [published] * 4 + [statement_id, published, published])
        return [st for st, _ in linked]

    def agrees(self, unit: str, norm: str, statement_id: int) -> bool:
        """Is ``unit`` the same statement as the canonical text of ``statement_id`` (or
        a fragment of it)?"""
        row = self.db.execute("select text from statements where id = ?", [statement_id]).fetchone()
        if row is None or variants.normalise(row[0]) == norm:
            return row is not None
        j = self.cheap(unit, row[0])
        if j.same or j.stage != "candidate":
            return j.same
        cosine = self.embedder.cosine(unit, row[0]) if self.embedding else None
        return variants.embedding_judgement(j, cosine).same

    def forbidden_for(self, quote_id: int, h: str) -> set[int]:
        """Statements this sentence must not join (a user split it from them)."""
        out = set()
        for (qa, ha), (qb, hb) in self.forbidden:
            other = (qb, hb) if (qa, ha) == (quote_id, h) else (qa, ha) if (qb, hb) == (quote_id, h) else None
            if other is not None:
                st = _unit_statement(self.db, *other)
                if st is not None:
                    out.add(st)
        return out

    def conflict(self, a: int, b: int) -> bool:
        """Would merging statements ``a`` and ``b`` undo a user's split?"""
        for ua, ub in self.forbidden:
            sa, sb = _unit_statement(self.db, *ua), _unit_statement(self.db, *ub)
            if {sa, sb} == {a, b}:
                return True
        return False


def _closest_per_statement(unit: str, pending: list[tuple[_Member, "variants.Judgement"]]) -> list[tuple]:
    """Of the members of each statement, the ``EMBED_MEMBERS`` sharing the most words
    with ``unit`` (:func:`word_overlap`; the oldest on a tie): the statement is compared
    by embeddings through them alone. Every rendering of a statement says the same
    thing, and comparing each one would embed more sentences the more outlets reported
    it (the cost would grow faster than the corpus); more than one, because the
    judgement is not transitive: a sentence may be judged the same as one translation
    in a statement and not as another, so the outcome would depend on which came first."""
    ranked: dict[int, list] = defaultdict(list)
    for m, j in pending:
        ranked[m.statement_id].append(((-word_overlap(unit, m.text), m.quote_id), (m, j)))
    return [mj for members in ranked.values() for _, mj in sorted(members, key=lambda t: t[0])[:EMBED_MEMBERS]]


def _may_be_same(unit_words: tuple[list[str], set[str], set[str]], member_words: list[str]) -> bool:
    """Could :func:`variants.cheap_judgement` find the two sentences the same? A
    necessary condition on their words (``unit_words``: the new sentence's words, as a
    list, a set and its content words): containment needs every word of the shorter
    in the longer, lexical similarity two sentences of ``MIN_OVERLAP_WORDS`` words whose
    content words reach the Jaccard threshold. False means only the embedding stage
    could join them, which spares the guards of the cheap stages for most members."""
    ta, sa, ca = unit_words
    sb = set(member_words)
    if (sa <= sb) if len(ta) <= len(member_words) else (sb <= sa):
        return True
    if len(ta) >= variants.MIN_OVERLAP_WORDS and len(member_words) >= variants.MIN_OVERLAP_WORDS:
        cb = variants._content(member_words)
        if ca and cb and len(ca & cb) >= variants.JACCARD_THRESHOLD * len(ca | cb) - 1e-9:
            return True
    return False


def _holding_every_term(in_scope: str, n: int) -> str:
    """SQL selecting the statements (of the speakers ``in_scope``) whose term index holds
    every one of ``n`` terms (parameters: the scope's ids, then the terms)."""
    return (f"select a.statement_id from statement_terms a where a.{in_scope} and a.term = ?"
            + " and exists (select 1 from statement_terms b where b.statement_id = a.statement_id"
              " and b.term = ?)" * (n - 1))


def _short_fragment_terms(text: str) -> tuple[str, ...]:
    """The content words of a sentence of ``MIN_STATEMENT_WORDS`` to ``MIN_MATCH_WORDS`` - 1
    words ("had better be stopped"), rarest first; empty for any other sentence."""
    toks = variants.tokens(text)
    if not MIN_STATEMENT_WORDS <= len(toks) < MIN_MATCH_WORDS:
        return ()
    return tuple(sorted(set(toks) - variants._STOPWORDS, key=_term_order))


def _window(published, days: int = DATE_WINDOW_DAYS) -> tuple[str, list]:
    """SQL condition (on ``statements``) and parameters: the statement was reported
    within ``days`` of ``published`` (or either date is unknown)."""
    day = _date(published)
    if day is None:
        return "", []
    lo = (day - datetime.timedelta(days=days)).isoformat()
    hi = (day + datetime.timedelta(days=days)).isoformat() + "~"
    return (" and (first_reported is null or last_reported is null"
            " or (first_reported <= ? and last_reported >= ?))", [hi, lo])


# ---------------------------------------------------------------------------
# the term index


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


def _json(ids) -> str:
    return json.dumps(sorted(i for i in ids if i is not None))


def _touch(db, statement_id: int) -> None:
    """Keep first/last_reported current while assigning (full refresh at the end)."""
    db.execute(
        "update statements set first_reported = (select min(q.published) from quote_statements qs "
        "join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id), "
        "last_reported = (select max(q.published) from quote_statements qs "
        "join quotes q on q.id = qs.quote_id where qs.statement_id = statements.id) where id = ?",
        [statement_id])


def _unit_statement(db, quote_id: int, h: str | None) -> int | None:
    if h:
        row = db.execute("select statement_id from quote_statements where quote_id = ? and norm_hash = ? "
                         "order by rowid limit 1", [quote_id, h]).fetchone()
        if row:
            return row[0]
    row = db.execute("select statement_id from quote_statements where quote_id = ? order by rowid limit 1",
                     [quote_id]).fetchone()
    return row[0] if row else None


def _split_constraints(db) -> list[tuple[tuple[int, str], tuple[int, str]]]:
    if not _has(db, "statement_corrections"):
        return []
    return [((qa, ha), (qb, hb)) for qa, ha, qb, hb in db.execute(
        "select quote_id, quote_hash, other_quote_id, other_hash from statement_corrections "
        "where action = 'split' and other_quote_id is not null").fetchall()]


def _merge_into(db, keep: int, drop: int) -> None:
    """Move every link of statement ``drop`` to ``keep`` and delete ``drop``."""
    if keep == drop:
        return
    db.execute("insert or ignore into quote_statements (quote_id, statement_id, part, text, norm_hash, method, score) "
               "select quote_id, ?, part, text, norm_hash, method, score from quote_statements where statement_id = ?",
               [keep, drop])
    db.execute("delete from quote_statements where statement_id = ?", [drop])
    db.execute("update quotes set statement_id = ? where statement_id = ?", [keep, drop])
    db.execute("update statements set speaker_id = coalesce(speaker_id, (select speaker_id from statements "
               "where id = ?)) where id = ?", [drop, keep])
    if _has(db, "statement_terms"):
        db.execute("insert or ignore into statement_terms (speaker_id, term, prefix, statement_id) "
                   "select (select coalesce(speaker_id, 0) from statements where id = ?), term, prefix, ? "
                   "from statement_terms where statement_id = ?", [keep, keep, drop])
    db.execute("delete from statements where id = ?", [drop])
    _touch(db, keep)


def _main_statement(db, quote_id: int) -> int | None:
    """The statement of the quote's longest linked sentence."""
    best = None
    for statement_id, text, rowid in db.execute(
            "select qs.statement_id, coalesce(qs.text, q.text), qs.rowid from quote_statements qs "
            "join quotes q on q.id = qs.quote_id where qs.quote_id = ?", [quote_id]).fetchall():
        key = (len(variants.tokens(text)), len(text), -rowid)
        if best is None or key > best[0]:
            best = (key, statement_id)
    return best[1] if best else None


def assign_statements(db, quote_ids: Iterable[int], *, embedder=None) -> list[int]:
    """Link each quote in ``quote_ids`` to its statements, creating statements as needed.

    Each sentence of a quote not yet linked is compared with the member sentences of
    the plausible statements (see the module docstring) by the cascade of
    :func:`quotetrack.grouping.variants.judge`; it joins its strongest match (merging
    statements it renders in full), or starts a new statement. ``embedder`` (an
    :class:`quotetrack.grouping.embeddings.Embedder`) defaults to one caching in ``db``.

    Canonical texts and counts (``quote_count``, ``article_count``, ``outlet_count``,
    ``first_reported``, ``last_reported``) are recomputed for every touched statement
    (a statement created with one member gets them at creation), and recorded user
    corrections are re-applied. Idempotent: quotes that already have
    a ``quote_statements`` row are left alone. Runs in the caller's transaction if
    there is one (``store.save_article`` calls it inside its own). Returns the ids of
    the touched statements.
    """
    touched: list[int] = []
    with _writing(db):
        plans = []
        quote_ids = list(dict.fromkeys(quote_ids))
        rows: dict[int, tuple] = {}
        existing: dict[int, int] = {}
        for i in range(0, len(quote_ids), 500):
            chunk = quote_ids[i:i + 500]
            marks = ", ".join("?" * len(chunk))
            rows.update((r[0], r) for r in db.execute(
                f"select id, text, speaker_id, article_id, published, outlet from quotes where id in ({marks})",
                chunk))
            for quote_id, statement_id in db.execute(
                    f"select quote_id, statement_id from quote_statements where quote_id in ({marks}) "
                    "order by rowid", chunk):
                existing.setdefault(quote_id, statement_id)
        for quote_id in quote_ids:
            row = rows.get(quote_id)
            if row is None:
                continue
            if quote_id in existing:
                db.execute("update quotes set statement_id = ? where id = ? and statement_id is null",
                           [existing[quote_id], quote_id])
                continue
            units = variants.split_units(row[1]) or [row[1]]
            plans.append((row, units))
        if not plans:
            return touched
        assigner = _Assigner(db, embedder)
        for row, units in plans:
            for statement_id in assigner.assign(row, units):
                if statement_id not in touched:
                    touched.append(statement_id)
            main = _main_statement(db, row[0])
            db.execute("update quotes set statement_id = ? where id = ? and statement_id is not ?", [main, row[0], main])
        corrected = apply_corrections(db)
        touched.extend(corrected)
        touched = list(dict.fromkeys(touched))
        present: set[int] = set()
        for i in range(0, len(touched), 500):
            chunk = touched[i:i + 500]
            present.update(r[0] for r in db.execute(
                f"select id from statements where id in ({', '.join('?' * len(chunk))})", chunk))
        touched = [t for t in touched if t in present]
        # merges may have moved quotes whose statement_id pointed at a merged statement;
        # a statement created here that gained no other member has its counts already
        settled = assigner.created - assigner.grown - set(corrected)
        refresh_statement_counts(db, [t for t in touched if t not in settled])
    return touched




# ---------------------------------------------------------------------------
# user corrections


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _writing(db):
    """A write transaction that takes the write lock before its first read
    (``BEGIN IMMEDIATE``, see :func:`quotetrack.db.store.write_transaction`): begun
    deferred, a correction made while an ingest commits batches would fail at once with
    "database is locked" when it reaches its first write, instead of waiting its turn;
    inside a caller's transaction, a savepoint."""
    return store.write_transaction(db)


def _representative(db, statement_id: int) -> tuple[int, str | None] | None:
    row = db.execute("select quote_id, norm_hash from quote_statements where statement_id = ? "
                     "order by quote_id, rowid limit 1", [statement_id]).fetchone()
    return (row[0], row[1]) if row else None


def merge_statements(db, keep: int, drop: int) -> int:
    """Merge statement ``drop`` into ``keep`` (a user's correction), record it so
    it survives later ingests, and return ``keep``."""
    with _writing(db):
        for statement_id in (keep, drop):
            if not db.execute("select 1 from statements where id = ?", [statement_id]).fetchone():
                raise StatementError(f"no statement {statement_id}")
        if keep == drop:
            raise StatementError("cannot merge a statement with itself")
        a, b = _representative(db, keep), _representative(db, drop)
        if a is None or b is None:
            raise StatementError("statement without quotes")
        # a merge overrides earlier splits between the two
        for cid, qa, ha, qb, hb in db.execute(
                "select id, quote_id, quote_hash, other_quote_id, other_hash from statement_corrections "
                "where action = 'split'").fetchall():
            pair = {_unit_statement(db, qa, ha), _unit_statement(db, qb, hb)}
            if pair == {keep, drop}:
                db.execute("delete from statement_corrections where id = ?", [cid])
        text = db.execute("select text from statements where id = ?", [drop]).fetchone()[0]
        db["statement_corrections"].insert({
            "action": "merge", "quote_id": a[0], "quote_hash": a[1], "other_quote_id": b[0],
            "other_hash": b[1], "statement_text": text, "created_at": _now()})
        _merge_into(db, keep, drop)
        db.execute("update quote_statements set method = 'correction' where statement_id = ? and quote_id = ?",
                   [keep, b[0]])
        refresh_statement_counts(db, [keep])
        for (quote_id,) in db.execute("select distinct quote_id from quote_statements where statement_id = ?",
                                      [keep]).fetchall():
            db.execute("update quotes set statement_id = ? where id = ?", [_main_statement(db, quote_id), quote_id])
    return keep


def split_quote(db, quote_id: int, statement_id: int | None = None) -> int:
    """Take quote ``quote_id`` out of a statement (``statement_id``, default its main
    statement) into a statement of its own; record it so later ingests never put it
    back. Returns the new statement's id."""
    with _writing(db):
        quote = db.execute("select id, speaker_id, statement_id from quotes where id = ?", [quote_id]).fetchone()
        if quote is None:
            raise StatementError(f"no quote {quote_id}")
        statement_id = statement_id or quote[2]
        links = db.execute("select part, text, norm_hash from quote_statements where quote_id = ? and statement_id = ?",
                           [quote_id, statement_id]).fetchall()
        if not links:
            raise StatementError(f"quote {quote_id} is not in statement {statement_id}")
        others = db.execute("select quote_id, norm_hash from quote_statements where statement_id = ? and quote_id != ? "
                            "order by quote_id, rowid limit 1", [statement_id, quote_id]).fetchone()
        if others is None:
            raise StatementError(f"quote {quote_id} is the only quote of statement {statement_id}: nothing to split")
        part, text, h = links[0]
        db.execute("delete from quote_statements where quote_id = ? and statement_id = ?", [quote_id, statement_id])
        new_id = db["statements"].insert({"text": text, "speaker_id": quote[1]}).last_pk
        db["quote_statements"].insert({"quote_id": quote_id, "statement_id": new_id, "part": part, "text": text,
                                       "norm_hash": h, "method": "correction", "score": None})
        if db["statement_terms"].exists():
            _index_sentence(db, new_id, text)
        # an earlier merge between the two is undone by this split
        for cid, qa, ha, qb, hb in db.execute(
                "select id, quote_id, quote_hash, other_quote_id, other_hash from statement_corrections "
                "where action = 'merge'").fetchall():
            if {qa, qb} & {quote_id} or {(qa, ha), (qb, hb)} & {(quote_id, h)}:
                db.execute("delete from statement_corrections where id = ?", [cid])
        db["statement_corrections"].insert({
            "action": "split", "quote_id": quote_id, "quote_hash": h, "other_quote_id": others[0],
            "other_hash": others[1], "statement_text": text, "created_at": _now()})
        db.execute("update quotes set statement_id = ? where id = ?", [_main_statement(db, quote_id), quote_id])
        refresh_statement_counts(db, [statement_id, new_id])
    return new_id


def apply_corrections(db) -> list[int]:
    """Re-apply every recorded correction (idempotent): merged statements stay merged,
    split quotes stay out. Returns the statements it changed."""
    if not _has(db, "statement_corrections"):
        return []
    changed: list[int] = []
    for action, qa, ha, qb, hb in db.execute(
            "select action, quote_id, quote_hash, other_quote_id, other_hash from statement_corrections "
            "order by id").fetchall():
        sa, sb = _unit_statement(db, qa, ha), _unit_statement(db, qb, hb) if qb else None
        if sa is None or sb is None:
            continue
        if action == "merge" and sa != sb:
            _merge_into(db, sa, sb)
            changed.append(sa)
        elif action == "split" and sa == sb:
            row = db.execute("select part, text from quote_statements where quote_id = ? and statement_id = ? "
                             "and (norm_hash = ? or ? is null)", [qa, sa, ha, ha]).fetchone()
            db.execute("delete from quote_statements where quote_id = ? and statement_id = ? "
                       "and (norm_hash = ? or ? is null)", [qa, sa, ha, ha])
            speaker = db.execute("select speaker_id from quotes where id = ?", [qa]).fetchone()[0]
            new_id = db["statements"].insert({"text": row[1], "speaker_id": speaker}).last_pk
            db["quote_statements"].insert({"quote_id": qa, "statement_id": new_id, "part": row[0], "text": row[1],
                                           "norm_hash": ha, "method": "correction"}, ignore=True)
            if db["statement_terms"].exists():
                _index_sentence(db, new_id, row[1])
            db.execute("update quotes set statement_id = ? where id = ?", [_main_statement(db, qa), qa])
            changed += [sa, new_id]
    if changed:
        for (quote_id,) in db.execute(
                "select distinct quote_id from quote_statements where statement_id in "
                f"({', '.join('?' * len(changed))})", changed).fetchall():
            db.execute("update quotes set statement_id = ? where id = ?", [_main_statement(db, quote_id), quote_id])
        refresh_statement_counts(db, changed)
    return changed
