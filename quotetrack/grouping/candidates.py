"""The plausible statements for a new sentence, the only ones the judgement compares
it with: same normalised text, statements of the same or related speakers within the
date window that the term index offers, and a short list of those worth comparing by
embeddings."""
from __future__ import annotations

import datetime
import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass

from ..identities import relations
from ..text import day as _date
from . import languages, variants
from .terms import MIN_MATCH_WORDS, _term_order, index_terms

__all__ = ["DATE_WINDOW_DAYS", "EXACT_ANY_SPEAKER_WORDS", "EMBED_CANDIDATES", "RARE_WORD_STATEMENTS",
           "MIN_STATEMENT_WORDS", "TRANSLATION_CANDIDATES", "EMBED_NEAR_DAYS"]


#: statements first/last reported more than this many days from a quote's date are not compared with it
DATE_WINDOW_DAYS = 365
#: identical quotes (after normalisation) of at least this many words join whoever they are attributed to
EXACT_ANY_SPEAKER_WORDS = 8
#: statements compared by embeddings with a new sentence, at most: those sharing the most rare words
EMBED_CANDIDATES = 4
#: a word a speaker used in more statements than this is no evidence for the embedding stage
RARE_WORD_STATEMENTS = 50
#: a sentence of fewer words joins a statement only by being identical to a member; it never starts one
MIN_STATEMENT_WORDS = 3
#: statements of the speaker compared with a sentence in another language, at most
TRANSLATION_CANDIDATES = 30
#: sentences reported within this many days of each other may render one statement with
#: few shared words (translations published together): see ``EMBED_MIN_OVERLAP_NEAR``
EMBED_NEAR_DAYS = 7


@dataclass
class _Member:
    statement_id: int
    quote_id: int
    text: str
    norm: str
    article_id: int
    published: str | None = None
    method: str | None = None       # how the member itself was linked ("fragment": a mere part of it)


class _Candidates:
    """The plausible statements for a new sentence (state of one
    :func:`quotetrack.grouping.statements.assign_statements` call)."""

    def __init__(self, db, embedding: bool):
        self.db = db
        # without a model the embedding stage's candidates are not even collected
        self.embedding = embedding
        self.related_cache: dict[int, set[int]] = {}
        self.article_speakers: dict[int, set[int]] = {}
        self.embeddable_cache: dict[tuple, list[int]] = {}
        self.dropped: dict[int, int] = {}       # statement merged during this call -> where it went

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


def _json(ids) -> str:
    return json.dumps(sorted(i for i in ids if i is not None))
