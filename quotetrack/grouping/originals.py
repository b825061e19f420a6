"""Originals: a statement as its speaker published it, in its own language, and the
renderings of its sentences in the news.

An original (a ministry's communiqué, a speech's transcript) is split into sentences
(:func:`sentences`); each sentence is the source of one statement. The quotes that
render a sentence (in any of the six languages of :mod:`.languages`) join that
statement; a sentence nobody quoted gets a statement of its own, with no quotes, so
the statement page can say which sentences no outlet carried.

Which quotes are compared with a sentence: those of the original's speaker identity
or an identity related to it (:func:`quotetrack.identities.relations.related_ids`),
and the unattributed quotes of articles that quote that speaker, reported from
``DAYS_BEFORE`` days before the original to ``DAYS_AFTER`` days after it (or undated).
The judgement is :func:`quotetrack.grouping.variants.judge`, the calibrated one of
statement grouping, whose ``partial`` stage finds a quote that renders only some
clauses of a long sentence. A quote sentence renders at most one sentence of an
original: the one it matches best.

Ingest order does not matter: :func:`add_original` links the quotes already stored,
and :func:`link_renderings` (called by statement assignment for every new quote)
links those ingested later, merging the quote's statement into the sentence's.

:func:`quotetrack.grouping.verdicts.rendering_verdict` says how faithfully a quote renders
its sentence: ``faithful``, ``partial`` (some clauses only) or ``loose`` (it adds or drops a
number, a negation, a name).
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from ..identities import identities, relations
from ..records import Original
from ..text import day as _date
from . import languages, variants
from .corrections import _merge_into, _writing
from .embeddings import Embedder
from .verdicts import Verdict, rendering_verdict

__all__ = ["sentences", "add_original", "link_renderings", "rendering_verdict", "Added", "Verdict",
           "DAYS_BEFORE", "DAYS_AFTER"]

#: quotes reported this many days before the original's date still render it (time zones,
#: a text released the evening before its date)
DAYS_BEFORE = 2
#: ... and this many days after it
DAYS_AFTER = 365
#: a sentence of fewer words stays with the next one ("La Habana, 4 de septiembre.")
MIN_SENTENCE_WORDS = 4

_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019\u00bb)\]]*\s+(?=[\"'\u201c\u2018\u00ab(\[\u00bf\u00a1]*[A-Z\u00c0-\u00de0-9])"
                           r"|\n\s*\n|\n(?=\s*[-\u2022*]\s)")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr st jr sr sra srta dra gen gov sen rep prof rev hon nr vs etc inc ltd co corp dept
    art arts núm pág ee uu u.s u.k u.n e.u bzw usw ca""".split())


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """The sentences of an original with their offsets in ``text``: split after ., ! ?
    or … before a capital (not after an abbreviation or an initial) and at blank lines;
    a piece of fewer than ``MIN_SENTENCE_WORDS`` words (a dateline) joins the next."""
    cuts = [0]
    for m in _SENTENCE_END.finditer(text):
        before = text[cuts[-1]:m.start()].rstrip("\"'\u201d\u2019\u00bb)]")
        word = before.rsplit(None, 1)[-1].rstrip(".!?").lstrip("\"'\u201c\u2018\u00ab([").casefold() \
            if before.split() else ""
        if "\n" in m.group(0) or word not in _ABBREVIATIONS and not (len(word) == 1 and word.isalpha()):
            cuts.append(m.end())
    cuts.append(len(text))
    out: list[Sentence] = []
    carry = None
    for a, b in zip(cuts, cuts[1:]):
        piece = text[a:b]
        start = a + len(piece) - len(piece.lstrip())
        end = a + len(piece.rstrip())
        if end <= start:
            continue
        if carry is not None:
            start = carry
            carry = None
        if len(languages.words(text[start:end])) < MIN_SENTENCE_WORDS:
            carry = start
            continue
        out.append(Sentence(start, end, " ".join(text[start:end].split())))
    if carry is not None:
        if out:
            last = out.pop()
            out.append(Sentence(last.start, len(text.rstrip()), " ".join(text[last.start:].split())))
        elif text[carry:].strip():
            out.append(Sentence(carry, len(text.rstrip()), " ".join(text[carry:].split())))
    return out


@dataclass
class Added:
    """What :func:`add_original` did: the original's id, its sentences, how many quote
    sentences now render them, the sentences nobody quoted yet; ``present`` when the
    same text was already stored."""
    original_id: int
    sentences: int = 0
    renderings: int = 0
    unquoted: int = 0
    present: bool = False
    statements: list[int] = field(default_factory=list)


def _speakers(db, speaker_id: int | None) -> set[int]:
    if speaker_id is None:
        return set()
    ids = {speaker_id} | relations.related_ids(db, speaker_id)
    ids |= {r[0] for r in db.execute("select speaker_id from speaker_relations where related_id = ?", [speaker_id])}
    return ids


def _in_window(original_day, quote_day) -> bool:
    a, b = _date(original_day), _date(quote_day)
    if a is None or b is None:
        return True
    return -DAYS_BEFORE <= (b - a).days <= DAYS_AFTER


def _candidates(db, speaker_ids: set[int], published) -> list[tuple]:
    """(quote_id, part, statement_id, sentence) of the quotes that may render an
    original of these speakers: theirs, and the unattributed ones of articles quoting them."""
    if not speaker_ids:
        return []
    marks = ", ".join("?" * len(speaker_ids))
    rows = db.execute(
        "select qs.quote_id, qs.part, qs.statement_id, coalesce(qs.text, q.text), q.published from quote_statements qs "
        f"join quotes q on q.id = qs.quote_id where q.speaker_id in ({marks}) or (q.speaker_id is null and "
        f"q.article_id in (select article_id from quotes where speaker_id in ({marks})))",
        [*speaker_ids, *speaker_ids]).fetchall()
    return [r[:4] for r in rows if _in_window(published, r[4])]


def _best(judgements: list[tuple[float, int]]) -> int | None:
    return max(judgements)[1] if judgements else None


def _judge(sentence: str, rendering: str, embedder) -> variants.Judgement:
    return variants.judge(sentence, rendering, embeddings=embedder.available, embedder=embedder)


def add_original(db, original: Original, *, embedder=None) -> Added:
    """Store ``original`` (its speaker resolved to an identity, its sentences split) and
    link each sentence to the statement its renderings form, merging the statements of
    quotes that render one sentence; a sentence with no rendering gets a new statement.
    One transaction. Adding the same text again changes nothing (``present``)."""
    from ..db.counts import refresh_statement_counts

    embedder = embedder or Embedder(db)
    with _writing(db):
        row = db.execute("select id from originals where content_hash = ?", [original.content_hash]).fetchone()
        if row:
            return Added(row[0], present=True)
        speaker_id = identities.resolve(db, original.speaker) if original.speaker else None
        lang = original.lang or languages.guess_language(original.text)
        original_id = db["originals"].insert({
            "speaker_id": speaker_id, "published": original.published, "lang": lang, "url": original.url,
            "path": original.path, "title": original.title, "text": original.text,
            "content_hash": original.content_hash,
            "added_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }).last_pk
        split = sentences(original.text)
        sentence_ids = [db["original_sentences"].insert({
            "original_id": original_id, "position": i, "start": s.start, "end": s.end, "text": s.text,
            "lang": lang}).last_pk for i, s in enumerate(split)]
        # each quote sentence renders the one sentence it matches best
        chosen: dict[int, list[int]] = {i: [] for i in range(len(split))}
        for quote_id, part, statement_id, text in _candidates(db, _speakers(db, speaker_id), original.published):
            scores = []
            for i, s in enumerate(split):
                j = _judge(s.text, text, embedder)
                if j.same:
                    scores.append((j.score or 1.0, i))
            best = _best(scores)
            if best is not None:
                chosen[best].append(statement_id)
        added = Added(original_id, sentences=len(split))
        moved: dict[int, int] = {}        # statements merged by this call -> where they went

        def now(statement_id: int) -> int:
            while statement_id in moved:
                statement_id = moved[statement_id]
            return statement_id

        for i, sentence_id in enumerate(sentence_ids):
            found = list(dict.fromkeys(now(s) for s in chosen[i]))
            if found:
                keep = min(found)
                for other in found:
                    if other != keep:
                        _merge_into(db, keep, other)
                        moved[other] = keep
                added.renderings += len(chosen[i])
            else:
                keep = db["statements"].insert({"text": split[i].text, "speaker_id": speaker_id,
                                                "quote_count": 0, "article_count": 0, "outlet_count": 0}).last_pk
                added.unquoted += 1
            db.execute("update original_sentences set statement_id = ? where id = ?", [keep, sentence_id])
            added.statements.append(keep)
        refresh_statement_counts(db, added.statements)
    return added


def _current(db, statement_id: int | None) -> int | None:
    """The statement still there (an earlier merge of this call may have removed it)."""
    row = db.execute("select id from statements where id = ?", [statement_id]).fetchone()
    return row[0] if row else None


def link_renderings(db, quote_ids, embedder) -> list[int]:
    """Join the statements of the new quotes ``quote_ids`` to the original sentences they
    render (originals of their speakers, in the date window); the statements touched.
    Costs one query when no original is stored."""
    if not db["original_sentences"].exists() or \
            db.execute("select 1 from original_sentences limit 1").fetchone() is None:
        return []
    quote_ids = list(quote_ids)
    if not quote_ids:
        return []
    marks = ", ".join("?" * len(quote_ids))
    rows = db.execute(
        "select qs.quote_id, qs.statement_id, coalesce(qs.text, q.text), q.speaker_id, q.published, q.article_id "
        f"from quote_statements qs join quotes q on q.id = qs.quote_id where qs.quote_id in ({marks})",
        quote_ids).fetchall()
    originals = db.execute("select o.id, o.speaker_id, o.published from originals o").fetchall()
    touched: list[int] = []
    for quote_id, statement_id, text, speaker_id, published, article_id in rows:
        if speaker_id is not None:
            speakers = _speakers(db, speaker_id)
        else:
            speakers = {r[0] for r in db.execute(
                "select distinct speaker_id from quotes where article_id = ? and speaker_id is not null", [article_id])}
        scores = []
        for original_id, original_speaker, original_day in originals:
            if original_speaker not in speakers or not _in_window(original_day, published):
                continue
            for sentence_id, sentence, target in db.execute(
                    "select id, text, statement_id from original_sentences where original_id = ?", [original_id]):
                j = _judge(sentence, text, embedder)
                if j.same:
                    scores.append((j.score or 1.0, target))
        target = _best(scores)
        current = _current(db, statement_id) if target is not None else None
        if target is not None and current is not None and current != target and _current(db, target):
            _merge_into(db, target, current)
            touched.append(target)
    return touched
