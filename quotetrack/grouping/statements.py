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

This module assigns sentences to statements (:func:`assign_statements`); the plausible
statements are found in :mod:`.candidates`, the term index is :mod:`.terms`, and
merges, splits and users' corrections are :mod:`.corrections`.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from ..db.counts import refresh_statement_counts
from ..text import day as _date
from . import languages, originals, variants
from .candidates import EMBED_NEAR_DAYS, MIN_STATEMENT_WORDS, _Candidates, _Member
from .corrections import (StatementError, _main_statement, _merge_into, _split_constraints, _unit_statement,
                          _writing, apply_corrections, merge_statements, split_quote)
from .embeddings import Embedder, text_hash
from .terms import (COMMON_WORDS, MIN_MATCH_WORDS, _index_sentence, ensure_term_index, index_terms, shared_name,
                    word_overlap)

# the public names of statement grouping: corrections (corrections.py) and the term
# index (terms.py) are used from here too, by the CLI among others
__all__ = [
    "assign_statements",
    "refresh_statement_counts",
    "merge_statements",
    "split_quote",
    "apply_corrections",
    "StatementError",
    "COMMON_WORDS",
    "MIN_MATCH_WORDS",
    "index_terms",
    "ensure_term_index",
]


#: members of one statement compared with a new sentence by embeddings, at most
EMBED_MEMBERS = 3
#: the weighted overlap of their words (:func:`word_overlap`) two sentences need to be compared by embeddings ...
EMBED_MIN_OVERLAP = 0.5
#: ... or, when they were reported within ``EMBED_NEAR_DAYS`` days of each other, this
#: much (translations of one statement published together share few words) ...
EMBED_MIN_OVERLAP_NEAR = 0.2
#: ... or, when a date is unknown and they share a name ("Ukraine", "Cuban"), this much
EMBED_MIN_OVERLAP_UNDATED = 0.25


# how a link was made, strongest first (a sentence joins its strongest match)
_RANK = {"correction": 0, "exact": 1, "contained": 2, "lexical": 3, "embedding": 4, "translation": 4,
         "fragment": 5}


def norm_hash(text: str) -> str:
    """SHA-1 of the normalised text (the ``quote_statements.norm_hash`` index)."""
    return hashlib.sha1(variants.normalise(text).encode("utf-8")).hexdigest()


@dataclass
class _Match:
    statement_id: int
    method: str
    score: float
    fragment: bool   # the new sentence is only a fragment of the member
    via_fragment: bool = False   # matched through a member that is itself only a fragment of the statement


class _Assigner(_Candidates):
    """State of one :func:`assign_statements` call."""

    def __init__(self, db, embedder=None):
        if embedder is None:
            embedder = Embedder(db)
        super().__init__(db, embedder.available)
        self.embedder = embedder
        self.cheap_cache: dict[tuple[str, str], variants.Judgement] = {}
        self.forbidden = _split_constraints(db)
        self.created: set[int] = set()          # statements created during this call ...
        self.grown: set[int] = set()            # ... and those that gained members during it
        ensure_term_index(db)

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
        # the sentences of published originals these quotes render (grouping.originals)
        touched.extend(originals.link_renderings(db, [row[0] for row, _ in plans], assigner.embedder))
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
